/* tests/test_minhash.c - the MinHash estimator: unbiased, with the variance
 * theory predicts, and every kernel bit-identical to the scalar one. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include "minhash.h"
#include "testutil.h"

static uint64_t rng_state;
static uint64_t rnd(void)
{
    return test_splitmix(&rng_state);
}

static void seed_rng(void)
{
    const char *s = getenv("CHAFF_TEST_SEED");
    rng_state = s ? strtoull(s, NULL, 0) : 12345;
    printf("seed = %llu (set CHAFF_TEST_SEED to replay)\n", (unsigned long long)rng_state);
}

/* Two sets of size n with |A & B| = common: J = common / (2n - common). */
static void make_pair(uint32_t *a, uint32_t *b, size_t n, size_t common)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t x = (uint32_t)rnd();
        a[i] = x;
        b[i] = i < common ? x : (uint32_t)rnd();
    }
}

static int use_oph;

static void estimator_at(size_t n, size_t common, unsigned k, int trials)
{
    double j = (double)common / (double)(2 * n - common);
    uint32_t *a = malloc(n * 4), *b = malloc(n * 4), *sa = malloc(k * 4), *sb = malloc(k * 4);
    double sum = 0, sum2 = 0;
    for (int t = 0; t < trials; t++) {
        chaff__perm p;
        assert_int_equal(chaff__perm_init(&p, k, rnd(), NULL), CHAFF_OK);
        make_pair(a, b, n, common);
        chaff__minhash_fn fn = use_oph ? chaff__oph : chaff__minhash_scalar;
        fn(&p, a, n, sa);
        fn(&p, b, n, sb);
        unsigned eq = 0;
        for (unsigned i = 0; i < k; i++)
            eq += sa[i] == sb[i];
        double e = (double)eq / k;
        sum += e;
        sum2 += e * e;
        chaff__perm_free(&p, NULL);
    }
    double mean = sum / trials, var = sum2 / trials - mean * mean;
    double sd_theory = sqrt(j * (1 - j) / k);
    printf("%s n=%zu J=%.3f mean=%.4f sd=%.4f (MinHash theory %.4f)\n",
           use_oph ? "oph" : "minhash", n, j, mean, sqrt(var), sd_theory);
    /* mean within 5 standard errors; spread within 25% of MinHash's, except
     * that OPH on sets smaller than its bin count copies bins, which widens
     * the spread (measured 1.19x at 20 shingles; bounded here at 1.4x) */
    assert_true(fabs(mean - j) < 5 * (use_oph ? 1.4 : 1.0) * sd_theory / sqrt(trials) + 1e-9);
    if (j > 0 && j < 1) {
        assert_true(sqrt(var) < (use_oph && n < 2 * k ? 1.4 : 1.25) * sd_theory);
        assert_true(sqrt(var) > 0.75 * sd_theory);
    }
    free(a);
    free(b);
    free(sa);
    free(sb);
}

static void test_estimator(void **state)
{
    (void)state;
    seed_rng();
    estimator_at(60, 0, 128, 200);
    estimator_at(100, 18, 128, 1500);  /* J ~ 0.099 */
    estimator_at(100, 67, 128, 1500);  /* J ~ 0.504 */
    estimator_at(100, 89, 128, 1500);  /* J ~ 0.802 */
    estimator_at(60, 57, 128, 1500);   /* J ~ 0.905 */
    estimator_at(60, 60, 128, 50);     /* J = 1 */
}

/* OPH: unbiased on sets far smaller and far larger than its 128 bins. */
static void test_oph_estimator(void **state)
{
    (void)state;
    seed_rng();
    use_oph = 1;
    estimator_at(20, 18, 128, 1500);   /* J ~ 0.818, 20 shingles in 128 bins */
    estimator_at(60, 40, 128, 1500);   /* J = 0.5 */
    estimator_at(60, 54, 128, 1500);   /* J ~ 0.818 */
    estimator_at(1000, 889, 128, 600); /* J ~ 0.8 */
    estimator_at(60, 60, 128, 50);     /* J = 1 */
    use_oph = 0;
}

