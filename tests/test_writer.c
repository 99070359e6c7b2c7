/* tests/test_writer.c - chaff_writer_*: plain, zstd and gzip output.
 *
 * What comes out is decoded here with libzstd and zlib directly, not with our
 * reader, so a writer bug cannot hide behind a matching reader bug. The sink is
 * made to fail at each of its calls and the allocator at each allocation: the
 * writer must report it, keep reporting it, and leak nothing.
 *
 * Random tests print their seed; CHAFF_SEED=N replays a run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader */
#include <zstd.h>

#include "chaff.h"
#include "testbuf.h"
#include "testutil.h"

static uint64_t g_seed;

static size_t below(uint64_t *s, size_t n)
{
    return n ? (size_t)(test_splitmix(s) % n) : 0;
}

/* Compressible text with some incompressible stretches. */
static void gen_text(buf *b, uint64_t *rng, size_t len)
{
    static const char *words[] = { "{\"text\":\"", "the ", "quick ", "brown ", "fox ",
                                   "jumps ", "over ", "lazy ", "dog ", "\"}\n" };
    while (b->len < len) {
        if (below(rng, 200) == 0) {
            for (size_t k = below(rng, 300); k; k--) {
                unsigned char c = (unsigned char)test_splitmix(rng);
                put(b, &c, 1);
            }
        } else {
            const char *w = words[below(rng, sizeof words / sizeof *words)];
            put(b, w, strlen(w));
        }
    }
    b->len = len;
}

/* ---- the sink ------------------------------------------------------------- */

typedef struct sink {
    buf out;
    size_t calls;
    size_t fail_at;          /* the call (1-based) that fails; 0 = none */
    int fail_value;          /* what a failing call returns */
} sink;

static int sink_write(void *user, const void *p, size_t n)
{
    sink *s = user;
    s->calls++;
    assert_true(n > 0); /* the writer has no reason to send nothing */
    if (s->fail_at && s->calls >= s->fail_at)
        return s->fail_value ? s->fail_value : -1;
    put(&s->out, p, n);
    return 0;
}

/* ---- independent decoders ----------------------------------------------------- */

/* Decodes every zstd frame in z; fails the test unless z is exactly whole frames. */
static void zstd_decode(const buf *z, buf *out, size_t *frames)
{
    ZSTD_DCtx *d = ZSTD_createDCtx();
    assert_non_null(d);
    unsigned char tmp[65536];
    ZSTD_inBuffer in = { z->p, z->len, 0 };
    *frames = 0;
    for (;;) {
        ZSTD_outBuffer o = { tmp, sizeof tmp, 0 };
        size_t ret = ZSTD_decompressStream(d, &o, &in);
        assert_false(ZSTD_isError(ret));
        put(out, tmp, o.pos);
        if (ret == 0) {
            ++*frames;
            if (in.pos == in.size)
                break;
        } else {
            /* input used up with room to spare: the frame is cut short */
            assert_false(in.pos == in.size && o.pos < o.size);
        }
    }
    ZSTD_freeDCtx(d);
}

/* Decodes one gzip member that must fill g exactly. */
static void gzip_decode(const buf *g, buf *out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
    unsigned char tmp[65536];
    zs.next_in = g->p;
    zs.avail_in = (uInt)g->len;
    int ret;
    do {
        zs.next_out = tmp;
        zs.avail_out = sizeof tmp;
        ret = inflate(&zs, Z_NO_FLUSH);
        assert_true(ret == Z_OK || ret == Z_STREAM_END);
        put(out, tmp, sizeof tmp - zs.avail_out);
    } while (ret != Z_STREAM_END);
    assert_int_equal(zs.avail_in, 0);
    inflateEnd(&zs);
}

static void decode(chaff_compression c, const buf *in, buf *out)
{
    size_t frames;
    switch (c) {
    case CHAFF_COMPRESS_ZSTD:
        zstd_decode(in, out, &frames);
        assert_int_equal(frames, 1);
        break;
    case CHAFF_COMPRESS_GZIP: gzip_decode(in, out); break;
    default: put(out, in->p, in->len); break;
    }
}

