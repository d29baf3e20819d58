#!/usr/bin/env bash
# Core micro-benchmarks as a markdown table: bench/run.sh (Google Benchmark,
# clang-release) with JSON output, one row per benchmark, one column per
# number of live mappings, then the growth from 1e3 to 1e5 and the oracle's
# cost over the core's for the same MmMapIoSpace + MmUnmapIoSpace pair; last,
# the instructions that pair executes (bench/instructions.sh, callgrind).
# Each figure is the median of BENCH_REPS [3] repetitions, interleaved in a
# random order, so that one slow stretch of the host's minute moves one
# repetition of a benchmark rather than all of it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
json=$(mktemp)
trap 'rm -f "$json"' EXIT
bash "$root/bench/run.sh" --benchmark_repetitions="${BENCH_REPS:-3}" --benchmark_enable_random_interleaving=true \
  --benchmark_out="$json" --benchmark_out_format=json >/dev/null 2>&1 ||
  { echo "FAIL: bench/run.sh" >&2; exit 1; }
python3 - "$json" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
rows, order = {}, []
reps = {b["run_name"] for b in d["benchmarks"] if b.get("run_type") == "aggregate"}
for b in d["benchmarks"]:
    # The median of a benchmark's repetitions where it has several, else its one run.
    if b.get("run_type") == "aggregate":
        if b.get("aggregate_name") != "median":
            continue
    elif b.get("run_name", b["name"]) in reps:
        continue
    # "MmPair<Machine>/1000", "Teardown/1000/iterations:5": base name, live count.
    parts = b.get("run_name", b["name"]).split("/")
    name, arg = parts[0], int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    unit = {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
    if name not in rows:
        rows[name] = {}
        order.append(name)
    rows[name][arg] = b["cpu_time"] * unit
what = {
    "MmPair<Machine>": "MmMapIoSpace + MmUnmapIoSpace",
    "MmPair<oracle::Model>": "the same pair on the oracle (baseline)",
    "NdisPair": "NdisMMapIoSpace + NdisMUnmapIoSpace",
    "UmdfPair": "IWDFDevice3::MapIoSpace + UnmapIoSpace",
    "VideoPair": "VideoPortMapMemory + VideoPortUnmapMemory",
    "FilePair": "NdisMapFile + NdisUnmapFile",
    "RegisterRead": "READ_REGISTER_ULONG through a mapping",
    "Teardown": "Teardown() of the whole machine",
    "WorldCopy": "a copy of the harnesses' standard world and its destruction, the per-input set-up of every run",
}
def fmt(ns):
    if ns >= 1e6: return "%.1f ms" % (ns / 1e6)
    if ns >= 1e4: return "%.1f us" % (ns / 1e3)
    return "%.0f ns" % ns
print("| benchmark | what | 10 live | 1e3 live | 1e5 live | growth 1e3 -> 1e5 |")
print("|---|---|---:|---:|---:|---:|")
# The table's order, not the run's (repetitions run interleaved at random).
order = [n for n in what if n in rows] + [n for n in order if n not in what]
single = [n for n in order if None in rows[n]]
order = [n for n in order if n not in single]
for n in order:
    r = rows[n]
    g = "%.2fx" % (r[100000] / r[1000]) if 1000 in r and 100000 in r else "-"
    print("| `%s` | %s | %s | %s | %s | %s |" % (n, what.get(n, ""), fmt(r.get(10, 0)), fmt(r.get(1000, 0)),
                                               fmt(r.get(100000, 0)), g))
for n in single:
    print()
    print("`%s` (%s): %s." % (n, what.get(n, ""), fmt(rows[n][None])))
c, o = rows.get("MmPair<Machine>"), rows.get("MmPair<oracle::Model>")
if c and o:
    print()
    print("Oracle over core, same pair, same run: " + ", ".join(
        "%.1fx at %s live" % (o[k] / c[k], {10: "10", 1000: "1e3", 100000: "1e5"}[k]) for k in (10, 1000, 100000)) + ".")
    print()
    print("CPU time per iteration, the median of " + os.environ.get("BENCH_REPS", "3") + " repetitions. Goal check at 1e5 live: MmMapIoSpace + MmUnmapIoSpace %s (goal < 100 ns), growth %.2fx (goal <= 2x)."
          % (fmt(c[100000]), c[100000] / c[1000]))
PY
echo
BIN="$root/build/clang-release/bench/ddimap_core_bench" bash "$root/bench/instructions.sh"
