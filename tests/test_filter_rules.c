/* tests/test_filter_rules.c - the gopher, c4 and fineweb presets rule by rule.
 *
 * Each rule is checked on both sides of its threshold with values worked out by
 * hand (in the comments), usually with every other rule of the preset turned
 * off so that the case tests one rule. The texts are plain lowercase words and
 * spaces where the word count matters, so that any NLTK-compatible tokenizer
 * gives the same words. Also: Python's str semantics the reference depends on
 * (splitlines, strip, lower, code-point lengths), the reason order, --explain
 * statistics, invalid UTF-8 and a large record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter_c4.h"
#include "filter_fineweb.h"
#include "filter_gopher.h"
#include "pytext.h"

/* ---- helpers -------------------------------------------------------------- */

typedef struct outcome {
    const char *rule;        /* reason code, or "keep" */
    double value;
} outcome;

static size_t param_index(const chaff__preset *p, const char *name)
{
    for (size_t k = 0; k < p->nparams; k++)
        if (!strcmp(p->params[k].name, name))
            return k;
    fail_msg("no parameter %s", name);
    return 0;
}

/* Values that turn each rule off, for testing one rule at a time. */
static void isolate(const chaff__preset *p, double *v)
{
    for (size_t k = 0; k < p->nparams; k++) {
        const char *n = p->params[k].name;
        v[k] = p->params[k].def;
        if (!strncmp(n, "gopher.", 7))
            v[k] = strstr(n, "_gram_frac") ? 1e6 : 0;
        else if (!strcmp(n, "c4.min_num_sentences"))
            v[k] = -1;
        else if (!strncmp(n, "c4.filter_", 10))
            v[k] = 0;
        else if (!strcmp(n, "fineweb.line_punct_thr"))
            v[k] = 0;
        else if (!strcmp(n, "fineweb.short_line_thr"))
            v[k] = 1;
        else if (!strcmp(n, "fineweb.char_duplicates_ratio"))
            v[k] = 1;
        else if (!strcmp(n, "fineweb.new_line_ratio"))
            v[k] = 1e6;
    }
}

/* Runs preset p on text with the defaults (iso = 0) or every rule off (iso = 1),
 * then the NULL-terminated "name=value" settings. */
static outcome run_v(const chaff__preset *p, int iso, const char *text, size_t len, va_list ap)
{
    double v[64];
    if (iso) {
        isolate(p, v);
    } else {
        for (size_t k = 0; k < p->nparams; k++)
            v[k] = p->params[k].def;
    }
    const char *set;
    while ((set = va_arg(ap, const char *)) != NULL) {
        const char *eq = strchr(set, '=');
        assert_non_null(eq);
        char name[64];
        memcpy(name, set, (size_t)(eq - set));
        name[eq - set] = 0;
        v[param_index(p, name)] = atof(eq + 1);
    }
    chaff__fwork w;
    chaff__fwork_init(&w, NULL);
    chaff__fresult r;
    assert_int_equal(p->eval(v, text, len, &w, NULL, NULL, &r), CHAFF_OK);
    chaff__fwork_free(&w);
    outcome o = { r.rule < 0 ? "keep" : p->rules[r.rule], r.value };
    return o;
}

static outcome run_iso(const chaff__preset *p, const char *text, ...)
{
    va_list ap;
    va_start(ap, text);
    outcome o = run_v(p, 1, text, strlen(text), ap);
    va_end(ap);
    return o;
}

static outcome run_def(const chaff__preset *p, const char *text, ...)
{
    va_list ap;
    va_start(ap, text);
    outcome o = run_v(p, 0, text, strlen(text), ap);
    va_end(ap);
    return o;
}

/* cmocka here compares floats only; the values are doubles */
#define assert_double_equal(a, b, eps) do { double a_ = (a), b_ = (b); \
    if (!(fabs(a_ - b_) <= (eps))) fail_msg("%.17g != %.17g", a_, b_); } while (0)

#define EXPECT(o, r, val) do { outcome o_ = (o); assert_string_equal(o_.rule, r); \
    assert_double_equal(o_.value, (val), 1e-12); } while (0)
#define KEEP(o) assert_string_equal((o).rule, "keep")

/* Text buffer */
typedef struct buf { char s[1 << 16]; size_t n; } buf;

static void put(buf *b, const char *s)
{
    size_t l = strlen(s);
    assert_true(b->n + l < sizeof b->s);
    memcpy(b->s + b->n, s, l + 1);
    b->n += l;
}

/* A distinct lowercase word of exactly len letters (len >= 3) for each i < 676. */
static void word(buf *b, unsigned i, unsigned len)
{
    char w[32];
    w[0] = 'q';
    w[1] = (char)('a' + i % 26);
    w[2] = (char)('a' + i / 26 % 26);
    for (unsigned k = 3; k < len; k++)
        w[k] = 'z';
    w[len] = 0;
    put(b, w);
}

/* n distinct 3-letter words, space separated; the first two are "the of"
 * when stops, so that the stop-word rule passes. */
static void words3(buf *b, unsigned n, int stops, unsigned from)
{
    for (unsigned i = 0; i < n; i++) {
        if (b->n && b->s[b->n - 1] != ' ' && b->s[b->n - 1] != '\n')
            put(b, " ");
        if (stops && i == 0)
            put(b, "the");
        else if (stops && i == 1)
            put(b, "and");
        else
            word(b, from + i, 3);
    }
}

