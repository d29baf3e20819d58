// How ddimap-repro prints a run: the program as a trace, each call followed by
// what it did as a comment ("# #3 -> NULL, r1 = 0x..."), its reports below it.
// The output is itself a trace, so --expect and --minimize share this printer
// and what they write replays as a regression test.
#pragma once

#include <cstddef>
#include <string>

#include "program/program.hpp"
#include "runner/runner.hpp"

namespace ddimap::harness {

struct PrintOptions {
  // Each call's `=>` states what the core did (result and rules), replacing
  // the expectation the program carried.
  bool expect = false;
  // With expect: a call whose program stated an expectation keeps it (a
  // failing expectation is the crash a minimised trace must keep).
  bool keep_stated = false;
  // With expect: this call (1-based) failed; it gets no expectation, only a
  // comment that says so.
  std::size_t failed_call = 0;
};

// The program with what each call did (`r.log`, a run with RunOptions::log),
// the teardown's reports once, and what did not run marked so, with no result:
// a call after the one that stopped the run is its program line and
// "# #N not run"; a teardown that did not run (policy=abort) says so.
std::string FormatReplay(const Program& p, const RunResult& r, const PrintOptions& options);

// "oracle mismatch", "self-check failed" or "expectation failed".
const char* FailureKind(RunResult::Failure f);

}  // namespace ddimap::harness
