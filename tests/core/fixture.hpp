// A standard machine for the core tests: RAM, one device of each family with
// its resources, two files. Tests read the constants below instead of
// repeating magic numbers.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "ddimap/machine.hpp"

namespace ddimap::test {

inline constexpr u64 kRamBase = 0x0;
inline constexpr u64 kRamLen = 0x80000000;          // 2 GiB of RAM at 0
inline constexpr u64 kNicBar = 0xFEBF0000;          // adapter A's memory BAR
inline constexpr u64 kNicBarLen = 0x20000;          // 128 KiB
inline constexpr u64 kNic2Bar = 0xFEC20000;         // adapter B's memory BAR
inline constexpr u64 kNic2BarLen = 0x1000;
inline constexpr u64 kWdmBar = 0xFED00000;          // WDM device's BAR
inline constexpr u64 kWdmBarLen = 0x10000;
inline constexpr u64 kUmdfBar = 0xFEE00000;         // UMDF device's two BARs
inline constexpr u64 kUmdfBarLen = 0x2000;
inline constexpr u64 kUmdfBar2 = 0xFEE10000;
inline constexpr u64 kUmdfBar2Len = 0x1000;
inline constexpr u64 kVideoFb = 0xE0000000;         // video frame buffer
inline constexpr u64 kVideoFbLen = 0x1000000;       // 16 MiB
inline constexpr u64 kVideoPorts = 0x3C0;           // video I/O ports
inline constexpr u64 kVideoPortsLen = 0x20;
inline constexpr u64 kUnassigned = 0xF0000000;      // I/O space nobody owns
inline constexpr u32 kUmdf111 = 0x1000B;            // UMDF 1.11
inline constexpr u32 kFirmwareLen = 5000;

class MachineTest : public ::testing::Test {
 protected:
  MachineTest() {
    EXPECT_EQ(m.AddRam(kRamBase, kRamLen), ControlStatus::Ok);
    nic = m.CreateNdisAdapter();
    nic2 = m.CreateNdisAdapter();
    wdm = m.CreateWdmDevice();
    umdf = m.CreateUmdfDevice(kUmdf111, true, RegisterAccess::UsingSystemCall);
    video = m.CreateVideoDevice();
    EXPECT_EQ(m.AssignResource(nic, PhysSpace::Memory, kNicBar, kNicBarLen), ControlStatus::Ok);
    EXPECT_EQ(m.AssignResource(nic2, PhysSpace::Memory, kNic2Bar, kNic2BarLen), ControlStatus::Ok);
    EXPECT_EQ(m.AssignResource(wdm, PhysSpace::Memory, kWdmBar, kWdmBarLen), ControlStatus::Ok);
    EXPECT_EQ(m.AssignResource(umdf, PhysSpace::Memory, kUmdfBar, kUmdfBarLen), ControlStatus::Ok);
    EXPECT_EQ(m.AssignResource(umdf, PhysSpace::Memory, kUmdfBar2, kUmdfBar2Len), ControlStatus::Ok);
    EXPECT_EQ(m.AssignResource(video, PhysSpace::Memory, kVideoFb, kVideoFbLen), ControlStatus::Ok);
    EXPECT_EQ(m.AssignResource(video, PhysSpace::Port, kVideoPorts, kVideoPortsLen), ControlStatus::Ok);
    EXPECT_EQ(m.AddFile("firmware.bin", kFirmwareLen, true), ControlStatus::Ok);
    EXPECT_EQ(m.AddFile("broken.bin", 100, false), ControlStatus::Ok);
  }

  // Reports of the given rule since the last ClearReports().
  std::size_t Count(RuleId r) const { return m.report_count(r); }
  // Total reports recorded since the last ClearReports().
  std::size_t Total() const { return m.reports().size(); }
  // Every report, formatted, for failure messages.
  std::string Dump() const {
    std::string out;
    for (const auto& r : m.reports()) out += m.FormatReport(r) + "\n";
    return out;
  }

  Machine m;
  u64 nic = 0, nic2 = 0, wdm = 0, umdf = 0, video = 0;
};

}  // namespace ddimap::test
