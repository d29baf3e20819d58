#!/bin/bash -eu
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
# ClusterFuzzLite's build script for ddimap, run inside the image of .clusterfuzzlite/Dockerfile
# (https://google.github.io/clusterfuzzlite/build-integration/#buildsh), which copies the
# repository to $SRC/ddimap. The build is shared with OSS-Fuzz: ci/oss-fuzz/build-targets.sh
# honours $CC $CXX $CFLAGS $CXXFLAGS $CXXFLAGS_EXTRA $LIB_FUZZING_ENGINE $OUT $WORK $SANITIZER and
# puts the fuzz targets of the harness list (harnesses/harnesses.def), each with
# <harness>_seed_corpus.zip, <harness>.dict and <harness>.options, into $OUT.
exec "$SRC/ddimap/ci/oss-fuzz/build-targets.sh" "$@"
