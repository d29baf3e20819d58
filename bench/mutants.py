#!/usr/bin/env python3
"""The mutant campaign of bench/mutants.sh, which builds the tree and runs this.

Bug-finding power: how fast fuzz_all kills each semantic mutant of the core
(core/mutants/mutants.def), from the shipped corpus and from an empty one,
against the naive baseline harness fuzz_baseline (FuzzedDataProvider, uniform
raw arguments, no reuse of results, crash/sanitizer only).

One tree, build/bench-mutants (the libfuzzer-asan preset in another directory,
plus -DDDIMAP_MUTANTS=ON), holds every mutant; each run selects one with
DDIMAP_MUTANT=<name>, so nothing is rebuilt per mutant. A run is one libFuzzer
process with -seed=<trial> and -max_total_time=<budget>; it kills the mutant
when it stops on a crash (exit status != 0 and a crash artifact). Time to kill
is the run's wall time; executions come from -print_final_stats. Both harnesses
also run once with no mutant, for their empty-corpus budgets, first in their
queues: a crash there is a false alarm and fails the campaign (after it, so the
check costs no wall time). fuzz_all's runs come first, then the baseline's,
whose budget may depend on them (BASELINE_BUDGET=auto).

Environment (defaults in brackets):
  TRIALS [3]            runs per mutant and mode (seeds 1..TRIALS)
  EMPTY_TRIALS [TRIALS] runs per mutant of fuzz_all from an empty corpus
  SHIPPED_BUDGET [60]   seconds per run from the shipped corpus
  EMPTY_BUDGET [60]     seconds per run from an empty corpus (fuzz_all); a run
                        stops at its first crash, so a killed mutant costs only
                        its time to kill
  BASELINE_BUDGET [EMPTY_BUDGET]  seconds per run of fuzz_baseline (empty
                        corpus), or "auto": SPEEDUP times fuzz_all's median time
                        to kill from empty in this campaign, rounded up to whole
                        seconds, within [5, EMPTY_BUDGET] (the budget the
                        speed-up goal needs, no more)
  SPEEDUP [6]           the factor of "auto" (the goal is 5x; 6 is a margin)
  BASELINE_TRIALS [TRIALS]        runs per mutant of fuzz_baseline
  BASELINE_STOP [all]   "median": start no more baseline runs once enough have
                        failed to kill for the baseline's median time to kill to
                        be above its budget, whatever the rest would do (of n
                        runs, n - n/2); the rest are reported as not run.
                        "all": every run.
  JOBS [nproc]          runs in parallel (one core each)
  MUTANTS [all]         comma-separated subset
  MODES [baseline empty shipped]  which runs to make (e.g. MODES=empty)
  BINDIR [build/bench-mutants/harnesses]  where fuzz_all and fuzz_baseline are
                        taken from: saved binaries of another tree (configured
                        the same way) for an A/B
Prints markdown (per-mutant table, then totals); raw results go to
build/bench-mutants/campaign/results.tsv. Exit status 0 unless the no-mutant
check fails. Python 3 standard library only.
"""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import stats


def queue(names, modes, n_trials):
    """The runs (mutant, mode, trial) of MODES, in that order, each mode's trials in
    turn. Every other mutant first: runs cut short by BASELINE_STOP=median then
    leave a sample spread over all the families, not the last ones run."""
    order = names[0::2] + names[1::2]
    return [(m, mode, t) for mode in modes for t in range(1, n_trials[mode] + 1) for m in order]


