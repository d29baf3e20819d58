#!/usr/bin/env python3
"""What the fuzz scripts of ci/ compute, so that they only string tools together.

  fuzzlib.py options FILE [--dict-dir DIR]   libFuzzer flags of FILE's [libfuzzer] section, one a line
  fuzzlib.py signature < OUTPUT              one line naming a failure (empty: none found)
  fuzzlib.py reach LOG                       "a/b|c/d|missing, ..." (rules, statuses) of ddimap-repro --stats
  fuzzlib.py traces DEST FILE...             copies FILEs to DEST as numbered *.trace files
  fuzzlib.py crashes H DIR TARGET REPRO [--text]
                                             "count<TAB>signature<TAB>example" per crash signature
  fuzzlib.py campaign-row WIDTH H EXECS RATE EDGES ADDED DIR BEFORE TARGET REPRO [--text]
                                             a harness's lines of ci/campaign.sh's summary
  fuzzlib.py coverage-replay H DIR BIN RAW [--text]
                                             ci/coverage.sh's replay of DIR; its reach.md row; exit: failed replays
  fuzzlib.py libfuzzer-log LOG               "executions<TAB>exec/s<TAB>edges" of a -fork run's log
  fuzzlib.py afl-progress OUT SECONDS        a progress line per afl-fuzz instance under OUT
  fuzzlib.py afl-totals OUT                  "executions<TAB>exec/s<TAB>edges (cvg)" of all instances
  fuzzlib.py adopt KEPT CORPUS PREFIX        copies KEPT/PREFIX* into CORPUS, named by content hash, new bytes only
  fuzzlib.py afl-pool CORPUS OUT POOL         afl-cmin's input in POOL: CORPUS and OUT's queues; prints how
                                             many came from the queues
  fuzzlib.py afl-crashes OUT CRASHES         copies every instance's crashes into CRASHES, named by content hash
  fuzzlib.py mutants REPRO ROOT LOGDIR       the mutant table of ci/mutants.sh
  fuzzlib.py known-trace SIG DIR REPRO       ci/triage.sh: the trace of SIG's open entry in DIR/signatures.tsv
                                             (exit 1: none)
  fuzzlib.py regression-name SIG DIR         ci/triage.sh: a free DIR/<slug-of-SIG>[-N].trace name

Python 3 standard library only.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def options(path, dict_dir=None):
    """The [libfuzzer] section as flags, as OSS-Fuzz's run_fuzzer reads it."""
    flags, section = [], None
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[libfuzzer]" and "=" in line:
            key, value = (s.strip() for s in line.split("=", 1))
            if key == "dict" and dict_dir is not None:
                value = os.path.join(dict_dir, value)
            flags.append(f"-{key}={value}")
    return flags


def _frame(line):
    s = re.sub(r"^ *#[0-9]+ 0x[0-9a-f]+ in ", "", line, count=1)
    s = s.replace("(anonymous namespace)", "{anon}")
    return re.sub(r"\(.*", "", s, count=1)  # the parameter list and location


def signature(text):
    """`SIGNATURE: ...` (ddimap-repro: oracle mismatches, self-checks), else the
    sanitizer's error type and the top two ddimap:: frames of its first stack,
    else the harness's or the engine's error line."""
    sig = san = harness = engine = report = ""
    stacks, frames = 0, []
    for line in text.splitlines():
        if line.startswith("SIGNATURE: ") and not sig:
            sig = line[len("SIGNATURE: "):]
        if line.startswith("ERROR: ddimap: ") and not report:  # a driver fuzz target's breach
            report = line[len("ERROR: "):]
        if not san and re.search(r"==[0-9]+==ERROR: [A-Za-z]+Sanitizer: ", line):
            s = re.sub(r".*==ERROR: ", "", line, count=1)
            for pattern in (r" on (unknown )?address.*", r" \(pc .*", r" on .*"):
                s = re.sub(pattern, "", s, count=1)
            san, stacks = s, 0
        if not san and " runtime error: " in line:
            s = re.sub(r".* runtime error: ", "", line, count=1)
            s = re.sub(r"[0-9]+", "N", re.sub(r":.*", "", s, count=1))
            san, stacks = "UndefinedBehaviorSanitizer: " + s, 0
        if san and re.match(r" *#0 0x", line):
            stacks += 1
        if san and stacks == 1 and len(frames) < 2 and re.match(r" *#[0-9]+ 0x[0-9a-f]+ in ddimap::", line):
            frames.append(_frame(line))
        if line.startswith("ERROR: ddimap-harness: ") and not harness:
            harness = line[len("ERROR: "):]
        if "ERROR: libFuzzer: " in line and not engine:
            engine = re.sub(r" after [0-9]+ seconds", "", re.sub(r".*ERROR: ", "", line, count=1), count=1)
    if sig or report:
        return sig or report
    if san:
        return san + "".join(sep + f for sep, f in zip((" in ", " < "), frames))
    return harness or engine


