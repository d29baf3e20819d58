// Guest virtual-address regions and the live/quarantined mapping index.
//
// Addresses are handed out next-fit from the start of a region, page-granular,
// each mapping followed by one unmapped guard page so that one-past-the-end
// never lands in a neighbour. Released extents stay reserved while they sit in
// the quarantine, which is what lets an unmap or access tell "already released"
// from "never mapped".
#pragma once

#include <deque>
#include <map>
#include <optional>

#include "ddimap/machine.hpp"
#include "ddimap/report.hpp"

namespace ddimap {

// Free space of one region, as disjoint [start, end) blocks keyed by start.
class RegionAllocator {
 public:
  void Reset(u64 base, u64 size);
  // Returns the start of `bytes` (a multiple of the page size) or nullopt.
  std::optional<u64> Allocate(u64 bytes);
  void Free(u64 start, u64 bytes);
  u64 base() const { return base_; }
  u64 end() const { return base_ + size_; }
  bool Contains(u64 a) const { return a >= base_ && a - base_ < size_; }

 private:
  std::map<u64, u64> free_;  // start -> end
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

class MappingIndex {
 public:
  MappingIndex() = default;
  MappingIndex(const MappingIndex&) = delete;
  MappingIndex& operator=(const MappingIndex&) = delete;

  Mapping& Insert(Mapping m);
  // Moves a live mapping into the quarantine; evicted quarantine entries are
  // returned to their region through `free_extent`.
  template <typename FreeFn>
  void Release(u64 va_page, const CallRecord& by, std::size_t capacity, FreeFn free_extent);
  // Forgets every mapping; `free_extent` gets each reserved extent.
  template <typename FreeFn>
  void Clear(FreeFn free_extent);

  Mapping* FindLive(u64 va_page);
  const Mapping* FindLive(u64 va_page) const;
  AddressLookup Lookup(u64 address) const;
  const std::map<u64, Mapping>& live() const { return live_; }
  std::size_t quarantined() const { return quarantine_.size(); }

 private:
  std::map<u64, Mapping> live_;        // keyed by va_page
  std::map<u64, Mapping> quarantine_;  // keyed by va_page
  std::deque<u64> fifo_;               // quarantine order
};

template <typename FreeFn>
void MappingIndex::Release(u64 va_page, const CallRecord& by, std::size_t capacity,
                           FreeFn free_extent) {
  auto it = live_.find(va_page);
  if (it == live_.end()) return;
  auto node = live_.extract(it);
  node.mapped().released = by;
  node.mapped().is_released = true;
  if (capacity == 0) {
    free_extent(node.mapped());
    return;
  }
  quarantine_.insert(std::move(node));
  fifo_.push_back(va_page);
  while (fifo_.size() > capacity) {
    auto q = quarantine_.find(fifo_.front());
    fifo_.pop_front();
    if (q != quarantine_.end()) {
      free_extent(q->second);
      quarantine_.erase(q);
    }
  }
}

template <typename FreeFn>
void MappingIndex::Clear(FreeFn free_extent) {
  for (auto& [k, m] : live_) free_extent(m);
  for (auto& [k, m] : quarantine_) free_extent(m);
  live_.clear();
  quarantine_.clear();
  fifo_.clear();
}

}  // namespace ddimap
