// UMDF_IO: IWDFDevice3::MapIoSpace / UnmapIoSpace / GetHardwareRegisterMappedAddress
// and the register helpers.
//
// Every rule of the family gets a test that triggers it (exactly one report,
// E_INVALIDARG or nothing done, *pPseudoBaseAddress == 0, state unchanged)
// and a nearby legal call that must stay silent. The expectations follow
// docs/semantics.md ("UMDF_IO", "Address classification", "ACCESS"). Every
// test name starts with "UmdfIo" so that --gtest_filter='*Umdf*' selects this
// file.
#include <string>

#include "fixture.hpp"

namespace ddimap::test {
namespace {

constexpr u64 kNonCached = kMmNonCached;
constexpr u64 kCached = kMmCached;
constexpr u64 kWriteCombined = kMmWriteCombined;
constexpr u64 kTop = ~0ull;                       // 2^64 - 1
constexpr u64 kSentinel = 0xBAADF00DBAADF00Dull;  // pre-set out-value, must be overwritten
constexpr u64 kExtraBar = 0xFEF00000;             // BARs for devices a test creates
constexpr u64 kExtraBarStride = 0x10000;
constexpr u64 kExtraBarLen = 0x1000;
constexpr u32 kUmdf19 = 0x10009;
constexpr u32 kUmdf110 = 0x1000A;
constexpr u32 kUmdf119 = 0x10013;
constexpr u32 kUmdf20 = 0x20000;

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

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

bool InRegion(u64 a, u64 base) { return a >= base && a - base < kDefaultRegionSize; }

// Runs one whole callback: enter, body, leave with the given outcome.
template <typename Body>
void InCallback(Machine& m, Callback cb, u64 object, bool succeeded, Body body) {
  ASSERT_EQ(m.EnterCallback(cb, object), ControlStatus::Ok) << CallbackName(cb);
  body();
  ASSERT_EQ(m.LeaveCallback(succeeded), ControlStatus::Ok) << CallbackName(cb);
}

// A further UMDF device with one memory resource of its own (the index picks
// a BAR that overlaps nothing else).
u64 AddUmdfDevice(Machine& m, int index, u32 version = kUmdf111, bool direct = true,
                  RegisterAccess mode = RegisterAccess::UsingSystemCall) {
  const u64 dev = m.CreateUmdfDevice(version, direct, mode);
  EXPECT_EQ(m.AssignResource(dev, PhysSpace::Memory, kExtraBar + index * kExtraBarStride,
                             kExtraBarLen),
            ControlStatus::Ok);
  return dev;
}
u64 ExtraBar(int index) { return kExtraBar + index * kExtraBarStride; }

// MapIoSpace inside an OnPrepareHardware of dev that succeeds; returns the pseudo base.
u64 PrepareAndMap(Machine& m, u64 dev, u64 pa, u64 len, u64 cache = kNonCached) {
  u64 pseudo = kSentinel;
  InCallback(m, Callback::OnPrepareHardware, dev, true,
             [&] { EXPECT_EQ(m.UmdfMapIoSpace(dev, pa, len, cache, &pseudo), kSOk); });
  EXPECT_NE(pseudo, 0u);
  EXPECT_NE(pseudo, kSentinel);
  return pseudo;
}

// A map call that must be refused: E_INVALIDARG, NULL out-value, nothing new mapped.
::testing::AssertionResult MapRefused(Machine& m, u64 dev, u64 pa, u64 len, u64 cache) {
  const std::size_t before = m.live_mapping_count();
  u64 pseudo = kSentinel;
  const HResult hr = m.UmdfMapIoSpace(dev, pa, len, cache, &pseudo);
  if (hr != kEInvalidArg)
    return ::testing::AssertionFailure() << "hr = 0x" << std::hex << hr << ", want E_INVALIDARG";
  if (pseudo != 0)
    return ::testing::AssertionFailure() << "*pPseudoBaseAddress = 0x" << std::hex << pseudo;
  if (m.live_mapping_count() != before)
    return ::testing::AssertionFailure() << "a refused call changed the mapping count";
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------
// The pseudo address and register access

TEST_F(MachineTest, UmdfIoMapReturnsPseudoAddressWithByteOffset) {
  u64 pseudo = kSentinel;
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [&] {
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar + 0x10, 0x100, kNonCached, &pseudo), kSOk);
  });
  EXPECT_TRUE(NoReports(m));
  EXPECT_TRUE(InRegion(pseudo, kPseudoRegionBase)) << std::hex << pseudo;
  EXPECT_EQ(pseudo & kPageMask, 0x10u);

  const auto live = m.LiveMappings();
  ASSERT_EQ(live.size(), 1u);  // system-call register access: no user view
  EXPECT_EQ(live[0].base, pseudo);
  EXPECT_EQ(live[0].length, 0x100u);
  EXPECT_EQ(live[0].family, Family::UmdfIo);
  EXPECT_EQ(live[0].region, Region::Pseudo);
  EXPECT_EQ(live[0].owner, umdf);
  EXPECT_EQ(live[0].phys, kUmdfBar + 0x10);
  EXPECT_EQ(m.CheckInvariants(), "");
}

