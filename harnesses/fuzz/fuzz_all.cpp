// fuzz_all: all five families interleaved, lifecycles and processes included.
#include "fuzz/harness_main.hpp"

DDIMAP_FUZZ_TARGET("fuzz_all")
