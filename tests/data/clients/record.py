#!/usr/bin/env python3
"""Record which real TLS clients connect to which server configurations.

What it does
    Makes a throwaway PKI with the ``openssl`` CLI (a root, an intermediate and
    one leaf per configuration, for ``localhost``, valid from yesterday to 30
    days ahead), then for every configuration in ``servers.json`` starts
    ``openssl s_server`` on 127.0.0.1 and runs every installed client of
    ``clients.json`` against ``https://localhost:PORT/``, each trusting only the
    throwaway root and killed after a few seconds. It writes ``outcomes.json``
    (client versions, configurations, the outcome matrix with each failure's
    error text) and the tables in ``README.md`` between their markers.

    With ``--tlsdoctor BINARY`` it also runs ``BINARY check localhost:PORT
    --ca-file root.pem --format json`` against every configuration and records
    its single verdict beside the matrix, for comparison.

What it needs
    python3 (standard library only) and openssl; each client is optional and
    recorded as skipped when a program it requires is missing. The client
    programs and process helpers are shared with ../client-errors/record.py.

How to regenerate
    cargo build --bin tlsdoctor
    python3 tests/data/clients/record.py --tlsdoctor target/debug/tlsdoctor

Network
    Only loopback: servers bind 127.0.0.1 and clients dial localhost.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
PROGRAMS = HERE.parent / "client-errors"
SERVERS = HERE / "servers.json"
CLIENTS = HERE / "clients.json"
OUTPUT = HERE / "outcomes.json"
README = HERE / "README.md"
LOOPBACK = "127.0.0.1"
SERVERS_AT_ONCE = 3  # configurations recorded concurrently; clients of one server run one by one


def _load_shared():
    """The helpers of the error-message recorder (free_port, wait_listening, run, stop, first_line)."""
    spec = importlib.util.spec_from_file_location("client_errors_record", PROGRAMS / "record.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


shared = _load_shared()


# --------------------------------------------------------------------------
# Throwaway PKI
# --------------------------------------------------------------------------


def merged(default: dict, override: dict | None) -> dict:
    """A certificate spec: the default with the override's fields replaced.

    Inside ``extensions`` a key replaces that extension and None removes it."""
    spec = dict(default)
    for key, value in (override or {}).items():
        if key == "extensions":
            ext = dict(default["extensions"])
            ext.update(value)
            spec["extensions"] = {k: v for k, v in ext.items() if v is not None}
        else:
            spec[key] = value
    return spec


def openssl_time(t: datetime.datetime) -> str:
    return t.strftime("%Y%m%d%H%M%SZ")


class Pki:
    """The root, the intermediates and one leaf per configuration, under ``dir``."""

    def __init__(self, dir: Path, servers: dict):
        self.dir = dir
        pki = servers["pki"]
        now = datetime.datetime.now(datetime.timezone.utc)
        self.start = openssl_time(now - datetime.timedelta(days=pki["validity_days_before"]))
        self.end = openssl_time(now + datetime.timedelta(days=pki["validity_days_after"]))
        dir.mkdir(parents=True, exist_ok=True)
        (dir / "ca.cnf").write_text(pki["ca_config"])
        (dir / "index.txt").touch()
        self.make("root", pki["root"], None)
        self.root = dir / "root.pem"
        self.make("intermediate", pki["intermediate"], "root")
        self.served = {}  # configuration id -> (leaf.pem, leaf.key, chain.pem | None)
        for config in servers["configurations"]:
            self.make_for(config, pki)

    def make(self, name: str, spec: dict, issuer: str | None) -> None:
        d = self.dir

        def openssl(*args):
            r = subprocess.run(["openssl", *args], cwd=d, capture_output=True, text=True, timeout=120)
            if r.returncode != 0:
                raise RuntimeError(f"openssl {args[0]} for {name}: {r.stderr.strip()[-400:]}")

        openssl("genpkey", *spec["key"], "-out", f"{name}.key")
        openssl("req", "-new", "-key", f"{name}.key", "-subj", spec["subject"], "-out", f"{name}.csr")
        (d / f"{name}.ext").write_text("".join(f"{k} = {v}\n" for k, v in spec["extensions"].items()))
        signer = ["-selfsign", "-keyfile", f"{name}.key"] if issuer is None else [
            "-cert", f"{issuer}.pem", "-keyfile", f"{issuer}.key"]
        openssl("ca", "-config", "ca.cnf", "-batch", "-notext", *signer, "-in", f"{name}.csr",
                "-out", f"{name}.pem", "-md", spec["md"], "-startdate", self.start, "-enddate", self.end,
                "-extfile", f"{name}.ext")

    def make_for(self, config: dict, pki: dict) -> None:
        cid = config["id"]
        intermediate = "intermediate"
        if "intermediate" in config:
            intermediate = f"{cid}.intermediate"
            self.make(intermediate, merged(pki["intermediate"], config["intermediate"]), "root")
        leaf = f"{cid}.leaf"
        self.make(leaf, merged(pki["leaf"], config.get("leaf")), intermediate)
        files = {"leaf": leaf, "intermediate": intermediate, "root": "root"}
        rest = [files[part] for part in config.get("send", pki["send"])[1:]]
        chain = None
        if rest:
            chain = self.dir / f"{cid}.chain.pem"
            chain.write_text("".join((self.dir / f"{n}.pem").read_text() for n in rest))
        self.served[cid] = (self.dir / f"{leaf}.pem", self.dir / f"{leaf}.key", chain)


class Server:
    """``openssl s_server`` for one configuration on a free loopback port; always close()d."""

    def __init__(self, pki: Pki, config: dict, logs: Path):
        leaf, key, chain = pki.served[config["id"]]
        self.port = shared.free_port()
        cmd = ["openssl", "s_server", "-accept", f"{LOOPBACK}:{self.port}", "-cert", str(leaf), "-key", str(key)]
        if chain:
            cmd += ["-cert_chain", str(chain)]
        cmd += ["-www", "-quiet", *(arg.replace("{data}", str(HERE)) for arg in config["s_server"])]
        self.log = logs / f"server-{config['id']}.log"
        with open(self.log, "wb") as f:
            self.proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if not shared.wait_listening(self.port, self.proc):
            self.close()
            raise RuntimeError(f"s_server for {config['id']} did not start: {self.log.read_text()[-400:]}")

    def close(self) -> None:
        shared.stop(self.proc)


# --------------------------------------------------------------------------
# Clients, as clients.json describes them
# --------------------------------------------------------------------------


class Client:
    def __init__(self, spec: dict, root: Path, work: Path):
        self.spec, self.id, self.root, self.work = spec, spec["id"], root, work / spec["id"]

    def fill(self, arg: str, port: int | None = None, run_dir: Path | None = None) -> str:
        return (arg.replace("{root}", str(self.root)).replace("{work}", str(self.work))
                .replace("{programs}", str(PROGRAMS)).replace("{port}", str(port))
                .replace("{run}", str(run_dir)))

    def missing(self) -> list[str]:
        return [p for p in self.spec["requires"] if not shutil.which(p)]

    def version(self) -> str:
        return " / ".join(v for v in (shared.first_line(cmd) for cmd in self.spec["version"]) if v)

    def setup(self) -> str | None:
        """Prepare the scratch directory; return None, or why the client cannot run."""
        self.work.mkdir(parents=True)
        env = dict(os.environ, **self.spec.get("setup_env", {}))
        for cmd in self.spec["setup"]:
            r = subprocess.run([self.fill(a) for a in cmd], cwd=self.work, env=env,
                               capture_output=True, text=True, timeout=600)
            if r.returncode != 0:
                return f"{cmd[0]} failed: {(r.stderr or r.stdout).strip()[-300:]}"
        return None

    def connect(self, port: int, run_dir: Path) -> tuple[bool, str | None]:
        """Run the client once against the server on `port`: (connected, error text)."""
        run_dir.mkdir(parents=True)
        env = dict(os.environ, **{k: self.fill(v) for k, v in self.spec["env"].items()})
        cmd = [self.fill(a, port, run_dir) for a in self.spec["run"]]
        rc, out = shared.run(cmd, cwd=run_dir, env=env, kill_after=self.spec["kill_after_seconds"])
        lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
        failed_if = self.spec["failed_if"]
        failed = rc != 0 or (failed_if is not None and any(re.search(failed_if, ln) for ln in lines))
        if not failed:
            return True, None
        if rc is None:
            return False, f"still running after {self.spec['kill_after_seconds']} s; killed"
        return False, error_text(lines, self.spec["error_lines"], port, [run_dir, self.work, self.root.parent])


def error_text(lines: list[str], pattern: str, port: int, dirs: list[Path]) -> str:
    """The lines matching `pattern` (after the last `] ` of a Chromium log prefix), normalised."""
    keep = []
    for ln in lines:
        if re.search(pattern, ln):
            ln = re.sub(r"^\[[^\]]*\] ", "", ln)
            if ln not in keep:
                keep.append(ln)
    text = "\n".join(keep or lines[-1:])
    for d in dirs:
        text = shared.normalise(text, port, d)  # TMP, REPO, PORT and OpenSSL's thread id TID
    return text


def tlsdoctor_verdict(binary: str, port: int, root: Path) -> str:
    r = subprocess.run([binary, "check", f"localhost:{port}", "--ca-file", str(root), "--format", "json"],
                       capture_output=True, text=True, timeout=60)
    try:
        return json.loads(r.stdout)["targets"][0]["verdict"]
    except (ValueError, KeyError, IndexError):
        return f"no JSON (exit {r.returncode})"


# --------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------


def record_config(config, pki, clients, tmp, tlsdoctor):
    """Every client against one configuration's server: {client: outcome}, verdict."""
    server = Server(pki, config, tmp)
    try:
        row = {}
        for client in clients:
            connected, error = client.connect(server.port, tmp / "runs" / f"{config['id']}-{client.id}")
            row[client.id] = {"connected": connected, "error": error}
            print(f"{config['id']:26} {client.id:14} {'connected' if connected else error.splitlines()[-1][:90]}",
                  file=sys.stderr)
        verdict = tlsdoctor_verdict(tlsdoctor, server.port, pki.root) if tlsdoctor else None
        return row, verdict
    finally:
        server.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tlsdoctor", help="a tlsdoctor binary whose single verdict is recorded beside the matrix")
    args = parser.parse_args()
    if not shutil.which("openssl"):
        print("openssl is required", file=sys.stderr)
        return 1
    servers = json.loads(SERVERS.read_text())
    client_specs = json.loads(CLIENTS.read_text())["clients"]
    tmp = Path(tempfile.mkdtemp(prefix="tlsdoctor-clients-"))
    try:
        pki = Pki(tmp / "pki", servers)
        clients, versions, skipped = [], {}, []
        for spec in client_specs:
            client = Client(spec, pki.root, tmp / "clients")
            missing = client.missing()
            reason = f"not installed ({', '.join(missing)} missing)" if missing else client.setup()
            if reason:
                skipped.append({"client": client.id, "reason": reason})
                print(f"skip {client.id}: {reason}", file=sys.stderr)
                continue
            versions[client.id] = {"version": client.version(), "run_with": spec["description"]}
            clients.append(client)
        configs = servers["configurations"]
        with concurrent.futures.ThreadPoolExecutor(SERVERS_AT_ONCE) as pool:
            results = list(pool.map(lambda c: record_config(c, pki, clients, tmp, args.tlsdoctor), configs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    outcomes = {c["id"]: row for c, (row, _) in zip(configs, results)}
    result = {
        "about": "Which real clients connected to which server configuration (servers.json), each run as "
                 "clients.json says, trusting only a throwaway root. Generated by record.py; do not edit.",
        "recorded": datetime.date.today().isoformat(),
        "clients": versions,
        "skipped": skipped,
        "configurations": {c["id"]: {"description": c["description"], "s_server": c["s_server"]} for c in configs},
        "outcomes": outcomes,
    }
    if args.tlsdoctor:
        result["tlsdoctor"] = {
            "version": shared.first_line([args.tlsdoctor, "--version"]),
            "command": "tlsdoctor check localhost:PORT --ca-file root.pem --format json",
            "verdicts": {c["id"]: v for c, (_, v) in zip(configs, results)},
        }
    OUTPUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    update_readme(result)
    failures = sum(1 for row in outcomes.values() for o in row.values() if not o["connected"])
    total = sum(len(row) for row in outcomes.values())
    print(f"wrote {OUTPUT.relative_to(REPO)}: {failures} of {total} outcomes are failures", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------
# README tables
# --------------------------------------------------------------------------


def replace_between(text: str, name: str, body: str) -> str:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if begin not in text or end not in text:
        return text
    head, rest = text.split(begin, 1)
    return head + begin + "\n" + body + "\n" + end + rest.split(end, 1)[1]


def update_readme(result: dict) -> None:
    if not README.exists():
        return
    clients = list(result["clients"])
    outcomes = result["outcomes"]
    versions = ["| client | version (TLS library) |", "|---|---|"]
    versions += [f"| {c} | {v['version']} |" for c, v in result["clients"].items()]
    versions += [f"| {s['client']} | skipped: {s['reason']} |" for s in result["skipped"]]

    verdicts = result.get("tlsdoctor", {}).get("verdicts", {})
    head = "| configuration | " + " | ".join(clients) + " |" + (" tlsdoctor today |" if verdicts else "")
    rule = "|---|" + "---|" * len(clients) + ("---|" if verdicts else "")
    matrix = [head, rule]
    for cid, row in outcomes.items():
        cells = ["✓" if row[c]["connected"] else "✗" for c in clients]
        matrix.append(f"| {cid} | " + " | ".join(cells) + " |" + (f" {verdicts[cid]} |" if verdicts else ""))
    failures = sum(1 for row in outcomes.values() for c in clients if not row[c]["connected"])
    total = len(outcomes) * len(clients)
    summary = [f"{failures} of {total} (client, configuration) outcomes are failures."]
    if verdicts:
        agree = sum(
            1 for cid, row in outcomes.items() for c in clients
            if row[c]["connected"] == (verdicts[cid] in ("ok", "warning"))
        )
        summary.append(
            f"tlsdoctor's single verdict (connected ⇔ `ok` or `warning`) agrees with {agree} of {total} "
            f"real outcomes ({100 * agree / total:.0f} %); {result['tlsdoctor']['version']}."
        )
    text = README.read_text()
    text = replace_between(text, "versions", "\n".join(versions))
    text = replace_between(text, "matrix", "\n".join(matrix))
    text = replace_between(text, "summary", "\n".join(summary))
    README.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
