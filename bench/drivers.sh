#!/usr/bin/env bash
# The driver fuzzing kit's benchmark: every planted bug of the sample drivers
# (bench/driver_bugs.txt) from an empty corpus, median of DRIVER_SEEDS, and
# the correct drivers for DRIVER_CLEAN seconds (bench/drivers.py --help has the rest).
# Builds the sample fuzz targets in the libfuzzer-asan preset first.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
mapfile -t targets < <(python3 bench/drivers.py --targets "$root")
build=build/libfuzzer-asan
echo "--- building ${#targets[@]} driver fuzz targets in $build" >&2
if ! { env -u CFLAGS -u CXXFLAGS -u LDFLAGS -u LIB_FUZZING_ENGINE cmake --preset libfuzzer-asan &&
       cmake --build --preset libfuzzer-asan --parallel "${JOBS:-$(nproc)}" --target "${targets[@]}"; } \
       >build/drivers-build.log 2>&1; then
  tail -n 40 build/drivers-build.log >&2
  echo "FAIL: building the driver fuzz targets" >&2
  exit 1
fi
exec python3 bench/drivers.py "$root" "$root/$build/harnesses"