TEST_F(MachineTest, UmdfIoPseudoAddressDerefIsRefused) {
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  m.UmdfWriteRegister(umdf, pseudo, 4, 0x11223344);
  ASSERT_TRUE(NoReports(m));

  // A pseudo base is not a pointer: plain reads and writes are refused.
  EXPECT_EQ(m.Read(pseudo, 4), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::AccessPseudoDeref));
  m.ClearReports();
  m.Write(pseudo, 4, 0xFFFFFFFF);
  EXPECT_TRUE(OnlyReport(m, RuleId::AccessPseudoDeref));
  m.ClearReports();
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo, 4), 0x11223344u);  // the write did nothing
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, UmdfIoRegisterHelpersRoundTrip) {
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  m.UmdfWriteRegister(umdf, pseudo + 0x00, 1, 0xAB);
  m.UmdfWriteRegister(umdf, pseudo + 0x02, 2, 0xBEEF);
  m.UmdfWriteRegister(umdf, pseudo + 0x04, 4, 0xCAFEF00D);
  m.UmdfWriteRegister(umdf, pseudo + 0x08, 8, 0x0123456789ABCDEFull);
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo + 0x00, 1), 0xABu);
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo + 0x02, 2), 0xBEEFu);
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo + 0x04, 4), 0xCAFEF00Du);
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo + 0x08, 8), 0x0123456789ABCDEFull);
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo + 0x08, 1), 0xEFu);  // little-endian
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo + 0x10, 4), 0u);     // never written
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, UmdfIoRegisterHelperOfAnotherDeviceIsUnmapped) {
  const u64 other = AddUmdfDevice(m, 0);
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  // Another device's pseudo address is ACCESS.UNMAPPED for this device's helpers.
  EXPECT_EQ(m.UmdfReadRegister(other, pseudo, 4), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::AccessUnmapped));
  EXPECT_EQ(m.report_count(RuleId::UmdfIoUnmapOtherOwner), 0u);
  m.ClearReports();
  m.UmdfWriteRegister(other, pseudo, 4, 5);
  EXPECT_TRUE(OnlyReport(m, RuleId::AccessUnmapped));
  m.ClearReports();
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo, 4), 0u);
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, UmdfIoRegisterHelperWithBadDeviceIsRefused) {
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  EXPECT_EQ(m.UmdfReadRegister(wdm, pseudo, 4), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoBadDevice));
}

TEST_F(MachineTest, UmdfIoRegisterHelperAfterUnmapIsUseAfterUnmap) {
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  InCallback(m, Callback::OnReleaseHardware, umdf, true,
             [&] { m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000); });
  ASSERT_TRUE(NoReports(m));
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo, 4), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::AccessUseAfterUnmap));
}

TEST_F(MachineTest, UmdfIoRegisterHelperPastMappedLengthIsOutOfBounds) {
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x100);
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo + 0xFC, 4), 0u);
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo + 0xFE, 4), 0u);  // straddles the end
  EXPECT_TRUE(OnlyReport(m, RuleId::AccessOutOfBounds));
}

TEST_F(MachineTest, UmdfIoPseudoMappingAliasesMmMappingOfSamePage) {
  // UMDF maps through MmMapIoSpace: the same physical page, the same bytes.
  const u64 va = m.MmMapIoSpace(kUmdfBar, 0x1000, kNonCached);
  ASSERT_NE(va, 0u);
  m.Write(va + 0x20, 4, 0x600DF00D);
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1000, kNonCached);
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo + 0x20, 4), 0x600DF00Du);
  m.UmdfWriteRegister(umdf, pseudo + 0x24, 4, 0x0BADCAFE);
  EXPECT_EQ(m.Read(va + 0x24, 4), 0x0BADCAFEu);
  EXPECT_TRUE(NoReports(m));
}

// ---------------------------------------------------------------------------
// User-mode register mapping and UMDF_IO.NO_USER_MAPPING

TEST_F(MachineTest, UmdfIoUserModeMappingAliasesRegisters) {
  const u64 dev = AddUmdfDevice(m, 0, kUmdf111, true, RegisterAccess::UsingUserModeMapping);
  const u64 pseudo = PrepareAndMap(m, dev, ExtraBar(0), kExtraBarLen);
  const u64 user = m.UmdfGetHardwareRegisterMappedAddress(dev, pseudo);
  ASSERT_NE(user, 0u);
  EXPECT_TRUE(InRegion(user, kUserRegionBase)) << std::hex << user;
  EXPECT_NE(user, pseudo);

  // Both views show the same register bytes, in both directions.
  m.UmdfWriteRegister(dev, pseudo + 0x20, 4, 0xCAFEF00D);
  EXPECT_EQ(m.Read(user + 0x20, 4), 0xCAFEF00Du);
  m.Write(user + 0x24, 4, 7);
  EXPECT_EQ(m.UmdfReadRegister(dev, pseudo + 0x24, 4), 7u);
  EXPECT_TRUE(NoReports(m));

  // The view belongs to the driver host and is readable from any context.
  const u64 proc = m.CreateProcess();
  ASSERT_EQ(m.AttachProcess(proc), ControlStatus::Ok);
  EXPECT_EQ(m.Read(user + 0x20, 4), 0xCAFEF00Du);
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, UmdfIoUserViewIsReleasedWithItsMapping) {
  const u64 dev = AddUmdfDevice(m, 0, kUmdf111, true, RegisterAccess::UsingUserModeMapping);
  const u64 pseudo = PrepareAndMap(m, dev, ExtraBar(0), kExtraBarLen);
  const u64 user = m.UmdfGetHardwareRegisterMappedAddress(dev, pseudo);
  ASSERT_NE(user, 0u);
  InCallback(m, Callback::OnReleaseHardware, dev, true,
             [&] { m.UmdfUnmapIoSpace(dev, pseudo, kExtraBarLen); });
  ASSERT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);  // pseudo mapping and view both gone
  EXPECT_EQ(m.Read(user, 4), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::AccessUseAfterUnmap));
}

TEST_F(MachineTest, UmdfIoUnmapOfUserViewAddressIsNotMapped) {
  // The view is not what MapIoSpace returned; for unmaps it counts as nothing.
  const u64 dev = AddUmdfDevice(m, 0, kUmdf111, true, RegisterAccess::UsingUserModeMapping);
  const u64 pseudo = PrepareAndMap(m, dev, ExtraBar(0), kExtraBarLen);
  const u64 user = m.UmdfGetHardwareRegisterMappedAddress(dev, pseudo);
  ASSERT_NE(user, 0u);
  const std::size_t live = m.live_mapping_count();
  InCallback(m, Callback::OnReleaseHardware, dev, true, [&] {
    m.UmdfUnmapIoSpace(dev, user, kExtraBarLen);
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoUnmapNotMapped));
    EXPECT_EQ(m.live_mapping_count(), live);
    m.ClearReports();
    m.UmdfUnmapIoSpace(dev, pseudo, kExtraBarLen);
  });
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, UmdfIoMappedAddressInSystemCallModeIsNoUserMapping) {
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  EXPECT_EQ(m.UmdfGetHardwareRegisterMappedAddress(umdf, pseudo), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoNoUserMapping));
  EXPECT_EQ(m.live_mapping_count(), 1u);
}

