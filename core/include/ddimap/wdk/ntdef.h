/* ntdef.h under ddimap: the NT vocabulary a driver source expects from the WDK
 * headers (types, NTSTATUS, SAL annotations, helper macros, the Rtl memory and
 * string helpers, DbgPrint), for GCC and Clang on a 64-bit Linux host, in C and
 * C++. Sizes follow Windows x64 (LLP64): ULONG and LONG are 32 bits.
 *
 * Wide strings: WCHAR is 16 bits, as on Windows. Compile driver sources with
 * -fshort-wchar (the ddimap::wdk CMake target and ddimap-wdk.pc add it) so that
 * L"..." literals are 16-bit too and match WCHAR; without it an L"..." literal
 * passed as a PCWSTR is a compile error, never a silent mismatch.
 */
#ifndef DDIMAP_WDK_NTDEF_H_
#define DDIMAP_WDK_NTDEF_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if !defined(__x86_64__) && !defined(__aarch64__) && !defined(__LP64__)
#error "ddimap's WDK headers need a 64-bit host (guest addresses are 64-bit)"
#endif

#ifdef __cplusplus
#define DDIMAP_EXTERN_C_BEGIN extern "C" {
#define DDIMAP_EXTERN_C_END }
#else
#define DDIMAP_EXTERN_C_BEGIN
#define DDIMAP_EXTERN_C_END
#endif

/* ---- decorations: meaningful to MSVC only ------------------------------------ */
#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif
#ifndef CONST
#define CONST const
#endif
#ifndef VOID
#define VOID void
#endif
#define NTAPI
#define NTAPI_INLINE
#define WINAPI
#define STDMETHODCALLTYPE
#define CALLBACK
#define NTSYSAPI
#define NTSYSCALLAPI
#define NTKERNELAPI
#define NTHALAPI
#define DECLSPEC_IMPORT
#define DECLSPEC_EXPORT
#define DECLSPEC_NOTHROW
#define DECLSPEC_SELECTANY
#define DECLSPEC_CACHEALIGN __attribute__((aligned(64)))
#define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define DECLSPEC_DEPRECATED
#define DECLSPEC_DEPRECATED_DDK
#define UNALIGNED
#define UNALIGNED64
#define POINTER_ALIGNMENT
#define RESTRICTED_POINTER
#define ANYSIZE_ARRAY 1
#define FORCEINLINE static inline __attribute__((__unused__)) /* an unused one is no warning, as with MSVC */
#define __forceinline static inline __attribute__((__unused__))
#ifdef __cplusplus
#define EXTERN_C extern "C"
#else
#define EXTERN_C extern
#endif