/* Writes text in random pieces (some empty, some huge); returns the output. */
static void write_all(sink *s, chaff_compression c, int level, const buf *text, uint64_t seed,
                      const chaff_allocator *alloc)
{
    chaff_writer *w;
    uint64_t rng = seed;
    assert_int_equal(chaff_writer_new(&w, c, level, sink_write, s, alloc), CHAFF_OK);
    size_t pos = 0;
    while (pos < text->len) {
        size_t k;
        switch (below(&rng, 8)) {
        case 0: k = 0; break;
        case 1: k = 1 + below(&rng, 1 << 20); break;
        case 2: k = 256 * 1024 - 1 + below(&rng, 3); break; /* around the stage size */
        default: k = 1 + below(&rng, 200); break;
        }
        if (k > text->len - pos)
            k = text->len - pos;
        assert_int_equal(chaff_writer_write(w, text->p + pos, k), CHAFF_OK);
        pos += k;
    }
    assert_int_equal(chaff_writer_finish(w), CHAFF_OK);
    chaff_writer_free(w);
}

/* ---- tests ------------------------------------------------------------------- */

static void test_roundtrip(void **state)
{
    (void)state;
    for (int c = CHAFF_COMPRESS_NONE; c <= CHAFF_COMPRESS_GZIP; c++) {
        for (int round = 0; round < 3; round++) {
            uint64_t seed = g_seed + (uint64_t)(c * 10 + round), rng = seed;
            buf text = { 0 }, back = { 0 };
            gen_text(&text, &rng, round == 0 ? 1000 : 3000000 + below(&rng, 1000));
            sink s = { 0 };
            write_all(&s, (chaff_compression)c, 0, &text, seed, NULL);
            decode((chaff_compression)c, &s.out, &back);
            if (back.len != text.len || memcmp(back.p, text.p, text.len) != 0)
                print_error("seed %" PRIu64 ": format %d round trip differs\n", seed, c);
            assert_int_equal(back.len, text.len);
            assert_memory_equal(back.p, text.p, text.len);
            if (c != CHAFF_COMPRESS_NONE && round > 0)
                assert_true(s.out.len < text.len * 3 / 4);
            buf_free(&text);
            buf_free(&back);
            buf_free(&s.out);
        }
    }
}

/* Small writes are staged: nothing reaches the sink before 256 KiB pile up. */
static void test_plain_buffering(void **state)
{
    (void)state;
    sink s = { 0 };
    chaff_writer *w;
    assert_int_equal(chaff_writer_new(&w, CHAFF_COMPRESS_NONE, 0, sink_write, &s, NULL), CHAFF_OK);
    char line[100];
    memset(line, 'x', sizeof line);
    line[99] = '\n';
    for (int i = 0; i < 2000; i++) /* 200 KB */
        assert_int_equal(chaff_writer_write(w, line, sizeof line), CHAFF_OK);
    assert_int_equal(s.calls, 0);
    for (int i = 0; i < 1000; i++) /* past 256 KiB */
        assert_int_equal(chaff_writer_write(w, line, sizeof line), CHAFF_OK);
    assert_int_equal(s.calls, 1);
    assert_true(s.out.len >= 200000 && s.out.len <= 256 * 1024);
    /* a big write goes through whole, after what was staged */
    buf big = { 0 };
    uint64_t rng = g_seed;
    gen_text(&big, &rng, 1 << 20);
    assert_int_equal(chaff_writer_write(w, big.p, big.len), CHAFF_OK);
    assert_int_equal(s.calls, 3);
    assert_int_equal(s.out.len, 300000 + big.len);
    assert_memory_equal(s.out.p + 300000, big.p, big.len);
    assert_int_equal(chaff_writer_write(w, "tail", 4), CHAFF_OK);
    assert_int_equal(chaff_writer_finish(w), CHAFF_OK);
    assert_int_equal(s.calls, 4);
    assert_int_equal(s.out.len, 300004 + big.len);
    assert_memory_equal(s.out.p + s.out.len - 4, "tail", 4);
    chaff_writer_free(w);
    buf_free(&big);
    buf_free(&s.out);
}

