#!/usr/bin/env bash
# Runs the given fuzz targets (default: all) one after another, niced, each until 10 million
# executions or an hour, with the limits in docs/fuzzing.md. Two invocations with different
# targets may run side by side. Usage, from anywhere: fuzz/scripts/run_all.sh [TARGET...]
# Each target's log, ending with libFuzzer's final stats, goes to fuzz/logs/<target>.log.
set -u
cd "$(dirname "$0")/.."
mkdir -p logs
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(target bundle explain chain capture ocsp starttls aia ocsp_fetch hello)
for t in "${targets[@]}"; do
    case "$t" in
        bundle|chain|capture|aia) len=(-max_len=65536) ;;
        *) len=() ;;
    esac
    # Seeds: the fixtures themselves where they are the inputs, so they never go stale.
    case "$t" in
        bundle|chain) seeds=(seeds/bundle ../fixtures/chains ../fixtures/ca ../fixtures/client ../tests/data/ct) ;;
        aia) seeds=(seeds/bundle ../fixtures/ca) ;;
        ocsp|ocsp_fetch) seeds=(../fixtures/ocsp) ;;
        *) seeds=("seeds/$t") ;;
    esac
    mkdir -p "corpus/$t"
    log="logs/$t.log"
    {
        echo "target: $t"
        echo "start: $(date -u +%FT%TZ)"
        echo "src sha256: $(cd .. && find src -type f -name '*.rs' | sort | xargs cat | sha256sum | cut -d' ' -f1)"
    } > "$log"
    start=$(date +%s)
    nice -n 10 cargo +nightly fuzz run -O "$t" "corpus/$t" "${seeds[@]}" -- \
        -runs=10000000 -max_total_time=3600 "${len[@]}" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 >> "$log" 2>&1
    rc=$?
    {
        echo "exit: $rc"
        echo "end: $(date -u +%FT%TZ)"
        echo "wall seconds: $(( $(date +%s) - start ))"
        echo "corpus files: $(ls "corpus/$t" | wc -l)"
    } >> "$log"
done
