// Physical memory: RAM ranges, sparse device pages, and the caching type of
// every physical page that some live mapping covers.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <memory_resource>
#include <unordered_map>
#include <vector>

#include "ddimap/types.hpp"
#include "node_pool.hpp"

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
  PhysMemory& operator=(const PhysMemory&) = delete;
  void AddRam(u64 start, u64 length) { ram_.push_back({start, length}); }
  bool OverlapsRam(u64 start, u64 length) const;

  // Sparse device memory: a page costs host memory only once written.
  u8 ReadByte(PhysSpace space, u64 pa) const;
  void WriteByte(PhysSpace space, u64 pa, u8 value);
  std::size_t touched_pages() const { return pages_.size(); }
  void FreeAll() {
    pages_.clear();
    segs_.clear();
  }

  // Caching types of live mappings over page-aligned [s, e), memory space
  // only. CacheConflict: some page in [s, e) is mapped with another type.
  bool CacheConflict(u64 s, u64 e, u32 cache) const;
  void AddCache(u64 s, u64 e, u32 cache);
  void RemoveCache(u64 s, u64 e, u32 cache);

 private:
  using Page = std::array<u8, kPageSize>;
  static u64 Key(PhysSpace s, u64 pa) { return ((pa >> 12) << 1) | static_cast<u64>(s); }

  struct Seg {
    u64 end;
    std::array<u32, 3> count;  // live mappings per caching type 0..2
  };
  using Segs = std::pmr::map<u64, Seg>;
  Segs::iterator SplitFrom(u64 s);
  void SplitEnd(Segs::iterator it, u64 e);
  void MergeWithPrev(Segs::iterator it);

  std::vector<PhysRange> ram_;
  std::unordered_map<u64, std::unique_ptr<Page>> pages_;
  NodePool seg_pool_;
  Segs segs_{&seg_pool_};  // disjoint, page-aligned, keyed by start
};

// The top physical page is never mappable, so the page-aligned end of any
// accepted range is representable. A range overflows when start + len would
// pass kPhysTop.
inline constexpr u64 kPhysTop = ~kPageMask;  // 0xFFFFFFFFFFFFF000
inline bool PhysOverflows(u64 start, u64 len) { return start > kPhysTop || len > kPhysTop - start; }
inline u64 PageFloor(u64 a) { return a & ~kPageMask; }
inline u64 PageCeil(u64 a) { return (a + kPageMask) & ~kPageMask; }

}  // namespace ddimap
