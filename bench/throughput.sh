#!/usr/bin/env bash
# Throughput: exec/s of each harness under ASan + UBSan (libfuzzer-asan
# preset) replaying the fixed committed input set bench/inputs/<harness>/,
# against the empty target fuzz_empty built with the same flags, replaying the
# same files in the same run. libFuzzer runs each file given on its command
# line -runs=N times (reading it each time), so a rate is
#   files x (N - 1) / (wall(-runs=N) - wall(-runs=1)),
# which cancels process start-up. Each figure is the median of REPEATS; the
# ratio is the median of per-repeat ratios (harness and empty back to back).
# Environment: REPEATS [5], RUNS [30] (harnesses), EMPTY_RUNS [200] (fuzz_empty),
# HARNESSES [all seven].
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
REPEATS=${REPEATS:-5} RUNS=${RUNS:-30} EMPTY_RUNS=${EMPTY_RUNS:-200}
harnesses=${HARNESSES:-$(bash ci/harnesses.sh libfuzzer-asan)}
{
  cmake --preset libfuzzer-asan
  # shellcheck disable=SC2086
  cmake --build --preset libfuzzer-asan --parallel "$(nproc)" --target $harnesses fuzz_empty
} >build/bench-throughput.build.log 2>&1 || { tail -n 30 build/bench-throughput.build.log >&2; exit 1; }
bin=build/libfuzzer-asan/harnesses
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1

wall() {  # wall BINARY RUNS FILES... -> seconds
  local b=$1 n=$2 s e
  shift 2
  s=$(date +%s%N)
  "$b" -runs="$n" "$@" >/dev/null 2>&1
  e=$(date +%s%N)
  echo $(( e - s ))
}
rate1() {  # rate1 BINARY RUNS FILES... -> exec/s, one measurement
  local b=$1 n=$2 one many
  shift 2
  one=$(wall "$b" 1 "$@")
  many=$(wall "$b" "$n" "$@")
  awk -v f=$# -v n="$n" -v a="$one" -v b="$many" 'BEGIN { d = b - a; if (d <= 0) d = 1; printf "%.0f\n", f * (n - 1) / (d / 1e9) }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "| harness | inputs (bytes) | exec/s | fuzz_empty exec/s, same inputs | ratio |"
echo "|---|---:|---:|---:|---:|"
for h in $harnesses; do
  files=(bench/inputs/"$h"/*)
  bytes=$(cat "${files[@]}" | wc -c)
  # Each repeat measures the harness and the empty target back to back, so
  # that both see the same load; the ratio is the median of the repeats'
  # ratios (the exec/s columns: medians of their own).
  : >"$tmp/h" && : >"$tmp/e" && : >"$tmp/r"
  for _ in $(seq 1 "$REPEATS"); do
    hr=$(rate1 "$bin/$h" "$RUNS" "${files[@]}")
    er=$(rate1 "$bin/fuzz_empty" "$EMPTY_RUNS" "${files[@]}")
    echo "$hr" >>"$tmp/h"
    echo "$er" >>"$tmp/e"
    awk -v a="$hr" -v b="$er" 'BEGIN { printf "%.4f\n", a / b }' >>"$tmp/r"
  done
  ratio=$(median <"$tmp/r" | awk '{ printf "%.1f%%", 100 * $1 }')
  echo "| $h | ${#files[@]} ($bytes) | $(median <"$tmp/h") | $(median <"$tmp/e") | $ratio |"
done
