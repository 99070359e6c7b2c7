/* core/minhash_sse41.c - the MinHash kernel on 128-bit SSE4.1 vectors. */
#include <simde/x86/sse4.1.h>
#define CHAFF_KERNEL_NAME chaff__minhash_sse41
#define VEC simde__m128i
#define VLANES 4
#define VLOAD(p) simde_mm_loadu_si128((const simde__m128i *)(const void *)(p))
#define VSTORE(p, v) simde_mm_storeu_si128((simde__m128i *)(void *)(p), (v))
#define VSET1(x) simde_mm_set1_epi32((int32_t)(x))
#define VMUL(a, b) simde_mm_mullo_epi32((a), (b))
#define VADD(a, b) simde_mm_add_epi32((a), (b))
#define VMIN(a, b) simde_mm_min_epu32((a), (b))
#include "minhash_kernel.h"
