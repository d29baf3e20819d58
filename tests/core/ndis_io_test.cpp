// NDIS_IO: NdisMMapIoSpace / NdisMUnmapIoSpace.
//
// Every rule of the family is triggered once next to a legal call that must
// stay silent, every documented status is produced, and refused calls are
// checked to leave the machine as it was (the mapping is still live and can be
// released legally afterwards). The check order and the refusal values come
// from docs/semantics.md, section NDIS_IO.
#include <string>
#include <vector>

#include "fixture.hpp"

namespace ddimap::test {
namespace {

// An address in the system region that no test ever maps (the allocator is
// next-fit from the region start, and the region is 16 TiB).
constexpr u64 kNeverMapped = kSystemRegionBase + 0x0000080000000000ull;
// A value every failing NdisMMapIoSpace must overwrite with NULL.
constexpr u64 kPoison = 0xDEADBEEFDEADBEEFull;

// Exactly `n` reports were recorded, all of them `rule`.
::testing::AssertionResult Only(const Machine& m, RuleId rule, std::size_t n = 1) {
  std::size_t hits = 0;
  std::string all;
  for (const auto& r : m.reports()) {
    if (r.rule == rule) ++hits;
    all += m.FormatReport(r) + "\n";
  }
  if (hits == n && m.reports().size() == n) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << n << " report(s) of " << RuleName(rule)
                                       << " and nothing else, got " << m.reports().size()
                                       << ":\n" << all;
}

// No report at all.
::testing::AssertionResult Clean(const Machine& m) {
  if (m.reports().empty()) return ::testing::AssertionSuccess();
  std::string all;
  for (const auto& r : m.reports()) all += m.FormatReport(r) + "\n";
  return ::testing::AssertionFailure() << "unexpected reports:\n" << all;
}

// The adapter enters MiniportInitializeEx, the only place it may map.
void EnterInit(Machine& m, u64 adapter) {
  ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, adapter), ControlStatus::Ok);
}
void EnterHalt(Machine& m, u64 adapter) {
  ASSERT_EQ(m.EnterCallback(Callback::MiniportHaltEx, adapter), ControlStatus::Ok);
}
void Leave(Machine& m, bool ok = true) { ASSERT_EQ(m.LeaveCallback(ok), ControlStatus::Ok); }

// A full, successful MiniportInitializeEx with no mapping: the adapter runs.
void BringUp(Machine& m, u64 adapter) {
  EnterInit(m, adapter);
  Leave(m, true);
}
// A full MiniportHaltEx.
void Halt(Machine& m, u64 adapter) {
  EnterHalt(m, adapter);
  Leave(m, true);
}

// NdisMMapIoSpace that must succeed; returns the virtual address.
u64 MapOk(Machine& m, u64 adapter, u64 pa, u32 len) {
  u64 va = kPoison;
  EXPECT_EQ(m.NdisMMapIoSpace(&va, adapter, pa, len), kNdisStatusSuccess)
      << "mapping " << std::hex << pa << "+" << len;
  EXPECT_NE(va, 0u);
  EXPECT_NE(va, kPoison);
  return va;
}

// NdisMMapIoSpace that must fail with `expected`; checks *VirtualAddress = NULL.
void MapFails(Machine& m, u64 adapter, u64 pa, u32 len, NdisStatus expected) {
  u64 va = kPoison;
  EXPECT_EQ(m.NdisMMapIoSpace(&va, adapter, pa, len), expected)
      << "mapping " << std::hex << pa << "+" << len;
  EXPECT_EQ(va, 0u) << "a failing NdisMMapIoSpace must write NULL";
}

// ---------------------------------------------------------------------------
// The documented lifecycle
// ---------------------------------------------------------------------------

// The whole life of a miniport done right, registers and firmware file
// included, produces no report, and teardown finds nothing left.
TEST_F(MachineTest, NdisIoDocumentedLifecycleHasNoReports) {
  EnterInit(m, nic);
  u64 regs = MapOk(m, nic, kNicBar, 0x1000);
  // A register round trip through the mapping.
  m.Write(regs + 0x10, 4, 0x12345678);
  EXPECT_EQ(m.Read(regs + 0x10, 4), 0x12345678u);
  m.Write(regs + 0x18, 8, 0x0123456789ABCDEFull);
  EXPECT_EQ(m.Read(regs + 0x18, 8), 0x0123456789ABCDEFull);
  EXPECT_EQ(m.Read(regs + 0x20, 4), 0u);  // unwritten device memory reads 0

  // The firmware file, loaded while initializing.
  NdisStatus st = 0xDEADBEEF;
  u64 file = 0;
  u32 flen = 0;
  EXPECT_EQ(m.NdisOpenFile(&st, &file, &flen, "firmware.bin", ~0ull), kNdisStatusSuccess);
  EXPECT_EQ(st, kNdisStatusSuccess);
  EXPECT_EQ(flen, kFirmwareLen);
  u64 buf = 0;
  EXPECT_EQ(m.NdisMapFile(&st, &buf, file), kNdisStatusSuccess);
  EXPECT_EQ(st, kNdisStatusSuccess);
  EXPECT_NE(buf, 0u);
  (void)m.Read(buf, 1);
  (void)m.Read(buf + kFirmwareLen - 8, 8);
  m.NdisUnmapFile(file);
  m.NdisCloseFile(file);
  Leave(m, true);
  EXPECT_EQ(m.live_mapping_count(), 1u);  // the register mapping lives on

  EnterHalt(m, nic);
  m.NdisMUnmapIoSpace(nic, regs, 0x1000);
  Leave(m, true);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));

  m.Teardown();
  EXPECT_TRUE(m.torn_down());
  EXPECT_TRUE(Clean(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.touched_page_count(), 0u);
}

