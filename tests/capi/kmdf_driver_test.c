/* A KMDF PCI driver's registration and device creation run by the
 * framework's side (ddimap_kmdf_add_device). The driver half is written
 * against <ntddk.h> and <wdf.h> only; main() plays the framework. */
#include <ntddk.h>
#include <wdf.h>

#include <stdio.h>

#include "ddimap/control.h"

#include "check.h"

typedef struct _DEVICE_CONTEXT {
  PUCHAR Registers;
  SIZE_T RegisterLength;
  ULONG AddCount;
} DEVICE_CONTEXT, *PDEVICE_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(DEVICE_CONTEXT, DeviceGetContext)

typedef struct _OTHER_CONTEXT {
  ULONG Unused;
} OTHER_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(OTHER_CONTEXT, OtherGetContext)

static EVT_WDF_DRIVER_DEVICE_ADD PciEvtDeviceAdd;
static EVT_WDF_DEVICE_PREPARE_HARDWARE PciEvtPrepareHardware;
static EVT_WDF_DEVICE_RELEASE_HARDWARE PciEvtReleaseHardware;

static BOOLEAN g_forget_unmap; /* the planted bug: release leaves the BAR mapped */

static NTSTATUS PciEvtPrepareHardware(WDFDEVICE Device, WDFCMRESLIST ResourcesRaw, WDFCMRESLIST ResourcesTranslated) {
  PDEVICE_CONTEXT ctx = DeviceGetContext(Device);
  ULONG i;
  UNREFERENCED_PARAMETER(ResourcesRaw);
  PAGED_CODE();
  for (i = 0; i < WdfCmResourceListGetCount(ResourcesTranslated); ++i) {
    PCM_PARTIAL_RESOURCE_DESCRIPTOR d = WdfCmResourceListGetDescriptor(ResourcesTranslated, i);
    if (d == NULL || d->Type != CmResourceTypeMemory || ctx->Registers != NULL) continue;
    ctx->Registers = (PUCHAR)MmMapIoSpaceEx(d->u.Memory.Start, d->u.Memory.Length, PAGE_READWRITE | PAGE_NOCACHE);
    if (ctx->Registers == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    ctx->RegisterLength = d->u.Memory.Length;
  }
  if (ctx->Registers == NULL) return STATUS_DEVICE_CONFIGURATION_ERROR;
  WRITE_REGISTER_ULONG((volatile ULONG *)(ctx->Registers + 0x10), 1);
  return STATUS_SUCCESS;
}

static NTSTATUS PciEvtReleaseHardware(WDFDEVICE Device, WDFCMRESLIST ResourcesTranslated) {
  PDEVICE_CONTEXT ctx = DeviceGetContext(Device);
  UNREFERENCED_PARAMETER(ResourcesTranslated);
  PAGED_CODE();
  if (ctx->Registers != NULL && !g_forget_unmap) {
    MmUnmapIoSpace(ctx->Registers, ctx->RegisterLength);
  }
  ctx->Registers = NULL;
  return STATUS_SUCCESS;
}

static NTSTATUS PciEvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit) {
  WDF_PNPPOWER_EVENT_CALLBACKS pnp;
  WDF_OBJECT_ATTRIBUTES attributes;
  WDFDEVICE device;
  NTSTATUS status;
  UNREFERENCED_PARAMETER(Driver);

  WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
  pnp.EvtDevicePrepareHardware = PciEvtPrepareHardware;
  pnp.EvtDeviceReleaseHardware = PciEvtReleaseHardware;
  WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);

  WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, DEVICE_CONTEXT);
  status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
  if (!NT_SUCCESS(status)) return status;
  DeviceGetContext(device)->AddCount++;
  return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  WDF_DRIVER_CONFIG config;
  WDF_DRIVER_CONFIG_INIT(&config, PciEvtDeviceAdd);
  return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

/* ---- the framework's part -------------------------------------------------------------- */

int main(void) {
  UNICODE_STRING path = RTL_CONSTANT_STRING(u"\\Registry\\Machine\\System\\ddimap_kmdf");
  WDFDEVICE device = NULL;
  PVOID wdm;

  CHECK(ddimap_machine_create() == DDIMAP_OK);
  wdm = ddimap_create_wdm_device();
  CHECK(ddimap_assign_memory_resource(wdm, 0xFE100000ULL, 0x4000) == DDIMAP_OK);
  CHECK(ddimap_assign_port_resource(wdm, 0xE000ULL, 0x20) == DDIMAP_OK);
  CHECK(ddimap_kmdf_add_device(wdm, &device) == STATUS_INVALID_DEVICE_STATE); /* no driver yet */
  CHECK(device == NULL);
  CHECK(DriverEntry(ddimap_driver_object(), &path) == STATUS_SUCCESS);
  CHECK(ddimap_kmdf_add_device(wdm, &device) == STATUS_SUCCESS);
  CHECK(device != NULL);
  if (device != NULL) {
    CHECK(DeviceGetContext(device) != NULL && DeviceGetContext(device)->AddCount == 1);
    CHECK(DeviceGetContext(device)->Registers == NULL); /* zeroed */
    CHECK(OtherGetContext(device) == NULL);            /* not its context type */
    CHECK(ddimap_kmdf_release_hardware(device) == STATUS_INVALID_DEVICE_STATE); /* never prepared */
    CHECK(ddimap_kmdf_prepare_hardware(device) == STATUS_SUCCESS);
    CHECK(DeviceGetContext(device)->Registers != NULL);
    CHECK(ddimap_kmdf_release_hardware(device) == STATUS_SUCCESS);
    CHECK(ddimap_report_count() == 0);
    /* Prepared again, then released without unmapping: MM_IO.LEAK at the end of release. */
    g_forget_unmap = TRUE;
    CHECK(ddimap_kmdf_prepare_hardware(device) == STATUS_SUCCESS);
    CHECK(ddimap_kmdf_release_hardware(device) == STATUS_SUCCESS);
    CHECK(ddimap_rule_count("MM_IO.LEAK") == 1);
    /* PAGED_CODE at DISPATCH_LEVEL. */
    g_forget_unmap = FALSE;
    CHECK(ddimap_set_irql(DISPATCH_LEVEL) == DDIMAP_OK);
    PAGED_CODE();
    CHECK(ddimap_set_irql(PASSIVE_LEVEL) == DDIMAP_OK);
    CHECK(ddimap_rule_count("COMMON.PAGED_CODE_IRQL") == 1);
  }
  CHECK(ddimap_teardown() == DDIMAP_OK);
  CHECK(ddimap_report_count() == 2);
  CHECK(ddimap_machine_destroy() == DDIMAP_OK);
  return CheckSummary("kmdf_driver");
}
