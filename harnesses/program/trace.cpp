#include "program/trace.hpp"

#include <cctype>
#include <cstdio>
#include <vector>

#include "ddimap/flag_names.hpp"
#include "program/codec.hpp"
#include "program/execute.hpp"
#include "program/world.hpp"

namespace ddimap::harness {
namespace {

std::string HexStr(u64 v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// The UMDF INF directive's values, as a world block spells a device's register access.
constexpr std::string_view kSystemCall = "RegisterAccessUsingSystemCall";
constexpr std::string_view kUserModeMapping = "RegisterAccessUsingUserModeMapping";

// Bug check codes and parameters as the Driver Verifier pages write them (0xC4).
std::string HexUpper(u64 v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llX", static_cast<unsigned long long>(v));
  return buf;
}

bool IsHandleKind(ArgKind k) {
  return k == ArgKind::Adapter || k == ArgKind::WdmDevice || k == ArgKind::UmdfDevice || k == ArgKind::Video ||
         k == ArgKind::AnyObject;
}

ArgKind ValueKind(ArgKind k) {
  switch (k) {
    case ArgKind::InOutLen32: return ArgKind::Len32;
    case ArgKind::InOutVideoFlags: return ArgKind::VideoFlags;
    case ArgKind::InOutVirtAddr: return ArgKind::Process;
    default: return k;
  }
}

std::string FormatArg(ArgKind kind, const Arg& a) {
  if (a.kind == Arg::Ref) {
    std::string out = "r" + std::to_string(a.value);
    if (a.delta == 0) return out;
    if (a.delta > (1ull << 63)) return out + "-" + HexStr(~a.delta + 1);
    return out + "+" + HexStr(a.delta);
  }
  return FormatValue(kind, a.value);
}

// --- parsing ----------------------------------------------------------------------

class LineParser {
 public:
  LineParser(std::string_view line, int lineno) : s_(line), line_(lineno) {}

  void Ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\r')) ++p_;
  }
  bool AtEnd() {
    Ws();
    return p_ >= s_.size() || s_[p_] == '#';
  }
  bool Eat(char c) {
    Ws();
    if (p_ < s_.size() && s_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool EatWord(std::string_view w) {
    Ws();
    if (s_.substr(p_, w.size()) == w) {
      p_ += w.size();
      return true;
    }
    return false;
  }
  // An identifier-like token: letters, digits, _ . : |
  std::string Token() {
    Ws();
    std::size_t b = p_;
    while (p_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[p_])) || s_[p_] == '_' || s_[p_] == '.' ||
                              s_[p_] == ':' || s_[p_] == '|'))
      ++p_;
    return std::string(s_.substr(b, p_ - b));
  }
  std::string Rest() {
    Ws();
    std::size_t e = p_;
    while (e < s_.size() && s_[e] != ',' && s_[e] != ')' && s_[e] != ' ') ++e;
    std::string r(s_.substr(p_, e - p_));
    return r.empty() ? (p_ >= s_.size() ? std::string("end of line") : std::string(1, s_[p_])) : "'" + r + "'";
  }
  bool Fail(std::string expected) {
    Ws();
    if (err_.expected.empty()) err_ = {line_, static_cast<int>(p_) + 1, "expected " + expected + ", got " + Rest()};
    return false;
  }
  bool FailAt(std::size_t col, std::string message) {
    if (err_.expected.empty()) err_ = {line_, static_cast<int>(col) + 1, std::move(message)};
    return false;
  }
  // The position of the next token (whitespace skipped), for error columns.
  std::size_t pos() {
    Ws();
    return p_;
  }
  void set_pos(std::size_t p) { p_ = p; }
  std::size_t raw_pos() const { return p_; }
  char Peek() {
    Ws();
    return p_ < s_.size() ? s_[p_] : '\0';
  }
  std::string_view rest_string() const { return s_.substr(p_); }
  ParseError err_;