// Unmapping in MiniportInitializeEx itself (e.g. on its failure path) is legal too.
TEST_F(MachineTest, NdisIoUnmapInsideInitializeIsLegal) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar, 0x100);
  m.NdisMUnmapIoSpace(nic, va, 0x100);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  Leave(m, false);
  EXPECT_TRUE(Clean(m));
}

// ---------------------------------------------------------------------------
// Statuses of NdisMMapIoSpace
// ---------------------------------------------------------------------------

// The returned address keeps the byte offset of the physical address within
// its page (docs/semantics.md: page base + (PhysicalAddress & 0xFFF)).
TEST_F(MachineTest, NdisIoMapReturnsPageBasePlusByteOffset) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar + 0x10, 0x100);
  EXPECT_EQ(va & kPageMask, 0x10u);
  EXPECT_GE(va, kSystemRegionBase);
  EXPECT_LT(va, kSystemRegionBase + kDefaultRegionSize);
  // The exact returned value releases the mapping; nothing else is needed.
  m.NdisMUnmapIoSpace(nic, va, 0x100);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
}

// A mapping of the adapter's whole BAR, and one at its last byte, succeed.
TEST_F(MachineTest, NdisIoMapWholeBarAndLastByteSucceed) {
  EnterInit(m, nic);
  u64 all = MapOk(m, nic, kNicBar, static_cast<u32>(kNicBarLen));
  u64 last = MapOk(m, nic, kNicBar + kNicBarLen - 1, 1);
  EXPECT_EQ(last & kPageMask, kPageMask);
  EXPECT_NE(all, last);
  EXPECT_EQ(m.live_mapping_count(), 2u);
  m.NdisMUnmapIoSpace(nic, all, static_cast<u32>(kNicBarLen));
  m.NdisMUnmapIoSpace(nic, last, 1);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
}

// Two mappings of one physical page share the device memory.
TEST_F(MachineTest, NdisIoTwoMappingsOfOnePageShareRegisters) {
  EnterInit(m, nic);
  u64 a = MapOk(m, nic, kNicBar, 0x1000);
  u64 b = MapOk(m, nic, kNicBar + 0x100, 0x100);
  m.Write(a + 0x104, 4, 0xCAFEF00D);
  EXPECT_EQ(m.Read(b + 4, 4), 0xCAFEF00Du);
  m.NdisMUnmapIoSpace(nic, b, 0x100);
  m.NdisMUnmapIoSpace(nic, a, 0x1000);
  EXPECT_TRUE(Clean(m));
}

// Physical space the adapter was not assigned is RESOURCE_CONFLICT: a
// documented status, so no report and nothing mapped.
TEST_F(MachineTest, NdisIoMapOutsideBarIsResourceConflict) {
  EnterInit(m, nic);
  MapFails(m, nic, kUnassigned, 0x1000, kNdisStatusResourceConflict);
  MapFails(m, nic, kNicBar - 0x1000, 0x1000, kNdisStatusResourceConflict);  // just below
  MapFails(m, nic, kNicBar + kNicBarLen, 0x1000, kNdisStatusResourceConflict);  // just above
  MapFails(m, nic, kWdmBar, 0x1000, kNdisStatusResourceConflict);  // a WDM device's BAR
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
  // The BAR itself is still fine.
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Clean(m));
}

