/* core/reader.c - bytes from the caller's read callback -> batches of lines,
 * decoding zstd frames and gzip members on the way.
 *
 * Datasets are tens of gigabytes of JSON Lines, usually compressed, so the reader
 * streams: compressed bytes go through one fixed input buffer, decoded text goes
 * into one text buffer that is reused for the whole input, and a line handed out
 * is a pointer into that text buffer - no per-line allocation and no copy.
 *
 * The one rule that makes a batch safe to share: the text buffer moves (is
 * compacted or grown) only while the batch being built is still empty; the
 * lines of the previous batch are dead by then (the contract says their
 * pointers last until the next call). Once a call has found some lines it may
 * still decode into the free end of the buffer, which moves nothing, but when
 * the buffer is full it returns the lines it has rather than make room.
 *
 * An error is reported only after every whole line decoded before it has been
 * handed out, so a truncated download yields all its good lines, then the error.
 *
 * Compression is decided once from the first bytes; later frames (members) must
 * be of the same format. Between frames the reader looks at the next magic
 * number itself, so that a tail of 1..3 bytes can be told apart: a prefix of a
 * magic number is a truncated frame, anything else is trailing garbage.
 */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_customMem, ZSTD_createDCtx_advanced */
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>
#include "internal.h"

/* 1 MiB reads amortise the callback (often a read() system call) and the
 * codecs' per-call cost; larger buffers measured no faster. Both can be set
 * at build time, so that a test build with tiny buffers puts a buffer edge
 * inside nearly every line and frame header. */
#ifndef CHAFF_READER_TEXT_BUF
#define CHAFF_READER_TEXT_BUF ((size_t)1 << 20)
#endif
#ifndef CHAFF_READER_IN_BUF
#define CHAFF_READER_IN_BUF ((size_t)1 << 20)
#endif
#define TEXT_BUF ((size_t)(CHAFF_READER_TEXT_BUF))
#define IN_BUF ((size_t)(CHAFF_READER_IN_BUF))
_Static_assert(CHAFF_READER_TEXT_BUF >= 4 && CHAFF_READER_IN_BUF >= 4,
               "a magic number (4 bytes) must fit in either buffer");
#define MAX_LINE_DEFAULT ((size_t)1 << 30)
/* batch_bytes may ask for a bigger text buffer (so one batch can hold that
 * much); this caps what a careless value can make us allocate. */
#define BATCH_BUF_MAX ((size_t)256 << 20)
/* zlib counts in uInt; stay well inside it. */
#define ZLIB_CHUNK ((size_t)1 << 30)

struct chaff_reader {
    chaff_allocator alloc;   /* first: the codecs' hooks get its address */
    chaff_read_fn read;
    void *user;
    size_t max_line;
    chaff_compression comp;

    /* Decoded text. [start, len) is not yet handed out; [start, scan) is known
     * to hold no '\n', so a long line is searched once, not once per refill. */
    char *buf;
    size_t cap, start, scan, len;
    uint64_t buf_offset;     /* decompressed offset of buf[0] */
    uint64_t lineno;         /* number of the line starting at buf[start] */

    /* Compressed bytes, [in_pos, in_len) not yet decoded. */
    unsigned char *in;
    size_t in_pos, in_len;
    uint64_t bytes_in;
    int eof;                 /* read() has returned 0 */
    int done;                /* everything there is to decode is in buf */
    int boundary;            /* between two frames (members): check the next magic */

    ZSTD_DCtx *zd;
    z_stream zs;
    int zs_live;

    /* A decoding error waits in pending until the lines decoded before it have
     * been handed out; then it moves to err, which is sticky: once an input is
     * bad, every later call says so. */
    chaff_status pending, err;
    uint64_t pending_offset;
    uint64_t err_lineno, err_offset;
};


/* ---- magic numbers ------------------------------------------------------ */

enum { MAGIC_NO, MAGIC_PART, MAGIC_YES };

/* Whether p[0..n) starts a frame of format c: MAGIC_PART when the n bytes are a
 * proper prefix of its magic number (only meaningful when no more bytes exist). */
