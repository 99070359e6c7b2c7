/* tests/test_frames.c - near-duplicate videos over frame hashes: the matched
 * share at and around --threshold and --max-hamming, the shorter video's
 * point of view (trims and concatenations), exact duplicates, empty videos,
 * cropped copies through crop variants in either order,
 * and verdicts that do not depend on threads or batch size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "store.h"

static uint64_t rs = 99;
static uint64_t rnd64(void)
{
    rs += 0x9e3779b97f4a7c15ull;
    uint64_t z = rs;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* x with its lowest `bits` AC bits flipped (bit 63, the DC bit, kept) */
static uint64_t flip(uint64_t x, unsigned bits)
{
    return x ^ (bits ? (bits >= 63 ? ~0ull >> 1 : (1ull << bits) - 1) : 0);
}

static chaff_dedup *make(double t, unsigned d, unsigned threads)
{
    chaff_options o;
    chaff_options_default(&o);
    o.kind = CHAFF_KIND_FRAMES;
    o.threshold = t;
    o.max_hamming = d;
    o.threads = threads;
    chaff_dedup *dd;
    assert_int_equal(chaff_dedup_new(&dd, &o), CHAFF_OK);
    return dd;
}

/* The verifier alone: share of the shorter video's frames with a match. */
static void test_share_at_thresholds(void **state)
{
    (void)state;
    chaff__store s;
    chaff__store_init(&s, NULL);
    chaff__store_keep_all(&s);
    uint64_t kept[5], q[5];
    for (int i = 0; i < 5; i++)
        kept[i] = rnd64() >> 1;
    uint32_t id;
    XXH128_hash_t h = { 1, 2 };
    assert_int_equal(chaff__store_add(&s, 0, h, (const uint32_t *)(const void *)kept, 10, &id),
                     CHAFF_OK);
    /* 4 frames 12 bits away, 1 frame 13 bits away: 4/5 at D = 12 */
    for (int i = 0; i < 5; i++)
        q[i] = flip(kept[i], i == 2 ? 13 : 12);
    const uint32_t *qq = (const uint32_t *)(const void *)q;
    assert_true(chaff__store_frame_share(&s, id, qq, 5, 12, 0.8) == 0.8);
    assert_true(chaff__store_frame_share(&s, id, qq, 5, 12, 0.0) == 0.8);
    assert_true(chaff__store_frame_share(&s, id, qq, 5, 13, 0.8) == 1.0);
    assert_true(chaff__store_frame_share(&s, id, qq, 5, 11, 0.0) == 0.0);
    /* 0.8 cannot reach 0.81: reported below 0 */
    assert_true(chaff__store_frame_share(&s, id, qq, 5, 12, 0.81) < 0);
    /* the shorter side counts: 2 query frames, both matched, against 5 */
    assert_true(chaff__store_frame_share(&s, id, qq, 2, 12, 0.8) == 1.0);
    /* a query longer than the kept video: the kept video's frames count.
     * Its frames 0,1,3,4 appear (12 bits off) among 8, frame 2 does not. */
    uint64_t longer[8];
    for (int i = 0; i < 8; i++)
        longer[i] = i < 5 ? q[i] : rnd64() >> 1;
    assert_true(chaff__store_frame_share(&s, id, (const uint32_t *)(const void *)longer, 8, 12,
                                         0.0) == 0.8);
    chaff__store_free(&s);
}