/* ---- Python str semantics ------------------------------------------------- */

static void test_py_splitlines(void **state)
{
    (void)state;
    /* a\r\nb\rc\vd\fe\x1cf\x85g\u2028h\u2029i then a final \n (no empty last line):
     * 9 lines; \x1f is not a line break */
    const char *s = "a\r\nb\rc\vd\fe\x1c" "f\xc2\x85g\xe2\x80\xa8h\xe2\x80\xa9i\x1fj\n";
    size_t pos = 0, b, e, n = 0, len = strlen(s);
    const char *want[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i\x1fj" };
    while (chaff__py_splitline(s, len, &pos, &b, &e)) {
        assert_true(n < 9);
        assert_int_equal(e - b, strlen(want[n]));
        assert_memory_equal(s + b, want[n], e - b);
        n++;
    }
    assert_int_equal(n, 9);
    /* "a\n\nb" is three lines, the middle one empty; "" has none */
    pos = n = 0;
    while (chaff__py_splitline("a\n\nb", 4, &pos, &b, &e))
        n++;
    assert_int_equal(n, 3);
    pos = 0;
    assert_int_equal(chaff__py_splitline("", 0, &pos, &b, &e), 0);
}

static void test_py_strip_len_lower(void **state)
{
    (void)state;
    /* NBSP, U+3000 and \x1f are white space to str.strip(); U+200B is not */
    const char *s = "\xc2\xa0\x1f x \xe3\x80\x80";
    size_t b, e;
    chaff__py_strip(s, strlen(s), &b, &e);
    assert_int_equal(b, 4);
    assert_int_equal(e, 5);
    chaff__py_strip("\xe2\x80\x8bx", 4, &b, &e);
    assert_int_equal(b, 0);
    /* lengths are code points; an invalid byte counts as one */
    assert_int_equal(chaff__py_len("\xc3\xa9t\xc3\xa9", 5), 3);
    assert_int_equal(chaff__py_len("\xff\xc3", 2), 2);
    assert_int_equal(chaff__py_len("abcdefghij\xf0\x9f\x98\x80", 14), 11);
    /* lower: U+0130 -> i + U+0307 (Python's full mapping), Kelvin sign -> k */
    char out[64];
    size_t n = chaff__py_lower("\xc4\xb0X\xe2\x84\xaa\xff", 7, out);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "i\xcc\x87xk\xff", 6);
    assert_true(chaff__py_isalpha(0xE9));
    assert_false(chaff__py_isalpha('1'));
    assert_true(chaff__py_is_dt_punct('#'));
    assert_false(chaff__py_is_dt_punct('a'));
    assert_true(chaff__py_is_dt_terminal(0x3002));   /* ideographic full stop */
    assert_false(chaff__py_is_dt_terminal(','));
}

/* ---- gopher: quality ------------------------------------------------------ */

static void test_gopher_doc_words(void **state)
{
    (void)state;
    buf b = { .n = 0 };
    words3(&b, 49, 1, 0);
    EXPECT(run_iso(&chaff__preset_gopher, b.s, "gopher.min_doc_words=50", NULL),
           "gopher.short_doc", 49);
    /* symbol-only words do not count: 49 words and 3 dashes are still 49 */
    put(&b, " - \xe2\x80\x94 !");
    EXPECT(run_iso(&chaff__preset_gopher, b.s, "gopher.min_doc_words=50", NULL),
           "gopher.short_doc", 49);
    b.n = 0;
    words3(&b, 50, 1, 0);
    KEEP(run_iso(&chaff__preset_gopher, b.s, "gopher.min_doc_words=50", NULL));
    /* with every default, 50 distinct words and two stop words pass everything */
    KEEP(run_def(&chaff__preset_gopher, b.s, NULL));
    EXPECT(run_iso(&chaff__preset_gopher, b.s, "gopher.max_doc_words=49", NULL),
           "gopher.long_doc", 50);
    KEEP(run_iso(&chaff__preset_gopher, b.s, "gopher.max_doc_words=50", NULL));
}

static void test_gopher_avg_word_len(void **state)
{
    (void)state;
    buf b = { .n = 0 };
    /* 49 three-letter words and "of": (49 * 3 + 2) / 50 = 2.98 < 3 */
    words3(&b, 49, 0, 0);
    put(&b, " of");
    EXPECT(run_iso(&chaff__preset_gopher, b.s, "gopher.min_avg_word_length=3", NULL),
           "gopher.below_avg_word_len", 149.0 / 50);
    /* "the" instead: exactly 3, not below */
    b.n = 0;
    words3(&b, 49, 0, 0);
    put(&b, " the");
    KEEP(run_iso(&chaff__preset_gopher, b.s, "gopher.min_avg_word_length=3", NULL));
    /* ten-letter words: 10 passes; one eleven-letter word among 50: 501 / 50 */
    b.n = 0;
    for (unsigned i = 0; i < 50; i++) {
        if (i)
            put(&b, " ");
        word(&b, i, i == 7 ? 11 : 10);
    }
    EXPECT(run_iso(&chaff__preset_gopher, b.s, "gopher.max_avg_word_length=10", NULL),
           "gopher.above_avg_word_len", 501.0 / 50);
    KEEP(run_iso(&chaff__preset_gopher, b.s, "gopher.max_avg_word_length=10.02", NULL));
    /* the mean counts code points: "qé" + 1 letter is 3, not 4 bytes */
    KEEP(run_iso(&chaff__preset_gopher, "q\xc3\xa9z q\xc3\xa9y", "gopher.max_avg_word_length=3",
                 NULL));
}

