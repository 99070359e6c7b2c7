/* core/decontam.c - reference word n-grams in one hash set; records looked up against it.
 *
 * The key of an n-gram. Each word already has a seeded 64-bit XXH3 hash u
 * from the tokenizer; the n-gram's key is the polynomial
 *     H = sum over j < n of w[j] * B^(n-1-j)  (mod p = 2^61 - 1),  w = u mod p,
 * with B drawn from the seed. Sliding the window one word is O(1) (multiply
 * by B, take out the leaving word times B^n, add the new one), so lookups
 * cost the same per word for any n, and H depends on nothing but the n word
 * hashes: equal word sequences always get equal keys.
 * dedup's shingle combination (XOR of word hashes rotated by 13 per position)
 * is not used here: it is linear over GF(2), so equal-count repeats can
 * cancel (positions 0 and 64 share a rotation; for n > 32 some pairs of
 * positions leave 2^-32 collision odds), and decontamination allows long n.
 *
 * Collision bound. Take the word hashes as random and two different word
 * sequences a, b of length n. H(a) - H(b) = sum over distinct words W of
 * w(W) * c_W(B), where c_W has coefficient [a_j = W] - [b_j = W] at B^(n-1-j):
 * a polynomial of degree < n with coefficients in {-1, 0, 1}, not zero for
 * W = a_j at a position j where a and b differ. If c_W(B) != 0, the keys are
 * equal for one value of w(W) only: probability 1/p (w is u mod p, which is
 * uniform to within 2^-61). c_W(B) = 0 needs B to be a root of one of the
 * 3^n such polynomials, each with at most n - 1 roots, so for n <= 24 a
 * seed's B is bad with probability at most 3^n (n-1) / p (n = 13: < 1e-11),
 * and in general any one pair collides with probability at most n / p.
 * So with R distinct reference n-grams and Q n-grams looked up, the expected
 * number of false matches is about R Q / 2^61 (at most R Q n / 2^61): for
 * 10^7 reference n-grams against 10^10 corpus words, 0.04 false drops over
 * the whole run. Keys are not checked against the words; a false drop would
 * still name a reference record, which can be inspected.
 *
 * The set. Open addressing with linear probing over a key array (H + 1, so
 * 0 marks an empty slot) and a parallel array of 32-bit record numbers,
 * read only on a hit. Slot = (H * cap) >> 61, so any capacity works: while
 * adding, the table grows by 1.5 at a load of 0.7 (between 0.47 and 0.7
 * full); _seal then shrinks it to 0.8. Record numbers index the caller's
 * 64-bit ids, stored once per record that holds an n-gram.
 * Lookups nearly all miss, and a table of millions of n-grams is far larger
 * than the cache, so a blocked Bloom filter goes first: one 64-bit word per
 * key, 4 bits set in it, 8 bits a slot while adding and 14 a key after
 * _seal (1 to 2 bytes an n-gram, 8 to 16 times smaller than the table; about
 * 1% of misses get through). A key held always passes its filter, so the
 * filter never hides a match. Both loops go BLOCK windows at a time: all
 * keys first, prefetching what they will touch (the filter words, then the
 * slots of the keys that pass; when adding, slots and filter words), so
 * that cache misses overlap instead of queueing. Lookups only read, so any
 * number of threads may run them at once.
 */
#include <stdlib.h>
#include "decontam.h"
#include "filter.h" /* chaff__fwork: per-thread scratch for _find_w */

__extension__ typedef unsigned __int128 u128;

#define P61 ((((uint64_t)1) << 61) - 1)
#define BLOCK 64             /* windows keyed (and their memory fetched) at a time */

struct chaff__decontam {
    chaff_allocator alloc;
    uint64_t seed;
    unsigned n;
    uint64_t base, base_n;   /* B and B^n mod p */
    uint64_t *key;           /* cap slots: 0 = empty, else H + 1 */
    uint32_t *rec;           /* cap slots: index into ref[] */
    size_t cap, count, limit;
    uint64_t *filt;          /* nfilt words: the blocked Bloom filter */
    size_t nfilt;
    uint64_t *ref;           /* the caller's ids, one per record holding n-grams */
    size_t nref, ref_cap;
    uint64_t texts, short_texts, ngrams_added;
};

/* x mod p for any 64-bit x: fold the top 3 bits onto the low 61 (2^61 = 1). */
static inline uint64_t mod_p(uint64_t x)
{
    x = (x & P61) + (x >> 61);
    return x >= P61 ? x - P61 : x;
}

