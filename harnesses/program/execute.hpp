// Runs one concrete call on a Machine or an oracle Model. Both expose the same
// method names and signatures, so one dispatch serves both sides of the
// comparison and neither can drift from the call table unnoticed.
#pragma once

#include <array>
#include <bit>
#include <optional>
#include <string_view>

#include "ddimap/calls.hpp"
#include "ddimap/machine.hpp"

namespace ddimap::harness {

// A call with every argument resolved to a number.
struct ConcreteCall {
  CallId id;
  std::array<u64, kMaxParams> args{};
  u8 null_mask = 0;
  std::string_view file_name;  // the Op's: a call is executed while its Op lives
};

struct Outcome {
  u64 ret = 0;                      // return value (void: 0; ControlStatus as its number)
  std::array<u64, kMaxParams> out{};  // pointer parameters: the value after the call
  u64 made = 0;                     // the resource the call made (0 if none)
};

// What Execute needs of a call's parameter kinds, worked out once per call
// rather than on each of the two executions of every op.
struct CallShape {
  u8 out_only = 0;  // bit i: parameter i is written, never read (it starts at 0)
  u8 outputs = 0;   // bit i: parameter i is a pointer whose value after the call is in the outcome
  int made = -1;    // MadeParam
};

inline const CallShape& ShapeOf(CallId id) {
  static const auto shapes = [] {
    std::array<CallShape, kCallCount> all{};
    for (std::size_t n = 0; n < kCallCount; ++n) {
      const CallDesc& d = Call(static_cast<CallId>(n));
      CallShape& s = all[n];
      for (int i = 0; i < d.param_count; ++i) {
        const ArgKind k = d.params[i].kind;
        if (k == ArgKind::OutPtr || k == ArgKind::OutResource) s.out_only |= static_cast<u8>(1u << i);
        if (IsPointerKind(k) && k != ArgKind::FileName) s.outputs |= static_cast<u8>(1u << i);
      }
      s.made = MadeParam(d);
    }
    return all;
  }();
  return shapes[static_cast<std::size_t>(id)];
}

template <typename T>
Outcome Execute(T& t, const ConcreteCall& c) {
  const CallDesc& d = Call(c.id);
  const CallShape& shape = ShapeOf(c.id);
  const auto& a = c.args;
  auto nul = [&](int i) { return ((c.null_mask >> i) & 1) != 0; };
  Outcome o;
  // In/out and out values start from the argument (the in-value, or 0).
  std::array<u64, kMaxParams> v = a;
  for (unsigned m = shape.out_only; m != 0; m &= m - 1) v[std::countr_zero(m)] = 0;
  auto p64 = [&](int i) { return nul(i) ? nullptr : &v[i]; };
  u32 n32[kMaxParams] = {};
  for (int i = 0; i < kMaxParams; ++i) n32[i] = static_cast<u32>(v[i]);
  auto p32 = [&](int i) { return nul(i) ? nullptr : &n32[i]; };
  bool uses32 = false;
  auto ctl = [](ControlStatus s) { return static_cast<u64>(s); };
  switch (c.id) {
    case CallId::SetIrql: o.ret = ctl(t.SetIrql(a[0])); break;
    case CallId::CreateProcess: o.ret = t.CreateProcess(); break;
    case CallId::ExitProcess: o.ret = ctl(t.ExitProcess(a[0])); break;
    case CallId::AttachProcess: o.ret = ctl(t.AttachProcess(a[0])); break;
    case CallId::EnterCallback:
      o.ret = ctl(t.EnterCallback(static_cast<Callback>(a[0] < kCallbackCount ? a[0] : 0xFF), a[1]));
      break;
    case CallId::LeaveCallback: o.ret = ctl(t.LeaveCallback(a[0] != 0)); break;
    case CallId::NdisMMapIoSpace:
      o.ret = t.NdisMMapIoSpace(p64(0), a[1], a[2], static_cast<u32>(a[3]));
      break;
    case CallId::NdisMUnmapIoSpace: t.NdisMUnmapIoSpace(a[0], a[1], static_cast<u32>(a[2])); break;
    case CallId::MmMapIoSpace: o.ret = t.MmMapIoSpace(a[0], a[1], a[2]); break;
    case CallId::MmMapIoSpaceEx: o.ret = t.MmMapIoSpaceEx(a[0], a[1], a[2]); break;
    case CallId::MmUnmapIoSpace: t.MmUnmapIoSpace(a[0], a[1]); break;
    case CallId::UmdfMapIoSpace: o.ret = t.UmdfMapIoSpace(a[0], a[1], a[2], a[3], p64(4)); break;
    case CallId::UmdfUnmapIoSpace: t.UmdfUnmapIoSpace(a[0], a[1], a[2]); break;
    case CallId::UmdfGetHardwareRegisterMappedAddress:
      o.ret = t.UmdfGetHardwareRegisterMappedAddress(a[0], a[1]);
      break;
    case CallId::NdisOpenFile: {
      u32 status = 0;
      u32* sp = nul(0) ? nullptr : &status;
      std::optional<std::string_view> name;
      if (!nul(3)) name = c.file_name;
      o.ret = t.NdisOpenFile(sp, p64(1), p32(2), name, a[4]);
      v[0] = status;
      uses32 = true;
      break;
    }
    case CallId::NdisMapFile: {
      u32 status = 0;
      u32* sp = nul(0) ? nullptr : &status;
      o.ret = t.NdisMapFile(sp, p64(1), a[2]);
      v[0] = status;
      break;
    }
    case CallId::NdisUnmapFile: t.NdisUnmapFile(a[0]); break;
    case CallId::NdisCloseFile: t.NdisCloseFile(a[0]); break;
    case CallId::VideoPortMapMemory:
      o.ret = t.VideoPortMapMemory(a[0], a[1], p32(2), p32(3), p64(4));
      uses32 = true;
      break;
    case CallId::VideoPortUnmapMemory: o.ret = t.VideoPortUnmapMemory(a[0], a[1], a[2]); break;
    case CallId::ReadUchar: o.ret = t.Read(a[0], 1); break;
    case CallId::ReadUshort: o.ret = t.Read(a[0], 2); break;
    case CallId::ReadUlong: o.ret = t.Read(a[0], 4); break;
    case CallId::ReadUlong64: o.ret = t.Read(a[0], 8); break;
    case CallId::WriteUchar: t.Write(a[0], 1, a[1]); break;
    case CallId::WriteUshort: t.Write(a[0], 2, a[1]); break;
    case CallId::WriteUlong: t.Write(a[0], 4, a[1]); break;
    case CallId::WriteUlong64: t.Write(a[0], 8, a[1]); break;
    case CallId::UmdfReadUchar: o.ret = t.UmdfReadRegister(a[0], a[1], 1); break;
    case CallId::UmdfReadUshort: o.ret = t.UmdfReadRegister(a[0], a[1], 2); break;
    case CallId::UmdfReadUlong: o.ret = t.UmdfReadRegister(a[0], a[1], 4); break;
    case CallId::UmdfReadUlong64: o.ret = t.UmdfReadRegister(a[0], a[1], 8); break;
    case CallId::UmdfWriteUchar: t.UmdfWriteRegister(a[0], a[1], 1, a[2]); break;
    case CallId::UmdfWriteUshort: t.UmdfWriteRegister(a[0], a[1], 2, a[2]); break;
    case CallId::UmdfWriteUlong: t.UmdfWriteRegister(a[0], a[1], 4, a[2]); break;
    case CallId::UmdfWriteUlong64: t.UmdfWriteRegister(a[0], a[1], 8, a[2]); break;
    case CallId::AddRam: o.ret = ctl(t.AddRam(a[0], a[1])); break;
    case CallId::CreateNdisAdapter: o.ret = t.CreateNdisAdapter(); break;
    case CallId::CreateWdmDevice: o.ret = t.CreateWdmDevice(); break;
    case CallId::CreateUmdfDevice:
      o.ret = t.CreateUmdfDevice(static_cast<u32>(a[0]), a[1] != 0,
                                 a[2] == 1 ? RegisterAccess::UsingUserModeMapping : RegisterAccess::UsingSystemCall);
      break;
    case CallId::CreateVideoDevice: o.ret = t.CreateVideoDevice(); break;
    case CallId::AssignResource:
      o.ret = ctl(t.AssignResource(a[0], a[1] == 1 ? PhysSpace::Port : PhysSpace::Memory, a[2], a[3]));
      break;
    case CallId::AddFile: o.ret = ctl(t.AddFile(c.file_name, static_cast<u32>(a[1]), a[2] != 0)); break;
  }
  if (uses32)
    for (int i = 0; i < d.param_count; ++i)
      if (d.params[i].kind == ArgKind::InOutLen32 || d.params[i].kind == ArgKind::InOutVideoFlags ||
          (c.id == CallId::NdisOpenFile && i == 2))
        v[i] = n32[i];
  for (unsigned m = shape.outputs & ~unsigned{c.null_mask}; m != 0; m &= m - 1) {
    const int i = std::countr_zero(m);
    o.out[i] = v[i];
  }
  if (d.makes != Resource::None) {
    const int mp = shape.made;
    o.made = mp >= 0 ? (nul(mp) ? 0 : v[mp]) : o.ret;
  }
  return o;
}

}  // namespace ddimap::harness
