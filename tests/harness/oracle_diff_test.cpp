// Differential tests: every call runs on the core (ddimap::Machine) and on the
// oracle (ddimap::oracle::Model, written from docs/semantics.md alone). After
// every call the two must agree on the return value, every out-value, the rules
// the call reported, the live mappings (field by field) and the visible state
// (IRQL, callback, current process, call count).
//
// A mismatch is reported once per test with the call number, the call and both
// sides (and the oracle's live mappings); later mismatches are only counted.
//
// Environment: DDIMAP_DIFF_TRACE=1 prints every call with both results;
// DDIMAP_DIFF_PROGRAMS=n runs n random programs per instance; DDIMAP_DIFF_SEED=s
// replays the one random program with seed s.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ddimap/machine.hpp"
#include "oracle.hpp"

namespace ddimap {
namespace {

using V = std::vector<u64>;
constexpr u64 kSentinel = 0x5A5A5A5A5A5A5A5Aull;  // an out-value the call did not write
constexpr u32 kSentinel32 = 0x5A5A5A5Au;

std::string Hex(u64 v) {
  char b[32];
  std::snprintf(b, sizeof b, "%#llx", static_cast<unsigned long long>(v));
  return b;
}

std::string Vals(const V& v) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + Hex(v[i]);
  return s + "}";
}

std::string RuleList(const std::vector<RuleId>& r) {
  std::string s = "[";
  for (std::size_t i = 0; i < r.size(); ++i)
    s += (i ? ", " : "") + std::string(oracle::OracleRuleName(r[i]));
  return s + "]";
}

// One core and one oracle fed the same calls.
class Pair {
 public:
  explicit Pair(const MachineOptions& opt = {}) : m(opt), o(opt) {}

  Machine m;
  oracle::Model o;
  bool failed = false;      // a mismatch was found
  u64 calls = 0;            // calls made through the pair
  std::vector<RuleId> last_rules;  // core rules of the last call

  // Runs f on both sides and compares everything.
  template <class F>
  V Run(const std::string& what, F f) {
    ++calls;
    V a = f(m);
    V b = f(o);
    std::vector<RuleId> ra;
    const auto& reps = m.reports();
    for (std::size_t i = seen_; i < reps.size(); ++i) ra.push_back(reps[i].rule);
    seen_ = reps.size();
    std::vector<RuleId> rb = o.TakeRules();
    last_rules = ra;
    std::string diff;
    if (a != b) diff += "  return/out-values: core " + Vals(a) + " oracle " + Vals(b) + "\n";
    if (ra != rb) diff += "  rules: core " + RuleList(ra) + " oracle " + RuleList(rb) + "\n";
    const auto ma = m.LiveMappings();
    const auto mb = o.LiveMappings();
    bool maps_same = ma.size() == mb.size();
    for (std::size_t i = 0; maps_same && i < ma.size(); ++i) maps_same = ma[i] == mb[i];
    if (!maps_same) {
      diff += "  live mappings differ:\n   core:\n";
      for (const auto& v : ma) diff += "    " + Describe(v) + "\n";
      diff += "   oracle:\n";
      for (const auto& v : mb) diff += "    " + Describe(v) + "\n";
    }
    if (m.live_mapping_count() != o.live_mapping_count())
      diff += "  live_mapping_count: core " + std::to_string(m.live_mapping_count()) + " oracle " +
              std::to_string(o.live_mapping_count()) + "\n";
    if (!m.torn_down()) {
      if (m.irql() != o.irql())
        diff += "  irql: core " + std::to_string(m.irql()) + " oracle " + std::to_string(o.irql()) + "\n";
      if (m.callback() != o.callback() || m.callback_object() != o.callback_object())
        diff += "  callback: core " + std::to_string(int(m.callback())) + "/" + Hex(m.callback_object()) +
                " oracle " + std::to_string(int(o.callback())) + "/" + Hex(o.callback_object()) + "\n";
      if (m.current_process() != o.current_process())
        diff += "  current process: core " + Hex(m.current_process()) + " oracle " +
                Hex(o.current_process()) + "\n";
      if (m.call_count() != o.call_count())
        diff += "  call_count: core " + std::to_string(m.call_count()) + " oracle " +
                std::to_string(o.call_count()) + "\n";
    }
    if (m.torn_down() != o.torn_down()) diff += "  torn_down differs\n";
    if (std::getenv("DDIMAP_DIFF_TRACE"))
      std::fprintf(stderr, "#%llu %s -> core %s %s | oracle %s %s\n", static_cast<unsigned long long>(calls),
                   what.c_str(), Vals(a).c_str(), RuleList(ra).c_str(), Vals(b).c_str(), RuleList(rb).c_str());
    const std::string inv = m.CheckInvariants();
    if (!inv.empty()) diff += "  core CheckInvariants: " + inv + "\n";
    if (!diff.empty() && !failed) {
      ADD_FAILURE() << "first mismatch at call #" << calls << ": " << what << "\n" << diff
                    << "  oracle's live mappings after the call:\n" << o.Describe();
    }
    if (!diff.empty()) {
      failed = true;
      ++mismatched_calls_;
    }
    return a;
  }

  ~Pair() {
    if (mismatched_calls_ > 1)
      ADD_FAILURE() << mismatched_calls_ - 1 << " later calls mismatched too (details of the first above)";
  }

  // --- building ----------------------------------------------------------------
  ControlStatus AddRam(u64 pa, u64 len) {
    return static_cast<ControlStatus>(
        Run("AddRam(" + Hex(pa) + ", " + Hex(len) + ")",
            [&](auto& t) { return V{u64(t.AddRam(pa, len))}; })[0]);
  }
  u64 CreateNdisAdapter() {
    return Run("CreateNdisAdapter()", [&](auto& t) { return V{t.CreateNdisAdapter()}; })[0];
  }
  u64 CreateWdmDevice() {
    return Run("CreateWdmDevice()", [&](auto& t) { return V{t.CreateWdmDevice()}; })[0];
  }
  u64 CreateUmdfDevice(u32 ver, bool direct, RegisterAccess mode) {
    return Run("CreateUmdfDevice(" + Hex(ver) + ", " + std::to_string(direct) + ", " +
                   std::to_string(int(mode)) + ")",
               [&](auto& t) { return V{t.CreateUmdfDevice(ver, direct, mode)}; })[0];
  }
  u64 CreateVideoDevice() {
    return Run("CreateVideoDevice()", [&](auto& t) { return V{t.CreateVideoDevice()}; })[0];
  }
  ControlStatus AssignResource(u64 obj, PhysSpace sp, u64 start, u64 len) {
    return static_cast<ControlStatus>(
        Run("AssignResource(" + Hex(obj) + ", " + std::to_string(int(sp)) + ", " + Hex(start) +
                ", " + Hex(len) + ")",
            [&](auto& t) { return V{u64(t.AssignResource(obj, sp, start, len))}; })[0]);
  }
  ControlStatus AddFile(const std::string& name, u32 len, bool readable) {
    return static_cast<ControlStatus>(
        Run("AddFile(\"" + name + "\", " + Hex(len) + ", " + std::to_string(readable) + ")",
            [&](auto& t) { return V{u64(t.AddFile(name, len, readable))}; })[0]);
  }

  // --- lifecycle -----------------------------------------------------------------
  ControlStatus SetIrql(u64 irql) {
    return static_cast<ControlStatus>(
        Run("SetIrql(" + Hex(irql) + ")", [&](auto& t) { return V{u64(t.SetIrql(irql))}; })[0]);
  }
  u64 CreateProcess() {
    return Run("CreateProcess()", [&](auto& t) { return V{t.CreateProcess()}; })[0];
  }
  ControlStatus ExitProcess(u64 p) {
    return static_cast<ControlStatus>(
        Run("ExitProcess(" + Hex(p) + ")", [&](auto& t) { return V{u64(t.ExitProcess(p))}; })[0]);
  }
  ControlStatus AttachProcess(u64 p) {
    return static_cast<ControlStatus>(
        Run("AttachProcess(" + Hex(p) + ")", [&](auto& t) { return V{u64(t.AttachProcess(p))}; })[0]);
  }
  ControlStatus Enter(Callback cb, u64 obj) {
    return static_cast<ControlStatus>(
        Run("EnterCallback(" + std::to_string(int(cb)) + ", " + Hex(obj) + ")",
            [&](auto& t) { return V{u64(t.EnterCallback(cb, obj))}; })[0]);
  }
  ControlStatus Leave(bool ok) {
    return static_cast<ControlStatus>(
        Run("LeaveCallback(" + std::to_string(ok) + ")",
            [&](auto& t) { return V{u64(t.LeaveCallback(ok))}; })[0]);
  }

  // --- NDIS I/O ---------------------------------------------------------------------
  // Returns {status, *VirtualAddress}.
  V NdisMap(u64 adapter, u64 pa, u32 len, bool null_out = false) {
    return Run("NdisMMapIoSpace(" + std::string(null_out ? "NULL" : "&va") + ", " + Hex(adapter) +
                   ", " + Hex(pa) + ", " + Hex(len) + ")",
               [&](auto& t) {
                 u64 va = kSentinel;
                 u64 s = t.NdisMMapIoSpace(null_out ? nullptr : &va, adapter, pa, len);
                 return V{s, va};
               });
  }
  void NdisUnmap(u64 adapter, u64 va, u32 len) {
    Run("NdisMUnmapIoSpace(" + Hex(adapter) + ", " + Hex(va) + ", " + Hex(len) + ")", [&](auto& t) {
      t.NdisMUnmapIoSpace(adapter, va, len);
      return V{};
    });
  }

  // --- MM ------------------------------------------------------------------------------
  u64 MmMap(u64 pa, u64 len, u64 ct) {
    return Run("MmMapIoSpace(" + Hex(pa) + ", " + Hex(len) + ", " + Hex(ct) + ")",
               [&](auto& t) { return V{t.MmMapIoSpace(pa, len, ct)}; })[0];
  }
  u64 MmMapEx(u64 pa, u64 len, u64 prot) {
    return Run("MmMapIoSpaceEx(" + Hex(pa) + ", " + Hex(len) + ", " + Hex(prot) + ")",
               [&](auto& t) { return V{t.MmMapIoSpaceEx(pa, len, prot)}; })[0];
  }
  void MmUnmap(u64 va, u64 len) {
    Run("MmUnmapIoSpace(" + Hex(va) + ", " + Hex(len) + ")", [&](auto& t) {
      t.MmUnmapIoSpace(va, len);
      return V{};
    });
  }

  // --- UMDF ---------------------------------------------------------------------------
  // Returns {hresult, *pPseudoBaseAddress}.
  V UmdfMap(u64 dev, u64 pa, u64 len, u64 ct, bool null_out = false) {
    return Run("UmdfMapIoSpace(" + Hex(dev) + ", " + Hex(pa) + ", " + Hex(len) + ", " + Hex(ct) +
                   ", " + (null_out ? "NULL" : "&pseudo") + ")",
               [&](auto& t) {
                 u64 out = kSentinel;
                 u64 h = t.UmdfMapIoSpace(dev, pa, len, ct, null_out ? nullptr : &out);
                 return V{h, out};
               });
  }
  void UmdfUnmap(u64 dev, u64 va, u64 len) {
    Run("UmdfUnmapIoSpace(" + Hex(dev) + ", " + Hex(va) + ", " + Hex(len) + ")", [&](auto& t) {
      t.UmdfUnmapIoSpace(dev, va, len);
      return V{};
    });
  }
  u64 UmdfView(u64 dev, u64 pseudo) {
    return Run("UmdfGetHardwareRegisterMappedAddress(" + Hex(dev) + ", " + Hex(pseudo) + ")",
               [&](auto& t) { return V{t.UmdfGetHardwareRegisterMappedAddress(dev, pseudo)}; })[0];
  }
  u64 UmdfRead(u64 dev, u64 a, unsigned w) {
    return Run("UmdfReadRegister(" + Hex(dev) + ", " + Hex(a) + ", " + std::to_string(w) + ")",
               [&](auto& t) { return V{t.UmdfReadRegister(dev, a, w)}; })[0];
  }
  void UmdfWrite(u64 dev, u64 a, unsigned w, u64 v) {
    Run("UmdfWriteRegister(" + Hex(dev) + ", " + Hex(a) + ", " + std::to_string(w) + ", " + Hex(v) + ")",
        [&](auto& t) {
          t.UmdfWriteRegister(dev, a, w, v);
          return V{};
        });
  }

