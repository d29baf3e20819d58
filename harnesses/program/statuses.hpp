// The documented outcomes of every map/unmap DDI (the DDIMAP_STATUS rows of
// core/calls/calls.def, listed per family in docs/contracts.md), for reach
// statistics: which of them a corpus or a campaign has produced.
#pragma once

#include <string_view>
#include <vector>

#include "ddimap/calls.hpp"

namespace ddimap::harness {

struct StatusEntry {
  CallId id;
  u64 value;      // the status, or 0 for a NULL pointer result
  bool nonzero;   // pointer results: any non-NULL value
  std::string_view name;  // "<DDI name> <status>"
};

const std::vector<StatusEntry>& DocumentedStatuses();
// The entry (call, return value) falls under, or -1.
int StatusIndex(CallId id, u64 ret);

}  // namespace ddimap::harness