static int magic(chaff_compression c, const unsigned char *p, size_t n)
{
    static const unsigned char gz[2] = { 0x1F, 0x8B };
    static const unsigned char zs[4] = { 0x28, 0xB5, 0x2F, 0xFD };
    /* skippable frames: 0x184D2A50..0x184D2A5F, little-endian */
    static const unsigned char skip[3] = { 0x2A, 0x4D, 0x18 };
    if (n == 0)
        return MAGIC_NO;
    if (c == CHAFF_COMPRESS_GZIP) {
        size_t k = CHAFF_MIN(n, sizeof gz);
        if (memcmp(p, gz, k) != 0)
            return MAGIC_NO;
        return k == sizeof gz ? MAGIC_YES : MAGIC_PART;
    }
    if (c == CHAFF_COMPRESS_ZSTD) {
        size_t k = CHAFF_MIN(n, sizeof zs);
        if (memcmp(p, zs, k) == 0)
            return k == sizeof zs ? MAGIC_YES : MAGIC_PART;
        if ((p[0] & 0xF0) == 0x50 && memcmp(p + 1, skip, CHAFF_MIN(n - 1, sizeof skip)) == 0)
            return n >= 4 ? MAGIC_YES : MAGIC_PART;
    }
    return MAGIC_NO;
}

/* ---- reading ------------------------------------------------------------- */

static chaff_status pull(chaff_reader *r, void *dst, size_t cap, size_t *got)
{
    ptrdiff_t k = r->read(r->user, dst, cap);
    *got = 0;
    if (k < 0 || (size_t)k > cap)
        return CHAFF_E_IO;
    if (k == 0)
        r->eof = 1;
    r->bytes_in += (uint64_t)k;
    *got = (size_t)k;
    return CHAFF_OK;
}

/* One read() into the input buffer, after sliding what is left to its front. */
static chaff_status in_more(chaff_reader *r)
{
    size_t got;
    chaff_status st;
    if (r->in_pos > 0) {
        memmove(r->in, r->in + r->in_pos, r->in_len - r->in_pos);
        r->in_len -= r->in_pos;
        r->in_pos = 0;
    }
    st = pull(r, r->in + r->in_len, IN_BUF - r->in_len, &got);
    r->in_len += got;
    return st;
}

/* At a frame boundary: the next bytes must begin another frame of the same
 * format, or there must be none (then r->done is set). */
static chaff_status next_frame(chaff_reader *r)
{
    size_t need = r->comp == CHAFF_COMPRESS_GZIP ? 2 : 4;
    while (r->in_len - r->in_pos < need && !r->eof) {
        chaff_status st = in_more(r);
        if (st)
            return st;
    }
    size_t avail = r->in_len - r->in_pos;
    if (avail == 0) {
        r->done = 1;
        return CHAFF_OK;
    }
    switch (magic(r->comp, r->in + r->in_pos, avail)) {
    case MAGIC_YES: return CHAFF_OK;
    case MAGIC_PART: return CHAFF_E_TRUNCATED; /* fewer than `need` bytes: at eof */
    default: return CHAFF_E_CORRUPT;
    }
}

/* Each fill_* appends text to buf[len..cap) until the buffer is full or the
 * input is all decoded (r->done). Called with len < cap. */

static chaff_status fill_plain(chaff_reader *r)
{
    while (r->len < r->cap && !r->eof) {
        size_t got;
        chaff_status st = pull(r, r->buf + r->len, r->cap - r->len, &got);
        r->len += got;
        if (st)
            return st;
    }
    if (r->eof)
        r->done = 1;
    return CHAFF_OK;
}

