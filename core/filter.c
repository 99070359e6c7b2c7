/* core/filter.c - the filter engine: which presets run, with which thresholds,
 * on how many threads; reason codes; rules files.
 *
 * The presets only measure and compare (core/filter_*.c). Everything a user
 * configures lands here, so that a bad name or value is reported once, in one
 * voice, whether it came from a flag or from a rules file. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "decontam.h"
#include "filter.h"
#include "filter_c4.h"
#include "filter_degenerate.h"
#include "filter_fineweb.h"
#include "filter_gopher.h"
#include "filter_synthetic.h"
#include "tokenize.h"

/* Canonical order: rule numbers follow it, so they never depend on what is
 * switched on. The index of a preset here is its slot in chaff__fwork. */
static const chaff__preset *const PRESETS[] = {
    &chaff__preset_gopher, &chaff__preset_c4, &chaff__preset_fineweb,
    &chaff__preset_synthetic, &chaff__preset_degenerate,
};
#define NPRESETS (sizeof PRESETS / sizeof PRESETS[0])
#define DEFAULT_DECONTAM_N 13

/* Docs a worker takes at a time: small, because one record can cost a
 * thousand times another (a 70 MB line against a fortune). */
#define GRAB 4

typedef struct worker {
    chaff_filter *f;
    chaff__fwork w;
    chaff__tok tok;          /* the words of references being added (worker 0) */
    int tok_ready;
    pthread_t thread;
    chaff_status st;
} worker;

struct chaff_filter {
    chaff_allocator alloc;
    unsigned char on[NPRESETS];
    unsigned order[NPRESETS];    /* presets in the order they were named */
    size_t norder;
    double *val;                 /* every parameter, in chaff_filter_params order */
    size_t param_base[NPRESETS];
    unsigned rule_base[NPRESETS + 1];
    chaff__decontam *dc;
    int sealed;              /* dc is complete and compacted */
    unsigned decontam_n;
    /* --phrases texts, kept until the shared set is built (at the first use) */
    char **ptext, **pname;
    size_t *plen, nphr;
    chaff__phrases *phrases; /* bundled + user patterns, compiled, shared */
    chaff_options tok_opts;
    unsigned threads;
    worker *workers;
    /* one run */
    const chaff_doc *docs;
    chaff_filter_verdict *out;
    size_t n;
    atomic_size_t next;
};

/* ---- tables -------------------------------------------------------------- */

static chaff_filter_param *all_params;
static size_t all_nparams;
static pthread_once_t params_once = PTHREAD_ONCE_INIT;

static void build_params(void)
{
    size_t n = 0;
    for (size_t i = 0; i < NPRESETS; i++)
        n += PRESETS[i]->nparams;
    all_params = malloc((n ? n : 1) * sizeof *all_params);
    if (!all_params)
        return;
    for (size_t i = 0; i < NPRESETS; i++)
        for (size_t j = 0; j < PRESETS[i]->nparams; j++)
            all_params[all_nparams++] = PRESETS[i]->params[j];
}

const chaff_filter_param *chaff_filter_params(size_t *count)
{
    pthread_once(&params_once, build_params);
    *count = all_params ? all_nparams : 0;
    return all_params;
}

const char *chaff_filter_preset_name(size_t i, const char **what)
{
    if (i < NPRESETS) {
        if (what)
            *what = PRESETS[i]->what;
        return PRESETS[i]->name;
    }
    if (i == NPRESETS) {
        if (what)
            *what = "records that share an n-gram of words with a reference text "
                    "(--decontaminate)";
        return "decontam";
    }
    return NULL;
}

