/* core/words.h - English words and sentences the way the reference filters see them.
 *
 * The Gopher, C4 and FineWeb rules were published with, and are checked
 * against, NLTK's tokenizers: word_tokenize(text, "english") = the improved
 * Treebank word tokenizer run on each Punkt sentence, and sent_tokenize with
 * an untrained Punkt model (no learned abbreviations). Their token boundaries
 * decide the word counts the rules compare, so these are exact re-implementations
 * of that behaviour in C, not approximations. */
#ifndef CHAFF_WORDS_H
#define CHAFF_WORDS_H

#include "internal.h"

/* A token: bytes at arena[off..off+len) (Treebank rewrites some tokens, e.g.
 * '"' -> '``', so tokens are copies, not views of the text); cps is its length
 * in code points, which is what the rules' lengths count. */
typedef struct chaff__word {
    uint32_t off, len, cps;
} chaff__word;

typedef struct chaff__span {
    size_t off, len;         /* bytes of the original text */
} chaff__span;

typedef struct chaff__words {
    chaff_allocator alloc;
    char *arena; size_t arena_len, arena_cap;
    chaff__word *w; size_t n, cap;
    chaff__span *sent; size_t nsent, sent_cap;
    /* words.c's scratch: the Treebank rewrite passes ping-pong between two
     * buffers, kept here so that a text costs no allocation once warm */
    uint8_t *tb[2]; size_t tb_cap[2];
} chaff__words;

void chaff__words_init(chaff__words *ws, const chaff_allocator *a);
void chaff__words_free(chaff__words *ws);

/* Sentences of text as NLTK sent_tokenize(text, "english") with untrained
 * Punkt returns them, each stripped of surrounding whitespace, empty ones
 * dropped: fills ws->sent. */
chaff_status chaff__words_sentences(chaff__words *ws, const char *text, size_t len);

/* Words as NLTK word_tokenize(text, "english") returns them (Treebank inside
 * Punkt sentences), stripped, empty ones dropped: fills ws->w and ws->arena
 * (and ws->sent as a side effect). */
chaff_status chaff__words_split(chaff__words *ws, const char *text, size_t len);

#endif
