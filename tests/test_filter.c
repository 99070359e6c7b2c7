/* tests/test_filter.c - the filter engine through the public API: presets and
 * their order, thresholds and rules files, rule numbering, verdicts that do not
 * depend on threads or on --explain, decontamination, rewriting, and running
 * out of memory. The presets' own rules are tested in test_filter_rules.c,
 * test_filter_synthetic.c and test_filter_degenerate.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chaff.h"
#include "failalloc.h"

/* Written for these tests: a page that passes every preset at its defaults. */
static const char GOOD[] =
    "The river rises in the hills to the north of the town and flows slowly to the sea.\n"
    "Farmers along its banks have grown barley and oats there for as long as anyone can "
    "remember.\n"
    "In the spring the water runs high with melted snow, and the old stone bridge is closed "
    "for a week or two.\n"
    "Children fish from the jetty in summer, and the ferry that crosses near the mill "
    "carries cyclists and their bicycles.\n"
    "Every autumn the council meets to decide whether the banks need repair before the "
    "winter storms arrive.\n"
    "Most years they agree that the work can wait, and the river goes on much as it did "
    "before.";
static const char SHORT[] = "Too short to keep.";
static const char REFUSAL[] = "I'm sorry, but I can't help with that request.";

static chaff_filter *make(const char *presets, unsigned threads)
{
    chaff_filter *f = NULL;
    char why[256];
    assert_int_equal(chaff_filter_new(&f, presets, threads, NULL, why, sizeof why), CHAFF_OK);
    return f;
}

static const char *judge(chaff_filter *f, const char *text)
{
    chaff_doc d = { text, strlen(text), 0 };
    chaff_filter_verdict v;
    assert_int_equal(chaff_filter_run(f, &d, 1, &v), CHAFF_OK);
    return v.rule < 0 ? "kept" : chaff_filter_rule_name(f, v.rule);
}

static void test_presets_and_order(void **state)
{
    (void)state;
    chaff_filter *f = make("gopher, synthetic", 1);
    assert_string_equal(chaff_filter_preset_on(f, 0), "gopher");
    assert_string_equal(chaff_filter_preset_on(f, 1), "synthetic");
    assert_null(chaff_filter_preset_on(f, 2));
    assert_string_equal(judge(f, GOOD), "kept");
    assert_string_equal(judge(f, SHORT), "gopher.short_doc");
    assert_string_equal(judge(f, REFUSAL), "gopher.short_doc"); /* gopher runs first */
    chaff_filter_free(f);
    f = make("synthetic,gopher,synthetic", 1); /* a repeat changes nothing */
    assert_string_equal(judge(f, REFUSAL), "synthetic.refusal");
    assert_null(chaff_filter_preset_on(f, 2));
    chaff_filter_free(f);

    char why[256] = "";
    assert_int_equal(chaff_filter_new(&f, "gopher,nope", 1, NULL, why, sizeof why), CHAFF_E_ARG);
    assert_null(f);
    assert_non_null(strstr(why, "unknown filter preset 'nope'"));
    assert_int_equal(chaff_filter_new(&f, "decontam", 1, NULL, why, sizeof why), CHAFF_E_ARG);
    assert_non_null(strstr(why, "--decontaminate"));
}

/* Rule numbers do not depend on what is on, and end with decontam. */
static void test_rule_numbers(void **state)
{
    (void)state;
    chaff_filter *a = make("gopher", 1), *b = make("degenerate,c4", 1);
    size_t n = chaff_filter_rule_count(a);
    assert_int_equal(n, chaff_filter_rule_count(b));
    for (size_t i = 0; i < n; i++)
        assert_string_equal(chaff_filter_rule_name(a, (int32_t)i),
                            chaff_filter_rule_name(b, (int32_t)i));
    assert_string_equal(chaff_filter_rule_name(a, (int32_t)n - 1), "decontam");
    assert_null(chaff_filter_rule_name(a, (int32_t)n));
    assert_null(chaff_filter_rule_name(a, -1));
    /* every parameter governs a rule that exists, and its default is in range */
    size_t np;
    const chaff_filter_param *p = chaff_filter_params(&np);
    assert_true(np > 40);
    for (size_t i = 0; i < np; i++) {
        int found = 0;
        for (size_t r = 0; r < n; r++)
            found |= !strcmp(p[i].rule, chaff_filter_rule_name(a, (int32_t)r));
        assert_true(found);
        assert_true(p[i].lo <= p[i].def && p[i].def <= p[i].hi);
        assert_non_null(p[i].source);
    }
    chaff_filter_free(a);
    chaff_filter_free(b);
}

