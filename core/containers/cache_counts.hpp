// Per-page counts of the caching types of live mappings, over physical page
// numbers, answering "is some page of this range mapped with another type?".
//
// A 64-ary radix tree in the manner of a segment tree: a range is counted at
// the few nodes that cover it exactly (whole children where it spans them,
// single pages at the leaves), so a huge range costs at most 126 counters per
// level. Bit masks per node and type answer the range query: `cover` (some
// range counted here spans child i) and `below` (child i's span holds the
// type anywhere). The tree is only as tall as the highest page mapped needs:
// device pages below 64 GiB take four levels.
//
// The common range lies inside one 64-page leaf (a register block): it is
// counted in the leaf only, and the leaf is found by hash, not by descent.
// Such a change may stale the `below` bits above the leaf; those bits matter
// only to ranges wider than a leaf, so the leaf is queued and its ancestors
// are brought up to date before the next wide operation.
//
// Nodes live in a vector by index (a copy is a vector copy). A node left
// empty stays linked, so mapping and unmapping the same pages again
// allocates nothing; empty nodes are reclaimed in one sweep when the vector
// would otherwise grow past twice what was in use at the last sweep.
#pragma once

#include <bit>
#include <vector>

#include "ddimap/types.hpp"
#include "containers/page_hash.hpp"

namespace ddimap {

class CacheCounts {
 public:
  static constexpr u32 kTypes = 3;  // MmNonCached, MmCached, MmWriteCombined
  // Page ranges [ps, pe), ps < pe <= 2^52; cache < kTypes. Inline: the
  // small-range cases, which touch one leaf found by hash.
  bool Conflict(u64 ps, u64 pe, u32 cache) {  // some page counted with another type
    if (Small(ps, pe) && wide_ == 0) {  // nothing is counted above a leaf: the leaf decides
      u32 leaf = FindLeaf(ps);
      return leaf != kNone && (OtherCover(nodes_[leaf], cache) & LeafPages(ps, pe)) != 0;
    }
    return ConflictSlow(ps, pe, cache);
  }
  void Add(u64 ps, u64 pe, u32 cache) {
    if (Small(ps, pe))
      if (u32 leaf = FindLeaf(ps); leaf != kNone) return AddToLeaf(leaf, ps, pe, cache);
    AddSlow(ps, pe, cache);
  }
  void Remove(u64 ps, u64 pe, u32 cache) {  // counts already 0 stay 0
    if (!Small(ps, pe)) return RemoveWide(ps, pe, cache);
    if (u32 leaf = FindLeaf(ps); leaf != kNone) RemoveFromLeaf(leaf, ps, pe, cache);
  }
  void Clear();

