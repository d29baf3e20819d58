// Fault injection (docs/semantics.md, "Fault injection"): whether the call
// being executed fails as if resources had run out. The families ask at the
// point where the call would take its resource, after every contract check,
// so a misuse is still reported on a call that is also failed.
#include <algorithm>

#include "families/common.hpp"
#include "families/families.hpp"

namespace ddimap {
namespace {

u64 SplitMix64(u64* state) {
  u64 z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

bool families::DrawFault(Machine::State& s) {
  if (s.fault_asked == s.cur.seq) return false;
  s.fault_asked = s.cur.seq;  // a call that maps twice (a UMDF view) is asked once
  bool fail = false;
  switch (s.opt.faults) {
    case FaultMode::Off: return false;
    case FaultMode::Random: fail = SplitMix64(&s.fault_state) % 1000000 < s.opt.fault_rate_ppm; break;
    case FaultMode::Systematic: {
      // A site is the caller's return address (C API) mixed with the call, so
      // two DDIs behind one wrapper line stay apart; addresses move between
      // processes, but which calls are first from their site does not.
      const u64 site = s.call_site_seq == s.cur.seq ? s.call_site : 0;
      const u64 key = site * 0x9E3779B97F4A7C15ull ^ static_cast<u64>(s.cur.id);
      auto it = std::lower_bound(s.fault_sites.begin(), s.fault_sites.end(), key);
      fail = it == s.fault_sites.end() || *it != key;
      if (fail) s.fault_sites.insert(it, key);
      break;
    }
    case FaultMode::Decided: fail = s.fault_decider(s.fault_decider_context, s.cur); break;
  }
  if (fail) s.injected_calls.push_back(s.cur);
  return fail;
}

void Machine::SetFaults(FaultMode mode, u32 rate_ppm, u64 seed) {
  State& s = *s_;
  s.opt.faults = mode == FaultMode::Decided && s.fault_decider == nullptr ? FaultMode::Off : mode;
  s.opt.fault_rate_ppm = std::min<u32>(rate_ppm, 1000000);
  s.opt.fault_seed = seed;
  s.fault_state = seed;
  s.fault_sites.clear();
}

void Machine::SetFaultDecider(FaultDecider decide, void* context) {
  State& s = *s_;
  s.opt.faults = decide != nullptr ? FaultMode::Decided : FaultMode::Off;
  s.fault_decider = decide;
  s.fault_decider_context = context;
}

// Kept with the number the next call will get, so that Begin need not clear it.
void Machine::SetCallSite(u64 site) {
  s_->call_site = site;
  s_->call_site_seq = s_->seq + 1;
}

std::size_t Machine::injected_fault_count() const { return s_->injected_calls.size(); }

const CallRecord* Machine::State::InjectedCall(u64 seq) const {
  auto it = std::lower_bound(injected_calls.begin(), injected_calls.end(), seq,
                             [](const CallRecord& c, u64 n) { return c.seq < n; });
  return it != injected_calls.end() && it->seq == seq ? &*it : nullptr;
}

const CallRecord* Machine::InjectedCall(u64 seq) const { return s_->InjectedCall(seq); }

}  // namespace ddimap
