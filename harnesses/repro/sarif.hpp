// ddimap-repro --sarif FILE: the reports of every replayed input as one
// SARIF 2.1.0 log, for code-scanning upload (docs/harness.md,
// "Machine-readable reports").
#pragma once

#include <string>
#include <vector>

#include "ddimap/report.hpp"
#include "program/program.hpp"
#include "runner/runner.hpp"

namespace ddimap::harness {

// Where the rules are documented on the web. SARIF wants absolute URIs there,
// so without a repository address the log has no informationUri and no
// helpUri (each rule's help text still names docs/rules.md).
struct SarifOptions {
  std::string repository;  // "https://github.com/OWNER/REPO"; empty: unknown
  std::string revision;    // commit for the documentation links; empty: HEAD
};

// From GitHub Actions' environment (GITHUB_SERVER_URL, GITHUB_REPOSITORY,
// GITHUB_SHA); empty outside it.
SarifOptions SarifOptionsFromEnvironment();

class SarifLog {
 public:
  // Adds the reports of one replayed input (RunOptions::log), its calls' in
  // call order, then the teardown's (located at the trace's `teardown =>`
  // line when it has one). `path` is the input as given.
  void Add(const std::string& path, const Program& program, const RunResult& result);
  // The SARIF log, indented, ending in a newline.
  std::string Text(const SarifOptions& options) const;
  // Writes Text() to `file`; false, with *error set, when it cannot.
  bool Write(const std::string& file, const SarifOptions& options, std::string* error) const;

 private:
  struct Result {
    std::string path;
    RuleId rule;
    u64 call;          // the report's call number; 0: at teardown
    int line;          // the trace line of the call or of `teardown =>`; 0: none
    std::string text;  // the text report
  };
  std::vector<Result> results_;
};

// A file path as a SARIF artifact URI: percent-encoded (RFC 3986), an absolute
// path as a file: URI, a relative one with its leading "./" dropped.
std::string ArtifactUri(const std::string& path);

}  // namespace ddimap::harness