static void test_gopher_hash_ellipsis(void **state)
{
    (void)state;
    buf b = { .n = 0 };
    /* 50 words and 5 lone '#': 5 / 55 = 0.0909 <= 0.1; a sixth: 6 / 56 > 0.1 */
    words3(&b, 50, 1, 0);
    put(&b, " # # # # #");
    KEEP(run_iso(&chaff__preset_gopher, b.s, "gopher.max_symbol_word_ratio=0.1", NULL));
    put(&b, " #");
    EXPECT(run_iso(&chaff__preset_gopher, b.s, "gopher.max_symbol_word_ratio=0.1", NULL),
           "gopher.too_many_hashes", 6.0 / 56);
    /* the same with U+2026 */
    b.n = 0;
    words3(&b, 50, 1, 0);
    for (int k = 0; k < 6; k++)
        put(&b, " \xe2\x80\xa6");
    EXPECT(run_iso(&chaff__preset_gopher, b.s, "gopher.max_symbol_word_ratio=0.1", NULL),
           "gopher.too_many_ellipsis", 6.0 / 56);
}

/* 20 lines of five words; the first `bullets` start with a bullet ("-" after
 * white space, or U+2022) */
static void bullet_lines(buf *b, unsigned bullets)
{
    b->n = 0;
    for (unsigned l = 0; l < 20; l++) {
        put(b, l >= bullets ? "" : l % 2 ? "  - " : "\xe2\x80\xa2 ");
        words3(b, 5, 0, 5 * l);
        put(b, "\n");
    }
}

/* 10 lines of six words; the first `ends` end with "...", U+2026 or "..." and spaces */
static void ellipsis_lines(buf *b, unsigned ends)
{
    b->n = 0;
    for (unsigned l = 0; l < 10; l++) {
        words3(b, 6, 0, 6 * l);
        put(b, l >= ends ? "..x\n" : l % 3 == 0 ? "...\n" : l % 3 == 1 ? " \xe2\x80\xa6\n" : "... \t\n");
    }
}

static void test_gopher_lines(void **state)
{
    (void)state;
    buf b = { .n = 0 };
    /* 18 of 20 lines start with a bullet: 0.9 is not > 0.9; 19 of 20 is */
    bullet_lines(&b, 18);
    KEEP(run_iso(&chaff__preset_gopher, b.s, "gopher.max_bullet_lines_ratio=0.9", NULL));
    bullet_lines(&b, 19);
    EXPECT(run_iso(&chaff__preset_gopher, b.s, "gopher.max_bullet_lines_ratio=0.9", NULL),
           "gopher.too_many_bullets", 19.0 / 20);
    /* 3 of 10 lines end in an ellipsis: 0.3 passes; 4 fail */
    ellipsis_lines(&b, 3);
    KEEP(run_iso(&chaff__preset_gopher, b.s, "gopher.max_ellipsis_lines_ratio=0.3", NULL));
    ellipsis_lines(&b, 4);
    EXPECT(run_iso(&chaff__preset_gopher, b.s, "gopher.max_ellipsis_lines_ratio=0.3", NULL),
           "gopher.too_many_end_ellipsis", 0.4);
}

static void test_gopher_alpha_stop(void **state)
{
    (void)state;
    buf b = { .n = 0 };
    char num[16];
    /* 50 words with a letter and 12 numbers: 50 / 62 >= 0.8; 13 numbers: 50 / 63 */
    words3(&b, 50, 1, 0);
    for (int k = 0; k < 12; k++) {
        snprintf(num, sizeof num, " %d", 100 + k);
        put(&b, num);
    }
    KEEP(run_iso(&chaff__preset_gopher, b.s, "gopher.max_non_alpha_words_ratio=0.8", NULL));
    put(&b, " 999");
    EXPECT(run_iso(&chaff__preset_gopher, b.s, "gopher.max_non_alpha_words_ratio=0.8", NULL),
           "gopher.below_alpha_ratio", 50.0 / 63);
    /* stop words: distinct, exact case */
    EXPECT(run_iso(&chaff__preset_gopher, "the the The THE qaa", "gopher.min_stop_words=2", NULL),
           "gopher.few_stop_words", 1);
    KEEP(run_iso(&chaff__preset_gopher, "the with qaa", "gopher.min_stop_words=2", NULL));
    EXPECT(run_iso(&chaff__preset_gopher, "qaa qbb", "gopher.min_stop_words=1", NULL),
           "gopher.few_stop_words", 0);
}

static void test_gopher_order(void **state)
{
    (void)state;
    /* every default: a short text fails the first rule, short_doc */
    EXPECT(run_def(&chaff__preset_gopher, "# # # a", NULL), "gopher.short_doc", 1);
    /* 60 copies of a line that passes the quality rules fail the first
     * repetition rule that looks at lines: re.split("\n+") gives 60 lines and
     * a last empty piece, 59 of the 61 repeat one before them */
    buf b = { .n = 0 };
    for (int l = 0; l < 60; l++)
        put(&b, "the quick brown fox and dog\n");
    EXPECT(run_def(&chaff__preset_gopher, b.s, NULL), "gopher.dup_line_frac", 59.0 / 61);
    /* with a mean word length of 13 / 5 = 2.6 the quality rule fails first */
    b.n = 0;
    for (int l = 0; l < 60; l++)
        put(&b, "the cat and a dog\n");
    EXPECT(run_def(&chaff__preset_gopher, b.s, NULL), "gopher.below_avg_word_len", 2.6);
}

