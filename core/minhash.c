/* core/minhash.c - permutation parameters and the choice of kernel. */
#include "minhash.h"

/* SplitMix64: a seed expands into any number of well-spread words. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

chaff_status chaff__perm_init(chaff__perm *p, unsigned k, uint64_t seed, const chaff_allocator *al)
{
    p->k = k;
    p->a = chaff__alloc(al, (size_t)k * (sizeof(uint32_t) * 2 + CHAFF__PROBES * sizeof(uint16_t)));
    if (!p->a)
        return CHAFF_E_NOMEM;
    p->b = p->a + k;
    p->probe = (uint16_t *)(p->b + k);
    uint64_t s = seed ^ 0x6368616666ULL; /* "chaff": seed 0 is not a weak state */
    for (unsigned i = 0; i < k; i++) {
        uint64_t r = splitmix64(&s);
        p->a[i] = (uint32_t)r | 1u;
        p->b[i] = (uint32_t)(r >> 32);
    }
    for (unsigned i = 0; i < k; i++)
        for (uint32_t t = 0; t < CHAFF__PROBES; t++)
            p->probe[i * CHAFF__PROBES + t] = (uint16_t)chaff__oph_probe(p, i, t + 1);
    return CHAFF_OK;
}

void chaff__perm_free(chaff__perm *p, const chaff_allocator *al)
{
    chaff__free(al, p->a);
    p->a = p->b = NULL;
    p->probe = NULL;
}

chaff__minhash_fn chaff__signer(const chaff_options *o)
{
    chaff__minhash_fn kernel = chaff__minhash_kernel(o->simd);
    if (!kernel)
        return NULL; /* refused even for OPH: the caller asked for a path it lacks */
    return o->method == CHAFF_METHOD_OPH ? chaff__oph : kernel;
}
