/* tests/test_dedup.c - chaff_dedup verdicts on small exact cases, independence
 * from how records are batched, allocator hooks and out-of-memory paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include "chaff.h"

static chaff_dedup *make(double t)
{
    chaff_options o;
    chaff_options_default(&o);
    o.threshold = t;
    chaff_dedup *d;
    assert_int_equal(chaff_dedup_new(&d, &o), CHAFF_OK);
    return d;
}

static void run(chaff_dedup *d, const char **texts, size_t n, chaff_verdict *v)
{
    chaff_doc *docs = calloc(n, sizeof *docs);
    for (size_t i = 0; i < n; i++) {
        docs[i].text = texts[i];
        docs[i].len = strlen(texts[i]);
        docs[i].index = 100 + i;
    }
    assert_int_equal(chaff_dedup_add(d, docs, n, v), CHAFF_OK);
    free(docs);
}

static const char *BASE = "one two three four five six seven eight nine ten eleven twelve "
                          "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty";
/* last word changed: 16 five-word shingles each, 15 shared -> J = 15/17 */
static const char *LAST = "one two three four five six seven eight nine ten eleven twelve "
                          "thirteen fourteen fifteen sixteen seventeen eighteen nineteen XX";

static void test_known_verdicts(void **state)
{
    (void)state;
    const char *texts[] = { BASE, LAST, "One, TWO three... four five six seven eight nine ten "
                                        "eleven twelve thirteen fourteen fifteen sixteen "
                                        "seventeen eighteen nineteen twenty!",
                            "", "?!", "unrelated words entirely different from the rest" };
    chaff_verdict v[6];
    chaff_dedup *d = make(0.8);
    run(d, texts, 6, v);
    assert_int_equal(v[0].reason, CHAFF_KEEP);
    assert_int_equal(v[1].reason, CHAFF_DROP_NEAR);
    assert_int_equal(v[1].duplicate_of, 100);
    assert_true(v[1].similarity == 15.0 / 17.0);
    assert_int_equal(v[2].reason, CHAFF_DROP_EXACT);
    assert_int_equal(v[2].duplicate_of, 100);
    assert_true(v[2].similarity == 1.0);
    assert_int_equal(v[3].reason, CHAFF_KEEP); /* no words: never a duplicate */
    assert_int_equal(v[4].reason, CHAFF_KEEP);
    assert_int_equal(v[5].reason, CHAFF_KEEP);
    chaff_dedup_stats st;
    chaff_dedup_get_stats(d, &st);
    assert_int_equal(st.records, 6);
    assert_int_equal(st.kept, 4);
    assert_int_equal(st.exact, 1);
    assert_int_equal(st.near, 1);
    chaff_dedup_free(d);

    /* just above the pair's similarity: both kept */
    d = make(0.89);
    run(d, texts, 2, v);
    assert_int_equal(v[1].reason, CHAFF_KEEP);
    chaff_dedup_free(d);
    /* exactly at it: dropped (J >= T, not J > T) */
    d = make(15.0 / 17.0);
    run(d, texts, 2, v);
    assert_int_equal(v[1].reason, CHAFF_DROP_NEAR);
    chaff_dedup_free(d);
}

/* A record whose shingles are a subset of a kept record's, at Jaccard exactly
 * equal to the threshold, is dropped (J >= T): 14 of 25 shingles is 0.56, a
 * value where lo < T * hi and lo / hi < T disagree in floating point. */
static void test_subset_at_threshold(void **state)
{
    (void)state;
    char a[400] = "", b[400] = "";
    for (int i = 0; i < 29; i++) {
        char w[16];
        snprintf(w, sizeof w, "w%d ", i);
        strcat(a, w);
        if (i < 18)
            strcat(b, w);
    }
    const char *texts[] = { a, b };
    chaff_verdict v[2];
    chaff_options o;
    chaff_options_default(&o);
    o.threshold = 0.56;
    o.bands = 128; /* one row per band: candidates certain, only verification decides */
    o.rows = 1;
    chaff_dedup *d;
    assert_int_equal(chaff_dedup_new(&d, &o), CHAFF_OK);
    run(d, texts, 2, v);
    assert_int_equal(v[1].reason, CHAFF_DROP_NEAR);
    assert_true(v[1].similarity == 14.0 / 25.0);
    chaff_dedup_free(d);
}

/* The most similar kept record is named, not merely the first found: A kept;
 * B = A with word 20 and words 100..103 changed, J(A,B) = 183/209 < 0.9, kept;
 * C = A with words 100..103 changed as in B: J(C,A) = 188/204, J(C,B) = 191/201. */
