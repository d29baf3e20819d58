// Program-level crash minimisation (harnesses/repro/minimize.hpp). The
// crashes are traces whose `=>` expectations are wrong: an expectation
// failure is a crash of its own kind, and it needs no mutant build.
#include "repro/minimize.hpp"

#include <gtest/gtest.h>

#include "trace_test_util.hpp"

#include <string>

#include "program/codec.hpp"
#include "program/trace.hpp"

namespace ddimap::harness {
namespace {

using testing::BadTrace;
using testing::ExpectRefused;
using testing::Parse;


MinimizeOptions TraceOptions() {
  MinimizeOptions o;
  o.run.check_expectations = true;
  return o;
}

RunResult RunTrace(const Program& p) {
  RunOptions o;
  o.check_expectations = true;
  return Run(p, o);
}

// The unmap of r1 expects a rule it would only report if r1 were not mapped:
// it fails only while r1's map stays, so that map is the one call it needs.
// Everything about r0 and r2 is irrelevant.
constexpr const char* kNeedsItsMap = R"(
r0 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached) => nonnull
WRITE_REGISTER_ULONG(r0+0x4, 0x12345678) =>
r1 = MmMapIoSpace(0xfed01000, 0x1000, MmNonCached) => nonnull
r2 = MmMapIoSpace(0xfed02000, 0x2000, MmCached) => nonnull
MmUnmapIoSpace(r0, 0x1000) =>
MmUnmapIoSpace(r1, 0x1000) => !MM_IO.UNMAP_NOT_MAPPED
MmUnmapIoSpace(r2, 0x2000) =>
)";

TEST(Minimize, DropsTheCallsACrashDoesNotNeedAndRenumbersItsReference) {
  const Program in = Parse(kNeedsItsMap);
  const RunResult before = RunTrace(in);
  ASSERT_EQ(before.failure, RunResult::Expectation);
  MinimizeResult m = Minimize(in, TraceOptions());
  ASSERT_TRUE(m.failed);
  EXPECT_EQ(m.signature, before.signature);
  EXPECT_FALSE(m.bounded);
  // What is left: r1's map (now r0) and the failing unmap of it.
  ASSERT_EQ(m.program.size(), 2u) << FormatProgram(m.program);
  EXPECT_EQ(m.calls_dropped, in.size() - 2);
  EXPECT_EQ(m.program[0].id, CallId::MmMapIoSpace);
  EXPECT_EQ(m.program[1].id, CallId::MmUnmapIoSpace);
  EXPECT_EQ(m.program[1].args[0], (Arg{Arg::Ref, 0, 0}));
  // The minimised program still fails the same way, and its text says so.
  const RunResult after = RunTrace(m.program);
  EXPECT_EQ(after.failure, RunResult::Expectation);
  EXPECT_EQ(after.signature, before.signature);
  EXPECT_EQ(Parse(FormatProgram(m.program)), m.program);
}

TEST(Minimize, SimplifiesArgumentsTheCrashDoesNotDependOn) {
  // The write's value is irrelevant to its (wrong) expectation of a rule.
  const Program in = Parse(R"(
r0 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached) => nonnull
WRITE_REGISTER_ULONG(r0+0x4, 0x12345678) => !ACCESS.UNMAPPED
MmUnmapIoSpace(r0, 0x1000) =>
)");
  MinimizeResult m = Minimize(in, TraceOptions());
  ASSERT_TRUE(m.failed);
  EXPECT_GT(m.args_simplified, 0u);
  const Op* write = nullptr;
  for (const Op& op : m.program)
    if (op.id == CallId::WriteUlong) write = &op;
  ASSERT_NE(write, nullptr) << FormatProgram(m.program);
  EXPECT_EQ(write->args[1], (Arg{Arg::Const, 0, 0})) << FormatProgram(m.program);
  // r0+0x4 loses its offset: the write inside the mapping fails as well at 0.
  EXPECT_EQ(write->args[0], (Arg{Arg::Ref, 0, 0})) << FormatProgram(m.program);
  EXPECT_EQ(RunTrace(m.program).signature, m.signature);
}

TEST(Minimize, AnInputThatRunsCleanIsReportedAndLeftAlone) {
  const Program in = Parse(R"(
r0 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached) => nonnull
MmUnmapIoSpace(r0, 0x1000) =>
)");
  MinimizeResult m = Minimize(in, TraceOptions());
  EXPECT_FALSE(m.failed);
  EXPECT_TRUE(m.signature.empty());
  EXPECT_EQ(m.runs, 1u);
  EXPECT_EQ(m.program, in);
}

TEST(Minimize, IsDeterministicAndBoundedByRuns) {
  const Program in = Parse(kNeedsItsMap);
  MinimizeResult a = Minimize(in, TraceOptions());
  MinimizeResult b = Minimize(in, TraceOptions());
  EXPECT_EQ(a.program, b.program);
  EXPECT_EQ(a.runs, b.runs);
  MinimizeOptions few = TraceOptions();
  few.max_runs = 3;
  MinimizeResult c = Minimize(in, few);
  EXPECT_TRUE(c.failed);
  EXPECT_TRUE(c.bounded);
  EXPECT_EQ(c.runs, 3u);
  EXPECT_EQ(RunTrace(c.program).signature, a.signature);  // what it kept still fails the same way
}

TEST(Minimize, WithNeedBinaryTheResultHasABinaryForm) {
  MinimizeOptions o = TraceOptions();
  o.need_binary = true;
  MinimizeResult m = Minimize(Parse(kNeedsItsMap), o);
  ASSERT_TRUE(m.failed);
  std::vector<std::uint8_t> bytes;
  std::string why;
  EXPECT_TRUE(Encode(m.program, &bytes, &why)) << why;
  // Decoded, it is the same calls (the binary form carries no expectations).
  EXPECT_EQ(Decode(bytes.data(), bytes.size(), ProfileByName("fuzz_all")), WithoutExpectations(m.program));
}

TEST(DropCalls, RenumbersLaterReferencesAndTurnsReferencesToADroppedResultIntoConstants) {
  const Program in = Parse(R"(
r0 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached)
r1 = MmMapIoSpace(0xfed01000, 0x1000, MmNonCached)
WRITE_REGISTER_ULONG(r1+0x10, 1)
r2 = MmMapIoSpace(0xfed02000, 0x1000, MmNonCached)
MmUnmapIoSpace(r2, 0x1000)
MmUnmapIoSpace(r0, 0x1000)
)");
  std::vector<bool> drop(in.size(), false);
  drop[1] = true;  // r1's map
  const Program out = DropCalls(in, drop);
  ASSERT_EQ(out.size(), in.size() - 1);
  EXPECT_EQ(out[1].id, CallId::WriteUlong);
  EXPECT_EQ(out[1].args[0], (Arg{Arg::Const, 0x10, 0}));  // r1+0x10 without r1: its offset
  EXPECT_EQ(out[3].args[0], (Arg{Arg::Ref, 1, 0}));       // r2 is now r1
  EXPECT_EQ(out[4].args[0], (Arg{Arg::Ref, 0, 0}));       // r0 stays r0
  // And it prints as a trace that parses back to itself.
  EXPECT_EQ(Parse(FormatProgram(out)), out);
  EXPECT_NE(FormatProgram(out).find("r1 = MmMapIoSpace(0xfed02000"), std::string::npos) << FormatProgram(out);
}

}  // namespace
}  // namespace ddimap::harness
