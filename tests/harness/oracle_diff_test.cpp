// Differential tests: programs run on the core (ddimap::Machine) and on the
// oracle (ddimap::oracle::Model, written from docs/semantics.md alone) through
// the harness runner (harnesses/runner/), which compares after every call the
// return value, every out-value, the rules reported and the live mappings
// (field by field), and runs the core's self-checks. The lifecycle tests add,
// after every call, the visible state (IRQL, callback, current process, call
// count) and the self-checks, and check the `=>` expectations of their traces;
// a failure prints the runner's report and the run as a trace.
//
// The documented lifecycles and misuse are traces (docs/harness.md) on a world
// of their own (TestWorld), made by building calls, which a trace cannot say:
// a line `@` in a trace marks where the test's building calls go. The random
// programs are random bytes decoded under every harness profile (the fuzz
// targets' own decoder) and run on the standard world, once with the
// harness's machine options and once with smaller, varied ones.
//
// Environment: DDIMAP_DIFF_PROGRAMS=n runs n random programs per profile
// instead of 5; DDIMAP_DIFF_SEED=s runs only the program of seed s (under
// every profile); DDIMAP_DIFF_TRACE=1 prints every random run as a trace with
// its results. Seeds are fixed, so a ctest run is deterministic.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ddimap/machine.hpp"
#include "oracle/oracle.hpp"
#include "program/codec.hpp"
#include "program/program.hpp"
#include "program/trace.hpp"
#include "program/world.hpp"
#include "repro/print.hpp"
#include "runner/runner.hpp"

namespace ddimap::harness {
namespace {

using AfterCall = std::function<std::string(std::size_t call, Machine& core, oracle::Model* model)>;

std::string Hex(u64 v) { return FormatValue(ArgKind::Value, v); }

std::string Names(const std::vector<RuleId>& rules) {
  std::string s;
  for (RuleId r : rules) s += (s.empty() ? "" : " ") + std::string(RuleName(r));
  return "[" + s + "]";
}

// --- programs --------------------------------------------------------------------

// A building call (the operating system's side), with its arguments in the
// row's order; AddFile's name apart.
Op Building(CallId id, std::vector<u64> args, std::string file = {}) {
  Op op;
  op.id = id;
  for (std::size_t i = 0; i < args.size(); ++i) op.args[i] = Arg{Arg::Const, args[i], 0};
  op.file_name = std::move(file);
  return op;
}

// The same, expected to return `ret` and report nothing.
Op Expect(Op op, u64 ret) {
  op.expect.result = ret;
  op.expect.check_rules = true;
  return op;
}
Op Expect(Op op, ControlStatus s) { return Expect(std::move(op), static_cast<u64>(s)); }

constexpr u64 kMemory = 0, kPort = 1;                 // PhysSpace as a call argument
constexpr u64 kSystemCall = 0, kUserModeMapping = 1;  // RegisterAccess as a call argument
constexpr u64 Handle(HandleKind k, u64 serial) { return MakeHandle(k, serial); }

// The world of these tests: RAM, two adapters, a WDM device, two UMDF 1.11
// devices (the second with user-mode register access), two video devices and
// the three files. Its handles are the ones the standard world's names stand
// for (nic0, nic1, wdm0, umdf0, umdf1, video0, video1), so traces use those.
Program TestWorld() {
  const u64 nic0 = Handle(HandleKind::Adapter, 1), nic1 = Handle(HandleKind::Adapter, 2);
  const u64 wdm0 = Handle(HandleKind::WdmDevice, 1), umdf0 = Handle(HandleKind::UmdfDevice, 1);
  const u64 umdf1 = Handle(HandleKind::UmdfDevice, 2), video0 = Handle(HandleKind::Video, 1);
  auto ok = [](CallId id, std::vector<u64> args, std::string file = {}) {
    return Expect(Building(id, std::move(args), std::move(file)), ControlStatus::Ok);
  };
  return {
      ok(CallId::AddRam, {0, 0x80000000}),
      Expect(Building(CallId::CreateNdisAdapter, {}), nic0),
      Expect(Building(CallId::CreateNdisAdapter, {}), nic1),
      Expect(Building(CallId::CreateWdmDevice, {}), wdm0),
      Expect(Building(CallId::CreateUmdfDevice, {0x1000B, 1, kSystemCall}), umdf0),
      Expect(Building(CallId::CreateUmdfDevice, {0x1000B, 1, kUserModeMapping}), umdf1),
      Expect(Building(CallId::CreateVideoDevice, {}), video0),
      Expect(Building(CallId::CreateVideoDevice, {}), Handle(HandleKind::Video, 2)),
      ok(CallId::AssignResource, {nic0, kMemory, 0xFEBF0000, 0x20000}),
      ok(CallId::AssignResource, {nic1, kMemory, 0xFEC20000, 0x1000}),
      ok(CallId::AssignResource, {wdm0, kMemory, 0xFED00000, 0x10000}),
      ok(CallId::AssignResource, {umdf0, kMemory, 0xFEE00000, 0x2000}),
      ok(CallId::AssignResource, {umdf0, kMemory, 0xFEE10000, 0x1000}),
      ok(CallId::AssignResource, {umdf1, kMemory, 0xFEE20000, 0x1000}),
      ok(CallId::AssignResource, {video0, kMemory, 0xE0000000, 0x1000000}),
      ok(CallId::AssignResource, {video0, kPort, 0x3C0, 0x20}),
      ok(CallId::AddFile, {0, 5000, 1}, "firmware.bin"),
      ok(CallId::AddFile, {0, 100, 0}, "broken.bin"),
      ok(CallId::AddFile, {0, 0, 1}, "empty.bin"),
  };
}

// A trace. A line that is only `@` marks where the next group of `building`
// goes; building calls make no results, so the trace's r0, r1, ... stay the
// program's.
Program Trace(std::string_view text, const std::vector<Program>& building = {}) {
  std::string plain;
  std::vector<std::size_t> marks;  // where in `plain` each `@` was
  for (std::size_t b = 0; b < text.size();) {
    std::size_t e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    std::string_view line = text.substr(b, e - b);
    const std::size_t first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos && line.substr(first) == "@") {
      marks.push_back(plain.size());
    } else {
      plain += line;
    }
    plain += '\n';
    b = e + 1;
  }
  Program p;
  ParseError err;
  if (!ParseTrace(plain, &p, &err)) {
    ADD_FAILURE() << "trace line " << err.line << ", column " << err.column << ": " << err.expected;
    return {};
  }
  EXPECT_EQ(marks.size(), building.size()) << "one `@` per group of building calls";
  for (std::size_t k = std::min(marks.size(), building.size()); k-- > 0;) {
    Program before;
    ParseTrace(std::string_view(plain).substr(0, marks[k]), &before, &err);
    p.insert(p.begin() + static_cast<std::ptrdiff_t>(before.size()), building[k].begin(), building[k].end());
  }
  return p;
}

// TestWorld, then the trace.
Program InWorld(std::string_view text, const std::vector<Program>& building = {}) {
  Program p = TestWorld();
  const Program t = Trace(text, building);
  p.insert(p.end(), t.begin(), t.end());
  return p;
}

// --- running ---------------------------------------------------------------------

// The state both sides show beyond what the runner compares.
std::string CompareState(const Machine& m, const oracle::Model& o) {
  auto differ = [](const char* what, u64 a, u64 b) {
    return std::string(what) + ": core " + Hex(a) + ", oracle " + Hex(b);
  };
  if (m.torn_down() != o.torn_down()) return differ("torn down", m.torn_down(), o.torn_down());
  if (m.torn_down()) return {};
  if (m.irql() != o.irql()) return differ("IRQL", m.irql(), o.irql());
  if (m.callback() != o.callback()) return differ("callback", u64(m.callback()), u64(o.callback()));
  if (m.callback_object() != o.callback_object())
    return differ("callback object", m.callback_object(), o.callback_object());
  if (m.current_process() != o.current_process())
    return differ("current process", m.current_process(), o.current_process());
  if (m.call_count() != o.call_count()) return differ("call count", m.call_count(), o.call_count());
  return {};
}

std::string Report(const Program& p, const RunResult& r) {
  return std::string(FailureKind(r.failure)) + " at call #" + std::to_string(r.failed_call) + ": " + r.message +
         "\nsignature: " + r.signature + "\nthe run:\n" + FormatReplay(p, r, {});
}

// A program run on both sides, with its log.
struct Diff {
  Program program;
  RunResult result;

