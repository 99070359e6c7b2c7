/* cli/gen.c - the corpus `chaff bench` runs on: pseudo-text with planted near-duplicates.
 *
 * The text is made of pseudo-words built from syllables and drawn with a Zipf-like
 * frequency, so the tokenizer, the hashes and the index see what they see on
 * real prose (a few very common short words, a long tail of rare longer ones)
 * while no third-party text is needed. Base documents are 60-90 words in
 * sentences, about 450 bytes of JSONL each, the record size of the datasketch
 * reference figure the performance budget is stated against.
 *
 * A share of the base documents get 1-4 copies, each made by one kind of edit
 * (see gen.h) sized to aim at a Jaccard drawn from [0.55, 1]. Aiming is rough,
 * because a changed word changes up to n shingles, so the Jaccard of every pair
 * in a cluster is then computed exactly from the rendered text with the
 * library's text model, re-implemented here for ASCII: lowercase, words are runs
 * of letters and digits, shingles are the n-word windows (one shingle of all the
 * words when there are fewer than n). Records are shuffled so that copies land
 * far from their sources, as they do in crawled data.
 *
 * Every record is a pure function of (seed, base document, copy number): the
 * truth is computed cluster by cluster and the JSONL is written in stream order
 * by rendering each record again, so only the output itself is ever held.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gen.h"

#define VOCAB 30000          /* distinct words */
#define MAXW 400             /* words in a document after any edit */
#define MAXTEXT (MAXW * 24)  /* rendered bytes: words have at most 18 letters, plus punctuation */
#define MAX_COPIES 4

/* ---- a small deterministic random source (splitmix64) ---- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t next64(rng *r)
{
    return mix64(r->s += 0x9E3779B97F4A7C15ull);
}

static uint32_t below(rng *r, uint32_t n)
{
    return (uint32_t)(((next64(r) >> 32) * (uint64_t)n) >> 32);
}

static double unit(rng *r)
{
    return (double)(next64(r) >> 11) * 0x1p-53;
}

/* Independent streams: one per purpose, one per document. */
enum { TAG_VOCAB = 1, TAG_LAYOUT, TAG_BASE, TAG_COPY };

static rng rng_for(uint64_t seed, uint64_t tag, uint64_t a, uint64_t b)
{
    rng r = { mix64(mix64(mix64(seed ^ mix64(tag)) ^ a) + b) };
    return r;
}

/* ---- vocabulary ---- */

typedef struct vocab {
    char *chars;             /* the words, back to back */
    uint32_t off[VOCAB];
    uint8_t len[VOCAB];
    double cdf[VOCAB];       /* cumulative Zipf weights 1/(rank+1) */
} vocab;

static const char *const onsets[] = { "",   "b",  "c",  "d",  "f",  "g",  "h",  "j",  "k",  "l",
                                      "m",  "n",  "p",  "r",  "s",  "t",  "v",  "w",  "y",  "z",
                                      "br", "ch", "cr", "dr", "fl", "gl", "gr", "pl", "pr", "sc",
                                      "sh", "sl", "sp", "st", "th", "tr", "wh" };
static const char *const nuclei[] = { "a", "e", "i", "o", "u",  "a",  "e",  "i",  "o",
                                      "a", "e", "o", "y", "ai", "ea", "ee", "oo", "ou" };
static const char *const codas[] = { "",  "",  "",  "",  "",  "",  "",   "n",  "r",  "s",
                                     "t", "l", "m", "d", "n", "s", "ng", "nd", "st", "rk" };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void append(char *w, size_t *n, const char *s)
{
    size_t k = strlen(s);
    memcpy(w + *n, s, k);
    *n += k;
}

