#!/usr/bin/env bash
# A short libFuzzer run of every harness of the list (ci/harnesses.sh), built
# with clang + ASan + UBSan, starting from its shipped corpus with its
# dictionary and options. Fails when any run finds a crash, an oracle
# mismatch, a leak or a timeout.
#   DDIMAP_SMOKE_SECONDS  seconds per harness (default 20)
#   DDIMAP_SMOKE_HARNESSES  which harnesses (default: the whole list)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${DDIMAP_SMOKE_SECONDS:-20}
preset=libfuzzer-asan
cmake --preset "$preset" >/dev/null
harnesses=${DDIMAP_SMOKE_HARNESSES:-$(bash ci/harnesses.sh $preset)}
drivers=" $(build/$preset/harnesses/ddimap-repro --list-harnesses=driver | tr '\n' ' ') "

# shellcheck disable=SC2086
cmake --build --preset "$preset" --parallel "$(nproc)" --target $harnesses

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for h in $harnesses; do
  mkdir -p "$work/$h/corpus" "$work/$h/artifacts"
  cp corpus/"$h"/* "$work/$h/corpus/" 2>/dev/null || true
  mapfile -t opts < <(python3 ci/fuzzlib.py options "dictionaries/$h.options" --dict-dir dictionaries)
  echo "=== fuzz smoke: $h for ${seconds}s ==="
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "build/$preset/harnesses/$h" -max_total_time="$seconds" "${opts[@]}" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
      -artifact_prefix="$work/$h/artifacts/" "$work/$h/corpus" >"$work/$h/log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec|Done [0-9]+ runs' "$work/$h/log" || true
  else
    echo "FAIL: $h found something; the end of its log:"
    tail -n 60 "$work/$h/log"
    for a in "$work/$h/artifacts"/*; do
      [ -e "$a" ] || continue
      if [[ $drivers == *" $h "* ]]; then  # a driver target replays its own inputs
        echo "--- $a (base64, replay with: DDIMAP_FUZZ_TRACE=1 build/gcc-debug/harnesses/$h FILE)"
      else
        echo "--- $a (base64, replay with: build/gcc-debug/harnesses/ddimap-repro --profile $h FILE)"
      fi
      base64 -w0 "$a"; echo
    done
    status=1
  fi
done
exit $status
