#include "machine/phys_memory.hpp"

namespace ddimap {

PhysMemory::PhysMemory(const PhysMemory& o) : ram_(o.ram_), page_index_(o.page_index_), cache_(o.cache_) {
  pages_.reserve(o.pages_.size());
  for (const auto& page : o.pages_) pages_.push_back(std::make_unique<Page>(*page));
}

PhysMemory& PhysMemory::operator=(const PhysMemory& o) {
  if (this == &o) return *this;
  ram_ = o.ram_;
  page_index_ = o.page_index_;
  cache_ = o.cache_;
  pages_.resize(o.pages_.size());
  for (std::size_t i = 0; i < pages_.size(); ++i) {
    if (pages_[i])
      *pages_[i] = *o.pages_[i];
    else
      pages_[i] = std::make_unique<Page>(*o.pages_[i]);
  }
  return *this;
}

bool PhysMemory::OverlapsRam(u64 start, u64 length) const {
  for (const auto& r : ram_)
    if (Overlaps(start, length, r.start, r.length)) return true;
  return false;
}

u64 PhysMemory::Load(PhysSpace space, u64 pa, unsigned width) const {
  if ((pa & kPageMask) + width <= kPageSize) {  // within one page: the usual register access
    const Page* page = FindPage(Key(space, pa));
    if (!page) return 0;
    const u8* p = page->data() + (pa & kPageMask);
    u64 value = 0;
    for (unsigned i = 0; i < width; ++i) value |= static_cast<u64>(p[i]) << (8 * i);
    return value;
  }
  u64 value = 0, key = 0;
  const Page* page = nullptr;
  for (unsigned i = 0; i < width; ++i) {
    u64 a = pa + i;
    if (i == 0 || Key(space, a) != key) page = FindPage(key = Key(space, a));
    if (page) value |= static_cast<u64>((*page)[a & kPageMask]) << (8 * i);
  }
  return value;
}

void PhysMemory::Store(PhysSpace space, u64 pa, unsigned width, u64 value) {
  u64 key = 0;
  Page* page = nullptr;
  for (unsigned i = 0; i < width; ++i) {
    u64 a = pa + i;
    if (i == 0 || Key(space, a) != key) {
      page = FindPage(key = Key(space, a));
      if (!page) {
        page_index_.Insert(key, static_cast<u32>(pages_.size()));
        pages_.push_back(std::make_unique<Page>(Page{}));
        page = pages_.back().get();
      }
    }
    (*page)[a & kPageMask] = static_cast<u8>(value >> (8 * i));
  }
}

}  // namespace ddimap