/* Common words are short, as in every language; a few ranks are numbers. */
static size_t spell(rng *r, uint32_t rank, char *w)
{
    size_t n = 0;
    if (rank > 200 && rank % 61 == 17) {
        unsigned long v = 1 + below(r, rank % 2 ? 999 : 9999); /* ~500 numbers in all */
        char tmp[8];
        size_t k = 0;
        do
            tmp[k++] = (char)('0' + v % 10);
        while (v /= 10);
        while (k)
            w[n++] = tmp[--k];
        return n;
    }
    if (rank < 60) { /* the, of, a, in: one plain syllable */
        append(w, &n, onsets[below(r, 20)]);
        append(w, &n, nuclei[below(r, 5)]);
        if (unit(r) < 0.5)
            append(w, &n, codas[below(r, COUNT(codas))]);
        return n;
    }
    unsigned syl = rank < 300 ? 1 : rank < 3000 ? 1 + (unit(r) < 0.6) : 2 + (unit(r) < 0.3);
    for (unsigned s = 0; s < syl; s++) {
        append(w, &n, onsets[below(r, COUNT(onsets))]);
        append(w, &n, nuclei[below(r, COUNT(nuclei))]);
        append(w, &n, codas[below(r, COUNT(codas))]);
    }
    return n;
}

static int vocab_build(vocab *v, uint64_t seed)
{
    /* Open addressing over word numbers keeps the words distinct, so that the
     * Zipf frequencies are the frequencies of the strings. */
    enum { SLOTS = 1 << 16 };
    uint32_t *slot = calloc(SLOTS, sizeof *slot);
    v->chars = malloc((size_t)VOCAB * 20); /* at most 3 syllables of 6 letters */
    if (!slot || !v->chars) {
        free(slot);
        free(v->chars);
        v->chars = NULL;
        return -1;
    }
    rng r = rng_for(seed, TAG_VOCAB, 0, 0);
    size_t used = 0;
    double sum = 0;
    for (uint32_t k = 0; k < VOCAB; k++) {
        char w[32];
        size_t n;
        for (;;) {
            n = spell(&r, k, w);
            uint64_t h = 1469598103934665603ull;
            for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char)w[i]) * 1099511628211ull;
            size_t s = mix64(h) & (SLOTS - 1);
            while (slot[s] && !(v->len[slot[s] - 1] == n &&
                                !memcmp(v->chars + v->off[slot[s] - 1], w, n)))
                s = (s + 1) & (SLOTS - 1);
            if (!slot[s]) {
                slot[s] = k + 1;
                break;
            }
        }
        memcpy(v->chars + used, w, n);
        v->off[k] = (uint32_t)used;
        v->len[k] = (uint8_t)n;
        used += n;
        sum += 1.0 / (k + 1);
        v->cdf[k] = sum;
    }
    free(slot);
    return 0;
}

