/* core/phrases.c - pattern families expanded into phrases, found by one Aho-Corasick pass.
 *
 * Why Aho-Corasick of our own rather than a regex engine: the patterns are plain
 * phrases once expanded, the automaton is a few hundred lines with no dependency
 * (the binary stays static-friendly), and its cost per byte does not grow with
 * the number of phrases. The automaton is a dense transition table over byte
 * classes: only the ~50 distinct bytes the phrases use get their own class, every
 * other byte shares class 0, which keeps the table small enough to stay in cache.
 */
#include "phrases.h"

#include <stdio.h>   /* fopen, fread, snprintf, vsnprintf */
#include <stdarg.h>  /* va_list: error messages */
#include <errno.h>   /* errno: why a file could not be read */
#include <utf8proc.h>

typedef struct phrase {
    uint32_t off, len;       /* bytes in ps->arena */
    uint32_t family;         /* index into ps->fam_off */
    uint32_t reason;
    uint8_t anchored;        /* '^': start of text or of a line */
    int32_t next;            /* another phrase with the same bytes, or -1 */
} phrase;

struct chaff__phrases {
    chaff_allocator alloc;
    const char *const *reasons;
    size_t nreasons;
    char *arena; size_t arena_len, arena_cap;       /* phrase bytes */
    phrase *ph; size_t nph, ph_cap;
    char *fam; size_t fam_len, fam_cap;             /* family lines, NUL-terminated */
    uint32_t *fam_off; size_t nfam, fam_off_cap;
    /* the automaton (valid when compiled) */
    int compiled;
    uint8_t cls[256];
    uint32_t ncls;
    int32_t *out;            /* first phrase ending exactly at the state, or -1 */
    int32_t *dict;           /* nearest proper suffix state with an output, or -1 */
    int32_t *fail;           /* longest proper suffix that is a state */
    uint32_t *dense;         /* states 0..nrows-1: complete transitions, the target
                              * with bit 31 set when it has an output */
    size_t nrows;
    uint32_t *eoff;          /* deep states: edges eoff[s]..eoff[s+1] */
    uint8_t *elab;           /* edge byte class */
    int32_t *etgt;           /* edge target */
    size_t nstates, ndistinct;
};

/* ---- normalisation ----------------------------------------------------------- */

/* Bytes that stand for a character no phrase can contain: invalid UTF-8. */
#define BAD_BYTE 0x1a

static int is_zero_width(int32_t c)
{
    return c == 0x00ad || (c >= 0x200b && c <= 0x200d) || c == 0x2060 || c == 0xfeff;
}

size_t chaff__phrases_normalise(const char *text, size_t len, char *out)
{
    const uint8_t *s = (const uint8_t *)text;
    size_t o = 0, i = 0;
    int pending = 0;         /* 0 none, ' ' or '\n': a whitespace run to emit */
    while (i < len) {
        uint8_t b = s[i];
        int32_t c;
        if (b < 0x80) {
            i++;
            if (b == ' ' || b == '\t' || b == '\r' || b == '\f' || b == '\v') {
                if (!pending)
                    pending = ' ';
                continue;
            }
            if (b == '\n') {
                pending = '\n';
                continue;
            }
            if (pending && o)
                out[o++] = (char)pending;
            pending = 0;
            out[o++] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
            continue;
        }
        utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &c);
        if (n <= 0) {
            i++;
            c = -1;
        } else {
            i += (size_t)n;
        }
        if (c >= 0) {
            if (c == 0x85 || c == 0x2028 || c == 0x2029) {
                pending = '\n';
                continue;
            }
            if (utf8proc_category(c) == UTF8PROC_CATEGORY_ZS) {
                if (!pending)
                    pending = ' ';
                continue;
            }
            if (is_zero_width(c))
                continue;
        }
        if (pending && o)
            out[o++] = (char)pending;
        pending = 0;
        if (c < 0) {
            out[o++] = BAD_BYTE;
        } else if (c == 0x2018 || c == 0x2019 || c == 0x201a || c == 0x201b || c == 0x2032) {
            out[o++] = '\'';
        } else if (c == 0x201c || c == 0x201d || c == 0x201e || c == 0x201f || c == 0x2033) {
            out[o++] = '"';
        } else {
            o += (size_t)utf8proc_encode_char(utf8proc_tolower(c), (uint8_t *)out + o);
        }
    }
    out[o] = '\0';
    return o;
}

