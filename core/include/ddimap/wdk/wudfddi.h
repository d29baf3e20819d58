/* wudfddi.h under ddimap: the UMDF 1.x IWDFDevice3 methods ddimap models
 * (MapIoSpace, UnmapIoSpace, GetHardwareRegisterMappedAddress and the register
 * accessors). C code calls the COM C binding, IWDFDevice3_MapIoSpace(This, ...);
 * C++ code calls the methods, pDevice->MapIoSpace(...). */
#ifndef DDIMAP_WDK_WUDFDDI_H_
#define DDIMAP_WDK_WUDFDDI_H_

#include "../wdk.h"

#endif /* DDIMAP_WDK_WUDFDDI_H_ */
