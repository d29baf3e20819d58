// NDIS_FILE: NdisOpenFile / NdisMapFile / NdisUnmapFile / NdisCloseFile.
//
// Every rule of the family is triggered once next to a legal call that must
// stay silent; every documented status is produced; refused calls are checked
// to leave the file as it was. Check order and refusal values follow
// docs/semantics.md, section NDIS_FILE.
#include <optional>
#include <string>
#include <string_view>

#include "fixture.hpp"

namespace ddimap::test {
namespace {

constexpr u64 kAnyAddress = ~0ull;  // NDIS_PHYSICAL_ADDRESS_CONST(-1, -1)
constexpr u64 kPoison = 0xDEADBEEFDEADBEEFull;
constexpr NdisStatus kPoisonStatus = 0xDEADBEEF;
constexpr u32 kPoisonLen = 0xDEADBEEF;

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

// Files are opened and mapped during MiniportInitializeEx.
void EnterInit(Machine& m, u64 adapter) {
  ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, adapter), ControlStatus::Ok);
}
void Leave(Machine& m, bool ok = true) { ASSERT_EQ(m.LeaveCallback(ok), ControlStatus::Ok); }

// What NdisOpenFile wrote back.
struct Opened {
  NdisStatus ret = 0;     // the function's return value
  NdisStatus status = 0;  // *Status
  u64 handle = 0;         // *FileHandle
  u32 length = 0;         // *FileLength
};

Opened Open(Machine& m, std::optional<std::string_view> name, u64 highest = kAnyAddress) {
  Opened o;
  o.status = kPoisonStatus;
  o.handle = kPoison;
  o.length = kPoisonLen;
  o.ret = m.NdisOpenFile(&o.status, &o.handle, &o.length, name, highest);
  return o;
}

// NdisOpenFile that must succeed; returns the handle.
u64 OpenOk(Machine& m, std::string_view name = "firmware.bin") {
  Opened o = Open(m, name);
  EXPECT_EQ(o.ret, kNdisStatusSuccess) << name;
  EXPECT_EQ(o.status, kNdisStatusSuccess) << name;
  EXPECT_NE(o.handle, 0u);
  EXPECT_NE(o.handle, kPoison);
  return o.handle;
}

// NdisOpenFile that must fail with `expected`, writing NULL handle and length 0.
void OpenFails(Machine& m, std::optional<std::string_view> name, NdisStatus expected,
               u64 highest = kAnyAddress) {
  Opened o = Open(m, name, highest);
  EXPECT_EQ(o.ret, expected);
  EXPECT_EQ(o.status, expected);
  EXPECT_EQ(o.handle, 0u) << "a failing NdisOpenFile writes a NULL handle";
  EXPECT_EQ(o.length, 0u) << "a failing NdisOpenFile writes length 0";
}

struct Mapped {
  NdisStatus ret = 0;
  NdisStatus status = 0;
  u64 buffer = 0;
};

Mapped Map(Machine& m, u64 file) {
  Mapped r;
  r.status = kPoisonStatus;
  r.buffer = kPoison;
  r.ret = m.NdisMapFile(&r.status, &r.buffer, file);
  return r;
}

// NdisMapFile that must succeed; returns the buffer address.
u64 MapOk(Machine& m, u64 file) {
  Mapped r = Map(m, file);
  EXPECT_EQ(r.ret, kNdisStatusSuccess);
  EXPECT_EQ(r.status, kNdisStatusSuccess);
  EXPECT_NE(r.buffer, 0u);
  EXPECT_NE(r.buffer, kPoison);
  return r.buffer;
}

// NdisMapFile that must fail with `expected` and a NULL buffer.
void MapFails(Machine& m, u64 file, NdisStatus expected) {
  Mapped r = Map(m, file);
  EXPECT_EQ(r.ret, expected);
  EXPECT_EQ(r.status, expected);
  EXPECT_EQ(r.buffer, 0u) << "a failing NdisMapFile writes a NULL buffer";
}

// The file's bytes as seen through a buffer, 8 at a time (the tail bytewise).
std::string Bytes(Machine& m, u64 buffer, u32 length) {
  std::string out;
  u32 i = 0;
  for (; i + 8 <= length; i += 8) {
    u64 v = m.Read(buffer + i, 8);
    for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xFF));
  }
  for (; i < length; ++i) out.push_back(static_cast<char>(m.Read(buffer + i, 1)));
  return out;
}

