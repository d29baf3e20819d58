#!/bin/bash -eu
# OSS-Fuzz build script for ddimap (also used by ci/oss-fuzz/check.sh).
#
# The contract (https://google.github.io/oss-fuzz/getting-started/new-project-guide/):
# the compiler, its flags and the fuzzing engine come only from the
# environment -- $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE -- the targets
# go to $OUT, intermediate files to $WORK, the sources live under $SRC, and
# $SANITIZER names the build (address, undefined, coverage, ...). Nothing here
# adds a sanitizer, coverage or engine flag of its own, and nothing is
# downloaded. Besides those variables it uses cmake, ninja, zip, grep, cp.
#
# Into $OUT, for each harness H of the list (ddimap-repro --list-harnesses,
# harnesses/harnesses.def):
#   H                      the fuzz target (engine linked from $LIB_FUZZING_ENGINE)
#   H_seed_corpus.zip      corpus/H/* (flat, no directories)
#   H.dict, H.options      dictionaries/H.{dict,options} (the options name the dict
#                          relative to $OUT, where run_fuzzer runs the target)
#   ddimap-repro           the reproducer, uninstrumented, only when OSS-Fuzz's and
#                          ClusterFuzz's fuzz-target detection cannot take it for a
#                          target (no "LLVMFuzzerTestOneInput" in the file and a name
#                          not ending in "_fuzzer"); otherwise it stays in $WORK.
# The helper tools (ddimap-repro, ddimap-gen) are built in $WORK/build-tools with
# the flags cleared and no engine; the targets in $WORK/build.
set -euo pipefail

: "${CC:?}" "${CXX:?}" "${OUT:?}" "${WORK:?}"
CFLAGS=${CFLAGS-}
CXXFLAGS=${CXXFLAGS-}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE-}
SANITIZER=${SANITIZER-}
SRC=${SRC-}

# The repository: two levels above this script when run from a checkout
# (ci/oss-fuzz/build.sh), else $SRC/ddimap (the Docker image copies this
# script to $SRC/build.sh and the repository to $SRC/ddimap).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
is_ddimap() { [ -f "$1/CMakeLists.txt" ] && grep -q '^project(ddimap' "$1/CMakeLists.txt"; }
if is_ddimap "$here/../.."; then
  root=$(cd "$here/../.." && pwd)
elif [ -n "$SRC" ] && is_ddimap "$SRC/ddimap"; then
  root=$SRC/ddimap
else
  echo "build.sh: cannot find the ddimap sources (tried $here/../.. and \$SRC/ddimap)" >&2
  exit 1
fi

jobs=$(nproc)

echo "ddimap build.sh: sources $root, SANITIZER=${SANITIZER:-?}, CC=$CC, CXX=$CXX"
echo "  CFLAGS=$CFLAGS"
echo "  CXXFLAGS=$CXXFLAGS"
echo "  LIB_FUZZING_ENGINE=$LIB_FUZZING_ENGINE"

# --- the helper tools, uninstrumented, first: ddimap-repro lists the harnesses ---
# Flags cleared (also in the environment: CMake seeds CMAKE_<LANG>_FLAGS from
# CFLAGS/CXXFLAGS/LDFLAGS), no engine. An AFL++ compiler wrapper instruments
# whatever it compiles, so for AFL builds the tools use plain clang/clang++.
tools_cc=$CC
tools_cxx=$CXX
case "$(basename "$CC")" in afl-*) tools_cc=clang ;; esac
case "$(basename "$CXX")" in afl-*) tools_cxx=clang++ ;; esac
env -u CFLAGS -u CXXFLAGS -u LDFLAGS -u CPPFLAGS -u LIB_FUZZING_ENGINE \
  cmake -G Ninja -S "$root" -B "$WORK/build-tools" \
  -DCMAKE_C_COMPILER="$tools_cc" -DCMAKE_CXX_COMPILER="$tools_cxx" \
  -DCMAKE_C_FLAGS= -DCMAKE_CXX_FLAGS= -DCMAKE_EXE_LINKER_FLAGS= \
  -DDDIMAP_FUZZING_ENGINE= \
  -DDDIMAP_BUILD_TESTS=OFF -DDDIMAP_WERROR=OFF
env -u CFLAGS -u CXXFLAGS -u LDFLAGS -u CPPFLAGS -u LIB_FUZZING_ENGINE \
  cmake --build "$WORK/build-tools" --parallel "$jobs" --target ddimap-repro ddimap-gen

repro=$WORK/build-tools/harnesses/ddimap-repro
harnesses=($("$repro" --list-harnesses))

# --- the fuzz targets ---------------------------------------------------------
# No CMAKE_BUILD_TYPE: the optimisation level is the one in $CFLAGS/$CXXFLAGS.
# -Werror off: OSS-Fuzz's flags (unknown -Wno-error=... options on older
# clangs, unused linker flags in coverage builds) produce warnings.
cmake -G Ninja -S "$root" -B "$WORK/build" \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DDDIMAP_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" \
  -DDDIMAP_BUILD_TESTS=OFF -DDDIMAP_WERROR=OFF
cmake --build "$WORK/build" --parallel "$jobs" --target "${harnesses[@]}"

mkdir -p "$OUT"
for h in "${harnesses[@]}"; do
  cp "$WORK/build/harnesses/$h" "$OUT/$h"
  rm -f "$OUT/${h}_seed_corpus.zip"
  if [ -d "$root/corpus/$h" ] && [ -n "$(ls -A "$root/corpus/$h")" ]; then
    # -j: flat (file names only), -X: no extra file attributes.
    (cd "$root/corpus/$h" && zip -q -j -X "$OUT/${h}_seed_corpus.zip" ./*)
  fi
  cp "$root/dictionaries/$h.dict" "$OUT/$h.dict"
  cp "$root/dictionaries/$h.options" "$OUT/$h.options"
done

# test_all.py (check_build) takes any executable ELF in $OUT containing the
# bytes "LLVMFuzzerTestOneInput" for a fuzz target; ClusterFuzz also takes any
# name ending in "_fuzzer". ddimap-repro is neither, but check rather than assume.
if grep -q LLVMFuzzerTestOneInput "$repro"; then
  echo "build.sh: ddimap-repro mentions LLVMFuzzerTestOneInput; leaving it in $WORK/build-tools/harnesses"
else
  cp "$repro" "$OUT/ddimap-repro"
fi

echo "ddimap build.sh: done; $OUT holds:"
ls -l "$OUT"
