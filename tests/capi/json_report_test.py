#!/usr/bin/env python3
"""Machine-readable reports through DDIMAP_OPTIONS (docs/harness.md, "Machine-readable reports").

    json_report_test.py PROGRAM DOCS    PROGRAM: capi_json_report_program; DOCS: docs/harness.md

Runs PROGRAM (tests/capi/json_report_program.c, which files seven known reports and prints
their rule ids) under log_path/format/policy settings and checks what the machine wrote:
PATH.<pid> holds one JSON object a line with exactly the documented members, in the
documented order, and the values the program's calls imply; the bytes are the same run after
run; format=text writes the text reports there; policy=abort writes and flushes the first
report before dying; log_path=stdout and an unopenable path; every member is documented.

Python 3 standard library only (json). Exit status 0 when everything holds, 1 otherwise.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile

KEYS = ["rule", "family", "subject", "call", "function", "arguments", "irql", "irql_name", "callback",
        "callback_object", "process", "refused", "evidence", "created", "released", "injected", "statement", "source",
        "bugcheck"]
CALL_KEYS = ["call", "function", "arguments", "irql", "irql_name", "callback", "callback_object"]
RULES = ["COMMON.NULL_POINTER", "MM_IO.MAP_IRQL", "MM_IO.UNMAP_DOUBLE", "NDIS_FILE.CONTEXT",
         "MM_IO.UNMAP_NOT_MAPPED", "VIDEO.LEAK", "MM_IO.LEAK"]
HEX = re.compile(r"^0x[0-9a-f]+$")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def run(program, options, cwd):
    env = dict(os.environ)
    env["DDIMAP_OPTIONS"] = options
    p = subprocess.Popen([program], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout_bytes, p.stderr_bytes = p.communicate(timeout=60)
    return p  # p.pid names the log file


def log_file(directory, base, pid):
    return os.path.join(directory, "%s.%d" % (base, pid))


def check_call_object(obj, where):
    check(list(obj.keys()) == CALL_KEYS, "%s: members %s, want %s" % (where, list(obj.keys()), CALL_KEYS))
    check(obj["call"] is None or (isinstance(obj["call"], int) and obj["call"] >= 1), where + ": call")
    check(isinstance(obj["irql"], int) and 0 <= obj["irql"] <= 15, where + ": irql")
    check(obj["callback_object"] is None or HEX.match(obj["callback_object"]), where + ": callback_object")


def check_report(r, i):
    where = "report %d (%s)" % (i, r.get("rule"))
    if not check(list(r.keys()) == KEYS, "%s: members %s, want %s" % (where, list(r.keys()), KEYS)):
        return
    check_call_object({k: r[k] for k in CALL_KEYS}, where)
    check(r["family"] == r["rule"].split(".")[0], where + ": family")
    check(isinstance(r["refused"], bool), where + ": refused")
    check(isinstance(r["evidence"], str) and r["evidence"], where + ": evidence")
    check(isinstance(r["statement"], str) and r["statement"], where + ": statement")
    check(isinstance(r["source"], str) and r["source"], where + ": source")
    check(r["process"] is None or HEX.match(r["process"]), where + ": process")
    for k in ("created", "released", "injected"):
        if r[k] is not None:
            check_call_object(r[k], "%s: %s" % (where, k))
            check(r["call"] is None or r[k]["call"] < r["call"], "%s: %s call before the report's" % (where, k))
    if r["bugcheck"] is not None:
        check(list(r["bugcheck"].keys()) == ["code", "parameter1"], where + ": bugcheck members")
        check(re.match(r"^0x[0-9A-F]+$", r["bugcheck"]["code"]), where + ": bugcheck code")


def check_values(reports):
    """What the program's calls imply (json_report_program.c)."""
    by = {r["rule"]: r for r in reports}
    null = by["COMMON.NULL_POINTER"]
    check(null["subject"] == "NdisMMapIoSpace" and null["function"] == "NdisMMapIoSpace", "NULL_POINTER: function")
    check(null["arguments"]["VirtualAddress"] is None, "NULL_POINTER: a NULL pointer is null")
    check(null["arguments"]["PhysicalAddress"] == "0xfebf0000", "NULL_POINTER: addresses as hex strings")
    check(null["callback"] == "MiniportInitializeEx" and HEX.match(null["callback_object"] or ""),
          "NULL_POINTER: callback and its object")
    check(null["refused"] is True and null["bugcheck"] is None, "NULL_POINTER: refused, no bug check")
    irql = by["MM_IO.MAP_IRQL"]
    check(irql["irql"] == 5 and irql["irql_name"] == "DIRQL", "MAP_IRQL: irql 5 DIRQL")
    check(irql["bugcheck"] == {"code": "0xC4", "parameter1": "0x73"}, "MAP_IRQL: bug check 0xC4 (0x73)")
    check(irql["arguments"]["CacheType"] == "MmNonCached", "MAP_IRQL: CacheType by name")
    double = by["MM_IO.UNMAP_DOUBLE"]
    check(double["created"] is not None and double["created"]["function"] == "MmMapIoSpace",
          "UNMAP_DOUBLE: created by MmMapIoSpace")
    check(double["released"] is not None and double["released"]["function"] == "MmUnmapIoSpace"
          and double["released"]["call"] == double["call"] - 1, "UNMAP_DOUBLE: released by the call before")
    check(double["arguments"]["BaseAddress"] == double["released"]["arguments"]["BaseAddress"],
          "UNMAP_DOUBLE: same BaseAddress twice")
    check(double["source"] == "MmUnmapIoSpace, Parameters (BaseAddress)", "UNMAP_DOUBLE: source")
    ctx = by["NDIS_FILE.CONTEXT"]
    check(ctx["arguments"]["FileName"] == 'fw "v2"\\\t.bin', "NDIS_FILE.CONTEXT: FileName escaped and unquoted: %r"
          % ctx["arguments"]["FileName"])
    check(ctx["arguments"]["Status"] == "&out", "NDIS_FILE.CONTEXT: out-pointer")
    nm = by["MM_IO.UNMAP_NOT_MAPPED"]
    check(nm["process"] is not None and HEX.match(nm["process"]), "UNMAP_NOT_MAPPED: the attached process")
    leak = by["VIDEO.LEAK"]
    check(leak["refused"] is False and leak["created"]["function"] == "VideoPortMapMemory",
          "VIDEO.LEAK: not refused, created by VideoPortMapMemory")
    check(leak["arguments"]["ProcessHandle"] == nm["process"], "VIDEO.LEAK: the exiting process")
    check(null["process"] is None, "NULL_POINTER: system context")
    td = by["MM_IO.LEAK"]
    check(td["call"] is None and td["function"] is None and td["arguments"] is None, "MM_IO.LEAK: at teardown")
    check(td["subject"] == "DriverUnload", "MM_IO.LEAK: subject DriverUnload")
    calls = [r["call"] for r in reports if r["call"] is not None]
    check(calls == sorted(calls), "reports in call order")


