/* tests/test_decontam.c - decontamination finds every shared word n-gram and nothing else.
 *
 * Besides hand-computed cases, the random tests build texts from a vocabulary
 * of distinct words, keep each text as its sequence of word numbers, render
 * it with random case, punctuation and white space (ASCII and not, invalid
 * bytes too: all of which normalisation removes) and compare the module's
 * answer with a plain oracle on the word numbers: a sorted table of every
 * reference n-gram with the first reference holding it. The vocabulary is
 * split in two: reference words and filler words that no reference uses, so
 * a planted span is the only thing a record can share with the references.
 * Random tests print their seed; CHAFF_TEST_SEED=N replays one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decontam.h"
#include "filter.h"
#include "testutil.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
    return test_splitmix(&rng_state);
}

static size_t below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

/* ---------------------------------------------------------------------------
 * Vocabulary and rendering
 * ------------------------------------------------------------------------- */

#define VOCAB 4000
#define REFV 2000            /* words 0..REFV-1 are reference words, the rest filler */
static char vocab[VOCAB][16];

/* Word i starts with 5 letters that encode i one to one (7919 is prime to
 * 26), so no two words are equal, then up to 3 random letters, sometimes an
 * e-acute: every word is already in normalised form. */
static void make_vocab(void)
{
    for (uint32_t i = 0; i < VOCAB; i++) {
        uint32_t x = (i * 7919u + 12345u) % (26u * 26 * 26 * 26 * 26);
        char *w = vocab[i];
        size_t k = 0;
        for (int j = 0; j < 5; j++, x /= 26)
            w[k++] = (char)('a' + x % 26);
        for (size_t extra = below(4); extra; extra--)
            w[k++] = (char)('a' + below(26));
        if (below(8) == 0) {
            w[k++] = '\xC3';
            w[k++] = '\xA9';
        }
        w[k] = 0;
    }
}

static int setup(void **state)
{
    (void)state;
    const char *s = getenv("CHAFF_TEST_SEED");
    rng_state = s ? strtoull(s, NULL, 0) : 20261123;
    printf("seed = %llu (set CHAFF_TEST_SEED to replay)\n", (unsigned long long)rng_state);
    make_vocab();
    return 0;
}

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

/* Each separates words: punctuation, white space, no-break space, em dash,
 * a right quote, a combining mark, invalid UTF-8, NUL. */
static const char *const seps[] = {
    " ", "  ", "\n", "\r\n", "\t", ", ", ". ", " -- ", "(", ") ", "_", "'", "!?",
    "\xC2\xA0", "\xE2\x80\x94", "\xE2\x80\x99 ", "\xCC\x81", "\xFF", "\xC0", " \xE2\x80\x9C",
};

/* Words w[0..n) as text. style 0: single spaces, lowercase; style 1: random
 * separators (and maybe some before and after), random case. */
static void render(buf *b, const uint32_t *w, size_t n, int style)
{
    b->len = 0;
    put(b, "", 0);
    if (style && below(2)) {
        const char *s = seps[below(sizeof seps / sizeof seps[0])];
        put(b, s, strlen(s));
    }
    for (size_t i = 0; i < n; i++) {
        if (i) {
            if (style) {
                const char *s = seps[below(sizeof seps / sizeof seps[0])];
                put(b, s, strlen(s));
            } else {
                put(b, " ", 1);
            }
        }
        const char *v = vocab[w[i]];
        size_t at = b->len, len = strlen(v);
        put(b, v, len);
        if (style)
            for (size_t k = at; k < at + len; k++) {
                if (below(3))
                    continue;
                if (b->p[k] >= 'a' && b->p[k] <= 'z')
                    b->p[k] = (char)(b->p[k] - 32);
                else if (b->p[k] == '\xA9' && b->p[k - 1] == '\xC3')
                    b->p[k] = '\x89'; /* e-acute -> E-acute */
            }
    }
    if (style && below(2))
        put(b, ". \xE2\x80\x94\n", 7);
    /* a NUL is a separator too: sometimes the text's last byte */
    if (style && below(8))
        put(b, "\0", 1);
}

static void random_words(uint32_t *w, size_t n, uint32_t lo, uint32_t hi)
{
    for (size_t i = 0; i < n; i++)
        w[i] = lo + (uint32_t)below(hi - lo);
}

/* ---------------------------------------------------------------------------
 * The oracle: every reference n-gram, sorted, with its reference's number
 * ------------------------------------------------------------------------- */

typedef struct refs {
    uint32_t **w;
    size_t *len;
    uint64_t *id;
    size_t n, cap;
} refs;

static void refs_add(refs *r, const uint32_t *w, size_t len, uint64_t id)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->w = realloc(r->w, r->cap * sizeof *r->w);
        r->len = realloc(r->len, r->cap * sizeof *r->len);
        r->id = realloc(r->id, r->cap * sizeof *r->id);
        assert_true(r->w && r->len && r->id);
    }
    r->w[r->n] = malloc((len ? len : 1) * sizeof(uint32_t));
    assert_non_null(r->w[r->n]);
    memcpy(r->w[r->n], w, len * sizeof(uint32_t));
    r->len[r->n] = len;
    r->id[r->n++] = id;
}

static void refs_free(refs *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->w[i]);
    free(r->w);
    free(r->len);
    free(r->id);
    memset(r, 0, sizeof *r);
}