TEST_F(MachineTest, UmdfIoMappedAddressOfNonBaseIsNoUserMapping) {
  const u64 dev = AddUmdfDevice(m, 0, kUmdf111, true, RegisterAccess::UsingUserModeMapping);
  const u64 other = AddUmdfDevice(m, 1, kUmdf111, true, RegisterAccess::UsingUserModeMapping);
  const u64 pseudo = PrepareAndMap(m, dev, ExtraBar(0), kExtraBarLen);
  const u64 other_pseudo = PrepareAndMap(m, other, ExtraBar(1), kExtraBarLen);
  ASSERT_TRUE(NoReports(m));
  // Interior, another device's base, never-mapped, NULL: each refused with NULL.
  for (u64 a : {pseudo + 4, other_pseudo, u64{kPseudoRegionBase + (u64{1} << 40)}, u64{0}}) {
    m.ClearReports();
    EXPECT_EQ(m.UmdfGetHardwareRegisterMappedAddress(dev, a), 0u) << std::hex << a;
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoNoUserMapping)) << std::hex << a;
  }
  // The exact base works.
  m.ClearReports();
  EXPECT_NE(m.UmdfGetHardwareRegisterMappedAddress(dev, pseudo), 0u);
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, UmdfIoMappedAddressOfReleasedBaseIsNoUserMapping) {
  const u64 dev = AddUmdfDevice(m, 0, kUmdf111, true, RegisterAccess::UsingUserModeMapping);
  const u64 pseudo = PrepareAndMap(m, dev, ExtraBar(0), kExtraBarLen);
  InCallback(m, Callback::OnReleaseHardware, dev, true,
             [&] { m.UmdfUnmapIoSpace(dev, pseudo, kExtraBarLen); });
  EXPECT_EQ(m.UmdfGetHardwareRegisterMappedAddress(dev, pseudo), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoNoUserMapping));
}

// ---------------------------------------------------------------------------
// UMDF_IO.BAD_DEVICE

TEST_F(MachineTest, UmdfIoMapWithBadDeviceIsRefused) {
  InCallback(m, Callback::OnPrepareHardware, umdf, false, [&] {
    for (u64 bad : {u64{0}, wdm, nic, MakeHandle(HandleKind::UmdfDevice, 99)}) {
      m.ClearReports();
      EXPECT_TRUE(MapRefused(m, bad, kUmdfBar, 0x1000, kNonCached)) << std::hex << bad;
      EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoBadDevice)) << std::hex << bad;
    }
    // BAD_DEVICE comes before the NULL out-pointer check.
    m.ClearReports();
    EXPECT_EQ(m.UmdfMapIoSpace(0, kUmdfBar, 0x1000, kNonCached, nullptr), kEInvalidArg);
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoBadDevice));
    // The real device in the same callback is fine.
    m.ClearReports();
    u64 pseudo = kSentinel;
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, kNonCached, &pseudo), kSOk);
    m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000);
    EXPECT_TRUE(NoReports(m));
  });
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, UmdfIoUnmapWithBadDeviceIsRefused) {
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  InCallback(m, Callback::OnReleaseHardware, umdf, true, [&] {
    m.UmdfUnmapIoSpace(MakeHandle(HandleKind::UmdfDevice, 99), pseudo, 0x1000);
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoBadDevice));
    EXPECT_EQ(m.live_mapping_count(), 1u);
    m.ClearReports();
    m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000);
    EXPECT_TRUE(NoReports(m));
  });
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, UmdfIoMappedAddressWithBadDeviceIsRefused) {
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  EXPECT_EQ(m.UmdfGetHardwareRegisterMappedAddress(video, pseudo), 0u);
  EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoBadDevice));
}

// ---------------------------------------------------------------------------
// UMDF_IO.VERSION

TEST_F(MachineTest, UmdfIoMapOnUmdf19DeviceIsRefused) {
  const u64 dev = AddUmdfDevice(m, 0, kUmdf19);
  InCallback(m, Callback::OnPrepareHardware, dev, true, [&] {
    EXPECT_TRUE(MapRefused(m, dev, ExtraBar(0), kExtraBarLen, kNonCached));
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoVersion));
  });
}

TEST_F(MachineTest, UmdfIoMapOnUmdf20DeviceIsRefused) {
  const u64 dev = AddUmdfDevice(m, 0, kUmdf20);
  InCallback(m, Callback::OnPrepareHardware, dev, true, [&] {
    EXPECT_TRUE(MapRefused(m, dev, ExtraBar(0), kExtraBarLen, kNonCached));
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoVersion));
  });
}

TEST_F(MachineTest, UmdfIoVersionBoundaries) {
  // [1.11, 2.0): 1.10 and 2.0 are out, 1.11, 1.19 and the last 1.x are in.
  struct Case {
    u32 version;
    bool ok;
  };
  const Case cases[] = {{kUmdf110, false}, {kUmdf111, true}, {kUmdf119, true},
                        {0x1FFFF, true},   {kUmdf20, false}, {0x20021, false}};
  int index = 0;
  for (const Case& c : cases) {
    m.ClearReports();
    const u64 dev = AddUmdfDevice(m, index, c.version);
    InCallback(m, Callback::OnPrepareHardware, dev, true, [&] {
      u64 pseudo = kSentinel;
      const HResult hr = m.UmdfMapIoSpace(dev, ExtraBar(index), kExtraBarLen, kNonCached, &pseudo);
      if (c.ok) {
        EXPECT_EQ(hr, kSOk) << std::hex << c.version;
        EXPECT_TRUE(NoReports(m)) << std::hex << c.version;
        m.UmdfUnmapIoSpace(dev, pseudo, kExtraBarLen);
        EXPECT_TRUE(NoReports(m)) << std::hex << c.version;
      } else {
        EXPECT_EQ(hr, kEInvalidArg) << std::hex << c.version;
        EXPECT_EQ(pseudo, 0u);
        EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoVersion)) << std::hex << c.version;
      }
    });
    ++index;
  }
}

