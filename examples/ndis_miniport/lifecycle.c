/* NDIS's part for the ddxnet sample (miniport.c): builds the machine the
 * adapter sits in, loads the driver (DriverEntry), initializes and halts the
 * adapter, tears the machine down, and prints what ddimap reported.
 *
 *   ddxnet [RULE] [faulted|systematic]
 *
 * RULE: the rule the run must report (a planted bug's), or "-" for none, in
 * which case no report at all is allowed. "faulted": the device's status
 * register shows a fault before initialization (the driver must fail its
 * MiniportInitializeEx cleanly). "systematic": systematic fault injection
 * (Driver Verifier's Systematic Low Resources Simulation): adapter after
 * adapter is initialized and halted, each initialization failing the next
 * call site that has not failed yet, until one runs without a failure, so
 * every error path of MiniportInitializeEx runs once. Exit status 0 when the
 * expectation holds. */
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

/* An adapter with its BAR and port range; the index keeps the adapters of a
 * systematic run apart. */
static NDIS_HANDLE NewAdapter(unsigned index) {
  NDIS_HANDLE adapter = ddimap_create_ndis_adapter();
  ddimap_assign_memory_resource(adapter, DDXNET_BAR + index * 0x10000ULL, DDXNET_BAR_LENGTH);
  ddimap_assign_port_resource(adapter, DDXNET_PORTS + index * 0x100ULL, DDXNET_PORT_COUNT);
  return adapter;
}

/* Initializes and halts adapters under systematic fault injection until an
 * initialization meets no injected failure; returns how many ran. */
static unsigned RunSystematic(void) {
  unsigned index;
  ddimap_set_faults(DDIMAP_FAULTS_SYSTEMATIC, 0, 0);
  for (index = 0; index < 32; ++index) {
    const size_t before = ddimap_injected_fault_count();
    NDIS_HANDLE adapter = NewAdapter(index);
    NDIS_STATUS status = ddimap_ndis_initialize(adapter);
    printf("ddxnet: adapter %u: MiniportInitializeEx -> 0x%08x\n", index, (unsigned)status);
    if (status == NDIS_STATUS_SUCCESS) ddimap_ndis_halt(adapter, NdisHaltDeviceDisabled);
    if (ddimap_injected_fault_count() == before) return index + 1;
  }
  return index;
}

int main(int argc, char **argv) {
  const char *expect = argc > 1 && strcmp(argv[1], "-") != 0 ? argv[1] : NULL;
  const int faulted = argc > 2 && strcmp(argv[2], "faulted") == 0;
  const int systematic = argc > 2 && strcmp(argv[2], "systematic") == 0;
  UNICODE_STRING path = RTL_CONSTANT_STRING(u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\ddxnet");
  NDIS_HANDLE adapter;
  NDIS_STATUS status;
  size_t i, reports;
  int ok;

  if (ddimap_machine_create() != DDIMAP_OK) return 2;
  ddimap_add_ram(0x100000, 0x100000);
  if (DriverEntry(ddimap_driver_object(), &path) != STATUS_SUCCESS) {
    fprintf(stderr, "ddxnet: DriverEntry failed\n");
    return 1;
  }
  if (systematic) {
    const unsigned adapters = RunSystematic();
    printf("ddxnet: %u adapter(s), %zu injected failure(s)\n", adapters, ddimap_injected_fault_count());
    status = NDIS_STATUS_SUCCESS;
  } else {
    adapter = NewAdapter(0);
    if (faulted) FaultDevice();
    status = ddimap_ndis_initialize(adapter);
    printf("ddxnet: MiniportInitializeEx -> 0x%08x\n", (unsigned)status);
    if (status == NDIS_STATUS_SUCCESS) {
      ddimap_ndis_halt(adapter, NdisHaltDeviceDisabled);
      printf("ddxnet: MiniportHaltEx done\n");
    }
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
