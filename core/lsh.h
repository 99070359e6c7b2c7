/* core/lsh.h - the LSH index: band hash -> kept records that share it. */
#ifndef CHAFF_LSH_H
#define CHAFF_LSH_H

#include "internal.h"

/* A multimap from 32-bit band fingerprints to 32-bit kept-record ids, in one
 * open-addressing table for all bands (the band number is mixed into each
 * band's hash). A fingerprint can match by chance; that only adds a candidate,
 * which verification then rejects. */
typedef struct chaff__lsh_slot {
    uint32_t fp;
    uint32_t id;             /* UINT32_MAX = empty */
} chaff__lsh_slot;

typedef struct chaff__lsh {
    chaff_allocator alloc;
    chaff__lsh_slot *slots;
    size_t cap, count;
} chaff__lsh;

void chaff__lsh_init(chaff__lsh *l, const chaff_allocator *a);
void chaff__lsh_free(chaff__lsh *l);
chaff_status chaff__lsh_insert(chaff__lsh *l, uint32_t fp, uint32_t id);
/* Makes room for n more entries now, so that positions returned by queries
 * stay valid for chaff__lsh_insert_at() until those n are inserted. */
chaff_status chaff__lsh_reserve(chaff__lsh *l, size_t n);
/* Writes up to max ids stored under fp to out; returns how many there are in
 * all, so a result above max means: grow out and ask again. *end (if not
 * NULL) gets the empty slot that ended the scan: where fp would go. */
size_t chaff__lsh_query(const chaff__lsh *l, uint32_t fp, uint32_t *out, size_t max,
                        size_t *end);
/* Inserts at or after end (from a query for fp since the last reserve),
 * sparing the scan from fp's home that an insert would repeat. */
void chaff__lsh_insert_at(chaff__lsh *l, uint32_t fp, uint32_t id, size_t end);

/* Starts loading the slots that queries for fp[0..n) will read. */
void chaff__lsh_prefetch(const chaff__lsh *l, const uint32_t *fp, unsigned n);

/* Band fingerprints of a signature: fp[i] for band i of r rows. */
void chaff__band_hashes(const uint32_t *sig, unsigned bands, unsigned rows, uint64_t seed,
                        uint32_t *fp);

#endif
