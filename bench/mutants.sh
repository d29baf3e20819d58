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

# --worker MUTANT MODE TRIAL: one run (MUTANT "none": no mutant); appends a TSV line to results.tsv.
if [ "${1:-}" = --worker ]; then
  m=$2 mode=$3 trial=$4
  if [ "$mode" = baseline ] && [ "$m" != none ] && [ -n "${BASELINE_ENOUGH:-}" ] &&
     [ "$(awk -F'\t' '$1 != "none" && $2 == "baseline" && $4 == "no"' "$out/results.tsv" | wc -l)" -ge "$BASELINE_ENOUGH" ]; then
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
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n1)
  killed=no
  if [ "$rc" -ne 0 ] && compgen -G "$dir/crash-*" >/dev/null; then killed=yes; fi
  sig=$(sed -n 's/^SIGNATURE: //p; s/^SUMMARY: \(AddressSanitizer\|UndefinedBehaviorSanitizer\|libFuzzer\): /\1: /p' \
        "$dir/log" | head -n1 | tr '\t' ' ')
  [ "$killed" = yes ] || secs=$budget
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$mode" "$trial" "$killed" "$secs" "${execs:-0}" "${sig:--}" \
    >>"$out/results.tsv"
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

names=()
while IFS= read -r n; do names+=("$n"); done < <(sed -nE 's/^DDIMAP_MUTANT_ROW\(([A-Za-z0-9_]+),.*/\1/p' core/mutants/mutants.def)
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
  # fuzz_all's median time to kill from empty (unkilled runs: never), as the report computes it.
  med=$(awk -F'\t' '$1 != "none" && $2 == "empty" { print ($4 == "yes" ? $5 : "inf") }' "$out/results.tsv" |
        sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int(NR / 2) + 1]; else print "inf" }')
  BASELINE_BUDGET=$(awk -v m="$med" -v k="${SPEEDUP:-6}" -v cap="$EMPTY_BUDGET" \
    'BEGIN { b = (m == "inf") ? cap : int(k * m + 0.999); if (b < 5) b = 5; if (b > cap) b = cap; print b }')
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
grep $'^none\t' "$out/results.tsv" >"$out/sanity.tsv"
if grep -q $'\tyes\t' "$out/sanity.tsv"; then
  echo "FAIL: a harness crashed with no mutant selected (a false alarm); see $out/runs/none.*" >&2
  cat "$out/sanity.tsv" >&2
  exit 1
fi

python3 - "$out/results.tsv" "$root/core/mutants/mutants.def" <<'EOF'
import re, statistics, sys, os
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip() and not l.startswith("none\t")]
desc = dict(re.findall(r'^DDIMAP_MUTANT_ROW\((\w+),\s*"(.*)"\)\s*$', open(sys.argv[2]).read(), re.M))
budget = {"shipped": float(os.environ["SHIPPED_BUDGET"]), "empty": float(os.environ["EMPTY_BUDGET"]),
          "baseline": float(os.environ["BASELINE_BUDGET"])}
runs = {}
skipped = {}  # mode -> runs not started (BASELINE_STOP=median)
for m, mode, t, killed, secs, execs, sig in rows:
    if killed == "skip":
        skipped[mode] = skipped.get(mode, 0) + 1
        continue
    runs.setdefault((m, mode), []).append((killed == "yes", float(secs), int(execs), sig))
names = [n for n in desc if any((n, mo) in runs for mo in budget)]

def median_of(rs, field):
    # Unkilled runs count as never (censored at the budget). Of an even count,
    # the upper middle: one kill in two trials is not a median kill.
    vals = sorted((r[field] if r[0] else float("inf")) for r in rs)
    return statistics.median_high(vals) if vals else float("inf")

def median_cell(rs, mode, field):  # a median that falls on a run that did not kill shows as "> budget"
    med = median_of(rs, field)
    if med == float("inf"):
        return (">%gs" % budget[mode]) if field == 1 else "-"
    return ("%.1fs" % med) if field == 1 else ("%d" % med)

