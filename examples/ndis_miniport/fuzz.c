/* ddxnet (miniport.c) as a fuzz target: the driver source unchanged, its
 * machine, and the kit's LLVMFuzzerTestOneInput (ddimap/fuzz_driver.h). The
 * kit finds MiniportInitializeEx and MiniportHaltEx through DriverEntry's
 * NdisMRegisterMiniportDriver, and the interrupt through the driver's
 * NdisMRegisterInterruptEx. */
#include <ndis.h>

#include "ddimap/fuzz_driver.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

static const DDIMAP_FUZZ_DRIVER ddxnet = {
    .name = "ddxnet",
    .family = DDIMAP_FUZZ_NDIS,
    .driver_entry = DriverEntry,
    .world = "nic0 memory 0xFEB00000 0x1000 port 0xE000 0x20\n"
             "ram 0x100000 0x100000\n",
};

DDIMAP_FUZZ_DRIVER_TARGET(ddxnet)