// ---------------------------------------------------------------------------
// Statuses of NdisOpenFile
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisFileOpenReturnsHandleAndLength) {
  EnterInit(m, nic);
  Opened o = Open(m, "firmware.bin");
  EXPECT_EQ(o.ret, kNdisStatusSuccess);
  EXPECT_EQ(o.status, kNdisStatusSuccess);
  EXPECT_TRUE(HandleIs(o.handle, HandleKind::File)) << std::hex << o.handle;
  EXPECT_EQ(o.length, kFirmwareLen);
  // Opening does not map anything.
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.NdisCloseFile(o.handle);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// The same file opened twice gives two distinct handles.
TEST_F(MachineTest, NdisFileOpenTwiceGivesDistinctHandles) {
  EnterInit(m, nic);
  u64 a = OpenOk(m);
  u64 b = OpenOk(m);
  EXPECT_NE(a, b);
  m.NdisCloseFile(a);
  m.NdisCloseFile(b);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// A name not in the file table: a status, no report, nothing left open.
TEST_F(MachineTest, NdisFileOpenUnknownNameIsFileNotFound) {
  EnterInit(m, nic);
  OpenFails(m, "missing.bin", kNdisStatusFileNotFound);
  OpenFails(m, "", kNdisStatusFileNotFound);
  OpenFails(m, "FIRMWARE.BIN.old", kNdisStatusFileNotFound);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));  // in particular no NDIS_FILE.LEAK
}