  // --- NDIS files -------------------------------------------------------------------------
  // Returns {status, *Status, *FileHandle, *FileLength}; null_mask bit 0/1/2 = Status/Handle/Length NULL.
  V OpenFile(std::optional<std::string> name, u64 highest = ~0ull, unsigned null_mask = 0) {
    return Run("NdisOpenFile(mask=" + std::to_string(null_mask) + ", " +
                   (name ? "\"" + *name + "\"" : std::string("NULL")) + ", " + Hex(highest) + ")",
               [&](auto& t) {
                 NdisStatus st = kSentinel32;
                 u64 h = kSentinel;
                 u32 len = kSentinel32;
                 std::optional<std::string_view> nv;
                 if (name) nv = std::string_view(*name);
                 u64 r = t.NdisOpenFile((null_mask & 1) ? nullptr : &st, (null_mask & 2) ? nullptr : &h,
                                        (null_mask & 4) ? nullptr : &len, nv, highest);
                 return V{r, st, h, len};
               });
  }
  // Returns {status, *Status, *MappedBuffer}.
  V MapFile(u64 h, unsigned null_mask = 0) {
    return Run("NdisMapFile(mask=" + std::to_string(null_mask) + ", " + Hex(h) + ")", [&](auto& t) {
      NdisStatus st = kSentinel32;
      u64 buf = kSentinel;
      u64 r = t.NdisMapFile((null_mask & 1) ? nullptr : &st, (null_mask & 2) ? nullptr : &buf, h);
      return V{r, st, buf};
    });
  }
  void UnmapFile(u64 h) {
    Run("NdisUnmapFile(" + Hex(h) + ")", [&](auto& t) {
      t.NdisUnmapFile(h);
      return V{};
    });
  }
  void CloseFile(u64 h) {
    Run("NdisCloseFile(" + Hex(h) + ")", [&](auto& t) {
      t.NdisCloseFile(h);
      return V{};
    });
  }

  // --- video -------------------------------------------------------------------------------
  // Returns {status, *Length, *InIoSpace, *VirtualAddress}; nulls: bit 0 Length, 1 InIoSpace, 2 VA.
  V VideoMap(u64 dev, u64 pa, u32 len, u32 flags, u64 va_in = 0, unsigned null_mask = 0) {
    return Run("VideoPortMapMemory(" + Hex(dev) + ", " + Hex(pa) + ", len=" + Hex(len) + ", flags=" +
                   Hex(flags) + ", va_in=" + Hex(va_in) + ", mask=" + std::to_string(null_mask) + ")",
               [&](auto& t) {
                 u32 l = len, f = flags;
                 u64 va = va_in;
                 u64 r = t.VideoPortMapMemory(dev, pa, (null_mask & 1) ? nullptr : &l,
                                              (null_mask & 2) ? nullptr : &f,
                                              (null_mask & 4) ? nullptr : &va);
                 return V{r, l, f, va};
               });
  }
  u64 VideoUnmap(u64 dev, u64 va, u64 proc) {
    return Run("VideoPortUnmapMemory(" + Hex(dev) + ", " + Hex(va) + ", " + Hex(proc) + ")",
               [&](auto& t) { return V{t.VideoPortUnmapMemory(dev, va, proc)}; })[0];
  }

  // --- access --------------------------------------------------------------------------------
  u64 Read(u64 a, unsigned w) {
    return Run("Read(" + Hex(a) + ", " + std::to_string(w) + ")",
               [&](auto& t) { return V{t.Read(a, w)}; })[0];
  }
  void Write(u64 a, unsigned w, u64 v) {
    Run("Write(" + Hex(a) + ", " + std::to_string(w) + ", " + Hex(v) + ")", [&](auto& t) {
      t.Write(a, w, v);
      return V{};
    });
  }

  void Teardown() {
    Run("Teardown()", [&](auto& t) {
      t.Teardown();
      return V{};
    });
  }

  // The rules of the last call, as names (for readable expectations).
  std::vector<RuleId> Rules() const { return last_rules; }

 private:
  std::size_t seen_ = 0;
  std::size_t mismatched_calls_ = 0;
};

// The standard world of the differential tests (built through the pair, so the
// building calls count and are compared too).
constexpr u64 kRamLen = 0x80000000;
constexpr u64 kNicBar = 0xFEBF0000, kNicBarLen = 0x20000;
constexpr u64 kNic2Bar = 0xFEC20000, kNic2BarLen = 0x1000;
constexpr u64 kWdmBar = 0xFED00000, kWdmBarLen = 0x10000;
constexpr u64 kUmdfBar = 0xFEE00000, kUmdfBarLen = 0x2000;
constexpr u64 kUmdfBar2 = 0xFEE10000, kUmdfBar2Len = 0x1000;
constexpr u64 kUmdf2Bar = 0xFEE20000, kUmdf2BarLen = 0x1000;
constexpr u64 kVideoFb = 0xE0000000, kVideoFbLen = 0x1000000;
constexpr u64 kVideoPorts = 0x3C0, kVideoPortsLen = 0x20;
constexpr u64 kUnassigned = 0xF0000000;
constexpr u32 kUmdf111 = 0x1000B;
constexpr u32 kFirmwareLen = 5000;

struct World {
  u64 nic = 0, nic2 = 0, wdm = 0, umdf = 0, umdf_user = 0, video = 0, video2 = 0;
};

World Build(Pair& p) {
  World w;
  EXPECT_EQ(p.AddRam(0, kRamLen), ControlStatus::Ok);
  w.nic = p.CreateNdisAdapter();
  w.nic2 = p.CreateNdisAdapter();
  w.wdm = p.CreateWdmDevice();
  w.umdf = p.CreateUmdfDevice(kUmdf111, true, RegisterAccess::UsingSystemCall);
  w.umdf_user = p.CreateUmdfDevice(kUmdf111, true, RegisterAccess::UsingUserModeMapping);
  w.video = p.CreateVideoDevice();
  w.video2 = p.CreateVideoDevice();
  EXPECT_EQ(p.AssignResource(w.nic, PhysSpace::Memory, kNicBar, kNicBarLen), ControlStatus::Ok);
  EXPECT_EQ(p.AssignResource(w.nic2, PhysSpace::Memory, kNic2Bar, kNic2BarLen), ControlStatus::Ok);
  EXPECT_EQ(p.AssignResource(w.wdm, PhysSpace::Memory, kWdmBar, kWdmBarLen), ControlStatus::Ok);
  EXPECT_EQ(p.AssignResource(w.umdf, PhysSpace::Memory, kUmdfBar, kUmdfBarLen), ControlStatus::Ok);
  EXPECT_EQ(p.AssignResource(w.umdf, PhysSpace::Memory, kUmdfBar2, kUmdfBar2Len), ControlStatus::Ok);
  EXPECT_EQ(p.AssignResource(w.umdf_user, PhysSpace::Memory, kUmdf2Bar, kUmdf2BarLen), ControlStatus::Ok);
  EXPECT_EQ(p.AssignResource(w.video, PhysSpace::Memory, kVideoFb, kVideoFbLen), ControlStatus::Ok);
  EXPECT_EQ(p.AssignResource(w.video, PhysSpace::Port, kVideoPorts, kVideoPortsLen), ControlStatus::Ok);
  EXPECT_EQ(p.AddFile("firmware.bin", kFirmwareLen, true), ControlStatus::Ok);
  EXPECT_EQ(p.AddFile("broken.bin", 100, false), ControlStatus::Ok);
  EXPECT_EQ(p.AddFile("empty.bin", 0, true), ControlStatus::Ok);
  return w;
}

#define EXPECT_RULES(p, ...) EXPECT_EQ(RuleList((p).Rules()), RuleList(std::vector<RuleId>{__VA_ARGS__}))

// ============================================================================
// documented lifecycles

// docs/semantics.md, Smaller decisions (AddFile): a file table names each file
// once, and a file of more than 16 MiB is refused, on both sides.
TEST(OracleDiff, AddFileRefusesEmptyDuplicateAndOversizedFiles) {
  Pair p;
  EXPECT_EQ(p.AddFile("fw.bin", 16u << 20, true), ControlStatus::Ok);
  EXPECT_EQ(p.AddFile("big.bin", (16u << 20) + 1, true), ControlStatus::BadArgument);
  EXPECT_EQ(p.AddFile("fw.bin", 10, true), ControlStatus::BadArgument);
  EXPECT_EQ(p.AddFile("", 10, true), ControlStatus::BadArgument);
  EXPECT_FALSE(p.failed);
}

TEST(OracleDiff, NdisIoLifecycle) {
  Pair p;
  World w = Build(p);
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic), ControlStatus::Ok);
  V r = p.NdisMap(w.nic, kNicBar + 0x10, 0x100);
  EXPECT_EQ(r[0], kNdisStatusSuccess);
  const u64 va = r[1];
  p.Write(va, 4, 0xDEADBEEF);
  EXPECT_EQ(p.Read(va, 4), 0xDEADBEEFu);
  EXPECT_EQ(p.Read(va + 1, 2), 0xADBEu);
  V r2 = p.NdisMap(w.nic, kNicBar, 0x2000);  // same pages: shared device memory
  EXPECT_EQ(p.Read(r2[1] + 0x10, 8), 0xDEADBEEFu);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::MiniportHaltEx, w.nic), ControlStatus::Ok);
  p.NdisUnmap(w.nic, va, 0x100);
  p.NdisUnmap(w.nic, r2[1], 0x2000);
  EXPECT_RULES(p);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  EXPECT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic), ControlStatus::BadState);
  p.Teardown();
  EXPECT_RULES(p);
}

TEST(OracleDiff, MmIoLifecycle) {
  Pair p;
  World w = Build(p);
  ASSERT_EQ(p.Enter(Callback::StartDevice, w.wdm), ControlStatus::Ok);
  const u64 a = p.MmMap(kWdmBar + 0x234, 0x100, kMmNonCached);
  EXPECT_NE(a, 0u);
  EXPECT_EQ(a & kPageMask, 0x234u);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.SetIrql(kDispatchLevel);
  p.Write(a, 8, 0x1122334455667788ull);
  EXPECT_EQ(p.Read(a + 4, 4), 0x11223344u);
  p.SetIrql(kPassiveLevel);
  ASSERT_EQ(p.Enter(Callback::StopDevice, w.wdm), ControlStatus::Ok);
  p.MmUnmap(a, 0x100);
  EXPECT_RULES(p);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::StartDevice, w.wdm), ControlStatus::Ok);
  const u64 b = p.MmMapEx(kWdmBar, 0x1000, kPageReadWrite | kPageNoCache);
  EXPECT_NE(b, 0u);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  const u64 drv = p.MmMapEx(kUnassigned, 0x10, kPageReadOnly);  // driver-wide, read-only
  EXPECT_EQ(p.Read(drv, 1), 0u);
  ASSERT_EQ(p.Enter(Callback::SurpriseRemoval, w.wdm), ControlStatus::Ok);
  p.MmUnmap(b, 0x1000);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::RemoveDevice, w.wdm), ControlStatus::Ok);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.MmUnmap(drv, 0x10);
  EXPECT_RULES(p);
  p.Teardown();
  EXPECT_RULES(p);
}

TEST(OracleDiff, UmdfLifecycleWithRegisterHelpers) {
  Pair p;
  World w = Build(p);
  ASSERT_EQ(p.Enter(Callback::OnPrepareHardware, w.umdf), ControlStatus::Ok);
  V r = p.UmdfMap(w.umdf, kUmdfBar + 8, 0x100, kMmNonCached);
  EXPECT_EQ(r[0], kSOk);
  V r2 = p.UmdfMap(w.umdf, kUmdfBar2, 0x1000, kMmNonCached);
  EXPECT_EQ(r2[0], kSOk);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.UmdfWrite(w.umdf, r[1], 4, 0xCAFEF00D);
  EXPECT_EQ(p.UmdfRead(w.umdf, r[1], 4), 0xCAFEF00Du);
  EXPECT_EQ(p.UmdfRead(w.umdf, r[1] + 2, 2), 0xCAFEu);
  p.Read(r[1], 4);  // dereferencing a pseudo address
  EXPECT_RULES(p, RuleId::AccessPseudoDeref);
  ASSERT_EQ(p.Enter(Callback::OnReleaseHardware, w.umdf), ControlStatus::Ok);
  p.UmdfUnmap(w.umdf, r[1], 0x100);
  p.UmdfUnmap(w.umdf, r2[1], 0x1000);
  EXPECT_RULES(p);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::OnPrepareHardware, w.umdf), ControlStatus::Ok);  // again
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.Teardown();
  EXPECT_RULES(p);
}

