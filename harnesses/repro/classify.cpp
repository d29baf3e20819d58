#include "repro/classify.hpp"

#include <vector>

namespace ddimap::harness {
namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    std::size_t e = text.find('\n');
    out.push_back(text.substr(0, e));
    text = e == std::string_view::npos ? std::string_view{} : text.substr(e + 1);
  }
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string Dashed(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::string out;
  for (char c : s) {
    if (c != ' ')
      out += c;
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  return out;
}

// "ERROR: <Name>Sanitizer: <type> ..." (the last such marker of the line).
bool SanitizerError(std::string_view line, std::string* san, std::string* type) {
  for (std::size_t at = line.rfind("Sanitizer: "); at != std::string_view::npos;
       at = at == 0 ? std::string_view::npos : line.rfind("Sanitizer: ", at - 1)) {
    std::size_t b = at;
    while (b > 0 && IsAlpha(line[b - 1])) --b;
    if (b == at || b < 7 || line.substr(b - 7, 7) != "ERROR: ") continue;
    *san = std::string(line.substr(b, at + 9 - b));
    std::string_view rest = line.substr(at + 11);
    *type = std::string(rest.substr(0, rest.find(' ')));
    if (*type == "detected") *type = "memory-leak";
    return true;
  }
  return false;
}

// UBSan's message up to its first number, quote or colon: "shift exponent
// 64 is too large ..." is "shift-exponent".
std::string UbsanType(std::string_view msg) {
  msg = msg.substr(0, msg.find_first_of(":'\""));
  for (std::size_t i = 0; i < msg.size(); ++i) {
    if (i > 0 && msg[i - 1] != ' ') continue;
    const char c = msg[i];
    const bool number = IsDigit(c) || (c == '-' && i + 1 < msg.size() && IsDigit(msg[i + 1])) ||
                        (c == '0' && i + 1 < msg.size() && msg[i + 1] == 'x');
    if (number) {
      msg = msg.substr(0, i);
      break;
    }
  }
  while (!msg.empty() && msg.back() == ' ') msg.remove_suffix(1);
  for (std::string_view tail : {" of type", " for type"})
    if (msg.ends_with(tail)) msg.remove_suffix(tail.size());
  return Dashed(msg);
}

// "    #3 0x55d4 in <function> <file:line:col>": the function, when the file is
// ddimap's (core/ or harnesses/, not a system header).
bool FrameFunction(std::string_view line, bool* is_frame, std::string* fn) {
  std::size_t i = line.find_first_not_of(' ');
  *is_frame = false;
  if (i == std::string_view::npos || line[i] != '#') return false;
  std::size_t j = i + 1;
  while (j < line.size() && IsDigit(line[j])) ++j;
  if (j == i + 1 || line.substr(j, 3) != " 0x") return false;
  j += 3;
  std::size_t k = j;
  while (k < line.size() && ((line[k] >= '0' && line[k] <= '9') || (line[k] >= 'a' && line[k] <= 'f'))) ++k;
  if (k == j || line.substr(k, 4) != " in ") return false;
  *is_frame = true;
  std::string_view rest = line.substr(k + 4);
  std::size_t sp = rest.rfind(' ');
  if (sp == std::string_view::npos) return false;
  std::string_view file = rest.substr(sp + 1);
  if (file.find("/core/") == std::string_view::npos && file.find("/harnesses/") == std::string_view::npos)
    return false;
  if (rest.find(" /usr/") != std::string_view::npos) return false;
  std::string f(rest.substr(0, sp));
  for (std::size_t a; (a = f.find("(anonymous namespace)")) != std::string::npos;) f.replace(a, 21, "{anon}");
  f = f.substr(0, f.find('('));
  if (f.ends_with(" const")) f.resize(f.size() - 6);
  *fn = f;
  return true;
}

}  // namespace

std::string ClassifyCrashLog(std::string_view log) {
  const std::vector<std::string_view> lines = Lines(log);
  for (std::string_view l : lines)
    if (l.starts_with("SIGNATURE: ")) return std::string(l.substr(11));
  // A contract breach in a driver under the fuzzing kit (policy=abort): its
  // report's first line, "ERROR: ddimap: RULE in FUNCTION".
  for (std::string_view l : lines)
    if (l.starts_with("ERROR: ddimap: ")) return std::string(l.substr(7));
  std::string san, type;
  bool found = false;
  for (std::string_view l : lines)
    if ((found = SanitizerError(l, &san, &type))) break;
  if (!found)
    for (std::string_view l : lines)
      if (std::size_t at = l.rfind(": runtime error: "); at != std::string_view::npos) {
        san = "UndefinedBehaviorSanitizer";
        type = UbsanType(l.substr(at + 17));
        found = true;
        break;
      }
  if (!found)
    for (std::string_view l : lines)
      if (std::size_t at = l.rfind("ERROR: libFuzzer: "); at != std::string_view::npos) {
        std::string_view t = l.substr(at + 18);
        for (std::size_t a = t.find(" after "); a != std::string_view::npos; a = t.find(" after ", a + 1))
          if (a + 7 < t.size() && IsDigit(t[a + 7])) {
            t = t.substr(0, a);
            break;
          }
        t = t.substr(0, t.find('('));
        san = "libFuzzer";
        type = Dashed(t);
        found = true;
        break;
      }
  if (!found) return "";
  // The first stack's top two ddimap frames.
  std::string frames;
  int taken = 0;
  bool in_stack = false;
  for (std::string_view l : lines) {
    bool is_frame;
    std::string fn;
    bool ours = FrameFunction(l, &is_frame, &fn);
    if (!is_frame) {
      if (in_stack) break;
      continue;
    }
    in_stack = true;
    if (ours && taken < 2) {
      frames += (taken++ ? ", " : "") + fn;
    }
  }
  return san + " " + type + " at " + (frames.empty() ? "?" : frames);
}

}  // namespace ddimap::harness