static void test_best_match(void **state)
{
    (void)state;
    char a[2000] = "", b[2000] = "", c[2000] = "";
    for (int i = 0; i < 200; i++) {
        char w[16];
        snprintf(w, sizeof w, "w%d ", i);
        strcat(a, w);
        if (i >= 100 && i <= 103)
            snprintf(w, sizeof w, "x%d ", i);
        strcat(c, w);
        if (i == 20)
            snprintf(w, sizeof w, "y%d ", i);
        strcat(b, w);
    }
    const char *texts[] = { a, b, c };
    chaff_verdict v[3];
    chaff_dedup *d = make(0.9);
    run(d, texts, 3, v);
    assert_int_equal(v[0].reason, CHAFF_KEEP);
    assert_int_equal(v[1].reason, CHAFF_KEEP);
    assert_int_equal(v[2].reason, CHAFF_DROP_NEAR);
    assert_int_equal(v[2].duplicate_of, 101);
    assert_true(v[2].similarity == 191.0 / 201.0);
    chaff_dedup_free(d);
}

static char **corpus(size_t n, unsigned seed)
{
    static const char *words[] = { "alpha", "beta", "gamma", "delta", "eps", "zeta", "eta",
                                   "theta", "iota", "kappa", "lambda", "mu", "nu", "xi",
                                   "omicron", "pi", "rho", "sigma", "tau", "upsilon" };
    char **t = calloc(n, sizeof *t);
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        t[i] = calloc(1, 512);
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        if (i > 10 && (s >> 60) < 4) { /* a copy of an earlier record with one word changed */
            size_t src = (size_t)((s >> 20) % i);
            strcpy(t[i], t[src]);
            char *sp = strchr(t[i], ' ');
            if (sp)
                sp[1] = 'Q';
            continue;
        }
        for (int w = 0; w < 30; w++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            strcat(t[i], words[(s >> 33) % 20]);
            strcat(t[i], " ");
        }
    }
    return t;
}

static void test_batching_does_not_matter(void **state)
{
    (void)state;
    const size_t n = 5000; /* over one internal chunk */
    char **t = corpus(n, 42);
    chaff_verdict *all = calloc(n, sizeof *all), *one = calloc(n, sizeof *one);
    chaff_dedup *d = make(0.8);
    run(d, (const char **)t, n, all);
    chaff_dedup_free(d);
    const size_t steps[] = { 1, 7, 4096 };
    for (int k = 0; k < 3; k++) {
        d = make(0.8);
        for (size_t i = 0; i < n; i += steps[k]) {
            size_t m = n - i < steps[k] ? n - i : steps[k];
            chaff_doc *docs = calloc(m, sizeof *docs);
            for (size_t j = 0; j < m; j++) {
                docs[j].text = t[i + j];
                docs[j].len = strlen(t[i + j]);
                docs[j].index = 100 + i + j;
            }
            assert_int_equal(chaff_dedup_add(d, docs, m, one + i), CHAFF_OK);
            free(docs);
        }
        assert_memory_equal(all, one, n * sizeof *all);
        chaff_dedup_free(d);
    }
    /* any number of threads, even more than cores, gives the same verdicts */
    const unsigned threads[] = { 1, 2, 7 };
    for (int k = 0; k < 3; k++) {
        chaff_options o;
        chaff_options_default(&o);
        o.threads = threads[k];
        assert_int_equal(chaff_dedup_new(&d, &o), CHAFF_OK);
        memset(one, 0, n * sizeof *one);
        run(d, (const char **)t, n, one);
        assert_memory_equal(all, one, n * sizeof *all);
        chaff_dedup_stats st;
        chaff_dedup_get_stats(d, &st);
        assert_int_equal(st.threads, threads[k]);
        assert_int_equal(st.method, CHAFF_METHOD_MINHASH);
        assert_int_equal(st.simd, chaff_simd_resolve(CHAFF_SIMD_AUTO));
        chaff_dedup_free(d);
    }
    size_t dropped = 0;
    for (size_t i = 0; i < n; i++)
        dropped += all[i].reason != CHAFF_KEEP;
    assert_true(dropped > 100); /* the corpus does have duplicates */
    for (size_t i = 0; i < n; i++)
        free(t[i]);
    free(t);
    free(all);
    free(one);
}

/* Atomic, because with threads > 1 the hook is called from worker threads. */
typedef struct { _Atomic size_t calls, live; size_t fail_after; } counting;

static void *count_fn(void *opaque, void *p, size_t size)
{
    counting *c = opaque;
    if (size == 0) {
        if (p)
            c->live--;
        free(p);
        return NULL;
    }
    if (c->calls++ >= c->fail_after)
        return NULL;
    void *q = realloc(p, size);
    if (q && !p)
        c->live++;
    return q;
}

