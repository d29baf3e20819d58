// The runtime half of the NT vocabulary (ddimap/wdk/ntdef.h, video.h, wdk.h):
// DbgPrint and friends, a failed ASSERT, MmGetSystemRoutineAddress.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "capi/internal.hpp"
#include "ddimap/machine.hpp"
#include "ddimap/wdk.h"
#include "ddimap/wdk/video.h"

namespace {

bool DebugPrintOn() { return ddimap::capi::LazyMachine().options().debug_print; }

// 16-bit characters as ASCII ('?' above 0x7F), at most `chars` of them, up to a NUL.
void AppendWide(std::string* out, const WCHAR* s, std::size_t chars) {
  if (s == nullptr) {
    out->append("(null)");
    return;
  }
  for (std::size_t i = 0; i < chars && s[i] != 0; ++i) {
    const auto c = static_cast<unsigned>(s[i]);
    out->push_back(c < 0x80 ? static_cast<char>(c) : '?');
  }
}

// printf as the Windows kernel's DbgPrint reads its format: LLP64 sizes (%ld
// and %lx take a 32-bit ULONG; %I64x, %llx and %Ix a 64-bit one), %ws / %S /
// %ls a 16-bit string, %wZ a PUNICODE_STRING and %Z a PANSI_STRING. Each
// conversion consumes its argument with the type the driver passed, so one
// Windows-only conversion cannot shift the ones after it.
std::string FormatWindows(const char* format, va_list args) {
  std::string out;
  if (format == nullptr) return out;
  const char* p = format;
  while (*p != '\0') {
    if (*p != '%') {
      out.push_back(*p++);
      continue;
    }
    const char* start = p++;
    if (*p == '%') {
      out.push_back('%');
      ++p;
      continue;
    }
    std::string spec = "%";
    while (*p != '\0' && std::strchr("-+ #0", *p) != nullptr) spec.push_back(*p++);
    if (*p == '*') {
      spec += std::to_string(va_arg(args, int));
      ++p;
    } else {
      while (*p >= '0' && *p <= '9') spec.push_back(*p++);
    }
    if (*p == '.') {
      spec.push_back(*p++);
      if (*p == '*') {
        spec += std::to_string(va_arg(args, int));
        ++p;
      } else {
        while (*p >= '0' && *p <= '9') spec.push_back(*p++);
      }
    }
    // Length: 0 int, 1 64-bit, 2 wide (w / l on a string), 3 short, 4 char.
    int size = 0;
    bool wide = false;
    if (std::strncmp(p, "I64", 3) == 0) {
      size = 1;
      p += 3;
    } else if (std::strncmp(p, "I32", 3) == 0) {
      p += 3;
    } else if (*p == 'I' || *p == 'z' || *p == 'j' || *p == 't') {
      size = 1;
      ++p;
    } else if (p[0] == 'l' && p[1] == 'l') {
      size = 1;
      p += 2;
    } else if (p[0] == 'h' && p[1] == 'h') {
      size = 4;
      p += 2;
    } else if (*p == 'l' || *p == 'w') {
      wide = true;  // 32-bit for integers, 16-bit characters for strings
      ++p;
    } else if (*p == 'h') {
      size = 3;
      ++p;
    }
    const char conv = *p;
    if (conv == '\0') {
      out.append(start);
      break;
    }
    ++p;
    char buf[128];
    switch (conv) {
      case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': {
        const bool is_signed = conv == 'd' || conv == 'i';
        if (size == 1) {
          const unsigned long long v = va_arg(args, unsigned long long);
          spec += "ll";
          spec.push_back(conv);
          if (is_signed) {
            std::snprintf(buf, sizeof buf, spec.c_str(), static_cast<long long>(v));
          } else {
            std::snprintf(buf, sizeof buf, spec.c_str(), v);
          }
        } else {
          unsigned v = va_arg(args, unsigned);
          if (size == 3) v = is_signed ? static_cast<unsigned>(static_cast<short>(v)) : (v & 0xFFFFu);
          if (size == 4) v = is_signed ? static_cast<unsigned>(static_cast<signed char>(v)) : (v & 0xFFu);
          spec.push_back(conv);
          if (is_signed) {
            std::snprintf(buf, sizeof buf, spec.c_str(), static_cast<int>(v));
          } else {
            std::snprintf(buf, sizeof buf, spec.c_str(), v);
          }
        }
        out.append(buf);
        break;
      }
      case 'c': case 'C':
        out.push_back(static_cast<char>(va_arg(args, int)));
        break;
      case 'p':
        std::snprintf(buf, sizeof buf, "%016llX",
                      static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(va_arg(args, void*))));
        out.append(buf);
        break;
      case 's': case 'S':
        if (wide || conv == 'S') {
          AppendWide(&out, va_arg(args, const WCHAR*), static_cast<std::size_t>(-1));
        } else {
          const char* s = va_arg(args, const char*);
          out.append(s != nullptr ? s : "(null)");
        }
        break;
      case 'Z':
        if (wide) {
          const UNICODE_STRING* u = va_arg(args, const UNICODE_STRING*);
          if (u == nullptr) {
            out.append("(null)");
          } else {
            AppendWide(&out, u->Buffer, u->Length / sizeof(WCHAR));
          }
        } else {
          const ANSI_STRING* a = va_arg(args, const ANSI_STRING*);
          if (a == nullptr || a->Buffer == nullptr) {
            out.append("(null)");
          } else {
            out.append(a->Buffer, a->Length);
          }
        }
        break;
      default:
        // An unknown conversion: shown as written, no argument consumed.
        out.append(start, static_cast<std::size_t>(p - start));
        break;
    }
  }
  return out;
}

