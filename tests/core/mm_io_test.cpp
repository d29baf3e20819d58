// MM_IO: MmMapIoSpace / MmMapIoSpaceEx / MmUnmapIoSpace.
//
// Every rule of the family gets a test that triggers it (exactly one report,
// the call refused, the state unchanged) and a nearby legal call that must
// stay silent. The expectations follow docs/semantics.md ("MM_IO", "Address
// classification", "Teardown order"). Every test name starts with "MmIo" so
// that --gtest_filter='*Mm*' selects this file.
#include <string>
#include <vector>

#include "fixture.hpp"

namespace ddimap::test {
namespace {

constexpr u64 kNonCached = kMmNonCached;
constexpr u64 kCached = kMmCached;
constexpr u64 kWriteCombined = kMmWriteCombined;
constexpr u64 kTop = ~0ull;  // 2^64 - 1

// Every report the machine holds, formatted, for failure messages.
std::string DumpReports(const Machine& m) {
  std::string out;
  for (const auto& r : m.reports()) out += m.FormatReport(r) + "\n";
  return out;
}

// Exactly one report since the last ClearReports(), and it is of rule r.
::testing::AssertionResult OnlyReport(const Machine& m, RuleId r) {
  if (m.reports().size() == 1 && m.report_count(r) == 1) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected exactly one " << RuleName(r) << ", got " << m.reports().size()
         << " report(s):\n"
         << DumpReports(m);
}

// No report at all since the last ClearReports().
::testing::AssertionResult NoReports(const Machine& m) {
  if (m.reports().empty() && m.report_count() == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected no report, got:\n" << DumpReports(m);
}

// The first line of a formatted report.
std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// Runs one whole callback: enter, body, leave with the given outcome.
template <typename Body>
void InCallback(Machine& m, Callback cb, u64 object, bool succeeded, Body body) {
  ASSERT_EQ(m.EnterCallback(cb, object), ControlStatus::Ok) << CallbackName(cb);
  body();
  ASSERT_EQ(m.LeaveCallback(succeeded), ControlStatus::Ok) << CallbackName(cb);
}

// Starts WDM device dev successfully, mapping [pa, pa+len) during the start.
u64 StartAndMap(Machine& m, u64 dev, u64 pa, u64 len) {
  u64 va = 0;
  InCallback(m, Callback::StartDevice, dev, true, [&] { va = m.MmMapIoSpace(pa, len, kNonCached); });
  EXPECT_NE(va, 0u);
  return va;
}

// An NDIS mapping of adapter nic's BAR, made in MiniportInitializeEx (which is left running
// normally); the adapter stays running.
u64 NdisMap(Machine& m, u64 nic, u64 pa, u32 len) {
  u64 va = 0;
  InCallback(m, Callback::MiniportInitializeEx, nic, true, [&] {
    EXPECT_EQ(m.NdisMMapIoSpace(&va, nic, pa, len), kNdisStatusSuccess);
  });
  EXPECT_NE(va, 0u);
  return va;
}

// Releases an NDIS mapping in MiniportHaltEx, the documented place.
void NdisHaltAndUnmap(Machine& m, u64 nic, u64 va, u32 len) {
  InCallback(m, Callback::MiniportHaltEx, nic, true, [&] { m.NdisMUnmapIoSpace(nic, va, len); });
}

bool InSystemRegion(u64 va) {
  return va >= kSystemRegionBase && va - kSystemRegionBase < kDefaultRegionSize;
}

// ---------------------------------------------------------------------------
// Return values and address layout

TEST_F(MachineTest, MmIoMapReturnsSystemAddressWithByteOffset) {
  // The documented return value is the page base plus the byte offset of the
  // physical address, so a register at BAR+0x123 is reached at va itself.
  const u64 va = m.MmMapIoSpace(kWdmBar + 0x123, 0x10, kNonCached);
  ASSERT_NE(va, 0u);
  EXPECT_EQ(va & kPageMask, 0x123u);
  EXPECT_TRUE(InSystemRegion(va)) << std::hex << va;
  EXPECT_EQ(m.live_mapping_count(), 1u);
  EXPECT_TRUE(NoReports(m));

  const auto live = m.LiveMappings();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].base, va);
  EXPECT_EQ(live[0].length, 0x10u);
  EXPECT_EQ(live[0].phys, kWdmBar + 0x123);
  EXPECT_EQ(live[0].family, Family::MmIo);
  EXPECT_EQ(live[0].region, Region::System);
  EXPECT_EQ(live[0].owner, 0u);  // made outside any callback: driver-wide
  EXPECT_EQ(live[0].cache, kNonCached);
  EXPECT_EQ(m.CheckInvariants(), "");

  m.MmUnmapIoSpace(va, 0x10);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoUnmapOfPageBaseInsteadOfReturnedValueIsInterior) {
  // Passing the page base rather than the exact returned value is the classic
  // mistake the byte offset causes: UNMAP_INTERIOR, refused.
  const u64 va = m.MmMapIoSpace(kWdmBar + 0x123, 0x10, kNonCached);
  ASSERT_NE(va, 0u);
  m.MmUnmapIoSpace(va & ~kPageMask, 0x10);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapInterior));
  EXPECT_EQ(m.live_mapping_count(), 1u);

  m.ClearReports();
  m.MmUnmapIoSpace(va, 0x10);  // the exact value still works
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoTwoMappingsGetDistinctAddresses) {
  const u64 a = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  const u64 b = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  ASSERT_NE(a, 0u);
  ASSERT_NE(b, 0u);
  EXPECT_NE(a, b);
  EXPECT_EQ(m.live_mapping_count(), 2u);
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, MmIoMappingsOfOnePhysicalPageAlias) {
  // Device memory is shared by every mapping of the same physical page.
  const u64 a = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  const u64 b = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  const u64 c = m.MmMapIoSpace(kWdmBar + 0x10, 8, kNonCached);  // same page, offset view
  ASSERT_NE(a, 0u);
  ASSERT_NE(b, 0u);
  ASSERT_NE(c, 0u);

  EXPECT_EQ(m.Read(b + 0x10, 4), 0u);  // unwritten device memory reads 0
  m.Write(a + 0x10, 4, 0xDEADBEEF);
  EXPECT_EQ(m.Read(b + 0x10, 4), 0xDEADBEEFu);
  EXPECT_EQ(m.Read(c, 4), 0xDEADBEEFu);
  EXPECT_EQ(m.Read(b + 0x10, 1), 0xEFu);  // little-endian
  EXPECT_EQ(m.Read(b + 0x12, 2), 0xDEADu);

  m.Write(c + 4, 4, 0x01020304);
  EXPECT_EQ(m.Read(a + 0x10, 8), 0x01020304DEADBEEFull);
  EXPECT_EQ(m.touched_page_count(), 1u);  // one physical page, however many views
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, MmIoMappingOfRamFreeUnassignedSpaceIsLegal) {
  // Physical space that is neither RAM nor any device's resource may be
  // mapped: the real MmMapIoSpace maps any I/O space. Just past the end of RAM
  // is such space.
  const u64 a = m.MmMapIoSpace(kUnassigned, 0x1000, kNonCached);
  const u64 b = m.MmMapIoSpace(kRamBase + kRamLen, 0x1000, kNonCached);
  EXPECT_NE(a, 0u);
  EXPECT_NE(b, 0u);
  EXPECT_TRUE(NoReports(m));
}

