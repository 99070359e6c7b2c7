/* core/filter_gopher.h - the gopher preset (Gopher quality + repetition rules). */
#ifndef CHAFF_FILTER_GOPHER_H
#define CHAFF_FILTER_GOPHER_H

#include "filter.h"

extern const chaff__preset chaff__preset_gopher;

#endif
