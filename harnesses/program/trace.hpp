// The text trace format: the human face of an input.
//
//   # a comment
//   r0 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x1000) => NDIS_STATUS_SUCCESS
//   NdisMUnmapIoSpace(nic0, r0, 0x1000)
//   NdisMUnmapIoSpace(nic0, r0, 0x1000) => !NDIS_IO.UNMAP_DOUBLE
//
// One call per line, DDI names and parameters in DDI order (calls.def).
// `rN =` binds what the call makes (a mapping, a file handle, a process);
// later arguments say rN or rN+0x10 / rN-0x1. Objects of the standard world
// are named (nic0, wdm0, umdf0, video0, ...). Pointers are NULL, &out, or
// &value for in/out parameters. After `=>` a line may state what it expects:
// a result (a status name, NULL, nonnull, or a number), out-values
// (`Length=0x1000`), the reports the call must file (`!RULE`, or with evidence
// `!RULE(created=#1, released=#2, bugcheck=0xC4/0x7B)`; none listed = no
// report at all) and `...` (possibly others). A last line `teardown => ...`
// states the teardown's reports. docs/harness.md, "Expectations".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "program/execute.hpp"
#include "program/program.hpp"
#include "program/world.hpp"

namespace ddimap::harness {

struct ParseError {
  int line = 0;
  int column = 0;
  std::string expected;  // "expected ..., got ..."
};

// Parses a whole trace. On failure returns false and fills `error`.
bool ParseTrace(std::string_view text, Program* out, ParseError* error);

// One call as a trace line (without newline). `result` is the op's result
// number when it makes something (-1 otherwise).
std::string FormatOp(const Op& op, int result);
// What follows a call (id) or the teardown (nullopt): " => ..." when the
// expectation states anything, else "".
std::string FormatExpectation(std::optional<CallId> id, const Expectation& e);
// One expected report: `!RULE` or `!RULE(created=#1, released=#2, bugcheck=0xC4/0x7B)`.
std::string FormatReportExpectation(const ReportExpectation& r);
// An out-parameter's value as a trace writes it (a Status by its name).
std::string FormatOut(CallId id, int param, u64 value);
// A `world { ... }` block (docs/harness.md, "Custom worlds").
std::string FormatWorld(const World& w);
// A whole program; expectations are printed when present, and the teardown
// line when the program states one.
std::string FormatProgram(const Program& p);

// A value of a kind, the way a trace spells it (used for outcomes too).
std::string FormatValue(ArgKind kind, u64 value);
// The return value of a call, by its result kind.
std::string FormatResult(CallId id, u64 value);

}  // namespace ddimap::harness