// ---------------------------------------------------------------------------
// MM_IO.MAP_IRQL

TEST_F(MachineTest, MmIoMapAtDispatchLevelIsLegal) {
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  const u64 a = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  const u64 b = m.MmMapIoSpaceEx(kWdmBar + 0x1000, 0x1000, kPageReadWrite | kPageNoCache);
  EXPECT_NE(a, 0u);
  EXPECT_NE(b, 0u);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 2u);
}

TEST_F(MachineTest, MmIoMapAboveDispatchLevelIsRefused) {
  ASSERT_EQ(m.SetIrql(kDispatchLevel + 1), ControlStatus::Ok);
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoMapIrql));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoMapExAboveDispatchLevelIsRefused) {
  ASSERT_EQ(m.SetIrql(kHighLevel), ControlStatus::Ok);
  EXPECT_EQ(m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageReadWrite), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoMapIrql));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoMapIrqlIsCheckedBeforeArguments) {
  // IRQL comes first in the check order: a zero-length request for RAM with a
  // bad cache type above DISPATCH_LEVEL gets only MAP_IRQL.
  ASSERT_EQ(m.SetIrql(kDispatchLevel + 1), ControlStatus::Ok);
  EXPECT_EQ(m.MmMapIoSpace(0x1000, 0, 6), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoMapIrql));
  m.ClearReports();
  EXPECT_EQ(m.MmMapIoSpaceEx(0x1000, 0, 0), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoMapIrql));
}

// ---------------------------------------------------------------------------
// MM_IO.UNMAP_IRQL and MM_IO.UNMAP_IRQL_VERIFIER

TEST_F(MachineTest, MmIoUnmapAboveDispatchLevelIsRefusedAndMappingSurvives) {
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  ASSERT_NE(va, 0u);
  ASSERT_EQ(m.SetIrql(kDispatchLevel + 1), ControlStatus::Ok);
  m.MmUnmapIoSpace(va, 0x1000);
  // Refused, and only UNMAP_IRQL: the verifier rule is about DISPATCH_LEVEL.
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapIrql));
  EXPECT_EQ(m.live_mapping_count(), 1u);

  // The mapping is untouched: still usable, and unmappable at PASSIVE_LEVEL.
  m.Write(va, 4, 7);
  EXPECT_EQ(m.Read(va, 4), 7u);
  m.ClearReports();
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoUnmapAtDispatchLevelReportsVerifierRuleAndStillUnmaps) {
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  ASSERT_NE(va, 0u);
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  m.MmUnmapIoSpace(va, 0x1000);
  // Not refusing: reported, and the unmap takes effect.
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapIrqlVerifier));
  EXPECT_EQ(m.report_count(RuleId::MmIoUnmapIrql), 0u);
  EXPECT_EQ(m.live_mapping_count(), 0u);

  // It really is gone: a second unmap is a double unmap.
  m.ClearReports();
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapDouble));
}

TEST_F(MachineTest, MmIoUnmapAtDispatchLevelWithBadAddressGivesBothReports) {
  // The verifier rule does not refuse, so the call goes on to the address
  // classification: one call, two reports.
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x2000, kNonCached);
  ASSERT_NE(va, 0u);
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  m.MmUnmapIoSpace(va + 0x1000, 0x2000);
  EXPECT_EQ(m.report_count(RuleId::MmIoUnmapIrqlVerifier), 1u) << DumpReports(m);
  EXPECT_EQ(m.report_count(RuleId::MmIoUnmapInterior), 1u) << DumpReports(m);
  EXPECT_EQ(m.reports().size(), 2u);
  EXPECT_EQ(m.live_mapping_count(), 1u);
}

TEST_F(MachineTest, MmIoUnmapAtApcLevelIsLegal) {
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  ASSERT_NE(va, 0u);
  ASSERT_EQ(m.SetIrql(kApcLevel), ControlStatus::Ok);
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// ---------------------------------------------------------------------------
// MM_IO.ZERO_LENGTH

TEST_F(MachineTest, MmIoZeroLengthIsRefused) {
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0, kNonCached), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoZeroLength));
  m.ClearReports();
  EXPECT_EQ(m.MmMapIoSpaceEx(kWdmBar, 0, kPageReadWrite), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoZeroLength));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoOneByteMappingIsLegal) {
  const u64 va = m.MmMapIoSpace(kWdmBar + 0xFFF, 1, kNonCached);
  ASSERT_NE(va, 0u);
  EXPECT_EQ(va & kPageMask, 0xFFFu);
  EXPECT_EQ(m.Read(va, 1), 0u);
  EXPECT_TRUE(NoReports(m));
  m.MmUnmapIoSpace(va, 1);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoZeroLengthIsCheckedBeforeCacheTypeAndRam) {
  EXPECT_EQ(m.MmMapIoSpace(0x1000, 0, 6), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoZeroLength));
}

// ---------------------------------------------------------------------------
// MM_IO.BAD_CACHE_TYPE

TEST_F(MachineTest, MmIoBadCacheTypesAreRefused) {
  // MmMaximumCacheType and above are invalid; 3..5 are reserved for the system.
  for (u64 cache : {u64{6}, u64{3}, u64{4}, u64{5}, u64{0xFFFFFFFF}}) {
    m.ClearReports();
    EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0x1000, cache), 0u) << cache;
    EXPECT_TRUE(OnlyReport(m, RuleId::MmIoBadCacheType)) << cache;
  }
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoDocumentedCacheTypesAreLegal) {
  // Each on its own page, so that no two types share a page.
  const u64 a = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  const u64 b = m.MmMapIoSpace(kWdmBar + 0x1000, 0x1000, kCached);
  const u64 c = m.MmMapIoSpace(kWdmBar + 0x2000, 0x1000, kWriteCombined);
  EXPECT_NE(a, 0u);
  EXPECT_NE(b, 0u);
  EXPECT_NE(c, 0u);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 3u);
}

