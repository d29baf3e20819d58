// VIDEO_BASE family: VideoPortGetDeviceBase / VideoPortFreeDeviceBase.
//
// Each rule gets a call that breaks it and a nearby legal one that must not,
// following docs/semantics.md "VIDEO_BASE": the order of checks, the
// documented NULL without a report, I/O-space bases (the port number itself),
// the free's address classification and the leak at device removal.
#include <gtest/gtest.h>

#include "ddimap/machine.hpp"
#include "fixture.hpp"

namespace ddimap::test {
namespace {

class VideoBaseTest : public MachineTest {
 protected:
  // VideoPortGetDeviceBase belongs in HwVidFindAdapter of its device.
  VideoBaseTest() {
    video2 = m.CreateVideoDevice();
    EXPECT_EQ(m.EnterCallback(Callback::VideoFindAdapter, video), ControlStatus::Ok);
  }
  u64 Get(u64 pa, u32 len, u32 flags = kVideoMemorySpaceMemory) {
    return m.VideoPortGetDeviceBase(video, pa, len, flags);
  }
  void Free(u64 base) { m.VideoPortFreeDeviceBase(video, base); }
  void ExpectOnly(RuleId rule) {
    EXPECT_EQ(Total(), 1u) << Dump();
    EXPECT_EQ(Count(rule), 1u) << Dump();
  }
  u64 video2 = 0;
};

TEST_F(VideoBaseTest, MemoryBaseIsASystemMappingTheRegisterAccessorsUse) {
  const u64 base = Get(kVideoFb + 0x10, 0x100);
  ASSERT_NE(base, 0u);
  EXPECT_EQ(base & 0xFFF, 0x10u);
  const auto live = m.LiveMappings();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].family, Family::VideoBase);
  EXPECT_EQ(live[0].owner, video);
  EXPECT_EQ(live[0].region, Region::System);
  EXPECT_EQ(live[0].cache, static_cast<u32>(kMmNonCached));
  m.Write(base + 0xFC, 4, 0xA5A5A5A5);
  EXPECT_EQ(m.Read(base + 0xFC, 4), 0xA5A5A5A5u);
  EXPECT_EQ(m.Read(base + 0xFD, 4), 0u);  // past NumberOfUchars
  ExpectOnly(RuleId::AccessOutOfBounds);
  m.ClearReports();
  Free(base);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.Read(base, 4), 0u);
  ExpectOnly(RuleId::AccessUseAfterUnmap);
}

TEST_F(VideoBaseTest, P6CacheBaseIsWriteCombined) {
  ASSERT_NE(Get(kVideoFb, 0x1000, kVideoMemorySpaceP6Cache), 0u);
  EXPECT_EQ(m.LiveMappings()[0].cache, static_cast<u32>(kMmWriteCombined));
  EXPECT_EQ(Get(kVideoFb, 0x1000), 0u);
  ExpectOnly(RuleId::VideoP6CacheConflict);
}

TEST_F(VideoBaseTest, IoBaseIsThePortNumberAndMapsNothing) {
  EXPECT_EQ(Get(kVideoPorts, kVideoPortsLen, kVideoMemorySpaceIo), kVideoPorts);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  Free(kVideoPorts);
  EXPECT_EQ(Total(), 0u) << Dump();
  Free(kVideoPorts);
  ExpectOnly(RuleId::VideoBaseFreeDouble);
  ASSERT_EQ(m.reports().size(), 1u);
  EXPECT_EQ(m.reports()[0].created.seq + 1, m.reports()[0].released.seq);
}

