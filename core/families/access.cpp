// Register and buffer access through mapped addresses (docs/contracts.md, access).
#include "families/common.hpp"

namespace ddimap {
namespace {

CallId AccessCall(bool write, unsigned width) {
  switch (width) {
    case 1: return write ? CallId::WriteUchar : CallId::ReadUchar;
    case 2: return write ? CallId::WriteUshort : CallId::ReadUshort;
    case 4: return write ? CallId::WriteUlong : CallId::ReadUlong;
    default: return write ? CallId::WriteUlong64 : CallId::ReadUlong64;
  }
}

}  // namespace

u64 Machine::Read(u64 address, unsigned width) {
  State& s = *s_;
  // An invalid width is still a call (it counts), but does nothing.
  if (!s.Begin(AccessCall(false, width), {address}) || !families::ValidWidth(width)) return 0;
  const Mapping* m = families::CheckAccess(s, address, width, false, 0);
  return m ? families::LoadThrough(s, *m, address, width) : 0;
}

void Machine::Write(u64 address, unsigned width, u64 value) {
  State& s = *s_;
  if (!s.Begin(AccessCall(true, width), {address, value}) || !families::ValidWidth(width)) return;
  if (const Mapping* m = families::CheckAccess(s, address, width, true, 0))
    families::StoreThrough(s, *m, address, width, value);
}

}  // namespace ddimap
