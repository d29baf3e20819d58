#!/usr/bin/env bash
# Mutation check: does the shipped corpus kill every semantic mutant of the core?
#
# Builds a lean mutants tree (gcc, Debug, -DDDIMAP_MUTANTS=ON, tests off, no
# fuzzing engine, target ddimap-repro only, in build/mutants, -j2), then, for
# each mutant in core/mutants/mutants.def, replays with DDIMAP_MUTANT=<name>:
#   ddimap-repro --quiet --profile fuzz_all corpus/fuzz_all/*
#   ddimap-repro --quiet corpus/traces/*/*.trace   (traces carry expectations)
# A mutant is killed when any input fails (oracle mismatch, self-check or
# expectation). The first killing input (binary inputs first, then traces) and
# its number of calls (from the repro's "# FILE (..., N calls)" header) are
# recorded. Prints a markdown table and the kill rate (ci/fuzzlib.py mutants).
#
# A sanity run with no mutant selected must pass every input. Exit status: 0
# (whatever the kill rate) unless the build or the sanity run fails (1).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
build=$root/build/mutants
log=$build/mutants-logs

gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
mkdir -p "$build"
echo "--- building the mutants tree in $build" >&2
if ! env -u CFLAGS -u CXXFLAGS -u LDFLAGS -u LIB_FUZZING_ENGINE \
    cmake -S "$root" -B "$build" "${gen[@]}" -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
      -DCMAKE_BUILD_TYPE=Debug -DDDIMAP_BUILD_TESTS=OFF -DDDIMAP_MUTANTS=ON -DDDIMAP_FUZZING_ENGINE= \
      >"$build/configure.log" 2>&1; then
  cat "$build/configure.log" >&2; echo "FAIL: configuring the mutants tree" >&2; exit 1
fi
if ! env -u CFLAGS -u CXXFLAGS -u LDFLAGS -u LIB_FUZZING_ENGINE \
    cmake --build "$build" --parallel 2 --target ddimap-repro >"$build/build.log" 2>&1; then
  tail -n 40 "$build/build.log" >&2; echo "FAIL: building the mutants tree" >&2; exit 1
fi
repro=$build/harnesses/ddimap-repro
[ -x "$repro" ] || { echo "FAIL: no $repro" >&2; exit 1; }

python3 "$root/ci/fuzzlib.py" mutants "$repro" "$root" "$log"
