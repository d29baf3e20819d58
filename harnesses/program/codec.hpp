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
#include <memory>
#include <string>
#include <vector>

#include "program/program.hpp"
#include "program/world.hpp"

namespace ddimap::harness {

// Decodes up to max_calls calls, for `world` (null: the standard world; its
// file table is what FileName arguments index).
Program Decode(const std::uint8_t* data, std::size_t size, const Profile& profile, std::size_t max_calls = 4096,
               std::shared_ptr<const World> world = nullptr);
// The same into *out, replacing what it held but keeping its storage: a fuzz
// target decodes every input into one buffer (under ASan a fresh buffer per
// input costs fresh pages, each filled and faulted in).
void DecodeInto(const std::uint8_t* data, std::size_t size, const Profile& profile, Program* out,
                std::size_t max_calls = 4096, std::shared_ptr<const World> world = nullptr);

// Encodes a program's calls so that Decode(Encode(p), ..., p.world) == p
// (expectations aside; the world itself is program/input.hpp's to carry).
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
