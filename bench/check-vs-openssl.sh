#!/usr/bin/env bash
# Wall time of one loopback check: tlsdoctor next to `openssl s_client`, against the same nginx
# serving the fixture chain `good`, measured in the same hyperfine run.
#
#   bench/check-vs-openssl.sh            # needs nginx, openssl, hyperfine (apt-get install -y ...)
#   RUNS=500 bench/check-vs-openssl.sh   # more runs
#
# Prints hyperfine's table and the medians. SSL_CERT_FILE names a copy of the system bundle plus
# the test root, so "default stores, system trusts" is the common case of a public chain. The
# "untrusted" runs exit 1 (-i tolerates it): the worst case, where the system store's directories
# are read too and the CA Issuers URL is tried (refused on loopback). The last one pays for an
# extra `env` exec to drop SSL_CERT_FILE.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-300}
for tool in hyperfine openssl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install -y $tool" >&2; exit 2; }
done
cargo build --release --quiet
bin=target/release/tlsdoctor

. bench/nginx.sh

root=fixtures/ca/root.pem
# A system store that trusts the test root, as a public root is trusted on a real machine: the
# distribution's bundle (if any) plus the test root, named by SSL_CERT_FILE for every command.
system_bundle=$(ls /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt 2>/dev/null | head -n 1 || true)
cat ${system_bundle:+"$system_bundle"} "$root" > "$dir/system-bundle.pem"
export SSL_CERT_FILE="$dir/system-bundle.pem"
[ -d /etc/ssl/certs ] && export SSL_CERT_DIR=/etc/ssl/certs
echo "nginx on 127.0.0.1:$port serving fixtures/chains/good.pem; $runs runs each; binary $(stat -c %s "$bin") bytes"
hyperfine -N -i --warmup 20 --runs "$runs" --export-json "${EXPORT:-$dir/result.json}" \
  -n "openssl s_client" "openssl s_client -connect 127.0.0.1:$port -servername ok.test -CAfile $root" \
  -n "tlsdoctor check (--ca-file)" "$bin check 127.0.0.1:$port --servername ok.test --ca-file $root --at 2026-06-01 --format json" \
  -n "tlsdoctor check (default stores, system trusts)" "$bin check 127.0.0.1:$port --servername ok.test --at 2026-06-01 --format json" \
  -n "tlsdoctor check (--trust mozilla, untrusted)" "$bin check 127.0.0.1:$port --servername ok.test --at 2026-06-01 --format json --trust mozilla" \
  -n "tlsdoctor check (default stores, untrusted)" "env -u SSL_CERT_FILE $bin check 127.0.0.1:$port --servername ok.test --at 2026-06-01 --format json" \
  -n "tlsdoctor check --file" "$bin check --file fixtures/chains/good.pem --host ok.test --ca-file $root --at 2026-06-01 --format json"

python3 - "${EXPORT:-$dir/result.json}" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = results[0]["median"]
print(f"\n{'command':50} {'median ms':>10} {'ratio to s_client':>18}")
for r in results:
    print(f"{r['command']:50} {r['median'] * 1000:10.2f} {r['median'] / base:18.2f}")
PY
