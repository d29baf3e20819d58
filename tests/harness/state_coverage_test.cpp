// State coverage (harnesses/runner/state_coverage.*): the feature named after
// each call must tell apart the half-way states of long set-ups, and name the
// same state the same way every time.
#include <gtest/gtest.h>

#include <vector>

#include "program/world.hpp"
#include "runner/runner.hpp"
#include "runner/state_coverage.hpp"

namespace ddimap::harness {
namespace {

// The harness world on a machine, and the state coverage after each call.
struct Rig {
  Rig() : m(HarnessMachineOptions()) {
    BuildWorld(m);
    m.StartProgram();
    s.Reset();
  }
  u64 H(const char* name) { return *HandleByName(name); }
  // Runs `call` on the machine, then names the state; returns the feature.
  template <typename F>
  std::uint32_t Step(CallId id, std::vector<u64> args, F call) {
    u64 ret = call();
    if (m.mapping_changes() != changes) {
      changes = m.mapping_changes();
      m.LiveMappings(&live);
      s.MappingsChanged(live);
    }
    args.resize(8);
    s.AfterCall(id, args.data(), ret, m, m.quarantined_count());
    return s.last_feature();
  }
  std::uint32_t Enter(Callback cb, u64 object) {
    return Step(CallId::EnterCallback, {static_cast<u64>(cb), object},
                [&] { return static_cast<u64>(m.EnterCallback(cb, object)); });
  }
  std::uint32_t Leave(bool ok) {
    return Step(CallId::LeaveCallback, {ok}, [&] { return static_cast<u64>(m.LeaveCallback(ok)); });
  }
  u64 MapNic(u64 nic, u64 pa) {
    u64 va = 0;
    Step(CallId::NdisMMapIoSpace, {0, nic, pa, 0x1000},
         [&] { return static_cast<u64>(m.NdisMMapIoSpace(&va, nic, pa, 0x1000)); });
    return va;
  }
  u64 MapUmdf(u64 dev, u64 pa) {
    u64 va = 0;
    Step(CallId::UmdfMapIoSpace, {dev, pa, 0x1000, 0, 0},
         [&] { return static_cast<u64>(m.UmdfMapIoSpace(dev, pa, 0x1000, 0, &va)); });
    return va;
  }

