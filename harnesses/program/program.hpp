// A program: the sequence of calls one fuzz input or one trace stands for.
//
// Arguments are symbolic where they must be: an address handed out at run
// time is written as a reference to the call that made it (r3, r3+0x10), so
// a program means the same thing on the core and on the oracle, and prints as
// a readable trace. Everything else is a constant.
#pragma once

#include <array>
#include <bitset>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ddimap/calls.hpp"
#include "ddimap/rules.hpp"

namespace ddimap::harness {

struct Arg {
  enum Kind : u8 { Const, Ref } kind = Const;
  u64 value = 0;  // Const: the value; Ref: the index of the call whose made resource is meant
  u64 delta = 0;  // Ref: added to the resource (wrapping), so r3-1 is delta 2^64-1
};

// A report a trace line expects: its rule and, where stated, its evidence
// (docs/harness.md, "Expectations"): `!MM_IO.UNMAP_DOUBLE(created=#1, released=#2, bugcheck=0xC4/0x7B)`.
struct ReportExpectation {
  RuleId rule{};
  std::optional<u64> created;   // the call number of the "created by" record
  std::optional<u64> released;  // the call number of the "released by" record
  std::optional<u32> bugcheck_code;
  std::optional<u64> bugcheck_param1;
};

// What a trace line says it expects of its call (checked by the reproducer).
struct Expectation {
  std::optional<u64> result;   // the return value, or the status for NdisStatus calls
  bool result_nonzero = false; // "nonnull": any value but 0
  bool check_rules = false;    // when set, exactly these reports (in any order) must be filed
  bool others = false;         // `...`: these reports and possibly others
  std::vector<ReportExpectation> reports;
  // Out-values, `Name=value`: (parameter index, the value it holds after the call).
  std::vector<std::pair<int, u64>> outs;
};

struct Op {
  CallId id = CallId::SetIrql;
  std::array<Arg, kMaxParams> args{};
  u8 null_mask = 0;        // bit i: pointer parameter i is NULL
  std::string file_name;   // the FileName parameter, when the call has one and it is not NULL
  Expectation expect;
  // The trace line it was parsed from (1-based; 0: decoded from binary or
  // made by a tool). Where it came from, not what it is: == ignores it.
  int line = 0;
};

inline bool operator==(const Arg& a, const Arg& b) {
  return a.kind == b.kind && a.value == b.value && a.delta == b.delta;
}
inline bool operator==(const ReportExpectation& a, const ReportExpectation& b) {
  return a.rule == b.rule && a.created == b.created && a.released == b.released &&
         a.bugcheck_code == b.bugcheck_code && a.bugcheck_param1 == b.bugcheck_param1;
}
inline bool operator==(const Expectation& a, const Expectation& b) {
  return a.result == b.result && a.result_nonzero == b.result_nonzero && a.check_rules == b.check_rules &&
         a.others == b.others && a.reports == b.reports && a.outs == b.outs;
}
inline bool operator==(const Op& a, const Op& b) {
  return a.id == b.id && a.args == b.args && a.null_mask == b.null_mask && a.file_name == b.file_name &&
         a.expect == b.expect;
}

// The calls, and what the trace expects of the teardown that follows them
// (`teardown => !MM_IO.LEAK(created=#4)`; its check_rules says whether it
// states anything). A vector of Ops with one member more: the binary form
// carries the calls only.
struct World;  // program/world.hpp
struct Program : std::vector<Op> {
  using std::vector<Op>::vector;
  Expectation teardown;
  int teardown_line = 0;  // the trace line of `teardown =>` (where it came from: == ignores it)
  // The machine it runs on: null for the standard world (every fuzz input),
  // else a trace's `world { ... }` block, shared by the program's copies.
  std::shared_ptr<const World> world;
};
bool operator==(const Program& a, const Program& b);

// The program without its expectations, its calls' and its teardown's: what
// the binary form carries (codec.hpp).
Program WithoutExpectations(Program p);

// What a harness's inputs are (harnesses.def): a binary call encoding
// (program/codec.hpp) or a text trace (program/trace.hpp).
enum class HarnessInput : u8 { Binary, Text };

// A harness of harnesses.def, and the calls it may issue, by opcode (= CallId
// value, append-only).
struct Profile {
  Profile(std::string n, HarnessInput in, bool r, std::vector<CallId> c);
  std::string name;
  HarnessInput input;
  bool reach;  // bench/reach.sh measures it
  std::vector<CallId> calls;
  bool Allows(CallId id) const { return allowed.test(static_cast<std::size_t>(id)); }

 private:
  std::bitset<kCallCount> allowed;  // the decoder asks once per decoded call
};

// The harnesses of harnesses.def, in its order. ProfileByName gives fuzz_all's
// profile for a name not in the list.
const Profile& ProfileByName(std::string_view name);
const std::vector<Profile>& AllProfiles();

// True for calls that build the machine; harnesses start from the standard
// world (world.hpp) and never issue them.
bool IsBuildingCall(CallId id);

}  // namespace ddimap::harness
