/* core/filter_gopher.c - the gopher preset: Gopher's quality rules, then its
 * repetition rules (Rae et al. 2021, "Scaling Language Models", App. A), with
 * the decisions of datatrove's GopherQualityFilter followed by
 * GopherRepetitionFilter, the implementation FineWeb used.
 *
 * Words are NLTK's (core/words.h); lengths count code points. Where datatrove
 * would divide by zero (only reachable with gopher.min_doc_words disabled, or
 * an empty text: it raises ZeroDivisionError, or numpy gives NaN for an empty
 * mean), the rule does not apply: the document passes it and the statistic
 * reads 0. */
#include "filter_gopher.h"
#include "fdup.h"
#include "pytext.h"
#include "words.h"


enum {
    P_MIN_DOC_WORDS, P_MAX_DOC_WORDS, P_MIN_AVG_WORD_LEN, P_MAX_AVG_WORD_LEN,
    P_MAX_SYMBOL_WORD_RATIO, P_MAX_BULLET_LINES_RATIO, P_MAX_ELLIPSIS_LINES_RATIO,
    P_MAX_NON_ALPHA_WORDS_RATIO, P_MIN_STOP_WORDS,
    P_DUP_LINE_FRAC, P_DUP_PARA_FRAC, P_DUP_LINE_CHAR_FRAC, P_DUP_PARA_CHAR_FRAC,
    P_TOP_2, P_TOP_3, P_TOP_4,
    P_DUP_5, P_DUP_6, P_DUP_7, P_DUP_8, P_DUP_9, P_DUP_10,
    P_COUNT
};

enum {
    R_SHORT_DOC, R_LONG_DOC, R_BELOW_AVG, R_ABOVE_AVG, R_HASHES, R_ELLIPSIS,
    R_BULLETS, R_END_ELLIPSIS, R_ALPHA, R_STOP_WORDS,
    R_DUP_PARA_FRAC, R_DUP_PARA_CHAR_FRAC, R_DUP_LINE_FRAC, R_DUP_LINE_CHAR_FRAC,
    R_TOP_2, R_TOP_3, R_TOP_4,
    R_DUP_5, R_DUP_6, R_DUP_7, R_DUP_8, R_DUP_9, R_DUP_10,
    R_COUNT
};

static const char *const rules[R_COUNT] = {
    "gopher.short_doc", "gopher.long_doc", "gopher.below_avg_word_len",
    "gopher.above_avg_word_len", "gopher.too_many_hashes", "gopher.too_many_ellipsis",
    "gopher.too_many_bullets", "gopher.too_many_end_ellipsis", "gopher.below_alpha_ratio",
    "gopher.few_stop_words",
    "gopher.dup_para_frac", "gopher.dup_para_char_frac", "gopher.dup_line_frac",
    "gopher.dup_line_char_frac",
    "gopher.top_2_gram", "gopher.top_3_gram", "gopher.top_4_gram",
    "gopher.dup_5_gram", "gopher.dup_6_gram", "gopher.dup_7_gram", "gopher.dup_8_gram",
    "gopher.dup_9_gram", "gopher.dup_10_gram",
};

#define SRC_Q "Gopher (Rae et al. 2021) App. A Sec. A.1.1 quality filters; datatrove GopherQualityFilter default"
#define SRC_R "Gopher (Rae et al. 2021) App. A Table A1; datatrove GopherRepetitionFilter default"
#define OFF " (0 disables)"

