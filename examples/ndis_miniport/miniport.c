/*
 * ddxnet: a small NDIS 6 miniport for a PCI network controller with one
 * memory BAR (its control and status registers), one I/O port range (a legacy
 * EEPROM window) and a descriptor ring in shared memory.
 *
 * Written against the WDK only: it includes <ndis.h> and nothing else, and it
 * is the same source that would build with the WDK for Windows. ddimap runs it
 * on Linux (examples/ndis_miniport/lifecycle.c plays NDIS).
 *
 * DDXNET_BUG selects one planted misuse for the tests (0: none):
 *   1  MiniportInitializeEx, finding the device faulted, fails without unmapping the BAR;
 *   2  MiniportHaltEx forgets the port range;
 *   3  MiniportHaltEx frees the descriptor ring with the wrong length;
 *   4  MiniportHaltEx unmaps the BAR twice;
 *   5  MiniportHaltEx touches a register after unmapping the BAR;
 *   6  MiniportInitializeEx, when the ring cannot be allocated, returns keeping the BAR and the ports
 *      (an error path only a failed allocation takes: found with fault injection);
 *   7  MiniportInitializeEx, when the port range cannot be registered, returns keeping the BAR mapping;
 *   8  the interrupt DPC, told of a fatal device error, unmaps the BAR at DISPATCH_LEVEL.
 */
#include <ndis.h>

#ifndef DDXNET_BUG
#define DDXNET_BUG 0
#endif

#define DDXNET_TAG 0x54584444u /* 'DDXT' */
#define DDXNET_RING_ENTRIES 64
#define DDXNET_RING_BYTES (DDXNET_RING_ENTRIES * sizeof(DDXNET_DESCRIPTOR))

/* Registers in BAR 0. */
#define DDXNET_REG_CONTROL 0x00
#define DDXNET_REG_STATUS 0x04
#define DDXNET_REG_INTERRUPT_STATUS 0x08 /* read: pending causes */
#define DDXNET_REG_INTERRUPT_MASK 0x0C   /* write: enabled causes */
#define DDXNET_REG_RING_LOW 0x10
#define DDXNET_REG_RING_HIGH 0x14
#define DDXNET_CONTROL_RESET 0x00000001u
#define DDXNET_CONTROL_ENABLE 0x00000002u
#define DDXNET_STATUS_FAULT 0x80000000u
#define DDXNET_INTERRUPT_RECEIVE 0x00000001u
#define DDXNET_INTERRUPT_FATAL 0x80000000u
#define DDXNET_INTERRUPTS_ALL (DDXNET_INTERRUPT_RECEIVE | DDXNET_INTERRUPT_FATAL)

/* The EEPROM window in the I/O port range. */
#define DDXNET_PORT_EEPROM_ADDRESS 0x0
#define DDXNET_PORT_EEPROM_DATA 0x4

#include <pshpack1.h>
typedef struct _DDXNET_DESCRIPTOR {
  ULONG64 BufferAddress;
  USHORT Length;
  USHORT Flags;
  ULONG Reserved;
} DDXNET_DESCRIPTOR, *PDDXNET_DESCRIPTOR;
#include <poppack.h>
C_ASSERT(sizeof(DDXNET_DESCRIPTOR) == 16);

typedef struct _DDXNET_ADAPTER {
  NDIS_HANDLE AdapterHandle;

  NDIS_PHYSICAL_ADDRESS BarPhysical;
  ULONG BarLength;
  PUCHAR Registers;

  ULONG PortBase;
  ULONG PortCount;
  PVOID PortOffset;

  PDDXNET_DESCRIPTOR Ring;
  NDIS_PHYSICAL_ADDRESS RingPhysical;

  NDIS_HANDLE InterruptHandle;
  ULONG PendingInterrupts; /* what the ISR saw, for the DPC */
  ULONG FatalErrors;

  UCHAR PermanentAddress[6];
} DDXNET_ADAPTER, *PDDXNET_ADAPTER;

static NDIS_HANDLE DdxNetDriverHandle;

MINIPORT_INITIALIZE DdxNetInitializeEx;
MINIPORT_HALT DdxNetHaltEx;
MINIPORT_UNLOAD DdxNetUnload;
MINIPORT_ISR DdxNetInterrupt;
MINIPORT_INTERRUPT_DPC DdxNetInterruptDpc;
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