static void test_dedup_videos(void **state)
{
    (void)state;
    enum { N = 20 };
    uint64_t a[N], b[N], c[N], e[N], f[N + 10], g[N];
    for (int i = 0; i < N; i++) {
        a[i] = rnd64() >> 1;
        b[i] = flip(a[i], 2);                 /* a re-encode: 2 bits off */
        c[i] = rnd64() >> 1;                  /* another video */
        e[i] = a[i];                          /* an exact copy */
        g[i] = i < 15 ? flip(a[i], 2) : rnd64() >> 1; /* 15/20 = 0.75 < 0.8 */
    }
    for (int i = 0; i < N + 10; i++) /* a: 10 frames of other content, then a */
        f[i] = i < 10 ? rnd64() >> 1 : flip(a[i - 10], 2);
    chaff_video v[] = {
        { a, N, 0, NULL, NULL },      { b, N, 1, NULL, NULL }, { c, N, 2, NULL, NULL }, { e, N, 3, NULL, NULL },
        { a + 5, 10, 4, NULL, NULL }, /* a trimmed copy: 10 frames of a */
        { f, N + 10, 5, NULL, NULL }, { g, N, 6, NULL, NULL }, { NULL, 0, 7, NULL, NULL }, { NULL, 0, 8, NULL, NULL },
    };
    size_t n = sizeof v / sizeof v[0];
    chaff_verdict out[9];
    chaff_dedup *d = make(0.8, 12, 1);
    assert_int_equal(chaff_dedup_add_frames(d, v, n, out), CHAFF_OK);
    const int reason[] = { CHAFF_KEEP, CHAFF_DROP_NEAR, CHAFF_KEEP, CHAFF_DROP_EXACT,
                           CHAFF_DROP_NEAR, CHAFF_DROP_NEAR, CHAFF_KEEP, CHAFF_KEEP, CHAFF_KEEP };
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(out[i].reason, reason[i]);
        if (reason[i] != CHAFF_KEEP)
            assert_int_equal(out[i].duplicate_of, 0);
    }
    assert_true(out[1].similarity == 1.0);
    assert_true(out[4].similarity == 1.0);
    assert_true(out[5].similarity == 1.0); /* a's 20 frames all inside f */
    /* text records are refused by a frames engine, and the reverse */
    chaff_doc doc = { "x", 1, 0 };
    assert_int_equal(chaff_dedup_add(d, &doc, 1, out), CHAFF_E_ARG);
    chaff_dedup_free(d);
    /* at threshold 0.75, g (15 of 20) is a duplicate too, with share 0.75 */
    d = make(0.75, 12, 1);
    assert_int_equal(chaff_dedup_add_frames(d, v, n, out), CHAFF_OK);
    assert_int_equal(out[6].reason, CHAFF_DROP_NEAR);
    assert_true(out[6].similarity == 0.75);
    chaff_dedup_free(d);
    /* with max_hamming 1, the 2-bit re-encode is not one */
    d = make(0.8, 1, 1);
    assert_int_equal(chaff_dedup_add_frames(d, v, n, out), CHAFF_OK);
    assert_int_equal(out[1].reason, CHAFF_KEEP);
    assert_int_equal(out[3].reason, CHAFF_DROP_EXACT);
    chaff_dedup_free(d);
    chaff_options o;
    chaff_options_default(&o);
    assert_int_equal(chaff_dedup_new(&d, &o), CHAFF_OK);
    assert_int_equal(chaff_dedup_add_frames(d, v, n, out), CHAFF_E_ARG);
    chaff_dedup_free(d);
    o.max_hamming = 65;
    assert_int_equal(chaff_options_check(&o, NULL, 0), CHAFF_E_ARG);
}

/* Crop variants: a video stores CHAFF_CROP_VARIANTS hashes per frame. A
 * cropped copy is found before or after its source; a variant matches within
 * max_hamming / 2 bits (6 at 12). Flipping the lowest bits leaves every frame
 * token as it was (they sample the low frequencies, bits 63-35 and so on), so
 * the candidates are certain and these cases test verification alone. */