void Emit(const char* format, va_list args) {
  const std::string text = FormatWindows(format, args);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace

extern "C" {

ULONG DbgPrint(PCSTR Format, ...) {
  if (!DebugPrintOn()) return 0;
  va_list args;
  va_start(args, Format);
  Emit(Format, args);
  va_end(args);
  return 0;
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...) {
  (void)ComponentId;
  (void)Level;
  if (!DebugPrintOn()) return 0;
  va_list args;
  va_start(args, Format);
  Emit(Format, args);
  va_end(args);
  return 0;
}

void VideoPortDebugPrint(ULONG DebugPrintLevel, PCSTR DebugMessage, ...) {
  (void)DebugPrintLevel;
  if (!DebugPrintOn()) return;
  va_list args;
  va_start(args, DebugMessage);
  Emit(DebugMessage, args);
  va_end(args);
}

void ddimap_assert_failed(PCSTR Expression, PCSTR File, ULONG Line) {
  std::fprintf(stderr, "ERROR: ddimap: ASSERT failed: %s\n    at %s:%u\n", Expression != nullptr ? Expression : "?",
               File != nullptr ? File : "?", static_cast<unsigned>(Line));
  std::fflush(stderr);
  std::abort();
}

// The routines ddimap implements, by their exported names: a driver probing
// for MmMapIoSpaceEx (Windows 10+) finds it; any other name gives NULL, as an
// export the running kernel lacks does.
PVOID MmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName) {
  if (SystemRoutineName == nullptr || (SystemRoutineName->Length > 0 && SystemRoutineName->Buffer == nullptr))
    return nullptr;
  std::string name;
  AppendWide(&name, SystemRoutineName->Buffer, SystemRoutineName->Length / sizeof(WCHAR));
  struct Routine {
    std::string_view name;
    PVOID address;
  };
  const Routine routines[] = {
      {"MmMapIoSpace", reinterpret_cast<PVOID>(&MmMapIoSpace)},
      {"MmMapIoSpaceEx", reinterpret_cast<PVOID>(&MmMapIoSpaceEx)},
      {"MmUnmapIoSpace", reinterpret_cast<PVOID>(&MmUnmapIoSpace)},
      {"MmGetSystemRoutineAddress", reinterpret_cast<PVOID>(&MmGetSystemRoutineAddress)},
      {"DbgPrint", reinterpret_cast<PVOID>(&DbgPrint)},
      {"DbgPrintEx", reinterpret_cast<PVOID>(&DbgPrintEx)},
      {"KeGetCurrentIrql", reinterpret_cast<PVOID>(&KeGetCurrentIrql)},
  };
  for (const Routine& r : routines) {
    if (r.name == name) return r.address;
  }
  return nullptr;
}

}  // extern "C"