TEST_F(MachineTest, UmdfIoVersionIsCheckedBeforeDirectAccessAndPointer) {
  const u64 dev = AddUmdfDevice(m, 0, kUmdf19, /*direct=*/false);
  InCallback(m, Callback::OnPrepareHardware, dev, true, [&] {
    EXPECT_EQ(m.UmdfMapIoSpace(dev, ExtraBar(0), kExtraBarLen, kNonCached, nullptr), kEInvalidArg);
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoVersion));
  });
}

TEST_F(MachineTest, UmdfIoUnmapAndMappedAddressOnUmdf20DeviceAreRefused) {
  const u64 dev = AddUmdfDevice(m, 0, kUmdf20, true, RegisterAccess::UsingUserModeMapping);
  InCallback(m, Callback::OnPrepareHardware, dev, true, [&] {
    m.UmdfUnmapIoSpace(dev, kPseudoRegionBase, 0x1000);
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoVersion));
    m.ClearReports();
    EXPECT_EQ(m.UmdfGetHardwareRegisterMappedAddress(dev, kPseudoRegionBase), 0u);
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoVersion));
  });
}

// ---------------------------------------------------------------------------
// UMDF_IO.DIRECT_ACCESS

TEST_F(MachineTest, UmdfIoMapWithoutDirectHardwareAccessIsRefused) {
  const u64 dev = AddUmdfDevice(m, 0, kUmdf111, /*direct=*/false);
  InCallback(m, Callback::OnPrepareHardware, dev, true, [&] {
    EXPECT_TRUE(MapRefused(m, dev, ExtraBar(0), kExtraBarLen, kNonCached));
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoDirectAccess));
    // DIRECT_ACCESS comes before the NULL out-pointer check.
    m.ClearReports();
    EXPECT_EQ(m.UmdfMapIoSpace(dev, ExtraBar(0), kExtraBarLen, kNonCached, nullptr), kEInvalidArg);
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoDirectAccess));
  });
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, UmdfIoMapWithDirectHardwareAccessIsLegal) {
  const u64 dev = AddUmdfDevice(m, 0, kUmdf111, /*direct=*/true);
  PrepareAndMap(m, dev, ExtraBar(0), kExtraBarLen);
  EXPECT_TRUE(NoReports(m));
}

// ---------------------------------------------------------------------------
// COMMON.NULL_POINTER

TEST_F(MachineTest, UmdfIoMapWithNullPseudoPointerIsRefused) {
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [&] {
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, kNonCached, nullptr), kEInvalidArg);
    EXPECT_TRUE(OnlyReport(m, RuleId::CommonNullPointer));
    EXPECT_EQ(m.live_mapping_count(), 0u);
    // The same call with an out-pointer works (and proves nothing was mapped:
    // no DUPLICATE_MAPPING).
    m.ClearReports();
    u64 pseudo = kSentinel;
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, kNonCached, &pseudo), kSOk);
    EXPECT_TRUE(NoReports(m));
  });
}

TEST_F(MachineTest, UmdfIoNullPointerIsCheckedBeforeContextAndArguments) {
  // Outside any callback and with PA 0: still only NULL_POINTER.
  EXPECT_EQ(m.UmdfMapIoSpace(umdf, 0, 0, 6, nullptr), kEInvalidArg);
  EXPECT_TRUE(OnlyReport(m, RuleId::CommonNullPointer));
}

// ---------------------------------------------------------------------------
// UMDF_IO.MAP_CONTEXT / UNMAP_CONTEXT

TEST_F(MachineTest, UmdfIoMapOutsideAnyCallbackIsRefused) {
  EXPECT_TRUE(MapRefused(m, umdf, kUmdfBar, 0x1000, kNonCached));
  EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoMapContext));
}

TEST_F(MachineTest, UmdfIoMapInOtherCallbacksIsRefused) {
  // Another device's OnPrepareHardware.
  const u64 other = AddUmdfDevice(m, 0);
  InCallback(m, Callback::OnPrepareHardware, other, true, [&] {
    EXPECT_TRUE(MapRefused(m, umdf, kUmdfBar, 0x1000, kNonCached));
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoMapContext));
  });
  // A WDM start.
  m.ClearReports();
  InCallback(m, Callback::StartDevice, wdm, true, [&] {
    EXPECT_TRUE(MapRefused(m, umdf, kUmdfBar, 0x1000, kNonCached));
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoMapContext));
  });
  // The device's own OnReleaseHardware.
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [] {});
  m.ClearReports();
  InCallback(m, Callback::OnReleaseHardware, umdf, true, [&] {
    EXPECT_TRUE(MapRefused(m, umdf, kUmdfBar, 0x1000, kNonCached));
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoMapContext));
  });
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, UmdfIoMapContextIsCheckedBeforeArguments) {
  EXPECT_TRUE(MapRefused(m, umdf, 0, 0, 6));
  EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoMapContext));
}

