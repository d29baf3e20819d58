// NDIS_SHARED family: NdisMAllocateSharedMemory / NdisMFreeSharedMemory.
//
// Following docs/semantics.md "NDIS_SHARED": RAM pages by first fit, the
// documented NULL without a report, the free's address classification and
// its exact-parameter checks (Length, then Cached, then PhysicalAddress), and
// the leaks at MiniportHaltEx, a failing MiniportInitializeEx and teardown.
#include <gtest/gtest.h>

#include "ddimap/machine.hpp"
#include "fixture.hpp"

namespace ddimap::test {
namespace {

struct Block {
  u64 va = 0;
  u64 pa = 0;
};

class NdisSharedTest : public MachineTest {
 protected:
  NdisSharedTest() { EXPECT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, nic), ControlStatus::Ok); }
  Block Alloc(u32 len, bool cached = false, u64 adapter = 0) {
    Block b{1, 1};  // the call must overwrite both
    m.NdisMAllocateSharedMemory(adapter ? adapter : nic, len, cached, &b.va, &b.pa);
    return b;
  }
  void Free(const Block& b, u32 len, bool cached = false) { m.NdisMFreeSharedMemory(nic, len, cached, b.va, b.pa); }
  void ExpectOnly(RuleId rule) {
    EXPECT_EQ(Total(), 1u) << Dump();
    EXPECT_EQ(Count(rule), 1u) << Dump();
  }
};

TEST_F(NdisSharedTest, AllocatesRamPagesFirstFitAboveThePageZero) {
  const Block a = Alloc(0x1800);
  const Block b = Alloc(0x10, true);
  EXPECT_EQ(a.pa, 0x1000u);
  EXPECT_EQ(b.pa, 0x3000u);
  EXPECT_EQ(a.va & 0xFFF, 0u);
  const auto live = m.LiveMappings();
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[0].family, Family::NdisShared);
  EXPECT_EQ(live[0].owner, nic);
  EXPECT_EQ(live[0].cache, static_cast<u32>(kMmCached));
  EXPECT_EQ(live[0].access_length, 0x1800u);
  Free(a, 0x1800);
  EXPECT_EQ(Alloc(0x1000).pa, 0x1000u);  // freed pages are RAM again at once
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.CheckInvariants(), "");
}

TEST_F(NdisSharedTest, AccessesWithinLengthAreLegal) {
  const Block a = Alloc(0x100);
  m.Write(a.va + 0xF8, 8, 0x1122334455667788ull);
  EXPECT_EQ(m.Read(a.va + 0xF8, 8), 0x1122334455667788ull);
  EXPECT_EQ(m.Read(a.va + 0x100, 1), 0u);
  ExpectOnly(RuleId::AccessOutOfBounds);
}