static void test_empty_set(void **state)
{
    (void)state;
    chaff__perm p;
    uint32_t sig[16];
    assert_int_equal(chaff__perm_init(&p, 16, 1, NULL), CHAFF_OK);
    chaff__minhash_scalar(&p, NULL, 0, sig);
    for (int i = 0; i < 16; i++)
        assert_int_equal(sig[i], 0xFFFFFFFFu);
    chaff__oph(&p, NULL, 0, sig);
    for (int i = 0; i < 16; i++)
        assert_int_equal(sig[i], 0xFFFFFFFFu);
    chaff__perm_free(&p, NULL);
}

/* Every kernel this CPU can run gives the scalar kernel's signature, for every
 * length up to a few lane widths, at odd offsets, for every num_perm. The NEON
 * kernel is checked too where SIMDe emulates it (x86), since it shares the body. */
static void check_kernel(const char *name, chaff__minhash_fn fn)
{
    uint32_t x[400], want[264], got[272];
    for (size_t i = 0; i < 400; i++)
        x[i] = (uint32_t)rnd();
    x[7] = 0;
    x[8] = 0xFFFFFFFFu;
    for (unsigned k = 8; k <= 264; k += 8) {
        chaff__perm p;
        assert_int_equal(chaff__perm_init(&p, k, k, NULL), CHAFF_OK);
        for (size_t n = 0; n <= 3 * 64 + 1; n += (k == 128 || k == 24 ? 1 : 37))
            for (size_t off = 0; off < 4; off++) {
                chaff__minhash_scalar(&p, x + off, n, want);
                memset(got, 0xA5, sizeof got);
                fn(&p, x + off, n, got);
                if (memcmp(want, got, k * sizeof *got))
                    fail_msg("%s differs from scalar at num_perm %u, n %zu, offset %zu", name, k,
                             n, off);
                assert_int_equal(got[k], 0xA5A5A5A5u); /* writes no lane past num_perm */
            }
        chaff__perm_free(&p, NULL);
    }
}

static void test_kernels_match_scalar(void **state)
{
    (void)state;
    seed_rng();
    int ran = 0;
    for (unsigned simd = CHAFF_SIMD_AUTO; simd <= CHAFF_SIMD_NEON; simd++) {
        chaff__minhash_fn fn = chaff__minhash_kernel(simd);
        assert_int_equal(fn != NULL, chaff_simd_supported(simd));
        if (!fn) {
            printf("skipped %s: not supported on this CPU\n", chaff_simd_name(simd));
            continue;
        }
        printf("checked %s\n", chaff_simd_name(simd));
        check_kernel(chaff_simd_name(simd), fn);
        ran++;
    }
    assert_true(ran >= 2); /* at least auto and scalar */
#if defined(__x86_64__) || defined(__i386__)
    check_kernel("neon (emulated)", chaff__minhash_neon);
#endif
}

/* A pinned answer: signatures are part of what users store, so the hash
 * chain (normalise, XXH3 word hashes, shingle combine, permutations) must not
 * change by accident. Regenerate deliberately with a version bump. */
static void test_known_answer(void **state)
{
    (void)state;
    chaff_options o;
    chaff_options_default(&o);
    chaff_sketcher *s;
    uint32_t sig[128];
    assert_int_equal(chaff_sketcher_new(&s, &o), CHAFF_OK);
    const char *text = "The quick brown fox jumps over the lazy dog";
    assert_int_equal(chaff_sketch(s, text, strlen(text), sig), CHAFF_OK);
    static const uint32_t want[4] = { 0x6eb9322bu, 0x6fce54e7u, 0x18e4691au, 0x23344768u };
    assert_memory_equal(sig, want, sizeof want);
    chaff_sketcher_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_estimator),
        cmocka_unit_test(test_oph_estimator),
        cmocka_unit_test(test_empty_set),
        cmocka_unit_test(test_kernels_match_scalar),
        cmocka_unit_test(test_known_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
