/* ddimap/control.h: build and drive the process-global simulated machine.
 *
 * The WDK functions of ddimap/wdk.h take no machine parameter: they act on one
 * process-global "current machine". This header creates and destroys it, plays
 * the operating system's part (RAM, devices, resources, files, processes, IRQL,
 * driver callbacks) and reads the violation reports.
 *
 * Configuration comes from the environment variable DDIMAP_OPTIONS, in the
 * style of ASAN_OPTIONS: colon-separated key=value pairs, later keys winning
 * (suppress accumulates):
 *   policy=record|abort   record reports and go on (default) / print and abort()
 *   print=0|1             also print each report to stderr as it happens (default 1)
 *   suppress=RULE[,RULE]  rule ids (e.g. MM_IO.UNMAP_DOUBLE) neither recorded nor printed
 *   quarantine=N          released mappings remembered (0..1000000, default 256)
 *   log_path=PATH         printed reports go to the file PATH.<pid> (appended to), not
 *                         stderr; log_path=stderr / log_path=stdout name those streams
 *   format=text|json      printed reports as text (default) or one JSON object a line
 *                         (docs/harness.md, "Machine-readable reports")
 * An invalid value makes ddimap_machine_create() print
 *   ddimap: DDIMAP_OPTIONS:<column>: <what was expected>, got '<text>'
 * to stderr and fail with DDIMAP_E_BAD_ARGUMENT. A machine created lazily by
 * a WDK call prints the same line and falls back to the defaults.
 *
 * Control functions return DDIMAP_OK or a DDIMAP_E_* status; they never create
 * a machine (DDIMAP_E_NO_MACHINE, or a NULL handle, when there is none). Only
 * the WDK functions of wdk.h create one lazily.
 *
 * At process exit (exit() or return from main) a machine that still exists is
 * destroyed like ddimap_machine_destroy(), so leaks are reported, as
 * LeakSanitizer does.
 *
 * Not thread-safe: serialize all calls.
 */
#ifndef DDIMAP_CONTROL_H_
#define DDIMAP_CONTROL_H_

#include <stddef.h>

#include "ddimap/wdk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes ---------------------------------------------------------- */
#define DDIMAP_OK 0
#define DDIMAP_E_BAD_OBJECT 1   /* not a handle of the kind the call needs */
#define DDIMAP_E_BAD_STATE 2    /* the object or machine is in the wrong state */
#define DDIMAP_E_BAD_ARGUMENT 3 /* a value out of range, unknown rule, bad option */
#define DDIMAP_E_NO_MACHINE 4   /* no current machine */

/* "DDIMAP_OK", "DDIMAP_E_BAD_OBJECT", ...; "?" for an unknown code. */
const char *ddimap_status_name(int status);

/* ---- the machine ------------------------------------------------------------- */
/* Destroys any current machine (reporting its leaks), then creates an empty
 * one configured by DDIMAP_OPTIONS. On an invalid option no machine exists
 * afterwards and DDIMAP_E_BAD_ARGUMENT is returned. */
int ddimap_machine_create(void);
/* Tears the current machine down (each leak is reported), then frees it.
 * DDIMAP_E_NO_MACHINE if there is none. Its reports are gone afterwards. */
int ddimap_machine_destroy(void);
/* 1 when a current machine exists, else 0. */
int ddimap_machine_exists(void);

/* ---- building (the operating system's side) --------------------------------------- */
int ddimap_add_ram(ULONG64 physical_address, ULONG64 length);
NDIS_HANDLE ddimap_create_ndis_adapter(void);     /* NULL: no machine / refused */
PVOID ddimap_create_wdm_device(void);             /* an opaque device handle */
#define DDIMAP_REGISTER_ACCESS_USING_SYSTEM_CALL 0
#define DDIMAP_REGISTER_ACCESS_USING_USER_MODE_MAPPING 1
/* UMDF version major.minor (MapIoSpace needs 1.11 <= version < 2.0); both
 * parts must fit 16 bits and register_access_mode be one of the two
 * DDIMAP_REGISTER_ACCESS_* values, else NULL. */
