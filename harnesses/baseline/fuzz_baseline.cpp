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
// gap it exists to measure. The operations and their parameters come from the
// call table (core/calls/calls.def), so a new call is fuzzed here too.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ddimap/machine.hpp"
#include "program/execute.hpp"
#include "program/world.hpp"
#include "runner/runner.hpp"

namespace {

using ddimap::ArgKind;
using ddimap::u32;
using ddimap::u64;
using ddimap::u8;

// Every non-building call of the call table: the operations the real
// harnesses drive, read off calls.def as a harness author would.
const std::vector<ddimap::CallId>& Operations() {
  static const std::vector<ddimap::CallId> ops = [] {
    std::vector<ddimap::CallId> v;
    for (const ddimap::CallDesc& d : ddimap::AllCalls())
      if (!d.builds) v.push_back(d.id);
    return v;
  }();
  return ops;
}

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
  const auto& ops = Operations();

  // One raw value per parameter, uniformly, by its kind alone. Each value is
  // consumed into the call record in parameter order: consuming inside an
  // argument list would decode one input differently under gcc and clang.
  auto value = [&](ArgKind kind) -> u64 {
    switch (kind) {
      case ArgKind::Adapter:
      case ArgKind::WdmDevice:
      case ArgKind::UmdfDevice:
      case ArgKind::Video:
      case ArgKind::AnyObject:
        return objects[fdp.ConsumeIntegralInRange<std::size_t>(0, objects.size() - 1)].handle;
      case ArgKind::Len32:
      case ArgKind::InOutLen32:
      case ArgKind::InOutVideoFlags:
      case ArgKind::VideoFlags:
      case ArgKind::Version:
        return fdp.ConsumeIntegral<u32>();
      case ArgKind::Irql: return fdp.ConsumeIntegral<u8>();
      // A few values past the last callback, as a harness author reading
      // types.hpp would try.
      case ArgKind::Callback: return fdp.ConsumeIntegralInRange<u8>(0, ddimap::kCallbackCount + 2);
      case ArgKind::Bool: return fdp.ConsumeBool();
      case ArgKind::OutPtr:
      case ArgKind::OutResource:
      case ArgKind::Buffer:
      case ArgKind::InPtr:
      case ArgKind::OutPhysAddr:
      case ArgKind::FileName: return 0;
      // The runner supplies port buffers, of at most this many elements.
      case ArgKind::Count: return fdp.ConsumeIntegralInRange<std::uint32_t>(0, ddimap::harness::kMaxPortCount);
      default: return fdp.ConsumeIntegral<u64>();
    }
  };

  ddimap::harness::ConcreteCall c{};
  while (fdp.remaining_bytes() > 0) {
    c.id = ops[fdp.ConsumeIntegralInRange<std::size_t>(0, ops.size() - 1)];
    c.null_mask = 0;
    c.file_name = {};
    const ddimap::CallDesc& d = ddimap::Call(c.id);
    for (int i = 0; i < d.param_count; ++i) {
      const ArgKind kind = d.params[i].kind;
      c.args[static_cast<std::size_t>(i)] = value(kind);
      if (kind == ArgKind::FileName) {
        std::size_t f = fdp.ConsumeIntegralInRange<std::size_t>(0, files.size());
        c.file_name = f < files.size() ? std::string_view(files[f].name) : ddimap::harness::kMissingFile;
      }
      // The DDIs document their pointers as "NULL or valid", so a generic
      // harness tries both.
      if (ddimap::IsPointerKind(kind) && !fdp.ConsumeBool()) c.null_mask |= static_cast<u8>(1u << i);
    }
    ddimap::harness::Execute(m, c);
  }

  m.Teardown();
  return 0;
}
