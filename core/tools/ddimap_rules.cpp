// ddimap-rules: prints the rule table (core/rules/rules.def).
//
//   ddimap-rules             one line per rule: ID<TAB>yes|no<TAB>statement
//   ddimap-rules --markdown  the complete docs/rules.md
//
// docs/rules.md is this tool's --markdown output; ctest rules_doc_in_sync
// fails when the two differ.
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "ddimap/calls.hpp"
#include "ddimap/rules.hpp"

namespace ddimap {
namespace {

std::string_view ArgKindName(ArgKind k) {
  switch (k) {
    case ArgKind::None: return "None";
    case ArgKind::Adapter: return "Adapter";
    case ArgKind::WdmDevice: return "WdmDevice";
    case ArgKind::UmdfDevice: return "UmdfDevice";
    case ArgKind::File: return "File";
    case ArgKind::Video: return "Video";
    case ArgKind::Process: return "Process";
    case ArgKind::AnyObject: return "AnyObject";
    case ArgKind::VirtAddr: return "VirtAddr";
    case ArgKind::PhysAddr: return "PhysAddr";
    case ArgKind::Len32: return "Len32";
    case ArgKind::Len64: return "Len64";
    case ArgKind::Value: return "Value";
    case ArgKind::Irql: return "Irql";
    case ArgKind::Bool: return "Bool";
    case ArgKind::Version: return "Version";
    case ArgKind::CacheType: return "CacheType";
    case ArgKind::Protect: return "Protect";
    case ArgKind::VideoFlags: return "VideoFlags";
    case ArgKind::Callback: return "Callback";
    case ArgKind::Space: return "Space";
    case ArgKind::RegisterMode: return "RegisterMode";
    case ArgKind::OutPtr: return "OutPtr";
    case ArgKind::OutResource: return "OutResource";
    case ArgKind::OutPhysAddr: return "OutPhysAddr";
    case ArgKind::InOutLen32: return "InOutLen32";
    case ArgKind::InOutVideoFlags: return "InOutVideoFlags";
    case ArgKind::InOutVirtAddr: return "InOutVirtAddr";
    case ArgKind::FileName: return "FileName";
    case ArgKind::Buffer: return "Buffer";
    case ArgKind::Count: return "Count";
    case ArgKind::InPtr: return "InPtr";
  }
  return "?";
}

std::string_view ResultKindName(ResultKind r) {
  switch (r) {
    case ResultKind::Void: return "Void";
    case ResultKind::NdisStatus: return "NdisStatus";
    case ResultKind::Pointer: return "Pointer";
    case ResultKind::HResult: return "HResult";
    case ResultKind::VpStatus: return "VpStatus";
    case ResultKind::Value: return "Value";
    case ResultKind::Handle: return "Handle";
    case ResultKind::Control: return "Control";
  }
  return "?";
}

// What a refused call returns, by result kind (docs/semantics.md, docs/contracts.md).
std::string_view RefusedValue(ResultKind r) {
  switch (r) {
    case ResultKind::NdisStatus: return "NDIS_STATUS_FAILURE (out-pointers NULL)";
    case ResultKind::Pointer: return "NULL";
    case ResultKind::HResult: return "E_INVALIDARG";
    case ResultKind::VpStatus: return "ERROR_INVALID_PARAMETER";
    case ResultKind::Void: return "nothing happens";
    case ResultKind::Value: return "0";
    case ResultKind::Handle:
    case ResultKind::Control: return "";  // building calls: no rule refuses them
  }
  return "";
}

// A markdown table cell: '|' would end the cell, a newline the row.
std::string Cell(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

std::string Hex(unsigned long long v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llX", v);
  return buf;
}

std::string BugCheck(const RuleInfo& r) {
  if (r.bugcheck_code == 0) return "";
  return Hex(r.bugcheck_code) + " / " + Hex(r.bugcheck_param1);
}

void PrintPlain(std::ostream& out) {
  for (const RuleInfo& r : AllRules())
    out << r.name << '\t' << (r.refuses ? "yes" : "no") << '\t' << r.statement << '\n';
}

void PrintMarkdown(std::ostream& out) {
  out << "# ddimap rules\n"
         "\n"
         "This file is generated from `core/rules/rules.def` by `ddimap-rules --markdown` and checked "
         "by ctest `rules_doc_in_sync`; do not edit it by hand.\n"
         "\n"
         "A *refused* call is reported and returns its failure value with the machine's state "
         "unchanged; a rule that is not refused is reported and the call then takes its documented "
         "effect. The decisions behind each function are in `docs/semantics.md`.\n";

  std::vector<Family> families;  // in order of first appearance in rules.def
  for (const RuleInfo& r : AllRules()) {
    bool seen = false;
    for (Family f : families) seen = seen || f == r.family;
    if (!seen) families.push_back(r.family);
  }

  for (Family f : families) {
    out << "\n## " << FamilyName(f) << "\n\n"
        << "| rule | refused | invariant | source | Driver Verifier bug check |\n"
        << "|---|---|---|---|---|\n";
    for (const RuleInfo& r : AllRules()) {
      if (r.family != f) continue;
      out << "| `" << r.name << "` | " << (r.refuses ? "yes" : "no") << " | " << Cell(r.statement)
          << " | " << Cell(r.source) << " | " << BugCheck(r) << " |\n";
    }
  }

  out << "\n## Functions\n"
         "\n"
         "The DDIs the core models (`core/calls/calls.def`), parameters in DDI order with their "
         "kinds, and what a call refused under one of the rules above returns.\n"
         "\n"
         "| function | parameters | result | value when refused |\n"
         "|---|---|---|---|\n";
  for (const CallDesc& c : AllCalls()) {
    if (c.family == Family::Machine || c.family == Family::Access) continue;
    std::string params;
    for (int i = 0; i < c.param_count; ++i) {
      if (i > 0) params += ", ";
      params += std::string(c.params[i].name) + ": " + std::string(ArgKindName(c.params[i].kind));
    }
    const bool fills = c.port_form == PortForm::PortReadTo || c.port_form == PortForm::PortReadBuffer;
    out << "| `" << c.name << "` | " << Cell(params) << " | " << ResultKindName(c.result) << " | "
        << (fills ? std::string_view("0 in every element") : RefusedValue(c.result)) << " |\n";
  }
}

constexpr std::string_view kHelp =
    "usage: ddimap-rules [--markdown | --help]\n"
    "\n"
    "Prints the rule table of ddimap (core/rules/rules.def).\n"
    "\n"
    "  (no argument)  one line per rule: ID<TAB>refuses<TAB>statement, where refuses is\n"
    "                 yes (the offending call is refused) or no (reported, then carried out)\n"
    "  --markdown     the complete docs/rules.md: one table per family, then the functions\n"
    "                 with their parameters and the value a refused call returns.\n"
    "                 Regenerate the doc with: ddimap-rules --markdown > docs/rules.md\n"
    "  --help         this text\n";

}  // namespace
}  // namespace ddimap

int main(int argc, char** argv) {
  using namespace ddimap;
  if (argc > 2) {
    std::cerr << "ddimap-rules: too many arguments (try --help)\n";
    return 2;
  }
  const std::string_view arg = argc == 2 ? argv[1] : "";
  if (arg.empty()) {
    PrintPlain(std::cout);
  } else if (arg == "--markdown") {
    PrintMarkdown(std::cout);
  } else if (arg == "--help" || arg == "-h") {
    std::cout << kHelp;
  } else {
    std::cerr << "ddimap-rules: unknown argument '" << arg << "' (try --help)\n";
    return 2;
  }
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "ddimap-rules: write error\n";
    return 1;
  }
  return 0;
}
