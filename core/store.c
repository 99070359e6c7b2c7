/* core/store.c - kept records, their exact hashes and verification samples.
 *
 * Verification on stored shingle hashes rather than on the MinHash estimate is
 * what lets chaff drop exactly the pairs at or above the threshold: with 128
 * permutations the estimate's standard deviation near J = 0.8 is about 0.035,
 * so estimate-only verification loses about half of the pairs just above T.
 * The cost is 4 bytes per stored shingle hash (at most CHAFF_VERIFY_CAP).
 * Samples are appended to fixed segments rather than one growing array: no
 * doubling slack, and no copy of the whole store each time it grows. The
 * tables grow by half at 3/4 full, for the same reason. */
#include "store.h"

#define EMPTY UINT32_MAX

void chaff__store_init(chaff__store *s, const chaff_allocator *a)
{
    memset(s, 0, sizeof *s);
    s->alloc = chaff__allocator(a);
    s->keep_cap = CHAFF_VERIFY_CAP;
}

void chaff__store_keep_all(chaff__store *s)
{
    s->keep_cap = SIZE_MAX;
}

void chaff__store_free(chaff__store *s)
{
    chaff__free(&s->alloc, s->index);
    chaff__free(&s->alloc, s->exact);
    chaff__free(&s->alloc, s->set);
    chaff__free(&s->alloc, s->len);
    chaff__free(&s->alloc, s->variant);
    for (size_t i = 0; i < s->nseg; i++)
        chaff__free(&s->alloc, s->seg[i]);
    chaff__free(&s->alloc, s->seg);
    chaff__free(&s->alloc, s->table);
    memset(s, 0, sizeof *s);
}

static inline size_t slot_of(XXH128_hash_t h, size_t cap)
{
    return (size_t)(((h.low64 >> 32) * cap) >> 32); /* fast range: any cap <= 2^32 */
}

static inline size_t next_slot(size_t i, size_t cap)
{
    return i + 1 == cap ? 0 : i + 1;
}

void chaff__store_prefetch_exact(const chaff__store *s, XXH128_hash_t h)
{
    if (s->table_cap)
        __builtin_prefetch(&s->table[slot_of(h, s->table_cap)]);
}

uint32_t chaff__store_find_exact(const chaff__store *s, XXH128_hash_t h)
{
    if (!s->table_cap)
        return EMPTY;
    size_t i = slot_of(h, s->table_cap);
    for (;;) {
        uint32_t id = s->table[i];
        if (id == EMPTY || XXH128_isEqual(s->exact[id], h))
            return id;
        i = next_slot(i, s->table_cap);
    }
}

static chaff_status grow_table(chaff__store *s)
{
    size_t cap = s->table_cap ? s->table_cap + s->table_cap / 2 : 1024;
    uint32_t *t = chaff__alloc(&s->alloc, cap * sizeof *t);
    if (!t)
        return CHAFF_E_NOMEM;
    memset(t, 0xFF, cap * sizeof *t);
    for (size_t id = 0; id < s->n; id++) {
        if (s->variant[id])
            continue;
        size_t i = slot_of(s->exact[id], cap);
        while (t[i] != EMPTY)
            i = next_slot(i, cap);
        t[i] = (uint32_t)id;
    }
    chaff__free(&s->alloc, s->table);
    s->table = t;
    s->table_cap = cap;
    return CHAFF_OK;
}

