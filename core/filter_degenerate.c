/* core/filter_degenerate.c - the degenerate preset: text that is broken rather than bad.
 *
 * Generated and scraped corpora carry text no reader could use: a model stuck in a
 * loop ("the the the ..." or one sentence twenty times), UTF-8 decoded as
 * Latin-1/CP1252 and encoded again ("cafÃ©", "donâ€™t"), text full of U+FFFD or of
 * invalid bytes, control characters, empty or absurdly long records. Each is one
 * rule. The defaults were chosen so that the Debian-docs corpus (scripts/make-corpus.sh,
 * 56,371 records of man pages, licenses, Perl docs and fortunes) loses almost
 * nothing while the generated failures of tests/test_filter_degenerate.c are all
 * dropped; each parameter's source gives the measurement.
 *
 * One pass decodes the text (counting characters, invalid bytes, U+FFFD, control
 * characters and mojibake sequences) and collects word hashes; the repeated n-gram
 * share then uses a hash set, and zstd level 1 gives the compression ratio. All
 * linear in the text; the buffers live in the thread's scratch slot and are reused.
 */
#include "filter_degenerate.h"

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_customMem, ZSTD_createCCtx_advanced */
#include <zstd.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#define SLOT CHAFF__SLOT_DEGENERATE

enum {
    R_TOO_SHORT, R_TOO_LONG, R_INVALID, R_REPLACEMENT, R_CONTROL, R_MOJIBAKE,
    R_REPETITION, R_RATIO, NRULES
};

static const char *const rules[NRULES] = {
    "degenerate.too_short", "degenerate.too_long", "degenerate.invalid_utf8",
    "degenerate.replacement_chars", "degenerate.control_chars", "degenerate.mojibake",
    "degenerate.repetition", "degenerate.compression_ratio",
};

static const chaff__fparam params[CHAFF__DEG_NPARAMS] = {
    {"degenerate.min_chars", "degenerate.too_short", 1, 0, 1e12, 1,
     "keeps every non-empty text (the Debian-docs corpus's shortest record has 2 characters)",
     "fewest characters (code points) a text may have"},
    {"degenerate.max_chars", "degenerate.too_long", 1e8, 1, 1e12, 1,
     "far above any real record (Debian-docs corpus maximum 2,948 characters); a guard, "
     "not a filter",
     "most characters (code points) a text may have"},
    {"degenerate.max_invalid_utf8", "degenerate.invalid_utf8", 0.01, 0, 1, 0,
     "corpus maximum 0 (it is decoded text); 1 bad byte in 100 is beyond a stray error",
     "largest share of bytes that are not valid UTF-8"},
    {"degenerate.max_replacement_share", "degenerate.replacement_chars", 0.01, 0, 1, 0,
     "Debian-docs corpus maximum 0; 1 in 100 characters is far past a stray decoding error",
     "largest share of characters that are U+FFFD"},
    {"degenerate.max_control_share", "degenerate.control_chars", 0.1, 0, 1, 0,
     "Debian-docs corpus: 25 fortunes use BS overstrike or BEL (shares 0.010-0.088) and "
     "are kept; 2 whose text is mostly BEL runs (0.108, 0.5) are dropped",
     "largest share of characters that are C0/C1 controls other than tab, LF, CR"},
    {"degenerate.max_mojibake_share", "degenerate.mojibake", 0.5, 0, 1, 0,
     "Debian-docs corpus: 56,367 records at 0 (p99.99 0), 4 at 1.0, all real mojibake "
     "(\"Â£5\", \"â\\x80\\x99\" in fortunes), dropped",
     "largest share of non-ASCII characters inside UTF-8-read-as-CP1252 sequences (\"Ã©\")"},
    {"degenerate.repetition_ngram", "degenerate.repetition", 5, 2, 64, 1,
     "5, Gopher's shortest duplicate n-gram (Rae et al. 2021, App. A)",
     "words per n-gram for the repeated n-gram share"},
    {"degenerate.max_repeated_share", "degenerate.repetition", 0.75, 0, 1, 0,
     "Debian-docs corpus: p99 0.31, p99.9 0.44, max 0.62; a sentence said 5 times is 0.8",
     "largest share of word bytes inside an n-gram seen earlier in the text"},
    {"degenerate.max_compression_ratio", "degenerate.compression_ratio", 10, 1, 1e6, 0,
     "Debian-docs corpus, 1,483 records >= 1 KB: p50 2.4, p99 5.3, max 6.4; "
     "a 60-byte sentence said 20 times is ~15",
     "largest size / zstd-level-1 size"},
    {"degenerate.min_ratio_bytes", "degenerate.compression_ratio", 1000, 0, 1e12, 1,
     "a choice, not a measurement: short loops are left to degenerate.repetition "
     "(the Debian-docs ratio maximum over all sizes is 6.4, so a lower bound would drop nothing more)",
     "texts shorter than this (bytes) are not judged by compression ratio"},
};

