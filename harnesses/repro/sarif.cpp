// ddimap-repro --sarif: SARIF 2.1.0 (OASIS Static Analysis Results
// Interchange Format) from the replayed inputs' reports (sarif.hpp).
#include "repro/sarif.hpp"

#include <bitset>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "ddimap/json.hpp"
#include "ddimap/rules.hpp"

#ifndef DDIMAP_VERSION
#define DDIMAP_VERSION "0"
#endif

namespace ddimap::harness {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The text report without what the rule's descriptor says (its statement and
// source, the bug check, the summary): the first line without "ERROR: ddimap: ",
// then where, evidence, created and released, unindented.
std::string Message(const std::string& text) {
  std::string out;
  std::size_t b = 0;
  bool first = true;
  while (b < text.size()) {
    std::size_t e = text.find('\n', b);
    if (e == std::string::npos) e = text.size();
    std::string_view line(text.data() + b, e - b);
    b = e + 1;
    if (first) {
      if (line.starts_with("ERROR: ddimap: ")) line.remove_prefix(15);
      first = false;
    } else {
      if (line.starts_with("  rule: ") || line.starts_with("SUMMARY: ")) break;
      if (line.starts_with("  ")) line.remove_prefix(2);
      out += '\n';
    }
    out += line;
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void TextMember(JsonWriter& w, std::string_view key, std::string_view text) {
  w.Key(key);
  w.BeginObject();
  w.Member("text", text);
  w.EndObject();
}

}  // namespace

SarifOptions SarifOptionsFromEnvironment() {
  SarifOptions o;
  const std::string server = Env("GITHUB_SERVER_URL"), repo = Env("GITHUB_REPOSITORY");
  if (!server.empty() && !repo.empty()) {
    o.repository = server + "/" + repo;
    o.revision = Env("GITHUB_SHA");
  }
  return o;
}

std::string ArtifactUri(const std::string& path) {
  std::string_view p(path);
  const bool absolute = p.starts_with("/");
  while (p.starts_with("./")) p.remove_prefix(2);
  std::string out = absolute ? "file://" : "";
  for (const char ch : p) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += ch;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

void SarifLog::Add(const std::string& path, const Program& program, const RunResult& result) {
  auto add = [&](const CallLog& log, int line) {
    for (std::size_t i = 0; i < log.records.size() && i < log.reports.size(); ++i)
      results_.push_back({path, log.records[i].rule, log.records[i].call.seq, line, log.reports[i]});
  };
  for (std::size_t i = 0; i < result.log.size(); ++i) add(result.log[i], i < program.size() ? program[i].line : 0);
  if (result.torn_down) add(result.teardown, program.teardown_line);
}

std::string SarifLog::Text(const SarifOptions& options) const {
  // One descriptor per rule reported, in the catalogue's order.
  std::bitset<kRuleCount> used;
  for (const Result& r : results_) used.set(static_cast<std::size_t>(r.rule));
  std::vector<int> index(kRuleCount, -1);
  const std::string docs = options.repository.empty()
                               ? std::string()
                               : options.repository + "/blob/" +
                                     (options.revision.empty() ? std::string("HEAD") : options.revision) +
                                     "/docs/rules.md";

  std::string out;
  JsonWriter w(&out, 2);
  w.BeginObject();
  w.Member("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  w.Member("version", "2.1.0");
  w.Key("runs");
  w.BeginArray();
  w.BeginObject();
  w.Key("tool");
  w.BeginObject();
  w.Key("driver");
  w.BeginObject();
  w.Member("name", "ddimap");
  w.Member("version", DDIMAP_VERSION);
  if (!options.repository.empty()) w.Member("informationUri", options.repository);
  w.Key("rules");
  w.BeginArray();
  int next = 0;
  for (const RuleInfo& rule : AllRules()) {
    if (!used.test(static_cast<std::size_t>(rule.id))) continue;
    index[static_cast<std::size_t>(rule.id)] = next++;
    const std::string family(FamilyName(rule.family));
    std::string full = std::string(rule.statement) + ". Documented in: " + std::string(rule.source) + ".";
    if (rule.bugcheck_code != 0) {
      char buf[96];
      std::snprintf(buf, sizeof buf, " Driver Verifier: bug check 0x%X, parameter 1 = 0x%llX.", rule.bugcheck_code,
                    static_cast<unsigned long long>(rule.bugcheck_param1));
      full += buf;
    }
    w.BeginObject();
    w.Member("id", rule.name);
    TextMember(w, "shortDescription", rule.statement);
    TextMember(w, "fullDescription", full);
    if (!docs.empty()) w.Member("helpUri", docs + "#" + Lower(family));
    TextMember(w, "help", "ddimap rule " + std::string(rule.name) + " (docs/rules.md, section " + family + "): " + full);
    w.Key("defaultConfiguration");
    w.BeginObject();
    w.Member("level", "error");
    w.EndObject();
    w.Key("properties");
    w.BeginObject();
    w.Key("tags");
    w.BeginArray();
    w.String("ddimap");
    w.String(family);
    w.EndArray();
    w.MemberBool("refused", rule.refuses);
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();  // driver
  w.EndObject();  // tool
  w.Key("results");
  w.BeginArray();
  for (const Result& r : results_) {
    w.BeginObject();
    w.Member("ruleId", RuleName(r.rule));
    w.MemberNumber("ruleIndex", static_cast<std::uint64_t>(index[static_cast<std::size_t>(r.rule)]));
    w.Member("level", "error");
    TextMember(w, "message", Message(r.text));
    w.Key("locations");
    w.BeginArray();
    w.BeginObject();
    w.Key("physicalLocation");
    w.BeginObject();
    w.Key("artifactLocation");
    w.BeginObject();
    w.Member("uri", ArtifactUri(r.path));
    if (!r.path.starts_with("/")) w.Member("uriBaseId", "%SRCROOT%");
    w.EndObject();
    if (r.line > 0) {
      w.Key("region");
      w.BeginObject();
      w.MemberNumber("startLine", static_cast<std::uint64_t>(r.line));
      w.EndObject();
    }
    w.EndObject();  // physicalLocation
    w.EndObject();
    w.EndArray();
    w.Key("properties");
    w.BeginObject();
    if (r.call != 0)
      w.MemberNumber("call", r.call);
    else
      w.MemberNull("call");
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();  // run
  w.EndArray();
  w.EndObject();
  out += '\n';
  return out;
}

bool SarifLog::Write(const std::string& file, const SarifOptions& options, std::string* error) const {
  const std::string text = Text(options);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (out) out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (out) out.close();
  if (!out) {
    *error = file + ": cannot write: " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace ddimap::harness
