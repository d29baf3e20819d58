"""Planted bugs in the sample drivers, found by their fuzz targets
(bench/drivers.sh builds them): each target of bench/driver_bugs.txt runs
from an empty corpus (with its sample's dictionary) under libFuzzer on one
core, DRIVER_SEEDS times (-seed=1..N), for at most DRIVER_BUDGET seconds
each; a trial finds the bug when the target stops on a ddimap report of one
of the listed rules; its time is the wall-clock time of the whole run,
start-up included. The correct drivers then run DRIVER_CLEAN seconds each
(0: skipped) and must stop on nothing.

Environment: DRIVER_SEEDS (3; 0: no bug runs), DRIVER_BUDGET (60),
DRIVER_CLEAN (0), DRIVER_BUGS (comma list of targets; default all), KEEP (a
directory: each bug's first crash input is copied there as
<sample>-bugN-<RULE>.input, the form of tests/regressions/drivers/). Prints
markdown tables; exit status 1 when a bug is missed in the median or a
correct driver reports anything.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def bugs(root):
    rows = []
    for line in (Path(root) / "bench/driver_bugs.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            target, rules, kind = line.split(None, 2)
            rows.append((target, rules.split("|"), kind.strip()))
    return rows


def run(target, seed, budget, root, dict_name, keep=None):
    """One libFuzzer run from an empty corpus: (seconds, rule or None); the
    crash input is copied to `keep` (a path) when given and found."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        cmd = [target, f"-seed={seed}", f"-max_total_time={budget}", "-print_final_stats=1",
               f"-dict={root}/dictionaries/{dict_name}.dict", f"-artifact_prefix={tmp}/", str(corpus)]
        start = time.monotonic()
        out = subprocess.run(cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             env={**os.environ, "DDIMAP_OPTIONS": "", "ASAN_OPTIONS": "detect_leaks=0"},
                             timeout=budget + 60).stdout.decode(errors="replace")
        elapsed = time.monotonic() - start
        crash = sorted(Path(tmp).glob("crash-*"))
        if keep and crash:
            shutil.copyfile(crash[0], keep)
    m = re.search(r"^ERROR: ddimap: ([A-Z_]+\.[A-Z_]+)", out, re.M)
    return elapsed, (m.group(1) if m else None)


def selected(root):
    """The rows of bench/driver_bugs.txt that DRIVER_BUGS asks for (all by default)."""
    only = [b for b in os.environ.get("DRIVER_BUGS", "").split(",") if b]
    return [row for row in bugs(root) if not only or row[0] in only]


def main():
    if sys.argv[1] == "--targets":  # what bench/drivers.sh builds: the bug builds and their correct drivers
        names = {n for t, _, _ in selected(sys.argv[2]) for n in (t, t.rsplit("_bug", 1)[0])}
        print("\n".join(sorted(names)))
        return 0
    root, bindir = sys.argv[1], sys.argv[2]
    seeds = int(os.environ.get("DRIVER_SEEDS", "3"))
    budget = int(os.environ.get("DRIVER_BUDGET", "60"))
    clean = int(os.environ.get("DRIVER_CLEAN", "0"))
    failed = False
    if seeds > 0:
        print(f"| planted bug | target | rule | found (of {seeds}) | median s | times s |")
        print("|---|---|---|---|---|---|")
    for target, rules, kind in selected(root):
        if seeds == 0:
            continue
        sample = target.rsplit("_bug", 1)[0]
        times, found = [], 0
        for seed in range(1, seeds + 1):
            keep = os.environ.get("KEEP")
            saved = Path(keep) / f"{sample}-{target.rsplit('_', 1)[1]}-{rules[0]}.input" if keep and found == 0 else None
            elapsed, rule = run(f"{bindir}/{target}", seed, budget, root, sample, saved)
            if rule in rules:
                found += 1
                times.append(elapsed)
            else:
                times.append(float("inf"))
                if rule is not None:
                    print(f"{target} seed {seed}: reported {rule}, expected {'|'.join(rules)}", file=sys.stderr)
        median = statistics.median(times)
        failed |= median == float("inf")
        shown = ", ".join("-" if t == float("inf") else f"{t:.1f}" for t in times)
        print(f"| {kind} | `{target}` | {' or '.join(rules)} | {found}/{seeds} | "
              f"{'-' if median == float('inf') else f'{median:.1f}'} | {shown} |", flush=True)
    if clean > 0:
        print(f"\n| correct driver | seconds | report |\n|---|---|---|")
        for target in sorted({t.rsplit('_bug', 1)[0] for t, _, _ in bugs(root)}):
            elapsed, rule = run(f"{bindir}/{target}", 1, clean, root, target)
            failed |= rule is not None or elapsed < clean - 5
            print(f"| `{target}` | {elapsed:.0f} | {rule or 'none'} |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
