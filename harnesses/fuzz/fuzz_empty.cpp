// The throughput baseline: an empty LLVMFuzzerTestOneInput, built exactly like
// the harnesses (same compiler, sanitizers and engine), so the ratio of a
// harness's exec/s to this one's is the cost of the harness alone.
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }
