/* tests/test_reader.c - chaff_reader_*: line splitting, limits, zstd and gzip
 * streams, damaged and failing input.
 *
 * The reader sits under everything else and its bugs are the quiet kind: a line
 * split wrongly at a buffer edge, or a cut-off download read as a shorter good
 * file. So each input here is checked line by line (text, length, number,
 * offset) against the text it must decode to, fed in every shape a read() can
 * take (a byte at a time, random chunk sizes, all at once), and a damaged input
 * must end in an error, never in a clean end with the wrong text.
 *
 * Random tests print their seed; CHAFF_SEED=N replays a run; a test name (or
 * pattern) as the argument runs only that test.
 *
 * Built with -DCHAFF_READER_TEXT_BUF=64 -DCHAFF_READER_IN_BUF=16 (core/reader.c
 * takes its buffer sizes from these), the same checks run with a buffer edge in
 * nearly every line and frame header; then only the tests that count lines per
 * batch (basic_lines, batch_limits, where_and_bytes_in) may fail, as they assume the
 * default 1 MiB buffer.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "chaff.h"
#include "testbuf.h"
#include "testutil.h"

#define MiB ((size_t)1 << 20)
#define CHAFF_MIN_(a, b) ((a) < (b) ? (a) : (b))

/* ---- helpers: randomness, growable buffers ------------------------------- */

static uint64_t g_seed;

