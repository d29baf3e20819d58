#!/usr/bin/env bash
# Instructions per MmMapIoSpace + MmUnmapIoSpace pair (1e3 mappings live),
# counted by callgrind on the clang-release benchmark binary: the run with
# PAIRS pairs minus the run with none, over PAIRS. Unlike the nanoseconds of
# bench/core.sh, the count does not move with the host's speed, so two commits
# compare on it directly (BIN=<another ddimap_core_bench> counts that binary).
# Prints one markdown line; exits 0 with a note when valgrind is missing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pairs=${PAIRS:-20000}
if ! command -v valgrind >/dev/null; then
  echo "Instructions per pair: not counted (valgrind is not installed; apt-get install valgrind)."
  exit 0
fi
bin=${BIN:-}
if [ -z "$bin" ]; then
  cmake --preset clang-release -S "$root" >/dev/null
  cmake --build "$root/build/clang-release" --parallel "$(nproc)" --target ddimap_core_bench >/dev/null
  bin=$root/build/clang-release/bench/ddimap_core_bench
fi
count() {  # count N: the instructions the whole process executes with N pairs
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" --count_mm_pairs="$1" 2>&1 |
    python3 "$root/bench/stats.py" irefs
}
base=$(count 0)
with=$(count "$pairs")
if [ -z "$base" ] || [ -z "$with" ]; then
  echo "FAIL: no instruction count from callgrind" >&2
  exit 1
fi
echo "Instructions per MmMapIoSpace + MmUnmapIoSpace pair at 1e3 live (callgrind, $pairs pairs):" \
  "$(( (with - base) / pairs ))."
