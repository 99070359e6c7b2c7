/* tests/test_filter_synthetic.c - the phrase matcher and the synthetic preset.
 *
 * Small hand-made sets pin what a match is: case, whitespace and line wraps,
 * curly quotes, alternatives, optional words, word edges, '^', overlaps, matches
 * at the very start and end, invalid UTF-8; and what a bad pattern file says,
 * with its line number. Then the bundled list is measured on labelled text:
 * tests/data/synthetic_labelled.txt (our own positives, a held-out group of
 * paraphrases, our own news/fiction negatives) plus, as more negatives, every
 * record of the Debian-docs corpus (scripts/make-corpus.sh, rebuilt at test time
 * because we may not commit it) that contains a word the phrases are made of.
 * Asserted: recall >= 0.9 on the listed positives and on the held-out ones,
 * precision >= 0.99 over all of it. The scan speed is printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>    /* printf, snprintf, fopen */
#include <stdlib.h>   /* getenv, system, malloc */
#include <string.h>
#include <strings.h>  /* strncasecmp: the corpus selection rule */
#include <time.h>     /* clock_gettime: the speed printed */
#include <unistd.h>   /* unlink */

#include "filter_synthetic.h"
#include "phrases.h"
#include "corpus.h"
#include "failalloc.h"

static const char *const R2[] = {"t.a", "t.b"};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A compiled set of src with reasons t.a (default) and t.b. */
static chaff__phrases *set_of(const char *src)
{
    chaff__phrases *ps;
    char why[256];
    assert_int_equal(chaff__phrases_new(&ps, NULL, R2, 2), CHAFF_OK);
    chaff_status st = chaff__phrases_add(ps, src, strlen(src), "t", 0, why, sizeof why);
    if (st != CHAFF_OK)
        fail_msg("%s", why);
    assert_int_equal(chaff__phrases_compile(ps), CHAFF_OK);
    return ps;
}

typedef struct found {
    size_t total, per[8];   /* room for the synthetic set's reasons too */
    const char *first[8];
} found;

static found scan_n(const chaff__phrases *ps, const char *text, size_t len)
{
    found f;
    chaff__phrase_scratch sc = {0};
    chaff__phrase_hits h = {0, f.per, f.first, 0};
    /* an exact-size copy, so that a read past the end shows under ASan */
    char *copy = calloc(1, len ? len : 1);
    memcpy(copy, text, len);
    assert_int_equal(chaff__phrases_scan(ps, copy, len, NULL, &sc, &h), CHAFF_OK);
    free(copy);
    chaff__phrase_scratch_free(NULL, &sc);
    f.total = h.total;
    return f;
}

static size_t hits(const chaff__phrases *ps, const char *text)
{
    return scan_n(ps, text, strlen(text)).total;
}

static void test_normalise(void **state)
{
    (void)state;
    char out[128];
    const char *in = "  I\xe2\x80\x99M\t\tSORRY,\r\n  \xe2\x80\x9c" "Fine\xe2\x80\x9d\xc2\xa0\xc3\x89T\xc3\x89 \xff! ";
    size_t n = chaff__phrases_normalise(in, strlen(in), out);
    assert_string_equal(out, "i'm sorry,\n\"fine\" \xc3\xa9t\xc3\xa9 \x1a!");
    assert_int_equal(n, strlen("i'm sorry,\n\"fine\" \xc3\xa9t\xc3\xa9 \x1a!"));
    assert_int_equal(chaff__phrases_normalise("", 0, out), 0);
    assert_int_equal(chaff__phrases_normalise(" \n\t", 3, out), 0);
    /* zero-width characters vanish: a soft hyphen cannot hide a phrase */
    n = chaff__phrases_normalise("as an a\xc2\xadi", 10, out);
    assert_string_equal(out, "as an ai");
}

static void test_case_space_quotes(void **state)
{
    (void)state;
    chaff__phrases *ps = set_of("i'm sorry, but i cannot\n\"sure\" thing\n");
    assert_int_equal(hits(ps, "I'M SORRY, BUT I CANNOT"), 1);
    assert_int_equal(hits(ps, "Well, I\xe2\x80\x99m  sorry,\n   but I\n cannot do it."), 1);
    assert_int_equal(hits(ps, "I am sorry, but I cannot"), 0);
    assert_int_equal(hits(ps, "\xe2\x80\x9cSure\xe2\x80\x9d thing"), 1);
    assert_int_equal(hits(ps, "I'm sorry but I cannot"), 0);      /* the comma matters */
    assert_int_equal(hits(ps, "I'm sorry, but I cannotice"), 0);  /* word edge */
    assert_int_equal(chaff__phrases_count(ps), 2);
    chaff__phrases_free(ps);
}

