/* core/writer.c - bytes -> the caller's write callback, as they are or as one
 * zstd frame or one gzip member.
 *
 * The CLI writes a line (often a few hundred bytes) at a time. Handing each to a
 * codec, or to write(), costs more per call than the bytes do, so small writes
 * are staged in one buffer and encoded STAGE_BUF at a time; a write at least
 * that big goes straight through. Compressed output collects in a second
 * buffer and reaches the sink in OUT_BUF pieces.
 *
 * zstd frames carry a content checksum (as the zstd program writes them by
 * default), so a reader can tell damaged output from good.
 */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_customMem, ZSTD_createCCtx_advanced */
#define ZLIB_CONST               /* next_in is const: our input stays read-only */
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>
#include "internal.h"

#define STAGE_BUF ((size_t)256 << 10)
#define OUT_BUF ((size_t)256 << 10)
/* zlib counts in uInt; stay well inside it. */
#define ZLIB_CHUNK ((size_t)1 << 30)

struct chaff_writer {
    chaff_allocator alloc;   /* first: the codecs' hooks get its address */
    chaff_compression c;
    chaff_write_fn write;
    void *user;
    unsigned char *stage;    /* small writes, not yet encoded */
    size_t stage_len;
    unsigned char *out;      /* encoded bytes, not yet given to the sink */
    size_t out_len;
    ZSTD_CCtx *zc;
    z_stream zs;
    int zs_live;
    int finished;
    chaff_status err;        /* sticky: a stream that failed once stays failed */
};


static chaff_status sink(chaff_writer *w, const void *p, size_t n)
{
    if (n == 0)
        return CHAFF_OK;
    return w->write(w->user, p, n) == 0 ? CHAFF_OK : CHAFF_E_IO;
}

static chaff_status zstd_status(size_t ret)
{
    /* Out of memory is the only failure the encoder has with valid parameters. */
    return ZSTD_getErrorCode(ret) == ZSTD_error_memory_allocation ? CHAFF_E_NOMEM : CHAFF_E_ARG;
}

/* Encodes p[0..n); with end, also closes the frame and sends everything. */
static chaff_status encode(chaff_writer *w, const void *p, size_t n, int end)
{
    chaff_status st = CHAFF_OK;
    if (w->c == CHAFF_COMPRESS_NONE)
        return sink(w, p, n);

    if (w->c == CHAFF_COMPRESS_ZSTD) {
        ZSTD_inBuffer ib = { p, n, 0 };
        ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
        for (;;) {
            ZSTD_outBuffer ob = { w->out, OUT_BUF, w->out_len };
            size_t ret = ZSTD_compressStream2(w->zc, &ob, &ib, mode);
            w->out_len = ob.pos;
            if (ZSTD_isError(ret))
                return zstd_status(ret);
            if (w->out_len == OUT_BUF || (end && ret == 0)) {
                st = sink(w, w->out, w->out_len);
                w->out_len = 0;
                if (st)
                    return st;
            }
            if (end ? ret == 0 : ib.pos == ib.size)
                return CHAFF_OK;
        }
    }

    const unsigned char *q = p;
    for (;;) {
        size_t chunk = CHAFF_MIN(n, ZLIB_CHUNK);
        int last = chunk == n;
        int flush = end && last ? Z_FINISH : Z_NO_FLUSH;
        w->zs.next_in = q;
        w->zs.avail_in = (uInt)chunk;
        for (;;) {
            w->zs.next_out = w->out + w->out_len;
            w->zs.avail_out = (uInt)(OUT_BUF - w->out_len);
            int ret = deflate(&w->zs, flush);
            w->out_len = OUT_BUF - w->zs.avail_out;
            if (ret == Z_STREAM_ERROR)
                return CHAFF_E_ARG;
            /* Z_BUF_ERROR only says no progress was possible: not fatal */
            if (w->out_len == OUT_BUF || ret == Z_STREAM_END) {
                st = sink(w, w->out, w->out_len);
                w->out_len = 0;
                if (st)
                    return st;
            }
            if (flush == Z_FINISH ? ret == Z_STREAM_END : w->zs.avail_in == 0)
                break;
        }
        q += chunk;
        n -= chunk;
        if (last)
            return CHAFF_OK;
    }
}

