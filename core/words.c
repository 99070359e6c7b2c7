/* core/words.c - NLTK's English sentences and words, re-implemented as scanners.
 *
 * The reference filters count words with NLTK 3.8 word_tokenize (the improved
 * Treebank tokenizer, NLTKWordTokenizer, run on each sentence of an untrained
 * Punkt model) and sentences with the same Punkt model. Both are sequences of
 * Python regular expressions whose exact interplay decides the counts, so this
 * file mirrors them step by step:
 *
 *   Punkt: every '.', '?' or '!' followed by a non-word mark or by whitespace
 *   and a token is a candidate; overlapping candidates ("!!!") collapse to the
 *   last one; each survivor's context (previous word, mark, next token) is cut
 *   into Punkt word tokens and annotated (untrained: no abbreviations, so only
 *   the initial and number rules of the second pass can veto a break); closing
 *   quotes and brackets after a break are moved back into the sentence.
 *
 *   Treebank: the ~25 substitutions run in NLTK's order, each as one linear
 *   pass over UTF-8 bytes that copies unchanged stretches in bulk and is
 *   skipped outright when the bytes it needs are absent from the sentence.
 *   Running them in order (rather than fusing them) is what keeps odd inputs
 *   such as ",,a" or "``` x" identical to NLTK.
 *
 * Character classes follow Python's: \s is str.isspace, \w is str.isalnum or
 * '_', \d is category Nd; isupper/islower are the Uppercase/Lowercase
 * properties. Invalid UTF-8 bytes are single characters of no class. */
#include "words.h"

#include <utf8proc.h>

/* ---- characters ---------------------------------------------------------- */

#define BAD_CP 0x110000 /* an invalid byte: in no class */

enum { C_SPACE = 1, C_WORD = 2, C_DIGIT = 4, C_ASPACE = 8 /* string.whitespace */, C_HIGH = 16 };

#define H4 C_HIGH, C_HIGH, C_HIGH, C_HIGH
#define H16 H4, H4, H4, H4
/* Classes of ASCII characters; bytes >= 0x80 are only marked C_HIGH (decode them). */
static const uint8_t ascii_class[256] = {
    ['\t'] = C_SPACE | C_ASPACE, ['\n'] = C_SPACE | C_ASPACE, ['\v'] = C_SPACE | C_ASPACE,
    ['\f'] = C_SPACE | C_ASPACE, ['\r'] = C_SPACE | C_ASPACE, [' '] = C_SPACE | C_ASPACE,
    [0x1c] = C_SPACE, [0x1d] = C_SPACE, [0x1e] = C_SPACE, [0x1f] = C_SPACE,
    ['0'] = C_WORD | C_DIGIT, ['1'] = C_WORD | C_DIGIT, ['2'] = C_WORD | C_DIGIT,
    ['3'] = C_WORD | C_DIGIT, ['4'] = C_WORD | C_DIGIT, ['5'] = C_WORD | C_DIGIT,
    ['6'] = C_WORD | C_DIGIT, ['7'] = C_WORD | C_DIGIT, ['8'] = C_WORD | C_DIGIT,
    ['9'] = C_WORD | C_DIGIT, ['_'] = C_WORD,
    ['A'] = C_WORD, ['B'] = C_WORD, ['C'] = C_WORD, ['D'] = C_WORD, ['E'] = C_WORD,
    ['F'] = C_WORD, ['G'] = C_WORD, ['H'] = C_WORD, ['I'] = C_WORD, ['J'] = C_WORD,
    ['K'] = C_WORD, ['L'] = C_WORD, ['M'] = C_WORD, ['N'] = C_WORD, ['O'] = C_WORD,
    ['P'] = C_WORD, ['Q'] = C_WORD, ['R'] = C_WORD, ['S'] = C_WORD, ['T'] = C_WORD,
    ['U'] = C_WORD, ['V'] = C_WORD, ['W'] = C_WORD, ['X'] = C_WORD, ['Y'] = C_WORD,
    ['Z'] = C_WORD,
    ['a'] = C_WORD, ['b'] = C_WORD, ['c'] = C_WORD, ['d'] = C_WORD, ['e'] = C_WORD,
    ['f'] = C_WORD, ['g'] = C_WORD, ['h'] = C_WORD, ['i'] = C_WORD, ['j'] = C_WORD,
    ['k'] = C_WORD, ['l'] = C_WORD, ['m'] = C_WORD, ['n'] = C_WORD, ['o'] = C_WORD,
    ['p'] = C_WORD, ['q'] = C_WORD, ['r'] = C_WORD, ['s'] = C_WORD, ['t'] = C_WORD,
    ['u'] = C_WORD, ['v'] = C_WORD, ['w'] = C_WORD, ['x'] = C_WORD, ['y'] = C_WORD,
    ['z'] = C_WORD,
    [0x80] = H16, H16, H16, H16, H16, H16, H16, H16,
};
#undef H16
#undef H4

/* Bytes whose presence switches Treebank passes on (and Punkt's candidates). */
enum {
    F_BTICK = 1 << 0, F_DQ = 1 << 1, F_SQ = 1 << 2, F_DOT = 1 << 3, F_COLON = 1 << 4,
    F_SYM = 1 << 5, F_QM = 1 << 6, F_STAR = 1 << 7, F_PAREN = 1 << 8, F_DASH = 1 << 9,
    F_C2 = 1 << 10, F_E2 = 1 << 11,
};

static const uint16_t byte_flag[256] = {
    ['`'] = F_BTICK, ['"'] = F_DQ, ['\''] = F_SQ, ['.'] = F_DOT, [':'] = F_COLON, [','] = F_COLON,
    [';'] = F_SYM, ['@'] = F_SYM, ['#'] = F_SYM, ['$'] = F_SYM, ['%'] = F_SYM, ['&'] = F_SYM,
    ['?'] = F_QM, ['!'] = F_QM, ['*'] = F_STAR,
    ['['] = F_PAREN, [']'] = F_PAREN, ['('] = F_PAREN, [')'] = F_PAREN, ['{'] = F_PAREN,
    ['}'] = F_PAREN, ['<'] = F_PAREN, ['>'] = F_PAREN,
    ['-'] = F_DASH, [0xC2] = F_C2, [0xE2] = F_E2,
};

/* One character at s[i] (i < n): its code point (BAD_CP for a byte that does
 * not start a well-formed sequence) and its length in bytes. */
