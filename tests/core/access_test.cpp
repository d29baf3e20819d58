// ACCESS family: reads and writes through mapped addresses.
//
// docs/semantics.md "ACCESS": [address, address+width) must lie inside
// [base, base+access_length) of one live mapping; otherwise OUT_OF_BOUNDS
// (inside a live extent or guard page), USE_AFTER_UNMAP (quarantined) or
// UNMAPPED; then PSEUDO_DEREF, WRONG_PROCESS, READ_ONLY. A refused read
// returns 0, a refused write does nothing. Most tests use driver-wide
// MmMapIoSpace mappings because they need no callback.
#include <gtest/gtest.h>

#include <string>

#include "ddimap/machine.hpp"
#include "fixture.hpp"

namespace ddimap::test {
namespace {

class AccessCheckTest : public MachineTest {
 protected:
  // A driver-wide, non-cached MM mapping of the WDM BAR at `offset`.
  u64 MapMm(u64 offset, u64 length) {
    const u64 va = m.MmMapIoSpace(kWdmBar + offset, length, kMmNonCached);
    EXPECT_NE(va, 0u) << Dump();
    return va;
  }
  // Exactly one report, of `rule`, since the last ClearReports(); then clear.
  void ExpectOnlyAndClear(RuleId rule) {
    EXPECT_EQ(Total(), 1u) << Dump();
    EXPECT_EQ(Count(rule), 1u) << Dump();
    m.ClearReports();
  }
  // The single recorded report (asserted by the caller).
  const Report& Last() const { return m.reports().back(); }
};

// ---------------------------------------------------------------------------
// ACCESS.UNMAPPED

TEST_F(AccessCheckTest, ReadOfNeverMappedAddressIsUnmapped) {
  const u64 never[] = {0, 0x1234, kSystemRegionBase + 0x10000000000ull, kUserRegionBase + 0x5000,
                       0x8000000000000000ull};
  for (u64 a : never) {
    SCOPED_TRACE(a);
    EXPECT_EQ(m.Read(a, 4), 0u);
    ExpectOnlyAndClear(RuleId::AccessUnmapped);
  }
}

TEST_F(AccessCheckTest, WriteOfNeverMappedAddressIsUnmapped) {
  m.Write(kSystemRegionBase + 0x10000000000ull, 8, 0x1122334455667788ull);
  ExpectOnlyAndClear(RuleId::AccessUnmapped);
  EXPECT_EQ(m.touched_page_count(), 0u);  // nothing was written anywhere
}

TEST_F(AccessCheckTest, LegalReadNextToAnUnmappedOneIsFine) {
  const u64 va = MapMm(0, 0x1000);
  EXPECT_EQ(m.Read(va, 4), 0u);  // unwritten device memory reads 0
  EXPECT_EQ(Total(), 0u) << Dump();
  // Two pages further is past the guard page: nobody's.
  EXPECT_EQ(m.Read(va + 0x2000, 4), 0u);
  ExpectOnlyAndClear(RuleId::AccessUnmapped);
}

// ---------------------------------------------------------------------------
// ACCESS.USE_AFTER_UNMAP

TEST_F(AccessCheckTest, ReadAfterUnmapIsUseAfterUnmapNamingBothCalls) {
  const u64 va = MapMm(0, 0x100);
  m.Write(va, 4, 0xDEADBEEF);
  EXPECT_EQ(m.Read(va, 4), 0xDEADBEEFu);
  m.MmUnmapIoSpace(va, 0x100);
  ASSERT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.Read(va, 4), 0u);
  ASSERT_EQ(Total(), 1u) << Dump();
  const Report& r = Last();
  EXPECT_EQ(r.rule, RuleId::AccessUseAfterUnmap);
  EXPECT_TRUE(r.has_created);
  EXPECT_TRUE(r.has_released);
  EXPECT_EQ(r.created.id, CallId::MmMapIoSpace);
  EXPECT_EQ(r.released.id, CallId::MmUnmapIoSpace);
  EXPECT_LT(r.created.seq, r.released.seq);
  EXPECT_LT(r.released.seq, r.call.seq);
  const std::string text = m.FormatReport(r);
  EXPECT_NE(text.find("MmMapIoSpace"), std::string::npos) << text;
  EXPECT_NE(text.find("MmUnmapIoSpace"), std::string::npos) << text;
}

TEST_F(AccessCheckTest, WriteAfterVideoUnmapNamesTheVideoCalls) {
  u32 len = 0x1000;
  u32 io = kVideoMemorySpaceMemory;
  u64 va = 0;
  ASSERT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &io, &va), kNoError);
  ASSERT_EQ(m.VideoPortUnmapMemory(video, va, 0), kNoError);
  m.Write(va + 0x10, 2, 0xFFFF);
  ASSERT_EQ(Total(), 1u) << Dump();
  const Report& r = Last();
  EXPECT_EQ(r.rule, RuleId::AccessUseAfterUnmap);
  EXPECT_EQ(r.created.id, CallId::VideoPortMapMemory);
  EXPECT_EQ(r.released.id, CallId::VideoPortUnmapMemory);
  const std::string text = m.FormatReport(r);
  EXPECT_NE(text.find("VideoPortMapMemory"), std::string::npos) << text;
  EXPECT_NE(text.find("VideoPortUnmapMemory"), std::string::npos) << text;
}

