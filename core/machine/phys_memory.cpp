#include "machine/phys_memory.hpp"

#include <iterator>

namespace ddimap {

bool PhysMemory::OverlapsRam(u64 start, u64 length) const {
  for (const auto& r : ram_)
    if (Overlaps(start, length, r.start, r.length)) return true;
  return false;
}

u8 PhysMemory::ReadByte(PhysSpace space, u64 pa) const {
  auto it = pages_.find(Key(space, pa));
  return it == pages_.end() ? 0 : (*it->second)[pa & kPageMask];
}

void PhysMemory::WriteByte(PhysSpace space, u64 pa, u8 value) {
  auto& page = pages_[Key(space, pa)];
  if (!page) page = std::make_unique<Page>(Page{});
  (*page)[pa & kPageMask] = value;
}

// The segment map holds [start, end) page ranges with per-type counts. Ranges
// are given here as page-aligned [s, e) with e > s (the top page is excluded by
// the callers' overflow checks).

bool PhysMemory::CacheConflict(u64 s, u64 e, u32 cache) const {
  auto it = segs_.upper_bound(s);
  if (it != segs_.begin() && std::prev(it)->second.end > s) --it;
  for (; it != segs_.end() && it->first < e; ++it)
    for (u32 c = 0; c < 3; ++c)
      if (c != cache && it->second.count[c] != 0) return true;
  return false;
}

void PhysMemory::SplitAt(u64 at) {
  auto it = segs_.upper_bound(at);
  if (it == segs_.begin()) return;
  --it;
  if (it->first < at && at < it->second.end) {
    Seg tail = it->second;
    it->second.end = at;
    segs_.emplace(at, tail);
  }
}

void PhysMemory::AddCache(u64 s, u64 e, u32 cache) {
  SplitAt(s);
  SplitAt(e);
  u64 pos = s;
  auto it = segs_.lower_bound(s);
  while (pos < e) {
    if (it == segs_.end() || it->first > pos) {
      // A gap: cover it with a fresh segment up to the next one (or e).
      u64 gap_end = (it == segs_.end() || it->first > e) ? e : it->first;
      Seg seg{gap_end, {0, 0, 0}};
      seg.count[cache] = 1;
      it = std::next(segs_.emplace_hint(it, pos, seg));
      pos = gap_end;
    } else {
      ++it->second.count[cache];
      pos = it->second.end;
      ++it;
    }
  }
  MergeAround(s);
  MergeAround(e);
}

void PhysMemory::RemoveCache(u64 s, u64 e, u32 cache) {
  SplitAt(s);
  SplitAt(e);
  for (auto it = segs_.lower_bound(s); it != segs_.end() && it->first < e;) {
    if (it->second.count[cache] != 0) --it->second.count[cache];
    const auto& c = it->second.count;
    if (c[0] == 0 && c[1] == 0 && c[2] == 0)
      it = segs_.erase(it);
    else
      ++it;
  }
  MergeAround(s);
  MergeAround(e);
}

// Joins the segment starting at `at` with its predecessor when they touch and
// carry the same counts, so map/unmap cycles do not fragment the map.
void PhysMemory::MergeAround(u64 at) {
  auto it = segs_.find(at);
  if (it == segs_.end() || it == segs_.begin()) return;
  auto prev = std::prev(it);
  if (prev->second.end == at && prev->second.count == it->second.count) {
    prev->second.end = it->second.end;
    segs_.erase(it);
  }
}

}  // namespace ddimap