// NDIS cannot place the buffer below 1 MiB: HighestAcceptableAddress below
// 0xFFFFF is NDIS_STATUS_RESOURCES; 0xFFFFF itself is acceptable.
TEST_F(MachineTest, NdisFileOpenWithLowHighestAddressIsResources) {
  EnterInit(m, nic);
  OpenFails(m, "firmware.bin", kNdisStatusResources, 0xFFFFE);
  OpenFails(m, "firmware.bin", kNdisStatusResources, 0);
  Opened ok = Open(m, "firmware.bin", 0xFFFFF);
  EXPECT_EQ(ok.ret, kNdisStatusSuccess);
  EXPECT_EQ(ok.length, kFirmwareLen);
  m.NdisCloseFile(ok.handle);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// At the open-file limit NdisOpenFile says RESOURCES; closing frees a slot.
TEST_F(MachineTest, NdisFileOpenBeyondLimitIsResources) {
  MachineOptions o;
  o.max_open_files = 2;
  Machine small(o);
  u64 a = small.CreateNdisAdapter();
  ASSERT_EQ(small.AddFile("a.bin", 10, true), ControlStatus::Ok);
  ASSERT_EQ(small.AddFile("b.bin", 20, true), ControlStatus::Ok);
  ASSERT_EQ(small.AddFile("c.bin", 30, true), ControlStatus::Ok);
  EnterInit(small, a);
  u64 fa = OpenOk(small, "a.bin");
  u64 fb = OpenOk(small, "b.bin");
  OpenFails(small, "c.bin", kNdisStatusResources);
  // An unknown name is still FILE_NOT_FOUND (that check comes first).
  OpenFails(small, "d.bin", kNdisStatusFileNotFound);
  EXPECT_TRUE(Clean(small));
  small.NdisCloseFile(fa);
  Opened c = Open(small, "c.bin");
  EXPECT_EQ(c.ret, kNdisStatusSuccess);
  EXPECT_EQ(c.length, 30u);
  small.NdisCloseFile(fb);
  small.NdisCloseFile(c.handle);
  Leave(small, true);
  small.Teardown();
  EXPECT_TRUE(Clean(small));
}

// A file marked unreadable: ERROR_READING_FILE, no report, nothing open.
TEST_F(MachineTest, NdisFileOpenUnreadableIsErrorReadingFile) {
  EnterInit(m, nic);
  OpenFails(m, "broken.bin", kNdisStatusErrorReadingFile);
  // RESOURCES (low address) is checked before readability.
  OpenFails(m, "broken.bin", kNdisStatusResources, 0x1000);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// ---------------------------------------------------------------------------
// NdisMapFile: SUCCESS, ALREADY_MAPPED and the map/unmap alternation
// ---------------------------------------------------------------------------

// The buffer is a system address holding exactly FileLength bytes.
TEST_F(MachineTest, NdisFileMapGivesReadableBufferOfFileLength) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  u64 buf = MapOk(m, f);
  EXPECT_GE(buf, kSystemRegionBase);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  (void)m.Read(buf, 8);
  (void)m.Read(buf + kFirmwareLen - 1, 1);
  EXPECT_TRUE(Clean(m));
  // One byte past the file is out of bounds (ACCESS, not NDIS_FILE).
  EXPECT_EQ(m.Read(buf + kFirmwareLen, 1), 0u);
  EXPECT_TRUE(Only(m, RuleId::AccessOutOfBounds));
  m.ClearReports();
  m.NdisUnmapFile(f);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.NdisCloseFile(f);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// A second map while one is outstanding is a documented status, not a
// violation; the first mapping is untouched.
TEST_F(MachineTest, NdisFileSecondMapIsAlreadyMapped) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  u64 buf = MapOk(m, f);
  const std::string before = Bytes(m, buf, 64);
  MapFails(m, f, kNdisStatusAlreadyMapped);
  MapFails(m, f, kNdisStatusAlreadyMapped);
  EXPECT_TRUE(Clean(m));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  EXPECT_EQ(Bytes(m, buf, 64), before);
  m.NdisUnmapFile(f);
  m.NdisCloseFile(f);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// Map, unmap, map again: a fresh address with the same bytes; the old buffer
// is stale and reading it is ACCESS.USE_AFTER_UNMAP.
TEST_F(MachineTest, NdisFileMapUnmapAlternationGivesFreshMapping) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  u64 first = MapOk(m, f);
  const std::string bytes = Bytes(m, first, kFirmwareLen);
  ASSERT_EQ(bytes.size(), kFirmwareLen);
  m.NdisUnmapFile(f);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  u64 second = MapOk(m, f);
  EXPECT_NE(second, first);
  EXPECT_EQ(Bytes(m, second, kFirmwareLen), bytes);
  EXPECT_TRUE(Clean(m));

  EXPECT_EQ(m.Read(first, 4), 0u);
  EXPECT_TRUE(Only(m, RuleId::AccessUseAfterUnmap));
  const Report& r = m.reports()[0];
  EXPECT_TRUE(r.has_created);
  EXPECT_TRUE(r.has_released);
  EXPECT_EQ(r.created.id, CallId::NdisMapFile);
  EXPECT_EQ(r.released.id, CallId::NdisUnmapFile);

  // A third round still alternates legally.
  m.ClearReports();
  m.NdisUnmapFile(f);
  u64 third = MapOk(m, f);
  EXPECT_NE(third, second);
  m.NdisUnmapFile(f);
  m.NdisCloseFile(f);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// The bytes are a function of the file: two handles to one file agree.
TEST_F(MachineTest, NdisFileTwoHandlesSeeTheSameBytes) {
  EnterInit(m, nic);
  u64 a = OpenOk(m);
  u64 b = OpenOk(m);
  u64 ba = MapOk(m, a);
  u64 bb = MapOk(m, b);  // a different handle is not ALREADY_MAPPED
  EXPECT_NE(ba, bb);
  EXPECT_EQ(Bytes(m, ba, kFirmwareLen), Bytes(m, bb, kFirmwareLen));
  m.NdisUnmapFile(a);
  m.NdisUnmapFile(b);
  m.NdisCloseFile(a);
  m.NdisCloseFile(b);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// ---------------------------------------------------------------------------
// NDIS_FILE.IRQL
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisFileOpenAbovePassiveReportsIrql) {
  EnterInit(m, nic);
  ASSERT_EQ(m.SetIrql(kApcLevel), ControlStatus::Ok);
  OpenFails(m, "firmware.bin", kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisFileIrql));
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  m.ClearReports();
  m.NdisCloseFile(OpenOk(m));
  Leave(m, true);
  EXPECT_TRUE(Clean(m));  // the refused open left nothing to leak
}

// NdisMapFile is legal up to DISPATCH_LEVEL, reported above it.
TEST_F(MachineTest, NdisFileMapAtDispatchIsLegalAboveIsIrql) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  u64 buf = MapOk(m, f);
  (void)m.Read(buf, 4);
  EXPECT_TRUE(Clean(m));
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  m.NdisUnmapFile(f);
  EXPECT_TRUE(Clean(m));

  ASSERT_EQ(m.SetIrql(kDispatchLevel + 1), ControlStatus::Ok);
  MapFails(m, f, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisFileIrql));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  // Refused, so the file is not mapped: unmapping now would be
  // UNMAP_NOT_MAPPED, and a new map succeeds.
  m.ClearReports();
  MapOk(m, f);
  m.NdisUnmapFile(f);
  m.NdisCloseFile(f);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

