/* tests/test_lsh.c - the LSH multimap, the banding choice, and candidate
 * probabilities against the S-curve 1 - (1 - J^r)^b. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "lsh.h"
#include "minhash.h"

static void test_multimap(void **state)
{
    (void)state;
    chaff__lsh l;
    chaff__lsh_init(&l, NULL);
    uint32_t out[8];
    assert_int_equal(chaff__lsh_query(&l, 5, out, 8, NULL), 0);
    /* many ids under one fingerprint, and 200k distinct ones forcing growth */
    for (uint32_t i = 0; i < 5; i++)
        assert_int_equal(chaff__lsh_insert(&l, 0xDEADBEEF, 100 + i), CHAFF_OK);
    for (uint32_t i = 0; i < 200000; i++)
        assert_int_equal(chaff__lsh_insert(&l, i * 2654435761u, i), CHAFF_OK);
    assert_int_equal(chaff__lsh_query(&l, 0xDEADBEEF, out, 8, NULL), 5);
    int seen = 0;
    for (int i = 0; i < 5; i++)
        seen |= 1 << (out[i] - 100);
    assert_int_equal(seen, 31);
    /* a short buffer reports the full count so the caller can grow */
    assert_int_equal(chaff__lsh_query(&l, 0xDEADBEEF, out, 2, NULL), 5);
    for (uint32_t i = 0; i < 200000; i += 997) {
        assert_int_equal(chaff__lsh_query(&l, i * 2654435761u, out, 8, NULL), 1);
        assert_int_equal(out[0], i);
    }
    assert_true(l.count * 4 <= l.cap * 3); /* never over 3/4 full */
    assert_true(l.count * 2 >= l.cap);     /* and, after growing, at least 1/2 */
    chaff__lsh_free(&l);
}

/* Query-then-insert at the query's end, as chaff_dedup does per kept record,
 * with many bands whose probe runs collide (near-equal fingerprints end at the
 * same empty slot): every entry must stay findable. */
static void test_insert_at_query_end(void **state)
{
    (void)state;
    chaff__lsh l;
    chaff__lsh_init(&l, NULL);
    uint32_t out[64];
    size_t ends[16];
    const uint32_t records = 30000;
    for (uint32_t id = 0; id < records; id++) {
        assert_int_equal(chaff__lsh_reserve(&l, 16), CHAFF_OK);
        for (int b = 0; b < 16; b++) {
            uint32_t fp = (id * 2654435761u) ^ (uint32_t)(b < 8 ? 0 : b); /* 8 bands share */
            chaff__lsh_query(&l, fp, out, 64, &ends[b]);
        }
        for (int b = 0; b < 16; b++)
            chaff__lsh_insert_at(&l, (id * 2654435761u) ^ (uint32_t)(b < 8 ? 0 : b), id, ends[b]);
    }
    assert_int_equal(l.count, (size_t)records * 16);
    assert_true(l.count * 4 <= l.cap * 3);
    for (uint32_t id = 0; id < records; id++) {
        assert_int_equal(chaff__lsh_query(&l, id * 2654435761u, out, 64, NULL), 8);
        for (int k = 0; k < 8; k++)
            assert_int_equal(out[k], id);
        for (int b = 8; b < 16; b++)
            assert_true(chaff__lsh_query(&l, (id * 2654435761u) ^ (uint32_t)b, out, 64, NULL) >= 1);
    }
    chaff__lsh_free(&l);
}

static void test_params(void **state)
{
    (void)state;
    unsigned b, r;
    assert_int_equal(chaff_lsh_params(0.8, 128, &b, &r), CHAFF_OK);
    assert_int_equal(b, 16);
    assert_int_equal(r, 8);
    for (double t = 0.3; t <= 1.0; t += 0.05)
        for (unsigned k = 8; k <= 256; k *= 2) {
            assert_int_equal(chaff_lsh_params(t, k, &b, &r), CHAFF_OK);
            assert_true(b >= 1 && r >= 1 && b * r <= k);
            /* the choice must catch most pairs at the threshold */
            if (k >= 64)
                assert_true(1 - pow(1 - pow(t, r), b) > 0.85);
        }
    assert_int_equal(chaff_lsh_params(0, 128, &b, &r), CHAFF_E_ARG);
    assert_int_equal(chaff_lsh_params(1.5, 128, &b, &r), CHAFF_E_ARG);
}

static uint64_t rs = 99;
static uint32_t rnd(void)
{
    rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rs >> 32);
}

/* Share of pairs at Jaccard j that collide in at least one band. */
static double collide_rate(double j, unsigned bands, unsigned rows, int trials)
{
    size_t n = 100, common = (size_t)llround(2 * n * j / (1 + j));
    uint32_t a[100], b[100], sa[128], sb[128], fa[32], fb[32];
    int hits = 0;
    for (int t = 0; t < trials; t++) {
        chaff__perm p;
        assert_int_equal(chaff__perm_init(&p, 128, (uint64_t)t * 7 + 1, NULL), CHAFF_OK);
        for (size_t i = 0; i < n; i++) {
            a[i] = rnd();
            b[i] = i < common ? a[i] : rnd();
        }
        chaff__minhash_scalar(&p, a, n, sa);
        chaff__minhash_scalar(&p, b, n, sb);
        chaff__band_hashes(sa, bands, rows, 3, fa);
        chaff__band_hashes(sb, bands, rows, 3, fb);
        int hit = 0;
        for (unsigned k = 0; k < bands; k++)
            hit |= fa[k] == fb[k];
        hits += hit;
        chaff__perm_free(&p, NULL);
    }
    return (double)hits / trials;
}

static void test_s_curve(void **state)
{
    (void)state;
    const double js[] = { 0.3, 0.5, 0.7, 0.8 };
    for (int i = 0; i < 4; i++) {
        size_t n = 100, common = (size_t)llround(2 * n * js[i] / (1 + js[i]));
        double j = (double)common / (double)(2 * n - common);
        double want = 1 - pow(1 - pow(j, 8), 16);
        int trials = 3000;
        double got = collide_rate(js[i], 16, 8, trials);
        double se = sqrt(want * (1 - want) / trials);
        printf("J=%.3f candidate rate %.4f (theory %.4f)\n", j, got, want);
        assert_true(fabs(got - want) < 5 * se + 0.002);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multimap),
        cmocka_unit_test(test_insert_at_query_end),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_s_curve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
