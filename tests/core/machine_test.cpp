// Machine-wide behaviour: the IRQL range, lifecycle control statuses,
// determinism, report policies, teardown, robustness against wild input, the
// core's self-check, the report format and the rule/call tables.
#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ddimap/machine.hpp"
#include "fixture.hpp"

namespace ddimap::test {
namespace {

// ---------------------------------------------------------------------------
// Helpers

std::string Hex(u64 v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

// The handles of a machine built like the shared fixture.
struct World {
  u64 nic = 0, nic2 = 0, wdm = 0, umdf = 0, video = 0;
};

// Builds the fixture's machine on `m` (the fixture itself cannot be used in
// free functions that need several independent machines).
World Build(Machine& m) {
  World w;
  m.AddRam(kRamBase, kRamLen);
  w.nic = m.CreateNdisAdapter();
  w.nic2 = m.CreateNdisAdapter();
  w.wdm = m.CreateWdmDevice();
  w.umdf = m.CreateUmdfDevice(kUmdf111, true, RegisterAccess::UsingSystemCall);
  w.video = m.CreateVideoDevice();
  m.AssignResource(w.nic, PhysSpace::Memory, kNicBar, kNicBarLen);
  m.AssignResource(w.nic2, PhysSpace::Memory, kNic2Bar, kNic2BarLen);
  m.AssignResource(w.wdm, PhysSpace::Memory, kWdmBar, kWdmBarLen);
  m.AssignResource(w.umdf, PhysSpace::Memory, kUmdfBar, kUmdfBarLen);
  m.AssignResource(w.umdf, PhysSpace::Memory, kUmdfBar2, kUmdfBar2Len);
  m.AssignResource(w.video, PhysSpace::Memory, kVideoFb, kVideoFbLen);
  m.AssignResource(w.video, PhysSpace::Port, kVideoPorts, kVideoPortsLen);
  m.AddFile("firmware.bin", kFirmwareLen, true);
  m.AddFile("broken.bin", 100, false);
  return w;
}

std::string AllReports(const Machine& m) {
  std::string out;
  for (const Report& r : m.reports()) out += m.FormatReport(r) + "\n";
  return out;
}

// A fixed program of ~35 calls across every family, legal and not, on a
// fresh machine. Returns every returned value / out-value and every report's
// text, so two runs can be compared byte for byte.
std::string RunFixedProgram() {
  Machine m;
  const World w = Build(m);
  std::string out;
  auto put = [&out](u64 v) {
    out += Hex(v);
    out += ';';
  };
  put(static_cast<u64>(m.SetIrql(kPassiveLevel)));
  // NDIS_IO and NDIS_FILE inside MiniportInitializeEx.
  put(static_cast<u64>(m.EnterCallback(Callback::MiniportInitializeEx, w.nic)));
  u64 nva = 0;
  put(m.NdisMMapIoSpace(&nva, w.nic, kNicBar + 0x40, 0x100));
  put(nva);
  m.Write(nva, 4, 0x12345678);
  put(m.Read(nva, 2));
  NdisStatus st = 0;
  u64 fh = 0;
  u32 flen = 0;
  put(m.NdisOpenFile(&st, &fh, &flen, "firmware.bin", ~0ull));
  put(fh);
  put(flen);
  put(m.NdisOpenFile(&st, &fh, &flen, "missing.bin", ~0ull));  // FILE_NOT_FOUND, fh = 0
  put(fh);
  u64 fh2 = 0;
  put(m.NdisOpenFile(&st, &fh2, &flen, "firmware.bin", ~0ull));
  u64 buf = 0;
  put(m.NdisMapFile(&st, &buf, fh2));
  put(buf);
  put(m.Read(buf + 100, 8));
  m.NdisUnmapFile(fh2);
  m.NdisCloseFile(fh2);
  m.NdisCloseFile(fh2);  // NDIS_FILE.CLOSED_HANDLE
  m.NdisMUnmapIoSpace(w.nic, nva + 4, 0x100);  // NDIS_IO.UNMAP_INTERIOR
  put(static_cast<u64>(m.LeaveCallback(true)));
  // MM_IO, driver-wide.
  const u64 mm = m.MmMapIoSpace(kWdmBar + 0x8, 0x100, kMmNonCached);
  put(mm);
  put(m.MmMapIoSpace(0x100000, 0x100, kMmNonCached));  // MM_IO.MAP_RAM
  put(m.MmMapIoSpace(kWdmBar, 0x100, kMmCached));      // MM_IO.CACHE_CONFLICT
  m.Write(mm, 8, 0xA1A2A3A4A5A6A7A8ull);
  put(m.Read(mm + 0x100, 4));  // ACCESS.OUT_OF_BOUNDS
  m.MmUnmapIoSpace(mm, 0x100);
  m.MmUnmapIoSpace(mm, 0x100);  // MM_IO.UNMAP_DOUBLE
  put(m.Read(mm, 4));           // ACCESS.USE_AFTER_UNMAP
  // UMDF_IO.
  put(static_cast<u64>(m.EnterCallback(Callback::OnPrepareHardware, w.umdf)));
  u64 pseudo = 0;
  put(m.UmdfMapIoSpace(w.umdf, kUmdfBar, 0x2000, kMmNonCached, &pseudo));
  put(pseudo);
  put(m.Read(pseudo, 4));  // ACCESS.PSEUDO_DEREF
  m.UmdfWriteRegister(w.umdf, pseudo + 0x1000, 4, 0x55AA);
  put(m.UmdfReadRegister(w.umdf, pseudo + 0x1000, 4));
  put(static_cast<u64>(m.LeaveCallback(true)));
  // VIDEO, with a process.
  const u64 proc = m.CreateProcess();
  put(proc);
  u32 len = 0x180;
  u32 io = kVideoMemorySpaceUserMode;
  u64 uva = proc;
  put(m.VideoPortMapMemory(w.video, kVideoFb, &len, &io, &uva));
  put(uva);
  put(len);
  put(m.Read(uva, 4));  // ACCESS.WRONG_PROCESS (system context)
  len = 0x3000;
  io = kVideoMemorySpaceP6Cache;
  u64 sva = 0;
  put(m.VideoPortMapMemory(w.video, kVideoFb + 0x100000, &len, &io, &sva));
  put(sva);
  put(m.VideoPortUnmapMemory(w.video, sva + 0x1234, 0));  // interior: legal
  put(m.VideoPortUnmapMemory(w.video, sva, 0));           // VIDEO.UNMAP_DOUBLE
  put(static_cast<u64>(m.SetIrql(16)));                   // MACHINE.IRQL_RANGE
  put(static_cast<u64>(m.ExitProcess(proc)));             // VIDEO.LEAK
  m.NdisMUnmapIoSpace(w.nic, nva, 0x100);                 // NDIS_IO.UNMAP_CONTEXT
  put(m.live_mapping_count());
  put(m.call_count());
  m.Teardown();  // NDIS_IO.LEAK, UMDF_IO.LEAK
  out += "\n";
  out += AllReports(m);
  return out;
}

// An unrelated program on another machine, to show machines share no state.
void RunUnrelatedProgram() {
  Machine other;
  const World w = Build(other);
  for (int i = 0; i < 5; ++i) {
    const u64 va = other.MmMapIoSpace(kWdmBar + 0x1000 * static_cast<u64>(i), 0x1000,
                                      kMmNonCached);
    other.Write(va, 4, static_cast<u64>(i));
  }
  u32 len = 0x1000;
  u32 io = 0;
  u64 va = 0;
  other.VideoPortMapMemory(w.video, kVideoFb, &len, &io, &va);
  other.CreateProcess();
  other.MmUnmapIoSpace(0x1234, 1);
  other.Teardown();
}

// The shared fixture under a suite name of this file's own.
class MachineWideTest : public MachineTest {};

// ---------------------------------------------------------------------------
// MACHINE.IRQL_RANGE

TEST_F(MachineWideTest, IrqlAboveHighLevelIsRefusedWithAReport) {
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  // 256 and 0x102 would wrap to PASSIVE/DISPATCH in a u8: they must be refused too.
  const u64 bad[] = {16, 255, 256, 0x102, ~0ull};
  for (u64 irql : bad) {
    SCOPED_TRACE(irql);
    EXPECT_NE(m.SetIrql(irql), ControlStatus::Ok);
    EXPECT_EQ(m.irql(), kDispatchLevel);
    EXPECT_EQ(Total(), 1u) << Dump();
    EXPECT_EQ(Count(RuleId::MachineIrqlRange), 1u) << Dump();
    m.ClearReports();
  }
  EXPECT_EQ(m.SetIrql(15), ControlStatus::Ok);
  EXPECT_EQ(m.irql(), kHighLevel);
  EXPECT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  EXPECT_EQ(m.irql(), kPassiveLevel);
  EXPECT_EQ(Total(), 0u) << Dump();
}

// ---------------------------------------------------------------------------
// Lifecycle control statuses (not reports)

TEST_F(MachineWideTest, LeaveCallbackWithoutACallbackIsBadState) {
  EXPECT_EQ(m.LeaveCallback(true), ControlStatus::BadState);
  EXPECT_EQ(m.LeaveCallback(false), ControlStatus::BadState);
  EXPECT_EQ(m.callback(), Callback::None);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(MachineWideTest, EnterCallbackWhileOneRunsIsBadState) {
  ASSERT_EQ(m.EnterCallback(Callback::VideoStartIo, video), ControlStatus::Ok);
  EXPECT_EQ(m.EnterCallback(Callback::VideoStartIo, video), ControlStatus::BadState);
  EXPECT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, nic), ControlStatus::BadState);
  // The running callback is unchanged.
  EXPECT_EQ(m.callback(), Callback::VideoStartIo);
  EXPECT_EQ(m.callback_object(), video);
  EXPECT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  EXPECT_EQ(m.callback(), Callback::None);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(MachineWideTest, EnterCallbackWithGarbageObjectIsBadObject) {
  EXPECT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, 0x1234), ControlStatus::BadObject);
  EXPECT_EQ(m.EnterCallback(Callback::VideoStartIo, ~0ull), ControlStatus::BadObject);
  EXPECT_EQ(m.EnterCallback(Callback::StartDevice, MakeHandle(HandleKind::WdmDevice, 999)),
            ControlStatus::BadObject);
  EXPECT_EQ(m.callback(), Callback::None);
  EXPECT_EQ(Total(), 0u) << Dump();
  // The real object is accepted.
  EXPECT_EQ(m.EnterCallback(Callback::StartDevice, wdm), ControlStatus::Ok);
  EXPECT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
}

TEST_F(MachineWideTest, ProcessControlMisuseGetsStatusesNotReports) {
  const u64 p = m.CreateProcess();
  EXPECT_EQ(m.AttachProcess(0x1234), ControlStatus::BadObject);
  EXPECT_EQ(m.AttachProcess(nic), ControlStatus::BadObject);  // wrong kind of handle
  EXPECT_EQ(m.current_process(), 0u);
  EXPECT_EQ(m.AttachProcess(p), ControlStatus::Ok);
  EXPECT_EQ(m.current_process(), p);
  EXPECT_EQ(m.ExitProcess(p), ControlStatus::Ok);
  EXPECT_EQ(m.current_process(), 0u);  // the attached process is gone
  EXPECT_EQ(m.ExitProcess(p), ControlStatus::BadObject);
  EXPECT_EQ(m.AttachProcess(p), ControlStatus::BadObject);
  EXPECT_EQ(m.ExitProcess(0x1234), ControlStatus::BadObject);
  EXPECT_EQ(Total(), 0u) << Dump();
}

// ---------------------------------------------------------------------------
// The documented layout: handles and addresses

TEST_F(MachineWideTest, HandlesAreTaggedSerialsStartingAtOne) {
  EXPECT_EQ(nic, MakeHandle(HandleKind::Adapter, 1));
  EXPECT_EQ(nic2, MakeHandle(HandleKind::Adapter, 2));
  EXPECT_EQ(wdm, MakeHandle(HandleKind::WdmDevice, 1));
  EXPECT_EQ(umdf, MakeHandle(HandleKind::UmdfDevice, 1));
  EXPECT_EQ(video, MakeHandle(HandleKind::Video, 1));
  const u64 p1 = m.CreateProcess();
  EXPECT_EQ(p1, MakeHandle(HandleKind::Process, 1));
  ASSERT_EQ(m.ExitProcess(p1), ControlStatus::Ok);
  // Serials are never reused.
  EXPECT_EQ(m.CreateProcess(), MakeHandle(HandleKind::Process, 2));
}

TEST_F(MachineWideTest, AddressesAreAllocatedNextFitWithAGuardPage) {
  // First mapping at the region start plus the physical byte offset; each
  // mapping reserves its whole pages plus one guard page.
  const u64 a = m.MmMapIoSpace(kWdmBar + 0x10, 0x1000, kMmNonCached);  // 2 pages + guard
  EXPECT_EQ(a, kSystemRegionBase + 0x10);
  const u64 b = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);  // 1 page + guard
  EXPECT_EQ(b, kSystemRegionBase + 0x3000);
  const u64 p = m.CreateProcess();
  u32 len = 0x100;
  u32 io = kVideoMemorySpaceUserMode;
  u64 uva = p;
  ASSERT_EQ(m.VideoPortMapMemory(video, kVideoFb + 0x20, &len, &io, &uva), kNoError);
  EXPECT_EQ(uva, kUserRegionBase + 0x20);
  ASSERT_EQ(m.EnterCallback(Callback::OnPrepareHardware, umdf), ControlStatus::Ok);
  u64 pseudo = 0;
  ASSERT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, kMmNonCached, &pseudo), kSOk);
  EXPECT_EQ(pseudo, kPseudoRegionBase);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  // Next-fit: a released extent (in quarantine) is not handed out again.
  m.MmUnmapIoSpace(b, 0x1000);
  const u64 c = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  EXPECT_EQ(c, kSystemRegionBase + 0x5000);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST(MachineQuarantineTest, OldestReleasedMappingsLeaveTheQuarantine) {
  MachineOptions o;
  o.quarantine_capacity = 2;
  Machine m(o);
  u64 va[3];
  for (u64& v : va) {
    v = m.MmMapIoSpace(kUnassigned, 0x1000, kMmNonCached);
    ASSERT_NE(v, 0u);
    m.MmUnmapIoSpace(v, 0x1000);
  }
  EXPECT_EQ(m.quarantined_count(), 2u);
  ASSERT_EQ(m.reports().size(), 0u);
  // The first release was evicted: its address is "never mapped" again.
  m.MmUnmapIoSpace(va[0], 0x1000);
  ASSERT_EQ(m.reports().size(), 1u);
  EXPECT_EQ(m.reports()[0].rule, RuleId::MmIoUnmapNotMapped);
  m.Read(va[0], 4);
  ASSERT_EQ(m.reports().size(), 2u);
  EXPECT_EQ(m.reports()[1].rule, RuleId::AccessUnmapped);
  // The two newest are still recognised as stale.
  m.MmUnmapIoSpace(va[1], 0x1000);
  m.Read(va[2], 4);
  ASSERT_EQ(m.reports().size(), 4u);
  EXPECT_EQ(m.reports()[2].rule, RuleId::MmIoUnmapDouble);
  EXPECT_EQ(m.reports()[3].rule, RuleId::AccessUseAfterUnmap);
  EXPECT_EQ(m.CheckInvariants(), "");
}

