/* core/dispatch.c - which kernels this CPU runs.
 *
 * The CPU is probed once; a chaff_simd value then picks one row of a const
 * table, and objects copy the row's function pointers at creation, so no hot
 * loop ever looks at CPU features. This file must be compiled for the
 * baseline ISA: it runs before anyone knows what the CPU has. */
#if defined(__AVX__) || defined(__AVX2__) || defined(__AVX512F__)
#error "dispatch.c must be compiled without -mavx* flags"
#endif
#include "minhash.h"

void chaff__minhash_sse41(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig);
void chaff__minhash_avx2(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig);
void chaff__minhash_avx512(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig);
void chaff__minhash_neon(const chaff__perm *p, const uint32_t *x, size_t n, uint32_t *sig);

#if defined(__x86_64__) || defined(__i386__)
#define CHAFF_X86 1
#endif
#if defined(__aarch64__) || defined(__ARM_NEON)
#define CHAFF_ARM 1
#endif

typedef struct row {
    unsigned simd;
    const char *name;
    chaff__minhash_fn minhash;
} row;

/* Widest first: AUTO takes the first row the CPU supports. */
static const row rows[] = {
#ifdef CHAFF_X86
    { CHAFF_SIMD_AVX512, "avx512", chaff__minhash_avx512 },
    { CHAFF_SIMD_AVX2, "avx2", chaff__minhash_avx2 },
    { CHAFF_SIMD_SSE41, "sse4.1", chaff__minhash_sse41 },
#endif
#ifdef CHAFF_ARM
    { CHAFF_SIMD_NEON, "neon", chaff__minhash_neon },
#endif
    { CHAFF_SIMD_SCALAR, "scalar", chaff__minhash_scalar },
};

static int cpu_has(unsigned simd)
{
    switch (simd) {
    case CHAFF_SIMD_SCALAR:
        return 1;
#ifdef CHAFF_X86
    /* The builtins also check that the OS saves the wide registers. */
    case CHAFF_SIMD_SSE41:
        return __builtin_cpu_supports("sse4.1");
    case CHAFF_SIMD_AVX2:
        return __builtin_cpu_supports("avx2");
    case CHAFF_SIMD_AVX512:
        return __builtin_cpu_supports("avx512f");
#endif
#ifdef CHAFF_ARM
    case CHAFF_SIMD_NEON:
        return 1; /* baseline on aarch64; 32-bit builds that define __ARM_NEON have it */
#endif
    default:
        return 0;
    }
}

static const row *find(unsigned simd)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (simd == CHAFF_SIMD_AUTO ? cpu_has(rows[i].simd) : rows[i].simd == simd)
            return cpu_has(rows[i].simd) ? &rows[i] : NULL;
    return NULL;
}

int chaff_simd_supported(unsigned simd)
{
    return find(simd) != NULL;
}

unsigned chaff_simd_resolve(unsigned simd)
{
    const row *r = find(simd);
    return r ? r->simd : CHAFF_SIMD_SCALAR;
}

const char *chaff_simd_name(unsigned simd)
{
    static const char *names[] = { "auto", "scalar", "sse4.1", "avx2", "avx512", "neon" };
    return simd < sizeof names / sizeof names[0] ? names[simd] : "unknown";
}

chaff__minhash_fn chaff__minhash_kernel(unsigned simd)
{
    const row *r = find(simd);
    return r ? r->minhash : NULL;
}
