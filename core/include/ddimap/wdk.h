/* ddimap/wdk.h: the WDK-style C face of the ddimap core.
 *
 * One header for C (C11) and C++. It declares the map/unmap DDIs that ddimap
 * models, with the WDK's names, parameter order and types. Driver sources do
 * not include it directly: they include the WDK's header names (<ndis.h>,
 * <wdm.h>, <ntddk.h>, <video.h>, <wudfddi.h>, ...), which ddimap/wdk/ provides
 * on top of this one (docs/wdk-headers.md), and compile unchanged.
 *
 * Every function acts on the process-global "current machine" managed by
 * ddimap/control.h. When no machine exists, the first call of any function in
 * this header creates one (empty: no RAM, no devices), configured from the
 * DDIMAP_OPTIONS environment variable exactly like ddimap_machine_create().
 *
 * Pointers and handles: every address and handle these functions return is a
 * guest value of the simulated machine cast to a pointer type (for example an
 * NDIS_HANDLE 0xA000000000000001, or a mapped address 0xFFFFC00000001000). Such
 * values must never be dereferenced by the caller; read and write through them
 * with READ_REGISTER_* / WRITE_REGISTER_* and the other accessors below, which
 * the core checks. Out-parameters (PVOID *VirtualAddress, PNDIS_STATUS Status,
 * PULONG Length, ...) are real host pointers to the caller's variables; NULL is
 * allowed and is reported (COMMON.NULL_POINTER) instead of crashing.
 *
 * Not thread-safe: the simulated machine has one thread. Serialize all calls.
 * A 64-bit host is required (guest addresses are 64-bit).
 */
#ifndef DDIMAP_WDK_H_
#define DDIMAP_WDK_H_

#include "wdk/ntdef.h" /* types, NTSTATUS, SAL, Rtl helpers, DbgPrint */

