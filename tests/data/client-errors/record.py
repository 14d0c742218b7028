#!/usr/bin/env python3
"""Record the error messages real TLS clients print for tlsdoctor's fixture chains.

What it does
    For every scenario below it starts a server on loopback (``openssl s_server``
    serving a chain from ``fixtures/chains/``, a plain-HTTP server, a listener
    that never answers, or nothing at all on a closed port), runs every
    available TLS client against it, and keeps the error text each client
    printed, labelled with the cause id the scenario was built to produce. The
    result is ``messages.json`` next to this file: test data for
    ``tlsdoctor explain "<error message>"``.

    Clients trust only ``fixtures/ca/root.pem`` and check the name ``ok.test``
    (``other.test`` for one hostname scenario) while connecting to 127.0.0.1.
    Mutual-TLS scenarios use throwaway client certificates made with
    ``openssl`` in a temporary directory at record time (nothing is added to
    ``fixtures/``); each runs once with the server limited to TLS 1.2 and once
    with TLS 1.3 (where the server's rejection arrives after the handshake).

    A client that does not fail in a scenario is listed under ``accepted``;
    a client that is missing, or has no way to do a scenario, is listed under
    ``skipped``.

What it needs
    Required: python3 (3.8+, standard library only) and ``openssl`` (servers,
    throwaway certificates, and the ``openssl s_client`` client).
    Optional clients, each skipped with a note when absent:
      curl; Python ``ssl``/``urllib`` (always there) and ``requests``
      (``pip install requests``); node (``node_client.js``); java + javac +
      keytool (``JavaClient.java``); gnutls-cli (``apt-get install
      gnutls-bin``); go (``apt-get install golang-go``, ``go_client.go``).

How to regenerate
    python3 tests/data/client-errors/record.py      # from anywhere

    It overwrites ``messages.json``. Messages are normalised: the server's
    port becomes ``PORT``, the temporary directory ``TMP``, the repository
    ``REPO``, and the thread id OpenSSL prefixes to error lines ``TID``.

Network
    Only loopback: every server binds 127.0.0.1 and every client dials
    127.0.0.1 (the names ok.test/other.test are only used for SNI, the HTTP
    Host header and the certificate name check; nothing resolves them).

Every client run is killed after 5 s; every server is stopped in a
``finally`` block; ports are picked by binding port 0.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
FIXTURES = REPO / "fixtures"
ROOT_CA = FIXTURES / "ca" / "root.pem"
OUTPUT = HERE / "messages.json"

CLIENT_KILL_AFTER = 5.0  # seconds; a client still running then is killed
CLIENT_TIMEOUT = 2  # seconds; the client's own timeout in the `timeout` scenario
LOOPBACK = "127.0.0.1"


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------


@dataclass
class Scenario:
    id: str
    cause: str | None  # None: a control or a defect clients tolerate; failures go to "skipped"
    description: str
    fixture: str | None = None  # chain served by openssl s_server
    server: str = "s_server"  # s_server | closed | http | silent
    server_args: list = field(default_factory=list)
    weak_server: bool = False  # may need -cipher DEFAULT@SECLEVEL=0 to load
    host: str = "ok.test"  # name the client asks for and checks
    client_cert: str | None = None  # throwaway client cert (mutual TLS)
    client_ca: str | None = None  # CA the server accepts client certs from
    mtls: bool = False
    client_timeout: bool = False


CHAIN_SCENARIOS = [
    # (fixture, cause, description)
    ("good", None, "control: valid chain"),
    ("leaf-only", "missing-intermediate", "server sends only the leaf; the intermediate is missing"),
    ("wrong-order", None, "tolerated defect: intermediates in the wrong order (chain still complete)"),
    ("root-included", None, "tolerated defect: root sent needlessly (chain still valid)"),
    ("extra-certificates", None, "tolerated defect: unrelated certificate appended (chain still valid)"),
    ("duplicate-certificate", None, "tolerated defect: intermediate sent twice (chain still valid)"),
    ("expired-leaf", "expired", "leaf expired 2026-01-01"),
    ("not-yet-valid", "not-yet-valid", "leaf valid from 2027-01-01"),
    ("expired-intermediate", "expired", "issuing intermediate expired 2026-03-01"),
    ("no-san", "no-san", "leaf has no subjectAltName, name only in CN=ok.test"),
    ("wildcard", "hostname-mismatch", "leaf is for *.wild.test only, checked as ok.test"),
    ("unknown-issuer", "unknown-issuer", "issued by another PKI whose root is neither sent nor trusted"),
    ("untrusted-root", "private-root", "complete chain to another PKI's self-signed root, which is sent but not trusted"),
    ("self-signed-leaf", "self-signed-leaf", "self-signed leaf"),
    ("bad-signature", "bad-signature", "intermediate with the right name but the wrong key"),
    ("not-a-ca", "not-a-ca", "issuer is CA:FALSE without keyCertSign"),
    ("wrong-eku", "wrong-eku", "leaf EKU is clientAuth only"),
    ("intermediate-wrong-eku", "wrong-eku", "issuing CA's EKU is clientAuth only"),
    ("weak-signature", "weak-signature", "leaf signed with SHA-1"),
    ("weak-key", "weak-key", "issuing CA has an RSA-1024 key"),
    ("leaf-is-ca", "leaf-is-ca", "leaf is CA:TRUE with keyCertSign"),
    ("path-length", "path-length-exceeded", "a CA below a pathlen:0 CA"),
    ("name-constraints", "name-constraints-violation", "ok.test outside the issuer's permitted subtree example.com"),
    ("bad-key-usage", "bad-key-usage", "leaf KeyUsage keyCertSign only, no digitalSignature"),
]


def scenarios() -> list[Scenario]:
    out = []
    for fixture, cause, desc in CHAIN_SCENARIOS:
        out.append(
            Scenario(
                id=fixture,
                cause=cause,
                description=desc,
                fixture=fixture,
                weak_server=fixture in ("weak-key", "weak-signature"),
            )
        )
    out += [
        Scenario(
            id="good-as-other.test",
            cause="hostname-mismatch",
            description="valid chain for ok.test, client asks for and checks other.test",
            fixture="good",
            host="other.test",
        ),
        Scenario(
            id="closed-port",
            cause="connection-refused",
            description="nothing listens on the port",
            server="closed",
        ),
        Scenario(
            id="plain-http",
            cause="not-tls",
            description="python3 -m http.server (plain HTTP) on the port",
            server="http",
        ),
        Scenario(
            id="silent-server",
            cause="timeout",
            description=f"TCP accepted but the server never answers; client timeout {CLIENT_TIMEOUT} s",
            server="silent",
            client_timeout=True,
        ),
        Scenario(
            id="server-tls1.0-only",
            cause="protocol-too-old",
            description="server speaks only TLS 1.0 (s_server -tls1)",
            fixture="good",
            server_args=["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"],
        ),
        Scenario(
            id="no-shared-cipher",
            cause="no-shared-cipher",
            description="server allows only TLS 1.2 with NULL-encryption ciphers no client offers",
            fixture="good",
            server_args=["-tls1_2", "-cipher", "eNULL:@SECLEVEL=0"],
        ),
    ]
    mtls = [
        # (id, cause, client cert, description)
        ("mtls-valid-client-cert", None, "client-good", "control: client cert from the CA the server accepts"),
        ("mtls-no-client-cert", "client-cert-required", None, "server requires a client cert, none sent"),
        (
            "mtls-client-cert-other-ca",
            "client-ca-not-accepted",
            "client-other-ca",
            "client cert issued by a CA the server does not accept",
        ),
        (
            "mtls-client-cert-serverauth-only",
            "client-wrong-eku",
            "client-serverauth",
            "client cert whose EKU is serverAuth only",
        ),
        ("mtls-client-cert-expired", "client-cert-expired", "client-expired", "client cert expired 2025-01-01"),
        (
            "mtls-client-cert-bad-signature",
            "client-cert-rejected",
            "client-forged",
            "client cert names the accepted CA but is signed by another key",
        ),
    ]
    for version, flag in (("tls1.2", ["-tls1_2"]), ("tls1.3", ["-tls1_3"])):
        for sid, cause, cert, desc in mtls:
            out.append(
                Scenario(
                    id=f"{sid}-{version}",
                    cause=cause,
                    description=f"{desc} ({version.upper().replace('TLS', 'TLS ')} server)",
                    fixture="good",
                    server_args=flag,
                    client_cert=cert,
                    client_ca="client-ca",
                    mtls=True,
                )
            )
    return out


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen | None, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def stop(proc: subprocess.Popen | None) -> None:
    """End a process this script started, by its own handle (PID)."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run(cmd, *, stdin: bytes | None = None, hold_stdin: float = 0.0, cwd=None, env=None,
        kill_after: float | None = None):
    """Run a client; return (exit code or None if killed, combined output).

    stdin None means /dev/null. With bytes, they are written and stdin is
    kept open for hold_stdin seconds (or until the process ends) and then
    closed, so a client can still read what the server sends after it.
    The client runs in a process group of its own, ended with it, so helper
    processes it spawned (a browser's) do not outlive it. It is killed after
    kill_after seconds (default CLIENT_KILL_AFTER).
    """
    kill_after = CLIENT_KILL_AFTER if kill_after is None else kill_after
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
        started = time.monotonic()
        try:
            if stdin is not None:
                try:
                    proc.stdin.write(stdin)
                    proc.stdin.flush()
                    try:
                        proc.wait(timeout=hold_stdin)
                    except subprocess.TimeoutExpired:
                        pass
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
            remaining = kill_after - (time.monotonic() - started)
            try:
                rc = proc.wait(timeout=max(remaining, 0.1))
            except subprocess.TimeoutExpired:
                rc = None
        finally:
            stop(proc)
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the group this call created, by its id
            except (ProcessLookupError, PermissionError):
                pass
        out.seek(0)
        return rc, out.read().decode("utf-8", "replace")


