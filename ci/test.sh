#!/usr/bin/env bash
# The test command: installs the dependencies, then configures, builds and
# tests the gcc-debug and clang-asan presets. Exits non-zero on the first
# failing step. JOBS overrides the build parallelism (default: nproc).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash ci/install-deps.sh

jobs=${JOBS:-$(nproc)}
for preset in gcc-debug clang-asan; do
  echo "=== ddimap: preset ${preset} ==="
  cmake --preset "$preset"
  cmake --build --preset "$preset" --parallel "$jobs"
  ctest --preset "$preset"
done
echo "=== ddimap: all presets passed ==="