#ifdef __cplusplus
extern "C" {
#define DDIMAP_ENUM_BASE : int
#else
#define DDIMAP_ENUM_BASE
#endif

typedef UCHAR KIRQL, *PKIRQL;
#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define HIGH_LEVEL 15

typedef PHYSICAL_ADDRESS NDIS_PHYSICAL_ADDRESS, *PNDIS_PHYSICAL_ADDRESS;

/* The driver object DriverEntry receives (ddimap_driver_object()): opaque. */
typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT;

/* ---- strings ---------------------------------------------------------------- */
typedef UNICODE_STRING NDIS_STRING, *PNDIS_STRING;

/* NDIS_STRING name = NDIS_STRING_CONST("firmware.bin"); (a string literal) */
#define NDIS_STRING_CONST(x) \
  { (USHORT)(sizeof(u##x) - sizeof(WCHAR)), (USHORT)sizeof(u##x), (PWSTR)(u##x) }

/* ---- NDIS ------------------------------------------------------------------- */
typedef PVOID NDIS_HANDLE, *PNDIS_HANDLE;
typedef int NDIS_STATUS, *PNDIS_STATUS;

#define NDIS_STATUS_SUCCESS ((NDIS_STATUS)0x00000000L)
#define NDIS_STATUS_FAILURE ((NDIS_STATUS)0xC0000001L)
#define NDIS_STATUS_RESOURCES ((NDIS_STATUS)0xC000009AL)
#define NDIS_STATUS_FILE_NOT_FOUND ((NDIS_STATUS)0xC001001BL)
#define NDIS_STATUS_ERROR_READING_FILE ((NDIS_STATUS)0xC001001CL)
#define NDIS_STATUS_ALREADY_MAPPED ((NDIS_STATUS)0xC001001DL)
#define NDIS_STATUS_RESOURCE_CONFLICT ((NDIS_STATUS)0xC001001EL)

/* ---- memory manager ----------------------------------------------------------- */
typedef enum _MEMORY_CACHING_TYPE DDIMAP_ENUM_BASE {
  MmNonCached = 0,
  MmCached = 1,
  MmWriteCombined = 2,
  MmHardwareCoherentCached = 3,
  MmNonCachedUnordered = 4,
  MmUSWCCached = 5,
  MmMaximumCacheType = 6
} MEMORY_CACHING_TYPE;

#define PAGE_READONLY 0x02
#define PAGE_READWRITE 0x04
#define PAGE_EXECUTE 0x10
#define PAGE_EXECUTE_READ 0x20
#define PAGE_EXECUTE_READWRITE 0x40
#define PAGE_NOCACHE 0x200
#define PAGE_WRITECOMBINE 0x400

/* ---- COM / UMDF ------------------------------------------------------------------ */
typedef LONG HRESULT;
#define S_OK ((HRESULT)0x00000000L)
#define E_OUTOFMEMORY ((HRESULT)0x8007000EL)
#define E_INVALIDARG ((HRESULT)0x80070057L)
#ifndef SUCCEEDED
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#endif
#ifndef FAILED
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#endif

/* An IWDFDevice3* is an opaque guest handle (never dereference it); its
 * methods are the COM C-binding style functions IWDFDevice3_Xxx(This, ...). */
typedef struct IWDFDevice3 IWDFDevice3;

/* ---- video port ------------------------------------------------------------------ */
typedef LONG VP_STATUS, *PVP_STATUS;
#define NO_ERROR 0L
#define ERROR_INVALID_PARAMETER 87L

#define VIDEO_MEMORY_SPACE_MEMORY 0x00
#define VIDEO_MEMORY_SPACE_IO 0x01
#define VIDEO_MEMORY_SPACE_USER_MODE 0x02
#define VIDEO_MEMORY_SPACE_DENSE 0x04
#define VIDEO_MEMORY_SPACE_P6CACHE 0x08

/* ==== NDIS miniport I/O space (ndis.h) ============================================= */
NDIS_STATUS NdisMMapIoSpace(PVOID *VirtualAddress, NDIS_HANDLE MiniportAdapterHandle,
                            NDIS_PHYSICAL_ADDRESS PhysicalAddress, UINT Length);
void NdisMUnmapIoSpace(NDIS_HANDLE MiniportAdapterHandle, PVOID VirtualAddress, UINT Length);

/* ==== WDM (wdm.h) ======================================================================== */
PVOID MmMapIoSpace(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes,
                   MEMORY_CACHING_TYPE CacheType);
PVOID MmMapIoSpaceEx(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes, ULONG Protect);
void MmUnmapIoSpace(PVOID BaseAddress, SIZE_T NumberOfBytes);
/* The address of a routine ddimap implements, by its exported name (e.g.
 * L"MmMapIoSpaceEx"); NULL for any other name. */
PVOID MmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName);

/* ==== UMDF 1.x IWDFDevice3 (wudfddi.h, C binding) ========================================= */
HRESULT IWDFDevice3_MapIoSpace(IWDFDevice3 *This, PHYSICAL_ADDRESS PhysicalAddress,
                               SIZE_T NumberOfBytes, MEMORY_CACHING_TYPE CacheType,
                               void **pPseudoBaseAddress);
void IWDFDevice3_UnmapIoSpace(IWDFDevice3 *This, void *PseudoBaseAddress, SIZE_T NumberOfBytes);
PVOID IWDFDevice3_GetHardwareRegisterMappedAddress(IWDFDevice3 *This, void *PseudoBaseAddress);

UCHAR IWDFDevice3_READ_REGISTER_UCHAR(IWDFDevice3 *This, PUCHAR Register);
USHORT IWDFDevice3_READ_REGISTER_USHORT(IWDFDevice3 *This, PUSHORT Register);
ULONG IWDFDevice3_READ_REGISTER_ULONG(IWDFDevice3 *This, PULONG Register);
ULONG64 IWDFDevice3_READ_REGISTER_ULONG64(IWDFDevice3 *This, PULONG64 Register);
void IWDFDevice3_WRITE_REGISTER_UCHAR(IWDFDevice3 *This, PUCHAR Register, UCHAR Value);
void IWDFDevice3_WRITE_REGISTER_USHORT(IWDFDevice3 *This, PUSHORT Register, USHORT Value);
void IWDFDevice3_WRITE_REGISTER_ULONG(IWDFDevice3 *This, PULONG Register, ULONG Value);
void IWDFDevice3_WRITE_REGISTER_ULONG64(IWDFDevice3 *This, PULONG64 Register, ULONG64 Value);

/* ==== NDIS files (ndis.h) ================================================================== */
void NdisOpenFile(PNDIS_STATUS Status, PNDIS_HANDLE FileHandle, PUINT FileLength,
                  PNDIS_STRING FileName, NDIS_PHYSICAL_ADDRESS HighestAcceptableAddress);
void NdisMapFile(PNDIS_STATUS Status, PVOID *MappedBuffer, NDIS_HANDLE FileHandle);
void NdisUnmapFile(NDIS_HANDLE FileHandle);
void NdisCloseFile(NDIS_HANDLE FileHandle);

/* ==== video miniport (video.h) ================================================================ */
/* *VirtualAddress on input: NULL (system space) or a process handle
 * (ddimap_create_process) for a user-mode mapping. */
VP_STATUS VideoPortMapMemory(PVOID HwDeviceExtension, PHYSICAL_ADDRESS PhysicalAddress,
                             PULONG Length, PULONG InIoSpace, PVOID *VirtualAddress);
VP_STATUS VideoPortUnmapMemory(PVOID HwDeviceExtension, PVOID VirtualAddress,
                               HANDLE ProcessHandle);

/* ==== register and buffer access through mapped addresses ======================================= */
/* Checked by the core (ACCESS.* rules); a refused read returns 0, a refused
 * write does nothing. */
UCHAR READ_REGISTER_UCHAR(volatile UCHAR *Register);
USHORT READ_REGISTER_USHORT(volatile USHORT *Register);
ULONG READ_REGISTER_ULONG(volatile ULONG *Register);
ULONG64 READ_REGISTER_ULONG64(volatile ULONG64 *Register);
void WRITE_REGISTER_UCHAR(volatile UCHAR *Register, UCHAR Value);
void WRITE_REGISTER_USHORT(volatile USHORT *Register, USHORT Value);
void WRITE_REGISTER_ULONG(volatile ULONG *Register, ULONG Value);
void WRITE_REGISTER_ULONG64(volatile ULONG64 *Register, ULONG64 Value);

/* Macros, as in ndis.h: the register may be any pointer type (a PUCHAR to
 * NdisReadRegisterUlong is common), *Data any lvalue of the width. */
#define NdisReadRegisterUchar(Register, Data) (*(Data) = READ_REGISTER_UCHAR((volatile UCHAR *)(Register)))
#define NdisReadRegisterUshort(Register, Data) (*(Data) = READ_REGISTER_USHORT((volatile USHORT *)(Register)))
#define NdisReadRegisterUlong(Register, Data) (*(Data) = READ_REGISTER_ULONG((volatile ULONG *)(Register)))
#define NdisWriteRegisterUchar(Register, Data) WRITE_REGISTER_UCHAR((volatile UCHAR *)(Register), (Data))
#define NdisWriteRegisterUshort(Register, Data) WRITE_REGISTER_USHORT((volatile USHORT *)(Register), (Data))
#define NdisWriteRegisterUlong(Register, Data) WRITE_REGISTER_ULONG((volatile ULONG *)(Register), (Data))

UCHAR VideoPortReadRegisterUchar(PUCHAR Register);
USHORT VideoPortReadRegisterUshort(PUSHORT Register);
ULONG VideoPortReadRegisterUlong(PULONG Register);
void VideoPortWriteRegisterUchar(PUCHAR Register, UCHAR Value);
void VideoPortWriteRegisterUshort(PUSHORT Register, USHORT Value);
void VideoPortWriteRegisterUlong(PULONG Register, ULONG Value);

/* ==== port I/O ===================================================================================== */
/* A port is a number of I/O space cast to a pointer (READ_PORT_UCHAR((PUCHAR)0x3C0)),
 * never dereferenced. Checked by the core: the port must lie in an I/O port
 * resource of some device (ACCESS.PORT_UNASSIGNED), and for the NdisRaw names
 * in a range registered with NdisMRegisterIoPortRange (ACCESS.PORT_UNREGISTERED,
 * ACCESS.PORT_DEREGISTERED). Any IRQL. A refused read returns 0 (a buffer read
 * stores 0 in every element), a refused write does nothing. A port keeps the
 * last value written to it; an unwritten port reads 0. Buffers are host
 * arrays; a NULL one with a non-zero count is COMMON.NULL_POINTER. */
UCHAR READ_PORT_UCHAR(PUCHAR Port);
USHORT READ_PORT_USHORT(PUSHORT Port);
ULONG READ_PORT_ULONG(PULONG Port);
void WRITE_PORT_UCHAR(PUCHAR Port, UCHAR Value);
void WRITE_PORT_USHORT(PUSHORT Port, USHORT Value);
void WRITE_PORT_ULONG(PULONG Port, ULONG Value);
void READ_PORT_BUFFER_UCHAR(PUCHAR Port, PUCHAR Buffer, ULONG Count);
void READ_PORT_BUFFER_USHORT(PUSHORT Port, PUSHORT Buffer, ULONG Count);
void READ_PORT_BUFFER_ULONG(PULONG Port, PULONG Buffer, ULONG Count);
void WRITE_PORT_BUFFER_UCHAR(PUCHAR Port, PUCHAR Buffer, ULONG Count);
void WRITE_PORT_BUFFER_USHORT(PUSHORT Port, PUSHORT Buffer, ULONG Count);
void WRITE_PORT_BUFFER_ULONG(PULONG Port, PULONG Buffer, ULONG Count);

/* Functions here; macros in the real ndis.h. */
void NdisRawReadPortUchar(ULONG_PTR Port, PUCHAR Data);
void NdisRawReadPortUshort(ULONG_PTR Port, PUSHORT Data);
void NdisRawReadPortUlong(ULONG_PTR Port, PULONG Data);
void NdisRawWritePortUchar(ULONG_PTR Port, UCHAR Data);
void NdisRawWritePortUshort(ULONG_PTR Port, USHORT Data);
void NdisRawWritePortUlong(ULONG_PTR Port, ULONG Data);
void NdisRawReadPortBufferUchar(ULONG_PTR Port, PUCHAR Buffer, ULONG Length);
void NdisRawReadPortBufferUshort(ULONG_PTR Port, PUSHORT Buffer, ULONG Length);
void NdisRawReadPortBufferUlong(ULONG_PTR Port, PULONG Buffer, ULONG Length);
void NdisRawWritePortBufferUchar(ULONG_PTR Port, PUCHAR Buffer, ULONG Length);
void NdisRawWritePortBufferUshort(ULONG_PTR Port, PUSHORT Buffer, ULONG Length);
void NdisRawWritePortBufferUlong(ULONG_PTR Port, PULONG Buffer, ULONG Length);

UCHAR VideoPortReadPortUchar(PUCHAR Port);
USHORT VideoPortReadPortUshort(PUSHORT Port);
ULONG VideoPortReadPortUlong(PULONG Port);
void VideoPortWritePortUchar(PUCHAR Port, UCHAR Value);
void VideoPortWritePortUshort(PUSHORT Port, USHORT Value);
void VideoPortWritePortUlong(PULONG Port, ULONG Value);
void VideoPortReadPortBufferUchar(PUCHAR Port, PUCHAR Buffer, ULONG Count);
void VideoPortReadPortBufferUshort(PUSHORT Port, PUSHORT Buffer, ULONG Count);
void VideoPortReadPortBufferUlong(PULONG Port, PULONG Buffer, ULONG Count);
void VideoPortWritePortBufferUchar(PUCHAR Port, PUCHAR Buffer, ULONG Count);
void VideoPortWritePortBufferUshort(PUSHORT Port, PUSHORT Buffer, ULONG Count);
void VideoPortWritePortBufferUlong(PULONG Port, PULONG Buffer, ULONG Count);

/* ==== NDIS I/O port ranges (ndis.h) =================================================================== */
/* Called in MiniportInitializeEx; deregistered in MiniportInitializeEx or
 * MiniportHaltEx with the same InitialPort, NumberOfPorts and PortOffset. As on
 * x64, *PortOffset is the port number InitialPort itself. */
NDIS_STATUS NdisMRegisterIoPortRange(PVOID *PortOffset, NDIS_HANDLE MiniportAdapterHandle, UINT InitialPort,
                                     UINT NumberOfPorts);
VOID NdisMDeregisterIoPortRange(NDIS_HANDLE MiniportAdapterHandle, UINT InitialPort, UINT NumberOfPorts,
                                PVOID PortOffset);

/* ==== hardware resources (wdm.h, ndis.h, wdfresource.h, video.h) ==================================== */
/* The resources the PnP manager assigned to a device (ddimap_assign_memory_resource and
 * ddimap_assign_port_resource, in that order), laid out as wdm.h lays them out for x64: both
 * structures are packed to 4 bytes (a descriptor is 20 bytes, CM_PARTIAL_RESOURCE_LIST with one
 * descriptor 28). ddimap fills memory resources as Type CmResourceTypeMemory, Flags
 * CM_RESOURCE_MEMORY_READ_WRITE, u.Memory; port resources as CmResourceTypePort,
 * CM_RESOURCE_PORT_IO, u.Port; ShareDisposition CmResourceShareDeviceExclusive; a length that
 * does not fit a ULONG reads 0xFFFFFFFF. Descriptors and lists are the machine's memory, valid
 * until the machine is destroyed; read them, never write them. */

#define CmResourceTypeNull 0
#define CmResourceTypePort 1
#define CmResourceTypeInterrupt 2
#define CmResourceTypeMemory 3
#define CmResourceTypeDma 4
#define CmResourceTypeDeviceSpecific 5
#define CmResourceTypeBusNumber 6
#define CmResourceTypeMemoryLarge 7

typedef enum _CM_SHARE_DISPOSITION DDIMAP_ENUM_BASE {
  CmResourceShareUndetermined = 0,
  CmResourceShareDeviceExclusive,
  CmResourceShareDriverExclusive,
  CmResourceShareShared
} CM_SHARE_DISPOSITION;

#define CM_RESOURCE_PORT_MEMORY 0x0000
#define CM_RESOURCE_PORT_IO 0x0001
#define CM_RESOURCE_PORT_10_BIT_DECODE 0x0004
#define CM_RESOURCE_PORT_12_BIT_DECODE 0x0008
#define CM_RESOURCE_PORT_16_BIT_DECODE 0x0010
#define CM_RESOURCE_PORT_POSITIVE_DECODE 0x0020
#define CM_RESOURCE_PORT_PASSIVE_DECODE 0x0040
#define CM_RESOURCE_PORT_WINDOW_DECODE 0x0080
#define CM_RESOURCE_PORT_BAR 0x0100

#define CM_RESOURCE_MEMORY_READ_WRITE 0x0000
#define CM_RESOURCE_MEMORY_READ_ONLY 0x0001
#define CM_RESOURCE_MEMORY_WRITE_ONLY 0x0002
#define CM_RESOURCE_MEMORY_WRITEABILITY_MASK 0x0003
#define CM_RESOURCE_MEMORY_PREFETCHABLE 0x0004
#define CM_RESOURCE_MEMORY_COMBINEDWRITE 0x0008
#define CM_RESOURCE_MEMORY_24 0x0010
#define CM_RESOURCE_MEMORY_CACHEABLE 0x0020
#define CM_RESOURCE_MEMORY_WINDOW_DECODE 0x0040
#define CM_RESOURCE_MEMORY_BAR 0x0080
#define CM_RESOURCE_MEMORY_COMPAT_FOR_INACCESSIBLE_RANGE 0x0100
#define CM_RESOURCE_MEMORY_LARGE 0x0E00
#define CM_RESOURCE_MEMORY_LARGE_40 0x0200
#define CM_RESOURCE_MEMORY_LARGE_48 0x0400
#define CM_RESOURCE_MEMORY_LARGE_64 0x0800

#define CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE 0x0000
#define CM_RESOURCE_INTERRUPT_LATCHED 0x0001
#define CM_RESOURCE_INTERRUPT_MESSAGE 0x0002
#define CM_RESOURCE_INTERRUPT_POLICY_INCLUDED 0x0004
#define CM_RESOURCE_INTERRUPT_SECONDARY_INTERRUPT 0x0010
#define CM_RESOURCE_INTERRUPT_WAKE_HINT 0x0020

#pragma pack(push, 4)
typedef struct _CM_PARTIAL_RESOURCE_DESCRIPTOR {
  UCHAR Type;
  UCHAR ShareDisposition;
  USHORT Flags;
  union {
    struct {
      PHYSICAL_ADDRESS Start;
      ULONG Length;
    } Generic;
    struct {
      PHYSICAL_ADDRESS Start;
      ULONG Length;
    } Port;
    struct {
      USHORT Level;
      USHORT Group;
      ULONG Vector;
      KAFFINITY Affinity;
    } Interrupt;
    struct {
#if defined(__GNUC__) || defined(__clang__)
      __extension__
#endif
      union {
        struct {
          USHORT Group;
          USHORT MessageCount;
          ULONG Vector;
          KAFFINITY Affinity;
        } Raw;
        struct {
          USHORT Level;
          USHORT Group;
          ULONG Vector;
          KAFFINITY Affinity;
        } Translated;
      };
    } MessageInterrupt;
    struct {
      PHYSICAL_ADDRESS Start;
      ULONG Length;
    } Memory;
    struct {
      ULONG Channel;
      ULONG Port;
      ULONG Reserved1;
    } Dma;
    struct {
      ULONG Channel;
      ULONG RequestLine;
      UCHAR TransferWidth;
      UCHAR Reserved1;
      UCHAR Reserved2;
      UCHAR Reserved3;
    } DmaV3;
    struct {
      ULONG Data[3];
    } DevicePrivate;
    struct {
      ULONG Start;
      ULONG Length;
      ULONG Reserved;
    } BusNumber;
    struct {
      ULONG DataSize;
      ULONG Reserved1;
      ULONG Reserved2;
    } DeviceSpecificData;
    struct {
      PHYSICAL_ADDRESS Start;
      ULONG Length40;
    } Memory40;
    struct {
      PHYSICAL_ADDRESS Start;
      ULONG Length48;
    } Memory48;
    struct {
      PHYSICAL_ADDRESS Start;
      ULONG Length64;
    } Memory64;
    struct {
      UCHAR Class;
      UCHAR Type;
      UCHAR Reserved1;
      UCHAR Reserved2;
      ULONG IdLowPart;
      ULONG IdHighPart;
    } Connection;
  } u;
} CM_PARTIAL_RESOURCE_DESCRIPTOR, *PCM_PARTIAL_RESOURCE_DESCRIPTOR;

typedef struct _CM_PARTIAL_RESOURCE_LIST {
  USHORT Version;
  USHORT Revision;
  ULONG Count;
  CM_PARTIAL_RESOURCE_DESCRIPTOR PartialDescriptors[1];
} CM_PARTIAL_RESOURCE_LIST, *PCM_PARTIAL_RESOURCE_LIST;
#pragma pack(pop)

/* ndis.h: NDIS_RESOURCE_LIST is CM_PARTIAL_RESOURCE_LIST. */
typedef CM_PARTIAL_RESOURCE_LIST NDIS_RESOURCE_LIST, *PNDIS_RESOURCE_LIST;

/* NDIS 5.x. WrapperConfigurationContext: the adapter handle, during its MiniportInitializeEx.
 * *BufferSize in: the bytes at ResourceList; out: the bytes the list takes. A buffer too
 * small gives NDIS_STATUS_RESOURCES (ResourceList may then be NULL: the size query); an
 * adapter without resources NDIS_STATUS_FAILURE. */
VOID NdisMQueryAdapterResources(PNDIS_STATUS Status, NDIS_HANDLE WrapperConfigurationContext,
                                PNDIS_RESOURCE_LIST ResourceList, PUINT BufferSize);

/* KMDF (wdfresource.h). A WDFCMRESLIST is a guest handle: the ResourcesTranslated a KMDF driver
 * receives in EvtDevicePrepareHardware (ddimap_device_resources in control.h), valid until
 * EvtDeviceReleaseHardware returns. An Index out of range returns NULL. */
typedef struct WDFCMRESLIST__ *WDFCMRESLIST;
ULONG WdfCmResourceListGetCount(WDFCMRESLIST List);
PCM_PARTIAL_RESOURCE_DESCRIPTOR WdfCmResourceListGetDescriptor(WDFCMRESLIST List, ULONG Index);

/* video.h. The Plug and Play case: RequestedResources NULL (or NumRequestedResources 0) fills
 * AccessRanges with the device's ranges in assignment order (RangeInIoSpace 1 for a port
 * resource, RangeVisible, RangeShareable and RangePassive 0) and *Slot (if not NULL) with the
 * device's number (0 for the first video device). Fewer than that many elements:
 * ERROR_MORE_DATA, nothing written. A list of requested resources (the legacy path) is not
 * modelled: ERROR_INVALID_PARAMETER. VendorId and DeviceId are not read. */
#define ERROR_MORE_DATA 234L
typedef struct _IO_RESOURCE_DESCRIPTOR IO_RESOURCE_DESCRIPTOR, *PIO_RESOURCE_DESCRIPTOR;
typedef struct _VIDEO_ACCESS_RANGE {
  PHYSICAL_ADDRESS RangeStart;
  ULONG RangeLength;
  UCHAR RangeInIoSpace;
  UCHAR RangeVisible;
  UCHAR RangeShareable;
  UCHAR RangePassive;
} VIDEO_ACCESS_RANGE, *PVIDEO_ACCESS_RANGE;
VP_STATUS VideoPortGetAccessRanges(PVOID HwDeviceExtension, ULONG NumRequestedResources,
                                   PIO_RESOURCE_DESCRIPTOR RequestedResources, ULONG NumAccessRanges,
                                   PVIDEO_ACCESS_RANGE AccessRanges, PVOID VendorId, PVOID DeviceId,
                                   PULONG Slot);

/* ==== PAGED_CODE ================================================================================ */
/* What a WDK-named header's PAGED_CODE() macro calls: above APC_LEVEL it is reported
 * (COMMON.PAGED_CODE_IRQL), as a checked build asserts. */
void ddimap_paged_code(void);

/* ==== video device base (video.h) ============================================================ */
/* Memory space: a guest address (never dereference it; use the register
 * accessors). VIDEO_MEMORY_SPACE_IO: the port number itself, as on x64. */
PVOID VideoPortGetDeviceBase(PVOID HwDeviceExtension, PHYSICAL_ADDRESS IoAddress, ULONG NumberOfUchars,
                             UCHAR InIoSpace);
VOID VideoPortFreeDeviceBase(PVOID HwDeviceExtension, PVOID MappedAddress);

/* ==== NDIS shared memory (ndis.h) =============================================================== */
/* *VirtualAddress is HOST memory (zero-filled, page-aligned, Length bytes) the
 * driver reads and writes with plain C; the core tracks it by a guest address.
 * NdisMFreeSharedMemory takes that host pointer back (an unknown pointer is
 * passed to the core unchanged, which reports it). Blocks are freed with the
 * allocation, and all at ddimap_machine_destroy. *PhysicalAddress is a page of
 * the machine's RAM. */
VOID NdisMAllocateSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length, BOOLEAN Cached,
                               PVOID *VirtualAddress, PNDIS_PHYSICAL_ADDRESS PhysicalAddress);
VOID NdisMFreeSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length, BOOLEAN Cached,
                           PVOID VirtualAddress, NDIS_PHYSICAL_ADDRESS PhysicalAddress);

/* ==== IRQL ======================================================================================== */
/* Set the simulated IRQL. A level above HIGH_LEVEL is reported
 * (MACHINE.IRQL_RANGE) and refused. The model does not check the direction
 * (raising to a lower level or lowering to a higher one is not reported). */
KIRQL KeGetCurrentIrql(void);
void KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql); /* *OldIrql = previous level (if not NULL) */
void KeLowerIrql(KIRQL NewIrql);

/* Spin locks change the IRQL as on x64 and nothing else: acquiring raises to
 * DISPATCH_LEVEL (so a DDI that needs PASSIVE_LEVEL, called under the lock, is
 * reported), releasing restores the level given. With one simulated thread
 * the lock itself is not modelled: a lock acquired twice, or released
 * unheld, is not reported. */
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
void KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock);
#define KeAcquireSpinLock(SpinLock, OldIrql) (*(OldIrql) = KeAcquireSpinLockRaiseToDpc(SpinLock))
void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
/* Already at DISPATCH_LEVEL (a DPC): the IRQL is left as it is. */
void KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
void KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);
/* Busy waits: no simulated time passes. */
void KeStallExecutionProcessor(ULONG MicroSeconds);

#undef DDIMAP_ENUM_BASE
#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DDIMAP_WDK_H_ */
