/* ndis.h under ddimap: the NDIS miniport surface ddimap models (I/O space,
 * files, register access), with ndis.h's names and macros. A miniport source
 * that includes <ndis.h> compiles against the simulated machine with
 * -I <ddimap include dir>/ddimap/wdk. Anything ddimap does not model is not
 * declared, so a call to it fails to compile or link with its name. */
#ifndef DDIMAP_WDK_NDIS_H_
#define DDIMAP_WDK_NDIS_H_

#include "../wdk.h"

#ifdef __cplusplus
#define DDIMAP_NDIS_ENUM_BASE : int
#else
#define DDIMAP_NDIS_ENUM_BASE
#endif

#define NDIS_STATUS_PENDING ((NDIS_STATUS)STATUS_PENDING)
#define NDIS_STATUS_NOT_RECOGNIZED ((NDIS_STATUS)0x00010001L)
#define NDIS_STATUS_NOT_COPIED ((NDIS_STATUS)0x00010002L)
#define NDIS_STATUS_NOT_ACCEPTED ((NDIS_STATUS)0x00010003L)
#define NDIS_STATUS_NOT_SUPPORTED ((NDIS_STATUS)STATUS_NOT_SUPPORTED)
#define NDIS_STATUS_INVALID_PARAMETER ((NDIS_STATUS)STATUS_INVALID_PARAMETER)
#define NDIS_STATUS_BAD_VERSION ((NDIS_STATUS)0xC0010004L)
#define NDIS_STATUS_BAD_CHARACTERISTICS ((NDIS_STATUS)0xC0010005L)
#define NDIS_STATUS_ADAPTER_NOT_FOUND ((NDIS_STATUS)0xC0010006L)
#define NDIS_STATUS_OPEN_FAILED ((NDIS_STATUS)0xC0010007L)
#define NDIS_STATUS_DEVICE_FAILED ((NDIS_STATUS)0xC0010008L)
#define NDIS_STATUS_RESET_IN_PROGRESS ((NDIS_STATUS)0xC001000DL)
#define NDIS_STATUS_ADAPTER_NOT_READY ((NDIS_STATUS)0xC0010011L)
#define NDIS_STATUS_INVALID_LENGTH ((NDIS_STATUS)0xC0010014L)
#define NDIS_STATUS_INVALID_DATA ((NDIS_STATUS)0xC0010015L)
#define NDIS_STATUS_BUFFER_TOO_SHORT ((NDIS_STATUS)0xC0010016L)
#define NDIS_STATUS_INVALID_OID ((NDIS_STATUS)0xC0010017L)
#define NDIS_STATUS_ADAPTER_REMOVED ((NDIS_STATUS)0xC0010018L)
#define NDIS_STATUS_UNSUPPORTED_MEDIA ((NDIS_STATUS)0xC0010019L)
#define NDIS_STATUS_NO_CABLE ((NDIS_STATUS)0xC001001FL)

/* Plain host memory (the driver's own structures), as ndis.h defines them. */
#define NdisZeroMemory(Destination, Length) RtlZeroMemory(Destination, Length)
#define NdisFillMemory(Destination, Length, Fill) RtlFillMemory(Destination, Length, Fill)
#define NdisMoveMemory(Destination, Source, Length) RtlCopyMemory(Destination, Source, Length)
#define NdisEqualMemory(Source1, Source2, Length) RtlEqualMemory(Source1, Source2, Length)
#define NdisRetrieveUlong(DestinationAddress, SourceAddress) \
  RtlCopyMemory((DestinationAddress), (SourceAddress), sizeof(ULONG))
#define NdisStoreUlong(DestinationAddress, Value) \
  do { ULONG ddimap_v_ = (ULONG)(Value); RtlCopyMemory((DestinationAddress), &ddimap_v_, sizeof(ULONG)); } while (0)
#define NdisInitUnicodeString(Destination, Source) RtlInitUnicodeString(Destination, Source)
#define NdisEqualUnicodeString(String1, String2, CaseInsensitive) \
  RtlEqualUnicodeString(String1, String2, CaseInsensitive)

/* ---- NDIS 6 miniport driver registration and adapter lifecycle ---------------------------
 * DriverEntry registers the driver's handlers with NdisMRegisterMiniportDriver;
 * the operating system's side (ddimap/control.h: ddimap_ndis_initialize,
 * ddimap_ndis_halt) then runs MiniportInitializeEx and MiniportHaltEx for an
 * adapter inside the matching callback, so the NDIS I/O contracts apply. Only
 * the handlers ddimap runs need to be set; the data-path handler types take
 * opaque structures. */