  // Number: decimal or 0x-hex, full 64-bit range.
  bool Number(u64* v) {
    Ws();
    std::size_t b = p_;
    int base = 10;
    if (s_.substr(p_, 2) == "0x" || s_.substr(p_, 2) == "0X") {
      base = 16;
      p_ += 2;
    }
    std::size_t digits = p_;
    unsigned __int128 acc = 0;
    while (p_ < s_.size()) {
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s_[p_])));
      int d = c >= '0' && c <= '9' ? c - '0' : (base == 16 && c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (d < 0) break;
      acc = acc * base + d;
      if (acc > ~0ull) {
        p_ = b;
        return Fail("a number below 2^64");
      }
      ++p_;
    }
    if (p_ == digits) {
      p_ = b;
      return false;
    }
    *v = static_cast<u64>(acc);
    return true;
  }

 private:
  std::string_view s_;
  std::size_t p_ = 0;
  int line_;
};

bool ParseFlags(LineParser& lp, ArgKind kind, u64* v) {
  std::size_t start = lp.pos();
  u64 n;
  if (lp.Number(v)) return true;
  std::string tok = lp.Token();
  if (tok.empty()) return lp.Fail(std::string("a value"));
  u64 acc = 0;
  std::size_t b = 0;
  while (b <= tok.size()) {
    std::size_t e = tok.find('|', b);
    std::string part = tok.substr(b, e == std::string::npos ? std::string::npos : e - b);
    bool found = false;
    const bool protect = kind == ArgKind::Protect;
    if (!protect && part == kVideoFlagsZero) found = true;
    for (const auto& f : protect ? std::span<const FlagName>(kProtectFlagNames) : std::span<const FlagName>(kVideoFlagNames))
      if (f.name == part) acc |= f.bit, found = true;
    if (!found) {
      LineParser num(part, 0);
      if (num.Number(&n) && num.AtEnd()) {
        acc |= n;
        found = true;
      }
    }
    if (!found)
      return lp.FailAt(start, std::string("expected ") +
                                  (kind == ArgKind::Protect ? "PAGE_* protection flags" : "VIDEO_MEMORY_SPACE_* flags") +
                                  ", got '" + part + "'");
    if (e == std::string::npos) break;
    b = e + 1;
  }
  *v = acc;
  return true;
}

// Parses a constant of `kind` (not a reference).
bool ParseValue(LineParser& lp, ArgKind kind, u64* v) {
  std::size_t start = lp.pos();
  if (kind == ArgKind::Protect || kind == ArgKind::VideoFlags) return ParseFlags(lp, kind, v);
  if (lp.Number(v)) return true;
  if (!lp.err_.expected.empty()) return false;
  std::string tok = lp.Token();
  if (IsHandleKind(kind)) {
    if (auto h = HandleByName(tok)) {
      *v = *h;
      return true;
    }
    return lp.FailAt(start, "expected a device of the world (nic0, wdm0, umdf0, video0, ...: its family and number) "
                            "or a number, got '" + tok + "'");
  }
  switch (kind) {
    case ArgKind::CacheType:
      for (u64 c = 0; c < 6; ++c)
        if (CacheTypeName(c) == tok) return *v = c, true;
      return lp.FailAt(start, "expected a MEMORY_CACHING_TYPE (MmNonCached, MmCached, MmWriteCombined, ...) or a "
                              "number, got '" + tok + "'");
    case ArgKind::Bool:
      if (tok == "TRUE") return *v = 1, true;
      if (tok == "FALSE") return *v = 0, true;
      return lp.FailAt(start, "expected TRUE or FALSE, got '" + tok + "'");
    case ArgKind::Callback:
      for (int c = 0; c < kCallbackCount; ++c)
        if (CallbackName(static_cast<Callback>(c)) == tok) return *v = static_cast<u64>(c), true;
      return lp.FailAt(start, "expected a callback (MiniportInitializeEx, MiniportHaltEx, IRP_MN_START_DEVICE, "
                              "IRP_MN_STOP_DEVICE, IRP_MN_REMOVE_DEVICE, IRP_MN_SURPRISE_REMOVAL, OnPrepareHardware, "
                              "OnReleaseHardware, HwVidStartIO, HwVidFindAdapter), got '" + tok + "'");
    default:
      return lp.FailAt(start, "expected a number, got '" + tok + "'");
  }
}

}  // namespace

