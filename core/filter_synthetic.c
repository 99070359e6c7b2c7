/* core/filter_synthetic.c - the synthetic preset: text a chat model wrote about itself.
 *
 * Model-generated corpora carry the model's refusals ("I cannot fulfill that
 * request"), disclaimers ("as an AI language model"), knowledge-cutoff notes and
 * chat boilerplate ("Certainly! Here is", "I hope this helps"). They are phrases,
 * not statistics, so the preset is a phrase list (core/phrases/synthetic.txt, built
 * in) run through core/phrases.c in one pass, and a rule fails when its reason
 * has at least its minimum number of matches. The list favours precision: on
 * Debian's documentation and on hand-written news and fiction that use the same
 * words (tests/test_filter_synthetic.c) it matches nothing.
 */
#include "filter_synthetic.h"

#include <stdio.h>   /* snprintf */

#define SLOT CHAFF__SLOT_SYNTHETIC

extern const char chaff__phrases_synthetic_txt[];
extern const size_t chaff__phrases_synthetic_len;

static const char *const rules[CHAFF__SYN_NREASONS] = {
    "synthetic.refusal", "synthetic.ai_disclaimer", "synthetic.knowledge_cutoff",
    "synthetic.boilerplate", "synthetic.user",
};

#define SRC "our own list core/phrases/synthetic.txt; 0 matches on the Debian-docs corpus " \
            "and the hand-written negatives of tests/data/synthetic_labelled.txt"
static const chaff__fparam params[CHAFF__SYN_NREASONS] = {
    {"synthetic.min_refusals", "synthetic.refusal", 1, 0, 1e9, 1, SRC,
     "refusal phrases (\"I cannot fulfill that request\") that drop a text; 0 = off"},
    {"synthetic.min_ai_disclaimers", "synthetic.ai_disclaimer", 1, 0, 1e9, 1, SRC,
     "AI self-descriptions (\"as an AI language model\") that drop a text; 0 = off"},
    {"synthetic.min_knowledge_cutoffs", "synthetic.knowledge_cutoff", 1, 0, 1e9, 1, SRC,
     "knowledge-cutoff notes (\"as of my last knowledge update\") that drop a text; 0 = off"},
    {"synthetic.min_boilerplate", "synthetic.boilerplate", 1, 0, 1e9, 1, SRC,
     "chat boilerplate (\"Certainly! Here is\", \"I hope this helps\") that drops a text; 0 = off"},
    {"synthetic.min_user", "synthetic.user", 1, 0, 1e9, 1, "the --phrases files",
     "matches of untagged --phrases families that drop a text; 0 = off"},
};

static const char *const stat_names[CHAFF__SYN_NREASONS] = {
    "synthetic.refusals", "synthetic.ai_disclaimers", "synthetic.knowledge_cutoffs",
    "synthetic.boilerplate", "synthetic.user_phrases",
};

typedef struct syn_work {
    chaff__phrases *own;           /* the bundled list, compiled for this thread */
    const chaff__phrases *use;     /* what to judge with */
    chaff__phrase_scratch sc;
    size_t count[CHAFF__SYN_NREASONS];
    const char *first[CHAFF__SYN_NREASONS];
} syn_work;

static void syn_free(const chaff_allocator *a, void *p)
{
    syn_work *sw = p;
    chaff__phrases_free(sw->own);
    chaff__phrase_scratch_free(a, &sw->sc);
    chaff__free(a, sw);
}

static chaff_status add_bundled(chaff__phrases *ps, char *why, size_t why_cap)
{
    return chaff__phrases_add(ps, chaff__phrases_synthetic_txt, chaff__phrases_synthetic_len,
                              "core/phrases/synthetic.txt", CHAFF__SYN_USER, why, why_cap);
}

chaff_status chaff__synthetic_phrases(chaff__phrases **out, const chaff_allocator *a,
                                      int without_bundled, const char *const *files,
                                      size_t nfiles, char *why, size_t why_cap)
{
    chaff__phrases *ps;
    chaff_status st = chaff__phrases_new(&ps, a, rules, CHAFF__SYN_NREASONS);
    *out = NULL;
    if (st != CHAFF_OK)
        return st;
    if (!without_bundled)
        st = add_bundled(ps, why, why_cap);
    for (size_t i = 0; st == CHAFF_OK && i < nfiles; i++)
        st = chaff__phrases_add_file(ps, files[i], CHAFF__SYN_USER, why, why_cap);
    if (st == CHAFF_OK)
        st = chaff__phrases_compile(ps);
    if (st != CHAFF_OK) {
        chaff__phrases_free(ps);
        return st;
    }
    *out = ps;
    return CHAFF_OK;
}

static chaff_status work_of(chaff__fwork *w, syn_work **out)
{
    int fresh;
    *out = chaff__fwork_slot(w, SLOT, sizeof **out, syn_free, &fresh);
    return *out ? CHAFF_OK : CHAFF_E_NOMEM;
}

chaff_status chaff__synthetic_use(chaff__fwork *w, const chaff__phrases *set)
{
    syn_work *sw;
    chaff_status st = work_of(w, &sw);
    if (st == CHAFF_OK)
        sw->use = set;
    return st;
}

static chaff_status eval(const double *p, const char *text, size_t len, chaff__fwork *w,
                         chaff__explain_fn ex, void *exu, chaff__fresult *res)
{
    syn_work *sw;
    chaff_status st = work_of(w, &sw);
    res->rule = -1;
    res->value = 0;
    res->detail = NULL;
    if (st != CHAFF_OK)
        return st;
    if (!sw->use) {
        /* a bundled list that does not parse is a build bug the tests catch */
        st = chaff__synthetic_phrases(&sw->own, &w->alloc, 0, NULL, 0, NULL, 0);
        if (st != CHAFF_OK)
            return st;
        sw->use = sw->own;
    }
    chaff__phrase_hits h = {0, sw->count, sw->first, 0};
    st = chaff__phrases_scan(sw->use, text, len, &w->alloc, &sw->sc, &h);
    if (st != CHAFF_OK)
        return st;
    for (size_t r = 0; r < CHAFF__SYN_NREASONS; r++) {
        double min = p[r];
        if (ex)
            ex(exu, stat_names[r], (double)sw->count[r]);
        if (res->rule < 0 && min > 0 && (double)sw->count[r] >= min) {
            res->rule = (int)r;
            res->value = (double)sw->count[r];
            res->detail = sw->first[r];
        }
    }
    if (ex)
        ex(exu, "synthetic.matches", (double)h.total);
    return CHAFF_OK;
}

const chaff__preset chaff__preset_synthetic = {
    "synthetic",
    "assistant refusals, AI disclaimers, knowledge-cutoff notes and chat boilerplate",
    rules, CHAFF__SYN_NREASONS,
    params, CHAFF__SYN_NREASONS,
    eval, NULL,
};
