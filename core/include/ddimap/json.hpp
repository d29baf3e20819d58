// A small JSON writer: the core's JSON reports (DDIMAP_OPTIONS format=json)
// and ddimap-repro's SARIF. It writes what it is told, in that order, and
// keeps only the commas and indentation right; the caller nests correctly.
// Strings are escaped for RFC 8259: quote, backslash and control characters;
// valid UTF-8 is copied, and each byte of an invalid UTF-8 sequence becomes
// \u00XX (the byte as a Latin-1 character), so the text is always valid JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ddimap {

// Appends `s` as a JSON string literal, quotes included.
void AppendJsonString(std::string* out, std::string_view s);

class JsonWriter {
 public:
  // indent 0: everything on one line (JSON Lines); otherwise that many spaces
  // per level, one member or element a line.
  explicit JsonWriter(std::string* out, int indent = 0) : out_(out), indent_(indent) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // The next value is the member `key` of the current object.
  void Key(std::string_view key);

  void String(std::string_view s);
  void Number(std::uint64_t n);
  void Bool(bool b);
  void Null();
  // A hexadecimal string, "0x1f" (addresses and handles).
  void Hex(std::uint64_t n);

  // Key and value in one.
  void Member(std::string_view key, std::string_view s) { Key(key); String(s); }
  void Member(std::string_view key, const char* s) { Key(key); String(s); }
  void MemberNumber(std::string_view key, std::uint64_t n) { Key(key); Number(n); }
  void MemberBool(std::string_view key, bool b) { Key(key); Bool(b); }
  void MemberHex(std::string_view key, std::uint64_t n) { Key(key); Hex(n); }
  void MemberNull(std::string_view key) { Key(key); Null(); }

 private:
  void Open(char c);
  void Close(char c);
  void BeforeValue();
  void NewLine();

  std::string* out_;
  int indent_;
  std::vector<bool> has_items_;  // per open container: whether it has a member yet
  bool after_key_ = false;
};

}  // namespace ddimap
