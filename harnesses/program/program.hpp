// A program: the sequence of calls one fuzz input or one trace stands for.
//
// Arguments are symbolic where they must be: an address handed out at run
// time is written as a reference to the call that made it (r3, r3+0x10), so
// a program means the same thing on the core and on the oracle, and prints as
// a readable trace. Everything else is a constant.
#pragma once

#include <array>
#include <bitset>
#include <optional>
#include <string>
#include <vector>

#include "ddimap/calls.hpp"
#include "ddimap/rules.hpp"

namespace ddimap::harness {

struct Arg {
  enum Kind : u8 { Const, Ref } kind = Const;
  u64 value = 0;  // Const: the value; Ref: the index of the call whose made resource is meant
  u64 delta = 0;  // Ref: added to the resource (wrapping), so r3-1 is delta 2^64-1
};

// What a trace line says it expects of its call (checked by the reproducer).
struct Expectation {
  std::optional<u64> result;   // the return value, or the status for NdisStatus calls
  bool result_nonzero = false; // "nonnull": any value but 0
  bool check_rules = false;    // when set, exactly these rules (in any order) must be reported
  std::vector<RuleId> rules;
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
inline bool operator==(const Expectation& a, const Expectation& b) {
  return a.result == b.result && a.result_nonzero == b.result_nonzero && a.check_rules == b.check_rules &&
         a.rules == b.rules;
}
inline bool operator==(const Op& a, const Op& b) {
  return a.id == b.id && a.args == b.args && a.null_mask == b.null_mask && a.file_name == b.file_name &&
         a.expect == b.expect;
}

using Program = std::vector<Op>;

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
