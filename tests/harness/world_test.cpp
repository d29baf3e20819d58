// Custom worlds (docs/harness.md, "Custom worlds"): the `world { ... }` block
// as the parser reads it and the printer writes it, the binary header that
// carries it, and the device naming every world shares.
#include <gtest/gtest.h>

#include "trace_test_util.hpp"

#include <string>

#include "program/input.hpp"
#include "program/trace.hpp"
#include "program/world.hpp"
#include "runner/runner.hpp"

namespace ddimap::harness {
namespace {

using testing::BadTrace;
using testing::ExpectRefused;
using testing::Parse;

constexpr const char* kWorld =
    "world {\n"
    "  ram 0x0 0x40000000\n"
    "  unassigned 0xc0000000 0x1000\n"
    "  nic0 memory 0xd0000000 0x4000 port 0x300 0x20\n"
    "  nic1\n"
    "  umdf0 version 0x20000 nodirect RegisterAccessUsingUserModeMapping memory 0xd0020000 0x1000\n"
    "  video0 memory 0xe0000000 0x100000\n"
    "  file \"fw image.bin\" 64 unreadable\n"
    "  quarantine 2\n"
    "  max_open_files 1\n"
    "}\n";

TEST(CustomWorld, BlockRoundTripsAndBuildsWhatItSays) {
  const std::string text = std::string(kWorld) + "r0 = MmMapIoSpace(0x50000000, 0x1000, MmNonCached)\n";
  Program p;
  ParseError err;
  ASSERT_TRUE(ParseTrace(text, &p, &err)) << err.line << ":" << err.column << ": " << err.expected;
  ASSERT_TRUE(p.world);
  const World& w = *p.world;
  ASSERT_EQ(w.objects.size(), 4u);
  EXPECT_EQ(w.objects[1].name, "nic1");
  EXPECT_EQ(w.objects[1].handle, MakeHandle(HandleKind::Adapter, 2));
  EXPECT_EQ(w.objects[2].umdf, (UmdfSpec{0x20000, false, RegisterAccess::UsingUserModeMapping}));
  EXPECT_EQ(w.resources.size(), 6u);
  ASSERT_EQ(w.files.size(), 1u);
  EXPECT_EQ(w.files[0].name, "fw image.bin");
  EXPECT_FALSE(w.files[0].readable);
  EXPECT_EQ(w.quarantine, 2u);
  EXPECT_EQ(w.max_open_files, 1u);
  EXPECT_EQ(FormatProgram(p), text);
  // The binary form carries the world: the file decodes to the same program.
  std::vector<std::uint8_t> bytes;
  std::string why;
  ASSERT_TRUE(WriteInput(p, &bytes, &why)) << why;
  Program back;
  ASSERT_TRUE(ReadInput(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                        ProfileByName("fuzz_all"), &back, &err))
      << err.expected;
  EXPECT_EQ(back, WithoutExpectations(p));
  // Run in it: 0x50000000 is above its RAM, so it maps.
  RunOptions o;
  o.log = true;
  RunResult r = harness::Run(p, o);
  ASSERT_EQ(r.failure, RunResult::None) << r.message;
  EXPECT_NE(r.log[0].outcome.ret, 0u);
  // In the standard world it is RAM: MM_IO.MAP_RAM, NULL.
  p.world = nullptr;
  EXPECT_EQ(harness::Run(p, o).log[0].outcome.ret, 0u);
}

TEST(CustomWorld, MalformedBlocksSayWhereAndWhat) {
  const BadTrace cases[] = {
      {"world {\n  nic1\n}\n", 2, 3, "expected nic0 (devices of a family are numbered in order)"},
      {"world {\n  disk0 memory 0x0 0x1000\n}\n", 2, 3, "expected ram, unassigned, a device"},
      {"world {\n  nic0 memory 0x1000\n}\n", 2, 21, "a length"},
      {"world {\n  nic0 version 0x2\n}\n", 2, 8, "expected memory START LENGTH, port START LENGTH, got"},
      {"world {\n  umdf0 sideways\n}\n", 2, 9, "RegisterAccessUsingSystemCall"},
      {"world {\n  file \"missing.bin\" 3\n}\n", 2, 3, "other than"},
      {"world {\n  quarantine 1000001\n}\n", 2, 14, "a number from 0 to 1000000"},
      {"world {\n  ram 0x0 0x1000\n", 1, 1, "expected '}' to close the world block"},
      {"MmMapIoSpace(0x0, 0x1000, MmCached)\nworld {\n}\n", 2, 1, "a world block comes first"},
      {"world\n}\n", 1, 6, "'{'"},
  };
  ExpectRefused(cases);
}

TEST(CustomWorld, DeviceNamesMeanOneHandleInEveryWorld) {
  EXPECT_EQ(HandleByName("nic0"), MakeHandle(HandleKind::Adapter, 1));
  EXPECT_EQ(HandleByName("umdf12"), MakeHandle(HandleKind::UmdfDevice, 13));
  EXPECT_EQ(NameOfHandle(MakeHandle(HandleKind::Video, 3)), "video2");
  EXPECT_FALSE(HandleByName("nic01"));
  EXPECT_FALSE(HandleByName("nic"));
  EXPECT_FALSE(HandleByName("ram"));
  EXPECT_EQ(NameOfHandle(MakeHandle(HandleKind::File, 1)), "");
  for (const WorldObject& o : StandardWorld().objects) {
    EXPECT_EQ(HandleByName(o.name), o.handle) << o.name;
    EXPECT_EQ(NameOfHandle(o.handle), o.name);
  }
}

}  // namespace
}  // namespace ddimap::harness
