// The installed C++ headers compile on their own: rules.hpp expands the
// installed rules.def at compile time, the library holds its own copy of the
// table, and the two must agree (ctest install_package).
#include <cstdio>
#include <ddimap/machine.hpp>
#include <ddimap/rules.hpp>
#include <string>

int main() {
  const auto leak = ddimap::RuleByName("MM_IO.LEAK");
  if (!leak || ddimap::AllRules().size() != ddimap::kRuleCount) {
    std::fprintf(stderr, "rules_table: the installed rules.def and the library disagree\n");
    return 1;
  }
  std::printf("rules_table: %zu rules; MM_IO.LEAK: %s\n", ddimap::kRuleCount,
              std::string(ddimap::Rule(*leak).statement).c_str());
  return 0;
}
