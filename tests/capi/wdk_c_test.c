/* The C API from C: builds a machine through ddimap/control.h and runs the
 * documented correct lifecycle of each family (device bases and shared memory too) through
 * ddimap/wdk.h, and port I/O through every port name, expecting no report; then commits one violation (a double
 * MmUnmapIoSpace) and checks the report.
 *
 * Usage: capi_c_program              DDIMAP_OPTIONS unset: one report expected
 *        capi_c_program --shared-memory  NdisMAllocateSharedMemory's host memory:
 *                                     a double free and a subrange free are
 *                                     reported; a new machine starts clean
 *        capi_c_program --suppressed DDIMAP_OPTIONS=...suppress=MM_IO.UNMAP_DOUBLE
 *        capi_c_program --bad-options DDIMAP_OPTIONS invalid: create fails,
 *                                     a WDK call still creates a default machine
 * Exits 0 on success; prints each failed check and exits 1 otherwise. */
#include <stdio.h>
#include <string.h>

#include "ddimap/control.h"
#include "ddimap/wdk.h"

static int failures = 0;

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

#define CHECK_OK(call)                                                              \
  do {                                                                              \
    int st_ = (call);                                                               \
    if (st_ != DDIMAP_OK) {                                                         \
      fprintf(stderr, "%s:%d: %s returned %s\n", __FILE__, __LINE__, #call,         \
              ddimap_status_name(st_));                                             \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

/* Guest addresses are numbers: offset them as integers, never dereference. */
#define AT(type, base, offset) ((type)((ULONG_PTR)(base) + (offset)))

/* The machine's layout. */
#define RAM_BASE 0x0ULL
#define RAM_LEN 0x80000000ULL
#define NIC_BAR 0xFEBF0000ULL
#define NIC_BAR_LEN 0x20000ULL
#define WDM_BAR 0xFED00000ULL
#define WDM_BAR_LEN 0x10000ULL
#define UMDF_BAR 0xFEE00000ULL
#define UMDF_BAR_LEN 0x2000ULL
#define VIDEO_FB 0xE0000000ULL
#define VIDEO_FB_LEN 0x1000000ULL
#define UNASSIGNED 0xF0000000ULL
#define FIRMWARE_LEN 5000u
#define NIC3_BAR 0xFEC40000ULL
#define NIC3_BAR_LEN 0x1000ULL
#define NIC3_PORT 0x2000ULL
#define NIC3_PORT_LEN 0x40ULL
#define KMDF_BAR 0xFED20000ULL
#define KMDF_BAR_LEN 0x4000ULL
#define KMDF_PORT 0x3000ULL
#define KMDF_PORT_LEN 0x10ULL

static PHYSICAL_ADDRESS Pa(ULONG64 value) {
  PHYSICAL_ADDRESS pa;
  pa.QuadPart = (LONGLONG)value;
  return pa;
}

static void DumpReports(void) {
  size_t n = ddimap_recorded_report_count();
  for (size_t i = 0; i < n; ++i) {
    char text[4096];
    ddimap_report_text(i, text, sizeof text);
    fprintf(stderr, "report %zu: %s\n", i, text);
  }
}

static void NdisIoLifecycle(NDIS_HANDLE nic) {
  PVOID va = NULL;
  ULONG value = 0;
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_MINIPORT_INITIALIZE_EX, nic));
  CHECK(NdisMMapIoSpace(&va, nic, Pa(NIC_BAR), 0x1000) == NDIS_STATUS_SUCCESS);
  CHECK(va != NULL);
  NdisWriteRegisterUlong(AT(PULONG, va, 0x10), 0xCAFEF00Du);
  NdisReadRegisterUlong(AT(PULONG, va, 0x10), &value);
  CHECK(value == 0xCAFEF00Du);
  WRITE_REGISTER_UCHAR(AT(PUCHAR, va, 0x20), 0x5A);
  CHECK(READ_REGISTER_UCHAR(AT(PUCHAR, va, 0x20)) == 0x5A);
  CHECK(READ_REGISTER_ULONG(AT(PULONG, va, 0x10)) == 0xCAFEF00Du);
  CHECK_OK(ddimap_leave_callback(TRUE));

  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_MINIPORT_HALT_EX, nic));
  NdisMUnmapIoSpace(nic, va, 0x1000);
  CHECK_OK(ddimap_leave_callback(TRUE));
}

