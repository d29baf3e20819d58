#!/usr/bin/env bash
# Source coverage of core/ by a corpus, and the rules and statuses it reaches.
#
#   ci/coverage.sh [--corpus DIR] [--harness H]...
#
# Builds the clang source-coverage preset `coverage` (-fprofile-instr-generate
# -fcoverage-mapping, no fuzzing engine: every fuzz target links the
# standalone main that runs the files it is given), replays a corpus through
# the fuzz target binaries and through ddimap-repro (both instrumented), merges
# the profiles with llvm-profdata and writes, under build/coverage/:
#   html/        llvm-cov show: core/ sources, line counts and branch coverage
#   summary.txt  llvm-cov report: line and branch coverage per core/ file + TOTAL
#   summary-drivers.txt  the same for examples/ (the sample drivers), when their fuzz
#                targets ran
#   reach.md     per harness: rules and documented statuses reached
#                (ddimap-repro --stats), with what was not reached
# summary.txt and reach.md are also printed.
#   --corpus DIR  replay the files of DIR (walked recursively) instead of the
#                 shipped corpus/<harness>/ (e.g. build/campaign/fuzz_all/corpus);
#                 the harness is --harness, else the fuzz_* name in DIR's path
#   --harness H   only this harness (repeatable; default: the list, ci/harnesses.sh)
#   JOBS=N        build parallelism (default: nproc)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

cmdline="ci/coverage.sh${*:+ $*}"
corpus_dir=""
harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) corpus_dir=${2:?--corpus needs a directory}; shift 2 ;;
    --harness) harnesses+=("${2:?--harness needs a name}"); shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "coverage: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -z "$corpus_dir" ] || [ -d "$corpus_dir" ] || { echo "coverage: no directory '$corpus_dir'" >&2; exit 2; }

bash ci/install-deps.sh
preset=coverage
build=build/$preset
bin=$build/harnesses
all_harnesses=($(bash ci/harnesses.sh $preset))
text_harnesses=($(bash ci/harnesses.sh $preset text))
for h in "${harnesses[@]}"; do
  [[ " ${all_harnesses[*]} " == *" $h "* ]] || { echo "coverage: unknown harness '$h'" >&2; exit 2; }
done
if [ -n "$corpus_dir" ]; then
  if [ ${#harnesses[@]} -eq 0 ]; then
    for h in "${all_harnesses[@]}"; do
      case "/$corpus_dir/" in */"$h"/*) harnesses=("$h") ;; esac
    done
    [ ${#harnesses[@]} -gt 0 ] || { echo "coverage: cannot tell the harness of '$corpus_dir'; give --harness" >&2; exit 2; }
  fi
  [ ${#harnesses[@]} -eq 1 ] || { echo "coverage: --corpus takes exactly one --harness" >&2; exit 2; }
fi
[ ${#harnesses[@]} -gt 0 ] || harnesses=("${all_harnesses[@]}")

# llvm-profdata / llvm-cov of the same LLVM as clang (Debian: llvm-14, maybe only with the -14 suffix).
clang_major=$(clang --version | sed -nE 's/.*clang version ([0-9]+).*/\1/p' | head -n 1)
tool() {
  local t
  for t in "$1-$clang_major" "/usr/lib/llvm-$clang_major/bin/$1" "$1"; do
    if command -v "$t" >/dev/null 2>&1; then command -v "$t"; return 0; fi
  done
  echo "coverage: $1 not found (Debian package llvm-$clang_major)" >&2
  return 1
}
profdata=$(tool llvm-profdata)
llvm_cov=$(tool llvm-cov)

cmake --build --preset "$preset" --parallel "${JOBS:-$(nproc)}" --target "${harnesses[@]}" ddimap-repro

out=$build
raw=$out/profraw
rm -rf "$raw" "$out/html" "$out/coverage.profdata"
mkdir -p "$raw"
export LLVM_PROFILE_FILE="$root/$raw/%m-%p.profraw"

reach_rows=()
replay_failures=0
for h in "${harnesses[@]}"; do
  text=$([[ " ${text_harnesses[*]} " != *" $h "* ]] || echo --text)
  row=$(python3 ci/fuzzlib.py coverage-replay "$h" "${corpus_dir:-corpus/$h}" "$bin" "$raw" $text) ||
    replay_failures=$((replay_failures + $?))
  reach_rows+=("$row")
done

mapfile -t profiles < <(find "$raw" -name '*.profraw' | sort)
[ ${#profiles[@]} -gt 0 ] || { echo "coverage: no profiles were written" >&2; exit 1; }
"$profdata" merge -sparse -o "$out/coverage.profdata" "${profiles[@]}"

objects=("$bin/ddimap-repro")
for h in "${harnesses[@]}"; do objects+=(-object "$bin/$h"); done
cov_args=("${objects[@]}" -instr-profile="$out/coverage.profdata")

# Every fuzz target defines its own LLVMFuzzerTestOneInput (and main), so llvm-cov
# warns that those few functions "have mismatched data" across the binaries;
# they are outside core/ and do not affect the figures, so the warning is dropped.
quiet_cov() { "$llvm_cov" "$@" 2> >(grep -v 'functions have mismatched data' >&2); }
quiet_cov show "${cov_args[@]}" -format=html -output-dir="$out/html" \
  -show-line-counts-or-regions -show-branches=count -show-expansions=false \
  -project-title="ddimap core/" "$root/core"

{
  echo "# ddimap: source coverage of core/"
  echo "# command: $cmdline"
  echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(clang --version | head -n 1); profiles merged: ${#profiles[@]}"
  echo "# corpus: ${corpus_dir:-corpus/<harness>/ (shipped)}"
  quiet_cov report "${cov_args[@]}" -show-branch-summary -show-region-summary=false \
    -show-instantiation-summary=false "$root/core"
} >"$out/summary.txt"
# The sample drivers' own sources, when their fuzz targets ran (a driver author's figure).
drivers=" $("$bin/ddimap-repro" --list-harnesses=driver | tr '\n' ' ') "
driver_run=0
for h in "${harnesses[@]}"; do [[ $drivers != *" $h "* ]] || driver_run=1; done
if [ "$driver_run" = 1 ]; then
  quiet_cov report "${cov_args[@]}" -show-branch-summary -show-region-summary=false \
    -show-instantiation-summary=false "$root/examples" >"$out/summary-drivers.txt"
fi

{
  echo "| harness | corpus | inputs | rules reached | statuses reached | not reached |"
  echo "|---|---|---:|---:|---:|---|"
  printf '%s\n' "${reach_rows[@]}"
} >"$out/reach.md"

echo
cat "$out/summary.txt"
echo
cat "$out/reach.md"
echo
[ "$driver_run" = 0 ] || { cat "$out/summary-drivers.txt"; echo; }
echo "HTML report: $out/html/index.html; summary: $out/summary.txt; reach: $out/reach.md"
if [ "$replay_failures" -gt 0 ]; then
  echo "coverage: $replay_failures replay(s) reported failures (see above); the figures include every input" >&2
  exit 1
fi
