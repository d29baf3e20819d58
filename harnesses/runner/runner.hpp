// Runs a program on the core and on the oracle side by side.
//
// Every call runs on both; any difference in return value, out-values, the
// made resource or the reported rules is a mismatch. After every call the
// core checks its own bookkeeping (CheckInvariants) and, after calls that
// make or release mappings, its live mappings are compared with the oracle's
// field by field. The world is built first and torn down last, on both.
#pragma once

#include <bitset>
#include <functional>
#include <string>
#include <vector>

#include "ddimap/machine.hpp"
#include "program/execute.hpp"
#include "program/program.hpp"
#include "program/world.hpp"

namespace ddimap::oracle {
class Model;
}

namespace ddimap::harness {

struct RunOptions {
  bool oracle = true;       // compare against the oracle
  bool check_expectations = false;  // the trace's `=>` expectations
  // DDIMAP_OPTIONS policy=abort: a driver process dies at its first report, so
  // the run stops after the call that filed one (the oracle still compares that
  // call); later calls and the teardown do not run.
  bool stop_at_report = false;
  bool log = false;         // keep a printable log of every call
  // For tests that need a machine of their own: when set, the run starts from
  // an empty machine (and model) made with these options instead of the
  // standard world, and the program's building calls make its world.
  const MachineOptions* own_world = nullptr;
  // For tests: called after every call that passed the runner's checks, with
  // its 1-based number and both sides (the oracle's is null without it), to
  // compare what the runner does not or to act on both sides at that point. A
  // non-empty answer is a mismatch at that call, with the answer as its message.
  std::function<std::string(std::size_t call, Machine& core, oracle::Model* model)> after_call;
};

struct CallLog {
  std::string line;                // the call as a trace line, arguments resolved where useful
  Outcome outcome;
  std::vector<RuleId> rules;
  std::vector<std::string> reports;  // formatted core reports
  std::vector<Report> records;       // the same reports as the core filed them
};

// A trace's `=>` that the call did not meet. The run goes on after it.
struct ExpectationFailure {
  std::size_t call = 0;  // 1-based op index (0: the teardown)
  int line = 0;          // the op's trace line (Op::line)
  std::string message;   // "#3 MmUnmapIoSpace(r0, 0x1000): expected rules ..., got ..."
};

struct RunResult {
  // Mismatch and SelfCheck stop the run after the failing call; Expectation
  // (set at the end when any expectation failed and nothing worse happened)
  // does not.
  enum Failure { None, Mismatch, SelfCheck, Expectation } failure = None;
  std::string message;                 // what went wrong, both sides printed
  // One line naming the failure for deduplication, stable across inputs that
  // hit the same bug: "oracle-mismatch <Call> <field>", "self-check <what>",
  // "expectation <Call> <field>".
  std::string signature;
  std::size_t failed_call = 0;         // 1-based op index (0: world or teardown)
  std::vector<ExpectationFailure> expectation_failures;  // every one, in call order
  // How many calls ran (the first `ran` ops of the program); the rest did not.
  std::size_t ran = 0;
  // RunOptions::stop_at_report: the 1-based call whose report stopped the run
  // (0: none did). The teardown then did not run.
  std::size_t aborted_at = 0;
  std::vector<CallLog> log;            // when RunOptions::log: one entry per call that ran
  bool torn_down = false;              // the teardown ran
  CallLog teardown;                    // when RunOptions::log and torn_down: its reports
  std::bitset<kRuleCount> rules;       // rules reported during the run, teardown included
  std::vector<std::pair<CallId, u64>> outcomes;  // (call, return value) of every op, for reach statistics
};

RunResult Run(const Program& p, const RunOptions& options);
// The same into *out, replacing all of it but keeping its storage (a fuzz
// target runs every input into one result).
void RunInto(const Program& p, const RunOptions& options, RunResult* out);

// The machine options every harness run uses.
MachineOptions HarnessMachineOptions();
// Those of a run in a trace's own world: the harness's, with the world's limits.
MachineOptions WorldMachineOptions(const World& w);

}  // namespace ddimap::harness
