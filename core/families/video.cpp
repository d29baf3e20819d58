// Video miniport: VideoPortMapMemory / VideoPortUnmapMemory (docs/contracts.md).
#include "families/common.hpp"
#include "families/families.hpp"
#include "mutants/mutant.hpp"

namespace ddimap {
namespace {

constexpr families::UnmapRules kUnmapRules{
    RuleId::VideoUnmapNotMapped, RuleId::VideoUnmapNotMapped /* interior is legal */, RuleId::VideoUnmapDouble,
    RuleId::VideoUnmapOtherOwner, RuleId::VideoUnmapOtherFamily, /*interior_releases=*/true};

constexpr u32 kKnownFlags = kVideoMemorySpaceIo | kVideoMemorySpaceUserMode | kVideoMemorySpaceDense |
                            kVideoMemorySpaceP6Cache;

VideoDevice* CheckDevice(Machine::State& s, u64 ext) {
  VideoDevice* d = s.FindVideo(ext);
  if (!d) s.Violation(RuleId::VideoBadDevice, [&] {
    return "HwDeviceExtension " + Hex(ext) + " is not a video miniport device";
  });
  return d;
}


}  // namespace

VpStatus Machine::VideoPortMapMemory(u64 HwDeviceExtension, u64 PhysicalAddress, u32* Length, u32* InIoSpace,
                                     u64* VirtualAddress) {
  State& s = *s_;
  u8 nulls = (Length ? 0 : 1u << 2) | (InIoSpace ? 0 : 1u << 3) | (VirtualAddress ? 0 : 1u << 4);
  auto fail = [&]() {
    if (VirtualAddress) *VirtualAddress = 0;
    return kErrorInvalidParameter;
  };
  if (!s.Begin(CallId::VideoPortMapMemory,
               {HwDeviceExtension, PhysicalAddress, Length ? *Length : 0u, InIoSpace ? *InIoSpace : 0u,
                VirtualAddress ? *VirtualAddress : 0},
               nulls))
    return fail();
  VideoDevice* d = CheckDevice(s, HwDeviceExtension);
  if (!d) return fail();
  if (nulls) {
    s.Violation(RuleId::CommonNullPointer, [&] {
      return std::string(!Length ? "Length" : !InIoSpace ? "InIoSpace" : "VirtualAddress") +
             " is NULL";
    });
    return fail();
  }
  if (!families::CheckIrql(s, CallId::VideoPortMapMemory)) return fail();
  u32 flags = *InIoSpace;
  u64 process = *VirtualAddress;
  u64 len = *Length;
  bool io = flags & kVideoMemorySpaceIo;
  // Documented ERROR_INVALID_PARAMETER cases: statuses, not violations.
  if ((flags & ~kKnownFlags) != 0) return fail();
  if (io && (flags & (kVideoMemorySpaceUserMode | kVideoMemorySpaceP6Cache))) return fail();
  if (process != 0 && !s.FindProcess(process)) return fail();
  if ((flags & kVideoMemorySpaceUserMode) && process == 0) return fail();
  if (len == 0 || PhysOverflows(PhysicalAddress, len)) return fail();
  if (!io && s.phys.OverlapsRam(PhysicalAddress, len)) {
    s.Violation(RuleId::VideoMapRam, [&] {
      return "physical range [" + Hex(PhysicalAddress) + ", " + Hex(PhysicalAddress + len) +
             ") is main memory (a UMA frame buffer): map it with MmMapIoSpace";
    });
    return fail();
  }
  PhysSpace space = io ? PhysSpace::Port : PhysSpace::Memory;
  if (!families::FindResource(s, HwDeviceExtension, space, PhysicalAddress, len)) return fail();
  bool p6 = flags & kVideoMemorySpaceP6Cache;
  families::MapFail why;
  Mapping* m = families::MapPhysical(
      s,
      {Family::Video, HwDeviceExtension, process ? Region::User : Region::System, process, space, PhysicalAddress,
       len, len, p6 ? static_cast<u32>(kMmWriteCombined) : static_cast<u32>(kMmNonCached), true,
       true, RuleId::VideoP6CacheConflict, 0},
      &why);
  if (!m) return fail();
  m->p6cache = p6;
  m->video_flags = flags;
  *VirtualAddress = m->v.base;
  // Rounded up to the page end; accesses stay limited to the input length.
  *Length = static_cast<u32>(std::min<u64>(m->v.va_page + m->v.extent - m->v.base, 0xFFFFFFFFull));
  return kNoError;
}

VpStatus Machine::VideoPortUnmapMemory(u64 HwDeviceExtension, u64 VirtualAddress, u64 ProcessHandle) {
  State& s = *s_;
  if (!s.Begin(CallId::VideoPortUnmapMemory, {HwDeviceExtension, VirtualAddress, ProcessHandle}))
    return kErrorInvalidParameter;
  if (!CheckDevice(s, HwDeviceExtension) || !families::CheckIrql(s, CallId::VideoPortUnmapMemory))
    return kErrorInvalidParameter;
  Mapping* m = families::CheckUnmapAddress(s, VirtualAddress, Family::Video, HwDeviceExtension, kUnmapRules);
  if (!m) return kErrorInvalidParameter;
  if (ProcessHandle != 0 && ProcessHandle != m->v.process && !DDIMAP_MUTANT(video_process_ignored)) {
    s.Violation(RuleId::VideoUnmapWrongProcess, [&] {
      return "ProcessHandle " + Hex(ProcessHandle) + " is neither 0 nor the handle given at map time (" +
             Hex(m->v.process) + ")";
    }, m);
    return kErrorInvalidParameter;
  }
  s.ReleaseMapping(*m);
  return kNoError;
}

void families::VideoLeaks(Machine::State& s, u64 device, u64 process, std::string_view when) {
  if (device != 0) {
    VideoDevice* d = s.FindVideo(device);
    if (!d || d->live_mappings == 0) return;
  }
  s.LeakMappings(
      RuleId::VideoLeak,
      [&](const Mapping& m) {
        return m.v.family == Family::Video && (device == 0 || m.v.owner == device) &&
               (process == 0 || m.v.process == process);
      },
      when);
}

}  // namespace ddimap
