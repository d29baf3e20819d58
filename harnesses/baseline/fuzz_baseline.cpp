// fuzz_baseline: the naive baseline of the bug-finding benchmark (issue 5,
// item 4). fuzz_all's bug-finding power means little without a yardstick, so
// this is what a generic fuzzing engineer would write in an hour without our
// tooling (no program codec, no oracle, no dictionaries, no seeds):
//   - FuzzedDataProvider picks one operation at a time, uniformly;
//   - every argument is uniformly random and raw (addresses, lengths, cache
//     types, flags, IRQLs); only the world's objects and file names, which
//     any harness author can read off world.hpp, are picked from their lists;
//   - no reuse of results: an address or handle a call returned is never
//     passed back, so unmap, access and close calls get fresh random values;
//   - crash/sanitizer only: it checks nothing (no oracle, no report or
//     invariant inspection). A bug counts only if the process dies.
// Keep it that naive: every bit of cleverness added here shrinks the measured
// gap it exists to measure.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "ddimap/machine.hpp"
#include "program/world.hpp"
#include "runner/runner.hpp"

namespace {

using ddimap::u32;
using ddimap::u64;
using ddimap::u8;

// Every non-building call of the call table (the operations the real
// harnesses drive); the access calls take their width as an argument.
enum Op : unsigned {
  kSetIrql,
  kCreateProcess,
  kExitProcess,
  kAttachProcess,
  kEnterCallback,
  kLeaveCallback,
  kNdisMMapIoSpace,
  kNdisMUnmapIoSpace,
  kMmMapIoSpace,
  kMmMapIoSpaceEx,
  kMmUnmapIoSpace,
  kUmdfMapIoSpace,
  kUmdfUnmapIoSpace,
  kUmdfGetHardwareRegisterMappedAddress,
  kNdisOpenFile,
  kNdisMapFile,
  kNdisUnmapFile,
  kNdisCloseFile,
  kVideoPortMapMemory,
  kVideoPortUnmapMemory,
  kRead,
  kWrite,
  kUmdfReadRegister,
  kUmdfWriteRegister,
  kOpCount
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);

  // The real harnesses' options, so both sides face the same core: reports
  // are recorded (never fatal) and nothing is printed, which keeps exec/s
  // comparable and leaves crashes as the only signal.
  ddimap::MachineOptions options = ddimap::harness::HarnessMachineOptions();
  options.policy = ddimap::Policy::Record;
  options.print_reports = false;
  ddimap::Machine m(options);
  ddimap::harness::BuildWorld(m);
  m.StartProgram();

  const auto& objects = ddimap::harness::WorldObjects();
  const auto& files = ddimap::harness::WorldFiles();

  // Arguments are consumed into named locals before each call: the order in
  // which a call's arguments are evaluated is unspecified, and consuming
  // inside the argument list would decode one input differently under gcc and
  // clang.
  auto raw64 = [&] { return fdp.ConsumeIntegral<u64>(); };
  auto raw32 = [&] { return fdp.ConsumeIntegral<u32>(); };
  auto object = [&] { return objects[fdp.ConsumeIntegralInRange<std::size_t>(0, objects.size() - 1)].handle; };
  auto file_name = [&]() -> std::string_view {
    std::size_t i = fdp.ConsumeIntegralInRange<std::size_t>(0, files.size());
    return i < files.size() ? files[i].name : ddimap::harness::kMissingFile;
  };
  // The DDIs document their out-pointers as "NULL or valid", so a generic
  // harness tries both.
  auto out = [&](auto* p) { return fdp.ConsumeBool() ? p : nullptr; };
  auto width = [&] { return fdp.PickValueInArray<unsigned>({1, 2, 4, 8}); };