TEST_F(MachineTest, NdisFileUnmapAbovePassiveReportsIrqlAndKeepsMapping) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  u64 buf = MapOk(m, f);
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  m.NdisUnmapFile(f);
  EXPECT_TRUE(Only(m, RuleId::NdisFileIrql));
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  m.ClearReports();
  // Still mapped: the buffer reads, a second map is ALREADY_MAPPED.
  (void)m.Read(buf, 4);
  MapFails(m, f, kNdisStatusAlreadyMapped);
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.NdisUnmapFile(f);
  m.NdisCloseFile(f);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

TEST_F(MachineTest, NdisFileCloseAbovePassiveReportsIrqlAndKeepsFile) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  ASSERT_EQ(m.SetIrql(kApcLevel), ControlStatus::Ok);
  m.NdisCloseFile(f);
  EXPECT_TRUE(Only(m, RuleId::NdisFileIrql));
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  m.ClearReports();
  // The handle is still open: it maps.
  MapOk(m, f);
  m.NdisUnmapFile(f);
  m.NdisCloseFile(f);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// ---------------------------------------------------------------------------
// NDIS_FILE.CONTEXT
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisFileOpenOutsideInitializeReportsContext) {
  // No callback at all.
  OpenFails(m, "firmware.bin", kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisFileContext));
  // A running adapter, outside any callback.
  EnterInit(m, nic);
  Leave(m, true);
  OpenFails(m, "firmware.bin", kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisFileContext, 2));
  // MiniportHaltEx is not MiniportInitializeEx.
  ASSERT_EQ(m.EnterCallback(Callback::MiniportHaltEx, nic), ControlStatus::Ok);
  OpenFails(m, "firmware.bin", kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisFileContext, 3));
  Leave(m, true);
  // Another family's callback.
  ASSERT_EQ(m.EnterCallback(Callback::StartDevice, wdm), ControlStatus::Ok);
  OpenFails(m, "firmware.bin", kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisFileContext, 4));
  Leave(m, true);
  // Any adapter's MiniportInitializeEx is the right place.
  m.ClearReports();
  EnterInit(m, nic2);
  m.NdisCloseFile(OpenOk(m));
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// NdisMapFile's CONTEXT check cannot be reached with a live handle: files are
// opened only in MiniportInitializeEx and closed (as leaks) when it returns,
// and the handle check comes first. After MiniportInitializeEx the leaked
// handle is therefore CLOSED_HANDLE, not CONTEXT.
// A leaked file stays open (docs/semantics.md), so mapping it after
// MiniportInitializeEx returned is the context violation.
TEST_F(MachineTest, NdisFileMapAfterInitializeIsContextViolation) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  Leave(m, true);
  ASSERT_TRUE(Only(m, RuleId::NdisFileLeak));
  m.ClearReports();
  MapFails(m, f, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisFileContext));
}

// ---------------------------------------------------------------------------
// NDIS_FILE.LEAK
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisFileOpenAtSuccessfulInitializeEndReportsLeak) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  Leave(m, true);
  EXPECT_TRUE(Only(m, RuleId::NdisFileLeak));
  // The handle stays valid: closing it late is legal and silent.
  m.ClearReports();
  m.NdisCloseFile(f);
  EXPECT_TRUE(Clean(m));
  m.NdisCloseFile(f);
  EXPECT_TRUE(Only(m, RuleId::NdisFileClosedHandle));
  m.ClearReports();
  m.Teardown();
  EXPECT_TRUE(Clean(m));  // reported once
}

TEST_F(MachineTest, NdisFileOpenAtFailingInitializeEndReportsLeak) {
  EnterInit(m, nic);
  OpenOk(m);
  OpenOk(m, "firmware.bin");
  Leave(m, false);
  EXPECT_TRUE(Only(m, RuleId::NdisFileLeak, 2));
  m.Teardown();
  EXPECT_TRUE(Only(m, RuleId::NdisFileLeak, 2));
}

