#!/usr/bin/env bash
# Measures the figures in docs/fuzzing.md, on one core, under libFuzzer + ASan + UBSan:
#  1. throughput: each harness fuzzing from its shipped corpus for T seconds
#     (-seed=1, its dictionary), and the empty target fuzz_empty on the same
#     corpus, same flags, same run: exec/s and the ratio harness/empty;
#  2. reach: each harness from an EMPTY corpus for R seconds, then the corpus it
#     built replayed through ddimap-repro --stats: rules and documented statuses
#     reached (fuzz_all against every rule; the others against their own).
#   THROUGHPUT_SECONDS (default 10), REACH_SECONDS (default 60), SEED (default 1)
# Prints markdown tables.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
T=${THROUGHPUT_SECONDS:-10}
R=${REACH_SECONDS:-60}
SEED=${SEED:-1}
preset=libfuzzer-asan
harnesses="fuzz_ndis_io fuzz_mm_io fuzz_umdf_io fuzz_ndis_file fuzz_video fuzz_all fuzz_trace"
cmake --preset "$preset" >/dev/null
# shellcheck disable=SC2086
cmake --build --preset "$preset" --parallel "$(nproc)" --target $harnesses fuzz_empty ddimap-repro >/dev/null
bin=build/$preset/harnesses
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1

rate() {  # rate BINARY CORPUS_DIR DICT SECONDS -> average exec/s
  "$1" -seed="$SEED" -max_total_time="$4" -max_len=4096 -dict="$3" -print_final_stats=1 \
    -artifact_prefix="$work/" "$2" 2>&1 | sed -n 's/^stat::average_exec_per_sec: *//p'
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), clang $(clang --version | head -1 | grep -oE '[0-9]+\.[0-9.]+' | head -1)"
echo
echo "| harness | exec/s | empty target exec/s (same corpus) | ratio |"
echo "|---|---:|---:|---:|"
for h in $harnesses; do
  mkdir -p "$work/t-$h" "$work/e-$h"
  cp corpus/"$h"/* "$work/t-$h/"
  cp corpus/"$h"/* "$work/e-$h/"
  hr=$(rate "$bin/$h" "$work/t-$h" "dictionaries/$h.dict" "$T")
  er=$(rate "$bin/fuzz_empty" "$work/e-$h" "dictionaries/$h.dict" "$T")
  ratio=$(awk -v a="$hr" -v b="$er" 'BEGIN { if (b > 0) printf "%.1f%%", 100 * a / b; else print "?" }')
  echo "| $h | $hr | $er | $ratio |"
done

echo
echo "| harness (empty corpus, ${R}s, 1 core) | rules reached | statuses reached | not reached |"
echo "|---|---:|---:|---|"
for h in $harnesses; do
  [ "$h" = fuzz_trace ] && continue
  mkdir -p "$work/r-$h"
  "$bin/$h" -seed="$SEED" -max_total_time="$R" -max_len=4096 -dict="dictionaries/$h.dict" \
    -artifact_prefix="$work/" "$work/r-$h" >/dev/null 2>&1 || true
  out=$("$bin/ddimap-repro" --quiet --stats --profile "$h" "$work/r-$h" 2>/dev/null || true)
  reach=$(sed -n 's/^# reach[^:]*: //p' <<<"$out")
  rules=$(sed -nE 's/rules ([0-9]+\/[0-9]+).*/\1/p' <<<"$reach")
  statuses=$(sed -nE 's/.*statuses ([0-9]+\/[0-9]+).*/\1/p' <<<"$reach")
  missing=$(sed -nE 's/^# (rule|status) not reached: //p' <<<"$out" | paste -sd, - | sed 's/,/, /g')
  echo "| $h | $rules | $statuses | ${missing:-none} |"
done
