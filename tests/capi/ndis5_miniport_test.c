/* An NDIS 5.1 miniport as such drivers are written (NdisMInitializeWrapper,
 * NdisMRegisterMiniport, MiniportInitialize picking its medium,
 * NdisMSetAttributesEx, NdisMQueryAdapterResources, NdisMMapIoSpace and
 * NdisMRegisterIoPortRange; MiniportHalt releasing both), run by
 * ddimap_ndis_initialize / ddimap_ndis_halt. Checks the registration's
 * refusals, a clean lifecycle with 0 reports, a forgotten unmap reported at
 * MiniportHalt, and an adapter without the driver's medium declined. */
#include <ndis.h>

#include <stdio.h>
#include <string.h>

#include "ddimap/control.h"

#include "check.h"

typedef struct _ADAPTER {
  NDIS_HANDLE Handle;
  NDIS_PHYSICAL_ADDRESS BarPhysical;
  UINT BarLength;
  PUCHAR Registers;
  UINT PortBase, PortCount;
  PVOID PortOffset;
} ADAPTER, *PADAPTER;

static int g_forget_unmap;
static NDIS_MEDIUM g_my_medium = NdisMedium802_3;

static NDIS_STATUS Ndis5Initialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex, PNDIS_MEDIUM MediumArray,
                                   UINT MediumArraySize, NDIS_HANDLE MiniportAdapterHandle,
                                   NDIS_HANDLE WrapperConfigurationContext) {
  UCHAR buffer[512];
  PNDIS_RESOURCE_LIST resources = (PNDIS_RESOURCE_LIST)buffer;
  UINT size = sizeof(buffer), i;
  NDIS_STATUS status;
  PADAPTER adapter;

  UNREFERENCED_PARAMETER(OpenErrorStatus);
  for (i = 0; i < MediumArraySize; ++i)
    if (MediumArray[i] == g_my_medium) break;
  if (i == MediumArraySize) return NDIS_STATUS_UNSUPPORTED_MEDIA;
  *SelectedMediumIndex = i;

  if (NdisAllocateMemoryWithTag((PVOID *)&adapter, sizeof(ADAPTER), 'x5dN') != NDIS_STATUS_SUCCESS)
    return NDIS_STATUS_RESOURCES;
  NdisZeroMemory(adapter, sizeof(ADAPTER));
  adapter->Handle = MiniportAdapterHandle;
  NdisMSetAttributesEx(MiniportAdapterHandle, adapter, 0, NDIS_ATTRIBUTE_DESERIALIZE | NDIS_ATTRIBUTE_BUS_MASTER,
                       NdisInterfacePci);

  NdisMQueryAdapterResources(&status, WrapperConfigurationContext, resources, &size);
  if (status != NDIS_STATUS_SUCCESS) goto fail;
  for (i = 0; i < resources->Count; ++i) {
    PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &resources->PartialDescriptors[i];
    if (d->Type == CmResourceTypeMemory) {
      adapter->BarPhysical = d->u.Memory.Start;
      adapter->BarLength = d->u.Memory.Length;
    } else if (d->Type == CmResourceTypePort) {
      adapter->PortBase = d->u.Port.Start.LowPart;
      adapter->PortCount = d->u.Port.Length;
    }
  }
  status = NdisMMapIoSpace((PVOID *)&adapter->Registers, MiniportAdapterHandle, adapter->BarPhysical,
                           adapter->BarLength);
  if (status != NDIS_STATUS_SUCCESS) goto fail;
  status = NdisMRegisterIoPortRange(&adapter->PortOffset, MiniportAdapterHandle, adapter->PortBase,
                                    adapter->PortCount);
  if (status != NDIS_STATUS_SUCCESS) {
    NdisMUnmapIoSpace(MiniportAdapterHandle, adapter->Registers, adapter->BarLength);
    goto fail;
  }
  NdisRawWritePortUchar((ULONG_PTR)adapter->PortOffset, 0x01);
  NdisWriteRegisterUlong(adapter->Registers + 0x10, 1);
  return NDIS_STATUS_SUCCESS;

fail:
  NdisFreeMemory(adapter, sizeof(ADAPTER), 0);
  return status != NDIS_STATUS_SUCCESS ? status : NDIS_STATUS_FAILURE;
}

static VOID Ndis5Halt(NDIS_HANDLE MiniportAdapterContext) {
  PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
  NdisMDeregisterIoPortRange(adapter->Handle, adapter->PortBase, adapter->PortCount, adapter->PortOffset);
  if (!g_forget_unmap) NdisMUnmapIoSpace(adapter->Handle, adapter->Registers, adapter->BarLength);
  NdisFreeMemory(adapter, sizeof(ADAPTER), 0);
}