def first_line(cmd) -> str:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (r.stdout or "") + (r.stderr or "")
    return text.strip().splitlines()[0].strip() if text.strip() else ""


def openssl(*args, cwd) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


# --------------------------------------------------------------------------
# Throwaway client PKI for the mutual-TLS scenarios
# --------------------------------------------------------------------------

CA_CNF = """\
[ca]
default_ca = c
[c]
database = index.txt
new_certs_dir = newcerts
default_md = sha256
policy = p
rand_serial = yes
unique_subject = no
copy_extensions = none
[p]
commonName = supplied
"""


def make_client_pki(tmp: Path) -> dict:
    """Client CAs and client certs (PEM, key, PKCS12) under tmp/client-pki."""
    d = tmp / "client-pki"
    (d / "newcerts").mkdir(parents=True)
    (d / "index.txt").touch()
    (d / "ca.cnf").write_text(CA_CNF)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

    def make_ca(name, cn, extra=()):
        openssl(
            "req", "-x509", *ec, "-keyout", f"{name}.key", "-out", f"{name}.pem",
            "-subj", f"/O=tlsdoctor throwaway client PKI/CN={cn}", "-days", "30",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            *extra, cwd=d,
        )

    make_ca("client-ca", "tlsdoctor Throwaway Client CA")
    make_ca("other-client-ca", "tlsdoctor Throwaway Other Client CA")
    ski = subprocess.run(
        ["openssl", "x509", "-in", "client-ca.pem", "-noout", "-ext", "subjectKeyIdentifier"],
        cwd=d, check=True, capture_output=True, text=True,
    ).stdout.splitlines()[-1].strip()
    # Same name and key identifier as client-ca, different key.
    make_ca("imposter-client-ca", "tlsdoctor Throwaway Client CA", ["-addext", f"subjectKeyIdentifier={ski}"])

    certs = {}

    def make_leaf(name, ca, eku, dates=None):
        openssl("req", "-new", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}.client.test", cwd=d)
        (d / f"{name}.ext").write_text(
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
            f"extendedKeyUsage={eku}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
            f"subjectAltName=DNS:{name}.client.test\n"
        )
        start, end = dates or ("20200101000000Z", "20391231000000Z")
        openssl("ca", "-config", "ca.cnf", "-batch", "-notext", "-cert", f"{ca}.pem", "-keyfile", f"{ca}.key",
                "-in", f"{name}.csr", "-out", f"{name}.pem", "-startdate", start, "-enddate", end,
                "-extfile", f"{name}.ext", cwd=d)
        openssl("pkcs12", "-export", "-in", f"{name}.pem", "-inkey", f"{name}.key", "-out", f"{name}.p12",
                "-passout", "pass:changeit", "-name", name, cwd=d)
        certs[name] = {"pem": d / f"{name}.pem", "key": d / f"{name}.key", "p12": d / f"{name}.p12"}

    make_leaf("client-good", "client-ca", "clientAuth")
    make_leaf("client-other-ca", "other-client-ca", "clientAuth")
    make_leaf("client-serverauth", "client-ca", "serverAuth")
    make_leaf("client-expired", "client-ca", "clientAuth", ("20240101000000Z", "20250101000000Z"))
    make_leaf("client-forged", "imposter-client-ca", "clientAuth")
    certs["client-ca"] = {"pem": d / "client-ca.pem"}
    return certs


