// Printing calls and reports. Everything printed is a guest value, so the
// text is identical run after run.
#include <cstdio>

#include "ddimap/flag_names.hpp"
#include "machine/state.hpp"

namespace ddimap {
namespace {

std::string IrqlText(u64 irql) {
  std::string n = std::to_string(irql);
  switch (irql) {
    case kPassiveLevel: return n + " (PASSIVE_LEVEL)";
    case kApcLevel: return n + " (APC_LEVEL)";
    case kDispatchLevel: return n + " (DISPATCH_LEVEL)";
    case kHighLevel: return n + " (HIGH_LEVEL)";
    default: return irql < kHighLevel ? n + " (DIRQL)" : n;
  }
}

std::string ProtectText(u64 v) { return FormatFlags(v, kProtectFlagNames, kProtectZero); }
std::string VideoFlagsText(u64 v) { return FormatFlags(v, kVideoFlagNames, kVideoFlagsZero); }

}  // namespace

std::string Machine::State::FormatCall(const CallRecord& c) const {
  const CallDesc& d = Call(c.id);
  std::string out(d.name);
  out += "(";
  for (int i = 0; i < d.param_count; ++i) {
    const ParamDesc& p = d.params[i];
    u64 v = c.args[i];
    bool null = (c.null_mask >> i) & 1;
    if (i) out += ", ";
    out += p.name;
    out += "=";
    if (IsPointerKind(p.kind) && null) {
      out += "NULL";
      continue;
    }
    switch (p.kind) {
      case ArgKind::OutPtr:
      case ArgKind::OutResource: out += "&out"; break;
      case ArgKind::InOutLen32:
      case ArgKind::InOutVirtAddr: out += "&" + Hex(v); break;
      case ArgKind::InOutVideoFlags: out += "&" + VideoFlagsText(v); break;
      case ArgKind::FileName:
        out += v < names.size() ? "\"" + names[v] + "\"" : std::string("<name not recorded>");
        break;
      case ArgKind::Irql: out += std::to_string(v); break;
      case ArgKind::Bool: out += v ? "TRUE" : "FALSE"; break;
      case ArgKind::Version: out += std::to_string(v >> 16) + "." + std::to_string(v & 0xFFFF); break;
      case ArgKind::CacheType: {
        auto n = CacheTypeName(v);
        out += n.empty() ? std::to_string(v) : std::string(n);
        break;
      }
      case ArgKind::Protect: out += ProtectText(v); break;
      case ArgKind::VideoFlags: out += VideoFlagsText(v); break;
      case ArgKind::Callback: out += v < kCallbackCount ? std::string(CallbackName(static_cast<Callback>(v))) : std::to_string(v); break;
      case ArgKind::Space: out += v == 0 ? "Memory" : v == 1 ? "Port" : std::to_string(v); break;
      case ArgKind::RegisterMode:
        out += v == 0 ? "RegisterAccessUsingSystemCall" : v == 1 ? "RegisterAccessUsingUserModeMapping" : std::to_string(v);
        break;
      default: out += Hex(v); break;
    }
  }
  out += ")";
  return out;
}

// "#7 MmUnmapIoSpace(...) at IRQL 0 (PASSIVE_LEVEL) in IRP_MN_STOP_DEVICE of 0xd000000000000001"
static std::string Where(const Machine::State& s, const CallRecord& c) {
  std::string out;
  if (c.seq == 0) {
    out = "at teardown";
  } else {
    out = "#" + std::to_string(c.seq) + " " + s.FormatCall(c) + " at IRQL " + IrqlText(c.irql);
  }
  if (c.callback != Callback::None) {
    out += " in " + std::string(CallbackName(c.callback));
    if (c.callback_object) out += " of " + Hex(c.callback_object);
  }
  return out;
}

std::string Machine::State::FormatReport(const Report& r) const {
  const RuleInfo& rule = Rule(r.rule);
  // The function a report is about: a leak found when a callback returns names
  // that callback (a driver-wide leak at teardown names DriverUnload);
  // everything else names the DDI that was called.
  std::string function = r.call.id != CallId::LeaveCallback ? std::string(Call(r.call.id).name)
                         : r.call.callback == Callback::None ? std::string("DriverUnload")
                                                             : std::string(CallbackName(r.call.callback));
  std::string out = "ERROR: ddimap: " + std::string(rule.name) + " in " + function + "\n";
  out += "  " + Where(*this, r.call) + "\n";
  std::size_t start = 0;
  while (start <= r.evidence.size() && !r.evidence.empty()) {
    std::size_t nl = r.evidence.find('\n', start);
    out += "  " + r.evidence.substr(start, nl == std::string::npos ? std::string::npos : nl - start) + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  if (r.has_created) out += "  created by " + Where(*this, r.created) + "\n";
  if (r.has_released) out += "  released by " + Where(*this, r.released) + "\n";
  out += "  rule: " + std::string(rule.statement) + " [" + std::string(rule.source) + "]\n";
  if (rule.bugcheck_code != 0) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "  Driver Verifier: bug check 0x%X, parameter 1 = 0x%llX\n", rule.bugcheck_code,
                  static_cast<unsigned long long>(rule.bugcheck_param1));
    out += buf;
  }
  out += "SUMMARY: ddimap: " + std::string(rule.name) + " in " + function + "\n";
  return out;
}

}  // namespace ddimap
