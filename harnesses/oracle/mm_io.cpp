// WDM I/O space: MmMapIoSpace, MmMapIoSpaceEx and MmUnmapIoSpace (sem "MM_IO").
#include "oracle.hpp"

namespace ddimap::oracle {

bool Model::MmMapStart(u64 NumberOfBytes) {
  if (!Begin()) return false;
  if (irql_ > kDispatchLevel) return Report(RuleId::MmIoMapIrql), false;
  if (NumberOfBytes == 0) return Report(RuleId::MmIoZeroLength), false;
  return true;
}

u64 Model::MmMap(u64 PhysicalAddress, u64 NumberOfBytes, u32 cache, bool readable, bool writable) {
  if (Overflows(PhysicalAddress, NumberOfBytes)) return 0;
  if (TouchesRam(PhysicalAddress, NumberOfBytes)) return Report(RuleId::MmIoMapRam), 0;
  if (const Mapping* other = CacheConflict(PhysSpace::Memory, PhysicalAddress, NumberOfBytes, cache))
    return Report(RuleId::MmIoCacheConflict, other), 0;
  const auto m = Place({.length = NumberOfBytes,
                        .family = Family::MmIo,
                        // the mapping record says owner 0 (sem "Mapping records")
                        .owner = 0,
                        .region = Region::System,
                        .space = PhysSpace::Memory,
                        .phys = PhysicalAddress,
                        .cache = cache,
                        .readable = readable,
                        .writable = writable,
                        // sem: a mapping made while IRP_MN_START_DEVICE or EvtDevicePrepareHardware
                        // of D runs belongs to D (for MM_IO.LEAK)
                        .leak_owner = callback_ == Callback::StartDevice ||
                                              callback_ == Callback::EvtDevicePrepareHardware
                                          ? callback_object_
                                          : 0});
  if (!m) return 0;
  AddMapping(*m);
  return m->base;
}

u64 Model::MmMapIoSpace(u64 PhysicalAddress, u64 NumberOfBytes, u64 CacheType) {
  if (!MmMapStart(NumberOfBytes)) return 0;
  if (CacheType > kMmWriteCombined) return Report(RuleId::MmIoBadCacheType), 0;
  return MmMap(PhysicalAddress, NumberOfBytes, static_cast<u32>(CacheType), true, true);
}

u64 Model::MmMapIoSpaceEx(u64 PhysicalAddress, u64 NumberOfBytes, u64 Protect) {
  if (!MmMapStart(NumberOfBytes)) return 0;
  {
    const u64 access_bits[] = {kPageReadOnly, kPageReadWrite, kPageExecute, kPageExecuteRead,
                               kPageExecuteReadWrite};
    int access_count = 0;
    for (u64 b : access_bits)
      if (Protect & b) ++access_count;
    int cache_count = 0;
    if (Protect & kPageNoCache) ++cache_count;
    if (Protect & kPageWriteCombine) ++cache_count;
    u64 known = kPageNoCache | kPageWriteCombine;
    for (u64 b : access_bits) known |= b;
    if (access_count != 1 || cache_count > 1 || (Protect & ~known) != 0)
      return Report(RuleId::MmIoBadProtect), 0;
  }
  const u32 cache = (Protect & kPageNoCache)        ? kMmNonCached
                    : (Protect & kPageWriteCombine) ? kMmWriteCombined
                                                    : kMmCached;
  // sem MM_IO / "Mapping records" (MmMapIoSpaceEx, Parameters (Protect)): exactly one base
  // protection is set by now; of the five only PAGE_EXECUTE grants no read, and only
  // PAGE_READWRITE and PAGE_EXECUTE_READWRITE grant write.
  const bool readable = (Protect & kPageExecute) == 0;
  const bool writable = (Protect & (kPageReadWrite | kPageExecuteReadWrite)) != 0;
  return MmMap(PhysicalAddress, NumberOfBytes, cache, readable, writable);
}

void Model::MmUnmapIoSpace(u64 BaseAddress, u64 NumberOfBytes) {
  if (!Begin()) return;
  if (irql_ > kDispatchLevel) return Report(RuleId::MmIoUnmapIrql);
  if (irql_ == kDispatchLevel) Report(RuleId::MmIoUnmapIrqlVerifier);
  // no owner check: MmUnmapIoSpace names no device
  const Mapping* m = UnmapTarget(BaseAddress, Family::MmIo, 0, NumberOfBytes);
  if (m) Release(m->id);
}

}  // namespace ddimap::oracle