static int resize(const chaff_allocator *a, void **p, size_t n, size_t elem)
{
    void *q = chaff__realloc(a, *p, n * elem);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

static chaff_status grow_records(chaff__store *s)
{
    size_t cap = s->cap ? s->cap + s->cap / 2 : 1024;
    if (cap > EMPTY)
        cap = EMPTY; /* ids are 32-bit; EMPTY itself is never an id */
    if (cap <= s->n)
        return CHAFF_E_NOMEM;
    if (resize(&s->alloc, (void **)&s->index, cap, sizeof *s->index) ||
        resize(&s->alloc, (void **)&s->exact, cap, sizeof *s->exact) ||
        resize(&s->alloc, (void **)&s->set, cap, sizeof *s->set) ||
        resize(&s->alloc, (void **)&s->len, cap, sizeof *s->len) ||
        resize(&s->alloc, (void **)&s->variant, cap, sizeof *s->variant))
        return CHAFF_E_NOMEM;
    s->cap = cap;
    return CHAFF_OK;
}

static chaff_status add_record(chaff__store *s, uint64_t index, XXH128_hash_t h,
                               const uint32_t *sh, size_t n, int variant, uint32_t *id)
{
    chaff_status st;
    if (s->n == s->cap && (st = grow_records(s)))
        return st;
    if ((s->n + 1) * 4 > s->table_cap * 3 && (st = grow_table(s)))
        return st;
    size_t keep = n > s->keep_cap ? s->keep_cap : n;
    if (keep >= 1u << 31) /* the length field's top bit marks samples */
        return CHAFF_E_NOMEM;
    if (!s->nseg || s->seg_used + keep > CHAFF__SEGMENT) {
        if (s->nseg == s->segcap) {
            size_t cap = s->segcap ? s->segcap * 2 : 16;
            if (resize(&s->alloc, (void **)&s->seg, cap, sizeof *s->seg))
                return CHAFF_E_NOMEM;
            s->segcap = cap;
        }
        /* a record larger than a segment (only frames are) gets its own */
        size_t segsize = keep > CHAFF__SEGMENT ? keep : CHAFF__SEGMENT;
        uint32_t *g = chaff__alloc(&s->alloc, segsize * sizeof *g);
        if (!g)
            return CHAFF_E_NOMEM;
        s->seg[s->nseg++] = g;
        s->seg_used = 0;
        s->big_bytes += (segsize - CHAFF__SEGMENT) * sizeof *g;
    }
    uint32_t *dst = s->seg[s->nseg - 1] + s->seg_used;
    s->seg_used += keep;
    uint32_t k = (uint32_t)s->n++;
    s->index[k] = index;
    s->exact[k] = h;
    s->set[k] = dst;
    s->len[k] = (uint32_t)keep | (n > keep ? CHAFF__TRUNCATED : 0);
    s->variant[k] = (unsigned char)variant;
    memcpy(dst, sh, keep * sizeof *sh);
    *id = k;
    if (variant)
        return CHAFF_OK;
    size_t i = slot_of(h, s->table_cap);
    while (s->table[i] != EMPTY)
        i = next_slot(i, s->table_cap);
    s->table[i] = k;
    return CHAFF_OK;
}

chaff_status chaff__store_add(chaff__store *s, uint64_t index, XXH128_hash_t h,
                              const uint32_t *sh, size_t n, uint32_t *id)
{
    return add_record(s, index, h, sh, n, 0, id);
}

chaff_status chaff__store_add_variant(chaff__store *s, uint64_t index, unsigned mark,
                                      const uint32_t *sh, size_t n, uint32_t *id)
{
    XXH128_hash_t none = { 0, 0 };
    if (!mark || mark > 255 || mark > s->n)
        return CHAFF_E_ARG;
    return add_record(s, index, none, sh, n, (int)mark, id);
}

/* Number of values <= t in sorted v[0..n). */
static size_t count_le(const uint32_t *v, size_t n, uint32_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

double chaff__store_jaccard(const chaff__store *s, uint32_t id, const uint32_t *q, size_t n,
                            double min_j)
{
    const uint32_t *k = s->set[id];
    size_t m = s->len[id] & ~CHAFF__TRUNCATED;
    if (s->len[id] & CHAFF__TRUNCATED) {
        /* Both sets restricted to hashes <= the sample's largest: the union
         * there is a uniform sample of the whole union, so inter/union is an
         * unbiased estimate of J. */
        n = count_le(q, n, k[m - 1]);
    } else {
        size_t lo = m < n ? m : n, hi = m < n ? n : m;
        /* |A & B| / |A | B| <= |small| / |large|. Written as the same
         * division as the result below: lo < min_j * hi rounds differently
         * and rejected pairs whose Jaccard is exactly min_j. */
        if ((double)lo / (double)hi < min_j)
            return -1.0;
    }
    size_t i = 0, j = 0, inter = 0;
    while (i < m && j < n) {
        uint32_t a = k[i], b = q[j];
        inter += a == b;
        i += a <= b;
        j += b <= a;
    }
    size_t uni = m + n - inter;
    return uni ? (double)inter / (double)uni : 0.0;
}

/* The loop is in core/frame_share.h, compiled here for the baseline and in
 * frame_share_popcnt.c with POPCNT, which makes it about 3x faster: on
 * unrelated candidates it is most of the verification time. */
#define CHAFF_FRAME_SHARE_FN frame_share_baseline
#include "frame_share.h"

typedef size_t (*share_fn)(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                           unsigned max_hamming, size_t max_missed);

static share_fn pick_share(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("popcnt"))
        return chaff__frame_share_popcnt;
#endif
    return frame_share_baseline;
}

double chaff__store_frame_share(const chaff__store *s, uint32_t id, const uint32_t *q, size_t n,
                                unsigned max_hamming, double min_share)
{
    static share_fn fn; /* the same value from every thread: a benign race */
    if (CHAFF_UNLIKELY(!fn))
        fn = pick_share();
    const uint32_t *k = s->set[id];
    size_t m = (s->len[id] & ~CHAFF__TRUNCATED) / 2;
    const uint32_t *a = q, *b = k; /* a: the shorter */
    size_t na = n, nb = m;
    if (m < n) {
        a = k;
        b = q;
        na = m;
        nb = n;
    }
    if (!na)
        return 0.0;
    /* The most misses the share allows: the largest x with (na - x) / na >=
     * min_share, computed the way the result is, so pairs exactly at it stay. */
    size_t max_missed = 0;
    while (max_missed < na && (double)(na - max_missed - 1) / (double)na >= min_share)
        max_missed++;
    size_t matched = fn(a, na, b, nb, max_hamming, max_missed);
    if (matched == SIZE_MAX)
        return -1.0;
    return (double)matched / (double)na;
}

size_t chaff__store_bytes(const chaff__store *s)
{
    return s->big_bytes + s->cap * (sizeof *s->index + sizeof *s->exact + sizeof *s->set + sizeof *s->len +
                                      sizeof *s->variant) +
           s->nseg * (size_t)CHAFF__SEGMENT * sizeof(uint32_t) + s->segcap * sizeof *s->seg +
           s->table_cap * sizeof *s->table;
}
