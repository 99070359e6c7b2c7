/* core/filter_video.c - degenerate videos (--filter video), judged on the
 * frame hashes alone, so that any producer of frames records can use it.
 *
 * The rules work on what the DCT hash keeps: a flat frame has no AC energy,
 * every coefficient rounds to 0 and none is above the median, so it hashes
 * to 0 whatever its colour; a content frame sets about half of the 63 AC
 * bits. A frozen video's frames stay within encoding noise of each other;
 * the distance to the first frame is used rather than to the previous one,
 * because slow motion moves a few bits a frame and would look frozen. */
#include <stdarg.h>
#include <stdio.h>
#include "internal.h"

static const chaff_filter_param PARAMS[] = {
    { "video.min_frames", "video.too_short", 2, 1, 1e9, 1, "measured",
      "fewer frames than this is too short (1 frame/s: seconds)" },
    { "video.blank_bits", "video.blank", 4, 0, 63, 1, "measured",
      "a frame hash with at most this many bits set is blank (flat frames hash to 0)" },
    { "video.max_blank_share", "video.blank", 0.5, 0, 1, 0, "measured",
      "more than this share of blank frames is a blank video" },
    { "video.frozen_bits", "video.frozen", 10, 0, 64, 1, "measured",
      "every frame within this many bits of the first is a frozen video" },
};
#define NPARAMS (sizeof PARAMS / sizeof PARAMS[0])

static const char *const RULES[] = { "video.too_short", "video.blank", "video.frozen" };

void chaff_video_rules_default(chaff_video_rules *r)
{
    r->min_frames = PARAMS[0].def;
    r->blank_bits = PARAMS[1].def;
    r->max_blank_share = PARAMS[2].def;
    r->frozen_bits = PARAMS[3].def;
}

const chaff_filter_param *chaff_video_params(size_t *count)
{
    *count = NPARAMS;
    return PARAMS;
}

static void say(char *why, size_t cap, const char *fmt, ...)
{
    if (!why || !cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
}

chaff_status chaff_video_rules_set(chaff_video_rules *r, const char *name, const char *value,
                                   char *why, size_t why_cap)
{
    double *slot[NPARAMS] = { &r->min_frames, &r->blank_bits, &r->max_blank_share,
                              &r->frozen_bits };
    size_t i = 0;
    while (i < NPARAMS && strcmp(PARAMS[i].name, name))
        i++;
    if (i == NPARAMS) {
        say(why, why_cap, "unknown video parameter '%s' (video.min_frames, video.blank_bits, "
            "video.max_blank_share, video.frozen_bits)", name);
        return CHAFF_E_ARG;
    }
    return chaff__param_parse(&PARAMS[i], value, slot[i], why, why_cap);
}

int chaff_video_judge(const chaff_video_rules *r, const uint64_t *frames, size_t n, double *value)
{
    if ((double)n < r->min_frames) {
        *value = (double)n;
        return CHAFF_VIDEO_TOO_SHORT;
    }
    if (n == 0)
        return CHAFF_VIDEO_KEPT; /* only with min_frames 0, which the range forbids */
    size_t blank = 0;
    unsigned span = 0;
    for (size_t i = 0; i < n; i++) {
        blank += chaff__popcount64(frames[i]) <= r->blank_bits;
        unsigned d = chaff__popcount64(frames[i] ^ frames[0]);
        span = d > span ? d : span;
    }
    double share = (double)blank / (double)n;
    if (share > r->max_blank_share) {
        *value = share;
        return CHAFF_VIDEO_BLANK;
    }
    if (n >= 2 && span <= r->frozen_bits) {
        *value = span;
        return CHAFF_VIDEO_FROZEN;
    }
    return CHAFF_VIDEO_KEPT;
}

const char *chaff_video_rule_name(int rule)
{
    return rule >= 0 && rule < 3 ? RULES[rule] : NULL;
}
