// The body every fuzz target (fuzz_target.cpp) shares: decode the input under the target's
// profile, run it on the core and the oracle, and crash loudly on any
// disagreement so the engine keeps the input. Each input builds its own world
// and tears it down, so nothing leaks from one input into the next.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ddimap::harness {
// Returns 0; aborts (after printing the failure and the trace) on a mismatch,
// a failed self-check or a failed round trip.
int RunFuzzInput(const char* profile, const std::uint8_t* data, std::size_t size);
int RunTraceFuzzInput(const std::uint8_t* data, std::size_t size);
}  // namespace ddimap::harness
