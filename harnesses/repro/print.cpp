#include "repro/print.hpp"

#include "program/codec.hpp"
#include "program/trace.hpp"

namespace ddimap::harness {
namespace {

// A report may span lines; each becomes a "#   " comment line.
void AppendReport(const std::string& rep, std::string* out) {
  std::size_t b = 0;
  while (b < rep.size()) {
    std::size_t e = rep.find('\n', b);
    *out += "#   " + rep.substr(b, e == std::string::npos ? std::string::npos : e - b) + "\n";
    b = e == std::string::npos ? rep.size() : e + 1;
  }
}

}  // namespace

std::string FormatReplay(const Program& p, const RunResult& r, const PrintOptions& o) {
  std::string out;
  int results = 0;
  for (std::size_t i = 0; i < r.log.size() && i < p.size(); ++i) {
    const CallLog& l = r.log[i];
    Op op = p[i];
    const bool failed = o.expect && o.failed_call == i + 1;
    const bool keep = o.keep_stated && !(op.expect == Expectation{});
    if (failed) {
      op.expect = {};
    } else if (o.expect && !keep) {
      op.expect = {};
      op.expect.check_rules = true;
      op.expect.rules = l.rules;
      if (Call(op.id).result != ResultKind::Void) {
        if (Call(op.id).result == ResultKind::Pointer && l.outcome.ret != 0)
          op.expect.result_nonzero = true;
        else
          op.expect.result = l.outcome.ret;
      }
    }
    int res = MadeResource(op.id) != Resource::None ? results++ : -1;
    out += FormatOp(op, res);
    out += failed ? "  # the failing call, see below; #" : "  # #";
    out += std::to_string(i + 1) + " -> " + FormatResult(op.id, l.outcome.ret);
    if (res >= 0) out += ", r" + std::to_string(res) + " = " + FormatValue(ArgKind::Value, l.outcome.made);
    out += "\n";
    for (const auto& rep : l.reports) AppendReport(rep, &out);
  }
  if (!r.log.empty() && r.log.back().line == "# teardown" && !r.log.back().reports.empty()) {
    out += "# teardown:\n";
    for (const auto& rep : r.log.back().reports) AppendReport(rep, &out);
  }
  return out;
}

const char* FailureKind(RunResult::Failure f) {
  return f == RunResult::Mismatch    ? "oracle mismatch"
         : f == RunResult::SelfCheck ? "self-check failed"
                                     : "expectation failed";
}

}  // namespace ddimap::harness
