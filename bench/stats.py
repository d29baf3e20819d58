#!/usr/bin/env python3
"""The numbers of the benchmark scripts: medians, tallies and markdown tables.

bench/*.sh and ci/bench-smoke.sh run programs and keep their raw output;
every figure and table they print is computed here (Python 3, standard
library only), one subcommand per need. `python3 bench/stats.py --help`.
"""
import argparse
import json
import os
import re
import statistics
import sys

INF = float("inf")


# --- small helpers the scripts call between runs -----------------------------

def cmd_median(a):
    """The median of the numbers on stdin, one per line (--low/--high: of an even count, that middle)."""
    vals = sorted(float(l) for l in sys.stdin if l.strip())
    f = statistics.median_low if a.low else statistics.median_high if a.high else statistics.median
    print(a.format % f(vals))


def cmd_elapsed(a):
    """END - START in seconds (two `date +%s.%N` stamps)."""
    print("%.2f" % (float(a.end) - float(a.start)))


def libfuzzer_stat(path, key):
    """The last `stat::KEY: N` line of a libFuzzer log (-print_final_stats=1), else None."""
    val = None
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"stat::%s:\s*(\d+)" % re.escape(key), line)
            if m:
                val = m.group(1)
    return val


def cmd_stat(a):
    print(libfuzzer_stat(a.log, a.key) or "")


def cmd_irefs(a):
    """The instruction count of a callgrind run (its `I refs:` line) on stdin; nothing when it has none."""
    for line in sys.stdin:
        m = re.search(r"I\s*refs:\s*([0-9,]+)", line)
        if m:
            print(m.group(1).replace(",", ""))
            return


# --- bench/mutants.sh ----------------------------------------------------------

MUTANT_ROW = re.compile(r'^DDIMAP_MUTANT_ROW\((\w+),\s*"(.*)"\)\s*$', re.M)


def mutants(defs):
    with open(defs) as f:
        return dict(MUTANT_ROW.findall(f.read()))


def cmd_mutant_names(a):
    print("\n".join(mutants(a.defs)))


def results(path):
    """results.tsv: mutant, mode, trial, killed (yes/no/skip), seconds, executions, signature."""
    with open(path) as f:
        return [l.rstrip("\n").split("\t") for l in f if l.strip()]


def mutant_row(mutant, mode, trial, killed, seconds, budget, log):
    """One results.tsv row for a finished run, from its log (an unkilled run counts its whole budget)."""
    secs = "%.2f" % seconds if killed == "yes" else str(budget)
    sig = "-"
    with open(log, errors="replace") as f:
        for line in f:
            m = re.match(r"SIGNATURE: (.*)", line) or \
                re.match(r"SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer): (.*)", line)
            if m:
                sig = m.group(1) if m.re.groups == 1 else "%s: %s" % (m.group(1), m.group(2))
                break
    sig = sig.rstrip("\n").replace("\t", " ") or "-"
    return [mutant, mode, str(trial), killed, secs, libfuzzer_stat(log, "number_of_executed_units") or "0", sig]


def cmd_mutant_row(a):
    """One results.tsv line for a finished run, from its log."""
    print("\t".join(mutant_row(a.mutant, a.mode, a.trial, a.killed, float(a.end) - float(a.start), a.budget, a.log)))


def misses(rows, mode):
    return sum(1 for r in rows if r[0] != "none" and r[1] == mode and r[3] == "no")


def cmd_misses(a):
    """How many runs of MODE (with a mutant) did not kill."""
    print(misses(results(a.tsv), a.mode))


def false_alarms(rows):
    return [r for r in rows if r[0] == "none" and r[3] == "yes"]


def cmd_false_alarms(a):
    """The runs with no mutant that crashed; exit 1 when there is one."""
    bad = false_alarms(results(a.tsv))
    for r in bad:
        print("\t".join(r))
    sys.exit(1 if bad else 0)