/* ---- SAL 2 and the older driver annotations: no effect here ----------------------- */
#define _In_
#define _In_opt_
#define _In_z_
#define _In_opt_z_
#define _In_reads_(n)
#define _In_reads_opt_(n)
#define _In_reads_bytes_(n)
#define _In_reads_bytes_opt_(n)
#define _In_range_(lo, hi)
#define _Out_
#define _Out_opt_
#define _Out_writes_(n)
#define _Out_writes_opt_(n)
#define _Out_writes_bytes_(n)
#define _Out_writes_bytes_opt_(n)
#define _Out_writes_all_(n)
#define _Out_writes_bytes_all_(n)
#define _Out_writes_to_(n, c)
#define _Out_writes_bytes_to_(n, c)
#define _Out_range_(lo, hi)
#define _Inout_
#define _Inout_opt_
#define _Inout_updates_(n)
#define _Inout_updates_opt_(n)
#define _Inout_updates_bytes_(n)
#define _Inout_updates_bytes_opt_(n)
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_opt_result_maybenull_
#define _Outptr_result_buffer_(n)
#define _Outptr_result_bytebuffer_(n)
#define _Outptr_result_nullonfailure_
#define _Deref_out_
#define _Deref_out_opt_
#define _Deref_out_range_(lo, hi)
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Ret_range_(lo, hi)
#define _Result_nullonfailure_
#define _Result_zeroonfailure_
#define _Must_inspect_result_
#define _Check_return_
#define _Success_(expr)
#define _Use_decl_annotations_
#define _When_(expr, annotes)
#define _At_(target, annotes)
#define _At_buffer_(target, iter, bound, annotes)
#define _Pre_
#define _Post_
#define _Pre_notnull_
#define _Pre_maybenull_
#define _Pre_satisfies_(expr)
#define _Post_satisfies_(expr)
#define _Post_invalid_
#define _Post_writable_byte_size_(n)
#define _Notnull_
#define _Maybenull_
#define _Null_terminated_
#define _Field_size_(n)
#define _Field_size_opt_(n)
#define _Field_size_bytes_(n)
#define _Field_size_bytes_opt_(n)
#define _Field_range_(lo, hi)
#define _Struct_size_bytes_(n)
#define _Analysis_assume_(expr)
#define _Analysis_mode_(mode)
#define _Function_class_(name)
#define _Dispatch_type_(type)
#define _Kernel_float_used_
#define _Kernel_requires_resource_held_(r)
#define _Requires_lock_held_(lock)
#define _Requires_lock_not_held_(lock)
#define _Acquires_lock_(lock)
#define _Releases_lock_(lock)
#define _Guarded_by_(lock)
#define _Interlocked_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Post_ptr_invalid_
#define _Printf_format_string_
#define _Reserved_
#define _Strict_type_match_
#define _Literal_
#define _Const_
#define _Points_to_data_
#define _IRQL_requires_(irql)
#define _IRQL_requires_max_(irql)
#define _IRQL_requires_min_(irql)
#define _IRQL_requires_same_
#define _IRQL_raises_(irql)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(kind, param)
#define _IRQL_restores_global_(kind, param)
#define _IRQL_always_function_min_(irql)
#define _IRQL_always_function_max_(irql)
#define _IRQL_is_cancel_
#define _IRQL_uses_cancel_
#define _IRQL_lowers_
#define __drv_maxIRQL(irql)
#define __drv_minIRQL(irql)
#define __drv_requiresIRQL(irql)
#define __drv_setsIRQL(irql)
#define __drv_raisesIRQL(irql)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_savesIRQLGlobal(kind, param)
#define __drv_restoresIRQLGlobal(kind, param)
#define __drv_sameIRQL
#define __drv_dispatchType(type)
#define __drv_dispatchType_other
#define __drv_functionClass(name)
#define __drv_aliasesMem
#define __drv_allocatesMem(kind)
#define __drv_freesMem(kind)
#define __drv_preferredFunction(func, why)
#define __drv_when(cond, annotes)
#define __drv_valueIs(values)
#define __drv_strictTypeMatch(mode)
#define __drv_mustHold(kind)
#define __drv_neverHold(kind)
#define __drv_acquiresResource(kind)
#define __drv_releasesResource(kind)
/* The pre-SAL-2 annotations (__in, __out, ...) collide with parameter names in
 * libstdc++'s headers, so C++ gets them only on request (DDIMAP_LEGACY_SAL,
 * with every standard header included before this one). */
#if !defined(__cplusplus) || defined(DDIMAP_LEGACY_SAL)
#define __in
#define __in_opt
#define __out
#define __out_opt
#define __inout
#define __inout_opt
#define __in_bcount(n)
#define __in_bcount_opt(n)
#define __in_ecount(n)
#define __out_bcount(n)
#define __out_bcount_opt(n)
#define __out_ecount(n)
#define __deref_out
#define __deref_out_opt
#define __checkReturn
#define __success(expr)
#define __field_bcount(n)
#define __field_ecount(n)
#define __nullterminated
#define __reserved
#endif