static chaff_status fill_zstd(chaff_reader *r)
{
    while (r->len < r->cap) {
        if (r->boundary) {
            chaff_status st = next_frame(r);
            if (st || r->done)
                return st;
            r->boundary = 0;
        }
        if (r->in_pos == r->in_len && !r->eof) {
            chaff_status st = in_more(r);
            if (st)
                return st;
            continue;
        }
        ZSTD_inBuffer ib = { r->in, r->in_len, r->in_pos };
        ZSTD_outBuffer ob = { r->buf, r->cap, r->len };
        size_t ret = ZSTD_decompressStream(r->zd, &ob, &ib);
        int progress = ib.pos != r->in_pos || ob.pos != r->len;
        r->in_pos = ib.pos;
        r->len = ob.pos;
        if (ZSTD_isError(ret))
            return ZSTD_getErrorCode(ret) == ZSTD_error_memory_allocation ? CHAFF_E_NOMEM
                                                                          : CHAFF_E_CORRUPT;
        if (ret == 0) {
            /* frame decoded and flushed; zstd stops here, never reads on */
            r->boundary = 1;
            continue;
        }
        if (!progress) {
            /* output has room, so zstd is waiting for input there is none of */
            return r->in_pos == r->in_len && r->eof ? CHAFF_E_TRUNCATED : CHAFF_E_CORRUPT;
        }
    }
    return CHAFF_OK;
}

static chaff_status fill_gzip(chaff_reader *r)
{
    while (r->len < r->cap) {
        if (r->boundary) {
            chaff_status st = next_frame(r);
            if (st || r->done)
                return st;
            if (inflateReset(&r->zs) != Z_OK)
                return CHAFF_E_CORRUPT;
            r->boundary = 0;
        }
        if (r->in_pos == r->in_len && !r->eof) {
            chaff_status st = in_more(r);
            if (st)
                return st;
            continue;
        }
        size_t in_avail = r->in_len - r->in_pos; /* <= IN_BUF, fits a uInt */
        size_t room = CHAFF_MIN(r->cap - r->len, ZLIB_CHUNK);
        r->zs.next_in = r->in + r->in_pos;
        r->zs.avail_in = (uInt)in_avail;
        r->zs.next_out = (Bytef *)r->buf + r->len;
        r->zs.avail_out = (uInt)room;
        int ret = inflate(&r->zs, Z_NO_FLUSH);
        size_t used = in_avail - r->zs.avail_in, made = room - r->zs.avail_out;
        r->in_pos += used;
        r->len += made;
        if (ret == Z_STREAM_END) {
            r->boundary = 1;
            continue;
        }
        if (ret == Z_MEM_ERROR)
            return CHAFF_E_NOMEM;
        if (ret != Z_OK && ret != Z_BUF_ERROR)
            return CHAFF_E_CORRUPT; /* Z_DATA_ERROR: bad header, data, CRC or length */
        if (!used && !made)
            return r->in_pos == r->in_len && r->eof ? CHAFF_E_TRUNCATED : CHAFF_E_CORRUPT;
    }
    return CHAFF_OK;
}

static chaff_status fill(chaff_reader *r)
{
    switch (r->comp) {
    case CHAFF_COMPRESS_ZSTD: return fill_zstd(r);
    case CHAFF_COMPRESS_GZIP: return fill_gzip(r);
    default: return fill_plain(r);
    }
}

/* Only called with an empty batch: nothing handed out points into buf any more,
 * so the unfinished line may move to the front and the buffer may be reallocated
 * to hold batch_bytes, or, with grow_line, a longer line than it holds now. */
static chaff_status make_room(chaff_reader *r, size_t batch_bytes, int grow_line)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->len - r->start);
        r->buf_offset += r->start;
        r->len -= r->start;
        r->scan -= r->start;
        r->start = 0;
    }
    size_t want = CHAFF_MAX(TEXT_BUF, CHAFF_MIN(batch_bytes, BATCH_BUF_MAX));
    if (grow_line && r->len == r->cap) {
        /* One unfinished line fills the buffer: double it, but never beyond what
         * max_line needs (its bytes plus one to see the '\n' or the excess).
         * The caller has checked len <= max_line, so this still grows. */
        size_t dbl = r->cap <= SIZE_MAX / 2 ? r->cap * 2 : SIZE_MAX;
        want = CHAFF_MAX(want, CHAFF_MIN(dbl, r->max_line + 1));
    }
    if (want > r->cap) {
        char *nb = chaff__realloc(&r->alloc, r->buf, want);
        if (!nb)
            return CHAFF_E_NOMEM;
        r->buf = nb;
        r->cap = want;
    }
    return CHAFF_OK;
}