static void test_alternatives_optional(void **state)
{
    (void)state;
    chaff__phrases *ps = set_of("can(not|'t) go\ni [really|truly] (do|did) care\n"
                                "@t.b\nnested (a [b] c|d)\n");
    assert_int_equal(chaff__phrases_count(ps), 2 + 3 * 2 + 3);
    assert_int_equal(hits(ps, "I cannot go"), 1);
    assert_int_equal(hits(ps, "I can't go"), 1);
    assert_int_equal(hits(ps, "I can go"), 0);
    assert_int_equal(hits(ps, "I can not go"), 0);
    assert_int_equal(hits(ps, "I care"), 0);
    assert_int_equal(hits(ps, "i do care"), 1);
    assert_int_equal(hits(ps, "i truly did care"), 1);
    assert_int_equal(hits(ps, "i really truly did care"), 0);
    chaff__phrases *ct = set_of("i (am|'m) sure\n(you|they) ('re|are) here\n");
    assert_int_equal(chaff__phrases_count(ct), 6);
    assert_int_equal(hits(ct, "I'm sure"), 1);
    assert_int_equal(hits(ct, "i am sure"), 1);
    assert_int_equal(hits(ct, "i 'm sure"), 0);
    assert_int_equal(hits(ct, "they're here"), 1);
    chaff__phrases_free(ct);
    found f = scan_n(ps, "nested a c, nested a b c, nested d", 35);
    assert_int_equal(f.total, 3);
    assert_int_equal(f.per[0], 0);
    assert_int_equal(f.per[1], 3);
    assert_string_equal(f.first[1], "nested (a [b] c|d)");
    assert_null(f.first[0]);
    chaff__phrases_free(ps);
}

static void test_word_edges_and_ends(void **state)
{
    (void)state;
    chaff__phrases *ps = set_of("as an ai\nsorry!\n");
    assert_int_equal(hits(ps, "as an ai"), 1);                /* the whole text */
    assert_int_equal(hits(ps, "As an AI, I think"), 1);       /* at the start */
    assert_int_equal(hits(ps, "I speak as an AI"), 1);        /* at the end */
    assert_int_equal(hits(ps, "as an aide"), 0);
    assert_int_equal(hits(ps, "has an ai"), 0);
    assert_int_equal(hits(ps, "as an ai2"), 0);
    assert_int_equal(hits(ps, "as an ai\xc3\xa9"), 0);        /* a non-ASCII letter is a letter */
    assert_int_equal(hits(ps, "(as an ai)"), 1);
    /* a phrase ending in punctuation needs no edge after it */
    assert_int_equal(hits(ps, "sorry!!"), 1);
    assert_int_equal(hits(ps, "sorry!ok"), 1);
    assert_int_equal(hits(ps, "notsorry!"), 0);
    chaff__phrases_free(ps);
}

static void test_anchor(void **state)
{
    (void)state;
    chaff__phrases *ps = set_of("^sure! here\n");
    assert_int_equal(hits(ps, "Sure! Here you go"), 1);
    assert_int_equal(hits(ps, "   Sure! Here you go"), 1);    /* leading blanks dropped */
    assert_int_equal(hits(ps, "Hi.\n  Sure! Here you go"), 1); /* start of a line */
    assert_int_equal(hits(ps, "I said sure! here you go"), 0);
    assert_int_equal(hits(ps, "I said\tsure! here"), 0);
    chaff__phrases_free(ps);
    /* the same phrase unanchored too: it then matches anywhere */
    ps = set_of("^sure! here\nsure! here\n");
    assert_int_equal(chaff__phrases_count(ps), 2);
    assert_int_equal(hits(ps, "I said sure! here you go"), 1);
    chaff__phrases_free(ps);
}