  // The outcome of the call numbered `call` (1-based, building calls included).
  Outcome AtCall(std::size_t call) const {
    if (call == 0 || call > result.log.size()) {
      ADD_FAILURE() << "call #" << call << " did not run";
      return {};
    }
    return result.log[call - 1].outcome;
  }
  // The outcome of the call whose result is rN, and rN itself.
  Outcome Of(std::size_t n) const {
    std::size_t made = 0;
    for (std::size_t i = 0; i < program.size(); ++i)
      if (MadeResource(program[i].id) != Resource::None && made++ == n) return AtCall(i + 1);
    ADD_FAILURE() << "no r" << n << " in the program";
    return {};
  }
  u64 R(std::size_t n) const { return Of(n).made; }
  std::vector<RuleId> TeardownRules() const {
    if (!result.torn_down) ADD_FAILURE() << "the teardown did not run";
    return result.teardown.rules;
  }
};

// Runs `program` from an empty machine with `machine` options, on the core and
// on the oracle; any difference or failed expectation fails the test with the
// runner's report. `extra` runs after each call, after the state comparison.
Diff RunDiff(Program program, const MachineOptions& machine = {}, AfterCall extra = {}) {
  Diff d;
  d.program = std::move(program);
  RunOptions o;
  o.check_expectations = true;
  o.log = true;
  o.own_world = &machine;
  o.after_call = [&](std::size_t call, Machine& core, oracle::Model* model) {
    // (the runner self-checks after mapping changes; a test can afford every call)
    std::string why = core.CheckInvariants();
    if (!why.empty()) return "core self-check: " + why;
    why = CompareState(core, *model);
    if (why.empty() && extra) why = extra(call, core, model);
    return why;
  };
  d.result = Run(d.program, o);
  if (d.result.failure != RunResult::None) ADD_FAILURE() << Report(d.program, d.result);
  return d;
}

// The number of the n-th call (from 0) of `id` in `p`, 1-based.
std::size_t Find(const Program& p, CallId id, int n = 0) {
  for (std::size_t i = 0; i < p.size(); ++i)
    if (p[i].id == id && n-- == 0) return i + 1;
  ADD_FAILURE() << "no such call in the program";
  return 0;
}

// Tears both sides down after call `call`; the runner's teardown at the end is
// then a second one, which must change nothing.
AfterCall TeardownAfter(std::size_t call) {
  return [call](std::size_t c, Machine& core, oracle::Model* model) {
    if (c == call) {
      core.Teardown();
      model->Teardown();
    }
    return std::string();
  };
}

// Runs f on both sides, for an input the call table cannot express (a width
// other than 1, 2, 4, 8; a PhysSpace out of range): the same value, and no
// report on either side.
template <class F>
std::string Direct(const std::string& what, Machine& core, oracle::Model& model, F f) {
  const std::size_t before = core.reports().size();
  const u64 a = f(core), b = f(model);
  std::vector<RuleId> rules;
  model.TakeRules(&rules);
  if (a != b) return what + ": core " + Hex(a) + ", oracle " + Hex(b);
  if (core.reports().size() != before || !rules.empty()) return what + ": reported, expected no report";
  return {};
}

#define EXPECT_TEARDOWN_RULES(d, ...) EXPECT_EQ(Names((d).TeardownRules()), Names(std::vector<RuleId>{__VA_ARGS__}))

// ============================================================================
// documented lifecycles

// docs/semantics.md, Smaller decisions (AddFile): a file table names each file
// once, and a file of more than 16 MiB is refused, on both sides.
TEST(OracleDiff, AddFileRefusesEmptyDuplicateAndOversizedFiles) {
  RunDiff({
      Expect(Building(CallId::AddFile, {0, 16u << 20, 1}, "fw.bin"), ControlStatus::Ok),
      Expect(Building(CallId::AddFile, {0, (16u << 20) + 1, 1}, "big.bin"), ControlStatus::BadArgument),
      Expect(Building(CallId::AddFile, {0, 10, 1}, "fw.bin"), ControlStatus::BadArgument),
      Expect(Building(CallId::AddFile, {0, 10, 1}, ""), ControlStatus::BadArgument),
  });
}

TEST(OracleDiff, NdisIoLifecycle) {
  Diff d = RunDiff(InWorld(R"(
EnterCallback(MiniportInitializeEx, nic0) => Ok
r0 = NdisMMapIoSpace(&out, nic0, 0xfebf0010, 0x100) => NDIS_STATUS_SUCCESS
WRITE_REGISTER_ULONG(r0, 0xdeadbeef)
READ_REGISTER_ULONG(r0) => 0xdeadbeef
READ_REGISTER_USHORT(r0+0x1) => 0xadbe
# the same pages: shared device memory
r1 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x2000)
READ_REGISTER_ULONG64(r1+0x10) => 0xdeadbeef
LeaveCallback(TRUE) => Ok
EnterCallback(MiniportHaltEx, nic0) => Ok
NdisMUnmapIoSpace(nic0, r0, 0x100)
NdisMUnmapIoSpace(nic0, r1, 0x2000) =>
LeaveCallback(TRUE) => Ok
EnterCallback(MiniportInitializeEx, nic0) => BadState
)"));
  EXPECT_TEARDOWN_RULES(d);
}

TEST(OracleDiff, MmIoLifecycle) {
  Diff d = RunDiff(InWorld(R"(
EnterCallback(IRP_MN_START_DEVICE, wdm0) => Ok
r0 = MmMapIoSpace(0xfed00234, 0x100, MmNonCached) => nonnull
LeaveCallback(TRUE) => Ok
KeSetIrql(2)
WRITE_REGISTER_ULONG64(r0, 0x1122334455667788)
READ_REGISTER_ULONG(r0+0x4) => 0x11223344
KeSetIrql(0)
EnterCallback(IRP_MN_STOP_DEVICE, wdm0) => Ok
MmUnmapIoSpace(r0, 0x100) =>
LeaveCallback(TRUE) => Ok
EnterCallback(IRP_MN_START_DEVICE, wdm0) => Ok
r1 = MmMapIoSpaceEx(0xfed00000, 0x1000, PAGE_READWRITE|PAGE_NOCACHE) => nonnull
LeaveCallback(TRUE) => Ok
# driver-wide, read-only
r2 = MmMapIoSpaceEx(0xf0000000, 0x10, PAGE_READONLY)
READ_REGISTER_UCHAR(r2) => 0
EnterCallback(IRP_MN_SURPRISE_REMOVAL, wdm0) => Ok
MmUnmapIoSpace(r1, 0x1000)
LeaveCallback(TRUE) => Ok
EnterCallback(IRP_MN_REMOVE_DEVICE, wdm0) => Ok
LeaveCallback(TRUE) => Ok
MmUnmapIoSpace(r2, 0x10) =>
)"));
  EXPECT_EQ(d.R(0) & kPageMask, 0x234u);
  EXPECT_TEARDOWN_RULES(d);
}

// docs/semantics.md, "KMDF hardware callbacks" and "Resource queries": a failed
// prepare leaks nothing (release follows), the list lives from prepare to the
// end of release, and PAGED_CODE checks only the IRQL.
TEST(OracleDiff, KmdfHardwareCallbacksAndResourceLists) {
  Diff d = RunDiff(InWorld(R"(
WdfCmResourceListGetCount(wdm0) => 0 !MM_IO.RESLIST_HANDLE
EnterCallback(EvtDeviceReleaseHardware, wdm0) => BadState
EnterCallback(EvtDevicePrepareHardware, wdm0) => Ok
WdfCmResourceListGetCount(wdm0) => 1
WdfCmResourceListGetDescriptor(wdm0, 0) => 3
WdfCmResourceListGetDescriptor(wdm0, 1) => 0
r0 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached) => nonnull
r1 = MmMapIoSpace(0xfed01000, 0x1000, MmNonCached) => nonnull
LeaveCallback(FALSE) => Ok
EnterCallback(EvtDevicePrepareHardware, wdm0) => BadState
EnterCallback(EvtDeviceReleaseHardware, wdm0) => Ok
MmUnmapIoSpace(r0, 0x1000) =>
LeaveCallback(TRUE) => Ok !MM_IO.LEAK
EnterCallback(EvtDeviceReleaseHardware, wdm0) => BadState
EnterCallback(EvtDevicePrepareHardware, wdm0) => Ok
r2 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached) => nonnull
KeSetIrql(3)
PAGED_CODE() => !COMMON.PAGED_CODE_IRQL
WdfCmResourceListGetCount(wdm0) => 0 !MM_IO.RESLIST_IRQL
KeSetIrql(1)
PAGED_CODE() =>
KeSetIrql(0)
LeaveCallback(TRUE) => Ok
)"));
  EXPECT_TEARDOWN_RULES(d, RuleId::MmIoLeak);
}

TEST(OracleDiff, NdisAndVideoResourceQueries) {
  Diff d = RunDiff(InWorld(R"(
NdisMQueryAdapterResources(&out, nic0, &out, &0x100) => NDIS_STATUS_FAILURE !NDIS_IO.QUERY_CONTEXT
EnterCallback(MiniportInitializeEx, nic0) => Ok
NdisMQueryAdapterResources(&out, nic0, NULL, &0) => NDIS_STATUS_RESOURCES
NdisMQueryAdapterResources(&out, nic0, &out, &0x1c) => NDIS_STATUS_SUCCESS
NdisMQueryAdapterResources(&out, nic0, NULL, &0x1c) => NDIS_STATUS_FAILURE !COMMON.NULL_POINTER
NdisMQueryAdapterResources(&out, nic1, &out, &0x1c) => NDIS_STATUS_FAILURE !NDIS_IO.QUERY_CONTEXT
KeSetIrql(1)
NdisMQueryAdapterResources(&out, nic0, &out, &0x1c) => NDIS_STATUS_FAILURE !NDIS_IO.QUERY_IRQL
KeSetIrql(0)
LeaveCallback(TRUE) => Ok
VideoPortGetAccessRanges(video0, 0, NULL, 2, &out, NULL, NULL, &out) => NO_ERROR
VideoPortGetAccessRanges(video0, 0, NULL, 1, &out, NULL, NULL, &out) => ERROR_MORE_DATA
VideoPortGetAccessRanges(video1, 0, NULL, 0, NULL, NULL, NULL, &out) => NO_ERROR
VideoPortGetAccessRanges(video0, 1, &in, 2, &out, NULL, NULL, NULL) => ERROR_INVALID_PARAMETER
VideoPortGetAccessRanges(video0, 0, NULL, 2, NULL, NULL, NULL, NULL) => ERROR_INVALID_PARAMETER !COMMON.NULL_POINTER
VideoPortGetAccessRanges(wdm0, 0, NULL, 2, &out, NULL, NULL, NULL) => ERROR_INVALID_PARAMETER !VIDEO.BAD_DEVICE
)"));
  EXPECT_TEARDOWN_RULES(d);
}

TEST(OracleDiff, UmdfLifecycleWithRegisterHelpers) {
  Diff d = RunDiff(InWorld(R"(
EnterCallback(OnPrepareHardware, umdf0) => Ok
r0 = IWDFDevice3::MapIoSpace(umdf0, 0xfee00008, 0x100, MmNonCached, &out) => S_OK
r1 = IWDFDevice3::MapIoSpace(umdf0, 0xfee10000, 0x1000, MmNonCached, &out) => S_OK
LeaveCallback(TRUE) => Ok
IWDFDevice3::WRITE_REGISTER_ULONG(umdf0, r0, 0xcafef00d)
IWDFDevice3::READ_REGISTER_ULONG(umdf0, r0) => 0xcafef00d
IWDFDevice3::READ_REGISTER_USHORT(umdf0, r0+0x2) => 0xcafe
# dereferencing a pseudo address
READ_REGISTER_ULONG(r0) => !ACCESS.PSEUDO_DEREF
EnterCallback(OnReleaseHardware, umdf0) => Ok
IWDFDevice3::UnmapIoSpace(umdf0, r0, 0x100)
IWDFDevice3::UnmapIoSpace(umdf0, r1, 0x1000) =>
LeaveCallback(TRUE) => Ok
# again
EnterCallback(OnPrepareHardware, umdf0) => Ok
LeaveCallback(TRUE) => Ok
)"));
  EXPECT_TEARDOWN_RULES(d);
}

// umdf1's view is the first mapping of the user region: 0x20000000000 plus the
// page offset.
TEST(OracleDiff, UmdfUserModeViews) {
  const Program p = InWorld(R"(
r0 = PsCreateProcess()
EnterCallback(OnPrepareHardware, umdf1) => Ok
r1 = IWDFDevice3::MapIoSpace(umdf1, 0xfee20020, 0x40, MmWriteCombined, &out) => S_OK
LeaveCallback(TRUE) => Ok
IWDFDevice3::GetHardwareRegisterMappedAddress(umdf1, r1) => 0x20000000020
IWDFDevice3::WRITE_REGISTER_ULONG(umdf1, r1+0x4, 0x1020304)
# the view reads the same device memory, from any context
READ_REGISTER_ULONG(0x20000000024) => 0x1020304
KeAttachProcess(r0)
READ_REGISTER_UCHAR(0x20000000024) => 0x4
WRITE_REGISTER_ULONG64(0x20000000020, 0xaabbccddeeff0011)
KeAttachProcess(0)
IWDFDevice3::READ_REGISTER_ULONG64(umdf1, r1) => 0xaabbccddeeff0011
# not the exact pseudo base; a device without user-mode mapping
IWDFDevice3::GetHardwareRegisterMappedAddress(umdf1, r1+0x1) => !UMDF_IO.NO_USER_MAPPING
IWDFDevice3::GetHardwareRegisterMappedAddress(umdf0, r1) => !UMDF_IO.NO_USER_MAPPING
EnterCallback(OnReleaseHardware, umdf1) => Ok
# a view counts as nothing for unmaps
IWDFDevice3::UnmapIoSpace(umdf1, 0x20000000020, 0x40) => !UMDF_IO.UNMAP_NOT_MAPPED
IWDFDevice3::UnmapIoSpace(umdf1, r1, 0x40) =>
LeaveCallback(TRUE) => Ok
# the released view is quarantined too
READ_REGISTER_ULONG(0x20000000020) => !ACCESS.USE_AFTER_UNMAP
IWDFDevice3::GetHardwareRegisterMappedAddress(umdf1, r1) => !UMDF_IO.NO_USER_MAPPING
)");
  // the pseudo mapping and its view are two live mappings
  const std::size_t mapped = Find(p, CallId::LeaveCallback);
  RunDiff(p, {}, [&](std::size_t call, Machine&, oracle::Model* model) {
    if (call == mapped) {
      EXPECT_EQ(model->live_mapping_count(), 2u);
    }
    return std::string();
  });
}

TEST(OracleDiff, NdisFileLifecycle) {
  Diff d = RunDiff(InWorld(R"(
EnterCallback(MiniportInitializeEx, nic0) => Ok
r0 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff) => NDIS_STATUS_SUCCESS
r1 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r2 = NdisMapFile(&out, &out, r0) => NDIS_STATUS_SUCCESS
r3 = NdisMapFile(&out, &out, r1)
READ_REGISTER_UCHAR(r2)
READ_REGISTER_UCHAR(r2+0x1)
READ_REGISTER_UCHAR(r2+0xff)
READ_REGISTER_UCHAR(r2+0x100)
READ_REGISTER_UCHAR(r2+0xfff)
READ_REGISTER_UCHAR(r2+0x1000)
READ_REGISTER_UCHAR(r2+0x1387)
READ_REGISTER_ULONG64(r2+0x1380)
# straddles the end
READ_REGISTER_ULONG64(r2+0x1384) => !ACCESS.OUT_OF_BOUNDS
WRITE_REGISTER_USHORT(r2+0xa, 0xbeef)
READ_REGISTER_USHORT(r2+0xa) => 0xbeef
# the other open keeps its own bytes
READ_REGISTER_USHORT(r3+0xa)
r4 = NdisMapFile(&out, &out, r0) => NDIS_STATUS_ALREADY_MAPPED
NdisUnmapFile(r0)
# remapped: the written byte persists in this open's copy
r5 = NdisMapFile(&out, &out, r0)
READ_REGISTER_USHORT(r5+0xa)
NdisUnmapFile(r0)
NdisCloseFile(r0)
NdisUnmapFile(r1)
NdisCloseFile(r1) =>
r6 = NdisOpenFile(&out, &out, &out, "empty.bin", 0xffffffffffffffff)
r7 = NdisMapFile(&out, &out, r6)
READ_REGISTER_UCHAR(r7)
NdisUnmapFile(r6)
NdisCloseFile(r6)
LeaveCallback(TRUE) => Ok
)"));
  EXPECT_EQ(d.Of(0).out[2], 5000u);  // *FileLength
}

TEST(OracleDiff, VideoLifecycle) {
  Diff d = RunDiff(InWorld(R"(
r0 = PsCreateProcess()
EnterCallback(HwVidStartIO, video0) => Ok
r1 = VideoPortMapMemory(video0, 0xe0000123, &0x1800, &VIDEO_MEMORY_SPACE_MEMORY, &0) => NO_ERROR
r2 = VideoPortMapMemory(video0, 0xe0010000, &0x100, &VIDEO_MEMORY_SPACE_USER_MODE|VIDEO_MEMORY_SPACE_P6CACHE, &r0) => NO_ERROR
r3 = VideoPortMapMemory(video0, 0x3c0, &0x10, &VIDEO_MEMORY_SPACE_IO, &0) => NO_ERROR
WRITE_REGISTER_UCHAR(r3, 0x7f)
READ_REGISTER_UCHAR(r3) => 0x7f
# beyond the input length, inside the rounded length
READ_REGISTER_UCHAR(r1+0x1800) => !ACCESS.OUT_OF_BOUNDS
# a user mapping from the system context
READ_REGISTER_ULONG(r2) => !ACCESS.WRONG_PROCESS
KeAttachProcess(r0)
WRITE_REGISTER_ULONG(r2, 0x55) =>
KeAttachProcess(0)
# an interior address releases it all
VideoPortUnmapMemory(video0, r1+0x1000, 0) => NO_ERROR
VideoPortUnmapMemory(video0, r2, r0) => NO_ERROR
VideoPortUnmapMemory(video0, r3, 0) => NO_ERROR
LeaveCallback(TRUE) => Ok
)"));
  EXPECT_TEARDOWN_RULES(d);
}

// ============================================================================
// one scenario per rule family

TEST(OracleDiff, MachineAndCommonRules) {
  RunDiff(InWorld(R"(
KeSetIrql(16) => !MACHINE.IRQL_RANGE
KeSetIrql(15)
KeSetIrql(0xffffffffffffffff) => !MACHINE.IRQL_RANGE
KeSetIrql(0)
EnterCallback(MiniportInitializeEx, nic0) => Ok
r0 = NdisMMapIoSpace(NULL, nic0, 0xfebf0000, 0x10) => !COMMON.NULL_POINTER
# every combination of NULL out-pointers, then a NULL name
r1 = NdisOpenFile(NULL, &out, &out, "firmware.bin", 0xffffffffffffffff)
r2 = NdisOpenFile(&out, NULL, &out, "firmware.bin", 0xffffffffffffffff)
r3 = NdisOpenFile(NULL, NULL, &out, "firmware.bin", 0xffffffffffffffff)
r4 = NdisOpenFile(&out, &out, NULL, "firmware.bin", 0xffffffffffffffff)
r5 = NdisOpenFile(NULL, &out, NULL, "firmware.bin", 0xffffffffffffffff)
r6 = NdisOpenFile(&out, NULL, NULL, "firmware.bin", 0xffffffffffffffff)
r7 = NdisOpenFile(NULL, NULL, NULL, "firmware.bin", 0xffffffffffffffff)
r8 = NdisOpenFile(&out, &out, &out, NULL, 0xffffffffffffffff) => !COMMON.NULL_POINTER
r9 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r10 = NdisMapFile(NULL, &out, r9)
r11 = NdisMapFile(&out, NULL, r9)
r12 = NdisMapFile(NULL, NULL, r9)
# NULL pointers and a bad handle
r13 = NdisMapFile(NULL, &out, 0x1234)
r14 = NdisMapFile(&out, NULL, 0x1234)
r15 = NdisMapFile(NULL, NULL, 0x1234)
# a NULL pointer at a wrong IRQL
KeSetIrql(3)
r16 = NdisMapFile(&out, NULL, r9)
KeSetIrql(0)
NdisCloseFile(r9)
LeaveCallback(TRUE) => Ok
EnterCallback(OnPrepareHardware, umdf0) => Ok
r17 = IWDFDevice3::MapIoSpace(umdf0, 0xfee00000, 0x10, 0, NULL) => !COMMON.NULL_POINTER
LeaveCallback(TRUE) => Ok
r18 = VideoPortMapMemory(video0, 0xe0000000, NULL, &0, &0)
r19 = VideoPortMapMemory(video0, 0xe0000000, &0x10, NULL, &0)
r20 = VideoPortMapMemory(video0, 0xe0000000, NULL, NULL, &0)
r21 = VideoPortMapMemory(video0, 0xe0000000, &0x10, &0, NULL)
r22 = VideoPortMapMemory(video0, 0xe0000000, NULL, &0, NULL)
r23 = VideoPortMapMemory(video0, 0xe0000000, &0x10, NULL, NULL)
r24 = VideoPortMapMemory(video0, 0xe0000000, NULL, NULL, NULL) => !COMMON.NULL_POINTER
)"));
}

TEST(OracleDiff, NdisIoRules) {
  RunDiff(InWorld(R"(
# created, not initializing; a garbage handle
r0 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x10) => !NDIS_IO.BAD_HANDLE
r1 = NdisMMapIoSpace(&out, 0x1234, 0xfebf0000, 0x10) => !NDIS_IO.BAD_HANDLE
EnterCallback(MiniportInitializeEx, nic0) => Ok
KeSetIrql(1)
r2 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x10) => !NDIS_IO.IRQL
NdisMUnmapIoSpace(nic0, 0, 0x10) => !NDIS_IO.IRQL
KeSetIrql(0)
# RAM
r3 = NdisMMapIoSpace(&out, nic0, 0x1000, 0x10) => !NDIS_IO.MAP_RAM
r4 = NdisMMapIoSpace(&out, nic0, 0xfebf0100, 0x2000)
r5 = NdisMMapIoSpace(&out, nic0, 0xfec00000, 0x10)
NdisMUnmapIoSpace(nic0, r4+0x10, 0x2000) => !NDIS_IO.UNMAP_INTERIOR
NdisMUnmapIoSpace(nic0, r4, 0x1000) => !NDIS_IO.UNMAP_LENGTH_MISMATCH
# the guard page
NdisMUnmapIoSpace(nic0, r4+0x3000, 0x2000) => !NDIS_IO.UNMAP_NOT_MAPPED
NdisMUnmapIoSpace(nic0, r4, 0x2000)
NdisMUnmapIoSpace(nic0, r4, 0x2000) => !NDIS_IO.UNMAP_DOUBLE
NdisMUnmapIoSpace(nic0, 0xffffc00012345000, 0x4) => !NDIS_IO.UNMAP_NOT_MAPPED
r6 = MmMapIoSpace(0xf0000000, 0x10, MmNonCached)
NdisMUnmapIoSpace(nic0, r6, 0x10) => !NDIS_IO.UNMAP_OTHER_FAMILY
NdisMUnmapIoSpace(nic0, r6+0x4, 0x10) => !NDIS_IO.UNMAP_OTHER_FAMILY
MmUnmapIoSpace(r6, 0x10)
# a released mapping of another family
NdisMUnmapIoSpace(nic0, r6, 0x10)
LeaveCallback(TRUE) => Ok
# running, but outside MiniportInitializeEx
r7 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x10) => !NDIS_IO.MAP_CONTEXT
NdisMUnmapIoSpace(nic0, r5, 0x10) => !NDIS_IO.UNMAP_CONTEXT
EnterCallback(MiniportInitializeEx, nic1) => Ok
# another adapter's MiniportInitializeEx
r8 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x10) => !NDIS_IO.MAP_CONTEXT
r9 = NdisMMapIoSpace(&out, nic1, 0xfec20000, 0x10)
NdisMUnmapIoSpace(nic1, r5, 0x10) => !NDIS_IO.UNMAP_OTHER_OWNER
NdisMUnmapIoSpace(nic1, r9, 0x10)
LeaveCallback(TRUE) => Ok
EnterCallback(MiniportHaltEx, nic0) => Ok
# leaks r5
LeaveCallback(TRUE) => Ok !NDIS_IO.LEAK
# halted
r10 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x10) => !NDIS_IO.BAD_HANDLE
)"));
}

TEST(OracleDiff, MmIoRules) {
  RunDiff(InWorld(R"(
KeSetIrql(3)
r0 = MmMapIoSpace(0xf0000000, 0x10, 0) => !MM_IO.MAP_IRQL
r1 = MmMapIoSpaceEx(0xf0000000, 0x10, PAGE_READWRITE) => !MM_IO.MAP_IRQL
KeSetIrql(2)
r2 = MmMapIoSpace(0xf0000000, 0, 0) => !MM_IO.ZERO_LENGTH
r3 = MmMapIoSpaceEx(0xf0000000, 0, PAGE_READWRITE) => !MM_IO.ZERO_LENGTH
r4 = MmMapIoSpace(0xf0000000, 0x10, 3)
r5 = MmMapIoSpace(0xf0000000, 0x10, 4)
r6 = MmMapIoSpace(0xf0000000, 0x10, 5)
r7 = MmMapIoSpace(0xf0000000, 0x10, 6)
r8 = MmMapIoSpace(0xf0000000, 0x10, 7)
r9 = MmMapIoSpace(0xf0000000, 0x10, 0x100000000) => !MM_IO.BAD_CACHE_TYPE
r10 = MmMapIoSpaceEx(0xf0000000, 0x10, 0)
r11 = MmMapIoSpaceEx(0xf0000000, 0x10, 0x6)
r12 = MmMapIoSpaceEx(0xf0000000, 0x10, 0x1)
r13 = MmMapIoSpaceEx(0xf0000000, 0x10, 0x8)
r14 = MmMapIoSpaceEx(0xf0000000, 0x10, 0x80)
r15 = MmMapIoSpaceEx(0xf0000000, 0x10, 0x604)
r16 = MmMapIoSpaceEx(0xf0000000, 0x10, 0x104)
r17 = MmMapIoSpaceEx(0xf0000000, 0x10, 0x10000004)
r18 = MmMapIoSpaceEx(0xf0000000, 0x10, 0x804) => !MM_IO.BAD_PROTECT
r19 = MmMapIoSpace(0x1000, 0x10, 0) => !MM_IO.MAP_RAM
# the last byte of RAM, then just above it
r20 = MmMapIoSpace(0x7fffffff, 0x10, 0) => !MM_IO.MAP_RAM
r21 = MmMapIoSpace(0x80000000, 0x10, 0) => nonnull
# two pages, cached
r22 = MmMapIoSpace(0xf0000800, 0x1000, MmCached)
r23 = MmMapIoSpace(0xf0001fff, 0x1, MmNonCached) => !MM_IO.CACHE_CONFLICT
r24 = MmMapIoSpaceEx(0xf0001000, 0x1, PAGE_READWRITE|PAGE_WRITECOMBINE) => !MM_IO.CACHE_CONFLICT
# MmCached: the same type
r25 = MmMapIoSpaceEx(0xf0001000, 0x1, PAGE_EXECUTE_READ) => nonnull
MmUnmapIoSpace(r22+0x1, 0x1000) => !MM_IO.UNMAP_IRQL_VERIFIER !MM_IO.UNMAP_INTERIOR
KeSetIrql(0)
MmUnmapIoSpace(r22, 0xfff) => !MM_IO.UNMAP_LENGTH_MISMATCH
MmUnmapIoSpace(r22, 0x1000) =>
MmUnmapIoSpace(r22, 0x1000) => !MM_IO.UNMAP_DOUBLE
MmUnmapIoSpace(0x1234, 0x1) => !MM_IO.UNMAP_NOT_MAPPED
EnterCallback(HwVidStartIO, video0) => Ok
r26 = VideoPortMapMemory(video0, 0xe0000000, &0x100, &0, &0)
LeaveCallback(TRUE) => Ok
MmUnmapIoSpace(r26, 0x100) => !MM_IO.UNMAP_OTHER_FAMILY
KeSetIrql(3)
MmUnmapIoSpace(r26, 0x100) => !MM_IO.UNMAP_IRQL
KeSetIrql(0)
# leaks: a failing start, stop, remove, surprise removal
EnterCallback(IRP_MN_START_DEVICE, wdm0) => Ok
r27 = MmMapIoSpace(0xfed00000, 0x10, 0)
LeaveCallback(FALSE) => Ok !MM_IO.LEAK
EnterCallback(IRP_MN_START_DEVICE, wdm0) => Ok
r28 = MmMapIoSpace(0xfed00000, 0x10, 0)
r29 = MmMapIoSpace(0xfed01000, 0x10, 0)
LeaveCallback(TRUE) => Ok
EnterCallback(IRP_MN_STOP_DEVICE, wdm0) => Ok
# made during stop: driver-wide
r30 = MmMapIoSpace(0xfed02000, 0x10, 0)
LeaveCallback(TRUE) => Ok !MM_IO.LEAK !MM_IO.LEAK
EnterCallback(IRP_MN_START_DEVICE, wdm0) => Ok
r31 = MmMapIoSpace(0xfed03000, 0x10, 0)
LeaveCallback(TRUE) => Ok
EnterCallback(IRP_MN_SURPRISE_REMOVAL, wdm0) => Ok
LeaveCallback(TRUE) => Ok !MM_IO.LEAK
EnterCallback(IRP_MN_REMOVE_DEVICE, wdm0) => Ok
LeaveCallback(TRUE) => Ok
)"));
}

// umdf2, umdf3 and umdf4 are this test's devices: UMDF 1.10, UMDF 2.0, and a
// UMDF 1.31 device without direct hardware access.
TEST(OracleDiff, UmdfIoRules) {
  const u64 old = Handle(HandleKind::UmdfDevice, 3), v2 = Handle(HandleKind::UmdfDevice, 4);
  const u64 noacc = Handle(HandleKind::UmdfDevice, 5);
  RunDiff(InWorld(R"(
@
r0 = IWDFDevice3::MapIoSpace(0x777, 0xfee00000, 0x10, 0, &out) => !UMDF_IO.BAD_DEVICE
r1 = IWDFDevice3::MapIoSpace(0xe000000000000063, 0xfee00000, 0x10, 0, &out) => !UMDF_IO.BAD_DEVICE
r2 = IWDFDevice3::MapIoSpace(umdf2, 0xfee00000, 0x10, 0, &out)
r3 = IWDFDevice3::MapIoSpace(umdf3, 0xfee00000, 0x10, 0, &out) => !UMDF_IO.VERSION
r4 = IWDFDevice3::MapIoSpace(umdf4, 0xfee30000, 0x10, 0, &out) => !UMDF_IO.DIRECT_ACCESS
r5 = IWDFDevice3::MapIoSpace(umdf0, 0xfee00000, 0x10, 0, &out) => !UMDF_IO.MAP_CONTEXT
EnterCallback(OnPrepareHardware, umdf0) => Ok
r6 = IWDFDevice3::MapIoSpace(umdf0, 0, 0x10, 0, &out)
r7 = IWDFDevice3::MapIoSpace(umdf0, 0xfee00000, 0, 0, &out)
r8 = IWDFDevice3::MapIoSpace(umdf0, 0xfee00000, 0x10, 3, &out) => !UMDF_IO.MAP_ARGS
r9 = IWDFDevice3::MapIoSpace(umdf0, 0xfee00000, 0x2001, 0, &out)
# RAM is never a resource; another device's resource; an overflow
r10 = IWDFDevice3::MapIoSpace(umdf0, 0x1000, 0x10, 0, &out)
r11 = IWDFDevice3::MapIoSpace(umdf0, 0xfee20000, 0x10, 0, &out)
r12 = IWDFDevice3::MapIoSpace(umdf0, 0xffffffffffffff00, 0x1000, 0, &out) => !UMDF_IO.OUTSIDE_RESOURCE
r13 = IWDFDevice3::MapIoSpace(umdf0, 0xfee01000, 0x10, MmCached, &out)
r14 = IWDFDevice3::MapIoSpace(umdf0, 0xfee00000, 0x10, MmCached, &out) => !UMDF_IO.DUPLICATE_MAPPING
r15 = MmMapIoSpace(0xfee10000, 0x10, MmWriteCombined)
r16 = IWDFDevice3::MapIoSpace(umdf0, 0xfee10000, 0x10, MmNonCached, &out) => !MM_IO.CACHE_CONFLICT
IWDFDevice3::UnmapIoSpace(umdf0, r13+0x1, 0x10) => !UMDF_IO.UNMAP_INTERIOR
IWDFDevice3::UnmapIoSpace(umdf0, r13, 0x11) => !UMDF_IO.UNMAP_LENGTH_MISMATCH
IWDFDevice3::UnmapIoSpace(umdf0, r15, 0x10) => !UMDF_IO.UNMAP_OTHER_FAMILY
IWDFDevice3::UnmapIoSpace(umdf0, 0x5d00000000100000, 0x10) => !UMDF_IO.UNMAP_NOT_MAPPED
IWDFDevice3::UnmapIoSpace(umdf0, r13, 0x10)
IWDFDevice3::UnmapIoSpace(umdf0, r13, 0x10) => !UMDF_IO.UNMAP_DOUBLE
IWDFDevice3::READ_REGISTER_ULONG(umdf0, r13) => !ACCESS.USE_AFTER_UNMAP
r17 = IWDFDevice3::MapIoSpace(umdf0, 0xfee00000, 0x10, MmCached, &out)
LeaveCallback(TRUE) => Ok
IWDFDevice3::UnmapIoSpace(umdf0, r17, 0x10) => !UMDF_IO.UNMAP_CONTEXT
IWDFDevice3::UnmapIoSpace(umdf2, r17, 0x10) => !UMDF_IO.VERSION
IWDFDevice3::GetHardwareRegisterMappedAddress(umdf2, r17) => !UMDF_IO.VERSION
IWDFDevice3::GetHardwareRegisterMappedAddress(0, r17) => !UMDF_IO.BAD_DEVICE
EnterCallback(OnPrepareHardware, umdf1) => Ok
r18 = IWDFDevice3::MapIoSpace(umdf1, 0xfee20000, 0x10, MmCached, &out)
IWDFDevice3::UnmapIoSpace(umdf1, r17, 0x10) => !UMDF_IO.UNMAP_OTHER_OWNER
# another device's pseudo address
IWDFDevice3::READ_REGISTER_ULONG(umdf1, r17) => !ACCESS.UNMAPPED
IWDFDevice3::READ_REGISTER_ULONG(umdf1, r18+0xe) => !ACCESS.OUT_OF_BOUNDS
IWDFDevice3::READ_REGISTER_ULONG(0x42, r18) => !UMDF_IO.BAD_DEVICE
# a failing prepare leaks r18
LeaveCallback(FALSE) => Ok !UMDF_IO.LEAK
EnterCallback(OnReleaseHardware, umdf0) => Ok
# leaks r17
LeaveCallback(TRUE) => Ok !UMDF_IO.LEAK
)",
                  {{Expect(Building(CallId::CreateUmdfDevice, {0x1000A, 1, kSystemCall}), old),
                    Expect(Building(CallId::CreateUmdfDevice, {0x20000, 1, kSystemCall}), v2),
                    Expect(Building(CallId::CreateUmdfDevice, {0x1001F, 0, kSystemCall}), noacc),
                    Building(CallId::AssignResource, {noacc, kMemory, 0xFEE30000, 0x1000})}}));
}

TEST(OracleDiff, NdisFileRules) {
  RunDiff(InWorld(R"(
r0 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff) => !NDIS_FILE.CONTEXT
EnterCallback(MiniportInitializeEx, nic0) => Ok
KeSetIrql(1)
r1 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff) => !NDIS_FILE.IRQL
KeSetIrql(0)
r2 = NdisOpenFile(&out, &out, &out, "missing.bin", 0xffffffffffffffff) => NDIS_STATUS_FILE_NOT_FOUND
r3 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffe) => NDIS_STATUS_RESOURCES
r4 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xfffff) => NDIS_STATUS_SUCCESS
r5 = NdisOpenFile(&out, &out, &out, "broken.bin", 0xffffffffffffffff) => NDIS_STATUS_ERROR_READING_FILE
r6 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r7 = NdisMapFile(&out, &out, 0x1234) => !NDIS_FILE.BAD_HANDLE
r8 = NdisMapFile(&out, &out, 0xf0000000000003e8) => !NDIS_FILE.BAD_HANDLE
NdisUnmapFile(r6) => !NDIS_FILE.UNMAP_NOT_MAPPED
# DISPATCH_LEVEL is fine for NdisMapFile, not for the others
KeSetIrql(2)
r9 = NdisMapFile(&out, &out, r6) => NDIS_STATUS_SUCCESS
NdisUnmapFile(r6) => !NDIS_FILE.IRQL
NdisCloseFile(r6) => !NDIS_FILE.IRQL
KeSetIrql(3)
r10 = NdisMapFile(&out, &out, r6) => !NDIS_FILE.IRQL
KeSetIrql(0)
NdisCloseFile(r6) => !NDIS_FILE.CLOSE_WHILE_MAPPED
READ_REGISTER_UCHAR(r9) => !ACCESS.USE_AFTER_UNMAP
r11 = NdisMapFile(&out, &out, r6) => !NDIS_FILE.CLOSED_HANDLE
NdisUnmapFile(r6)
NdisCloseFile(r6) => !NDIS_FILE.CLOSED_HANDLE
r12 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
# the 0xfffff open and r12
LeaveCallback(TRUE) => Ok !NDIS_FILE.LEAK !NDIS_FILE.LEAK
# leaked, still open: outside MiniportInitializeEx
r13 = NdisMapFile(&out, &out, r12) => !NDIS_FILE.CONTEXT
EnterCallback(MiniportInitializeEx, nic1) => Ok
r14 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
LeaveCallback(TRUE) => Ok !NDIS_FILE.LEAK
EnterCallback(MiniportHaltEx, nic1) => Ok
r15 = NdisMapFile(&out, &out, r14)
r16 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff) => !NDIS_FILE.CONTEXT
LeaveCallback(TRUE) => Ok
)"));
}