static int say(char *why, size_t cap, const char *fmt, ...)
{
    if (cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return 0;
}

static void known_presets(char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < NPRESETS && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%s", i ? ", " : "", PRESETS[i]->name);
}

/* Turns on the presets named in spec (comma-separated, blanks allowed). */
static chaff_status enable(chaff_filter *f, const char *spec, char *why, size_t cap)
{
    const char *s = spec;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        if (!*s)
            break;
        size_t len = strcspn(s, ", \t");
        size_t i = 0;
        while (i < NPRESETS && !(strlen(PRESETS[i]->name) == len &&
                                 !memcmp(PRESETS[i]->name, s, len)))
            i++;
        if (i == NPRESETS) {
            char known[256];
            known_presets(known, sizeof known);
            if (len == 8 && !memcmp(s, "decontam", 8))
                say(why, cap, "decontam is not a preset: give reference files with "
                              "--decontaminate");
            else
                say(why, cap, "unknown filter preset '%.*s' (known: %s)", (int)len, s, known);
            return CHAFF_E_ARG;
        }
        if (!f->on[i]) {
            f->on[i] = 1;
            f->order[f->norder++] = (unsigned)i;
        }
        s += len;
    }
    return CHAFF_OK;
}

/* ---- life cycle ---------------------------------------------------------- */

static unsigned cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 256 ? 256u : (unsigned)n;
}

chaff_status chaff_filter_new(chaff_filter **out, const char *presets, unsigned threads,
                              const chaff_allocator *alloc, char *why, size_t why_cap)
{
    *out = NULL;
    if (why_cap)
        why[0] = 0;
    size_t np;
    const chaff_filter_param *params = chaff_filter_params(&np);
    if (!params)
        return CHAFF_E_NOMEM;
    chaff_allocator a = chaff__allocator(alloc);
    chaff_filter *f = chaff__calloc(&a, 1, sizeof *f);
    if (!f)
        return CHAFF_E_NOMEM;
    f->alloc = a;
    f->threads = threads ? threads : cores();
    f->decontam_n = DEFAULT_DECONTAM_N;
    chaff_options_default(&f->tok_opts);
    f->val = chaff__alloc(&a, (np ? np : 1) * sizeof *f->val);
    f->workers = chaff__calloc(&a, f->threads, sizeof *f->workers);
    if (!f->val || !f->workers) {
        chaff_filter_free(f);
        return CHAFF_E_NOMEM;
    }
    for (size_t i = 0; i < np; i++)
        f->val[i] = params[i].def;
    size_t pb = 0;
    unsigned rb = 0;
    for (size_t i = 0; i < NPRESETS; i++) {
        f->param_base[i] = pb;
        f->rule_base[i] = rb;
        pb += PRESETS[i]->nparams;
        rb += (unsigned)PRESETS[i]->nrules;
    }
    f->rule_base[NPRESETS] = rb;
    for (unsigned t = 0; t < f->threads; t++) {
        f->workers[t].f = f;
        chaff__fwork_init(&f->workers[t].w, &a);
    }
    chaff_status st = enable(f, presets ? presets : "", why, why_cap);
    if (st) {
        chaff_filter_free(f);
        return st;
    }
    *out = f;
    return CHAFF_OK;
}

void chaff_filter_free(chaff_filter *f)
{
    if (!f)
        return;
    if (f->workers)
        for (unsigned t = 0; t < f->threads; t++) {
            chaff__fwork_free(&f->workers[t].w);
            if (f->workers[t].tok_ready)
                chaff__tok_free(&f->workers[t].tok);
        }
    chaff__decontam_free(f->dc);
    chaff__phrases_free(f->phrases);
    for (size_t i = 0; i < f->nphr; i++) {
        chaff__free(&f->alloc, f->ptext[i]);
        chaff__free(&f->alloc, f->pname[i]);
    }
    chaff__free(&f->alloc, f->ptext);
    chaff__free(&f->alloc, f->pname);
    chaff__free(&f->alloc, f->plen);
    chaff__free(&f->alloc, f->workers);
    chaff__free(&f->alloc, f->val);
    chaff__free(&f->alloc, f);
}

