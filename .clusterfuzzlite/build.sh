#!/bin/bash -eu
# ClusterFuzzLite build script for ddimap, run inside the image of .clusterfuzzlite/Dockerfile.
# See https://google.github.io/clusterfuzzlite/build-integration/#buildsh
#
# The build itself is shared with OSS-Fuzz: ci/oss-fuzz/build.sh honours $CC $CXX $CFLAGS
# $CXXFLAGS $LIB_FUZZING_ENGINE $OUT $SRC $WORK $SANITIZER and puts the fuzz targets of the
# harness list (harnesses/harnesses.def), each with <harness>_seed_corpus.zip, <harness>.dict and
# <harness>.options, into $OUT.
# The Dockerfile copies the repository to $SRC/ddimap.
exec "$SRC/ddimap/ci/oss-fuzz/build.sh" "$@"