// A file leaked while mapped: one LEAK; file and buffer stay usable until
// teardown, which releases them without a second report.
TEST_F(MachineTest, NdisFileMappedFileAtInitializeEndLeaksOnceAndStaysMapped) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  u64 buf = MapOk(m, f);
  u64 first = m.Read(buf, 1);
  Leave(m, true);
  EXPECT_TRUE(Only(m, RuleId::NdisFileLeak));
  EXPECT_EQ(m.live_mapping_count(), 1u);
  m.ClearReports();
  EXPECT_EQ(m.Read(buf, 1), first);
  EXPECT_TRUE(Clean(m));
  m.Teardown();
  EXPECT_TRUE(Clean(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// Teardown leaves the running MiniportInitializeEx: the open file leaks there, once.
TEST_F(MachineTest, NdisFileTeardownDuringInitializeReportsLeakOnce) {
  EnterInit(m, nic);
  OpenOk(m);
  m.Teardown();
  EXPECT_TRUE(Only(m, RuleId::NdisFileLeak));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// Closing before MiniportInitializeEx returns is silent.
TEST_F(MachineTest, NdisFileClosedBeforeInitializeEndHasNoLeak) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  MapOk(m, f);
  m.NdisUnmapFile(f);
  m.NdisCloseFile(f);
  Leave(m, false);
  m.Teardown();
  EXPECT_TRUE(Clean(m));
}

// ---------------------------------------------------------------------------
// NDIS_FILE.BAD_HANDLE and NDIS_FILE.CLOSED_HANDLE
// ---------------------------------------------------------------------------

// Values NdisOpenFile never returned: garbage, other objects, unused serials.
TEST_F(MachineTest, NdisFileNeverOpenedHandleReportsBadHandle) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  const u64 bad[] = {0, 0x1234, nic, wdm, MakeHandle(HandleKind::File, 1000), ~0ull};
  std::size_t n = 0;
  for (u64 h : bad) {
    MapFails(m, h, kNdisStatusFailure);
    m.NdisUnmapFile(h);
    m.NdisCloseFile(h);
    n += 3;
    EXPECT_TRUE(Only(m, RuleId::NdisFileBadHandle, n)) << "handle " << std::hex << h;
  }
  // The real handle is untouched by all that.
  m.ClearReports();
  EXPECT_EQ(m.live_mapping_count(), 0u);
  MapOk(m, f);
  m.NdisUnmapFile(f);
  m.NdisCloseFile(f);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// A handle that was closed is told apart from one never opened.
TEST_F(MachineTest, NdisFileClosedHandleReportsClosedHandle) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  m.NdisCloseFile(f);
  EXPECT_TRUE(Clean(m));
  MapFails(m, f, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisFileClosedHandle));
  m.NdisUnmapFile(f);
  EXPECT_TRUE(Only(m, RuleId::NdisFileClosedHandle, 2));
  m.NdisCloseFile(f);  // double close
  EXPECT_TRUE(Only(m, RuleId::NdisFileClosedHandle, 3));
  // The next serial was never handed out: BAD_HANDLE, not CLOSED_HANDLE.
  m.ClearReports();
  m.NdisCloseFile(MakeHandle(HandleKind::File, HandleSerial(f) + 100));
  EXPECT_TRUE(Only(m, RuleId::NdisFileBadHandle));
  Leave(m, true);
  EXPECT_TRUE(Only(m, RuleId::NdisFileBadHandle));  // no leak
}

// ---------------------------------------------------------------------------
// NDIS_FILE.UNMAP_NOT_MAPPED
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisFileUnmapWithoutMapReportsNotMapped) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  m.NdisUnmapFile(f);
  EXPECT_TRUE(Only(m, RuleId::NdisFileUnmapNotMapped));
  // The legal order is silent, and a second unmap is again not mapped.
  m.ClearReports();
  MapOk(m, f);
  m.NdisUnmapFile(f);
  EXPECT_TRUE(Clean(m));
  m.NdisUnmapFile(f);
  EXPECT_TRUE(Only(m, RuleId::NdisFileUnmapNotMapped));
  // State unchanged: the file still maps normally.
  m.ClearReports();
  MapOk(m, f);
  m.NdisUnmapFile(f);
  m.NdisCloseFile(f);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// ---------------------------------------------------------------------------
