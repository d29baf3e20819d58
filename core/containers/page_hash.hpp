// va_page -> slot, open addressing with linear probing (no tombstones): the
// exact-address lookup every unmap and access starts with.
#pragma once

#include <cstddef>
#include <vector>

#include "ddimap/types.hpp"

namespace ddimap {

class PageHash {
 public:
  static constexpr u32 kNone = ~0u;
  std::size_t size() const { return n_; }
  u32 Find(u64 key) const {
    if (n_ == 0) return kNone;
    for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
      const Entry& e = t_[i];
      if (e.val == kNone) return kNone;
      if (e.key == key) return e.val;
    }
  }
  void Insert(u64 key, u32 val) {  // key must be absent
    if ((n_ + 1) * 2 > t_.size()) Grow();
    std::size_t i = Home(key);
    while (t_[i].val != kNone) i = (i + 1) & mask_;
    t_[i] = Entry{key, val};
    ++n_;
  }
  // Inserts unless `key` is present (then returns false): one probe sequence.
  bool InsertNew(u64 key, u32 val) {
    if ((n_ + 1) * 2 > t_.size()) Grow();
    std::size_t i = Home(key);
    for (; t_[i].val != kNone; i = (i + 1) & mask_)
      if (t_[i].key == key) return false;
    t_[i] = Entry{key, val};
    ++n_;
    return true;
  }
  // Removes `key` and returns its value (kNone when absent): one probe
  // sequence where Find then Erase would take two.
  u32 Take(u64 key) {
    if (n_ == 0) return kNone;
    for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
      if (t_[i].val == kNone) return kNone;
      if (t_[i].key == key) {
        u32 val = t_[i].val;
        EraseAt(i);
        return val;
      }
    }
  }
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
  void SetSize(std::size_t size);
  void EraseAt(std::size_t i);

  std::vector<Entry> t_;
  std::size_t mask_ = 0, n_ = 0;
  unsigned shift_ = 63;
};

}  // namespace ddimap
