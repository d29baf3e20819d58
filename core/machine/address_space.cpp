#include "machine/address_space.hpp"
#include "machine/no_coverage.hpp"

#include <algorithm>
#include <iterator>
#include <new>

namespace ddimap {

// --- RegionAllocator ------------------------------------------------------------------

void RegionAllocator::Reset(u64 base, u64 size) {
  base_ = base;
  size_ = size & ~kPageMask;
  cursor_ = base;
  free_.clear();
  at_cursor_ = last_freed_ = free_.end();
  if (size_ != 0) at_cursor_ = free_.insert(Block{base_, base_ + size_}).first;
}

RegionAllocator& RegionAllocator::operator=(const RegionAllocator& o) {
  if (this == &o) return *this;
  free_ = o.free_;  // the set keeps its own pool (pmr allocators do not propagate)
  base_ = o.base_;
  size_ = o.size_;
  cursor_ = o.cursor_;
  at_cursor_ = last_freed_ = free_.end();  // hints: none, as in a copy
  return *this;
}

// Takes [start, start+bytes) out of the block at `it`: what is left before and
// after stays free. The block is reshaped in place when one piece remains.
u64 RegionAllocator::Carve(Blocks::iterator it, u64 start, u64 bytes) {
  u64 block_start = it->start, end = it->end;
  bool before = block_start < start, after = start + bytes < end;
  if (before) {
    it->end = start;
    at_cursor_ = after ? free_.emplace_hint(std::next(it), Block{start + bytes, end}) : free_.end();
  } else if (after) {
    it->start = start + bytes;
    at_cursor_ = it;
  } else {
    Forget(it);
    free_.erase(it);
    at_cursor_ = free_.end();
  }
  cursor_ = start + bytes;
  return start;
}

std::optional<u64> RegionAllocator::AllocateSlow(u64 bytes) {
  if (bytes == 0 || bytes > size_ || free_.empty()) return std::nullopt;
  // Next-fit: first from the cursor up to the region end (usually the one big
  // tail block, so O(log n)), then wrap round and take the first block that
  // fits from its start.
  auto first = at_cursor_;
  if (first == free_.end() || first->start != cursor_) {
    first = free_.upper_bound(cursor_);
    if (first != free_.begin() && std::prev(first)->end > cursor_) --first;
  }
  for (auto it = first; it != free_.end(); ++it) {
    u64 start = it->start < cursor_ ? cursor_ : it->start;
    if (it->end - start >= bytes) return Carve(it, start, bytes);
  }
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->start >= cursor_) break;  // tried above, from the same start
    if (it->end - it->start >= bytes) return Carve(it, it->start, bytes);
  }
  return std::nullopt;
}

void RegionAllocator::Free(u64 start, u64 bytes) {
  if (bytes == 0) return;
  u64 end = start + bytes;
  Blocks::iterator prev, next;
  bool join_prev;
  if (last_freed_ != free_.end() && last_freed_->end == start) {
    prev = last_freed_;
    next = std::next(prev);
    join_prev = true;
  } else {
    next = free_.lower_bound(start);
    prev = next;
    join_prev = next != free_.begin() && (--prev)->end == start;
  }
  bool join_next = next != free_.end() && next->start == end;
  if (join_prev && join_next) {
    prev->end = next->end;
    Forget(next);
    free_.erase(next);
    last_freed_ = prev;
  } else if (join_prev) {
    prev->end = end;
    last_freed_ = prev;
  } else if (join_next) {
    next->start = start;
    last_freed_ = next;
  } else {
    last_freed_ = free_.emplace_hint(next, Block{start, end});
  }
}

// --- MappingIndex -----------------------------------------------------------------------

MappingIndex::MappingIndex(const MappingIndex& o)
    : slot_count_(o.slot_count_), free_slots_(o.free_slots_), by_page_(o.by_page_), live_(o.live_),
      quarantine_(o.quarantine_), fifo_(o.fifo_), changes_(o.changes_) {
  chunks_.reserve(o.chunks_.size());
  for (const auto& c : o.chunks_) {
    chunks_.push_back(std::make_unique<Slot[]>(kChunk));
    std::copy(c.get(), c.get() + kChunk, chunks_.back().get());
  }
}

