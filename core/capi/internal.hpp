// Internals shared by the C API glue (wdk.cpp, control.cpp) and its tests:
// the process-global current machine, guest-value conversions, and the
// DDIMAP_OPTIONS parser (a pure function, so it can be unit-tested).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ddimap/machine.hpp"

namespace ddimap::capi {

static_assert(sizeof(std::uintptr_t) == sizeof(u64),
              "the C API passes 64-bit guest values through pointers: 64-bit hosts only");

// Guest values travel through the C API as pointer types; they are never
// dereferenced on the host.
inline u64 Guest(const volatile void* p) { return reinterpret_cast<std::uintptr_t>(p); }
inline void* HostPtr(u64 v) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(v)); }

// --- DDIMAP_OPTIONS ----------------------------------------------------------------
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

// The C API's defaults: policy record, reports printed to stderr.
MachineOptions DefaultOptions();

// --- the current machine -------------------------------------------------------------
// nullptr when there is none.
Machine* CurrentMachine();
// The current machine, created from DDIMAP_OPTIONS first when there is none
// (an invalid DDIMAP_OPTIONS is printed, then the defaults are used).
Machine& LazyMachine();

}  // namespace ddimap::capi
