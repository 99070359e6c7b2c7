/* bench/filter_agree.c - the gopher, c4 and fineweb presets over a JSONL file,
 * one row of decisions per record in the shape of the reference's TSV
 * (/work/shared/eval/filters-reference/datatrove_filters.py), with speed.
 *
 * Row: 0-based line index, then gopher, c4, fineweb, gopher_rep: "keep" or
 * the drop reason spelled as datatrove spells it, so the two files can be
 * compared column by column (bench/filter_agree.py). gopher_rep is the
 * repetition rules alone (the quality rules disabled: 0 turns them off).
 * Timing: each preset on its own (its word analysis not shared, as the
 * reference times them), best of -r runs, one thread; to stderr.
 *
 * Not built by CMake. Build against a library build directory, e.g.:
 *   gcc -O3 -std=c11 -D_POSIX_C_SOURCE=200809L -I include -I core \
 *       bench/filter_agree.c build/libchaff.a \
 *       -lxxhash -lutf8proc -lzstd -lz -lpthread -lm -o /tmp/filter_agree
 * usage: filter_agree [-r RUNS] [-s preset.param=value]... CORPUS.jsonl > ours.tsv
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "filter_c4.h"
#include "filter_fineweb.h"
#include "filter_gopher.h"

static void die(const char *what)
{
    fprintf(stderr, "filter_agree: %s\n", what);
    exit(1);
}

/* our reason code -> datatrove's reason string */
static const char *dt_reason(const char *code, char *buf, size_t cap)
{
    static const char *const map[][2] = {
        { "gopher.short_doc", "gopher_short_doc" },
        { "gopher.long_doc", "gopher_long_doc" },
        { "gopher.below_avg_word_len", "gopher_below_avg_threshold" },
        { "gopher.above_avg_word_len", "gopher_above_avg_threshold" },
        { "gopher.too_many_hashes", "gopher_too_many_hashes" },
        { "gopher.too_many_ellipsis", "gopher_too_many_ellipsis" },
        { "gopher.too_many_bullets", "gopher_too_many_bullets" },
        { "gopher.too_many_end_ellipsis", "gopher_too_many_end_ellipsis" },
        { "gopher.below_alpha_ratio", "gopher_below_alpha_threshold" },
        { "gopher.few_stop_words", "gopher_enough_stop_words" },
    };
    for (size_t k = 0; k < sizeof map / sizeof *map; k++)
        if (!strcmp(code, map[k][0]))
            return map[k][1];
    int n;
    if (sscanf(code, "gopher.dup_%d_gram", &n) == 1 && strstr(code, "_gram") &&
        strncmp(code, "gopher.dup_para", 15) && strncmp(code, "gopher.dup_line", 15)) {
        snprintf(buf, cap, "duplicated_%d_n_grams", n);
        return buf;
    }
    const char *dot = strchr(code, '.');
    return dot ? dot + 1 : code;
}

typedef struct corpus {
    char *buf; size_t *off, *len, *line, n, cap, bytes, buf_len, buf_cap, json_bytes;
} corpus;

static void load(corpus *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open the corpus");
    chaff_json *j;
    if (chaff_json_new(&j, "text", NULL, NULL))
        die("chaff_json_new");
    char *line = NULL;
    size_t cap = 0, idx = 0;
    ssize_t n;
    memset(c, 0, sizeof *c);
    for (; (n = getline(&line, &cap, f)) > 0; idx++) {
        int blank = 1;
        for (ssize_t k = 0; k < n; k++)
            if (line[k] != ' ' && line[k] != '\n' && line[k] != '\r' && line[k] != '\t')
                blank = 0;
        if (blank)
            continue;
        chaff_record rec;
        if (chaff_json_parse(j, line, (size_t)n, &rec) != CHAFF_OK)
            die("a line is not a JSON object with a text field");
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 1024;
            c->off = realloc(c->off, c->cap * sizeof *c->off);
            c->len = realloc(c->len, c->cap * sizeof *c->len);
            c->line = realloc(c->line, c->cap * sizeof *c->line);
            if (!c->off || !c->len || !c->line)
                die("out of memory");
        }
        if (c->buf_len + rec.text_len + 1 > c->buf_cap) {
            c->buf_cap = 2 * (c->buf_len + rec.text_len + 1);
            c->buf = realloc(c->buf, c->buf_cap);
            if (!c->buf)
                die("out of memory");
        }
        memcpy(c->buf + c->buf_len, rec.text, rec.text_len);
        c->off[c->n] = c->buf_len;
        c->len[c->n] = rec.text_len;
        c->line[c->n] = idx;
        c->buf_len += rec.text_len + 1;
        c->bytes += rec.text_len;
        c->json_bytes += (size_t)n;
        c->n++;
        chaff_json_reset(j);
    }
    free(line);
    chaff_json_free(j);
    fclose(f);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void defaults(const chaff__preset *p, double *v)
{
    for (size_t k = 0; k < p->nparams; k++)
        v[k] = p->params[k].def;
}

