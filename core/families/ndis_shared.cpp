// NDIS shared memory: NdisMAllocateSharedMemory / NdisMFreeSharedMemory (docs/contracts.md).
#include <algorithm>
#include <optional>

#include "families/common.hpp"
#include "families/families.hpp"
#include "mutants/mutant.hpp"

namespace ddimap {
namespace {

constexpr families::UnmapRules kFreeRules{
    RuleId::NdisSharedFreeNotMapped, RuleId::NdisSharedFreeInterior, RuleId::NdisSharedFreeDouble,
    RuleId::NdisSharedFreeOtherOwner, RuleId::NdisSharedFreeOtherFamily};

// Physical page 0 is never handed out: 0 is what *PhysicalAddress holds on failure.
constexpr u64 kLowestShared = kPageSize;

bool AdapterLive(const Adapter* a) {
  return a && (a->state == AdapterState::Initializing || a->state == AdapterState::Running ||
               a->state == AdapterState::Halting);
}

bool CheckAdapter(Machine::State& s, u64 h) {
  const Adapter* a = s.FindAdapter(h);
  if (AdapterLive(a)) return true;
  s.Violation(RuleId::NdisIoBadHandle, [&] {
    if (!a) return "MiniportAdapterHandle " + Hex(h) + " is not an adapter handle";
    if (a->state == AdapterState::Created) return "adapter " + Hex(h) + " has not entered MiniportInitializeEx yet";
    return "adapter " + Hex(h) + " is halted";
  });
  return false;
}

// First fit (docs/semantics.md, NDIS_SHARED): RAM ranges in the order they
// were added, each from its lowest whole page, skipping the pages of live
// allocations. Released allocations give their pages back at once: the RAM is
// free, only the virtual range waits in the quarantine.
std::optional<u64> FindRam(const Machine::State& s, u64 extent) {
  for (const PhysRange& r : s.phys.ram()) {
    u64 pa = std::max(PageCeil(r.start), kLowestShared);
    for (bool moved = true; moved;) {
      moved = false;
      for (const auto& [k, m] : s.maps.live()) {
        if (m.v.family != Family::NdisShared) continue;
        const u64 ms = m.v.phys, me = m.v.phys + m.v.extent;
        if (ms < pa + extent && pa < me) {
          pa = me;
          moved = true;
        }
      }
    }
    if (pa >= r.start && pa - r.start <= r.length && extent <= r.length - (pa - r.start)) return pa;
  }
  return std::nullopt;
}

}  // namespace

void Machine::NdisMAllocateSharedMemory(u64 MiniportAdapterHandle, u32 Length, bool Cached, u64* VirtualAddress,
                                        u64* PhysicalAddress) {
  State& s = *s_;
  auto fail = [&] {
    if (VirtualAddress) *VirtualAddress = 0;
    if (PhysicalAddress) *PhysicalAddress = 0;
  };
  const u8 nulls = (VirtualAddress ? 0 : 1u << 3) | (PhysicalAddress ? 0 : 1u << 4);
  if (!s.Begin(CallId::NdisMAllocateSharedMemory, {MiniportAdapterHandle, Length, Cached, 0, 0}, nulls)) return fail();
  if (!families::CheckIrql(s, CallId::NdisMAllocateSharedMemory) || !CheckAdapter(s, MiniportAdapterHandle))
    return fail();
  if (nulls) {
    s.Violation(RuleId::CommonNullPointer, [&] {
      return std::string(!VirtualAddress ? "VirtualAddress" : "PhysicalAddress") + " (an out-pointer) is NULL";
    });
    return fail();
  }
  if (Length == 0) return fail();
  const u64 extent = PageCeil(Length);
  const std::optional<u64> pa = FindRam(s, extent);
  if (!pa) return fail();
  families::MapFail why;
  // Cached is ignored: x86 and x64 always use cached memory (NdisMAllocateSharedMemory, Parameters).
  Mapping* m = families::MapPhysical(s,
                                     {Family::NdisShared, MiniportAdapterHandle, Region::System, 0, PhysSpace::Memory,
                                      *pa, Length, Length, kMmCached, true, true, RuleId::MmIoCacheConflict, 0},
                                     &why);
  if (!m) return fail();
  m->shared_cached = Cached;
  *VirtualAddress = m->v.base;
  *PhysicalAddress = *pa;
}

void Machine::NdisMFreeSharedMemory(u64 MiniportAdapterHandle, u32 Length, bool Cached, u64 VirtualAddress,
                                    u64 PhysicalAddress) {
  State& s = *s_;
  if (!s.Begin(CallId::NdisMFreeSharedMemory, {MiniportAdapterHandle, Length, Cached, VirtualAddress, PhysicalAddress}))
    return;
  if (!families::CheckIrql(s, CallId::NdisMFreeSharedMemory) || !CheckAdapter(s, MiniportAdapterHandle)) return;
  Mapping* m = families::CheckUnmapAddress(s, VirtualAddress, Family::NdisShared, MiniportAdapterHandle, kFreeRules);
  if (!m) return;
  // The page asks for the allocation's exact parameters; a free that repeats
  // them wrongly would release memory NDIS does not recognise, so it is refused.
  if (m->v.length != Length && !DDIMAP_MUTANT(shared_free_length_ignored)) {
    s.Violation(RuleId::NdisSharedFreeLengthMismatch, [&] {
      return "Length " + Hex(Length) + " differs from the allocated Length " + Hex(m->v.length);
    }, m);
    return;
  }
  if (m->shared_cached != Cached) {
    s.Violation(RuleId::NdisSharedFreeCachedMismatch, [&] {
      return std::string("Cached ") + (Cached ? "TRUE" : "FALSE") + " differs from the allocation's " +
             (m->shared_cached ? "TRUE" : "FALSE");
    }, m);
    return;
  }
  if (m->v.phys != PhysicalAddress) {
    s.Violation(RuleId::NdisSharedFreePhysMismatch, [&] {
      return "PhysicalAddress " + Hex(PhysicalAddress) + " differs from the allocated " + Hex(m->v.phys);
    }, m);
    return;
  }
  s.ReleaseMapping(*m);
}

void families::NdisSharedLeaks(Machine::State& s, u64 adapter, std::string_view when) {
  Adapter* a = s.FindAdapter(adapter);
  if (!a || a->live_mappings == 0) return;
  s.LeakMappings(
      RuleId::NdisSharedLeak,
      [&](const Mapping& m) { return m.v.family == Family::NdisShared && m.v.owner == adapter; }, when);
}

}  // namespace ddimap
