/* tests/support/failalloc.h - an allocator that runs out after a set number of
 * allocations, for the tests that check every failure path returns
 * CHAFF_E_NOMEM and leaks nothing. */
#ifndef CHAFF_TEST_FAILALLOC_H
#define CHAFF_TEST_FAILALLOC_H

#include <stddef.h>

typedef struct failing {
    long left;               /* allocations that still succeed */
} failing;

/* A chaff_allocator function; opaque is a failing *. Frees always work. */
void *failing_fn(void *opaque, void *ptr, size_t size);

#endif
