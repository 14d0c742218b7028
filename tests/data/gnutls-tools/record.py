#!/usr/bin/env python3
"""Record what git and apt (both GnuTLS on Debian) print for each TLS failure.

What it does
    Runs the scenarios of ../client-errors/record.py (the fixture chains served
    by ``openssl s_server``, closed ports, plain HTTP, old protocols, mutual
    TLS) against two programs that reach TLS through GnuTLS on Debian and
    Ubuntu: ``git ls-remote`` (git-remote-https over libcurl-gnutls) and apt's
    https method (``apt-helper download-file``). It writes ``messages.json`` in
    the same shape as ../client-errors/messages.json.

    This is a held-out corpus: it was recorded, and explain measured on it,
    before any rule was written from it (docs/explain-corpus.md gives both
    figures).

What it needs
    python3, openssl, git; apt-helper, ``unshare`` and root for apt (apt has no
    option to resolve a name to 127.0.0.1, so it runs in a private mount
    namespace whose /etc/hosts maps the scenario's name there). A program that
    is missing is listed under ``skipped``.

How to regenerate
    python3 tests/data/gnutls-tools/record.py

Network
    Only loopback.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "messages.json"
APT_HELPER = "/usr/lib/apt/apt-helper"


def _load_shared():
    spec = importlib.util.spec_from_file_location("client_errors_record", HERE.parent / "client-errors" / "record.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


shared = _load_shared()


class Git(shared.Client):
    name = "git"
    can_timeout = False

    def setup(self, tmp):
        return None if shutil.which("git") else "git not found"

    def version(self):
        return shared.first_line(["git", "--version"])

    def command(self, c):
        # The environment, not `-c http.sslCAInfo`: git 2.47 over libcurl-gnutls kept the system
        # bundle with the latter.
        cmd = ["env", f"GIT_SSL_CAINFO={shared.ROOT_CA}"]
        if c.cert:
            cmd += [f"GIT_SSL_CERT={c.cert['pem']}", f"GIT_SSL_KEY={c.cert['key']}"]
        cmd += ["git", "-c", f"http.curloptResolve={c.scn.host}:{c.port}:{shared.LOOPBACK}",
                "ls-remote", f"https://{c.scn.host}:{c.port}/repo.git"]
        return cmd, None, 0.0

    def extract(self, out):
        return [ln.strip() for ln in out.splitlines() if ln.startswith(("fatal:", "error:", "warning:"))]

    def failed(self, rc, out):
        # s_server's status page is no git repository: only a TLS or connection error counts.
        return rc != 0 and not any("not found" in ln or "not valid: is this a git repository" in ln
                                   or "dumb http transport" in ln.lower() for ln in out.splitlines())


class Apt(shared.Client):
    name = "apt"
    can_timeout = False

    def setup(self, tmp):
        if not os.path.exists(APT_HELPER):
            return "apt-helper not found"
        if os.geteuid() != 0 or not shutil.which("unshare"):
            return "needs root and unshare for a private /etc/hosts"
        self.hosts = tmp / "hosts"
        self.hosts.write_text(f"127.0.0.1 localhost\n{shared.LOOPBACK} ok.test other.test\n")
        return None

    def version(self):
        return shared.first_line(["apt-get", "--version"])

    def command(self, c):
        opts = ["-o", f"Acquire::https::CaInfo={shared.ROOT_CA}", "-o", "Acquire::Retries=0"]
        if c.cert:
            opts += ["-o", f"Acquire::https::SslCert={c.cert['pem']}", "-o", f"Acquire::https::SslKey={c.cert['key']}"]
        target = c.tmp / "apt-download"
        inner = " ".join([APT_HELPER, *opts, "download-file", f"https://{c.scn.host}:{c.port}/index", str(target)])
        script = f"mount --bind {self.hosts} /etc/hosts && exec {inner}"
        return ["unshare", "-m", "sh", "-c", script], None, 0.0

    def extract(self, out):
        # "E: Failed to fetch URL  <why>" says why; "Err:1 URL" and "E: Download Failed" do not.
        return [ln.strip() for ln in out.splitlines()
                if ln.strip().startswith("E:") and "Download Failed" not in ln] or \
            [ln.strip() for ln in out.splitlines() if ln.strip().startswith(("E:", "Err:"))]

    def failed(self, rc, out):
        # s_server's page is not the file asked for: a control that reached it is no failure.
        return rc != 0 and not any("Hash Sum mismatch" in ln or "404" in ln for ln in out.splitlines())


def main() -> int:
    shared.CLIENTS = [Git, Apt]
    shared.OUTPUT = OUTPUT
    readme_counts = shared.update_readme_counts
    shared.update_readme_counts = lambda result: None
    try:
        return shared.main()
    finally:
        shared.update_readme_counts = readme_counts


if __name__ == "__main__":
    sys.exit(main())
