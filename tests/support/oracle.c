/* tests/support/oracle.c - exact all-pairs Jaccard over word n-gram shingles, no sketching.
 *
 * Why it is built this way (see oracle.h for the text model):
 *   - Words and shingles are interned in hash tables with exact key comparison, so every
 *     set operation is on small integers and no two different shingles can ever be taken
 *     for one. The hash only picks a slot.
 *   - All pairs of ~1e5 records would be ~5e9 comparisons, so candidates come from prefix
 *     filtering: order shingles by ascending document frequency; if J(x, y) >= t then
 *     |x∩y| >= ceil(t·|x|), and the first |x| - ceil(t·|x|) + 1 shingles of x (its prefix)
 *     must share one with y's prefix. Only records sharing a prefix shingle are compared,
 *     after the size filter (J <= min/max). Both filters are necessary conditions, so the
 *     result is still exact; the rare shingles come first, so the prefix lists are short.
 *   - Prefix lengths are rounded to the safe side (a longer prefix only adds candidates),
 *     and the final test is the same double comparison oracle.py makes, so both write the
 *     same pairs even for J landing exactly on t.
 */
#include "oracle.h"

#include <math.h>     /* ceil */
#include <stdlib.h>   /* malloc, realloc, calloc, free, qsort */
#include <string.h>   /* memcmp, memcpy, memset */
#include <utf8proc.h> /* utf8proc_iterate, utf8proc_tolower, utf8proc_category */

/* --- growable arrays -------------------------------------------------------------------- */

/* A bigger block for at least `need` elements of `size` bytes, or NULL (p untouched).
 * Typed wrappers below, so no pointer is ever accessed through a void ** alias. */
static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need)
        ncap *= 2;
    void *np = realloc(p, ncap * size);
    if (np)
        *cap = ncap;
    return np;
}

#define DEFINE_RESERVE(name, type)                                        \
    static int name(type **p, size_t *cap, size_t need)                  \
    {                                                                     \
        if (need <= *cap)                                                 \
            return 0;                                                     \
        type *np = grow(*p, cap, need, sizeof **p);                       \
        if (!np)                                                          \
            return -1;                                                    \
        *p = np;                                                          \
        return 0;                                                         \
    }
DEFINE_RESERVE(reserve_chars, char)
DEFINE_RESERVE(reserve_u32, uint32_t)
DEFINE_RESERVE(reserve_u64, uint64_t)
DEFINE_RESERVE(reserve_pairs, oracle_pair)

/* --- hashing: only chooses slots; equality is always checked on the keys --------------- */

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;            /* FNV-1a */
    for (size_t k = 0; k < len; k++)
        h = (h ^ (unsigned char)s[k]) * 0x100000001b3ULL;
    return mix64(h ^ len);
}

static uint64_t hash_ids(const uint32_t *ids, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    for (size_t k = 0; k < len; k++)
        h = mix64(h ^ ids[k]) + k;
    return mix64(h);
}

/* An open-addressing table of ids. A slot is 0 when empty, else (id + 1) in the low half
 * and the top 32 bits of the key's hash in the high half, so most probes that cannot match
 * are rejected without touching the key (the tables outgrow the cache). The caller keeps
 * each id's key and hash; the table only finds them. */
#define SLOT(id, h) (((uint64_t)(id) + 1) | ((h) >> 32) << 32)
#define SLOT_ID(v) ((uint32_t)(v) - 1)
#define SLOT_TAG(v) ((v) >> 32)

typedef struct idtab {
    uint64_t *slot;
    size_t mask;       /* capacity - 1, capacity a power of two */
    size_t count;
} idtab;

static int idtab_init(idtab *t)
{
    t->mask = 1023;
    t->count = 0;
    t->slot = calloc(t->mask + 1, sizeof *t->slot);
    return t->slot ? 0 : -1;
}

/* Doubles the table when half full; hashes[id] gives each id's hash back. */
static int idtab_grow(idtab *t, const uint64_t *hashes)
{
    if ((t->count + 1) * 2 <= t->mask + 1)
        return 0;
    size_t nmask = t->mask * 2 + 1;
    uint64_t *ns = calloc(nmask + 1, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t k = 0; k <= t->mask; k++) {
        if (!t->slot[k])
            continue;
        size_t pos = (size_t)hashes[SLOT_ID(t->slot[k])] & nmask;
        while (ns[pos])
            pos = (pos + 1) & nmask;
        ns[pos] = t->slot[k];
    }
    free(t->slot);
    t->slot = ns;
    t->mask = nmask;
    return 0;
}

/* --- the state of one run --------------------------------------------------------------- */

