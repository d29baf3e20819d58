/* ntddvdeo.h under ddimap: the video IOCTLs a miniport's HwVidStartIO handles
 * for video memory mapping, and their buffers. */
#ifndef DDIMAP_WDK_NTDDVDEO_H_
#define DDIMAP_WDK_NTDDVDEO_H_

#include "../wdk.h"
#include "devioctl.h"

#define IOCTL_VIDEO_MAP_VIDEO_MEMORY CTL_CODE(FILE_DEVICE_VIDEO, 0x116, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_VIDEO_UNMAP_VIDEO_MEMORY CTL_CODE(FILE_DEVICE_VIDEO, 0x117, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_VIDEO_QUERY_AVAIL_MODES CTL_CODE(FILE_DEVICE_VIDEO, 0x100, METHOD_BUFFERED, FILE_ANY_ACCESS)

/* Input of both IOCTLs: the address to map at (usually NULL), or the address to
 * unmap. */
typedef struct _VIDEO_MEMORY {
  PVOID RequestedVirtualAddress;
} VIDEO_MEMORY, *PVIDEO_MEMORY;

/* Output of IOCTL_VIDEO_MAP_VIDEO_MEMORY. */
typedef struct _VIDEO_MEMORY_INFORMATION {
  PVOID VideoRamBase;
  ULONG VideoRamLength;
  PVOID FrameBufferBase;
  ULONG FrameBufferLength;
} VIDEO_MEMORY_INFORMATION, *PVIDEO_MEMORY_INFORMATION;

/* HwVidSetPowerState / HwVidGetPowerState's argument (ddimap declares the
 * callback types; it does not call them). */
typedef struct _VIDEO_POWER_MANAGEMENT {
  ULONG Length;
  ULONG DPMSVersion;
  ULONG PowerState;
} VIDEO_POWER_MANAGEMENT, *PVIDEO_POWER_MANAGEMENT;

#endif /* DDIMAP_WDK_NTDDVDEO_H_ */