static const chaff__fparam params[P_COUNT] = {
    { "gopher.min_doc_words", "gopher.short_doc", 50, 0, 1e9, 1, SRC_Q,
      "fewest non-symbol words a document may have" OFF },
    { "gopher.max_doc_words", "gopher.long_doc", 100000, 0, 1e12, 1, SRC_Q,
      "most non-symbol words a document may have" OFF },
    { "gopher.min_avg_word_length", "gopher.below_avg_word_len", 3, 0, 1e6, 0, SRC_Q,
      "smallest mean length (code points) of the non-symbol words" OFF },
    { "gopher.max_avg_word_length", "gopher.above_avg_word_len", 10, 0, 1e6, 0, SRC_Q,
      "largest mean length (code points) of the non-symbol words" OFF },
    { "gopher.max_symbol_word_ratio", "gopher.too_many_hashes", 0.1, 0, 1e6, 0, SRC_Q,
      "most '#', and most '...' or U+2026, per word (also governs gopher.too_many_ellipsis)" OFF },
    { "gopher.max_bullet_lines_ratio", "gopher.too_many_bullets", 0.9, 0, 1, 0, SRC_Q,
      "largest fraction of lines starting with a bullet (U+2022 or '-')" OFF },
    { "gopher.max_ellipsis_lines_ratio", "gopher.too_many_end_ellipsis", 0.3, 0, 1, 0, SRC_Q,
      "largest fraction of lines ending with '...' or U+2026" OFF },
    { "gopher.max_non_alpha_words_ratio", "gopher.below_alpha_ratio", 0.8, 0, 1, 0, SRC_Q,
      "smallest fraction of words with a letter (a minimum despite datatrove's name)" OFF },
    { "gopher.min_stop_words", "gopher.few_stop_words", 2, 0, 8, 1, SRC_Q,
      "fewest distinct stop words (the be to of and that have with) present" OFF },
    { "gopher.dup_line_frac", "gopher.dup_line_frac", 0.3, 0, 1, 0, SRC_R,
      "largest fraction of lines (split on runs of \\n) that repeat an earlier line" OFF },
    { "gopher.dup_para_frac", "gopher.dup_para_frac", 0.3, 0, 1, 0, SRC_R,
      "largest fraction of paragraphs (split on \\n\\n+) that repeat an earlier one" OFF },
    { "gopher.dup_line_char_frac", "gopher.dup_line_char_frac", 0.2, 0, 1, 0, SRC_R,
      "largest fraction of the text's characters in repeated lines" OFF },
    { "gopher.dup_para_char_frac", "gopher.dup_para_char_frac", 0.2, 0, 1, 0, SRC_R,
      "largest fraction of the text's characters in repeated paragraphs" OFF },
    { "gopher.top_2_gram_frac", "gopher.top_2_gram", 0.2, 0, 1e6, 0, SRC_R,
      "largest characters of the most frequent word 2-gram times its count, over the text's" },
    { "gopher.top_3_gram_frac", "gopher.top_3_gram", 0.18, 0, 1e6, 0, SRC_R,
      "the same for word 3-grams" },
    { "gopher.top_4_gram_frac", "gopher.top_4_gram", 0.16, 0, 1e6, 0, SRC_R,
      "the same for word 4-grams" },
    { "gopher.dup_5_gram_frac", "gopher.dup_5_gram", 0.15, 0, 1e6, 0, SRC_R,
      "largest fraction of characters in repeated word 5-grams" },
    { "gopher.dup_6_gram_frac", "gopher.dup_6_gram", 0.14, 0, 1e6, 0, SRC_R,
      "the same for word 6-grams" },
    { "gopher.dup_7_gram_frac", "gopher.dup_7_gram", 0.13, 0, 1e6, 0, SRC_R,
      "the same for word 7-grams" },
    { "gopher.dup_8_gram_frac", "gopher.dup_8_gram", 0.12, 0, 1e6, 0, SRC_R,
      "the same for word 8-grams" },
    { "gopher.dup_9_gram_frac", "gopher.dup_9_gram", 0.11, 0, 1e6, 0, SRC_R,
      "the same for word 9-grams" },
    { "gopher.dup_10_gram_frac", "gopher.dup_10_gram", 0.10, 0, 1e6, 0, SRC_R,
      "the same for word 10-grams" },
};

/* ---- scratch ------------------------------------------------------------- */

typedef struct ngram_slot {
    uint64_t h;              /* 0 = empty */
    uint32_t first, count;   /* first position with this content, occurrences */
} ngram_slot;

typedef struct gopher_work {
    chaff__fdup dup;
    chaff__span *piece; size_t piece_cap;
    /* per word boundary k (see prepare_words): prefix hashes and inverse
     * powers of the words joined by nothing (c) and by spaces (s) */
    uint64_t *qc, *ic, *qs, *is; size_t hcap;
    uint64_t *csum; size_t csum_cap;   /* prefix sums of word code points */
    ngram_slot *tab; size_t tab_cap;
} gopher_work;

static void gopher_work_free(const chaff_allocator *a, void *p)
{
    gopher_work *g = p;
    chaff__fdup_free(&g->dup, a);
    chaff__free(a, g->piece);
    chaff__free(a, g->qc);
    chaff__free(a, g->ic);
    chaff__free(a, g->qs);
    chaff__free(a, g->is);
    chaff__free(a, g->csum);
    chaff__free(a, g->tab);
    chaff__free(a, g);
}