typedef struct _NDIS_OBJECT_HEADER {
  UCHAR Type;
  UCHAR Revision;
  USHORT Size;
} NDIS_OBJECT_HEADER, *PNDIS_OBJECT_HEADER;

#define NDIS_OBJECT_TYPE_DEFAULT 0x80
#define NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS 0x81
#define NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS 0x8A
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES 0x9E
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES 0x9F

#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 1
#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 2
#define NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1 1
#define NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 1
#define NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2 2

#define NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE 0x00000001
#define NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER 0x00000008

typedef enum _NDIS_INTERFACE_TYPE DDIMAP_NDIS_ENUM_BASE {
  NdisInterfaceInternal = 0,
  NdisInterfaceIsa = 1,
  NdisInterfaceEisa = 2,
  NdisInterfaceMca = 3,
  NdisInterfaceTurboChannel = 4,
  NdisInterfacePci = 5,
  NdisInterfacePcMcia = 8
} NDIS_INTERFACE_TYPE, *PNDIS_INTERFACE_TYPE;

typedef enum _NDIS_HALT_ACTION DDIMAP_NDIS_ENUM_BASE {
  NdisHaltDeviceDisabled,
  NdisHaltDeviceInstanceDeInitialized,
  NdisHaltDevicePoweredDown,
  NdisHaltDeviceSurpriseRemoved,
  NdisHaltDeviceFailed,
  NdisHaltDeviceInitializationFailed,
  NdisHaltDeviceStopped
} NDIS_HALT_ACTION, *PNDIS_HALT_ACTION;

typedef struct _NDIS_MINIPORT_INIT_PARAMETERS {
  NDIS_OBJECT_HEADER Header;
  ULONG Flags;
  PNDIS_RESOURCE_LIST AllocatedResources; /* the adapter's assigned resources, in order */
  NDIS_HANDLE IMDeviceInstanceContext;
  NDIS_HANDLE MiniportAddDeviceContext;
  ULONG IfIndex;
  ULONG64 NetLuid;
  PVOID DefaultPortAuthStates;
  PVOID PciDeviceCustomProperties;
} NDIS_MINIPORT_INIT_PARAMETERS, *PNDIS_MINIPORT_INIT_PARAMETERS;

typedef struct _NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
  NDIS_OBJECT_HEADER Header;
  NDIS_HANDLE MiniportAdapterContext;
  ULONG AttributeFlags;
  UINT CheckForHangTimeInSeconds;
  NDIS_INTERFACE_TYPE InterfaceType;
} NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;

typedef union _NDIS_MINIPORT_ADAPTER_ATTRIBUTES {
  NDIS_OBJECT_HEADER Header;
  NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES RegistrationAttributes;
} NDIS_MINIPORT_ADAPTER_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_ATTRIBUTES;

typedef struct _NET_BUFFER_LIST NET_BUFFER_LIST, *PNET_BUFFER_LIST;
typedef struct _NDIS_OID_REQUEST NDIS_OID_REQUEST, *PNDIS_OID_REQUEST;
typedef struct _NDIS_MINIPORT_PAUSE_PARAMETERS NDIS_MINIPORT_PAUSE_PARAMETERS, *PNDIS_MINIPORT_PAUSE_PARAMETERS;
typedef struct _NDIS_MINIPORT_RESTART_PARAMETERS NDIS_MINIPORT_RESTART_PARAMETERS,
    *PNDIS_MINIPORT_RESTART_PARAMETERS;
typedef struct _NET_DEVICE_PNP_EVENT NET_DEVICE_PNP_EVENT, *PNET_DEVICE_PNP_EVENT;
typedef ULONG NDIS_PORT_NUMBER;
typedef enum _NDIS_SHUTDOWN_ACTION DDIMAP_NDIS_ENUM_BASE {
  NdisShutdownPowerOff,
  NdisShutdownBugCheck
} NDIS_SHUTDOWN_ACTION, *PNDIS_SHUTDOWN_ACTION;

/* Role types: MINIPORT_INITIALIZE MyInitializeEx; declares a handler. */
typedef NDIS_STATUS(MINIPORT_INITIALIZE)(NDIS_HANDLE NdisMiniportHandle, NDIS_HANDLE MiniportDriverContext,
                                         PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters);