def median_of(rs, field):
    # Unkilled runs count as never (censored at the budget). Of an even count,
    # the upper middle: one kill in two trials is not a median kill.
    vals = sorted((r[field] if r[0] else INF) for r in rs)
    return statistics.median_high(vals) if vals else INF


def baseline_budget(rows, speedup, cap):
    """SPEEDUP x fuzz_all's median time to kill from empty, rounded up, within [5, CAP]: (MEDIAN, BUDGET)."""
    rs = [(r[3] == "yes", float(r[4])) for r in rows if r[0] != "none" and r[1] == "empty"]
    med = median_of(rs, 1)
    b = cap if med == INF else int(speedup * med + 0.999)
    return ("inf" if med == INF else "%g" % med), min(max(b, 5), cap)


def cmd_baseline_budget(a):
    """SPEEDUP x fuzz_all's median time to kill from empty, rounded up, within [5, CAP]: "MEDIAN BUDGET"."""
    print("%s %d" % baseline_budget(results(a.tsv), a.speedup, a.cap))


def cmd_mutants_report(a):
    budget = {"shipped": float(a.shipped), "empty": float(a.empty), "baseline": float(a.baseline)}
    desc = mutants(a.defs)
    runs, skipped = {}, {}  # skipped: mode -> runs not started (BASELINE_STOP=median)
    for m, mode, t, killed, secs, execs, sig in (r for r in results(a.tsv) if r[0] != "none"):
        if killed == "skip":
            skipped[mode] = skipped.get(mode, 0) + 1
            continue
        runs.setdefault((m, mode), []).append((killed == "yes", float(secs), int(execs), sig))
    names = [n for n in desc if any((n, mo) in runs for mo in budget)]

    def median_cell(rs, mode, field):  # a median that falls on a run that did not kill shows as "> budget"
        med = median_of(rs, field)
        if med == INF:
            return (">%gs" % budget[mode]) if field == 1 else "-"
        return ("%.1fs" % med) if field == 1 else ("%d" % med)

    def cell(m, mode):
        rs = runs.get((m, mode), [])
        if not rs:
            return "not run" if skipped.get(mode) else "-"
        return "%d/%d, %s, %s" % (sum(r[0] for r in rs), len(rs), median_cell(rs, mode, 1), median_cell(rs, mode, 2))

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
        return
    e, b = meds["empty"], meds["baseline"]
    head = "Speed-up of fuzz_all over the baseline (median time to kill, both from empty): "
    if e == INF:
        print(head + "not defined (fuzz_all's median run did not kill).")
    elif b == INF:
        # A bound only as good as the baseline's budget: below 1x it says nothing.
        r = budget["baseline"] / e
        print(head + "%s (the baseline's median run did not kill within %gs; fuzz_all's median: %.1fs)." % (
            ("more than %.1fx" % r) if r >= 1 else "not bounded by this run: the baseline's budget is shorter than fuzz_all's median time to kill",
            budget["baseline"], e))
    else:
        print(head + "%.1fx (%.1fs against %.1fs)." % (b / e, e, b))


# --- bench/core.sh ---------------------------------------------------------------

CORE_WHAT = {
    "MmPair<Machine>": "MmMapIoSpace + MmUnmapIoSpace",
    "MmPair<oracle::Model>": "the same pair on the oracle (baseline)",
    "NdisPair": "NdisMMapIoSpace + NdisMUnmapIoSpace",
    "UmdfPair": "IWDFDevice3::MapIoSpace + UnmapIoSpace",
    "VideoPair": "VideoPortMapMemory + VideoPortUnmapMemory",
    "FilePair": "NdisMapFile + NdisUnmapFile",
    "RegisterRead": "READ_REGISTER_ULONG through a mapping",
    "Teardown": "Teardown() of the whole machine",
    "WorldCopy": "a copy of the harnesses' standard world and its destruction, the per-input set-up of every run",
}


