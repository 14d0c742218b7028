#!/usr/bin/env python3
"""Regenerates data/root-programs/ from the root programs' published source packages.

A maintainer's tool, never run by tlsdoctor itself. Unpack the source packages (for example
with `apt-get source chromium openjdk-17 ca-certificates`) and name their directories:

    python3 data/root-programs/update.py \
        --chromium DIR --chromium-version 150.0.7871.100 \
        --openjdk DIR --openjdk-version 17.0.19+10 \
        --ca-certificates DIR --ca-certificates-version 20250419

Mozilla's dates can come instead from NSS's compiled builtins, the PKCS#11 module
libnssckbi.so, when a newer NSS ships as a binary package than ca-certificates as a source one:
unpack Debian's libnss3 (`apt-get download libnss3; dpkg-deb -x libnss3_*.deb DIR`) and pass
`--nss-package DIR --nss-package-version 2:3.132-1` (needs `pip install PyKCS11`).

A program given no source keeps its manifest as it is, so one program can be updated when only
its source moved. It writes one manifest per program given (chrome.toml, java-<major>.toml,
mozilla.toml) and roots.pem, every certificate of every manifest once, keyed by its SHA-256.
Each manifest records the source package, its version, the in-package paths read, the snapshot
date and the date of this run. tests/root_programs_data.rs checks what it wrote.
"""

import argparse
import base64
import datetime
import hashlib
import os
import re
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
CHROME_DIR = "net/data/ssl/chrome_root_store"
JDK_CACERTS = "make/data/cacerts"
JDK_SECURITY = "src/java.base/share/conf/security/java.security"
JDK_POLICIES = "src/java.base/share/classes/sun/security/validator"
CERTDATA = "mozilla/certdata.txt"
NSSCKBI = "mozilla/nssckbi.h"


def pem_blocks(text):
    """The DER of every PEM certificate in text."""
    found = re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S)
    return [base64.b64decode("".join(b.split())) for b in found]


def sha256(der):
    return hashlib.sha256(der).hexdigest()


def tlv(der, i):
    """(content start, content end) of the DER element at i."""
    length = der[i + 1]
    if length < 0x80:
        return i + 2, i + 2 + length
    n = length & 0x7F
    start = i + 2 + n
    return start, start + int.from_bytes(der[i + 2:start], "big")


def spki_sha256(der):
    """SHA-256 of the certificate's SubjectPublicKeyInfo: how an anchor without its
    certificate (webpki-roots) is matched."""
    tbs, _ = tlv(der, tlv(der, 0)[0])
    i = tbs
    if der[i] == 0xA0:  # [0] version
        i = tlv(der, i)[1]
    for _ in range(5):  # serial, signature, issuer, validity, subject
        i = tlv(der, i)[1]
    return sha256(der[i:tlv(der, i)[1]])


def file_date(path):
    """The file's date as unpacked from the package (tar keeps it)."""
    stamp = os.path.getmtime(path)
    return datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).strftime("%Y-%m-%d")


