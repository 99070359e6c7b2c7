/* core/filter_synthetic.h - the synthetic preset: assistant refusals and boilerplate. */
#ifndef CHAFF_FILTER_SYNTHETIC_H
#define CHAFF_FILTER_SYNTHETIC_H

#include "filter.h"
#include "phrases.h"

extern const chaff__preset chaff__preset_synthetic;

/* The preset's reasons, in rule order; families of a user's file default to
 * the last, synthetic.user. */
enum {
    CHAFF__SYN_REFUSAL, CHAFF__SYN_AI_DISCLAIMER, CHAFF__SYN_KNOWLEDGE_CUTOFF,
    CHAFF__SYN_BOILERPLATE, CHAFF__SYN_USER, CHAFF__SYN_NREASONS
};

/* A compiled set holding the bundled list (unless without_bundled) and then each
 * of files[0..nfiles) (--phrases FILE). A file's error comes back as
 * CHAFF_E_ARG ("FILE:LINE: what") or CHAFF_E_IO ("FILE: reason") in why. */
chaff_status chaff__synthetic_phrases(chaff__phrases **out, const chaff_allocator *a,
                                      int without_bundled, const char *const *files,
                                      size_t nfiles, char *why, size_t why_cap);

/* Makes the preset judge with set (compiled; the caller's, shared by threads
 * and kept until w is freed) on the texts w judges from now on. Without a call,
 * w compiles the bundled list on first use. */
chaff_status chaff__synthetic_use(chaff__fwork *w, const chaff__phrases *set);

#endif
