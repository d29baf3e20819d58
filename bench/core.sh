#!/usr/bin/env bash
# Core micro-benchmarks as a markdown table: bench/run.sh (Google Benchmark,
# clang-release) with JSON output, one row per benchmark, one column per
# number of live mappings, then the growth from 1e3 to 1e5 and the oracle's
# cost over the core's for the same MmMapIoSpace + MmUnmapIoSpace pair; last,
# the instructions that pair executes (bench/instructions.sh, callgrind).
# Each figure is the median of BENCH_REPS [3] repetitions, interleaved in a
# random order, so that one slow stretch of the host's minute moves one
# repetition of a benchmark rather than all of it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
json=$(mktemp)
trap 'rm -f "$json"' EXIT
bash "$root/bench/run.sh" --benchmark_repetitions="${BENCH_REPS:-3}" --benchmark_enable_random_interleaving=true \
  --benchmark_out="$json" --benchmark_out_format=json >/dev/null 2>&1 ||
  { echo "FAIL: bench/run.sh" >&2; exit 1; }
python3 "$root/bench/stats.py" core-table "$json" "${BENCH_REPS:-3}"
echo
BIN="$root/build/clang-release/bench/ddimap_core_bench" bash "$root/bench/instructions.sh"
