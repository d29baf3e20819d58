// White-box differential tests of the core's address-space structures: the
// region allocator, the mapping index and the physical caching-type segments
// against straightforward std::map reference versions (the semantics of
// docs/semantics.md), on seeded random operation sequences.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "../../core/machine/address_space.hpp"
#include "../../core/machine/phys_memory.hpp"

namespace ddimap::test {
namespace {

// --- references ------------------------------------------------------------------

class RefAllocator {
 public:
  void Reset(u64 base, u64 size) {
    size_ = size & ~kPageMask;
    cursor_ = base;
    free_.clear();
    if (size_ != 0) free_.emplace(base, base + size_);
  }
  std::optional<u64> Allocate(u64 bytes) {
    if (bytes == 0 || bytes > size_ || free_.empty()) return std::nullopt;
    auto carve = [&](std::map<u64, u64>::iterator it, u64 start) {
      u64 block_start = it->first, end = it->second;
      free_.erase(it);
      if (block_start < start) free_.emplace(block_start, start);
      if (start + bytes < end) free_.emplace(start + bytes, end);
      cursor_ = start + bytes;
      return start;
    };
    auto first = free_.upper_bound(cursor_);
    if (first != free_.begin() && std::prev(first)->second > cursor_) --first;
    for (auto it = first; it != free_.end(); ++it) {
      u64 start = it->first < cursor_ ? cursor_ : it->first;
      if (it->second - start >= bytes) return carve(it, start);
    }
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (it->first >= cursor_) break;
      if (it->second - it->first >= bytes) return carve(it, it->first);
    }
    return std::nullopt;
  }
  void Free(u64 start, u64 bytes) {
    u64 end = start + bytes;
    auto next = free_.lower_bound(start);
    if (next != free_.end() && next->first == end) {
      end = next->second;
      next = free_.erase(next);
    }
    if (next != free_.begin()) {
      auto prev = std::prev(next);
      if (prev->second == start) {
        prev->second = end;
        return;
      }
    }
    free_.emplace(start, end);
  }

 private:
  std::map<u64, u64> free_;
  u64 size_ = 0, cursor_ = 0;
};

struct RefIndex {
  std::map<u64, Mapping> live, quarantine;
  std::vector<u64> fifo;
  std::vector<u64> freed;  // extents handed back, in order

