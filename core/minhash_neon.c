/* core/minhash_neon.c - the MinHash kernel on 128-bit NEON vectors.
 * Native on ARM; elsewhere SIMDe emulates it, which the tests use to check
 * this file's code on x86 machines too. */
#include <simde/arm/neon.h>
#define CHAFF_KERNEL_NAME chaff__minhash_neon
#define VEC simde_uint32x4_t
#define VLANES 4
#define VLOAD(p) simde_vld1q_u32(p)
#define VSTORE(p, v) simde_vst1q_u32((p), (v))
#define VSET1(x) simde_vdupq_n_u32(x)
#define VMUL(a, b) simde_vmulq_u32((a), (b))
#define VADD(a, b) simde_vaddq_u32((a), (b))
#define VMIN(a, b) simde_vminq_u32((a), (b))
#include "minhash_kernel.h"
