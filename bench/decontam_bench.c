/* bench/decontam_bench.c - time building the decontamination set and looking records up.
 *
 * Decontamination runs over every record of a corpus, so its lookup speed
 * (MB/s of record text, one thread) is what matters; building is done once
 * per run. This prints, for reference sets of several sizes:
 *   build     reference n-grams added per second (tokenizing and _seal included)
 *   bytes/ng  memory held per distinct reference n-gram, before and after _seal
 *   query     MB/s of record text on one thread (sealed set), next to the tokenizer alone
 *             (chaff__tokenize_words) on the same texts: the difference is
 *             the n-gram keys and the table lookups.
 * Texts are generated (fixed seed): Zipf-distributed pseudo-words with
 * punctuation and capitals, ~2 KB records; references and records come from
 * different random streams, so lookups almost all miss, as in real use.
 * With a JSONL file argument, its "text" fields (unescaped crudely: enough
 * for timing) are the records instead. Best of N runs (the machine is shared).
 *
 * Not built by CMake. Build against a library build directory, e.g.:
 *   cmake -S . -B build && cmake --build build -j2
 *   gcc -O3 -std=c11 -D_POSIX_C_SOURCE=200809L -I include -I core \
 *       bench/decontam_bench.c build/libchaff.a \
 *       -lxxhash -lutf8proc -lzstd -lz -lpthread -lm -o /tmp/decontam_bench
 * usage: decontam_bench [-r RUNS] [-n N] [-m MAX_NGRAMS] [CORPUS.jsonl] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "decontam.h"

static void die(const char *what)
{
    fprintf(stderr, "decontam_bench: %s\n", what);
    exit(1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng = 1;
static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Texts back to back in one buffer. */
typedef struct set {
    char *buf;
    size_t len, cap;
    size_t *off, *tlen, n, ncap;
} set;

static void set_put(set *s, const char *p, size_t n)
{
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2;
        if (!(s->buf = realloc(s->buf, s->cap)))
            die("out of memory");
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

static void set_end_text(set *s, size_t start)
{
    if (s->n == s->ncap) {
        s->ncap = s->ncap ? s->ncap * 2 : 1024;
        s->off = realloc(s->off, s->ncap * sizeof *s->off);
        s->tlen = realloc(s->tlen, s->ncap * sizeof *s->tlen);
        if (!s->off || !s->tlen)
            die("out of memory");
    }
    s->off[s->n] = start;
    s->tlen[s->n++] = s->len - start;
}

#define VOCAB 50000
static char vocab[VOCAB][12];
static double cdf[VOCAB];

static void make_vocab(void)
{
    double sum = 0;
    for (int i = 0; i < VOCAB; i++) {
        int len = 2 + (int)(rnd() % 9);
        for (int k = 0; k < len; k++)
            vocab[i][k] = (char)('a' + rnd() % 26);
        vocab[i][len] = 0;
        sum += 1.0 / (i + 1);
        cdf[i] = sum;
    }
    for (int i = 0; i < VOCAB; i++)
        cdf[i] /= sum;
}

static const char *zipf_word(void)
{
    double u = (double)(rnd() >> 11) / 9007199254740992.0;
    size_t lo = 0, hi = VOCAB - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return vocab[lo];
}

/* One English-like text of about bytes bytes. */
static void gen_text(set *s, size_t bytes)
{
    size_t start = s->len;
    int cap = 1;
    while (s->len - start < bytes) {
        const char *w = zipf_word();
        size_t n = strlen(w);
        char tmp[16];
        memcpy(tmp, w, n);
        if (cap)
            tmp[0] = (char)(tmp[0] - 32);
        cap = 0;
        set_put(s, tmp, n);
        uint64_t r = rnd() % 20;
        if (r == 0) {
            set_put(s, ". ", 2);
            cap = 1;
        } else if (r == 1) {
            set_put(s, ", ", 2);
        } else {
            set_put(s, " ", 1);
        }
    }
    set_end_text(s, start);
}

/* The "text" field of each line, escapes dropped but not decoded: the same
 * amount of text, which is all that timing needs. */
static void load_jsonl(set *s, const char *path, size_t max_bytes)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open the corpus");
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, f)) > 0 && s->len < max_bytes) {
        char *p = strstr(line, "\"text\"");
        if (!p || !(p = strchr(p + 6, '"')))
            continue;
        p++;
        size_t start = s->len;
        for (char *q = p; *q && *q != '"'; q++) {
            if (*q == '\\') {
                q++;
                if (!*q)
                    break;
                char c = *q == 'n' ? '\n' : *q == 't' ? '\t' : *q == 'u' ? ' ' : *q;
                set_put(s, &c, 1);
                continue;
            }
            set_put(s, q, 1);
        }
        set_end_text(s, start);
    }
    free(line);
    fclose(f);
}

