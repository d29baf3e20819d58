#!/usr/bin/env bash
# The main job: a fuzz campaign on the shipped corpus, ending with a summary.
#
#   ci/campaign.sh [--seconds N] [--harness NAME]... [--engine libfuzzer|afl]
#
# Installs what it needs, builds the targets, then fuzzes each harness in turn
# for its share of the time, showing progress as it goes. Each harness's corpus
# lives in build/campaign/<harness>/corpus, seeded from corpus/<harness>/ and
# kept (grown) between campaigns; crashes land in build/campaign/<harness>/
# crashes. At the end a table per harness: executions, exec/s, edges, corpus
# size (+ inputs merged this campaign), rules and statuses reached (the corpus
# replayed through ddimap-repro --stats), crashes grouped by signature.
#   --seconds N   total fuzzing time, split over the harnesses (default 300)
#   --harness H   only this harness (repeatable; default: the list, ci/harnesses.sh)
#   --engine E    libfuzzer (default): preset libfuzzer-asan, -fork over all
#                   cores into a scratch directory, then -merge=1 of what it
#                   found into the corpus; progress: libFuzzer's status lines
#                 afl: presets afl-asan and afl-cmplog, afl-fuzz -M main and,
#                   with 2+ cores, a cmplog secondary (-S cmplog -c ...), both
#                   with the harness's dictionary, -V its share; progress: a
#                   line per instance every 10 s (queue and crashes live,
#                   executions and edges from fuzzer_stats, which afl-fuzz
#                   rewrites every 60 s); afl-cmin merges the queues into the
#                   corpus
#   JOBS=N        build parallelism (default: nproc)
# Crash signatures: `SIGNATURE: ...` from ddimap-repro (oracle mismatches,
# self-checks), else the sanitizer's error type and the top two ddimap::
# frames, else the harness's or the engine's error line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

total=300
engine=libfuzzer
harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) total=${2:?--seconds needs a number}; shift 2 ;;
    --harness) harnesses+=("${2:?--harness needs a name}"); shift 2 ;;
    --engine) engine=${2:?--engine needs libfuzzer or afl}; shift 2 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "campaign: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
cores=$(nproc)
# The engine's presets (the first builds the targets fuzzed), its name in the
# summary, the heading and width of its edges column.
case "$engine" in
  libfuzzer) presets=(libfuzzer-asan) what="libFuzzer -fork=$cores" edges_head=edges ew=7 ;;
  afl) presets=(afl-asan afl-cmplog) what="AFL++ main$([ "$cores" -ge 2 ] && echo ' + cmplog')"
       edges_head="edges (cvg)" ew=14 ;;
  *) echo "campaign: unknown engine '$engine' (libfuzzer or afl)" >&2; exit 2 ;;
esac
[[ "$total" =~ ^[0-9]+$ ]] || { echo "campaign: --seconds needs a whole number" >&2; exit 2; }

bash ci/install-deps.sh
preset=${presets[0]}
all_harnesses=($(bash ci/harnesses.sh $preset))
text_harnesses=($("build/$preset/harnesses/ddimap-repro" --list-harnesses=text))
for h in "${harnesses[@]}"; do
  [[ " ${all_harnesses[*]} " == *" $h "* ]] || { echo "campaign: unknown harness '$h'" >&2; exit 2; }