# --------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------


class Server:
    """One server for one scenario; always stopped via close()."""

    def __init__(self, scn: Scenario, tmp: Path, pki: dict):
        self.scn, self.tmp, self.pki = scn, tmp, pki
        self.proc = None
        self.sock = None
        self.held = []
        self.port = None
        self.note = None
        self.error = None

    def start(self) -> bool:
        scn = self.scn
        if scn.server == "closed":
            self.port = free_port()
            return True
        if scn.server == "silent":
            self.sock = socket.socket()
            self.sock.bind((LOOPBACK, 0))
            self.sock.listen(16)
            self.port = self.sock.getsockname()[1]

            def hold():
                while True:
                    try:
                        conn, _ = self.sock.accept()
                    except OSError:
                        return
                    self.held.append(conn)  # never read, never answer

            threading.Thread(target=hold, daemon=True).start()
            return True
        if scn.server == "http":
            www = self.tmp / "www"
            www.mkdir(exist_ok=True)
            self.port = free_port()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "http.server", "--bind", LOOPBACK, "--directory", str(www), str(self.port)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            )
            if not wait_listening(self.port, self.proc):
                self.error = "http.server did not start"
                return False
            return True
        # openssl s_server serving a fixture chain.
        chain_dir = self.tmp / "chains" / scn.id
        chain_dir.mkdir(parents=True)
        pems = re.findall(
            r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n?",
            (FIXTURES / "chains" / f"{scn.fixture}.pem").read_text(),
            re.S,
        )
        (chain_dir / "leaf.pem").write_text(pems[0])
        cmd = ["openssl", "s_server", "-cert", str(chain_dir / "leaf.pem"),
               "-key", str(FIXTURES / "chains" / f"{scn.fixture}.key"), "-www", "-quiet"]
        if len(pems) > 1:
            (chain_dir / "rest.pem").write_text("".join(pems[1:]))
            cmd += ["-cert_chain", str(chain_dir / "rest.pem")]
        if scn.mtls:
            cmd += ["-Verify", "1", "-verify_return_error", "-CAfile", str(self.pki[scn.client_ca]["pem"])]
        cmd += scn.server_args
        if self._launch(cmd):
            return True
        if scn.weak_server:
            log = self.error
            if self._launch(cmd + ["-cipher", "DEFAULT@SECLEVEL=0"]):
                self.note = (
                    f"{scn.id}: openssl s_server refused the chain at its default security level "
                    f"({log}); served with -cipher DEFAULT@SECLEVEL=0"
                )
                return True
        return False

    def _launch(self, base_cmd) -> bool:
        self.port = free_port()
        cmd = base_cmd[:1] + [base_cmd[1], "-accept", f"{LOOPBACK}:{self.port}"] + base_cmd[2:]
        log = self.tmp / f"server-{self.scn.id}.log"
        with open(log, "wb") as f:
            self.proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if wait_listening(self.port, self.proc):
            return True
        stop(self.proc)
        self.proc = None
        text = log.read_text(errors="replace")
        errs = [ln for ln in text.splitlines() if ":error:" in ln or "error" in ln.lower()]
        self.error = normalise(" | ".join(errs[-2:]) or text.strip()[-300:], None, self.tmp)
        return False

    def close(self) -> None:
        stop(self.proc)
        if self.sock is not None:
            self.sock.close()
        for c in self.held:
            c.close()


