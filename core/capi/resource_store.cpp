#include "capi/resource_store.hpp"

#include <cstddef>
#include <cstring>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace ddimap::capi {
namespace {

static_assert(sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR) == kCmPartialResourceDescriptorSize);
static_assert(offsetof(CM_PARTIAL_RESOURCE_LIST, PartialDescriptors) == kCmPartialResourceListHeader);
static_assert(sizeof(CM_PARTIAL_RESOURCE_LIST) == kCmPartialResourceListHeader + kCmPartialResourceDescriptorSize);
static_assert(CmResourceTypePort == kCmResourceTypePort && CmResourceTypeMemory == kCmResourceTypeMemory);

struct Store {
  // std::map nodes never move: a pointer handed out stays valid.
  std::map<std::pair<u64, u64>, CM_PARTIAL_RESOURCE_DESCRIPTOR> descriptors;
  // Every list built (a later one, after more resources were assigned, does
  // not invalidate an earlier one the driver may still hold).
  std::vector<std::unique_ptr<unsigned char[]>> lists;
  std::map<u64, std::pair<PCM_PARTIAL_RESOURCE_LIST, u32>> latest;  // owner -> list, count
};

Store* g_store = nullptr;

Store& TheStore() {
  if (g_store == nullptr) g_store = new Store;
  return *g_store;
}

CM_PARTIAL_RESOURCE_DESCRIPTOR Describe(const Machine::ResourceView& r) {
  CM_PARTIAL_RESOURCE_DESCRIPTOR d;
  std::memset(&d, 0, sizeof d);  // every byte: drivers compare and copy them
  d.ShareDisposition = CmResourceShareDeviceExclusive;
  const ULONG length = r.length > 0xFFFFFFFFull ? 0xFFFFFFFFu : static_cast<ULONG>(r.length);
  if (r.space == PhysSpace::Port) {
    d.Type = CmResourceTypePort;
    d.Flags = CM_RESOURCE_PORT_IO;
    d.u.Port.Start.QuadPart = static_cast<LONGLONG>(r.start);
    d.u.Port.Length = length;
  } else {
    d.Type = CmResourceTypeMemory;
    d.Flags = CM_RESOURCE_MEMORY_READ_WRITE;
    d.u.Memory.Start.QuadPart = static_cast<LONGLONG>(r.start);
    d.u.Memory.Length = length;
  }
  return d;
}

}  // namespace

PCM_PARTIAL_RESOURCE_DESCRIPTOR StoredDescriptor(const Machine& m, u64 owner, u64 index) {
  const std::vector<Machine::ResourceView> rs = m.Resources(owner);
  if (index >= rs.size()) return nullptr;
  auto [it, fresh] = TheStore().descriptors.try_emplace({owner, index});
  if (fresh) it->second = Describe(rs[index]);
  return &it->second;
}

void FillResourceList(const Machine& m, u64 owner, PCM_PARTIAL_RESOURCE_LIST list, u32 count) {
  const std::vector<Machine::ResourceView> rs = m.Resources(owner);
  list->Version = 1;
  list->Revision = 1;
  list->Count = count;
  // Through a pointer: PartialDescriptors is declared [1] and holds `count`.
  PCM_PARTIAL_RESOURCE_DESCRIPTOR out = list->PartialDescriptors;
  for (u32 i = 0; i < count && i < rs.size(); ++i) out[i] = Describe(rs[i]);
}

PCM_PARTIAL_RESOURCE_LIST StoredList(const Machine& m, u64 owner) {
  const auto count = static_cast<u32>(m.Resources(owner).size());
  if (count == 0) return nullptr;
  Store& st = TheStore();
  auto at = st.latest.find(owner);
  if (at != st.latest.end() && at->second.second == count) return at->second.first;
  const std::size_t bytes = kCmPartialResourceListHeader + std::size_t{kCmPartialResourceDescriptorSize} * count;
  auto& buffer = st.lists.emplace_back(new unsigned char[bytes]());
  auto* list = reinterpret_cast<PCM_PARTIAL_RESOURCE_LIST>(buffer.get());
  FillResourceList(m, owner, list, count);
  st.latest[owner] = {list, count};
  return list;
}

void FillAccessRanges(const Machine& m, u64 owner, PVIDEO_ACCESS_RANGE ranges, u32 count) {
  const std::vector<Machine::ResourceView> rs = m.Resources(owner);
  for (u32 i = 0; i < count && i < rs.size(); ++i) {
    VIDEO_ACCESS_RANGE r{};
    r.RangeStart.QuadPart = static_cast<LONGLONG>(rs[i].start);
    r.RangeLength = rs[i].length > 0xFFFFFFFFull ? 0xFFFFFFFFu : static_cast<ULONG>(rs[i].length);
    r.RangeInIoSpace = rs[i].space == PhysSpace::Port ? 1 : 0;
    ranges[i] = r;
  }
}

void ReleaseResourceStore() {
  delete g_store;
  g_store = nullptr;
}

}  // namespace ddimap::capi
