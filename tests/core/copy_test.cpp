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

}  // namespace
}  // namespace ddimap::test