static void test_overlaps(void **state)
{
    (void)state;
    chaff__phrases *ps = set_of("i can't\n@t.b\ni'm sorry, but i can't\na b c\nc d e\n");
    /* the longer phrase around the shorter one replaces it */
    found f = scan_n(ps, "I'm sorry, but I can't.", 23);
    assert_int_equal(f.total, 1);
    assert_int_equal(f.per[0], 0);
    assert_int_equal(f.per[1], 1);
    assert_string_equal(f.first[1], "i'm sorry, but i can't");
    /* separate ones each count */
    f = scan_n(ps, "I can't. I can't. I'm sorry, but I can't", 40);
    assert_int_equal(f.total, 3);
    assert_int_equal(f.per[0], 2);
    assert_int_equal(f.per[1], 1);
    /* a partial overlap counts once */
    assert_int_equal(hits(ps, "a b c d e"), 1);
    assert_int_equal(hits(ps, "a b c c d e"), 2);
    chaff__phrases_free(ps);
    /* a phrase inside a longer one that does not match here still matches */
    ps = set_of("as an ai\nas an ai language model\n");
    assert_int_equal(hits(ps, "as an ai language"), 1);
    assert_int_equal(hits(ps, "as an ai language model"), 1);
    chaff__phrases_free(ps);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    chaff__phrases *ps = set_of("i can't\ncaf\xc3\xa9 au lait\n");
    assert_int_equal(hits(ps, "i can\xff't"), 0);
    assert_int_equal(hits(ps, "\xff\xfei can't\xc3"), 1);
    assert_int_equal(hits(ps, "caf\xc3 au lait"), 0);           /* truncated é */
    assert_int_equal(hits(ps, "CAF\xc3\x89 AU LAIT"), 1);       /* É lowercased */
    assert_int_equal(hits(ps, "caf\xe9 au lait"), 0);           /* Latin-1 é is not é */
    assert_int_equal(scan_n(ps, "\xc3", 1).total, 0);
    assert_int_equal(scan_n(ps, "\xf0\x9f", 2).total, 0);
    assert_int_equal(scan_n(ps, "", 0).total, 0);
    chaff__phrases_free(ps);
}

typedef struct bad_case {
    const char *src, *why;
} bad_case;