static uint32_t zipf(const vocab *v, rng *r)
{
    double u = unit(r) * v->cdf[VOCAB - 1];
    uint32_t lo = 0, hi = VOCAB - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (v->cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* ---- documents: words, with the places where sentences end ---- */

typedef struct doc {
    unsigned n;
    uint32_t w[MAXW];
    uint8_t end[MAXW];       /* 1: a sentence ends after this word */
} doc;

static void base_doc(const vocab *v, uint64_t seed, uint64_t base, doc *d)
{
    rng r = rng_for(seed, TAG_BASE, base, 0);
    d->n = 60 + below(&r, 31);
    for (unsigned i = 0; i < d->n; i++) {
        d->w[i] = zipf(v, &r);
        d->end[i] = 0;
    }
    for (unsigned pos = 0; pos < d->n;) {
        unsigned len = 5 + below(&r, 12);
        if (pos + len + 3 > d->n)
            len = d->n - pos; /* no stub sentence at the end */
        pos += len;
        d->end[pos - 1] = 1;
    }
}

static unsigned shingles_of(unsigned words, unsigned k)
{
    return words == 0 ? 0 : words < k ? 1 : words - k + 1;
}

static void insert_words(const vocab *v, rng *r, doc *d, unsigned at, unsigned count)
{
    if (d->n + count > MAXW)
        count = MAXW - d->n;
    memmove(d->w + at + count, d->w + at, (d->n - at) * sizeof *d->w);
    memmove(d->end + at + count, d->end + at, d->n - at);
    for (unsigned i = 0; i < count; i++) {
        d->w[at + i] = zipf(v, r);
        d->end[at + i] = 0;
    }
    d->n += count;
}

static void delete_words(doc *d, unsigned at, unsigned count)
{
    int ended = 0;
    if (count >= d->n)
        return; /* a document keeps at least one word */
    for (unsigned i = at; i < at + count; i++)
        ended |= d->end[i];
    memmove(d->w + at, d->w + at + count, (d->n - at - count) * sizeof *d->w);
    memmove(d->end + at, d->end + at + count, d->n - at - count);
    d->n -= count;
    if (ended && at > 0)
        d->end[at - 1] = 1; /* the sentence that lost its end ends early */
    d->end[d->n - 1] = 1;
}

static void edit_substitute(const vocab *v, rng *r, doc *d, double t, unsigned k)
{
    /* Each replaced word takes up to k shingles out and puts k new ones in. */
    double s = shingles_of(d->n, k);
    unsigned m = (unsigned)(s * (1 - t) / (k * (1 + t)) + 0.5);
    if (m < 1)
        m = 1;
    for (unsigned i = 0; i < m; i++) {
        unsigned at = below(r, d->n);
        uint32_t w;
        do
            w = zipf(v, r);
        while (w == d->w[at]);
        d->w[at] = w;
    }
}

static void edit_insert(const vocab *v, rng *r, doc *d, double t, unsigned k)
{
    /* g runs of words in total count: k-1 shingles lost per run, count + g(k-1) new. */
    unsigned g = 1 + below(r, 2);
    double s = shingles_of(d->n, k), lost = (double)g * (k - 1);
    double want = (s - lost) / t - s - lost;
    unsigned count = want < g ? g : (unsigned)(want + 0.5);
    for (unsigned i = 0; i < g; i++) {
        unsigned part = i + 1 < g ? count / g : count - (g - 1) * (count / g);
        insert_words(v, r, d, 1 + below(r, d->n - 1), part);
    }
}

static void edit_delete(rng *r, doc *d, double t, unsigned k)
{
    /* g runs removed, count words in all: count + g(k-1) shingles lost, g(k-1) new. */
    if (d->n <= 2 * k)
        return;
    unsigned g = 1 + below(r, 2);
    double s = shingles_of(d->n, k), lost = (double)g * (k - 1);
    double want = s - lost - t * (s + lost);
    unsigned count = want < g ? g : (unsigned)(want + 0.5);
    if (count + 2 * k > d->n)
        count = d->n - 2 * k;
    for (unsigned i = 0; i < g && count; i++) {
        unsigned part = i + 1 < g ? count / g : count - (g - 1) * (count / g);
        if (!part)
            continue;
        delete_words(d, below(r, d->n - part + 1), part);
    }
}

static void edit_truncate(rng *r, doc *d, double t, unsigned k)
{
    /* A prefix (or suffix) of L words keeps L-k+1 of the shingles and adds none. */
    if (d->n < 2)
        return;
    double s = shingles_of(d->n, k);
    unsigned keep = (unsigned)(t * s + 0.5) + k - 1;
    if (keep < 2 * k)
        keep = 2 * k;
    if (keep >= d->n)
        keep = d->n - 1;
    if (unit(r) < 0.25)
        delete_words(d, 0, d->n - keep); /* the start lost, as in a clipped scrape */
    else
        delete_words(d, keep, d->n - keep);
}

static unsigned sentences(const doc *d, unsigned *start)
{
    unsigned ns = 0;
    for (unsigned i = 0; i < d->n; i++)
        if (i == 0 || d->end[i - 1])
            start[ns++] = i;
    start[ns] = d->n;
    return ns;
}

static void edit_reorder(rng *r, doc *d, double t)
{
    unsigned start[MAXW + 1], order[MAXW];
    unsigned ns = sentences(d, start);
    if (ns < 2)
        return;
    for (unsigned i = 0; i < ns; i++)
        order[i] = i;
    if (t >= 0.85 || ns < 3) {
        /* Rotating at one boundary only changes the shingles across two joins. */
        unsigned cut = 1 + below(r, ns - 1);
        for (unsigned i = 0; i < ns; i++)
            order[i] = (i + cut) % ns;
    } else {
        /* Each moved sentence changes the shingles across three joins. */
        unsigned moves = 1 + (unsigned)((0.85 - t) / 0.1 + 0.5);
        for (unsigned m = 0; m < moves; m++) {
            unsigned from = below(r, ns), to = below(r, ns);
            unsigned x = order[from];
            memmove(order + from, order + from + 1, (ns - from - 1) * sizeof *order);
            memmove(order + to + 1, order + to, (ns - 1 - to) * sizeof *order);
            order[to] = x;
        }
    }
    doc out;
    out.n = 0;
    for (unsigned i = 0; i < ns; i++)
        for (unsigned j = start[order[i]]; j < start[order[i] + 1]; j++) {
            out.w[out.n] = d->w[j];
            out.end[out.n++] = j + 1 == start[order[i] + 1];
        }
    *d = out;
}

static unsigned pick_edit(rng *r)
{
    static const unsigned weight[GEN_EDITS] = { 16, 16, 16, 16, 16, 12, 8 };
    unsigned x = below(r, 100);
    for (unsigned e = 0; e < GEN_EDITS; e++) {
        if (x < weight[e])
            return e;
        x -= weight[e];
    }
    return GEN_SUBSTITUTE;
}

static void apply_edit(const vocab *v, rng *r, doc *d, unsigned edit, double t, unsigned k)
{
    switch (edit) {
    case GEN_SUBSTITUTE:
        edit_substitute(v, r, d, t, k);
        break;
    case GEN_INSERT:
        edit_insert(v, r, d, t, k);
        break;
    case GEN_DELETE:
        edit_delete(r, d, t, k);
        break;
    case GEN_TRUNCATE:
        edit_truncate(r, d, t, k);
        break;
    case GEN_REORDER:
        edit_reorder(r, d, t);
        break;
    default:
        break;
    }
}

/* ---- rendering: words -> prose ---- */

typedef struct text {
    char buf[MAXTEXT];
    size_t len;
} text;

static void put(text *o, const char *s, size_t n)
{
    if (o->len + n <= sizeof o->buf) {
        memcpy(o->buf + o->len, s, n);
        o->len += n;
    }
}

static void put_word(text *o, const vocab *v, uint32_t w, int cap_first, int all_caps)
{
    size_t at = o->len;
    put(o, v->chars + v->off[w], v->len[w]);
    for (size_t i = at; i < o->len; i++)
        if ((all_caps || (cap_first && i == at)) && o->buf[i] >= 'a' && o->buf[i] <= 'z')
            o->buf[i] = (char)(o->buf[i] - 'a' + 'A');
}

/* Sentences start with a capital and end with a stop; some words take a comma
 * or quotes, some sentences start a paragraph. A reformatted copy has the same
 * words with other case, punctuation and spacing, so its normalised text is the
 * source's: an exact duplicate that is not byte-identical. */
static void render(const vocab *v, rng *r, const doc *d, int reformat, text *o)
{
    o->len = 0;
    int sentence_start = 1;
    for (unsigned i = 0; i < d->n; i++) {
        int quoted = !reformat && unit(r) < 0.01;
        if (quoted)
            put(o, "\"", 1);
        if (reformat)
            put_word(o, v, d->w[i], unit(r) < 0.5, unit(r) < 0.1);
        else
            put_word(o, v, d->w[i], sentence_start, 0);
        if (quoted)
            put(o, "\"", 1);
        sentence_start = d->end[i];
        int last = i + 1 == d->n;
        if (reformat) {
            static const char *const sep[] = { " ", "  ", " - ", "; ", ", ", " / " };
            const char *s = last ? "" : sep[below(r, COUNT(sep))];
            put(o, s, strlen(s));
        } else if (d->end[i]) {
            double u = unit(r);
            put(o, u < 0.05 ? "?" : u < 0.08 ? "!" : ".", 1);
            if (!last) {
                if (unit(r) < 0.1)
                    put(o, "\n\n", 2);
                else
                    put(o, " ", 1);
            }
        } else {
            if (unit(r) < 0.07)
                put(o, ",", 1);
            put(o, " ", 1);
        }
    }
}

/* Record (base, copy): copy 0 is the base document itself. */
static unsigned make_record(const vocab *v, const gen_params *p, uint64_t base, unsigned copy,
                            text *o)
{
    doc d;
    base_doc(v, p->seed, base, &d);
    if (copy == 0) {
        rng r = rng_for(p->seed, TAG_BASE, base, 1);
        render(v, &r, &d, 0, o);
        return GEN_EDITS;
    }
    rng r = rng_for(p->seed, TAG_COPY, base, copy);
    unsigned edit = pick_edit(&r);
    double t = 0.55 + 0.45 * unit(&r);
    if (edit == GEN_MIXED) {
        /* Two edits, each aiming at sqrt(t), together at about t. */
        double each = sqrt(t);
        unsigned e1 = below(&r, GEN_REORDER + 1), e2 = below(&r, GEN_REORDER);
        if (e2 >= e1)
            e2++;
        apply_edit(v, &r, &d, e1, each, p->ngram);
        apply_edit(v, &r, &d, e2, each, p->ngram);
    } else {
        apply_edit(v, &r, &d, edit, t, p->ngram);
    }
    render(v, &r, &d, edit == GEN_REFORMAT, o);
    return edit;
}

/* ---- the text model: text -> sorted distinct shingle hashes ---- */

static int word_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* 64-bit hashes: two ~80-shingle sets collide with odds of about 2^-51, and
 * gen_check_truth() recounts without hashes anyway. */
static size_t shingle_set(const char *s, size_t len, unsigned k, uint64_t *out)
{
    uint64_t wh[MAXW + 8];
    size_t nw = 0;
    for (size_t i = 0; i < len;) {
        if (!word_char((unsigned char)s[i])) {
            i++;
            continue;
        }
        uint64_t h = 1469598103934665603ull;
        for (; i < len && word_char((unsigned char)s[i]); i++) {
            unsigned char c = (unsigned char)s[i];
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c - 'A' + 'a');
            h = (h ^ c) * 1099511628211ull;
        }
        if (nw < COUNT(wh))
            wh[nw++] = mix64(h);
    }
    size_t ns = 0;
    if (nw == 0)
        return 0;
    size_t win = nw < k ? nw : k;
    for (size_t i = 0; i + win <= nw; i++) {
        uint64_t h = win;
        for (size_t j = 0; j < win; j++)
            h = mix64(h ^ wh[i + j]);
        out[ns++] = h;
    }
    /* insertion sort: about 80 values, mostly fine */
    for (size_t i = 1; i < ns; i++) {
        uint64_t x = out[i];
        size_t j = i;
        for (; j > 0 && out[j - 1] > x; j--)
            out[j] = out[j - 1];
        out[j] = x;
    }
    size_t m = 0;
    for (size_t i = 0; i < ns; i++)
        if (m == 0 || out[m - 1] != out[i])
            out[m++] = out[i];
    return m;
}

static uint32_t intersect(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0;
    uint32_t inter = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j])
            i++;
        else if (b[j] < a[i])
            j++;
        else {
            inter++;
            i++;
            j++;
        }
    }
    return inter;
}