 private:
  static constexpr u32 kNone = ~0u;
  static constexpr unsigned kMaxLevels = 9;  // 64^9 pages > 2^52
  struct Node {
    u64 cover[kTypes] = {};  // bit i: cnt[t][i] != 0
    u64 below[kTypes] = {};  // bit i: cover bit i, or child i holds the type
    u64 kids = 0;            // bit i: child[i] exists
    u64 base = 0;            // leaves: the first page
    bool queued = false;     // leaves: in stale_
    u32 child[64];
    u32 cnt[kTypes][64] = {};
  };
  // The children of a node at `level` (1: pages) starting at page `base`
  // that [ps, pe) touches, and the ones it does not span whole (at most the
  // two ends).
  struct Span {
    u64 touched, partial;
  };
  static Span SpanOf(unsigned level, u64 base, u64 ps, u64 pe);
  static unsigned ChildShift(unsigned level) { return 6 * (level - 1); }
  // Inside one leaf without filling it: counted in that leaf alone.
  static bool Small(u64 ps, u64 pe) { return ps >> 6 == (pe - 1) >> 6 && pe - ps < 64; }
  static u64 LeafKey(u64 page) { return page >> 6 << 12; }  // PageHash keys are page addresses
  // The pages of a leaf that [ps, pe), inside that leaf, holds.
  static u64 LeafPages(u64 ps, u64 pe) { return (~0ull << (ps & 63)) & (~0ull >> (63 - ((pe - 1) & 63))); }
  static u64 OtherCover(const Node& n, u32 cache) {
    return (cache != 0 ? n.cover[0] : 0) | (cache != 1 ? n.cover[1] : 0) | (cache != 2 ? n.cover[2] : 0);
  }
  void AddToLeaf(u32 leaf, u64 ps, u64 pe, u32 cache) {
    Node& l = nodes_[leaf];
    bool held = l.below[cache] != 0;
    u64 pages = LeafPages(ps, pe);
    for (u64 w = pages; w != 0; w &= w - 1) ++l.cnt[cache][std::countr_zero(w)];
    l.cover[cache] |= pages;
    l.below[cache] |= pages;
    if (!held) Queue(leaf, l);
  }
  void RemoveFromLeaf(u32 leaf, u64 ps, u64 pe, u32 cache) {
    Node& l = nodes_[leaf];
    bool held = l.below[cache] != 0;
    for (u64 w = LeafPages(ps, pe); w != 0; w &= w - 1) {
      int i = std::countr_zero(w);
      if (l.cnt[cache][i] != 0 && --l.cnt[cache][i] == 0) l.cover[cache] &= ~(1ull << i);
    }
    l.below[cache] = l.cover[cache];  // a leaf has no children
    if (held && l.below[cache] == 0) Queue(leaf, l);
  }
  bool ConflictSlow(u64 ps, u64 pe, u32 cache);
  void AddSlow(u64 ps, u64 pe, u32 cache);
  void RemoveWide(u64 ps, u64 pe, u32 cache);
  // The linked leaf holding `page`, or kNone; remembers the last one found
  // (a map, its unmap and the checks between all name the same leaf).
  u32 FindLeaf(u64 page) {
    u64 key = LeafKey(page);
    if (key != last_key_) {
      u32 leaf = leaves_.Find(key);
      if (leaf == kNone) return kNone;
      last_key_ = key;
      last_leaf_ = leaf;
    }
    return last_leaf_;
  }
  bool ConflictIn(u32 n, unsigned level, u64 base, u64 ps, u64 pe, u32 cache) const;
  void AddIn(u32 n, unsigned level, u64 base, u64 ps, u64 pe, u32 cache);
  void RemoveIn(u32 n, unsigned level, u64 base, u64 ps, u64 pe, u32 cache);
  bool Empty(u32 n) const { return (nodes_[n].below[0] | nodes_[n].below[1] | nodes_[n].below[2]) == 0; }
  u32 NewNode();
  // A child of node `parent` (at `level`) at index i, made a leaf when level 2.
  u32 NewChild(u32 parent, unsigned level, u64 base, unsigned i);
  void Queue(u32 leaf, Node& l) {
    if (!l.queued) {
      l.queued = true;
      stale_.push_back(leaf);
    }
  }
  void Refresh();  // brings the `below` bits above queued leaves up to date
  void SweepBelow(u32 n, unsigned level);
  void Sweep();

  std::vector<Node> nodes_;
  std::vector<u32> free_;   // recycled nodes: all zeros but child[] and base
  u32 root_ = kNone;
  unsigned height_ = 0;     // the root's level; it spans pages [0, 64^height_)
  PageHash leaves_;         // linked leaves by LeafKey
  u64 last_key_ = 1;        // FindLeaf's memo (1: no LeafKey), dropped by sweeps
  u32 last_leaf_ = kNone;
  std::vector<u32> stale_;  // leaves changed by small ranges since the last Refresh
  std::size_t wide_ = 0;    // live ranges that are not Small
  std::size_t sweep_at_ = 64;  // nodes_.size() that allows the next sweep
};

}  // namespace ddimap
