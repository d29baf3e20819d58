// Runs one concrete call on a Machine or an oracle Model. Both expose one
// method per row of the call table, named after the row and with the types
// its parameter kinds imply; the dispatch below is expanded from calls.def,
// and CallSurface checks at compile time that a side offers every call with
// exactly that signature, so neither can drift from the table unnoticed.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>
#include <algorithm>

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

// --- the C++ types a row implies ------------------------------------------------

template <ArgKind K>
struct ParamTypeOf { using type = u64; };  // handles, addresses, 64-bit lengths, values, enums as numbers
template <> struct ParamTypeOf<ArgKind::Len32> { using type = u32; };
template <> struct ParamTypeOf<ArgKind::Version> { using type = u32; };
template <> struct ParamTypeOf<ArgKind::VideoFlags> { using type = u32; };
template <> struct ParamTypeOf<ArgKind::Bool> { using type = bool; };
template <> struct ParamTypeOf<ArgKind::Callback> { using type = Callback; };
template <> struct ParamTypeOf<ArgKind::Space> { using type = PhysSpace; };
template <> struct ParamTypeOf<ArgKind::RegisterMode> { using type = RegisterAccess; };
template <> struct ParamTypeOf<ArgKind::OutPtr> { using type = u32*; };  // NDIS_STATUS, ULONG
template <> struct ParamTypeOf<ArgKind::InOutLen32> { using type = u32*; };
template <> struct ParamTypeOf<ArgKind::InOutVideoFlags> { using type = u32*; };
template <> struct ParamTypeOf<ArgKind::OutResource> { using type = u64*; };
template <> struct ParamTypeOf<ArgKind::OutPhysAddr> { using type = u64*; };
template <> struct ParamTypeOf<ArgKind::InOutVirtAddr> { using type = u64*; };
template <> struct ParamTypeOf<ArgKind::FileName> { using type = std::optional<std::string_view>; };
template <> struct ParamTypeOf<ArgKind::Buffer> { using type = void*; };
template <> struct ParamTypeOf<ArgKind::Count> { using type = u32; };
template <> struct ParamTypeOf<ArgKind::InPtr> { using type = bool; };  // not NULL
template <ArgKind K>
using ParamType = typename ParamTypeOf<K>::type;

template <ResultKind R>
struct ResultTypeOf { using type = u64; };  // Pointer, Value, Handle
template <> struct ResultTypeOf<ResultKind::Void> { using type = void; };
template <> struct ResultTypeOf<ResultKind::NdisStatus> { using type = NdisStatus; };
template <> struct ResultTypeOf<ResultKind::HResult> { using type = HResult; };
template <> struct ResultTypeOf<ResultKind::VpStatus> { using type = VpStatus; };
template <> struct ResultTypeOf<ResultKind::Control> { using type = ControlStatus; };
template <ResultKind R>
using ResultType = typename ResultTypeOf<R>::type;

inline constexpr bool Is32BitPointer(ArgKind k) {
  return k == ArgKind::OutPtr || k == ArgKind::InOutLen32 || k == ArgKind::InOutVideoFlags;
}

// The member-function type a row implies for class T.
template <class T, CallId Id, std::size_t... I>
auto SignatureOf(std::index_sequence<I...>)
    -> ResultType<Call(Id).result> (T::*)(ParamType<Call(Id).params[I].kind>...);
template <class T, CallId Id>
using Signature = decltype(SignatureOf<T, Id>(std::make_index_sequence<Call(Id).param_count>{}));

// A register access (DDIMAP_WIDTH) runs one of four width-taking methods.
template <class T, CallId Id>
concept OffersAccess =
    (Call(Id).family == Family::Access
         ? (Call(Id).result == ResultKind::Value
                ? std::is_same_v<decltype(&T::Read), u64 (T::*)(u64, unsigned)>
                : std::is_same_v<decltype(&T::Write), void (T::*)(u64, unsigned, u64)>)
         : (Call(Id).result == ResultKind::Value
                ? std::is_same_v<decltype(&T::UmdfReadRegister), u64 (T::*)(u64, u64, unsigned)>
                : std::is_same_v<decltype(&T::UmdfWriteRegister), void (T::*)(u64, u64, unsigned, u64)>));

