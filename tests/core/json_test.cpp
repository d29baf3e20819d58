// The JSON writer (ddimap/json.hpp) and Machine::FormatReportJson. Parsing
// the output with a real JSON parser is json_report_test.py's part (ctest
// capi_json_reports); these pin the writer's bytes.
#include <gtest/gtest.h>

#include <string>

#include "ddimap/json.hpp"
#include "ddimap/machine.hpp"

namespace ddimap {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

TEST(Json, EscapesQuoteBackslashAndControlCharacters) {
  EXPECT_EQ(Quoted(""), "\"\"");
  EXPECT_EQ(Quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Quoted("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
  EXPECT_EQ(Quoted(std::string_view("\x01\x1f\x7f/", 4)), "\"\\u0001\\u001f\x7f/\"");
  EXPECT_EQ(Quoted(std::string_view("a\0b", 3)), "\"a\\u0000b\"");
}

TEST(Json, CopiesValidUtf8AndEscapesInvalidBytes) {
  EXPECT_EQ(Quoted("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(Quoted("\xff"), "\"\\u00ff\"");
  EXPECT_EQ(Quoted("\xc3"), "\"\\u00c3\"");              // truncated sequence
  EXPECT_EQ(Quoted("\xc0\xaf"), "\"\\u00c0\\u00af\"");   // overlong '/'
  EXPECT_EQ(Quoted("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");  // a surrogate
  EXPECT_EQ(Quoted("\xf4\x90\x80\x80"), "\"\\u00f4\\u0090\\u0080\\u0080\"");  // above U+10FFFF
}

TEST(Json, WritesCompactAndIndented) {
  auto write = [](int indent) {
    std::string out;
    JsonWriter w(&out, indent);
    w.BeginObject();
    w.Member("a", "x");
    w.MemberNumber("b", 18446744073709551615ull);
    w.Key("c");
    w.BeginArray();
    w.Bool(true);
    w.Null();
    w.BeginObject();
    w.EndObject();
    w.BeginArray();
    w.EndArray();
    w.EndArray();
    w.MemberHex("d", 0xC4);
    w.EndObject();
    return out;
  };
  EXPECT_EQ(write(0), R"({"a":"x","b":18446744073709551615,"c":[true,null,{},[]],"d":"0xc4"})");
  EXPECT_EQ(write(2), "{\n  \"a\": \"x\",\n  \"b\": 18446744073709551615,\n  \"c\": [\n    true,\n    null,\n"
                      "    {},\n    []\n  ],\n  \"d\": \"0xc4\"\n}");
}

TEST(Json, ReportIsOneLineWithTheDocumentedMembers) {
  Machine m;
  m.AddRam(0, 0x80000000ull);
  const u64 va = m.MmMapIoSpace(0xF0000000ull, 0x1000, 0);
  m.MmUnmapIoSpace(va, 0x1000);
  m.MmUnmapIoSpace(va, 0x1000);
  ASSERT_EQ(m.reports().size(), 1u);
  const std::string json = m.FormatReportJson(m.reports()[0]);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  const std::string head = R"({"rule":"MM_IO.UNMAP_DOUBLE","family":"MM_IO","subject":"MmUnmapIoSpace","call":4,)"
                           R"("function":"MmUnmapIoSpace","arguments":{"BaseAddress":")";
  EXPECT_EQ(json.substr(0, head.size()), head) << json;
  EXPECT_NE(json.find(R"("released":{"call":3,"function":"MmUnmapIoSpace",)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("process":null,"refused":true,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"j("source":"MmUnmapIoSpace, Parameters (BaseAddress)","bugcheck":null})j"), std::string::npos)
      << json;
  EXPECT_EQ(ReportFunction(m.reports()[0]), "MmUnmapIoSpace");
}

}  // namespace
}  // namespace ddimap
