/* Files a known set of reports through the C API, for the machine-readable
 * report test (json_report_test.py), which sets DDIMAP_OPTIONS (log_path,
 * format, policy) and reads what the machine wrote.
 *
 * In order (the call numbers count from the machine's first call):
 *   COMMON.NULL_POINTER   NdisMMapIoSpace(VirtualAddress=NULL) in MiniportInitializeEx
 *   MM_IO.MAP_IRQL        MmMapIoSpace at IRQL 5 (DIRQL): Driver Verifier bug check 0xC4
 *   MM_IO.UNMAP_DOUBLE    MmUnmapIoSpace twice: created and released calls
 *   NDIS_FILE.CONTEXT     NdisOpenFile outside MiniportInitializeEx, a name to escape
 *   MM_IO.UNMAP_NOT_MAPPED  in the context of a process (KeAttachProcess)
 *   VIDEO.LEAK            the process exits with a user-mode video mapping
 *   MM_IO.LEAK            a driver-wide mapping still live at teardown
 *
 * Prints the recorded reports' rule ids, one a line, on stdout, then exits 0.
 * Under policy=abort the first report ends the process. */
#include <stdio.h>

#include "ddimap/control.h"
#include "ddimap/wdk.h"

#define NIC_BAR 0xFEBF0000ULL
#define VIDEO_FB 0xE0000000ULL
#define UNASSIGNED 0xF0000000ULL

static PHYSICAL_ADDRESS Pa(ULONG64 value) {
  PHYSICAL_ADDRESS pa;
  pa.QuadPart = (LONGLONG)value;
  return pa;
}

int main(void) {
  NDIS_HANDLE nic;
  PVOID hw, p, leaked, va;
  HANDLE proc;
  NDIS_STRING name = NDIS_STRING_CONST("fw \"v2\"\\\t.bin");
  NDIS_STATUS status = 0;
  NDIS_HANDLE file = NULL;
  UINT length = 0;
  NDIS_PHYSICAL_ADDRESS highest;
  ULONG video_length = 0x1000;
  ULONG io = VIDEO_MEMORY_SPACE_MEMORY | VIDEO_MEMORY_SPACE_USER_MODE;
  size_t i;

  if (ddimap_machine_create() != DDIMAP_OK) return 2;
  if (ddimap_add_ram(0, 0x80000000ULL) != DDIMAP_OK) return 2;
  nic = ddimap_create_ndis_adapter();
  hw = ddimap_create_video_device();
  if (nic == NULL || hw == NULL) return 2;
  if (ddimap_assign_memory_resource(nic, NIC_BAR, 0x20000) != DDIMAP_OK) return 2;
  if (ddimap_assign_memory_resource(hw, VIDEO_FB, 0x1000000) != DDIMAP_OK) return 2;
  highest.QuadPart = -1;

  ddimap_enter_callback(DDIMAP_CB_MINIPORT_INITIALIZE_EX, nic);
  NdisMMapIoSpace(NULL, nic, Pa(NIC_BAR), 0x1000);
  ddimap_leave_callback(TRUE);

  ddimap_set_irql(5);
  MmMapIoSpace(Pa(UNASSIGNED), 0x1000, MmNonCached);
  ddimap_set_irql(PASSIVE_LEVEL);

  p = MmMapIoSpace(Pa(UNASSIGNED), 0x1000, MmNonCached);
  MmUnmapIoSpace(p, 0x1000);
  MmUnmapIoSpace(p, 0x1000);

  NdisOpenFile(&status, &file, &length, &name, highest);

  proc = ddimap_create_process();
  va = proc; /* in: the process */
  VideoPortMapMemory(hw, Pa(VIDEO_FB), &video_length, &io, &va);
  ddimap_attach_process(proc);
  MmUnmapIoSpace((PVOID)(ULONG_PTR)0xFFFFF00000000000ULL, 0x1000);
  ddimap_exit_process(proc);

  leaked = MmMapIoSpace(Pa(UNASSIGNED + 0x10000), 0x2000, MmCached);
  (void)leaked;
  ddimap_teardown();

  for (i = 0; i < ddimap_recorded_report_count(); ++i) printf("%s\n", ddimap_report_rule(i));
  ddimap_machine_destroy();
  return 0;
}