def fmt_ns(ns):
    if ns >= 1e6:
        return "%.1f ms" % (ns / 1e6)
    if ns >= 1e4:
        return "%.1f us" % (ns / 1e3)
    return "%.0f ns" % ns


def cmd_core_table(a):
    """Google Benchmark's JSON as the core micro-benchmark table."""
    with open(a.json) as f:
        d = json.load(f)
    rows, order = {}, []
    reps = {b["run_name"] for b in d["benchmarks"] if b.get("run_type") == "aggregate"}
    for b in d["benchmarks"]:
        # The median of a benchmark's repetitions where it has several, else its one run.
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") != "median":
                continue
        elif b.get("run_name", b["name"]) in reps:
            continue
        # "MmPair<Machine>/1000", "Teardown/1000/iterations:5": base name, live count.
        parts = b.get("run_name", b["name"]).split("/")
        name, arg = parts[0], int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        if name not in rows:
            rows[name] = {}
            order.append(name)
        rows[name][arg] = b["cpu_time"] * {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
    print("| benchmark | what | 10 live | 1e3 live | 1e5 live | growth 1e3 -> 1e5 |")
    print("|---|---|---:|---:|---:|---:|")
    # The table's order, not the run's (repetitions run interleaved at random).
    order = [n for n in CORE_WHAT if n in rows] + [n for n in order if n not in CORE_WHAT]
    single = [n for n in order if None in rows[n]]
    for n in (n for n in order if n not in single):
        r = rows[n]
        g = "%.2fx" % (r[100000] / r[1000]) if 1000 in r and 100000 in r else "-"
        print("| `%s` | %s | %s | %s | %s | %s |" % (n, CORE_WHAT.get(n, ""), fmt_ns(r.get(10, 0)),
                                                   fmt_ns(r.get(1000, 0)), fmt_ns(r.get(100000, 0)), g))
    for n in single:
        print()
        print("`%s` (%s): %s." % (n, CORE_WHAT.get(n, ""), fmt_ns(rows[n][None])))
    c, o = rows.get("MmPair<Machine>"), rows.get("MmPair<oracle::Model>")
    if c and o:
        print()
        print("Oracle over core, same pair, same run: " + ", ".join(
            "%.1fx at %s live" % (o[k] / c[k], {10: "10", 1000: "1e3", 100000: "1e5"}[k]) for k in (10, 1000, 100000)) + ".")
        print()
        print("CPU time per iteration, the median of %s repetitions. Goal check at 1e5 live: MmMapIoSpace + "
              "MmUnmapIoSpace %s (goal < 100 ns), growth %.2fx (goal <= 2x)." % (a.reps, fmt_ns(c[100000]),
                                                                                c[100000] / c[1000]))


# --- bench/throughput.sh and bench/ab.sh ---------------------------------------

def cmd_throughput(a):
    """Lines "HARNESS FILES BYTES H1 HN E1 EN" (wall ns of -runs=1 and -runs=N of the harness and of
    fuzz_empty, one line per repeat) as the throughput table."""
    def rate(files, n, one, many):
        return int("%.0f" % (files * (n - 1) / (max(many - one, 1) / 1e9)))
    reps, order = {}, []
    for line in sys.stdin:
        h, files, size, h1, hn, e1, en = line.split()
        if h not in reps:
            order.append(h)
            reps[h] = (int(files), size, [])
        hr = rate(int(files), a.runs, int(h1), int(hn))
        er = rate(int(files), a.empty_runs, int(e1), int(en))
        reps[h][2].append((hr, er, float("%.4f" % (hr / er))))
    print("| harness | inputs (bytes) | exec/s | fuzz_empty exec/s, same inputs | ratio |")
    print("|---|---:|---:|---:|---:|")
    for h in order:
        files, size, rs = reps[h]
        med = lambda i: statistics.median_low(sorted(r[i] for r in rs))
        print("| %s | %d (%s) | %d | %d | %.1f%% |" % (h, files, size, med(0), med(1), 100 * med(2)))


def cmd_ab(a):
    """Lines "A_MS B_MS" (one per round) as the rounds, the medians and their ratio."""
    rows = [tuple(map(int, l.split())) for l in sys.stdin if l.strip()]
    for x, y in rows:
        print(f"round: A {x} ms, B {y} ms")
    ma, mb = statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
    print(f"median: A {ma:.0f} ms, B {mb:.0f} ms for {a.executions} executions each; A/B = {ma / mb:.2f}")


# --- bench/reach.sh ----------------------------------------------------------------

REACH_LOG = re.compile(r"^# reach-log \S+ (rules \S+ statuses \S+ pairs \d+)$")


def cmd_reach_times(a):
    """Stdin: `find -printf '%T@ %p'` lines, oldest first; REPRO_LOG: ddimap-repro --reach-log over the same
    files in that order. Prints "SECONDS rules r/R statuses s/S pairs p" per file, SECONDS since START
    (without START: the mtime itself)."""
    times = [float(l.split(" ", 1)[0]) for l in sys.stdin if l.strip()]
    with open(a.repro_log) as f:
        logs = [m.group(1) for m in map(REACH_LOG.match, f.read().splitlines()) if m]
    for t, r in zip(times, logs):
        print("%.2f %s" % (t - a.start, r) if a.start is not None else "%s %s" % (t, r))


def full(frac):
    n, d = frac.split("/")
    return n == d


def cmd_reach_complete(a):
    """Exit 0 when some reach line on stdin has reached every rule and status."""
    sys.exit(0 if any(full(l.split()[2]) and full(l.split()[4]) for l in sys.stdin if l.strip()) else 1)


def cmd_reach_report(a):
    out, budget = a.dir, a.budget
    seeds = range(a.first_seed, a.first_seed + a.seeds)

    def runs(h):
        for s in seeds:
            rows = []
            with open(os.path.join(out, "%s.%d.reach" % (h, s))) as f:
                for line in f:
                    t, _, rules, _, st, _, pairs = line.split()
                    rows.append((float(t), rules, st, int(pairs)))
            yield s, rows

    def missing_cell(h):
        count = {}
        for s in seeds:
            with open(os.path.join(out, "%s.%d.stats" % (h, s))) as f:
                for m in re.findall(r"^# (?:rule|status) not reached: (.*)$", f.read(), re.M):
                    count[m] = count.get(m, 0) + 1
        return ", ".join("%s (%d)" % (m, c) for m, c in sorted(count.items())) or "-"

    def fmt(v):
        return ">%gs" % budget if v == INF else "%.1fs" % v

    print("| harness | runs that reached everything | time to reach everything: median (min..max) | rules, statuses at the end (worst run) | still missing (in how many runs) |")
    print("|---|---:|---|---|---|")
    series = {}
    for h in a.harnesses:
        times, ends = [], []
        for s, rows in runs(h):
            times.append(next((t for t, r, st, _ in rows if full(r) and full(st)), INF))
            ends.append(rows[-1][1:3] if rows else ("0/?", "0/?"))
            if h == "fuzz_all":
                series[s] = rows
        worst = min(ends, key=lambda e: (int(e[0].split("/")[0]) + int(e[1].split("/")[0])))
        srt = sorted(times)
        print("| %s | %d/%d | %s (%s..%s) | rules %s, statuses %s | %s |" % (
            h, sum(t != INF for t in times), len(times), fmt(statistics.median_low(srt)), fmt(srt[0]), fmt(srt[-1]),
            worst[0], worst[1], missing_cell(h)))
    if series:
        marks = [t for t in (1, 2, 5, 10, 20, 30, 45, 60, 90, 120) if t <= budget]

        def at(rows, t, i):
            v = [r[i] for r in rows if r[0] <= t]
            return v[-1] if v else None
        print()
        print("State coverage over time, fuzz_all from empty (each seed runs the whole %gs): distinct (call, outcome) "
              "pairs, and rules, statuses reached, median over the seeds." % budget)
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


# --- bench/all.sh ------------------------------------------------------------------

def cmd_render(a):
    """Fills a template: {{NAME}} is a NAME=VALUE argument or environment variable, {{part:P}} and {{secs:P}}
    PARTS/P.md and PARTS/P.secs (without their last newline), {{?auto}}...{{/auto}} is kept when
    BASELINE_BUDGET is "auto" and {{!auto}}...{{/auto}} when it is not; {{notes}} is --notes FILE after an
    empty line (nothing without one)."""
    vals = dict(os.environ)
    vals.update(kv.split("=", 1) for kv in a.values)

    def read(path):
        with open(path) as f:
            return f.read().rstrip("\n")
    vals["notes"] = "\n\n" + read(a.notes) if a.notes and os.path.isfile(a.notes) else ""
    with open(a.template) as f:
        text = f.read()
    auto = vals.get("BASELINE_BUDGET") == "auto"
    text = re.sub(r"\{\{([?!])auto\}\}(.*?)\{\{/auto\}\}", lambda m: m.group(2) if (m.group(1) == "?") == auto else "",
                  text, flags=re.S)
    sys.stdout.write(re.sub(r"\{\{(?:(part|secs):)?(\w+)\}\}", lambda m: read(os.path.join(
        a.parts, m.group(2) + (".md" if m.group(1) == "part" else ".secs"))) if m.group(1) else vals[m.group(2)], text))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def add(name, fn, *args):
        s = sub.add_parser(name, help=(fn.__doc__ or "").split("\n")[0].replace("%", "%%"))
        for names, kw in args:
            s.add_argument(*names, **kw)
        s.set_defaults(fn=fn)

    add("median", cmd_median, (["--low"], dict(action="store_true")), (["--high"], dict(action="store_true")),
        (["--format"], dict(default="%g")))
    add("elapsed", cmd_elapsed, (["start"], {}), (["end"], {}))
    add("stat", cmd_stat, (["key"], {}), (["log"], {}))
    add("irefs", cmd_irefs)
    add("mutant-names", cmd_mutant_names, (["defs"], {}))
    add("mutant-row", cmd_mutant_row, *[([n], {}) for n in
                                        ("mutant", "mode", "trial", "killed", "start", "end", "budget", "log")])
    add("misses", cmd_misses, (["tsv"], {}), (["mode"], {}))
    add("false-alarms", cmd_false_alarms, (["tsv"], {}))
    add("baseline-budget", cmd_baseline_budget, (["tsv"], {}), (["speedup"], dict(type=float)),
        (["cap"], dict(type=int)))
    add("mutants-report", cmd_mutants_report, (["tsv"], {}), (["defs"], {}), (["shipped"], {}), (["empty"], {}),
        (["baseline"], {}))
    add("core-table", cmd_core_table, (["json"], {}), (["reps"], {}))
    add("throughput", cmd_throughput, (["runs"], dict(type=int)), (["empty_runs"], dict(type=int)))
    add("ab", cmd_ab, (["executions"], {}))
    add("reach-times", cmd_reach_times, (["repro_log"], {}), (["start"], dict(type=float, nargs="?")))
    add("reach-complete", cmd_reach_complete)
    add("reach-report", cmd_reach_report, (["dir"], {}), (["budget"], dict(type=float)),
        (["first_seed"], dict(type=int)), (["seeds"], dict(type=int)), (["harnesses"], dict(nargs="+")))
    add("render", cmd_render, (["--notes"], {}), (["template"], {}), (["parts"], {}), (["values"], dict(nargs="*")))
    a = p.parse_args(argv)
    a.fn(a)


if __name__ == "__main__":
    main()
