#include "program/program.hpp"

#include <algorithm>

#include "program/world.hpp"

namespace ddimap::harness {

bool IsBuildingCall(CallId id) { return Call(id).builds; }

Profile::Profile(std::string n, HarnessInput in, bool r, std::vector<CallId> c)
    : name(std::move(n)), input(in), reach(r), calls(std::move(c)) {
  for (CallId id : calls) allowed.set(static_cast<std::size_t>(id));
}

namespace {

// The values of harnesses.def's columns.
namespace def {
enum Calls { Families, Table };
constexpr bool Processes = true, NoProcesses = false, Irql = true, NoIrql = false, Reach = true, NoReach = false;
}  // namespace def

bool IsProcessCall(CallId id) {
  return id == CallId::CreateProcess || id == CallId::ExitProcess || id == CallId::AttachProcess;
}

// A row's calls, in the order its Calls column gives (harnesses.def): the
// order is the decoder's opcode mapping, so it never changes for a harness.
std::vector<CallId> RowCalls(def::Calls order, bool processes, bool irql, std::initializer_list<Family> families) {
  std::vector<CallId> out;
  if (order == def::Families) {
    out = {CallId::EnterCallback, CallId::LeaveCallback};
    if (irql) out.push_back(CallId::SetIrql);
    if (processes) {
      out.push_back(CallId::CreateProcess);
      out.push_back(CallId::ExitProcess);
      out.push_back(CallId::AttachProcess);
    }
  }
  for (const CallDesc& d : AllCalls()) {
    if (IsBuildingCall(d.id)) continue;
    if (order == def::Table) {
      if ((d.id == CallId::SetIrql && !irql) || (IsProcessCall(d.id) && !processes)) continue;
      out.push_back(d.id);
    } else {
      for (Family f : families)
        if (d.family == f) out.push_back(d.id);
    }
  }
  return out;
}

constexpr std::string_view kFallbackProfile = "fuzz_all";

}  // namespace

const std::vector<Profile>& AllProfiles() {
  static const std::vector<Profile> kProfiles = [] {
    using enum Family;
    using enum HarnessInput;
    std::vector<Profile> p;
#define DDIMAP_HARNESS(NAME, INPUT, CALLS, PROCESSES, IRQL, REACH, ...)                                  \
  static_assert(def::CALLS == def::Families || std::initializer_list<Family>{__VA_ARGS__}.size() == 0, \
                #NAME ": a Table row lists no families");                                               \
  p.emplace_back(#NAME, INPUT, def::REACH, RowCalls(def::CALLS, def::PROCESSES, def::IRQL, {__VA_ARGS__}));
#include "harnesses.def"
#undef DDIMAP_HARNESS
    return p;
  }();
  return kProfiles;
}

const Profile& ProfileByName(std::string_view name) {
  const auto& all = AllProfiles();
  auto named = [&](std::string_view n) {
    return std::find_if(all.begin(), all.end(), [&](const Profile& p) { return p.name == n; });
  };
  auto it = named(name);
  return it != all.end() ? *it : *named(kFallbackProfile);
}

Program WithoutExpectations(Program p) {
  for (Op& op : p) op.expect = {};
  p.teardown = {};
  p.teardown_line = 0;
  return p;
}

bool operator==(const Program& a, const Program& b) {
  const bool same_world = a.world == b.world || (a.world && b.world && *a.world == *b.world);
  return static_cast<const std::vector<Op>&>(a) == static_cast<const std::vector<Op>&>(b) &&
         a.teardown == b.teardown && same_world;
}

}  // namespace ddimap::harness
