#include "repro/minimize.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "program/codec.hpp"
#include "program/input.hpp"
#include "program/trace.hpp"
#include "repro/print.hpp"

namespace ddimap::harness {
namespace {

using Clock = std::chrono::steady_clock;

// Handles name objects of the world or made resources: 0 is no simpler a
// handle than nic0, so they are left as they are. Out-pointers carry no value.
bool HasSimplerValues(ArgKind k) {
  switch (k) {
    case ArgKind::None:
    case ArgKind::Adapter:
    case ArgKind::WdmDevice:
    case ArgKind::UmdfDevice:
    case ArgKind::File:
    case ArgKind::Video:
    case ArgKind::Process:
    case ArgKind::AnyObject:
    case ArgKind::InOutVirtAddr:
    case ArgKind::OutPtr:
    case ArgKind::OutResource:
    case ArgKind::InPtr:
    case ArgKind::OutPhysAddr:
    case ArgKind::FileName:
    case ArgKind::Buffer:
      return false;
    default:
      return true;
  }
}

// Values simpler than v, simplest first: 0, 1, the highest power of two not
// above v, then v rounded down to ever finer multiples of 16^k.
std::vector<u64> SimplerValues(u64 v) {
  std::vector<u64> out;
  auto add = [&](u64 c) {
    if (c < v && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  add(0);
  add(1);
  if (v != 0) add(std::bit_floor(v));
  for (int shift = 60; shift >= 4; shift -= 4) add(v & ~((u64{1} << shift) - 1));
  return out;
}

class Minimizer {
 public:
  explicit Minimizer(const MinimizeOptions& o) : o_(o), start_(Clock::now()) {}

  MinimizeResult Go(const Program& p) {
    res_.program = p;
    if (!Budget()) return res_;
    RunResult r = Run(p, RunFor());
    ++res_.runs;
    if (r.failure == RunResult::None) return res_;
    res_.failed = true;
    res_.signature = r.signature;
    for (std::size_t i = 0; i < p.size(); ++i) origin_.push_back(i);
    failed_origin_ = OriginOf(r.failed_call, origin_);
    // Args can make calls droppable (a simpler value that no longer needs
    // an earlier call), so calls are dropped once more after them.
    DropCallPass();
    if (SimplifyArgPass()) DropCallPass();
    return res_;
  }

 private:
  RunOptions RunFor() const {
    RunOptions r = o_.run;
    r.log = false;
    return r;
  }

  bool Budget() {
    if (res_.runs >= o_.max_runs ||
        (o_.max_time.count() > 0 && Clock::now() - start_ >= o_.max_time)) {
      res_.bounded = true;
      return false;
    }
    return true;
  }

  // The input's op that a 1-based failed_call is (SIZE_MAX: the world or teardown).
  static std::size_t OriginOf(std::size_t failed_call, const std::vector<std::size_t>& origin) {
    return failed_call == 0 || failed_call > origin.size() ? SIZE_MAX : origin[failed_call - 1];
  }

  // The candidate fails with the signature at the same call of the input (a
  // coarse signature such as "expectation MmUnmapIoSpace" would otherwise
  // let another call's failure stand in for it), and prints (and encodes)
  // back to itself. `origin` maps its ops to the input's.
  bool Holds(const Program& c, const std::vector<std::size_t>& origin) {
    Program parsed;
    ParseError err;
    if (!ParseTrace(FormatProgram(c), &parsed, &err) || !(parsed == c)) return false;
    if (o_.need_binary) {
      std::vector<std::uint8_t> bytes;
      std::string why;
      if (!Encode(c, &bytes, &why)) return false;
    }
    RunResult r = Run(c, RunFor());
    ++res_.runs;
    return r.failure != RunResult::None && r.signature == res_.signature &&
           OriginOf(r.failed_call, origin) == failed_origin_;
  }

  void DropCallPass() {
    bool changed = true;
    while (changed && !res_.bounded) {
      changed = false;
      const std::size_t n = res_.program.size();
      for (std::size_t chunk = std::max<std::size_t>(n / 2, 1); chunk >= 1 && !res_.bounded; chunk /= 2) {
        for (std::size_t end = res_.program.size(); end > 0 && Budget();) {
          const std::size_t begin = end >= chunk ? end - chunk : 0;
          std::vector<bool> drop(res_.program.size(), false);
          std::fill(drop.begin() + static_cast<std::ptrdiff_t>(begin), drop.begin() + static_cast<std::ptrdiff_t>(end),
                    true);
          Program c = DropCalls(res_.program, drop);
          std::vector<std::size_t> origin;
          for (std::size_t i = 0; i < drop.size(); ++i)
            if (!drop[i]) origin.push_back(origin_[i]);
          if (Holds(c, origin)) {
            res_.calls_dropped += end - begin;
            res_.program = std::move(c);
            origin_ = std::move(origin);
            changed = true;
          }
          end = begin;
        }
      }
    }
  }

  // One change per argument at most: the simplest candidate that holds.
  bool SimplifyArgPass() {
    bool any = false;
    for (std::size_t i = 0; i < res_.program.size(); ++i) {
      const CallDesc& d = Call(res_.program[i].id);
      for (int j = 0; j < d.param_count && !res_.bounded; ++j) {
        const ArgKind k = d.params[j].kind;
        std::vector<Op> cands;
        const Op& op = res_.program[i];
        const Arg& a = op.args[j];
        if (IsPointerKind(k) && ((op.null_mask >> j) & 1)) {
          Op c = op;
          c.null_mask = static_cast<u8>(c.null_mask & ~(1u << j));
          cands.push_back(c);
        } else if (a.kind == Arg::Ref && a.delta != 0) {
          Op c = op;
          c.args[j].delta = 0;
          cands.push_back(c);
        } else if (a.kind == Arg::Const && HasSimplerValues(k)) {
          for (u64 v : SimplerValues(a.value)) {
            Op c = op;
            c.args[j].value = v;
            cands.push_back(c);
          }
        }
        for (const Op& c : cands) {
          if (!Budget()) break;
          Program cand = res_.program;
          cand[i] = c;
          if (Holds(cand, origin_)) {
            res_.program = std::move(cand);
            ++res_.args_simplified;
            any = true;
            break;
          }
        }
      }
    }
    return any;
  }

  const MinimizeOptions& o_;
  Clock::time_point start_;
  MinimizeResult res_;
  std::vector<std::size_t> origin_;  // the input's index of each op of res_.program
  std::size_t failed_origin_ = SIZE_MAX;
};

}  // namespace

Program DropCalls(const Program& p, const std::vector<bool>& drop) {
  // made[k]: the new number of result k, or -1 when its call is dropped.
  std::vector<long> made;
  long kept = 0;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (MadeResource(p[i].id) != Resource::None) made.push_back(drop[i] ? -1 : kept++);
  Program out;
  out.world = p.world;  // the machine and the teardown's expectation stay
  out.teardown = p.teardown;
  out.teardown_line = p.teardown_line;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (drop[i]) continue;
    Op op = p[i];
    for (Arg& a : op.args) {
      if (a.kind != Arg::Ref) continue;
      const long to = a.value < made.size() ? made[a.value] : -1;
      if (to >= 0)
        a.value = static_cast<u64>(to);
      else
        a = Arg{Arg::Const, a.delta, 0};
    }
    out.push_back(std::move(op));
  }
  return out;
}

MinimizeResult Minimize(const Program& p, const MinimizeOptions& options) { return Minimizer(options).Go(p); }

int RunMinimizeCommand(const MinimizeCommand& c) {
  const char* in = c.input.c_str();
  std::ifstream file(c.input, std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "%s: cannot read file\n", in);
    return 2;
  }
  std::string data{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  const bool is_trace = c.input.size() > 6 && c.input.ends_with(".trace");
  Program p;
  if (is_trace) {
    ParseError err;
    if (!ParseTrace(data, &p, &err)) {
      std::fprintf(stderr, "%s:%d:%d: %s\n", in, err.line, err.column, err.expected.c_str());
      return 2;
    }
  } else {
    ParseError err;
    if (!ReadInput(data, ProfileByName(c.profile), &p, &err)) {
      std::fprintf(stderr, "%s:%d:%d: %s\n", in, err.line, err.column, err.expected.c_str());
      return 2;
    }
  }
  MinimizeOptions o = c.options;
  o.run.check_expectations = is_trace;
  o.need_binary = !is_trace || !c.out_binary.empty();
  const std::string what = is_trace ? "trace" : "binary, " + c.profile;
  MinimizeResult m = Minimize(p, o);
  if (!m.failed) {
    std::printf("# minimize: %s (%s, %zu calls) runs clean: nothing to minimise\n", in, what.c_str(), p.size());
    return 1;
  }
  std::printf("# minimize: %s (%s) fails: %s\n", in, what.c_str(), m.signature.c_str());
  std::printf("# minimize: %zu -> %zu calls, %zu argument(s) simplified, %zu runs%s\n", p.size(), m.program.size(),
              m.args_simplified, m.runs, m.bounded ? " (stopped at the run or time limit)" : "");
  // The calls with what the core alone did (an oracle mismatch would stop the
  // run at the failing call), then the failure as the full run reports it.
  RunOptions core_alone;
  core_alone.oracle = false;
  core_alone.log = true;
  RunResult alone = Run(m.program, core_alone);
  RunOptions full = o.run;
  full.log = false;
  RunResult failure = Run(m.program, full);
  PrintOptions po;
  po.expect = true;
  po.keep_stated = is_trace;
  po.failed_call = alone.failure != RunResult::None ? alone.failed_call : 0;
  std::string text = "# minimised by ddimap-repro --minimize (" + what + "): " + std::to_string(p.size()) + " -> " +
                     std::to_string(m.program.size()) + " calls\n# signature: " + m.signature + "\n" +
                     FormatReplay(m.program, alone, po) + "# the minimised program fails: " +
                     FailureKind(failure.failure) + "\n";
  for (std::size_t b = 0; b < failure.message.size();) {
    std::size_t e = failure.message.find('\n', b);
    if (e == std::string::npos) e = failure.message.size();
    text += "#   " + failure.message.substr(b, e - b) + "\n";
    b = e + 1;
  }
  text += "#   SIGNATURE: " + failure.signature + "\n";
  if (!c.out_trace.empty()) {
    std::ofstream out(c.out_trace, std::ios::binary);
    out << text;
    if (!out) {
      std::fprintf(stderr, "ddimap-repro: cannot write %s\n", c.out_trace.c_str());
      return 2;
    }
    std::printf("# minimize: wrote %s\n", c.out_trace.c_str());
  }
  if (!c.out_binary.empty()) {
    std::vector<std::uint8_t> bytes;
    std::string why;
    std::ofstream out(c.out_binary, std::ios::binary);
    if (!WriteInput(m.program, &bytes, &why) ||
        !out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()))) {
      std::fprintf(stderr, "ddimap-repro: cannot write %s %s\n", c.out_binary.c_str(), why.c_str());
      return 2;
    }
    std::printf("# minimize: wrote %s\n", c.out_binary.c_str());
  }
  if (c.out_trace.empty() && c.out_binary.empty()) std::fputs(text.c_str(), stdout);
  std::printf("SIGNATURE: %s\n", m.signature.c_str());
  return 0;
}

}  // namespace ddimap::harness
