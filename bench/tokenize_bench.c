/* bench/tokenize_bench.c - time chaff__tokenize() alone on three kinds of text.
 *
 * The tokenizer (lowercase, word boundaries, word hashes, shingle hashes, exact
 * hash) is the biggest single stage of `chaff dedup` on one thread, and the
 * whole-program number hides it among JSON, MinHash and LSH; this times it on
 * its own, per record and per word, on:
 *   english  ~450-byte English-like ASCII records (generated, fixed seed)
 *   corpus   the text field of each line of a JSONL file (scripts/make-corpus.sh)
 *   foreign  ~450-byte records of mostly non-ASCII words (Cyrillic, Greek, CJK,
 *            accented Latin) with ASCII spaces and punctuation
 * Each set is timed best-of-N (the machine is shared: the best run is the one
 * least disturbed). A checksum over every output field is printed so that two
 * builds of the tokenizer can be compared for identical output as well as speed.
 *
 * Not built by CMake. Build against a library build directory, e.g.:
 *   cmake -S /work/main -B /tmp/tokbuild && cmake --build /tmp/tokbuild -j2
 *   gcc -O3 -std=c11 -D_POSIX_C_SOURCE=200809L -I include -I core \
 *       bench/tokenize_bench.c /tmp/tokbuild/libchaff.a \
 *       -lxxhash -lutf8proc -lzstd -lz -lpthread -lm -o /tmp/tokenize_bench
 * usage: tokenize_bench [-r RUNS] [-s english|corpus|foreign] [-c chars:K] [CORPUS.jsonl]
 * For instruction counts, which the noisy machine does not disturb:
 *   valgrind --tool=callgrind --toggle-collect=chaff__tokenize /tmp/tokenize_bench -r 1 -s english
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tokenize.h"

typedef struct set {
    const char *name;
    char *buf;               /* all texts, back to back */
    size_t *off, *len;
    size_t n, cap, bytes, buf_len, buf_cap;
} set;

static void die(const char *what)
{
    fprintf(stderr, "tokenize_bench: %s\n", what);
    exit(1);
}

static void add(set *s, const char *text, size_t len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->off = realloc(s->off, s->cap * sizeof *s->off);
        s->len = realloc(s->len, s->cap * sizeof *s->len);
        if (!s->off || !s->len)
            die("out of memory");
    }
    if (s->buf_len + len > s->buf_cap) {
        s->buf_cap = (s->buf_len + len) * 2 + 4096;
        s->buf = realloc(s->buf, s->buf_cap);
        if (!s->buf)
            die("out of memory");
    }
    memcpy(s->buf + s->buf_len, text, len);
    s->off[s->n] = s->buf_len;
    s->len[s->n++] = len;
    s->buf_len += len;
    s->bytes += len;
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Zipf-like: the low indexes of a list come up far more often. */
static size_t pick(size_t n)
{
    uint64_t a = next() % n, b = next() % n;
    return a < b ? a : b;
}

static void make_text(set *s, const char *const *words, size_t nwords, size_t target,
                      size_t count)
{
    static const char *const punct[] = { " ", " ", " ", " ", " ", " ", ", ", ". ", "; ",
                                         " (", ") ", " - ", "\n", ": ", "! ", "? " };
    char rec[2048];
    for (size_t r = 0; r < count; r++) {
        size_t n = 0;
        int cap = 1;
        while (n < target) {
            const char *w = words[pick(nwords)];
            size_t wl = strlen(w);
            memcpy(rec + n, w, wl);
            if (cap && w[0] >= 'a' && w[0] <= 'z')
                rec[n] = (char)(w[0] - 32);
            n += wl;
            const char *p = punct[next() % (sizeof punct / sizeof punct[0])];
            cap = p[0] == '.' || p[0] == '!' || p[0] == '?';
            memcpy(rec + n, p, strlen(p));
            n += strlen(p);
        }
        add(s, rec, n);
    }
}

static void make_english(set *s)
{
    static const char *const w[] = {
        "the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with",
        "be", "by", "on", "not", "he", "this", "are", "or", "his", "from", "at", "which",
        "but", "have", "an", "had", "they", "you", "were", "their", "one", "all", "we", "can",
        "her", "has", "there", "been", "if", "more", "when", "will", "would", "who", "so",
        "no", "license", "software", "distribution", "copyright", "permission", "notice",
        "program", "function", "returns", "value", "argument", "between", "following",
        "conditions", "warranty", "merchantability", "particular", "purpose", "modify",
        "redistribute", "version", "documentation", "information", "implementation",
        "2004", "1999", "3", "42", "x86", "utf8", "GNU", "Linux", "POSIX", "ISO", "C11",
        "file", "directory", "system", "user", "process", "memory", "buffer", "string",
        "character", "number", "error", "option", "default", "standard", "output", "input",
        "because", "however", "therefore", "although", "without", "within", "through",
    };
    make_text(s, w, sizeof w / sizeof w[0], 440, 20000);
}