static inline size_t dec(const uint8_t *s, size_t i, size_t n, uint32_t *cp)
{
    uint8_t b = s[i];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    size_t k = n - i;
    if (b >= 0xC2 && b <= 0xDF) {
        if (k >= 2 && (s[i + 1] & 0xC0) == 0x80) {
            *cp = ((uint32_t)(b & 0x1F) << 6) | (s[i + 1] & 0x3F);
            return 2;
        }
    } else if (b >= 0xE0 && b <= 0xEF) {
        if (k >= 3 && (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
            uint8_t c1 = s[i + 1];
            if (!(b == 0xE0 && c1 < 0xA0) && !(b == 0xED && c1 >= 0xA0)) {
                *cp = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(c1 & 0x3F) << 6) | (s[i + 2] & 0x3F);
                return 3;
            }
        }
    } else if (b >= 0xF0 && b <= 0xF4) {
        if (k >= 4 && (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80 &&
            (s[i + 3] & 0xC0) == 0x80) {
            uint8_t c1 = s[i + 1];
            if (!(b == 0xF0 && c1 < 0x90) && !(b == 0xF4 && c1 >= 0x90)) {
                *cp = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(c1 & 0x3F) << 12) |
                      ((uint32_t)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
                return 4;
            }
        }
    }
    *cp = BAD_CP;
    return 1;
}

static int u_space(uint32_t c)
{
    if (c < 0x80)
        return ascii_class[c] & C_SPACE;
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

static int u_word(uint32_t c)
{
    if (c < 0x80)
        return ascii_class[c] & C_WORD;
    if (c >= BAD_CP)
        return 0;
    utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)c);
    return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO) ||
           (k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO);
}

static int u_digit(uint32_t c)
{
    if (c < 0x80)
        return ascii_class[c] & C_DIGIT;
    return c < BAD_CP && utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_ND;
}

/* Python's Uppercase / Lowercase properties: the letter categories plus the
 * Other_Uppercase / Other_Lowercase lists (roman numerals, circled letters,
 * modifier letters...), which utf8proc's case mappings mostly cover. */
static int u_upper(uint32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    if (c >= BAD_CP)
        return 0;
    return utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_LU ||
           (c >= 0x2160 && c <= 0x216F) || (c >= 0x24B6 && c <= 0x24CF) ||
           (c >= 0x1F130 && c <= 0x1F149) || (c >= 0x1F150 && c <= 0x1F169) ||
           (c >= 0x1F170 && c <= 0x1F189);
}

static int u_lower(uint32_t c)
{
    if (c < 0x80)
        return c >= 'a' && c <= 'z';
    if (c >= BAD_CP)
        return 0;
    return utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_LL ||
           c == 0xAA || c == 0xBA || (c >= 0x2B0 && c <= 0x2B8) || c == 0x2C0 || c == 0x2C1 ||
           (c >= 0x2E0 && c <= 0x2E4) || c == 0x345 || c == 0x37A ||
           (c >= 0x1D2C && c <= 0x1D6A) || c == 0x1D78 || (c >= 0x1D9B && c <= 0x1DBF) ||
           c == 0x2071 || c == 0x207F || (c >= 0x2090 && c <= 0x209C) ||
           (c >= 0x2170 && c <= 0x217F) || (c >= 0x24D0 && c <= 0x24E9) ||
           c == 0x2C7C || c == 0x2C7D || c == 0xA69C || c == 0xA69D || c == 0xA770 ||
           c == 0xA7F8 || c == 0xA7F9 || (c >= 0xAB5C && c <= 0xAB5F);
}

static inline int space_at(const uint8_t *s, size_t i, size_t n)
{
    if (s[i] < 0x80)
        return ascii_class[s[i]] & C_SPACE;
    uint32_t c;
    dec(s, i, n, &c);
    return u_space(c);
}

static inline int word_at(const uint8_t *s, size_t i, size_t n)
{
    if (s[i] < 0x80)
        return ascii_class[s[i]] & C_WORD;
    uint32_t c;
    dec(s, i, n, &c);
    return u_word(c);
}

/* Length of the whitespace character ending at s[n-1], or 0. A multi-byte
 * space's lead byte always starts a character in dec()'s reading, so matching
 * the tail bytes is the same as decoding forwards. */
static size_t space_before(const uint8_t *s, size_t n)
{
    if (n == 0)
        return 0;
    uint8_t b = s[n - 1];
    if (b < 0x80)
        return (ascii_class[b] & C_SPACE) ? 1 : 0;
    if (n >= 2 && s[n - 2] == 0xC2 && (b == 0x85 || b == 0xA0))
        return 2;
    if (n >= 3) {
        uint8_t a = s[n - 3], m = s[n - 2];
        if (a == 0xE1 && m == 0x9A && b == 0x80)
            return 3;
        if (a == 0xE2 && m == 0x80 && ((b >= 0x80 && b <= 0x8A) || b == 0xA8 || b == 0xA9 || b == 0xAF))
            return 3;
        if (a == 0xE2 && m == 0x81 && b == 0x9F)
            return 3;
        if (a == 0xE3 && m == 0x80 && b == 0x80)
            return 3;
    }
    return 0;
}

static size_t rstrip_len(const uint8_t *s, size_t a, size_t b)
{
    size_t k;
    while (b > a && (k = space_before(s + a, b - a)) != 0)
        b -= k;
    return b;
}

static size_t lstrip_pos(const uint8_t *s, size_t a, size_t b)
{
    while (a < b) {
        uint32_t c;
        size_t k = dec(s, a, b, &c);
        if (!u_space(c))
            break;
        a += k;
    }
    return a;
}

/* ---- growth -------------------------------------------------------------- */

static chaff_status grow(const chaff_allocator *al, void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return CHAFF_OK;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *q = chaff__realloc(al, *p, c * elem);
    if (!q)
        return CHAFF_E_NOMEM;
    *p = q;
    *cap = c;
    return CHAFF_OK;
}

void chaff__words_init(chaff__words *ws, const chaff_allocator *a)
{
    memset(ws, 0, sizeof *ws);
    ws->alloc = chaff__allocator(a);
}

void chaff__words_free(chaff__words *ws)
{
    chaff__free(&ws->alloc, ws->arena);
    chaff__free(&ws->alloc, ws->w);
    chaff__free(&ws->alloc, ws->sent);
    chaff__free(&ws->alloc, ws->tb[0]);
    chaff__free(&ws->alloc, ws->tb[1]);
    memset(ws, 0, sizeof *ws);
}