typedef struct state {
    unsigned ngram;
    /* words: id -> bytes in chars[], and the table that finds an id from its bytes */
    char *chars;       size_t chars_len, chars_cap;
    uint64_t *w_off;   size_t w_off_cap;
    uint32_t *w_len;   size_t w_len_cap;
    uint64_t *w_hash;  size_t w_hash_cap;
    size_t n_words;
    idtab words;
    /* every record's word ids, one after another; a shingle is a run of them */
    uint32_t *seq;     size_t seq_len, seq_cap;
    /* shingles: id -> (start in seq, word count), and their table */
    uint64_t *s_off;   size_t s_off_cap;
    uint32_t *s_len;   size_t s_len_cap;
    uint64_t *s_hash;  size_t s_hash_cap;
    size_t n_shingles;
    idtab shingles;
    /* sets: record k's distinct shingles are set[set_off[k] .. set_off[k + 1]) */
    uint32_t *set;     size_t set_len, set_cap;
    size_t *set_off;
    /* the word being built, lowercased UTF-8 */
    char *wb;          size_t wb_len, wb_cap;
} state;

static int intern_word(state *st, uint32_t *id)
{
    uint64_t h = hash_bytes(st->wb, st->wb_len);
    size_t pos = (size_t)h & st->words.mask;
    for (uint64_t v; (v = st->words.slot[pos]) != 0; pos = (pos + 1) & st->words.mask) {
        size_t w = SLOT_ID(v);
        if (SLOT_TAG(v) == h >> 32 && st->w_len[w] == st->wb_len &&
            memcmp(st->chars + st->w_off[w], st->wb, st->wb_len) == 0) {
            *id = (uint32_t)w;
            return 0;
        }
    }
    size_t w = st->n_words;
    if (w >= UINT32_MAX - 1 ||
        reserve_chars(&st->chars, &st->chars_cap, st->chars_len + st->wb_len) ||
        reserve_u64(&st->w_off, &st->w_off_cap, w + 1) ||
        reserve_u32(&st->w_len, &st->w_len_cap, w + 1) ||
        reserve_u64(&st->w_hash, &st->w_hash_cap, w + 1))
        return -1;
    memcpy(st->chars + st->chars_len, st->wb, st->wb_len);
    st->w_off[w] = st->chars_len;
    st->w_len[w] = (uint32_t)st->wb_len;
    st->w_hash[w] = h;
    st->chars_len += st->wb_len;
    st->n_words = w + 1;
    st->words.slot[pos] = SLOT(w, h);
    st->words.count++;
    if (idtab_grow(&st->words, st->w_hash))
        return -1;
    *id = (uint32_t)w;
    return 0;
}

static int intern_shingle(state *st, size_t off, size_t len, uint32_t *id)
{
    const uint32_t *key = st->seq + off;
    uint64_t h = hash_ids(key, len);
    size_t pos = (size_t)h & st->shingles.mask;
    for (uint64_t v; (v = st->shingles.slot[pos]) != 0; pos = (pos + 1) & st->shingles.mask) {
        size_t s = SLOT_ID(v);
        if (SLOT_TAG(v) == h >> 32 && st->s_len[s] == len &&
            memcmp(st->seq + st->s_off[s], key, len * sizeof *key) == 0) {
            *id = (uint32_t)s;
            return 0;
        }
    }
    size_t s = st->n_shingles;
    if (s >= UINT32_MAX - 1 ||
        reserve_u64(&st->s_off, &st->s_off_cap, s + 1) ||
        reserve_u32(&st->s_len, &st->s_len_cap, s + 1) ||
        reserve_u64(&st->s_hash, &st->s_hash_cap, s + 1))
        return -1;
    st->s_off[s] = off;
    st->s_len[s] = (uint32_t)len;
    st->s_hash[s] = h;
    st->n_shingles = s + 1;
    st->shingles.slot[pos] = SLOT(s, h);
    st->shingles.count++;
    if (idtab_grow(&st->shingles, st->s_hash))
        return -1;
    *id = (uint32_t)s;
    return 0;
}

static int is_word_category(utf8proc_category_t c)
{
    switch (c) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

static int end_word(state *st)
{
    uint32_t id;
    if (st->wb_len == 0)
        return 0;
    if (intern_word(st, &id) || reserve_u32(&st->seq, &st->seq_cap, st->seq_len + 1))
        return -1;
    st->seq[st->seq_len++] = id;
    st->wb_len = 0;
    return 0;
}

/* Appends the record's word ids to seq. One code point at a time: decode (an invalid byte
 * is skipped alone, as a separator), lowercase, classify, and either extend the word or
 * end it. */
static int tokenize(state *st, const char *text, size_t len)
{
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)text;
    size_t pos = 0;
    while (pos < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(s + pos, (utf8proc_ssize_t)(len - pos), &cp);
        if (k < 1) {
            if (end_word(st))
                return -1;
            pos++;
            continue;
        }
        pos += (size_t)k;
        cp = utf8proc_tolower(cp);
        if (!is_word_category(utf8proc_category(cp))) {
            if (end_word(st))
                return -1;
            continue;
        }
        if (reserve_chars(&st->wb, &st->wb_cap, st->wb_len + 4))
            return -1;
        st->wb_len += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)st->wb + st->wb_len);
    }
    return end_word(st);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_pair(const void *a, const void *b)
{
    const oracle_pair *x = a, *y = b;
    if (x->i != y->i)
        return (x->i > y->i) - (x->i < y->i);
    return (x->j > y->j) - (x->j < y->j);
}