TEST(OracleDiff, VideoRules) {
  Diff d = RunDiff(InWorld(R"(
r0 = PsCreateProcess()
r1 = PsCreateProcess()
r2 = VideoPortMapMemory(0x99, 0xe0000000, &0x10, &0, &0)
r3 = VideoPortMapMemory(0xb00000000000004d, 0xe0000000, &0x10, &0, &0) => !VIDEO.BAD_DEVICE
KeSetIrql(1)
r4 = VideoPortMapMemory(video0, 0xe0000000, &0x10, &0, &0) => !VIDEO.IRQL
VideoPortUnmapMemory(video0, 0, 0) => !VIDEO.IRQL
KeSetIrql(0)
# documented statuses, no report
r5 = VideoPortMapMemory(video0, 0xe0000000, &0x10, &0x10, &0)
r6 = VideoPortMapMemory(video0, 0x3c0, &0x10, &VIDEO_MEMORY_SPACE_IO|VIDEO_MEMORY_SPACE_USER_MODE, &r0)
r7 = VideoPortMapMemory(video0, 0x3c0, &0x10, &VIDEO_MEMORY_SPACE_IO|VIDEO_MEMORY_SPACE_P6CACHE, &0)
r8 = VideoPortMapMemory(video0, 0xe0000000, &0x10, &0, &0x12345)
r9 = VideoPortMapMemory(video0, 0xe0000000, &0x10, &VIDEO_MEMORY_SPACE_USER_MODE, &0)
r10 = VideoPortMapMemory(video0, 0xe0000000, &0, &0, &0)
r11 = VideoPortMapMemory(video0, 0xffffffffffffff00, &0x1000, &0, &0)
# straddles the resource end; the port range asked as memory; another device
r12 = VideoPortMapMemory(video0, 0xe0fffff8, &0x10, &0, &0)
r13 = VideoPortMapMemory(video0, 0x3c0, &0x10, &0, &0)
r14 = VideoPortMapMemory(video1, 0xe0000000, &0x10, &0, &0) =>
r15 = VideoPortMapMemory(video0, 0x2000, &0x10, &0, &0) => !VIDEO.MAP_RAM
r16 = VideoPortMapMemory(video0, 0xe0000000, &0x2000, &VIDEO_MEMORY_SPACE_P6CACHE, &0)
r17 = VideoPortMapMemory(video0, 0xe0001800, &0x10, &0, &0) => !VIDEO.P6CACHE_CONFLICT
r18 = VideoPortMapMemory(video0, 0xe0100000, &0x10, &VIDEO_MEMORY_SPACE_USER_MODE, &r0)
VideoPortUnmapMemory(video0, r18, r1) => !VIDEO.UNMAP_WRONG_PROCESS
VideoPortUnmapMemory(video0, r16, r0) => !VIDEO.UNMAP_WRONG_PROCESS
VideoPortUnmapMemory(video1, r16, 0) => !VIDEO.UNMAP_OTHER_OWNER
r19 = MmMapIoSpace(0xf0000000, 0x10, 0)
VideoPortUnmapMemory(video0, r19, 0) => !VIDEO.UNMAP_OTHER_FAMILY
VideoPortUnmapMemory(video0, 0xffffc00033333000, 0) => !VIDEO.UNMAP_NOT_MAPPED
VideoPortUnmapMemory(video0, r16+0x1fff, 0) =>
VideoPortUnmapMemory(video0, r16, 0) => !VIDEO.UNMAP_DOUBLE
# a released mapping of another device
VideoPortUnmapMemory(video1, r16, 0)
# leaks r18
PsExitProcess(r0) => Ok !VIDEO.LEAK
# an exited process
r20 = VideoPortMapMemory(video0, 0xe0000000, &0x10, &VIDEO_MEMORY_SPACE_USER_MODE, &r0) =>
r21 = VideoPortMapMemory(video0, 0xe0005000, &0x10, &0, &0)
)"));
  EXPECT_TEARDOWN_RULES(d, RuleId::MmIoLeak, RuleId::VideoLeak);
}

TEST(OracleDiff, AccessRules) {
  RunDiff(InWorld(R"(
r0 = PsCreateProcess()
r1 = MmMapIoSpaceEx(0xf0000000, 0x10, PAGE_READONLY)
r2 = MmMapIoSpaceEx(0xf0001000, 0x10, PAGE_EXECUTE)
r3 = MmMapIoSpaceEx(0xf0002000, 0x10, PAGE_EXECUTE_READWRITE)
r4 = MmMapIoSpaceEx(0xf0003000, 0x10, PAGE_EXECUTE_READ|PAGE_NOCACHE)
WRITE_REGISTER_UCHAR(r1, 0x1)
WRITE_REGISTER_UCHAR(r2, 0x1) => !ACCESS.READ_ONLY
WRITE_REGISTER_USHORT(r4, 0x1) => !ACCESS.READ_ONLY
READ_REGISTER_ULONG64(r1)
# PAGE_EXECUTE: neither read nor written; PAGE_EXECUTE_READ: read; PAGE_EXECUTE_READWRITE: both
READ_REGISTER_ULONG64(r2) => 0 !ACCESS.NOT_READABLE
READ_REGISTER_UCHAR(r2+0xf) => 0 !ACCESS.NOT_READABLE
READ_REGISTER_UCHAR(r2+0x10) => 0 !ACCESS.OUT_OF_BOUNDS
READ_REGISTER_ULONG(r4+0x4) => 0
WRITE_REGISTER_ULONG64(r3, 0x2) =>
READ_REGISTER_ULONG64(r3) => 0x2
# one past the end; straddling; the guard page; below the base
READ_REGISTER_UCHAR(r1+0x10)
READ_REGISTER_ULONG64(r1+0xc)
READ_REGISTER_UCHAR(r1+0x1000)
READ_REGISTER_UCHAR(r1-0x1)
READ_REGISTER_ULONG(0x1234)
READ_REGISTER_UCHAR(0)
# wrapping
READ_REGISTER_ULONG64(0xffffffffffffffff)
READ_REGISTER_ULONG(0xfffffffffffffffc)
WRITE_REGISTER_ULONG(0xffffc00000000000, 0)
MmUnmapIoSpace(r3, 0x10)
READ_REGISTER_ULONG(r3)
WRITE_REGISTER_UCHAR(r3+0xfff, 0)
# the guard page of a released mapping
READ_REGISTER_UCHAR(r3+0x1000)
EnterCallback(HwVidStartIO, video0) => Ok
r5 = VideoPortMapMemory(video0, 0xe0000000, &0x100, &VIDEO_MEMORY_SPACE_USER_MODE, &r0)
LeaveCallback(TRUE) => Ok
READ_REGISTER_ULONG(r5) => !ACCESS.WRONG_PROCESS
KeAttachProcess(r0)
WRITE_REGISTER_ULONG(r5+0xfc, 0x12345678)
READ_REGISTER_USHORT(r5+0xfe)
READ_REGISTER_ULONG(r5+0xfe) => !ACCESS.OUT_OF_BOUNDS
)"));
}

// Port resources for the port tests: nic0, nic1 and wdm0 get ports (video0 has
// its VGA ports in TestWorld).
Program PortResources() {
  const u64 nic0 = Handle(HandleKind::Adapter, 1), nic1 = Handle(HandleKind::Adapter, 2);
  const u64 wdm0 = Handle(HandleKind::WdmDevice, 1);
  return {
      Expect(Building(CallId::AssignResource, {nic0, kPort, 0x300, 0x20}), ControlStatus::Ok),
      Expect(Building(CallId::AssignResource, {nic1, kPort, 0x340, 0x10}), ControlStatus::Ok),
      Expect(Building(CallId::AssignResource, {wdm0, kPort, 0x2f8, 0x8}), ControlStatus::Ok),
  };
}

TEST(OracleDiff, PortRangeRules) {
  RunDiff(InWorld(R"(
@
r0 = NdisMRegisterIoPortRange(&out, nic0, 0x300, 0x20) => NDIS_STATUS_FAILURE !NDIS_IO.BAD_HANDLE
EnterCallback(MiniportInitializeEx, nic0) => Ok
KeSetIrql(1)
r1 = NdisMRegisterIoPortRange(&out, nic0, 0x300, 0x20) => NDIS_STATUS_FAILURE !NDIS_IO.PORT_IRQL
KeSetIrql(0)
r2 = NdisMRegisterIoPortRange(NULL, nic0, 0x300, 0x20) => NDIS_STATUS_FAILURE !COMMON.NULL_POINTER
r3 = NdisMRegisterIoPortRange(&out, nic0, 0x340, 0x10) => NDIS_STATUS_RESOURCE_CONFLICT
r4 = NdisMRegisterIoPortRange(&out, nic0, 0x300, 0x0) => NDIS_STATUS_FAILURE
r5 = NdisMRegisterIoPortRange(&out, nic0, 0x300, 0x21) => NDIS_STATUS_RESOURCE_CONFLICT
r6 = NdisMRegisterIoPortRange(&out, nic0, 0x300, 0x20) => NDIS_STATUS_SUCCESS PortOffset=0x300
r7 = NdisMRegisterIoPortRange(&out, nic0, 0x308, 0x8) => NDIS_STATUS_SUCCESS PortOffset=0x308
r8 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x1000)
NdisMDeregisterIoPortRange(nic0, 0x300, 0x20, r8) => !NDIS_IO.PORT_OTHER_FAMILY
NdisMUnmapIoSpace(nic0, r6, 0x20) => !NDIS_IO.UNMAP_OTHER_FAMILY
MmUnmapIoSpace(r7+0x7, 0x1) => !MM_IO.UNMAP_OTHER_FAMILY
NdisMDeregisterIoPortRange(nic0, 0x300, 0x10, r6) => !NDIS_IO.PORT_MISMATCH
# r7 matches in full, though r6 holds it too
NdisMDeregisterIoPortRange(nic0, 0x308, 0x8, r7) =>
NdisMDeregisterIoPortRange(nic0, 0x308, 0x8, r7) => !NDIS_IO.PORT_MISMATCH
NdisMDeregisterIoPortRange(nic0, 0x320, 0x8, 0x320) => !NDIS_IO.PORT_NOT_REGISTERED
LeaveCallback(TRUE) => Ok
NdisMDeregisterIoPortRange(nic0, 0x300, 0x20, r6) => !NDIS_IO.PORT_DEREGISTER_CONTEXT
r9 = NdisMRegisterIoPortRange(&out, nic0, 0x300, 0x20) => !NDIS_IO.PORT_REGISTER_CONTEXT
EnterCallback(MiniportInitializeEx, nic1) => Ok
r10 = NdisMRegisterIoPortRange(&out, nic1, 0x340, 0x10) => NDIS_STATUS_SUCCESS
NdisMDeregisterIoPortRange(nic1, 0x300, 0x20, r6) => !NDIS_IO.PORT_OTHER_OWNER
LeaveCallback(FALSE) => Ok !NDIS_IO.PORT_LEAK
NdisRawReadPortUchar(0x340, &out) => Data=0x0 !ACCESS.PORT_DEREGISTERED
EnterCallback(MiniportHaltEx, nic0) => Ok
NdisMDeregisterIoPortRange(nic0, 0x300, 0x20, r6) =>
NdisMDeregisterIoPortRange(nic0, 0x300, 0x20, r6) => !NDIS_IO.PORT_DEREGISTER_DOUBLE
# r8 is still mapped
LeaveCallback(TRUE) => Ok !NDIS_IO.LEAK
)", {PortResources()}));
}

TEST(OracleDiff, PortAccess) {
  RunDiff(InWorld(R"(
@
READ_PORT_UCHAR(0x2f8) => 0x0
WRITE_PORT_ULONG(0x2f8, 0x11223344)
READ_PORT_USHORT(0x2fa) => 0x1122
KeSetIrql(15)
WRITE_PORT_UCHAR(0x2f9, 0x1ff)
READ_PORT_ULONG(0x2f8) => 0x1122ff44
KeSetIrql(0)
READ_PORT_ULONG(0x2fe) => 0x0 !ACCESS.PORT_UNASSIGNED
WRITE_PORT_UCHAR(0xffffffffffffffff, 0x1) => !ACCESS.PORT_UNASSIGNED
READ_PORT_ULONG(0xfffffffffffffffe) => 0x0 !ACCESS.PORT_UNASSIGNED
WRITE_PORT_BUFFER_USHORT(0x2f8, &buffer, 0x3)
READ_PORT_USHORT(0x2f8) => 0x3
READ_PORT_BUFFER_USHORT(0x2f8, &buffer, 0x2) => Buffer=0x3
READ_PORT_BUFFER_ULONG(0x2fe, &buffer, 0x2) => Buffer=0x0 !ACCESS.PORT_UNASSIGNED
READ_PORT_BUFFER_UCHAR(0x2f8, NULL, 0x1) => !COMMON.NULL_POINTER
READ_PORT_BUFFER_UCHAR(0x1, NULL, 0x0) =>
WRITE_PORT_BUFFER_ULONG(0x1, &buffer, 0x0) => Buffer=0x0
VideoPortWritePortUshort(0x3de, 0xabcd)
VideoPortReadPortBufferUchar(0x3df, &buffer, 0x4) => Buffer=0xab
VideoPortReadPortUlong(0x3de) => 0x0 !ACCESS.PORT_UNASSIGNED
NdisRawReadPortUchar(0x300, &out) => Data=0x0 !ACCESS.PORT_UNREGISTERED
NdisRawReadPortUchar(0x300, NULL) => !COMMON.NULL_POINTER
EnterCallback(MiniportInitializeEx, nic0) => Ok
r0 = NdisMRegisterIoPortRange(&out, nic0, 0x304, 0x4)
NdisRawWritePortUlong(0x304, 0xcafef00d) =>
NdisRawReadPortUshort(0x306, &out) => Data=0xcafe
NdisRawReadPortUlong(0x306, &out) => Data=0x0 !ACCESS.PORT_UNREGISTERED
NdisRawWritePortBufferUchar(0x307, &buffer, 0x9) => Buffer=0x1
NdisRawReadPortBufferUlong(0x304, &buffer, 0x3) => Buffer=0x9fef00d
READ_PORT_UCHAR(0x307) => 0x9
NdisMDeregisterIoPortRange(nic0, 0x304, 0x4, r0)
NdisRawReadPortBufferUshort(0x306, &buffer, 0x1) => Buffer=0x0 !ACCESS.PORT_DEREGISTERED
NdisRawWritePortUchar(0x304, 0x1) => !ACCESS.PORT_DEREGISTERED
r1 = VideoPortMapMemory(video0, 0x3c0, &0x20, &VIDEO_MEMORY_SPACE_IO, &0x0)
READ_REGISTER_USHORT(r1+0x1e) => 0xabcd
LeaveCallback(TRUE) => Ok
)", {PortResources()}));
}

// Read/Write/UmdfReadRegister with a width other than 1, 2, 4, 8 (no row of
// the call table has one, so they run on both sides directly): no report,
// nothing happens, but each is still a call of the program (numbered: the
// next mapping's created_seq and the call count show it).
TEST(OracleDiff, InvalidAccessWidthsAreIgnoredButCounted) {
  const Program p = InWorld(R"(
r0 = MmMapIoSpace(0xf0000000, 0x10, 0) => nonnull
r1 = MmMapIoSpace(0xf0001000, 0x10, 0) => nonnull
)");
  const std::size_t mapped = Find(p, CallId::MmMapIoSpace);
  RunDiff(p, {}, [&](std::size_t call, Machine& core, oracle::Model* model) {
    if (call != mapped) return std::string();
    const u64 a = core.LiveMappings().at(0).base;
    const u64 pseudo = kPseudoRegionBase, umdf0 = Handle(HandleKind::UmdfDevice, 1);
    std::string why;
    for (unsigned w : {0u, 3u, 5u, 16u, 1000u}) {
      const std::string width = " width " + std::to_string(w);
      for (std::string d : {Direct("Read" + width, core, *model, [&](auto& t) { return t.Read(a, w); }),
                            Direct("Write" + width, core, *model, [&](auto& t) { return t.Write(a, w, 0), u64{0}; }),
                            Direct("UmdfReadRegister" + width, core, *model,
                                   [&](auto& t) { return t.UmdfReadRegister(umdf0, pseudo, w); }),
                            Direct("UmdfWriteRegister" + width, core, *model,
                                   [&](auto& t) { return t.UmdfWriteRegister(umdf0, pseudo, w, 0), u64{0}; })}) {
        if (why.empty()) why = d;
      }
    }
    return why.empty() ? CompareState(core, *model) : why;
  });
}

// ============================================================================
// leaks and teardown

TEST(OracleDiff, LeaksAtCallbacksAndTeardownOrder) {
  const Program p = InWorld(R"(
r0 = PsCreateProcess()
EnterCallback(MiniportInitializeEx, nic0) => Ok
r1 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x10)
r2 = NdisMMapIoSpace(&out, nic0, 0xfebf1000, 0x10)
r3 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r4 = NdisMapFile(&out, &out, r3)
# a failing initialization: the file and both mappings leak
LeaveCallback(FALSE) => Ok !NDIS_IO.LEAK !NDIS_IO.LEAK !NDIS_FILE.LEAK
EnterCallback(MiniportInitializeEx, nic1) => Ok
r5 = NdisMMapIoSpace(&out, nic1, 0xfec20000, 0x10)
LeaveCallback(TRUE) => Ok
EnterCallback(IRP_MN_START_DEVICE, wdm0) => Ok
r6 = MmMapIoSpace(0xfed00000, 0x10, 0)
LeaveCallback(TRUE) => Ok
r7 = MmMapIoSpace(0xf0000000, 0x10, 0)
EnterCallback(OnPrepareHardware, umdf1) => Ok
r8 = IWDFDevice3::MapIoSpace(umdf1, 0xfee20000, 0x10, 0, &out)
LeaveCallback(TRUE) => Ok
EnterCallback(HwVidStartIO, video0) => Ok
r9 = VideoPortMapMemory(video0, 0xe0000000, &0x10, &0, &0)
r10 = VideoPortMapMemory(video0, 0xe0001000, &0x10, &0, &r0)
LeaveCallback(TRUE) => Ok
# a callback still running at teardown
EnterCallback(OnPrepareHardware, umdf0) => Ok
r11 = IWDFDevice3::MapIoSpace(umdf0, 0xfee00000, 0x10, 0, &out)
)");
  // torn down after the last call, then once more by the runner: idempotent
  RunDiff(p, {}, TeardownAfter(p.size()));
}

// semantics.md NDIS_FILE: leaving MiniportInitializeEx (either outcome) with files
// open -> NDIS_FILE.LEAK per file; the file stays open (and mapped), its handle
// valid, reported at most once; teardown reports only files never reported.
TEST(OracleDiff, FilesLeakedByInitializeStayOpen) {
  MachineOptions opt;
  opt.max_open_files = 3;
  Diff d = RunDiff(InWorld(R"(
EnterCallback(MiniportInitializeEx, nic0) => Ok
r0 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r1 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r2 = NdisMapFile(&out, &out, r0)
LeaveCallback(FALSE) => Ok !NDIS_FILE.LEAK !NDIS_FILE.LEAK
# still mapped
READ_REGISTER_ULONG(r2)
# outside MiniportInitializeEx: CONTEXT
r3 = NdisMapFile(&out, &out, r0) => !NDIS_FILE.CONTEXT
# never opened, outside MiniportInitializeEx
r4 = NdisMapFile(&out, &out, 0xf000000000000009)
EnterCallback(MiniportInitializeEx, nic1) => Ok
# already mapped
r5 = NdisMapFile(&out, &out, r0)
r6 = NdisMapFile(&out, &out, r1)
# the leaked files still count: 2 open + 1, then the limit (3)
r7 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r8 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
NdisUnmapFile(r0)
# no further report for the leaked file
NdisCloseFile(r0)
# r7 leaks (r1 belongs to nic0)
LeaveCallback(TRUE) => Ok !NDIS_FILE.LEAK
NdisCloseFile(r7)
# closed, outside MiniportInitializeEx
r9 = NdisMapFile(&out, &out, r0)
)"),
                   opt);
  // r1 was reported already: closed silently
  EXPECT_TEARDOWN_RULES(d);
}

TEST(OracleDiff, TeardownWithInitializeRunning) {
  RunDiff(InWorld(R"(
EnterCallback(MiniportInitializeEx, nic0) => Ok
r0 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x10)
r1 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r2 = NdisMapFile(&out, &out, r1)
)"));
}

// Torn down right after the world is built: every later call is ignored on
// both sides, and no mapping survives (the runner checks none is live).
TEST(OracleDiff, CallsAfterTeardownAreIgnored) {
  const Program p = InWorld(R"(
@
r0 = PsCreateProcess()
KeSetIrql(99)
EnterCallback(MiniportInitializeEx, nic0)
r1 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x10)
r2 = MmMapIoSpace(0xf0000000, 0x10, 0)
r3 = IWDFDevice3::MapIoSpace(umdf0, 0xfee00000, 0x10, 0, &out)
r4 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r5 = NdisMapFile(&out, &out, 0x1)
r6 = VideoPortMapMemory(video0, 0xe0000000, &0x10, &0, &0)
VideoPortUnmapMemory(video0, 0, 0)
READ_REGISTER_UCHAR(0)
IWDFDevice3::READ_REGISTER_UCHAR(umdf0, 0)
LeaveCallback(TRUE)
)",
                            {{Building(CallId::AddRam, {0x100000000, 0x1000}),
                              Building(CallId::CreateNdisAdapter, {})}});
  RunDiff(p, {}, TeardownAfter(TestWorld().size()));
}

