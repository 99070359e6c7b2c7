/* core/tokenize.h - text -> normalised words, exact hash and shingle hashes. */
#ifndef CHAFF_TOKENIZE_H
#define CHAFF_TOKENIZE_H

#include <xxhash.h>
#include "internal.h"

/* Reusable per-thread state: buffers grow to the largest record seen and are
 * never shrunk, so the steady state allocates nothing. */
typedef struct chaff__tok {
    chaff_allocator alloc;
    unsigned kind;           /* chaff_shingle_kind */
    unsigned n;              /* words or code points per shingle */
    uint64_t seed;
    char *norm;              /* normalised text: words joined by one space */
    size_t norm_len, norm_cap; /* norm_cap: the whole allocation, which starts
                                * a few bytes before norm (core/tokenize.c) */
    uint64_t *units;         /* per word (or code point): its 64-bit hash */
    size_t nunits, units_cap;
    uint32_t *sh;            /* shingle hashes, unsorted, may repeat */
    size_t nsh, sh_cap;
    XXH128_hash_t exact;     /* XXH3-128 of norm[0..norm_len) */
    uint32_t *ord;           /* scratch: word numbers grouped by length */
    size_t ord_cap;
    /* char shingles: the hash of each ASCII code point under seed */
    uint64_t ascii_hash[128];
} chaff__tok;

void chaff__tok_init(chaff__tok *t, const chaff_options *o);
void chaff__tok_free(chaff__tok *t);

/* Fills norm, units, sh and exact for text. Never fails on content (invalid
 * UTF-8 separates words); fails only with CHAFF_E_NOMEM. */
chaff_status chaff__tokenize(chaff__tok *t, const char *text, size_t len);

/* The first half of chaff__tokenize, for users of word n-grams other than
 * dedup (core/decontam.c): fills norm and units with the word hashes, whatever
 * t->kind is, exactly as chaff__tokenize does for CHAFF_SHINGLE_WORDS; leaves
 * nsh at 0 and exact unset. The same failures. */
chaff_status chaff__tokenize_words(chaff__tok *t, const char *text, size_t len);

/* Writes the values of src[0..n) to dst sorted, without repeats, and returns
 * how many there are. dst has room for n; src == dst is allowed (but slower).
 * Linear for the uniform hashes it is used on, except up to 64 values, where
 * a branch-free quadratic placement is faster. */
size_t chaff__sorted_set(const uint32_t *src, size_t n, uint32_t *dst);

#endif