static int grow(const chaff_allocator *a, void **p, size_t *cap, size_t want, size_t elem)
{
    if (want <= *cap)
        return 1;
    size_t n = *cap ? *cap : 64;
    while (n < want)
        n *= 2;
    void *q = chaff__realloc(a, *p, n * elem);
    if (!q)
        return 0;
    *p = q;
    *cap = n;
    return 1;
}

/* ---- polynomial hash of strings, mod 2^61 - 1 ----------------------------
 * The n-grams are compared as the strings datatrove builds (" ".join for the
 * top n-grams, "".join for the repeated ones, where "ab"+"c" equals "a"+"bc"),
 * so they are hashed as those strings. Byte t of the joined stream weighs
 * BASE^t; prefix sums at word boundaries times BASE^-(start) give any n-gram's
 * hash in one multiplication, the same for equal strings wherever they stand.
 * (A space after every word, the last included, leaves equality unchanged.)
 * Equal hashes are confirmed byte by byte. */
#define MOD ((1ull << 61) - 1)
#define BASE 0x1f3d5b79a2c4e687ull   /* < MOD */
#define BASE_INV 0x050473d1bedf6878ull  /* BASE * BASE_INV = 1 mod MOD */

static uint64_t mulmod(uint64_t a, uint64_t b)
{
    unsigned __int128 x = (unsigned __int128)a * b;
    uint64_t lo = (uint64_t)(x & MOD), hi = (uint64_t)(x >> 61);
    uint64_t r = lo + hi;
    return r >= MOD ? r - MOD : r;
}

static uint64_t addmod(uint64_t a, uint64_t b)
{
    uint64_t r = a + b;
    return r >= MOD ? r - MOD : r;
}

static uint64_t submod(uint64_t a, uint64_t b)
{
    return a >= b ? a - b : a + MOD - b;
}

/* hash of words[i..i+n) joined by a space (sep) or by nothing */
static uint64_t ngram_hash(const gopher_work *g, size_t i, size_t n, int sep)
{
    if (sep)
        return mulmod(submod(g->qs[i + n], g->qs[i]), g->is[i]);
    return mulmod(submod(g->qc[i + n], g->qc[i]), g->ic[i]);
}

/* a cursor over the bytes of words[i..i+n) joined by sep */
typedef struct jcur {
    const chaff__words *ws;
    size_t t, end, o;
    int sep, in_sep;
} jcur;

static int jnext(jcur *c)
{
    for (;;) {
        if (c->in_sep) {
            c->in_sep = 0;
            return c->sep;
        }
        if (c->t >= c->end)
            return -1;
        const chaff__word *w = &c->ws->w[c->t];
        if (c->o < w->len)
            return (unsigned char)c->ws->arena[w->off + c->o++];
        c->t++;
        c->o = 0;
        if (c->sep && c->t < c->end)
            c->in_sep = 1;
    }
}

static int ngram_eq(const chaff__words *ws, size_t i, size_t j, size_t n, int sep)
{
    jcur a = { ws, i, i + n, 0, sep, 0 }, b = { ws, j, j + n, 0, sep, 0 };
    for (;;) {
        int x = jnext(&a), y = jnext(&b);
        if (x != y)
            return 0;
        if (x < 0)
            return 1;
    }
}