TEST(MachineQuarantineTest, DefaultQuarantineHolds256Mappings) {
  Machine m;
  std::vector<u64> va;
  for (int i = 0; i < 300; ++i) {
    va.push_back(m.MmMapIoSpace(kUnassigned, 0x1000, kMmNonCached));
    m.MmUnmapIoSpace(va.back(), 0x1000);
  }
  EXPECT_EQ(m.quarantined_count(), 256u);
  m.Read(va[300 - 256], 1);  // the oldest one still remembered
  m.Read(va[300 - 257], 1);  // just evicted
  ASSERT_EQ(m.reports().size(), 2u);
  EXPECT_EQ(m.reports()[0].rule, RuleId::AccessUseAfterUnmap);
  EXPECT_EQ(m.reports()[1].rule, RuleId::AccessUnmapped);
}

// ---------------------------------------------------------------------------
// Determinism

TEST(MachineDeterminismTest, SameProgramGivesIdenticalOutput) {
  const std::string first = RunFixedProgram();
  const std::string second = RunFixedProgram();
  EXPECT_EQ(first, second);
  // The program does produce reports, so the comparison covers their text.
  EXPECT_NE(first.find("ERROR: ddimap: MM_IO.UNMAP_DOUBLE"), std::string::npos) << first;
  EXPECT_NE(first.find("ERROR: ddimap: VIDEO.LEAK"), std::string::npos) << first;
}

