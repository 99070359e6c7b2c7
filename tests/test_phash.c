/* tests/test_phash.c - frame hashes on frames small enough to check by hand:
 * the area shrink's fractional weights, the DCT hash against a slow direct
 * DCT-II, hand-derived hashes of step frames, the difference hash, mirrors,
 * the 5% crop variants' geometry, and border detection on letterboxed and
 * pillarboxed frames. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "chaff.h"

static uint64_t rs = 12345;
static uint32_t rnd(void)
{
    rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rs >> 33);
}

static chaff_gray gray(const uint8_t *p, unsigned w, unsigned h, size_t stride)
{
    chaff_gray g = { p, w, h, stride };
    return g;
}

/* ---- area shrink ---- */

static void test_shrink_fractional(void **state)
{
    (void)state;
    /* 3 columns into 2: column 1 is split in half between the outputs,
     * so out = {(2*30 + 60)/3, (60 + 2*90)/3} = {40, 80}. */
    const uint8_t row[3] = { 30, 60, 90 };
    chaff_gray g = gray(row, 3, 1, 3);
    double out[2];
    assert_int_equal(chaff_area_shrink(&g, NULL, 2, 1, out), CHAFF_OK);
    assert_true(out[0] == 40.0 && out[1] == 80.0);
    /* 2x3 rows into 1x2: {(2*a + b)/3, (b + 2*c)/3} with each row's mean */
    const uint8_t px[6] = { 0, 6, 30, 30, 90, 90 }; /* row means 3, 30, 90 */
    g = gray(px, 2, 3, 2);
    assert_int_equal(chaff_area_shrink(&g, NULL, 1, 2, out), CHAFF_OK);
    assert_true(out[0] == 12.0 && out[1] == 70.0);
}

static void test_shrink_crop_and_stride(void **state)
{
    (void)state;
    /* a 4x4 block of 2x2 cells inside a frame with a 3-pixel border and a
     * stride wider than the frame: the crop must see only the block */
    uint8_t buf[10 * 16];
    memset(buf, 255, sizeof buf);
    for (unsigned y = 0; y < 4; y++)
        for (unsigned x = 0; x < 4; x++)
            buf[(3 + y) * 16 + 3 + x] = (uint8_t)(10 * (2 * (y / 2) + x / 2) + y % 2 + x % 2 * 2);
    chaff_gray g = gray(buf, 10, 10, 16);
    chaff_crop c = { 3, 3, 3, 3 };
    double out[4];
    assert_int_equal(chaff_area_shrink(&g, &c, 2, 2, out), CHAFF_OK);
    /* each cell: 10*k + mean(0, 2, 1, 3) = 10*k + 1.5 */
    assert_true(out[0] == 1.5 && out[1] == 11.5 && out[2] == 21.5 && out[3] == 31.5);
    /* crops that leave nothing, sizes out of range */
    chaff_crop all = { 5, 0, 5, 0 };
    assert_int_equal(chaff_area_shrink(&g, &all, 2, 2, out), CHAFF_E_ARG);
    assert_int_equal(chaff_area_shrink(&g, NULL, 0, 2, out), CHAFF_E_ARG);
    assert_int_equal(chaff_area_shrink(&g, NULL, 65, 2, out), CHAFF_E_ARG);
}

/* The box filter written from its definition: continuous overlaps in pixels. */
static double ref_cell(const uint8_t *p, size_t stride, unsigned w, unsigned h, unsigned ow,
                       unsigned oh, unsigned i, unsigned j)
{
    double x0 = (double)j * w / ow, x1 = (double)(j + 1) * w / ow;
    double y0 = (double)i * h / oh, y1 = (double)(i + 1) * h / oh;
    double s = 0, area = 0;
    for (unsigned y = 0; y < h; y++) {
        double oy = fmin(y + 1.0, y1) - fmax((double)y, y0);
        if (oy <= 0)
            continue;
        for (unsigned x = 0; x < w; x++) {
            double ox = fmin(x + 1.0, x1) - fmax((double)x, x0);
            if (ox > 0) {
                s += p[y * stride + x] * ox * oy;
                area += ox * oy;
            }
        }
    }
    return s / area;
}

