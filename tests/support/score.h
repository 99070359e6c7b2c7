/* tests/support/score.h - score keep/drop verdicts against the exact oracle's pairs.
 *
 * The same figures, by the same definitions, as shared/eval/score.py, so a number printed by
 * a test means what the team's reference script means:
 *   dup_recall      1 - (true pairs, J >= t, that end with both records kept) / true pairs
 *   cluster_recall  true pairs whose two records end with the same representative
 *                   (following duplicate_of) / true pairs
 *   drop_precision  dropped records that have an oracle neighbour with J >= t - tol
 *                   / dropped records (1 when nothing was dropped)
 *   drop_recall     min(1, those good drops / must_drop)
 *   true_pairs      oracle pairs with J >= t
 *   must_drop       sum over the connected components of true pairs of (size - 1)
 * score.py reads J from oracle.py's TSV, which prints it with four decimals; to agree to
 * the last digit this scorer rounds J the same way ("%.4f", round-half-even on the binary
 * value in both languages) before comparing, and forms t - tol in double as Python does.
 */
#ifndef CHAFF_TEST_SCORE_H
#define CHAFF_TEST_SCORE_H

#include <stddef.h>
#include <stdint.h>
#include "oracle.h"

typedef struct score_verdict {
    int dropped;             /* nonzero: dropped (exact or near); zero: kept */
    uint64_t duplicate_of;   /* when dropped: the record it duplicates */
} score_verdict;

typedef struct score_result {
    double dup_recall, cluster_recall, drop_precision, drop_recall;
    uint64_t true_pairs, must_drop, dropped;
    uint64_t good_drops;     /* dropped records with a neighbour at J >= t - tol */
    uint64_t left_pairs;     /* true pairs with both records kept */
} score_result;

/* pairs: the oracle's output (computed at a threshold <= t - tol); v[0..ndocs): one verdict
 * per record. Returns 0, or -1 when out of memory or an index is out of range. */
int score_compute(const oracle_pair *pairs, size_t n_pairs, const score_verdict *v,
                  size_t ndocs, double t, double tol, score_result *out);

/* One line in score.py's format: "dropped=... dup_recall=... ... must_drop=..." */
void score_format(const score_result *r, char *buf, size_t cap);

#endif
