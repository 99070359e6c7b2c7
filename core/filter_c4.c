/* core/filter_c4.c - the c4 preset: the cleaning rules of C4 (Raffel et al.
 * 2020, JMLR, Sec. 2.2) with the decisions of datatrove's C4QualityFilter.
 *
 * Lines are removed (too long a word, no terminal punctuation, too few words,
 * "javascript", cookie/terms-of-use phrases) and the page is judged on what
 * is left: dropped at once for "lorem ipsum" or a curly bracket in a kept-so-far
 * line, else dropped when the surviving lines hold too few Punkt sentences.
 * The bad-words list rule of the paper is not part of datatrove's class and
 * not here either. The cleaned text datatrove would keep is not produced: a
 * preset judges, it does not rewrite. */
#include "filter_c4.h"
#include "pytext.h"
#include "words.h"

#include <utf8proc.h>

enum {
    P_SPLIT_PARAGRAPH, P_REMOVE_CITATIONS, P_FILTER_NO_TERMINAL_PUNCT, P_MIN_NUM_SENTENCES,
    P_MIN_WORDS_PER_LINE, P_MAX_WORD_LENGTH, P_FILTER_LOREM_IPSUM, P_FILTER_JAVASCRIPT,
    P_FILTER_CURLY_BRACKET, P_FILTER_POLICY, P_COUNT
};

enum { R_LOREM_IPSUM, R_CURLY_BRACKET, R_TOO_FEW_SENTENCES, R_COUNT };

static const char *const rules[R_COUNT] = {
    "c4.lorem_ipsum", "c4.curly_bracket", "c4.too_few_sentences",
};

#define SRC "C4 (Raffel et al. 2020, JMLR) Sec. 2.2; datatrove C4QualityFilter default"
#define SRC_CODE "C4's TFDS code (c4_utils), not in the paper's list; datatrove C4QualityFilter default"
#define FEW "c4.too_few_sentences"

static const chaff__fparam params[P_COUNT] = {
    { "c4.split_paragraph", FEW, 1, 0, 1, 1, SRC,
      "1: judge each line (splitlines); 0: judge each Punkt sentence instead" },
    { "c4.remove_citations", FEW, 1, 0, 1, 1, SRC_CODE,
      "1: delete [12], [edit] and [citation needed] before judging a line" },
    { "c4.filter_no_terminal_punct", FEW, 1, 0, 1, 1, SRC,
      "1: remove lines not ending in . ? ! \" ' (or ending in ...)" },
    { "c4.min_num_sentences", FEW, 5, -1, 1e9, 1, SRC,
      "fewest Punkt sentences in the kept lines (-1 disables)" },
    { "c4.min_words_per_line", FEW, 3, -1, 1e9, 1, SRC,
      "remove lines with fewer white-space words (-1 disables)" },
    { "c4.max_word_length", FEW, 1000, -1, 1e12, 1, SRC_CODE,
      "remove lines with a word longer than this, in code points (-1 disables)" },
    { "c4.filter_lorem_ipsum", "c4.lorem_ipsum", 1, 0, 1, 1, SRC,
      "1: drop the page when a kept line contains \"lorem ipsum\" (any case)" },
    { "c4.filter_javascript", FEW, 1, 0, 1, 1, SRC,
      "1: remove lines containing \"javascript\" (any case)" },
    { "c4.filter_curly_bracket", "c4.curly_bracket", 1, 0, 1, 1, SRC,
      "1: drop the page when a kept line contains '{'" },
    { "c4.filter_policy", FEW, 1, 0, 1, 1, SRC_CODE,
      "1: remove lines with terms of use / privacy policy / cookie phrases (any case)" },
};

static const char *const policy[] = {
    "terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
    "use cookies",
};

typedef struct c4_work {
    chaff__words sents;               /* Punkt sentences of one line */
    char *line; size_t line_cap;      /* the line after citation removal */
    char *low; size_t low_cap;        /* and lowercased */
    char *rw; size_t rw_cap;          /* --rewrite: the kept lines, joined */
} c4_work;

static void c4_work_free(const chaff_allocator *a, void *p)
{
    c4_work *c = p;
    chaff__words_free(&c->sents);
    chaff__free(a, c->line);
    chaff__free(a, c->low);
    chaff__free(a, c->rw);
    chaff__free(a, c);
}

static int reserve(const chaff_allocator *a, char **p, size_t *cap, size_t want)
{
    if (want <= *cap)
        return 1;
    size_t n = *cap ? *cap : 256;
    while (n < want)
        n *= 2;
    char *q = chaff__realloc(a, *p, n);
    if (!q)
        return 0;
    *p = q;
    *cap = n;
    return 1;
}

static int contains(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    if (len < n)
        return 0;
    const char *end = s + len - n + 1;
    while (s < end) {
        const char *f = memchr(s, needle[0], (size_t)(end - s));
        if (!f)
            return 0;
        if (memcmp(f, needle, n) == 0)
            return 1;
        s = f + 1;
    }
    return 0;
}