TEST_F(MachineTest, MmIoBadCacheTypeIsCheckedBeforeRam) {
  EXPECT_EQ(m.MmMapIoSpace(0x1000, 0x1000, 6), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoBadCacheType));
}

// ---------------------------------------------------------------------------
// MM_IO.BAD_PROTECT

TEST_F(MachineTest, MmIoExWithoutBaseProtectionIsRefused) {
  EXPECT_EQ(m.MmMapIoSpaceEx(kWdmBar, 0x1000, 0), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoBadProtect));
  m.ClearReports();
  EXPECT_EQ(m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageNoCache), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoBadProtect));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoExWithTwoBaseProtectionsIsRefused) {
  EXPECT_EQ(m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageReadOnly | kPageReadWrite), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoBadProtect));
  m.ClearReports();
  EXPECT_EQ(m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageExecute | kPageExecuteReadWrite), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoBadProtect));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoExWithNoCacheAndWriteCombineIsRefused) {
  EXPECT_EQ(m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageReadWrite | kPageNoCache | kPageWriteCombine),
            0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoBadProtect));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoExWithUnknownProtectBitIsRefused) {
  for (u64 extra : {u64{0x1000}, u64{0x01} /* PAGE_NOACCESS */, u64{0x100} /* PAGE_GUARD */}) {
    m.ClearReports();
    EXPECT_EQ(m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageReadWrite | extra), 0u) << extra;
    EXPECT_TRUE(OnlyReport(m, RuleId::MmIoBadProtect)) << extra;
  }
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoExDocumentedProtectionsAreLegal) {
  // Map and unmap one at a time: the caching types they imply differ.
  const u64 legal[] = {kPageReadOnly,
                       kPageReadWrite,
                       kPageExecute,
                       kPageExecuteRead,
                       kPageExecuteReadWrite,
                       kPageReadWrite | kPageNoCache,
                       kPageReadWrite | kPageWriteCombine,
                       kPageReadOnly | kPageNoCache};
  for (u64 protect : legal) {
    const u64 va = m.MmMapIoSpaceEx(kWdmBar, 0x1000, protect);
    EXPECT_NE(va, 0u) << std::hex << protect;
    m.MmUnmapIoSpace(va, 0x1000);
    EXPECT_TRUE(NoReports(m)) << std::hex << protect;
  }
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoExProtectionDecidesCachingType) {
  // PAGE_NOCACHE -> MmNonCached, PAGE_WRITECOMBINE -> MmWriteCombined, else MmCached.
  const u64 a = m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageReadWrite | kPageNoCache);
  const u64 b = m.MmMapIoSpaceEx(kWdmBar + 0x1000, 0x1000, kPageReadWrite | kPageWriteCombine);
  const u64 c = m.MmMapIoSpaceEx(kWdmBar + 0x2000, 0x1000, kPageReadWrite);
  ASSERT_NE(a, 0u);
  ASSERT_NE(b, 0u);
  ASSERT_NE(c, 0u);
  for (const MappingView& v : m.LiveMappings()) {
    if (v.base == a) {
      EXPECT_EQ(v.cache, kNonCached);
    } else if (v.base == b) {
      EXPECT_EQ(v.cache, kWriteCombined);
    } else if (v.base == c) {
      EXPECT_EQ(v.cache, kCached);
    }
  }
  // The same type through the other function shares the page silently...
  EXPECT_NE(m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached), 0u);
  EXPECT_TRUE(NoReports(m));
  // ...a different one conflicts.
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar + 0x2000, 0x1000, kNonCached), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoCacheConflict));
}

TEST_F(MachineTest, MmIoBadProtectIsCheckedBeforeRam) {
  EXPECT_EQ(m.MmMapIoSpaceEx(0x1000, 0x1000, 0), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoBadProtect));
}

// ---------------------------------------------------------------------------
// MM_IO.MAP_RAM

TEST_F(MachineTest, MmIoMapOfRamIsRefused) {
  EXPECT_EQ(m.MmMapIoSpace(0x1000, 0x1000, kNonCached), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoMapRam));
  m.ClearReports();
  EXPECT_EQ(m.MmMapIoSpaceEx(0x1000, 0x1000, kPageReadWrite), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoMapRam));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoMapStraddlingEndOfRamIsRefused) {
  // Any byte in RAM is enough: the last page of RAM plus the first page after it.
  EXPECT_EQ(m.MmMapIoSpace(kRamBase + kRamLen - 0x1000, 0x2000, kNonCached), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoMapRam));
  m.ClearReports();
  EXPECT_EQ(m.MmMapIoSpace(kRamBase + kRamLen - 1, 2, kNonCached), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoMapRam));
  EXPECT_EQ(m.live_mapping_count(), 0u);

  // One byte further it is all I/O space: legal.
  m.ClearReports();
  EXPECT_NE(m.MmMapIoSpace(kRamBase + kRamLen, 2, kNonCached), 0u);
  EXPECT_TRUE(NoReports(m));
}

// ---------------------------------------------------------------------------
// MM_IO.CACHE_CONFLICT

TEST_F(MachineTest, MmIoCachedAndNonCachedOnOverlappingPageConflict) {
  const u64 cached = m.MmMapIoSpace(kWdmBar, 0x1000, kCached);
  ASSERT_NE(cached, 0u);
  // A different byte range, but on the same physical page.
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar + 0x800, 0x10, kNonCached), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoCacheConflict));
  EXPECT_EQ(m.live_mapping_count(), 1u);
}

TEST_F(MachineTest, MmIoPartialPageOverlapConflicts) {
  // [BAR+0x1000, BAR+0x2000) cached; a non-cached request for
  // [BAR+0xFF0, BAR+0x1010) touches that page too.
  ASSERT_NE(m.MmMapIoSpace(kWdmBar + 0x1000, 0x1000, kCached), 0u);
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar + 0xFF0, 0x20, kNonCached), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoCacheConflict));
  m.ClearReports();
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0x10000, kWriteCombined), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoCacheConflict));
  EXPECT_EQ(m.live_mapping_count(), 1u);
}

TEST_F(MachineTest, MmIoDifferentTypesOnDisjointPagesAreLegal) {
  ASSERT_NE(m.MmMapIoSpace(kWdmBar + 0x1000, 0x1000, kCached), 0u);
  // Ends exactly where the cached page begins, starts right after it.
  EXPECT_NE(m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached), 0u);
  EXPECT_NE(m.MmMapIoSpace(kWdmBar + 0x2000, 0x1000, kWriteCombined), 0u);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 3u);
}

