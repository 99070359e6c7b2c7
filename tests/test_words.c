/* tests/test_words.c - NLTK-exact words and sentences (core/words.c).
 *
 * Every expected output below is what NLTK 3.8 returns for the same bytes
 * (word_tokenize with an untrained Punkt model, then datatrove's
 * strip_strings; Punkt's sentences likewise), checked with the installed NLTK
 * when the case was written; invalid UTF-8 was given to NLTK as
 * surrogate-escaped characters, one per bad byte. Whole corpora are compared
 * by bench/words_diff.py; these pin the rules one at a time: clitics and the
 * contraction words, quotes of every kind, where a trailing period splits off,
 * what an untrained Punkt does with abbreviations and initials, numbers, URLs,
 * brackets, dashes, Unicode punctuation and spaces, empty and broken input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "words.h"

typedef struct wcase {
    const char *name, *text;
    size_t len;
    const char *words;    /* the tokens joined by single spaces */
    const char *sents[8]; /* NULL-terminated */
} wcase;

static const wcase cases[] = {
    {"contractions", "I don't think they'll come, but I'm sure we cannot wait.", 56,
     "I do n't think they 'll come , but I 'm sure we can not wait .",
     {"I don't think they'll come, but I'm sure we cannot wait.", NULL}},
    {"contractions2", "You're gonna love it; we've gotta go. Gimme that, lemme see! Wanna try?", 71,
     "You 're gon na love it ; we 've got ta go . Gim me that , lem me see ! Wan na try ?",
     {"You're gonna love it; we've gotta go.", "Gimme that, lemme see!", "Wanna try?", NULL}},
    {"contractions_caps", "I'M SURE HE'LL SAY IT DOESN'T WORK, AREN'T THEY? CANNOT.", 56,
     "I 'M SURE HE 'LL SAY IT DOES N'T WORK , ARE N'T THEY ? CAN NOT .",
     {"I'M SURE HE'LL SAY IT DOESN'T WORK, AREN'T THEY?", "CANNOT.", NULL}},
    {"tis", "'Tis true, and 'twas so. More'n enough, d'ye hear?", 50,
     "'T is true , and 't was so . More 'n enough , d 'ye hear ?",
     {"'Tis true, and 'twas so.", "More'n enough, d'ye hear?", NULL}},
    {"straight_quotes", "She said \"hello\" and left. 'Fine,' he replied, 'so be it.'", 58,
     "She said `` hello '' and left . 'Fine , ' he replied , 'so be it . '",
     {"She said \"hello\" and left.", "'Fine,' he replied, 'so be it.'", NULL}},
    {"curly_quotes", "\xe2\x80\x9cStop,\xe2\x80\x9d he said. \xe2\x80\x98""Fine\xe2\x80\x99 she replied. \xc2\xabOui\xc2\xbb and \xe2\x80\x9eja\xe2\x80\x9c.", 66,
     "\xe2\x80\x9c Stop , \xe2\x80\x9d he said . \xe2\x80\x98 Fine \xe2\x80\x99 she replied . \xc2\xab Oui \xc2\xbb and \xe2\x80\x9e ja \xe2\x80\x9c .",
     {"\xe2\x80\x9cStop,\xe2\x80\x9d he said.", "\xe2\x80\x98""Fine\xe2\x80\x99 she replied.", "\xc2\xabOui\xc2\xbb and \xe2\x80\x9eja\xe2\x80\x9c.", NULL}},
    {"backticks", "``Quoted'' text and ```triple``` here.", 38,
     "`` Quoted '' text and `` ` triple `` ` here .",
     {"``Quoted'' text and ```triple``` here.", NULL}},
    {"ellipsis", "Wait... what? Well.. fine! He paused . . . then spoke.", 54,
     "Wait ... what ? Well .. fine ! He paused . . . then spoke .",
     {"Wait... what?", "Well.. fine!", "He paused .", ".", ".", "then spoke.", NULL}},
    {"final_period", "The cat sat on the mat. It purred", 33,
     "The cat sat on the mat . It purred",
     {"The cat sat on the mat.", "It purred", NULL}},
    {"abbrev", "The U.S. has fifty states. Dr. Smith arrived at 5 p.m. today. Mr. Jones left.", 77,
     "The U.S . has fifty states . Dr . Smith arrived at 5 p.m . today . Mr . Jones left .",
     {"The U.S.", "has fifty states.", "Dr.", "Smith arrived at 5 p.m.", "today.", "Mr.", "Jones left.", NULL}},
    {"initials", "J. R. R. Tolkien wrote books. Call A. b. and see.", 49,
     "J. R. R. Tolkien wrote books . Call A. b. and see .",
     {"J. R. R. Tolkien wrote books.", "Call A. b. and see.", NULL}},
    {"numbers", "It costs $1,000.50 or 3.14 per item, about 1,234 items in 2.5 hours. Chapter 3. The end. Page 4. and more.", 106,
     "It costs $ 1,000.50 or 3.14 per item , about 1,234 items in 2.5 hours . Chapter 3 . The end . Page 4. and more .",
     {"It costs $1,000.50 or 3.14 per item, about 1,234 items in 2.5 hours.", "Chapter 3.", "The end.", "Page 4. and more.", NULL}},
    {"urls", "See https://example.org/a_b?x=1&y=2 for details. Mail me at someone@example.com.", 80,
     "See https : //example.org/a_b ? x=1 & y=2 for details . Mail me at someone @ example.com .",
     {"See https://example.org/a_b?x=1&y=2 for details.", "Mail me at someone@example.com.", NULL}},
    {"brackets", "(This is) a [test] {ok} <tag>. (Really.) Yes.", 45,
     "( This is ) a [ test ] { ok } < tag > . ( Really . ) Yes .",
     {"(This is) a [test] {ok} <tag>.", "(Really.)", "Yes.", NULL}},
    {"dashes", "Wait--no---stop -- now. Hyphen-ated words-- end.", 48,
     "Wait -- no -- -stop -- now . Hyphen-ated words -- end .",
     {"Wait--no---stop -- now.", "Hyphen-ated words-- end.", NULL}},
    {"unicode", "Caf\xc3\xa9 \xe2\x80\x94 d\xc3\xa9j\xc3\xa0 vu\xe2\x80\xa6 na\xc3\xafve? Yes! \xc3\x9cn\xc3\xaf""c\xc3\xb6""d\xc3\xa9 \xc3\xa7""a. \xc3\x89t\xc3\xa9.", 59,
     "Caf\xc3\xa9 \xe2\x80\x94 d\xc3\xa9j\xc3\xa0 vu\xe2\x80\xa6 na\xc3\xafve ? Yes ! \xc3\x9cn\xc3\xaf""c\xc3\xb6""d\xc3\xa9 \xc3\xa7""a . \xc3\x89t\xc3\xa9 .",
     {"Caf\xc3\xa9 \xe2\x80\x94 d\xc3\xa9j\xc3\xa0 vu\xe2\x80\xa6 na\xc3\xafve?", "Yes!", "\xc3\x9cn\xc3\xaf""c\xc3\xb6""d\xc3\xa9 \xc3\xa7""a.", "\xc3\x89t\xc3\xa9.", NULL}},
    {"unicode_spaces", "One.\xc2\xa0Two.\xe2\x80\x83Three four.\xe3\x80\x80""Five", 31,
     "One. Two . Three four . Five",
     {"One.\xc2\xa0Two.", "Three four.", "Five", NULL}},
    {"marks", "Really?! No way!!! OK. Why?? Because.", 37,
     "Really ? ! No way ! ! ! OK . Why ? ? Because .",
     {"Really?!", "No way!!!", "OK.", "Why??", "Because.", NULL}},
    {"realign", "He said \"Go.\" Then left. She asked (why?) and stayed.", 53,
     "He said `` Go . '' Then left . She asked ( why ? ) and stayed .",
     {"He said \"Go.\"", "Then left.", "She asked (why?)", "and stayed.", NULL}},
    {"colons", "Time 12:30, ratio 3:1, list a,b and c: done,", 44,
     "Time 12:30 , ratio 3:1 , list a , b and c : done ,",
     {"Time 12:30, ratio 3:1, list a,b and c: done,", NULL}},
    {"newlines", "  First line here.\n\nSecond paragraph starts.\nThird one  \n", 57,
     "First line here . Second paragraph starts . Third one",
     {"First line here.", "Second paragraph starts.", "Third one", NULL}},
    {"symbols", "50% of #tags & @users; cost*2 = $5.", 35,
     "50 % of # tags & @ users ; cost * 2 = $ 5 .",
     {"50% of #tags & @users; cost*2 = $5.", NULL}},
    {"empty", "", 0,
     "",
     {NULL}},
    {"spaces", " \n\t \xc2\xa0 ", 7,
     "",
     {NULL}},
    {"invalid", "ab\xff cd. \xc3(x) E\xe2\x80. Fin\xed\xa0\x80 ok", 27,
     "ab\xff cd . \xc3 ( x ) E\xe2\x80 . Fin\xed\xa0\x80 ok",
     {"ab\xff cd.", "\xc3(x) E\xe2\x80.", "Fin\xed\xa0\x80 ok", NULL}},
};