def parse_lines(text, what):
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        try:
            obj = json.loads(line)
        except ValueError as e:
            failures.append("%s:%d: not JSON (%s): %r" % (what, n, e, line))
            continue
        check(isinstance(obj, dict), "%s:%d: not an object" % (what, n))
        out.append(obj)
    return out


def main():
    program = os.path.abspath(sys.argv[1])
    docs = sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        # 1. format=json into log_path: one object a line, nothing on stderr.
        p = run(program, "log_path=%s/reports:format=json" % tmp, tmp)
        check(p.returncode == 0, "json run: exit %d: %s" % (p.returncode, p.stderr_bytes.decode(errors="replace")))
        check(p.stdout_bytes.decode().split() == RULES, "recorded rules %s, want %s" % (p.stdout_bytes.decode().split(), RULES))
        check(b"ddimap" not in p.stderr_bytes, "json run: stderr not empty: %r" % p.stderr_bytes[:300])
        files = sorted(os.listdir(tmp))
        check(files == ["reports.%d" % p.pid], "log files %s, want reports.%d" % (files, p.pid))
        path = log_file(tmp, "reports", p.pid)
        first = open(path, "rb").read() if os.path.exists(path) else b""
        check(first.endswith(b"\n") and first.count(b"\n") == len(RULES), "one line per report")
        reports = parse_lines(first.decode("utf-8"), path)
        check([r.get("rule") for r in reports] == RULES, "JSON rules %s" % [r.get("rule") for r in reports])
        for i, r in enumerate(reports):
            check_report(r, i)
        if len(reports) == len(RULES) and not failures:
            check_values(reports)

        # 2. The same program gives the same bytes.
        p2 = run(program, "format=json:log_path=%s/again" % tmp, tmp)
        again = log_file(tmp, "again", p2.pid)
        check(os.path.exists(again) and open(again, "rb").read() == first, "a second run wrote other bytes")

        # 3. format=text (the default) into log_path: the text reports.
        p3 = run(program, "log_path=%s/text" % tmp, tmp)
        text_path = log_file(tmp, "text", p3.pid)
        text = open(text_path).read() if os.path.exists(text_path) else ""
        check(text.startswith("ERROR: ddimap: COMMON.NULL_POINTER in NdisMMapIoSpace\n"), "text log: first line")
        check(text.count("\nSUMMARY: ddimap: ") == len(RULES), "text log: %d reports" % len(RULES))
        check(b"ERROR: ddimap" not in p3.stderr_bytes, "text log: reports also on stderr")

        # 4. No log_path: JSON lines on stderr.
        p4 = run(program, "format=json", tmp)
        err = parse_lines(p4.stderr_bytes.decode("utf-8"), "stderr")
        check([r.get("rule") for r in err] == RULES, "stderr JSON rules")

        # 5. log_path=stdout: JSON lines among the program's own output.
        p5 = run(program, "log_path=stdout:format=json", tmp)
        out_json = [l for l in p5.stdout_bytes.decode().splitlines() if l.startswith("{")]
        check([json.loads(l)["rule"] for l in out_json] == RULES, "stdout JSON rules")
        check(b"ddimap" not in p5.stderr_bytes, "log_path=stdout: stderr not empty")

        # 6. policy=abort: the first report is written and flushed, then abort().
        p6 = run(program, "policy=abort:format=json:log_path=%s/abort" % tmp, tmp)
        check(p6.returncode == -signal.SIGABRT, "policy=abort: exit %d, want SIGABRT" % p6.returncode)
        abort_path = log_file(tmp, "abort", p6.pid)
        lines = open(abort_path).read().splitlines() if os.path.exists(abort_path) else []
        check(len(lines) == 1, "policy=abort: %d lines, want 1" % len(lines))
        if lines:
            check(json.loads(lines[0]) == reports[0] if reports else False, "policy=abort: the first report")

        # 7. A path that cannot be opened: one diagnostic, the reports on stderr.
        p7 = run(program, "log_path=%s/no/such/dir/r:format=json" % tmp, tmp)
        err7 = p7.stderr_bytes.decode()
        check(p7.returncode == 0, "unopenable log_path: exit %d" % p7.returncode)
        check(err7.count("ddimap: log_path: cannot open '%s/no/such/dir/r.%d'" % (tmp, p7.pid)) == 1,
              "unopenable log_path: diagnostic: %r" % err7[:300])
        check(len([l for l in err7.splitlines() if l.startswith("{")]) == len(RULES),
              "unopenable log_path: reports on stderr")

    # Every member is documented.
    doc = open(docs).read()
    start = doc.find("## Machine-readable reports")
    section = doc[start:doc.find("\n## ", start + 1)] if start >= 0 else ""
    check(section, "docs: no \"Machine-readable reports\" section")
    for k in KEYS + ["code", "parameter1"]:
        check("`%s`" % k in section, "docs: member `%s` not documented" % k)
    for k in ("`log_path=PATH`", "`format=json`"):
        check(k in section, "docs: option %s not documented" % k)

    for f in failures:
        print("FAIL: " + f)
    print("json_report_test: %s" % ("ok" if not failures else "%d failure(s)" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
