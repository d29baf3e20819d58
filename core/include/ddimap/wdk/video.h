/* video.h under ddimap: the video port surface ddimap models
 * (VideoPortMapMemory / VideoPortUnmapMemory, register access) and the
 * request packet HwVidStartIO receives. Anything ddimap does not model is not
 * declared, so a call to it fails to compile or link with its name. */
#ifndef DDIMAP_WDK_VIDEO_H_
#define DDIMAP_WDK_VIDEO_H_

#include "../wdk.h"
#include "dderror.h"
#include "ntddvdeo.h"

#define VIDEOPORT_API

typedef struct _STATUS_BLOCK {
  union {
    VP_STATUS Status;
    PVOID Pointer;
  };
  ULONG_PTR Information;
} STATUS_BLOCK, *PSTATUS_BLOCK;

typedef struct _VIDEO_REQUEST_PACKET {
  ULONG IoControlCode;
  PSTATUS_BLOCK StatusBlock;
  PVOID InputBuffer;
  ULONG InputBufferLength;
  PVOID OutputBuffer;
  ULONG OutputBufferLength;
} VIDEO_REQUEST_PACKET, *PVIDEO_REQUEST_PACKET;

/* Plain host memory (the miniport's own structures). */
static inline void VideoPortZeroMemory(PVOID Destination, ULONG Length) {
  RtlZeroMemory(Destination, Length);
}
static inline void VideoPortMoveMemory(PVOID Destination, PVOID Source, ULONG Length) {
  RtlMoveMemory(Destination, Source, Length);
}

/* VideoDebugPrint((Level, Format, ...)): DbgPrint in a DBG build. */
#if DBG
#define VideoDebugPrint(x) VideoPortDebugPrint x
#else
#define VideoDebugPrint(x)
#endif
DDIMAP_EXTERN_C_BEGIN
void VideoPortDebugPrint(ULONG DebugPrintLevel, PCSTR DebugMessage, ...);
DDIMAP_EXTERN_C_END

#endif /* DDIMAP_WDK_VIDEO_H_ */
