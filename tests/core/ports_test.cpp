// Port I/O: NdisMRegisterIoPortRange / NdisMDeregisterIoPortRange and the
// READ_PORT_* / WRITE_PORT_* rows of every family (docs/semantics.md, "Port
// I/O"). Each rule is triggered next to a legal call that stays silent, and
// refused calls are checked to leave the registration or the port as it was.
#include <array>
#include <string>

#include "fixture.hpp"

namespace ddimap::test {
namespace {

constexpr u64 kNicPorts = 0x300;
constexpr u32 kNicPortsLen = 0x20;
constexpr u64 kNic2Ports = 0x340;
constexpr u32 kNic2PortsLen = 0x10;
constexpr u64 kWdmPorts = 0x2F8;
constexpr u32 kWdmPortsLen = 0x8;
constexpr u64 kPoison = 0xDEADBEEFDEADBEEFull;

class PortsTest : public MachineTest {
 protected:
  PortsTest() {
    EXPECT_EQ(m.AssignResource(nic, PhysSpace::Port, kNicPorts, kNicPortsLen), ControlStatus::Ok);
    EXPECT_EQ(m.AssignResource(nic2, PhysSpace::Port, kNic2Ports, kNic2PortsLen), ControlStatus::Ok);
    EXPECT_EQ(m.AssignResource(wdm, PhysSpace::Port, kWdmPorts, kWdmPortsLen), ControlStatus::Ok);
  }
  void Enter(Callback cb, u64 adapter) { ASSERT_EQ(m.EnterCallback(cb, adapter), ControlStatus::Ok); }
  void Leave(bool ok = true) { ASSERT_EQ(m.LeaveCallback(ok), ControlStatus::Ok); }
  // Registers in a fresh MiniportInitializeEx of `adapter`, which stays running.
  u64 Register(u64 adapter, u64 first, u32 count) {
    Enter(Callback::MiniportInitializeEx, adapter);
    u64 offset = kPoison;
    EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, adapter, first, count), kNdisStatusSuccess) << Dump();
    Leave();
    return offset;
  }
  ::testing::AssertionResult Only(RuleId rule) {
    if (Total() == 1 && Count(rule) == 1) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "expected one " << RuleName(rule) << ", got:\n" << Dump();
  }
  ::testing::AssertionResult Clean() {
    if (Total() == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "unexpected reports:\n" << Dump();
  }
};

TEST_F(PortsTest, RegisterReturnsThePortNumberAndDeregisterReleasesIt) {
  const u64 offset = Register(nic, kNicPorts, kNicPortsLen);
  EXPECT_EQ(offset, kNicPorts);  // x64: PortOffset is InitialPort
  EXPECT_EQ(m.live_port_range_count(), 1u);
  Enter(Callback::MiniportHaltEx, nic);
  m.NdisMDeregisterIoPortRange(nic, kNicPorts, kNicPortsLen, offset);
  Leave();
  EXPECT_TRUE(Clean());
  EXPECT_EQ(m.live_port_range_count(), 0u);
  EXPECT_EQ(m.released_port_range_count(), 1u);
}

TEST_F(PortsTest, RegisterStatusesAreNotReports) {
  Enter(Callback::MiniportInitializeEx, nic);
  u64 offset = kPoison;
  // not one of this adapter's port resources
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, nic, kNic2Ports, kNic2PortsLen), kNdisStatusResourceConflict);
  EXPECT_EQ(offset, 0u);
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, nic, kNicPorts + 1, kNicPortsLen), kNdisStatusResourceConflict);
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, nic, kNicBar, 0x10), kNdisStatusResourceConflict);  // memory space
  // invalid ranges
  offset = kPoison;
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, nic, kNicPorts, 0), kNdisStatusFailure);
  EXPECT_EQ(offset, 0u);
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, nic, 0xFFFFFFFF, 2), kNdisStatusFailure);
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, nic, 0x100000000ull, 1), kNdisStatusFailure);
  // a subrange of the resource is fine, and so is registering it twice
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, nic, kNicPorts + 8, 8), kNdisStatusSuccess);
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, nic, kNicPorts + 8, 8), kNdisStatusSuccess);
  EXPECT_TRUE(Clean());
  EXPECT_EQ(m.live_port_range_count(), 2u);
  m.NdisMDeregisterIoPortRange(nic, kNicPorts + 8, 8, kNicPorts + 8);
  m.NdisMDeregisterIoPortRange(nic, kNicPorts + 8, 8, kNicPorts + 8);
  Leave();
  EXPECT_TRUE(Clean());
}