/* a * b mod p for a, b < p: the product is below (p - 1)^2, so its high part
 * is below p and one subtraction finishes. */
static inline uint64_t mul_p(uint64_t a, uint64_t b)
{
    u128 z = (u128)a * b;
    uint64_t r = ((uint64_t)z & P61) + (uint64_t)(z >> 61);
    return r >= P61 ? r - P61 : r;
}

static inline size_t slot_of(uint64_t h, size_t cap)
{
    return (size_t)(((u128)h * cap) >> 61);
}

/* The filter word of key h and the 4 bits h sets in it. The word is
 * picked by the high bits of a multiple of h, the bits by its low ones,
 * while the table slot takes h's own high bits: close to independent. */
static inline size_t filt_word(uint64_t h, size_t nfilt, uint64_t *mask)
{
    uint64_t g = h * 0x9E3779B97F4A7C15ULL;
    *mask = (uint64_t)1 << (g & 63) | (uint64_t)1 << (g >> 6 & 63) |
            (uint64_t)1 << (g >> 12 & 63) | (uint64_t)1 << (g >> 18 & 63);
    return (size_t)(((u128)g * nfilt) >> 64);
}

/* The key of the window u[0..n). */
static inline uint64_t first_key(const chaff__decontam *d, const uint64_t *u)
{
    uint64_t h = 0;
    for (size_t j = 0; j < d->n; j++)
        h = mod_p(mul_p(h, d->base) + mod_p(u[j]));
    return h;
}

/* The key of the window after h's, which loses out and gains in. */
static inline uint64_t roll_key(const chaff__decontam *d, uint64_t h, uint64_t out, uint64_t in)
{
    /* each term below p: the sum is below 3p, which mod_p takes */
    return mod_p(mul_p(h, d->base) + (P61 - mul_p(mod_p(out), d->base_n)) + mod_p(in));
}

/* Keys of the windows of u, BLOCK at a time: h[j] = key of window at + j,
 * for j < nb. *carry is the key of window at - 1 (ignored for at = 0) and
 * becomes that of the block's last window. */
static inline void block_keys(const chaff__decontam *d, const uint64_t *u, size_t at, size_t nb,
                              uint64_t *carry, uint64_t *h)
{
    uint64_t x = *carry;
    for (size_t j = 0; j < nb; j++) {
        size_t i = at + j;
        x = i ? roll_key(d, x, u[i - 1], u[i - 1 + d->n]) : first_key(d, u);
        h[j] = x;
    }
    *carry = x;
}

chaff_status chaff__decontam_new(chaff__decontam **out, const chaff_options *o, unsigned n,
                                 const chaff_allocator *a)
{
    *out = NULL;
    if (n < 1 || n > CHAFF__DECONTAM_NMAX)
        return CHAFF_E_ARG;
    chaff_allocator al = chaff__allocator(a);
    chaff__decontam *d = chaff__calloc(&al, 1, sizeof *d);
    if (!d)
        return CHAFF_E_NOMEM;
    d->alloc = al;
    d->seed = o->seed;
    d->n = n;
    /* B from the seed (splitmix64's finaliser), kept away from 0 and 1,
     * which would make H ignore word order or all but the last word. */
    uint64_t z = o->seed + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    d->base = 2 + z % (P61 - 3);
    d->base_n = 1;
    for (unsigned j = 0; j < n; j++)
        d->base_n = mul_p(d->base_n, d->base);
    *out = d;
    return CHAFF_OK;
}

void chaff__decontam_free(chaff__decontam *d)
{
    if (!d)
        return;
    chaff_allocator a = d->alloc;
    chaff__free(&a, d->key);
    chaff__free(&a, d->rec);
    chaff__free(&a, d->filt);
    chaff__free(&a, d->ref);
    chaff__free(&a, d);
}

unsigned chaff__decontam_n(const chaff__decontam *d)
{
    return d->n;
}

void chaff__decontam_stats_get(const chaff__decontam *d, chaff__decontam_stats *s)
{
    s->texts = d->texts;
    s->short_texts = d->short_texts;
    s->ngrams_added = d->ngrams_added;
    s->ngrams = d->count;
    s->records = d->nref;
    s->bytes = sizeof *d + d->cap * (sizeof *d->key + sizeof *d->rec) +
               d->nfilt * sizeof *d->filt + d->ref_cap * sizeof *d->ref;
}

