// KMDF on a WDM device: EvtDevicePrepareHardware / EvtDeviceReleaseHardware
// and the resource list they receive (WdfCmResourceListGetCount /
// GetDescriptor). Expectations follow docs/semantics.md ("KMDF hardware
// callbacks", "Resource queries"). Every test name starts with "Kmdf".
#include <string>

#include "fixture.hpp"

namespace ddimap::test {
namespace {

class KmdfTest : public MachineTest {
 protected:
  ControlStatus Enter(Callback cb) { return m.EnterCallback(cb, wdm); }
  std::string Rules() const {
    std::string out;
    for (const auto& r : m.reports()) out += std::string(RuleName(r.rule)) + " ";
    return out;
  }
};

TEST_F(KmdfTest, KmdfPrepareMapsReleaseUnmapsSilently) {
  ASSERT_EQ(Enter(Callback::EvtDevicePrepareHardware), ControlStatus::Ok);
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  ASSERT_NE(va, 0u);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  m.Write(va + 0x10, 4, 7);
  EXPECT_EQ(m.Read(va + 0x10, 4), 7u);
  ASSERT_EQ(Enter(Callback::EvtDeviceReleaseHardware), ControlStatus::Ok);
  m.MmUnmapIoSpace(va, 0x1000);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  // re-prepare after release is legal
  ASSERT_EQ(Enter(Callback::EvtDevicePrepareHardware), ControlStatus::Ok);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  ASSERT_EQ(Enter(Callback::EvtDeviceReleaseHardware), ControlStatus::Ok);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  m.Teardown();
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(KmdfTest, KmdfMappingLiveAtReleaseEndIsLeakAndReleased) {
  ASSERT_EQ(Enter(Callback::EvtDevicePrepareHardware), ControlStatus::Ok);
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  ASSERT_EQ(Enter(Callback::EvtDeviceReleaseHardware), ControlStatus::Ok);
  EXPECT_EQ(Total(), 0u);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  ASSERT_EQ(Count(RuleId::MmIoLeak), 1u) << Dump();
  EXPECT_EQ(m.reports()[0].call.callback, Callback::EvtDeviceReleaseHardware);
  EXPECT_NE(m.FormatReport(m.reports()[0]).find("MM_IO.LEAK in EvtDeviceReleaseHardware"), std::string::npos)
      << Dump();
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.ClearReports();
  EXPECT_EQ(m.Read(va, 4), 0u);
  EXPECT_EQ(Count(RuleId::AccessUseAfterUnmap), 1u);
}

TEST_F(KmdfTest, KmdfFailedPrepareLeaksNothingUntilRelease) {
  ASSERT_EQ(Enter(Callback::EvtDevicePrepareHardware), ControlStatus::Ok);
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  ASSERT_EQ(m.LeaveCallback(false), ControlStatus::Ok);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.live_mapping_count(), 1u);
  // the framework calls release next: prepare again is out of order
  EXPECT_EQ(Enter(Callback::EvtDevicePrepareHardware), ControlStatus::BadState);
  ASSERT_EQ(Enter(Callback::EvtDeviceReleaseHardware), ControlStatus::Ok);
  m.MmUnmapIoSpace(va, 0x1000);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(KmdfTest, KmdfOrderOfCallbacks) {
  EXPECT_EQ(Enter(Callback::EvtDeviceReleaseHardware), ControlStatus::BadState);  // nothing prepared
  EXPECT_EQ(m.EnterCallback(Callback::EvtDevicePrepareHardware, nic), ControlStatus::BadObject);
  ASSERT_EQ(Enter(Callback::EvtDevicePrepareHardware), ControlStatus::Ok);
  EXPECT_EQ(m.callback(), Callback::EvtDevicePrepareHardware);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  EXPECT_EQ(Enter(Callback::EvtDevicePrepareHardware), ControlStatus::BadState);  // prepared already
  ASSERT_EQ(Enter(Callback::EvtDeviceReleaseHardware), ControlStatus::Ok);
  ASSERT_EQ(m.LeaveCallback(false), ControlStatus::Ok);  // a failing release still releases
  EXPECT_EQ(Enter(Callback::EvtDeviceReleaseHardware), ControlStatus::BadState);
  // a removed device is never prepared again
  ASSERT_EQ(Enter(Callback::RemoveDevice), ControlStatus::Ok);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  EXPECT_EQ(Enter(Callback::EvtDevicePrepareHardware), ControlStatus::BadState);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(KmdfTest, KmdfTeardownReleasesPreparedHardware) {
  ASSERT_EQ(Enter(Callback::EvtDevicePrepareHardware), ControlStatus::Ok);
  ASSERT_NE(m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached), 0u);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  m.Teardown();
  ASSERT_EQ(Count(RuleId::MmIoLeak), 1u) << Dump();
  EXPECT_EQ(m.reports()[0].call.callback, Callback::EvtDeviceReleaseHardware);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.CheckInvariants(), "");
}

TEST_F(KmdfTest, KmdfResourceListCountsAndDescribesAssignedResources) {
  ASSERT_EQ(m.AssignResource(wdm, PhysSpace::Port, 0x1000, 0x10), ControlStatus::Ok);
  ASSERT_EQ(Enter(Callback::EvtDevicePrepareHardware), ControlStatus::Ok);
  EXPECT_EQ(m.WdfCmResourceListGetCount(wdm), 2u);
  EXPECT_EQ(m.WdfCmResourceListGetDescriptor(wdm, 0), kCmResourceTypeMemory);
  EXPECT_EQ(m.WdfCmResourceListGetDescriptor(wdm, 1), kCmResourceTypePort);
  EXPECT_EQ(m.WdfCmResourceListGetDescriptor(wdm, 2), kCmResourceTypeNull);  // NULL, no report
  EXPECT_EQ(m.WdfCmResourceListGetDescriptor(wdm, ~0ull), kCmResourceTypeNull);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  // still valid between the callbacks and inside release
  EXPECT_EQ(m.WdfCmResourceListGetCount(wdm), 2u);
  ASSERT_EQ(Enter(Callback::EvtDeviceReleaseHardware), ControlStatus::Ok);
  EXPECT_EQ(m.WdfCmResourceListGetCount(wdm), 2u);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  EXPECT_EQ(Total(), 0u) << Dump();
  const auto rs = m.Resources(wdm);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].start, kWdmBar);
  EXPECT_EQ(rs[1].space, PhysSpace::Port);
}

