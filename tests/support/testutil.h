/* tests/support/testutil.h - the seeded random generator several test
 * programs use. */
#ifndef CHAFF_TEST_UTIL_H
#define CHAFF_TEST_UTIL_H

#include <stdint.h>

/* splitmix64: the next value of the sequence whose state is *s */
static inline uint64_t test_splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#endif
