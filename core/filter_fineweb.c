/* core/filter_fineweb.c - the fineweb preset: the heuristic filters FineWeb
 * added after the C4 and Gopher ones (Penedo et al. 2024, "The FineWeb
 * Datasets", Sec. 3), with the decisions and defaults of datatrove's
 * FineWebQualityFilter. The defaults are the code's where the paper differs:
 * the duplicated-line characters threshold is 0.01 there, 0.1 in the paper.
 *
 * Lines are the non-blank pieces of text.split("\n"), unstripped: a line that
 * ends in ". " or ".\r" does not end in punctuation, as in the reference. When
 * the text has no words at all (so datatrove would divide by zero) the list
 * rule does not apply. */
#include "filter_fineweb.h"
#include "fdup.h"
#include "pytext.h"
#include "words.h"

enum {
    P_LINE_PUNCT_THR, P_LINE_PUNCT_EXCLUDE_ZERO, P_SHORT_LINE_THR, P_SHORT_LINE_LENGTH,
    P_CHAR_DUPLICATES_RATIO, P_NEW_LINE_RATIO, P_COUNT
};

enum { R_EMPTY, R_LINE_PUNCT, R_SHORT_LINE, R_CHAR_DUP, R_LIST, R_COUNT };

static const char *const rules[R_COUNT] = {
    "fineweb.empty", "fineweb.line_punct_ratio", "fineweb.short_line_ratio",
    "fineweb.char_dup_ratio", "fineweb.list_ratio",
};

#define SRC "FineWeb (Penedo et al. 2024) Sec. 3 custom filters; datatrove FineWebQualityFilter default"

static const chaff__fparam params[P_COUNT] = {
    { "fineweb.line_punct_thr", "fineweb.line_punct_ratio", 0.12, 0, 1, 0, SRC,
      "smallest fraction of lines ending in terminal punctuation" },
    { "fineweb.line_punct_exclude_zero", "fineweb.line_punct_ratio", 0, 0, 1, 1, SRC,
      "1: keep pages where no line ends in terminal punctuation (rule for 0 < ratio only)" },
    { "fineweb.short_line_thr", "fineweb.short_line_ratio", 0.67, 0, 1, 0, SRC,
      "largest fraction of short lines" },
    { "fineweb.short_line_length", "fineweb.short_line_ratio", 30, 0, 1e9, 1, SRC,
      "a line of at most this many code points is short" },
    { "fineweb.char_duplicates_ratio", "fineweb.char_dup_ratio", 0.01, 0, 1, 0,
      "FineWeb (Penedo et al. 2024) Sec. 3 gives 0.1; datatrove FineWebQualityFilter's default 0.01 is used",
      "largest fraction of characters (newlines aside) in lines repeating an earlier line" },
    { "fineweb.new_line_ratio", "fineweb.list_ratio", 0.3, 0, 1e6, 0,
      "datatrove FineWebQualityFilter default (not in the FineWeb paper)",
      "most newlines per word (list-like pages)" },
};

typedef struct fineweb_work {
    chaff__fdup dup;
    chaff__span *line; size_t line_cap;
} fineweb_work;

static void fineweb_work_free(const chaff_allocator *a, void *p)
{
    fineweb_work *f = p;
    chaff__fdup_free(&f->dup, a);
    chaff__free(a, f->line);
    chaff__free(a, f);
}

static int blank(const char *s, size_t len)
{
    size_t b, e;
    chaff__py_strip(s, len, &b, &e);
    return b == e;
}

static chaff_status fineweb_eval(const double *p, const char *text, size_t len, chaff__fwork *w,
                                 chaff__explain_fn ex, void *exu, chaff__fresult *res)
{
    res->rule = -1;
    res->value = 0;
    res->detail = NULL;
    int fresh;
    fineweb_work *f = chaff__fwork_slot(w, CHAFF__SLOT_FINEWEB, sizeof *f, fineweb_work_free,
                                        &fresh);
    if (!f)
        return CHAFF_E_NOMEM;

    size_t n = 0, newlines = 0, punct = 0, shorts = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != '\n')
            continue;
        if (i < len)
            newlines++;
        const char *s = text + start;
        size_t l = i - start;
        start = i + 1;
        if (blank(s, l))
            continue;
        if (n == f->line_cap) {
            size_t cap = f->line_cap ? 2 * f->line_cap : 64;
            void *q = chaff__realloc(&w->alloc, f->line, cap * sizeof *f->line);
            if (!q)
                return CHAFF_E_NOMEM;
            f->line = q;
            f->line_cap = cap;
        }
        f->line[n].off = (size_t)(s - text);
        f->line[n].len = l;
        n++;
        size_t k = l;
        if (chaff__py_is_dt_terminal(chaff__py_prev(s, &k)))
            punct++;
        if ((double)chaff__py_len(s, l) <= p[P_SHORT_LINE_LENGTH])
            shorts++;
    }
    if (ex)
        ex(exu, "fineweb.lines", (double)n);
    if (n == 0) {
        res->rule = R_EMPTY;
        res->value = 0;
        return CHAFF_OK;
    }

    double v = (double)punct / (double)n;
    if (ex)
        ex(exu, "fineweb.line_punct_ratio", v);
    if (v < p[P_LINE_PUNCT_THR] && !(v == 0 && p[P_LINE_PUNCT_EXCLUDE_ZERO] != 0)) {
        res->rule = R_LINE_PUNCT;
        res->value = v;
        if (!ex)
            return CHAFF_OK;
    }
    v = (double)shorts / (double)n;
    if (ex)
        ex(exu, "fineweb.short_line_ratio", v);
    if (res->rule < 0 && v > p[P_SHORT_LINE_THR]) {
        res->rule = R_SHORT_LINE;
        res->value = v;
        if (!ex)
            return CHAFF_OK;
    }
    size_t dp, dc;
    chaff_status st = chaff__fdup_count(&f->dup, &w->alloc, text, f->line, n, &dp, &dc);
    if (st != CHAFF_OK)
        return st;
    /* a non-blank line has a character that is not "\n": never 0 */
    v = (double)dc / (double)(chaff__py_len(text, len) - newlines);
    if (ex)
        ex(exu, "fineweb.char_dup_ratio", v);
    if (res->rule < 0 && v > p[P_CHAR_DUPLICATES_RATIO]) {
        res->rule = R_CHAR_DUP;
        res->value = v;
        if (!ex)
            return CHAFF_OK;
    }
    const chaff__words *ws;
    if ((st = chaff__fwork_words(w, text, len, &ws)) != CHAFF_OK)
        return st;
    v = ws->n ? (double)newlines / (double)ws->n : 0;
    if (ex) {
        ex(exu, "fineweb.n_words", (double)ws->n);
        ex(exu, "fineweb.list_ratio", v);
    }
    if (res->rule < 0 && ws->n && v > p[P_NEW_LINE_RATIO]) {
        res->rule = R_LIST;
        res->value = v;
    }
    return CHAFF_OK;
}

const chaff__preset chaff__preset_fineweb = {
    "fineweb",
    "FineWeb's line-punctuation, short-line, duplicate-line and list rules (Penedo et al. 2024)",
    rules, R_COUNT, params, P_COUNT, fineweb_eval, NULL,
};
