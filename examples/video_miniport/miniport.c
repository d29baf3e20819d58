/* ddxvid: an XPDM video miniport for a simple PCI display adapter.
 *
 * The adapter decodes three ranges: a linear frame buffer (memory), a page of
 * memory-mapped control registers, and the VGA-compatible I/O ports
 * 0x3C0-0x3DF. HwVidFindAdapter claims them with VideoPortGetAccessRanges and
 * maps the registers, the frame buffer and the ports with
 * VideoPortGetDeviceBase; it frees every base it got when it declines the
 * adapter. The bases are then kept for the life of the device. HwVidStartIO
 * maps the frame buffer into the display driver's process on
 * IOCTL_VIDEO_MAP_VIDEO_MEMORY and unmaps it on IOCTL_VIDEO_UNMAP_VIDEO_MEMORY.
 *
 * DDXVID_BUG selects one planted mistake for the tests (0: none). */
#include <dderror.h>
#include <devioctl.h>
#include <miniport.h>
#include <ntddvdeo.h>
#include <video.h>

#ifndef DDXVID_BUG
#define DDXVID_BUG 0
#endif

#define DDXVID_RANGE_COUNT 3

/* Control registers (BAR 1). */
#define DDXVID_REG_CHIP_ID 0x00
#define DDXVID_REG_DISPLAY_CONTROL 0x10
#define DDXVID_REG_STRIDE 0x14
#define DDXVID_REGISTER_SPAN 0x100
#define DDXVID_DISPLAY_ENABLE 0x00000001

/* VGA ports, as offsets from 0x3C0. */
#define DDXVID_VGA_MISC_OUTPUT 0x02  /* 0x3C2 */
#define DDXVID_VGA_CRTC_INDEX 0x14   /* 0x3D4 */
#define DDXVID_VGA_CRTC_DATA 0x15    /* 0x3D5 */
#define DDXVID_VGA_STATUS_1 0x1A     /* 0x3DA */
#define DDXVID_MONO_CRTC_INDEX 0x3B4 /* the monochrome alias this adapter does not decode */

#define DDXVID_MODE_WIDTH 1024
#define DDXVID_MODE_BYTES_PER_PIXEL 4

typedef struct _HW_DEVICE_EXTENSION {
  PHYSICAL_ADDRESS FrameBufferPhysical;
  ULONG FrameBufferLength;
  PUCHAR FrameBuffer;   /* the miniport's own system-space view */
  PUCHAR Registers;
  ULONG RegisterLength;
  PUCHAR VgaPorts;      /* an I/O base: the port number itself */
  ULONG UserMappings;
} HW_DEVICE_EXTENSION, *PHW_DEVICE_EXTENSION;

static VP_STATUS DdxFindAdapter(PVOID HwDeviceExtension, PVOID HwContext, PWSTR ArgumentString,
                                PVIDEO_PORT_CONFIG_INFO ConfigInfo, PUCHAR Again);
static BOOLEAN DdxInitialize(PVOID HwDeviceExtension);
static BOOLEAN DdxStartIO(PVOID HwDeviceExtension, PVIDEO_REQUEST_PACKET RequestPacket);

ULONG DriverEntry(PVOID Context1, PVOID Context2) {
  VIDEO_HW_INITIALIZATION_DATA hwInitData;

  VideoPortZeroMemory(&hwInitData, sizeof(hwInitData));
  hwInitData.HwInitDataSize = sizeof(VIDEO_HW_INITIALIZATION_DATA);
  hwInitData.HwFindAdapter = DdxFindAdapter;
  hwInitData.HwInitialize = DdxInitialize;
  hwInitData.HwStartIO = DdxStartIO;
  hwInitData.HwDeviceExtensionSize = sizeof(HW_DEVICE_EXTENSION);
  hwInitData.AdapterInterfaceType = PCIBus;
  return VideoPortInitialize(Context1, Context2, &hwInitData, NULL);
}

