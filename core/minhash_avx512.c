/* core/minhash_avx512.c - the MinHash kernel on 512-bit AVX-512F vectors. */
#include <simde/x86/avx512.h>
#define CHAFF_KERNEL_NAME chaff__minhash_avx512
#define VEC simde__m512i
#define VLANES 16
#define VLOAD(p) simde_mm512_loadu_si512((const void *)(p))
#define VSTORE(p, v) simde_mm512_storeu_si512((void *)(p), (v))
#define VSET1(x) simde_mm512_set1_epi32((int32_t)(x))
#define VMUL(a, b) simde_mm512_mullo_epi32((a), (b))
#define VADD(a, b) simde_mm512_add_epi32((a), (b))
#define VMIN(a, b) simde_mm512_min_epu32((a), (b))
#include "minhash_kernel.h"