static NDIS_HANDLE g_wrapper;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  NDIS_MINIPORT_CHARACTERISTICS chars;
  NDIS_STATUS status;

  NdisMInitializeWrapper(&g_wrapper, DriverObject, RegistryPath, NULL);
  if (g_wrapper == NULL) return NDIS_STATUS_FAILURE;
  NdisZeroMemory(&chars, sizeof(chars));
  chars.MajorNdisVersion = 5;
  chars.MinorNdisVersion = 1;
  chars.InitializeHandler = Ndis5Initialize;
  chars.HaltHandler = Ndis5Halt;
  status = NdisMRegisterMiniport(g_wrapper, &chars, sizeof(chars));
  if (status != NDIS_STATUS_SUCCESS) NdisTerminateWrapper(g_wrapper, NULL);
  return status;
}


static NDIS_HANDLE NewAdapter(ULONG64 bar, ULONG64 ports) {
  NDIS_HANDLE a = ddimap_create_ndis_adapter();
  CHECK(ddimap_assign_memory_resource(a, bar, 0x1000) == DDIMAP_OK);
  CHECK(ddimap_assign_port_resource(a, ports, 0x20) == DDIMAP_OK);
  return a;
}

int main(void) {
  UNICODE_STRING path = RTL_CONSTANT_STRING(u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\ndis5");
  NDIS_MINIPORT_CHARACTERISTICS chars;
  NDIS_HANDLE wrapper = NULL, a;

  CHECK(ddimap_machine_create() == DDIMAP_OK);
  /* The registration's refusals. */
  NdisMInitializeWrapper(&wrapper, NULL, &path, NULL);
  CHECK(wrapper == NULL);
  NdisMInitializeWrapper(&wrapper, ddimap_driver_object(), &path, NULL);
  CHECK(wrapper != NULL);
  NdisZeroMemory(&chars, sizeof(chars));
  chars.MajorNdisVersion = 6;
  chars.InitializeHandler = Ndis5Initialize;
  chars.HaltHandler = Ndis5Halt;
  CHECK(NdisMRegisterMiniport(wrapper, &chars, sizeof(chars)) == NDIS_STATUS_BAD_VERSION);
  chars.MajorNdisVersion = 5;
  chars.MinorNdisVersion = 1;
  CHECK(NdisMRegisterMiniport(wrapper, &chars, 16) == NDIS_STATUS_BAD_CHARACTERISTICS);
  chars.HaltHandler = NULL;
  CHECK(NdisMRegisterMiniport(wrapper, &chars, sizeof(chars)) == NDIS_STATUS_BAD_CHARACTERISTICS);
  CHECK(NdisMRegisterMiniport(NULL, &chars, sizeof(chars)) == NDIS_STATUS_FAILURE);

  /* A clean lifecycle. */
  CHECK(DriverEntry(ddimap_driver_object(), &path) == NDIS_STATUS_SUCCESS);
  a = NewAdapter(0xFEA00000ULL, 0xD000);
  CHECK(ddimap_ndis_initialize(a) == NDIS_STATUS_SUCCESS);
  CHECK(ddimap_ndis_halt(a, NdisHaltDeviceDisabled) == DDIMAP_OK);
  CHECK(ddimap_report_count() == 0);

  /* MiniportHalt forgets the unmap: reported when it returns. */
  g_forget_unmap = 1;
  a = NewAdapter(0xFEA10000ULL, 0xD100);
  CHECK(ddimap_ndis_initialize(a) == NDIS_STATUS_SUCCESS);
  CHECK(ddimap_ndis_halt(a, NdisHaltDeviceDisabled) == DDIMAP_OK);
  CHECK(ddimap_rule_count("NDIS_IO.LEAK") == 1);
  g_forget_unmap = 0;

  /* A medium the driver does not drive: declined before anything is mapped. */
  g_my_medium = NdisMediumMax;
  a = NewAdapter(0xFEA20000ULL, 0xD200);
  CHECK(ddimap_ndis_initialize(a) == NDIS_STATUS_UNSUPPORTED_MEDIA);

  CHECK(ddimap_teardown() == DDIMAP_OK);
  CHECK(ddimap_report_count() == 1);
  CHECK(ddimap_machine_destroy() == DDIMAP_OK);
  return CheckSummary("ndis5_miniport");
}