static void MmIoLifecycle(PVOID wdm) {
  PVOID regs;
  PVOID regs_ex;
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_START_DEVICE, wdm));
  regs = MmMapIoSpace(Pa(WDM_BAR + 0x10), 0x100, MmNonCached);
  CHECK(regs != NULL);
  CHECK(((ULONG_PTR)regs & 0xFFF) == 0x10); /* page base + byte offset */
  regs_ex = MmMapIoSpaceEx(Pa(WDM_BAR + 0x1000), 0x1000, PAGE_READWRITE | PAGE_NOCACHE);
  CHECK(regs_ex != NULL);
  WRITE_REGISTER_USHORT(AT(PUSHORT, regs, 2), 0xBEEF);
  CHECK(READ_REGISTER_USHORT(AT(PUSHORT, regs, 2)) == 0xBEEF);
  WRITE_REGISTER_ULONG64(AT(PULONG64, regs_ex, 8), 0x0123456789ABCDEFULL);
  CHECK(READ_REGISTER_ULONG64(AT(PULONG64, regs_ex, 8)) == 0x0123456789ABCDEFULL);
  CHECK_OK(ddimap_leave_callback(TRUE));

  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_STOP_DEVICE, wdm));
  MmUnmapIoSpace(regs, 0x100);
  MmUnmapIoSpace(regs_ex, 0x1000);
  CHECK_OK(ddimap_leave_callback(TRUE));
}

static void UmdfIoLifecycle(IWDFDevice3 *dev) {
  void *pseudo = NULL;
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_ON_PREPARE_HARDWARE, dev));
  CHECK(IWDFDevice3_MapIoSpace(dev, Pa(UMDF_BAR), 0x1000, MmNonCached, &pseudo) == S_OK);
  CHECK(pseudo != NULL);
  IWDFDevice3_WRITE_REGISTER_ULONG(dev, AT(PULONG, pseudo, 4), 0x11223344u);
  CHECK(IWDFDevice3_READ_REGISTER_ULONG(dev, AT(PULONG, pseudo, 4)) == 0x11223344u);
  IWDFDevice3_WRITE_REGISTER_UCHAR(dev, AT(PUCHAR, pseudo, 9), 0x77);
  CHECK(IWDFDevice3_READ_REGISTER_UCHAR(dev, AT(PUCHAR, pseudo, 9)) == 0x77);
  CHECK_OK(ddimap_leave_callback(TRUE));

  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_ON_RELEASE_HARDWARE, dev));
  IWDFDevice3_UnmapIoSpace(dev, pseudo, 0x1000);
  CHECK_OK(ddimap_leave_callback(TRUE));
}

static void NdisFileLifecycle(NDIS_HANDLE nic) {
  NDIS_STRING name = NDIS_STRING_CONST("firmware.bin");
  NDIS_STATUS status = NDIS_STATUS_FAILURE;
  NDIS_HANDLE file = NULL;
  UINT length = 0;
  PVOID buffer = NULL;
  NDIS_PHYSICAL_ADDRESS highest;
  highest.QuadPart = -1;

  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_MINIPORT_INITIALIZE_EX, nic));
  NdisOpenFile(&status, &file, &length, &name, highest);
  CHECK(status == NDIS_STATUS_SUCCESS);
  CHECK(file != NULL);
  CHECK(length == FIRMWARE_LEN);
  status = NDIS_STATUS_FAILURE;
  NdisMapFile(&status, &buffer, file);
  CHECK(status == NDIS_STATUS_SUCCESS);
  CHECK(buffer != NULL);
  (void)READ_REGISTER_UCHAR(AT(PUCHAR, buffer, 0));
  (void)READ_REGISTER_UCHAR(AT(PUCHAR, buffer, FIRMWARE_LEN - 1));
  NdisUnmapFile(file);
  NdisCloseFile(file);
  CHECK_OK(ddimap_leave_callback(TRUE));

  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_MINIPORT_HALT_EX, nic));
  CHECK_OK(ddimap_leave_callback(TRUE));
}

