// fuzz_mm_io: WDM MmMapIoSpace / MmMapIoSpaceEx / MmUnmapIoSpace and register access.
#include "fuzz/harness_main.hpp"

DDIMAP_FUZZ_TARGET("fuzz_mm_io")
