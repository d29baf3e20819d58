// va_page -> u32, for the live mappings: the exact-address lookup every
// unmap and access starts with.
//
// A page hash over 1e5 live mappings spans megabytes, and next-fit hands out
// a fresh address with every map, so each new key would land on a cold line.
// Here keys are grouped in blocks of 64 neighbouring pages, each block a small
// array found through a hash of blocks (and a memo of the two blocks used
// last): a new mapping next to the previous one lands in the same, warm
// block. Two, because a release's quarantine eviction works at the other end
// of the address order: the block of the oldest quarantined mappings.
//
// A block is unlinked once empty, except the one emptied last, which stays
// as the spare: mapping and unmapping at the same place (the common
// map/unmap pair) then never allocates or unlinks.
#pragma once

#include <cstddef>
#include <vector>

#include "ddimap/types.hpp"
#include "containers/page_hash.hpp"

namespace ddimap {

class PageMap {
 public:
  static constexpr u32 kNone = ~0u;
  std::size_t size() const { return n_; }
  u32 Find(u64 key) const {
    u32 b = FindBlock(BlockKey(key));
    return b == kNone ? kNone : blocks_[b].val[Index(key)];
  }
  void Insert(u64 key, u32 val) {  // key must be absent; val != kNone
    u64 bk = BlockKey(key);
    u32 b = FindBlock(bk);
    if (b == kNone) b = NewBlock(bk);
    if (b == spare_) spare_ = kNone;  // in use again
    Block& blk = blocks_[b];
    blk.val[Index(key)] = val;
    ++blk.used;
    ++n_;
  }
  // Removes `key` and returns its value (kNone when absent).
  u32 Take(u64 key) {
    u32 b = FindBlock(BlockKey(key));
    if (b == kNone) return kNone;
    Block& blk = blocks_[b];
    u32 val = blk.val[Index(key)];
    if (val == kNone) return kNone;
    blk.val[Index(key)] = kNone;
    --n_;
    if (--blk.used == 0) Emptied(b);
    return val;
  }
  void Clear();

 private:
  static constexpr unsigned kBlockPages = 64;
  struct Block {
    u32 val[kBlockPages];  // kNone: absent
    u32 used;              // values present
    u64 key;               // BlockKey of its pages
  };
  static u64 BlockKey(u64 key) { return key & ~(kBlockPages * kPageSize - 1); }
  static unsigned Index(u64 key) { return static_cast<unsigned>(key >> 12) & (kBlockPages - 1); }
  u32 FindBlock(u64 bk) const {
    if (bk == memo_key_[0]) return memo_[0];
    if (bk == memo_key_[1]) return memo_[1];
    u32 b = dir_.Find(bk);
    if (b != kNone) Remember(bk, b);
    return b;
  }
  void Remember(u64 bk, u32 b) const {  // the older entry goes
    memo_key_[1] = memo_key_[0];
    memo_[1] = memo_[0];
    memo_key_[0] = bk;
    memo_[0] = b;
  }
  void Forget(u32 b) {
    for (int i = 0; i < 2; ++i)
      if (memo_[i] == b) memo_key_[i] = 1;
  }
  u32 NewBlock(u64 bk);
  void Emptied(u32 b);

  std::vector<Block> blocks_;
  std::vector<u32> free_;         // unlinked blocks, all kNone
  PageHash dir_;                  // linked blocks by BlockKey
  mutable u64 memo_key_[2] = {1, 1};  // FindBlock's memo (1: no BlockKey)
  mutable u32 memo_[2] = {kNone, kNone};
  u32 spare_ = kNone;             // the linked block emptied last
  std::size_t n_ = 0;
};

}  // namespace ddimap
