// GoogleTest suite for the C API (ddimap/control.h, ddimap/wdk.h) and the
// DDIMAP_OPTIONS parser. Every test starts and ends without a current machine
// and with DDIMAP_OPTIONS=print=0 unless it sets its own.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "capi/internal.hpp"
#include "ddimap/control.h"
#include "ddimap/wdk.h"

namespace {

using ddimap::FaultMode;
using ddimap::MachineOptions;
using ddimap::Policy;
using ddimap::ReportFormat;
using ddimap::RuleId;
using ddimap::u32;
using ddimap::capi::OptionsError;
using ddimap::capi::ParseOptions;

constexpr ULONG64 kRamLen = 0x80000000;
constexpr ULONG64 kNicBar = 0xFEBF0000;
constexpr ULONG64 kNicBarLen = 0x20000;
constexpr ULONG64 kUmdfBar = 0xFEE00000;
constexpr ULONG64 kUmdfBarLen = 0x2000;
constexpr ULONG64 kVideoFb = 0xE0000000;
constexpr ULONG64 kVideoFbLen = 0x1000000;
constexpr ULONG64 kUnassigned = 0xF0000000;
constexpr UINT kFirmwareLen = 5000;

PHYSICAL_ADDRESS Pa(ULONG64 v) {
  PHYSICAL_ADDRESS pa;
  pa.QuadPart = static_cast<LONGLONG>(v);
  return pa;
}

template <typename T>
T* At(const void* base, ULONG64 offset) {
  return reinterpret_cast<T*>(reinterpret_cast<ULONG_PTR>(base) + offset);
}

std::string Dump() {
  std::string out;
  for (size_t i = 0; i < ddimap_recorded_report_count(); ++i) {
    std::vector<char> buf(ddimap_report_text(i, nullptr, 0) + 1);
    ddimap_report_text(i, buf.data(), buf.size());
    out += buf.data();
    out += "\n";
  }
  return out;
}

std::string ReportText(size_t i) {
  std::vector<char> buf(ddimap_report_text(i, nullptr, 0) + 1);
  ddimap_report_text(i, buf.data(), buf.size());
  return buf.data();
}

// --- DDIMAP_OPTIONS parser (pure) ------------------------------------------------------------

TEST(Options, EmptyKeepsDefaults) {
  MachineOptions o = ddimap::capi::DefaultOptions();
  OptionsError e;
  ASSERT_TRUE(ParseOptions("", &o, &e));
  ASSERT_TRUE(ParseOptions(":::", &o, &e));
  EXPECT_EQ(o.policy, Policy::Record);
  EXPECT_TRUE(o.print_reports);
  EXPECT_TRUE(o.suppress.empty());
  EXPECT_EQ(o.quarantine_capacity, MachineOptions{}.quarantine_capacity);
  EXPECT_EQ(o.log_path, "");
  EXPECT_EQ(o.report_format, ReportFormat::Text);
}

TEST(Options, ParsesEveryKey) {
  MachineOptions o = ddimap::capi::DefaultOptions();
  OptionsError e;
  ASSERT_TRUE(ParseOptions(
      "policy=abort:print=0:suppress=MM_IO.UNMAP_DOUBLE,NDIS_IO.LEAK:quarantine=16:log_path=/tmp/r x=1:"
      "format=json",
      &o, &e))
      << e.column << " " << e.expected;
  EXPECT_EQ(o.policy, Policy::Abort);
  EXPECT_FALSE(o.print_reports);
  ASSERT_EQ(o.suppress.size(), 2u);
  EXPECT_EQ(o.suppress[0], RuleId::MmIoUnmapDouble);
  EXPECT_EQ(o.suppress[1], RuleId::NdisIoLeak);
  EXPECT_EQ(o.quarantine_capacity, 16u);
  EXPECT_EQ(o.log_path, "/tmp/r x=1");  // everything after the first '=' up to ':'
  EXPECT_EQ(o.report_format, ReportFormat::Json);
}

TEST(Options, LogPathAndFormat) {
  MachineOptions o;
  OptionsError e;
  ASSERT_TRUE(ParseOptions("log_path=stderr:format=json:log_path=out/ddimap:format=text", &o, &e));
  EXPECT_EQ(o.log_path, "out/ddimap");
  EXPECT_EQ(o.report_format, ReportFormat::Text);
  ASSERT_TRUE(ParseOptions("format=json:log_path=stdout", &o, &e));
  EXPECT_EQ(o.log_path, "stdout");
  EXPECT_EQ(o.report_format, ReportFormat::Json);
}

TEST(Options, FaultInjection) {
  MachineOptions o;
  OptionsError e;
  EXPECT_EQ(o.faults, FaultMode::Off);
  ASSERT_TRUE(ParseOptions("faults=random:fault_probability=0.25:fault_seed=18446744073709551615", &o, &e))
      << e.column << " " << e.expected;
  EXPECT_EQ(o.faults, FaultMode::Random);
  EXPECT_EQ(o.fault_rate_ppm, 250000u);
  EXPECT_EQ(o.fault_seed, 18446744073709551615ull);
  const std::pair<const char*, u32> rates[] = {{"0", 0}, {"1", 1000000}, {"1.0", 1000000}, {"0.000001", 1},
                                               {"0.5", 500000}, {"00.05", 50000}};
  for (const auto& [text, ppm] : rates) {
    SCOPED_TRACE(text);
    ASSERT_TRUE(ParseOptions(std::string("fault_probability=") + text, &o, &e));
    EXPECT_EQ(o.fault_rate_ppm, ppm);
  }
  ASSERT_TRUE(ParseOptions("faults=systematic", &o, &e));
  EXPECT_EQ(o.faults, FaultMode::Systematic);
  ASSERT_TRUE(ParseOptions("faults=off", &o, &e));
  EXPECT_EQ(o.faults, FaultMode::Off);
}

TEST(Options, LaterKeysWinAndSuppressAccumulates) {
  MachineOptions o = ddimap::capi::DefaultOptions();
  OptionsError e;
  ASSERT_TRUE(ParseOptions(
      "policy=abort::policy=record:print=0:print=1:suppress=VIDEO.LEAK:suppress=ACCESS.UNMAPPED:"
      "quarantine=0",
      &o, &e));
  EXPECT_EQ(o.policy, Policy::Record);
  EXPECT_TRUE(o.print_reports);
  ASSERT_EQ(o.suppress.size(), 2u);
  EXPECT_EQ(o.suppress[0], RuleId::VideoLeak);
  EXPECT_EQ(o.suppress[1], RuleId::AccessUnmapped);
  EXPECT_EQ(o.quarantine_capacity, 0u);
}

struct BadOption {
  const char* text;
  std::size_t column;
  const char* expected;
  const char* got;
};

TEST(Options, ErrorsNameColumnExpectationAndText) {
  const std::string names =
      "expected an option name (policy, print, suppress, quarantine, log_path, format, debug_print, faults, "
      "fault_probability or fault_seed)";
  const std::string path = "expected a path, 'stderr' or 'stdout'";
  const std::string format = "expected 'text' or 'json'";
  const std::string rule = "expected a rule id such as MM_IO.UNMAP_DOUBLE";
  const std::string number = "expected a number from 0 to 1000000";
  const std::string probability = "expected a probability from 0 to 1 with at most six decimals, such as 0.05";
  const std::string seed = "expected a number from 0 to 18446744073709551615";
  const BadOption cases[] = {
      {"foo=1", 1, names.c_str(), "foo"},
      {"=1", 1, names.c_str(), ""},
      {"Policy=abort", 1, names.c_str(), "Policy"},
      {"print=0:verbose", 9, names.c_str(), "verbose"},
      {"print", 6, "expected '=' after 'print'", ""},
      {"print=1:policy", 15, "expected '=' after 'policy'", ""},
      {"print=1:policy=maybe", 16, "expected 'record' or 'abort'", "maybe"},
      {"policy=", 8, "expected 'record' or 'abort'", ""},
      {"print=yes", 7, "expected '0' or '1'", "yes"},
      {"print=1 ", 7, "expected '0' or '1'", "1 "},
      {"suppress=", 10, rule.c_str(), ""},
      {"suppress=NOPE", 10, rule.c_str(), "NOPE"},
      {"suppress=MM_IO.UNMAP_DOUBLE,NOPE", 29, rule.c_str(), "NOPE"},
      {"suppress=MM_IO.LEAK,", 21, rule.c_str(), ""},
      {"suppress=mm_io.leak", 10, rule.c_str(), "mm_io.leak"},
      {"quarantine=", 12, number.c_str(), ""},
      {"quarantine=-1", 12, number.c_str(), "-1"},
      {"quarantine=+1", 12, number.c_str(), "+1"},
      {"quarantine=12x", 12, number.c_str(), "12x"},
      {"quarantine=1000001", 12, number.c_str(), "1000001"},
      {"quarantine=99999999999999999999999", 12, number.c_str(), "99999999999999999999999"},
      {"log_path=", 10, path.c_str(), ""},
      {"print=1:log_path=:format=json", 18, path.c_str(), ""},
      {"log_path", 9, "expected '=' after 'log_path'", ""},
      {"logpath=x", 1, names.c_str(), "logpath"},
      {"format=", 8, format.c_str(), ""},
      {"format=JSON", 8, format.c_str(), "JSON"},
      {"log_path=x:format=sarif", 19, format.c_str(), "sarif"},
      {"format=json ", 8, format.c_str(), "json "},
      {"faults=on", 8, "expected 'off', 'random' or 'systematic'", "on"},
      {"fault_probability=1.5", 19, probability.c_str(), "1.5"},
      {"fault_probability=0.0000001", 19, probability.c_str(), "0.0000001"},
      {"fault_probability=.5", 19, probability.c_str(), ".5"},
      {"fault_probability=0.", 19, probability.c_str(), "0."},
      {"fault_probability=5%", 19, probability.c_str(), "5%"},
      {"fault_probability=100", 19, probability.c_str(), "100"},
      {"fault_seed=-1", 12, seed.c_str(), "-1"},
      {"fault_seed=18446744073709551616", 12, seed.c_str(), "18446744073709551616"},
  };
  for (const BadOption& c : cases) {
    SCOPED_TRACE(c.text);
    MachineOptions o;
    OptionsError e;
    EXPECT_FALSE(ParseOptions(c.text, &o, &e));
    EXPECT_EQ(e.column, c.column);
    EXPECT_EQ(e.expected, c.expected);
    EXPECT_EQ(e.got, c.got);
  }
}

TEST(Options, FormatsLikeTheDocumentation) {
  OptionsError e{16, "expected 'record' or 'abort'", "maybe"};
  EXPECT_EQ(ddimap::capi::FormatOptionsError(e),
            "ddimap: DDIMAP_OPTIONS:16: expected 'record' or 'abort', got 'maybe'");
}

// --- the C API -----------------------------------------------------------------------------------------

class Capi : public ::testing::Test {
 protected:
  void SetUp() override {
    ddimap_machine_destroy();
    setenv("DDIMAP_OPTIONS", "print=0", 1);
  }
  void TearDown() override {
    ddimap_machine_destroy();
    unsetenv("DDIMAP_OPTIONS");
  }

