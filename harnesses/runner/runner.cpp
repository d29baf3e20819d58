#include "runner/runner.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <span>
#include <tuple>

#include "oracle/oracle.hpp"
#include "program/codec.hpp"
#include "program/execute.hpp"
#include "program/trace.hpp"
#include "program/world.hpp"
#include "runner/expect.hpp"
#include "runner/state_coverage.hpp"

namespace ddimap::harness {

// Both sides offer every call of the table with the signature its row implies
// (a missing or mistyped method is a compile error here, not a mismatch at run time).
static_assert(harness::CallSurface<Machine>, "ddimap::Machine lacks a call of calls.def, or its signature differs");
static_assert(harness::CallSurface<oracle::Model>, "oracle::Model lacks a call of calls.def, or its signature differs");
namespace {

// For the checks run after every call: they compare the core with the oracle,
// not anything with the input, so their comparisons give a fuzzer nothing to
// work with, and coverage instrumentation costs a hook per comparison. Not
// inlined: in an instrumented caller they would be instrumented after all.
#if defined(__clang__)
#define DDIMAP_NO_COVERAGE __attribute__((no_sanitize("coverage"), noinline))
#else
#define DDIMAP_NO_COVERAGE
#endif

std::string Hex(u64 v) { return FormatValue(ArgKind::Value, v); }

std::string RuleList(const std::vector<RuleId>& rules) {
  if (rules.empty()) return "(none)";
  std::string out;
  for (RuleId r : rules) out += (out.empty() ? "" : " ") + std::string(RuleName(r));
  return out;
}

std::string DescribeOutcome(CallId id, const Outcome& o, const std::vector<RuleId>& rules) {
  const CallDesc& d = Call(id);
  std::string out = "result " + FormatResult(id, o.ret);
  for (int i = 0; i < d.param_count; ++i)
    if (HasOutValue(d.params[i].kind))
      out += ", " + std::string(d.params[i].name) + "=" + Hex(o.out[i]);
  return out + "; rules " + RuleList(rules);
}

DDIMAP_NO_COVERAGE std::string CompareMappings(const std::vector<const MappingView*>& core,
                                                const oracle::Model& oracle) {
  std::size_t n = std::max(core.size(), oracle.live_mapping_count());
  for (std::size_t i = 0; i < n; ++i) {
    if (i >= core.size()) return "oracle has an extra live mapping: " + Describe(oracle.LiveMapping(i));
    if (i >= oracle.live_mapping_count()) return "core has an extra live mapping: " + Describe(*core[i]);
    const MappingView o = oracle.LiveMapping(i);
    if (!(*core[i] == o))
      return "live mapping " + std::to_string(i) + " differs:\n  core:   " + Describe(*core[i]) +
             "\n  oracle: " + Describe(o);
  }
  return {};
}

DDIMAP_NO_COVERAGE bool SameOutcome(const Outcome& a, const Outcome& b) {
  return a.ret == b.ret && a.out == b.out && a.made == b.made;
}

// Which part of an outcome differs first: result, an out-parameter by name, or rules.
std::string DifferingField(CallId id, const Outcome& a, const Outcome& b, bool rules_differ) {
  if (a.ret != b.ret) return "result";
  const CallDesc& d = Call(id);
  for (int i = 0; i < d.param_count; ++i)
    if (a.out[i] != b.out[i]) return std::string(d.params[i].name);
  if (a.made != b.made) return "made";
  return rules_differ ? "rules" : "mappings";
}

// The first line of a self-check message without its addresses, so that one
// bug gives one signature.
std::string Stable(std::string s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "0x") == 0) {
      out += "0x?";
      i += 2;
      while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) ++i;
      --i;
    } else if (s[i] == '\n') {
      break;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<RuleId> Sorted(std::vector<RuleId> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Buffers Run reuses from one program to the next on this thread, so that the
// checks after every call allocate nothing once warm (under ASan an allocation
// costs more than the call it checks). Each use clears or overwrites a buffer
// first: no run sees what an earlier one left in it.
struct Scratch {
  std::vector<u64> made;  // by result number, as the core made them
  std::vector<RuleId> crules, mrules, sorted_a, sorted_b;
  std::vector<oracle::Evidence> mreports, evidence_a, evidence_b;  // the oracle's reports; sorting
  std::vector<const MappingView*> core_live;
  std::optional<Machine> core;
  std::optional<oracle::Model> model;
  StateCoverage states;
};

Scratch& ThreadScratch() {
  static thread_local Scratch s;
  return s;
}

// The same rules in any order. Most calls report none or one, in the same
// order on both sides, so sorting is rarely needed.
DDIMAP_NO_COVERAGE bool SameRules(const std::vector<RuleId>& a, const std::vector<RuleId>& b, Scratch& s) {
  if (a.size() != b.size()) return false;
  if (a == b) return true;
  s.sorted_a.assign(a.begin(), a.end());
  s.sorted_b.assign(b.begin(), b.end());
  std::sort(s.sorted_a.begin(), s.sorted_a.end());
  std::sort(s.sorted_b.begin(), s.sorted_b.end());
  return s.sorted_a == s.sorted_b;
}

// What a core report names besides its rule, as the oracle says it (the bug check is the rule's).
oracle::Evidence EvidenceOf(const Report& r) {
  return {r.rule, r.has_created, r.has_released, r.has_created ? r.created.seq : 0,
          r.has_released ? r.released.seq : 0};
}

bool EvidenceLess(const oracle::Evidence& a, const oracle::Evidence& b) {
  auto key = [](const oracle::Evidence& e) {
    return std::tuple(e.rule, e.has_created, e.created, e.has_released, e.released);
  };
  return key(a) < key(b);
}

// The reports core[from..] and the oracle's name the same calls, report by report, in any order
// (the rules are already the same). Most calls report nothing: no work then.
DDIMAP_NO_COVERAGE bool SameEvidence(const std::vector<Report>& core, std::size_t from,
                                     const std::vector<oracle::Evidence>& model, Scratch& s) {
  if (core.size() - from != model.size()) return false;
  bool in_order = true;
  for (std::size_t i = 0; i < model.size() && in_order; ++i) in_order = EvidenceOf(core[from + i]) == model[i];
  if (in_order) return true;
  s.evidence_a.clear();
  for (std::size_t i = from; i < core.size(); ++i) s.evidence_a.push_back(EvidenceOf(core[i]));
  s.evidence_b.assign(model.begin(), model.end());
  std::sort(s.evidence_a.begin(), s.evidence_a.end(), EvidenceLess);
  std::sort(s.evidence_b.begin(), s.evidence_b.end(), EvidenceLess);
  return s.evidence_a == s.evidence_b;
}

// "MM_IO.UNMAP_DOUBLE created #1 released #2; ..." for a mismatch message.
std::string EvidenceList(const std::vector<oracle::Evidence>& reports) {
  if (reports.empty()) return "(none)";
  auto call = [](bool has, u64 seq) { return has ? "#" + std::to_string(seq) : std::string("(none)"); };
  std::string out;
  for (const auto& e : reports)
    out += (out.empty() ? "" : "; ") + std::string(RuleName(e.rule)) + " created " + call(e.has_created, e.created) +
           " released " + call(e.has_released, e.released);
  return out;
}

}  // namespace

MachineOptions HarnessMachineOptions() {
  MachineOptions o;
  o.max_recorded_reports = 1u << 20;
  // Small limits, so that what happens at a limit takes a few calls, not
  // hundreds: a fuzzer strings together ten calls, rarely a hundred.
  // 8 pseudo pages: umdf0's two BARs and umdf1's fit at once, and one
  // map/unmap cycle fills the rest with quarantined extents, so E_OUTOFMEMORY
  // is a handful of calls away.
  o.pseudo_region_size = 0x8000;
  // A system region of 4 GiB and two pages: one 4-GiB mapping (or two of
  // 2 GiB) fills it, so the no-virtual-space statuses (NdisMMapIoSpace
  // NDIS_STATUS_RESOURCES, MmMapIoSpace NULL) are a call or two away; 16 TiB
  // took one exact 8-byte length.
  o.system_region_size = 0x100002000;
  // 8 released mappings remembered (the core's default is 256): the ninth
  // release evicts the oldest, so eviction is a dozen calls away.
  o.quarantine_capacity = 8;
  // 4 open files (default 64): the fifth NdisOpenFile in one
  // MiniportInitializeEx is NDIS_STATUS_RESOURCES.
  o.max_open_files = 4;
  return o;
}

MachineOptions WorldMachineOptions(const World& w) {
  MachineOptions o = HarnessMachineOptions();
  if (w.quarantine) o.quarantine_capacity = *w.quarantine;
  if (w.max_open_files) o.max_open_files = *w.max_open_files;
  return o;
}

namespace {

// The standard world, built once per process on each side; every run starts
// from a copy. A copy is the same state a fresh build would give (the world's
// build is deterministic), at a fraction of the cost: building it was about a
// fifth of a fuzz_all execution.
template <typename Target>
const Target& BuiltWorld() {
  static const Target world = [] {
    Target t(HarnessMachineOptions());
    BuildWorld(t);
    return t;
  }();
  return world;
}

}  // namespace

RunResult Run(const Program& p, const RunOptions& options) {
  RunResult res;
  RunInto(p, options, &res);
  return res;
}

void RunInto(const Program& p, const RunOptions& options, RunResult* out) {
  RunResult& res = *out;
  res.failure = RunResult::None;
  res.message.clear();
  res.signature.clear();
  res.failed_call = 0;
  res.expectation_failures.clear();
  res.ran = 0;
  res.aborted_at = 0;
  res.log.clear();
  res.torn_down = false;
  res.teardown = CallLog{};
  res.rules.reset();
  res.outcomes.clear();
  res.outcomes.reserve(p.size());
  Scratch& scratch = ThreadScratch();
  // Assigning over the previous run's machine and model reuses their storage;
  // the state is the world's, member for member.
  if (options.own_world) {
    scratch.core.emplace(*options.own_world);
  } else if (p.world) {  // a trace's own world: built for this run
    scratch.core.emplace(WorldMachineOptions(*p.world));
    BuildWorld(*scratch.core, *p.world);
  } else if (scratch.core)
    *scratch.core = BuiltWorld<Machine>();
  else
    scratch.core.emplace(BuiltWorld<Machine>());
  Machine& core = *scratch.core;
  // Report texts only when a log shows them: a fuzz run compares rules.
  core.SetEvidence(options.log);
  oracle::Model* model = nullptr;
  if (options.oracle) {
    if (options.own_world) {
      scratch.model.emplace(*options.own_world);
    } else if (p.world) {
      scratch.model.emplace(WorldMachineOptions(*p.world));
      BuildWorld(*scratch.model, *p.world);
    } else if (scratch.model)
      *scratch.model = BuiltWorld<oracle::Model>();
    else
      scratch.model.emplace(BuiltWorld<oracle::Model>());
    model = &*scratch.model;
  }
  core.StartProgram();
  if (model) model->StartProgram();
  std::size_t seen = core.reports().size();
  if (model) model->TakeReports(&scratch.mreports);
  std::vector<u64>& made = scratch.made;
  made.clear();
  std::vector<RuleId>& crules = scratch.crules;
  std::vector<RuleId>& mrules = scratch.mrules;

  auto take_core_rules = [&](CallLog* entry) {
    crules.clear();
    const auto& reps = core.reports();
    for (std::size_t i = seen; i < reps.size(); ++i) {
      crules.push_back(reps[i].rule);
      res.rules.set(static_cast<std::size_t>(reps[i].rule));
      if (entry) {
        entry->reports.push_back(core.FormatReport(reps[i]));
        entry->records.push_back(reps[i]);
      }
    }
    seen = reps.size();
  };
  // The oracle's reports since the last take: their rules into mrules, all of them in mreports.
  auto take_model_reports = [&] {
    model->TakeReports(&scratch.mreports);
    mrules.clear();
    for (const auto& e : scratch.mreports) mrules.push_back(e.rule);
  };
  // Once the rules agree: empty when both sides' reports of the last call (the core's are
  // core.reports()[first..]) name the same calls, else the mismatch message, both sides printed.
  // `line` names the call; it is called only for the message (building it allocates).
  auto evidence_mismatch = [&](std::size_t first, auto&& line) -> std::string {
    if (SameEvidence(core.reports(), first, scratch.mreports, scratch)) return {};
    std::vector<oracle::Evidence> core_side;
    for (std::size_t i = first; i < core.reports().size(); ++i) core_side.push_back(EvidenceOf(core.reports()[i]));
    return "core and oracle disagree on the evidence of " + line() + "\n  core:   " + EvidenceList(core_side) +
           "\n  oracle: " + EvidenceList(scratch.mreports);
  };
  auto fail = [&](RunResult::Failure f, std::size_t call, std::string msg) {
    res.failure = f;
    res.failed_call = call;
    res.message = std::move(msg);
  };

  scratch.states.Reset();
  u64 core_changes = core.mapping_changes();
  u64 model_changes = model ? model->mapping_changes() : 0;
  // Both return false after filing a failure; `line` names the call after
  // which they ran.
  std::size_t at = 0;  // the call number for a failure (0: at the end)
  auto check_mappings = [&](auto&& line) {
    core.LiveMappings(&scratch.core_live);
    std::string diff = CompareMappings(scratch.core_live, *model);
    if (diff.empty()) return true;
    res.signature = "oracle-mismatch " + std::string(at ? Call(p[at - 1].id).name : "end") + " mappings";
    fail(RunResult::Mismatch, at, "after " + line() + ": " + diff);
    return false;
  };
  auto check_invariants = [&](auto&& line) {
    std::string inv = core.CheckInvariants();
    if (inv.empty()) return true;
    res.signature = "self-check " + std::string(at ? Call(p[at - 1].id).name : "end") + ": " + Stable(inv);
    fail(RunResult::SelfCheck, at, "self-check failed after " + line() + ": " + inv);
    return false;
  };

  for (std::size_t n = 0; n < p.size() && res.failure == RunResult::None; ++n) {
    at = n + 1;
    const Op& op = p[n];
    const CallDesc& d = Call(op.id);
    ConcreteCall c{op.id, {}, op.null_mask, op.file_name};
    for (int i = 0; i < d.param_count; ++i) {
      const Arg& a = op.args[i];
      c.args[i] = a.kind == Arg::Ref ? (a.value < made.size() ? made[a.value] : 0) + a.delta : a.value;
    }
    const std::size_t first_report = seen;  // this call's reports are core.reports()[first_report, seen)
    Outcome co = Execute(core, c);
    res.ran = n + 1;
    CallLog* entry = options.log ? &res.log.emplace_back() : nullptr;
    take_core_rules(entry);
    if (MadeResource(op.id) != Resource::None) made.push_back(co.made);
    res.outcomes.emplace_back(op.id, co.ret);
    std::string line;
    auto op_line = [&]() {
      if (line.empty()) {
        int r = MadeResource(op.id) != Resource::None ? static_cast<int>(made.size()) - 1 : -1;
        Op shown = op;
        shown.expect = {};
        line = "#" + std::to_string(n + 1) + " " + FormatOp(shown, r);
      }
      return line;
    };
    if (entry) {
      entry->line = op_line();
      entry->outcome = co;
      entry->rules = crules;
    }
    if (model) {
      Outcome mo = Execute(*model, c);
      take_model_reports();
      const bool rules_differ = !SameRules(crules, mrules, scratch);
      if (!SameOutcome(co, mo) || rules_differ) {
        std::string field = DifferingField(op.id, co, mo, rules_differ);
        res.signature = "oracle-mismatch " + std::string(d.name) + " " + field;
        if (field == "rules")
          res.signature += " core=" + RuleList(Sorted(crules)) + " oracle=" + RuleList(Sorted(mrules));
        fail(RunResult::Mismatch, n + 1,
             "core and oracle disagree on " + op_line() + "\n  core:   " + DescribeOutcome(op.id, co, crules) +
                 "\n  oracle: " + DescribeOutcome(op.id, mo, mrules));
        break;
      }
      if (!crules.empty()) {  // (no report on either side: nothing to compare)
        std::string why = evidence_mismatch(first_report, op_line);
        if (!why.empty()) {
          res.signature = "oracle-mismatch " + std::string(d.name) + " evidence";
          fail(RunResult::Mismatch, n + 1, std::move(why));
          break;
        }
      }
      // Most calls (all refused ones) create and release nothing on either
      // side: the live mappings are then the ones already compared.
      if (core.mapping_changes() != core_changes || model->mapping_changes() != model_changes) {
        if (!check_mappings(op_line)) break;
      }
    }
    if (core.mapping_changes() != core_changes) {
      if (!check_invariants(op_line)) break;
      if (!model) core.LiveMappings(&scratch.core_live);  // else check_mappings took them
      scratch.states.MappingsChanged(scratch.core_live);
    }
    scratch.states.AfterCall(op.id, c.args.data(), co.ret, core,
                             model ? model->quarantined_count() : core.quarantined_count());
    core_changes = core.mapping_changes();
    if (model) model_changes = model->mapping_changes();
    if (options.check_expectations) {
      std::string why = CheckExpectation(op.expect, op.id, &co,
                                         std::span(core.reports()).subspan(first_report, seen - first_report));
      if (!why.empty()) res.expectation_failures.push_back({n + 1, op.line, op_line() + ": " + why});
    }
    if (options.after_call && res.failure == RunResult::None) {
      std::string why = options.after_call(n + 1, core, model);
      if (!why.empty()) {
        res.signature = "oracle-mismatch " + std::string(d.name) + " after-call";
        fail(RunResult::Mismatch, n + 1, "after " + op_line() + ": " + why);
      }
    }
    if (options.stop_at_report && !crules.empty() && res.failure == RunResult::None) {
      res.aborted_at = n + 1;
      break;
    }
  }
  // The first failed expectation names the failure, unless something worse
  // stopped the run; the message lists them all.
  auto expectations_failed = [&] {
    if (res.failure != RunResult::None || res.expectation_failures.empty()) return;
    const ExpectationFailure& first = res.expectation_failures.front();
    std::string all;
    for (const auto& f : res.expectation_failures) all += (all.empty() ? "" : "\n") + f.message;
    res.signature = "expectation " + std::string(first.call ? Call(p[first.call - 1].id).name : "teardown");
    fail(RunResult::Expectation, first.call, std::move(all));
  };
  if (res.aborted_at != 0) {  // the process died there: no final checks, no teardown
    if (options.check_expectations && p.teardown.check_rules)
      res.expectation_failures.push_back({0, p.teardown_line, "teardown: the teardown did not run (policy=abort)"});
    expectations_failed();
    return;
  }

  // Once more before the teardown, whatever the last call: a bookkeeping
  // error that no mapping change exposed would show here.
  if (res.failure == RunResult::None) {
    at = 0;
    auto last = [] { return std::string("the last call"); };
    if (model) check_mappings(last);
    if (res.failure == RunResult::None) check_invariants(last);
  }
  core.Teardown();
  CallLog end;
  const std::size_t first_report = seen;
  take_core_rules(options.log ? &end : nullptr);
  if (options.check_expectations && p.teardown.check_rules) {
    std::string why = CheckExpectation(p.teardown, std::nullopt, nullptr,
                                       std::span(core.reports()).subspan(first_report, seen - first_report));
    if (!why.empty()) res.expectation_failures.push_back({0, p.teardown_line, "teardown: " + why});
  }
  if (model && res.failure == RunResult::None) {
    model->Teardown();
    take_model_reports();
    if (!SameRules(crules, mrules, scratch)) {
      res.signature = "oracle-mismatch teardown rules";
      fail(RunResult::Mismatch, 0,
           "core and oracle disagree at teardown\n  core:   rules " + RuleList(crules) + "\n  oracle: rules " +
               RuleList(mrules));
    } else if (std::string why = evidence_mismatch(first_report, [] { return std::string("the teardown"); });
               !why.empty()) {
      res.signature = "oracle-mismatch teardown evidence";
      fail(RunResult::Mismatch, 0, std::move(why));
    } else if (core.live_mapping_count() != 0 || model->live_mapping_count() != 0) {
      res.signature = "self-check teardown mappings";
      fail(RunResult::SelfCheck, 0, "mappings survive teardown");
    }
  }
  if (res.failure == RunResult::None && (core.touched_page_count() != 0 || core.quarantined_count() != 0)) {
    res.signature = "self-check teardown residue";
    fail(RunResult::SelfCheck, 0, "the core holds device pages or quarantined mappings after teardown");
  }
  res.torn_down = true;
  if (options.log) {
    end.line = "# teardown";
    end.rules = crules;
    res.teardown = std::move(end);
  }
  expectations_failed();
}

}  // namespace ddimap::harness
