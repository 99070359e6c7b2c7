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

unsigned chaff__oph_probe(const chaff__perm *p, unsigned k, uint32_t attempt)
{
    uint32_t h = mix32((k * 0x85EBCA77u) ^ (attempt * 0xC2B2AE3Du) ^ p->b[0]);
    return (unsigned)(((uint64_t)h * p->k) >> 32);
}

static inline int is_set(const uint64_t *bits, unsigned i)
{
    return (int)(bits[i >> 6] >> (i & 63) & 1);
}

void chaff__oph(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig)
{
    const unsigned K = p->k;
    const uint32_t salt = p->b[0]; /* the seed's first word: a new seed, new bins */
    for (unsigned k = 0; k < K; k++)
        sig[k] = 0xFFFFFFFFu;
    if (n == 0)
        return;
    /* One mix per shingle: the high bits pick the bin (fast range), and the
     * minimum within a bin is decided by the low bits, which are independent
     * of the bin for a well-mixed hash. */
    uint64_t filled[1024 / 64] = { 0 };
    for (size_t i = 0; i < n; i++) {
        uint32_t h = mix32(x[i] ^ salt);
        unsigned bin = (unsigned)(((uint64_t)h * K) >> 32);
        sig[bin] = h < sig[bin] ? h : sig[bin];
        filled[bin >> 6] |= 1ull << (bin & 63);
    }
    /* Visit only the empty bins, and test each one's precomputed probes all at
     * once: the branches this replaces were taken at random and mispredicted
     * about half the time. */
    for (unsigned w = 0; w * 64 < K; w++) {
        uint64_t empty = ~filled[w];
        if (K - w * 64 < 64)
            empty &= (1ull << (K - w * 64)) - 1;
        while (empty) {
            unsigned k = w * 64 + (unsigned)__builtin_ctzll(empty);
            empty &= empty - 1;
            const uint16_t *pr = p->probe + (size_t)k * CHAFF__PROBES;
            unsigned hit = 0;
            for (unsigned t = 0; t < CHAFF__PROBES; t++)
                hit |= (unsigned)is_set(filled, pr[t]) << t;
            unsigned j;
            if (hit) {
                j = pr[__builtin_ctz(hit)];
            } else { /* rare: (1 - filled share)^8 */
                uint32_t attempt = CHAFF__PROBES + 1;
                while (!is_set(filled, j = chaff__oph_probe(p, k, attempt)))
                    attempt++;
            }
            sig[k] = sig[j];
        }
    }
}
