/* core/filter_degenerate.h - the degenerate preset: broken or looping text. */
#ifndef CHAFF_FILTER_DEGENERATE_H
#define CHAFF_FILTER_DEGENERATE_H

#include "filter.h"

extern const chaff__preset chaff__preset_degenerate;

/* Parameter order of chaff__preset_degenerate.params (the p[] eval gets). */
enum {
    CHAFF__DEG_MIN_CHARS, CHAFF__DEG_MAX_CHARS, CHAFF__DEG_MAX_INVALID,
    CHAFF__DEG_MAX_REPLACEMENT, CHAFF__DEG_MAX_CONTROL, CHAFF__DEG_MAX_MOJIBAKE,
    CHAFF__DEG_NGRAM, CHAFF__DEG_MAX_REPEATED,
    CHAFF__DEG_MAX_RATIO, CHAFF__DEG_MIN_RATIO_BYTES, CHAFF__DEG_NPARAMS
};

#endif
