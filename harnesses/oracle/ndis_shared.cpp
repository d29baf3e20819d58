// NDIS shared memory: NdisMAllocateSharedMemory and NdisMFreeSharedMemory (sem "NDIS_SHARED").
#include "model_internal.hpp"
#include "oracle.hpp"

namespace ddimap::oracle {

using detail::ClearOut;

std::optional<u64> Model::SharedRam(u64 bytes) const {
  // sem NDIS_SHARED: first fit over the RAM ranges in the order they were added, from the range's first
  // whole page but never physical page 0, stepping past the pages of every live allocation it overlaps
  for (const auto& r : ram_) {
    u64 pa = (r.start + kPageMask) & ~kPageMask;
    if (pa < kPageSize) pa = kPageSize;
    bool again = true;
    while (again) {
      again = false;
      for (const auto& m : live_) {
        if (m.family != Family::NdisShared) continue;
        const u64 end = m.phys + m.extent;
        if (m.phys < pa + bytes && pa < end) {
          pa = end;
          again = true;
        }
      }
    }
    if (pa >= r.start && pa - r.start <= r.length && bytes <= r.length - (pa - r.start)) return pa;
  }
  return std::nullopt;
}

void Model::NdisMAllocateSharedMemory(u64 Adapter_, u32 Length, bool Cached, u64* VirtualAddress,
                                      u64* PhysicalAddress) {
  // reading: every failure writes NULL to both out-values the caller gave
  auto fail = [&] { ClearOut(VirtualAddress, PhysicalAddress); };
  if (!Begin()) return fail();
  if (irql_ != kPassiveLevel) return Report(RuleId::NdisSharedIrql), fail();
  if (!AdapterMaps(Adapter_)) return Report(RuleId::NdisIoBadHandle), fail();
  if (!VirtualAddress || !PhysicalAddress) return Report(RuleId::CommonNullPointer), fail();
  if (Length == 0) return fail();
  const u64 bytes = (u64{Length} + kPageMask) & ~kPageMask;
  const auto pa = SharedRam(bytes);
  if (!pa) return fail();
  // contracts: Cached is ignored, x64 shared memory is cached
  auto m = Place({.length = Length,
                  .family = Family::NdisShared,
                  .owner = Adapter_,
                  .region = Region::System,
                  .space = PhysSpace::Memory,
                  .phys = *pa,
                  .cache = kMmCached,
                  .readable = true,
                  .writable = true});
  if (!m) return fail();
  m->cached = Cached;
  AddMapping(*m);
  *VirtualAddress = m->base;
  *PhysicalAddress = *pa;
}

void Model::NdisMFreeSharedMemory(u64 Adapter_, u32 Length, bool Cached, u64 VirtualAddress, u64 PhysicalAddress) {
  if (!Begin()) return;
  if (irql_ != kPassiveLevel) return Report(RuleId::NdisSharedIrql);
  if (!AdapterMaps(Adapter_)) return Report(RuleId::NdisIoBadHandle);
  const Mapping* m = UnmapTarget(VirtualAddress, Family::NdisShared, Adapter_, Length);
  if (!m) return;
  // sem NDIS_SHARED: after the length, Cached, then PhysicalAddress; each mismatch refuses
  if (m->cached != Cached) return Report(RuleId::NdisSharedFreeCachedMismatch, m);
  if (m->phys != PhysicalAddress) return Report(RuleId::NdisSharedFreePhysMismatch, m);
  Release(m->id);
}

}  // namespace ddimap::oracle
