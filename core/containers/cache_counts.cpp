#include "containers/cache_counts.hpp"
#include "machine/no_coverage.hpp"

#include <algorithm>
#include <bit>

namespace ddimap {
DDIMAP_NO_COVERAGE_BEGIN
namespace {

unsigned Low(u64 m) { return static_cast<unsigned>(std::countr_zero(m)); }
u64 Bit(unsigned i) { return 1ull << i; }
// Bits first..last of a word.
u64 Bits(unsigned first, unsigned last) { return (~0ull << first) & (~0ull >> (63 - last)); }
// Pages a node at `level` spans (level <= 9: at most 2^54).
u64 Pages(unsigned level) { return 1ull << (6 * level); }
// Whether [ps, pe), inside a node at `level`, lies inside one of its children
// without spanning it whole: then it is counted below that child only.
bool Inside(unsigned level, u64 ps, u64 pe) {
  if (level <= 1) return false;
  unsigned sh = 6 * (level - 1);
  return ps >> sh == (pe - 1) >> sh && pe - ps < (1ull << sh);
}

}  // namespace

CacheCounts::Span CacheCounts::SpanOf(unsigned level, u64 base, u64 ps, u64 pe) {
  unsigned sh = ChildShift(level);
  u64 lo = std::max(ps, base), hi = std::min(pe, base + Pages(level));
  unsigned first = static_cast<unsigned>((lo - base) >> sh), last = static_cast<unsigned>((hi - 1 - base) >> sh);
  Span s{Bits(first, last), 0};
  if (lo != base + (static_cast<u64>(first) << sh)) s.partial |= Bit(first);
  if (hi != base + (static_cast<u64>(last + 1) << sh)) s.partial |= Bit(last);
  return s;
}

u32 CacheCounts::NewNode() {
  if (!free_.empty()) {
    u32 n = free_.back();
    free_.pop_back();
    return n;
  }
  if (nodes_.empty()) nodes_.reserve(8);  // a first path of up to 8 levels, in one allocation
  nodes_.push_back(Node{});
  return static_cast<u32>(nodes_.size() - 1);
}

u32 CacheCounts::NewChild(u32 parent, unsigned level, u64 base, unsigned i) {
  u32 c = NewNode();  // may move nodes_: no reference held across it
  nodes_[parent].child[i] = c;
  nodes_[parent].kids |= Bit(i);
  if (level == 2) {
    u64 page = base + (static_cast<u64>(i) << 6);
    nodes_[c].base = page;
    leaves_.Insert(LeafKey(page), c);
  }
  return c;
}

void CacheCounts::Refresh() {
  for (u32 leaf : stale_) {
    nodes_[leaf].queued = false;
    u64 page = nodes_[leaf].base;
    u32 path[kMaxLevels];
    unsigned depth = 0;
    u32 n = root_;
    for (unsigned level = height_; level > 1; --level) {
      path[depth++] = n;
      n = nodes_[n].child[(page >> ChildShift(level)) & 63];
    }
    // Bottom-up, each bit from the child's current state: a node on several
    // queued paths ends up right after the last of them.
    for (unsigned level = 2; depth > 0; ++level) {
      Node& p = nodes_[path[--depth]];
      const Node& c = nodes_[n];
      u64 b = Bit(static_cast<unsigned>(page >> ChildShift(level)) & 63);
      for (u32 t = 0; t < kTypes; ++t)
        p.below[t] = c.below[t] != 0 || (p.cover[t] & b) != 0 ? p.below[t] | b : p.below[t] & ~b;
      n = path[depth];
    }
  }
  stale_.clear();
}

void CacheCounts::SweepBelow(u32 n, unsigned level) {
  for (u64 k = nodes_[n].kids; k != 0; k &= k - 1) {
    unsigned i = Low(k);
    u32 c = nodes_[n].child[i];
    SweepBelow(c, level - 1);
    if (Empty(c)) {  // then its own children are gone too: all zeros but child[] and base
      if (level == 2) leaves_.Take(LeafKey(nodes_[c].base));
      free_.push_back(c);
      nodes_[n].kids &= ~Bit(i);
    }
  }
}

void CacheCounts::Sweep() {
  Refresh();
  last_key_ = 1;
  if (root_ != kNone) {
    SweepBelow(root_, height_);
    if (Empty(root_)) {
      if (height_ == 1) leaves_.Take(LeafKey(0));
      free_.push_back(root_);
      root_ = kNone;
      height_ = 0;
    }
  }
  sweep_at_ = std::max<std::size_t>(64, 2 * (nodes_.size() - free_.size()));
}

bool CacheCounts::ConflictSlow(u64 ps, u64 pe, u32 cache) {
  if (root_ == kNone || ps >= Pages(height_)) return false;
  pe = std::min(pe, Pages(height_));
  u32 a = cache == 0 ? 1 : 0, b = cache == 2 ? 1 : 2;  // the other types
  bool small = Small(ps, pe);
  if (!small) Refresh();  // the query reads `below` bits
  u32 n = root_;
  unsigned level = height_;
  u64 base = 0;
  // Down the nodes the range lies inside: only a range counted whole at one
  // of them can cover it there.
  for (; Inside(level, ps, pe); --level) {
    unsigned sh = ChildShift(level), i = static_cast<unsigned>(ps >> sh) & 63;
    const Node& nd = nodes_[n];
    if (((nd.cover[a] | nd.cover[b]) & Bit(i)) != 0) return true;
    if ((nd.kids & Bit(i)) == 0) return false;
    n = nd.child[i];
    base += static_cast<u64>(i) << sh;
  }
  if (level > 1) return ConflictIn(n, level, base, ps, pe, cache);
  const Node& leaf = nodes_[n];  // pages: counted here or nowhere
  return ((leaf.cover[a] | leaf.cover[b]) & LeafPages(ps, pe)) != 0;
}

bool CacheCounts::ConflictIn(u32 n, unsigned level, u64 base, u64 ps, u64 pe, u32 cache) const {
  Span sp = SpanOf(level, base, ps, pe);
  const Node& nd = nodes_[n];
  u64 cover = 0, below = 0;
  for (u32 t = 0; t < kTypes; ++t) {
    if (t == cache) continue;
    cover |= nd.cover[t];
    below |= nd.below[t];
  }
  // A range counted here spans a touched child whole; a child the query
  // spans whole conflicts if it holds another type anywhere.
  if ((cover & sp.touched) != 0 || (below & sp.touched & ~sp.partial) != 0) return true;
  for (u64 p = sp.partial & nd.kids; p != 0; p &= p - 1) {
    unsigned i = Low(p);
    if (ConflictIn(nd.child[i], level - 1, base + (static_cast<u64>(i) << ChildShift(level)), ps, pe, cache))
      return true;
  }
  return false;
}

void CacheCounts::AddSlow(u64 ps, u64 pe, u32 cache) {
  if (!Small(ps, pe)) ++wide_;
  Refresh();
  if (free_.empty() && nodes_.size() >= sweep_at_) Sweep();
  // The root must span more than any range counted: then a range is counted
  // at the same nodes however tall the tree grows afterwards (the root only
  // ever becomes child 0 of a new root, which such a range touches partially).
  auto too_low = [&] { return pe > Pages(height_) || (ps == 0 && pe == Pages(height_)); };
  if (root_ != kNone && too_low() && Empty(root_)) Sweep();  // drops the empty tree
  if (root_ == kNone) {
    for (height_ = 1; too_low();) ++height_;
    root_ = NewNode();
    if (height_ == 1) leaves_.Insert(LeafKey(0), root_);  // base 0 already
  }
  while (too_low()) {
    u32 r = NewNode();
    Node& nr = nodes_[r];
    nr.child[0] = root_;
    nr.kids = 1;
    for (u32 t = 0; t < kTypes; ++t) nr.below[t] = nodes_[root_].below[t] != 0 ? 1 : 0;
    root_ = r;
    ++height_;
  }
  u32 n = root_;
  unsigned level = height_;
  u64 base = 0;
  for (; Inside(level, ps, pe); --level) {
    unsigned sh = ChildShift(level), i = static_cast<unsigned>(ps >> sh) & 63;
    nodes_[n].below[cache] |= Bit(i);
    n = (nodes_[n].kids & Bit(i)) != 0 ? nodes_[n].child[i] : NewChild(n, level, base, i);
    base += static_cast<u64>(i) << sh;
  }
  AddIn(n, level, base, ps, pe, cache);
}

void CacheCounts::AddIn(u32 n, unsigned level, u64 base, u64 ps, u64 pe, u32 cache) {
  Span sp = SpanOf(level, base, ps, pe);
  u64 whole = sp.touched & ~sp.partial;
  {
    Node& nd = nodes_[n];
    for (u64 w = whole; w != 0; w &= w - 1) ++nd.cnt[cache][Low(w)];
    nd.cover[cache] |= whole;
    nd.below[cache] |= sp.touched;
  }
  for (u64 p = sp.partial; p != 0; p &= p - 1) {
    unsigned i = Low(p);
    u32 c = (nodes_[n].kids & Bit(i)) != 0 ? nodes_[n].child[i] : NewChild(n, level, base, i);
    AddIn(c, level - 1, base + (static_cast<u64>(i) << ChildShift(level)), ps, pe, cache);
  }
}

void CacheCounts::RemoveWide(u64 ps, u64 pe, u32 cache) {
  if (root_ == kNone || ps >= Pages(height_)) return;
  pe = std::min(pe, Pages(height_));
  if (wide_ > 0) --wide_;
  Refresh();
  struct Step {
    u32 node;
    unsigned i;
  } path[kMaxLevels];
  unsigned depth = 0;
  u32 n = root_;
  unsigned level = height_;
  u64 base = 0;
  for (; Inside(level, ps, pe); --level) {
    unsigned sh = ChildShift(level), i = static_cast<unsigned>(ps >> sh) & 63;
    if ((nodes_[n].kids & Bit(i)) == 0) return;  // nothing counted there
    path[depth++] = {n, i};
    n = nodes_[n].child[i];
    base += static_cast<u64>(i) << sh;
  }
  RemoveIn(n, level, base, ps, pe, cache);
  // Back up the path while the node below stops holding the type.
  while (depth > 0 && nodes_[n].below[cache] == 0) {
    const Step& up = path[--depth];
    Node& nd = nodes_[up.node];
    if ((nd.cover[cache] & Bit(up.i)) != 0) return;
    nd.below[cache] &= ~Bit(up.i);
    n = up.node;
  }
}

void CacheCounts::RemoveIn(u32 n, unsigned level, u64 base, u64 ps, u64 pe, u32 cache) {
  Span sp = SpanOf(level, base, ps, pe);
  Node& nd = nodes_[n];  // Remove allocates nothing: the reference stays valid
  for (u64 w = sp.touched & ~sp.partial; w != 0; w &= w - 1) {
    unsigned i = Low(w);
    if (nd.cnt[cache][i] != 0 && --nd.cnt[cache][i] == 0) nd.cover[cache] &= ~Bit(i);
  }
  for (u64 p = sp.partial & nd.kids; p != 0; p &= p - 1) {
    unsigned i = Low(p);
    RemoveIn(nd.child[i], level - 1, base + (static_cast<u64>(i) << ChildShift(level)), ps, pe, cache);
  }
  // A touched child still holds the type if a range here still spans it or
  // its own node holds it (a leaf has no children: its `below` is its `cover`).
  u64 holds = nd.cover[cache];
  for (u64 k = sp.touched & nd.kids; k != 0; k &= k - 1) {
    unsigned i = Low(k);
    if (nodes_[nd.child[i]].below[cache] != 0) holds |= Bit(i);
  }
  nd.below[cache] = (nd.below[cache] & ~sp.touched) | (holds & sp.touched);
}

void CacheCounts::Clear() {
  nodes_.clear();
  free_.clear();
  root_ = kNone;
  height_ = 0;
  leaves_.Clear();
  last_key_ = 1;
  stale_.clear();
  wide_ = 0;
  sweep_at_ = 64;
}

DDIMAP_NO_COVERAGE_END
}  // namespace ddimap