# --------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------

REQUEST_TEMPLATE = "GET / HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n"


@dataclass
class Ctx:
    scn: Scenario
    port: int
    tmp: Path
    cert: dict | None  # client cert {"pem","key","p12"} or None


OPENSSL_ERR = re.compile(r"^(?:[0-9A-F]{6,16}|TID):error:")


class Client:
    name = ""
    can_timeout = True  # has an own timeout option for the silent server
    kill_after: float | None = None  # seconds before it is killed, if not CLIENT_KILL_AFTER

    def setup(self, tmp: Path) -> str | None:
        """Return None if usable, else a reason to skip it."""
        return None

    def version(self) -> str:
        return ""

    def command(self, c: Ctx):  # -> (cmd, stdin bytes|None, hold seconds)
        raise NotImplementedError

    def extract(self, out: str) -> list[str]:
        return [ln for ln in out.splitlines() if ln.strip()][-1:]

    def failed(self, rc: int, out: str) -> bool:
        return rc != 0

    def unsupported(self, c: Ctx) -> str | None:
        """Why this client cannot play the scenario as labelled, or None."""
        return None


class SClient(Client):
    name = "openssl-s_client"
    brief = False
    can_timeout = False

    def setup(self, tmp):
        return None if shutil.which("openssl") else "openssl not found"

    def version(self):
        return first_line(["openssl", "version"])

    def command(self, c):
        cmd = ["openssl", "s_client", "-connect", f"{LOOPBACK}:{c.port}", "-servername", c.scn.host,
               "-CAfile", str(ROOT_CA), "-verify_return_error", "-verify_hostname", c.scn.host]
        if self.brief:
            cmd.append("-brief")
        if c.cert:
            cmd += ["-cert", str(c.cert["pem"]), "-key", str(c.cert["key"])]
        if c.scn.mtls:
            # Send a request and keep reading: in TLS 1.3 the server's verdict
            # on the client cert arrives after the handshake.
            req = REQUEST_TEMPLATE.format(host=c.scn.host, port=c.port).encode()
            return cmd + ["-ign_eof"], req, 1.0
        return cmd, None, 0.0

    def extract(self, out):
        keep = []
        for ln in out.splitlines():
            s = ln.strip()
            if (s.startswith("verify error:") or OPENSSL_ERR.match(s) or s.startswith("connect:errno=")
                    or s.startswith("Verification error:") or s.startswith("write:errno=")
                    or s.startswith("read:errno=")):
                if s not in keep:
                    keep.append(s)
        return keep

    def failed(self, rc, out):
        return rc != 0 or bool(self.extract(out))