TEST_F(PortsTest, RegisterRefusalsInCheckOrder) {
  u64 offset = kPoison;
  // garbage handle, adapter not initialized yet
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, 0x1234, kNicPorts, kNicPortsLen), kNdisStatusFailure);
  EXPECT_TRUE(Only(RuleId::NdisIoBadHandle));
  EXPECT_EQ(offset, 0u);
  m.ClearReports();
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, nic, kNicPorts, kNicPortsLen), kNdisStatusFailure);
  EXPECT_TRUE(Only(RuleId::NdisIoBadHandle));
  m.ClearReports();
  Enter(Callback::MiniportInitializeEx, nic);
  // IRQL comes first
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  EXPECT_EQ(m.NdisMRegisterIoPortRange(nullptr, 0x1234, kNicPorts, kNicPortsLen), kNdisStatusFailure);
  EXPECT_TRUE(Only(RuleId::NdisIoPortIrql));
  m.ClearReports();
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  EXPECT_EQ(m.NdisMRegisterIoPortRange(nullptr, nic, kNicPorts, kNicPortsLen), kNdisStatusFailure);
  EXPECT_TRUE(Only(RuleId::CommonNullPointer));
  m.ClearReports();
  // nic2 has not entered MiniportInitializeEx: its handle is not live yet
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, nic2, kNic2Ports, kNic2PortsLen), kNdisStatusFailure);
  EXPECT_TRUE(Only(RuleId::NdisIoBadHandle));
  Leave();
  m.ClearReports();
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, nic, kNicPorts, kNicPortsLen), kNdisStatusFailure);
  EXPECT_TRUE(Only(RuleId::NdisIoPortRegisterContext));
  EXPECT_EQ(m.live_port_range_count(), 0u);
}

TEST_F(PortsTest, DeregisterRules) {
  const u64 offset = Register(nic, kNicPorts, kNicPortsLen);
  const u64 other = Register(nic2, kNic2Ports, kNic2PortsLen);
  // outside MiniportInitializeEx / MiniportHaltEx
  m.NdisMDeregisterIoPortRange(nic, kNicPorts, kNicPortsLen, offset);
  EXPECT_TRUE(Only(RuleId::NdisIoPortDeregisterContext));
  m.ClearReports();
  Enter(Callback::MiniportHaltEx, nic);
  ASSERT_EQ(m.SetIrql(kApcLevel), ControlStatus::Ok);
  m.NdisMDeregisterIoPortRange(nic, kNicPorts, kNicPortsLen, offset);
  EXPECT_TRUE(Only(RuleId::NdisIoPortIrql));
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  m.ClearReports();
  m.NdisMDeregisterIoPortRange(nic, kNic2Ports, kNic2PortsLen, other);
  EXPECT_TRUE(Only(RuleId::NdisIoPortOtherOwner));
  m.ClearReports();
  for (auto [first, count, off] : {std::array<u64, 3>{kNicPorts, 0x10, offset},
                                   std::array<u64, 3>{kNicPorts + 4, kNicPortsLen, offset},
                                   std::array<u64, 3>{kNicPorts, kNicPortsLen, offset + 4}}) {
    m.NdisMDeregisterIoPortRange(nic, first, static_cast<u32>(count), off);
    EXPECT_TRUE(Only(RuleId::NdisIoPortMismatch));
    ASSERT_EQ(m.reports()[0].created.seq != 0, true);
    m.ClearReports();
  }
  EXPECT_EQ(m.live_port_range_count(), 2u);  // every refusal kept it
  m.NdisMDeregisterIoPortRange(nic, kNicPorts, kNicPortsLen, kNicPorts + kNicPortsLen);
  EXPECT_TRUE(Only(RuleId::NdisIoPortNotRegistered));
  m.ClearReports();
  m.NdisMDeregisterIoPortRange(nic, kNicPorts, kNicPortsLen, offset);
  EXPECT_TRUE(Clean());
  const u64 deregistered = m.call_count();
  m.NdisMDeregisterIoPortRange(nic, kNicPorts, kNicPortsLen, offset);
  ASSERT_TRUE(Only(RuleId::NdisIoPortDeregisterDouble));
  EXPECT_EQ(m.reports()[0].released.seq, deregistered);
  Leave();
}

