// Only compiled into -DDDIMAP_MUTANTS=ON builds.
#include "mutants/mutant.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ddimap::mutants {

Id Selected() {
  static const Id selected = [] {
    const char* want = std::getenv("DDIMAP_MUTANT");
    if (want == nullptr || *want == '\0') return Id::None;
#define DDIMAP_MUTANT_ROW(NAME, WHAT) \
  if (std::strcmp(want, #NAME) == 0) return Id::NAME;
#include "mutants/mutants.def"
#undef DDIMAP_MUTANT_ROW
    std::fprintf(stderr, "ddimap: unknown DDIMAP_MUTANT '%s' (see core/mutants/mutants.def)\n", want);
    std::exit(2);
  }();
  return selected;
}

}  // namespace ddimap::mutants