class SClientBrief(SClient):
    name = "openssl-s_client-brief"
    brief = True


class Curl(Client):
    name = "curl"

    def setup(self, tmp):
        return None if shutil.which("curl") else "curl not found"

    def version(self):
        return first_line(["curl", "--version"])

    def command(self, c):
        cmd = ["curl", "-sS", "-o", "/dev/null", "--cacert", str(ROOT_CA),
               "--resolve", f"{c.scn.host}:{c.port}:{LOOPBACK}", f"https://{c.scn.host}:{c.port}/"]
        if c.cert:
            cmd += ["--cert", str(c.cert["pem"]), "--key", str(c.cert["key"])]
        if c.scn.client_timeout:
            cmd += ["--connect-timeout", str(CLIENT_TIMEOUT)]
        return cmd, None, 0.0

    def extract(self, out):
        return [ln.strip() for ln in out.splitlines() if ln.startswith("curl: (")]


class Python(Client):
    mode = "ssl"

    @property
    def name(self):
        return f"python-{self.mode}"

    def version(self):
        import platform
        import ssl

        return f"Python {platform.python_version()} ({ssl.OPENSSL_VERSION})"

    def command(self, c):
        cmd = [sys.executable, str(HERE / "python_client.py"), self.mode, c.scn.host, str(c.port), str(ROOT_CA)]
        if c.cert:
            cmd += ["--cert", str(c.cert["pem"]), "--key", str(c.cert["key"])]
        if c.scn.client_timeout:
            cmd += ["--timeout", str(CLIENT_TIMEOUT)]
        return cmd, None, 0.0


