#!/usr/bin/env bash
# A/B throughput of two builds of one fuzz target, run alternately so that the
# shared host's load hits both alike: for each round, the wall time of
# -runs=$((RUNS + 1)) minus that of -runs=1 over the same input files (which
# cancels start-up), in milliseconds, then the medians and their ratio.
#   bash bench/ab.sh OLD_BINARY NEW_BINARY [FILES...]
# FILES default to bench/inputs/fuzz_all/*. Environment: ROUNDS [8], RUNS [20].
# Example: the previous commit built in a worktree against this one:
#   bash bench/ab.sh /tmp/wt/build/libfuzzer-asan/harnesses/fuzz_all build/libfuzzer-asan/harnesses/fuzz_all
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: bench/ab.sh OLD_BINARY NEW_BINARY [FILES...]" >&2; exit 2; }
a=$1 b=$2
shift 2
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$root"/bench/inputs/fuzz_all/*)
ROUNDS=${ROUNDS:-8} RUNS=${RUNS:-20}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
ms() {  # ms BINARY RUNS -> wall milliseconds
  local s
  s=$(date +%s%N)
  "$1" -runs="$2" "${files[@]}" >/dev/null 2>&1
  echo $(( ($(date +%s%N) - s) / 1000000 ))
}
for _ in $(seq "$ROUNDS"); do
  a1=$(ms "$a" 1) an=$(ms "$a" $((RUNS + 1))) b1=$(ms "$b" 1) bn=$(ms "$b" $((RUNS + 1)))
  echo "$((an - a1)) $((bn - b1))"
done | python3 "$root/bench/stats.py" ab "$(( ${#files[@]} * RUNS ))"