TEST(OracleDiff, UmdfUserModeViews) {
  Pair p;
  World w = Build(p);
  const u64 proc = p.CreateProcess();
  ASSERT_EQ(p.Enter(Callback::OnPrepareHardware, w.umdf_user), ControlStatus::Ok);
  V r = p.UmdfMap(w.umdf_user, kUmdf2Bar + 0x20, 0x40, kMmWriteCombined);
  EXPECT_EQ(r[0], kSOk);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  EXPECT_EQ(p.o.live_mapping_count(), 2u);
  const u64 view = p.UmdfView(w.umdf_user, r[1]);
  EXPECT_NE(view, 0u);
  EXPECT_EQ(view & kPageMask, 0x20u);
  p.UmdfWrite(w.umdf_user, r[1] + 4, 4, 0x01020304);
  EXPECT_EQ(p.Read(view + 4, 4), 0x01020304u);  // the view reads the same device memory
  p.AttachProcess(proc);
  EXPECT_EQ(p.Read(view + 4, 1), 0x04u);  // readable from any context
  p.Write(view, 8, 0xAABBCCDDEEFF0011ull);
  p.AttachProcess(0);
  EXPECT_EQ(p.UmdfRead(w.umdf_user, r[1], 8), 0xAABBCCDDEEFF0011ull);
  p.UmdfView(w.umdf_user, r[1] + 1);  // not the exact pseudo base
  EXPECT_RULES(p, RuleId::UmdfIoNoUserMapping);
  p.UmdfView(w.umdf, r[1]);  // device without user-mode mapping
  EXPECT_RULES(p, RuleId::UmdfIoNoUserMapping);
  ASSERT_EQ(p.Enter(Callback::OnReleaseHardware, w.umdf_user), ControlStatus::Ok);
  p.UmdfUnmap(w.umdf_user, view, 0x40);  // a view counts as nothing for unmaps
  EXPECT_RULES(p, RuleId::UmdfIoUnmapNotMapped);
  p.UmdfUnmap(w.umdf_user, r[1], 0x40);
  EXPECT_RULES(p);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.Read(view, 4);  // the released view is quarantined too
  EXPECT_RULES(p, RuleId::AccessUseAfterUnmap);
  p.UmdfView(w.umdf_user, r[1]);
  EXPECT_RULES(p, RuleId::UmdfIoNoUserMapping);
  p.Teardown();
}

TEST(OracleDiff, NdisFileLifecycle) {
  Pair p;
  World w = Build(p);
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic), ControlStatus::Ok);
  V f = p.OpenFile("firmware.bin");
  EXPECT_EQ(f[0], kNdisStatusSuccess);
  EXPECT_EQ(f[3], kFirmwareLen);
  V f2 = p.OpenFile("firmware.bin");
  V m = p.MapFile(f[2]);
  EXPECT_EQ(m[0], kNdisStatusSuccess);
  V m2 = p.MapFile(f2[2]);
  for (u64 off : {0ull, 1ull, 255ull, 256ull, 4095ull, 4096ull, 4999ull}) p.Read(m[2] + off, 1);
  p.Read(m[2] + 4992, 8);
  p.Read(m[2] + 4996, 8);  // straddles the end
  EXPECT_RULES(p, RuleId::AccessOutOfBounds);
  p.Write(m[2] + 10, 2, 0xBEEF);
  EXPECT_EQ(p.Read(m[2] + 10, 2), 0xBEEFu);
  p.Read(m2[2] + 10, 2);  // the other open keeps its own bytes
  V again = p.MapFile(f[2]);
  EXPECT_EQ(again[0], kNdisStatusAlreadyMapped);
  p.UnmapFile(f[2]);
  V m3 = p.MapFile(f[2]);  // remapped: the written byte persists in this open's copy
  p.Read(m3[2] + 10, 2);
  p.UnmapFile(f[2]);
  p.CloseFile(f[2]);
  p.UnmapFile(f2[2]);
  p.CloseFile(f2[2]);
  EXPECT_RULES(p);
  V e = p.OpenFile("empty.bin");
  V em = p.MapFile(e[2]);
  p.Read(em[2], 1);
  p.UnmapFile(e[2]);
  p.CloseFile(e[2]);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.Teardown();
}

TEST(OracleDiff, VideoLifecycle) {
  Pair p;
  World w = Build(p);
  const u64 proc = p.CreateProcess();
  ASSERT_EQ(p.Enter(Callback::VideoStartIo, w.video), ControlStatus::Ok);
  V sys = p.VideoMap(w.video, kVideoFb + 0x123, 0x1800, kVideoMemorySpaceMemory);
  EXPECT_EQ(sys[0], kNoError);
  V usr = p.VideoMap(w.video, kVideoFb + 0x10000, 0x100,
                     kVideoMemorySpaceUserMode | kVideoMemorySpaceP6Cache, proc);
  EXPECT_EQ(usr[0], kNoError);
  V io = p.VideoMap(w.video, kVideoPorts, 0x10, kVideoMemorySpaceIo);
  EXPECT_EQ(io[0], kNoError);
  p.Write(io[3], 1, 0x7F);
  EXPECT_EQ(p.Read(io[3], 1), 0x7Fu);
  p.Read(sys[3] + 0x1800, 1);  // beyond the input length, inside the rounded length
  EXPECT_RULES(p, RuleId::AccessOutOfBounds);
  p.Read(usr[3], 4);  // user mapping from the system context
  EXPECT_RULES(p, RuleId::AccessWrongProcess);
  p.AttachProcess(proc);
  p.Write(usr[3], 4, 0x55);
  EXPECT_RULES(p);
  p.AttachProcess(0);
  EXPECT_EQ(p.VideoUnmap(w.video, sys[3] + 0x1000, 0), kNoError);  // interior releases it all
  EXPECT_EQ(p.VideoUnmap(w.video, usr[3], proc), kNoError);
  EXPECT_EQ(p.VideoUnmap(w.video, io[3], 0), kNoError);
  EXPECT_RULES(p);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.Teardown();
  EXPECT_RULES(p);
}

// ============================================================================
// one scenario per rule family

TEST(OracleDiff, MachineAndCommonRules) {
  Pair p;
  World w = Build(p);
  p.SetIrql(16);
  EXPECT_RULES(p, RuleId::MachineIrqlRange);
  p.SetIrql(15);
  p.SetIrql(~0ull);
  EXPECT_RULES(p, RuleId::MachineIrqlRange);
  p.SetIrql(0);
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic), ControlStatus::Ok);
  p.NdisMap(w.nic, kNicBar, 0x10, true);
  EXPECT_RULES(p, RuleId::CommonNullPointer);
  for (unsigned mask = 1; mask < 8; ++mask) p.OpenFile("firmware.bin", ~0ull, mask);
  p.OpenFile(std::nullopt);
  EXPECT_RULES(p, RuleId::CommonNullPointer);
  V f = p.OpenFile("firmware.bin");
  for (unsigned mask = 1; mask < 4; ++mask) p.MapFile(f[2], mask);
  for (unsigned mask = 1; mask < 4; ++mask) p.MapFile(0x1234, mask);  // NULL pointer and bad handle
  p.SetIrql(3);
  p.MapFile(f[2], 2);  // NULL pointer at a wrong IRQL
  p.SetIrql(0);
  p.CloseFile(f[2]);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::OnPrepareHardware, w.umdf), ControlStatus::Ok);
  p.UmdfMap(w.umdf, kUmdfBar, 0x10, 0, true);
  EXPECT_RULES(p, RuleId::CommonNullPointer);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  for (unsigned mask = 1; mask < 8; ++mask) p.VideoMap(w.video, kVideoFb, 0x10, 0, 0, mask);
  EXPECT_RULES(p, RuleId::CommonNullPointer);
  p.Teardown();
}

TEST(OracleDiff, NdisIoRules) {
  Pair p;
  World w = Build(p);
  p.NdisMap(w.nic, kNicBar, 0x10);  // created, not initializing
  EXPECT_RULES(p, RuleId::NdisIoBadHandle);
  p.NdisMap(0x1234, kNicBar, 0x10);
  EXPECT_RULES(p, RuleId::NdisIoBadHandle);
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic), ControlStatus::Ok);
  p.SetIrql(1);
  p.NdisMap(w.nic, kNicBar, 0x10);
  EXPECT_RULES(p, RuleId::NdisIoIrql);
  p.NdisUnmap(w.nic, 0, 0x10);
  EXPECT_RULES(p, RuleId::NdisIoIrql);
  p.SetIrql(0);
  p.NdisMap(w.nic, 0x1000, 0x10);  // RAM
  EXPECT_RULES(p, RuleId::NdisIoMapRam);
  V a = p.NdisMap(w.nic, kNicBar + 0x100, 0x2000);
  V other = p.NdisMap(w.nic, kNicBar + 0x10000, 0x10);
  p.NdisUnmap(w.nic, a[1] + 0x10, 0x2000);
  EXPECT_RULES(p, RuleId::NdisIoUnmapInterior);
  p.NdisUnmap(w.nic, a[1], 0x1000);
  EXPECT_RULES(p, RuleId::NdisIoUnmapLengthMismatch);
  p.NdisUnmap(w.nic, a[1] + 0x3000, 0x2000);  // the guard page
  EXPECT_RULES(p, RuleId::NdisIoUnmapNotMapped);
  p.NdisUnmap(w.nic, a[1], 0x2000);
  p.NdisUnmap(w.nic, a[1], 0x2000);
  EXPECT_RULES(p, RuleId::NdisIoUnmapDouble);
  p.NdisUnmap(w.nic, 0xFFFFC00012345000ull, 4);
  EXPECT_RULES(p, RuleId::NdisIoUnmapNotMapped);
  const u64 mm = p.MmMap(kUnassigned, 0x10, kMmNonCached);
  p.NdisUnmap(w.nic, mm, 0x10);
  EXPECT_RULES(p, RuleId::NdisIoUnmapOtherFamily);
  p.NdisUnmap(w.nic, mm + 4, 0x10);
  EXPECT_RULES(p, RuleId::NdisIoUnmapOtherFamily);
  p.MmUnmap(mm, 0x10);
  p.NdisUnmap(w.nic, mm, 0x10);  // released mapping of another family
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.NdisMap(w.nic, kNicBar, 0x10);  // running, but outside MiniportInitializeEx
  EXPECT_RULES(p, RuleId::NdisIoMapContext);
  p.NdisUnmap(w.nic, other[1], 0x10);
  EXPECT_RULES(p, RuleId::NdisIoUnmapContext);
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic2), ControlStatus::Ok);
  p.NdisMap(w.nic, kNicBar, 0x10);  // another adapter's MiniportInitializeEx
  EXPECT_RULES(p, RuleId::NdisIoMapContext);
  V b = p.NdisMap(w.nic2, kNic2Bar, 0x10);
  p.NdisUnmap(w.nic2, other[1], 0x10);
  EXPECT_RULES(p, RuleId::NdisIoUnmapOtherOwner);
  p.NdisUnmap(w.nic2, b[1], 0x10);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::MiniportHaltEx, w.nic), ControlStatus::Ok);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);  // leaks `other`
  EXPECT_RULES(p, RuleId::NdisIoLeak);
  p.NdisMap(w.nic, kNicBar, 0x10);  // halted
  EXPECT_RULES(p, RuleId::NdisIoBadHandle);
  p.Teardown();
}