class PythonSsl(Python):
    mode = "ssl"


class PythonUrllib(Python):
    mode = "urllib"


class PythonRequests(Python):
    mode = "requests"

    def setup(self, tmp):
        r = subprocess.run([sys.executable, "-c", "import requests, urllib3"], capture_output=True)
        return None if r.returncode == 0 else "requests not installed (pip install requests)"

    def version(self):
        v = subprocess.run(
            [sys.executable, "-c", "import requests, urllib3; print(requests.__version__, urllib3.__version__)"],
            capture_output=True, text=True,
        ).stdout.split()
        return f"requests {v[0]} / urllib3 {v[1]} / {super().version()}"


class Node(Client):
    name = "node-https"

    def setup(self, tmp):
        return None if shutil.which("node") else "node not found"

    def version(self):
        return first_line(["node", "-p", "'node ' + process.version + ' (OpenSSL ' + process.versions.openssl + ')'"])

    def command(self, c):
        cmd = ["node", str(HERE / "node_client.js"), c.scn.host, str(c.port), str(ROOT_CA)]
        cmd += [str(c.cert["pem"]), str(c.cert["key"])] if c.cert else ["-", "-"]
        if c.scn.client_timeout:
            cmd.append(str(CLIENT_TIMEOUT * 1000))
        return cmd, None, 0.0

    def extract(self, out):
        lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
        return lines[-2:]


class Java(Client):
    name = "java"

    def setup(self, tmp):
        for tool in ("java", "javac", "keytool"):
            if not shutil.which(tool):
                return f"{tool} not found"
        self.dir = tmp / "java"
        self.dir.mkdir()
        r = subprocess.run(["javac", "-d", str(self.dir), str(HERE / "JavaClient.java")],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            return "javac failed: " + r.stderr.strip()[-300:]
        self.trust = self.dir / "trust.p12"
        r = subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "tlsdoctor-test-root",
                            "-file", str(ROOT_CA), "-keystore", str(self.trust), "-storetype", "PKCS12",
                            "-storepass", "changeit"], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            return "keytool failed: " + r.stderr.strip()[-300:]
        return None

    def version(self):
        return first_line(["java", "-version"])

    def command(self, c):
        cmd = ["java", "-cp", str(self.dir), "JavaClient", c.scn.host, str(c.port), str(self.trust),
               str(c.cert["p12"]) if c.cert else "-"]
        if c.scn.client_timeout:
            cmd.append(str(CLIENT_TIMEOUT * 1000))
        return cmd, None, 0.0

    def extract(self, out):
        lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
        start = max((i for i, ln in enumerate(lines) if not ln.startswith("Caused by:")), default=0)
        return lines[start:]


class Gnutls(Client):
    name = "gnutls-cli"
    can_timeout = False

    def setup(self, tmp):
        return None if shutil.which("gnutls-cli") else "gnutls-cli not found (apt-get install gnutls-bin)"

    def version(self):
        return first_line(["gnutls-cli", "--version"])

    def command(self, c):
        cmd = ["gnutls-cli", "--x509cafile", str(ROOT_CA), "-p", str(c.port), LOOPBACK,
               "--sni-hostname", c.scn.host, "--verify-hostname", c.scn.host]
        if c.cert:
            cmd += ["--x509certfile", str(c.cert["pem"]), "--x509keyfile", str(c.cert["key"])]
        if c.scn.mtls:
            return cmd, REQUEST_TEMPLATE.format(host=c.scn.host, port=c.port).encode(), 1.0
        return cmd, None, 0.0

    def extract(self, out):
        keep = []
        for ln in out.splitlines():
            s = ln.strip()
            if (s.startswith("*** ") or (s.startswith("- Status:") and "NOT" in s) or s.startswith("|<")
                    or "Connection refused" in s):
                if s not in keep:
                    keep.append(s)
        return keep

    def failed(self, rc, out):
        return rc != 0 or any(ln.startswith("*** ") for ln in self.extract(out))


