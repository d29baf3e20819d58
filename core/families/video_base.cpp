// Video device base: VideoPortGetDeviceBase / VideoPortFreeDeviceBase (docs/contracts.md).
#include <algorithm>

#include "families/common.hpp"
#include "families/families.hpp"
#include "mutants/mutant.hpp"

namespace ddimap {
namespace {

constexpr families::UnmapRules kFreeRules{
    RuleId::VideoBaseFreeNotMapped, RuleId::VideoBaseFreeInterior, RuleId::VideoBaseFreeDouble,
    RuleId::VideoBaseFreeOtherOwner, RuleId::VideoBaseFreeOtherFamily};

// The flags VideoPortGetDeviceBase's page lists; USER_MODE is VideoPortMapMemory's alone.
constexpr u32 kKnownFlags = kVideoMemorySpaceIo | kVideoMemorySpaceDense | kVideoMemorySpaceP6Cache;

bool CheckDevice(Machine::State& s, u64 ext) {
  if (s.FindVideo(ext)) return true;
  s.Violation(RuleId::VideoBadDevice, [&] { return "HwDeviceExtension " + Hex(ext) + " is not a video miniport device"; });
  return false;
}

std::string IoBaseText(const IoBase& b) {
  return "I/O-space device base " + Hex(b.port) + " (ports [" + Hex(b.port) + ", " + Hex(b.port + b.length) +
         ") of " + Hex(b.device) + ")";
}

void ForgetOldest(Machine::State& s) {
  auto& r = s.released_io_bases;
  if (r.size() > s.opt.quarantine_capacity)
    r.erase(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(r.size() - s.opt.quarantine_capacity));
}

// An I/O-space device base named by `address`, checked and freed. Returns
// false when no I/O base (live or remembered) holds the address: the virtual
// classification decides then.
bool FreeIoBase(Machine::State& s, u64 ext, u64 address) {
  auto& live = s.io_bases;
  auto exact = [&](bool mine) {
    return std::find_if(live.begin(), live.end(),
                        [&](const IoBase& b) { return b.port == address && (b.device == ext) == mine; });
  };
  auto it = exact(true);
  if (it == live.end()) it = exact(false);
  if (it != live.end()) {
    if (it->device != ext) {
      s.ViolationWithRecords(RuleId::VideoBaseFreeOtherOwner, [&] { return IoBaseText(*it) + ", not of " + Hex(ext); },
                             &it->created, nullptr);
      return true;
    }
    IoBase b = *it;
    b.released = s.cur;
    live.erase(it);
    s.released_io_bases.push_back(b);
    ForgetOldest(s);
    return true;
  }
  auto inside = [&](const IoBase& b) { return address > b.port && address - b.port < b.length; };
  auto in = std::find_if(live.begin(), live.end(), inside);
  if (in != live.end()) {
    s.ViolationWithRecords(RuleId::VideoBaseFreeInterior,
                           [&] { return "port " + Hex(address) + " lies inside the live " + IoBaseText(*in); },
                           &in->created, nullptr);
    return true;
  }
  const auto& gone = s.released_io_bases;
  auto was = std::find_if(gone.rbegin(), gone.rend(),
                          [&](const IoBase& b) { return b.port == address || inside(b); });
  if (was != gone.rend()) {
    s.ViolationWithRecords(RuleId::VideoBaseFreeDouble,
                           [&] { return "port " + Hex(address) + " lies in the freed " + IoBaseText(*was); },
                           &was->created, &was->released);
    return true;
  }
  return false;
}

}  // namespace

u64 Machine::VideoPortGetDeviceBase(u64 HwDeviceExtension, u64 IoAddress, u32 NumberOfUchars, u32 InIoSpace) {
  State& s = *s_;
  if (!s.Begin(CallId::VideoPortGetDeviceBase, {HwDeviceExtension, IoAddress, NumberOfUchars, InIoSpace})) return 0;
  if (!CheckDevice(s, HwDeviceExtension) || !families::CheckIrql(s, CallId::VideoPortGetDeviceBase)) return 0;
  if ((s.cb != Callback::VideoFindAdapter || s.cb_object != HwDeviceExtension) && !DDIMAP_MUTANT(video_base_context_dropped)) {
    s.Violation(RuleId::VideoBaseContext, [&] {
      return "called in " + std::string(CallbackName(s.cb)) + (s.cb_object ? " of " + Hex(s.cb_object) : std::string()) +
             ", not in HwVidFindAdapter of " + Hex(HwDeviceExtension);
    });
    return 0;
  }
  const bool io = InIoSpace & kVideoMemorySpaceIo;
  const bool p6 = InIoSpace & kVideoMemorySpaceP6Cache;
  // Flags the page does not list, or not "compatible": NULL, the documented failure.
  if ((InIoSpace & ~kKnownFlags) != 0 || (io && p6)) return 0;
  if (NumberOfUchars == 0 || PhysOverflows(IoAddress, NumberOfUchars)) return 0;
  const PhysSpace space = io ? PhysSpace::Port : PhysSpace::Memory;
  if (!families::FindResource(s, HwDeviceExtension, space, IoAddress, NumberOfUchars)) {
    s.Violation(RuleId::VideoBaseUnclaimedRange, [&] {
      return std::string(io ? "ports [" : "physical range [") + Hex(IoAddress) + ", " +
             Hex(IoAddress + NumberOfUchars) + ") is not inside one " + (io ? "port" : "memory") +
             " resource of " + Hex(HwDeviceExtension);
    });
    return 0;
  }
  if (io) {
    if (families::InjectFault(s)) return 0;  // the page's documented failure: NULL
    s.io_bases.push_back({HwDeviceExtension, IoAddress, NumberOfUchars, s.cur, {}});
    return IoAddress;
  }
  families::MapFail why;
  Mapping* m = families::MapPhysical(
      s,
      {Family::VideoBase, HwDeviceExtension, Region::System, 0, PhysSpace::Memory, IoAddress, NumberOfUchars,
       NumberOfUchars, p6 ? static_cast<u32>(kMmWriteCombined) : static_cast<u32>(kMmNonCached), true, true,
       RuleId::VideoP6CacheConflict, 0},
      &why);
  if (!m) return 0;
  m->p6cache = p6;
  m->video_flags = InIoSpace;
  return m->v.base;
}

void Machine::VideoPortFreeDeviceBase(u64 HwDeviceExtension, u64 MappedAddress) {
  State& s = *s_;
  if (!s.Begin(CallId::VideoPortFreeDeviceBase, {HwDeviceExtension, MappedAddress})) return;
  if (!CheckDevice(s, HwDeviceExtension) || !families::CheckIrql(s, CallId::VideoPortFreeDeviceBase)) return;
  if (FreeIoBase(s, HwDeviceExtension, MappedAddress)) return;
  Mapping* m = families::CheckUnmapAddress(s, MappedAddress, Family::VideoBase, HwDeviceExtension, kFreeRules);
  if (m) s.ReleaseMapping(*m);
}

void families::VideoBaseLeaks(Machine::State& s, u64 device, std::string_view when) {
  if (VideoDevice* d = s.FindVideo(device); d && d->live_mappings != 0)
    s.LeakMappings(
        RuleId::VideoBaseLeak, [&](const Mapping& m) { return m.v.family == Family::VideoBase && m.v.owner == device; },
        when);
  for (std::size_t i = 0; i < s.io_bases.size();) {
    const IoBase& b = s.io_bases[i];
    if (b.device != device) {
      ++i;
      continue;
    }
    s.ViolationWithRecords(RuleId::VideoBaseLeak, [&] { return IoBaseText(b) + " is still live when " + std::string(when); },
                           &b.created, nullptr);
    // Released like a leaked mapping: a later free of it is a double free.
    IoBase gone = b;
    gone.released = s.cur;
    s.io_bases.erase(s.io_bases.begin() + static_cast<std::ptrdiff_t>(i));
    s.released_io_bases.push_back(gone);
    ForgetOldest(s);
  }
}

// A miniport keeps its device bases for the life of the device: the video port
// driver releases them when the device goes (VideoPortFreeDeviceBase, Remarks,
// asks for a free only in a failing HwVidFindAdapter). So removal is silent.
void families::VideoBaseRemove(Machine::State& s, u64 device) {
  std::vector<u64> live;
  for (const auto& [k, m] : s.maps.live())
    if (m.parent_va == 0 && m.v.family == Family::VideoBase && m.v.owner == device) live.push_back(k);
  for (u64 k : live) s.ReleaseMapping(k);
  std::erase_if(s.io_bases, [device](const IoBase& b) { return b.device == device; });
}

}  // namespace ddimap