static void test_shrink_matches_reference(void **state)
{
    (void)state;
    static uint8_t buf[97 * 83];
    const unsigned sizes[][2] = { { 97, 83 }, { 32, 32 }, { 33, 31 }, { 7, 5 }, { 1, 1 },
                                  { 64, 3 } };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        unsigned w = sizes[s][0], h = sizes[s][1];
        for (size_t k = 0; k < (size_t)w * h; k++)
            buf[k] = (uint8_t)rnd();
        chaff_gray g = gray(buf, w, h, w);
        double out[32 * 32];
        assert_int_equal(chaff_area_shrink(&g, NULL, 32, 32, out), CHAFF_OK);
        for (unsigned i = 0; i < 32; i++)
            for (unsigned j = 0; j < 32; j++)
                assert_true(fabs(out[i * 32 + j] - ref_cell(buf, w, w, h, 32, 32, i, j)) < 1e-9);
    }
}

/* ---- DCT hash ---- */

/* A direct 32x32 DCT-II of the reference shrink, every coefficient from its
 * formula, then the documented bits: 63 AC terms against their median. */
static uint64_t ref_phash(const uint8_t *p, unsigned w, unsigned h)
{
    const double pi = acos(-1.0);
    double img[32][32], coef[8][8], ac[63];
    for (unsigned i = 0; i < 32; i++)
        for (unsigned j = 0; j < 32; j++)
            img[i][j] = ref_cell(p, w, w, h, 32, 32, i, j);
    for (unsigned u = 0; u < 8; u++)
        for (unsigned v = 0; v < 8; v++) {
            double s = 0;
            for (unsigned y = 0; y < 32; y++)
                for (unsigned x = 0; x < 32; x++)
                    s += img[y][x] * cos(pi * (2 * y + 1) * u / 64) * cos(pi * (2 * x + 1) * v / 64);
            coef[u][v] = s;
        }
    for (unsigned k = 1; k < 64; k++)
        ac[k - 1] = coef[k / 8][k % 8];
    for (unsigned a = 0; a < 63; a++) /* insertion sort: small and obviously right */
        for (unsigned b = a; b > 0 && ac[b - 1] > ac[b]; b--) {
            double t = ac[b];
            ac[b] = ac[b - 1];
            ac[b - 1] = t;
        }
    uint64_t hsh = 0;
    for (unsigned k = 1; k < 64; k++)
        if (coef[k / 8][k % 8] > ac[31])
            hsh |= 1ull << (63 - k);
    return hsh;
}

static void test_phash_matches_reference(void **state)
{
    (void)state;
    static uint8_t buf[120 * 90], flip[120 * 90];
    const unsigned sizes[][2] = { { 32, 32 }, { 120, 90 }, { 45, 77 } };
    for (size_t s = 0; s < 3; s++)
        for (int rep = 0; rep < 3; rep++) {
            unsigned w = sizes[s][0], h = sizes[s][1];
            /* smooth blobs plus noise, like a shrunk picture */
            double fx = 1 + rnd() % 5, fy = 1 + rnd() % 5, ph = rnd() % 100 / 10.0;
            for (unsigned y = 0; y < h; y++)
                for (unsigned x = 0; x < w; x++)
                    buf[y * w + x] = (uint8_t)(128 + 60 * sin(fx * x / w * 6.283 + ph) *
                                                         cos(fy * y / h * 6.283) +
                                               (double)(rnd() % 40) - 20);
            for (unsigned y = 0; y < h; y++)
                for (unsigned x = 0; x < w; x++)
                    flip[y * w + x] = buf[y * w + (w - 1 - x)];
            chaff_gray g = gray(buf, w, h, w), gf = gray(flip, w, h, w);
            uint64_t hs, mir, hf;
            assert_int_equal(chaff_frame_hash(&g, NULL, CHAFF_FRAME_PHASH, &hs, &mir), CHAFF_OK);
            assert_int_equal(chaff_frame_hash(&gf, NULL, CHAFF_FRAME_PHASH, &hf, NULL), CHAFF_OK);
            assert_int_equal(hs, ref_phash(buf, w, h));
            assert_int_equal(hf, ref_phash(flip, w, h));
            assert_int_equal(mir, hf); /* the mirror hash is the flipped frame's hash */
            assert_int_equal(__builtin_popcountll(hs), 31);
            assert_int_equal(hs >> 63, 0);
        }
}