/* Record k's shingle set: ids of its n-grams (or of all its words when fewer), sorted,
 * duplicates removed, appended to set[]. */
static int shingle_record(state *st, size_t first, size_t nw, size_t k)
{
    size_t n = st->ngram, start = st->set_len;
    size_t count = nw == 0 ? 0 : nw < n ? 1 : nw - n + 1;
    if (reserve_u32(&st->set, &st->set_cap, start + count))
        return -1;
    for (size_t g = 0; g < count; g++) {
        uint32_t id;
        if (intern_shingle(st, first + g, nw < n ? nw : n, &id))
            return -1;
        st->set[start + g] = id;
    }
    if (count > 1)
        qsort(st->set + start, count, sizeof *st->set, cmp_u32);
    size_t u = 0;
    for (size_t g = 0; g < count; g++)
        if (u == 0 || st->set[start + u - 1] != st->set[start + g])
            st->set[start + u++] = st->set[start + g];
    st->set_len = start + u;
    st->set_off[k + 1] = st->set_len;
    return 0;
}

/* Renumbers shingles by ascending document frequency (ties by id) and sorts each set in
 * that order, so a set's first elements are its rarest shingles. */
static int order_by_frequency(state *st, size_t n)
{
    size_t ns = st->n_shingles;
    uint32_t *df = calloc(ns ? ns : 1, sizeof *df);
    size_t *start = calloc(n + 2, sizeof *start);
    uint32_t *rank = malloc((ns ? ns : 1) * sizeof *rank);
    int rc = -1;
    if (!df || !start || !rank)
        goto out;
    for (size_t k = 0; k < st->set_len; k++)
        df[st->set[k]]++;
    /* counting sort by df, stable in id */
    for (size_t s = 0; s < ns; s++)
        start[df[s] + 1]++;
    for (size_t f = 1; f <= n + 1; f++)
        start[f] += start[f - 1];
    for (size_t s = 0; s < ns; s++)
        rank[s] = (uint32_t)start[df[s]]++;
    for (size_t k = 0; k < st->set_len; k++)
        st->set[k] = rank[st->set[k]];
    for (size_t k = 0; k < n; k++)
        if (st->set_off[k + 1] - st->set_off[k] > 1)
            qsort(st->set + st->set_off[k], st->set_off[k + 1] - st->set_off[k],
                  sizeof *st->set, cmp_u32);
    rc = 0;
out:
    free(df);
    free(start);
    free(rank);
    return rc;
}

static size_t prefix_len(size_t L, double t)
{
    /* L - ceil(t·L) + 1, with ceil taken a hair low: a longer prefix is always safe */
    double need = ceil(t * (double)L - 1e-9);
    if (need < 1)
        need = 1;
    if (need > (double)L)
        return L ? 1 : 0;
    return L - (size_t)need + 1;
}

static size_t intersect(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t x = 0, y = 0, c = 0;
    while (x < na && y < nb) {
        if (a[x] < b[y]) x++;
        else if (a[x] > b[y]) y++;
        else { c++; x++; y++; }
    }
    return c;
}

