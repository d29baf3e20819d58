#!/usr/bin/env bash
# The test command: installs the dependencies, then configures, builds and
# tests the gcc-debug and clang-asan presets, runs every fuzz target briefly
# under libFuzzer (ci/fuzz-smoke.sh) and the benchmark command at toy size
# (ci/bench-smoke.sh). A failing step ends its preset;
# the other preset still runs, and the script exits non-zero if any step
# failed. JOBS overrides the build parallelism (default: nproc).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash ci/install-deps.sh

jobs=${JOBS:-$(nproc)}
failed=()

run_preset() {
  local preset=$1
  echo "=== ddimap: preset ${preset} ==="
  if cmake --preset "$preset" &&
     cmake --build --preset "$preset" --parallel "$jobs" &&
     ctest --preset "$preset"; then
    echo "=== ddimap: preset ${preset} passed ==="
  else
    echo "=== ddimap: preset ${preset} FAILED ===" >&2
    failed+=("$preset")
  fi
}

run_preset gcc-debug

# run_step NAME SCRIPT: a CI step outside the presets; a failure is recorded, the rest still runs.
run_step() {
  echo "=== ddimap: $1 ==="
  if bash "$2"; then
    echo "=== ddimap: $1 passed ==="
  else
    echo "=== ddimap: $1 FAILED ===" >&2
    failed+=("$1")
  fi
}

# A short libFuzzer run of every harness must find nothing (DDIMAP_SMOKE_SECONDS, default 20).
run_step "fuzz smoke" ci/fuzz-smoke.sh
# The benchmark command at toy size (bench/all.sh; ci/bench-smoke.sh checks its tables).
run_step "bench smoke" ci/bench-smoke.sh

# Last, so that ctest's summary line closes the output.
run_preset clang-asan

if [ ${#failed[@]} -ne 0 ]; then
  echo "=== ddimap: failed presets: ${failed[*]} ===" >&2
  exit 1
fi
echo "=== ddimap: all presets passed ==="
