// Video device base: VideoPortGetDeviceBase and VideoPortFreeDeviceBase (sem "VIDEO_BASE").
#include "model_internal.hpp"
#include "oracle.hpp"

namespace ddimap::oracle {

using detail::Contains;
using detail::FindBy;

u64 Model::VideoPortGetDeviceBase(u64 Dev, u64 IoAddress, u32 NumberOfUchars, u32 InIoSpace) {
  if (!Begin()) return 0;
  auto refuse = [&](RuleId r) {
    Report(r);
    return u64{0};
  };
  if (!FindBy(video_, &VideoDevice::handle, Dev)) return refuse(RuleId::VideoBadDevice);
  if (irql_ != kPassiveLevel) return refuse(RuleId::VideoBaseIrql);
  // contracts: only inside HwVidFindAdapter of the same device
  if (!(callback_ == Callback::VideoFindAdapter && callback_object_ == Dev)) return refuse(RuleId::VideoBaseContext);
  const bool io = (InIoSpace & kVideoMemorySpaceIo) != 0;
  const bool p6 = (InIoSpace & kVideoMemorySpaceP6Cache) != 0;
  // sem VIDEO_BASE: a flag the page does not list (USER_MODE included) or IO with P6CACHE -> NULL
  if ((InIoSpace & ~u32{kVideoMemorySpaceIo | kVideoMemorySpaceDense | kVideoMemorySpaceP6Cache}) != 0) return 0;
  if (io && p6) return 0;
  if (NumberOfUchars == 0 || Overflows(IoAddress, NumberOfUchars)) return 0;
  const PhysSpace space = io ? PhysSpace::Port : PhysSpace::Memory;
  // contracts: the range was claimed; RAM is never a device resource, so it is unclaimed too
  if (!ResourceHolding(Dev, space, IoAddress, NumberOfUchars)) return refuse(RuleId::VideoBaseUnclaimedRange);
  if (io) {
    // sem VIDEO_BASE: on x64 the base of an I/O-space range is the port number; nothing is mapped
    port_bases_.push_back({.device = Dev, .port = IoAddress, .length = NumberOfUchars, .created_seq = CallNumber()});
    return IoAddress;
  }
  const u32 cache = p6 ? kMmWriteCombined : kMmNonCached;
  if (const Mapping* other = CacheConflict(space, IoAddress, NumberOfUchars, cache)) {
    Report(RuleId::VideoP6CacheConflict, other);
    return 0;
  }
  const auto m = Place({.length = NumberOfUchars,
                        .family = Family::VideoBase,
                        .owner = Dev,
                        .region = Region::System,
                        .space = space,
                        .phys = IoAddress,
                        .cache = cache,
                        .readable = true,
                        .writable = true});
  if (!m) return 0;
  AddMapping(*m);
  return m->base;
}

bool Model::FreePortBase(u64 Dev, u64 address) {
  // sem VIDEO_BASE free: a live port base with this exact port (this device's first), else one inside a
  // live one, else a remembered freed one (the latest), else the virtual classification
  const PortBase* hit = nullptr;
  for (const auto& b : port_bases_)
    if (b.port == address && b.device == Dev) {
      hit = &b;
      break;
    }
  if (!hit)
    for (const auto& b : port_bases_)
      if (b.port == address) {
        hit = &b;
        break;
      }
  if (hit) {
    if (hit->device != Dev) {
      Report(Evidence{.rule = RuleId::VideoBaseFreeOtherOwner, .has_created = true, .created = hit->created_seq});
      return true;
    }
    PortBase freed = *hit;
    freed.released_seq = CallNumber();
    port_bases_.erase(port_bases_.begin() + (hit - port_bases_.data()));
    freed_port_bases_.push_back(freed);
    while (freed_port_bases_.size() > options_.quarantine_capacity) freed_port_bases_.erase(freed_port_bases_.begin());
    return true;
  }
  for (const auto& b : port_bases_)
    if (address > b.port && Contains(b.port, b.length, address)) {
      Report(Evidence{.rule = RuleId::VideoBaseFreeInterior, .has_created = true, .created = b.created_seq});
      return true;
    }
  for (auto it = freed_port_bases_.rbegin(); it != freed_port_bases_.rend(); ++it)
    if (Contains(it->port, it->length, address)) {
      Report(Evidence{.rule = RuleId::VideoBaseFreeDouble,
                      .has_created = true,
                      .has_released = true,
                      .created = it->created_seq,
                      .released = it->released_seq});
      return true;
    }
  return false;
}

void Model::VideoPortFreeDeviceBase(u64 Dev, u64 MappedAddress) {
  if (!Begin()) return;
  if (!FindBy(video_, &VideoDevice::handle, Dev)) return Report(RuleId::VideoBadDevice);
  if (irql_ != kPassiveLevel) return Report(RuleId::VideoBaseIrql);
  if (FreePortBase(Dev, MappedAddress)) return;
  if (const Mapping* m = UnmapTarget(MappedAddress, Family::VideoBase, Dev, 0)) Release(m->id);
}

void Model::LeakPortBases(u64 Dev) {
  // sem VIDEO_BASE leaks: after the device's mapped bases, its port bases in creation order
  for (std::size_t i = 0; i < port_bases_.size();) {
    if (port_bases_[i].device != Dev) {
      ++i;
      continue;
    }
    Report(Evidence{.rule = RuleId::VideoBaseLeak, .has_created = true, .created = port_bases_[i].created_seq});
    // sem VIDEO_BASE leaks: released after its report, so it is remembered as freed
    PortBase freed = port_bases_[i];
    freed.released_seq = CallNumber();
    port_bases_.erase(port_bases_.begin() + static_cast<std::ptrdiff_t>(i));
    freed_port_bases_.push_back(freed);
    while (freed_port_bases_.size() > options_.quarantine_capacity) freed_port_bases_.erase(freed_port_bases_.begin());
  }
}

}  // namespace ddimap::oracle