/* length of a citation starting at s[0] == '[': "[" digits* "]", "[edit]",
 * "[citation needed]" (the reference's regex, \d being any decimal digit) */
static size_t citation_at(const char *s, size_t len)
{
    size_t i = 1;
    while (i < len) {
        size_t k = i;
        uint32_t c = chaff__py_next(s, len, &k);
        if (c == ']')
            return k;
        if (c < '0' || c > '9') {
            if (c < 0x80 || utf8proc_category((utf8proc_int32_t)c) != UTF8PROC_CATEGORY_ND)
                break;
        }
        i = k;
    }
    if (len >= 6 && memcmp(s, "[edit]", 6) == 0)
        return 6;
    if (len >= 17 && memcmp(s, "[citation needed]", 17) == 0)
        return 17;
    return 0;
}

static size_t remove_citations(const char *s, size_t len, char *out)
{
    size_t o = 0, i = 0;
    while (i < len) {
        const char *f = memchr(s + i, '[', len - i);
        size_t stop = f ? (size_t)(f - s) : len;
        memcpy(out + o, s + i, stop - i);
        o += stop - i;
        i = stop;
        if (i < len) {
            size_t c = citation_at(s + i, len - i);
            if (c) {
                i += c;
            } else {
                out[o++] = '[';
                i++;
            }
        }
    }
    return o;
}

static int ends_with(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    return len >= n && memcmp(s + len - n, p, n) == 0;
}

/* line.split(): how many words, and whether one is longer than max code points */
static size_t split_words(const char *s, size_t len, double max, int *too_long)
{
    size_t n = 0, i = 0;
    *too_long = 0;
    while (i < len) {
        size_t k = i;
        if (chaff__py_isspace(chaff__py_next(s, len, &k))) {
            i = k;
            continue;
        }
        size_t cps = 0;
        while (i < len) {
            k = i;
            if (chaff__py_isspace(chaff__py_next(s, len, &k)))
                break;
            i = k;
            cps++;
        }
        n++;
        if (max >= 0 && (double)cps > max)
            *too_long = 1;
    }
    return n;
}

typedef struct c4_state {
    const double *p;
    const chaff_allocator *a;
    c4_work *c;
    chaff__fresult *res;
    int all;                 /* explain: measure every line even after a verdict */
    int rewrite;             /* collect the kept lines into c->rw */
    size_t rw_len;
    size_t lines, kept, sentences;
    int lorem, curly;
} c4_state;

/* One line (or sentence) of the page; returns 1 when the page's fate is sealed. */
static chaff_status judge_line(c4_state *st, const char *s, size_t len, int *done)
{
    const double *p = st->p;
    c4_work *c = st->c;
    size_t b, e;
    *done = 0;
    st->lines++;
    chaff__py_strip(s, len, &b, &e);
    s += b;
    len = e - b;
    int too_long;
    size_t nwords = split_words(s, len, p[P_MAX_WORD_LENGTH], &too_long);
    if (p[P_MAX_WORD_LENGTH] != -1 && too_long)
        return CHAFF_OK;
    if (p[P_REMOVE_CITATIONS] != 0) {
        if (!reserve(st->a, &c->line, &c->line_cap, len + 1))
            return CHAFF_E_NOMEM;
        len = remove_citations(s, len, c->line);
        s = c->line;
    }
    if (p[P_FILTER_NO_TERMINAL_PUNCT] != 0) {
        int end = len && (s[len - 1] == '.' || s[len - 1] == '?' || s[len - 1] == '!' ||
                          s[len - 1] == '"' || s[len - 1] == '\'');
        if (!end || ends_with(s, len, "..."))
            return CHAFF_OK;
    }
    if ((double)nwords < p[P_MIN_WORDS_PER_LINE])
        return CHAFF_OK;
    if (!reserve(st->a, &c->low, &c->low_cap, chaff__py_lower_cap(len)))
        return CHAFF_E_NOMEM;
    size_t llen = chaff__py_lower(s, len, c->low);
    if (p[P_FILTER_LOREM_IPSUM] != 0 && contains(c->low, llen, "lorem ipsum")) {
        st->lorem = 1;
        if (st->res->rule < 0) {
            st->res->rule = R_LOREM_IPSUM;
            st->res->value = 1;
        }
        *done = !st->all;
        return CHAFF_OK;
    }
    if (p[P_FILTER_JAVASCRIPT] != 0 && contains(c->low, llen, "javascript"))
        return CHAFF_OK;
    if (p[P_FILTER_CURLY_BRACKET] != 0 && memchr(s, '{', len)) {
        st->curly = 1;
        if (st->res->rule < 0) {
            st->res->rule = R_CURLY_BRACKET;
            st->res->value = 1;
        }
        *done = !st->all;
        return CHAFF_OK;
    }
    if (p[P_FILTER_POLICY] != 0)
        for (size_t k = 0; k < sizeof policy / sizeof *policy; k++)
            if (contains(c->low, llen, policy[k]))
                return CHAFF_OK;
    st->kept++;
    if (st->rewrite) {
        /* datatrove joins the kept lines with "\n" (" " for sentences) */
        if (!reserve(st->a, &c->rw, &c->rw_cap, st->rw_len + len + 1))
            return CHAFF_E_NOMEM;
        if (st->kept > 1)
            c->rw[st->rw_len++] = p[P_SPLIT_PARAGRAPH] != 0 ? '\n' : ' ';
        memcpy(c->rw + st->rw_len, s, len);
        st->rw_len += len;
    }
    if (p[P_MIN_NUM_SENTENCES] != -1) {
        if (p[P_SPLIT_PARAGRAPH] == 0) {
            st->sentences++;
        } else if (st->all || (double)st->sentences < p[P_MIN_NUM_SENTENCES]) {
            /* past the minimum the exact count changes nothing: only --explain asks */
            chaff_status r = chaff__words_sentences(&c->sents, s, len);
            if (r != CHAFF_OK)
                return r;
            /* datatrove's split_into_sentences never returns an empty list */
            st->sentences += c->sents.nsent ? c->sents.nsent : 1;
        }
    }
    return CHAFF_OK;
}

