#include "families/common.hpp"
#include "families/families.hpp"
#include "mutants/mutant.hpp"

namespace ddimap::families {

namespace {
const char* LevelName(u8 irql) {
  switch (irql) {
    case kPassiveLevel: return "PASSIVE_LEVEL";
    case kApcLevel: return "APC_LEVEL";
    case kDispatchLevel: return "DISPATCH_LEVEL";
    default: return "HIGH_LEVEL";
  }
}
}  // namespace

void ReportIrql(Machine::State& s, CallId id, u8 bound) {
  s.Violation(Call(id).irql_rule,
              [&] { return "called at IRQL " + std::to_string(s.irql) + ", above " + LevelName(bound); });
}

Mapping* CheckUnmapAddress(Machine::State& s, u64 address, Family family, std::optional<u64> owner,
                           const UnmapRules& rules) {
  AddressLookup l = s.maps.Lookup(address);
  if (l.kind == AddressLookup::Nothing) {
    if (const PortRange* r = LivePortRange(s, address)) {
      s.ViolationWithRecords(rules.other_family, [&] {
        return "address " + Hex(address) + " is the live NDIS port range [" + Hex(r->initial) + ", " +
               Hex(r->initial + r->count) + ") registered by NdisMRegisterIoPortRange";
      }, &r->created, nullptr);
      return nullptr;
    }
  }
  if (l.kind == AddressLookup::Nothing || l.kind == AddressLookup::Guard || l.kind == AddressLookup::ReleasedGuard) {
    s.Violation(rules.not_mapped, [&] { return s.DescribeAddress(address, l); }, l.mapping);
    return nullptr;
  }
  const Mapping* m = l.mapping;
  if (m->parent_va != 0) {
    s.Violation(rules.not_mapped, [&] {
      return "address " + Hex(address) + " is the user-mode view of a UMDF mapping, not a mapped base";
    }, m);
    return nullptr;
  }
  if (l.kind == AddressLookup::Released) {
    auto evidence = [&] { return s.DescribeAddress(address, l); };
    if (DDIMAP_MUTANT(report_released_dropped))
      s.ViolationWithRecords(rules.double_unmap, evidence, &m->created, nullptr);
    else
      s.Violation(rules.double_unmap, evidence, m);
    return nullptr;
  }
  if (m->v.family != family) {
    s.Violation(rules.other_family, [&] { return s.DescribeAddress(address, l); }, m);
    return nullptr;
  }
  if (owner && *owner != m->v.owner) {
    s.Violation(rules.other_owner, [&] { return s.DescribeAddress(address, l) + ", not of " + Hex(*owner); }, m);
    return nullptr;
  }
  if (l.kind == AddressLookup::Interior && !rules.interior_releases && !DDIMAP_MUTANT(unmap_interior_accepted)) {
    s.Violation(rules.interior, [&] { return s.DescribeAddress(address, l); }, m);
    return nullptr;
  }
  return &s.maps.Writable(*m);
}

static const Mapping* FindCacheConflict(const Machine::State& s, u64 ps, u64 pe, u32 cache) {
  for (const auto& [k, m] : s.maps.live()) {
    if (m.parent_va != 0 || m.v.family == Family::NdisFile || m.v.space != PhysSpace::Memory) continue;
    u64 ms = PageFloor(m.v.phys);
    if (m.v.cache != cache && ms < pe && ps < ms + m.v.extent) return &m;
  }
  return nullptr;
}

Mapping* MapPhysical(Machine::State& s, const MapRequest& r, MapFail* fail) {
  u64 offset = r.pa & kPageMask;
  u64 extent = PageCeil(offset + r.length);  // no overflow: pa + length <= kPhysTop
  if (r.space == PhysSpace::Memory) {
    u64 ps = PageFloor(r.pa);
    if (s.phys.CacheConflict(ps, ps + extent, r.cache) && !DDIMAP_MUTANT(cache_conflict_missed)) {
      const Mapping* other = FindCacheConflict(s, ps, ps + extent, r.cache);
      s.Violation(r.conflict_rule, [&] {
        std::string ev = "physical range [" + Hex(r.pa) + ", " + Hex(r.pa + r.length) + ") requested as " +
                         std::string(CacheTypeName(r.cache));
        if (other)
          ev += "; page(s) already mapped " + std::string(CacheTypeName(other->v.cache)) + " by the live " +
                std::string(FamilyName(other->v.family)) + " mapping at " + Hex(other->v.base);
        return ev;
      }, other);
      *fail = MapFail::Conflict;
      return nullptr;
    }
  }
  // A failure injected here is what running out of address space looks like.
  auto va = InjectFault(s) ? std::optional<u64>() : s.Reserve(r.region, extent);
  if (!va) {
    *fail = MapFail::NoSpace;
    return nullptr;
  }
  *fail = MapFail::None;
  return &s.AddMapping(MappingView{*va + offset, r.length, r.access_length, *va, extent, r.family, r.owner,
                                   r.process, r.region, r.space, r.pa, r.cache, r.readable, r.writable, false, 0},
                       r.start_device);
}

const ResourceRange* FindResource(const Machine::State& s, u64 owner, PhysSpace space, u64 pa, u64 len) {
  for (const auto& res : s.resources)
    if (res.owner == owner && res.space == space &&
        Inside(pa, len, res.start, res.length + (DDIMAP_MUTANT(resource_bound_off_by_one) ? 1 : 0)))
      return &res;
  return nullptr;
}

const Mapping* CheckAccess(Machine::State& s, u64 address, unsigned width, bool write, u64 umdf_device) {
  AddressLookup l = s.maps.Lookup(address);
  const Mapping* m = l.mapping;
  // The evidence prefix, built only when a violation is filed.
  auto what = [&] {
    return std::string(write ? "write" : "read") + " of " + std::to_string(width) + " byte(s) at " + Hex(address);
  };
  switch (l.kind) {
    case AddressLookup::Nothing:
      s.Violation(RuleId::AccessUnmapped, [&] { return what() + ": address was never mapped"; });
      return nullptr;
    case AddressLookup::Released:
    case AddressLookup::ReleasedGuard:
      s.Violation(RuleId::AccessUseAfterUnmap, [&] { return what() + ": " + s.DescribeAddress(address, l); }, m);
      return nullptr;
    default: break;
  }
  const MappingView& v = m->v;
  // The register helpers translate a pseudo address of their own device; any
  // other live address is not a register of that device, whatever its bounds.
  if (umdf_device != 0 && (v.region != Region::Pseudo || v.owner != umdf_device)) {
    s.Violation(RuleId::AccessUnmapped, [&] {
      return what() + ": not a pseudo address of " + Hex(umdf_device) + "; " + s.DescribeAddress(address, l);
    }, m);
    return nullptr;
  }
  bool inside = address >= v.base && width <= v.access_length && address - v.base <= v.access_length - width;
  if (!inside) {
    s.Violation(RuleId::AccessOutOfBounds, [&] {
      return what() + " is outside [" + Hex(v.base) + ", " + Hex(v.base + v.access_length) + ") of the live " +
             std::string(FamilyName(v.family)) + " mapping";
    }, m);
    return nullptr;
  }
  if (v.region == Region::Pseudo && umdf_device == 0) {
    s.Violation(RuleId::AccessPseudoDeref, [&] {
      return what() + ": " + Hex(address) + " is a UMDF pseudo address; use the READ_/WRITE_REGISTER helpers";
    }, m);
    return nullptr;
  }
  if (v.region == Region::User && v.process != 0 && v.process != s.cur_process &&
      !DDIMAP_MUTANT(access_wrong_process_missed)) {
    s.Violation(RuleId::AccessWrongProcess, [&] {
      return what() + ": user mapping of process " + Hex(v.process) + " touched from " +
             (s.cur_process ? "process " + Hex(s.cur_process) : std::string("system context"));
    }, m);
    return nullptr;
  }
  if (write && !v.writable) {
    s.Violation(RuleId::AccessReadOnly, [&] { return what() + ": the mapping was made without write permission"; }, m);
    return nullptr;
  }
  if (!write && !v.readable && !DDIMAP_MUTANT(execute_only_readable)) {
    s.Violation(RuleId::AccessNotReadable, [&] { return what() + ": the mapping was made without read permission"; },
                m);
    return nullptr;
  }
  return m;
}

static u8 LoadFileByte(Machine::State& s, const Mapping& m, u64 off) {
  auto it = s.files.find(m.file);
  return it != s.files.end() && off < it->second.size() ? it->second.Byte(off) : 0;
}

u64 LoadThrough(Machine::State& s, const Mapping& m, u64 address, unsigned width) {
  u64 off = address - m.v.base;
  if (m.v.family != Family::NdisFile) {  // device memory: a page at a time
    if (DDIMAP_MUTANT(video_user_alias_broken) && m.v.process != 0) return 0;
    return s.phys.Load(m.v.space, m.v.phys + off, width);
  }
  u64 value = 0;
  for (unsigned i = 0; i < width; ++i) value |= static_cast<u64>(LoadFileByte(s, m, off + i)) << (8 * i);
  return value;
}

void StoreThrough(Machine::State& s, const Mapping& m, u64 address, unsigned width, u64 value) {
  u64 off = address - m.v.base;
  if (m.v.family != Family::NdisFile) return s.phys.Store(m.v.space, m.v.phys + off, width, value);
  for (unsigned i = 0; i < width; ++i) {
    auto it = s.files.find(m.file);
    if (it != s.files.end() && off + i < it->second.size())
      it->second.SetByte(off + i, static_cast<u8>(value >> (8 * i)));
  }
}

}  // namespace ddimap::families
