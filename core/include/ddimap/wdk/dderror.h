/* dderror.h under ddimap: the Win32 error codes video miniports return as
 * VP_STATUS (values of winerror.h). */
#ifndef DDIMAP_WDK_DDERROR_H_
#define DDIMAP_WDK_DDERROR_H_

#include "../wdk.h"

#define ERROR_INVALID_FUNCTION 1L
#define ERROR_NOT_ENOUGH_MEMORY 8L
#define ERROR_DEV_NOT_EXIST 55L
#define ERROR_INSUFFICIENT_BUFFER 122L
#define ERROR_IO_PENDING 997L

#endif /* DDIMAP_WDK_DDERROR_H_ */
