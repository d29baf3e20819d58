// The machine an input runs on: RAM, devices of each family with their
// resources, the file table and two limits. Every harness input starts from
// the standard world; a trace may describe another (docs/harness.md, "Custom
// worlds"). Built the same way on the core and on the oracle, so handles and
// addresses agree.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ddimap/machine.hpp"

namespace ddimap::harness {

struct UmdfSpec {
  u32 version = 0x1000B;
  bool direct = true;  // AllowDirectHardwareAccess
  RegisterAccess mode = RegisterAccess::UsingSystemCall;
  bool operator==(const UmdfSpec&) const = default;
};

// Devices are named by family and order: nic0, nic1 (NDIS adapters), wdm0,
// umdf0, video0 ... The Nth device of a kind has the Nth handle of that kind,
// in every world, so a name means one handle wherever it is read.
struct WorldObject {
  std::string name;
  HandleKind kind;
  u64 handle;
  UmdfSpec umdf;  // UMDF devices only
  bool operator==(const WorldObject&) const = default;
};

struct WorldResource {
  std::string owner;  // object name, or "ram" / "unassigned"
  PhysSpace space;
  u64 start;
  u64 length;
  bool operator==(const WorldResource&) const = default;
};

struct WorldFile {
  std::string name;
  u32 length;
  bool readable;
  bool operator==(const WorldFile&) const = default;
};

struct World {
  std::vector<WorldObject> objects;      // in creation order
  std::vector<WorldResource> resources;  // devices, then RAM, then unassigned space (the standard world: then more I/O ports)
  std::vector<WorldFile> files;
  std::optional<std::size_t> quarantine;     // MachineOptions::quarantine_capacity (else the harness's)
  std::optional<std::size_t> max_open_files; // MachineOptions::max_open_files (else the harness's)
  bool operator==(const World&) const = default;
};

const World& StandardWorld();
inline const std::vector<WorldObject>& WorldObjects() { return StandardWorld().objects; }
inline const std::vector<WorldResource>& WorldResources() { return StandardWorld().resources; }
inline const std::vector<WorldFile>& WorldFiles() { return StandardWorld().files; }
// A file name the standard table does not hold, for NDIS_STATUS_FILE_NOT_FOUND.
inline constexpr std::string_view kMissingFile = "missing.bin";

// The naming scheme: "nic" (Adapter), "wdm", "umdf", "video".
std::string_view NamePrefix(HandleKind kind);
// The handle a device name means (nullopt: not a device name), and back
// (empty: not a device handle).
std::optional<u64> HandleByName(std::string_view name);
std::string NameOfHandle(u64 handle);
// The next name of `kind` in `w` (nic2 when nic0 and nic1 exist).
std::string NextName(const World& w, HandleKind kind);

// Builds `w` on a Machine or an oracle Model (same method names). The objects
// are created in order, so each gets the handle its name means.
template <typename Target>
void BuildWorld(Target& t, const World& w = StandardWorld()) {
  for (const auto& r : w.resources)
    if (r.owner == "ram") t.AddRam(r.start, r.length);
  for (const auto& o : w.objects) {
    switch (o.kind) {
      case HandleKind::Adapter: t.CreateNdisAdapter(); break;
      case HandleKind::WdmDevice: t.CreateWdmDevice(); break;
      case HandleKind::UmdfDevice: t.CreateUmdfDevice(o.umdf.version, o.umdf.direct, o.umdf.mode); break;
      case HandleKind::Video: t.CreateVideoDevice(); break;
      default: break;
    }
  }
  for (const auto& r : w.resources)
    if (auto h = HandleByName(r.owner)) t.AssignResource(*h, r.space, r.start, r.length);
  for (const auto& f : w.files) t.AddFile(std::string_view(f.name), f.length, f.readable);
}

}  // namespace ddimap::harness