  // A machine with RAM, an adapter, a UMDF device (user-mode mapping), a video
  // device and two files.
  void Build() {
    ASSERT_EQ(ddimap_machine_create(), DDIMAP_OK);
    ASSERT_EQ(ddimap_add_ram(0, kRamLen), DDIMAP_OK);
    nic = ddimap_create_ndis_adapter();
    umdf = ddimap_create_umdf_device(1, 11, TRUE, DDIMAP_REGISTER_ACCESS_USING_USER_MODE_MAPPING);
    hw = ddimap_create_video_device();
    ASSERT_NE(nic, nullptr);
    ASSERT_NE(umdf, nullptr);
    ASSERT_NE(hw, nullptr);
    ASSERT_EQ(ddimap_assign_memory_resource(nic, kNicBar, kNicBarLen), DDIMAP_OK);
    ASSERT_EQ(ddimap_assign_memory_resource(umdf, kUmdfBar, kUmdfBarLen), DDIMAP_OK);
    ASSERT_EQ(ddimap_assign_memory_resource(hw, kVideoFb, kVideoFbLen), DDIMAP_OK);
    ASSERT_EQ(ddimap_add_file("firmware.bin", kFirmwareLen, TRUE), DDIMAP_OK);
    ASSERT_EQ(ddimap_add_file("caf?", 10, TRUE), DDIMAP_OK);
  }

