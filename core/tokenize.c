/* core/tokenize.c - text -> normalised words, exact hash and shingle hashes.
 *
 * The text model is in include/chaff.h. Going a byte at a time, tokenizing
 * was close to half of all single-thread run time, so it works in passes,
 * each a tight loop of its own:
 *
 *  1. Normalise. The text goes by 64-byte windows. Four 16-byte compares
 *     (SIMDe: SSE2 on x86-64, NEON on ARM, one source, baseline flags)
 *     classify every byte as ASCII letter/digit, other ASCII (a separator) or
 *     non-ASCII, into 64-bit masks, and lowercase the window with one masked
 *     or. Word runs, found with ctz on the run-start and run-end masks, are
 *     copied into t->norm 16 bytes at a time: the cost goes per word, not per
 *     byte. Only the part of a window from its first to its last non-ASCII
 *     byte goes through the byte-at-a-time path, which is the original loop,
 *     unchanged in meaning (utf8proc for category and lowercase, with its
 *     answers for all two-byte code points kept in a table), so both paths
 *     are one state machine (in a word or not, bytes out, words out) and can
 *     hand over at any byte. Nothing reads past the caller's text: the last
 *     window is the text's last 64 bytes, minus those already done, and a
 *     text shorter than that is copied into a buffer padded with spaces.
 *  2. Hash the words. Pass 1 only records where each word starts in norm
 *     (in t->units, which the hashes then overwrite). Hashing afterwards runs
 *     XXH3 calls back to back, grouped by XXH3's own length classes so that
 *     its branches are predicted (see hash_words).
 *  3. Shingles are never re-hashed from text: an n-gram's hash combines its n
 *     word hashes (each rotated by its position, so order matters) and is then
 *     mixed. The combination is kept as a rolling value, updated in O(1) per
 *     shingle instead of recombining n words each time.
 *
 * Every output bit is the same as the plain byte loop's: tests/test_tokenize.c
 * keeps that loop and compares against it on random texts of every length and
 * alignment, against guard pages. bench/tokenize_bench.c times this file. */
/* Inlined XXH3 (same function, same values as the library's): a call through
 * the shared library's generic entry cost more than hashing a short word. */
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <pthread.h> /* pthread_once: the tables, whichever thread comes first */
#include <stdlib.h>
#include <utf8proc.h>
#include <simde/x86/sse2.h> /* 16-byte classify and lowercase */
#include "tokenize.h"

/* 0 = separator, otherwise the lowercase byte */
static unsigned char ascii_word[128];

/* Every two-byte code point (U+0080..U+07FF: Latin, Greek, Cyrillic, Hebrew,
 * Arabic...) indexed by (lead - 0xC2) << 6 | (continuation & 0x3F): its
 * lowercase UTF-8 in the low 4 bytes (in memory order), that encoding's
 * length above them, 0 when it is not a letter or number. utf8proc costs four
 * calls per code point; these scripts then take one load. */
static uint64_t two_byte[30 << 6];

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

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

static void init_tables(void)
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
    for (utf8proc_int32_t cp = 0x80; cp < 0x800; cp++) {
        if (!is_word_cp(cp))
            continue;
        utf8proc_uint8_t enc[4] = { 0 };
        uint32_t bytes;
        utf8proc_ssize_t n = utf8proc_encode_char(utf8proc_tolower(cp), enc);
        memcpy(&bytes, enc, 4);
        two_byte[(((cp >> 6) | 0xC0) - 0xC2) << 6 | (cp & 0x3F)] = bytes | (uint64_t)n << 32;
    }
}

void chaff__tok_init(chaff__tok *t, const chaff_options *o)
{
    memset(t, 0, sizeof *t);
    t->alloc = chaff__allocator(&o->alloc);
    t->kind = o->shingle;
    t->n = o->ngram;
    t->seed = o->seed;
    pthread_once(&tables_once, init_tables);
    /* Char shingles hash every code point, and most are ASCII: a table of
     * their hashes under this seed turns those calls into loads. */
    if (t->kind == CHAFF_SHINGLE_CHARS)
        for (unsigned c = 0; c < 128; c++) {
            unsigned char b = (unsigned char)c;
            t->ascii_hash[c] = XXH3_64bits_withSeed(&b, 1, t->seed);
        }
}

