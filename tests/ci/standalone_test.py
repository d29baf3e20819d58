#!/usr/bin/env python3
"""Checks that the repository stands alone: what users read cites public documentation.

    standalone_test.py REPO_ROOT              check the repository (ctest standalone_citations)
    standalone_test.py --self-test REPO_ROOT  plant each kind of breach in a scratch copy of
                                              rules.def and of a text file, and check that each
                                              one is caught (ctest standalone_citations_selftest)

Checked:
  * no file of the repository (git's tracked and untracked-but-not-ignored files; every file
    under REPO_ROOT but build trees when it is not a git checkout) refers to the sibling
    directory outside the repository, to the old contract catalogue file, or cites a catalogue
    seed by number: such a reference leads nowhere for a user;
  * every DDIMAP_RULE source string in core/rules/rules.def (printed in every report and in
    docs/rules.md) cites something a reader can find: a WDK page section ("<page>, Parameters",
    ", Remarks", ", Requirements", ...), a DDI compliance rule, a bug check page
    ("Bug Check 0x..."), or a named public page from the list below.

Python 3 standard library only. Exit status: 0 when everything holds, 1 on any failure (all
failures are listed, each with file and line), 2 when rules.def cannot be parsed.
"""

import bisect
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Built from pieces so that this file does not match itself.
FORBIDDEN = [
    (re.compile(re.escape("../" + "shared")), "a path outside the repository"),
    (re.compile("SPEC" + r"\.md"), "the contract catalogue outside the repository (see docs/contracts.md)"),
    (re.compile("seed" + r" 00[0-9]"), "a contract-catalogue seed (cite the public WDK page instead)"),
]

# Sections of a WDK reference page, as a source names them: "<page>, <section>".
SECTIONS = ("Parameters", "Remarks", "Requirements", "Return value", "Description", "Syntax",
            "Constants")
# Public pages that are not DDI reference pages (conceptual pages a source may name alone).
PAGES = ("Managing Hardware Priorities", "Starting a Device", "Specifying WDF Directives in INF Files",
         "Finding and Mapping Hardware Resources in UMDF 1.x Drivers",
         "Reading and Writing to Device Registers in UMDF 1.x Drivers", "Memory Protection Constants")
CITATION = re.compile(
    r", (?:%s)\b" % "|".join(re.escape(s) for s in SECTIONS)
    + r"|\bDDI compliance rule \w+"
    + r"|\bBug Check 0x[0-9A-F]+: [A-Z_]+"
    + "|" + "|".join(re.escape(p) for p in PAGES))

SKIP_DIRS = {".git", "build", "out", ".cache"}


class ParseError(Exception):
    pass


def repo_files(root):
    """Relative paths of the files a user of this tree can read."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], check=True, capture_output=True).stdout
        return sorted(p for p in out.decode("utf-8", "surrogateescape").split("\0")
                      if p and os.path.isfile(os.path.join(root, p)))
    except (OSError, subprocess.CalledProcessError):
        files = []
        for d, dirs, names in os.walk(root):
            dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith("build-"))
            files += [os.path.relpath(os.path.join(d, n), root) for n in names]
        return sorted(files)


def check_references(root, files):
    failures = []
    for rel in files:
        try:
            with open(os.path.join(root, rel), "rb") as f:
                data = f.read()
        except OSError as e:
            failures.append("%s: cannot read: %s" % (rel, e))
            continue
        if b"\0" in data:
            continue  # binary (corpus inputs): no prose to cite from
        text = data.decode("utf-8", "replace")
        for lineno, line in enumerate(text.splitlines(), 1):
            for pattern, what in FORBIDDEN:
                m = pattern.search(line)
                if m:
                    failures.append("%s:%d:%d: '%s' refers to %s" % (rel, lineno, m.start() + 1,
                                                                      m.group(0), what))
    return failures


def parse_rules(path):
    """[(line, column, [string arguments])] for every DDIMAP_RULE(...) row of rules.def."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    rows = []
    i, n = 0, len(text)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(pos):
        ln = bisect.bisect_right(line_starts, pos)
        return ln, pos - line_starts[ln - 1] + 1

    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if text.startswith("DDIMAP_RULE(", i) and (i == 0 or text[i - 1] == "\n"):
            start = i
            i += len("DDIMAP_RULE(")
            depth, strings, last_was_string = 1, [], False
            while depth:
                if i >= n:
                    ln, col = where(start)
                    raise ParseError("%s:%d:%d: DDIMAP_RULE( without its closing ')'" % (path, ln, col))
                c = text[i]
                if c == '"':
                    j, buf = i + 1, []
                    while True:
                        if j >= n or text[j] == "\n":
                            ln, col = where(i)
                            raise ParseError("%s:%d:%d: string literal not closed" % (path, ln, col))
                        if text[j] == "\\":
                            buf.append(text[j + 1])
                            j += 2
                            continue
                        if text[j] == '"':
                            break
                        buf.append(text[j])
                        j += 1
                    s = "".join(buf)
                    if last_was_string:  # adjacent literals concatenate, as in C++
                        strings[-1] = (strings[-1][0], strings[-1][1] + s)
                    else:
                        strings.append((i, s))
                    last_was_string = True
                    i = j + 1
                    continue
                if c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                if not c.isspace():
                    last_was_string = False
                i += 1
            if len(strings) != 3:
                ln, col = where(start)
                raise ParseError("%s:%d:%d: expected 3 string arguments (id, statement, source), "
                                 "found %d" % (path, ln, col, len(strings)))
            rows.append([(where(pos), s) for pos, s in strings])
            continue
        i += 1
    if not rows:
        raise ParseError("%s:1:1: no DDIMAP_RULE rows found" % path)
    return rows