static void VideoLifecycle(PVOID hw) {
  ULONG length = 0x10000;
  ULONG in_io_space = VIDEO_MEMORY_SPACE_MEMORY;
  PVOID va = NULL;
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_VIDEO_START_IO, hw));
  CHECK(VideoPortMapMemory(hw, Pa(VIDEO_FB), &length, &in_io_space, &va) == NO_ERROR);
  CHECK(va != NULL);
  CHECK(length >= 0x10000);
  VideoPortWriteRegisterUlong(AT(PULONG, va, 0x100), 0xA5A5A5A5u);
  CHECK(VideoPortReadRegisterUlong(AT(PULONG, va, 0x100)) == 0xA5A5A5A5u);
  VideoPortWriteRegisterUchar(AT(PUCHAR, va, 0x104), 0x42);
  CHECK(VideoPortReadRegisterUchar(AT(PUCHAR, va, 0x104)) == 0x42);
  CHECK(VideoPortUnmapMemory(hw, va, NULL) == NO_ERROR);
  CHECK_OK(ddimap_leave_callback(TRUE));
}

/* Port I/O through every C name: NDIS through a range `nic` registers
 * (PortOffset is the port number, as on x64), WDM and video through the ports
 * of wdm and hw (port calls name no device), at any IRQL. A port keeps the
 * last value written. */