/* Puts key h with record r unless h is there already; returns 1 if put. */
static inline int insert(uint64_t *key, uint32_t *rec, size_t cap, uint64_t h, uint32_t r)
{
    uint64_t k = h + 1;
    for (size_t i = slot_of(h, cap);;) {
        uint64_t s = key[i];
        if (s == 0) {
            key[i] = k;
            rec[i] = r;
            return 1;
        }
        if (s == k)
            return 0;
        if (++i == cap)
            i = 0;
    }
}

/* Moves every key into a table of cap slots (more than count) and a filter
 * of nfilt words. On failure nothing changes. */
static chaff_status rebuild(chaff__decontam *d, size_t cap, size_t nfilt)
{
    if (cap > SIZE_MAX / sizeof(uint64_t))
        return CHAFF_E_NOMEM;
    uint64_t *key = chaff__calloc(&d->alloc, cap, sizeof *key);
    uint32_t *rec = key ? chaff__alloc(&d->alloc, cap * sizeof *rec) : NULL;
    uint64_t *filt = rec ? chaff__calloc(&d->alloc, nfilt, sizeof *filt) : NULL;
    if (!filt) {
        chaff__free(&d->alloc, key);
        chaff__free(&d->alloc, rec);
        return CHAFF_E_NOMEM;
    }
    /* Slots are in key order in both tables (slot_of is monotonic), so the
     * inserts stream; the filter words are random, hence fetched ahead. */
    for (size_t i = 0; i < d->cap; i++) {
        uint64_t bits;
        if (i + BLOCK < d->cap && d->key[i + BLOCK])
            __builtin_prefetch(filt + filt_word(d->key[i + BLOCK] - 1, nfilt, &bits));
        if (d->key[i]) {
            uint64_t h = d->key[i] - 1;
            insert(key, rec, cap, h, d->rec[i]);
            size_t fw = filt_word(h, nfilt, &bits); /* before bits is read */
            filt[fw] |= bits;
        }
    }
    chaff__free(&d->alloc, d->key);
    chaff__free(&d->alloc, d->rec);
    chaff__free(&d->alloc, d->filt);
    d->key = key;
    d->rec = rec;
    d->filt = filt;
    d->nfilt = nfilt;
    d->cap = cap;
    d->limit = cap / 10 * 7;
    return CHAFF_OK;
}

/* While adding: 1.5 times the slots, 8 filter bits a slot (11 to 17 an n-gram). */
static chaff_status grow_table(chaff__decontam *d)
{
    size_t cap = d->cap ? d->cap + d->cap / 2 : 1024;
    return rebuild(d, cap, cap / 8);
}

/* Once built: slots for a load of 0.8 and 14 filter bits a key. Misses
 * rarely get past the filter, so the fuller table costs little; the
 * probes of a hit are a few more. */
chaff_status chaff__decontam_seal(chaff__decontam *d)
{
    if (d->nref && d->nref < d->ref_cap) { /* a failed shrink keeps the old block */
        uint64_t *r = chaff__realloc(&d->alloc, d->ref, d->nref * sizeof *r);
        if (r) {
            d->ref = r;
            d->ref_cap = d->nref;
        }
    }
    size_t cap = d->count + d->count / 4 + 1;
    if (cap < 1024 || cap >= d->cap)
        return CHAFF_OK;
    return rebuild(d, cap, (d->count * 14 + 63) / 64);
}

chaff_status chaff__decontam_add(chaff__decontam *d, chaff__tok *tok, const char *text,
                                 size_t len, uint64_t ref)
{
    if (tok->seed != d->seed)
        return CHAFF_E_ARG;
    chaff_status st = chaff__tokenize_words(tok, text, len);
    if (st)
        return st;
    d->texts++;
    size_t m = tok->nunits;
    if (m < d->n) {
        d->short_texts++;
        return CHAFF_OK;
    }
    /* Room for this text's id before any of its n-grams can point to it. */
    if (d->nref >= UINT32_MAX)
        return CHAFF_E_ARG;
    if (d->nref == d->ref_cap) {
        size_t c = d->ref_cap ? d->ref_cap * 2 : 256;
        uint64_t *r = chaff__realloc(&d->alloc, d->ref, c * sizeof *r);
        if (!r)
            return CHAFF_E_NOMEM;
        d->ref = r;
        d->ref_cap = c;
    }
    const uint32_t r = (uint32_t)d->nref;
    size_t count = m - d->n + 1;
    uint64_t carry = 0, h[BLOCK];
    for (size_t at = 0; at < count; at += BLOCK) {
        size_t nb = CHAFF_MIN(BLOCK, count - at);
        block_keys(d, tok->units, at, nb, &carry, h);
        if (d->cap)
            for (size_t j = 0; j < nb; j++) {
                uint64_t bits;
                __builtin_prefetch(d->key + slot_of(h[j], d->cap));
                __builtin_prefetch(d->filt + filt_word(h[j], d->nfilt, &bits));
            }
        for (size_t j = 0; j < nb; j++) {
            uint64_t bits;
            if (d->count >= d->limit && (st = grow_table(d)))
                return st;
            d->ngrams_added++;
            if (insert(d->key, d->rec, d->cap, h[j], r)) {
                size_t fw = filt_word(h[j], d->nfilt, &bits); /* before bits is read */
                d->filt[fw] |= bits;
                d->count++;
                if (d->nref == r)
                    d->ref[d->nref++] = ref;
            }
        }
    }
    return CHAFF_OK;
}