// A port access (DDIMAP_PORT) runs one of four methods that take the row's id.
template <class T>
concept OffersPorts = std::is_same_v<decltype(&T::ReadPort), u64 (T::*)(CallId, u64)> &&
                      std::is_same_v<decltype(&T::WritePort), void (T::*)(CallId, u64, u64)> &&
                      std::is_same_v<decltype(&T::ReadPortBuffer), void (T::*)(CallId, u64, void*, u32)> &&
                      std::is_same_v<decltype(&T::WritePortBuffer), void (T::*)(CallId, u64, const void*, u32)>;

// T offers every call of the table with the row's exact signature.
template <class T>
concept CallSurface = OffersPorts<T>
#define DDIMAP_CALL(E, ...)                                                                 \
  &&(Call(CallId::E).width != 0 ? OffersAccess<T, CallId::E>                                \
     : Call(CallId::E).port_width != 0                                                      \
         ? true                                                                             \
         : requires { requires std::is_same_v<decltype(&T::E), Signature<T, CallId::E>>; })
#include "calls.def"
    ;

// The most elements a port buffer of a harness call holds: the runner
// supplies the buffer, so the codec, the trace parser and the baseline keep
// Count at most this (docs/harness.md).
inline constexpr u32 kMaxPortCount = 0xFFFF;

// What Execute needs of a call's parameter kinds, worked out once per call
// rather than on each of the two executions of every op.
struct CallShape {
  u8 out_only = 0;  // bit i: parameter i is written, never read (it starts at 0)
  u8 outputs = 0;   // bit i: parameter i is a pointer whose value after the call is in the outcome
  u8 narrow = 0;    // bit i: parameter i points to 32 bits
  int made = -1;    // MadeParam
};

constexpr CallShape ShapeOf(const CallDesc& d) {
  CallShape s;
  for (int i = 0; i < d.param_count; ++i) {
    const ArgKind k = d.params[i].kind;
    if (k == ArgKind::OutPtr || k == ArgKind::OutResource || k == ArgKind::OutPhysAddr)
      s.out_only |= static_cast<u8>(1u << i);
    if (HasOutValue(k)) s.outputs |= static_cast<u8>(1u << i);
    if (Is32BitPointer(k)) s.narrow |= static_cast<u8>(1u << i);
  }
  s.made = MadeParam(d);
  return s;
}

namespace detail {

// The arguments of one execution: in/out and out values start from the
// argument (the in-value, or 0) and hold the value after the call.
struct Frame {
  const ConcreteCall& c;
  std::array<u64, kMaxParams> v;
  std::array<u32, kMaxParams> n32{};

  bool Null(std::size_t i) const { return ((c.null_mask >> i) & 1) != 0; }

