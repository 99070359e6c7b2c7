/* tests/support/score.c - score keep/drop verdicts against the exact oracle's pairs.
 *
 * A line-by-line port of shared/eval/score.py (see score.h for the definitions), kept as
 * literal as C allows, so that any difference from the reference is a bug here and not a
 * matter of reading: the representative walk stops after 64 steps like root(), the union-find
 * halves paths like find(), and the ratios are formed from the same integer counts.
 */
#include "score.h"

#include <stdio.h>    /* snprintf, strtod via stdlib */
#include <stdlib.h>   /* malloc, calloc, free, strtod */

/* J as score.py sees it: oracle.py writes f'{jac:.4f}' and score.py float()s it back. */
static double as_printed(double jac)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.4f", jac);
    return strtod(buf, NULL);
}

static uint64_t root(const score_verdict *v, uint64_t i)
{
    for (int seen = 0; v[i].dropped && seen < 64; seen++)
        i = v[i].duplicate_of;
    return i;
}

static size_t find(size_t *parent, size_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

int score_compute(const oracle_pair *pairs, size_t n_pairs, const score_verdict *v,
                  size_t ndocs, double t, double tol, score_result *out)
{
    unsigned char *near = calloc(ndocs ? ndocs : 1, 1);
    size_t *parent = malloc((ndocs ? ndocs : 1) * sizeof *parent);
    size_t *sizes = calloc(ndocs ? ndocs : 1, sizeof *sizes);
    uint64_t tp = 0, tot = 0, left = 0, must = 0, good = 0, dropped = 0;
    double low = t - tol;
    int rc = -1;
    if (!near || !parent || !sizes)
        goto out;
    for (size_t x = 0; x < ndocs; x++) {
        parent[x] = x;
        if (v[x].dropped && v[x].duplicate_of >= ndocs)
            goto out;
    }
    for (size_t k = 0; k < n_pairs; k++) {
        size_t i = pairs[k].i, j = pairs[k].j;
        double jac = as_printed(pairs[k].jaccard);
        if (i >= ndocs || j >= ndocs)
            goto out;
        if (jac >= low)
            near[i] = near[j] = 1;
        if (jac >= t) {
            tot++;
            if (root(v, i) == root(v, j))
                tp++;
            if (!v[i].dropped && !v[j].dropped)
                left++;
            size_t a = find(parent, i), b = find(parent, j);
            if (a != b)
                parent[a] = b;
        }
    }
    for (size_t x = 0; x < ndocs; x++)
        sizes[find(parent, x)]++;
    for (size_t x = 0; x < ndocs; x++) {
        if (sizes[x])
            must += sizes[x] - 1;
        if (v[x].dropped) {
            dropped++;
            good += near[x];
        }
    }
    out->dropped = dropped;
    out->good_drops = good;
    out->left_pairs = left;
    out->true_pairs = tot;
    out->must_drop = must;
    out->dup_recall = 1.0 - (double)left / (double)(tot ? tot : 1);
    out->cluster_recall = (double)tp / (double)(tot ? tot : 1);
    out->drop_precision = dropped ? (double)good / (double)dropped : 1.0;
    out->drop_recall = (double)good / (double)(must ? must : 1);
    if (out->drop_recall > 1.0)
        out->drop_recall = 1.0;
    rc = 0;
out:
    free(near);
    free(parent);
    free(sizes);
    return rc;
}

void score_format(const score_result *r, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "dropped=%llu dup_recall=%.4f cluster_recall=%.4f drop_precision=%.4f "
             "drop_recall=%.4f true_pairs=%llu must_drop=%llu",
             (unsigned long long)r->dropped, r->dup_recall, r->cluster_recall,
             r->drop_precision, r->drop_recall, (unsigned long long)r->true_pairs,
             (unsigned long long)r->must_drop);
}
