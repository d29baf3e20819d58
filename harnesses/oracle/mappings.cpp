// The address space and the mapping bookkeeping every family shares: physical ranges, the
// next-fit allocator of each virtual region, the one constructor of a mapping record, the
// quarantine, address classification for unmaps and the leak reports.
#include <cstdlib>
#include <optional>

#include "model_internal.hpp"
#include "oracle.hpp"

namespace ddimap::oracle {

using detail::Contains;
using detail::FindBy;

namespace {
constexpr u64 kTopOfPhysical = 0xFFFFFFFFFFFFF000ull;  // sem "overflow"
}  // namespace

// ---------------------------------------------------------------------------
// physical space

bool Model::Overflows(u64 pa, u64 len) {
  // sem: a range overflows when PhysicalAddress + length passes 0xFFFFFFFFFFFFF000.
  return len > kTopOfPhysical || pa > kTopOfPhysical - len;
}

bool Model::TouchesRam(u64 pa, u64 len) const {
  const u64 last = pa + (len - 1);
  for (const auto& r : ram_) {
    const u64 rlast = r.start + (r.length - 1);
    if (r.start <= last && pa <= rlast) return true;
  }
  return false;
}

const Model::Resource* Model::ResourceHolding(u64 owner, PhysSpace space, u64 pa, u64 len) const {
  for (const auto& r : resources_) {
    if (r.owner != owner || r.space != space) continue;
    if (pa >= r.start && pa - r.start <= r.length && len <= r.length - (pa - r.start)) return &r;
  }
  return nullptr;
}

const Model::Mapping* Model::CacheConflict(PhysSpace space, u64 pa, u64 len, u32 cache) const {
  // sem caching: a live mapping of any overlapping physical page with another type; tracked
  // only for Memory-space device mappings (not NDIS_FILE, not views, not Port). The report
  // names the first such mapping in address order (sem "Report format").
  if (space != PhysSpace::Memory) return nullptr;
  const u64 first = pa & ~kPageMask;
  const u64 last = (pa + (len - 1)) & ~kPageMask;
  for (const auto& m : live_) {
    if (m.is_file || m.user_view || m.space != PhysSpace::Memory || m.length == 0) continue;
    const u64 mfirst = m.phys & ~kPageMask;
    const u64 mlast = (m.phys + (m.length - 1)) & ~kPageMask;
    if (mfirst <= last && first <= mlast && m.cache != cache) return &m;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// virtual space: next-fit with a cursor per region (sem "allocation")

Model::VaRegion& Model::RegionOf(Region r) {
  if (r == Region::User) return user_;
  if (r == Region::Pseudo) return pseudo_;
  return system_;
}

u64 Model::ExtentOf(u64 base_offset, u64 length) {
  // whole pages from the page of the first byte to the page of the last
  if (length == 0) return kPageSize;  // sem "Mapping records": NDIS_FILE max(1, ceil(length / 4096))
  const u64 end = base_offset + length;  // callers guarantee no wrap
  return (end + kPageMask) & ~kPageMask;
}

std::optional<u64> Model::Allocate(Region r, u64 extent) {
  VaRegion& g = RegionOf(r);
  auto fits = [&](u64 avail) { return avail >= extent && avail - extent >= kPageSize; };
  std::size_t chosen = g.free.size();
  u64 start = 0;
  // from the block holding the cursor, in address order, each from max(start, cursor)
  for (std::size_t i = 0; i < g.free.size(); ++i) {
    const Range& b = g.free[i];
    const u64 bend = b.start + b.length;
    if (bend <= g.cursor) continue;
    const u64 cand = b.start > g.cursor ? b.start : g.cursor;
    if (fits(bend - cand)) {
      chosen = i;
      start = cand;
      break;
    }
  }
  // wrap: the blocks that start below the cursor, each from its start
  if (chosen == g.free.size()) {
    for (std::size_t i = 0; i < g.free.size(); ++i) {
      const Range& b = g.free[i];
      if (b.start >= g.cursor) continue;
      if (fits(b.length)) {
        chosen = i;
        start = b.start;
        break;
      }
    }
  }
  if (chosen == g.free.size()) return std::nullopt;
  const Range b = g.free[chosen];
  const u64 taken_end = start + extent + kPageSize;
  const u64 bend = b.start + b.length;
  // the block becomes what is left before and after the taken range (zero, one or two blocks)
  const auto at = g.free.begin() + static_cast<std::ptrdiff_t>(chosen);
  if (start > b.start && bend > taken_end) {
    at->length = start - b.start;
    g.free.insert(at + 1, Range{taken_end, bend - taken_end});
  } else if (start > b.start) {
    *at = {b.start, start - b.start};
  } else if (bend > taken_end) {
    *at = {taken_end, bend - taken_end};
  } else {
    g.free.erase(at);
  }
  g.cursor = taken_end;
  return start;
}

void Model::FreeBlock(Region r, u64 start, u64 length) {
  VaRegion& g = RegionOf(r);
  std::size_t pos = 0;
  while (pos < g.free.size() && g.free[pos].start < start) ++pos;
  g.free.insert(g.free.begin() + static_cast<std::ptrdiff_t>(pos), Range{start, length});
  // merge with the next block
  if (pos + 1 < g.free.size() && g.free[pos].start + g.free[pos].length == g.free[pos + 1].start) {
    g.free[pos].length += g.free[pos + 1].length;
    g.free.erase(g.free.begin() + static_cast<std::ptrdiff_t>(pos + 1));
  }
  // merge with the previous block
  if (pos > 0 && g.free[pos - 1].start + g.free[pos - 1].length == g.free[pos].start) {
    g.free[pos - 1].length += g.free[pos].length;
    g.free.erase(g.free.begin() + static_cast<std::ptrdiff_t>(pos));
  }
}

// ---------------------------------------------------------------------------
// mappings

std::optional<Model::Mapping> Model::Place(Mapping wanted) {
  // the base keeps the offset of phys within its page (0 for a file buffer, whose phys is 0)
  const u64 off = wanted.phys & kPageMask;
  const u64 extent = ExtentOf(off, wanted.length);
  const auto page = Allocate(wanted.region, extent);
  if (!page) return std::nullopt;
  wanted.base = *page + off;
  wanted.access_length = wanted.length;
  wanted.va_page = *page;
  wanted.extent = extent;
  return wanted;
}

u64 Model::AddMapping(Mapping m) {
  m.id = next_mapping_id_++;
  ++mapping_changes_;
  if (m.family != Family::MmIo) m.leak_owner = m.owner;
  m.created_seq = seq_;
  // kept in address order; a new mapping usually lands last (next-fit allocation)
  auto pos = live_.end();
  while (pos != live_.begin() && (pos - 1)->va_page > m.va_page) --pos;
  live_.insert(pos, m);
  return m.id;
}

void Model::Evict() {
  // sem quarantine: the oldest is evicted to the free space when one too many arrives
  while (quarantine_.size() > options_.quarantine_capacity) {
    const Mapping old = quarantine_.front();
    quarantine_.erase(quarantine_.begin());
    FreeBlock(old.region, old.va_page, old.extent + kPageSize);
  }
}

void Model::ReleaseOne(u64 id) {
  for (std::size_t i = 0; i < live_.size(); ++i) {
    if (live_[i].id != id) continue;
    Mapping m = live_[i];
    live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(i));
    ++mapping_changes_;
    m.released = true;
    m.released_seq = CallNumber();  // sem "Report format": "released by"
    quarantine_.push_back(m);
    Evict();
    return;
  }
}

void Model::Release(u64 id) {
  const Mapping* m = FindBy(live_, &Mapping::id, id);
  if (!m) return;
  const u64 view = m->view_id;
  ReleaseOne(id);
  // sem: a UMDF user-mode view is released (and quarantined) right after its pseudo mapping
  if (view) ReleaseOne(view);
}

Model::Class Model::Classify(u64 address, const Mapping** found) const {
  // sem "Address classification"; user-mode views count as nothing
  for (const auto& m : live_)
    if (!m.user_view && m.base == address) {
      *found = &m;
      return Class::Exact;
    }
  for (const auto& m : live_)
    if (!m.user_view && Contains(m.va_page, m.extent, address)) {
      *found = &m;
      return Class::Interior;
    }
  for (const auto& m : quarantine_)
    if (!m.user_view && Contains(m.va_page, m.extent, address)) {
      *found = &m;
      return Class::Released;
    }
  *found = nullptr;
  return Class::Nothing;
}

const Model::Mapping* Model::Holder(u64 address) const {
  // sem "allocation": every mapping reserves its extent plus one guard page, and a quarantined one
  // keeps them reserved, so at most one mapping holds any address
  for (const auto* in : {&live_, &quarantine_})
    for (const auto& m : *in)
      if (Contains(m.va_page, m.extent + kPageSize, address)) return &m;
  return nullptr;
}

namespace {
// The rules an unmap call checks before it releases, in this order; a family that does not
// check the owner, an interior address or the length leaves that rule out.
struct UnmapRules {
  RuleId not_mapped, released, other_family;
  std::optional<RuleId> other_owner, interior, length_mismatch;
};

const UnmapRules& UnmapRulesOf(Family family) {
  using enum RuleId;
  // sem MM_IO: MmUnmapIoSpace names no device, so no owner check; sem VIDEO: an interior address
  // releases the whole range, and the call passes no length
  static const UnmapRules kNdisIo{NdisIoUnmapNotMapped, NdisIoUnmapDouble,   NdisIoUnmapOtherFamily,
                                  NdisIoUnmapOtherOwner, NdisIoUnmapInterior, NdisIoUnmapLengthMismatch};
  static const UnmapRules kMmIo{MmIoUnmapNotMapped, MmIoUnmapDouble,   MmIoUnmapOtherFamily,
                                std::nullopt,       MmIoUnmapInterior, MmIoUnmapLengthMismatch};
  static const UnmapRules kUmdfIo{UmdfIoUnmapNotMapped, UmdfIoUnmapDouble,   UmdfIoUnmapOtherFamily,
                                  UmdfIoUnmapOtherOwner, UmdfIoUnmapInterior, UmdfIoUnmapLengthMismatch};
  static const UnmapRules kVideo{VideoUnmapNotMapped, VideoUnmapDouble, VideoUnmapOtherFamily, VideoUnmapOtherOwner,
                                 std::nullopt, std::nullopt};
  // sem VIDEO_BASE: the exact base only, no length; sem NDIS_SHARED: Cached and PhysicalAddress are
  // checked after the length, by the family
  static const UnmapRules kVideoBase{VideoBaseFreeNotMapped, VideoBaseFreeDouble, VideoBaseFreeOtherFamily,
                                     VideoBaseFreeOtherOwner, VideoBaseFreeInterior, std::nullopt};
  static const UnmapRules kNdisShared{NdisSharedFreeNotMapped,  NdisSharedFreeDouble,   NdisSharedFreeOtherFamily,
                                      NdisSharedFreeOtherOwner, NdisSharedFreeInterior, NdisSharedFreeLengthMismatch};
  switch (family) {
    case Family::NdisIo: return kNdisIo;
    case Family::MmIo: return kMmIo;
    case Family::UmdfIo: return kUmdfIo;
    case Family::Video: return kVideo;
    case Family::VideoBase: return kVideoBase;
    case Family::NdisShared: return kNdisShared;
    default: break;  // NdisUnmapFile names the file, not an address; no other family unmaps
  }
  std::abort();
}
}  // namespace

const Model::Mapping* Model::UnmapTarget(u64 address, Family family, u64 owner, u64 length) {
  const UnmapRules& rules = UnmapRulesOf(family);
  const Mapping* m = nullptr;
  const Class c = Classify(address, &m);
  // sem "Report format": the report names the mapping the address falls in; for an address that
  // counts as nothing (a guard page, a user-mode view) the mapping that holds its page
  auto broken = [&](RuleId r, const Mapping* about) {
    Report(r, about);
    return nullptr;
  };
  if (c == Class::Nothing) {
    const Mapping* holder = Holder(address);
    // sem "Port I/O": an address no mapping reserves that lies in a live port registration is
    // another family's
    if (const PortReg* r = holder ? nullptr : LiveRegHolding(address)) {
      Report(Evidence{rules.other_family, true, false, r->created_seq, 0});
      return nullptr;
    }
    return broken(rules.not_mapped, holder);
  }
  // sem: a released mapping -> UNMAP_DOUBLE whatever family or owner it had
  if (c == Class::Released) return broken(rules.released, m);
  if (m->family != family) return broken(rules.other_family, m);
  if (rules.other_owner && m->owner != owner) return broken(*rules.other_owner, m);
  if (rules.interior && c == Class::Interior) return broken(*rules.interior, m);
  if (rules.length_mismatch && m->length != length) return broken(*rules.length_mismatch, m);
  return m;
}

std::vector<u64> Model::IdsByAddress(Family family, u64 owner, u64 process) const {
  std::vector<u64> ids;  // live_ is in address order already
  for (const auto& m : live_) {
    if (m.user_view || m.is_file || m.family != family) continue;
    if (process ? m.process != process : m.leak_owner != owner) continue;
    ids.push_back(m.id);
  }
  return ids;
}

void Model::LeakMappings(Family family, u64 owner, RuleId rule) {
  // decided (docs/semantics.md, Smaller decisions, order of several leaks): one report per mapping in ascending
  // address order, each released right after its report
  for (u64 id : IdsByAddress(family, owner, 0)) {
    Report(rule, FindBy(live_, &Mapping::id, id));
    Release(id);
  }
}
}  // namespace ddimap::oracle