static chaff_status c4_run(const double *p, const char *text, size_t len, chaff__fwork *w,
                           chaff__explain_fn ex, void *exu, chaff__fresult *res, int rewrite,
                           c4_state *out);

static chaff_status c4_eval(const double *p, const char *text, size_t len, chaff__fwork *w,
                            chaff__explain_fn ex, void *exu, chaff__fresult *res)
{
    c4_state st;
    return c4_run(p, text, len, w, ex, exu, res, 0, &st);
}

/* What datatrove leaves in doc.text after a page passes: the kept lines joined,
 * stripped. A page the rules drop is given back as it is. */
static chaff_status c4_rewrite(const double *p, const char *text, size_t len, chaff__fwork *w,
                               const char **out, size_t *out_len)
{
    c4_state st;
    chaff__fresult res;
    chaff_status r = c4_run(p, text, len, w, NULL, NULL, &res, 1, &st);
    *out = text;
    *out_len = len;
    if (r != CHAFF_OK || res.rule >= 0)
        return r;
    c4_work *c = w->slot[CHAFF__SLOT_C4];
    size_t b = 0, e = 0;
    if (st.rw_len)
        chaff__py_strip(c->rw, st.rw_len, &b, &e);
    *out = st.rw_len ? c->rw + b : "";
    *out_len = e - b;
    return CHAFF_OK;
}

static chaff_status c4_run(const double *p, const char *text, size_t len, chaff__fwork *w,
                           chaff__explain_fn ex, void *exu, chaff__fresult *res, int rewrite,
                           c4_state *out)
{
    res->rule = -1;
    res->value = 0;
    res->detail = NULL;
    int fresh;
    c4_work *c = chaff__fwork_slot(w, CHAFF__SLOT_C4, sizeof *c, c4_work_free, &fresh);
    if (!c)
        return CHAFF_E_NOMEM;
    if (fresh)
        chaff__words_init(&c->sents, &w->alloc);
    c4_state st = { p, &w->alloc, c, res, ex != NULL, rewrite, 0, 0, 0, 0, 0, 0 };
    chaff_status r;
    int done = 0;
    if (p[P_SPLIT_PARAGRAPH] != 0) {
        size_t pos = 0, b, e;
        while (!done && chaff__py_splitline(text, len, &pos, &b, &e))
            if ((r = judge_line(&st, text + b, e - b, &done)) != CHAFF_OK)
                return r;
    } else {
        /* datatrove's split_into_sentences: the text cut at the end of each
         * Punkt sentence, the last piece running to the end of the text */
        const chaff__words *ws;
        if ((r = chaff__fwork_words(w, text, len, &ws)) != CHAFF_OK)
            return r;
        size_t start = 0;
        for (size_t k = 0; k + 1 < ws->nsent && !done; k++) {
            size_t end = ws->sent[k].off + ws->sent[k].len;
            if ((r = judge_line(&st, text + start, end - start, &done)) != CHAFF_OK)
                return r;
            start = end;
        }
        if (!done && (r = judge_line(&st, text + start, len - start, &done)) != CHAFF_OK)
            return r;
    }
    double v = (double)st.sentences;
    if (res->rule < 0 && v < p[P_MIN_NUM_SENTENCES]) {
        res->rule = R_TOO_FEW_SENTENCES;
        res->value = v;
    }
    if (ex) {
        ex(exu, "c4.lines", (double)st.lines);
        ex(exu, "c4.kept_lines", (double)st.kept);
        ex(exu, "c4.sentences", v);
        ex(exu, "c4.lorem_ipsum", st.lorem);
        ex(exu, "c4.curly_bracket", st.curly);
    }
    *out = st;
    return CHAFF_OK;
}

const chaff__preset chaff__preset_c4 = {
    "c4",
    "C4's line and page cleaning rules (Raffel et al. 2020), as datatrove applies them",
    rules, R_COUNT, params, P_COUNT, c4_eval, c4_rewrite,
};
