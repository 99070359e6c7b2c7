/* cli/bench_cmd.c - `chaff bench`: times chaff dedup's pipeline on a generated
 * corpus with planted near-duplicates, for each SIMD path and thread count, and
 * scores its verdicts against the planted truth.
 *
 * Answers come before speed, as in `xxhsum -b`: every configuration must give
 * the scalar path's verdicts, record for record, before any is timed, and a
 * disagreement ends the run with exit status 1. The corpus is held in memory and
 * each run does what `chaff dedup` does to it (chaff_json_parse per line,
 * chaff_dedup_add per batch of 4096), so the figures are the library's speed
 * and not the disk's. Recall and precision are those of shared/eval/score.py. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "gen.h"

#define BATCH_LINES 4096           /* as chaff dedup */
#define DEFAULT_RECORDS 200000
#define MAX_RECORDS 100000000ull   /* record numbers must fit the generator's 32 bits */
#define DEFAULT_REPEAT 3
#define MAX_REPEAT 1000
#define TRUTH_CHECK_BELOW 5000     /* records under which the truth is always rechecked */
#define DUP_SHARE 0.2              /* share of base documents given copies */
#define TOL 0.1                    /* score.py's tolerance for a good drop */
/* Unrelated generated records share a few common word 5-grams: J reaches ~0.02
 * in 200000 records. Below this threshold such pairs could count as near
 * duplicates, and the planted truth would no longer be the whole truth. */
#define MIN_THRESHOLD 0.2
#define MAX_CONFIGS 32

typedef struct args {
    chaff_options o;         /* threshold and seed; simd and threads are set per run */
    unsigned long long records;
    unsigned max_threads;
    unsigned repeat;
    unsigned simd;           /* CHAFF_SIMD_AUTO: every path this CPU has */
    int json, quiet, check_truth;
} args;

typedef struct config {
    unsigned simd, threads;
    double best;             /* seconds, the fastest of the repeats */
} config;

typedef struct score {
    uint64_t true_pairs;     /* planted pairs with J >= T */
    uint64_t left;           /* ... that ended with both records kept */
    uint64_t dropped;        /* records dropped as exact or near duplicates */
    uint64_t good;           /* ... that have a planted partner with J >= T - TOL */
    double recall, precision;
} score;

typedef struct bench {
    const args *a;
    gen_corpus c;
    chaff_doc *docs;         /* one batch */
    chaff_verdict *ref;      /* scalar, one thread: the answers every run must give */
    chaff_verdict *got;
    chaff_dedup_stats stats; /* of the reference run */
    int progress;
} bench;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: chaff bench [options]\n"
            "\n"
            "Times chaff dedup's pipeline (JSON parsing and deduplication, in memory) on a\n"
            "generated corpus with planted near-duplicates: each SIMD path this CPU has on one\n"
            "thread, then the default path on 1..N threads. Every configuration must give the\n"
            "scalar path's verdicts before anything is timed. The verdicts are scored against\n"
            "the planted truth:\n"
            "  recall     share of planted pairs with J >= T that do not end with both kept\n"
            "  precision  share of dropped records with a planted partner at J >= T - 0.1\n"
            "\n"
            "  --records N      records to generate (default %d, at most %llu)\n"
            "  --threshold T    Jaccard at which two records are near-duplicates (default %g,\n"
            "                   at least %g: below that, unrelated generated records could\n"
            "                   pass for near-duplicates and the planted truth is not all)\n"
            "  --seed S         seeds the corpus and every hash (default 0)\n"
            "  --threads N      time 1..N threads (default: the number of cores; above 8,\n"
            "                   only 1, 2, 4, ... and N)\n"
            "  --repeat N       timed runs per configuration, the best counts (default %d)\n"
            "  --simd PATH      time only PATH: scalar, sse4.1, avx2, avx512 or neon\n"
            "  --method M       minhash (default) or oph, as in chaff dedup\n"
            "  --json           one JSON object on stdout instead of the table\n"
            "  --check-truth    recount the planted Jaccard values and look for unplanted\n"
            "                   duplicates by brute force (always done below %d records)\n"
            "  -q, --quiet      no progress\n"
            "  -h, --help       this help\n"
            "\n"
            "Exit status: 0 success, 1 a configuration disagreed with the scalar path or the\n"
            "truth check failed, 2 bad command line, 3 stdout could not be written,\n"
            "4 out of memory.\n",
            DEFAULT_RECORDS, MAX_RECORDS, 0.8, MIN_THRESHOLD, DEFAULT_REPEAT, TRUTH_CHECK_BELOW);
}

