// PAGED_CODE and the resource queries (sem "Resource queries"): what a driver is told is
// what the world assigned, counted and ordered from resources_.
#include "model_internal.hpp"
#include "oracle.hpp"

namespace ddimap::oracle {

using detail::FindBy;

namespace {
// sizes of CM_PARTIAL_RESOURCE_LIST on x64 (wdm.h, packed to 4): Version, Revision, Count,
// then 20 bytes a descriptor
constexpr u64 kListHeader = 8;
constexpr u64 kDescriptor = 20;
}  // namespace

void Model::PagedCode() {
  if (!Begin()) return;
  // sem: above APC_LEVEL, COMMON.PAGED_CODE_IRQL
  if (irql_ > kApcLevel) Report(RuleId::CommonPagedCodeIrql);
}

// sem: the list is valid from entering EvtDevicePrepareHardware until EvtDeviceReleaseHardware
// returns; the IRQL (<= DISPATCH_LEVEL) comes first
bool Model::ResListUsable(u64 List) {
  if (irql_ > kDispatchLevel) return Report(RuleId::MmIoResListIrql), false;
  const WdmDevice* d = FindBy(wdm_, &WdmDevice::handle, List);
  if (!d || !d->kmdf_prepared) return Report(RuleId::MmIoResListHandle), false;
  return true;
}

std::vector<Model::Resource> Model::ResourcesOf(u64 owner) const {
  std::vector<Resource> out;
  for (const Resource& r : resources_)
    if (r.owner == owner) out.push_back(r);
  return out;
}

u64 Model::WdfCmResourceListGetCount(u64 List) {
  if (!Begin()) return 0;
  if (!ResListUsable(List)) return 0;
  return ResourcesOf(List).size();
}

u64 Model::WdfCmResourceListGetDescriptor(u64 List, u64 Index) {
  if (!Begin()) return 0;
  if (!ResListUsable(List)) return 0;
  const std::vector<Resource> rs = ResourcesOf(List);
  // sem: an index past the end is the DDI's NULL (CmResourceTypeNull, 0)
  if (Index >= rs.size()) return 0;
  return rs[Index].space == PhysSpace::Port ? 1 /* CmResourceTypePort */ : 3 /* CmResourceTypeMemory */;
}

NdisStatus Model::NdisMQueryAdapterResources(NdisStatus* Status, u64 WrapperConfigurationContext,
                                             u32* ResourceList, u32* BufferSize) {
  // sem: *ResourceList (the list's Count) is 0 unless the call succeeds; *BufferSize changes
  // only for NDIS_STATUS_RESOURCES and success
  if (ResourceList) *ResourceList = 0;
  auto done = [&](NdisStatus st) {
    if (Status) *Status = st;
    return st;
  };
  if (!Begin()) return done(kNdisStatusFailure);
  if (!Status || !BufferSize) return Report(RuleId::CommonNullPointer), done(kNdisStatusFailure);
  if (irql_ != kPassiveLevel) return Report(RuleId::NdisIoQueryIrql), done(kNdisStatusFailure);
  if (callback_ != Callback::MiniportInitializeEx || callback_object_ != WrapperConfigurationContext)
    return Report(RuleId::NdisIoQueryContext), done(kNdisStatusFailure);
  const std::size_t n = ResourcesOf(WrapperConfigurationContext).size();
  // sem: an adapter without resources has no list: NDIS_STATUS_FAILURE, no report
  if (n == 0) return done(kNdisStatusFailure);
  const u64 bytes = kListHeader + kDescriptor * n;
  if (*BufferSize < bytes) {
    *BufferSize = static_cast<u32>(bytes);
    return done(kNdisStatusResources);
  }
  // sem: ResourceList is written through only when the buffer is big enough
  if (!ResourceList) return Report(RuleId::CommonNullPointer), done(kNdisStatusFailure);
  *ResourceList = static_cast<u32>(n);
  *BufferSize = static_cast<u32>(bytes);
  return done(kNdisStatusSuccess);
}

VpStatus Model::VideoPortGetAccessRanges(u64 HwDeviceExtension, u32 NumRequestedResources,
                                         bool RequestedResources, u32 NumAccessRanges, u32* AccessRanges,
                                         bool /*VendorId*/, bool /*DeviceId*/, u32* Slot) {
  // sem: *AccessRanges (elements filled) and *Slot are written only on NO_ERROR
  if (AccessRanges) *AccessRanges = 0;
  if (!Begin()) return kErrorInvalidParameter;
  if (!FindBy(video_, &VideoDevice::handle, HwDeviceExtension))
    return Report(RuleId::VideoBadDevice), kErrorInvalidParameter;
  if (irql_ != kPassiveLevel) return Report(RuleId::VideoAccessRangesIrql), kErrorInvalidParameter;
  // sem: a driver that lists the resources it wants (the legacy path) gets ERROR_INVALID_PARAMETER
  if (RequestedResources && NumRequestedResources > 0) return kErrorInvalidParameter;
  const std::size_t n = ResourcesOf(HwDeviceExtension).size();
  // sem: too few elements: ERROR_MORE_DATA, nothing written
  if (n > NumAccessRanges) return kErrorMoreData;
  if (n > 0 && !AccessRanges) return Report(RuleId::CommonNullPointer), kErrorInvalidParameter;
  if (AccessRanges) *AccessRanges = static_cast<u32>(n);
  // sem: the slot number of video device N (video0 is 0) is N
  if (Slot) {
    u32 index = 0;
    while (video_[index].handle != HwDeviceExtension) ++index;
    *Slot = index;
  }
  return kNoError;
}

}  // namespace ddimap::oracle
