/* core/phash.c - perceptual frame hashes: black-border detection, exact area
 * shrink, the DCT hash and the difference hash.
 *
 * Area averaging, not point sampling: a copy scaled to another size must land
 * on the same 32x32 grid values, and point sampling picks different source
 * pixels at each size (it costs about 5 points of recall on scaled copies).
 * The box filter is computed on integers: a source column of the cropped
 * W-wide region covers [out_w*x, out_w*(x+1)) and output column j covers
 * [W*j, W*(j+1)) in units of 1/out_w pixel, so every overlap is a whole
 * number and no rounding depends on the order of the sums. */
#include <math.h>
#include <stdlib.h>
#include "internal.h"

#define MAX_OUT 64
#define DCT_N 32
#define DCT_K 8

unsigned chaff_hamming(uint64_t a, uint64_t b)
{
    return chaff__popcount64(a ^ b);
}

/* Lines with at most 1 bright pixel in 32 are border: compression noise and
 * ringing at the content's edge leave a few bright pixels in a black bar. */
static int dark_line(const uint8_t *p, size_t step, unsigned n)
{
    unsigned bright = 0;
    for (unsigned i = 0; i < n; i++)
        bright += p[i * step] > CHAFF_BORDER_LEVEL;
    return (uint64_t)bright * 32 <= n;
}

int chaff_frame_border(const chaff_gray *f, chaff_crop *b)
{
    unsigned w = f->width, h = f->height;
    memset(b, 0, sizeof *b);
    if (!w || !h)
        return 1;
    const uint8_t *p = f->pix;
    size_t s = f->stride;
    unsigned top = 0, bottom = 0, left = 0, right = 0;
    while (top < h && dark_line(p + top * s, 1, w))
        top++;
    if (top == h)
        return 1;
    while (dark_line(p + (h - 1 - bottom) * s, 1, w))
        bottom++; /* stops at the bright row that ended the top scan at the latest */
    unsigned rows = h - top - bottom;
    const uint8_t *q = p + top * s;
    while (left < w && dark_line(q + left, s, rows))
        left++;
    if (left == w)
        return 1; /* every column has few bright pixels, yet some row had many */
    while (dark_line(q + (w - 1 - right), s, rows))
        right++;
    *b = (chaff_crop){ left, top, right, bottom };
    return 0;
}

void chaff_border_acc_init(chaff_border_acc *a, unsigned width, unsigned height)
{
    memset(a, 0, sizeof *a);
    a->width = width;
    a->height = height;
}

chaff_status chaff_border_acc_add(chaff_border_acc *a, const chaff_gray *f)
{
    if (f->width != a->width || f->height != a->height)
        return CHAFF_E_ARG;
    chaff_crop b;
    a->frames++;
    if (chaff_frame_border(f, &b)) {
        a->dark++;
        return CHAFF_OK;
    }
    if (a->frames - a->dark == 1) {
        a->narrowest = b;
        return CHAFF_OK;
    }
    chaff_crop *n = &a->narrowest;
    n->left = CHAFF_MIN(n->left, b.left);
    n->top = CHAFF_MIN(n->top, b.top);
    n->right = CHAFF_MIN(n->right, b.right);
    n->bottom = CHAFF_MIN(n->bottom, b.bottom);
    return CHAFF_OK;
}

void chaff_border_acc_crop(const chaff_border_acc *a, chaff_crop *c)
{
    memset(c, 0, sizeof *c);
    if (a->frames == a->dark)
        return;
    /* A frame that is mostly dark with a bright corner object is not a
     * letterbox; never crop more than 3/8 at an edge. */
    unsigned mw = a->width * 3 / 8, mh = a->height * 3 / 8;
    c->left = CHAFF_MIN(a->narrowest.left, mw);
    c->right = CHAFF_MIN(a->narrowest.right, mw);
    c->top = CHAFF_MIN(a->narrowest.top, mh);
    c->bottom = CHAFF_MIN(a->narrowest.bottom, mh);
}

/* The cropped region, or 0 when it is empty or the output size is out of range. */
static int region(const chaff_gray *f, const chaff_crop *crop, unsigned ow, unsigned oh,
                  unsigned *x0, unsigned *y0, unsigned *w, unsigned *h)
{
    chaff_crop c = { 0, 0, 0, 0 };
    if (crop)
        c = *crop;
    if (!f || !f->pix || !ow || !oh || ow > MAX_OUT || oh > MAX_OUT)
        return 0;
    if ((uint64_t)c.left + c.right >= f->width || (uint64_t)c.top + c.bottom >= f->height)
        return 0;
    if (f->stride < f->width)
        return 0;
    *x0 = c.left;
    *y0 = c.top;
    *w = f->width - c.left - c.right;
    *h = f->height - c.top - c.bottom;
    return 1;
}