TEST_F(MachineTest, UmdfIoUnmapOutsideReleaseIsRefused) {
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000);  // no callback running
  EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoUnmapContext));
  EXPECT_EQ(m.live_mapping_count(), 1u);

  // Another device's OnReleaseHardware is not this device's.
  const u64 other = AddUmdfDevice(m, 0);
  InCallback(m, Callback::OnPrepareHardware, other, true, [] {});
  m.ClearReports();
  InCallback(m, Callback::OnReleaseHardware, other, true, [&] {
    m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000);
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoUnmapContext));
  });
  EXPECT_EQ(m.live_mapping_count(), 1u);

  // The mapping survived and is released the documented way.
  m.ClearReports();
  InCallback(m, Callback::OnReleaseHardware, umdf, true,
             [&] { m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000); });
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, UmdfIoUnmapOnPrepareFailurePathIsLegal) {
  InCallback(m, Callback::OnPrepareHardware, umdf, false, [&] {
    u64 pseudo = kSentinel;
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, kNonCached, &pseudo), kSOk);
    m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000);
  });
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// ---------------------------------------------------------------------------
// UMDF_IO.MAP_ARGS

TEST_F(MachineTest, UmdfIoMapWithBadArgumentsIsRefused) {
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [&] {
    EXPECT_TRUE(MapRefused(m, umdf, 0, 0x1000, kNonCached));  // PA 0
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoMapArgs));
    m.ClearReports();
    EXPECT_TRUE(MapRefused(m, umdf, kUmdfBar, 0, kNonCached));  // length 0
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoMapArgs));
    for (u64 cache : {u64{6}, u64{3}, u64{4}, u64{5}, u64{0xFFFFFFFF}, u64{1} << 32}) {
      m.ClearReports();
      EXPECT_TRUE(MapRefused(m, umdf, kUmdfBar, 0x1000, cache)) << cache;
      EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoMapArgs)) << cache;
    }
  });
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, UmdfIoMapArgsAreCheckedBeforeResource) {
  // PA 0 is RAM and outside every resource; zero length at an unassigned
  // address: the argument check comes first.
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [&] {
    EXPECT_TRUE(MapRefused(m, umdf, 0, 0x1000, kNonCached));
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoMapArgs));
    m.ClearReports();
    EXPECT_TRUE(MapRefused(m, umdf, kUnassigned, 0, kNonCached));
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoMapArgs));
  });
}

TEST_F(MachineTest, UmdfIoDocumentedCacheTypesAreLegal) {
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [&] {
    for (u64 cache : {kNonCached, kCached, kWriteCombined}) {
      u64 pseudo = kSentinel;
      EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, cache, &pseudo), kSOk) << cache;
      m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000);
      EXPECT_TRUE(NoReports(m)) << cache;
    }
  });
}

// ---------------------------------------------------------------------------
// UMDF_IO.OUTSIDE_RESOURCE

TEST_F(MachineTest, UmdfIoMapOutsideResourcesIsRefused) {
  struct Case {
    const char* what;
    u64 pa;
    u64 len;
  };
  const Case cases[] = {
      {"unassigned", kUnassigned, 0x1000},
      {"another device's BAR", kWdmBar, 0x1000},
      {"straddles the end", kUmdfBar + kUmdfBarLen - 0x10, 0x20},
      {"starts before", kUmdfBar - 0x10, 0x20},
      {"covers both BARs and the gap", kUmdfBar, kUmdfBar2 + kUmdfBar2Len - kUmdfBar},
      {"one byte too long", kUmdfBar2, kUmdfBar2Len + 1},
      {"overflow", 0xFFFFFFFFFFFFF000ull, 0x2000},
      {"overflow from the BAR", kUmdfBar, kTop},
      {"RAM", 0x1000, 0x1000},
  };
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [&] {
    for (const Case& c : cases) {
      m.ClearReports();
      EXPECT_TRUE(MapRefused(m, umdf, c.pa, c.len, kNonCached)) << c.what;
      EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoOutsideResource)) << c.what;
      EXPECT_EQ(m.report_count(RuleId::MmIoMapRam), 0u) << c.what;
    }
  });
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, UmdfIoMapInsideResourceIsLegal) {
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [&] {
    u64 pseudo = kSentinel;
    // The whole BAR, then its last byte alone.
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, kUmdfBarLen, kNonCached, &pseudo), kSOk);
    m.UmdfUnmapIoSpace(umdf, pseudo, kUmdfBarLen);
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar + kUmdfBarLen - 1, 1, kNonCached, &pseudo), kSOk);
    m.UmdfUnmapIoSpace(umdf, pseudo, 1);
  });
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// ---------------------------------------------------------------------------
// UMDF_IO.DUPLICATE_MAPPING

TEST_F(MachineTest, UmdfIoSecondMappingOfOneResourceIsRefused) {
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [&] {
    u64 first = kSentinel;
    ASSERT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, kNonCached, &first), kSOk);
    // A different part of the same resource, and the same range again.
    EXPECT_TRUE(MapRefused(m, umdf, kUmdfBar + 0x1000, 0x1000, kNonCached));
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoDuplicateMapping));
    m.ClearReports();
    EXPECT_TRUE(MapRefused(m, umdf, kUmdfBar, 0x1000, kNonCached));
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoDuplicateMapping));
    // With another caching type it is still the duplicate that is reported.
    m.ClearReports();
    EXPECT_TRUE(MapRefused(m, umdf, kUmdfBar, 0x1000, kCached));
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoDuplicateMapping));
    EXPECT_EQ(m.live_mapping_count(), 1u);

    // The other resource is independent.
    m.ClearReports();
    u64 second = kSentinel;
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar2, kUmdfBar2Len, kNonCached, &second), kSOk);
    EXPECT_TRUE(NoReports(m));

    // After an unmap the resource may be mapped again.
    m.UmdfUnmapIoSpace(umdf, first, 0x1000);
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar + 0x1000, 0x1000, kNonCached, &first), kSOk);
    EXPECT_TRUE(NoReports(m));
  });
}

// ---------------------------------------------------------------------------
// MM_IO.CACHE_CONFLICT through UMDF

