/* tests/test_filter_agreement.c - the gopher, c4 and fineweb presets decide as
 * the reference implementation does, on real text.
 *
 * The reference is HuggingFace datatrove's own filter classes at their defaults
 * (what FineWeb and many other datasets were built with). Their decisions on
 * the documents scripts/make-corpus.sh --docs builds from Debian documentation
 * (man pages, Perl pod, licenses, copyright files, fortunes, and degenerate
 * variants of them) are kept in tests/data/filter-decisions.tsv, keyed by a
 * hash of each record's text, by scripts/filter-reference.py; so this test
 * needs no Python and the repository holds none of the text.
 *
 * Targets (the issue's): the same keep/drop decision on at least 99% of the
 * records for gopher and fineweb, 97% for c4 (whose sentence count comes from
 * a statistical splitter). The first-failing reason is compared and reported
 * too, and must agree wherever both drop, to the same bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chaff.h"
#include "corpus.h"

#define NPRESETS 3
static const char *const PRESET[NPRESETS] = { "gopher", "c4", "fineweb" };
static const double TARGET[NPRESETS] = { 0.99, 0.97, 0.99 };

typedef struct expected {
    uint64_t key;
    char code[NPRESETS][40];
} expected;

static uint64_t fnv1a64(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

static int by_key(const void *a, const void *b)
{
    uint64_t x = ((const expected *)a)->key, y = ((const expected *)b)->key;
    return x < y ? -1 : x > y;
}

static expected *load_expected(size_t *n)
{
    char src[4096], path[4200], line[512];
    snprintf(path, sizeof path, "%s/tests/data/filter-decisions.tsv",
             corpus_source_dir(src, sizeof src));
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    size_t cap = 8192, k = 0;
    expected *e = malloc(cap * sizeof *e);
    assert_non_null(e);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        if (k == cap) {
            e = realloc(e, (cap *= 2) * sizeof *e);
            assert_non_null(e);
        }
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        e[k].key = strtoull(line, NULL, 16);
        if (sscanf(tab + 1, "%39s %39s %39s", e[k].code[0], e[k].code[1], e[k].code[2]) != 3)
            fail_msg("%s: bad line: %s", path, line);
        k++;
    }
    fclose(f);
    qsort(e, k, sizeof *e, by_key);
    *n = k;
    return e;
}

static void test_agreement(void **state)
{
    (void)state;
    size_t nexp;
    expected *exp = load_expected(&nexp);
    char path[4096], err[512];
    if (corpus_make("--docs", 0, "filter-corpus.jsonl", path, sizeof path, err, sizeof err))
        fail_msg("%s", err);
    corpus c;
    if (corpus_load(&c, path, "text", 0, err, sizeof err) != 0)
        fail_msg("%s", err);

    chaff_filter *f[NPRESETS];
    for (int p = 0; p < NPRESETS; p++)
        assert_int_equal(chaff_filter_new(&f[p], PRESET[p], 0, NULL, err, sizeof err), CHAFF_OK);
    chaff_doc *docs = calloc(c.n, sizeof *docs);
    chaff_filter_verdict *v = calloc(c.n, sizeof *v);
    const expected **match = calloc(c.n, sizeof *match);
    assert_non_null(docs);
    assert_non_null(v);
    assert_non_null(match);
    size_t found = 0;
    for (size_t i = 0; i < c.n; i++) {
        expected key = { .key = fnv1a64(c.text[i], c.len[i]) };
        match[i] = bsearch(&key, exp, nexp, sizeof *exp, by_key);
        if (match[i]) {
            docs[found].text = c.text[i];
            docs[found].len = c.len[i];
            docs[found].index = i;
            match[found++] = match[i];
        }
    }
    printf("corpus: %zu records, %zu with a reference decision (%zu expected)\n", c.n, found,
           nexp);
    /* Debian point releases may change a few documents; most must still be there. */
    assert_true(found >= nexp * 95 / 100);

    int ok[NPRESETS];
    for (int p = 0; p < NPRESETS; p++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(chaff_filter_run(f[p], docs, found, v), CHAFF_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        size_t same = 0, same_reason = 0, both_drop = 0, shown = 0;
        for (size_t i = 0; i < found; i++) {
            const char *want = match[i]->code[p];
            const char *got = v[i].rule < 0 ? "keep" : chaff_filter_rule_name(f[p], v[i].rule);
            int want_keep = !strcmp(want, "keep"), got_keep = v[i].rule < 0;
            same += want_keep == got_keep;
            if (!want_keep && !got_keep) {
                both_drop++;
                same_reason += !strcmp(want, got);
            }
            if (want_keep != got_keep && shown++ < 5)
                printf("  %s: record %llu: reference %s, chaff %s (value %g)\n", PRESET[p],
                       (unsigned long long)docs[i].index, want, got, v[i].value);
        }
        double agree = (double)same / (double)found;
        double reason = both_drop ? (double)same_reason / (double)both_drop : 1.0;
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("%-8s decision agreement %.4f (%zu of %zu), same reason when both drop %.4f, "
               "%.2f s\n", PRESET[p], agree, same, found, reason, secs);
        ok[p] = agree >= TARGET[p] && reason >= TARGET[p];
        chaff_filter_free(f[p]);
    }
    /* every preset is measured and printed before any verdict */
    for (int p = 0; p < NPRESETS; p++)
        if (!ok[p])
            fail_msg("%s: below the %.2f target", PRESET[p], TARGET[p]);
    free(docs);
    free(v);
    free(match);
    free(exp);
    corpus_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agreement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