static size_t below(uint64_t *s, size_t n)
{
    return n ? (size_t)(test_splitmix(s) % n) : 0;
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* Text shaped like the real thing, plus the awkward cases: empty lines, CRLF,
 * binary bytes (including both formats' magic numbers), the odd long line. */
static void gen_text(buf *b, uint64_t *rng, size_t nlines, int final_newline)
{
    static const char *words[] = { "the", "quick", "brown", "fox", "jumps", "over",
                                   "lazy", "dog", "dataset", "\\u00e9t\\u00e9", "caf\xc3\xa9" };
    char tmp[64];
    for (size_t i = 0; i < nlines; i++) {
        size_t kind = below(rng, 100);
        if (kind < 10) {
            /* empty line */
        } else if (kind < 25) {
            size_t n = below(rng, 200);
            for (size_t k = 0; k < n; k++) {
                unsigned char c = (unsigned char)test_splitmix(rng);
                if (c == '\n')
                    c = '\r';
                put(b, &c, 1);
            }
        } else if (kind < 28) {
            size_t n = 500 + below(rng, 5000);
            for (size_t k = 0; k < n; k++)
                put(b, &"abcdefghijklmnopqrstuvwxyz"[k % 26], 1);
        } else {
            snprintf(tmp, sizeof tmp, "{\"id\":%zu,\"text\":\"", i);
            puts_(b, tmp);
            size_t n = below(rng, 40);
            for (size_t k = 0; k < n; k++) {
                puts_(b, words[below(rng, sizeof words / sizeof *words)]);
                puts_(b, " ");
            }
            puts_(b, "\"}");
            if (kind < 38)
                puts_(b, "\r");
        }
        if (i + 1 < nlines || final_newline)
            puts_(b, "\n");
    }
}

/* ---- the byte source ------------------------------------------------------ */

enum { FEED_ALL, FEED_ONE, FEED_RANDOM };

typedef struct src {
    const unsigned char *p;
    size_t len, pos;
    int feed;
    uint64_t rng;
    size_t fail_at;          /* read() returns -1 once pos reaches this */
} src;

static ptrdiff_t src_read(void *user, void *dst, size_t cap)
{
    src *s = user;
    if (s->pos >= s->fail_at)
        return -1;
    size_t n = s->len - s->pos;
    if (n > cap)
        n = cap;
    if (s->feed == FEED_ONE && n > 1)
        n = 1;
    if (s->feed == FEED_RANDOM && n > 1) {
        size_t lim;
        switch (test_splitmix(&s->rng) % 4) {
        case 0: lim = 1 + below(&s->rng, 16); break;
        case 1: lim = 1 + below(&s->rng, 4096); break;
        case 2: lim = 1 + below(&s->rng, 3 * MiB); break;
        default: lim = SIZE_MAX; break;
        }
        if (n > lim)
            n = lim;
    }
    if (s->fail_at - s->pos < n)
        n = s->fail_at - s->pos;
    memcpy(dst, s->p + s->pos, n);
    s->pos += n;
    return (ptrdiff_t)n;
}

/* ---- checking what arrives ------------------------------------------------ */

typedef struct check {
    const unsigned char *text; /* what the input must decode to */
    size_t len;
    size_t pos;              /* offset of the next line expected */
    uint64_t lines;          /* lines received */
    int bad;                 /* some line was not the next line of text */
} check;

static void check_init(check *c, const void *text, size_t len)
{
    memset(c, 0, sizeof *c);
    c->text = text;
    c->len = len;
}

static void check_line(check *c, const chaff_line *l)
{
    c->lines++;
    if (c->pos >= c->len || l->lineno != c->lines || l->offset != c->pos ||
        l->len > c->len - c->pos || memcmp(l->data, c->text + c->pos, l->len) != 0 ||
        (c->pos + l->len < c->len && c->text[c->pos + l->len] != '\n'))
        c->bad = 1;
    c->pos += l->len + 1;
}

/* Every line of text arrived, in order, and nothing else did. */
static int check_complete(const check *c)
{
    return !c->bad && c->pos >= c->len;
}

typedef struct run {
    const void *in;
    size_t in_len;
    int feed;
    size_t fail_at;          /* 0 = never */
    size_t max_line, max, batch;
    int shuffle;             /* random max and batch_bytes per call, up to max and batch */
    const chaff_allocator *alloc;
    /* results */
    chaff_status new_st, st;
    chaff_compression comp;
    uint64_t bytes_in, where_line, where_off;
} run;

/* Reads run->in to its end or first error, checking every batch's limits and
 * every line against c. */
static void run_reader(run *ru, check *c, uint64_t seed)
{
    uint64_t rng = seed;
    src s = { ru->in, ru->in_len, 0, ru->feed, seed ^ 0x5555, ru->fail_at ? ru->fail_at : SIZE_MAX };
    chaff_reader *r = (chaff_reader *)&s; /* must be overwritten */
    ru->new_st = chaff_reader_new(&r, src_read, &s, ru->max_line, ru->alloc);
    if (ru->new_st != CHAFF_OK) {
        assert_null(r);
        ru->st = ru->new_st;
        return;
    }
    size_t max = ru->max ? ru->max : 1000;
    chaff_line *lines = calloc(max, sizeof *lines);
    assert_non_null(lines);
    ru->comp = chaff_reader_compression(r);
    uint64_t last_in = chaff_reader_bytes_in(r);
    for (;;) {
        size_t m = max, b = ru->batch, n = 777;
        if (ru->shuffle) {
            m = 1 + below(&rng, max);
            b = below(&rng, 3) == 0 ? 0 : 1 + below(&rng, ru->batch ? ru->batch : 64);
        }
        chaff_status st = chaff_reader_lines(r, lines, m, b, &n);
        uint64_t in = chaff_reader_bytes_in(r);
        assert_true(in >= last_in && in <= ru->in_len);
        last_in = in;
        if (st != CHAFF_OK) {
            assert_int_equal(n, 0);
            ru->st = st;
            break;
        }
        assert_true(n >= 1 && n <= m);
        size_t sum = 0;
        for (size_t i = 0; i < n; i++) {
            assert_null(memchr(lines[i].data, '\n', lines[i].len));
            sum += lines[i].len;
            check_line(c, &lines[i]);
        }
        if (b && n > 1)
            assert_true(sum <= b);
        /* where() names the line after the batch */
        uint64_t wl, wo;
        chaff_reader_where(r, &wl, &wo);
        assert_int_equal(wl, lines[n - 1].lineno + 1);
        uint64_t end = lines[n - 1].offset + lines[n - 1].len;
        assert_true(wo == end + 1 || wo == end); /* the latter: no '\n' after the last */
    }
    ru->bytes_in = chaff_reader_bytes_in(r);
    chaff_reader_where(r, &ru->where_line, &ru->where_off);
    /* errors and the end are sticky */
    size_t n = 777;
    assert_int_equal(chaff_reader_lines(r, lines, max, 0, &n), ru->st);
    assert_int_equal(n, 0);
    free(lines);
    chaff_reader_free(r);
}

static void run_defaults(run *ru, const void *in, size_t len, int feed)
{
    memset(ru, 0, sizeof *ru);
    ru->in = in;
    ru->in_len = len;
    ru->feed = feed;
    ru->max = 64;
}

/* Reads plain or compressed `in` and asserts it decodes exactly to text. */
static void expect_text(const void *in, size_t in_len, const void *text, size_t text_len,
                        int feed, int shuffle, size_t max, size_t batch, uint64_t seed)
{
    run ru;
    check c;
    run_defaults(&ru, in, in_len, feed);
    ru.max = max;
    ru.batch = batch;
    ru.shuffle = shuffle;
    check_init(&c, text, text_len);
    run_reader(&ru, &c, seed);
    if (ru.st != CHAFF_END || !check_complete(&c))
        print_error("seed %" PRIu64 ": status %d, line %" PRIu64 " wrong=%d\n", seed,
                    (int)ru.st, c.lines, c.bad);
    assert_int_equal(ru.st, CHAFF_END);
    assert_true(check_complete(&c));
    assert_int_equal(ru.bytes_in, in_len);
}

/* ---- compressing test input (through our writer) -------------------------- */

static int sink_buf(void *user, const void *p, size_t n)
{
    put(user, p, n);
    return 0;
}

/* Appends text to out as one frame (member) of c, written in random pieces. */
static void compress_into(buf *out, chaff_compression c, int level, const void *text,
                          size_t len, uint64_t seed)
{
    chaff_writer *w;
    uint64_t rng = seed;
    assert_int_equal(chaff_writer_new(&w, c, level, sink_buf, out, NULL), CHAFF_OK);
    const unsigned char *p = text;
    while (len) {
        size_t k = below(&rng, 4) == 0 ? 1 + below(&rng, 600000) : 1 + below(&rng, 300);
        if (k > len)
            k = len;
        assert_int_equal(chaff_writer_write(w, p, k), CHAFF_OK);
        p += k;
        len -= k;
    }
    assert_int_equal(chaff_writer_finish(w), CHAFF_OK);
    chaff_writer_free(w);
}

static void skippable_into(buf *out, const char *payload)
{
    uint32_t n = (uint32_t)strlen(payload);
    unsigned char h[8] = { 0x5A, 0x2A, 0x4D, 0x18, (unsigned char)n, (unsigned char)(n >> 8),
                           (unsigned char)(n >> 16), (unsigned char)(n >> 24) };
    put(out, h, 8);
    put(out, payload, n);
}

/* ---- guard pages ---------------------------------------------------------- */

/* A copy of p[0..n) that ends exactly where an unreadable page begins, so a
 * read one byte too far faults instead of passing quietly. */
static unsigned char *guarded_copy(const void *p, size_t n, void **map, size_t *map_len)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    size_t data = (n + pg - 1) / pg * pg;
    unsigned char *m = mmap(NULL, data + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
    assert_true(m != MAP_FAILED);
    assert_int_equal(mprotect(m + data, pg, PROT_NONE), 0);
    *map = m;
    *map_len = data + pg;
    unsigned char *q = m + data - n;
    if (n)
        memcpy(q, p, n);
    return q;
}

/* An allocator whose every block ends against an unreadable page; it also counts
 * what is live, so a leak or a codec that bypasses the hooks shows. */
typedef struct guard_alloc {
    struct blk { void *p, *map; size_t size, map_len; } b[64];
    size_t live, calls;
} guard_alloc;

static void *guard_fn(void *opaque, void *ptr, size_t size)
{
    guard_alloc *g = opaque;
    void *np = NULL;
    g->calls++;
    if (size) {
        size_t pg = (size_t)sysconf(_SC_PAGESIZE);
        size_t rounded = (size + 15) / 16 * 16; /* malloc's alignment */
        size_t data = (rounded + pg - 1) / pg * pg;
        unsigned char *m = mmap(NULL, data + pg, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        mprotect(m + data, pg, PROT_NONE);
        np = m + data - rounded;
        size_t i = 0;
        while (i < 64 && g->b[i].p)
            i++;
        assert_true(i < 64);
        g->b[i] = (struct blk){ np, m, size, data + pg };
        g->live++;
    }
    if (ptr) {
        size_t i = 0;
        while (i < 64 && g->b[i].p != ptr)
            i++;
        assert_true(i < 64);
        if (np)
            memcpy(np, ptr, g->b[i].size < size ? g->b[i].size : size);
        munmap(g->b[i].map, g->b[i].map_len);
        g->b[i].p = NULL;
        g->live--;
    }
    return np;
}

/* An allocator that keeps freed blocks for reuse at the same size. The loops
 * that make thousands of readers use it: under AddressSanitizer each fresh
 * megabyte buffer costs a new mapping, which would dominate their run time. */
typedef struct pool {
    struct pblk { void *p; size_t size; } live[64], spare[16];
} pool;

static struct pblk *pool_find(struct pblk *b, size_t n, void *p, size_t size)
{
    for (size_t i = 0; i < n; i++)
        if (p ? b[i].p == p : (b[i].p && b[i].size == size))
            return &b[i];
    return NULL;
}

static void *pool_fn(void *opaque, void *ptr, size_t size)
{
    pool *pl = opaque;
    struct pblk *l = ptr ? pool_find(pl->live, 64, ptr, 0) : NULL;
    if (ptr)
        assert_non_null(l);
    if (!ptr) {
        struct pblk *sp = pool_find(pl->spare, 16, NULL, size);
        void *q = sp ? sp->p : malloc(size);
        if (sp)
            sp->p = NULL;
        if (q) {
            struct pblk *slot = pl->live;
            while (slot->p) {
                slot++;
                assert_true(slot < pl->live + 64);
            }
            *slot = (struct pblk){ q, size };
        }
        return q;
    }
    if (size) {
        void *q = realloc(ptr, size);
        if (q)
            *l = (struct pblk){ q, size };
        return q;
    }
    struct pblk *sp = pl->spare;
    while (sp < pl->spare + 16 && sp->p)
        sp++;
    if (sp < pl->spare + 16)
        *sp = *l;
    else
        free(ptr);
    l->p = NULL;
    return NULL;
}

static void pool_drain(pool *pl)
{
    for (int i = 0; i < 64; i++)
        assert_null(pl->live[i].p);
    for (int i = 0; i < 16; i++)
        free(pl->spare[i].p);
    memset(pl, 0, sizeof *pl);
}

/* ---- plain text ------------------------------------------------------------ */

static void test_basic_lines(void **state)
{
    (void)state;
    static const char t[] = "a\nbb\n\nccc";
    src s = { (const unsigned char *)t, 9, 0, FEED_ALL, 0, SIZE_MAX };
    chaff_reader *r;
    chaff_line l[8];
    size_t n;
    uint64_t wl, wo;
    assert_int_equal(chaff_reader_new(&r, src_read, &s, 0, NULL), CHAFF_OK);
    assert_int_equal(chaff_reader_compression(r), CHAFF_COMPRESS_NONE);
    chaff_reader_where(r, &wl, &wo);
    assert_int_equal(wl, 1);
    assert_int_equal(wo, 0);
    assert_int_equal(chaff_reader_lines(r, l, 8, 0, &n), CHAFF_OK);
    assert_int_equal(n, 4);
    assert_int_equal(l[0].len, 1);
    assert_memory_equal(l[0].data, "a", 1);
    assert_int_equal(l[1].len, 2);
    assert_memory_equal(l[1].data, "bb", 2);
    assert_int_equal(l[2].len, 0);
    assert_int_equal(l[3].len, 3);
    assert_memory_equal(l[3].data, "ccc", 3);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(l[i].lineno, i + 1);
    assert_int_equal(l[0].offset, 0);
    assert_int_equal(l[1].offset, 2);
    assert_int_equal(l[2].offset, 5);
    assert_int_equal(l[3].offset, 6);
    assert_int_equal(chaff_reader_lines(r, l, 8, 0, &n), CHAFF_END);
    assert_int_equal(n, 0);
    assert_int_equal(chaff_reader_lines(r, l, 8, 0, &n), CHAFF_END);
    chaff_reader_where(r, &wl, &wo);
    assert_int_equal(wl, 5);
    assert_int_equal(wo, 9);
    assert_int_equal(chaff_reader_bytes_in(r), 9);
    chaff_reader_free(r);
}

/* Small inputs with their exact lines: "|" separates the expected lines. */
static void expect_split(const char *in, const char *want)
{
    for (int feed = FEED_ALL; feed <= FEED_ONE; feed++) {
        src s = { (const unsigned char *)in, strlen(in), 0, feed, 0, SIZE_MAX };
        chaff_reader *r;
        chaff_line l[16];
        size_t n, got = 0;
        buf joined = { 0 };
        assert_int_equal(chaff_reader_new(&r, src_read, &s, 0, NULL), CHAFF_OK);
        chaff_status st;
        while ((st = chaff_reader_lines(r, l, 16, 0, &n)) == CHAFF_OK) {
            for (size_t i = 0; i < n; i++) {
                if (got++)
                    puts_(&joined, "|");
                put(&joined, l[i].data, l[i].len);
            }
        }
        assert_int_equal(st, CHAFF_END);
        put(&joined, "", 1);
        assert_string_equal((char *)joined.p, want);
        buf_free(&joined);
        chaff_reader_free(r);
    }
}

static void test_small_shapes(void **state)
{
    (void)state;
    expect_split("x\r\ny\r\n", "x\r|y\r");     /* CR stays: the caller decides */
    expect_split("abc", "abc");                 /* no final newline: still a line */
    expect_split("abc\n", "abc");               /* ... and a final newline adds none */
    expect_split("\n", "");                     /* one empty line */
    expect_split("\n\n\n", "||");               /* three empty lines */
    expect_split("\r", "\r");
    expect_split("a\n\nb\n\n", "a||b|");
    expect_split("(", "(");                     /* a zstd magic's first byte alone is text */
    expect_split("P*", "P*");                   /* so is a skippable frame's */
    expect_split("ab", "ab");
}

static void test_count_lines(void **state)
{
    (void)state;
    /* expect_split cannot tell "" from no line at all: count them here */
    static const struct { const char *in; size_t lines; } cases[] = {
        { "", 0 }, { "\n", 1 }, { "\n\n", 2 }, { "a", 1 }, { "a\n", 1 }, { "a\nb", 2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        run ru;
        check c;
        run_defaults(&ru, cases[i].in, strlen(cases[i].in), FEED_ONE);
        check_init(&c, cases[i].in, strlen(cases[i].in));
        run_reader(&ru, &c, 1);
        assert_int_equal(ru.st, CHAFF_END);
        assert_true(check_complete(&c));
        assert_int_equal(c.lines, cases[i].lines);
    }
}

static void test_empty_input(void **state)
{
    (void)state;
    src s = { (const unsigned char *)"", 0, 0, FEED_ALL, 0, SIZE_MAX };
    chaff_reader *r;
    chaff_line l[4];
    size_t n = 5;
    uint64_t wl, wo;
    assert_int_equal(chaff_reader_new(&r, src_read, &s, 0, NULL), CHAFF_OK);
    assert_int_equal(chaff_reader_compression(r), CHAFF_COMPRESS_NONE);
    assert_int_equal(chaff_reader_lines(r, l, 4, 0, &n), CHAFF_END);
    assert_int_equal(n, 0);
    assert_int_equal(chaff_reader_bytes_in(r), 0);
    chaff_reader_where(r, &wl, &wo);
    assert_int_equal(wl, 1);
    assert_int_equal(wo, 0);
    chaff_reader_free(r);
}

/* Every byte is a batch boundary when read() gives one byte at a time; the
 * batch limits add boundaries between lines. */
static void test_one_byte_reads(void **state)
{
    (void)state;
    uint64_t rng = g_seed;
    buf t = { 0 };
    gen_text(&t, &rng, 300, 0);
    static const size_t shapes[][2] = { { 1, 0 }, { 2, 0 }, { 3, 7 }, { 1000, 0 }, { 1000, 1 },
                                        { 50, 100 }, { 7, 5000 } };
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
        expect_text(t.p, t.len, t.p, t.len, FEED_ONE, 0, shapes[i][0], shapes[i][1], g_seed);
    expect_text(t.p, t.len, t.p, t.len, FEED_ONE, 1, 40, 3000, g_seed + 1);
    buf_free(&t);
}

/* Random read sizes and random batch limits, over text with lines longer than
 * the reader's buffer, so compaction and growth happen mid-line. */
static void test_random_chunks(void **state)
{
    (void)state;
    for (uint64_t round = 0; round < 6; round++) {
        uint64_t seed = g_seed + 100 + round, rng = seed;
        buf t = { 0 };
        gen_text(&t, &rng, 2000 + below(&rng, 4000), (int)(round & 1));
        if (round >= 3) {
            /* a few lines around the 1 MiB buffer size, at random places */
            for (int k = 0; k < 3; k++) {
                size_t n = MiB - 100 + below(&rng, 3 * MiB / 2);
                for (size_t j = 0; j < n; j++)
                    put(&t, &"0123456789abcdef"[j & 15], 1);
                puts_(&t, "\n");
                gen_text(&t, &rng, 200, 1);
            }
        }
        expect_text(t.p, t.len, t.p, t.len, FEED_RANDOM, 1, 300, 200000, seed);
        expect_text(t.p, t.len, t.p, t.len, FEED_RANDOM, 0, 1000, 0, seed);
        buf_free(&t);
    }
}

/* The source, and every block the reader allocates, end against a guard page. */
static void test_guard_pages(void **state)
{
    (void)state;
    uint64_t rng = g_seed + 7;
    buf t = { 0 };
    gen_text(&t, &rng, 3000, 0); /* no final '\n': the last line ends at the guard */
    for (int fmt = CHAFF_COMPRESS_NONE; fmt <= CHAFF_COMPRESS_GZIP; fmt++) {
        buf z = { 0 };
        if (fmt == CHAFF_COMPRESS_NONE)
            put(&z, t.p, t.len);
        else
            compress_into(&z, (chaff_compression)fmt, 0, t.p, t.len, g_seed);
        void *map;
        size_t map_len;
        unsigned char *g = guarded_copy(z.p, z.len, &map, &map_len);
        for (int feed = FEED_ALL; feed <= FEED_RANDOM; feed++) {
            guard_alloc ga;
            memset(&ga, 0, sizeof ga);
            chaff_allocator a = { guard_fn, &ga };
            run ru;
            check c;
            run_defaults(&ru, g, z.len, feed);
            ru.alloc = &a;
            check_init(&c, t.p, t.len);
            run_reader(&ru, &c, g_seed + (uint64_t)feed);
            assert_int_equal(ru.st, CHAFF_END);
            assert_true(check_complete(&c));
            assert_int_equal(ru.comp, fmt);
            assert_int_equal(ga.live, 0);
            /* the codecs allocate through the hooks too */
            assert_true(ga.calls >= (fmt == CHAFF_COMPRESS_NONE ? 4u : 8u));
        }
        munmap(map, map_len);
        buf_free(&z);
    }
    buf_free(&t);
}

/* ---- long lines and max_line ----------------------------------------------- */

/* A source of `len` pattern bytes, then `tail`; nothing is held in memory. */
typedef struct pattern_src {
    size_t len, pos;
    const char *tail;
    size_t tail_len;
} pattern_src;

/* The pattern repeats every 23 bytes (prime, so it never lines up with a
 * buffer size); PATTERN holds enough periods to copy and compare in blocks. */
#define PERIOD 23
#define PATTERN_LEN (PERIOD * 2851) /* ~64 KiB */
static unsigned char g_pattern[PATTERN_LEN + PERIOD];

static void pattern_init(void)
{
    for (size_t i = 0; i < sizeof g_pattern; i++)
        g_pattern[i] = (unsigned char)('a' + i % PERIOD);
}

/* pattern bytes [off, off + n) into d */
static void pattern_copy(unsigned char *d, size_t off, size_t n)
{
    while (n) {
        size_t k = n < PATTERN_LEN ? n : PATTERN_LEN;
        memcpy(d, g_pattern + off % PERIOD, k);
        d += k;
        off += k;
        n -= k;
    }
}

static ptrdiff_t pattern_read(void *user, void *dst, size_t cap)
{
    pattern_src *s = user;
    unsigned char *d = dst;
    size_t n = 0;
    /* odd-sized reads, so the line's end lands mid-read */
    cap = cap > 777777 ? 777777 : cap;
    if (s->pos < s->len) {
        n = CHAFF_MIN_(cap, s->len - s->pos);
        pattern_copy(d, s->pos, n);
        s->pos += n;
    }
    while (n < cap && s->pos < s->len + s->tail_len) {
        d[n++] = (unsigned char)s->tail[s->pos - s->len];
        s->pos++;
    }
    return (ptrdiff_t)n;
}

static void check_pattern_line(const chaff_line *l, size_t len)
{
    assert_int_equal(l->len, len);
    const unsigned char *p = (const unsigned char *)l->data;
    size_t bad = 0;
    for (size_t off = 0; off < len; off += PATTERN_LEN) {
        size_t k = len - off < PATTERN_LEN ? len - off : PATTERN_LEN;
        bad += memcmp(p + off, g_pattern + off % PERIOD, k) != 0;
    }
    assert_int_equal(bad, 0);
}

static void test_line_64mib(void **state)
{
    (void)state;
    const size_t big = 64 * MiB;
    pattern_src s = { big, 0, "\ntail", 5 };
    chaff_reader *r;
    chaff_line l[4];
    size_t n;
    assert_int_equal(chaff_reader_new(&r, pattern_read, &s, 0, NULL), CHAFF_OK);
    assert_int_equal(chaff_reader_lines(r, l, 4, 1000, &n), CHAFF_OK);
    assert_int_equal(n, 1); /* one line alone may exceed batch_bytes */
    check_pattern_line(&l[0], big);
    assert_int_equal(chaff_reader_lines(r, l, 4, 0, &n), CHAFF_OK);
    assert_int_equal(n, 1);
    assert_int_equal(l[0].len, 4);
    assert_memory_equal(l[0].data, "tail", 4);
    assert_int_equal(l[0].lineno, 2);
    assert_int_equal(l[0].offset, big + 1);
    assert_int_equal(chaff_reader_lines(r, l, 4, 0, &n), CHAFF_END);
    chaff_reader_free(r);
}

static void test_line_64mib_zstd(void **state)
{
    (void)state;
    const size_t big = 64 * MiB;
    buf z = { 0 };
    chaff_writer *w;
    unsigned char *chunk = malloc(MiB);
    assert_non_null(chunk);
    assert_int_equal(chaff_writer_new(&w, CHAFF_COMPRESS_ZSTD, 1, sink_buf, &z, NULL), CHAFF_OK);
    for (size_t off = 0; off < big; off += MiB) {
        pattern_copy(chunk, off, MiB);
        assert_int_equal(chaff_writer_write(w, chunk, MiB), CHAFF_OK);
    }
    assert_int_equal(chaff_writer_write(w, "\nend\n", 5), CHAFF_OK);
    assert_int_equal(chaff_writer_finish(w), CHAFF_OK);
    chaff_writer_free(w);
    free(chunk);

    src s = { z.p, z.len, 0, FEED_ALL, 0, SIZE_MAX };
    chaff_reader *r;
    chaff_line l[4];
    size_t n;
    assert_int_equal(chaff_reader_new(&r, src_read, &s, big, NULL), CHAFF_OK);
    assert_int_equal(chaff_reader_compression(r), CHAFF_COMPRESS_ZSTD);
    assert_int_equal(chaff_reader_lines(r, l, 4, 0, &n), CHAFF_OK);
    assert_int_equal(n, 1);
    check_pattern_line(&l[0], big);
    assert_int_equal(chaff_reader_lines(r, l, 4, 0, &n), CHAFF_OK);
    assert_int_equal(n, 1);
    assert_int_equal(l[0].len, 3);
    assert_int_equal(chaff_reader_lines(r, l, 4, 0, &n), CHAFF_END);
    assert_int_equal(chaff_reader_bytes_in(r), z.len);
    chaff_reader_free(r);
    buf_free(&z);
}

static void test_max_line(void **state)
{
    (void)state;
    /* 10 bytes pass, 11 do not; the good lines before come out first */
    static const char t[] = "0123456789\nabc\n01234567890\nxyz\n";
    for (int feed = FEED_ALL; feed <= FEED_ONE; feed++) {
        src s = { (const unsigned char *)t, strlen(t), 0, feed, 0, SIZE_MAX };
        chaff_reader *r;
        chaff_line l[8];
        size_t n, got = 0;
        uint64_t wl, wo;
        chaff_status st;
        assert_int_equal(chaff_reader_new(&r, src_read, &s, 10, NULL), CHAFF_OK);
        while ((st = chaff_reader_lines(r, l, 8, 0, &n)) == CHAFF_OK)
            got += n;
        assert_int_equal(st, CHAFF_E_TOO_LARGE);
        assert_int_equal(got, 2);
        chaff_reader_where(r, &wl, &wo);
        assert_int_equal(wl, 3);
        assert_int_equal(wo, 15);
        assert_int_equal(chaff_reader_lines(r, l, 8, 0, &n), CHAFF_E_TOO_LARGE);
        assert_int_equal(n, 0);
        chaff_reader_free(r);
    }

    /* the same at the end, without '\n' */
    static const struct { const char *in; chaff_status st; } ends[] = {
        { "ab\n0123456789", CHAFF_END }, { "ab\n01234567890", CHAFF_E_TOO_LARGE },
        { "01234567890", CHAFF_E_TOO_LARGE }, { "0123456789\n", CHAFF_END },
    };
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
        run ru;
        check c;
        run_defaults(&ru, ends[i].in, strlen(ends[i].in), FEED_ALL);
        ru.max_line = 10;
        check_init(&c, ends[i].in, strlen(ends[i].in));
        run_reader(&ru, &c, 3);
        assert_int_equal(ru.st, ends[i].st);
        assert_false(c.bad);
        if (ru.st == CHAFF_END)
            assert_true(check_complete(&c));
    }

    /* an endless line fails once it passes the limit, without reading on */
    pattern_src ps = { 64 * MiB, 0, "", 0 };
    chaff_reader *r;
    chaff_line l[2];
    size_t n;
    uint64_t wl, wo;
    assert_int_equal(chaff_reader_new(&r, pattern_read, &ps, MiB, NULL), CHAFF_OK);
    assert_int_equal(chaff_reader_lines(r, l, 2, 0, &n), CHAFF_E_TOO_LARGE);
    assert_true(chaff_reader_bytes_in(r) <= 3 * MiB);
    chaff_reader_where(r, &wl, &wo);
    assert_int_equal(wl, 1);
    assert_int_equal(wo, 0);
    chaff_reader_free(r);
}

/* ---- batch limits, offsets, where() ---------------------------------------- */

static void test_batch_limits(void **state)
{
    (void)state;
    buf t = { 0 };
    char tmp[32];
    for (int i = 0; i < 100; i++) {
        snprintf(tmp, sizeof tmp, "line-%03d\n", i); /* 8 bytes + '\n' */
        puts_(&t, tmp);
    }
    static const struct { size_t max, batch, per_call; } cases[] = {
        { 10, 0, 10 }, { 1, 0, 1 }, { 1000, 25, 3 }, { 1000, 24, 3 }, { 1000, 23, 2 },
        { 1000, 1, 1 }, { 4, 1000, 4 }, { 1000, 0, 100 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        src s = { t.p, t.len, 0, FEED_ALL, 0, SIZE_MAX };
        chaff_reader *r;
        chaff_line l[1000];
        size_t n, total = 0;
        chaff_status st;
        assert_int_equal(chaff_reader_new(&r, src_read, &s, 0, NULL), CHAFF_OK);
        while ((st = chaff_reader_lines(r, l, cases[i].max, cases[i].batch, &n)) == CHAFF_OK) {
            size_t left = 100 - total;
            assert_int_equal(n, left < cases[i].per_call ? left : cases[i].per_call);
            for (size_t k = 0; k < n; k++) {
                snprintf(tmp, sizeof tmp, "line-%03zu", total + k);
                assert_int_equal(l[k].len, 8);
                assert_memory_equal(l[k].data, tmp, 8);
                assert_int_equal(l[k].offset, (total + k) * 9);
            }
            total += n;
        }
        assert_int_equal(st, CHAFF_END);
        assert_int_equal(total, 100);
        chaff_reader_free(r);
    }

    /* a batch_bytes bigger than the default buffer gets batches that big */
    buf big = { 0 };
    while (big.len < 6 * MiB)
        put(&big, t.p, t.len);
    src s = { big.p, big.len, 0, FEED_RANDOM, g_seed, SIZE_MAX };
    chaff_reader *r;
    static chaff_line l[1 << 20];
    size_t n, sum = 0;
    assert_int_equal(chaff_reader_new(&r, src_read, &s, 0, NULL), CHAFF_OK);
    assert_int_equal(chaff_reader_lines(r, l, 1 << 20, 8 * MiB, &n), CHAFF_OK);
    for (size_t k = 0; k < n; k++)
        sum += l[k].len;
    assert_true(sum > 4 * MiB);
    assert_true(sum <= 8 * MiB);
    chaff_reader_free(r);
    buf_free(&big);
    buf_free(&t);
}

static void test_where_and_bytes_in(void **state)
{
    (void)state;
    static const char t[] = "ab\ncd\nef\n";
    src s = { (const unsigned char *)t, 9, 0, FEED_ONE, 0, SIZE_MAX };
    chaff_reader *r;
    chaff_line l[2];
    size_t n;
    uint64_t wl, wo;
    assert_int_equal(chaff_reader_new(&r, src_read, &s, 0, NULL), CHAFF_OK);
    assert_int_equal(chaff_reader_lines(r, l, 2, 0, &n), CHAFF_OK);
    assert_int_equal(n, 2);
    chaff_reader_where(r, &wl, &wo);
    assert_int_equal(wl, 3);
    assert_int_equal(wo, 6);
    chaff_reader_where(r, NULL, NULL); /* either may be NULL */
    assert_int_equal(chaff_reader_lines(r, l, 2, 0, &n), CHAFF_OK);
    assert_int_equal(n, 1);
    assert_int_equal(chaff_reader_lines(r, l, 2, 0, &n), CHAFF_END);
    chaff_reader_where(r, &wl, &wo);
    assert_int_equal(wl, 4);
    assert_int_equal(wo, 9);
    assert_int_equal(chaff_reader_bytes_in(r), 9);
    chaff_reader_free(r);

    /* compressed: bytes_in counts compressed bytes, offsets decompressed ones */
    uint64_t rng = g_seed + 11;
    buf text = { 0 }, z = { 0 };
    gen_text(&text, &rng, 5000, 1);
    compress_into(&z, CHAFF_COMPRESS_GZIP, 0, text.p, text.len, g_seed);
    assert_true(z.len < text.len);
    expect_text(z.p, z.len, text.p, text.len, FEED_RANDOM, 1, 100, 5000, g_seed); /* checks both */
    buf_free(&text);
    buf_free(&z);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    src s = { (const unsigned char *)"a\n", 2, 0, FEED_ALL, 0, SIZE_MAX };
    chaff_reader *r = (chaff_reader *)&s;
    chaff_line l[2];
    size_t n = 9;
    assert_int_equal(chaff_reader_new(NULL, src_read, &s, 0, NULL), CHAFF_E_ARG);
    assert_int_equal(chaff_reader_new(&r, NULL, &s, 0, NULL), CHAFF_E_ARG);
    assert_null(r);
    assert_int_equal(chaff_reader_new(&r, src_read, &s, 0, NULL), CHAFF_OK);
    assert_int_equal(chaff_reader_lines(r, l, 0, 0, &n), CHAFF_E_ARG);
    assert_int_equal(n, 0);
    assert_int_equal(chaff_reader_lines(r, NULL, 2, 0, &n), CHAFF_E_ARG);
    assert_int_equal(chaff_reader_lines(r, l, 2, 0, NULL), CHAFF_E_ARG);
    assert_int_equal(chaff_reader_lines(NULL, l, 2, 0, &n), CHAFF_E_ARG);
    /* a bad call does not spoil the reader */
    assert_int_equal(chaff_reader_lines(r, l, 2, 0, &n), CHAFF_OK);
    assert_int_equal(n, 1);
    chaff_reader_free(r);
    chaff_reader_free(NULL);
}

/* ---- compressed input ------------------------------------------------------ */

static void test_roundtrip(void **state)
{
    (void)state;
    for (int fmt = CHAFF_COMPRESS_ZSTD; fmt <= CHAFF_COMPRESS_GZIP; fmt++) {
        uint64_t seed = g_seed + 20 + (uint64_t)fmt, rng = seed;
        buf t = { 0 }, z = { 0 };
        gen_text(&t, &rng, 20000, fmt == CHAFF_COMPRESS_ZSTD);
        compress_into(&z, (chaff_compression)fmt, 0, t.p, t.len, seed);
        expect_text(z.p, z.len, t.p, t.len, FEED_RANDOM, 1, 500, 100000, seed);
        expect_text(z.p, z.len, t.p, t.len, FEED_ALL, 0, 1000, 0, seed);
        buf_free(&z);
        /* a byte at a time through the decoder, on a smaller input */
        t.len = 40000;
        compress_into(&z, (chaff_compression)fmt, 9, t.p, t.len, seed);
        expect_text(z.p, z.len, t.p, t.len, FEED_ONE, 1, 50, 2000, seed);
        buf_free(&z);
        buf_free(&t);
    }
}

/* Several frames (members), split mid-line, with empty ones and (zstd) a
 * skippable frame among them: the text is their concatenation. */
static void test_concatenated(void **state)
{
    (void)state;
    for (int fmt = CHAFF_COMPRESS_ZSTD; fmt <= CHAFF_COMPRESS_GZIP; fmt++) {
        uint64_t seed = g_seed + 30 + (uint64_t)fmt, rng = seed;
        buf t = { 0 }, z = { 0 };
        gen_text(&t, &rng, 3000, 1);
        size_t cuts[6] = { 0, 1 + below(&rng, 100), 0, 0, 0, t.len };
        for (int k = 2; k < 5; k++)
            cuts[k] = cuts[k - 1] + below(&rng, t.len - cuts[k - 1]);
        if (fmt == CHAFF_COMPRESS_ZSTD)
            skippable_into(&z, "skip me");
        for (int k = 0; k < 5; k++) {
            compress_into(&z, (chaff_compression)fmt, 0, t.p + cuts[k], cuts[k + 1] - cuts[k],
                          seed + (uint64_t)k);
            if (k == 2) {
                compress_into(&z, (chaff_compression)fmt, 0, "", 0, seed);
                if (fmt == CHAFF_COMPRESS_ZSTD)
                    skippable_into(&z, "\n\n\n");
            }
        }
        expect_text(z.p, z.len, t.p, t.len, FEED_RANDOM, 1, 300, 50000, seed);
        expect_text(z.p, z.len, t.p, t.len, FEED_ONE, 0, 1000, 0, seed);
        buf_free(&z);
        buf_free(&t);
    }
    /* only a skippable frame: zstd, and no lines */
    buf z = { 0 };
    skippable_into(&z, "hello\n");
    run ru;
    check c;
    run_defaults(&ru, z.p, z.len, FEED_ALL);
    check_init(&c, "", 0);
    run_reader(&ru, &c, 1);
    assert_int_equal(ru.st, CHAFF_END);
    assert_int_equal(ru.comp, CHAFF_COMPRESS_ZSTD);
    assert_int_equal(c.lines, 0);
    buf_free(&z);
}

/* Two frames cut at every offset. A cut at a frame boundary is a shorter valid
 * input; any other cut must end in CHAFF_E_TRUNCATED after nothing but correct
 * whole lines, and where() must point at the line that was cut. */
static void test_truncated(void **state)
{
    (void)state;
    for (int fmt = CHAFF_COMPRESS_ZSTD; fmt <= CHAFF_COMPRESS_GZIP; fmt++) {
        uint64_t seed = g_seed + 40 + (uint64_t)fmt, rng = seed;
        buf t1 = { 0 }, t2 = { 0 }, z = { 0 }, both = { 0 };
        gen_text(&t1, &rng, 20, 0); /* frame 1 ends mid-line */
        gen_text(&t2, &rng, 20, 1);
        compress_into(&z, (chaff_compression)fmt, 0, t1.p, t1.len, seed);
        size_t f1 = z.len;
        compress_into(&z, (chaff_compression)fmt, 0, t2.p, t2.len, seed);
        put(&both, t1.p, t1.len);
        put(&both, t2.p, t2.len);
        pool pl = { 0 };
        chaff_allocator a = { pool_fn, &pl };
        for (size_t cut = 0; cut <= z.len; cut++) {
            run ru;
            check c;
            run_defaults(&ru, z.p, cut, FEED_RANDOM);
            ru.alloc = &a;
            ru.shuffle = 1;
            ru.max = 20;
            check_init(&c, both.p, cut == 0 ? 0 : cut <= f1 ? t1.len : both.len);
            run_reader(&ru, &c, seed + cut);
            if (cut == 0 || cut == f1 || cut == z.len) {
                assert_int_equal(ru.st, CHAFF_END);
                assert_true(check_complete(&c));
            } else if (cut == 1 && fmt == CHAFF_COMPRESS_ZSTD) {
                /* "(" alone cannot be told from text, and is read as text */
                assert_int_equal(ru.st, CHAFF_END);
                assert_int_equal(ru.comp, CHAFF_COMPRESS_NONE);
                assert_int_equal(c.lines, 1);
            } else {
                if (ru.st != CHAFF_E_TRUNCATED || c.bad)
                    print_error("fmt %d cut %zu of %zu: status %d bad %d\n", fmt, cut, z.len,
                                (int)ru.st, c.bad);
                assert_int_equal(ru.st, CHAFF_E_TRUNCATED);
                assert_false(c.bad);
                assert_int_equal(ru.comp, fmt);
                assert_int_equal(ru.where_line, c.lines + 1);
                assert_true(ru.where_off >= c.pos && ru.where_off <= both.len);
                /* every line whole in what was decoded came out before the error */
                assert_null(memchr(both.p + c.pos, '\n', ru.where_off - c.pos));
            }
        }
        pool_drain(&pl);
        buf_free(&t1);
        buf_free(&t2);
        buf_free(&z);
        buf_free(&both);
    }
}

/* Damage at every byte: the input may still decode to the right text (a byte
 * the format ignores), or fail; it must never end cleanly with other text.
 * (Lines before the failure may be wrong: a frame's checksum is at its end.) */
static void test_corrupted(void **state)
{
    (void)state;
    static const unsigned char flips[] = { 0x01, 0x80, 0x5A };
    for (int fmt = CHAFF_COMPRESS_ZSTD; fmt <= CHAFF_COMPRESS_GZIP; fmt++) {
        uint64_t seed = g_seed + 50 + (uint64_t)fmt, rng = seed;
        buf t = { 0 }, z = { 0 };
        gen_text(&t, &rng, 30, 1);
        compress_into(&z, (chaff_compression)fmt, 0, t.p, t.len, seed);
        size_t failed = 0;
        pool pl = { 0 };
        chaff_allocator a = { pool_fn, &pl };
        for (size_t pos = 0; pos < z.len; pos++) {
            for (size_t f = 0; f < sizeof flips; f++) {
                z.p[pos] ^= flips[f];
                run ru;
                check c;
                run_defaults(&ru, z.p, z.len, FEED_RANDOM);
                ru.alloc = &a;
                check_init(&c, t.p, t.len);
                run_reader(&ru, &c, seed + pos);
                z.p[pos] ^= flips[f];
                if (ru.st == CHAFF_END && (int)ru.comp == fmt) {
                    if (!check_complete(&c))
                        print_error("fmt %d: byte %zu ^ %#x read cleanly as other text\n", fmt,
                                    pos, flips[f]);
                    assert_true(check_complete(&c));
                } else if (ru.st == CHAFF_END) {
                    /* the magic number itself was hit: read as text, so not clean */
                    assert_true(pos < 4);
                    assert_int_equal(ru.comp, CHAFF_COMPRESS_NONE);
                } else {
                    assert_true(ru.st == CHAFF_E_CORRUPT || ru.st == CHAFF_E_TRUNCATED);
                    failed++;
                }
            }
        }
        pool_drain(&pl);
        assert_true(failed > z.len); /* most damage is caught */
        buf_free(&t);
        buf_free(&z);
    }
}

static void expect_tail(chaff_compression fmt, const void *tail, size_t tail_len,
                        chaff_status want)
{
    uint64_t rng = g_seed + 60;
    buf t = { 0 }, z = { 0 };
    gen_text(&t, &rng, 50, 1);
    compress_into(&z, fmt, 0, t.p, t.len, g_seed);
    put(&z, tail, tail_len);
    for (int feed = FEED_ALL; feed <= FEED_RANDOM; feed++) {
        run ru;
        check c;
        run_defaults(&ru, z.p, z.len, feed);
        check_init(&c, t.p, t.len);
        run_reader(&ru, &c, g_seed);
        assert_int_equal(ru.st, want);
        /* the good frame's lines all came out first */
        assert_true(check_complete(&c));
        assert_int_equal(ru.where_line, c.lines + 1);
        assert_int_equal(ru.where_off, t.len);
    }
    buf_free(&t);
    buf_free(&z);
}

static void test_trailing_bytes(void **state)
{
    (void)state;
    static const unsigned char zmagic[] = { 0x28, 0xB5, 0x2F, 0xFD };
    expect_tail(CHAFF_COMPRESS_ZSTD, "garbage\n", 8, CHAFF_E_CORRUPT);
    expect_tail(CHAFF_COMPRESS_ZSTD, "ab", 2, CHAFF_E_CORRUPT);
    expect_tail(CHAFF_COMPRESS_ZSTD, "\0\0\0\0", 4, CHAFF_E_CORRUPT);
    expect_tail(CHAFF_COMPRESS_ZSTD, zmagic, 1, CHAFF_E_TRUNCATED);
    expect_tail(CHAFF_COMPRESS_ZSTD, zmagic, 3, CHAFF_E_TRUNCATED);
    expect_tail(CHAFF_COMPRESS_ZSTD, zmagic, 4, CHAFF_E_TRUNCATED);
    expect_tail(CHAFF_COMPRESS_ZSTD, "\x5a\x2a", 2, CHAFF_E_TRUNCATED); /* skippable */
    expect_tail(CHAFF_COMPRESS_ZSTD, "\x1f\x8b\x08\x00", 4, CHAFF_E_CORRUPT);
    expect_tail(CHAFF_COMPRESS_GZIP, "garbage\n", 8, CHAFF_E_CORRUPT);
    expect_tail(CHAFF_COMPRESS_GZIP, "\0\0\0\0", 4, CHAFF_E_CORRUPT);
    expect_tail(CHAFF_COMPRESS_GZIP, "\x1f", 1, CHAFF_E_TRUNCATED);
    expect_tail(CHAFF_COMPRESS_GZIP, "\x1f\x8b", 2, CHAFF_E_TRUNCATED);
    expect_tail(CHAFF_COMPRESS_GZIP, "\x1f\x8c", 2, CHAFF_E_CORRUPT);
    expect_tail(CHAFF_COMPRESS_GZIP, zmagic, 4, CHAFF_E_CORRUPT);
    /* a whole frame of the other format is still the wrong format */
    buf z = { 0 };
    compress_into(&z, CHAFF_COMPRESS_GZIP, 0, "x\n", 2, 1);
    expect_tail(CHAFF_COMPRESS_ZSTD, z.p, z.len, CHAFF_E_CORRUPT);
    buf_free(&z);
    compress_into(&z, CHAFF_COMPRESS_ZSTD, 0, "x\n", 2, 1);
    expect_tail(CHAFF_COMPRESS_GZIP, z.p, z.len, CHAFF_E_CORRUPT);
    buf_free(&z);
}

/* Inputs shorter than a magic number. */
static void test_short_magic(void **state)
{
    (void)state;
    static const struct { const char *in; size_t len; chaff_status st; chaff_compression c; } cases[] = {
        { "\x28\xb5", 2, CHAFF_E_TRUNCATED, CHAFF_COMPRESS_ZSTD },
        { "\x28\xb5\x2f", 3, CHAFF_E_TRUNCATED, CHAFF_COMPRESS_ZSTD },
        { "\x28\xb5\x2f\xfd", 4, CHAFF_E_TRUNCATED, CHAFF_COMPRESS_ZSTD },
        { "\x28\xb5\x2f\xfd\x00", 5, CHAFF_E_TRUNCATED, CHAFF_COMPRESS_ZSTD },
        { "\x1f", 1, CHAFF_E_TRUNCATED, CHAFF_COMPRESS_GZIP },
        { "\x1f\x8b", 2, CHAFF_E_TRUNCATED, CHAFF_COMPRESS_GZIP },
        { "\x1f\x8b\x08", 3, CHAFF_E_TRUNCATED, CHAFF_COMPRESS_GZIP },
        { "\x1f\x8b\x07\x00\x00\x00\x00\x00\x00\x03", 10, CHAFF_E_CORRUPT, CHAFF_COMPRESS_GZIP },
        { "\x28", 1, CHAFF_END, CHAFF_COMPRESS_NONE },
        { "\x28\xb6", 2, CHAFF_END, CHAFF_COMPRESS_NONE },
        { "\x1f\x8c", 2, CHAFF_END, CHAFF_COMPRESS_NONE },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (int feed = FEED_ALL; feed <= FEED_ONE; feed++) {
            run ru;
            check c;
            run_defaults(&ru, cases[i].in, cases[i].len, feed);
            check_init(&c, cases[i].in, cases[i].len);
            run_reader(&ru, &c, 1);
            assert_int_equal(ru.st, cases[i].st);
            assert_int_equal(ru.comp, cases[i].c);
            if (ru.st != CHAFF_END) {
                assert_int_equal(c.lines, 0);
                assert_int_equal(ru.where_line, 1);
                assert_int_equal(ru.where_off, 0);
            } else {
                assert_true(check_complete(&c));
            }
        }
    }
}

/* ---- read() failing ---------------------------------------------------------- */

static void test_read_error(void **state)
{
    (void)state;
    uint64_t rng = g_seed + 70;
    buf t = { 0 };
    gen_text(&t, &rng, 2000, 1);
    for (int fmt = CHAFF_COMPRESS_NONE; fmt <= CHAFF_COMPRESS_GZIP; fmt++) {
        buf z = { 0 };
        if (fmt == CHAFF_COMPRESS_NONE)
            put(&z, t.p, t.len);
        else
            compress_into(&z, (chaff_compression)fmt, 0, t.p, t.len, g_seed);
        size_t at[] = { 1, 3, 4, 5, 100, z.len / 2, z.len - 1, z.len };
        for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
            for (int feed = FEED_ALL; feed <= FEED_RANDOM; feed++) {
                run ru;
                check c;
                run_defaults(&ru, z.p, z.len, feed);
                ru.fail_at = at[i];
                check_init(&c, t.p, t.len);
                run_reader(&ru, &c, g_seed + i);
                assert_int_equal(ru.st, CHAFF_E_IO);
                assert_false(c.bad);
                if (ru.new_st == CHAFF_OK) {
                    assert_int_equal(ru.where_line, c.lines + 1);
                    assert_int_equal(ru.bytes_in, at[i]);
                    if (fmt == CHAFF_COMPRESS_NONE)
                        assert_int_equal(ru.where_off, at[i]);
                    /* every line whole in what was read came out before the error */
                    assert_true(ru.where_off >= c.pos && ru.where_off <= t.len);
                    assert_null(memchr(t.p + c.pos, '\n', ru.where_off - c.pos));
                } else {
                    /* failed while looking for the magic number */
                    assert_true(at[i] < 4);
                }
            }
        }
        buf_free(&z);
    }
    /* the very first read fails */
    src s = { t.p, t.len, 0, FEED_ALL, 0, 0 };
    chaff_reader *r = (chaff_reader *)&s;
    assert_int_equal(chaff_reader_new(&r, src_read, &s, 0, NULL), CHAFF_E_IO);
    assert_null(r);
    buf_free(&t);
}

/* A read() that claims more bytes than it was asked for is broken: CHAFF_E_IO. */
static ptrdiff_t liar_read(void *user, void *buf_, size_t cap)
{
    (void)user;
    memset(buf_, 'x', cap);
    return (ptrdiff_t)cap + 1;
}

static void test_read_overclaim(void **state)
{
    (void)state;
    chaff_reader *r;
    assert_int_equal(chaff_reader_new(&r, liar_read, NULL, 0, NULL), CHAFF_E_IO);
}

/* ---- allocation ---------------------------------------------------------------- */

typedef struct count_alloc {
    size_t live, calls, fail_after;
} count_alloc;

static void *count_fn(void *opaque, void *ptr, size_t size)
{
    count_alloc *a = opaque;
    a->calls++;
    if (size == 0) {
        if (ptr)
            a->live--;
        free(ptr);
        return NULL;
    }
    if (a->calls > a->fail_after)
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr)
        a->live++;
    return p;
}

/* Every allocation can fail: the reader reports CHAFF_E_NOMEM, leaks nothing. */
static void test_out_of_memory(void **state)
{
    (void)state;
    uint64_t rng = g_seed + 80;
    buf t = { 0 };
    gen_text(&t, &rng, 500, 1);
    for (size_t i = 0; i < 2 * MiB; i++)
        put(&t, "y", 1); /* a line that makes the buffer grow */
    for (int fmt = CHAFF_COMPRESS_NONE; fmt <= CHAFF_COMPRESS_GZIP; fmt++) {
        buf z = { 0 };
        if (fmt == CHAFF_COMPRESS_NONE)
            put(&z, t.p, t.len);
        else
            compress_into(&z, (chaff_compression)fmt, 0, t.p, t.len, g_seed);
        int finished = 0;
        for (size_t k = 0; !finished && k < 100; k++) {
            count_alloc ca = { 0, 0, k };
            chaff_allocator a = { count_fn, &ca };
            run ru;
            check c;
            run_defaults(&ru, z.p, z.len, FEED_ALL);
            ru.alloc = &a;
            check_init(&c, t.p, t.len);
            run_reader(&ru, &c, 1);
            assert_int_equal(ca.live, 0);
            assert_false(c.bad);
            if (ru.st == CHAFF_END)
                finished = 1;
            else
                assert_int_equal(ru.st, CHAFF_E_NOMEM);
        }
        assert_true(finished);
        buf_free(&z);
    }
    buf_free(&t);
}

int main(int argc, char **argv)
{
    const char *env = getenv("CHAFF_SEED");
    g_seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
    printf("test_reader: seed = %" PRIu64 " (CHAFF_SEED=%" PRIu64 " replays it)\n", g_seed, g_seed);
    fflush(stdout);
    pattern_init();
    if (argc > 1)
        cmocka_set_test_filter(argv[1]); /* e.g. "test_trunc*" */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_lines),
        cmocka_unit_test(test_small_shapes),
        cmocka_unit_test(test_count_lines),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_one_byte_reads),
        cmocka_unit_test(test_random_chunks),
        cmocka_unit_test(test_guard_pages),
        cmocka_unit_test(test_line_64mib),
        cmocka_unit_test(test_line_64mib_zstd),
        cmocka_unit_test(test_max_line),
        cmocka_unit_test(test_batch_limits),
        cmocka_unit_test(test_where_and_bytes_in),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_concatenated),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupted),
        cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_short_magic),
        cmocka_unit_test(test_read_error),
        cmocka_unit_test(test_read_overclaim),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