/* ---- Punkt ------------------------------------------------------------------ */

/* The characters Punkt says cannot be inside a word: ) " ; } ] * : @ ' ( { [ ? ! */
static inline int pk_nonword(uint8_t b)
{
    switch (b) {
    case ')': case '"': case ';': case '}': case ']': case '*': case ':': case '@':
    case '\'': case '(': case '{': case '[': case '?': case '!':
        return 1;
    default:
        return 0;
    }
}

/* Characters that cannot start a Punkt word: ( " ` { [ : ; & # * @ ) } ] - , */
static inline int pk_nostart(uint8_t b)
{
    switch (b) {
    case '(': case '"': case '`': case '{': case '[': case ':': case ';': case '&':
    case '#': case '*': case '@': case ')': case '}': case ']': case '-': case ',':
        return 1;
    default:
        return 0;
    }
}

/* "(?:\.\s){2,}\." at s[i]: the end of the longest match, or 0. */
static size_t pk_dotspace(const uint8_t *s, size_t i, size_t e)
{
    size_t j = i, pairs = 0, last_pair = 0;
    while (j + 1 < e && s[j] == '.') {
        uint32_t c;
        size_t k = dec(s, j + 1, e, &c);
        if (!u_space(c))
            break;
        last_pair = j;
        j += 1 + k;
        pairs++;
    }
    if (pairs >= 2 && j < e && s[j] == '.')
        return j + 1;
    if (pairs >= 3)
        return last_pair + 1; /* one pair fewer, its period closes the match */
    return 0;
}

static inline int pk_multichar(const uint8_t *s, size_t i, size_t e)
{
    if (i + 1 >= e)
        return 0;
    if ((s[i] == '-' && s[i + 1] == '-') || (s[i] == '.' && s[i + 1] == '.'))
        return 1;
    /* (?:\.\s){2,}\. exists iff its shortest form does: a bounded look, so
     * that a long ". . . ." run is not rescanned from every position */
    if (s[i] != '.')
        return 0;
    size_t j = i + 1;
    for (int pair = 0; pair < 2; pair++) {
        if (j >= e || !space_at(s, j, e))
            return 0;
        uint32_t c;
        j += dec(s, j, e, &c);
        if (j >= e || s[j] != '.')
            return 0;
        j++;
    }
    return 1;
}

/* Does a Punkt word end before s[j] (the lookahead after "\S+?")? */
static int pk_word_end(const uint8_t *s, size_t j, size_t e)
{
    if (j >= e || space_at(s, j, e) || pk_nonword(s[j]) || pk_multichar(s, j, e))
        return 1;
    if (s[j] == ',') {
        size_t k = j + 1;
        return k >= e || space_at(s, k, e) || pk_nonword(s[k]) || pk_multichar(s, k, e);
    }
    return 0;
}

typedef struct pk_tok {
    const uint8_t *s;
    size_t n;
    int sentbreak, period_final, initial, number, ellipsis;
    int punct1, first_upper, first_lower;
} pk_tok;

static int pk_is_number(const uint8_t *s, size_t n)
{
    /* ^-?[\.,]?\d[\d,\.-]*\.?$ */
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && (s[i] == '.' || s[i] == ','))
        i++;
    if (i >= n)
        return 0;
    uint32_t c;
    i += dec(s, i, n, &c);
    if (!u_digit(c))
        return 0;
    while (i < n) {
        if (s[i] == ',' || s[i] == '.' || s[i] == '-') {
            i++;
            continue;
        }
        i += dec(s, i, n, &c);
        if (!u_digit(c))
            return 0;
    }
    return 1;
}

static void pk_annotate(pk_tok *t)
{
    const uint8_t *s = t->s;
    size_t n = t->n;
    uint32_t c0;
    size_t l0 = dec(s, 0, n, &c0);
    t->period_final = s[n - 1] == '.';
    t->punct1 = n == 1 && (s[0] == ';' || s[0] == ':' || s[0] == ',' || s[0] == '.' ||
                           s[0] == '!' || s[0] == '?');
    t->first_upper = u_upper(c0);
    t->first_lower = u_lower(c0);
    t->initial = n == l0 + 1 && s[l0] == '.' && u_word(c0) && !u_digit(c0);
    t->number = pk_is_number(s, n);
    int all_dots = n >= 2;
    for (size_t i = 0; i < n && all_dots; i++)
        all_dots = s[i] == '.';
    t->ellipsis = 0;
    t->sentbreak = 0;
    if (n == 1 && (s[0] == '.' || s[0] == '?' || s[0] == '!'))
        t->sentbreak = 1;
    else if (all_dots)
        t->ellipsis = 1;
    else if (t->period_final && !(n >= 2 && s[n - 2] == '.'))
        t->sentbreak = 1; /* untrained: no known abbreviations */
}

/* The second pass for an untrained model, given the following token: only the
 * initial and number rules can take a break back (the orthographic heuristic
 * knows no contexts, so lowercase or punctuation next means "not a starter"). */
static void pk_second(pk_tok *t, const pk_tok *next)
{
    if (!t->period_final || !(t->initial || t->number))
        return;
    if (next->punct1 || next->first_lower) {
        t->sentbreak = 0;
        return;
    }
    if (t->initial && next->first_upper)
        t->sentbreak = 0;
}

/* text_contains_sentbreak(s[a..b)): is a token marked as a break followed
 * by another token? The text is split into lines first, as Punkt does. */
static int pk_contains_break(const uint8_t *s, size_t a, size_t b)
{
    pk_tok prev, cur;
    int have_prev = 0;
    size_t ls = a;
    while (ls < b) {
        const uint8_t *nl = memchr(s + ls, '\n', b - ls);
        size_t e = nl ? (size_t)(nl - s) : b;
        size_t i = ls;
        while (i < e) {
            uint32_t c;
            size_t k = dec(s, i, e, &c);
            if (u_space(c)) {
                i += k;
                continue;
            }
            size_t j;
            uint8_t ch = s[i];
            if (ch == '-' && i + 1 < e && s[i + 1] == '-') {
                j = i;
                while (j < e && s[j] == '-')
                    j++;
            } else if (ch == '.' && i + 1 < e && s[i + 1] == '.') {
                j = i;
                while (j < e && s[j] == '.')
                    j++;
            } else if (ch == '.' && (j = pk_dotspace(s, i, e)) != 0) {
                /* j set */
            } else if (!pk_nostart(ch)) {
                j = i + k;
                while (!pk_word_end(s, j, e)) {
                    uint32_t c2;
                    j += dec(s, j, e, &c2);
                }
            } else {
                j = i + k;
            }
            cur.s = s + i;
            cur.n = j - i;
            pk_annotate(&cur);
            if (have_prev) {
                pk_second(&prev, &cur);
                if (prev.sentbreak)
                    return 1;
            }
            prev = cur;
            have_prev = 1;
            i = j;
        }
        ls = e + 1;
    }
    return 0;
}

