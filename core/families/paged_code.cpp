// PAGED_CODE(): the IRQL check at the top of a pageable routine (docs/contracts.md).
#include "families/common.hpp"
#include "mutants/mutant.hpp"

namespace ddimap {

void Machine::PagedCode() {
  State& s = *s_;
  if (!s.Begin(CallId::PagedCode, {})) return;
  families::CheckIrql(s, CallId::PagedCode,
                      DDIMAP_MUTANT(paged_code_at_apc) ? kPassiveLevel : families::IrqlBound(CallId::PagedCode));
}

}  // namespace ddimap