typedef struct deg_work {
    chaff_allocator alloc;       /* zstd's hooks point here */
    ZSTD_CCtx *zc;
    void *zbuf; size_t zcap;
    uint64_t *wh; uint32_t *wlen; size_t wcap;   /* word hashes and byte lengths */
    uint64_t *set; size_t setcap;                 /* n-gram hash set, 0 = empty */
} deg_work;

static void deg_free(const chaff_allocator *a, void *p)
{
    deg_work *d = p;
    ZSTD_freeCCtx(d->zc);
    chaff__free(a, d->zbuf);
    chaff__free(a, d->wh);
    chaff__free(a, d->wlen);
    chaff__free(a, d->set);
    chaff__free(a, d);
}

/* The characters CP1252 shows for the bytes 0x80-0x9F (Latin-1 shows C1 controls,
 * which the range check below covers): a UTF-8 continuation byte read that way. */
static int cont_like(uint32_t c)
{
    if (c >= 0x80 && c <= 0xbf)
        return 1;
    switch (c) {
    case 0x20ac: case 0x201a: case 0x0192: case 0x201e: case 0x2026: case 0x2020:
    case 0x2021: case 0x02c6: case 0x2030: case 0x0160: case 0x2039: case 0x0152:
    case 0x017d: case 0x2018: case 0x2019: case 0x201c: case 0x201d: case 0x2022:
    case 0x2013: case 0x2014: case 0x02dc: case 0x2122: case 0x0161: case 0x203a:
    case 0x0153: case 0x017e: case 0x0178:
        return 1;
    default:
        return 0;
    }
}

/* How many continuation characters follow a UTF-8 lead byte read as Latin-1. */
static int lead_like(uint32_t c)
{
    if (c >= 0xc2 && c <= 0xdf)
        return 1;
    if (c >= 0xe0 && c <= 0xef)
        return 2;
    if (c >= 0xf0 && c <= 0xf4)
        return 3;
    return 0;
}

/* Strict UTF-8: returns the length of the sequence at s[0..n) and its code
 * point, or 0 when s[0] does not start a valid one. */
static size_t utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
    uint8_t b = s[0];
    if (b < 0xc2 || b > 0xf4)
        return 0;
    if (b < 0xe0) {
        if (n < 2 || (s[1] & 0xc0) != 0x80)
            return 0;
        *cp = ((uint32_t)(b & 0x1f) << 6) | (s[1] & 0x3f);
        return 2;
    }
    if (b < 0xf0) {
        if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
            return 0;
        if ((b == 0xe0 && s[1] < 0xa0) || (b == 0xed && s[1] > 0x9f))
            return 0; /* overlong, surrogate */
        *cp = ((uint32_t)(b & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
        return 3;
    }
    if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
        return 0;
    if ((b == 0xf0 && s[1] < 0x90) || (b == 0xf4 && s[1] > 0x8f))
        return 0;
    *cp = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
          ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
    return 4;
}

typedef struct counts {
    size_t chars, invalid, repl, control, nonascii, moji;
    size_t nwords, wordbytes;
} counts;

/* ASCII bytes: bit 0 = blank (separates words), bit 1 = control character.
 * \f and \v are both; tab, LF and CR are blanks only. */
static const uint8_t ascii_class[128] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 3, 3, 1, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    1, [127] = 2,
};

static void add_word(deg_work *d, counts *c, const uint8_t *w, size_t n)
{
    d->wh[c->nwords] = XXH3_64bits(w, n);
    d->wlen[c->nwords++] = (uint32_t)CHAFF_MIN(n, UINT32_MAX);
    c->wordbytes += n;
}

/* One pass: character classes, mojibake sequences, and one hash per word
 * (maximal run of non-blank bytes) into d->wh / d->wlen. */