#define NIC_PORTS 0x300u
#define WDM_PORTS 0x2F8u
#define VIDEO_PORTS 0x3C0u
static void PortLifecycle(NDIS_HANDLE nic) {
  PVOID offset = NULL;
  UCHAR b = 0, bytes[3] = {1, 2, 3};
  USHORT w = 0, words[2] = {0x1111, 0x2222};
  ULONG l = 0, longs[2] = {0x11111111u, 0x22222222u};
  KIRQL old;
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_MINIPORT_INITIALIZE_EX, nic));
  CHECK(NdisMRegisterIoPortRange(&offset, nic, NIC_PORTS, 0x20) == NDIS_STATUS_SUCCESS);
  CHECK((ULONG_PTR)offset == NIC_PORTS);
  NdisRawWritePortUchar((ULONG_PTR)offset + 1, 0x5A);
  NdisRawReadPortUchar((ULONG_PTR)offset + 1, &b);
  CHECK(b == 0x5A);
  NdisRawWritePortUshort((ULONG_PTR)offset + 2, 0xBEEF);
  NdisRawReadPortUshort((ULONG_PTR)offset + 2, &w);
  CHECK(w == 0xBEEF);
  NdisRawWritePortUlong((ULONG_PTR)offset + 4, 0xCAFEF00Du);
  NdisRawReadPortUlong((ULONG_PTR)offset + 4, &l);
  CHECK(l == 0xCAFEF00Du);
  NdisRawWritePortBufferUchar((ULONG_PTR)offset + 8, bytes, 3);
  NdisRawReadPortBufferUchar((ULONG_PTR)offset + 8, bytes, 2);
  CHECK(bytes[0] == 3 && bytes[1] == 3 && bytes[2] == 3);
  NdisRawWritePortBufferUshort((ULONG_PTR)offset + 10, words, 2);
  NdisRawReadPortBufferUshort((ULONG_PTR)offset + 10, words, 1);
  CHECK(words[0] == 0x2222);
  NdisRawWritePortBufferUlong((ULONG_PTR)offset + 12, longs, 2);
  NdisRawReadPortBufferUlong((ULONG_PTR)offset + 12, longs, 1);
  CHECK(longs[0] == 0x22222222u);
  NdisMDeregisterIoPortRange(nic, NIC_PORTS, 0x20, offset);
  CHECK_OK(ddimap_leave_callback(TRUE));

  KeRaiseIrql(HIGH_LEVEL, &old);
  WRITE_PORT_UCHAR((PUCHAR)(ULONG_PTR)WDM_PORTS, 0x41);
  CHECK(READ_PORT_UCHAR((PUCHAR)(ULONG_PTR)WDM_PORTS) == 0x41);
  WRITE_PORT_USHORT((PUSHORT)(ULONG_PTR)(WDM_PORTS + 2), 0x1234);
  CHECK(READ_PORT_USHORT((PUSHORT)(ULONG_PTR)(WDM_PORTS + 2)) == 0x1234);
  WRITE_PORT_ULONG((PULONG)(ULONG_PTR)(WDM_PORTS + 4), 0x89ABCDEFu);
  CHECK(READ_PORT_ULONG((PULONG)(ULONG_PTR)(WDM_PORTS + 4)) == 0x89ABCDEFu);
  KeLowerIrql(old);
  bytes[2] = 7;
  WRITE_PORT_BUFFER_UCHAR((PUCHAR)(ULONG_PTR)WDM_PORTS, bytes, 3);
  READ_PORT_BUFFER_UCHAR((PUCHAR)(ULONG_PTR)WDM_PORTS, bytes, 1);
  CHECK(bytes[0] == 7);
  WRITE_PORT_BUFFER_USHORT((PUSHORT)(ULONG_PTR)WDM_PORTS, words, 1);
  READ_PORT_BUFFER_USHORT((PUSHORT)(ULONG_PTR)WDM_PORTS, words, 2);
  CHECK(words[1] == 0x2222);
  WRITE_PORT_BUFFER_ULONG((PULONG)(ULONG_PTR)WDM_PORTS, longs, 1);
  READ_PORT_BUFFER_ULONG((PULONG)(ULONG_PTR)WDM_PORTS, longs, 2);
  CHECK(longs[1] == 0x22222222u);

  VideoPortWritePortUchar((PUCHAR)(ULONG_PTR)(VIDEO_PORTS + 4), 0x02);
  CHECK(VideoPortReadPortUchar((PUCHAR)(ULONG_PTR)(VIDEO_PORTS + 4)) == 0x02);
  VideoPortWritePortUshort((PUSHORT)(ULONG_PTR)(VIDEO_PORTS + 0xE), 0x0F05);
  CHECK(VideoPortReadPortUshort((PUSHORT)(ULONG_PTR)(VIDEO_PORTS + 0xE)) == 0x0F05);
  VideoPortWritePortUlong((PULONG)(ULONG_PTR)(VIDEO_PORTS + 0x10), 0xA5A5A5A5u);
  CHECK(VideoPortReadPortUlong((PULONG)(ULONG_PTR)(VIDEO_PORTS + 0x10)) == 0xA5A5A5A5u);
  VideoPortWritePortBufferUchar((PUCHAR)(ULONG_PTR)(VIDEO_PORTS + 8), bytes, 2);
  VideoPortReadPortBufferUchar((PUCHAR)(ULONG_PTR)(VIDEO_PORTS + 8), bytes, 1);
  VideoPortWritePortBufferUshort((PUSHORT)(ULONG_PTR)(VIDEO_PORTS + 8), words, 2);
  VideoPortReadPortBufferUshort((PUSHORT)(ULONG_PTR)(VIDEO_PORTS + 8), words, 1);
  CHECK(words[0] == 0x2222);
  VideoPortWritePortBufferUlong((PULONG)(ULONG_PTR)(VIDEO_PORTS + 8), longs, 2);
  VideoPortReadPortBufferUlong((PULONG)(ULONG_PTR)(VIDEO_PORTS + 8), longs, 1);
  CHECK(longs[0] == 0x22222222u);
}

/* NDIS 5's query (size first, then the list) and NDIS 6's AllocatedResources
 * give the same bytes: the adapter's memory BAR, then its ports. */
