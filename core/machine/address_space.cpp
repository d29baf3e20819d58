#include "machine/address_space.hpp"

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
  if (size_ != 0) free_.insert(Block{base_, base_ + size_});
}

// Takes [start, start+bytes) out of the block at `it`: what is left before and
// after stays free. The block is reshaped in place when one piece remains.
u64 RegionAllocator::Carve(Blocks::iterator it, u64 start, u64 bytes) {
  u64 block_start = it->start, end = it->end;
  bool before = block_start < start, after = start + bytes < end;
  if (before) {
    it->end = start;
    if (after) free_.emplace_hint(std::next(it), Block{start + bytes, end});
  } else if (after) {
    it->start = start + bytes;
  } else {
    free_.erase(it);
  }
  cursor_ = start + bytes;
  return start;
}

std::optional<u64> RegionAllocator::Allocate(u64 bytes) {
  if (bytes == 0 || bytes > size_ || free_.empty()) return std::nullopt;
  // Next-fit: first from the cursor up to the region end (usually the one big
  // tail block, so O(log n)), then wrap round and take the first block that
  // fits from its start.
  auto first = free_.upper_bound(cursor_);
  if (first != free_.begin() && std::prev(first)->end > cursor_) --first;
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
  auto next = free_.lower_bound(start);
  bool join_next = next != free_.end() && next->start == end;
  auto prev = next;
  bool join_prev = next != free_.begin() && (--prev)->end == start;
  if (join_prev && join_next) {
    prev->end = next->end;
    free_.erase(next);
  } else if (join_prev) {
    prev->end = end;
  } else if (join_next) {
    next->start = start;
  } else {
    free_.emplace_hint(next, Block{start, end});
  }
}

// --- PageHash -------------------------------------------------------------------------

void PageHash::Grow() {
  std::vector<Entry> old = std::move(t_);
  std::size_t size = old.empty() ? 64 : old.size() * 2;
  t_.assign(size, Entry{});
  mask_ = size - 1;
  shift_ = 64;
  for (std::size_t s = size; s > 1; s >>= 1) --shift_;
  for (const Entry& e : old) {
    if (e.val == kNone) continue;
    std::size_t i = Home(e.key);
    while (t_[i].val != kNone) i = (i + 1) & mask_;
    t_[i] = e;
  }
}

void PageHash::Insert(u64 key, u32 val) {
  if ((n_ + 1) * 2 > t_.size()) Grow();
  std::size_t i = Home(key);
  while (t_[i].val != kNone) i = (i + 1) & mask_;
  t_[i] = Entry{key, val};
  ++n_;
}

void PageHash::Erase(u64 key) {
  if (n_ == 0) return;
  std::size_t i = Home(key);
  for (;; i = (i + 1) & mask_) {
    if (t_[i].val == kNone) return;
    if (t_[i].key == key) break;
  }
  // Backward-shift deletion: pull later members of the cluster into the hole
  // when their home position allows it.
  for (std::size_t j = i;;) {
    j = (j + 1) & mask_;
    if (t_[j].val == kNone) break;
    std::size_t home = Home(t_[j].key);
    if (((j - home) & mask_) >= ((j - i) & mask_)) {
      t_[i] = t_[j];
      i = j;
    }
  }
  t_[i] = Entry{};
  --n_;
}

void PageHash::Clear() {
  for (Entry& e : t_) e = Entry{};
  n_ = 0;
}

// --- MappingIndex -----------------------------------------------------------------------

MappingIndex::MappingIndex(const MappingIndex& o)
    : slot_count_(o.slot_count_), free_slots_(o.free_slots_), hash_(o.hash_), live_(o.live_, &pool_),
      quarantine_(o.quarantine_, &pool_), fifo_(o.fifo_) {
  for (const auto& c : o.chunks_) {
    chunks_.push_back(std::make_unique<Slot[]>(kChunk));
    std::copy(c.get(), c.get() + kChunk, chunks_.back().get());
  }
  // The copied slots still point into the source's maps: repoint them.
  for (auto it = live_.begin(); it != live_.end(); ++it) At(it->second).it = it;
  for (auto it = quarantine_.begin(); it != quarantine_.end(); ++it) At(it->second).it = it;
}

u32 MappingIndex::NewSlot() {
  if (!free_slots_.empty()) {
    u32 s = free_slots_.back();
    free_slots_.pop_back();
    return s;
  }
  if ((slot_count_ & (kChunk - 1)) == 0) chunks_.push_back(std::make_unique<Slot[]>(kChunk));
  return slot_count_++;
}

Mapping& MappingIndex::Insert(Mapping&& m) {
  u64 key = m.v.va_page;
  if (u32 existing = hash_.Find(key); existing != PageHash::kNone) return At(existing).m;
  u32 s = NewSlot();
  Slot& slot = At(s);
  slot.m = std::move(m);
  // Addresses grow, so the hint makes the usual insert amortised O(1).
  slot.it = live_.emplace_hint(live_.end(), key, s);
  slot.where = Where::Live;
  hash_.Insert(key, s);
  return slot.m;
}

AddressLookup MappingIndex::Lookup(u64 address) const {
  // A live mapping whose first page holds the address is the live predecessor
  // of any address in that page (va_pages are page-aligned and unique).
  u32 s = hash_.Find(address & ~kPageMask);
  if (s != PageHash::kNone) {
    const Mapping& m = At(s).m;
    if (address - m.v.va_page < m.v.extent)
      return {address == m.v.base ? AddressLookup::Base : AddressLookup::Interior, &m};
  }
  return SlowLookup(address);
}

AddressLookup MappingIndex::SlowLookup(u64 address) const {
  auto it = live_.upper_bound(address);
  if (it != live_.begin()) {
    const Mapping& m = At(std::prev(it)->second).m;
    u64 off = address - m.v.va_page;
    if (off < m.v.extent)
      return {address == m.v.base ? AddressLookup::Base : AddressLookup::Interior, &m};
    if (off < m.v.extent + kPageSize) return {AddressLookup::Guard, &m};
  }
  auto q = quarantine_.upper_bound(address);
  if (q != quarantine_.begin()) {
    const Mapping& m = At(std::prev(q)->second).m;
    u64 off = address - m.v.va_page;
    if (off < m.v.extent) return {AddressLookup::Released, &m};
    if (off < m.v.extent + kPageSize) return {AddressLookup::ReleasedGuard, &m};
  }
  return {};
}

}  // namespace ddimap
