// The rule and call tables as data, expanded from the .def files.
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

template <typename... P>
constexpr std::array<ParamDesc, kMaxParams> Params(P... p) {
  return {p...};
}
template <typename... P>
constexpr int CountParams(P...) {
  return sizeof...(P);
}

constexpr CallDesc kCalls[] = {
#define DDIMAP_P(NAME, KIND) ParamDesc{#NAME, ArgKind::KIND}
#define DDIMAP_CALL(E, NAME, FAM, RES, MAKES, USES, ...)                                   \
  {CallId::E,         NAME,                     Family::FAM,                 ResultKind::RES, \
   Resource::MAKES,   Resource::USES,           Params(__VA_ARGS__),         CountParams(__VA_ARGS__)},
#include "calls.def"
#undef DDIMAP_CALL
#undef DDIMAP_P
};

static_assert(std::size(kRules) == kRuleCount);
static_assert(std::size(kCalls) == kCallCount);

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

std::span<const CallDesc> AllCalls() { return kCalls; }
const CallDesc& Call(CallId id) { return kCalls[static_cast<std::size_t>(id)]; }
std::optional<CallId> CallByName(std::string_view name) {
  for (const auto& c : kCalls)
    if (c.name == name) return c.id;
  return std::nullopt;
}

bool IsPointerKind(ArgKind k) {
  return k == ArgKind::OutPtr || k == ArgKind::OutResource || k == ArgKind::InOutLen32 || k == ArgKind::InOutVideoFlags ||
         k == ArgKind::InOutVirtAddr || k == ArgKind::FileName;
}

int MadeParam(const CallDesc& d) {
  for (int i = 0; i < d.param_count; ++i)
    if (d.params[i].kind == ArgKind::OutResource || d.params[i].kind == ArgKind::InOutVirtAddr) return i;
  return -1;
}

}  // namespace ddimap