/* ---- crop variants ---- */

/* The documented geometry, worked out by hand for three frames and border
 * crops: rectangles {x, y, w, h} of the 5 variants (centre, top-left,
 * top-right, bottom-left, bottom-right). Each variant's hash must be the slow
 * reference hash of that rectangle copied out into a frame of its own. */
static void test_crop_variants_match_reference(void **state)
{
    (void)state;
    static uint8_t buf[160 * 160], sub[160 * 160];
    static const struct {
        unsigned w, h;
        chaff_crop border;
        unsigned rect[5][4];
    } cases[] = {
        /* 160 x 160: cw = ch = (19 * 160 + 10) / 20 = 152, margins 8 */
        { 160, 160, { 0, 0, 0, 0 },
          { { 4, 4, 152, 152 }, { 0, 0, 152, 152 }, { 8, 0, 152, 152 }, { 0, 8, 152, 152 },
            { 8, 8, 152, 152 } } },
        /* 120 x 90 inside a border 10, 5, 6, 3: region 104 x 82 at (10, 5),
         * cw = 1986 / 20 = 99, ch = 1568 / 20 = 78, margins 5 and 4 */
        { 120, 90, { 10, 5, 6, 3 },
          { { 12, 7, 99, 78 }, { 10, 5, 99, 78 }, { 15, 5, 99, 78 }, { 10, 9, 99, 78 },
            { 15, 9, 99, 78 } } },
        /* 45 x 77: cw = 865 / 20 = 43, ch = 1473 / 20 = 73, margins 2 and 4 */
        { 45, 77, { 0, 0, 0, 0 },
          { { 1, 2, 43, 73 }, { 0, 0, 43, 73 }, { 2, 0, 43, 73 }, { 0, 4, 43, 73 },
            { 2, 4, 43, 73 } } },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unsigned w = cases[c].w, h = cases[c].h;
        /* random phases: a symmetric picture has AC terms that are 0 in
         * theory, whose bits the reference's rounding noise would decide */
        double fx = 1 + rnd() % 5, fy = 1 + rnd() % 5, px = rnd() % 100 / 10.0,
               py = rnd() % 100 / 10.0;
        for (unsigned y = 0; y < h; y++)
            for (unsigned x = 0; x < w; x++)
                buf[y * w + x] = (uint8_t)(128 + 60 * sin(fx * x / w * 6.283 + px) *
                                                     cos(fy * y / h * 6.283 + py) +
                                           (double)(rnd() % 40) - 20);
        chaff_gray g = gray(buf, w, h, w);
        uint64_t out[CHAFF_CROP_VARIANTS], whole;
        assert_int_equal(chaff_frame_crop_hashes(&g, &cases[c].border, CHAFF_FRAME_PHASH, out),
                         CHAFF_OK);
        assert_int_equal(chaff_frame_hash(&g, &cases[c].border, CHAFF_FRAME_PHASH, &whole, NULL),
                         CHAFF_OK);
        for (unsigned k = 0; k < CHAFF_CROP_VARIANTS; k++) {
            const unsigned *r = cases[c].rect[k];
            for (unsigned y = 0; y < r[3]; y++)
                memcpy(sub + y * r[2], buf + (r[1] + y) * w + r[0], r[2]);
            assert_int_equal(out[k], ref_phash(sub, r[2], r[3]));
            assert_true(out[k] != whole); /* noise makes each rectangle hash apart */
        }
        /* the difference hash takes the same rectangles */
        assert_int_equal(chaff_frame_crop_hashes(&g, &cases[c].border, CHAFF_FRAME_DHASH, out),
                         CHAFF_OK);
        const unsigned *r = cases[c].rect[4];
        for (unsigned y = 0; y < r[3]; y++)
            memcpy(sub + y * r[2], buf + (r[1] + y) * w + r[0], r[2]);
        chaff_gray gs = gray(sub, r[2], r[3], r[2]);
        uint64_t dh;
        assert_int_equal(chaff_frame_hash(&gs, NULL, CHAFF_FRAME_DHASH, &dh, NULL), CHAFF_OK);
        assert_int_equal(out[4], dh);
    }
    /* a one-pixel frame has no margin to cut: every variant is the frame */
    uint8_t px = 200;
    chaff_gray one = gray(&px, 1, 1, 1);
    uint64_t out[CHAFF_CROP_VARIANTS], whole;
    assert_int_equal(chaff_frame_crop_hashes(&one, NULL, CHAFF_FRAME_DHASH, out), CHAFF_OK);
    assert_int_equal(chaff_frame_hash(&one, NULL, CHAFF_FRAME_DHASH, &whole, NULL), CHAFF_OK);
    for (unsigned k = 0; k < CHAFF_CROP_VARIANTS; k++)
        assert_int_equal(out[k], whole);
    /* a border that leaves nothing, an unknown kind */
    chaff_crop all = { 1, 0, 0, 0 };
    assert_int_equal(chaff_frame_crop_hashes(&one, &all, CHAFF_FRAME_PHASH, out), CHAFF_E_ARG);
    assert_int_equal(chaff_frame_crop_hashes(&one, NULL, 7, out), CHAFF_E_ARG);
}