TEST_F(MachineTest, MmIoSameCacheTypeTwiceIsLegal) {
  const u64 a = m.MmMapIoSpace(kWdmBar, 0x1000, kCached);
  const u64 b = m.MmMapIoSpace(kWdmBar + 0x800, 0x10, kCached);
  EXPECT_NE(a, 0u);
  EXPECT_NE(b, 0u);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 2u);
}

TEST_F(MachineTest, MmIoOtherCacheTypeIsLegalAfterUnmappingTheFirst) {
  const u64 cached = m.MmMapIoSpace(kWdmBar, 0x1000, kCached);
  ASSERT_NE(cached, 0u);
  m.MmUnmapIoSpace(cached, 0x1000);
  // Only live mappings count; the released one sits in quarantine.
  const u64 uncached = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  EXPECT_NE(uncached, 0u);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 1u);
}

TEST_F(MachineTest, MmIoCachedMappingConflictsWithNdisNonCachedMapping) {
  // NdisMMapIoSpace maps non-cached (ReactOS maps through MmMapIoSpace).
  const u64 ndis_va = NdisMap(m, nic, kNicBar, 0x1000);
  ASSERT_TRUE(NoReports(m));
  EXPECT_EQ(m.MmMapIoSpace(kNicBar + 0x100, 4, kCached), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoCacheConflict));
  m.ClearReports();
  EXPECT_EQ(m.MmMapIoSpaceEx(kNicBar, 0x1000, kPageReadWrite), 0u);  // MmCached
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoCacheConflict));

  // The matching type is fine and aliases the NDIS view.
  m.ClearReports();
  const u64 mm_va = m.MmMapIoSpace(kNicBar + 0x100, 4, kNonCached);
  ASSERT_NE(mm_va, 0u);
  m.Write(ndis_va + 0x100, 4, 0x55AA55AA);
  EXPECT_EQ(m.Read(mm_va, 4), 0x55AA55AAu);
  m.MmUnmapIoSpace(mm_va, 4);
  NdisHaltAndUnmap(m, nic, ndis_va, 0x1000);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);

  // Once the NDIS mapping is gone, MmCached is legal again.
  EXPECT_NE(m.MmMapIoSpace(kNicBar, 0x1000, kCached), 0u);
  EXPECT_TRUE(NoReports(m));
}

// ---------------------------------------------------------------------------
// Documented NULL statuses (no report)

TEST_F(MachineTest, MmIoAddressOverflowReturnsNullWithoutReport) {
  EXPECT_EQ(m.MmMapIoSpace(0xFFFFFFFFFFFFF000ull, 0x2000, kNonCached), 0u);
  EXPECT_EQ(m.MmMapIoSpace(kTop, 2, kNonCached), 0u);
  EXPECT_EQ(m.MmMapIoSpace(kUnassigned, kTop, kNonCached), 0u);
  EXPECT_EQ(m.MmMapIoSpaceEx(kUnassigned, kTop, kPageReadWrite), 0u);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoOverflowIsCheckedBeforeRam) {
  // The range starts in RAM but wraps past 2^64: the overflow status wins.
  EXPECT_EQ(m.MmMapIoSpace(kRamBase + 0x1000, kTop, kNonCached), 0u);
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, MmIoTopPhysicalPageCountsAsOverflow) {
  // docs/semantics.md: the top physical page is never mappable, so a range
  // reaching past 0xFFFFFFFFFFFFF000 is the documented overflow status.
  EXPECT_EQ(m.MmMapIoSpace(0xFFFFFFFFFFFFF000ull, 0x1000, kNonCached), 0u);
  EXPECT_TRUE(NoReports(m));
  // The page just below it is ordinary unassigned I/O space.
  EXPECT_NE(m.MmMapIoSpace(0xFFFFFFFFFFFFE000ull, 0x1000, kNonCached), 0u);
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, MmIoMaximalLengthFromAddressZeroIsOverflowNotRam) {
  // 0 + (2^64 - 1) passes the top page, so the overflow status comes first,
  // before the RAM check could apply.
  EXPECT_EQ(m.MmMapIoSpace(0, kTop, kNonCached), 0u);
  EXPECT_TRUE(NoReports(m));
  // Just below the limit the RAM check applies.
  EXPECT_EQ(m.MmMapIoSpace(0, 0xFFFFFFFFFFFFF000ull, kNonCached), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoMapRam));
}

TEST_F(MachineTest, MmIoExhaustedSystemSpaceReturnsNullWithoutReport) {
  MachineOptions options;
  options.system_region_size = 0x10000;  // 16 pages
  Machine small(options);
  // Each one-page mapping reserves its page plus a guard page: 8 fit in 16.
  std::vector<u64> mapped;
  u64 va = 0;
  for (int i = 0; i < 64; ++i) {
    va = small.MmMapIoSpace(kUnassigned + static_cast<u64>(i) * 0x1000, 0x1000, kNonCached);
    if (va == 0) break;
    mapped.push_back(va);
  }
  EXPECT_EQ(va, 0u) << "never ran out of system space";
  EXPECT_EQ(mapped.size(), 8u);
  EXPECT_TRUE(NoReports(small));
  EXPECT_EQ(small.live_mapping_count(), mapped.size());
  for (u64 a : mapped) EXPECT_TRUE(InSystemRegion(a));
  // Existing mappings are unaffected.
  small.MmUnmapIoSpace(mapped.front(), 0x1000);
  EXPECT_TRUE(NoReports(small));
}

TEST_F(MachineTest, MmIoRequestLargerThanSystemSpaceReturnsNullWithoutReport) {
  MachineOptions options;
  options.system_region_size = 0x10000;
  Machine small(options);
  // 16 pages plus the guard page do not fit in 16 pages...
  EXPECT_EQ(small.MmMapIoSpace(kUnassigned, 0x10000, kNonCached), 0u);
  EXPECT_EQ(small.MmMapIoSpaceEx(kUnassigned, 0x10000, kPageReadWrite), 0u);
  EXPECT_TRUE(NoReports(small));
  EXPECT_EQ(small.live_mapping_count(), 0u);
  // ...15 pages plus the guard page do, exactly.
  const u64 va = small.MmMapIoSpace(kUnassigned, 0xF000, kNonCached);
  EXPECT_EQ(va, kSystemRegionBase);
  EXPECT_TRUE(NoReports(small));
}

// ---------------------------------------------------------------------------
// Huge lengths: O(1) host memory, no crash