static void test_crop_variants(void **state)
{
    (void)state;
    enum { N = 10, K = CHAFF_CROP_VARIANTS };
    uint64_t s[N], sc[N * K], c6[N], c7[N], cc[N * K], e[N], x[N], xc[N * K];
    for (int i = 0; i < N; i++) {
        s[i] = rnd64() >> 1;
        for (int k = 0; k < K; k++) {
            sc[i * K + k] = rnd64() >> 1;
            cc[i * K + k] = rnd64() >> 1; /* the copy's own variants: crops of a crop */
            xc[i * K + k] = rnd64() >> 1;
        }
        c6[i] = flip(sc[i * K + 3], 6); /* the bottom-left crop, re-encoded */
        c7[i] = flip(sc[i * K + 3], 7);
        e[i] = sc[i * K + 1];           /* exactly the top-left variant */
        x[i] = rnd64() >> 1;
    }
    for (int i = 0; i < N; i++) /* x's variants are s's: variants never match variants */
        for (int k = 0; k < K; k++)
            xc[i * K + k] = sc[i * K + k];
    chaff_verdict out[4];
    chaff_dedup *d = make(0.8, 12, 1);
    /* source first: the copy matches a stored variant */
    chaff_video a[] = { { s, N, 10, NULL, sc }, { c6, N, 11, NULL, cc }, { c7, N, 12, NULL, cc },
                        { e, N, 13, NULL, NULL } };
    assert_int_equal(chaff_dedup_add_frames(d, a, 4, out), CHAFF_OK);
    assert_int_equal(out[0].reason, CHAFF_KEEP);
    assert_int_equal(out[1].reason, CHAFF_DROP_NEAR);
    assert_int_equal(out[1].duplicate_of, 10);
    assert_true(out[1].similarity == 1.0);
    assert_int_equal(out[2].reason, CHAFF_KEEP); /* 7 bits: over 12 / 2 */
    /* equal to a variant is a near duplicate of the video, never an exact one */
    assert_int_equal(out[3].reason, CHAFF_DROP_NEAR);
    assert_int_equal(out[3].duplicate_of, 10);
    chaff_dedup_free(d);
    /* copy first: the source's variants find it */
    d = make(0.8, 12, 1);
    chaff_video b[] = { { c6, N, 0, NULL, cc }, { s, N, 1, NULL, sc } };
    assert_int_equal(chaff_dedup_add_frames(d, b, 2, out), CHAFF_OK);
    assert_int_equal(out[0].reason, CHAFF_KEEP);
    assert_int_equal(out[1].reason, CHAFF_DROP_NEAR);
    assert_int_equal(out[1].duplicate_of, 0);
    assert_true(out[1].similarity == 1.0);
    chaff_dedup_free(d);
    d = make(0.8, 12, 1);
    chaff_video b7[] = { { c7, N, 0, NULL, cc }, { s, N, 1, NULL, sc } };
    assert_int_equal(chaff_dedup_add_frames(d, b7, 2, out), CHAFF_OK);
    assert_int_equal(out[1].reason, CHAFF_KEEP);
    chaff_dedup_free(d);
    /* at max_hamming 14 the variant bound is 7: the 7-bit copy is found */
    d = make(0.8, 14, 1);
    assert_int_equal(chaff_dedup_add_frames(d, b7, 2, out), CHAFF_OK);
    assert_int_equal(out[1].reason, CHAFF_DROP_NEAR);
    chaff_dedup_free(d);
    /* without the source's variants, neither order finds the copy */
    d = make(0.8, 12, 1);
    chaff_video c[] = { { s, N, 0, NULL, NULL }, { c6, N, 1, NULL, cc } };
    assert_int_equal(chaff_dedup_add_frames(d, c, 2, out), CHAFF_OK);
    assert_int_equal(out[1].reason, CHAFF_KEEP);
    chaff_dedup_free(d);
    d = make(0.8, 12, 1);
    chaff_video c2[] = { { c6, N, 0, NULL, cc }, { s, N, 1, NULL, NULL } };
    assert_int_equal(chaff_dedup_add_frames(d, c2, 2, out), CHAFF_OK);
    assert_int_equal(out[1].reason, CHAFF_KEEP);
    chaff_dedup_free(d);
    /* Frames 10 bits apart, all 10 in the low frequencies the tokens sample:
     * no token is shared, so the frames alone do not even make a candidate.
     * Equal variants do, and the frames are then compared as frames. */
    uint64_t lowmask = 0, t[N];
    const unsigned cells[] = { 1, 8, 9, 2, 16, 10, 17, 3, 24, 18 }; /* r + c <= 3 */
    for (int i = 0; i < 10; i++)
        lowmask |= 1ull << (63 - cells[i]);
    for (int i = 0; i < N; i++)
        t[i] = s[i] ^ lowmask;
    d = make(0.8, 12, 1);
    chaff_video w[] = { { s, N, 0, NULL, sc }, { t, N, 1, NULL, NULL } };
    assert_int_equal(chaff_dedup_add_frames(d, w, 2, out), CHAFF_OK);
    assert_int_equal(out[1].reason, CHAFF_KEEP);
    chaff_dedup_free(d);
    d = make(0.8, 12, 1);
    w[1].crops = sc;
    assert_int_equal(chaff_dedup_add_frames(d, w, 2, out), CHAFF_OK);
    assert_int_equal(out[1].reason, CHAFF_DROP_NEAR);
    assert_int_equal(out[1].duplicate_of, 0);
    assert_true(out[1].similarity == 1.0);
    chaff_dedup_free(d);
    d = make(0.8, 9, 1); /* and at 9 bits, the frames are not alike */
    assert_int_equal(chaff_dedup_add_frames(d, w, 2, out), CHAFF_OK);
    assert_int_equal(out[1].reason, CHAFF_KEEP);
    chaff_dedup_free(d);
    /* two videos that share only their variants are not duplicates */
    d = make(0.8, 12, 1);
    chaff_video v[] = { { s, N, 0, NULL, sc }, { x, N, 1, NULL, xc } };
    assert_int_equal(chaff_dedup_add_frames(d, v, 2, out), CHAFF_OK);
    assert_int_equal(out[1].reason, CHAFF_KEEP);
    chaff_dedup_free(d);
}

