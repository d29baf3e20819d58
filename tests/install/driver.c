/* A driver-like C source built against an installed ddimap, outside the
 * source tree (ctest install_package): a WDM function driver that maps its
 * register BAR in IRP_MN_START_DEVICE and unmaps it in IRP_MN_STOP_DEVICE.
 * main() plays the operating system through ddimap/control.h. The first run of
 * the device is correct and must leave no report; the second one forgets the
 * unmap in IRP_MN_REMOVE_DEVICE, which must be reported once as MM_IO.LEAK.
 * Exits 0 when both hold. */
#include <ddimap/control.h>
#include <ddimap/wdk.h>
#include <stdio.h>
#include <string.h>

#define RAM_LEN 0x80000000ULL
#define REGS_BAR 0xFED00000ULL
#define REGS_LEN 0x1000u
#define REG_CONTROL 0x0u
#define REG_STATUS 0x4u

typedef struct DEVICE_EXTENSION {
  volatile ULONG *Registers; /* a guest address: only READ_/WRITE_REGISTER_* touch it */
} DEVICE_EXTENSION;

static volatile ULONG *Reg(const DEVICE_EXTENSION *ext, ULONG offset) {
  return (volatile ULONG *)((ULONG_PTR)ext->Registers + offset);
}

static int StartDevice(DEVICE_EXTENSION *ext) {
  PHYSICAL_ADDRESS pa;
  pa.QuadPart = (LONGLONG)REGS_BAR;
  ext->Registers = (volatile ULONG *)MmMapIoSpace(pa, REGS_LEN, MmNonCached);
  if (ext->Registers == NULL) return 0;
  WRITE_REGISTER_ULONG(Reg(ext, REG_CONTROL), 1);
  WRITE_REGISTER_ULONG(Reg(ext, REG_STATUS), 0x600D);
  return READ_REGISTER_ULONG(Reg(ext, REG_STATUS)) == 0x600D;
}

static void StopDevice(DEVICE_EXTENSION *ext) {
  WRITE_REGISTER_ULONG(Reg(ext, REG_CONTROL), 0);
  MmUnmapIoSpace((PVOID)ext->Registers, REGS_LEN);
  ext->Registers = NULL;
}

/* The bug: the registers stay mapped after the device is gone. */
static void RemoveDeviceForgettingUnmap(DEVICE_EXTENSION *ext) {
  WRITE_REGISTER_ULONG(Reg(ext, REG_CONTROL), 0);
}

static int failures = 0;

static void Expect(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "driver: FAILED: %s\n", what);
    ++failures;
  }
}

int main(void) {
  DEVICE_EXTENSION ext = {NULL};
  PVOID device;

  Expect(ddimap_machine_create() == DDIMAP_OK, "ddimap_machine_create");
  Expect(ddimap_add_ram(0, RAM_LEN) == DDIMAP_OK, "ddimap_add_ram");
  device = ddimap_create_wdm_device();
  Expect(device != NULL, "ddimap_create_wdm_device");
  Expect(ddimap_assign_memory_resource(device, REGS_BAR, 0x10000) == DDIMAP_OK,
         "ddimap_assign_memory_resource");

  /* Start, then stop: every mapping released where the WDK says. */
  ddimap_enter_callback(DDIMAP_CB_START_DEVICE, device);
  Expect(StartDevice(&ext), "StartDevice maps and reads back its registers");
  ddimap_leave_callback(TRUE);
  ddimap_enter_callback(DDIMAP_CB_STOP_DEVICE, device);
  StopDevice(&ext);
  ddimap_leave_callback(TRUE);
  Expect(ddimap_report_count() == 0, "a correct start and stop leave no report");

  /* Start again, then remove without unmapping. */
  ddimap_set_print_reports(0);
  ddimap_enter_callback(DDIMAP_CB_START_DEVICE, device);
  Expect(StartDevice(&ext), "StartDevice after a stop");
  ddimap_leave_callback(TRUE);
  ddimap_enter_callback(DDIMAP_CB_REMOVE_DEVICE, device);
  RemoveDeviceForgettingUnmap(&ext);
  ddimap_leave_callback(TRUE);
  Expect(ddimap_report_count() == 1, "one report for the forgotten unmap");
  Expect(ddimap_rule_count("MM_IO.LEAK") == 1, "the report is MM_IO.LEAK");
  {
    const char *rule = ddimap_report_rule(0);
    char text[4096];
    Expect(rule != NULL && strcmp(rule, "MM_IO.LEAK") == 0, "ddimap_report_rule(0) is MM_IO.LEAK");
    Expect(ddimap_report_text(0, text, sizeof text) > 0 && strstr(text, "MmMapIoSpace") != NULL,
           "the report names the MmMapIoSpace call that created the mapping");
  }

  Expect(ddimap_machine_destroy() == DDIMAP_OK, "ddimap_machine_destroy");
  if (failures == 0) printf("driver: 0 reports for the correct lifecycle, MM_IO.LEAK for the forgotten unmap\n");
  return failures == 0 ? 0 : 1;
}
