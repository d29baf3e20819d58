#!/usr/bin/env python3
"""Compiles the core and harness sources against libc++, as OSS-Fuzz builds them.

    libcxx_syntax_test.py COMPILE_COMMANDS_JSON REPO_ROOT     (ctest libcxx_syntax)

OSS-Fuzz compiles all C++ with clang++ -stdlib=libc++ (the base image's CXXFLAGS_EXTRA), the
fuzz targets and ddimap's helper tools alike; a build here uses libstdc++. A header that
libstdc++ pulls in by accident, or a C++20 facility libc++ lacks, breaks the upstream build and
nothing else. So every .cpp file of core/ and harnesses/ that the build compiles (from its
compile_commands.json, with the same -I and -D) is parsed with `clang++-N -stdlib=libc++
-std=c++20 -fsyntax-only`, in parallel, N the newest clang whose libc++ has what ddimap uses
(ci/oss-fuzz/libcxx.py: libc++ 14, Debian 12's default, lacks <memory_resource>). The full
OSS-Fuzz build with libc++ is ci/oss-fuzz/check.sh (ctest oss_fuzz_check_address).

Needs clang-19 and libc++-19-dev libc++abi-19-dev (Debian 12, from ci/install-deps.sh).
Exit status 0 when every file parses, 1 otherwise (each failure's first errors printed).
"""
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ci", "oss-fuzz"))
sys.dont_write_bytecode = True  # no __pycache__ in the checkout
import libcxx  # noqa: E402  (which clang++ has a usable libc++)

DIRS = ("core", "harnesses")
KEEP_WITH_VALUE = ("-I", "-isystem", "-D", "-iquote")


def flags_of(entry):
    """The include directories and macro definitions of one compile command."""
    args = entry.get("arguments") or shlex.split(entry["command"])
    kept, i = [], 1
    while i < len(args):
        a = args[i]
        if a in KEEP_WITH_VALUE and i + 1 < len(args):
            kept += [a, args[i + 1]]
            i += 2
            continue
        if a.startswith(KEEP_WITH_VALUE):
            kept.append(a)
        i += 1
    return kept


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    commands, root = argv[1], os.path.realpath(argv[2])
    found = libcxx.find()
    if not found:
        print(f"libcxx_syntax: no clang++ builds C++20 against a recent enough libc++: install {libcxx.INSTALL}",
              file=sys.stderr)
        return 1
    clang = found["cxx"]
    with open(commands, encoding="utf-8") as f:
        entries = json.load(f)
    jobs, seen = [], set()
    for e in entries:
        path = os.path.realpath(os.path.join(e.get("directory", ""), e["file"]))
        rel = os.path.relpath(path, root)
        if not rel.endswith(".cpp") or rel.split(os.sep)[0] not in DIRS or rel in seen:
            continue
        seen.add(rel)
        jobs.append((rel, [clang, "-stdlib=libc++", "-std=c++20", "-fsyntax-only", *flags_of(e), path],
                     e.get("directory") or root))
    if not jobs:
        print(f"libcxx_syntax: no core/ or harnesses/ sources in {commands}", file=sys.stderr)
        return 1

    def parse(job):
        rel, cmd, cwd = job
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        return rel, p.returncode, p.stderr

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for rel, rc, err in pool.map(parse, sorted(jobs)):
            if rc != 0:
                failed += 1
                errors = [l for l in err.splitlines() if "error:" in l][:5]
                print(f"FAIL {rel}\n" + "\n".join("    | " + l for l in errors))
    print(f"libcxx_syntax: {len(jobs) - failed}/{len(jobs)} sources of {', '.join(DIRS)} parse with "
          f"{os.path.basename(clang)} -stdlib=libc++ -std=c++20")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