typedef MINIPORT_INITIALIZE(*MINIPORT_INITIALIZE_HANDLER);
typedef VOID(MINIPORT_HALT)(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction);
typedef MINIPORT_HALT(*MINIPORT_HALT_HANDLER);
typedef VOID(MINIPORT_UNLOAD)(PDRIVER_OBJECT DriverObject);
typedef MINIPORT_UNLOAD(*MINIPORT_DRIVER_UNLOAD);
typedef NDIS_STATUS(SET_OPTIONS)(NDIS_HANDLE NdisDriverHandle, NDIS_HANDLE DriverContext);
typedef SET_OPTIONS(*SET_OPTIONS_HANDLER);
typedef NDIS_STATUS(MINIPORT_PAUSE)(NDIS_HANDLE MiniportAdapterContext,
                                    PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters);
typedef MINIPORT_PAUSE(*MINIPORT_PAUSE_HANDLER);
typedef NDIS_STATUS(MINIPORT_RESTART)(NDIS_HANDLE MiniportAdapterContext,
                                      PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters);
typedef MINIPORT_RESTART(*MINIPORT_RESTART_HANDLER);
typedef NDIS_STATUS(MINIPORT_OID_REQUEST)(NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest);
typedef MINIPORT_OID_REQUEST(*MINIPORT_OID_REQUEST_HANDLER);
typedef VOID(MINIPORT_SEND_NET_BUFFER_LISTS)(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferList,
                                             NDIS_PORT_NUMBER PortNumber, ULONG SendFlags);
typedef MINIPORT_SEND_NET_BUFFER_LISTS(*MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER);
typedef VOID(MINIPORT_RETURN_NET_BUFFER_LISTS)(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists,
                                               ULONG ReturnFlags);
typedef MINIPORT_RETURN_NET_BUFFER_LISTS(*MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER);
typedef VOID(MINIPORT_CANCEL_SEND)(NDIS_HANDLE MiniportAdapterContext, PVOID CancelId);
typedef MINIPORT_CANCEL_SEND(*MINIPORT_CANCEL_SEND_HANDLER);
typedef BOOLEAN(MINIPORT_CHECK_FOR_HANG)(NDIS_HANDLE MiniportAdapterContext);
typedef MINIPORT_CHECK_FOR_HANG(*MINIPORT_CHECK_FOR_HANG_HANDLER);
typedef NDIS_STATUS(MINIPORT_RESET)(NDIS_HANDLE MiniportAdapterContext, PBOOLEAN AddressingReset);
typedef MINIPORT_RESET(*MINIPORT_RESET_HANDLER);
typedef VOID(MINIPORT_DEVICE_PNP_EVENT_NOTIFY)(NDIS_HANDLE MiniportAdapterContext,
                                               PNET_DEVICE_PNP_EVENT NetDevicePnPEvent);
typedef MINIPORT_DEVICE_PNP_EVENT_NOTIFY(*MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER);
typedef VOID(MINIPORT_SHUTDOWN)(NDIS_HANDLE MiniportAdapterContext, NDIS_SHUTDOWN_ACTION ShutdownAction);
typedef MINIPORT_SHUTDOWN(*MINIPORT_SHUTDOWN_HANDLER);
typedef VOID(MINIPORT_CANCEL_OID_REQUEST)(NDIS_HANDLE MiniportAdapterContext, PVOID RequestId);
typedef MINIPORT_CANCEL_OID_REQUEST(*MINIPORT_CANCEL_OID_REQUEST_HANDLER);