MappingIndex& MappingIndex::operator=(const MappingIndex& o) {
  if (this == &o) return *this;
  slot_count_ = o.slot_count_;
  free_slots_ = o.free_slots_;
  by_page_ = o.by_page_;
  live_ = o.live_;
  quarantine_ = o.quarantine_;
  fifo_ = o.fifo_;
  changes_ = o.changes_;
  // Chunks beyond the other's stay as spares for NewSlot.
  for (std::size_t i = 0; i < o.chunks_.size(); ++i) {
    if (i == chunks_.size()) chunks_.push_back(std::make_unique<Slot[]>(kChunk));
    std::copy(o.chunks_[i].get(), o.chunks_[i].get() + kChunk, chunks_[i].get());
  }
  return *this;
}

u32 MappingIndex::NewSlot() {
  if (!free_slots_.empty()) {
    u32 s = free_slots_.back();
    free_slots_.pop_back();
    return s;
  }
  if ((slot_count_ >> kChunkBits) == chunks_.size()) chunks_.push_back(std::make_unique<Slot[]>(kChunk));
  return slot_count_++;
}

Mapping& MappingIndex::Insert(const MappingView& v, const CallRecord& created) {
  ++changes_;
  u32 s = NewSlot();
  Slot& slot = At(s);
  Mapping& m = slot.m;
  // Field by field rather than from a temporary: a reused slot is
  // overwritten in place, with no copy of a whole record.
  m.v = v;
  m.v.created_seq = created.seq;
  m.file = m.view_va = m.parent_va = m.start_device = m.resource_start = 0;
  m.p6cache = false;
  m.video_flags = 0;
  m.is_released = false;  // `released` is read only once this is set: not cleared
  m.created = created;
  by_page_.Insert(v.va_page, s);
  AddKey(live_, v.va_page, s, slot);
  return m;
}

// Container internals (no_coverage.hpp).
DDIMAP_NO_COVERAGE const PageSet& MappingIndex::Ordered(OrderedKeys& o) const {
  for (const auto& [key, s] : o.pending) {
    o.set.Insert(key);
    At(s).pending = kOrdered;
  }
  o.pending.clear();
  return o.set;
}

AddressLookup MappingIndex::Lookup(u64 address) const {
  // A mapping whose first page holds the address is its predecessor among
  // live and quarantined mappings alike (va_pages are page-aligned and
  // unique, extents disjoint while reserved).
  u32 s = by_page_.Find(address & ~kPageMask);
  if (s != PageMap::kNone) {
    const Mapping& m = At(s).m;
    if (address - m.v.va_page < m.v.extent) {
      if (m.is_released) return {AddressLookup::Released, &m};
      return {address == m.v.base ? AddressLookup::Base : AddressLookup::Interior, &m};
    }
  }
  return SlowLookup(address);
}

AddressLookup MappingIndex::SlowLookup(u64 address) const {
  u64 k = 0;
  if (Ordered(live_).Floor(address, &k)) {
    const Mapping& m = At(by_page_.Find(k)).m;
    u64 off = address - m.v.va_page;
    if (off < m.v.extent)
      return {address == m.v.base ? AddressLookup::Base : AddressLookup::Interior, &m};
    if (off < m.v.extent + kPageSize) return {AddressLookup::Guard, &m};
  }
  if (Ordered(quarantine_).Floor(address, &k)) {
    const Mapping& m = At(by_page_.Find(k)).m;
    u64 off = address - m.v.va_page;
    if (off < m.v.extent) return {AddressLookup::Released, &m};
    if (off < m.v.extent + kPageSize) return {AddressLookup::ReleasedGuard, &m};
  }
  return {};
}

}  // namespace ddimap
