// NDIS I/O space: NdisMMapIoSpace and NdisMUnmapIoSpace (sem "NDIS_IO").
#include "model_internal.hpp"
#include "oracle.hpp"

namespace ddimap::oracle {

using detail::ClearOut;
using detail::FindBy;

bool Model::AdapterMaps(u64 adapter) {
  // an adapter from MiniportInitializeEx to the end of MiniportHaltEx
  const Adapter* a = FindBy(adapters_, &Adapter::handle, adapter);
  return a && (a->state == AdapterState::Initializing || a->state == AdapterState::Running ||
               a->state == AdapterState::Halting);
}

NdisStatus Model::NdisMMapIoSpace(u64* VirtualAddress, u64 Adapter_, u64 PhysicalAddress,
                                  u32 Length) {
  auto fail = [&](NdisStatus s) {
    ClearOut(VirtualAddress);
    return s;
  };
  auto refuse = [&](RuleId r) {
    Report(r);
    return fail(kNdisStatusFailure);
  };
  // decided (docs/semantics.md, Smaller decisions, calls after Teardown): ignored, but the failure
  // out-values are written
  if (!Begin()) return fail(kNdisStatusFailure);
  if (irql_ != kPassiveLevel) return refuse(RuleId::NdisIoIrql);
  if (!AdapterMaps(Adapter_)) return refuse(RuleId::NdisIoBadHandle);
  if (!VirtualAddress) return refuse(RuleId::CommonNullPointer);
  if (!(callback_ == Callback::MiniportInitializeEx && callback_object_ == Adapter_))
    return refuse(RuleId::NdisIoMapContext);
  // sem NDIS_IO step 5: "overflowing" is the model-wide overflow (passing 0xFFFFFFFFFFFFF000)
  if (Length == 0 || Overflows(PhysicalAddress, Length)) return fail(kNdisStatusFailure);
  if (TouchesRam(PhysicalAddress, Length)) return refuse(RuleId::NdisIoMapRam);
  if (!ResourceHolding(Adapter_, PhysSpace::Memory, PhysicalAddress, Length))
    return fail(kNdisStatusResourceConflict);
  if (const Mapping* other = CacheConflict(PhysSpace::Memory, PhysicalAddress, Length, kMmNonCached)) {
    Report(RuleId::MmIoCacheConflict, other);
    return fail(kNdisStatusFailure);
  }
  const auto m = Place({.length = Length,
                        .family = Family::NdisIo,
                        .owner = Adapter_,
                        .region = Region::System,
                        .space = PhysSpace::Memory,
                        .phys = PhysicalAddress,
                        .cache = kMmNonCached,
                        .readable = true,
                        .writable = true});
  if (!m) return fail(kNdisStatusResources);
  AddMapping(*m);
  *VirtualAddress = m->base;
  return kNdisStatusSuccess;
}

void Model::NdisMUnmapIoSpace(u64 Adapter_, u64 VirtualAddress, u32 Length) {
  if (!Begin()) return;
  if (irql_ != kPassiveLevel) return Report(RuleId::NdisIoIrql);
  if (!AdapterMaps(Adapter_)) return Report(RuleId::NdisIoBadHandle);
  if (!((callback_ == Callback::MiniportInitializeEx || callback_ == Callback::MiniportHaltEx) &&
        callback_object_ == Adapter_))
    return Report(RuleId::NdisIoUnmapContext);
  const Mapping* m = UnmapTarget(VirtualAddress, Family::NdisIo, Adapter_, Length);
  if (m) Release(m->id);
}

}  // namespace ddimap::oracle