/* ---- gopher: repetition --------------------------------------------------- */

static void test_gopher_paragraphs(void **state)
{
    (void)state;
    /* A \n\n B \n\n A with |A| = 10: duplicate characters 10 over the whole text:
     * |B| = 26 gives 10 / 50 = 0.2 (passes), |B| = 25 gives 10 / 49 */
    const char *pass = "abcd efghi\n\nabcdefghijklmnopqrstuvwxyz\n\nabcd efghi";
    const char *fail1 = "abcd efghi\n\nabcdefghijklmnopqrstuvwxy\n\nabcd efghi";
    KEEP(run_iso(&chaff__preset_gopher, pass, "gopher.dup_para_char_frac=0.2", NULL));
    EXPECT(run_iso(&chaff__preset_gopher, fail1, "gopher.dup_para_char_frac=0.2", NULL),
           "gopher.dup_para_char_frac", 10.0 / 49);
    /* 1 repeated paragraph of 3: 0.333 > 0.3; surrounding white space is
     * stripped first and three newlines separate like two */
    EXPECT(run_iso(&chaff__preset_gopher, "\n\n x\n\n\ny\n\nx \n", "gopher.dup_para_frac=0.3", NULL),
           "gopher.dup_para_frac", 1.0 / 3);
    /* "x" and "x " differ; one newline does not separate paragraphs */
    KEEP(run_iso(&chaff__preset_gopher, "x \n\ny\nx\n\nx", "gopher.dup_para_frac=0.3", NULL));
    /* 3 repeats in 10 paragraphs: 0.3 passes */
    KEEP(run_iso(&chaff__preset_gopher, "a\n\nb\n\nc\n\nd\n\ne\n\nf\n\ng\n\na\n\nb\n\nc",
                 "gopher.dup_para_frac=0.3", NULL));
}

static void test_gopher_lines_rep(void **state)
{
    (void)state;
    /* re.split("\n+"): a leading and a trailing newline give two empty pieces,
     * the second a duplicate of the first: 1 of 4 = 0.25 */
    EXPECT(run_iso(&chaff__preset_gopher, "\nab\ncd\n", "gopher.dup_line_frac=0.2", NULL),
           "gopher.dup_line_frac", 0.25);
    KEEP(run_iso(&chaff__preset_gopher, "\nab\ncd\n", "gopher.dup_line_frac=0.25", NULL));
    /* line characters: "abcde" repeated; with a middle line of 13 code points
     * (é is one) the text has 25: 5 / 25 = 0.2 passes; with 12, 5 / 24 fails */
    KEEP(run_iso(&chaff__preset_gopher, "abcde\n\xc3\xa9\xc3\xa9\xc3\xa9 xyz wvuts\nabcde",
                 "gopher.dup_line_char_frac=0.2", NULL));
    EXPECT(run_iso(&chaff__preset_gopher, "abcde\n\xc3\xa9 xyz wvutsr\nabcde",
                   "gopher.dup_line_char_frac=0.2", NULL),
           "gopher.dup_line_char_frac", 5.0 / 24);
}

static void test_gopher_top_ngrams(void **state)
{
    (void)state;
    /* "ab cd" twice: 5 * 2 = 10 characters; the text is 50 code points */
    const char *t50 = "ab cd ab cd qwertyuiop asdfghjkl zxcvbnm plokijuhy";
    const char *t49 = "ab cd ab cd qwertyuiop asdfghjkl zxcvbnm plokijuh";
    assert_int_equal(strlen(t50), 50);
    KEEP(run_iso(&chaff__preset_gopher, t50, "gopher.top_2_gram_frac=0.2", NULL));
    EXPECT(run_iso(&chaff__preset_gopher, t49, "gopher.top_2_gram_frac=0.2", NULL),
           "gopher.top_2_gram", 10.0 / 49);
    /* a tie in counts goes to the n-gram seen first: "a bb" (4 * 2), not
     * "ccc dddd" (8 * 2), over 27 code points */
    EXPECT(run_iso(&chaff__preset_gopher, "a bb a bb ccc dddd ccc dddd",
                   "gopher.top_2_gram_frac=0.1", NULL),
           "gopher.top_2_gram", 8.0 / 27);
    /* 3- and 4-grams: "x y z" three times (5 * 3) in 29; "x y z w" twice (7 * 2) in 29 */
    EXPECT(run_iso(&chaff__preset_gopher, "x y z x y z x y z qqqqqqqqqqq",
                   "gopher.top_3_gram_frac=0.18", NULL),
           "gopher.top_3_gram", 15.0 / 29);
    EXPECT(run_iso(&chaff__preset_gopher, "x y z w x y z w qqqqqqqqqqqqq",
                   "gopher.top_4_gram_frac=0.16", NULL),
           "gopher.top_4_gram", 14.0 / 29);
    /* fewer words than n: the rule is skipped, even at 0 */
    KEEP(run_iso(&chaff__preset_gopher, "ab", "gopher.top_2_gram_frac=0", NULL));
}