static int bad_value(const char *flag, const char *v, const char *what)
{
    return cli_bad_value("bench", flag, v, what);
}

static int parse_uint(const char *flag, const char *v, unsigned long long min,
                      unsigned long long max, unsigned long long *out)
{
    return cli_parse_uint("bench", flag, v, min, max, out);
}


static unsigned thread_limit(void)
{
    size_t np;
    const chaff_param_info *p = chaff_params(&np);
    for (size_t i = 0; i < np; i++)
        if (!strcmp(p[i].name, "threads"))
            return (unsigned)p[i].max;
    return 1024;
}

static int parse_simd(const char *flag, const char *v, unsigned *out)
{
    int rc = cli_parse_simd("bench", flag, v, out);
    if (!rc)
        *out = chaff_simd_resolve(*out); /* "auto" means the path dedup would use */
    return rc;
}

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, args *a)
{
    chaff_options_default(&a->o);
    a->records = DEFAULT_RECORDS;
    a->repeat = DEFAULT_REPEAT;
    a->simd = CHAFF_SIMD_AUTO;
    unsigned limit = thread_limit();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    a->max_threads = cores < 1 ? 1 : cores > (long)limit ? limit : (unsigned)cores;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || !strcmp(arg, "-")) {
            cli_msg("unexpected argument '%s': bench takes no input (see chaff bench --help)",
                    arg);
            return EXIT_USAGE;
        }
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            usage(stdout);
            return EXIT_OK;
        }
        if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
            a->quiet = 1;
            continue;
        }
        if (!strcmp(arg, "--json")) {
            a->json = 1;
            continue;
        }
        if (!strcmp(arg, "--check-truth")) {
            a->check_truth = 1;
            continue;
        }
        /* Every other flag takes a value: "--flag value" or "--flag=value". */
        char flag[64];
        const char *val;
        cli_split_flag(arg, flag, sizeof flag, &val);
        int took_next = !val;
        if (!val) {
            if (i + 1 >= argc) {
                if (!strcmp(flag, "--records") || !strcmp(flag, "--threshold") ||
                    !strcmp(flag, "--seed") || !strcmp(flag, "--threads") ||
                    !strcmp(flag, "--repeat") || !strcmp(flag, "--simd") ||
                    !strcmp(flag, "--method")) {
                    cli_msg("%s needs a value (see chaff bench --help)", flag);
                    return EXIT_USAGE;
                }
                cli_msg("unknown option %s (see chaff bench --help)", flag);
                return EXIT_USAGE;
            }
            val = argv[i + 1];
        }
        int rc = 0;
        unsigned long long u;
        if (!strcmp(flag, "--records")) {
            rc = parse_uint(flag, val, 1, MAX_RECORDS, &u);
            a->records = u;
        } else if (!strcmp(flag, "--threshold")) {
            char *end;
            a->o.threshold = strtod(val, &end);
            if (!*val || *end)
                rc = bad_value(flag, val, "a number");
        } else if (!strcmp(flag, "--seed")) {
            rc = parse_uint(flag, val, 0, ~0ull, &u);
            a->o.seed = u;
        } else if (!strcmp(flag, "--threads")) {
            rc = parse_uint(flag, val, 1, limit, &u);
            a->max_threads = (unsigned)u;
        } else if (!strcmp(flag, "--repeat")) {
            rc = parse_uint(flag, val, 1, MAX_REPEAT, &u);
            a->repeat = (unsigned)u;
        } else if (!strcmp(flag, "--simd")) {
            rc = parse_simd(flag, val, &a->simd);
        } else if (!strcmp(flag, "--method")) {
            if (!strcmp(val, "minhash"))
                a->o.method = CHAFF_METHOD_MINHASH;
            else if (!strcmp(val, "oph"))
                a->o.method = CHAFF_METHOD_OPH;
            else
                rc = bad_value(flag, val, "minhash or oph");
        } else {
            cli_msg("unknown option %s (see chaff bench --help)", flag);
            return EXIT_USAGE;
        }
        if (rc)
            return rc;
        i += took_next;
    }
    if (!(a->o.threshold >= MIN_THRESHOLD && a->o.threshold <= 1)) {
        cli_msg("--threshold must be between %g and 1 (see chaff bench --help)", MIN_THRESHOLD);
        return EXIT_USAGE;
    }
    char why[160];
    if (chaff_options_check(&a->o, why, sizeof why) != CHAFF_OK) {
        cli_msg("--%s (see chaff bench --help)", why);
        return EXIT_USAGE;
    }
    return -1;
}

