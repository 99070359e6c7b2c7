/* core/options.c - option defaults, bounds, validation and the LSH banding choice.
 *
 * One bounds table serves three users: chaff_options_check(), the CLI's --help,
 * and the tests, so a limit can never be documented in one place and enforced
 * differently in another. */
#include <math.h>
#include <stdio.h>
#include "internal.h"

#define CHAFF_MAX_PERM 1024

static const chaff_param_info params[] = {
    { "threshold", 0.01, 1.0, 0.8, "Jaccard similarity at which two records are near-duplicates" },
    { "ngram", 1, 64, 5, "words (or characters with --shingle chars:K) per shingle" },
    { "num-perm", 8, CHAFF_MAX_PERM, 128, "MinHash permutations (a multiple of 8)" },
    { "bands", 0, CHAFF_MAX_PERM, 0, "LSH bands (0 = chosen from the threshold)" },
    { "rows", 0, CHAFF_MAX_PERM, 0, "LSH rows per band (0 = chosen from the threshold)" },
    { "threads", 0, 1024, 0, "worker threads (0 = all cores)" },
    { "max-hamming", 0, 64, 12, "frames: bits in which two matching frames may differ" },
};

const chaff_param_info *chaff_params(size_t *count)
{
    if (count)
        *count = sizeof params / sizeof params[0];
    return params;
}

void chaff_options_default(chaff_options *o)
{
    memset(o, 0, sizeof *o);
    o->sizeof_options = sizeof *o;
    o->threshold = params[0].def;
    o->shingle = CHAFF_SHINGLE_WORDS;
    o->ngram = (unsigned)params[1].def;
    o->num_perm = (unsigned)params[2].def;
    o->seed = 0;
    o->threads = 0;
    o->simd = CHAFF_SIMD_AUTO;
    o->method = CHAFF_METHOD_MINHASH;
    o->kind = CHAFF_KIND_TEXT;
    o->max_hamming = (unsigned)params[6].def;
}

static chaff_status fail(char *why, size_t cap, const char *msg)
{
    if (cap)
        snprintf(why, cap, "%s", msg);
    return CHAFF_E_ARG;
}

static chaff_status out_of_range(char *why, size_t cap, const chaff_param_info *p,
                                 const char *extra)
{
    if (cap)
        snprintf(why, cap, "%s must be %sbetween %g and %g", p->name, extra, p->min, p->max);
    return CHAFF_E_ARG;
}

static int out_of(double v, const chaff_param_info *p)
{
    return !(v >= p->min && v <= p->max); /* NaN is out of bounds too */
}

chaff_status chaff_options_check(const chaff_options *o, char *why, size_t cap)
{
    if (!o || o->sizeof_options < sizeof(chaff_options))
        return fail(why, cap, "options were not set up with chaff_options_default()");
    if (out_of(o->threshold, &params[0]))
        return out_of_range(why, cap, &params[0], "");
    if (out_of(o->ngram, &params[1]))
        return out_of_range(why, cap, &params[1], "");
    if (out_of(o->num_perm, &params[2]) || o->num_perm % 8)
        return out_of_range(why, cap, &params[2], "a multiple of 8 ");
    if (out_of(o->bands, &params[3]))
        return out_of_range(why, cap, &params[3], "");
    if (out_of(o->rows, &params[4]))
        return out_of_range(why, cap, &params[4], "");
    if ((unsigned long)o->bands * (o->rows ? o->rows : 1) > o->num_perm ||
        (unsigned long)o->rows * (o->bands ? o->bands : 1) > o->num_perm)
        return fail(why, cap, "bands x rows must not exceed num-perm");
    if (out_of(o->threads, &params[5]))
        return out_of_range(why, cap, &params[5], "");
    if (o->shingle > CHAFF_SHINGLE_CHARS)
        return fail(why, cap, "shingle must be words or chars");
    if (o->method > CHAFF_METHOD_OPH)
        return fail(why, cap, "unknown method");
    if (o->simd > CHAFF_SIMD_NEON)
        return fail(why, cap, "unknown SIMD path");
    if (o->kind > CHAFF_KIND_FRAMES)
        return fail(why, cap, "unknown record kind");
    if (out_of(o->max_hamming, &params[6]))
        return out_of_range(why, cap, &params[6], "");
    return CHAFF_OK;
}

/* Every candidate is verified exactly, so a false positive costs one cheap
 * check and pairs just below the threshold cost nothing we care about, while a
 * false negative is a duplicate lost for good. Hence: minimise the candidate
 * area on [0, T - 0.1] plus ten times the missed area on [T, 1]. At T = 0.8
 * and 128 permutations this picks 16 bands of 8 rows (a pair at J = 0.8 becomes
 * a candidate with p = 0.947, at 0.85 with p = 0.994), where the unweighted
 * rule would pick 9 x 13 (p = 0.40 at J = 0.8). */
chaff_status chaff_lsh_params(double t, unsigned num_perm, unsigned *bands, unsigned *rows)
{
    enum { STEPS = 200 };
    if (!(t > 0 && t <= 1) || num_perm < 1 || num_perm > CHAFF_MAX_PERM)
        return CHAFF_E_ARG;
    /* Midpoint samples of [0, T - 0.1] (candidates) and [T, 1] (misses). For
     * each r, log(1 - s^r) is kept per sample, so each (b, r) costs one exp()
     * per sample: P(candidate) = 1 - (1 - s^r)^b = 1 - exp(b log(1 - s^r)). */
    double s_fp[STEPS], s_fn[STEPS], pw_fp[STEPS], pw_fn[STEPS], l_fp[STEPS], l_fn[STEPS];
    double lo = t - 0.1 > 0 ? t - 0.1 : 0, h_fp = lo / STEPS, h_fn = (1 - t) / STEPS;
    for (int i = 0; i < STEPS; i++) {
        s_fp[i] = pw_fp[i] = (i + 0.5) * h_fp;
        s_fn[i] = pw_fn[i] = t + (i + 0.5) * h_fn;
    }
    double best = INFINITY;
    unsigned bb = 1, br = num_perm;
    for (unsigned r = 1; r <= num_perm; r++) {
        for (int i = 0; i < STEPS; i++) {
            l_fp[i] = log1p(-pw_fp[i]);
            l_fn[i] = pw_fn[i] < 1 ? log1p(-pw_fn[i]) : -INFINITY;
            pw_fp[i] *= s_fp[i];
            pw_fn[i] *= s_fn[i];
        }
        for (unsigned b = 1; b * r <= num_perm; b++) {
            double fp = 0, fn = 0;
            for (int i = 0; i < STEPS; i++) {
                fp += 1.0 - exp(b * l_fp[i]);
                fn += exp(b * l_fn[i]);
            }
            double cost = fp * h_fp + 10.0 * fn * h_fn;
            /* ties go to the fewest bands, then the fewest rows */
            if (cost < best - 1e-12 ||
                (cost <= best + 1e-12 && (b < bb || (b == bb && r < br)))) {
                best = cost < best ? cost : best;
                bb = b;
                br = r;
            }
        }
    }
    *bands = bb;
    *rows = br;
    return CHAFF_OK;
}