/* ---- fixed-width and pointer-sized types (LLP64) ------------------------------------ */
typedef char CHAR, *PCHAR, *PSTR, *LPSTR, *PSZ;
typedef const char *PCSTR, *LPCSTR, *PCSZ;
typedef signed char SCHAR, *PSCHAR;
typedef char CCHAR;
typedef unsigned char UCHAR, *PUCHAR;
typedef const UCHAR *PCUCHAR;
typedef int16_t SHORT, *PSHORT, CSHORT;
typedef unsigned short USHORT, *PUSHORT;
typedef const USHORT *PCUSHORT;
typedef int INT, *PINT;
typedef unsigned int UINT, *PUINT;
typedef int32_t LONG, *PLONG;
typedef uint32_t ULONG, *PULONG, CLONG;
typedef const ULONG *PCULONG;
typedef int32_t LONG32, *PLONG32;
typedef uint32_t ULONG32, *PULONG32;
typedef int64_t LONG64, *PLONG64;
typedef uint64_t ULONG64, *PULONG64, DWORD64, *PDWORD64;
typedef int64_t LONGLONG, *PLONGLONG;
typedef uint64_t ULONGLONG, *PULONGLONG;
typedef int8_t INT8, *PINT8;
typedef int16_t INT16, *PINT16;
typedef int32_t INT32, *PINT32;
typedef int64_t INT64, *PINT64;
typedef uint8_t UINT8, *PUINT8;
typedef uint16_t UINT16, *PUINT16;
typedef uint32_t UINT32, *PUINT32;
typedef uint64_t UINT64, *PUINT64;
typedef intptr_t LONG_PTR, *PLONG_PTR, INT_PTR, *PINT_PTR;
typedef uintptr_t ULONG_PTR, *PULONG_PTR, UINT_PTR, *PUINT_PTR;
typedef size_t SIZE_T, *PSIZE_T;
typedef intptr_t SSIZE_T, *PSSIZE_T;
typedef ULONG_PTR KAFFINITY, *PKAFFINITY;
typedef void *PVOID, **PPVOID, *PVOID64;
typedef const void *PCVOID;
typedef void *HANDLE, **PHANDLE;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef LONG NTSTATUS, *PNTSTATUS;
typedef ULONG LOGICAL, *PLOGICAL;
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

#define MINCHAR 0x80
#define MAXCHAR 0x7f
#define MINSHORT 0x8000
#define MAXSHORT 0x7fff
#define MINLONG 0x80000000
#define MAXLONG 0x7fffffff
#define MAXUCHAR 0xff
#define MAXUSHORT 0xffff
#define MAXULONG 0xffffffff
#define MAXLONGLONG ((LONGLONG)0x7fffffffffffffffLL)
#define MAXULONGLONG ((ULONGLONG)~(ULONGLONG)0)
#define MAXULONG_PTR (~((ULONG_PTR)0))
#define MAXLONG_PTR ((LONG_PTR)(MAXULONG_PTR >> 1))
#define MAXSIZE_T ((SIZE_T)~((SIZE_T)0))

/* WCHAR: 16 bits (see the note at the top). */
#if defined(__WCHAR_MAX__) && __WCHAR_MAX__ <= 0xFFFF
typedef wchar_t WCHAR;
#elif defined(__cplusplus)
typedef char16_t WCHAR;
#else
typedef uint_least16_t WCHAR; /* the type of C11's char16_t (u"...") */
#endif
typedef WCHAR *PWCHAR, *PWCH, *PWSTR, *LPWSTR, *NWPSTR;
typedef const WCHAR *PCWCH, *PCWSTR, *LPCWSTR;

/* ---- NTSTATUS -------------------------------------------------------------------------- */
#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define NT_INFORMATION(Status) ((((ULONG)(Status)) >> 30) == 1)
#define NT_WARNING(Status) ((((ULONG)(Status)) >> 30) == 2)
#define NT_ERROR(Status) ((((ULONG)(Status)) >> 30) == 3)
#include "ntstatus.h"

/* ---- LARGE_INTEGER, strings, lists ------------------------------------------------------ */
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

