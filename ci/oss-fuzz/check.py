#!/usr/bin/env python3
# Copyright 2026 the ddimap authors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
#
################################################################################
"""A local check of the OSS-Fuzz build (ci/oss-fuzz/build.sh), without Docker.

  ci/oss-fuzz/check.sh [--only CONFIG]... [--keep]
    CONFIG: address (libFuzzer + ASan), undefined (libFuzzer + UBSan),
            afl (AFL++ afl-clang-fast++ + ASan), coverage (clang source coverage)
    --keep  keep the temporary $SRC/$OUT/$WORK trees (printed at the end)

For each configuration it runs build.sh the way OSS-Fuzz's `compile` does --
CC, CXX (the newest clang whose libc++ builds ddimap: ci/oss-fuzz/libcxx.py),
CFLAGS, CXXFLAGS_EXTRA (-stdlib=libc++; not for afl, below), CXXFLAGS,
LIB_FUZZING_ENGINE (-fsanitize=fuzzer, with libstdc++ for Debian's libFuzzer runtime,
which is built against libstdc++ where OSS-Fuzz's carries its own C++ library),
SANITIZER, and fresh SRC, OUT and WORK directories, with build.sh at
$SRC/build.sh and the repository at $SRC/ddimap as in the Docker image (build.sh
runs the repository's ci/oss-fuzz/build-targets.sh) -- then checks the result
the way check_build (infra/base-images/base-runner/test_all.py +
bad_build_check) does:
  - fuzz-target detection: exactly the listed harnesses (the build's
    ddimap-repro --list-harnesses) in $OUT are executable ELF files containing
    "LLVMFuzzerTestOneInput" (ddimap-repro is not one);
  - C++ library: in the targets and the helper tools (ddimap-repro, ddimap-gen)
    ddimap's code uses libc++ (std::__1 symbols), never libstdc++ (std::__cxx11);
    not for afl: afl-clang-fast++ is tied to Debian's clang 14, whose libc++ 14
    lacks <memory_resource>, so that configuration uses libstdc++ here;
  - layout: each target has H_seed_corpus.zip (flat), H.dict, H.options;
  - libFuzzer builds: `H -seed=1337 -runs=4` finishes ("Done 4 runs"), with
    coverage (cov: > 0 on its INITED/DONE line, >= 100 instrumented edges);
  - sanitizer calls in the binary (objdump -dC, calls to __asan_* >= 1000 for
    address, __ubsan_* >= 169 and no __asan_* for undefined; nm: __llvm_profile
    symbols for coverage);
  - the seed corpus, unzipped, replays clean through run_fuzzer's command line
    (-rss_limit_mb=2560 -timeout=25 -runs=0, the .options and the dict);
  - AFL++: every seed FILE replays clean through the AFL++ driver (given a
    directory it silently does nothing), and afl-fuzz starts on the target
    ("All set and ready to roll", no "target binary crashed/terminated") and
    fuzzes for a few seconds (-V);
  - coverage: the seed replay writes a profile that llvm-profdata can merge.
One PASS/FAIL line per check; exit status 1 if any check failed.

Runtime environment as OSS-Fuzz's base-runner sets it (ASAN_OPTIONS,
UBSAN_OPTIONS with silence_unsigned_overflow=1, run_fuzzer's AFL_* settings).
For UBSan builds the unsigned-integer-overflow sites the seeds reach (a
recoverable check OSS-Fuzz uses as a coverage signal) are listed as INFO.
Python 3 standard library only.
"""
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "ci"))
sys.dont_write_bytecode = True  # no __pycache__ in the checkout
import fuzzlib  # noqa: E402  (the .options parser, shared with the other scripts)
sys.path.insert(0, str(HERE))
import libcxx  # noqa: E402  (the clang whose libc++ stands in for OSS-Fuzz's)

CONFIGS = ("address", "undefined", "afl", "coverage")

