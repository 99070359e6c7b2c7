/* tests/test_quality.c - chaff_dedup's accuracy against an exact oracle, on real text.
 *
 * Unit tests show each module does what its author meant; this one shows the whole engine
 * finds the near-duplicates a user means. scripts/make-corpus.sh builds ~56K records of
 * Debian-packaged documentation (licenses, man pages, Perl's pod, fortunes: natural
 * near-duplicates, none of them planted) into the build directory; tests/support/oracle.c
 * finds every pair with Jaccard >= 0.7 exactly, with its own tokenizer; tests/support/score.c
 * scores chaff's verdicts by the definitions of shared/eval/score.py. Asserted:
 *   - dup_recall >= 0.99 and drop_precision >= 0.995 at threshold 0.8 (tolerance 0.1);
 *   - every "exact" drop names a record with the same shingle set (J = 1 in the oracle);
 *   - every "near" drop has similarity >= 0.8, and when both records have at most 256
 *     shingles (chaff then verifies on the full sets, see core/store.h) the similarity is
 *     the oracle's exact Jaccard to 1e-4 and the pair is in the oracle's output;
 *   - every drop points back to an earlier kept record (keep-first).
 * The synthetic tests pin exact verdicts on hand-built records whose Jaccard is known by
 * construction, including both sides of the threshold, and check the oracle and the scorer
 * themselves on cases worked by hand.
 * Under CHAFF_SANITIZE only the first 5000 records are used, to keep the sanitizer run short.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>     /* fabs */
#include <stdio.h>    /* printf, snprintf */
#include <stdlib.h>   /* getenv, malloc, calloc, free, system */
#include <string.h>   /* strchr, strstr, memcpy */
#include <time.h>     /* clock_gettime: the timings printed */

#include "chaff.h"
#include "corpus.h"
#include "oracle.h"
#include "score.h"

#ifdef CHAFF_SANITIZE
#define QUALITY_RECORDS 5000
#else
#define QUALITY_RECORDS 0 /* all */
#endif
#define THRESHOLD 0.8
#define TOLERANCE 0.1
#define ORACLE_T 0.7      /* THRESHOLD - TOLERANCE: what drop_precision needs */
#define BATCH 4096
#define EXACT_MAX_SHINGLES 256

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs chaff_dedup over texts[0..n) in order, BATCH records per call. */
static void run_dedup(const chaff_options *o, const char *const *texts, const size_t *lens,
                      size_t n, chaff_verdict *out, chaff_dedup_stats *stats)
{
    chaff_dedup *d = NULL;
    chaff_doc *docs = malloc(BATCH * sizeof *docs);
    assert_non_null(docs);
    assert_int_equal(chaff_dedup_new(&d, o), CHAFF_OK);
    for (size_t at = 0; at < n; at += BATCH) {
        size_t m = n - at < BATCH ? n - at : BATCH;
        for (size_t k = 0; k < m; k++) {
            docs[k].text = texts[at + k];
            docs[k].len = lens[at + k];
            docs[k].index = at + k;
        }
        assert_int_equal(chaff_dedup_add(d, docs, m, out + at), CHAFF_OK);
    }
    if (stats)
        chaff_dedup_get_stats(d, stats);
    chaff_dedup_free(d);
    free(docs);
}

/* --- synthetic: known Jaccard, exact verdicts ------------------------------------------- */

/* 20 distinct words make 16 five-word shingles; the variants below change or add words at
 * known places, so each Jaccard with record 0 is a fraction we can write down. */