static ULONG DdxNetReadRegister(_In_ PDDXNET_ADAPTER Adapter, _In_ ULONG Offset) {
  ULONG value;
  NdisReadRegisterUlong(Adapter->Registers + Offset, &value);
  return value;
}

static VOID DdxNetWriteRegister(_In_ PDDXNET_ADAPTER Adapter, _In_ ULONG Offset, _In_ ULONG Value) {
  NdisWriteRegisterUlong(Adapter->Registers + Offset, Value);
}

/* The first memory range and the first port range the PnP manager assigned. */
static NDIS_STATUS DdxNetFindResources(_Inout_ PDDXNET_ADAPTER Adapter, _In_ PNDIS_RESOURCE_LIST Resources) {
  BOOLEAN haveBar = FALSE, havePorts = FALSE;
  ULONG i;
  if (Resources == NULL) return NDIS_STATUS_RESOURCE_CONFLICT;
  for (i = 0; i < Resources->Count; ++i) {
    PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &Resources->PartialDescriptors[i];
    switch (d->Type) {
      case CmResourceTypeMemory:
        if (!haveBar) {
          Adapter->BarPhysical = d->u.Memory.Start;
          Adapter->BarLength = d->u.Memory.Length;
          haveBar = TRUE;
        }
        break;
      case CmResourceTypePort:
        if (!havePorts) {
          Adapter->PortBase = d->u.Port.Start.LowPart;
          Adapter->PortCount = d->u.Port.Length;
          havePorts = TRUE;
        }
        break;
      default:
        break;
    }
  }
  return haveBar && havePorts ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCE_CONFLICT;
}

static VOID DdxNetReadPermanentAddress(_Inout_ PDDXNET_ADAPTER Adapter) {
  ULONG_PTR ports = (ULONG_PTR)Adapter->PortOffset;
  UINT i;
  for (i = 0; i < ARRAYSIZE(Adapter->PermanentAddress); ++i) {
    UCHAR byte;
    NdisRawWritePortUlong(ports + DDXNET_PORT_EEPROM_ADDRESS, i);
    NdisRawReadPortUchar(ports + DDXNET_PORT_EEPROM_DATA, &byte);
    Adapter->PermanentAddress[i] = byte;
  }
}

static VOID DdxNetFreeAdapter(_In_ PDDXNET_ADAPTER Adapter) {
  if (Adapter->InterruptHandle != NULL) {
    NdisMDeregisterInterruptEx(Adapter->InterruptHandle);
    Adapter->InterruptHandle = NULL;
  }
  if (Adapter->Ring != NULL) {
    NdisMFreeSharedMemory(Adapter->AdapterHandle, DDXNET_RING_BYTES, FALSE, Adapter->Ring, Adapter->RingPhysical);
    Adapter->Ring = NULL;
  }
  if (Adapter->PortOffset != NULL) {
    NdisMDeregisterIoPortRange(Adapter->AdapterHandle, Adapter->PortBase, Adapter->PortCount, Adapter->PortOffset);
    Adapter->PortOffset = NULL;
  }
  if (Adapter->Registers != NULL) {
    NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->Registers, Adapter->BarLength);
    Adapter->Registers = NULL;
  }
  NdisFreeMemory(Adapter, sizeof(DDXNET_ADAPTER), 0);
}

