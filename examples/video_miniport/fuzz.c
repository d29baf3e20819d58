/* ddxvid (miniport.c) as a fuzz target: the kit runs DriverEntry
 * (VideoPortInitialize), HwVidFindAdapter and HwVidInitialize on video0, then
 * display-driver processes that map and unmap the frame buffer through
 * HwVidStartIO and exit (ddimap/fuzz_driver.h). */
#include <miniport.h>
#include <ntddvdeo.h>
#include <video.h>

#include "ddimap/fuzz_driver.h"

ULONG DriverEntry(PVOID Context1, PVOID Context2);

/* A request the miniport does not handle. */
static const ULONG ddxvid_other_requests[] = {IOCTL_VIDEO_QUERY_AVAIL_MODES};

static const DDIMAP_FUZZ_DRIVER ddxvid = {
    .name = "ddxvid",
    .family = DDIMAP_FUZZ_VIDEO,
    .video_driver_entry = DriverEntry,
    .world = "video0 memory 0xD0000000 0x800000 memory 0xFEBF0000 0x1000 port 0x3C0 0x20\n"
             "ram 0x100000 0x100000\n",
    .ioctls = ddxvid_other_requests,
    .ioctl_count = 1,
};

DDIMAP_FUZZ_DRIVER_TARGET(ddxvid)
