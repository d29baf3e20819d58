// DDIMAP_OPTIONS: the sanitizer-style option string (ddimap/options.hpp).
#include "ddimap/options.hpp"

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ddimap/rules.hpp"

namespace ddimap {
namespace {

bool Fail(OptionsError* error, std::size_t column, std::string expected, std::string_view got) {
  error->column = column;
  error->expected = std::move(expected);
  error->got = std::string(got);
  return false;
}

// One key=value item starting at 1-based `column`.
bool ParseItem(std::string_view item, std::size_t column, MachineOptions* options,
               OptionsError* error) {
  const std::size_t eq = item.find('=');
  const std::string_view key = item.substr(0, eq);
  if (key != "policy" && key != "print" && key != "suppress" && key != "quarantine" && key != "log_path" &&
      key != "format" && key != "debug_print" && key != "faults" && key != "fault_probability" &&
      key != "fault_seed")
    return Fail(error, column,
                "expected an option name (policy, print, suppress, quarantine, log_path, format, debug_print, "
                "faults, fault_probability or fault_seed)",
                key);
  if (eq == std::string_view::npos)
    return Fail(error, column + key.size(), "expected '=' after '" + std::string(key) + "'", "");
  const std::string_view value = item.substr(eq + 1);
  const std::size_t vcol = column + eq + 1;

  if (key == "policy") {
    if (value == "record") {
      options->policy = Policy::Record;
    } else if (value == "abort") {
      options->policy = Policy::Abort;
    } else {
      return Fail(error, vcol, "expected 'record' or 'abort'", value);
    }
    return true;
  }
  if (key == "print" || key == "debug_print") {
    bool* flag = key == "print" ? &options->print_reports : &options->debug_print;
    if (value == "0") {
      *flag = false;
    } else if (value == "1") {
      *flag = true;
    } else {
      return Fail(error, vcol, "expected '0' or '1'", value);
    }
    return true;
  }
  if (key == "log_path") {
    // Any text but the empty one: a path (':' ends the item, so a path holds none).
    if (value.empty()) return Fail(error, vcol, "expected a path, 'stderr' or 'stdout'", value);
    options->log_path = std::string(value);
    return true;
  }
  if (key == "format") {
    if (value == "text") {
      options->report_format = ReportFormat::Text;
    } else if (value == "json") {
      options->report_format = ReportFormat::Json;
    } else {
      return Fail(error, vcol, "expected 'text' or 'json'", value);
    }
    return true;
  }
  if (key == "suppress") {
    std::size_t pos = 0;
    while (true) {
      const std::size_t comma = value.find(',', pos);
      const std::string_view name =
          value.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
      const std::optional<RuleId> id = RuleByName(name);
      if (!id) return Fail(error, vcol + pos, "expected a rule id such as MM_IO.UNMAP_DOUBLE", name);
      options->suppress.push_back(*id);
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
    return true;
  }
  if (key == "faults") {
    if (value == "off") {
      options->faults = FaultMode::Off;
    } else if (value == "random") {
      options->faults = FaultMode::Random;
    } else if (value == "systematic") {
      options->faults = FaultMode::Systematic;
    } else {
      return Fail(error, vcol, "expected 'off', 'random' or 'systematic'", value);
    }
    return true;
  }
  if (key == "fault_probability") {
    // A decimal from 0 to 1 with at most six places, kept as parts per million
    // so that the draw is integer arithmetic, the same on every host.
    const std::string expected = "expected a probability from 0 to 1 with at most six decimals, such as 0.05";
    std::size_t i = 0;
    u64 whole = 0, frac = 0, scale = 1000000;
    while (i < value.size() && value[i] >= '0' && value[i] <= '9' && whole <= 1) whole = whole * 10 + (value[i++] - '0');
    if (i == 0) return Fail(error, vcol, expected, value);
    if (i < value.size() && value[i] == '.') {
      ++i;
      const std::size_t digits = i;
      while (i < value.size() && value[i] >= '0' && value[i] <= '9' && scale > 1) {
        scale /= 10;
        frac += static_cast<u64>(value[i++] - '0') * scale;
      }
      if (i == digits) return Fail(error, vcol, expected, value);
    }
    const u64 ppm = whole * 1000000 + frac;
    if (i != value.size() || ppm > 1000000) return Fail(error, vcol, expected, value);
    options->fault_rate_ppm = static_cast<u32>(ppm);
    return true;
  }
  if (key == "fault_seed") {
    u64 seed = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seed);
    if (value.empty() || value.front() < '0' || value.front() > '9' || ec != std::errc() ||
        ptr != value.data() + value.size())
      return Fail(error, vcol, "expected a number from 0 to 18446744073709551615", value);
    options->fault_seed = seed;
    return true;
  }
  // quarantine: a plain decimal number.
  std::size_t n = 0;
  const char* first = value.data();
  const char* last = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(first, last, n);
  if (value.empty() || value.front() < '0' || value.front() > '9' || ec != std::errc() ||
      ptr != last || n > kMaxQuarantine)
    return Fail(error, vcol, "expected a number from 0 to " + std::to_string(kMaxQuarantine),
                value);
  options->quarantine_capacity = n;
  return true;
}

}  // namespace

bool ParseOptions(std::string_view text, MachineOptions* options, OptionsError* error) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find(':', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = text.substr(pos, end - pos);
    if (!item.empty() && !ParseItem(item, pos + 1, options, error)) return false;
    pos = end + 1;
  }
  return true;
}

std::string FormatOptionsError(const OptionsError& error) {
  return "ddimap: DDIMAP_OPTIONS:" + std::to_string(error.column) + ": " + error.expected +
         ", got '" + error.got + "'";
}

}  // namespace ddimap
