// An XPDM video miniport as the video port driver runs it (ddimap/wdk/video.h,
// ddimap/control.h): DriverEntry's VideoPortInitialize registers the entry
// points; ddimap_video_add_device gives each adapter a zeroed extension of the
// registered size; the runners call HwVidFindAdapter, HwVidInitialize and
// HwVidStartIO in the contexts the port driver calls them in.
#include <cstring>
#include <vector>

#include "capi/internal.hpp"
#include "ddimap/control.h"
#include "ddimap/machine.hpp"
#include "ddimap/wdk/video.h"

namespace ddimap::capi {
namespace {

// One registration per process, as for NDIS and KMDF: a driver image
// registers once, in DriverEntry, and the machines of later inputs reuse it.
struct Registration {
  bool registered = false;
  VIDEO_HW_INITIALIZATION_DATA data{};
  PVOID hw_context = nullptr;
  PWSTR registry_path = nullptr;
};
Registration g_video;

// Per machine (ReleaseVideoAdapters): the extensions the port driver created,
// and whether HwVidFindAdapter accepted each (HwVidInitialize and
// HwVidStartIO are only ever called for an adapter it accepted).
struct Adapter {
  void* extension;
  bool found;
};
std::vector<Adapter>& Adapters() {
  static std::vector<Adapter> adapters;
  return adapters;
}

Adapter* FindAdapter(const void* extension) {
  for (Adapter& a : Adapters())
    if (a.extension == extension) return &a;
  return nullptr;
}

}  // namespace

void ReleaseVideoAdapters() { Adapters().clear(); }

}  // namespace ddimap::capi

using ddimap::Callback;
using ddimap::ControlStatus;
using ddimap::capi::CurrentMachine;
using ddimap::capi::g_video;
using ddimap::capi::GuestObject;

extern "C" {

ULONG VideoPortInitialize(PVOID Argument1, PVOID Argument2, PVIDEO_HW_INITIALIZATION_DATA HwInitializationData,
                          PVOID HwContext) {
  const PVIDEO_HW_INITIALIZATION_DATA d = HwInitializationData;
  if (Argument1 == nullptr || Argument2 == nullptr || d == nullptr) return static_cast<ULONG>(STATUS_INVALID_PARAMETER);
  if (d->HwInitDataSize == 0 || d->HwInitDataSize > sizeof(VIDEO_HW_INITIALIZATION_DATA))
    return static_cast<ULONG>(STATUS_REVISION_MISMATCH);
  VIDEO_HW_INITIALIZATION_DATA data{};
  std::memcpy(&data, d, d->HwInitDataSize);  // an older, shorter structure leaves the rest 0
  if (data.HwFindAdapter == nullptr || data.HwInitialize == nullptr || data.HwStartIO == nullptr)
    return static_cast<ULONG>(STATUS_INVALID_PARAMETER);
  g_video.registered = true;
  g_video.data = data;
  g_video.hw_context = HwContext;
  g_video.registry_path = static_cast<PUNICODE_STRING>(Argument2)->Buffer;
  return NO_ERROR;
}

PVOID ddimap_video_add_device(void) {
  if (CurrentMachine() == nullptr || !g_video.registered) return nullptr;
  PVOID extension = ddimap_create_video_device_extension(g_video.data.HwDeviceExtensionSize);
  if (extension != nullptr) ddimap::capi::Adapters().push_back({extension, false});
  return extension;
}

VP_STATUS ddimap_video_find_adapter(PVOID hw_device_extension) {
  ddimap::Machine* m = CurrentMachine();
  ddimap::capi::Adapter* a = ddimap::capi::FindAdapter(hw_device_extension);
  if (m == nullptr || a == nullptr ||
      m->EnterCallback(Callback::VideoFindAdapter, GuestObject(hw_device_extension)) != ControlStatus::Ok)
    return ERROR_DEV_NOT_EXIST;
  VIDEO_PORT_CONFIG_INFO config{};
  config.Length = sizeof(config);
  config.AdapterInterfaceType = g_video.data.AdapterInterfaceType;
  config.InterruptMode = LevelSensitive;
  config.DriverRegistryPath = g_video.registry_path;
  UCHAR again = FALSE;
  const VP_STATUS status =
      g_video.data.HwFindAdapter(hw_device_extension, g_video.hw_context, nullptr, &config, &again);
  // A failing HwVidFindAdapter fails its callback: its device bases must be freed by now.
  ddimap::capi::PollInstruments();  // the driver's last call, before the callback's leak check
  if (CurrentMachine() == m) m->LeaveCallback(status == NO_ERROR);
  a->found = status == NO_ERROR;
  return status;
}

BOOLEAN ddimap_video_initialize(PVOID hw_device_extension) {
  const ddimap::capi::Adapter* a = ddimap::capi::FindAdapter(hw_device_extension);
  if (CurrentMachine() == nullptr || a == nullptr || !a->found) return FALSE;
  return g_video.data.HwInitialize(hw_device_extension);
}

BOOLEAN ddimap_video_start_io(PVOID hw_device_extension, struct _VIDEO_REQUEST_PACKET* packet) {
  ddimap::Machine* m = CurrentMachine();
  const ddimap::capi::Adapter* a = ddimap::capi::FindAdapter(hw_device_extension);
  if (m == nullptr || a == nullptr || !a->found || packet == nullptr ||
      m->EnterCallback(Callback::VideoStartIo, GuestObject(hw_device_extension)) != ControlStatus::Ok)
    return FALSE;
  const BOOLEAN handled = g_video.data.HwStartIO(hw_device_extension, packet);
  ddimap::capi::PollInstruments();  // the driver's last call, before the callback's leak check
  if (CurrentMachine() == m) m->LeaveCallback(handled != FALSE);
  return handled;
}

}  // extern "C"