// A range that starts inside the BAR but runs past either end is not inside it.
TEST_F(MachineTest, NdisIoMapStraddlingBarEndIsResourceConflict) {
  EnterInit(m, nic);
  MapFails(m, nic, kNicBar + kNicBarLen - 0x10, 0x20, kNdisStatusResourceConflict);
  MapFails(m, nic, kNicBar + kNicBarLen - 1, 2, kNdisStatusResourceConflict);
  MapFails(m, nic, kNicBar - 0x10, 0x20, kNdisStatusResourceConflict);
  MapFails(m, nic, kNicBar, static_cast<u32>(kNicBarLen + 1), kNdisStatusResourceConflict);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
  // One byte less is legal.
  u64 va = MapOk(m, nic, kNicBar + kNicBarLen - 0x10, 0x10);
  m.NdisMUnmapIoSpace(nic, va, 0x10);
  EXPECT_TRUE(Clean(m));
}

// Another adapter's BAR belongs to that adapter only.
TEST_F(MachineTest, NdisIoMapOtherAdaptersBarIsResourceConflict) {
  EnterInit(m, nic);
  MapFails(m, nic, kNic2Bar, 0x100, kNdisStatusResourceConflict);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
  // nic2 itself may map it.
  EnterInit(m, nic2);
  MapFails(m, nic2, kNicBar, 0x100, kNdisStatusResourceConflict);
  u64 va = MapOk(m, nic2, kNic2Bar, 0x100);
  m.NdisMUnmapIoSpace(nic2, va, 0x100);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// Zero length is NDIS_STATUS_FAILURE as a status, not a violation.
TEST_F(MachineTest, NdisIoMapZeroLengthIsFailureStatus) {
  EnterInit(m, nic);
  MapFails(m, nic, kNicBar, 0, kNdisStatusFailure);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
}

// PhysicalAddress + Length wrapping past 2^64 is NDIS_STATUS_FAILURE, no report.
TEST_F(MachineTest, NdisIoMapAddressOverflowIsFailureStatus) {
  EnterInit(m, nic);
  MapFails(m, nic, 0xFFFFFFFFFFFFF000ull, 0x2000, kNdisStatusFailure);
  MapFails(m, nic, ~0ull, 2, kNdisStatusFailure);
  MapFails(m, nic, ~0ull - 0x10, 0xFFFFFFFFu, kNdisStatusFailure);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
}

// The length check (step 5) precedes the RAM check (step 6): a zero-length
// request at a RAM address is a plain FAILURE status.
TEST_F(MachineTest, NdisIoMapZeroLengthInRamIsStatusNotMapRam) {
  EnterInit(m, nic);
  MapFails(m, nic, kRamBase + 0x1000, 0, kNdisStatusFailure);
  EXPECT_TRUE(Clean(m));
}

// The context check (step 4) precedes the length check (step 5): a zero-length
// request outside MiniportInitializeEx is still MAP_CONTEXT.
TEST_F(MachineTest, NdisIoMapContextIsCheckedBeforeLength) {
  BringUp(m, nic);
  MapFails(m, nic, kNicBar, 0, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisIoMapContext));
}

// NDIS maps non-cached (step 8): over a live cached MmMapIoSpace mapping of the
// same page that is MM_IO.CACHE_CONFLICT, refused with NDIS_STATUS_FAILURE.
TEST_F(MachineTest, NdisIoMapOverCachedMmMappingReportsCacheConflict) {
  u64 mm = m.MmMapIoSpace(kNicBar, 0x1000, kMmCached);
  ASSERT_NE(mm, 0u);
  EnterInit(m, nic);
  MapFails(m, nic, kNicBar + 0x100, 0x100, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::MmIoCacheConflict));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  // Another page of the BAR does not conflict.
  m.ClearReports();
  u64 va = MapOk(m, nic, kNicBar + 0x1000, 0x100);
  m.NdisMUnmapIoSpace(nic, va, 0x100);
  // Once the cached mapping is gone, the first page maps too.
  m.MmUnmapIoSpace(mm, 0x1000);
  va = MapOk(m, nic, kNicBar + 0x100, 0x100);
  m.NdisMUnmapIoSpace(nic, va, 0x100);
  EXPECT_TRUE(Clean(m));
}

// When the system region is full, NdisMMapIoSpace says NDIS_STATUS_RESOURCES.
TEST_F(MachineTest, NdisIoMapWithoutVirtualSpaceIsResources) {
  MachineOptions o;
  o.system_region_size = 0x10000;  // 16 pages: a handful of mappings
  Machine small(o);
  u64 a = small.CreateNdisAdapter();
  ASSERT_EQ(small.AssignResource(a, PhysSpace::Memory, kNicBar, kNicBarLen), ControlStatus::Ok);
  EnterInit(small, a);
  std::vector<u64> live;
  NdisStatus st = kNdisStatusSuccess;
  u64 va = 0;
  for (int i = 0; i < 64; ++i) {
    va = kPoison;
    st = small.NdisMMapIoSpace(&va, a, kNicBar, 0x1000);
    if (st != kNdisStatusSuccess) break;
    live.push_back(va);
  }
  EXPECT_EQ(st, kNdisStatusResources);
  EXPECT_EQ(va, 0u);
  EXPECT_GE(live.size(), 1u);
  EXPECT_LE(live.size(), 16u);
  EXPECT_EQ(small.live_mapping_count(), live.size());
  EXPECT_TRUE(Clean(small));
  // A bigger request fails the same way, and still reports nothing.
  MapFails(small, a, kNicBar, 0x10000, kNdisStatusResources);
  EXPECT_TRUE(Clean(small));
  for (u64 v : live) small.NdisMUnmapIoSpace(a, v, 0x1000);
  EXPECT_EQ(small.live_mapping_count(), 0u);
  Leave(small, true);
  small.Teardown();
  EXPECT_TRUE(Clean(small));
}