static chaff_status prepare_words(const chaff_allocator *a, gopher_work *g, const chaff__words *ws)
{
    size_t want = ws->n + 1, cap = g->hcap;
    uint64_t **arr[4] = { &g->qc, &g->ic, &g->qs, &g->is };
    for (int k = 0; k < 4; k++) {
        cap = g->hcap;
        if (!grow(a, (void **)arr[k], &cap, want, sizeof **arr[k]))
            return CHAFF_E_NOMEM;
    }
    g->hcap = cap;
    if (!grow(a, (void **)&g->csum, &g->csum_cap, want, sizeof *g->csum))
        return CHAFF_E_NOMEM;
    /* pc/ps: BASE^(position of word t's first byte) in each stream */
    uint64_t qc = 0, qs = 0, pc = 1, ps = 1, ic = 1, is = 1;
    g->csum[0] = 0;
    for (size_t t = 0; t < ws->n; t++) {
        g->qc[t] = qc;
        g->qs[t] = qs;
        g->ic[t] = ic;
        g->is[t] = is;
        const chaff__word *w = &ws->w[t];
        const unsigned char *s = (const unsigned char *)ws->arena + w->off;
        /* h = sum s[m] BASE^m, by Horner from the last byte */
        uint64_t h = 0;
        for (uint32_t m = w->len; m-- > 0;)
            h = addmod(mulmod(h, BASE), s[m]);
        uint64_t pw = 1, pi = 1;
        for (uint32_t m = 0; m < w->len; m++) {
            pw = mulmod(pw, BASE);
            pi = mulmod(pi, BASE_INV);
        }
        qc = addmod(qc, mulmod(h, pc));
        qs = addmod(qs, mulmod(addmod(h, mulmod(' ', pw)), ps));
        pc = mulmod(pc, pw);
        ps = mulmod(mulmod(ps, pw), BASE);
        ic = mulmod(ic, pi);
        is = mulmod(mulmod(is, pi), BASE_INV);
        g->csum[t + 1] = g->csum[t] + w->cps;
    }
    g->qc[ws->n] = qc;
    g->qs[ws->n] = qs;
    g->ic[ws->n] = ic;
    g->is[ws->n] = is;
    return CHAFF_OK;
}

static chaff_status prepare_table(const chaff_allocator *a, gopher_work *g, size_t n, size_t *mask)
{
    size_t want = 16;
    while (want < 2 * n)
        want *= 2;
    if (want > g->tab_cap) {
        chaff__free(a, g->tab);
        g->tab = chaff__alloc(a, want * sizeof *g->tab);
        g->tab_cap = g->tab ? want : 0;
        if (!g->tab)
            return CHAFF_E_NOMEM;
    }
    memset(g->tab, 0, want * sizeof *g->tab);
    *mask = want - 1;
    return CHAFF_OK;
}

/* The slot of the n-gram at word i (joined with sep, 0 for none): the one
 * holding an equal n-gram, or a new one (*fresh = 1, count 0) remembering i. */
static ngram_slot *find_or_add(gopher_work *g, const chaff__words *ws, size_t mask, size_t i,
                               size_t n, int sep, int *fresh)
{
    uint64_t h = ngram_hash(g, i, n, sep) | (1ull << 63);
    for (size_t k = (size_t)(h ^ (h >> 29)) & mask;; k = (k + 1) & mask) {
        ngram_slot *s = &g->tab[k];
        if (s->h == 0) {
            s->h = h;
            s->first = (uint32_t)i;
            s->count = 0;
            *fresh = 1;
            return s;
        }
        if (s->h == h && ngram_eq(ws, s->first, i, n, sep)) {
            *fresh = 0;
            return s;
        }
    }
}

/* datatrove's find_top_duplicate(get_n_grams(words, n)): the characters of the
 * most frequent " "-joined n-gram times its count. Counter.most_common(1) picks,
 * among equally frequent n-grams, the one seen first. */
static chaff_status top_ngram(const chaff_allocator *a, gopher_work *g, const chaff__words *ws,
                              size_t n, uint64_t *chars)
{
    *chars = 0;
    if (ws->n < n)
        return CHAFF_OK;
    size_t m = ws->n - n + 1, mask;
    if (prepare_table(a, g, m, &mask) != CHAFF_OK)
        return CHAFF_E_NOMEM;
    const ngram_slot *best = NULL;
    for (size_t i = 0; i < m; i++) {
        int fresh;
        ngram_slot *s = find_or_add(g, ws, mask, i, n, ' ', &fresh);
        s->count++;
        if (!best || s->count > best->count ||
            (s->count == best->count && s->first < best->first))
            best = s;
    }
    uint64_t len = g->csum[best->first + n] - g->csum[best->first] + (n - 1);
    *chars = len * best->count;
    return CHAFF_OK;
}

/* datatrove's find_all_duplicate(words, n): walking the ""-joined n-grams, one
 * seen before adds its characters and the walk jumps past it (the n-grams it
 * jumps over are not remembered); a new one is remembered. */