def cell(m, mode):
    rs = runs.get((m, mode), [])
    if not rs:
        return "not run" if skipped.get(mode) else "-"
    k = sum(r[0] for r in rs)
    return "%d/%d, %s, %s" % (k, len(rs), median_cell(rs, mode, 1), median_cell(rs, mode, 2))

print("| mutant | fuzz_all from the shipped corpus | fuzz_all from empty | fuzz_baseline from empty | first signature (fuzz_all) |")
print("|---|---|---|---|---|")
for m in names:
    sig = next((r[3] for mode in ("shipped", "empty") for r in runs.get((m, mode), []) if r[0]), "-")
    print("| `%s` | %s | %s | %s | %s |" % (m, cell(m, "shipped"), cell(m, "empty"), cell(m, "baseline"),
                                           sig.replace("|", "\\|")))
print()
print("Cells: runs that killed / runs, median seconds to kill, median executions to kill (unkilled runs count as "
      "never: a median on one shows as > budget; of two trials, the slower).")
if skipped.get("baseline"):
    print()
    print("The baseline's runs stopped once its median was fixed (`BASELINE_STOP=median`): %d of its runs did not "
          "kill, which puts its median time to kill above its budget whatever the other %d would have done; "
          "\"not run\" marks their mutants." % (sum(not r[0] for m in names for r in runs.get((m, "baseline"), [])),
                                                 skipped["baseline"]))
print()
print("| harness, corpus (budget) | mutants killed in every trial | in some trial | runs that killed | median time to kill | median executions to kill |")
print("|---|---:|---:|---:|---:|---:|")
meds = {}
for mode, label in (("shipped", "fuzz_all, shipped"), ("empty", "fuzz_all, empty"), ("baseline", "fuzz_baseline, empty")):
    ran = [m for m in names if runs.get((m, mode))]
    if not ran:
        continue
    every = sum(all(r[0] for r in runs[(m, mode)]) for m in ran)
    some = sum(any(r[0] for r in runs[(m, mode)]) for m in ran)
    allr = [r for m in ran for r in runs[(m, mode)]]
    k = sum(r[0] for r in allr)
    # Runs not made count as never in the medians: they were skipped only once
    # enough unkilled runs made the median "never" whatever they would have done.
    counted = allr + [(False, 0.0, 0, "")] * skipped.get(mode, 0)
    meds[mode] = median_of(counted, 1)
    more = (", %d not run" % skipped[mode]) if skipped.get(mode) else ""
    print("| %s (%gs) | %d/%d (%d%%) | %d/%d | %d/%d (%d%%%s) | %s | %s |" % (
        label, budget[mode], every, len(ran), 100 * every // len(ran), some, len(ran), k, len(allr),
        100 * k // len(allr), more, median_cell(counted, mode, 1), median_cell(counted, mode, 2)))
print()
if "empty" not in meds or "baseline" not in meds:
    sys.exit(0)
e, b = meds["empty"], meds["baseline"]
if e == float("inf"):
    print("Speed-up of fuzz_all over the baseline (median time to kill, both from empty): not defined (fuzz_all's median run did not kill).")
elif b == float("inf"):
    # A bound only as good as the baseline's budget: below 1x it says nothing.
    r = budget["baseline"] / e
    print("Speed-up of fuzz_all over the baseline (median time to kill, both from empty): %s "
          "(the baseline's median run did not kill within %gs; fuzz_all's median: %.1fs)." % (
              ("more than %.1fx" % r) if r >= 1 else "not bounded by this run: the baseline's budget is shorter than fuzz_all's median time to kill",
              budget["baseline"], e))
else:
    print("Speed-up of fuzz_all over the baseline (median time to kill, both from empty): %.1fx (%.1fs against %.1fs)." % (b / e, e, b))
EOF
