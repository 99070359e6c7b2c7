/* core/filter_c4.h - the c4 preset (C4's line and page rules). */
#ifndef CHAFF_FILTER_C4_H
#define CHAFF_FILTER_C4_H

#include "filter.h"

extern const chaff__preset chaff__preset_c4;

#endif
