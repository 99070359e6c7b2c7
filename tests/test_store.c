/* tests/test_store.c - verification Jaccard against brute force, the bottom-k
 * estimate for long records, and the exact-hash table. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "store.h"
#include "tokenize.h"

static uint64_t rs = 7;
static uint32_t rnd(void)
{
    rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rs >> 32);
}

static double brute(const uint32_t *a, size_t n, const uint32_t *b, size_t m)
{
    size_t inter = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++)
            inter += a[i] == b[j];
    return (double)inter / (double)(n + m - inter);
}

/* The same for sorted sets, for sizes where the double loop is too slow. */
static double sorted_jaccard(const uint32_t *a, size_t n, const uint32_t *b, size_t m)
{
    size_t i = 0, j = 0, inter = 0;
    while (i < n && j < m) {
        if (a[i] < b[j])
            i++;
        else if (b[j] < a[i])
            j++;
        else {
            inter++;
            i++;
            j++;
        }
    }
    return (double)inter / (double)(n + m - inter);
}

/* sorted unique sets with a chosen overlap */
static size_t make(uint32_t *a, uint32_t *b, size_t n, size_t m, size_t common, size_t *mb)
{
    for (size_t i = 0; i < n; i++)
        a[i] = rnd();
    for (size_t i = 0; i < m; i++)
        b[i] = i < common ? a[i] : rnd();
    *mb = chaff__sorted_set(b, m, b);
    return chaff__sorted_set(a, n, a);
}

static void test_exact_small(void **state)
{
    (void)state;
    chaff__store s;
    chaff__store_init(&s, NULL);
    uint32_t a[300], b[300];
    for (int t = 0; t < 300; t++) {
        size_t n = 1 + rnd() % CHAFF_VERIFY_CAP, m = 1 + rnd() % CHAFF_VERIFY_CAP, mb;
        size_t common = rnd() % (1 + (n < m ? n : m));
        n = make(a, b, n, m, common, &mb);
        XXH128_hash_t h = { (uint64_t)t, 1 };
        uint32_t id;
        assert_int_equal(chaff__store_add(&s, (uint64_t)t * 10, h, a, n, &id), CHAFF_OK);
        assert_int_equal(id, (uint32_t)t);
        double want = brute(a, n, b, mb);
        assert_true(want == sorted_jaccard(a, n, b, mb));
        double got = chaff__store_jaccard(&s, id, b, mb, 0.0);
        assert_true(got == want); /* bit-exact: the same integer ratio */
        double pruned = chaff__store_jaccard(&s, id, b, mb, 0.99);
        assert_true(pruned == want || (pruned < 0 && want < 0.99));
    }
    for (int t = 0; t < 300; t++) {
        XXH128_hash_t h = { (uint64_t)t, 1 };
        uint32_t id = chaff__store_find_exact(&s, h);
        assert_int_equal(id, (uint32_t)t);
        assert_int_equal(s.index[id], (uint64_t)t * 10);
        XXH128_hash_t other = { (uint64_t)t, 2 };
        assert_int_equal(chaff__store_find_exact(&s, other), UINT32_MAX);
    }
    chaff__store_free(&s);
}

/* Long records keep a bottom-k sample; the estimate must be unbiased with a
 * spread near sqrt(J(1-J)/k). */
static void test_bottom_k_estimate(void **state)
{
    (void)state;
    const size_t n = 2000;
    uint32_t *a = malloc(n * 4), *b = malloc(n * 4);
    const double js[] = { 0.5, 0.8 };
    for (int q = 0; q < 2; q++) {
        size_t common = (size_t)llround(2 * n * js[q] / (1 + js[q]));
        double sum = 0, sum2 = 0, j = 0;
        const int trials = 400;
        for (int t = 0; t < trials; t++) {
            chaff__store s;
            chaff__store_init(&s, NULL);
            size_t mb, na = make(a, b, n, n, common, &mb);
            j = sorted_jaccard(a, na, b, mb);
            XXH128_hash_t h = { 1, 1 };
            uint32_t id;
            assert_int_equal(chaff__store_add(&s, 0, h, a, na, &id), CHAFF_OK);
            assert_true(s.len[id] & CHAFF__TRUNCATED);
            double e = chaff__store_jaccard(&s, id, b, mb, 0.0);
            sum += e;
            sum2 += e * e;
            chaff__store_free(&s);
        }
        double mean = sum / trials, sd = sqrt(sum2 / trials - mean * mean);
        double sd_theory = sqrt(j * (1 - j) / CHAFF_VERIFY_CAP);
        printf("J=%.4f bottom-k mean %.4f sd %.4f (k-sample theory %.4f)\n", j, mean, sd,
               sd_theory);
        assert_true(fabs(mean - j) < 5 * sd_theory / sqrt(trials));
        assert_true(sd < 1.3 * sd_theory);
    }
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_small),
        cmocka_unit_test(test_bottom_k_estimate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