const char *chaff_filter_preset_on(const chaff_filter *f, size_t k)
{
    return k < f->norder ? PRESETS[f->order[k]]->name : NULL;
}

unsigned chaff_filter_threads(const chaff_filter *f)
{
    return f->threads;
}

/* ---- thresholds and rules files ------------------------------------------ */

int chaff_filter_param_value(const chaff_filter *f, size_t i, double *value)
{
    size_t np;
    chaff_filter_params(&np);
    if (i >= np)
        return 0;
    size_t pre = 0;
    while (pre + 1 < NPRESETS && f->param_base[pre + 1] <= i)
        pre++;
    *value = f->val[i];
    return f->on[pre];
}

chaff_status chaff__param_parse(const chaff_filter_param *p, const char *value, double *out,
                                char *why, size_t why_cap)
{
    /* decimal numbers only: strtod would also take hex, "inf", "nan" and blanks */
    int digits = 0, other = 0;
    for (const char *c = value; *c; c++) {
        if (*c >= '0' && *c <= '9')
            digits = 1;
        else if (!strchr("+-.eE", *c))
            other = 1;
    }
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (!digits || other || *end || errno == ERANGE || !isfinite(v)) {
        say(why, why_cap, "%s: '%s' is not a number", p->name, value);
        return CHAFF_E_ARG;
    }
    if (p->integer && v != floor(v)) {
        say(why, why_cap, "%s: '%s' is not a whole number", p->name, value);
        return CHAFF_E_ARG;
    }
    if (v < p->lo || v > p->hi) {
        say(why, why_cap, "%s: %s is out of range (%g..%g)", p->name, value, p->lo, p->hi);
        return CHAFF_E_ARG;
    }
    *out = v;
    return CHAFF_OK;
}

chaff_status chaff_filter_set(chaff_filter *f, const char *name, const char *value, char *why,
                              size_t why_cap)
{
    size_t np;
    const chaff_filter_param *p = chaff_filter_params(&np);
    size_t i = 0;
    while (i < np && strcmp(p[i].name, name))
        i++;
    if (i == np) {
        say(why, why_cap, "unknown filter parameter '%s' (chaff filter --list shows them)", name);
        return CHAFF_E_ARG;
    }
    size_t pre = 0;
    while (pre + 1 < NPRESETS && f->param_base[pre + 1] <= i)
        pre++;
    if (!f->on[pre]) {
        say(why, why_cap, "%s: preset '%s' is not on (name it in --filter or a 'filter =' line)",
            name, PRESETS[pre]->name);
        return CHAFF_E_ARG;
    }
    return chaff__param_parse(&p[i], value, &f->val[i], why, why_cap);
}

static const char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

/* One pass over a rules file: pass 0 applies only the "filter =" lines, pass 1
 * only the thresholds, so that a threshold may come before its preset's line. */
static chaff_status rules_pass(chaff_filter *f, int pass, const char *text, size_t len,
                               const char *origin, char *why, size_t why_cap)
{
    char line[1024], inner[512];
    size_t lineno = 0, pos = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        pos = 3; /* a byte order mark starts the file, not its first name */
    while (pos < len) {
        const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl != NULL);
        lineno++;
        if (memchr(s, 0, n)) {
            say(why, why_cap, "%s:%zu: a NUL byte: not a rules file", origin, lineno);
            return CHAFF_E_ARG;
        }
        const char *hash = memchr(s, '#', n);
        if (hash)
            n = (size_t)(hash - s); /* a comment may be as long as it likes */
        if (n >= sizeof line) {
            say(why, why_cap, "%s:%zu: line too long (over %zu bytes)", origin, lineno,
                sizeof line - 1);
            return CHAFF_E_ARG;
        }
        memcpy(line, s, n);
        line[n] = 0;
        const char *l = trim(line);
        if (!*l)
            continue;
        char *eq = strchr(l, '=');
        if (!eq) {
            say(why, why_cap, "%s:%zu: expected 'name = value', got '%s'", origin, lineno, l);
            return CHAFF_E_ARG;
        }
        *eq = 0;
        const char *name = trim((char *)l), *value = trim(eq + 1);
        int is_filter = !strcmp(name, "filter");
        if (is_filter != (pass == 0))
            continue;
        chaff_status st = is_filter ? enable(f, value, inner, sizeof inner)
                                    : chaff_filter_set(f, name, value, inner, sizeof inner);
        if (st) {
            say(why, why_cap, "%s:%zu: %s", origin, lineno, inner);
            return st;
        }
    }
    return CHAFF_OK;
}

