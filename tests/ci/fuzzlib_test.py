#!/usr/bin/env python3
"""ctest fuzzlib: what ci/fuzzlib.py computes for the fuzz scripts, on sample
tool output (sanitizer, harness and engine reports, ddimap-repro --stats,
libFuzzer status lines, AFL++ fuzzer_stats, .options files).

  python3 fuzzlib_test.py REPO_ROOT
"""
import os
import sys
import tempfile
import unittest
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(sys.argv.pop(1) if len(sys.argv) > 1 else ".", "ci"))
import fuzzlib  # noqa: E402

ASAN = """\
==123==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x55 bp 0x7ff sp 0x7ff
READ of size 4 at 0x602000000010 thread T0
    #0 0x55d5 in ddimap::(anonymous namespace)::Unmap(ddimap::Machine&, unsigned long) /src/core/x.cpp:10:3
    #1 0x55d6 in std::foo() /usr/include/x
    #2 0x55d7 in ddimap::Machine::MmUnmapIoSpace(unsigned long, unsigned long) /src/core/y.cpp:20:1
    #3 0x55d8 in ddimap::harness::Run(...) x
freed by thread T0 here:
    #0 0x55d5 in free
    #1 0x55d5 in ddimap::Other() x
"""
UBSAN = """\
/src/core/x.cpp:12:5: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'
    #0 0x55d5 in ddimap::Add(int) /src/core/x.cpp:12:5
"""
STATS = """\
# ddimap-repro: 3 input(s), 3 passed, 0 failed
# reach (fuzz_mm_io): rules 12/14, statuses 3/4
# rule not reached: MM_IO.LEAK
# status not reached: MmMapIoSpace NULL
# rule not reached: MM_IO.MAP_RAM
"""


class Signatures(unittest.TestCase):
    def test_sanitizer_type_and_two_ddimap_frames_of_the_first_stack(self):
        self.assertEqual(fuzzlib.signature(ASAN),
                         "AddressSanitizer: heap-use-after-free in ddimap::{anon}::Unmap < "
                         "ddimap::Machine::MmUnmapIoSpace")

    def test_ubsan_numbers_are_generalised(self):
        self.assertEqual(fuzzlib.signature(UBSAN), "UndefinedBehaviorSanitizer: signed integer overflow in ddimap::Add")

    def test_the_reproducers_signature_comes_first(self):
        self.assertEqual(fuzzlib.signature("ERROR: ddimap-harness: oracle mismatch\nSIGNATURE: mismatch X\n" + ASAN),
                         "mismatch X")

    def test_a_driver_targets_report_before_the_abort_it_causes(self):
        self.assertEqual(fuzzlib.signature("ERROR: ddimap: VIDEO.LEAK in PsExitProcess\n  evidence\n"
                                           "==5== ERROR: libFuzzer: deadly signal\n" + ASAN),
                         "ddimap: VIDEO.LEAK in PsExitProcess")

    def test_harness_then_engine_lines(self):
        self.assertEqual(fuzzlib.signature("ERROR: ddimap-harness: self-check failed\n"),
                         "ddimap-harness: self-check failed")
        self.assertEqual(fuzzlib.signature("==5== ERROR: libFuzzer: timeout after 10 seconds\n"), "libFuzzer: timeout")
        self.assertEqual(fuzzlib.signature("nothing here\n"), "")


