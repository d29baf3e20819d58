// UMDF 1.x I/O space: IWDFDevice3::MapIoSpace, UnmapIoSpace and
// GetHardwareRegisterMappedAddress (sem "UMDF_IO").
#include "model_internal.hpp"
#include "oracle.hpp"

namespace ddimap::oracle {

using detail::ClearOut;
using detail::Contains;
using detail::FindBy;

namespace {
// sem UMDF_IO.VERSION: the methods exist from UMDF 1.11 up to, not including, UMDF 2.0
bool MapsIoSpace(u32 version) { return version >= 0x1000B && version < 0x20000; }
}  // namespace

HResult Model::UmdfMapIoSpace(u64 This, u64 PhysicalAddress, u64 NumberOfBytes, u64 CacheType,
                              u64* pPseudoBaseAddress) {
  auto fail = [&](HResult h) {
    ClearOut(pPseudoBaseAddress);
    return h;
  };
  auto refuse = [&](RuleId r) {
    Report(r);
    return fail(kEInvalidArg);
  };
  if (!Begin()) return fail(kEInvalidArg);
  const UmdfDevice* d = FindBy(umdf_, &UmdfDevice::handle, This);
  if (!d) return refuse(RuleId::UmdfIoBadDevice);
  if (!MapsIoSpace(d->version)) return refuse(RuleId::UmdfIoVersion);
  if (!d->direct) return refuse(RuleId::UmdfIoDirectAccess);
  if (!pPseudoBaseAddress) return refuse(RuleId::CommonNullPointer);
  if (!(callback_ == Callback::OnPrepareHardware && callback_object_ == This))
    return refuse(RuleId::UmdfIoMapContext);
  if (PhysicalAddress == 0 || NumberOfBytes == 0 || CacheType > kMmWriteCombined)
    return refuse(RuleId::UmdfIoMapArgs);
  if (Overflows(PhysicalAddress, NumberOfBytes)) return refuse(RuleId::UmdfIoOutsideResource);
  const Resource* res = ResourceHolding(This, PhysSpace::Memory, PhysicalAddress, NumberOfBytes);
  if (!res) return refuse(RuleId::UmdfIoOutsideResource);
  for (const auto& m : live_)
    if (m.family == Family::UmdfIo && !m.user_view && m.owner == This &&
        Contains(res->start, res->length, m.phys)) {
      Report(RuleId::UmdfIoDuplicateMapping, &m);  // names the live mapping of the resource
      return fail(kEInvalidArg);
    }
  const u32 cache = static_cast<u32>(CacheType);
  if (const Mapping* other = CacheConflict(PhysSpace::Memory, PhysicalAddress, NumberOfBytes, cache)) {
    Report(RuleId::MmIoCacheConflict, other);
    return fail(kEInvalidArg);
  }
  // reading: the pseudo range first, then the view; a failing view undoes the pseudo range
  const VaRegion pseudo_before = pseudo_;
  Mapping wanted{.length = NumberOfBytes,
                 .family = Family::UmdfIo,
                 .owner = This,
                 .region = Region::Pseudo,
                 .space = PhysSpace::Memory,
                 .phys = PhysicalAddress,
                 .cache = cache,
                 .readable = true,
                 .writable = true};
  const auto m = Place(wanted);
  if (!m) return fail(kEOutOfMemory);
  std::optional<Mapping> view;
  if (d->mode == RegisterAccess::UsingUserModeMapping) {
    // the same mapping seen from the driver host (process 0)
    wanted.region = Region::User;
    wanted.user_view = true;
    view = Place(wanted);
    if (!view) {
      pseudo_ = pseudo_before;
      return fail(kEOutOfMemory);
    }
  }
  const u64 id = AddMapping(*m);
  if (view) {
    const u64 vid = AddMapping(*view);
    FindBy(live_, &Mapping::id, id)->view_id = vid;
  }
  *pPseudoBaseAddress = m->base;
  return kSOk;
}

void Model::UmdfUnmapIoSpace(u64 This, u64 PseudoBaseAddress, u64 NumberOfBytes) {
  if (!Begin()) return;
  const UmdfDevice* d = FindBy(umdf_, &UmdfDevice::handle, This);
  if (!d) return Report(RuleId::UmdfIoBadDevice);
  if (!MapsIoSpace(d->version)) return Report(RuleId::UmdfIoVersion);
  if (!((callback_ == Callback::OnReleaseHardware || callback_ == Callback::OnPrepareHardware) &&
        callback_object_ == This))
    return Report(RuleId::UmdfIoUnmapContext);
  const Mapping* m = UnmapTarget(PseudoBaseAddress, Family::UmdfIo, This, NumberOfBytes);
  if (m) Release(m->id);
}

u64 Model::UmdfGetHardwareRegisterMappedAddress(u64 This, u64 PseudoBaseAddress) {
  if (!Begin()) return 0;
  const UmdfDevice* d = FindBy(umdf_, &UmdfDevice::handle, This);
  if (!d) return Report(RuleId::UmdfIoBadDevice), 0;
  if (!MapsIoSpace(d->version)) return Report(RuleId::UmdfIoVersion), 0;
  if (d->mode != RegisterAccess::UsingUserModeMapping) return Report(RuleId::UmdfIoNoUserMapping), 0;
  for (const auto& m : live_) {
    if (m.family != Family::UmdfIo || m.user_view || m.owner != This) continue;
    if (m.base != PseudoBaseAddress) continue;
    if (const Mapping* v = FindBy(live_, &Mapping::id, m.view_id)) return v->base;
  }
  // sem "Report format": the report names the mapping whose page holds the address, if any
  Report(RuleId::UmdfIoNoUserMapping, Holder(PseudoBaseAddress));
  return 0;
}

}  // namespace ddimap::oracle