TEST_F(PortsTest, AMemoryMappingIsAnotherFamilysForDeregisterAndBack) {
  Enter(Callback::MiniportInitializeEx, nic);
  u64 va = 0, offset = 0;
  ASSERT_EQ(m.NdisMMapIoSpace(&va, nic, kNicBar, 0x1000), kNdisStatusSuccess);
  ASSERT_EQ(m.NdisMRegisterIoPortRange(&offset, nic, kNicPorts, kNicPortsLen), kNdisStatusSuccess);
  m.NdisMDeregisterIoPortRange(nic, kNicPorts, kNicPortsLen, va + 0x10);
  EXPECT_TRUE(Only(RuleId::NdisIoPortOtherFamily));
  m.ClearReports();
  m.NdisMUnmapIoSpace(nic, offset, kNicPortsLen);
  EXPECT_TRUE(Only(RuleId::NdisIoUnmapOtherFamily));
  m.ClearReports();
  m.MmUnmapIoSpace(offset + 0x1F, 1);
  EXPECT_TRUE(Only(RuleId::MmIoUnmapOtherFamily));
  m.ClearReports();
  EXPECT_EQ(m.VideoPortUnmapMemory(video, offset, 0), kErrorInvalidParameter);
  EXPECT_TRUE(Only(RuleId::VideoUnmapOtherFamily));
  m.ClearReports();
  m.MmUnmapIoSpace(offset + kNicPortsLen, 1);  // one past the range: nothing
  EXPECT_TRUE(Only(RuleId::MmIoUnmapNotMapped));
  m.ClearReports();
  EXPECT_EQ(m.live_port_range_count(), 1u);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.NdisMDeregisterIoPortRange(nic, kNicPorts, kNicPortsLen, offset);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Clean());
  m.MmUnmapIoSpace(offset, kNicPortsLen);  // a released registration is not remembered by memory unmaps
  EXPECT_TRUE(Only(RuleId::MmIoUnmapNotMapped));
  m.ClearReports();
  ASSERT_EQ(m.NdisMRegisterIoPortRange(&offset, nic, kNicPorts, kNicPortsLen), kNdisStatusSuccess);
  Leave();
  Enter(Callback::OnPrepareHardware, umdf);  // UMDF checks its context before the address
  m.UmdfUnmapIoSpace(umdf, offset + 4, kNicPortsLen);
  EXPECT_TRUE(Only(RuleId::UmdfIoUnmapOtherFamily));
  Leave();
}

TEST_F(PortsTest, LeaksAtHaltFailedInitializeAndTeardown) {
  Register(nic, kNicPorts, 8);
  Enter(Callback::MiniportHaltEx, nic);
  Leave();
  EXPECT_TRUE(Only(RuleId::NdisIoPortLeak));
  EXPECT_EQ(m.live_port_range_count(), 0u);
  m.ClearReports();

  Enter(Callback::MiniportInitializeEx, nic2);
  u64 offset = 0;
  ASSERT_EQ(m.NdisMRegisterIoPortRange(&offset, nic2, kNic2Ports, 8), kNdisStatusSuccess);
  ASSERT_EQ(m.NdisMRegisterIoPortRange(&offset, nic2, kNic2Ports + 8, 8), kNdisStatusSuccess);
  Leave(false);
  EXPECT_EQ(Count(RuleId::NdisIoPortLeak), 2u);
  EXPECT_EQ(Total(), 2u);
  // the leaked ranges are released: an access now is to a deregistered range
  m.ClearReports();
  u8 data = 0xAA;
  m.ReadPortBuffer(CallId::NdisRawReadPortUchar, kNic2Ports + 8, &data, 1);
  EXPECT_TRUE(Only(RuleId::AccessPortDeregistered));
  EXPECT_EQ(data, 0);
}

