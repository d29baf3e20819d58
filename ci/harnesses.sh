#!/usr/bin/env bash
# The harness list (harnesses/harnesses.def), one name a line, in list order:
# what PRESET's ddimap-repro --list-harnesses[=FILTER] prints, after
# configuring PRESET and building ddimap-repro there. Scripts keep no list.
#   ci/harnesses.sh PRESET [binary|text|reach]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p build
{ cmake --preset "$1" && cmake --build --preset "$1" --parallel "${JOBS:-$(nproc)}" --target ddimap-repro; } \
  >"build/harnesses-$1.log" 2>&1 || { tail -n 30 "build/harnesses-$1.log" >&2; exit 1; }
# (A coverage build's reproducer would leave default.profraw here.)
LLVM_PROFILE_FILE=/dev/null exec "build/$1/harnesses/ddimap-repro" "--list-harnesses${2:+=$2}"
