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
#   --harness H   only this harness (repeatable; default all seven)
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

all_harnesses=(fuzz_ndis_io fuzz_mm_io fuzz_umdf_io fuzz_ndis_file fuzz_video fuzz_all fuzz_trace)
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
case "$engine" in libfuzzer|afl) ;; *) echo "campaign: unknown engine '$engine' (libfuzzer or afl)" >&2; exit 2 ;; esac
[[ "$total" =~ ^[0-9]+$ ]] || { echo "campaign: --seconds needs a whole number" >&2; exit 2; }
for h in "${harnesses[@]}"; do
  [[ " ${all_harnesses[*]} " == *" $h "* ]] || { echo "campaign: unknown harness '$h'" >&2; exit 2; }
done
[ ${#harnesses[@]} -gt 0 ] || harnesses=("${all_harnesses[@]}")

bash ci/install-deps.sh
cores=$(nproc)
build_jobs=${JOBS:-$cores}
ew=7; [ "$engine" = libfuzzer ] || ew=14   # width of the edges column
per=$(( total / ${#harnesses[@]} ))
[ "$per" -ge 5 ] || per=5

if [ "$engine" = libfuzzer ]; then
  preset=libfuzzer-asan
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" --parallel "$build_jobs" --target "${harnesses[@]}" ddimap-repro
  bin=build/$preset/harnesses
else
  for preset in afl-asan afl-cmplog; do
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" --parallel "$build_jobs" --target "${harnesses[@]}" ddimap-repro
  done
  bin=build/afl-asan/harnesses
  cmplog_bin=build/afl-cmplog/harnesses
fi
# The reproducer: no fuzzing engine (built with the same sanitizers as the targets).
repro=$bin/ddimap-repro
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer || true)}

# ---------------------------------------------------------------------------
# Helpers shared by both engines.

# Reads a failure's output on stdin, prints its signature (empty if none).
signature_of_output() {
  awk '
    function frame(s) {
      sub(/^ *#[0-9]+ 0x[0-9a-f]+ in /, "", s)
      gsub(/\(anonymous namespace\)/, "{anon}", s)
      sub(/\(.*/, "", s)          # drop the parameter list and location
      return s
    }
    /^SIGNATURE: / && sig == "" { sig = substr($0, 12) }
    /==[0-9]+==ERROR: [A-Za-z]+Sanitizer: / && san == "" {
      s = $0; sub(/.*==ERROR: /, "", s); sub(/ on (unknown )?address.*/, "", s); sub(/ \(pc .*/, "", s)
      sub(/ on .*/, "", s); san = s; stacks = 0
    }
    / runtime error: / && san == "" {
      s = $0; sub(/.* runtime error: /, "", s); sub(/:.*/, "", s); gsub(/[0-9]+/, "N", s)
      san = "UndefinedBehaviorSanitizer: " s; stacks = 0
    }
    san != "" && /^ *#0 0x/ { stacks++ }
    san != "" && stacks == 1 && nframes < 2 && /^ *#[0-9]+ 0x[0-9a-f]+ in ddimap::/ { frames[nframes++] = frame($0) }
    /^ERROR: ddimap-harness: / && harness == "" { harness = substr($0, 8) }
    /ERROR: libFuzzer: / && engine == "" { s = $0; sub(/.*ERROR: /, "", s); sub(/ after [0-9]+ seconds/, "", s); engine = s }
    END {
      if (sig != "") print sig
      else if (san != "") {
        out = san
        if (nframes > 0) out = out " in " frames[0]
        if (nframes > 1) out = out " < " frames[1]
        print out
      } else if (harness != "") print harness
      else if (engine != "") print engine
    }'
}

# signature H FILE TARGET: reproduces FILE and prints one line naming the failure.
signature() {
  local h=$1 f=$2 target=$3 input=$2 tmp="" out sig
  if [ "$h" = fuzz_trace ]; then    # ddimap-repro reads a *.trace file as a trace
    tmp=$(mktemp --suffix=.trace); cp "$f" "$tmp"; input=$tmp
  fi
  out=$(ASAN_OPTIONS=detect_leaks=1:symbolize=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        timeout 60 "$repro" --quiet --profile "$h" "$input" 2>&1) || true
  [ -z "$tmp" ] || rm -f "$tmp"
  sig=$(signature_of_output <<<"$out")
  if [ -z "$sig" ]; then
    # Not reproduced by ddimap-repro (e.g. fuzz_trace's print/parse checks, which
    # only the target makes): run the target itself on the file.
    # It runs in a scratch directory: libFuzzer writes a crash-* artifact to the current one.
    local scratch abs_target abs_file
    scratch=$(mktemp -d); abs_target=$(realpath "$target"); abs_file=$(realpath "$f")
    out=$(cd "$scratch" && ASAN_OPTIONS=detect_leaks=1:symbolize=1 \
          UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 timeout 60 "$abs_target" "$abs_file" 2>&1) || true
    rm -rf "$scratch"
    sig=$(signature_of_output <<<"$out")
  fi
  if [ -z "$sig" ]; then
    case "$(basename "$f")" in
      timeout-*) sig="libFuzzer: timeout" ;;
      oom-*) sig="libFuzzer: out-of-memory" ;;
      *) sig="does not reproduce" ;;
    esac
  fi
  echo "$sig"
}

# crash_groups H DIR TARGET: "count  signature  (e.g. file)" per signature, most frequent first.
crash_groups() {
  local h=$1 d=$2 target=$3 f
  for f in "$d"/*; do
    [ -f "$f" ] || continue
    printf '%s\t%s\n' "$(signature "$h" "$f" "$target")" "$(basename "$f")"
  done | sort -t $'\t' -k1,1 -k2,2 |
    awk -F '\t' '{ n[$1]++; if (!($1 in ex)) ex[$1] = $2 } END { for (s in n) printf "%d\t%s\t%s\n", n[s], s, ex[s] }' |
    sort -t $'\t' -k1,1nr -k2,2
}

# reach H DIR: sets reach_line ("rules a/b, statuses c/d") and reach_missing.
reach() {
  local h=$1 d=$2 out tmp=""
  local args=(--quiet --stats --profile "$1")
  if [ "$h" = fuzz_trace ]; then
    # The corpus holds text traces, most not named *.trace: copy them under that
    # name. The target ran the oracle on every program it kept; here the core alone.
    tmp=$(mktemp -d)
    local i=0 f
    for f in "$d"/*; do
      [ -f "$f" ] || continue
      i=$((i + 1)); cp "$f" "$tmp/$(printf '%06d' "$i").trace"
    done
    d=$tmp
    args+=(--no-oracle)
  fi
  out=$(ASAN_OPTIONS=detect_leaks=0 "$repro" "${args[@]}" "$d" 2>/dev/null || true)
  [ -z "$tmp" ] || rm -rf "$tmp"
  reach_line=$(sed -n 's/^# reach[^:]*: //p' <<<"$out")
  reach_missing=$(sed -n 's/^# \(rule\|status\) not reached: //p' <<<"$out" | paste -sd, - | sed 's/,/, /g')
}

seed_corpus() {   # H DIR
  mkdir -p "$2/corpus" "$2/crashes"
  if [ -z "$(ls -A "$2/corpus")" ]; then cp corpus/"$1"/* "$2/corpus/" 2>/dev/null || true; fi
}

count_files() { find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l; }

summary=()
add_row() {   # H EXECS RATE EDGES CORPUS_SIZE ADDED CRASH_DIR CRASHES_BEFORE TARGET
  local h=$1 execs=$2 rate=$3 edges=$4 size=$5 added=$6 cdir=$7 before=$8 target=$9 crashes groups
  reach "$h" "$cdir/../corpus"
  crashes=$(count_files "$cdir")
  local cshow=$crashes
  [ "$crashes" -eq 0 ] || cshow="$crashes ($((crashes - before)) new)"
  summary+=("$(printf "%-15s %11s %8s %${ew}s %12s  %-28s %s" "$h" "${execs:-0}" "${rate:-0}" "${edges:-?}" \
                 "$size (+$added)" "${reach_line:-?}" "$cshow")")
  [ -z "$reach_missing" ] || summary+=("                  not reached: $reach_missing")
  if [ "$crashes" -gt 0 ]; then
    groups=$(crash_groups "$h" "$cdir" "$target")
    while IFS=$'\t' read -r n sig ex; do
      summary+=("$(printf '                  crash x%-3s %s  (e.g. %s)' "$n" "$sig" "$ex")")
    done <<<"$groups"
  fi
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
  local h=$1 dir=build/campaign/$1 max_len before_corpus before_crashes found added last execs edges rate
  seed_corpus "$h" "$dir"
  mkdir -p "$dir/new"       # anything left here by an interrupted campaign is merged too
  max_len=$(sed -n 's/^max_len *= *//p' "dictionaries/$h.options")
  before_corpus=$(count_files "$dir/corpus")
  before_crashes=$(count_files "$dir/crashes")
  echo "=== campaign (libFuzzer): $h for ${per}s on $cores core(s) ==="
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$bin/$h" -fork="$cores" -ignore_crashes=1 -max_total_time="$per" -max_len="$max_len" \
    -dict="dictionaries/$h.dict" -timeout=10 -rss_limit_mb=2560 -artifact_prefix="$dir/crashes/" \
    "$dir/new" "$dir/corpus" 2>&1 | tee "$dir/log" | grep --line-buffered -E '^#[0-9]+: cov' || true
  found=$(count_files "$dir/new")
  if [ "$found" -gt 0 ]; then
    ASAN_OPTIONS=detect_leaks=1 "$bin/$h" -merge=1 -max_len="$max_len" -timeout=10 -rss_limit_mb=2560 \
      -artifact_prefix="$dir/crashes/" "$dir/corpus" "$dir/new" >"$dir/merge.log" 2>&1 || echo "campaign: $h: -merge=1 failed, see $dir/merge.log" >&2
    grep -E '^MERGE-OUTER: [0-9]+ new files' "$dir/merge.log" || true
  fi
  added=$(( $(count_files "$dir/corpus") - before_corpus ))
  echo "=== $h: fork mode kept $found new input(s); -merge=1 added $added to $dir/corpus ==="
  # Merged or redundant: the scratch directory starts empty next time.
  [ "$found" -eq 0 ] || find "$dir/new" -maxdepth 1 -type f -delete
  last=$(grep -E '^#[0-9]+: cov' "$dir/log" | tail -n 1 || true)
  execs=$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$last")
  edges=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  # Fork mode's exec/s is the last interval's; the summary gives the average.
  local secs
  secs=$(sed -nE 's/.* time: ([0-9]+)s.*/\1/p' <<<"$last")
  rate=$([ -n "$execs" ] && [ "${secs:-0}" -gt 0 ] && echo $((execs / secs)) || echo 0)
  add_row "$h" "$execs" "$rate" "$edges" "$(count_files "$dir/corpus")" "$added" "$dir/crashes" "$before_crashes" "$bin/$h"
}

# ---------------------------------------------------------------------------
# AFL++: -M main (+ -S cmplog), afl-cmin of the queues into the campaign corpus.

stat_of() { sed -nE "s/^$2 *: *//p" "$1" 2>/dev/null | head -n 1; }

# Progress, every 10 s: the queue and crash counts live from the output
# directory; executions and edges from fuzzer_stats, which afl-fuzz rewrites
# only every 60 s (its age is shown).
afl_progress() {   # OUT ELAPSED
  local inst d f queue crashes execs rt age stats
  for inst in main cmplog; do
    d=$1/$inst
    [ -d "$d" ] || continue
    queue=$(find "$d/queue" -maxdepth 1 -name 'id:*' 2>/dev/null | wc -l)
    crashes=$(find "$d/crashes" -maxdepth 1 -name 'id:*' 2>/dev/null | wc -l)
    f=$d/fuzzer_stats
    if [ -f "$f" ]; then
      execs=$(stat_of "$f" execs_done); rt=$(stat_of "$f" run_time)
      age=$(( $(date +%s) - $(stat_of "$f" last_update) ))
      if [ "${rt:-0}" -le 0 ]; then   # written once after calibrating the seeds
        stats="edges_found $(stat_of "$f" edges_found) ($(stat_of "$f" bitmap_cvg)) after calibration; execs_done: next fuzzer_stats (every 60 s)"
      else
        stats="execs_done ${execs:-?} execs_per_sec $(( ${execs:-0} / rt )) edges_found $(stat_of "$f" edges_found) ($(stat_of "$f" bitmap_cvg)) [fuzzer_stats ${age}s old]"
      fi
    else
      stats="(calibrating the seeds)"
    fi
    printf '[%4ss] %-6s corpus_count %-5s saved_crashes %-3s %s\n' "$2" "$inst" "$queue" "$crashes" "$stats"
  done
}

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
      afl_progress "$out" $((SECONDS - start)); next=$((next + 10))
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
  afl_progress "$out" $((SECONDS - start))
  reap_afl_leftovers

  # Merge: afl-cmin over the campaign corpus plus every instance's queue; of what
  # it keeps, the queue entries join the corpus (named by content hash).
  local pool=$out/cmin-in kept=$out/cmin-out f n=0 q
  mkdir -p "$pool"
  for f in "$dir/corpus"/*; do [ -f "$f" ] && cp "$f" "$pool/c-$(basename "$f")"; done
  for q in "$out"/*/queue; do
    for f in "$q"/id:*; do
      [ -f "$f" ] || continue
      case "$f" in *,orig:*) continue ;; esac      # the seeds themselves
      n=$((n + 1)); cp "$f" "$pool/q-$(printf '%06d' "$n")"
    done
  done
  echo "=== $h: afl-cmin over $(count_files "$pool") input(s) ($n from the queues) ==="
  if AFL_ALLOW_TMP=1 AFL_SKIP_CPUFREQ=1 afl-cmin -i "$pool" -o "$kept" -- "$bin/$h" >"$out/cmin.log" 2>&1; then
    local known sum
    known=$(find "$dir/corpus" -maxdepth 1 -type f -exec sha1sum {} + | cut -d' ' -f1 | sort -u)
    for f in "$kept"/q-*; do
      [ -f "$f" ] || continue
      sum=$(sha1sum "$f" | cut -d' ' -f1)
      grep -qx "$sum" <<<"$known" && continue     # same bytes as a corpus file
      cp "$f" "$dir/corpus/$sum"; known+=$'\n'"$sum"
    done
  else
    echo "campaign: $h: afl-cmin failed, see $out/cmin.log; the corpus is unchanged" >&2
  fi
  local added=$(( $(count_files "$dir/corpus") - before_corpus ))
  echo "=== $h: afl-cmin kept $(count_files "$kept") input(s); $added new one(s) added to $dir/corpus ==="

  # Crashes: every instance's crashes/, named by instance and content hash.
  for f in "$out"/*/crashes/id:*; do
    [ -f "$f" ] || continue
    q=$(basename "$(dirname "$(dirname "$f")")")
    q=$dir/crashes/afl-$q-$(sha1sum "$f" | cut -c1-16)
    [ -e "$q" ] || cp "$f" "$q"
  done

  # Executions and exec/s: all instances together; edges: the instance that found most.
  local execs=0 rate=0 edges=0 cvg="" s inst
  for inst in main cmplog; do
    f=$out/$inst/fuzzer_stats
    [ -f "$f" ] || continue
    s=$(stat_of "$f" execs_done); execs=$((execs + ${s:-0}))
    s=$(stat_of "$f" execs_per_sec); rate=$(awk -v a="$rate" -v b="${s:-0}" 'BEGIN { printf "%d", a + b + 0.5 }')
    s=$(stat_of "$f" edges_found)
    if [ "${s:-0}" -gt "$edges" ]; then edges=$s; cvg=$(stat_of "$f" bitmap_cvg); fi
  done
  add_row "$h" "$execs" "$rate" "$edges${cvg:+ ($cvg)}" "$(count_files "$dir/corpus")" "$added" "$dir/crashes" \
    "$before_crashes" "$bin/$h"
}

# ---------------------------------------------------------------------------

if [ "$engine" = afl ]; then trap reap_afl_leftovers EXIT; trap 'exit 130' INT TERM; fi
for h in "${harnesses[@]}"; do
  if [ "$engine" = libfuzzer ]; then run_libfuzzer "$h"; else run_afl "$h"; fi
done

echo
if [ "$engine" = libfuzzer ]; then
  echo "=== ddimap campaign summary: libFuzzer -fork=$cores, ${total}s over ${#harnesses[@]} harness(es) (${per}s each) ==="
  edges_head=edges
else
  echo "=== ddimap campaign summary: AFL++ main$([ "$cores" -ge 2 ] && echo ' + cmplog'), ${total}s over ${#harnesses[@]} harness(es) (${per}s each) ==="
  edges_head="edges (cvg)"
fi
printf "%-15s %11s %8s %${ew}s %12s  %-28s %s\n" harness executions exec/s "$edges_head" "corpus (new)" "reached" crashes
for line in "${summary[@]}"; do echo "$line"; done
echo "corpora: build/campaign/<harness>/corpus; crashes: build/campaign/<harness>/crashes"
echo "reproduce a crash: $repro --profile <harness> <crash file>"
