// Host memory behind the C API's NdisMAllocateSharedMemory (internal.hpp).
#include <cstdio>
#include <cstdlib>
#include <map>

#include "capi/internal.hpp"

namespace ddimap::capi {
namespace {

struct Block {
  void* raw;  // what calloc returned
  u64 length;
  u64 guest;
};

// Keyed by the aligned host base. Process-global like the current machine.
std::map<std::uintptr_t, Block>& Live() {
  static auto* blocks = new std::map<std::uintptr_t, Block>;  // never destroyed: atexit teardown may use it
  return *blocks;
}
// Host bases of freed blocks -> their guest base, until the host reuses the address.
std::map<std::uintptr_t, u64>& Freed() {
  static auto* freed = new std::map<std::uintptr_t, u64>;
  return *freed;
}

}  // namespace

void* AdoptSharedMemory(u64 guest, u64 length) {
  // calloc: large blocks come as untouched zero pages, so a big allocation costs no host memory until written.
  void* raw = std::calloc(1, static_cast<std::size_t>(length) + kPageSize - 1);
  if (raw == nullptr) {
    std::fprintf(stderr, "ddimap: out of host memory for NdisMAllocateSharedMemory of %llu bytes\n",
                 static_cast<unsigned long long>(length));
    std::abort();
  }
  const std::uintptr_t base = (reinterpret_cast<std::uintptr_t>(raw) + kPageMask) & ~std::uintptr_t{kPageMask};
  Live()[base] = Block{raw, length, guest};
  Freed().erase(base);
  return reinterpret_cast<void*>(base);
}

u64 GuestOfShared(const void* host) {
  const auto p = reinterpret_cast<std::uintptr_t>(host);
  auto& live = Live();
  auto it = live.upper_bound(p);
  if (it != live.begin()) {
    --it;
    if (p - it->first < it->second.length) return it->second.guest + (p - it->first);
  }
  if (auto f = Freed().find(p); f != Freed().end()) return f->second;
  return Guest(host);
}

void ForgetSharedMemory(const void* host) {
  const auto p = reinterpret_cast<std::uintptr_t>(host);
  auto it = Live().find(p);
  if (it == Live().end()) return;
  Freed()[p] = it->second.guest;
  std::free(it->second.raw);
  Live().erase(it);
}

void ReleaseAllSharedMemory() {
  for (auto& [base, b] : Live()) std::free(b.raw);
  Live().clear();
  Freed().clear();
}

}  // namespace ddimap::capi
