#!/usr/bin/env bash
# Bug-finding power: how fast fuzz_all kills each semantic mutant of the core
# (core/mutants/mutants.def), from the shipped corpus and from an empty one,
# against the naive baseline harness fuzz_baseline (FuzzedDataProvider,
# uniform raw arguments, no reuse of results, crash/sanitizer only).
#
# One tree, build/bench-mutants (the libfuzzer-asan preset in another
# directory, plus -DDDIMAP_MUTANTS=ON), holds every mutant; each
# run selects one with DDIMAP_MUTANT=<name>, so nothing is rebuilt per mutant.
# A run is one libFuzzer process with -seed=<trial> and -max_total_time=<budget>;
# it kills the mutant when it stops on a crash (exit status != 0 and a crash
# artifact). Time to kill is the run's wall time; executions come from
# -print_final_stats. Both harnesses also run once with no mutant, for their
# empty-corpus budgets, first in their queues: a crash there is a false alarm
# and fails the script (after the campaign, so the check costs no wall time).
# fuzz_all's runs come first, then the baseline's, whose budget may depend on
# them (BASELINE_BUDGET=auto).
#
# Environment (defaults in brackets):
#   TRIALS [3]            runs per mutant and mode (seeds 1..TRIALS)
#   EMPTY_TRIALS [TRIALS] runs per mutant of fuzz_all from an empty corpus
#   SHIPPED_BUDGET [60]   seconds per run from the shipped corpus
#   EMPTY_BUDGET [60]     seconds per run from an empty corpus (fuzz_all); a
#                         run stops at its first crash, so a killed mutant
#                         costs only its time to kill
#   BASELINE_BUDGET [EMPTY_BUDGET]  seconds per run of fuzz_baseline (empty
#                         corpus), or "auto": SPEEDUP times fuzz_all's median
#                         time to kill from empty in this campaign, rounded up
#                         to whole seconds, within [5, EMPTY_BUDGET] (the
#                         budget the speed-up goal needs, no more)
#   SPEEDUP [6]           the factor of "auto" (the goal is 5x; 6 is a margin)
#   BASELINE_TRIALS [TRIALS]        runs per mutant of fuzz_baseline
#   BASELINE_STOP [all]   "median": start no more baseline runs once enough
#                         have failed to kill for the baseline's median time to
#                         kill to be above its budget, whatever the rest would
#                         do (of n runs, n - n/2); the rest are reported as not
#                         run. "all": every run.
#   JOBS [nproc]          runs in parallel (one core each)
#   MUTANTS [all]         comma-separated subset
#   MODES [baseline empty shipped]  which runs to make (e.g. MODES=empty)
#   BINDIR [build/bench-mutants/harnesses]  where fuzz_all and fuzz_baseline
#                         are taken from: saved binaries of another tree
#                         (configured the same way) for an A/B
# Prints markdown (per-mutant table, then totals); raw results go to
# build/bench-mutants/campaign/results.tsv. Exit 0 unless the build or the
# no-mutant check fails.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build/bench-mutants
out=$build/campaign
stats="python3 $root/bench/stats.py"

# --worker MUTANT MODE TRIAL: one run (MUTANT "none": no mutant); appends a TSV line to results.tsv.
if [ "${1:-}" = --worker ]; then
  m=$2 mode=$3 trial=$4
  if [ "$mode" = baseline ] && [ "$m" != none ] && [ -n "${BASELINE_ENOUGH:-}" ] &&
     [ "$($stats misses "$out/results.tsv" baseline)" -ge "$BASELINE_ENOUGH" ]; then
    printf '%s\tbaseline\t%s\tskip\t0\t0\t-\n' "$m" "$trial" >>"$out/results.tsv"
    exit 0
  fi
  dir=$out/runs/$m.$mode.$trial
  rm -rf "$dir" && mkdir -p "$dir/new"
  case $mode in
    shipped) bin=fuzz_all budget=$SHIPPED_BUDGET
             args=(-max_len=4096 -dict="$root/dictionaries/fuzz_all.dict" "$dir/new" "$root/corpus/fuzz_all") ;;
    empty)   bin=fuzz_all budget=$EMPTY_BUDGET
             args=(-max_len=4096 -dict="$root/dictionaries/fuzz_all.dict" "$dir/new") ;;
    baseline) bin=fuzz_baseline budget=$BASELINE_BUDGET args=("$dir/new") ;;
  esac
  start=$(date +%s.%N)
  mutant=$m
  [ "$m" = none ] && mutant=
  DDIMAP_MUTANT=$mutant "${BINDIR:-$build/harnesses}/$bin" -seed="$trial" -max_total_time="$budget" -print_final_stats=1 \
    -artifact_prefix="$dir/" "${args[@]}" >"$dir/log" 2>&1
  rc=$?
  killed=no
  if [ "$rc" -ne 0 ] && compgen -G "$dir/crash-*" >/dev/null; then killed=yes; fi
  $stats mutant-row "$m" "$mode" "$trial" "$killed" "$start" "$(date +%s.%N)" "$budget" "$dir/log" >>"$out/results.tsv"
  tail -n 40 "$dir/log" >"$dir/log.tail" && mv "$dir/log.tail" "$dir/log"
  rm -rf "$dir/new"
  exit 0
