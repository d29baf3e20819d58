// An ordered set of page-aligned addresses, as a sparse radix tree of bitmaps.
//
// The mapping index needs address order only for predecessor lookups and
// ordered walks, yet pays for it on every map and unmap. A balanced tree
// costs a node allocation and a rebalance per change; here a change sets or
// clears one bit and, rarely, the summary bits above it, so insert and erase
// cost a fixed four-level descent whatever the population, and order queries
// are bit scans.
//
// Layout: a page number (address >> 12, 52 bits) splits into a 22-bit
// superblock number and a 30-bit offset. Each non-empty superblock (4 TiB of
// address space) is a four-level tree: three levels of inner nodes of 64
// children (6 bits each) over leaves of 64 words x 64 bits (4096 pages).
// Every node has a summary word whose bit i says "child / word i is
// non-empty", and only non-empty nodes exist, so a scan never descends into
// nothing. Nodes live in vectors addressed by index (a copy is a plain vector
// copy) and emptied nodes are recycled through free lists (an emptied leaf is
// all zeros already, so reuse costs nothing).
#pragma once

#include <cstddef>
#include <vector>

#include "ddimap/types.hpp"

namespace ddimap {

class PageSet {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool Contains(u64 key) const;
  void Insert(u64 key);  // key page-aligned and absent
  void Erase(u64 key);   // key present
  void Clear();
  // The largest key <= x / the smallest key >= x; false when there is none.
  bool Floor(u64 x, u64* key) const;
  bool Ceil(u64 x, u64* key) const;

  // A position for walking the keys in order: a step inside a leaf is a bit
  // scan; only moving to another leaf searches from the top. Valid until the
  // set changes.
  struct Cursor {
    u64 key = 0;   // the current key
    u32 leaf = 0;  // its leaf
    u64 rest = 0;  // the keys after it in its word, as bits
  };
  bool Seek(u64 x, Cursor* c) const;  // to the smallest key >= x
  bool Next(Cursor* c) const;         // to the following key

 private:
  static constexpr unsigned kLoBits = 30;  // page-number bits below the superblock number
  static constexpr u32 kLoMask = (1u << kLoBits) - 1;
  static constexpr int kInnerLevels = 3;   // levels 3, 2, 1 over the leaves (level 0)
  struct Inner {
    u64 summary = 0;  // bit i: child[i] exists (and is non-empty)
    u32 child[64];    // meaningful only where the summary bit is set
  };
  struct Leaf {
    u64 summary = 0;  // bit w: bits[w] != 0
    u64 bits[64] = {};
  };
  struct Top {
    u64 hi;    // superblock number
    u32 root;  // its level-3 inner node
  };

  static unsigned Shift(int level) { return 12 + 6 * static_cast<unsigned>(level - 1); }
  std::size_t FindTop(u64 hi) const;  // first top with .hi >= hi
  u32 NewInner();
  u32 NewLeaf();
  // Largest / smallest offset in the subtree of `node` at `level` that is
  // <= / >= lo (lo taken modulo the subtree span); offsets relative to it.
  bool FloorIn(u32 node, int level, u32 lo, u32* out) const;
  bool CeilIn(u32 node, int level, u32 lo, u32* out) const;
  u32 MaxIn(u32 node, int level) const;
  u32 MinIn(u32 node, int level) const;
  u32 LeafOf(u64 key) const;  // the leaf holding a present key

  std::vector<Top> tops_;  // ordered by hi
  std::vector<Inner> inner_;
  std::vector<Leaf> leaves_;
  std::vector<u32> free_inner_, free_leaves_;
  std::size_t size_ = 0;
  mutable std::size_t last_top_ = 0;  // the top the last operation used
};

}  // namespace ddimap