static const char *const synthetic[] = {
    /* 0 */ "alpha bravo charlie delta echo foxtrot golf hotel india juliett "
            "kilo lima mike november oscar papa quebec romeo sierra tango",
    /* 1: same words, other case and punctuation: exact duplicate of 0 */
    "ALPHA, Bravo; charlie -- DELTA echo (foxtrot) golf hotel. India juliett\n"
    "kilo? lima! mike november/oscar papa quebec ROMEO sierra tango...",
    /* 2: last word changed: 15 shared of 17 -> J = 0.882, near duplicate of 0 */
    "alpha bravo charlie delta echo foxtrot golf hotel india juliett "
    "kilo lima mike november oscar papa quebec romeo sierra uniform",
    /* 3: word 10 changed: the 5 windows over it differ, 11/21 = 0.524, kept */
    "alpha bravo charlie delta echo foxtrot golf hotel india juliett "
    "zulu lima mike november oscar papa quebec romeo sierra tango",
    /* 4: two words appended: 16/18 = 0.889, near duplicate of 0 */
    "alpha bravo charlie delta echo foxtrot golf hotel india juliett "
    "kilo lima mike november oscar papa quebec romeo sierra tango uniform victor",
    /* 5: first and last words changed: 14/18 = 0.778, just below: kept */
    "xray bravo charlie delta echo foxtrot golf hotel india juliett "
    "kilo lima mike november oscar papa quebec romeo sierra yankee",
    /* 6: four words appended: 16/20 = 0.8 exactly, on the threshold: near duplicate of 0 */
    "alpha bravo charlie delta echo foxtrot golf hotel india juliett "
    "kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey zulu",
    /* 7: three words, one shingle of all three: kept */
    "Hello world foo",
    /* 8: the same three words: exact duplicate of 7 */
    "hello, WORLD: foo!",
    /* 9: two of them: another single shingle, J = 0 with 7: kept */
    "hello world",
    /* 10, 11: "Ünïcödé ÀÉÎ straße ΚΑΙ 42 one two three" and the same in other cases
     * (ß has no simple uppercase, so "STRAßE"): 8 words, 4 shingles, exact duplicates */
    "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xc3\x80\xc3\x89\xc3\x8e stra\xc3\x9f" "e "
    "\xce\x9a\xce\x91\xce\x99 42 one two three",
    "\xc3\xbcn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xc3\xa0\xc3\xa9\xc3\xae STRA\xc3\x9f" "E "
    "\xce\xba\xce\xb1\xce\xb9 42 ONE TWO THREE",
};

typedef struct expect {
    chaff_reason reason;
    uint64_t of;
    double similarity;
} expect;

static const expect synthetic_expect[] = {
    { CHAFF_KEEP, 0, 0 },
    { CHAFF_DROP_EXACT, 0, 1.0 },
    { CHAFF_DROP_NEAR, 0, 15.0 / 17.0 },
    { CHAFF_KEEP, 0, 0 },
    { CHAFF_DROP_NEAR, 0, 16.0 / 18.0 },
    { CHAFF_KEEP, 0, 0 },
    { CHAFF_DROP_NEAR, 0, 16.0 / 20.0 },
    { CHAFF_KEEP, 0, 0 },
    { CHAFF_DROP_EXACT, 7, 1.0 },
    { CHAFF_KEEP, 0, 0 },
    { CHAFF_KEEP, 0, 0 },
    { CHAFF_DROP_EXACT, 10, 1.0 },
};

#define N_SYNTHETIC (sizeof synthetic / sizeof synthetic[0])

static void synthetic_lens(size_t *lens)
{
    for (size_t k = 0; k < N_SYNTHETIC; k++)
        lens[k] = strlen(synthetic[k]);
}