static void make_foreign(set *s)
{
    static const char *const w[] = {
        "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82",             /* привет */
        "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0",             /* Москва */
        "\xD0\xB8", "\xD0\xB2", "\xD0\xBD\xD0\xB5",                     /* и в не */
        "\xD1\x8F\xD0\xB7\xD1\x8B\xD0\xBA", "\xD0\xB4\xD0\xBE\xD0\xBC", /* язык дом */
        "\xCE\x95\xCE\xBB\xCE\xBB\xCE\xAC\xCE\xB4\xCE\xB1",             /* Ελλάδα */
        "\xCE\xBA\xCE\xB1\xCE\xB9", "\xCF\x84\xCE\xBF",                 /* και το */
        "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",                         /* 日本語 */
        "\xE4\xB8\xAD\xE6\x96\x87", "\xE6\x95\xB0\xE6\x8D\xAE",         /* 中文 数据 */
        "caf\xC3\xA9", "\xC3\x89T\xC3\x89", "na\xC3\xAFve", "stra\xC3\x9F" "e",
        "M\xC3\xBCnchen", "\xC3\xA7\xC3\xA0",
        "\xD0\xB3\xD0\xBE\xD1\x81\xD1\x83\xD0\xB4\xD0\xB0\xD1\x80\xD1\x81\xD1\x82\xD0\xB2\xD0\xBE",
        "2024", "\xE2\x80\x9Cquote\xE2\x80\x9D",                        /* “quote” */
    };
    make_text(s, w, sizeof w / sizeof w[0], 440, 20000);
}

static void load_corpus(set *s, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open the corpus (make it with scripts/make-corpus.sh)");
    chaff_json *j;
    if (chaff_json_new(&j, "text", NULL, NULL))
        die("chaff_json_new");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n')
            n--;
        chaff_record rec;
        if (chaff_json_parse(j, line, (size_t)n, &rec) == CHAFF_OK)
            add(s, rec.text, rec.text_len);
        chaff_json_reset(j);
    }
    free(line);
    chaff_json_free(j);
    fclose(f);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t fold(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    return h;
}

static void run(const set *s, unsigned kind, unsigned ngram, int runs)
{
    chaff_options o;
    chaff_options_default(&o);
    o.shingle = kind;
    o.ngram = ngram;
    chaff__tok t;
    chaff__tok_init(&t, &o);
    double best = 1e30;
    uint64_t sum = 0, words = 0, shingles = 0;
    for (int r = 0; r < runs; r++) {
        uint64_t h = 0, w = 0, sh = 0;
        double t0 = now();
        for (size_t i = 0; i < s->n; i++) {
            if (chaff__tokenize(&t, s->buf + s->off[i], s->len[i]))
                die("chaff__tokenize failed");
            h = fold(h, t.exact.low64 ^ t.nunits);
            w += t.nunits;
            sh += t.nsh;
        }
        double dt = now() - t0;
        best = dt < best ? dt : best;
        sum = h, words = w, shingles = sh;
    }
    /* a full-output checksum, outside the timed runs */
    uint64_t full = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (chaff__tokenize(&t, s->buf + s->off[i], s->len[i]))
            die("chaff__tokenize failed");
        full = fold(full, t.norm_len);
        for (size_t k = 0; k < t.norm_len; k++)
            full = fold(full, (unsigned char)t.norm[k]);
        for (size_t k = 0; k < t.nunits; k++)
            full = fold(full, t.units[k]);
        for (size_t k = 0; k < t.nsh; k++)
            full = fold(full, t.sh[k]);
        full = fold(full, t.exact.low64);
        full = fold(full, t.exact.high64);
    }
    (void)sum;
    printf("%-8s %-8s %6zu records %6.0f B/rec %6.1f words/rec  %8.1f ns/record %6.2f ns/%s"
           "  %6.3f ns/byte  checksum %016llx (%llu shingles)\n",
           s->name, kind == CHAFF_SHINGLE_WORDS ? "words" : "chars", s->n,
           (double)s->bytes / (double)s->n, (double)words / (double)s->n,
           best * 1e9 / (double)s->n, best * 1e9 / (double)(words ? words : 1),
           kind == CHAFF_SHINGLE_WORDS ? "word" : "cp  ", best * 1e9 / (double)s->bytes,
           (unsigned long long)full, (unsigned long long)shingles);
    chaff__tok_free(&t);
}

int main(int argc, char **argv)
{
    int runs = 9;
    const char *only = NULL, *corpus = "/tmp/tc.jsonl";
    unsigned kind = CHAFF_SHINGLE_WORDS, ngram = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-r") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
            const char *a = argv[++i];
            kind = CHAFF_SHINGLE_CHARS;
            ngram = (unsigned)atoi(strncmp(a, "chars:", 6) ? a : a + 6);
        } else
            corpus = argv[i];
    }
    set sets[3] = { { .name = "english" }, { .name = "corpus" }, { .name = "foreign" } };
    make_english(&sets[0]);
    make_foreign(&sets[2]);
    if (!only || !strcmp(only, "corpus"))
        load_corpus(&sets[1], corpus);
    for (int k = 0; k < 3; k++)
        if (!only || !strcmp(only, sets[k].name))
            run(&sets[k], kind, ngram, runs);
    return 0;
}
