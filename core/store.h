/* core/store.h - what is kept about each kept record: its index, its exact
 * hash, and the shingle sample that verifies near-duplicate candidates. */
#ifndef CHAFF_STORE_H
#define CHAFF_STORE_H

#include <xxhash.h>
#include "internal.h"

/* At most this many shingle hashes are stored per kept record: all of them
 * for records up to this size (verification is then exact), the smallest ones
 * (a bottom-k sample) for longer records (verification is then an unbiased
 * estimate with about the spread of a 256-permutation MinHash). */
#define CHAFF_VERIFY_CAP 256

typedef struct chaff__store {
    chaff_allocator alloc;
    size_t n, cap;           /* kept records with words */
    uint64_t *index;         /* caller's record index per kept id */
    XXH128_hash_t *exact;    /* exact hash per kept id */
    const uint32_t **set;    /* each kept record's sample, sorted ascending */
    uint32_t *len;           /* its length; CHAFF__TRUNCATED set when a sample */
    unsigned char *variant;  /* v > 0: a crop variant of the kept record id - v */
    uint32_t **seg;          /* the samples live in segments of CHAFF__SEGMENT */
    size_t nseg, segcap, seg_used;
    uint32_t *table;         /* exact-hash table of kept ids, UINT32_MAX = empty */
    size_t table_cap;
    size_t keep_cap;         /* values kept per record: CHAFF_VERIFY_CAP, or all of them */
    size_t big_bytes;        /* what segments larger than CHAFF__SEGMENT add */
} chaff__store;

#define CHAFF__TRUNCATED 0x80000000u
/* Values per sample segment: 4 MiB. A sample never straddles two segments, so
 * at most CHAFF_VERIFY_CAP values per segment go unused. */
#define CHAFF__SEGMENT (1u << 20)

void chaff__store_init(chaff__store *s, const chaff_allocator *a);
void chaff__store_free(chaff__store *s);

/* Starts loading the exact-table slot a lookup of h will read first. */
void chaff__store_prefetch_exact(const chaff__store *s, XXH128_hash_t h);

/* The kept id whose exact hash equals h, or UINT32_MAX. */
uint32_t chaff__store_find_exact(const chaff__store *s, XXH128_hash_t h);

/* Keeps a record: sh[0..n) sorted and unique. Returns its kept id in *id. */
chaff_status chaff__store_add(chaff__store *s, uint64_t index, XXH128_hash_t h,
                              const uint32_t *sh, size_t n, uint32_t *id);

/* Keeps frames that stand for record index without being it (a kept video's
 * crop variant, added mark ids after that video, 0 < mark < 256): verified
 * like a kept record, never found by exact hash. */
chaff_status chaff__store_add_variant(chaff__store *s, uint64_t index, unsigned mark,
                                      const uint32_t *sh, size_t n, uint32_t *id);

/* Jaccard similarity of the full sorted set q[0..n) with kept record id: exact
 * when that record's set was stored whole, a bottom-k estimate otherwise.
 * Returns a value < 0 when the sizes alone rule out reaching min_j. */
/* Frame records are kept whole (verification needs every frame): set before
 * the first add. Their values are 64-bit frame hashes as pairs of uint32. */
void chaff__store_keep_all(chaff__store *s);

/* Share of the frames of the shorter of (kept record id, q[0..n)) that have a
 * frame in the other within max_hamming bits; q and the kept record are frame
 * hashes as uint32 pairs (n counts frames). Returns a value < 0 as soon as the
 * share cannot reach min_share. */
double chaff__store_frame_share(const chaff__store *s, uint32_t id, const uint32_t *q, size_t n,
                                unsigned max_hamming, double min_share);

double chaff__store_jaccard(const chaff__store *s, uint32_t id, const uint32_t *q, size_t n,
                            double min_j);

size_t chaff__store_bytes(const chaff__store *s);

/* core/frame_share_popcnt.c: the loop of chaff__store_frame_share() with POPCNT */
size_t chaff__frame_share_popcnt(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                                 unsigned max_hamming, size_t max_missed);

#endif
