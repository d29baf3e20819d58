#!/usr/bin/env bash
# Builds the clang-release preset and runs the core micro-benchmarks.
# Extra arguments go to Google Benchmark (e.g. --benchmark_filter=MmPair);
# BENCH_MIN_TIME (default 0.2) is the minimum seconds per benchmark.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cmake --preset clang-release >/dev/null
cmake --build --preset clang-release --parallel "$(nproc)" --target ddimap_core_bench >/dev/null
exec build/clang-release/bench/ddimap_core_bench --benchmark_min_time="${BENCH_MIN_TIME:-0.2}" "$@"