/* ---- building ---- */

const char *gen_edit_name(unsigned edit)
{
    static const char *const names[GEN_EDITS] = { "substitute", "insert",  "delete",  "truncate",
                                                  "reorder",    "mixed",   "reformat" };
    return edit < GEN_EDITS ? names[edit] : "none";
}

static int pair_cmp(const void *x, const void *y)
{
    const gen_pair *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

/* JSON string body: the renderer only writes printable ASCII, quotes and '\n'. */
static size_t escape(const text *t, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->buf[i];
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = c;
        } else if (c == '\n') {
            out[n++] = '\\';
            out[n++] = 'n';
        } else {
            out[n++] = c;
        }
    }
    return n;
}

typedef struct layout {
    uint32_t *base;          /* per entry (base-major order): its base document */
    uint8_t *copy;           /* per entry: 0 for the base document, else the copy number */
    uint32_t *pos;           /* per entry: its place in the stream */
    uint32_t *entry;         /* per place in the stream: the entry written there */
} layout;

static void layout_free(layout *l)
{
    free(l->base);
    free(l->copy);
    free(l->pos);
    free(l->entry);
}

/* Which records exist, and in what order. */
static int plan(const gen_params *p, gen_corpus *c, layout *l)
{
    size_t n = p->records;
    l->base = malloc(n * sizeof *l->base);
    l->copy = malloc(n);
    l->pos = malloc(n * sizeof *l->pos);
    l->entry = malloc(n * sizeof *l->entry);
    if (!l->base || !l->copy || !l->pos || !l->entry)
        return -1;
    rng r = rng_for(p->seed, TAG_LAYOUT, 0, 0);
    size_t e = 0;
    uint32_t b = 0;
    while (e < n) {
        unsigned copies = 0;
        if (n - e >= 2 && unit(&r) < p->dup_share) {
            copies = 1 + below(&r, MAX_COPIES);
            if (copies > n - e - 1)
                copies = (unsigned)(n - e - 1);
            c->clusters++;
            c->copies += copies;
        }
        for (unsigned k = 0; k <= copies; k++) {
            l->base[e] = b;
            l->copy[e++] = (uint8_t)k;
        }
        b++;
    }
    c->bases = b;
    for (size_t i = 0; i < n; i++)
        l->entry[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = below(&r, (uint32_t)i);
        uint32_t x = l->entry[i - 1];
        l->entry[i - 1] = l->entry[j];
        l->entry[j] = x;
    }
    for (size_t i = 0; i < n; i++)
        l->pos[l->entry[i]] = (uint32_t)i;
    return 0;
}

