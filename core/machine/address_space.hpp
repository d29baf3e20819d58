// Guest virtual-address regions and the live/quarantined mapping index.
//
// Addresses are handed out next-fit from the start of a region, page-granular,
// each mapping followed by one unmapped guard page so that one-past-the-end
// never lands in a neighbour. Released extents stay reserved while they sit in
// the quarantine, which is what lets an unmap or access tell "already released"
// from "never mapped".
//
// Performance notes (the map+unmap pair is the hot path): mappings live in a
// slab of stable slots reused through a free list; an open-addressing hash
// finds a live mapping by its va_page; ordered maps of va_page -> slot (nodes
// from a free-list pool, erased through iterators kept in the slot) serve the
// address-order walks and the predecessor lookups of interior and guard
// addresses. None of this is visible: order, addresses and results are those
// of plain ordered maps.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <memory_resource>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "ddimap/machine.hpp"
#include "ddimap/report.hpp"
#include "node_pool.hpp"

namespace ddimap {

// Free space of one region, as disjoint [start, end) blocks ordered by start.
class RegionAllocator {
 public:
  RegionAllocator() = default;
  RegionAllocator(const RegionAllocator& o)
      : free_(o.free_, &pool_), base_(o.base_), size_(o.size_), cursor_(o.cursor_) {}
  RegionAllocator& operator=(const RegionAllocator&) = delete;

  void Reset(u64 base, u64 size);
  // Returns the start of `bytes` (a multiple of the page size) or nullopt.
  std::optional<u64> Allocate(u64 bytes);
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
  u64 Carve(Blocks::iterator it, u64 start, u64 bytes);

  NodePool pool_;
  Blocks free_{&pool_};
  u64 base_ = 0, size_ = 0, cursor_ = 0;
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
  bool is_released = false;
  CallRecord created;
  CallRecord released;
};

// Where an address falls among live and quarantined mappings.
struct AddressLookup {
  enum Kind { Nothing, Base, Interior, Guard, Released, ReleasedGuard } kind = Nothing;
  const Mapping* mapping = nullptr;
};

// va_page -> slot, open addressing with linear probing (no tombstones).
class PageHash {
 public:
  static constexpr u32 kNone = ~0u;
  u32 Find(u64 key) const {
    if (n_ == 0) return kNone;
    for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
      const Entry& e = t_[i];
      if (e.val == kNone) return kNone;
      if (e.key == key) return e.val;
    }
  }
  void Insert(u64 key, u32 val);  // key must be absent
  void Erase(u64 key);
  void Clear();

 private:
  struct Entry {
    u64 key = 0;
    u32 val = kNone;
  };
  // Pages of one aligned 64-page group get neighbouring home slots, the group
  // a hashed position: next-fit hands out neighbouring pages, so consecutive
  // inserts touch the same few cache lines.
  std::size_t Home(u64 key) const {
    u64 page = key >> 12;
    u64 group = ((page >> 6) * 0x9E3779B97F4A7C15ull) >> shift_;
    return static_cast<std::size_t>(group + (page & 63)) & mask_;
  }
  void Grow();

  std::vector<Entry> t_;
  std::size_t mask_ = 0, n_ = 0;
  unsigned shift_ = 63;
};

// A FIFO queue in a power-of-two ring that grows as needed.
template <typename T>
class Ring {
 public:
  std::size_t size() const { return n_; }
  const T& front() const { return buf_[head_]; }
  void push_back(const T& v) {
    if (n_ == buf_.size()) Grow();
    buf_[(head_ + n_) & (buf_.size() - 1)] = v;
    ++n_;
  }
  void pop_front() {
    head_ = (head_ + 1) & (buf_.size() - 1);
    --n_;
  }
  void clear() { head_ = n_ = 0; }

 private:
  void Grow() {
    std::vector<T> b(buf_.empty() ? 16 : buf_.size() * 2);
    for (std::size_t i = 0; i < n_; ++i) b[i] = buf_[(head_ + i) & (buf_.size() - 1)];
    buf_.swap(b);
    head_ = 0;
  }
  std::vector<T> buf_;
  std::size_t head_ = 0, n_ = 0;
};

class MappingIndex {
  using Ordered = std::pmr::map<u64, u32>;  // va_page -> slot

 public:
  MappingIndex() = default;
  MappingIndex(const MappingIndex& o);  // a deep copy (Machine's copy constructor)
  MappingIndex& operator=(const MappingIndex&) = delete;

  // Live mappings in increasing va_page order, as (va_page, mapping) pairs.
  class LiveRange {
   public:
    class iterator {
     public:
      using value_type = std::pair<u64, const Mapping&>;
      iterator(Ordered::const_iterator it, const MappingIndex* ix) : it_(it), ix_(ix) {}
      value_type operator*() const { return {it_->first, ix_->At(it_->second).m}; }
      iterator& operator++() {
        ++it_;
        return *this;
      }
      bool operator==(const iterator& o) const { return it_ == o.it_; }
      bool operator!=(const iterator& o) const { return it_ != o.it_; }

