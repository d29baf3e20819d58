#include "containers/page_map.hpp"
#include "machine/no_coverage.hpp"

namespace ddimap {
DDIMAP_NO_COVERAGE_BEGIN

u32 PageMap::NewBlock(u64 bk) {
  u32 b;
  if (!free_.empty()) {
    b = free_.back();  // all kNone: it was unlinked empty
    free_.pop_back();
  } else {
    blocks_.push_back(Block{});
    b = static_cast<u32>(blocks_.size() - 1);
    for (u32& v : blocks_[b].val) v = kNone;
  }
  blocks_[b].key = bk;
  blocks_[b].used = 0;
  dir_.Insert(bk, b);
  Remember(bk, b);
  return b;
}

void PageMap::Emptied(u32 b) {
  // The spare is the only empty block kept linked: the one before it goes.
  if (spare_ != kNone) {
    dir_.Take(blocks_[spare_].key);
    Forget(spare_);
    free_.push_back(spare_);
  }
  spare_ = b;
}

void PageMap::Clear() {
  blocks_.clear();
  free_.clear();
  dir_.Clear();
  memo_key_[0] = memo_key_[1] = 1;
  memo_[0] = memo_[1] = kNone;
  spare_ = kNone;
  n_ = 0;
}

DDIMAP_NO_COVERAGE_END
}  // namespace ddimap
