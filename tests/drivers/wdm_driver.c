/* A small WDM driver for the kit's WDM family (ctest driver_wdm_*): the
 * description names its PnP handlers and a DPC; TEST_BUG=1 plants an unmap
 * in the DPC (DISPATCH_LEVEL) when the device is gone, TEST_BUG=2 a surprise
 * removal handler that leaves the unmap to IRP_MN_REMOVE_DEVICE (ddimap's
 * model: resources go at surprise removal). */
#include <ntddk.h>

#include "ddimap/fuzz_driver.h"

#ifndef TEST_BUG
#define TEST_BUG 0
#endif

#define REGS 0xFED00000LL
#define REGS_LENGTH 0x1000
#define REG_STATUS 0x04

static PUCHAR g_registers;
static ULONG g_status;
static BOOLEAN g_gone;

static NTSTATUS StartDevice(PVOID device) {
  PHYSICAL_ADDRESS pa;
  UNREFERENCED_PARAMETER(device);
  pa.QuadPart = REGS;
  g_registers = (PUCHAR)MmMapIoSpace(pa, REGS_LENGTH, MmNonCached);
  if (g_registers == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  WRITE_REGISTER_ULONG((volatile ULONG *)g_registers, 1);
  return STATUS_SUCCESS;
}

static NTSTATUS StopDevice(PVOID device) {
  UNREFERENCED_PARAMETER(device);
  if (g_registers != NULL) {
    MmUnmapIoSpace(g_registers, REGS_LENGTH);
    g_registers = NULL;
  }
  return STATUS_SUCCESS;
}

static NTSTATUS SurpriseRemoval(PVOID device) {
  g_gone = TRUE;
#if TEST_BUG == 2
  UNREFERENCED_PARAMETER(device);
  return STATUS_SUCCESS; /* BUG: the registers stay mapped until IRP_MN_REMOVE_DEVICE */
#else
  return StopDevice(device);
#endif
}

static void Dpc(PVOID device) {
  UNREFERENCED_PARAMETER(device);
  g_status = READ_REGISTER_ULONG((volatile ULONG *)(g_registers + REG_STATUS));
#if TEST_BUG == 1
  if (g_status == 0xFFFFFFFFu) { /* BUG: MmUnmapIoSpace below DISPATCH_LEVEL only */
    MmUnmapIoSpace(g_registers, REGS_LENGTH);
    g_registers = NULL;
  }
#endif
}

static const DDIMAP_FUZZ_ENTRY entries[] = {{"DeviceDpc", Dpc, DISPATCH_LEVEL, DISPATCH_LEVEL}};

static const DDIMAP_FUZZ_DRIVER wdm = {
    .name = "wdm_test",
    .family = DDIMAP_FUZZ_WDM,
    .world = "wdm0 memory 0xFED00000 0x1000\n",
    .start_device = StartDevice,
    .stop_device = StopDevice,
    .remove_device = StopDevice,
    .surprise_removal = SurpriseRemoval,
    .entries = entries,
    .entry_count = 1,
};

DDIMAP_FUZZ_DRIVER_TARGET(wdm)
