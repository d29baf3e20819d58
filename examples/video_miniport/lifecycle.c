/* The video port driver's part for the ddxvid sample (miniport.c): builds the
 * machine with the display adapter, loads the miniport (DriverEntry), finds
 * and initializes the adapter, then plays a display driver's process that maps
 * the frame buffer through IOCTL_VIDEO_MAP_VIDEO_MEMORY, draws, unmaps it and
 * exits; tears the machine down and prints what ddimap reported.
 *
 *   ddxvid [RULE] [faulted|systematic]
 *
 * RULE: the rule the run must report (a planted bug's), or "-" for none, in
 * which case no report at all is allowed. "faulted": the adapter reads all
 * ones (gone from the bus), so the miniport must decline it in
 * HwVidFindAdapter and free what it mapped. "systematic": systematic fault
 * injection: adapter after adapter goes through the whole lifecycle, each
 * failing the next call site that has not failed yet, until one meets no
 * failure, so every error path runs once. Exit status 0 when the expectation
 * holds. */
#include <stdio.h>
#include <string.h>

#include <miniport.h>
#include <ntddvdeo.h>
#include <video.h>

#include "ddimap/control.h"

#define DDXVID_FRAME_BUFFER 0xD0000000ULL
#define DDXVID_FRAME_BUFFER_LENGTH 0x800000ULL
#define DDXVID_REGISTERS 0xFEBF0000ULL
#define DDXVID_REGISTERS_LENGTH 0x1000ULL
#define DDXVID_VGA_PORTS 0x3C0ULL
#define DDXVID_VGA_PORT_COUNT 0x20ULL

ULONG DriverEntry(PVOID Context1, PVOID Context2);

/* The adapter is gone: its chip ID register reads all ones. The operating
 * system writes it through a mapping of its own before the miniport runs. */
static void FaultDevice(void) {
  PHYSICAL_ADDRESS registers;
  PUCHAR va;
  registers.QuadPart = (LONGLONG)DDXVID_REGISTERS;
  va = (PUCHAR)MmMapIoSpace(registers, DDXVID_REGISTERS_LENGTH, MmNonCached);
  if (va == NULL) return;
  WRITE_REGISTER_ULONG((volatile ULONG *)va, 0xFFFFFFFFu);
  MmUnmapIoSpace(va, DDXVID_REGISTERS_LENGTH);
}

/* One request through HwVidStartIO, as the port driver forwards a display
 * driver's EngDeviceIoControl; returns the miniport's status. */
static VP_STATUS Ioctl(PVOID extension, ULONG code, PVOID in, ULONG in_length, PVOID out, ULONG out_length) {
  STATUS_BLOCK status_block;
  VIDEO_REQUEST_PACKET packet;
  memset(&status_block, 0, sizeof(status_block));
  packet.IoControlCode = code;
  packet.StatusBlock = &status_block;
  packet.InputBuffer = in;
  packet.InputBufferLength = in_length;
  packet.OutputBuffer = out;
  packet.OutputBufferLength = out_length;
  if (!ddimap_video_start_io(extension, &packet)) return ERROR_INVALID_FUNCTION;
  return status_block.Status;
}

/* The display driver of one process: maps the frame buffer, draws a pixel,
 * unmaps it. */
static void DisplayDriver(PVOID extension) {
  HANDLE process = ddimap_create_process();
  VIDEO_MEMORY request;
  VIDEO_MEMORY_INFORMATION info;
  VP_STATUS status;

  ddimap_attach_process(process);
  request.RequestedVirtualAddress = process;
  memset(&info, 0, sizeof(info));
  status = Ioctl(extension, IOCTL_VIDEO_MAP_VIDEO_MEMORY, &request, sizeof(request), &info, sizeof(info));
  printf("ddxvid: IOCTL_VIDEO_MAP_VIDEO_MEMORY -> %ld\n", (long)status);
  if (status == NO_ERROR) {
    WRITE_REGISTER_ULONG((volatile ULONG *)info.FrameBufferBase, 0x00FF00FFu);
    request.RequestedVirtualAddress = info.VideoRamBase;
    status = Ioctl(extension, IOCTL_VIDEO_UNMAP_VIDEO_MEMORY, &request, sizeof(request), NULL, 0);
    printf("ddxvid: IOCTL_VIDEO_UNMAP_VIDEO_MEMORY -> %ld\n", (long)status);
  }
  ddimap_attach_process(NULL);
  ddimap_exit_process(process);
}