/* The words of ws joined by single spaces (no token holds a space). */
static char *joined(const chaff__words *ws)
{
    size_t total = 1;
    for (size_t i = 0; i < ws->n; i++)
        total += ws->w[i].len + 1;
    char *s = malloc(total), *p = s;
    assert_non_null(s);
    for (size_t i = 0; i < ws->n; i++) {
        if (i)
            *p++ = ' ';
        memcpy(p, ws->arena + ws->w[i].off, ws->w[i].len);
        p += ws->w[i].len;
    }
    *p = 0;
    return s;
}

static void check_case(chaff__words *ws, const wcase *c)
{
    assert_int_equal(chaff__words_split(ws, c->text, c->len), CHAFF_OK);
    char *got = joined(ws);
    if (strcmp(got, c->words))
        fail_msg("%s: words\n got:  [%s]\n want: [%s]", c->name, got, c->words);
    free(got);
    size_t k = 0;
    for (; c->sents[k]; k++) {
        if (k >= ws->nsent)
            fail_msg("%s: only %zu sentences", c->name, ws->nsent);
        const chaff__span *sp = &ws->sent[k];
        if (sp->len != strlen(c->sents[k]) || memcmp(c->text + sp->off, c->sents[k], sp->len))
            fail_msg("%s: sentence %zu is [%.*s], want [%s]", c->name, k, (int)sp->len,
                     c->text + sp->off, c->sents[k]);
    }
    assert_int_equal(ws->nsent, k);
    /* the sentence pass alone gives the same spans */
    chaff__words alone;
    chaff__words_init(&alone, NULL);
    assert_int_equal(chaff__words_sentences(&alone, c->text, c->len), CHAFF_OK);
    assert_int_equal(alone.nsent, ws->nsent);
    for (size_t i = 0; i < k; i++) {
        assert_int_equal(alone.sent[i].off, ws->sent[i].off);
        assert_int_equal(alone.sent[i].len, ws->sent[i].len);
    }
    chaff__words_free(&alone);
}

