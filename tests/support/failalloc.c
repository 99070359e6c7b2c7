/* tests/support/failalloc.c - see failalloc.h. */
#include "failalloc.h"

#include <stdlib.h>

void *failing_fn(void *opaque, void *ptr, size_t size)
{
    failing *f = opaque;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (f->left-- <= 0)
        return NULL;
    return realloc(ptr, size);
}
