// The WDK names of the flag parameters (MmMapIoSpaceEx's Protect,
// VideoPortMapMemory's InIoSpace), once: reports print them, traces print
// and parse them.
#pragma once

#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "ddimap/types.hpp"

namespace ddimap {

struct FlagName {
  u64 bit;
  std::string_view name;
};

inline constexpr FlagName kProtectFlagNames[] = {
    {kPageReadOnly, "PAGE_READONLY"},       {kPageReadWrite, "PAGE_READWRITE"},
    {kPageExecute, "PAGE_EXECUTE"},         {kPageExecuteRead, "PAGE_EXECUTE_READ"},
    {kPageExecuteReadWrite, "PAGE_EXECUTE_READWRITE"}, {kPageNoCache, "PAGE_NOCACHE"},
    {kPageWriteCombine, "PAGE_WRITECOMBINE"}};
inline constexpr std::string_view kProtectZero = "0";

inline constexpr FlagName kVideoFlagNames[] = {{kVideoMemorySpaceIo, "VIDEO_MEMORY_SPACE_IO"},
                                               {kVideoMemorySpaceUserMode, "VIDEO_MEMORY_SPACE_USER_MODE"},
                                               {kVideoMemorySpaceDense, "VIDEO_MEMORY_SPACE_DENSE"},
                                               {kVideoMemorySpaceP6Cache, "VIDEO_MEMORY_SPACE_P6CACHE"}};
// VIDEO_MEMORY_SPACE_MEMORY is 0: the name of no bit set.
inline constexpr std::string_view kVideoFlagsZero = "VIDEO_MEMORY_SPACE_MEMORY";

// "A|B|0x..." (bits without a name in hex), or `zero` for 0.
inline std::string FormatFlags(u64 v, std::span<const FlagName> names, std::string_view zero) {
  if (v == 0) return std::string(zero);
  std::string out;
  for (const FlagName& f : names)
    if ((v & f.bit) != 0) {
      if (!out.empty()) out += "|";
      out += f.name;
      v &= ~f.bit;
    }
  if (v != 0) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    if (!out.empty()) out += "|";
    out += buf;
  }
  return out;
}

}  // namespace ddimap