// ============================================================================
// building and lifecycle misuse (statuses, not reports)

TEST(OracleDiff, ControlMisuse) {
  const u64 nic0 = Handle(HandleKind::Adapter, 1), process1 = Handle(HandleKind::Process, 1);
  auto build = [](CallId id, std::vector<u64> args, std::string file = {}) {
    return Building(id, std::move(args), std::move(file));
  };
  const Program p = InWorld(R"(
@
r0 = PsCreateProcess() => 0x5000000000000001
@
LeaveCallback(TRUE)
EnterCallback(none, nic0)
EnterCallback(42, nic0)
EnterCallback(MiniportInitializeEx, wdm0)
EnterCallback(MiniportHaltEx, nic0)
EnterCallback(IRP_MN_STOP_DEVICE, wdm0)
EnterCallback(IRP_MN_SURPRISE_REMOVAL, wdm0)
EnterCallback(OnReleaseHardware, umdf0)
EnterCallback(HwVidStartIO, nic0)
EnterCallback(IRP_MN_START_DEVICE, 0xd000000000000005)
# a failing restart from stopped: back to stopped (surprise removal allowed) or added?
EnterCallback(IRP_MN_START_DEVICE, wdm0)
LeaveCallback(TRUE)
EnterCallback(IRP_MN_STOP_DEVICE, wdm0)
LeaveCallback(TRUE)
EnterCallback(IRP_MN_START_DEVICE, wdm0)
LeaveCallback(FALSE)
EnterCallback(IRP_MN_SURPRISE_REMOVAL, wdm0)
LeaveCallback(FALSE)
# surprise-removed: BadState
EnterCallback(IRP_MN_START_DEVICE, wdm0)
EnterCallback(IRP_MN_REMOVE_DEVICE, wdm0)
# one already runs
EnterCallback(IRP_MN_START_DEVICE, wdm0)
EnterCallback(none, wdm0)
LeaveCallback(TRUE)
EnterCallback(IRP_MN_REMOVE_DEVICE, wdm0)
LeaveCallback(FALSE)
# removed
EnterCallback(IRP_MN_START_DEVICE, wdm0)
EnterCallback(IRP_MN_REMOVE_DEVICE, wdm0)
PsExitProcess(0)
PsExitProcess(0x1234)
r1 = PsCreateProcess()
KeAttachProcess(r1)
KeAttachProcess(0x77)
# the attached process
PsExitProcess(r1)
PsExitProcess(r1)
KeAttachProcess(r1)
KeAttachProcess(0)
)",
                            {{build(CallId::AddRam, {0, 0}),
                              // RAM over RAM, over a resource; the top pages
                              build(CallId::AddRam, {0x1000, 0x1000}),
                              build(CallId::AddRam, {0xFEBF0000, 0x1000}),
                              build(CallId::AddRam, {0xFFFFFFFFFFFFF000, 0x1000}),
                              build(CallId::AddRam, {0xFFFFFFFFFFFFE000, 0x1000}),
                              build(CallId::AssignResource, {0x1234, kMemory, 0xA0000000, 0x1000}),
                              // RAM; another's resource; ports are not RAM
                              build(CallId::AssignResource, {nic0, kMemory, 0x1000, 0x1000}),
                              build(CallId::AssignResource, {nic0, kMemory, 0xFED00000, 0x1000}),
                              build(CallId::AssignResource, {nic0, kPort, 0x1000, 0x10}),
                              build(CallId::AssignResource, {nic0, kMemory, 0xA0000000, 0}),
                              build(CallId::AssignResource, {nic0, kMemory, 0xFFFFFFFFFFFFF000, 0x10})},
                             {build(CallId::AssignResource, {process1, kMemory, 0xA0000000, 0x10}),
                              build(CallId::AddFile, {0, 1, 1}, "firmware.bin"),
                              build(CallId::AddFile, {0, 1, 1}, "")}});
  // A PhysSpace out of range: no row argument says it, so it runs directly.
  const std::size_t at = Find(p, CallId::AssignResource, 12);
  RunDiff(p, {}, [&](std::size_t call, Machine& core, oracle::Model* model) {
    if (call != at) return std::string();
    return Direct("AssignResource space 7", core, *model, [&](auto& t) {
      return static_cast<u64>(t.AssignResource(nic0, static_cast<PhysSpace>(7), 0xA0000000, 0x10));
    });
  });
}