static void test_gopher_dup_ngrams(void **state)
{
    (void)state;
    /* twelve "a": the 5-gram at 1 repeats the one at 0 (+5) and the walk jumps to
     * 6, which repeats too (+5), then to 11, past the last 5-gram: 10 / 23 */
    EXPECT(run_iso(&chaff__preset_gopher, "a a a a a a a a a a a a", "gopher.dup_5_gram_frac=0.15",
                   NULL),
           "gopher.dup_5_gram", 10.0 / 23);
    /* n-grams are joined without spaces: "ab c d e f" and "a bc d e f" are both
     * "abcdef" (6 characters of 21) */
    EXPECT(run_iso(&chaff__preset_gopher, "ab c d e f a bc d e f", "gopher.dup_5_gram_frac=0.15",
                   NULL),
           "gopher.dup_5_gram", 6.0 / 21);
    /* ten words twice (39 letters each time, 97 code points in all) */
    const char *t = "one two three four five six seven eight nine ten "
                    "one two three four five six seven eight nine ten";
    /* n = 10: the second copy repeats the first: 39 / 97 */
    EXPECT(run_iso(&chaff__preset_gopher, t, "gopher.dup_10_gram_frac=0.1", NULL),
           "gopher.dup_10_gram", 39.0 / 97);
    KEEP(run_iso(&chaff__preset_gopher, t, "gopher.dup_10_gram_frac=0.41", NULL));
    /* n = 7: "one".."seven" at word 10 repeats (27 letters); the walk jumps to
     * word 17, where no 7-gram starts: 27 / 97 */
    EXPECT(run_iso(&chaff__preset_gopher, t, "gopher.dup_7_gram_frac=0.13", NULL),
           "gopher.dup_7_gram", 27.0 / 97);
    /* n = 5: "one".."five" at 10 (19 letters), then "six".."ten" at 15 (20): 39 / 97 */
    EXPECT(run_iso(&chaff__preset_gopher, t, "gopher.dup_5_gram_frac=0.15",
                   "gopher.dup_6_gram_frac=0.14", NULL),
           "gopher.dup_5_gram", 39.0 / 97);
}

/* ---- c4 ------------------------------------------------------------------- */

static void test_c4_sentences(void **state)
{
    (void)state;
    const char *five = "One two three.\nFour five six.\nSeven eight nine.\nTen eleven twelve.\n"
                       "Thirteen fourteen fifteen.";
    KEEP(run_def(&chaff__preset_c4, five, NULL));
    EXPECT(run_def(&chaff__preset_c4, five + 15, NULL), "c4.too_few_sentences", 4);
    /* two sentences on one line count twice */
    KEEP(run_def(&chaff__preset_c4, "One two three. Four five six.\nSeven eight nine.\n"
                                    "Ten eleven twelve. Thirteen fourteen fifteen.", NULL));
    /* removed lines do not count: too few words, no end mark, "...", javascript
     * (any case), a policy phrase, a citation leaving a space at the end */
    const char *removed = "One two three.\nFour five six.\nSeven eight nine.\nTen eleven twelve.\n"
                          "Two words.\nno end mark here\nit trails off...\nEnable JavaScript now please.\n"
                          "This site Uses Cookies today.\nA cited line here. [12]";
    EXPECT(run_def(&chaff__preset_c4, removed, NULL), "c4.too_few_sentences", 4);
    /* but a citation before the end mark is only deleted */
    KEEP(run_def(&chaff__preset_c4, "One two three.\nFour five six.\nSeven eight nine.\n"
                                    "Ten eleven twelve.\nA cited line here [3][edit].", NULL));
    /* every Python line break ends a line: \r\n, \v, U+2028 */
    KEEP(run_def(&chaff__preset_c4, "One two three.\r\nFour five six.\vSeven eight nine.\xe2\x80\xa8"
                                    "Ten eleven twelve.\x1cThirteen fourteen fifteen.", NULL));
    /* a line with a word longer than max_word_length goes ("twelve." is 7,
     * "Thirteen" and "fifteen." are 8) */
    EXPECT(run_def(&chaff__preset_c4, five, "c4.max_word_length=6", NULL), "c4.too_few_sentences", 3);
    EXPECT(run_def(&chaff__preset_c4, five, "c4.max_word_length=7", NULL), "c4.too_few_sentences", 4);
    KEEP(run_def(&chaff__preset_c4, five, "c4.max_word_length=8", NULL));
    /* -1 disables the count */
    KEEP(run_def(&chaff__preset_c4, "Nothing here.", "c4.min_num_sentences=-1", NULL));
    /* exactly min_words_per_line words is enough */
    EXPECT(run_def(&chaff__preset_c4, five, "c4.min_words_per_line=4", NULL),
           "c4.too_few_sentences", 0);
}