TEST(OracleDiff, MmIoRules) {
  Pair p;
  World w = Build(p);
  p.SetIrql(3);
  p.MmMap(kUnassigned, 0x10, 0);
  EXPECT_RULES(p, RuleId::MmIoMapIrql);
  p.MmMapEx(kUnassigned, 0x10, kPageReadWrite);
  EXPECT_RULES(p, RuleId::MmIoMapIrql);
  p.SetIrql(2);
  p.MmMap(kUnassigned, 0, 0);
  EXPECT_RULES(p, RuleId::MmIoZeroLength);
  p.MmMapEx(kUnassigned, 0, kPageReadWrite);
  EXPECT_RULES(p, RuleId::MmIoZeroLength);
  for (u64 ct : {3ull, 4ull, 5ull, 6ull, 7ull, 1ull << 32}) p.MmMap(kUnassigned, 0x10, ct);
  EXPECT_RULES(p, RuleId::MmIoBadCacheType);
  for (u64 prot : {0ull, 0x6ull, 0x1ull, 0x8ull, 0x80ull, 0x204ull | 0x400ull, 0x100ull | 0x4,
                   0x10000004ull, 0x4ull | 0x800ull})
    p.MmMapEx(kUnassigned, 0x10, prot);
  EXPECT_RULES(p, RuleId::MmIoBadProtect);
  p.MmMap(0x1000, 0x10, 0);
  EXPECT_RULES(p, RuleId::MmIoMapRam);
  p.MmMap(kRamLen - 1, 0x10, 0);  // last byte of RAM
  EXPECT_RULES(p, RuleId::MmIoMapRam);
  EXPECT_EQ(p.MmMap(kRamLen, 0x10, 0) != 0, true);  // just above RAM
  const u64 a = p.MmMap(kUnassigned + 0x800, 0x1000, kMmCached);  // two pages
  p.MmMap(kUnassigned + 0x1FFF, 1, kMmNonCached);
  EXPECT_RULES(p, RuleId::MmIoCacheConflict);
  p.MmMapEx(kUnassigned + 0x1000, 1, kPageReadWrite | kPageWriteCombine);
  EXPECT_RULES(p, RuleId::MmIoCacheConflict);
  EXPECT_NE(p.MmMapEx(kUnassigned + 0x1000, 1, kPageExecuteRead), 0u);  // MmCached: same type
  p.MmUnmap(a + 1, 0x1000);
  EXPECT_RULES(p, RuleId::MmIoUnmapIrqlVerifier, RuleId::MmIoUnmapInterior);
  p.SetIrql(0);
  p.MmUnmap(a, 0xFFF);
  EXPECT_RULES(p, RuleId::MmIoUnmapLengthMismatch);
  p.MmUnmap(a, 0x1000);
  EXPECT_RULES(p);
  p.MmUnmap(a, 0x1000);
  EXPECT_RULES(p, RuleId::MmIoUnmapDouble);
  p.MmUnmap(0x1234, 1);
  EXPECT_RULES(p, RuleId::MmIoUnmapNotMapped);
  ASSERT_EQ(p.Enter(Callback::VideoStartIo, w.video), ControlStatus::Ok);
  V v = p.VideoMap(w.video, kVideoFb, 0x100, 0);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.MmUnmap(v[3], 0x100);
  EXPECT_RULES(p, RuleId::MmIoUnmapOtherFamily);
  p.SetIrql(3);
  p.MmUnmap(v[3], 0x100);
  EXPECT_RULES(p, RuleId::MmIoUnmapIrql);
  p.SetIrql(0);
  // leaks: failing start, stop, remove, surprise removal
  ASSERT_EQ(p.Enter(Callback::StartDevice, w.wdm), ControlStatus::Ok);
  p.MmMap(kWdmBar, 0x10, 0);
  ASSERT_EQ(p.Leave(false), ControlStatus::Ok);
  EXPECT_RULES(p, RuleId::MmIoLeak);
  ASSERT_EQ(p.Enter(Callback::StartDevice, w.wdm), ControlStatus::Ok);
  p.MmMap(kWdmBar, 0x10, 0);
  p.MmMap(kWdmBar + 0x1000, 0x10, 0);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::StopDevice, w.wdm), ControlStatus::Ok);
  p.MmMap(kWdmBar + 0x2000, 0x10, 0);  // made during stop: driver-wide
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  EXPECT_RULES(p, RuleId::MmIoLeak, RuleId::MmIoLeak);
  ASSERT_EQ(p.Enter(Callback::StartDevice, w.wdm), ControlStatus::Ok);
  p.MmMap(kWdmBar + 0x3000, 0x10, 0);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::SurpriseRemoval, w.wdm), ControlStatus::Ok);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  EXPECT_RULES(p, RuleId::MmIoLeak);
  ASSERT_EQ(p.Enter(Callback::RemoveDevice, w.wdm), ControlStatus::Ok);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.Teardown();
}

TEST(OracleDiff, UmdfIoRules) {
  Pair p;
  World w = Build(p);
  const u64 old = p.CreateUmdfDevice(0x1000A, true, RegisterAccess::UsingSystemCall);
  const u64 v2 = p.CreateUmdfDevice(0x20000, true, RegisterAccess::UsingSystemCall);
  const u64 noacc = p.CreateUmdfDevice(0x1001F, false, RegisterAccess::UsingSystemCall);
  p.AssignResource(noacc, PhysSpace::Memory, 0xFEE30000, 0x1000);
  p.UmdfMap(0x777, kUmdfBar, 0x10, 0);
  EXPECT_RULES(p, RuleId::UmdfIoBadDevice);
  p.UmdfMap(MakeHandle(HandleKind::UmdfDevice, 99), kUmdfBar, 0x10, 0);
  EXPECT_RULES(p, RuleId::UmdfIoBadDevice);
  p.UmdfMap(old, kUmdfBar, 0x10, 0);
  p.UmdfMap(v2, kUmdfBar, 0x10, 0);
  EXPECT_RULES(p, RuleId::UmdfIoVersion);
  p.UmdfMap(noacc, 0xFEE30000, 0x10, 0);
  EXPECT_RULES(p, RuleId::UmdfIoDirectAccess);
  p.UmdfMap(w.umdf, kUmdfBar, 0x10, 0);
  EXPECT_RULES(p, RuleId::UmdfIoMapContext);
  ASSERT_EQ(p.Enter(Callback::OnPrepareHardware, w.umdf), ControlStatus::Ok);
  p.UmdfMap(w.umdf, 0, 0x10, 0);
  p.UmdfMap(w.umdf, kUmdfBar, 0, 0);
  p.UmdfMap(w.umdf, kUmdfBar, 0x10, 3);
  EXPECT_RULES(p, RuleId::UmdfIoMapArgs);
  p.UmdfMap(w.umdf, kUmdfBar, 0x2001, 0);
  p.UmdfMap(w.umdf, 0x1000, 0x10, 0);  // RAM is never a resource
  p.UmdfMap(w.umdf, kUmdf2Bar, 0x10, 0);  // another device's resource
  p.UmdfMap(w.umdf, 0xFFFFFFFFFFFFFF00ull, 0x1000, 0);  // overflow
  EXPECT_RULES(p, RuleId::UmdfIoOutsideResource);
  V a = p.UmdfMap(w.umdf, kUmdfBar + 0x1000, 0x10, kMmCached);
  p.UmdfMap(w.umdf, kUmdfBar, 0x10, kMmCached);
  EXPECT_RULES(p, RuleId::UmdfIoDuplicateMapping);
  const u64 mm = p.MmMap(kUmdfBar2, 0x10, kMmWriteCombined);
  p.UmdfMap(w.umdf, kUmdfBar2, 0x10, kMmNonCached);
  EXPECT_RULES(p, RuleId::MmIoCacheConflict);
  p.UmdfUnmap(w.umdf, a[1] + 1, 0x10);
  EXPECT_RULES(p, RuleId::UmdfIoUnmapInterior);
  p.UmdfUnmap(w.umdf, a[1], 0x11);
  EXPECT_RULES(p, RuleId::UmdfIoUnmapLengthMismatch);
  p.UmdfUnmap(w.umdf, mm, 0x10);
  EXPECT_RULES(p, RuleId::UmdfIoUnmapOtherFamily);
  p.UmdfUnmap(w.umdf, 0x5D00000000100000ull, 0x10);
  EXPECT_RULES(p, RuleId::UmdfIoUnmapNotMapped);
  p.UmdfUnmap(w.umdf, a[1], 0x10);
  p.UmdfUnmap(w.umdf, a[1], 0x10);
  EXPECT_RULES(p, RuleId::UmdfIoUnmapDouble);
  p.UmdfRead(w.umdf, a[1], 4);
  EXPECT_RULES(p, RuleId::AccessUseAfterUnmap);
  V b = p.UmdfMap(w.umdf, kUmdfBar, 0x10, kMmCached);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.UmdfUnmap(w.umdf, b[1], 0x10);
  EXPECT_RULES(p, RuleId::UmdfIoUnmapContext);
  p.UmdfUnmap(old, b[1], 0x10);
  EXPECT_RULES(p, RuleId::UmdfIoVersion);
  p.UmdfView(old, b[1]);
  EXPECT_RULES(p, RuleId::UmdfIoVersion);
  p.UmdfView(0, b[1]);
  EXPECT_RULES(p, RuleId::UmdfIoBadDevice);
  ASSERT_EQ(p.Enter(Callback::OnPrepareHardware, w.umdf_user), ControlStatus::Ok);
  V c = p.UmdfMap(w.umdf_user, kUmdf2Bar, 0x10, kMmCached);
  p.UmdfUnmap(w.umdf_user, b[1], 0x10);
  EXPECT_RULES(p, RuleId::UmdfIoUnmapOtherOwner);
  p.UmdfRead(w.umdf_user, b[1], 4);  // another device's pseudo address
  EXPECT_RULES(p, RuleId::AccessUnmapped);
  p.UmdfRead(w.umdf_user, c[1] + 0xE, 4);
  EXPECT_RULES(p, RuleId::AccessOutOfBounds);
  p.UmdfRead(0x42, c[1], 4);
  EXPECT_RULES(p, RuleId::UmdfIoBadDevice);
  ASSERT_EQ(p.Leave(false), ControlStatus::Ok);  // failing prepare leaks c
  EXPECT_RULES(p, RuleId::UmdfIoLeak);
  ASSERT_EQ(p.Enter(Callback::OnReleaseHardware, w.umdf), ControlStatus::Ok);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);  // leaks b
  EXPECT_RULES(p, RuleId::UmdfIoLeak);
  p.Teardown();
}

TEST(OracleDiff, NdisFileRules) {
  Pair p;
  World w = Build(p);
  p.OpenFile("firmware.bin");
  EXPECT_RULES(p, RuleId::NdisFileContext);
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic), ControlStatus::Ok);
  p.SetIrql(1);
  p.OpenFile("firmware.bin");
  EXPECT_RULES(p, RuleId::NdisFileIrql);
  p.SetIrql(0);
  EXPECT_EQ(p.OpenFile("missing.bin")[0], kNdisStatusFileNotFound);
  EXPECT_EQ(p.OpenFile("firmware.bin", 0xFFFFE)[0], kNdisStatusResources);
  EXPECT_EQ(p.OpenFile("firmware.bin", 0xFFFFF)[0], kNdisStatusSuccess);
  EXPECT_EQ(p.OpenFile("broken.bin")[0], kNdisStatusErrorReadingFile);
  EXPECT_RULES(p);
  V f = p.OpenFile("firmware.bin");
  p.MapFile(0x1234);
  EXPECT_RULES(p, RuleId::NdisFileBadHandle);
  p.MapFile(MakeHandle(HandleKind::File, 1000));
  EXPECT_RULES(p, RuleId::NdisFileBadHandle);
  p.UnmapFile(f[2]);
  EXPECT_RULES(p, RuleId::NdisFileUnmapNotMapped);
  p.SetIrql(2);
  V m = p.MapFile(f[2]);  // DISPATCH_LEVEL is fine for NdisMapFile
  EXPECT_EQ(m[0], kNdisStatusSuccess);
  p.UnmapFile(f[2]);
  EXPECT_RULES(p, RuleId::NdisFileIrql);
  p.CloseFile(f[2]);
  EXPECT_RULES(p, RuleId::NdisFileIrql);
  p.SetIrql(3);
  p.MapFile(f[2]);
  EXPECT_RULES(p, RuleId::NdisFileIrql);
  p.SetIrql(0);
  p.CloseFile(f[2]);
  EXPECT_RULES(p, RuleId::NdisFileCloseWhileMapped);
  p.Read(m[2], 1);
  EXPECT_RULES(p, RuleId::AccessUseAfterUnmap);
  p.MapFile(f[2]);
  EXPECT_RULES(p, RuleId::NdisFileClosedHandle);
  p.UnmapFile(f[2]);
  p.CloseFile(f[2]);
  EXPECT_RULES(p, RuleId::NdisFileClosedHandle);
  V g = p.OpenFile("firmware.bin");
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  EXPECT_RULES(p, RuleId::NdisFileLeak, RuleId::NdisFileLeak);  // the 0xFFFFF open and g
  p.MapFile(g[2]);  // leaked, still open: outside MiniportInitializeEx
  EXPECT_RULES(p, RuleId::NdisFileContext);
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic2), ControlStatus::Ok);
  V h = p.OpenFile("firmware.bin");
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::MiniportHaltEx, w.nic2), ControlStatus::Ok);
  p.MapFile(h[2]);
  p.OpenFile("firmware.bin");
  EXPECT_RULES(p, RuleId::NdisFileContext);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.Teardown();
}