static void test_set(void **state)
{
    (void)state;
    chaff_filter *f = make("gopher", 1);
    char why[256];
    assert_int_equal(chaff_filter_set(f, "gopher.min_doc_words", "4", why, sizeof why), CHAFF_OK);
    assert_string_equal(judge(f, SHORT), "gopher.few_stop_words");
    static const char *const bad[][3] = {
        { "gopher.min_doc_words", "", "is not a number" },
        { "gopher.min_doc_words", " ", "is not a number" },
        { "gopher.min_doc_words", "0x10", "is not a number" },
        { "gopher.min_doc_words", "inf", "is not a number" },
        { "gopher.min_doc_words", "4 ", "is not a number" },
        { "gopher.min_doc_words", "4.5", "is not a whole number" },
        { "gopher.max_bullet_lines_ratio", "1.01", "out of range (0..1)" },
        { "gopher.nothing", "1", "unknown filter parameter" },
        { "c4.min_num_sentences", "3", "preset 'c4' is not on" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why[0] = 0;
        assert_int_equal(chaff_filter_set(f, bad[i][0], bad[i][1], why, sizeof why),
                         CHAFF_E_ARG);
        if (!strstr(why, bad[i][2]))
            fail_msg("%s=%s: '%s' lacks '%s'", bad[i][0], bad[i][1], why, bad[i][2]);
    }
    /* refused values leave the last good one in place */
    double v;
    size_t np;
    const chaff_filter_param *p = chaff_filter_params(&np);
    for (size_t i = 0; i < np; i++)
        if (!strcmp(p[i].name, "gopher.min_doc_words")) {
            assert_int_equal(chaff_filter_param_value(f, i, &v), 1);
            assert_true(v == 4);
        } else if (!strncmp(p[i].name, "c4.", 3)) {
            assert_int_equal(chaff_filter_param_value(f, i, &v), 0);
        }
    chaff_filter_free(f);
}

static void test_rules_file(void **state)
{
    (void)state;
    chaff_filter *f = make("", 1);
    char why[256];
    static const char ok[] = "\xEF\xBB\xBF# a comment line\r\n"
                             "gopher.min_doc_words = 4   # before its preset: fine\r\n"
                             "\n"
                             "  filter = synthetic , gopher\n"
                             "gopher.min_stop_words=1";
    assert_int_equal(chaff_filter_load_rules(f, ok, sizeof ok - 1, "ok.rules", why, sizeof why),
                     CHAFF_OK);
    assert_string_equal(chaff_filter_preset_on(f, 0), "synthetic");
    assert_string_equal(chaff_filter_preset_on(f, 1), "gopher");
    assert_string_equal(judge(f, SHORT), "gopher.top_2_gram"); /* both thresholds took */
    chaff_filter_free(f);

    static const struct {
        const char *text, *why;
    } bad[] = {
        { "filter = gopher\ngopher.min_doc_words 3\n", "x.rules:2: expected 'name = value'" },
        { "filter = gopher\n\ngopher.min_doc_words = -1\n", "x.rules:3: gopher.min_doc_words:" },
        { "filter = gopher, nope\n", "x.rules:1: unknown filter preset 'nope'" },
        { "gopher.min_doc_words = 3\n", "x.rules:1: gopher.min_doc_words: preset 'gopher'" },
        { "filter = gopher\nx = 1\n", "x.rules:2: unknown filter parameter 'x'" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        f = make("", 1);
        why[0] = 0;
        assert_int_equal(chaff_filter_load_rules(f, bad[i].text, strlen(bad[i].text), "x.rules",
                                                 why, sizeof why),
                         CHAFF_E_ARG);
        if (strncmp(why, bad[i].why, strlen(bad[i].why)))
            fail_msg("case %zu: '%s' does not start with '%s'", i, why, bad[i].why);
        chaff_filter_free(f);
    }
    /* a NUL byte, and a line too long before its comment (a long comment is fine) */
    f = make("", 1);
    char buf[3000];
    memset(buf, ' ', sizeof buf);
    memcpy(buf, "filter = gopher #", 17);
    buf[sizeof buf - 1] = '\n';
    assert_int_equal(chaff_filter_load_rules(f, buf, sizeof buf, "x", why, sizeof why), CHAFF_OK);
    buf[0] = 'g';
    buf[16] = ' ';
    assert_int_equal(chaff_filter_load_rules(f, buf, sizeof buf, "x", why, sizeof why),
                     CHAFF_E_ARG);
    assert_non_null(strstr(why, "line too long"));
    assert_int_equal(chaff_filter_load_rules(f, "filter = c4\0x", 13, "x", why, sizeof why),
                     CHAFF_E_ARG);
    assert_non_null(strstr(why, "NUL"));
    chaff_filter_free(f);
}

/* Verdicts depend only on the texts: not on threads, batch or --explain. */
typedef struct seen {
    int n;
    int named_reason;
} seen;

static void count_stat(void *user, const char *name, double value)
{
    (void)value;
    seen *s = user;
    s->n++;
    s->named_reason |= !strcmp(name, "gopher.n_words");
}

static void test_threads_and_explain(void **state)
{
    (void)state;
    enum { N = 600 };
    static const char *const texts[] = { GOOD, SHORT, REFUSAL, "", "# # # # # #",
                                         "\xff\xfe broken \xc3" };
    chaff_doc *docs = calloc(N, sizeof *docs);
    chaff_filter_verdict *v1 = calloc(N, sizeof *v1), *v4 = calloc(N, sizeof *v4);
    assert_non_null(docs);
    assert_non_null(v1);
    assert_non_null(v4);
    for (size_t i = 0; i < N; i++) {
        const char *t = texts[(i * 7) % (sizeof texts / sizeof *texts)];
        docs[i] = (chaff_doc){ t, strlen(t), i };
    }
    const char *all = "gopher,c4,fineweb,synthetic,degenerate";
    chaff_filter *f1 = make(all, 1), *f4 = make(all, 4);
    assert_int_equal(chaff_filter_threads(f4), 4);
    assert_int_equal(chaff_filter_run(f1, docs, N, v1), CHAFF_OK);
    assert_int_equal(chaff_filter_run(f4, docs, N, v4), CHAFF_OK);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(v1[i].rule, v4[i].rule);
        assert_memory_equal(&v1[i].value, &v4[i].value, sizeof(double));
        seen s = { 0, 0 };
        chaff_filter_verdict e;
        assert_int_equal(chaff_filter_explain(f1, docs[i].text, docs[i].len, count_stat, &s, &e),
                         CHAFF_OK);
        assert_int_equal(e.rule, v1[i].rule);
        assert_true(s.n > 20 && s.named_reason);
    }
    chaff_filter_free(f1);
    chaff_filter_free(f4);
    free(docs);
    free(v1);
    free(v4);
}

static void test_phrases(void **state)
{
    (void)state;
    char why[256];
    chaff_filter *f = make("gopher", 1);
    assert_int_equal(chaff_filter_add_phrases(f, "river rises", 11, "p.txt", why, sizeof why),
                     CHAFF_E_ARG);
    assert_non_null(strstr(why, "synthetic"));
    chaff_filter_free(f);
    f = make("synthetic", 2);
    assert_int_equal(chaff_filter_add_phrases(f, "(river|stream) rises", 20, "p.txt", why,
                                              sizeof why),
                     CHAFF_OK);
    assert_int_equal(chaff_filter_add_phrases(f, "a (b", 4, "q.txt", why, sizeof why),
                     CHAFF_E_ARG);
    assert_int_equal(strncmp(why, "q.txt:1:", 8), 0);
    assert_string_equal(judge(f, GOOD), "synthetic.user");
    assert_string_equal(judge(f, REFUSAL), "synthetic.refusal");
    /* too late once records have been judged: said, not ignored */
    why[0] = 0;
    assert_int_equal(chaff_filter_add_phrases(f, "barley", 6, "late.txt", why, sizeof why),
                     CHAFF_E_ARG);
    assert_non_null(strstr(why, "before the first record"));
    chaff_filter_free(f);
}

static void test_decontam(void **state)
{
    (void)state;
    chaff_filter *f = make("", 2);
    assert_int_equal(chaff_filter_set_decontam_n(f, 0), CHAFF_E_ARG);
    assert_int_equal(chaff_filter_set_decontam_n(f, 5), CHAFF_OK);
    static const char ref[] = "in the spring THE water, runs high";
    assert_int_equal(chaff_filter_add_reference(f, ref, sizeof ref - 1, 42), CHAFF_OK);
    assert_int_equal(chaff_filter_set_decontam_n(f, 6), CHAFF_E_ARG); /* too late */
    chaff_doc d[2] = { { GOOD, sizeof GOOD - 1, 0 }, { SHORT, sizeof SHORT - 1, 1 } };
    chaff_filter_verdict v[2];
    assert_int_equal(chaff_filter_run(f, d, 2, v), CHAFF_OK);
    assert_string_equal(chaff_filter_rule_name(f, v[0].rule), "decontam");
    assert_int_equal(v[0].ref, 42);
    /* GOOD's words: "in the spring the water" starts at word 35 */
    assert_true(v[0].value == 35);
    assert_int_equal(v[1].rule, -1);
    chaff_filter_free(f);
}

static void test_rewrite(void **state)
{
    (void)state;
    chaff_filter *f = make("gopher,c4", 1);
    char why[256];
    assert_int_equal(chaff_filter_set(f, "c4.min_num_sentences", "2", why, sizeof why), CHAFF_OK);
    static const char page[] = "  First line of the page ends well.  \n"
                               "Click here now\n"
                               "We use cookies on this site.\n"
                               "Last line [3] with a citation removed.";
    const char *out;
    size_t n;
    assert_int_equal(chaff_filter_rewrite(f, page, sizeof page - 1, &out, &n), CHAFF_OK);
    static const char want[] = "First line of the page ends well.\n"
                               "Last line  with a citation removed.";
    assert_int_equal(n, sizeof want - 1);
    assert_memory_equal(out, want, n);
    chaff_filter_free(f);
    f = make("gopher", 1); /* no preset that rewrites: the text itself */
    assert_int_equal(chaff_filter_rewrite(f, page, sizeof page - 1, &out, &n), CHAFF_OK);
    assert_ptr_equal(out, page);
    chaff_filter_free(f);
}

/* Every allocation may fail: each failure comes back as CHAFF_E_NOMEM, a
 * retry with memory gives the right verdicts, and nothing leaks (LSan). */
static void test_out_of_memory(void **state)
{
    (void)state;
    chaff_doc d[3] = { { GOOD, sizeof GOOD - 1, 0 }, { REFUSAL, sizeof REFUSAL - 1, 1 },
                       { SHORT, sizeof SHORT - 1, 2 } };
    int done = 0;
    /* every cut point at first, then fewer: the phrase automaton alone makes
     * thousands of allocations */
    for (long cut = 0; !done; cut = cut < 300 ? cut + 1 : cut / 16 * 32) {
        failing fl = { cut };
        chaff_allocator a = { failing_fn, &fl };
        chaff_filter *f = NULL;
        char why[256];
        chaff_status st = chaff_filter_new(&f, "synthetic,c4", 2, &a, why, sizeof why);
        if (st) {
            assert_int_equal(st, CHAFF_E_NOMEM);
            continue;
        }
        st = chaff_filter_add_phrases(f, "stone bridge", 12, "p", why, sizeof why);
        if (!st)
            st = chaff_filter_add_reference(f, SHORT, sizeof SHORT - 1, 7);
        if (st) { /* the configuration never got in: nothing to judge with */
            assert_int_equal(st, CHAFF_E_NOMEM);
            chaff_filter_free(f);
            continue;
        }
        chaff_filter_verdict v[3];
        st = chaff_filter_run(f, d, 3, v);
        if (st == CHAFF_OK) {
            done = 1;
        } else {
            assert_int_equal(st, CHAFF_E_NOMEM);
            if (cut % 16) { /* a retry builds all the phrases: not at every cut */
                chaff_filter_free(f);
                continue;
            }
            fl.left = 1L << 40; /* the retry has memory, and must judge right */
            assert_int_equal(chaff_filter_run(f, d, 3, v), CHAFF_OK);
        }
        assert_string_equal(chaff_filter_rule_name(f, v[0].rule), "synthetic.user");
        assert_string_equal(chaff_filter_rule_name(f, v[1].rule), "synthetic.refusal");
        assert_string_equal(chaff_filter_rule_name(f, v[2].rule), "c4.too_few_sentences");
        chaff_filter_free(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presets_and_order),
        cmocka_unit_test(test_rule_numbers),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_rules_file),
        cmocka_unit_test(test_threads_and_explain),
        cmocka_unit_test(test_phrases),
        cmocka_unit_test(test_decontam),
        cmocka_unit_test(test_rewrite),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