  NDIS_HANDLE nic = nullptr;
  IWDFDevice3* umdf = nullptr;
  PVOID hw = nullptr;
};

TEST_F(Capi, MachineCreateRejectsBadOptions) {
  ASSERT_EQ(ddimap_machine_create(), DDIMAP_OK);
  setenv("DDIMAP_OPTIONS", "print=0:policy=sometimes", 1);
  testing::internal::CaptureStderr();
  EXPECT_EQ(ddimap_machine_create(), DDIMAP_E_BAD_ARGUMENT);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "ddimap: DDIMAP_OPTIONS:16: expected 'record' or 'abort', got 'sometimes'\n");
  EXPECT_EQ(ddimap_machine_exists(), 0);  // the old machine is gone, no new one
  EXPECT_EQ(ddimap_add_ram(0, 0x1000), DDIMAP_E_NO_MACHINE);

  setenv("DDIMAP_OPTIONS", "suppress=MM_IO.UNMAP_DOUBLE,MM_IO.DOUBLE_UNMAP", 1);
  testing::internal::CaptureStderr();
  EXPECT_EQ(ddimap_machine_create(), DDIMAP_E_BAD_ARGUMENT);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "ddimap: DDIMAP_OPTIONS:29: expected a rule id such as MM_IO.UNMAP_DOUBLE, "
            "got 'MM_IO.DOUBLE_UNMAP'\n");
  EXPECT_EQ(ddimap_machine_exists(), 0);
}

TEST_F(Capi, SuppressionViaOptions) {
  setenv("DDIMAP_OPTIONS", "print=0:suppress=MM_IO.UNMAP_DOUBLE,MM_IO.ZERO_LENGTH", 1);
  ASSERT_EQ(ddimap_machine_create(), DDIMAP_OK);
  PVOID p = MmMapIoSpace(Pa(kUnassigned), 0x1000, MmNonCached);
  ASSERT_NE(p, nullptr);
  MmUnmapIoSpace(p, 0x1000);
  MmUnmapIoSpace(p, 0x1000);                                     // suppressed
  EXPECT_EQ(MmMapIoSpace(Pa(kUnassigned), 0, MmNonCached), nullptr);  // suppressed, still refused
  EXPECT_EQ(ddimap_rule_count("MM_IO.UNMAP_DOUBLE"), 0u);
  EXPECT_EQ(ddimap_rule_count("MM_IO.ZERO_LENGTH"), 0u);
  EXPECT_EQ(ddimap_recorded_report_count(), 0u) << Dump();
  // Other rules still report.
  MmUnmapIoSpace(At<void>(p, 0x100000), 0x1000);
  EXPECT_EQ(ddimap_rule_count("MM_IO.UNMAP_NOT_MAPPED"), 1u) << Dump();
}

