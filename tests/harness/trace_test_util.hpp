// What the harness tests share for traces: parse one that must parse, and
// check that malformed ones are refused where and with what they should be.
#pragma once

#include <gtest/gtest.h>

#include <span>
#include <string>

#include "program/trace.hpp"

namespace ddimap::harness::testing {

inline Program Parse(const std::string& text) {
  Program p;
  ParseError err;
  EXPECT_TRUE(ParseTrace(text, &p, &err)) << err.line << ":" << err.column << ": " << err.expected;
  return p;
}

struct BadTrace {
  const char* text;
  int line, column;
  const char* fragment;  // a part of the message
};

inline void ExpectRefused(std::span<const BadTrace> cases) {
  for (const auto& c : cases) {
    Program p;
    ParseError err;
    EXPECT_FALSE(ParseTrace(c.text, &p, &err)) << c.text;
    EXPECT_EQ(err.line, c.line) << c.text;
    EXPECT_EQ(err.column, c.column) << c.text << err.expected;
    EXPECT_NE(err.expected.find(c.fragment), std::string::npos) << c.text << " -> " << err.expected;
  }
}

}  // namespace ddimap::harness::testing
