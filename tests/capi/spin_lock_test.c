/* Spin locks and stalls as drivers use them: NdisAcquireSpinLock and
 * KeAcquireSpinLock raise the simulated IRQL to DISPATCH_LEVEL and the release
 * restores it, so a DDI that needs PASSIVE_LEVEL called under a lock is
 * reported; the Dpr forms and the stalls leave the IRQL as it is. */
#include <ndis.h>
#include <video.h>
#include <wdm.h>

#include "ddimap/control.h"

#include "check.h"

int main(void) {
  NDIS_SPIN_LOCK lock;
  KSPIN_LOCK ke_lock;
  KIRQL old = HIGH_LEVEL;
  NDIS_HANDLE adapter;
  NDIS_PHYSICAL_ADDRESS bar;
  PVOID va = NULL;

  CHECK(ddimap_machine_create() == DDIMAP_OK);
  adapter = ddimap_create_ndis_adapter();
  CHECK(ddimap_assign_memory_resource(adapter, 0xFE000000ULL, 0x1000) == DDIMAP_OK);

  NdisAllocateSpinLock(&lock);
  NdisAcquireSpinLock(&lock);
  CHECK(KeGetCurrentIrql() == DISPATCH_LEVEL);
  NdisDprAcquireSpinLock(&lock); /* already at DISPATCH_LEVEL */
  NdisStallExecution(10);
  CHECK(KeGetCurrentIrql() == DISPATCH_LEVEL);
  NdisDprReleaseSpinLock(&lock);
  NdisReleaseSpinLock(&lock);
  CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL);

  KeInitializeSpinLock(&ke_lock);
  KeAcquireSpinLock(&ke_lock, &old);
  CHECK(old == PASSIVE_LEVEL && KeGetCurrentIrql() == DISPATCH_LEVEL);
  KeReleaseSpinLock(&ke_lock, old);
  CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL);
  VideoPortStallExecution(5);
  KeStallExecutionProcessor(5);
  CHECK(ddimap_report_count() == 0);

  /* The bug spin locks bring: an unmap under the lock, at DISPATCH_LEVEL. */
  CHECK(ddimap_enter_callback(DDIMAP_CB_MINIPORT_INITIALIZE_EX, adapter) == DDIMAP_OK);
  bar.QuadPart = 0xFE000000LL;
  CHECK(NdisMMapIoSpace(&va, adapter, bar, 0x1000) == NDIS_STATUS_SUCCESS);
  NdisAcquireSpinLock(&lock);
  NdisMUnmapIoSpace(adapter, va, 0x1000);
  NdisReleaseSpinLock(&lock);
  CHECK(ddimap_rule_count("NDIS_IO.IRQL") == 1);
  NdisMUnmapIoSpace(adapter, va, 0x1000); /* at PASSIVE_LEVEL again: released */
  CHECK(ddimap_leave_callback(TRUE) == DDIMAP_OK);
  NdisFreeSpinLock(&lock);

  CHECK(ddimap_teardown() == DDIMAP_OK);
  CHECK(ddimap_report_count() == 1);
  CHECK(ddimap_machine_destroy() == DDIMAP_OK);
  return CheckSummary("spin_lock");
}