TEST_F(MachineTest, MmIoHugeRequestsCostNoMemoryAndNeverCrash) {
  const u64 lengths[] = {1ull << 63, (1ull << 63) + 1, kTop, kTop - 0xFFF, 1ull << 44,
                         (1ull << 44) + 1, 0xFFFFFFFFull, 0x100000000ull};
  for (u64 n : lengths) {
    const u64 va = m.MmMapIoSpace(kUnassigned, n, kNonCached);
    EXPECT_EQ(m.touched_page_count(), 0u) << std::hex << n;
    if (va != 0) {
      EXPECT_TRUE(InSystemRegion(va));
      m.MmUnmapIoSpace(va, n);
    }
    const u64 vx = m.MmMapIoSpaceEx(kUnassigned, n, kPageReadWrite | kPageNoCache);
    EXPECT_EQ(m.touched_page_count(), 0u) << std::hex << n;
    if (vx != 0) m.MmUnmapIoSpace(vx, n);
    EXPECT_TRUE(NoReports(m)) << std::hex << n;
    EXPECT_EQ(m.live_mapping_count(), 0u) << std::hex << n;
  }
  EXPECT_EQ(m.CheckInvariants(), "");
}

TEST_F(MachineTest, MmIoOneTebibyteMappingTouchesOnlyWrittenPages) {
  // 1 TiB fits in the 16 TiB system region; it must not cost 1 TiB of host memory.
  const u64 n = 1ull << 40;
  const u64 va = m.MmMapIoSpace(kUnassigned, n, kNonCached);
  ASSERT_NE(va, 0u);
  EXPECT_EQ(m.touched_page_count(), 0u);
  EXPECT_EQ(m.Read(va + n - 8, 8), 0u);  // reads do not allocate
  EXPECT_EQ(m.touched_page_count(), 0u);
  m.Write(va + n - 8, 8, 0x1122334455667788ull);
  EXPECT_EQ(m.touched_page_count(), 1u);
  EXPECT_EQ(m.Read(va + n - 8, 8), 0x1122334455667788ull);
  m.MmUnmapIoSpace(va, n);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// ---------------------------------------------------------------------------
// MmMapIoSpaceEx protection

TEST_F(MachineTest, MmIoReadOnlyMappingRefusesWritesAndAllowsReads) {
  const u64 rw = m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageReadWrite);
  const u64 ro = m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageReadOnly);
  ASSERT_NE(rw, 0u);
  ASSERT_NE(ro, 0u);
  m.Write(rw + 8, 4, 0xA5A5A5A5);
  EXPECT_EQ(m.Read(ro + 8, 4), 0xA5A5A5A5u);  // reads are fine, and alias
  EXPECT_TRUE(NoReports(m));

  m.Write(ro + 8, 4, 0x12345678);
  EXPECT_TRUE(OnlyReport(m, RuleId::AccessReadOnly));
  EXPECT_EQ(m.Read(rw + 8, 4), 0xA5A5A5A5u);  // the refused write changed nothing
  EXPECT_EQ(m.reports().size(), 1u);
}

TEST_F(MachineTest, MmIoExecuteOnlyProtectionsRefuseWrites) {
  for (u64 protect : {u64{kPageExecute}, u64{kPageExecuteRead}}) {
    m.ClearReports();
    const u64 va = m.MmMapIoSpaceEx(kWdmBar, 0x1000, protect);
    ASSERT_NE(va, 0u);
    m.Write(va, 4, 1);
    EXPECT_TRUE(OnlyReport(m, RuleId::AccessReadOnly)) << protect;
    m.MmUnmapIoSpace(va, 0x1000);
  }
  m.ClearReports();
  const u64 va = m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageExecuteReadWrite);
  ASSERT_NE(va, 0u);
  m.Write(va, 4, 1);
  EXPECT_EQ(m.Read(va, 4), 1u);
  EXPECT_TRUE(NoReports(m));
}

// MmMapIoSpaceEx, Parameters (Protect): PAGE_EXECUTE "can be executed, but not
// read or written"; PAGE_EXECUTE_READ read, not written; PAGE_EXECUTE_READWRITE
// both (as PAGE_READONLY and PAGE_READWRITE).
TEST_F(MachineTest, MmIoExProtectDecidesReadAndWrite) {
  struct Case {
    u64 protect;
    bool read, write;
  };
  for (const Case& c : {Case{kPageExecute, false, false}, Case{kPageExecuteRead, true, false},
                        Case{kPageExecuteReadWrite, true, true}, Case{kPageReadOnly, true, false},
                        Case{kPageReadWrite, true, true}, Case{kPageExecute | kPageNoCache, false, false},
                        Case{kPageExecuteRead | kPageWriteCombine, true, false}}) {
    m.ClearReports();
    const u64 va = m.MmMapIoSpaceEx(kWdmBar, 0x1000, c.protect);
    ASSERT_NE(va, 0u) << std::hex << c.protect;
    const auto live = m.LiveMappings();
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].readable, c.read) << std::hex << c.protect;
    EXPECT_EQ(live[0].writable, c.write) << std::hex << c.protect;

    m.Read(va + 8, 4);
    if (c.read)
      EXPECT_TRUE(NoReports(m)) << std::hex << c.protect;
    else
      EXPECT_TRUE(OnlyReport(m, RuleId::AccessNotReadable)) << std::hex << c.protect;
    m.ClearReports();
    m.Write(va + 8, 4, 7);
    if (c.write)
      EXPECT_TRUE(NoReports(m)) << std::hex << c.protect;
    else
      EXPECT_TRUE(OnlyReport(m, RuleId::AccessReadOnly)) << std::hex << c.protect;
    m.ClearReports();
    m.MmUnmapIoSpace(va, 0x1000);
    EXPECT_TRUE(NoReports(m)) << std::hex << c.protect;
  }
}

// Every other way of mapping gives both permissions (MmMapIoSpace has no Protect).
TEST_F(MachineTest, MmIoSpaceMappingIsReadableAndWritable) {
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  ASSERT_NE(va, 0u);
  const auto live = m.LiveMappings();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_TRUE(live[0].readable);
  EXPECT_TRUE(live[0].writable);
}

// ---------------------------------------------------------------------------
// MM_IO.UNMAP_NOT_MAPPED / INTERIOR / DOUBLE / OTHER_FAMILY / LENGTH_MISMATCH

TEST_F(MachineTest, MmIoUnmapOfNeverMappedAddressIsRefused) {
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  ASSERT_NE(va, 0u);
  for (u64 bogus : {u64{kSystemRegionBase + (u64{1} << 40)}, u64{0}, u64{0x1000}, kTop}) {
    m.ClearReports();
    m.MmUnmapIoSpace(bogus, 0x1000);
    EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapNotMapped)) << std::hex << bogus;
  }
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, MmIoUnmapOfGuardPageIsNotMappedNotInterior) {
  // The guard page after a mapping is not part of its extent.
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x2000, kNonCached);
  ASSERT_NE(va, 0u);
  m.MmUnmapIoSpace(va + 0x2000, 0x2000);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapNotMapped));
  EXPECT_EQ(m.live_mapping_count(), 1u);
}

