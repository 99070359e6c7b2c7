/* tests/support/testbuf.h - a growable byte buffer for the tests that build
 * input streams (test_reader, test_writer). Include it after <cmocka.h>. */
#ifndef CHAFF_TEST_BUF_H
#define CHAFF_TEST_BUF_H

#include <stdlib.h>
#include <string.h>

typedef struct buf {
    unsigned char *p;
    size_t len, cap;
} buf;

static inline void put(buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static inline void buf_free(buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

#endif
