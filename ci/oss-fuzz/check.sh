#!/usr/bin/env bash
# A local check of the OSS-Fuzz build (ci/oss-fuzz/build.sh), without Docker:
# ci/oss-fuzz/check.py (--help says what it checks and how).
exec python3 "$(dirname "${BASH_SOURCE[0]}")/check.py" "$@"