class Campaign:
    def __init__(self, root, out, bindir, budget, enough=None):
        self.root, self.out, self.bindir, self.budget, self.enough = Path(root), Path(out), Path(bindir), budget, enough
        self.rows, self.lock = [], threading.Lock()

    def record(self, row):
        with self.lock:
            self.rows.append(row)
            with open(self.out / "results.tsv", "a") as f:
                f.write("\t".join(row) + "\n")

    def run(self, m, mode, trial):
        """One libFuzzer run (mutant "none": no mutant selected)."""
        if mode == "baseline" and m != "none" and self.enough is not None:
            with self.lock:
                enough = stats.misses(self.rows, "baseline") >= self.enough
            if enough:
                return self.record([m, "baseline", str(trial), "skip", "0", "0", "-"])
        d = self.out / "runs" / f"{m}.{mode}.{trial}"
        shutil.rmtree(d, ignore_errors=True)
        (d / "new").mkdir(parents=True)
        fuzz_all = ["-max_len=4096", f"-dict={self.root}/dictionaries/fuzz_all.dict", str(d / "new")]
        binary, args = {"shipped": ("fuzz_all", fuzz_all + [str(self.root / "corpus" / "fuzz_all")]),
                        "empty": ("fuzz_all", fuzz_all), "baseline": ("fuzz_baseline", [str(d / "new")])}[mode]
        env = {**os.environ, "DDIMAP_MUTANT": "" if m == "none" else m}
        start = time.monotonic()
        with open(d / "log", "wb") as log:
            rc = subprocess.run([str(self.bindir / binary), f"-seed={trial}", f"-max_total_time={self.budget[mode]}",
                                 "-print_final_stats=1", f"-artifact_prefix={d}/", *args], env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
        seconds = time.monotonic() - start
        killed = "yes" if rc != 0 and any(d.glob("crash-*")) else "no"
        self.record(stats.mutant_row(m, mode, trial, killed, seconds, self.budget[mode], d / "log"))
        lines = (d / "log").read_text(errors="replace").splitlines(keepends=True)
        (d / "log").write_text("".join(lines[-40:]))
        shutil.rmtree(d / "new", ignore_errors=True)

    def run_all(self, runs, jobs):
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            for f in [pool.submit(self.run, *r) for r in runs]:
                f.result()


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("root", help="the repository")
    p.add_argument("build", help="the mutants tree (build/bench-mutants)")
    a = p.parse_args(argv)
    env = os.environ.get
    trials = int(env("TRIALS", "3"))
    n_trials = {"shipped": trials, "empty": int(env("EMPTY_TRIALS", str(trials))),
                "baseline": int(env("BASELINE_TRIALS", str(trials)))}
    budget = {"shipped": env("SHIPPED_BUDGET", "60"), "empty": env("EMPTY_BUDGET", "60")}
    budget["baseline"] = env("BASELINE_BUDGET", budget["empty"])
    jobs = int(env("JOBS", str(os.cpu_count())))
    modes = env("MODES", "baseline empty shipped").split()
    names = list(stats.mutants(os.path.join(a.root, "core", "mutants", "mutants.def")))
    if env("MUTANTS"):
        names = env("MUTANTS").split(",")
    out = Path(a.build) / "campaign"
    shutil.rmtree(out, ignore_errors=True)
    (out / "runs").mkdir(parents=True)
    (out / "results.tsv").write_text("")
    c = Campaign(a.root, out, env("BINDIR", os.path.join(a.build, "harnesses")), budget)

    print(f"--- {len(names)} mutants: {trials} x shipped {budget['shipped']}s, {n_trials['empty']} x empty "
          f"{budget['empty']}s, then {n_trials['baseline']} x baseline ({budget['baseline']}); {jobs} at a time; "
          "each queue begins with its harness and no mutant", file=sys.stderr, flush=True)
    c.run_all([("none", "empty", 1)] + queue(names, [m for m in ("empty", "shipped") if m in modes], n_trials), jobs)
    if budget["baseline"] == "auto":
        speedup = float(env("SPEEDUP", "6"))
        med, budget["baseline"] = stats.baseline_budget(c.rows, speedup, int(budget["empty"]))
        print(f"--- baseline budget: {env('SPEEDUP', '6')} x fuzz_all's median time to kill from empty ({med}s) = "
              f"{budget['baseline']}s", file=sys.stderr, flush=True)
    if env("BASELINE_STOP", "all") == "median":
        n = len(names) * n_trials["baseline"]
        c.enough = n - n // 2
    if "baseline" in modes:
        c.run_all([("none", "baseline", 1)] + queue(names, ["baseline"], n_trials), jobs)
    bad = stats.false_alarms(c.rows)
    if bad:
        print("\n".join("\t".join(r) for r in bad), file=sys.stderr)
        print(f"FAIL: a harness crashed with no mutant selected (a false alarm); see {out}/runs/none.*", file=sys.stderr)
        return 1
    stats.cmd_mutants_report(argparse.Namespace(
        tsv=str(out / "results.tsv"), defs=os.path.join(a.root, "core", "mutants", "mutants.def"),
        shipped=budget["shipped"], empty=budget["empty"], baseline=str(budget["baseline"])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