fi

export TRIALS=${TRIALS:-3} SHIPPED_BUDGET=${SHIPPED_BUDGET:-60} EMPTY_BUDGET=${EMPTY_BUDGET:-60}
export EMPTY_TRIALS=${EMPTY_TRIALS:-$TRIALS}
export BASELINE_BUDGET=${BASELINE_BUDGET:-$EMPTY_BUDGET} BASELINE_TRIALS=${BASELINE_TRIALS:-$TRIALS}
JOBS=${JOBS:-$(nproc)}
cd "$root" || exit 1

mkdir -p "$build"
echo "--- building $build (libFuzzer + ASan + UBSan, mutants on)" >&2
# The libfuzzer-asan preset's flags in another tree: the builds compared are
# then the ones bench/throughput.sh and bench/reach.sh measure.
if ! env -u CFLAGS -u CXXFLAGS -u LDFLAGS -u LIB_FUZZING_ENGINE cmake -S "$root" --preset libfuzzer-asan -B "$build" \
      -DDDIMAP_MUTANTS=ON >"$build/configure.log" 2>&1 ||
   ! cmake --build "$build" --parallel "$JOBS" --target fuzz_all fuzz_baseline >"$build/build.log" 2>&1; then
  tail -n 40 "$build/configure.log" "$build/build.log" >&2
  echo "FAIL: building $build" >&2
  exit 1
fi

mapfile -t names < <($stats mutant-names core/mutants/mutants.def)
if [ -n "${MUTANTS:-}" ]; then IFS=, read -r -a names <<<"$MUTANTS"; fi

rm -rf "$out" && mkdir -p "$out/runs"
: >"$out/results.tsv"

modes=" ${MODES:-baseline empty shipped} "
queue() {  # queue MODE...: the runs of those modes, longest first, so the tail is short runs
  local mode n_trials t n
  for mode in "$@"; do
    [[ $modes == *" $mode "* ]] || continue
    case $mode in baseline) n_trials=$BASELINE_TRIALS ;; empty) n_trials=$EMPTY_TRIALS ;; *) n_trials=$TRIALS ;; esac
    # Every other mutant first: runs cut short by BASELINE_STOP=median then
    # leave a sample spread over all the families, not the last ones run.
    for t in $(seq 1 "$n_trials"); do
      for i in $(seq 0 2 $(( ${#names[@]} - 1 ))) $(seq 1 2 $(( ${#names[@]} - 1 ))); do echo "${names[$i]} $mode $t"; done
    done
  done
}
echo "--- ${#names[@]} mutants: $TRIALS x shipped ${SHIPPED_BUDGET}s, $EMPTY_TRIALS x empty ${EMPTY_BUDGET}s, then $BASELINE_TRIALS x baseline (${BASELINE_BUDGET}); $JOBS at a time; each queue begins with its harness and no mutant" >&2
{ echo "none empty 1"; queue empty shipped; } | xargs -P "$JOBS" -L1 bash "$0" --worker
if [ "$BASELINE_BUDGET" = auto ]; then
  read -r med BASELINE_BUDGET < <($stats baseline-budget "$out/results.tsv" "${SPEEDUP:-6}" "$EMPTY_BUDGET")
  echo "--- baseline budget: ${SPEEDUP:-6} x fuzz_all's median time to kill from empty (${med}s) = ${BASELINE_BUDGET}s" >&2
fi
export BASELINE_BUDGET
if [ "${BASELINE_STOP:-all}" = median ]; then
  n=$(( ${#names[@]} * BASELINE_TRIALS ))
  export BASELINE_ENOUGH=$(( n - n / 2 ))
fi
if [[ $modes == *" baseline "* ]]; then
  { echo "none baseline 1"; queue baseline; } | xargs -P "$JOBS" -L1 bash "$0" --worker
fi
if ! $stats false-alarms "$out/results.tsv" >&2; then
  echo "FAIL: a harness crashed with no mutant selected (a false alarm); see $out/runs/none.*" >&2
  exit 1
fi
$stats mutants-report "$out/results.tsv" core/mutants/mutants.def "$SHIPPED_BUDGET" "$EMPTY_BUDGET" "$BASELINE_BUDGET"
