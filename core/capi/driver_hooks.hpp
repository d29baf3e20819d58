// What the driver fuzzing kit (harnesses/driver) reads of the C API's driver
// registrations, beyond control.h: the NDIS adapter context its handlers take
// and the adapter's interrupt, which the kit raises while it is registered.
#pragma once

#include "ddimap/types.hpp"
#include "ddimap/wdk/ndis.h"

namespace ddimap::capi {

struct NdisInterrupt {
  u64 adapter;
  NDIS_HANDLE context;  // MiniportInterruptContext
  MINIPORT_ISR_HANDLER isr;
  MINIPORT_INTERRUPT_DPC_HANDLER dpc;
  bool live;  // not deregistered
};
// The adapter's registered interrupt, or nullptr.
const NdisInterrupt* LiveNdisInterrupt(u64 adapter);
// The MiniportAdapterContext the adapter set (NdisMSetMiniportAttributes,
// NdisMSetAttributesEx); false when it set none.
bool NdisAdapterContext(u64 adapter, NDIS_HANDLE* context);

}  // namespace ddimap::capi
