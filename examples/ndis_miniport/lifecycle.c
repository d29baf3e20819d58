/* NDIS's part for the ddxnet sample (miniport.c): builds the machine the
 * adapter sits in, loads the driver (DriverEntry), initializes and halts the
 * adapter, tears the machine down, and prints what ddimap reported.
 *
 *   ddxnet [RULE] [faulted]
 *
 * RULE: the rule the run must report (a planted bug's), or "-" for none, in
 * which case no report at all is allowed. "faulted": the device's status
 * register shows a fault before initialization (the driver must fail its
 * MiniportInitializeEx cleanly). Exit status 0 when the expectation holds. */
#include <stdio.h>
#include <string.h>

#include <ndis.h>

#include "ddimap/control.h"

#define DDXNET_BAR 0xFEB00000ULL
#define DDXNET_BAR_LENGTH 0x1000ULL
#define DDXNET_PORTS 0xE000ULL
#define DDXNET_PORT_COUNT 0x20ULL
#define DDXNET_REG_STATUS 0x04
#define DDXNET_STATUS_FAULT 0x80000000u

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

/* The device reports a fault: the operating system writes its status register
 * through a mapping of its own before the driver runs. */
static void FaultDevice(void) {
  PHYSICAL_ADDRESS bar;
  PUCHAR registers;
  bar.QuadPart = (LONGLONG)DDXNET_BAR;
  registers = (PUCHAR)MmMapIoSpace(bar, DDXNET_BAR_LENGTH, MmNonCached);
  if (registers == NULL) return;
  WRITE_REGISTER_ULONG((volatile ULONG *)(registers + DDXNET_REG_STATUS), DDXNET_STATUS_FAULT);
  MmUnmapIoSpace(registers, DDXNET_BAR_LENGTH);
}

int main(int argc, char **argv) {
  const char *expect = argc > 1 && strcmp(argv[1], "-") != 0 ? argv[1] : NULL;
  const int faulted = argc > 2 && strcmp(argv[2], "faulted") == 0;
  UNICODE_STRING path = RTL_CONSTANT_STRING(u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\ddxnet");
  NDIS_HANDLE adapter;
  NDIS_STATUS status;
  size_t i, reports;
  int ok;

  if (ddimap_machine_create() != DDIMAP_OK) return 2;
  ddimap_add_ram(0x100000, 0x100000);
  adapter = ddimap_create_ndis_adapter();
  ddimap_assign_memory_resource(adapter, DDXNET_BAR, DDXNET_BAR_LENGTH);
  ddimap_assign_port_resource(adapter, DDXNET_PORTS, DDXNET_PORT_COUNT);
  if (faulted) FaultDevice();

  if (DriverEntry(ddimap_driver_object(), &path) != STATUS_SUCCESS) {
    fprintf(stderr, "ddxnet: DriverEntry failed\n");
    return 1;
  }
  status = ddimap_ndis_initialize(adapter);
  printf("ddxnet: MiniportInitializeEx -> 0x%08x\n", (unsigned)status);
  if (status == NDIS_STATUS_SUCCESS) {
    ddimap_ndis_halt(adapter, NdisHaltDeviceDisabled);
    printf("ddxnet: MiniportHaltEx done\n");
  }
  ddimap_teardown();

  reports = ddimap_report_count();
  for (i = 0; i < reports && i < ddimap_recorded_report_count(); ++i)
    printf("ddxnet: report %s\n", ddimap_report_rule(i));
  ok = expect == NULL ? reports == 0 : ddimap_rule_count(expect) >= 1;
  if (faulted && status == NDIS_STATUS_SUCCESS) ok = 0; /* a faulted device must not initialize */
  printf("ddxnet: %zu report(s); expected %s: %s\n", reports, expect != NULL ? expect : "none",
         ok ? "ok" : "FAILED");
  ddimap_machine_destroy();
  return ok ? 0 : 1;
}
