// The documented statuses of every map/unmap DDI (docs/contracts.md statuses), for
// reach statistics: which of them a corpus or a campaign has produced.
#pragma once

#include <string_view>
#include <vector>

#include "ddimap/calls.hpp"

namespace ddimap::harness {

struct StatusEntry {
  CallId id;
  u64 value;      // the status, or 0 for a NULL pointer result
  bool nonzero;   // pointer results: any non-NULL value
  std::string_view name;
};

const std::vector<StatusEntry>& DocumentedStatuses();
// The entry (call, return value) falls under, or -1.
int StatusIndex(CallId id, u64 ret);

}  // namespace ddimap::harness
