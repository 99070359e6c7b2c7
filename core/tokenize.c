/* core/tokenize.c - text -> normalised words, exact hash and shingle hashes.
 *
 * The text model is in include/chaff.h. One pass over the bytes lowercases
 * into t->norm and hashes each word as it ends; ASCII takes a table lookup,
 * anything else goes through utf8proc for its category and lowercase. Shingles
 * are never re-hashed from text: an n-gram's hash combines its n word hashes
 * (each rotated by its position, so order matters) and is then mixed, which
 * costs a few instructions per shingle. */
/* Inlined XXH3 (same function, same values as the library's): a call through
 * the shared library's generic entry cost more than hashing a short word. */
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <stdlib.h>
#include <utf8proc.h>
#include "tokenize.h"

/* 0 = separator, otherwise the lowercase byte */
static unsigned char ascii_word[128];
static int ascii_ready;

static void init_ascii(void)
{
    for (int c = 0; c < 128; c++) {
        unsigned char v = 0;
        if (c >= '0' && c <= '9')
            v = (unsigned char)c;
        else if (c >= 'a' && c <= 'z')
            v = (unsigned char)c;
        else if (c >= 'A' && c <= 'Z')
            v = (unsigned char)(c + 32);
        ascii_word[c] = v;
    }
    __atomic_store_n(&ascii_ready, 1, __ATOMIC_RELEASE);
}

void chaff__tok_init(chaff__tok *t, const chaff_options *o)
{
    memset(t, 0, sizeof *t);
    t->alloc = chaff__allocator(&o->alloc);
    t->kind = o->shingle;
    t->n = o->ngram;
    t->seed = o->seed;
    if (!__atomic_load_n(&ascii_ready, __ATOMIC_ACQUIRE))
        init_ascii(); /* idempotent: racing threads write the same bytes */
}

void chaff__tok_free(chaff__tok *t)
{
    chaff__free(&t->alloc, t->norm);
    chaff__free(&t->alloc, t->units);
    chaff__free(&t->alloc, t->sh);
    memset(t, 0, sizeof *t);
}

static int grow(const chaff_allocator *a, void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / elem)
        return -1;
    void *q = chaff__realloc(a, *p, n * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
    r &= 63;
    return r ? (x << r) | (x >> (64 - r)) : x;
}

/* Murmur3's 64-bit finaliser: every input bit affects every output bit. */
static inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* 13 is odd, so positions 0..63 get distinct rotations. */
static inline uint32_t combine(const uint64_t *u, size_t k)
{
    uint64_t h = (uint64_t)k * 0x9E3779B97F4A7C15ULL;
    for (size_t j = 0; j < k; j++)
        h ^= rotl64(u[j], (unsigned)(j * 13));
    return (uint32_t)(mix64(h) >> 32);
}

static chaff_status end_word(chaff__tok *t, size_t start)
{
    if (t->nunits == t->units_cap &&
        grow(&t->alloc, (void **)&t->units, &t->units_cap, t->nunits + 1, sizeof(uint64_t)))
        return CHAFF_E_NOMEM;
    t->units[t->nunits++] = XXH3_64bits_withSeed(t->norm + start, t->norm_len - start, t->seed);
    return CHAFF_OK;
}

static int is_word_cp(utf8proc_int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

/* Pass 1: lowercase words into norm, one space between words, hashing each
 * word as it ends (word shingles) - or nothing per word (char shingles). */
static chaff_status normalise(chaff__tok *t, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    int in_word = 0, hash_words = t->kind == CHAFF_SHINGLE_WORDS;
    size_t start = 0, o = 0;
    char *out = t->norm;
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        if (CHAFF_LIKELY(c < 0x80)) {
            unsigned char w = ascii_word[c];
            i++;
            if (w) {
                if (!in_word) {
                    if (o)
                        out[o++] = ' ';
                    start = o;
                    in_word = 1;
                }
                /* the rest of an ASCII run of the word, without the outer checks */
                out[o++] = (char)w;
                while (i < len && s[i] < 0x80 && (w = ascii_word[s[i]])) {
                    out[o++] = (char)w;
                    i++;
                }
                continue;
            }
        } else {
            utf8proc_int32_t cp;
            utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
            if (n <= 0) {            /* invalid UTF-8: one byte, a separator */
                i++;
            } else {
                i += (size_t)n;
                if (is_word_cp(cp)) {
                    if (!in_word) {
                        if (o)
                            out[o++] = ' ';
                        start = o;
                        in_word = 1;
                    }
                    o += (size_t)utf8proc_encode_char(utf8proc_tolower(cp),
                                                      (utf8proc_uint8_t *)out + o);
                    continue;
                }
            }
        }
        if (in_word) {
            in_word = 0;
            t->norm_len = o;
            if (hash_words && end_word(t, start))
                return CHAFF_E_NOMEM;
        }
    }
    t->norm_len = o;
    if (in_word && hash_words && end_word(t, start))
        return CHAFF_E_NOMEM;
    return CHAFF_OK;
}

