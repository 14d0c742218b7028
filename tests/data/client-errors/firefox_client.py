#!/usr/bin/env python3
"""Load one https URL in headless Firefox and say whether the page loaded.

    firefox_client.py URL --profile-template DIR [--local-domains ok.test] [--timeout 25]

Firefox is driven over Marionette, its own remote protocol (length-prefixed JSON on a loopback
port; standard library only, no geckodriver). Each run starts from a fresh copy of
`--profile-template`, a profile directory whose NSS database (cert9.db) already holds the
roots to trust, so nothing one run learns (intermediates, HSTS, session tickets) reaches the
next. Prints `connected` and exits 0, or prints what Firefox's error page tells the user and
exits 1: `Error code: CODE` as the page shows it (`SEC_ERROR_UNKNOWN_ISSUER`,
`SSL_ERROR_NO_CYPHER_OVERLAP`, ...), or the page's description where it has no code (a
refused connection). Nothing but loopback is dialled.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

# Quiet, offline-safe settings that leave certificate and TLS policy at Firefox's defaults:
# no update, telemetry or captive-portal traffic (Marionette's own recommended preferences
# already turn off most background requests).
PREFS = {
    "app.update.disabledForTesting": True,
    "browser.shell.checkDefaultBrowser": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "toolkit.telemetry.enabled": False,
}

# What the error page tells the user: the error code it shows (certificate errors, then TLS
# errors), else its description (a refused connection has no code, only "Firefox can't
# establish a connection to the server at ..."), else its error id.
ERROR_CODE = """
for (const get of ['getFailedCertSecurityInfo', 'getNetErrorInfo']) {
  try {
    const info = document[get] && document[get]();
    if (info && info.errorCodeString) return 'Error code: ' + info.errorCodeString;
  } catch (e) {}
}
const params = new URL(document.documentURI).searchParams;
return (params.get('d') || '').trim() || params.get('e') || document.documentURI;
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Marionette:
    def __init__(self, port: int, deadline: float):
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.time() > deadline:
                    raise TimeoutError("Firefox did not open its Marionette port")
                time.sleep(0.2)
        self.sock.settimeout(max(1.0, deadline - time.time()))
        self.next_id = 0
        self.read()  # the greeting

    def read(self):
        head = b""
        while not head.endswith(b":"):
            byte = self.sock.recv(1)
            if not byte:
                raise ConnectionError("Marionette closed the connection")
            head += byte
        size = int(head[:-1])
        body = b""
        while len(body) < size:
            chunk = self.sock.recv(size - len(body))
            if not chunk:
                raise ConnectionError("Marionette closed the connection")
            body += chunk
        return json.loads(body)

    def call(self, name: str, params: dict):
        """(error or None, value) of one command."""
        self.next_id += 1
        data = json.dumps([0, self.next_id, name, params]).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        _, _, error, result = self.read()
        return error, result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--profile-template", required=True)
    parser.add_argument("--local-domains", default="", help="names Firefox resolves to loopback")
    parser.add_argument("--timeout", type=float, default=25.0)
    args = parser.parse_args()

    profile = tempfile.mkdtemp(prefix="firefox-profile-")
    shutil.copytree(args.profile_template, profile, dirs_exist_ok=True)
    port = free_port()
    prefs = dict(PREFS, **{"marionette.port": port})
    if args.local_domains:
        prefs["network.dns.localDomains"] = args.local_domains
    with open(os.path.join(profile, "user.js"), "a") as f:
        for key, value in prefs.items():
            f.write(f"user_pref({json.dumps(key)}, {json.dumps(value)});\n")
    # Firefox stays in this process's group, so a harness that ends the group ends it too; a
    # plain SIGTERM to this script still runs the cleanup below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    firefox = subprocess.Popen(
        ["firefox-esr", "--headless", "--marionette", "--no-remote", "--profile", profile],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        session = Marionette(port, time.time() + args.timeout)
        page_load = int(args.timeout * 1000)
        error, _ = session.call("WebDriver:NewSession",
                                {"capabilities": {"alwaysMatch": {"timeouts": {"pageLoad": page_load}}}})
        if error:
            print(f"Marionette: {error.get('error')}: {error.get('message')}")
            return 2
        error, _ = session.call("WebDriver:Navigate", {"url": args.url})
        if error is None:
            print("connected")
            return 0
        _, result = session.call("WebDriver:ExecuteScript", {"script": ERROR_CODE, "args": []})
        print((result or {}).get("value") or f"Marionette: {error.get('error')}")
        return 1
    finally:
        firefox.terminate()
        try:
            firefox.wait(10)
        except subprocess.TimeoutExpired:
            firefox.kill()
            firefox.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