static void test_cases(void **state)
{
    (void)state;
    chaff__words ws;
    chaff__words_init(&ws, NULL);
    /* one object for all: each call must start from scratch */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&ws, &cases[i]);
    for (size_t i = sizeof cases / sizeof cases[0]; i-- > 0;)
        check_case(&ws, &cases[i]);
    chaff__words_free(&ws);
}

static const chaff__word *word_named(const chaff__words *ws, const char *w)
{
    for (size_t i = 0; i < ws->n; i++)
        if (ws->w[i].len == strlen(w) && !memcmp(ws->arena + ws->w[i].off, w, ws->w[i].len))
            return &ws->w[i];
    fail_msg("no word [%s]", w);
    return NULL;
}

/* cps is Python's len(): code points, and one per invalid byte */
static void test_code_points(void **state)
{
    (void)state;
    chaff__words ws;
    chaff__words_init(&ws, NULL);
    const char *t = "Na\xc3\xafve \xe2\x80\x9cq\xe2\x80\x9d \xf0\x9f\x98\x80x d\xc3\xa9j\xc3\xa0 ab\xff\xfe E\xe2\x80.";
    assert_int_equal(chaff__words_split(&ws, t, strlen(t)), CHAFF_OK);
    assert_int_equal(word_named(&ws, "Na\xc3\xafve")->cps, 5);
    assert_int_equal(word_named(&ws, "\xe2\x80\x9c")->cps, 1);
    assert_int_equal(word_named(&ws, "\xf0\x9f\x98\x80x")->cps, 2);
    assert_int_equal(word_named(&ws, "d\xc3\xa9j\xc3\xa0")->cps, 4);
    assert_int_equal(word_named(&ws, "ab\xff\xfe")->cps, 4);
    assert_int_equal(word_named(&ws, "E\xe2\x80")->cps, 3);
    chaff__words_free(&ws);
}

