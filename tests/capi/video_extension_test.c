/* The video HwDeviceExtension as a miniport uses it: host memory of the size
 * it asked for, laid over by its own structure, and recognised by every
 * VideoPort call; IOCTL_VIDEO_MAP_VIDEO_MEMORY / IOCTL_VIDEO_UNMAP_VIDEO_MEMORY
 * handled by HwVidStartIO from a VIDEO_REQUEST_PACKET. The miniport half is
 * written against the WDK names only; main() plays the video port driver. */
#include <miniport.h>
#include <video.h>

#include <stdio.h>

#include "ddimap/control.h"

#include "check.h"

/* ---- the miniport ----------------------------------------------------------------- */
typedef struct _HW_DEVICE_EXTENSION {
  PHYSICAL_ADDRESS FrameBufferPhysical;
  ULONG FrameBufferLength;
  ULONG MapCount;
  UCHAR Scratch[200];
} HW_DEVICE_EXTENSION, *PHW_DEVICE_EXTENSION;

static VP_STATUS MyMapVideoMemory(PHW_DEVICE_EXTENSION Ext, PVIDEO_REQUEST_PACKET Rp) {
  PVIDEO_MEMORY_INFORMATION info;
  ULONG inIoSpace = VIDEO_MEMORY_SPACE_MEMORY;
  ULONG length;
  VP_STATUS status;
  if (Rp->OutputBufferLength < sizeof(VIDEO_MEMORY_INFORMATION) || Rp->InputBufferLength < sizeof(VIDEO_MEMORY))
    return ERROR_INSUFFICIENT_BUFFER;
  info = (PVIDEO_MEMORY_INFORMATION)Rp->OutputBuffer;
  info->VideoRamBase = ((PVIDEO_MEMORY)Rp->InputBuffer)->RequestedVirtualAddress;
  length = Ext->FrameBufferLength;
  status = VideoPortMapMemory(Ext, Ext->FrameBufferPhysical, &length, &inIoSpace, &info->VideoRamBase);
  if (status != NO_ERROR) return status;
  info->VideoRamLength = length;
  info->FrameBufferBase = info->VideoRamBase;
  info->FrameBufferLength = Ext->FrameBufferLength;
  Rp->StatusBlock->Information = sizeof(VIDEO_MEMORY_INFORMATION);
  Ext->MapCount++;
  return NO_ERROR;
}

static BOOLEAN MyStartIO(PVOID HwDeviceExtension, PVIDEO_REQUEST_PACKET RequestPacket) {
  PHW_DEVICE_EXTENSION ext = (PHW_DEVICE_EXTENSION)HwDeviceExtension;
  VP_STATUS status;
  RequestPacket->StatusBlock->Information = 0;
  switch (RequestPacket->IoControlCode) {
    case IOCTL_VIDEO_MAP_VIDEO_MEMORY:
      status = MyMapVideoMemory(ext, RequestPacket);
      break;
    case IOCTL_VIDEO_UNMAP_VIDEO_MEMORY:
      if (RequestPacket->InputBufferLength < sizeof(VIDEO_MEMORY)) {
        status = ERROR_INSUFFICIENT_BUFFER;
        break;
      }
      status = VideoPortUnmapMemory(ext, ((PVIDEO_MEMORY)RequestPacket->InputBuffer)->RequestedVirtualAddress, 0);
      break;
    default:
      status = ERROR_INVALID_FUNCTION;
      break;
  }
  RequestPacket->StatusBlock->Status = status;
  return TRUE;
}

/* ---- the video port driver's part ------------------------------------------------ */