// NDIS_FILE.CLOSE_WHILE_MAPPED
// ---------------------------------------------------------------------------

// Reported, and then the call goes on: the file is unmapped and closed.
TEST_F(MachineTest, NdisFileCloseWhileMappedReportsThenUnmapsAndCloses) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  u64 buf = MapOk(m, f);
  m.NdisCloseFile(f);
  EXPECT_TRUE(Only(m, RuleId::NdisFileCloseWhileMapped));
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.ClearReports();
  // Unmapped: the buffer is stale.
  EXPECT_EQ(m.Read(buf, 4), 0u);
  EXPECT_TRUE(Only(m, RuleId::AccessUseAfterUnmap));
  m.ClearReports();
  // Closed: the handle is a closed one.
  m.NdisUnmapFile(f);
  EXPECT_TRUE(Only(m, RuleId::NdisFileClosedHandle));
  m.ClearReports();
  // Nothing is left to leak.
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// ---------------------------------------------------------------------------
// COMMON.NULL_POINTER
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisFileOpenNullStatusReportsNullPointer) {
  EnterInit(m, nic);
  u64 h = kPoison;
  u32 len = kPoisonLen;
  EXPECT_EQ(m.NdisOpenFile(nullptr, &h, &len, "firmware.bin", kAnyAddress), kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::CommonNullPointer));
  EXPECT_EQ(h, 0u);
  EXPECT_EQ(len, 0u);
  Leave(m, true);
  EXPECT_TRUE(Only(m, RuleId::CommonNullPointer));  // nothing was opened
}

TEST_F(MachineTest, NdisFileOpenNullFileHandleReportsNullPointer) {
  EnterInit(m, nic);
  NdisStatus st = kPoisonStatus;
  u32 len = kPoisonLen;
  EXPECT_EQ(m.NdisOpenFile(&st, nullptr, &len, "firmware.bin", kAnyAddress), kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::CommonNullPointer));
  EXPECT_EQ(st, kNdisStatusFailure);
  EXPECT_EQ(len, 0u);
  Leave(m, true);
  EXPECT_TRUE(Only(m, RuleId::CommonNullPointer));
}

TEST_F(MachineTest, NdisFileOpenNullFileLengthReportsNullPointer) {
  EnterInit(m, nic);
  NdisStatus st = kPoisonStatus;
  u64 h = kPoison;
  EXPECT_EQ(m.NdisOpenFile(&st, &h, nullptr, "firmware.bin", kAnyAddress), kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::CommonNullPointer));
  EXPECT_EQ(st, kNdisStatusFailure);
  EXPECT_EQ(h, 0u);
  Leave(m, true);
  EXPECT_TRUE(Only(m, RuleId::CommonNullPointer));
}

TEST_F(MachineTest, NdisFileOpenNullFileNameReportsNullPointer) {
  EnterInit(m, nic);
  OpenFails(m, std::nullopt, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::CommonNullPointer));
  m.ClearReports();
  m.NdisCloseFile(OpenOk(m));  // the same call with a name is fine
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// The out-pointers are checked first (before IRQL); the file name only after
// the context check.
TEST_F(MachineTest, NdisFileOpenNullPointerCheckOrder) {
  ASSERT_EQ(m.SetIrql(kDispatchLevel), ControlStatus::Ok);
  u64 h = 0;
  u32 len = 0;
  EXPECT_EQ(m.NdisOpenFile(nullptr, &h, &len, "firmware.bin", kAnyAddress), kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::CommonNullPointer));
  m.ClearReports();
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  OpenFails(m, std::nullopt, kNdisStatusFailure);  // no callback: CONTEXT wins
  EXPECT_TRUE(Only(m, RuleId::NdisFileContext));
}

TEST_F(MachineTest, NdisFileMapNullStatusReportsNullPointer) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  u64 buf = kPoison;
  EXPECT_EQ(m.NdisMapFile(nullptr, &buf, f), kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::CommonNullPointer));
  EXPECT_EQ(buf, 0u);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.ClearReports();
  MapOk(m, f);  // not ALREADY_MAPPED: the refused call mapped nothing
  m.NdisUnmapFile(f);
  m.NdisCloseFile(f);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