IWDFDevice3 *ddimap_create_umdf_device(ULONG major, ULONG minor,
                                       BOOLEAN allow_direct_hardware_access,
                                       int register_access_mode);
PVOID ddimap_create_video_device(void);           /* the HwDeviceExtension */
/* A video device whose HwDeviceExtension is host memory of extension_size
 * bytes, zeroed, that the miniport may use as its own structure (as
 * VIDEO_HW_INITIALIZATION_DATA.HwDeviceExtensionSize asks); every VideoPort
 * call and every control.h call taking an object recognises it. Freed with the
 * machine. NULL: no machine. */
PVOID ddimap_create_video_device_extension(ULONG extension_size);
/* object: any handle returned by a ddimap_create_* function. */
int ddimap_assign_memory_resource(PVOID object, ULONG64 start, ULONG64 length);
int ddimap_assign_port_resource(PVOID object, ULONG64 start, ULONG64 length);
/* The resources assigned so far, as the OS hands them to a driver (docs/semantics.md,
 * "Resource queries"); the memory is the machine's, freed when it is destroyed.
 * ddimap_device_resources: the WDFCMRESLIST (ResourcesRaw and ResourcesTranslated are the same
 * list: the model has no bus translation) that EvtDevicePrepareHardware receives for a WDM
 * device; NULL without a machine or for another kind of handle.
 * ddimap_adapter_resources: NDIS 6's NDIS_MINIPORT_INIT_PARAMETERS.AllocatedResources for an
 * adapter (set params.AllocatedResources to it before calling MiniportInitializeEx); NULL
 * without a machine, for another kind of handle, or for an adapter without resources. */
WDFCMRESLIST ddimap_device_resources(PVOID device);
PNDIS_RESOURCE_LIST ddimap_adapter_resources(NDIS_HANDLE adapter);
/* A file for NdisOpenFile (its bytes are a fixed function of name and offset).
 * name: ASCII, NUL-terminated, not NULL. */
int ddimap_add_file(const char *name, ULONG length, BOOLEAN readable);

/* ---- lifecycle --------------------------------------------------------------------- */
/* Above HIGH_LEVEL (15): reported as MACHINE.IRQL_RANGE and refused. */
int ddimap_set_irql(ULONG irql);
HANDLE ddimap_create_process(void);               /* NULL: no machine / refused */
int ddimap_exit_process(HANDLE process);          /* its user mappings leak (VIDEO.LEAK) */
int ddimap_attach_process(HANDLE process);        /* NULL detaches (system context) */

/* The driver callback the single simulated thread runs (order of
 * ddimap::Callback in types.hpp). */
#define DDIMAP_CB_NONE 0
#define DDIMAP_CB_MINIPORT_INITIALIZE_EX 1
#define DDIMAP_CB_MINIPORT_HALT_EX 2
#define DDIMAP_CB_START_DEVICE 3      /* IRP_MN_START_DEVICE */
#define DDIMAP_CB_STOP_DEVICE 4       /* IRP_MN_STOP_DEVICE */
#define DDIMAP_CB_REMOVE_DEVICE 5     /* IRP_MN_REMOVE_DEVICE */
#define DDIMAP_CB_SURPRISE_REMOVAL 6  /* IRP_MN_SURPRISE_REMOVAL */
#define DDIMAP_CB_ON_PREPARE_HARDWARE 7
#define DDIMAP_CB_ON_RELEASE_HARDWARE 8
#define DDIMAP_CB_VIDEO_START_IO 9    /* HwVidStartIO handling an IOCTL */
/* KMDF on a WDM device (ddimap_create_wdm_device): the framework calls
 * EvtDeviceReleaseHardware after every EvtDevicePrepareHardware, failed or
 * not; MM mappings made in prepare and live when release returns are
 * MM_IO.LEAK (docs/semantics.md, "KMDF hardware callbacks"). */