static VP_STATUS Ioctl(PVOID ext, ULONG code, PVOID in, ULONG in_len, PVOID out, ULONG out_len,
                       ULONG_PTR* information) {
  STATUS_BLOCK sb;
  VIDEO_REQUEST_PACKET rp;
  rp.IoControlCode = code;
  rp.StatusBlock = &sb;
  rp.InputBuffer = in;
  rp.InputBufferLength = in_len;
  rp.OutputBuffer = out;
  rp.OutputBufferLength = out_len;
  CHECK(ddimap_enter_callback(DDIMAP_CB_VIDEO_START_IO, ext) == DDIMAP_OK);
  CHECK(MyStartIO(ext, &rp));
  CHECK(ddimap_leave_callback(TRUE) == DDIMAP_OK);
  *information = sb.Information;
  return sb.Status;
}

int main(void) {
  PHW_DEVICE_EXTENSION ext;
  VIDEO_MEMORY request;
  VIDEO_MEMORY_INFORMATION info;
  ULONG_PTR information = 0;
  PUCHAR frame;
  ULONG length = 0x1000, io = VIDEO_MEMORY_SPACE_MEMORY;
  PVOID va = NULL;
  unsigned i;

  CHECK(ddimap_machine_create() == DDIMAP_OK);
  ext = (PHW_DEVICE_EXTENSION)ddimap_create_video_device_extension(sizeof(HW_DEVICE_EXTENSION));
  CHECK(ext != NULL);
  if (ext == NULL) return 1;
  /* Zeroed host memory the miniport owns. */
  for (i = 0; i < sizeof(ext->Scratch); ++i) CHECK(ext->Scratch[i] == 0);
  CHECK(ddimap_assign_memory_resource(ext, 0xA0000000ULL, 0x100000) == DDIMAP_OK);
  ext->FrameBufferPhysical.QuadPart = 0xA0000000LL;
  ext->FrameBufferLength = 0x100000;

  request.RequestedVirtualAddress = NULL;
  CHECK(Ioctl(ext, IOCTL_VIDEO_MAP_VIDEO_MEMORY, &request, sizeof(request), &info, sizeof(info), &information) ==
        NO_ERROR);
  CHECK(information == sizeof(VIDEO_MEMORY_INFORMATION));
  CHECK(info.VideoRamBase != NULL && info.FrameBufferBase == info.VideoRamBase);
  CHECK(info.VideoRamLength == 0x100000 && info.FrameBufferLength == 0x100000);
  CHECK(ext->MapCount == 1);

  frame = (PUCHAR)info.FrameBufferBase;
  VideoPortWriteRegisterUlong((PULONG)(frame + 0x40), 0xCAFEF00Du);
  CHECK(VideoPortReadRegisterUlong((PULONG)(frame + 0x40)) == 0xCAFEF00Du);

  request.RequestedVirtualAddress = info.VideoRamBase;
  CHECK(Ioctl(ext, IOCTL_VIDEO_UNMAP_VIDEO_MEMORY, &request, sizeof(request), NULL, 0, &information) == NO_ERROR);
  CHECK(ddimap_report_count() == 0);

  /* The same unmap again: the miniport's bug, named. */
  CHECK(Ioctl(ext, IOCTL_VIDEO_UNMAP_VIDEO_MEMORY, &request, sizeof(request), NULL, 0, &information) ==
        ERROR_INVALID_PARAMETER);
  CHECK(ddimap_rule_count("VIDEO.UNMAP_DOUBLE") == 1);

  /* Only the extension's own address names the device: an interior pointer does not. */
  CHECK(ddimap_enter_callback(DDIMAP_CB_VIDEO_START_IO, ext) == DDIMAP_OK);
  CHECK(VideoPortMapMemory(ext->Scratch, ext->FrameBufferPhysical, &length, &io, &va) == ERROR_INVALID_PARAMETER);
  CHECK(ddimap_leave_callback(TRUE) == DDIMAP_OK);
  CHECK(ddimap_rule_count("VIDEO.BAD_DEVICE") == 1);

  CHECK(ddimap_teardown() == DDIMAP_OK);
  CHECK(ddimap_report_count() == 2);
  CHECK(ddimap_machine_destroy() == DDIMAP_OK);
  return CheckSummary("video_extension");
}
