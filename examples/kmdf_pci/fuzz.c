/* ddxpci (driver.c) as a fuzz target: the kit runs DriverEntry
 * (WdfDriverCreate), EvtDriverDeviceAdd on wdm0, then prepare / release /
 * surprise removal as the input schedules them (ddimap/fuzz_driver.h). */
#include <ntddk.h>
#include <wdf.h>

#include "ddimap/fuzz_driver.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

static const DDIMAP_FUZZ_DRIVER ddxpci = {
    .name = "ddxpci",
    .family = DDIMAP_FUZZ_KMDF,
    .driver_entry = DriverEntry,
    .world = "wdm0 memory 0xFE200000 0x2000\n",
};

DDIMAP_FUZZ_DRIVER_TARGET(ddxpci)
