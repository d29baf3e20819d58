/* Fault injection through the C API, as a driver meets it: a miniport's
 * MiniportInitializeEx maps two BARs from two lines and must unmap the first
 * when the second fails. With DDIMAP_FAULTS_SYSTEMATIC each line fails once:
 * three adapters' initializations (a failed adapter is not initialized
 * again) take both error paths and then succeed, and a driver that forgets
 * the first unmap on the second path gets NDIS_IO.LEAK, named after the
 * injected failure that led there. */
#include <ndis.h>

#include <string.h>

#include "ddimap/control.h"

#include "check.h"

static int g_leaky;

static NDIS_STATUS Initialize(NDIS_HANDLE adapter, LONGLONG bars, PVOID *bar0, PVOID *bar1) {
  NDIS_PHYSICAL_ADDRESS pa;
  NDIS_STATUS status;
  pa.QuadPart = bars;
  status = NdisMMapIoSpace(bar0, adapter, pa, 0x1000);
  if (status != NDIS_STATUS_SUCCESS) return status;
  pa.QuadPart = bars + 0x1000;
  status = NdisMMapIoSpace(bar1, adapter, pa, 0x1000);
  if (status != NDIS_STATUS_SUCCESS) {
    if (!g_leaky) NdisMUnmapIoSpace(adapter, *bar0, 0x1000);
    return status;
  }
  return NDIS_STATUS_SUCCESS;
}

/* A new adapter with two BARs, initialized once. */
static NDIS_STATUS RunInitialize(PVOID *bar0, PVOID *bar1) {
  static LONGLONG next = 0xFE000000LL;
  NDIS_HANDLE adapter = ddimap_create_ndis_adapter();
  NDIS_STATUS status;
  const LONGLONG bars = next;
  next += 0x2000;
  CHECK(ddimap_assign_memory_resource(adapter, (ULONG64)bars, 0x2000) == DDIMAP_OK);
  CHECK(ddimap_enter_callback(DDIMAP_CB_MINIPORT_INITIALIZE_EX, adapter) == DDIMAP_OK);
  status = Initialize(adapter, bars, bar0, bar1);
  CHECK(ddimap_leave_callback(status == NDIS_STATUS_SUCCESS) == DDIMAP_OK);
  return status;
}

int main(void) {
  PVOID bar0 = NULL, bar1 = NULL;
  char text[2048];

  CHECK(ddimap_machine_create() == DDIMAP_OK);
  CHECK(ddimap_set_faults(7, 0, 0) == DDIMAP_E_BAD_ARGUMENT);
  CHECK(ddimap_set_faults(DDIMAP_FAULTS_SYSTEMATIC, 0, 0) == DDIMAP_OK);

  /* The correct driver: each line fails once, then initialization succeeds. */
  CHECK(RunInitialize(&bar0, &bar1) == NDIS_STATUS_RESOURCES);
  CHECK(RunInitialize(&bar0, &bar1) == NDIS_STATUS_RESOURCES);
  CHECK(RunInitialize(&bar0, &bar1) == NDIS_STATUS_SUCCESS);
  CHECK(ddimap_injected_fault_count() == 2);
  CHECK(ddimap_report_count() == 0);
  CHECK(ddimap_machine_destroy() == DDIMAP_OK);

  /* The leaky driver: the second error path keeps the first BAR. */
  g_leaky = 1;
  CHECK(ddimap_machine_create() == DDIMAP_OK);
  CHECK(ddimap_set_faults(DDIMAP_FAULTS_SYSTEMATIC, 0, 0) == DDIMAP_OK);
  CHECK(RunInitialize(&bar0, &bar1) == NDIS_STATUS_RESOURCES);
  CHECK(ddimap_report_count() == 0);
  CHECK(RunInitialize(&bar0, &bar1) == NDIS_STATUS_RESOURCES);
  CHECK(ddimap_rule_count("NDIS_IO.LEAK") == 1);
  CHECK(ddimap_report_text(0, text, sizeof(text)) > 0);
  CHECK(strstr(text, "NdisMMapIoSpace(") != NULL && strstr(text, ", failed by fault injection\n") != NULL);
  CHECK(ddimap_machine_destroy() == DDIMAP_OK);

  /* Random at probability 1: every map fails, the same way run after run. */
  CHECK(ddimap_machine_create() == DDIMAP_OK);
  CHECK(ddimap_set_faults(DDIMAP_FAULTS_RANDOM, 1000000, 5) == DDIMAP_OK);
  CHECK(RunInitialize(&bar0, &bar1) == NDIS_STATUS_RESOURCES);
  CHECK(RunInitialize(&bar0, &bar1) == NDIS_STATUS_RESOURCES);
  CHECK(ddimap_injected_fault_count() == 2);
  CHECK(ddimap_machine_destroy() == DDIMAP_OK);
  CHECK(ddimap_injected_fault_count() == 0);
  return CheckSummary("faults");
}
