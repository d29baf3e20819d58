// The declarative call table (core/calls/calls.def) as C++ data. It is
// constexpr, so the harness dispatch and the signature checks read it at
// compile time, and the core reads the same facts (IRQL bounds, failure
// values) that the documentation states.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>

#include "ddimap/rules.hpp"
#include "ddimap/types.hpp"

namespace ddimap {

enum class CallId : u16 {
#define DDIMAP_CALL(E, NAME, FAM, RES, MAKES, USES, ...) E,
#include "calls.def"
};

enum class ArgKind : u8 {
  None,
  // handles
  Adapter, WdmDevice, UmdfDevice, File, Video, Process, AnyObject,
  // numbers
  VirtAddr, PhysAddr, Len32, Len64, Value, Irql, Bool, Version,
  // enums and flags
  CacheType, Protect, VideoFlags, Callback, Space, RegisterMode,
  // pointers: the null bit of the call record says whether the pointer is NULL
  OutPtr, OutResource, InOutLen32, InOutVideoFlags, InOutVirtAddr,
  OutPhysAddr,  // a 64-bit out-value that is not the resource made (PNDIS_PHYSICAL_ADDRESS)
  // an interned file name (index into the machine's name table)
  FileName,
  // port buffers: the caller's array (a pointer: NULL or valid) and its
  // element count
  Buffer, Count,
  // an input pointer the function may read but the model never does: only
  // whether it is NULL counts (VideoPortGetAccessRanges' RequestedResources)
  InPtr,
};

// How a port access row runs (DDIMAP_PORT in calls.def): the Machine method
// that takes it, with the row's id.
enum class PortForm : u8 {
  None,
  PortRead,         // ReadPort: the value is the result
  PortReadTo,       // ReadPortBuffer, one element into the Data out-pointer (NDIS)
  PortWrite,        // WritePort
  PortReadBuffer,   // ReadPortBuffer
  PortWriteBuffer,  // WritePortBuffer
};

enum class ResultKind : u8 { Void, NdisStatus, Pointer, HResult, VpStatus, Value, Handle, Control };

// Resources in the syzkaller sense: what a call makes and what it consumes.
enum class Resource : u8 { None, Mapping, File, Process, Adapter, WdmDevice, UmdfDevice, Video };

inline constexpr int kMaxParams = 8;  // VideoPortGetAccessRanges has 8

struct ParamDesc {
  std::string_view name;
  ArgKind kind = ArgKind::None;
};

struct CallDesc {
  CallId id{};
  std::string_view name;  // DDI name as a driver writer spells it
  Family family{};
  ResultKind result{};
  Resource makes{};
  Resource consumes{};
  std::array<ParamDesc, kMaxParams> params{};
  int param_count = 0;
  // The facts rows (calls.def):
  bool builds = false;             // DDIMAP_BUILDS
  int length_param = -1;           // DDIMAP_LENGTH: the parameter's index, -1 when none
  std::optional<u8> max_irql;      // DDIMAP_IRQL
  RuleId irql_rule{};              //   and the rule a call above it breaks
  std::optional<u64> failure;      // DDIMAP_FAILURE
  unsigned width = 0;              // DDIMAP_WIDTH: register access width in bytes, 0 if none
  unsigned port_width = 0;         // DDIMAP_PORT: port access width in bytes, 0 if none
  PortForm port_form = PortForm::None;
};

// A documented outcome of a call (DDIMAP_STATUS).
struct StatusDesc {
  CallId id;
  u64 value;              // the status, or 0 for a NULL pointer result
  bool nonnull;           // pointer results: any non-NULL value
  std::string_view name;  // the status as the DDI's page names it ("NDIS_STATUS_SUCCESS", "NULL")
};

namespace call_table {

struct NonNull {};
inline constexpr NonNull kNonNull;
constexpr StatusDesc Status(CallId id, u64 value, std::string_view name) { return {id, value, false, name}; }
constexpr StatusDesc Status(CallId id, NonNull, std::string_view name) { return {id, 0, true, name}; }

template <typename... P>
constexpr std::array<ParamDesc, kMaxParams> Params(P... p) {
  return {p...};
}
template <typename... P>
constexpr int CountParams(P...) {
  return sizeof...(P);
}
constexpr CallDesc Row(CallId id, std::string_view name, Family family, ResultKind result, Resource makes,
                       Resource consumes, std::array<ParamDesc, kMaxParams> params, int param_count) {
  CallDesc d;
  d.id = id;
  d.name = name;
  d.family = family;
  d.result = result;
  d.makes = makes;
  d.consumes = consumes;
  d.params = params;
  d.param_count = param_count;
  return d;
}
// The index of a parameter named in a facts row; a name the row lacks is not
// a constant expression, so a typo fails the build.
constexpr int ParamIndex(const CallDesc& d, std::string_view name) {
  for (int i = 0; i < d.param_count; ++i)
    if (d.params[i].name == name) return i;
  throw "calls.def: a facts row names a parameter its call does not have";
}

inline constexpr std::size_t kCount = 0
#define DDIMAP_CALL(E, NAME, FAM, RES, MAKES, USES, ...) +1
#include "calls.def"
    ;

inline constexpr std::array<CallDesc, kCount> kCalls = [] {
  std::array<CallDesc, kCount> t{{
#define DDIMAP_P(NAME, KIND) ParamDesc{#NAME, ArgKind::KIND}
#define DDIMAP_CALL(E, NAME, FAM, RES, MAKES, USES, ...)                                      \
  Row(CallId::E, NAME, Family::FAM, ResultKind::RES, Resource::MAKES, Resource::USES, \
      Params(__VA_ARGS__), CountParams(__VA_ARGS__)),
#include "calls.def"
#undef DDIMAP_P
  }};
  auto at = [&](CallId id) -> CallDesc& { return t[static_cast<std::size_t>(id)]; };
#define DDIMAP_BUILDS(E) at(CallId::E).builds = true;
#define DDIMAP_LENGTH(E, PARAM) at(CallId::E).length_param = ParamIndex(at(CallId::E), #PARAM);
#define DDIMAP_IRQL(E, MAX, RULE) at(CallId::E).max_irql = MAX, at(CallId::E).irql_rule = RuleId::RULE;
#define DDIMAP_FAILURE(E, VALUE) at(CallId::E).failure = VALUE;
#define DDIMAP_WIDTH(E, BYTES) at(CallId::E).width = BYTES;
#define DDIMAP_PORT(E, BYTES, FORM) \
  at(CallId::E).port_width = BYTES, at(CallId::E).port_form = PortForm::FORM;
#include "calls.def"
  return t;
}();

inline constexpr StatusDesc kStatuses[] = {
#define DDIMAP_STATUS(E, VALUE, NAME) Status(CallId::E, VALUE, NAME),
#include "calls.def"
};

}  // namespace call_table

inline constexpr std::size_t kCallCount = call_table::kCount;

constexpr std::span<const CallDesc> AllCalls() { return call_table::kCalls; }
constexpr const CallDesc& Call(CallId id) { return call_table::kCalls[static_cast<std::size_t>(id)]; }
std::optional<CallId> CallByName(std::string_view name);
// Every documented outcome, in table order.
constexpr std::span<const StatusDesc> AllStatuses() { return call_table::kStatuses; }

constexpr bool IsPointerKind(ArgKind k) {
  return k == ArgKind::OutPtr || k == ArgKind::OutResource || k == ArgKind::InOutLen32 ||
         k == ArgKind::InOutVideoFlags || k == ArgKind::InOutVirtAddr || k == ArgKind::OutPhysAddr ||
         k == ArgKind::FileName || k == ArgKind::Buffer || k == ArgKind::InPtr;
}

// A pointer parameter whose value after the call is an out-value (traces
// state it as Name=value; the harnesses compare it): not a file name, not an
// input pointer.
constexpr bool HasOutValue(ArgKind k) { return IsPointerKind(k) && k != ArgKind::FileName && k != ArgKind::InPtr; }

// Where the resource a call makes ends up: the index of its OutResource or
// InOutVirtAddr parameter, or -1 when the call returns it (or makes nothing).
constexpr int MadeParam(const CallDesc& d) {
  for (int i = 0; i < d.param_count; ++i)
    if (d.params[i].kind == ArgKind::OutResource || d.params[i].kind == ArgKind::InOutVirtAddr) return i;
  return -1;
}

namespace call_table {
constexpr bool Consistent() {
  for (std::size_t i = 0; i < kCalls.size(); ++i) {
    const CallDesc& d = kCalls[i];
    if (static_cast<std::size_t>(d.id) != i) return false;
    if (d.width != 0 && d.family != Family::Access && d.family != Family::UmdfIo) return false;
    if (d.length_param >= 0 && d.makes == Resource::None) return false;
    if ((d.port_width != 0) != (d.port_form != PortForm::None)) return false;
    if (d.port_width != 0 && (d.width != 0 || d.param_count < 1 || d.params[0].kind != ArgKind::PhysAddr))
      return false;
  }
  for (const StatusDesc& s : kStatuses)
    if (kCalls[static_cast<std::size_t>(s.id)].result == ResultKind::Void) return false;
  return true;
}
static_assert(Consistent(), "calls.def: a facts row contradicts its call's row");
}  // namespace call_table

}  // namespace ddimap