static chaff_status push_sent(chaff__words *ws, size_t a, size_t b)
{
    if (ws->nsent == ws->sent_cap) {
        chaff_status st = grow(&ws->alloc, (void **)&ws->sent, &ws->sent_cap, ws->nsent + 1,
                               sizeof *ws->sent);
        if (st != CHAFF_OK)
            return st;
    }
    ws->sent[ws->nsent].off = a;
    ws->sent[ws->nsent].len = b - a;
    ws->nsent++;
    return CHAFF_OK;
}

/* _realign_boundaries, fed one Punkt slice at a time. */
typedef struct realigner {
    size_t a, b;
    int have;
    size_t realign;
} realigner;

static inline int pk_closer(uint8_t b)
{
    return b == '"' || b == '\'' || b == ')' || b == ']' || b == '}';
}

/* re_boundary_realignment.match(text[a:b]): ["')\]}]+?(?:\s+|(?=--)|$) (multiline).
 * Returns 1 with the closers' length and the match end (both relative to a). */
static int pk_realign_match(const uint8_t *s, size_t a, size_t b, size_t *closers, size_t *end)
{
    size_t p = a;
    while (p < b && pk_closer(s[p])) {
        p++;
        if (p < b && space_at(s, p, b)) {
            size_t q = p;
            while (q < b) {
                uint32_t c;
                size_t k = dec(s, q, b, &c);
                if (!u_space(c))
                    break;
                q += k;
            }
            *closers = p - a;
            *end = q - a;
            return 1;
        }
        if ((p + 1 < b && s[p] == '-' && s[p + 1] == '-') || p == b) {
            *closers = *end = p - a;
            return 1;
        }
    }
    return 0;
}

static chaff_status ra_feed(chaff__words *ws, realigner *r, const uint8_t *s, size_t a, size_t b)
{
    if (!r->have) {
        r->a = a;
        r->b = b;
        r->have = 1;
        return CHAFF_OK;
    }
    size_t s1a = r->a + r->realign, s1b = r->b;
    size_t closers, end;
    chaff_status st = CHAFF_OK;
    if (pk_realign_match(s, a, b, &closers, &end)) {
        st = push_sent(ws, s1a, a + closers);
        r->realign = end;
    } else {
        r->realign = 0;
        if (s1a < s1b)
            st = push_sent(ws, s1a, s1b);
    }
    r->a = a;
    r->b = b;
    return st;
}

static chaff_status ra_finish(chaff__words *ws, realigner *r)
{
    if (!r->have)
        return CHAFF_OK;
    size_t s1a = r->a + r->realign;
    if (s1a < r->b)
        return push_sent(ws, s1a, r->b);
    return CHAFF_OK;
}

/* A potential sentence end and its context (_match_potential_end_contexts). */
typedef struct pk_match {
    size_t at;       /* the '.', '?' or '!' */
    size_t ctx_end;  /* end of after_tok */
    size_t next_tok; /* start of next_tok, or SIZE_MAX when after_tok is a mark */
} pk_match;

static chaff_status pk_decide(chaff__words *ws, realigner *r, const uint8_t *s,
                              const pk_match *m, size_t ctx_start, size_t *last_break)
{
    if (!pk_contains_break(s, ctx_start, m->ctx_end))
        return CHAFF_OK;
    chaff_status st = ra_feed(ws, r, s, *last_break, m->at + 1);
    *last_break = m->next_tok != SIZE_MAX ? m->next_tok : m->at + 1;
    return st;
}

/* Raw Punkt slices (before datatrove's strip) into ws->sent. */
static chaff_status punkt_slices(chaff__words *ws, const uint8_t *s, size_t n)
{
    realigner r = {0, 0, 0, 0};
    size_t last_break = 0;
    pk_match prev = {0, 0, 0};
    int have_prev = 0;
    size_t ps_a = 0, ps_b = 0; /* previous_slice */
    chaff_status st;
    /* next '.', '?' and '!' at or after i (n when none): '?' and '!' are rare,
     * so three memchr cursors beat a byte loop */
    size_t nx[3] = {0, 0, 0};
    int valid[3] = {0, 0, 0};
    static const char marks[3] = {'.', '?', '!'};
    for (size_t i = 0; i + 1 < n; i++) {
        size_t best = n;
        for (int k = 0; k < 3; k++) {
            if (!valid[k] || nx[k] < i) {
                const uint8_t *p = memchr(s + i, marks[k], n - i);
                nx[k] = p ? (size_t)(p - s) : n;
                valid[k] = 1;
            }
            if (nx[k] < best)
                best = nx[k];
        }
        i = best;
        if (i + 1 >= n)
            break;
        pk_match m;
        m.at = i;
        if (pk_nonword(s[i + 1])) {
            m.ctx_end = i + 2;
            m.next_tok = SIZE_MAX;
        } else {
            size_t j = i + 1;
            while (j < n) {
                uint32_t c;
                size_t k = dec(s, j, n, &c);
                if (!u_space(c))
                    break;
                j += k;
            }
            if (j == i + 1 || j >= n)
                continue;
            m.next_tok = j;
            while (j < n) {
                uint32_t c;
                size_t k = dec(s, j, n, &c);
                if (u_space(c))
                    break;
                j += k;
            }
            m.ctx_end = j;
        }
        /* the word before: after the last ASCII whitespace since the previous
         * match (an index of 0 counts as none, as in NLTK) */
        size_t ws_idx = 0;
        for (size_t q = i; q > ps_b; q--)
            if (s[q - 1] < 0x80 && (ascii_class[s[q - 1]] & C_ASPACE)) {
                ws_idx = q - 1 - ps_b;
                break;
            }
        size_t start = ws_idx ? ps_b + ws_idx + 1 : ps_a;
        if (have_prev && ps_b <= start) {
            st = pk_decide(ws, &r, s, &prev, ps_a, &last_break);
            if (st != CHAFF_OK)
                return st;
        }
        prev = m;
        have_prev = 1;
        ps_a = start;
        ps_b = i;
    }
    if (have_prev) {
        st = pk_decide(ws, &r, s, &prev, ps_a, &last_break);
        if (st != CHAFF_OK)
            return st;
    }
    size_t end = rstrip_len(s, 0, n);
    st = ra_feed(ws, &r, s, last_break, CHAFF_MAX(end, last_break));
    if (st != CHAFF_OK)
        return st;
    return ra_finish(ws, &r);
}

