#include "program/world.hpp"

#include <charconv>

namespace ddimap::harness {
namespace {

constexpr HandleKind kNamedKinds[] = {HandleKind::Adapter, HandleKind::WdmDevice, HandleKind::UmdfDevice,
                                      HandleKind::Video};

World MakeStandardWorld() {
  World w;
  auto add = [&](HandleKind kind, UmdfSpec umdf = {}) {
    const std::string name = NextName(w, kind);
    w.objects.push_back({name, kind, *HandleByName(name), umdf});
  };
  add(HandleKind::Adapter);
  add(HandleKind::Adapter);
  add(HandleKind::WdmDevice);
  add(HandleKind::WdmDevice);
  add(HandleKind::UmdfDevice);
  // user-mode views; two such devices, so a pseudo base of the wrong one can be asked for
  add(HandleKind::UmdfDevice, {0x1000B, true, RegisterAccess::UsingUserModeMapping});
  add(HandleKind::UmdfDevice, {0x20000, true, RegisterAccess::UsingSystemCall});   // UMDF 2.0
  add(HandleKind::UmdfDevice, {0x1000B, false, RegisterAccess::UsingSystemCall});  // no direct access
  add(HandleKind::UmdfDevice, {0x1000B, true, RegisterAccess::UsingUserModeMapping});
  add(HandleKind::Video);
  add(HandleKind::Video);
  w.resources = {
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
      // I/O ports, last: the resource numbers the encoder wrote into older
      // seeds keep their meaning
      {"nic0", PhysSpace::Port, 0x300, 0x20},
      {"nic1", PhysSpace::Port, 0x340, 0x10},
      {"wdm0", PhysSpace::Port, 0x2F8, 0x8},
  };
  w.files = {
      {"firmware.bin", 5000, true},
      {"broken.bin", 100, false},
      {"empty.bin", 0, true},
  };
  return w;
}

}  // namespace

const World& StandardWorld() {
  static const World w = MakeStandardWorld();
  return w;
}

std::string_view NamePrefix(HandleKind kind) {
  switch (kind) {
    case HandleKind::Adapter: return "nic";
    case HandleKind::WdmDevice: return "wdm";
    case HandleKind::UmdfDevice: return "umdf";
    case HandleKind::Video: return "video";
    default: return "";
  }
}

std::optional<u64> HandleByName(std::string_view name) {
  for (HandleKind k : kNamedKinds) {
    const std::string_view prefix = NamePrefix(k);
    if (!name.starts_with(prefix) || name.size() == prefix.size()) continue;
    const std::string_view digits = name.substr(prefix.size());
    if (digits.size() > 1 && digits[0] == '0') return std::nullopt;  // one spelling per name
    u64 n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size() || n >= (1ull << 32)) return std::nullopt;
    return MakeHandle(k, n + 1);
  }
  return std::nullopt;
}

std::string NameOfHandle(u64 handle) {
  for (HandleKind k : kNamedKinds) {
    const u64 serial = handle & ((1ull << 56) - 1);
    if (HandleIs(handle, k) && serial >= 1 && serial <= (1ull << 32))
      return std::string(NamePrefix(k)) + std::to_string(serial - 1);
  }
  return {};
}

std::string NextName(const World& w, HandleKind kind) {
  std::size_t n = 0;
  for (const auto& o : w.objects) n += o.kind == kind;
  return std::string(NamePrefix(kind)) + std::to_string(n);
}

}  // namespace ddimap::harness
