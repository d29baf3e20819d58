/* video.h under ddimap: the video port surface ddimap models
 * (VideoPortInitialize and the miniport's entry points, VideoPortMapMemory /
 * VideoPortUnmapMemory, device bases, register and port access) and the
 * request packet HwVidStartIO receives. Anything ddimap does not model is not
 * declared, so a call to it fails to compile or link with its name. */
#ifndef DDIMAP_WDK_VIDEO_H_
#define DDIMAP_WDK_VIDEO_H_

#include "../wdk.h"
#include "dderror.h"
#include "miniport.h"
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

/* ---- the miniport's entry points (VIDEO_HW_INITIALIZATION_DATA) ------------------- */
typedef struct _VIDEO_PORT_CONFIG_INFO VIDEO_PORT_CONFIG_INFO, *PVIDEO_PORT_CONFIG_INFO;
typedef struct _VIDEO_CHILD_ENUM_INFO VIDEO_CHILD_ENUM_INFO, *PVIDEO_CHILD_ENUM_INFO;
typedef struct _QUERY_INTERFACE QUERY_INTERFACE, *PQUERY_INTERFACE;
typedef enum _VIDEO_CHILD_TYPE { Monitor = 1, NonPrimaryChip, VideoChip, Other } VIDEO_CHILD_TYPE, *PVIDEO_CHILD_TYPE;

typedef VP_STATUS (*PVIDEO_HW_FIND_ADAPTER)(PVOID HwDeviceExtension, PVOID HwContext, PWSTR ArgumentString,
                                            PVIDEO_PORT_CONFIG_INFO ConfigInfo, PUCHAR Again);
typedef BOOLEAN (*PVIDEO_HW_INITIALIZE)(PVOID HwDeviceExtension);
typedef BOOLEAN (*PVIDEO_HW_INTERRUPT)(PVOID HwDeviceExtension);
typedef BOOLEAN (*PVIDEO_HW_START_IO)(PVOID HwDeviceExtension, PVIDEO_REQUEST_PACKET RequestPacket);
typedef BOOLEAN (*PVIDEO_HW_RESET_HW)(PVOID HwDeviceExtension, ULONG Columns, ULONG Rows);
typedef VOID (*PVIDEO_HW_TIMER)(PVOID HwDeviceExtension);
typedef VP_STATUS (*PVIDEO_HW_POWER_SET)(PVOID HwDeviceExtension, ULONG HwId,
                                         PVIDEO_POWER_MANAGEMENT VideoPowerControl);
typedef VP_STATUS (*PVIDEO_HW_POWER_GET)(PVOID HwDeviceExtension, ULONG HwId,
                                         PVIDEO_POWER_MANAGEMENT VideoPowerControl);
typedef VP_STATUS (*PVIDEO_HW_GET_CHILD_DESCRIPTOR)(PVOID HwDeviceExtension, PVIDEO_CHILD_ENUM_INFO ChildEnumInfo,
                                                    PVIDEO_CHILD_TYPE VideoChildType, PUCHAR pChildDescriptor,
                                                    PULONG UId, PULONG pUnused);
typedef VP_STATUS (*PVIDEO_HW_QUERY_INTERFACE)(PVOID HwDeviceExtension, PQUERY_INTERFACE QueryInterface);
typedef VOID (*PVIDEO_HW_LEGACYRESOURCES)(ULONG VendorId, ULONG DeviceId, PVIDEO_ACCESS_RANGE *LegacyResourceList,
                                          PULONG LegacyResourceCount);
typedef PVOID (*PVIDEO_PORT_GET_PROC_ADDRESS)(PVOID HwDeviceExtension, PUCHAR FunctionName);

/* The I/O ports a V86-mode (VDM) full-screen application may touch: kept
 * for the miniport to fill in; ddimap does not emulate VDMs. */
typedef struct _EMULATOR_ACCESS_ENTRY {
  ULONG BasePort;
  ULONG NumConsecutivePorts;
  ULONG AccessType;
  UCHAR AccessMode;
  UCHAR StringSupport;
  PVOID Routine;
} EMULATOR_ACCESS_ENTRY, *PEMULATOR_ACCESS_ENTRY;

