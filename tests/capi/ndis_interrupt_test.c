/* NdisMRegisterInterruptEx / NdisMDeregisterInterruptEx as a miniport meets
 * them (ddimap/wdk/ndis.h): what is refused, what is recorded, and that a
 * deregistered interrupt can be registered again. */
#include <ndis.h>

#include <stdio.h>

#include "ddimap/control.h"

#include "check.h"

static BOOLEAN Isr(NDIS_HANDLE MiniportInterruptContext, PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors) {
  UNREFERENCED_PARAMETER(MiniportInterruptContext);
  UNREFERENCED_PARAMETER(QueueDefaultInterruptDpc);
  UNREFERENCED_PARAMETER(TargetProcessors);
  return FALSE;
}

static VOID Dpc(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext, PVOID ReceiveThrottleParameters,
                PVOID NdisReserved2) {
  UNREFERENCED_PARAMETER(MiniportInterruptContext);
  UNREFERENCED_PARAMETER(MiniportDpcContext);
  UNREFERENCED_PARAMETER(ReceiveThrottleParameters);
  UNREFERENCED_PARAMETER(NdisReserved2);
}

static NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS Characteristics(void) {
  NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS c;
  NdisZeroMemory(&c, sizeof(c));
  c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
  c.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
  c.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
  c.InterruptHandler = Isr;
  c.InterruptDpcHandler = Dpc;
  return c;
}

int main(void) {
  NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS c;
  NDIS_HANDLE adapter, other, handle = NULL, second = NULL;
  int context;

  CHECK(ddimap_machine_create() == DDIMAP_OK);
  adapter = ddimap_create_ndis_adapter();
  other = ddimap_create_ndis_adapter();

  c = Characteristics();
  CHECK(NdisMRegisterInterruptEx(NULL, &context, &c, &handle) == NDIS_STATUS_FAILURE);
  CHECK(NdisMRegisterInterruptEx(adapter, &context, NULL, &handle) == NDIS_STATUS_FAILURE);
  CHECK(NdisMRegisterInterruptEx(adapter, &context, &c, NULL) == NDIS_STATUS_FAILURE);
  c.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
  CHECK(NdisMRegisterInterruptEx(adapter, &context, &c, &handle) == NDIS_STATUS_FAILURE);
  c = Characteristics();
  c.InterruptDpcHandler = NULL;
  CHECK(NdisMRegisterInterruptEx(adapter, &context, &c, &handle) == NDIS_STATUS_FAILURE);
  CHECK(handle == NULL);

  c = Characteristics();
  CHECK(NdisMRegisterInterruptEx(adapter, &context, &c, &handle) == NDIS_STATUS_SUCCESS);
  CHECK(handle != NULL);
  CHECK(c.InterruptType == NDIS_CONNECT_LINE_BASED);
  /* One interrupt per adapter; another adapter has its own. */
  CHECK(NdisMRegisterInterruptEx(adapter, &context, &c, &second) == NDIS_STATUS_FAILURE);
  CHECK(NdisMRegisterInterruptEx(other, &context, &c, &second) == NDIS_STATUS_SUCCESS);
  CHECK(second != NULL && second != handle);
  NdisMDeregisterInterruptEx(handle);
  CHECK(NdisMRegisterInterruptEx(adapter, &context, &c, &handle) == NDIS_STATUS_SUCCESS);
  NdisMDeregisterInterruptEx(handle);
  NdisMDeregisterInterruptEx(second);

  CHECK(ddimap_report_count() == 0);
  CHECK(ddimap_machine_destroy() == DDIMAP_OK);
  return CheckSummary("ndis_interrupt");
}
