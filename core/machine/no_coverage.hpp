// Brackets code the fuzzing builds leave out of coverage instrumentation: the
// internals of the core's containers. Their branches and comparisons tell
// the shape of a radix tree or a hash table, not anything a contract is
// about, and each comparison costs a call into the fuzzer's hooks: in the
// fuzz targets they were a third of an execution. The rule checks that use
// the containers stay instrumented. Clang only; elsewhere nothing happens.
#pragma once

#if defined(__clang__)
#define DDIMAP_NO_COVERAGE_BEGIN \
  _Pragma("clang attribute push(__attribute__((no_sanitize(\"coverage\"))), apply_to = function)")
#define DDIMAP_NO_COVERAGE_END _Pragma("clang attribute pop")
// The same for one function. Only for functions that are not inlined: inlined
// into an instrumented caller, their code is instrumented after all.
#define DDIMAP_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define DDIMAP_NO_COVERAGE
#define DDIMAP_NO_COVERAGE_BEGIN
#define DDIMAP_NO_COVERAGE_END
#endif
