// VIDEO family: VideoPortMapMemory / VideoPortUnmapMemory.
//
// Every VIDEO rule gets a test that triggers it and a nearby legal call that
// must not, following docs/semantics.md "VIDEO": the order of checks, the
// documented ERROR_INVALID_PARAMETER statuses (no report), the whole-range
// release on an interior unmap, the rounded *Length, user-space mappings and
// the leak reports at teardown and process exit.
#include <gtest/gtest.h>

#include <string>

#include "ddimap/machine.hpp"
#include "fixture.hpp"

namespace ddimap::test {
namespace {

// A second frame buffer for a second video device; outside RAM and outside
// every resource the fixture assigns.
inline constexpr u64 kVideo2Fb = 0xD0000000;
inline constexpr u64 kVideo2FbLen = 0x100000;

// What one VideoPortMapMemory call left behind.
struct VideoMap {
  VpStatus status;
  u64 va;      // *VirtualAddress after the call
  u32 length;  // *Length after the call
};

bool InSystemRegion(u64 va) {
  return va >= kSystemRegionBase && va - kSystemRegionBase < kDefaultRegionSize;
}
bool InUserRegion(u64 va) {
  return va >= kUserRegionBase && va - kUserRegionBase < kDefaultRegionSize;
}

class VideoDdiTest : public MachineTest {
 protected:
  // VideoPortMapMemory on `dev` with fresh in/out variables.
  VideoMap MapOn(u64 dev, u64 pa, u32 length, u32 flags = kVideoMemorySpaceMemory,
                 u64 va_in = 0) {
    u32 len = length;
    u32 io = flags;
    u64 va = va_in;
    const VpStatus st = m.VideoPortMapMemory(dev, pa, &len, &io, &va);
    return {st, va, len};
  }
  VideoMap Map(u64 pa, u32 length, u32 flags = kVideoMemorySpaceMemory, u64 va_in = 0) {
    return MapOn(video, pa, length, flags, va_in);
  }
  // A legal system-space mapping of the frame buffer, asserted to succeed.
  u64 MapFb(u64 offset = 0, u32 length = 0x1000, u32 flags = kVideoMemorySpaceMemory) {
    const VideoMap r = Map(kVideoFb + offset, length, flags);
    EXPECT_EQ(r.status, kNoError) << Dump();
    EXPECT_NE(r.va, 0u);
    return r.va;
  }
  // A legal user-space mapping of the frame buffer into `process`.
  u64 MapFbUser(u64 process, u32 length = 0x1000) {
    const VideoMap r = Map(kVideoFb, length, kVideoMemorySpaceUserMode, process);
    EXPECT_EQ(r.status, kNoError) << Dump();
    EXPECT_NE(r.va, 0u);
    return r.va;
  }
  VpStatus Unmap(u64 va, u64 process = 0) { return m.VideoPortUnmapMemory(video, va, process); }

