/* tests/test_filter_video.c - the degenerate-video rules (--filter video):
 * each rule at, just under and just over its threshold on hand-made frame
 * hashes, their order, and the parameter setter's checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <chaff.h>

/* A content frame: 32 of the 63 AC bits set, like a median-thresholded hash. */
#define CONTENT 0x5a5a5a5a5a5a5a5aull

/* CONTENT with its lowest `bits` bits flipped: exactly `bits` bits away */
static uint64_t away(unsigned bits)
{
    return CONTENT ^ (bits ? (1ull << bits) - 1 : 0);
}

static void test_defaults(void **state)
{
    (void)state;
    chaff_video_rules r;
    chaff_video_rules_default(&r);
    assert_true(r.min_frames == 2);
    assert_true(r.blank_bits == 4);
    assert_true(r.max_blank_share == 0.5);
    assert_true(r.frozen_bits == 10);
    size_t n;
    const chaff_filter_param *p = chaff_video_params(&n);
    assert_int_equal(n, 4);
    assert_string_equal(p[0].name, "video.min_frames");
    assert_string_equal(p[3].rule, "video.frozen");
    assert_string_equal(chaff_video_rule_name(CHAFF_VIDEO_TOO_SHORT), "video.too_short");
    assert_string_equal(chaff_video_rule_name(CHAFF_VIDEO_BLANK), "video.blank");
    assert_string_equal(chaff_video_rule_name(CHAFF_VIDEO_FROZEN), "video.frozen");
    assert_null(chaff_video_rule_name(3));
    assert_null(chaff_video_rule_name(-1));
}

static void test_too_short(void **state)
{
    (void)state;
    chaff_video_rules r;
    chaff_video_rules_default(&r);
    r.min_frames = 3;
    uint64_t f[3] = { away(0), away(20), away(40) };
    double v = -1;
    assert_int_equal(chaff_video_judge(&r, f, 0, &v), CHAFF_VIDEO_TOO_SHORT);
    assert_true(v == 0);
    assert_int_equal(chaff_video_judge(&r, f, 2, &v), CHAFF_VIDEO_TOO_SHORT);
    assert_true(v == 2);
    v = -1;
    assert_int_equal(chaff_video_judge(&r, f, 3, &v), CHAFF_VIDEO_KEPT);
    assert_true(v == -1); /* untouched when kept */
    /* an image (one frame) is kept with min_frames 1 and never frozen */
    r.min_frames = 1;
    assert_int_equal(chaff_video_judge(&r, f, 1, &v), CHAFF_VIDEO_KEPT);
}

static void test_blank(void **state)
{
    (void)state;
    chaff_video_rules r;
    chaff_video_rules_default(&r);
    /* blank_bits 4: 0x0f (4 bits) is blank, 0x1f (5 bits) is not */
    uint64_t f[4] = { 0x0f, 0, away(20), away(40) };
    double v = -1;
    /* 2 of 4 blank: 0.5 is not more than 0.5 */
    assert_int_equal(chaff_video_judge(&r, f, 4, &v), CHAFF_VIDEO_KEPT);
    f[0] = 0x1f; /* 1 of 4 */
    assert_int_equal(chaff_video_judge(&r, f, 4, &v), CHAFF_VIDEO_KEPT);
    f[0] = 0;
    f[3] = 0x8000000000000003ull; /* 3 bits, the highest among them: 3 of 4 */
    assert_int_equal(chaff_video_judge(&r, f, 4, &v), CHAFF_VIDEO_BLANK);
    assert_true(v == 0.75);
    r.max_blank_share = 0.75; /* at the share: kept */
    assert_int_equal(chaff_video_judge(&r, f, 4, &v), CHAFF_VIDEO_KEPT);
    r.max_blank_share = 0.74;
    assert_int_equal(chaff_video_judge(&r, f, 4, &v), CHAFF_VIDEO_BLANK);
    r.max_blank_share = 0.5;
    r.blank_bits = 2; /* now only f[0] and f[1]: 2 of 4 */
    assert_int_equal(chaff_video_judge(&r, f, 4, &v), CHAFF_VIDEO_KEPT);
    /* an all-black video is blank before it is frozen */
    uint64_t black[5] = { 0, 0, 0, 0, 0 };
    assert_int_equal(chaff_video_judge(&r, black, 5, &v), CHAFF_VIDEO_BLANK);
    assert_true(v == 1);
}

