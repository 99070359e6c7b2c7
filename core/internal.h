/* core/internal.h - what the library's modules share and users never see. */
#ifndef CHAFF_INTERNAL_H
#define CHAFF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "chaff.h"

/* Every external symbol that is not public API starts with chaff__ (two
 * underscores) and has hidden visibility, so it cannot clash with the caller's. */

/* Allocation through the caller's hooks (or realloc/free when none). */
void *chaff__alloc(const chaff_allocator *a, size_t size);
void *chaff__calloc(const chaff_allocator *a, size_t n, size_t size);
void *chaff__realloc(const chaff_allocator *a, void *p, size_t size);
void chaff__free(const chaff_allocator *a, void *p);
/* The allocator to keep in an object: a copy of *a, or the default when a is NULL. */
chaff_allocator chaff__allocator(const chaff_allocator *a);

/* Hooks for ZSTD_customMem and z_stream (zlib's voidpf and uInt are void *
 * and unsigned int); opaque is a chaff_allocator *. */
void *chaff__zstd_alloc(void *opaque, size_t size);
void chaff__zstd_free(void *opaque, void *p);
void *chaff__zlib_alloc(void *opaque, unsigned items, unsigned size);
void chaff__zlib_free(void *opaque, void *p);

/* Set bits of x. The baseline x86-64 target has no POPCNT instruction, and
 * __builtin_popcountll then calls a libgcc loop; this is a dozen inline
 * operations. */
static inline unsigned chaff__popcount64(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* A threshold's value from its text: a decimal number (no hex, no blanks),
 * whole where p->integer, within p->lo..p->hi; else CHAFF_E_ARG and why says
 * "NAME: ..." (core/filter.c; the text presets and the video rules share it). */
chaff_status chaff__param_parse(const chaff_filter_param *p, const char *value, double *out,
                                char *why, size_t why_cap);

#define CHAFF_LIKELY(x) __builtin_expect(!!(x), 1)
#define CHAFF_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define CHAFF_MIN(a, b) ((a) < (b) ? (a) : (b))
#define CHAFF_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