chaff_status chaff_filter_load_rules(chaff_filter *f, const char *text, size_t len,
                                     const char *origin, char *why, size_t why_cap)
{
    chaff_status st = rules_pass(f, 0, text, len, origin, why, why_cap);
    return st ? st : rules_pass(f, 1, text, len, origin, why, why_cap);
}

/* ---- phrases and references ---------------------------------------------- */

extern const char chaff__phrases_synthetic_txt[];
extern const size_t chaff__phrases_synthetic_len;

/* A phrase set of the bundled list (unless check_only) and texts[0..n), tagged
 * with the synthetic preset's reasons; compiled unless check_only. */
static chaff_status build_phrases(chaff__phrases **out, const chaff_allocator *a, int check_only,
                                  const char *const *texts, const size_t *lens,
                                  const char *const *names, size_t n, char *why, size_t why_cap)
{
    const chaff__preset *syn = PRESETS[CHAFF__SLOT_SYNTHETIC];
    chaff__phrases *ps;
    chaff_status st = chaff__phrases_new(&ps, a, syn->rules, syn->nrules);
    *out = NULL;
    if (st)
        return st;
    if (!check_only)
        st = chaff__phrases_add(ps, chaff__phrases_synthetic_txt, chaff__phrases_synthetic_len,
                                "core/phrases/synthetic.txt", CHAFF__SYN_USER, why, why_cap);
    for (size_t i = 0; !st && i < n; i++)
        st = chaff__phrases_add(ps, texts[i], lens[i], names[i], CHAFF__SYN_USER, why, why_cap);
    if (!st && !check_only)
        st = chaff__phrases_compile(ps);
    if (st) {
        chaff__phrases_free(ps);
        return st;
    }
    *out = ps;
    return CHAFF_OK;
}

static char *copy(const chaff_allocator *a, const char *s, size_t n)
{
    char *c = chaff__alloc(a, n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = 0;
    }
    return c;
}

/* Checked now, so that a bad file is reported before any input is read; built
 * into the shared set once, at the first use. */
chaff_status chaff_filter_add_phrases(chaff_filter *f, const char *text, size_t len,
                                      const char *origin, char *why, size_t why_cap)
{
    if (f->phrases) {
        say(why, why_cap, "%s: phrases must be added before the first record is judged",
            origin);
        return CHAFF_E_ARG;
    }
    if (!f->on[CHAFF__SLOT_SYNTHETIC]) {
        say(why, why_cap, "%s: phrases are for the synthetic preset, which is not on "
                          "(add it with --filter synthetic)", origin);
        return CHAFF_E_ARG;
    }
    const char *t = text;
    size_t l = len;
    chaff__phrases *check;
    chaff_status st = build_phrases(&check, &f->alloc, 1, &t, &l, &origin, 1, why, why_cap);
    if (st)
        return st;
    chaff__phrases_free(check);
    size_t n = f->nphr + 1;
    char **pt = chaff__realloc(&f->alloc, f->ptext, n * sizeof *pt);
    if (pt)
        f->ptext = pt;
    char **pn = chaff__realloc(&f->alloc, f->pname, n * sizeof *pn);
    if (pn)
        f->pname = pn;
    size_t *pl = chaff__realloc(&f->alloc, f->plen, n * sizeof *pl);
    if (pl)
        f->plen = pl;
    if (!pt || !pn || !pl)
        return CHAFF_E_NOMEM;
    f->ptext[f->nphr] = copy(&f->alloc, text, len);
    f->pname[f->nphr] = copy(&f->alloc, origin, strlen(origin));
    f->plen[f->nphr] = len;
    if (!f->ptext[f->nphr] || !f->pname[f->nphr]) {
        chaff__free(&f->alloc, f->ptext[f->nphr]);
        chaff__free(&f->alloc, f->pname[f->nphr]);
        return CHAFF_E_NOMEM;
    }
    f->nphr++;
    return CHAFF_OK;
}