static chaff_status dup_ngrams(const chaff_allocator *a, gopher_work *g, const chaff__words *ws,
                               size_t n, uint64_t *chars)
{
    *chars = 0;
    if (ws->n < n)
        return CHAFF_OK;
    size_t m = ws->n - n + 1, mask;
    if (prepare_table(a, g, m, &mask) != CHAFF_OK)
        return CHAFF_E_NOMEM;
    uint64_t rep = 0;
    size_t i = 0;
    while (i < m) {
        int fresh;
        find_or_add(g, ws, mask, i, n, 0, &fresh);
        if (!fresh) {
            rep += g->csum[i + n] - g->csum[i];
            i += n;
        } else {
            i++;
        }
    }
    *chars = rep;
    return CHAFF_OK;
}

/* ---- the rules ------------------------------------------------------------ */

static double ratio(double num, double den)
{
    return den == 0 ? 0 : num / den;
}

static int starts_with(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    return len >= n && memcmp(s, p, n) == 0;
}

static int ends_with(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    return len >= n && memcmp(s + len - n, p, n) == 0;
}

/* non-overlapping occurrences, as str.count */
static size_t count_str(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p), c = 0;
    const char *e = s + len;
    while ((size_t)(e - s) >= n) {
        const char *f = memchr(s, p[0], (size_t)(e - s) - n + 1);
        if (!f)
            break;
        if (memcmp(f, p, n) == 0) {
            c++;
            s = f + n;
        } else {
            s = f + 1;
        }
    }
    return c;
}

typedef struct judge {
    const double *p;
    chaff__explain_fn ex;
    void *exu;
    chaff__fresult *res;
} judge;

/* Reports the statistic and applies its rule; returns 1 when the evaluation
 * can stop (a rule failed and nobody wants the remaining statistics). */
static int stat(judge *j, const char *name, double v, int rule, int fails)
{
    if (j->ex)
        j->ex(j->exu, name, v);
    if (fails && j->res->rule < 0) {
        j->res->rule = rule;
        j->res->value = v;
    }
    return j->res->rule >= 0 && !j->ex;
}

static const char *const stop_words[] = { "the", "be", "to", "of", "and", "that", "have", "with" };

static int stop_word_index(const char *s, size_t len)
{
    if (len < 2 || len > 4)
        return -1;
    for (int k = 0; k < 8; k++)
        if (strlen(stop_words[k]) == len && memcmp(stop_words[k], s, len) == 0)
            return k;
    return -1;
}

