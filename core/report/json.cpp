// The JSON writer (ddimap/json.hpp).
#include "ddimap/json.hpp"

#include <cstdio>

namespace ddimap {
namespace {

// The length of the valid UTF-8 sequence at s[i], or 0 when there is none
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t Utf8Length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n;
  unsigned lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return n;
}

void AppendEscape(std::string* out, unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", c);
  *out += buf;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  *out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (std::size_t n = Utf8Length(s, i)) {
        out->append(s.substr(i, n));
        i += n;
      } else {
        AppendEscape(out, c);
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      default:
        if (c < 0x20)
          AppendEscape(out, c);
        else
          *out += static_cast<char>(c);
    }
    ++i;
  }
  *out += '"';
}

void JsonWriter::NewLine() {
  if (indent_ == 0) return;
  *out_ += '\n';
  out_->append(has_items_.size() * static_cast<std::size_t>(indent_), ' ');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (has_items_.empty()) return;
  if (has_items_.back()) *out_ += ',';
  has_items_.back() = true;
  NewLine();
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendJsonString(out_, key);
  *out_ += indent_ ? ": " : ":";
  after_key_ = true;
}

void JsonWriter::Open(char c) {
  BeforeValue();
  *out_ += c;
  has_items_.push_back(false);
}

void JsonWriter::Close(char c) {
  const bool items = has_items_.back();
  has_items_.pop_back();
  if (items) NewLine();
  *out_ += c;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendJsonString(out_, s);
}

void JsonWriter::Number(std::uint64_t n) {
  BeforeValue();
  *out_ += std::to_string(n);
}

void JsonWriter::Bool(bool b) {
  BeforeValue();
  *out_ += b ? "true" : "false";
}

void JsonWriter::Null() {
  BeforeValue();
  *out_ += "null";
}

void JsonWriter::Hex(std::uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(n));
  String(buf);
}

}  // namespace ddimap
