/* core/fdup.h - repeated pieces of a text, counted the way datatrove's
 * find_duplicates() counts them: walking in order, a piece equal to an
 * earlier one is a duplicate and adds its length (code points). Shared by the
 * Gopher repetition rules (lines, paragraphs) and FineWeb's char_dup_ratio. */
#ifndef CHAFF_FDUP_H
#define CHAFF_FDUP_H

#include "internal.h"
#include "words.h"

typedef struct chaff__fdup {
    uint64_t *key;           /* hash of the piece, 0 = empty slot */
    uint32_t *idx;           /* index of the first piece with that content */
    size_t cap;              /* slots, a power of two */
} chaff__fdup;

void chaff__fdup_free(chaff__fdup *d, const chaff_allocator *a);
/* pieces[0..n) are byte ranges of text. */
chaff_status chaff__fdup_count(chaff__fdup *d, const chaff_allocator *a, const char *text,
                               const chaff__span *pieces, size_t n,
                               size_t *dup_pieces, size_t *dup_chars);

#endif