def check_sources(path):
    failures = []
    for (_, rule), _, ((ln, col), source) in parse_rules(path):
        if not CITATION.search(source):
            failures.append("%s:%d:%d: %s: source \"%s\" names no public page section, DDI "
                            "compliance rule or bug check page" % (path, ln, col, rule, source))
        for pattern, what in FORBIDDEN:
            if pattern.search(source):
                failures.append("%s:%d:%d: %s: source refers to %s" % (path, ln, col, rule, what))
    return failures


def check(root):
    files = repo_files(root)
    return check_references(root, files) + check_sources(os.path.join(root, "core/rules/rules.def"))


def self_test(root):
    """Each planted breach must be reported; the untouched copy must pass."""
    rules = os.path.join(root, "core/rules/rules.def")
    with open(rules, encoding="utf-8") as f:
        original = f.read()
    first_source = re.search(r'^(DDIMAP_RULE\([^"]*"[^"]*"[^"]*"(?:[^"\\]|\\.)*",\s*)"((?:[^"\\]|\\.)*)"',
                             original, re.M)
    if not first_source:
        return ["self-test: no source string found in %s" % rules]
    cases = {
        "old seed citation": "seed" + " 001 parameters",
        "catalogue section": "SPEC" + " ACCESS",
        "vague doc": "MmMapIoSpace doc",
        "unnamed verifier": "UMDF verifier",
    }
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "core/rules"))
        os.makedirs(os.path.join(tmp, "docs"))
        scratch = os.path.join(tmp, "core/rules/rules.def")
        with open(os.path.join(tmp, "docs/readme.md"), "w") as f:
            f.write("clean\n")
        shutil.copyfile(rules, scratch)
        if check(tmp):
            failures.append("self-test: the untouched copy of rules.def fails: %s" % check(tmp)[:3])
        for name, bad in cases.items():
            planted = original[:first_source.start(2)] + bad + original[first_source.end(2):]
            with open(scratch, "w", encoding="utf-8") as f:
                f.write(planted)
            if not check_sources(scratch):
                failures.append("self-test: a rule source '%s' (%s) was not caught" % (bad, name))
        shutil.copyfile(rules, scratch)
        for line in ("see ../" + "shared/notes.md", "as in seed" + " 004 remarks",
                     "the catalogue (SPEC" + ".md)"):
            with open(os.path.join(tmp, "docs/readme.md"), "w") as f:
                f.write("intro\n" + line + "\n")
            found = check(tmp)
            if not any(x.startswith("docs/readme.md:2:") for x in found):
                failures.append("self-test: '%s' in a doc was not caught" % line)
        with open(scratch, "w", encoding="utf-8") as f:
            f.write('DDIMAP_RULE(A, "A.B", A, 1,\n  "statement", 0, 0)\n')
        try:
            parse_rules(scratch)
            failures.append("self-test: a row with a missing source string was accepted")
        except ParseError:
            pass
    return failures


def main(argv):
    args = argv[1:]
    selftest = "--self-test" in args
    args = [a for a in args if a != "--self-test"]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        print("usage: standalone_test.py [--self-test] REPO_ROOT", file=sys.stderr)
        return 2
    root = args[0]
    try:
        failures = self_test(root) if selftest else check(root)
    except ParseError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    for f in failures:
        print(f)
    if failures:
        print("%d failure(s)" % len(failures), file=sys.stderr)
        return 1
    print("ok: %s" % ("every planted breach caught" if selftest else
                      "no reference outside the repository; every rule source cites a public page"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
