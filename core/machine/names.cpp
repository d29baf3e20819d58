// Printable names of enum values, for reports and traces.
#include "ddimap/machine.hpp"
#include "ddimap/types.hpp"

namespace ddimap {

std::string_view CallbackName(Callback c) {
  switch (c) {
    case Callback::None: return "none";
    case Callback::MiniportInitializeEx: return "MiniportInitializeEx";
    case Callback::MiniportHaltEx: return "MiniportHaltEx";
    case Callback::StartDevice: return "IRP_MN_START_DEVICE";
    case Callback::StopDevice: return "IRP_MN_STOP_DEVICE";
    case Callback::RemoveDevice: return "IRP_MN_REMOVE_DEVICE";
    case Callback::SurpriseRemoval: return "IRP_MN_SURPRISE_REMOVAL";
    case Callback::OnPrepareHardware: return "OnPrepareHardware";
    case Callback::OnReleaseHardware: return "OnReleaseHardware";
    case Callback::VideoStartIo: return "HwVidStartIO";
    case Callback::EvtDevicePrepareHardware: return "EvtDevicePrepareHardware";
    case Callback::EvtDeviceReleaseHardware: return "EvtDeviceReleaseHardware";
    case Callback::VideoFindAdapter: return "HwVidFindAdapter";
  }
  return "?";
}

std::string_view CacheTypeName(u64 c) {
  switch (c) {
    case kMmNonCached: return "MmNonCached";
    case kMmCached: return "MmCached";
    case kMmWriteCombined: return "MmWriteCombined";
    case kMmHardwareCoherentCached: return "MmHardwareCoherentCached";
    case kMmNonCachedUnordered: return "MmNonCachedUnordered";
    case kMmUSWCCached: return "MmUSWCCached";
    default: return "";
  }
}

std::string_view NdisStatusName(u64 s) {
  switch (s) {
    case kNdisStatusSuccess: return "NDIS_STATUS_SUCCESS";
    case kNdisStatusFailure: return "NDIS_STATUS_FAILURE";
    case kNdisStatusResources: return "NDIS_STATUS_RESOURCES";
    case kNdisStatusResourceConflict: return "NDIS_STATUS_RESOURCE_CONFLICT";
    case kNdisStatusFileNotFound: return "NDIS_STATUS_FILE_NOT_FOUND";
    case kNdisStatusErrorReadingFile: return "NDIS_STATUS_ERROR_READING_FILE";
    case kNdisStatusAlreadyMapped: return "NDIS_STATUS_ALREADY_MAPPED";
    default: return "";
  }
}

std::string_view HResultName(u64 h) {
  switch (h) {
    case kSOk: return "S_OK";
    case kEInvalidArg: return "E_INVALIDARG";
    case kEOutOfMemory: return "E_OUTOFMEMORY";
    default: return "";
  }
}

std::string_view VpStatusName(u64 s) {
  switch (s) {
    case kNoError: return "NO_ERROR";
    case kErrorInvalidParameter: return "ERROR_INVALID_PARAMETER";
    case kErrorMoreData: return "ERROR_MORE_DATA";
    default: return "";
  }
}

std::string_view ControlStatusName(ControlStatus s) {
  switch (s) {
    case ControlStatus::Ok: return "Ok";
    case ControlStatus::BadObject: return "BadObject";
    case ControlStatus::BadState: return "BadState";
    case ControlStatus::BadArgument: return "BadArgument";
  }
  return "?";
}

}  // namespace ddimap
