// The rule table as data, expanded from rules.def (the call table is
// constexpr in calls.hpp), and the look-ups by name.
#include <algorithm>

#include "ddimap/calls.hpp"
#include "ddimap/rules.hpp"

namespace ddimap {
namespace {

constexpr RuleInfo kRules[] = {
#define DDIMAP_RULE(E, ID, FAM, REFUSES, STATEMENT, SOURCE, BC, BP) \
  {RuleId::E, ID, Family::FAM, REFUSES != 0, STATEMENT, SOURCE, BC, BP},
#include "rules.def"
#undef DDIMAP_RULE
};

static_assert(std::size(kRules) == kRuleCount);

constexpr bool RulesInOrder() {
  for (std::size_t i = 0; i < std::size(kRules); ++i)
    if (static_cast<std::size_t>(kRules[i].id) != i) return false;
  return true;
}
static_assert(RulesInOrder());

}  // namespace

std::span<const RuleInfo> AllRules() { return kRules; }
const RuleInfo& Rule(RuleId id) { return kRules[static_cast<std::size_t>(id)]; }
std::optional<RuleId> RuleByName(std::string_view name) {
  for (const auto& r : kRules)
    if (r.name == name) return r.id;
  return std::nullopt;
}

std::optional<CallId> CallByName(std::string_view name) {
  for (const auto& c : AllCalls())
    if (c.name == name) return c.id;
  return std::nullopt;
}

}  // namespace ddimap