def reach(text):
    """ddimap-repro --stats: the reach figures and what was not reached."""
    rules = statuses = ""
    m = re.search(r"^# reach[^:]*: rules ([0-9]+/[0-9]+), statuses ([0-9]+/[0-9]+)$", text, re.M)
    if m:
        rules, statuses = m.groups()
    missing = re.findall(r"^# rule not reached: (.*)$", text, re.M) + \
        re.findall(r"^# status not reached: (.*)$", text, re.M)
    return rules, statuses, ", ".join(missing)


def traces(dest, files):
    """ddimap-repro reads a file as a trace when its name ends in .trace."""
    os.makedirs(dest, exist_ok=True)
    for i, f in enumerate(files, 1):
        stem = os.path.basename(f).removesuffix(".trace")
        shutil.copyfile(f, os.path.join(dest, f"{i:06d}-{stem}.trace"))


SANITIZER_ENV = {"ASAN_OPTIONS": "detect_leaks=1:symbolize=1", "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}


def _output(cmd, cwd=None):
    try:
        p = subprocess.run(cmd, cwd=cwd, env={**os.environ, **SANITIZER_ENV}, timeout=60,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return (e.output or b"").decode(errors="replace")


_DRIVERS = {}


def is_driver(repro, harness):
    """Whether the harness is a driver fuzz target (ddimap_add_driver_fuzzer):
    its inputs are schedules for a driver, which ddimap-repro does not decode;
    the target itself reproduces them (the report is the signature)."""
    if repro not in _DRIVERS:
        out = subprocess.run([repro, "--list-harnesses=driver"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout.decode()
        _DRIVERS[repro] = set(out.split())
    return harness in _DRIVERS[repro]


def crash_signature(harness, path, target, repro, text):
    """Reproduces one crash file: with ddimap-repro, else (e.g. fuzz_trace's
    print/parse checks, which only the target makes) the target itself, in a
    scratch directory (libFuzzer writes a crash-* artifact to the current one)."""
    with tempfile.TemporaryDirectory() as tmp:
        given = path
        if text:
            given = os.path.join(tmp, "input.trace")
            shutil.copyfile(path, given)
        sig = "" if is_driver(repro, harness) else signature(_output([repro, "--quiet", "--profile", harness, given]))
        if not sig:
            sig = signature(_output([os.path.abspath(target), os.path.abspath(path)], cwd=tmp))
    if sig:
        return sig
    name = os.path.basename(path)
    if name.startswith("timeout-"):
        return "libFuzzer: timeout"
    if name.startswith("oom-"):
        return "libFuzzer: out-of-memory"
    return "does not reproduce"


def crashes(harness, directory, target, repro, text):
    groups = {}
    for f in sorted(Path(directory).iterdir()):
        if f.is_file():
            groups.setdefault(crash_signature(harness, str(f), target, repro, text), []).append(f.name)
    rows = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [f"{len(names)}\t{sig}\t{names[0]}" for sig, names in rows]


def campaign_row(width, harness, execs, rate, edges, added, directory, before, target, repro, text):
    """A harness's lines of ci/campaign.sh's summary: its figures, the rules and
    statuses its corpus reaches (replayed through ddimap-repro --stats; a text
    harness's corpus as traces, on the core alone, since the target ran the
    oracle on every program it kept), and its crashes by signature."""
    corpus, crash_dir = Path(directory) / "corpus", Path(directory) / "crashes"
    out = ""
    with tempfile.TemporaryDirectory() as tmp:
        args = ["--quiet", "--stats", "--profile", harness, str(corpus)]
        if text:
            traces(tmp, sorted(str(f) for f in corpus.iterdir() if f.is_file()))
            args = ["--quiet", "--stats", "--no-oracle", "--profile", harness, tmp]
        if not is_driver(repro, harness):  # a driver's reach is its report, if any: see the crashes
            out = subprocess.run([repro, *args], env={**os.environ, "ASAN_OPTIONS": "detect_leaks=0"},
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode(errors="replace")
    rules, statuses, missing = reach(out)
    n_corpus = sum(1 for f in corpus.iterdir() if f.is_file())
    n_crashes = sum(1 for f in crash_dir.iterdir() if f.is_file())
    shown = f"{n_crashes} ({n_crashes - int(before)} new)" if n_crashes else "0"
    lines = [f"{harness:<15} {execs or '0':>11} {rate or '0':>8} {edges or '?':>{width}} "
             f"{f'{n_corpus} (+{added})':>12}  {f'rules {rules}, statuses {statuses}' if rules else ('driver target' if is_driver(repro, harness) else '?'):<28} {shown}"]
    if missing:
        lines.append(f"                  not reached: {missing}")
    if n_crashes:
        for row in crashes(harness, crash_dir, target, repro, text):
            n, sig, example = row.split("\t")
            lines.append(f"                  crash x{n:<3} {sig}  (e.g. {example})")
    return lines


def coverage_replay(harness, directory, bindir, raw, text):
    """ci/coverage.sh's replay of one harness's inputs (files only: a
    fuzzing-engine build would not walk directories) through its fuzz target and
    ddimap-repro --stats, both instrumented. Returns the reach.md row and how many
    of the two replays reported failures (the figures include every input)."""
    files = sorted(str(p) for p in Path(directory).rglob("*") if p.is_file())
    if not files:
        print(f"coverage: {harness}: no files in {directory}", file=sys.stderr)
        return f"| {harness} | `{directory}` | 0 | - | - | (no inputs) |", 0
    print(f"=== coverage: {harness}: {len(files)} input(s) from {directory} ===", file=sys.stderr, flush=True)
    failures = 0
    # The fuzz target: an oracle mismatch aborts it, so in batches, going on.
    log = Path(raw) / f"{harness}.target.log"
    with open(log, "wb") as f:
        codes = [subprocess.run([f"{bindir}/{harness}", *files[i:i + 200]], stdout=f, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL).returncode for i in range(0, len(files), 200)]
    if any(codes):
        print(f"coverage: {harness}: the fuzz target failed on some input; see {log}", file=sys.stderr)
        lines = [x for x in log.read_text(errors="replace").splitlines()
                 if re.match(r"(ERROR|SIGNATURE|==[0-9]+==ERROR|Running)", x)]
        shown = [x for i, x in enumerate(lines) if re.match(r"(ERROR|SIGNATURE|==)", x) or
                 (i + 1 < len(lines) and re.match(r"(ERROR|SIGNATURE|==)", lines[i + 1]))]
        print("\n".join(shown[:20]), file=sys.stderr)
        failures += 1
    if is_driver(f"{bindir}/ddimap-repro", harness):  # schedules: the target alone
        return f"| {harness} | `{directory}` | {len(files)} | (driver) | (driver) | - |", failures
    # ddimap-repro: same inputs, reach statistics; a text harness's inputs as traces.
    if text:
        traces(Path(raw) / f"{harness}.traces", files)
        files = sorted(str(p) for p in (Path(raw) / f"{harness}.traces").iterdir())
    log = Path(raw) / f"{harness}.repro.log"
    with open(log, "wb") as f:
        rc = subprocess.run([f"{bindir}/ddimap-repro", "--quiet", "--stats", "--profile", harness, *files], stdout=f,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
    out = log.read_text(errors="replace")
    if rc != 0:
        print(f"coverage: {harness}: ddimap-repro reported failures (status {rc}); see {log}", file=sys.stderr)
        print("\n".join([x for x in out.splitlines() if re.match(r"(ERROR|SIGNATURE)", x)][:10]), file=sys.stderr)
        failures += 1
    rules, statuses, missing = reach(out)
    return f"| {harness} | `{directory}` | {len(files)} | {rules or '?'} | {statuses or '?'} | {missing or 'none'} |", \
        failures


def libfuzzer_log(path):
    """The last status line of a -fork run; its exec/s is the last interval's,
    so the average over the run is given instead."""
    last = None
    for line in Path(path).read_text(errors="replace").splitlines():
        if re.match(r"^#[0-9]+: cov", line):
            last = line
    if last is None:
        return "0", "0", "?"
    execs = re.match(r"^#([0-9]+):", last).group(1)
    edges = re.search(r" cov: ([0-9]+)", last)
    secs = re.search(r" time: ([0-9]+)s", last)
    rate = int(execs) // int(secs.group(1)) if secs and int(secs.group(1)) > 0 else 0
    return execs, str(rate), edges.group(1) if edges else "?"


def afl_stats(path):
    stats = {}
    try:
        for line in Path(path).read_text(errors="replace").splitlines():
            key, sep, value = line.partition(":")
            if sep:
                stats.setdefault(key.strip(), value.strip())
    except FileNotFoundError:
        pass
    return stats


AFL_INSTANCES = ("main", "cmplog")


def afl_progress(out, seconds):
    """Queue and crashes live from the output directory; executions and edges
    from fuzzer_stats, which afl-fuzz rewrites only every 60 s (its age shown)."""
    lines = []
    for inst in AFL_INSTANCES:
        d = Path(out) / inst
        if not d.is_dir():
            continue
        queue = len(list(d.glob("queue/id:*")))
        found = len(list(d.glob("crashes/id:*")))
        s = afl_stats(d / "fuzzer_stats")
        if not s:
            stats = "(calibrating the seeds)"
        elif int(s.get("run_time", "0")) <= 0:  # written once after calibrating the seeds
            stats = (f"edges_found {s.get('edges_found')} ({s.get('bitmap_cvg')}) after calibration; "
                     "execs_done: next fuzzer_stats (every 60 s)")
        else:
            execs, age = int(s.get("execs_done", "0")), int(time.time()) - int(s.get("last_update", "0"))
            stats = (f"execs_done {execs} execs_per_sec {execs // int(s['run_time'])} edges_found "
                     f"{s.get('edges_found')} ({s.get('bitmap_cvg')}) [fuzzer_stats {age}s old]")
        lines.append(f"[{seconds:>4}s] {inst:<6} corpus_count {queue:<5} saved_crashes {found:<3} {stats}")
    return lines


def afl_totals(out):
    """Executions and exec/s: all instances together; edges: the instance that found most."""
    execs, rate, edges, cvg = 0, 0, 0, ""
    for inst in AFL_INSTANCES:
        s = afl_stats(Path(out) / inst / "fuzzer_stats")
        if not s:
            continue
        execs += int(s.get("execs_done", "0"))
        rate = int(rate + float(s.get("execs_per_sec", "0")) + 0.5)
        if int(s.get("edges_found", "0")) > edges:
            edges, cvg = int(s["edges_found"]), s.get("bitmap_cvg", "")
    return str(execs), str(rate), f"{edges}" + (f" ({cvg})" if cvg else "")


def _sha1(path):
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()


def adopt(kept, corpus, prefix):
    known = {_sha1(f) for f in Path(corpus).iterdir() if f.is_file()}
    for f in sorted(Path(kept).glob(prefix + "*")):
        digest = _sha1(f)
        if f.is_file() and digest not in known:
            shutil.copyfile(f, Path(corpus) / digest)
            known.add(digest)


def afl_pool(corpus, out, pool):
    """afl-cmin's input: the campaign corpus (as c-NAME) and every instance's
    queue entries but the seeds themselves (",orig:"), as q-000001, ...
    Returns how many came from the queues."""
    os.makedirs(pool, exist_ok=True)
    for f in sorted(Path(corpus).iterdir()):
        if f.is_file():
            shutil.copyfile(f, Path(pool) / f"c-{f.name}")
    n = 0
    for f in sorted(Path(out).glob("*/queue/id:*")):
        if f.is_file() and ",orig:" not in f.name:
            n += 1
            shutil.copyfile(f, Path(pool) / f"q-{n:06d}")
    return n


def afl_crashes(out, crashes):
    """Every instance's crashes/, named by instance and content hash."""
    for f in sorted(Path(out).glob("*/crashes/id:*")):
        name = Path(crashes) / f"afl-{f.parent.parent.name}-{_sha1(f)[:16]}"
        if f.is_file() and not name.exists():
            shutil.copyfile(f, name)


def mutants(repro, root, logdir):
    """Replays the fuzz_all corpus, then the traces, under each mutant of
    core/mutants/mutants.def; a mutant is killed when any input fails. Prints
    the markdown table and the kill rate; returns 1 when the corpus fails with
    no mutant selected."""
    root = Path(root)
    bins = sorted(str(p) for p in (root / "corpus" / "fuzz_all").iterdir() if p.is_file())
    trace_files = sorted(str(p) for p in root.glob("corpus/traces/*/*.trace"))
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)

    def run(name):
        """(killed, first killing input, its calls)."""
        for kind, args in (("bins", ["--profile", "fuzz_all", *bins]), ("traces", trace_files)):
            p = subprocess.run([repro, "--quiet", *args], env={**os.environ, "DDIMAP_MUTANT": name},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            out = p.stdout.decode(errors="replace")
            Path(logdir, f"{name or 'none'}.{kind}.log").write_text(out)
            if p.returncode != 0:
                # The first failing input's header: "# PATH (trace|binary, PROFILE, N calls)".
                m = re.search(r"^# (/.*) \((?:trace|binary)[^()]*?([0-9]+) calls\)$", out, re.M)
                if not m:
                    tail = out.rstrip("\n").rsplit("\n", 1)[-1][:60]
                    return True, f"(no header: {tail})", "-"
                return True, os.path.relpath(m.group(1), root) if m.group(1).startswith(str(root) + "/") \
                    else m.group(1), m.group(2)
        return False, "-", "-"

    print("--- sanity: no mutant selected", file=sys.stderr)
    killed, first, _ = run("")
    if killed:
        print(f"FAIL: the shipped corpus fails with no mutant selected (first: {first}); see {logdir}", file=sys.stderr)
        return 1
    rows = re.findall(r'^DDIMAP_MUTANT_ROW\(([A-Za-z0-9_]+), *"(.*)"\) *$',
                      (root / "core" / "mutants" / "mutants.def").read_text(), re.M)
    kills = 0
    print("| mutant | description | killed by the shipped corpus | first killing input | its calls |")
    print("|---|---|---|---|---|")
    for name, what in rows:
        print(f"--- mutant {name}", file=sys.stderr)
        killed, first, calls = run(name)
        kills += killed
        shown = "-" if first == "-" else f"`{first}`"
        print(f"| `{name}` | {what.replace('|', chr(92) + '|')} | {'yes' if killed else 'no'} | {shown} | {calls} |",
              flush=True)
    total = len(rows)
    print()
    print(f"Kill rate: {kills}/{total} ({100 * kills // total if total else 0}%) with {len(bins)} fuzz_all inputs "
          f"and {len(trace_files)} traces.")
    return 0


def _replays_clean(repro, trace):
    try:
        return subprocess.run([repro, "--quiet", trace], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=120).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def known_trace(sig, regressions, repro):
    """The trace of an open entry for SIG in REGRESSIONS/signatures.tsv
    (signature<TAB>trace, relative to REGRESSIONS), else None. A ddimap failure
    is open while its trace still fails on this build (REPRO); once it replays
    clean the bug was fixed, and a new crash is not it."""
    fixed = []
    for line in Path(regressions, "signatures.tsv").read_text().splitlines():
        s, _, t = line.partition("\t")
        if s != sig:
            continue
        path = t if t.startswith("/") else os.path.join(regressions, t)
        if sig.startswith(("oracle-mismatch", "self-check", "expectation")) and os.path.isfile(path) \
                and _replays_clean(repro, path):
            fixed.append(path)
            continue
        return path
    if fixed:
        print(f"  note: known signature, but its trace(s) {' '.join(fixed)} now pass: treated as a new bug",
              file=sys.stderr)
    return None


def regression_name(sig, regressions):
    """<slug>.trace, or <slug>-2.trace, ... : the first name not yet in REGRESSIONS."""
    slug = re.sub(r"[^a-z0-9]+", "-", sig.lower()).strip("-")[:80].rstrip("-")
    name, n = f"{slug}.trace", 1
    while os.path.exists(os.path.join(regressions, name)):
        n += 1
        name = f"{slug}-{n}.trace"
    return name


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    cmd, args = argv[1], argv[2:]
    if cmd == "options":
        dict_dir = args[args.index("--dict-dir") + 1] if "--dict-dir" in args else None
        print("\n".join(options(args[0], dict_dir)))
    elif cmd == "signature":
        print(signature(sys.stdin.read()))
    elif cmd == "reach":
        print("|".join(reach(Path(args[0]).read_text(errors="replace"))))
    elif cmd == "traces":
        traces(args[0], args[1:])
    elif cmd == "crashes":
        print("\n".join(crashes(*args[:4], text="--text" in args[4:])))
    elif cmd == "campaign-row":
        print("\n".join(campaign_row(int(args[0]), *args[1:10], text="--text" in args[10:])))
    elif cmd == "coverage-replay":
        row, failures = coverage_replay(*args[:4], text="--text" in args[4:])
        print(row)
        return failures
    elif cmd == "libfuzzer-log":
        print("\t".join(libfuzzer_log(args[0])))
    elif cmd == "afl-progress":
        print("\n".join(afl_progress(args[0], int(args[1]))))
    elif cmd == "afl-totals":
        print("\t".join(afl_totals(args[0])))
    elif cmd == "adopt":
        adopt(*args[:3])
    elif cmd == "afl-pool":
        print(afl_pool(*args[:3]))
    elif cmd == "afl-crashes":
        afl_crashes(*args[:2])
    elif cmd == "mutants":
        return mutants(*args[:3])
    elif cmd == "known-trace":
        path = known_trace(*args[:3])
        if path is None:
            return 1
        print(path)
    elif cmd == "regression-name":
        print(regression_name(*args[:2]))
    else:
        print(f"fuzzlib.py: unknown command '{cmd}' (see --help)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
