// Core micro-benchmarks (Google Benchmark, release build): the cost of one
// map+unmap pair per family, of a register access and of teardown, with 10,
// 1e3 and 1e5 other mappings live, and the same pair on the oracle as the
// baseline the harness pays for every call; and the copy of the harnesses'
// world a fuzz input starts from. Run: bench/run.sh.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "ddimap/machine.hpp"
#include "oracle/oracle.hpp"
#include "program/world.hpp"
#include "runner/runner.hpp"

namespace ddimap {
namespace {

constexpr u64 kBar = 0xFEBF0000;   // adapter / device BAR, 16 MiB so 1e5 one-page mappings fit
constexpr u64 kBarLen = 0x1000000;
constexpr u64 kFb = 0xE0000000;

// A machine with one device of each family started, and `live` MM mappings
// of distinct pages already made (the population the measured pair sees).
template <typename M>
struct World {
  M m;
  u64 nic, wdm, umdf, video;
  explicit World(std::size_t live) {
    m.AddRam(0, 0x80000000);
    nic = m.CreateNdisAdapter();
    wdm = m.CreateWdmDevice();
    umdf = m.CreateUmdfDevice(0x1000B, true, RegisterAccess::UsingSystemCall);
    video = m.CreateVideoDevice();
    m.AssignResource(nic, PhysSpace::Memory, kBar, kBarLen);
    m.AssignResource(umdf, PhysSpace::Memory, kBar + kBarLen, 0x1000);
    m.AssignResource(video, PhysSpace::Memory, kFb, kBarLen);
    for (std::size_t i = 0; i < live; ++i) m.MmMapIoSpace(0xF0000000 + (i % 0x1000) * 0x1000, 0x1000, kMmNonCached);
  }
};

template <typename M>
u64 MmOnce(World<M>& w) {
  u64 va = w.m.MmMapIoSpace(0xF8000000, 0x1000, kMmNonCached);
  w.m.MmUnmapIoSpace(va, 0x1000);
  return va;
}

template <typename M>
void MmPair(benchmark::State& st) {
  World<M> w(static_cast<std::size_t>(st.range(0)));
  for (auto _ : st) benchmark::DoNotOptimize(MmOnce(w));
  st.SetItemsProcessed(st.iterations());
}

void NdisPair(benchmark::State& st) {
  World<Machine> w(static_cast<std::size_t>(st.range(0)));
  w.m.EnterCallback(Callback::MiniportInitializeEx, w.nic);
  for (auto _ : st) {
    u64 va = 0;
    w.m.NdisMMapIoSpace(&va, w.nic, kBar, 0x1000);
    w.m.NdisMUnmapIoSpace(w.nic, va, 0x1000);
    benchmark::DoNotOptimize(va);
  }
}

void UmdfPair(benchmark::State& st) {
  World<Machine> w(static_cast<std::size_t>(st.range(0)));
  w.m.EnterCallback(Callback::OnPrepareHardware, w.umdf);
  for (auto _ : st) {
    u64 va = 0;
    w.m.UmdfMapIoSpace(w.umdf, kBar + kBarLen, 0x1000, kMmNonCached, &va);
    w.m.UmdfUnmapIoSpace(w.umdf, va, 0x1000);
    benchmark::DoNotOptimize(va);
  }
}

void VideoPair(benchmark::State& st) {
  World<Machine> w(static_cast<std::size_t>(st.range(0)));
  for (auto _ : st) {
    u32 len = 0x1000, space = 0;
    u64 va = 0;
    w.m.VideoPortMapMemory(w.video, kFb, &len, &space, &va);
    w.m.VideoPortUnmapMemory(w.video, va, 0);
    benchmark::DoNotOptimize(va);
  }
}

void FilePair(benchmark::State& st) {
  World<Machine> w(static_cast<std::size_t>(st.range(0)));
  w.m.AddFile("fw.bin", 4096, true);
  w.m.EnterCallback(Callback::MiniportInitializeEx, w.nic);
  NdisStatus s;
  u64 h = 0;
  u32 len = 0;
  w.m.NdisOpenFile(&s, &h, &len, "fw.bin", ~0ull);
  for (auto _ : st) {
    u64 buf = 0;
    w.m.NdisMapFile(&s, &buf, h);
    w.m.NdisUnmapFile(h);
    benchmark::DoNotOptimize(buf);
  }
}

void RegisterRead(benchmark::State& st) {
  World<Machine> w(static_cast<std::size_t>(st.range(0)));
  u64 va = w.m.MmMapIoSpace(0xF8000000, 0x1000, kMmNonCached);
  w.m.Write(va + 8, 4, 42);
  for (auto _ : st) benchmark::DoNotOptimize(w.m.Read(va + 8, 4));
}

// The per-input cost of the harnesses' world: a copy of the built standard
// world (harnesses/program/world.hpp: devices with resources, RAM, files; no
// mapping yet) and its destruction.
void WorldCopy(benchmark::State& st) {
  Machine w(harness::HarnessMachineOptions());
  harness::BuildWorld(w);
  for (auto _ : st) {
    Machine copy(w);
    benchmark::DoNotOptimize(copy.call_count());
  }
}

void Teardown(benchmark::State& st) {
  for (auto _ : st) {
    st.PauseTiming();
    auto w = std::make_unique<World<Machine>>(static_cast<std::size_t>(st.range(0)));
    st.ResumeTiming();
    w->m.Teardown();
    st.PauseTiming();
    w.reset();
    st.ResumeTiming();
  }
}

#define DDIMAP_LIVE ->Arg(10)->Arg(1000)->Arg(100000)
BENCHMARK(MmPair<Machine>) DDIMAP_LIVE;
BENCHMARK(MmPair<oracle::Model>) DDIMAP_LIVE;
BENCHMARK(NdisPair) DDIMAP_LIVE;
BENCHMARK(UmdfPair) DDIMAP_LIVE;
BENCHMARK(VideoPair) DDIMAP_LIVE;
BENCHMARK(FilePair) DDIMAP_LIVE;
BENCHMARK(RegisterRead) DDIMAP_LIVE;
BENCHMARK(WorldCopy);
BENCHMARK(Teardown)->Arg(10)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond)->Iterations(5);

}  // namespace
}  // namespace ddimap

// `--count_mm_pairs=N` runs N MmMapIoSpace + MmUnmapIoSpace pairs with 1e3
// mappings live and nothing else, for bench/instructions.sh: under callgrind,
// the difference between two counts over the difference in N is the
// instructions one pair executes, a figure the host's speed does not move.
int main(int argc, char** argv) {
  constexpr std::string_view kCount = "--count_mm_pairs=";
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.substr(0, kCount.size()) != kCount) continue;
    const long n = std::strtol(argv[i] + kCount.size(), nullptr, 10);
    ddimap::World<ddimap::Machine> w(1000);
    ddimap::u64 sum = 0;
    for (long k = 0; k < n; ++k) sum += ddimap::MmOnce(w);
    benchmark::DoNotOptimize(sum);
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