TEST(OracleDiff, VideoRules) {
  Pair p;
  World w = Build(p);
  const u64 proc = p.CreateProcess();
  const u64 proc2 = p.CreateProcess();
  p.VideoMap(0x99, kVideoFb, 0x10, 0);
  p.VideoMap(MakeHandle(HandleKind::Video, 77), kVideoFb, 0x10, 0);
  EXPECT_RULES(p, RuleId::VideoBadDevice);
  p.SetIrql(1);
  p.VideoMap(w.video, kVideoFb, 0x10, 0);
  EXPECT_RULES(p, RuleId::VideoIrql);
  p.VideoUnmap(w.video, 0, 0);
  EXPECT_RULES(p, RuleId::VideoIrql);
  p.SetIrql(0);
  // documented statuses, no report
  p.VideoMap(w.video, kVideoFb, 0x10, 0x10);
  p.VideoMap(w.video, kVideoPorts, 0x10, kVideoMemorySpaceIo | kVideoMemorySpaceUserMode, proc);
  p.VideoMap(w.video, kVideoPorts, 0x10, kVideoMemorySpaceIo | kVideoMemorySpaceP6Cache);
  p.VideoMap(w.video, kVideoFb, 0x10, 0, 0x12345);
  p.VideoMap(w.video, kVideoFb, 0x10, kVideoMemorySpaceUserMode, 0);
  p.VideoMap(w.video, kVideoFb, 0, 0);
  p.VideoMap(w.video, 0xFFFFFFFFFFFFFF00ull, 0x1000, 0);
  p.VideoMap(w.video, kVideoFb + kVideoFbLen - 8, 0x10, 0);   // straddles the resource end
  p.VideoMap(w.video, kVideoPorts, 0x10, 0);                     // port range asked as memory
  p.VideoMap(w.video2, kVideoFb, 0x10, 0);                       // another device's resource
  EXPECT_RULES(p);
  p.VideoMap(w.video, 0x2000, 0x10, 0);
  EXPECT_RULES(p, RuleId::VideoMapRam);
  V a = p.VideoMap(w.video, kVideoFb, 0x2000, kVideoMemorySpaceP6Cache);
  p.VideoMap(w.video, kVideoFb + 0x1800, 0x10, 0);
  EXPECT_RULES(p, RuleId::VideoP6CacheConflict);
  V u = p.VideoMap(w.video, kVideoFb + 0x100000, 0x10, kVideoMemorySpaceUserMode, proc);
  p.VideoUnmap(w.video, u[3], proc2);
  EXPECT_RULES(p, RuleId::VideoUnmapWrongProcess);
  p.VideoUnmap(w.video, a[3], proc);
  EXPECT_RULES(p, RuleId::VideoUnmapWrongProcess);
  p.VideoUnmap(w.video2, a[3], 0);
  EXPECT_RULES(p, RuleId::VideoUnmapOtherOwner);
  const u64 mm = p.MmMap(kUnassigned, 0x10, 0);
  p.VideoUnmap(w.video, mm, 0);
  EXPECT_RULES(p, RuleId::VideoUnmapOtherFamily);
  p.VideoUnmap(w.video, 0xFFFFC00033333000ull, 0);
  EXPECT_RULES(p, RuleId::VideoUnmapNotMapped);
  p.VideoUnmap(w.video, a[3] + 0x1FFF, 0);
  EXPECT_RULES(p);
  p.VideoUnmap(w.video, a[3], 0);
  EXPECT_RULES(p, RuleId::VideoUnmapDouble);
  p.VideoUnmap(w.video2, a[3], 0);  // released mapping of another device
  ASSERT_EQ(p.ExitProcess(proc), ControlStatus::Ok);  // leaks u
  EXPECT_RULES(p, RuleId::VideoLeak);
  p.VideoMap(w.video, kVideoFb, 0x10, kVideoMemorySpaceUserMode, proc);  // exited process
  EXPECT_RULES(p);
  p.VideoMap(w.video, kVideoFb + 0x5000, 0x10, 0);
  p.Teardown();
  EXPECT_RULES(p, RuleId::MmIoLeak, RuleId::VideoLeak);
}

TEST(OracleDiff, AccessRules) {
  Pair p;
  World w = Build(p);
  const u64 proc = p.CreateProcess();
  const u64 ro = p.MmMapEx(kUnassigned, 0x10, kPageReadOnly);
  const u64 ex = p.MmMapEx(kUnassigned + 0x1000, 0x10, kPageExecute);
  const u64 rw = p.MmMapEx(kUnassigned + 0x2000, 0x10, kPageExecuteReadWrite);
  p.Write(ro, 1, 1);
  p.Write(ex, 1, 1);
  EXPECT_RULES(p, RuleId::AccessReadOnly);
  p.Read(ro, 8);
  p.Read(ex, 8);
  p.Write(rw, 8, 2);
  EXPECT_RULES(p);
  p.Read(ro + 0x10, 1);   // one past the end
  p.Read(ro + 0xC, 8);    // straddles
  p.Read(ro + 0x1000, 1); // the guard page
  p.Read(ro - 1, 1);      // below base? ro's page starts at ro
  p.Read(0x1234, 4);
  p.Read(0, 1);
  p.Read(~0ull, 8);       // wraps
  p.Read(~0ull - 3, 4);
  p.Write(0xFFFFC00000000000ull, 4, 0);
  p.MmUnmap(rw, 0x10);
  p.Read(rw, 4);
  p.Write(rw + 0xFFF, 1, 0);
  p.Read(rw + 0x1000, 1);  // guard page of a released mapping
  ASSERT_EQ(p.Enter(Callback::VideoStartIo, w.video), ControlStatus::Ok);
  V u = p.VideoMap(w.video, kVideoFb, 0x100, kVideoMemorySpaceUserMode, proc);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.Read(u[3], 4);
  EXPECT_RULES(p, RuleId::AccessWrongProcess);
  p.AttachProcess(proc);
  p.Write(u[3] + 0xFC, 4, 0x12345678);
  p.Read(u[3] + 0xFE, 2);
  p.Read(u[3] + 0xFE, 4);
  EXPECT_RULES(p, RuleId::AccessOutOfBounds);
  p.Teardown();
}

// Read/Write/UmdfReadRegister with a width other than 1, 2, 4, 8: no report,
// nothing happens, but the call is still a call of the program (numbered).
TEST(OracleDiff, InvalidAccessWidthsAreIgnoredButCounted) {
  Pair p;
  World w = Build(p);
  const u64 a = p.MmMap(kUnassigned, 0x10, 0);
  for (unsigned width : {0u, 3u, 5u, 16u, 1000u}) {
    p.Read(a, width);
    p.Write(a, width, 0);
    p.UmdfRead(w.umdf, 0x5D00000000000000ull, width);
    p.UmdfWrite(w.umdf, 0x5D00000000000000ull, width, 0);
  }
  const u64 b = p.MmMap(kUnassigned + 0x1000, 0x10, 0);  // its created_seq shows the numbering
  EXPECT_NE(b, 0u);
  p.Teardown();
}

// ============================================================================
// leaks and teardown

TEST(OracleDiff, LeaksAtCallbacksAndTeardownOrder) {
  Pair p;
  World w = Build(p);
  const u64 proc = p.CreateProcess();
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic), ControlStatus::Ok);
  p.NdisMap(w.nic, kNicBar, 0x10);
  p.NdisMap(w.nic, kNicBar + 0x1000, 0x10);
  V f = p.OpenFile("firmware.bin");
  p.MapFile(f[2]);
  ASSERT_EQ(p.Leave(false), ControlStatus::Ok);  // failing init: the file and both mappings leak
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic2), ControlStatus::Ok);
  p.NdisMap(w.nic2, kNic2Bar, 0x10);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::StartDevice, w.wdm), ControlStatus::Ok);
  p.MmMap(kWdmBar, 0x10, 0);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.MmMap(kUnassigned, 0x10, 0);
  ASSERT_EQ(p.Enter(Callback::OnPrepareHardware, w.umdf_user), ControlStatus::Ok);
  p.UmdfMap(w.umdf_user, kUmdf2Bar, 0x10, 0);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::VideoStartIo, w.video), ControlStatus::Ok);
  p.VideoMap(w.video, kVideoFb, 0x10, 0);
  p.VideoMap(w.video, kVideoFb + 0x1000, 0x10, 0, proc);
  // a callback still running at teardown
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::OnPrepareHardware, w.umdf), ControlStatus::Ok);
  p.UmdfMap(w.umdf, kUmdfBar, 0x10, 0);
  p.Teardown();
  p.Teardown();  // idempotent
}

// semantics.md NDIS_FILE: leaving MiniportInitializeEx (either outcome) with files
// open -> NDIS_FILE.LEAK per file; the file stays open (and mapped), its handle
// valid, reported at most once; teardown reports only files never reported.
TEST(OracleDiff, FilesLeakedByInitializeStayOpen) {
  MachineOptions opt;
  opt.max_open_files = 3;
  Pair p(opt);
  World w = Build(p);
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic), ControlStatus::Ok);
  V f = p.OpenFile("firmware.bin");
  V g = p.OpenFile("firmware.bin");
  V m = p.MapFile(f[2]);
  ASSERT_EQ(p.Leave(false), ControlStatus::Ok);
  EXPECT_RULES(p, RuleId::NdisFileLeak, RuleId::NdisFileLeak);
  p.Read(m[2], 4);   // still mapped
  p.MapFile(f[2]);   // outside MiniportInitializeEx: CONTEXT
  EXPECT_RULES(p, RuleId::NdisFileContext);
  p.MapFile(MakeHandle(HandleKind::File, 9));  // never opened, outside MiniportInitializeEx
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic2), ControlStatus::Ok);
  p.MapFile(f[2]);   // already mapped
  p.MapFile(g[2]);
  V h = p.OpenFile("firmware.bin");  // the leaked files still count: 2 open + 1
  V k = p.OpenFile("firmware.bin");  // the limit (3)
  p.UnmapFile(f[2]);
  p.CloseFile(f[2]);  // no further report for the leaked file
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);  // h leaks (g belongs to nic)
  p.CloseFile(h[2]);
  p.MapFile(f[2]);   // closed, outside MiniportInitializeEx
  p.Teardown();      // g was reported already: closed silently
}

TEST(OracleDiff, TeardownWithInitializeRunning) {
  Pair p;
  World w = Build(p);
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic), ControlStatus::Ok);
  p.NdisMap(w.nic, kNicBar, 0x10);
  V f = p.OpenFile("firmware.bin");
  p.MapFile(f[2]);
  p.Teardown();
}

TEST(OracleDiff, CallsAfterTeardownAreIgnored) {
  Pair p;
  World w = Build(p);
  p.Teardown();
  p.AddRam(0x100000000ull, 0x1000);
  p.CreateNdisAdapter();
  p.CreateProcess();
  p.SetIrql(99);
  p.Enter(Callback::MiniportInitializeEx, w.nic);
  p.NdisMap(w.nic, kNicBar, 0x10);
  p.MmMap(kUnassigned, 0x10, 0);
  p.UmdfMap(w.umdf, kUmdfBar, 0x10, 0);
  p.OpenFile("firmware.bin");
  p.MapFile(1);
  p.VideoMap(w.video, kVideoFb, 0x10, 0);
  p.VideoUnmap(w.video, 0, 0);
  p.Read(0, 1);
  p.UmdfRead(w.umdf, 0, 1);
  p.Leave(true);
  EXPECT_EQ(p.m.live_mapping_count(), 0u);
}

// ============================================================================
// building and lifecycle misuse (statuses, not reports)

