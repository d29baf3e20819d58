// Crash minimisation at the program level, in the manner of syzkaller's
// prog/minimization.go: the program is minimised, not its bytes or its text.
//
// A program "fails" when a run ends in an oracle mismatch, a self-check or a
// failed expectation; its signature (RunResult::signature, the SIGNATURE:
// line triage dedupes on) names the failure. A candidate must fail with the
// same signature at the same call of the input. Minimisation first drops calls
// (halves, quarters, ... single calls, from the end) and then simplifies
// arguments (constants toward 0, 1 and round values, references without their
// offset, NULL pointers made non-NULL), keeping each change only while the
// signature stays the same. Dropping a call that made a resource renumbers the
// later references (r3 becomes r2); a reference to the dropped result becomes
// the constant it would resolve to without it (its offset alone).
//
// Deterministic: the same program and options give the same result; the
// bounds are a number of runs and, optionally, wall time.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "program/program.hpp"
#include "runner/runner.hpp"

namespace ddimap::harness {

struct MinimizeOptions {
  RunOptions run;              // oracle, check_expectations (trace inputs); log is ignored
  bool need_binary = false;    // every candidate must have a binary form (Encode)
  std::size_t max_runs = 5000; // runs of candidates, the first run included
  std::chrono::milliseconds max_time{0};  // 0: no time limit
};

struct MinimizeResult {
  bool failed = false;       // the input program fails at all
  std::string signature;     // its signature (empty when it runs clean)
  Program program;           // the minimised program (the input when it runs clean)
  std::size_t runs = 0;
  std::size_t calls_dropped = 0;
  std::size_t args_simplified = 0;
  bool bounded = false;      // stopped by max_runs or max_time, not at a fixpoint
};

MinimizeResult Minimize(const Program& p, const MinimizeOptions& options);

// The program without the calls whose `drop` entry is set (drop.size() ==
// p.size()), references renumbered; a reference to a dropped call's result
// becomes the constant of its offset (r1+0x10 -> 0x10).
Program DropCalls(const Program& p, const std::vector<bool>& drop);

// ddimap-repro --minimize: loads `input` (a .trace, else binary decoded under
// `profile`), minimises it, prints what happened and writes the minimised
// program to out_trace (the --expect printer: each call's `=>` is what the
// core did, stated expectations kept, with the failure as comments) and, when
// named, to out_binary. Returns the exit status: 0 minimised, 1 the input runs
// clean (nothing written), 2 unreadable input or an output not written.
struct MinimizeCommand {
  std::string input, profile, out_trace, out_binary;
  MinimizeOptions options;
};
int RunMinimizeCommand(const MinimizeCommand& command);

}  // namespace ddimap::harness