TEST_F(Capi, SuppressAndUnsuppressAtRunTime) {
  ASSERT_EQ(ddimap_machine_create(), DDIMAP_OK);
  EXPECT_EQ(ddimap_suppress("MM_IO.NO_SUCH_RULE"), DDIMAP_E_BAD_ARGUMENT);
  EXPECT_EQ(ddimap_suppress(nullptr), DDIMAP_E_BAD_ARGUMENT);
  EXPECT_EQ(ddimap_unsuppress("nope"), DDIMAP_E_BAD_ARGUMENT);
  ASSERT_EQ(ddimap_suppress("MM_IO.ZERO_LENGTH"), DDIMAP_OK);
  EXPECT_EQ(MmMapIoSpace(Pa(kUnassigned), 0, MmNonCached), nullptr);
  EXPECT_EQ(ddimap_rule_count("MM_IO.ZERO_LENGTH"), 0u);
  ASSERT_EQ(ddimap_unsuppress("MM_IO.ZERO_LENGTH"), DDIMAP_OK);
  EXPECT_EQ(MmMapIoSpace(Pa(kUnassigned), 0, MmNonCached), nullptr);
  EXPECT_EQ(ddimap_rule_count("MM_IO.ZERO_LENGTH"), 1u);
  EXPECT_EQ(ddimap_rule_count("NOPE"), 0u);
  EXPECT_EQ(ddimap_rule_count(nullptr), 0u);
}

TEST_F(Capi, LazyMachineCreation) {
  ASSERT_EQ(ddimap_machine_exists(), 0);
  EXPECT_EQ(ddimap_report_count(), 0u);
  EXPECT_EQ(ddimap_report_rule(0), nullptr);
  EXPECT_EQ(ddimap_add_ram(0, 0x1000), DDIMAP_E_NO_MACHINE);
  EXPECT_EQ(ddimap_create_ndis_adapter(), nullptr);
  EXPECT_EQ(ddimap_create_umdf_device(1, 11, TRUE, 0), nullptr);
  EXPECT_EQ(ddimap_set_policy(DDIMAP_POLICY_RECORD), DDIMAP_E_NO_MACHINE);
  EXPECT_EQ(ddimap_teardown(), DDIMAP_E_NO_MACHINE);
  EXPECT_EQ(ddimap_machine_destroy(), DDIMAP_E_NO_MACHINE);
  ASSERT_EQ(ddimap_machine_exists(), 0);  // control calls never create one

  // A WDK call does, empty: no RAM, so any physical range is I/O space.
  PVOID p = MmMapIoSpace(Pa(0x1000), 0x2000, MmCached);
  EXPECT_EQ(ddimap_machine_exists(), 1);
  ASSERT_NE(p, nullptr);
  WRITE_REGISTER_ULONG(At<ULONG>(p, 0x1FFC), 7);
  EXPECT_EQ(READ_REGISTER_ULONG(At<ULONG>(p, 0x1FFC)), 7u);
  MmUnmapIoSpace(p, 0x2000);
  EXPECT_EQ(ddimap_report_count(), 0u) << Dump();
  EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

  // Same calls on a fresh lazy machine: same guest address (determinism).
  ASSERT_EQ(ddimap_machine_destroy(), DDIMAP_OK);
  EXPECT_EQ(MmMapIoSpace(Pa(0x1000), 0x2000, MmCached), p);
}

TEST_F(Capi, LazyMachineHonoursOptions) {
  setenv("DDIMAP_OPTIONS", "print=0:suppress=MM_IO.UNMAP_NOT_MAPPED", 1);
  MmUnmapIoSpace(reinterpret_cast<PVOID>(0xFFFFC00000123000ull), 0x1000);
  ASSERT_EQ(ddimap_machine_exists(), 1);
  EXPECT_EQ(ddimap_rule_count("MM_IO.UNMAP_NOT_MAPPED"), 0u);
  MmUnmapIoSpace(reinterpret_cast<PVOID>(0xFFFFC00000123000ull), 0);
  EXPECT_EQ(ddimap_recorded_report_count(), 0u) << Dump();
}

TEST_F(Capi, LazyMachineWithBadOptionsUsesDefaults) {
  setenv("DDIMAP_OPTIONS", "quarantine=lots", 1);
  testing::internal::CaptureStderr();
  EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "ddimap: DDIMAP_OPTIONS:12: expected a number from 0 to 1000000, got 'lots'\n");
  EXPECT_EQ(ddimap_machine_exists(), 1);
  // Defaults: reports are printed as they happen.
  testing::internal::CaptureStderr();
  EXPECT_EQ(MmMapIoSpace(Pa(kUnassigned), 0, MmNonCached), nullptr);
  const std::string printed = testing::internal::GetCapturedStderr();
  EXPECT_NE(printed.find("MM_IO.ZERO_LENGTH"), std::string::npos) << printed;
  EXPECT_EQ(ddimap_rule_count("MM_IO.ZERO_LENGTH"), 1u);
}