static void test_parse_errors(void **state)
{
    (void)state;
    static const bad_case bad[] = {
        {"ok\n(x|y\n", "t:2: '(' is never closed"},
        {"x)\n", "t:1: ')' without '('"},
        {"# c\n[x y\n", "t:2: '[' is never closed"},
        {"[x y)\n", "t:1: '[' is never closed"},
        {"x]\n", "t:1: ']' without '['"},
        {"a|b\n", "t:1: '|' outside ( ) or [ ]"},
        {"# c\n\n   [x]\n", "t:3: pattern can match empty text"},
        {"(a|)\n", "t:1: pattern can match empty text"},
        {"ok\n@t.c\nx\n", "t:2: unknown reason 't.c' (known: t.a, t.b)"},
        {"a ^b\n", "t:1: '^' may only start a pattern"},
        {"x\\\n", "t:1: '\\' at the end of the line"},
        {"ok\n\xff\n", "t:2: invalid UTF-8"},
        {"x\n(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)\n",
         "t:2: expands to too many phrases (more than 4096)"},
        {"((((((((((((((((((x))))))))))))))))))\n", "t:1: groups nested too deeply"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        chaff__phrases *ps;
        char why[256];
        assert_int_equal(chaff__phrases_new(&ps, NULL, R2, 2), CHAFF_OK);
        assert_int_equal(chaff__phrases_add(ps, "kept", 4, "u", 0, why, sizeof why), CHAFF_OK);
        chaff_status st = chaff__phrases_add(ps, bad[i].src, strlen(bad[i].src), "t", 0,
                                             why, sizeof why);
        if (st != CHAFF_E_ARG || strcmp(why, bad[i].why) != 0)
            fail_msg("case %zu: status %d, why '%s', expected '%s'", i, (int)st, why, bad[i].why);
        /* nothing of the failed source stays; the earlier one does */
        assert_int_equal(chaff__phrases_count(ps), 1);
        assert_int_equal(chaff__phrases_compile(ps), CHAFF_OK);
        assert_int_equal(hits(ps, "kept ok x"), 1);
        chaff__phrases_free(ps);
    }
    /* escapes make the special characters literal */
    chaff__phrases *ps = set_of("\\(a\\|b\\) \\[c\\] \\^ \\# \\\\\n");
    assert_int_equal(hits(ps, "(a|b) [c] ^ # \\"), 1);
    chaff__phrases_free(ps);
    /* a small why buffer is cut, not overrun */
    char small[8];
    assert_int_equal(chaff__phrases_new(&ps, NULL, R2, 2), CHAFF_OK);
    assert_int_equal(chaff__phrases_add(ps, "x)", 2, "file", 0, small, sizeof small), CHAFF_E_ARG);
    assert_string_equal(small, "file:1:");
    chaff__phrases_free(ps);
}

static void test_phrase_files(void **state)
{
    (void)state;
    char path[] = "/tmp/chaff-phrases-XXXXXX", why[512], want[600];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# user list\nmy secret phrase\n@synthetic.boilerplate\nhave a (nice|good) day\n", f);
    fclose(f);
    chaff__phrases *ps;
    const char *files[1] = {path};
    assert_int_equal(chaff__synthetic_phrases(&ps, NULL, 1, files, 1, why, sizeof why), CHAFF_OK);
    assert_int_equal(chaff__phrases_count(ps), 3);
    chaff__fwork w;
    memset(&w, 0, sizeof w);
    w.alloc = chaff__allocator(NULL);
    assert_int_equal(chaff__synthetic_use(&w, ps), CHAFF_OK);
    const chaff__preset *P = &chaff__preset_synthetic;
    double p[CHAFF__SYN_NREASONS];
    for (size_t i = 0; i < P->nparams; i++)
        p[i] = P->params[i].def;
    chaff__fresult r;
    const char *t = "This is my SECRET phrase.";
    assert_int_equal(P->eval(p, t, strlen(t), &w, NULL, NULL, &r), CHAFF_OK);
    assert_int_equal(r.rule, CHAFF__SYN_USER);
    assert_string_equal(P->rules[r.rule], "synthetic.user");
    assert_string_equal(r.detail, "my secret phrase");
    t = "Have a nice day!";
    assert_int_equal(P->eval(p, t, strlen(t), &w, NULL, NULL, &r), CHAFF_OK);
    assert_int_equal(r.rule, CHAFF__SYN_BOILERPLATE);
    /* without the bundled list, a bundled phrase passes */
    t = "As an AI language model, I cannot.";
    assert_int_equal(P->eval(p, t, strlen(t), &w, NULL, NULL, &r), CHAFF_OK);
    assert_int_equal(r.rule, -1);
    w.slot_free[3](&w.alloc, w.slot[3]);
    chaff__phrases_free(ps);

    /* an error names the file and the line */
    f = fopen(path, "w");
    fputs("fine\n\n(broken\n", f);
    fclose(f);
    assert_int_equal(chaff__synthetic_phrases(&ps, NULL, 0, files, 1, why, sizeof why), CHAFF_E_ARG);
    assert_null(ps);
    snprintf(want, sizeof want, "%s:3: '(' is never closed", path);
    assert_string_equal(why, want);
    unlink(path);
    assert_int_equal(chaff__synthetic_phrases(&ps, NULL, 0, files, 1, why, sizeof why), CHAFF_E_IO);
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    assert_string_equal(why, want);
}

typedef struct ex_log {
    int n;
    double matches, refusals;
} ex_log;

static void ex_fn(void *u, const char *name, double v)
{
    ex_log *l = u;
    l->n++;
    if (!strcmp(name, "synthetic.matches"))
        l->matches = v;
    if (!strcmp(name, "synthetic.refusals"))
        l->refusals = v;
}

static void test_preset_thresholds(void **state)
{
    (void)state;
    const chaff__preset *P = &chaff__preset_synthetic;
    assert_string_equal(P->name, "synthetic");
    assert_int_equal(P->nrules, CHAFF__SYN_NREASONS);
    assert_int_equal(P->nparams, CHAFF__SYN_NREASONS);
    for (size_t i = 0; i < P->nparams; i++)
        assert_string_equal(P->params[i].rule, P->rules[i]);
    chaff__fwork w;
    memset(&w, 0, sizeof w);
    w.alloc = chaff__allocator(NULL);
    double p[CHAFF__SYN_NREASONS];
    for (size_t i = 0; i < P->nparams; i++)
        p[i] = P->params[i].def;
    chaff__fresult r;
    const char *t = "I'm sorry, but I can't help with that. As an AI language model, I "
                    "must decline. I cannot fulfill this request.";
    ex_log lg = {0};
    assert_int_equal(P->eval(p, t, strlen(t), &w, ex_fn, &lg, &r), CHAFF_OK);
    assert_int_equal(r.rule, CHAFF__SYN_REFUSAL);
    assert_true(r.value == 2);
    assert_non_null(r.detail);
    assert_int_equal(lg.n, CHAFF__SYN_NREASONS + 1);
    assert_true(lg.refusals == 2 && lg.matches == 3);
    /* at, below and above the refusal minimum */
    p[CHAFF__SYN_REFUSAL] = 2;
    assert_int_equal(P->eval(p, t, strlen(t), &w, NULL, NULL, &r), CHAFF_OK);
    assert_int_equal(r.rule, CHAFF__SYN_REFUSAL);
    p[CHAFF__SYN_REFUSAL] = 3;
    assert_int_equal(P->eval(p, t, strlen(t), &w, NULL, NULL, &r), CHAFF_OK);
    assert_int_equal(r.rule, CHAFF__SYN_AI_DISCLAIMER);
    assert_true(r.value == 1);
    p[CHAFF__SYN_AI_DISCLAIMER] = 0;  /* off */
    assert_int_equal(P->eval(p, t, strlen(t), &w, NULL, NULL, &r), CHAFF_OK);
    assert_int_equal(r.rule, -1);
    assert_null(r.detail);
    t = "Plain text about gardening.";
    p[CHAFF__SYN_REFUSAL] = 1;
    assert_int_equal(P->eval(p, t, strlen(t), &w, NULL, NULL, &r), CHAFF_OK);
    assert_int_equal(r.rule, -1);
    assert_int_equal(P->eval(p, "", 0, &w, NULL, NULL, &r), CHAFF_OK);
    assert_int_equal(r.rule, -1);
    w.slot_free[3](&w.alloc, w.slot[3]);
}

/* ---- the labelled measurement ------------------------------------------------ */

static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)sz + 1);
    *n = fread(b, 1, (size_t)sz, f);
    b[*n] = '\0';
    fclose(f);
    return b;
}

