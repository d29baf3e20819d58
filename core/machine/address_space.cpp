#include "machine/address_space.hpp"

#include <iterator>

namespace ddimap {

void RegionAllocator::Reset(u64 base, u64 size) {
  base_ = base;
  size_ = size & ~kPageMask;
  cursor_ = base;
  free_.clear();
  if (size_ != 0) free_.emplace(base_, base_ + size_);
}

std::optional<u64> RegionAllocator::Allocate(u64 bytes) {
  if (bytes == 0 || bytes > size_ || free_.empty()) return std::nullopt;
  auto carve = [&](std::map<u64, u64>::iterator it, u64 start) {
    u64 block_start = it->first, end = it->second;
    free_.erase(it);
    if (block_start < start) free_.emplace(block_start, start);
    if (start + bytes < end) free_.emplace(start + bytes, end);
    cursor_ = start + bytes;
    return start;
  };
  // Next-fit: first from the cursor up to the region end (usually the one big
  // tail block, so O(log n)), then wrap round and take the first block that
  // fits from its start.
  auto first = free_.upper_bound(cursor_);
  if (first != free_.begin() && std::prev(first)->second > cursor_) --first;
  for (auto it = first; it != free_.end(); ++it) {
    u64 start = it->first < cursor_ ? cursor_ : it->first;
    if (it->second - start >= bytes) return carve(it, start);
  }
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->first >= cursor_) break;  // tried above, from the same start
    if (it->second - it->first >= bytes) return carve(it, it->first);
  }
  return std::nullopt;
}

void RegionAllocator::Free(u64 start, u64 bytes) {
  if (bytes == 0) return;
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

Mapping& MappingIndex::Insert(Mapping m) {
  u64 key = m.v.va_page;
  // Addresses grow, so the hint makes the usual insert amortised O(1).
  auto it = live_.emplace_hint(live_.end(), key, std::move(m));
  return it->second;
}

Mapping* MappingIndex::FindLive(u64 va_page) {
  auto it = live_.find(va_page);
  return it == live_.end() ? nullptr : &it->second;
}

const Mapping* MappingIndex::FindLive(u64 va_page) const {
  auto it = live_.find(va_page);
  return it == live_.end() ? nullptr : &it->second;
}

AddressLookup MappingIndex::Lookup(u64 address) const {
  auto it = live_.upper_bound(address);
  if (it != live_.begin()) {
    const Mapping& m = std::prev(it)->second;
    u64 off = address - m.v.va_page;
    if (off < m.v.extent)
      return {address == m.v.base ? AddressLookup::Base : AddressLookup::Interior, &m};
    if (off < m.v.extent + kPageSize) return {AddressLookup::Guard, &m};
  }
  auto q = quarantine_.upper_bound(address);
  if (q != quarantine_.begin()) {
    const Mapping& m = std::prev(q)->second;
    u64 off = address - m.v.va_page;
    if (off < m.v.extent) return {AddressLookup::Released, &m};
    if (off < m.v.extent + kPageSize) return {AddressLookup::ReleasedGuard, &m};
  }
  return {};
}

}  // namespace ddimap
