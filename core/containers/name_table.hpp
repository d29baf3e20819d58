// Interned file names (the FileName argument of call records), by id in
// order of first use. The index is an open-addressing table of ids in one
// vector rather than a node-based map of strings: copying a machine per
// fuzz input then costs two allocations, not one per name.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ddimap/types.hpp"

namespace ddimap {

class NameTable {
 public:
  // Bounded: a fuzzer inventing names must not grow the machine without limit.
  static constexpr std::size_t kMaxNames = 4096;
  std::size_t size() const { return names_.size(); }
  const std::string& operator[](std::size_t id) const { return names_[id]; }
  // The id of `name`, interned now if new; ~0 once the table is full.
  u64 Intern(std::string_view name) {
    if (!slots_.empty())
      for (std::size_t i = Home(name);; i = (i + 1) & (slots_.size() - 1)) {
        if (slots_[i] == 0) break;
        if (names_[slots_[i] - 1] == name) return slots_[i] - 1;
      }
    if (names_.size() >= kMaxNames) return ~0ull;
    names_.emplace_back(name);
    if (names_.size() * 2 > slots_.size()) {
      slots_.assign(slots_.empty() ? 16 : slots_.size() * 2, 0);
      for (std::size_t id = 0; id < names_.size(); ++id) Place(id);
    } else {
      Place(names_.size() - 1);
    }
    return names_.size() - 1;
  }

 private:
  std::size_t Home(std::string_view name) const {
    return std::hash<std::string_view>{}(name) & (slots_.size() - 1);
  }
  void Place(std::size_t id) {
    std::size_t i = Home(names_[id]);
    while (slots_[i] != 0) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = static_cast<u32>(id + 1);
  }

  std::vector<std::string> names_;
  std::vector<u32> slots_;  // id + 1, 0: empty
};

}  // namespace ddimap