TEST(MachineDeterminismTest, AnotherMachineInBetweenChangesNothing) {
  const std::string first = RunFixedProgram();
  RunUnrelatedProgram();
  Machine alive;  // and a machine still alive while the program runs again
  Build(alive);
  alive.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  const std::string second = RunFixedProgram();
  EXPECT_EQ(first, second);
}

// ---------------------------------------------------------------------------
// Policy: suppression, recording, abort

TEST_F(MachineWideTest, SuppressedRuleIsHiddenButStillRefused) {
  m.Suppress(RuleId::MmIoUnmapDouble);
  m.Suppress(RuleId::MmIoUnmapLengthMismatch);
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  ASSERT_NE(va, 0u);
  // Length mismatch, suppressed: no report, and the unmap is still refused.
  m.MmUnmapIoSpace(va, 0x800);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  // Double unmap, suppressed: no report, nothing changes.
  const std::size_t quarantined = m.quarantined_count();
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.quarantined_count(), quarantined);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.CheckInvariants(), "");
  // Other rules are unaffected.
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0, kMmNonCached), 0u);
  EXPECT_EQ(Count(RuleId::MmIoZeroLength), 1u) << Dump();
  m.ClearReports();
  // Unsuppress restores the report.
  m.Unsuppress(RuleId::MmIoUnmapDouble);
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_EQ(Total(), 1u) << Dump();
  EXPECT_EQ(Count(RuleId::MmIoUnmapDouble), 1u) << Dump();
}

