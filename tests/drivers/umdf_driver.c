/* A small UMDF 1.x driver for the kit's UMDF family (ctest driver_umdf_*):
 * OnPrepareHardware maps the registers, OnReleaseHardware unmaps them;
 * TEST_BUG=1 plants a release that forgets the unmap. */
#include <wudfddi.h>

#include "ddimap/fuzz_driver.h"

#ifndef TEST_BUG
#define TEST_BUG 0
#endif

static void *g_registers;

static HRESULT OnPrepareHardware(IWDFDevice3 *device) {
  PHYSICAL_ADDRESS pa;
  HRESULT hr;
  pa.QuadPart = 0xFEC00000LL;
  hr = IWDFDevice3_MapIoSpace(device, pa, 0x1000, MmNonCached, &g_registers);
  if (FAILED(hr)) return hr;
  IWDFDevice3_WRITE_REGISTER_ULONG(device, (PULONG)g_registers, 1);
  return S_OK;
}

static HRESULT OnReleaseHardware(IWDFDevice3 *device) {
  if (g_registers != NULL) {
#if TEST_BUG != 1
    IWDFDevice3_UnmapIoSpace(device, g_registers, 0x1000);
#endif
    g_registers = NULL;
  }
  return S_OK;
}

static const DDIMAP_FUZZ_DRIVER umdf = {
    .name = "umdf_test",
    .family = DDIMAP_FUZZ_UMDF,
    .world = "umdf0 version 0x1000B direct RegisterAccessUsingSystemCall memory 0xFEC00000 0x1000\n",
    .on_prepare_hardware = OnPrepareHardware,
    .on_release_hardware = OnReleaseHardware,
};

DDIMAP_FUZZ_DRIVER_TARGET(umdf)