static int quality(judge *j, const char *text, size_t len, const chaff__words *ws)
{
    const double *p = j->p;
    size_t n_words = ws->n, n_ns = 0, ns_chars = 0, n_alpha = 0;
    unsigned stops = 0;
    for (size_t t = 0; t < ws->n; t++) {
        const chaff__word *w = &ws->w[t];
        const char *s = ws->arena + w->off;
        int symbol_only = 1, alpha = 0;
        for (size_t i = 0; i < w->len && (symbol_only || !alpha);) {
            uint32_t c = chaff__py_next(s, w->len, &i);
            if (symbol_only && !chaff__py_is_dt_punct(c))
                symbol_only = 0;
            if (!alpha && chaff__py_isalpha(c))
                alpha = 1;
        }
        if (!symbol_only) {
            n_ns++;
            ns_chars += w->cps;
        }
        n_alpha += (size_t)alpha;
        int k = stop_word_index(s, w->len);
        if (k >= 0)
            stops |= 1u << k;
    }
    if (stat(j, "gopher.n_words", (double)n_words, -1, 0))
        return 1;
    double v = (double)n_ns;
    if (stat(j, "gopher.n_non_symbol_words", v, R_SHORT_DOC,
             p[P_MIN_DOC_WORDS] != 0 && v < p[P_MIN_DOC_WORDS]))
        return 1;
    if (j->res->rule < 0 && p[P_MAX_DOC_WORDS] != 0 && v > p[P_MAX_DOC_WORDS]) {
        j->res->rule = R_LONG_DOC;
        j->res->value = v;
        if (!j->ex)
            return 1;
    }
    /* numpy's mean of nothing is NaN, which fails no comparison */
    v = n_ns ? (double)ns_chars / (double)n_ns : 0;
    if (stat(j, "gopher.avg_word_len", v, R_BELOW_AVG,
             n_ns && p[P_MIN_AVG_WORD_LEN] != 0 && v < p[P_MIN_AVG_WORD_LEN]))
        return 1;
    if (j->res->rule < 0 && n_ns && p[P_MAX_AVG_WORD_LEN] != 0 && v > p[P_MAX_AVG_WORD_LEN]) {
        j->res->rule = R_ABOVE_AVG;
        j->res->value = v;
        if (!j->ex)
            return 1;
    }
    v = ratio((double)count_str(text, len, "#"), (double)n_words);
    if (stat(j, "gopher.hash_ratio", v, R_HASHES,
             p[P_MAX_SYMBOL_WORD_RATIO] != 0 && v > p[P_MAX_SYMBOL_WORD_RATIO]))
        return 1;
    v = ratio((double)(count_str(text, len, "...") + count_str(text, len, "\xe2\x80\xa6")),
              (double)n_words);
    if (stat(j, "gopher.ellipsis_ratio", v, R_ELLIPSIS,
             p[P_MAX_SYMBOL_WORD_RATIO] != 0 && v > p[P_MAX_SYMBOL_WORD_RATIO]))
        return 1;

    size_t nl = 0, bullets = 0, ell = 0, pos = 0, b, e;
    while (chaff__py_splitline(text, len, &pos, &b, &e)) {
        size_t sb, se;
        chaff__py_strip(text + b, e - b, &sb, &se);
        const char *s = text + b;
        /* lstrip for the start, rstrip for the end: the same bounds as strip */
        if (starts_with(s + sb, se - sb, "\xe2\x80\xa2") || starts_with(s + sb, se - sb, "-"))
            bullets++;
        if (ends_with(s + sb, se - sb, "...") || ends_with(s + sb, se - sb, "\xe2\x80\xa6"))
            ell++;
        nl++;
    }
    v = ratio((double)bullets, (double)nl);
    if (stat(j, "gopher.bullet_lines_ratio", v, R_BULLETS,
             p[P_MAX_BULLET_LINES_RATIO] != 0 && v > p[P_MAX_BULLET_LINES_RATIO]))
        return 1;
    v = ratio((double)ell, (double)nl);
    if (stat(j, "gopher.end_ellipsis_lines_ratio", v, R_END_ELLIPSIS,
             p[P_MAX_ELLIPSIS_LINES_RATIO] != 0 && v > p[P_MAX_ELLIPSIS_LINES_RATIO]))
        return 1;
    v = ratio((double)n_alpha, (double)n_words);
    if (stat(j, "gopher.alpha_words_ratio", v, R_ALPHA, n_words &&
             p[P_MAX_NON_ALPHA_WORDS_RATIO] != 0 && v < p[P_MAX_NON_ALPHA_WORDS_RATIO]))
        return 1;
    int nstop = 0;
    for (int k = 0; k < 8; k++)
        nstop += (stops >> k) & 1;
    v = nstop;
    return stat(j, "gopher.stop_words", v, R_STOP_WORDS,
                p[P_MIN_STOP_WORDS] != 0 && v < p[P_MIN_STOP_WORDS]);
}

static chaff_status add_piece(const chaff_allocator *a, gopher_work *g, size_t *n, size_t off, size_t len)
{
    if (!grow(a, (void **)&g->piece, &g->piece_cap, *n + 1, sizeof *g->piece))
        return CHAFF_E_NOMEM;
    g->piece[*n].off = off;
    g->piece[*n].len = len;
    (*n)++;
    return CHAFF_OK;
}

/* re.split(sep, s) for sep = "\n{min,}": the pieces between runs of at least
 * min newlines (runs that are shorter stay inside a piece). */
static chaff_status split_newlines(const chaff_allocator *a, gopher_work *g, const char *text,
                                   size_t b, size_t e, size_t min, size_t *n)
{
    *n = 0;
    size_t start = b, i = b;
    while (i < e) {
        const char *f = memchr(text + i, '\n', e - i);
        if (!f)
            break;
        size_t r = (size_t)(f - text), q = r;
        while (q < e && text[q] == '\n')
            q++;
        if (q - r >= min) {
            if (add_piece(a, g, n, start, r - start) != CHAFF_OK)
                return CHAFF_E_NOMEM;
            start = q;
        }
        i = q;
    }
    return add_piece(a, g, n, start, e - start);
}