TEST_F(MachineWideTest, SuppressedMapRamStillReturnsNull) {
  m.Suppress(RuleId::MmIoMapRam);
  EXPECT_EQ(m.MmMapIoSpace(0x100000, 0x1000, kMmNonCached), 0u);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST(MachinePolicyTest, SuppressOptionAtConstruction) {
  MachineOptions o;
  o.suppress = {RuleId::MmIoUnmapNotMapped};
  Machine m(o);
  m.MmUnmapIoSpace(kSystemRegionBase + 0x100000, 0x1000);
  EXPECT_EQ(m.reports().size(), 0u);
  m.Unsuppress(RuleId::MmIoUnmapNotMapped);
  m.MmUnmapIoSpace(kSystemRegionBase + 0x100000, 0x1000);
  EXPECT_EQ(m.reports().size(), 1u);
  EXPECT_EQ(m.report_count(RuleId::MmIoUnmapNotMapped), 1u);
}

TEST(MachinePolicyTest, ReportCountIncludesReportsBeyondTheRecordingLimit) {
  MachineOptions o;
  o.max_recorded_reports = 3;
  Machine m(o);
  for (int i = 0; i < 7; ++i) m.MmUnmapIoSpace(kSystemRegionBase + 0x100000, 0x1000);
  EXPECT_EQ(m.reports().size(), 3u);
  EXPECT_EQ(m.report_count(), 7u);
  EXPECT_EQ(m.report_count(RuleId::MmIoUnmapNotMapped), 7u);
  m.ClearReports();
  EXPECT_EQ(m.reports().size(), 0u);
  EXPECT_EQ(m.report_count(), 0u);
}

TEST(MachinePolicyTest, ReportCountEqualsRecordedReportsBelowTheLimit) {
  Machine m;
  m.MmUnmapIoSpace(0x1234, 1);
  m.MmMapIoSpace(0x1000, 0, kMmNonCached);
  EXPECT_EQ(m.report_count(), m.reports().size());
  EXPECT_EQ(m.report_count(), 2u);
}

TEST(MachinePolicyTest, PrintReportsWritesTheReportToStderr) {
  Machine m;
  m.SetPrintReports(true);
  const u64 va = m.MmMapIoSpace(kUnassigned, 0x1000, kMmNonCached);
  m.MmUnmapIoSpace(va, 0x1000);
  ::testing::internal::CaptureStderr();
  m.MmUnmapIoSpace(va, 0x1000);
  const std::string printed = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(m.reports().size(), 1u);
  EXPECT_NE(printed.find(m.FormatReport(m.reports()[0])), std::string::npos) << printed;
  // A suppressed rule prints nothing; with printing off nothing is printed either.
  m.Suppress(RuleId::MmIoUnmapDouble);
  ::testing::internal::CaptureStderr();
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  m.SetPrintReports(false);
  ::testing::internal::CaptureStderr();
  m.MmUnmapIoSpace(0x1234, 1);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(m.reports().size(), 2u);
}

// Without evidence a report keeps its rule, call and records, only not the
// text; a printed report still has it.
TEST(MachinePolicyTest, EvidenceOffKeepsEverythingButTheText) {
  auto run = [](bool evidence, std::string* printed) {
    MachineOptions o;
    o.evidence = evidence;
    Machine m(o);
    const u64 va = m.MmMapIoSpace(kUnassigned, 0x1000, kMmNonCached);
    m.MmUnmapIoSpace(va, 0x1000);
    m.MmUnmapIoSpace(va, 0x1000);
    m.MmMapIoSpace(0x1000, 0, kMmNonCached);
    m.SetPrintReports(true);
    ::testing::internal::CaptureStderr();
    m.MmUnmapIoSpace(va + 0x10, 0x1000);
    *printed = ::testing::internal::GetCapturedStderr();
    return std::vector<Report>(m.reports());
  };
  std::string printed_on, printed_off;
  const std::vector<Report> on = run(true, &printed_on), off = run(false, &printed_off);
  ASSERT_EQ(on.size(), 3u);
  ASSERT_EQ(off.size(), on.size());
  for (std::size_t i = 0; i < on.size(); ++i) {
    EXPECT_EQ(off[i].rule, on[i].rule);
    EXPECT_EQ(off[i].call.seq, on[i].call.seq);
    EXPECT_EQ(off[i].call.args, on[i].call.args);
    EXPECT_EQ(off[i].has_created, on[i].has_created);
    EXPECT_EQ(off[i].created.seq, on[i].created.seq);
    EXPECT_EQ(off[i].released.seq, on[i].released.seq);
    EXPECT_FALSE(on[i].evidence.empty());
    if (i < 2) {
      EXPECT_TRUE(off[i].evidence.empty()) << off[i].evidence;
    }
  }
  EXPECT_EQ(off[2].evidence, on[2].evidence);  // printed, so built
  EXPECT_EQ(printed_off, printed_on);
  EXPECT_NE(printed_on.find(on[2].evidence), std::string::npos) << printed_on;
}

// mapping_changes moves with every mapping made or released, and with
// nothing else: refused calls, accesses and lifecycle calls leave it.
TEST(MachinePolicyTest, MappingChangesCountCreationsAndReleases) {
  Machine m;
  const u64 before = m.mapping_changes();
  EXPECT_EQ(m.MmMapIoSpace(0x1000, 0, kMmNonCached), 0u);  // refused
  EXPECT_EQ(m.mapping_changes(), before);
  const u64 va = m.MmMapIoSpace(kUnassigned, 0x1000, kMmNonCached);
  ASSERT_NE(va, 0u);
  EXPECT_EQ(m.mapping_changes(), before + 1);
  m.Write(va, 4, 1);
  (void)m.Read(va, 4);
  m.SetIrql(kDispatchLevel);
  m.SetIrql(kPassiveLevel);
  EXPECT_EQ(m.mapping_changes(), before + 1);
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_EQ(m.mapping_changes(), before + 2);
  m.MmUnmapIoSpace(va, 0x1000);  // double: refused
  EXPECT_EQ(m.mapping_changes(), before + 2);
  m.MmMapIoSpace(kUnassigned, 0x1000, kMmNonCached);
  m.Teardown();  // the leak is released
  EXPECT_GT(m.mapping_changes(), before + 3);
}

TEST(MachineAbortDeathTest, AbortPolicyPrintsTheReportAndAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Machine m;
        m.SetPolicy(Policy::Abort);
        const u64 va = m.MmMapIoSpace(kUnassigned, 0x1000, kMmNonCached);
        m.MmUnmapIoSpace(va, 0x1000);
        m.MmUnmapIoSpace(va, 0x1000);
      },
      "ERROR: ddimap: MM_IO.UNMAP_DOUBLE in MmUnmapIoSpace");
}

TEST(MachineAbortDeathTest, AbortPolicyFromOptionsAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  MachineOptions o;
  o.policy = Policy::Abort;
  EXPECT_DEATH(
      {
        Machine m(o);
        m.SetIrql(16);
      },
      "ERROR: ddimap: MACHINE.IRQL_RANGE in KeSetIrql");
}

TEST(MachinePolicyTest, AbortPolicyDoesNothingToALegalProgram) {
  Machine m;
  m.SetPolicy(Policy::Abort);
  const u64 va = m.MmMapIoSpace(kUnassigned, 0x1000, kMmNonCached);
  ASSERT_NE(va, 0u);
  m.Write(va, 4, 1);
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_EQ(m.report_count(), 0u);
  m.Teardown();
  EXPECT_EQ(m.report_count(), 0u);
}

TEST(MachinePolicyTest, SuppressedRuleDoesNotAbort) {
  Machine m;
  m.SetPolicy(Policy::Abort);
  m.Suppress(RuleId::MmIoUnmapDouble);
  const u64 va = m.MmMapIoSpace(kUnassigned, 0x1000, kMmNonCached);
  m.MmUnmapIoSpace(va, 0x1000);
  m.MmUnmapIoSpace(va, 0x1000);  // would abort if not suppressed
  EXPECT_EQ(m.reports().size(), 0u);
}

// ---------------------------------------------------------------------------
// Teardown

class MachineTeardownTest : public MachineTest {
 protected:
  // One leaking mapping in NDIS_IO, MM_IO, UMDF_IO and VIDEO, each touched so
  // device pages exist.
  void LeakOneMappingPerFamily() {
    ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, nic), ControlStatus::Ok);
    u64 nva = 0;
    ASSERT_EQ(m.NdisMMapIoSpace(&nva, nic, kNicBar, 0x1000), kNdisStatusSuccess);
    m.Write(nva, 4, 1);
    ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);  // adapter running, mapping live

    const u64 mm = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);  // driver-wide
    ASSERT_NE(mm, 0u);
    m.Write(mm, 4, 2);

    ASSERT_EQ(m.EnterCallback(Callback::OnPrepareHardware, umdf), ControlStatus::Ok);
    u64 pseudo = 0;
    ASSERT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, kMmNonCached, &pseudo), kSOk);
    m.UmdfWriteRegister(umdf, pseudo, 4, 3);
    ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);  // prepared, mapping live

    u32 len = 0x1000;
    u32 io = kVideoMemorySpaceMemory;
    u64 vva = 0;
    ASSERT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &io, &vva), kNoError);
    m.Write(vva, 4, 4);
    ASSERT_EQ(m.live_mapping_count(), 4u);
    ASSERT_EQ(m.touched_page_count(), 4u);
  }
  // Opens firmware.bin in nic2's MiniportInitializeEx and keeps that callback
  // running: a file can only be open while its MiniportInitializeEx runs.
  void LeaveAFileOpen() {
    ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, nic2), ControlStatus::Ok);
    NdisStatus st = 0;
    u64 fh = 0;
    u32 flen = 0;
    ASSERT_EQ(m.NdisOpenFile(&st, &fh, &flen, "firmware.bin", ~0ull), kNdisStatusSuccess);
  }
  std::vector<RuleId> ReportedRules() const {
    std::vector<RuleId> out;
    for (const Report& r : m.reports()) out.push_back(r.rule);
    return out;
  }
  void ExpectEmptyMachine() {
    EXPECT_EQ(m.live_mapping_count(), 0u);
    EXPECT_EQ(m.quarantined_count(), 0u);
    EXPECT_EQ(m.touched_page_count(), 0u);
    EXPECT_TRUE(m.torn_down());
  }
};

