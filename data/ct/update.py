#!/usr/bin/env python3
"""Regenerates data/ct/log_list.json and data/ct/source.toml from a Chromium source tree.

A maintainer's command, run when the bundled list is refreshed; tlsdoctor never downloads a log
list at run time. The input is Chromium's own copy of Chrome's CT log list (v3 schema), the file
components/certificate_transparency/data/log_list.json, taken from either an unpacked source tree
or a source tarball (e.g. Debian's chromium_VERSION.orig.tar.xz).

    data/ct/update.py PATH-TO-CHROMIUM-TREE-OR-TARBALL [--chromium-version 150.0.7871.100]

The Chromium version is read from chrome/VERSION when the tree has it, else from the name of the
tree or tarball (chromium-150.0.7871.100, chromium_150.0.7871.100.orig.tar.xz), else it must be
given. The list's own version and log_list_timestamp are recorded beside it in source.toml, and
`cargo test ct_log_list` checks the data afterwards.
"""

import argparse
import base64
import hashlib
import json
import pathlib
import re
import sys
import tarfile

MEMBER = "components/certificate_transparency/data/log_list.json"
HERE = pathlib.Path(__file__).resolve().parent


def read_tree(path: pathlib.Path):
    data = (path / MEMBER).read_bytes()
    version = None
    version_file = path / "chrome" / "VERSION"
    if version_file.exists():
        parts = dict(
            line.split("=", 1)
            for line in version_file.read_text().split()
            if "=" in line
        )
        version = ".".join(parts[k] for k in ("MAJOR", "MINOR", "BUILD", "PATCH"))
    return data, version


def read_tarball(path: pathlib.Path):
    with tarfile.open(path) as tar:
        data = version = None
        for member in tar:
            name = member.name.split("/", 1)[-1]
            if name == MEMBER:
                data = tar.extractfile(member).read()
            elif name == "chrome/VERSION":
                text = tar.extractfile(member).read().decode()
                parts = dict(line.split("=", 1) for line in text.split() if "=" in line)
                version = ".".join(parts[k] for k in ("MAJOR", "MINOR", "BUILD", "PATCH"))
            if data is not None and version is not None:
                break
    if data is None:
        sys.exit(f"{path}: no {MEMBER} inside")
    return data, version


def check(data: bytes):
    """The same integrity rules as the Rust test: every log_id is the SHA-256 of its key."""
    parsed = json.loads(data)
    for operator in parsed["operators"]:
        if not operator["name"]:
            sys.exit("an operator without a name")
        for log in operator.get("logs", []) + operator.get("tiled_logs", []):
            key = base64.b64decode(log["key"])
            if base64.b64decode(log["log_id"]) != hashlib.sha256(key).digest():
                sys.exit(f"{log['description']}: log_id is not the SHA-256 of its key")
    return parsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=pathlib.Path, help="Chromium source tree or tarball")
    parser.add_argument("--chromium-version", help="when neither chrome/VERSION nor the name says")
    args = parser.parse_args()
    if args.source.is_dir():
        data, version = read_tree(args.source)
    else:
        data, version = read_tarball(args.source)
    version = args.chromium_version or version
    if version is None:
        found = re.search(r"chromium[-_](\d+\.\d+\.\d+\.\d+)", args.source.name)
        version = found.group(1) if found else None
    if version is None:
        sys.exit("cannot tell the Chromium version: pass --chromium-version")
    parsed = check(data)
    (HERE / "log_list.json").write_bytes(data)
    (HERE / "source.toml").write_text(
        "# Written by data/ct/update.py: where data/ct/log_list.json comes from.\n"
        f'chromium_version = "{version}"\n'
        f'path = "{MEMBER}"\n'
        f'list_version = "{parsed["version"]}"\n'
        f'log_list_timestamp = "{parsed["log_list_timestamp"]}"\n'
        f'sha256 = "{hashlib.sha256(data).hexdigest()}"\n'
    )
    print(f"log list {parsed['version']} of {parsed['log_list_timestamp']} from Chromium {version}")


if __name__ == "__main__":
    main()
