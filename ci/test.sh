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

# A short libFuzzer run of every harness must find nothing (DDIMAP_SMOKE_SECONDS, default 20).
echo "=== ddimap: fuzz smoke ==="
if bash ci/fuzz-smoke.sh; then
  echo "=== ddimap: fuzz smoke passed ==="
else
  echo "=== ddimap: fuzz smoke FAILED ===" >&2
  failed+=("fuzz-smoke")
fi

# The benchmark command at toy size (bench/all.sh; ci/bench-smoke.sh checks its tables).
echo "=== ddimap: bench smoke ==="
if bash ci/bench-smoke.sh; then
  echo "=== ddimap: bench smoke passed ==="
else
  echo "=== ddimap: bench smoke FAILED ===" >&2
  failed+=("bench-smoke")
fi

# Last, so that ctest's summary line closes the output.
run_preset clang-asan

if [ ${#failed[@]} -ne 0 ]; then
  echo "=== ddimap: failed presets: ${failed[*]} ===" >&2
  exit 1
fi
echo "=== ddimap: all presets passed ==="
