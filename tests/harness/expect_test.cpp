// The trace language's expectations (docs/harness.md, "Expectations"):
// out-values, report evidence, "and possibly others" and the teardown line,
// as the parser reads them, the printer writes them and the runner checks them.
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


RunResult Check(const std::string& text) {
  RunOptions o;
  o.check_expectations = true;
  o.log = true;
  return harness::Run(Parse(text), o);
}

// A double unmap whose report names its mapping's two calls, then a leak.
constexpr const char* kDoubleUnmapAndLeak =
    "r0 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached) => nonnull\n"
    "MmUnmapIoSpace(r0, 0x1000) =>\n"
    "MmUnmapIoSpace(r0, 0x1000) => !MM_IO.UNMAP_DOUBLE(created=#1, released=#2)\n"
    "r1 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached) => nonnull\n"
    "teardown => !MM_IO.LEAK(created=#4)\n";

TEST(TraceExpectations, EveryFormRoundTripsThroughPrintAndParse) {
  const std::string text =
      "r0 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x1000) => NDIS_STATUS_SUCCESS VirtualAddress=0xffffc00000000000\n"
      "KeSetIrql(2) => Ok\n"
      "MmUnmapIoSpace(0x1234, 0x1000) => !MM_IO.UNMAP_IRQL(bugcheck=0xC4/0x7B) ...\n"
      "r1 = NdisOpenFile(&out, &out, &out, \"firmware.bin\", 0xffffffffffffffff) => Status=NDIS_STATUS_FAILURE "
      "FileLength=0x0 !NDIS_FILE.IRQL(created=#1, released=#2, bugcheck=0xC4) ...\n"
      "teardown => !NDIS_IO.LEAK(created=#1) ...\n";
  Program p = Parse(text);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].expect.outs.size(), 1u);
  EXPECT_TRUE(p[2].expect.others);
  ASSERT_EQ(p[2].expect.reports.size(), 1u);
  EXPECT_EQ(p[2].expect.reports[0].bugcheck_code, 0xC4u);
  EXPECT_EQ(p[2].expect.reports[0].bugcheck_param1, 0x7Bu);
  EXPECT_FALSE(p[2].expect.reports[0].created);
  ASSERT_EQ(p[3].expect.outs.size(), 2u);
  EXPECT_EQ(p[3].expect.outs[0].second, kNdisStatusFailure);
  EXPECT_EQ(p[3].expect.reports[0].created, 1u);
  EXPECT_EQ(p[3].expect.reports[0].released, 2u);
  EXPECT_FALSE(p[3].expect.reports[0].bugcheck_param1);
  EXPECT_TRUE(p.teardown.check_rules);
  EXPECT_TRUE(p.teardown.others);
  EXPECT_EQ(p.teardown_line, 5);
  const std::string printed = FormatProgram(p);
  EXPECT_EQ(printed, text);
  EXPECT_EQ(Parse(printed), p);
}

TEST(TraceExpectations, MalformedFormsSayWhereAndWhat) {
  const BadTrace cases[] = {
      {"MmUnmapIoSpace(0x0, 0x0) => !MM_IO.LEAK(made=#1)\n", 1, 41, "created, released or bugcheck"},
      {"MmUnmapIoSpace(0x0, 0x0) => !MM_IO.LEAK(created=1)\n", 1, 49, "'#' and a call number"},
      {"MmUnmapIoSpace(0x0, 0x0) => !MM_IO.LEAK(created=#1, created=#2)\n", 1, 53, "once"},
      {"MmUnmapIoSpace(0x0, 0x0) => !MM_IO.LEAK(created=#1\n", 1, 51, "',' or ')'"},
      {"MmUnmapIoSpace(0x0, 0x0) => Bogus=0x1\n", 1, 29, "out-parameter of MmUnmapIoSpace"},
      {"r0 = NdisMMapIoSpace(&out, nic0, 0x0, 0x0) => VirtualAddress=maybe\n", 1, 62, "a number or a status name"},
      {"teardown => NULL\n", 1, 13, "the teardown has no result"},
      {"teardown !MM_IO.LEAK\n", 1, 10, "'=>' after 'teardown'"},
      {"teardown =>\nMmUnmapIoSpace(0x0, 0x0)\n", 2, 1, "nothing after the teardown line"},
  };
  ExpectRefused(cases);
}

