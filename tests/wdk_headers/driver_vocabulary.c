/* A driver-style source written against the WDK's header names and NT
 * vocabulary only: it must compile unchanged with -I <include>/ddimap/wdk as
 * C (gcc and clang, -std=gnu11, -Werror=incompatible-pointer-types) and as
 * C++, and run against the simulated machine. main() plays the operating
 * system's part through ddimap/control.h, as a test harness would. */
#include <ntddk.h>
#include <wdm.h>
#include <ndis.h>
#include <miniport.h>
#include <video.h>
#include <wudfddi.h>
#include <wdf.h>

#include <stdio.h>

#include "ddimap/control.h"

#define REG_CONTROL 0x10
#define REG_STATUS 0x14

#include <pshpack1.h>
typedef struct _MY_DESCRIPTOR {
  UCHAR Flags;
  ULONG Address;
  USHORT Length;
} MY_DESCRIPTOR, *PMY_DESCRIPTOR;
#include <poppack.h>
C_ASSERT(sizeof(MY_DESCRIPTOR) == 7);
C_ASSERT(sizeof(ULONG) == 4 && sizeof(LONG) == 4 && sizeof(ULONG_PTR) == sizeof(PVOID));
C_ASSERT(sizeof(WCHAR) == 2 && sizeof(LONGLONG) == 8 && sizeof(NTSTATUS) == 4);

typedef struct _MY_ADAPTER {
  LIST_ENTRY Link;
  PUCHAR Registers;
  ULONG RegisterLength;
  UNICODE_STRING Name;
} MY_ADAPTER, *PMY_ADAPTER;

static int g_failures;
#define CHECK(e)                                                 \
  do {                                                           \
    if (!(e)) {                                                  \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #e); \
      ++g_failures;                                              \
    }                                                            \
  } while (0)

FORCEINLINE ULONG MyReadStatus(_In_ PMY_ADAPTER Adapter) {
  ULONG value;
  /* A PUCHAR register pointer, as ndis.h's macro accepts. */
  NdisReadRegisterUlong(Adapter->Registers + REG_STATUS, &value);
  return value;
}