/* datatrove's strip_strings over the raw slices, in place. */
static void strip_sents(chaff__words *ws, const uint8_t *s)
{
    size_t k = 0;
    for (size_t i = 0; i < ws->nsent; i++) {
        size_t a = ws->sent[i].off, b = a + ws->sent[i].len;
        a = lstrip_pos(s, a, b);
        b = rstrip_len(s, a, b);
        if (a < b) {
            ws->sent[k].off = a;
            ws->sent[k].len = b - a;
            k++;
        }
    }
    ws->nsent = k;
}

chaff_status chaff__words_sentences(chaff__words *ws, const char *text, size_t len)
{
    ws->nsent = 0;
    chaff_status st = punkt_slices(ws, (const uint8_t *)text, len);
    if (st != CHAFF_OK)
        return st;
    strip_sents(ws, (const uint8_t *)text);
    return CHAFF_OK;
}

/* ---- Treebank ----------------------------------------------------------------- */

/* A rewrite pass: reads in[0..n), writes out only once something matched
 * (copying the unchanged stretch before it in one go). */
typedef struct rw {
    const uint8_t *in;
    size_t n, done;
    uint8_t *out;
    size_t olen;
    int hit;
} rw;

static inline void rw_copy(rw *r, size_t upto)
{
    r->hit = 1;
    memcpy(r->out + r->olen, r->in + r->done, upto - r->done);
    r->olen += upto - r->done;
    r->done = upto;
}

static inline void rw_put(rw *r, const char *s, size_t k)
{
    memcpy(r->out + r->olen, s, k);
    r->olen += k;
}

/* " " + in[a..b) + " " in place of in[a..b) */
static inline void rw_pad(rw *r, size_t a, size_t b)
{
    rw_copy(r, a);
    rw_put(r, " ", 1);
    rw_copy(r, b);
    rw_put(r, " ", 1);
}

static inline void rw_end(rw *r)
{
    if (r->hit)
        rw_copy(r, r->n);
}

/* STARTING_QUOTES[0]: « “ ‘ „ and runs of ` padded */
static void tb_open_quotes(rw *r)
{
    const uint8_t *s = r->in;
    size_t n = r->n;
    for (size_t i = 0; i < n;) {
        uint8_t b = s[i];
        if (b == '`') {
            size_t j = i;
            while (j < n && s[j] == '`')
                j++;
            rw_pad(r, i, j);
            i = j;
        } else if (b == 0xC2 && i + 1 < n && s[i + 1] == 0xAB) {
            rw_pad(r, i, i + 2);
            i += 2;
        } else if (b == 0xE2 && i + 2 < n && s[i + 1] == 0x80 &&
                   (s[i + 2] == 0x9C || s[i + 2] == 0x98 || s[i + 2] == 0x9E)) {
            rw_pad(r, i, i + 3);
            i += 3;
        } else {
            i++;
        }
    }
}

/* ENDING_QUOTES[0]: » ” ’ padded */
static void tb_close_quotes(rw *r)
{
    const uint8_t *s = r->in;
    size_t n = r->n;
    for (size_t i = 0; i < n;) {
        uint8_t b = s[i];
        if (b == 0xC2 && i + 1 < n && s[i + 1] == 0xBB) {
            rw_pad(r, i, i + 2);
            i += 2;
        } else if (b == 0xE2 && i + 2 < n && s[i + 1] == 0x80 &&
                   (s[i + 2] == 0x9D || s[i + 2] == 0x99)) {
            rw_pad(r, i, i + 3);
            i += 3;
        } else {
            i++;
        }
    }
}

/* Non-overlapping occurrences of a two-byte string, padded (`` '' --). */
static void tb_pad_pair(rw *r, uint8_t x, uint8_t y)
{
    const uint8_t *s = r->in;
    size_t n = r->n;
    for (size_t i = 0; i + 1 < n;) {
        if (s[i] == x && s[i + 1] == y) {
            rw_pad(r, i, i + 2);
            i += 2;
        } else {
            i++;
        }
    }
}

/* Every byte whose byte_flag has one of the bits in mask, padded. */
static void tb_pad_flag(rw *r, unsigned mask)
{
    const uint8_t *s = r->in;
    size_t n = r->n;
    for (size_t i = 0; i < n; i++)
        if (byte_flag[s[i]] & mask)
            rw_pad(r, i, i + 1);
}

/* \.{2,} padded */
static void tb_pad_dots(rw *r)
{
    const uint8_t *s = r->in, *p;
    size_t n = r->n, i = 0;
    while (i + 1 < n && (p = memchr(s + i, '.', n - i - 1)) != NULL) {
        i = (size_t)(p - s);
        size_t j = i + 1;
        while (j < n && s[j] == '.')
            j++;
        if (j - i >= 2)
            rw_pad(r, i, j);
        i = j;
    }
}

/* ^" -> `` */
static void tb_initial_dq(rw *r)
{
    if (r->n && r->in[0] == '"') {
        rw_put(r, "``", 2);
        r->done = 1;
        r->hit = 1;
    }
}

/* ([ \(\[{<])(\"|\'{2}) -> \1 `` */
static void tb_open_dq(rw *r)
{
    const uint8_t *s = r->in;
    size_t n = r->n;
    for (size_t i = 0; i + 1 < n;) {
        uint8_t b = s[i];
        if (b == ' ' || b == '(' || b == '[' || b == '{' || b == '<') {
            size_t e = 0;
            if (s[i + 1] == '"')
                e = i + 2;
            else if (s[i + 1] == '\'' && i + 2 < n && s[i + 2] == '\'')
                e = i + 3;
            if (e) {
                rw_copy(r, i + 1);
                rw_put(r, " `` ", 4);
                r->done = e;
                i = e;
                continue;
            }
        }
        i++;
    }
}

