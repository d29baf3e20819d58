// What a violation report carries, and how reports are handled.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "ddimap/calls.hpp"
#include "ddimap/rules.hpp"
#include "ddimap/types.hpp"

namespace ddimap {

// One call as the machine saw it: enough to print it again later, kept in
// every mapping for its creation and release (fixed size, no heap).
struct CallRecord {
  u64 seq = 0;  // 1-based position in the program; 0 = no call (teardown)
  CallId id = CallId::SetIrql;
  u8 irql = 0;
  Callback callback = Callback::None;
  u8 null_mask = 0;  // bit i: pointer parameter i was NULL
  u64 callback_object = 0;
  std::array<u64, kMaxParams> args{};
};

struct Report {
  RuleId rule;
  CallRecord call;         // the offending call (seq 0: found at teardown)
  std::string evidence;    // what was wrong, one or more lines, no trailing newline
  bool has_created = false;
  bool has_released = false;
  CallRecord created;      // the call that created the involved object
  CallRecord released;     // the call that released it, if it was released
  u64 process = 0;         // the process the call ran in (KeAttachProcess); 0: system context or teardown
  // The number of the latest call failed by fault injection before this
  // report (0: none): a breach on a driver's error path names the failure
  // that led there. Machine::InjectedCall gives its record.
  u64 injected_seq = 0;
};

// The function a report is about, as its first line names it: the DDI called,
// or, for a leak found when a callback returns, that callback (DriverUnload for
// a driver-wide leak at teardown).
std::string_view ReportFunction(const Report& report);

enum class Policy : u8 {
  Record,  // record the report and go on (default)
  Abort,   // print the report to stderr and abort()
};

// How printed reports are written (DDIMAP_OPTIONS format).
enum class ReportFormat : u8 {
  Text,  // the sanitizer-style text report (default)
  Json,  // one JSON object a line (docs/harness.md, "Machine-readable reports")
};

}  // namespace ddimap
