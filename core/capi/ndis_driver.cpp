// NDIS 6 miniport registration and the adapter lifecycle the operating system
// runs (ddimap/wdk/ndis.h, ddimap/control.h): DriverEntry's
// NdisMRegisterMiniportDriver, NdisMSetMiniportAttributes, and
// ddimap_ndis_initialize / ddimap_ndis_halt, which run the driver's
// MiniportInitializeEx and MiniportHaltEx inside the matching callback.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "capi/driver_hooks.hpp"
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

// NDIS 5.x: NdisMRegisterMiniport through the wrapper NdisMInitializeWrapper
// gave. A process holds one miniport driver of either kind; the later
// registration wins.
struct Registration5 {
  bool registered = false;
  NDIS_MINIPORT_CHARACTERISTICS chars{};
};
Registration5 g_driver5;
int g_wrapper_tag;  // its address is the NdisWrapperHandle

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

// Per machine: NdisMRegisterInterruptEx's registrations; the handle is the
// index + 1, and a deregistered one stays, not live, so a second
// deregistration is recognised.
std::vector<NdisInterrupt>& Interrupts() {
  static std::vector<NdisInterrupt> interrupts;
  return interrupts;
}

}  // namespace

void ReleaseNdisAdapters() {
  Contexts().clear();
  Interrupts().clear();
}

const NdisInterrupt* LiveNdisInterrupt(u64 adapter) {
  for (const NdisInterrupt& i : Interrupts())
    if (i.adapter == adapter && i.live) return &i;
  return nullptr;
}

bool NdisAdapterContext(u64 adapter, NDIS_HANDLE* context) {
  const AdapterContext* c = FindContext(adapter);
  if (c != nullptr) *context = c->context;
  return c != nullptr;
}

// The adapter context a halt handler receives (NdisMSetMiniportAttributes,
// NdisMSetAttributesEx).
void SetAdapterContext(u64 adapter, NDIS_HANDLE context) {
  if (AdapterContext* c = FindContext(adapter)) {
    c->context = context;
  } else {
    Contexts().push_back({adapter, context});
  }
}

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
  ddimap::capi::g_driver5 = {};
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
  ddimap::capi::SetAdapterContext(Guest(NdisMiniportHandle),
                                  MiniportAttributes->RegistrationAttributes.MiniportAdapterContext);
  return NDIS_STATUS_SUCCESS;
}

VOID NdisInitializeWrapper(PNDIS_HANDLE NdisWrapperHandle, PVOID SystemSpecific1, PVOID SystemSpecific2,
                           PVOID SystemSpecific3) {
  (void)SystemSpecific2;
  (void)SystemSpecific3;
  if (NdisWrapperHandle == nullptr) return;
  *NdisWrapperHandle = SystemSpecific1 != nullptr ? &ddimap::capi::g_wrapper_tag : nullptr;
}

VOID NdisTerminateWrapper(NDIS_HANDLE NdisWrapperHandle, PVOID SystemSpecific) {
  (void)SystemSpecific;
  if (NdisWrapperHandle == &ddimap::capi::g_wrapper_tag) ddimap::capi::g_driver5 = {};
}

NDIS_STATUS NdisMRegisterMiniport(NDIS_HANDLE NdisWrapperHandle,
                                  PNDIS_MINIPORT_CHARACTERISTICS MiniportCharacteristics, UINT CharacteristicsLength) {
  const PNDIS_MINIPORT_CHARACTERISTICS c = MiniportCharacteristics;
  if (NdisWrapperHandle != &ddimap::capi::g_wrapper_tag || c == nullptr) return NDIS_STATUS_FAILURE;
  // The structure each version's driver fills: NDIS 3.0 ends with
  // TransferDataHandler, 4.0 with AllocateCompleteHandler, 5.0 with
  // CoRequestHandler, 5.1 is the whole.
  std::size_t needed = 0;
  switch (c->MajorNdisVersion) {
    case 3: needed = offsetof(NDIS_MINIPORT_CHARACTERISTICS, ReturnPacketHandler); break;
    case 4: needed = offsetof(NDIS_MINIPORT_CHARACTERISTICS, CoCreateVcHandler); break;
    case 5:
      needed = c->MinorNdisVersion == 0 ? offsetof(NDIS_MINIPORT_CHARACTERISTICS, CancelSendPacketsHandler)
                                        : sizeof(NDIS_MINIPORT_CHARACTERISTICS);
      break;
    default: return NDIS_STATUS_BAD_VERSION;
  }
  if (CharacteristicsLength < needed || c->InitializeHandler == nullptr || c->HaltHandler == nullptr)
    return NDIS_STATUS_BAD_CHARACTERISTICS;
  ddimap::capi::g_driver5.registered = true;
  ddimap::capi::g_driver5.chars = NDIS_MINIPORT_CHARACTERISTICS{};
  std::memcpy(&ddimap::capi::g_driver5.chars, c, needed);
  g_driver = {};
  return NDIS_STATUS_SUCCESS;
}

VOID NdisMSetAttributesEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportAdapterContext,
                          UINT CheckForHangTimeInSeconds, ULONG AttributeFlags, NDIS_INTERFACE_TYPE AdapterType) {
  (void)CheckForHangTimeInSeconds;
  (void)AttributeFlags;
  (void)AdapterType;
  ddimap::capi::SetAdapterContext(Guest(MiniportAdapterHandle), MiniportAdapterContext);
}

