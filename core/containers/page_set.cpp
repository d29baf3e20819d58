#include "containers/page_set.hpp"
#include "machine/no_coverage.hpp"

#include <algorithm>
#include <bit>

namespace ddimap {
DDIMAP_NO_COVERAGE_BEGIN
namespace {

unsigned High(u64 m) { return 63u - static_cast<unsigned>(std::countl_zero(m)); }
unsigned Low(u64 m) { return static_cast<unsigned>(std::countr_zero(m)); }

}  // namespace

std::size_t PageSet::FindTop(u64 hi) const {
  // Next-fit keeps successive keys in one superblock: try the last one first.
  std::size_t t = last_top_;
  if (t < tops_.size() && tops_[t].hi == hi) return t;
  auto it = std::lower_bound(tops_.begin(), tops_.end(), hi, [](const Top& a, u64 h) { return a.hi < h; });
  return static_cast<std::size_t>(it - tops_.begin());
}

u32 PageSet::NewInner() {
  if (!free_inner_.empty()) {
    u32 n = free_inner_.back();
    free_inner_.pop_back();
    return n;  // its summary is 0: it was freed empty
  }
  if (inner_.empty()) inner_.reserve(kInnerLevels);  // the first key's path, in one allocation
  inner_.push_back(Inner{});
  return static_cast<u32>(inner_.size() - 1);
}

u32 PageSet::NewLeaf() {
  if (!free_leaves_.empty()) {
    u32 n = free_leaves_.back();
    free_leaves_.pop_back();
    return n;  // all zeros: it was freed empty
  }
  leaves_.push_back(Leaf{});
  return static_cast<u32>(leaves_.size() - 1);
}

bool PageSet::Contains(u64 key) const {
  u64 page = key >> 12;
  u32 lo = static_cast<u32>(page) & kLoMask;
  std::size_t t = FindTop(page >> kLoBits);
  if (t == tops_.size() || tops_[t].hi != page >> kLoBits) return false;
  u32 node = tops_[t].root;
  for (int level = kInnerLevels; level >= 1; --level) {
    unsigned i = (lo >> Shift(level)) & 63;
    if ((inner_[node].summary >> i & 1) == 0) return false;
    node = inner_[node].child[i];
  }
  return (leaves_[node].bits[(lo >> 6) & 63] >> (lo & 63) & 1) != 0;
}

void PageSet::Insert(u64 key) {
  u64 page = key >> 12;
  u64 hi = page >> kLoBits;
  u32 lo = static_cast<u32>(page) & kLoMask;
  std::size_t t = FindTop(hi);
  if (t == tops_.size() || tops_[t].hi != hi) {
    u32 root = NewInner();
    tops_.insert(tops_.begin() + static_cast<std::ptrdiff_t>(t), Top{hi, root});
  }
  last_top_ = t;
  u32 node = tops_[t].root;
  for (int level = kInnerLevels; level >= 1; --level) {
    unsigned i = (lo >> Shift(level)) & 63;
    if ((inner_[node].summary >> i & 1) == 0) {
      u32 child = level == 1 ? NewLeaf() : NewInner();  // may move inner_: index again below
      inner_[node].child[i] = child;
      inner_[node].summary |= 1ull << i;
    }
    node = inner_[node].child[i];
  }
  Leaf& leaf = leaves_[node];
  unsigned w = (lo >> 6) & 63;
  leaf.bits[w] |= 1ull << (lo & 63);
  leaf.summary |= 1ull << w;
  ++size_;
}

void PageSet::Erase(u64 key) {
  u64 page = key >> 12;
  u32 lo = static_cast<u32>(page) & kLoMask;
  std::size_t t = FindTop(page >> kLoBits);
  last_top_ = t;
  u32 path[kInnerLevels + 1];
  u32 node = tops_[t].root;
  for (int level = kInnerLevels; level >= 1; --level) {
    path[level] = node;
    node = inner_[node].child[(lo >> Shift(level)) & 63];
  }
  --size_;
  Leaf& leaf = leaves_[node];
  unsigned w = (lo >> 6) & 63;
  leaf.bits[w] &= ~(1ull << (lo & 63));
  if (leaf.bits[w] != 0) return;
  leaf.summary &= ~(1ull << w);
  if (leaf.summary != 0) return;
  // Emptied nodes are unlinked bottom-up, so every linked node stays non-empty.
  free_leaves_.push_back(node);
  for (int level = 1; level <= kInnerLevels; ++level) {
    Inner& in = inner_[path[level]];
    in.summary &= ~(1ull << ((lo >> Shift(level)) & 63));
    if (in.summary != 0) return;
    free_inner_.push_back(path[level]);
  }
  tops_.erase(tops_.begin() + static_cast<std::ptrdiff_t>(t));
}

void PageSet::Clear() {
  tops_.clear();
  inner_.clear();
  leaves_.clear();
  free_inner_.clear();
  free_leaves_.clear();
  size_ = 0;
  last_top_ = 0;
}

u32 PageSet::MaxIn(u32 node, int level) const {
  u32 off = 0;
  for (; level >= 1; --level) {
    const Inner& in = inner_[node];
    unsigned j = High(in.summary);
    off |= j << Shift(level);
    node = in.child[j];
  }
  const Leaf& leaf = leaves_[node];
  unsigned w = High(leaf.summary);
  return off | w << 6 | High(leaf.bits[w]);
}

u32 PageSet::MinIn(u32 node, int level) const {
  u32 off = 0;
  for (; level >= 1; --level) {
    const Inner& in = inner_[node];
    unsigned j = Low(in.summary);
    off |= j << Shift(level);
    node = in.child[j];
  }
  const Leaf& leaf = leaves_[node];
  unsigned w = Low(leaf.summary);
  return off | w << 6 | Low(leaf.bits[w]);
}

bool PageSet::FloorIn(u32 node, int level, u32 lo, u32* out) const {
  if (level == 0) {
    const Leaf& leaf = leaves_[node];
    unsigned w = (lo >> 6) & 63, b = lo & 63;
    if (u64 m = leaf.bits[w] & (~0ull >> (63 - b))) {
      *out = w << 6 | High(m);
      return true;
    }
    u64 below = leaf.summary & ((1ull << w) - 1);
    if (below == 0) return false;
    unsigned w2 = High(below);
    *out = w2 << 6 | High(leaf.bits[w2]);
    return true;
  }
  const Inner& in = inner_[node];
  unsigned sh = Shift(level), i = (lo >> sh) & 63;
  u32 sub = 0;
  if ((in.summary >> i & 1) != 0 && FloorIn(in.child[i], level - 1, lo, &sub)) {
    *out = i << sh | sub;
    return true;
  }
  u64 below = in.summary & ((1ull << i) - 1);
  if (below == 0) return false;
  unsigned j = High(below);
  *out = j << sh | MaxIn(in.child[j], level - 1);
  return true;
}

bool PageSet::CeilIn(u32 node, int level, u32 lo, u32* out) const {
  if (level == 0) {
    const Leaf& leaf = leaves_[node];
    unsigned w = (lo >> 6) & 63, b = lo & 63;
    if (u64 m = leaf.bits[w] & (~0ull << b)) {
      *out = w << 6 | Low(m);
      return true;
    }
    u64 above = leaf.summary & ~((2ull << w) - 1);  // w == 63: 2 << 63 wraps to 0, nothing above
    if (above == 0) return false;
    unsigned w2 = Low(above);
    *out = w2 << 6 | Low(leaf.bits[w2]);
    return true;
  }
  const Inner& in = inner_[node];
  unsigned sh = Shift(level), i = (lo >> sh) & 63;
  u32 sub = 0;
  if ((in.summary >> i & 1) != 0 && CeilIn(in.child[i], level - 1, lo, &sub)) {
    *out = i << sh | sub;
    return true;
  }
  u64 above = in.summary & ~((2ull << i) - 1);
  if (above == 0) return false;
  unsigned j = Low(above);
  *out = j << sh | MinIn(in.child[j], level - 1);
  return true;
}

bool PageSet::Floor(u64 x, u64* key) const {
  if (size_ == 0) return false;
  u64 page = x >> 12, hi = page >> kLoBits;
  std::size_t t = FindTop(hi);
  u32 off = 0;
  if (t < tops_.size() && tops_[t].hi == hi && FloorIn(tops_[t].root, kInnerLevels, static_cast<u32>(page) & kLoMask, &off)) {
    *key = (hi << kLoBits | off) << 12;
    return true;
  }
  if (t == 0) return false;
  --t;
  *key = (tops_[t].hi << kLoBits | MaxIn(tops_[t].root, kInnerLevels)) << 12;
  return true;
}

u32 PageSet::LeafOf(u64 key) const {
  u64 page = key >> 12;
  u32 lo = static_cast<u32>(page) & kLoMask;
  u32 node = tops_[FindTop(page >> kLoBits)].root;
  for (int level = kInnerLevels; level >= 1; --level) node = inner_[node].child[(lo >> Shift(level)) & 63];
  return node;
}

bool PageSet::Seek(u64 x, Cursor* c) const {
  if (x == 0) {  // the first key: one descent along the lowest children
    if (size_ == 0) return false;
    u32 node = tops_[0].root;
    u32 off = 0;
    for (int level = kInnerLevels; level >= 1; --level) {
      unsigned j = Low(inner_[node].summary);
      off |= j << Shift(level);
      node = inner_[node].child[j];
    }
    unsigned w = Low(leaves_[node].summary);
    c->key = (tops_[0].hi << kLoBits | off | w << 6 | Low(leaves_[node].bits[w])) << 12;
    c->leaf = node;
  } else {
    if (!Ceil(x, &c->key)) return false;
    c->leaf = LeafOf(c->key);
  }
  unsigned w = (c->key >> 18) & 63, b = (c->key >> 12) & 63;
  c->rest = leaves_[c->leaf].bits[w] & ~((2ull << b) - 1);  // b == 63: 2 << 63 wraps to 0, none after
  return true;
}

bool PageSet::Next(Cursor* c) const {
  u64 page = c->key >> 12;
  if (c->rest != 0) {
    c->key = ((page & ~63ull) | Low(c->rest)) << 12;
    c->rest &= c->rest - 1;
    return true;
  }
  const Leaf& leaf = leaves_[c->leaf];
  unsigned w = (page >> 6) & 63;
  if (u64 above = leaf.summary & ~((2ull << w) - 1); above != 0) {
    unsigned w2 = Low(above);
    u64 bits = leaf.bits[w2];
    c->key = ((page & ~4095ull) | w2 << 6 | Low(bits)) << 12;
    c->rest = bits & (bits - 1);
    return true;
  }
  u64 next_leaf = (page | 4095) + 1;  // the first page past this leaf
  return next_leaf < (1ull << 52) && Seek(next_leaf << 12, c);
}

bool PageSet::Ceil(u64 x, u64* key) const {
  if (size_ == 0 || x > ~kPageMask) return false;
  u64 page = (x + kPageMask) >> 12, hi = page >> kLoBits;
  std::size_t t = FindTop(hi);
  u32 off = 0;
  if (t < tops_.size() && tops_[t].hi == hi) {
    if (CeilIn(tops_[t].root, kInnerLevels, static_cast<u32>(page) & kLoMask, &off)) {
      *key = (hi << kLoBits | off) << 12;
      return true;
    }
    ++t;
  }
  if (t == tops_.size()) return false;
  *key = (tops_[t].hi << kLoBits | MinIn(tops_[t].root, kInnerLevels)) << 12;
  return true;
}

DDIMAP_NO_COVERAGE_END
}  // namespace ddimap