TEST(OracleDiff, ControlMisuse) {
  Pair p;
  World w = Build(p);
  p.AddRam(0, 0);
  p.AddRam(0x1000, 0x1000);                   // RAM over RAM
  p.AddRam(kNicBar, 0x1000);                  // RAM over a resource
  p.AddRam(0xFFFFFFFFFFFFF000ull, 0x1000);    // the top page
  p.AddRam(0xFFFFFFFFFFFFE000ull, 0x1000);
  p.AssignResource(0x1234, PhysSpace::Memory, 0xA0000000, 0x1000);
  p.AssignResource(w.nic, PhysSpace::Memory, 0x1000, 0x1000);           // RAM
  p.AssignResource(w.nic, PhysSpace::Memory, kWdmBar, 0x1000);          // another's resource
  p.AssignResource(w.nic, PhysSpace::Port, 0x1000, 0x10);               // ports are not RAM
  p.AssignResource(w.nic, PhysSpace::Memory, 0xA0000000, 0);
  p.AssignResource(w.nic, static_cast<PhysSpace>(7), 0xA0000000, 0x10);
  p.AssignResource(w.nic, PhysSpace::Memory, 0xFFFFFFFFFFFFF000ull, 0x10);
  p.AssignResource(p.CreateProcess(), PhysSpace::Memory, 0xA0000000, 0x10);
  p.AddFile("firmware.bin", 1, true);
  p.AddFile("", 1, true);
  p.Leave(true);
  p.Enter(Callback::None, w.nic);
  p.Enter(static_cast<Callback>(42), w.nic);
  p.Enter(Callback::MiniportInitializeEx, w.wdm);
  p.Enter(Callback::MiniportHaltEx, w.nic);
  p.Enter(Callback::StopDevice, w.wdm);
  p.Enter(Callback::SurpriseRemoval, w.wdm);
  p.Enter(Callback::OnReleaseHardware, w.umdf);
  p.Enter(Callback::VideoStartIo, w.nic);
  p.Enter(Callback::StartDevice, MakeHandle(HandleKind::WdmDevice, 5));
  // a failing restart from stopped: back to stopped (surprise removal allowed) or added?
  p.Enter(Callback::StartDevice, w.wdm);
  p.Leave(true);
  p.Enter(Callback::StopDevice, w.wdm);
  p.Leave(true);
  p.Enter(Callback::StartDevice, w.wdm);
  p.Leave(false);
  p.Enter(Callback::SurpriseRemoval, w.wdm);
  p.Leave(false);
  p.Enter(Callback::StartDevice, w.wdm);  // surprise-removed: BadState
  p.Enter(Callback::RemoveDevice, w.wdm);
  p.Enter(Callback::StartDevice, w.wdm);  // one already runs
  p.Enter(Callback::None, w.wdm);
  p.Leave(true);
  p.Enter(Callback::RemoveDevice, w.wdm);
  p.Leave(false);
  p.Enter(Callback::StartDevice, w.wdm);  // removed
  p.Enter(Callback::RemoveDevice, w.wdm);
  p.ExitProcess(0);
  p.ExitProcess(0x1234);
  const u64 proc = p.CreateProcess();
  p.AttachProcess(proc);
  p.AttachProcess(0x77);
  p.ExitProcess(proc);  // the attached process
  p.ExitProcess(proc);
  p.AttachProcess(proc);
  p.AttachProcess(0);
  p.Teardown();
}

// ============================================================================
// allocation edge cases

TEST(OracleDiff, TinySystemRegionIsExhaustedAndWrapsAround) {
  MachineOptions opt;
  opt.system_region_size = 8 * kPageSize;
  opt.quarantine_capacity = 0;
  Pair p(opt);
  World w = Build(p);
  const u64 a = p.MmMap(kUnassigned, 0x1000, 0);        // 2 pages
  const u64 b = p.MmMap(kUnassigned + 0x3000, 0x2000, 0);  // 3 pages
  const u64 c = p.MmMap(kUnassigned + 0x8000, 0x1000, 0);  // 2 pages
  EXPECT_EQ(p.MmMap(kUnassigned + 0x9000, 0x1000, 0), 0u);  // 1 page left: no space
  EXPECT_EQ(p.MmMap(kUnassigned + 0xA000, 1ull << 40, 0), 0u);
  p.MmUnmap(a, 0x1000);
  const u64 d = p.MmMap(kUnassigned + 0xC000, 0x10, 0);  // wraps to the start
  EXPECT_EQ(d, a);
  p.MmUnmap(c, 0x1000);
  p.MmUnmap(b, 0x2000);
  p.MmMap(kUnassigned + 0xD000, 0x4000, 0);  // the merged free block
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic), ControlStatus::Ok);
  EXPECT_EQ(p.NdisMap(w.nic, kNicBar, 0x8000)[0], kNdisStatusResources);
  V f = p.OpenFile("firmware.bin");
  p.MapFile(f[2]);
  p.CloseFile(f[2]);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::VideoStartIo, w.video), ControlStatus::Ok);
  p.VideoMap(w.video, kVideoFb, 0x8000, 0);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.Teardown();
}

TEST(OracleDiff, TinyUserAndPseudoRegions) {
  MachineOptions opt;
  opt.user_region_size = 5 * kPageSize;
  opt.pseudo_region_size = 4 * kPageSize;
  opt.quarantine_capacity = 1;
  Pair p(opt);
  World w = Build(p);
  const u64 proc = p.CreateProcess();
  ASSERT_EQ(p.Enter(Callback::OnPrepareHardware, w.umdf_user), ControlStatus::Ok);
  V a = p.UmdfMap(w.umdf_user, kUmdf2Bar, 0x1000, 0);  // pseudo 1+1 pages, view 1+1 pages
  p.UmdfUnmap(w.umdf_user, a[1], 0x1000);               // quarantine keeps only the view
  V b = p.UmdfMap(w.umdf_user, kUmdf2Bar + 0x800, 0x800, 0);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::VideoStartIo, w.video), ControlStatus::Ok);
  p.VideoMap(w.video, kVideoFb, 0x1000, kVideoMemorySpaceUserMode, proc);  // user region full
  p.VideoMap(w.video, kVideoFb + 0x2000, 0x100, kVideoMemorySpaceUserMode, proc);
  p.VideoMap(w.video, kVideoFb + 0x3000, 0x100, 0);  // system region is large
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::OnPrepareHardware, w.umdf), ControlStatus::Ok);
  p.UmdfMap(w.umdf, kUmdfBar, 0x2000, 0);  // pseudo region: 3 pages needed, 2 free
  p.UmdfMap(w.umdf, kUmdfBar2, 0x10, 0);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.Teardown();
}

// The pseudo range fits but the user-mode view does not: E_OUTOFMEMORY, and
// (reading) nothing changes; the address never returned stays "never mapped".
TEST(OracleDiff, UmdfViewWithoutUserSpaceFailsWithoutTrace) {
  MachineOptions opt;
  opt.user_region_size = 1 * kPageSize;  // too small for any view (a page plus the guard)
  Pair p(opt);
  World w = Build(p);
  ASSERT_EQ(p.Enter(Callback::OnPrepareHardware, w.umdf_user), ControlStatus::Ok);
  V a = p.UmdfMap(w.umdf_user, kUmdf2Bar + 0x10, 0x10, 0);
  EXPECT_EQ(a[0], kEOutOfMemory);
  p.Read(kPseudoRegionBase + 0x10, 1);                   // never mapped
  p.UmdfRead(w.umdf_user, kPseudoRegionBase + 0x10, 1);
  p.UmdfUnmap(w.umdf_user, kPseudoRegionBase + 0x10, 0x10);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.Teardown();
}

TEST(OracleDiff, QuarantineEvictionReusesAddresses) {
  MachineOptions opt;
  opt.quarantine_capacity = 2;
  opt.system_region_size = 16 * kPageSize;
  Pair p(opt);
  Build(p);
  std::vector<u64> seen;
  for (int round = 0; round < 12; ++round) {
    const u64 a = p.MmMap(kUnassigned + 0x1000 * u64(round % 3), 0x10 + u64(round) * 0x300, 0);
    seen.push_back(a);
    p.Read(a, 4);
    p.MmUnmap(a, 0x10 + u64(round) * 0x300);
    p.MmUnmap(a, 0x10 + u64(round) * 0x300);  // double, while quarantined (or reused)
    if (round > 2) {
      p.Read(seen[std::size_t(round - 3)], 1);  // stale: evicted, maybe reused
      p.MmUnmap(seen[std::size_t(round - 3)], 1);
    }
  }
  p.Teardown();
}

TEST(OracleDiff, InteriorGuardAndOnePastEndAddresses) {
  Pair p;
  World w = Build(p);
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic), ControlStatus::Ok);
  V a = p.NdisMap(w.nic, kNicBar + 0xFF0, 0x20);  // straddles a page boundary: 2 pages
  V b = p.NdisMap(w.nic, kNicBar + 0x3000, 0x1000);
  for (u64 d : {0ull, 1ull, 0x1Full, 0x20ull, 0x21ull, 0x10ull + 0x1000 - 1, 0x10ull + 0x1000,
                0x10ull + 0x2000 - 1, 0x10ull + 0x2000, 0x10ull + 0x3000}) {
    const u64 addr = a[1] - 0x10 + d;  // relative to the first page... plus offsets
    p.Read(addr, 1);
    p.Read(addr, 8);
  }
  p.Read(a[1] - 0xFF1, 1);  // just below the first page
  p.Read(b[1] + 0x1000, 1);  // one past the end = guard page
  p.Read(b[1] + 0x2000, 1);  // beyond the guard
  p.NdisUnmap(w.nic, b[1] + 0x1000, 0x1000);
  p.NdisUnmap(w.nic, b[1] + 0xFFF, 0x1000);
  p.NdisUnmap(w.nic, a[1] - 0xFF0, 0x20);  // the page base, not the returned base
  p.NdisUnmap(w.nic, a[1] + 0x1000, 0x20);
  p.NdisUnmap(w.nic, a[1], 0x20);
  p.NdisUnmap(w.nic, a[1] + 0x1000, 0x20);  // interior of a released mapping
  p.NdisUnmap(w.nic, a[1] + 0x2000 - 0xFF0, 0x20);  // its guard page
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::VideoStartIo, w.video), ControlStatus::Ok);
  V v = p.VideoMap(w.video, kVideoFb + 0xFFF, 2, 0);
  p.VideoUnmap(w.video, v[3] + 0x1001, 0);  // inside its second page
  p.VideoUnmap(w.video, v[3] - 0xFFF, 0);
  V v2 = p.VideoMap(w.video, kVideoFb + 0xFFF, 2, 0);
  p.VideoUnmap(w.video, v2[3] + 0x1001 + 0x1000, 0);  // guard
  p.VideoUnmap(w.video, v2[3] - 0xFFF, 0);  // page base
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.Teardown();
}

TEST(OracleDiff, CacheConflictsAcrossFamilies) {
  Pair p;
  World w = Build(p);
  ASSERT_EQ(p.Enter(Callback::VideoStartIo, w.video), ControlStatus::Ok);
  V v = p.VideoMap(w.video, kVideoFb + 0x10, 0x10, kVideoMemorySpaceP6Cache);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.MmMap(kVideoFb + 0xFF0, 0x10, kMmNonCached);     // same page, other type
  p.MmMap(kVideoFb + 0xFF0, 0x20, kMmWriteCombined); // same type
  p.MmMap(kVideoFb + 0x1000, 0x20, kMmCached);       // next page: fine
  ASSERT_EQ(p.Enter(Callback::VideoStartIo, w.video), ControlStatus::Ok);
  p.VideoMap(w.video, kVideoFb + 0x1800, 0x10, 0);    // conflicts with the MmCached one
  p.VideoMap(w.video, kVideoPorts, 0x10, kVideoMemorySpaceIo);
  p.VideoMap(w.video, kVideoPorts + 8, 0x8, kVideoMemorySpaceIo);  // same port page, same type
  p.VideoUnmap(w.video, v[3], 0);
  p.VideoMap(w.video, kVideoFb + 0x20, 0x10, 0);      // still the write-combined MM mapping
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.MmMap(kVideoPorts, 0x10, kMmCached);  // memory space at a port address: RAM
  // port space and memory space are separate: the same number in both is no conflict
  ASSERT_EQ(p.AssignResource(w.video2, PhysSpace::Port, 0xF8000000, 0x100), ControlStatus::Ok);
  V io = p.VideoMap(w.video2, 0xF8000000, 0x10, kVideoMemorySpaceIo);
  EXPECT_EQ(io[0], kNoError);
  EXPECT_NE(p.MmMap(0xF8000000, 0x10, kMmCached), 0u);
  p.Write(io[3], 1, 0xAB);
  p.Read(io[3], 1);
  p.Teardown();
}