// ---------------------------------------------------------------------------
// NDIS_IO.IRQL
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisIoMapAbovePassiveReportsIrql) {
  EnterInit(m, nic);
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  MapFails(m, nic, kNicBar, 0x1000, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisIoIrql));
  ASSERT_EQ(m.SetIrql(kApcLevel), ControlStatus::Ok);
  MapFails(m, nic, kNicBar, 0x1000, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisIoIrql, 2));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  // Back at PASSIVE_LEVEL the same call is legal.
  m.ClearReports();
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Clean(m));
}

TEST_F(MachineTest, NdisIoUnmapAbovePassiveReportsIrqlAndKeepsMapping) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  ASSERT_EQ(m.SetIrql(kApcLevel), ControlStatus::Ok);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoIrql));
  ASSERT_EQ(m.SetIrql(kHighLevel), ControlStatus::Ok);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoIrql, 2));
  // Refused: the mapping is still live and usable.
  EXPECT_EQ(m.live_mapping_count(), 1u);
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  m.ClearReports();
  m.Write(va, 4, 7);
  EXPECT_EQ(m.Read(va, 4), 7u);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
}

// IRQL is the first check: a bad handle at DISPATCH_LEVEL is only an IRQL report.
TEST_F(MachineTest, NdisIoIrqlIsCheckedBeforeHandle) {
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  MapFails(m, 0x1234, kNicBar, 0x1000, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisIoIrql));
}

// ---------------------------------------------------------------------------
// NDIS_IO.MAP_CONTEXT
// ---------------------------------------------------------------------------

// A running adapter outside any callback may not map.
TEST_F(MachineTest, NdisIoMapOutsideCallbackReportsMapContext) {
  BringUp(m, nic);
  MapFails(m, nic, kNicBar, 0x1000, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisIoMapContext));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// MiniportHaltEx may unmap but not map.
TEST_F(MachineTest, NdisIoMapInHaltReportsMapContext) {
  BringUp(m, nic);
  EnterHalt(m, nic);
  MapFails(m, nic, kNicBar, 0x1000, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisIoMapContext));
  Leave(m, true);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Only(m, RuleId::NdisIoMapContext));  // and nothing leaked
}

// Inside nic2's MiniportInitializeEx, nic (running, valid) may not map.
TEST_F(MachineTest, NdisIoMapInOtherAdaptersInitializeReportsMapContext) {
  BringUp(m, nic);
  EnterInit(m, nic2);
  MapFails(m, nic, kNicBar, 0x1000, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisIoMapContext));
  // nic2 mapping its own BAR in the same callback is legal.
  m.ClearReports();
  u64 va = MapOk(m, nic2, kNic2Bar, 0x1000);
  m.NdisMUnmapIoSpace(nic2, va, 0x1000);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// ---------------------------------------------------------------------------
// NDIS_IO.UNMAP_CONTEXT
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisIoUnmapOutsideCallbackReportsUnmapContext) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  Leave(m, true);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapContext));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  // MiniportHaltEx is the right place; nothing leaks.
  m.ClearReports();
  EnterHalt(m, nic);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  Leave(m, true);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
}

// Unmapping nic's mapping while nic2 initializes (nic's handle, wrong callback).
TEST_F(MachineTest, NdisIoUnmapInOtherAdaptersCallbackReportsUnmapContext) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  Leave(m, true);
  EnterInit(m, nic2);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapContext));
  Leave(m, true);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  EnterHalt(m, nic);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// ---------------------------------------------------------------------------
// NDIS_IO.BAD_HANDLE
// ---------------------------------------------------------------------------

// Garbage, other objects' handles and never-created adapters are bad handles.
TEST_F(MachineTest, NdisIoMapWithGarbageHandleReportsBadHandle) {
  EnterInit(m, nic);
  const u64 bad[] = {0, 0x1234, wdm, umdf, video, MakeHandle(HandleKind::Adapter, 999),
                     MakeHandle(HandleKind::File, 1), ~0ull};
  std::size_t n = 0;
  for (u64 h : bad) {
    MapFails(m, h, kNicBar, 0x1000, kNdisStatusFailure);
    ++n;
    EXPECT_TRUE(Only(m, RuleId::NdisIoBadHandle, n)) << "handle " << std::hex << h;
  }
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.ClearReports();
  u64 va = MapOk(m, nic, kNicBar, 0x1000);  // the real handle works
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Clean(m));
}