/* The corpus selection rule: a record is a hard negative when it holds one of
 * the words the phrases are built from. */
static int has_trigger(const char *t, size_t n)
{
    static const char *const words[] = {
        "i cannot", "i can't", "sorry", "as an ai", "i hope", "certainly", "language model",
        "apologi", "unable to", "knowledge", "feel free", "assist", "of course", "as a ",
        "i'm not", "i am not", "i don't have", "decline", "request", "question!",
    };
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
            size_t m = strlen(words[k]);
            if (i + m <= n && !strncasecmp(t + i, words[k], m))
                return 1;
        }
    return 0;
}

static void test_labelled(void **state)
{
    (void)state;
    char path[4096], cpath[4096], why[256], srcbuf[4096];
    const char *src = corpus_source_dir(srcbuf, sizeof srcbuf);
    snprintf(path, sizeof path, "%s/tests/data/synthetic_labelled.txt", src);
    size_t n;
    char *data = read_all(path, &n);
    if (!data)
        fail_msg("cannot read %s", path);
    chaff__phrases *ps;
    if (chaff__synthetic_phrases(&ps, NULL, 0, NULL, 0, why, sizeof why) != CHAFF_OK)
        fail_msg("bundled list: %s", why);
    printf("bundled list: %zu phrases\n", chaff__phrases_count(ps));

    size_t tp = 0, fn = 0, tph = 0, fnh = 0, tpd = 0, fnd = 0, fp_own = 0, neg_own = 0;
    char *p = data;
    while ((p = strstr(p, "%% ")) != NULL) {
        if (p != data && p[-1] != '\n') {
            p += 3;
            continue;
        }
        char *eol = strchr(p, '\n');
        if (!eol)
            break;
        int pos = !strncmp(p, "%% pos", 6), held = !strncmp(p, "%% pos heldout", 14);
        int dev = !strncmp(p, "%% pos dev", 10);
        char *body = eol + 1, *next = strstr(body, "\n%% ");
        size_t len = next ? (size_t)(next - body) : strlen(body);
        found f = scan_n(ps, body, len);
        if (pos && dev) {
            f.total ? tpd++ : fnd++;
            if (!f.total)
                printf("  missed dev: %.*s\n", (int)len, body);
        } else if (pos && held) {
            f.total ? tph++ : fnh++;
            if (!f.total)
                printf("  missed held-out: %.*s\n", (int)len, body);
        } else if (pos) {
            f.total ? tp++ : fn++;
            if (!f.total)
                printf("  missed: %.*s\n", (int)len, body);
        } else {
            neg_own++;
            if (f.total) {
                fp_own++;
                printf("  false positive: %.*s\n", (int)len, body);
            }
        }
        p = next ? next + 1 : body + len;
    }
    free(data);

    /* the Debian-docs corpus: test_quality's copy when it exists, else our own */
    char err[512];
    if (corpus_debian(cpath, sizeof cpath, err, sizeof err))
        fail_msg("%s", err);
    corpus c;
    if (corpus_load(&c, cpath, "text", 0, err, sizeof err) != 0)
        fail_msg("%s", err);
    size_t neg_corpus = 0, fp_corpus = 0, bytes = 0;
    chaff__phrase_scratch sc = {0};
    size_t per[CHAFF__SYN_NREASONS];
    const char *first[CHAFF__SYN_NREASONS];
    double t0 = now();
    for (size_t i = 0; i < c.n; i++) {
        chaff__phrase_hits h = {0, per, first, 0};
        assert_int_equal(chaff__phrases_scan(ps, c.text[i], c.len[i], NULL, &sc, &h), CHAFF_OK);
        bytes += c.len[i];
        if (!has_trigger(c.text[i], c.len[i]))
            continue;
        neg_corpus++;
        if (h.total) {
            fp_corpus++;
            for (size_t r = 0; r < CHAFF__SYN_NREASONS; r++)
                if (first[r])
                    printf("  corpus false positive %zu (%s): %.200s\n", i, first[r], c.text[i]);
        }
    }
    double secs = now() - t0;
    /* the selection loop above is part of the time; measure the scan alone too */
    t0 = now();
    for (size_t i = 0; i < c.n; i++) {
        chaff__phrase_hits h = {0, per, first, 0};
        chaff__phrases_scan(ps, c.text[i], c.len[i], NULL, &sc, &h);
    }
    double scan_secs = now() - t0;
    (void)secs;
    chaff__phrase_scratch_free(NULL, &sc);
    size_t corpus_n = c.n;
    corpus_free(&c);
    chaff__phrases_free(ps);

    double recall = (double)tp / (double)(tp + fn);
    double recall_h = (double)tph / (double)(tph + fnh);
    double recall_d = (double)tpd / (double)(tpd + fnd);
    double fp = (double)(fp_own + fp_corpus);
    double precision = (double)(tp + tph + tpd) / ((double)(tp + tph + tpd) + fp);
    printf("positives %zu: recall %.3f; dev %zu: recall %.3f; held-out %zu: recall %.3f\n",
           tp + fn, recall, tpd + fnd, recall_d, tph + fnh, recall_h);
    printf("negatives: own %zu (%zu matched), corpus %zu of %zu records (%zu matched); "
           "precision %.4f\n", neg_own, fp_own, neg_corpus, corpus_n, fp_corpus, precision);
    printf("scan speed: %.1f MB/s one thread (%zu bytes)\n", (double)bytes / 1e6 / scan_secs,
           bytes);
    assert_true(tp + fn >= 150);
    assert_true(tph + fnh >= 30);
    assert_true(neg_own >= 50);
    assert_true(neg_corpus >= 1000);
    assert_true(recall >= 0.9);
    assert_true(recall_h >= 0.9);
    assert_true(recall_d >= 0.9);
    assert_true(precision >= 0.99);
}

