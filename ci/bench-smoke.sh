#!/usr/bin/env bash
# The benchmark command (bench/all.sh) at toy size, so that it cannot rot
# unnoticed: one harness, one mutant, one seed, budgets of seconds. Writes to
# a scratch file, never docs/benchmarks.md, and checks that every part produced
# its table and that the figures that cannot vary did not: the mutant is killed
# from the shipped corpus, fuzz_mm_io reaches all its rules, the baseline and
# fuzz_all raise no false alarm (bench/mutants.sh fails on one), and the
# baseline ran with the budget derived from fuzz_all's (all.sh's default), and
# a planted driver bug is found.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
doc=$(mktemp)
trap 'rm -f "$doc"' EXIT
BENCH_DOC=$doc BENCH_MIN_TIME=0.01 HARNESSES=fuzz_mm_io REPEATS=1 RUNS=3 EMPTY_RUNS=3 SEEDS=1 REACH_BUDGET=60 \
  MUTANTS=mm_map_irql_high TRIALS=1 SHIPPED_BUDGET=60 EMPTY_BUDGET=5 \
  DRIVER_BUGS=fuzz_ddxnet_bug7 DRIVER_SEEDS=1 DRIVER_BUDGET=30 bash bench/all.sh
fail=0
check() {  # check WHAT REGEX
  if grep -Eq -- "$2" "$doc"; then echo "ok: $1"; else echo "FAIL: $1 (no line matching '$2')" >&2; fail=1; fi
}
check "core table" '^\| `MmPair<Machine>` \| .* \| [0-9.]+ (ns|us) \|'
check "oracle baseline ratio" '^Oracle over core, same pair, same run: [0-9.]+x'
check "instructions per pair" '^Instructions per MmMapIoSpace \+ MmUnmapIoSpace pair at 1e3 live \(callgrind, [0-9]+ pairs\): [0-9]+\.$'
check "throughput row" '^\| fuzz_mm_io \| 100 \([0-9]+\) \| [0-9]+ \| [0-9]+ \| [0-9.]+% \|$'
check "reach: fuzz_mm_io reaches everything" '^\| fuzz_mm_io \| 1/1 \| [0-9.]+s '
check "mutant killed from the shipped corpus" '^\| `mm_map_irql_high` \| 1/1, [0-9.]+s, [0-9]+ \|'
check "mutant totals" '^\| fuzz_all, shipped \(60s\) \| 1/1 \(100%\)'
check "baseline with its derived budget" '^\| fuzz_baseline, empty \([0-9]+s\) \| [01]/1 '
check "planted driver bug found" '^\| error path leaks .* \| `fuzz_ddxnet_bug7` \| NDIS_IO.LEAK \| 1/1 \| [0-9.]+ \|'
[ "$fail" = 0 ] && echo "bench smoke passed"
exit "$fail"