// ============================================================================
// allocation edge cases

TEST(OracleDiff, DeviceBaseLifecycleAndRules) {
  Diff d = RunDiff(InWorld(R"(
EnterCallback(HwVidFindAdapter, video0) => Ok
r0 = VideoPortGetDeviceBase(video0, 0xe0000123, 0x1800, VIDEO_MEMORY_SPACE_MEMORY) => nonnull
r1 = VideoPortGetDeviceBase(video0, 0x3c0, 0x8, VIDEO_MEMORY_SPACE_IO) => 0x3c0
r2 = VideoPortGetDeviceBase(video0, 0x3c8, 0x8, VIDEO_MEMORY_SPACE_IO) => 0x3c8
r3 = VideoPortGetDeviceBase(video0, 0xe0100000, 0x1000, VIDEO_MEMORY_SPACE_P6CACHE|VIDEO_MEMORY_SPACE_DENSE) => nonnull
r4 = VideoPortGetDeviceBase(video0, 0xe0100000, 0x1000, VIDEO_MEMORY_SPACE_MEMORY) => NULL !VIDEO.P6CACHE_CONFLICT
r5 = VideoPortGetDeviceBase(video1, 0xe0100000, 0x1000, VIDEO_MEMORY_SPACE_MEMORY) => NULL !VIDEO_BASE.CONTEXT
r6 = VideoPortGetDeviceBase(video0, 0x3c0, 0x21, VIDEO_MEMORY_SPACE_IO) => NULL !VIDEO_BASE.UNCLAIMED_RANGE
r7 = VideoPortGetDeviceBase(video0, 0x3c0, 0x20, VIDEO_MEMORY_SPACE_USER_MODE|VIDEO_MEMORY_SPACE_IO) => NULL
WRITE_REGISTER_USHORT(r0+0x17fe, 0xbeef)
READ_REGISTER_USHORT(r0+0x17fe) => 0xbeef
READ_REGISTER_USHORT(r0+0x1800) => !ACCESS.OUT_OF_BOUNDS
READ_REGISTER_UCHAR(r1) => !ACCESS.UNMAPPED
VideoPortFreeDeviceBase(video0, 0x3c4) => !VIDEO_BASE.FREE_INTERIOR
VideoPortFreeDeviceBase(video1, r2) => !VIDEO_BASE.FREE_OTHER_OWNER
VideoPortFreeDeviceBase(video0, r2) =>
VideoPortFreeDeviceBase(video0, 0x3cc) => !VIDEO_BASE.FREE_DOUBLE
VideoPortFreeDeviceBase(video0, r0+0x10) => !VIDEO_BASE.FREE_INTERIOR
VideoPortFreeDeviceBase(video0, r0-0x123) => !VIDEO_BASE.FREE_INTERIOR
VideoPortFreeDeviceBase(video0, r0+0x2000) => !VIDEO_BASE.FREE_NOT_MAPPED
MmUnmapIoSpace(r0, 0x1800) => !MM_IO.UNMAP_OTHER_FAMILY
VideoPortUnmapMemory(video0, r0, 0) => !VIDEO.UNMAP_OTHER_FAMILY
VideoPortFreeDeviceBase(video0, r0) =>
VideoPortFreeDeviceBase(video0, r0) => !VIDEO_BASE.FREE_DOUBLE
KeSetIrql(2)
VideoPortFreeDeviceBase(video0, r3) => !VIDEO_BASE.IRQL
r8 = VideoPortGetDeviceBase(video0, 0xe0000000, 0x10, 0) => NULL !VIDEO_BASE.IRQL
KeSetIrql(0)
VideoPortFreeDeviceBase(nic0, r3) => !VIDEO.BAD_DEVICE
LeaveCallback(TRUE) => Ok
r9 = VideoPortGetDeviceBase(video0, 0xe0000000, 0x10, 0) => NULL !VIDEO_BASE.CONTEXT
# HwVidFindAdapter of video0 again, failing: every base of video0 still live is reported and released
EnterCallback(HwVidFindAdapter, video0) => Ok
r10 = VideoPortGetDeviceBase(video0, 0xe0200000, 0x1000, VIDEO_MEMORY_SPACE_MEMORY) => nonnull
LeaveCallback(FALSE) => Ok !VIDEO_BASE.LEAK !VIDEO_BASE.LEAK !VIDEO_BASE.LEAK
VideoPortFreeDeviceBase(video0, r10) => !VIDEO_BASE.FREE_DOUBLE
VideoPortFreeDeviceBase(video0, r1) => !VIDEO_BASE.FREE_DOUBLE
)"));
  EXPECT_TEARDOWN_RULES(d);
}

TEST(OracleDiff, SharedMemoryLifecycleAndRules) {
  Diff d = RunDiff(InWorld(R"(
r0 = NdisMAllocateSharedMemory(nic0, 0x1000, FALSE, &out, &out) => !NDIS_IO.BAD_HANDLE
EnterCallback(MiniportInitializeEx, nic0) => Ok
r1 = NdisMAllocateSharedMemory(nic0, 0x1234, TRUE, &out, &out) => PhysicalAddress=0x1000
r2 = NdisMAllocateSharedMemory(nic0, 0x10, FALSE, &out, &out) => PhysicalAddress=0x3000
r3 = NdisMAllocateSharedMemory(nic0, 0, FALSE, &out, &out) => PhysicalAddress=0
r4 = NdisMAllocateSharedMemory(nic0, 0x10, FALSE, NULL, NULL) => !COMMON.NULL_POINTER
WRITE_REGISTER_ULONG64(r1+0x122c, 0x1122334455667788)
READ_REGISTER_ULONG64(r1+0x122c) => 0x1122334455667788
READ_REGISTER_ULONG(r1+0x1234) => !ACCESS.OUT_OF_BOUNDS
NdisMFreeSharedMemory(nic0, 0x1234, TRUE, r1+0x1000, 0x1000) => !NDIS_SHARED.FREE_INTERIOR
NdisMFreeSharedMemory(nic0, 0x1000, TRUE, r1, 0x1000) => !NDIS_SHARED.FREE_LENGTH_MISMATCH
NdisMFreeSharedMemory(nic0, 0x1234, FALSE, r1, 0x1000) => !NDIS_SHARED.FREE_CACHED_MISMATCH
NdisMFreeSharedMemory(nic0, 0x1234, TRUE, r1, 0x2000) => !NDIS_SHARED.FREE_PHYS_MISMATCH
NdisMFreeSharedMemory(nic1, 0x1234, TRUE, r1, 0x1000) => !NDIS_IO.BAD_HANDLE
NdisMFreeSharedMemory(nic0, 0x1234, TRUE, r1, 0x1000) =>
NdisMFreeSharedMemory(nic0, 0x1234, TRUE, r1, 0x1000) => !NDIS_SHARED.FREE_DOUBLE
READ_REGISTER_ULONG(r1) => !ACCESS.USE_AFTER_UNMAP
# first fit: the pages r1 held come back, below r2
r5 = NdisMAllocateSharedMemory(nic0, 0x2000, FALSE, &out, &out) => PhysicalAddress=0x1000
r6 = NdisMAllocateSharedMemory(nic0, 0x1001, FALSE, &out, &out) => PhysicalAddress=0x4000
r7 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x1000) => NDIS_STATUS_SUCCESS
NdisMFreeSharedMemory(nic0, 0x1000, FALSE, r7, 0xfebf0000) => !NDIS_SHARED.FREE_OTHER_FAMILY
NdisMUnmapIoSpace(nic0, r5, 0x2000) => !NDIS_IO.UNMAP_OTHER_FAMILY
NdisMFreeSharedMemory(nic0, 0x10, FALSE, 0xffffc00100000000, 0x3000) => !NDIS_SHARED.FREE_NOT_MAPPED
KeSetIrql(1)
NdisMFreeSharedMemory(nic0, 0x10, FALSE, r2, 0x3000) => !NDIS_SHARED.IRQL
KeSetIrql(0)
NdisMFreeSharedMemory(nic0, 0x10, FALSE, r2, 0x3000) =>
LeaveCallback(TRUE) => Ok
EnterCallback(MiniportInitializeEx, nic1) => Ok
NdisMFreeSharedMemory(nic1, 0x2000, FALSE, r5, 0x1000) => !NDIS_SHARED.FREE_OTHER_OWNER
r8 = NdisMAllocateSharedMemory(nic1, 0x800, FALSE, &out, &out) => PhysicalAddress=0x3000
LeaveCallback(FALSE) => Ok !NDIS_SHARED.LEAK
EnterCallback(MiniportHaltEx, nic0) => Ok
NdisMFreeSharedMemory(nic0, 0x1001, FALSE, r6, 0x4000) =>
LeaveCallback(TRUE) => Ok !NDIS_IO.LEAK !NDIS_SHARED.LEAK
)"));
  EXPECT_TEARDOWN_RULES(d);
}

TEST(OracleDiff, SharedMemoryFirstFitAcrossRamRanges) {
  RunDiff(InWorld(R"(
@
EnterCallback(MiniportInitializeEx, nic0) => Ok
r0 = NdisMAllocateSharedMemory(nic0, 0x3000, FALSE, &out, &out) => PhysicalAddress=0x1000
# the rest of the first range
r1 = NdisMAllocateSharedMemory(nic0, 0x7fffc000, FALSE, &out, &out) => PhysicalAddress=0x4000
r2 = NdisMAllocateSharedMemory(nic0, 0x2000, FALSE, &out, &out) => PhysicalAddress=0x200000000
r3 = NdisMAllocateSharedMemory(nic0, 0x1000, FALSE, &out, &out) => PhysicalAddress=0x200002000
r4 = NdisMAllocateSharedMemory(nic0, 0x1000, FALSE, &out, &out) => PhysicalAddress=0
NdisMFreeSharedMemory(nic0, 0x2000, FALSE, r2, 0x200000000)
r5 = NdisMAllocateSharedMemory(nic0, 0x1800, FALSE, &out, &out) => PhysicalAddress=0x200000000
LeaveCallback(TRUE) => Ok
)",
                   {{Building(CallId::AddRam, {0x200000000, 0x3000})}}));
}

