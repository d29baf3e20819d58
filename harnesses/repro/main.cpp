// ddimap-repro: replays fuzz inputs and traces outside any fuzzing engine and
// prints each as a readable trace with every call's result and every report.
// Its output is itself a valid trace (results and reports are comments), so a
// crash becomes a regression test by saving the output with --expect.
#include <algorithm>
#include <bitset>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "ddimap/options.hpp"
#include "program/codec.hpp"
#include "program/driver_list.hpp"
#include "program/input.hpp"
#include "program/statuses.hpp"
#include "program/trace.hpp"
#include "repro/classify.hpp"
#include "repro/minimize.hpp"
#include "repro/print.hpp"
#include "repro/sarif.hpp"
#include "runner/runner.hpp"

namespace fs = std::filesystem;
using namespace ddimap;
using namespace ddimap::harness;

namespace {

constexpr const char* kHelp = R"(usage: ddimap-repro [options] FILE|DIR...

Replays fuzz inputs (binary) and traces (*.trace text) on the ddimap core and
its oracle, printing each as a trace: one call per line with its result and
reports as comments. Directories are walked (sorted). Exits 0 when every input
ran clean, 1 when the oracle disagreed, a self-check or an expectation failed,
2 on bad usage or a malformed trace (file:line:column: what was expected).

options:
  --profile NAME   decode binary inputs for harness NAME (--list-harnesses);
                   default: the corpus/<NAME>/ directory the file is in, else
                   fuzz_all
  --list-harnesses[=binary|text|reach|driver]
                   print the harnesses (harnesses.def), one a line, in list
                   order, then the driver fuzz targets built beside this
                   binary: all, those with binary or text inputs, those the
                   reach benchmark measures, or the driver targets alone
  --no-oracle      run the core alone
  --expect         print each call's actual result and rules as `=>`
                   expectations (turns a crash input into a regression trace)
  --quiet          print only failures and the summary
  --stats          after the run, list which rules and documented statuses
                   the inputs reached (and which they did not)
  --reach-log      after each input, one line of what the inputs so far have
                   reached: "# reach-log PATH rules R/N statuses S/N pairs P"
                   (pairs: distinct (call, outcome) pairs, the state coverage
                   the reach benchmark plots over time)
  --emit-binary F  compile the single given trace into binary input F
  --sarif FILE     also write every input's reports to FILE as SARIF 2.1.0
                   (for code-scanning upload; docs/harness.md,
                   "Machine-readable reports"), once, after all inputs
  --help           this text

environment:
  DDIMAP_OPTIONS   as for a driver (docs/harness.md): with policy=abort a run
                   stops at its first report, as the driver's process would;
                   the calls after it and the teardown are printed as not run
                   and the input fails (exit status 1)

crash minimisation (docs/harness.md, "Minimising a crash"):
  --minimize INPUT [-o OUT.trace] [--emit-binary OUT.bin]
                   run INPUT (with --profile for a binary one); when it fails
                   (oracle mismatch, self-check, expectation), drop calls and
                   simplify arguments while its SIGNATURE stays the same, and
                   write the minimised program as a trace whose `=>` are the
                   core's results (a trace's own expectations are kept), and
                   as a binary input (neither named: the trace on stdout).
                   Prints a summary and the SIGNATURE: line. Exits 0
                   minimised, 1 INPUT runs clean, 2 bad usage.
  --max-runs N     at most N runs while minimising (default 5000)
  --max-seconds S  at most S seconds while minimising (default: no limit;
                   a result bounded by time may differ between runs)
  --classify LOG   print the signature of a saved crash log: its SIGNATURE:
                   line, else "<sanitizer> <error type> at <top 2 frames in
                   ddimap code>" from a sanitizer or libFuzzer report
                   (nothing when it holds neither)
)";

