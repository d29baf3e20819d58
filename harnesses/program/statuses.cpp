#include "program/statuses.hpp"

#include <string>

namespace ddimap::harness {

const std::vector<StatusEntry>& DocumentedStatuses() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> n;
    for (const StatusDesc& s : AllStatuses()) n.push_back(std::string(Call(s.id).name) + " " + std::string(s.name));
    return n;
  }();
  static const std::vector<StatusEntry> kStatuses = [] {
    std::vector<StatusEntry> e;
    std::size_t i = 0;
    for (const StatusDesc& s : AllStatuses()) e.push_back({s.id, s.value, s.nonnull, kNames[i++]});
    return e;
  }();
  return kStatuses;
}

int StatusIndex(CallId id, u64 ret) {
  const auto& all = DocumentedStatuses();
  for (std::size_t i = 0; i < all.size(); ++i) {
    const StatusEntry& e = all[i];
    if (e.id != id) continue;
    if (e.nonzero ? ret != 0 : ret == e.value) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace ddimap::harness