TEST_F(MachineTeardownTest, ReportsOneLeakPerFamilyInDocumentedOrder) {
  LeakOneMappingPerFamily();
  LeaveAFileOpen();
  ASSERT_EQ(Total(), 0u) << Dump();
  m.Teardown();
  // docs/semantics.md "Teardown order": first the running callback is left
  // (nic2's MiniportInitializeEx, as succeeded), which reports the open file
  // (NDIS_FILE.LEAK, see "NDIS_FILE ... Leaks"); then adapters are halted
  // (NDIS_IO.LEAK), WDM/driver-wide MM mappings (MM_IO.LEAK), UMDF hardware
  // released (UMDF_IO.LEAK), video devices removed (VIDEO.LEAK).
  const std::vector<RuleId> expected = {RuleId::NdisFileLeak, RuleId::NdisIoLeak,
                                        RuleId::MmIoLeak, RuleId::UmdfIoLeak, RuleId::VideoLeak};
  EXPECT_EQ(ReportedRules(), expected) << Dump();
  ExpectEmptyMachine();
}

TEST_F(MachineTeardownTest, MappingLeaksComeInFamilyOrderWithoutARunningCallback) {
  LeakOneMappingPerFamily();
  m.Teardown();
  const std::vector<RuleId> expected = {RuleId::NdisIoLeak, RuleId::MmIoLeak,
                                        RuleId::UmdfIoLeak, RuleId::VideoLeak};
  EXPECT_EQ(ReportedRules(), expected) << Dump();
  for (const Report& r : m.reports()) {
    EXPECT_TRUE(r.has_created) << m.FormatReport(r);  // names the leaking map call
  }
  ExpectEmptyMachine();
}

TEST_F(MachineTeardownTest, TeardownFreesTheQuarantine) {
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  m.Write(va, 8, 1);
  m.MmUnmapIoSpace(va, 0x1000);
  ASSERT_EQ(m.quarantined_count(), 1u);
  m.Teardown();
  EXPECT_EQ(Total(), 0u) << Dump();
  ExpectEmptyMachine();
}

TEST_F(MachineTeardownTest, TeardownTwiceIsHarmless) {
  LeakOneMappingPerFamily();
  m.Teardown();
  const std::size_t reports = m.report_count();
  const std::string text = Dump();
  m.Teardown();
  EXPECT_EQ(m.report_count(), reports);
  EXPECT_EQ(Dump(), text);
  ExpectEmptyMachine();
  EXPECT_EQ(m.CheckInvariants(), "");
}

TEST_F(MachineTeardownTest, CallsAfterTeardownAreIgnored) {
  m.Teardown();
  ASSERT_EQ(Total(), 0u) << Dump();
  // Every DDI, legal or not: nothing happens, nothing is reported.
  m.SetIrql(16);
  m.EnterCallback(Callback::MiniportInitializeEx, nic);
  u64 va = 0;
  m.NdisMMapIoSpace(&va, nic, kNicBar, 0x1000);
  m.NdisMUnmapIoSpace(nic, 0x1234, 1);
  const u64 mm = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  m.MmMapIoSpaceEx(0x1000, 0x1000, kPageReadWrite);
  m.MmUnmapIoSpace(mm, 0x1000);
  m.MmUnmapIoSpace(0x1234, 0x1000);
  u64 pseudo = 0;
  m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, 0, &pseudo);
  m.UmdfUnmapIoSpace(umdf, 0x1234, 1);
  m.UmdfGetHardwareRegisterMappedAddress(umdf, 0x1234);
  NdisStatus st = 0;
  u64 fh = 0;
  u32 flen = 0;
  m.NdisOpenFile(&st, &fh, &flen, "firmware.bin", ~0ull);
  u64 buf = 0;
  m.NdisMapFile(&st, &buf, fh);
  m.NdisUnmapFile(0x1234);
  m.NdisCloseFile(0x1234);
  u32 len = 0x1000;
  u32 io = 0;
  u64 vva = 0;
  m.VideoPortMapMemory(video, kVideoFb, &len, &io, &vva);
  m.VideoPortUnmapMemory(video, 0x1234, 0);
  m.Read(0x1234, 4);
  m.Write(0x1234, 4, 1);
  m.UmdfReadRegister(umdf, 0x1234, 4);
  m.UmdfWriteRegister(umdf, 0x1234, 4, 1);
  const u64 p = m.CreateProcess();
  m.AttachProcess(p);
  m.ExitProcess(p);
  m.LeaveCallback(true);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.report_count(), 0u);
  ExpectEmptyMachine();
  EXPECT_EQ(m.CheckInvariants(), "");
}

// ---------------------------------------------------------------------------
// Wild input: never a crash, never unbounded host memory

