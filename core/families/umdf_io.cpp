// UMDF 1.x: IWDFDevice3::MapIoSpace / UnmapIoSpace / GetHardwareRegisterMappedAddress
// and the register helpers (docs/contracts.md). UMDF drivers run in user mode, so IRQL
// does not apply; the UMDF verifier would end the host process, the core
// reports and refuses instead.
#include "families/common.hpp"
#include "families/families.hpp"
#include "mutants/mutant.hpp"

namespace ddimap {
namespace {

constexpr families::UnmapRules kUnmapRules{
    RuleId::UmdfIoUnmapNotMapped, RuleId::UmdfIoUnmapInterior, RuleId::UmdfIoUnmapDouble,
    RuleId::UmdfIoUnmapOtherOwner, RuleId::UmdfIoUnmapOtherFamily};

constexpr u32 kMinVersion = 0x1000B;  // 1.11
constexpr u32 kMaxVersion = 0x20000;  // 2.0, exclusive

std::string VersionText(u32 v) { return std::to_string(v >> 16) + "." + std::to_string(v & 0xFFFF); }

// BAD_DEVICE and VERSION, shared by every IWDFDevice3 method.
UmdfDevice* CheckDevice(Machine::State& s, u64 This) {
  UmdfDevice* d = s.FindUmdf(This);
  if (!d) {
    s.Violation(RuleId::UmdfIoBadDevice, [&] { return "This " + Hex(This) + " is not a UMDF device"; });
    return nullptr;
  }
  if (d->version < kMinVersion || d->version >= kMaxVersion + (DDIMAP_MUTANT(umdf_version_2_0_accepted) ? 1 : 0)) {
    s.Violation(RuleId::UmdfIoVersion, [&] {
      return "device " + Hex(This) + " runs UMDF " + VersionText(d->version) +
             "; IWDFDevice3 I/O-space mapping needs 1.11 <= version < 2.0";
    });
    return nullptr;
  }
  return d;
}

}  // namespace

HResult Machine::UmdfMapIoSpace(u64 This, u64 PhysicalAddress, u64 NumberOfBytes, u64 CacheType,
                                u64* pPseudoBaseAddress) {
  State& s = *s_;
  auto fail = [&](HResult hr) {
    if (pPseudoBaseAddress) *pPseudoBaseAddress = 0;
    return hr;
  };
  if (!s.Begin(CallId::UmdfMapIoSpace, {This, PhysicalAddress, NumberOfBytes, CacheType, 0},
               pPseudoBaseAddress ? 0 : (1u << 4)))
    return fail(kEInvalidArg);
  UmdfDevice* d = CheckDevice(s, This);
  if (!d) return fail(kEInvalidArg);
  if (!d->direct_access) {
    s.Violation(RuleId::UmdfIoDirectAccess, [&] {
      return "device " + Hex(This) + " lacks UmdfDirectHardwareAccess = AllowDirectHardwareAccess in its INF";
    });
    return fail(kEInvalidArg);
  }
  if (!pPseudoBaseAddress) {
    s.Violation(RuleId::CommonNullPointer, [&] { return "pPseudoBaseAddress is NULL"; });
    return fail(kEInvalidArg);
  }
  if (s.cb != Callback::OnPrepareHardware || s.cb_object != This) {
    s.Violation(RuleId::UmdfIoMapContext, [&] {
      return "called in " + std::string(CallbackName(s.cb)) +
             ", not in OnPrepareHardware of " + Hex(This);
    });
    return fail(kEInvalidArg);
  }
  if (PhysicalAddress == 0 || NumberOfBytes == 0 || CacheType > kMmWriteCombined) {
    s.Violation(RuleId::UmdfIoMapArgs, [&] {
      return PhysicalAddress == 0 ? "PhysicalAddress is 0"
             : NumberOfBytes == 0 ? "NumberOfBytes is 0"
             : "CacheType " + std::to_string(CacheType) +
             " is not MmNonCached, MmCached or MmWriteCombined";
    });
    return fail(kEInvalidArg);
  }
  const ResourceRange* res = PhysOverflows(PhysicalAddress, NumberOfBytes)
                                 ? nullptr
                                 : families::FindResource(s, This, PhysSpace::Memory, PhysicalAddress, NumberOfBytes);
  if (!res) {
    s.Violation(RuleId::UmdfIoOutsideResource, [&] {
      return "physical range at " + Hex(PhysicalAddress) + " of " + Hex(NumberOfBytes) +
             " bytes is not inside one memory resource assigned to " + Hex(This);
    });
    return fail(kEInvalidArg);
  }
  if (auto it = d->mapped.find(res->start); it != d->mapped.end() && !DDIMAP_MUTANT(umdf_duplicate_mapping_missed)) {
    const Mapping* other = s.maps.FindLive(it->second);
    s.Violation(RuleId::UmdfIoDuplicateMapping, [&] {
      return "the resource at " + Hex(res->start) + " is already mapped at " + Hex(other->v.base);
    }, other);
    return fail(kEInvalidArg);
  }
  families::MapFail why;
  Mapping* m = families::MapPhysical(s,
                                     {Family::UmdfIo, This, Region::Pseudo, 0, PhysSpace::Memory, PhysicalAddress,
                                      NumberOfBytes, NumberOfBytes, static_cast<u32>(CacheType), true,
                                      true, RuleId::MmIoCacheConflict, 0},
                                     &why);
  if (!m) return fail(why == families::MapFail::Conflict ? kEInvalidArg : kEOutOfMemory);
  m->resource_start = res->start;
  u64 pseudo_page = m->v.va_page;
  d->mapped.emplace(res->start, pseudo_page);
  u64 base = m->v.base;
  if (d->mode == RegisterAccess::UsingUserModeMapping) {
    // The register block is also mapped into the driver host's address space.
    auto va = s.Reserve(Region::User, m->v.extent);
    if (!va) {
      s.DiscardMapping(pseudo_page);  // never handed out: no quarantine, no trace
      return fail(kEOutOfMemory);
    }
    MappingView view = m->v;
    view.va_page = *va;
    view.base = *va + (PhysicalAddress & kPageMask);
    view.region = Region::User;
    view.user_view = true;
    s.AddMapping(view, 0, pseudo_page);
    s.maps.FindLive(pseudo_page)->view_va = *va;
  }
  *pPseudoBaseAddress = base;
  return kSOk;
}

void Machine::UmdfUnmapIoSpace(u64 This, u64 PseudoBaseAddress, u64 NumberOfBytes) {
  State& s = *s_;
  if (!s.Begin(CallId::UmdfUnmapIoSpace, {This, PseudoBaseAddress, NumberOfBytes})) return;
  if (!CheckDevice(s, This)) return;
  if (((s.cb != Callback::OnReleaseHardware || DDIMAP_MUTANT(umdf_release_unmap_rejected)) &&
       s.cb != Callback::OnPrepareHardware) ||
      s.cb_object != This) {
    s.Violation(RuleId::UmdfIoUnmapContext, [&] {
      return "called in " + std::string(CallbackName(s.cb)) +
             ", not in OnReleaseHardware (or OnPrepareHardware) of " + Hex(This);
    });
    return;
  }
  Mapping* m = families::CheckUnmapAddress(
      s, PseudoBaseAddress, Family::UmdfIo,
      DDIMAP_MUTANT(umdf_unmap_other_owner_accepted) ? std::nullopt : std::optional<u64>(This), kUnmapRules);
  if (!m) return;
  if (m->v.length != NumberOfBytes) {
    s.Violation(RuleId::UmdfIoUnmapLengthMismatch, [&] {
      return "NumberOfBytes " + Hex(NumberOfBytes) + " differs from the mapped length " + Hex(m->v.length);
    }, m);
    return;
  }
  s.ReleaseMapping(*m);
}

u64 Machine::UmdfGetHardwareRegisterMappedAddress(u64 This, u64 PseudoBaseAddress) {
  State& s = *s_;
  if (!s.Begin(CallId::UmdfGetHardwareRegisterMappedAddress, {This, PseudoBaseAddress})) return 0;
  UmdfDevice* d = CheckDevice(s, This);
  if (!d) return 0;
  if (d->mode != RegisterAccess::UsingUserModeMapping) {
    s.Violation(RuleId::UmdfIoNoUserMapping, [&] {
      return "device " + Hex(This) + " uses RegisterAccessUsingSystemCall; no user-mode mapping exists";
    });
    return 0;
  }
  AddressLookup l = s.maps.Lookup(PseudoBaseAddress);
  if (l.kind != AddressLookup::Base || l.mapping->v.family != Family::UmdfIo ||
      (l.mapping->v.owner != This && !DDIMAP_MUTANT(umdf_hw_address_wrong_owner)) ||
      l.mapping->view_va == 0) {
    s.Violation(RuleId::UmdfIoNoUserMapping, [&] {
      return s.DescribeAddress(PseudoBaseAddress, l) + "; not a live pseudo base of " + Hex(This);
    }, l.mapping);
    return 0;
  }
  return s.maps.FindLive(l.mapping->view_va)->v.base;
}

static CallId UmdfAccessCall(bool write, unsigned width) {
  switch (width) {
    case 1: return write ? CallId::UmdfWriteUchar : CallId::UmdfReadUchar;
    case 2: return write ? CallId::UmdfWriteUshort : CallId::UmdfReadUshort;
    case 4: return write ? CallId::UmdfWriteUlong : CallId::UmdfReadUlong;
    default: return write ? CallId::UmdfWriteUlong64 : CallId::UmdfReadUlong64;
  }
}

u64 Machine::UmdfReadRegister(u64 This, u64 address, unsigned width) {
  State& s = *s_;
  if (!s.Begin(UmdfAccessCall(false, width), {This, address}) || !families::ValidWidth(width)) return 0;
  if (!s.FindUmdf(This)) {
    s.Violation(RuleId::UmdfIoBadDevice, [&] { return "This " + Hex(This) + " is not a UMDF device"; });
    return 0;
  }
  const Mapping* m = families::CheckAccess(s, address, width, false, This);
  return m ? families::LoadThrough(s, *m, address, width) : 0;
}

void Machine::UmdfWriteRegister(u64 This, u64 address, unsigned width, u64 value) {
  State& s = *s_;
  if (!s.Begin(UmdfAccessCall(true, width), {This, address, value}) || !families::ValidWidth(width)) return;
  if (!s.FindUmdf(This)) {
    s.Violation(RuleId::UmdfIoBadDevice, [&] { return "This " + Hex(This) + " is not a UMDF device"; });
    return;
  }
  if (const Mapping* m = families::CheckAccess(s, address, width, true, This))
    families::StoreThrough(s, *m, address, width, value);
}

void families::UmdfIoLeaks(Machine::State& s, u64 device, std::string_view when) {
  UmdfDevice* d = s.FindUmdf(device);
  if (!d || d->live_mappings == 0) return;
  s.LeakMappings(
      RuleId::UmdfIoLeak, [&](const Mapping& m) { return m.v.family == Family::UmdfIo && m.v.owner == device; },
      when);
}

}  // namespace ddimap