static void test_c4_page_rules(void **state)
{
    (void)state;
    EXPECT(run_def(&chaff__preset_c4, "Some text here.\nLOREM Ipsum dolor sit amet.", NULL),
           "c4.lorem_ipsum", 1);
    /* only lines that survive the line rules are looked at */
    EXPECT(run_def(&chaff__preset_c4, "lorem ipsum dolor sit amet", NULL), "c4.too_few_sentences", 0);
    EXPECT(run_def(&chaff__preset_c4, "One two {three}.", NULL), "c4.curly_bracket", 1);
    EXPECT(run_def(&chaff__preset_c4, "One two {three}", NULL), "c4.too_few_sentences", 0);
    /* lorem ipsum is checked before the bracket, and line by line */
    EXPECT(run_def(&chaff__preset_c4, "One two {three}.\nlorem ipsum is here.", NULL),
           "c4.curly_bracket", 1);
    EXPECT(run_def(&chaff__preset_c4, "One two {lorem ipsum}.", NULL), "c4.lorem_ipsum", 1);
    /* a javascript line is removed before the bracket rule sees it */
    EXPECT(run_def(&chaff__preset_c4, "No javascript {here}.", NULL), "c4.too_few_sentences", 0);
    /* switched off */
    EXPECT(run_def(&chaff__preset_c4, "One two {lorem ipsum}.", "c4.filter_lorem_ipsum=0",
                   "c4.filter_curly_bracket=0", NULL), "c4.too_few_sentences", 1);
}

static void test_c4_lowercase(void **state)
{
    (void)state;
    const char *base = "One two three.\nFour five six.\nSeven eight nine.\nTen eleven twelve.\n";
    char t[512];
    /* U+0130 lowercases to i + U+0307, so "JAVASCRİPT" is not "javascript": kept */
    snprintf(t, sizeof t, "%sWe like JAVASCR\xc4\xb0PT a lot.", base);
    KEEP(run_def(&chaff__preset_c4, t, NULL));
    /* the Kelvin sign lowercases to k: "uses cooKies" is a policy line, removed */
    snprintf(t, sizeof t, "%sThis site uses coo\xe2\x84\xaaies ok.", base);
    EXPECT(run_def(&chaff__preset_c4, t, NULL), "c4.too_few_sentences", 4);
}

/* ---- fineweb -------------------------------------------------------------- */

static void test_fineweb_empty_punct(void **state)
{
    (void)state;
    EXPECT(run_def(&chaff__preset_fineweb, "", NULL), "fineweb.empty", 0);
    EXPECT(run_def(&chaff__preset_fineweb, " \n\t\xc2\xa0\n\n", NULL), "fineweb.empty", 0);
    buf b = { .n = 0 };
    /* 25 lines, 3 ending in terminal punctuation ("." "!" and U+3002): 0.12 passes */
    for (int l = 0; l < 25; l++) {
        char line[64];
        snprintf(line, sizeof line, "line number %d here%s\n", l,
                 l == 0 ? "." : l == 1 ? "!" : l == 2 ? "\xe3\x80\x82" : l == 3 ? ". " : ",");
        put(&b, line);
    }
    KEEP(run_iso(&chaff__preset_fineweb, b.s, "fineweb.line_punct_thr=0.12", NULL));
    /* the line ending ". " does not count; make line 2 end in "," too: 2 / 25 */
    char *ideo = strstr(b.s, "\xe3\x80\x82");
    memcpy(ideo, ",,,", 3);
    EXPECT(run_iso(&chaff__preset_fineweb, b.s, "fineweb.line_punct_thr=0.12", NULL),
           "fineweb.line_punct_ratio", 2.0 / 25);
    /* no line at all ends in punctuation: exclude_zero keeps it */
    EXPECT(run_iso(&chaff__preset_fineweb, "a b\nc d", "fineweb.line_punct_thr=0.12", NULL),
           "fineweb.line_punct_ratio", 0);
    KEEP(run_iso(&chaff__preset_fineweb, "a b\nc d", "fineweb.line_punct_thr=0.12",
                 "fineweb.line_punct_exclude_zero=1", NULL));
}

/* 100 + extra lines: line 0 is 30 two-byte letters (30 code points: short),
 * lines 1..66 and the extra ones are short, the rest are 38 code points */
static void short_lines(buf *b, int extra)
{
    b->n = 0;
    for (int l = 0; l < 100 + extra; l++) {
        char line[128];
        if (l == 0) {
            line[0] = 0;
            for (int k = 0; k < 30; k++)
                strcat(line, "\xc3\xa9");
            strcat(line, "\n");
        } else if (l < 67 || l >= 100) {
            snprintf(line, sizeof line, "short %d\n", l);
        } else {
            snprintf(line, sizeof line, "a long line of exactly some length %03d\n", l);
        }
        put(b, line);
    }
}