typedef union _ULARGE_INTEGER {
#if defined(__GNUC__) || defined(__clang__)
  __extension__
#endif
  struct {
    ULONG LowPart;
    ULONG HighPart;
  };
  struct {
    ULONG LowPart;
    ULONG HighPart;
  } u;
  ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

/* Length and MaximumLength count bytes, not characters; Buffer need not be
 * NUL-terminated. ddimap tolerates malformed strings: Length is clamped to
 * MaximumLength, an odd final byte is ignored, and a NULL Buffer with a
 * non-zero Length counts as a NULL name. Characters above 0x7F become '?'. */
typedef struct _UNICODE_STRING {
  USHORT Length;
  USHORT MaximumLength;
  PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

typedef struct _STRING {
  USHORT Length;
  USHORT MaximumLength;
  PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING;
typedef const STRING *PCANSI_STRING;

/* A constant counted string from a literal: RTL_CONSTANT_STRING(L"name")
 * (-fshort-wchar) or RTL_CONSTANT_STRING(u"name"), or an 8-bit "name". */
#define RTL_CONSTANT_STRING(s) \
  { (USHORT)(sizeof(s) - sizeof((s)[0])), (USHORT)sizeof(s), (PWSTR)(s) }

typedef struct _LIST_ENTRY {
  struct _LIST_ENTRY *Flink;
  struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
  struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

/* ---- helper macros ------------------------------------------------------------------------ */
#ifdef __cplusplus
#define C_ASSERT(e) static_assert(e, #e)
#else
#define C_ASSERT(e) _Static_assert(e, #e)
#endif
#define RTL_NUMBER_OF(a) (sizeof(a) / sizeof((a)[0]))
#define RTL_NUMBER_OF_V1(a) RTL_NUMBER_OF(a)
#define RTL_NUMBER_OF_V2(a) RTL_NUMBER_OF(a)
#ifndef ARRAYSIZE
#define ARRAYSIZE(a) RTL_NUMBER_OF(a)
#endif
#define _ARRAYSIZE(a) RTL_NUMBER_OF(a)
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define UFIELD_OFFSET(type, field) ((ULONG)offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_SIZEOF_THROUGH_FIELD(type, field) (offsetof(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_CONTAINS_FIELD(Struct, Size, Field) \
  ((((PCHAR)(&(Struct)->Field)) + sizeof((Struct)->Field)) <= (((PCHAR)(Struct)) + (Size)))
#define CONTAINING_RECORD(address, type, field) \
  ((type *)((PCHAR)(address) - (ULONG_PTR)offsetof(type, field)))
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#define UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#define ALIGN_DOWN_BY(length, alignment) ((ULONG_PTR)(length) & ~((ULONG_PTR)(alignment) - 1))
#define ALIGN_UP_BY(length, alignment) \
  (ALIGN_DOWN_BY(((ULONG_PTR)(length) + (alignment) - 1), alignment))
#define ALIGN_DOWN_POINTER_BY(address, alignment) ((PVOID)ALIGN_DOWN_BY(address, alignment))
#define ALIGN_UP_POINTER_BY(address, alignment) ((PVOID)ALIGN_UP_BY(address, alignment))
#define ALIGN_DOWN(length, type) ALIGN_DOWN_BY(length, sizeof(type))
#define ALIGN_UP(length, type) ALIGN_UP_BY(length, sizeof(type))
#define FlagOn(_F, _SF) ((_F) & (_SF))
#define BooleanFlagOn(F, SF) ((BOOLEAN)(((F) & (SF)) != 0))
#define SetFlag(_F, _SF) ((_F) |= (_SF))
#define ClearFlag(_F, _SF) ((_F) &= ~(_SF))

/* ---- memory helpers: plain host memory, not the simulated machine's --------------------- */
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlSecureZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))

/* The number of leading bytes that match. */
static inline SIZE_T RtlCompareMemory(const void *Source1, const void *Source2, SIZE_T Length) {
  const UCHAR *a = (const UCHAR *)Source1;
  const UCHAR *b = (const UCHAR *)Source2;
  SIZE_T i = 0;
  while (i < Length && a[i] == b[i]) ++i;
  return i;
}

static inline void RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString) {
  SIZE_T n = 0;
  if (SourceString != NULL) {
    while (SourceString[n] != 0) ++n;
  }
  if (n > (MAXUSHORT / sizeof(WCHAR)) - 1) n = (MAXUSHORT / sizeof(WCHAR)) - 1;
  DestinationString->Length = (USHORT)(n * sizeof(WCHAR));
  DestinationString->MaximumLength = (USHORT)(SourceString != NULL ? (n + 1) * sizeof(WCHAR) : 0);
  DestinationString->Buffer = (PWSTR)SourceString;
}

static inline void RtlInitAnsiString(PANSI_STRING DestinationString, PCSTR SourceString) {
  SIZE_T n = SourceString != NULL ? strlen(SourceString) : 0;
  if (n > MAXUSHORT - 1) n = MAXUSHORT - 1;
  DestinationString->Length = (USHORT)n;
  DestinationString->MaximumLength = (USHORT)(SourceString != NULL ? n + 1 : 0);
  DestinationString->Buffer = (PCHAR)SourceString;
}

static inline BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                            BOOLEAN CaseInSensitive) {
  USHORT i;
  if (String1->Length != String2->Length) return FALSE;
  for (i = 0; i < String1->Length / sizeof(WCHAR); ++i) {
    WCHAR a = String1->Buffer[i], b = String2->Buffer[i];
    if (CaseInSensitive) {
      if (a >= 'a' && a <= 'z') a = (WCHAR)(a - 'a' + 'A');
      if (b >= 'a' && b <= 'z') b = (WCHAR)(b - 'a' + 'A');
    }
    if (a != b) return FALSE;
  }
  return TRUE;
}

/* ---- doubly linked lists (the wdm.h inline helpers) --------------------------------------- */
static inline void InitializeListHead(PLIST_ENTRY ListHead) {
  ListHead->Flink = ListHead->Blink = ListHead;
}
static inline BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead) {
  return (BOOLEAN)(ListHead->Flink == ListHead);
}
static inline BOOLEAN RemoveEntryList(PLIST_ENTRY Entry) {
  PLIST_ENTRY next = Entry->Flink, prev = Entry->Blink;
  prev->Flink = next;
  next->Blink = prev;
  return (BOOLEAN)(next == prev);
}
static inline PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead) {
  PLIST_ENTRY entry = ListHead->Flink;
  RemoveEntryList(entry);
  return entry;
}
static inline PLIST_ENTRY RemoveTailList(PLIST_ENTRY ListHead) {
  PLIST_ENTRY entry = ListHead->Blink;
  RemoveEntryList(entry);
  return entry;
}
static inline void InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry) {
  PLIST_ENTRY last = ListHead->Blink;
  Entry->Flink = ListHead;
  Entry->Blink = last;
  last->Flink = Entry;
  ListHead->Blink = Entry;
}
static inline void InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry) {
  PLIST_ENTRY first = ListHead->Flink;
  Entry->Flink = first;
  Entry->Blink = ListHead;
  first->Blink = Entry;
  ListHead->Flink = Entry;
}

