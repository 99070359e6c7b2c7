/* core/filter_fineweb.h - the fineweb preset (FineWeb's own line rules). */
#ifndef CHAFF_FILTER_FINEWEB_H
#define CHAFF_FILTER_FINEWEB_H

#include "filter.h"

extern const chaff__preset chaff__preset_fineweb;

#endif