TEST_F(Capi, ControlStatuses) {
  EXPECT_STREQ(ddimap_status_name(DDIMAP_OK), "DDIMAP_OK");
  EXPECT_STREQ(ddimap_status_name(DDIMAP_E_NO_MACHINE), "DDIMAP_E_NO_MACHINE");
  EXPECT_STREQ(ddimap_status_name(42), "?");
  Build();
  EXPECT_EQ(ddimap_enter_callback(DDIMAP_CB_COUNT, nic), DDIMAP_E_BAD_ARGUMENT);
  EXPECT_EQ(ddimap_enter_callback(-1, nic), DDIMAP_E_BAD_ARGUMENT);
  EXPECT_EQ(ddimap_enter_callback(DDIMAP_CB_MINIPORT_INITIALIZE_EX, hw), DDIMAP_E_BAD_OBJECT);
  EXPECT_EQ(ddimap_leave_callback(TRUE), DDIMAP_E_BAD_STATE);
  EXPECT_EQ(ddimap_set_policy(7), DDIMAP_E_BAD_ARGUMENT);
  EXPECT_EQ(ddimap_add_file(nullptr, 1, TRUE), DDIMAP_E_BAD_ARGUMENT);
  EXPECT_EQ(ddimap_create_umdf_device(0x10000, 0, TRUE, 0), nullptr);
  EXPECT_EQ(ddimap_create_umdf_device(1, 0x10000, TRUE, 0), nullptr);
  EXPECT_EQ(ddimap_create_umdf_device(1, 11, TRUE, 2), nullptr);
  EXPECT_EQ(ddimap_assign_memory_resource(nic, 0x1000, 0x1000), DDIMAP_E_BAD_ARGUMENT)
      << "a resource overlapping RAM";
  EXPECT_EQ(ddimap_set_irql(HIGH_LEVEL), DDIMAP_OK);
  EXPECT_EQ(ddimap_set_irql(PASSIVE_LEVEL), DDIMAP_OK);
  EXPECT_EQ(ddimap_report_count(), 0u) << Dump();
}

TEST_F(Capi, UnicodeStringTolerance) {
  Build();
  NDIS_PHYSICAL_ADDRESS highest = Pa(~0ull);
  ASSERT_EQ(ddimap_enter_callback(DDIMAP_CB_MINIPORT_INITIALIZE_EX, nic), DDIMAP_OK);

  NDIS_STATUS status = NDIS_STATUS_SUCCESS;
  NDIS_HANDLE file = reinterpret_cast<NDIS_HANDLE>(0x1234);
  UINT length = 99;

  // NULL PNDIS_STRING: COMMON.NULL_POINTER, failure written to the out-pointers.
  NdisOpenFile(&status, &file, &length, nullptr, highest);
  EXPECT_EQ(ddimap_rule_count("COMMON.NULL_POINTER"), 1u) << Dump();
  EXPECT_NE(status, NDIS_STATUS_SUCCESS);
  EXPECT_EQ(file, nullptr);
  EXPECT_EQ(length, 0u);

  // NULL Buffer with a non-zero Length: a NULL name as well.
  NDIS_STRING null_buffer = {8, 8, nullptr};
  NdisOpenFile(&status, &file, &length, &null_buffer, highest);
  EXPECT_EQ(ddimap_rule_count("COMMON.NULL_POINTER"), 2u) << Dump();

  // NULL Buffer, Length 0: the empty name, simply not found.
  NDIS_STRING empty = {0, 0, nullptr};
  NdisOpenFile(&status, &file, &length, &empty, highest);
  EXPECT_EQ(status, NDIS_STATUS_FILE_NOT_FOUND);
  EXPECT_EQ(ddimap_report_count(), 2u) << Dump();

  // Length clamped to MaximumLength 0: the empty name again.
  WCHAR firmware[] = u"firmware.bin";
  NDIS_STRING zero_max = {24, 0, firmware};
  NdisOpenFile(&status, &file, &length, &zero_max, highest);
  EXPECT_EQ(status, NDIS_STATUS_FILE_NOT_FOUND);

  // Odd Length: the last byte is ignored.
  NDIS_STRING odd = {25, 26, firmware};
  NdisOpenFile(&status, &file, &length, &odd, highest);
  ASSERT_EQ(status, NDIS_STATUS_SUCCESS) << Dump();
  EXPECT_EQ(length, kFirmwareLen);
  NdisCloseFile(file);

  // Length beyond MaximumLength, on a heap buffer of exactly MaximumLength
  // bytes (AddressSanitizer would see an overread).
  std::vector<WCHAR> exact(firmware, firmware + 12);
  NDIS_STRING too_long = {0xFFFF, 24, exact.data()};
  NdisOpenFile(&status, &file, &length, &too_long, highest);
  ASSERT_EQ(status, NDIS_STATUS_SUCCESS) << Dump();
  NdisCloseFile(file);

  // Odd MaximumLength: whole characters only.
  NDIS_STRING odd_max = {0xFFFF, 25, exact.data()};
  NdisOpenFile(&status, &file, &length, &odd_max, highest);
  ASSERT_EQ(status, NDIS_STATUS_SUCCESS) << Dump();
  NdisCloseFile(file);

  // Characters above 0x7F become '?'.
  WCHAR cafe[] = u"caf\u00e9";
  NDIS_STRING accented = {8, 8, cafe};
  NdisOpenFile(&status, &file, &length, &accented, highest);
  ASSERT_EQ(status, NDIS_STATUS_SUCCESS) << Dump();
  EXPECT_EQ(length, 10u);
  NdisCloseFile(file);

  // NDIS_STRING_CONST.
  NDIS_STRING constant = NDIS_STRING_CONST("firmware.bin");
  EXPECT_EQ(constant.Length, 24);
  EXPECT_EQ(constant.MaximumLength, 26);
  NdisOpenFile(&status, &file, &length, &constant, highest);
  ASSERT_EQ(status, NDIS_STATUS_SUCCESS) << Dump();
  NdisCloseFile(file);

  EXPECT_EQ(ddimap_leave_callback(TRUE), DDIMAP_OK);
  EXPECT_EQ(ddimap_report_count(), 2u) << Dump();
  EXPECT_EQ(ddimap_rule_count("NDIS_FILE.LEAK"), 0u);
}