typedef struct _NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
  NDIS_OBJECT_HEADER Header;
  UCHAR MajorNdisVersion;
  UCHAR MinorNdisVersion;
  UCHAR MajorDriverVersion;
  UCHAR MinorDriverVersion;
  ULONG Flags;
  SET_OPTIONS_HANDLER SetOptionsHandler;
  MINIPORT_INITIALIZE_HANDLER InitializeHandlerEx;
  MINIPORT_HALT_HANDLER HaltHandlerEx;
  MINIPORT_DRIVER_UNLOAD UnloadHandler;
  MINIPORT_PAUSE_HANDLER PauseHandler;
  MINIPORT_RESTART_HANDLER RestartHandler;
  MINIPORT_OID_REQUEST_HANDLER OidRequestHandler;
  MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER SendNetBufferListsHandler;
  MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER ReturnNetBufferListsHandler;
  MINIPORT_CANCEL_SEND_HANDLER CancelSendHandler;
  MINIPORT_CHECK_FOR_HANG_HANDLER CheckForHangHandlerEx;
  MINIPORT_RESET_HANDLER ResetHandlerEx;
  MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER DevicePnPEventNotifyHandler;
  MINIPORT_SHUTDOWN_HANDLER ShutdownHandlerEx;
  MINIPORT_CANCEL_OID_REQUEST_HANDLER CancelOidRequestHandler;
} NDIS_MINIPORT_DRIVER_CHARACTERISTICS, *PNDIS_MINIPORT_DRIVER_CHARACTERISTICS;

#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 sizeof(NDIS_MINIPORT_DRIVER_CHARACTERISTICS)
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 sizeof(NDIS_MINIPORT_DRIVER_CHARACTERISTICS)
#define NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 \
  sizeof(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES)
#define NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2 \
  sizeof(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES)

typedef enum _EX_POOL_PRIORITY DDIMAP_NDIS_ENUM_BASE {
  LowPoolPriority = 0,
  NormalPoolPriority = 16,
  HighPoolPriority = 32
} EX_POOL_PRIORITY;

DDIMAP_EXTERN_C_BEGIN
/* Records the handlers (one miniport driver per process, as one driver image
 * registers once). NDIS_STATUS_FAILURE for a NULL argument, a header that is
 * not NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS, or a missing
 * InitializeHandlerEx or HaltHandlerEx. */
NDIS_STATUS NdisMRegisterMiniportDriver(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath,
                                        NDIS_HANDLE MiniportDriverContext,
                                        PNDIS_MINIPORT_DRIVER_CHARACTERISTICS MiniportDriverCharacteristics,
                                        PNDIS_HANDLE NdisMiniportDriverHandle);
VOID NdisMDeregisterMiniportDriver(NDIS_HANDLE NdisMiniportDriverHandle);
/* The registration attributes give the adapter context MiniportHaltEx receives. */
NDIS_STATUS NdisMSetMiniportAttributes(NDIS_HANDLE NdisMiniportHandle,
                                       PNDIS_MINIPORT_ADAPTER_ATTRIBUTES MiniportAttributes);
/* Nonpaged pool: zero-filled host memory; NdisFreeMemory releases it. */
PVOID NdisAllocateMemoryWithTagPriority(NDIS_HANDLE NdisHandle, UINT Length, ULONG Tag,
                                        EX_POOL_PRIORITY Priority);
VOID NdisFreeMemory(PVOID VirtualAddress, UINT Length, UINT MemoryFlags);
DDIMAP_EXTERN_C_END

/* ---- NDIS 6 interrupts (NdisMRegisterInterruptEx) ------------------------------------------ */
#define NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT 0x84
#define NDIS_MINIPORT_INTERRUPT_REVISION_1 1
typedef BOOLEAN(MINIPORT_ISR)(NDIS_HANDLE MiniportInterruptContext, PBOOLEAN QueueDefaultInterruptDpc,
                              PULONG TargetProcessors);
typedef MINIPORT_ISR(*MINIPORT_ISR_HANDLER);
typedef VOID(MINIPORT_INTERRUPT_DPC)(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext,
                                     PVOID ReceiveThrottleParameters, PVOID NdisReserved2);
typedef MINIPORT_INTERRUPT_DPC(*MINIPORT_INTERRUPT_DPC_HANDLER);
typedef VOID(MINIPORT_DISABLE_INTERRUPT)(NDIS_HANDLE MiniportInterruptContext);
typedef MINIPORT_DISABLE_INTERRUPT(*MINIPORT_DISABLE_INTERRUPT_HANDLER);
typedef VOID(MINIPORT_ENABLE_INTERRUPT)(NDIS_HANDLE MiniportInterruptContext);
typedef MINIPORT_ENABLE_INTERRUPT(*MINIPORT_ENABLE_INTERRUPT_HANDLER);
typedef BOOLEAN(MINIPORT_MSI_ISR)(NDIS_HANDLE MiniportInterruptContext, ULONG MessageId,
                                  PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors);
