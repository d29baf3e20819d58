// Vocabulary shared by the core, the harnesses and the C API glue.
// Every value here is a *guest* value: addresses and handles are numbers the
// simulated machine hands out deterministically, never host pointers, so the
// same input always prints the same report.
#pragma once

#include <cstdint>
#include <string_view>

namespace ddimap {

using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;

inline constexpr u64 kPageSize = 4096;
inline constexpr u64 kPageMask = kPageSize - 1;

// x64 IRQLs. Anything above kHighLevel is refused by SetIrql.
inline constexpr u8 kPassiveLevel = 0;
inline constexpr u8 kApcLevel = 1;
inline constexpr u8 kDispatchLevel = 2;
inline constexpr u8 kHighLevel = 15;

// VideoBase and NdisShared came later: appended so the other values keep their numbers.
enum class Family : u8 { Machine, Common, NdisIo, MmIo, UmdfIo, NdisFile, Video, Access, VideoBase, NdisShared };
constexpr std::string_view FamilyName(Family f) {
  switch (f) {
    case Family::Machine: return "MACHINE";
    case Family::Common: return "COMMON";
    case Family::NdisIo: return "NDIS_IO";
    case Family::MmIo: return "MM_IO";
    case Family::UmdfIo: return "UMDF_IO";
    case Family::NdisFile: return "NDIS_FILE";
    case Family::Video: return "VIDEO";
    case Family::Access: return "ACCESS";
    case Family::VideoBase: return "VIDEO_BASE";
    case Family::NdisShared: return "NDIS_SHARED";
  }
  return "?";
}

// The driver callback the single simulated thread is currently running.
enum class Callback : u8 {
  None,
  MiniportInitializeEx,
  MiniportHaltEx,
  StartDevice,      // IRP_MN_START_DEVICE
  StopDevice,       // IRP_MN_STOP_DEVICE
  RemoveDevice,     // IRP_MN_REMOVE_DEVICE
  SurpriseRemoval,  // IRP_MN_SURPRISE_REMOVAL
  OnPrepareHardware,
  OnReleaseHardware,
  VideoStartIo,     // HwVidStartIO handling an IOCTL
  // KMDF, on a WDM device object: the framework's prepare/release pair, in
  // which a KMDF driver maps with MmMapIoSpace(Ex) and unmaps.
  EvtDevicePrepareHardware,
  EvtDeviceReleaseHardware,
  VideoFindAdapter, // HwVidFindAdapter (VideoPortGetDeviceBase's context)
};
inline constexpr int kCallbackCount = 13;
std::string_view CallbackName(Callback c);

// Handles are tagged guest values: the top byte names the object kind, the
// rest is a per-kind serial that is never reused within one machine. That lets
// the core tell "never created" from "already closed" without remembering
// every closed object.
enum class HandleKind : u8 {
  Adapter = 0xA0,   // NDIS miniport adapter (NDIS_HANDLE)
  WdmDevice = 0xD0, // WDM device object
  UmdfDevice = 0xE0,// UMDF 1.x device (IWDFDevice3*)
  File = 0xF0,      // NdisOpenFile handle
  Video = 0xB0,     // video miniport HwDeviceExtension
  Process = 0x50,   // simulated process handle
};
inline constexpr u64 MakeHandle(HandleKind k, u64 serial) {
  return (static_cast<u64>(k) << 56) | serial;
}
inline constexpr bool HandleIs(u64 h, HandleKind k) {
  return (h >> 56) == static_cast<u64>(k) && (h & 0x00FFFFFFFFFFFFFFull) != 0;
}
inline constexpr u64 HandleSerial(u64 h) { return h & 0x00FFFFFFFFFFFFFFull; }

// Guest virtual-address regions. User mappings of every process are allocated
// from one region so that an address names its process unambiguously; UMDF
// pseudo addresses are non-canonical on purpose, like the real ones they must
// never be dereferenced.
inline constexpr u64 kSystemRegionBase = 0xFFFFC00000000000ull;
inline constexpr u64 kUserRegionBase = 0x0000020000000000ull;
inline constexpr u64 kPseudoRegionBase = 0x5D00000000000000ull;
inline constexpr u64 kDefaultRegionSize = 1ull << 44;  // 16 TiB each

enum class Region : u8 { System, User, Pseudo };

// MEMORY_CACHING_TYPE values (wdm.h).
enum CacheType : u32 {
  kMmNonCached = 0,
  kMmCached = 1,
  kMmWriteCombined = 2,
  kMmHardwareCoherentCached = 3,
  kMmNonCachedUnordered = 4,
  kMmUSWCCached = 5,
  kMmMaximumCacheType = 6,
};
std::string_view CacheTypeName(u64 c);

// Page protections accepted by MmMapIoSpaceEx.
inline constexpr u32 kPageReadOnly = 0x02;
inline constexpr u32 kPageReadWrite = 0x04;
inline constexpr u32 kPageExecute = 0x10;
inline constexpr u32 kPageExecuteRead = 0x20;
inline constexpr u32 kPageExecuteReadWrite = 0x40;
inline constexpr u32 kPageNoCache = 0x200;
inline constexpr u32 kPageWriteCombine = 0x400;

// VideoPortMapMemory InIoSpace flags.
inline constexpr u32 kVideoMemorySpaceMemory = 0;
inline constexpr u32 kVideoMemorySpaceIo = 1;
inline constexpr u32 kVideoMemorySpaceUserMode = 2;
inline constexpr u32 kVideoMemorySpaceDense = 4;
inline constexpr u32 kVideoMemorySpaceP6Cache = 8;

// Status values, as the WDK defines them.
using NdisStatus = u32;
inline constexpr NdisStatus kNdisStatusSuccess = 0x00000000;
inline constexpr NdisStatus kNdisStatusFailure = 0xC0000001;
inline constexpr NdisStatus kNdisStatusResources = 0xC000009A;
inline constexpr NdisStatus kNdisStatusResourceConflict = 0xC001001E;
inline constexpr NdisStatus kNdisStatusFileNotFound = 0xC001001B;
inline constexpr NdisStatus kNdisStatusErrorReadingFile = 0xC001001C;
inline constexpr NdisStatus kNdisStatusAlreadyMapped = 0xC001001D;
std::string_view NdisStatusName(u64 s);

using HResult = u32;
inline constexpr HResult kSOk = 0x00000000;
inline constexpr HResult kEInvalidArg = 0x80070057;
inline constexpr HResult kEOutOfMemory = 0x8007000E;
std::string_view HResultName(u64 h);

using VpStatus = u32;
inline constexpr VpStatus kNoError = 0;
inline constexpr VpStatus kErrorInvalidParameter = 87;
inline constexpr VpStatus kErrorMoreData = 234;
std::string_view VpStatusName(u64 s);

// UMDF device attributes that decide whether MapIoSpace is allowed at all.
enum class RegisterAccess : u8 { UsingSystemCall = 0, UsingUserModeMapping = 1 };

// Which physical space a resource or mapping lives in.
enum class PhysSpace : u8 { Memory = 0, Port = 1 };

// CM_PARTIAL_RESOURCE_DESCRIPTOR (wdm.h) as the resource queries describe an
// assigned resource: its Type, and the sizes of a CM_PARTIAL_RESOURCE_LIST
// (an NDIS_RESOURCE_LIST) on x64 (wdm.h packs both to 4 bytes).
inline constexpr u8 kCmResourceTypeNull = 0;
inline constexpr u8 kCmResourceTypePort = 1;
inline constexpr u8 kCmResourceTypeMemory = 3;
inline constexpr u32 kCmPartialResourceListHeader = 8;        // Version, Revision, Count
inline constexpr u32 kCmPartialResourceDescriptorSize = 20;

}  // namespace ddimap