typedef struct gram {
    const uint32_t *w;
    size_t ref;
} gram;

typedef struct oracle {
    gram *g;
    size_t ng;
    size_t distinct;
    unsigned n;
} oracle;

static unsigned sort_n; /* qsort has no context argument */

static int cmp_words(const uint32_t *a, const uint32_t *b, unsigned n)
{
    for (unsigned j = 0; j < n; j++)
        if (a[j] != b[j])
            return a[j] < b[j] ? -1 : 1;
    return 0;
}

static int cmp_gram(const void *x, const void *y)
{
    const gram *a = x, *b = y;
    int c = cmp_words(a->w, b->w, sort_n);
    return c ? c : (a->ref > b->ref) - (a->ref < b->ref);
}

static oracle oracle_build(const refs *r, unsigned n)
{
    oracle o = { .n = n };
    size_t total = 0;
    for (size_t i = 0; i < r->n; i++)
        total += r->len[i] >= n ? r->len[i] - n + 1 : 0;
    o.g = malloc((total ? total : 1) * sizeof *o.g);
    assert_non_null(o.g);
    for (size_t i = 0; i < r->n; i++)
        for (size_t k = 0; k + n <= r->len[i]; k++)
            o.g[o.ng++] = (gram){ r->w[i] + k, i };
    sort_n = n;
    qsort(o.g, o.ng, sizeof *o.g, cmp_gram);
    for (size_t i = 0; i < o.ng; i++)
        o.distinct += i == 0 || cmp_words(o.g[i - 1].w, o.g[i].w, n) != 0;
    return o;
}