static chaff_status fail(chaff_reader *r, chaff_status st, uint64_t offset)
{
    r->err = st;
    r->err_lineno = r->lineno;
    r->err_offset = offset;
    return st;
}

static void emit(chaff_reader *r, chaff_line *l, size_t len)
{
    l->data = r->buf + r->start;
    l->len = len;
    l->lineno = r->lineno++;
    l->offset = r->buf_offset + r->start;
}

chaff_status chaff_reader_lines(chaff_reader *r, chaff_line *lines, size_t max,
                                size_t batch_bytes, size_t *n)
{
    size_t k = 0, bytes = 0;
    if (n)
        *n = 0;
    if (!r || !lines || !n || max == 0)
        return CHAFF_E_ARG;
    if (r->err)
        return r->err;
    if (batch_bytes > r->cap && r->cap < BATCH_BUF_MAX && !r->done) {
        /* A batch as big as asked for needs a buffer that big. Without the
         * memory the batches are only smaller, so a failure is no error. */
        (void)make_room(r, batch_bytes, 0);
    }
    for (;;) {
        while (k < max) {
            char *nl = r->scan < r->len ? memchr(r->buf + r->scan, '\n', r->len - r->scan) : NULL;
            if (!nl) {
                r->scan = r->len;
                break;
            }
            size_t len = (size_t)(nl - (r->buf + r->start));
            r->scan = (size_t)(nl - r->buf);
            if (len > r->max_line) {
                if (k)
                    goto out; /* hand out the good lines first */
                return fail(r, CHAFF_E_TOO_LARGE, r->buf_offset + r->start);
            }
            if (k && batch_bytes && bytes + len > batch_bytes)
                goto out;
            emit(r, &lines[k++], len);
            bytes += len;
            r->start += len + 1;
            r->scan = r->start;
        }
        if (k == max)
            goto out;
        size_t part = r->len - r->start; /* an unfinished line, no '\n' in it */
        if (part > r->max_line) {
            if (k)
                goto out;
            return fail(r, CHAFF_E_TOO_LARGE, r->buf_offset + r->start);
        }
        if (r->done) {
            if (part && !(k && batch_bytes && bytes + part > batch_bytes)) {
                emit(r, &lines[k++], part); /* the last line, without '\n' */
                r->start = r->scan = r->len;
            }
            goto out;
        }
        if (r->pending) {
            if (k)
                goto out;
            return fail(r, r->pending, r->pending_offset);
        }
        chaff_status st = CHAFF_OK;
        if (k == 0)
            st = make_room(r, batch_bytes, 1);
        else if (r->len == r->cap)
            goto out; /* making room would move the lines already in the batch */
        if (!st)
            st = fill(r); /* appends only: lines in the batch stay put */
        if (st) {
            r->pending = st;
            r->pending_offset = r->buf_offset + r->len;
        }
    }
out:
    *n = k;
    return k ? CHAFF_OK : CHAFF_END;
}

/* ---- life cycle ----------------------------------------------------------- */