/* Gives back what DdxFindAdapter mapped before it declines the adapter. */
static void DdxFreeBases(PHW_DEVICE_EXTENSION hwDeviceExtension) {
  if (hwDeviceExtension->VgaPorts != NULL) {
    VideoPortFreeDeviceBase(hwDeviceExtension, hwDeviceExtension->VgaPorts);
    hwDeviceExtension->VgaPorts = NULL;
  }
  if (hwDeviceExtension->FrameBuffer != NULL) {
    VideoPortFreeDeviceBase(hwDeviceExtension, hwDeviceExtension->FrameBuffer);
    hwDeviceExtension->FrameBuffer = NULL;
  }
  if (hwDeviceExtension->Registers != NULL) {
#if DDXVID_BUG == 1
    /* Planted: the register base is forgotten on the way out. */
#elif DDXVID_BUG == 3
    /* Planted: freed twice. */
    VideoPortFreeDeviceBase(hwDeviceExtension, hwDeviceExtension->Registers);
    VideoPortFreeDeviceBase(hwDeviceExtension, hwDeviceExtension->Registers);
#elif DDXVID_BUG == 4
    /* Planted: released as if VideoPortMapMemory had made it. */
    VideoPortUnmapMemory(hwDeviceExtension, hwDeviceExtension->Registers, NULL);
#else
    VideoPortFreeDeviceBase(hwDeviceExtension, hwDeviceExtension->Registers);
#endif
    hwDeviceExtension->Registers = NULL;
  }
}

static VP_STATUS DdxFindAdapter(PVOID HwDeviceExtension, PVOID HwContext, PWSTR ArgumentString,
                                PVIDEO_PORT_CONFIG_INFO ConfigInfo, PUCHAR Again) {
  PHW_DEVICE_EXTENSION hwDeviceExtension = (PHW_DEVICE_EXTENSION)HwDeviceExtension;
  VIDEO_ACCESS_RANGE accessRanges[DDXVID_RANGE_COUNT];
  PVIDEO_ACCESS_RANGE frameBuffer = NULL, registers = NULL, ports = NULL;
  VP_STATUS status;
  ULONG i, chipId;

  UNREFERENCED_PARAMETER(HwContext);
  UNREFERENCED_PARAMETER(ArgumentString);
  UNREFERENCED_PARAMETER(Again);

  if (ConfigInfo->Length < sizeof(VIDEO_PORT_CONFIG_INFO)) return ERROR_INVALID_PARAMETER;

  VideoPortZeroMemory(accessRanges, sizeof(accessRanges));
  status = VideoPortGetAccessRanges(HwDeviceExtension, 0, NULL, DDXVID_RANGE_COUNT, accessRanges, NULL, NULL, NULL);
  if (status != NO_ERROR) return status;

  /* The larger memory range is the frame buffer, the smaller the registers. */
  for (i = 0; i < DDXVID_RANGE_COUNT; ++i) {
    PVIDEO_ACCESS_RANGE range = &accessRanges[i];
    if (range->RangeLength == 0) continue;
    if (range->RangeInIoSpace) {
      ports = range;
    } else if (frameBuffer == NULL) {
      frameBuffer = range;
    } else if (range->RangeLength > frameBuffer->RangeLength) {
      registers = frameBuffer;
      frameBuffer = range;
    } else {
      registers = range;
    }
  }
  if (frameBuffer == NULL || registers == NULL || ports == NULL) return ERROR_DEV_NOT_EXIST;
  if (registers->RangeLength < DDXVID_REGISTER_SPAN) return ERROR_DEV_NOT_EXIST;

#if DDXVID_BUG == 5
  /* Planted: only the first register block is mapped. */
  hwDeviceExtension->RegisterLength = DDXVID_REG_DISPLAY_CONTROL;
#else
  hwDeviceExtension->RegisterLength = DDXVID_REGISTER_SPAN;
#endif
  hwDeviceExtension->Registers = (PUCHAR)VideoPortGetDeviceBase(HwDeviceExtension, registers->RangeStart,
                                                                hwDeviceExtension->RegisterLength, FALSE);
  if (hwDeviceExtension->Registers == NULL) return ERROR_INVALID_PARAMETER;

  /* A device that is gone reads all ones. */
  chipId = VideoPortReadRegisterUlong((PULONG)(hwDeviceExtension->Registers + DDXVID_REG_CHIP_ID));
  if (chipId == 0xFFFFFFFF) {
    DdxFreeBases(hwDeviceExtension);
    return ERROR_DEV_NOT_EXIST;
  }

  hwDeviceExtension->FrameBufferPhysical = frameBuffer->RangeStart;
  hwDeviceExtension->FrameBufferLength = frameBuffer->RangeLength;
#if DDXVID_BUG != 6
  hwDeviceExtension->FrameBuffer = (PUCHAR)VideoPortGetDeviceBase(HwDeviceExtension, frameBuffer->RangeStart,
                                                                  frameBuffer->RangeLength, FALSE);
  if (hwDeviceExtension->FrameBuffer == NULL) {
    DdxFreeBases(hwDeviceExtension);
    return ERROR_INVALID_PARAMETER;
  }
#endif
  hwDeviceExtension->VgaPorts = (PUCHAR)VideoPortGetDeviceBase(HwDeviceExtension, ports->RangeStart,
                                                               ports->RangeLength, VIDEO_MEMORY_SPACE_IO);
  if (hwDeviceExtension->VgaPorts == NULL) {
    DdxFreeBases(hwDeviceExtension);
    return ERROR_INVALID_PARAMETER;
  }

  ConfigInfo->VdmPhysicalVideoMemoryAddress.QuadPart = 0;
  ConfigInfo->VdmPhysicalVideoMemoryLength = 0;
  ConfigInfo->HardwareStateSize = 0;
  return NO_ERROR;
}