static chaff_status scan(deg_work *d, const uint8_t *s, size_t len, counts *c)
{
    memset(c, 0, sizeof *c);
    size_t maxw = len / 2 + 1;
    if (d->wcap < maxw) {
        uint64_t *wh = chaff__realloc(&d->alloc, d->wh, maxw * sizeof *wh);
        if (!wh)
            return CHAFF_E_NOMEM;
        d->wh = wh;
        uint32_t *wl = chaff__realloc(&d->alloc, d->wlen, maxw * sizeof *wl);
        if (!wl)
            return CHAFF_E_NOMEM;
        d->wlen = wl;
        d->wcap = maxw;
    }
    size_t i = 0, wstart = 0;
    int inword = 0;
    /* mojibake: characters still expected after a lead-like one, and the
     * length of the sequence so far */
    int need = 0, seq = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            /* a run of ASCII, the common case: no mojibake sequence spans it */
            need = seq = 0;
            size_t j = i, control = 0;
            /* counters in locals: the word arrays could alias *c */
            for (; j < len && s[j] < 0x80; j++) {
                uint8_t k = ascii_class[s[j]];
                control += k >> 1;
                if (k & 1) {
                    if (inword) {
                        add_word(d, c, s + wstart, j - wstart);
                        inword = 0;
                    }
                } else if (!inword) {
                    inword = 1;
                    wstart = j;
                }
            }
            c->control += control;
            c->chars += j - i;
            i = j;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_next(s + i, len - i, &cp);
        c->chars++;
        c->nonascii++;
        if (k == 0) {
            /* counted as invalid only, not as U+FFFD; it breaks a mojibake sequence */
            k = 1;
            c->invalid++;
            need = seq = 0;
        } else {
            if (cp == 0xfffd)
                c->repl++;
            else if (cp < 0xa0)
                c->control++;
            if (need && cont_like(cp)) {
                seq++;
                if (--need == 0) {
                    c->moji += (size_t)seq;
                    seq = 0;
                }
            } else if ((need = lead_like(cp)) != 0) {
                seq = 1;
            } else {
                seq = 0;
            }
        }
        /* no non-ASCII character is a word separator here */
        if (!inword) {
            inword = 1;
            wstart = i;
        }
        i += k;
    }
    if (inword)
        add_word(d, c, s + wstart, len - wstart);
    return CHAFF_OK;
}

/* Share of word bytes inside an n-gram of words that occurred earlier in the
 * text; each word counts once however many repeated n-grams cover it. */
static chaff_status repeated_share(deg_work *d, const counts *c, size_t n, double *out)
{
    *out = 0;
    if (c->nwords < n || c->wordbytes == 0)
        return CHAFF_OK;
    size_t ng = c->nwords - n + 1, cap = 16;
    while (cap < 2 * ng)
        cap *= 2;
    if (d->setcap < cap) {
        uint64_t *set = chaff__realloc(&d->alloc, d->set, cap * sizeof *set);
        if (!set)
            return CHAFF_E_NOMEM;
        d->set = set;
        d->setcap = cap;
    }
    memset(d->set, 0, cap * sizeof *d->set);
    size_t covered = 0, dup = 0, mask = cap - 1;
    for (size_t i = 0; i < ng; i++) {
        uint64_t h = XXH3_64bits(d->wh + i, n * sizeof *d->wh);
        h += !h;
        size_t j = (size_t)(h ^ (h >> 29)) & mask;
        int seen = 0;
        while (d->set[j]) {
            if (d->set[j] == h) {
                seen = 1;
                break;
            }
            j = (j + 1) & mask;
        }
        if (!seen) {
            d->set[j] = h;
            continue;
        }
        for (size_t w = CHAFF_MAX(i, covered); w < i + n; w++)
            dup += d->wlen[w];
        covered = i + n;
    }
    *out = (double)dup / (double)c->wordbytes;
    return CHAFF_OK;
}