/* The oracle itself must get these fractions right before it can judge anything. */
static void test_synthetic_oracle(void **state)
{
    (void)state;
    size_t lens[N_SYNTHETIC];
    oracle_result r;
    synthetic_lens(lens);
    assert_int_equal(oracle_run(synthetic, lens, N_SYNTHETIC, 5, 0.5, &r), 0);
    static const struct { uint32_t i, j, inter, uni; } want[] = {
        { 0, 1, 16, 16 }, { 0, 2, 15, 17 }, { 0, 3, 11, 21 }, { 0, 4, 16, 18 },
        { 0, 5, 14, 18 }, { 0, 6, 16, 20 }, { 7, 8, 1, 1 }, { 10, 11, 4, 4 },
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        const oracle_pair *p = oracle_find(&r, want[k].j, want[k].i);
        assert_non_null(p);
        assert_int_equal(p->inter, want[k].inter);
        assert_int_equal(p->uni, want[k].uni);
    }
    assert_null(oracle_find(&r, 7, 9));
    assert_int_equal(r.shingles[0], 16);
    assert_int_equal(r.shingles[7], 1);
    assert_int_equal(r.shingles[9], 1);
    assert_int_equal(r.shingles[10], 4);
    oracle_result_free(&r);
    /* no words, no shingles; invalid UTF-8 separates like a space */
    const char *odd[] = { "-- !! --", ("ab\xff" "cd ef"), "AB cd EF" };
    size_t odd_lens[] = { 8, 8, 8 };
    assert_int_equal(oracle_run(odd, odd_lens, 3, 5, 0.5, &r), 0);
    assert_int_equal(r.shingles[0], 0);
    assert_int_equal(r.n_pairs, 1);
    assert_int_equal(r.pairs[0].i, 1);
    assert_int_equal(r.pairs[0].j, 2);
    oracle_result_free(&r);
}

/* The scorer on a case worked by hand (and by score.py, which prints the same line), with
 * score.py's two quirks: t - tol is 0.7000000000000001 in double, so a pair at J = 0.7
 * exactly is no neighbour, and J is read as printed with four decimals, so 0.79996 is a
 * true pair at t = 0.8. */
static void test_scorer(void **state)
{
    (void)state;
    const oracle_pair pairs[] = {
        { 0, 1, 9, 10, 0.9 }, { 1, 2, 17, 20, 0.85 }, { 2, 5, 7, 10, 0.7 },
        { 3, 4, 3, 4, 0.75 }, { 6, 7, 19999, 25000, 19999.0 / 25000.0 },
    };
    score_verdict v[8] = { { 0, 0 } };
    v[1].dropped = 1, v[1].duplicate_of = 0;
    v[4].dropped = 1, v[4].duplicate_of = 3;
    v[5].dropped = 1, v[5].duplicate_of = 2;
    score_result s;
    char line[256];
    assert_int_equal(score_compute(pairs, 5, v, 8, 0.8, 0.1, &s), 0);
    score_format(&s, line, sizeof line);
    assert_string_equal(line, "dropped=3 dup_recall=0.6667 cluster_recall=0.3333 "
                              "drop_precision=0.6667 drop_recall=0.6667 true_pairs=3 "
                              "must_drop=3");
    assert_int_equal(s.good_drops, 2);
    assert_int_equal(s.left_pairs, 1);
    /* nothing dropped: precision 1 by definition, every true pair left */
    score_verdict none[8] = { { 0, 0 } };
    assert_int_equal(score_compute(pairs, 5, none, 8, 0.8, 0.1, &s), 0);
    assert_true(s.drop_precision == 1.0 && s.dup_recall == 0.0 && s.drop_recall == 0.0);
    /* a duplicate_of outside the records is an error, not a silent miss */
    v[1].duplicate_of = 8;
    assert_int_equal(score_compute(pairs, 5, v, 8, 0.8, 0.1, &s), -1);
}

static void check_synthetic(const chaff_verdict *v, int boundary_may_miss)
{
    for (size_t k = 0; k < N_SYNTHETIC; k++) {
        const expect *e = &synthetic_expect[k];
        if (boundary_may_miss && k == 6 && v[k].reason == CHAFF_KEEP)
            continue;
        if (v[k].reason != (uint32_t)e->reason)
            fail_msg("synthetic record %zu: verdict %s, expected %s", k,
                     chaff_reason_name((chaff_reason)v[k].reason), chaff_reason_name(e->reason));
        if (e->reason == CHAFF_KEEP)
            continue;
        assert_int_equal(v[k].duplicate_of, e->of);
        if (fabs(v[k].similarity - e->similarity) > 1e-6)
            fail_msg("synthetic record %zu: similarity %.6f, expected %.6f", k,
                     v[k].similarity, e->similarity);
    }
}

