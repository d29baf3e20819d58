#include "containers/page_hash.hpp"
#include "machine/no_coverage.hpp"

namespace ddimap {
DDIMAP_NO_COVERAGE_BEGIN

void PageHash::SetSize(std::size_t size) {
  t_.assign(size, Entry{});
  mask_ = size - 1;
  shift_ = 64;
  for (std::size_t s = size; s > 1; s >>= 1) --shift_;
}

void PageHash::Grow() {
  if (t_.empty()) {  // in the storage an assignment from an empty table left
    SetSize(64);
    return;
  }
  std::vector<Entry> old = std::move(t_);
  SetSize(old.size() * 2);
  for (const Entry& e : old) {
    if (e.val == kNone) continue;
    std::size_t i = Home(e.key);
    while (t_[i].val != kNone) i = (i + 1) & mask_;
    t_[i] = e;
  }
}

void PageHash::EraseAt(std::size_t i) {
  // Backward-shift deletion: pull later members of the cluster into the hole
  // when their home position allows it.
  for (std::size_t j = i;;) {
    j = (j + 1) & mask_;
    if (t_[j].val == kNone) break;
    std::size_t home = Home(t_[j].key);
    if (((j - home) & mask_) >= ((j - i) & mask_)) {
      t_[i] = t_[j];
      i = j;
    }
  }
  t_[i] = Entry{};
  --n_;
}

void PageHash::Clear() {
  for (Entry& e : t_) e = Entry{};
  n_ = 0;
}

DDIMAP_NO_COVERAGE_END
}  // namespace ddimap