def utc(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def chrome(src, version, certs):
    textproto = os.path.join(src, CHROME_DIR, "root_store.textproto")
    pems = os.path.join(src, CHROME_DIR, "root_store.certs")
    with open(pems) as f:
        for der in pem_blocks(f.read()):
            certs[sha256(der)] = der
    with open(textproto) as f:
        text = f.read()
    major = re.search(r"^version_major:\s*(\d+)", text, re.M).group(1)
    roots = []
    # Top-level trust_anchors blocks only: additional_certs are intermediates for elision.
    for comment, body in re.findall(r"((?:^#[^\n]*\n)*)trust_anchors \{\n(.*?)^\}", text, re.M | re.S):
        digest = re.search(r'sha256_hex:\s*"([0-9a-f]{64})"', body).group(1)
        names = [l[2:] for l in comment.splitlines() if l.startswith("# ") and "=" in l and "://" not in l]
        constraints = []
        for block in re.findall(r"constraints:?\s*\{(.*?)\}", body, re.S):
            c = {}
            for key, value in re.findall(r"(\w+):\s*\"?([^\"\n]+)\"?", block):
                if key == "sct_not_after_sec":
                    c["sct_not_after"] = utc(int(value))
                elif key == "sct_all_after_sec":
                    c["sct_all_after"] = utc(int(value))
                elif key in ("min_version", "max_version_exclusive"):
                    c[key] = value
                else:
                    sys.exit(f"chrome root {digest}: unknown constraint {key}; teach update.py")
            constraints.append(c)
        if digest not in certs:
            sys.exit(f"chrome root {digest} has no certificate in root_store.certs")
        roots.append({"sha256": digest, "name": names[0] if names else "", "constraints": constraints})
    return {
        "id": "chrome",
        "name": "Chrome Root Store",
        "version": f"version_major {major}",
        "snapshot": file_date(textproto),
        "snapshot_basis": "the date of root_store.textproto in the source package",
        "package": "chromium",
        "package_version": version,
        "paths": [f"{CHROME_DIR}/root_store.textproto", f"{CHROME_DIR}/root_store.certs"],
        "semantics": "a root with several constraint sets is trusted when any one set holds (root_store.proto)",
        "roots": roots,
    }


JAVA_POLICY_FILES = {
    "SYMANTEC_TLS": "SymantecTLSPolicy.java",
    "ENTRUST_TLS": "EntrustTLSPolicy.java",
    "CAMERFIRMA_TLS": "CamerfirmaTLSPolicy.java",
    "CHUNGHWA_TLS": "ChunghwaTLSPolicy.java",
}
MONTHS = "JANUARY FEBRUARY MARCH APRIL MAY JUNE JULY AUGUST SEPTEMBER OCTOBER NOVEMBER DECEMBER".split()


def java(src, version, certs):
    major = version.split(".")[0]
    directory = os.path.join(src, JDK_CACERTS)
    aliases = {}
    for alias in sorted(os.listdir(directory)):
        if alias == "README":
            continue
        with open(os.path.join(directory, alias)) as f:
            blocks = pem_blocks(f.read())
        if len(blocks) != 1:
            sys.exit(f"cacerts/{alias}: expected one certificate, found {len(blocks)}")
        certs[sha256(blocks[0])] = blocks[0]
        aliases[sha256(blocks[0])] = alias
    with open(os.path.join(src, JDK_SECURITY)) as f:
        security = f.read()
    enabled = re.search(r"^jdk\.security\.caDistrustPolicies=((?:[^\n]*\\\n)*[^\n]*)", security, re.M).group(1)
    enabled = [p.strip() for p in enabled.replace("\\\n", "").split(",") if p.strip()]
    constraints = {}
    for policy in enabled:
        name = JAVA_POLICY_FILES.get(policy)
        if name is None:
            sys.exit(f"java.security enables {policy}; teach update.py where its roots are")
        with open(os.path.join(src, JDK_POLICIES, name)) as f:
            code = f.read()
        # The set of distrusted roots, then the date leaves' notBefore must not be after.
        # (Symantec's exempt Apple subordinate CAs are declared after the first date.)
        fingerprints = re.findall(r'"([0-9A-F]{64})"', code.split("LocalDate.of", 1)[0])
        dates = re.findall(r"LocalDate\.of\((\d{4}),\s*Month\.(\w+),\s*(\d+)\)", code)
        # Symantec lists a later date for two Apple subordinate CAs first; the roots' date is
        # the last one declared. That exemption is not carried: a leaf it allowed (issued by
        # 2019-12-31, valid at most 825 days) expired in 2022.
        year, month, day = dates[-1]
        cutoff = f"{int(year):04d}-{MONTHS.index(month) + 1:02d}-{int(day):02d}T23:59:59Z"
        for fp in fingerprints:
            constraints.setdefault(fp.lower(), []).append({
                "distrust_after": cutoff,
                "policy": policy,
                "source": f"{JDK_POLICIES}/{name}",
            })
    roots = []
    for digest in sorted(aliases, key=lambda d: aliases[d]):
        roots.append({"sha256": digest, "name": aliases[digest], "constraints": constraints.get(digest, [])})
    return {
        "id": f"java-{major}",
        "name": f"OpenJDK {major} cacerts",
        "version": version,
        "snapshot": max(file_date(os.path.join(directory, a)) for a in os.listdir(directory)),
        "snapshot_basis": "the newest file date in make/data/cacerts in the source package",
        "package": f"openjdk-{major}",
        "package_version": version,
        "paths": [JDK_CACERTS, JDK_SECURITY] + [f"{JDK_POLICIES}/{JAVA_POLICY_FILES[p]}" for p in enabled],
        "semantics": "a leaf whose notBefore date (UTC) is after distrust_after's date is refused when the path ends at the root (sun.security.validator.CADistrustPolicy)",
        "roots": roots,
    }


def octal(lines):
    return bytes(int(o, 8) for o in re.findall(r"\\(\d{3})", lines))


def mozilla(src, version, certs):
    certdata = os.path.join(src, CERTDATA)
    with open(certdata, encoding="utf-8") as f:
        text = f.read()
    with open(os.path.join(src, NSSCKBI)) as f:
        nss = re.search(r'NSS_BUILTINS_LIBRARY_VERSION "([\d.]+)"', f.read()).group(1)
    roots = []
    for obj in text.split("\n\n"):
        if "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE" not in obj:
            continue
        m = re.search(r"CKA_NSS_SERVER_DISTRUST_AFTER MULTILINE_OCTAL\n(.*?)\nEND", obj, re.S)
        if not m:
            continue
        after = octal(m.group(1)).decode()  # UTCTime, YYMMDDHHMMSSZ
        stamp = datetime.datetime.strptime(after, "%y%m%d%H%M%SZ").strftime("%Y-%m-%dT%H:%M:%SZ")
        der = octal(re.search(r"CKA_VALUE MULTILINE_OCTAL\n(.*?)\nEND", obj, re.S).group(1))
        label = re.search(r'CKA_LABEL UTF8 "([^"]*)"', obj).group(1)
        certs[sha256(der)] = der
        roots.append({"sha256": sha256(der), "name": label, "constraints": [{
            "distrust_after": stamp,
            "source": f"{CERTDATA} CKA_NSS_SERVER_DISTRUST_AFTER",
        }]})
    upstream = version.split("+")[0]
    return {
        "id": "mozilla",
        "name": "Mozilla (roots: webpki-roots; NSS distrust-after dates)",
        "version": f"NSS builtins {nss}",
        "snapshot": f"{upstream[:4]}-{upstream[4:6]}-{upstream[6:8]}",
        "snapshot_basis": "the ca-certificates upstream version, the date of its certdata.txt; the roots themselves come from webpki-roots, newer",
        "package": "ca-certificates",
        "package_version": version,
        "paths": [CERTDATA, NSSCKBI],
        "anchors": "webpki-roots",
        "semantics": "a leaf whose notBefore is after distrust_after is refused when the path ends at the root (NSS CKA_NSS_SERVER_DISTRUST_AFTER)",
        "roots": roots,
    }


NSS_MODULE = "libnssckbi.so"
# NSS's vendor attributes (nss/lib/util/pkcs11n.h): CKA_NSS + 35 and + 36, each a UTCTime or a
# single zero byte (CK_FALSE) for no date.
CKA_NSS = 0xCE534350
CKA_NSS_SERVER_DISTRUST_AFTER = CKA_NSS + 35


def mozilla_from_module(package, version, certs):
    """Mozilla's distrust-after dates read from the builtins module of an unpacked libnss3."""
    import PyKCS11  # maintainer-only dependency: a PKCS#11 client to ask the module

    found = [os.path.join(d, NSS_MODULE) for d, _, files in os.walk(package) if NSS_MODULE in files]
    if len(found) != 1:
        sys.exit(f"{package}: expected one {NSS_MODULE}, found {len(found)}")
    module = found[0]
    lib = PyKCS11.PyKCS11Lib()
    lib.load(module)
    major, minor = lib.getInfo().libraryVersion
    roots = []
    for slot in lib.getSlotList():
        session = lib.openSession(slot)
        for obj in session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_CERTIFICATE)]):
            label, der, after = session.getAttributeValue(
                obj, [PyKCS11.CKA_LABEL, PyKCS11.CKA_VALUE, CKA_NSS_SERVER_DISTRUST_AFTER], allAsBinary=True)
            after = bytes(after or b"")
            if after in (b"", b"\x00"):
                continue
            der = bytes(der)
            certs[sha256(der)] = der
            stamp = datetime.datetime.strptime(after.decode(), "%y%m%d%H%M%SZ").strftime("%Y-%m-%dT%H:%M:%SZ")
            roots.append({"sha256": sha256(der), "name": bytes(label).decode().rstrip("\x00"), "constraints": [{
                "distrust_after": stamp,
                "source": f"{NSS_MODULE} CKA_NSS_SERVER_DISTRUST_AFTER",
            }]})
    roots.sort(key=lambda r: r["name"])
    path = os.path.relpath(module, package)
    return {
        "id": "mozilla",
        "name": "Mozilla (roots: webpki-roots; NSS distrust-after dates)",
        "version": f"NSS builtins {major}.{minor}",
        "snapshot": file_date(module),
        "snapshot_basis": "the build date of libnssckbi.so in the binary package; the roots themselves come from webpki-roots",
        "package": "libnss3",
        "package_version": version,
        "paths": [path],
        "anchors": "webpki-roots",
        "semantics": "a leaf whose notBefore is after distrust_after is refused when the path ends at the root (NSS CKA_NSS_SERVER_DISTRUST_AFTER)",
        "roots": roots,
    }