_IRQL_requires_max_(PASSIVE_LEVEL)
_Must_inspect_result_
static NTSTATUS NTAPI MyMapRegisters(IN OUT PMY_ADAPTER Adapter, IN PHYSICAL_ADDRESS Base,
                                     IN ULONG Length, IN OPTIONAL PVOID Context) {
  UNREFERENCED_PARAMETER(Context);
  Adapter->Registers = (PUCHAR)MmMapIoSpace(Base, Length, MmNonCached);
  if (Adapter->Registers == NULL) {
    KdPrint(("MyMapRegisters: MmMapIoSpace failed\n"));
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  Adapter->RegisterLength = Length;
  return STATUS_SUCCESS;
}

static VOID MyUnmapRegisters(_Inout_ PMY_ADAPTER Adapter) {
  ASSERT(Adapter->Registers != NULL);
  MmUnmapIoSpace(Adapter->Registers, Adapter->RegisterLength);
  Adapter->Registers = NULL;
}

static void CheckVocabulary(void) {
  static const UCHAR pattern[] = {1, 2, 3, 4, 5};
  UCHAR copy[ARRAYSIZE(pattern)];
  MY_DESCRIPTOR d;
  UNICODE_STRING probe;
  UNICODE_STRING constant = RTL_CONSTANT_STRING(L"MmMapIoSpaceEx");
  LIST_ENTRY head;
  MY_ADAPTER a, b;
  PMY_ADAPTER first;

  RtlZeroMemory(&d, sizeof(d));
  CHECK(d.Flags == 0 && d.Address == 0 && d.Length == 0);
  RtlCopyMemory(copy, pattern, sizeof(copy));
  CHECK(RtlEqualMemory(copy, pattern, sizeof(copy)));
  copy[3] = 9;
  CHECK(RtlCompareMemory(copy, pattern, sizeof(copy)) == 3);
  RtlFillMemory(copy, sizeof(copy), 0xA5);
  CHECK(copy[0] == 0xA5 && copy[4] == 0xA5);
  NdisZeroMemory(copy, sizeof(copy));
  CHECK(copy[2] == 0);

  CHECK(NT_SUCCESS(STATUS_SUCCESS) && !NT_SUCCESS(STATUS_INSUFFICIENT_RESOURCES));
  CHECK(NT_SUCCESS(STATUS_PENDING) && NT_ERROR(STATUS_UNSUCCESSFUL));
  CHECK(FIELD_OFFSET(MY_DESCRIPTOR, Address) == 1);
  CHECK(RTL_FIELD_SIZE(MY_DESCRIPTOR, Length) == 2);

  /* Wide literals are 16-bit (-fshort-wchar) and match WCHAR. */
  RtlInitUnicodeString(&probe, L"MmMapIoSpaceEx");
  CHECK(probe.Length == 14 * sizeof(WCHAR) && probe.MaximumLength == 15 * sizeof(WCHAR));
  CHECK(RtlEqualUnicodeString(&probe, &constant, FALSE));
  CHECK(MmGetSystemRoutineAddress(&probe) == (PVOID)&MmMapIoSpaceEx);
  RtlInitUnicodeString(&probe, L"MmMapIoSpaceExEx");
  CHECK(MmGetSystemRoutineAddress(&probe) == NULL);

  InitializeListHead(&head);
  CHECK(IsListEmpty(&head));
  InsertTailList(&head, &a.Link);
  InsertTailList(&head, &b.Link);
  first = CONTAINING_RECORD(RemoveHeadList(&head), MY_ADAPTER, Link);
  CHECK(first == &a);
  CHECK(!IsListEmpty(&head));

  DbgPrint("ddimap-dbg: ulong=%lu hex=%08lx i64=%I64x wide=%ws ustr=%wZ int=%d\n", (ULONG)0xFFFFFFFFu,
           (ULONG)0xDEADBEEFu, (ULONGLONG)0x123456789AULL, L"MmMapIoSpaceEx", &constant, -5);
  DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "ddimap-dbgex: %s %c\n", "ok", 'x');
}

static void RunLifecycle(void) {
  PHYSICAL_ADDRESS base;
  MY_ADAPTER adapter;
  PVOID device;

  base.QuadPart = 0xFE000000LL;
  device = ddimap_create_wdm_device();
  CHECK(device != NULL);
  CHECK(ddimap_assign_memory_resource(device, 0xFE000000ULL, 0x1000) == 0);
  CHECK(ddimap_enter_callback(DDIMAP_CB_START_DEVICE, device) == 0);
  CHECK(NT_SUCCESS(MyMapRegisters(&adapter, base, 0x1000, NULL)));
  NdisWriteRegisterUlong(adapter.Registers + REG_STATUS, 0x5A5A1234u);
  CHECK(MyReadStatus(&adapter) == 0x5A5A1234u);
  NdisWriteRegisterUchar(adapter.Registers + REG_CONTROL, 0x7F);
  {
    UCHAR control;
    NdisReadRegisterUchar(adapter.Registers + REG_CONTROL, &control);
    CHECK(control == 0x7F);
  }
  MyUnmapRegisters(&adapter);
  CHECK(ddimap_leave_callback(TRUE) == 0);
}

int main(void) {
  CHECK(ddimap_machine_create() == 0);
  CheckVocabulary();
  RunLifecycle();
  CHECK(ddimap_teardown() == 0);
  CHECK(ddimap_report_count() == 0);
  CHECK(ddimap_machine_destroy() == 0);
  if (g_failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", g_failures);
    return 1;
  }
  printf("driver_vocabulary: all checks passed\n");
  return 0;
}

/* KMDF's context declaration must compile in C and C++ alike. */
typedef struct _MY_KMDF_CONTEXT {
  PUCHAR Registers;
} MY_KMDF_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(MY_KMDF_CONTEXT, MyKmdfGetContext)
