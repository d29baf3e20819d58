#!/usr/bin/env bash
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
# A local check of the OSS-Fuzz build (ci/oss-fuzz/build.sh), without Docker:
# ci/oss-fuzz/check.py (--help says what it checks and how).
exec python3 "$(dirname "${BASH_SOURCE[0]}")/check.py" "$@"
