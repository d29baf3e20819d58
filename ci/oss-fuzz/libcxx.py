# Copyright 2026 the ddimap authors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
#
################################################################################
"""The clang that builds ddimap against libc++ here, as OSS-Fuzz builds it.

OSS-Fuzz compiles all C++ with its own recent clang and libc++ (CXXFLAGS_EXTRA=-stdlib=libc++).
ddimap needs a libc++ with C++20's <memory_resource> (libc++ 16) and range algorithms (libc++ 15),
so Debian 12's default clang 14 with libc++ 14 cannot stand in for it; clang-19 with libc++-19-dev
(bookworm, from ci/install-deps.sh) can. find() returns the newest clang++-N (or clang++) that
builds a C++20 program using those against libc++, with its C compiler and llvm-profdata, or None.
Used by ci/oss-fuzz/check.py and tests/ci/libcxx_syntax_test.py. Python 3 standard library only.
"""
import os
import shutil
import subprocess

PROBE = b"""#include <algorithm>
#include <memory_resource>
#include <span>
#include <vector>
int main() {
  std::pmr::vector<int> v{1};
  return *std::ranges::find(std::span(v), 1) - 1;
}
"""
INSTALL = "clang-19 libc++-19-dev libc++abi-19-dev libclang-rt-19-dev (Debian 12; ci/install-deps.sh)"


def candidates():
    names = [f"clang++-{n}" for n in range(30, 13, -1)] + ["clang++"]
    env = os.environ.get("DDIMAP_LIBCXX_CLANGXX")
    return ([env] if env else []) + [n for n in names if shutil.which(n)]


def works(cxx):
    try:
        p = subprocess.run([cxx, "-stdlib=libc++", "-std=c++20", "-x", "c++", "-", "-o", os.devnull],
                           input=PROBE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0


def find():
    """{'cxx', 'cc', 'profdata'} of the first working candidate, or None."""
    for cxx in candidates():
        if works(cxx):
            suffix = cxx[len("clang++"):] if os.path.basename(cxx).startswith("clang++") else ""
            cc = shutil.which("clang" + suffix) or shutil.which("clang")
            profdata = shutil.which("llvm-profdata" + suffix) or shutil.which("llvm-profdata")
            return {"cxx": shutil.which(cxx) or cxx, "cc": cc, "profdata": profdata}
    return None