/* Byte offsets of stripped sentences: leading and trailing blanks excluded. */
static void test_spans(void **state)
{
    (void)state;
    chaff__words ws;
    chaff__words_init(&ws, NULL);
    const char *t = "  Hello there.  How are you?  ";
    assert_int_equal(chaff__words_sentences(&ws, t, strlen(t)), CHAFF_OK);
    assert_int_equal(ws.nsent, 2);
    assert_int_equal(ws.sent[0].off, 2);
    assert_int_equal(ws.sent[0].len, 12);
    assert_int_equal(ws.sent[1].off, 16);
    assert_int_equal(ws.sent[1].len, 12);
    chaff__words_free(&ws);
}

/* Long texts whose counts NLTK gives for any repeat count (checked at 1000):
 * "Go. " x N is N sentences of two words; "a. " x N one sentence ("a." is an
 * initial before a lowercase word) of N+1 words; "x!" x N + " Y" two sentences,
 * 2N+1 words. A quadratic step would not finish at this size. */
static void test_long_inputs(void **state)
{
    (void)state;
    const size_t N = 200000;
    static const struct { const char *unit, *tail; size_t sents, words_per, words_extra; } L[] = {
        {"Go. ", "", 0, 2, 0}, {"a. ", "", 1, 1, 1}, {"x!", " Y", 2, 2, 1},
    };
    chaff__words ws;
    chaff__words_init(&ws, NULL);
    for (size_t k = 0; k < sizeof L / sizeof L[0]; k++) {
        size_t u = strlen(L[k].unit), tl = strlen(L[k].tail);
        char *t = malloc(N * u + tl);
        assert_non_null(t);
        for (size_t i = 0; i < N; i++)
            memcpy(t + i * u, L[k].unit, u);
        memcpy(t + N * u, L[k].tail, tl);
        assert_int_equal(chaff__words_split(&ws, t, N * u + tl), CHAFF_OK);
        assert_int_equal(ws.nsent, L[k].sents ? L[k].sents : N);
        assert_int_equal(ws.n, N * L[k].words_per + L[k].words_extra);
        free(t);
    }
    chaff__words_free(&ws);
}

/* Random bytes, mostly the characters the rules look at: never a crash or an
 * out-of-bounds read (the sanitizer build runs this), spans inside the text,
 * in order, without surrounding blanks, and words that are not empty. */
static void test_random_bytes(void **state)
{
    (void)state;
    static const char alphabet[] = ".?!'\"`,:;-()[]{}<>*&$ \n\tabcXYZ019";
    static const char *multi[] = {"\xc2\xa0", "\xe2\x80\x9c", "\xe2\x80\x99", "\xc2\xbb",
                                  "\xff", "\xe2\x80", "\xc3", "\xed\xa0\x80", "\xc5\xbf"};
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    chaff__words ws;
    chaff__words_init(&ws, NULL);
    char buf[256];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 0, want = (size_t)(iter % 120);
        while (n < want) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            if (x % 8 == 0) {
                const char *m = multi[(x >> 8) % (sizeof multi / sizeof multi[0])];
                size_t ml = strlen(m);
                memcpy(buf + n, m, ml);
                n += ml;
            } else {
                buf[n++] = alphabet[(x >> 8) % (sizeof alphabet - 1)];
            }
        }
        /* exactly n bytes, so a read past the end is the sanitizer's to see */
        char *t = malloc(n ? n : 1);
        assert_non_null(t);
        memcpy(t, buf, n);
        assert_int_equal(chaff__words_split(&ws, t, n), CHAFF_OK);
        size_t prev_end = 0;
        for (size_t i = 0; i < ws.nsent; i++) {
            const chaff__span *sp = &ws.sent[i];
            assert_true(sp->len > 0 && sp->off >= prev_end && sp->off + sp->len <= n);
            assert_true(t[sp->off] != ' ' && t[sp->off + sp->len - 1] != ' ');
            prev_end = sp->off + sp->len;
        }
        for (size_t i = 0; i < ws.n; i++)
            assert_true(ws.w[i].len > 0 && ws.w[i].cps > 0 && ws.w[i].cps <= ws.w[i].len);
        free(t);
    }
    chaff__words_free(&ws);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_code_points),
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_long_inputs),
        cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
