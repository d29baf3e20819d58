// Guest virtual-address regions and the live/quarantined mapping index.
//
// Addresses are handed out next-fit from the start of a region, page-granular,
// each mapping followed by one unmapped guard page so that one-past-the-end
// never lands in a neighbour. Released extents stay reserved while they sit in
// the quarantine, which is what lets an unmap or access tell "already released"
// from "never mapped".
//
// Performance notes (the map+unmap pair is the hot path): mappings live in a
// slab of stable slots reused through a free list; a map of 64-page blocks
// (PageMap) finds a mapping by its va_page, live or quarantined (a release
// only marks the record: it stays where it is until evicted);
// radix bitmaps of the va_pages (PageSet), filled lazily, serve the
// address-order walks and the predecessor lookups of interior and guard
// addresses. None of this is visible: order, addresses and results are those
// of plain ordered maps.
#pragma once

#include <cstddef>
#include <memory>
#include <memory_resource>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "ddimap/machine.hpp"
#include "ddimap/report.hpp"
#include "containers/node_pool.hpp"
#include "containers/page_map.hpp"
#include "containers/page_set.hpp"
#include "containers/ring.hpp"

namespace ddimap {

// Free space of one region, as disjoint [start, end) blocks ordered by start.
class RegionAllocator {
 public:
  RegionAllocator() = default;
  RegionAllocator(const RegionAllocator& o)
      : free_(o.free_, &pool_), base_(o.base_), size_(o.size_), cursor_(o.cursor_) {}  // hints: none
  RegionAllocator& operator=(const RegionAllocator& o);  // the same, reusing this one's nodes

  void Reset(u64 base, u64 size);
  // Returns the start of `bytes` (a multiple of the page size) or nullopt.
  std::optional<u64> Allocate(u64 bytes) {
    // Inline, the usual case: from the cursor, inside the block starting there.
    if (at_cursor_ != free_.end() && at_cursor_->start == cursor_ && bytes != 0 &&
        at_cursor_->end - cursor_ > bytes) {
      u64 start = cursor_;
      at_cursor_->start = cursor_ = start + bytes;
      return start;
    }
    return AllocateSlow(bytes);
  }
  void Free(u64 start, u64 bytes);
  u64 base() const { return base_; }
  u64 end() const { return base_ + size_; }
  bool Contains(u64 a) const { return a >= base_ && a - base_ < size_; }

 private:
  // Blocks are disjoint, so ordering them by start is ordering them by end as
  // well: a block's bounds may be moved in place as long as it stays
  // non-empty and clear of its neighbours, which is all carving and merging do.
  struct Block {
    mutable u64 start;
    mutable u64 end;
  };
  struct ByStart {
    using is_transparent = void;
    bool operator()(const Block& a, const Block& b) const { return a.start < b.start; }
    bool operator()(const Block& a, u64 b) const { return a.start < b; }
    bool operator()(u64 a, const Block& b) const { return a < b.start; }
  };
  using Blocks = std::pmr::set<Block, ByStart>;
  std::optional<u64> AllocateSlow(u64 bytes);
  u64 Carve(Blocks::iterator it, u64 start, u64 bytes);