TEST_F(MachineTest, MmIoUnmapOfInteriorAddressIsRefused) {
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x3000, kNonCached);
  ASSERT_NE(va, 0u);
  for (u64 offset : {u64{0x10}, u64{0x1000}, u64{0x2FFF}}) {
    m.ClearReports();
    m.MmUnmapIoSpace(va + offset, 0x3000);
    EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapInterior)) << offset;
  }
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  m.MmUnmapIoSpace(va, 0x3000);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoInteriorIsCheckedBeforeLength) {
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x2000, kNonCached);
  ASSERT_NE(va, 0u);
  m.MmUnmapIoSpace(va + 0x1000, 0x1000);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapInterior));
}

TEST_F(MachineTest, MmIoDoubleUnmapIsRefused) {
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x2000, kNonCached);
  ASSERT_NE(va, 0u);
  m.MmUnmapIoSpace(va, 0x2000);
  ASSERT_TRUE(NoReports(m));
  m.MmUnmapIoSpace(va, 0x2000);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapDouble));
  // Inside the released extent is also "already released", not "never mapped".
  m.ClearReports();
  m.MmUnmapIoSpace(va + 0x1000, 0x2000);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapDouble));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_GE(m.quarantined_count(), 1u);
}

TEST_F(MachineTest, MmIoDoubleUnmapDoesNotDisturbALaterMapping) {
  const u64 first = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  ASSERT_NE(first, 0u);
  m.MmUnmapIoSpace(first, 0x1000);
  const u64 second = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  ASSERT_NE(second, 0u);
  EXPECT_NE(second, first);  // quarantine: the stale address is not reused at once
  m.MmUnmapIoSpace(first, 0x1000);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapDouble));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  m.MmUnmapIoSpace(second, 0x1000);
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, MmIoDoubleUnmapReportText) {
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  ASSERT_NE(va, 0u);
  m.MmUnmapIoSpace(va, 0x1000);
  m.MmUnmapIoSpace(va, 0x1000);
  ASSERT_TRUE(OnlyReport(m, RuleId::MmIoUnmapDouble));
  const Report& r = m.reports().front();
  EXPECT_EQ(r.rule, RuleId::MmIoUnmapDouble);
  EXPECT_EQ(r.call.id, CallId::MmUnmapIoSpace);
  EXPECT_EQ(r.call.args[0], va);
  EXPECT_EQ(r.call.args[1], 0x1000u);
  // The report names where the mapping was made and where it was released.
  EXPECT_TRUE(r.has_created);
  EXPECT_TRUE(r.has_released);
  EXPECT_EQ(r.created.id, CallId::MmMapIoSpace);
  EXPECT_EQ(r.released.id, CallId::MmUnmapIoSpace);
  EXPECT_LT(r.created.seq, r.released.seq);
  EXPECT_LT(r.released.seq, r.call.seq);

  const std::string text = m.FormatReport(r);
  EXPECT_EQ(FirstLine(text), "ERROR: ddimap: MM_IO.UNMAP_DOUBLE in MmUnmapIoSpace") << text;
  EXPECT_NE(text.find("MmMapIoSpace"), std::string::npos) << text;
}

TEST_F(MachineTest, MmIoUnmapOfNdisMappingIsOtherFamily) {
  const u64 ndis_va = NdisMap(m, nic, kNicBar, 0x2000);
  ASSERT_TRUE(NoReports(m));
  m.MmUnmapIoSpace(ndis_va, 0x2000);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapOtherFamily));
  m.ClearReports();
  // Interior of another family's mapping: still OTHER_FAMILY.
  m.MmUnmapIoSpace(ndis_va + 0x1000, 0x2000);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapOtherFamily));
  EXPECT_EQ(m.live_mapping_count(), 1u);

  // The NDIS mapping survived and is released the NDIS way.
  m.ClearReports();
  NdisHaltAndUnmap(m, nic, ndis_va, 0x2000);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoUnmapOfVideoMappingIsOtherFamily) {
  u32 len = 0x1000;
  u32 space = kVideoMemorySpaceMemory;
  u64 va = 0;  // in: NULL = system space
  ASSERT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &space, &va), kNoError);
  ASSERT_NE(va, 0u);
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapOtherFamily));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  EXPECT_EQ(m.VideoPortUnmapMemory(video, va, 0), kNoError);
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, MmIoUnmapOfUmdfPseudoAddressIsOtherFamily) {
  u64 pseudo = 0;
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [&] {
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, kNonCached, &pseudo), kSOk);
  });
  ASSERT_NE(pseudo, 0u);
  m.MmUnmapIoSpace(pseudo, 0x1000);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapOtherFamily));
  EXPECT_EQ(m.live_mapping_count(), 1u);
}

TEST_F(MachineTest, MmIoUnmapWithWrongLengthIsRefused) {
  const u64 va = m.MmMapIoSpace(kWdmBar + 0x10, 0x2000, kNonCached);
  ASSERT_NE(va, 0u);
  // Shorter, longer, the page-rounded extent, and absurd: all mismatches.
  for (u64 n : {u64{0x1000}, u64{0x2001}, u64{0x3000}, u64{0}, kTop}) {
    m.ClearReports();
    m.MmUnmapIoSpace(va, n);
    EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapLengthMismatch)) << std::hex << n;
    EXPECT_EQ(m.live_mapping_count(), 1u);
  }
  m.ClearReports();
  m.MmUnmapIoSpace(va, 0x2000);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// ---------------------------------------------------------------------------
// MM_IO.LEAK

TEST_F(MachineTest, MmIoStartMappingLeakedAtStopDevice) {
  StartAndMap(m, wdm, kWdmBar, 0x1000);
  ASSERT_TRUE(NoReports(m));
  InCallback(m, Callback::StopDevice, wdm, true, [] {});
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoLeak));
  // The core released it after reporting, so it is reported once.
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.ClearReports();
  m.Teardown();
  EXPECT_EQ(m.report_count(RuleId::MmIoLeak), 0u) << DumpReports(m);
}

TEST_F(MachineTest, MmIoLeakReleaseMakesLaterUnmapADoubleUnmap) {
  const u64 va = StartAndMap(m, wdm, kWdmBar, 0x1000);
  InCallback(m, Callback::StopDevice, wdm, true, [] {});
  ASSERT_TRUE(OnlyReport(m, RuleId::MmIoLeak));
  m.ClearReports();
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoUnmapDouble));
}