TEST_F(AccessCheckTest, ReadAfterNdisFileUnmapNamesTheFileCalls) {
  ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, nic), ControlStatus::Ok);
  NdisStatus st = 0xFFFF;
  u64 fh = 0;
  u32 flen = 0;
  ASSERT_EQ(m.NdisOpenFile(&st, &fh, &flen, "firmware.bin", ~0ull), kNdisStatusSuccess);
  ASSERT_EQ(flen, kFirmwareLen);
  u64 buf = 0;
  ASSERT_EQ(m.NdisMapFile(&st, &buf, fh), kNdisStatusSuccess);
  ASSERT_NE(buf, 0u);
  // The whole file is readable, one byte past it is not.
  m.Read(buf, 4);
  m.Read(buf + kFirmwareLen - 1, 1);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.Read(buf + kFirmwareLen - 2, 4), 0u);
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
  m.NdisUnmapFile(fh);
  m.NdisCloseFile(fh);
  ASSERT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  ASSERT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.Read(buf, 4), 0u);
  ASSERT_EQ(Total(), 1u) << Dump();
  const Report& r = Last();
  EXPECT_EQ(r.rule, RuleId::AccessUseAfterUnmap);
  const std::string text = m.FormatReport(r);
  EXPECT_NE(text.find("NdisMapFile"), std::string::npos) << text;
  EXPECT_NE(text.find("NdisUnmapFile"), std::string::npos) << text;
}

// ---------------------------------------------------------------------------
// ACCESS.OUT_OF_BOUNDS and its legal neighbours

