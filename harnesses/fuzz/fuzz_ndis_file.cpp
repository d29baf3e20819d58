// fuzz_ndis_file: NdisOpenFile / NdisMapFile / NdisUnmapFile / NdisCloseFile and buffer access.
#include "fuzz/harness_main.hpp"

DDIMAP_FUZZ_TARGET("fuzz_ndis_file")
