// fuzz_umdf_io: UMDF 1.x IWDFDevice3::MapIoSpace / UnmapIoSpace and the register helpers.
#include "fuzz/harness_main.hpp"

DDIMAP_FUZZ_TARGET("fuzz_umdf_io")
