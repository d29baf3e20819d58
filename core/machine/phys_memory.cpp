#include "machine/phys_memory.hpp"

#include <iterator>

namespace ddimap {

PhysMemory::PhysMemory(const PhysMemory& o) : ram_(o.ram_), segs_(o.segs_, &seg_pool_) {
  for (const auto& [key, page] : o.pages_) pages_.emplace(key, std::make_unique<Page>(*page));
}

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

// The first segment starting at or after `s`, after splitting the one that
// straddles `s` (a split at s, then lower_bound(s), in one search).
PhysMemory::Segs::iterator PhysMemory::SplitFrom(u64 s) {
  auto it = segs_.upper_bound(s);
  if (it == segs_.begin()) return it;
  auto prev = std::prev(it);
  if (prev->first == s) return prev;
  if (prev->second.end <= s) return it;
  Seg tail = prev->second;
  prev->second.end = s;
  return segs_.emplace_hint(it, s, tail);
}

// Splits the segment at `it` (starting before `e`) at `e` if it runs past it.
void PhysMemory::SplitEnd(Segs::iterator it, u64 e) {
  if (it->second.end > e) {
    Seg tail = it->second;
    it->second.end = e;
    segs_.emplace_hint(std::next(it), e, tail);
  }
}

// Splits at s and e, counts [s, e) segment by segment (gaps get fresh
// segments), then merges the segments starting at s and at e into equal
// predecessors; one tree search.
void PhysMemory::AddCache(u64 s, u64 e, u32 cache) {
  u64 pos = s;
  auto it = SplitFrom(s);
  auto at_s = segs_.end();  // the segment starting at s
  while (pos < e) {
    if (it == segs_.end() || it->first > pos) {
      // A gap: cover it with a fresh segment up to the next one (or e).
      u64 gap_end = (it == segs_.end() || it->first > e) ? e : it->first;
      Seg seg{gap_end, {0, 0, 0}};
      seg.count[cache] = 1;
      it = segs_.emplace_hint(it, pos, seg);
    } else {
      SplitEnd(it, e);
      ++it->second.count[cache];
    }
    if (pos == s) at_s = it;
    pos = it->second.end;
    ++it;
  }
  // `it` is now the first segment starting at or after e.
  MergeWithPrev(at_s);
  if (it != segs_.end() && it->first == e) MergeWithPrev(it);
}

// Splits at s and e, uncounts the segments in [s, e) (dropping empty ones),
// then merges the segments starting at s and at e as AddCache does.
void PhysMemory::RemoveCache(u64 s, u64 e, u32 cache) {
  auto it = SplitFrom(s);
  auto at_s = (it != segs_.end() && it->first == s) ? it : segs_.end();
  while (it != segs_.end() && it->first < e) {
    SplitEnd(it, e);
    if (it->second.count[cache] != 0) --it->second.count[cache];
    const auto& c = it->second.count;
    if (c[0] == 0 && c[1] == 0 && c[2] == 0) {
      if (it == at_s) at_s = segs_.end();
      it = segs_.erase(it);
    } else {
      ++it;
    }
  }
  MergeWithPrev(at_s);
  if (it != segs_.end() && it->first == e) MergeWithPrev(it);
}

// Joins the segment at `it` with its predecessor when they touch and carry
// the same counts, so map/unmap cycles do not fragment the map.
void PhysMemory::MergeWithPrev(Segs::iterator it) {
  if (it == segs_.end() || it == segs_.begin()) return;
  auto prev = std::prev(it);
  if (prev->second.end == it->first && prev->second.count == it->second.count) {
    prev->second.end = it->second.end;
    segs_.erase(it);
  }
}

}  // namespace ddimap
