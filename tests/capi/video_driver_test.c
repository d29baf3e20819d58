/* VideoPortInitialize and the video port driver's runners (ddimap/control.h):
 * what VideoPortInitialize refuses, that HwVidInitialize and HwVidStartIO run
 * only for an adapter HwVidFindAdapter accepted, each in its context, and that
 * a declined adapter's live device base is VIDEO_BASE.LEAK while an accepted
 * adapter keeps its bases through removal without a report. */
#include <miniport.h>
#include <video.h>

#include <stdio.h>
#include <string.h>

#include "ddimap/control.h"

#include "check.h"

typedef struct _EXT {
  PUCHAR Registers;
  ULONG FindCalls, InitCalls, StartIoCalls;
  ULONG ConfigLength;
  INTERFACE_TYPE Bus;
  BOOLEAN RegistryPathSeen;
} EXT, *PEXT;

static VP_STATUS g_find_result = NO_ERROR;
static LONGLONG g_registers = 0xFE000000LL;

static VP_STATUS Find(PVOID HwDeviceExtension, PVOID HwContext, PWSTR ArgumentString,
                      PVIDEO_PORT_CONFIG_INFO ConfigInfo, PUCHAR Again) {
  PEXT ext = (PEXT)HwDeviceExtension;
  PHYSICAL_ADDRESS regs;
  (void)HwContext;
  (void)ArgumentString;
  (void)Again;
  ext->FindCalls++;
  ext->ConfigLength = ConfigInfo->Length;
  ext->Bus = ConfigInfo->AdapterInterfaceType;
  ext->RegistryPathSeen = ConfigInfo->DriverRegistryPath != NULL && ConfigInfo->DriverRegistryPath[0] == u'\\';
  regs.QuadPart = g_registers;
  ext->Registers = (PUCHAR)VideoPortGetDeviceBase(ext, regs, 0x100, VIDEO_MEMORY_SPACE_MEMORY);
  return g_find_result; /* never frees: a declined adapter leaks its base */
}
static BOOLEAN Init(PVOID HwDeviceExtension) {
  ((PEXT)HwDeviceExtension)->InitCalls++;
  return TRUE;
}
static BOOLEAN StartIo(PVOID HwDeviceExtension, PVIDEO_REQUEST_PACKET RequestPacket) {
  ((PEXT)HwDeviceExtension)->StartIoCalls++;
  RequestPacket->StatusBlock->Status = NO_ERROR;
  return TRUE;
}


int main(void) {
  UNICODE_STRING path = RTL_CONSTANT_STRING(u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\vidtest");
  VIDEO_HW_INITIALIZATION_DATA data;
  STATUS_BLOCK sb;
  VIDEO_REQUEST_PACKET rp;
  PEXT a, b;

  CHECK(ddimap_machine_create() == DDIMAP_OK);
  /* Nothing registered yet. */
  CHECK(ddimap_video_add_device() == NULL);

  memset(&data, 0, sizeof(data));
  data.HwInitDataSize = sizeof(data);
  data.HwFindAdapter = Find;
  data.HwInitialize = Init;
  data.HwDeviceExtensionSize = sizeof(EXT);
  data.AdapterInterfaceType = PCIBus;
  CHECK(VideoPortInitialize(ddimap_driver_object(), &path, &data, NULL) == (ULONG)STATUS_INVALID_PARAMETER);
  data.HwStartIO = StartIo;
  data.HwInitDataSize = sizeof(data) + 4;
  CHECK(VideoPortInitialize(ddimap_driver_object(), &path, &data, NULL) == (ULONG)STATUS_REVISION_MISMATCH);
  data.HwInitDataSize = sizeof(data);
  CHECK(VideoPortInitialize(NULL, &path, &data, NULL) == (ULONG)STATUS_INVALID_PARAMETER);
  CHECK(ddimap_video_add_device() == NULL);
  CHECK(VideoPortInitialize(ddimap_driver_object(), &path, &data, NULL) == NO_ERROR);

  a = (PEXT)ddimap_video_add_device();
  b = (PEXT)ddimap_video_add_device();
  CHECK(a != NULL && b != NULL && a != b);
  if (a == NULL || b == NULL) return 1;
  CHECK(a->FindCalls == 0 && a->Registers == NULL); /* zeroed */
  CHECK(ddimap_assign_memory_resource(a, 0xFE000000ULL, 0x1000) == DDIMAP_OK);
  CHECK(ddimap_assign_memory_resource(b, 0xFE100000ULL, 0x1000) == DDIMAP_OK);

  /* Not found yet: neither HwVidInitialize nor HwVidStartIO runs. */
  rp.IoControlCode = IOCTL_VIDEO_MAP_VIDEO_MEMORY;
  rp.StatusBlock = &sb;
  rp.InputBuffer = rp.OutputBuffer = NULL;
  rp.InputBufferLength = rp.OutputBufferLength = 0;
  CHECK(!ddimap_video_initialize(a) && a->InitCalls == 0);
  CHECK(!ddimap_video_start_io(a, &rp) && a->StartIoCalls == 0);
  CHECK(ddimap_video_find_adapter(&path) == ERROR_DEV_NOT_EXIST); /* not an added extension */

  /* Declined: the base it kept is VIDEO_BASE.LEAK when HwVidFindAdapter returns. */
  g_find_result = ERROR_DEV_NOT_EXIST;
  g_registers = 0xFE100000LL;
  CHECK(ddimap_video_find_adapter(b) == ERROR_DEV_NOT_EXIST);
  CHECK(b->Registers != NULL);
  CHECK(ddimap_rule_count("VIDEO_BASE.LEAK") == 1);
  CHECK(!ddimap_video_initialize(b) && b->InitCalls == 0);

  /* Accepted: the port driver's configuration, then the other entry points. */
  g_find_result = NO_ERROR;
  g_registers = 0xFE000000LL;
  CHECK(ddimap_video_find_adapter(a) == NO_ERROR);
  CHECK(a->FindCalls == 1 && a->Registers != NULL);
  CHECK(a->ConfigLength == sizeof(VIDEO_PORT_CONFIG_INFO) && a->Bus == PCIBus && a->RegistryPathSeen);
  CHECK(ddimap_video_initialize(a) && a->InitCalls == 1);
  CHECK(ddimap_video_start_io(a, &rp) && a->StartIoCalls == 1);

  /* The accepted adapter's base stays live until removal, which reports nothing. */
  CHECK(ddimap_teardown() == DDIMAP_OK);
  CHECK(ddimap_report_count() == 1);
  CHECK(ddimap_machine_destroy() == DDIMAP_OK);
  return CheckSummary("video_driver");
}