/* Random bytes (a seeded mix of phrase pieces, ASCII, UTF-8 and junk) never crash
 * the scan or read outside the text (ASan), and a 4 MB text takes one pass. */
static void test_random_and_large(void **state)
{
    (void)state;
    chaff__phrases *ps;
    char why[256];
    assert_int_equal(chaff__synthetic_phrases(&ps, NULL, 0, NULL, 0, why, sizeof why), CHAFF_OK);
    static const char *const pieces[] = {
        "i'm sorry, but ", "I can", "'t ", "as an ", "AI", " language model", "\xe2\x80\x99",
        "\xff", "\xc3", "\xc3\xa9", " ", "\n", "certainly! here", "\xf0\x9f\x98\x80", "x",
    };
    const char *env = getenv("CHAFF_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 20261123;
    printf("seed %llu (CHAFF_TEST_SEED)\n", (unsigned long long)seed);
    char buf[600];
    for (int it = 0; it < 3000; it++) {
        size_t n = 0;
        while (n < 500) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            uint32_t r = (uint32_t)(seed >> 33);
            if (r % 4 == 0) {
                buf[n++] = (char)(r >> 8);
            } else {
                const char *p = pieces[(r >> 8) % (sizeof pieces / sizeof *pieces)];
                size_t m = strlen(p);
                memcpy(buf + n, p, m);
                n += m;
            }
            if ((r >> 20) % 50 == 0)
                break;
        }
        found f = scan_n(ps, buf, n);
        assert_true(f.total <= n);
    }
    size_t big = 4u << 20;
    char *t = malloc(big);
    for (size_t i = 0; i < big; i++)
        t[i] = "I cannot fulfill that request. "[i % 31];
    double t0 = now();
    found f = scan_n(ps, t, big);
    printf("4 MB text: %zu matches in %.3f s\n", f.total, now() - t0);
    assert_int_equal(f.total, big / 31 + (big % 31 >= 29));
    free(t);
    chaff__phrases_free(ps);
}

