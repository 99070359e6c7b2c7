/* core/oph.c - one-permutation hashing (OPH) with optimal densification.
 *
 * Classic MinHash applies num_perm permutations to every shingle. OPH applies
 * one: each shingle's mixed hash picks a bin (its high bits) and competes for
 * that bin's minimum, so each shingle costs one hash instead of num_perm.
 * Bins that no shingle reached are filled by "optimal densification"
 * (Shrivastava, ICML 2017): empty bin i copies the value of the first
 * non-empty bin on its own seeded probe sequence. Two sets agree in a bin with
 * probability J, as with MinHash. The cheaper rotation scheme copies a
 * neighbour's value, which correlates the bins and, per ../shared/PERF-BUDGET.md,
 * hurt candidate precision badly, so it is not offered. Candidates are still
 * verified exactly, so the method changes which pairs are found, never which
 * are wrongly dropped. */
#include "minhash.h"

static inline uint32_t mix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return h;
}

void chaff__oph(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig)
{
    const unsigned K = p->k;
    const uint32_t salt = p->b[0]; /* the seed's first word: a new seed, new bins */
    for (unsigned k = 0; k < K; k++)
        sig[k] = 0xFFFFFFFFu;
    if (n == 0)
        return;
    /* A bin's value: the hash's low bits; its bin: the high bits (fast range).
     * Both come from one mix, and the low bits are re-mixed so the value
     * within a bin is not a function of the bin. */
    uint64_t filled[1024 / 64] = { 0 };
    for (size_t i = 0; i < n; i++) {
        uint32_t h = mix32(x[i] ^ salt);
        unsigned bin = (unsigned)(((uint64_t)h * K) >> 32);
        uint32_t v = mix32(h + 0x9E3779B9u);
        if (v < sig[bin])
            sig[bin] = v;
        filled[bin >> 6] |= 1ull << (bin & 63);
    }
    for (unsigned k = 0; k < K; k++) {
        if (filled[k >> 6] >> (k & 63) & 1)
            continue;
        /* probe bins mix(k, attempt) until a filled one; n > 0 guarantees one */
        for (uint32_t attempt = 1;; attempt++) {
            uint32_t h = mix32((k * 0x85EBCA77u) ^ (attempt * 0xC2B2AE3Du) ^ salt);
            unsigned j = (unsigned)(((uint64_t)h * K) >> 32);
            if (filled[j >> 6] >> (j & 63) & 1) {
                sig[k] = sig[j];
                break;
            }
        }
    }
}