TEST_F(MachineWideTest, WildInputNeverCrashesAndCostsNoMemory) {
  const u64 p = m.CreateProcess();
  const u64 addrs[] = {0,
                       1,
                       0xFFF,
                       0x1000,
                       ~0ull,
                       ~0ull - 3,
                       0x8000000000000000ull,
                       kSystemRegionBase,
                       kSystemRegionBase + 0x1000,
                       kUserRegionBase,
                       kPseudoRegionBase,
                       kVideoFb,
                       kWdmBar,
                       kVideoPorts,
                       kRamLen - 1};
  const u64 lens[] = {0, 1, 0x1000, 1ull << 32, 1ull << 63, ~0ull};
  const u64 handles[] = {0,
                         0x1234,
                         ~0ull,
                         nic,
                         wdm,
                         umdf,
                         video,
                         p,
                         MakeHandle(HandleKind::File, 1),
                         MakeHandle(HandleKind::Video, 99),
                         MakeHandle(HandleKind::Adapter, 99),
                         MakeHandle(HandleKind::Process, 99)};
  const u64 irqls[] = {0, 2, 16, 255, ~0ull};
  const u64 small[] = {0, 1, 2, 3, 5, 6, 0x10, 0x204, 0x402, 0xFFFFFFFF, ~0ull};
  const Callback callbacks[] = {Callback::None,
                                Callback::MiniportInitializeEx,
                                Callback::MiniportHaltEx,
                                Callback::StartDevice,
                                Callback::StopDevice,
                                Callback::RemoveDevice,
                                Callback::SurpriseRemoval,
                                Callback::OnPrepareHardware,
                                Callback::OnReleaseHardware,
                                Callback::VideoStartIo,
                                Callback::EvtDevicePrepareHardware,
                                Callback::EvtDeviceReleaseHardware,
                                Callback::VideoFindAdapter,
                                static_cast<Callback>(200)};
  std::size_t round = 0;
  for (u64 irql : irqls) {
    m.SetIrql(irql);
    for (u64 h : handles) {
      m.EnterCallback(callbacks[round % std::size(callbacks)], h);
      for (u64 a : addrs) {
        for (u64 l : lens) {
          ++round;
          const u64 s = small[round % std::size(small)];
          const bool null = (round % 3) == 0;
          const u32 l32 = static_cast<u32>(l);
          u64 out = a;
          m.NdisMMapIoSpace(null ? nullptr : &out, h, a, l32);
          m.NdisMUnmapIoSpace(h, a, l32);
          m.MmMapIoSpace(a, l, s);
          m.MmMapIoSpaceEx(a, l, s);
          m.MmUnmapIoSpace(a, l);
          m.UmdfMapIoSpace(h, a, l, s, null ? nullptr : &out);
          m.UmdfUnmapIoSpace(h, a, l);
          m.UmdfGetHardwareRegisterMappedAddress(h, a);
          NdisStatus st = 0;
          u64 fh = 0;
          u32 flen = 0;
          const std::optional<std::string_view> name =
              (round % 4 == 0)   ? std::nullopt
              : (round % 4 == 1) ? std::optional<std::string_view>("firmware.bin")
              : (round % 4 == 2) ? std::optional<std::string_view>("")
                                 : std::optional<std::string_view>("broken.bin");
          m.NdisOpenFile(null ? nullptr : &st, &fh, null ? nullptr : &flen, name, a);
          m.NdisMapFile(&st, null ? nullptr : &out, h);
          m.NdisMapFile(&st, &out, fh);
          m.NdisUnmapFile(h);
          m.NdisCloseFile(fh);
          m.NdisCloseFile(h);
          u32 vlen = l32;
          u32 io = static_cast<u32>(s);
          u64 vva = (round % 2) ? h : 0;
          m.VideoPortMapMemory(h, a, null ? nullptr : &vlen, (round % 5 == 0) ? nullptr : &io,
                               (round % 7 == 0) ? nullptr : &vva);
          m.VideoPortUnmapMemory(h, a, (round % 2) ? h : 0);
          const unsigned width = static_cast<unsigned>(1u << (round % 5));  // 1..16
          m.Read(a, width);
          m.Write(a, width, l);
          m.Read(a + l, 3);
          m.UmdfReadRegister(h, a, width);
          m.UmdfWriteRegister(h, a, width, l);
          m.PagedCode();
          m.WdfCmResourceListGetCount(h);
          m.WdfCmResourceListGetDescriptor(h, s);
          u32 rsize = l32, rcount = 0, slot = 0;
          m.NdisMQueryAdapterResources(null ? nullptr : &st, h, (round % 5 == 0) ? nullptr : &rcount,
                                       (round % 7 == 0) ? nullptr : &rsize);
          m.VideoPortGetAccessRanges(h, static_cast<u32>(s), null, l32, null ? nullptr : &rcount, null, !null,
                                     (round % 2) ? &slot : nullptr);
          m.AttachProcess(h);
        }
      }
      m.LeaveCallback(round % 2 == 0);
      if (round % 3 == 0) m.ExitProcess(h);
    }
  }
  m.AttachProcess(0);
  EXPECT_EQ(m.CheckInvariants(), "");
  // Only a handful of device pages can ever have been written.
  EXPECT_LE(m.touched_page_count(), 16u);
  // Wild building calls are refused as harness errors and cost nothing either.
  m.AddRam(0, ~0ull);
  m.AddRam(~0ull, 2);
  m.AssignResource(0x1234, PhysSpace::Memory, 0, ~0ull);
  m.AssignResource(video, static_cast<PhysSpace>(7), 0x8000000000000000ull, ~0ull);
  m.AssignResource(video, PhysSpace::Memory, kRamBase, 0x1000);  // overlaps RAM
  m.AddFile("", 0, true);
  m.CreateUmdfDevice(~0u, false, static_cast<RegisterAccess>(9));
  EXPECT_EQ(m.CheckInvariants(), "");
  m.Teardown();
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.quarantined_count(), 0u);
  EXPECT_EQ(m.touched_page_count(), 0u);
  EXPECT_EQ(m.CheckInvariants(), "");
}

TEST(MachineWildInputTest, HugeMappingsCostConstantHostMemory) {
  // A mapping of any length costs O(1): map, touch both ends, unmap.
  Machine m;
  const u64 len = 1ull << 40;  // 1 TiB of unassigned I/O space
  const u64 va = m.MmMapIoSpace(0x100000000000ull, len, kMmNonCached);
  ASSERT_NE(va, 0u);
  m.Write(va, 8, 1);
  m.Write(va + len - 8, 8, 2);
  EXPECT_EQ(m.Read(va + len - 8, 8), 2u);
  EXPECT_EQ(m.touched_page_count(), 2u);
  m.MmUnmapIoSpace(va, len);
  EXPECT_EQ(m.reports().size(), 0u);
  EXPECT_EQ(m.CheckInvariants(), "");
}

// ---------------------------------------------------------------------------
// CheckInvariants over a legal lifecycle of every family