int main(int argc, char **argv)
{
    int runs = 3;
    unsigned n = 13;
    size_t max_ng = 20000000;
    const char *corpus = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-r") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-n") && i + 1 < argc)
            n = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "-m") && i + 1 < argc)
            max_ng = (size_t)atoll(argv[++i]);
        else
            corpus = argv[i];
    }
    make_vocab();
    set rec = { 0 };
    if (corpus)
        load_jsonl(&rec, corpus, (size_t)200 << 20);
    else
        for (int i = 0; i < 50000; i++)
            gen_text(&rec, 1000 + rnd() % 2000);
    printf("records: %zu texts, %.1f MB (%s); n = %u\n", rec.n, rec.len / 1e6,
           corpus ? corpus : "generated", n);

    chaff_options o;
    chaff_options_default(&o);
    chaff__tok tok;
    chaff__tok_init(&tok, &o);

    /* the tokenizer alone on the records: the floor */
    double best_tok = 1e30;
    size_t words = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        words = 0;
        for (size_t i = 0; i < rec.n; i++) {
            if (chaff__tokenize_words(&tok, rec.buf + rec.off[i], rec.tlen[i]))
                die("tokenize failed");
            words += tok.nunits;
        }
        double t = now() - t0;
        best_tok = t < best_tok ? t : best_tok;
    }
    printf("tokenize_words alone: %.0f MB/s, %.1f M words/s\n", rec.len / best_tok / 1e6,
           words / best_tok / 1e6);
    printf("%12s %12s %9s %9s %11s %9s %6s\n", "ref n-grams", "build Mng/s", "bytes/ng",
           "sealed", "query MB/s", "Mwords/s", "hits");

    const size_t sizes[] = { 200000, 2000000, 20000000 };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0] && sizes[k] <= max_ng; k++) {
        /* references: ~1 KB texts from another stream */
        set ref = { 0 };
        uint64_t keep = rng;
        rng = 0xABCDEF + k;
        size_t approx_words = 0;
        while (approx_words < sizes[k] + 0) {
            gen_text(&ref, 1000);
            approx_words += 1000 / 6 - n + 1; /* refined by the stats below */
        }
        rng = keep;
        double best_build = 1e30;
        chaff__decontam *d = NULL;
        chaff__decontam_stats st, sealed;
        for (int r = 0; r < runs; r++) {
            if (d)
                chaff__decontam_free(d);
            if (chaff__decontam_new(&d, &o, n, NULL))
                die("new failed");
            double t0 = now();
            for (size_t i = 0; i < ref.n; i++)
                if (chaff__decontam_add(d, &tok, ref.buf + ref.off[i], ref.tlen[i], i))
                    die("add failed");
            chaff__decontam_stats_get(d, &st);
            if (chaff__decontam_seal(d))
                die("seal failed");
            double t = now() - t0;
            best_build = t < best_build ? t : best_build;
        }
        chaff__decontam_stats_get(d, &sealed);
        double best_q = 1e30;
        size_t hits = 0;
        for (int r = 0; r < runs; r++) {
            double t0 = now();
            hits = 0;
            for (size_t i = 0; i < rec.n; i++) {
                chaff__decontam_hit h;
                if (chaff__decontam_find(d, &tok, rec.buf + rec.off[i], rec.tlen[i], &h))
                    die("find failed");
                hits += (size_t)h.found;
            }
            double t = now() - t0;
            best_q = t < best_q ? t : best_q;
        }
        printf("%12zu %12.1f %9.1f %9.1f %11.0f %9.1f %6zu\n", st.ngrams,
               st.ngrams_added / best_build / 1e6, (double)st.bytes / (double)st.ngrams,
               (double)sealed.bytes / (double)sealed.ngrams, rec.len / best_q / 1e6,
               words / best_q / 1e6, hits);
        chaff__decontam_free(d);
        free(ref.buf);
        free(ref.off);
        free(ref.tlen);
    }
    chaff__tok_free(&tok);
    free(rec.buf);
    free(rec.off);
    free(rec.tlen);
    return 0;
}