     private:
      Ordered::const_iterator it_;
      const MappingIndex* ix_;
    };
    explicit LiveRange(const MappingIndex* ix) : ix_(ix) {}
    iterator begin() const { return {ix_->live_.begin(), ix_}; }
    iterator end() const { return {ix_->live_.end(), ix_}; }
    std::size_t size() const { return ix_->live_.size(); }
    bool empty() const { return ix_->live_.empty(); }

   private:
    const MappingIndex* ix_;
  };

  Mapping& Insert(Mapping&& m);
  // Moves a live mapping into the quarantine; evicted quarantine entries are
  // returned to their region through `free_extent`.
  template <typename FreeFn>
  void Release(u64 va_page, const CallRecord& by, std::size_t capacity, FreeFn free_extent);
  // Forgets every mapping; `free_extent` gets each reserved extent.
  template <typename FreeFn>
  void Clear(FreeFn free_extent);

  Mapping* FindLive(u64 va_page) {
    u32 s = hash_.Find(va_page);
    return s == PageHash::kNone ? nullptr : &At(s).m;
  }
  const Mapping* FindLive(u64 va_page) const {
    u32 s = hash_.Find(va_page);
    return s == PageHash::kNone ? nullptr : &At(s).m;
  }
  AddressLookup Lookup(u64 address) const;
  LiveRange live() const { return LiveRange(this); }
  std::size_t quarantined() const { return quarantine_.size(); }

 private:
  enum class Where : u8 { Free, Live, Quarantined };
  struct Slot {
    Mapping m;
    Ordered::iterator it;  // into live_ or quarantine_, per `where`
    Where where = Where::Free;
  };
  struct FifoEntry {
    u64 va_page = 0;
    u32 slot = 0;  // the slot that entered the quarantine with this entry
  };
  static constexpr unsigned kChunkBits = 5;  // small: the harnesses build a machine per input
  static constexpr u32 kChunk = 1u << kChunkBits;

  Slot& At(u32 s) { return chunks_[s >> kChunkBits][s & (kChunk - 1)]; }
  const Slot& At(u32 s) const { return chunks_[s >> kChunkBits][s & (kChunk - 1)]; }
  u32 NewSlot();
  void FreeSlot(u32 s) {
    At(s).where = Where::Free;
    free_slots_.push_back(s);
  }
  AddressLookup SlowLookup(u64 address) const;

  std::vector<std::unique_ptr<Slot[]>> chunks_;
  u32 slot_count_ = 0;  // slots ever handed out of chunks_
  std::vector<u32> free_slots_;
  PageHash hash_;  // live mappings only
  NodePool pool_;
  Ordered live_{&pool_};        // keyed by va_page
  Ordered quarantine_{&pool_};  // keyed by va_page
  Ring<FifoEntry> fifo_;  // quarantine order
};

template <typename FreeFn>
void MappingIndex::Release(u64 va_page, const CallRecord& by, std::size_t capacity,
                           FreeFn free_extent) {
  u32 s = hash_.Find(va_page);
  if (s == PageHash::kNone) return;
  Slot& slot = At(s);
  hash_.Erase(va_page);
  auto node = live_.extract(slot.it);
  slot.m.released = by;
  slot.m.is_released = true;
  if (capacity == 0) {
    free_extent(slot.m);
    FreeSlot(s);
    return;
  }
  // Addresses grow, so the end hint makes the usual insert amortised O(1).
  auto q = quarantine_.insert(quarantine_.end(), std::move(node));
  if (!node.empty()) {
    FreeSlot(s);  // already quarantined at this address: this record is dropped
  } else {
    slot.it = q;
    slot.where = Where::Quarantined;
  }
  fifo_.push_back({va_page, s});
  while (fifo_.size() > capacity) {
    FifoEntry e = fifo_.front();
    fifo_.pop_front();
    // The entry's own slot when it is still the quarantined mapping at its
    // address; otherwise whatever is quarantined there now.
    Ordered::iterator victim = quarantine_.end();
    if (At(e.slot).where == Where::Quarantined && At(e.slot).it->first == e.va_page)
      victim = At(e.slot).it;
    else
      victim = quarantine_.find(e.va_page);
    if (victim != quarantine_.end()) {
      u32 vs = victim->second;
      free_extent(At(vs).m);
      quarantine_.erase(victim);
      FreeSlot(vs);
    }
  }
}

template <typename FreeFn>
void MappingIndex::Clear(FreeFn free_extent) {
  for (const auto& [k, s] : live_) free_extent(At(s).m);
  for (const auto& [k, s] : quarantine_) free_extent(At(s).m);
  live_.clear();
  quarantine_.clear();
  fifo_.clear();
  hash_.Clear();
  free_slots_.clear();
  for (u32 s = slot_count_; s-- > 0;) {
    At(s).where = Where::Free;
    free_slots_.push_back(s);
  }
}

}  // namespace ddimap
