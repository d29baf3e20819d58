#include "runner/expect.hpp"

#include <algorithm>
#include <vector>

#include "ddimap/rules.hpp"
#include "program/trace.hpp"

namespace ddimap::harness {
namespace {

// How many fields an expected report states: the most specific are matched
// first, so that a bare `!MM_IO.LEAK` does not take the report a
// `!MM_IO.LEAK(created=#4)` needs.
int Fields(const ReportExpectation& r) {
  return (r.created ? 1 : 0) + (r.released ? 1 : 0) + (r.bugcheck_code ? 1 : 0) + (r.bugcheck_param1 ? 1 : 0);
}

bool Meets(const ReportExpectation& actual, const ReportExpectation& want) {
  auto same = [](const auto& a, const auto& w) { return !w || a == w; };
  return actual.rule == want.rule && same(actual.created, want.created) && same(actual.released, want.released) &&
         same(actual.bugcheck_code, want.bugcheck_code) && same(actual.bugcheck_param1, want.bugcheck_param1);
}

std::string List(const std::vector<ReportExpectation>& reports, bool others) {
  if (reports.empty()) return others ? "..." : "(none)";
  std::string out;
  for (const auto& r : reports) out += (out.empty() ? "" : " ") + FormatReportExpectation(r);
  return others ? out + " ..." : out;
}

}  // namespace

ReportExpectation StatedOf(const Report& r) {
  ReportExpectation s;
  s.rule = r.rule;
  if (r.has_created) s.created = r.created.seq;
  if (r.has_released) s.released = r.released.seq;
  const RuleInfo& info = Rule(r.rule);
  if (info.bugcheck_code != 0) {
    s.bugcheck_code = info.bugcheck_code;
    s.bugcheck_param1 = info.bugcheck_param1;
  }
  return s;
}

std::string CheckExpectation(const Expectation& e, std::optional<CallId> id, const Outcome* outcome,
                             std::span<const Report> reports) {
  if (id && outcome) {
    if (e.result && *e.result != outcome->ret)
      return "expected result " + FormatResult(*id, *e.result) + ", got " + FormatResult(*id, outcome->ret);
    if (e.result_nonzero && outcome->ret == 0) return "expected a non-NULL result, got NULL";
    for (const auto& [i, v] : e.outs)
      if (outcome->out[i] != v)
        return "expected " + std::string(Call(*id).params[i].name) + "=" + FormatOut(*id, i, v) + ", got " +
               FormatOut(*id, i, outcome->out[i]);
  }
  if (!e.check_rules) return {};
  std::vector<ReportExpectation> actual;
  for (const Report& r : reports) actual.push_back(StatedOf(r));
  std::vector<const ReportExpectation*> want;
  for (const auto& r : e.reports) want.push_back(&r);
  std::stable_sort(want.begin(), want.end(), [](auto* a, auto* b) { return Fields(*a) > Fields(*b); });
  std::vector<bool> used(actual.size());
  bool ok = e.others ? actual.size() >= want.size() : actual.size() == want.size();
  for (const ReportExpectation* w : want) {
    if (!ok) break;
    ok = false;
    for (std::size_t i = 0; i < actual.size() && !ok; ++i)
      if (!used[i] && Meets(actual[i], *w)) used[i] = ok = true;
  }
  if (ok) return {};
  return "expected reports " + List(e.reports, e.others) + ", got " + List(actual, false);
}

}  // namespace ddimap::harness