/* Weighted sums: sum[i*ow + j] = sum over pixels of pixel * overlap_x * overlap_y,
 * overlaps in 1/ow and 1/oh pixel units. Each source pixel is read once per
 * output column it overlaps (at most 2 when the region is wider than ow). */
static void box_sums(const chaff_gray *f, unsigned x0, unsigned y0, unsigned w, unsigned h,
                     unsigned ow, unsigned oh, uint64_t *sum)
{
    uint64_t row[MAX_OUT];
    memset(sum, 0, (size_t)ow * oh * sizeof *sum);
    for (unsigned y = 0; y < h; y++) {
        const uint8_t *p = f->pix + (size_t)(y0 + y) * f->stride + x0;
        for (unsigned j = 0; j < ow; j++) {
            /* output column j spans [w*j, w*(j+1)); column x spans [ow*x, ow*(x+1)) */
            uint64_t lo = (uint64_t)w * j, hi = lo + w, acc = 0;
            for (uint64_t x = lo / ow; x * ow < hi; x++) {
                uint64_t a = CHAFF_MAX(lo, x * ow), b = CHAFF_MIN(hi, (x + 1) * ow);
                acc += p[x] * (b - a);
            }
            row[j] = acc;
        }
        uint64_t ylo = (uint64_t)oh * y, yhi = ylo + oh;
        for (uint64_t i = ylo / h; i < oh && i * h < yhi; i++) {
            uint64_t a = CHAFF_MAX(ylo, i * h), b = CHAFF_MIN(yhi, (i + 1) * h);
            uint64_t *o = sum + i * ow;
            for (unsigned j = 0; j < ow; j++)
                o[j] += row[j] * (b - a);
        }
    }
}

chaff_status chaff_area_shrink(const chaff_gray *f, const chaff_crop *crop, unsigned ow,
                               unsigned oh, double *out)
{
    unsigned x0, y0, w, h;
    if (!region(f, crop, ow, oh, &x0, &y0, &w, &h))
        return CHAFF_E_ARG;
    uint64_t sum[MAX_OUT * MAX_OUT];
    box_sums(f, x0, y0, w, h, ow, oh, sum);
    double total = (double)w * (double)h; /* each cell's weight: (w/ow * ow) * (h/oh * oh) */
    for (size_t k = 0; k < (size_t)ow * oh; k++)
        out[k] = (double)sum[k] / total;
    return CHAFF_OK;
}

/* cos(pi * (2x + 1) * u / 64) for the 8 lowest frequencies u, orthonormal
 * scale (the scale of the AC rows is common to all, so it changes no bit). */
static double dct_table[DCT_K][DCT_N];
static int dct_ready;