static void test_fineweb_short_dup_list(void **state)
{
    (void)state;
    buf b = { .n = 0 };
    /* 67 short lines of 100: 0.67 passes; 68 of 101 fails */
    short_lines(&b, 0);
    KEEP(run_iso(&chaff__preset_fineweb, b.s, "fineweb.short_line_thr=0.67", NULL));
    short_lines(&b, 1);
    EXPECT(run_iso(&chaff__preset_fineweb, b.s, "fineweb.short_line_thr=0.67", NULL),
           "fineweb.short_line_ratio", 68.0 / 101);

    /* "abcde" twice among 49 distinct 9-digit lines: 5 + 49 * 9 + 5 = 451 code
     * points besides newlines, 5 / 451 > 0.01; 49 more characters make it 500:
     * 5 / 500 = 0.01 passes */
    b.n = 0;
    put(&b, "abcde\n");
    for (int k = 0; k < 49; k++) {
        char line[32];
        snprintf(line, sizeof line, "%09d\n", k * 7919);
        put(&b, line);
    }
    put(&b, "abcde");
    EXPECT(run_iso(&chaff__preset_fineweb, b.s, "fineweb.char_duplicates_ratio=0.01", NULL),
           "fineweb.char_dup_ratio", 5.0 / 451);
    put(&b, "\n0123456789012345678901234567890123456789012345678");
    KEEP(run_iso(&chaff__preset_fineweb, b.s, "fineweb.char_duplicates_ratio=0.01", NULL));
    /* lines are compared unstripped: "abcde " is not "abcde" */
    EXPECT(run_iso(&chaff__preset_fineweb, "abcde\nabcde \nabcde", "fineweb.char_duplicates_ratio=0.01",
                   NULL), "fineweb.char_dup_ratio", 5.0 / 16);

    /* newlines per word: 10 words, 3 newlines (blank lines count) = 0.3 passes */
    KEEP(run_iso(&chaff__preset_fineweb, "a b c d e\n\n\nf g h i j", "fineweb.new_line_ratio=0.3",
                 NULL));
    EXPECT(run_iso(&chaff__preset_fineweb, "a b c d e\n\n\n\nf g h i j", "fineweb.new_line_ratio=0.3",
                   NULL),
           "fineweb.list_ratio", 0.4);
}

/* ---- explain, robustness -------------------------------------------------- */

typedef struct seen { int n; double n_words, sentences, lines; } seen;

static void collect(void *user, const char *name, double value)
{
    seen *s = user;
    s->n++;
    if (!strcmp(name, "gopher.n_words"))
        s->n_words = value;
    if (!strcmp(name, "c4.sentences"))
        s->sentences = value;
    if (!strcmp(name, "fineweb.lines"))
        s->lines = value;
}

static void test_explain(void **state)
{
    (void)state;
    chaff__fwork w;
    chaff__fwork_init(&w, NULL);
    double v[64];
    const chaff__preset *ps[3] = { &chaff__preset_gopher, &chaff__preset_c4, &chaff__preset_fineweb };
    /* 9 quality and 13 repetition statistics (n_words, n_non_symbol_words, avg,
     * hash, ellipsis, bullets, end ellipsis, alpha, stop words; 4 line/paragraph,
     * 3 top, 6 repeated n-grams), all reported although short_doc fails first */
    const int want[3] = { 9 + 13, 5, 6 };
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < ps[k]->nparams; i++)
            v[i] = ps[k]->params[i].def;
        seen s = { 0, -1, -1, -1 };
        chaff__fresult r;
        chaff__fwork_reset(&w);
        const char *t = "One two three. Four five six.\nseven eight\n";
        assert_int_equal(ps[k]->eval(v, t, strlen(t), &w, collect, &s, &r), CHAFF_OK);
        assert_int_equal(s.n, want[k]);
        if (k == 0) {
            assert_string_equal(ps[k]->rules[r.rule], "gopher.short_doc");
            assert_double_equal(s.n_words, 10, 0);   /* One two three . Four ... eight */
        }
        if (k == 1) {
            assert_string_equal(ps[k]->rules[r.rule], "c4.too_few_sentences");
            assert_double_equal(s.sentences, 2, 0);
        }
        if (k == 2)
            assert_double_equal(s.lines, 2, 0);
    }
    chaff__fwork_free(&w);
}

static void test_params_table(void **state)
{
    (void)state;
    const chaff__preset *ps[3] = { &chaff__preset_gopher, &chaff__preset_c4, &chaff__preset_fineweb };
    for (int k = 0; k < 3; k++) {
        const chaff__preset *p = ps[k];
        size_t nl = strlen(p->name);
        for (size_t i = 0; i < p->nparams; i++) {
            const chaff__fparam *f = &p->params[i];
            assert_true(!strncmp(f->name, p->name, nl) && f->name[nl] == '.');
            assert_true(f->def >= f->lo && f->def <= f->hi);
            int found = 0;
            for (size_t r = 0; r < p->nrules; r++)
                found |= !strcmp(f->rule, p->rules[r]);
            assert_true(found);
            assert_non_null(f->source);
            assert_non_null(f->what);
        }
    }
    assert_int_equal(chaff__preset_gopher.nparams, 22);
    assert_int_equal(chaff__preset_c4.nparams, 10);
    assert_int_equal(chaff__preset_fineweb.nparams, 6);
}