// An adapter that was created but never entered MiniportInitializeEx has no
// live handle yet (BAD_HANDLE comes before MAP_CONTEXT).
TEST_F(MachineTest, NdisIoMapWithUninitializedAdapterReportsBadHandle) {
  EnterInit(m, nic);
  MapFails(m, nic2, kNic2Bar, 0x1000, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisIoBadHandle));
}

// After MiniportHaltEx (or a failing MiniportInitializeEx) the handle is dead.
TEST_F(MachineTest, NdisIoHaltedAdapterHandleReportsBadHandle) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  Leave(m, true);
  EnterHalt(m, nic);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));

  MapFails(m, nic, kNicBar, 0x1000, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisIoBadHandle));
  m.NdisMUnmapIoSpace(nic, va, 0x1000);  // the handle check precedes the address
  EXPECT_TRUE(Only(m, RuleId::NdisIoBadHandle, 2));

  // nic2 fails its MiniportInitializeEx: halted as well.
  m.ClearReports();
  EnterInit(m, nic2);
  Leave(m, false);
  MapFails(m, nic2, kNic2Bar, 0x1000, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisIoBadHandle));
}

// A bad handle on unmap refuses the call: the mapping survives.
TEST_F(MachineTest, NdisIoUnmapWithBadHandleKeepsMapping) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  m.NdisMUnmapIoSpace(0x1234, va, 0x1000);
  m.NdisMUnmapIoSpace(0, va, 0x1000);
  m.NdisMUnmapIoSpace(wdm, va, 0x1000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoBadHandle, 3));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
}

// ---------------------------------------------------------------------------
// COMMON.NULL_POINTER
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisIoMapNullVirtualAddressReportsNullPointer) {
  EnterInit(m, nic);
  EXPECT_EQ(m.NdisMMapIoSpace(nullptr, nic, kNicBar, 0x1000), kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::CommonNullPointer));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.ClearReports();
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Clean(m));
}

// NULL_POINTER comes after the handle check and before the context check.
TEST_F(MachineTest, NdisIoNullPointerIsCheckedBetweenHandleAndContext) {
  BringUp(m, nic);
  // Bad handle and NULL: only BAD_HANDLE.
  EXPECT_EQ(m.NdisMMapIoSpace(nullptr, 0x1234, kNicBar, 0x1000), kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisIoBadHandle));
  m.ClearReports();
  // Live handle, wrong context and NULL: only NULL_POINTER.
  EXPECT_EQ(m.NdisMMapIoSpace(nullptr, nic, kNicBar, 0x1000), kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::CommonNullPointer));
}

// ---------------------------------------------------------------------------
// NDIS_IO.MAP_RAM
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisIoMapRamReportsMapRam) {
  EnterInit(m, nic);
  MapFails(m, nic, kRamBase + 0x1000, 0x1000, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisIoMapRam));
  // One byte of RAM is enough: a range straddling the end of RAM.
  MapFails(m, nic, kRamBase + kRamLen - 0x10, 0x20, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisIoMapRam, 2));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  // Device memory nearby is fine.
  m.ClearReports();
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Clean(m));
}

// ---------------------------------------------------------------------------
// Address classification on unmap
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisIoUnmapNeverMappedReportsNotMapped) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  m.NdisMUnmapIoSpace(nic, kNeverMapped, 0x1000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapNotMapped));
  m.NdisMUnmapIoSpace(nic, 0, 0x1000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapNotMapped, 2));
  // The guard page after a mapping is not part of it (classification step 2
  // counts the whole pages only).
  m.NdisMUnmapIoSpace(nic, va + 0x1000, 0x1000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapNotMapped, 3));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Clean(m));
}

// An address inside a mapping is not its base; the mapping stays.
TEST_F(MachineTest, NdisIoUnmapInteriorReportsInterior) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar, 0x2000);
  m.NdisMUnmapIoSpace(nic, va + 0x10, 0x2000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapInterior));
  m.NdisMUnmapIoSpace(nic, va + 0x1000, 0x2000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapInterior, 2));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  m.NdisMUnmapIoSpace(nic, va, 0x2000);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
}

// For a mapping at a byte offset, the page base is interior: only the exact
// returned value is the base.
TEST_F(MachineTest, NdisIoUnmapPageBaseOfOffsetMappingReportsInterior) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar + 0x10, 0x100);
  m.NdisMUnmapIoSpace(nic, va & ~kPageMask, 0x100);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapInterior));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  m.NdisMUnmapIoSpace(nic, va, 0x100);
  EXPECT_TRUE(Clean(m));
}