/* The first reference (in adding order) holding w[0..n), or -1. */
static long oracle_first(const oracle *o, const uint32_t *w)
{
    size_t lo = 0, hi = o->ng;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_words(o->g[mid].w, w, o->n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < o->ng && cmp_words(o->g[lo].w, w, o->n) == 0 ? (long)o->g[lo].ref : -1;
}

/* What find must say about the record q[0..len). */
static chaff__decontam_hit oracle_find(const oracle *o, const refs *r, const uint32_t *q,
                                       size_t len)
{
    chaff__decontam_hit h = { 0, 0, 0 };
    for (size_t i = 0; i + o->n <= len; i++) {
        long f = oracle_first(o, q + i);
        if (f >= 0) {
            h.found = 1;
            h.ref = r->id[f];
            h.word = i;
            break;
        }
    }
    return h;
}

static void oracle_free(oracle *o)
{
    free(o->g);
    o->g = NULL;
}

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

static chaff__tok make_tok(uint64_t seed)
{
    chaff_options o;
    chaff_options_default(&o);
    o.seed = seed;
    chaff__tok t;
    chaff__tok_init(&t, &o);
    return t;
}

static chaff__decontam *make_decontam(unsigned n, uint64_t seed)
{
    chaff_options o;
    chaff_options_default(&o);
    o.seed = seed;
    chaff__decontam *d = NULL;
    assert_int_equal(chaff__decontam_new(&d, &o, n, NULL), CHAFF_OK);
    assert_non_null(d);
    return d;
}

static void add_str(chaff__decontam *d, chaff__tok *t, const char *s, uint64_t id)
{
    assert_int_equal(chaff__decontam_add(d, t, s, strlen(s), id), CHAFF_OK);
}

static chaff__decontam_hit find_str(const chaff__decontam *d, chaff__tok *t, const char *s)
{
    chaff__decontam_hit h;
    assert_int_equal(chaff__decontam_find(d, t, s, strlen(s), &h), CHAFF_OK);
    return h;
}

static void expect_hit(const chaff__decontam *d, chaff__tok *t, const char *s, uint64_t ref,
                       size_t word)
{
    chaff__decontam_hit h = find_str(d, t, s);
    if (!h.found || h.ref != ref || h.word != word)
        fprintf(stderr, "\"%s\": found %d ref %llu word %zu; want ref %llu word %zu\n", s,
                h.found, (unsigned long long)h.ref, h.word, (unsigned long long)ref, word);
    assert_int_equal(h.found, 1);
    assert_int_equal(h.ref, ref);
    assert_int_equal(h.word, word);
}

static void expect_miss(const chaff__decontam *d, chaff__tok *t, const char *s)
{
    chaff__decontam_hit h = find_str(d, t, s);
    if (h.found)
        fprintf(stderr, "\"%s\": unexpected hit, ref %llu word %zu\n", s,
                (unsigned long long)h.ref, h.word);
    assert_int_equal(h.found, 0);
}

/* Renders q and checks find against the oracle; returns find's answer. */
static chaff__decontam_hit check_record(const chaff__decontam *d, chaff__tok *t, const oracle *o,
                                        const refs *r, const uint32_t *q, size_t len, buf *b)
{
    render(b, q, len, (int)below(4) != 0);
    chaff__decontam_hit h, want = oracle_find(o, r, q, len);
    assert_int_equal(chaff__decontam_find(d, t, b->p, b->len, &h), CHAFF_OK);
    if (h.found != want.found || h.ref != want.ref || h.word != want.word)
        fprintf(stderr, "record of %zu words: found %d ref %llu word %zu; oracle %d %llu %zu\n",
                len, h.found, (unsigned long long)h.ref, h.word, want.found,
                (unsigned long long)want.ref, want.word);
    assert_int_equal(h.found, want.found);
    assert_int_equal(h.ref, want.ref);
    assert_int_equal(h.word, want.word);
    return h;
}

/* A random reference set: nref texts of 0..maxlen reference words (the
 * first always at least n), ids as file << 40 | line. Added to d rendered. */
static void random_refs(refs *r, chaff__decontam *d, chaff__tok *t, size_t nref, size_t maxlen,
                        unsigned n, buf *b)
{
    uint32_t *w = malloc((maxlen + n + 1) * sizeof *w);
    assert_non_null(w);
    for (size_t i = 0; i < nref; i++) {
        size_t len = i == 0 ? n + below(maxlen + 1) : below(maxlen + 1);
        random_words(w, len, 0, REFV);
        uint64_t id = (uint64_t)(i / 4) << 40 | (i % 4 + 1);
        refs_add(r, w, len, id);
        render(b, w, len, (int)below(2));
        assert_int_equal(chaff__decontam_add(d, t, b->p, b->len, id), CHAFF_OK);
    }
    free(w);
}

/* ---------------------------------------------------------------------------
 * Hand-computed cases
 * ------------------------------------------------------------------------- */

static void test_small_cases(void **state)
{
    (void)state;
    chaff__tok t = make_tok(0);
    chaff__decontam *d = make_decontam(3, 0);
    add_str(d, &t, "The cat sat on the mat.", 100);
    add_str(d, &t, "A dog sat on the mat!", 200);
    add_str(d, &t, "Too short", 300);                   /* 2 words: adds nothing */
    chaff__decontam_stats s;
    chaff__decontam_stats_get(d, &s);
    assert_int_equal(s.texts, 3);
    assert_int_equal(s.short_texts, 1);
    assert_int_equal(s.ngrams_added, 4 + 4);
    /* the cat sat, cat sat on, sat on the, on the mat, a dog sat, dog sat on */
    assert_int_equal(s.ngrams, 6);
    assert_int_equal(s.records, 2);
    assert_true(s.bytes > 6 * 12);

    expect_hit(d, &t, "the CAT   sat", 100, 0);
    expect_hit(d, &t, "THE\xE2\x80\x94" "cat,sat", 100, 0);   /* em dash separates */
    expect_hit(d, &t, "dog sat on", 200, 0);
    expect_hit(d, &t, "x y sat on the", 100, 2);          /* in both: the first added */
    expect_hit(d, &t, "big dog SAT ON THE MAT", 200, 1);  /* the first hit in text order */
    expect_hit(d, &t, "z on the mat", 100, 1);
    expect_miss(d, &t, "cat sat");                        /* fewer than n words */
    expect_miss(d, &t, "");
    expect_miss(d, &t, "the mat sat on");                 /* the words, not the order */
    expect_miss(d, &t, "thecat sat on");                  /* words do not merge */
    expect_miss(d, &t, "the cats sat");
    expect_miss(d, &t, "too short at all");               /* the short text added nothing */
    chaff__decontam_free(d);
    chaff__tok_free(&t);
}

/* Invalid UTF-8, NUL and Unicode case: separators and case go, letters stay. */
static void test_normalisation(void **state)
{
    (void)state;
    chaff__tok t = make_tok(5);
    chaff__decontam *d = make_decontam(3, 5);
    static const char ref[] = "ab\xFF" "cd \xC3\x89t\xC3\xA9 x";
    assert_int_equal(chaff__decontam_add(d, &t, ref, sizeof ref - 1, 1), CHAFF_OK);
    static const char q1[] = "AB cd\xC0\xC3\x89T\xC3\x89";
    chaff__decontam_hit h;
    assert_int_equal(chaff__decontam_find(d, &t, q1, sizeof q1 - 1, &h), CHAFF_OK);
    assert_int_equal(h.found, 1);
    assert_int_equal(h.word, 0);
    static const char q2[] = { 'q', ' ', 'c', 'd', 0, 'E', '\xCC', '\x81', 't', 'e', ' ', 'x' };
    assert_int_equal(chaff__decontam_find(d, &t, q2, sizeof q2, &h), CHAFF_OK);
    assert_int_equal(h.found, 0); /* "e" + combining acute is e, a separator, t: other words */
    static const char q3[] = "Q CD \xC3\x89T\xC3\x89 X";
    assert_int_equal(chaff__decontam_find(d, &t, q3, sizeof q3 - 1, &h), CHAFF_OK);
    assert_int_equal(h.found, 1);
    assert_int_equal(h.word, 1);
    chaff__decontam_free(d);
    chaff__tok_free(&t);
}

/* Several reference files: the drop names the first record holding the
 * n-gram, in the order added (files in order, lines in order). */
static void test_first_reference(void **state)
{
    (void)state;
    chaff__tok t = make_tok(0);
    chaff__decontam *d = make_decontam(4, 0);
    const uint64_t f0 = 0, f1 = (uint64_t)1 << 40, f2 = (uint64_t)2 << 40;
    add_str(d, &t, "one two three", f0 | 1);                    /* short */
    add_str(d, &t, "alpha beta gamma delta epsilon", f0 | 2);
    add_str(d, &t, "zeta eta theta iota", f0 | 3);
    add_str(d, &t, "ALPHA BETA GAMMA DELTA", f1 | 1);           /* only repeats */
    add_str(d, &t, "kappa zeta eta theta iota lambda", f1 | 2); /* one repeat, two new */
    add_str(d, &t, "mu nu xi omicron", f2 | 7);
    add_str(d, &t, "mu nu xi omicron", f2 | 8);
    chaff__decontam_stats s;
    chaff__decontam_stats_get(d, &s);
    assert_int_equal(s.ngrams, 2 + 1 + 2 + 1);
    assert_int_equal(s.records, 4); /* f0:2, f0:3, f1:2, f2:7 */
    expect_hit(d, &t, "alpha beta gamma delta", f0 | 2, 0);
    expect_hit(d, &t, "zeta eta theta iota", f0 | 3, 0);
    expect_hit(d, &t, "kappa zeta eta theta", f1 | 2, 0);
    expect_hit(d, &t, "eta theta iota lambda", f1 | 2, 0);
    expect_hit(d, &t, "so mu nu xi omicron", f2 | 7, 1);
    expect_miss(d, &t, "one two three four");
    chaff__decontam_free(d);
    chaff__tok_free(&t);
}

static void test_empty_and_short(void **state)
{
    (void)state;
    chaff__tok t = make_tok(0);
    chaff__decontam *d = make_decontam(13, 0);
    chaff__decontam_hit h;
    /* nothing added: nothing found, the 13 words included */
    expect_miss(d, &t, "a b c d e f g h i j k l m");
    assert_int_equal(chaff__decontam_add(d, &t, NULL, 0, 1), CHAFF_OK);
    add_str(d, &t, " ... \n ", 2);
    add_str(d, &t, "a b c d e f g h i j k l", 3); /* 12 words */
    chaff__decontam_stats s;
    chaff__decontam_stats_get(d, &s);
    assert_int_equal(s.texts, 3);
    assert_int_equal(s.short_texts, 3);
    assert_int_equal(s.ngrams, 0);
    assert_int_equal(s.records, 0);
    expect_miss(d, &t, "a b c d e f g h i j k l");
    expect_miss(d, &t, "a b c d e f g h i j k l m");
    assert_int_equal(chaff__decontam_find(d, &t, NULL, 0, &h), CHAFF_OK);
    assert_int_equal(h.found, 0);
    /* exactly n words: one n-gram; a record of its first or last 12 is kept */
    add_str(d, &t, "A b c d e f g h i j k l m", 4);
    chaff__decontam_stats_get(d, &s);
    assert_int_equal(s.ngrams, 1);
    expect_hit(d, &t, "a b c d e f g h i j k l m", 4, 0);
    expect_hit(d, &t, "z a b c d e f g h i j k l m", 4, 1);
    expect_miss(d, &t, "a b c d e f g h i j k l");
    expect_miss(d, &t, "b c d e f g h i j k l m");
    expect_miss(d, &t, "a b c d e f g h i j k l z m");
    chaff__decontam_free(d);
    chaff__tok_free(&t);
}

/* n = 1: any shared word. n = 65: the words at the window's two ends are
 * changed together, which a per-position XOR of rotated hashes (the dedup
 * shingle combination) cannot tell apart, since positions 0 and 64 rotate
 * alike. n = 200 and the largest n: a span of n words matches, n - 1 not. */
static void test_n_extremes(void **state)
{
    (void)state;
    chaff__tok t = make_tok(0);
    chaff_options o;
    chaff_options_default(&o);
    chaff__decontam *d = NULL;
    assert_int_equal(chaff__decontam_new(&d, &o, 0, NULL), CHAFF_E_ARG);
    assert_null(d);
    assert_int_equal(chaff__decontam_new(&d, &o, CHAFF__DECONTAM_NMAX + 1, NULL), CHAFF_E_ARG);
    assert_null(d);

    d = make_decontam(1, 0);
    add_str(d, &t, "alpha, beta!", 9);
    expect_hit(d, &t, "gamma BETA", 9, 1);
    expect_miss(d, &t, "gamma delta alphabeta");
    chaff__decontam_stats s;
    chaff__decontam_stats_get(d, &s);
    assert_int_equal(s.ngrams, 2);
    chaff__decontam_free(d);

    buf b = { 0 }, q = { 0 };
    uint32_t w[CHAFF__DECONTAM_NMAX + 2];
    d = make_decontam(65, 0);
    random_words(w, 65, 0, REFV);
    w[0] = w[64] = 7;
    render(&b, w, 65, 0);
    add_str(d, &t, b.p, 1);
    w[0] = w[64] = 8;
    render(&q, w, 65, 0);
    expect_miss(d, &t, q.p);
    w[0] = w[64] = 7;
    render(&q, w, 65, 1);
    expect_hit(d, &t, q.p, 1, 0);
    chaff__decontam_free(d);

    const unsigned ns[] = { 200, CHAFF__DECONTAM_NMAX };
    for (size_t k = 0; k < 2; k++) {
        unsigned n = ns[k];
        d = make_decontam(n, 0);
        random_words(w, n + 2, 0, REFV);
        render(&b, w, n + 2, 1);
        add_str(d, &t, b.p, 3);
        chaff__decontam_stats_get(d, &s);
        assert_int_equal(s.ngrams, 3);
        render(&q, w + 1, n, 1);
        expect_hit(d, &t, q.p, 3, 0);
        render(&q, w + 1, n - 1, 1);
        expect_miss(d, &t, q.p);
        uint32_t keep = w[n / 2];
        w[n / 2] = REFV + 1; /* one word in the middle changed */
        render(&q, w, n + 2, 1);
        expect_miss(d, &t, q.p);
        w[n / 2] = keep;
        chaff__decontam_free(d);
    }
    free(b.p);
    free(q.p);
    chaff__tok_free(&t);
}

/* Through the filter scratch: the tokenizer is made once, for the object's
 * seed, remade for an object of another seed, and freed with the scratch. */
static void test_fwork(void **state)
{
    (void)state;
    chaff__tok t1 = make_tok(1), t2 = make_tok(2);
    chaff__decontam *d1 = make_decontam(2, 1), *d2 = make_decontam(2, 2);
    add_str(d1, &t1, "red fox", 11);
    add_str(d2, &t2, "blue fox", 22);
    /* set up and torn down as chaff__fwork_init/_free do, without linking
     * core/fwork.c, which needs the word tokenizer of another module */
    chaff__fwork w;
    memset(&w, 0, sizeof w);
    w.alloc = chaff__allocator(NULL);
    chaff__decontam_hit h;
    assert_int_equal(chaff__decontam_find_w(d1, &w, "a RED fox", 9, &h), CHAFF_OK);
    assert_true(h.found && h.ref == 11 && h.word == 1);
    void *first = w.slot[CHAFF__DECONTAM_SLOT];
    assert_non_null(first);
    assert_int_equal(chaff__decontam_find_w(d1, &w, "blue fox", 8, &h), CHAFF_OK);
    assert_int_equal(h.found, 0);
    assert_ptr_equal(w.slot[CHAFF__DECONTAM_SLOT], first);
    assert_int_equal(chaff__decontam_find_w(d2, &w, "blue fox", 8, &h), CHAFF_OK);
    assert_true(h.found && h.ref == 22 && h.word == 0);
    assert_int_equal(chaff__decontam_find_w(d1, &w, "red fox", 7, &h), CHAFF_OK);
    assert_true(h.found && h.ref == 11);
    assert_non_null(w.slot_free[CHAFF__DECONTAM_SLOT]);
    w.slot_free[CHAFF__DECONTAM_SLOT](&w.alloc, w.slot[CHAFF__DECONTAM_SLOT]);
    chaff__decontam_free(d1);
    chaff__decontam_free(d2);
    chaff__tok_free(&t1);
    chaff__tok_free(&t2);
}

static void test_seed_mismatch(void **state)
{
    (void)state;
    chaff__tok t1 = make_tok(1), t2 = make_tok(2);
    chaff__decontam *d = make_decontam(2, 1);
    assert_int_equal(chaff__decontam_add(d, &t2, "a b", 3, 1), CHAFF_E_ARG);
    assert_int_equal(chaff__decontam_add(d, &t1, "a b", 3, 1), CHAFF_OK);
    chaff__decontam_hit h;
    assert_int_equal(chaff__decontam_find(d, &t2, "a b", 3, &h), CHAFF_E_ARG);
    assert_int_equal(h.found, 0);
    assert_int_equal(chaff__decontam_find(d, &t1, "a b", 3, &h), CHAFF_OK);
    assert_int_equal(h.found, 1);
    /* the same words under another seed: the same answers */
    chaff__decontam *e = make_decontam(2, 2);
    assert_int_equal(chaff__decontam_add(e, &t2, "a b", 3, 1), CHAFF_OK);
    assert_int_equal(chaff__decontam_find(e, &t2, "x A B", 5, &h), CHAFF_OK);
    assert_int_equal(h.found, 1);
    assert_int_equal(h.word, 1);
    chaff__decontam_free(e);
    chaff__decontam_free(d);
    chaff__tok_free(&t1);
    chaff__tok_free(&t2);
}

/* ---------------------------------------------------------------------------
 * Random properties against the oracle
 * ------------------------------------------------------------------------- */

/* A 13-word span of a reference, anywhere in a record of filler (also at its
 * very start and end, and alone), is always found, at its first word, with
 * the first reference that holds it. */
static void test_planted_13(void **state)
{
    (void)state;
    chaff__tok t = make_tok(3);
    buf b = { 0 };
    uint32_t q[200];
    for (int trial = 0; trial < 150; trial++) {
        chaff__decontam *d = make_decontam(13, 3);
        refs r = { 0 };
        random_refs(&r, d, &t, 1 + below(8), 150, 13, &b);
        if (trial % 2)
            assert_int_equal(chaff__decontam_seal(d), CHAFF_OK);
        oracle o = oracle_build(&r, 13);
        for (int k = 0; k < 40; k++) {
            size_t ri;
            do
                ri = below(r.n);
            while (r.len[ri] < 13);
            size_t at = below(r.len[ri] - 13 + 1);
            size_t before = k % 4 == 0 ? 0 : below(80), after = k % 4 == 1 ? 0 : below(80);
            if (k % 8 == 2)
                before = after = 0;
            random_words(q, before, REFV, VOCAB);
            memcpy(q + before, r.w[ri] + at, 13 * sizeof *q);
            random_words(q + before + 13, after, REFV, VOCAB);
            chaff__decontam_hit h = check_record(d, &t, &o, &r, q, before + 13 + after, &b);
            assert_int_equal(h.found, 1);
            assert_int_equal(h.word, before);
            assert_int_equal(h.ref, r.id[oracle_first(&o, r.w[ri] + at)]);
        }
        oracle_free(&o);
        refs_free(&r);
        chaff__decontam_free(d);
    }
    free(b.p);
    chaff__tok_free(&t);
}

/* References over 40 distinct words: 13-grams then repeat across and within
 * references, so which reference is first matters; records are random
 * mixtures of reference windows and filler, checked against the oracle. */
static void test_repeats_against_oracle(void **state)
{
    (void)state;
    chaff__tok t = make_tok(4);
    buf b = { 0 };
    uint32_t w[120], q[300];
    int hits = 0, records = 0;
    for (int trial = 0; trial < 60; trial++) {
        unsigned n = 1 + (unsigned)below(14);
        chaff__decontam *d = make_decontam(n, 4);
        refs r = { 0 };
        for (size_t i = 0; i < 1 + below(30); i++) {
            size_t len = below(120);
            for (size_t j = 0; j < len; j++)
                w[j] = (uint32_t)(j && below(3) == 0 ? w[j - 1] : below(4)); /* few words */
            refs_add(&r, w, len, i * 10 + 1);
            render(&b, w, len, 1);
            assert_int_equal(chaff__decontam_add(d, &t, b.p, b.len, i * 10 + 1), CHAFF_OK);
        }
        if (trial % 3 == 0)
            assert_int_equal(chaff__decontam_seal(d), CHAFF_OK);
        oracle o = oracle_build(&r, n);
        chaff__decontam_stats s;
        chaff__decontam_stats_get(d, &s);
        assert_int_equal(s.ngrams, o.distinct);
        assert_int_equal(s.ngrams_added, o.ng);
        for (int k = 0; k < 50; k++, records++) {
            size_t len = below(300);
            for (size_t j = 0; j < len; j++)
                q[j] = (uint32_t)(below(2) ? below(4) : REFV + below(10));
            hits += check_record(d, &t, &o, &r, q, len, &b).found;
        }
        oracle_free(&o);
        refs_free(&r);
        chaff__decontam_free(d);
    }
    assert_true(hits > records / 10 && hits < records - records / 10); /* both answers */
    free(b.p);
    chaff__tok_free(&t);
}

/* 12 words shared are not a match: a 12-word span between filler, alone, or
 * next to reference words other than its reference's neighbours. */
static void test_12_not_enough(void **state)
{
    (void)state;
    chaff__tok t = make_tok(6);
    buf b = { 0 };
    uint32_t q[200];
    for (int trial = 0; trial < 60; trial++) {
        chaff__decontam *d = make_decontam(13, 6);
        refs r = { 0 };
        random_refs(&r, d, &t, 1 + below(6), 150, 13, &b);
        oracle o = oracle_build(&r, 13);
        for (int k = 0; k < 40; k++) {
            size_t ri;
            do
                ri = below(r.n);
            while (r.len[ri] < 12);
            size_t at = below(r.len[ri] - 12 + 1);
            size_t before = k % 3 == 0 ? 0 : below(60), after = k % 3 == 1 ? 0 : below(60);
            int ref_words = k % 2; /* neighbours from the reference vocabulary */
            random_words(q, before, ref_words ? 0 : REFV, ref_words ? REFV : VOCAB);
            memcpy(q + before, r.w[ri] + at, 12 * sizeof *q);
            random_words(q + before + 12, after, ref_words ? 0 : REFV, ref_words ? REFV : VOCAB);
            if (ref_words) { /* not the words that extend the span in its reference */
                if (before && at && q[before - 1] == r.w[ri][at - 1])
                    q[before - 1] = REFV;
                if (after && at + 12 < r.len[ri] && q[before + 12] == r.w[ri][at + 12])
                    q[before + 12] = REFV;
            }
            chaff__decontam_hit h = check_record(d, &t, &o, &r, q, before + 12 + after, &b);
            if (!ref_words) /* with reference neighbours the oracle decides alone */
                assert_int_equal(h.found, 0);
        }
        oracle_free(&o);
        refs_free(&r);
        chaff__decontam_free(d);
    }
    free(b.p);
    chaff__tok_free(&t);
}

/* A 13..40-word span of a reference with every tenth word changed (to another
 * reference word) leaves no 13 words in a row unchanged: never a match. */
static void test_one_in_ten_changed(void **state)
{
    (void)state;
    chaff__tok t = make_tok(7);
    buf b = { 0 };
    uint32_t q[200];
    for (int trial = 0; trial < 60; trial++) {
        chaff__decontam *d = make_decontam(13, 7);
        refs r = { 0 };
        random_refs(&r, d, &t, 1 + below(6), 150, 40, &b);
        oracle o = oracle_build(&r, 13);
        for (int k = 0; k < 40; k++) {
            size_t ri;
            do
                ri = below(r.n);
            while (r.len[ri] < 40);
            size_t span = 13 + below(28), at = below(r.len[ri] - span + 1);
            size_t before = below(50), after = below(50), phase = below(10);
            random_words(q, before, REFV, VOCAB);
            memcpy(q + before, r.w[ri] + at, span * sizeof *q);
            for (size_t j = phase; j < span; j += 10)
                q[before + j] = (uint32_t)((q[before + j] + 1 + below(REFV - 1)) % REFV);
            random_words(q + before + span, after, REFV, VOCAB);
            chaff__decontam_hit h = check_record(d, &t, &o, &r, q, before + span + after, &b);
            assert_int_equal(h.found, 0);
        }
        oracle_free(&o);
        refs_free(&r);
        chaff__decontam_free(d);
    }
    free(b.p);
    chaff__tok_free(&t);
}

/* 200K reference n-grams (2,000 texts of 112 words, several table growths):
 * the count is exact, planted spans are found with their reference, filler
 * and 12-word spans are not. */
static void test_many_references(void **state)
{
    (void)state;
    chaff__tok t = make_tok(8);
    chaff__decontam *d = make_decontam(13, 8);
    refs r = { 0 };
    buf b = { 0 };
    uint32_t w[112], q[200];
    for (size_t i = 0; i < 2000; i++) {
        random_words(w, 112, 0, REFV);
        uint64_t id = (uint64_t)(i % 3) << 40 | (i + 1);
        refs_add(&r, w, 112, id);
        render(&b, w, 112, 0);
        assert_int_equal(chaff__decontam_add(d, &t, b.p, b.len, id), CHAFF_OK);
    }
    oracle o = oracle_build(&r, 13);
    chaff__decontam_stats s;
    chaff__decontam_stats_get(d, &s);
    assert_int_equal(s.ngrams_added, 200000);
    assert_int_equal(s.ngrams, o.distinct);
    assert_true(s.ngrams > 199990);
    assert_int_equal(s.records, 2000);
    /* sealed: smaller, the same n-grams (the queries below run on it) */
    assert_true(s.bytes / s.ngrams >= 18);
    assert_int_equal(chaff__decontam_seal(d), CHAFF_OK);
    chaff__decontam_stats s2;
    chaff__decontam_stats_get(d, &s2);
    assert_int_equal(s2.ngrams, s.ngrams);
    assert_true(s2.bytes / s2.ngrams <= 18);
    for (int k = 0; k < 3000; k++) {
        size_t ri = below(r.n), len = k % 3 == 2 ? 12 : 13, at = below(112 - len + 1);
        size_t before = below(60), after = below(60);
        random_words(q, before, REFV, VOCAB);
        memcpy(q + before, r.w[ri] + at, len * sizeof *q);
        random_words(q + before + len, after, REFV, VOCAB);
        chaff__decontam_hit h = check_record(d, &t, &o, &r, q, before + len + after, &b);
        assert_int_equal(h.found, len == 13);
        if (len == 13) {
            assert_int_equal(h.word, before);
            assert_int_equal(h.ref, r.id[oracle_first(&o, r.w[ri] + at)]);
        }
    }
    /* reference words in random order: the oracle's answer (almost surely none) */
    for (int k = 0; k < 1000; k++) {
        size_t len = below(200);
        random_words(q, len, 0, REFV);
        check_record(d, &t, &o, &r, q, len, &b);
    }
    /* adding after sealing grows the table again */
    random_words(w, 112, 0, REFV);
    refs_add(&r, w, 112, 99999);
    render(&b, w, 112, 0);
    assert_int_equal(chaff__decontam_add(d, &t, b.p, b.len, 99999), CHAFF_OK);
    render(&b, w + 99, 13, 1);
    expect_hit(d, &t, b.p, 99999, 0);
    chaff__decontam_stats_get(d, &s2);
    assert_int_equal(s2.ngrams, s.ngrams + 100);
    oracle_free(&o);
    refs_free(&r);
    free(b.p);
    chaff__decontam_free(d);
    chaff__tok_free(&t);
}

/* One megabyte-sized record: linear, and its hit found at the far end. */
static void test_huge_record(void **state)
{
    (void)state;
    chaff__tok t = make_tok(0);
    chaff__decontam *d = make_decontam(13, 0);
    uint32_t w[13];
    random_words(w, 13, 0, REFV);
    buf b = { 0 }, big = { 0 };
    render(&b, w, 13, 0);
    add_str(d, &t, b.p, 77);
    uint32_t f[1000];
    size_t words = 0;
    for (int k = 0; k < 200; k++) {
        random_words(f, 1000, REFV, VOCAB);
        render(&b, f, 1000, 1);
        put(&big, b.p, b.len);
        put(&big, " ", 1);
        words += 1000;
    }
    chaff__decontam_hit h;
    assert_int_equal(chaff__decontam_find(d, &t, big.p, big.len, &h), CHAFF_OK);
    assert_int_equal(h.found, 0);
    render(&b, w, 13, 1);
    put(&big, b.p, b.len);
    assert_int_equal(chaff__decontam_find(d, &t, big.p, big.len, &h), CHAFF_OK);
    assert_int_equal(h.found, 1);
    assert_int_equal(h.ref, 77);
    assert_int_equal(h.word, words);
    free(b.p);
    free(big.p);
    chaff__decontam_free(d);
    chaff__tok_free(&t);
}

/* ---------------------------------------------------------------------------
 * Threads and allocation failures
 * ------------------------------------------------------------------------- */

#define TQ 400
typedef struct tjob {
    const chaff__decontam *d;
    char **text;
    size_t *len;
    chaff__decontam_hit *want;
    int bad;
} tjob;

static void *thread_main(void *arg)
{
    tjob *j = arg;
    chaff__tok t = make_tok(9);
    for (int round = 0; round < 5; round++)
        for (size_t i = 0; i < TQ; i++) {
            chaff__decontam_hit h;
            if (chaff__decontam_find(j->d, &t, j->text[i], j->len[i], &h) != CHAFF_OK ||
                h.found != j->want[i].found || h.ref != j->want[i].ref ||
                h.word != j->want[i].word)
                j->bad++;
        }
    chaff__tok_free(&t);
    return NULL;
}

/* Lookups from four threads at once, each with its own tokenizer, give the
 * answers one thread gave. */
static void test_threads(void **state)
{
    (void)state;
    chaff__tok t = make_tok(9);
    chaff__decontam *d = make_decontam(13, 9);
    refs r = { 0 };
    buf b = { 0 };
    random_refs(&r, d, &t, 200, 200, 13, &b);
    char *text[TQ];
    size_t len[TQ];
    chaff__decontam_hit want[TQ];
    uint32_t q[150];
    int hits = 0;
    for (size_t i = 0; i < TQ; i++) {
        size_t ri = below(r.n), n = below(120);
        random_words(q, n, REFV, VOCAB);
        if (i % 2 && r.len[ri] >= 13 && n >= 13)
            memcpy(q + below(n - 12), r.w[ri], 13 * sizeof *q);
        render(&b, q, n, 1);
        text[i] = malloc(b.len + 1);
        assert_non_null(text[i]);
        memcpy(text[i], b.p, b.len);
        len[i] = b.len;
        assert_int_equal(chaff__decontam_find(d, &t, text[i], len[i], &want[i]), CHAFF_OK);
        hits += want[i].found;
    }
    assert_true(hits > TQ / 8);
    tjob jobs[4];
    pthread_t th[4];
    for (int k = 0; k < 4; k++) {
        jobs[k] = (tjob){ d, text, len, want, 0 };
        assert_int_equal(pthread_create(&th[k], NULL, thread_main, &jobs[k]), 0);
    }
    for (int k = 0; k < 4; k++) {
        pthread_join(th[k], NULL);
        assert_int_equal(jobs[k].bad, 0);
    }
    for (size_t i = 0; i < TQ; i++)
        free(text[i]);
    refs_free(&r);
    free(b.p);
    chaff__decontam_free(d);
    chaff__tok_free(&t);
}

static long budget; /* allocations left before the hook fails; < 0: unlimited */

static void *failing_fn(void *opaque, void *p, size_t n)
{
    (void)opaque;
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (budget == 0)
        return NULL;
    if (budget > 0)
        budget--;
    return realloc(p, n);
}

/* Out of memory at every allocation of building, one after another until
 * building succeeds: the status says so, and what was added before is still
 * found (and nothing leaks: the sanitizer build). */
#define OOM_TEXTS 300
static size_t oom_len(size_t i)
{
    return i % 50 == 0 ? 3000 : 60;
}

static void test_out_of_memory(void **state)
{
    (void)state;
    chaff__tok t = make_tok(10);
    chaff_options o;
    chaff_options_default(&o);
    o.seed = 10;
    chaff_allocator a = { failing_fn, NULL };
    buf b = { 0 };
    static uint32_t w[3000];
    uint64_t words_rng[OOM_TEXTS];
    long limit = 0;
    for (;; limit++) {
        budget = limit;
        chaff__decontam *d = NULL;
        chaff_status st = chaff__decontam_new(&d, &o, 13, &a);
        if (st != CHAFF_OK) {
            assert_int_equal(st, CHAFF_E_NOMEM);
            assert_null(d);
            continue;
        }
        size_t ok = 0;
        for (size_t i = 0; i < OOM_TEXTS; i++) {
            words_rng[i] = rng_state;
            random_words(w, oom_len(i), 0, REFV);
            render(&b, w, oom_len(i), 0);
            st = chaff__decontam_add(d, &t, b.p, b.len, i);
            if (st != CHAFF_OK) {
                assert_int_equal(st, CHAFF_E_NOMEM);
                break;
            }
            ok++;
        }
        st = chaff__decontam_seal(d); /* with what is left of the budget */
        assert_true(st == CHAFF_OK || st == CHAFF_E_NOMEM);
        budget = -1;
        for (size_t i = 0; i < ok; i++) {
            rng_state = words_rng[i]; /* the same words, rendered another way */
            random_words(w, oom_len(i), 0, REFV);
            render(&b, w, oom_len(i), 1);
            chaff__decontam_hit h;
            assert_int_equal(chaff__decontam_find(d, &t, b.p, b.len, &h), CHAFF_OK);
            assert_int_equal(h.found, 1);
            assert_int_equal(h.ref, i);
        }
        chaff__decontam_free(d);
        if (ok == OOM_TEXTS)
            break;
    }
    assert_true(limit >= 10); /* the table grew several times */
    free(b.p);
    chaff__tok_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_cases),
        cmocka_unit_test(test_normalisation),
        cmocka_unit_test(test_first_reference),
        cmocka_unit_test(test_empty_and_short),
        cmocka_unit_test(test_n_extremes),
        cmocka_unit_test(test_seed_mismatch),
        cmocka_unit_test(test_fwork),
        cmocka_unit_test(test_planted_13),
        cmocka_unit_test(test_repeats_against_oracle),
        cmocka_unit_test(test_12_not_enough),
        cmocka_unit_test(test_one_in_ten_changed),
        cmocka_unit_test(test_many_references),
        cmocka_unit_test(test_huge_record),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