/* norm lives NORM_FRONT bytes into its allocation: the slack in front takes
 * the space written before the first word (see span). */
#define NORM_FRONT 16

void chaff__tok_free(chaff__tok *t)
{
    if (t->norm)
        chaff__free(&t->alloc, t->norm - NORM_FRONT);
    chaff__free(&t->alloc, t->units);
    chaff__free(&t->alloc, t->sh);
    chaff__free(&t->alloc, t->ord);
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

/* (uint32_t)(mix64(h) >> 32) in two fewer steps: the last h ^= h >> 33
 * changes no bit above bit 30, so the top half is already final before it. */
static inline uint32_t mix64_hi(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return (uint32_t)(h >> 32);
}

/* 13 is odd, so positions 0..63 get distinct rotations. */
static inline uint32_t combine(const uint64_t *u, size_t k)
{
    uint64_t h = (uint64_t)k * 0x9E3779B97F4A7C15ULL;
    for (size_t j = 0; j < k; j++)
        h ^= rotl64(u[j], (unsigned)(j * 13));
    return (uint32_t)(mix64(h) >> 32);
}

/* Where pass 1 is: what the vector and the byte paths hand to each other.
 * out is one byte before t->norm, so every word, the first too, is written
 * as a space and then its bytes, and the first space lands in the slack
 * before norm: one less test per word. */
typedef struct span {
    char *out;               /* t->norm - 1 */
    size_t o;                /* bytes in out: 0, or 1 + bytes in norm */
    uint64_t *start;         /* t->units: where each word starts in out */
    size_t nw;               /* words so far */
    int in_word;             /* the last byte seen was part of a word */
} span;

/* The byte-at-a-time path, for stretches with non-ASCII bytes: processes
 * whole code points from s[i] while i < limit (the last one may run past
 * limit, and so may an ASCII word, never past len) and returns where it
 * stopped. ASCII and two-byte code points take a table lookup, anything
 * else goes through utf8proc. Never inlined: it is the rarer path, and kept
 * apart it leaves the vector loop its registers. */
static __attribute__((noinline)) size_t bytewise(span *p, const unsigned char *s, size_t len,
                                                 size_t i, size_t limit)
{
    char *out = p->out;
    size_t o = p->o, nw = p->nw;
    int in_word = p->in_word;
    while (i < limit) {
        unsigned c = s[i];
        if (c < 0x80) {
            unsigned char w = ascii_word[c];
            i++;
            if (w) {
                if (!in_word) {
                    out[o++] = ' ';
                    p->start[nw++] = o;
                    in_word = 1;
                }
                out[o++] = (char)w;
                while (i < len && s[i] < 0x80 && (w = ascii_word[s[i]])) {
                    out[o++] = (char)w;
                    i++;
                }
                continue;
            }
        } else if (c - 0xC2 < 30 && i + 1 < len && (s[i + 1] & 0xC0) == 0x80) {
            /* what utf8proc would say about this two-byte code point */
            uint64_t v = two_byte[(c - 0xC2) << 6 | (s[i + 1] & 0x3F)];
            i += 2;
            if (v) {
                if (!in_word) {
                    out[o++] = ' ';
                    p->start[nw++] = o;
                    in_word = 1;
                }
                uint32_t bytes = (uint32_t)v;
                memcpy(out + o, &bytes, 4); /* up to 3 bytes of overrun, in the slack */
                o += (size_t)(v >> 32);
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
                        out[o++] = ' ';
                        p->start[nw++] = o;
                        in_word = 1;
                    }
                    o += (size_t)utf8proc_encode_char(utf8proc_tolower(cp),
                                                      (utf8proc_uint8_t *)out + o);
                    continue;
                }
            }
        }
        in_word = 0;
    }
    p->o = o;
    p->nw = nw;
    p->in_word = in_word;
    return i;
}

#define WIN 64

