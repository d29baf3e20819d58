/* miniport.h under ddimap: the base definitions a video miniport includes
 * before video.h: the bus and interrupt vocabulary of its configuration. */
#ifndef DDIMAP_WDK_MINIPORT_H_
#define DDIMAP_WDK_MINIPORT_H_

#include "../wdk.h"

#ifdef __cplusplus
#define DDIMAP_MINIPORT_ENUM_BASE : int
#else
#define DDIMAP_MINIPORT_ENUM_BASE
#endif

typedef enum _INTERFACE_TYPE DDIMAP_MINIPORT_ENUM_BASE {
  InterfaceTypeUndefined = -1,
  Internal,
  Isa,
  Eisa,
  MicroChannel,
  TurboChannel,
  PCIBus,
  VMEBus,
  NuBus,
  PCMCIABus,
  CBus,
  MPIBus,
  MPSABus,
  ProcessorInternal,
  InternalPowerBus,
  PNPISABus,
  PNPBus,
  Vmcs,
  ACPIBus,
  MaximumInterfaceType
} INTERFACE_TYPE, *PINTERFACE_TYPE;

typedef enum _KINTERRUPT_MODE DDIMAP_MINIPORT_ENUM_BASE { LevelSensitive, Latched } KINTERRUPT_MODE;

typedef enum _DMA_WIDTH DDIMAP_MINIPORT_ENUM_BASE { Width8Bits, Width16Bits, Width32Bits, MaximumDmaWidth } DMA_WIDTH,
    *PDMA_WIDTH;

typedef enum _DMA_SPEED DDIMAP_MINIPORT_ENUM_BASE { Compatible, TypeA, TypeB, TypeC, TypeF, MaximumDmaSpeed } DMA_SPEED,
    *PDMA_SPEED;

#undef DDIMAP_MINIPORT_ENUM_BASE

#endif /* DDIMAP_WDK_MINIPORT_H_ */
