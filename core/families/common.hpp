// Checks and steps every family shares: the unmap address classification,
// making a device mapping, and checking an access.
#pragma once

#include <optional>

#include "machine/state.hpp"

namespace ddimap::families {

// The per-family rule ids of the address sub-rules of an unmap.
struct UnmapRules {
  RuleId not_mapped, interior, double_unmap, other_owner, other_family;
  bool interior_releases = false;  // VideoPortUnmapMemory: interior is legal
};

// Classifies `address` for an unmap by `family` on behalf of `owner` (nullopt:
// the function takes no owner). Reports and returns nullptr when the address
// is not acceptable; otherwise returns the live mapping.
Mapping* CheckUnmapAddress(Machine::State& s, u64 address, Family family, std::optional<u64> owner,
                           const UnmapRules& rules);

struct MapRequest {
  Family family;
  u64 owner;
  Region region;
  u64 process = 0;
  PhysSpace space = PhysSpace::Memory;
  u64 pa;
  u64 length;         // the mapped length (for unmap comparison)
  u64 access_length;  // accessible bytes from base
  u32 cache = kMmNonCached;
  bool readable = true;  // MmMapIoSpaceEx PAGE_EXECUTE: neither readable nor writable
  bool writable = true;
  RuleId conflict_rule = RuleId::MmIoCacheConflict;
  u64 start_device = 0;  // MM: the WDM device whose start IRP is running
};

enum class MapFail { None, Conflict, NoSpace };

// Maps [pa, pa+length) (overflow already excluded): checks the caching type
// against live mappings (reporting conflict_rule), reserves address space, and
// records the mapping with the current call as creator.
Mapping* MapPhysical(Machine::State& s, const MapRequest& r, MapFail* fail);

// Whether [pa, pa+len) lies inside one resource of device `owner` (a handle)
// in `space`; returns it.
const ResourceRange* FindResource(const Machine::State& s, u64 owner, PhysSpace space, u64 pa, u64 len);

// Checks an access of `width` bytes at `address`. `umdf_device` != 0: the
// access comes through that device's register helpers (pseudo addresses are
// legal, and must be that device's). Reports and returns nullptr when refused.
const Mapping* CheckAccess(Machine::State& s, u64 address, unsigned width, bool write, u64 umdf_device);

// The highest IRQL a DDI may be called at (its DDIMAP_IRQL row in calls.def).
constexpr u8 IrqlBound(CallId id) { return *Call(id).max_irql; }

// Reports the call's IRQL rule (its calls.def row): the IRQL is above `bound`.
void ReportIrql(Machine::State& s, CallId id, u8 bound);

// Above `bound`: reports the call's IRQL rule and returns false. Families pass
// the row's bound; a mutant may pass another. Inline because every map and
// unmap passes here: the common case must stay one compare.
inline bool CheckIrql(Machine::State& s, CallId id, u8 bound) {
  if (s.irql <= bound) [[likely]] return true;
  ReportIrql(s, id, bound);
  return false;
}
inline bool CheckIrql(Machine::State& s, CallId id) { return CheckIrql(s, id, IrqlBound(id)); }

// Register and buffer accesses are 1, 2, 4 or 8 bytes wide.
inline bool ValidWidth(unsigned w) { return w == 1 || w == 2 || w == 4 || w == 8; }

// Reads/writes little-endian through an accepted mapping.
u64 LoadThrough(Machine::State& s, const Mapping& m, u64 address, unsigned width);
void StoreThrough(Machine::State& s, const Mapping& m, u64 address, unsigned width, u64 value);

}  // namespace ddimap::families
