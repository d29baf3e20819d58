// Video miniport: VideoPortMapMemory and VideoPortUnmapMemory (sem "VIDEO").
#include "model_internal.hpp"
#include "oracle.hpp"

namespace ddimap::oracle {

using detail::ClearOut;
using detail::FindBy;

VpStatus Model::VideoPortMapMemory(u64 Dev, u64 PhysicalAddress, u32* Length, u32* InIoSpace,
                                   u64* VirtualAddress) {
  // reading: every failure (refusal or documented status) writes NULL to *VirtualAddress
  auto fail = [&]() {
    ClearOut(VirtualAddress);
    return kErrorInvalidParameter;
  };
  auto refuse = [&](RuleId r) {
    Report(r);
    return fail();
  };
  if (!Begin()) return fail();
  if (!FindBy(video_, &VideoDevice::handle, Dev)) return refuse(RuleId::VideoBadDevice);
  if (!Length || !InIoSpace || !VirtualAddress) return refuse(RuleId::CommonNullPointer);
  if (irql_ != kPassiveLevel) return refuse(RuleId::VideoIrql);
  const u32 flags = *InIoSpace;
  const u64 process_in = *VirtualAddress;
  const u32 len = *Length;
  if (flags > 0xF) return fail();
  const bool io = (flags & kVideoMemorySpaceIo) != 0;
  const bool user = (flags & kVideoMemorySpaceUserMode) != 0;
  const bool p6 = (flags & kVideoMemorySpaceP6Cache) != 0;
  if (io && (user || p6)) return fail();
  if (process_in != 0) {
    const Process* p = FindBy(processes_, &Process::handle, process_in);
    if (!p || !p->live) return fail();
  }
  if (user && process_in == 0) return fail();
  if (len == 0) return fail();
  if (Overflows(PhysicalAddress, len)) return fail();
  const PhysSpace space = io ? PhysSpace::Port : PhysSpace::Memory;
  // reading: RAM is memory space; an I/O-port range never touches it
  if (space == PhysSpace::Memory && TouchesRam(PhysicalAddress, len))
    return refuse(RuleId::VideoMapRam);
  if (!ResourceHolding(Dev, space, PhysicalAddress, len)) return fail();
  const u32 cache = p6 ? kMmWriteCombined : kMmNonCached;
  if (const Mapping* other = CacheConflict(space, PhysicalAddress, len, cache)) {
    Report(RuleId::VideoP6CacheConflict, other);
    return fail();
  }
  const auto m = Place({.length = len,  // sem "Mapping records": *Length in
                        .family = Family::Video,
                        .owner = Dev,
                        .process = process_in,
                        // sem "Mapping records": User region if a process handle was given, else System
                        .region = process_in != 0 ? Region::User : Region::System,
                        .space = space,
                        .phys = PhysicalAddress,
                        .cache = cache,
                        .readable = true,
                        .writable = true});
  if (!m) return fail();
  AddMapping(*m);
  *VirtualAddress = m->base;
  // decided (docs/semantics.md, Smaller decisions, VideoPortMapMemory): a rounded length beyond 32 bits saturates
  const u64 rounded = m->va_page + m->extent - m->base;  // from the base to the end of its last page
  *Length = rounded > 0xFFFFFFFFull ? 0xFFFFFFFFu : static_cast<u32>(rounded);
  return kNoError;
}

VpStatus Model::VideoPortUnmapMemory(u64 Dev, u64 VirtualAddress, u64 ProcessHandle) {
  if (!Begin()) return kErrorInvalidParameter;
  auto refuse = [&](RuleId r) {
    Report(r);
    return kErrorInvalidParameter;
  };
  if (!FindBy(video_, &VideoDevice::handle, Dev)) return refuse(RuleId::VideoBadDevice);
  if (irql_ != kPassiveLevel) return refuse(RuleId::VideoIrql);
  // sem: for VIDEO an interior address is legal (base or interior both release the full range), and
  // the call passes no length
  const Mapping* m = UnmapTarget(VirtualAddress, Family::Video, Dev, 0);
  if (!m) return kErrorInvalidParameter;
  if (ProcessHandle != 0 && ProcessHandle != m->process) {
    Report(RuleId::VideoUnmapWrongProcess, m);
    return kErrorInvalidParameter;
  }
  Release(m->id);
  return kNoError;
}

}  // namespace ddimap::oracle