/* ---- the set ----------------------------------------------------------------- */

chaff_status chaff__phrases_new(chaff__phrases **out, const chaff_allocator *a,
                                const char *const *reasons, size_t nreasons)
{
    chaff_allocator al = chaff__allocator(a);
    chaff__phrases *ps = chaff__calloc(&al, 1, sizeof *ps);
    *out = NULL;
    if (!ps)
        return CHAFF_E_NOMEM;
    ps->alloc = al;
    ps->reasons = reasons;
    ps->nreasons = nreasons;
    *out = ps;
    return CHAFF_OK;
}

static void drop_automaton(chaff__phrases *ps)
{
    chaff__free(&ps->alloc, ps->out);
    chaff__free(&ps->alloc, ps->dict);
    chaff__free(&ps->alloc, ps->fail);
    chaff__free(&ps->alloc, ps->dense);
    chaff__free(&ps->alloc, ps->eoff);
    chaff__free(&ps->alloc, ps->elab);
    chaff__free(&ps->alloc, ps->etgt);
    ps->out = ps->dict = ps->fail = ps->etgt = NULL;
    ps->eoff = ps->dense = NULL;
    ps->nrows = 0;
    ps->elab = NULL;
    ps->nstates = ps->ndistinct = 0;
    ps->compiled = 0;
}

void chaff__phrases_free(chaff__phrases *ps)
{
    if (!ps)
        return;
    drop_automaton(ps);
    chaff__free(&ps->alloc, ps->arena);
    chaff__free(&ps->alloc, ps->ph);
    chaff__free(&ps->alloc, ps->fam);
    chaff__free(&ps->alloc, ps->fam_off);
    chaff_allocator a = ps->alloc;
    chaff__free(&a, ps);
}

size_t chaff__phrases_count(const chaff__phrases *ps)
{
    return ps->compiled ? ps->ndistinct : ps->nph;
}

static int grow(const chaff_allocator *a, void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    void *q = chaff__realloc(a, *p, nc * elem);
    if (!q)
        return 0;
    *p = q;
    *cap = nc;
    return 1;
}

/* ---- expansion of one family line -------------------------------------------- */

/* A list of strings, each its own allocation, during the expansion of one line. */
typedef struct slist {
    char **s;
    size_t *len;
    size_t n, cap;
} slist;

typedef struct parser {
    const chaff_allocator *a;
    const char *p, *end;
    const char *err;         /* static message, or NULL */
    int nomem;
} parser;

static void sl_free(const chaff_allocator *a, slist *l)
{
    for (size_t i = 0; i < l->n; i++)
        chaff__free(a, l->s[i]);
    chaff__free(a, l->s);
    chaff__free(a, l->len);
    memset(l, 0, sizeof *l);
}

static int sl_push(parser *P, slist *l, const char *s, size_t n)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 4;
        char **ns = chaff__realloc(P->a, l->s, nc * sizeof *ns);
        if (!ns)
            goto nomem;
        l->s = ns;
        size_t *nl = chaff__realloc(P->a, l->len, nc * sizeof *nl);
        if (!nl)
            goto nomem;
        l->len = nl;
        l->cap = nc;
    }
    char *c = chaff__alloc(P->a, n + 1);
    if (!c)
        goto nomem;
    memcpy(c, s, n);
    c[n] = '\0';
    l->s[l->n] = c;
    l->len[l->n++] = n;
    return 1;
nomem:
    P->nomem = 1;
    return 0;
}

/* Appends byte b to every string of l. */
static int sl_append(parser *P, slist *l, char b)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->len[i] >= CHAFF__PHRASES_MAX_LEN * 2) {
            P->err = "phrase too long";
            return 0;
        }
        char *c = chaff__realloc(P->a, l->s[i], l->len[i] + 2);
        if (!c) {
            P->nomem = 1;
            return 0;
        }
        c[l->len[i]++] = b;
        c[l->len[i]] = '\0';
        l->s[i] = c;
    }
    return 1;
}

