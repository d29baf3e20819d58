// fuzz_trace: the text trace parser. Any text must parse or be refused with a
// position; what parses must print, parse back and encode to the same program,
// and then run clean on the core and the oracle.
#include "fuzz/harness_main.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ddimap::harness::RunTraceFuzzInput(data, size);
}