static void NdisResourceQueries(NDIS_HANDLE nic) {
  union {
    NDIS_RESOURCE_LIST list;
    UCHAR bytes[128];
  } buf;
  const CM_PARTIAL_RESOURCE_DESCRIPTOR *d = buf.list.PartialDescriptors;
  NDIS_STATUS status = 0;
  UINT size = 0;
  PNDIS_RESOURCE_LIST allocated;

  CHECK(sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR) == 20);
  CHECK(sizeof(CM_PARTIAL_RESOURCE_LIST) == 28);
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_MINIPORT_INITIALIZE_EX, nic));
  NdisMQueryAdapterResources(&status, nic, NULL, &size);
  CHECK(status == NDIS_STATUS_RESOURCES);
  CHECK(size == 8 + 2 * 20);
  memset(&buf, 0xEE, sizeof buf);
  NdisMQueryAdapterResources(&status, nic, &buf.list, &size);
  CHECK(status == NDIS_STATUS_SUCCESS);
  CHECK(size == 48);
  CHECK(buf.list.Version == 1 && buf.list.Revision == 1 && buf.list.Count == 2);
  CHECK(d[0].Type == CmResourceTypeMemory && d[0].Flags == CM_RESOURCE_MEMORY_READ_WRITE);
  CHECK(d[0].ShareDisposition == CmResourceShareDeviceExclusive);
  CHECK(d[0].u.Memory.Start.QuadPart == (LONGLONG)NIC3_BAR && d[0].u.Memory.Length == NIC3_BAR_LEN);
  CHECK(d[1].Type == CmResourceTypePort && d[1].Flags == CM_RESOURCE_PORT_IO);
  CHECK(d[1].u.Port.Start.QuadPart == (LONGLONG)NIC3_PORT && d[1].u.Port.Length == NIC3_PORT_LEN);
  CHECK(buf.bytes[48] == 0xEE); /* nothing written past the list */
  allocated = ddimap_adapter_resources(nic);
  CHECK(allocated != NULL);
  CHECK(allocated != NULL && memcmp(allocated, &buf.list, 48) == 0);
  CHECK(ddimap_adapter_resources(nic) == allocated);
  CHECK(ddimap_adapter_resources(NULL) == NULL);
  CHECK_OK(ddimap_leave_callback(TRUE));
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_MINIPORT_HALT_EX, nic));
  CHECK_OK(ddimap_leave_callback(TRUE));
}

/* A KMDF driver: EvtDevicePrepareHardware walks ResourcesTranslated and maps
 * the memory resource, EvtDeviceReleaseHardware unmaps it. */
static void KmdfLifecycle(PVOID dev) {
  WDFCMRESLIST list = ddimap_device_resources(dev);
  PCM_PARTIAL_RESOURCE_DESCRIPTOR d;
  PVOID regs = NULL;
  ULONG i, ports = 0;

  CHECK(list != NULL);
  CHECK(ddimap_device_resources(NULL) == NULL);
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_EVT_DEVICE_PREPARE_HARDWARE, dev));
  ddimap_paged_code();
  CHECK(WdfCmResourceListGetCount(list) == 2);
  for (i = 0; i < WdfCmResourceListGetCount(list); ++i) {
    d = WdfCmResourceListGetDescriptor(list, i);
    CHECK(d != NULL);
    if (d == NULL) continue;
    CHECK(d->ShareDisposition == CmResourceShareDeviceExclusive);
    if (d->Type == CmResourceTypeMemory) {
      CHECK(d->u.Memory.Start.QuadPart == (LONGLONG)KMDF_BAR && d->u.Memory.Length == KMDF_BAR_LEN);
      regs = MmMapIoSpaceEx(d->u.Memory.Start, d->u.Memory.Length, PAGE_READWRITE | PAGE_NOCACHE);
    } else {
      CHECK(d->Type == CmResourceTypePort && d->Flags == CM_RESOURCE_PORT_IO);
      CHECK(d->u.Port.Start.QuadPart == (LONGLONG)KMDF_PORT && d->u.Port.Length == KMDF_PORT_LEN);
      ++ports;
    }
  }
  CHECK(ports == 1);
  CHECK(WdfCmResourceListGetDescriptor(list, 2) == NULL);
  CHECK(WdfCmResourceListGetDescriptor(list, 0) == WdfCmResourceListGetDescriptor(list, 0));
  CHECK(regs != NULL);
  CHECK_OK(ddimap_leave_callback(TRUE));
  WRITE_REGISTER_ULONG(AT(PULONG, regs, 0x20), 0x600D);
  CHECK(READ_REGISTER_ULONG(AT(PULONG, regs, 0x20)) == 0x600D);
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_EVT_DEVICE_RELEASE_HARDWARE, dev));
  MmUnmapIoSpace(regs, KMDF_BAR_LEN);
  CHECK_OK(ddimap_leave_callback(TRUE));
}