static BOOLEAN DdxInitialize(PVOID HwDeviceExtension) {
  PHW_DEVICE_EXTENSION hwDeviceExtension = (PHW_DEVICE_EXTENSION)HwDeviceExtension;
  ULONG offset;

#if DDXVID_BUG == 6
  /* Planted: the frame buffer is mapped late, outside HwVidFindAdapter. */
  hwDeviceExtension->FrameBuffer = (PUCHAR)VideoPortGetDeviceBase(
      HwDeviceExtension, hwDeviceExtension->FrameBufferPhysical, hwDeviceExtension->FrameBufferLength, FALSE);
  if (hwDeviceExtension->FrameBuffer == NULL) return FALSE;
#endif

  /* Colour addressing, then the display on with a 1024-pixel stride. */
  VideoPortWritePortUchar(hwDeviceExtension->VgaPorts + DDXVID_VGA_MISC_OUTPUT, 0x63);
  (void)VideoPortReadPortUchar(hwDeviceExtension->VgaPorts + DDXVID_VGA_STATUS_1);
#if DDXVID_BUG == 7
  /* Planted: the monochrome CRTC alias, which the adapter was not given. */
  VideoPortWritePortUchar((PUCHAR)(ULONG_PTR)DDXVID_MONO_CRTC_INDEX, 0x11);
#else
  VideoPortWritePortUchar(hwDeviceExtension->VgaPorts + DDXVID_VGA_CRTC_INDEX, 0x11);
#endif
  VideoPortWritePortUchar(hwDeviceExtension->VgaPorts + DDXVID_VGA_CRTC_DATA, 0x00);
  VideoPortWriteRegisterUlong((PULONG)(hwDeviceExtension->Registers + DDXVID_REG_STRIDE),
                              DDXVID_MODE_WIDTH * DDXVID_MODE_BYTES_PER_PIXEL);
  VideoPortWriteRegisterUlong((PULONG)(hwDeviceExtension->Registers + DDXVID_REG_DISPLAY_CONTROL),
                              DDXVID_DISPLAY_ENABLE);

  /* Clear the first scan line so no stale image flashes up. */
  for (offset = 0; offset < DDXVID_MODE_WIDTH * DDXVID_MODE_BYTES_PER_PIXEL; offset += sizeof(ULONG))
    VideoPortWriteRegisterUlong((PULONG)(hwDeviceExtension->FrameBuffer + offset), 0);
  return TRUE;
}