/* Exact Jaccard of every pair inside every cluster. */
static int truth(const vocab *v, const gen_params *p, gen_corpus *c, const layout *l, text *t)
{
    size_t cap = c->copies * 4 + 16, npairs = 0;
    gen_pair *pairs = malloc(cap * sizeof *pairs);
    uint64_t(*sets)[MAXW + 8] = malloc((MAX_COPIES + 1) * sizeof *sets);
    if (!pairs || !sets) {
        free(pairs);
        free(sets);
        return -1;
    }
    size_t size[MAX_COPIES + 1];
    for (size_t e = 0; e < c->n;) {
        size_t members = 1;
        while (e + members < c->n && l->base[e + members] == l->base[e])
            members++;
        if (members > 1) {
            for (size_t m = 0; m < members; m++) {
                unsigned edit = make_record(v, p, l->base[e], (unsigned)m, t);
                if (m)
                    c->copies_by_edit[edit]++;
                size[m] = shingle_set(t->buf, t->len, p->ngram, sets[m]);
            }
            for (size_t i = 0; i < members; i++)
                for (size_t j = i + 1; j < members; j++) {
                    if (npairs == cap) {
                        cap *= 2;
                        gen_pair *grown = realloc(pairs, cap * sizeof *pairs);
                        if (!grown) {
                            free(pairs);
                            free(sets);
                            return -1;
                        }
                        pairs = grown;
                    }
                    uint32_t a = l->pos[e + i], b = l->pos[e + j];
                    gen_pair *q = &pairs[npairs++];
                    q->a = a < b ? a : b;
                    q->b = a < b ? b : a;
                    q->inter = intersect(sets[i], size[i], sets[j], size[j]);
                    q->uni = (uint32_t)(size[i] + size[j]) - q->inter;
                    q->copy_source = i == 0;
                }
        }
        e += members;
    }
    free(sets);
    if (npairs > 1)
        qsort(pairs, npairs, sizeof *pairs, pair_cmp);
    c->pairs = pairs;
    c->npairs = npairs;
    return 0;
}

