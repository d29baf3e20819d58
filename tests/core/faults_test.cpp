// Fault injection (docs/semantics.md, "Fault injection"): every call that maps,
// opens, allocates or registers fails with its documented low-resources value
// when injected, after its contract checks; Random is reproducible from its
// seed, Systematic fails each call site once; reports after an injected
// failure name it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ddimap/machine.hpp"
#include "fixture.hpp"

namespace ddimap::test {
namespace {

constexpr u64 kAnyAddress = ~0ull;

class FaultsTest : public MachineTest {
 protected:
  void Always() { m.SetFaults(FaultMode::Random, 1000000, 1); }
};

TEST_F(FaultsTest, OffByDefaultAndNothingIsInjected) {
  EXPECT_EQ(m.options().faults, FaultMode::Off);
  ASSERT_EQ(m.EnterCallback(Callback::StartDevice, wdm), ControlStatus::Ok);
  EXPECT_NE(m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached), 0u);
  EXPECT_EQ(m.injected_fault_count(), 0u);
}

TEST_F(FaultsTest, EveryMapOpenAllocateAndRegisterCallFailsWithItsLowResourcesValue) {
  Always();
  ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, nic), ControlStatus::Ok);
  u64 va = 1;
  EXPECT_EQ(m.NdisMMapIoSpace(&va, nic, kNicBar, 0x1000), kNdisStatusResources);
  EXPECT_EQ(va, 0u);
  u64 port = 1;
  ASSERT_EQ(m.AssignResource(nic, PhysSpace::Port, 0xE000, 0x20), ControlStatus::Ok);
  EXPECT_EQ(m.NdisMRegisterIoPortRange(&port, nic, 0xE000, 0x20), kNdisStatusResources);
  EXPECT_EQ(m.live_port_range_count(), 0u);
  u64 shared = 1, shared_pa = 1;
  m.NdisMAllocateSharedMemory(nic, 0x1000, false, &shared, &shared_pa);
  EXPECT_EQ(shared, 0u);
  NdisStatus st = kNdisStatusSuccess;
  u64 file = 0;
  u32 length = 0;
  EXPECT_EQ(m.NdisOpenFile(&st, &file, &length, "firmware.bin", kAnyAddress), kNdisStatusResources);
  ASSERT_EQ(m.LeaveCallback(false), ControlStatus::Ok);

  ASSERT_EQ(m.EnterCallback(Callback::StartDevice, wdm), ControlStatus::Ok);
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached), 0u);
  EXPECT_EQ(m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageReadWrite), 0u);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);

  ASSERT_EQ(m.EnterCallback(Callback::OnPrepareHardware, umdf), ControlStatus::Ok);
  u64 pseudo = 1;
  EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, kMmNonCached, &pseudo), kEOutOfMemory);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);

  u32 len = 0x1000, space = kVideoMemorySpaceMemory;
  u64 vva = 0;
  EXPECT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &space, &vva), kErrorInvalidParameter);
  ASSERT_EQ(m.EnterCallback(Callback::VideoFindAdapter, video), ControlStatus::Ok);
  EXPECT_EQ(m.VideoPortGetDeviceBase(video, kVideoFb, 0x1000, kVideoMemorySpaceMemory), 0u);
  EXPECT_EQ(m.VideoPortGetDeviceBase(video, kVideoPorts, 8, kVideoMemorySpaceIo), 0u);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);

  EXPECT_EQ(m.injected_fault_count(), 10u);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();  // a failure is not a breach
  EXPECT_EQ(m.CheckInvariants(), "");
}

TEST_F(FaultsTest, ContractChecksComeFirst) {
  Always();
  // Wrong IRQL: reported, and the call is refused by the rule, not injected.
  ASSERT_EQ(m.EnterCallback(Callback::StartDevice, wdm), ControlStatus::Ok);
  ASSERT_EQ(m.SetIrql(kDispatchLevel + 1), ControlStatus::Ok);
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached), 0u);
  EXPECT_EQ(Count(RuleId::MmIoMapIrql), 1u) << Dump();
  EXPECT_EQ(m.injected_fault_count(), 0u);
}

TEST_F(FaultsTest, NoRateNoFailure) {
  m.SetFaults(FaultMode::Random, 0, 7);
  ASSERT_EQ(m.EnterCallback(Callback::StartDevice, wdm), ControlStatus::Ok);
  for (int i = 0; i < 8; ++i) {
    const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
    ASSERT_NE(va, 0u);
    m.MmUnmapIoSpace(va, 0x1000);
  }
  EXPECT_EQ(m.injected_fault_count(), 0u);
}

// Which of 64 map calls fail, under a rate and seed.
std::vector<bool> Pattern(u32 ppm, u64 seed) {
  Machine machine;
  EXPECT_EQ(machine.AddRam(kRamBase, kRamLen), ControlStatus::Ok);
  const u64 dev = machine.CreateWdmDevice();
  EXPECT_EQ(machine.AssignResource(dev, PhysSpace::Memory, kWdmBar, kWdmBarLen), ControlStatus::Ok);
  machine.SetFaults(FaultMode::Random, ppm, seed);
  EXPECT_EQ(machine.EnterCallback(Callback::StartDevice, dev), ControlStatus::Ok);
  std::vector<bool> failed;
  for (int i = 0; i < 64; ++i) {
    const u64 va = machine.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
    failed.push_back(va == 0);
    if (va != 0) machine.MmUnmapIoSpace(va, 0x1000);
  }
  return failed;
}

