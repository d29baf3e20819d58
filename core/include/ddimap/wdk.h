/* ddimap/wdk.h: the WDK-style C face of the ddimap core.
 *
 * One header for C (C11) and C++. It declares the map/unmap DDIs that ddimap
 * models, with the WDK's names, parameter order and types, so driver code
 * written against ndis.h / wdm.h / wudfddi.h / video.h can be compiled against
 * the simulated machine unchanged (or nearly: see the notes below).
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

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#define DDIMAP_ENUM_BASE : int
#else
#define DDIMAP_ENUM_BASE
#endif

/* ---- basic types (Windows x64 sizes) ------------------------------------ */
typedef void VOID;
typedef void *PVOID;
typedef void *HANDLE;
typedef HANDLE *PHANDLE;
typedef unsigned char UCHAR, *PUCHAR;
typedef unsigned short USHORT, *PUSHORT;
typedef uint32_t ULONG, *PULONG;
typedef int32_t LONG, *PLONG;
typedef uint64_t ULONG64, *PULONG64;
typedef uint64_t ULONGLONG;
typedef int64_t LONGLONG;
typedef unsigned int UINT, *PUINT;
typedef size_t SIZE_T, *PSIZE_T;
typedef uintptr_t ULONG_PTR;
typedef UCHAR BOOLEAN, *PBOOLEAN;
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/* WCHAR is 16 bits as on Windows (not the host's wchar_t): write string
 * literals as u"..." (see NDIS_STRING_CONST). */
#ifdef __cplusplus
typedef char16_t WCHAR;
#else
typedef uint_least16_t WCHAR; /* same type as C11 <uchar.h> char16_t */
#endif
typedef WCHAR *PWCH, *PWSTR;

typedef UCHAR KIRQL, *PKIRQL;
#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define HIGH_LEVEL 15

/* LARGE_INTEGER: QuadPart, or LowPart/HighPart (also through .u). */
typedef union _LARGE_INTEGER {
#if defined(__GNUC__) || defined(__clang__)
  __extension__
#endif
  struct {
    ULONG LowPart;
    LONG HighPart;
  };
  struct {
    ULONG LowPart;
    LONG HighPart;
  } u;
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;
typedef PHYSICAL_ADDRESS NDIS_PHYSICAL_ADDRESS, *PNDIS_PHYSICAL_ADDRESS;

/* ---- strings -------------------------------------------------------------- */
/* Length and MaximumLength count bytes, not characters; Buffer need not be
 * NUL-terminated. ddimap tolerates malformed strings: Length is clamped to
 * MaximumLength, an odd final byte is ignored, and a NULL Buffer with a
 * non-zero Length counts as a NULL name. Characters above 0x7F become '?'. */
typedef struct _UNICODE_STRING {
  USHORT Length;
  USHORT MaximumLength;
  PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
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

/* Functions here; macros in the real ndis.h. *Data is a host pointer (a NULL
 * Data still performs the checked read and stores nothing). */
void NdisReadRegisterUlong(PULONG Register, PULONG Data);
void NdisWriteRegisterUlong(PULONG Register, ULONG Data);

UCHAR VideoPortReadRegisterUchar(PUCHAR Register);
USHORT VideoPortReadRegisterUshort(PUSHORT Register);
ULONG VideoPortReadRegisterUlong(PULONG Register);
void VideoPortWriteRegisterUchar(PUCHAR Register, UCHAR Value);
void VideoPortWriteRegisterUshort(PUSHORT Register, USHORT Value);
void VideoPortWriteRegisterUlong(PULONG Register, ULONG Value);

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

#undef DDIMAP_ENUM_BASE
#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DDIMAP_WDK_H_ */
