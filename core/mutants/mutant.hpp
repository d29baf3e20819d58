// DDIMAP_MUTANT(name): true when the mutant `name` (core/mutants/mutants.def)
// is selected. Only builds with -DDDIMAP_MUTANTS=ON can select one; in every
// other build the macro is the constant false, so mutated code folds away.
#pragma once

#if defined(DDIMAP_MUTANTS)
namespace ddimap::mutants {
enum class Id : int {
  None = -1,
#define DDIMAP_MUTANT_ROW(NAME, WHAT) NAME,
#include "mutants/mutants.def"
#undef DDIMAP_MUTANT_ROW
};
// The mutant selected by $DDIMAP_MUTANT, read once per process.
Id Selected();
}  // namespace ddimap::mutants
#define DDIMAP_MUTANT(name) (::ddimap::mutants::Selected() == ::ddimap::mutants::Id::name)
#else
#define DDIMAP_MUTANT(name) false
#endif
