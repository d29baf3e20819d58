// Port I/O: NdisMRegisterIoPortRange, NdisMDeregisterIoPortRange and the READ_PORT_* /
// WRITE_PORT_* rows of every family (sem "Port I/O").
#include <cstring>

#include "model_internal.hpp"
#include "oracle.hpp"

namespace ddimap::oracle {

using detail::ClearOut;

bool Model::RegHolds(const PortReg& r, u64 port, u64 width) {
  return port >= r.first && port - r.first < r.count && width <= r.count - (port - r.first);
}

const Model::PortReg* Model::LiveRegHolding(u64 port) const {
  for (const auto& r : port_regs_)
    if (RegHolds(r, port, 1)) return &r;
  return nullptr;
}

void Model::ReleaseReg(std::size_t i) {
  PortReg r = port_regs_[i];
  port_regs_.erase(port_regs_.begin() + static_cast<std::ptrdiff_t>(i));
  r.released_seq = CallNumber();
  // sem "Port I/O": released registrations are remembered like the quarantine, in a FIFO of
  // their own of quarantine_capacity
  released_regs_.push_back(r);
  if (released_regs_.size() > options_.quarantine_capacity) released_regs_.erase(released_regs_.begin());
}

void Model::LeakPorts(u64 adapter) {
  // sem "Port I/O": one NDIS_IO.PORT_LEAK per live registration of the adapter, oldest first,
  // each released right after its report
  for (std::size_t i = 0; i < port_regs_.size();) {
    if (port_regs_[i].adapter != adapter) {
      ++i;
      continue;
    }
    Report(Evidence{RuleId::NdisIoPortLeak, true, false, port_regs_[i].created_seq, 0});
    ReleaseReg(i);
  }
}

NdisStatus Model::NdisMRegisterIoPortRange(u64* PortOffset, u64 Adapter_, u64 InitialPort, u32 NumberOfPorts) {
  auto fail = [&](NdisStatus s) {
    ClearOut(PortOffset);
    return s;
  };
  auto refuse = [&](RuleId r) {
    Report(r);
    return fail(kNdisStatusFailure);
  };
  if (!Begin()) return fail(kNdisStatusFailure);
  if (irql_ != kPassiveLevel) return refuse(RuleId::NdisIoPortIrql);
  if (!AdapterMaps(Adapter_)) return refuse(RuleId::NdisIoBadHandle);
  if (!PortOffset) return refuse(RuleId::CommonNullPointer);
  if (!(callback_ == Callback::MiniportInitializeEx && callback_object_ == Adapter_))
    return refuse(RuleId::NdisIoPortRegisterContext);
  // sem "Port I/O": InitialPort is a UINT, so a range reaching past 0xFFFFFFFF is not in the
  // platform's port space
  if (NumberOfPorts == 0 || InitialPort + NumberOfPorts - 1 > 0xFFFFFFFFull || InitialPort > 0xFFFFFFFFull)
    return fail(kNdisStatusFailure);
  if (!ResourceHolding(Adapter_, PhysSpace::Port, InitialPort, NumberOfPorts))
    return fail(kNdisStatusResourceConflict);
  port_regs_.push_back({Adapter_, InitialPort, NumberOfPorts, seq_, 0});
  *PortOffset = InitialPort;  // sem: on x64 the port number itself
  return kNdisStatusSuccess;
}

void Model::NdisMDeregisterIoPortRange(u64 Adapter_, u64 InitialPort, u32 NumberOfPorts, u64 PortOffset) {
  if (!Begin()) return;
  if (irql_ != kPassiveLevel) return Report(RuleId::NdisIoPortIrql);
  if (!AdapterMaps(Adapter_)) return Report(RuleId::NdisIoBadHandle);
  if (!((callback_ == Callback::MiniportInitializeEx || callback_ == Callback::MiniportHaltEx) &&
        callback_object_ == Adapter_))
    return Report(RuleId::NdisIoPortDeregisterContext);
  // sem "Port I/O": a live registration of this adapter matching all three values is released;
  // else the oldest live registration holding PortOffset decides the report
  auto exact = [&](const PortReg& r) {
    return r.adapter == Adapter_ && r.first == PortOffset && r.first == InitialPort && r.count == NumberOfPorts;
  };
  for (std::size_t i = 0; i < port_regs_.size(); ++i)
    if (exact(port_regs_[i])) return ReleaseReg(i);
  if (const PortReg* r = LiveRegHolding(PortOffset)) {
    const RuleId rule = r->adapter != Adapter_ ? RuleId::NdisIoPortOtherOwner : RuleId::NdisIoPortMismatch;
    return Report(Evidence{rule, true, false, r->created_seq, 0});
  }
  for (std::size_t i = released_regs_.size(); i-- > 0;)
    if (RegHolds(released_regs_[i], PortOffset, 1))
      return Report(Evidence{RuleId::NdisIoPortDeregisterDouble, true, true, released_regs_[i].created_seq,
                             released_regs_[i].released_seq});
  const Mapping* m = nullptr;
  const Class c = Classify(PortOffset, &m);
  if (c == Class::Exact || c == Class::Interior) return Report(RuleId::NdisIoPortOtherFamily, m);
  Report(RuleId::NdisIoPortNotRegistered);
}

bool Model::PortAllowed(CallId call, u64 port, bool write, bool buffer_null, u64 count) {
  (void)write;  // reads and writes are checked alike
  const CallDesc& d = Call(call);
  const u64 width = d.port_width;
  const bool buffer = d.port_form == PortForm::PortReadTo || d.port_form == PortForm::PortReadBuffer ||
                      d.port_form == PortForm::PortWriteBuffer;
  if (buffer && buffer_null && count > 0) return Report(RuleId::CommonNullPointer), false;
  if (count == 0) return false;  // sem: no element, no access, no check
  bool assigned = false;
  for (const auto& r : resources_)
    if (r.space == PhysSpace::Port && port >= r.start && port - r.start < r.length &&
        width <= r.length - (port - r.start))
      assigned = true;
  if (!assigned) return Report(RuleId::AccessPortUnassigned), false;
  if (d.family != Family::NdisIo) return true;
  for (const auto& r : port_regs_)
    if (RegHolds(r, port, width)) return true;
  for (std::size_t i = released_regs_.size(); i-- > 0;)
    if (RegHolds(released_regs_[i], port, 1))
      return Report(Evidence{RuleId::AccessPortDeregistered, true, true, released_regs_[i].created_seq,
                             released_regs_[i].released_seq}),
             false;
  return Report(RuleId::AccessPortUnregistered), false;
}

namespace {
u64 PortValue(const std::vector<u8>& bytes) {
  u64 v = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) v |= static_cast<u64>(bytes[i]) << (8 * i);
  return v;
}
}  // namespace