std::string FormatValue(ArgKind kind, u64 v) {
  kind = ValueKind(kind);
  if (IsHandleKind(kind)) {
    std::string name = NameOfHandle(v);
    return name.empty() ? HexStr(v) : name;
  }
  switch (kind) {
    case ArgKind::CacheType: {
      auto n = CacheTypeName(v);
      return n.empty() ? HexStr(v) : std::string(n);
    }
    case ArgKind::Protect: return FormatFlags(v, kProtectFlagNames, kProtectZero);
    case ArgKind::VideoFlags: return FormatFlags(v, kVideoFlagNames, kVideoFlagsZero);
    case ArgKind::Irql: return std::to_string(v);
    case ArgKind::Bool: return v == 0 ? "FALSE" : v == 1 ? "TRUE" : HexStr(v);
    case ArgKind::Callback:
      return v < static_cast<u64>(kCallbackCount) ? std::string(CallbackName(static_cast<Callback>(v))) : HexStr(v);
    default: return HexStr(v);
  }
}

std::string FormatResult(CallId id, u64 value) {
  switch (Call(id).result) {
    case ResultKind::NdisStatus: {
      auto n = NdisStatusName(value);
      return n.empty() ? HexStr(value) : std::string(n);
    }
    case ResultKind::HResult: {
      auto n = HResultName(value);
      return n.empty() ? HexStr(value) : std::string(n);
    }
    case ResultKind::VpStatus: {
      auto n = VpStatusName(value);
      return n.empty() ? HexStr(value) : std::string(n);
    }
    case ResultKind::Pointer:
    case ResultKind::Handle: return value == 0 ? "NULL" : HexStr(value);
    case ResultKind::Control: return value < 4 ? std::string(ControlStatusName(static_cast<ControlStatus>(value))) : HexStr(value);
    case ResultKind::Void: return value == 0 ? "void" : HexStr(value);
    default: return HexStr(value);
  }
}

std::string FormatOp(const Op& op, int result) {
  const CallDesc& d = Call(op.id);
  std::string out;
  if (result >= 0) out += "r" + std::to_string(result) + " = ";
  out += d.name;
  out += "(";
  for (int i = 0; i < d.param_count; ++i) {
    if (i) out += ", ";
    ArgKind k = d.params[i].kind;
    bool null = (op.null_mask >> i) & 1;
    if (IsPointerKind(k) && null) {
      out += "NULL";
    } else if (k == ArgKind::OutPtr || k == ArgKind::OutResource || k == ArgKind::OutPhysAddr) {
      out += "&out";
    } else if (k == ArgKind::Buffer) {
      out += "&buffer";
    } else if (k == ArgKind::InPtr) {
      out += "&in";
    } else if (k == ArgKind::FileName) {
      out += "\"" + op.file_name + "\"";
    } else if (k == ArgKind::InOutLen32 || k == ArgKind::InOutVideoFlags || k == ArgKind::InOutVirtAddr) {
      out += "&" + FormatArg(k, op.args[i]);
    } else {
      out += FormatArg(k, op.args[i]);
    }
  }
  out += ")";
  return out + FormatExpectation(op.id, op.expect);
}

std::string FormatExpectation(std::optional<CallId> id, const Expectation& e) {
  std::string out;
  if (!e.result && !e.result_nonzero && !e.check_rules && e.outs.empty()) return out;
  out += " =>";
  if (e.result_nonzero) out += " nonnull";
  if (e.result && id) out += " " + FormatResult(*id, *e.result);
  if (id)
    for (const auto& [i, v] : e.outs) out += " " + std::string(Call(*id).params[i].name) + "=" + FormatOut(*id, i, v);
  for (const ReportExpectation& r : e.reports) out += " " + FormatReportExpectation(r);
  if (e.others) out += " ...";
  return out;
}

