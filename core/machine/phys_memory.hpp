// Physical memory: RAM ranges, sparse device pages, and the caching type of
// every physical page that some live mapping covers.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "ddimap/types.hpp"
#include "containers/cache_counts.hpp"
#include "containers/page_hash.hpp"

namespace ddimap {

struct PhysRange {
  u64 start;
  u64 length;
  u64 end() const { return start + length; }  // callers keep start+length <= 2^64-1
};

inline bool Overlaps(u64 a, u64 alen, u64 b, u64 blen) {
  return alen != 0 && blen != 0 && a < b + blen && b < a + alen;
}
// [start, start+len) fits in [outer_start, outer_start+outer_len).
inline bool Inside(u64 start, u64 len, u64 outer_start, u64 outer_len) {
  return start >= outer_start && len <= outer_len && start - outer_start <= outer_len - len;
}

class PhysMemory {
 public:
  PhysMemory() = default;
  PhysMemory(const PhysMemory& o);  // a deep copy (Machine's copy constructor)
  PhysMemory& operator=(const PhysMemory& o);  // the same, reusing this one's pages
  void AddRam(u64 start, u64 length) { ram_.push_back({start, length}); }
  bool OverlapsRam(u64 start, u64 length) const;
  // In the order they were added (NdisMAllocateSharedMemory's first fit walks them so).
  const std::vector<PhysRange>& ram() const { return ram_; }

  // Sparse device memory: a page costs host memory only once written.
  // `width` (<= 8) bytes at pa, pa+1... (addresses wrap), little-endian; one
  // page lookup per page touched rather than per byte.
  u64 Load(PhysSpace space, u64 pa, unsigned width) const;
  void Store(PhysSpace space, u64 pa, unsigned width, u64 value);
  std::size_t touched_pages() const { return pages_.size(); }
  void FreeAll() {
    pages_.clear();
    page_index_.Clear();
    cache_.Clear();
  }

  // Caching types of live mappings over page-aligned [s, e), memory space
  // only. CacheConflict: some page in [s, e) is mapped with another type.
  bool CacheConflict(u64 s, u64 e, u32 cache) { return cache_.Conflict(s >> 12, e >> 12, cache); }
  void AddCache(u64 s, u64 e, u32 cache) { cache_.Add(s >> 12, e >> 12, cache); }
  void RemoveCache(u64 s, u64 e, u32 cache) { cache_.Remove(s >> 12, e >> 12, cache); }

 private:
  using Page = std::array<u8, kPageSize>;
  // A page's key: its address, with the space in the (otherwise zero) low bit.
  static u64 Key(PhysSpace s, u64 pa) { return (pa & ~kPageMask) | static_cast<u64>(s); }
  Page* FindPage(u64 key) const {
    u32 i = page_index_.Find(key);
    return i == PageHash::kNone ? nullptr : pages_[i].get();
  }

  std::vector<PhysRange> ram_;
  std::vector<std::unique_ptr<Page>> pages_;  // written pages, in order of first write
  PageHash page_index_;                       // Key -> index in pages_
  CacheCounts cache_;  // by page number
};

// The top physical page is never mappable, so the page-aligned end of any
// accepted range is representable. A range overflows when start + len would
// pass kPhysTop.
inline constexpr u64 kPhysTop = ~kPageMask;  // 0xFFFFFFFFFFFFF000
inline bool PhysOverflows(u64 start, u64 len) { return start > kPhysTop || len > kPhysTop - start; }
inline u64 PageFloor(u64 a) { return a & ~kPageMask; }
inline u64 PageCeil(u64 a) { return (a + kPageMask) & ~kPageMask; }

}  // namespace ddimap