TEST_F(Capi, KeRaiseAndLowerIrql) {
  ASSERT_EQ(ddimap_machine_create(), DDIMAP_OK);
  KIRQL old = 0xEE;
  EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
  KeRaiseIrql(DISPATCH_LEVEL, &old);
  EXPECT_EQ(old, PASSIVE_LEVEL);
  EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);

  // MmMapIoSpace is fine at DISPATCH_LEVEL; unmapping there is Driver
  // Verifier's stricter rule (reported, the unmap goes on).
  PVOID p = MmMapIoSpace(Pa(kUnassigned), 0x1000, MmNonCached);
  ASSERT_NE(p, nullptr);
  MmUnmapIoSpace(p, 0x1000);
  EXPECT_EQ(ddimap_rule_count("MM_IO.UNMAP_IRQL_VERIFIER"), 1u) << Dump();

  KeRaiseIrql(HIGH_LEVEL, &old);
  EXPECT_EQ(old, DISPATCH_LEVEL);
  EXPECT_EQ(MmMapIoSpace(Pa(kUnassigned), 0x1000, MmNonCached), nullptr);
  EXPECT_EQ(ddimap_rule_count("MM_IO.MAP_IRQL"), 1u) << Dump();

  KeLowerIrql(old);
  EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
  KeLowerIrql(PASSIVE_LEVEL);
  EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

  // Above HIGH_LEVEL: MACHINE.IRQL_RANGE, refused; OldIrql still written.
  old = 0xEE;
  KeRaiseIrql(16, &old);
  EXPECT_EQ(old, PASSIVE_LEVEL);
  EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
  EXPECT_EQ(ddimap_rule_count("MACHINE.IRQL_RANGE"), 1u) << Dump();
  KeRaiseIrql(APC_LEVEL, nullptr);
  EXPECT_EQ(KeGetCurrentIrql(), APC_LEVEL);
  EXPECT_EQ(ddimap_set_irql(99), DDIMAP_E_BAD_ARGUMENT);
  EXPECT_EQ(ddimap_rule_count("MACHINE.IRQL_RANGE"), 2u) << Dump();
  EXPECT_EQ(KeGetCurrentIrql(), APC_LEVEL);
}

TEST_F(Capi, ReportTextIsSnprintfLike) {
  ASSERT_EQ(ddimap_machine_create(), DDIMAP_OK);
  EXPECT_EQ(ddimap_report_text(0, nullptr, 0), 0u);
  char small[8] = "xxxxxxx";
  EXPECT_EQ(ddimap_report_text(0, small, sizeof small), 0u);
  EXPECT_EQ(small[0], '\0');

  MmUnmapIoSpace(reinterpret_cast<PVOID>(0xFFFFC00000042000ull), 0x1000);
  ASSERT_EQ(ddimap_report_count(), 1u);
  ASSERT_STREQ(ddimap_report_rule(0), "MM_IO.UNMAP_NOT_MAPPED");
  EXPECT_EQ(ddimap_report_rule(1), nullptr);
  const size_t n = ddimap_report_text(0, nullptr, 0);
  ASSERT_GT(n, 8u);
  EXPECT_EQ(ddimap_report_text(0, small, sizeof small), n);
  EXPECT_EQ(std::strlen(small), 7u);
  const std::string full = ReportText(0);
  EXPECT_EQ(full.size(), n);
  EXPECT_EQ(full.substr(0, 7), std::string(small));
  EXPECT_EQ(full.rfind("ERROR: ddimap: MM_IO.UNMAP_NOT_MAPPED in MmUnmapIoSpace", 0), 0u) << full;
  char one[1] = {'x'};
  EXPECT_EQ(ddimap_report_text(0, one, 1), n);
  EXPECT_EQ(one[0], '\0');

  EXPECT_EQ(ddimap_clear_reports(), DDIMAP_OK);
  EXPECT_EQ(ddimap_report_count(), 0u);
  EXPECT_EQ(ddimap_report_rule(0), nullptr);
}

