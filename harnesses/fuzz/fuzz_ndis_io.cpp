// fuzz_ndis_io: NDIS miniport I/O space (NdisMMapIoSpace / NdisMUnmapIoSpace) and register access.
#include "fuzz/harness_main.hpp"

DDIMAP_FUZZ_TARGET("fuzz_ndis_io")