/* With one row per band, any pair sharing a MinHash value at all is a candidate (at J = 0.5
 * the chance of a miss is 2^-128), so the verdicts depend on exact verification alone and
 * the record at J = 0.8 exactly must be dropped. */
static void test_synthetic_exhaustive(void **state)
{
    (void)state;
    size_t lens[N_SYNTHETIC];
    chaff_verdict v[N_SYNTHETIC];
    chaff_options o;
    synthetic_lens(lens);
    chaff_options_default(&o);
    o.threshold = THRESHOLD;
    o.bands = o.num_perm;
    o.rows = 1;
    run_dedup(&o, synthetic, lens, N_SYNTHETIC, v, NULL);
    check_synthetic(v, 0);
}

/* Default banding: the record at J = 0.8 exactly becomes a candidate with p = 0.95 only, so
 * it may be kept; everything else is as above (the near pairs at 0.88 miss with p < 0.001,
 * and the seed is fixed, so a pass is a pass for good). */
static void test_synthetic_default(void **state)
{
    (void)state;
    size_t lens[N_SYNTHETIC];
    chaff_verdict v[N_SYNTHETIC];
    chaff_options o;
    synthetic_lens(lens);
    chaff_options_default(&o);
    o.threshold = THRESHOLD;
    run_dedup(&o, synthetic, lens, N_SYNTHETIC, v, NULL);
    check_synthetic(v, 1);
}

/* --- the real corpus ------------------------------------------------------------------- */

/* Builds the corpus with scripts/make-corpus.sh into the build directory. */
static void build_corpus(char *path, size_t cap)
{
    char name[64], err[512];
    if (QUALITY_RECORDS)
        snprintf(name, sizeof name, "quality-corpus-%d.jsonl", QUALITY_RECORDS);
    else
        snprintf(name, sizeof name, "quality-corpus.jsonl");
    double t0 = now();
    if (corpus_make("", QUALITY_RECORDS, name, path, cap, err, sizeof err))
        fail_msg("%s", err);
    printf("corpus: %s built in %.1f s\n", path, now() - t0);
}