class Parsers(unittest.TestCase):
    def test_reach_lists_rules_before_statuses(self):
        self.assertEqual(fuzzlib.reach(STATS), ("12/14", "3/4", "MM_IO.LEAK, MM_IO.MAP_RAM, MmMapIoSpace NULL"))
        self.assertEqual(fuzzlib.reach("no figures\n"), ("", "", ""))

    def test_libfuzzer_log_gives_the_average_rate(self):
        with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
            f.write("#100: cov: 5 ft: 6 corp: 1 exec/s: 999 oom/timeout/crash: 0/0/0 time: 1s job: 1 dft_time: 0\n"
                    "#9000: cov: 812 ft: 900 corp: 40 exec/s: 1 oom/timeout/crash: 0/0/0 time: 30s job: 9\n")
            f.flush()
            self.assertEqual(fuzzlib.libfuzzer_log(f.name), ("9000", "300", "812"))

    def test_options_of_the_libfuzzer_section(self):
        with tempfile.TemporaryDirectory() as d:
            p = Path(d, "h.options")
            p.write_text("[libfuzzer]\nmax_len = 4096\ndict = h.dict\n[afl]\nx = 1\n")
            self.assertEqual(fuzzlib.options(p), ["-max_len=4096", "-dict=h.dict"])
            self.assertEqual(fuzzlib.options(p, "dictionaries"), ["-max_len=4096", "-dict=dictionaries/h.dict"])

    def test_afl_pool_takes_the_corpus_and_the_queues_but_not_the_seeds(self):
        with tempfile.TemporaryDirectory() as d:
            corpus, out, pool = Path(d, "corpus"), Path(d, "afl"), Path(d, "afl", "cmin-in")
            corpus.mkdir()
            Path(corpus, "seed1").write_text("s")
            for inst in ("main", "cmplog"):
                Path(out, inst, "queue").mkdir(parents=True)
                Path(out, inst, "queue", "id:000000,time:0,execs:0,orig:seed1").write_text("s")
                Path(out, inst, "queue", "id:000001,src:000000,op:havoc").write_text(inst)
                Path(out, inst, "queue", ".state").mkdir()
            self.assertEqual(fuzzlib.afl_pool(corpus, out, pool), 2)
            self.assertEqual(sorted(p.name for p in pool.iterdir()), ["c-seed1", "q-000001", "q-000002"])
            self.assertEqual(Path(pool, "q-000001").read_text(), "cmplog")

    def test_afl_totals_add_instances_and_keep_the_best_edges(self):
        with tempfile.TemporaryDirectory() as d:
            for inst, execs, rate, edges, cvg in (("main", 100, "2.6", 50, "1.0%"), ("cmplog", 20, "1.4", 70, "1.5%")):
                Path(d, inst).mkdir()
                Path(d, inst, "fuzzer_stats").write_text(
                    f"execs_done        : {execs}\nexecs_per_sec     : {rate}\nedges_found       : {edges}\n"
                    f"bitmap_cvg        : {cvg}\n")
            self.assertEqual(fuzzlib.afl_totals(d), ("120", "4", "70 (1.5%)"))  # rounded per instance, as before

    def test_traces_are_numbered_in_order(self):
        with tempfile.TemporaryDirectory() as d:
            a, b = Path(d, "b.trace"), Path(d, "a")
            a.write_text("x"), b.write_text("y")
            fuzzlib.traces(Path(d, "out"), [str(a), str(b)])
            self.assertEqual(sorted(os.listdir(Path(d, "out"))), ["000001-b.trace", "000002-a.trace"])


class Regressions(unittest.TestCase):
    def test_regression_names_are_slugs_numbered_past_existing_files(self):
        with tempfile.TemporaryDirectory() as d:
            sig = "oracle-mismatch MmUnmapIoSpace: status (core STATUS_SUCCESS, oracle none)"
            slug = "oracle-mismatch-mmunmapiospace-status-core-status-success-oracle-none"
            self.assertEqual(fuzzlib.regression_name(sig, d), slug + ".trace")
            Path(d, slug + ".trace").touch()
            Path(d, slug + "-2.trace").touch()
            self.assertEqual(fuzzlib.regression_name(sig, d), slug + "-3.trace")
            # At most 80 characters, no dash at either end.
            self.assertEqual(fuzzlib.regression_name("--" + "x" * 79 + "-y", d), "x" * 79 + ".trace")

    def test_a_known_signature_is_open_while_its_trace_fails(self):
        with tempfile.TemporaryDirectory() as d:
            # A stand-in reproducer: a trace passes when its text says "fixed".
            repro = Path(d, "repro")
            repro.write_text("#!/bin/sh\ngrep -q fixed \"$2\"\n")
            repro.chmod(0o755)
            Path(d, "a.trace").write_text("still fails\n")
            Path(d, "b.trace").write_text("fixed\n")
            Path(d, "signatures.tsv").write_text("expectation x\tb.trace\nexpectation x\ta.trace\n"
                                                 "expectation y\tb.trace\nAddressSanitizer: z\tb.trace\n")
            self.assertEqual(fuzzlib.known_trace("expectation x", d, str(repro)), os.path.join(d, "a.trace"))
            self.assertIsNone(fuzzlib.known_trace("expectation y", d, str(repro)))  # fixed: a new bug
            self.assertIsNone(fuzzlib.known_trace("expectation w", d, str(repro)))
            # A sanitizer signature is not replayed through the reproducer: known as listed.
            self.assertEqual(fuzzlib.known_trace("AddressSanitizer: z", d, str(repro)), os.path.join(d, "b.trace"))


if __name__ == "__main__":
    unittest.main()