TEST(OracleDiff, PhysicalOverflowEdges) {
  Pair p;
  World w = Build(p);
  const u64 top = 0xFFFFFFFFFFFFF000ull;
  const u64 ones = ~u64{0};
  for (u64 pa : {top - 0x10, top - 1, top, top + 0x800, ones}) {
    for (u64 len : {1ull, 0x10ull, 0x800ull, 0x1000ull}) {
      p.MmMap(pa, len, 0);
    }
  }
  p.MmMap(0x100000000ull, ~0ull, 0);
  p.MmMap(0x100000000ull, top - 0x100000000ull, 0);  // ends exactly at the top: fits? (huge)
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic), ControlStatus::Ok);
  for (u64 pa : {top - 0x10, top, top + 0x800, ones - 0xF, ones})
    for (u32 len : {1u, 0x10u, 0x1000u, 0xFFFFFFFFu}) p.NdisMap(w.nic, pa, len);
  p.NdisMap(w.nic, kNicBar, 0);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  ASSERT_EQ(p.Enter(Callback::VideoStartIo, w.video), ControlStatus::Ok);
  for (u64 pa : {top - 0x10, top, ones}) p.VideoMap(w.video, pa, 0x10, 0);
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.Teardown();
}

// Leaks are reported and released one by one; with quarantine_capacity = 1 the
// order decides which released mapping stays quarantined (reading: ascending
// address order, not creation order).
TEST(OracleDiff, LeakedMappingsAreReleasedInAddressOrder) {
  MachineOptions opt;
  opt.quarantine_capacity = 1;
  opt.system_region_size = 7 * kPageSize;
  Pair p(opt);
  World w = Build(p);
  const u64 x = p.MmMap(kUnassigned, 0x10, 0);
  const u64 y = p.MmMap(kUnassigned + 0x1000, 0x10, 0);
  ASSERT_EQ(p.Enter(Callback::StartDevice, w.wdm), ControlStatus::Ok);
  const u64 a = p.MmMap(kWdmBar, 0x10, 0);  // pages 4-5
  p.MmUnmap(x, 0x10);
  p.MmUnmap(y, 0x10);                         // x leaves the quarantine: pages 0-1 free
  const u64 b = p.MmMap(kWdmBar + 0x1000, 0x10, 0);  // wraps: pages 0-1, below a
  EXPECT_LT(b, a);
  ASSERT_EQ(p.Leave(false), ControlStatus::Ok);
  EXPECT_RULES(p, RuleId::MmIoLeak, RuleId::MmIoLeak);
  p.Read(a, 1);
  p.Read(b, 1);
  p.MmUnmap(a, 0x10);
  p.MmUnmap(b, 0x10);
  p.Teardown();
}

// *Length out of VideoPortMapMemory is rounded up to the end of the last page;
// (reading) a value beyond 32 bits saturates at 0xFFFFFFFF.
TEST(OracleDiff, VideoRoundedLengthSaturates) {
  Pair p;
  World w = Build(p);
  ASSERT_EQ(p.AssignResource(w.video2, PhysSpace::Memory, 0x100000000ull, 0x200000000ull), ControlStatus::Ok);
  for (u32 len : {0xFFFFF000u, 0xFFFFF4D8u, 0xFFFFF4D9u, 0xFFFFFB00u, 0xFFFFFFFFu}) {
    V r = p.VideoMap(w.video2, 0x100000B28ull, len, 0);
    if (r[0] == kNoError) p.VideoUnmap(w.video2, r[3], 0);
  }
  p.Teardown();
}

TEST(OracleDiff, HandleEncodingAndOpenFileLimit) {
  MachineOptions opt;
  opt.max_open_files = 3;
  Pair p(opt);
  World w = Build(p);
  EXPECT_EQ(w.nic, MakeHandle(HandleKind::Adapter, 1));
  EXPECT_EQ(w.umdf_user, MakeHandle(HandleKind::UmdfDevice, 2));
  ASSERT_EQ(p.Enter(Callback::MiniportInitializeEx, w.nic), ControlStatus::Ok);
  std::vector<u64> hs;
  for (int i = 0; i < 5; ++i) hs.push_back(p.OpenFile("firmware.bin")[2]);
  p.CloseFile(hs[0]);
  hs.push_back(p.OpenFile("firmware.bin")[2]);
  p.MapFile(MakeHandle(HandleKind::File, 0));
  p.MapFile(MakeHandle(HandleKind::File, 4));
  p.MapFile(MakeHandle(HandleKind::File, 5));
  p.MapFile(MakeHandle(HandleKind::Adapter, 1));
  ASSERT_EQ(p.Leave(true), ControlStatus::Ok);
  p.Teardown();
}

// ============================================================================
// pseudo-random programs