TEST_F(MachineTest, UmdfIoMapConflictingWithMmCachingTypeIsRefused) {
  const u64 va = m.MmMapIoSpace(kUmdfBar, 0x1000, kCached);
  ASSERT_NE(va, 0u);
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [&] {
    EXPECT_TRUE(MapRefused(m, umdf, kUmdfBar + 0x800, 0x10, kNonCached));
    EXPECT_TRUE(OnlyReport(m, RuleId::MmIoCacheConflict));
    // The matching type is legal.
    m.ClearReports();
    u64 pseudo = kSentinel;
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar + 0x800, 0x10, kCached, &pseudo), kSOk);
    EXPECT_TRUE(NoReports(m));
  });
}

// ---------------------------------------------------------------------------
// Documented E_OUTOFMEMORY status

TEST_F(MachineTest, UmdfIoExhaustedPseudoSpaceIsOutOfMemoryWithoutReport) {
  MachineOptions options;
  options.pseudo_region_size = 0x10000;  // 16 pages
  Machine small(options);
  const u64 dev = small.CreateUmdfDevice(kUmdf111, true, RegisterAccess::UsingSystemCall);
  ASSERT_EQ(small.AssignResource(dev, PhysSpace::Memory, kExtraBar, 0x100000), ControlStatus::Ok);
  ASSERT_EQ(small.AssignResource(dev, PhysSpace::Memory, kExtraBar + 0x200000, 0x1000),
            ControlStatus::Ok);
  ASSERT_EQ(small.EnterCallback(Callback::OnPrepareHardware, dev), ControlStatus::Ok);
  u64 pseudo = kSentinel;
  EXPECT_EQ(small.UmdfMapIoSpace(dev, kExtraBar, 0x100000, kNonCached, &pseudo), kEOutOfMemory);
  EXPECT_EQ(pseudo, 0u);
  EXPECT_TRUE(NoReports(small));
  EXPECT_EQ(small.live_mapping_count(), 0u);
  // 16 pages plus the guard page do not fit either; 15 plus the guard page
  // do, exactly, and the failed calls left nothing behind (no duplicate).
  EXPECT_EQ(small.UmdfMapIoSpace(dev, kExtraBar, 0x10000, kNonCached, &pseudo), kEOutOfMemory);
  EXPECT_EQ(pseudo, 0u);
  EXPECT_EQ(small.UmdfMapIoSpace(dev, kExtraBar, 0xF000, kNonCached, &pseudo), kSOk);
  EXPECT_EQ(pseudo, kPseudoRegionBase);
  // Now the region is full: the other resource cannot be mapped.
  pseudo = kSentinel;
  EXPECT_EQ(small.UmdfMapIoSpace(dev, kExtraBar + 0x200000, 0x1000, kNonCached, &pseudo),
            kEOutOfMemory);
  EXPECT_EQ(pseudo, 0u);
  EXPECT_TRUE(NoReports(small));
  EXPECT_EQ(small.live_mapping_count(), 1u);
}

TEST_F(MachineTest, UmdfIoHugeMappingCostsNoMemory) {
  // A 2^62-byte resource cannot fit in the 16 TiB pseudo region:
  // E_OUTOFMEMORY, no report, no host memory.
  const u64 dev = m.CreateUmdfDevice(kUmdf111, true, RegisterAccess::UsingSystemCall);
  ASSERT_EQ(m.AssignResource(dev, PhysSpace::Memory, 1ull << 62, 1ull << 62), ControlStatus::Ok);
  InCallback(m, Callback::OnPrepareHardware, dev, false, [&] {
    u64 pseudo = kSentinel;
    EXPECT_EQ(m.UmdfMapIoSpace(dev, 1ull << 62, 1ull << 62, kNonCached, &pseudo), kEOutOfMemory);
    EXPECT_EQ(pseudo, 0u);
    // 1 TiB fits and costs nothing until written.
    EXPECT_EQ(m.UmdfMapIoSpace(dev, 1ull << 62, 1ull << 40, kNonCached, &pseudo), kSOk);
    EXPECT_EQ(m.touched_page_count(), 0u);
    EXPECT_EQ(m.UmdfReadRegister(dev, pseudo + (1ull << 40) - 4, 4), 0u);
    EXPECT_EQ(m.touched_page_count(), 0u);
    m.UmdfUnmapIoSpace(dev, pseudo, 1ull << 40);
  });
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// ---------------------------------------------------------------------------
// UMDF_IO.UNMAP_* address classification and UNMAP_LENGTH_MISMATCH

TEST_F(MachineTest, UmdfIoUnmapOfNeverMappedAddressIsRefused) {
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  InCallback(m, Callback::OnReleaseHardware, umdf, true, [&] {
    for (u64 bogus : {u64{kPseudoRegionBase + (u64{1} << 40)}, u64{0},
                      u64{kSystemRegionBase + (u64{1} << 40)}}) {
      m.ClearReports();
      m.UmdfUnmapIoSpace(umdf, bogus, 0x1000);
      EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoUnmapNotMapped)) << std::hex << bogus;
      EXPECT_EQ(m.live_mapping_count(), 1u);
    }
    m.ClearReports();
    m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000);
    EXPECT_TRUE(NoReports(m));
  });
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, UmdfIoUnmapOfInteriorAddressIsRefused) {
  u64 whole = kSentinel, offset = kSentinel;
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [&] {
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x2000, kNonCached, &whole), kSOk);
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar2 + 0x20, 0x10, kNonCached, &offset), kSOk);
  });
  ASSERT_EQ(offset & kPageMask, 0x20u);
  InCallback(m, Callback::OnReleaseHardware, umdf, true, [&] {
    // Inside the first mapping, and the page base of the second instead of
    // its exact base (page base + byte offset); lengths are the right ones.
    const struct {
      u64 address;
      u64 length;
    } cases[] = {{whole + 1, 0x2000}, {whole + 0x1000, 0x2000}, {offset & ~kPageMask, 0x10}};
    for (const auto& c : cases) {
      m.ClearReports();
      m.UmdfUnmapIoSpace(umdf, c.address, c.length);
      EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoUnmapInterior)) << std::hex << c.address;
      EXPECT_EQ(m.live_mapping_count(), 2u);
    }
    m.ClearReports();
    m.UmdfUnmapIoSpace(umdf, whole, 0x2000);
    m.UmdfUnmapIoSpace(umdf, offset, 0x10);
    EXPECT_TRUE(NoReports(m));
  });
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, UmdfIoDoubleUnmapIsRefused) {
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  InCallback(m, Callback::OnReleaseHardware, umdf, true, [&] {
    m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000);
    ASSERT_TRUE(NoReports(m));
    m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000);
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoUnmapDouble));
  });
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, UmdfIoDoubleUnmapReportText) {
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  InCallback(m, Callback::OnReleaseHardware, umdf, true, [&] {
    m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000);
    m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000);
  });
  ASSERT_TRUE(OnlyReport(m, RuleId::UmdfIoUnmapDouble));
  const Report& r = m.reports().front();
  EXPECT_EQ(r.call.id, CallId::UmdfUnmapIoSpace);
  EXPECT_EQ(r.call.args[0], umdf);
  EXPECT_EQ(r.call.args[1], pseudo);
  EXPECT_EQ(r.call.callback, Callback::OnReleaseHardware);
  EXPECT_TRUE(r.has_created);
  EXPECT_TRUE(r.has_released);
  EXPECT_EQ(r.created.id, CallId::UmdfMapIoSpace);
  EXPECT_EQ(r.released.id, CallId::UmdfUnmapIoSpace);
  const std::string text = m.FormatReport(r);
  EXPECT_EQ(FirstLine(text), "ERROR: ddimap: UMDF_IO.UNMAP_DOUBLE in IWDFDevice3::UnmapIoSpace")
      << text;
  EXPECT_NE(text.find("IWDFDevice3::MapIoSpace"), std::string::npos) << text;
}

