/* tests/test_filter_degenerate.c - the degenerate preset's statistics and thresholds.
 *
 * Each statistic is checked on texts whose value is known by construction, at,
 * just below and just above its threshold; then the generated failures the
 * defaults were chosen against (a sentence said 20 times, a token loop, text
 * double-encoded to mojibake, 5% U+FFFD, invalid bytes) must be dropped and a
 * plain paragraph kept; finally the Debian-docs corpus (scripts/make-corpus.sh)
 * must keep at least 99.95% of its records, and the speed is printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>    /* printf, snprintf */
#include <stdlib.h>   /* getenv, system, malloc */
#include <string.h>
#include <time.h>     /* clock_gettime: the speed printed */
#include <zstd.h>     /* the compression ratio, computed independently */

#include "filter_degenerate.h"
#include "corpus.h"
#include "failalloc.h"

static const chaff__preset *P = &chaff__preset_degenerate;

enum { TOO_SHORT, TOO_LONG, INVALID, REPL, CONTROL, MOJI, REP, RATIO };

typedef struct stats {
    double v[8];
    int n;
} stats;

static void ex_fn(void *u, const char *name, double v)
{
    stats *s = u;
    static const char *const names[] = {
        "degenerate.chars", "degenerate.chars", "degenerate.invalid_utf8_share",
        "degenerate.replacement_share", "degenerate.control_share",
        "degenerate.mojibake_share", "degenerate.repeated_share",
        "degenerate.compression_ratio",
    };
    s->n++;
    for (int i = 1; i < 8; i++)
        if (!strcmp(names[i], name))
            s->v[i] = v;
}

static chaff__fwork W;
static double p[CHAFF__DEG_NPARAMS];

static int setup(void **state)
{
    (void)state;
    memset(&W, 0, sizeof W);
    W.alloc = chaff__allocator(NULL);
    for (size_t i = 0; i < P->nparams; i++)
        p[i] = P->params[i].def;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (W.slot[4])
        W.slot_free[4](&W.alloc, W.slot[4]);
    memset(&W, 0, sizeof W);
    return 0;
}

/* The rule text[0..len) fails (-1 = kept); *value the failing value. An exact-size
 * heap copy makes a read past the end show under ASan. */
static int judge_n(const char *text, size_t len, double *value, stats *st)
{
    char *copy = calloc(1, len ? len : 1);
    memcpy(copy, text, len);
    chaff__fresult r;
    assert_int_equal(P->eval(p, copy, len, &W, st ? ex_fn : NULL, st, &r), CHAFF_OK);
    free(copy);
    if (value)
        *value = r.value;
    return r.rule;
}

static int judge(const char *text)
{
    return judge_n(text, strlen(text), NULL, NULL);
}

static stats stats_of(const char *text, size_t len)
{
    stats s;
    memset(&s, 0, sizeof s);
    judge_n(text, len, NULL, &s);
    assert_int_equal(s.n, 7);
    return s;
}

static void test_table(void **state)
{
    (void)state;
    assert_string_equal(P->name, "degenerate");
    assert_int_equal(P->nparams, CHAFF__DEG_NPARAMS);
    static const char *const rules[] = {
        "degenerate.too_short", "degenerate.too_long", "degenerate.invalid_utf8",
        "degenerate.replacement_chars", "degenerate.control_chars", "degenerate.mojibake",
        "degenerate.repetition", "degenerate.compression_ratio",
    };
    assert_int_equal(P->nrules, 8);
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(P->rules[i], rules[i]);
    for (size_t i = 0; i < P->nparams; i++) {
        const chaff__fparam *f = &P->params[i];
        assert_true(f->def >= f->lo && f->def <= f->hi);
        int found = 0;
        for (size_t k = 0; k < P->nrules; k++)
            found |= !strcmp(f->rule, P->rules[k]);
        assert_true(found);
        assert_non_null(f->source);
    }
}