_Use_decl_annotations_
NDIS_STATUS DdxNetInitializeEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportDriverContext,
                               PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters) {
  NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES registration;
  PDDXNET_ADAPTER adapter;
  NDIS_STATUS status;
  UNREFERENCED_PARAMETER(MiniportDriverContext);

  adapter = (PDDXNET_ADAPTER)NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(DDXNET_ADAPTER),
                                                               DDXNET_TAG, NormalPoolPriority);
  if (adapter == NULL) return NDIS_STATUS_RESOURCES;
  NdisZeroMemory(adapter, sizeof(DDXNET_ADAPTER));
  adapter->AdapterHandle = MiniportAdapterHandle;

  NdisZeroMemory(&registration, sizeof(registration));
  registration.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
  registration.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
  registration.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
  registration.MiniportAdapterContext = adapter;
  registration.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE | NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
  registration.CheckForHangTimeInSeconds = 2;
  registration.InterfaceType = NdisInterfacePci;
  status = NdisMSetMiniportAttributes(MiniportAdapterHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&registration);
  if (status != NDIS_STATUS_SUCCESS) goto fail;

  status = DdxNetFindResources(adapter, MiniportInitParameters->AllocatedResources);
  if (status != NDIS_STATUS_SUCCESS) goto fail;

  status = NdisMMapIoSpace((PVOID *)&adapter->Registers, MiniportAdapterHandle, adapter->BarPhysical,
                           adapter->BarLength);
  if (status != NDIS_STATUS_SUCCESS) {
    adapter->Registers = NULL;
    goto fail;
  }
  if (DdxNetReadRegister(adapter, DDXNET_REG_STATUS) & DDXNET_STATUS_FAULT) {
#if DDXNET_BUG == 1
    /* BUG: a failure path that forgets the mapping made above. */
    NdisFreeMemory(adapter, sizeof(DDXNET_ADAPTER), 0);
    return NDIS_STATUS_ADAPTER_NOT_FOUND;
#else
    status = NDIS_STATUS_ADAPTER_NOT_FOUND;
    goto fail;
#endif
  }
  DdxNetWriteRegister(adapter, DDXNET_REG_CONTROL, DDXNET_CONTROL_RESET);

  status = NdisMRegisterIoPortRange(&adapter->PortOffset, MiniportAdapterHandle, adapter->PortBase,
                                    adapter->PortCount);
  if (status != NDIS_STATUS_SUCCESS) {
    adapter->PortOffset = NULL;
#if DDXNET_BUG == 7
    /* BUG: the second resource failed; the first (the BAR mapping) is forgotten. */
    NdisFreeMemory(adapter, sizeof(DDXNET_ADAPTER), 0);
    return status;
#else
    goto fail;
#endif
  }
  DdxNetReadPermanentAddress(adapter);

  NdisMAllocateSharedMemory(MiniportAdapterHandle, DDXNET_RING_BYTES, FALSE, (PVOID *)&adapter->Ring,
                            &adapter->RingPhysical);
  if (adapter->Ring == NULL) {
#if DDXNET_BUG == 6
    /* BUG: the last allocation's error path frees the context and returns,
     * keeping the BAR mapping and the port range. */
    NdisFreeMemory(adapter, sizeof(DDXNET_ADAPTER), 0);
    return NDIS_STATUS_RESOURCES;
#else
    status = NDIS_STATUS_RESOURCES;
    goto fail;
#endif
  }
  NdisZeroMemory(adapter->Ring, DDXNET_RING_BYTES);
  DdxNetWriteRegister(adapter, DDXNET_REG_RING_LOW, adapter->RingPhysical.LowPart);
  DdxNetWriteRegister(adapter, DDXNET_REG_RING_HIGH, (ULONG)adapter->RingPhysical.HighPart);
  DdxNetWriteRegister(adapter, DDXNET_REG_CONTROL, DDXNET_CONTROL_ENABLE);

  {
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS interrupt;
    NdisZeroMemory(&interrupt, sizeof(interrupt));
    interrupt.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
    interrupt.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
    interrupt.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
    interrupt.InterruptHandler = DdxNetInterrupt;
    interrupt.InterruptDpcHandler = DdxNetInterruptDpc;
    status = NdisMRegisterInterruptEx(MiniportAdapterHandle, adapter, &interrupt, &adapter->InterruptHandle);
    if (status != NDIS_STATUS_SUCCESS) {
      adapter->InterruptHandle = NULL;
      goto fail;
    }
  }
  DdxNetWriteRegister(adapter, DDXNET_REG_INTERRUPT_MASK, DDXNET_INTERRUPTS_ALL);
  return NDIS_STATUS_SUCCESS;

fail:
  DdxNetFreeAdapter(adapter);
  return status;
}

/* The line is shared: claim the interrupt only when the adapter has a cause
 * pending, mask it, and leave the work to the DPC. A device that is gone
 * reads all ones and is not ours. */
_Use_decl_annotations_
BOOLEAN DdxNetInterrupt(NDIS_HANDLE MiniportInterruptContext, PBOOLEAN QueueDefaultInterruptDpc,
                        PULONG TargetProcessors) {
  PDDXNET_ADAPTER adapter = (PDDXNET_ADAPTER)MiniportInterruptContext;
  ULONG pending;
  UNREFERENCED_PARAMETER(TargetProcessors);

  pending = DdxNetReadRegister(adapter, DDXNET_REG_INTERRUPT_STATUS);
  if (pending == 0 || pending == 0xFFFFFFFFu) return FALSE;
  DdxNetWriteRegister(adapter, DDXNET_REG_INTERRUPT_MASK, 0);
  adapter->PendingInterrupts |= pending;
  *QueueDefaultInterruptDpc = TRUE;
  return TRUE;
}