TEST(OracleDiff, TinySystemRegionIsExhaustedAndWrapsAround) {
  MachineOptions opt;
  opt.system_region_size = 8 * kPageSize;
  opt.quarantine_capacity = 0;
  Diff d = RunDiff(InWorld(R"(
# 2, 3 and 2 pages; 1 page left: no space
r0 = MmMapIoSpace(0xf0000000, 0x1000, 0)
r1 = MmMapIoSpace(0xf0003000, 0x2000, 0)
r2 = MmMapIoSpace(0xf0008000, 0x1000, 0)
r3 = MmMapIoSpace(0xf0009000, 0x1000, 0) => NULL
r4 = MmMapIoSpace(0xf000a000, 0x10000000000, 0) => NULL
MmUnmapIoSpace(r0, 0x1000)
# wraps to the start
r5 = MmMapIoSpace(0xf000c000, 0x10, 0)
MmUnmapIoSpace(r2, 0x1000)
MmUnmapIoSpace(r1, 0x2000)
# the merged free block
r6 = MmMapIoSpace(0xf000d000, 0x4000, 0)
EnterCallback(MiniportInitializeEx, nic0) => Ok
r7 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x8000) => NDIS_STATUS_RESOURCES
r8 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r9 = NdisMapFile(&out, &out, r8)
NdisCloseFile(r8)
LeaveCallback(TRUE) => Ok
EnterCallback(HwVidStartIO, video0) => Ok
r10 = VideoPortMapMemory(video0, 0xe0000000, &0x8000, &0, &0)
LeaveCallback(TRUE) => Ok
)"),
                   opt);
  EXPECT_EQ(d.R(5), d.R(0));
}

TEST(OracleDiff, TinyUserAndPseudoRegions) {
  MachineOptions opt;
  opt.user_region_size = 5 * kPageSize;
  opt.pseudo_region_size = 4 * kPageSize;
  opt.quarantine_capacity = 1;
  RunDiff(InWorld(R"(
r0 = PsCreateProcess()
EnterCallback(OnPrepareHardware, umdf1) => Ok
# pseudo 1+1 pages, view 1+1 pages; the quarantine keeps only the view
r1 = IWDFDevice3::MapIoSpace(umdf1, 0xfee20000, 0x1000, 0, &out)
IWDFDevice3::UnmapIoSpace(umdf1, r1, 0x1000)
r2 = IWDFDevice3::MapIoSpace(umdf1, 0xfee20800, 0x800, 0, &out)
LeaveCallback(TRUE) => Ok
EnterCallback(HwVidStartIO, video0) => Ok
# the user region is full; the system region is large
r3 = VideoPortMapMemory(video0, 0xe0000000, &0x1000, &VIDEO_MEMORY_SPACE_USER_MODE, &r0)
r4 = VideoPortMapMemory(video0, 0xe0002000, &0x100, &VIDEO_MEMORY_SPACE_USER_MODE, &r0)
r5 = VideoPortMapMemory(video0, 0xe0003000, &0x100, &0, &0)
LeaveCallback(TRUE) => Ok
EnterCallback(OnPrepareHardware, umdf0) => Ok
# the pseudo region: 3 pages needed, 2 free
r6 = IWDFDevice3::MapIoSpace(umdf0, 0xfee00000, 0x2000, 0, &out)
r7 = IWDFDevice3::MapIoSpace(umdf0, 0xfee10000, 0x10, 0, &out)
LeaveCallback(TRUE) => Ok
)"),
          opt);
}

// The pseudo range fits but the user-mode view does not: E_OUTOFMEMORY, and
// (reading) nothing changes; the address never returned stays "never mapped".
TEST(OracleDiff, UmdfViewWithoutUserSpaceFailsWithoutTrace) {
  MachineOptions opt;
  opt.user_region_size = 1 * kPageSize;  // too small for any view (a page plus the guard)
  RunDiff(InWorld(R"(
EnterCallback(OnPrepareHardware, umdf1) => Ok
r0 = IWDFDevice3::MapIoSpace(umdf1, 0xfee20010, 0x10, 0, &out) => E_OUTOFMEMORY
READ_REGISTER_UCHAR(0x5d00000000000010)
IWDFDevice3::READ_REGISTER_UCHAR(umdf1, 0x5d00000000000010)
IWDFDevice3::UnmapIoSpace(umdf1, 0x5d00000000000010, 0x10)
LeaveCallback(TRUE) => Ok
)"),
          opt);
}

TEST(OracleDiff, QuarantineEvictionReusesAddresses) {
  MachineOptions opt;
  opt.quarantine_capacity = 2;
  opt.system_region_size = 16 * kPageSize;
  // Round i maps ri; the unmaps of round i are a double while quarantined (or
  // reused), and from round 3 on the address of round i-3 is stale: evicted,
  // maybe reused.
  std::string t;
  for (u64 i = 0; i < 12; ++i) {
    const std::string r = "r" + std::to_string(i), len = Hex(0x10 + i * 0x300);
    t += r + " = MmMapIoSpace(" + Hex(0xF0000000 + 0x1000 * (i % 3)) + ", " + len + ", 0)\n";
    t += "READ_REGISTER_ULONG(" + r + ")\n";
    t += "MmUnmapIoSpace(" + r + ", " + len + ")\n";
    t += "MmUnmapIoSpace(" + r + ", " + len + ")\n";
    if (i > 2) {
      const std::string old = "r" + std::to_string(i - 3);
      t += "READ_REGISTER_UCHAR(" + old + ")\n";
      t += "MmUnmapIoSpace(" + old + ", 0x1)\n";
    }
  }
  RunDiff(InWorld(t), opt);
}

TEST(OracleDiff, InteriorGuardAndOnePastEndAddresses) {
  RunDiff(InWorld(R"(
EnterCallback(MiniportInitializeEx, nic0) => Ok
# straddles a page boundary: 2 pages
r0 = NdisMMapIoSpace(&out, nic0, 0xfebf0ff0, 0x20)
r1 = NdisMMapIoSpace(&out, nic0, 0xfebf3000, 0x1000)
# from the first page's base + 0xff0: 0, 1, 0x1f, 0x20, 0x21, 0x100f, 0x1010, 0x200f, 0x2010, 0x3010
READ_REGISTER_UCHAR(r0-0x10)
READ_REGISTER_ULONG64(r0-0x10)
READ_REGISTER_UCHAR(r0-0xf)
READ_REGISTER_ULONG64(r0-0xf)
READ_REGISTER_UCHAR(r0+0xf)
READ_REGISTER_ULONG64(r0+0xf)
READ_REGISTER_UCHAR(r0+0x10)
READ_REGISTER_ULONG64(r0+0x10)
READ_REGISTER_UCHAR(r0+0x11)
READ_REGISTER_ULONG64(r0+0x11)
READ_REGISTER_UCHAR(r0+0xfff)
READ_REGISTER_ULONG64(r0+0xfff)
READ_REGISTER_UCHAR(r0+0x1000)
READ_REGISTER_ULONG64(r0+0x1000)
READ_REGISTER_UCHAR(r0+0x1fff)
READ_REGISTER_ULONG64(r0+0x1fff)
READ_REGISTER_UCHAR(r0+0x2000)
READ_REGISTER_ULONG64(r0+0x2000)
READ_REGISTER_UCHAR(r0+0x3000)
READ_REGISTER_ULONG64(r0+0x3000)
# just below the first page; one past the end = the guard page; beyond it
READ_REGISTER_UCHAR(r0-0xff1)
READ_REGISTER_UCHAR(r1+0x1000)
READ_REGISTER_UCHAR(r1+0x2000)
NdisMUnmapIoSpace(nic0, r1+0x1000, 0x1000)
NdisMUnmapIoSpace(nic0, r1+0xfff, 0x1000)
# the page base, not the returned base
NdisMUnmapIoSpace(nic0, r0-0xff0, 0x20)
NdisMUnmapIoSpace(nic0, r0+0x1000, 0x20)
NdisMUnmapIoSpace(nic0, r0, 0x20)
# the interior of a released mapping; its guard page
NdisMUnmapIoSpace(nic0, r0+0x1000, 0x20)
NdisMUnmapIoSpace(nic0, r0+0x1010, 0x20)
LeaveCallback(TRUE) => Ok
EnterCallback(HwVidStartIO, video0) => Ok
r2 = VideoPortMapMemory(video0, 0xe0000fff, &0x2, &0, &0)
# inside its second page, then the page base
VideoPortUnmapMemory(video0, r2+0x1001, 0)
VideoPortUnmapMemory(video0, r2-0xfff, 0)
r3 = VideoPortMapMemory(video0, 0xe0000fff, &0x2, &0, &0)
# the guard page, then the page base
VideoPortUnmapMemory(video0, r3+0x2001, 0)
VideoPortUnmapMemory(video0, r3-0xfff, 0)
LeaveCallback(TRUE) => Ok
)"));
}

TEST(OracleDiff, CacheConflictsAcrossFamilies) {
  RunDiff(InWorld(R"(
EnterCallback(HwVidStartIO, video0) => Ok
r0 = VideoPortMapMemory(video0, 0xe0000010, &0x10, &VIDEO_MEMORY_SPACE_P6CACHE, &0)
LeaveCallback(TRUE) => Ok
# the same page, another type; the same type; the next page: fine
r1 = MmMapIoSpace(0xe0000ff0, 0x10, MmNonCached)
r2 = MmMapIoSpace(0xe0000ff0, 0x20, MmWriteCombined)
r3 = MmMapIoSpace(0xe0001000, 0x20, MmCached)
EnterCallback(HwVidStartIO, video0) => Ok
# conflicts with the MmCached one
r4 = VideoPortMapMemory(video0, 0xe0001800, &0x10, &0, &0)
r5 = VideoPortMapMemory(video0, 0x3c0, &0x10, &VIDEO_MEMORY_SPACE_IO, &0)
# the same port page, the same type
r6 = VideoPortMapMemory(video0, 0x3c8, &0x8, &VIDEO_MEMORY_SPACE_IO, &0)
VideoPortUnmapMemory(video0, r0, 0)
# still the write-combined MM mapping
r7 = VideoPortMapMemory(video0, 0xe0000020, &0x10, &0, &0)
LeaveCallback(TRUE) => Ok
# memory space at a port address: RAM
r8 = MmMapIoSpace(0x3c0, 0x10, MmCached)
# port space and memory space are separate: the same number in both is no conflict
@
r9 = VideoPortMapMemory(video1, 0xf8000000, &0x10, &VIDEO_MEMORY_SPACE_IO, &0) => NO_ERROR
r10 = MmMapIoSpace(0xf8000000, 0x10, MmCached) => nonnull
WRITE_REGISTER_UCHAR(r9, 0xab)
READ_REGISTER_UCHAR(r9)
)",
                  {{Expect(Building(CallId::AssignResource, {Handle(HandleKind::Video, 2), kPort, 0xF8000000, 0x100}),
                           ControlStatus::Ok)}}));
}