  template <ArgKind K>
  ParamType<K> Arg(std::size_t i) {
    const u64 a = c.args[i];
    if constexpr (K == ArgKind::OutResource || K == ArgKind::InOutVirtAddr || K == ArgKind::OutPhysAddr)
      return Null(i) ? nullptr : &v[i];
    else if constexpr (Is32BitPointer(K)) return Null(i) ? nullptr : &n32[i];
    else if constexpr (K == ArgKind::FileName) {
      if (Null(i)) return std::nullopt;
      return c.file_name;
    } else if constexpr (K == ArgKind::InPtr) return !Null(i);
    else if constexpr (K == ArgKind::Bool) return a != 0;
    else if constexpr (K == ArgKind::Callback) return static_cast<Callback>(a < kCallbackCount ? a : 0xFF);
    else if constexpr (K == ArgKind::Space) return a == 1 ? PhysSpace::Port : PhysSpace::Memory;
    else if constexpr (K == ArgKind::RegisterMode)
      return a == 1 ? RegisterAccess::UsingUserModeMapping : RegisterAccess::UsingSystemCall;
    else return static_cast<ParamType<K>>(a);
  }
};

// A port access: the row's id goes to ReadPort / WritePort / ReadPortBuffer /
// WritePortBuffer. A buffer is the runner's, zeroed for reads and holding
// 1, 2, 3... for writes; its first element after the call is the Buffer
// parameter's out-value.
template <CallId Id, class T>
u64 InvokePort(T& t, Frame& f) {
  constexpr const CallDesc& d = Call(Id);
  const u64 port = f.c.args[0];
  if constexpr (d.port_form == PortForm::PortRead) {
    return t.ReadPort(Id, port);
  } else if constexpr (d.port_form == PortForm::PortWrite) {
    t.WritePort(Id, port, f.c.args[1]);
    return 0;
  } else if constexpr (d.port_form == PortForm::PortReadTo) {
    t.ReadPortBuffer(Id, port, f.Null(1) ? nullptr : &f.n32[1], 1);
    return 0;
  } else {
    constexpr unsigned w = d.port_width;
    const u32 count = static_cast<u32>(std::min<u64>(f.c.args[2], kMaxPortCount));
    const bool null = f.Null(1);
    std::vector<u8> buf(null ? 0 : std::size_t{count} * w);
    auto element = [&](std::size_t i) {
      u64 v = 0;
      for (unsigned b = 0; b < w; ++b) v |= static_cast<u64>(buf[i * w + b]) << (8 * b);
      return v;
    };
    if constexpr (d.port_form == PortForm::PortWriteBuffer) {
      for (std::size_t i = 0; !null && i < count; ++i)
        for (unsigned b = 0; b < w; ++b) buf[i * w + b] = static_cast<u8>((i + 1) >> (8 * b));
      t.WritePortBuffer(Id, port, null ? nullptr : buf.data(), count);
    } else {
      t.ReadPortBuffer(Id, port, null ? nullptr : buf.data(), count);
    }
    f.v[1] = !null && count > 0 ? element(0) : 0;
    return 0;
  }
}

template <CallId Id, class T, class Method, std::size_t... I>
u64 Invoke(T& t, Frame& f, [[maybe_unused]] Method method, std::index_sequence<I...>) {
  constexpr const CallDesc& d = Call(Id);
  if constexpr (d.port_width != 0) {
    return InvokePort<Id>(t, f);
  } else if constexpr (d.width != 0) {
    // The width goes right after the Register argument.
    constexpr bool umdf = d.family == Family::UmdfIo;
    constexpr int reg = umdf ? 1 : 0;
    const u64 address = f.c.args[reg];
    if constexpr (d.result == ResultKind::Value) {
      if constexpr (umdf) return t.UmdfReadRegister(f.c.args[0], address, d.width);
      else return t.Read(address, d.width);
    } else {
      if constexpr (umdf) t.UmdfWriteRegister(f.c.args[0], address, d.width, f.c.args[reg + 1]);
      else t.Write(address, d.width, f.c.args[reg + 1]);
      return 0;
    }
  } else if constexpr (d.result == ResultKind::Void) {
    method(t, f.template Arg<d.params[I].kind>(I)...);
    return 0;
  } else {
    return static_cast<u64>(method(t, f.template Arg<d.params[I].kind>(I)...));
  }
}

template <CallId Id, class T, class Method>
void Run(T& t, const ConcreteCall& c, Outcome& o, Method method) {
  constexpr const CallDesc& d = Call(Id);
  constexpr CallShape shape = ShapeOf(d);
  Frame f{c, c.args};
  for (unsigned m = shape.out_only; m != 0; m &= m - 1) f.v[std::countr_zero(m)] = 0;
  for (unsigned m = shape.narrow; m != 0; m &= m - 1) {
    const int i = std::countr_zero(m);
    f.n32[i] = static_cast<u32>(f.v[i]);
  }
  o.ret = Invoke<Id>(t, f, method, std::make_index_sequence<Call(Id).param_count>{});
  for (unsigned m = shape.narrow; m != 0; m &= m - 1) {
    const int i = std::countr_zero(m);
    f.v[i] = f.n32[i];
  }
  for (unsigned m = shape.outputs & ~unsigned{c.null_mask}; m != 0; m &= m - 1) {
    const int i = std::countr_zero(m);
    o.out[i] = f.v[i];
  }
  if constexpr (d.makes != Resource::None) {
    if constexpr (shape.made >= 0) o.made = f.Null(shape.made) ? 0 : f.v[shape.made];
    else o.made = o.ret;
  }
}

}  // namespace detail

template <typename T>
Outcome Execute(T& t, const ConcreteCall& c) {
  Outcome o;
  switch (c.id) {
    // The method is named after the row; a register or port access never
    // calls it (its generic lambda is not instantiated), it runs Read/Write or
    // the port methods instead.
#define DDIMAP_CALL(E, ...)                                                                          \
  case CallId::E:                                                                                    \
    detail::Run<CallId::E>(t, c, o, [](auto& self, auto... a) -> decltype(auto) { return self.E(a...); }); \
    break;
#include "calls.def"
  }
  return o;
}

}  // namespace ddimap::harness