static void fill_halves(uint8_t *p, unsigned w, unsigned h, int vertical, uint8_t a, uint8_t b)
{
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++)
            p[y * w + x] = (vertical ? x < w / 2 : y < h / 2) ? a : b;
}

static void test_phash_steps_by_hand(void **state)
{
    (void)state;
    /* Bright left half: only horizontal frequencies v odd are nonzero, row 0;
     * the sum of cos((2x+1)v pi/64) over x < 16 is sin(v pi/2) / (2 sin(v pi/64)),
     * positive for v = 1, 5 and negative for v = 3, 7. The median of the 63 AC
     * terms is 0, so cells (0,1) and (0,5) are set: bits 62 and 58. */
    static uint8_t buf[100 * 60];
    uint64_t hs, mir;
    fill_halves(buf, 100, 60, 1, 255, 0);
    chaff_gray g = gray(buf, 100, 60, 100);
    assert_int_equal(chaff_frame_hash(&g, NULL, CHAFF_FRAME_PHASH, &hs, &mir), CHAFF_OK);
    assert_int_equal(hs, 0x4400000000000000ull);
    /* flipped: v odd change sign, so (0,3) and (0,7): bits 60 and 56 */
    assert_int_equal(mir, 0x1100000000000000ull);
    /* brightness and contrast do not matter */
    fill_halves(buf, 100, 60, 1, 180, 70);
    assert_int_equal(chaff_frame_hash(&g, NULL, CHAFF_FRAME_PHASH, &hs, NULL), CHAFF_OK);
    assert_int_equal(hs, 0x4400000000000000ull);
    /* bright top half: cells (1,0) and (5,0), bits 55 and 23 */
    fill_halves(buf, 100, 60, 0, 255, 0);
    assert_int_equal(chaff_frame_hash(&g, NULL, CHAFF_FRAME_PHASH, &hs, &mir), CHAFF_OK);
    assert_int_equal(hs, 0x0080000000800000ull);
    assert_int_equal(mir, hs); /* symmetric left-right */
    /* flat frames hash to 0 at any level */
    memset(buf, 77, sizeof buf);
    assert_int_equal(chaff_frame_hash(&g, NULL, CHAFF_FRAME_PHASH, &hs, &mir), CHAFF_OK);
    assert_int_equal(hs, 0);
    assert_int_equal(mir, 0);
    assert_int_equal(chaff_frame_hash(&g, NULL, 7, &hs, NULL), CHAFF_E_ARG);
}