/* l := l x r (every string of l followed by every string of r). */
static int sl_cross(parser *P, slist *l, const slist *r)
{
    if (l->n * r->n > CHAFF__PHRASES_MAX_EXPAND) {
        P->err = "expands to too many phrases (more than 4096)";
        return 0;
    }
    slist o = {0};
    for (size_t i = 0; i < l->n; i++)
        for (size_t j = 0; j < r->n; j++) {
            size_t n = l->len[i] + r->len[j];
            if (n > CHAFF__PHRASES_MAX_LEN * 2) {
                P->err = "phrase too long";
                sl_free(P->a, &o);
                return 0;
            }
            char buf[CHAFF__PHRASES_MAX_LEN * 2 + 1];
            memcpy(buf, l->s[i], l->len[i]);
            memcpy(buf + l->len[i], r->s[j], r->len[j]);
            if (!sl_push(P, &o, buf, n)) {
                sl_free(P->a, &o);
                return 0;
            }
        }
    sl_free(P->a, l);
    *l = o;
    return 1;
}

static int parse_alts(parser *P, slist *out, int depth);

/* A sequence up to ')', '|', ']' or the end of the line. */
static int parse_seq(parser *P, slist *out, int depth)
{
    if (!sl_push(P, out, "", 0))
        return 0;
    while (P->p < P->end) {
        char c = *P->p;
        if (c == ')' || c == '|' || c == ']')
            return 1;
        if (c == '(' || c == '[') {
            if (depth >= 16) {
                P->err = "groups nested too deeply";
                return 0;
            }
            P->p++;
            slist sub = {0};
            int ok;
            if (c == '(') {
                ok = parse_alts(P, &sub, depth + 1);
                if (ok && (P->p >= P->end || *P->p != ')')) {
                    P->err = "'(' is never closed";
                    ok = 0;
                }
            } else {
                ok = parse_alts(P, &sub, depth + 1);
                if (ok && (P->p >= P->end || *P->p != ']')) {
                    P->err = "'[' is never closed";
                    ok = 0;
                }
                if (ok)
                    ok = sl_push(P, &sub, "", 0); /* the empty choice */
            }
            if (ok) {
                P->p++;
                ok = sl_cross(P, out, &sub);
            }
            sl_free(P->a, &sub);
            if (!ok)
                return 0;
            continue;
        }
        if (c == '^') {
            P->err = "'^' may only start a pattern";
            return 0;
        }
        if (c == '\\') {
            if (P->p + 1 >= P->end) {
                P->err = "'\\' at the end of the line";
                return 0;
            }
            P->p++;
            c = *P->p;
        }
        P->p++;
        if (!sl_append(P, out, c))
            return 0;
    }
    return 1;
}

static int parse_alts(parser *P, slist *out, int depth)
{
    for (;;) {
        slist one = {0};
        if (!parse_seq(P, &one, depth)) {
            sl_free(P->a, &one);
            return 0;
        }
        if (out->n + one.n > CHAFF__PHRASES_MAX_EXPAND) {
            sl_free(P->a, &one);
            P->err = "expands to too many phrases (more than 4096)";
            return 0;
        }
        for (size_t i = 0; i < one.n; i++)
            if (!sl_push(P, out, one.s[i], one.len[i])) {
                sl_free(P->a, &one);
                return 0;
            }
        sl_free(P->a, &one);
        if (P->p < P->end && *P->p == '|') {
            if (depth == 0) {
                P->err = "'|' outside ( ) or [ ]";
                return 0;
            }
            P->p++;
            continue;
        }
        return 1;
    }
}

/* ---- adding families --------------------------------------------------------- */

/* Staged additions of one source, committed only when the whole source parses. */
typedef struct stage {
    size_t arena_len, nph, fam_len, nfam;
} stage;

/* "i (am|'m)" should give "i'm": a blank before a contraction's apostrophe
 * ('m 're 's 'd 'll 've 't followed by a non-letter) is dropped. Returns the
 * new length. */
