// Printing calls and reports. Everything printed is a guest value, so the
// text is identical run after run.
#include <cstdio>

#include "ddimap/json.hpp"

#include "ddimap/flag_names.hpp"
#include "machine/state.hpp"

namespace ddimap {
namespace {

// "PASSIVE_LEVEL", ..., "DIRQL" for 3..14; empty above HIGH_LEVEL.
std::string_view IrqlName(u64 irql) {
  switch (irql) {
    case kPassiveLevel: return "PASSIVE_LEVEL";
    case kApcLevel: return "APC_LEVEL";
    case kDispatchLevel: return "DISPATCH_LEVEL";
    case kHighLevel: return "HIGH_LEVEL";
    default: return irql < kHighLevel ? "DIRQL" : "";
  }
}

std::string IrqlText(u64 irql) {
  std::string n = std::to_string(irql);
  const std::string_view name = IrqlName(irql);
  return name.empty() ? n : n + " (" + std::string(name) + ")";
}

std::string ProtectText(u64 v) { return FormatFlags(v, kProtectFlagNames, kProtectZero); }
std::string VideoFlagsText(u64 v) { return FormatFlags(v, kVideoFlagNames, kVideoFlagsZero); }

}  // namespace

// The text of argument i of `c` as reports print it ("NULL" for a NULL pointer).
std::string Machine::State::FormatArg(const CallRecord& c, int i) const {
  const ParamDesc& p = Call(c.id).params[i];
  const u64 v = c.args[i];
  if (IsPointerKind(p.kind) && ((c.null_mask >> i) & 1)) return "NULL";
  switch (p.kind) {
    case ArgKind::OutPtr:
    case ArgKind::OutResource:
    case ArgKind::OutPhysAddr: return "&out";
    case ArgKind::Buffer: return "&buffer";
    case ArgKind::InPtr: return "&in";
    case ArgKind::InOutLen32:
    case ArgKind::InOutVirtAddr: return "&" + Hex(v);
    case ArgKind::InOutVideoFlags: return "&" + VideoFlagsText(v);
    case ArgKind::FileName: return v < names.size() ? "\"" + names[v] + "\"" : std::string("<name not recorded>");
    case ArgKind::Irql: return std::to_string(v);
    case ArgKind::Bool: return v ? "TRUE" : "FALSE";
    case ArgKind::Version: return std::to_string(v >> 16) + "." + std::to_string(v & 0xFFFF);
    case ArgKind::CacheType: {
      auto n = CacheTypeName(v);
      return n.empty() ? std::to_string(v) : std::string(n);
    }
    case ArgKind::Protect: return ProtectText(v);
    case ArgKind::VideoFlags: return VideoFlagsText(v);
    case ArgKind::Callback:
      return v < kCallbackCount ? std::string(CallbackName(static_cast<Callback>(v))) : std::to_string(v);
    case ArgKind::Space: return v == 0 ? "Memory" : v == 1 ? "Port" : std::to_string(v);
    case ArgKind::RegisterMode:
      return v == 0   ? "RegisterAccessUsingSystemCall"
             : v == 1 ? "RegisterAccessUsingUserModeMapping"
                      : std::to_string(v);
    default: return Hex(v);
  }
}

std::string Machine::State::FormatCall(const CallRecord& c) const {
  const CallDesc& d = Call(c.id);
  std::string out(d.name);
  out += "(";
  for (int i = 0; i < d.param_count; ++i) {
    if (i) out += ", ";
    out += d.params[i].name;
    out += "=";
    out += FormatArg(c, i);
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

std::string_view ReportFunction(const Report& r) {
  // A leak found when a callback returns names that callback (a driver-wide
  // leak at teardown names DriverUnload); everything else names the DDI that
  // was called.
  return r.call.id != CallId::LeaveCallback ? Call(r.call.id).name
         : r.call.callback == Callback::None ? std::string_view("DriverUnload")
                                             : CallbackName(r.call.callback);
}

std::string Machine::State::FormatReport(const Report& r) const {
  const RuleInfo& rule = Rule(r.rule);
  const std::string function(ReportFunction(r));
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
  if (const CallRecord* injected = InjectedCall(r.injected_seq))
    out += "  after " + Where(*this, *injected) + ", failed by fault injection\n";
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

// The fields of one call, shared by the report and its created/released
// records: "call" (its number; null at teardown), "function" (the call made,
// null at teardown), "arguments" (by parameter name; null at teardown), IRQL
// and callback.
void Machine::State::WriteCallJson(JsonWriter& w, const CallRecord& c) const {
  const CallDesc& d = Call(c.id);
  if (c.seq == 0) {
    w.MemberNull("call");
    w.MemberNull("function");
    w.MemberNull("arguments");
  } else {
    w.MemberNumber("call", c.seq);
    w.Member("function", d.name);
    w.Key("arguments");
    w.BeginObject();
    for (int i = 0; i < d.param_count; ++i) {
      const ParamDesc& p = d.params[i];
      w.Key(p.name);
      if (IsPointerKind(p.kind) && ((c.null_mask >> i) & 1))
        w.Null();
      else if (p.kind == ArgKind::Irql)
        w.Number(c.args[i]);
      else if (p.kind == ArgKind::Bool)
        w.Bool(c.args[i] != 0);
      else if (p.kind == ArgKind::FileName && c.args[i] < names.size())  // the name itself, unquoted
        w.String(names[c.args[i]]);
      else
        w.String(FormatArg(c, i));
    }
    w.EndObject();
  }
  w.MemberNumber("irql", c.irql);
  const std::string_view irql_name = IrqlName(c.irql);
  if (irql_name.empty())
    w.MemberNull("irql_name");
  else
    w.Member("irql_name", irql_name);
  if (c.callback == Callback::None) {
    w.MemberNull("callback");
    w.MemberNull("callback_object");
  } else {
    w.Member("callback", CallbackName(c.callback));
    if (c.callback_object)
      w.MemberHex("callback_object", c.callback_object);
    else
      w.MemberNull("callback_object");
  }
}

// One line of JSON, no newline (docs/harness.md, "Machine-readable reports").
std::string Machine::State::FormatReportJson(const Report& r) const {
  const RuleInfo& rule = Rule(r.rule);
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Member("rule", rule.name);
  w.Member("family", FamilyName(rule.family));
  // What the report is about, as its first line names it; "called" is then
  // the call that was made (they differ for a leak found as a callback returns).
  w.Member("subject", ReportFunction(r));
  WriteCallJson(w, r.call);
  if (r.process)
    w.MemberHex("process", r.process);
  else
    w.MemberNull("process");
  w.MemberBool("refused", rule.refuses);
  w.Member("evidence", r.evidence);
  for (int k = 0; k < 2; ++k) {
    const bool has = k == 0 ? r.has_created : r.has_released;
    w.Key(k == 0 ? "created" : "released");
    if (!has) {
      w.Null();
      continue;
    }
    w.BeginObject();
    WriteCallJson(w, k == 0 ? r.created : r.released);
    w.EndObject();
  }
  w.Key("injected");
  if (const CallRecord* injected = InjectedCall(r.injected_seq)) {
    w.BeginObject();
    WriteCallJson(w, *injected);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Member("statement", rule.statement);
  w.Member("source", rule.source);
  w.Key("bugcheck");
  if (rule.bugcheck_code == 0) {
    w.Null();
  } else {
    char code[24], param[24];
    std::snprintf(code, sizeof code, "0x%X", rule.bugcheck_code);
    std::snprintf(param, sizeof param, "0x%llX", static_cast<unsigned long long>(rule.bugcheck_param1));
    w.BeginObject();
    w.Member("code", code);
    w.Member("parameter1", param);
    w.EndObject();
  }
  w.EndObject();
  return out;
}

}  // namespace ddimap