TEST_F(MachineTest, NdisIoUnmapTwiceReportsDouble) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Clean(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapDouble));
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapDouble, 2));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  // A fresh mapping of the same range is unaffected by the stale one.
  m.ClearReports();
  u64 again = MapOk(m, nic, kNicBar, 0x1000);
  m.NdisMUnmapIoSpace(nic, again, 0x1000);
  EXPECT_TRUE(Clean(m));
}

// nic2's mapping passed with nic's handle (both legal handles, nic in its own
// MiniportInitializeEx).
TEST_F(MachineTest, NdisIoUnmapOtherAdaptersMappingReportsOtherOwner) {
  EnterInit(m, nic2);
  u64 va2 = MapOk(m, nic2, kNic2Bar, 0x1000);
  Leave(m, true);
  EnterInit(m, nic);
  m.NdisMUnmapIoSpace(nic, va2, 0x1000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapOtherOwner));
  Leave(m, true);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  // The owner releases it legally in its MiniportHaltEx.
  m.ClearReports();
  EnterHalt(m, nic2);
  m.NdisMUnmapIoSpace(nic2, va2, 0x1000);
  Leave(m, true);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
}

// An MmMapIoSpace address is another family's mapping.
TEST_F(MachineTest, NdisIoUnmapMmMappingReportsOtherFamily) {
  u64 mm = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  ASSERT_NE(mm, 0u);
  EnterInit(m, nic);
  m.NdisMUnmapIoSpace(nic, mm, 0x1000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapOtherFamily));
  // Interior of it: still "other family" first.
  m.NdisMUnmapIoSpace(nic, mm + 0x10, 0x1000);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapOtherFamily, 2));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  m.MmUnmapIoSpace(mm, 0x1000);  // its own family releases it
  EXPECT_EQ(m.live_mapping_count(), 0u);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// An NdisMapFile buffer is another family's mapping too.
TEST_F(MachineTest, NdisIoUnmapFileBufferReportsOtherFamily) {
  EnterInit(m, nic);
  NdisStatus st = 0;
  u64 file = 0, buf = 0;
  u32 len = 0;
  ASSERT_EQ(m.NdisOpenFile(&st, &file, &len, "firmware.bin", ~0ull), kNdisStatusSuccess);
  ASSERT_EQ(m.NdisMapFile(&st, &buf, file), kNdisStatusSuccess);
  m.NdisMUnmapIoSpace(nic, buf, kFirmwareLen);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapOtherFamily));
  // The buffer is still mapped and readable.
  m.ClearReports();
  (void)m.Read(buf, 4);
  m.NdisUnmapFile(file);
  m.NdisCloseFile(file);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// The five kinds of bad address, each with its own rule, one report each.
TEST_F(MachineTest, NdisIoUnmapAddressKindsAreToldApart) {
  u64 mm = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  ASSERT_NE(mm, 0u);
  EnterInit(m, nic2);
  u64 other = MapOk(m, nic2, kNic2Bar, 0x1000);
  Leave(m, true);
  EnterInit(m, nic);
  u64 live = MapOk(m, nic, kNicBar, 0x2000);
  u64 gone = MapOk(m, nic, kNicBar + 0x4000, 0x1000);
  m.NdisMUnmapIoSpace(nic, gone, 0x1000);
  EXPECT_TRUE(Clean(m));

  m.NdisMUnmapIoSpace(nic, kNeverMapped, 0x1000);
  m.NdisMUnmapIoSpace(nic, live + 0x100, 0x2000);
  m.NdisMUnmapIoSpace(nic, gone, 0x1000);
  m.NdisMUnmapIoSpace(nic, other, 0x1000);
  m.NdisMUnmapIoSpace(nic, mm, 0x1000);
  ASSERT_EQ(m.reports().size(), 5u) << Dump();
  EXPECT_EQ(m.reports()[0].rule, RuleId::NdisIoUnmapNotMapped);
  EXPECT_EQ(m.reports()[1].rule, RuleId::NdisIoUnmapInterior);
  EXPECT_EQ(m.reports()[2].rule, RuleId::NdisIoUnmapDouble);
  EXPECT_EQ(m.reports()[3].rule, RuleId::NdisIoUnmapOtherOwner);
  EXPECT_EQ(m.reports()[4].rule, RuleId::NdisIoUnmapOtherFamily);
  for (const auto& r : m.reports()) EXPECT_EQ(r.call.id, CallId::NdisMUnmapIoSpace);
  // Nothing was released by any of them.
  EXPECT_EQ(m.live_mapping_count(), 3u);
  m.ClearReports();
  m.NdisMUnmapIoSpace(nic, live, 0x2000);
  Leave(m, true);
  m.MmUnmapIoSpace(mm, 0x1000);
  EnterHalt(m, nic2);
  m.NdisMUnmapIoSpace(nic2, other, 0x1000);
  Leave(m, true);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
}

