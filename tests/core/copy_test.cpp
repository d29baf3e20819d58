// Machine's copy constructor: the harnesses copy a built world for every
// input, so a copy must be the same machine (same answers, same reports, same
// addresses next) and share nothing with its source.
#include <string>
#include <vector>

#include "fixture.hpp"

namespace ddimap::test {
namespace {

// A fixed program touching every structure a copy must carry: live and
// quarantined mappings, device memory, a file, a process, callback state.
std::vector<std::string> Drive(Machine& m, u64 nic) {
  std::vector<std::string> out;
  auto note = [&](u64 v) { out.push_back(std::to_string(v)); };
  u64 a = m.MmMapIoSpace(kWdmBar, 0x2000, kMmNonCached);
  note(a);
  m.Write(a + 8, 4, 0xDEADBEEF);
  note(m.Read(a + 8, 4));
  m.MmUnmapIoSpace(a, 0x2000);
  m.MmUnmapIoSpace(a, 0x2000);  // double: the quarantine must know it
  note(m.Read(a, 4));           // use after unmap
  u64 b = m.MmMapIoSpace(kWdmBar, 0x1000, kMmCached);
  note(b);
  note(m.Read(b + 8, 4));  // device memory written through a
  m.EnterCallback(Callback::MiniportInitializeEx, nic);
  u64 va = 0;
  note(m.NdisMMapIoSpace(&va, nic, kNicBar, 0x1000));
  note(va);
  note(m.CreateProcess());
  for (const Report& r : m.reports()) out.push_back(m.FormatReport(r));
  note(m.live_mapping_count());
  return out;
}

TEST_F(MachineTest, CopyBehavesLikeItsSource) {
  // Some history first, so the copy carries mappings in every state.
  u64 x = m.MmMapIoSpace(kWdmBar + 0x4000, 0x1000, kMmNonCached);
  m.Write(x, 4, 7);
  u64 y = m.MmMapIoSpace(kWdmBar + 0x6000, 0x1000, kMmNonCached);
  m.MmUnmapIoSpace(y, 0x1000);
  ASSERT_EQ(m.live_mapping_count(), 1u);

  Machine c(m);
  EXPECT_EQ(c.live_mapping_count(), 1u);
  EXPECT_EQ(c.Read(x, 4), 7u);
  EXPECT_EQ(m.Read(x, 4), 7u);  // the same call on both keeps their call numbers equal
  std::vector<std::string> from_copy = Drive(c, nic);
  std::vector<std::string> from_source = Drive(m, nic);
  EXPECT_EQ(from_copy, from_source);
  EXPECT_FALSE(from_copy.empty());
}

TEST_F(MachineTest, CopySharesNothingWithItsSource) {
  u64 x = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  m.Write(x, 4, 1);
  Machine c(m);
  c.Write(x, 4, 2);
  c.MmUnmapIoSpace(x, 0x1000);
  EXPECT_EQ(m.Read(x, 4), 1u) << Dump();
  EXPECT_EQ(m.live_mapping_count(), 1u);
  EXPECT_EQ(c.live_mapping_count(), 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
  c.Teardown();
  EXPECT_EQ(m.live_mapping_count(), 1u);
}

// Assignment: the harnesses reassign one machine from the world for every
// input. Whatever the target held before, it must become the same machine a
// fresh copy would be.
TEST_F(MachineTest, AssignmentBehavesLikeACopy) {
  u64 x = m.MmMapIoSpace(kWdmBar + 0x4000, 0x1000, kMmNonCached);
  m.Write(x, 4, 7);
  Machine reused(m);
  // A different, longer history in the target: mappings live and released,
  // device pages, an open and written file, a process, reports, a teardown.
  for (int i = 0; i < 40; ++i) {
    u64 a = reused.MmMapIoSpace(kWdmBar + 0x1000 * (i % 8), 0x1000, kMmNonCached);
    reused.Write(a, 8, i);
    if (i % 3 != 0) reused.MmUnmapIoSpace(a, 0x1000);
  }
  reused.EnterCallback(Callback::MiniportInitializeEx, nic);
  NdisStatus st = 0;
  u64 file = 0, buf = 0;
  u32 len = 0;
  reused.NdisOpenFile(&st, &file, &len, "firmware.bin", ~0ull);
  reused.NdisMapFile(&st, &buf, file);
  reused.Write(buf, 4, 0x11223344);
  reused.CreateProcess();
  reused.Teardown();

  reused = m;
  Machine fresh(m);
  EXPECT_EQ(reused.live_mapping_count(), 1u);
  EXPECT_EQ(reused.reports().size(), m.reports().size());
  EXPECT_EQ(reused.mapping_changes(), m.mapping_changes());
  EXPECT_EQ(reused.CheckInvariants(), "");
  std::vector<std::string> from_reused = Drive(reused, nic);
  std::vector<std::string> from_fresh = Drive(fresh, nic);
  EXPECT_EQ(from_reused, from_fresh);
}

TEST_F(MachineTest, AssignmentSharesNothingWithItsSource) {
  u64 x = m.MmMapIoSpace(kWdmBar, 0x1000, kMmNonCached);
  m.Write(x, 4, 1);
  Machine c(m);
  c.MmUnmapIoSpace(x, 0x1000);
  c = m;
  c.Write(x, 4, 2);
  c.MmUnmapIoSpace(x, 0x1000);
  EXPECT_EQ(m.Read(x, 4), 1u) << Dump();
  EXPECT_EQ(m.live_mapping_count(), 1u);
  EXPECT_EQ(c.live_mapping_count(), 0u);
}

// File buffers start as the file table's shared content: a write through one
// machine's mapping must reach neither its source nor a later open.
TEST_F(MachineTest, FileWritesStayInTheirMachineAndBuffer) {
  m.EnterCallback(Callback::MiniportInitializeEx, nic);
  NdisStatus st = 0;
  u64 file = 0, buf = 0;
  u32 len = 0;
  ASSERT_EQ(m.NdisOpenFile(&st, &file, &len, "firmware.bin", ~0ull), kNdisStatusSuccess);
  ASSERT_EQ(m.NdisMapFile(&st, &buf, file), kNdisStatusSuccess);
  const u64 original = m.Read(buf + 16, 8);
  Machine c(m);
  c.Write(buf + 16, 8, ~original);
  EXPECT_EQ(c.Read(buf + 16, 8), ~original);
  EXPECT_EQ(m.Read(buf + 16, 8), original);
  // A second open in the writer sees the file, not the first buffer.
  u64 file2 = 0, buf2 = 0;
  ASSERT_EQ(c.NdisOpenFile(&st, &file2, &len, "firmware.bin", ~0ull), kNdisStatusSuccess);
  ASSERT_EQ(c.NdisMapFile(&st, &buf2, file2), kNdisStatusSuccess);
  EXPECT_EQ(c.Read(buf2 + 16, 8), original);
  EXPECT_EQ(c.Read(buf + 16, 8), ~original);
  EXPECT_EQ(Total(), 0u) << Dump();
}

}  // namespace
}  // namespace ddimap::test
