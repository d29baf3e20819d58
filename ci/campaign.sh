#!/usr/bin/env bash
# The main job: a fuzz campaign on the shipped corpus, ending with a summary.
#
#   ci/campaign.sh [--seconds N] [--harness NAME]...
#
# Installs what it needs, builds the libFuzzer + ASan + UBSan targets, then
# fuzzes each harness in turn with libFuzzer -fork over all cores (progress
# lines as it goes). Each harness's corpus lives in build/campaign/<harness>/
# corpus, seeded from corpus/<harness>/ and kept between campaigns; fork mode
# merges every new input into it. Crashes land in build/campaign/<harness>/
# crashes. At the end a table per harness: executions, exec/s, edges, corpus
# size, rules and statuses reached (replayed through ddimap-repro --stats),
# crashes grouped by their first report line.
#   --seconds N   total fuzzing time, split over the harnesses (default 300)
#   --harness H   only this harness (repeatable; default all seven)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

total=300
harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) total=$2; shift 2 ;;
    --harness) harnesses+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "campaign: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#harnesses[@]} -gt 0 ] || harnesses=(fuzz_ndis_io fuzz_mm_io fuzz_umdf_io fuzz_ndis_file fuzz_video fuzz_all fuzz_trace)

bash ci/install-deps.sh
preset=libfuzzer-asan
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --parallel "$(nproc)" --target "${harnesses[@]}" ddimap-repro
bin=build/$preset/harnesses
per=$(( total / ${#harnesses[@]} ))
[ "$per" -ge 5 ] || per=5
jobs=$(nproc)

summary=()
for h in "${harnesses[@]}"; do
  dir=build/campaign/$h
  mkdir -p "$dir/corpus" "$dir/crashes"
  if [ -z "$(ls -A "$dir/corpus")" ]; then cp corpus/"$h"/* "$dir/corpus/" 2>/dev/null || true; fi
  max_len=$(sed -n 's/^max_len *= *//p' "dictionaries/$h.options")
  echo "=== campaign: $h for ${per}s on $jobs cores ==="
  # Progress: libFuzzer's fork-mode status lines, as they come.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$bin/$h" -fork="$jobs" -ignore_crashes=1 -max_total_time="$per" -max_len="$max_len" \
    -dict="dictionaries/$h.dict" -timeout=10 -rss_limit_mb=2560 -artifact_prefix="$dir/crashes/" \
    "$dir/corpus" 2>&1 | tee "$dir/log" | grep --line-buffered -E '^#[0-9]+: cov' || true
  last=$(grep -E '^#[0-9]+: cov' "$dir/log" | tail -n 1)
  execs=$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$last")
  edges=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  rate=$(sed -nE 's/.* exec\/s: ([0-9]+).*/\1/p' <<<"$last")
  size=$(ls "$dir/corpus" | wc -l)
  if [ "$h" = fuzz_trace ]; then
    reach=$("$bin/ddimap-repro" --quiet --stats --no-oracle "$dir/corpus" 2>/dev/null | sed -n 's/^# reach[^:]*: //p' || true)
  else
    reach=$("$bin/ddimap-repro" --quiet --stats --profile "$h" "$dir/corpus" 2>/dev/null | sed -n 's/^# reach[^:]*: //p' || true)
  fi
  crashes=$(ls "$dir/crashes" | wc -l)
  groups=""
  if [ "$crashes" -gt 0 ]; then
    groups=$(for c in "$dir/crashes"/*; do
               ASAN_OPTIONS=detect_leaks=0 "$bin/$h" "$c" 2>&1 | grep -m1 -E '^(ERROR|==[0-9]+==ERROR)' | sed -E 's/^==[0-9]+==//' || echo "unknown"
             done | sort | uniq -c | sort -rn | head -n 5)
  fi
  summary+=("$(printf '%-15s %10s %8s %6s %7s  %-30s %s' "$h" "${execs:-0}" "${rate:-0}" "${edges:-0}" "$size" "${reach:-?}" "$crashes")")
  [ -z "$groups" ] || summary+=("$(sed 's/^/                  crash: /' <<<"$groups")")
done

echo
echo "=== ddimap campaign summary (${total}s over ${#harnesses[@]} harness(es), $jobs core(s)) ==="
printf '%-15s %10s %8s %6s %7s  %-30s %s\n' harness executions exec/s edges corpus "reached" crashes
for line in "${summary[@]}"; do echo "$line"; done
echo "corpora: build/campaign/<harness>/corpus; crashes: build/campaign/<harness>/crashes"
echo "reproduce a crash: $bin/ddimap-repro --profile <harness> <crash file>"
