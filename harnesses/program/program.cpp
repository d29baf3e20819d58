#include "program/program.hpp"

#include <algorithm>

namespace ddimap::harness {

bool IsBuildingCall(CallId id) { return Call(id).builds; }

Profile::Profile(std::string n, std::vector<CallId> c) : name(std::move(n)), calls(std::move(c)) {
  for (CallId id : calls) allowed.set(static_cast<std::size_t>(id));
}

namespace {

std::vector<CallId> FamilyCalls(std::initializer_list<Family> families, bool processes, bool irql) {
  std::vector<CallId> out = {CallId::EnterCallback, CallId::LeaveCallback};
  if (irql) out.push_back(CallId::SetIrql);
  if (processes) {
    out.push_back(CallId::CreateProcess);
    out.push_back(CallId::ExitProcess);
    out.push_back(CallId::AttachProcess);
  }
  for (const CallDesc& d : AllCalls()) {
    if (IsBuildingCall(d.id)) continue;
    for (Family f : families)
      if (d.family == f) out.push_back(d.id);
  }
  return out;
}

}  // namespace

const std::vector<Profile>& AllProfiles() {
  static const std::vector<Profile> kProfiles = [] {
    std::vector<Profile> p;
    p.push_back({"fuzz_ndis_io", FamilyCalls({Family::NdisIo, Family::Access}, false, true)});
    p.push_back({"fuzz_mm_io", FamilyCalls({Family::MmIo, Family::Access}, false, true)});
    p.push_back({"fuzz_umdf_io", FamilyCalls({Family::UmdfIo, Family::Access}, true, false)});
    p.push_back({"fuzz_ndis_file", FamilyCalls({Family::NdisFile, Family::Access}, false, true)});
    p.push_back({"fuzz_video", FamilyCalls({Family::Video, Family::Access}, true, true)});
    std::vector<CallId> all;
    for (const CallDesc& d : AllCalls())
      if (!IsBuildingCall(d.id)) all.push_back(d.id);
    p.push_back({"fuzz_all", all});
    p.push_back({"fuzz_trace", all});
    return p;
  }();
  return kProfiles;
}

const Profile& ProfileByName(std::string_view name) {
  for (const auto& p : AllProfiles())
    if (p.name == name) return p;
  return AllProfiles()[5];  // fuzz_all
}

}  // namespace ddimap::harness