/* Candidates from the prefix index, filtered by size, verified exactly. */
static int all_pairs(state *st, size_t n, double t, oracle_result *out)
{
    size_t ns = st->n_shingles, total = 0, pairs_cap = 0;
    size_t *head = calloc(ns + 1, sizeof *head);
    uint32_t *stamp = calloc(n ? n : 1, sizeof *stamp);
    uint32_t *cand = malloc((n ? n : 1) * sizeof *cand);
    uint32_t *post = NULL;
    int rc = -1;
    if (!head || !stamp || !cand)
        goto out;
    /* the inverted index of prefixes, as one array: post[head[x] .. head[x + 1]) are the
     * records (ascending) whose prefix holds shingle rank x */
    for (size_t k = 0; k < n; k++) {
        size_t L = st->set_off[k + 1] - st->set_off[k], p = prefix_len(L, t);
        for (size_t g = 0; g < p; g++)
            head[st->set[st->set_off[k] + g] + 1]++;
        total += p;
    }
    for (size_t x = 0; x < ns; x++)
        head[x + 1] += head[x];
    post = malloc((total ? total : 1) * sizeof *post);
    if (!post)
        goto out;
    {
        size_t *fill = malloc((ns ? ns : 1) * sizeof *fill);
        if (!fill)
            goto out;
        memcpy(fill, head, ns * sizeof *fill);
        for (size_t k = 0; k < n; k++) {
            size_t L = st->set_off[k + 1] - st->set_off[k], p = prefix_len(L, t);
            for (size_t g = 0; g < p; g++)
                post[fill[st->set[st->set_off[k] + g]]++] = (uint32_t)k;
        }
        free(fill);
    }
    for (size_t j = 0; j < n; j++) {
        const uint32_t *b = st->set + st->set_off[j];
        size_t nb = st->set_off[j + 1] - st->set_off[j], p = prefix_len(nb, t), nc = 0;
        for (size_t g = 0; g < p; g++) {
            for (size_t q = head[b[g]]; q < head[b[g] + 1]; q++) {
                uint32_t i = post[q];
                if (i >= j)
                    break;
                if (stamp[i] != j + 1) {
                    stamp[i] = (uint32_t)(j + 1);
                    cand[nc++] = i;
                }
            }
        }
        for (size_t c = 0; c < nc; c++) {
            uint32_t i = cand[c];
            const uint32_t *a = st->set + st->set_off[i];
            size_t na = st->set_off[i + 1] - st->set_off[i];
            size_t lo = na < nb ? na : nb, hi = na < nb ? nb : na;
            if ((double)lo < t * (double)hi - 1e-9)
                continue;
            out->candidates++;
            size_t inter = intersect(a, na, b, nb), uni = na + nb - inter;
            double jac = (double)inter / (double)uni;
            if (!(jac >= t))
                continue;
            if (reserve_pairs(&out->pairs, &pairs_cap, out->n_pairs + 1))
                goto out;
            oracle_pair *pr = &out->pairs[out->n_pairs++];
            pr->i = i;
            pr->j = (uint32_t)j;
            pr->inter = (uint32_t)inter;
            pr->uni = (uint32_t)uni;
            pr->jaccard = jac;
        }
    }
    if (out->n_pairs)
        qsort(out->pairs, out->n_pairs, sizeof *out->pairs, cmp_pair);
    rc = 0;
out:
    free(head);
    free(stamp);
    free(cand);
    free(post);
    return rc;
}

static void state_free(state *st)
{
    free(st->chars);
    free(st->w_off);
    free(st->w_len);
    free(st->w_hash);
    free(st->words.slot);
    free(st->seq);
    free(st->s_off);
    free(st->s_len);
    free(st->s_hash);
    free(st->shingles.slot);
    free(st->set);
    free(st->set_off);
    free(st->wb);
}

int oracle_run(const char *const *texts, const size_t *lens, size_t n, unsigned ngram,
               double t, oracle_result *out)
{
    state st;
    int rc = -1;
    memset(out, 0, sizeof *out);
    memset(&st, 0, sizeof st);
    if (ngram == 0 || !(t > 0) || n >= UINT32_MAX)
        return -1;
    st.ngram = ngram;
    out->n_records = n;
    out->shingles = calloc(n ? n : 1, sizeof *out->shingles);
    st.set_off = calloc(n + 1, sizeof *st.set_off);
    /* set[] exists from the start, so set + offset is never arithmetic on NULL */
    if (!out->shingles || !st.set_off || reserve_u32(&st.set, &st.set_cap, 1) ||
        idtab_init(&st.words) || idtab_init(&st.shingles))
        goto out;
    for (size_t k = 0; k < n; k++) {
        size_t first = st.seq_len;
        if (tokenize(&st, texts[k], lens[k]) || shingle_record(&st, first, st.seq_len - first, k))
            goto out;
        out->shingles[k] = (uint32_t)(st.set_off[k + 1] - st.set_off[k]);
    }
    if (order_by_frequency(&st, n) || all_pairs(&st, n, t, out))
        goto out;
    rc = 0;
out:
    state_free(&st);
    if (rc)
        oracle_result_free(out);
    return rc;
}

void oracle_result_free(oracle_result *r)
{
    free(r->shingles);
    free(r->pairs);
    memset(r, 0, sizeof *r);
}

const oracle_pair *oracle_find(const oracle_result *r, uint64_t i, uint64_t j)
{
    if (i > j) {
        uint64_t x = i;
        i = j;
        j = x;
    }
    size_t lo = 0, hi = r->n_pairs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const oracle_pair *p = &r->pairs[mid];
        if (p->i < i || (p->i == i && p->j < j))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < r->n_pairs && r->pairs[lo].i == i && r->pairs[lo].j == j)
        return &r->pairs[lo];
    return NULL;
}
