/* miniport.h under ddimap: the base definitions a video miniport includes
 * before video.h. */
#ifndef DDIMAP_WDK_MINIPORT_H_
#define DDIMAP_WDK_MINIPORT_H_

#include "../wdk.h"

#endif /* DDIMAP_WDK_MINIPORT_H_ */
