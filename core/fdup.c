/* core/fdup.c - datatrove's find_duplicates() over byte ranges of a text. */
#include "fdup.h"
#include "pytext.h"

#include <xxhash.h>

void chaff__fdup_free(chaff__fdup *d, const chaff_allocator *a)
{
    chaff__free(a, d->key);
    chaff__free(a, d->idx);
    memset(d, 0, sizeof *d);
}

chaff_status chaff__fdup_count(chaff__fdup *d, const chaff_allocator *a, const char *text,
                               const chaff__span *pieces, size_t n,
                               size_t *dup_pieces, size_t *dup_chars)
{
    size_t want = 16;
    while (want < 2 * n)
        want *= 2;
    if (want > d->cap) {
        chaff__fdup_free(d, a);
        d->key = chaff__alloc(a, want * sizeof *d->key);
        d->idx = chaff__alloc(a, want * sizeof *d->idx);
        if (!d->key || !d->idx) {
            chaff__fdup_free(d, a);
            return CHAFF_E_NOMEM;
        }
        d->cap = want;
    }
    /* a table sized for this text only: clearing it costs O(n), not O(largest text) */
    size_t cap = want, mask = cap - 1;
    memset(d->key, 0, cap * sizeof *d->key);
    size_t np = 0, nc = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = text + pieces[i].off;
        size_t len = pieces[i].len;
        uint64_t h = XXH3_64bits(s, len) | 1;   /* never 0, the empty mark */
        size_t k = (size_t)(h >> 7) & mask;
        for (;;) {
            if (d->key[k] == 0) {
                d->key[k] = h;
                d->idx[k] = (uint32_t)i;
                break;
            }
            if (d->key[k] == h) {
                const chaff__span *f = &pieces[d->idx[k]];
                if (f->len == len && memcmp(text + f->off, s, len) == 0) {
                    np++;
                    nc += chaff__py_len(s, len);
                    break;
                }
            }
            k = (k + 1) & mask;
        }
    }
    *dup_pieces = np;
    *dup_chars = nc;
    return CHAFF_OK;
}