/* Many videos, some copies with a few bits flipped per frame: verdicts are
 * the same for 1 and 3 threads and for one call or many, and every copy
 * whose frames are at most 4 bits off is found (tokens of 16 bits then match
 * with probability >= 0.35 each, 8 per frame, 30 frames per video). */
static void test_threads_and_recall(void **state)
{
    (void)state;
    enum { V = 3000, F = 30 };
    uint64_t *fr = malloc((size_t)V * F * sizeof *fr);
    chaff_video *v = malloc(V * sizeof *v);
    chaff_verdict *o1 = malloc(V * sizeof *o1), *o2 = malloc(V * sizeof *o2);
    assert_non_null(fr);
    assert_non_null(v);
    assert_non_null(o1);
    assert_non_null(o2);
    for (size_t i = 0; i < V; i++) {
        for (size_t k = 0; k < F; k++) {
            uint64_t x = rnd64() >> 1;
            if (i % 3 == 2) { /* a copy of video i - 1, 0..4 bits off per frame */
                x = fr[(i - 1) * F + k];
                for (unsigned b = rnd64() % 5; b; b--)
                    x ^= 1ull << (rnd64() % 63);
            }
            fr[i * F + k] = x;
        }
        v[i] = (chaff_video){ fr + i * F, F, i, NULL, NULL };
    }
    chaff_dedup *d = make(0.8, 12, 1);
    assert_int_equal(chaff_dedup_add_frames(d, v, V, o1), CHAFF_OK);
    chaff_dedup_free(d);
    d = make(0.8, 12, 3);
    for (size_t i = 0; i < V; i += 700)
        assert_int_equal(chaff_dedup_add_frames(d, v + i, V - i < 700 ? V - i : 700, o2 + i),
                         CHAFF_OK);
    chaff_dedup_free(d);
    size_t found = 0;
    for (size_t i = 0; i < V; i++) {
        assert_int_equal(o1[i].reason, o2[i].reason);
        assert_int_equal(o1[i].duplicate_of, o2[i].duplicate_of);
        if (i % 3 == 2)
            found += o1[i].reason == CHAFF_DROP_NEAR && o1[i].duplicate_of == i - 1;
        else
            assert_int_equal(o1[i].reason, CHAFF_KEEP);
    }
    assert_int_equal(found, V / 3);
    free(fr);
    free(v);
    free(o1);
    free(o2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_share_at_thresholds),
        cmocka_unit_test(test_dedup_videos),
        cmocka_unit_test(test_crop_variants),
        cmocka_unit_test(test_threads_and_recall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