/* (?i)(\')(?!re|ve|ll|m|t|s|d|n)(\w)\b -> \1 \2 */
static void tb_quote_letter(rw *r)
{
    const uint8_t *s = r->in;
    size_t n = r->n;
    for (size_t i = 0; i + 1 < n;) {
        if (s[i] != '\'') {
            i++;
            continue;
        }
        uint32_t c;
        size_t k = dec(s, i + 1, n, &c);
        size_t e = i + 1 + k;
        if (u_word(c) && (e >= n || !word_at(s, e, n))) {
            uint32_t l = c | 0x20;
            if (!(c < 0x80 && (l == 'm' || l == 't' || l == 's' || l == 'd' || l == 'n')) &&
                c != 0x17F /* long s folds to s */) {
                rw_copy(r, i + 1);
                rw_put(r, " ", 1);
                i = e;
                continue;
            }
        }
        i++;
    }
}

/* The final period: ([^\.])(\.)([CLASS]*)\s*$ -> \1 \2 \3  (wide) or
 * \1 \2\3  (narrow). Only the last period of the text can match. */
static void tb_final_period(rw *r, int wide)
{
    const uint8_t *s = r->in;
    size_t n = r->n;
    const uint8_t *pp = NULL;
    for (size_t i = n; i > 0; i--)
        if (s[i - 1] == '.') {
            pp = s + i - 1;
            break;
        }
    if (!pp)
        return;
    size_t p = (size_t)(pp - s);
    if (p == 0 || s[p - 1] == '.')
        return;
    size_t j = p + 1;
    while (j < n) {
        uint8_t b = s[j];
        if (b == ']' || b == ')' || b == '}' || b == '>' || b == '"' || b == '\'') {
            j++;
            continue;
        }
        if (wide) {
            if (b == ' ') {
                j++;
                continue;
            }
            if (b == 0xC2 && j + 1 < n && s[j + 1] == 0xBB) {
                j += 2;
                continue;
            }
            if (b == 0xE2 && j + 2 < n && s[j + 1] == 0x80 && (s[j + 2] == 0x9D || s[j + 2] == 0x99)) {
                j += 3;
                continue;
            }
        }
        break;
    }
    size_t g3 = j;
    while (j < n) {
        uint32_t c;
        size_t k = dec(s, j, n, &c);
        if (!u_space(c))
            return;
        j += k;
    }
    rw_copy(r, p);
    rw_put(r, wide ? " . " : " .", wide ? 3 : 2);
    r->done = p + 1;
    rw_copy(r, g3);
    rw_put(r, " ", 1);
    r->done = n;
}

/* ([:,])([^\d]) -> " \1 \2" */
static void tb_comma(rw *r)
{
    const uint8_t *s = r->in;
    size_t n = r->n;
    for (size_t i = 0; i + 1 < n;) {
        if (s[i] != ':' && s[i] != ',') {
            i++;
            continue;
        }
        uint32_t c;
        size_t k = dec(s, i + 1, n, &c);
        if (u_digit(c)) {
            i++;
            continue;
        }
        rw_pad(r, i, i + 1);
        i += 1 + k;
    }
}

/* ([:,])$ -> " \1 " ($: the end, or before a final newline) */
static void tb_comma_end(rw *r)
{
    const uint8_t *s = r->in;
    size_t n = r->n;
    if (n >= 1 && (s[n - 1] == ':' || s[n - 1] == ','))
        rw_pad(r, n - 1, n);
    else if (n >= 2 && s[n - 1] == '\n' && (s[n - 2] == ':' || s[n - 2] == ','))
        rw_pad(r, n - 2, n - 1);
}

/* ([^'])' -> \1 '  */
static void tb_quote_space(rw *r)
{
    const uint8_t *s = r->in;
    size_t n = r->n, end = 0;
    for (size_t q = 1; q + 1 < n; q++) {
        if (s[q] == '\'' && s[q + 1] == ' ' && s[q - 1] != '\'' && q - 1 >= end) {
            rw_copy(r, q);
            rw_put(r, " ", 1);
            end = q + 2;
            q++;
        }
    }
}

/* ([^' ])('[sS]|'[mM]|'[dD]|')  and ([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T)  ->
 * a space before group 2 */
static void tb_clitics(rw *r, int second)
{
    const uint8_t *s = r->in;
    size_t n = r->n, end = 0;
    for (size_t q = 0; q < n; q++) {
        if (s[q] != '\'')
            continue;
        size_t k = SIZE_MAX, e = 0; /* start of group 2, end of match */
        if (!second) {
            if (q + 2 < n && s[q + 2] == ' ' &&
                (s[q + 1] == 's' || s[q + 1] == 'S' || s[q + 1] == 'm' || s[q + 1] == 'M' ||
                 s[q + 1] == 'd' || s[q + 1] == 'D'))
                k = q, e = q + 3;
            else if (q + 1 < n && s[q + 1] == ' ')
                k = q, e = q + 2;
        } else {
            if (q >= 1 && q + 2 < n && s[q + 2] == ' ' &&
                ((s[q - 1] == 'n' && s[q + 1] == 't') || (s[q - 1] == 'N' && s[q + 1] == 'T')))
                k = q - 1, e = q + 3;
            else if (q + 3 < n && s[q + 3] == ' ') {
                uint8_t x = s[q + 1], y = s[q + 2];
                if ((x == 'l' && y == 'l') || (x == 'L' && y == 'L') || (x == 'r' && y == 'e') ||
                    (x == 'R' && y == 'E') || (x == 'v' && y == 'e') || (x == 'V' && y == 'E'))
                    k = q, e = q + 4;
            }
        }
        if (k == SIZE_MAX || k < 1 || k - 1 < end)
            continue;
        if (s[k - 1] == '\'' || s[k - 1] == ' ')
            continue;
        rw_copy(r, k);
        rw_put(r, " ", 1);
        end = e;
        q = e - 1;
    }
}

/* Python's (?i) match of the lowercase ASCII word w at s[i..n): the end, or 0.
 * Besides ASCII case, Python's IGNORECASE lets 'i' match U+0130 and U+0131
 * and 's' match U+017F (long s); no other letter of these words folds. */
static size_t imatch(const uint8_t *s, size_t i, size_t n, const char *w)
{
    for (; *w; w++) {
        if (i >= n)
            return 0;
        uint8_t b = s[i];
        if ((b >= 'A' && b <= 'Z' ? b | 0x20 : b) == (uint8_t)*w) {
            i++;
            continue;
        }
        if (i + 1 < n && ((*w == 'i' && b == 0xC4 && (s[i + 1] == 0xB0 || s[i + 1] == 0xB1)) ||
                          (*w == 's' && b == 0xC5 && s[i + 1] == 0xBF))) {
            i += 2;
            continue;
        }
        return 0;
    }
    return i;
}