static void test_invalid_utf8_and_large(void **state)
{
    (void)state;
    const chaff__preset *ps[3] = { &chaff__preset_gopher, &chaff__preset_c4, &chaff__preset_fineweb };
    const char *bad[] = { "\xff", "\xc3", "abc \xe2\x80", "\xf0\x9f\x98", "[\xff]. x y z.\n\xed\xa0\x80",
                          "\n\n\n", "\r", "\xc2\x85\xc2\x85" };
    chaff__fwork w;
    chaff__fwork_init(&w, NULL);
    double v[64];
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < ps[k]->nparams; i++)
            v[i] = ps[k]->params[i].def;
        for (size_t t = 0; t < sizeof bad / sizeof *bad; t++) {
            chaff__fresult r;
            chaff__fwork_reset(&w);
            /* exact lengths: no terminating NUL to lean on */
            size_t n = strlen(bad[t]);
            char *copy = malloc(n ? n : 1);
            memcpy(copy, bad[t], n);
            assert_int_equal(ps[k]->eval(v, copy, n, &w, NULL, NULL, &r), CHAFF_OK);
            free(copy);
        }
    }
    /* an invalid byte is one code point: 31 of them make a long line */
    char inv[32];
    memset(inv, 0xff, 31);
    inv[31] = 0;
    EXPECT(run_iso(&chaff__preset_fineweb, inv, "fineweb.short_line_thr=0", NULL), "keep", 0);
    inv[30] = 0;
    EXPECT(run_iso(&chaff__preset_fineweb, inv, "fineweb.short_line_thr=0", NULL),
           "fineweb.short_line_ratio", 1);

    /* 2 MB in one record: one line repeated; must finish (not quadratic) */
    size_t big = 2u << 20;
    char *t = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        t[i] = "the cat sat on the mat.\n"[i % 24];
    t[big] = 0;
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < ps[k]->nparams; i++)
            v[i] = ps[k]->params[i].def;
        chaff__fresult r;
        seen s = { 0, -1, -1, -1 };
        chaff__fwork_reset(&w);
        /* explain: every statistic, the repeated n-grams included */
        assert_int_equal(ps[k]->eval(v, t, big, &w, collect, &s, &r), CHAFF_OK);
        /* gopher: 524288 words > 100000; c4: many good sentences;
         * fineweb: every line is short */
        assert_string_equal(r.rule < 0 ? "keep" : ps[k]->rules[r.rule],
                            k == 0 ? "gopher.long_doc" : k == 1 ? "keep" : "fineweb.short_line_ratio");
    }
    free(t);
    chaff__fwork_free(&w);
}

static void ignore(void *user, const char *name, double value)
{
    (void)user;
    (void)name;
    (void)value;
}

/* Random texts from pieces that reach every branch (line breaks of every kind,
 * brackets, ellipses, bullets, cut multi-byte sequences), each in a buffer of
 * its exact size, through every preset with and without --explain: the
 * sanitizer build turns any stray read into a failure. Fixed seed. */
static void test_random_texts(void **state)
{
    (void)state;
    static const char *const piece[] = {
        "the", "and", "Word", " ", "  ", "\n", "\n\n", "\r\n", "\r", "\v", "\xc2\x85", "\xe2\x80\xa8",
        ".", "...", "\xe2\x80\xa6", "#", "-", "\xe2\x80\xa2", "{", "[", "]", "[1]", "[edit]", "!", "?",
        "\"", "'", "lorem ipsum", "JavaScript", "uses cookies", "\xc3", "\xe2\x80", "\xff", "\xc4\xb0",
        "\xe3\x80\x82", "don't", "U.S.", "(a)", "12", "\t", "\xc2\xa0",
    };
    const chaff__preset *ps[3] = { &chaff__preset_gopher, &chaff__preset_c4, &chaff__preset_fineweb };
    chaff__fwork w;
    chaff__fwork_init(&w, NULL);
    double v[3][64];
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < ps[k]->nparams; i++)
            v[k][i] = ps[k]->params[i].def;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    char text[4096];
    for (int round = 0; round < 3000; round++) {
        size_t n = 0;
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        int pieces = (int)(x % 120);
        for (int p = 0; p < pieces; p++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            const char *s = piece[x % (sizeof piece / sizeof *piece)];
            size_t l = strlen(s);
            if (n + l > sizeof text)
                break;
            memcpy(text + n, s, l);
            n += l;
        }
        char *exact = malloc(n ? n : 1);
        memcpy(exact, text, n);
        for (int k = 0; k < 3; k++) {
            chaff__fresult r;
            chaff__fwork_reset(&w);
            assert_int_equal(ps[k]->eval(v[k], exact, n, &w, NULL, NULL, &r), CHAFF_OK);
            chaff__fresult r2;
            chaff__fwork_reset(&w);
            assert_int_equal(ps[k]->eval(v[k], exact, n, &w, ignore, NULL, &r2), CHAFF_OK);
            /* explaining does not change the verdict */
            assert_int_equal(r.rule, r2.rule);
            if (r.rule >= 0)
                assert_double_equal(r.value, r2.value, 0);
        }
        free(exact);
    }
    chaff__fwork_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_py_splitlines),
        cmocka_unit_test(test_py_strip_len_lower),
        cmocka_unit_test(test_gopher_doc_words),
        cmocka_unit_test(test_gopher_avg_word_len),
        cmocka_unit_test(test_gopher_hash_ellipsis),
        cmocka_unit_test(test_gopher_lines),
        cmocka_unit_test(test_gopher_alpha_stop),
        cmocka_unit_test(test_gopher_order),
        cmocka_unit_test(test_gopher_paragraphs),
        cmocka_unit_test(test_gopher_lines_rep),
        cmocka_unit_test(test_gopher_top_ngrams),
        cmocka_unit_test(test_gopher_dup_ngrams),
        cmocka_unit_test(test_c4_sentences),
        cmocka_unit_test(test_c4_page_rules),
        cmocka_unit_test(test_c4_lowercase),
        cmocka_unit_test(test_fineweb_empty_punct),
        cmocka_unit_test(test_fineweb_short_dup_list),
        cmocka_unit_test(test_explain),
        cmocka_unit_test(test_params_table),
        cmocka_unit_test(test_invalid_utf8_and_large),
        cmocka_unit_test(test_random_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
