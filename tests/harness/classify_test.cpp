// Crash-log signatures (harnesses/repro/classify.hpp), on reports shaped as
// ASan, UBSan, libFuzzer and the harness print them.
#include "repro/classify.hpp"

#include <gtest/gtest.h>

namespace ddimap::harness {
namespace {

TEST(ClassifyCrashLog, AHarnessAbortIsItsSignatureLine) {
  EXPECT_EQ(ClassifyCrashLog("ERROR: ddimap-harness: oracle mismatch\n"
                             "SIGNATURE: oracle-mismatch MmUnmapIoSpace rules core=A oracle=B\n"
                             "==1==ERROR: libFuzzer: deadly signal\n"),
            "oracle-mismatch MmUnmapIoSpace rules core=A oracle=B");
}

TEST(ClassifyCrashLog, AnAsanReportIsItsErrorTypeAndTopTwoDdimapFrames) {
  EXPECT_EQ(ClassifyCrashLog(
                "INFO: Running with entropic power schedule (0xFF, 100).\n"
                "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x55\n"
                "READ of size 8 at 0x602000000010 thread T0\n"
                "    #0 0x55d1 in std::vector<int>::size() const /usr/include/c++/12/bits/stl_vector.h:919:40\n"
                "    #1 0x55d2 in ddimap::AddressSpace::Find(unsigned long) const /src/core/machine/a.cpp:88:7\n"
                "    #2 0x55d3 in ddimap::(anonymous namespace)::Classify(ddimap::Machine&) /src/core/f/c.cpp:41:12\n"
                "    #3 0x55d4 in ddimap::Machine::MmUnmapIoSpace(unsigned long) /src/core/f/mm_io.cpp:120:3\n"
                "\n"
                "freed by thread T0 here:\n"
                "    #0 0x55e1 in operator delete(void*)\n"
                "    #1 0x55e2 in ddimap::Machine::Release(int) /src/core/machine/machine.cpp:300:1\n"),
            "AddressSanitizer heap-use-after-free at ddimap::AddressSpace::Find, ddimap::{anon}::Classify");
}

TEST(ClassifyCrashLog, ALeakIsNamedSo) {
  EXPECT_EQ(ClassifyCrashLog("==1==ERROR: LeakSanitizer: detected memory leaks\n"
                             "    #0 0x1 in malloc\n"
                             "    #1 0x2 in ddimap::NodePool::Grow() /src/core/machine/pool.cpp:9:3\n"),
            "LeakSanitizer memory-leak at ddimap::NodePool::Grow");
}

TEST(ClassifyCrashLog, AUbsanReportLosesItsNumbers) {
  EXPECT_EQ(ClassifyCrashLog("/src/core/machine/tables.cpp:57:21: runtime error: shift exponent 64 is too large "
                             "for 64-bit type 'unsigned long'\n"
                             "    #0 0x4f1 in ddimap::PageCount(unsigned long) /src/core/machine/tables.cpp:57:21\n"
                             "    #1 0x4f2 in ddimap::Machine::MmMapIoSpace(unsigned long) /src/core/f/mm_io.cpp:60:9\n"
                             "    #2 0x4f3 in main /src/harnesses/fuzz/standalone_main.cpp:20:3\n"),
            "UndefinedBehaviorSanitizer shift-exponent at ddimap::PageCount, ddimap::Machine::MmMapIoSpace");
  EXPECT_EQ(ClassifyCrashLog("x.cpp:1:2: runtime error: signed integer overflow: 1 + 2147483647 cannot be "
                             "represented in type 'int'\n"),
            "UndefinedBehaviorSanitizer signed-integer-overflow at ?");
}

TEST(ClassifyCrashLog, ALibFuzzerReportWithoutSanitizer) {
  EXPECT_EQ(ClassifyCrashLog("==7== ERROR: libFuzzer: timeout after 25 seconds\n"), "libFuzzer timeout at ?");
  EXPECT_EQ(ClassifyCrashLog("==7== ERROR: libFuzzer: out-of-memory (malloc(4294967296))\n"),
            "libFuzzer out-of-memory at ?");
}

TEST(ClassifyCrashLog, ADriversContractBreachIsItsReportsFirstLine) {
  // A driver fuzz target aborts on the report: the abort's own sanitizer and
  // libFuzzer lines follow it and must not win.
  EXPECT_EQ(ClassifyCrashLog("ERROR: ddimap: NDIS_IO.LEAK in MiniportInitializeEx\n"
                             "  #10 LeaveCallback(Succeeded=FALSE) at IRQL 0 (PASSIVE_LEVEL)\n"
                             "SUMMARY: ddimap: NDIS_IO.LEAK in MiniportInitializeEx\n"
                             "==9== ERROR: libFuzzer: deadly signal\n"),
            "ddimap: NDIS_IO.LEAK in MiniportInitializeEx");
}

TEST(ClassifyCrashLog, ALogWithoutAFailureHasNoSignature) {
  EXPECT_EQ(ClassifyCrashLog("INFO: Seed: 1\nDone 100 runs in 0 second(s)\n"), "");
}

}  // namespace
}  // namespace ddimap::harness