  void Insert(const Mapping& m) { live.emplace_hint(live.end(), m.v.va_page, m); }
  void Release(u64 va, u64 seq, std::size_t capacity) {
    auto it = live.find(va);
    if (it == live.end()) return;
    auto node = live.extract(it);
    node.mapped().released.seq = seq;
    node.mapped().is_released = true;
    if (capacity == 0) {
      freed.push_back(va);
      return;
    }
    quarantine.insert(std::move(node));
    fifo.push_back(va);
    while (fifo.size() > capacity) {
      auto q = quarantine.find(fifo.front());
      fifo.erase(fifo.begin());
      if (q != quarantine.end()) {
        freed.push_back(q->first);
        quarantine.erase(q);
      }
    }
  }
  std::pair<AddressLookup::Kind, u64> Lookup(u64 address) const {
    auto it = live.upper_bound(address);
    if (it != live.begin()) {
      const Mapping& m = std::prev(it)->second;
      u64 off = address - m.v.va_page;
      if (off < m.v.extent) return {address == m.v.base ? AddressLookup::Base : AddressLookup::Interior, m.v.va_page};
      if (off < m.v.extent + kPageSize) return {AddressLookup::Guard, m.v.va_page};
    }
    auto q = quarantine.upper_bound(address);
    if (q != quarantine.begin()) {
      const Mapping& m = std::prev(q)->second;
      u64 off = address - m.v.va_page;
      if (off < m.v.extent) return {AddressLookup::Released, m.v.va_page};
      if (off < m.v.extent + kPageSize) return {AddressLookup::ReleasedGuard, m.v.va_page};
    }
    return {AddressLookup::Nothing, 0};
  }
};

// --- tests ---------------------------------------------------------------------------

TEST(RegionAllocatorTest, MatchesReferenceNextFit) {
  for (u32 seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 g(seed);
    RegionAllocator a;
    RefAllocator r;
    const u64 base = 0x10000000, pages = 64 + seed * 8;
    a.Reset(base, pages * kPageSize + 123);
    r.Reset(base, pages * kPageSize + 123);
    std::vector<std::pair<u64, u64>> held;
    for (int step = 0; step < 4000; ++step) {
      if (held.empty() || g() % 3 != 0) {
        u64 bytes = (1 + g() % 6) * kPageSize;
        auto x = a.Allocate(bytes);
        auto y = r.Allocate(bytes);
        ASSERT_EQ(x, y) << "seed " << seed << " step " << step;
        if (x) held.emplace_back(*x, bytes);
      } else {
        std::size_t i = g() % held.size();
        a.Free(held[i].first, held[i].second);
        r.Free(held[i].first, held[i].second);
        held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
  }
}

TEST(MappingIndexTest, MatchesReferenceLookupsOrderAndQuarantine) {
  for (std::size_t capacity : {std::size_t{0}, std::size_t{1}, std::size_t{5}, std::size_t{64}}) {
    for (u32 seed = 1; seed <= 6; ++seed) {
      std::mt19937_64 g(seed * 977 + capacity);
      RegionAllocator alloc;
      alloc.Reset(0x7000000000, 300 * kPageSize);
      MappingIndex ix;
      RefIndex ref;
      std::vector<u64> freed;
      auto free_fn = [&](const Mapping& m) {
        freed.push_back(m.v.va_page);
        alloc.Free(m.v.va_page, m.v.extent + kPageSize);
      };
      std::vector<u64> live;
      for (int step = 0; step < 3000; ++step) {
        u64 op = g() % 10;
        if (op < 4) {
          u64 extent = (1 + g() % 4) * kPageSize;
          auto va = alloc.Allocate(extent + kPageSize);
          if (!va) continue;
          Mapping m{};
          m.v.va_page = *va;
          m.v.extent = extent;
          m.v.base = *va + (g() % 2 ? 0 : g() % 4096);
          m.created.seq = static_cast<u64>(step);
          ref.Insert(m);
          Mapping& got = ix.Insert(m.v, m.created);
          ASSERT_EQ(got.v.va_page, *va);
          live.push_back(*va);
        } else if (op < 7 && !live.empty()) {
          std::size_t i = g() % live.size();
          CallRecord by;
          by.seq = static_cast<u64>(step);
          ix.Release(live[i], by, capacity, free_fn);
          ref.Release(live[i], by.seq, capacity);
          live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
          ASSERT_EQ(freed, ref.freed) << "seed " << seed << " step " << step;
        } else {
          u64 address = 0x7000000000 - 2 * kPageSize + g() % (304 * kPageSize);
          AddressLookup l = ix.Lookup(address);
          auto want = ref.Lookup(address);
          ASSERT_EQ(l.kind, want.first) << "address " << address << " step " << step;
          if (l.mapping) {
            ASSERT_EQ(l.mapping->v.va_page, want.second);
            if (l.kind == AddressLookup::Released || l.kind == AddressLookup::ReleasedGuard) {
              ASSERT_EQ(l.mapping->released.seq, ref.quarantine.at(want.second).released.seq);
            }
          }
        }
        ASSERT_EQ(ix.quarantined(), ref.quarantine.size());
        ASSERT_EQ(ix.live().size(), ref.live.size());
        if (step % 97 == 0) {
          auto it = ref.live.begin();
          for (const auto& [k, m] : ix.live()) {
            ASSERT_EQ(k, it->first);
            ASSERT_EQ(m.created.seq, it->second.created.seq);
            ++it;
          }
          for (const auto& [k, m] : ref.live) {
            const Mapping* f = ix.FindLive(k);
            ASSERT_NE(f, nullptr);
            ASSERT_EQ(f->v.base, m.v.base);
          }
        }
      }
      std::vector<u64> cleared;
      ix.Clear([&](const Mapping& m) { cleared.push_back(m.v.va_page); });
      std::vector<u64> want;
      for (const auto& [k, m] : ref.live) want.push_back(k);
      for (const auto& [k, m] : ref.quarantine) want.push_back(k);
      ASSERT_EQ(cleared, want);
      ASSERT_EQ(ix.live().size(), 0u);
      ASSERT_EQ(ix.quarantined(), 0u);
    }
  }
}

TEST(PhysMemoryTest, CacheSegmentsMatchPerPageCounts) {
  for (u32 seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 g(seed);
    PhysMemory p;
    constexpr u64 kPages = 48;
    std::vector<std::array<u32, 3>> count(kPages, {0, 0, 0});
    struct Held {
      u64 s, e;
      u32 cache;
    };
    std::vector<Held> held;
    for (int step = 0; step < 5000; ++step) {
      u64 s = g() % kPages, e = s + 1 + g() % 6;
      if (e > kPages) e = kPages;
      u32 cache = static_cast<u32>(g() % 3);
      u64 op = g() % 3;
      if (op == 0 || held.empty()) {
        p.AddCache(s * kPageSize, e * kPageSize, cache);
        for (u64 i = s; i < e; ++i) ++count[i][cache];
        held.push_back({s, e, cache});
      } else if (op == 1) {
        std::size_t i = g() % held.size();
        Held h = held[i];
        held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
        p.RemoveCache(h.s * kPageSize, h.e * kPageSize, h.cache);
        for (u64 j = h.s; j < h.e; ++j) --count[j][h.cache];
      }
      bool want = false;
      for (u64 i = s; i < e; ++i)
        for (u32 c = 0; c < 3; ++c)
          if (c != cache && count[i][c] != 0) want = true;
      ASSERT_EQ(p.CacheConflict(s * kPageSize, e * kPageSize, cache), want) << "seed " << seed << " step " << step;
    }
  }
}

}  // namespace
}  // namespace ddimap::test