static void test_length(void **state)
{
    (void)state;
    double v;
    assert_int_equal(judge_n("", 0, &v, NULL), TOO_SHORT);
    assert_true(v == 0);
    assert_int_equal(judge("a"), -1);
    p[CHAFF__DEG_MIN_CHARS] = 3;
    assert_int_equal(judge("ab"), TOO_SHORT);
    assert_int_equal(judge("abc"), -1);
    /* characters are code points: 2 of them in 4 bytes */
    assert_int_equal(judge_n("\xc3\xa9\xc3\xa9", 4, &v, NULL), TOO_SHORT);
    assert_true(v == 2);
    p[CHAFF__DEG_MIN_CHARS] = 1;
    p[CHAFF__DEG_MAX_CHARS] = 5;
    assert_int_equal(judge("abcde"), -1);
    assert_int_equal(judge_n("abcdef", 6, &v, NULL), TOO_LONG);
    assert_true(v == 6);
    assert_int_equal(judge("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), -1);
    /* an invalid byte is one character, as a decoder's U+FFFD would be */
    p[CHAFF__DEG_MAX_INVALID] = 1;
    assert_int_equal(judge("abcd\xff"), -1);
    assert_int_equal(judge("abcd\xff\xfe"), TOO_LONG);
}

/* n bytes of "ab ab ab ..." (ASCII words, no repetition rule at play when n is small) */
static char *filler(size_t n)
{
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = "abcdefghij "[i % 11];
    s[n] = '\0';
    return s;
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    p[CHAFF__DEG_MAX_REPEATED] = 1;
    p[CHAFF__DEG_MAX_RATIO] = 1e6;
    char *t = filler(200);
    double v;
    t[10] = (char)0xff;
    t[20] = (char)0xfe;
    assert_int_equal(judge_n(t, 200, &v, NULL), -1);            /* 2 / 200 = the limit */
    stats s = stats_of(t, 200);
    assert_true(s.v[INVALID] == 0.01);
    t[30] = (char)0x80;
    assert_int_equal(judge_n(t, 200, &v, NULL), INVALID);       /* 3 / 200 */
    assert_true(v == 3.0 / 200);
    free(t);
    /* what counts as invalid: overlong, surrogate, beyond U+10FFFF, truncated */
    s = stats_of("\xc0\xaf", 2);
    assert_true(s.v[INVALID] == 1.0);
    s = stats_of("a\xed\xa0\x80", 4);
    assert_true(s.v[INVALID] == 3.0 / 4);
    s = stats_of("ab\xf4\x90\x80\x80", 6);
    assert_true(s.v[INVALID] == 4.0 / 6);
    s = stats_of("abc\xe2\x82", 5);
    assert_true(s.v[INVALID] == 2.0 / 5);
    s = stats_of("\xf0\x9f\x98\x80 \xef\xbf\xbd \xe2\x82\xac", 12);  /* all valid */
    assert_true(s.v[INVALID] == 0);
}

static void test_replacement_and_control(void **state)
{
    (void)state;
    p[CHAFF__DEG_MAX_REPEATED] = 1;
    /* 100 characters: 99 ASCII and k U+FFFD */
    char buf[512];
    for (int k = 1; k <= 2; k++) {
        size_t o = 0;
        for (int i = 0; i < 100 - k; i++)
            buf[o++] = "abcdefghij "[i % 11];
        for (int i = 0; i < k; i++) {
            memcpy(buf + o, "\xef\xbf\xbd", 3);
            o += 3;
        }
        double v;
        int r = judge_n(buf, o, &v, NULL);
        if (k == 1) {
            assert_int_equal(r, -1);                       /* 0.01: the limit */
            assert_true(stats_of(buf, o).v[REPL] == 0.01);
        } else {
            assert_int_equal(r, REPL);
            assert_true(v == 0.02);
        }
    }
    /* controls: 10 or 11 BEL in 100 characters; tab, LF and CR are not controls */
    for (int k = 10; k <= 11; k++) {
        size_t o = 0;
        for (int i = 0; i < 100 - k; i++)
            buf[o++] = "ab\tcd\nef\rg "[i % 11];
        for (int i = 0; i < k; i++)
            buf[o++] = '\a';
        double v;
        int r = judge_n(buf, o, &v, NULL);
        assert_int_equal(r, k == 10 ? -1 : CONTROL);
        if (k == 11)
            assert_true(v == 0.11);
    }
    /* which characters are controls: NUL, ESC, DEL, FF, VT, U+0085 (C1) yes; NBSP no */
    stats s = stats_of("\x00\x1b\x7f\f\v\xc2\x85\xc2\xa0 \t\n\rabcdefghijk", 24);
    assert_true(s.v[CONTROL] == 6.0 / 22);
}

static void test_mojibake(void **state)
{
    (void)state;
    double v;
    /* "café" written right, then as UTF-8 read as Latin-1: "cafÃ©" */
    assert_int_equal(judge("un caf\xc3\xa9 na\xc3\xafve au r\xc3\xa9sum\xc3\xa9"), -1);
    assert_true(stats_of("caf\xc3\xa9", 5).v[MOJI] == 0);
    const char *cafe = "un caf\xc3\x83\xc2\xa9 noir";
    assert_int_equal(judge_n(cafe, strlen(cafe), &v, NULL), MOJI);
    assert_true(v == 1.0);
    /* "don’t" read as CP1252: "donâ€™t", a three-character sequence */
    const char *dont = "don\xc3\xa2\xe2\x82\xac\xe2\x84\xa2t";
    stats s = stats_of(dont, strlen(dont));
    assert_true(s.v[MOJI] == 1.0);
    /* at the threshold: one 2-character sequence among 4 non-ASCII characters is
     * 0.5 (kept); among 3 it is 2/3 (dropped) */
    const char *half = "\xc3\x83\xc2\xa9 \xc3\xa9\xc3\xa9 abc";     /* Ã© é é */
    assert_int_equal(judge(half), -1);
    assert_true(stats_of(half, strlen(half)).v[MOJI] == 0.5);
    const char *two3 = "\xc3\x83\xc2\xa9 \xc3\xa9 abc";             /* Ã© é */
    assert_int_equal(judge_n(two3, strlen(two3), &v, NULL), MOJI);
    assert_true(v == 2.0 / 3);
    /* a lead-like character with too few continuation-like ones is not a sequence:
     * "â€" alone (3-byte lead, one continuation) */
    assert_true(stats_of("\xc3\xa2\xe2\x82\xac x", 7).v[MOJI] == 0);
    /* an invalid byte breaks a sequence */
    assert_true(stats_of("\xc3\x83\xff\xc2\xa9", 5).v[MOJI] == 0);
}

static void test_repetition(void **state)
{
    (void)state;
    double v;
    p[CHAFF__DEG_NGRAM] = 2;
    /* words a1 a2 a3 a4 a1 a2: the bigram "a1 a2" comes back, covering 2 words
     * of 6, all of 2 bytes: 4 / 12 */
    const char *t = "a1 a2 a3 a4 a1 a2";
    stats s = stats_of(t, strlen(t));
    assert_true(s.v[REP] == 4.0 / 12);
    p[CHAFF__DEG_MAX_REPEATED] = 4.0 / 12;
    assert_int_equal(judge(t), -1);
    p[CHAFF__DEG_MAX_REPEATED] = 4.0 / 12 - 1e-9;
    assert_int_equal(judge_n(t, strlen(t), &v, NULL), REP);
    assert_true(v == 4.0 / 12);
    /* overlapping repeats count each word once: x y x y x y -> bigrams xy yx xy(d)
     * yx(d) xy(d): words 2..5 covered = 4 of 6 */
    assert_true(stats_of("xx yy xx yy xx yy", 17).v[REP] == 4.0 / 6);
    /* blanks of any kind separate words; fewer words than n gives 0 */
    assert_true(stats_of("a1\ta2\na3  a1\r\na2", 16).v[REP] == 2.0 / 5);
    assert_true(stats_of("alone", 5).v[REP] == 0);
    p[CHAFF__DEG_NGRAM] = 5;
    assert_true(stats_of("a b c d", 7).v[REP] == 0);
    assert_true(stats_of("", 0).v[REP] == 0);
}

static void test_compression_ratio(void **state)
{
    (void)state;
    p[CHAFF__DEG_MAX_REPEATED] = 1;   /* judge the ratio alone */
    const char *unit = "The quick brown fox jumps over the lazy dog near the river bank. ";
    size_t ul = strlen(unit);
    char *t = malloc(ul * 40 + 1);
    for (int i = 0; i < 40; i++)
        memcpy(t + (size_t)i * ul, unit, ul);
    size_t n = ul * 20;
    void *z = malloc(ZSTD_compressBound(n));
    double want = (double)n / (double)ZSTD_compress(z, ZSTD_compressBound(n), t, n, 1);
    free(z);
    double v;
    stats s = stats_of(t, n);
    assert_true(s.v[RATIO] == want);
    assert_true(want > 10);
    assert_int_equal(judge_n(t, n, &v, NULL), RATIO);
    assert_true(v == want);
    p[CHAFF__DEG_MAX_RATIO] = want;
    assert_int_equal(judge_n(t, n, &v, NULL), -1);
    p[CHAFF__DEG_MAX_RATIO] = 10;
    /* shorter than min_ratio_bytes: not judged by ratio */
    p[CHAFF__DEG_MIN_RATIO_BYTES] = (double)n + 1;
    assert_int_equal(judge_n(t, n, &v, NULL), -1);
    p[CHAFF__DEG_MIN_RATIO_BYTES] = (double)n;
    assert_int_equal(judge_n(t, n, &v, NULL), RATIO);
    free(t);
}

/* A paragraph of our own, with accents and curly quotes, for the generated failures. */
static const char *PARA =
    "The ferry to the island leaves at seven, and the caf\xc3\xa9 on the pier opens "
    "an hour earlier. Locals say the crossing is calm in June, but the wind turns "
    "quickly in autumn. \xe2\x80\x9c" "Bring a coat,\xe2\x80\x9d the captain told us, "
    "\xe2\x80\x9c""and don\xe2\x80\x99t sit on the upper deck.\xe2\x80\x9d The harbour "
    "master keeps a na\xc3\xafve little garden of herbs beside the ticket office, "
    "and children feed the gulls with bread they are told not to bring.";

/* UTF-8 bytes read as CP1252 (Latin-1 for its holes) and encoded again. */
static char *double_encode(const char *s, size_t *outlen)
{
    static const uint16_t cp1252[32] = {
        0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030,
        0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c,
        0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d,
        0x017e, 0x0178,
    };
    size_t n = strlen(s), o = 0;
    char *out = malloc(3 * n + 1);
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)s[i];
        uint32_t c = b >= 0x80 && b < 0xa0 ? cp1252[b - 0x80] : b;
        if (c < 0x80) {
            out[o++] = (char)c;
        } else if (c < 0x800) {
            out[o++] = (char)(0xc0 | (c >> 6));
            out[o++] = (char)(0x80 | (c & 0x3f));
        } else {
            out[o++] = (char)(0xe0 | (c >> 12));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
            out[o++] = (char)(0x80 | (c & 0x3f));
        }
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

static void test_generated_failures(void **state)
{
    (void)state;
    assert_int_equal(judge(PARA), -1);
    /* a sentence said 20 times */
    const char *sent = "I will always be here for you whenever you need me. ";
    size_t sl = strlen(sent);
    char *t = malloc(sl * 20 + 1);
    for (int i = 0; i < 20; i++)
        memcpy(t + (size_t)i * sl, sent, sl);
    double v;
    assert_int_equal(judge_n(t, sl * 20, &v, NULL), REP);
    printf("sentence x20: repeated share %.3f, ratio %.1f\n", v, stats_of(t, sl * 20).v[RATIO]);
    /* the same 3 times is still kept, 5 times dropped */
    assert_int_equal(judge_n(t, sl * 3, NULL, NULL), -1);
    assert_int_equal(judge_n(t, sl * 5, NULL, NULL), REP);
    free(t);
    /* a token loop */
    char loop[4001];
    for (int i = 0; i < 1000; i++)
        memcpy(loop + 4 * i, "the ", 4);
    assert_int_equal(judge_n(loop, 4000, &v, NULL), REP);
    assert_true(v > 0.99);
    assert_int_equal(judge_n(loop, 40, NULL, NULL), REP);   /* even 10 of them */
    /* text double-encoded to mojibake */
    size_t dl;
    char *d = double_encode(PARA, &dl);
    assert_int_equal(judge_n(d, dl, &v, NULL), MOJI);
    assert_true(v == 1.0);
    free(d);
    /* 5% U+FFFD: every 20th character of the paragraph replaced */
    size_t pl = strlen(PARA), o = 0, k = 0;
    char *r = malloc(pl * 3 + 1);
    for (size_t i = 0; i < pl; i++) {
        if ((uint8_t)PARA[i] >= 0x80)
            continue;   /* keep it ASCII plus the replacements */
        if (++k % 20 == 0) {
            memcpy(r + o, "\xef\xbf\xbd", 3);
            o += 3;
        } else {
            r[o++] = PARA[i];
        }
    }
    assert_int_equal(judge_n(r, o, &v, NULL), REPL);
    printf("every 20th character U+FFFD: share %.4f\n", v);
    assert_true(v >= 0.045 && v <= 0.05);
    /* the same bytes cut to invalid UTF-8 (the U+FFFD's first byte only) */
    for (size_t i = 0; i + 2 < o; i++)
        if ((uint8_t)r[i] == 0xef && (uint8_t)r[i + 1] == 0xbf) {
            r[i + 1] = 'x';
            r[i + 2] = 'x';
        }
    assert_int_equal(judge_n(r, o, &v, NULL), INVALID);
    free(r);
}

static void test_explain_reports_all(void **state)
{
    (void)state;
    /* an empty text fails the first rule, yet every statistic is reported */
    stats s = stats_of("", 0);
    assert_true(s.v[INVALID] == 0 && s.v[RATIO] == 0);
    s = stats_of("\xc3\x83\xc2\xa9\xff\a", 6);
    assert_true(s.v[INVALID] == 1.0 / 6);
    assert_true(s.v[CONTROL] == 1.0 / 4);
    assert_true(s.v[MOJI] == 2.0 / 3);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Random bytes never crash or read outside the text (ASan), every share stays
 * in [0, 1]; a 4 MB loop takes one pass. */
static void test_random_and_large(void **state)
{
    (void)state;
    const char *env = getenv("CHAFF_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 20261123;
    printf("seed %llu (CHAFF_TEST_SEED)\n", (unsigned long long)seed);
    static const char *const pieces[] = {
        "\xc3\x83\xc2\xa9", "\xe2\x80\x99", "\xef\xbf\xbd", "\xff", "\xc3", "\xe2\x82",
        "the ", "a", " ", "\n", "\a", "\xf0\x9f\x98\x80", "\xc2\x85",
    };
    char buf[1400];
    for (int it = 0; it < 3000; it++) {
        size_t n = 0;
        while (n < 1300) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            uint32_t r = (uint32_t)(seed >> 33);
            if (r % 3 == 0) {
                buf[n++] = (char)(r >> 8);
            } else {
                const char *pc = pieces[(r >> 8) % (sizeof pieces / sizeof *pieces)];
                size_t m = strlen(pc);
                memcpy(buf + n, pc, m);
                n += m;
            }
            if ((r >> 20) % 300 == 0)
                break;
        }
        p[CHAFF__DEG_NGRAM] = 2 + it % 6;
        stats s = stats_of(buf, n);
        for (int k = INVALID; k <= REP; k++)
            assert_true(s.v[k] >= 0 && s.v[k] <= 1);
        assert_true(s.v[RATIO] >= 0);
    }
    p[CHAFF__DEG_NGRAM] = 5;
    size_t big = 4u << 20;
    char *t = malloc(big);
    for (size_t i = 0; i < big; i++)
        t[i] = "the "[i % 4];
    double v, t0 = now();
    assert_int_equal(judge_n(t, big, &v, NULL), REP);
    printf("4 MB loop: repeated share %.4f in %.3f s\n", v, now() - t0);
    free(t);
}


/* Each allocation failure (scratch, word arrays, n-gram set, zstd context and
 * buffer) comes back as CHAFF_E_NOMEM with nothing leaked (LSan at exit). */
static void test_out_of_memory(void **state)
{
    (void)state;
    char *t = filler(3000);
    int ok = 0;
    for (long n = 0; n < 100 && !ok; n++) {
        failing f = {n};
        chaff__fwork w;
        memset(&w, 0, sizeof w);
        w.alloc.fn = failing_fn;
        w.alloc.opaque = &f;
        chaff__fresult r;
        chaff_status st = P->eval(p, t, 3000, &w, NULL, NULL, &r);
        if (st == CHAFF_OK) {
            assert_int_equal(r.rule, REP);   /* filler() repeats itself */
            ok = 1;
        } else {
            assert_int_equal(st, CHAFF_E_NOMEM);
        }
        if (w.slot[4])
            w.slot_free[4](&w.alloc, w.slot[4]);
    }
    assert_true(ok);
    free(t);
}

static void test_corpus(void **state)
{
    (void)state;
    char cpath[4096], err[512];
    if (corpus_debian(cpath, sizeof cpath, err, sizeof err))
        fail_msg("%s", err);
    corpus c;
    if (corpus_load(&c, cpath, "text", 0, err, sizeof err) != 0)
        fail_msg("%s", err);
    size_t drops[8] = {0}, total = 0, bytes = 0;
    double t0 = now();
    for (size_t i = 0; i < c.n; i++) {
        chaff__fresult r;
        assert_int_equal(P->eval(p, c.text[i], c.len[i], &W, NULL, NULL, &r), CHAFF_OK);
        bytes += c.len[i];
        if (r.rule >= 0) {
            drops[r.rule]++;
            total++;
        }
    }
    double secs = now() - t0;
    printf("corpus: %zu records, %zu dropped (%.4f%%):", c.n, total, 100.0 * (double)total / (double)c.n);
    for (size_t k = 0; k < 8; k++)
        if (drops[k])
            printf(" %s %zu", P->rules[k], drops[k]);
    printf("\nspeed: %.1f MB/s one thread (%zu bytes)\n", (double)bytes / 1e6 / secs, bytes);
    assert_true(c.n > 50000);
    assert_true((double)total <= 0.0005 * (double)c.n);
    corpus_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replacement_and_control, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mojibake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repetition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compression_ratio, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generated_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explain_reports_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_and_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corpus, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
