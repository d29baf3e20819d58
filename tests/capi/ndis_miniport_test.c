/* An NDIS 6 miniport's registration and adapter lifecycle run by the
 * operating system's side (ddimap_ndis_initialize / ddimap_ndis_halt). The
 * miniport half is written against <ndis.h> only; main() plays NDIS. The
 * miniport fails its initialization on request (after mapping its registers,
 * the classic leak) to check that the failing MiniportInitializeEx's leak
 * check runs. */
#include <ndis.h>

#include <stdio.h>

#include "ddimap/control.h"

#include "check.h"

#define MP_TAG 0x4D504444u /* 'DDPM' */
#define MP_BAR 0xFEB00000LL
#define MP_BAR_LENGTH 0x1000
#define MP_REG_CONTROL 0x00

typedef struct _MP_ADAPTER {
  NDIS_HANDLE AdapterHandle;
  PUCHAR Registers;
  ULONG HaltCount;
} MP_ADAPTER, *PMP_ADAPTER;

static NDIS_HANDLE g_driver_handle;
static BOOLEAN g_fail_after_map; /* the planted bug: fail without unmapping */
static ULONG g_halted;

static MINIPORT_INITIALIZE MpInitializeEx;
static MINIPORT_HALT MpHaltEx;
static MINIPORT_UNLOAD MpUnload;

static NDIS_STATUS MpInitializeEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportDriverContext,
                                  PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters) {
  NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES reg;
  NDIS_PHYSICAL_ADDRESS bar;
  NDIS_STATUS status;
  PMP_ADAPTER adapter;
  UNREFERENCED_PARAMETER(MiniportDriverContext);
  if (MiniportInitParameters->Header.Type != NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS)
    return NDIS_STATUS_FAILURE;

  adapter = (PMP_ADAPTER)NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(MP_ADAPTER), MP_TAG,
                                                           NormalPoolPriority);
  if (adapter == NULL) return NDIS_STATUS_RESOURCES;
  NdisZeroMemory(adapter, sizeof(MP_ADAPTER));
  adapter->AdapterHandle = MiniportAdapterHandle;

  NdisZeroMemory(&reg, sizeof(reg));
  reg.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
  reg.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
  reg.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
  reg.MiniportAdapterContext = adapter;
  reg.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE | NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
  reg.InterfaceType = NdisInterfacePci;
  status = NdisMSetMiniportAttributes(MiniportAdapterHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&reg);
  if (status != NDIS_STATUS_SUCCESS) goto fail;

  bar.QuadPart = MP_BAR;
  status = NdisMMapIoSpace((PVOID *)&adapter->Registers, MiniportAdapterHandle, bar, MP_BAR_LENGTH);
  if (status != NDIS_STATUS_SUCCESS) goto fail;
  NdisWriteRegisterUlong(adapter->Registers + MP_REG_CONTROL, 1);
  if (g_fail_after_map) {
    status = NDIS_STATUS_ADAPTER_NOT_FOUND;
    goto fail; /* BUG: the registers stay mapped */
  }
  return NDIS_STATUS_SUCCESS;

fail:
  NdisFreeMemory(adapter, sizeof(MP_ADAPTER), 0);
  return status;
}

static VOID MpHaltEx(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction) {
  PMP_ADAPTER adapter = (PMP_ADAPTER)MiniportAdapterContext;
  UNREFERENCED_PARAMETER(HaltAction);
  NdisWriteRegisterUlong(adapter->Registers + MP_REG_CONTROL, 0);
  NdisMUnmapIoSpace(adapter->AdapterHandle, adapter->Registers, MP_BAR_LENGTH);
  NdisFreeMemory(adapter, sizeof(MP_ADAPTER), 0);
  ++g_halted;
}

static VOID MpUnload(PDRIVER_OBJECT DriverObject) {
  UNREFERENCED_PARAMETER(DriverObject);
  NdisMDeregisterMiniportDriver(g_driver_handle);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars;
  NdisZeroMemory(&chars, sizeof(chars));
  chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
  chars.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
  chars.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
  chars.MajorNdisVersion = 6;
  chars.MinorNdisVersion = 20;
  chars.InitializeHandlerEx = MpInitializeEx;
  chars.HaltHandlerEx = MpHaltEx;
  chars.UnloadHandler = MpUnload;
  return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &chars, &g_driver_handle);
}

/* ---- NDIS's part ---------------------------------------------------------------------- */

static NDIS_HANDLE NewAdapter(void) {
  NDIS_HANDLE a = ddimap_create_ndis_adapter();
  CHECK(a != NULL);
  CHECK(ddimap_assign_memory_resource(a, (ULONG64)MP_BAR, MP_BAR_LENGTH) == DDIMAP_OK);
  return a;
}

int main(void) {
  UNICODE_STRING path = RTL_CONSTANT_STRING(u"\\Registry\\Machine\\System\\ddimap");
  NDIS_HANDLE a;

  CHECK(ddimap_ndis_initialize(NULL) == NDIS_STATUS_FAILURE); /* no machine */
  CHECK(ddimap_machine_create() == DDIMAP_OK);
  a = NewAdapter();
  CHECK(ddimap_ndis_initialize(a) == NDIS_STATUS_FAILURE); /* no driver registered yet */
  CHECK(DriverEntry(ddimap_driver_object(), &path) == STATUS_SUCCESS);

  /* The correct lifecycle: no report. */
  CHECK(ddimap_ndis_initialize(a) == NDIS_STATUS_SUCCESS);
  CHECK(ddimap_ndis_halt(a, NdisHaltDeviceDisabled) == DDIMAP_OK);
  CHECK(g_halted == 1);
  CHECK(ddimap_teardown() == DDIMAP_OK);
  CHECK(ddimap_report_count() == 0);

  /* A new machine, the same registered driver: its failing initialization leaks the mapping. */
  CHECK(ddimap_machine_create() == DDIMAP_OK);
  a = NewAdapter();
  CHECK(ddimap_ndis_halt(a, NdisHaltDeviceDisabled) == DDIMAP_E_BAD_STATE); /* never initialized */
  g_fail_after_map = TRUE;
  CHECK(ddimap_ndis_initialize(a) == NDIS_STATUS_ADAPTER_NOT_FOUND);
  CHECK(ddimap_rule_count("NDIS_IO.LEAK") == 1);
  CHECK(ddimap_report_count() == 1);
  CHECK(ddimap_machine_destroy() == DDIMAP_OK);

  MpUnload(ddimap_driver_object());
  return CheckSummary("ndis_miniport");
}
