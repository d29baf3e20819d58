#include "program/statuses.hpp"

namespace ddimap::harness {

const std::vector<StatusEntry>& DocumentedStatuses() {
  static const std::vector<StatusEntry> kStatuses = {
      {CallId::NdisMMapIoSpace, kNdisStatusSuccess, false, "NdisMMapIoSpace NDIS_STATUS_SUCCESS"},
      {CallId::NdisMMapIoSpace, kNdisStatusResourceConflict, false, "NdisMMapIoSpace NDIS_STATUS_RESOURCE_CONFLICT"},
      {CallId::NdisMMapIoSpace, kNdisStatusResources, false, "NdisMMapIoSpace NDIS_STATUS_RESOURCES"},
      {CallId::NdisMMapIoSpace, kNdisStatusFailure, false, "NdisMMapIoSpace NDIS_STATUS_FAILURE"},
      {CallId::MmMapIoSpace, 0, true, "MmMapIoSpace non-NULL"},
      {CallId::MmMapIoSpace, 0, false, "MmMapIoSpace NULL"},
      {CallId::MmMapIoSpaceEx, 0, true, "MmMapIoSpaceEx non-NULL"},
      {CallId::MmMapIoSpaceEx, 0, false, "MmMapIoSpaceEx NULL"},
      {CallId::UmdfMapIoSpace, kSOk, false, "IWDFDevice3::MapIoSpace S_OK"},
      {CallId::UmdfMapIoSpace, kEInvalidArg, false, "IWDFDevice3::MapIoSpace E_INVALIDARG"},
      {CallId::UmdfMapIoSpace, kEOutOfMemory, false, "IWDFDevice3::MapIoSpace E_OUTOFMEMORY"},
      {CallId::UmdfGetHardwareRegisterMappedAddress, 0, true, "GetHardwareRegisterMappedAddress non-NULL"},
      {CallId::UmdfGetHardwareRegisterMappedAddress, 0, false, "GetHardwareRegisterMappedAddress NULL"},
      {CallId::NdisOpenFile, kNdisStatusSuccess, false, "NdisOpenFile NDIS_STATUS_SUCCESS"},
      {CallId::NdisOpenFile, kNdisStatusFileNotFound, false, "NdisOpenFile NDIS_STATUS_FILE_NOT_FOUND"},
      {CallId::NdisOpenFile, kNdisStatusResources, false, "NdisOpenFile NDIS_STATUS_RESOURCES"},
      {CallId::NdisOpenFile, kNdisStatusErrorReadingFile, false, "NdisOpenFile NDIS_STATUS_ERROR_READING_FILE"},
      {CallId::NdisMapFile, kNdisStatusSuccess, false, "NdisMapFile NDIS_STATUS_SUCCESS"},
      {CallId::NdisMapFile, kNdisStatusAlreadyMapped, false, "NdisMapFile NDIS_STATUS_ALREADY_MAPPED"},
      {CallId::VideoPortMapMemory, kNoError, false, "VideoPortMapMemory NO_ERROR"},
      {CallId::VideoPortMapMemory, kErrorInvalidParameter, false, "VideoPortMapMemory ERROR_INVALID_PARAMETER"},
      {CallId::VideoPortUnmapMemory, kNoError, false, "VideoPortUnmapMemory NO_ERROR"},
      {CallId::VideoPortUnmapMemory, kErrorInvalidParameter, false, "VideoPortUnmapMemory ERROR_INVALID_PARAMETER"},
  };
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