/* Nothing written: plain gives no bytes, zstd an empty frame, gzip an empty member. */
static void test_empty(void **state)
{
    (void)state;
    for (int c = CHAFF_COMPRESS_NONE; c <= CHAFF_COMPRESS_GZIP; c++) {
        sink s = { 0 };
        buf back = { 0 };
        chaff_writer *w;
        assert_int_equal(chaff_writer_new(&w, (chaff_compression)c, 0, sink_write, &s, NULL),
                         CHAFF_OK);
        assert_int_equal(chaff_writer_write(w, NULL, 0), CHAFF_OK);
        assert_int_equal(chaff_writer_finish(w), CHAFF_OK);
        chaff_writer_free(w);
        if (c == CHAFF_COMPRESS_NONE) {
            assert_int_equal(s.calls, 0);
        } else {
            assert_true(s.out.len > 0);
            decode((chaff_compression)c, &s.out, &back);
            assert_int_equal(back.len, 0);
        }
        if (c == CHAFF_COMPRESS_GZIP)
            assert_int_equal(s.out.len, 20); /* 10 header + 2 empty block + 8 trailer */
        buf_free(&back);
        buf_free(&s.out);
    }
}

static void test_formats(void **state)
{
    (void)state;
    uint64_t rng = g_seed + 1;
    buf text = { 0 };
    gen_text(&text, &rng, 200000);

    /* zstd: one frame, with a content checksum */
    sink s = { 0 };
    write_all(&s, CHAFF_COMPRESS_ZSTD, 0, &text, 1, NULL);
    ZSTD_frameHeader fh;
    assert_int_equal(ZSTD_getFrameHeader(&fh, s.out.p, s.out.len), 0);
    assert_int_equal(fh.frameType, ZSTD_frame);
    assert_int_equal(fh.checksumFlag, 1);
    buf_free(&s.out);

    /* gzip: a gzip header, deflate method */
    write_all(&s, CHAFF_COMPRESS_GZIP, 0, &text, 1, NULL);
    assert_true(s.out.len > 18);
    assert_int_equal(s.out.p[0], 0x1F);
    assert_int_equal(s.out.p[1], 0x8B);
    assert_int_equal(s.out.p[2], 8);
    /* the trailer's ISIZE is the text length */
    const unsigned char *t = s.out.p + s.out.len - 4;
    assert_int_equal((uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
                         (uint32_t)t[3] << 24,
                     (uint32_t)text.len);
    buf_free(&s.out);
    buf_free(&text);
}

static void compressed_size(chaff_compression c, int level, const buf *text, buf *out)
{
    sink s = { 0 };
    write_all(&s, c, level, text, 5, NULL);
    buf back = { 0 };
    decode(c, &s.out, &back);
    assert_int_equal(back.len, text->len);
    assert_memory_equal(back.p, text->p, text->len);
    buf_free(&back);
    *out = s.out;
}

/* Level 0 is the format's default (zstd 3, gzip 6): byte-identical output. */
static void test_levels(void **state)
{
    (void)state;
    uint64_t rng = g_seed + 2;
    buf text = { 0 }, a = { 0 }, b = { 0 };
    gen_text(&text, &rng, 300000);

    compressed_size(CHAFF_COMPRESS_ZSTD, 0, &text, &a);
    compressed_size(CHAFF_COMPRESS_ZSTD, 3, &text, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.p, b.p, a.len);
    buf_free(&a);
    buf_free(&b);
    compressed_size(CHAFF_COMPRESS_ZSTD, -5, &text, &a);
    compressed_size(CHAFF_COMPRESS_ZSTD, 19, &text, &b);
    assert_true(b.len < a.len);
    buf_free(&a);
    buf_free(&b);

    compressed_size(CHAFF_COMPRESS_GZIP, 0, &text, &a);
    compressed_size(CHAFF_COMPRESS_GZIP, 6, &text, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.p, b.p, a.len);
    buf_free(&a);
    buf_free(&b);
    compressed_size(CHAFF_COMPRESS_GZIP, 1, &text, &a);
    compressed_size(CHAFF_COMPRESS_GZIP, 9, &text, &b);
    assert_true(b.len < a.len);
    buf_free(&a);
    buf_free(&b);
    buf_free(&text);

    chaff_writer *w = (chaff_writer *)&text;
    sink s = { 0 };
    assert_int_equal(chaff_writer_new(&w, CHAFF_COMPRESS_ZSTD, ZSTD_maxCLevel() + 1, sink_write,
                                      &s, NULL),
                     CHAFF_E_ARG);
    assert_null(w);
    assert_int_equal(chaff_writer_new(&w, CHAFF_COMPRESS_ZSTD, ZSTD_minCLevel() - 1, sink_write,
                                      &s, NULL),
                     CHAFF_E_ARG);
    assert_int_equal(chaff_writer_new(&w, CHAFF_COMPRESS_GZIP, 10, sink_write, &s, NULL),
                     CHAFF_E_ARG);
    assert_int_equal(chaff_writer_new(&w, CHAFF_COMPRESS_GZIP, -1, sink_write, &s, NULL),
                     CHAFF_E_ARG);
    /* plain output has no level to get wrong */
    assert_int_equal(chaff_writer_new(&w, CHAFF_COMPRESS_NONE, 42, sink_write, &s, NULL),
                     CHAFF_OK);
    chaff_writer_free(w);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    sink s = { 0 };
    chaff_writer *w = (chaff_writer *)&s;
    assert_int_equal(chaff_writer_new(NULL, CHAFF_COMPRESS_NONE, 0, sink_write, &s, NULL),
                     CHAFF_E_ARG);
    assert_int_equal(chaff_writer_new(&w, CHAFF_COMPRESS_NONE, 0, NULL, &s, NULL), CHAFF_E_ARG);
    assert_null(w);
    assert_int_equal(chaff_writer_new(&w, (chaff_compression)3, 0, sink_write, &s, NULL),
                     CHAFF_E_ARG);
    assert_int_equal(chaff_writer_write(NULL, "x", 1), CHAFF_E_ARG);
    assert_int_equal(chaff_writer_finish(NULL), CHAFF_E_ARG);
    chaff_writer_free(NULL);

    for (int c = CHAFF_COMPRESS_NONE; c <= CHAFF_COMPRESS_GZIP; c++) {
        assert_int_equal(chaff_writer_new(&w, (chaff_compression)c, 0, sink_write, &s, NULL),
                         CHAFF_OK);
        assert_int_equal(chaff_writer_write(w, NULL, 3), CHAFF_E_ARG);
        assert_int_equal(chaff_writer_write(w, "abc", 3), CHAFF_OK); /* not spoilt */
        assert_int_equal(chaff_writer_finish(w), CHAFF_OK);
        /* finish is once; nothing more may be written after it */
        assert_int_equal(chaff_writer_finish(w), CHAFF_E_ARG);
        assert_int_equal(chaff_writer_write(w, "x", 1), CHAFF_E_ARG);
        chaff_writer_free(w);
        buf back = { 0 };
        decode((chaff_compression)c, &s.out, &back);
        assert_int_equal(back.len, 3);
        assert_memory_equal(back.p, "abc", 3);
        buf_free(&back);
        buf_free(&s.out);
        s.calls = 0;
    }
}

/* Writes text in pieces of 1..100000 bytes, then finishes; the first failure. */
static chaff_status feed(chaff_writer *w, const buf *text, uint64_t seed)
{
    chaff_status st = CHAFF_OK;
    size_t pos = 0;
    while (pos < text->len && st == CHAFF_OK) {
        size_t k = 1 + below(&seed, 100000);
        if (k > text->len - pos)
            k = text->len - pos;
        st = chaff_writer_write(w, text->p + pos, k);
        pos += k;
    }
    return st ? st : chaff_writer_finish(w);
}

/* The sink fails at its first, second, ... call: the writer says CHAFF_E_IO at
 * that point (a write or the finish), and from then on. */
static void test_sink_failure(void **state)
{
    (void)state;
    uint64_t rng = g_seed + 3;
    buf text = { 0 };
    gen_text(&text, &rng, 2000000);
    for (int c = CHAFF_COMPRESS_NONE; c <= CHAFF_COMPRESS_GZIP; c++) {
        chaff_writer *w;
        /* how many calls a good run makes */
        sink ok = { 0 };
        assert_int_equal(chaff_writer_new(&w, (chaff_compression)c, 1, sink_write, &ok, NULL),
                         CHAFF_OK);
        assert_int_equal(feed(w, &text, 9), CHAFF_OK);
        chaff_writer_free(w);
        assert_true(ok.calls >= 2);
        buf_free(&ok.out);
        for (size_t at = 1; at <= ok.calls; at++) {
            sink s = { { 0 }, 0, at, at % 2 ? -1 : 7 }; /* any non-zero is a failure */
            assert_int_equal(chaff_writer_new(&w, (chaff_compression)c, 1, sink_write, &s, NULL),
                             CHAFF_OK);
            assert_int_equal(feed(w, &text, 9), CHAFF_E_IO);
            assert_int_equal(s.calls, at); /* it stopped at the failure */
            assert_int_equal(chaff_writer_write(w, "x", 1), CHAFF_E_IO);
            assert_int_equal(chaff_writer_finish(w), CHAFF_E_IO);
            assert_int_equal(s.calls, at);
            chaff_writer_free(w);
            buf_free(&s.out);
        }
    }
    buf_free(&text);
}

/* A caller that gives up frees without finishing: nothing leaks, nothing is sent. */
static void test_free_unfinished(void **state)
{
    (void)state;
    uint64_t rng = g_seed + 4;
    buf text = { 0 };
    gen_text(&text, &rng, 100000);
    for (int c = CHAFF_COMPRESS_NONE; c <= CHAFF_COMPRESS_GZIP; c++) {
        sink s = { 0 };
        chaff_writer *w;
        assert_int_equal(chaff_writer_new(&w, (chaff_compression)c, 0, sink_write, &s, NULL),
                         CHAFF_OK);
        assert_int_equal(chaff_writer_write(w, text.p, text.len), CHAFF_OK);
        size_t calls = s.calls;
        chaff_writer_free(w);
        assert_int_equal(s.calls, calls);
        buf_free(&s.out);
    }
    buf_free(&text);
}

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

/* Everything goes through the hooks (the codecs too), and each allocation may
 * fail: then CHAFF_E_NOMEM, and no leak. */
static void test_allocator(void **state)
{
    (void)state;
    uint64_t rng = g_seed + 5;
    buf text = { 0 };
    gen_text(&text, &rng, 600000);
    for (int c = CHAFF_COMPRESS_NONE; c <= CHAFF_COMPRESS_GZIP; c++) {
        count_alloc all = { 0, 0, SIZE_MAX };
        chaff_allocator a = { count_fn, &all };
        sink s = { 0 };
        write_all(&s, (chaff_compression)c, 0, &text, 6, &a);
        assert_int_equal(all.live, 0);
        /* writer + stage (+ output buffer + the codec's own) */
        assert_true(all.calls >= (c == CHAFF_COMPRESS_NONE ? 4u : 8u));
        buf_free(&s.out);

        int finished = 0;
        for (size_t k = 0; !finished && k < 200; k++) {
            count_alloc ca = { 0, 0, k };
            chaff_allocator fa = { count_fn, &ca };
            sink s2 = { 0 };
            chaff_writer *w;
            chaff_status st = chaff_writer_new(&w, (chaff_compression)c, 0, sink_write, &s2, &fa);
            if (st == CHAFF_OK) {
                st = chaff_writer_write(w, text.p, text.len);
                if (st == CHAFF_OK)
                    st = chaff_writer_finish(w);
                chaff_writer_free(w);
            } else {
                assert_null(w);
            }
            assert_int_equal(ca.live, 0);
            if (st == CHAFF_OK)
                finished = 1;
            else
                assert_int_equal(st, CHAFF_E_NOMEM);
            buf_free(&s2.out);
        }
        assert_true(finished);
    }
    buf_free(&text);
}

int main(int argc, char **argv)
{
    const char *env = getenv("CHAFF_SEED");
    g_seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
    printf("test_writer: seed = %" PRIu64 " (CHAFF_SEED=%" PRIu64 " replays it)\n", g_seed, g_seed);
    fflush(stdout);
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_plain_buffering),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_sink_failure),
        cmocka_unit_test(test_free_unfinished),
        cmocka_unit_test(test_allocator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