/* ---- debug output and assertions ---------------------------------------------------------- */
/* DBG: 1 in a checked (debug) build, as the WDK build environment sets it. */
#ifndef DBG
#define DBG 0
#endif

#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3
#define DPFLTR_MASK 0x80000000
#define DPFLTR_IHVVIDEO_ID 78
#define DPFLTR_IHVAUDIO_ID 79
#define DPFLTR_IHVNETWORK_ID 80
#define DPFLTR_IHVSTREAMING_ID 81
#define DPFLTR_IHVBUS_ID 82
#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_DEFAULT_ID 101

DDIMAP_EXTERN_C_BEGIN
/* Written to stderr only when DDIMAP_OPTIONS has debug_print=1 (a fuzzer's
 * output stays quiet otherwise). Windows-only conversions (%wZ, %ws) print
 * as "?". Returns 0 (STATUS_SUCCESS). */
ULONG DbgPrint(PCSTR Format, ...);
ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...);
/* A failed ASSERT in a DBG build: prints "ERROR: ddimap: ASSERT <expr>" with
 * the file and line, then aborts, as a break into the debugger stops the
 * driver. */
void ddimap_assert_failed(PCSTR Expression, PCSTR File, ULONG Line);
DDIMAP_EXTERN_C_END

#if DBG
#define KdPrint(_x_) DbgPrint _x_
#define KdPrintEx(_x_) DbgPrintEx _x_
#define ASSERT(exp) ((!(exp)) ? (ddimap_assert_failed(#exp, __FILE__, __LINE__), FALSE) : TRUE)
#define ASSERTMSG(msg, exp) ((!(exp)) ? (ddimap_assert_failed(msg, __FILE__, __LINE__), FALSE) : TRUE)
#define NT_ASSERT(exp) ((void)ASSERT(exp))
#define NT_ASSERTMSG(msg, exp) ((void)ASSERTMSG(msg, exp))
#else
#define KdPrint(_x_)
#define KdPrintEx(_x_)
#define ASSERT(exp) ((void)0)
#define ASSERTMSG(msg, exp) ((void)0)
#define NT_ASSERT(exp) ((void)0)
#define NT_ASSERTMSG(msg, exp) ((void)0)
#endif

#endif /* DDIMAP_WDK_NTDEF_H_ */