static size_t join_contractions(char *s, size_t n)
{
    static const char *const tails[] = {"m", "re", "s", "d", "ll", "ve", "t"};
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' && i + 1 < n && s[i + 1] == '\'' && o > 0) {
            for (size_t k = 0; k < sizeof tails / sizeof *tails; k++) {
                size_t m = strlen(tails[k]);
                if (i + 2 + m <= n && !memcmp(s + i + 2, tails[k], m) &&
                    (i + 2 + m == n || !(s[i + 2 + m] >= 'a' && s[i + 2 + m] <= 'z')))
                    goto skip;
            }
        }
        s[o++] = s[i];
        continue;
    skip:;
    }
    s[o] = '\0';
    return o;
}

static chaff_status add_phrase(chaff__phrases *ps, const char *norm, size_t n,
                               uint32_t family, uint32_t reason, int anchored)
{
    if (!grow(&ps->alloc, (void **)&ps->arena, &ps->arena_cap, ps->arena_len + n, 1) ||
        !grow(&ps->alloc, (void **)&ps->ph, &ps->ph_cap, ps->nph + 1, sizeof *ps->ph))
        return CHAFF_E_NOMEM;
    memcpy(ps->arena + ps->arena_len, norm, n);
    phrase *p = &ps->ph[ps->nph++];
    p->off = (uint32_t)ps->arena_len;
    p->len = (uint32_t)n;
    p->family = family;
    p->reason = reason;
    p->anchored = (uint8_t)anchored;
    p->next = -1;
    ps->arena_len += n;
    return CHAFF_OK;
}

static chaff_status add_family(chaff__phrases *ps, const char *line, size_t n, uint32_t *id)
{
    if (!grow(&ps->alloc, (void **)&ps->fam, &ps->fam_cap, ps->fam_len + n + 1, 1) ||
        !grow(&ps->alloc, (void **)&ps->fam_off, &ps->fam_off_cap, ps->nfam + 1,
              sizeof *ps->fam_off))
        return CHAFF_E_NOMEM;
    memcpy(ps->fam + ps->fam_len, line, n);
    ps->fam[ps->fam_len + n] = '\0';
    ps->fam_off[ps->nfam] = (uint32_t)ps->fam_len;
    ps->fam_len += n + 1;
    *id = (uint32_t)ps->nfam++;
    return CHAFF_OK;
}

static void report(char *why, size_t cap, const char *name, size_t line, const char *fmt, ...)
{
    if (!cap)
        return;
    int k = snprintf(why, cap, "%s:%zu: ", name, line);
    if (k < 0 || (size_t)k >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + k, cap - (size_t)k, fmt, ap);
    va_end(ap);
}

static int valid_utf8(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if ((uint8_t)s[i] < 0x80) {
            i++;
            continue;
        }
        int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0)
            return 0;
        i += (size_t)k;
    }
    return 1;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

