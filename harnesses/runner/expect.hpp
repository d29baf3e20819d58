// A trace's `=>` expectations against what a call or the teardown did
// (docs/harness.md, "Expectations").
#pragma once

#include <optional>
#include <span>
#include <string>

#include "ddimap/report.hpp"
#include "program/execute.hpp"
#include "program/program.hpp"

namespace ddimap::harness {

// What a trace would state of a report that was filed: its rule, the call
// numbers of its created/released records, its rule's Driver Verifier bug check.
ReportExpectation StatedOf(const Report& r);

// Empty when `what` meets `e`, else why not ("expected ..., got ..."). `id`
// and `outcome` are the call's (nullopt / null for the teardown); `reports`
// are the reports it filed.
std::string CheckExpectation(const Expectation& e, std::optional<CallId> id, const Outcome* outcome,
                             std::span<const Report> reports);

}  // namespace ddimap::harness