struct Reach {
  std::bitset<kRuleCount> rules;
  std::vector<bool> statuses = std::vector<bool>(DocumentedStatuses().size());
  // (call, outcome): the rules the call reported, else its documented status,
  // else whether it returned zero. Edge coverage saturates early on a model
  // this small; these pairs keep growing while new behaviour is found.
  std::set<std::string> pairs;
};

struct Options {
  std::string profile;
  bool stop_at_report = false;  // DDIMAP_OPTIONS policy=abort
  bool oracle = true, expect = false, quiet = false, stats = false, reach_log = false;
  std::string emit_binary;
  std::string sarif;                 // --sarif FILE
  SarifLog* sarif_log = nullptr;     // collects the reports when --sarif is given
  std::vector<std::string> inputs;
  bool minimize = false;
  MinimizeCommand min;
};

bool ReadFile(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

std::string ProfileFor(const fs::path& p, const Options& o) {
  if (!o.profile.empty()) return o.profile;
  for (const auto& part : p)
    for (const auto& prof : AllProfiles())
      if (part == prof.name && prof.name != "fuzz_trace") return prof.name;
  return "fuzz_all";
}

// Prints the program with outcomes; returns the process status for this input.
int Replay(const fs::path& path, const Options& o, Reach* reach) {
  std::string data;
  if (!ReadFile(path, &data)) {
    std::fprintf(stderr, "%s: cannot read file\n", path.c_str());
    return 2;
  }
  bool is_trace = path.extension() == ".trace";
  // A driver fuzz target's input is a schedule for its driver, not a program:
  // only the target replays it.
  if (!is_trace && o.profile.empty())
    for (const auto& part : path)
      for (const std::string& d : DriverFuzzers())
        if (part == d) {
          std::fprintf(stderr, "%s: an input of the driver fuzz target %s: replay it with that target "
                       "(DDIMAP_FUZZ_TRACE=1 build/<preset>/harnesses/%s FILE, docs/driver-fuzzing.md)\n",
                       path.c_str(), d.c_str(), d.c_str());
          return 2;
        }
  Program p;
  std::string profile = ProfileFor(path, o);
  if (is_trace) {
    ParseError err;
    if (!ParseTrace(data, &p, &err)) {
      std::fprintf(stderr, "%s:%d:%d: %s\n", path.c_str(), err.line, err.column, err.expected.c_str());
      return 2;
    }
  } else {
    ParseError err;
    if (!ReadInput(data, ProfileByName(profile), &p, &err)) {
      std::fprintf(stderr, "%s:%d:%d: %s\n", path.c_str(), err.line, err.column, err.expected.c_str());
      return 2;
    }
  }
  RunOptions ro;
  ro.oracle = o.oracle;
  ro.check_expectations = is_trace;
  ro.stop_at_report = o.stop_at_report;
  ro.log = true;
  RunResult r = Run(p, ro);
  if (o.sarif_log) o.sarif_log->Add(path.string(), p, r);
  reach->rules |= r.rules;
  for (const auto& [id, ret] : r.outcomes)
    if (int i = StatusIndex(id, ret); i >= 0) reach->statuses[static_cast<std::size_t>(i)] = true;
  for (std::size_t i = 0; i < r.log.size() && i < p.size(); ++i) {
    const CallLog& l = r.log[i];
    std::string key = std::string(Call(p[i].id).name) + " ";
    if (!l.rules.empty()) {
      for (RuleId rule : l.rules) key += "!" + std::string(RuleName(rule));
    } else if (int si = StatusIndex(p[i].id, l.outcome.ret); si >= 0) {
      key += std::string(DocumentedStatuses()[static_cast<std::size_t>(si)].name);
    } else {
      key += l.outcome.ret == 0 ? "zero" : "nonzero";
    }
    reach->pairs.insert(std::move(key));
  }
  std::string out = "# " + path.string() + " (" + (is_trace ? "trace" : "binary, " + profile) + ", " +
                    std::to_string(p.size()) + " calls)\n";
  PrintOptions po;
  po.expect = o.expect;
  out += FormatReplay(p, r, po);
  // Under policy=abort a report ends the run as it would end the driver's
  // process: a crash to reproduce, so the input fails.
  bool failed = r.failure != RunResult::None || r.aborted_at != 0;
  if (!o.quiet || failed) std::fputs(out.c_str(), stdout);
  if (failed) {
    std::string text;
    if (r.failure != RunResult::None && r.failure != RunResult::Expectation)
      text += "ERROR: ddimap-repro: " + path.string() + ": " + FailureKind(r.failure) + "\n" + r.message + "\n";
    if (r.aborted_at != 0)
      text += "ERROR: ddimap-repro: " + path.string() + ": policy=abort: the report of #" +
              std::to_string(r.aborted_at) + " ends the run\n";
    // Every failed expectation, where the trace states it.
    if (!r.expectation_failures.empty())
      text += "ERROR: ddimap-repro: " + path.string() + ": " + std::to_string(r.expectation_failures.size()) +
              " expectation(s) failed\n";
    for (const ExpectationFailure& f : r.expectation_failures)
      text += path.string() + ":" + std::to_string(f.line) + ": expectation failed: " + f.message + "\n";
    if (r.failure != RunResult::None) text += "SIGNATURE: " + r.signature + "\n";
    if (o.expect) {
      std::string commented;
      std::size_t b = 0;
      while (b < text.size()) {
        std::size_t e = text.find('\n', b);
        commented += "# " + text.substr(b, e - b) + "\n";
        b = e + 1;
      }
      text = commented;
    }
    std::fputs(text.c_str(), stdout);
    return 1;
  }
  return 0;
}

// What the reach statistics count: only what the profile can reach. fuzz_all,
// every rule; a family harness, its family's rules except UNMAP_OTHER_FAMILY
// (which needs a second family), plus COMMON when it has pointer parameters
// and, with KeSetIrql, MACHINE. NdisMMapIoSpace's NDIS_STATUS_RESOURCES needs
// the system region filled by another family, so it too counts in fuzz_all
// only. ACCESS rules need several families' mappings, so only fuzz_all counts them.
// A rule that is a call's IRQL rule (calls.def DDIMAP_IRQL) counts only where
// one of its calls is in the profile: COMMON.PAGED_CODE_IRQL belongs to PAGED_CODE,
// which no family harness issues.
struct Totals {
  std::string profile;
  std::size_t rules = 0, rules_total = 0, statuses = 0, statuses_total = 0;
  std::vector<std::string> missing;  // "rule not reached: X" / "status not reached: Y"
};

Totals Count(const Reach& reach, const std::string& profile) {
  const Profile& prof = ProfileByName(profile.empty() ? "fuzz_all" : profile);
  bool all = prof.name == "fuzz_all" || prof.name == "fuzz_trace";
  auto own = [&](Family f) {
    for (CallId id : prof.calls)
      if (Call(id).family == f && f != Family::Access) return true;
    return false;
  };
  auto relevant = [&](const RuleInfo& r) {
    if (all) return true;
    bool irql_rule = false, irql_call_allowed = false;
    for (const CallDesc& c : AllCalls())
      if (c.max_irql && c.irql_rule == r.id) {
        irql_rule = true;
        irql_call_allowed = irql_call_allowed || prof.Allows(c.id);
      }
    if (irql_rule && !irql_call_allowed) return false;
    if (r.family == Family::Machine) return prof.Allows(CallId::SetIrql);
    if (r.family == Family::Common) {
      for (CallId id : prof.calls)
        for (int i = 0; i < Call(id).param_count; ++i)
          if (IsPointerKind(Call(id).params[i].kind)) return true;
      return false;
    }
    return own(r.family) && r.name.find("UNMAP_OTHER_FAMILY") == std::string_view::npos;
  };
  auto status_relevant = [&](std::size_t i) {
    const StatusEntry& e = DocumentedStatuses()[i];
    if (!prof.Allows(e.id)) return false;
    return all || !(e.id == CallId::NdisMMapIoSpace && e.value == kNdisStatusResources);
  };
  Totals t;
  t.profile = prof.name;
  for (const auto& rule : AllRules()) {
    if (!relevant(rule)) continue;
    ++t.rules_total;
    if (reach.rules.test(static_cast<std::size_t>(rule.id)))
      ++t.rules;
    else
      t.missing.push_back("rule not reached: " + std::string(rule.name));
  }
  for (std::size_t i = 0; i < reach.statuses.size(); ++i) {
    if (!status_relevant(i)) continue;
    ++t.statuses_total;
    if (reach.statuses[i])
      ++t.statuses;
    else
      t.missing.push_back("status not reached: " + std::string(DocumentedStatuses()[i].name));
  }
  return t;
}

// --list-harnesses[=FILTER]: the names of harnesses.def, then the driver fuzz
// targets built beside this binary (driver_fuzzers.txt, written by CMake from
// ddimap_add_driver_fuzzer), for CMake's tests and every script (ci/, bench/,
// the OSS-Fuzz build). Driver targets take binary inputs and have no reach
// measurement; "driver" lists them alone.
int ListHarnesses(std::string_view filter) {
  if (filter != "" && filter != "binary" && filter != "text" && filter != "reach" && filter != "driver") {
    std::fprintf(stderr, "ddimap-repro: --list-harnesses takes binary, text, reach or driver, not '%.*s'\n",
                 static_cast<int>(filter.size()), filter.data());
    return 2;
  }
  if (filter != "driver")
    for (const Profile& p : AllProfiles())
      if (filter == "" || (filter == "binary" && p.input == HarnessInput::Binary) ||
          (filter == "text" && p.input == HarnessInput::Text) || (filter == "reach" && p.reach))
        std::printf("%s\n", p.name.c_str());
  if (filter == "" || filter == "binary" || filter == "driver")
    for (const std::string& name : DriverFuzzers()) std::printf("%s\n", name.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "ddimap-repro: %s needs a value\n", name);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    } else if (a == "--profile") {
      o.profile = value("--profile");
      bool known = false;
      for (const auto& p : AllProfiles()) known |= p.name == o.profile;
      for (const std::string& d : DriverFuzzers())
        if (d == o.profile) {
          std::fprintf(stderr, "ddimap-repro: %s is a driver fuzz target: its inputs replay with the target itself "
                       "(docs/driver-fuzzing.md)\n", d.c_str());
          return 2;
        }
      if (!known) {
        std::fprintf(stderr, "ddimap-repro: unknown profile '%s' (see --help)\n", o.profile.c_str());
        return 2;
      }
    } else if (a == "--list-harnesses" || a.starts_with("--list-harnesses=")) {
      return ListHarnesses(a == "--list-harnesses" ? "" : std::string_view(a).substr(17));
    } else if (a == "--no-oracle") {
      o.oracle = false;
    } else if (a == "--expect") {
      o.expect = true;
    } else if (a == "--quiet") {
      o.quiet = true;
    } else if (a == "--stats") {
      o.stats = true;
    } else if (a == "--reach-log") {
      o.reach_log = true;
    } else if (a == "--emit-binary") {
      o.emit_binary = value("--emit-binary");
    } else if (a == "--sarif") {
      o.sarif = value("--sarif");
    } else if (a == "--classify") {
      std::string log;
      const std::string path = value("--classify");
      if (!ReadFile(path, &log)) {
        std::fprintf(stderr, "%s: cannot read file\n", path.c_str());
        return 2;
      }
      const std::string sig = ClassifyCrashLog(log);
      if (!sig.empty()) std::printf("%s\n", sig.c_str());
      return 0;
    } else if (a == "--minimize") {
      o.minimize = true;
    } else if (a == "-o" || a == "--output") {
      o.min.out_trace = value("-o");
    } else if (a == "--max-runs" || a == "--max-seconds") {
      std::string v = value(a.c_str());
      char* end = nullptr;
      unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || v[0] == '-') {
        std::fprintf(stderr, "ddimap-repro: %s needs a whole number, got '%s'\n", a.c_str(), v.c_str());
        return 2;
      }
      if (a == "--max-runs") o.min.options.max_runs = n;
      else o.min.options.max_time = std::chrono::seconds(n);
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "ddimap-repro: unknown option '%s' (see --help)\n", a.c_str());
      return 2;
    } else {
      o.inputs.push_back(a);
    }
  }
  if (o.inputs.empty()) {
    std::fputs(kHelp, stderr);
    return 2;
  }
  if (o.minimize) {
    if (o.inputs.size() != 1) {
      std::fprintf(stderr, "ddimap-repro: --minimize takes exactly one input\n");
      return 2;
    }
    o.min.input = o.inputs[0];
    o.min.profile = ProfileFor(o.inputs[0], o);
    o.min.out_binary = o.emit_binary;
    o.min.options.run.oracle = o.oracle;
    return RunMinimizeCommand(o.min);
  }
  if (!o.emit_binary.empty()) {
    if (o.inputs.size() != 1) {
      std::fprintf(stderr, "ddimap-repro: --emit-binary takes exactly one trace\n");
      return 2;
    }
    std::string text;
    if (!ReadFile(o.inputs[0], &text)) {
      std::fprintf(stderr, "%s: cannot read file\n", o.inputs[0].c_str());
      return 2;
    }
    Program p;
    ParseError err;
    if (!ParseTrace(text, &p, &err)) {
      std::fprintf(stderr, "%s:%d:%d: %s\n", o.inputs[0].c_str(), err.line, err.column, err.expected.c_str());
      return 2;
    }
    std::vector<std::uint8_t> bytes;
    std::string why;
    if (!WriteInput(p, &bytes, &why)) {
      std::fprintf(stderr, "%s: %s\n", o.inputs[0].c_str(), why.c_str());
      return 2;
    }
    std::ofstream out(o.emit_binary, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return out ? 0 : 2;
  }
  // DDIMAP_OPTIONS as the C API's machine reads it; of its items only the
  // policy changes a replay (the harness world sets the rest).
  if (const char* env = std::getenv("DDIMAP_OPTIONS")) {
    MachineOptions mo;
    OptionsError err;
    if (!ParseOptions(env, &mo, &err)) {
      std::fprintf(stderr, "%s\n", FormatOptionsError(err).c_str());
      return 2;
    }
    o.stop_at_report = mo.policy == Policy::Abort;
  }
  int status = 0, ran = 0, failed = 0;
  Reach reach;
  SarifLog sarif_log;
  if (!o.sarif.empty()) o.sarif_log = &sarif_log;
  for (const auto& in : o.inputs) {
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(in))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(in);
    }
    for (const auto& f : files) {
      int s = Replay(f, o, &reach);
      ++ran;
      if (o.reach_log) {
        Totals t = Count(reach, o.profile);
        std::printf("# reach-log %s rules %zu/%zu statuses %zu/%zu pairs %zu\n", f.c_str(), t.rules, t.rules_total,
                    t.statuses, t.statuses_total, reach.pairs.size());
      }
      if (s != 0) ++failed;
      status = std::max(status, s);
    }
  }
  std::printf("# ddimap-repro: %d input(s), %d passed, %d failed\n", ran, ran - failed, failed);
  if (std::string why; o.sarif_log && !sarif_log.Write(o.sarif, SarifOptionsFromEnvironment(), &why)) {
    std::fprintf(stderr, "ddimap-repro: --sarif %s\n", why.c_str());
    status = 2;
  }
  if (o.stats) {
    Totals t = Count(reach, o.profile);
    std::printf("# reach (%s): rules %zu/%zu, statuses %zu/%zu\n", t.profile.c_str(), t.rules, t.rules_total,
                t.statuses, t.statuses_total);
    for (const std::string& m : t.missing) std::printf("# %s\n", m.c_str());
  }
  return status;
}
