// White-box differential tests of the radix and hash structures behind the
// mapping index and the caching-type counts: PageSet against std::set,
// PageHash and PageMap against std::set / std::map, CacheCounts against a
// brute-force list of counted ranges, on seeded random operation sequences
// that cross leaf, level and superblock boundaries, grow and shrink the
// structures, and copy them midway.
#include <gtest/gtest.h>

#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "containers/cache_counts.hpp"
#include "containers/page_hash.hpp"
#include "containers/page_map.hpp"
#include "containers/page_set.hpp"

namespace ddimap::test {
namespace {

// --- PageSet ------------------------------------------------------------------------

std::optional<u64> RefFloor(const std::set<u64>& s, u64 x) {
  auto it = s.upper_bound(x);
  if (it == s.begin()) return std::nullopt;
  return *std::prev(it);
}

std::optional<u64> RefCeil(const std::set<u64>& s, u64 x) {
  auto it = s.lower_bound(x);
  if (it == s.end()) return std::nullopt;
  return *it;
}

std::optional<u64> Floor(const PageSet& p, u64 x) {
  u64 k = 0;
  return p.Floor(x, &k) ? std::optional<u64>(k) : std::nullopt;
}

std::optional<u64> Ceil(const PageSet& p, u64 x) {
  u64 k = 0;
  return p.Ceil(x, &k) ? std::optional<u64>(k) : std::nullopt;
}

// Keys drawn near a few bases: one leaf, neighbouring leaves and inner
// nodes, superblock edges, the very top and bottom of the address space.
u64 RandomKey(std::mt19937_64& g) {
  static const u64 kBases[] = {0,
                               0x7000000000,
                               0x3FFFFFF000000,           // the end of one superblock
                               0x5D00000000000000,
                               0xFFFFC00000000000,
                               0xFFFFFFFFFFFFF000 - 0x100000};
  u64 base = kBases[g() % std::size(kBases)];
  u64 spread = g() % 3 == 0 ? (1ull << 36) : (g() % 2 ? 1ull << 24 : 1ull << 14);
  u64 key = (base + g() % spread) & ~kPageMask;
  return key < base ? base : key;
}

TEST(PageSetTest, MatchesStdSet) {
  for (u32 seed = 1; seed <= 12; ++seed) {
    std::mt19937_64 g(seed);
    PageSet p;
    std::set<u64> ref;
    std::optional<PageSet> copy;
    std::set<u64> copy_ref;
    for (int step = 0; step < 20000; ++step) {
      u64 op = g() % 10;
      if (op < 4) {
        u64 k = RandomKey(g);
        if (ref.insert(k).second) p.Insert(k);
      } else if (op < 7 && !ref.empty()) {
        // Erase near a random key, so whole leaves and nodes empty out.
        auto it = ref.lower_bound(RandomKey(g));
        if (it == ref.end()) it = ref.begin();
        p.Erase(*it);
        ref.erase(it);
      } else {
        u64 x = g() % 4 == 0 ? g() : RandomKey(g) + g() % kPageSize;
        ASSERT_EQ(Floor(p, x), RefFloor(ref, x)) << "seed " << seed << " step " << step;
        ASSERT_EQ(Ceil(p, x), RefCeil(ref, x > ~kPageMask ? x : (x + kPageMask) & ~kPageMask))
            << "seed " << seed << " step " << step;
        ASSERT_EQ(p.Contains(x & ~kPageMask), ref.count(x & ~kPageMask) != 0);
      }
      ASSERT_EQ(p.size(), ref.size());
      if (step == 10000) {
        copy.emplace(p);
        copy_ref = ref;
      }
    }
    // A full walk in order, then the copy taken midway, untouched since.
    std::vector<u64> walk;
    for (u64 k = 0; p.Ceil(k, &k); k += kPageSize) {
      walk.push_back(k);
      if (k == ~kPageMask) break;
    }
    ASSERT_EQ(walk, std::vector<u64>(ref.begin(), ref.end()));
    // The cursor walk, from the start and from random points.
    for (int start = 0; start < 20; ++start) {
      u64 from = start == 0 ? 0 : RandomKey(g);
      std::vector<u64> got;
      PageSet::Cursor c;
      for (bool more = p.Seek(from, &c); more; more = p.Next(&c)) got.push_back(c.key);
      ASSERT_EQ(got, std::vector<u64>(ref.lower_bound(from), ref.end())) << "from " << from;
    }
    ASSERT_TRUE(copy.has_value());
    for (u64 k : copy_ref) ASSERT_TRUE(copy->Contains(k));
    ASSERT_EQ(copy->size(), copy_ref.size());
    p.Clear();
    ASSERT_TRUE(p.empty());
    ASSERT_EQ(Floor(p, ~0ull), std::nullopt);
  }
}

TEST(PageSetTest, ExtremeKeys) {
  PageSet p;
  p.Insert(0);
  p.Insert(~kPageMask);
  EXPECT_EQ(Floor(p, ~0ull), ~kPageMask);
  EXPECT_EQ(Floor(p, ~kPageMask - 1), 0u);
  EXPECT_EQ(Ceil(p, 1), ~kPageMask);
  EXPECT_EQ(Ceil(p, ~kPageMask + 1), std::nullopt);
  PageSet::Cursor c;
  ASSERT_TRUE(p.Seek(0, &c));
  EXPECT_EQ(c.key, 0u);
  ASSERT_TRUE(p.Next(&c));
  EXPECT_EQ(c.key, ~kPageMask);
  EXPECT_FALSE(p.Next(&c));
  p.Erase(0);
  EXPECT_EQ(Floor(p, ~kPageMask - 1), std::nullopt);
  p.Erase(~kPageMask);
  EXPECT_TRUE(p.empty());
}

// --- PageHash -----------------------------------------------------------------------

TEST(PageHashTest, TakeFindsAndRemoves) {
  std::mt19937_64 g(7);
  PageHash h;
  std::set<u64> ref;
  for (int step = 0; step < 20000; ++step) {
    u64 k = (0x7000000000 + g() % 4096 * kPageSize);
    if (g() % 2 && !ref.count(k)) {
      h.Insert(k, static_cast<u32>(k >> 12));
      ref.insert(k);
    } else {
      u32 v = h.Take(k);
      ASSERT_EQ(v, ref.count(k) ? static_cast<u32>(k >> 12) : PageHash::kNone);
      ref.erase(k);
    }
    ASSERT_EQ(h.size(), ref.size());
  }
  for (u64 k : ref) ASSERT_EQ(h.Find(k), static_cast<u32>(k >> 12));
}

// --- PageMap --------------------------------------------------------------------------

TEST(PageMapTest, MatchesStdMap) {
  for (u32 seed = 1; seed <= 8; ++seed) {
    std::mt19937_64 g(seed);
    PageMap p;
    std::map<u64, u32> ref;
    std::optional<PageMap> copy;
    std::map<u64, u32> copy_ref;
    for (int step = 0; step < 30000; ++step) {
      // Keys in a few clusters (blocks fill and empty) and scattered ones.
      u64 k = g() % 2 ? 0xFFFFC00000000000 + g() % 512 * kPageSize : RandomKey(g);
      switch (g() % 3) {
        case 0:
          if (!ref.count(k)) {
            u32 v = static_cast<u32>(g() % 1000000);
            p.Insert(k, v);
            ref[k] = v;
          }
          break;
        case 1: {
          auto it = ref.find(k);
          ASSERT_EQ(p.Take(k), it == ref.end() ? PageMap::kNone : it->second) << "seed " << seed << " step " << step;
          if (it != ref.end()) ref.erase(it);
          break;
        }
        default: {
          auto it = ref.find(k);
          ASSERT_EQ(p.Find(k), it == ref.end() ? PageMap::kNone : it->second);
        }
      }
      ASSERT_EQ(p.size(), ref.size());
      if (step == 15000) {
        copy.emplace(p);
        copy_ref = ref;
      }
    }
    for (const auto& [k, v] : ref) ASSERT_EQ(p.Find(k), v);
    ASSERT_TRUE(copy.has_value());
    for (const auto& [k, v] : copy_ref) ASSERT_EQ(copy->Find(k), v);
    ASSERT_EQ(copy->size(), copy_ref.size());
    p.Clear();
    ASSERT_EQ(p.size(), 0u);
    for (const auto& [k, v] : ref) ASSERT_EQ(p.Find(k), PageMap::kNone);
  }
}

// A map and unmap at the same place, then at the next block: the spare block
// is reused, and the one before it unlinked, without losing other keys.
TEST(PageMapTest, SpareBlockReuse) {
  PageMap p;
  const u64 base = 0x7000000000;
  p.Insert(base, 1);
  for (u64 i = 0; i < 1000; ++i) {
    u64 k = base + (64 + i) * kPageSize;  // marching, as next-fit does
    p.Insert(k, 7);
    ASSERT_EQ(p.Find(k), 7u);
    ASSERT_EQ(p.Take(k), 7u);
    ASSERT_EQ(p.Find(k), PageMap::kNone);
    ASSERT_EQ(p.Find(base), 1u);
  }
  ASSERT_EQ(p.size(), 1u);
  ASSERT_EQ(p.Take(base), 1u);
  ASSERT_EQ(p.Take(base), PageMap::kNone);
}

// --- CacheCounts ----------------------------------------------------------------------

struct Range {
  u64 ps, pe;
  u32 cache;
};

bool RefConflict(const std::vector<Range>& held, u64 ps, u64 pe, u32 cache) {
  for (const Range& r : held)
    if (r.cache != cache && r.ps < pe && ps < r.pe) return true;
  return false;
}

// Page ranges of every shape: inside one leaf, across leaves, whole leaves
// and whole inner nodes, huge ones, near page 0 and near the top.
Range RandomRange(std::mt19937_64& g) {
  static const u64 kBases[] = {0, 0xFEBF0, 0xFFFC0, 1ull << 24, (1ull << 52) - (1ull << 20)};
  u64 base = kBases[g() % std::size(kBases)];
  u64 ps = base + g() % 0x3000;
  u64 len;
  switch (g() % 6) {
    case 0: len = 64; ps &= ~63ull; break;              // one whole leaf
    case 1: len = 4096; ps &= ~4095ull; break;          // one whole level-2 node
    case 2: len = 1 + g() % 300; break;                 // across leaves
    case 3: len = 1 + g() % (1ull << 20); break;        // huge
    default: len = 1 + g() % 8; break;                  // a register block
  }
  u64 pe = ps + len;
  if (pe > (1ull << 52)) pe = 1ull << 52;
  return {ps, pe, static_cast<u32>(g() % 3)};
}

void CheckCounts(CacheCounts& c, const std::vector<Range>& held, std::mt19937_64& g, const char* what) {
  for (int q = 0; q < 8; ++q) {
    Range r = RandomRange(g);
    ASSERT_EQ(c.Conflict(r.ps, r.pe, r.cache), RefConflict(held, r.ps, r.pe, r.cache))
        << what << ": [" << r.ps << ", " << r.pe << ") type " << r.cache;
  }
  // Queries right on held ranges and their edges.
  if (!held.empty()) {
    const Range& h = held[g() % held.size()];
    for (u64 ps : {h.ps, h.pe - 1, h.ps > 0 ? h.ps - 1 : h.ps})
      for (u32 t = 0; t < 3; ++t)
        ASSERT_EQ(c.Conflict(ps, ps + 1, t), RefConflict(held, ps, ps + 1, t)) << what << ": page " << ps;
  }
}

TEST(CacheCountsTest, MatchesBruteForce) {
  for (u32 seed = 1; seed <= 16; ++seed) {
    std::mt19937_64 g(seed * 7919);
    CacheCounts c;
    std::vector<Range> held;
    for (int step = 0; step < 3000; ++step) {
      if (held.empty() || g() % 5 < 3) {
        Range r = RandomRange(g);
        c.Add(r.ps, r.pe, r.cache);
        held.push_back(r);
      } else {
        std::size_t i = g() % held.size();
        Range r = held[i];
        held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
        c.Remove(r.ps, r.pe, r.cache);
      }
      CheckCounts(c, held, g, "live");
      if (step % 500 == 250) {  // a copy answers the same, and stays independent
        CacheCounts copy(c);
        CheckCounts(copy, held, g, "copy");
        copy.Clear();
        CheckCounts(c, held, g, "source after the copy cleared");
      }
    }
    while (!held.empty()) {  // emptied, the tree must answer "nothing" everywhere
      c.Remove(held.back().ps, held.back().pe, held.back().cache);
      held.pop_back();
    }
    CheckCounts(c, held, g, "emptied");
  }
}

// The pattern of a driver mapping and unmapping its registers for a long
// time among many other live mappings: the leaf stays linked and nodes are
// recycled, and the answers stay right across sweeps.
TEST(CacheCountsTest, LongChurnKeepsAnswersAndBoundsNodes) {
  CacheCounts c;
  std::vector<Range> held;
  for (u64 i = 0; i < 2000; ++i) {
    Range r{0xF0000 + i * 3, 0xF0000 + i * 3 + 1, 0};
    c.Add(r.ps, r.pe, r.cache);
    held.push_back(r);
  }
  std::mt19937_64 g(99);
  for (u64 i = 0; i < 20000; ++i) {
    u64 ps = 0x100000 + (i % 700) * 64 + g() % 60;  // a new leaf every few steps
    u32 t = static_cast<u32>(g() % 3);
    ASSERT_EQ(c.Conflict(ps, ps + 2, t), RefConflict(held, ps, ps + 2, t));
    c.Add(ps, ps + 2, t);
    held.push_back({ps, ps + 2, t});
    ASSERT_TRUE(c.Conflict(ps, ps + 1, (t + 1) % 3));
    c.Remove(ps, ps + 2, t);
    held.pop_back();
    if (i % 1000 == 0) {
      Range wide{0xF0000 - 64, 0xF0000 + 6000, 1};  // reads the summaries of the small ranges
      ASSERT_EQ(c.Conflict(wide.ps, wide.pe, wide.cache), RefConflict(held, wide.ps, wide.pe, wide.cache));
      ASSERT_FALSE(c.Conflict(0x100000, 0x100000 + 700 * 64, 1)) << i;
    }
  }
}

}  // namespace
}  // namespace ddimap::test
