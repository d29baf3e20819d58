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
# OSS-Fuzz's build script for ddimap: projects/ddimap/build.sh in google/oss-fuzz, next to the
# Dockerfile and project.yaml of this directory. The Dockerfile clones the repository into
# $SRC/ddimap; the build itself is the repository's ci/oss-fuzz/build-targets.sh, which
# ClusterFuzzLite's .clusterfuzzlite/build.sh runs too, so the two cannot drift apart.
exec "$SRC/ddimap/ci/oss-fuzz/build-targets.sh" "$@"
