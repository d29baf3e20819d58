// Host memory the C API hands to driver code in place of a guest object
// (capi/internal.hpp): a video HwDeviceExtension of the miniport's size.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "capi/internal.hpp"

namespace ddimap::capi {
namespace {

struct HostObject {
  std::uintptr_t begin;
  std::uintptr_t end;  // one past the last byte (begin + max(size, 1))
  u64 guest;
};

// Sorted by begin; a driver has a handful of objects.
std::vector<HostObject>& Objects() {
  static std::vector<HostObject> objects;
  return objects;
}

}  // namespace

void* NewHostObject(u64 guest, std::size_t size) {
  // Zeroed, as VideoPortInitialize hands a miniport its extension, and aligned
  // for any structure the driver lays over it.
  const std::size_t bytes = std::max<std::size_t>(size, 1);
  void* p = std::aligned_alloc(16, (bytes + 15) & ~static_cast<std::size_t>(15));
  if (p == nullptr) return nullptr;
  std::memset(p, 0, bytes);
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  std::vector<HostObject>& objects = Objects();
  const HostObject o{begin, begin + bytes, guest};
  objects.insert(std::upper_bound(objects.begin(), objects.end(), o,
                                  [](const HostObject& a, const HostObject& b) { return a.begin < b.begin; }),
                 o);
  return p;
}

// Only the object's own address names it (not an interior pointer), as the
// DDIs take the HwDeviceExtension pointer itself.
u64 GuestObject(const volatile void* p) {
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  const std::vector<HostObject>& objects = Objects();
  const auto it = std::lower_bound(objects.begin(), objects.end(), address,
                                   [](const HostObject& o, std::uintptr_t a) { return o.begin < a; });
  if (it != objects.end() && it->begin == address) return it->guest;
  return Guest(p);
}

void ReleaseHostObjects() {
  for (const HostObject& o : Objects()) std::free(reinterpret_cast<void*>(o.begin));
  Objects().clear();
}

}  // namespace ddimap::capi
