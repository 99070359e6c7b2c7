/* core/frame_share_popcnt.c - the matched-frame count with the POPCNT
 * instruction (CMake builds this file alone with -mpopcnt; store.c calls it
 * only on CPUs that have it). */
#include "internal.h"
#include "store.h"
#if defined(__x86_64__) && !defined(__POPCNT__)
#error "frame_share_popcnt.c must be built with -mpopcnt"
#endif
#define CHAFF_FRAME_SHARE_FN chaff__frame_share_popcnt
#include "frame_share.h"