TEST_F(MachineWideTest, InvariantsHoldAfterEachStepOfALegalLifecycle) {
  std::vector<std::string> failures;
  int step = 0;
  auto check = [&]() {
    ++step;
    const std::string problem = m.CheckInvariants();
    if (!problem.empty()) failures.push_back("step " + std::to_string(step) + ": " + problem);
  };
  check();
  // NDIS: map in MiniportInitializeEx, open/map/unmap/close a file, unmap in MiniportHaltEx.
  ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, nic), ControlStatus::Ok);
  check();
  u64 nva = 0;
  EXPECT_EQ(m.NdisMMapIoSpace(&nva, nic, kNicBar, 0x2000), kNdisStatusSuccess);
  check();
  m.Write(nva + 0x1000, 4, 9);
  check();
  NdisStatus st = 0;
  u64 fh = 0;
  u32 flen = 0;
  EXPECT_EQ(m.NdisOpenFile(&st, &fh, &flen, "firmware.bin", ~0ull), kNdisStatusSuccess);
  check();
  u64 buf = 0;
  EXPECT_EQ(m.NdisMapFile(&st, &buf, fh), kNdisStatusSuccess);
  check();
  m.Read(buf, 4);
  check();
  m.NdisUnmapFile(fh);
  check();
  m.NdisCloseFile(fh);
  check();
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  check();
  ASSERT_EQ(m.EnterCallback(Callback::MiniportHaltEx, nic), ControlStatus::Ok);
  check();
  m.NdisMUnmapIoSpace(nic, nva, 0x2000);
  check();
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  check();
  // WDM: map while starting, unmap while stopping, then remove.
  ASSERT_EQ(m.EnterCallback(Callback::StartDevice, wdm), ControlStatus::Ok);
  check();
  const u64 mm = m.MmMapIoSpace(kWdmBar + 0x10, 0x100, kMmNonCached);
  EXPECT_NE(mm, 0u);
  check();
  const u64 mmx = m.MmMapIoSpaceEx(kWdmBar + 0x2000, 0x1000, kPageReadOnly | kPageNoCache);
  EXPECT_NE(mmx, 0u);
  check();
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  check();
  ASSERT_EQ(m.EnterCallback(Callback::StopDevice, wdm), ControlStatus::Ok);
  check();
  m.MmUnmapIoSpace(mm, 0x100);
  check();
  m.MmUnmapIoSpace(mmx, 0x1000);
  check();
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  check();
  ASSERT_EQ(m.EnterCallback(Callback::RemoveDevice, wdm), ControlStatus::Ok);
  check();
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  check();
  // UMDF: map both BARs in OnPrepareHardware, unmap in OnReleaseHardware.
  ASSERT_EQ(m.EnterCallback(Callback::OnPrepareHardware, umdf), ControlStatus::Ok);
  check();
  u64 p1 = 0, p2 = 0;
  EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, kUmdfBarLen, kMmNonCached, &p1), kSOk);
  check();
  EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar2, kUmdfBar2Len, kMmNonCached, &p2), kSOk);
  check();
  m.UmdfWriteRegister(umdf, p2, 4, 5);
  check();
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  check();
  ASSERT_EQ(m.EnterCallback(Callback::OnReleaseHardware, umdf), ControlStatus::Ok);
  check();
  m.UmdfUnmapIoSpace(umdf, p1, kUmdfBarLen);
  check();
  m.UmdfUnmapIoSpace(umdf, p2, kUmdfBar2Len);
  check();
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  check();
  // VIDEO: a system and a user mapping, with a process.
  const u64 proc = m.CreateProcess();
  check();
  u32 len = 0x2000;
  u32 io = kVideoMemorySpaceP6Cache;
  u64 sva = 0;
  EXPECT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &io, &sva), kNoError);
  check();
  len = 0x1000;
  io = kVideoMemorySpaceUserMode | kVideoMemorySpaceP6Cache;
  u64 uva = proc;
  EXPECT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &io, &uva), kNoError);
  check();
  ASSERT_EQ(m.AttachProcess(proc), ControlStatus::Ok);
  check();
  m.Write(uva, 4, 1);
  check();
  ASSERT_EQ(m.AttachProcess(0), ControlStatus::Ok);
  check();
  EXPECT_EQ(m.VideoPortUnmapMemory(video, uva, proc), kNoError);
  check();
  EXPECT_EQ(m.VideoPortUnmapMemory(video, sva + 0x1000, 0), kNoError);
  check();
  ASSERT_EQ(m.ExitProcess(proc), ControlStatus::Ok);
  check();
  EXPECT_EQ(Total(), 0u) << Dump();
  m.Teardown();
  check();
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_TRUE(failures.empty()) << ::testing::PrintToString(failures);
}

// ---------------------------------------------------------------------------
// Report format

TEST_F(MachineWideTest, ReportFirstLineNamesRuleAndFunction) {
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  m.MmUnmapIoSpace(va, 0x1000);
  m.MmUnmapIoSpace(va, 0x1000);
  ASSERT_EQ(Total(), 1u) << Dump();
  const std::string text = m.FormatReport(m.reports()[0]);
  const std::string first = text.substr(0, text.find('\n'));
  EXPECT_EQ(first, "ERROR: ddimap: MM_IO.UNMAP_DOUBLE in MmUnmapIoSpace") << text;
}

TEST_F(MachineWideTest, ReportShowsTheCallItsArgumentsIrqlAndCallback) {
  ASSERT_EQ(m.EnterCallback(Callback::VideoStartIo, video), ControlStatus::Ok);
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  u32 len = 0x1000;
  u32 io = kVideoMemorySpaceP6Cache;
  u64 va = 0;
  EXPECT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &io, &va), kErrorInvalidParameter);
  ASSERT_EQ(Total(), 1u) << Dump();
  const Report& r = m.reports()[0];
  EXPECT_EQ(r.rule, RuleId::VideoIrql);
  EXPECT_EQ(r.call.id, CallId::VideoPortMapMemory);
  EXPECT_EQ(r.call.irql, kDispatchLevel);
  EXPECT_EQ(r.call.callback, Callback::VideoStartIo);
  EXPECT_EQ(r.call.callback_object, video);
  EXPECT_EQ(r.call.args[0], video);
  EXPECT_EQ(r.call.args[1], kVideoFb);
  EXPECT_EQ(r.call.null_mask, 0u);
  const std::string text = m.FormatReport(r);
  const std::string first = text.substr(0, text.find('\n'));
  EXPECT_EQ(first, "ERROR: ddimap: VIDEO.IRQL in VideoPortMapMemory") << text;
  // The second line is the call as report.cpp prints it: sequence number,
  // DDI name with named arguments, IRQL, callback and its object.
  const std::string call = m.FormatCall(r.call);
  EXPECT_EQ(call,
            "VideoPortMapMemory(HwDeviceExtension=0x" + Hex(video) +
                ", PhysicalAddress=0xe0000000, Length=&0x1000, "
                "InIoSpace=&VIDEO_MEMORY_SPACE_P6CACHE, VirtualAddress=&0x0)");
  const std::string second = "  #" + std::to_string(r.call.seq) + " " + call +
                              " at IRQL 2 (DISPATCH_LEVEL) in HwVidStartIO of 0x" + Hex(video) +
                              "\n";
  EXPECT_NE(text.find("\n" + second), std::string::npos) << "expected:\n" << second << "in:\n"
                                                         << text;
  EXPECT_NE(text.find("  rule: " + std::string(Rule(RuleId::VideoIrql).statement)),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("SUMMARY: ddimap: VIDEO.IRQL in VideoPortMapMemory"), std::string::npos)
      << text;
}

