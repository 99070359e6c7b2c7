/* core/minhash_kernel.h - the MinHash kernel body, compiled once per ISA.
 *
 * Lanes are permutations: each vector holds VLANES permutations' a, b and
 * running minimum, and every shingle hash x is broadcast and pushed through
 * all of them (m = min(m, a*x + b), 32-bit wrapping). Four vectors are kept
 * in registers at once, so each loaded x feeds 4*VLANES lanes and the four
 * minimum chains are independent. Remaining lanes go one vector at a time,
 * then one lane at a time, so any num_perm works with any vector width.
 *
 * The including file defines, then includes this header once:
 *   CHAFF_KERNEL_NAME   the function's name, e.g. chaff__minhash_avx2
 *   VEC                 the vector type (SIMDe)
 *   VLANES              32-bit lanes per vector
 *   VLOAD(p) VSTORE(p, v) VSET1(x) VMUL(a, b) VADD(a, b) VMIN(a, b)
 *                       unaligned load/store, broadcast, 32-bit low multiply,
 *                       add, unsigned minimum
 * SIMDe turns these into native instructions when the file is compiled with
 * the ISA's flags (set per file in CMakeLists.txt), and into portable code
 * otherwise; the result is the same bits either way. */
#include "minhash.h"

void CHAFF_KERNEL_NAME(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig)
{
    const unsigned K = p->k;
    unsigned k = 0;
    for (; k + 4 * VLANES <= K; k += 4 * VLANES) {
        const uint32_t *a = p->a + k, *b = p->b + k;
        VEC a0 = VLOAD(a), a1 = VLOAD(a + VLANES), a2 = VLOAD(a + 2 * VLANES),
            a3 = VLOAD(a + 3 * VLANES);
        VEC b0 = VLOAD(b), b1 = VLOAD(b + VLANES), b2 = VLOAD(b + 2 * VLANES),
            b3 = VLOAD(b + 3 * VLANES);
        VEC m0 = VSET1(0xFFFFFFFFu), m1 = m0, m2 = m0, m3 = m0;
        for (size_t i = 0; i < n; i++) {
            VEC v = VSET1(x[i]);
            m0 = VMIN(m0, VADD(VMUL(a0, v), b0));
            m1 = VMIN(m1, VADD(VMUL(a1, v), b1));
            m2 = VMIN(m2, VADD(VMUL(a2, v), b2));
            m3 = VMIN(m3, VADD(VMUL(a3, v), b3));
        }
        VSTORE(sig + k, m0);
        VSTORE(sig + k + VLANES, m1);
        VSTORE(sig + k + 2 * VLANES, m2);
        VSTORE(sig + k + 3 * VLANES, m3);
    }
    for (; k + VLANES <= K; k += VLANES) {
        VEC a0 = VLOAD(p->a + k), b0 = VLOAD(p->b + k), m0 = VSET1(0xFFFFFFFFu);
        for (size_t i = 0; i < n; i++)
            m0 = VMIN(m0, VADD(VMUL(a0, VSET1(x[i])), b0));
        VSTORE(sig + k, m0);
    }
    for (; k < K; k++) {
        uint32_t a = p->a[k], b = p->b[k], m = 0xFFFFFFFFu;
        for (size_t i = 0; i < n; i++) {
            uint32_t v = a * x[i] + b;
            m = v < m ? v : m;
        }
        sig[k] = m;
    }
}
