// NDIS 6 miniport registration and the adapter lifecycle the operating system
// runs (ddimap/wdk/ndis.h, ddimap/control.h): DriverEntry's
// NdisMRegisterMiniportDriver, NdisMSetMiniportAttributes, and
// ddimap_ndis_initialize / ddimap_ndis_halt, which run the driver's
// MiniportInitializeEx and MiniportHaltEx inside the matching callback.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "capi/internal.hpp"
#include "ddimap/control.h"
#include "ddimap/machine.hpp"
#include "ddimap/wdk/ndis.h"

namespace ddimap::capi {
namespace {

// One registration per process: a driver image registers once, in DriverEntry,
// and the machines of later inputs reuse it.
struct Registration {
  bool registered = false;
  NDIS_HANDLE driver_context = nullptr;
  NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars{};
};
Registration g_driver;
int g_driver_handle_tag;  // its address is the NdisMiniportDriverHandle

struct AdapterContext {
  u64 adapter;
  NDIS_HANDLE context;
};
// Per machine (ReleaseNdisAdapters): the MiniportAdapterContext each adapter
// registered in NdisMSetMiniportAttributes.
std::vector<AdapterContext>& Contexts() {
  static std::vector<AdapterContext> contexts;
  return contexts;
}

AdapterContext* FindContext(u64 adapter) {
  for (AdapterContext& c : Contexts())
    if (c.adapter == adapter) return &c;
  return nullptr;
}

}  // namespace

void ReleaseNdisAdapters() { Contexts().clear(); }

}  // namespace ddimap::capi

using ddimap::Callback;
using ddimap::ControlStatus;
using ddimap::u64;
using ddimap::capi::CurrentMachine;
using ddimap::capi::g_driver;
using ddimap::capi::Guest;

extern "C" {

PDRIVER_OBJECT ddimap_driver_object(void) {
  // Never dereferenced by ddimap; a stable, distinct address per process.
  static unsigned char object[64];
  return reinterpret_cast<PDRIVER_OBJECT>(object);
}

NDIS_STATUS NdisMRegisterMiniportDriver(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath,
                                        NDIS_HANDLE MiniportDriverContext,
                                        PNDIS_MINIPORT_DRIVER_CHARACTERISTICS MiniportDriverCharacteristics,
                                        PNDIS_HANDLE NdisMiniportDriverHandle) {
  (void)RegistryPath;
  const PNDIS_MINIPORT_DRIVER_CHARACTERISTICS c = MiniportDriverCharacteristics;
  if (DriverObject == nullptr || c == nullptr || NdisMiniportDriverHandle == nullptr ||
      c->Header.Type != NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS || c->InitializeHandlerEx == nullptr ||
      c->HaltHandlerEx == nullptr)
    return NDIS_STATUS_FAILURE;
  g_driver.registered = true;
  g_driver.driver_context = MiniportDriverContext;
  g_driver.chars = *c;
  *NdisMiniportDriverHandle = &ddimap::capi::g_driver_handle_tag;
  return NDIS_STATUS_SUCCESS;
}

VOID NdisMDeregisterMiniportDriver(NDIS_HANDLE NdisMiniportDriverHandle) {
  if (NdisMiniportDriverHandle == &ddimap::capi::g_driver_handle_tag) g_driver = {};
}

NDIS_STATUS NdisMSetMiniportAttributes(NDIS_HANDLE NdisMiniportHandle,
                                       PNDIS_MINIPORT_ADAPTER_ATTRIBUTES MiniportAttributes) {
  if (MiniportAttributes == nullptr) return NDIS_STATUS_INVALID_PARAMETER;
  if (MiniportAttributes->Header.Type != NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES)
    return NDIS_STATUS_SUCCESS;  // other attribute kinds: accepted, nothing ddimap models
  const u64 adapter = Guest(NdisMiniportHandle);
  const NDIS_HANDLE context = MiniportAttributes->RegistrationAttributes.MiniportAdapterContext;
  if (ddimap::capi::AdapterContext* c = ddimap::capi::FindContext(adapter)) {
    c->context = context;
  } else {
    ddimap::capi::Contexts().push_back({adapter, context});
  }
  return NDIS_STATUS_SUCCESS;
}

PVOID NdisAllocateMemoryWithTagPriority(NDIS_HANDLE NdisHandle, UINT Length, ULONG Tag,
                                        EX_POOL_PRIORITY Priority) {
  (void)NdisHandle;
  (void)Tag;
  (void)Priority;
  if (Length == 0) return nullptr;
  return std::calloc(1, Length);
}

VOID NdisFreeMemory(PVOID VirtualAddress, UINT Length, UINT MemoryFlags) {
  (void)Length;
  (void)MemoryFlags;
  std::free(VirtualAddress);
}

NDIS_STATUS ddimap_ndis_initialize(NDIS_HANDLE adapter) {
  ddimap::Machine* m = CurrentMachine();
  if (m == nullptr || !g_driver.registered) return NDIS_STATUS_FAILURE;
  if (m->EnterCallback(Callback::MiniportInitializeEx, Guest(adapter)) != ControlStatus::Ok)
    return NDIS_STATUS_FAILURE;
  NDIS_MINIPORT_INIT_PARAMETERS params;
  std::memset(&params, 0, sizeof(params));
  params.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS;
  params.Header.Revision = NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1;
  params.Header.Size = static_cast<USHORT>(sizeof(params));
  params.AllocatedResources = ddimap_adapter_resources(adapter);  // what the adapter was assigned, in order
  const NDIS_STATUS status = g_driver.chars.InitializeHandlerEx(adapter, g_driver.driver_context, &params);
  // The machine may be gone if the driver destroyed it; nothing to leave then.
  if (CurrentMachine() == m) m->LeaveCallback(status == NDIS_STATUS_SUCCESS);
  return status;
}

int ddimap_ndis_halt(NDIS_HANDLE adapter, int halt_action) {
  ddimap::Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  if (!g_driver.registered) return DDIMAP_E_BAD_STATE;
  const ddimap::capi::AdapterContext* c = ddimap::capi::FindContext(Guest(adapter));
  if (c == nullptr) return DDIMAP_E_BAD_STATE;  // never initialized (no registration attributes)
  const NDIS_HANDLE context = c->context;
  const ControlStatus entered = m->EnterCallback(Callback::MiniportHaltEx, Guest(adapter));
  if (entered != ControlStatus::Ok) return entered == ControlStatus::BadObject ? DDIMAP_E_BAD_OBJECT : DDIMAP_E_BAD_STATE;
  g_driver.chars.HaltHandlerEx(context, static_cast<NDIS_HALT_ACTION>(halt_action));
  if (CurrentMachine() == m) m->LeaveCallback(true);
  return DDIMAP_OK;
}

}  // extern "C"