TEST_F(MachineTest, MmIoStartMappingLeakedAtRemoveDevice) {
  StartAndMap(m, wdm, kWdmBar, 0x1000);
  InCallback(m, Callback::RemoveDevice, wdm, true, [] {});
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoLeak));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoStartMappingLeakedAtSurpriseRemoval) {
  StartAndMap(m, wdm, kWdmBar, 0x1000);
  InCallback(m, Callback::SurpriseRemoval, wdm, true, [] {});
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoLeak));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  // The remove that follows has nothing left to report.
  m.ClearReports();
  InCallback(m, Callback::RemoveDevice, wdm, true, [] {});
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, MmIoStartMappingLeakedByFailingStart) {
  InCallback(m, Callback::StartDevice, wdm, false, [&] {
    EXPECT_NE(m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached), 0u);
  });
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoLeak));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoFailingStartThatUnmapsIsClean) {
  InCallback(m, Callback::StartDevice, wdm, false, [&] {
    const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
    EXPECT_NE(va, 0u);
    m.MmUnmapIoSpace(va, 0x1000);
  });
  EXPECT_TRUE(NoReports(m));
  // The device went back to "added" and can be started again.
  StartAndMap(m, wdm, kWdmBar, 0x1000);
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, MmIoEachLeakedStartMappingIsReported) {
  InCallback(m, Callback::StartDevice, wdm, true, [&] {
    EXPECT_NE(m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached), 0u);
    EXPECT_NE(m.MmMapIoSpace(kWdmBar + 0x1000, 0x1000, kNonCached), 0u);
    EXPECT_NE(m.MmMapIoSpaceEx(kWdmBar + 0x2000, 0x1000, kPageReadOnly), 0u);
  });
  InCallback(m, Callback::StopDevice, wdm, true, [] {});
  EXPECT_EQ(m.report_count(RuleId::MmIoLeak), 3u) << DumpReports(m);
  EXPECT_EQ(m.reports().size(), 3u);
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoStopOfAnotherDeviceDoesNotReportThisDevicesMappings) {
  const u64 wdm2 = m.CreateWdmDevice();
  InCallback(m, Callback::StartDevice, wdm2, true, [] {});
  StartAndMap(m, wdm, kWdmBar, 0x1000);
  InCallback(m, Callback::StopDevice, wdm2, true, [] {});
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 1u);
}

TEST_F(MachineTest, MmIoDriverWideMappingLeaksOnlyAtTeardown) {
  // Made outside any callback: belongs to the driver, not to wdm.
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  ASSERT_NE(va, 0u);
  InCallback(m, Callback::StartDevice, wdm, true, [] {});
  InCallback(m, Callback::StopDevice, wdm, true, [] {});
  InCallback(m, Callback::RemoveDevice, wdm, true, [] {});
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 1u);

  m.Teardown();
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoLeak));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.touched_page_count(), 0u);
}

TEST_F(MachineTest, MmIoStartMappingOfUnstoppedDeviceLeaksAtTeardown) {
  StartAndMap(m, wdm, kWdmBar, 0x1000);
  m.Teardown();  // removes the device: the start-time mapping leaks there
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoLeak));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// ---------------------------------------------------------------------------
// The documented lifecycle, start to finish, without a report

TEST_F(MachineTest, MmIoCorrectWdmLifecycleIsClean) {
  u64 va = 0;
  InCallback(m, Callback::StartDevice, wdm, true, [&] {
    va = m.MmMapIoSpace(kWdmBar, kWdmBarLen, kNonCached);
    ASSERT_NE(va, 0u);
    m.Write(va + 0x40, 4, 1);  // program the device while starting
  });
  EXPECT_EQ(m.Read(va + 0x40, 4), 1u);
  InCallback(m, Callback::StopDevice, wdm, true, [&] { m.MmUnmapIoSpace(va, kWdmBarLen); });
  EXPECT_EQ(m.live_mapping_count(), 0u);

  // Start again (stopped -> started), map again, then remove with unmap.
  InCallback(m, Callback::StartDevice, wdm, true, [&] {
    va = m.MmMapIoSpaceEx(kWdmBar, kWdmBarLen, kPageReadWrite | kPageNoCache);
    ASSERT_NE(va, 0u);
  });
  EXPECT_EQ(m.Read(va + 0x40, 4), 1u);  // device memory outlives the mapping
  InCallback(m, Callback::RemoveDevice, wdm, true, [&] { m.MmUnmapIoSpace(va, kWdmBarLen); });
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.CheckInvariants(), "");

  m.Teardown();
  EXPECT_TRUE(NoReports(m));
  EXPECT_TRUE(m.torn_down());
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.touched_page_count(), 0u);
}

TEST_F(MachineTest, MmIoSurpriseRemovalThatUnmapsIsClean) {
  const u64 va = StartAndMap(m, wdm, kWdmBar, 0x1000);
  InCallback(m, Callback::SurpriseRemoval, wdm, true, [&] { m.MmUnmapIoSpace(va, 0x1000); });
  InCallback(m, Callback::RemoveDevice, wdm, true, [] {});
  m.Teardown();
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// ---------------------------------------------------------------------------
// Values wider than the WDK types, quarantine, suppression, abort, determinism

TEST_F(MachineTest, MmIoCacheTypeAbove32BitsIsBadCacheType) {
  // CacheType >= MmMaximumCacheType is invalid however it is encoded: the
  // core must not truncate 2^32 to MmNonCached.
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0x1000, u64{1} << 32), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoBadCacheType));
  m.ClearReports();
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0x1000, (u64{1} << 32) | kCached), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoBadCacheType));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoProtectBitAbove32BitsIsBadProtect) {
  EXPECT_EQ(m.MmMapIoSpaceEx(kWdmBar, 0x1000, (u64{1} << 32) | kPageReadWrite), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoBadProtect));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoReleasedAddressLeavingQuarantineIsNeverMapped) {
  // Only the last quarantine_capacity released mappings are remembered.
  MachineOptions options;
  options.quarantine_capacity = 1;
  Machine q(options);
  const u64 a = q.MmMapIoSpace(kUnassigned, 0x1000, kNonCached);
  ASSERT_NE(a, 0u);
  q.MmUnmapIoSpace(a, 0x1000);
  q.MmUnmapIoSpace(a, 0x1000);
  EXPECT_TRUE(OnlyReport(q, RuleId::MmIoUnmapDouble));  // still remembered
  const u64 b = q.MmMapIoSpace(kUnassigned, 0x1000, kNonCached);
  ASSERT_NE(b, 0u);
  ASSERT_NE(b, a);
  q.MmUnmapIoSpace(b, 0x1000);  // pushes a out of the quarantine
  EXPECT_EQ(q.quarantined_count(), 1u);
  q.ClearReports();
  q.MmUnmapIoSpace(a, 0x1000);
  EXPECT_TRUE(OnlyReport(q, RuleId::MmIoUnmapNotMapped));
  q.ClearReports();
  q.MmUnmapIoSpace(b, 0x1000);
  EXPECT_TRUE(OnlyReport(q, RuleId::MmIoUnmapDouble));
}