done
[ ${#harnesses[@]} -gt 0 ] || harnesses=("${all_harnesses[@]}")
per=$(( total / ${#harnesses[@]} ))
[ "$per" -ge 5 ] || per=5

for p in "${presets[@]}"; do
  cmake --preset "$p" >/dev/null
  cmake --build --preset "$p" --parallel "${JOBS:-$cores}" --target "${harnesses[@]}" ddimap-repro
done
bin=build/$preset/harnesses
cmplog_bin=build/afl-cmplog/harnesses   # (AFL++ only)
# The reproducer: no fuzzing engine (built with the same sanitizers as the targets).
repro=$bin/ddimap-repro
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer || true)}

# ---------------------------------------------------------------------------
# Helpers shared by both engines; what they compute is ci/fuzzlib.py's.
lib="python3 ci/fuzzlib.py"
is_text() { [[ " ${text_harnesses[*]} " == *" $1 "* ]]; }

seed_corpus() {   # H DIR
  mkdir -p "$2/corpus" "$2/crashes"
  if [ -z "$(ls -A "$2/corpus")" ]; then cp corpus/"$1"/* "$2/corpus/" 2>/dev/null || true; fi
}

count_files() { find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l; }

# add_row H EXECS RATE EDGES ADDED DIR CRASHES_BEFORE: the harness's summary
# lines (figures, rules and statuses reached, crashes by signature).
summary=()
add_row() {
  summary+=("$($lib campaign-row "$ew" "$@" "$bin/$1" "$repro" $(is_text "$1" && echo --text))")
}

# ---------------------------------------------------------------------------
# libFuzzer: -fork over all cores, then -merge=1 into the campaign corpus.
#
# Fork mode writes every input that adds coverage into its FIRST corpus
# directory (as its jobs finish; the inputs of jobs still running when the time
# is up are lost with its temporary directory). It gets a scratch directory
# first and the campaign corpus second (read as seeds), so -merge=1 decides
# what enters the campaign corpus and the summary can say how much did.
run_libfuzzer() {
  local h=$1 dir=build/campaign/$1 opts before_corpus before_crashes found added execs rate edges
  seed_corpus "$h" "$dir"
  mkdir -p "$dir/new"       # anything left here by an interrupted campaign is merged too
  mapfile -t opts < <($lib options "dictionaries/$h.options" --dict-dir dictionaries)
  before_corpus=$(count_files "$dir/corpus")
  before_crashes=$(count_files "$dir/crashes")
  echo "=== campaign (libFuzzer): $h for ${per}s on $cores core(s) ==="
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$bin/$h" -fork="$cores" -ignore_crashes=1 -max_total_time="$per" "${opts[@]}" -timeout=10 -rss_limit_mb=2560 -artifact_prefix="$dir/crashes/" \
    "$dir/new" "$dir/corpus" 2>&1 | tee "$dir/log" | grep --line-buffered -E '^#[0-9]+: cov' || true
  found=$(count_files "$dir/new")
  if [ "$found" -gt 0 ]; then
    ASAN_OPTIONS=detect_leaks=1 "$bin/$h" -merge=1 "${opts[@]}" -timeout=10 -rss_limit_mb=2560 \
      -artifact_prefix="$dir/crashes/" "$dir/corpus" "$dir/new" >"$dir/merge.log" 2>&1 || echo "campaign: $h: -merge=1 failed, see $dir/merge.log" >&2
    grep -E '^MERGE-OUTER: [0-9]+ new files' "$dir/merge.log" || true
  fi
  added=$(( $(count_files "$dir/corpus") - before_corpus ))
  echo "=== $h: fork mode kept $found new input(s); -merge=1 added $added to $dir/corpus ==="
  # Merged or redundant: the scratch directory starts empty next time.
  [ "$found" -eq 0 ] || find "$dir/new" -maxdepth 1 -type f -delete
  IFS=$'\t' read -r execs rate edges < <($lib libfuzzer-log "$dir/log")
  add_row "$h" "$execs" "$rate" "$edges" "$added" "$dir" "$before_crashes"
}

# ---------------------------------------------------------------------------
# AFL++: -M main (+ -S cmplog), afl-cmin of the queues into the campaign corpus.

# afl-fuzz leaves the stopped persistent-mode child of the cmplog fork server
# behind when -V ends it (orphaned, state T), and a script's background jobs
# ignore Ctrl-C. Every afl-fuzz and target process of ours carries this tag in
# its environment: exactly those are ended, after each harness and on exit.
afl_tag="ddimap-campaign-$$-$RANDOM"
reap_afl_leftovers() {
  local exe p sig
  for exe in /proc/[0-9]*/exe; do
    p=${exe#/proc/}; p=${p%/exe}
    case "$(readlink "$exe" 2>/dev/null)" in
      "$root"/build/afl-*/harnesses/*) sig=KILL ;;
      */afl-fuzz) sig=TERM ;;
      *) continue ;;
    esac
    if grep -qsxz "DDIMAP_CAMPAIGN_TAG=$afl_tag" "/proc/$p/environ"; then kill -"$sig" "$p" 2>/dev/null || true; fi
  done
}

run_afl() {
  local h=$1 dir=build/campaign/$1 out=build/campaign/$1/afl before_corpus before_crashes pids=() names=()
  seed_corpus "$h" "$dir"
  before_corpus=$(count_files "$dir/corpus")
  before_crashes=$(count_files "$dir/crashes")
  rm -rf "$out"; mkdir -p "$out"
  local -a env=(AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
                AFL_ALLOW_TMP=1 DDIMAP_CAMPAIGN_TAG="$afl_tag")
  local -a common=(-i "$dir/corpus" -o "$out" -x "dictionaries/$h.dict" -V "$per")
  echo "=== campaign (AFL++): $h for ${per}s: main$([ "$cores" -ge 2 ] && echo ' + cmplog secondary') ==="
  env "${env[@]}" afl-fuzz "${common[@]}" -M main -- "$bin/$h" >"$out/main.log" 2>&1 &
  pids+=($!); names+=(main)
  if [ "$cores" -ge 2 ]; then
    env "${env[@]}" afl-fuzz "${common[@]}" -S cmplog -c "$cmplog_bin/$h" -- "$bin/$h" >"$out/cmplog.log" 2>&1 &
    pids+=($!); names+=(cmplog)
  fi
  local start=$SECONDS next=10 alive i
  while :; do
    alive=0
    for i in "${!pids[@]}"; do kill -0 "${pids[$i]}" 2>/dev/null && alive=1; done
    [ "$alive" -eq 1 ] || break
    if [ $((SECONDS - start)) -ge "$next" ]; then
      $lib afl-progress "$out" $((SECONDS - start)); next=$((next + 10))
    fi
    if [ $((SECONDS - start)) -gt $((per + 120)) ]; then   # -V ends them; this is only a safety net
      echo "campaign: $h: afl-fuzz still running after $((SECONDS - start))s, stopping it" >&2
      for i in "${!pids[@]}"; do kill "${pids[$i]}" 2>/dev/null || true; done
    fi
    sleep 1
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      echo "campaign: $h: afl-fuzz (${names[$i]}) failed; the end of $out/${names[$i]}.log:" >&2
      tail -n 15 "$out/${names[$i]}.log" | sed 's/\x1b\[[0-9;]*m//g' >&2
    fi
  done
  $lib afl-progress "$out" $((SECONDS - start))
  reap_afl_leftovers

  # Merge: afl-cmin over the campaign corpus plus every instance's queue; of what
  # it keeps, the queue entries join the corpus (named by content hash).
  local pool=$out/cmin-in kept=$out/cmin-out n execs rate edges
  n=$($lib afl-pool "$dir/corpus" "$out" "$pool")
  echo "=== $h: afl-cmin over $(count_files "$pool") input(s) ($n from the queues) ==="
  if AFL_ALLOW_TMP=1 AFL_SKIP_CPUFREQ=1 afl-cmin -i "$pool" -o "$kept" -- "$bin/$h" >"$out/cmin.log" 2>&1; then
    $lib adopt "$kept" "$dir/corpus" q-
  else
    echo "campaign: $h: afl-cmin failed, see $out/cmin.log; the corpus is unchanged" >&2
  fi
  local added=$(( $(count_files "$dir/corpus") - before_corpus ))
  echo "=== $h: afl-cmin kept $(count_files "$kept") input(s); $added new one(s) added to $dir/corpus ==="

  $lib afl-crashes "$out" "$dir/crashes"
  IFS=$'\t' read -r execs rate edges < <($lib afl-totals "$out")
  add_row "$h" "$execs" "$rate" "$edges" "$added" "$dir" "$before_crashes"
}

# ---------------------------------------------------------------------------

if [ "$engine" = afl ]; then trap reap_afl_leftovers EXIT; trap 'exit 130' INT TERM; fi
for h in "${harnesses[@]}"; do "run_$engine" "$h"; done

echo
echo "=== ddimap campaign summary: $what, ${total}s over ${#harnesses[@]} harness(es) (${per}s each) ==="
printf "%-15s %11s %8s %${ew}s %12s  %-28s %s\n" harness executions exec/s "$edges_head" "corpus (new)" "reached" crashes
for line in "${summary[@]}"; do echo "$line"; done
echo "corpora: build/campaign/<harness>/corpus; crashes: build/campaign/<harness>/crashes"
echo "reproduce a crash: $repro --profile <harness> <crash file>"
drivers=" $("$repro" --list-harnesses=driver | tr '\n' ' ') "
for h in "${harnesses[@]}"; do
  if [[ $drivers == *" $h "* ]]; then
    echo "  (a driver target's crash: DDIMAP_FUZZ_TRACE=1 $bin/<harness> <crash file>, or ci/triage.sh --harness <harness> <crash file>)"
    break
  fi
done