TEST_F(Capi, OutPointersAreWrittenBack) {
  Build();
  ASSERT_EQ(ddimap_enter_callback(DDIMAP_CB_MINIPORT_INITIALIZE_EX, nic), DDIMAP_OK);
  // A NULL out-pointer is reported, not dereferenced.
  EXPECT_EQ(NdisMMapIoSpace(nullptr, nic, Pa(kNicBar), 0x1000), NDIS_STATUS_FAILURE);
  EXPECT_EQ(ddimap_rule_count("COMMON.NULL_POINTER"), 1u) << Dump();
  // A documented failure status writes NULL.
  PVOID va = reinterpret_cast<PVOID>(0x1);
  EXPECT_EQ(NdisMMapIoSpace(&va, nic, Pa(kUnassigned), 0x1000), NDIS_STATUS_RESOURCE_CONFLICT);
  EXPECT_EQ(va, nullptr);
  // Success writes the mapped base; LowPart/HighPart build the address.
  PHYSICAL_ADDRESS pa;
  pa.LowPart = static_cast<ULONG>(kNicBar + 0x234);
  pa.HighPart = 0;
  EXPECT_EQ(NdisMMapIoSpace(&va, nic, pa, 0x100), NDIS_STATUS_SUCCESS);
  ASSERT_NE(va, nullptr);
  EXPECT_EQ(reinterpret_cast<ULONG_PTR>(va) & 0xFFF, 0x234u);
  NdisMUnmapIoSpace(nic, va, 0x100);
  // NdisMapFile: Status written, MappedBuffer NULL on ALREADY_MAPPED.
  NDIS_STRING name = NDIS_STRING_CONST("firmware.bin");
  NDIS_STATUS status = NDIS_STATUS_FAILURE;
  NDIS_HANDLE file = nullptr;
  UINT length = 0;
  NdisOpenFile(&status, &file, &length, &name, Pa(~0ull));
  ASSERT_EQ(status, NDIS_STATUS_SUCCESS);
  PVOID buffer = nullptr;
  NdisMapFile(&status, &buffer, file);
  ASSERT_EQ(status, NDIS_STATUS_SUCCESS);
  PVOID again = reinterpret_cast<PVOID>(0x1);
  NdisMapFile(&status, &again, file);
  EXPECT_EQ(status, NDIS_STATUS_ALREADY_MAPPED);
  EXPECT_EQ(again, nullptr);
  NdisUnmapFile(file);
  NdisCloseFile(file);
  EXPECT_EQ(ddimap_leave_callback(TRUE), DDIMAP_OK);
  EXPECT_EQ(ddimap_report_count(), 1u) << Dump();
}

TEST_F(Capi, UmdfUserModeMapping) {
  Build();
  ASSERT_EQ(ddimap_enter_callback(DDIMAP_CB_ON_PREPARE_HARDWARE, umdf), DDIMAP_OK);
  void* pseudo = nullptr;
  ASSERT_EQ(IWDFDevice3_MapIoSpace(umdf, Pa(kUmdfBar), 0x1000, MmNonCached, &pseudo), S_OK)
      << Dump();
  IWDFDevice3_WRITE_REGISTER_USHORT(umdf, At<USHORT>(pseudo, 6), 0x5151);
  IWDFDevice3_WRITE_REGISTER_ULONG64(umdf, At<ULONG64>(pseudo, 8), 0x0102030405060708ull);
  EXPECT_EQ(IWDFDevice3_READ_REGISTER_USHORT(umdf, At<USHORT>(pseudo, 6)), 0x5151);
  EXPECT_EQ(IWDFDevice3_READ_REGISTER_ULONG64(umdf, At<ULONG64>(pseudo, 8)),
            0x0102030405060708ull);
  PVOID view = IWDFDevice3_GetHardwareRegisterMappedAddress(umdf, pseudo);
  ASSERT_NE(view, nullptr) << Dump();
  EXPECT_EQ(READ_REGISTER_USHORT(At<USHORT>(view, 6)), 0x5151);
  EXPECT_EQ(ddimap_report_count(), 0u) << Dump();
  // A pseudo address is not dereferenceable.
  (void)READ_REGISTER_ULONG(At<ULONG>(pseudo, 0));
  EXPECT_EQ(ddimap_rule_count("ACCESS.PSEUDO_DEREF"), 1u) << Dump();
  ASSERT_EQ(ddimap_leave_callback(TRUE), DDIMAP_OK);
  ASSERT_EQ(ddimap_enter_callback(DDIMAP_CB_ON_RELEASE_HARDWARE, umdf), DDIMAP_OK);
  IWDFDevice3_UnmapIoSpace(umdf, pseudo, 0x1000);
  ASSERT_EQ(ddimap_leave_callback(TRUE), DDIMAP_OK);
  EXPECT_EQ(ddimap_report_count(), 1u) << Dump();
}

