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

# ordered DIR: the corpus files, oldest first, as "mtime path" lines.
ordered() { find "$1" -type f -printf '%T@ %p\n' | sort -n; }

# replay HARNESS DIR: reach-log lines "mtime rules r/R statuses s/S pairs p".
replay() {
  local h=$1 dir=$2 list
  list=$(ordered "$dir")
  [ -n "$list" ] || return 0
  # shellcheck disable=SC2046
  paste -d' ' <(cut -d' ' -f1 <<<"$list") \
    <("$repro" --quiet --no-oracle --reach-log --profile "$h" $(cut -d' ' -f2- <<<"$list") |
       sed -n 's/^# reach-log [^ ]* //p')
}

complete() { awk '{ split($3, r, "/"); split($5, s, "/"); if (r[1] == r[2] && s[1] == s[2]) found = 1 } END { exit !found }'; }

# --worker HARNESS SEED: one run; writes $out/HARNESS.SEED.{start,log,reach}.
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
    if replay "$h" "$dir/corpus" | complete; then kill "$pid" 2>/dev/null; break; fi
  done
  wait "$pid" 2>/dev/null
  replay "$h" "$dir/corpus" | awk -v t0="$start" '{ $1 = sprintf("%.2f", $1 - t0); print }' >"$out/$h.$seed.reach"
  echo "$start" >"$out/$h.$seed.start"
  sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" >"$out/$h.$seed.execs"
  # shellcheck disable=SC2046
  "$repro" --quiet --no-oracle --stats --profile "$h" $(ordered "$dir/corpus" | cut -d' ' -f2-) |
    sed -n 's/^# \(rule\|status\) not reached: //p' >"$out/$h.$seed.missing"
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

python3 - "$out" "$REACH_BUDGET" $HARNESSES <<'EOF'
import os, statistics, sys
out, budget, harnesses = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
first = int(os.environ["FIRST_SEED"])
seeds = range(first, first + int(os.environ["SEEDS"]))

def runs(h):
    for s in seeds:
        rows = []
        for line in open(os.path.join(out, "%s.%d.reach" % (h, s))):
            t, _, rules, _, st, _, pairs = line.split()
            rows.append((float(t), rules, st, int(pairs)))
        yield s, rows

def missing_cell(h):
    count = {}
    for s in seeds:
        for m in open(os.path.join(out, "%s.%d.missing" % (h, s))).read().splitlines():
            count[m] = count.get(m, 0) + 1
    return ", ".join("%s (%d)" % (m, c) for m, c in sorted(count.items())) or "-"

def fmt(v):
    return ">%gs" % budget if v == float("inf") else "%.1fs" % v

print("| harness | runs that reached everything | time to reach everything: median (min..max) | rules, statuses at the end (worst run) | still missing (in how many runs) |")
print("|---|---:|---|---|---|")
series = {}
for h in harnesses:
    times, ends = [], []
    for s, rows in runs(h):
        done = next((t for t, r, st, _ in rows if r.split("/")[0] == r.split("/")[1] and st.split("/")[0] == st.split("/")[1]), float("inf"))
        times.append(done)
        ends.append(rows[-1][1:3] if rows else ("0/?", "0/?"))
        if h == "fuzz_all":
            series[s] = rows
    worst = min(ends, key=lambda e: (int(e[0].split("/")[0]) + int(e[1].split("/")[0])))
    ok = sum(t != float("inf") for t in times)
    srt = sorted(times)
    print("| %s | %d/%d | %s (%s..%s) | rules %s, statuses %s | %s |" % (
        h, ok, len(times), fmt(statistics.median_low(srt)), fmt(srt[0]), fmt(srt[-1]), worst[0], worst[1],
        missing_cell(h)))
if series:
    marks = [t for t in (1, 2, 5, 10, 20, 30, 45, 60, 90, 120) if t <= budget]
    def at(rows, t, i):
        v = [r[i] for r in rows if r[0] <= t]
        return v[-1] if v else None
    print()
    print("State coverage over time, fuzz_all from empty (each seed runs the whole %gs): distinct (call, outcome) pairs, "
          "and rules, statuses reached, median over the seeds." % budget)
    print()
    print("| seconds | " + " | ".join("%g" % t for t in marks) + " |")
    print("|---|" + "---:|" * len(marks))
    for label, i in (("pairs", 3), ("rules", 1), ("statuses", 2)):
        cells = []
        for t in marks:
            vals = [at(rows, t, i) for rows in series.values()]
            nums = sorted((int(v) if i == 3 else int(v.split("/")[0])) if v is not None else 0 for v in vals)
            tot = next((v.split("/")[1] for v in vals if v is not None and i != 3), "")
            cells.append("%d%s" % (statistics.median_low(nums), "/" + tot if tot else ""))
        print("| %s | %s |" % (label, " | ".join(cells)))
print()
print("Pairs: distinct (call, outcome) pairs reached by the corpus found so far, median over the seeds "
      "(outcome: the rules the call reported, else its documented status, else zero/nonzero).")
EOF
