/* The checks of the C tests that run driver code: CHECK records a failure and
 * goes on, so one run shows every broken expectation; CheckSummary ends main. */
#ifndef DDIMAP_TESTS_CAPI_CHECK_H_
#define DDIMAP_TESTS_CAPI_CHECK_H_

#include <stdio.h>

static int g_failures;

#define CHECK(e)                                                            \
  do {                                                                      \
    if (!(e)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #e); \
      ++g_failures;                                                         \
    }                                                                       \
  } while (0)

/* main's exit status; prints "<name>: all checks passed" (what ctest looks
 * for) only when every CHECK held. */
static int CheckSummary(const char *name) {
  if (g_failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", g_failures);
    return 1;
  }
  printf("%s: all checks passed\n", name);
  return 0;
}

#endif /* DDIMAP_TESTS_CAPI_CHECK_H_ */
