#!/usr/bin/env bash
# Bug-finding power: how fast fuzz_all kills each semantic mutant of the core
# (core/mutants/mutants.def), from the shipped corpus and from an empty one,
# against the naive baseline harness fuzz_baseline. Builds the mutants tree
# build/bench-mutants, then runs the campaign, bench/mutants.py: its --help
# gives the protocol and the environment (TRIALS, SHIPPED_BUDGET, EMPTY_BUDGET,
# BASELINE_BUDGET=auto, BASELINE_STOP, MODES, MUTANTS, BINDIR, JOBS, ...).
# Prints markdown; exit 0 unless the build or the no-mutant check fails.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build/bench-mutants
cd "$root" || exit 1

mkdir -p "$build"
echo "--- building $build (libFuzzer + ASan + UBSan, mutants on)" >&2
# The libfuzzer-asan preset's flags in another tree: the builds compared are
# then the ones bench/throughput.sh and bench/reach.sh measure.
if ! env -u CFLAGS -u CXXFLAGS -u LDFLAGS -u LIB_FUZZING_ENGINE cmake -S "$root" --preset libfuzzer-asan -B "$build" \
      -DDDIMAP_MUTANTS=ON >"$build/configure.log" 2>&1 ||
   ! cmake --build "$build" --parallel "${JOBS:-$(nproc)}" --target fuzz_all fuzz_baseline >"$build/build.log" 2>&1; then
  tail -n 40 "$build/configure.log" "$build/build.log" >&2
  echo "FAIL: building $build" >&2
  exit 1
fi
exec python3 bench/mutants.py "$root" "$build"
