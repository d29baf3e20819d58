// The call table's facts rows (core/calls/calls.def) and what is derived from
// them: the dispatch on both sides, the building calls, the documented
// statuses, and the compile-time check of the two call surfaces.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "oracle/oracle.hpp"
#include "program/execute.hpp"
#include "program/program.hpp"
#include "program/statuses.hpp"
#include "program/world.hpp"
#include "runner/runner.hpp"

namespace ddimap::harness {
namespace {

// A class with only some of the calls is no call surface: a side that lacks a
// call (or offers it with another signature) fails the build, not a fuzz run.
struct OnlyMmIo {
  u64 MmMapIoSpace(u64, u64, u64);
  void MmUnmapIoSpace(u64, u64);
};
struct MistypedMap : oracle::Model {};  // inherited members are Model's, not this class's
static_assert(CallSurface<Machine>);
static_assert(CallSurface<oracle::Model>);
static_assert(!CallSurface<OnlyMmIo>);
static_assert(!CallSurface<MistypedMap>);
static_assert(std::is_same_v<Signature<Machine, CallId::MmMapIoSpace>, u64 (Machine::*)(u64, u64, u64)>);
static_assert(std::is_same_v<Signature<Machine, CallId::NdisOpenFile>,
                             NdisStatus (Machine::*)(NdisStatus*, u64*, u32*, std::optional<std::string_view>, u64)>);

TEST(CallTable, EveryMapCallNamesTheLengthOfWhatItMakes) {
  for (const CallDesc& d : AllCalls()) {
    SCOPED_TRACE(std::string(d.name));
    if (d.makes == Resource::Mapping || d.makes == Resource::File) {
      ASSERT_GE(d.length_param, 0);
      const ArgKind k = d.params[d.length_param].kind;
      EXPECT_TRUE(k == ArgKind::Len32 || k == ArgKind::Len64 || k == ArgKind::InOutLen32 || k == ArgKind::File ||
                  k == ArgKind::FileName);
    } else {
      EXPECT_EQ(d.length_param, -1);
    }
  }
  EXPECT_EQ(Call(CallId::MmMapIoSpace).params[Call(CallId::MmMapIoSpace).length_param].name, "NumberOfBytes");
  EXPECT_EQ(Call(CallId::VideoPortMapMemory).params[Call(CallId::VideoPortMapMemory).length_param].name, "Length");
}

TEST(CallTable, EveryDdiThatMakesSomethingHasADocumentedFailureValue) {
  for (const CallDesc& d : AllCalls()) {
    SCOPED_TRACE(std::string(d.name));
    if (d.family != Family::Machine && d.makes != Resource::None) {
      EXPECT_TRUE(d.failure.has_value());
    }
    // A Void call's failure value is what it writes to the out-value that
    // receives what it makes (NdisMAllocateSharedMemory: NULL); other Void calls have none.
    if (d.result == ResultKind::Void && d.makes == Resource::None) {
      EXPECT_FALSE(d.failure.has_value());
    }
  }
  EXPECT_EQ(Call(CallId::NdisMMapIoSpace).failure, kNdisStatusFailure);
  EXPECT_EQ(Call(CallId::MmMapIoSpace).failure, 0u);
  EXPECT_EQ(Call(CallId::UmdfMapIoSpace).failure, kEInvalidArg);
  EXPECT_EQ(Call(CallId::VideoPortMapMemory).failure, kErrorInvalidParameter);
  EXPECT_EQ(Call(CallId::VideoPortGetDeviceBase).failure, 0u);
  EXPECT_EQ(Call(CallId::NdisMAllocateSharedMemory).failure, 0u);
}

TEST(CallTable, IrqlBoundsAndTheirRules) {
  EXPECT_EQ(Call(CallId::NdisMMapIoSpace).max_irql, kPassiveLevel);
  EXPECT_EQ(Call(CallId::NdisMMapIoSpace).irql_rule, RuleId::NdisIoIrql);
  EXPECT_EQ(Call(CallId::MmMapIoSpace).max_irql, kDispatchLevel);
  EXPECT_EQ(Call(CallId::MmUnmapIoSpace).irql_rule, RuleId::MmIoUnmapIrql);
  EXPECT_EQ(Call(CallId::NdisMapFile).max_irql, kDispatchLevel);
  EXPECT_FALSE(Call(CallId::UmdfMapIoSpace).max_irql.has_value());  // user mode: no IRQL
  // A call above its bound breaks the row's rule, on the core and the oracle alike.
  for (const CallDesc& d : AllCalls()) {
    if (!d.max_irql || *d.max_irql >= kHighLevel) continue;
    SCOPED_TRACE(std::string(d.name));
    Machine m(HarnessMachineOptions());
    oracle::Model o(HarnessMachineOptions());
    BuildWorld(m);
    BuildWorld(o);
    ConcreteCall irql{CallId::SetIrql, {static_cast<u64>(*d.max_irql) + 1}, 0, {}};
    Execute(m, irql);
    Execute(o, irql);
    m.ClearReports();
    o.TakeRules();
    // The call's objects are the world's, so the IRQL is what is wrong with it.
    ConcreteCall c{d.id, {}, 0, {}};
    c.file_name = "firmware.bin";
    for (int i = 0; i < d.param_count; ++i)
      for (const auto& obj : WorldObjects())
        if ((d.params[i].kind == ArgKind::Video && obj.kind == HandleKind::Video) ||
            (d.params[i].kind == ArgKind::Adapter && obj.kind == HandleKind::Adapter)) {
          c.args[static_cast<std::size_t>(i)] = obj.handle;
          break;
        }
    Execute(m, c);
    Execute(o, c);
    ASSERT_FALSE(m.reports().empty());
    EXPECT_EQ(m.reports().front().rule, d.irql_rule);
    const std::vector<RuleId> rules = o.TakeRules();
    ASSERT_FALSE(rules.empty());
    EXPECT_EQ(rules.front(), d.irql_rule);
  }
}

TEST(CallTable, BuildingCallsAreTheMachinesConstructors) {
  std::set<CallId> building;
  for (const CallDesc& d : AllCalls())
    if (IsBuildingCall(d.id)) building.insert(d.id);
  EXPECT_EQ(building, (std::set<CallId>{CallId::AddRam, CallId::CreateNdisAdapter, CallId::CreateWdmDevice,
                                        CallId::CreateUmdfDevice, CallId::CreateVideoDevice,
                                        CallId::AssignResource, CallId::AddFile}));
  for (const Profile& p : AllProfiles())
    for (CallId id : p.calls) EXPECT_FALSE(IsBuildingCall(id)) << p.name;
}

TEST(CallTable, DocumentedStatusesAreNamedAndMatched) {
  const auto& all = DocumentedStatuses();
  ASSERT_EQ(all.size(), AllStatuses().size());
  EXPECT_EQ(all.front().name, "NdisMMapIoSpace NDIS_STATUS_SUCCESS");
  EXPECT_EQ(std::string(all[static_cast<std::size_t>(StatusIndex(CallId::MmMapIoSpace, 0xffff800000001000))].name),
            "MmMapIoSpace non-NULL");
  EXPECT_EQ(std::string(all[static_cast<std::size_t>(StatusIndex(CallId::MmMapIoSpace, 0))].name), "MmMapIoSpace NULL");
  EXPECT_EQ(std::string(all[static_cast<std::size_t>(StatusIndex(CallId::NdisOpenFile, kNdisStatusFileNotFound))].name),
            "NdisOpenFile NDIS_STATUS_FILE_NOT_FOUND");
  EXPECT_EQ(StatusIndex(CallId::NdisOpenFile, 0x12345), -1);
  EXPECT_EQ(StatusIndex(CallId::MmUnmapIoSpace, 0), -1);
  std::set<std::string_view> names;
  for (const auto& e : all) EXPECT_TRUE(names.insert(e.name).second) << e.name;
}

// The dispatch passes each argument by its kind: 32-bit in/out values come
// back, NULL pointers stay NULL, and the made resource is where the row says.
TEST(CallTable, ExecuteFollowsTheParameterKinds) {
  Machine m(HarnessMachineOptions());
  BuildWorld(m);
  m.StartProgram();
  ConcreteCall open{CallId::NdisOpenFile, {}, 0, {}};
  open.args[4] = ~0ull;
  open.file_name = "firmware.bin";
  Outcome o = Execute(m, open);
  EXPECT_EQ(o.ret, o.out[0]);  // the return value is also written through Status
  EXPECT_EQ(o.made, o.out[1]);
  open.null_mask = 0b110;  // FileHandle and FileLength NULL
  Outcome n = Execute(m, open);
  EXPECT_EQ(n.out[1], 0u);
  EXPECT_EQ(n.out[2], 0u);
  EXPECT_EQ(n.made, 0u);
  EXPECT_EQ(n.ret, n.out[0]);
}

}  // namespace
}  // namespace ddimap::harness
