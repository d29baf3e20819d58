// Access through a mapping: Read, Write and the UMDF register helpers (sem "ACCESS"), and the
// bytes behind a mapping (device memory, file contents).
#include <algorithm>
#include <optional>
#include <vector>

#include "model_internal.hpp"
#include "oracle.hpp"

namespace ddimap::oracle {

using detail::Contains;
using detail::FindBy;

u8 Model::DeviceByteAt(PhysSpace space, u64 addr) const {
  for (const auto& b : device_memory_)
    if (b.space == space && b.addr == addr) return b.value;
  return 0;
}

void Model::SetDeviceByte(PhysSpace space, u64 addr, u8 value) {
  for (auto& b : device_memory_)
    if (b.space == space && b.addr == addr) {
      b.value = value;
      return;
    }
  device_memory_.push_back({space, addr, value});
}

u64 Model::LoadBytes(const Mapping& m, u64 address, unsigned width) const {
  u64 v = 0;
  for (unsigned i = 0; i < width; ++i) {
    const u64 off = address - m.base + i;
    u8 byte = 0;
    if (m.is_file) {
      if (const OpenFile* f = FindBy(files_, &OpenFile::handle, m.owner)) {
        byte = static_cast<u8>((f->name_hash >> 8) + off * 131 + (off >> 8));
        for (const auto& w : f->written)
          if (w.offset == off) byte = w.value;
      }
    } else {
      byte = DeviceByteAt(m.space, m.phys + off);
    }
    v |= static_cast<u64>(byte) << (8 * i);
  }
  return v;
}

void Model::StoreBytes(const Mapping& m, u64 address, unsigned width, u64 value) {
  for (unsigned i = 0; i < width; ++i) {
    const u64 off = address - m.base + i;
    const u8 byte = static_cast<u8>(value >> (8 * i));
    if (m.is_file) {
      OpenFile* f = FindBy(files_, &OpenFile::handle, m.owner);
      if (!f) continue;
      bool done = false;
      for (auto& w : f->written)
        if (w.offset == off) {
          w.value = byte;
          done = true;
        }
      if (!done) f->written.push_back({static_cast<u32>(off), byte});
    } else {
      SetDeviceByte(m.space, m.phys + off, byte);
    }
  }
}

const Model::Mapping* Model::Locate(u64 a, unsigned width, std::optional<u64> umdf_device) {
  // sem ACCESS: the address itself is looked up. A plain access may go through any live
  // mapping; a UMDF register helper only through a pseudo mapping of its own device (sem UMDF
  // register helpers), and any other live mapping there reads as UNMAPPED whatever the bounds.
  // Live and quarantined extents never overlap, so the order of the scans does not matter.
  auto usable = [&](const Mapping& m) {
    return !umdf_device || (m.family == Family::UmdfIo && !m.user_view && m.owner == *umdf_device);
  };
  auto near = [&](const Mapping& m) { return Contains(m.va_page, m.extent + kPageSize, a); };  // or its guard page
  auto first = [](const std::vector<Mapping>& in, auto pred) {
    const auto it = std::ranges::find_if(in, pred);
    return it == in.end() ? nullptr : &*it;
  };
  if (const Mapping* m = first(live_, [&](const Mapping& m) {
        return usable(m) && a >= m.base && a - m.base <= m.access_length &&
               width <= m.access_length - (a - m.base);
      }))
    return m;
  // sem "Report format": each report names the mapping that holds the address's page, if any
  if (const Mapping* m = first(live_, [&](const Mapping& m) { return usable(m) && near(m); }))
    Report(RuleId::AccessOutOfBounds, m);
  else if (const Mapping* q = first(quarantine_, near))
    Report(RuleId::AccessUseAfterUnmap, q);
  else  // in no mapping, or in a mapping of another UMDF device or kind
    Report(RuleId::AccessUnmapped, Holder(a));
  return nullptr;
}

bool Model::AccessCheck(u64 a, unsigned width, bool write, const Mapping** found) {
  *found = Locate(a, width, std::nullopt);
  if (!*found) return false;
  const Mapping& m = **found;
  if (m.region == Region::Pseudo) return Report(RuleId::AccessPseudoDeref, &m), false;
  if (m.region == Region::User && m.process != 0 && current_process_ != m.process)
    return Report(RuleId::AccessWrongProcess, &m), false;
  if (write && !m.writable) return Report(RuleId::AccessReadOnly, &m), false;
  // sem ACCESS: a read without read permission (MmMapIoSpaceEx PAGE_EXECUTE)
  if (!write && !m.readable) return Report(RuleId::AccessNotReadable, &m), false;
  return true;
}

namespace {
bool ValidWidth(unsigned w) { return w == 1 || w == 2 || w == 4 || w == 8; }
}  // namespace

u64 Model::Read(u64 address, unsigned width) {
  if (!Begin()) return 0;
  if (!ValidWidth(width)) return 0;  // reading: not a register width, ignored
  const Mapping* m = nullptr;
  if (!AccessCheck(address, width, false, &m)) return 0;
  return LoadBytes(*m, address, width);
}

void Model::Write(u64 address, unsigned width, u64 value) {
  if (!Begin()) return;
  if (!ValidWidth(width)) return;
  const Mapping* m = nullptr;
  if (!AccessCheck(address, width, true, &m)) return;
  const Mapping copy = *m;
  StoreBytes(copy, address, width, value);
}

u64 Model::UmdfReadRegister(u64 This, u64 address, unsigned width) {
  if (!Begin()) return 0;
  if (!ValidWidth(width)) return 0;  // decided (docs/semantics.md, Smaller decisions, access width): before any check
  if (!FindBy(umdf_, &UmdfDevice::handle, This)) return Report(RuleId::UmdfIoBadDevice), 0;
  const Mapping* m = nullptr;
  if (!(m = Locate(address, width, This))) return 0;
  return LoadBytes(*m, address, width);
}

void Model::UmdfWriteRegister(u64 This, u64 address, unsigned width, u64 value) {
  if (!Begin()) return;
  if (!ValidWidth(width)) return;
  if (!FindBy(umdf_, &UmdfDevice::handle, This)) return Report(RuleId::UmdfIoBadDevice);
  const Mapping* m = nullptr;
  if (!(m = Locate(address, width, This))) return;
  const Mapping copy = *m;
  StoreBytes(copy, address, width, value);
}

}  // namespace ddimap::oracle