static const char *judge(const chaff__preset *p, const double *v, chaff__fwork *w,
                         const char *text, size_t len, char *buf, size_t cap)
{
    chaff__fresult r;
    if (p->eval(v, text, len, w, NULL, NULL, &r) != CHAFF_OK)
        die("out of memory");
    return r.rule < 0 ? "keep" : dt_reason(p->rules[r.rule], buf, cap);
}

int main(int argc, char **argv)
{
    const chaff__preset *ps[3] = { &chaff__preset_gopher, &chaff__preset_c4, &chaff__preset_fineweb };
    double pv[3][64], rep[64];
    for (int k = 0; k < 3; k++)
        defaults(ps[k], pv[k]);
    int runs = 1, a = 1;
    for (; a + 1 < argc && argv[a][0] == '-'; a += 2) {
        if (!strcmp(argv[a], "-r")) {
            runs = atoi(argv[a + 1]);
            continue;
        }
        const char *eq = strchr(argv[a + 1], '=');
        int found = 0;
        for (int k = 0; k < 3 && eq; k++)
            for (size_t i = 0; i < ps[k]->nparams; i++)
                if (strlen(ps[k]->params[i].name) == (size_t)(eq - argv[a + 1]) &&
                    !strncmp(ps[k]->params[i].name, argv[a + 1], (size_t)(eq - argv[a + 1]))) {
                    pv[k][i] = atof(eq + 1);
                    found = 1;
                }
        if (strcmp(argv[a], "-s") || !found)
            die("usage: filter_agree [-r RUNS] [-s preset.param=value]... CORPUS.jsonl");
    }
    if (a >= argc)
        die("usage: filter_agree [-r RUNS] [-s preset.param=value]... CORPUS.jsonl");
    corpus c;
    load(&c, argv[a]);
    /* the repetition rules alone: every quality threshold off */
    static const char *const quality[] = {
        "gopher.min_doc_words", "gopher.max_doc_words", "gopher.min_avg_word_length",
        "gopher.max_avg_word_length", "gopher.max_symbol_word_ratio", "gopher.max_bullet_lines_ratio",
        "gopher.max_ellipsis_lines_ratio", "gopher.max_non_alpha_words_ratio", "gopher.min_stop_words",
    };
    memcpy(rep, pv[0], sizeof rep);
    for (size_t k = 0; k < ps[0]->nparams; k++)
        for (size_t q = 0; q < sizeof quality / sizeof *quality; q++)
            if (!strcmp(ps[0]->params[k].name, quality[q]))
                rep[k] = 0;
    chaff__fwork w;
    chaff__fwork_init(&w, NULL);

    printf("index\tgopher\tc4\tfineweb\tgopher_rep\n");
    char b[4][64];
    for (size_t i = 0; i < c.n; i++) {
        const char *t = c.buf + c.off[i];
        size_t l = c.len[i];
        chaff__fwork_reset(&w);
        const char *g = judge(ps[0], pv[0], &w, t, l, b[0], 64);
        const char *c4 = judge(ps[1], pv[1], &w, t, l, b[1], 64);
        const char *fw = judge(ps[2], pv[2], &w, t, l, b[2], 64);
        const char *gr = judge(ps[0], rep, &w, t, l, b[3], 64);
        printf("%zu\t%s\t%s\t%s\t%s\n", c.line[i], g, c4, fw, gr);
    }

    double best_all = 1e30;
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        for (size_t i = 0; i < c.n; i++) {
            chaff__fwork_reset(&w);
            for (int k = 0; k < 3; k++) {
                chaff__fresult res;
                ps[k]->eval(pv[k], c.buf + c.off[i], c.len[i], &w, NULL, NULL, &res);
            }
        }
        double dt = now() - t0;
        if (dt < best_all)
            best_all = dt;
    }
    for (int k = 0; k < 3; k++) {
        double best = 1e30;
        for (int r = 0; r < runs; r++) {
            double t0 = now();
            for (size_t i = 0; i < c.n; i++) {
                chaff__fwork_reset(&w);
                chaff__fresult res;
                ps[k]->eval(pv[k], c.buf + c.off[i], c.len[i], &w, NULL, NULL, &res);
            }
            double dt = now() - t0;
            if (dt < best)
                best = dt;
        }
        fprintf(stderr, "chaff %-8s %9.1f docs/s %7.2f MB/s of JSONL (%.2f MB/s of text), one thread\n",
                ps[k]->name, (double)c.n / best, (double)c.json_bytes / best / 1e6,
                (double)c.bytes / best / 1e6);
    }
    fprintf(stderr, "chaff all3     %9.1f docs/s %7.2f MB/s of JSONL (words shared), %zu docs, %.1f MB\n",
            (double)c.n / best_all, (double)c.json_bytes / best_all / 1e6, c.n,
            (double)c.json_bytes / 1e6);
    chaff__fwork_free(&w);
    free(c.buf);
    free(c.off);
    free(c.len);
    free(c.line);
    return 0;
}
