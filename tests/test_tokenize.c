/* tests/test_tokenize.c - the text model: exact normalised text and shingle counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tokenize.h"

static chaff__tok tok_for(unsigned kind, unsigned n)
{
    chaff_options o;
    chaff_options_default(&o);
    o.shingle = kind;
    o.ngram = n;
    chaff__tok t;
    chaff__tok_init(&t, &o);
    return t;
}

static void check_norm(const char *in, size_t len, const char *want, size_t nwords)
{
    chaff__tok t = tok_for(CHAFF_SHINGLE_WORDS, 5);
    assert_int_equal(chaff__tokenize(&t, in, len), CHAFF_OK);
    if (t.norm_len != strlen(want) || memcmp(t.norm, want, t.norm_len))
        fprintf(stderr, "input \"%.*s\": got \"%.*s\"\n", (int)len, in, (int)t.norm_len, t.norm);
    assert_int_equal(t.norm_len, strlen(want));
    assert_memory_equal(t.norm, want, t.norm_len);
    assert_int_equal(t.nunits, nwords);
    size_t want_sh = nwords == 0 ? 0 : nwords < 5 ? 1 : nwords - 4;
    assert_int_equal(t.nsh, want_sh);
    chaff__tok_free(&t);
}

static void test_normalise(void **state)
{
    (void)state;
    check_norm("", 0, "", 0);
    check_norm("  ...  ", 7, "", 0);
    check_norm("Hello, World!", 13, "hello world", 2);
    check_norm("a_b-c.d", 7, "a b c d", 4);               /* underscore separates */
    check_norm("x2 3.14 42nd", 12, "x2 3 14 42nd", 4);
    /* Unicode letters lowercase; marks (U+0301) and symbols separate */
    check_norm("\xC3\x89T\xC3\x89 Caf\xC3\xA9", 12, "\xC3\xA9t\xC3\xA9 caf\xC3\xA9", 2);
    check_norm("e\xCC\x81x", 4, "e x", 2);
    check_norm("\xCE\x94\xCE\x95\xCE\x9B\xCE\xA4\xCE\x91", 10,
               "\xCE\xB4\xCE\xB5\xCE\xBB\xCF\x84\xCE\xB1", 1);
    check_norm("\xE2\x85\xA0 \xC2\xBD", 6, "\xE2\x85\xB0 \xC2\xBD", 2); /* Nl lowercases, No */
    check_norm("\xE4\xB8\xAD\xE6\x96\x87", 6, "\xE4\xB8\xAD\xE6\x96\x87", 1); /* Lo */
    /* invalid UTF-8 separates and is never copied */
    check_norm("ab\xFF\xFE" "cd \xC0\x80 ef", 12, "ab cd ef", 3);
    check_norm("ab\xED\xA0\x80" "cd", 7, "ab cd", 2);            /* encoded surrogate */
    check_norm("trunc\xE2\x82", 7, "trunc", 1);                    /* cut mid code point */
    const char nul[] = { 'a', 0, 'b' };
    check_norm(nul, 3, "a b", 2);
}

static void test_shingles_order_and_sets(void **state)
{
    (void)state;
    chaff__tok t = tok_for(CHAFF_SHINGLE_WORDS, 2);
    assert_int_equal(chaff__tokenize(&t, "a b c", 5), CHAFF_OK);
    uint32_t ab = t.sh[0], bc = t.sh[1];
    assert_int_equal(chaff__tokenize(&t, "b a c", 5), CHAFF_OK);
    assert_int_not_equal(t.sh[0], ab);                 /* order matters */
    assert_int_equal(chaff__tokenize(&t, "x a b c", 7), CHAFF_OK);
    assert_int_equal(t.sh[1], ab);
    assert_int_equal(t.sh[2], bc);
    /* a repeated n-gram hashes the same both times */
    assert_int_equal(chaff__tokenize(&t, "a b a b", 7), CHAFF_OK);
    assert_int_equal(t.nsh, 3);
    assert_int_equal(t.sh[0], t.sh[2]);
    /* one word vs the same word as a short record of n = 2 */
    assert_int_equal(chaff__tokenize(&t, "solo", 4), CHAFF_OK);
    assert_int_equal(t.nsh, 1);
    chaff__tok_free(&t);
}

