/* wdm.h under ddimap: the WDM surface ddimap models (MmMapIoSpace,
 * MmMapIoSpaceEx, MmUnmapIoSpace, register access, IRQL), with wdm.h's names.
 * Anything ddimap does not model is not declared, so a call to it fails to
 * compile or link with its name. */
#ifndef DDIMAP_WDK_WDM_H_
#define DDIMAP_WDK_WDM_H_

#include "../wdk.h"

#define PAGE_SIZE 0x1000
#define PAGE_SHIFT 12L
#define BYTE_OFFSET(Va) ((ULONG)((LONG_PTR)(Va) & (PAGE_SIZE - 1)))
#define PAGE_ALIGN(Va) ((PVOID)((ULONG_PTR)(Va) & ~(PAGE_SIZE - 1)))
#define ROUND_TO_PAGES(Size) (((ULONG_PTR)(Size) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define BYTES_TO_PAGES(Size) \
  (((Size) >> PAGE_SHIFT) + (((Size) & (PAGE_SIZE - 1)) != 0))
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size) \
  ((BYTE_OFFSET(Va) + ((SIZE_T)(Size)) + (PAGE_SIZE - 1)) >> PAGE_SHIFT)

/* PAGED_CODE(): pageable code checks the IRQL on entry; above APC_LEVEL it is
 * COMMON.PAGED_CODE_IRQL (the WDK asserts only in checked builds; ddimap always
 * checks, as Driver Verifier would catch the page fault). */
#define PAGED_CODE() ddimap_paged_code()
#define PAGED_CODE_LOCKED() ((void)0)

#endif /* DDIMAP_WDK_WDM_H_ */
