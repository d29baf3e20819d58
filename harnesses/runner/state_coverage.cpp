#include "runner/state_coverage.hpp"

#include <algorithm>

#include "runner/runner.hpp"

// Out of coverage itself: its branches would only repeat, as edges, the
// state it reports as features.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)
#endif

namespace ddimap::harness {
namespace {

// libFuzzer reads every byte of this section as a coverage counter
// (__start___libfuzzer_extra_counters .. __stop_...). A section name made of
// identifier characters is also what keeps ASan from padding the array.
__attribute__((section("__libfuzzer_extra_counters"), used)) std::uint8_t g_features[kStateFeatures];

u64 Mix(u64 h, u64 v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h;
}

bool Holds(const std::vector<u64>& v, u64 x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

void StateCoverage::Reset() {
  owners_.clear();
  processes_.clear();
  history_.clear();
  in_ = 0;
  last_ = 0;
  system_full_ = false;
}

void StateCoverage::MappingsChanged(const std::vector<const MappingView*>& live) {
  // Half of the harness world's system region: past it, the next big
  // mapping fails for want of space (NdisMMapIoSpace NDIS_STATUS_RESOURCES).
  static const u64 half = HarnessMachineOptions().system_region_size / 2;
  owners_.clear();
  processes_.clear();
  u64 system = 0;
  for (const MappingView* v : live) {
    if (v->region == Region::System) system += v->extent;
    if (!Holds(owners_, v->owner)) owners_.push_back(v->owner);
    if (v->process != 0 && !Holds(processes_, v->process)) processes_.push_back(v->process);
  }
  system_full_ = system >= half;
}

StateCoverage::History* StateCoverage::Find(u64 object) {
  for (History& h : history_)
    if (h.object == object) return &h;
  return nullptr;
}

void StateCoverage::AfterCall(CallId id, const u64* args, u64 ret, const Machine& core, std::size_t quarantined) {
  // Callback history, from the calls the machine accepted.
  const bool ok = ret == static_cast<u64>(ControlStatus::Ok);
  if (id == CallId::EnterCallback && ok) {
    History* h = Find(core.callback_object());
    if (!h) h = &history_.emplace_back(History{core.callback_object(), 0, false});
    h->entered = static_cast<u16>(h->entered | (1u << static_cast<unsigned>(core.callback())));
    in_ = core.callback_object();
  } else if (id == CallId::LeaveCallback && ok) {
    if (History* h = Find(in_)) h->last_failed = args[0] == 0;  // LeaveCallback(succeeded)
    in_ = 0;
  }
  const u64 object = core.callback_object();
  const History* h = Find(object);
  // The other holders of live mappings: those of this object's own kind
  // counted (the other-owner set-ups), the other kinds named, one bit each,
  // so that an adapter's mapping left behind is not a video device's. A
  // handle's kind is its top byte, and every kind's top nibble differs.
  // NDIS port ranges count as what their adapter holds, like its mappings
  // (the port-range other-owner set-up is the same chain of steps).
  bool own = false;
  std::size_t same_kind = 0;
  u64 other_kinds = 0;
  auto holder = [&](u64 o) {
    if (o == object) own = true;
    else if ((o >> 56) == (object >> 56)) ++same_kind;
    else other_kinds |= 1ull << (o >> 60);
  };
  for (u64 o : owners_) holder(o);
  for (std::size_t i = 0, n = core.live_port_range_count(); i < n; ++i) {
    const u64 o = core.live_port_range_owner(i);
    bool seen = Holds(owners_, o);
    for (std::size_t j = 0; j < i && !seen; ++j) seen = core.live_port_range_owner(j) == o;
    if (!seen) holder(o);
  }
  const std::size_t q = quarantined;
  const bool attached_user = core.current_process() != 0 && Holds(processes_, core.current_process());
  u64 f = static_cast<u64>(core.callback());
  f = Mix(f, h ? h->entered | (h->last_failed ? 1u << 15 : 0) : 0);
  f = Mix(f, own);
  f = Mix(f, same_kind < 2 ? same_kind : 2);
  f = Mix(f, other_kinds);
  f = Mix(f, q == 0 ? 0 : q < 4 ? 1 : q < 8 ? 2 : 3);
  f = Mix(f, attached_user);
  f = Mix(f, system_full_);
  // A release tried while another object of this kind holds mappings: the
  // other-owner rules are then one byte away (the handle, or the address),
  // so such an input is kept even when its call was refused for another
  // reason. Only there does the releasing call join the state, so that an
  // unmap tried there does not hide a shared-memory free or a port range
  // deregistration tried there later.
  const bool release_by_other = same_kind != 0 && Call(id).consumes == Resource::Mapping;
  f = Mix(f, release_by_other ? 1 + static_cast<u64>(id) : 0);
  last_ = static_cast<std::uint32_t>((f * 0x9E3779B97F4A7C15ull) >> 52) & (kStateFeatures - 1);
  g_features[last_] = 1;
}

}  // namespace ddimap::harness

#if defined(__clang__)
#pragma clang attribute pop
#endif
