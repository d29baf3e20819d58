#include "repro/print.hpp"

#include "program/codec.hpp"
#include "program/trace.hpp"
#include "runner/expect.hpp"

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

// What a call did, as the `=>` that states it: its result, its out-values
// (every pointer parameter it was given) and its reports with their evidence.
Expectation Actual(const Op& op, const CallLog& l) {
  Expectation e;
  e.check_rules = true;
  for (const Report& rep : l.records) e.reports.push_back(StatedOf(rep));
  const CallDesc& d = Call(op.id);
  if (d.result != ResultKind::Void) {
    if (d.result == ResultKind::Pointer && l.outcome.ret != 0)
      e.result_nonzero = true;
    else
      e.result = l.outcome.ret;
  }
  for (int i = 0; i < d.param_count; ++i)
    if (HasOutValue(d.params[i].kind) && !((op.null_mask >> i) & 1))
      e.outs.emplace_back(i, l.outcome.out[i]);
  return e;
}

}  // namespace

std::string FormatReplay(const Program& p, const RunResult& r, const PrintOptions& o) {
  std::string out = p.world ? FormatWorld(*p.world) : std::string();
  int results = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    Op op = p[i];
    int res = MadeResource(op.id) != Resource::None ? results++ : -1;
    if (i >= r.log.size()) {
      // It did not run: the program line, no result, and no expectation but
      // the one it stated (unless --expect, which states only what happened).
      if (o.expect) op.expect = {};
      out += FormatOp(op, res) + "  # #" + std::to_string(i + 1) + " not run\n";
      continue;
    }
    const CallLog& l = r.log[i];
    const bool failed = o.expect && o.failed_call == i + 1;
    const bool keep = o.keep_stated && !(op.expect == Expectation{});
    if (failed) {
      op.expect = {};
    } else if (o.expect && !keep) {
      op.expect = Actual(op, l);
    }
    out += FormatOp(op, res);
    out += failed ? "  # the failing call, see below; #" : "  # #";
    out += std::to_string(i + 1) + " -> " + FormatResult(op.id, l.outcome.ret);
    if (res >= 0) out += ", r" + std::to_string(res) + " = " + FormatValue(ArgKind::Value, l.outcome.made);
    out += "\n";
    for (const auto& rep : l.reports) AppendReport(rep, &out);
    if (i + 1 == r.log.size() && i + 1 < p.size()) {
      out += "# the run stopped after #" + std::to_string(i + 1) + " (" +
             (r.aborted_at ? std::string("policy=abort: its first report") : std::string(FailureKind(r.failure))) +
             "): #" + std::to_string(i + 2) + (i + 2 < p.size() ? "-#" + std::to_string(p.size()) : "") +
             " did not run\n";
    }
  }
  // The teardown: with expect, a `teardown =>` line of what it reported;
  // else the line the program stated, if any. Its reports follow, once.
  const bool stated = p.teardown.check_rules && !(o.expect && !o.keep_stated);
  if (!r.torn_down) {
    const std::string why = "not run (policy=abort stopped the run at #" + std::to_string(r.aborted_at) + ")";
    out += stated ? "teardown" + FormatExpectation(std::nullopt, p.teardown) + "  # " + why + "\n"
                  : "# teardown: " + why + "\n";
    return out;
  }
  if (o.expect && !stated) {
    Expectation actual;
    actual.check_rules = true;
    for (const Report& rep : r.teardown.records) actual.reports.push_back(StatedOf(rep));
    out += "teardown" + FormatExpectation(std::nullopt, actual) + "\n";
  } else if (stated) {
    out += "teardown" + FormatExpectation(std::nullopt, p.teardown) + "\n";
  } else if (!r.teardown.reports.empty()) {
    out += "# teardown:\n";
  }
  for (const auto& rep : r.teardown.reports) AppendReport(rep, &out);
  return out;
}

const char* FailureKind(RunResult::Failure f) {
  return f == RunResult::Mismatch    ? "oracle mismatch"
         : f == RunResult::SelfCheck ? "self-check failed"
                                     : "expectation failed";
}

}  // namespace ddimap::harness
