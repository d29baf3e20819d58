// The C API's copies of assigned resources in the WDK's layout: descriptors
// and lists handed to driver code live here, owned by the current machine's
// C API state and freed when that machine is destroyed.
#pragma once

#include "ddimap/machine.hpp"
#include "ddimap/wdk.h"

namespace ddimap::capi {

// Descriptor `index` of `owner`'s resources, or nullptr past the end. The
// same (owner, index) gives the same pointer for the machine's lifetime.
PCM_PARTIAL_RESOURCE_DESCRIPTOR StoredDescriptor(const Machine& m, u64 owner, u64 index);
// Fills a list's descriptors into `list`, which has room for `count` of them.
void FillResourceList(const Machine& m, u64 owner, PCM_PARTIAL_RESOURCE_LIST list, u32 count);
// A list of all of `owner`'s resources, or nullptr when it has none.
PCM_PARTIAL_RESOURCE_LIST StoredList(const Machine& m, u64 owner);
// Fills `count` VIDEO_ACCESS_RANGE elements from `owner`'s resources.
void FillAccessRanges(const Machine& m, u64 owner, PVIDEO_ACCESS_RANGE ranges, u32 count);
// Frees everything above (the machine goes).
void ReleaseResourceStore();

}  // namespace ddimap::capi