/* Classifies b[0..64): returns the mask of ASCII letters and digits, sets
 * *high to the mask of bytes >= 0x80, and writes the window to low[0..64)
 * with its letters lowercased (only letters and digits are copied from it).
 * Signed compares after a bias test a range in one instruction (SSE2 has no
 * unsigned byte compare). */
static inline uint64_t classify(const unsigned char *b, unsigned char *low, uint64_t *high)
{
    const simde__m128i al_bias = simde_mm_set1_epi8(0x80 - 'a');
    const simde__m128i dg_bias = simde_mm_set1_epi8(0x80 - '0');
    const simde__m128i lim26 = simde_mm_set1_epi8(-128 + 26);
    const simde__m128i lim10 = simde_mm_set1_epi8(-128 + 10);
    const simde__m128i x20 = simde_mm_set1_epi8(0x20);
    uint64_t word = 0, hi = 0;
    for (int k = 0; k < WIN / 16; k++) {
        simde__m128i v = simde_mm_loadu_si128((const simde__m128i *)(const void *)(b + 16 * k));
        simde__m128i al = simde_mm_cmplt_epi8(
            simde_mm_add_epi8(simde_mm_or_si128(v, x20), al_bias), lim26);
        simde__m128i dg = simde_mm_cmplt_epi8(simde_mm_add_epi8(v, dg_bias), lim10);
        /* setting 0x20 lowercases a letter */
        simde_mm_store_si128((simde__m128i *)(void *)(low + 16 * k),
                             simde_mm_or_si128(v, simde_mm_and_si128(al, x20)));
        word |= (uint64_t)(uint16_t)simde_mm_movemask_epi8(simde_mm_or_si128(al, dg)) << (16 * k);
        hi |= (uint64_t)(uint16_t)simde_mm_movemask_epi8(v) << (16 * k);
    }
    *high = hi;
    return word;
}

/* Copies n > 0 bytes in 16-byte pieces: up to 15 bytes past dst + n get
 * overwritten and up to 15 past src + n read, which both buffers allow. Most
 * words fit the first piece, so the loop is the rare branch. */
static inline void copy16(char *dst, const unsigned char *src, size_t n)
{
    simde_mm_storeu_si128((simde__m128i *)(void *)dst,
                          simde_mm_loadu_si128((const simde__m128i *)(const void *)src));
    for (size_t k = 16; k < n; k += 16)
        simde_mm_storeu_si128((simde__m128i *)(void *)(dst + k),
                              simde_mm_loadu_si128((const simde__m128i *)(const void *)(src + k)));
}

/* Pass 1: lowercase words into norm, one space between words, and record
 * where each word starts. */
static chaff_status normalise(chaff__tok *t, const unsigned char *s, size_t len)
{
    /* 16 bytes of slack for the last copy16 of a run that ends at byte 63 */
    SIMDE_ALIGN_TO_16 unsigned char low[WIN + 16];
    SIMDE_ALIGN_TO_16 unsigned char pad[WIN];
    char *out = t->norm - 1;
    uint64_t *start = t->units;
    size_t o = 0, nw = 0, i = 0;
    int in_word = 0;
    while (i < len) {
        /* A window starts at most WIN/2 words and the byte path at most WIN
         * (one per code point), so this is the only capacity check. */
        if (CHAFF_UNLIKELY(nw + WIN + 1 > t->units_cap)) {
            if (grow(&t->alloc, (void **)&t->units, &t->units_cap, nw + WIN + 1,
                     sizeof(uint64_t)))
                return CHAFF_E_NOMEM;
            start = t->units;
        }
        const unsigned char *b = s + i;
        const unsigned char *lb = low; /* low as seen from byte i */
        size_t avail = len - i;
        uint64_t high, word;
        if (CHAFF_LIKELY(avail >= WIN)) {
            word = classify(b, low, &high);
        } else if (len >= WIN) {
            /* The last window ends at the end of the text and overlaps the
             * one before; its first WIN - avail bytes are done already. */
            unsigned done = (unsigned)(WIN - avail);
            word = classify(s + len - WIN, low, &high) >> done;
            high >>= done;
            lb = low + done;
        } else {
            memcpy(pad, b, avail); /* a whole text shorter than a window */
            memset(pad + avail, ' ', WIN - avail);
            word = classify(pad, low, &high);
        }
        /* The vector path takes the window up to its first non-ASCII byte. */
        unsigned take = high ? (unsigned)__builtin_ctzll(high) : WIN;
        if (take < WIN)
            word &= ((uint64_t)1 << take) - 1;
        uint64_t first = word & ~(word << 1), last = word & ~(word >> 1);
        if (in_word && (word & 1)) { /* the word from the window before goes on */
            size_t e = (size_t)__builtin_ctzll(last) + 1;
            copy16(out + o, lb, e);
            o += e;
            first &= first - 1;
            last &= last - 1;
        }
        while (first) {
            unsigned a = (unsigned)__builtin_ctzll(first), e = (unsigned)__builtin_ctzll(last) + 1;
            first &= first - 1;
            last &= last - 1;
            out[o++] = ' ';
            start[nw++] = o;
            copy16(out + o, lb + a, e - a);
            o += e - a;
        }
        if (take)
            in_word = (int)((word >> (take - 1)) & 1);
        if (take == WIN) {
            i += avail < WIN ? avail : WIN;
            continue;
        }
        /* Bytewise from the first to past the last non-ASCII byte; the next
         * window starts where that stops. */
        span p = { out, o, start, nw, in_word };
        i = bytewise(&p, s, len, i + take, i + WIN - (size_t)__builtin_clzll(high));
        o = p.o;
        nw = p.nw;
        in_word = p.in_word;
    }
    t->norm_len = o ? o - 1 : 0;
    t->nunits = nw;
    return CHAFF_OK;
}

