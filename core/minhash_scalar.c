/* core/minhash_scalar.c - the reference MinHash kernel, one lane at a time.
 * Every other kernel is tested bit for bit against this one. */
#include "minhash.h"

void chaff__minhash_scalar(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig)
{
    for (unsigned k = 0; k < p->k; k++) {
        uint32_t a = p->a[k], b = p->b[k], m = 0xFFFFFFFFu;
        for (size_t i = 0; i < n; i++) {
            uint32_t v = a * x[i] + b;
            m = v < m ? v : m;
        }
        sig[k] = m;
    }
}
