#!/usr/bin/env bash
# Reach: how long each harness takes, from an EMPTY corpus on one core, until
# every rule and every documented status it can reach has been reached, over
# several seeds; and state coverage (distinct (call, outcome) pairs) over time.
#
# Each run is one libFuzzer process (libfuzzer-asan preset: ASan + UBSan) with
# -seed=<s>, -max_total_time=<budget> and -reduce_inputs=0, so every input it
# keeps stays in its corpus directory with the time it was found (its mtime).
# A watcher replays the corpus in the order found through ddimap-repro
# --reach-log (an uninstrumented build) every 2 s and stops the run once
# everything is reached (except fuzz_all, which runs its whole budget so that
# its state coverage over time can be reported); afterwards the same replay gives the time each
# rule/status/pair count was first reached. fuzz_trace is left out: its input
# is text, its reach is its parser's.
#
# Environment (defaults in brackets): SEEDS [3] runs per harness, with seeds
# FIRST_SEED [1] onwards, REACH_BUDGET [60] seconds,
# JOBS [nproc] runs in parallel, HARNESSES [the six binary harnesses].
# Prints markdown; raw reach logs go to build/bench-reach/.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build/bench-reach
fuzzbin=$root/build/libfuzzer-asan/harnesses
repro=$root/build/clang-release/harnesses/ddimap-repro
stats="python3 $root/bench/stats.py"

# ordered DIR: the corpus files, oldest first, as "mtime path" lines.
ordered() { find "$1" -type f -printf '%T@ %p\n' | sort -n; }

# replay HARNESS DIR [START]: lines "seconds rules r/R statuses s/S pairs p",
# each file's mtime (minus START) and the reach of the corpus up to it.
replay() {
  local h=$1 dir=$2
  ordered "$dir" >"$dir.list"
  [ -s "$dir.list" ] || return 0
  # shellcheck disable=SC2046
  "$repro" --quiet --no-oracle --reach-log --profile "$h" $(cut -d' ' -f2- "$dir.list") >"$dir.log"
  $stats reach-times "$dir.log" ${3:-} <"$dir.list"
}

# --worker HARNESS SEED: one run; writes $out/HARNESS.SEED.{reach,stats,start,execs}.
if [ "${1:-}" = --worker ]; then
  h=$2 seed=$3 dir=$out/$2.$3
  rm -rf "$dir" && mkdir -p "$dir/corpus"
  start=$(date +%s.%N)
  "$fuzzbin/$h" -seed="$seed" -max_total_time="$REACH_BUDGET" -reduce_inputs=0 -max_len=4096 \
    -dict="$root/dictionaries/$h.dict" -print_final_stats=1 -artifact_prefix="$dir/" "$dir/corpus" \
    >"$dir/log" 2>&1 &
  pid=$!
  # fuzz_all runs its whole budget: its state coverage over time is plotted.
  while [ "$h" != fuzz_all ] && kill -0 "$pid" 2>/dev/null; do
    sleep 2
    if replay "$h" "$dir/corpus" | $stats reach-complete; then kill "$pid" 2>/dev/null; break; fi
  done
  wait "$pid" 2>/dev/null
  replay "$h" "$dir/corpus" "$start" >"$out/$h.$seed.reach"
  echo "$start" >"$out/$h.$seed.start"
  $stats stat number_of_executed_units "$dir/log" >"$out/$h.$seed.execs"
  # shellcheck disable=SC2046
  "$repro" --quiet --no-oracle --stats --profile "$h" $(cut -d' ' -f2- "$dir/corpus.list") >"$out/$h.$seed.stats"
  rm -rf "$dir/corpus"
  exit 0
fi

export SEEDS=${SEEDS:-3} FIRST_SEED=${FIRST_SEED:-1} REACH_BUDGET=${REACH_BUDGET:-60}
JOBS=${JOBS:-$(nproc)}
HARNESSES=${HARNESSES:-$(bash "$root/ci/harnesses.sh" libfuzzer-asan reach)}
cd "$root" || exit 1
echo "--- building the libfuzzer-asan preset and an uninstrumented ddimap-repro (clang-release)" >&2
{
  cmake --preset libfuzzer-asan && cmake --build --preset libfuzzer-asan --parallel "$JOBS" --target $HARNESSES &&
  cmake --preset clang-release && cmake --build --preset clang-release --parallel "$JOBS" --target ddimap-repro
} >"$root/build/bench-reach.build.log" 2>&1 || { tail -n 30 "$root/build/bench-reach.build.log" >&2; echo "FAIL: build" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out"

echo "--- reach runs: $HARNESSES x $SEEDS seeds, up to ${REACH_BUDGET}s each, $JOBS at a time" >&2
for h in $HARNESSES; do
  for s in $(seq "$FIRST_SEED" $((FIRST_SEED + SEEDS - 1))); do echo "$h $s"; done
done | xargs -P "$JOBS" -L1 bash "$0" --worker

# shellcheck disable=SC2086
$stats reach-report "$out" "$REACH_BUDGET" "$FIRST_SEED" "$SEEDS" $HARNESSES