chaff_status chaff__phrases_add(chaff__phrases *ps, const char *src, size_t len,
                                const char *name, size_t default_reason,
                                char *why, size_t why_cap)
{
    stage st = {ps->arena_len, ps->nph, ps->fam_len, ps->nfam};
    size_t reason = default_reason, lineno = 0, pos = 0;
    chaff_status rc = CHAFF_OK;
    char *norm = NULL;
    if (why_cap)
        why[0] = '\0';
    if (default_reason >= ps->nreasons)
        return CHAFF_E_ARG;
    norm = chaff__alloc(&ps->alloc, CHAFF__PHRASES_MAX_LEN * 4 + 2);
    if (!norm)
        return CHAFF_E_NOMEM;
    while (pos < len) {
        const char *ls = src + pos, *nl = memchr(ls, '\n', len - pos);
        const char *le = nl ? nl : src + len;
        pos = (size_t)(le - src) + (nl ? 1 : 0);
        lineno++;
        while (ls < le && is_blank(*ls))
            ls++;
        while (le > ls && is_blank(le[-1]))
            le--;
        if (ls == le || *ls == '#')
            continue;
        if (!valid_utf8(ls, (size_t)(le - ls))) {
            report(why, why_cap, name, lineno, "invalid UTF-8");
            rc = CHAFF_E_ARG;
            break;
        }
        if (*ls == '@') {
            size_t n = (size_t)(le - ls - 1), k;
            for (k = 0; k < ps->nreasons; k++)
                if (strlen(ps->reasons[k]) == n && !memcmp(ps->reasons[k], ls + 1, n))
                    break;
            if (k == ps->nreasons) {
                char known[512];
                size_t o = 0;
                for (size_t j = 0; j < ps->nreasons && o < sizeof known; j++) {
                    int w = snprintf(known + o, sizeof known - o, "%s%s", j ? ", " : "",
                                     ps->reasons[j]);
                    if (w < 0)
                        break;
                    o += (size_t)w;
                }
                known[CHAFF_MIN(o, sizeof known - 1)] = '\0';
                report(why, why_cap, name, lineno, "unknown reason '%.*s' (known: %s)",
                       (int)CHAFF_MIN(n, 100), ls + 1, known);
                rc = CHAFF_E_ARG;
                break;
            }
            reason = k;
            continue;
        }
        int anchored = 0;
        const char *body = ls;
        if (*body == '^') {
            anchored = 1;
            body++;
        }
        parser P = {&ps->alloc, body, le, NULL, 0};
        slist l = {0};
        int ok = parse_alts(&P, &l, 0);
        if (ok && P.p < P.end) {
            P.err = *P.p == ')' ? "')' without '('" : *P.p == ']' ? "']' without '['"
                                                                   : "unexpected character";
            ok = 0;
        }
        if (!ok) {
            sl_free(&ps->alloc, &l);
            if (P.nomem) {
                rc = CHAFF_E_NOMEM;
            } else {
                report(why, why_cap, name, lineno, "%s", P.err);
                rc = CHAFF_E_ARG;
            }
            break;
        }
        uint32_t fam;
        rc = add_family(ps, ls, (size_t)(le - ls), &fam);
        for (size_t i = 0; rc == CHAFF_OK && i < l.n; i++) {
            size_t n = chaff__phrases_normalise(l.s[i], l.len[i], norm);
            n = join_contractions(norm, n);
            if (n == 0) {
                report(why, why_cap, name, lineno, "pattern can match empty text");
                rc = CHAFF_E_ARG;
            } else if (n > CHAFF__PHRASES_MAX_LEN) {
                report(why, why_cap, name, lineno, "phrase longer than %d bytes",
                       CHAFF__PHRASES_MAX_LEN);
                rc = CHAFF_E_ARG;
            } else if (memchr(norm, '\n', n)) {
                /* a pattern's spaces match any whitespace anyway; a newline in a
                 * phrase could only come from a character such as U+2028 */
                report(why, why_cap, name, lineno, "line separator inside a pattern");
                rc = CHAFF_E_ARG;
            } else {
                rc = add_phrase(ps, norm, n, fam, (uint32_t)reason, anchored);
            }
        }
        sl_free(&ps->alloc, &l);
        if (rc != CHAFF_OK)
            break;
    }
    chaff__free(&ps->alloc, norm);
    if (rc != CHAFF_OK) {
        ps->arena_len = st.arena_len;
        ps->nph = st.nph;
        ps->fam_len = st.fam_len;
        ps->nfam = st.nfam;
    } else if (ps->nph != st.nph) {
        drop_automaton(ps);
    }
    return rc;
}

chaff_status chaff__phrases_add_file(chaff__phrases *ps, const char *path,
                                     size_t default_reason, char *why, size_t why_cap)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f) {
        if (why_cap)
            snprintf(why, why_cap, "%s: %s", path, strerror(errno));
        return CHAFF_E_IO;
    }
    for (;;) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 4096;
            char *nb = chaff__realloc(&ps->alloc, buf, nc);
            if (!nb) {
                chaff__free(&ps->alloc, buf);
                fclose(f);
                return CHAFF_E_NOMEM;
            }
            buf = nb;
            cap = nc;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    chaff_status rc;
    if (err) {
        if (why_cap)
            snprintf(why, why_cap, "%s: read error", path);
        rc = CHAFF_E_IO;
    } else {
        rc = chaff__phrases_add(ps, buf, n, path, default_reason, why, why_cap);
    }
    chaff__free(&ps->alloc, buf);
    return rc;
}

