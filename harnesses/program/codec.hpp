// The binary input format: fuzz bytes <-> Program.
//
// An input is a sequence of calls; a truncated call at the end is dropped.
// Each call starts with a header byte: opcode = header & 0x7F (the call
// table's row, append-only), and when header & 0x80 a byte of NULL bits for
// the pointer parameters follows. An opcode the profile does not allow (or
// beyond the table) is skipped. Then each parameter is decoded by its kind
// (calls.def), leaning toward meaningful values while reaching any value:
// addresses mostly refer to earlier mappings (base, inside, one past the end,
// ...), lengths to earlier mapped lengths or boundary values, physical
// addresses to the world's resources. The exact byte layout per kind is in
// docs/harness.md and in codec.cpp, which implements decoder and encoder side
// by side so the two cannot drift apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "program/program.hpp"

namespace ddimap::harness {

// The repeat op: header opcode 0x7F (either value of the NULL bit; no NULL
// byte follows), then a span byte and a count byte. It appends the last
// 1 + span % kRepeatMaxSpan calls again RepeatCount(count) times. Long
// set-ups (hundreds of releases to cycle the quarantine, 65 open files) then
// cost a fuzzer three bytes instead of hundreds of calls. Programs stay flat:
// the decoded copies are ordinary calls, so traces and Encode never show it.
inline constexpr std::uint8_t kRepeatOpcode = 0x7F;
inline constexpr std::size_t kRepeatMaxSpan = 8;
static_assert(kCallCount < kRepeatOpcode, "the call table must not reach the repeat opcode");
// count < 0xF0: 1..16 times; 0xF0..0xF4: 16, 32, 64, 128, 256 times (the big
// loops, as powers of two); above: 256.
constexpr std::size_t RepeatCount(std::uint8_t count) {
  return count < 0xF0 ? 1 + count % 16 : std::size_t{16} << (count - 0xF0 < 4 ? count - 0xF0 : 4);
}
// All repeat ops of one input copy at most this many calls: the checks after
// each call walk the live mappings, so a program's cost grows with the square
// of its length, and a fuzzer should not drift toward multi-second inputs.
inline constexpr std::size_t kRepeatBudget = 1024;

// Decodes up to max_calls calls.
Program Decode(const std::uint8_t* data, std::size_t size, const Profile& profile, std::size_t max_calls = 4096);

// Encodes a program so that Decode(Encode(p)) == p (expectations aside).
// Returns false with a message when some argument has no encoding (e.g. a
// reference to a resource of the wrong kind, or an IRQL above 255).
// op_starts, when given, receives the offset where each call's bytes begin.
bool Encode(const Program& p, std::vector<std::uint8_t>* out, std::string* error,
            std::vector<std::size_t>* op_starts = nullptr);

// Which resource a call's made value is (Mapping, File, Process) for refs.
Resource MadeResource(CallId id);

// The parameter kind a Ref may appear in, and the resource it must refer to.
Resource RefResourceFor(ArgKind kind);

}  // namespace ddimap::harness
