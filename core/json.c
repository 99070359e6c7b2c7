/* core/json.c - one JSON Lines record -> its text field and raw id.
 *
 * Every line is validated strictly (RFC 8259) in a single forward pass, but
 * only the top-level object is interpreted: nested values are checked and
 * skipped with an explicit stack of container kinds, so a hostile line of
 * 100000 '[' costs a fixed 128 bytes of C stack and a clean error.
 *
 * The text field holds most of a record's bytes, so strings are scanned a
 * block at a time (16 bytes with SIMDe's SSE2, native on x86-64 and mapped to
 * NEON on ARM; 8 with portable word tricks elsewhere) for the only bytes that matter inside a string: '"',
 * '\\' and controls. An escape-free text is handed back as a pointer into the
 * line. An escaped one is decoded in the same pass that validates it, straight
 * into an arena: runs between escapes are copied a block at a time as they
 * are scanned. Decoding never lengthens a string (the worst case, a lone
 * surrogate, is 6 bytes in and 3 out), so the rest of the line bounds the
 * output and the unused tail is handed back afterwards. Should the line turn
 * out invalid, or a later key of the same name win, the arena is rolled back.
 *
 * The arena is a chain of blocks that never move or shrink until
 * chaff_json_reset(): a batch of records is parsed first and used afterwards,
 * so an earlier record's text must survive the later ones.
 *
 * Bad surrogates become U+FFFD and invalid UTF-8 passes through, because a
 * damaged text is still a text to deduplicate.
 */
#include <stdio.h>  /* snprintf for the messages that name the field */
#include <stdlib.h> /* abort, in sanitizer builds only */
#include "internal.h"

#if (defined(__SSE2__) || defined(__ARM_NEON)) && !defined(CHAFF_JSON_SWAR)
#include <simde/x86/sse2.h> /* the 16-byte string scan */
#define JSON_SSE2 1
#endif

#if defined(__GNUC__)
#define JSON_INLINE static inline __attribute__((always_inline))
#else
#define JSON_INLINE static inline
#endif

/* Containers open at once, the top-level object included. Deeper lines are
 * rejected rather than parsed: no real dataset nests a thousand levels. */
#define JSON_MAX_DEPTH 1000

/* The first arena block; later ones double up to ARENA_KEEP, so a batch of
 * small texts needs few allocations. Blocks larger than ARENA_KEEP exist only
 * for one huge text and are returned at reset instead of being kept forever. */
#define ARENA_FIRST ((size_t)16 * 1024)
#define ARENA_KEEP ((size_t)1024 * 1024)

/* Decoding in the scanning pass reserves the rest of the line. Past this much
 * the string is scanned first and decoded into exactly its size instead. */
#define DECODE_RESERVE_MAX ARENA_KEEP

/* Room for a field name in the error messages that mention it. */
#define NAME_SHOWN 64

typedef struct arena_block {
    struct arena_block *next;
    size_t size, used; /* bytes of data after the header, bytes handed out */
} arena_block;

/* A name to find among the top-level keys. Names of up to 8 bytes are also
 * kept as a word and a mask, so that a key compares in one instruction. */
typedef struct json_name {
    const char *s; /* NULL for "no such name" */
    size_t len;
    uint64_t word, mask;
} json_name;

struct chaff_json {
    chaff_allocator alloc;
    json_name field, id; /* id.s NULL when there is no id field */
    int raw_field;       /* the field may be any value; its raw JSON is handed out */
    json_name extra;     /* raw mode: a second field handed out raw, s NULL if none */
    char *extra_name;
    json_name extra2;    /* raw mode: a third one, s NULL if none */
    char *extra2_name;
    /* Blocks in use come first; cur is the one being filled, NULL when none is
     * yet in this batch. Blocks after cur are empty and kept for reuse. */
    arena_block *head, *cur;
    /* The arena as it was when the current parse began, to roll back to. */
    arena_block *mark_cur;
    size_t mark_used;
    const char *err;
    size_t err_col;
    char msg_missing[NAME_SHOWN + 32];
    char msg_type[NAME_SHOWN + 32];
    /* field and id_field strings follow the struct, in the same allocation */
};

/* ---- arena -------------------------------------------------------------- */

static char *block_data(arena_block *b) { return (char *)(b + 1); }

