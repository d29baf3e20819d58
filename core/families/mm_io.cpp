// WDM: MmMapIoSpace / MmMapIoSpaceEx / MmUnmapIoSpace (docs/contracts.md).
#include "families/common.hpp"
#include "families/families.hpp"
#include "mutants/mutant.hpp"

namespace ddimap {
namespace {

constexpr families::UnmapRules kUnmapRules{
    RuleId::MmIoUnmapNotMapped, RuleId::MmIoUnmapInterior, RuleId::MmIoUnmapDouble,
    RuleId::MmIoUnmapNotMapped /* no owner parameter: never used */, RuleId::MmIoUnmapOtherFamily};

constexpr u32 kBaseProtections[] = {kPageReadOnly, kPageReadWrite, kPageExecute, kPageExecuteRead,
                                    kPageExecuteReadWrite};

// Returns the caching type MmMapIoSpaceEx derives from Protect, or nullopt
// (with `why`) when Protect is not a documented combination.
std::optional<u32> CacheFromProtect(u64 protect, std::string* why) {
  u64 base = protect & 0xFF;
  u64 modifiers = protect & (kPageNoCache | kPageWriteCombine);
  u64 unknown = protect & ~static_cast<u64>(0xFF | kPageNoCache | kPageWriteCombine);
  int bases = 0;
  for (u32 b : kBaseProtections)
    if (base & b) ++bases;
  if (unknown != 0 || (base & ~static_cast<u64>(0x76)) != 0) {
    *why = "Protect " + Hex(protect) + " has bits no MmMapIoSpaceEx protection defines";
    return std::nullopt;
  }
  if (bases != 1) {
    *why = "Protect " + Hex(protect) + " has " + std::to_string(bases) +
           " base protections; exactly one of PAGE_READONLY, PAGE_READWRITE, PAGE_EXECUTE, "
           "PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE is required";
    return std::nullopt;
  }
  if (modifiers == (kPageNoCache | kPageWriteCombine)) {
    *why = "Protect " + Hex(protect) + " combines PAGE_NOCACHE and PAGE_WRITECOMBINE";
    return std::nullopt;
  }
  if (modifiers == kPageNoCache) return kMmNonCached;
  if (modifiers == kPageWriteCombine) return kMmWriteCombined;
  return kMmCached;
}

}  // namespace

// The part MmMapIoSpace and MmMapIoSpaceEx share once the caching type is known.
static u64 MmMapCommon(Machine::State& s, u64 pa, u64 n, u32 cache, bool readable, bool writable) {
  if (PhysOverflows(pa, n)) return 0;
  if (s.phys.OverlapsRam(pa, n)) {
    s.Violation(RuleId::MmIoMapRam, [&] {
      return "physical range [" + Hex(pa) + ", " + Hex(pa + n) + ") overlaps RAM owned by the memory manager";
    });
    return 0;
  }
  // A mapping made while a start IRP (or KMDF's EvtDevicePrepareHardware)
  // runs belongs to that device for the LEAK rule; the owner stays 0 because
  // MmUnmapIoSpace takes no device.
  u64 device =
      s.cb == Callback::StartDevice || s.cb == Callback::EvtDevicePrepareHardware ? s.cb_object : 0;
  families::MapFail why;
  Mapping* m = families::MapPhysical(s,
                                     {Family::MmIo, 0, Region::System, 0, PhysSpace::Memory, pa, n, n, cache,
                                      readable, writable, RuleId::MmIoCacheConflict, device},
                                     &why);
  return m ? m->v.base : 0;
}

u64 Machine::MmMapIoSpace(u64 PhysicalAddress, u64 NumberOfBytes, u64 CacheType) {
  State& s = *s_;
  if (!s.Begin(CallId::MmMapIoSpace, {PhysicalAddress, NumberOfBytes, CacheType})) return 0;
  if (!families::CheckIrql(s, CallId::MmMapIoSpace,
                           DDIMAP_MUTANT(mm_map_irql_high) ? kHighLevel : families::IrqlBound(CallId::MmMapIoSpace)))
    return 0;
  if (NumberOfBytes == 0) {
    s.Violation(RuleId::MmIoZeroLength, [&] { return "NumberOfBytes is 0"; });
    return 0;
  }
  if (CacheType > kMmWriteCombined) {
    s.Violation(RuleId::MmIoBadCacheType, [&] {
      return "CacheType " + std::to_string(CacheType) +
             (CacheType < kMmMaximumCacheType ? " is reserved for system use" : " is not below MmMaximumCacheType");
    });
    return 0;
  }
  return MmMapCommon(s, PhysicalAddress, NumberOfBytes, static_cast<u32>(CacheType), true, true);
}

u64 Machine::MmMapIoSpaceEx(u64 PhysicalAddress, u64 NumberOfBytes, u64 Protect) {
  State& s = *s_;
  if (!s.Begin(CallId::MmMapIoSpaceEx, {PhysicalAddress, NumberOfBytes, Protect})) return 0;
  if (!families::CheckIrql(s, CallId::MmMapIoSpaceEx,
                           DDIMAP_MUTANT(mm_map_irql_high) ? kHighLevel : families::IrqlBound(CallId::MmMapIoSpaceEx)))
    return 0;
  if (NumberOfBytes == 0) {
    s.Violation(RuleId::MmIoZeroLength, [&] { return "NumberOfBytes is 0"; });
    return 0;
  }
  std::string why;
  auto cache = CacheFromProtect(Protect, &why);
  if (!cache) {
    s.Violation(RuleId::MmIoBadProtect, [&] { return why; });
    return 0;
  }
  // MmMapIoSpaceEx, Parameters (Protect): PAGE_EXECUTE can be neither read nor
  // written; PAGE_READONLY and PAGE_EXECUTE_READ read only; the others both.
  bool readable = (Protect & (kPageReadOnly | kPageReadWrite | kPageExecuteRead | kPageExecuteReadWrite)) != 0;
  bool writable = DDIMAP_MUTANT(mm_ex_readonly_writable) || (Protect & (kPageReadWrite | kPageExecuteReadWrite)) != 0;
  return MmMapCommon(s, PhysicalAddress, NumberOfBytes, *cache, readable, writable);
}

void Machine::MmUnmapIoSpace(u64 BaseAddress, u64 NumberOfBytes) {
  State& s = *s_;
  if (!s.Begin(CallId::MmUnmapIoSpace, {BaseAddress, NumberOfBytes})) return;
  if (!families::CheckIrql(s, CallId::MmUnmapIoSpace)) return;
  if (s.irql > (DDIMAP_MUTANT(mm_unmap_verifier_threshold) ? kPassiveLevel : kApcLevel))
    s.Violation(RuleId::MmIoUnmapIrqlVerifier, [&] {
      return "called at IRQL " + std::to_string(s.irql) + "; Driver Verifier requires <= APC_LEVEL";
    });
  Mapping* m = families::CheckUnmapAddress(s, BaseAddress, Family::MmIo, std::nullopt, kUnmapRules);
  if (!m) return;
  if (m->v.length != NumberOfBytes && !DDIMAP_MUTANT(mm_unmap_length_ignored)) {
    s.Violation(RuleId::MmIoUnmapLengthMismatch, [&] {
      return "NumberOfBytes " + Hex(NumberOfBytes) + " differs from the mapped length " + Hex(m->v.length);
    }, m);
    return;
  }
  s.ReleaseMapping(*m);
}

void families::MmIoLeaks(Machine::State& s, u64 device, std::string_view when) {
  std::size_t live = device == 0 ? s.driver_mm_mappings : (s.FindWdm(device) ? s.FindWdm(device)->live_mappings : 0);
  if (live == 0) return;
  s.LeakMappings(
      RuleId::MmIoLeak, [&](const Mapping& m) { return m.v.family == Family::MmIo && m.start_device == device; },
      when);
}

}  // namespace ddimap
