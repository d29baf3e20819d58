// Rule ids and their catalogue entries, generated from core/rules/rules.def.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "ddimap/types.hpp"

namespace ddimap {

enum class RuleId : u16 {
#define DDIMAP_RULE(E, ID, FAM, REFUSES, STATEMENT, SOURCE, BC, BP) E,
#include "rules.def"
#undef DDIMAP_RULE
};

struct RuleInfo {
  RuleId id;
  std::string_view name;       // "NDIS_IO.UNMAP_DOUBLE"
  Family family;
  bool refuses;                // the offending call is refused
  std::string_view statement;  // the invariant, in one sentence
  std::string_view source;     // where it is documented
  u32 bugcheck_code;           // 0 when Driver Verifier has none
  u64 bugcheck_param1;
};

std::span<const RuleInfo> AllRules();
const RuleInfo& Rule(RuleId id);
inline std::string_view RuleName(RuleId id) { return Rule(id).name; }
std::optional<RuleId> RuleByName(std::string_view name);
inline constexpr std::size_t kRuleCount = 0
#define DDIMAP_RULE(E, ID, FAM, REFUSES, STATEMENT, SOURCE, BC, BP) +1
#include "rules.def"
#undef DDIMAP_RULE
    ;

}  // namespace ddimap