_Use_decl_annotations_
VOID DdxNetInterruptDpc(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext,
                        PVOID ReceiveThrottleParameters, PVOID NdisReserved2) {
  PDDXNET_ADAPTER adapter = (PDDXNET_ADAPTER)MiniportInterruptContext;
  ULONG pending = adapter->PendingInterrupts;
  UNREFERENCED_PARAMETER(MiniportDpcContext);
  UNREFERENCED_PARAMETER(ReceiveThrottleParameters);
  UNREFERENCED_PARAMETER(NdisReserved2);

  adapter->PendingInterrupts = 0;
  if (pending & DDXNET_INTERRUPT_FATAL) {
    adapter->FatalErrors++;
#if DDXNET_BUG == 8
    /* BUG: "shutting the adapter down" from the DPC: NdisMUnmapIoSpace is PASSIVE_LEVEL only. */
    NdisMUnmapIoSpace(adapter->AdapterHandle, adapter->Registers, adapter->BarLength);
    adapter->Registers = NULL;
    return;
#else
    /* Reset the controller; it comes back with the ring programmed. */
    DdxNetWriteRegister(adapter, DDXNET_REG_CONTROL, DDXNET_CONTROL_RESET);
    DdxNetWriteRegister(adapter, DDXNET_REG_CONTROL, DDXNET_CONTROL_ENABLE);
#endif
  }
  DdxNetWriteRegister(adapter, DDXNET_REG_INTERRUPT_MASK, DDXNET_INTERRUPTS_ALL);
}

_Use_decl_annotations_
VOID DdxNetHaltEx(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction) {
  PDDXNET_ADAPTER adapter = (PDDXNET_ADAPTER)MiniportAdapterContext;

  /* A surprise-removed adapter is gone: nothing to tell it. */
  if (HaltAction != NdisHaltDeviceSurpriseRemoved) {
    DdxNetWriteRegister(adapter, DDXNET_REG_INTERRUPT_MASK, 0);
    DdxNetWriteRegister(adapter, DDXNET_REG_CONTROL, DDXNET_CONTROL_RESET);
  }
#if DDXNET_BUG == 2
  adapter->PortOffset = NULL; /* BUG: the port range is never deregistered */
#endif
#if DDXNET_BUG == 3
  /* BUG: the ring is freed with a length that is not the allocation's. */
  NdisMFreeSharedMemory(adapter->AdapterHandle, DDXNET_RING_BYTES / 2, FALSE, adapter->Ring, adapter->RingPhysical);
  adapter->Ring = NULL;
#endif
#if DDXNET_BUG == 4
  NdisMUnmapIoSpace(adapter->AdapterHandle, adapter->Registers, adapter->BarLength); /* BUG: and again below */
#endif
#if DDXNET_BUG == 5
  {
    PUCHAR registers = adapter->Registers;
    NdisMUnmapIoSpace(adapter->AdapterHandle, registers, adapter->BarLength);
    adapter->Registers = NULL;
    NdisWriteRegisterUlong(registers + DDXNET_REG_CONTROL, 0); /* BUG: the BAR is no longer mapped */
  }
#endif
  DdxNetFreeAdapter(adapter);
}

_Use_decl_annotations_
VOID DdxNetUnload(PDRIVER_OBJECT DriverObject) {
  UNREFERENCED_PARAMETER(DriverObject);
  NdisMDeregisterMiniportDriver(DdxNetDriverHandle);
}

_Use_decl_annotations_
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  NDIS_MINIPORT_DRIVER_CHARACTERISTICS characteristics;
  NdisZeroMemory(&characteristics, sizeof(characteristics));
  characteristics.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
  characteristics.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
  characteristics.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
  characteristics.MajorNdisVersion = 6;
  characteristics.MinorNdisVersion = 20;
  characteristics.MajorDriverVersion = 1;
  characteristics.MinorDriverVersion = 0;
  characteristics.InitializeHandlerEx = DdxNetInitializeEx;
  characteristics.HaltHandlerEx = DdxNetHaltEx;
  characteristics.UnloadHandler = DdxNetUnload;
  return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &characteristics, &DdxNetDriverHandle);
}
