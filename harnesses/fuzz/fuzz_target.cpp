// The fuzz target of every harness: compiled once per row of harnesses.def,
// with DDIMAP_HARNESS_NAME set to the row's name (harnesses/CMakeLists.txt).
// The row's input kind is chosen here, at compile time, so a binary target
// pays nothing for the text one: binary inputs decode under the row's
// profile, text inputs parse as a trace (harness_main.hpp).
#include <optional>
#include <string_view>

#include "fuzz/harness_main.hpp"
#include "program/program.hpp"

#ifndef DDIMAP_HARNESS_NAME
#error "DDIMAP_HARNESS_NAME: the name of the harnesses.def row this target is built for"
#endif

namespace {

constexpr std::optional<ddimap::harness::HarnessInput> kInput = [] {
  using enum ddimap::harness::HarnessInput;
  constexpr std::string_view name = DDIMAP_HARNESS_NAME;
#define DDIMAP_HARNESS(NAME, INPUT, ...) \
  if (name == #NAME) return std::optional(INPUT);
#include "harnesses.def"
#undef DDIMAP_HARNESS
  return std::optional<ddimap::harness::HarnessInput>();
}();
static_assert(kInput.has_value(), "DDIMAP_HARNESS_NAME names no row of harnesses.def");

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if constexpr (*kInput == ddimap::harness::HarnessInput::Text)
    return ddimap::harness::RunTraceFuzzInput(data, size);
  else
    return ddimap::harness::RunFuzzInput(DDIMAP_HARNESS_NAME, data, size);
}