/* The synthetic preset's patterns, compiled once and shared by every worker. */
static chaff_status ready(chaff_filter *f)
{
    if (f->dc && !f->sealed) {
        chaff_status st = chaff__decontam_seal(f->dc);
        if (st)
            return st;
        f->sealed = 1;
    }
    if (!f->on[CHAFF__SLOT_SYNTHETIC] || f->phrases)
        return CHAFF_OK;
    chaff__phrases *ps;
    chaff_status st = build_phrases(&ps, &f->alloc, 0, (const char *const *)f->ptext, f->plen,
                                    (const char *const *)f->pname, f->nphr, NULL, 0);
    if (st)
        return st == CHAFF_E_NOMEM ? st : CHAFF_E_ARG;
    /* every worker judges with the same set, or none has it and the next
     * call tries again */
    for (unsigned t = 0; t < f->threads && !st; t++)
        st = chaff__synthetic_use(&f->workers[t].w, ps);
    if (st) {
        for (unsigned t = 0; t < f->threads; t++)
            if (f->workers[t].w.slot[CHAFF__SLOT_SYNTHETIC])
                chaff__synthetic_use(&f->workers[t].w, NULL);
        chaff__phrases_free(ps);
        return st;
    }
    f->phrases = ps;
    return CHAFF_OK;
}

chaff_status chaff_filter_set_decontam_n(chaff_filter *f, unsigned n)
{
    if (f->dc || n < 1 || n > CHAFF__DECONTAM_NMAX)
        return CHAFF_E_ARG;
    f->decontam_n = n;
    return CHAFF_OK;
}

chaff_status chaff_filter_add_reference(chaff_filter *f, const char *text, size_t len,
                                        uint64_t ref)
{
    worker *w = &f->workers[0];
    if (!w->tok_ready) {
        chaff__tok_init(&w->tok, &f->tok_opts);
        w->tok_ready = 1;
    }
    if (!f->dc) {
        chaff_status st = chaff__decontam_new(&f->dc, &f->tok_opts, f->decontam_n, &f->alloc);
        if (st)
            return st;
    }
    return chaff__decontam_add(f->dc, &w->tok, text, len, ref);
}

/* ---- judging ------------------------------------------------------------- */

size_t chaff_filter_rule_count(const chaff_filter *f)
{
    return f->rule_base[NPRESETS] + 1;
}

const char *chaff_filter_rule_name(const chaff_filter *f, int32_t rule)
{
    if (rule < 0)
        return NULL;
    for (size_t i = 0; i < NPRESETS; i++)
        if ((unsigned)rule < f->rule_base[i + 1])
            return PRESETS[i]->rules[(unsigned)rule - f->rule_base[i]];
    return (unsigned)rule == f->rule_base[NPRESETS] ? "decontam" : NULL;
}