  // Exactly one report, of `rule`, was filed since the last ClearReports().
  void ExpectOnly(RuleId rule) {
    EXPECT_EQ(Total(), 1u) << Dump();
    EXPECT_EQ(Count(rule), 1u) << Dump();
  }
};

// ---------------------------------------------------------------------------
// Successful mapping

TEST_F(VideoDdiTest, MapSystemSpaceSucceedsWithoutReports) {
  const VideoMap r = Map(kVideoFb, 0x1000);
  EXPECT_EQ(r.status, kNoError);
  EXPECT_TRUE(InSystemRegion(r.va)) << std::hex << r.va;
  EXPECT_EQ(r.va & kPageMask, 0u);  // page-aligned physical address, page-aligned base
  EXPECT_EQ(r.length, 0x1000u);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  EXPECT_EQ(Unmap(r.va), kNoError);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, MapRoundsLengthUpToTheEndOfTheLastPage) {
  // *Length out covers whole pages: 0x100 -> one page, 0x1001 -> two pages.
  const VideoMap a = Map(kVideoFb, 0x100);
  ASSERT_EQ(a.status, kNoError);
  EXPECT_EQ(a.length, 0x1000u);
  const VideoMap b = Map(kVideoFb + 0x10000, 0x1001);
  ASSERT_EQ(b.status, kNoError);
  EXPECT_EQ(b.length, 0x2000u);
  // With a byte offset the base keeps the offset and base + *Length is the
  // end of the last page.
  const VideoMap c = Map(kVideoFb + 0x20010, 0x20);
  ASSERT_EQ(c.status, kNoError);
  EXPECT_EQ(c.va & kPageMask, 0x10u);
  EXPECT_EQ((c.va + c.length) & kPageMask, 0u);
  EXPECT_GE(c.length, 0x20u);
  EXPECT_EQ(c.va + c.length, (c.va & ~kPageMask) + 0x1000);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, AccessBeyondInputLengthIsOutOfBoundsDespiteRoundedLength) {
  const VideoMap r = Map(kVideoFb, 0x100);
  ASSERT_EQ(r.status, kNoError);
  ASSERT_EQ(r.length, 0x1000u);
  // Inside the input length: fine.
  m.Write(r.va + 0xFC, 4, 0x11223344);
  EXPECT_EQ(m.Read(r.va + 0xFC, 4), 0x11223344u);
  EXPECT_EQ(m.Read(r.va + 0xFF, 1), 0x11u);
  EXPECT_EQ(Total(), 0u) << Dump();
  // Inside the rounded *Length but beyond the input length: out of bounds.
  EXPECT_EQ(m.Read(r.va + 0x100, 1), 0u);
  ExpectOnly(RuleId::AccessOutOfBounds);
  m.ClearReports();
  EXPECT_EQ(m.Read(r.va + 0xFE, 4), 0u);  // straddles the input length
  ExpectOnly(RuleId::AccessOutOfBounds);
  m.ClearReports();
  m.Write(r.va + 0x800, 4, 1);
  ExpectOnly(RuleId::AccessOutOfBounds);
}

TEST_F(VideoDdiTest, MapWithDenseFlagIsAccepted) {
  // VIDEO_MEMORY_SPACE_DENSE is obsolete but a known bit.
  const VideoMap r = Map(kVideoFb, 0x1000, kVideoMemorySpaceDense);
  EXPECT_EQ(r.status, kNoError);
  EXPECT_NE(r.va, 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, IoSpaceMappingOfThePortRangeWorks) {
  const VideoMap r = Map(kVideoPorts, kVideoPortsLen, kVideoMemorySpaceIo);
  ASSERT_EQ(r.status, kNoError) << Dump();
  ASSERT_NE(r.va, 0u);
  EXPECT_TRUE(InSystemRegion(r.va)) << std::hex << r.va;
  // The returned base keeps the byte offset of the port address (0x3C0).
  EXPECT_EQ(r.va & kPageMask, kVideoPorts & kPageMask);
  m.Write(r.va + 4, 1, 0x5A);
  EXPECT_EQ(m.Read(r.va + 4, 1), 0x5Au);
  EXPECT_EQ(m.Read(r.va + kVideoPortsLen - 1, 1), 0u);
  EXPECT_EQ(Unmap(r.va), kNoError);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  // Port 0x3C0 is also a RAM address in memory space; in I/O space it is not RAM.
  EXPECT_EQ(Count(RuleId::VideoMapRam), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, IoAndMemoryMappingsOfTheDeviceCoexist) {
  const u64 fb = MapFb();
  const VideoMap ports = Map(kVideoPorts, 0x10, kVideoMemorySpaceIo);
  ASSERT_EQ(ports.status, kNoError);
  EXPECT_NE(fb & ~kPageMask, ports.va & ~kPageMask);
  EXPECT_EQ(m.live_mapping_count(), 2u);
  EXPECT_EQ(Unmap(ports.va), kNoError);
  EXPECT_EQ(Unmap(fb), kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, LifecycleAcrossStartIoCallbacksHasNoReports) {
  ASSERT_EQ(m.EnterCallback(Callback::VideoStartIo, video), ControlStatus::Ok);
  const u64 va = MapFb(0, 0x4000);
  m.Write(va, 4, 0xCAFEF00D);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  ASSERT_EQ(m.EnterCallback(Callback::VideoStartIo, video), ControlStatus::Ok);
  EXPECT_EQ(m.Read(va, 4), 0xCAFEF00Du);
  EXPECT_EQ(Unmap(va), kNoError);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.CheckInvariants(), "");
}

// ---------------------------------------------------------------------------
// Documented ERROR_INVALID_PARAMETER statuses: no report, NULL address out,
// *Length unchanged.

struct InvalidCase {
  const char* what;
  u64 pa;
  u32 length;
  u32 flags;
  bool with_process;  // *VirtualAddress in = a live process handle
  u64 va_in;          // used when !with_process
};

TEST_F(VideoDdiTest, DocumentedInvalidParameterStatusesAreNotReports) {
  const u64 dead = m.CreateProcess();
  ASSERT_EQ(m.ExitProcess(dead), ControlStatus::Ok);
  const u64 live = m.CreateProcess();
  const InvalidCase cases[] = {
      {"unknown InIoSpace bit 0x10", kVideoFb, 0x1000, 0x10, false, 0},
      {"unknown InIoSpace bit 0x80000000", kVideoFb, 0x1000, 0x80000000u, false, 0},
      {"USER_MODE | IO", kVideoPorts, 0x10, kVideoMemorySpaceUserMode | kVideoMemorySpaceIo, true, 0},
      {"P6CACHE | IO", kVideoPorts, 0x10, kVideoMemorySpaceP6Cache | kVideoMemorySpaceIo, false, 0},
      {"garbage process handle", kVideoFb, 0x1000, kVideoMemorySpaceUserMode, false, 0x1234},
      {"adapter handle as process", kVideoFb, 0x1000, kVideoMemorySpaceUserMode, false, nic},
      {"exited process handle", kVideoFb, 0x1000, kVideoMemorySpaceUserMode, false, dead},
      {"never-created process handle", kVideoFb, 0x1000, kVideoMemorySpaceUserMode, false,
       MakeHandle(HandleKind::Process, 999)},
      {"USER_MODE without process handle", kVideoFb, 0x1000, kVideoMemorySpaceUserMode, false, 0},
      {"*Length 0", kVideoFb, 0, kVideoMemorySpaceMemory, false, 0},
      {"overflow", 0xFFFFFFFFFFFFF000ull, 0x2000, kVideoMemorySpaceMemory, false, 0},
      {"overflow at 2^64-1", ~0ull, 2, kVideoMemorySpaceMemory, false, 0},
      {"straddles the frame buffer end", kVideoFb + kVideoFbLen - 0x1000, 0x2000,
       kVideoMemorySpaceMemory, false, 0},
      {"unassigned physical range", kUnassigned, 0x1000, kVideoMemorySpaceMemory, false, 0},
      {"another device's BAR", kWdmBar, 0x1000, kVideoMemorySpaceMemory, false, 0},
      {"memory range with IO flag", kVideoFb, 0x1000, kVideoMemorySpaceIo, false, 0},
      {"port range past its end", kVideoPorts, kVideoPortsLen + 1, kVideoMemorySpaceIo, false, 0},
  };
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.what);
    const VideoMap r = Map(c.pa, c.length, c.flags, c.with_process ? live : c.va_in);
    EXPECT_EQ(r.status, kErrorInvalidParameter);
    EXPECT_EQ(r.va, 0u);
    EXPECT_EQ(r.length, c.length);  // refused: *Length unchanged
    EXPECT_EQ(m.live_mapping_count(), 0u);
    EXPECT_EQ(Total(), 0u) << Dump();
    m.ClearReports();
  }
  // Nearby legal calls: a live process with USER_MODE, the port range in IO.
  EXPECT_EQ(Map(kVideoFb, 0x1000, kVideoMemorySpaceUserMode, live).status, kNoError);
  EXPECT_EQ(Map(kVideoPorts, kVideoPortsLen, kVideoMemorySpaceIo).status, kNoError);
  EXPECT_EQ(Map(kVideoFb + kVideoFbLen - 0x1000, 0x1000).status, kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

// ---------------------------------------------------------------------------
// VIDEO.BAD_DEVICE

TEST_F(VideoDdiTest, MapWithBadDeviceIsRefused) {
  const u64 bad[] = {0, 0x1234, ~0ull, nic, umdf, MakeHandle(HandleKind::Video, 999)};
  for (u64 dev : bad) {
    SCOPED_TRACE(dev);
    const VideoMap r = MapOn(dev, kVideoFb, 0x1000);
    EXPECT_EQ(r.status, kErrorInvalidParameter);
    EXPECT_EQ(r.va, 0u);
    ExpectOnly(RuleId::VideoBadDevice);
    m.ClearReports();
  }
  EXPECT_EQ(m.live_mapping_count(), 0u);
  // The live device works.
  EXPECT_EQ(Map(kVideoFb, 0x1000).status, kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, UnmapWithBadDeviceIsRefusedAndKeepsTheMapping) {
  const u64 va = MapFb();
  EXPECT_EQ(m.VideoPortUnmapMemory(0x1234, va, 0), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoBadDevice);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  EXPECT_EQ(m.VideoPortUnmapMemory(wdm, va, 0), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoBadDevice);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  EXPECT_EQ(Unmap(va), kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, BadDeviceIsCheckedBeforeNullPointers) {
  u32 io = 0;
  u64 va = 0;
  EXPECT_EQ(m.VideoPortMapMemory(0x1234, kVideoFb, nullptr, &io, &va), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoBadDevice);
}

// ---------------------------------------------------------------------------
// COMMON.NULL_POINTER for Length, InIoSpace and VirtualAddress

TEST_F(VideoDdiTest, NullLengthPointerIsReported) {
  u32 io = 0;
  u64 va = 0;
  EXPECT_EQ(m.VideoPortMapMemory(video, kVideoFb, nullptr, &io, &va), kErrorInvalidParameter);
  ExpectOnly(RuleId::CommonNullPointer);
  EXPECT_EQ(va, 0u);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.ClearReports();
  u32 len = 0x1000;
  EXPECT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &io, &va), kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, NullInIoSpacePointerIsReported) {
  u32 len = 0x1000;
  u64 va = 0;
  EXPECT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, nullptr, &va), kErrorInvalidParameter);
  ExpectOnly(RuleId::CommonNullPointer);
  EXPECT_EQ(va, 0u);
  EXPECT_EQ(len, 0x1000u);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.ClearReports();
  u32 io = kVideoMemorySpaceMemory;
  EXPECT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &io, &va), kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, NullVirtualAddressPointerIsReported) {
  u32 len = 0x1000;
  u32 io = 0;
  EXPECT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &io, nullptr), kErrorInvalidParameter);
  ExpectOnly(RuleId::CommonNullPointer);
  EXPECT_EQ(len, 0x1000u);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.ClearReports();
  u64 va = 0;
  EXPECT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &io, &va), kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, NullPointerIsCheckedBeforeIrql) {
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  u32 io = 0;
  u64 va = 0;
  EXPECT_EQ(m.VideoPortMapMemory(video, kVideoFb, nullptr, &io, &va), kErrorInvalidParameter);
  ExpectOnly(RuleId::CommonNullPointer);
}