TEST_F(KmdfTest, KmdfResourceListOutsideItsLifetimeIsReported) {
  EXPECT_EQ(m.WdfCmResourceListGetCount(wdm), 0u);
  EXPECT_EQ(Count(RuleId::MmIoResListHandle), 1u);
  EXPECT_EQ(m.WdfCmResourceListGetDescriptor(nic, 0), kCmResourceTypeNull);
  EXPECT_EQ(Count(RuleId::MmIoResListHandle), 2u);
  ASSERT_EQ(Enter(Callback::EvtDevicePrepareHardware), ControlStatus::Ok);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  ASSERT_EQ(Enter(Callback::EvtDeviceReleaseHardware), ControlStatus::Ok);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  EXPECT_EQ(m.WdfCmResourceListGetCount(wdm), 0u);
  EXPECT_EQ(Count(RuleId::MmIoResListHandle), 3u);
  EXPECT_EQ(Total(), 3u) << Dump();
}

TEST_F(KmdfTest, KmdfResourceListAboveDispatchIsReported) {
  ASSERT_EQ(Enter(Callback::EvtDevicePrepareHardware), ControlStatus::Ok);
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  EXPECT_EQ(m.WdfCmResourceListGetCount(wdm), 1u);
  ASSERT_EQ(m.SetIrql(3), ControlStatus::Ok);
  EXPECT_EQ(m.WdfCmResourceListGetCount(wdm), 0u);
  EXPECT_EQ(m.WdfCmResourceListGetDescriptor(wdm, 0), kCmResourceTypeNull);
  EXPECT_EQ(Count(RuleId::MmIoResListIrql), 2u) << Dump();
  EXPECT_EQ(Total(), 2u) << Dump();
}

TEST_F(KmdfTest, KmdfPagedCodeChecksTheIrqlOnly) {
  m.PagedCode();
  ASSERT_EQ(m.SetIrql(kApcLevel), ControlStatus::Ok);
  m.PagedCode();
  EXPECT_EQ(Total(), 0u) << Dump();
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  m.PagedCode();
  ASSERT_EQ(Count(RuleId::CommonPagedCodeIrql), 1u) << Dump();
  EXPECT_EQ(Total(), 1u);
  EXPECT_EQ(m.reports()[0].call.id, CallId::PagedCode);
}

}  // namespace
}  // namespace ddimap::test