typedef MINIPORT_MSI_ISR(*MINIPORT_MSI_ISR_HANDLER);
typedef VOID(MINIPORT_MSI_INTERRUPT_DPC)(NDIS_HANDLE MiniportInterruptContext, ULONG MessageId,
                                         PVOID MiniportDpcContext, PVOID ReceiveThrottleParameters,
                                         PVOID NdisReserved2);
typedef MINIPORT_MSI_INTERRUPT_DPC(*MINIPORT_MSI_INTERRUPT_DPC_HANDLER);
typedef VOID(MINIPORT_DISABLE_MSI_INTERRUPT)(NDIS_HANDLE MiniportInterruptContext, ULONG MessageId);
typedef MINIPORT_DISABLE_MSI_INTERRUPT(*MINIPORT_DISABLE_MSI_INTERRUPT_HANDLER);
typedef VOID(MINIPORT_ENABLE_MSI_INTERRUPT)(NDIS_HANDLE MiniportInterruptContext, ULONG MessageId);
typedef MINIPORT_ENABLE_MSI_INTERRUPT(*MINIPORT_ENABLE_MSI_INTERRUPT_HANDLER);
typedef enum _NDIS_INTERRUPT_TYPE DDIMAP_NDIS_ENUM_BASE {
  NDIS_CONNECT_LINE_BASED = 1,
  NDIS_CONNECT_MESSAGE_BASED
} NDIS_INTERRUPT_TYPE, *PNDIS_INTERRUPT_TYPE;
typedef struct _IO_INTERRUPT_MESSAGE_INFO IO_INTERRUPT_MESSAGE_INFO, *PIO_INTERRUPT_MESSAGE_INFO;
typedef struct _NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
  NDIS_OBJECT_HEADER Header;
  MINIPORT_ISR_HANDLER InterruptHandler;
  MINIPORT_INTERRUPT_DPC_HANDLER InterruptDpcHandler;
  MINIPORT_DISABLE_INTERRUPT_HANDLER DisableInterruptHandler;
  MINIPORT_ENABLE_INTERRUPT_HANDLER EnableInterruptHandler;
  BOOLEAN MsiSupported;
  BOOLEAN MsiSyncWithAllMessages;
  MINIPORT_MSI_ISR_HANDLER MessageInterruptHandler;
  MINIPORT_MSI_INTERRUPT_DPC_HANDLER MessageInterruptDpcHandler;
  MINIPORT_DISABLE_MSI_INTERRUPT_HANDLER DisableMessageInterruptHandler;
  MINIPORT_ENABLE_MSI_INTERRUPT_HANDLER EnableMessageInterruptHandler;
  NDIS_INTERRUPT_TYPE InterruptType;
  PIO_INTERRUPT_MESSAGE_INFO MessageInfoTable;
} NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, *PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS;
#define NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1 sizeof(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS)

DDIMAP_EXTERN_C_BEGIN
/* Records the line-based handlers for the adapter (one interrupt per
 * adapter; the simulated interrupt is always line based) and returns the
 * interrupt handle. NDIS_STATUS_FAILURE for a NULL argument, a header that is
 * not NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, a missing InterruptHandler or
 * InterruptDpcHandler, or an adapter that has one registered already.
 * The driver fuzzing kit (ddimap/fuzz_driver.h) raises the interrupt while it
 * is registered: InterruptHandler at DIRQL, then, when it asks for it,
 * InterruptDpcHandler at DISPATCH_LEVEL. */
NDIS_STATUS NdisMRegisterInterruptEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportInterruptContext,
                                     PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS MiniportInterruptCharacteristics,
                                     PNDIS_HANDLE NdisInterruptHandle);
VOID NdisMDeregisterInterruptEx(NDIS_HANDLE NdisInterruptHandle);
DDIMAP_EXTERN_C_END

/* ---- NDIS 5.x miniport registration ------------------------------------------------------- */
typedef enum _NDIS_MEDIUM DDIMAP_NDIS_ENUM_BASE {
  NdisMedium802_3,
  NdisMedium802_5,
  NdisMediumFddi,
  NdisMediumWan,
  NdisMediumLocalTalk,
  NdisMediumDix,
  NdisMediumArcnetRaw,
  NdisMediumArcnet878_2,
  NdisMediumAtm,
  NdisMediumWirelessWan,
  NdisMediumIrda,
  NdisMediumBpc,
  NdisMediumCoWan,
  NdisMedium1394,
  NdisMediumInfiniBand,
  NdisMediumTunnel,
  NdisMediumNative802_11,
  NdisMediumLoopback,
  NdisMediumMax
} NDIS_MEDIUM, *PNDIS_MEDIUM;

