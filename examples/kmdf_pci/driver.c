/*
 * ddxpci: a KMDF driver for a PCI device with one memory BAR of control
 * registers. It maps the BAR with MmMapIoSpaceEx in EvtDevicePrepareHardware,
 * from the translated resource list, and unmaps it in
 * EvtDeviceReleaseHardware, as the KMDF documentation ("Finding and Mapping
 * Hardware Resources") describes.
 *
 * Written against the WDK only (<ntddk.h>, <wdf.h>); examples/kmdf_pci/
 * framework.c plays the framework under ddimap.
 *
 * DDXPCI_BUG selects one planted misuse for the tests (0: none):
 *   1  EvtDeviceReleaseHardware forgets to unmap the BAR;
 *   2  the BAR is unmapped with a length other than the one mapped;
 *   3  EvtDeviceReleaseHardware writes a register after unmapping it;
 *   4  the BAR is mapped PAGE_READONLY and then written;
 *   5  the capability offset the device reports is trusted (no bounds check);
 *   6  MmMapIoSpaceEx's NULL (a failed map) is not checked before the first write.
 */
#include <ntddk.h>
#include <wdf.h>

#ifndef DDXPCI_BUG
#define DDXPCI_BUG 0
#endif

#define DDXPCI_REG_CONTROL 0x00
#define DDXPCI_REG_STATUS 0x04
#define DDXPCI_REG_CAPABILITY_OFFSET 0x08 /* where the capability block starts in the BAR */
#define DDXPCI_CAPABILITY_VERSION 0x00    /* in the capability block */
#define DDXPCI_CONTROL_RUN 0x1u

typedef struct _DDXPCI_CONTEXT {
  PUCHAR Registers;
  SIZE_T RegisterLength;
  ULONG CapabilityVersion;
} DDXPCI_CONTEXT, *PDDXPCI_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(DDXPCI_CONTEXT, DdxPciGetContext)

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
static EVT_WDF_DRIVER_DEVICE_ADD DdxPciEvtDeviceAdd;
static EVT_WDF_DEVICE_PREPARE_HARDWARE DdxPciEvtPrepareHardware;
static EVT_WDF_DEVICE_RELEASE_HARDWARE DdxPciEvtReleaseHardware;

#if DDXPCI_BUG == 4
#define DDXPCI_PROTECT (PAGE_READONLY | PAGE_NOCACHE)
#else
#define DDXPCI_PROTECT (PAGE_READWRITE | PAGE_NOCACHE)
#endif

static NTSTATUS DdxPciEvtPrepareHardware(WDFDEVICE Device, WDFCMRESLIST ResourcesRaw,
                                         WDFCMRESLIST ResourcesTranslated) {
  PDDXPCI_CONTEXT ctx = DdxPciGetContext(Device);
  ULONG i, count;
  UNREFERENCED_PARAMETER(ResourcesRaw);
  PAGED_CODE();

  count = WdfCmResourceListGetCount(ResourcesTranslated);
  for (i = 0; i < count; ++i) {
    PCM_PARTIAL_RESOURCE_DESCRIPTOR d = WdfCmResourceListGetDescriptor(ResourcesTranslated, i);
    if (d == NULL) return STATUS_DEVICE_CONFIGURATION_ERROR;
    if (d->Type == CmResourceTypeMemory && ctx->Registers == NULL) {
      ctx->Registers = (PUCHAR)MmMapIoSpaceEx(d->u.Memory.Start, d->u.Memory.Length, DDXPCI_PROTECT);
#if DDXPCI_BUG == 6
      /* BUG: a failed map is not noticed; the NULL base is written below. */
#else
      if (ctx->Registers == NULL) return STATUS_INSUFFICIENT_RESOURCES;
#endif
      ctx->RegisterLength = d->u.Memory.Length;
    }
  }
#if DDXPCI_BUG != 6
  if (ctx->Registers == NULL) return STATUS_DEVICE_CONFIGURATION_ERROR;
#endif
  /* The control register is the BAR's first (DDXPCI_REG_CONTROL is 0). */
  WRITE_REGISTER_ULONG((volatile ULONG *)ctx->Registers, DDXPCI_CONTROL_RUN);

  /* The device says where its capability block is; it must lie in the BAR. */
  {
    const ULONG offset = READ_REGISTER_ULONG((volatile ULONG *)(ctx->Registers + DDXPCI_REG_CAPABILITY_OFFSET));
#if DDXPCI_BUG != 5
    if (offset > ctx->RegisterLength - sizeof(ULONG) || (offset & 3) != 0) return STATUS_DEVICE_CONFIGURATION_ERROR;
#endif
    ctx->CapabilityVersion =
        READ_REGISTER_ULONG((volatile ULONG *)(ctx->Registers + offset + DDXPCI_CAPABILITY_VERSION));
  }
  return STATUS_SUCCESS;
}

static NTSTATUS DdxPciEvtReleaseHardware(WDFDEVICE Device, WDFCMRESLIST ResourcesTranslated) {
  PDDXPCI_CONTEXT ctx = DdxPciGetContext(Device);
  UNREFERENCED_PARAMETER(ResourcesTranslated);
  PAGED_CODE();

  if (ctx->Registers == NULL) return STATUS_SUCCESS;
#if DDXPCI_BUG != 3
  WRITE_REGISTER_ULONG((volatile ULONG *)(ctx->Registers + DDXPCI_REG_CONTROL), 0);
#endif
#if DDXPCI_BUG == 2
  MmUnmapIoSpace(ctx->Registers, ctx->RegisterLength / 2); /* BUG: not the mapped length */
#elif DDXPCI_BUG != 1 /* BUG 1: no unmap at all */
  MmUnmapIoSpace(ctx->Registers, ctx->RegisterLength);
#endif
#if DDXPCI_BUG == 3
  WRITE_REGISTER_ULONG((volatile ULONG *)(ctx->Registers + DDXPCI_REG_CONTROL), 0); /* BUG: after the unmap */
#endif
  ctx->Registers = NULL;
  return STATUS_SUCCESS;
}

static NTSTATUS DdxPciEvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit) {
  WDF_PNPPOWER_EVENT_CALLBACKS pnp;
  WDF_OBJECT_ATTRIBUTES attributes;
  WDFDEVICE device;
  UNREFERENCED_PARAMETER(Driver);
  PAGED_CODE();

  WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
  pnp.EvtDevicePrepareHardware = DdxPciEvtPrepareHardware;
  pnp.EvtDeviceReleaseHardware = DdxPciEvtReleaseHardware;
  WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);

  WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, DDXPCI_CONTEXT);
  return WdfDeviceCreate(&DeviceInit, &attributes, &device);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  WDF_DRIVER_CONFIG config;
  WDF_DRIVER_CONFIG_INIT(&config, DdxPciEvtDeviceAdd);
  return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}