TEST_F(MachineTest, MmIoSuppressedRuleIsSilentButStillRefuses) {
  m.Suppress(RuleId::MmIoCacheConflict);
  ASSERT_NE(m.MmMapIoSpace(kWdmBar, 0x1000, kCached), 0u);
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached), 0u);
  EXPECT_TRUE(m.reports().empty()) << DumpReports(m);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  // Other rules are unaffected.
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0, kCached), 0u);
  EXPECT_EQ(m.reports().size(), 1u);
  EXPECT_EQ(m.reports().front().rule, RuleId::MmIoZeroLength);
}

TEST_F(MachineTest, MmIoAbortPolicyPrintsReportAndAborts) {
  EXPECT_DEATH(
      {
        MachineOptions options;
        options.policy = Policy::Abort;
        Machine a(options);
        const u64 va = a.MmMapIoSpace(kUnassigned, 0x1000, kMmNonCached);
        a.MmUnmapIoSpace(va, 0x1000);
        a.MmUnmapIoSpace(va, 0x1000);
      },
      "ERROR: ddimap: MM_IO\\.UNMAP_DOUBLE in MmUnmapIoSpace");
}

TEST_F(MachineTest, MmIoMapIrqlReportNamesVerifierBugCheck) {
  ASSERT_EQ(m.SetIrql(kHighLevel), ControlStatus::Ok);
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached), 0u);
  ASSERT_TRUE(OnlyReport(m, RuleId::MmIoMapIrql));
  const std::string text = m.FormatReport(m.reports().front());
  EXPECT_EQ(FirstLine(text), "ERROR: ddimap: MM_IO.MAP_IRQL in MmMapIoSpace") << text;
  EXPECT_NE(text.find("0xC4"), std::string::npos) << text;
  EXPECT_NE(text.find("0x73"), std::string::npos) << text;
  EXPECT_EQ(m.reports().front().call.irql, kHighLevel);
}

TEST_F(MachineTest, MmIoLeakReportNamesTheMappingCall) {
  StartAndMap(m, wdm, kWdmBar + 0x10, 0x20);
  InCallback(m, Callback::StopDevice, wdm, true, [] {});
  ASSERT_TRUE(OnlyReport(m, RuleId::MmIoLeak));
  const Report& r = m.reports().front();
  EXPECT_TRUE(r.has_created);
  EXPECT_EQ(r.created.id, CallId::MmMapIoSpace);
  EXPECT_EQ(r.created.callback, Callback::StartDevice);
  EXPECT_EQ(r.created.args[0], kWdmBar + 0x10);
  EXPECT_EQ(FirstLine(m.FormatReport(r)).rfind("ERROR: ddimap: MM_IO.LEAK", 0), 0u)
      << m.FormatReport(r);
}

TEST_F(MachineTest, MmIoMappingMadeOutsideStartBelongsToTheDriver) {
  // A mapping made while IRP_MN_STOP_DEVICE runs is not a start-time mapping:
  // removing the device does not report it; teardown does.
  InCallback(m, Callback::StartDevice, wdm, true, [] {});
  u64 va = 0;
  InCallback(m, Callback::StopDevice, wdm, true,
             [&] { va = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached); });
  ASSERT_NE(va, 0u);
  InCallback(m, Callback::RemoveDevice, wdm, true, [] {});
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.Teardown();
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoLeak));
}

TEST_F(MachineTest, MmIoAddressesAreDeterministic) {
  // Two machines fed the same calls hand out the same addresses.
  auto run = [](Machine& x) {
    std::vector<u64> out;
    out.push_back(x.MmMapIoSpace(kUnassigned + 0x123, 0x10, kMmNonCached));
    out.push_back(x.MmMapIoSpaceEx(kUnassigned + 0x5000, 0x3000, kPageReadOnly));
    x.MmUnmapIoSpace(out[0], 0x10);
    out.push_back(x.MmMapIoSpace(kUnassigned, 0x1000, kMmNonCached));
    return out;
  };
  Machine x, y;
  EXPECT_EQ(run(x), run(y));
}

TEST_F(MachineTest, MmIoNdisMapOverCachedMmMappingIsCacheConflict) {
  // The conflict is symmetric: NdisMMapIoSpace (non-cached) over a live
  // MmCached mapping is MM_IO.CACHE_CONFLICT, refused with NDIS_STATUS_FAILURE.
  const u64 mm_va = m.MmMapIoSpace(kNicBar, 0x1000, kCached);
  ASSERT_NE(mm_va, 0u);
  InCallback(m, Callback::MiniportInitializeEx, nic, true, [&] {
    u64 va = 0xBAADF00D;
    EXPECT_EQ(m.NdisMMapIoSpace(&va, nic, kNicBar, 0x1000), kNdisStatusFailure);
    EXPECT_EQ(va, 0u);
    EXPECT_TRUE(OnlyReport(m, RuleId::MmIoCacheConflict));
    EXPECT_EQ(m.live_mapping_count(), 1u);
  });
}

TEST_F(MachineTest, MmIoTeardownInsideStartReportsStartMappings) {
  // Teardown leaves the running start as succeeded, then removes the device.
  ASSERT_EQ(m.EnterCallback(Callback::StartDevice, wdm), ControlStatus::Ok);
  ASSERT_NE(m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached), 0u);
  m.Teardown();
  EXPECT_TRUE(OnlyReport(m, RuleId::MmIoLeak));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, MmIoCallsAfterTeardownAreIgnored) {
  const u64 va = m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached);
  ASSERT_NE(va, 0u);
  m.MmUnmapIoSpace(va, 0x1000);
  m.Teardown();
  m.Teardown();  // idempotent
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.MmMapIoSpace(kWdmBar, 0x1000, kNonCached), 0u);
  m.MmUnmapIoSpace(va, 0x1000);  // would be a double unmap; ignored
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.touched_page_count(), 0u);
}

}  // namespace
}  // namespace ddimap::test