chaff_status chaff_writer_new(chaff_writer **out, chaff_compression c, int level,
                              chaff_write_fn write, void *user, const chaff_allocator *alloc)
{
    if (!out)
        return CHAFF_E_ARG;
    *out = NULL;
    if (!write)
        return CHAFF_E_ARG;
    /* level is ignored for plain output: there is nothing it could mean */
    if (c == CHAFF_COMPRESS_ZSTD) {
        if (level == 0)
            level = ZSTD_CLEVEL_DEFAULT;
        if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
            return CHAFF_E_ARG;
    } else if (c == CHAFF_COMPRESS_GZIP) {
        if (level == 0)
            level = 6;
        if (level < 1 || level > 9)
            return CHAFF_E_ARG;
    } else if (c != CHAFF_COMPRESS_NONE) {
        return CHAFF_E_ARG;
    }

    chaff_allocator a = chaff__allocator(alloc);
    chaff_writer *w = chaff__calloc(&a, 1, sizeof *w);
    if (!w)
        return CHAFF_E_NOMEM;
    w->alloc = a;
    w->c = c;
    w->write = write;
    w->user = user;
    chaff_status st = CHAFF_E_NOMEM;
    w->stage = chaff__alloc(&w->alloc, STAGE_BUF);
    if (!w->stage)
        goto fail;
    if (c != CHAFF_COMPRESS_NONE) {
        w->out = chaff__alloc(&w->alloc, OUT_BUF);
        if (!w->out)
            goto fail;
    }
    if (c == CHAFF_COMPRESS_ZSTD) {
        ZSTD_customMem mem = { chaff__zstd_alloc, chaff__zstd_free, &w->alloc };
        w->zc = ZSTD_createCCtx_advanced(mem);
        if (!w->zc)
            goto fail;
        size_t r1 = ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, level);
        size_t r2 = ZSTD_CCtx_setParameter(w->zc, ZSTD_c_checksumFlag, 1);
        if (ZSTD_isError(r1) || ZSTD_isError(r2)) {
            st = CHAFF_E_ARG;
            goto fail;
        }
    } else if (c == CHAFF_COMPRESS_GZIP) {
        w->zs.zalloc = chaff__zlib_alloc;
        w->zs.zfree = chaff__zlib_free;
        w->zs.opaque = &w->alloc;
        int ret = deflateInit2(&w->zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
        if (ret != Z_OK) {
            st = ret == Z_MEM_ERROR ? CHAFF_E_NOMEM : CHAFF_E_ARG;
            goto fail;
        }
        w->zs_live = 1;
    }
    *out = w;
    return CHAFF_OK;
fail:
    chaff_writer_free(w);
    return st;
}

chaff_status chaff_writer_write(chaff_writer *w, const void *buf, size_t len)
{
    if (!w || (!buf && len))
        return CHAFF_E_ARG;
    if (w->err)
        return w->err;
    if (w->finished)
        return CHAFF_E_ARG;
    if (len == 0)
        return CHAFF_OK; /* buf may be NULL: memcpy must not see it */
    if (len < STAGE_BUF - w->stage_len) {
        memcpy(w->stage + w->stage_len, buf, len);
        w->stage_len += len;
        return CHAFF_OK;
    }
    chaff_status st = encode(w, w->stage, w->stage_len, 0);
    w->stage_len = 0;
    if (!st) {
        if (len >= STAGE_BUF) {
            st = encode(w, buf, len, 0);
        } else {
            memcpy(w->stage, buf, len);
            w->stage_len = len;
        }
    }
    if (st)
        w->err = st;
    return st;
}

chaff_status chaff_writer_finish(chaff_writer *w)
{
    if (!w)
        return CHAFF_E_ARG;
    if (w->err)
        return w->err;
    if (w->finished)
        return CHAFF_E_ARG;
    w->finished = 1;
    chaff_status st = encode(w, w->stage, w->stage_len, 1);
    w->stage_len = 0;
    if (st)
        w->err = st;
    return st;
}

void chaff_writer_free(chaff_writer *w)
{
    if (!w)
        return;
    chaff_allocator a = w->alloc;
    ZSTD_freeCCtx(w->zc);
    if (w->zs_live)
        deflateEnd(&w->zs);
    chaff__free(&a, w->out);
    chaff__free(&a, w->stage);
    chaff__free(&a, w);
}