static void test_real_corpus(void **state)
{
    (void)state;
    char path[4096], err[512], line[512];
    corpus c;
    build_corpus(path, sizeof path);
    if (corpus_load(&c, path, "text", QUALITY_RECORDS, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_true(c.n > 0);

    chaff_options o;
    chaff_options_default(&o);
    o.threshold = THRESHOLD;
    chaff_verdict *v = calloc(c.n, sizeof *v);
    score_verdict *sv = calloc(c.n, sizeof *sv);
    chaff_dedup_stats st;
    assert_non_null(v);
    assert_non_null(sv);
    double t0 = now();
    run_dedup(&o, c.text, c.len, c.n, v, &st);
    double t_dedup = now() - t0;

    oracle_result r;
    t0 = now();
    assert_int_equal(oracle_run(c.text, c.len, c.n, o.ngram, ORACLE_T, &r), 0);
    double t_oracle = now() - t0;

    /* structural checks and the similarity each near drop claims */
    uint64_t exact = 0, near = 0, tight = 0, failures = 0;
    double worst = 0;
    for (size_t k = 0; k < c.n; k++) {
        if (v[k].reason == CHAFF_KEEP)
            continue;
        uint64_t of = v[k].duplicate_of;
        sv[k].dropped = 1;
        sv[k].duplicate_of = of;
        if (v[k].reason != CHAFF_DROP_EXACT && v[k].reason != CHAFF_DROP_NEAR)
            fail_msg("record %zu: reason %u", k, v[k].reason);
        if (of >= k || v[of].reason != CHAFF_KEEP)
            fail_msg("record %zu: duplicate_of %llu is not an earlier kept record", k,
                     (unsigned long long)of);
        const oracle_pair *p = oracle_find(&r, of, k);
        if (v[k].reason == CHAFF_DROP_EXACT) {
            exact++;
            /* same normalised text: same shingle set, or both without words */
            int ok = p ? p->inter == p->uni : r.shingles[k] == 0 && r.shingles[of] == 0;
            if (!ok && failures++ < 10)
                printf("exact drop %zu of %llu: oracle J = %s\n", k, (unsigned long long)of,
                       p ? "< 1" : "< 0.7");
            continue;
        }
        near++;
        if (!(v[k].similarity >= THRESHOLD) && failures++ < 10)
            printf("near drop %zu of %llu: similarity %.6f < %.2f\n", k,
                   (unsigned long long)of, v[k].similarity, THRESHOLD);
        if (r.shingles[k] > EXACT_MAX_SHINGLES || r.shingles[of] > EXACT_MAX_SHINGLES)
            continue;
        tight++;
        double diff = p ? fabs(v[k].similarity - p->jaccard) : 1.0;
        if (diff > worst)
            worst = diff;
        if (diff > 1e-4 && failures++ < 10)
            printf("near drop %zu of %llu (%u and %u shingles): similarity %.6f, oracle %s%.6f\n",
                   k, (unsigned long long)of, r.shingles[k], r.shingles[of], v[k].similarity,
                   p ? "" : "J < 0.7, not listed; ", p ? p->jaccard : 0.0);
    }

    score_result s;
    assert_int_equal(score_compute(r.pairs, r.n_pairs, sv, c.n, THRESHOLD, TOLERANCE, &s), 0);
    score_format(&s, line, sizeof line);

    /* where the misses are: true pairs left with both records kept, by Jaccard */
    uint64_t miss_by[3] = { 0, 0, 0 }, pairs_by[3] = { 0, 0, 0 };
    for (size_t k = 0; k < r.n_pairs; k++) {
        const oracle_pair *p = &r.pairs[k];
        if (p->jaccard < THRESHOLD)
            continue;
        int b = p->inter == p->uni ? 2 : p->jaccard < 0.9 ? 0 : 1;
        pairs_by[b]++;
        if (!sv[p->i].dropped && !sv[p->j].dropped)
            miss_by[b]++;
    }

    printf("records=%zu kept=%llu exact=%llu near=%llu candidates=%llu bands=%u rows=%u "
           "num_perm=%u\n", c.n, (unsigned long long)st.kept, (unsigned long long)exact,
           (unsigned long long)near, (unsigned long long)st.candidates, st.bands, st.rows,
           st.num_perm);
    printf("oracle: %zu pairs with J >= %.1f, %llu verified candidates\n", r.n_pairs, ORACLE_T,
           (unsigned long long)r.candidates);
    printf("%s\n", line);
    printf("true pairs left with both kept: J in [0.8, 0.9): %llu of %llu, [0.9, 1): %llu "
           "of %llu, identical sets: %llu of %llu\n",
           (unsigned long long)miss_by[0], (unsigned long long)pairs_by[0],
           (unsigned long long)miss_by[1], (unsigned long long)pairs_by[1],
           (unsigned long long)miss_by[2], (unsigned long long)pairs_by[2]);
    printf("near drops checked against the exact Jaccard: %llu (worst difference %.2g)\n",
           (unsigned long long)tight, worst);
    printf("time: chaff_dedup %.2f s, oracle %.2f s\n", t_dedup, t_oracle);

    assert_int_equal(failures, 0);
    assert_int_equal(st.records, c.n);
    if (!(s.dup_recall >= 0.99))
        fail_msg("dup_recall %.4f < 0.99", s.dup_recall);
    if (!(s.drop_precision >= 0.995))
        fail_msg("drop_precision %.4f < 0.995", s.drop_precision);

    oracle_result_free(&r);
    free(v);
    free(sv);
    corpus_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synthetic_oracle),
        cmocka_unit_test(test_scorer),
        cmocka_unit_test(test_synthetic_exhaustive),
        cmocka_unit_test(test_synthetic_default),
        cmocka_unit_test(test_real_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