/* CONTRACTIONS2: (?i)\b(can)(not)\b, d'ye, gimme, gonna, gotta, lemme, more'n,
 * and \b(wan)(na)(?=\s). They only match whole words, so one pass serves all. */
static void tb_contractions(rw *r)
{
    static const struct { const char *a, *b; int space_after; } pat[] = {
        {"can", "not", 0}, {"d", "'ye", 0}, {"gim", "me", 0}, {"gon", "na", 0},
        {"got", "ta", 0}, {"lem", "me", 0}, {"more", "'n", 0}, {"wan", "na", 1},
    };
    const uint8_t *s = r->in;
    size_t n = r->n;
    int prev_word = 0;
    for (size_t i = 0; i < n;) {
        uint8_t b = s[i];
        if (b >= 0x80) {
            uint32_t c;
            size_t k = dec(s, i, n, &c);
            prev_word = u_word(c);
            i += k;
            continue;
        }
        uint8_t l = b | 0x20;
        if (!prev_word && (l == 'c' || l == 'd' || l == 'g' || l == 'l' || l == 'm' || l == 'w')) {
            size_t e = 0, cut;
            for (size_t p = 0; p < sizeof pat / sizeof pat[0]; p++) {
                if (pat[p].a[0] == l && (cut = imatch(s, i, n, pat[p].a)) != 0 &&
                    (e = imatch(s, cut, n, pat[p].b)) != 0 &&
                    (pat[p].space_after ? (e < n && space_at(s, e, n))
                                        : !(e < n && word_at(s, e, n)))) {
                    rw_copy(r, i);
                    rw_put(r, " ", 1);
                    rw_copy(r, cut);
                    rw_put(r, " ", 1);
                    rw_copy(r, e);
                    rw_put(r, " ", 1);
                    break;
                }
                e = 0;
            }
            if (e) {
                i = e;
                prev_word = 1; /* every pattern ends in a letter */
                continue;
            }
        }
        prev_word = ascii_class[b] & C_WORD;
        i++;
    }
}

/* Can a CONTRACTIONS2 word be in the sentence s? Each has a doubled n, m or
 * t after two letters (caNNot, giMMe, goNNa, goTTa, leMMe, waNNa) or an
 * apostrophe between d and y or e and n (d'ye, more'n). The passes before
 * only insert spaces and rewrite quotes, so looking at the original sentence
 * is enough; eight byte pairs at a time find the rare doubled letters. */
static int contraction_possible(const uint8_t *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 9 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, s + i, 8);
        memcpy(&y, s + i + 1, 8);
        uint64_t d = (x | 0x2020202020202020u) ^ (y | 0x2020202020202020u);
        if (((d - ones) & ~d & highs) == 0)
            continue;
        for (size_t k = i; k < i + 8; k++) {
            uint8_t c = s[k + 1] | 0x20;
            if (k >= 2 && c == (s[k] | 0x20) && (c == 'n' || c == 'm' || c == 't')) {
                uint8_t f = s[k - 2] | 0x20;
                if (f == 'c' || f == 'g' || f == 'l' || f == 'w')
                    return 1;
            }
        }
    }
    for (size_t k = i; k + 1 < n; k++) {
        uint8_t c = s[k + 1] | 0x20;
        if (k >= 2 && c == (s[k] | 0x20) && (c == 'n' || c == 'm' || c == 't')) {
            uint8_t f = s[k - 2] | 0x20;
            if (f == 'c' || f == 'g' || f == 'l' || f == 'w')
                return 1;
        }
    }
    const uint8_t *q = s;
    while ((q = memchr(q, '\'', (size_t)(s + n - q))) != NULL) {
        size_t k = (size_t)(q - s);
        if (k >= 1 && k + 1 < n &&
            (((s[k - 1] | 0x20) == 'd' && (s[k + 1] | 0x20) == 'y') ||
             ((s[k - 1] | 0x20) == 'e' && (s[k + 1] | 0x20) == 'n')))
            return 1;
        q++;
    }
    return 0;
}

/* CONTRACTIONS3: (?i) ('t)(is)\b and (?i) ('t)(was)\b -> " 't is " */
static void tb_tis(rw *r)
{
    const uint8_t *s = r->in;
    size_t n = r->n, end = 0, after_is = SIZE_MAX;
    /* The two run one after the other in NLTK, so the space the first puts
     * after "is" can start a match of the second ("'tis'twas"). */
    for (size_t q = 1; q + 2 < n; q++) {
        if (s[q] != '\'' || (s[q + 1] | 0x20) != 't')
            continue;
        int spaced = s[q - 1] == ' ' && q - 1 >= end;
        size_t e = spaced ? imatch(s, q + 2, n, "is") : 0;
        int is = e != 0;
        if (e && e < n && word_at(s, e, n))
            e = 0, is = 0;
        if (!e && (spaced || q == after_is) && (e = imatch(s, q + 2, n, "was")) != 0 &&
            e < n && word_at(s, e, n))
            e = 0;
        if (!e)
            continue;
        rw_copy(r, q + 2);
        rw_put(r, " ", 1);
        rw_copy(r, e);
        rw_put(r, " ", 1);
        after_is = is ? e : SIZE_MAX;
        end = e;
        q = e - 1;
    }
}

/* Appends s[a..b) as a word; the caller has reserved room in w[] and arena. */
static void push_word(chaff__words *ws, const uint8_t *s, size_t a, size_t b, int wide)
{
    size_t len = b - a;
    uint32_t cps = (uint32_t)len;
    if (wide) {
        cps = 0;
        for (size_t i = a; i < b; cps++) {
            uint32_t c;
            i += dec(s, i, b, &c);
        }
    }
    if (len <= 16)
        memcpy(ws->arena + ws->arena_len, s + a, 16); /* both have 16 bytes of slack */
    else
        memcpy(ws->arena + ws->arena_len, s + a, len);
    ws->w[ws->n].off = (uint32_t)ws->arena_len;
    ws->w[ws->n].len = (uint32_t)len;
    ws->w[ws->n].cps = cps;
    ws->n++;
    ws->arena_len += len;
}

typedef void (*tb_pass)(rw *r);