  while (fdp.remaining_bytes() > 0) {
    switch (fdp.ConsumeIntegralInRange<unsigned>(0, kOpCount - 1)) {
      case kSetIrql: {
        u8 irql = fdp.ConsumeIntegral<u8>();
        m.SetIrql(irql);
        break;
      }
      case kCreateProcess: m.CreateProcess(); break;
      case kExitProcess: m.ExitProcess(raw64()); break;
      case kAttachProcess: m.AttachProcess(raw64()); break;
      case kEnterCallback: {
        // A few values past the last callback, as a harness author reading
        // types.hpp would try.
        auto cb = static_cast<ddimap::Callback>(fdp.ConsumeIntegralInRange<u8>(0, ddimap::kCallbackCount + 2));
        u64 obj = object();
        m.EnterCallback(cb, obj);
        break;
      }
      case kLeaveCallback: m.LeaveCallback(fdp.ConsumeBool()); break;
      case kNdisMMapIoSpace: {
        u64 va = 0;
        u64* pva = out(&va);
        u64 adapter = object();
        u64 phys = raw64();
        u32 len = raw32();
        m.NdisMMapIoSpace(pva, adapter, phys, len);
        break;
      }
      case kNdisMUnmapIoSpace: {
        u64 adapter = object();
        u64 va = raw64();
        u32 len = raw32();
        m.NdisMUnmapIoSpace(adapter, va, len);
        break;
      }
      case kMmMapIoSpace: {
        u64 phys = raw64();
        u64 len = raw64();
        u64 cache = raw64();
        m.MmMapIoSpace(phys, len, cache);
        break;
      }
      case kMmMapIoSpaceEx: {
        u64 phys = raw64();
        u64 len = raw64();
        u64 protect = raw64();
        m.MmMapIoSpaceEx(phys, len, protect);
        break;
      }
      case kMmUnmapIoSpace: {
        u64 va = raw64();
        u64 len = raw64();
        m.MmUnmapIoSpace(va, len);
        break;
      }
      case kUmdfMapIoSpace: {
        u64 device = object();
        u64 phys = raw64();
        u64 len = raw64();
        u64 cache = raw64();
        u64 pseudo = 0;
        u64* ppseudo = out(&pseudo);
        m.UmdfMapIoSpace(device, phys, len, cache, ppseudo);
        break;
      }
      case kUmdfUnmapIoSpace: {
        u64 device = object();
        u64 pseudo = raw64();
        u64 len = raw64();
        m.UmdfUnmapIoSpace(device, pseudo, len);
        break;
      }
      case kUmdfGetHardwareRegisterMappedAddress: {
        u64 device = object();
        u64 pseudo = raw64();
        m.UmdfGetHardwareRegisterMappedAddress(device, pseudo);
        break;
      }
      case kNdisOpenFile: {
        ddimap::NdisStatus status{};
        u64 handle = 0;
        u32 length = 0;
        ddimap::NdisStatus* pstatus = out(&status);
        u64* phandle = out(&handle);
        u32* plength = out(&length);
        std::string_view name = file_name();
        u64 highest = raw64();
        m.NdisOpenFile(pstatus, phandle, plength, name, highest);
        break;
      }
      case kNdisMapFile: {
        ddimap::NdisStatus status{};
        u64 buffer = 0;
        ddimap::NdisStatus* pstatus = out(&status);
        u64* pbuffer = out(&buffer);
        u64 handle = raw64();
        m.NdisMapFile(pstatus, pbuffer, handle);
        break;
      }
      case kNdisUnmapFile: m.NdisUnmapFile(raw64()); break;
      case kNdisCloseFile: m.NdisCloseFile(raw64()); break;
      case kVideoPortMapMemory: {
        u64 device = object();
        u64 phys = raw64();
        u32 length = raw32();
        u32 in_io_space = raw32();
        u64 va = raw64();
        u32* plength = out(&length);
        u32* pin_io_space = out(&in_io_space);
        u64* pva = out(&va);
        m.VideoPortMapMemory(device, phys, plength, pin_io_space, pva);
        break;
      }
      case kVideoPortUnmapMemory: {
        u64 device = object();
        u64 va = raw64();
        u64 process = raw64();
        m.VideoPortUnmapMemory(device, va, process);
        break;
      }
      case kRead: {
        u64 address = raw64();
        unsigned w = width();
        m.Read(address, w);
        break;
      }
      case kWrite: {
        u64 address = raw64();
        unsigned w = width();
        u64 value = raw64();
        m.Write(address, w, value);
        break;
      }
      case kUmdfReadRegister: {
        u64 device = object();
        u64 address = raw64();
        unsigned w = width();
        m.UmdfReadRegister(device, address, w);
        break;
      }
      case kUmdfWriteRegister: {
        u64 device = object();
        u64 address = raw64();
        unsigned w = width();
        u64 value = raw64();
        m.UmdfWriteRegister(device, address, w, value);
        break;
      }
      default: break;
    }
  }

  m.Teardown();
  return 0;
}