std::string FormatReportExpectation(const ReportExpectation& r) {
  std::string out = "!" + std::string(RuleName(r.rule)), fields;
  auto field = [&](const std::string& f) { fields += (fields.empty() ? "" : ", ") + f; };
  if (r.created) field("created=#" + std::to_string(*r.created));
  if (r.released) field("released=#" + std::to_string(*r.released));
  if (r.bugcheck_code) {
    std::string b = "bugcheck=" + HexUpper(*r.bugcheck_code);
    if (r.bugcheck_param1) b += "/" + HexUpper(*r.bugcheck_param1);
    field(b);
  }
  return fields.empty() ? out : out + "(" + fields + ")";
}

std::string FormatOut(CallId id, int param, u64 value) {
  // An NDIS_STATUS out-parameter reads as its name, like a result.
  if (std::string_view(Call(id).params[param].name) == "Status") {
    std::string_view name = NdisStatusName(value);
    if (!name.empty()) return std::string(name);
  }
  return HexStr(value);
}

std::string FormatWorld(const World& w) {
  std::string out = "world {\n";
  auto range = [](const char* what, const WorldResource& r) {
    return std::string(" ") + what + " " + HexStr(r.start) + " " + HexStr(r.length);
  };
  for (const auto& r : w.resources)
    if (r.owner == "ram" || r.owner == "unassigned") out += "  " + r.owner + range("", r).substr(1) + "\n";
  for (const auto& o : w.objects) {
    out += "  " + o.name;
    if (o.kind == HandleKind::UmdfDevice)
      out += " version " + HexStr(o.umdf.version) + (o.umdf.direct ? " direct " : " nodirect ") +
             std::string(o.umdf.mode == RegisterAccess::UsingSystemCall ? kSystemCall : kUserModeMapping);
    for (const auto& r : w.resources)
      if (r.owner == o.name) out += range(r.space == PhysSpace::Port ? "port" : "memory", r);
    out += "\n";
  }
  for (const auto& f : w.files)
    out += "  file \"" + f.name + "\" " + std::to_string(f.length) + (f.readable ? "" : " unreadable") + "\n";
  if (w.quarantine) out += "  quarantine " + std::to_string(*w.quarantine) + "\n";
  if (w.max_open_files) out += "  max_open_files " + std::to_string(*w.max_open_files) + "\n";
  return out + "}\n";
}

std::string FormatProgram(const Program& p) {
  std::string out;
  if (p.world) out += FormatWorld(*p.world);
  int results = 0;
  for (const Op& op : p) {
    int r = MadeResource(op.id) != Resource::None ? results++ : -1;
    out += FormatOp(op, r) + "\n";
  }
  if (p.teardown.check_rules) out += "teardown" + FormatExpectation(std::nullopt, p.teardown) + "\n";
  return out;
}

