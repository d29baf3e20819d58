#!/usr/bin/env bash
# Installs the Debian 12 packages ddimap needs to build, test and fuzz.
# Idempotent: does nothing (not even apt-get update) when all are present.
set -euo pipefail

packages=(
  cmake ninja-build g++ clang lld llvm libclang-rt-14-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  afl++ python3 python3-yaml zip valgrind pkgconf
  # OSS-Fuzz builds all C++ against libc++; ddimap needs libc++ >= 16 (<memory_resource>), which
  # Debian 12 has with clang 19 (libc++ 14, clang 14's, does not do): ci/oss-fuzz/libcxx.py
  clang-19 libc++-19-dev libc++abi-19-dev libclang-rt-19-dev
)

installed() {
  dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: missing ${missing[*]}; run as root or install sudo" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
