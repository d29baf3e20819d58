// fuzz_video: VideoPortMapMemory / VideoPortUnmapMemory, processes and access.
#include "fuzz/harness_main.hpp"

DDIMAP_FUZZ_TARGET("fuzz_video")
