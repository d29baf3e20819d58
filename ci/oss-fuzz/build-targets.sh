#!/bin/bash -eu
# Copyright 2026 the ddimap authors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
#
################################################################################
# The OSS-Fuzz / ClusterFuzzLite build of ddimap. OSS-Fuzz's projects/ddimap/build.sh
# (ci/oss-fuzz/build.sh) and .clusterfuzzlite/build.sh only call this script, so the
# two integrations cannot drift apart; ci/oss-fuzz/check.sh runs it as OSS-Fuzz does.
#
# The contract (https://google.github.io/oss-fuzz/getting-started/new-project-guide/):
# the compiler, its flags and the fuzzing engine come only from the environment --
# $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE -- the targets go to $OUT,
# intermediate files to $WORK, and $SANITIZER names the build (address, undefined,
# coverage, ...). Nothing here adds a sanitizer, coverage or engine flag of its own,
# and nothing is downloaded. Besides those variables it uses cmake, ninja, zip, grep, cp.
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
# The helper tools (ddimap-repro, ddimap-gen) are built in $WORK/build-tools without
# sanitizer, coverage or engine flags, but against the same C++ library as the
# targets: the base image's $CXXFLAGS_EXTRA (-stdlib=libc++). The image's own
# libstdc++ may be too old for C++20 (<span>). The targets are built in $WORK/build.
set -euo pipefail

: "${CC:?}" "${CXX:?}" "${OUT:?}" "${WORK:?}"
CFLAGS=${CFLAGS-}
CXXFLAGS=${CXXFLAGS-}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE-}
SANITIZER=${SANITIZER-}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jobs=$(nproc)

# The C++ standard library flags of the targets, for the tools: $CXXFLAGS_EXTRA as
# base-clang sets it, else any -stdlib= of $CXXFLAGS.
tools_cxxflags=${CXXFLAGS_EXTRA-}
if [ -z "$tools_cxxflags" ]; then
  for f in $CXXFLAGS; do
    case "$f" in -stdlib=*) tools_cxxflags=$f ;; esac
  done
fi

echo "ddimap build-targets.sh: sources $root, SANITIZER=${SANITIZER:-?}, CC=$CC, CXX=$CXX"
echo "  CFLAGS=$CFLAGS"
echo "  CXXFLAGS=$CXXFLAGS"
echo "  LIB_FUZZING_ENGINE=$LIB_FUZZING_ENGINE"
echo "  helper tools: CXXFLAGS=$tools_cxxflags"

# --- the helper tools, uninstrumented, first: ddimap-repro lists the harnesses ---
# Flags cleared (also in the environment: CMake seeds CMAKE_<LANG>_FLAGS from
# CFLAGS/CXXFLAGS/LDFLAGS) but for the C++ library, no engine. An AFL++ compiler
# wrapper instruments whatever it compiles, so for AFL builds the tools use plain
# clang/clang++.
tools_cc=$CC
tools_cxx=$CXX
case "$(basename "$CC")" in afl-*) tools_cc=clang ;; esac
case "$(basename "$CXX")" in afl-*) tools_cxx=clang++ ;; esac
env -u CFLAGS -u CXXFLAGS -u LDFLAGS -u CPPFLAGS -u LIB_FUZZING_ENGINE \
  cmake -G Ninja -S "$root" -B "$WORK/build-tools" \
  -DCMAKE_C_COMPILER="$tools_cc" -DCMAKE_CXX_COMPILER="$tools_cxx" \
  -DCMAKE_C_FLAGS= -DCMAKE_CXX_FLAGS="$tools_cxxflags" -DCMAKE_EXE_LINKER_FLAGS= \
  -DDDIMAP_FUZZING_ENGINE= \
  -DDDIMAP_BUILD_TESTS=OFF -DDDIMAP_WERROR=OFF -DDDIMAP_INSTALL=OFF
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
  -DDDIMAP_BUILD_TESTS=OFF -DDDIMAP_WERROR=OFF -DDDIMAP_INSTALL=OFF
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
  echo "build-targets.sh: ddimap-repro mentions LLVMFuzzerTestOneInput; leaving it in $WORK/build-tools/harnesses"
else
  cp "$repro" "$OUT/ddimap-repro"
fi

echo "ddimap build-targets.sh: done; $OUT holds:"
ls -l "$OUT"