  Machine m;
  StateCoverage s;
  u64 changes = 0;
  std::vector<const MappingView*> live;
};

// Initialising the second adapter while the first one's mapping lives (the
// set-up of NDIS_IO.UNMAP_OTHER_OWNER) is a state of its own.
TEST(StateCoverage, AnotherObjectsLiveMappingIsAState) {
  Rig r;
  const std::uint32_t alone = r.Enter(Callback::MiniportInitializeEx, r.H("nic1"));
  r.Leave(true);
  Rig fresh;
  fresh.Enter(Callback::MiniportInitializeEx, fresh.H("nic0"));
  ASSERT_NE(fresh.MapNic(fresh.H("nic0"), 0xfebf0000), 0u);
  fresh.Leave(true);
  const std::uint32_t with_other = fresh.Enter(Callback::MiniportInitializeEx, fresh.H("nic1"));
  EXPECT_NE(alone, with_other);
}

// How many other objects of the running object's own kind hold mappings is
// part of the state (one or two other devices whose ranges it may be handed).
TEST(StateCoverage, OwnersOfTheSameKindAreCounted) {
  auto prepared = [](Rig& r, const char* name, u64 pa) {
    const u64 dev = r.H(name);
    r.Enter(Callback::OnPrepareHardware, dev);
    const u64 va = r.MapUmdf(dev, pa);
    r.Leave(true);
    return va;
  };
  Rig one;
  ASSERT_NE(prepared(one, "umdf0", 0xfee00000), 0u);
  const std::uint32_t after_one = one.Enter(Callback::OnPrepareHardware, one.H("umdf4"));
  Rig two;
  ASSERT_NE(prepared(two, "umdf0", 0xfee00000), 0u);
  ASSERT_NE(prepared(two, "umdf1", 0xfee20000), 0u);
  const std::uint32_t after_two = two.Enter(Callback::OnPrepareHardware, two.H("umdf4"));
  EXPECT_NE(after_one, after_two);
}

// Outside every callback, which family's object left a mapping behind is
// part of the state: the half-way point of the other-owner set-ups is an
// adapter's mapping left after its MiniportInitializeEx, not any mapping.
TEST(StateCoverage, TheKindOfAMappingLeftBehindIsAState) {
  Rig nic;
  nic.Enter(Callback::MiniportInitializeEx, nic.H("nic0"));
  ASSERT_NE(nic.MapNic(nic.H("nic0"), 0xfebf0000), 0u);
  const std::uint32_t after_nic = nic.Leave(true);
  Rig umdf;
  const u64 dev = umdf.H("umdf0");
  umdf.Enter(Callback::OnPrepareHardware, dev);
  ASSERT_NE(umdf.MapUmdf(dev, 0xfee00000), 0u);
  const std::uint32_t after_umdf = umdf.Leave(true);
  EXPECT_NE(after_nic, after_umdf);
}

// A mapping that fills half of the system region or more (the set-up of the
// no-virtual-space statuses) is a state of its own.
TEST(StateCoverage, AFullSystemRegionIsAState) {
  auto after_mm = [](u64 len) {
    Rig r;
    u64 va = 0;
    r.Step(CallId::MmMapIoSpace, {0x180000000, len, 0}, [&] { return va = r.m.MmMapIoSpace(0x180000000, len, 0); });
    EXPECT_NE(va, 0u);
    return r.Enter(Callback::MiniportInitializeEx, r.H("nic0"));
  };
  EXPECT_NE(after_mm(0x1000), after_mm(0x100000000));
}

// In the second adapter's MiniportInitializeEx while the first one's mapping
// lives, an unmap refused for naming the wrong adapter is a state of its own:
// the other-owner rule is one handle byte away from it. Without another
// holder, the same refused unmap leaves the state as it was.
TEST(StateCoverage, AReleaseTriedWhileAnotherObjectHoldsMappingsIsAState) {
  auto refused_unmap = [](Rig& r, u64 va) {
    const u64 nic0 = r.H("nic0");
    return r.Step(CallId::NdisMUnmapIoSpace, {nic0, va, 0x1000}, [&] {
      r.m.NdisMUnmapIoSpace(nic0, va, 0x1000);
      return u64{0};
    });
  };
  Rig held;
  held.Enter(Callback::MiniportInitializeEx, held.H("nic0"));
  const u64 va = held.MapNic(held.H("nic0"), 0xfebf0000);
  ASSERT_NE(va, 0u);
  held.Leave(true);
  const std::uint32_t before = held.Enter(Callback::MiniportInitializeEx, held.H("nic1"));
  EXPECT_NE(before, refused_unmap(held, va));
  EXPECT_EQ(held.m.live_mapping_count(), 1u);  // refused: the mapping lives on

  Rig alone;
  const std::uint32_t alone_before = alone.Enter(Callback::MiniportInitializeEx, alone.H("nic1"));
  EXPECT_EQ(alone_before, refused_unmap(alone, va));
}

// The quarantine's fill is the count the runner passes in (the oracle's when
// it runs), not the core's: under a core that evicts early, the full
// quarantine (the set-up that shows it) must still be a state of its own.
TEST(StateCoverage, TheQuarantineFillIsTheOnePassedIn) {
  Rig seven, eight;
  std::vector<u64> args(8);
  seven.s.AfterCall(CallId::SetIrql, args.data(), 0, seven.m, 7);
  eight.s.AfterCall(CallId::SetIrql, args.data(), 0, eight.m, 8);
  ASSERT_EQ(seven.m.quarantined_count(), eight.m.quarantined_count());
  EXPECT_NE(seven.s.last_feature(), eight.s.last_feature());
}

// A start after a stop is not a first start (the WDM restart set-ups).
TEST(StateCoverage, CallbackHistoryIsAState) {
  Rig r;
  const u64 wdm = r.H("wdm0");
  const std::uint32_t first = r.Enter(Callback::StartDevice, wdm);
  r.Leave(true);
  r.Enter(Callback::StopDevice, wdm);
  r.Leave(true);
  const std::uint32_t again = r.Enter(Callback::StartDevice, wdm);
  EXPECT_NE(first, again);
  r.Leave(false);
  const std::uint32_t after_failure = r.Enter(Callback::SurpriseRemoval, wdm);
  // The same calls with a restart that succeeded.
  Rig ok;
  ok.Enter(Callback::StartDevice, wdm);
  ok.Leave(true);
  ok.Enter(Callback::StopDevice, wdm);
  ok.Leave(true);
  ok.Enter(Callback::StartDevice, wdm);
  ok.Leave(true);
  EXPECT_NE(ok.Enter(Callback::SurpriseRemoval, wdm), after_failure);
}

// The same calls name the same states; Reset forgets the previous program.
TEST(StateCoverage, SameProgramSameFeatures) {
  auto program = [](Rig& t) {
    std::vector<std::uint32_t> f;
    f.push_back(t.Enter(Callback::StartDevice, t.H("wdm0")));
    f.push_back(t.Leave(true));
    f.push_back(t.Enter(Callback::StopDevice, t.H("wdm0")));
    return f;
  };
  Rig a, c;
  const std::vector<std::uint32_t> fa = program(a);
  EXPECT_EQ(fa, program(c));
  // The same object's history carried over would make its first start look
  // like a restart.
  Rig d;
  d.Enter(Callback::StartDevice, d.H("wdm0"));
  d.s.Reset();
  d.Leave(true);
  d.s.Reset();
  EXPECT_NE(d.Enter(Callback::StopDevice, d.H("wdm0")), fa.back());
}

}  // namespace
}  // namespace ddimap::harness
