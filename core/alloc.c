/* core/alloc.c - allocation through the caller's hooks.
 * One realloc-shaped hook keeps the options struct small; NULL means libc. */
#include <stdlib.h>
#include "internal.h"

static void *default_fn(void *opaque, void *ptr, size_t size)
{
    (void)opaque;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

chaff_allocator chaff__allocator(const chaff_allocator *a)
{
    chaff_allocator d = { default_fn, NULL };
    return (a && a->fn) ? *a : d;
}

void *chaff__alloc(const chaff_allocator *a, size_t size)
{
    if (size == 0)
        size = 1;
    return (a && a->fn) ? a->fn(a->opaque, NULL, size) : malloc(size);
}

void *chaff__calloc(const chaff_allocator *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = chaff__alloc(a, n * size);
    if (p)
        memset(p, 0, n * size > 0 ? n * size : 1);
    return p;
}

void *chaff__realloc(const chaff_allocator *a, void *p, size_t size)
{
    if (size == 0)
        size = 1;
    return (a && a->fn) ? a->fn(a->opaque, p, size) : realloc(p, size);
}

void chaff__free(const chaff_allocator *a, void *p)
{
    if (!p)
        return;
    if (a && a->fn)
        a->fn(a->opaque, p, 0);
    else
        free(p);
}