  NodePool pool_;
  Blocks free_{&pool_};
  u64 base_ = 0, size_ = 0, cursor_ = 0;
  // Hints that spare the tree searches of the usual pattern (next-fit from
  // the cursor; quarantine evictions freeing extents in allocation order):
  // the block starting at the cursor, and the block the last Free grew.
  // Checked before use; end() when unknown, and cleared when their block is
  // erased.
  Blocks::iterator at_cursor_ = free_.end(), last_freed_ = free_.end();
  void Forget(Blocks::iterator it) {
    if (at_cursor_ == it) at_cursor_ = free_.end();
    if (last_freed_ == it) last_freed_ = free_.end();
  }
};

struct Mapping {
  MappingView v;
  u64 file = 0;        // NDIS file mapping: the file's serial (backing = its bytes)
  u64 view_va = 0;     // UMDF pseudo mapping with a user-mode view: the view's va_page
  u64 parent_va = 0;   // the user-mode view: the pseudo mapping's va_page
  u64 start_device = 0;// MM: the WDM device whose IRP_MN_START_DEVICE made it
  u64 resource_start = 0;  // UMDF: the resource this mapping maps
  bool p6cache = false;    // video: the P6CACHE flag
  u32 video_flags = 0;
  bool shared_cached = false;  // NdisMAllocateSharedMemory: its Cached, which the free must repeat
  bool is_released = false;
  CallRecord created;
  CallRecord released;
};

// Where an address falls among live and quarantined mappings.
struct AddressLookup {
  enum Kind { Nothing, Base, Interior, Guard, Released, ReleasedGuard } kind = Nothing;
  const Mapping* mapping = nullptr;
};

class MappingIndex {
 public:
  MappingIndex() = default;
  MappingIndex(const MappingIndex& o);  // a deep copy (Machine's copy constructor)
  MappingIndex& operator=(const MappingIndex& o);  // the same, reusing this one's slots

  // Live mappings in increasing va_page order, as (va_page, mapping) pairs.
  class LiveRange {
   public:
    class iterator {
     public:
      using value_type = std::pair<u64, const Mapping&>;
      explicit iterator(const MappingIndex* ix) : ix_(ix) {}  // the end
      iterator(const MappingIndex* ix, const PageSet& set) : ix_(ix), set_(&set) {
        end_ = !set.Seek(0, &at_);
      }
      value_type operator*() const { return {at_.key, ix_->At(ix_->by_page_.Find(at_.key)).m}; }
      iterator& operator++() {
        end_ = !set_->Next(&at_);
        return *this;
      }
      bool operator==(const iterator& o) const { return end_ == o.end_ && (end_ || at_.key == o.at_.key); }
      bool operator!=(const iterator& o) const { return !(*this == o); }

     private:
      const MappingIndex* ix_;
      const PageSet* set_ = nullptr;
      PageSet::Cursor at_;
      bool end_ = true;
    };
    explicit LiveRange(const MappingIndex* ix) : ix_(ix) {}
    iterator begin() const { return iterator(ix_, ix_->Ordered(ix_->live_)); }
    iterator end() const { return iterator(ix_); }
    std::size_t size() const { return ix_->by_page_.size() - ix_->fifo_.size(); }
    bool empty() const { return size() == 0; }

   private:
    const MappingIndex* ix_;
  };

  // Records a live mapping of `v` created by `created` (no record, live or
  // quarantined, at its va_page yet); every other field starts at its default.
  Mapping& Insert(const MappingView& v, const CallRecord& created);
  // Moves a live mapping into the quarantine; evicted quarantine entries are
  // returned to their region through `free_extent`.
  template <typename FreeFn>
  void Release(u64 va_page, const CallRecord& by, std::size_t capacity, FreeFn free_extent);
  // Forgets every mapping; `free_extent` gets each reserved extent.
  template <typename FreeFn>
  void Clear(FreeFn free_extent);

  Mapping* FindLive(u64 va_page) {
    u32 s = by_page_.Find(va_page);
    return s == PageMap::kNone || At(s).m.is_released ? nullptr : &At(s).m;
  }
  const Mapping* FindLive(u64 va_page) const {
    u32 s = by_page_.Find(va_page);
    return s == PageMap::kNone || At(s).m.is_released ? nullptr : &At(s).m;
  }
  AddressLookup Lookup(u64 address) const;
  // The record a lookup returned, writable through a non-const index (it is
  // one of the index's own slots), without searching for it again.
  Mapping& Writable(const Mapping& m) { return const_cast<Mapping&>(m); }
  LiveRange live() const { return LiveRange(this); }
  std::size_t quarantined() const { return fifo_.size(); }
  // Mappings created plus mappings released (or cleared) so far.
  u64 changes() const { return changes_; }

