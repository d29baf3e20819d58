// DDIMAP_OPTIONS, the option string the C API's machine and ddimap-repro
// read from the environment, sanitizer style: colon-separated key=value items
// (docs/harness.md, "DDIMAP_OPTIONS").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ddimap/machine.hpp"

namespace ddimap {

struct OptionsError {
  std::size_t column = 0;  // 1-based column in the DDIMAP_OPTIONS text
  std::string expected;    // "expected 'record' or 'abort'"
  std::string got;         // the offending text (may be empty)
};

inline constexpr std::size_t kMaxQuarantine = 1000000;

// Parses `text` (colon-separated key=value items; empty items are skipped)
// on top of *options. On the first invalid item returns false, fills *error
// and leaves *options partly updated.
bool ParseOptions(std::string_view text, MachineOptions* options, OptionsError* error);

// "ddimap: DDIMAP_OPTIONS:<column>: <expected>, got '<got>'" (no newline).
std::string FormatOptionsError(const OptionsError& error);

}  // namespace ddimap
