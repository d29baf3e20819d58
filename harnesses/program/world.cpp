#include "program/world.hpp"

namespace ddimap::harness {

const std::vector<WorldObject>& WorldObjects() {
  static const std::vector<WorldObject> kObjects = {
      {"nic0", HandleKind::Adapter, MakeHandle(HandleKind::Adapter, 1)},
      {"nic1", HandleKind::Adapter, MakeHandle(HandleKind::Adapter, 2)},
      {"wdm0", HandleKind::WdmDevice, MakeHandle(HandleKind::WdmDevice, 1)},
      {"wdm1", HandleKind::WdmDevice, MakeHandle(HandleKind::WdmDevice, 2)},
      {"umdf0", HandleKind::UmdfDevice, MakeHandle(HandleKind::UmdfDevice, 1)},
      {"umdf1", HandleKind::UmdfDevice, MakeHandle(HandleKind::UmdfDevice, 2)},
      {"umdf2", HandleKind::UmdfDevice, MakeHandle(HandleKind::UmdfDevice, 3)},
      {"umdf3", HandleKind::UmdfDevice, MakeHandle(HandleKind::UmdfDevice, 4)},
      {"umdf4", HandleKind::UmdfDevice, MakeHandle(HandleKind::UmdfDevice, 5)},
      {"video0", HandleKind::Video, MakeHandle(HandleKind::Video, 1)},
      {"video1", HandleKind::Video, MakeHandle(HandleKind::Video, 2)},
  };
  return kObjects;
}

UmdfSpec UmdfSpecOf(std::string_view name) {
  // user-mode views; two such devices, so a pseudo base of the wrong one can be asked for
  if (name == "umdf1" || name == "umdf4") return {0x1000B, true, RegisterAccess::UsingUserModeMapping};
  if (name == "umdf2") return {0x20000, true, RegisterAccess::UsingSystemCall};       // UMDF 2.0
  if (name == "umdf3") return {0x1000B, false, RegisterAccess::UsingSystemCall};      // no direct access
  return {0x1000B, true, RegisterAccess::UsingSystemCall};
}

const std::vector<WorldResource>& WorldResources() {
  static const std::vector<WorldResource> kResources = {
      {"nic0", PhysSpace::Memory, 0xFEBF0000, 0x20000},
      {"nic1", PhysSpace::Memory, 0xFEC20000, 0x1000},
      {"wdm0", PhysSpace::Memory, 0xFED00000, 0x10000},
      {"wdm1", PhysSpace::Memory, 0xFED10000, 0x4000},
      {"umdf0", PhysSpace::Memory, 0xFEE00000, 0x2000},
      {"umdf0", PhysSpace::Memory, 0xFEE10000, 0x1000},
      {"umdf1", PhysSpace::Memory, 0xFEE20000, 0x1000},
      {"umdf2", PhysSpace::Memory, 0xFEE30000, 0x1000},
      {"umdf3", PhysSpace::Memory, 0xFEE40000, 0x1000},
      {"umdf4", PhysSpace::Memory, 0xFEE50000, 0x1000},
      {"video0", PhysSpace::Memory, 0xE0000000, 0x1000000},
      {"video0", PhysSpace::Port, 0x3C0, 0x20},
      {"video1", PhysSpace::Memory, 0xE1000000, 0x100000},
      {"ram", PhysSpace::Memory, 0x0, 0x80000000},
      {"ram", PhysSpace::Memory, 0x100000000, 0x80000000},
      {"unassigned", PhysSpace::Memory, 0xF0000000, 0x100000},
  };
  return kResources;
}

const std::vector<WorldFile>& WorldFiles() {
  static const std::vector<WorldFile> kFiles = {
      {"firmware.bin", 5000, true},
      {"broken.bin", 100, false},
      {"empty.bin", 0, true},
  };
  return kFiles;
}

const WorldObject* ObjectByName(std::string_view name) {
  for (const auto& o : WorldObjects())
    if (o.name == name) return &o;
  return nullptr;
}

const WorldObject* ObjectByHandle(u64 handle) {
  for (const auto& o : WorldObjects())
    if (o.handle == handle) return &o;
  return nullptr;
}

}  // namespace ddimap::harness
