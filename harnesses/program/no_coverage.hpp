// Marks harness code the fuzzing builds leave out of coverage instrumentation:
// the runner's loop, the dispatch to the core and the oracle, and the checks
// that compare the two. Their branches and comparisons are about the harness's
// own bookkeeping (which call to dispatch, whether a reference resolved, whether
// core and oracle agree); whatever an input changes there, it changes in the
// core's and the oracle's own code as well, which stay instrumented. Each
// comparison costs a call into the fuzzer's hooks. Not inlined: inlined into
// an instrumented caller, the code would be instrumented after all. Clang
// only; elsewhere nothing happens.
#pragma once

#if defined(__clang__)
#define DDIMAP_HARNESS_NO_COVERAGE __attribute__((no_sanitize("coverage"), noinline))
#else
#define DDIMAP_HARNESS_NO_COVERAGE
#endif