# --- OSS-Fuzz's flags ---------------------------------------------------------------
# Sources (google/oss-fuzz):
#   infra/base-images/base-clang/ubuntu-24-04.Dockerfile (google/oss-fuzz 955c6866, 2026-08-20; the
#     image project.yaml's base_os_version ubuntu-24-04 selects): CFLAGS (below),
#     CXXFLAGS_EXTRA="-stdlib=libc++", CXXFLAGS="$CFLAGS $CXXFLAGS_EXTRA". Its clang is current;
#     clang 14 warns that -Wno-error=vla-cxx-extension is unknown (harmless:
#     -Wno-error=unknown-warning-option, and build-targets.sh turns -Werror off).
#   infra/base-images/base-builder/Dockerfile (and ubuntu-24-04.Dockerfile):
#     SANITIZER_FLAGS_address, SANITIZER_FLAGS_undefined, SANITIZER_FLAGS_coverage="",
#     COVERAGE_FLAGS="-fsanitize=fuzzer-no-link", COVERAGE_FLAGS_coverage,
#     UBSAN_OPTIONS="silence_unsigned_overflow=1" (unsigned-integer-overflow is a
#     recoverable coverage signal, google/oss-fuzz#910).
#   infra/base-images/base-builder/compile: SANITIZER_FLAGS=$SANITIZER_FLAGS_$SANITIZER;
#     COVERAGE_FLAGS=$COVERAGE_FLAGS_$SANITIZER when that is set; COVERAGE_FLAGS empty
#     for the afl engine; CFLAGS="$CFLAGS $SANITIZER_FLAGS $COVERAGE_FLAGS";
#     CXXFLAGS="$CFLAGS $CXXFLAGS_EXTRA"; libFuzzer builds: LIB_FUZZING_ENGINE=-fsanitize=fuzzer.
#   infra/base-images/base-runner/Dockerfile: ASAN_OPTIONS, UBSAN_OPTIONS, FUZZER_ARGS.
#   infra/base-images/base-runner/run_fuzzer: the command lines and AFL_* settings.
BASE_CFLAGS = ("-O1 -fno-omit-frame-pointer -gline-tables-only "
               "-Wno-error=incompatible-function-pointer-types -Wno-error=int-conversion "
               "-Wno-error=deprecated-declarations -Wno-error=implicit-function-declaration "
               "-Wno-error=implicit-int -Wno-error=unknown-warning-option -Wno-error=vla-cxx-extension "
               "-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION")
CXXFLAGS_EXTRA = "-stdlib=libc++"
UBSAN_CHECKS = ("array-bounds,bool,builtin,enum,function,integer-divide-by-zero,null,object-size,return,"
                "returns-nonnull-attribute,shift,signed-integer-overflow,{}unreachable,vla-bound,vptr")
SANITIZER_FLAGS = {
    "address": "-fsanitize=address -fsanitize-address-use-after-scope",
    "undefined": (f"-fsanitize={UBSAN_CHECKS.format('unsigned-integer-overflow,')} "
                  f"-fno-sanitize-recover={UBSAN_CHECKS.format('')}"),
    "coverage": "",
}
COVERAGE_FLAGS = "-fsanitize=fuzzer-no-link"
COVERAGE_FLAGS_COVERAGE = ("-fprofile-instr-generate -fcoverage-mapping -pthread -Wl,--no-as-needed -Wl,-ldl "
                           "-Wl,-lm -Wno-unused-command-line-argument")
RUNNER_ASAN_OPTIONS = (
    "alloc_dealloc_mismatch=0:allocator_may_return_null=1:allocator_release_to_os_interval_ms=500:"
    "check_malloc_usable_size=0:detect_container_overflow=1:detect_odr_violation=0:detect_leaks=1:"
    "detect_stack_use_after_return=1:fast_unwind_on_fatal=0:handle_abort=1:handle_segv=1:handle_sigill=1:"
    "max_uar_stack_size_log=16:print_scariness=1:quarantine_size_mb=10:strict_memcmp=1:symbolize=1:"
    "use_sigaltstack=1:dedup_token_length=3")
