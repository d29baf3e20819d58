// A binary input as a file holds it: the calls' encoding (codec.hpp), after a
// header carrying the world when the program has its own. Fuzz targets read
// the calls only (every fuzz input runs in the standard world); ddimap-repro
// reads and writes files through here, so that a trace with a world block
// compiles to an input that replays in that world.
//
//   "DDIMAPW1\n" <the world block as a trace prints it> '\0' <the calls>
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "program/program.hpp"
#include "program/trace.hpp"

namespace ddimap::harness {

inline constexpr std::string_view kWorldHeader = "DDIMAPW1\n";

// The file's bytes for `p` (false with a message when a call has no encoding).
bool WriteInput(const Program& p, std::vector<std::uint8_t>* out, std::string* error);

// The program a file's bytes hold, decoded under `profile`. False, with the
// world block's line and column, when its header is malformed.
bool ReadInput(std::string_view bytes, const Profile& profile, Program* out, ParseError* error);

}  // namespace ddimap::harness
