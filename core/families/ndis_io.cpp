// NDIS miniport I/O space: NdisMMapIoSpace / NdisMUnmapIoSpace (docs/contracts.md).
#include "families/common.hpp"
#include "families/families.hpp"
#include "mutants/mutant.hpp"

namespace ddimap {
namespace {

constexpr families::UnmapRules kUnmapRules{
    RuleId::NdisIoUnmapNotMapped, RuleId::NdisIoUnmapInterior, RuleId::NdisIoUnmapDouble,
    RuleId::NdisIoUnmapOtherOwner, RuleId::NdisIoUnmapOtherFamily};

// The handle is live from entering MiniportInitializeEx until the adapter is
// halted (or its initialization failed).
bool AdapterLive(const Adapter* a) {
  return a && (a->state == AdapterState::Initializing || a->state == AdapterState::Running ||
               a->state == AdapterState::Halting);
}

std::string BadHandleEvidence(Machine::State& s, u64 h) {
  Adapter* a = s.FindAdapter(h);
  if (!a) return "MiniportAdapterHandle " + Hex(h) + " is not an adapter handle";
  if (a->state == AdapterState::Created)
    return "adapter " + Hex(h) + " has not entered MiniportInitializeEx yet";
  return "adapter " + Hex(h) + " is halted";
}

}  // namespace

NdisStatus Machine::NdisMMapIoSpace(u64* VirtualAddress, u64 MiniportAdapterHandle, u64 PhysicalAddress,
                                    u32 Length) {
  State& s = *s_;
  auto fail = [&](NdisStatus st) {
    if (VirtualAddress) *VirtualAddress = 0;
    return st;
  };
  if (!s.Begin(CallId::NdisMMapIoSpace, {0, MiniportAdapterHandle, PhysicalAddress, Length},
               VirtualAddress ? 0 : 1))
    return fail(kNdisStatusFailure);
  if (!families::CheckIrql(s, CallId::NdisMMapIoSpace,
                           DDIMAP_MUTANT(ndis_map_irql_dispatch) ? kDispatchLevel
                                                                 : families::IrqlBound(CallId::NdisMMapIoSpace)))
    return fail(kNdisStatusFailure);
  Adapter* a = s.FindAdapter(MiniportAdapterHandle);
  if (!AdapterLive(a)) {
    s.Violation(RuleId::NdisIoBadHandle, [&] { return BadHandleEvidence(s, MiniportAdapterHandle); });
    return fail(kNdisStatusFailure);
  }
  if (!VirtualAddress) {
    s.Violation(RuleId::CommonNullPointer, [&] {
      return "VirtualAddress (the out-pointer for the mapped address) is NULL";
    });
    return fail(kNdisStatusFailure);
  }
  if ((s.cb != Callback::MiniportInitializeEx || s.cb_object != MiniportAdapterHandle) &&
      !DDIMAP_MUTANT(ndis_map_context_dropped)) {
    s.Violation(RuleId::NdisIoMapContext, [&] {
      return "called in " + std::string(CallbackName(s.cb)) +
             (s.cb_object ? " of " + Hex(s.cb_object) : std::string()) +
             ", not in MiniportInitializeEx of " + Hex(MiniportAdapterHandle);
    });
    return fail(kNdisStatusFailure);
  }
  if (Length == 0 || PhysOverflows(PhysicalAddress, Length)) return fail(kNdisStatusFailure);
  if (s.phys.OverlapsRam(PhysicalAddress, Length)) {
    s.Violation(RuleId::NdisIoMapRam, [&] {
      return "physical range [" + Hex(PhysicalAddress) + ", " +
             Hex(PhysicalAddress + Length) + ") overlaps RAM";
    });
    return fail(kNdisStatusFailure);
  }
  if (!families::FindResource(s, MiniportAdapterHandle, PhysSpace::Memory, PhysicalAddress, Length))
    return fail(kNdisStatusResourceConflict);
  families::MapFail why;
  Mapping* m = families::MapPhysical(
      s, {Family::NdisIo, MiniportAdapterHandle, Region::System, 0, PhysSpace::Memory, PhysicalAddress, Length,
          Length, kMmNonCached, true, true, RuleId::MmIoCacheConflict},
      &why);
  if (!m) return fail(why == families::MapFail::Conflict ? kNdisStatusFailure : kNdisStatusResources);
  *VirtualAddress = m->v.base;
  return kNdisStatusSuccess;
}

void Machine::NdisMUnmapIoSpace(u64 MiniportAdapterHandle, u64 VirtualAddress, u32 Length) {
  State& s = *s_;
  if (!s.Begin(CallId::NdisMUnmapIoSpace, {MiniportAdapterHandle, VirtualAddress, Length})) return;
  if (!families::CheckIrql(s, CallId::NdisMUnmapIoSpace)) return;
  if (!AdapterLive(s.FindAdapter(MiniportAdapterHandle))) {
    s.Violation(RuleId::NdisIoBadHandle, [&] { return BadHandleEvidence(s, MiniportAdapterHandle); });
    return;
  }
  if ((s.cb != Callback::MiniportInitializeEx &&
       (s.cb != Callback::MiniportHaltEx || DDIMAP_MUTANT(ndis_halt_unmap_rejected))) ||
      s.cb_object != MiniportAdapterHandle) {
    s.Violation(RuleId::NdisIoUnmapContext, [&] {
      return "called in " + std::string(CallbackName(s.cb)) +
             (s.cb_object ? " of " + Hex(s.cb_object) : std::string()) +
             ", not in MiniportInitializeEx or MiniportHaltEx of " + Hex(MiniportAdapterHandle);
    });
    return;
  }
  Mapping* m = families::CheckUnmapAddress(
      s, VirtualAddress, Family::NdisIo,
      DDIMAP_MUTANT(ndis_unmap_other_owner_accepted) ? std::nullopt : std::optional<u64>(MiniportAdapterHandle),
      kUnmapRules);
  if (!m) return;
  if (m->v.length != Length) {
    s.Violation(RuleId::NdisIoUnmapLengthMismatch, [&] {
      return "Length " + Hex(Length) + " differs from the mapped Length " + Hex(m->v.length);
    }, m);
    if (!DDIMAP_MUTANT(ndis_length_refusal_unmaps)) return;
  }
  s.ReleaseMapping(*m);
}

void families::NdisIoLeaks(Machine::State& s, u64 adapter, std::string_view when) {
  Adapter* a = s.FindAdapter(adapter);
  if (!a || a->live_mappings == 0) return;
  s.LeakMappings(
      RuleId::NdisIoLeak,
      [&](const Mapping& m) { return m.v.family == Family::NdisIo && m.v.owner == adapter; }, when);
}

}  // namespace ddimap
