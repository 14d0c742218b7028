#!/usr/bin/env python3
"""A TLS 1.3 server on a newer OpenSSL than the system's: pyOpenSSL's wheels bundle their own
(OpenSSL 3.5 or later), which speaks the post-quantum hybrid group X25519MLKEM768 that the
system's `openssl s_server` (OpenSSL 3.0 on Debian 12) cannot.

    python server.py LEAF KEY CHAIN GROUPS

LEAF, KEY: PEM files; CHAIN: PEM file of the certificates sent after the leaf, or "-" for none;
GROUPS: an OpenSSL group list (`X25519MLKEM768`). Binds 127.0.0.1 on a free port and prints
`ACCEPT 127.0.0.1:PORT` as `openssl s_server` does, then answers every connection with a small
HTTP response until killed. `python server.py --check` exits 0 only when this Python's pyOpenSSL
can set X25519MLKEM768 (the tests use it to decide whether they can run).
"""

import socket
import sys
import threading

from OpenSSL import SSL, crypto
from OpenSSL._util import lib


def context(groups: bytes) -> SSL.Context:
    ctx = SSL.Context(SSL.TLS_METHOD)
    ctx.set_min_proto_version(SSL.TLS1_3_VERSION)
    # The binding names the call by its older name: curves and groups are the same list.
    if lib.SSL_CTX_set1_curves_list(ctx._context, groups) != 1:
        raise SystemExit(f"this OpenSSL does not know the groups {groups!r}")
    return ctx


def serve(ctx: SSL.Context, conn: socket.socket) -> None:
    tls = SSL.Connection(ctx, conn)
    tls.set_accept_state()
    try:
        tls.do_handshake()
        tls.recv(4096)
        tls.sendall(b"HTTP/1.0 200 OK\r\ncontent-length: 3\r\n\r\nok\n")
        tls.shutdown()
    except (SSL.Error, OSError):
        pass
    finally:
        conn.close()


def main() -> None:
    if sys.argv[1:] == ["--check"]:
        context(b"X25519MLKEM768")
        print(SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode())
        return
    leaf, key, chain, groups = sys.argv[1:5]
    ctx = context(groups.encode())
    ctx.use_certificate_file(leaf)
    ctx.use_privatekey_file(key)
    if chain != "-":
        with open(chain, "rb") as f:
            pem = f.read()
        marker = b"-----END CERTIFICATE-----"
        for block in pem.split(marker)[:-1]:
            ctx.add_extra_chain_cert(crypto.load_certificate(crypto.FILETYPE_PEM, block + marker))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(f"ACCEPT 127.0.0.1:{listener.getsockname()[1]}", flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(ctx, conn), daemon=True).start()


if __name__ == "__main__":
    main()