static void test_exact_hash(void **state)
{
    (void)state;
    chaff__tok t = tok_for(CHAFF_SHINGLE_WORDS, 5);
    assert_int_equal(chaff__tokenize(&t, "The cat sat.", 12), CHAFF_OK);
    XXH128_hash_t h = t.exact;
    assert_int_equal(chaff__tokenize(&t, "  the CAT, sat!!", 16), CHAFF_OK);
    assert_true(XXH128_isEqual(h, t.exact));
    assert_int_equal(chaff__tokenize(&t, "the cats sat", 12), CHAFF_OK);
    assert_false(XXH128_isEqual(h, t.exact));
    chaff__tok_free(&t);
}

static void test_char_shingles(void **state)
{
    (void)state;
    chaff__tok t = tok_for(CHAFF_SHINGLE_CHARS, 3);
    /* "ab cd" has 5 code points -> 3 trigrams: "ab ", "b c", " cd" */
    assert_int_equal(chaff__tokenize(&t, "AB, cd", 6), CHAFF_OK);
    assert_int_equal(t.nunits, 5);
    assert_int_equal(t.nsh, 3);
    assert_int_equal(chaff__tokenize(&t, "\xC3\xA9t\xC3\xA9", 5), CHAFF_OK);
    assert_int_equal(t.nunits, 3);
    assert_int_equal(t.nsh, 1);
    assert_int_equal(chaff__tokenize(&t, "ab", 2), CHAFF_OK); /* shorter than K: one */
    assert_int_equal(t.nsh, 1);
    chaff__tok_free(&t);
}

static void test_sort_unique(void **state)
{
    (void)state;
    uint32_t small[] = { 5, 1, 5, 3, 1, 0xFFFFFFFF, 0 };
    assert_int_equal(chaff__sorted_set(small, 7, small), 5);
    uint32_t want[] = { 0, 1, 3, 5, 0xFFFFFFFF };
    assert_memory_equal(small, want, sizeof want);
    uint32_t big[1000];
    for (int i = 0; i < 1000; i++)
        big[i] = (uint32_t)((i * 7919) % 500);
    assert_int_equal(chaff__sorted_set(big, 1000, big), 500);
    for (int i = 0; i < 500; i++)
        assert_int_equal(big[i], (uint32_t)i);
}

/* The bucket path (src != dst, 17..65536 values) against a plain sort, on
 * uniform values and on skewed ones that must fall back without slowing down. */
static int cmp32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void test_sorted_set_paths(void **state)
{
    (void)state;
    static uint32_t src[70000], dst[70000], want[70000];
    uint64_t r = 1;
    const size_t sizes[] = { 17, 60, 61, 255, 1000, 65536, 65537, 70000 };
    for (int skew = 0; skew < 2; skew++)
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            size_t n = sizes[k];
            for (size_t i = 0; i < n; i++) {
                r = r * 6364136223846793005ULL + 1442695040888963407ULL;
                uint32_t x = (uint32_t)(r >> 32);
                src[i] = skew ? (x & 0xFFFF) : (i % 3 == 0 && i ? src[i - 1] : x);
            }
            memcpy(want, src, n * 4);
            qsort(want, n, 4, cmp32);
            size_t m = 0;
            for (size_t i = 0; i < n; i++)
                if (!m || want[m - 1] != want[i])
                    want[m++] = want[i];
            assert_int_equal(chaff__sorted_set(src, n, dst), m);
            assert_memory_equal(dst, want, m * 4);
        }
}

static void test_huge_record(void **state)
{
    (void)state;
    size_t n = 8u << 20;
    char *s = malloc(n);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = (i % 6 == 5) ? ' ' : (char)('a' + (i / 6) % 26);
    chaff__tok t = tok_for(CHAFF_SHINGLE_WORDS, 5);
    assert_int_equal(chaff__tokenize(&t, s, n), CHAFF_OK);
    assert_int_equal(t.nunits, (n + 5) / 6);
    assert_int_equal(t.nsh, t.nunits - 4);
    chaff__tok_free(&t);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_shingles_order_and_sets),
        cmocka_unit_test(test_exact_hash),
        cmocka_unit_test(test_char_shingles),
        cmocka_unit_test(test_sort_unique),
        cmocka_unit_test(test_sorted_set_paths),
        cmocka_unit_test(test_huge_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