typedef ULONG NDIS_OID, *PNDIS_OID;
typedef struct _NDIS_PACKET NDIS_PACKET, *PNDIS_PACKET, **PPNDIS_PACKET;
typedef enum _NDIS_DEVICE_PNP_EVENT DDIMAP_NDIS_ENUM_BASE {
  NdisDevicePnPEventQueryRemoved,
  NdisDevicePnPEventRemoved,
  NdisDevicePnPEventSurpriseRemoved,
  NdisDevicePnPEventQueryStopped,
  NdisDevicePnPEventStopped,
  NdisDevicePnPEventPowerProfileChanged,
  NdisDevicePnPEventMaximum
} NDIS_DEVICE_PNP_EVENT, *PNDIS_DEVICE_PNP_EVENT;

typedef NDIS_STATUS (*W_INITIALIZE_HANDLER)(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                            PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                            NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE WrapperConfigurationContext);
typedef VOID (*W_HALT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef BOOLEAN (*W_CHECK_FOR_HANG_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_DISABLE_INTERRUPT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_ENABLE_INTERRUPT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_HANDLE_INTERRUPT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_ISR_HANDLER)(PBOOLEAN InterruptRecognized, PBOOLEAN QueueMiniportHandleInterrupt,
                              NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_QUERY_INFORMATION_HANDLER)(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                                   PVOID InformationBuffer, ULONG InformationBufferLength,
                                                   PULONG BytesWritten, PULONG BytesNeeded);
typedef NDIS_STATUS (*W_RECONFIGURE_HANDLER)(PNDIS_STATUS OpenErrorStatus, NDIS_HANDLE MiniportAdapterContext,
                                             NDIS_HANDLE WrapperConfigurationContext);
typedef NDIS_STATUS (*W_RESET_HANDLER)(PBOOLEAN AddressingReset, NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_SEND_HANDLER)(NDIS_HANDLE MiniportAdapterContext, PNDIS_PACKET Packet, UINT Flags);
typedef NDIS_STATUS (*W_SET_INFORMATION_HANDLER)(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                                 PVOID InformationBuffer, ULONG InformationBufferLength,
                                                 PULONG BytesRead, PULONG BytesNeeded);
typedef NDIS_STATUS (*W_TRANSFER_DATA_HANDLER)(PNDIS_PACKET Packet, PUINT BytesTransferred,
                                               NDIS_HANDLE MiniportAdapterContext,
                                               NDIS_HANDLE MiniportReceiveContext, UINT ByteOffset,
                                               UINT BytesToTransfer);
typedef VOID (*W_RETURN_PACKET_HANDLER)(NDIS_HANDLE MiniportAdapterContext, PNDIS_PACKET Packet);
typedef VOID (*W_SEND_PACKETS_HANDLER)(NDIS_HANDLE MiniportAdapterContext, PPNDIS_PACKET PacketArray,
                                       UINT NumberOfPackets);
typedef VOID (*W_ALLOCATE_COMPLETE_HANDLER)(NDIS_HANDLE MiniportAdapterContext, PVOID VirtualAddress,
                                            PNDIS_PHYSICAL_ADDRESS PhysicalAddress, ULONG Length, PVOID Context);
typedef VOID (*W_CANCEL_SEND_PACKETS_HANDLER)(NDIS_HANDLE MiniportAdapterContext, PVOID CancelId);
typedef VOID (*W_PNP_EVENT_NOTIFY_HANDLER)(NDIS_HANDLE MiniportAdapterContext, NDIS_DEVICE_PNP_EVENT DevicePnPEvent,
                                           PVOID InformationBuffer, ULONG InformationBufferLength);
typedef VOID (*W_MINIPORT_SHUTDOWN_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef struct _CO_CALL_PARAMETERS CO_CALL_PARAMETERS, *PCO_CALL_PARAMETERS;
typedef struct _NDIS_REQUEST NDIS_REQUEST, *PNDIS_REQUEST;
typedef NDIS_STATUS (*W_CO_CREATE_VC_HANDLER)(NDIS_HANDLE MiniportAdapterContext, NDIS_HANDLE NdisVcHandle,
                                              PNDIS_HANDLE MiniportVcContext);
typedef NDIS_STATUS (*W_CO_DELETE_VC_HANDLER)(NDIS_HANDLE MiniportVcContext);
typedef NDIS_STATUS (*W_CO_ACTIVATE_VC_HANDLER)(NDIS_HANDLE MiniportVcContext, PCO_CALL_PARAMETERS CallParameters);
typedef NDIS_STATUS (*W_CO_DEACTIVATE_VC_HANDLER)(NDIS_HANDLE MiniportVcContext);
typedef VOID (*W_CO_SEND_PACKETS_HANDLER)(NDIS_HANDLE MiniportVcContext, PPNDIS_PACKET PacketArray,
                                          UINT NumberOfPackets);
typedef NDIS_STATUS (*W_CO_REQUEST_HANDLER)(NDIS_HANDLE MiniportAdapterContext, NDIS_HANDLE MiniportVcContext,
                                            PNDIS_REQUEST NdisRequest);

/* The NDIS 5.1 layout, flattened; NDIS 3, 4 and 5.0 drivers fill a prefix of
 * it (NDIS 3: up to TransferDataHandler; 4: up to AllocateCompleteHandler;
 * 5.0: up to CoRequestHandler). ddimap calls InitializeHandler and
 * HaltHandler; the others are kept, not called. */
typedef struct _NDIS51_MINIPORT_CHARACTERISTICS {
  UCHAR MajorNdisVersion;
  UCHAR MinorNdisVersion;
  USHORT Filler;
  UINT Reserved;
  W_CHECK_FOR_HANG_HANDLER CheckForHangHandler;
  W_DISABLE_INTERRUPT_HANDLER DisableInterruptHandler;
  W_ENABLE_INTERRUPT_HANDLER EnableInterruptHandler;
  W_HALT_HANDLER HaltHandler;
  W_HANDLE_INTERRUPT_HANDLER HandleInterruptHandler;
  W_INITIALIZE_HANDLER InitializeHandler;
  W_ISR_HANDLER ISRHandler;
  W_QUERY_INFORMATION_HANDLER QueryInformationHandler;
  W_RECONFIGURE_HANDLER ReconfigureHandler;
  W_RESET_HANDLER ResetHandler;
  W_SEND_HANDLER SendHandler;
  W_SET_INFORMATION_HANDLER SetInformationHandler;
  W_TRANSFER_DATA_HANDLER TransferDataHandler;
  W_RETURN_PACKET_HANDLER ReturnPacketHandler;   /* NDIS 4.0 and later */
  W_SEND_PACKETS_HANDLER SendPacketsHandler;
  W_ALLOCATE_COMPLETE_HANDLER AllocateCompleteHandler;
  W_CO_CREATE_VC_HANDLER CoCreateVcHandler; /* NDIS 5.0 */
  W_CO_DELETE_VC_HANDLER CoDeleteVcHandler;
  W_CO_ACTIVATE_VC_HANDLER CoActivateVcHandler;
  W_CO_DEACTIVATE_VC_HANDLER CoDeactivateVcHandler;
  W_CO_SEND_PACKETS_HANDLER CoSendPacketsHandler;
  W_CO_REQUEST_HANDLER CoRequestHandler;
  W_CANCEL_SEND_PACKETS_HANDLER CancelSendPacketsHandler; /* NDIS 5.1 */
  W_PNP_EVENT_NOTIFY_HANDLER PnPEventNotifyHandler;
  W_MINIPORT_SHUTDOWN_HANDLER AdapterShutdownHandler;
  PVOID Reserved1;
  PVOID Reserved2;
  PVOID Reserved3;
  PVOID Reserved4;
} NDIS51_MINIPORT_CHARACTERISTICS, NDIS50_MINIPORT_CHARACTERISTICS, NDIS_MINIPORT_CHARACTERISTICS,
    *PNDIS_MINIPORT_CHARACTERISTICS;

/* NdisMSetAttributesEx's AttributeFlags. */
#define NDIS_ATTRIBUTE_IGNORE_PACKET_TIMEOUT 0x00000001
#define NDIS_ATTRIBUTE_IGNORE_REQUEST_TIMEOUT 0x00000002
#define NDIS_ATTRIBUTE_IGNORE_TOKEN_RING_ERRORS 0x00000004
#define NDIS_ATTRIBUTE_BUS_MASTER 0x00000008
#define NDIS_ATTRIBUTE_INTERMEDIATE_DRIVER 0x00000010
#define NDIS_ATTRIBUTE_DESERIALIZE 0x00000020
#define NDIS_ATTRIBUTE_NO_HALT_ON_SUSPEND 0x00000040
#define NDIS_ATTRIBUTE_SURPRISE_REMOVE_OK 0x00000080

/* NDIS spin locks: KSPIN_LOCK's IRQL effect (ddimap/wdk.h), the level before
 * the acquire kept in the lock for the release. */
typedef struct _NDIS_SPIN_LOCK {
  KSPIN_LOCK SpinLock;
  KIRQL OldIrql;
} NDIS_SPIN_LOCK, *PNDIS_SPIN_LOCK;
#define NdisAllocateSpinLock(_SpinLock) KeInitializeSpinLock(&(_SpinLock)->SpinLock)
#define NdisFreeSpinLock(_SpinLock) ((void)(_SpinLock))
#define NdisAcquireSpinLock(_SpinLock) KeAcquireSpinLock(&(_SpinLock)->SpinLock, &(_SpinLock)->OldIrql)
#define NdisReleaseSpinLock(_SpinLock) KeReleaseSpinLock(&(_SpinLock)->SpinLock, (_SpinLock)->OldIrql)
#define NdisDprAcquireSpinLock(_SpinLock) KeAcquireSpinLockAtDpcLevel(&(_SpinLock)->SpinLock)
#define NdisDprReleaseSpinLock(_SpinLock) KeReleaseSpinLockFromDpcLevel(&(_SpinLock)->SpinLock)
/* Busy wait and sleep: no simulated time passes (NdisMSleep's PASSIVE_LEVEL
 * requirement is not checked). */
#define NdisStallExecution(MicroSecondsToStall) KeStallExecutionProcessor(MicroSecondsToStall)
#define NdisMSleep(MicrosecondsToSleep) KeStallExecutionProcessor(MicrosecondsToSleep)

#define NdisMInitializeWrapper(NdisWrapperHandle, SystemSpecific1, SystemSpecific2, SystemSpecific3) \
  NdisInitializeWrapper((NdisWrapperHandle), (SystemSpecific1), (SystemSpecific2), (SystemSpecific3))

DDIMAP_EXTERN_C_BEGIN
/* DriverEntry's first call: *NdisWrapperHandle is the wrapper the
 * registration names (NULL when SystemSpecific1, the driver object, is NULL). */
VOID NdisInitializeWrapper(PNDIS_HANDLE NdisWrapperHandle, PVOID SystemSpecific1, PVOID SystemSpecific2,
                           PVOID SystemSpecific3);
VOID NdisTerminateWrapper(NDIS_HANDLE NdisWrapperHandle, PVOID SystemSpecific);
/* Records the handlers, like NdisMRegisterMiniportDriver (ddimap/control.h's
 * ddimap_ndis_initialize and ddimap_ndis_halt run them): NDIS_STATUS_FAILURE
 * for an unknown wrapper or NULL characteristics; NDIS_STATUS_BAD_VERSION
 * unless MajorNdisVersion is 3, 4 or 5; NDIS_STATUS_BAD_CHARACTERISTICS when
 * CharacteristicsLength is shorter than that version's structure or
 * InitializeHandler or HaltHandler is missing. */
NDIS_STATUS NdisMRegisterMiniport(NDIS_HANDLE NdisWrapperHandle,
                                  PNDIS_MINIPORT_CHARACTERISTICS MiniportCharacteristics, UINT CharacteristicsLength);
/* In MiniportInitialize: the context MiniportHalt will receive. */
VOID NdisMSetAttributesEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportAdapterContext,
                          UINT CheckForHangTimeInSeconds, ULONG AttributeFlags, NDIS_INTERFACE_TYPE AdapterType);
VOID NdisMSetAttributes(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportAdapterContext, BOOLEAN BusMaster,
                        NDIS_INTERFACE_TYPE AdapterType);
/* Nonpaged pool: zero-filled host memory; NdisFreeMemory releases it. */
NDIS_STATUS NdisAllocateMemoryWithTag(PVOID *VirtualAddress, UINT Length, ULONG Tag);
DDIMAP_EXTERN_C_END

#endif /* DDIMAP_WDK_NDIS_H_ */