/* ---- the automaton ----------------------------------------------------------- */

/* States this shallow get a complete dense row: the text spends nearly all its
 * bytes there, so those steps are one load. Deeper states (one or two edges
 * each, most of the trie) keep sparse edges and fall back along failure links.
 * States are numbered breadth-first, so the shallow ones are 0..nrows-1 and the
 * arrays the scan touches most stay small and in cache. */
#define DENSE_DEPTH 3
#define HAS_OUT 0x80000000u

chaff_status chaff__phrases_compile(chaff__phrases *ps)
{
    drop_automaton(ps);
    memset(ps->cls, 0, sizeof ps->cls);
    /* class 0: bytes no phrase holds; ' ' and '\n' share one class so that a
     * phrase's space matches a line break too */
    uint32_t ncls = 1;
    for (size_t i = 0; i < ps->arena_len; i++) {
        uint8_t b = (uint8_t)ps->arena[i];
        if (b == '\n')
            b = ' ';
        if (!ps->cls[b])
            ps->cls[b] = (uint8_t)ncls++;
    }
    ps->cls['\n'] = ps->cls[' '];
    ps->ncls = ncls;
    if (ps->arena_len >= INT32_MAX)
        return CHAFF_E_NOMEM;
    size_t maxst = ps->arena_len + 1;
    /* the trie as child lists while it is built, in insertion numbering */
    int32_t *child = chaff__alloc(&ps->alloc, maxst * sizeof *child);
    int32_t *sib = chaff__alloc(&ps->alloc, maxst * sizeof *sib);
    uint8_t *lab = chaff__alloc(&ps->alloc, maxst);
    uint8_t *depth = chaff__alloc(&ps->alloc, maxst);
    int32_t *queue = chaff__alloc(&ps->alloc, maxst * sizeof *queue);
    int32_t *newid = chaff__alloc(&ps->alloc, maxst * sizeof *newid);
    int32_t *out0 = chaff__alloc(&ps->alloc, maxst * sizeof *out0);
    int32_t *fail0 = chaff__alloc(&ps->alloc, maxst * sizeof *fail0);
    int32_t *dict0 = chaff__alloc(&ps->alloc, maxst * sizeof *dict0);
    chaff_status rc = CHAFF_E_NOMEM;
    if (!child || !sib || !lab || !depth || !queue || !newid || !out0 || !fail0 || !dict0)
        goto done;
    child[0] = sib[0] = -1;
    depth[0] = 0;
    out0[0] = -1;
    size_t ns = 1;
    ps->ndistinct = 0;
    for (size_t k = 0; k < ps->nph; k++) {
        phrase *p = &ps->ph[k];
        int32_t st = 0;
        for (uint32_t j = 0; j < p->len; j++) {
            uint8_t c = ps->cls[(uint8_t)ps->arena[p->off + j]];
            int32_t t = child[st];
            while (t >= 0 && lab[t] != c)
                t = sib[t];
            if (t < 0) {
                t = (int32_t)ns++;
                child[t] = -1;
                lab[t] = c;
                depth[t] = (uint8_t)CHAFF_MIN(depth[st] + 1, 255);
                out0[t] = -1;
                sib[t] = child[st];
                child[st] = t;
            }
            st = t;
        }
        /* the same bytes with the same anchoring: a duplicate, left out */
        int dup = 0;
        for (int32_t q = out0[st]; q >= 0 && !dup; q = ps->ph[q].next)
            dup = ps->ph[q].anchored == p->anchored;
        p->next = -1;
        if (dup)
            continue;
        p->next = out0[st];
        out0[st] = (int32_t)k;
        ps->ndistinct++;
    }
    /* breadth-first: the new numbering, failure links and output links */
    size_t qh = 0, qt = 0, nrows = 0;
    fail0[0] = 0;
    dict0[0] = -1;
    queue[qt++] = 0;
    while (qh < qt) {
        int32_t s = queue[qh];
        newid[s] = (int32_t)qh++;
        if (depth[s] <= DENSE_DEPTH)
            nrows = qh;
        for (int32_t t = child[s]; t >= 0; t = sib[t]) {
            int32_t f = -1;
            if (s != 0) {
                for (int32_t g = fail0[s];; g = fail0[g]) {
                    int32_t u = child[g];
                    while (u >= 0 && lab[u] != lab[t])
                        u = sib[u];
                    if (u >= 0) {
                        f = u;
                        break;
                    }
                    if (g == 0)
                        break;
                }
            }
            fail0[t] = f >= 0 ? f : 0;
            dict0[t] = out0[fail0[t]] >= 0 ? fail0[t] : dict0[fail0[t]];
            queue[qt++] = t;
        }
    }
    ps->nstates = ns;
    ps->nrows = nrows;
    ps->out = chaff__alloc(&ps->alloc, ns * sizeof *ps->out);
    ps->dict = chaff__alloc(&ps->alloc, ns * sizeof *ps->dict);
    ps->fail = chaff__alloc(&ps->alloc, ns * sizeof *ps->fail);
    ps->dense = chaff__alloc(&ps->alloc, nrows * ncls * sizeof *ps->dense);
    ps->eoff = chaff__alloc(&ps->alloc, (ns + 1) * sizeof *ps->eoff);
    ps->elab = chaff__alloc(&ps->alloc, ns);
    ps->etgt = chaff__alloc(&ps->alloc, ns * sizeof *ps->etgt);
    if (!ps->out || !ps->dict || !ps->fail || !ps->dense || !ps->eoff || !ps->elab || !ps->etgt)
        goto done;
    uint32_t e = 0;
    for (size_t q = 0; q < ns; q++) {
        int32_t s = queue[q];
        ps->out[q] = out0[s];
        ps->dict[q] = dict0[s] >= 0 ? newid[dict0[s]] : -1;
        ps->fail[q] = newid[fail0[s]];
        ps->eoff[q] = e;
        if (q < nrows) {
            /* a failure state is shallower, so its row is already done */
            uint32_t *d = ps->dense + q * ncls;
            if (q == 0)
                memset(d, 0, ncls * sizeof *d);
            else
                memcpy(d, ps->dense + (size_t)ps->fail[q] * ncls, ncls * sizeof *d);
            for (int32_t t = child[s]; t >= 0; t = sib[t])
                d[lab[t]] = (uint32_t)newid[t] |
                            (out0[t] >= 0 || dict0[t] >= 0 ? HAS_OUT : 0);
        } else {
            for (int32_t t = child[s]; t >= 0; t = sib[t]) {
                ps->elab[e] = lab[t];
                ps->etgt[e++] = newid[t];
            }
        }
    }
    ps->eoff[ns] = e;
    ps->compiled = 1;
    rc = CHAFF_OK;
done:
    chaff__free(&ps->alloc, child);
    chaff__free(&ps->alloc, sib);
    chaff__free(&ps->alloc, lab);
    chaff__free(&ps->alloc, depth);
    chaff__free(&ps->alloc, queue);
    chaff__free(&ps->alloc, newid);
    chaff__free(&ps->alloc, out0);
    chaff__free(&ps->alloc, fail0);
    chaff__free(&ps->alloc, dict0);
    if (rc != CHAFF_OK)
        drop_automaton(ps);
    return rc;
}