/* The PnP case: the device's ranges in order; too few elements: ERROR_MORE_DATA. */
static void VideoAccessRanges(PVOID hw) {
  VIDEO_ACCESS_RANGE ranges[3];
  ULONG slot = 99;

  CHECK(sizeof(VIDEO_ACCESS_RANGE) == 16);
  memset(ranges, 0, sizeof ranges);
  CHECK(VideoPortGetAccessRanges(hw, 0, NULL, 1, ranges, NULL, NULL, &slot) == ERROR_MORE_DATA);
  CHECK(slot == 99 && ranges[0].RangeLength == 0);
  CHECK(VideoPortGetAccessRanges(hw, 0, NULL, 3, ranges, NULL, NULL, &slot) == NO_ERROR);
  CHECK(slot == 0);
  CHECK(ranges[0].RangeStart.QuadPart == (LONGLONG)VIDEO_FB && ranges[0].RangeLength == VIDEO_FB_LEN);
  CHECK(ranges[0].RangeInIoSpace == 0);
  CHECK(ranges[1].RangeStart.QuadPart == 0x3C0 && ranges[1].RangeLength == 0x20 && ranges[1].RangeInIoSpace == 1);
  CHECK(ranges[2].RangeLength == 0);
}

static void DeviceBaseLifecycle(PVOID hw) {
  PVOID regs, ports;
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_VIDEO_FIND_ADAPTER, hw));
  regs = VideoPortGetDeviceBase(hw, Pa(VIDEO_FB + 0x20000), 0x1000, VIDEO_MEMORY_SPACE_MEMORY);
  ports = VideoPortGetDeviceBase(hw, Pa(0x3C0), 0x20, VIDEO_MEMORY_SPACE_IO);
  CHECK(regs != NULL);
  CHECK((ULONG_PTR)ports == 0x3C0); /* x64: the port number itself */
  VideoPortWriteRegisterUlong(AT(PULONG, regs, 0x40), 0x600DF00Du);
  CHECK(VideoPortReadRegisterUlong(AT(PULONG, regs, 0x40)) == 0x600DF00Du);
  VideoPortFreeDeviceBase(hw, ports);
  VideoPortFreeDeviceBase(hw, regs);
  CHECK_OK(ddimap_leave_callback(TRUE));
}

/* Descriptors go into shared memory as plain C stores: the C API hands out host memory. */
typedef struct {
  ULONG64 buffer;
  ULONG length;
  ULONG flags;
} Descriptor;

static void SharedMemoryLifecycle(NDIS_HANDLE nic) {
  PVOID ring = NULL;
  NDIS_PHYSICAL_ADDRESS ring_pa;
  Descriptor *d;
  ULONG i;
  ring_pa.QuadPart = -1;
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_MINIPORT_INITIALIZE_EX, nic));
  NdisMAllocateSharedMemory(nic, 16 * sizeof(Descriptor), FALSE, &ring, &ring_pa);
  CHECK(ring != NULL);
  CHECK(((ULONG_PTR)ring & 0xFFF) == 0);
  CHECK(ring_pa.QuadPart == 0x1000); /* the first RAM page above page 0 */
  d = (Descriptor *)ring;
  CHECK(d[15].buffer == 0 && d[15].flags == 0); /* zero-filled */
  for (i = 0; i < 16; ++i) {
    d[i].buffer = 0x100000ULL + i * 0x800;
    d[i].length = 0x800;
    d[i].flags = i == 15 ? 0x80000000u : 0;
  }
  CHECK(d[7].buffer == 0x103800ULL && d[15].flags == 0x80000000u);
  CHECK_OK(ddimap_leave_callback(TRUE));
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_MINIPORT_HALT_EX, nic));
  NdisMFreeSharedMemory(nic, 16 * sizeof(Descriptor), FALSE, ring, ring_pa);
  CHECK_OK(ddimap_leave_callback(TRUE));
}

