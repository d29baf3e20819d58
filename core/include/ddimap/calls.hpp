// The declarative call table (core/calls/calls.def) as C++ data.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>

#include "ddimap/types.hpp"

namespace ddimap {

enum class CallId : u16 {
#define DDIMAP_CALL(E, NAME, FAM, RES, MAKES, USES, ...) E,
#include "calls.def"
#undef DDIMAP_CALL
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
  // an interned file name (index into the machine's name table)
  FileName,
};

enum class ResultKind : u8 { Void, NdisStatus, Pointer, HResult, VpStatus, Value, Handle, Control };

// Resources in the syzkaller sense: what a call makes and what it consumes.
enum class Resource : u8 { None, Mapping, File, Process, Adapter, WdmDevice, UmdfDevice, Video };

inline constexpr int kMaxParams = 6;

struct ParamDesc {
  std::string_view name;
  ArgKind kind = ArgKind::None;
};

struct CallDesc {
  CallId id;
  std::string_view name;  // DDI name as a driver writer spells it
  Family family;
  ResultKind result;
  Resource makes;
  Resource consumes;
  std::array<ParamDesc, kMaxParams> params;
  int param_count;
};

std::span<const CallDesc> AllCalls();
const CallDesc& Call(CallId id);
std::optional<CallId> CallByName(std::string_view name);
inline constexpr std::size_t kCallCount = 0
#define DDIMAP_CALL(E, NAME, FAM, RES, MAKES, USES, ...) +1
#include "calls.def"
#undef DDIMAP_CALL
    ;

bool IsPointerKind(ArgKind k);

// Where the resource a call makes ends up: the index of its OutResource or
// InOutVirtAddr parameter, or -1 when the call returns it (or makes nothing).
int MadeParam(const CallDesc& d);

}  // namespace ddimap