namespace {

// A status, HRESULT, VP_STATUS or ControlStatus name, as results print.
bool StatusByName(const std::string& tok, u64* v) {
  for (u64 s : {kNdisStatusSuccess, kNdisStatusFailure, kNdisStatusResources, kNdisStatusResourceConflict,
                kNdisStatusFileNotFound, kNdisStatusErrorReadingFile, kNdisStatusAlreadyMapped})
    if (NdisStatusName(s) == tok) return *v = s, true;
  for (u64 s : {kSOk, kEInvalidArg, kEOutOfMemory})
    if (HResultName(s) == tok) return *v = s, true;
  for (u64 s : {kNoError, kErrorInvalidParameter, kErrorMoreData})
    if (VpStatusName(s) == tok) return *v = s, true;
  for (int s = 0; s < 4; ++s)
    if (ControlStatusName(static_cast<ControlStatus>(s)) == tok) return *v = static_cast<u64>(s), true;
  return false;
}

// `(created=#1, released=#2, bugcheck=0xC4/0x7B)` after a `!RULE`: any of the
// fields, each once.
bool ParseReportFields(LineParser& lp, ReportExpectation* r) {
  do {
    std::size_t col = lp.pos();
    std::string f = lp.Token();
    if (!lp.Eat('=')) return lp.Fail("'=' after '" + f + "'");
    u64 v;
    if (f == "created" || f == "released") {
      std::optional<u64>& slot = f == "created" ? r->created : r->released;
      if (slot) return lp.FailAt(col, "expected each of created, released and bugcheck once, got '" + f + "' twice");
      if (!lp.Eat('#') || !lp.Number(&v)) return lp.Fail("'#' and a call number after '" + f + "='");
      slot = v;
    } else if (f == "bugcheck") {
      if (r->bugcheck_code) return lp.FailAt(col, "expected each of created, released and bugcheck once, got 'bugcheck' twice");
      if (!lp.Number(&v) || v > 0xFFFFFFFFu) return lp.Fail("a bug check code (e.g. 0xC4) after 'bugcheck='");
      r->bugcheck_code = static_cast<u32>(v);
      if (lp.Eat('/')) {
        if (!lp.Number(&v)) return lp.Fail("a bug check parameter 1 after '/'");
        r->bugcheck_param1 = v;
      }
    } else {
      return lp.FailAt(col, "expected created, released or bugcheck, got '" + f + "'");
    }
  } while (lp.Eat(','));
  return lp.Eat(')') || lp.Fail("',' or ')'");
}

// What follows `=>`. For a call (id): a result, out-values `Name=value`,
// reports `!RULE(...)` and `...`; for the teardown (no id): reports and `...`.
bool ParseExpectation(LineParser& lp, std::optional<CallId> id, Expectation* e) {
  e->check_rules = true;
  while (!lp.AtEnd()) {
    lp.Eat(',');
    if (lp.AtEnd()) break;
    std::size_t col = lp.pos();
    if (lp.EatWord("...")) {
      e->others = true;
      continue;
    }
    if (lp.Eat('!')) {
      std::string r = lp.Token();
      auto rid = RuleByName(r);
      if (!rid) return lp.FailAt(col + 1, "expected a rule id from docs/rules.md, got '" + r + "'");
      ReportExpectation re;
      re.rule = *rid;
      if (lp.Eat('(') && !ParseReportFields(lp, &re)) return false;
      e->reports.push_back(re);
      continue;
    }
    if (!id) return lp.Fail("!RULE or '...' (the teardown has no result)");
    u64 v;
    if (lp.Number(&v)) {
      e->result = v;
      continue;
    }
    std::string tok = lp.Token();
    if (lp.Eat('=')) {  // an out-value
      const CallDesc& d = Call(*id);
      int param = -1;
      for (int i = 0; i < d.param_count; ++i)
        if (tok == d.params[i].name && HasOutValue(d.params[i].kind))
          param = i;
      if (param < 0) return lp.FailAt(col, "expected an out-parameter of " + std::string(d.name) + ", got '" + tok + "'");
      const std::size_t vcol = lp.pos();
      if (!lp.Number(&v)) {
        const std::string name = lp.Token();
        if (!StatusByName(name, &v))
          return lp.FailAt(vcol, "expected a number or a status name for " + tok + ", got '" + name + "'");
      }
      e->outs.emplace_back(param, v);
      continue;
    }
    if (tok == "nonnull") {
      e->result_nonzero = true;
      continue;
    }
    if (tok == "NULL" || tok == "void") {
      e->result = 0;
      continue;
    }
    if (!StatusByName(tok, &v))
      return lp.FailAt(col, "expected !RULE, a status name, NULL, nonnull, Name=value, '...' or a number after "
                            "'=>', got '" + tok + "'");
    e->result = v;
  }
  return true;
}

// A quoted string (a file name: blanks belong to it).
bool QuotedName(LineParser& lp, std::string* out) {
  if (!lp.Eat('"')) return lp.Fail("a quoted file name");
  std::string_view rest = lp.rest_string();
  std::size_t q = rest.find('"');
  if (q == std::string_view::npos) return lp.Fail("a closing '\"'");
  *out = std::string(rest.substr(0, q));
  lp.set_pos(lp.raw_pos() + q + 1);
  return true;
}


// One line of a `world { ... }` block (docs/harness.md, "Custom worlds").
bool ParseWorldLine(LineParser& lp, World* w) {
  auto range = [&](const std::string& owner, PhysSpace space) {
    u64 start, length;
    if (!lp.Number(&start)) return lp.Fail("a start address");
    if (!lp.Number(&length)) return lp.Fail("a length");
    w->resources.push_back({owner, space, start, length});
    return true;
  };
  auto limit = [&](std::optional<std::size_t>* slot, u64 most) {
    u64 n;
    const std::size_t ncol = lp.pos();
    if (!lp.Number(&n) || n > most) {
      lp.set_pos(ncol);
      return lp.Fail("a number from 0 to " + std::to_string(most));
    }
    *slot = static_cast<std::size_t>(n);
    return true;
  };
  const std::size_t col = lp.pos();
  const std::string word = lp.Token();
  if (word == "ram" || word == "unassigned") return range(word, PhysSpace::Memory);
  if (word == "quarantine") return limit(&w->quarantine, 1000000);
  if (word == "max_open_files") return limit(&w->max_open_files, 65536);
  if (word == "file") {
    WorldFile f{{}, 0, true};
    u64 length;
    if (!QuotedName(lp, &f.name)) return false;
    if (f.name.empty() || f.name == kMissingFile) return lp.FailAt(col, "expected a file name other than \"\" and \"" + std::string(kMissingFile) + "\"");
    if (!lp.Number(&length) || length > 0xFFFFFFFFu) return lp.Fail("a file length below 2^32");
    f.length = static_cast<u32>(length);
    if (lp.EatWord("unreadable")) f.readable = false;
    w->files.push_back(std::move(f));
    return true;
  }
  auto handle = HandleByName(word);
  if (!handle)
    return lp.FailAt(col, "expected ram, unassigned, a device (nic0, wdm0, umdf0, video0, ...), file, quarantine or "
                          "max_open_files, got '" + word + "'");
  const HandleKind kind = static_cast<HandleKind>(*handle >> 56);
  const std::string next = NextName(*w, kind);
  if (word != next) return lp.FailAt(col, "expected " + next + " (devices of a family are numbered in order), got '" + word + "'");
  WorldObject o{word, kind, *handle, {}};
  while (!lp.AtEnd()) {
    const std::size_t ocol = lp.pos();
    const std::string opt = lp.Token();
    if (opt == "memory" || opt == "port") {
      if (!range(word, opt == "memory" ? PhysSpace::Memory : PhysSpace::Port)) return false;
    } else if (kind == HandleKind::UmdfDevice && opt == "version") {
      u64 v;
      if (!lp.Number(&v) || v > 0xFFFFFFFFu) return lp.Fail("a UMDF version (e.g. 0x1000B for 1.11)");
      o.umdf.version = static_cast<u32>(v);
    } else if (kind == HandleKind::UmdfDevice && (opt == "direct" || opt == "nodirect")) {
      o.umdf.direct = opt == "direct";
    } else if (kind == HandleKind::UmdfDevice && (opt == kSystemCall || opt == kUserModeMapping)) {
      o.umdf.mode = opt == kSystemCall ? RegisterAccess::UsingSystemCall : RegisterAccess::UsingUserModeMapping;
    } else {
      return lp.FailAt(ocol, std::string("expected memory START LENGTH, port START LENGTH") +
                                 (kind == HandleKind::UmdfDevice ? ", version V, direct, nodirect, " +
                                      std::string(kSystemCall) + " or " + std::string(kUserModeMapping) : "") +
                                 ", got '" + opt + "'");
    }
  }
  w->objects.push_back(std::move(o));
  return true;
}

}  // namespace