static chaff_status repetition(judge *j, const chaff_allocator *a, gopher_work *g,
                               const char *text, size_t len, chaff__fwork *w, int *stop)
{
    const double *p = j->p;
    double tlen = (double)chaff__py_len(text, len);
    size_t n, dp, dc, b, e;
    chaff_status st;
    double v;

    chaff__py_strip(text, len, &b, &e);
    if ((st = split_newlines(a, g, text, b, e, 2, &n)) != CHAFF_OK ||
        (st = chaff__fdup_count(&g->dup, a, text, g->piece, n, &dp, &dc)) != CHAFF_OK)
        return st;
    v = ratio((double)dp, (double)n);
    if ((*stop = stat(j, "gopher.dup_para_frac", v, R_DUP_PARA_FRAC,
                      p[P_DUP_PARA_FRAC] != 0 && v > p[P_DUP_PARA_FRAC])))
        return CHAFF_OK;
    v = ratio((double)dc, tlen);
    if ((*stop = stat(j, "gopher.dup_para_char_frac", v, R_DUP_PARA_CHAR_FRAC,
                      p[P_DUP_PARA_CHAR_FRAC] != 0 && v > p[P_DUP_PARA_CHAR_FRAC])))
        return CHAFF_OK;

    if ((st = split_newlines(a, g, text, 0, len, 1, &n)) != CHAFF_OK ||
        (st = chaff__fdup_count(&g->dup, a, text, g->piece, n, &dp, &dc)) != CHAFF_OK)
        return st;
    v = ratio((double)dp, (double)n);
    if ((*stop = stat(j, "gopher.dup_line_frac", v, R_DUP_LINE_FRAC,
                      p[P_DUP_LINE_FRAC] != 0 && v > p[P_DUP_LINE_FRAC])))
        return CHAFF_OK;
    v = ratio((double)dc, tlen);
    if ((*stop = stat(j, "gopher.dup_line_char_frac", v, R_DUP_LINE_CHAR_FRAC,
                      p[P_DUP_LINE_CHAR_FRAC] != 0 && v > p[P_DUP_LINE_CHAR_FRAC])))
        return CHAFF_OK;

    const chaff__words *ws;
    if ((st = chaff__fwork_words(w, text, len, &ws)) != CHAFF_OK ||
        (st = prepare_words(a, g, ws)) != CHAFF_OK)
        return st;
    static const char *const top_names[3] = {
        "gopher.top_2_gram_frac", "gopher.top_3_gram_frac", "gopher.top_4_gram_frac" };
    for (size_t k = 0; k < 3; k++) {
        uint64_t chars;
        if ((st = top_ngram(a, g, ws, k + 2, &chars)) != CHAFF_OK)
            return st;
        v = ratio((double)chars, tlen);
        /* datatrove skips the rule when there is no n-gram at all */
        if ((*stop = stat(j, top_names[k], v, R_TOP_2 + (int)k,
                          ws->n >= k + 2 && v > p[P_TOP_2 + k])))
            return CHAFF_OK;
    }
    static const char *const dup_names[6] = {
        "gopher.dup_5_gram_frac", "gopher.dup_6_gram_frac", "gopher.dup_7_gram_frac",
        "gopher.dup_8_gram_frac", "gopher.dup_9_gram_frac", "gopher.dup_10_gram_frac" };
    for (size_t k = 0; k < 6; k++) {
        uint64_t chars;
        if ((st = dup_ngrams(a, g, ws, k + 5, &chars)) != CHAFF_OK)
            return st;
        v = ratio((double)chars, tlen);
        if ((*stop = stat(j, dup_names[k], v, R_DUP_5 + (int)k, v > p[P_DUP_5 + k])))
            return CHAFF_OK;
    }
    return CHAFF_OK;
}

static chaff_status gopher_eval(const double *p, const char *text, size_t len, chaff__fwork *w,
                                chaff__explain_fn ex, void *exu, chaff__fresult *res)
{
    res->rule = -1;
    res->value = 0;
    res->detail = NULL;
    int fresh;
    gopher_work *g = chaff__fwork_slot(w, CHAFF__SLOT_GOPHER, sizeof *g, gopher_work_free,
                                       &fresh);
    if (!g)
        return CHAFF_E_NOMEM;
    judge j = { p, ex, exu, res };
    const chaff__words *ws;
    chaff_status st = chaff__fwork_words(w, text, len, &ws);
    if (st != CHAFF_OK)
        return st;
    if (quality(&j, text, len, ws))
        return CHAFF_OK;
    int stop = 0;
    return repetition(&j, &w->alloc, g, text, len, w, &stop);
}

const chaff__preset chaff__preset_gopher = {
    "gopher",
    "Gopher quality and repetition rules (Rae et al. 2021), as datatrove applies them",
    rules, R_COUNT, params, P_COUNT, gopher_eval, NULL,
};
