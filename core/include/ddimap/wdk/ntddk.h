/* ntddk.h under ddimap: wdm.h's surface (ntddk.h is a superset of it). */
#ifndef DDIMAP_WDK_NTDDK_H_
#define DDIMAP_WDK_NTDDK_H_

#include "wdm.h"

#endif /* DDIMAP_WDK_NTDDK_H_ */