static void test_allocator_hooks(void **state)
{
    (void)state;
    char **t = corpus(300, 7);
    chaff_doc docs[300];
    chaff_verdict v[300];
    for (size_t i = 0; i < 300; i++) {
        docs[i].text = t[i];
        docs[i].len = strlen(t[i]);
        docs[i].index = i;
    }
    /* all allocations go through the hook and are returned, threads too */
    chaff_options o;
    chaff_options_default(&o);
    o.alloc.fn = count_fn;
    chaff_dedup *d;
    for (unsigned threads = 4; threads >= 1; threads--) {
        counting c = { 0, 0, SIZE_MAX };
        o.alloc.opaque = &c;
        o.threads = threads;
        assert_int_equal(chaff_dedup_new(&d, &o), CHAFF_OK);
        assert_int_equal(chaff_dedup_add(d, docs, 300, v), CHAFF_OK);
        chaff_dedup_free(d);
        assert_true(c.calls > 5);
        assert_int_equal(c.live, 0);
    }
    /* failing at every possible point returns CHAFF_E_NOMEM, never crashes or
     * leaks (one thread, so the points are the same on every run) */
    counting c = { 0, 0, SIZE_MAX };
    o.alloc.opaque = &c;
    assert_int_equal(chaff_dedup_new(&d, &o), CHAFF_OK);
    assert_int_equal(chaff_dedup_add(d, docs, 300, v), CHAFF_OK);
    chaff_dedup_free(d);
    size_t total = c.calls;
    for (size_t k = 0; k < total; k++) {
        counting f = { 0, 0, k };
        o.alloc.opaque = &f;
        chaff_status st = chaff_dedup_new(&d, &o);
        if (st == CHAFF_OK) {
            st = chaff_dedup_add(d, docs, 300, v);
            chaff_dedup_free(d);
        }
        assert_int_equal(st, CHAFF_E_NOMEM);
        assert_int_equal(f.live, 0);
    }
    for (size_t i = 0; i < 300; i++)
        free(t[i]);
    free(t);
}

static void test_options(void **state)
{
    (void)state;
    chaff_options o;
    chaff_options_default(&o);
    char why[128];
    assert_int_equal(chaff_options_check(&o, why, sizeof why), CHAFF_OK);
    size_t np;
    const chaff_param_info *p = chaff_params(&np);
    assert_true(np >= 5);
    assert_string_equal(p[0].name, "threshold");
    assert_true(p[0].def == o.threshold);
    struct { double t; unsigned n, k, b, r; const char *msg; } bad[] = {
        { 0, 5, 128, 0, 0, "threshold must be between 0.01 and 1" },
        { 1.01, 5, 128, 0, 0, "threshold must be between 0.01 and 1" },
        { 0.8, 0, 128, 0, 0, "ngram must be between 1 and 64" },
        { 0.8, 5, 100, 0, 0, "num-perm must be a multiple of 8 between 8 and 1024" },
        { 0.8, 5, 128, 20, 8, "bands x rows must not exceed num-perm" },
        { 0.8, 5, 128, 0, 200, "rows must be between 0 and 1024" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        chaff_options_default(&o);
        o.threshold = bad[i].t;
        o.ngram = bad[i].n;
        o.num_perm = bad[i].k;
        o.bands = bad[i].b;
        o.rows = bad[i].r;
        if (bad[i].r == 200)
            o.rows = 2000;
        assert_int_equal(chaff_options_check(&o, why, sizeof why), CHAFF_E_ARG);
        assert_string_equal(why, bad[i].msg);
        chaff_dedup *d;
        assert_int_equal(chaff_dedup_new(&d, &o), CHAFF_E_ARG);
        assert_null(d);
    }
    chaff_options_default(&o);
    o.sizeof_options = 8; /* a caller that skipped chaff_options_default() */
    assert_int_equal(chaff_options_check(&o, NULL, 0), CHAFF_E_ARG);
    /* bands alone: rows follow from num_perm */
    chaff_options_default(&o);
    o.bands = 32;
    chaff_dedup *d;
    assert_int_equal(chaff_dedup_new(&d, &o), CHAFF_OK);
    chaff_dedup_stats st;
    chaff_dedup_get_stats(d, &st);
    assert_int_equal(st.bands, 32);
    assert_int_equal(st.rows, 4);
    chaff_dedup_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_verdicts),
        cmocka_unit_test(test_best_match),
        cmocka_unit_test(test_subset_at_threshold),
        cmocka_unit_test(test_batching_does_not_matter),
        cmocka_unit_test(test_allocator_hooks),
        cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