class Go(Client):
    name = "go-net-http"

    def setup(self, tmp):
        if not shutil.which("go"):
            return "go not found (apt-get install golang-go)"
        self.bin = tmp / "go_client"
        env = dict(os.environ, GO111MODULE="off", CGO_ENABLED="0")
        r = subprocess.run(["go", "build", "-o", str(self.bin), str(HERE / "go_client.go")],
                           capture_output=True, text=True, timeout=600, env=env, cwd=tmp)
        if r.returncode != 0:
            return "go build failed: " + r.stderr.strip()[-300:]
        return None

    def version(self):
        return first_line(["go", "version"])

    def command(self, c):
        cmd = [str(self.bin), "-host", c.scn.host, "-port", str(c.port), "-cafile", str(ROOT_CA)]
        if c.cert:
            cmd += ["-cert", str(c.cert["pem"]), "-key", str(c.cert["key"])]
        if c.scn.client_timeout:
            cmd += ["-timeout", f"{CLIENT_TIMEOUT}s"]
        return cmd, None, 0.0


class Firefox(Client):
    """Headless Firefox ESR over Marionette (firefox_client.py); the message is the code its
    error page shows, as a user reads and pastes it."""

    name = "firefox"
    can_timeout = False  # its page-load timeout leaves no error page to read
    kill_after = 40.0  # a browser start takes seconds

    def setup(self, tmp):
        missing = [p for p in ("firefox-esr", "certutil") if not shutil.which(p)]
        if missing:
            return f"{', '.join(missing)} not found (apt-get install firefox-esr libnss3-tools)"
        self.profile = tmp / "firefox-profile"
        self.profile.mkdir()
        for cmd in (["certutil", "-d", f"sql:{self.profile}", "-N", "--empty-password"],
                    ["certutil", "-d", f"sql:{self.profile}", "-A", "-t", "C,,", "-n", "root",
                     "-i", str(ROOT_CA)]):
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                return f"certutil failed: {(r.stderr or r.stdout).strip()[-300:]}"
        return None

    def version(self):
        return first_line(["firefox-esr", "--version"])

    def command(self, c):
        cmd = [sys.executable, str(HERE / "firefox_client.py"), f"https://{c.scn.host}:{c.port}/",
               "--profile-template", str(self.profile), "--local-domains", c.scn.host]
        return cmd, None, 0.0

    def extract(self, out):
        return [ln.strip() for ln in out.splitlines() if ln.strip()]

    def failed(self, rc, out):
        return rc != 0

    def unsupported(self, c):
        if c.cert:
            return "the profile holds no client certificate to present"
        return None


CLIENTS = [SClient, SClientBrief, Curl, PythonSsl, PythonUrllib, PythonRequests, Node, Java, Gnutls, Go,
           Firefox]


# --------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------


def normalise(text: str, port: int | None, tmp: Path) -> str:
    for path in sorted({str(tmp), os.path.realpath(tmp)}, key=len, reverse=True):
        text = text.replace(path, "TMP")
    text = text.replace(str(REPO), "REPO")
    if port is not None:
        text = re.sub(rf"(?<![0-9A-Za-z]){port}(?![0-9A-Za-z])", "PORT", text)
    text = re.sub(r"(?<![0-9A-Za-z])[0-9A-F]{6,16}(?=:error:)", "TID", text)
    return text


