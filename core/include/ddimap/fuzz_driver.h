/* ddimap/fuzz_driver.h: fuzz a driver's own entry points under ddimap.
 *
 * A fuzz target for a driver is a description of the driver and its machine,
 * and one macro:
 *
 *   #include <ndis.h>
 *   #include "ddimap/fuzz_driver.h"
 *
 *   NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
 *
 *   static const DDIMAP_FUZZ_DRIVER ddxnet = {
 *     .name = "ddxnet",
 *     .family = DDIMAP_FUZZ_NDIS,
 *     .driver_entry = DriverEntry,
 *     .world = "nic0 memory 0xFEB00000 0x1000 port 0xE000 0x20\n"
 *              "ram 0x100000 0x100000\n",
 *   };
 *   DDIMAP_FUZZ_DRIVER_TARGET(ddxnet)
 *
 * Each input is a schedule (docs/driver-fuzzing.md): the bytes from the front
 * choose the entry points in order, the bytes from the back what each
 * register and port read returns and which map, open, allocate or register
 * calls fail. The kit runs it on a fresh machine with the abort policy, so a
 * contract breach is a crash whose output is ddimap's report; after the last
 * step it ends the lifecycle the legal way and tears the machine down, so
 * leaks are breaches too. The same source links with libFuzzer, AFL++
 * (libAFLDriver) or no engine (a reproducer main that runs the files it is
 * given), through CMake's ddimap_add_driver_fuzzer().
 *
 * Entry points, per family (the lifecycle the kit plays, in legal orders):
 *   DDIMAP_FUZZ_NDIS  DriverEntry registers the miniport (NDIS 6 or 5.x);
 *                     MiniportInitializeEx / MiniportHaltEx on the world's
 *                     first adapter, surprise removal (the device reads all
 *                     ones, then MiniportHaltEx with NdisHaltDeviceSurpriseRemoved),
 *                     and the interrupt the driver registered with
 *                     NdisMRegisterInterruptEx (ISR at DIRQL, its DPC at
 *                     DISPATCH_LEVEL when the ISR queues it).
 *   DDIMAP_FUZZ_KMDF  DriverEntry calls WdfDriverCreate; EvtDriverDeviceAdd on
 *                     the first WDM device, then EvtDevicePrepareHardware /
 *                     EvtDeviceReleaseHardware, surprise removal (all ones,
 *                     then release).
 *   DDIMAP_FUZZ_VIDEO DriverEntry (ULONG (PVOID, PVOID)) calls VideoPortInitialize;
 *                     HwVidFindAdapter and HwVidInitialize once on an added
 *                     adapter, then HwVidStartIO requests from display-driver
 *                     processes: IOCTL_VIDEO_MAP_VIDEO_MEMORY,
 *                     IOCTL_VIDEO_UNMAP_VIDEO_MEMORY and the extra codes of
 *                     .ioctls; a process unmaps what it mapped before it exits.
 *   DDIMAP_FUZZ_WDM   .start_device / .stop_device / .remove_device /
 *                     .surprise_removal on the first WDM device, each run inside
 *                     its IRP's callback (DriverEntry, if given, first).
 *   DDIMAP_FUZZ_UMDF  .on_prepare_hardware / .on_release_hardware on the first
 *                     UMDF device.
 * .entries adds the driver's other entry points (DPCs, timers, OID or IOCTL
 * handlers): each runs while the device is started, at an IRQL the schedule
 * picks between its min_irql and max_irql, with the device's context (the
 * NDIS MiniportAdapterContext, the WDFDEVICE, the video HwDeviceExtension,
 * the WDM device handle, the IWDFDevice3*).
 *
 * Environment: DDIMAP_OPTIONS as for any ddimap program (policy is always
 * abort here); DDIMAP_FUZZ_TRACE=1 prints each input's schedule as it runs
 * (entry points, IRQLs, device values, injected failures, and the DDI calls
 * the driver made with their results) to stderr.
 */
#ifndef DDIMAP_FUZZ_DRIVER_H_
#define DDIMAP_FUZZ_DRIVER_H_

#include <stddef.h>
#include <stdint.h>

#include "ddimap/wdk.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DDIMAP_FUZZ_NDIS 1
#define DDIMAP_FUZZ_KMDF 2
#define DDIMAP_FUZZ_VIDEO 3
#define DDIMAP_FUZZ_WDM 4
#define DDIMAP_FUZZ_UMDF 5

/* One more entry point of the driver: run(context) at an IRQL in
 * [min_irql, max_irql] (both at most HIGH_LEVEL), while the device is started. */
typedef struct DDIMAP_FUZZ_ENTRY {
  const char *name;
  void (*run)(PVOID context);
  KIRQL min_irql;
  KIRQL max_irql;
} DDIMAP_FUZZ_ENTRY;

typedef struct DDIMAP_FUZZ_DRIVER {
  const char *name;  /* in traces */
  int family;        /* DDIMAP_FUZZ_* */
  /* The machine, as the lines of a ddimap world block (docs/harness.md,
   * "Custom worlds"): the driver's device first (nic0, wdm0, video0 or umdf0)
   * with its memory and port ranges, RAM, files. NULL: the device alone with
   * no resources. A video world's video0 is the adapter VideoPortInitialize's
   * driver gets (its HwDeviceExtension is the size the driver asked for). */
  const char *world;
  NTSTATUS (*driver_entry)(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath); /* NDIS, KMDF, WDM */
  ULONG (*video_driver_entry)(PVOID Context1, PVOID Context2);                      /* video */
  /* WDM: the driver's handlers for the device's PnP IRPs (NULL: not handled). */
  NTSTATUS (*start_device)(PVOID device);
  NTSTATUS (*stop_device)(PVOID device);
  NTSTATUS (*remove_device)(PVOID device);
  NTSTATUS (*surprise_removal)(PVOID device);
  /* UMDF 1.x: IPnpCallbackHardware's OnPrepareHardware / OnReleaseHardware. */
  HRESULT (*on_prepare_hardware)(IWDFDevice3 *device);
  HRESULT (*on_release_hardware)(IWDFDevice3 *device);
  /* Video: IOCTL codes besides MAP/UNMAP_VIDEO_MEMORY to send through
   * HwVidStartIO, with empty buffers. */
  const ULONG *ioctls;
  size_t ioctl_count;
  const DDIMAP_FUZZ_ENTRY *entries;
  size_t entry_count;
} DDIMAP_FUZZ_DRIVER;

/* Runs one input's schedule against the driver (what LLVMFuzzerTestOneInput
 * calls). Returns 0; a breach aborts the process with its report. A world
 * that does not parse is printed with its line and column and exits with
 * status 2. */
int ddimap_fuzz_driver_run(const DDIMAP_FUZZ_DRIVER *driver, const uint8_t *data, size_t size);

#define DDIMAP_FUZZ_DRIVER_TARGET(description)                                   \
  int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                  \
  int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {                 \
    return ddimap_fuzz_driver_run(&(description), data, size);                   \
  }

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DDIMAP_FUZZ_DRIVER_H_ */
