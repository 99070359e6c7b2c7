/* tests/test_tokenize.c - the text model: exact normalised text and shingle counts.
 *
 * chaff__tokenize() has a vector path for ASCII windows and a byte path for
 * the rest, and their hand-overs are where a fast tokenizer goes wrong
 * silently: a word cut at a window edge, a code point across one, a read past
 * the caller's text. So besides the hand-written cases below, this file keeps
 * the plain byte-at-a-time tokenizer that came before the vector path
 * (ref_tokenize) and checks every output field against it on random texts of
 * every length and alignment, some ending against an unreadable page, and
 * chaff__sorted_set() against qsort at every size its paths switch between.
 * Random tests print their seed; CHAFF_TEST_SEED=N replays one. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h> /* mmap, mprotect: guard pages */
#include <unistd.h>   /* sysconf */
#include <utf8proc.h>
#include "tokenize.h"
#include "testutil.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
    return test_splitmix(&rng_state);
}

static int seed_rng(void **state)
{
    (void)state;
    const char *s = getenv("CHAFF_TEST_SEED");
    rng_state = s ? strtoull(s, NULL, 0) : 20261123;
    printf("seed = %llu (set CHAFF_TEST_SEED to replay)\n", (unsigned long long)rng_state);
    return 0;
}

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

/* The bucket path (src != dst, 17..4096 values) and the qsort path above it
 * against a plain sort, on uniform values and on skewed ones that must fall
 * back without slowing down. */
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
    const size_t sizes[] = { 17, 60, 61, 255, 1000, 4096, 4097, 65536, 70000 };
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

/* Every size 0..150 (the rank path, the bucket path, insertion and qsort),
 * in place and not, with all values distinct, with repeats, and with the
 * extreme values 0 and 2^32 - 1, against qsort and a unique pass. */
