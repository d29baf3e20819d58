// The signature of a crash log, for deduplication (ci/triage.sh --classify).
//
// A ddimap failure prints its own "SIGNATURE: " line (RunResult::signature);
// a driver's contract breach under the fuzzing kit is its report's first line
// ("ddimap: NDIS_IO.LEAK in MiniportInitializeEx");
// a sanitizer or libFuzzer report has none, so one is built from it:
// "<sanitizer> <error type> at <top 2 stack frames in ddimap code>", e.g.
// "AddressSanitizer heap-use-after-free at ddimap::AddressSpace::Find,
// ddimap::{anon}::Classify". Addresses, sizes and line numbers are left out:
// they differ between inputs that hit the same bug.
#pragma once

#include <string>
#include <string_view>

namespace ddimap::harness {

// Empty when the log holds neither a SIGNATURE: line nor a report.
std::string ClassifyCrashLog(std::string_view log);

}  // namespace ddimap::harness
