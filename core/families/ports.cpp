// Port I/O: NdisMRegisterIoPortRange / NdisMDeregisterIoPortRange and every
// family's READ_PORT_* / WRITE_PORT_* (docs/semantics.md, "Port I/O").
#include <cstring>

#include "families/common.hpp"
#include "families/families.hpp"
#include "mutants/mutant.hpp"

namespace ddimap {
namespace {

// The same life span as NdisMMapIoSpace's handle check (ndis_io.cpp).
bool AdapterLive(const Adapter* a) {
  return a && (a->state == AdapterState::Initializing || a->state == AdapterState::Running ||
               a->state == AdapterState::Halting);
}

std::string BadHandleEvidence(Machine::State& s, u64 h) {
  Adapter* a = s.FindAdapter(h);
  if (!a) return "MiniportAdapterHandle " + Hex(h) + " is not an adapter handle";
  if (a->state == AdapterState::Created) return "adapter " + Hex(h) + " has not entered MiniportInitializeEx yet";
  return "adapter " + Hex(h) + " is halted";
}

std::string CallbackText(const Machine::State& s) {
  return "called in " + std::string(CallbackName(s.cb)) + (s.cb_object ? " of " + Hex(s.cb_object) : std::string());
}

std::string RangeText(const PortRange& r) {
  return "ports [" + Hex(r.initial) + ", " + Hex(r.initial + r.count) + ") of adapter " + Hex(r.adapter);
}

// InitialPort is a UINT: a range past 2^32 is not in the platform's port space.
bool PortRangeValid(u64 initial, u32 count) { return count != 0 && initial <= 0xFFFFFFFFull - (count - 1); }

void Release(Machine::State& s, std::size_t i, const CallRecord& by) {
  PortRange r = s.ports[i];
  s.ports.erase(s.ports.begin() + static_cast<std::ptrdiff_t>(i));
  r.released = by;
  s.released_ports.push_back(r);
  while (s.released_ports.size() > s.opt.quarantine_capacity) s.released_ports.pop_front();
}

// The released registration holding `port`, the most recently released first.
const PortRange* Released(const Machine::State& s, u64 port) {
  for (std::size_t i = s.released_ports.size(); i-- > 0;)
    if (s.released_ports[i].Holds(port, 1)) return &s.released_ports[i];
  return nullptr;
}

bool Assigned(const Machine::State& s, u64 port, unsigned width) {
  if (port > ~0ull - (width - 1)) return false;
  for (const auto& r : s.resources)
    if (r.space == PhysSpace::Port && Inside(port, width, r.start, r.length)) return true;
  return false;
}

// The element at index i of a host buffer of `width`-byte elements.
u64 LoadElement(const void* buffer, unsigned width, std::size_t i) {
  const auto* p = static_cast<const unsigned char*>(buffer) + i * width;
  if (width == 1) return *p;
  if (width == 2) {
    u16 v;
    std::memcpy(&v, p, 2);
    return v;
  }
  u32 v;
  std::memcpy(&v, p, 4);
  return v;
}

void StoreElement(void* buffer, unsigned width, std::size_t i, u64 value) {
  auto* p = static_cast<unsigned char*>(buffer) + i * width;
  if (width == 1) {
    *p = static_cast<u8>(value);
  } else if (width == 2) {
    const u16 v = static_cast<u16>(value);
    std::memcpy(p, &v, 2);
  } else {
    const u32 v = static_cast<u32>(value);
    std::memcpy(p, &v, 4);
  }
}

// Begins a port call; false when `call` is no port row or the machine is
// torn down. `buffer` is the row's Buffer / Data pointer (null_mask bit 1).
bool BeginPort(Machine::State& s, CallId call, u64 port, u64 second, bool buffer_null, u32 count) {
  const CallDesc& d = Call(call);
  if (d.port_form == PortForm::None) return false;
  const u8 mask = buffer_null && d.param_count >= 2 && IsPointerKind(d.params[1].kind) ? 2 : 0;
  return s.Begin(call, {port, second, count}, mask);
}

// The checks of a port access (docs/semantics.md, "Port I/O"): true when the
// access may go to the device.
bool CheckPort(Machine::State& s, CallId call, u64 port, bool write, bool buffer_null, u32 count) {
  const CallDesc& d = Call(call);
  const unsigned width = d.port_width;
  const bool has_buffer = d.port_form == PortForm::PortReadTo || d.port_form == PortForm::PortReadBuffer ||
                          d.port_form == PortForm::PortWriteBuffer;
  if (has_buffer && buffer_null && count > 0) {
    s.Violation(RuleId::CommonNullPointer, [&] {
      return std::string(d.params[1].name) + " (the caller's " +
             (d.port_form == PortForm::PortReadTo ? "variable" : "buffer") + ") is NULL";
    });
    return false;
  }
  if (count == 0) return false;
  auto what = [&] {
    return std::string(write ? "write" : "read") + " of " + std::to_string(width) + " byte(s) at port " + Hex(port);
  };
  if (!Assigned(s, port, width) && !DDIMAP_MUTANT(port_unassigned_missed)) {
    s.Violation(RuleId::AccessPortUnassigned,
                [&] { return what() + ": no I/O port resource of any device holds it"; });
    return false;
  }
  if (d.family != Family::NdisIo) return true;
  for (const auto& r : s.ports)
    if (r.Holds(port, width)) return true;
  if (const PortRange* r = DDIMAP_MUTANT(port_deregistered_forgotten) ? nullptr : Released(s, port)) {
    s.ViolationWithRecords(RuleId::AccessPortDeregistered, [&] { return what() + ": " + RangeText(*r) + " was deregistered"; },
                           &r->created, &r->released);
    return false;
  }
  s.Violation(RuleId::AccessPortUnregistered,
              [&] { return what() + ": no NdisMRegisterIoPortRange registration holds it"; });
  return false;
}

}  // namespace

NdisStatus Machine::NdisMRegisterIoPortRange(u64* PortOffset, u64 MiniportAdapterHandle, u64 InitialPort,
                                             u32 NumberOfPorts) {
  State& s = *s_;
  auto fail = [&](NdisStatus st) {
    if (PortOffset) *PortOffset = 0;
    return st;
  };
  if (!s.Begin(CallId::NdisMRegisterIoPortRange, {0, MiniportAdapterHandle, InitialPort, NumberOfPorts},
               PortOffset ? 0 : 1))
    return fail(kNdisStatusFailure);
  if (!families::CheckIrql(s, CallId::NdisMRegisterIoPortRange)) return fail(kNdisStatusFailure);
  if (!AdapterLive(s.FindAdapter(MiniportAdapterHandle))) {
    s.Violation(RuleId::NdisIoBadHandle, [&] { return BadHandleEvidence(s, MiniportAdapterHandle); });
    return fail(kNdisStatusFailure);
  }
  if (!PortOffset) {
    s.Violation(RuleId::CommonNullPointer, [] { return "PortOffset (the out-pointer for the port base) is NULL"; });
    return fail(kNdisStatusFailure);
  }
  if (s.cb != Callback::MiniportInitializeEx || s.cb_object != MiniportAdapterHandle) {
    s.Violation(RuleId::NdisIoPortRegisterContext, [&] {
      return CallbackText(s) + ", not in MiniportInitializeEx of " + Hex(MiniportAdapterHandle);
    });
    return fail(kNdisStatusFailure);
  }
  if (!PortRangeValid(InitialPort, NumberOfPorts)) return fail(kNdisStatusFailure);
  if (!families::FindResource(s, MiniportAdapterHandle, PhysSpace::Port, InitialPort, NumberOfPorts))
    return fail(kNdisStatusResourceConflict);
  // "NDIS could not allocate resources": the page's NDIS_STATUS_RESOURCES.
  if (families::InjectFault(s)) return fail(kNdisStatusResources);
  s.ports.push_back(PortRange{MiniportAdapterHandle, InitialPort, NumberOfPorts, s.cur, {}});
  *PortOffset = InitialPort;
  return kNdisStatusSuccess;
}

void Machine::NdisMDeregisterIoPortRange(u64 MiniportAdapterHandle, u64 InitialPort, u32 NumberOfPorts,
                                         u64 PortOffset) {
  State& s = *s_;
  if (!s.Begin(CallId::NdisMDeregisterIoPortRange, {MiniportAdapterHandle, InitialPort, NumberOfPorts, PortOffset}))
    return;
  if (!families::CheckIrql(s, CallId::NdisMDeregisterIoPortRange)) return;
  if (!AdapterLive(s.FindAdapter(MiniportAdapterHandle))) {
    s.Violation(RuleId::NdisIoBadHandle, [&] { return BadHandleEvidence(s, MiniportAdapterHandle); });
    return;
  }
  if ((s.cb != Callback::MiniportInitializeEx && s.cb != Callback::MiniportHaltEx) ||
      s.cb_object != MiniportAdapterHandle) {
    s.Violation(RuleId::NdisIoPortDeregisterContext, [&] {
      return CallbackText(s) + ", not in MiniportInitializeEx or MiniportHaltEx of " + Hex(MiniportAdapterHandle);
    });
    return;
  }
  // A registration that matches in full wins; else the oldest one holding
  // PortOffset decides what is wrong.
  std::size_t found = s.ports.size();
  for (std::size_t i = 0; i < s.ports.size(); ++i) {
    const PortRange& r = s.ports[i];
    if (!r.Holds(PortOffset, 1)) continue;
    if (r.adapter == MiniportAdapterHandle && r.initial == PortOffset && r.initial == InitialPort &&
        r.count == NumberOfPorts) {
      found = i;
      break;
    }
    if (found == s.ports.size()) found = i;
  }
  if (found < s.ports.size()) {
    const PortRange& r = s.ports[found];
    if (r.adapter != MiniportAdapterHandle) {
      s.ViolationWithRecords(RuleId::NdisIoPortOtherOwner, [&] {
        return "PortOffset " + Hex(PortOffset) + " lies in the live " + RangeText(r) + ", not of " +
               Hex(MiniportAdapterHandle);
      }, &r.created, nullptr);
      return;
    }
    if (r.initial != PortOffset || r.initial != InitialPort || r.count != NumberOfPorts) {
      s.ViolationWithRecords(RuleId::NdisIoPortMismatch, [&] {
        return "InitialPort " + Hex(InitialPort) + ", NumberOfPorts " + Hex(NumberOfPorts) + ", PortOffset " +
               Hex(PortOffset) + " differ from the registration of " + RangeText(r) + " (PortOffset " +
               Hex(r.initial) + ")";
      }, &r.created, nullptr);
      return;
    }
    Release(s, found, s.cur);
    return;
  }
  if (const PortRange* r = Released(s, PortOffset)) {
    s.ViolationWithRecords(RuleId::NdisIoPortDeregisterDouble, [&] {
      return "PortOffset " + Hex(PortOffset) + " lies in the released " + RangeText(*r);
    }, &r->created, &r->released);
    return;
  }
  AddressLookup l = s.maps.Lookup(PortOffset);
  if ((l.kind == AddressLookup::Base || l.kind == AddressLookup::Interior) && l.mapping->parent_va == 0) {
    s.Violation(RuleId::NdisIoPortOtherFamily, [&] { return s.DescribeAddress(PortOffset, l); }, l.mapping);
    return;
  }
  s.Violation(RuleId::NdisIoPortNotRegistered,
              [&] { return "PortOffset " + Hex(PortOffset) + " was never returned by NdisMRegisterIoPortRange"; });
}

void families::NdisIoPortLeaks(Machine::State& s, u64 adapter, std::string_view when) {
  for (std::size_t i = 0; i < s.ports.size();) {
    if (s.ports[i].adapter != adapter) {
      ++i;
      continue;
    }
    const PortRange& r = s.ports[i];
    s.ViolationWithRecords(RuleId::NdisIoPortLeak, [&] {
      return RangeText(r) + " is still registered when " + std::string(when);
    }, &r.created, nullptr);
    Release(s, i, s.cur);
  }
}

const PortRange* families::LivePortRange(const Machine::State& s, u64 port) {
  for (const auto& r : s.ports)
    if (r.Holds(port, 1)) return &r;
  return nullptr;
}

u64 Machine::ReadPort(CallId call, u64 port) {
  State& s = *s_;
  if (Call(call).port_form != PortForm::PortRead || !BeginPort(s, call, port, 0, false, 0)) return 0;
  if (!CheckPort(s, call, port, false, false, 1)) return 0;
  return s.phys.Load(PhysSpace::Port, port, Call(call).port_width);
}

void Machine::WritePort(CallId call, u64 port, u64 value) {
  State& s = *s_;
  if (Call(call).port_form != PortForm::PortWrite || !BeginPort(s, call, port, value, false, 0)) return;
  if (!CheckPort(s, call, port, true, false, 1)) return;
  s.phys.Store(PhysSpace::Port, port, Call(call).port_width, value);
}

void Machine::ReadPortBuffer(CallId call, u64 port, void* buffer, u32 count) {
  State& s = *s_;
  const PortForm form = Call(call).port_form;
  const unsigned width = Call(call).port_width;
  if (form != PortForm::PortReadBuffer && form != PortForm::PortReadTo) return;
  if (form == PortForm::PortReadTo) count = 1;
  const bool ok = BeginPort(s, call, port, 0, buffer == nullptr, form == PortForm::PortReadTo ? 0 : count) &&
                  CheckPort(s, call, port, false, buffer == nullptr, count);
  if (buffer == nullptr) return;
  // Reads leave the port's latch as it is, so every element reads the same.
  const u64 value = ok ? s.phys.Load(PhysSpace::Port, port, width) : 0;
  for (u32 i = 0; i < count; ++i) StoreElement(buffer, width, i, value);
}

void Machine::WritePortBuffer(CallId call, u64 port, const void* buffer, u32 count) {
  State& s = *s_;
  if (Call(call).port_form != PortForm::PortWriteBuffer || !BeginPort(s, call, port, 0, buffer == nullptr, count))
    return;
  if (!CheckPort(s, call, port, true, buffer == nullptr, count)) return;
  // Each element goes to the same port; the last one is what the latch keeps.
  const unsigned width = Call(call).port_width;
  s.phys.Store(PhysSpace::Port, port, width, LoadElement(buffer, width, count - 1));
}

std::size_t Machine::live_port_range_count() const { return s_->ports.size(); }
std::size_t Machine::released_port_range_count() const { return s_->released_ports.size(); }
u64 Machine::live_port_range_owner(std::size_t i) const { return s_->ports[i].adapter; }

}  // namespace ddimap