int chaff__decontam_find_units(const chaff__decontam *d, const uint64_t *units, size_t nunits,
                               chaff__decontam_hit *hit)
{
    hit->found = 0;
    hit->ref = 0;
    hit->word = 0;
    /* Fewer than n words: no n-gram, so never a match (the record is kept). */
    if (nunits < d->n || d->count == 0)
        return 0;
    size_t count = nunits - d->n + 1;
    const uint64_t *key = d->key, *filt = d->filt;
    const size_t cap = d->cap, nfilt = d->nfilt;
    uint64_t carry = 0, h[BLOCK], mask[BLOCK];
    size_t word[BLOCK];
    uint32_t cand[BLOCK];
    for (size_t at = 0; at < count; at += BLOCK) {
        /* keys and their filter words, fetched; then the filter, and the
         * slots of the keys that pass it, fetched; then those slots */
        size_t nb = CHAFF_MIN(BLOCK, count - at), nc = 0;
        block_keys(d, units, at, nb, &carry, h);
        for (size_t j = 0; j < nb; j++) {
            word[j] = filt_word(h[j], nfilt, &mask[j]);
            __builtin_prefetch(filt + word[j]);
        }
        for (size_t j = 0; j < nb; j++)
            if ((filt[word[j]] & mask[j]) == mask[j]) {
                cand[nc++] = (uint32_t)j;
                __builtin_prefetch(key + slot_of(h[j], cap));
            }
        for (size_t c = 0; c < nc; c++) {
            uint64_t k = h[cand[c]] + 1;
            for (size_t s = slot_of(k - 1, cap); key[s]; s = s + 1 == cap ? 0 : s + 1)
                if (key[s] == k) {
                    hit->found = 1;
                    hit->ref = d->ref[d->rec[s]];
                    hit->word = at + cand[c];
                    return 1;
                }
        }
    }
    return 0;
}

chaff_status chaff__decontam_find(const chaff__decontam *d, chaff__tok *tok, const char *text,
                                  size_t len, chaff__decontam_hit *hit)
{
    hit->found = 0;
    if (tok->seed != d->seed)
        return CHAFF_E_ARG;
    chaff_status st = chaff__tokenize_words(tok, text, len);
    if (st)
        return st;
    chaff__decontam_find_units(d, tok->units, tok->nunits, hit);
    return CHAFF_OK;
}

static void free_slot_tok(const chaff_allocator *a, void *p)
{
    chaff__tok_free(p);
    chaff__free(a, p);
}

chaff_status chaff__decontam_find_w(const chaff__decontam *d, chaff__fwork *w, const char *text,
                                    size_t len, chaff__decontam_hit *hit)
{
    hit->found = 0;
    chaff__tok *t = w->slot[CHAFF__DECONTAM_SLOT];
    if (t && t->seed != d->seed) { /* another object, another seed */
        free_slot_tok(&w->alloc, t);
        w->slot[CHAFF__DECONTAM_SLOT] = t = NULL;
    }
    if (!t) {
        if (!(t = chaff__alloc(&w->alloc, sizeof *t)))
            return CHAFF_E_NOMEM;
        chaff_options o;
        chaff_options_default(&o);
        o.seed = d->seed;
        o.alloc = w->alloc;
        chaff__tok_init(t, &o);
        w->slot[CHAFF__DECONTAM_SLOT] = t;
        w->slot_free[CHAFF__DECONTAM_SLOT] = free_slot_tok;
    }
    return chaff__decontam_find(d, t, text, len, hit);
}