static int write_jsonl(const vocab *v, const gen_params *p, gen_corpus *c, const layout *l,
                       text *t)
{
    size_t cap = c->n * 560 + 4096;
    c->jsonl = malloc(cap);
    c->off = malloc(c->n * sizeof *c->off);
    c->len = malloc(c->n * sizeof *c->len);
    if (!c->jsonl || !c->off || !c->len)
        return -1;
    size_t used = 0;
    for (size_t i = 0; i < c->n; i++) {
        uint32_t e = l->entry[i];
        make_record(v, p, l->base[e], l->copy[e], t);
        size_t need = 2 * t->len + 16;
        if (used + need > cap) {
            cap = cap + cap / 2 + need;
            char *grown = realloc(c->jsonl, cap);
            if (!grown)
                return -1;
            c->jsonl = grown;
        }
        c->off[i] = used;
        memcpy(c->jsonl + used, "{\"text\":\"", 9);
        size_t n = 9 + escape(t, c->jsonl + used + 9);
        memcpy(c->jsonl + used + n, "\"}", 2);
        n += 2;
        c->len[i] = (uint32_t)n;
        c->jsonl[used + n] = '\n';
        used += n + 1;
    }
    c->bytes = used;
    return 0;
}

void gen_free(gen_corpus *c)
{
    free(c->jsonl);
    free(c->off);
    free(c->len);
    free(c->pairs);
    memset(c, 0, sizeof *c);
}

