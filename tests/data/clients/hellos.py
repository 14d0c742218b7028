#!/usr/bin/env python3
"""Record the ClientHello each real TLS client sends with its defaults.

What it does
    For every installed client of ``clients.json``, listens on a loopback port,
    runs the client against ``https://localhost:PORT/`` as record.py does, reads
    the first ClientHello it sends and closes the connection. It writes
    ``hellos.json``: per client, the versions, cipher suites, groups, key shares
    and signature schemes offered, in the client's order, by IANA name. The
    client profiles of ``data/clients.toml`` that run here must offer the same
    (tests/client_profiles.rs compares them).

What it needs
    python3 (standard library only) and openssl (the clients trust a throwaway
    root made as record.py makes it); each client is optional.

How to regenerate
    python3 tests/data/clients/hellos.py

Network
    Only loopback.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import shutil
import socket
import struct
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "hellos.json"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


record = _load("clients_record", HERE / "record.py")

VERSIONS = {0x0300: "SSLv3", 0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
GROUPS = {
    0x0017: "secp256r1", 0x0018: "secp384r1", 0x0019: "secp521r1", 0x001D: "x25519", 0x001E: "x448",
    0x0100: "ffdhe2048", 0x0101: "ffdhe3072", 0x0102: "ffdhe4096", 0x0103: "ffdhe6144", 0x0104: "ffdhe8192",
    0x11EC: "x25519mlkem768", 0x11EB: "secp256r1mlkem768", 0x11ED: "secp384r1mlkem1024",
    0x6399: "x25519kyber768draft00", 0x001A: "brainpoolP256r1", 0x001B: "brainpoolP384r1",
    0x001C: "brainpoolP512r1", 0x001F: "brainpoolP256r1tls13", 0x0020: "brainpoolP384r1tls13",
    0x0021: "brainpoolP512r1tls13",
}
SCHEMES = {
    0x0201: "rsa_pkcs1_sha1", 0x0203: "ecdsa_sha1", 0x0301: "rsa_pkcs1_sha224", 0x0303: "ecdsa_sha224",
    0x0401: "rsa_pkcs1_sha256", 0x0501: "rsa_pkcs1_sha384", 0x0601: "rsa_pkcs1_sha512",
    0x0403: "ecdsa_secp256r1_sha256", 0x0503: "ecdsa_secp384r1_sha384", 0x0603: "ecdsa_secp521r1_sha512",
    0x0804: "rsa_pss_rsae_sha256", 0x0805: "rsa_pss_rsae_sha384", 0x0806: "rsa_pss_rsae_sha512",
    0x0807: "ed25519", 0x0808: "ed448", 0x0809: "rsa_pss_pss_sha256", 0x080A: "rsa_pss_pss_sha384",
    0x080B: "rsa_pss_pss_sha512", 0x0904: "mldsa44", 0x0905: "mldsa65", 0x0906: "mldsa87", 0x081A: "ecdsa_brainpoolP256r1tls13_sha256",
    0x081B: "ecdsa_brainpoolP384r1tls13_sha384", 0x081C: "ecdsa_brainpoolP512r1tls13_sha512",
    0x0402: "dsa_sha256", 0x0502: "dsa_sha384", 0x0602: "dsa_sha512", 0x0202: "dsa_sha1", 0x0302: "dsa_sha224",
}


def grease(value: int) -> bool:
    return value & 0x0F0F == 0x0A0A and value >> 8 == value & 0xFF


def suite_names() -> dict[int, str]:
    """IANA names of the suites, as `openssl ciphers -stdname` prints them."""
    names = {0x00FF: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", 0x5600: "TLS_FALLBACK_SCSV"}
    out = record.shared.run(["openssl", "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                            kill_after=10)[1]
    for line in out.splitlines():
        parts = line.split()
        if len(parts) > 2 and parts[0].startswith("0x"):
            hi, lo = parts[0].split(",")
            names[int(hi, 16) << 8 | int(lo, 16)] = parts[2]
    for code, name in {0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384",
                       0x1303: "TLS_CHACHA20_POLY1305_SHA256", 0x1304: "TLS_AES_128_CCM_SHA256",
                       0x1305: "TLS_AES_128_CCM_8_SHA256",
                       # 3DES, which OpenSSL 3 no longer builds and so cannot name
                       0xC012: "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", 0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}.items():
        names[code] = name
    return names


def read_hello(conn: socket.socket) -> bytes:
    """The first handshake message, across records, or b'' if none came."""
    data = b""
    conn.settimeout(15)
    while True:
        while len(data) < 5 or len(data) < 5 + struct.unpack(">H", data[3:5])[0]:
            chunk = conn.recv(65536)
            if not chunk:
                return b""
            data += chunk
        handshake, rest = b"", data
        while len(rest) >= 5 and rest[0] == 0x16 and len(rest) >= 5 + struct.unpack(">H", rest[3:5])[0]:
            n = struct.unpack(">H", rest[3:5])[0]
            handshake += rest[5:5 + n]
            rest = rest[5 + n:]
        if len(handshake) >= 4 and len(handshake) >= 4 + int.from_bytes(handshake[1:4], "big"):
            return handshake[4:4 + int.from_bytes(handshake[1:4], "big")]
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk


def parse(hello: bytes, suites: dict[int, str]) -> dict:
    pos = 2 + 32
    pos += 1 + hello[pos]
    n = struct.unpack(">H", hello[pos:pos + 2])[0]
    cipher = [struct.unpack(">H", hello[pos + 2 + i:pos + 4 + i])[0] for i in range(0, n, 2)]
    pos += 2 + n
    pos += 1 + hello[pos]
    end = pos + 2 + struct.unpack(">H", hello[pos:pos + 2])[0]
    pos += 2
    ext = {}
    while pos + 4 <= end:
        kind, n = struct.unpack(">HH", hello[pos:pos + 4])
        ext[kind] = hello[pos + 4:pos + 4 + n]
        pos += 4 + n

    def u16_list(body: bytes, skip: int) -> list[int]:
        return [struct.unpack(">H", body[i:i + 2])[0] for i in range(skip, len(body) - 1, 2)]

    legacy = struct.unpack(">H", hello[0:2])[0]
    versions = u16_list(ext[0x2B], 1) if 0x2B in ext else [v for v in VERSIONS if 0x0301 <= v <= legacy]
    shares, body = [], ext.get(0x33, b"")[2:]
    while len(body) >= 4:
        group, n = struct.unpack(">HH", body[:4])
        shares.append(group)
        body = body[4 + n:]
    name = lambda table, v: table.get(v, f"0x{v:04x}")  # noqa: E731
    clean = lambda values: [v for v in values if not grease(v)]  # noqa: E731
    return {
        "versions": sorted({name(VERSIONS, v) for v in clean(versions)}),
        "cipher_suites": [name(suites, s) for s in clean(cipher) if s not in (0x00FF, 0x5600)],
        "groups": [name(GROUPS, g) for g in clean(u16_list(ext.get(0x0A, b""), 2))],
        "key_shares": [name(GROUPS, g) for g in clean(shares)],
        "signature_schemes": [name(SCHEMES, s) for s in clean(u16_list(ext.get(0x0D, b""), 2))],
    }


def capture(client, suites) -> dict | str:
    listener = socket.socket()
    listener.bind((record.LOOPBACK, 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    got: dict = {}

    def accept():
        try:
            listener.settimeout(30)
            conn, _ = listener.accept()
            with conn:
                got["hello"] = read_hello(conn)
        except OSError as e:
            got["error"] = str(e)

    thread = threading.Thread(target=accept)
    thread.start()
    with tempfile.TemporaryDirectory() as run:
        client.connect(port, Path(run) / "run")
    thread.join()
    listener.close()
    if not got.get("hello"):
        return f"no ClientHello ({got.get('error', 'connection closed')})"
    return parse(got["hello"], suites)


def main() -> int:
    if not shutil.which("openssl"):
        print("openssl is required", file=sys.stderr)
        return 1
    servers = json.loads(record.SERVERS.read_text())
    specs = json.loads(record.CLIENTS.read_text())["clients"]
    suites = suite_names()
    tmp = Path(tempfile.mkdtemp(prefix="tlsdoctor-hellos-"))
    result = {
        "about": "The ClientHello each real client of clients.json sends with its defaults (GREASE values "
                 "left out, suites by IANA name, versions sorted). Generated by hellos.py; do not edit.",
        "recorded": datetime.date.today().isoformat(),
        "clients": {},
        "skipped": [],
    }
    try:
        pki = record.Pki(tmp / "pki", servers)
        for spec in specs:
            client = record.Client(spec, pki.root, tmp / "clients")
            missing = client.missing()
            reason = f"not installed ({', '.join(missing)} missing)" if missing else client.setup()
            if reason:
                result["skipped"].append({"client": client.id, "reason": reason})
                continue
            hello = capture(client, suites)
            if isinstance(hello, str):
                result["skipped"].append({"client": client.id, "reason": hello})
                continue
            result["clients"][client.id] = {"version": client.version(), **hello}
            print(f"{client.id}: {len(hello['cipher_suites'])} suites, groups {hello['groups']}", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    OUTPUT.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
