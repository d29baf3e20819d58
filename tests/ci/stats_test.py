#!/usr/bin/env python3
"""Tests of bench/stats.py (ctest bench_stats): each subcommand on small inputs
whose figures are worked out by hand."""
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import stats  # noqa: E402
import mutants  # noqa: E402

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench")


def run(*argv, stdin=""):
    out = io.StringIO()
    code = 0
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out):
            stats.main(list(argv))
    except SystemExit as e:
        code = e.code or 0
    finally:
        sys.stdin = old
    return out.getvalue(), code


class StatsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_median(self):
        self.assertEqual(run("median", stdin="3\n1\n2\n10\n")[0], "2.5\n")
        self.assertEqual(run("median", "--low", stdin="3\n1\n2\n10\n")[0], "2\n")
        self.assertEqual(run("median", "--high", stdin="3\n1\n2\n10\n")[0], "3\n")

    def test_irefs_and_stat(self):
        self.assertEqual(run("irefs", stdin="==1== Events\n==1== I   refs:      1,234,567\n")[0], "1234567\n")
        self.assertEqual(run("irefs", stdin="no count\n"), ("", 0))
        log = self.write("log", "stat::number_of_executed_units: 10\nstat::number_of_executed_units: 42\n")
        self.assertEqual(run("stat", "number_of_executed_units", log)[0], "42\n")

    def test_mutant_row(self):
        log = self.write("log", "INFO: x\nSUMMARY: AddressSanitizer: heap-use-after-free a.cpp:1\n"
                                "stat::number_of_executed_units: 77\n")
        out, _ = run("mutant-row", "m", "empty", "2", "yes", "100.00", "103.257", "60", log)
        self.assertEqual(out, "m\tempty\t2\tyes\t3.26\t77\tAddressSanitizer: heap-use-after-free a.cpp:1\n")
        # A run that did not kill counts its whole budget; a SIGNATURE: line wins.
        log = self.write("log2", "SIGNATURE: oracle-mismatch X\tresult\n")
        out, _ = run("mutant-row", "m", "shipped", "1", "no", "0", "9", "60", log)
        self.assertEqual(out, "m\tshipped\t1\tno\t60\t0\toracle-mismatch X result\n")

    def test_tallies_and_the_derived_budget(self):
        tsv = self.write("r.tsv", "none\tempty\t1\tno\t5\t0\t-\n"
                                  "a\tempty\t1\tyes\t2.00\t10\ts\n"
                                  "b\tempty\t1\tyes\t3.10\t10\ts\n"
                                  "c\tempty\t1\tno\t5\t10\t-\n"
                                  "a\tbaseline\t1\tno\t20\t10\t-\n"
                                  "b\tbaseline\t1\tskip\t0\t0\t-\n")
        self.assertEqual(run("misses", tsv, "baseline")[0], "1\n")
        # median_high of (2.00, 3.10, never) is 3.10; 6 x 3.10 rounded up is 19.
        self.assertEqual(run("baseline-budget", tsv, "6", "60")[0], "3.1 19\n")
        self.assertEqual(run("baseline-budget", tsv, "1", "60")[0], "3.1 5\n")  # at least 5
        self.assertEqual(run("false-alarms", tsv), ("", 0))
        bad = self.write("bad.tsv", "none\tbaseline\t1\tyes\t1.00\t3\tcrash\n")
        out, code = run("false-alarms", bad)
        self.assertEqual(code, 1)
        self.assertIn("none\tbaseline", out)

    def test_mutants_report(self):
        defs = self.write("defs", 'DDIMAP_MUTANT_ROW(a, "first")\nDDIMAP_MUTANT_ROW(b, "second")\n')
        tsv = self.write("r.tsv", "a\tshipped\t1\tyes\t1.50\t100\tsig|a\n"
                                  "a\tshipped\t2\tyes\t2.50\t300\tsig|a\n"
                                  "b\tshipped\t1\tno\t60\t900\t-\n"
                                  "b\tshipped\t2\tyes\t4.00\t50\tsig b\n"
                                  "a\tempty\t1\tyes\t1.00\t10\t-\n"
                                  "b\tempty\t1\tyes\t3.00\t30\t-\n"
                                  "a\tbaseline\t1\tno\t12\t5\t-\n"
                                  "b\tbaseline\t1\tskip\t0\t0\t-\n")
        out, _ = run("mutants-report", tsv, defs, "60", "60", "12")
        # Of two trials the upper middle: a's 2.5 s, 300 executions; b's unkilled run.
        self.assertIn("| `a` | 2/2, 2.5s, 300 | 1/1, 1.0s, 10 | 0/1, >12s, - | sig\\|a |", out)
        self.assertIn("| `b` | 1/2, >60s, - | 1/1, 3.0s, 30 | not run | sig b |", out)
        self.assertIn("| fuzz_all, shipped (60s) | 1/2 (50%) | 2/2 | 3/4 (75%) | 4.0s | 300 |", out)
        self.assertIn("| fuzz_baseline, empty (12s) | 0/1 (0%) | 0/1 | 0/1 (0%, 1 not run) | >12s | - |", out)
        self.assertIn("1 of its runs did not kill", out)
        # fuzz_all's median from empty 3.0 s; the baseline never: more than 12/3 = 4.0x.
        self.assertIn("more than 4.0x (the baseline's median run did not kill within 12s; fuzz_all's median: 3.0s)", out)

    def test_mutants_queue(self):
        # Every other mutant first, each trial in turn, modes in the order given.
        q = mutants.queue(["a", "b", "c"], ["empty", "shipped"], {"empty": 2, "shipped": 1})
        self.assertEqual(q, [("a", "empty", 1), ("c", "empty", 1), ("b", "empty", 1), ("a", "empty", 2),
                             ("c", "empty", 2), ("b", "empty", 2), ("a", "shipped", 1), ("c", "shipped", 1),
                             ("b", "shipped", 1)])

    def test_mutants_campaign(self):
        # The whole campaign on stand-in fuzz targets: fuzz_all "kills" mutant a
        # (a crash artifact and a failing status), never b; fuzz_baseline never.
        root = self.dir.name
        os.makedirs(os.path.join(root, "core", "mutants"))
        self.write("core/mutants/mutants.def", 'DDIMAP_MUTANT_ROW(a, "first")\nDDIMAP_MUTANT_ROW(b, "second")\n')
        bindir = os.path.join(root, "bin")
        os.makedirs(bindir)
        fake = ("#!/usr/bin/env python3\nimport os, sys\n"
                "prefix = next(x for x in sys.argv if x.startswith('-artifact_prefix='))[17:]\n"
                "kill = os.environ['DDIMAP_MUTANT'] == 'a' and KILLS\n"
                "print('stat::number_of_executed_units: %d' % (5 if kill else 100))\n"
                "if kill:\n    open(prefix + 'crash-1', 'w').close()\n"
                "    print('SUMMARY: AddressSanitizer: planted')\n    sys.exit(1)\n")
        for name, kills in (("fuzz_all", "True"), ("fuzz_baseline", "False")):
            os.chmod(self.write("bin/" + name, fake.replace("KILLS", kills)), 0o755)
        env = {**os.environ, "TRIALS": "2", "EMPTY_TRIALS": "1", "BASELINE_TRIALS": "2", "BASELINE_BUDGET": "auto",
               "BASELINE_STOP": "median", "BINDIR": bindir, "JOBS": "1", "EMPTY_BUDGET": "30"}
        build = os.path.join(root, "build")
        p = subprocess.run([sys.executable, os.path.join(BENCH, "mutants.py"), root, build], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("| `a` | 2/2, ", p.stdout)
        self.assertIn("| `b` | 0/2, >60s, - | 0/1, >30s, - | 0/1, >30s, - | - |", p.stdout)
        # Of fuzz_all's two runs from empty (a killed, b not) the upper middle is never: the baseline's
        # budget is then the cap, EMPTY_BUDGET.
        self.assertIn("baseline budget: 6 x fuzz_all's median time to kill from empty (inf", p.stderr)
        rows = stats.results(os.path.join(build, "campaign", "results.tsv"))
        # Of 4 baseline runs, 2 misses fix the median: the last 2 are skipped; the no-mutant runs come first.
        self.assertEqual([r[3] for r in rows if r[1] == "baseline"], ["no", "no", "no", "skip", "skip"])
        self.assertEqual([r[0] for r in rows][:1], ["none"])

    def test_core_table(self):
        bench = [{"name": "MmPair<Machine>/%d" % n, "run_name": "MmPair<Machine>/%d" % n, "run_type": "iteration",
                  "cpu_time": t, "time_unit": "ns"} for n, t in ((10, 40.0), (1000, 50.0), (100000, 75.0))]
        bench += [{"name": "MmPair<oracle::Model>/%d" % n, "run_name": "MmPair<oracle::Model>/%d" % n,
                   "run_type": "iteration", "cpu_time": t, "time_unit": "us"} for n, t in ((10, 0.08), (1000, 5.0),
                                                                                          (100000, 750.0))]
        bench.append({"name": "WorldCopy", "run_name": "WorldCopy", "run_type": "iteration", "cpu_time": 2.5,
                      "time_unit": "ms"})
        path = self.write("b.json", json.dumps({"benchmarks": bench}))
        out, _ = run("core-table", path, "3")
        self.assertIn("| `MmPair<Machine>` | MmMapIoSpace + MmUnmapIoSpace | 40 ns | 50 ns | 75 ns | 1.50x |", out)
        self.assertIn("| 80 ns | 5000 ns | 750.0 us | 150.00x |", out)
        self.assertIn("`WorldCopy` (a copy of the harnesses' standard world", out)
        self.assertIn("2.5 ms.", out)
        self.assertIn("Oracle over core, same pair, same run: 2.0x at 10 live, 100.0x at 1e3 live, 10000.0x at 1e5 live.",
                      out)
        self.assertIn("the median of 3 repetitions", out)
        self.assertIn("MmMapIoSpace + MmUnmapIoSpace 75 ns (goal < 100 ns), growth 1.50x", out)

    def test_throughput(self):
        # 100 files, -runs=3: 200 executions over (wall N - wall 1).
        rows = ("h 100 5000 1000000000 3000000000 0 100000000\n"   # 100/s, 2000/s: 5.0%
                "h 100 5000 0 1000000000 0 400000000\n"            # 200/s, 500/s: 40.0%
                "h 100 5000 0 4000000000 0 200000000\n")           # 50/s, 1000/s: 5.0%
        out, _ = run("throughput", "3", "3", stdin=rows)
        self.assertEqual(out.splitlines()[-1], "| h | 100 (5000) | 100 | 1000 | 5.0% |")

    def test_ab(self):
        out, _ = run("ab", "200", stdin="5 7\n3 9\n12 4\n")
        self.assertEqual(out.splitlines()[0], "round: A 5 ms, B 7 ms")
        self.assertEqual(out.splitlines()[-1], "median: A 5 ms, B 7 ms for 200 executions each; A/B = 0.71")

    def test_reach(self):
        log = self.write("repro.log", "# reach-log /c/1 rules 3/5 statuses 1/2 pairs 4\n"
                                      "# reach-log /c/2 rules 5/5 statuses 2/2 pairs 9\n"
                                      "# ddimap-repro: 2 input(s), 2 passed, 0 failed\n")
        out, _ = run("reach-times", log, "100", stdin="101.5 /c/1\n104.25 /c/2\n")
        self.assertEqual(out, "1.50 rules 3/5 statuses 1/2 pairs 4\n4.25 rules 5/5 statuses 2/2 pairs 9\n")
        self.assertEqual(run("reach-complete", stdin=out)[1], 0)
        self.assertEqual(run("reach-complete", stdin=out.splitlines()[0] + "\n")[1], 1)
        self.write("fuzz_mm_io.1.reach", out)
        self.write("fuzz_mm_io.1.stats", "# ddimap-repro: 2 input(s)\n")
        self.write("fuzz_mm_io.2.reach", "2.00 rules 4/5 statuses 2/2 pairs 7\n")
        self.write("fuzz_mm_io.2.stats", "# rule not reached: MM_IO.X\n")
        rep, _ = run("reach-report", self.dir.name, "60", "1", "2", "fuzz_mm_io")
        self.assertIn("| fuzz_mm_io | 1/2 | 4.2s (4.2s..>60s) | rules 4/5, statuses 2/2 | MM_IO.X (1) |", rep)

    def test_render(self):
        tpl = self.write("t.in", "at {{commit}}, budget {{BASELINE_BUDGET}}{{?auto}} (derived){{/auto}}{{!auto}}s{{/auto}}"
                                 " ({{secs:core}} s)\n\n{{part:core}}\n\n{{part:mutants}}{{notes}}\n")
        self.write("core.md", "| core |\n")
        self.write("core.secs", "7\n")
        self.write("mutants.md", "| mutants |\n")
        notes = self.write("notes.md", "## Notes\n")
        os.environ["BASELINE_BUDGET"] = "auto"
        self.addCleanup(os.environ.pop, "BASELINE_BUDGET")
        out, _ = run("render", "--notes", notes, tpl, self.dir.name, "commit=abc")
        self.assertEqual(out, "at abc, budget auto (derived) (7 s)\n\n| core |\n\n| mutants |\n\n## Notes\n")
        out, _ = run("render", tpl, self.dir.name, "commit=abc", "BASELINE_BUDGET=30")
        self.assertEqual(out, "at abc, budget 30s (7 s)\n\n| core |\n\n| mutants |\n")


if __name__ == "__main__":
    unittest.main()
