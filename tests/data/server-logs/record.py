#!/usr/bin/env python3
"""Record what real TLS servers log when a client's certificate is refused.

What it does
    Starts each installed server (nginx, Apache httpd with mod_ssl, HAProxy,
    ``openssl s_server``) on 127.0.0.1, serving the fixture chain ``good`` for
    ``ok.test`` and requiring a client certificate from a throwaway client CA,
    once limited to TLS 1.2 and once to TLS 1.3. Against each it runs curl with
    each client certificate of the mutual-TLS scenarios (none, one from another
    CA, one with serverAuth only, an expired one, one that names the accepted CA
    but is signed by another key, and a good one as the control) and keeps what
    the server wrote for that connection: its error-log lines and, for nginx,
    the error page curl received. It writes ``messages.json`` (server versions,
    the scenarios and every message with its true cause).

    In these messages the certificate in question is the *client's*: a server
    log saying "certificate has expired" is a client-cert-expired, never the
    server chain's expired.

What it needs
    python3 (standard library), openssl, curl and a built tlsdoctor (the client that
    sends a certificate with the wrong key); nginx, apache2 and haproxy are
    each optional and listed under ``skipped`` when missing. The client PKI and
    process helpers are those of ../client-errors/record.py.

How to regenerate
    cargo build --bin tlsdoctor
    python3 tests/data/server-logs/record.py

Network
    Only loopback.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
FIXTURES = REPO / "fixtures"
OUTPUT = HERE / "messages.json"
LOOPBACK = "127.0.0.1"
TLSDOCTOR = REPO / "target" / "debug" / "tlsdoctor"


def _load_shared():
    spec = importlib.util.spec_from_file_location("client_errors_record", HERE.parent / "client-errors" / "record.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


shared = _load_shared()

# (id, true cause, client certificate, description)
SCENARIOS = [
    ("valid-client-cert", None, "client-good", "control: client cert from the CA the server accepts"),
    ("no-client-cert", "client-cert-required", None, "the client sends no certificate"),
    ("client-cert-other-ca", "client-ca-not-accepted", "client-other-ca", "client cert from a CA the server does not accept"),
    ("client-cert-serverauth-only", "client-wrong-eku", "client-serverauth", "client cert whose EKU is serverAuth only"),
    ("client-cert-expired", "client-cert-expired", "client-expired", "client cert expired 2025-01-01"),
    ("client-cert-bad-signature", "client-cert-rejected", "client-forged", "client cert names the accepted CA but another key signed it"),
    ("client-key-mismatch", "client-key-mismatch", "client-good+client-other-ca",
     "a good client cert sent with another certificate's key (curl refuses that locally, so "
     "tlsdoctor check --cert --key is the client)"),
]
VERSIONS = {"tls1.2": ("TLSv1.2", "-tls1_2", "TLSv1.2"), "tls1.3": ("TLSv1.3", "-tls1_3", "TLSv1.3")}


def chain_files(tmp: Path) -> tuple[Path, Path, Path]:
    """The fixture chain `good` as leaf, key, and leaf+intermediates (and HAProxy's bundle)."""
    pem = (FIXTURES / "chains" / "good.pem").read_text()
    key = (FIXTURES / "chains" / "good.key").read_text()
    certs = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n?", pem, re.S)
    (tmp / "leaf.pem").write_text(certs[0])
    (tmp / "rest.pem").write_text("".join(certs[1:]))
    (tmp / "fullchain.pem").write_text("".join(certs))
    (tmp / "key.pem").write_text(key)
    (tmp / "haproxy.pem").write_text("".join(certs) + key)
    return tmp / "leaf.pem", tmp / "key.pem", tmp / "fullchain.pem"


class Server:
    """A server started for one TLS version; `since()` marks where a connection's log begins."""

    name = ""
    program = ""

    def __init__(self, tmp: Path, client_ca: Path, version: str):
        self.tmp, self.client_ca, self.version = tmp / f"{self.name}-{version}", client_ca, version
        self.tmp.mkdir(parents=True)
        self.port = shared.free_port()
        self.proc = None
        self.log = self.tmp / "error.log"

    def installed(self) -> bool:
        return shutil.which(self.program) is not None or Path(f"/usr/sbin/{self.program}").exists()

    def start(self, cmd: list[str]) -> None:
        out = open(self.tmp / "stdout.log", "wb")
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if not shared.wait_listening(self.port, self.proc, seconds=10):
            raise RuntimeError(f"{self.name} did not start: {(self.tmp / 'stdout.log').read_text()[-600:]}"
                               f"{self.log.read_text()[-600:] if self.log.exists() else ''}")
        # The probe connection of wait_listening may have logged a line: start after it.
        time.sleep(0.3)

    def logged(self) -> str:
        text = ""
        for f in (self.log, self.tmp / "stdout.log"):
            if f.exists():
                text += f.read_text(errors="replace")
        return text

    def close(self) -> None:
        shared.stop(self.proc)


class Nginx(Server):
    name, program = "nginx", "nginx"

    def version_line(self) -> str:
        return shared.first_line(["/usr/sbin/nginx", "-v"])

    def launch(self, leaf, key, fullchain) -> None:
        proto = VERSIONS[self.version][0]
        conf = self.tmp / "nginx.conf"
        conf.write_text(f"""
daemon off;
master_process off;
pid {self.tmp}/nginx.pid;
error_log {self.log} info;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {self.tmp}/body;
    proxy_temp_path {self.tmp}/proxy;
    fastcgi_temp_path {self.tmp}/fastcgi;
    uwsgi_temp_path {self.tmp}/uwsgi;
    scgi_temp_path {self.tmp}/scgi;
    server {{
        listen {LOOPBACK}:{self.port} ssl;
        server_name ok.test;
        ssl_certificate {fullchain};
        ssl_certificate_key {key};
        ssl_protocols {proto};
        ssl_client_certificate {self.client_ca};
        ssl_verify_client on;
        location / {{ return 200 "ok\\n"; }}
    }}
}}
""")
        self.start(["/usr/sbin/nginx", "-p", str(self.tmp), "-c", str(conf)])


class Apache(Server):
    name, program = "apache", "apache2"

    def version_line(self) -> str:
        return shared.first_line(["/usr/sbin/apache2", "-v"])

    def launch(self, leaf, key, fullchain) -> None:
        proto = VERSIONS[self.version][2]
        modules = "/usr/lib/apache2/modules"
        conf = self.tmp / "httpd.conf"
        conf.write_text(f"""
ServerRoot {self.tmp}
PidFile {self.tmp}/httpd.pid
Mutex file:{self.tmp}
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule socache_shmcb_module {modules}/mod_socache_shmcb.so
LoadModule ssl_module {modules}/mod_ssl.so
ServerName ok.test
Listen {LOOPBACK}:{self.port}
ErrorLog {self.log}
LogLevel info ssl:info
DocumentRoot {self.tmp}
SSLSessionCache none
<VirtualHost {LOOPBACK}:{self.port}>
    SSLEngine on
    SSLProtocol -all +{proto}
    SSLCertificateFile {leaf}
    SSLCertificateChainFile {self.tmp.parent}/rest.pem
    SSLCertificateKeyFile {key}
    SSLCACertificateFile {self.client_ca}
    SSLVerifyClient require
    SSLVerifyDepth 2
</VirtualHost>
""")
        user = []
        if hasattr(__import__("os"), "geteuid") and __import__("os").geteuid() == 0:
            # As root, httpd switches to its User; run the children as nobody, who may read tmp.
            user = ["-C", "User nobody", "-C", "Group nogroup"]
        self.start(["/usr/sbin/apache2", "-X", "-f", str(conf), *user])


class Haproxy(Server):
    name, program = "haproxy", "haproxy"

    def version_line(self) -> str:
        return shared.first_line(["/usr/sbin/haproxy", "-v"])

    def launch(self, leaf, key, fullchain) -> None:
        proto = VERSIONS[self.version][2]
        conf = self.tmp / "haproxy.cfg"
        conf.write_text(f"""
global
    log stdout format raw local0 info
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind {LOOPBACK}:{self.port} ssl crt {self.tmp.parent}/haproxy.pem ca-file {self.client_ca} verify required ssl-min-ver {proto} ssl-max-ver {proto}
    http-request return status 200 content-type text/plain string ok
""")
        self.start(["/usr/sbin/haproxy", "-db", "-f", str(conf)])


class SServer(Server):
    name, program = "openssl-s_server", "openssl"

    def version_line(self) -> str:
        return shared.first_line(["openssl", "version"])

    def launch(self, leaf, key, fullchain) -> None:
        flag = VERSIONS[self.version][1]
        self.start(["openssl", "s_server", "-accept", f"{LOOPBACK}:{self.port}", "-cert", str(leaf),
                    "-key", str(key), "-cert_chain", str(self.tmp.parent / "rest.pem"),
                    "-Verify", "1", "-verify_return_error", "-CAfile", str(self.client_ca),
                    "-www", flag])


def connect(port: int, pki: dict, cert_name: str | None) -> str:
    if cert_name and "+" in cert_name:
        # A certificate with another one's key: curl checks the pair before connecting, so
        # tlsdoctor, which sends it anyway to see what the server says, is the client here.
        cert, key = (pki[n] for n in cert_name.split("+"))
        cmd = [str(TLSDOCTOR), "check", f"{LOOPBACK}:{port}", "--servername", "ok.test",
               "--ca-file", str(FIXTURES / "ca" / "root.pem"), "--cert", str(cert["pem"]),
               "--key", str(key["key"]), "--format", "json", "--clients", "none"]
        _, out = shared.run(cmd, kill_after=15)
        return out
    cmd = ["curl", "-sS", "-k", "--max-time", "5", "--resolve", f"ok.test:{port}:{LOOPBACK}",
           f"https://ok.test:{port}/"]
    if cert_name:
        cert = pki[cert_name]
        cmd += ["--cert", str(cert["pem"]), "--key", str(cert["key"])]
    _, out = shared.run(cmd, kill_after=8)
    return out


def lines_of(text: str, server: str) -> list[str]:
    """The log lines worth keeping: no start-up notices, timestamps and pids masked."""
    keep = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        line = re.sub(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ", "", line)  # nginx
        line = re.sub(r"^\[[^\]]*\d{4}\] ", "", line)  # apache's date
        line = re.sub(r"\[pid \d+(:tid \d+)?\] ", "", line)
        line = re.sub(r"\d+#\d+: \*\d+ ", "", line)  # nginx's pid#tid: *conn
        line = re.sub(r"\[client 127\.0\.0\.1:\d+\]", "[client 127.0.0.1:PORT]", line)
        line = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", line)
        line = re.sub(r"\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d+\]", "[DATE]", line)
        line = re.sub(r"^[0-9A-F]{16}:error:", "TID:error:", line)  # OpenSSL's thread id
        line = re.sub(r"ACCEPT.*|Using default temp DH parameters", "", line)
        # Start-up notices, and the connection opened/closed lines around every request.
        if line and not re.search(r"AH0(0489|0094|1909|0558|2282|1876|2578|1964|1998|0129)|start|resum", line):
            keep.append(line)
    return keep


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="server-logs-"))
    try:
        pki = shared.make_client_pki(tmp)
        leaf, key, fullchain = chain_files(tmp)
        for path in tmp.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        tmp.chmod(0o755)
        messages, versions, skipped = [], {}, []
        for kind in (Nginx, Apache, Haproxy, SServer):
            for version in VERSIONS:
                server = kind(tmp, pki["client-ca"]["pem"], version)
                if not server.installed():
                    if server.name not in skipped:
                        skipped.append(server.name)
                    break
                versions[server.name] = server.version_line()
                server.launch(leaf, key, fullchain)
                try:
                    for sid, cause, cert_name, desc in SCENARIOS:
                        before = len(server.logged())
                        page = connect(server.port, pki, cert_name)
                        time.sleep(0.4)
                        logged = lines_of(server.logged()[before:], server.name)
                        entry = {"server": server.name, "scenario": f"{sid}-{version}", "cause": cause}
                        if logged:
                            messages.append({**entry, "source": "log", "message": "\n".join(logged)})
                        if server.name == "nginx" and "<title>" in page:
                            title = re.search(r"<title>(.*?)</title>", page).group(1)
                            messages.append({**entry, "source": "page", "message": title})
                        print(f"{server.name:17} {sid}-{version:7} {logged[:1]}", flush=True)
                finally:
                    server.close()
        OUTPUT.write_text(json.dumps({
            "about": "What real servers log (and nginx shows) when a client certificate is refused, "
                     "recorded by record.py; the cause is the scenario's, about the client's certificate.",
            "generated_with": versions,
            "skipped": skipped,
            "scenarios": {s[0]: {"cause": s[1], "description": s[3]} for s in SCENARIOS},
            "messages": messages,
        }, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {OUTPUT.relative_to(REPO)}: {len(messages)} messages")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