/* The correct lifecycles, then one double unmap. */
static void Program(int expect_suppressed) {
  NDIS_HANDLE nic, nic2, nic3, nic4, nic5;
  PVOID wdm, wdm2, hw;
  IWDFDevice3 *umdf;
  PVOID p;
  char text[4096];
  const char *want = "ERROR: ddimap: MM_IO.UNMAP_DOUBLE in MmUnmapIoSpace";

  CHECK_OK(ddimap_add_ram(RAM_BASE, RAM_LEN));
  nic = ddimap_create_ndis_adapter();
  nic2 = ddimap_create_ndis_adapter();
  nic5 = ddimap_create_ndis_adapter();
  wdm = ddimap_create_wdm_device();
  umdf = ddimap_create_umdf_device(1, 11, TRUE, DDIMAP_REGISTER_ACCESS_USING_SYSTEM_CALL);
  hw = ddimap_create_video_device();
  nic3 = ddimap_create_ndis_adapter();
  nic4 = ddimap_create_ndis_adapter();
  CHECK(nic4 != NULL);
  wdm2 = ddimap_create_wdm_device();
  CHECK(nic != NULL && nic2 != NULL && wdm != NULL && umdf != NULL && hw != NULL);
  CHECK(nic3 != NULL && wdm2 != NULL);
  CHECK_OK(ddimap_assign_memory_resource(nic3, NIC3_BAR, NIC3_BAR_LEN));
  CHECK_OK(ddimap_assign_port_resource(nic3, NIC3_PORT, NIC3_PORT_LEN));
  CHECK_OK(ddimap_assign_memory_resource(wdm2, KMDF_BAR, KMDF_BAR_LEN));
  CHECK_OK(ddimap_assign_port_resource(wdm2, KMDF_PORT, KMDF_PORT_LEN));
  CHECK(nic5 != NULL);
  CHECK_OK(ddimap_assign_memory_resource(nic, NIC_BAR, NIC_BAR_LEN));
  CHECK_OK(ddimap_assign_memory_resource(wdm, WDM_BAR, WDM_BAR_LEN));
  CHECK_OK(ddimap_assign_memory_resource(umdf, UMDF_BAR, UMDF_BAR_LEN));
  CHECK_OK(ddimap_assign_memory_resource(hw, VIDEO_FB, VIDEO_FB_LEN));
  CHECK_OK(ddimap_assign_port_resource(hw, VIDEO_PORTS, 0x20));
  CHECK_OK(ddimap_assign_port_resource(nic4, NIC_PORTS, 0x20));
  CHECK_OK(ddimap_assign_port_resource(wdm, WDM_PORTS, 0x8));
  CHECK_OK(ddimap_add_file("firmware.bin", FIRMWARE_LEN, TRUE));
  CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL);

  NdisIoLifecycle(nic);
  MmIoLifecycle(wdm);
  UmdfIoLifecycle(umdf);
  NdisFileLifecycle(nic2);
  VideoLifecycle(hw);
  PortLifecycle(nic4);
  NdisResourceQueries(nic3);
  KmdfLifecycle(wdm2);
  VideoAccessRanges(hw);
  DeviceBaseLifecycle(hw);
  SharedMemoryLifecycle(nic5);
  CHECK(ddimap_report_count() == 0);
  if (ddimap_report_count() != 0) DumpReports();

  /* One violation: a driver-wide mapping unmapped twice. */
  p = MmMapIoSpace(Pa(UNASSIGNED), 0x1000, MmNonCached);
  CHECK(p != NULL);
  MmUnmapIoSpace(p, 0x1000);
  MmUnmapIoSpace(p, 0x1000);
  if (expect_suppressed) {
    CHECK(ddimap_rule_count("MM_IO.UNMAP_DOUBLE") == 0);
    CHECK(ddimap_report_count() == 0);
  } else {
    CHECK(ddimap_rule_count("MM_IO.UNMAP_DOUBLE") == 1);
    CHECK(ddimap_report_count() == 1);
    CHECK(ddimap_report_rule(0) != NULL && strcmp(ddimap_report_rule(0), "MM_IO.UNMAP_DOUBLE") == 0);
    CHECK(ddimap_report_text(0, text, sizeof text) > strlen(want));
    CHECK(strncmp(text, want, strlen(want)) == 0);
    if (strncmp(text, want, strlen(want)) != 0) fprintf(stderr, "report text: %s\n", text);
  }

  /* Nothing leaks: teardown adds no report. */
  CHECK_OK(ddimap_teardown());
  CHECK(ddimap_report_count() == (expect_suppressed ? 0u : 1u));
  if (ddimap_report_count() != (expect_suppressed ? 0u : 1u)) DumpReports();
}

/* Shared memory's host blocks: the free finds its guest allocation again, a
 * freed block's pointer still names it (a second free is a double free), a
 * pointer inside a block names the same offset of the allocation, and a new
 * machine starts with no block. */