static chaff_status judge(chaff_filter *f, worker *wk, const char *text, size_t len,
                          chaff_explain_fn ex, void *exu, chaff_filter_verdict *out)
{
    out->rule = -1;
    out->value = 0;
    out->ref = 0;
    chaff__fwork_reset(&wk->w);
    for (size_t k = 0; k < f->norder; k++) {
        unsigned i = f->order[k];
        chaff__fresult r = { -1, 0, NULL };
        chaff_status st = PRESETS[i]->eval(f->val + f->param_base[i], text, len, &wk->w, ex,
                                           exu, &r);
        if (st)
            return st;
        if (r.rule >= 0 && out->rule < 0) {
            out->rule = (int32_t)(f->rule_base[i] + (unsigned)r.rule);
            out->value = r.value;
            if (!ex)
                return CHAFF_OK;
        }
    }
    if (f->dc) {
        chaff__decontam_hit hit;
        chaff_status st = chaff__decontam_find_w(f->dc, &wk->w, text, len, &hit);
        if (st)
            return st;
        if (ex)
            ex(exu, "decontam.match", hit.found);
        if (hit.found && out->rule < 0) {
            /* the value is where the shared n-gram starts, in words */
            out->rule = (int32_t)f->rule_base[NPRESETS];
            out->value = (double)hit.word;
            out->ref = hit.ref;
        }
    }
    return CHAFF_OK;
}

static void *work(void *arg)
{
    worker *wk = arg;
    chaff_filter *f = wk->f;
    wk->st = CHAFF_OK;
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&f->next, GRAB, memory_order_relaxed);
        if (i >= f->n)
            break;
        size_t end = CHAFF_MIN(i + GRAB, f->n);
        for (; i < end; i++) {
            chaff_status st = judge(f, wk, f->docs[i].text, f->docs[i].len, NULL, NULL,
                                    &f->out[i]);
            if (st) {
                wk->st = st;
                /* make the others stop soon; what they judged is discarded */
                atomic_store_explicit(&f->next, f->n, memory_order_relaxed);
                return NULL;
            }
        }
    }
    return NULL;
}

chaff_status chaff_filter_run(chaff_filter *f, const chaff_doc *docs, size_t n,
                              chaff_filter_verdict *out)
{
    if (!n)
        return CHAFF_OK;
    chaff_status rst = ready(f);
    if (rst)
        return rst;
    f->docs = docs;
    f->out = out;
    f->n = n;
    atomic_store_explicit(&f->next, 0, memory_order_relaxed);
    /* A thread per worker per call: a call judges thousands of records, each
     * costing microseconds, so starting threads is noise next to the work. */
    unsigned want = (unsigned)CHAFF_MIN((size_t)f->threads, (n + GRAB - 1) / GRAB);
    unsigned started = 1;
    for (unsigned t = 1; t < want; t++) {
        if (pthread_create(&f->workers[t].thread, NULL, work, &f->workers[t]))
            break;
        started++;
    }
    work(&f->workers[0]);
    chaff_status st = f->workers[0].st;
    for (unsigned t = 1; t < started; t++) {
        pthread_join(f->workers[t].thread, NULL);
        if (!st)
            st = f->workers[t].st;
    }
    return st;
}

chaff_status chaff_filter_rewrite(chaff_filter *f, const char *text, size_t len,
                                  const char **out, size_t *out_len)
{
    worker *wk = &f->workers[0];
    *out = text;
    *out_len = len;
    chaff_status rst = ready(f);
    if (rst)
        return rst;
    for (size_t k = 0; k < f->norder; k++) {
        const chaff__preset *p = PRESETS[f->order[k]];
        if (!p->rewrite)
            continue;
        chaff__fwork_reset(&wk->w);
        chaff_status st = p->rewrite(f->val + f->param_base[f->order[k]], *out, *out_len,
                                     &wk->w, out, out_len);
        if (st)
            return st;
    }
    return CHAFF_OK;
}

chaff_status chaff_filter_explain(chaff_filter *f, const char *text, size_t len,
                                  chaff_explain_fn fn, void *user, chaff_filter_verdict *out)
{
    chaff_status st = ready(f);
    return st ? st : judge(f, &f->workers[0], text, len, fn, user, out);
}