TEST_F(AccessCheckTest, FourByteReadStraddlingTheEndByOneByteIsOutOfBounds) {
  const u64 va = MapMm(0, 0x100);
  EXPECT_EQ(m.Read(va + 0xFD, 4), 0u);  // bytes 0xFD..0x100: one too many
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
  EXPECT_EQ(m.Read(va + 0xFC, 4), 0u);  // ends exactly at the end: fine
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(AccessCheckTest, OnePastTheEndIsOutOfBounds) {
  const u64 va = MapMm(0, 0x100);
  EXPECT_EQ(m.Read(va + 0x100, 1), 0u);
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
  // A page-sized mapping: one past the end is the guard page, still this
  // mapping's business.
  const u64 page = MapMm(0x2000, 0x1000);
  EXPECT_EQ(m.Read(page + 0x1000, 1), 0u);
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
  m.Write(page + 0xFFF, 2, 0xFFFF);
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
}

TEST_F(AccessCheckTest, BeforeTheBaseInsideTheFirstPageIsOutOfBounds) {
  // The base carries the physical byte offset 0x10; the bytes of the first
  // page below it are part of the extent but not of the mapping.
  const u64 va = MapMm(0x10, 0x20);
  ASSERT_EQ(va & kPageMask, 0x10u);
  EXPECT_EQ(m.Read(va - 1, 1), 0u);
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
  EXPECT_EQ(m.Read(va - 0x10, 8), 0u);
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
  EXPECT_EQ(m.Read(va - 2, 4), 0u);  // straddles the base
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
  EXPECT_EQ(m.Read(va, 1), 0u);  // the base itself is fine
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(AccessCheckTest, LastByteAndEightByteReadEndingAtTheEndAreLegal) {
  const u64 va = MapMm(0, 0x100);
  m.Write(va + 0xFF, 1, 0xAB);
  EXPECT_EQ(m.Read(va + 0xFF, 1), 0xABu);
  m.Write(va + 0xF8, 8, 0x0123456789ABCDEFull);
  EXPECT_EQ(m.Read(va + 0xF8, 8), 0x0123456789ABCDEFull);
  EXPECT_EQ(m.Read(va + 0xFE, 2), 0x0123u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(AccessCheckTest, OutOfBoundsReportNamesTheMapping) {
  const u64 va = MapMm(0, 0x100);
  m.Read(va + 0x100, 4);
  ASSERT_EQ(Total(), 1u) << Dump();
  const Report& r = Last();
  EXPECT_EQ(r.rule, RuleId::AccessOutOfBounds);
  EXPECT_TRUE(r.has_created);
  EXPECT_EQ(r.created.id, CallId::MmMapIoSpace);
  EXPECT_FALSE(r.has_released);
}

// ---------------------------------------------------------------------------
// Widths, byte order, refused accesses

TEST_F(AccessCheckTest, WidthsRoundTripLittleEndian) {
  const u64 va = MapMm(0, 0x1000);
  m.Write(va, 8, 0x0807060504030201ull);
  EXPECT_EQ(m.Read(va, 8), 0x0807060504030201ull);
  EXPECT_EQ(m.Read(va, 1), 0x01u);
  EXPECT_EQ(m.Read(va + 1, 1), 0x02u);
  EXPECT_EQ(m.Read(va + 7, 1), 0x08u);
  EXPECT_EQ(m.Read(va, 2), 0x0201u);
  EXPECT_EQ(m.Read(va + 2, 2), 0x0403u);
  EXPECT_EQ(m.Read(va + 6, 2), 0x0807u);
  EXPECT_EQ(m.Read(va, 4), 0x04030201u);
  EXPECT_EQ(m.Read(va + 4, 4), 0x08070605u);
  EXPECT_EQ(m.Read(va + 3, 4), 0x07060504u);  // unaligned
  // Narrow writes replace only their bytes.
  m.Write(va + 1, 1, 0xAA);
  m.Write(va + 4, 2, 0xCCBB);
  // Bytes now: 01 AA 03 04 BB CC 07 08.
  EXPECT_EQ(m.Read(va, 8), 0x0807CCBB0403AA01ull);
  // Writes truncate the value to the width.
  m.Write(va + 0x10, 1, 0xFFFFFF42);
  EXPECT_EQ(m.Read(va + 0x10, 4), 0x42u);
  m.Write(va + 0x20, 4, 0x1122334455667788ull);
  EXPECT_EQ(m.Read(va + 0x20, 8), 0x55667788u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(AccessCheckTest, RefusedReadReturnsZero) {
  const u64 va = MapMm(0, 0x100);
  m.Write(va + 0xF8, 8, ~0ull);
  // Straddling the end: three of the four bytes are 0xFF, but the read is refused.
  EXPECT_EQ(m.Read(va + 0xFE, 4), 0u);
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
  EXPECT_EQ(m.Read(va + 0xFC, 4), 0xFFFFFFFFu);
}

TEST_F(AccessCheckTest, RefusedWriteChangesNothing) {
  const u64 va = MapMm(0, 0x100);
  m.Write(va + 0xFC, 4, 0x11223344);
  m.Write(va + 0xFE, 4, 0xFFFFFFFF);  // straddles: refused as a whole
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
  EXPECT_EQ(m.Read(va + 0xFC, 4), 0x11223344u);
  // The bytes of the page past the access length stay untouched too, as seen
  // from a second mapping of the whole page.
  const u64 whole = MapMm(0, 0x1000);
  EXPECT_EQ(m.Read(whole + 0x100, 2), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(AccessCheckTest, UnalignedEightByteAccessAcrossAPageBoundaryWorks) {
  const u64 va = MapMm(0, 0x2000);
  m.Write(va + 0xFFC, 8, 0xA1B2C3D4E5F60718ull);
  EXPECT_EQ(m.Read(va + 0xFFC, 8), 0xA1B2C3D4E5F60718ull);
  EXPECT_EQ(m.Read(va + 0xFFC, 4), 0xE5F60718u);
  EXPECT_EQ(m.Read(va + 0x1000, 4), 0xA1B2C3D4u);
  EXPECT_EQ(Total(), 0u) << Dump();
  // Both physical pages hold their half, as a second mapping of page 2 shows.
  const u64 second = MapMm(0x1000, 0x1000);
  EXPECT_EQ(m.Read(second, 4), 0xA1B2C3D4u);
  EXPECT_EQ(m.touched_page_count(), 2u);
}

TEST_F(AccessCheckTest, InvalidWidthNeverCrashes) {
  const u64 va = MapMm(0, 0x1000);
  m.Write(va, 8, 0x0807060504030201ull);
  for (unsigned w : {0u, 3u, 5u, 7u, 9u, 16u, 1000u, ~0u}) {
    SCOPED_TRACE(w);
    m.Read(va, w);
    m.Write(va + 8, w, ~0ull);
    m.Read(va + 0xFFE, w);  // would cross the end for most widths
    m.Read(0, w);
    EXPECT_EQ(m.CheckInvariants(), "");
  }
  // The mapping is intact and legal widths still work.
  EXPECT_EQ(m.Read(va, 8), 0x0807060504030201ull);
  EXPECT_EQ(m.live_mapping_count(), 1u);
}

TEST_F(AccessCheckTest, UnwrittenDeviceMemoryReadsZeroAndCostsNothing) {
  const u64 va = MapMm(0, 0x10000);
  for (u64 off = 0; off < 0x10000; off += 0x1000) EXPECT_EQ(m.Read(va + off, 8), 0u);
  EXPECT_EQ(m.touched_page_count(), 0u);  // reads never allocate
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(AccessCheckTest, MappingsOfOnePhysicalPageShareDeviceMemory) {
  const u64 a = MapMm(0, 0x1000);
  const u64 b = MapMm(0x800, 0x100);  // same page, byte offset 0x800
  ASSERT_EQ(b & kPageMask, 0x800u);
  m.Write(a + 0x804, 4, 0x5566);
  EXPECT_EQ(m.Read(b + 4, 4), 0x5566u);
  EXPECT_EQ(m.touched_page_count(), 1u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

// ---------------------------------------------------------------------------
// ACCESS.WRONG_PROCESS

TEST_F(AccessCheckTest, UserMappingTouchedFromAnotherProcessIsWrongProcess) {
  const u64 p = m.CreateProcess();
  const u64 q = m.CreateProcess();
  u32 len = 0x1000;
  u32 io = kVideoMemorySpaceUserMode;
  u64 va = p;
  ASSERT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &io, &va), kNoError) << Dump();
  ASSERT_EQ(m.AttachProcess(p), ControlStatus::Ok);
  m.Write(va, 4, 0x77);
  EXPECT_EQ(Total(), 0u) << Dump();
  ASSERT_EQ(m.AttachProcess(q), ControlStatus::Ok);
  m.Write(va, 4, 0x99);  // refused: nothing changes
  ExpectOnlyAndClear(RuleId::AccessWrongProcess);
  EXPECT_EQ(m.Read(va, 4), 0u);
  ExpectOnlyAndClear(RuleId::AccessWrongProcess);
  ASSERT_EQ(m.AttachProcess(p), ControlStatus::Ok);
  EXPECT_EQ(m.Read(va, 4), 0x77u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(AccessCheckTest, BoundsAreCheckedBeforeTheProcess) {
  // Out of bounds from the wrong process: the bounds rule comes first.
  const u64 p = m.CreateProcess();
  u32 len = 0x100;
  u32 io = kVideoMemorySpaceUserMode;
  u64 va = p;
  ASSERT_EQ(m.VideoPortMapMemory(video, kVideoFb, &len, &io, &va), kNoError) << Dump();
  m.Read(va + 0x100, 4);
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
}

// ---------------------------------------------------------------------------
// ACCESS.PSEUDO_DEREF

class AccessUmdfTest : public AccessCheckTest {
 protected:
  // Maps the UMDF device's first BAR inside OnPrepareHardware and leaves the
  // callback as succeeded (the device is then prepared).
  u64 MapUmdf() {
    EXPECT_EQ(m.EnterCallback(Callback::OnPrepareHardware, umdf), ControlStatus::Ok);
    u64 pseudo = 0;
    EXPECT_EQ(m.UmdfMapIoSpace(umdf, kUmdfBar, 0x1000, kMmNonCached, &pseudo), kSOk) << Dump();
    EXPECT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
    return pseudo;
  }
  void UnmapUmdf(u64 pseudo) {
    EXPECT_EQ(m.EnterCallback(Callback::OnReleaseHardware, umdf), ControlStatus::Ok);
    m.UmdfUnmapIoSpace(umdf, pseudo, 0x1000);
    EXPECT_EQ(m.LeaveCallback(true), ControlStatus::Ok);
  }
};

TEST_F(AccessUmdfTest, DereferencingAPseudoAddressIsPseudoDeref) {
  const u64 pseudo = MapUmdf();
  ASSERT_GE(pseudo, kPseudoRegionBase);
  EXPECT_EQ(m.Read(pseudo, 4), 0u);
  ExpectOnlyAndClear(RuleId::AccessPseudoDeref);
  m.Write(pseudo + 4, 4, 0x1234);
  ExpectOnlyAndClear(RuleId::AccessPseudoDeref);
  // The register helpers are the legal way; the refused write left nothing.
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo + 4, 4), 0u);
  m.UmdfWriteRegister(umdf, pseudo + 8, 4, 0xC0FFEE);
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo + 8, 4), 0xC0FFEEu);
  EXPECT_EQ(Total(), 0u) << Dump();
  UnmapUmdf(pseudo);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(AccessUmdfTest, RegisterHelperOutOfBoundsAndAfterUnmap) {
  const u64 pseudo = MapUmdf();
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo + 0xFFC, 4), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo + 0xFFE, 4), 0u);
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
  UnmapUmdf(pseudo);
  ASSERT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo, 4), 0u);
  ExpectOnlyAndClear(RuleId::AccessUseAfterUnmap);
}

TEST_F(AccessUmdfTest, RegisterHelperOfAnotherDeviceSeesUnmapped) {
  // Another device's pseudo address is ACCESS.UNMAPPED through this device.
  const u64 umdf2 = m.CreateUmdfDevice(kUmdf111, true, RegisterAccess::UsingSystemCall);
  const u64 pseudo = MapUmdf();
  EXPECT_EQ(m.UmdfReadRegister(umdf2, pseudo, 4), 0u);
  ExpectOnlyAndClear(RuleId::AccessUnmapped);
  EXPECT_EQ(m.UmdfReadRegister(umdf, pseudo, 4), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

// ---------------------------------------------------------------------------
// ACCESS.READ_ONLY

TEST_F(AccessCheckTest, WriteThroughReadOnlyMappingIsRefused) {
  const u64 ro = m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageReadOnly);
  ASSERT_NE(ro, 0u) << Dump();
  EXPECT_EQ(m.Read(ro, 4), 0u);  // reading is fine
  EXPECT_EQ(Total(), 0u) << Dump();
  m.Write(ro, 4, 0xBADBAD);
  ExpectOnlyAndClear(RuleId::AccessReadOnly);
  EXPECT_EQ(m.Read(ro, 4), 0u);  // unchanged
  EXPECT_EQ(m.touched_page_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(AccessCheckTest, ExecuteReadMappingIsReadOnlyAndReadWriteIsNot) {
  const u64 rx = m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageExecuteRead);
  ASSERT_NE(rx, 0u) << Dump();
  const u64 rw = m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageReadWrite);
  ASSERT_NE(rw, 0u) << Dump();  // both MmCached: no caching conflict
  m.Write(rx, 1, 1);
  ExpectOnlyAndClear(RuleId::AccessReadOnly);
  // The writable mapping writes; the read-only one sees the shared bytes.
  m.Write(rw + 0x40, 4, 0x31415926);
  EXPECT_EQ(m.Read(rx + 0x40, 4), 0x31415926u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

// ---------------------------------------------------------------------------
// ACCESS.NOT_READABLE (MmMapIoSpaceEx, Parameters (Protect): PAGE_EXECUTE can be
// executed, but not read or written)

TEST_F(AccessCheckTest, ReadThroughExecuteOnlyMappingIsRefused) {
  const u64 rw = m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageExecuteReadWrite);
  ASSERT_NE(rw, 0u) << Dump();
  const u64 x = m.MmMapIoSpaceEx(kWdmBar, 0x1000, kPageExecute);
  ASSERT_NE(x, 0u) << Dump();  // both MmCached: no caching conflict
  m.Write(rw + 0x10, 4, 0x5A5A5A5A);
  EXPECT_EQ(Total(), 0u) << Dump();
  for (unsigned width : {1u, 2u, 4u, 8u}) {
    EXPECT_EQ(m.Read(x + 0x10, width), 0u) << width;  // refused: the device bytes are not returned
    ExpectOnlyAndClear(RuleId::AccessNotReadable);
  }
  m.Write(x + 0x10, 4, 1);  // nor written: that one is READ_ONLY
  ExpectOnlyAndClear(RuleId::AccessReadOnly);
  EXPECT_EQ(m.Read(rw + 0x10, 4), 0x5A5A5A5Au);  // the refused write changed nothing
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(AccessCheckTest, BoundsAreCheckedBeforeNotReadable) {
  const u64 x = m.MmMapIoSpaceEx(kWdmBar, 0x100, kPageExecute);
  ASSERT_NE(x, 0u) << Dump();
  m.Read(x + 0xFE, 4);
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
  m.MmUnmapIoSpace(x, 0x100);
  EXPECT_EQ(Total(), 0u) << Dump();
  m.Read(x, 4);
  ExpectOnlyAndClear(RuleId::AccessUseAfterUnmap);
}

TEST_F(AccessCheckTest, BoundsAreCheckedBeforeReadOnly) {
  const u64 ro = m.MmMapIoSpaceEx(kWdmBar, 0x100, kPageReadOnly | kPageNoCache);
  ASSERT_NE(ro, 0u) << Dump();
  m.Write(ro + 0xFE, 4, 1);
  ExpectOnlyAndClear(RuleId::AccessOutOfBounds);
}

}  // namespace
}  // namespace ddimap::test