/* ---- scanning ---------------------------------------------------------------- */

void chaff__phrase_scratch_free(const chaff_allocator *a, chaff__phrase_scratch *s)
{
    chaff__free(a, s->norm);
    s->norm = NULL;
    s->cap = 0;
}

/* Letters and digits of any script: a phrase edge must not cut through a word.
 * Bytes of non-ASCII characters count as word bytes, which is right for letters
 * and errs towards no match for the rest. */
static int word_byte(uint8_t b)
{
    return (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || (b >= 0x80) ||
           (b >= 'A' && b <= 'Z') || b == '_';
}

/* One step from a deep state: its own edge, else its failure state's, down to
 * a shallow state whose dense row has them all. */
static inline int32_t step_deep(const chaff__phrases *ps, int32_t st, uint8_t c)
{
    for (;;) {
        if ((size_t)st < ps->nrows)
            return (int32_t)(ps->dense[(size_t)st * ps->ncls + c] & ~HAS_OUT);
        for (uint32_t e = ps->eoff[st]; e < ps->eoff[st + 1]; e++)
            if (ps->elab[e] == c)
                return ps->etgt[e];
        st = ps->fail[st];
    }
}

chaff_status chaff__phrases_scan(const chaff__phrases *ps, const char *text, size_t len,
                                 const chaff_allocator *a, chaff__phrase_scratch *s,
                                 chaff__phrase_hits *hits)
{
    for (size_t r = 0; r < ps->nreasons; r++) {
        hits->per_reason[r] = 0;
        hits->first[r] = NULL;
    }
    hits->total = 0;
    hits->norm_len = 0;
    if (!ps->compiled)
        return CHAFF_E_ARG;
    if (len > (SIZE_MAX - 1) / 2)
        return CHAFF_E_NOMEM;
    if (s->cap < 2 * len + 1) {
        size_t nc = 2 * len + 1 > 4096 ? 2 * len + 1 : 4096;
        char *nb = chaff__realloc(a, s->norm, nc);
        if (!nb)
            return CHAFF_E_NOMEM;
        s->norm = nb;
        s->cap = nc;
    }
    const uint8_t *t = (const uint8_t *)s->norm;
    size_t n = chaff__phrases_normalise(text, len, s->norm);
    hits->norm_len = n;
    if (!ps->nph)
        return CHAFF_OK;
    const int32_t *out = ps->out, *dict = ps->dict;
    const uint32_t *dense = ps->dense;
    const size_t nrows = ps->nrows;
    const uint8_t *cls = ps->cls;
    const uint32_t ncls = ps->ncls;
    /* the last counted match */
    size_t last_start = 0, last_end = 0;
    int32_t last_pid = -1;
    int32_t st = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = cls[t[i]];
        if (CHAFF_LIKELY((size_t)st < nrows)) {
            uint32_t v = dense[(size_t)st * ncls + c];
            st = (int32_t)(v & ~HAS_OUT);
            if (CHAFF_LIKELY(!(v & HAS_OUT)))
                continue;
        } else {
            st = step_deep(ps, st, c);
            if (out[st] < 0 && dict[st] < 0)
                continue;
        }
        size_t end = i + 1;
        int32_t found = -1;
        /* deepest state first: the first phrase that fits is the longest */
        for (int32_t q = out[st] >= 0 ? st : dict[st]; q >= 0 && found < 0; q = dict[q]) {
            for (int32_t pid = out[q]; pid >= 0; pid = ps->ph[pid].next) {
                const phrase *p = &ps->ph[pid];
                size_t start = end - p->len;
                const uint8_t *ph = (const uint8_t *)ps->arena + p->off;
                if (word_byte(ph[0]) && start > 0 && word_byte(t[start - 1]))
                    continue;
                if (word_byte(ph[p->len - 1]) && end < n && word_byte(t[end]))
                    continue;
                if (p->anchored && start > 0 && t[start - 1] != '\n')
                    continue;
                found = pid;
                break;
            }
        }
        if (found < 0)
            continue;
        const phrase *f = &ps->ph[found];
        size_t start = end - f->len;
        const char *fam = ps->fam + ps->fam_off[f->family];
        if (last_pid < 0 || start >= last_end) {
            hits->total++;
        } else if (start <= last_start) {
            /* a longer phrase around the last one: it takes its place */
            const phrase *l = &ps->ph[last_pid];
            if (--hits->per_reason[l->reason] == 0)
                hits->first[l->reason] = NULL;
        } else {
            continue;
        }
        if (hits->per_reason[f->reason]++ == 0)
            hits->first[f->reason] = fam;
        last_start = start;
        last_end = end;
        last_pid = found;
    }
    return CHAFF_OK;
}