VOID NdisMSetAttributes(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportAdapterContext, BOOLEAN BusMaster,
                        NDIS_INTERFACE_TYPE AdapterType) {
  (void)BusMaster;
  (void)AdapterType;
  ddimap::capi::SetAdapterContext(Guest(MiniportAdapterHandle), MiniportAdapterContext);
}

NDIS_STATUS NdisAllocateMemoryWithTag(PVOID* VirtualAddress, UINT Length, ULONG Tag) {
  (void)Tag;
  if (VirtualAddress == nullptr) return NDIS_STATUS_FAILURE;
  *VirtualAddress = Length == 0 ? nullptr : std::calloc(1, Length);
  return *VirtualAddress != nullptr ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
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

NDIS_STATUS NdisMRegisterInterruptEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportInterruptContext,
                                     PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS MiniportInterruptCharacteristics,
                                     PNDIS_HANDLE NdisInterruptHandle) {
  const PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS c = MiniportInterruptCharacteristics;
  if (MiniportAdapterHandle == nullptr || c == nullptr || NdisInterruptHandle == nullptr ||
      c->Header.Type != NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT || c->InterruptHandler == nullptr ||
      c->InterruptDpcHandler == nullptr ||
      ddimap::capi::LiveNdisInterrupt(Guest(MiniportAdapterHandle)) != nullptr)
    return NDIS_STATUS_FAILURE;
  auto& all = ddimap::capi::Interrupts();
  all.push_back({Guest(MiniportAdapterHandle), MiniportInterruptContext, c->InterruptHandler,
                 c->InterruptDpcHandler, true});
  c->InterruptType = NDIS_CONNECT_LINE_BASED;
  *NdisInterruptHandle = reinterpret_cast<NDIS_HANDLE>(static_cast<std::uintptr_t>(all.size()));
  return NDIS_STATUS_SUCCESS;
}

VOID NdisMDeregisterInterruptEx(NDIS_HANDLE NdisInterruptHandle) {
  auto& all = ddimap::capi::Interrupts();
  const auto index = reinterpret_cast<std::uintptr_t>(NdisInterruptHandle);
  if (index >= 1 && index <= all.size()) all[index - 1].live = false;
}

NDIS_STATUS ddimap_ndis_initialize(NDIS_HANDLE adapter) {
  ddimap::Machine* m = CurrentMachine();
  const ddimap::capi::Registration5& d5 = ddimap::capi::g_driver5;
  if (m == nullptr || (!g_driver.registered && !d5.registered)) return NDIS_STATUS_FAILURE;
  if (m->EnterCallback(Callback::MiniportInitializeEx, Guest(adapter)) != ControlStatus::Ok)
    return NDIS_STATUS_FAILURE;
  if (d5.registered) {
    // NDIS offers every medium it knows; the miniport picks its own. The
    // WrapperConfigurationContext is the adapter (NdisMQueryAdapterResources).
    NDIS_MEDIUM media[NdisMediumMax];
    for (int i = 0; i < NdisMediumMax; ++i) media[i] = static_cast<NDIS_MEDIUM>(i);
    NDIS_STATUS open_error = NDIS_STATUS_SUCCESS;
    UINT selected = 0;
    const NDIS_STATUS status = d5.chars.InitializeHandler(&open_error, &selected, media, NdisMediumMax, adapter, adapter);
    ddimap::capi::PollInstruments();  // the driver's last call, before the callback's leak check
    if (CurrentMachine() == m) m->LeaveCallback(status == NDIS_STATUS_SUCCESS);
    return status;
  }
  NDIS_MINIPORT_INIT_PARAMETERS params;
  std::memset(&params, 0, sizeof(params));
  params.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS;
  params.Header.Revision = NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1;
  params.Header.Size = static_cast<USHORT>(sizeof(params));
  params.AllocatedResources = ddimap_adapter_resources(adapter);  // what the adapter was assigned, in order
  const NDIS_STATUS status = g_driver.chars.InitializeHandlerEx(adapter, g_driver.driver_context, &params);
  // The machine may be gone if the driver destroyed it; nothing to leave then.
  ddimap::capi::PollInstruments();  // the driver's last call, before the callback's leak check
  if (CurrentMachine() == m) m->LeaveCallback(status == NDIS_STATUS_SUCCESS);
  return status;
}

int ddimap_ndis_halt(NDIS_HANDLE adapter, int halt_action) {
  ddimap::Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  const ddimap::capi::Registration5& d5 = ddimap::capi::g_driver5;
  if (!g_driver.registered && !d5.registered) return DDIMAP_E_BAD_STATE;
  const ddimap::capi::AdapterContext* c = ddimap::capi::FindContext(Guest(adapter));
  if (c == nullptr) return DDIMAP_E_BAD_STATE;  // never initialized (no registration attributes)
  const NDIS_HANDLE context = c->context;
  const ControlStatus entered = m->EnterCallback(Callback::MiniportHaltEx, Guest(adapter));
  if (entered != ControlStatus::Ok) return entered == ControlStatus::BadObject ? DDIMAP_E_BAD_OBJECT : DDIMAP_E_BAD_STATE;
  if (d5.registered) {
    d5.chars.HaltHandler(context);  // NDIS 5 has no halt action
  } else {
    g_driver.chars.HaltHandlerEx(context, static_cast<NDIS_HALT_ACTION>(halt_action));
  }
  ddimap::capi::PollInstruments();  // the driver's last call, before the callback's leak check
  if (CurrentMachine() == m) m->LeaveCallback(true);
  return DDIMAP_OK;
}

}  // extern "C"