static chaff_status ratio_of(deg_work *d, const char *text, size_t len, double *out)
{
    *out = 0;
    if (!len)
        return CHAFF_OK;
    if (!d->zc) {
        ZSTD_customMem mem = { chaff__zstd_alloc, chaff__zstd_free, &d->alloc };
        d->zc = ZSTD_createCCtx_advanced(mem);
        if (!d->zc)
            return CHAFF_E_NOMEM;
    }
    size_t bound = ZSTD_compressBound(len);
    if (d->zcap < bound) {
        void *nb = chaff__realloc(&d->alloc, d->zbuf, bound);
        if (!nb)
            return CHAFF_E_NOMEM;
        d->zbuf = nb;
        d->zcap = bound;
    }
    size_t z = ZSTD_compressCCtx(d->zc, d->zbuf, d->zcap, text, len, 1);
    if (ZSTD_isError(z))
        return CHAFF_E_NOMEM; /* dst has the bound, so only allocation can fail */
    *out = (double)len / (double)z;
    return CHAFF_OK;
}

static chaff_status eval(const double *p, const char *text, size_t len, chaff__fwork *w,
                         chaff__explain_fn ex, void *exu, chaff__fresult *res)
{
    res->rule = -1;
    res->value = 0;
    res->detail = NULL;
    int fresh;
    deg_work *d = chaff__fwork_slot(w, SLOT, sizeof *d, deg_free, &fresh);
    if (!d)
        return CHAFF_E_NOMEM;
    if (fresh)
        d->alloc = w->alloc;
    counts c;
    chaff_status st = scan(d, (const uint8_t *)text, len, &c);
    if (st != CHAFF_OK)
        return st;
    double v[NRULES];
    int fail[NRULES];
    double chars = c.chars ? (double)c.chars : 1;
    v[R_TOO_SHORT] = v[R_TOO_LONG] = (double)c.chars;
    fail[R_TOO_SHORT] = (double)c.chars < p[CHAFF__DEG_MIN_CHARS];
    fail[R_TOO_LONG] = (double)c.chars > p[CHAFF__DEG_MAX_CHARS];
    v[R_INVALID] = len ? (double)c.invalid / (double)len : 0;
    fail[R_INVALID] = v[R_INVALID] > p[CHAFF__DEG_MAX_INVALID];
    v[R_REPLACEMENT] = (double)c.repl / chars;
    fail[R_REPLACEMENT] = v[R_REPLACEMENT] > p[CHAFF__DEG_MAX_REPLACEMENT];
    v[R_CONTROL] = (double)c.control / chars;
    fail[R_CONTROL] = v[R_CONTROL] > p[CHAFF__DEG_MAX_CONTROL];
    v[R_MOJIBAKE] = c.nonascii ? (double)c.moji / (double)c.nonascii : 0;
    fail[R_MOJIBAKE] = v[R_MOJIBAKE] > p[CHAFF__DEG_MAX_MOJIBAKE];
    for (int r = 0; r < R_REPETITION; r++)
        if (fail[r] && !ex) {
            res->rule = r;
            res->value = v[r];
            return CHAFF_OK;
        }
    st = repeated_share(d, &c, (size_t)p[CHAFF__DEG_NGRAM], &v[R_REPETITION]);
    if (st != CHAFF_OK)
        return st;
    fail[R_REPETITION] = v[R_REPETITION] > p[CHAFF__DEG_MAX_REPEATED];
    v[R_RATIO] = 0;
    fail[R_RATIO] = 0;
    int judge_ratio = (double)len >= p[CHAFF__DEG_MIN_RATIO_BYTES];
    if (judge_ratio || ex) {
        st = ratio_of(d, text, len, &v[R_RATIO]);
        if (st != CHAFF_OK)
            return st;
        fail[R_RATIO] = judge_ratio && v[R_RATIO] > p[CHAFF__DEG_MAX_RATIO];
    }
    if (ex) {
        static const char *const names[NRULES] = {
            "degenerate.chars", "degenerate.chars", "degenerate.invalid_utf8_share",
            "degenerate.replacement_share", "degenerate.control_share",
            "degenerate.mojibake_share", "degenerate.repeated_share",
            "degenerate.compression_ratio",
        };
        for (int r = 1; r < NRULES; r++)
            ex(exu, names[r], v[r]);
    }
    for (int r = 0; r < NRULES; r++)
        if (fail[r]) {
            res->rule = r;
            res->value = v[r];
            break;
        }
    return CHAFF_OK;
}

const chaff__preset chaff__preset_degenerate = {
    "degenerate",
    "repetition loops, mojibake, U+FFFD and invalid UTF-8, control characters, length bounds",
    rules, NRULES,
    params, CHAFF__DEG_NPARAMS,
    eval, NULL,
};