TEST_F(PortsTest, TeardownHaltsARunningAdapterWithItsPorts) {
  Machine copy(m);
  const u64 seq = m.call_count() + 2;
  Register(nic, kNicPorts, kNicPortsLen);
  m.Teardown();
  ASSERT_TRUE(Only(RuleId::NdisIoPortLeak));
  EXPECT_EQ(m.reports()[0].created.seq, seq);
  EXPECT_EQ(m.live_port_range_count(), 0u);
  EXPECT_EQ(m.released_port_range_count(), 0u);
  EXPECT_EQ(copy.live_port_range_count(), 0u);  // copies made before share nothing
}

TEST_F(PortsTest, PortsKeepTheLastValueWrittenAtAnyIrql) {
  EXPECT_EQ(m.ReadPort(CallId::ReadPortUchar, kWdmPorts), 0u);  // never written
  ASSERT_EQ(m.SetIrql(kHighLevel), ControlStatus::Ok);
  m.WritePort(CallId::WritePortUlong, kWdmPorts, 0x11223344);
  EXPECT_EQ(m.ReadPort(CallId::ReadPortUlong, kWdmPorts), 0x11223344u);
  EXPECT_EQ(m.ReadPort(CallId::ReadPortUshort, kWdmPorts + 2), 0x1122u);  // the bytes of I/O space
  m.WritePort(CallId::WritePortUchar, kWdmPorts + 1, 0x1FF);             // the width truncates
  EXPECT_EQ(m.ReadPort(CallId::ReadPortUlong, kWdmPorts), 0x1122FF44u);
  EXPECT_EQ(m.ReadPort(CallId::VideoPortReadPortUchar, kVideoPorts), 0u);
  m.WritePort(CallId::VideoPortWritePortUshort, kVideoPorts + 0x1E, 0xABCD);
  EXPECT_EQ(m.ReadPort(CallId::ReadPortUshort, kVideoPorts + 0x1E), 0xABCDu);  // any family's name
  EXPECT_TRUE(Clean());
  // a row that is no port read does nothing, not even count
  const u64 calls = m.call_count();
  EXPECT_EQ(m.ReadPort(CallId::WritePortUchar, kWdmPorts), 0u);
  EXPECT_EQ(m.call_count(), calls);
}

TEST_F(PortsTest, UnassignedPortsAreRefused) {
  m.WritePort(CallId::WritePortUchar, kWdmPorts + 7, 0x5A);
  m.WritePort(CallId::WritePortUshort, kWdmPorts + 7, 0x1);  // straddles the end
  EXPECT_TRUE(Only(RuleId::AccessPortUnassigned));
  m.ClearReports();
  EXPECT_EQ(m.ReadPort(CallId::ReadPortUlong, kWdmPorts + 6), 0u);
  EXPECT_EQ(m.ReadPort(CallId::ReadPortUchar, 0x3F8), 0u);
  EXPECT_EQ(m.ReadPort(CallId::VideoPortReadPortUlong, ~0ull), 0u);  // wraps past 2^64
  EXPECT_EQ(Count(RuleId::AccessPortUnassigned), 3u);
  EXPECT_EQ(Total(), 3u);
  m.ClearReports();
  EXPECT_EQ(m.ReadPort(CallId::ReadPortUchar, kWdmPorts + 7), 0x5Au);  // the refused write changed nothing
  EXPECT_TRUE(Clean());
}

