/* core/lsh.c - the LSH index.
 *
 * Slots are placed by "fast range" (fp * cap >> 32), so a table can grow by
 * re-placing fingerprints without keeping the full band hash, and to any size,
 * not only powers of two. The table grows by half when it is 3/4 full, so it
 * runs between 1/2 and 3/4 full: a lookup that finds nothing scans about 8
 * slots (64 bytes, one or two cache lines) at the worst, and the table, the
 * largest part of the index, wastes far less than at a load of 1/4..1/2. */
#include <xxhash.h>
#include "lsh.h"

#define EMPTY UINT32_MAX

void chaff__lsh_init(chaff__lsh *l, const chaff_allocator *a)
{
    memset(l, 0, sizeof *l);
    l->alloc = chaff__allocator(a);
}

void chaff__lsh_free(chaff__lsh *l)
{
    chaff__free(&l->alloc, l->slots);
    l->slots = NULL;
    l->cap = l->count = 0;
}

static inline size_t home(uint32_t fp, size_t cap)
{
    return (size_t)(((uint64_t)fp * cap) >> 32);
}

static void place(chaff__lsh_slot *s, size_t cap, uint32_t fp, uint32_t id)
{
    size_t i = home(fp, cap);
    while (s[i].id != EMPTY)
        i = i + 1 == cap ? 0 : i + 1;
    s[i].fp = fp;
    s[i].id = id;
}

static chaff_status grow(chaff__lsh *l)
{
    size_t cap = l->cap ? l->cap + l->cap / 2 : 1024;
    if (cap > ((size_t)1 << 32))
        return CHAFF_E_NOMEM; /* fast range needs cap <= 2^32 */
    chaff__lsh_slot *s = chaff__alloc(&l->alloc, cap * sizeof *s);
    if (!s)
        return CHAFF_E_NOMEM;
    memset(s, 0xFF, cap * sizeof *s);
    for (size_t i = 0; i < l->cap; i++)
        if (l->slots[i].id != EMPTY)
            place(s, cap, l->slots[i].fp, l->slots[i].id);
    chaff__free(&l->alloc, l->slots);
    l->slots = s;
    l->cap = cap;
    return CHAFF_OK;
}

chaff_status chaff__lsh_reserve(chaff__lsh *l, size_t n)
{
    while ((l->count + n) * 4 > l->cap * 3) {
        chaff_status st = grow(l);
        if (st)
            return st;
    }
    return CHAFF_OK;
}

chaff_status chaff__lsh_insert(chaff__lsh *l, uint32_t fp, uint32_t id)
{
    chaff_status st = chaff__lsh_reserve(l, 1);
    if (st)
        return st;
    place(l->slots, l->cap, fp, id);
    l->count++;
    return CHAFF_OK;
}

/* Every slot from fp's home up to end was full when the query ran, and slots
 * are never emptied, so any empty slot from end on is reachable from home:
 * another band of the same record may have taken end itself meanwhile. */
void chaff__lsh_insert_at(chaff__lsh *l, uint32_t fp, uint32_t id, size_t end)
{
    chaff__lsh_slot *s = l->slots;
    while (s[end].id != EMPTY)
        end = end + 1 == l->cap ? 0 : end + 1;
    s[end].fp = fp;
    s[end].id = id;
    l->count++;
}

size_t chaff__lsh_query(const chaff__lsh *l, uint32_t fp, uint32_t *out, size_t max,
                        size_t *end)
{
    if (!l->cap) {
        if (end)
            *end = 0;
        return 0;
    }
    size_t i = home(fp, l->cap), n = 0;
    const chaff__lsh_slot *s = l->slots;
    while (s[i].id != EMPTY) {
        if (s[i].fp == fp) {
            if (n < max)
                out[n] = s[i].id;
            n++;
        }
        i = i + 1 == l->cap ? 0 : i + 1;
    }
    if (end)
        *end = i;
    return n;
}

void chaff__lsh_prefetch(const chaff__lsh *l, const uint32_t *fp, unsigned n)
{
    if (!l->cap)
        return;
    for (unsigned i = 0; i < n; i++)
        __builtin_prefetch(&l->slots[home(fp[i], l->cap)]);
}

void chaff__band_hashes(const uint32_t *sig, unsigned bands, unsigned rows, uint64_t seed,
                        uint32_t *fp)
{
    for (unsigned b = 0; b < bands; b++)
        fp[b] = (uint32_t)XXH3_64bits_withSeed(sig + (size_t)b * rows, rows * sizeof(uint32_t),
                                               seed + b);
}