/* An allocator that fails from the n-th allocation on. */

/* Every allocation failure comes back as CHAFF_E_NOMEM, with nothing leaked
 * (LSan checks at exit) and the set still usable after a failed add. */
static void test_out_of_memory(void **state)
{
    (void)state;
    const char *src = "a (b|c) [d]\n@t.b\n^e f\nfile pattern\n";
    int ok = 0;
    for (long n = 0; n < 400 && !ok; n++) {
        failing f = {n};
        chaff_allocator a = {failing_fn, &f};
        chaff__phrases *ps;
        char why[128];
        chaff_status st = chaff__phrases_new(&ps, &a, R2, 2);
        if (st != CHAFF_OK) {
            assert_int_equal(st, CHAFF_E_NOMEM);
            continue;
        }
        st = chaff__phrases_add(ps, src, strlen(src), "t", 0, why, sizeof why);
        if (st == CHAFF_OK)
            st = chaff__phrases_compile(ps);
        if (st == CHAFF_OK) {
            size_t per[2];
            const char *first[2];
            chaff__phrase_scratch sc = {0};
            chaff__phrase_hits h = {0, per, first, 0};
            st = chaff__phrases_scan(ps, "A  C D,\ne f", 11, &a, &sc, &h);
            if (st == CHAFF_OK) {
                assert_int_equal(h.total, 2);
                ok = 1;
            }
            chaff__phrase_scratch_free(&a, &sc);
        }
        if (!ok)
            assert_int_equal(st, CHAFF_E_NOMEM);
        chaff__phrases_free(ps);
    }
    assert_true(ok);
    /* the preset itself: the bundled list compiled on first use */
    ok = 0;
    for (long n = 0; n < 200000 && !ok; n = n < 64 ? n + 1 : n * 3 / 2) {
        failing f = {n};
        chaff__fwork w;
        memset(&w, 0, sizeof w);
        w.alloc.fn = failing_fn;
        w.alloc.opaque = &f;
        double p[CHAFF__SYN_NREASONS];
        for (size_t i = 0; i < chaff__preset_synthetic.nparams; i++)
            p[i] = chaff__preset_synthetic.params[i].def;
        chaff__fresult r;
        chaff_status st = chaff__preset_synthetic.eval(p, "As an AI language model, no.", 28,
                                                       &w, NULL, NULL, &r);
        if (st == CHAFF_OK) {
            assert_int_equal(r.rule, CHAFF__SYN_AI_DISCLAIMER);
            ok = 1;
        } else {
            assert_int_equal(st, CHAFF_E_NOMEM);
        }
        if (w.slot[3])
            w.slot_free[3](&w.alloc, w.slot[3]);
    }
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_case_space_quotes),
        cmocka_unit_test(test_alternatives_optional),
        cmocka_unit_test(test_word_edges_and_ends),
        cmocka_unit_test(test_anchor),
        cmocka_unit_test(test_overlaps),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_phrase_files),
        cmocka_unit_test(test_preset_thresholds),
        cmocka_unit_test(test_random_and_large),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_labelled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