/* Char shingles: hash each code point of norm (spaces included). */
static chaff_status hash_code_points(chaff__tok *t)
{
    const unsigned char *s = (const unsigned char *)t->norm;
    size_t len = t->norm_len;
    if (grow(&t->alloc, (void **)&t->units, &t->units_cap, len + 1, sizeof(uint64_t)))
        return CHAFF_E_NOMEM;
    for (size_t i = 0; i < len;) {
        size_t n = 1;
        while (i + n < len && (s[i + n] & 0xC0) == 0x80)
            n++;
        t->units[t->nunits++] = XXH3_64bits_withSeed(s + i, n, t->seed);
        i += n;
    }
    return CHAFF_OK;
}

chaff_status chaff__tokenize(chaff__tok *t, const char *text, size_t len)
{
    t->norm_len = t->nunits = t->nsh = 0;
    /* Simple lowercase mapping grows a code point by at most half its bytes
     * (2 -> 3); one separator per word at most doubles the rest. */
    if (grow(&t->alloc, (void **)&t->norm, &t->norm_cap, len * 2 + 16, 1))
        return CHAFF_E_NOMEM;
    chaff_status st = normalise(t, text, len);
    if (st == CHAFF_OK && t->kind == CHAFF_SHINGLE_CHARS)
        st = hash_code_points(t);
    if (st)
        return st;
    t->exact = XXH3_128bits_withSeed(t->norm, t->norm_len, t->seed);

    size_t m = t->nunits, n = t->n;
    size_t count = m == 0 ? 0 : m < n ? 1 : m - n + 1;
    if (grow(&t->alloc, (void **)&t->sh, &t->sh_cap, count + 1, sizeof(uint32_t)))
        return CHAFF_E_NOMEM;
    if (m && m < n)
        t->sh[0] = combine(t->units, m);
    else
        for (size_t i = 0; i < count; i++)
            t->sh[i] = combine(t->units + i, n);
    t->nsh = count;
    return CHAFF_OK;
}

/* Shingle hashes are uniform, so a counting pass on the top bits spreads n
 * values over about n buckets with O(1) expected values each, and one
 * insertion pass finishes the order. That is linear, where a comparison sort
 * of the same ~60 values took a third of all run time. */
/* Returns 0 when a bucket came out too full for the insertion pass to stay
 * cheap (inputs that are not uniform); dst is then unusable. */
static int bucket_sort(const uint32_t *src, size_t n, uint32_t *dst)
{
    unsigned bits = 1;
    while (((size_t)1 << bits) < n)
        bits++;
    size_t nb = (size_t)1 << bits;
    uint32_t count[(1 << 16) + 1];
    memset(count, 0, (nb + 1) * sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[(src[i] >> (32 - bits)) + 1]++;
    uint32_t most = 0;
    for (size_t b = 1; b <= nb; b++) {
        most = count[b] > most ? count[b] : most;
        count[b] += count[b - 1];
    }
    if (most > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        dst[count[src[i] >> (32 - bits)]++] = src[i];
    return 1;
}

static void insertion_sort(uint32_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        while (j && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

size_t chaff__sorted_set(const uint32_t *src, size_t n, uint32_t *dst)
{
    if (n == 0)
        return 0;
    if (n > 16 && n <= (1u << 16) && src != dst && bucket_sort(src, n, dst)) {
        insertion_sort(dst, n); /* values are at most a bucket from home */
    } else {
        memmove(dst, src, n * sizeof *src);
        if (n <= 16)
            insertion_sort(dst, n);
        else
            qsort(dst, n, sizeof *dst, cmp_u32); /* too many buckets for the stack */
    }
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (dst[i] != dst[k - 1])
            dst[k++] = dst[i];
    return k;
}
