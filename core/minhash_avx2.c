/* core/minhash_avx2.c - the MinHash kernel on 256-bit AVX2 vectors. */
#include <simde/x86/avx2.h>
#define CHAFF_KERNEL_NAME chaff__minhash_avx2
#define VEC simde__m256i
#define VLANES 8
#define VLOAD(p) simde_mm256_loadu_si256((const void *)(p))
#define VSTORE(p, v) simde_mm256_storeu_si256((void *)(p), (v))
#define VSET1(x) simde_mm256_set1_epi32((int32_t)(x))
#define VMUL(a, b) simde_mm256_mullo_epi32((a), (b))
#define VADD(a, b) simde_mm256_add_epi32((a), (b))
#define VMIN(a, b) simde_mm256_min_epu32((a), (b))
#include "minhash_kernel.h"
