// What ddimap-repro prints of a run (repro/print.hpp) when the run stops early
// or an expectation fails: exactly what ran, once, and nothing that did not.
// The self-check stop needs a core with a planted bug; tests/ci/triage_test.sh
// covers it in the mutants tree.
#include <gtest/gtest.h>

#include "trace_test_util.hpp"

#include <string>

#include "program/trace.hpp"
#include "repro/print.hpp"
#include "runner/runner.hpp"

namespace ddimap::harness {
namespace {

using testing::BadTrace;
using testing::ExpectRefused;
using testing::Parse;


std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Two maps of one page and their unmaps; the second map leaks when the run
// stops before its unmap.
constexpr const char* kTwoMaps = R"(r0 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached) => nonnull
r1 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached) => nonnull
MmUnmapIoSpace(r0, 0x1000) =>
MmUnmapIoSpace(r1, 0x1000) =>
)";

TEST(Replay, OracleMismatchStopsTheRunAndLaterCallsPrintAsNotRun) {
  Program p = Parse(kTwoMaps);
  RunOptions o;
  o.log = true;
  // A mismatch planted after #2: the run stops there, as after a real one.
  o.after_call = [](std::size_t call, Machine&, oracle::Model*) {
    return call == 2 ? std::string("planted mismatch") : std::string();
  };
  RunResult r = harness::Run(p, o);
  ASSERT_EQ(r.failure, RunResult::Mismatch);
  EXPECT_EQ(r.failed_call, 2u);
  EXPECT_EQ(r.ran, 2u);
  ASSERT_EQ(r.log.size(), 2u);
  EXPECT_TRUE(r.torn_down);
  PrintOptions po;
  const std::string out = FormatReplay(p, r, po);
  EXPECT_NE(out.find("# #2 -> 0xffffc00000002000"), std::string::npos) << out;
  EXPECT_NE(out.find("MmUnmapIoSpace(r0, 0x1000) =>  # #3 not run\n"), std::string::npos) << out;
  EXPECT_NE(out.find("MmUnmapIoSpace(r1, 0x1000) =>  # #4 not run\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("# #3 ->"), std::string::npos) << out;
  EXPECT_EQ(out.find("# #4 ->"), std::string::npos) << out;
  EXPECT_NE(out.find("the run stopped after #2 (oracle mismatch): #3-#4 did not run"), std::string::npos) << out;
  // The teardown found both mappings live: its reports print once, under it.
  EXPECT_EQ(Count(out, "# teardown:\n"), 1u) << out;
  EXPECT_EQ(Count(out, "ERROR: ddimap: MM_IO.LEAK"), 2u) << out;
  EXPECT_LT(out.find("# teardown:\n"), out.find("ERROR: ddimap: MM_IO.LEAK")) << out;
}

TEST(Replay, ExpectNeverWritesAResultForACallThatDidNotRun) {
  Program p = Parse(kTwoMaps);
  RunOptions o;
  o.log = true;
  o.after_call = [](std::size_t call, Machine&, oracle::Model*) {
    return call == 1 ? std::string("planted mismatch") : std::string();
  };
  RunResult r = harness::Run(p, o);
  PrintOptions po;
  po.expect = true;
  const std::string out = FormatReplay(p, r, po);
  // The calls that did not run keep no expectation, stated or actual.
  EXPECT_NE(out.find("\nr1 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached)  # #2 not run\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("\nMmUnmapIoSpace(r1, 0x1000)  # #4 not run\n"), std::string::npos) << out;
  // What is printed parses back to the same calls.
  Program back = Parse(out);
  ASSERT_EQ(back.size(), p.size());
  for (std::size_t i = 1; i < p.size(); ++i) EXPECT_EQ(back[i].expect, Expectation{}) << i;
}

TEST(Replay, EveryFailedExpectationIsReportedWithItsLineAndTheRunGoesOn) {
  Program p = Parse(R"(# two wrong expectations
r0 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached) => NULL
MmUnmapIoSpace(r0, 0x1000) =>

MmUnmapIoSpace(r0, 0x1000) => !MM_IO.UNMAP_NOT_MAPPED
r1 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached) => nonnull
)");
  RunOptions o;
  o.log = true;
  o.check_expectations = true;
  RunResult r = harness::Run(p, o);
  ASSERT_EQ(r.failure, RunResult::Expectation);
  EXPECT_EQ(r.ran, 4u);
  EXPECT_TRUE(r.torn_down);
  ASSERT_EQ(r.expectation_failures.size(), 2u);
  EXPECT_EQ(r.expectation_failures[0].call, 1u);
  EXPECT_EQ(r.expectation_failures[0].line, 2);
  EXPECT_NE(r.expectation_failures[0].message.find("expected result NULL"), std::string::npos);
  EXPECT_EQ(r.expectation_failures[1].call, 3u);
  EXPECT_EQ(r.expectation_failures[1].line, 5);
  EXPECT_NE(r.expectation_failures[1].message.find("got !MM_IO.UNMAP_DOUBLE(created=#1, released=#2)"), std::string::npos);
  EXPECT_EQ(r.failed_call, 1u);
  EXPECT_EQ(r.signature, "expectation MmMapIoSpace");
  // Everything ran, so everything prints with its result; r1 leaks at teardown.
  const std::string out = FormatReplay(p, r, PrintOptions{});
  EXPECT_EQ(out.find("not run"), std::string::npos) << out;
  EXPECT_NE(out.find("# #4 -> 0xffffc00000002000"), std::string::npos) << out;
  EXPECT_EQ(Count(out, "ERROR: ddimap: MM_IO.LEAK"), 1u) << out;
}

TEST(Replay, AbortPolicyStopsAtTheFirstReportWithoutTeardown) {
  Program p = Parse(R"(r0 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached)
MmUnmapIoSpace(r0, 0x1000)
MmUnmapIoSpace(r0, 0x1000)
r1 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached)
)");
  RunOptions o;
  o.log = true;
  o.stop_at_report = true;
  RunResult r = harness::Run(p, o);
  EXPECT_EQ(r.failure, RunResult::None);  // the oracle agreed on the report
  EXPECT_EQ(r.aborted_at, 3u);
  EXPECT_EQ(r.ran, 3u);
  EXPECT_FALSE(r.torn_down);
  EXPECT_TRUE(r.teardown.reports.empty());
  const std::string out = FormatReplay(p, r, PrintOptions{});
  EXPECT_EQ(Count(out, "ERROR: ddimap: MM_IO.UNMAP_DOUBLE"), 1u) << out;
  EXPECT_NE(out.find("r1 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached)  # #4 not run\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("# teardown: not run (policy=abort stopped the run at #3)"), std::string::npos) << out;
  EXPECT_EQ(out.find("MM_IO.LEAK"), std::string::npos) << out;  // the leak check is the teardown's
  // Without the policy the same program runs to the end and leaks r1.
  o.stop_at_report = false;
  RunResult all = harness::Run(p, o);
  EXPECT_EQ(all.aborted_at, 0u);
  EXPECT_EQ(all.ran, 4u);
  EXPECT_TRUE(all.torn_down);
}

}  // namespace
}  // namespace ddimap::harness
