/* core/fwork.c - per-thread scratch shared by the filter presets. */
#include "filter.h"
#include "words.h"

void chaff__fwork_init(chaff__fwork *w, const chaff_allocator *a)
{
    memset(w, 0, sizeof *w);
    w->alloc = chaff__allocator(a);
}

void chaff__fwork_free(chaff__fwork *w)
{
    for (size_t i = 0; i < CHAFF__FSLOTS; i++)
        if (w->slot[i] && w->slot_free[i])
            w->slot_free[i](&w->alloc, w->slot[i]);
    if (w->words) {
        chaff__words_free(w->words);
        chaff__free(&w->alloc, w->words);
    }
    memset(w, 0, sizeof *w);
}

void *chaff__fwork_slot(chaff__fwork *w, unsigned id, size_t size,
                        void (*free_fn)(const chaff_allocator *a, void *p), int *fresh)
{
    *fresh = 0;
    if (!w->slot[id]) {
        w->slot[id] = chaff__calloc(&w->alloc, 1, size);
        if (!w->slot[id])
            return NULL;
        w->slot_free[id] = free_fn;
        *fresh = 1;
    }
    return w->slot[id];
}

void chaff__fwork_reset(chaff__fwork *w)
{
    w->words_text = NULL;
    w->words_len = 0;
}

chaff_status chaff__fwork_words(chaff__fwork *w, const char *text, size_t len,
                                const chaff__words **out)
{
    if (!w->words) {
        w->words = chaff__alloc(&w->alloc, sizeof *w->words);
        if (!w->words)
            return CHAFF_E_NOMEM;
        chaff__words_init(w->words, &w->alloc);
    }
    if (w->words_text != text || w->words_len != len) {
        w->words_text = NULL;
        chaff_status st = chaff__words_split(w->words, text, len);
        if (st != CHAFF_OK)
            return st;
        w->words_text = text;
        w->words_len = len;
    }
    *out = w->words;
    return CHAFF_OK;
}
