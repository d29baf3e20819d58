// KMDF as a PCI driver sees it (ddimap/wdk/wdf.h): WdfDriverCreate,
// WdfDeviceCreate with its PnP/power callbacks and object contexts, and the
// framework's side in ddimap/control.h (ddimap_kmdf_add_device, ...).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "capi/internal.hpp"
#include "ddimap/control.h"
#include "ddimap/machine.hpp"
#include "ddimap/wdk/wdf.h"

// The framework's objects: a WDFDEVICE is a pointer to one of these.
struct WDFDEVICE_INIT {
  PVOID wdm_device = nullptr;
  WDF_PNPPOWER_EVENT_CALLBACKS callbacks{};
  WDFDEVICE created = nullptr;
};

struct WDFDEVICE__ {
  PVOID wdm_device = nullptr;
  WDF_PNPPOWER_EVENT_CALLBACKS callbacks{};
  PCWDF_OBJECT_CONTEXT_TYPE_INFO context_type = nullptr;
  void* context = nullptr;
  PFN_WDF_OBJECT_CONTEXT_CLEANUP cleanup = nullptr;
  ~WDFDEVICE__() { std::free(context); }
};

namespace ddimap::capi {
namespace {

struct Registration {
  bool registered = false;
  WDF_DRIVER_CONFIG config{};
};
Registration g_kmdf;
int g_driver_tag;  // its address is the WDFDRIVER

// Per machine (ReleaseKmdfDevices).
std::vector<std::unique_ptr<WDFDEVICE__>>& Devices() {
  static std::vector<std::unique_ptr<WDFDEVICE__>> devices;
  return devices;
}

}  // namespace

void ReleaseKmdfDevices() { Devices().clear(); }

WDFDEVICE__* FindKmdfDevice(const void* handle) {
  for (const auto& d : Devices())
    if (d.get() == handle) return d.get();
  return nullptr;
}

}  // namespace ddimap::capi

using ddimap::capi::Devices;
using ddimap::capi::g_kmdf;

extern "C" {

NTSTATUS WdfDriverCreate(PDRIVER_OBJECT DriverObject, PCUNICODE_STRING RegistryPath,
                         PWDF_OBJECT_ATTRIBUTES DriverAttributes, PWDF_DRIVER_CONFIG DriverConfig,
                         WDFDRIVER* Driver) {
  (void)RegistryPath;
  (void)DriverAttributes;
  if (DriverObject == nullptr || DriverConfig == nullptr || DriverConfig->EvtDriverDeviceAdd == nullptr)
    return STATUS_INVALID_PARAMETER;
  g_kmdf.registered = true;
  g_kmdf.config = *DriverConfig;
  if (Driver != nullptr) *Driver = reinterpret_cast<WDFDRIVER>(&ddimap::capi::g_driver_tag);
  return STATUS_SUCCESS;
}

VOID WdfDeviceInitSetPnpPowerEventCallbacks(PWDFDEVICE_INIT DeviceInit,
                                            PWDF_PNPPOWER_EVENT_CALLBACKS PnpPowerEventCallbacks) {
  if (DeviceInit == nullptr || PnpPowerEventCallbacks == nullptr) return;
  DeviceInit->callbacks = *PnpPowerEventCallbacks;
}

NTSTATUS WdfDeviceCreate(PWDFDEVICE_INIT* DeviceInit, PWDF_OBJECT_ATTRIBUTES DeviceAttributes, WDFDEVICE* Device) {
  if (DeviceInit == nullptr || *DeviceInit == nullptr || Device == nullptr) return STATUS_INVALID_PARAMETER;
  auto device = std::make_unique<WDFDEVICE__>();
  device->wdm_device = (*DeviceInit)->wdm_device;
  device->callbacks = (*DeviceInit)->callbacks;
  if (DeviceAttributes != nullptr) {
    device->cleanup = DeviceAttributes->EvtCleanupCallback;
    if (DeviceAttributes->ContextTypeInfo != nullptr) {
      device->context_type = DeviceAttributes->ContextTypeInfo->UniqueType;
      const SIZE_T size = std::max<SIZE_T>(DeviceAttributes->ContextSizeOverride,
                                           DeviceAttributes->ContextTypeInfo->ContextSize);
      device->context = std::calloc(1, std::max<SIZE_T>(size, 1));
      if (device->context == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
    }
  }
  *Device = device.get();
  (*DeviceInit)->created = device.get();
  *DeviceInit = nullptr;
  Devices().push_back(std::move(device));
  return STATUS_SUCCESS;
}

PVOID WdfObjectGetTypedContextWorker(WDFOBJECT Handle, PCWDF_OBJECT_CONTEXT_TYPE_INFO TypeInfo) {
  WDFDEVICE__* d = ddimap::capi::FindKmdfDevice(Handle);
  if (d == nullptr || TypeInfo == nullptr || d->context_type != TypeInfo->UniqueType) return nullptr;
  return d->context;
}

NTSTATUS ddimap_kmdf_add_device(PVOID wdm_device, WDFDEVICE* device) {
  if (device != nullptr) *device = nullptr;
  if (ddimap::capi::CurrentMachine() == nullptr || !g_kmdf.registered) return STATUS_INVALID_DEVICE_STATE;
  WDFDEVICE_INIT init;
  init.wdm_device = wdm_device;
  const NTSTATUS status =
      g_kmdf.config.EvtDriverDeviceAdd(reinterpret_cast<WDFDRIVER>(&ddimap::capi::g_driver_tag), &init);
  if (NT_SUCCESS(status) && init.created == nullptr) return STATUS_INVALID_DEVICE_STATE;
  if (device != nullptr && NT_SUCCESS(status)) *device = init.created;
  return status;
}

namespace {

// Runs one of the device's hardware callbacks inside its callback kind, as the
// framework calls it: the MM_IO leak check runs when release returns.
NTSTATUS RunHardwareCallback(WDFDEVICE device, bool prepare) {
  ddimap::Machine* m = ddimap::capi::CurrentMachine();
  WDFDEVICE__* d = ddimap::capi::FindKmdfDevice(device);
  if (m == nullptr || d == nullptr) return STATUS_INVALID_DEVICE_STATE;
  const ddimap::Callback kind =
      prepare ? ddimap::Callback::EvtDevicePrepareHardware : ddimap::Callback::EvtDeviceReleaseHardware;
  if (m->EnterCallback(kind, ddimap::capi::GuestObject(d->wdm_device)) != ddimap::ControlStatus::Ok)
    return STATUS_INVALID_DEVICE_STATE;
  const WDFCMRESLIST list = ddimap_device_resources(d->wdm_device);
  NTSTATUS status = STATUS_SUCCESS;
  if (prepare && d->callbacks.EvtDevicePrepareHardware != nullptr) {
    status = d->callbacks.EvtDevicePrepareHardware(device, list, list);
  } else if (!prepare && d->callbacks.EvtDeviceReleaseHardware != nullptr) {
    status = d->callbacks.EvtDeviceReleaseHardware(device, list);
  }
  ddimap::capi::PollInstruments();  // the driver's last call, before the callback's leak check
  if (ddimap::capi::CurrentMachine() == m) m->LeaveCallback(NT_SUCCESS(status));
  return status;
}

}  // namespace

NTSTATUS ddimap_kmdf_prepare_hardware(WDFDEVICE device) { return RunHardwareCallback(device, true); }
NTSTATUS ddimap_kmdf_release_hardware(WDFDEVICE device) { return RunHardwareCallback(device, false); }

}  // extern "C"