// ---------------------------------------------------------------------------
// NDIS_IO.UNMAP_LENGTH_MISMATCH
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisIoUnmapWrongLengthReportsLengthMismatch) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar, 0x100);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);  // the page-rounded length is not it
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapLengthMismatch));
  m.NdisMUnmapIoSpace(nic, va, 0x80);
  m.NdisMUnmapIoSpace(nic, va, 0);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapLengthMismatch, 3));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  m.NdisMUnmapIoSpace(nic, va, 0x100);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
}

// The address is classified before the length is compared: a double unmap
// with a wrong length is only UNMAP_DOUBLE.
TEST_F(MachineTest, NdisIoAddressIsCheckedBeforeLength) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar, 0x100);
  m.NdisMUnmapIoSpace(nic, va, 0x100);
  m.NdisMUnmapIoSpace(nic, va, 0x999);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapDouble));
}

// ---------------------------------------------------------------------------
// NDIS_IO.LEAK
// ---------------------------------------------------------------------------

// Leaving MiniportHaltEx with two live mappings: two reports, then the core
// releases them (so they are reported once).
TEST_F(MachineTest, NdisIoMappingsLiveAtHaltReportLeak) {
  EnterInit(m, nic);
  MapOk(m, nic, kNicBar, 0x1000);
  MapOk(m, nic, kNicBar + 0x2000, 0x10);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));  // a successful MiniportInitializeEx keeps its mappings
  EXPECT_EQ(m.live_mapping_count(), 2u);
  EnterHalt(m, nic);
  EXPECT_TRUE(Clean(m));  // not yet: the halt may still unmap
  Leave(m, true);
  EXPECT_TRUE(Only(m, RuleId::NdisIoLeak, 2));
  for (const auto& r : m.reports()) {
    // A leak names the call that made the mapping.
    EXPECT_TRUE(r.has_created);
    EXPECT_EQ(r.created.id, CallId::NdisMMapIoSpace);
  }
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.Teardown();
  EXPECT_TRUE(Only(m, RuleId::NdisIoLeak, 2));  // teardown adds nothing
}

// Only the halting adapter's mappings leak; nic2's stay.
TEST_F(MachineTest, NdisIoLeakAtHaltCountsOnlyThatAdapter) {
  EnterInit(m, nic2);
  u64 va2 = MapOk(m, nic2, kNic2Bar, 0x1000);
  Leave(m, true);
  EnterInit(m, nic);
  MapOk(m, nic, kNicBar, 0x1000);
  Leave(m, true);
  Halt(m, nic);
  EXPECT_TRUE(Only(m, RuleId::NdisIoLeak));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  EnterHalt(m, nic2);
  m.NdisMUnmapIoSpace(nic2, va2, 0x1000);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// A failing MiniportInitializeEx must release what it mapped.
TEST_F(MachineTest, NdisIoMappingLiveAtFailingInitializeReportsLeak) {
  EnterInit(m, nic);
  MapOk(m, nic, kNicBar, 0x1000);
  Leave(m, false);
  EXPECT_TRUE(Only(m, RuleId::NdisIoLeak));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.Teardown();
  EXPECT_TRUE(Only(m, RuleId::NdisIoLeak));
}

// A failing MiniportInitializeEx that cleaned up is silent.
TEST_F(MachineTest, NdisIoFailingInitializeThatUnmapsHasNoLeak) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  Leave(m, false);
  m.Teardown();
  EXPECT_TRUE(Clean(m));
}

// Teardown halts a running adapter: its mappings leak there, once.
TEST_F(MachineTest, NdisIoTeardownReportsLeakOfRunningAdapter) {
  EnterInit(m, nic);
  MapOk(m, nic, kNicBar, 0x1000);
  Leave(m, true);
  m.Teardown();
  EXPECT_TRUE(Only(m, RuleId::NdisIoLeak));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.Teardown();  // idempotent
  EXPECT_TRUE(Only(m, RuleId::NdisIoLeak));
}