bool ParseTrace(std::string_view text, Program* out, ParseError* error) {
  out->clear();
  out->teardown = {};
  out->teardown_line = 0;
  bool torn_down = false;  // the teardown line was read: it is the last
  out->world = nullptr;
  std::shared_ptr<World> world;  // while a world block is read
  bool in_world = false;
  int world_line = 0;
  std::vector<Resource> results;
  int lineno = 0;
  std::size_t b = 0;
  while (b <= text.size()) {
    std::size_t e = text.find('\n', b);
    std::string_view line = text.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b);
    ++lineno;
    b = e == std::string_view::npos ? text.size() + 1 : e + 1;
    LineParser lp(line, lineno);
    if (lp.AtEnd()) continue;
    auto fail = [&]() {
      *error = lp.err_;
      return false;
    };
    if (in_world) {
      if (lp.Eat('}')) {
        if (!lp.AtEnd()) return lp.Fail("end of line after '}'"), fail();
        in_world = false;
        out->world = std::move(world);
        continue;
      }
      if (!ParseWorldLine(lp, world.get())) return fail();
      if (!lp.AtEnd()) return lp.Fail("end of line or '# comment'"), fail();
      continue;
    }
    if (std::size_t col = lp.pos(); lp.Token() == "world") {
      if (!out->empty() || out->world || torn_down)
        return lp.FailAt(col, "expected a call: a world block comes first, once"), fail();
      if (!lp.Eat('{') || !lp.AtEnd()) return lp.Fail("'{' and the end of the line after 'world'"), fail();
      world = std::make_shared<World>();
      in_world = true;
      world_line = lineno;
      continue;
    } else {
      lp.set_pos(col);
    }
    if (torn_down) return lp.Fail("nothing after the teardown line"), fail();
    if (std::size_t col = lp.pos(); lp.Token() == "teardown") {
      out->teardown = {};
      out->teardown_line = lineno;
      if (!lp.EatWord("=>")) return lp.Fail("'=>' after 'teardown'"), fail();
      if (!ParseExpectation(lp, std::nullopt, &out->teardown)) return fail();
      if (!lp.AtEnd()) return lp.Fail("end of line or '# comment'"), fail();
      torn_down = true;
      continue;
    } else {
      lp.set_pos(col);
    }
    Op op;
    op.line = lineno;
    // Optional binding "rN =".
    std::size_t start = lp.pos();
    int bound = -1;
    if (lp.Peek() == 'r') {
      std::size_t save = lp.pos();
      lp.Eat('r');
      u64 n;
      if (lp.Number(&n) && lp.Eat('=')) {
        bound = static_cast<int>(n);
        start = save;
      } else {
        lp.set_pos(save);
      }
    }
    std::size_t name_col = lp.pos();
    std::string name = lp.Token();
    auto id = CallByName(name);
    if (!id) {
      lp.set_pos(name_col);
      lp.Fail("a call name from the call table (e.g. MmMapIoSpace)");
      return fail();
    }
    op.id = *id;
    const CallDesc& d = Call(op.id);
    if (IsBuildingCall(op.id)) {
      lp.FailAt(name_col, "expected a DDI or lifecycle call; " + name + " builds the machine, and traces start from "
                          "the standard world");
      return fail();
    }
    Resource made = MadeResource(op.id);
    if (bound >= 0 && (made == Resource::None || bound != static_cast<int>(results.size()))) {
      lp.FailAt(start, made == Resource::None ? "expected no result binding: " + name + " makes nothing"
                                              : "expected r" + std::to_string(results.size()) + " (results are numbered in order)");
      return fail();
    }
    if (!lp.Eat('(')) return lp.Fail("'('"), fail();
    for (int i = 0; i < d.param_count; ++i) {
      if (i && !lp.Eat(',')) return lp.Fail("',' and parameter " + std::string(d.params[i].name)), fail();
      ArgKind k = d.params[i].kind;
      std::size_t col = lp.pos();
      if (IsPointerKind(k) && lp.EatWord("NULL")) {
        op.null_mask |= static_cast<u8>(1u << i);
        if (k == ArgKind::FileName) op.args[i] = Arg{};
        continue;
      }
      if (k == ArgKind::OutPtr || k == ArgKind::OutResource || k == ArgKind::OutPhysAddr) {
        if (!lp.EatWord("&out")) return lp.Fail("&out or NULL for " + std::string(d.params[i].name)), fail();
        continue;
      }
      if (k == ArgKind::Buffer) {
        if (!lp.EatWord("&buffer")) return lp.Fail("&buffer or NULL for " + std::string(d.params[i].name)), fail();
        continue;
      }
      if (k == ArgKind::InPtr) {
        if (!lp.EatWord("&in")) return lp.Fail("&in or NULL for " + std::string(d.params[i].name)), fail();
        continue;
      }
      if (k == ArgKind::FileName) {
        if (!lp.Eat('"')) return lp.Fail("a quoted file name or NULL"), fail();
        std::string_view rest = lp.rest_string();
        std::size_t q = rest.find('"');
        if (q == std::string_view::npos) return lp.Fail("a closing '\"'"), fail();
        op.file_name = std::string(rest.substr(0, q));
        lp.set_pos(lp.raw_pos() + q + 1);  // not pos(): that skips blanks, which belong to the name
        continue;
      }
      bool inout = k == ArgKind::InOutLen32 || k == ArgKind::InOutVideoFlags || k == ArgKind::InOutVirtAddr;
      if (inout && !lp.Eat('&')) return lp.Fail("&value or NULL for " + std::string(d.params[i].name)), fail();
      Resource want = RefResourceFor(k);
      if (want != Resource::None && lp.Peek() == 'r') {
        std::size_t save = lp.pos();
        lp.Eat('r');
        u64 n;
        if (lp.Number(&n)) {
          if (n >= results.size() || results[n] != want) {
            lp.FailAt(save, "expected a reference to an earlier " +
                                std::string(want == Resource::Mapping ? "mapping" : want == Resource::File ? "file" : "process") +
                                " result, got 'r" + std::to_string(n) + "'");
            return fail();
          }
          Arg a{Arg::Ref, n, 0};
          u64 delta;
          if (lp.Eat('+')) {
            if (!lp.Number(&delta)) return lp.Fail("a number after '+'"), fail();
            a.delta = delta;
          } else if (lp.Eat('-')) {
            if (!lp.Number(&delta)) return lp.Fail("a number after '-'"), fail();
            a.delta = ~delta + 1;
          }
          op.args[i] = a;
          continue;
        }
        lp.set_pos(save);
      }
      u64 v;
      lp.set_pos(col);
      if (inout) lp.Eat('&');
      if (!ParseValue(lp, ValueKind(k), &v)) {
        if (lp.err_.expected.empty()) lp.Fail("a value for " + std::string(d.params[i].name));
        return fail();
      }
      if (k == ArgKind::Count && v > kMaxPortCount) {
        lp.FailAt(col, "expected a " + std::string(d.params[i].name) + " of at most 0xffff (the harness supplies "
                       "the buffer), got " + FormatValue(k, v));
        return fail();
      }
      op.args[i] = Arg{Arg::Const, v, 0};
    }
    if (!lp.Eat(')')) return lp.Fail(d.param_count ? "')' (the call takes " + std::to_string(d.param_count) + " parameters)" : "')'"), fail();
    if (lp.EatWord("=>") && !ParseExpectation(lp, op.id, &op.expect)) return fail();
    if (!lp.AtEnd()) return lp.Fail("end of line or '# comment'"), fail();
    if (made != Resource::None) results.push_back(made);
    out->push_back(std::move(op));
  }
  if (in_world) {
    *error = {world_line, 1, "expected '}' to close the world block opened here, got the end of the trace"};
    return false;
  }
  return true;
}

}  // namespace ddimap::harness