/* NLTKWordTokenizer.tokenize on one sentence, tokens appended to ws. */
static chaff_status treebank(chaff__words *ws, const uint8_t *sent, size_t n)
{
    if (n == 0)
        return CHAFF_OK;
    unsigned flags = 0;
    for (size_t i = 0; i < n; i++)
        flags |= byte_flag[sent[i]];
    int contr = contraction_possible(sent, n);
    const uint8_t *cur = sent;
    size_t cur_n = n;
    int which = 0;
    chaff_status st;

#define RUN(cond, call, newflags)                                                        \
    do {                                                                                 \
        if (cond) {                                                                      \
            size_t need_ = 4 * cur_n + 16;                                               \
            if ((st = grow(&ws->alloc, (void **)&ws->tb[which], &ws->tb_cap[which],      \
                           need_, 1)) != CHAFF_OK)                                       \
                return st;                                                               \
            rw r_ = {cur, cur_n, 0, ws->tb[which], 0, 0};                                \
            call;                                                                        \
            rw_end(&r_);                                                                 \
            if (r_.hit) {                                                                \
                cur = ws->tb[which];                                                     \
                cur_n = r_.olen;                                                         \
                which ^= 1;                                                              \
                flags |= (newflags);                                                     \
            }                                                                            \
        }                                                                                \
    } while (0)

    /* starting quotes */
    RUN(flags & (F_BTICK | F_C2 | F_E2), tb_open_quotes(&r_), 0);
    RUN(flags & F_DQ, tb_initial_dq(&r_), F_BTICK);
    RUN(flags & F_BTICK, tb_pad_pair(&r_, '`', '`'), 0);
    RUN(flags & (F_DQ | F_SQ), tb_open_dq(&r_), F_BTICK);
    RUN(flags & F_SQ, tb_quote_letter(&r_), 0);
    /* punctuation */
    RUN(flags & F_DOT, tb_final_period(&r_, 1), 0);
    RUN(flags & F_COLON, tb_comma(&r_), 0);
    RUN(flags & F_COLON, tb_comma_end(&r_), 0);
    RUN(flags & F_DOT, tb_pad_dots(&r_), 0);
    RUN(flags & F_SYM, tb_pad_flag(&r_, F_SYM), 0);
    RUN(flags & F_DOT, tb_final_period(&r_, 0), 0);
    RUN(flags & F_QM, tb_pad_flag(&r_, F_QM), 0);
    RUN(flags & F_SQ, tb_quote_space(&r_), 0);
    RUN(flags & F_STAR, tb_pad_flag(&r_, F_STAR), 0);
    RUN(flags & F_PAREN, tb_pad_flag(&r_, F_PAREN), 0);
    RUN(flags & F_DASH, tb_pad_pair(&r_, '-', '-'), 0);

    /* " " + text + " " */
    if ((st = grow(&ws->alloc, (void **)&ws->tb[which], &ws->tb_cap[which], cur_n + 2 + 16, 1)) != CHAFF_OK)
        return st;
    ws->tb[which][0] = ' ';
    memcpy(ws->tb[which] + 1, cur, cur_n);
    ws->tb[which][cur_n + 1] = ' ';
    cur = ws->tb[which];
    cur_n += 2;
    which ^= 1;

    /* ending quotes */
    RUN(flags & (F_C2 | F_E2), tb_close_quotes(&r_), 0);
    RUN(flags & F_SQ, tb_pad_pair(&r_, '\'', '\''), 0);
    RUN(flags & F_DQ, tb_pad_flag(&r_, F_DQ), 0);
    /* '"' -> " '' ": the padding above put the spaces, now the quotes */
    if (flags & F_DQ) {
        if ((st = grow(&ws->alloc, (void **)&ws->tb[which], &ws->tb_cap[which], 2 * cur_n + 16, 1)) != CHAFF_OK)
            return st;
        size_t o = 0;
        for (size_t i = 0; i < cur_n; i++) {
            if (cur[i] == '"') {
                ws->tb[which][o++] = '\'';
                ws->tb[which][o++] = '\'';
            } else {
                ws->tb[which][o++] = cur[i];
            }
        }
        cur = ws->tb[which];
        cur_n = o;
        which ^= 1;
        flags |= F_SQ;
    }
    RUN(flags & F_SQ, tb_clitics(&r_, 0), 0);
    RUN(flags & F_SQ, tb_clitics(&r_, 1), 0);
    /* contractions */
    RUN(contr, tb_contractions(&r_), 0);
    RUN(flags & F_SQ, tb_tis(&r_), 0);
#undef RUN

    /* text.split(): at most one word per two bytes, no more bytes than there
     * are; push_word copies short words 16 bytes at a time, so cur (always a
     * tb buffer by now, with 16 bytes of slack: see RUN and the padding) and
     * the arena keep that much room */
    if ((st = grow(&ws->alloc, (void **)&ws->w, &ws->cap, ws->n + cur_n / 2 + 1, sizeof *ws->w)) != CHAFF_OK ||
        (st = grow(&ws->alloc, (void **)&ws->arena, &ws->arena_cap, ws->arena_len + cur_n + 16, 1)) != CHAFF_OK)
        return st;
    for (size_t i = 0; i < cur_n;) {
        uint8_t cls = ascii_class[cur[i]];
        if (cls & C_SPACE) {
            i++;
            continue;
        }
        if ((cls & C_HIGH) && space_at(cur, i, cur_n)) {
            uint32_t c;
            i += dec(cur, i, cur_n, &c);
            continue;
        }
        size_t j = i;
        int wide = 0;
        for (;;) {
            while (j < cur_n && !(ascii_class[cur[j]] & (C_SPACE | C_HIGH)))
                j++;
            if (j >= cur_n || (ascii_class[cur[j]] & C_SPACE))
                break;
            uint32_t c;
            size_t k = dec(cur, j, cur_n, &c);
            if (u_space(c))
                break;
            wide = 1;
            j += k;
        }
        push_word(ws, cur, i, j, wide);
        i = j;
    }
    return CHAFF_OK;
}

chaff_status chaff__words_split(chaff__words *ws, const char *text, size_t len)
{
    const uint8_t *s = (const uint8_t *)text;
    ws->n = 0;
    ws->arena_len = 0;
    ws->nsent = 0;
    chaff_status st = punkt_slices(ws, s, len);
    if (st != CHAFF_OK)
        return st;
    for (size_t i = 0; i < ws->nsent; i++)
        if ((st = treebank(ws, s + ws->sent[i].off, ws->sent[i].len)) != CHAFF_OK)
            return st;
    strip_sents(ws, s);
    return CHAFF_OK;
}