def toml_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_manifest(program, certs, generated):
    lines = [
        f"# Generated by data/root-programs/update.py on {generated}; do not edit by hand.",
        f"id = {toml_string(program['id'])}",
        f"name = {toml_string(program['name'])}",
        f"version = {toml_string(program['version'])}",
        f"snapshot = {toml_string(program['snapshot'])}",
        f"snapshot_basis = {toml_string(program['snapshot_basis'])}",
        f"package = {toml_string(program['package'])}",
        f"package_version = {toml_string(program['package_version'])}",
        "paths = [" + ", ".join(toml_string(p) for p in program["paths"]) + "]",
        f"generated = {toml_string(generated)}",
        f"semantics = {toml_string(program['semantics'])}",
    ]
    if "anchors" in program:
        lines.append(f"anchors = {toml_string(program['anchors'])}")
    # Lets a check skip parsing this file for the many roots no constraint names.
    constrained = sorted({spki_sha256(certs[r["sha256"]]) for r in program["roots"] if r["constraints"]})
    lines.append("constrained_spki_sha256 = [" + ", ".join(toml_string(d) for d in constrained) + "]")
    lines.append(f"count = {len(program['roots'])}")
    for root in program["roots"]:
        lines += ["", "[[roots]]", f"sha256 = {toml_string(root['sha256'])}", f"name = {toml_string(root['name'])}"]
        for c in root["constraints"]:
            lines.append("[[roots.constraints]]")
            lines += [f"{k} = {toml_string(v)}" for k, v in c.items()]
    with open(os.path.join(HERE, f"{program['id']}.toml"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def write_bundle(certs, generated):
    lines = [f"# Generated by data/root-programs/update.py on {generated}: every certificate a",
             "# manifest names, once, in SHA-256 order; the comment above each is its SHA-256."]
    for digest in sorted(certs):
        body = base64.b64encode(certs[digest]).decode()
        lines += [f"# {digest}", "-----BEGIN CERTIFICATE-----"]
        lines += [body[i:i + 64] for i in range(0, len(body), 64)]
        lines.append("-----END CERTIFICATE-----")
    with open(os.path.join(HERE, "roots.pem"), "w") as f:
        f.write("\n".join(lines) + "\n")


def kept(id_, certs):
    """The manifest of a program given no source this run, as update.py wrote it before."""
    path = os.path.join(HERE, f"{id_}.toml")
    with open(path, "rb") as f:
        program = tomllib.load(f)
    with open(os.path.join(HERE, "roots.pem")) as f:
        bundle = {sha256(der): der for der in pem_blocks(f.read())}
    for root in program["roots"]:
        certs[root["sha256"]] = bundle[root["sha256"]]
        root.setdefault("constraints", [])
    return program


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chromium")
    parser.add_argument("--chromium-version")
    parser.add_argument("--openjdk")
    parser.add_argument("--openjdk-version")
    parser.add_argument("--ca-certificates")
    parser.add_argument("--ca-certificates-version")
    parser.add_argument("--nss-package", help="an unpacked libnss3 binary package (instead of --ca-certificates)")
    parser.add_argument("--nss-package-version")
    args = parser.parse_args()
    for source in ("chromium", "openjdk", "ca_certificates", "nss_package"):
        if (getattr(args, source) is None) != (getattr(args, f"{source}_version") is None):
            parser.error(f"--{source.replace('_', '-')} and its -version go together")
    if args.ca_certificates and args.nss_package:
        parser.error("Mozilla's dates come from --ca-certificates or --nss-package, not both")
    generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    certs = {}
    fresh = []
    if args.chromium:
        fresh.append(chrome(args.chromium, args.chromium_version, certs))
    if args.openjdk:
        fresh.append(java(args.openjdk, args.openjdk_version, certs))
    if args.ca_certificates:
        fresh.append(mozilla(args.ca_certificates, args.ca_certificates_version, certs))
    if args.nss_package:
        fresh.append(mozilla_from_module(args.nss_package, args.nss_package_version, certs))
    if not fresh:
        parser.error("name at least one program's source")
    ids = {p["id"] for p in fresh}
    programs = fresh + [kept(os.path.basename(path)[:-5], certs)
                        for path in sorted(os.listdir(HERE))
                        if path.endswith(".toml") and path != "not-bundled.toml"
                        and path[:-5] not in ids]
    # Only what a manifest names is kept (root_store.certs also holds certificates of no root).
    named = {r["sha256"] for p in programs for r in p["roots"]}
    write_bundle({d: der for d, der in certs.items() if d in named}, generated)
    for program in fresh:
        write_manifest(program, certs, generated)
        print(f"{program['id']}: {len(program['roots'])} roots, snapshot {program['snapshot']}")
    for program in programs[len(fresh):]:
        print(f"{program['id']}: kept as it was ({len(program['roots'])} roots)")
    print(f"roots.pem: {len(named)} certificates")


if __name__ == "__main__":
    main()