TEST_F(MachineWideTest, ReportPrintsNullPointersAsNull) {
  u32 io = 0;
  u64 va = 0;
  m.VideoPortMapMemory(video, kVideoFb, nullptr, &io, &va);
  ASSERT_EQ(Total(), 1u) << Dump();
  const Report& r = m.reports()[0];
  EXPECT_EQ(r.rule, RuleId::CommonNullPointer);
  EXPECT_EQ(r.call.null_mask, 1u << 2);  // Length is parameter 2
  const std::string text = m.FormatReport(r);
  EXPECT_EQ(text.substr(0, text.find('\n')), "ERROR: ddimap: COMMON.NULL_POINTER in VideoPortMapMemory")
      << text;
  EXPECT_NE(text.find("Length=NULL"), std::string::npos) << text;
  EXPECT_NE(text.find("at IRQL 0 (PASSIVE_LEVEL)"), std::string::npos) << text;
}

TEST_F(MachineWideTest, ReportOfAnAddressNamesCreationAndRelease) {
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  m.MmUnmapIoSpace(va, 0x1000);
  m.MmUnmapIoSpace(va, 0x1000);
  ASSERT_EQ(Total(), 1u) << Dump();
  const Report& r = m.reports()[0];
  EXPECT_TRUE(r.has_created);
  EXPECT_TRUE(r.has_released);
  EXPECT_EQ(r.created.id, CallId::MmMapIoSpace);
  EXPECT_EQ(r.released.id, CallId::MmUnmapIoSpace);
  EXPECT_EQ(r.created.seq + 1, r.released.seq);
  EXPECT_EQ(r.released.seq + 1, r.call.seq);
  const std::string text = m.FormatReport(r);
  EXPECT_NE(text.find("  created by #" + std::to_string(r.created.seq) + " " +
                      m.FormatCall(r.created) + " at IRQL 0 (PASSIVE_LEVEL)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  released by #" + std::to_string(r.released.seq) + " " +
                      m.FormatCall(r.released) + " at IRQL 0 (PASSIVE_LEVEL)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(m.FormatCall(r.created).find("MmMapIoSpace(PhysicalAddress=0xfed00000"),
            std::string::npos)
      << m.FormatCall(r.created);
}

TEST_F(MachineWideTest, ReportNamesTheVerifierBugCheck) {
  ASSERT_EQ(m.SetIrql(kHighLevel), ControlStatus::Ok);
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached), 0u);
  ASSERT_EQ(Total(), 1u) << Dump();
  const std::string text = m.FormatReport(m.reports()[0]);
  // MM_IO.MAP_IRQL is Driver Verifier 0xC4 / 0x73.
  EXPECT_NE(text.find("Driver Verifier: bug check 0xC4, parameter 1 = 0x73"), std::string::npos)
      << text;
  EXPECT_NE(text.find("at IRQL 15 (HIGH_LEVEL)"), std::string::npos) << text;
}

TEST_F(MachineWideTest, ReportWithoutBugCheckHasNoVerifierLine) {
  m.MmUnmapIoSpace(0x1234, 1);
  ASSERT_EQ(Total(), 1u) << Dump();
  const std::string text = m.FormatReport(m.reports()[0]);
  EXPECT_EQ(text.find("Driver Verifier"), std::string::npos) << text;
}

// ---------------------------------------------------------------------------
// The rule and call tables

TEST(MachineTablesTest, EveryRuleHasAUniqueWellFormedName) {
  const auto rules = AllRules();
  ASSERT_EQ(rules.size(), kRuleCount);
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const RuleInfo& r = rules[i];
    SCOPED_TRACE(std::string(r.name));
    EXPECT_EQ(static_cast<std::size_t>(r.id), i);
    EXPECT_TRUE(names.insert(r.name).second) << "duplicate rule name";
    const std::size_t dot = r.name.find('.');
    ASSERT_NE(dot, std::string_view::npos);
    EXPECT_EQ(r.name.substr(0, dot), FamilyName(r.family));
    const std::string_view tail = r.name.substr(dot + 1);
    EXPECT_FALSE(tail.empty());
    for (char c : tail) EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') << c;
    EXPECT_FALSE(r.statement.empty());
    EXPECT_FALSE(r.source.empty());
    EXPECT_EQ(RuleByName(r.name), std::optional<RuleId>(r.id));
    EXPECT_EQ(Rule(r.id).name, r.name);
    EXPECT_EQ(RuleName(r.id), r.name);
    // Non-refusing rules are exactly the documented ones.
    const bool non_refusing = r.name.ends_with(".LEAK") || r.name == "NDIS_IO.PORT_LEAK" ||
                              r.name == "MM_IO.UNMAP_IRQL_VERIFIER" ||
                              r.name == "NDIS_FILE.CLOSE_WHILE_MAPPED";
    EXPECT_EQ(r.refuses, !non_refusing);
  }
  EXPECT_EQ(RuleByName("NO_SUCH.RULE"), std::nullopt);
  EXPECT_EQ(RuleByName(""), std::nullopt);
}

TEST(MachineTablesTest, EveryFamilyHasALeakRuleExceptTheStatelessOnes) {
  for (Family f : {Family::NdisIo, Family::MmIo, Family::UmdfIo, Family::NdisFile, Family::Video, Family::VideoBase,
                   Family::NdisShared}) {
    EXPECT_TRUE(RuleByName(std::string(FamilyName(f)) + ".LEAK").has_value()) << FamilyName(f);
  }
}

TEST(MachineTablesTest, EveryCallHasBoundedUniquelyNamedParameters) {
  const auto calls = AllCalls();
  ASSERT_EQ(calls.size(), kCallCount);
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const CallDesc& c = calls[i];
    SCOPED_TRACE(std::string(c.name));
    EXPECT_EQ(static_cast<std::size_t>(c.id), i);
    EXPECT_FALSE(c.name.empty());
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate call name";
    EXPECT_GE(c.param_count, 0);
    EXPECT_LE(c.param_count, kMaxParams);
    std::set<std::string_view> params;
    for (int p = 0; p < kMaxParams; ++p) {
      const ParamDesc& d = c.params[static_cast<std::size_t>(p)];
      if (p < c.param_count) {
        EXPECT_FALSE(d.name.empty());
        EXPECT_NE(d.kind, ArgKind::None);
        EXPECT_TRUE(params.insert(d.name).second) << "duplicate parameter " << d.name;
      } else {
        EXPECT_EQ(d.kind, ArgKind::None);
      }
    }
    EXPECT_EQ(CallByName(c.name), std::optional<CallId>(c.id));
    EXPECT_EQ(Call(c.id).name, c.name);
  }
  EXPECT_EQ(CallByName("NoSuchCall"), std::nullopt);
}

TEST(MachineTablesTest, CallNamesUsedInReportsAreTheDdiNames) {
  EXPECT_EQ(Call(CallId::MmUnmapIoSpace).name, "MmUnmapIoSpace");
  EXPECT_EQ(Call(CallId::VideoPortMapMemory).name, "VideoPortMapMemory");
  EXPECT_EQ(Call(CallId::UmdfMapIoSpace).name, "IWDFDevice3::MapIoSpace");
  EXPECT_EQ(Call(CallId::SetIrql).name, "KeSetIrql");
}

}  // namespace
}  // namespace ddimap::test
