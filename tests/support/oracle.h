/* tests/support/oracle.h - exact all-pairs Jaccard over word n-gram shingles, no sketching.
 *
 * The yardstick for chaff's near-duplicate quality: every pair of records whose shingle sets
 * have Jaccard >= t, found exactly. It re-implements the text model of include/chaff.h from
 * scratch so that a shared bug cannot make the engine agree with its own judge:
 *   - code points are lowercased with utf8proc_tolower (simple case mapping);
 *   - words are maximal runs of code points whose category (after lowering) is Lu Ll Lt Lm
 *     Lo Nd Nl or No; every other code point, and every byte of invalid UTF-8, separates;
 *   - shingles are the contiguous n-word windows; a record with 1..n-1 words has one
 *     shingle of all its words, a record with no words has none.
 * Shingles are compared exactly, not by hash: each distinct word gets an id (byte-exact
 * string compare), each distinct sequence of word ids gets a shingle id, and sets are
 * sorted arrays of those ids. There are no collisions to reason about.
 * It is the same computation as shared/eval/oracle.py (prefix filtering after Chaudhuri et
 * al., tokens ordered by document frequency, the size filter) and writes the same pairs,
 * except where Python's full lowercasing differs from the simple mapping (U+0130 'İ' lowers
 * to "i" + U+0307 in Python, and U+0307 is a mark, so Python splits the word).
 */
#ifndef CHAFF_TEST_ORACLE_H
#define CHAFF_TEST_ORACLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct oracle_pair {
    uint32_t i, j;           /* record indices, i < j */
    uint32_t inter, uni;     /* |A∩B| and |A∪B|: the exact Jaccard is inter/uni */
    double jaccard;          /* (double)inter / uni, the value compared with t */
} oracle_pair;

typedef struct oracle_result {
    size_t n_records;
    uint32_t *shingles;      /* shingles[k]: distinct shingles in record k */
    oracle_pair *pairs;      /* sorted by (i, j) */
    size_t n_pairs;
    uint64_t candidates;     /* pairs verified after the filters (for the curious) */
} oracle_result;

/* Every pair i < j of texts[0..n) with Jaccard >= t (compared as (double)inter/uni >= t,
 * exactly as oracle.py does). ngram >= 1 is the words per shingle (chaff's default is 5).
 * Returns 0, or -1 when out of memory or an argument is out of range. */
int oracle_run(const char *const *texts, const size_t *lens, size_t n, unsigned ngram,
               double t, oracle_result *out);
void oracle_result_free(oracle_result *r);

/* The pair (i, j) in r (either order), or NULL if it is not there (J < t). */
const oracle_pair *oracle_find(const oracle_result *r, uint64_t i, uint64_t j);

#endif
