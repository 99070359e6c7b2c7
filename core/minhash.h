/* core/minhash.h - MinHash permutations and the signature kernels behind them. */
#ifndef CHAFF_MINHASH_H
#define CHAFF_MINHASH_H

#include "internal.h"

/* Permutation k maps a 32-bit shingle hash x to a[k]*x + b[k] mod 2^32 (a odd,
 * so it is a bijection). The shingle hashes are already well mixed, which is
 * what keeps this cheap family unbiased (see ../shared/PERF-BUDGET.md). */
typedef struct chaff__perm {
    uint32_t *a, *b;         /* num_perm each */
    uint16_t *probe;         /* OPH: the first CHAFF__PROBES bins each bin borrows from */
    unsigned k;
} chaff__perm;

#define CHAFF__PROBES 8

/* sig[0..p->k) = min over x[0..n) of a*x+b; all 0xFFFFFFFF when n == 0.
 * Every kernel returns bit-identical results. */
typedef void (*chaff__minhash_fn)(const chaff__perm *p, const uint32_t *x, size_t n,
                                  uint32_t *sig);

void chaff__minhash_scalar(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig);

/* One-permutation hashing with optimal densification (core/oph.c): the same
 * signature shape and collision probability J per value, one hash per shingle.
 * p->k is the number of bins (at most 1024). */
void chaff__oph(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig);
/* The bin that empty bin k borrows from on its attempt-th try (attempt >= 1). */
unsigned chaff__oph_probe(const chaff__perm *p, unsigned k, uint32_t attempt);

chaff_status chaff__perm_init(chaff__perm *p, unsigned k, uint64_t seed,
                              const chaff_allocator *a);
void chaff__perm_free(chaff__perm *p, const chaff_allocator *a);

/* The kernel for a chaff_simd choice (CHAFF_SIMD_AUTO: the best the CPU has),
 * or NULL when this CPU cannot run it (core/dispatch.c). */
chaff__minhash_fn chaff__minhash_kernel(unsigned simd);

/* The signature function the options ask for: OPH, or the MinHash kernel of
 * the chosen SIMD path; NULL when that path is not available on this CPU. */
chaff__minhash_fn chaff__signer(const chaff_options *o);

/* Each ISA's kernel, for the tests; call only what chaff_simd_supported() allows. */
void chaff__minhash_sse41(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig);
void chaff__minhash_avx2(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig);
void chaff__minhash_avx512(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig);
void chaff__minhash_neon(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig);

#endif