RUNNER_UBSAN_OPTIONS = "print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1:symbolize=1:dedup_token_length=3"
FUZZER_ARGS = ["-rss_limit_mb=2560", "-timeout=25"]
# bad_build_check thresholds.
MIN_EDGES = 100
ASAN_CALLS_MIN = 1000
UBSAN_CALLS_MIN = 169
UBSAN_CALLS_MAX_NON_UBSAN = 200


def run(cmd, cwd=None, env=None, timeout=None):
    """Output (stdout and stderr together) and exit status; stdin is empty."""
    try:
        p = subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        return p.stdout.decode(errors="replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        return (e.output or b"").decode(errors="replace"), 124


def indent(lines):
    return "\n".join("    | " + line for line in lines)


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def elf_machine(path):  # e_machine, 62 = x86-64
    with open(path, "rb") as f:
        f.seek(18)
        return int.from_bytes(f.read(2), "little")


def mentions(path, needle=b"LLVMFuzzerTestOneInput"):
    return needle in Path(path).read_bytes()


def fmt_time(seconds):
    return f"{seconds // 60}m{seconds % 60:02d}s"


class Config:
    def __init__(self, name, tmp, clang):
        self.name, self.failures = name, 0
        self.base = Path(tmp) / name
        self.src, self.out, self.work = self.base / "src", self.base / "out", self.base / "work"
        self.engine, self.cc, self.cxx = "libfuzzer", clang["cc"], clang["cxx"]
        self.profdata = clang["profdata"]
        # AFL++'s afl-clang-fast++ is tied to the clang its LLVM plugin was built for (Debian 12:
        # clang 14, whose libc++ 14 lacks <memory_resource>), so this one configuration builds
        # against libstdc++ here; upstream's AFL++ uses the image's clang and libc++.
        self.cxxflags_extra = "" if name == "afl" else CXXFLAGS_EXTRA
        # OSS-Fuzz's libFuzzer carries its own C++ library; Debian's (libclang_rt.fuzzer) is built
        # against libstdc++, which a libc++ link then lacks. libstdc++ serves that runtime only
        # (check_stdlib checks that ddimap's own code uses libc++); -l:file because clang turns a
        # plain -lstdc++ into its -stdlib= library.
        self.engine_flags = "-fsanitize=fuzzer" + (" -l:libstdc++.so.6" if self.cxxflags_extra else "")
        self.san = {"afl": "address"}.get(name, name)
        flags = f"{BASE_CFLAGS} {SANITIZER_FLAGS[self.san]}"
        if name == "coverage":
            flags += " " + COVERAGE_FLAGS_COVERAGE
        elif name == "afl":
            self.engine, self.cc, self.cxx = "afl", "afl-clang-fast", "afl-clang-fast++"
        else:
            flags += " " + COVERAGE_FLAGS
        self.flags = flags

    def say(self, kind, text):
        print(f"{kind} [{self.name}] {text}", flush=True)

    def pass_(self, text):
        self.say("PASS", text)

    def fail(self, text, details=None):
        self.say("FAIL", text)
        if details:
            print(indent(details), flush=True)
        self.failures += 1

    def info(self, text):
        self.say("INFO", text)

    def build(self):
        """As `compile` runs it: bash -eux $SRC/build.sh, from $SRC."""
        for d in (self.src, self.out, self.work):
            d.mkdir(parents=True)
        shutil.copy(HERE / "build.sh", self.src / "build.sh")
        (self.src / "ddimap").symlink_to(ROOT)
        env = {k: v for k, v in os.environ.items() if k not in ("LDFLAGS", "CPPFLAGS", "LLVM_PROFILE_FILE")}
        env.update(CC=self.cc, CXX=self.cxx, CFLAGS=self.flags, CXXFLAGS_EXTRA=self.cxxflags_extra,
                   CXXFLAGS=f"{self.flags} {self.cxxflags_extra}",
                   LIB_FUZZING_ENGINE=self.engine_flags, SANITIZER=self.san, FUZZING_ENGINE=self.engine,
                   SRC=str(self.src), OUT=str(self.out), WORK=str(self.work), AFL_QUIET="1",
                   ASAN_OPTIONS="detect_leaks=0:symbolize=0:detect_odr_violation=0:abort_on_error=1")
        log = self.base / "build.log"
        with open(log, "wb") as f:
            p = subprocess.run(["bash", "-eux", str(self.src / "build.sh")], cwd=self.src, env=env,
                               stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
        return p.returncode == 0, log

    def check_detection(self, harnesses):
        """As test_all.py's find_fuzz_targets."""
        found = sorted(f.name for f in self.out.iterdir()
                       if f.is_file() and os.access(f, os.X_OK) and f.name != "llvm-symbolizer"
                       and not f.name.startswith(("afl-", "jazzer_")) and is_elf(f) and mentions(f))
        want, got = " ".join(sorted(harnesses)) + " ", " ".join(found) + " "
        if want == got:
            self.pass_(f"fuzz-target detection: {len(found)} targets ({got})")
        else:
            self.fail(f"fuzz-target detection: found '{got}', want '{want}'")
        repro = self.out / "ddimap-repro"
        if not repro.exists():
            self.info("ddimap-repro left in $WORK/build-tools/harnesses")
        elif mentions(repro):
            self.fail("ddimap-repro in $OUT looks like a fuzz target")
        else:
            self.pass_(f"ddimap-repro in $OUT, not a fuzz target (uninstrumented: "
                       f"{repro.read_bytes().count(b'__asan_init')} __asan_init refs)")

    def check_stdlib(self, harnesses):
        """Targets and helper tools alike against libc++ (namespace std::__1), none against
        libstdc++ (std::__cxx11): the base image's libstdc++ may lack C++20 headers."""
        if not self.cxxflags_extra:
            self.info("C++ library: libstdc++ (afl-clang-fast++ here is clang 14, whose libc++ 14 cannot build "
                      "ddimap); OSS-Fuzz's AFL++ build uses libc++ like the others")
            return
        tools = self.work / "build-tools" / "harnesses"
        binaries = [tools / "ddimap-repro", tools / "ddimap-gen"] + [self.out / h for h in harnesses]
        wrong = []
        for b in binaries:
            # The engine's runtime may carry its own C++ library; ddimap's code must use libc++.
            symbols, _ = run(["nm", "-C", str(b)])
            ours = [l for l in symbols.splitlines() if "ddimap::" in l]
            if not any("std::__1::" in l for l in ours) or any("std::__cxx11::" in l for l in ours):
                wrong.append(b.name)
        if wrong:
            self.fail(f"C++ library: not built against libc++ ({CXXFLAGS_EXTRA}): {' '.join(wrong)}")
        else:
            self.pass_(f"C++ library: ddimap's code uses libc++ (std::__1) in the {len(binaries) - 2} targets, "
                       "ddimap-repro and ddimap-gen; none uses libstdc++ (std::__cxx11)")

    def check_layout(self, h, seeds):
        out = self.out
        if not (os.access(out / h, os.X_OK) and all((out / f"{h}{s}").is_file() and (out / f"{h}{s}").stat().st_size
                                                     for s in (".dict", ".options", "_seed_corpus.zip"))):
            self.fail(f"{h} layout: missing target, .dict, .options or _seed_corpus.zip in $OUT")
            return False
        n_seeds = sum(1 for f in (ROOT / "corpus" / h).iterdir() if f.is_file())
        with zipfile.ZipFile(out / f"{h}_seed_corpus.zip") as z:
            names = z.namelist()
            z.extractall(seeds)
        n_zip = sum(1 for n in names if "/" not in n)
        if n_zip == n_seeds and n_zip == len(names):
            self.pass_(f"{h} layout: target, .dict, .options, seed corpus ({n_zip} files, flat)")
        else:
            self.fail(f"{h} layout: seed corpus holds {n_zip} flat entries, corpus/{h} has {n_seeds} "
                      "(or it has directories)")
        return True

    def check_instrumentation(self, h):
        """bad_build_check's check_architecture and check_mixed_sanitizers."""
        binary = self.out / h
        if elf_machine(binary) != 62:
            self.fail(f"{h} is not an x86-64 ELF binary")
        if self.san == "coverage":
            symbols, _ = run(["nm", str(binary)])
            prof = symbols.count("__llvm_profile")
            asan = len(re.findall(r" __asan_init", symbols))
            if prof > 0 and asan == 0:
                self.pass_(f"{h} coverage instrumentation: {prof} __llvm_profile symbols, no ASan")
            else:
                self.fail(f"{h} coverage instrumentation: {prof} __llvm_profile symbols (want > 0), "
                          f"__asan_init {asan} (want 0)")
            return
        dis, _ = run(["objdump", "-dC", str(binary)])
        asan, ubsan = (len(re.findall(rf"callq?\s+[0-9a-f]+\s+<{p}", dis)) for p in ("__asan", "__ubsan"))
        if self.san == "address":
            if asan >= ASAN_CALLS_MIN and ubsan <= UBSAN_CALLS_MAX_NON_UBSAN:
                self.pass_(f"{h} sanitizer calls: {asan} to __asan_* (>= {ASAN_CALLS_MIN}), {ubsan} to __ubsan_* "
                           f"(<= {UBSAN_CALLS_MAX_NON_UBSAN})")
            else:
                self.fail(f"{h} sanitizer calls: {asan} to __asan_* (want >= {ASAN_CALLS_MIN}), {ubsan} to "
                          f"__ubsan_* (want <= {UBSAN_CALLS_MAX_NON_UBSAN})")
        elif ubsan >= UBSAN_CALLS_MIN and asan == 0:
            self.pass_(f"{h} sanitizer calls: {ubsan} to __ubsan_* (>= {UBSAN_CALLS_MIN}), no __asan_*")
        else:
            self.fail(f"{h} sanitizer calls: {ubsan} to __ubsan_* (want >= {UBSAN_CALLS_MIN}), {asan} to __asan_* "
                      "(want 0)")

    def check_libfuzzer(self, h, seeds, opts):
        env = {"ASAN_OPTIONS": RUNNER_ASAN_OPTIONS, "UBSAN_OPTIONS": RUNNER_UBSAN_OPTIONS}
        if self.san != "coverage":
            # -runs=4 (bad_build_check check_engine / check_startup_crash); not for
            # coverage builds, which have no fuzzer coverage instrumentation.
            log, _ = run([f"./{h}", "-seed=1337", "-runs=4"], cwd=self.out, env=env)
            edges = re.search(r"INFO: Loaded [0-9]+ module.*\(.*(?:counters|guards)\): *([0-9]+)", log)
            edges = int(edges.group(1)) if edges else 0
            cov = max((int(c) for c in re.findall(r"^#[0-9]+\s+(?:INITED|DONE).*?cov: ([0-9]+)", log, re.M)),
                      default=0)
            if "Done 4 runs" in log and "no interesting inputs were found" not in log and cov > 0 \
                    and edges >= MIN_EDGES:
                self.pass_(f"{h} -runs=4: done, cov: {cov}, {edges} instrumented edges")
            else:
                self.fail(f"{h} -runs=4: cov '{cov or 'none'}', edges '{edges or 'none'}' (log:)",
                          log.splitlines()[:40])
        # Seed corpus replay (bad_build_check check_seed_corpus via run_fuzzer).
        profdir = self.base / "profiles" / h
        profdir.mkdir(parents=True)
        log, rc = run([f"./{h}", *FUZZER_ARGS, "-runs=0", str(seeds), *opts], cwd=self.out,
                      env={**env, "LLVM_PROFILE_FILE": f"{profdir}/%p.profraw"})
        if rc == 0 and not re.search(r"ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer|"
                                     r"ddimap-harness)|runtime error:", log):
            seedcov = re.search(r"INITED.*(cov: [0-9]+)", log)
            n = len(list(seeds.iterdir()))
            self.pass_(f"{h} seed corpus replays clean (-runs=0, {n} inputs{', ' + seedcov.group(1) if seedcov else ''})")
        else:
            self.fail(f"{h} seed corpus replay failed (log:)",
                      [line for line in log.splitlines() if re.search("ERROR|runtime error|SUMMARY", line)][:5])
        if self.san == "coverage":
            raws = sorted(str(p) for p in profdir.glob("*.profraw"))
            merged = profdir / "merged.profdata"
            if self.profdata and raws and \
                    run([self.profdata, "merge", "-sparse", *raws, "-o", str(merged)])[1] == 0 and \
                    merged.exists() and merged.stat().st_size:
                self.pass_(f"{h} coverage profile written and merged ({(merged.stat().st_size + 1023) // 1024} KiB)")
            else:
                self.fail(f"{h} coverage profile: no mergeable .profraw in {profdir}")
        if self.san == "undefined":
            # Where do the seeds overflow unsigned arithmetic (silenced above)?
            log, _ = run([f"./{h}", *FUZZER_ARGS, "-runs=0", str(seeds), *opts], cwd=self.out, env={
                "UBSAN_OPTIONS": "print_stacktrace=0:silence_unsigned_overflow=0:report_error_type=1:"
                                 "dedup_token_length=3"})
            sites = collections.Counter(
                re.sub(r"^.*/(core|harnesses)/", r"\1/", m)
                for m in re.findall(r"(\S+:[0-9]+:[0-9]+): runtime error: unsigned integer overflow", log))
            if sites:
                listed = ", ".join(f"{s}(x{n})" for s, n in sorted(sites.items(), key=lambda kv: (-kv[1], kv[0])))
                self.info(f"{h} unsigned-integer-overflow sites reached by the seeds (recoverable, silenced by "
                          f"OSS-Fuzz): {listed}")

    def check_afl(self, h, seeds):
        # Replay the seed FILES through the driver (a directory would be skipped silently).
        asan = f"{RUNNER_ASAN_OPTIONS}:abort_on_error=1:symbolize=0:detect_odr_violation=0:"
        env = {"ASAN_OPTIONS": asan, "UBSAN_OPTIONS": f"{RUNNER_UBSAN_OPTIONS}:symbolize=0"}
        files = sorted(str(f) for f in seeds.iterdir())
        log, rc = run([f"./{h}", *files], cwd=self.out, env=env)
        if rc == 0 and not re.search(r"ERROR: (AddressSanitizer|LeakSanitizer|ddimap-harness)|runtime error:", log):
            self.pass_(f"{h} seed files replay clean through the AFL++ driver ({len(files)} files)")
        else:
            self.fail(f"{h} seed file replay through the AFL++ driver failed (log:)",
                      [line for line in log.splitlines() if re.search("ERROR|SUMMARY", line)][:5])
        # afl-fuzz starts (bad_build_check check_engine for afl), as run_fuzzer runs it.
        given, outdir = self.base / "afl-in" / h, self.base / "afl-out" / h
        given.mkdir(parents=True)
        outdir.parent.mkdir(parents=True, exist_ok=True)
        for f in files:
            shutil.copy(f, given)
        (given / "input").write_text("input\n")
        dictionary = ["-x", str(self.out / f"{h}.dict")] if (self.out / f"{h}.dict").stat().st_size else []
        env.update(AFL_SKIP_CPUFREQ="1", AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="1", AFL_NO_UI="1",
                   AFL_TRY_AFFINITY="1", AFL_FAST_CAL="1", AFL_CMPLOG_ONLY_NEW="1", AFL_FORKSRV_INIT_TMOUT="30000",
                   AFL_IGNORE_PROBLEMS="1", AFL_IGNORE_UNKNOWN_ENVS="1")
        log, _ = run(["timeout", "--preserve-status", "-s", "INT", "120s", "afl-fuzz", "-m", "none", "-t", "5000+",
                      "-i", str(given), "-o", str(outdir), *dictionary, "-V", "5", "--", f"./{h}"],
                     cwd=self.out, env=env)
        execs = re.match(r"[0-9]*", fuzzlib.afl_stats(outdir / "default" / "fuzzer_stats").get("execs_done", ""))
        execs = int(execs.group() or 0)
        if "All set and ready to roll" in log and not re.search(r"target binary (crashed|terminated)|PROGRAM ABORT",
                                                                log) and execs > 0:
            self.pass_(f"{h} afl-fuzz starts and fuzzes (-V 5: {execs} executions)")
        else:
            self.fail(f"{h} afl-fuzz did not start cleanly (execs_done '{execs or 'none'}'; log:)",
                      [line for line in log.splitlines()
                       if re.search(r"PROGRAM ABORT|Location|target binary|ERROR|\[-\]|OS message", line)][:15])

    def check(self):
        start = time.monotonic()
        print(f"=== oss-fuzz check: {self.name} (engine {self.engine}, SANITIZER={self.san}) ===", flush=True)
        took = lambda: fmt_time(int(time.monotonic() - start))  # noqa: E731
        if self.engine == "afl" and not (shutil.which("afl-clang-fast++") and shutil.which("afl-fuzz")):
            self.fail("build: afl-clang-fast++ / afl-fuzz not found (afl++)")
            return f"{self.name}: FAIL (no AFL++) {took()}"
        t0 = time.monotonic()
        ok, log = self.build()
        if not ok:
            self.fail(f"build.sh failed (log {log}; its end:)", log.read_text(errors="replace").splitlines()[-40:])
            return f"{self.name}: FAIL (build) {took()}"
        self.pass_(f"build.sh ({fmt_time(int(time.monotonic() - t0))})")
        listed, _ = run([str(self.work / "build-tools" / "harnesses" / "ddimap-repro"), "--list-harnesses"])
        harnesses = listed.split()
        self.check_detection(harnesses)
        self.check_stdlib(harnesses)
        for h in harnesses:
            seeds = self.base / "seeds" / h
            if not self.check_layout(h, seeds):
                continue
            self.check_instrumentation(h)
            if self.engine == "libfuzzer":
                self.check_libfuzzer(h, seeds, fuzzlib.options(self.out / f"{h}.options"))
            else:
                self.check_afl(h, seeds)
        if self.failures:
            return f"{self.name}: FAIL ({self.failures} checks) {took()}"
        return f"{self.name}: PASS {took()}"


def main(argv):
    configs, keep, args = [], False, list(argv)
    while args:
        a = args.pop(0)
        if a == "--only" and args:
            configs.append(args.pop(0))
        elif a.startswith("--only="):
            configs.append(a[len("--only="):])
        elif a == "--keep":
            keep = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            print(f"check.sh: unknown argument '{a}' (see --help)", file=sys.stderr)
            return 2
    for c in configs:
        if c not in CONFIGS:
            print(f"check.sh: unknown configuration '{c}' ({' '.join(CONFIGS)})", file=sys.stderr)
            return 2
    for tool in ("cmake", "ninja", "zip", "objdump", "nm", "clang", "clang++"):
        if not shutil.which(tool):
            print(f"check.sh: '{tool}' not found (ci/install-deps.sh)", file=sys.stderr)
            return 2
    # OSS-Fuzz compiles all C++ against libc++ (CXXFLAGS_EXTRA), so must this check.
    clang = libcxx.find()
    if not clang or not clang["cc"]:
        print(f"check.sh: no clang builds ddimap's C++20 against libc++: install {libcxx.INSTALL}",
              file=sys.stderr)
        return 2
    print(f"check.sh: {clang['cc']} / {clang['cxx']} {CXXFLAGS_EXTRA} (ci/oss-fuzz/libcxx.py)", flush=True)
    tmp = tempfile.mkdtemp(prefix="ddimap-oss-fuzz.", dir=os.environ.get("TMPDIR", "/tmp"))
    try:
        results = [Config(c, tmp, clang) for c in configs or CONFIGS]
        summary = [c.check() for c in results]
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    failures = sum(c.failures for c in results)
    print("\n=== oss-fuzz check summary ===")
    print("\n".join(summary))
    if keep:
        print(f"trees kept in {tmp}")
    if failures:
        print(f"{failures} check(s) FAILED")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
