#!/usr/bin/env python3
"""ddimap-repro --sarif FILE (docs/harness.md, "Machine-readable reports").

    sarif_test.py REPRO REPO_ROOT

Replays every trace of corpus/traces, some binary seeds and a trace at an absolute path with
a space in its name, with --sarif, and checks the log with Python's json module: SARIF 2.1.0's
top level; one rule descriptor per rule reported, each result's ruleId/ruleIndex naming one;
results in input order, then call order; every result of a trace located at the trace line of
its call, which lists exactly those rules as `=> !RULE` expectations (teardown reports at the
`teardown =>` line, or without a region in a trace without one); no region for binary inputs;
artifact URIs percent-encoded (relative ones with uriBaseId %SRCROOT%, absolute ones file:);
helpUri/informationUri only when GitHub Actions' environment names the repository, then into
docs/rules.md's family sections; the same inputs give the same bytes; an unwritable FILE is
exit status 2.

Python 3 standard library only. Exit status 0 when everything holds, 1 otherwise.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def repro(exe, args, cwd, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env["DDIMAP_OPTIONS"] = ""
    env.update(extra_env or {})
    return subprocess.run([exe] + args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def expected_rules(trace_text):
    """({line: sorted rule ids}, {lines whose expectation allows others (`...`)}) from the `=> !RULE`
    expectations of a trace, its `teardown =>` line included."""
    out, open_ended = {}, set()
    for n, line in enumerate(trace_text.splitlines(), 1):
        code = re.sub(r"\([^()]*\)", "()", line).split("#", 1)[0]  # '#' inside (created=#1) is no comment
        if "=>" not in code:
            continue
        expectation = code.split("=>", 1)[1]
        rules = re.findall(r"!([A-Z0-9_]+\.[A-Z0-9_]+)", expectation)
        if rules:
            out[n] = sorted(rules)
        if "..." in expectation:
            open_ended.add(n)
    return out, open_ended


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        failures.append("%s: %s" % (path, e))
        return None


def check_log(log, root, traces, binaries, abs_trace):
    if not check(isinstance(log, dict), "not an object"):
        return
    check(log.get("$schema") == "https://json.schemastore.org/sarif-2.1.0.json", "$schema")
    check(log.get("version") == "2.1.0", "version")
    runs = log.get("runs")
    if not check(isinstance(runs, list) and len(runs) == 1, "one run"):
        return
    run = runs[0]
    driver = run["tool"]["driver"]
    check(driver.get("name") == "ddimap", "driver name")
    check("informationUri" not in driver, "informationUri without a known repository")
    rules = driver.get("rules", [])
    ids = [r["id"] for r in rules]
    check(len(ids) == len(set(ids)), "rule ids repeat: %s" % ids)
    for r in rules:
        check(r["shortDescription"]["text"] and r["fullDescription"]["text"], "%s: descriptions" % r["id"])
        check("helpUri" not in r, "%s: helpUri without a known repository" % r["id"])
        check("docs/rules.md" in r["help"]["text"], "%s: help names docs/rules.md" % r["id"])
        check(r["defaultConfiguration"]["level"] == "error", "%s: level" % r["id"])
    results = run["results"]
    check(results, "no results")
    used = set()
    by_uri = {}
    order = []
    for i, res in enumerate(results):
        where = "result %d (%s)" % (i, res.get("ruleId"))
        idx = res.get("ruleIndex")
        check(isinstance(idx, int) and 0 <= idx < len(rules) and rules[idx]["id"] == res["ruleId"],
              where + ": ruleIndex names its rule")
        used.add(res["ruleId"])
        check(res.get("level") == "error", where + ": level")
        check(res["message"]["text"].startswith(res["ruleId"] + " in "), where + ": message")
        locs = res["locations"]
        check(len(locs) == 1, where + ": one location")
        phys = locs[0]["physicalLocation"]
        uri = phys["artifactLocation"]["uri"]
        if not order or order[-1] != uri:
            order.append(uri)
        by_uri.setdefault(uri, []).append(res)
    check(used == set(ids), "descriptors for rules not reported: %s" % (set(ids) - used))

    # Input order: the traces (a sorted walk), the binaries, the absolute trace.
    want_order = traces + binaries + ["file://" + abs_trace.replace(" ", "%20")]
    check([u for u in order] == [u for u in want_order if u in by_uri],
          "results not in input order:\n  %s\n  %s" % (order, [u for u in want_order if u in by_uri]))
    check(len(order) == len(set(order)), "an input's results are not together")

    for rel in traces:
        text = open(os.path.join(root, rel), encoding="utf-8").read()
        want, open_ended = expected_rules(text)
        lines = text.splitlines()
        got = {}
        calls = []
        for res in by_uri.get(rel, []):
            art = res["locations"][0]["physicalLocation"]["artifactLocation"]
            check(art.get("uriBaseId") == "%SRCROOT%", "%s: uriBaseId" % rel)
            region = res["locations"][0]["physicalLocation"].get("region")
            call = res["properties"]["call"]
            calls.append(10 ** 9 if call is None else call)
            if region is None:
                check(call is None, "%s: a result of call #%s without a region" % (rel, call))
                check(not any(l.startswith("teardown") for l in lines),
                      "%s: a teardown report not at the `teardown =>` line" % rel)
                continue
            line = region["startLine"]
            if call is None:
                check(lines[line - 1].startswith("teardown"), "%s:%d: a teardown report not at `teardown =>`" % (rel, line))
            got.setdefault(line, []).append(res["ruleId"])
        got = {k: sorted(v) for k, v in got.items()}
        for line in sorted(set(got) | set(want)):
            g, w = got.get(line, []), want.get(line, [])
            ok = g == w or (line in open_ended and all(g.count(x) >= w.count(x) for x in w))
            check(ok, "%s:%d: results %s, expectation %s" % (rel, line, g, w))
        check(calls == sorted(calls), "%s: results not in call order: %s" % (rel, calls))

    n_binary = 0
    for rel in binaries:
        for res in by_uri.get(rel, []):
            n_binary += 1
            check("region" not in res["locations"][0]["physicalLocation"], "%s: a binary input has no lines" % rel)
    check(n_binary > 0, "no binary input reported anything")

    absolute = by_uri.get("file://" + abs_trace.replace(" ", "%20"), [])
    check([r["ruleId"] for r in absolute] == ["MM_IO.UNMAP_NOT_MAPPED", "MM_IO.LEAK"],
          "absolute trace: %s" % [r["ruleId"] for r in absolute])
    for r in absolute:
        check("uriBaseId" not in r["locations"][0]["physicalLocation"]["artifactLocation"], "file: URI with a base")
    if len(absolute) == 2:
        check(absolute[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 4}, "absolute trace: line 4")
        check("region" not in absolute[1]["locations"][0]["physicalLocation"], "teardown report has no region")


def main():
    exe, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    traces = []
    for d in sorted(os.listdir(os.path.join(root, "corpus", "traces"))):
        for f in sorted(os.listdir(os.path.join(root, "corpus", "traces", d))):
            if f.endswith(".trace"):
                traces.append("corpus/traces/%s/%s" % (d, f))
    seeds = sorted(os.listdir(os.path.join(root, "corpus", "fuzz_mm_io")))
    binaries = ["corpus/fuzz_mm_io/" + f for f in seeds]
    with tempfile.TemporaryDirectory() as tmp:
        abs_trace = os.path.join(tmp, "with space.trace")
        with open(abs_trace, "w") as f:
            f.write("# a map left live, and an unmap of nothing\n"
                    "r0 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached) => nonnull\n"
                    "\n"
                    "MmUnmapIoSpace(0x1000, 0x1000) => !MM_IO.UNMAP_NOT_MAPPED\n")
        out = os.path.join(tmp, "out.sarif")
        args = ["--quiet", "--sarif", out, "corpus/traces"] + binaries + [abs_trace]
        p = repro(exe, args, root)
        check(p.returncode == 0, "exit %d:\n%s%s" % (p.returncode, p.stdout[-2000:], p.stderr[-2000:]))
        log = load(out)
        if log is not None:
            check_log(log, root, traces, binaries, abs_trace)

        # The same inputs, the same bytes.
        out2 = os.path.join(tmp, "again.sarif")
        repro(exe, ["--quiet", "--sarif", out2, "corpus/traces"] + binaries + [abs_trace], root)
        check(os.path.exists(out2) and open(out, "rb").read() == open(out2, "rb").read(),
              "a second run wrote other bytes")

        # In GitHub Actions: the repository's documentation links.
        out3 = os.path.join(tmp, "gh.sarif")
        repro(exe, ["--quiet", "--sarif", out3, "tests/harness/repro_inputs/double_unmap_then_more.trace"], root,
              {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "owner/ddimap",
               "GITHUB_SHA": "0123abc"})
        gh = load(out3)
        if gh is not None:
            driver = gh["runs"][0]["tool"]["driver"]
            check(driver.get("informationUri") == "https://github.com/owner/ddimap", "informationUri")
            check([r.get("helpUri") for r in driver["rules"]] ==
                  ["https://github.com/owner/ddimap/blob/0123abc/docs/rules.md#mm_io"], "helpUri")
            docs = open(os.path.join(root, "docs", "rules.md")).read()
            check("\n## MM_IO\n" in docs, "docs/rules.md has no MM_IO section for #mm_io")

        # An unwritable FILE.
        p = repro(exe, ["--quiet", "--sarif", os.path.join(tmp, "no", "such", "x.sarif"),
                        "tests/harness/repro_inputs/double_unmap_then_more.trace"], root)
        check(p.returncode == 2 and "ddimap-repro: --sarif " in p.stderr, "unwritable FILE: exit %d, %r"
              % (p.returncode, p.stderr))
        p = repro(exe, ["--sarif"], root)
        check(p.returncode == 2, "--sarif without FILE: exit %d" % p.returncode)

    for f in failures:
        print("FAIL: " + f)
    print("sarif_test: %s" % ("ok" if not failures else "%d failure(s)" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