TEST_F(Capi, VideoUserModeMapping) {
  Build();
  HANDLE proc = ddimap_create_process();
  ASSERT_NE(proc, nullptr);
  ULONG length = 0x1800;
  ULONG io = VIDEO_MEMORY_SPACE_MEMORY | VIDEO_MEMORY_SPACE_USER_MODE;
  PVOID va = proc;  // in: the process
  ASSERT_EQ(VideoPortMapMemory(hw, Pa(kVideoFb), &length, &io, &va), NO_ERROR) << Dump();
  EXPECT_NE(va, proc);
  EXPECT_EQ(length, 0x2000u);  // rounded up to the end of the page
  ASSERT_EQ(ddimap_attach_process(proc), DDIMAP_OK);
  VideoPortWriteRegisterUshort(At<USHORT>(va, 0x10), 0x1234);
  EXPECT_EQ(VideoPortReadRegisterUshort(At<USHORT>(va, 0x10)), 0x1234);
  EXPECT_EQ(ddimap_report_count(), 0u) << Dump();
  (void)VideoPortReadRegisterUchar(At<UCHAR>(va, 0x1800));  // beyond the input length
  EXPECT_EQ(ddimap_rule_count("ACCESS.OUT_OF_BOUNDS"), 1u) << Dump();
  ASSERT_EQ(ddimap_attach_process(nullptr), DDIMAP_OK);
  (void)VideoPortReadRegisterUlong(At<ULONG>(va, 0x10));
  EXPECT_EQ(ddimap_rule_count("ACCESS.WRONG_PROCESS"), 1u) << Dump();
  EXPECT_EQ(VideoPortUnmapMemory(hw, va, proc), NO_ERROR);
  EXPECT_EQ(VideoPortUnmapMemory(hw, va, proc), ERROR_INVALID_PARAMETER);
  EXPECT_EQ(ddimap_rule_count("VIDEO.UNMAP_DOUBLE"), 1u) << Dump();
  EXPECT_EQ(ddimap_exit_process(proc), DDIMAP_OK);
  EXPECT_EQ(ddimap_report_count(), 3u) << Dump();
}

TEST_F(Capi, DestroyReportsLeaks) {
  setenv("DDIMAP_OPTIONS", "print=1", 1);
  ASSERT_EQ(ddimap_machine_create(), DDIMAP_OK);
  ASSERT_NE(MmMapIoSpace(Pa(kUnassigned), 0x1000, MmNonCached), nullptr);
  testing::internal::CaptureStderr();
  EXPECT_EQ(ddimap_machine_destroy(), DDIMAP_OK);
  const std::string printed = testing::internal::GetCapturedStderr();
  EXPECT_NE(printed.find("MM_IO.LEAK"), std::string::npos) << printed;
  EXPECT_EQ(ddimap_machine_exists(), 0);
}

TEST_F(Capi, TeardownKeepsReportsReadable) {
  ASSERT_EQ(ddimap_machine_create(), DDIMAP_OK);
  ASSERT_NE(MmMapIoSpace(Pa(kUnassigned), 0x1000, MmNonCached), nullptr);
  EXPECT_EQ(ddimap_teardown(), DDIMAP_OK);
  EXPECT_EQ(ddimap_rule_count("MM_IO.LEAK"), 1u) << Dump();
  EXPECT_EQ(ddimap_teardown(), DDIMAP_OK);  // idempotent
  EXPECT_EQ(ddimap_rule_count("MM_IO.LEAK"), 1u) << Dump();
  EXPECT_EQ(ddimap_machine_exists(), 1);
}

using CapiDeathTest = Capi;

TEST_F(CapiDeathTest, AbortPolicyFromOptions) {
  setenv("DDIMAP_OPTIONS", "policy=abort:print=0", 1);
  EXPECT_DEATH(
      {
        ddimap_machine_create();
        PVOID p = MmMapIoSpace(Pa(kUnassigned), 0x1000, MmNonCached);
        MmUnmapIoSpace(p, 0x1000);
        MmUnmapIoSpace(p, 0x1000);
      },
      "ERROR: ddimap: MM_IO.UNMAP_DOUBLE in MmUnmapIoSpace");
}

TEST_F(CapiDeathTest, AbortPolicySetAtRunTime) {
  EXPECT_DEATH(
      {
        ddimap_machine_create();
        ddimap_set_policy(DDIMAP_POLICY_ABORT);
        MmMapIoSpace(Pa(kUnassigned), 0, MmNonCached);
      },
      "MM_IO.ZERO_LENGTH");
}

}  // namespace