TEST_F(VideoBaseTest, IoBaseChecksOwnerAndInterior) {
  ASSERT_EQ(Get(kVideoPorts, kVideoPortsLen, kVideoMemorySpaceIo), kVideoPorts);
  m.VideoPortFreeDeviceBase(video2, kVideoPorts);
  ExpectOnly(RuleId::VideoBaseFreeOtherOwner);
  m.ClearReports();
  Free(kVideoPorts + 4);
  ExpectOnly(RuleId::VideoBaseFreeInterior);
  m.ClearReports();
  Free(kVideoPorts);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(VideoBaseTest, IrqlAndDeviceComeFirst) {
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  EXPECT_EQ(m.VideoPortGetDeviceBase(nic, kVideoFb, 0x1000, 0), 0u);
  ExpectOnly(RuleId::VideoBadDevice);
  m.ClearReports();
  EXPECT_EQ(Get(kVideoFb, 0x1000), 0u);
  ExpectOnly(RuleId::VideoBaseIrql);
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  const u64 base = Get(kVideoFb, 0x1000);
  ASSERT_EQ(m.SetIrql(kApcLevel), ControlStatus::Ok);
  m.ClearReports();
  Free(base);
  ExpectOnly(RuleId::VideoBaseIrql);
  EXPECT_EQ(m.live_mapping_count(), 1u);
}

TEST_F(VideoBaseTest, DocumentedNullIsNoReport) {
  EXPECT_EQ(Get(kVideoFb, 0x1000, kVideoMemorySpaceUserMode), 0u);
  EXPECT_EQ(Get(kVideoPorts, 4, kVideoMemorySpaceIo | kVideoMemorySpaceP6Cache), 0u);
  EXPECT_EQ(Get(kVideoFb, 0x1000, 0x10), 0u);
  EXPECT_EQ(Get(kVideoFb, 0), 0u);
  EXPECT_EQ(Get(0xFFFFFFFFFFFFF800ull, 0x1000), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
  // DENSE is obsolete but listed: accepted.
  EXPECT_NE(Get(kVideoFb, 0x1000, kVideoMemorySpaceDense), 0u);
}

TEST_F(VideoBaseTest, UnclaimedRangeIsReported) {
  EXPECT_EQ(Get(kVideoFb + kVideoFbLen - 0x800, 0x1000), 0u);  // runs past the resource
  EXPECT_EQ(Get(kRamBase + 0x10000, 0x1000), 0u);               // RAM is no resource
  EXPECT_EQ(Get(kVideoPorts, kVideoPortsLen + 1, kVideoMemorySpaceIo), 0u);
  EXPECT_EQ(Get(kVideoFb, 0x10, kVideoMemorySpaceIo), 0u);      // memory range as ports
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  ASSERT_EQ(m.EnterCallback(Callback::VideoFindAdapter, video2), ControlStatus::Ok);
  EXPECT_EQ(m.VideoPortGetDeviceBase(video2, kVideoFb, 0x1000, 0), 0u);  // video2 claimed nothing
  EXPECT_EQ(Count(RuleId::VideoBaseUnclaimedRange), 5u) << Dump();
  EXPECT_EQ(Total(), 5u);
}

TEST_F(VideoBaseTest, OnlyInsideHwVidFindAdapterOfTheDevice) {
  EXPECT_EQ(m.VideoPortGetDeviceBase(video2, 0, 0x1000, 0), 0u);  // video's HwVidFindAdapter runs
  ExpectOnly(RuleId::VideoBaseContext);
  m.ClearReports();
  const u64 base = Get(kVideoFb, 0x1000);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  EXPECT_EQ(Get(kVideoFb + 0x1000, 0x1000), 0u);
  ASSERT_EQ(m.EnterCallback(Callback::VideoStartIo, video), ControlStatus::Ok);
  EXPECT_EQ(Get(kVideoFb + 0x1000, 0x1000), 0u);
  EXPECT_EQ(Count(RuleId::VideoBaseContext), 2u) << Dump();
  Free(base);  // the free is not bound to a callback
  EXPECT_EQ(Total(), 2u) << Dump();
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(VideoBaseTest, FailingFindAdapterReportsTheBasesItKept) {
  const u64 mem = Get(kVideoFb, 0x1000);
  ASSERT_EQ(Get(kVideoPorts, 4, kVideoMemorySpaceIo), kVideoPorts);
  const u64 freed = Get(kVideoFb + 0x2000, 0x1000);
  Free(freed);
  ASSERT_EQ(m.LeaveCallback(false), ControlStatus::Ok);
  EXPECT_EQ(Count(RuleId::VideoBaseLeak), 2u) << Dump();
  EXPECT_EQ(Total(), 2u);
  m.ClearReports();
  EXPECT_EQ(m.Read(mem, 4), 0u);
  ExpectOnly(RuleId::AccessUseAfterUnmap);
  m.ClearReports();
  Free(kVideoPorts);  // the leaked port base was released with its report
  ExpectOnly(RuleId::VideoBaseFreeDouble);
}

TEST_F(VideoBaseTest, FreeClassifiesTheAddress) {
  const u64 base = Get(kVideoFb, 0x2000);
  Free(base + 0x1000);
  ExpectOnly(RuleId::VideoBaseFreeInterior);
  m.ClearReports();
  m.VideoPortFreeDeviceBase(video2, base);
  ExpectOnly(RuleId::VideoBaseFreeOtherOwner);
  m.ClearReports();
  Free(kSystemRegionBase + 0x100000000ull);
  ExpectOnly(RuleId::VideoBaseFreeNotMapped);
  m.ClearReports();
  u32 len = 0x1000, io = 0;
  u64 va = 0;
  ASSERT_EQ(m.VideoPortMapMemory(video, kVideoFb + 0x100000, &len, &io, &va), kNoError);
  Free(va);
  ExpectOnly(RuleId::VideoBaseFreeOtherFamily);
  m.ClearReports();
  EXPECT_EQ(m.VideoPortUnmapMemory(video, base, 0), kErrorInvalidParameter);
  ExpectOnly(RuleId::VideoUnmapOtherFamily);
  m.ClearReports();
  m.MmUnmapIoSpace(base, 0x2000);
  ExpectOnly(RuleId::MmIoUnmapOtherFamily);
  m.ClearReports();
  Free(base);
  EXPECT_EQ(m.VideoPortUnmapMemory(video, va, 0), kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.CheckInvariants(), "");
}

TEST_F(VideoBaseTest, LiveBasesAreReleasedSilentlyAtDeviceRemoval) {
  // A miniport keeps the bases of an adapter it supports; the port driver releases them.
  const u64 port = Get(kVideoPorts, 8, kVideoMemorySpaceIo);
  const u64 mem = Get(kVideoFb, 0x1000);
  ASSERT_NE(mem, 0u);
  ASSERT_EQ(port, kVideoPorts);
  m.Teardown();
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.touched_page_count(), 0u);
  EXPECT_EQ(m.CheckInvariants(), "");
}

TEST_F(VideoBaseTest, FailingFindAdapterLeaksMemoryBasesThenPorts) {
  const u64 port = Get(kVideoPorts, 8, kVideoMemorySpaceIo);
  const u64 mem = Get(kVideoFb, 0x1000);
  ASSERT_NE(mem, 0u);
  ASSERT_EQ(port, kVideoPorts);
  m.LeaveCallback(false);
  ASSERT_EQ(m.reports().size(), 2u) << Dump();
  EXPECT_EQ(m.reports()[0].rule, RuleId::VideoBaseLeak);
  EXPECT_EQ(m.reports()[0].created.seq, m.reports()[1].created.seq + 1);  // the memory base came second
  EXPECT_EQ(m.reports()[1].rule, RuleId::VideoBaseLeak);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.CheckInvariants(), "");
}

TEST_F(VideoBaseTest, FreedIoBasesAreRememberedOnlyAsLongAsTheQuarantine) {
  MachineOptions o;
  o.quarantine_capacity = 1;
  Machine small(o);
  const u64 dev = small.CreateVideoDevice();
  ASSERT_EQ(small.AssignResource(dev, PhysSpace::Port, 0x100, 0x100), ControlStatus::Ok);
  ASSERT_EQ(small.EnterCallback(Callback::VideoFindAdapter, dev), ControlStatus::Ok);
  ASSERT_EQ(small.VideoPortGetDeviceBase(dev, 0x100, 4, kVideoMemorySpaceIo), 0x100u);
  ASSERT_EQ(small.VideoPortGetDeviceBase(dev, 0x180, 4, kVideoMemorySpaceIo), 0x180u);
  small.VideoPortFreeDeviceBase(dev, 0x100);
  small.VideoPortFreeDeviceBase(dev, 0x180);
  small.VideoPortFreeDeviceBase(dev, 0x100);  // forgotten: never mapped, as far as the machine knows
  small.VideoPortFreeDeviceBase(dev, 0x180);
  EXPECT_EQ(small.report_count(RuleId::VideoBaseFreeNotMapped), 1u);
  EXPECT_EQ(small.report_count(RuleId::VideoBaseFreeDouble), 1u);
}

}  // namespace
}  // namespace ddimap::test