TEST_F(MachineTest, UmdfIoUnmapOfAnotherDevicesMappingIsRefused) {
  const u64 other = AddUmdfDevice(m, 0);
  const u64 mine = PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  const u64 theirs = PrepareAndMap(m, other, ExtraBar(0), kExtraBarLen);
  ASSERT_TRUE(NoReports(m));
  InCallback(m, Callback::OnReleaseHardware, umdf, true, [&] {
    m.UmdfUnmapIoSpace(umdf, theirs, kExtraBarLen);
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoUnmapOtherOwner));
    EXPECT_EQ(m.live_mapping_count(), 2u);
    // Another owner's interior: the owner is reported, not the interior.
    m.ClearReports();
    m.UmdfUnmapIoSpace(umdf, theirs + 4, kExtraBarLen);
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoUnmapOtherOwner));
    EXPECT_EQ(m.live_mapping_count(), 2u);
    m.ClearReports();
    m.UmdfUnmapIoSpace(umdf, mine, 0x1000);
  });
  EXPECT_TRUE(NoReports(m));
  // The other device's mapping survived and is released by its owner.
  InCallback(m, Callback::OnReleaseHardware, other, true,
             [&] { m.UmdfUnmapIoSpace(other, theirs, kExtraBarLen); });
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, UmdfIoUnmapOfMmMappingIsOtherFamily) {
  const u64 va = m.MmMapIoSpace(kUmdfBar, 0x1000, kNonCached);
  ASSERT_NE(va, 0u);
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar2, 0x1000);
  InCallback(m, Callback::OnReleaseHardware, umdf, true, [&] {
    m.UmdfUnmapIoSpace(umdf, va, 0x1000);
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoUnmapOtherFamily));
    m.ClearReports();
    m.UmdfUnmapIoSpace(umdf, va + 0x10, 0x1000);  // interior: still other family
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoUnmapOtherFamily));
    EXPECT_EQ(m.live_mapping_count(), 2u);
    m.ClearReports();
    m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000);
  });
  EXPECT_TRUE(NoReports(m));
  m.MmUnmapIoSpace(va, 0x1000);
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, UmdfIoUnmapOfNdisMappingIsOtherFamily) {
  u64 ndis_va = 0;
  InCallback(m, Callback::MiniportInitializeEx, nic, true, [&] {
    EXPECT_EQ(m.NdisMMapIoSpace(&ndis_va, nic, kNicBar, 0x1000), kNdisStatusSuccess);
  });
  ASSERT_NE(ndis_va, 0u);
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [] {});
  InCallback(m, Callback::OnReleaseHardware, umdf, true, [&] {
    m.UmdfUnmapIoSpace(umdf, ndis_va, 0x1000);
    EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoUnmapOtherFamily));
  });
  EXPECT_EQ(m.live_mapping_count(), 1u);
}

TEST_F(MachineTest, UmdfIoUnmapWithWrongLengthIsSkipped) {
  const u64 pseudo = PrepareAndMap(m, umdf, kUmdfBar, 0x1800);
  InCallback(m, Callback::OnReleaseHardware, umdf, true, [&] {
    for (u64 n : {u64{0x1000}, u64{0x2000}, u64{0x1801}, u64{0}, kTop}) {
      m.ClearReports();
      m.UmdfUnmapIoSpace(umdf, pseudo, n);
      EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoUnmapLengthMismatch)) << std::hex << n;
      EXPECT_EQ(m.live_mapping_count(), 1u);
    }
    m.ClearReports();
    m.UmdfUnmapIoSpace(umdf, pseudo, 0x1800);
    EXPECT_TRUE(NoReports(m));
  });
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// ---------------------------------------------------------------------------
// UMDF_IO.LEAK

