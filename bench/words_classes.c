/* bench/words_classes.c - print core/words.c's character classes for every code point.
 *
 * The NLTK regexes' \w, \d and \s, and Punkt's isupper/islower, follow the
 * Unicode tables of the reference's Python, while words.c asks utf8proc (a
 * newer Unicode) plus a few lists; bench/words_diff.py --classes compares the
 * two over all 1,114,112 code points. One line per code point: a bit set of
 * 1 \w, 2 \d, 4 \s, 8 upper, 16 lower (surrogates print 0).
 *
 * Not built by CMake; it includes words.c to reach its static functions:
 *   gcc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I include -I core \
 *       bench/words_classes.c -lutf8proc -o /tmp/words_classes
 */
#include <stdio.h>
#include "../core/words.c"

void *chaff__realloc(const chaff_allocator *a, void *p, size_t size)
{
    (void)a;
    return realloc(p, size);
}

void chaff__free(const chaff_allocator *a, void *p)
{
    (void)a;
    free(p);
}

chaff_allocator chaff__allocator(const chaff_allocator *a)
{
    chaff_allocator z;
    memset(&z, 0, sizeof z);
    return a ? *a : z;
}

int main(void)
{
    for (uint32_t c = 0; c < 0x110000; c++) {
        int v = 0;
        if (c < 0xD800 || c > 0xDFFF)
            v = (u_word(c) ? 1 : 0) | (u_digit(c) ? 2 : 0) | (u_space(c) ? 4 : 0) |
                (u_upper(c) ? 8 : 0) | (u_lower(c) ? 16 : 0);
        printf("%d\n", v);
    }
    return 0;
}