/* Pass 2 for word shingles: each word's start in norm becomes its hash.
 * Starts are offsets in norm - 1 (see span), so a word ends one before the
 * next word's start, at its separator.
 *
 * XXH3 picks its code by length (1-3, 4-8, 9-16, 17+ bytes), and word
 * lengths in text order are close to random, so hashing in text order costs
 * a mispredicted branch on many words (hashing a word list in text order took
 * 1.7 times as long as the same list sorted by length). Words are therefore
 * hashed grouped by class - the same function on the same bytes, in another
 * order - through an index of word numbers. Three groups (1-3, 4-8, 9+)
 * measured faster than four: longer words are rare, and the index costs per
 * group. flatten, because GCC otherwise may keep XXH3_64bits_withSeed as a
 * call, which also costs about as much as a short hash. */
static __attribute__((flatten)) void hash_words(chaff__tok *t)
{
    uint64_t *u = t->units;
    const char *out = t->norm - 1;
    const uint64_t seed = t->seed;
    size_t n = t->nunits;
    if (!n)
        return;
    if (n < 8 || n > (1u << 22) || t->norm_len >= UINT32_MAX ||
        grow(&t->alloc, (void **)&t->ord, &t->ord_cap, 3 * n, sizeof(uint32_t))) {
        /* too few words to pay for the index; so many that its 12 bytes a
         * word would matter; offsets too long for it; or no memory for it */
        for (size_t k = 0; k + 1 < n; k++) {
            size_t a = (size_t)u[k], e = (size_t)u[k + 1] - 1;
            u[k] = XXH3_64bits_withSeed(out + a, e - a, seed);
        }
        size_t a = (size_t)u[n - 1];
        u[n - 1] = XXH3_64bits_withSeed(out + a, t->norm_len + 1 - a, seed);
        return;
    }
    /* u[k] becomes start | length << 32; word k goes in its group's third
     * of ord (each has room for all n). Every third gets the store and only
     * one count moves: counts in an array indexed by group would chain each
     * word's increment to the last one's store. */
    uint32_t *ord = t->ord;
    size_t c0 = 0, c1 = n, c2 = 2 * n;
    u[n] = t->norm_len + 2; /* where a word after the last would start */
    for (size_t k = 0; k < n; k++) {
        uint64_t a = u[k], len = u[k + 1] - 1 - a;
        u[k] = a | len << 32;
        ord[c0] = ord[c1] = ord[c2] = (uint32_t)k;
        c0 += len <= 3;
        c1 += len - 4 <= 4;
        c2 += len > 8;
    }
    const size_t end[3] = { c0, c1, c2 };
    for (unsigned c = 0; c < 3; c++)
        for (size_t j = c * n; j < end[c]; j++) {
            uint32_t k = ord[j];
            uint64_t v = u[k];
            u[k] = XXH3_64bits_withSeed(out + (uint32_t)v, (size_t)(v >> 32), seed);
        }
}