static void dct_init(void)
{
    /* Idempotent and computed the same by every thread, so a race to fill it
     * writes identical values; the flag only saves the work. */
    if (__atomic_load_n(&dct_ready, __ATOMIC_ACQUIRE))
        return;
    const double pi = 3.14159265358979323846;
    for (unsigned u = 0; u < DCT_K; u++)
        for (unsigned x = 0; x < DCT_N; x++)
            dct_table[u][x] = (u ? sqrt(2.0 / DCT_N) : sqrt(1.0 / DCT_N)) *
                              cos(pi * (2 * x + 1) * u / (2.0 * DCT_N));
    __atomic_store_n(&dct_ready, 1, __ATOMIC_RELEASE);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Bits of the 63 AC coefficients above their median; cell (r, c) -> bit 63 - (8r + c). */
static uint64_t median_bits(const double coef[DCT_K][DCT_K])
{
    double ac[DCT_K * DCT_K - 1];
    for (unsigned k = 1; k < DCT_K * DCT_K; k++)
        ac[k - 1] = coef[k / DCT_K][k % DCT_K];
    qsort(ac, DCT_K * DCT_K - 1, sizeof *ac, cmp_double);
    double med = ac[(DCT_K * DCT_K - 1) / 2];
    uint64_t hash = 0;
    for (unsigned k = 1; k < DCT_K * DCT_K; k++)
        if (coef[k / DCT_K][k % DCT_K] > med)
            hash |= 1ull << (63 - k);
    return hash;
}

static void phash(const double *img, uint64_t *hash, uint64_t *mirror)
{
    dct_init();
    /* Only the 8x8 low block is needed: columns first (8 x 32), then rows. */
    double t[DCT_K][DCT_N], coef[DCT_K][DCT_K];
    for (unsigned u = 0; u < DCT_K; u++)
        for (unsigned x = 0; x < DCT_N; x++) {
            double s = 0;
            for (unsigned y = 0; y < DCT_N; y++)
                s += dct_table[u][y] * img[y * DCT_N + x];
            t[u][x] = s;
        }
    for (unsigned u = 0; u < DCT_K; u++)
        for (unsigned v = 0; v < DCT_K; v++) {
            double s = 0;
            for (unsigned x = 0; x < DCT_N; x++)
                s += dct_table[v][x] * t[u][x];
            coef[u][v] = s;
        }
    /* Symmetric frames (test patterns, flat areas, bars) have coefficients
     * that are exactly 0 in theory and +-1e-13 in floating point; left alone,
     * that noise would decide their bits, differently for each copy. Rounding
     * to 2^-20 of a grey level makes them true zeros, which the strict '>'
     * against the median then sets to 0 alike. A flat frame hashes to 0. */
    for (unsigned u = 0; u < DCT_K; u++)
        for (unsigned v = 0; v < DCT_K; v++)
            coef[u][v] = nearbyint(coef[u][v] * 1048576.0) / 1048576.0;
    *hash = median_bits(coef);
    if (mirror) {
        /* Flipping x -> 31 - x multiplies horizontal frequency v by (-1)^v. */
        for (unsigned u = 0; u < DCT_K; u++)
            for (unsigned v = 1; v < DCT_K; v += 2)
                coef[u][v] = -coef[u][v];
        *mirror = median_bits(coef);
    }
}

chaff_status chaff_frame_hash(const chaff_gray *f, const chaff_crop *crop, unsigned kind,
                              uint64_t *hash, uint64_t *mirror)
{
    unsigned x0, y0, w, h;
    if (kind == CHAFF_FRAME_PHASH) {
        if (!region(f, crop, DCT_N, DCT_N, &x0, &y0, &w, &h))
            return CHAFF_E_ARG;
        uint64_t sum[DCT_N * DCT_N];
        double img[DCT_N * DCT_N];
        box_sums(f, x0, y0, w, h, DCT_N, DCT_N, sum);
        for (unsigned k = 0; k < DCT_N * DCT_N; k++)
            img[k] = (double)sum[k] / ((double)w * (double)h);
        phash(img, hash, mirror);
        return CHAFF_OK;
    }
    if (kind == CHAFF_FRAME_DHASH) {
        if (!region(f, crop, 9, 8, &x0, &y0, &w, &h))
            return CHAFF_E_ARG;
        uint64_t sum[9 * 8], hs = 0, ms = 0;
        box_sums(f, x0, y0, w, h, 9, 8, sum); /* same weights per cell: compare sums */
        for (unsigned r = 0; r < 8; r++)
            for (unsigned c = 0; c < 8; c++) {
                const uint64_t *row = sum + r * 9;
                unsigned bit = 63 - (8 * r + c);
                hs |= (uint64_t)(row[c + 1] > row[c]) << bit;
                /* flipped: cell c is original 8 - c */
                ms |= (uint64_t)(row[7 - c] > row[8 - c]) << bit;
            }
        *hash = hs;
        if (mirror)
            *mirror = ms;
        return CHAFF_OK;
    }
    return CHAFF_E_ARG;
}

chaff_status chaff_frame_crop_hashes(const chaff_gray *f, const chaff_crop *crop, unsigned kind,
                                     uint64_t out[CHAFF_CROP_VARIANTS])
{
    unsigned x0, y0, w, h;
    if (!region(f, crop, 1, 1, &x0, &y0, &w, &h))
        return CHAFF_E_ARG;
    unsigned cw = (unsigned)(((uint64_t)w * 19 + 10) / 20);
    unsigned ch = (unsigned)(((uint64_t)h * 19 + 10) / 20);
    unsigned mx = w - cw, my = h - ch;
    const unsigned ox[CHAFF_CROP_VARIANTS] = { mx / 2, 0, mx, 0, mx };
    const unsigned oy[CHAFF_CROP_VARIANTS] = { my / 2, 0, 0, my, my };
    for (unsigned k = 0; k < CHAFF_CROP_VARIANTS; k++) {
        chaff_crop c = { x0 + ox[k], y0 + oy[k], f->width - x0 - ox[k] - cw,
                         f->height - y0 - oy[k] - ch };
        chaff_status st = chaff_frame_hash(f, &c, kind, &out[k], NULL);
        if (st)
            return st;
    }
    return CHAFF_OK;
}
