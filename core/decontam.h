/* core/decontam.h - drop records that share a word n-gram with a benchmark's test set.
 *
 * A record is contaminated when any n consecutive normalised words of it
 * (n = 13 by default) also occur, consecutively, in some reference text.
 * "Normalised words" are dedup's words (core/tokenize.h, the text model in
 * include/chaff.h): lowercase runs of Unicode letters and numbers, so case,
 * punctuation and white space never matter. Each distinct reference n-gram is
 * kept once, as a 64-bit key, with the first reference record (in the order
 * they were added) that contains it, so a drop can name its source.
 *
 * Texts with fewer than n words hold no n-gram: such a reference adds
 * nothing and such a record is never dropped.
 *
 * Use: _new, _add every reference text (one thread), optionally _seal,
 * then _find from any number of threads at once, each with its own
 * chaff__tok (or chaff__fwork): _find never changes the object.
 *
 * For the CLI: --decontaminate REF... adds every record of each file (the
 * text field of JSONL, or each line of plain text) in the order given, with
 * ref = file index << 40 | line number, so that a drop reads "decontam
 * REFFILE:LINE"; --decontam-n sets n. */
#ifndef CHAFF_DECONTAM_H
#define CHAFF_DECONTAM_H

#include "internal.h"
#include "tokenize.h"

#define CHAFF__DECONTAM_NDEF 13
#define CHAFF__DECONTAM_NMAX 1024  /* the collision bound grows with n (core/decontam.c) */

typedef struct chaff__decontam chaff__decontam;

/* Where a record met a reference. */
typedef struct chaff__decontam_hit {
    int found;               /* 1: the record shares an n-gram; then: */
    uint64_t ref;            /* the caller's id of the first reference record holding it */
    size_t word;             /* the n-gram's first word in the record (0-based word index) */
} chaff__decontam_hit;

typedef struct chaff__decontam_stats {
    uint64_t texts;          /* reference texts added */
    uint64_t short_texts;    /* of those, texts of fewer than n words (they add nothing) */
    uint64_t ngrams_added;   /* reference n-grams seen, repeats included */
    size_t ngrams;           /* distinct n-grams held */
    size_t records;          /* reference records that first hold at least one of them */
    size_t bytes;            /* memory held by the object */
} chaff__decontam_stats;

/* n in 1..CHAFF__DECONTAM_NMAX words; the n-gram hashes derive from o->seed,
 * the seed every chaff__tok given to _add and _find must have been made with
 * (o's other fields do not matter). a may be NULL. CHAFF_E_ARG for n out of
 * range. */
chaff_status chaff__decontam_new(chaff__decontam **out, const chaff_options *o, unsigned n,
                                 const chaff_allocator *a);

/* Adds the n-grams of one reference text. ref is the caller's id for it,
 * handed back by _find (e.g. file index << 40 | line number). An n-gram
 * already held keeps its earlier record. tok is scratch (its other outputs are
 * overwritten). CHAFF_E_ARG when tok has another seed or after 2^32 - 1
 * records that hold n-grams; CHAFF_E_NOMEM leaves the object usable, holding
 * the n-grams added before. */
chaff_status chaff__decontam_add(chaff__decontam *d, chaff__tok *tok, const char *text,
                                 size_t len, uint64_t ref);

/* Optional, after the last _add: shrinks the table to a load of 0.8 (about
 * 17 bytes a distinct n-gram instead of 19 to 28). _add still works after
 * it, but grows the table at once. CHAFF_E_NOMEM leaves the object as it was
 * (and usable): the rebuild needs the old and the new table at once. */
chaff_status chaff__decontam_seal(chaff__decontam *d);

/* Looks up every n-gram of text in text order and stops at the first one held:
 * hit->found is 1 and hit->ref/hit->word say which. tok is the calling
 * thread's scratch. Fails only with CHAFF_E_NOMEM (tokenizing) or CHAFF_E_ARG
 * (tok has another seed); hit->found is 0 then. */
chaff_status chaff__decontam_find(const chaff__decontam *d, chaff__tok *tok, const char *text,
                                  size_t len, chaff__decontam_hit *hit);

/* _find with the tokenizer kept in the filter engine's per-thread scratch
 * (w->slot[CHAFF__DECONTAM_SLOT], made on first use for the object's seed,
 * freed by chaff__fwork_free), for callers that judge texts through
 * chaff__fwork rather than hold a chaff__tok per thread. */
#define CHAFF__DECONTAM_SLOT 5
struct chaff__fwork;
chaff_status chaff__decontam_find_w(const chaff__decontam *d, struct chaff__fwork *w,
                                    const char *text, size_t len, chaff__decontam_hit *hit);

/* The same on word hashes already computed (tok->units after
 * chaff__tokenize_words, or chaff__tokenize with CHAFF_SHINGLE_WORDS, under
 * the object's seed): lets a caller that tokenized for dedup reuse the words.
 * Returns hit->found. */
int chaff__decontam_find_units(const chaff__decontam *d, const uint64_t *units, size_t nunits,
                               chaff__decontam_hit *hit);

void chaff__decontam_stats_get(const chaff__decontam *d, chaff__decontam_stats *s);
unsigned chaff__decontam_n(const chaff__decontam *d);
void chaff__decontam_free(chaff__decontam *d);

#endif
