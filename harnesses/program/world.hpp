// The standard world every harness input starts from: RAM, devices of each
// family with their resources, and the file table. Built the same way on the
// core and on the oracle, so handles and addresses agree.
#pragma once

#include <string_view>
#include <vector>

#include "ddimap/machine.hpp"

namespace ddimap::harness {

struct WorldObject {
  std::string_view name;  // how traces spell it: nic0, wdm0, umdf1, video0 ...
  HandleKind kind;
  u64 handle;
};

struct WorldResource {
  std::string_view owner;  // object name, or "ram" / "unassigned"
  PhysSpace space;
  u64 start;
  u64 length;
};

struct WorldFile {
  std::string_view name;
  u32 length;
  bool readable;
};

const std::vector<WorldObject>& WorldObjects();
const std::vector<WorldResource>& WorldResources();  // devices, then RAM, then unassigned I/O space
const std::vector<WorldFile>& WorldFiles();
// A file name the table does not hold, for NDIS_STATUS_FILE_NOT_FOUND.
inline constexpr std::string_view kMissingFile = "missing.bin";

const WorldObject* ObjectByName(std::string_view name);
const WorldObject* ObjectByHandle(u64 handle);

struct UmdfSpec {
  u32 version;
  bool direct;
  RegisterAccess mode;
};
UmdfSpec UmdfSpecOf(std::string_view name);

// Builds the world on a Machine or an oracle Model (same method names). The
// objects are created in WorldObjects() order, so their handles are the ones
// listed there.
template <typename Target>
void BuildWorld(Target& t) {
  for (const auto& r : WorldResources())
    if (r.owner == "ram") t.AddRam(r.start, r.length);
  for (const auto& o : WorldObjects()) {
    switch (o.kind) {
      case HandleKind::Adapter: t.CreateNdisAdapter(); break;
      case HandleKind::WdmDevice: t.CreateWdmDevice(); break;
      case HandleKind::UmdfDevice: {
        UmdfSpec u = UmdfSpecOf(o.name);
        t.CreateUmdfDevice(u.version, u.direct, u.mode);
        break;
      }
      case HandleKind::Video: t.CreateVideoDevice(); break;
      default: break;
    }
  }
  for (const auto& r : WorldResources()) {
    if (const WorldObject* o = ObjectByName(r.owner)) t.AssignResource(o->handle, r.space, r.start, r.length);
  }
  for (const auto& f : WorldFiles()) t.AddFile(f.name, f.length, f.readable);
}

}  // namespace ddimap::harness
