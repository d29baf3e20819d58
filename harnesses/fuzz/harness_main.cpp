#include "fuzz/harness_main.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "program/codec.hpp"
#include "program/input.hpp"
#include "program/trace.hpp"
#include "runner/runner.hpp"

namespace ddimap::harness {
namespace {

[[noreturn]] void Die(const char* what, const std::string& message, const Program& p,
                      const std::string& signature = {}) {
  std::fprintf(stderr, "ERROR: ddimap-harness: %s\n%s\n%s%sthe program:\n%s", what, message.c_str(),
               signature.empty() ? "" : "SIGNATURE: ", signature.empty() ? "" : (signature + "\n").c_str(),
               FormatProgram(p).c_str());
  std::fflush(stderr);
  std::abort();
}

void RunChecked(const Program& p) {
  static RunResult r;  // reused: RunInto replaces all of it
  RunInto(p, RunOptions{}, &r);
  switch (r.failure) {
    case RunResult::None: return;
    case RunResult::Mismatch: Die("oracle mismatch", r.message, p, r.signature);
    case RunResult::SelfCheck: Die("self-check failed", r.message, p, r.signature);
    case RunResult::Expectation: Die("expectation failed", r.message, p, r.signature);
  }
}

}  // namespace

int RunFuzzInput(const char* profile, const std::uint8_t* data, std::size_t size) {
  static const Profile& prof = ProfileByName(profile);
  // Decoded into the previous input's storage; DecodeInto replaces all of it.
  static Program p;
  DecodeInto(data, size, prof, &p);
  RunChecked(p);
  return 0;
}

int RunTraceFuzzInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Program p;
  ParseError err;
  if (!ParseTrace(text, &p, &err)) {
    if (err.line <= 0 || err.column <= 0 || err.expected.empty())
      Die("parse error without a position", "line " + std::to_string(err.line) + " column " +
                                                std::to_string(err.column) + ": " + err.expected, p);
    return 0;
  }
  // print -> parse must give the same program.
  std::string printed = FormatProgram(p);
  Program again;
  if (!ParseTrace(printed, &again, &err))
    Die("printed trace does not parse", std::to_string(err.line) + ":" + std::to_string(err.column) + ": " +
                                            err.expected + "\n" + printed, p);
  if (!(again == p)) Die("print/parse round trip changed the program", printed, p);
  // write -> read of the input file must give the same program (expectations
  // aside; a world block travels in its header).
  std::vector<std::uint8_t> bytes;
  std::string why;
  if (WriteInput(p, &bytes, &why)) {
    Program decoded;
    if (!ReadInput(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                   ProfileByName("fuzz_all"), &decoded, &err))
      Die("a written input does not read back", err.expected, p);
    if (!(decoded == WithoutExpectations(p)))
      Die("encode/decode round trip changed the program", FormatProgram(decoded), p);
  }
  // Fuzzing runs in the standard world: a world block's sizes are the input's
  // to choose, and a run in it would measure the world, not the contracts.
  if (p.size() <= 256 && !p.world) RunChecked(p);
  return 0;
}

}  // namespace ddimap::harness
