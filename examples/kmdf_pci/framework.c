/* The framework's part for the ddxpci sample (driver.c): builds the machine
 * with the PCI device, loads the driver (DriverEntry), adds the device,
 * prepares and releases its hardware twice (start, stop, start, remove), tears
 * the machine down, and prints what ddimap reported.
 *
 *   ddxpci [RULE]
 *
 * RULE: the rule the run must report (a planted bug's), or "-" for none, in
 * which case no report at all is allowed. Exit status 0 when that holds. */
#include <stdio.h>
#include <string.h>

#include <ntddk.h>
#include <wdf.h>

#include "ddimap/control.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

int main(int argc, char **argv) {
  const char *expect = argc > 1 && strcmp(argv[1], "-") != 0 ? argv[1] : NULL;
  UNICODE_STRING path = RTL_CONSTANT_STRING(u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\ddxpci");
  WDFDEVICE device = NULL;
  PVOID pdo;
  size_t i, reports;
  int round, ok;

  if (ddimap_machine_create() != DDIMAP_OK) return 2;
  pdo = ddimap_create_wdm_device();
  ddimap_assign_memory_resource(pdo, 0xFE200000ULL, 0x2000);
  if (DriverEntry(ddimap_driver_object(), &path) != STATUS_SUCCESS ||
      ddimap_kmdf_add_device(pdo, &device) != STATUS_SUCCESS) {
    fprintf(stderr, "ddxpci: the driver did not load\n");
    return 1;
  }
  for (round = 0; round < 2; ++round) {
    NTSTATUS prepared = ddimap_kmdf_prepare_hardware(device);
    printf("ddxpci: EvtDevicePrepareHardware -> 0x%08x\n", (unsigned)prepared);
    printf("ddxpci: EvtDeviceReleaseHardware -> 0x%08x\n", (unsigned)ddimap_kmdf_release_hardware(device));
  }
  ddimap_teardown();

  reports = ddimap_report_count();
  for (i = 0; i < reports && i < ddimap_recorded_report_count(); ++i)
    printf("ddxpci: report %s\n", ddimap_report_rule(i));
  ok = expect == NULL ? reports == 0 : ddimap_rule_count(expect) >= 1;
  printf("ddxpci: %zu report(s); expected %s: %s\n", reports, expect != NULL ? expect : "none", ok ? "ok" : "FAILED");
  ddimap_machine_destroy();
  return ok ? 0 : 1;
}
