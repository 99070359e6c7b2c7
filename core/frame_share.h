/* core/frame_share.h - the matched-frame count behind chaff__store_frame_share().
 *
 * Included by store.c (baseline) and frame_share_popcnt.c (built with
 * -mpopcnt), each defining CHAFF_FRAME_SHARE_FN as the function's name, so
 * that one body serves both. Frames are 64-bit hashes stored as uint32 pairs.
 * Returns how many of a[0..na) have a frame of b[0..nb) within max_hamming
 * bits, or SIZE_MAX as soon as more than max_missed have none. */
#include <stdint.h>
#include <string.h>

size_t CHAFF_FRAME_SHARE_FN(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                            unsigned max_hamming, size_t max_missed);

size_t CHAFF_FRAME_SHARE_FN(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                            unsigned max_hamming, size_t max_missed)
{
    size_t matched = 0, missed = 0;
    for (size_t i = 0; i < na; i++) {
        uint64_t x;
        memcpy(&x, a + 2 * i, sizeof x);
        size_t j = 0;
        for (; j < nb; j++) {
            uint64_t y;
            memcpy(&y, b + 2 * j, sizeof y);
#ifdef __POPCNT__
            unsigned d = (unsigned)__builtin_popcountll(x ^ y);
#else
            unsigned d = chaff__popcount64(x ^ y);
#endif
            if (d <= max_hamming)
                break;
        }
        if (j < nb)
            matched++;
        else if (++missed > max_missed)
            return SIZE_MAX;
    }
    return matched;
}