static void test_dhash_by_hand(void **state)
{
    (void)state;
    static uint8_t buf[100 * 60];
    uint64_t hs, mir;
    /* bright left half: cells never get brighter to the right */
    fill_halves(buf, 100, 60, 1, 255, 0);
    chaff_gray g = gray(buf, 100, 60, 100);
    assert_int_equal(chaff_frame_hash(&g, NULL, CHAFF_FRAME_DHASH, &hs, &mir), CHAFF_OK);
    assert_int_equal(hs, 0);
    /* flipped (bright right half): 9 cells of 100/9 pixels; cell 4 straddles
     * x = 50, so each row rises at c = 3 (cell 4 > cell 3) and c = 4 */
    assert_int_equal(mir, 0x1818181818181818ull);
    fill_halves(buf, 100, 60, 1, 0, 255);
    assert_int_equal(chaff_frame_hash(&g, NULL, CHAFF_FRAME_DHASH, &hs, &mir), CHAFF_OK);
    assert_int_equal(hs, 0x1818181818181818ull);
    assert_int_equal(mir, 0);
    /* a horizontal ramp 0..99: every cell brighter than the one to its left */
    for (unsigned y = 0; y < 60; y++)
        for (unsigned x = 0; x < 100; x++)
            buf[y * 100 + x] = (uint8_t)x;
    assert_int_equal(chaff_frame_hash(&g, NULL, CHAFF_FRAME_DHASH, &hs, &mir), CHAFF_OK);
    assert_int_equal(hs, UINT64_MAX);
    assert_int_equal(mir, 0);
}

static void test_hamming(void **state)
{
    (void)state;
    assert_int_equal(chaff_hamming(0, 0), 0);
    assert_int_equal(chaff_hamming(0, UINT64_MAX), 64);
    assert_int_equal(chaff_hamming(0x4400000000000000ull, 0x1100000000000000ull), 4);
    assert_int_equal(chaff_hamming(1, 3), 1);
}

/* ---- borders ---- */

/* Content of random bright pixels inside bars of black (level 16, with a
 * bright speck where (x + 7y) % 64 == 0, like codec noise: at most 2 in a
 * column of 90 and 3 in a row of 160, under the 1-in-32 limit). */
static void boxed(uint8_t *p, unsigned w, unsigned h, chaff_crop bar)
{
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++) {
            int in = x >= bar.left && x < w - bar.right && y >= bar.top && y < h - bar.bottom;
            p[y * w + x] = in ? (uint8_t)(40 + rnd() % 200) : ((x + 7 * y) % 64 ? 16 : 200);
        }
}

static void test_border_letterbox_pillarbox(void **state)
{
    (void)state;
    static uint8_t buf[160 * 90];
    const chaff_crop cases[] = { { 0, 12, 0, 12 }, { 20, 0, 20, 0 }, { 0, 0, 0, 0 },
                                 { 3, 5, 7, 11 }, { 0, 1, 0, 0 } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        boxed(buf, 160, 90, cases[i]);
        chaff_gray g = gray(buf, 160, 90, 160);
        chaff_crop b;
        assert_int_equal(chaff_frame_border(&g, &b), 0);
        assert_int_equal(b.left, cases[i].left);
        assert_int_equal(b.top, cases[i].top);
        assert_int_equal(b.right, cases[i].right);
        assert_int_equal(b.bottom, cases[i].bottom);
    }
    /* a line with 1 bright pixel in 32 is border, with one more it is not */
    memset(buf, 0, sizeof buf);
    memset(buf + 45 * 160, 255, 160); /* one bright row in the middle */
    for (unsigned x = 0; x < 5; x++)
        buf[x * 32] = 33; /* 5 of 160 = 1 in 32: still black */
    chaff_gray g = gray(buf, 160, 90, 160);
    chaff_crop b;
    assert_int_equal(chaff_frame_border(&g, &b), 0);
    assert_int_equal(b.top, 45);
    assert_int_equal(b.bottom, 44);
    buf[7] = 33;
    assert_int_equal(chaff_frame_border(&g, &b), 0);
    assert_int_equal(b.top, 0);
    /* level 32 is black, 33 is not */
    memset(buf, 32, sizeof buf);
    assert_int_equal(chaff_frame_border(&g, &b), 1);
}

