// Round trips of the harness's program forms: bytes -> program -> bytes ->
// program, program -> trace -> program, and what malformed traces report.
#include <gtest/gtest.h>

#include "trace_test_util.hpp"

#include <cstdint>
#include <random>
#include <vector>

#include "program/codec.hpp"
#include "program/trace.hpp"
#include "runner/runner.hpp"

namespace ddimap::harness {
namespace {

using testing::BadTrace;
using testing::ExpectRefused;
using testing::Parse;

std::vector<std::uint8_t> RandomBytes(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

// Any bytes decode to a program that encodes and decodes back to itself, and
// that prints as a trace parsing back to itself.
TEST(HarnessCodec, RandomInputsRoundTripThroughBytesAndText) {
  std::mt19937_64 rng(1234);
  for (const Profile& prof : AllProfiles()) {
    for (int i = 0; i < 300; ++i) {
      auto bytes = RandomBytes(rng, rng() % 200);
      Program p = Decode(bytes.data(), bytes.size(), prof);
      std::vector<std::uint8_t> again;
      std::string why;
      ASSERT_TRUE(Encode(p, &again, &why)) << why << "\n" << FormatProgram(p);
      EXPECT_EQ(Decode(again.data(), again.size(), prof), p) << FormatProgram(p);
      std::string text = FormatProgram(p);
      Program parsed;
      ParseError err;
      ASSERT_TRUE(ParseTrace(text, &parsed, &err)) << err.line << ":" << err.column << ": " << err.expected << "\n" << text;
      EXPECT_EQ(parsed, p) << text;
    }
  }
}

TEST(HarnessCodec, TruncatedInputEndsTheProgramCleanly) {
  std::mt19937_64 rng(99);
  auto bytes = RandomBytes(rng, 400);
  Program full = Decode(bytes.data(), bytes.size(), ProfileByName("fuzz_all"));
  for (std::size_t n = 0; n < bytes.size(); n += 7) {
    Program part = Decode(bytes.data(), n, ProfileByName("fuzz_all"));
    ASSERT_LE(part.size(), full.size());
    for (std::size_t i = 0; i < part.size(); ++i) EXPECT_EQ(part[i], full[i]) << "prefix " << n << " call " << i;
  }
}

TEST(HarnessCodec, OpcodesOutsideTheProfileAreSkipped) {
  // 0x08 = MmMapIoSpace is not in fuzz_ndis_io; its argument bytes then decode
  // as further calls or are skipped, never as MmMapIoSpace.
  std::vector<std::uint8_t> bytes = {0x08, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0};
  for (const Op& op : Decode(bytes.data(), bytes.size(), ProfileByName("fuzz_ndis_io")))
    EXPECT_NE(op.id, CallId::MmMapIoSpace);
}

TEST(HarnessTrace, ExpectationsRoundTrip) {
  const char* text =
      "r0 = MmMapIoSpace(0xf0000000, 0x1000, MmNonCached) => nonnull\n"
      "MmUnmapIoSpace(r0+0x10, 0x1000) => !MM_IO.UNMAP_INTERIOR\n"
      "MmUnmapIoSpace(r0, 0x1000) =>\n"
      "r1 = NdisOpenFile(&out, &out, NULL, \"firmware.bin\", 0xffffffffffffffff) => NDIS_STATUS_FAILURE !COMMON.NULL_POINTER\n"
      "r2 = VideoPortMapMemory(video0, 0xe0000000, &0x1000, &VIDEO_MEMORY_SPACE_P6CACHE, &0x0) => NO_ERROR\n";
  Program p;
  ParseError err;
  ASSERT_TRUE(ParseTrace(text, &p, &err)) << err.line << ":" << err.column << ": " << err.expected;
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[1].args[0].kind, Arg::Ref);
  EXPECT_EQ(p[1].args[0].delta, 0x10u);
  EXPECT_TRUE(p[0].expect.result_nonzero);
  EXPECT_EQ(p[3].null_mask, 1u << 2);
  EXPECT_EQ(FormatProgram(p), text);
}

// A file name is everything between the quotes, blanks included; a name that
// starts with blanks once made the parser skip past the end of the line.
TEST(HarnessTrace, FileNamesKeepTheirBlanks) {
  Program p;
  ParseError err;
  ASSERT_TRUE(ParseTrace("r0 = NdisOpenFile(&out, &out, &out, \"\t\t empty.bin\", 0x1000)\n", &p, &err))
      << err.line << ":" << err.column << ": " << err.expected;
  EXPECT_EQ(p[0].file_name, "\t\t empty.bin");
  EXPECT_FALSE(ParseTrace("NdisOpenFile(&out, &out, &out, \"\t\t\t\t\t\t\t\tx\")\n", &p, &err));
  EXPECT_EQ(err.line, 1);
  EXPECT_NE(err.expected.find("','"), std::string::npos) << err.expected;
}

TEST(HarnessTrace, MalformedTracesSayWhereAndWhat) {
  const BadTrace cases[] = {
      {"MmMapIoSpac(0x1000, 0x1000, MmCached)\n", 1, 1, "a call name"},
      {"# ok\nMmMapIoSpace(0x1000 0x1000, MmCached)\n", 2, 21, "expected ','"},
      {"MmMapIoSpace(0x1000, 0x1000, MmKinda)\n", 1, 30, "MEMORY_CACHING_TYPE"},
      {"MmUnmapIoSpace(r0, 0x1000)\n", 1, 16, "reference to an earlier mapping"},
      {"r1 = MmMapIoSpace(0x1000, 0x1000, MmCached)\n", 1, 1, "expected r0"},
      {"MmMapIoSpace(0x1000, 0x1000, MmCached) => !NO.SUCH_RULE\n", 1, 44, "rule id"},
      {"MmMapIoSpace(0x1000, 0x1000, MmCached) trailing\n", 1, 40, "end of line"},
      {"AddRam(0x0, 0x1000)\n", 1, 1, "builds the machine"},
      {"MmMapIoSpace(0x1000, 0x10000000000000000, MmCached)\n", 1, 22, "below 2^64"},
      {"NdisMUnmapIoSpace(nic01, 0x0, 0x0)\n", 1, 19, "device of the world"},
      {"READ_PORT_BUFFER_UCHAR(0x2f8, &out, 0x1)\n", 1, 31, "&buffer or NULL"},
      {"READ_PORT_BUFFER_UCHAR(0x2f8, &buffer, 0x10000)\n", 1, 40, "at most 0xffff"},
  };
  ExpectRefused(cases);
}

// A port buffer's Count has a binary form up to 0xffff (the runner supplies
// the buffer); the buffer itself is only a NULL bit.
TEST(HarnessCodec, PortCountsAndBuffers) {
  const Profile& all = ProfileByName("fuzz_all");
  Program p = Parse(
      "READ_PORT_BUFFER_UCHAR(0x2f8, &buffer, 0x10)\n"
      "WRITE_PORT_BUFFER_ULONG(0x2f8, NULL, 0xffff)\n"
      "NdisRawReadPortUchar(0x300, &out)\n");
  std::vector<std::uint8_t> bytes;
  std::string why;
  ASSERT_TRUE(Encode(p, &bytes, &why)) << why;
  EXPECT_EQ(Decode(bytes.data(), bytes.size(), all), WithoutExpectations(p));
  p[0].args[2].value = 0x10000;  // only a program built by hand can say this
  EXPECT_FALSE(Encode(p, &bytes, &why));
  EXPECT_NE(why.find("Count"), std::string::npos) << why;
}

// The same bytes give the same run, byte for byte, however many runs came before.
TEST(HarnessRunner, DeterministicAcrossRuns) {
  std::mt19937_64 rng(7);
  auto bytes = RandomBytes(rng, 300);
  Program p = Decode(bytes.data(), bytes.size(), ProfileByName("fuzz_all"));
  RunOptions o;
  o.log = true;
  RunResult first = harness::Run(p, o);
  for (int i = 0; i < 20; ++i) {
    auto other = RandomBytes(rng, 200);
    harness::Run(Decode(other.data(), other.size(), ProfileByName("fuzz_all")), o);
  }
  RunResult again = harness::Run(p, o);
  ASSERT_EQ(first.log.size(), again.log.size());
  for (std::size_t i = 0; i < first.log.size(); ++i) {
    EXPECT_EQ(first.log[i].line, again.log[i].line);
    EXPECT_EQ(first.log[i].reports, again.log[i].reports);
    EXPECT_EQ(first.log[i].outcome.ret, again.log[i].outcome.ret);
  }
}

// DecodeInto overwrites the Ops already in the program in place: nothing of
// theirs (file names, expectations, arguments, a longer tail) may survive
// into the decoded program, and a truncated last call is dropped.
TEST(Codec, DecodeIntoLeavesNothingOfTheProgramBefore) {
  const std::string trace =
      "EnterCallback(MiniportInitializeEx, nic0) => Ok\n"
      "r0 = NdisOpenFile(&out, &out, &out, \"empty.bin\", 0xffffffffffffffff) => NDIS_STATUS_SUCCESS\n"
      "r1 = NdisMapFile(&out, &out, r0) => NDIS_STATUS_SUCCESS\n"
      "READ_REGISTER_UCHAR(r1) => 0 !ACCESS.OUT_OF_BOUNDS\n"
      "NdisUnmapFile(r0) =>\n"
      "NdisCloseFile(r0) =>\n"
      "LeaveCallback(TRUE) => Ok\n";
  const Profile& prof = ProfileByName("fuzz_all");
  std::mt19937_64 rng(5);
  for (int i = 0; i < 50; ++i) {
    Program p;
    ParseError err;
    ASSERT_TRUE(ParseTrace(trace, &p, &err)) << err.line << ":" << err.column << ": " << err.expected;
    auto bytes = RandomBytes(rng, static_cast<std::size_t>(i) * 3);
    DecodeInto(bytes.data(), bytes.size(), prof, &p);
    EXPECT_EQ(p, Decode(bytes.data(), bytes.size(), prof)) << "input " << i;
    for (const Op& op : p) EXPECT_EQ(op.expect, Expectation{}) << "input " << i;
  }
}

// The fuzz targets decode into one Program and run into one RunResult, and
// their runs keep no report texts: none of that may change a later run.
TEST(HarnessRunner, ReusedBuffersGiveTheSameRun) {
  std::mt19937_64 rng(11);
  const Profile& prof = ProfileByName("fuzz_all");
  auto bytes = RandomBytes(rng, 400);
  RunOptions logged;
  logged.log = true;
  RunResult fresh = harness::Run(Decode(bytes.data(), bytes.size(), prof), logged);
  RunResult fresh_quiet = harness::Run(Decode(bytes.data(), bytes.size(), prof), RunOptions{});

  Program p;
  RunResult r;
  for (int i = 0; i < 20; ++i) {
    auto other = RandomBytes(rng, 100 + 40 * i);
    DecodeInto(other.data(), other.size(), prof, &p);
    RunInto(p, RunOptions{}, &r);
  }
  DecodeInto(bytes.data(), bytes.size(), prof, &p);
  EXPECT_EQ(p, Decode(bytes.data(), bytes.size(), prof));
  RunInto(p, RunOptions{}, &r);
  EXPECT_EQ(r.failure, fresh_quiet.failure);
  EXPECT_EQ(r.signature, fresh_quiet.signature);
  EXPECT_EQ(r.rules, fresh_quiet.rules);
  EXPECT_EQ(r.outcomes, fresh_quiet.outcomes);
  EXPECT_TRUE(r.log.empty());
  RunInto(p, logged, &r);  // texts again after runs without them
  ASSERT_EQ(r.log.size(), fresh.log.size());
  for (std::size_t i = 0; i < r.log.size(); ++i) {
    EXPECT_EQ(r.log[i].line, fresh.log[i].line);
    EXPECT_EQ(r.log[i].reports, fresh.log[i].reports);
  }
  EXPECT_EQ(r.outcomes, fresh.outcomes);
}

}  // namespace
}  // namespace ddimap::harness
