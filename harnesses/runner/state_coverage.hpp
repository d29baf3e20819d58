// State coverage: features of the model's state, fed to libFuzzer beside edge
// coverage.
//
// The bugs that take a long set-up (a second adapter's callback while the
// first one's mapping lives; a restart after a stop; a full quarantine) run
// no code that the set-up's first half had not run already, so edge coverage
// gives a fuzzer no reason to keep the half-way inputs. After every call the
// runner names an abstract state (not the call: edges tell calls apart, and
// with it the easy mutants died more slowly): the running callback, which
// callbacks its object has been through and whether the last one failed,
// whether that object holds live mappings, how many other objects of its
// kind do and which other kinds of object do, how full the quarantine is
// (by the oracle's count when it runs), whether live mappings hold half of
// the system region, whether the attached process has mappings of its own,
// and whether the call tried to release a mapping while another object of
// its kind held some.
// Each state sets one byte in libFuzzer's extra-counters section, so an input
// reaching a state no earlier input reached is kept, as for a new edge. A byte
// is set, never counted up: repeating a state earns nothing, which keeps the
// corpus from filling with loops (the repeat op's failure, docs/fuzzing.md).
//
// Without libFuzzer (the reproducer, tests, AFL++) the bytes are written and
// nobody reads them. libFuzzer clears them before every input.
#pragma once

#include <cstdint>
#include <vector>

#include "ddimap/machine.hpp"
#include "ddimap/calls.hpp"

namespace ddimap::harness {

class StateCoverage {
 public:
  void Reset();  // at the start of a program
  // After a call that created or released a mapping: who holds live ones now.
  void MappingsChanged(const std::vector<const MappingView*>& live);
  // After every call, with its arguments as executed and its result.
  // `quarantined` is the oracle's count of released mappings remembered
  // when the oracle runs, else the core's: a core whose quarantine
  // bookkeeping is wrong must not hide the states that would show it (it
  // can disagree silently until a later call touches a released address).
  void AfterCall(CallId id, const u64* args, u64 ret, const Machine& core, std::size_t quarantined);

  // The feature AfterCall set last (tests).
  std::uint32_t last_feature() const { return last_; }

 private:
  struct History {
    u64 object;
    u16 entered;  // bit c: callback c was entered (and accepted)
    bool last_failed;
  };
  History* Find(u64 object);

  std::vector<u64> owners_;     // objects with live mappings (0: driver-wide MM)
  std::vector<u64> processes_;  // processes with live user mappings
  std::vector<History> history_;
  u64 in_ = 0;  // the object whose callback runs (0: none)
  bool system_full_ = false;  // live mappings hold half of the system region or more
  std::uint32_t last_ = 0;
};

// The number of state features (a power of two).
inline constexpr std::uint32_t kStateFeatures = 1u << 12;

}  // namespace ddimap::harness