#define DDIMAP_CB_EVT_DEVICE_PREPARE_HARDWARE 10
#define DDIMAP_CB_EVT_DEVICE_RELEASE_HARDWARE 11
#define DDIMAP_CB_VIDEO_FIND_ADAPTER 12 /* HwVidFindAdapter (VideoPortGetDeviceBase) */
#define DDIMAP_CB_COUNT 13
/* callback outside 0..DDIMAP_CB_COUNT-1: DDIMAP_E_BAD_ARGUMENT. */
int ddimap_enter_callback(int callback, PVOID object);
int ddimap_leave_callback(BOOLEAN succeeded);

/* --- running a driver's own entry points --------------------------------------------
 * The DRIVER_OBJECT to pass to the driver's DriverEntry (opaque, per process). */
PDRIVER_OBJECT ddimap_driver_object(void);
/* NDIS 6: after DriverEntry registered the miniport (NdisMRegisterMiniportDriver,
 * ddimap/wdk/ndis.h), runs its MiniportInitializeEx for the adapter inside the
 * MiniportInitializeEx callback and returns the driver's status (the callback
 * fails when the status does, so its leak checks run);
 * NDIS_STATUS_FAILURE without a machine or a registered driver.
 * NDIS 5.x (NdisMInitializeWrapper, NdisMRegisterMiniport): the same, running
 * MiniportInitialize with every NDIS_MEDIUM offered and the adapter as the
 * WrapperConfigurationContext (NdisMQueryAdapterResources takes it); the
 * contract is MiniportInitializeEx's. ddimap_ndis_halt then runs MiniportHalt
 * (the context from NdisMSetAttributesEx; no halt action). */
NDIS_STATUS ddimap_ndis_initialize(NDIS_HANDLE adapter);
/* Runs MiniportHaltEx(the adapter context from NdisMSetMiniportAttributes,
 * halt_action: an NDIS_HALT_ACTION value) inside the MiniportHaltEx callback.
 * DDIMAP_E_BAD_STATE when no driver is registered or the adapter set no
 * registration attributes. */
int ddimap_ndis_halt(NDIS_HANDLE adapter, int halt_action);
/* KMDF: after DriverEntry called WdfDriverCreate (ddimap/wdk/wdf.h), runs its
 * EvtDriverDeviceAdd for the WDM device and returns the WDFDEVICE it created
 * in *device (NULL on failure) and the driver's status;
 * STATUS_INVALID_DEVICE_STATE without a machine, a registered driver, or a
 * WdfDeviceCreate in a successful EvtDriverDeviceAdd. */
struct WDFDEVICE__; /* a WDFDEVICE (ddimap/wdk/wdf.h) */
NTSTATUS ddimap_kmdf_add_device(PVOID wdm_device, struct WDFDEVICE__ **device);
/* Run the device's EvtDevicePrepareHardware(device, list, list) /
 * EvtDeviceReleaseHardware(device, list) inside the matching callback, with
 * the device's resource list (ddimap_device_resources), and return the
 * driver's status (STATUS_SUCCESS when it set no such callback);
 * STATUS_INVALID_DEVICE_STATE for an unknown device or a callback the device's
 * state refuses (a release without a prepare). The framework calls release
 * after every prepare, failed or not. */
NTSTATUS ddimap_kmdf_prepare_hardware(struct WDFDEVICE__ *device);
NTSTATUS ddimap_kmdf_release_hardware(struct WDFDEVICE__ *device);
/* Video (XPDM): after DriverEntry called VideoPortInitialize (ddimap/wdk/video.h),
 * ddimap_video_add_device creates a video device whose HwDeviceExtension is
 * zeroed host memory of the registered HwDeviceExtensionSize and returns it
 * (assign its resources to it next); NULL without a machine or a registered
 * driver. ddimap_video_find_adapter runs HwVidFindAdapter(extension,
 * HwContext, NULL, &config, &again) inside the HwVidFindAdapter callback, which
 * fails with it (its VIDEO_BASE.LEAK check), and returns its status;
 * ERROR_DEV_NOT_EXIST without a machine or for an extension not added.
 * ddimap_video_initialize runs HwVidInitialize and ddimap_video_start_io runs
 * HwVidStartIO(extension, packet) inside the HwVidStartIO callback, in the
 * attached process (ddimap_attach_process), as the port driver does for a
 * display driver's IOCTL; each returns the driver's BOOLEAN, or FALSE without
 * calling it unless HwVidFindAdapter accepted the adapter. The IRQL is the
 * caller's (ddimap_set_irql); the port driver calls all three at
 * PASSIVE_LEVEL. */