static char *arena_alloc(chaff_json *j, size_t n)
{
    arena_block *b = j->cur;
    if (b && b->size - b->used >= n) {
        char *p = block_data(b) + b->used;
        b->used += n;
        return p;
    }
    /* The next kept block is empty; use it when it is big enough, otherwise
     * put a new block in front of it so that it stays for smaller texts. */
    arena_block *next = b ? b->next : j->head;
    if (!next || next->size < n) {
        size_t want = b ? CHAFF_MIN(b->size * 2, ARENA_KEEP) : ARENA_FIRST;
        want = CHAFF_MAX(want, n);
        if (want > SIZE_MAX - sizeof(arena_block))
            return NULL;
        arena_block *nb = chaff__alloc(&j->alloc, sizeof(arena_block) + want);
        if (!nb)
            return NULL;
        nb->size = want;
        nb->used = 0;
        nb->next = next;
        if (b)
            b->next = nb;
        else
            j->head = nb;
        next = nb;
    }
    j->cur = next;
    next->used = n;
    return block_data(next);
}

/* Undoes the allocations made since the mark. A parse makes at most one, and
 * arena_alloc moves at most one block on, so this is all it takes. */
static void arena_rollback(chaff_json *j)
{
    if (j->cur != j->mark_cur) {
        j->cur->used = 0;
        j->cur = j->mark_cur;
    }
    if (j->cur)
        j->cur->used = j->mark_used;
}

static void arena_reset(chaff_json *j)
{
    arena_block **link = &j->head;
    while (*link) {
        arena_block *b = *link;
        if (b->size > ARENA_KEEP) {
            *link = b->next;
            chaff__free(&j->alloc, b);
        } else {
            b->used = 0;
            link = &b->next;
        }
    }
    j->cur = NULL;
}

/* ---- byte classes ------------------------------------------------------- */

/* 1 for the bytes that stop a string scan: controls, '"' and '\\'. */
static const unsigned char stop_byte[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1,
};

/* What each one-character escape stands for; 0 where there is none. A table
 * rather than a switch, whose jump would be mispredicted in mixed text. */
