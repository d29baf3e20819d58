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
# HARNESSES [every harness of harnesses/harnesses.def].
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
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1

wall() {  # wall BINARY RUNS FILES... -> nanoseconds
  local b=$1 n=$2 s
  shift 2
  s=$(date +%s%N)
  "$b" -runs="$n" "$@" >/dev/null 2>&1
  echo $(( $(date +%s%N) - s ))
}

# One line per repeat: the harness and the empty target back to back, so that
# both see the same load (stats.py: rates, their medians, the median ratio).
for h in $harnesses; do
  files=(bench/inputs/"$h"/*)
  bytes=$(cat "${files[@]}" | wc -c)
  for _ in $(seq 1 "$REPEATS"); do
    echo "$h ${#files[@]} $bytes $(wall "$bin/$h" 1 "${files[@]}") $(wall "$bin/$h" "$RUNS" "${files[@]}")" \
      "$(wall "$bin/fuzz_empty" 1 "${files[@]}") $(wall "$bin/fuzz_empty" "$EMPTY_RUNS" "${files[@]}")"
  done
done | python3 bench/stats.py throughput "$RUNS" "$EMPTY_RUNS"