TEST(OracleDiff, PhysicalOverflowEdges) {
  const u64 top = 0xFFFFFFFFFFFFF000ull, ones = ~u64{0};
  std::string t;
  for (u64 pa : {top - 0x10, top - 1, top, top + 0x800, ones})
    for (u64 len : {1ull, 0x10ull, 0x800ull, 0x1000ull}) t += "MmMapIoSpace(" + Hex(pa) + ", " + Hex(len) + ", 0)\n";
  t += "MmMapIoSpace(0x100000000, 0xffffffffffffffff, 0)\n";
  t += "# ends exactly at the top\n";
  t += "MmMapIoSpace(0x100000000, " + Hex(top - 0x100000000ull) + ", 0)\n";
  t += "EnterCallback(MiniportInitializeEx, nic0) => Ok\n";
  for (u64 pa : {top - 0x10, top, top + 0x800, ones - 0xF, ones})
    for (u64 len : {1ull, 0x10ull, 0x1000ull, 0xFFFFFFFFull})
      t += "NdisMMapIoSpace(&out, nic0, " + Hex(pa) + ", " + Hex(len) + ")\n";
  t += "NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0)\n";
  t += "LeaveCallback(TRUE) => Ok\n";
  t += "EnterCallback(HwVidStartIO, video0) => Ok\n";
  for (u64 pa : {top - 0x10, top, ones}) t += "VideoPortMapMemory(video0, " + Hex(pa) + ", &0x10, &0, &0)\n";
  t += "LeaveCallback(TRUE) => Ok\n";
  RunDiff(InWorld(t));
}

// Leaks are reported and released one by one; with quarantine_capacity = 1 the
// order decides which released mapping stays quarantined (reading: ascending
// address order, not creation order).
TEST(OracleDiff, LeakedMappingsAreReleasedInAddressOrder) {
  MachineOptions opt;
  opt.quarantine_capacity = 1;
  opt.system_region_size = 7 * kPageSize;
  Diff d = RunDiff(InWorld(R"(
r0 = MmMapIoSpace(0xf0000000, 0x10, 0)
r1 = MmMapIoSpace(0xf0001000, 0x10, 0)
EnterCallback(IRP_MN_START_DEVICE, wdm0) => Ok
# pages 4-5
r2 = MmMapIoSpace(0xfed00000, 0x10, 0)
MmUnmapIoSpace(r0, 0x10)
# r0 leaves the quarantine: pages 0-1 free
MmUnmapIoSpace(r1, 0x10)
# wraps: pages 0-1, below r2
r3 = MmMapIoSpace(0xfed01000, 0x10, 0)
LeaveCallback(FALSE) => Ok !MM_IO.LEAK !MM_IO.LEAK
READ_REGISTER_UCHAR(r2)
READ_REGISTER_UCHAR(r3)
MmUnmapIoSpace(r2, 0x10)
MmUnmapIoSpace(r3, 0x10)
)"),
                   opt);
  EXPECT_LT(d.R(3), d.R(2));
}

// *Length out of VideoPortMapMemory is rounded up to the end of the last page;
// (reading) a value beyond 32 bits saturates at 0xFFFFFFFF.
TEST(OracleDiff, VideoRoundedLengthSaturates) {
  std::string t = "@\n";
  int r = 0;
  for (u64 len : {0xFFFFF000u, 0xFFFFF4D8u, 0xFFFFF4D9u, 0xFFFFFB00u, 0xFFFFFFFFu}) {
    t += "r" + std::to_string(r) + " = VideoPortMapMemory(video1, 0x100000b28, &" + Hex(len) +
         ", &0, &0) => NO_ERROR\n";
    t += "VideoPortUnmapMemory(video1, r" + std::to_string(r++) + ", 0) => NO_ERROR\n";
  }
  RunDiff(InWorld(t, {{Expect(Building(CallId::AssignResource,
                                       {Handle(HandleKind::Video, 2), kMemory, 0x100000000, 0x200000000}),
                              ControlStatus::Ok)}}));
}

TEST(OracleDiff, HandleEncodingAndOpenFileLimit) {
  MachineOptions opt;
  opt.max_open_files = 3;
  Diff d = RunDiff(InWorld(R"(
EnterCallback(MiniportInitializeEx, nic0) => Ok
r0 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r1 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r2 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r3 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
r4 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
NdisCloseFile(r0)
r5 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff)
# file handles 0, 4 and 5, and an adapter's handle
r6 = NdisMapFile(&out, &out, 0xf000000000000000)
r7 = NdisMapFile(&out, &out, 0xf000000000000004)
r8 = NdisMapFile(&out, &out, 0xf000000000000005)
r9 = NdisMapFile(&out, &out, 0xa000000000000001)
# the three files open
LeaveCallback(TRUE) => Ok !NDIS_FILE.LEAK !NDIS_FILE.LEAK !NDIS_FILE.LEAK
)"),
                   opt);
  // the world's first adapter and second UMDF device
  EXPECT_EQ(d.AtCall(2).ret, MakeHandle(HandleKind::Adapter, 1));
  EXPECT_EQ(d.AtCall(6).ret, MakeHandle(HandleKind::UmdfDevice, 2));
}

// ============================================================================
// report evidence (docs/semantics.md, Report format): the calls each report
// names. The runner compares the core's with the oracle's report by report, so
// a passing RunDiff means both sides name the calls these tests expect.

constexpr std::size_t kNoCall = static_cast<std::size_t>(-1);

// "RULE created #N released #M", "(none)" for a line the report lacks.
std::string Named(std::string_view rule, std::size_t created, std::size_t released = kNoCall) {
  auto call = [](std::size_t n) { return n == kNoCall ? std::string("(none)") : "#" + std::to_string(n); };
  return std::string(rule) + " created " + call(created) + " released " + call(released);
}

// The same for each of the core's reports at call `call` (0: the teardown), read from their
// printed text ("created by #N ...", "released by at teardown" is #0).
std::vector<std::string> NamedAt(const Diff& d, std::size_t call) {
  std::vector<std::string> out;
  if (call > d.result.log.size()) {
    ADD_FAILURE() << "call #" << call << " did not run";
    return out;
  }
  const std::vector<std::string>& texts = call == 0 ? d.result.teardown.reports : d.result.log[call - 1].reports;
  for (const std::string& t : texts) {
    auto field = [&](std::string_view key) -> std::string {
      std::size_t at = t.find(key);
      if (at == std::string::npos) return "(none)";
      at += key.size();
      if (t.compare(at, 11, "at teardown") == 0) return "#0";
      return t.substr(at, t.find(' ', at) - at);
    };
    const std::size_t r = t.find("ERROR: ddimap: ") + 15;
    out.push_back(t.substr(r, t.find(' ', r) - r) + " created " + field("\n  created by ") + " released " +
                  field("\n  released by "));
  }
  return out;
}

using NameList = std::vector<std::string>;

// A double unmap names the map call and the unmap that released the mapping, in every family.
TEST(OracleDiff, EvidenceOfDoubleUnmaps) {
  const Program p = InWorld(R"(
EnterCallback(MiniportInitializeEx, nic0) => Ok
r0 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x10) => NDIS_STATUS_SUCCESS
NdisMUnmapIoSpace(nic0, r0, 0x10) =>
NdisMUnmapIoSpace(nic0, r0, 0x10) => !NDIS_IO.UNMAP_DOUBLE
LeaveCallback(TRUE) => Ok
r1 = MmMapIoSpace(0xf0000000, 0x10, MmNonCached) => nonnull
MmUnmapIoSpace(r1, 0x10) =>
MmUnmapIoSpace(r1+0x4, 0x10) => !MM_IO.UNMAP_DOUBLE
EnterCallback(OnPrepareHardware, umdf1) => Ok
r2 = IWDFDevice3::MapIoSpace(umdf1, 0xfee20000, 0x10, MmNonCached, &out) => S_OK
IWDFDevice3::UnmapIoSpace(umdf1, r2, 0x10) =>
IWDFDevice3::UnmapIoSpace(umdf1, r2, 0x10) => !UMDF_IO.UNMAP_DOUBLE
LeaveCallback(TRUE) => Ok
EnterCallback(HwVidStartIO, video0) => Ok
r3 = VideoPortMapMemory(video0, 0xe0000000, &0x10, &0, &0) => NO_ERROR
VideoPortUnmapMemory(video0, r3, 0) =>
VideoPortUnmapMemory(video0, r3, 0) => !VIDEO.UNMAP_DOUBLE
LeaveCallback(TRUE) => Ok
)");
  const Diff d = RunDiff(p);
  struct Family { CallId map, unmap; const char* rule; };
  for (const Family& f : {Family{CallId::NdisMMapIoSpace, CallId::NdisMUnmapIoSpace, "NDIS_IO.UNMAP_DOUBLE"},
                          Family{CallId::MmMapIoSpace, CallId::MmUnmapIoSpace, "MM_IO.UNMAP_DOUBLE"},
                          Family{CallId::UmdfMapIoSpace, CallId::UmdfUnmapIoSpace, "UMDF_IO.UNMAP_DOUBLE"},
                          Family{CallId::VideoPortMapMemory, CallId::VideoPortUnmapMemory, "VIDEO.UNMAP_DOUBLE"}})
    EXPECT_EQ(NamedAt(d, Find(p, f.unmap, 1)), NameList{Named(f.rule, Find(p, f.map), Find(p, f.unmap))}) << f.rule;
}

// A use after unmap names the mapping's map call and its release: an unmap, the callback exit
// that reported it leaked, or the exit of its process; a leak names only the map call.
TEST(OracleDiff, EvidenceOfUseAfterUnmapAndLeaks) {
  const Program p = InWorld(R"(
EnterCallback(MiniportInitializeEx, nic0) => Ok
r0 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x10) => NDIS_STATUS_SUCCESS
NdisMUnmapIoSpace(nic0, r0, 0x10) =>
READ_REGISTER_ULONG(r0) => !ACCESS.USE_AFTER_UNMAP
# the released mapping's guard page
WRITE_REGISTER_UCHAR(r0+0x1000, 0x1) => !ACCESS.USE_AFTER_UNMAP
r1 = NdisMMapIoSpace(&out, nic0, 0xfebf1000, 0x10) => NDIS_STATUS_SUCCESS
LeaveCallback(FALSE) => Ok !NDIS_IO.LEAK
READ_REGISTER_UCHAR(r1+0x3) => !ACCESS.USE_AFTER_UNMAP
r2 = PsCreateProcess()
EnterCallback(HwVidStartIO, video0) => Ok
r3 = VideoPortMapMemory(video0, 0xe0000000, &0x10, &0, &r2) => NO_ERROR
LeaveCallback(TRUE) => Ok
PsExitProcess(r2) => Ok !VIDEO.LEAK
READ_REGISTER_UCHAR(r3) => !ACCESS.USE_AFTER_UNMAP
READ_REGISTER_UCHAR(0xffffc00012345000) => !ACCESS.UNMAPPED
)");
  const Diff d = RunDiff(p);
  const std::size_t map0 = Find(p, CallId::NdisMMapIoSpace), unmap0 = Find(p, CallId::NdisMUnmapIoSpace);
  const std::size_t map1 = Find(p, CallId::NdisMMapIoSpace, 1), leave = Find(p, CallId::LeaveCallback);
  const std::size_t vmap = Find(p, CallId::VideoPortMapMemory), exit = Find(p, CallId::ExitProcess);
  EXPECT_EQ(NamedAt(d, Find(p, CallId::ReadUlong)), NameList{Named("ACCESS.USE_AFTER_UNMAP", map0, unmap0)});
  EXPECT_EQ(NamedAt(d, Find(p, CallId::WriteUchar)), NameList{Named("ACCESS.USE_AFTER_UNMAP", map0, unmap0)});
  EXPECT_EQ(NamedAt(d, leave), NameList{Named("NDIS_IO.LEAK", map1)});
  EXPECT_EQ(NamedAt(d, Find(p, CallId::ReadUchar)), NameList{Named("ACCESS.USE_AFTER_UNMAP", map1, leave)});
  EXPECT_EQ(NamedAt(d, exit), NameList{Named("VIDEO.LEAK", vmap)});
  EXPECT_EQ(NamedAt(d, Find(p, CallId::ReadUchar, 1)), NameList{Named("ACCESS.USE_AFTER_UNMAP", vmap, exit)});
  EXPECT_EQ(NamedAt(d, Find(p, CallId::ReadUchar, 2)), NameList{Named("ACCESS.UNMAPPED", kNoCall)});
}

// Leaks found at teardown name the call that made each mapping or opened each file.
TEST(OracleDiff, EvidenceOfLeaksAtTeardown) {
  const Program p = InWorld(R"(
EnterCallback(MiniportInitializeEx, nic0) => Ok
r0 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff) => NDIS_STATUS_SUCCESS
r1 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x10) => NDIS_STATUS_SUCCESS
LeaveCallback(TRUE) => Ok !NDIS_FILE.LEAK
r2 = MmMapIoSpace(0xf0000000, 0x10, MmNonCached) => nonnull
EnterCallback(OnPrepareHardware, umdf0) => Ok
r3 = IWDFDevice3::MapIoSpace(umdf0, 0xfee00000, 0x10, MmNonCached, &out) => S_OK
LeaveCallback(TRUE) => Ok
# still initializing at teardown, with a file open
EnterCallback(MiniportInitializeEx, nic1) => Ok
r4 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff) => NDIS_STATUS_SUCCESS
)");
  const Diff d = RunDiff(p);
  EXPECT_EQ(NamedAt(d, Find(p, CallId::LeaveCallback)),
            NameList{Named("NDIS_FILE.LEAK", Find(p, CallId::NdisOpenFile))});
  EXPECT_EQ(NamedAt(d, 0), (NameList{Named("NDIS_FILE.LEAK", Find(p, CallId::NdisOpenFile, 1)),
                                   Named("NDIS_IO.LEAK", Find(p, CallId::NdisMMapIoSpace)),
                                   Named("MM_IO.LEAK", Find(p, CallId::MmMapIoSpace)),
                                   Named("UMDF_IO.LEAK", Find(p, CallId::UmdfMapIoSpace))}));
}

