#!/usr/bin/env python3
"""Records seed inputs for the `capture` fuzz target: what a server sends in reply to a
ClientHello.

1. Starts `openssl s_server` (TLS 1.2, then TLS 1.3) with fixtures/chains/good.pem (the leaf,
   and its intermediate via -cert_chain).
2. Points `openssl s_client` at a silent listener to capture a real ClientHello.
3. Replays that ClientHello to a fresh s_server and saves every byte the server sends back.
Also writes an HTTP response, an SSH banner and a few bare TLS alert records.

Run from anywhere: python3 fuzz/scripts/record_capture_seeds.py
Every server started here is killed by its PID.
"""
import os
import socket
import subprocess
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "fuzz", "seeds", "capture")
CERT = os.path.join(ROOT, "fixtures", "chains", "good.pem")
KEY = os.path.join(ROOT, "fixtures", "chains", "good.key")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listening(port, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def intermediates_file():
    """The certificates after the leaf in good.pem, for -cert_chain (which would otherwise
    send the leaf twice)."""
    text = open(CERT).read()
    marker = "-----BEGIN CERTIFICATE-----"
    blocks = [marker + b for b in text.split(marker)[1:]]
    f = tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False)
    f.write("".join(blocks[1:]))
    f.close()
    return f.name


CHAIN = intermediates_file()


def start_server(version_flag, extra=()):
    port = free_port()
    proc = subprocess.Popen(
        ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", CERT,
         "-cert_chain", CHAIN, "-key", KEY,
         version_flag, "-quiet", *extra],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening(port)
    return proc, port


def stop(proc):
    proc.kill()  # by PID, via the Popen handle
    proc.wait()


def read_all(sock, quiet=1.0):
    """Everything the peer sends until it is quiet for `quiet` seconds or closes."""
    sock.settimeout(quiet)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return data


def record_client_hello(version_flag, client_flags):
    """The first flight `openssl s_client` sends, caught by a listener that answers nothing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    client = subprocess.Popen(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "ok.test",
         version_flag, *client_flags],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conn, _ = listener.accept()
    hello = read_all(conn, quiet=1.0)
    conn.close()
    listener.close()
    client.kill()
    client.wait()
    return hello


def server_flight(version_flag, hello, server_extra=()):
    proc, port = start_server(version_flag, server_extra)
    try:
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(hello)
            return read_all(s, quiet=1.0)
    finally:
        stop(proc)


def save(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    common = ["-no_ticket", "-alpn", "h2,http/1.1"]
    hello12 = record_client_hello("-tls1_2", common)
    hello13 = record_client_hello("-tls1_3", common)
    save("tls12-server-flight.bin", server_flight("-tls1_2", hello12, ["-no_ticket"]))
    save("tls13-server-flight.bin", server_flight("-tls1_3", hello13, ["-no_ticket"]))
    # A TLS 1.2 server that also asks for a client certificate (CertificateRequest).
    save("tls12-server-flight-certreq.bin",
         server_flight("-tls1_2", hello12, ["-no_ticket", "-verify", "1"]))
    # TLS 1.3 client hello to a TLS 1.2-only server: the server's protocol_version alert.
    save("tls12-only-server-alert.bin", server_flight("-tls1_2", hello13))
    save("http-response.bin",
         b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n"
         b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    save("ssh-banner.bin", b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
    save("smtp-banner.bin", b"220 mail.example.com ESMTP Postfix\r\n")
    # Alert records: fatal handshake_failure (40), protocol_version (70), unrecognized_name (112).
    save("tls-alert-handshake-failure.bin", bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 40]))
    save("tls-alert-protocol-version.bin", bytes([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 70]))
    save("tls-alert-unrecognized-name.bin", bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 112]))


if __name__ == "__main__":
    try:
        main()
    finally:
        os.unlink(CHAIN)
