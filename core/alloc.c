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

/* The codecs' allocator hooks, with the chaff_allocator as their opaque
 * pointer, so compressed input and output obey the caller's allocator too. */
void *chaff__zstd_alloc(void *opaque, size_t size)
{
    return chaff__alloc(opaque, size);
}

void chaff__zstd_free(void *opaque, void *p)
{
    chaff__free(opaque, p);
}

void *chaff__zlib_alloc(void *opaque, unsigned items, unsigned size)
{
    return chaff__calloc(opaque, items, size); /* checks items * size for overflow */
}

void chaff__zlib_free(void *opaque, void *p)
{
    chaff__free(opaque, p);
}