// ---------------------------------------------------------------------------
// VIDEO.IRQL

TEST_F(VideoDdiTest, MapAbovePassiveLevelIsRefused) {
  for (u8 irql : {kApcLevel, kDispatchLevel, kHighLevel}) {
    SCOPED_TRACE(int{irql});
    ASSERT_EQ(m.SetIrql(irql), ControlStatus::Ok);
    const VideoMap r = Map(kVideoFb, 0x1000);
    EXPECT_EQ(r.status, kErrorInvalidParameter);
    EXPECT_EQ(r.va, 0u);
    ExpectOnly(RuleId::VideoIrql);
    m.ClearReports();
  }
  EXPECT_EQ(m.live_mapping_count(), 0u);
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  EXPECT_EQ(Map(kVideoFb, 0x1000).status, kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, IrqlIsCheckedBeforeTheDocumentedStatuses) {
  // *Length 0 would be a silent ERROR_INVALID_PARAMETER; at APC_LEVEL the IRQL
  // violation comes first.
  ASSERT_EQ(m.SetIrql(kApcLevel), ControlStatus::Ok);
  EXPECT_EQ(Map(kVideoFb, 0).status, kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoIrql);
}

TEST_F(VideoDdiTest, UnmapAbovePassiveLevelIsRefusedAndKeepsTheMapping) {
  const u64 va = MapFb();
  ASSERT_EQ(m.SetIrql(kApcLevel), ControlStatus::Ok);
  EXPECT_EQ(Unmap(va), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoIrql);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  EXPECT_EQ(Unmap(va), kNoError);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

// ---------------------------------------------------------------------------
// VIDEO.UNMAP_WRONG_PROCESS

TEST_F(VideoDdiTest, UnmapWithWrongProcessKeepsMappingThenZeroHandleWorks) {
  const u64 p1 = m.CreateProcess();
  const u64 p2 = m.CreateProcess();
  const u64 va = MapFbUser(p1);
  EXPECT_EQ(Unmap(va, p2), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoUnmapWrongProcess);
  // The mapping is kept: still live and still usable from its process.
  EXPECT_EQ(m.live_mapping_count(), 1u);
  ASSERT_EQ(m.AttachProcess(p1), ControlStatus::Ok);
  m.Write(va, 4, 0x1234);
  EXPECT_EQ(m.Read(va, 4), 0x1234u);
  ASSERT_EQ(m.AttachProcess(0), ControlStatus::Ok);
  m.ClearReports();
  // ProcessHandle 0 is always accepted.
  EXPECT_EQ(Unmap(va, 0), kNoError);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, UnmapWithTheMapTimeProcessHandleWorks) {
  const u64 p1 = m.CreateProcess();
  const u64 p2 = m.CreateProcess();
  const u64 va = MapFbUser(p1);
  EXPECT_EQ(Unmap(va, p2), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoUnmapWrongProcess);
  m.ClearReports();
  EXPECT_EQ(Unmap(va, p1), kNoError);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, UnmapOfSystemMappingWithAProcessHandleIsWrongProcess) {
  // A system-space mapping was made with *VirtualAddress NULL: the only
  // acceptable ProcessHandle is 0.
  const u64 p = m.CreateProcess();
  const u64 va = MapFb();
  EXPECT_EQ(Unmap(va, p), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoUnmapWrongProcess);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  EXPECT_EQ(Unmap(va, 0), kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

// ---------------------------------------------------------------------------
// VIDEO.UNMAP_NOT_MAPPED / UNMAP_DOUBLE and the interior unmap

TEST_F(VideoDdiTest, UnmapOfNeverMappedAddressIsNotMapped) {
  const u64 va = MapFb();
  const u64 never[] = {0, 0x1234, kSystemRegionBase + 0x100000000ull, kUserRegionBase, ~0ull};
  for (u64 bogus : never) {
    SCOPED_TRACE(bogus);
    EXPECT_EQ(Unmap(bogus), kErrorInvalidParameter);
    ExpectOnly(RuleId::VideoUnmapNotMapped);
    m.ClearReports();
  }
  EXPECT_EQ(m.live_mapping_count(), 1u);
  EXPECT_EQ(Unmap(va), kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, UnmapInTheGuardPageIsNotMapped) {
  // The guard page after a mapping's extent belongs to no mapping.
  const u64 va = MapFb(0, 0x1000);
  EXPECT_EQ(Unmap(va + 0x1000), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoUnmapNotMapped);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  EXPECT_EQ(Unmap(va + 0xFFF), kNoError);  // last byte of the extent: interior
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, SecondUnmapIsDouble) {
  const u64 va = MapFb();
  EXPECT_EQ(Unmap(va), kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(Unmap(va), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoUnmapDouble);
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(VideoDdiTest, UnmapAtInteriorAddressReleasesTheWholeRange) {
  const u64 va = MapFb(0, 0x3000);
  const u64 other = MapFb(0x100000, 0x1000);  // unrelated mapping stays
  ASSERT_EQ(m.live_mapping_count(), 2u);
  EXPECT_EQ(Unmap(va + 0x1800), kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();  // documented, not a violation
  EXPECT_EQ(m.live_mapping_count(), 1u);
  // Every page of the range is gone, not just the one containing the address.
  EXPECT_EQ(m.Read(va, 4), 0u);
  ExpectOnly(RuleId::AccessUseAfterUnmap);
  m.ClearReports();
  EXPECT_EQ(m.Read(va + 0x2FFC, 4), 0u);
  ExpectOnly(RuleId::AccessUseAfterUnmap);
  m.ClearReports();
  // The base is now stale.
  EXPECT_EQ(Unmap(va), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoUnmapDouble);
  m.ClearReports();
  EXPECT_EQ(Unmap(other), kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, UnmapInsideRoundedTailReleasesTheRange) {
  // The extent is whole pages: an address past the input length but inside
  // the last page is still interior.
  const u64 va = MapFb(0, 0x100);
  EXPECT_EQ(Unmap(va + 0x800), kNoError);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, UnmapOfInteriorAddressOfAUserMappingReleasesIt) {
  const u64 p = m.CreateProcess();
  const u64 va = MapFbUser(p, 0x2000);
  EXPECT_EQ(Unmap(va + 0x1004, p), kNoError);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

// ---------------------------------------------------------------------------
// VIDEO.UNMAP_OTHER_OWNER / UNMAP_OTHER_FAMILY

TEST_F(VideoDdiTest, UnmapThroughAnotherVideoDeviceIsOtherOwner) {
  const u64 video2 = m.CreateVideoDevice();
  ASSERT_EQ(m.AssignResource(video2, PhysSpace::Memory, kVideo2Fb, kVideo2FbLen),
            ControlStatus::Ok);
  const u64 va = MapFb();
  const VideoMap mine = MapOn(video2, kVideo2Fb, 0x1000);
  ASSERT_EQ(mine.status, kNoError);
  EXPECT_EQ(m.VideoPortUnmapMemory(video2, va, 0), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoUnmapOtherOwner);
  EXPECT_EQ(m.live_mapping_count(), 2u);
  m.ClearReports();
  // Interior addresses of another device's mapping are other-owner too.
  EXPECT_EQ(m.VideoPortUnmapMemory(video2, va + 0x10, 0), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoUnmapOtherOwner);
  m.ClearReports();
  // Each device unmaps its own mapping.
  EXPECT_EQ(m.VideoPortUnmapMemory(video2, mine.va, 0), kNoError);
  EXPECT_EQ(Unmap(va), kNoError);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, SecondVideoDeviceCannotMapTheFirstDevicesFrameBuffer) {
  // The range must be inside one of *this* device's resources.
  const u64 video2 = m.CreateVideoDevice();
  ASSERT_EQ(m.AssignResource(video2, PhysSpace::Memory, kVideo2Fb, kVideo2FbLen),
            ControlStatus::Ok);
  const VideoMap r = MapOn(video2, kVideoFb, 0x1000);
  EXPECT_EQ(r.status, kErrorInvalidParameter);
  EXPECT_EQ(r.va, 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, UnmapOfAnMmMappingIsOtherFamily) {
  const u64 mm = m.MmMapIoSpace(kWdmBar, 0x2000, kMmNonCached);
  ASSERT_NE(mm, 0u);
  EXPECT_EQ(Unmap(mm), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoUnmapOtherFamily);
  m.ClearReports();
  EXPECT_EQ(Unmap(mm + 0x1000), kErrorInvalidParameter);  // interior: still other family
  ExpectOnly(RuleId::VideoUnmapOtherFamily);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  // The mapping was kept: its own family releases it cleanly.
  m.MmUnmapIoSpace(mm, 0x2000);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, UnmapOfAnNdisMappingIsOtherFamily) {
  ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, nic), ControlStatus::Ok);
  u64 nva = 0;
  ASSERT_EQ(m.NdisMMapIoSpace(&nva, nic, kNicBar, 0x1000), kNdisStatusSuccess);
  EXPECT_EQ(Unmap(nva), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoUnmapOtherFamily);
  m.ClearReports();
  m.NdisMUnmapIoSpace(nic, nva, 0x1000);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

// ---------------------------------------------------------------------------
// VIDEO.P6CACHE_CONFLICT

TEST_F(VideoDdiTest, OverlappingMappingWithDifferentP6CacheIsAConflict) {
  const u64 plain = MapFb(0, 0x2000);
  // Shares the page at kVideoFb + 0x1000 with `plain`.
  const VideoMap wc = Map(kVideoFb + 0x1000, 0x2000, kVideoMemorySpaceP6Cache);
  EXPECT_EQ(wc.status, kErrorInvalidParameter);
  EXPECT_EQ(wc.va, 0u);
  ExpectOnly(RuleId::VideoP6CacheConflict);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  // Legal neighbour: P6CACHE on the next page, which `plain` does not cover.
  const VideoMap next = Map(kVideoFb + 0x2000, 0x1000, kVideoMemorySpaceP6Cache);
  EXPECT_EQ(next.status, kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(Unmap(plain), kNoError);
  // With the plain mapping gone, the first range may now be write-combined.
  EXPECT_EQ(Map(kVideoFb, 0x2000, kVideoMemorySpaceP6Cache).status, kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, P6CacheFirstThenPlainIsAConflict) {
  MapFb(0x10000, 0x1000, kVideoMemorySpaceP6Cache);
  const VideoMap plain = Map(kVideoFb + 0x10000 + 0x800, 0x100);
  EXPECT_EQ(plain.status, kErrorInvalidParameter);
  EXPECT_EQ(plain.va, 0u);
  ExpectOnly(RuleId::VideoP6CacheConflict);
}

TEST_F(VideoDdiTest, SameP6CacheFlagTwiceIsLegal) {
  const u64 a = MapFb(0, 0x2000);
  const u64 b = MapFb(0x1000, 0x2000);  // overlapping, both plain
  const u64 c = MapFb(0x100000, 0x2000, kVideoMemorySpaceP6Cache);
  const u64 d = MapFb(0x101000, 0x2000, kVideoMemorySpaceP6Cache);  // overlapping, both WC
  EXPECT_EQ(m.live_mapping_count(), 4u);
  EXPECT_EQ(Total(), 0u) << Dump();
  // Overlapping mappings share device memory.
  m.Write(a + 0x1000, 4, 0xA5A5A5A5);
  EXPECT_EQ(m.Read(b, 4), 0xA5A5A5A5u);
  for (u64 va : {a, b, c, d}) EXPECT_EQ(Unmap(va), kNoError) << std::hex << va;
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, ConflictWithAnMmMappingOfTheFrameBuffer) {
  // MmMapIoSpace may map any I/O space, including the frame buffer; caching
  // must still agree. VideoPortMapMemory's side is VIDEO.P6CACHE_CONFLICT.
  const u64 cached = m.MmMapIoSpace(kVideoFb, 0x1000, kMmCached);
  ASSERT_NE(cached, 0u) << Dump();
  const VideoMap r = Map(kVideoFb, 0x1000);  // non-cached
  EXPECT_EQ(r.status, kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoP6CacheConflict);
  m.ClearReports();
  m.MmUnmapIoSpace(cached, 0x1000);
  // A write-combined MM mapping agrees with P6CACHE, and a non-cached one
  // made after it is MM_IO.CACHE_CONFLICT (MmMapIoSpace makes it).
  const u64 wc = MapFb(0, 0x1000, kVideoMemorySpaceP6Cache);
  EXPECT_NE(m.MmMapIoSpace(kVideoFb, 0x1000, kMmWriteCombined), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.MmMapIoSpace(kVideoFb, 0x1000, kMmNonCached), 0u);
  ExpectOnly(RuleId::MmIoCacheConflict);
  (void)wc;
}

// ---------------------------------------------------------------------------
// VIDEO.MAP_RAM

TEST_F(VideoDdiTest, MappingRamIsRefused) {
  const VideoMap r = Map(0x100000, 0x1000);
  EXPECT_EQ(r.status, kErrorInvalidParameter);
  EXPECT_EQ(r.va, 0u);
  ExpectOnly(RuleId::VideoMapRam);
  m.ClearReports();
  // Any byte in RAM is enough: the last RAM page plus one page beyond.
  const VideoMap straddle = Map(kRamBase + kRamLen - 0x1000, 0x2000);
  EXPECT_EQ(straddle.status, kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoMapRam);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.ClearReports();
  EXPECT_EQ(Map(kVideoFb, 0x1000).status, kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, RamCheckPrecedesTheResourceCheck) {
  // RAM is never a device resource, but it is a violation, not a failed
  // translation: the report must be there.
  const VideoMap r = Map(kRamBase, 0x1000, kVideoMemorySpaceP6Cache);
  EXPECT_EQ(r.status, kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoMapRam);
}

// ---------------------------------------------------------------------------
// VIDEO.LEAK

TEST_F(VideoDdiTest, LiveMappingAtTeardownLeaks) {
  const u64 va = MapFb(0, 0x2000);
  m.Write(va, 4, 7);  // touch a page so teardown has something to free
  EXPECT_EQ(Total(), 0u) << Dump();
  m.Teardown();
  ExpectOnly(RuleId::VideoLeak);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.touched_page_count(), 0u);
}

TEST_F(VideoDdiTest, ReleasedMappingDoesNotLeakAtTeardown) {
  const u64 va = MapFb(0, 0x2000);
  EXPECT_EQ(Unmap(va), kNoError);
  m.Teardown();
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, UserMappingLeaksWhenItsProcessExits) {
  const u64 p = m.CreateProcess();
  const u64 other = m.CreateProcess();
  const u64 sys = MapFb(0x200000, 0x1000);
  MapFbUser(p);
  MapFbUser(other);
  ASSERT_EQ(m.live_mapping_count(), 3u);
  EXPECT_EQ(m.ExitProcess(p), ControlStatus::Ok);
  ExpectOnly(RuleId::VideoLeak);
  // Only p's mapping is released; the system mapping and the other process's stay.
  EXPECT_EQ(m.live_mapping_count(), 2u);
  m.ClearReports();
  EXPECT_EQ(Unmap(sys), kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, ProcessExitAfterUnmapDoesNotLeak) {
  const u64 p = m.CreateProcess();
  const u64 va = MapFbUser(p);
  EXPECT_EQ(Unmap(va, p), kNoError);
  EXPECT_EQ(m.ExitProcess(p), ControlStatus::Ok);
  EXPECT_EQ(Total(), 0u) << Dump();
}

// ---------------------------------------------------------------------------
// User-space mappings

TEST_F(VideoDdiTest, UserModeMappingLandsInTheUserRegion) {
  const u64 p = m.CreateProcess();
  const VideoMap r = Map(kVideoFb, 0x1000, kVideoMemorySpaceUserMode, p);
  ASSERT_EQ(r.status, kNoError);
  EXPECT_TRUE(InUserRegion(r.va)) << std::hex << r.va;
  EXPECT_EQ(Total(), 0u) << Dump();
  const auto views = m.LiveMappings();
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].region, Region::User);
  EXPECT_EQ(views[0].process, p);
  EXPECT_EQ(views[0].family, Family::Video);
  EXPECT_EQ(views[0].owner, video);
}

TEST_F(VideoDdiTest, UserMappingIsReadableOnlyFromItsProcess) {
  const u64 p = m.CreateProcess();
  const u64 q = m.CreateProcess();
  const u64 va = MapFbUser(p);
  ASSERT_EQ(m.AttachProcess(p), ControlStatus::Ok);
  m.Write(va, 4, 0xFEEDBEEF);
  EXPECT_EQ(m.Read(va, 4), 0xFEEDBEEFu);
  EXPECT_EQ(Total(), 0u) << Dump();
  ASSERT_EQ(m.AttachProcess(q), ControlStatus::Ok);
  EXPECT_EQ(m.Read(va, 4), 0u);
  ExpectOnly(RuleId::AccessWrongProcess);
  m.ClearReports();
  // The system context (detached) is not the process either.
  ASSERT_EQ(m.AttachProcess(0), ControlStatus::Ok);
  EXPECT_EQ(m.Read(va, 4), 0u);
  ExpectOnly(RuleId::AccessWrongProcess);
  m.ClearReports();
  ASSERT_EQ(m.AttachProcess(p), ControlStatus::Ok);
  EXPECT_EQ(m.Read(va, 4), 0xFEEDBEEFu);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, SystemAndUserMappingsOfOnePageShareDeviceMemory) {
  const u64 p = m.CreateProcess();
  const u64 sys = MapFb();
  const u64 usr = MapFbUser(p);
  EXPECT_NE(sys, usr);
  m.Write(sys + 8, 8, 0x0102030405060708ull);
  ASSERT_EQ(m.AttachProcess(p), ControlStatus::Ok);
  EXPECT_EQ(m.Read(usr + 8, 8), 0x0102030405060708ull);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, MappingsGetDistinctDeterministicAddresses) {
  const u64 a = MapFb(0, 0x1000);
  const u64 b = MapFb(0, 0x1000);
  EXPECT_NE(a, b);
  // A guard page separates consecutive extents: b is not a + 0x1000.
  EXPECT_NE(b, a + 0x1000);
  EXPECT_EQ(m.CheckInvariants(), "");
}

TEST_F(VideoDdiTest, RefusedMapWritesNullOverTheInputProcessHandle) {
  // *VirtualAddress is in/out: every refusal must overwrite the process
  // handle that came in with NULL.
  const u64 p = m.CreateProcess();
  const u32 user = kVideoMemorySpaceUserMode;
  {
    SCOPED_TRACE("VIDEO.BAD_DEVICE");
    EXPECT_EQ(MapOn(0x1234, kVideoFb, 0x1000, user, p).va, 0u);
    ExpectOnly(RuleId::VideoBadDevice);
    m.ClearReports();
  }
  {
    SCOPED_TRACE("COMMON.NULL_POINTER");
    u32 io = user;
    u64 va = p;
    EXPECT_EQ(m.VideoPortMapMemory(video, kVideoFb, nullptr, &io, &va), kErrorInvalidParameter);
    EXPECT_EQ(va, 0u);
    ExpectOnly(RuleId::CommonNullPointer);
    m.ClearReports();
  }
  {
    SCOPED_TRACE("VIDEO.IRQL");
    ASSERT_EQ(m.SetIrql(kApcLevel), ControlStatus::Ok);
    EXPECT_EQ(Map(kVideoFb, 0x1000, user, p).va, 0u);
    ExpectOnly(RuleId::VideoIrql);
    ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
    m.ClearReports();
  }
  {
    SCOPED_TRACE("VIDEO.MAP_RAM");
    EXPECT_EQ(Map(0x200000, 0x1000, user, p).va, 0u);
    ExpectOnly(RuleId::VideoMapRam);
    m.ClearReports();
  }
  {
    SCOPED_TRACE("VIDEO.P6CACHE_CONFLICT");
    MapFb(0, 0x1000);
    EXPECT_EQ(Map(kVideoFb, 0x1000, user | kVideoMemorySpaceP6Cache, p).va, 0u);
    ExpectOnly(RuleId::VideoP6CacheConflict);
    m.ClearReports();
  }
  // And the legal call with the same input returns a user address.
  EXPECT_TRUE(InUserRegion(Map(kVideoFb, 0x1000, user, p).va));
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, MapAfterTeardownFailsWithNullAddress) {
  // After Teardown() calls are ignored, but the caller still gets the
  // function's failure value, and "refused calls write their failure value to
  // out-pointers that are not NULL" (docs/semantics.md, General).
  const u64 p = m.CreateProcess();
  m.Teardown();
  const VideoMap r = Map(kVideoFb, 0x1000, kVideoMemorySpaceUserMode, p);
  EXPECT_EQ(r.status, kErrorInvalidParameter);
  EXPECT_EQ(r.va, 0u);
  EXPECT_EQ(r.length, 0x1000u);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoDdiTest, UnmapChecksTheAddressBeforeTheProcessHandle) {
  // Address classification first, then VIDEO.UNMAP_WRONG_PROCESS.
  const u64 p = m.CreateProcess();
  EXPECT_EQ(Unmap(kSystemRegionBase + 0x100000000ull, p), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoUnmapNotMapped);
}

TEST_F(VideoDdiTest, UnmapAfterProcessExitIsDouble) {
  // The exit released the mapping (VIDEO.LEAK); its address is now stale.
  const u64 p = m.CreateProcess();
  const u64 va = MapFbUser(p);
  ASSERT_EQ(m.ExitProcess(p), ControlStatus::Ok);
  ExpectOnly(RuleId::VideoLeak);
  m.ClearReports();
  EXPECT_EQ(Unmap(va, 0), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoUnmapDouble);
}

TEST(VideoRegionTest, NoVirtualSpaceIsInvalidParameterWithoutAReport) {
  MachineOptions o;
  o.system_region_size = 0x4000;  // room for one 2-page mapping and its guard page
  Machine m(o);
  const u64 video = m.CreateVideoDevice();
  ASSERT_EQ(m.AssignResource(video, PhysSpace::Memory, kVideoFb, kVideoFbLen), ControlStatus::Ok);
  u32 len = 0x2000;
  u32 io = 0;
  u64 va = 0;
  ASSERT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &io, &va), kNoError);
  len = 0x2000;
  u64 va2 = 0;
  EXPECT_EQ(m.VideoPortMapMemory(video, kVideoFb + 0x10000, &len, &io, &va2),
            kErrorInvalidParameter);
  EXPECT_EQ(va2, 0u);
  EXPECT_EQ(len, 0x2000u);
  EXPECT_EQ(m.reports().size(), 0u);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  EXPECT_EQ(m.VideoPortUnmapMemory(video, va, 0), kNoError);
  EXPECT_EQ(m.reports().size(), 0u);
}

TEST(VideoRegionTest, LeakReportNamesTheMapCall) {
  Machine m;
  const u64 video = m.CreateVideoDevice();
  ASSERT_EQ(m.AssignResource(video, PhysSpace::Memory, kVideoFb, kVideoFbLen), ControlStatus::Ok);
  u32 len = 0x1000;
  u32 io = 0;
  u64 va = 0;
  ASSERT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &io, &va), kNoError);
  m.Teardown();
  ASSERT_EQ(m.reports().size(), 1u);
  const Report& r = m.reports()[0];
  EXPECT_EQ(r.rule, RuleId::VideoLeak);
  EXPECT_TRUE(r.has_created);
  EXPECT_EQ(r.created.id, CallId::VideoPortMapMemory);
  const std::string text = m.FormatReport(r);
  EXPECT_EQ(text.rfind("ERROR: ddimap: VIDEO.LEAK in ", 0), 0u) << text;
  EXPECT_NE(text.find("created by #"), std::string::npos) << text;
}

}  // namespace
}  // namespace ddimap::test
