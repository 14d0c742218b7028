#!/usr/bin/env bash
# Wall time of one loopback check with and without the client matrix: every profile's own
# ClientHello sent to the server (--clients all: 37 profiles), the default set, and none.
#
#   bench/clients.sh              # needs nginx, hyperfine, python3 (apt-get install -y ...)
#   RUNS=200 bench/clients.sh
#
# Prints hyperfine's table and each median's ratio to the check without clients.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-100}
for tool in hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install -y $tool" >&2; exit 2; }
done
cargo build --release --quiet
bin=target/release/tlsdoctor
. bench/nginx.sh

check="$bin check 127.0.0.1:$port --servername ok.test --ca-file fixtures/ca/root.pem --at 2026-06-01 --format json"
echo "nginx on 127.0.0.1:$port serving fixtures/chains/good.pem; $runs runs each"
hyperfine -N --warmup 10 --runs "$runs" --export-json "${EXPORT:-$dir/result.json}" \
  -n "check" "$check" \
  -n "check --clients default" "$check --clients default" \
  -n "check --clients all" "$check --clients all"

python3 - "${EXPORT:-$dir/result.json}" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = results[0]["median"]
print(f"\n{'command':30} {'median ms':>10} {'ratio':>8}")
for r in results:
    print(f"{r['command']:30} {r['median'] * 1000:10.2f} {r['median'] / base:8.2f}")
PY