 private:
  static constexpr u32 kOrdered = ~0u;
  struct Slot {
    // Where the va_page waits in its set's pending list, or kOrdered once it
    // is in the set's bitmaps (lazy bookkeeping: changes under const queries).
    mutable u32 pending = kOrdered;
    Mapping m;
  };
  // The address order of one set of va_pages (live or quarantined), kept
  // lazily: a new key waits in `pending` until some query needs the order, so
  // a mapping made and released between two such queries, the common case,
  // never touches the bitmaps.
  struct OrderedKeys {
    PageSet set;
    std::vector<std::pair<u64, u32>> pending;  // (va_page, slot), unordered
  };
  static constexpr unsigned kChunkBits = 5;  // small: the harnesses build a machine per input
  static constexpr u32 kChunk = 1u << kChunkBits;

  Slot& At(u32 s) { return chunks_[s >> kChunkBits][s & (kChunk - 1)]; }
  const Slot& At(u32 s) const { return chunks_[s >> kChunkBits][s & (kChunk - 1)]; }
  u32 NewSlot();
  void FreeSlot(u32 s) { free_slots_.push_back(s); }
  static void AddKey(OrderedKeys& o, u64 key, u32 s, Slot& slot) {
    slot.pending = static_cast<u32>(o.pending.size());
    o.pending.emplace_back(key, s);
  }
  void RemoveKey(OrderedKeys& o, u64 key, const Slot& slot) {
    u32 p = slot.pending;
    if (p == kOrdered) return o.set.Erase(key);
    if (p + 1 != o.pending.size()) {
      o.pending[p] = o.pending.back();
      At(o.pending[p].second).pending = p;
    }
    o.pending.pop_back();
  }
  // The set with every pending key moved in (callable from const queries:
  // live_ and quarantine_ are mutable).
  const PageSet& Ordered(OrderedKeys& o) const;
  AddressLookup SlowLookup(u64 address) const;

  std::vector<std::unique_ptr<Slot[]>> chunks_;
  u32 slot_count_ = 0;  // slots ever handed out of chunks_
  std::vector<u32> free_slots_;
  // Every record, live or quarantined, by va_page: a quarantined extent stays
  // reserved, so no live mapping can take its va_page before it is evicted.
  PageMap by_page_;
  mutable OrderedKeys live_;      // live va_pages
  mutable OrderedKeys quarantine_;  // quarantined va_pages
  Ring<u32> fifo_;                // quarantined slots in release order
  u64 changes_ = 0;
};

template <typename FreeFn>
void MappingIndex::Release(u64 va_page, const CallRecord& by, std::size_t capacity,
                           FreeFn free_extent) {
  u32 s = by_page_.Find(va_page);
  if (s == PageMap::kNone) return;
  Slot& slot = At(s);
  Mapping& m = slot.m;
  if (m.is_released) return;
  ++changes_;
  RemoveKey(live_, va_page, slot);
  m.released = by;
  m.is_released = true;
  if (capacity == 0) {
    by_page_.Take(va_page);
    free_extent(m);
    FreeSlot(s);
    return;
  }
  AddKey(quarantine_, va_page, s, slot);
  fifo_.push_back(s);
  while (fifo_.size() > capacity) {
    u32 vs = fifo_.front();
    fifo_.pop_front();
    const Slot& victim = At(vs);
    u64 va = victim.m.v.va_page;
    by_page_.Take(va);
    RemoveKey(quarantine_, va, victim);
    free_extent(victim.m);
    FreeSlot(vs);
  }
}

template <typename FreeFn>
void MappingIndex::Clear(FreeFn free_extent) {
  auto free_all = [&](OrderedKeys& o) {
    const PageSet& set = Ordered(o);
    PageSet::Cursor c;
    for (bool more = set.Seek(0, &c); more; more = set.Next(&c)) free_extent(At(by_page_.Find(c.key)).m);
  };
  free_all(live_);
  free_all(quarantine_);
  ++changes_;
  // Emptied in place: a machine reassigned for every input keeps the storage.
  for (OrderedKeys* o : {&live_, &quarantine_}) {
    o->set.Clear();
    o->pending.clear();
  }
  fifo_.clear();
  by_page_.Clear();
  free_slots_.clear();
  for (u32 s = slot_count_; s-- > 0;) free_slots_.push_back(s);
}

}  // namespace ddimap
