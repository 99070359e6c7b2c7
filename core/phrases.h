/* core/phrases.h - many literal phrases found in one pass over normalised text.
 *
 * The synthetic preset looks for a few hundred phrases (refusals, AI disclaimers,
 * assistant boilerplate) in every text. Running a regex per phrase would cost one
 * pass per phrase; instead each pattern family is expanded into its literal phrases
 * and all of them go into one Aho-Corasick automaton, run once over a normalised
 * copy of the text (lowercase, every whitespace run one space or one newline,
 * curly quotes straight), so "I’m  SORRY,\nbut" and "i'm sorry, but" are one phrase.
 *
 * Pattern syntax (one family per line; the same for the bundled list and for a
 * user's --phrases file):
 *   # comment                  a line whose first non-blank character is '#'
 *   @synthetic.refusal         the reason of the families below it
 *   i (cannot|can't) help      alternation; alternatives may hold several words
 *   i [really] can't           optional words; [a|b] = (a|b|)
 *   can(not|'t)                groups join the text around them without a space
 *   i (am|'m) sure             a blank before 'm 're 's 'd 'll 've 't goes: "i'm sure"
 *   ^certainly! here is        '^': only at the start of the text or of a line
 *   \( \[ \| \# \\ \^          a literal character
 * A phrase matches only on word edges: "as an ai" does not match "as an aide".
 */
#ifndef CHAFF_PHRASES_H
#define CHAFF_PHRASES_H

#include "internal.h"

typedef struct chaff__phrases chaff__phrases;

/* At most this many phrases from one family line: a guard against a typo such as
 * "(a|b)(c|d)(e|f)..." expanding into millions. */
#define CHAFF__PHRASES_MAX_EXPAND 4096
/* Longest phrase, in bytes after normalisation. */
#define CHAFF__PHRASES_MAX_LEN 512

/* A new, empty set whose families may be tagged with reasons[0..nreasons)
 * (the caller's strings, which must outlive the set). */
chaff_status chaff__phrases_new(chaff__phrases **out, const chaff_allocator *a,
                                const char *const *reasons, size_t nreasons);
void chaff__phrases_free(chaff__phrases *ps);

/* Adds the families in src[0..len). Families before any @reason line get
 * default_reason. name is what error messages call the source (a file name).
 * On a syntax error returns CHAFF_E_ARG and writes "NAME:LINE: what" into why
 * (if why_cap > 0); the families of src are then all left out. */
chaff_status chaff__phrases_add(chaff__phrases *ps, const char *src, size_t len,
                                const char *name, size_t default_reason,
                                char *why, size_t why_cap);
/* The same for a file; CHAFF_E_IO with "PATH: reason" when it cannot be read. */
chaff_status chaff__phrases_add_file(chaff__phrases *ps, const char *path,
                                     size_t default_reason, char *why, size_t why_cap);

/* Builds the automaton; the set is then read-only and may be shared by threads.
 * Adding after compiling needs another compile. */
chaff_status chaff__phrases_compile(chaff__phrases *ps);
size_t chaff__phrases_count(const chaff__phrases *ps);   /* distinct phrases */

/* Per-thread scratch for scanning. */
typedef struct chaff__phrase_scratch {
    char *norm;
    size_t cap;
} chaff__phrase_scratch;
void chaff__phrase_scratch_free(const chaff_allocator *a, chaff__phrase_scratch *s);

/* What one scan found. Overlapping matches count once: a match that starts at
 * or before the last counted one and ends later replaces it (the longer phrase
 * wins), other overlapping ones are ignored. */
typedef struct chaff__phrase_hits {
    size_t total;            /* matches counted */
    size_t *per_reason;      /* caller's array of nreasons counters, zeroed by the scan */
    const char **first;      /* caller's array of nreasons: the family line of each
                              * reason's first counted match, or NULL (set memory) */
    size_t norm_len;         /* length of the normalised text */
} chaff__phrase_hits;

/* Scans text[0..len) (any bytes; invalid UTF-8 never matches) with a compiled set. */
chaff_status chaff__phrases_scan(const chaff__phrases *ps, const char *text, size_t len,
                                 const chaff_allocator *a, chaff__phrase_scratch *s,
                                 chaff__phrase_hits *hits);

/* The normalisation the scan applies, into out (capacity >= 2 * len + 1 bytes:
 * lowercasing turns a few 2-byte letters into 3-byte ones); returns the length written. */
size_t chaff__phrases_normalise(const char *text, size_t len, char *out);

#endif