u64 Model::ReadPort(CallId call, u64 port) {
  if (Call(call).port_form != PortForm::PortRead) return 0;
  if (!Begin()) return 0;
  if (!PortAllowed(call, port, false, false, 1)) return 0;
  std::vector<u8> bytes;
  for (unsigned i = 0; i < Call(call).port_width; ++i) bytes.push_back(DeviceByteAt(PhysSpace::Port, port + i));
  return PortValue(bytes);
}

void Model::WritePort(CallId call, u64 port, u64 value) {
  if (Call(call).port_form != PortForm::PortWrite) return;
  if (!Begin()) return;
  if (!PortAllowed(call, port, true, false, 1)) return;
  for (unsigned i = 0; i < Call(call).port_width; ++i)
    SetDeviceByte(PhysSpace::Port, port + i, static_cast<u8>(value >> (8 * i)));
}

void Model::ReadPortBuffer(CallId call, u64 port, void* buffer, u32 count) {
  const PortForm form = Call(call).port_form;
  if (form != PortForm::PortReadBuffer && form != PortForm::PortReadTo) return;
  if (form == PortForm::PortReadTo) count = 1;
  const unsigned width = Call(call).port_width;
  const bool ok = Begin() && PortAllowed(call, port, false, buffer == nullptr, count);
  if (!buffer) return;
  // sem "Port I/O": every element reads the port; a refused read stores 0 in each
  // (reads do not change the port, so each element is the same bytes)
  u8 bytes[4] = {};
  for (unsigned i = 0; i < width && ok; ++i) bytes[i] = DeviceByteAt(PhysSpace::Port, port + i);
  auto* out = static_cast<unsigned char*>(buffer);
  for (u32 e = 0; e < count; ++e) std::memcpy(out + static_cast<std::size_t>(e) * width, bytes, width);
}

void Model::WritePortBuffer(CallId call, u64 port, const void* buffer, u32 count) {
  if (Call(call).port_form != PortForm::PortWriteBuffer) return;
  if (!Begin()) return;
  if (!PortAllowed(call, port, true, buffer == nullptr, count)) return;
  const unsigned width = Call(call).port_width;
  const auto* in = static_cast<const unsigned char*>(buffer);
  // every element goes to the same port, in order: the last one is what the port keeps
  const std::size_t last = static_cast<std::size_t>(count - 1) * width;
  for (unsigned i = 0; i < width; ++i) SetDeviceByte(PhysSpace::Port, port + i, in[last + i]);
}

}  // namespace ddimap::oracle