static void SharedMemoryMisuse(void) {
  NDIS_HANDLE nic;
  PVOID a = NULL, b = NULL;
  NDIS_PHYSICAL_ADDRESS pa_a, pa_b;
  CHECK_OK(ddimap_add_ram(RAM_BASE, RAM_LEN));
  nic = ddimap_create_ndis_adapter();
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_MINIPORT_INITIALIZE_EX, nic));
  NdisMAllocateSharedMemory(nic, 0x2000, TRUE, &a, &pa_a);
  NdisMAllocateSharedMemory(nic, 0x100, TRUE, &b, &pa_b);
  CHECK(a != NULL && b != NULL);
  CHECK(pa_a.QuadPart == 0x1000 && pa_b.QuadPart == 0x3000);
  memset(a, 0xAB, 0x2000);
  NdisMFreeSharedMemory(nic, 0x1000, TRUE, (PUCHAR)a + 0x1000, pa_a);
  CHECK(ddimap_rule_count("NDIS_SHARED.FREE_INTERIOR") == 1);
  NdisMFreeSharedMemory(nic, 0x2000, FALSE, a, pa_a);
  CHECK(ddimap_rule_count("NDIS_SHARED.FREE_CACHED_MISMATCH") == 1);
  CHECK(((PUCHAR)a)[0x1FFF] == 0xAB); /* a refused free keeps the block */
  NdisMFreeSharedMemory(nic, 0x2000, TRUE, a, pa_a);
  NdisMFreeSharedMemory(nic, 0x2000, TRUE, a, pa_a);
  CHECK(ddimap_rule_count("NDIS_SHARED.FREE_DOUBLE") == 1);
  CHECK(ddimap_report_count() == 3);
  if (ddimap_report_count() != 3) DumpReports();
  /* b is never freed: the failing initialization reports it */
  CHECK_OK(ddimap_leave_callback(FALSE));
  CHECK(ddimap_rule_count("NDIS_SHARED.LEAK") == 1);
  /* a new machine: no block of the old one is found again */
  CHECK_OK(ddimap_machine_create());
  CHECK_OK(ddimap_add_ram(RAM_BASE, RAM_LEN));
  nic = ddimap_create_ndis_adapter();
  CHECK_OK(ddimap_enter_callback(DDIMAP_CB_MINIPORT_INITIALIZE_EX, nic));
  NdisMFreeSharedMemory(nic, 0x100, TRUE, b, pa_b);
  CHECK(ddimap_rule_count("NDIS_SHARED.FREE_NOT_MAPPED") == 1);
  CHECK(ddimap_report_count() == 1);
  CHECK_OK(ddimap_leave_callback(TRUE));
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "--shared-memory") == 0) {
    CHECK_OK(ddimap_machine_create());
    CHECK_OK(ddimap_set_print_reports(0));
    SharedMemoryMisuse();
  } else if (strcmp(mode, "--bad-options") == 0) {
    CHECK(ddimap_machine_create() == DDIMAP_E_BAD_ARGUMENT);
    CHECK(ddimap_machine_exists() == 0);
    CHECK(ddimap_add_ram(RAM_BASE, RAM_LEN) == DDIMAP_E_NO_MACHINE);
    /* A WDK call creates a default machine anyway. */
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL);
    CHECK(ddimap_machine_exists() == 1);
    CHECK_OK(ddimap_set_print_reports(0));
    Program(0);
  } else if (strcmp(mode, "--suppressed") == 0) {
    CHECK_OK(ddimap_machine_create());
    Program(1);
  } else if (mode[0] == '\0') {
    CHECK_OK(ddimap_machine_create());
    Program(0);
  } else {
    fprintf(stderr, "usage: %s [--suppressed | --bad-options | --shared-memory]\n", argv[0]);
    return 2;
  }
  CHECK_OK(ddimap_machine_destroy());
  CHECK(ddimap_machine_exists() == 0);
  if (failures != 0) {
    fprintf(stderr, "capi_c_program%s%s: %d check(s) failed\n", mode[0] ? " " : "", mode, failures);
    return 1;
  }
  printf("capi_c_program%s%s: ok\n", mode[0] ? " " : "", mode);
  return 0;
}