static chaff_status detect(chaff_reader *r)
{
    /* Four bytes decide it; a shorter input is plain text unless it is a
     * recognisable start of a magic number (then it is a truncated frame).
     * Read no more than the input buffer holds: compressed bytes move there. */
    size_t cap = CHAFF_MIN(r->cap, IN_BUF);
    while (r->len < 4 && !r->eof) {
        size_t got;
        chaff_status st = pull(r, r->buf + r->len, cap - r->len, &got);
        r->len += got;
        if (st)
            return st;
    }
    const unsigned char *p = (const unsigned char *)r->buf;
    int gz = magic(CHAFF_COMPRESS_GZIP, p, r->len);
    int zs = magic(CHAFF_COMPRESS_ZSTD, p, r->len);
    if (gz == MAGIC_YES || (gz == MAGIC_PART && r->eof))
        r->comp = CHAFF_COMPRESS_GZIP;
    /* 0x28 alone is '(' and a skippable-frame prefix is printable: plain text. */
    else if (zs == MAGIC_YES || (zs == MAGIC_PART && r->len >= 2 && p[0] == 0x28 && r->eof))
        r->comp = CHAFF_COMPRESS_ZSTD;
    else {
        r->comp = CHAFF_COMPRESS_NONE;
        if (r->eof)
            r->done = 1;
        return CHAFF_OK;
    }
    if (gz == MAGIC_PART || zs == MAGIC_PART) {
        r->len = 0;
        fail(r, CHAFF_E_TRUNCATED, 0);
        return CHAFF_OK;
    }

    r->in = chaff__alloc(&r->alloc, IN_BUF);
    if (!r->in)
        return CHAFF_E_NOMEM;
    memcpy(r->in, r->buf, r->len);
    r->in_len = r->len;
    r->len = 0;
    r->boundary = 1;
    if (r->comp == CHAFF_COMPRESS_ZSTD) {
        ZSTD_customMem mem = { chaff__zstd_alloc, chaff__zstd_free, &r->alloc };
        r->zd = ZSTD_createDCtx_advanced(mem);
        if (!r->zd)
            return CHAFF_E_NOMEM;
    } else {
        r->zs.zalloc = chaff__zlib_alloc;
        r->zs.zfree = chaff__zlib_free;
        r->zs.opaque = &r->alloc;
        int ret = inflateInit2(&r->zs, 15 + 16); /* gzip wrapper only */
        if (ret != Z_OK)
            return ret == Z_MEM_ERROR ? CHAFF_E_NOMEM : CHAFF_E_ARG;
        r->zs_live = 1;
    }
    return CHAFF_OK;
}

chaff_status chaff_reader_new(chaff_reader **out, chaff_read_fn read, void *user,
                              size_t max_line, const chaff_allocator *alloc)
{
    if (!out)
        return CHAFF_E_ARG;
    *out = NULL;
    if (!read)
        return CHAFF_E_ARG;
    chaff_allocator a = chaff__allocator(alloc);
    chaff_reader *r = chaff__calloc(&a, 1, sizeof *r);
    if (!r)
        return CHAFF_E_NOMEM;
    r->alloc = a;
    r->read = read;
    r->user = user;
    /* the cap keeps max_line + 1 and the buffer doubling free of overflow */
    r->max_line = max_line ? CHAFF_MIN(max_line, SIZE_MAX / 4) : MAX_LINE_DEFAULT;
    r->lineno = 1;
    r->cap = TEXT_BUF;
    r->buf = chaff__alloc(&r->alloc, r->cap);
    chaff_status st = r->buf ? detect(r) : CHAFF_E_NOMEM;
    if (st) {
        chaff_reader_free(r);
        return st;
    }
    *out = r;
    return CHAFF_OK;
}

void chaff_reader_where(const chaff_reader *r, uint64_t *lineno, uint64_t *offset)
{
    uint64_t l = 0, o = 0;
    if (r && r->err) {
        /* The line that failed. The offset is where that line starts when it
         * is too long, else how far reading and decoding got. */
        l = r->err_lineno;
        o = r->err_offset;
    } else if (r) {
        l = r->lineno;
        o = r->buf_offset + r->start;
    }
    if (lineno)
        *lineno = l;
    if (offset)
        *offset = o;
}

chaff_compression chaff_reader_compression(const chaff_reader *r)
{
    return r ? r->comp : CHAFF_COMPRESS_NONE;
}

uint64_t chaff_reader_bytes_in(const chaff_reader *r)
{
    return r ? r->bytes_in : 0;
}

void chaff_reader_free(chaff_reader *r)
{
    if (!r)
        return;
    chaff_allocator a = r->alloc;
    ZSTD_freeDCtx(r->zd);
    if (r->zs_live)
        inflateEnd(&r->zs);
    chaff__free(&a, r->in);
    chaff__free(&a, r->buf);
    chaff__free(&a, r);
}