static void test_frozen(void **state)
{
    (void)state;
    chaff_video_rules r;
    chaff_video_rules_default(&r);
    /* distances from the first frame: 3, 10, 7 -> span 10 = frozen_bits */
    uint64_t f[4] = { away(0), away(3), away(10), away(7) };
    double v = -1;
    assert_int_equal(chaff_video_judge(&r, f, 4, &v), CHAFF_VIDEO_FROZEN);
    assert_true(v == 10);
    f[2] = away(11); /* span 11: kept */
    assert_int_equal(chaff_video_judge(&r, f, 4, &v), CHAFF_VIDEO_KEPT);
    r.frozen_bits = 11;
    assert_int_equal(chaff_video_judge(&r, f, 4, &v), CHAFF_VIDEO_FROZEN);
    assert_true(v == 11);
    /* the span is from the first frame, not between neighbours: frames 5 bits
     * apart each step drift 20 bits in all and are not frozen */
    r.frozen_bits = 10;
    uint64_t drift[5] = { away(0), away(0) ^ (0x1full << 5), away(0) ^ (0x3ffull << 5),
                          away(0) ^ (0x7fffull << 5), away(0) ^ (0xfffffull << 5) };
    assert_int_equal(chaff_video_judge(&r, drift, 5, &v), CHAFF_VIDEO_KEPT);
    /* too short is tried first: one frame with min_frames 2 */
    assert_int_equal(chaff_video_judge(&r, f, 1, &v), CHAFF_VIDEO_TOO_SHORT);
    assert_true(v == 1);
}

static void test_set(void **state)
{
    (void)state;
    chaff_video_rules r;
    chaff_video_rules_default(&r);
    char why[200];
    assert_int_equal(chaff_video_rules_set(&r, "video.frozen_bits", "6", why, sizeof why),
                     CHAFF_OK);
    assert_true(r.frozen_bits == 6);
    assert_int_equal(chaff_video_rules_set(&r, "video.max_blank_share", "0.9", why, sizeof why),
                     CHAFF_OK);
    assert_true(r.max_blank_share == 0.9);
    assert_int_equal(chaff_video_rules_set(&r, "video.frozen_bits", "6.5", why, sizeof why),
                     CHAFF_E_ARG);
    assert_string_equal(why, "video.frozen_bits: '6.5' is not a whole number");
    assert_int_equal(chaff_video_rules_set(&r, "video.frozen_bits", "65", why, sizeof why),
                     CHAFF_E_ARG);
    assert_string_equal(why, "video.frozen_bits: 65 is out of range (0..64)");
    assert_int_equal(chaff_video_rules_set(&r, "video.min_frames", "0", why, sizeof why),
                     CHAFF_E_ARG);
    assert_int_equal(chaff_video_rules_set(&r, "video.max_blank_share", "x", why, sizeof why),
                     CHAFF_E_ARG);
    assert_string_equal(why, "video.max_blank_share: 'x' is not a number");
    /* the text filter's rules for a value: decimal only, no blanks, no hex */
    static const char *const not_numbers[] = { "", " ", "0x3", "inf", "nan", "3 " };
    for (size_t k = 0; k < sizeof not_numbers / sizeof *not_numbers; k++)
        assert_int_equal(chaff_video_rules_set(&r, "video.frozen_bits", not_numbers[k], why,
                                               sizeof why),
                         CHAFF_E_ARG);
    assert_int_equal(chaff_video_rules_set(&r, "gopher.min_doc_words", "5", why, sizeof why),
                     CHAFF_E_ARG);
    assert_true(r.frozen_bits == 6); /* failed sets change nothing */
    assert_true(r.min_frames == 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),   cmocka_unit_test(test_too_short),
        cmocka_unit_test(test_blank),      cmocka_unit_test(test_frozen),
        cmocka_unit_test(test_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