TEST_F(MachineTest, NdisFileMapNullBufferReportsNullPointer) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  NdisStatus st = kPoisonStatus;
  EXPECT_EQ(m.NdisMapFile(&st, nullptr, f), kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::CommonNullPointer));
  EXPECT_EQ(st, kNdisStatusFailure);
  EXPECT_EQ(m.live_mapping_count(), 0u);
  m.ClearReports();
  m.NdisUnmapFile(f);  // nothing is outstanding
  EXPECT_TRUE(Only(m, RuleId::NdisFileUnmapNotMapped));
  m.ClearReports();
  MapOk(m, f);
  m.NdisUnmapFile(f);
  m.NdisCloseFile(f);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
}

// NdisMapFile checks its pointers before IRQL and the handle.
TEST_F(MachineTest, NdisFileMapNullPointerIsCheckedFirst) {
  EnterInit(m, nic);
  ASSERT_EQ(m.SetIrql(kHighLevel), ControlStatus::Ok);
  NdisStatus st = 0;
  EXPECT_EQ(m.NdisMapFile(&st, nullptr, 0x1234), kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::CommonNullPointer));
  m.ClearReports();
  // Then IRQL before the handle.
  MapFails(m, 0x1234, kNdisStatusFailure);
  EXPECT_TRUE(Only(m, RuleId::NdisFileIrql));
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
}

// ---------------------------------------------------------------------------
// The documented sequence, and robustness
// ---------------------------------------------------------------------------

TEST_F(MachineTest, NdisFileDocumentedSequenceHasNoReports) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  u64 buf = MapOk(m, f);
  const std::string fw = Bytes(m, buf, kFirmwareLen);
  EXPECT_EQ(fw.size(), kFirmwareLen);
  m.NdisUnmapFile(f);
  m.NdisCloseFile(f);
  Leave(m, true);
  m.Teardown();
  EXPECT_TRUE(Clean(m));
  EXPECT_EQ(m.live_mapping_count(), 0u);
}

// Garbage handles, at every IRQL class, never crash and never disturb a live file.
TEST_F(MachineTest, NdisFileGarbageHandlesNeverCrash) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  u64 buf = MapOk(m, f);
  const u64 garbage[] = {0, 1, 0x1234, nic, video, MakeHandle(HandleKind::File, 0),
                         MakeHandle(HandleKind::File, 0x00FFFFFFFFFFFFFFull), ~0ull};
  for (u64 irql : {kPassiveLevel, kDispatchLevel, kHighLevel}) {
    ASSERT_EQ(m.SetIrql(irql), ControlStatus::Ok);
    for (u64 h : garbage) {
      (void)Map(m, h);
      m.NdisUnmapFile(h);
      m.NdisCloseFile(h);
    }
  }
  ASSERT_EQ(m.SetIrql(kPassiveLevel), ControlStatus::Ok);
  EXPECT_EQ(Count(RuleId::NdisFileCloseWhileMapped), 0u);
  EXPECT_EQ(Count(RuleId::NdisFileClosedHandle), 0u);
  EXPECT_EQ(Count(RuleId::NdisFileBadHandle) + Count(RuleId::NdisFileIrql), Total()) << Dump();
  m.ClearReports();
  (void)m.Read(buf, 8);
  m.NdisUnmapFile(f);
  m.NdisCloseFile(f);
  Leave(m, true);
  EXPECT_TRUE(Clean(m));
  EXPECT_EQ(m.CheckInvariants(), "");
}

// After Teardown the machine ignores calls; the failures still write their
// failure values (NULL handle, length 0, NULL buffer, *Status).
TEST_F(MachineTest, NdisFileCallsAfterTeardownWriteFailureValues) {
  EnterInit(m, nic);
  u64 f = OpenOk(m);
  m.NdisCloseFile(f);
  m.Teardown();
  EXPECT_TRUE(Clean(m));
  OpenFails(m, "firmware.bin", kNdisStatusFailure);
  MapFails(m, f, kNdisStatusFailure);
  m.NdisUnmapFile(f);
  m.NdisCloseFile(f);
  EXPECT_TRUE(Clean(m));
}

}  // namespace
}  // namespace ddimap::test