int gen_build(gen_corpus *c, const gen_params *p)
{
    memset(c, 0, sizeof *c);
    c->n = p->records;
    vocab *v = calloc(1, sizeof *v);
    text *t = malloc(sizeof *t);
    layout l = { 0 };
    int rc = -1;
    if (v && t && !vocab_build(v, p->seed) && !plan(p, c, &l) && !truth(v, p, c, &l, t) &&
        !write_jsonl(v, p, c, &l, t))
        rc = 0;
    layout_free(&l);
    if (v)
        free(v->chars);
    free(v);
    free(t);
    if (rc)
        gen_free(c);
    return rc;
}

const gen_pair *gen_find_pair(const gen_corpus *c, uint64_t a, uint64_t b)
{
    gen_pair key = { (uint32_t)(a < b ? a : b), (uint32_t)(a < b ? b : a), 0, 0, 0 };
    if (!c->npairs)
        return NULL;
    return bsearch(&key, c->pairs, c->npairs, sizeof key, pair_cmp);
}

/* ---- the independent recount ---- */

typedef struct sh_entry {
    const char *s;           /* the shingle: its words joined by one space */
    uint32_t len;
    uint32_t rec;
} sh_entry;

static int sh_cmp(const void *x, const void *y)
{
    const sh_entry *p = x, *q = y;
    size_t n = p->len < q->len ? p->len : q->len;
    int d = memcmp(p->s, q->s, n);
    if (d)
        return d;
    if (p->len != q->len)
        return p->len < q->len ? -1 : 1;
    return p->rec < q->rec ? -1 : p->rec > q->rec;
}