/* Char shingles: hash each code point of norm (spaces included). */
static chaff_status hash_code_points(chaff__tok *t)
{
    const unsigned char *s = (const unsigned char *)t->norm;
    size_t len = t->norm_len;
    t->nunits = 0;
    if (grow(&t->alloc, (void **)&t->units, &t->units_cap, len + 1, sizeof(uint64_t)))
        return CHAFF_E_NOMEM;
    uint64_t *u = t->units;
    size_t m = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] < 0x80) {
            u[m++] = t->ascii_hash[s[i++]];
            continue;
        }
        size_t n = 1;
        while (i + n < len && (s[i + n] & 0xC0) == 0x80)
            n++;
        u[m++] = XXH3_64bits_withSeed(s + i, n, t->seed);
        i += n;
    }
    t->nunits = m;
    return CHAFF_OK;
}

/* Pass 1 with norm's room made first. */
static chaff_status normalise_text(chaff__tok *t, const char *text, size_t len)
{
    t->norm_len = t->nunits = t->nsh = 0;
    /* Simple lowercase mapping grows a code point by at most half its bytes
     * (2 -> 3); one separator per word at most doubles the rest. The 16
     * more are for copy16's overrun, and NORM_FRONT goes before norm. */
    size_t need = NORM_FRONT + len * 2 + 32;
    if (need > t->norm_cap) {
        char *base = t->norm ? t->norm - NORM_FRONT : NULL;
        if (grow(&t->alloc, (void **)&base, &t->norm_cap, need, 1))
            return CHAFF_E_NOMEM;
        t->norm = base + NORM_FRONT;
    }
    return normalise(t, (const unsigned char *)text, len);
}

chaff_status chaff__tokenize_words(chaff__tok *t, const char *text, size_t len)
{
    chaff_status st = normalise_text(t, text, len);
    if (st)
        return st;
    hash_words(t);
    return CHAFF_OK;
}

chaff_status chaff__tokenize(chaff__tok *t, const char *text, size_t len)
{
    chaff_status st = normalise_text(t, text, len);
    if (st)
        return st;
    if (t->kind == CHAFF_SHINGLE_CHARS) {
        if ((st = hash_code_points(t)))
            return st;
    } else {
        hash_words(t);
    }
    t->exact = XXH3_128bits_withSeed(t->norm, t->norm_len, t->seed);

    size_t m = t->nunits, n = t->n;
    size_t count = m == 0 ? 0 : m < n ? 1 : m - n + 1;
    if (grow(&t->alloc, (void **)&t->sh, &t->sh_cap, count + 1, sizeof(uint32_t)))
        return CHAFF_E_NOMEM;
    const uint64_t *u = t->units;
    if (m && m < n) {
        t->sh[0] = combine(u, m);
    } else if (count) {
        /* x = XOR of rotl(u[i + j], 13 j): sliding the window one word drops
         * u[i] (rotated by 0), turns every other rotation back by 13 and adds
         * u[i + n] at the last position. */
        const uint64_t k = (uint64_t)n * 0x9E3779B97F4A7C15ULL;
        const unsigned back = 64 - 13, top = (unsigned)((n - 1) * 13);
        uint64_t x = 0;
        for (size_t j = 0; j < n; j++)
            x ^= rotl64(u[j], (unsigned)(j * 13));
        t->sh[0] = mix64_hi(k ^ x);
        for (size_t i = 1; i < count; i++) {
            x = rotl64(x ^ u[i - 1], back) ^ rotl64(u[i - 1 + n], top);
            t->sh[i] = mix64_hi(k ^ x);
        }
    }
    t->nsh = count;
    return CHAFF_OK;
}

/* Shingle hashes are uniform, so a counting pass on the top bits spreads n
 * values over about n buckets with O(1) expected values each, and one
 * insertion pass finishes the order. That is linear, where a comparison sort
 * of the same ~60 values took a third of all run time. */