TEST_F(MachineTest, UmdfIoMappingsLeakedAtReleaseHardware) {
  InCallback(m, Callback::OnPrepareHardware, umdf, true, [&] {
    u64 a = kSentinel, b = kSentinel;
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, kUmdfBarLen, kNonCached, &a), kSOk);
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar2, kUmdfBar2Len, kNonCached, &b), kSOk);
  });
  InCallback(m, Callback::OnReleaseHardware, umdf, true, [] {});
  EXPECT_EQ(m.report_count(RuleId::UmdfIoLeak), 2u) << DumpReports(m);
  EXPECT_EQ(m.reports().size(), 2u);
  EXPECT_EQ(m.live_mapping_count(), 0u);

  // Released by the core: a new prepare may map the BAR again (no
  // DUPLICATE_MAPPING), and unmapping it properly leaves nothing to report.
  m.ClearReports();
  const u64 again = PrepareAndMap(m, umdf, kUmdfBar, kUmdfBarLen);
  InCallback(m, Callback::OnReleaseHardware, umdf, true,
             [&] { m.UmdfUnmapIoSpace(umdf, again, kUmdfBarLen); });
  m.Teardown();
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, UmdfIoMappingLeakedByFailingPrepare) {
  InCallback(m, Callback::OnPrepareHardware, umdf, false, [&] {
    u64 pseudo = kSentinel;
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, kNonCached, &pseudo), kSOk);
  });
  EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoLeak));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  // The device is back to "created" and the resource is free again.
  m.ClearReports();
  PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, UmdfIoMappingOfPreparedDeviceLeaksAtTeardown) {
  PrepareAndMap(m, umdf, kUmdfBar, 0x1000);
  m.Teardown();  // releases hardware: the mapping leaks there
  EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoLeak));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

TEST_F(MachineTest, UmdfIoLeakedUserModeMappingReleasesItsView) {
  const u64 dev = AddUmdfDevice(m, 0, kUmdf111, true, RegisterAccess::UsingUserModeMapping);
  const u64 pseudo = PrepareAndMap(m, dev, ExtraBar(0), kExtraBarLen);
  const u64 user = m.UmdfGetHardwareRegisterMappedAddress(dev, pseudo);
  ASSERT_NE(user, 0u);
  InCallback(m, Callback::OnReleaseHardware, dev, true, [] {});
  EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoLeak));  // one mapping, one report
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// ---------------------------------------------------------------------------
// The documented lifecycle, start to finish, without a report

TEST_F(MachineTest, UmdfIoCorrectLifecycleIsClean) {
  for (int round = 0; round < 2; ++round) {
    u64 bar1 = kSentinel, bar2 = kSentinel;
    InCallback(m, Callback::OnPrepareHardware, umdf, true, [&] {
      EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, kUmdfBarLen, kNonCached, &bar1), kSOk);
      EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar2, kUmdfBar2Len, kNonCached, &bar2), kSOk);
    });
    m.UmdfWriteRegister(umdf, bar1 + 0x100, 4, 0x1234 + round);
    EXPECT_EQ(m.UmdfReadRegister(umdf, bar1 + 0x100, 4), 0x1234u + round);
    EXPECT_EQ(m.UmdfReadRegister(umdf, bar2 + kUmdfBar2Len - 8, 8), 0u);
    EXPECT_EQ(m.live_mapping_count(), 2u);
    InCallback(m, Callback::OnReleaseHardware, umdf, true, [&] {
      m.UmdfUnmapIoSpace(umdf, bar1, kUmdfBarLen);
      m.UmdfUnmapIoSpace(umdf, bar2, kUmdfBar2Len);
    });
    EXPECT_EQ(m.live_mapping_count(), 0u);
  }
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.CheckInvariants(), "");

  m.Teardown();
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.touched_page_count(), 0u);
}

TEST_F(MachineTest, UmdfIoCorrectUserModeLifecycleIsClean) {
  const u64 dev = AddUmdfDevice(m, 0, kUmdf111, true, RegisterAccess::UsingUserModeMapping);
  const u64 pseudo = PrepareAndMap(m, dev, ExtraBar(0), kExtraBarLen);
  const u64 user = m.UmdfGetHardwareRegisterMappedAddress(dev, pseudo);
  ASSERT_NE(user, 0u);
  m.Write(user, 4, 9);
  EXPECT_EQ(m.UmdfReadRegister(dev, pseudo, 4), 9u);
  InCallback(m, Callback::OnReleaseHardware, dev, true,
             [&] { m.UmdfUnmapIoSpace(dev, pseudo, kExtraBarLen); });
  m.Teardown();
  EXPECT_TRUE(NoReports(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  EXPECT_EQ(m.touched_page_count(), 0u);
}

TEST_F(MachineTest, UmdfIoUserViewKeepsTheByteOffset) {
  // The view corresponds to the pseudo base, byte offset included.
  const u64 dev = AddUmdfDevice(m, 0, kUmdf111, true, RegisterAccess::UsingUserModeMapping);
  const u64 pseudo = PrepareAndMap(m, dev, ExtraBar(0) + 0x10, 0x20);
  ASSERT_EQ(pseudo & kPageMask, 0x10u);
  const u64 user = m.UmdfGetHardwareRegisterMappedAddress(dev, pseudo);
  ASSERT_NE(user, 0u);
  EXPECT_EQ(user & kPageMask, 0x10u);
  m.UmdfWriteRegister(dev, pseudo + 4, 4, 0xFEEDFACE);
  EXPECT_EQ(m.Read(user + 4, 4), 0xFEEDFACEu);
  EXPECT_TRUE(NoReports(m));
}

TEST_F(MachineTest, UmdfIoTeardownInsidePrepareReportsLeak) {
  // Teardown leaves the running OnPrepareHardware as succeeded, then releases
  // the hardware: the mapping leaks there.
  ASSERT_EQ(m.EnterCallback(Callback::OnPrepareHardware, umdf), ControlStatus::Ok);
  u64 pseudo = kSentinel;
  ASSERT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, kNonCached, &pseudo), kSOk);
  m.Teardown();
  EXPECT_TRUE(OnlyReport(m, RuleId::UmdfIoLeak));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

}  // namespace
}  // namespace ddimap::test