static void test_sorted_set_all_sizes(void **state)
{
    (void)state;
    uint32_t src[150], want[150];
    for (size_t n = 0; n <= 150; n++)
        for (int kind = 0; kind < 4; kind++)
            for (int in_place = 0; in_place < 2; in_place++) {
                for (size_t i = 0; i < n; i++) {
                    uint32_t x = (uint32_t)rnd();
                    if (kind == 1 && i && rnd() % 4 == 0)
                        x = src[rnd() % i];             /* a repeat */
                    else if (kind == 2)
                        x = (uint32_t)(rnd() % 3) * 0x7FFFFFFFu + (uint32_t)(rnd() % 2);
                    else if (kind == 3)
                        x = (uint32_t)rnd() >> 24;      /* few high bits: skewed */
                    src[i] = x;
                }
                memcpy(want, src, n * 4);
                qsort(want, n, 4, cmp32);
                size_t m = 0;
                for (size_t i = 0; i < n; i++)
                    if (!m || want[m - 1] != want[i])
                        want[m++] = want[i];
                /* exactly n places, so a sanitizer build sees a write past them */
                uint32_t *exact = malloc(n ? n * 4 : 1);
                assert_non_null(exact);
                uint32_t *out = in_place ? src : exact;
                assert_int_equal(chaff__sorted_set(src, n, out), m);
                if (m)
                    assert_memory_equal(out, want, m * 4);
                free(exact);
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

/* ---------------------------------------------------------------------------
 * The reference: the byte-at-a-time tokenizer as it was before the vector
 * path (core/tokenize.c at commit bfefb78), kept here unchanged in meaning
 * and with its own buffers, so chaff__tokenize() can be held to it bit for bit.
 * ------------------------------------------------------------------------- */

typedef struct ref_tok {
    unsigned kind, n;
    uint64_t seed;
    char *norm;
    size_t norm_len;
    uint64_t *units;
    size_t nunits;
    uint32_t *sh;
    size_t nsh;
    XXH128_hash_t exact;
} ref_tok;

static unsigned char ref_ascii_word(unsigned c)
{
    if (c >= '0' && c <= '9')
        return (unsigned char)c;
    if (c >= 'a' && c <= 'z')
        return (unsigned char)c;
    if (c >= 'A' && c <= 'Z')
        return (unsigned char)(c + 32);
    return 0;
}

static uint64_t ref_rotl64(uint64_t x, unsigned r)
{
    r &= 63;
    return r ? (x << r) | (x >> (64 - r)) : x;
}

static uint64_t ref_mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint32_t ref_combine(const uint64_t *u, size_t k)
{
    uint64_t h = (uint64_t)k * 0x9E3779B97F4A7C15ULL;
    for (size_t j = 0; j < k; j++)
        h ^= ref_rotl64(u[j], (unsigned)(j * 13));
    return (uint32_t)(ref_mix64(h) >> 32);
}

static int ref_is_word_cp(utf8proc_int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

static void ref_end_word(ref_tok *t, size_t start)
{
    t->units[t->nunits++] = XXH3_64bits_withSeed(t->norm + start, t->norm_len - start, t->seed);
}

static void ref_normalise(ref_tok *t, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    int in_word = 0, hash_words = t->kind == CHAFF_SHINGLE_WORDS;
    size_t start = 0, o = 0;
    char *out = t->norm;
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        if (c < 0x80) {
            unsigned char w = ref_ascii_word(c);
            i++;
            if (w) {
                if (!in_word) {
                    if (o)
                        out[o++] = ' ';
                    start = o;
                    in_word = 1;
                }
                out[o++] = (char)w;
                while (i < len && s[i] < 0x80 && (w = ref_ascii_word(s[i]))) {
                    out[o++] = (char)w;
                    i++;
                }
                continue;
            }
        } else {
            utf8proc_int32_t cp;
            utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
            if (n <= 0) {
                i++;
            } else {
                i += (size_t)n;
                if (ref_is_word_cp(cp)) {
                    if (!in_word) {
                        if (o)
                            out[o++] = ' ';
                        start = o;
                        in_word = 1;
                    }
                    o += (size_t)utf8proc_encode_char(utf8proc_tolower(cp),
                                                      (utf8proc_uint8_t *)out + o);
                    continue;
                }
            }
        }
        if (in_word) {
            in_word = 0;
            t->norm_len = o;
            if (hash_words)
                ref_end_word(t, start);
        }
    }
    t->norm_len = o;
    if (in_word && hash_words)
        ref_end_word(t, start);
}

static void ref_hash_code_points(ref_tok *t)
{
    const unsigned char *s = (const unsigned char *)t->norm;
    size_t len = t->norm_len;
    for (size_t i = 0; i < len;) {
        size_t n = 1;
        while (i + n < len && (s[i + n] & 0xC0) == 0x80)
            n++;
        t->units[t->nunits++] = XXH3_64bits_withSeed(s + i, n, t->seed);
        i += n;
    }
}

/* Fills a fresh ref_tok; ref_free() releases it. */
static ref_tok ref_tokenize(unsigned kind, unsigned n, uint64_t seed, const char *text, size_t len)
{
    ref_tok t = { .kind = kind, .n = n, .seed = seed };
    t.norm = malloc(len * 2 + 16);
    t.units = malloc((len * 2 + 17) * sizeof *t.units);
    t.sh = malloc((len * 2 + 17) * sizeof *t.sh);
    assert_non_null(t.norm);
    assert_non_null(t.units);
    assert_non_null(t.sh);
    ref_normalise(&t, text, len);
    if (kind == CHAFF_SHINGLE_CHARS)
        ref_hash_code_points(&t);
    t.exact = XXH3_128bits_withSeed(t.norm, t.norm_len, seed);
    size_t m = t.nunits;
    size_t count = m == 0 ? 0 : m < n ? 1 : m - n + 1;
    if (m && m < n)
        t.sh[0] = ref_combine(t.units, m);
    else
        for (size_t i = 0; i < count; i++)
            t.sh[i] = ref_combine(t.units + i, n);
    t.nsh = count;
    return t;
}

static void ref_free(ref_tok *t)
{
    free(t->norm);
    free(t->units);
    free(t->sh);
}

/* ---------------------------------------------------------------------------
 * Random texts and the comparison
 * ------------------------------------------------------------------------- */

/* memcmp() == 0, for buffers that may be NULL when n is 0 */
static int same(const void *a, const void *b, size_t n)
{
    return n == 0 || memcmp(a, b, n) == 0;
}

/* Compares every output field; on a difference prints the input (escaped) and
 * where the outputs part, then fails. */
static void compare(const chaff__tok *t, const ref_tok *r, const char *text, size_t len,
                    const char *what)
{
    int bad = t->norm_len != r->norm_len || !same(t->norm, r->norm, r->norm_len) ||
              t->nunits != r->nunits ||
              !same(t->units, r->units, r->nunits * sizeof *r->units) || t->nsh != r->nsh ||
              !same(t->sh, r->sh, r->nsh * sizeof *r->sh) || !XXH128_isEqual(t->exact, r->exact);
    if (!bad)
        return;
    fprintf(stderr, "%s: %s n=%u seed=%llu len=%zu text=\"", what,
            r->kind == CHAFF_SHINGLE_WORDS ? "words" : "chars", r->n,
            (unsigned long long)r->seed, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02X", c);
    }
    fprintf(stderr, "\"\n  norm: got %zu bytes \"%.*s\", want %zu \"%.*s\"\n", t->norm_len,
            (int)t->norm_len, t->norm, r->norm_len, (int)r->norm_len, r->norm);
    fprintf(stderr, "  units: got %zu, want %zu; shingles: got %zu, want %zu\n", t->nunits,
            r->nunits, t->nsh, r->nsh);
    for (size_t i = 0; i < r->nunits && i < t->nunits; i++)
        if (t->units[i] != r->units[i]) {
            fprintf(stderr, "  first differing unit: %zu\n", i);
            break;
        }
    fail_msg("chaff__tokenize differs from the reference");
}

/* Tokenizes text[0..len) both ways and compares. */
static void check_same(chaff__tok *t, const char *text, size_t len, const char *what)
{
    assert_int_equal(chaff__tokenize(t, text, len), CHAFF_OK);
    ref_tok r = ref_tokenize(t->kind, t->n, t->seed, text, len);
    compare(t, &r, text, len, what);
    ref_free(&r);
}

/* Random text of len bytes. mode 0: ASCII only (letters of both cases,
 * digits, white space, punctuation, NUL and other controls, with words from
 * 1 byte to over 64). mode 1: that mixed with 2-, 3- and 4-byte UTF-8 letters,
 * numbers, marks and symbols, code points whose lowercase is longer (U+023A ->
 * U+2C65), invalid bytes, truncated and overlong sequences, encoded surrogates. */
static void random_text(char *out, size_t len, int mode)
{
    static const char *const pieces[] = {
        "\xC3\x89", "\xC3\xA9", "\xC3\x9F", "\xCE\x94", "\xCE\xB4", "\xD0\x96", "\xD0\xB6",
        "\xC8\xBA",                 /* U+023A Lu, lowercases to 3 bytes */
        "\xC2\xBD", "\xC2\xA0",     /* No; no-break space (Zs) */
        "\xCC\x81",                 /* combining acute: a mark separates */
        "\xE4\xB8\xAD", "\xE2\x85\xA0", "\xE2\x80\x9C", "\xE2\x80\x94", "\xEF\xBB\xBF",
        "\xE1\xBA\x9E",             /* U+1E9E capital sharp s */
        "\xF0\x90\x90\x80",         /* U+10400 Deseret capital, lowercases */
        "\xF0\x9F\x98\x80",         /* emoji (So) */
        "\xF0\x9D\x90\x80",         /* U+1D400 math bold A (Lu) */
        "\xFF", "\xFE", "\x80", "\xBF", "\xC0\x80", "\xE2\x82", "\xF0\x9F\x98",
        "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xC3",
    };
    static const char ascii_sep[] = " \t\n\r.,;:!?-_()[]{}\"'/\\@`~^|#$%&*+=<>\x01\x1F\x7F";
    size_t i = 0;
    /* word lengths: mostly short, sometimes over a whole window */
    unsigned long_words = (unsigned)(rnd() % 4);
    while (i < len) {
        uint64_t r = rnd();
        unsigned what = (unsigned)(r % 16);
        r >>= 8;
        if (mode == 1 && what < 4) {
            const char *p = pieces[r % (sizeof pieces / sizeof pieces[0])];
            size_t n = strlen(p);
            for (size_t k = 0; k < n && i < len; k++)
                out[i++] = p[k];
        } else if (what < 6) {
            /* a separator run: one byte mostly, sometimes several */
            size_t n = (r & 3) == 0 ? 1 + (r >> 2) % 5 : 1;
            r = rnd();
            for (size_t k = 0; k < n && i < len; k++, r >>= 6)
                out[i++] = (r & 0x3F) == 0 ? '\0' : ascii_sep[(r & 0x3F) % (sizeof ascii_sep - 1)];
        } else {
            size_t n = long_words && (r & 15) == 0 ? 1 + (r >> 4) % 150 : 1 + (r >> 4) % 12;
            r = rnd();
            for (size_t k = 0; k < n && i < len; k++) {
                if (k % 8 == 0)
                    r = rnd();
                unsigned c = (unsigned)(r & 0xFF);
                r >>= 8;
                out[i++] = (char)(c % 8 == 0  ? '0' + c % 10
                                  : c % 8 < 3 ? 'A' + c % 26
                                              : 'a' + c % 26);
            }
        }
    }
}

static const struct { unsigned kind, n; } configs[] = {
    { CHAFF_SHINGLE_WORDS, 5 }, { CHAFF_SHINGLE_WORDS, 1 }, { CHAFF_SHINGLE_WORDS, 2 },
    { CHAFF_SHINGLE_WORDS, 3 }, { CHAFF_SHINGLE_WORDS, 13 }, { CHAFF_SHINGLE_WORDS, 64 },
    { CHAFF_SHINGLE_CHARS, 5 }, { CHAFF_SHINGLE_CHARS, 1 }, { CHAFF_SHINGLE_CHARS, 3 },
    { CHAFF_SHINGLE_CHARS, 9 },
};
#define NCONFIGS (sizeof configs / sizeof configs[0])

static chaff__tok tok_seeded(unsigned kind, unsigned n, uint64_t seed)
{
    chaff_options o;
    chaff_options_default(&o);
    o.shingle = kind;
    o.ngram = n;
    o.seed = seed;
    chaff__tok t;
    chaff__tok_init(&t, &o);
    return t;
}

/* Every length 0..300 at every offset 0..63 from a 64-byte boundary; each text
 * in a buffer of exactly its size, so a sanitizer build catches an over-read. */
static void diff_all_lengths(int mode)
{
    char src[300];
    chaff__tok tw = tok_seeded(CHAFF_SHINGLE_WORDS, 5, 0);
    chaff__tok tc = tok_seeded(CHAFF_SHINGLE_CHARS, 4, 7);
    for (size_t len = 0; len <= 300; len++)
        for (size_t off = 0; off < 64; off++) {
            random_text(src, len, mode);
            char *buf = NULL;
            assert_int_equal(posix_memalign((void **)&buf, 64, off + len + 1), 0);
            memcpy(buf + off, src, len);
            char *exact = malloc(len ? len : 1);
            assert_non_null(exact);
            memcpy(exact, src, len);
            check_same(&tw, buf + off, len, mode ? "mixed, aligned" : "ascii, aligned");
            check_same(&tw, exact, len, mode ? "mixed, exact size" : "ascii, exact size");
            if (off % 8 == 0)
                check_same(&tc, buf + off, len, mode ? "mixed, chars" : "ascii, chars");
            free(exact);
            free(buf);
        }
    chaff__tok_free(&tw);
    chaff__tok_free(&tc);
}

static void test_diff_ascii_lengths(void **state)
{
    (void)state;
    diff_all_lengths(0);
}

static void test_diff_mixed_lengths(void **state)
{
    (void)state;
    diff_all_lengths(1);
}

/* Longer texts under every configuration and random seeds, one tokenizer
 * reused across records of different sizes (buffers grown, never shrunk). */
static void test_diff_configs(void **state)
{
    (void)state;
    size_t cap = 1 << 14;
    char *src = malloc(cap);
    assert_non_null(src);
    for (size_t c = 0; c < NCONFIGS; c++) {
        chaff__tok t = tok_seeded(configs[c].kind, configs[c].n, rnd() % 3 ? rnd() : 0);
        for (int k = 0; k < 400; k++) {
            size_t len = k % 10 == 0 ? (size_t)(rnd() % cap) : (size_t)(rnd() % 1200);
            random_text(src, len, (int)(rnd() % 3 != 0));
            check_same(&t, src, len, "configs");
        }
        chaff__tok_free(&t);
    }
    free(src);
}

/* Texts that end against an unreadable page, and texts that start right after
 * one: a read one byte outside the text faults. */
static void test_diff_guard_pages(void **state)
{
    (void)state;
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    size_t data = 2 * pg;
    unsigned char *m = mmap(NULL, data + 2 * pg, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(m != MAP_FAILED);
    assert_int_equal(mprotect(m, pg, PROT_NONE), 0);
    assert_int_equal(mprotect(m + pg + data, pg, PROT_NONE), 0);
    char *lo = (char *)m + pg, *hi = (char *)m + pg + data;
    char src[1000];
    chaff__tok tw = tok_seeded(CHAFF_SHINGLE_WORDS, 5, 1);
    chaff__tok tc = tok_seeded(CHAFF_SHINGLE_CHARS, 3, 1);
    for (size_t len = 0; len <= 1000; len++)
        for (int mode = 0; mode < 2; mode++) {
            random_text(src, len, mode);
            memcpy(hi - len, src, len);
            check_same(&tw, hi - len, len, "guard after");
            check_same(&tc, hi - len, len, "guard after, chars");
            memcpy(lo, src, len);
            check_same(&tw, lo, len, "guard before");
        }
    /* a word or a code point cut by the end of the text, at the page edge */
    static const char *const tails[] = { "abc", "\xC3", "\xE4\xB8", "\xF0\x9F\x98", "A\xC3\x89" };
    for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++)
        for (size_t len = strlen(tails[k]); len <= 200; len++) {
            random_text(src, len, 1);
            memcpy(src + len - strlen(tails[k]), tails[k], strlen(tails[k]));
            memcpy(hi - len, src, len);
            check_same(&tw, hi - len, len, "guard after, cut");
        }
    chaff__tok_free(&tw);
    chaff__tok_free(&tc);
    munmap(m, data + 2 * pg);
}

/* Words that straddle window edges on purpose: one long word moved across
 * every position, alone and between non-ASCII letters. */
static void test_diff_straddling_words(void **state)
{
    (void)state;
    char src[512]; /* up to 199 + 131 + 2 + 131 bytes */
    chaff__tok t = tok_seeded(CHAFF_SHINGLE_WORDS, 2, 3);
    static const char *const joints[] = { " ", "\xC3\xA9", "\xCC\x81", "\xFF", "\0", "Z" };
    for (size_t j = 0; j < sizeof joints / sizeof joints[0]; j++)
        for (size_t at = 0; at < 200; at++)
            for (size_t wl = 1; wl <= 140; wl += 13) {
                size_t jl = j == 4 ? 1 : strlen(joints[j]), n = 0;
                memset(src, ' ', at);
                n = at;
                for (size_t k = 0; k < wl; k++)
                    src[n++] = (char)('A' + (at + k) % 26);
                memcpy(src + n, joints[j], jl);
                n += jl;
                for (size_t k = 0; k < wl; k++)
                    src[n++] = (char)('a' + k % 26);
                check_same(&t, src, n, "straddling");
            }
    chaff__tok_free(&t);
}

/* Every lead byte 0xC0..0xDF with every second byte, inside a word, between
 * words and cut by the end of the text: two-byte code points take a table
 * in chaff__tokenize() and utf8proc in the reference. */
static void test_diff_two_byte(void **state)
{
    (void)state;
    chaff__tok t = tok_seeded(CHAFF_SHINGLE_WORDS, 2, 5);
    for (unsigned lead = 0xC0; lead <= 0xDF; lead++)
        for (unsigned b = 0; b < 256; b++) {
            char x[8] = { 'a', (char)lead, (char)b, 'Z', ' ', (char)lead, (char)b, 'q' };
            check_same(&t, x, 8, "two-byte");
            check_same(&t, x + 4, 3, "two-byte at the end");
            check_same(&t, x, 2, "lead byte at the end");
        }
    chaff__tok_free(&t);
}

/* chaff__tokenize_words: the same norm and word hashes as chaff__tokenize
 * with word shingles, whatever kind the tokenizer was made for, and no
 * shingles; a chars tokenizer gives words here and code points after. */
static void check_words_only(chaff__tok *t, const char *text, size_t len)
{
    assert_int_equal(chaff__tokenize_words(t, text, len), CHAFF_OK);
    ref_tok r = ref_tokenize(CHAFF_SHINGLE_WORDS, t->n, t->seed, text, len);
    int bad = t->norm_len != r.norm_len || !same(t->norm, r.norm, r.norm_len) ||
              t->nunits != r.nunits || !same(t->units, r.units, r.nunits * sizeof *r.units) ||
              t->nsh != 0;
    if (bad)
        fprintf(stderr, "words only: len %zu: %zu units, want %zu\n", len, t->nunits, r.nunits);
    assert_false(bad);
    ref_free(&r);
}

static void test_words_only(void **state)
{
    (void)state;
    char src[2000];
    chaff__tok tw = tok_seeded(CHAFF_SHINGLE_WORDS, 5, 11);
    chaff__tok tc = tok_seeded(CHAFF_SHINGLE_CHARS, 4, 12);
    for (size_t len = 0; len <= 2000; len += 1 + len / 50)
        for (int mode = 0; mode < 2; mode++) {
            random_text(src, len, mode);
            check_words_only(&tw, src, len);
            check_words_only(&tc, src, len);
            check_same(&tc, src, len, "chars after words only");
            check_same(&tw, src, len, "words after words only");
        }
    chaff__tok_free(&tw);
    chaff__tok_free(&tc);
}

/* One big text (a few MiB), mixed, in one call. */
static void test_diff_huge(void **state)
{
    (void)state;
    size_t n = 3u << 20;
    char *s = malloc(n);
    assert_non_null(s);
    random_text(s, n, 1);
    chaff__tok t = tok_seeded(CHAFF_SHINGLE_WORDS, 5, 9);
    check_same(&t, s, n, "huge mixed");
    chaff__tok_free(&t);
    random_text(s, n, 0);
    t = tok_seeded(CHAFF_SHINGLE_CHARS, 5, 9);
    check_same(&t, s, n, "huge ascii, chars");
    chaff__tok_free(&t);
    free(s);
    /* over 2^22 words: hashed without the length index */
    n = 10u << 20;
    s = malloc(n);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = i % 2 ? ' ' : (char)('a' + (i / 2) % 26);
    t = tok_seeded(CHAFF_SHINGLE_WORDS, 5, 9);
    check_same(&t, s, n, "huge, many words");
    assert_true(t.nunits > (1u << 22));
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
        cmocka_unit_test(test_sorted_set_all_sizes),
        cmocka_unit_test(test_huge_record),
        cmocka_unit_test(test_diff_ascii_lengths),
        cmocka_unit_test(test_diff_mixed_lengths),
        cmocka_unit_test(test_diff_configs),
        cmocka_unit_test(test_diff_guard_pages),
        cmocka_unit_test(test_diff_straddling_words),
        cmocka_unit_test(test_diff_two_byte),
        cmocka_unit_test(test_diff_huge),
        cmocka_unit_test(test_words_only),
    };
    return cmocka_run_group_tests(tests, seed_rng, NULL);
}