TEST_F(NdisSharedTest, NullWithoutReportWhenNothingFits) {
  const Block zero = Alloc(0);
  EXPECT_EQ(zero.va, 0u);
  EXPECT_EQ(zero.pa, 0u);
  const Block huge = Alloc(0xFFFFFFFF);  // more than the fixture's 2 GiB of RAM
  EXPECT_EQ(huge.va, 0u);
  EXPECT_EQ(huge.pa, 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(Alloc(0x7FFFF000).pa, 0x1000u);  // all of it but page 0
  EXPECT_EQ(Alloc(0x1000).va, 0u);            // now full
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(NdisSharedTest, IrqlThenHandleThenPointers) {
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  EXPECT_EQ(Alloc(0x1000, false, wdm).va, 0u);
  ExpectOnly(RuleId::NdisSharedIrql);
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  m.ClearReports();
  EXPECT_EQ(Alloc(0x1000, false, nic2).va, 0u);  // never entered MiniportInitializeEx
  ExpectOnly(RuleId::NdisIoBadHandle);
  m.ClearReports();
  u64 pa = 7;
  m.NdisMAllocateSharedMemory(nic, 0x1000, false, nullptr, &pa);
  EXPECT_EQ(pa, 0u);
  u64 va = 7;
  m.NdisMAllocateSharedMemory(nic, 0x1000, false, &va, nullptr);
  EXPECT_EQ(va, 0u);
  EXPECT_EQ(Count(RuleId::CommonNullPointer), 2u) << Dump();
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(NdisSharedTest, FreeChecksTheAddressThenLengthCachedPhysical) {
  const Block a = Alloc(0x2000, true);
  Free({a.va + 0x1000, a.pa}, 0x2000, true);
  ExpectOnly(RuleId::NdisSharedFreeInterior);
  m.ClearReports();
  Free(a, 0x1000, false);
  ExpectOnly(RuleId::NdisSharedFreeLengthMismatch);
  m.ClearReports();
  Free(a, 0x2000, false);
  ExpectOnly(RuleId::NdisSharedFreeCachedMismatch);
  m.ClearReports();
  Free({a.va, a.pa + 0x1000}, 0x2000, true);
  ExpectOnly(RuleId::NdisSharedFreePhysMismatch);
  m.ClearReports();
  m.NdisMFreeSharedMemory(nic2, 0x2000, true, a.va, a.pa);  // nic2 is no live adapter
  ExpectOnly(RuleId::NdisIoBadHandle);
  m.ClearReports();
  EXPECT_EQ(m.live_mapping_count(), 1u);
  Free(a, 0x2000, true);
  EXPECT_EQ(Total(), 0u) << Dump();
  Free(a, 0x2000, true);
  ExpectOnly(RuleId::NdisSharedFreeDouble);
  m.ClearReports();
  Free({kSystemRegionBase + 0x100000000ull, 0}, 0x1000);
  ExpectOnly(RuleId::NdisSharedFreeNotMapped);
}

TEST_F(NdisSharedTest, OtherOwnerAndOtherFamilies) {
  const Block a = Alloc(0x1000);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, nic2), ControlStatus::Ok);
  m.NdisMFreeSharedMemory(nic2, 0x1000, false, a.va, a.pa);
  ExpectOnly(RuleId::NdisSharedFreeOtherOwner);
  m.ClearReports();
  u64 io = 0;
  ASSERT_EQ(m.NdisMMapIoSpace(&io, nic2, kNic2Bar, 0x1000), kNdisStatusSuccess);
  m.NdisMFreeSharedMemory(nic2, 0x1000, false, io, kNic2Bar);
  ExpectOnly(RuleId::NdisSharedFreeOtherFamily);
  m.ClearReports();
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  ASSERT_EQ(m.EnterCallback(Callback::MiniportHaltEx, nic), ControlStatus::Ok);
  m.NdisMUnmapIoSpace(nic, a.va, 0x1000);
  ExpectOnly(RuleId::NdisIoUnmapOtherFamily);
  m.ClearReports();
  m.MmUnmapIoSpace(a.va, 0x1000);
  ExpectOnly(RuleId::MmIoUnmapOtherFamily);
  m.ClearReports();
  m.VideoPortFreeDeviceBase(video, a.va);
  ExpectOnly(RuleId::VideoBaseFreeOtherFamily);
  m.ClearReports();
  Free(a, 0x1000);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(NdisSharedTest, LeakAtFailedInitializeAfterTheIoSpaceLeaks) {
  const Block a = Alloc(0x1000);
  u64 io = 0;
  ASSERT_EQ(m.NdisMMapIoSpace(&io, nic, kNicBar, 0x1000), kNdisStatusSuccess);
  ASSERT_EQ(m.LeaveCallback(false), ControlStatus::Ok);
  ASSERT_EQ(m.reports().size(), 2u) << Dump();
  EXPECT_EQ(m.reports()[0].rule, RuleId::NdisIoLeak);
  EXPECT_EQ(m.reports()[1].rule, RuleId::NdisSharedLeak);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.ClearReports();
  EXPECT_EQ(m.Read(a.va, 4), 0u);
  ExpectOnly(RuleId::AccessUseAfterUnmap);
}

TEST_F(NdisSharedTest, LeakAtHaltAndAtTeardown) {
  Alloc(0x1000);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  ASSERT_EQ(m.EnterCallback(Callback::MiniportHaltEx, nic), ControlStatus::Ok);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  ExpectOnly(RuleId::NdisSharedLeak);
  m.ClearReports();
  ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, nic2), ControlStatus::Ok);
  Alloc(0x1000, false, nic2);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  m.Teardown();
  ExpectOnly(RuleId::NdisSharedLeak);
  EXPECT_EQ(m.reports()[0].call.seq, 0u);
  EXPECT_EQ(m.touched_page_count(), 0u);
}

}  // namespace
}  // namespace ddimap::test
