/* core/words_tmp.c - TEMPORARY stand-in for core/words.c (branch f-tok) so the
 * presets build and run: whitespace words with edge punctuation split off,
 * sentences ended by . ! ? before white space. Deleted when f-tok is merged. */
#include "words.h"
#include "pytext.h"

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
    memset(ws, 0, sizeof *ws);
}

static chaff_status add_sent(chaff__words *ws, size_t off, size_t len)
{
    if (ws->nsent == ws->sent_cap) {
        size_t cap = ws->sent_cap ? 2 * ws->sent_cap : 16;
        void *p = chaff__realloc(&ws->alloc, ws->sent, cap * sizeof *ws->sent);
        if (!p)
            return CHAFF_E_NOMEM;
        ws->sent = p;
        ws->sent_cap = cap;
    }
    ws->sent[ws->nsent].off = off;
    ws->sent[ws->nsent].len = len;
    ws->nsent++;
    return CHAFF_OK;
}

chaff_status chaff__words_sentences(chaff__words *ws, const char *text, size_t len)
{
    ws->nsent = 0;
    size_t start = 0, i = 0;
    while (i < len) {
        char c = text[i++];
        if ((c == '.' || c == '!' || c == '?') && (i == len || text[i] == ' ' || text[i] == '\n')) {
            size_t b, e;
            chaff__py_strip(text + start, i - start, &b, &e);
            if (e > b && add_sent(ws, start + b, e - b) != CHAFF_OK)
                return CHAFF_E_NOMEM;
            start = i;
        }
    }
    size_t b, e;
    chaff__py_strip(text + start, len - start, &b, &e);
    if (e > b && add_sent(ws, start + b, e - b) != CHAFF_OK)
        return CHAFF_E_NOMEM;
    return CHAFF_OK;
}

static chaff_status add_word(chaff__words *ws, const char *s, size_t n)
{
    if (ws->n == ws->cap) {
        size_t cap = ws->cap ? 2 * ws->cap : 64;
        void *p = chaff__realloc(&ws->alloc, ws->w, cap * sizeof *ws->w);
        if (!p)
            return CHAFF_E_NOMEM;
        ws->w = p;
        ws->cap = cap;
    }
    if (ws->arena_len + n > ws->arena_cap) {
        size_t cap = ws->arena_cap ? 2 * ws->arena_cap : 1024;
        while (cap < ws->arena_len + n)
            cap *= 2;
        void *p = chaff__realloc(&ws->alloc, ws->arena, cap);
        if (!p)
            return CHAFF_E_NOMEM;
        ws->arena = p;
        ws->arena_cap = cap;
    }
    memcpy(ws->arena + ws->arena_len, s, n);
    ws->w[ws->n].off = (uint32_t)ws->arena_len;
    ws->w[ws->n].len = (uint32_t)n;
    ws->w[ws->n].cps = (uint32_t)chaff__py_len(s, n);
    ws->arena_len += n;
    ws->n++;
    return CHAFF_OK;
}

static int edge(char c)
{
#ifdef CHAFF_WORDS_SPLIT
    (void)c;
    return 0;
#endif
    return c && strchr(".,;:!?\"'()[]{}", c) != NULL;
}

chaff_status chaff__words_split(chaff__words *ws, const char *text, size_t len)
{
    ws->n = 0;
    ws->arena_len = 0;
    chaff_status st = chaff__words_sentences(ws, text, len);
    if (st != CHAFF_OK)
        return st;
    size_t i = 0;
    while (i < len) {
        size_t k = i;
        if (chaff__py_isspace(chaff__py_next(text, len, &k))) {
            i = k;
            continue;
        }
        size_t b = i;
        while (i < len) {
            k = i;
            if (chaff__py_isspace(chaff__py_next(text, len, &k)))
                break;
            i = k;
        }
        size_t e = i;
        while (b < e && edge(text[b])) {
            if ((st = add_word(ws, text + b, 1)) != CHAFF_OK)
                return st;
            b++;
        }
        size_t te = e;
        while (te > b && edge(text[te - 1]))
            te--;
        if (te > b && (st = add_word(ws, text + b, te - b)) != CHAFF_OK)
            return st;
        for (size_t j = te; j < e; j++)
            if ((st = add_word(ws, text + j, 1)) != CHAFF_OK)
                return st;
    }
    return CHAFF_OK;
}