TEST(Faults, RandomIsReproducibleFromItsSeed) {
  const std::vector<bool> a = Pattern(250000, 42), b = Pattern(250000, 42), c = Pattern(250000, 43);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::size_t n = 0;
  for (bool f : a) n += f;
  EXPECT_GT(n, 4u);   // about a quarter of 64
  EXPECT_LT(n, 32u);
}

TEST_F(FaultsTest, SystematicFailsEachCallSiteOnce) {
  m.SetFaults(FaultMode::Systematic, 0, 0);
  ASSERT_EQ(m.EnterCallback(Callback::StartDevice, wdm), ControlStatus::Ok);
  auto map_from = [&](u64 site) {
    m.SetCallSite(site);
    const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
    if (va != 0) m.MmUnmapIoSpace(va, 0x1000);
    return va != 0;
  };
  EXPECT_FALSE(map_from(0x401000));  // first from this site: fails
  EXPECT_TRUE(map_from(0x401000));   // the driver's retry, or the next start: succeeds
  EXPECT_FALSE(map_from(0x402000));  // another site fails once too
  EXPECT_TRUE(map_from(0x402000));
  EXPECT_TRUE(map_from(0x401000));
  // Another call from a site already seen is a site of its own.
  m.SetCallSite(0x401000);
  EXPECT_EQ(m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageReadWrite), 0u);
  EXPECT_EQ(m.injected_fault_count(), 3u);
  // SetFaults forgets the sites.
  m.SetFaults(FaultMode::Systematic, 0, 0);
  EXPECT_FALSE(map_from(0x401000));
}

TEST_F(FaultsTest, AReportAfterAnInjectedFailureNamesIt) {
  m.SetFaults(FaultMode::Systematic, 0, 0);
  ASSERT_EQ(m.EnterCallback(Callback::StartDevice, wdm), ControlStatus::Ok);
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);  // injected: NULL
  ASSERT_EQ(va, 0u);
  m.Write(va + 0x10, 4, 1);  // the driver ignores the failure
  ASSERT_EQ(Count(RuleId::AccessUnmapped), 1u) << Dump();
  const Report& r = m.reports().back();
  const CallRecord* injected = m.InjectedCall(r.injected_seq);
  ASSERT_NE(injected, nullptr);
  EXPECT_EQ(injected->id, CallId::MmMapIoSpace);
  const std::string text = m.FormatReport(r);
  const std::string after = "  after #" + std::to_string(r.injected_seq) + " MmMapIoSpace(";
  EXPECT_NE(text.find(after), std::string::npos) << text;
  EXPECT_NE(text.find(", failed by fault injection\n"), std::string::npos) << text;
  const std::string json = m.FormatReportJson(r);
  EXPECT_NE(json.find("\"injected\":{\"call\":" + std::to_string(r.injected_seq) + ",\"function\":\"MmMapIoSpace\""),
            std::string::npos)
      << json;
}

// FaultMode::Decided (the driver fuzzing kit's): the function is asked once
// per map/open/allocate/register call, with that call's record, and only then.
struct Decisions {
  std::vector<CallId> asked;
  bool fail = false;
  static bool Decide(void* self, const CallRecord& call) {
    auto& d = *static_cast<Decisions*>(self);
    d.asked.push_back(call.id);
    return d.fail;
  }
};

TEST_F(FaultsTest, DecidedAsksOncePerResourceCallAndFailsWhenTold) {
  Decisions d;
  m.SetFaultDecider(&Decisions::Decide, &d);
  EXPECT_EQ(m.options().faults, FaultMode::Decided);
  ASSERT_EQ(m.EnterCallback(Callback::StartDevice, wdm), ControlStatus::Ok);
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  EXPECT_NE(va, 0u);
  m.Write(va, 4, 1);  // not a resource call: not asked
  d.fail = true;
  EXPECT_EQ(m.MmMapIoSpaceEx(kWdmBar + 0x1000, 0x1000, kPageReadWrite), 0u);
  EXPECT_EQ(d.asked, (std::vector<CallId>{CallId::MmMapIoSpace, CallId::MmMapIoSpaceEx}));
  EXPECT_EQ(m.injected_fault_count(), 1u);
  m.MmUnmapIoSpace(va, 0x1000);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  EXPECT_EQ(m.report_count(), 0u);

  m.SetFaultDecider(nullptr, nullptr);
  EXPECT_EQ(m.options().faults, FaultMode::Off);
  m.SetFaults(FaultMode::Decided, 0, 0);  // no function to ask: off
  EXPECT_EQ(m.options().faults, FaultMode::Off);
}

// last_call(): the record of the call just made, for a tracer that polls.
TEST_F(FaultsTest, LastCallIsTheCallJustMade) {
  ASSERT_EQ(m.EnterCallback(Callback::StartDevice, wdm), ControlStatus::Ok);
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  const CallRecord mapped = m.last_call();
  EXPECT_EQ(mapped.id, CallId::MmMapIoSpace);
  EXPECT_EQ(mapped.args[0], kWdmBar);
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_EQ(m.last_call().id, CallId::MmUnmapIoSpace);
  EXPECT_EQ(m.last_call().seq, mapped.seq + 1);
  EXPECT_EQ(m.last_call().args[0], va);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
}

}  // namespace
}  // namespace ddimap::test