static VP_STATUS DdxMapVideoMemory(PHW_DEVICE_EXTENSION hwDeviceExtension, PVIDEO_REQUEST_PACKET RequestPacket) {
  PVIDEO_MEMORY_INFORMATION memoryInformation;
  ULONG inIoSpace = VIDEO_MEMORY_SPACE_MEMORY;
  VP_STATUS status;

  if (RequestPacket->OutputBufferLength < sizeof(VIDEO_MEMORY_INFORMATION) ||
      RequestPacket->InputBufferLength < sizeof(VIDEO_MEMORY))
    return ERROR_INSUFFICIENT_BUFFER;
  RequestPacket->StatusBlock->Information = sizeof(VIDEO_MEMORY_INFORMATION);

  memoryInformation = (PVIDEO_MEMORY_INFORMATION)RequestPacket->OutputBuffer;
  memoryInformation->VideoRamBase = ((PVIDEO_MEMORY)RequestPacket->InputBuffer)->RequestedVirtualAddress;
  memoryInformation->VideoRamLength = hwDeviceExtension->FrameBufferLength;
  status = VideoPortMapMemory(hwDeviceExtension, hwDeviceExtension->FrameBufferPhysical,
                              &memoryInformation->VideoRamLength, &inIoSpace, &memoryInformation->VideoRamBase);
  if (status != NO_ERROR) {
    RequestPacket->StatusBlock->Information = 0;
    return status;
  }
  memoryInformation->FrameBufferBase = memoryInformation->VideoRamBase;
  memoryInformation->FrameBufferLength = hwDeviceExtension->FrameBufferLength;
  hwDeviceExtension->UserMappings++;
  return NO_ERROR;
}

static VP_STATUS DdxUnmapVideoMemory(PHW_DEVICE_EXTENSION hwDeviceExtension, PVIDEO_REQUEST_PACKET RequestPacket) {
  VP_STATUS status;

  if (RequestPacket->InputBufferLength < sizeof(VIDEO_MEMORY)) return ERROR_INSUFFICIENT_BUFFER;
#if DDXVID_BUG == 2
  /* Planted: the request is acknowledged, the mapping kept. */
  status = NO_ERROR;
#else
  status = VideoPortUnmapMemory(hwDeviceExtension,
                                ((PVIDEO_MEMORY)RequestPacket->InputBuffer)->RequestedVirtualAddress, NULL);
#endif
  if (status == NO_ERROR) hwDeviceExtension->UserMappings--;
  return status;
}

static BOOLEAN DdxStartIO(PVOID HwDeviceExtension, PVIDEO_REQUEST_PACKET RequestPacket) {
  PHW_DEVICE_EXTENSION hwDeviceExtension = (PHW_DEVICE_EXTENSION)HwDeviceExtension;
  VP_STATUS status;

  RequestPacket->StatusBlock->Information = 0;
  switch (RequestPacket->IoControlCode) {
    case IOCTL_VIDEO_MAP_VIDEO_MEMORY:
      status = DdxMapVideoMemory(hwDeviceExtension, RequestPacket);
      break;
    case IOCTL_VIDEO_UNMAP_VIDEO_MEMORY:
      status = DdxUnmapVideoMemory(hwDeviceExtension, RequestPacket);
      break;
    default:
      status = ERROR_INVALID_FUNCTION;
      break;
  }
  RequestPacket->StatusBlock->Status = status;
  return TRUE;
}
