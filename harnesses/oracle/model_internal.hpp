// Helpers the oracle's files share; nothing here is the core's.
#pragma once

#include <algorithm>

#include "ddimap/types.hpp"

namespace ddimap::oracle::detail {

// a in [start, start+length)
inline bool Contains(u64 start, u64 length, u64 a) { return a >= start && a - start < length; }

// The one lookup of the model: the first element of `items` whose member `key` equals
// `value` (a handle, an id, a name), or nullptr. Linear, like every scan of the oracle.
template <class Items, class Member, class Value>
auto FindBy(Items& items, Member key, const Value& value) -> decltype(&*items.begin()) {
  const auto it = std::ranges::find(items, value, key);
  return it == items.end() ? nullptr : &*it;
}

// Writes the documented failure out-value (zero) where the caller gave a place for it.
template <class... Out>
void ClearOut(Out*... out) {
  ((out ? void(*out = Out{}) : void()), ...);
}

}  // namespace ddimap::oracle::detail