// ---------------------------------------------------------------------------
// The report text
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisIoDoubleUnmapReportNamesCreationAndRelease) {
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar + 0x10, 0x100);
  m.NdisMUnmapIoSpace(nic, va, 0x100);
  m.NdisMUnmapIoSpace(nic, va, 0x100);
  ASSERT_TRUE(Only(m, RuleId::NdisIoUnmapDouble));
  const Report& r = m.reports()[0];
  EXPECT_EQ(r.call.id, CallId::NdisMUnmapIoSpace);
  EXPECT_EQ(r.call.callback, Callback::MiniportInitializeEx);
  EXPECT_EQ(r.call.callback_object, nic);
  EXPECT_EQ(r.call.irql, kPassiveLevel);
  ASSERT_TRUE(r.has_created);
  ASSERT_TRUE(r.has_released);
  EXPECT_EQ(r.created.id, CallId::NdisMMapIoSpace);
  EXPECT_EQ(r.released.id, CallId::NdisMUnmapIoSpace);
  EXPECT_LT(r.created.seq, r.released.seq);
  EXPECT_LT(r.released.seq, r.call.seq);

  const std::string text = m.FormatReport(r);
  const std::string first = text.substr(0, text.find('\n'));
  EXPECT_EQ(first, "ERROR: ddimap: NDIS_IO.UNMAP_DOUBLE in NdisMUnmapIoSpace");
  // core/report/report.cpp prints "created by #N <call>" and "released by #N <call>".
  const std::string created = "created by #" + std::to_string(r.created.seq) + " NdisMMapIoSpace(";
  const std::string released = "released by #" + std::to_string(r.released.seq) + " NdisMUnmapIoSpace(";
  EXPECT_NE(text.find(created), std::string::npos) << text;
  EXPECT_NE(text.find(released), std::string::npos) << text;
  EXPECT_LT(text.find(created), text.find(released)) << text;
  EXPECT_NE(text.find("MiniportInitializeEx"), std::string::npos) << text;
  EXPECT_NE(text.find("SUMMARY: ddimap: NDIS_IO.UNMAP_DOUBLE in NdisMUnmapIoSpace"), std::string::npos)
      << text;
}

// ---------------------------------------------------------------------------
// Robustness: extreme arguments never crash
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisIoMaximalLengthNeverCrashes) {
  EnterInit(m, nic);
  const u32 huge = 0xFFFFFFFFu;
  MapFails(m, nic, kNicBar, huge, kNdisStatusResourceConflict);  // far beyond the BAR
  MapFails(m, nic, kUnassigned, huge, kNdisStatusResourceConflict);
  EXPECT_TRUE(Clean(m));
  MapFails(m, nic, kRamBase, huge, kNdisStatusFailure);  // covers RAM
  EXPECT_TRUE(Only(m, RuleId::NdisIoMapRam));
  m.ClearReports();
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  m.NdisMUnmapIoSpace(nic, va, huge);
  EXPECT_TRUE(Only(m, RuleId::NdisIoUnmapLengthMismatch));
  // The address is classified first: these are never-mapped addresses.
  m.NdisMUnmapIoSpace(nic, kNeverMapped, huge);
  m.NdisMUnmapIoSpace(nic, ~0ull, huge);
  EXPECT_EQ(Count(RuleId::NdisIoUnmapLengthMismatch), 1u) << Dump();
  EXPECT_EQ(Count(RuleId::NdisIoUnmapNotMapped), 2u) << Dump();
  EXPECT_EQ(Total(), 3u) << Dump();
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  m.NdisMUnmapIoSpace(nic, va, 0x1000);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_TRUE(Clean(m));
}

TEST_F(MachineTest, NdisIoGarbageHandlesNeverCrash) {
  // A halted adapter, plus garbage, with every combination of call and context.
  EnterInit(m, nic);
  u64 va = MapOk(m, nic, kNicBar, 0x1000);
  Leave(m, true);
  Halt(m, nic);  // leaks va; the core releases it
  m.ClearReports();
  const u64 handles[] = {0, 0x1234, wdm, nic /* halted */, MakeHandle(HandleKind::Adapter, 0),
                         ~0ull};
  for (u64 h : handles) {
    MapFails(m, h, kNicBar, 0x1000, kNdisStatusFailure);
    m.NdisMUnmapIoSpace(h, va, 0x1000);
    m.NdisMUnmapIoSpace(h, 0, 0);
    m.NdisMUnmapIoSpace(h, ~0ull, 0xFFFFFFFFu);
  }
  EXPECT_TRUE(Only(m, RuleId::NdisIoBadHandle, 4 * std::size(handles)));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.CheckInvariants(), "");
}

// After Teardown the machine ignores calls, but a failing NdisMMapIoSpace
// still writes NULL ("Every failure writes NULL", docs/semantics.md).
TEST_F(MachineTest, NdisIoMapAfterTeardownFailsWithNullAddress) {
  EnterInit(m, nic);
  m.Teardown();
  EXPECT_TRUE(Clean(m));
  MapFails(m, nic, kNicBar, 0x1000, kNdisStatusFailure);
  m.NdisMUnmapIoSpace(nic, kNeverMapped, 0x1000);
  EXPECT_TRUE(Clean(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

}  // namespace
}  // namespace ddimap::test