static void test_border_per_video(void **state)
{
    (void)state;
    static uint8_t buf[160 * 90];
    chaff_border_acc acc;
    chaff_crop c;
    chaff_border_acc_init(&acc, 160, 90);
    /* no frames, or only dark ones: no crop */
    chaff_border_acc_crop(&acc, &c);
    assert_int_equal(c.left + c.top + c.right + c.bottom, 0);
    memset(buf, 10, sizeof buf);
    chaff_gray g = gray(buf, 160, 90, 160);
    assert_int_equal(chaff_border_acc_add(&acc, &g), CHAFF_OK);
    chaff_border_acc_crop(&acc, &c);
    assert_int_equal(c.left + c.top + c.right + c.bottom, 0);
    /* pillarbox 20; a dark scene inside it looks like a 40 border; the video's
     * crop is the narrowest, 20 */
    boxed(buf, 160, 90, (chaff_crop){ 40, 0, 40, 0 });
    assert_int_equal(chaff_border_acc_add(&acc, &g), CHAFF_OK);
    boxed(buf, 160, 90, (chaff_crop){ 20, 0, 20, 0 });
    assert_int_equal(chaff_border_acc_add(&acc, &g), CHAFF_OK);
    boxed(buf, 160, 90, (chaff_crop){ 30, 10, 20, 0 });
    assert_int_equal(chaff_border_acc_add(&acc, &g), CHAFF_OK);
    chaff_border_acc_crop(&acc, &c);
    assert_int_equal(c.left, 20);
    assert_int_equal(c.right, 20);
    assert_int_equal(c.top, 0);
    assert_int_equal(acc.frames, 4);
    assert_int_equal(acc.dark, 1);
    /* never more than 3/8 of a side: a small bright object in a corner */
    chaff_border_acc_init(&acc, 160, 90);
    memset(buf, 16, sizeof buf);
    for (unsigned y = 80; y < 90; y++)
        memset(buf + y * 160 + 150, 200, 10);
    assert_int_equal(chaff_border_acc_add(&acc, &g), CHAFF_OK);
    chaff_border_acc_crop(&acc, &c);
    assert_int_equal(c.left, 60);
    assert_int_equal(c.top, 33);
    /* frames of another size are refused */
    chaff_gray other = gray(buf, 80, 90, 160);
    assert_int_equal(chaff_border_acc_add(&acc, &other), CHAFF_E_ARG);
}

static void test_pillarbox_hash_matches_source(void **state)
{
    (void)state;
    /* A 96x72 picture, and the same picture pillarboxed in a 160x72 frame:
     * after the detected crop both shrink to the same 32x32 grid. */
    static uint8_t src[96 * 72], box[160 * 72];
    for (unsigned y = 0; y < 72; y++)
        for (unsigned x = 0; x < 96; x++)
            src[y * 96 + x] = (uint8_t)(60 + 100 * sin(x / 9.0) * sin(y / 13.0) + 50);
    memset(box, 16, sizeof box);
    for (unsigned y = 0; y < 72; y++)
        memcpy(box + y * 160 + 32, src + y * 96, 96);
    chaff_gray gs = gray(src, 96, 72, 96), gb = gray(box, 160, 72, 160);
    chaff_border_acc acc;
    chaff_border_acc_init(&acc, 160, 72);
    assert_int_equal(chaff_border_acc_add(&acc, &gb), CHAFF_OK);
    chaff_crop c;
    chaff_border_acc_crop(&acc, &c);
    assert_int_equal(c.left, 32);
    assert_int_equal(c.right, 32);
    uint64_t a, b, unc;
    assert_int_equal(chaff_frame_hash(&gs, NULL, CHAFF_FRAME_PHASH, &a, NULL), CHAFF_OK);
    assert_int_equal(chaff_frame_hash(&gb, &c, CHAFF_FRAME_PHASH, &b, NULL), CHAFF_OK);
    assert_int_equal(a, b);
    assert_int_equal(chaff_frame_hash(&gb, NULL, CHAFF_FRAME_PHASH, &unc, NULL), CHAFF_OK);
    assert_true(chaff_hamming(a, unc) > 12); /* without the crop it would be missed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shrink_fractional),
        cmocka_unit_test(test_shrink_crop_and_stride),
        cmocka_unit_test(test_shrink_matches_reference),
        cmocka_unit_test(test_phash_matches_reference),
        cmocka_unit_test(test_crop_variants_match_reference),
        cmocka_unit_test(test_phash_steps_by_hand),
        cmocka_unit_test(test_dhash_by_hand),
        cmocka_unit_test(test_hamming),
        cmocka_unit_test(test_border_letterbox_pillarbox),
        cmocka_unit_test(test_border_per_video),
        cmocka_unit_test(test_pillarbox_hash_matches_source),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