static const char simple_escape[256] = {
    ['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b',
    ['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t',
};

/* A hex digit's value plus one; 0 for any other byte. A table rather than
 * comparisons, because in escaped text the digits are as good as random and
 * would make every comparison a mispredicted branch. */
static const unsigned char hex_digit[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
    ['7'] = 8, ['8'] = 9, ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14,
    ['E'] = 15, ['F'] = 16, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
    ['f'] = 16,
};

/* The four hex digits at p as a number, or -1. */
JSON_INLINE long hex4(const char *p)
{
    int a = hex_digit[(unsigned char)p[0]] - 1, b = hex_digit[(unsigned char)p[1]] - 1;
    int c = hex_digit[(unsigned char)p[2]] - 1, d = hex_digit[(unsigned char)p[3]] - 1;
    if ((a | b | c | d) < 0)
        return -1;
    return ((long)a << 12) | (b << 8) | (c << 4) | d;
}

JSON_INLINE int is_ws(unsigned char c)
{
    return c <= ' ' && ((UINT64_C(1) << c) & ((UINT64_C(1) << ' ') | (UINT64_C(1) << '\t') |
                                               (UINT64_C(1) << '\n') | (UINT64_C(1) << '\r')));
}

/* Most tokens follow the previous one directly or after one space, so the
 * first byte is tested before any loop. */
JSON_INLINE const char *skip_ws(const char *p, const char *end)
{
    if (CHAFF_LIKELY(p < end && (unsigned char)*p > ' '))
        return p;
    while (p < end && is_ws((unsigned char)*p))
        p++;
    return p;
}

JSON_INLINE int is_digit(unsigned char c) { return (unsigned)(c - '0') < 10u; }

/* ---- blocks ------------------------------------------------------------- */

/* A block is BLOCK bytes of a string; stop_bits() is non-zero when it holds a
 * stop byte and stop_index() says where the first one is. Blocks are loaded
 * only when all their bytes are inside the line: the byte after the line may
 * be the end of a mapping. */
#ifdef JSON_SSE2
#define BLOCK 16
typedef simde__m128i block_t;

JSON_INLINE block_t load_block(const char *p) { return simde_mm_loadu_si128((const void *)p); }
JSON_INLINE void store_block(char *d, block_t v) { simde_mm_storeu_si128((void *)d, v); }

JSON_INLINE unsigned stop_bits(block_t v)
{
    /* v <= 0x1F, unsigned, is min(v, 0x1F) == v */
    simde__m128i ctl = simde_mm_cmpeq_epi8(simde_mm_min_epu8(v, simde_mm_set1_epi8(0x1F)), v);
    simde__m128i quote = simde_mm_cmpeq_epi8(v, simde_mm_set1_epi8('"'));
    simde__m128i bslash = simde_mm_cmpeq_epi8(v, simde_mm_set1_epi8('\\'));
    return (unsigned)simde_mm_movemask_epi8(
        simde_mm_or_si128(ctl, simde_mm_or_si128(quote, bslash)));
}

#define stop_index(bits, p) ((size_t)__builtin_ctz(bits))
#else
#define BLOCK 8
typedef uint64_t block_t;

JSON_INLINE block_t load_block(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

JSON_INLINE void store_block(char *d, block_t v) { memcpy(d, &v, 8); }

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* A high bit in each byte that is '"', '\\' or below 0x20, by the zero-byte
 * test (x - 1) & ~x. XOR with 0x02 sends '"' to 0x20 and keeps the controls
 * below it, so one "less than 0x21" test finds both. A byte above a marked
 * one may be a false alarm (a borrow), so only the lowest mark is used. */
JSON_INLINE uint64_t stop_bits(block_t v)
{
    uint64_t x = v ^ (ONES * 0x02);
    uint64_t b = v ^ (ONES * '\\');
    return (((x - ONES * 0x21) & ~x) | ((b - ONES) & ~b)) & HIGHS;
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define stop_index(bits, p) ((size_t)__builtin_ctzll(bits) >> 3)
#else
/* Elsewhere the lowest mark may not be the first byte: look byte by byte. */
static size_t first_stop(const char *p)
{
    size_t i = 0;
    while (!stop_byte[(unsigned char)p[i]])
        i++;
    return i;
}
#define stop_index(bits, p) first_stop(p)
#endif
#endif

/* The first stop byte in [p, end), or end. */
JSON_INLINE const char *find_stop(const char *p, const char *end)
{
    while (end - p >= 2 * BLOCK) {
        block_t a = load_block(p), b = load_block(p + BLOCK);
        if (CHAFF_UNLIKELY(stop_bits(a) | stop_bits(b))) {
            if (stop_bits(a))
                return p + stop_index(stop_bits(a), p);
            return p + BLOCK + stop_index(stop_bits(b), p + BLOCK);
        }
        p += 2 * BLOCK;
    }
    if (end - p >= BLOCK) {
        block_t a = load_block(p);
        if (stop_bits(a))
            return p + stop_index(stop_bits(a), p);
        p += BLOCK;
    }
    while (p < end && !stop_byte[(unsigned char)*p])
        p++;
    return p;
}

/* ---- validating strings ------------------------------------------------- */

static chaff_status fail(chaff_json *j, const char *line, const char *at, const char *why)
{
    j->err = why;
    j->err_col = (size_t)(at - line) + 1;
    return CHAFF_E_JSON;
}

/* Checks the escape at p (a backslash) and returns the byte after it, or NULL
 * after recording the error. */
static const char *check_escape(chaff_json *j, const char *line, const char *open,
                                const char *p, const char *end)
{
    if (end - p < 2) {
        fail(j, line, open, "unterminated string");
        return NULL;
    }
    switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return p + 2;
    case 'u':
        if (end - p < 6 || hex4(p + 2) < 0) {
            fail(j, line, p, "invalid \\u escape");
            return NULL;
        }
        return p + 6;
    default:
        fail(j, line, p, "invalid escape");
        return NULL;
    }
}

/* Validates the string whose opening quote is at open and returns its closing
 * quote, or NULL after recording the error. *escaped tells whether a
 * backslash was seen: without one the raw bytes are the value. */
JSON_INLINE const char *scan_string(chaff_json *j, const char *line, const char *open,
                                    const char *end, int *escaped)
{
    const char *p = find_stop(open + 1, end);
    *escaped = 0;
    while (CHAFF_UNLIKELY(p == end || *p != '"')) {
        if (p == end) {
            fail(j, line, open, "unterminated string");
            return NULL;
        }
        if (*p != '\\') {
            fail(j, line, p, "control character in string");
            return NULL;
        }
        *escaped = 1;
        p = check_escape(j, line, open, p, end);
        if (!p)
            return NULL;
        p = find_stop(p, end);
    }
    return p;
}

/* ---- decoding ----------------------------------------------------------- */

JSON_INLINE size_t put_utf8(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The code point of the \u escape at p, whose digits are valid, taking the
 * low half of a surrogate pair from p + 6 when it is there (*used = 12).
 * A half without its partner is U+FFFD. */
JSON_INLINE unsigned long u_escape(const char *p, const char *end, size_t *used)
{
    unsigned long cp = (unsigned long)hex4(p + 2);
    *used = 6;
    if (CHAFF_LIKELY(cp < 0xD800 || cp > 0xDFFF))
        return cp;
    if (cp <= 0xDBFF && end - p >= 12 && p[6] == '\\' && p[7] == 'u') {
        long lo = hex4(p + 8);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            *used = 12;
            return 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
        }
    }
    return 0xFFFD;
}

/* Decodes the escape at p, already validated (end bounds the string), into
 * out[0..*n) and returns the bytes consumed. */
static size_t decode_escape(const char *p, const char *end, char *out, size_t *n)
{
    char c;
    switch (p[1]) {
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'u': {
        size_t used;
        *n = put_utf8(out, u_escape(p, end, &used));
        return used;
    }
    default: c = p[1]; break; /* '"', '\\', '/' */
    }
    out[0] = c;
    *n = 1;
    return 2;
}

/* Writes the value of the validated string body [s, e) to dst; returns its
 * length, never more than e - s. For strings too long to decode while
 * scanning. */
static size_t unescape(char *dst, const char *s, const char *e)
{
    char *d = dst;
    while (s < e) {
        const char *bs = memchr(s, '\\', (size_t)(e - s));
        if (!bs) {
            memcpy(d, s, (size_t)(e - s));
            d += e - s;
            break;
        }
        memcpy(d, s, (size_t)(bs - s));
        d += bs - s;
        size_t n;
        s = bs + decode_escape(bs, e, d, &n);
        d += n;
    }
    return (size_t)(d - dst);
}

/* Whether the validated, escaped string body [s, e) decodes to name[0..len).
 * Keys are short and seldom escaped, so this decodes as it compares instead
 * of needing a buffer. */
static int escaped_key_is(const char *s, const char *e, const char *name, size_t len)
{
    size_t at = 0;
    while (s < e) {
        char buf[4];
        size_t n;
        if (*s != '\\') {
            buf[0] = *s++;
            n = 1;
        } else {
            s += decode_escape(s, e, buf, &n);
        }
        if (len - at < n || memcmp(name + at, buf, n) != 0)
            return 0;
        at += n;
    }
    return at == len;
}

/* Whether the validated key body [s, e) names n; end is the end of the line. */
JSON_INLINE int key_is(const char *s, const char *e, int escaped, const json_name *n,
                       const char *end)
{
    if (CHAFF_UNLIKELY(escaped))
        return escaped_key_is(s, e, n->s, n->len);
    if ((size_t)(e - s) != n->len)
        return 0;
    if (n->len <= 8 && end - s >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        return ((w ^ n->word) & n->mask) == 0;
    }
    return memcmp(s, n->s, n->len) == 0;
}

/* The field's value so far. */
typedef struct field_value {
    const char *text;  /* the value, or its raw body when pending */
    size_t len;
    size_t reserved;   /* arena bytes taken for it, 0 when it points into the line */
    int pending;       /* escaped but not decoded yet */
} field_value;

/* Reads the field's string, whose opening quote is at open: validates it like
 * scan_string and decodes it in the same pass. Returns the closing quote, or
 * NULL after recording the error. */
static const char *read_field(chaff_json *j, const char *line, const char *open,
                              const char *end, field_value *f)
{
    const char *s = open + 1;
    arena_rollback(j); /* an earlier value of the same key loses */
    f->reserved = 0;
    f->pending = 0;
    const char *p = find_stop(s, end);
    if (CHAFF_LIKELY(p < end && *p == '"')) {
        f->text = s;
        f->len = (size_t)(p - s);
        return p;
    }
    size_t cap = (size_t)(end - s);
    char *dst;
    if (p == end || *p != '\\' || cap > DECODE_RESERVE_MAX || !(dst = arena_alloc(j, cap)))
        goto two_pass;

    memcpy(dst, s, (size_t)(p - s));
    /* Output never runs ahead of input (d - dst <= p - s), so a whole block
     * stored at d while p has a block left stays inside the cap bytes. */
    char *d = dst + (p - s);
    for (;;) {
        /* p is at a stop byte. */
        if (*p == '"')
            break;
        if (*p != '\\' || end - p < 2)
            goto broken;
        if (p[1] == 'u') {
            if (end - p < 6 || hex4(p + 2) < 0)
                goto broken;
            size_t used;
            d += put_utf8(d, u_escape(p, end, &used));
            p += used;
        } else {
            char c = simple_escape[(unsigned char)p[1]];
            if (!c)
                goto broken;
            *d++ = c;
            p += 2;
        }
        /* Escapes often come in runs (all of a text written as \uXXXX). */
        if (p < end && stop_byte[(unsigned char)*p])
            continue;
        /* Copy the run up to the next stop byte a block at a time, storing
         * each block before looking at it. */
        for (;;) {
            if (end - p >= 2 * BLOCK) {
                block_t a = load_block(p), b = load_block(p + BLOCK);
                store_block(d, a);
                store_block(d + BLOCK, b);
                if (stop_bits(a) | stop_bits(b)) {
                    size_t k = stop_bits(a) ? stop_index(stop_bits(a), p)
                                            : BLOCK + stop_index(stop_bits(b), p + BLOCK);
                    p += k;
                    d += k;
                    break;
                }
                p += 2 * BLOCK;
                d += 2 * BLOCK;
                continue;
            }
            if (end - p >= BLOCK) {
                block_t v = load_block(p);
                store_block(d, v);
                if (stop_bits(v)) {
                    size_t k = stop_index(stop_bits(v), p);
                    p += k;
                    d += k;
                    break;
                }
                p += BLOCK;
                d += BLOCK;
            }
            while (p < end && !stop_byte[(unsigned char)*p])
                *d++ = *p++;
            if (p == end)
                goto broken;
            break;
        }
    }
    f->text = dst;
    f->len = (size_t)(d - dst);
    f->reserved = cap;
    return p;

broken:
    /* The string is invalid; scanning it again names the error exactly as
     * anywhere else. That scan cannot succeed: both loops reject the same
     * strings. Were they to disagree, the text would still come out right,
     * decoded in two passes, so only sanitizer builds stop to say so. */
    arena_rollback(j);
#ifdef CHAFF_SANITIZE
    {
        int esc;
        if (scan_string(j, line, open, end, &esc))
            abort();
    }
#endif
two_pass: {
        int esc;
        p = scan_string(j, line, open, end, &esc);
        if (!p)
            return NULL;
        f->text = s;
        f->len = (size_t)(p - s);
        f->pending = esc;
        return p;
    }
}

/* ---- the parser --------------------------------------------------------- */

enum { FIELD_MISSING, FIELD_STRING, FIELD_OTHER };

static chaff_status parse(chaff_json *j, const char *line, size_t len, chaff_record *rec)
{
    if (len == 0) {
        j->err = "empty line";
        j->err_col = 1;
        return CHAFF_E_JSON;
    }
    const char *end = line + len;
    const char *p = skip_ws(line, end);
    if (p == end)
        return fail(j, line, line, "empty line");
    if (*p != '{') {
        if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
            return fail(j, line, p, "byte order mark before object");
        return fail(j, line, p, "not an object");
    }
    const char *object = p;

    /* Bit d of kind says whether the container at depth d is an object. */
    uint64_t kind[(JSON_MAX_DEPTH + 63) / 64];
    unsigned depth = 0;
    int in_object = 1; /* the kind of the innermost open container */

    /* The top-level member being read: does its key name the field or the id,
     * and where does its value start. */
    int is_field = 0, is_id = 0, is_extra = 0, is_extra2 = 0;
    const char *value_at = NULL;

    int field = FIELD_MISSING;
    field_value fv = { NULL, 0, 0, 0 };
    const char *field_at = NULL; /* the field's value, for errors */
    const char *field_end = NULL; /* one past its closing quote */
    const char *id_s = NULL, *id_e = NULL;
    const char *raw_s = NULL, *raw_e = NULL, *extra_s = NULL, *extra_e = NULL;
    const char *extra2_s = NULL, *extra2_e = NULL;

    const char *q;
    int esc;

open_object: /* p at '{' */
    if (depth == JSON_MAX_DEPTH)
        return fail(j, line, p, "nesting too deep");
    kind[depth >> 6] |= UINT64_C(1) << (depth & 63);
    depth++;
    in_object = 1;
    p = skip_ws(p + 1, end);
    if (p == end)
        return fail(j, line, p, "unexpected end of line");
    if (*p == '}') {
        p++;
        goto close;
    }

key: /* p at a member's first byte */
    if (*p != '"')
        return fail(j, line, p, "expected string key");
    q = scan_string(j, line, p, end, &esc);
    if (!q)
        return CHAFF_E_JSON;
    if (depth == 1) {
        is_field = key_is(p + 1, q, esc, &j->field, end);
        is_id = j->id.s && key_is(p + 1, q, esc, &j->id, end);
        is_extra = CHAFF_UNLIKELY(j->extra.s != NULL) && key_is(p + 1, q, esc, &j->extra, end);
        is_extra2 =
            CHAFF_UNLIKELY(j->extra2.s != NULL) && key_is(p + 1, q, esc, &j->extra2, end);
    }
    p = skip_ws(q + 1, end);
    if (p == end || *p != ':')
        return fail(j, line, p, "expected ':' after key");
    p = skip_ws(p + 1, end);
    if (p == end)
        return fail(j, line, p, "unexpected end of line");

value: /* p at a value's first byte */
    if (depth == 1) {
        value_at = p;
        if (is_field) {
            field = *p == '"' ? FIELD_STRING : FIELD_OTHER;
            field_at = p;
        }
    }
    if (*p == '"') { /* the commonest value, tested before the jump table */
        if (depth == 1 && is_field) {
            q = read_field(j, line, p, end, &fv);
            field_end = q ? q + 1 : NULL;
        } else {
            q = scan_string(j, line, p, end, &esc);
        }
        if (!q)
            return CHAFF_E_JSON;
        p = q + 1;
        goto value_done;
    }
    switch (*p) {
    case '{':
        goto open_object;
    case '[':
        if (depth == JSON_MAX_DEPTH)
            return fail(j, line, p, "nesting too deep");
        kind[depth >> 6] &= ~(UINT64_C(1) << (depth & 63));
        depth++;
        in_object = 0;
        p = skip_ws(p + 1, end);
        if (p == end)
            return fail(j, line, p, "unexpected end of line");
        if (*p == ']') {
            p++;
            goto close;
        }
        goto value;
    case 't':
        if (end - p < 4 || memcmp(p, "true", 4) != 0)
            return fail(j, line, p, "invalid literal");
        p += 4;
        goto value_done;
    case 'f':
        if (end - p < 5 || memcmp(p, "false", 5) != 0)
            return fail(j, line, p, "invalid literal");
        p += 5;
        goto value_done;
    case 'n':
        if (end - p < 4 || memcmp(p, "null", 4) != 0)
            return fail(j, line, p, "invalid literal");
        p += 4;
        goto value_done;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': {
        const char *num = p;
        if (*p == '-')
            p++;
        if (p == end || !is_digit((unsigned char)*p))
            return fail(j, line, p, "invalid number");
        if (*p == '0') {
            p++;
            if (p < end && is_digit((unsigned char)*p))
                return fail(j, line, num, "leading zero in number");
        } else {
            while (p < end && is_digit((unsigned char)*p))
                p++;
        }
        if (p < end && *p == '.') {
            p++;
            if (p == end || !is_digit((unsigned char)*p))
                return fail(j, line, p, "invalid number");
            while (p < end && is_digit((unsigned char)*p))
                p++;
        }
        if (p < end && (*p == 'e' || *p == 'E')) {
            p++;
            if (p < end && (*p == '+' || *p == '-'))
                p++;
            if (p == end || !is_digit((unsigned char)*p))
                return fail(j, line, p, "invalid number");
            while (p < end && is_digit((unsigned char)*p))
                p++;
        }
        goto value_done;
    }
    default:
        return fail(j, line, p, "invalid value");
    }

close: /* p just past a '}' or ']' that ends the container at depth */
    if (--depth == 0)
        goto finish;
    in_object = (kind[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1;

value_done: /* p just past a complete value inside the container at depth */
    if (depth == 1 && is_id) {
        id_s = value_at;
        id_e = p;
    }
    if (CHAFF_UNLIKELY(j->raw_field) && depth == 1) {
        if (is_field) {
            raw_s = value_at;
            raw_e = p;
        }
        if (is_extra) {
            extra_s = value_at;
            extra_e = p;
        }
        if (is_extra2) {
            extra2_s = value_at;
            extra2_e = p;
        }
    }
    p = skip_ws(p, end);
    if (p == end)
        return fail(j, line, p, "unexpected end of line");
    if (in_object) {
        if (*p == '}') {
            p++;
            goto close;
        }
        if (*p != ',')
            return fail(j, line, p, "expected ',' or '}'");
        q = skip_ws(p + 1, end);
        if (q == end)
            return fail(j, line, q, "unexpected end of line");
        if (*q == '}')
            return fail(j, line, p, "trailing comma");
        p = q;
        goto key;
    }
    if (*p == ']') {
        p++;
        goto close;
    }
    if (*p != ',')
        return fail(j, line, p, "expected ',' or ']'");
    q = skip_ws(p + 1, end);
    if (q == end)
        return fail(j, line, q, "unexpected end of line");
    if (*q == ']')
        return fail(j, line, p, "trailing comma");
    p = q;
    goto value;

finish:
    p = skip_ws(p, end);
    if (p != end)
        return fail(j, line, p, "trailing characters after object");

    /* The id is reported even when the text is not, so that a caller can say
     * which record lacks it. */
    if (id_s) {
        rec->id = id_s;
        rec->id_len = (size_t)(id_e - id_s);
    }
    if (field == FIELD_MISSING) {
        j->err = j->msg_missing;
        j->err_col = (size_t)(object - line) + 1;
        return CHAFF_E_FIELD_MISSING;
    }
    if (j->raw_field) {
        arena_rollback(j); /* a decoded string value is not needed */
        rec->text = raw_s;
        rec->text_len = (size_t)(raw_e - raw_s);
        rec->extra = extra_s;
        rec->extra_len = extra_s ? (size_t)(extra_e - extra_s) : 0;
        rec->extra2 = extra2_s;
        rec->extra2_len = extra2_s ? (size_t)(extra2_e - extra2_s) : 0;
        return CHAFF_OK;
    }
    if (field == FIELD_OTHER) {
        j->err = j->msg_type;
        j->err_col = (size_t)(field_at - line) + 1;
        return CHAFF_E_FIELD_TYPE;
    }
    if (fv.pending) {
        char *dst = arena_alloc(j, fv.len);
        if (!dst) {
            j->err = "out of memory";
            j->err_col = (size_t)(field_at - line) + 1;
            return CHAFF_E_NOMEM;
        }
        fv.len = unescape(dst, fv.text, fv.text + fv.len);
        fv.text = dst;
        fv.reserved = 0; /* allocated at its exact size */
    }
    /* Hand back the reserved bytes decoding did not use; nothing else has
     * been taken from the block since. */
    if (fv.reserved)
        j->cur->used -= fv.reserved - fv.len;
    rec->text = fv.text;
    rec->text_len = fv.len;
    rec->field_off = (size_t)(field_at - line);
    rec->field_len = (size_t)(field_end - field_at);
    return CHAFF_OK;
}

chaff_status chaff_json_parse(chaff_json *j, const char *line, size_t len, chaff_record *rec)
{
    if (!j || !rec || (!line && len))
        return CHAFF_E_ARG;
    rec->text = rec->id = rec->extra = rec->extra2 = NULL;
    rec->text_len = rec->id_len = rec->extra_len = rec->extra2_len = 0;
    rec->field_off = rec->field_len = 0;
    j->err = NULL;
    j->err_col = 0;
    j->mark_cur = j->cur;
    j->mark_used = j->cur ? j->cur->used : 0;
    chaff_status s = parse(j, line, len, rec);
    if (s != CHAFF_OK) {
        arena_rollback(j);
        rec->text = NULL;
        rec->text_len = 0;
    }
    return s;
}

/* ---- life cycle --------------------------------------------------------- */

/* "field \"NAME\" SUFFIX" with NAME cut short and its control bytes shown as
 * '?', so that a message stays one short line whatever the caller named. */
static void name_message(char *buf, size_t cap, const char *name, size_t len, const char *suffix)
{
    char shown[NAME_SHOWN + 4];
    size_t n = CHAFF_MIN(len, (size_t)NAME_SHOWN);
    if (n < len)
        while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
            n--; /* do not cut a UTF-8 sequence in two */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        shown[i] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
    }
    if (n < len) {
        memcpy(shown + n, "...", 3);
        n += 3;
    }
    shown[n] = '\0';
    snprintf(buf, cap, "field \"%s\" %s", shown, suffix);
}

static void set_name(json_name *n, const char *s, size_t len)
{
    unsigned char word[8] = { 0 }, mask[8] = { 0 };
    n->s = s;
    n->len = len;
    if (len <= 8) {
        memcpy(word, s, len);
        memset(mask, 0xFF, len);
    }
    memcpy(&n->word, word, 8);
    memcpy(&n->mask, mask, 8);
}

chaff_status chaff_json_new(chaff_json **out, const char *field, const char *id_field,
                            const chaff_allocator *alloc)
{
    if (!out)
        return CHAFF_E_ARG;
    *out = NULL;
    if (!field)
        return CHAFF_E_ARG;
    size_t flen = strlen(field), ilen = id_field ? strlen(id_field) : 0;
    size_t size = sizeof(chaff_json) + flen + 1 + (id_field ? ilen + 1 : 0);
    chaff_allocator a = chaff__allocator(alloc);
    chaff_json *j = chaff__alloc(&a, size);
    if (!j)
        return CHAFF_E_NOMEM;
    memset(j, 0, sizeof *j);
    j->alloc = a;
    char *names = (char *)(j + 1);
    memcpy(names, field, flen + 1);
    set_name(&j->field, names, flen);
    if (id_field) {
        memcpy(names + flen + 1, id_field, ilen + 1);
        set_name(&j->id, names + flen + 1, ilen);
    }
    name_message(j->msg_missing, sizeof j->msg_missing, field, flen, "is missing");
    name_message(j->msg_type, sizeof j->msg_type, field, flen, "is not a string");
    *out = j;
    return CHAFF_OK;
}

chaff_status chaff_json_raw_field(chaff_json *j, const char *extra_field)
{
    j->raw_field = 1;
    if (!extra_field)
        return CHAFF_OK;
    size_t n = strlen(extra_field);
    char *name = chaff__alloc(&j->alloc, n + 1);
    if (!name)
        return CHAFF_E_NOMEM;
    memcpy(name, extra_field, n + 1);
    chaff__free(&j->alloc, j->extra_name);
    j->extra_name = name;
    set_name(&j->extra, name, n);
    return CHAFF_OK;
}

chaff_status chaff_json_raw_field2(chaff_json *j, const char *extra_field)
{
    if (!j || !j->raw_field || !extra_field)
        return CHAFF_E_ARG;
    size_t n = strlen(extra_field);
    char *name = chaff__alloc(&j->alloc, n + 1);
    if (!name)
        return CHAFF_E_NOMEM;
    memcpy(name, extra_field, n + 1);
    chaff__free(&j->alloc, j->extra2_name);
    j->extra2_name = name;
    set_name(&j->extra2, name, n);
    return CHAFF_OK;
}

const char *chaff_json_error(const chaff_json *j, size_t *column)
{
    if (column)
        *column = j ? j->err_col : 0;
    return (j && j->err) ? j->err : "no error";
}

void chaff_json_reset(chaff_json *j)
{
    if (j)
        arena_reset(j);
}

void chaff_json_free(chaff_json *j)
{
    if (!j)
        return;
    chaff_allocator a = j->alloc;
    arena_block *b = j->head;
    while (b) {
        arena_block *next = b->next;
        chaff__free(&a, b);
        b = next;
    }
    chaff__free(&a, j->extra_name);
    chaff__free(&a, j->extra2_name);
    chaff__free(&a, j);
}