TEST_F(PortsTest, NdisNamesNeedARegisteredRange) {
  u32 data = 0x77;
  m.ReadPortBuffer(CallId::NdisRawReadPortUchar, kNicPorts, &data, 1);
  EXPECT_TRUE(Only(RuleId::AccessPortUnregistered));
  EXPECT_EQ(data, 0x00u);  // a refused read stores 0 (one byte: the rest was 0 already)
  m.ClearReports();
  m.WritePort(CallId::NdisRawWritePortUchar, 0x3F8, 1);  // unassigned comes first
  EXPECT_TRUE(Only(RuleId::AccessPortUnassigned));
  m.ClearReports();
  const u64 offset = Register(nic, kNicPorts, 8);
  m.WritePort(CallId::NdisRawWritePortUshort, offset + 6, 0x4242);
  data = 0;
  m.ReadPortBuffer(CallId::NdisRawReadPortUshort, offset + 6, &data, 1);
  EXPECT_EQ(data, 0x4242u);
  EXPECT_TRUE(Clean());
  m.ReadPortBuffer(CallId::NdisRawReadPortUlong, offset + 6, &data, 1);  // past the registration
  EXPECT_TRUE(Only(RuleId::AccessPortUnregistered));
  m.ClearReports();
  // the WDM name needs no registration
  EXPECT_EQ(m.ReadPort(CallId::ReadPortUshort, kNicPorts + 0x10), 0u);
  EXPECT_TRUE(Clean());
}

TEST_F(PortsTest, BufferForms) {
  std::array<u16, 4> in = {0x1111, 0x2222, 0x3333, 0x4444};
  m.WritePortBuffer(CallId::WritePortBufferUshort, kWdmPorts, in.data(), 4);
  EXPECT_EQ(m.ReadPort(CallId::ReadPortUshort, kWdmPorts), 0x4444u);  // the last element stays
  std::array<u16, 4> out = {1, 2, 3, 4};
  m.ReadPortBuffer(CallId::ReadPortBufferUshort, kWdmPorts, out.data(), 3);
  EXPECT_EQ(out, (std::array<u16, 4>{0x4444, 0x4444, 0x4444, 4}));
  EXPECT_TRUE(Clean());
  // NULL with a count: reported before the port; NULL with none: nothing at all
  m.ReadPortBuffer(CallId::ReadPortBufferUshort, 0x3F8, nullptr, 1);
  EXPECT_TRUE(Only(RuleId::CommonNullPointer));
  m.ClearReports();
  const u64 calls = m.call_count();
  m.WritePortBuffer(CallId::VideoPortWritePortBufferUlong, 0x3F8, nullptr, 0);
  m.ReadPortBuffer(CallId::NdisRawReadPortBufferUlong, 0x3F8, out.data(), 0);
  EXPECT_EQ(m.call_count(), calls + 2);
  EXPECT_TRUE(Clean());
  // a refused buffer read stores 0 in every element
  out = {1, 2, 3, 4};
  m.ReadPortBuffer(CallId::ReadPortBufferUshort, kWdmPorts + 7, out.data(), 2);
  EXPECT_TRUE(Only(RuleId::AccessPortUnassigned));
  EXPECT_EQ(out, (std::array<u16, 4>{0, 0, 3, 4}));
}

TEST_F(PortsTest, VideoPortsAreTheBytesOfAnIoSpaceMapping) {
  u32 len = kVideoPortsLen, io = kVideoMemorySpaceIo;
  u64 va = 0;
  ASSERT_EQ(m.VideoPortMapMemory(video, kVideoPorts, &len, &io, &va), kNoError);
  m.WritePort(CallId::VideoPortWritePortUchar, kVideoPorts + 4, 0x2);
  EXPECT_EQ(m.Read(va + 4, 1), 0x2u);
  m.Write(va + 8, 4, 0xCAFEF00D);
  EXPECT_EQ(m.ReadPort(CallId::VideoPortReadPortUlong, kVideoPorts + 8), 0xCAFEF00Du);
  EXPECT_EQ(m.VideoPortUnmapMemory(video, va, 0), kNoError);
  EXPECT_TRUE(Clean());
}

TEST_F(PortsTest, CallsAfterTeardownStoreTheFailureValue) {
  m.Teardown();
  m.ClearReports();
  u64 offset = kPoison;
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&offset, nic, kNicPorts, kNicPortsLen), kNdisStatusFailure);
  EXPECT_EQ(offset, 0u);
  std::array<u8, 2> out = {9, 9};
  m.ReadPortBuffer(CallId::ReadPortBufferUchar, kWdmPorts, out.data(), 2);
  EXPECT_EQ(out, (std::array<u8, 2>{0, 0}));
  EXPECT_TRUE(Clean());
}

}  // namespace
}  // namespace ddimap::test