/* What the video port driver tells HwVidFindAdapter. ddimap fills Length,
 * SystemIoBusNumber (0), AdapterInterfaceType (the registered one),
 * InterruptMode (LevelSensitive), VideoPortGetProcAddress (NULL: not modelled)
 * and DriverRegistryPath (DriverEntry's Argument2); everything else is 0. */
struct _VIDEO_PORT_CONFIG_INFO {
  ULONG Length;
  ULONG SystemIoBusNumber;
  INTERFACE_TYPE AdapterInterfaceType;
  ULONG BusInterruptLevel;
  ULONG BusInterruptVector;
  KINTERRUPT_MODE InterruptMode;
  ULONG NumEmulatorAccessEntries;
  PEMULATOR_ACCESS_ENTRY EmulatorAccessEntries;
  ULONG_PTR EmulatorAccessEntriesContext;
  PHYSICAL_ADDRESS VdmPhysicalVideoMemoryAddress;
  ULONG VdmPhysicalVideoMemoryLength;
  ULONG HardwareStateSize;
  ULONG DmaChannel;
  ULONG DmaPort;
  UCHAR DmaShareable;
  UCHAR InterruptShareable;
  BOOLEAN Master;
  DMA_WIDTH DmaWidth;
  DMA_SPEED DmaSpeed;
  BOOLEAN bMapBuffers;
  BOOLEAN NeedPhysicalAddresses;
  BOOLEAN DemandMode;
  ULONG MaximumTransferLength;
  ULONG NumberOfPhysicalBreaks;
  BOOLEAN ScatterGather;
  ULONG MaximumScatterGatherChunkSize;
  PVIDEO_PORT_GET_PROC_ADDRESS VideoPortGetProcAddress;
  PWSTR DriverRegistryPath;
  ULONGLONG SystemMemorySize;
};

typedef struct _VIDEO_HW_INITIALIZATION_DATA {
  ULONG HwInitDataSize;
  INTERFACE_TYPE AdapterInterfaceType;
  PVIDEO_HW_FIND_ADAPTER HwFindAdapter;
  PVIDEO_HW_INITIALIZE HwInitialize;
  PVIDEO_HW_INTERRUPT HwInterrupt;
  PVIDEO_HW_START_IO HwStartIO;
  ULONG HwDeviceExtensionSize;
  ULONG StartingDeviceNumber;
  PVIDEO_HW_RESET_HW HwResetHw;
  PVIDEO_HW_TIMER HwTimer;
  PVOID HwStartDma;
  PVIDEO_HW_POWER_SET HwSetPowerState;
  PVIDEO_HW_POWER_GET HwGetPowerState;
  PVIDEO_HW_GET_CHILD_DESCRIPTOR HwGetVideoChildDescriptor;
  PVIDEO_HW_QUERY_INTERFACE HwQueryInterface;
  ULONG HwChildDeviceExtensionSize;
  PVIDEO_ACCESS_RANGE HwLegacyResourceList;
  ULONG HwLegacyResourceCount;
  PVIDEO_HW_LEGACYRESOURCES HwGetLegacyResources;
  BOOLEAN AllowEarlyEnumeration;
  ULONG Reserved;
} VIDEO_HW_INITIALIZATION_DATA, *PVIDEO_HW_INITIALIZATION_DATA;

DDIMAP_EXTERN_C_BEGIN
/* A miniport's DriverEntry(Context1, Context2) passes both through. Registers
 * the entry points for the devices the operating system side then adds
 * (ddimap_video_add_device and the runners in ddimap/control.h); ddimap calls
 * HwVidFindAdapter, HwVidInitialize and HwVidStartIO, no other entry point.
 * Returns 0 (NO_ERROR); STATUS_INVALID_PARAMETER for a NULL argument or a
 * missing HwVidFindAdapter, HwVidInitialize or HwVidStartIO (required, the
 * page says); STATUS_REVISION_MISMATCH when HwInitDataSize is 0 or larger than
 * this structure. */
ULONG VideoPortInitialize(PVOID Argument1, PVOID Argument2, PVIDEO_HW_INITIALIZATION_DATA HwInitializationData,
                          PVOID HwContext);
DDIMAP_EXTERN_C_END

/* A busy wait: no simulated time passes. */
#define VideoPortStallExecution(Microseconds) KeStallExecutionProcessor(Microseconds)

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