def main() -> int:
    if not shutil.which("openssl"):
        print("openssl is required (servers and throwaway certificates)", file=sys.stderr)
        return 1
    result = {"generated_with": {}, "messages": [], "accepted": [], "skipped": [], "notes": []}
    tmp = Path(tempfile.mkdtemp(prefix="tlsdoctor-client-errors-"))
    try:
        pki = make_client_pki(tmp)
        clients = []
        for cls in CLIENTS:
            client = cls()
            reason = client.setup(tmp)
            if reason:
                result["skipped"].append({"client": client.name, "reason": normalise(reason, None, tmp)})
                print(f"skip client {client.name}: {reason}", file=sys.stderr)
                continue
            result["generated_with"][client.name] = client.version()
            clients.append(client)

        all_scenarios = scenarios()
        for scn in all_scenarios:
            server = Server(scn, tmp, pki)
            try:
                if not server.start():
                    result["skipped"].append({"scenario": scn.id, "reason": f"server did not start: {server.error}"})
                    print(f"skip scenario {scn.id}: {server.error}", file=sys.stderr)
                    continue
                if server.note:
                    result["notes"].append(server.note)
                for client in clients:
                    if scn.client_timeout and not client.can_timeout:
                        result["skipped"].append({
                            "client": client.name, "scenario": scn.id,
                            "reason": "client has no timeout option of its own; it would wait forever",
                        })
                        continue
                    ctx = Ctx(scn, server.port, tmp, pki.get(scn.client_cert) if scn.client_cert else None)
                    why = client.unsupported(ctx)
                    if why:
                        result["skipped"].append({"client": client.name, "scenario": scn.id, "reason": why})
                        continue
                    cmd, stdin, hold = client.command(ctx)
                    rc, out = run(cmd, stdin=stdin, hold_stdin=hold, cwd=tmp, kill_after=client.kill_after)
                    out = normalise(out, server.port, tmp)
                    status = record(result, client, scn, rc, out)
                    print(f"{scn.id:40} {client.name:24} {status}", file=sys.stderr)
            finally:
                server.close()
        result["scenarios"] = {
            s.id: {"fixture": s.fixture, "cause": s.cause, "description": s.description} for s in all_scenarios
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def key(e):
        return (e.get("client", ""), e.get("fixture") or "", e.get("scenario", ""))

    result["messages"].sort(key=key)
    result["accepted"].sort(key=key)
    result["skipped"].sort(key=key)
    result["generated_with"] = dict(sorted(result["generated_with"].items()))
    ordered = {k: result[k] for k in ("generated_with", "messages", "accepted", "skipped", "notes", "scenarios")}
    OUTPUT.write_text(json.dumps(ordered, indent=2, ensure_ascii=False) + "\n")
    update_readme_counts(ordered)
    print(f"wrote {OUTPUT.relative_to(REPO)}: {len(result['messages'])} messages, "
          f"{len(result['accepted'])} accepted, {len(result['skipped'])} skipped", file=sys.stderr)
    return 0


def update_readme_counts(result) -> None:
    """Rewrite the per-client table between the markers in README.md."""
    readme = HERE / "README.md"
    if not readme.exists():
        return
    begin, end = "<!-- counts:begin -->", "<!-- counts:end -->"
    text = readme.read_text()
    if begin not in text or end not in text:
        return
    rows = ["| client | version | messages | accepted (did not fail) |", "|---|---|---:|---:|"]
    for name, version in result["generated_with"].items():
        n = sum(1 for m in result["messages"] if m["client"] == name)
        a = sum(1 for m in result["accepted"] if m["client"] == name)
        rows.append(f"| {name} | {version.split(' (x86_64')[0]} | {n} | {a} |")
    rows.append(f"| **total** | | **{len(result['messages'])}** | **{len(result['accepted'])}** |")
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    readme.write_text(head + begin + "\n" + "\n".join(rows) + "\n" + end + tail)


def record(result, client, scn, rc, out) -> str:
    base = {"client": client.name, "fixture": scn.fixture, "scenario": scn.id}
    if rc is None:
        result["skipped"].append(dict(base, reason=f"client still running after {CLIENT_KILL_AFTER:g} s; killed"))
        return "HUNG"
    if not client.failed(rc, out):
        result["accepted"].append(base)
        return "accepted"
    lines = client.extract(out)
    if scn.cause is None:
        result["skipped"].append(dict(base, reason="control scenario failed: " + " / ".join(lines or out.split("\n")[-3:])))
        return "CONTROL FAILED"
    if not lines:
        lines = [ln for ln in out.splitlines() if ln.strip()][-3:]
        result["notes"].append(f"{client.name}/{scn.id}: no error line recognised; kept the last output lines")
    result["messages"].append({
        "client": client.name,
        "client_version": result["generated_with"][client.name],
        "scenario": scn.id,
        "fixture": scn.fixture,
        "cause": scn.cause,
        "exit_code": rc,
        "message": "\n".join(lines),
    })
    return f"rc={rc} {lines[-1][:100] if lines else ''}"


if __name__ == "__main__":
    sys.exit(main())