static int u64_cmp(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* p with room for need items (p itself when it has it), or NULL with p unchanged. */
static void *grow(void *p, size_t *cap, size_t need, size_t each)
{
    if (p && need <= *cap)
        return p;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    void *q = realloc(p, n * each);
    if (q)
        *cap = n;
    return q;
}

int gen_check_truth(const gen_corpus *c, const char *const *texts, const size_t *lens,
                    unsigned k, double limit, gen_check *out)
{
    memset(out, 0, sizeof *out);
    size_t total = 0;
    for (size_t i = 0; i < c->n; i++)
        total += lens[i] + 1;
    /* norm: every record's words, lowercased, joined by one space. A shingle is
     * then a substring of it, so shingles are compared as strings, not hashes. */
    char *norm = malloc(total + 1);
    uint32_t *size = calloc(c->n ? c->n : 1, sizeof *size);
    uint8_t *seen = calloc(c->npairs ? c->npairs : 1, 1);
    size_t *wstart = malloc((total / 2 + 2) * sizeof *wstart);
    sh_entry *sh = NULL;
    uint64_t *keys = NULL;
    size_t nsh = 0, sh_cap = 0, nkeys = 0, keys_cap = 0;
    int rc = -1;
    if (!norm || !size || !seen || !wstart)
        goto done;
    size_t used = 0;
    for (size_t r = 0; r < c->n; r++) {
        const char *s = texts[r];
        size_t nw = 0;
        int in_word = 0;
        for (size_t i = 0; i < lens[r]; i++) {
            unsigned char ch = (unsigned char)s[i];
            if (ch >= 0x80) {
                snprintf(out->problem, sizeof out->problem,
                         "record %zu: non-ASCII text, which this check does not model", r);
                rc = 1;
                goto done;
            }
            int letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
            if (!letter && !(ch >= '0' && ch <= '9')) {
                in_word = 0;
                continue;
            }
            if (!in_word) {
                if (nw)
                    norm[used++] = ' ';
                wstart[nw++] = used;
                in_word = 1;
            }
            norm[used++] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
        }
        if (nw == 0)
            continue;
        size_t win = nw < k ? nw : k;
        sh_entry *more_sh = grow(sh, &sh_cap, nsh + nw, sizeof *sh);
        if (!more_sh)
            goto done;
        sh = more_sh;
        for (size_t i = 0; i + win <= nw; i++) {
            size_t end = i + win < nw ? wstart[i + win] - 1 : used;
            sh[nsh].s = norm + wstart[i];
            sh[nsh].len = (uint32_t)(end - wstart[i]);
            sh[nsh++].rec = (uint32_t)r;
        }
    }
    if (nsh > 1)
        qsort(sh, nsh, sizeof *sh, sh_cmp);
    /* Distinct shingles per record, then one key per pair of records per shared shingle. */
    size_t m = 0;
    for (size_t i = 0; i < nsh; i++)
        if (m == 0 || sh_cmp(&sh[m - 1], &sh[i]))
            sh[m++] = sh[i];
    nsh = m;
    for (size_t i = 0; i < nsh; i++)
        size[sh[i].rec]++;
    for (size_t i = 0; i < nsh;) {
        size_t j = i + 1;
        while (j < nsh && sh[j].len == sh[i].len && !memcmp(sh[j].s, sh[i].s, sh[i].len))
            j++;
        for (size_t x = i; x < j; x++)
            for (size_t y = x + 1; y < j; y++) {
                uint64_t *more_keys = grow(keys, &keys_cap, nkeys + 1, sizeof *keys);
                if (!more_keys)
                    goto done;
                keys = more_keys;
                keys[nkeys++] = (uint64_t)sh[x].rec << 32 | sh[y].rec;
            }
        i = j;
    }
    if (nkeys > 1)
        qsort(keys, nkeys, sizeof *keys, u64_cmp);
    rc = 0;
    for (size_t i = 0; i < nkeys;) {
        size_t j = i + 1;
        while (j < nkeys && keys[j] == keys[i])
            j++;
        uint32_t a = (uint32_t)(keys[i] >> 32), b = (uint32_t)keys[i];
        uint32_t inter = (uint32_t)(j - i), uni = size[a] + size[b] - inter;
        double jac = (double)inter / uni;
        out->pairs_sharing++;
        const gen_pair *p = gen_find_pair(c, a, b);
        if (p) {
            seen[p - c->pairs] = 1;
            if (p->inter != inter || p->uni != uni) {
                if (!out->planted_bad++)
                    snprintf(out->problem, sizeof out->problem,
                             "records %u and %u: planted J = %u/%u, recounted %u/%u", a, b,
                             p->inter, p->uni, inter, uni);
                rc = 1;
            }
        } else {
            if (jac > out->max_unplanted)
                out->max_unplanted = jac;
            if (jac >= limit) {
                if (!out->unplanted_over++ && !out->problem[0])
                    snprintf(out->problem, sizeof out->problem,
                             "records %u and %u were not planted but have J = %u/%u = %.4f", a,
                             b, inter, uni, jac);
                rc = 1;
            }
        }
        i = j;
    }
    for (size_t i = 0; i < c->npairs; i++)
        if (!seen[i] && c->pairs[i].inter) {
            if (!out->planted_bad++ && !out->problem[0])
                snprintf(out->problem, sizeof out->problem,
                         "records %u and %u: planted J = %u/%u, recounted 0", c->pairs[i].a,
                         c->pairs[i].b, c->pairs[i].inter, c->pairs[i].uni);
            rc = 1;
        }
done:
    free(norm);
    free(size);
    free(seen);
    free(wstart);
    free(sh);
    free(keys);
    return rc;
}