u64 SplitMix(u64& s) {
  u64 z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Gen {
 public:
  explicit Gen(u64 seed) : s_(seed) {}
  u64 Next() { return SplitMix(s_); }
  u64 Below(u64 n) { return n ? Next() % n : 0; }
  bool Chance(unsigned pct) { return Below(100) < pct; }
  template <class T>
  T Pick(const std::vector<T>& v) { return v[Below(v.size())]; }

 private:
  u64 s_;
};

struct Pools {
  std::vector<u64> adapters, wdm, umdf, video, processes, files, addrs, phys;
  std::vector<std::pair<u64, u64>> maps;  // (returned address, length given)
  std::vector<u64> lens{0, 1, 2, 4, 0x10, 0x100, 0xFFF, 0x1000, 0x1001, 0x2000, 0x10000};
  std::vector<std::string> names{"firmware.bin", "broken.bin", "empty.bin", "tiny.bin", "nope"};
};

void RandomProgram(u64 seed, int length) {
  Gen g(seed);
  MachineOptions opt;
  if (g.Chance(40)) opt.quarantine_capacity = g.Below(4);
  if (g.Chance(30)) opt.system_region_size = (4 + g.Below(24)) * kPageSize;
  // (the user region is not shrunk: a view that does not fit trips a known core
  // deviation, covered by UmdfViewWithoutUserSpaceFailsWithoutTrace)
  if (g.Chance(30)) opt.pseudo_region_size = (2 + g.Below(12)) * kPageSize;
  if (g.Chance(30)) opt.max_open_files = g.Below(4);
  Pair p(opt);
  Pools pl;
  // setup, through the pair
  p.AddRam(0, kRamLen);
  pl.adapters = {p.CreateNdisAdapter(), p.CreateNdisAdapter()};
  pl.wdm = {p.CreateWdmDevice(), p.CreateWdmDevice()};
  pl.umdf = {p.CreateUmdfDevice(kUmdf111, true, RegisterAccess::UsingSystemCall),
             p.CreateUmdfDevice(0x1000F, true, RegisterAccess::UsingUserModeMapping),
             p.CreateUmdfDevice(g.Chance(50) ? 0x10009 : 0x20001, g.Chance(50),
                                RegisterAccess::UsingUserModeMapping)};
  pl.video = {p.CreateVideoDevice(), p.CreateVideoDevice()};
  pl.processes = {p.CreateProcess()};
  struct Res { u64 obj; PhysSpace sp; u64 start, len; };
  const std::vector<Res> res = {
      {pl.adapters[0], PhysSpace::Memory, kNicBar, kNicBarLen},
      {pl.adapters[1], PhysSpace::Memory, kNic2Bar, kNic2BarLen},
      {pl.wdm[0], PhysSpace::Memory, kWdmBar, kWdmBarLen},
      {pl.umdf[0], PhysSpace::Memory, kUmdfBar, kUmdfBarLen},
      {pl.umdf[0], PhysSpace::Memory, kUmdfBar2, kUmdfBar2Len},
      {pl.umdf[1], PhysSpace::Memory, kUmdf2Bar, kUmdf2BarLen},
      {pl.umdf[2], PhysSpace::Memory, 0xFEE30000, 0x3000},
      {pl.video[0], PhysSpace::Memory, kVideoFb, kVideoFbLen},
      {pl.video[0], PhysSpace::Port, kVideoPorts, kVideoPortsLen},
      {pl.video[1], PhysSpace::Memory, 0xD0000000, 0x4000},
  };
  for (const auto& r : res) {
    p.AssignResource(r.obj, r.sp, r.start, r.len);
    pl.phys.push_back(r.start);
    pl.phys.push_back(r.start + r.len - 1);
    pl.phys.push_back(r.start + 0x10);
    pl.lens.push_back(r.len);
  }
  pl.phys.insert(pl.phys.end(), {0ull, 0x1000ull, kRamLen - 8, kUnassigned, kUnassigned + 0x1FF8,
                                 0xFFFFFFFFFFFFF000ull - 0x10, 0xFFFFFFFFFFFFF800ull, ~0ull});
  p.AddFile("firmware.bin", kFirmwareLen, true);
  p.AddFile("broken.bin", 100, false);
  p.AddFile("empty.bin", 0, true);
  p.AddFile("tiny.bin", 3, true);
  pl.addrs = {kSystemRegionBase, kUserRegionBase, kPseudoRegionBase, 0};

  const u64 garbage[] = {0, 1, 0x1234, ~0ull, MakeHandle(HandleKind::Adapter, 999),
                         MakeHandle(HandleKind::File, 77), MakeHandle(HandleKind::Process, 50)};
  auto handle = [&](const std::vector<u64>& pool) -> u64 {
    const u64 r = g.Below(100);
    if (r < 75 && !pool.empty()) return g.Pick(pool);
    if (r < 88) {
      const std::vector<u64>* all[] = {&pl.adapters, &pl.wdm, &pl.umdf, &pl.video, &pl.processes, &pl.files};
      const auto& other = *all[g.Below(6)];
      if (!other.empty()) return g.Pick(other);
    }
    return garbage[g.Below(7)];
  };
  auto addr = [&]() -> u64 {
    u64 a = g.Pick(pl.addrs);
    const u64 r = g.Below(100);
    if (r < 50) return a;
    const u64 deltas[] = {1, 2, 4, 7, 8, 0xF, 0x10, 0xFF8, 0xFFF, 0x1000, 0x1001, 0x2000, 0x3000};
    const u64 d = deltas[g.Below(13)];
    if (r < 85) return a + d;
    if (r < 97) return a - d;
    return g.Next();
  };
  auto phys = [&]() -> u64 {
    u64 a = g.Pick(pl.phys);
    if (g.Chance(60)) return a;
    const u64 d = g.Below(0x3000);
    return g.Chance(70) ? a + d : a - d;
  };
  auto len = [&]() -> u64 {
    const u64 r = g.Below(100);
    if (r < 80) return g.Pick(pl.lens);
    if (r < 90) return g.Below(0x5000);
    const u64 huge[] = {~0ull, 1ull << 40, 0xFFFFFFFFull, 0x80000000ull, 1ull << 63};
    return huge[g.Below(5)];
  };
  auto width = [&]() -> unsigned {
    // (widths other than 1/2/4/8 trip a known core deviation, covered by
    // InvalidAccessWidthsAreIgnoredButCounted)
    const unsigned ws[] = {1, 2, 4, 8, 8, 4};
    return ws[g.Below(6)];
  };
  auto irql = [&]() -> u64 {
    const u64 r = g.Below(100);
    if (r < 55) return 0;
    if (r < 90) return g.Below(4);
    const u64 odd[] = {15, 16, 255, 1ull << 40};
    return odd[g.Below(4)];
  };
  auto cache = [&]() -> u64 { return g.Chance(85) ? g.Below(3) : g.Below(9); };
  auto protect = [&]() -> u64 {
    const u64 acc[] = {kPageReadOnly, kPageReadWrite, kPageExecute, kPageExecuteRead, kPageExecuteReadWrite};
    u64 v = acc[g.Below(5)];
    const u64 r = g.Below(100);
    if (r < 30) v |= kPageNoCache;
    else if (r < 50) v |= kPageWriteCombine;
    else if (r < 58) v |= kPageNoCache | kPageWriteCombine;
    else if (r < 64) v |= acc[g.Below(5)];
    else if (r < 68) v = g.Next() & 0xFFF;
    return v;
  };
  auto note = [&](u64 a, u64 length = 0) {
    if (a) pl.addrs.push_back(a);
    if (a && length) pl.maps.push_back({a, length});
  };
  // an (address, length) pair for an unmap: often exactly one that was mapped
  auto target = [&]() -> std::pair<u64, u64> {
    if (!pl.maps.empty() && g.Chance(50)) return g.Pick(pl.maps);
    return {addr(), len()};
  };
  // a callback object matching the callback most of the time
  auto enter = [&]() {
    const Callback cbs[] = {Callback::MiniportInitializeEx, Callback::MiniportHaltEx,
                            Callback::StartDevice, Callback::StopDevice, Callback::RemoveDevice,
                            Callback::SurpriseRemoval, Callback::OnPrepareHardware,
                            Callback::OnReleaseHardware, Callback::VideoStartIo};
    const Callback cb = g.Chance(97) ? cbs[g.Below(9)] : static_cast<Callback>(g.Below(12));
    const std::vector<u64>* pool = &pl.adapters;
    if (cb == Callback::StartDevice || cb == Callback::StopDevice || cb == Callback::RemoveDevice ||
        cb == Callback::SurpriseRemoval)
      pool = &pl.wdm;
    if (cb == Callback::OnPrepareHardware || cb == Callback::OnReleaseHardware) pool = &pl.umdf;
    if (cb == Callback::VideoStartIo) pool = &pl.video;
    p.Enter(cb, handle(*pool));
  };

  for (int step = 0; step < length && !p.failed; ++step) {
    const u64 op = g.Below(48);
    switch (op) {
      case 0: case 1: case 2: enter(); break;
      case 3: case 4:
        if (p.o.callback() == Callback::MiniportInitializeEx && g.Chance(50)) {
          // often close the files first (a leaked file stays open until teardown)
          for (u64 f : pl.files) p.CloseFile(f);
        }
        p.Leave(g.Chance(80));
        break;
      case 5: p.SetIrql(irql()); break;
      case 6: p.SetIrql(0); break;
      case 7: pl.processes.push_back(p.CreateProcess()); break;
      case 8: p.ExitProcess(handle(pl.processes)); break;
      case 9: p.AttachProcess(g.Chance(30) ? 0 : handle(pl.processes)); break;
      case 10: case 11: {
        const u32 l = static_cast<u32>(len());
        V r = p.NdisMap(handle(pl.adapters), phys(), l, g.Chance(3));
        note(r[1] == kSentinel ? 0 : r[1], l);
        break;
      }
      case 12: {
        const auto t = target();
        p.NdisUnmap(handle(pl.adapters), t.first, static_cast<u32>(t.second));
        break;
      }
      case 13: case 14: {
        const u64 l = len();
        note(p.MmMap(phys(), l, cache()), l);
        break;
      }
      case 15: {
        const u64 l = len();
        note(p.MmMapEx(phys(), l, protect()), l);
        break;
      }
      case 16: case 17: {
        const auto t = target();
        p.MmUnmap(t.first, t.second);
        break;
      }
      case 18: case 19: {
        const u64 l = len();
        V r = p.UmdfMap(handle(pl.umdf), phys(), l, cache(), g.Chance(3));
        note(r[1] == kSentinel ? 0 : r[1], l);
        break;
      }
      case 20: {
        const auto t = target();
        p.UmdfUnmap(handle(pl.umdf), t.first, t.second);
        break;
      }
      case 21: note(p.UmdfView(handle(pl.umdf), addr())); break;
      case 22: p.UmdfRead(handle(pl.umdf), addr(), width()); break;
      case 23: p.UmdfWrite(handle(pl.umdf), addr(), width(), g.Next()); break;
      case 24: case 25: {
        std::optional<std::string> name;
        if (g.Chance(96)) name = g.Pick(pl.names);
        const u64 highest = g.Chance(90) ? ~0ull : 0xFFFFF - g.Below(2);
        V r = p.OpenFile(name, highest, g.Chance(5) ? unsigned(1 + g.Below(7)) : 0u);
        if (r[2] != 0 && r[2] != kSentinel) pl.files.push_back(r[2]);
        break;
      }
      case 26: case 27: {
        V r = p.MapFile(handle(pl.files), g.Chance(4) ? unsigned(1 + g.Below(3)) : 0u);
        note(r[2] == kSentinel ? 0 : r[2]);
        break;
      }
      case 28: p.UnmapFile(handle(pl.files)); break;
      case 29: p.CloseFile(handle(pl.files)); break;
      case 30: case 31: {
        u32 flags = static_cast<u32>(g.Chance(90) ? g.Below(16) : g.Below(64));
        if (g.Chance(50)) flags &= ~(kVideoMemorySpaceIo);
        u64 va_in = 0;
        if (g.Chance(40)) va_in = handle(pl.processes);
        V r = p.VideoMap(handle(pl.video), phys(), static_cast<u32>(len()), flags, va_in,
                         g.Chance(3) ? unsigned(1 + g.Below(7)) : 0u);
        if (r[0] == kNoError) note(r[3]);
        break;
      }
      case 32: case 33:
        p.VideoUnmap(handle(pl.video), addr(), g.Chance(60) ? 0 : handle(pl.processes));
        break;
      case 34: case 35: case 36: p.Read(addr(), width()); break;
      case 37: case 38: p.Write(addr(), width(), g.Next()); break;
      case 39: p.AddRam(phys(), len()); break;
      case 40: {
        const std::vector<u64>* all[] = {&pl.adapters, &pl.wdm, &pl.umdf, &pl.video};
        p.AssignResource(handle(*all[g.Below(4)]), static_cast<PhysSpace>(g.Below(g.Chance(95) ? 2 : 3)),
                         phys(), len());
        break;
      }
      case 41: {
        const u64 k = g.Below(5);
        if (k == 0) pl.adapters.push_back(p.CreateNdisAdapter());
        if (k == 1) pl.wdm.push_back(p.CreateWdmDevice());
        if (k == 2)
          pl.umdf.push_back(p.CreateUmdfDevice(static_cast<u32>(0x10000 + g.Below(0x20)), g.Chance(80),
                                               static_cast<RegisterAccess>(g.Below(2))));
        if (k == 3) pl.video.push_back(p.CreateVideoDevice());
        if (k == 4) p.AddFile(g.Pick(pl.names), static_cast<u32>(g.Below(0x3000)), g.Chance(80));
        break;
      }
      case 42: {
        // a proper little sequence: enter the right callback and map inside it
        const u64 fam = g.Below(4);
        if (fam == 0) {
          const u64 a = g.Pick(pl.adapters);
          if (p.Enter(Callback::MiniportInitializeEx, a) == ControlStatus::Ok) {
            V r = p.NdisMap(a, a == pl.adapters[0] ? kNicBar + g.Below(0x100) : kNic2Bar, 0x10);
            note(r[1], 0x10);
          }
        } else if (fam == 1) {
          const u64 d = g.Pick(pl.umdf);
          if (p.Enter(Callback::OnPrepareHardware, d) == ControlStatus::Ok) {
            const u64 l = 0x10 + g.Below(0x1000);
            V r = p.UmdfMap(d, d == pl.umdf[0] ? kUmdfBar : d == pl.umdf[1] ? kUmdf2Bar : 0xFEE30000, l,
                            g.Below(3));
            note(r[1], l);
            if (g.Chance(50)) note(p.UmdfView(d, r[1]));
          }
        } else if (fam == 2) {
          if (p.Enter(Callback::StartDevice, pl.wdm[0]) == ControlStatus::Ok) {
            const u64 l = 0x10 + g.Below(0x2000);
            note(p.MmMap(kWdmBar + g.Below(0x8000), l, g.Below(3)), l);
          }
        } else {
          if (p.Enter(Callback::VideoStartIo, pl.video[0]) == ControlStatus::Ok) {
            V r = p.VideoMap(pl.video[0], kVideoFb + g.Below(0x100000), static_cast<u32>(1 + g.Below(0x3000)),
                             g.Chance(50) ? kVideoMemorySpaceP6Cache : 0,
                             g.Chance(30) ? pl.processes[0] : 0);
            if (r[0] == kNoError) note(r[3]);
          }
        }
        break;
      }
      case 43:
        if (g.Chance(10)) p.Teardown();
        break;
      case 44: {
        // an NDIS file session inside MiniportInitializeEx
        if (p.o.callback() != Callback::MiniportInitializeEx) break;
        V f = p.OpenFile(g.Pick(pl.names));
        if (f[0] != kNdisStatusSuccess) break;
        pl.files.push_back(f[2]);
        V m = p.MapFile(f[2]);
        if (m[0] == kNdisStatusSuccess) {
          note(m[2]);
          const u64 flen = f[3];
          for (int i = 0; i < 3; ++i) p.Read(m[2] + g.Below(flen + 9), width());
          if (g.Chance(50)) p.Write(m[2] + g.Below(flen + 1), width(), g.Next());
          if (g.Chance(80)) p.UnmapFile(f[2]);
        }
        if (g.Chance(80)) p.CloseFile(f[2]);
        break;
      }
      case 45: {
        // the release callbacks, unmapping what is known
        const u64 k = g.Below(3);
        if (k == 0) {
          const u64 a = g.Pick(pl.adapters);
          if (p.Enter(Callback::MiniportHaltEx, a) != ControlStatus::Ok) break;
          for (int i = 0; i < 3; ++i) {
            const auto t = target();
            p.NdisUnmap(a, t.first, static_cast<u32>(t.second));
          }
        } else if (k == 1) {
          const u64 d = g.Pick(pl.umdf);
          if (p.Enter(Callback::OnReleaseHardware, d) != ControlStatus::Ok) break;
          for (int i = 0; i < 3; ++i) {
            const auto t = target();
            p.UmdfUnmap(d, t.first, t.second);
          }
        } else {
          const Callback cbs[] = {Callback::StopDevice, Callback::RemoveDevice, Callback::SurpriseRemoval};
          if (p.Enter(cbs[g.Below(3)], g.Pick(pl.wdm)) != ControlStatus::Ok) break;
          for (int i = 0; i < 3; ++i) {
            const auto t = target();
            p.MmUnmap(t.first, t.second);
          }
        }
        if (g.Chance(70)) p.Leave(g.Chance(70));
        break;
      }
      case 46: {
        // user-space video mappings: touch them from the right and the wrong process
        const u64 proc = g.Pick(pl.processes);
        V r = p.VideoMap(pl.video[0], kVideoFb + g.Below(0x200000), static_cast<u32>(1 + g.Below(0x2000)),
                         kVideoMemorySpaceUserMode | (g.Chance(30) ? kVideoMemorySpaceP6Cache : 0), proc);
        if (r[0] != kNoError) break;
        note(r[3]);
        p.Read(r[3], width());
        p.AttachProcess(proc);
        p.Write(r[3], width(), g.Next());
        if (g.Chance(30)) p.ExitProcess(proc);
        if (g.Chance(50)) p.AttachProcess(0);
        break;
      }
      case 47: {
        // touch a known mapping near its edges
        if (pl.maps.empty()) break;
        const auto t = g.Pick(pl.maps);
        const u64 offs[] = {0, 1, t.second - 1, t.second, t.second + 1, 0x1000, u64(0) - 1};
        p.Read(t.first + offs[g.Below(7)], width());
        break;
      }
    }
  }
  if (!p.failed) p.Teardown();
  if (p.failed) ADD_FAILURE() << "random program seed " << Hex(seed) << " diverged (see above)";
}

class OracleRandom : public ::testing::TestWithParam<int> {};

// 4 x 5 programs of 300 calls. DDIMAP_DIFF_PROGRAMS=n runs n programs per
// instance instead (for longer local runs); the seeds stay deterministic.
TEST_P(OracleRandom, ProgramsAgreeCallByCall) {
  if (const char* e = std::getenv("DDIMAP_DIFF_SEED")) {  // replay one program
    if (GetParam() == 0) RandomProgram(std::strtoull(e, nullptr, 0), 300);
    return;
  }
  int per = 5;
  if (const char* e = std::getenv("DDIMAP_DIFF_PROGRAMS")) per = std::atoi(e) > 0 ? std::atoi(e) : per;
  const int first = GetParam() * per;
  for (int i = first; i < first + per; ++i) RandomProgram(0xDD1A9000ull + u64(i) * 7919, 300);
}

INSTANTIATE_TEST_SUITE_P(Seeds, OracleRandom, ::testing::Values(0, 1, 2, 3));

}  // namespace
}  // namespace ddimap
