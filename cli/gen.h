/* cli/gen.h - a synthetic corpus with planted near-duplicates, for `chaff bench`.
 *
 * A benchmark that reports recall and precision needs the right answer, and real
 * corpora come without one: finding it takes the exact all-pairs oracle. So the
 * bench makes its own corpus, deterministic from a seed, in which every
 * near-duplicate was put there on purpose. The Jaccard of each planted pair is
 * still computed exactly from the text that is written out, never assumed from
 * the size of the edit, and gen_check_truth() re-derives it independently.
 */
#ifndef CHAFF_CLI_GEN_H
#define CHAFF_CLI_GEN_H

#include <stddef.h>
#include <stdint.h>

/* How a copy was made from its source. */
enum {
    GEN_SUBSTITUTE,          /* a few words replaced */
    GEN_INSERT,              /* runs of new words inserted */
    GEN_DELETE,              /* runs of words removed */
    GEN_TRUNCATE,            /* the end (sometimes the start) cut off */
    GEN_REORDER,             /* sentences moved */
    GEN_MIXED,               /* two of the above */
    GEN_REFORMAT,            /* only case, punctuation and spacing changed: an exact duplicate */
    GEN_EDITS
};

/* "substitute", "insert", ... */
const char *gen_edit_name(unsigned edit);

typedef struct gen_params {
    size_t records;          /* lines in the corpus */
    uint64_t seed;           /* same seed, same corpus, byte for byte */
    unsigned ngram;          /* words per shingle: pass the library's, so J means the same */
    double dup_share;        /* share of base documents that get 1-4 copies */
} gen_params;

/* Two records of one planted cluster (a copy and its source, or two copies of
 * one source) with the exact Jaccard of their word n-gram shingle sets. */
typedef struct gen_pair {
    uint32_t a, b;           /* record numbers, a < b */
    uint32_t inter, uni;     /* |A & B| and |A | B|; J = inter / uni (0 when uni is 0) */
    uint32_t copy_source;    /* 1: a copy and its source; 0: two copies of one source */
} gen_pair;

typedef struct gen_corpus {
    char *jsonl;             /* every record as a line {"text":"..."}\n, in order */
    size_t bytes;            /* length of jsonl, newlines included */
    size_t n;                /* records */
    size_t *off;             /* line k is jsonl[off[k] .. off[k] + len[k]), without '\n' */
    uint32_t *len;
    gen_pair *pairs;         /* every within-cluster pair, sorted by (a, b) */
    size_t npairs;
    size_t bases, clusters, copies;
    size_t copies_by_edit[GEN_EDITS];
} gen_corpus;

static inline double gen_jaccard(const gen_pair *p)
{
    return p->uni ? (double)p->inter / (double)p->uni : 0.0;
}

/* Builds the corpus described by p. Returns 0, or -1 when out of memory (then
 * *c holds nothing to free). */
int gen_build(gen_corpus *c, const gen_params *p);
void gen_free(gen_corpus *c);

/* The planted pair (a, b) in either order, or NULL. */
const gen_pair *gen_find_pair(const gen_corpus *c, uint64_t a, uint64_t b);

typedef struct gen_check {
    uint64_t pairs_sharing;  /* record pairs with at least one shingle in common */
    uint64_t planted_bad;    /* planted pairs whose J differs from the recount */
    uint64_t unplanted_over; /* unplanted pairs with J >= limit */
    double max_unplanted;    /* the highest J of any unplanted pair (0 if none) */
    char problem[256];       /* the first problem found, "" when none */
} gen_check;

/* Recomputes, by brute force and without the generator's code or hashes, the
 * Jaccard of every pair of records that share a shingle (every other pair has
 * J = 0): words are compared as strings, shingles as the strings of their words.
 * texts[k] is record k's text as the library sees it (the parsed JSON field).
 * Checks that each planted pair's J is what gen_build() computed and that no
 * unplanted pair reaches limit. Only ASCII text is understood, which is all the
 * generator writes. Returns 0 when everything holds, 1 when something does not
 * (out->problem says what), -1 when out of memory. */
int gen_check_truth(const gen_corpus *c, const char *const *texts, const size_t *lens,
                    unsigned ngram, double limit, gen_check *out);

#endif