struct _VIDEO_REQUEST_PACKET; /* ddimap/wdk/video.h */
PVOID ddimap_video_add_device(void);
VP_STATUS ddimap_video_find_adapter(PVOID hw_device_extension);
BOOLEAN ddimap_video_initialize(PVOID hw_device_extension);
BOOLEAN ddimap_video_start_io(PVOID hw_device_extension, struct _VIDEO_REQUEST_PACKET *packet);
/* Tears everything down in documented order, reporting every leak; the machine
 * stays current (reports can be read) but ignores further calls. */
int ddimap_teardown(void);

/* ---- reports ------------------------------------------------------------------------ */
/* Reports since the last ddimap_clear_reports(), including any beyond the
 * recording cap (10000); 0 without a machine. */
size_t ddimap_report_count(void);
/* Reports that can be read by index: i < ddimap_recorded_report_count(). */
size_t ddimap_recorded_report_count(void);
/* Reports of one rule id ("MM_IO.UNMAP_DOUBLE"); 0 for an unknown id. */
size_t ddimap_rule_count(const char *rule_id);
/* The rule id of report i (static storage), or NULL when i is out of range. */
const char *ddimap_report_rule(size_t i);
/* The formatted report i, like snprintf: writes at most cap-1 characters and a
 * NUL (nothing when cap is 0; buf may then be NULL) and returns the full
 * length, without the NUL. 0 when there is no report i. */
size_t ddimap_report_text(size_t i, char *buf, size_t cap);
int ddimap_clear_reports(void);
#define DDIMAP_POLICY_RECORD 0
#define DDIMAP_POLICY_ABORT 1
int ddimap_set_policy(int policy);
/* Unknown rule id: DDIMAP_E_BAD_ARGUMENT. */
int ddimap_suppress(const char *rule_id);
int ddimap_unsuppress(const char *rule_id);
int ddimap_set_print_reports(int print);

/* ---- fault injection ----------------------------------------------------------------- */
/* Every call that maps, opens, allocates or registers something (NdisMMapIoSpace,
 * MmMapIoSpace(Ex), IWDFDevice3_MapIoSpace, NdisOpenFile, NdisMapFile,
 * VideoPortMapMemory, VideoPortGetDeviceBase, NdisMAllocateSharedMemory,
 * NdisMRegisterIoPortRange) can be made to fail as if resources had run out,
 * with the failure value its page documents for that, after its contract
 * checks (docs/semantics.md, "Fault injection"). In Driver Verifier's two
 * styles: DDIMAP_FAULTS_RANDOM fails each such call with probability
 * per_million / 1000000 from a generator seeded with seed;
 * DDIMAP_FAULTS_SYSTEMATIC fails the first call from each call site (the
 * driver's line that calls the DDI) and lets later ones through, so one run
 * of a driver's initialization takes each of its error paths once. Also set
 * by DDIMAP_OPTIONS (faults=off|random|systematic, fault_probability=0.05,
 * fault_seed=N). A report made after an injected failure names it ("after
 * #N ..., failed by fault injection"). Takes effect from the next call; the
 * generator restarts and the sites seen are forgotten. per_million above
 * 1000000 counts as 1000000; an unknown mode is DDIMAP_E_BAD_ARGUMENT. */
#define DDIMAP_FAULTS_OFF 0
#define DDIMAP_FAULTS_RANDOM 1
#define DDIMAP_FAULTS_SYSTEMATIC 2
int ddimap_set_faults(int mode, ULONG per_million, ULONG64 seed);
/* Calls failed by fault injection since the machine was created; 0 without one. */
size_t ddimap_injected_fault_count(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DDIMAP_CONTROL_H_ */