/* Returns 0 when a bucket came out too full for the insertion pass to stay
 * cheap (inputs that are not uniform); dst is then unusable. */
/* At most 2^12 buckets: 16 KiB of counts on the stack is safe on any thread,
 * including the library's workers and callers' small-stack threads. Larger
 * sets (records of over 4096 shingles) take qsort, which is cheap beside
 * tokenising that much text. */
#define BUCKET_MAX (1u << 12)

static int bucket_sort(const uint32_t *src, size_t n, uint32_t *dst)
{
    unsigned bits = 1;
    while (((size_t)1 << bits) < n)
        bits++;
    size_t nb = (size_t)1 << bits;
    uint32_t count[BUCKET_MAX + 1];
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

/* The sum of the four 32-bit lanes. */
static inline unsigned hsum32(simde__m128i a)
{
    a = simde_mm_add_epi32(a, simde_mm_shuffle_epi32(a, 0x4E));
    a = simde_mm_add_epi32(a, simde_mm_shuffle_epi32(a, 0xB1));
    return (unsigned)simde_mm_cvtsi128_si32(a);
}

/* Up to 64 values are placed by rank: each value's place is how many values
 * are below it, counted 4 x 4 at a time with vector compares (biased by
 * 2^31: SSE2 compares only signed). That is n^2 / 4 vector compares, but
 * with no branch on the data and no chain through memory it beats the
 * bucket sort below by about 2x at 20..64 values, where most records are.
 * Equal values take the same place and leave places empty after it, so the
 * places taken, in order, are the sorted set. Returns its size. */
static size_t rank_sort(const uint32_t *src, size_t n, uint32_t *dst)
{
    SIMDE_ALIGN_TO_16 int32_t b[64];
    size_t nb = (n + 3) & ~(size_t)3;
    for (size_t i = 0; i < n; i++)
        b[i] = (int32_t)(src[i] ^ 0x80000000u);
    for (size_t i = n; i < nb; i++)
        b[i] = INT32_MAX; /* below no value: pads never count */
    uint64_t placed = 0;
    for (size_t i = 0; i < nb; i += 4) {
        simde__m128i x0 = simde_mm_set1_epi32(b[i]), x1 = simde_mm_set1_epi32(b[i + 1]);
        simde__m128i x2 = simde_mm_set1_epi32(b[i + 2]), x3 = simde_mm_set1_epi32(b[i + 3]);
        simde__m128i r0 = simde_mm_setzero_si128(), r1 = r0, r2 = r0, r3 = r0;
        for (size_t j = 0; j < nb; j += 4) {
            simde__m128i y = simde_mm_load_si128((const simde__m128i *)(const void *)(b + j));
            r0 = simde_mm_sub_epi32(r0, simde_mm_cmpgt_epi32(x0, y));
            r1 = simde_mm_sub_epi32(r1, simde_mm_cmpgt_epi32(x1, y));
            r2 = simde_mm_sub_epi32(r2, simde_mm_cmpgt_epi32(x2, y));
            r3 = simde_mm_sub_epi32(r3, simde_mm_cmpgt_epi32(x3, y));
        }
        unsigned rank[4] = { hsum32(r0), hsum32(r1), hsum32(r2), hsum32(r3) };
        for (size_t k = 0; k < 4 && i + k < n; k++) {
            dst[rank[k]] = src[i + k];
            placed |= (uint64_t)1 << rank[k];
        }
    }
    if (placed == (n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1))
        return n; /* all distinct */
    size_t k = 0; /* k <= the place read, so this compacts in place */
    for (; placed; placed &= placed - 1)
        dst[k++] = dst[__builtin_ctzll(placed)];
    return k;
}

size_t chaff__sorted_set(const uint32_t *src, size_t n, uint32_t *dst)
{
    if (n == 0)
        return 0;
    if (n > 1 && n <= 64 && src != dst)
        return rank_sort(src, n, dst);
    if (n > 16 && n <= BUCKET_MAX && src != dst && bucket_sort(src, n, dst)) {
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