static void progress(const bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void progress(const bench *b, const char *fmt, ...)
{
    if (!b->progress)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("\rchaff: bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\033[K", stderr);
    va_end(ap);
}

static void progress_done(const bench *b)
{
    if (b->progress)
        fputs("\r\033[K", stderr);
}

/* What chaff dedup does to the same lines, minus reading them from a file. */
static int run_once(bench *b, unsigned simd, unsigned threads, chaff_verdict *v, double *secs,
                    chaff_dedup_stats *stats)
{
    const gen_corpus *c = &b->c;
    chaff_options o = b->a->o;
    o.simd = simd;
    o.threads = threads;
    chaff_dedup *d = NULL;
    chaff_json *j = NULL;
    int rc = 0;
    double t0 = cli_now();
    chaff_status st = chaff_dedup_new(&d, &o);
    if (!st)
        st = chaff_json_new(&j, "text", NULL, NULL);
    if (st) {
        cli_msg("bench: cannot start %s with %u threads: %s", chaff_simd_name(simd), threads,
                chaff_strerror(st));
        rc = cli_exit_for(st);
        goto done;
    }
    for (size_t i = 0; i < c->n; i += BATCH_LINES) {
        size_t n = c->n - i < BATCH_LINES ? c->n - i : BATCH_LINES;
        for (size_t k = 0; k < n; k++) {
            chaff_record rec;
            st = chaff_json_parse(j, c->jsonl + c->off[i + k], c->len[i + k], &rec);
            if (st) {
                size_t col = 0;
                const char *why = chaff_json_error(j, &col);
                cli_msg("bench: generated record %zu: %s at column %zu: %s", i + k,
                        chaff_strerror(st), col, why);
                rc = st == CHAFF_E_NOMEM ? EXIT_NOMEM : EXIT_DATA;
                goto done;
            }
            b->docs[k].text = rec.text;
            b->docs[k].len = rec.text_len;
            b->docs[k].index = i + k;
        }
        if ((st = chaff_dedup_add(d, b->docs, n, v + i))) {
            cli_msg("bench: %s with %u threads: %s", chaff_simd_name(simd), threads,
                    chaff_strerror(st));
            rc = cli_exit_for(st);
            goto done;
        }
        chaff_json_reset(j);
    }
    *secs = cli_now() - t0;
    if (stats)
        chaff_dedup_get_stats(d, stats);
done:
    chaff_dedup_free(d);
    chaff_json_free(j);
    return rc;
}

static void describe(const chaff_verdict *v, char *buf, size_t cap)
{
    if (v->reason == CHAFF_KEEP)
        snprintf(buf, cap, "kept");
    else
        snprintf(buf, cap, "%s duplicate of %llu (J %.4f)",
                 chaff_reason_name((chaff_reason)v->reason), (unsigned long long)v->duplicate_of,
                 v->similarity);
}

/* 0 when got[] equals the reference verdicts, else EXIT_DATA after saying where. */
static int same_answers(const bench *b, const config *cf)
{
    for (size_t i = 0; i < b->c.n; i++) {
        const chaff_verdict *r = &b->ref[i], *g = &b->got[i];
        if (r->reason == g->reason && r->duplicate_of == g->duplicate_of &&
            r->similarity == g->similarity)
            continue;
        char want[96], have[96];
        describe(r, want, sizeof want);
        describe(g, have, sizeof have);
        progress_done(b);
        cli_msg("bench: %s with %u thread%s disagrees with scalar on record %zu: %s, "
                "scalar says %s",
                chaff_simd_name(cf->simd), cf->threads, cf->threads == 1 ? "" : "s", i, have,
                want);
        return EXIT_DATA;
    }
    return 0;
}

/* The same figures, by the same definitions, as shared/eval/score.py. */
static int score_verdicts(const gen_corpus *c, const chaff_verdict *v, double t, score *s)
{
    memset(s, 0, sizeof *s);
    uint8_t *near = calloc(c->n, 1);
    if (!near)
        return -1;
    double lo = t - TOL; /* in double, as score.py forms it */
    for (size_t i = 0; i < c->npairs; i++) {
        const gen_pair *p = &c->pairs[i];
        double j = gen_jaccard(p);
        if (j >= lo)
            near[p->a] = near[p->b] = 1;
        if (j >= t) {
            s->true_pairs++;
            s->left += v[p->a].reason == CHAFF_KEEP && v[p->b].reason == CHAFF_KEEP;
        }
    }
    for (size_t i = 0; i < c->n; i++)
        if (v[i].reason == CHAFF_DROP_EXACT || v[i].reason == CHAFF_DROP_NEAR) {
            s->dropped++;
            s->good += near[i];
        }
    free(near);
    s->recall = 1.0 - (double)s->left / (double)(s->true_pairs ? s->true_pairs : 1);
    s->precision = s->dropped ? (double)s->good / (double)s->dropped : 1.0;
    return 0;
}

/* Jaccard buckets for describing the planted pairs. */
enum { B_ONE, B_90, B_80, B_70, B_50, B_LOW, B_COUNT };
static const char *const bucket_name[B_COUNT] = { "1", "0.9-1", "0.8-0.9", "0.7-0.8", "0.5-0.7",
                                                  "0-0.5" };

static void buckets(const gen_corpus *c, uint64_t *count, uint64_t *copy_source)
{
    memset(count, 0, B_COUNT * sizeof *count);
    *copy_source = 0;
    for (size_t i = 0; i < c->npairs; i++) {
        const gen_pair *p = &c->pairs[i];
        double j = gen_jaccard(p);
        int k = p->inter == p->uni && p->uni ? B_ONE : j >= 0.9 ? B_90 : j >= 0.8 ? B_80
                : j >= 0.7 ? B_70 : j >= 0.5 ? B_50 : B_LOW;
        count[k]++;
        *copy_source += p->copy_source;
    }
}

typedef struct truth_report {
    int done;
    gen_check check;
    uint64_t similarities;   /* library similarities compared with the planted J */
} truth_report;

/* Brute-force recount of the truth on the texts the library sees. */
static int check_truth(bench *b, truth_report *t)
{
    const gen_corpus *c = &b->c;
    const char **texts = malloc((c->n ? c->n : 1) * sizeof *texts);
    size_t *lens = malloc((c->n ? c->n : 1) * sizeof *lens);
    chaff_json *j = NULL;
    int rc = 0;
    if (!texts || !lens || chaff_json_new(&j, "text", NULL, NULL)) {
        rc = EXIT_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < c->n; i++) {
        chaff_record rec;
        chaff_status st = chaff_json_parse(j, c->jsonl + c->off[i], c->len[i], &rec);
        if (st) {
            cli_msg("bench: generated record %zu: %s", i, chaff_strerror(st));
            rc = st == CHAFF_E_NOMEM ? EXIT_NOMEM : EXIT_DATA;
            goto done;
        }
        texts[i] = rec.text; /* valid until chaff_json_reset(), which never comes */
        lens[i] = rec.text_len;
    }
    double limit = b->a->o.threshold - TOL;
    int r = gen_check_truth(c, texts, lens, b->a->o.ngram, limit, &t->check);
    if (r < 0) {
        rc = EXIT_NOMEM;
    } else if (r > 0) {
        progress_done(b);
        cli_msg("bench: the planted truth does not hold: %s", t->check.problem);
        rc = EXIT_DATA;
    }
    t->done = 1;
done:
    if (rc == EXIT_NOMEM)
        cli_msg("out of memory");
    chaff_json_free(j);
    free(texts);
    free(lens);
    return rc;
}

/* The library's verified similarity of a drop must be the exact planted J:
 * a difference means its text model and the generator's disagree. */
static int check_similarities(const bench *b, truth_report *t)
{
    for (size_t i = 0; i < b->c.n; i++) {
        const chaff_verdict *v = &b->ref[i];
        if (v->reason != CHAFF_DROP_NEAR && v->reason != CHAFF_DROP_EXACT)
            continue;
        const gen_pair *p = gen_find_pair(&b->c, i, v->duplicate_of);
        if (!p)
            continue;
        t->similarities++;
        double want = gen_jaccard(p);
        if (v->similarity != want || (v->reason == CHAFF_DROP_EXACT && p->inter != p->uni)) {
            cli_msg("bench: record %zu is a %s duplicate of %llu with J %.6f, but the planted "
                    "J is %u/%u = %.6f",
                    i, chaff_reason_name((chaff_reason)v->reason),
                    (unsigned long long)v->duplicate_of, v->similarity, p->inter, p->uni, want);
            return EXIT_DATA;
        }
    }
    return 0;
}

/* 1..max, or above 8 threads 1, 2, 4, ... and max, so that big machines stay quick. */
static size_t thread_counts(unsigned max, unsigned *out)
{
    size_t n = 0;
    if (max <= 8) {
        for (unsigned t = 1; t <= max; t++)
            out[n++] = t;
        return n;
    }
    for (unsigned t = 1; t < max; t *= 2)
        out[n++] = t;
    out[n++] = max;
    return n;
}

static size_t plan_configs(const args *a, config *cf)
{
    size_t n = 0;
    unsigned best = a->simd;
    if (a->simd == CHAFF_SIMD_AUTO) {
        for (unsigned s = CHAFF_SIMD_SCALAR; s <= CHAFF_SIMD_NEON; s++)
            if (chaff_simd_supported(s))
                cf[n++] = (config){ s, 1, 0 };
        best = chaff_simd_resolve(CHAFF_SIMD_AUTO);
    }
    unsigned tc[40];
    size_t nt = thread_counts(a->max_threads, tc);
    for (size_t i = 0; i < nt && n < MAX_CONFIGS; i++)
        if (a->simd != CHAFF_SIMD_AUTO || tc[i] != 1)
            cf[n++] = (config){ best, tc[i], 0 };
    return n;
}

static double rate(double x, double secs)
{
    return secs > 0 ? x / secs : 0.0;
}

static void print_json(const bench *b, const config *cf, size_t ncf, const score *s,
                       const truth_report *t)
{
    const gen_corpus *c = &b->c;
    const args *a = b->a;
    uint64_t bk[B_COUNT], cs;
    buckets(c, bk, &cs);
    printf("{\"version\":\"%s\",\"corpus\":{\"records\":%zu,\"bytes\":%zu,\"seed\":%llu,"
           "\"base_docs\":%zu,\"clusters\":%zu,\"copies\":%zu,\"copies_by_edit\":{",
           chaff_version_string(), c->n, c->bytes, (unsigned long long)a->o.seed, c->bases,
           c->clusters, c->copies);
    for (unsigned e = 0; e < GEN_EDITS; e++)
        printf("%s\"%s\":%zu", e ? "," : "", gen_edit_name(e), c->copies_by_edit[e]);
    printf("},\"planted_pairs\":%zu,\"copy_source_pairs\":%llu,\"pairs_by_jaccard\":{", c->npairs,
           (unsigned long long)cs);
    for (int k = 0; k < B_COUNT; k++)
        printf("%s\"%s\":%llu", k ? "," : "", bucket_name[k], (unsigned long long)bk[k]);
    printf("}},\"threshold\":%g,\"truth_check\":", a->o.threshold);
    if (t->done)
        printf("{\"pairs_sharing_a_shingle\":%llu,\"max_unplanted_jaccard\":%.4f,"
               "\"similarities_checked\":%llu}",
               (unsigned long long)t->check.pairs_sharing, t->check.max_unplanted,
               (unsigned long long)t->similarities);
    else
        printf("null");
    printf(",\"verdicts\":{\"kept\":%llu,\"exact\":%llu,\"near\":%llu,\"true_pairs\":%llu,"
           "\"pairs_left\":%llu,\"dropped\":%llu,\"good_drops\":%llu,\"recall\":%.4f,"
           "\"precision\":%.4f},\"params\":{\"method\":\"%s\",\"num_perm\":%u,"
           "\"bands\":%u,\"rows\":%u},"
           "\"runs\":[",
           (unsigned long long)b->stats.kept, (unsigned long long)b->stats.exact,
           (unsigned long long)b->stats.near, (unsigned long long)s->true_pairs,
           (unsigned long long)s->left, (unsigned long long)s->dropped,
           (unsigned long long)s->good, s->recall, s->precision,
           b->a->o.method == CHAFF_METHOD_OPH ? "oph" : "minhash", b->stats.num_perm,
           b->stats.bands, b->stats.rows);
    for (size_t i = 0; i < ncf; i++)
        printf("%s{\"simd\":\"%s\",\"threads\":%u,\"seconds\":%.4f,\"records_per_s\":%.0f,"
               "\"mb_per_s\":%.2f,\"recall\":%.4f,\"precision\":%.4f}",
               i ? "," : "", chaff_simd_name(cf[i].simd), cf[i].threads, cf[i].best,
               rate((double)c->n, cf[i].best), rate((double)c->bytes / 1e6, cf[i].best), s->recall,
               s->precision);
    printf("],\"repeat\":%u,\"peak_rss_bytes\":%llu}\n", a->repeat,
           (unsigned long long)cli_peak_rss());
}

static void print_table(const bench *b, const config *cf, size_t ncf, const score *s,
                        const truth_report *t)
{
    const gen_corpus *c = &b->c;
    const args *a = b->a;
    uint64_t bk[B_COUNT], cs;
    buckets(c, bk, &cs);
    printf("corpus: %zu records, %.1f MB of JSONL, seed %llu: %zu base documents, %zu of them "
           "with 1-4 copies\n",
           c->n, (double)c->bytes / 1e6, (unsigned long long)a->o.seed, c->bases, c->clusters);
    printf("copies: %zu (", c->copies);
    for (unsigned e = 0; e < GEN_EDITS; e++)
        printf("%s%s %zu", e ? ", " : "", gen_edit_name(e), c->copies_by_edit[e]);
    printf(")\nplanted pairs: %zu (%llu copy-source, %llu copy-copy); by Jaccard:", c->npairs,
           (unsigned long long)cs, (unsigned long long)(c->npairs - cs));
    for (int k = 0; k < B_COUNT; k++)
        printf("%s %s: %llu", k ? "," : "", bucket_name[k], (unsigned long long)bk[k]);
    printf("\n");
    if (t->done)
        printf("truth check: %llu pairs share a shingle, planted J recounted exactly, "
               "%llu library similarities match, highest unplanted J %.4f\n",
               (unsigned long long)t->check.pairs_sharing,
               (unsigned long long)t->similarities, t->check.max_unplanted);
    printf("verdicts (identical on every path): %llu kept, %llu exact, %llu near "
           "(%s, %u bands x %u rows); at T = %g: %llu planted pairs, %llu left with both kept\n",
           (unsigned long long)b->stats.kept, (unsigned long long)b->stats.exact,
           (unsigned long long)b->stats.near,
           a->o.method == CHAFF_METHOD_OPH ? "oph" : "minhash", b->stats.bands, b->stats.rows,
           a->o.threshold,
           (unsigned long long)s->true_pairs, (unsigned long long)s->left);
    printf("\n%-8s %7s %11s %8s %8s %7s %9s\n", "path", "threads", "records/s", "MB/s",
           "seconds", "recall", "precision");
    for (size_t i = 0; i < ncf; i++)
        printf("%-8s %7u %11.0f %8.1f %8.3f %7.4f %9.4f\n", chaff_simd_name(cf[i].simd),
               cf[i].threads, rate((double)c->n, cf[i].best),
               rate((double)c->bytes / 1e6, cf[i].best), cf[i].best, s->recall, s->precision);
    printf("\nbest of %u runs each; peak RSS %.1f MB (the corpus and its truth included)\n",
           a->repeat, (double)cli_peak_rss() / 1e6);
}

static int bench_run(bench *b)
{
    const args *a = b->a;
    config cf[MAX_CONFIGS];
    size_t ncf = plan_configs(a, cf);
    truth_report t;
    memset(&t, 0, sizeof t);
    int rc;

    progress(b, "generating %llu records", a->records);
    gen_params gp = { (size_t)a->records, a->o.seed, a->o.ngram, DUP_SHARE };
    if (gen_build(&b->c, &gp)) {
        progress_done(b);
        cli_msg("out of memory");
        return EXIT_NOMEM;
    }
    if (a->check_truth || a->records < TRUTH_CHECK_BELOW) {
        progress(b, "checking the planted truth");
        if ((rc = check_truth(b, &t)))
            return rc;
    }

    /* Answers first: the scalar path on one thread is the reference. */
    progress(b, "scalar x1: reference verdicts");
    double secs;
    if ((rc = run_once(b, CHAFF_SIMD_SCALAR, 1, b->ref, &secs, &b->stats)))
        return rc;
    if (t.done && (rc = check_similarities(b, &t)))
        return rc;
    for (size_t i = 0; i < ncf; i++) {
        if (cf[i].simd == CHAFF_SIMD_SCALAR && cf[i].threads == 1)
            continue;
        progress(b, "%s x%u: checking verdicts", chaff_simd_name(cf[i].simd),
                 cf[i].threads);
        if ((rc = run_once(b, cf[i].simd, cf[i].threads, b->got, &secs, NULL)) ||
            (rc = same_answers(b, &cf[i])))
            return rc;
    }

    /* Then speed; every timed run is checked again, since threads could race. */
    for (size_t i = 0; i < ncf; i++) {
        cf[i].best = INFINITY;
        for (unsigned r = 0; r < a->repeat; r++) {
            progress(b, "%s x%u: run %u of %u", chaff_simd_name(cf[i].simd),
                     cf[i].threads, r + 1, a->repeat);
            if ((rc = run_once(b, cf[i].simd, cf[i].threads, b->got, &secs, NULL)) ||
                (rc = same_answers(b, &cf[i])))
                return rc;
            if (secs < cf[i].best)
                cf[i].best = secs;
        }
    }
    progress_done(b);

    score s;
    if (score_verdicts(&b->c, b->ref, a->o.threshold, &s)) {
        cli_msg("out of memory");
        return EXIT_NOMEM;
    }
    if (a->json)
        print_json(b, cf, ncf, &s, &t);
    else
        print_table(b, cf, ncf, &s, &t);
    if (fflush(stdout) || ferror(stdout)) {
        cli_msg("<stdout>: write failed");
        return EXIT_IO;
    }
    return 0;
}

int cli_bench(int argc, char **argv)
{
    args a;
    memset(&a, 0, sizeof a);
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    bench b;
    memset(&b, 0, sizeof b);
    b.a = &a;
    b.progress = !a.quiet && isatty(STDERR_FILENO);
    b.docs = malloc(BATCH_LINES * sizeof *b.docs);
    b.ref = malloc(a.records * sizeof *b.ref);
    b.got = malloc(a.records * sizeof *b.got);
    if (!b.docs || !b.ref || !b.got) {
        cli_msg("out of memory");
        rc = EXIT_NOMEM;
    } else {
        rc = bench_run(&b);
    }
    progress_done(&b);
    gen_free(&b.c);
    free(b.docs);
    free(b.ref);
    free(b.got);
    return rc;
}
