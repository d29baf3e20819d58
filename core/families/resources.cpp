// The resource queries: a driver asks for the resources the PnP manager
// assigned (AssignResource) and gets exactly those, in assignment order.
// KMDF's WdfCmResourceList* and NDIS's NdisMQueryAdapterResources (docs/contracts.md).
#include "families/common.hpp"
#include "families/families.hpp"

namespace ddimap {
namespace {

std::size_t CountOf(const Machine::State& s, u64 owner) {
  std::size_t n = 0;
  for (const ResourceRange& r : s.resources) n += r.owner == owner;
  return n;
}

const ResourceRange* Nth(const Machine::State& s, u64 owner, u64 index) {
  for (const ResourceRange& r : s.resources)
    if (r.owner == owner && index-- == 0) return &r;
  return nullptr;
}

// The list a KMDF driver receives exists from EvtDevicePrepareHardware until
// EvtDeviceReleaseHardware returns; any other value is an invalid handle.
bool CheckResList(Machine::State& s, u64 list) {
  const WdmDevice* d = s.FindWdm(list);
  if (d && d->hardware_prepared) return true;
  s.Violation(RuleId::MmIoResListHandle, [&] {
    return d ? "List " + Hex(list) + " belongs to a device whose hardware is not prepared"
             : "List " + Hex(list) + " is not a resource list the framework passed";
  });
  return false;
}

}  // namespace

std::vector<Machine::ResourceView> Machine::Resources(u64 object) const {
  std::vector<ResourceView> out;
  for (const ResourceRange& r : s_->resources)
    if (r.owner == object) out.push_back({r.space, r.start, r.length});
  return out;
}

u64 Machine::WdfCmResourceListGetCount(u64 List) {
  State& s = *s_;
  if (!s.Begin(CallId::WdfCmResourceListGetCount, {List})) return 0;
  if (!families::CheckIrql(s, CallId::WdfCmResourceListGetCount)) return 0;
  if (!CheckResList(s, List)) return 0;
  return CountOf(s, List);
}

u64 Machine::WdfCmResourceListGetDescriptor(u64 List, u64 Index) {
  State& s = *s_;
  if (!s.Begin(CallId::WdfCmResourceListGetDescriptor, {List, Index})) return kCmResourceTypeNull;
  if (!families::CheckIrql(s, CallId::WdfCmResourceListGetDescriptor)) return kCmResourceTypeNull;
  if (!CheckResList(s, List)) return kCmResourceTypeNull;
  const ResourceRange* r = Nth(s, List, Index);
  if (!r) return kCmResourceTypeNull;
  return r->space == PhysSpace::Port ? kCmResourceTypePort : kCmResourceTypeMemory;
}

NdisStatus Machine::NdisMQueryAdapterResources(NdisStatus* Status, u64 WrapperConfigurationContext,
                                               u32* ResourceList, u32* BufferSize) {
  State& s = *s_;
  const u8 nulls = (Status ? 0 : 1) | (ResourceList ? 0 : 4) | (BufferSize ? 0 : 8);
  if (ResourceList) *ResourceList = 0;
  auto finish = [&](NdisStatus st) {
    if (Status) *Status = st;
    return st;
  };
  if (!s.Begin(CallId::NdisMQueryAdapterResources,
               {0, WrapperConfigurationContext, 0, BufferSize ? *BufferSize : 0u}, nulls))
    return finish(kNdisStatusFailure);
  if (!Status || !BufferSize) {
    s.Violation(RuleId::CommonNullPointer,
                [&] { return std::string(!Status ? "Status" : "BufferSize") + " is NULL"; });
    return finish(kNdisStatusFailure);
  }
  if (!families::CheckIrql(s, CallId::NdisMQueryAdapterResources)) return finish(kNdisStatusFailure);
  if (s.cb != Callback::MiniportInitializeEx || s.cb_object != WrapperConfigurationContext) {
    s.Violation(RuleId::NdisIoQueryContext, [&] {
      return "WrapperConfigurationContext " + Hex(WrapperConfigurationContext) +
             " is not the adapter whose MiniportInitializeEx is running";
    });
    return finish(kNdisStatusFailure);
  }
  const std::size_t count = CountOf(s, WrapperConfigurationContext);
  if (count == 0) return finish(kNdisStatusFailure);
  const u64 needed = kCmPartialResourceListHeader + u64{kCmPartialResourceDescriptorSize} * count;
  if (*BufferSize < needed) {
    *BufferSize = static_cast<u32>(needed);
    return finish(kNdisStatusResources);
  }
  if (!ResourceList) {
    s.Violation(RuleId::CommonNullPointer, [&] { return "ResourceList is NULL"; });
    return finish(kNdisStatusFailure);
  }
  *ResourceList = static_cast<u32>(count);
  *BufferSize = static_cast<u32>(needed);
  return finish(kNdisStatusSuccess);
}

VpStatus Machine::VideoPortGetAccessRanges(u64 HwDeviceExtension, u32 NumRequestedResources,
                                           bool RequestedResources, u32 NumAccessRanges, u32* AccessRanges,
                                           bool VendorId, bool DeviceId, u32* Slot) {
  State& s = *s_;
  const u8 nulls = (RequestedResources ? 0 : 1u << 2) | (AccessRanges ? 0 : 1u << 4) | (VendorId ? 0 : 1u << 5) |
                   (DeviceId ? 0 : 1u << 6) | (Slot ? 0 : 1u << 7);
  if (AccessRanges) *AccessRanges = 0;
  if (!s.Begin(CallId::VideoPortGetAccessRanges,
               {HwDeviceExtension, NumRequestedResources, 0, NumAccessRanges, 0, 0, 0, 0}, nulls))
    return kErrorInvalidParameter;
  if (!s.FindVideo(HwDeviceExtension)) {
    s.Violation(RuleId::VideoBadDevice,
                [&] { return "HwDeviceExtension " + Hex(HwDeviceExtension) + " is not a video miniport device"; });
    return kErrorInvalidParameter;
  }
  if (!families::CheckIrql(s, CallId::VideoPortGetAccessRanges)) return kErrorInvalidParameter;
  // Claiming resources a legacy driver lists itself is not modelled: the
  // model's devices are PnP devices whose ranges were assigned.
  if (RequestedResources && NumRequestedResources != 0) return kErrorInvalidParameter;
  const std::size_t count = CountOf(s, HwDeviceExtension);
  if (count > NumAccessRanges) return kErrorMoreData;
  if (count != 0 && !AccessRanges) {
    s.Violation(RuleId::CommonNullPointer, [&] { return "AccessRanges is NULL"; });
    return kErrorInvalidParameter;
  }
  if (AccessRanges) *AccessRanges = static_cast<u32>(count);
  if (Slot) *Slot = static_cast<u32>(HandleSerial(HwDeviceExtension) - 1);
  return kNoError;
}

}  // namespace ddimap