/* A display adapter with its three ranges; the index keeps the adapters of a
 * systematic run apart. */
static PVOID NewAdapter(unsigned index) {
  PVOID extension = ddimap_video_add_device();
  ddimap_assign_memory_resource(extension, DDXVID_FRAME_BUFFER + index * 0x1000000ULL, DDXVID_FRAME_BUFFER_LENGTH);
  ddimap_assign_memory_resource(extension, DDXVID_REGISTERS + index * 0x10000ULL, DDXVID_REGISTERS_LENGTH);
  ddimap_assign_port_resource(extension, DDXVID_VGA_PORTS + index * 0x100ULL, DDXVID_VGA_PORT_COUNT);
  return extension;
}

/* The whole lifecycle of one adapter; HwVidFindAdapter's status. */
static VP_STATUS Lifecycle(PVOID extension) {
  VP_STATUS found = ddimap_video_find_adapter(extension);
  printf("ddxvid: HwVidFindAdapter -> %ld\n", (long)found);
  if (found == NO_ERROR) {
    printf("ddxvid: HwVidInitialize -> %s\n", ddimap_video_initialize(extension) ? "TRUE" : "FALSE");
    DisplayDriver(extension);
  }
  return found;
}

int main(int argc, char **argv) {
  const char *expect = argc > 1 && strcmp(argv[1], "-") != 0 ? argv[1] : NULL;
  const int faulted = argc > 2 && strcmp(argv[2], "faulted") == 0;
  const int systematic = argc > 2 && strcmp(argv[2], "systematic") == 0;
  UNICODE_STRING path = RTL_CONSTANT_STRING(u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\ddxvid");
  PVOID extension;
  VP_STATUS found;
  size_t i, reports;
  int ok;

  if (ddimap_machine_create() != DDIMAP_OK) return 2;
  ddimap_add_ram(0x100000, 0x100000);
  if (DriverEntry(ddimap_driver_object(), &path) != NO_ERROR) {
    fprintf(stderr, "ddxvid: DriverEntry failed\n");
    return 1;
  }
  if (systematic) {
    unsigned index;
    ddimap_set_faults(DDIMAP_FAULTS_SYSTEMATIC, 0, 0);
    for (index = 0; index < 32; ++index) {
      const size_t before = ddimap_injected_fault_count();
      Lifecycle(NewAdapter(index));
      if (ddimap_injected_fault_count() == before) break;
    }
    printf("ddxvid: %zu injected failure(s)\n", ddimap_injected_fault_count());
    found = NO_ERROR;
  } else {
    extension = NewAdapter(0);
    if (faulted) FaultDevice();
    found = Lifecycle(extension);
  }
  ddimap_teardown();

  reports = ddimap_report_count();
  for (i = 0; i < reports && i < ddimap_recorded_report_count(); ++i)
    printf("ddxvid: report %s\n", ddimap_report_rule(i));
  ok = expect == NULL ? reports == 0 : ddimap_rule_count(expect) >= 1;
  if (faulted && found == NO_ERROR) ok = 0; /* a gone adapter must be declined */
  printf("ddxvid: %zu report(s); expected %s: %s\n", reports, expect != NULL ? expect : "none", ok ? "ok" : "FAILED");
  ddimap_machine_destroy();
  return ok ? 0 : 1;
}
