// ddimap-gen: derives the fuzzing corpus, dictionaries and options from the
// readable traces in corpus/traces/<harness>/ and the call table.
//
//   ddimap-gen ROOT          rewrite corpus/<harness>/, dictionaries/
//   ddimap-gen --check ROOT  exit 1 when any generated file is stale
//
// The harnesses are harnesses.def's rows:
// corpus/<harness>/<name>   binary seed of corpus/traces/<harness>/<name>.trace
//                           (fuzz_all: every trace, as <dir>-<name>)
// corpus/<text harness>/    the trace texts themselves (fuzz_trace)
// dictionaries/<h>.dict     opcodes, whole encoded calls, callback idioms and loops seen in the seeds
//                           (fuzz_trace: the words of the trace language)
// dictionaries/<h>.options  libFuzzer options: max_len and dict
// The driver fuzz targets' seeds and dictionaries are hand-written and left
// alone (program/driver_list.hpp).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "program/codec.hpp"
#include "program/driver_list.hpp"
#include "program/trace.hpp"
#include "program/world.hpp"

namespace fs = std::filesystem;
using namespace ddimap;
using namespace ddimap::harness;

namespace {

// The harness every binary seed also goes to (the whole call table), as
// harnesses.def's ProfileByName falls back to it.
constexpr std::string_view kTableHarness = "fuzz_all";
constexpr std::size_t kMaxLen = 4096;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string DictEscape(const std::string& bytes) {
  std::string out;
  char buf[8];
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

struct Seed {
  std::string name;   // file name of the binary seed
  fs::path trace;     // where it came from
  std::vector<std::uint8_t> bytes;
  std::vector<std::size_t> starts;
  Program program;  // the decoded calls, one per start

  // The encoded bytes of calls [i, i + k).
  std::string Calls(std::size_t i, std::size_t k) const {
    std::size_t b = starts[i], e = i + k < starts.size() ? starts[i + k] : bytes.size();
    return std::string(bytes.begin() + static_cast<long>(b), bytes.begin() + static_cast<long>(e));
  }
};

class Generator {
 public:
  Generator(fs::path root, bool check) : root_(std::move(root)), check_(check) {}

  // Writes (or checks) one generated file.
  void Emit(const fs::path& rel, const std::string& content) {
    fs::path p = root_ / rel;
    expected_.insert(p.lexically_normal());
    bool same = fs::exists(p) && Read(p) == content;
    if (same) return;
    if (check_) {
      stale_.push_back(rel.string());
      return;
    }
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }

  // Files in generated directories that nothing generates any more.
  void Sweep(const fs::path& rel_dir) {
    fs::path dir = root_ / rel_dir;
    if (!fs::exists(dir)) return;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (!e.is_regular_file() || expected_.count(e.path().lexically_normal()) || IsDriversFile(e.path())) continue;
      if (check_)
        stale_.push_back((rel_dir / e.path().filename()).string() + " (no longer generated)");
      else
        fs::remove(e.path());
    }
  }

  // dictionaries/<driver target>.{dict,options} are written by hand.
  bool IsDriversFile(const fs::path& p) const {
    for (const std::string& d : drivers_)
      if (p.filename() == d + ".dict" || p.filename() == d + ".options") return true;
    return false;
  }

  bool Fail(const std::string& msg) {
    std::fprintf(stderr, "ddimap-gen: %s\n", msg.c_str());
    failed_ = true;
    return false;
  }

  bool Load(const std::string& harness, const fs::path& trace, const std::string& name, std::vector<Seed>* out) {
    Program p;
    ParseError err;
    if (!ParseTrace(Read(trace), &p, &err))
      return Fail(trace.string() + ":" + std::to_string(err.line) + ":" + std::to_string(err.column) + ": " +
                  err.expected);
    if (p.world)  // a fuzz target runs every input in the standard world
      return Fail(trace.string() + ": a harness seed starts from the standard world; it has a world block");
    Seed s{name, trace, {}, {}, {}};
    std::string why;
    if (!Encode(p, &s.bytes, &why, &s.starts)) return Fail(trace.string() + ": " + why);
    if (s.bytes.size() > kMaxLen) return Fail(trace.string() + ": encodes to more than max_len bytes");
    // The seed must mean the same program under the harness's profile.
    const Program plain = WithoutExpectations(p);
    Program back = Decode(s.bytes.data(), s.bytes.size(), ProfileByName(harness));
    if (!(back == plain)) {
      for (std::size_t i = 0; i < plain.size(); ++i)
        if (!ProfileByName(harness).Allows(plain[i].id))
          return Fail(trace.string() + ": call " + std::to_string(i + 1) + " (" + std::string(Call(plain[i].id).name) +
                      ") is not in the " + harness + " profile");
      return Fail(trace.string() + ": does not decode back to itself under " + harness);
    }
    s.program = std::move(back);
    out->push_back(std::move(s));
    return true;
  }

  void Dictionary(const std::string& harness, const std::vector<Seed>& seeds) {
    std::string d = "# " + harness + ": generated by ddimap-gen from core/calls/calls.def and corpus/traces.\n";
    d += "# Opcodes (the call table's rows).\n";
    for (CallId id : ProfileByName(harness).calls) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(id));
      std::string name(Call(id).name);
      std::replace(name.begin(), name.end(), ':', '_');
      d += "op_" + name + "=\"" + buf + "\"\n";
    }
    // No whole-call tokens: the opcodes above and the idioms below carry the
    // calls, and a token for every distinct call of every seed (hundreds in
    // fuzz_all) made each idiom a rarer pick. Measured with bench/reach.sh:
    // fuzz_all reached all its rules in 60 s in 1 of 3 seeds with them, in 4
    // of 6 without (bench/notes.md, 2026-12-06).
    std::set<std::string> seen;
    int n = 0;
    // Callback idioms as single tokens: entering a callback with the mapping
    // or file it allows and what the seed does next, and leaving one callback
    // for another. Most unmap rules need such a prefix, and in fuzz_all's
    // 80-odd opcodes a fuzzer seldom strings the calls together unaided. Only
    // idioms that make or release something: a callback followed by register
    // or port accesses alone is an opcode or two away already, and
    // hundreds of such idioms would crowd out the ones the release rules need.
    d += "# Callback idioms: a callback entered or left and the calls after it, as the seeds do it.\n";
    for (const Seed& s : seeds) {
      const Program& p = s.program;
      for (std::size_t i = 0; i + 1 < s.starts.size(); ++i) {
        if (p[i].id != CallId::EnterCallback && p[i].id != CallId::LeaveCallback) continue;
        bool owns = false;  // the idiom makes or releases something after the callback change
        for (std::size_t k = i + 2; k <= i + 4 && k <= s.starts.size(); ++k) {
          owns = owns || Call(p[k - 1].id).makes != Resource::None || Call(p[k - 1].id).consumes != Resource::None;
          if (!owns) continue;
          std::string seq = s.Calls(i, k - i);
          if (seq.size() > 64) break;
          if (seen.insert(seq).second) d += "ctx_" + std::to_string(n++) + "=\"" + DictEscape(seq) + "\"\n";
        }
      }
    }
    // Loops: a limit (the quarantine's capacity, the open-file table, a full
    // region) takes the same calls many times over, and a fuzzer that adds one
    // call per mutation reaches it only if every step on the way earns a new
    // feature. A seed's run of one to four calls repeated back to back, byte for
    // byte, becomes tokens of two and four repetitions (at most 64 bytes,
    // libFuzzer's limit for a word), so a limit is a few insertions away.
    d += "# Loops: a group of calls a seed repeats back to back, two and four times over.\n";
    n = 0;
    for (const Seed& s : seeds) {
      const std::size_t calls = s.starts.size();
      for (std::size_t k = 1; k <= 4; ++k) {
        for (std::size_t i = 0; i + 2 * k <= calls; ++i) {
          const std::string group = s.Calls(i, k);
          if (i >= k && s.Calls(i - k, k) == group) continue;  // inside a run found already
          std::size_t reps = 1;
          while (i + (reps + 1) * k <= calls && s.Calls(i + reps * k, k) == group) ++reps;
          for (std::size_t r : {std::size_t{2}, std::size_t{4}}) {
            if (r > reps || r * group.size() > 64) break;
            std::string seq;
            for (std::size_t j = 0; j < r; ++j) seq += group;
            if (seen.insert(seq).second) d += "loop_" + std::to_string(n++) + "=\"" + DictEscape(seq) + "\"\n";
          }
        }
      }
    }
    Emit(fs::path("dictionaries") / (harness + ".dict"), d);
  }

  void TraceDictionary(const std::string& harness) {
    std::set<std::string> words = {"=>", "&out", "&buffer", "&in", "NULL", "nonnull", "r0", "r1", "r2", "+0x", "-0x1", "#", "\"",
                                   "TRUE", "FALSE", "(", ")", ", ", "!", "0x1000", "0xfffffffffffff000"};
    // The expectation forms (docs/harness.md, "Expectations").
    for (const char* w : {"teardown =>", "(created=#1", ", released=#2", "bugcheck=0xC4/0x7B)", " ...", "Status="})
      words.insert(w);
    // The world block (docs/harness.md, "Custom worlds").
    for (const char* w : {"world {\n", "}\n", "  ram ", "  unassigned ", " memory ", " port ", "  file \"", " unreadable",
                          "  quarantine ", "  max_open_files ", " version ", " direct", " nodirect",
                          " RegisterAccessUsingSystemCall", " RegisterAccessUsingUserModeMapping"})
      words.insert(w);
    for (const auto& c : AllCalls()) {
      if (IsBuildingCall(c.id)) continue;
      words.insert(std::string(c.name));
      for (int i = 0; i < c.param_count; ++i)
        if (HasOutValue(c.params[i].kind))
          words.insert(" " + std::string(c.params[i].name) + "=");
    }
    for (const auto& r : AllRules()) words.insert("!" + std::string(r.name));
    for (const auto& o : WorldObjects()) words.insert(std::string(o.name));
    for (const auto& f : WorldFiles()) words.insert("\"" + std::string(f.name) + "\"");
    for (u64 c = 0; c < 6; ++c) words.insert(std::string(CacheTypeName(c)));
    for (int c = 0; c < kCallbackCount; ++c) words.insert(std::string(CallbackName(static_cast<Callback>(c))));
    for (u64 v : {u64{kPageReadOnly}, u64{kPageReadWrite}, u64{kPageExecute}, u64{kPageExecuteRead},
                  u64{kPageExecuteReadWrite}, u64{kPageNoCache}, u64{kPageWriteCombine}})
      words.insert(FormatValue(ArgKind::Protect, v));
    for (u64 v : {u64{kVideoMemorySpaceIo}, u64{kVideoMemorySpaceUserMode}, u64{kVideoMemorySpaceDense},
                  u64{kVideoMemorySpaceP6Cache}, u64{0}})
      words.insert(FormatValue(ArgKind::VideoFlags, v));
    for (const auto& r : WorldResources()) words.insert(FormatValue(ArgKind::PhysAddr, r.start));
    for (u64 s : std::initializer_list<u64>{kNdisStatusSuccess, kNdisStatusFailure, kNdisStatusResources, kNdisStatusResourceConflict,
                  kNdisStatusFileNotFound, kNdisStatusErrorReadingFile, kNdisStatusAlreadyMapped})
      words.insert(std::string(NdisStatusName(s)));
    std::string d = "# " + harness + ": generated by ddimap-gen: the words of the trace language.\n";
    int n = 0;
    for (const auto& w : words) d += "w" + std::to_string(n++) + "=\"" + DictEscape(w) + "\"\n";
    Emit(fs::path("dictionaries") / (harness + ".dict"), d);
  }

  void Options(const std::string& harness, std::size_t max_len) {
    Emit(fs::path("dictionaries") / (harness + ".options"),
         "[libfuzzer]\nmax_len = " + std::to_string(max_len) + "\ndict = " + harness + ".dict\n");
  }

  int Run() {
    std::vector<Seed> all;
    std::vector<std::pair<std::string, fs::path>> trace_texts;
    // Binary harnesses take the traces of corpus/traces/<harness>/ (and the
    // table harness every trace); text harnesses take the trace texts.
    std::vector<std::string> binary, text;
    for (const Profile& p : AllProfiles())
      if (p.name != kTableHarness) (p.input == HarnessInput::Binary ? binary : text).push_back(p.name);
    binary.emplace_back(kTableHarness);
    for (const std::string& h : binary) {
      fs::path dir = root_ / "corpus" / "traces" / h;
      std::vector<fs::path> traces;
      if (fs::exists(dir))
        for (const auto& e : fs::directory_iterator(dir))
          if (e.path().extension() == ".trace") traces.push_back(e.path());
      std::sort(traces.begin(), traces.end());
      std::vector<Seed> seeds;
      for (const auto& t : traces) {
        std::string stem = t.stem().string();
        if (h != kTableHarness) Load(h, t, stem, &seeds);
        Load(std::string(kTableHarness), t, h == kTableHarness ? stem : h.substr(5) + "-" + stem, &all);
        trace_texts.emplace_back(h.substr(5) + "-" + stem + ".trace", t);
      }
      if (h == kTableHarness) continue;
      for (const Seed& s : seeds)
        Emit(fs::path("corpus") / h / s.name, std::string(s.bytes.begin(), s.bytes.end()));
      Sweep(fs::path("corpus") / h);
      Dictionary(h, seeds);
      Options(h, kMaxLen);
    }
    const std::string table(kTableHarness);
    for (const Seed& s : all) Emit(fs::path("corpus") / table / s.name, std::string(s.bytes.begin(), s.bytes.end()));
    Sweep(fs::path("corpus") / table);
    Dictionary(table, all);
    Options(table, kMaxLen);
    for (const std::string& h : text) {
      for (const auto& [name, path] : trace_texts) Emit(fs::path("corpus") / h / name, Read(path));
      Sweep(fs::path("corpus") / h);
      TraceDictionary(h);
      Options(h, 2 * kMaxLen);
    }
    Sweep("dictionaries");
    if (failed_) return 2;
    if (!stale_.empty()) {
      for (const auto& s : stale_) std::fprintf(stderr, "ddimap-gen: stale: %s\n", s.c_str());
      std::fprintf(stderr, "ddimap-gen: run `ddimap-gen %s` (or ci/gen-corpus.sh) and commit the result\n",
                   root_.c_str());
      return 1;
    }
    return 0;
  }

 private:
  fs::path root_;
  bool check_;
  std::vector<std::string> drivers_ = DriverFuzzers();
  bool failed_ = false;
  std::set<fs::path> expected_;
  std::vector<std::string> stale_;
};

}  // namespace

int main(int argc, char** argv) {
  bool check = false;
  std::string root;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--check") {
      check = true;
    } else if (a == "--help" || a == "-h") {
      std::puts("usage: ddimap-gen [--check] ROOT\n  regenerates ROOT/corpus/<harness>/, ROOT/dictionaries/ from "
                "ROOT/corpus/traces/; --check only reports stale files (exit 1)");
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "ddimap-gen: unknown option '%s'\n", a.c_str());
      return 2;
    } else {
      root = a;
    }
  }
  if (root.empty()) {
    std::fprintf(stderr, "usage: ddimap-gen [--check] ROOT\n");
    return 2;
  }
  return Generator(root, check).Run();
}