// Reports about a live mapping name its map call: an interior, short, other-owner or
// other-family unmap, a guard page or user-mode view (both count as nothing), an access, a
// caching conflict (the mapping it conflicts with), a duplicate UMDF mapping, a file closed
// while mapped (its NdisMapFile); a closed file handle names its open and its close.
TEST(OracleDiff, EvidenceOfReportsAboutLiveObjects) {
  const Program p = InWorld(R"(
EnterCallback(MiniportInitializeEx, nic0) => Ok
r0 = NdisMMapIoSpace(&out, nic0, 0xfebf0000, 0x2000) => NDIS_STATUS_SUCCESS
NdisMUnmapIoSpace(nic0, r0+0x10, 0x2000) => !NDIS_IO.UNMAP_INTERIOR
NdisMUnmapIoSpace(nic0, r0, 0x1000) => !NDIS_IO.UNMAP_LENGTH_MISMATCH
NdisMUnmapIoSpace(nic0, r0+0x2000, 0x2000) => !NDIS_IO.UNMAP_NOT_MAPPED
NdisMUnmapIoSpace(nic0, 0xffffc00012345000, 0x4) => !NDIS_IO.UNMAP_NOT_MAPPED
r1 = MmMapIoSpace(0xf0000000, 0x10, MmNonCached) => nonnull
NdisMUnmapIoSpace(nic0, r1, 0x10) => !NDIS_IO.UNMAP_OTHER_FAMILY
READ_REGISTER_ULONG(r1+0xe) => !ACCESS.OUT_OF_BOUNDS
r2 = MmMapIoSpace(0xfebf1000, 0x10, MmCached) => !MM_IO.CACHE_CONFLICT
r3 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff) => NDIS_STATUS_SUCCESS
r4 = NdisMapFile(&out, &out, r3) => NDIS_STATUS_SUCCESS
NdisCloseFile(r3) => !NDIS_FILE.CLOSE_WHILE_MAPPED
NdisCloseFile(r3) => !NDIS_FILE.CLOSED_HANDLE
LeaveCallback(TRUE) => Ok
EnterCallback(MiniportInitializeEx, nic1) => Ok
NdisMUnmapIoSpace(nic1, r0, 0x2000) => !NDIS_IO.UNMAP_OTHER_OWNER
LeaveCallback(TRUE) => Ok
EnterCallback(OnPrepareHardware, umdf1) => Ok
r5 = IWDFDevice3::MapIoSpace(umdf1, 0xfee20000, 0x10, MmNonCached, &out) => S_OK
r6 = IWDFDevice3::MapIoSpace(umdf1, 0xfee20000, 0x10, MmNonCached, &out) => !UMDF_IO.DUPLICATE_MAPPING
IWDFDevice3::UnmapIoSpace(umdf1, 0x20000000000, 0x10) => !UMDF_IO.UNMAP_NOT_MAPPED
READ_REGISTER_UCHAR(r5) => !ACCESS.PSEUDO_DEREF
LeaveCallback(TRUE) => Ok
r7 = PsCreateProcess()
EnterCallback(HwVidStartIO, video0) => Ok
r8 = VideoPortMapMemory(video0, 0xe0000000, &0x10, &0, &r7) => NO_ERROR
VideoPortUnmapMemory(video0, r8, 0x5000000000000099) => !VIDEO.UNMAP_WRONG_PROCESS
WRITE_REGISTER_UCHAR(r8, 0x1) => !ACCESS.WRONG_PROCESS
LeaveCallback(TRUE) => Ok
)");
  const Diff d = RunDiff(p);
  const std::size_t ndis = Find(p, CallId::NdisMMapIoSpace), mm = Find(p, CallId::MmMapIoSpace);
  auto unmap = [&](int n) { return NamedAt(d, Find(p, CallId::NdisMUnmapIoSpace, n)); };
  EXPECT_EQ(unmap(0), NameList{Named("NDIS_IO.UNMAP_INTERIOR", ndis)});
  EXPECT_EQ(unmap(1), NameList{Named("NDIS_IO.UNMAP_LENGTH_MISMATCH", ndis)});
  EXPECT_EQ(unmap(2), NameList{Named("NDIS_IO.UNMAP_NOT_MAPPED", ndis)});  // r0's guard page
  EXPECT_EQ(unmap(3), NameList{Named("NDIS_IO.UNMAP_NOT_MAPPED", kNoCall)});
  EXPECT_EQ(unmap(4), NameList{Named("NDIS_IO.UNMAP_OTHER_FAMILY", mm)});
  EXPECT_EQ(unmap(5), NameList{Named("NDIS_IO.UNMAP_OTHER_OWNER", ndis)});
  EXPECT_EQ(NamedAt(d, Find(p, CallId::ReadUlong)), NameList{Named("ACCESS.OUT_OF_BOUNDS", mm)});
  EXPECT_EQ(NamedAt(d, Find(p, CallId::MmMapIoSpace, 1)), NameList{Named("MM_IO.CACHE_CONFLICT", ndis)});
  const std::size_t open = Find(p, CallId::NdisOpenFile), close = Find(p, CallId::NdisCloseFile);
  EXPECT_EQ(NamedAt(d, close), NameList{Named("NDIS_FILE.CLOSE_WHILE_MAPPED", Find(p, CallId::NdisMapFile))});
  EXPECT_EQ(NamedAt(d, Find(p, CallId::NdisCloseFile, 1)), NameList{Named("NDIS_FILE.CLOSED_HANDLE", open, close)});
  const std::size_t umdf = Find(p, CallId::UmdfMapIoSpace);
  EXPECT_EQ(NamedAt(d, Find(p, CallId::UmdfMapIoSpace, 1)), NameList{Named("UMDF_IO.DUPLICATE_MAPPING", umdf)});
  // the user-mode view's address: the view, made by the same call
  EXPECT_EQ(NamedAt(d, Find(p, CallId::UmdfUnmapIoSpace)), NameList{Named("UMDF_IO.UNMAP_NOT_MAPPED", umdf)});
  EXPECT_EQ(NamedAt(d, Find(p, CallId::ReadUchar)), NameList{Named("ACCESS.PSEUDO_DEREF", umdf)});
  const std::size_t video = Find(p, CallId::VideoPortMapMemory);
  EXPECT_EQ(NamedAt(d, Find(p, CallId::VideoPortUnmapMemory)), NameList{Named("VIDEO.UNMAP_WRONG_PROCESS", video)});
  EXPECT_EQ(NamedAt(d, Find(p, CallId::WriteUchar)), NameList{Named("ACCESS.WRONG_PROCESS", video)});
}

// docs/semantics.md, quarantine row: closed file handles and exited processes share one FIFO of
// quarantine_capacity; a closed handle no longer in it is still CLOSED_HANDLE, naming no call.
TEST(OracleDiff, EvidenceOfClosedHandlesEndsWithTheirMemory) {
  MachineOptions opt;
  opt.quarantine_capacity = 2;
  const Program p = InWorld(R"(
EnterCallback(MiniportInitializeEx, nic0) => Ok
r0 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff) => NDIS_STATUS_SUCCESS
r1 = NdisOpenFile(&out, &out, &out, "firmware.bin", 0xffffffffffffffff) => NDIS_STATUS_SUCCESS
NdisCloseFile(r0) =>
NdisCloseFile(r1) =>
NdisCloseFile(r0) => !NDIS_FILE.CLOSED_HANDLE
r2 = PsCreateProcess()
PsExitProcess(r2) => Ok
NdisCloseFile(r0) => !NDIS_FILE.CLOSED_HANDLE
NdisMapFile(&out, &out, r1) => !NDIS_FILE.CLOSED_HANDLE
LeaveCallback(TRUE) => Ok
)");
  const Diff d = RunDiff(p, opt);
  const std::size_t open0 = Find(p, CallId::NdisOpenFile), open1 = Find(p, CallId::NdisOpenFile, 1);
  const std::size_t close0 = Find(p, CallId::NdisCloseFile), close1 = Find(p, CallId::NdisCloseFile, 1);
  EXPECT_EQ(NamedAt(d, Find(p, CallId::NdisCloseFile, 2)), NameList{Named("NDIS_FILE.CLOSED_HANDLE", open0, close0)});
  EXPECT_EQ(NamedAt(d, Find(p, CallId::NdisCloseFile, 3)), NameList{Named("NDIS_FILE.CLOSED_HANDLE", kNoCall)});
  EXPECT_EQ(NamedAt(d, Find(p, CallId::NdisMapFile)), NameList{Named("NDIS_FILE.CLOSED_HANDLE", open1, close1)});
}

// The oracle's own account of a double unmap, without the runner.
TEST(OracleDiff, OracleNamesTheCallsOfADoubleUnmap) {
  oracle::Model model;
  model.StartProgram();
  const u64 a = model.MmMapIoSpace(0xf0000000, 0x10, kMmNonCached);  // #1
  model.MmUnmapIoSpace(a, 0x10);                                    // #2
  model.MmUnmapIoSpace(a, 0x10);                                    // #3
  std::vector<oracle::Evidence> got;
  model.TakeReports(&got);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].rule, RuleId::MmIoUnmapDouble);
  EXPECT_TRUE(got[0].has_created && got[0].has_released);
  EXPECT_EQ(got[0].created, 1u);
  EXPECT_EQ(got[0].released, 2u);
}

// A planted difference: the oracle is one call ahead after the KeSetIrql (a call made on it
// alone), so it numbers the first unmap one higher. The rules still agree; the evidence of the
// double unmap does not, and the runner stops there with both sides printed.
TEST(OracleDiff, PlantedEvidenceDifferenceIsAMismatch) {
  const Program p = InWorld(R"(
r0 = MmMapIoSpace(0xf0000000, 0x10, MmNonCached)
KeSetIrql(0)
MmUnmapIoSpace(r0, 0x10)
MmUnmapIoSpace(r0, 0x10)
)");
  const std::size_t planted = Find(p, CallId::SetIrql);
  const MachineOptions machine;
  RunOptions o;
  o.own_world = &machine;
  o.after_call = [&](std::size_t call, Machine&, oracle::Model* model) {
    if (call == planted) {
      model->SetIrql(0);
      model->TakeRules();
    }
    return std::string();
  };
  const RunResult r = harness::Run(p, o);
  const std::size_t map = Find(p, CallId::MmMapIoSpace), unmap = Find(p, CallId::MmUnmapIoSpace);
  EXPECT_EQ(r.failure, RunResult::Mismatch);
  EXPECT_EQ(r.signature, "oracle-mismatch MmUnmapIoSpace evidence");
  EXPECT_EQ(r.failed_call, unmap + 1);
  EXPECT_NE(r.message.find("core:   " + Named("MM_IO.UNMAP_DOUBLE", map, unmap)), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("oracle: " + Named("MM_IO.UNMAP_DOUBLE", map, unmap + 1)), std::string::npos) << r.message;
}

// ============================================================================
// random programs: the fuzz targets' decoder on random bytes

u64 SplitMix(u64& s) {
  u64 z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The standard world as building calls (BuildWorld drives this recorder as it
// drives a Machine), for runs on a machine with other options.
struct WorldRecorder {
  Program ops;
  void Add(CallId id, std::vector<u64> args, std::string file = {}) {
    ops.push_back(Building(id, std::move(args), std::move(file)));
  }
  void AddRam(u64 pa, u64 len) { Add(CallId::AddRam, {pa, len}); }
  void CreateNdisAdapter() { Add(CallId::CreateNdisAdapter, {}); }
  void CreateWdmDevice() { Add(CallId::CreateWdmDevice, {}); }
  void CreateUmdfDevice(u32 version, bool direct, RegisterAccess mode) {
    Add(CallId::CreateUmdfDevice,
        {version, direct, mode == RegisterAccess::UsingUserModeMapping ? kUserModeMapping : kSystemCall});
  }
  void CreateVideoDevice() { Add(CallId::CreateVideoDevice, {}); }
  void AssignResource(u64 object, PhysSpace space, u64 start, u64 len) {
    Add(CallId::AssignResource, {object, space == PhysSpace::Port ? kPort : kMemory, start, len});
  }
  void AddFile(std::string_view name, u32 len, bool readable) {
    Add(CallId::AddFile, {0, len, readable}, std::string(name));
  }
};

// The harness's options made smaller at random, as limits are where the core
// and the oracle are most likely to part. (The user region is not shrunk: a
// view that does not fit trips a known core deviation, covered by
// UmdfViewWithoutUserSpaceFailsWithoutTrace.)
MachineOptions VariedOptions(u64 seed) {
  u64 s = seed ^ 0x0D1FF0;
  auto below = [&](u64 n) { return SplitMix(s) % n; };
  MachineOptions o = HarnessMachineOptions();
  if (below(100) < 40) o.quarantine_capacity = below(4);
  if (below(100) < 30) o.system_region_size = (4 + below(24)) * kPageSize;
  if (below(100) < 30) o.pseudo_region_size = (2 + below(12)) * kPageSize;
  if (below(100) < 30) o.max_open_files = below(4);
  return o;
}

constexpr std::size_t kProgramBytes = 4096;  // 200 to 450 calls, by profile

// Decodes the bytes of `seed` under `profile` and runs them on the standard
// world: with the harness's options, then with varied ones.
void RunRandomProgram(const Profile& profile, u64 seed) {
  std::vector<std::uint8_t> bytes(kProgramBytes);
  u64 s = seed;
  for (auto& b : bytes) b = static_cast<std::uint8_t>(SplitMix(s));
  const Program decoded = Decode(bytes.data(), bytes.size(), profile);
  WorldRecorder world;
  BuildWorld(world);
  Program own = world.ops;
  own.insert(own.end(), decoded.begin(), decoded.end());
  const MachineOptions varied = VariedOptions(seed);
  const bool print = std::getenv("DDIMAP_DIFF_TRACE") != nullptr;
  for (int run = 0; run < 2; ++run) {
    const Program& p = run == 0 ? decoded : own;
    RunOptions o;
    o.log = print;
    if (run == 1) o.own_world = &varied;
    RunResult r = Run(p, o);
    if (r.failure != RunResult::None && !o.log) {
      o.log = true;  // the same run again, for its report
      r = Run(p, o);
    }
    const std::string what = profile.name + " seed " + Hex(seed) +
                             (run == 0 ? " (standard world)" : " (standard world, varied machine options)");
    if (print) std::fprintf(stderr, "# %s\n%s", what.c_str(), FormatReplay(p, r, {}).c_str());
    if (r.failure != RunResult::None) ADD_FAILURE() << what << ": " << Report(p, r);
  }
}

class OracleRandom : public ::testing::TestWithParam<std::size_t> {};

// 5 programs per profile; DDIMAP_DIFF_PROGRAMS=n runs n instead (for longer
// local runs), DDIMAP_DIFF_SEED=s only the one of seed s. The seeds stay
// deterministic.
TEST_P(OracleRandom, ProgramsAgreeCallByCall) {
  const Profile& profile = AllProfiles()[GetParam()];
  if (const char* e = std::getenv("DDIMAP_DIFF_SEED")) {
    RunRandomProgram(profile, std::strtoull(e, nullptr, 0));
    return;
  }
  int programs = 5;
  if (const char* e = std::getenv("DDIMAP_DIFF_PROGRAMS")) programs = std::atoi(e) > 0 ? std::atoi(e) : programs;
  for (int i = 0; i < programs; ++i) RunRandomProgram(profile, 0xDD1A9000ull + u64(i) * 7919);
}

INSTANTIATE_TEST_SUITE_P(Profiles, OracleRandom, ::testing::Range<std::size_t>(0, AllProfiles().size()),
                         [](const ::testing::TestParamInfo<std::size_t>& info) {
                           return AllProfiles()[info.param].name;
                         });

}  // namespace
}  // namespace ddimap::harness