TEST(TraceExpectations, ReportEvidenceAndTeardownAreChecked) {
  EXPECT_EQ(Check(kDoubleUnmapAndLeak).failure, RunResult::None);
  // Each wrong detail is a failed expectation of its own line.
  std::string wrong = kDoubleUnmapAndLeak;
  wrong.replace(wrong.find("released=#2"), 11, "released=#3");
  wrong.replace(wrong.find("created=#4"), 10, "created=#1");
  RunResult r = Check(wrong);
  ASSERT_EQ(r.failure, RunResult::Expectation);
  ASSERT_EQ(r.expectation_failures.size(), 2u);
  EXPECT_EQ(r.expectation_failures[0].line, 3);
  EXPECT_NE(r.expectation_failures[0].message.find(
                "expected reports !MM_IO.UNMAP_DOUBLE(created=#1, released=#3), got "
                "!MM_IO.UNMAP_DOUBLE(created=#1, released=#2)"),
            std::string::npos)
      << r.expectation_failures[0].message;
  EXPECT_EQ(r.expectation_failures[1].call, 0u);
  EXPECT_EQ(r.expectation_failures[1].line, 5);
  EXPECT_NE(r.expectation_failures[1].message.find("teardown: expected reports !MM_IO.LEAK(created=#1)"),
            std::string::npos)
      << r.expectation_failures[1].message;
  EXPECT_EQ(r.signature, "expectation MmUnmapIoSpace");
}

TEST(TraceExpectations, OthersAllowsMoreReportsButNotFewer) {
  // At DISPATCH_LEVEL an unmap of an address never mapped is refused for the
  // IRQL alone; `...` accepts a subset.
  const std::string base = "r0 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached)\nr1 = MmMapIoSpace(0xfed00000, 0x1000, "
                           "MmNonCached)\n";
  EXPECT_EQ(Check(base + "teardown => !MM_IO.LEAK ...\n").failure, RunResult::None);
  EXPECT_EQ(Check(base + "teardown => !MM_IO.LEAK !MM_IO.LEAK\n").failure, RunResult::None);
  EXPECT_EQ(Check(base + "teardown => !MM_IO.LEAK\n").failure, RunResult::Expectation);  // two were filed
  EXPECT_EQ(Check(base + "teardown => !MM_IO.LEAK !MM_IO.LEAK !MM_IO.LEAK ...\n").failure, RunResult::Expectation);
  EXPECT_EQ(Check(base + "teardown => ...\n").failure, RunResult::None);
  EXPECT_EQ(Check(base + "teardown =>\n").failure, RunResult::Expectation);
}

TEST(TraceExpectations, OutValuesAreChecked) {
  // A video mapping writes back its length, rounded to what was mapped.
  const std::string ok =
      "r0 = VideoPortMapMemory(video0, 0xe0000000, &0x100, &VIDEO_MEMORY_SPACE_MEMORY, &0) => NO_ERROR\n";
  RunResult r = Check(ok);
  ASSERT_EQ(r.failure, RunResult::None) << r.message;
  const u64 length = r.log[0].outcome.out[2];
  auto with = [&](u64 v) {
    return "r0 = VideoPortMapMemory(video0, 0xe0000000, &0x100, &VIDEO_MEMORY_SPACE_MEMORY, &0) => NO_ERROR Length=" +
           FormatValue(ArgKind::Value, v) + "\nVideoPortUnmapMemory(video0, r0, 0x0)\n";
  };
  EXPECT_EQ(Check(with(length)).failure, RunResult::None);
  RunResult bad = Check(with(length + 1));
  ASSERT_EQ(bad.failure, RunResult::Expectation);
  EXPECT_NE(bad.expectation_failures[0].message.find("expected Length="), std::string::npos);
}

TEST(TraceExpectations, ExpectPrintsWhatHappenedAndItReplaysClean) {
  Program p = Parse(
      "r0 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached)\n"
      "MmUnmapIoSpace(r0, 0x1000)\n"
      "MmUnmapIoSpace(r0, 0x1000)\n"
      "r1 = VideoPortMapMemory(video0, 0xe0000000, &0x100, &VIDEO_MEMORY_SPACE_MEMORY, &0)\n"
      "KeSetIrql(3)\n"
      "MmUnmapIoSpace(0x1234, 0x1000)\n");
  RunOptions o;
  o.log = true;
  RunResult r = harness::Run(p, o);
  PrintOptions po;
  po.expect = true;
  const std::string out = FormatReplay(p, r, po);
  EXPECT_NE(out.find("=> !MM_IO.UNMAP_DOUBLE(created=#1, released=#2)"), std::string::npos) << out;
  EXPECT_NE(out.find("!MM_IO.UNMAP_IRQL(bugcheck=0xC4/0x7B)"), std::string::npos) << out;
  EXPECT_NE(out.find("=> NO_ERROR Length=0x"), std::string::npos) << out;
  EXPECT_NE(out.find("\nteardown => !VIDEO.LEAK(created=#4)"), std::string::npos) << out;
  // What --expect writes is a trace that states everything and holds.
  RunOptions strict;
  strict.check_expectations = true;
  RunResult again = harness::Run(Parse(out), strict);
  EXPECT_EQ(again.failure, RunResult::None) << again.message;
}

}  // namespace
}  // namespace ddimap::harness
