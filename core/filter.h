/* core/filter.h - the contract between the filter engine and its presets.
 *
 * A preset (gopher, c4, fineweb, synthetic, degenerate, ...) is a table of
 * parameters, a table of reason codes and one function that judges a text.
 * core/filter.c owns the registry, the --set/--rules parsing, the order in
 * which presets run and the public chaff_filter API; a preset module only
 * measures and compares. */
#ifndef CHAFF_FILTER_H
#define CHAFF_FILTER_H

#include "internal.h"

/* One tunable threshold: the public chaff_filter_param (include/chaff.h). */
typedef chaff_filter_param chaff__fparam;

/* Called for every statistic a preset computes, when --explain asks for them.
 * name is "preset.statistic"; value is the measured number. */
typedef void (*chaff__explain_fn)(void *user, const char *name, double value);

/* Per-thread scratch shared by all presets for one text at a time. Presets
 * keep their own buffers in slot[] (index = their preset id) and free them
 * through slot_free[]; buffers grow to the largest text and are reused. */
#define CHAFF__FSLOTS 16
typedef struct chaff__fwork {
    chaff_allocator alloc;
    void *slot[CHAFF__FSLOTS];
    void (*slot_free[CHAFF__FSLOTS])(const chaff_allocator *a, void *p);
    /* the shared word analysis (core/words.h), filled on first use per text */
    struct chaff__words *words;
    const char *words_text;  /* the text words[] belongs to, or NULL */
    size_t words_len;
} chaff__fwork;

void chaff__fwork_init(chaff__fwork *w, const chaff_allocator *a);
void chaff__fwork_free(chaff__fwork *w);
/* Forgets the cached analysis; call before judging a new text (a new text may
 * reuse the address and length of the last one). */
void chaff__fwork_reset(chaff__fwork *w);
/* The words (and sentences) of text, computed once per text and shared by the
 * presets that judge it. */
chaff_status chaff__fwork_words(chaff__fwork *w, const char *text, size_t len,
                                const struct chaff__words **out);

/* The preset's per-thread state in slot id: made zeroed (*fresh = 1) and
 * registered with free_fn on first use. NULL when out of memory. */
void *chaff__fwork_slot(chaff__fwork *w, unsigned id, size_t size,
                        void (*free_fn)(const chaff_allocator *a, void *p), int *fresh);

/* Outcome of one preset on one text. */
typedef struct chaff__fresult {
    int rule;                /* -1: passes; else index into the preset's rules[] */
    double value;            /* the measured value that failed the rule */
    const char *detail;      /* optional, e.g. the reference record for decontam;
                              * points into preset-owned memory valid until the
                              * next call with the same fwork */
} chaff__fresult;

typedef struct chaff__preset {
    const char *name;                /* "gopher" */
    const char *what;                /* one line for --list */
    const char *const *rules;        /* reason codes, "gopher.short_doc", ... */
    size_t nrules;
    const chaff__fparam *params;     /* this preset's thresholds */
    size_t nparams;
    /* Judges text[0..len) (UTF-8, possibly invalid) with thresholds p[0..nparams)
     * (same order as params). Rules are tried in the reference's order and the
     * first failure is returned. ex may be NULL; when it is not, every statistic
     * is computed and reported even after a failure. Returns CHAFF_OK or
     * CHAFF_E_NOMEM; content never fails. */
    chaff_status (*eval)(const double *p, const char *text, size_t len,
                         chaff__fwork *w, chaff__explain_fn ex, void *exu,
                         chaff__fresult *res);
    /* For --rewrite (NULL: the preset leaves text as it is): what remains of
     * text once the preset's line rules have removed lines, in memory the
     * preset keeps in w until its next call. */
    chaff_status (*rewrite)(const double *p, const char *text, size_t len, chaff__fwork *w,
                            const char **out, size_t *out_len);
} chaff__preset;

/* Preset ids: their slot in chaff__fwork and their place in the canonical order. */
enum {
    CHAFF__SLOT_GOPHER = 0, CHAFF__SLOT_C4 = 1, CHAFF__SLOT_FINEWEB = 2,
    CHAFF__SLOT_SYNTHETIC = 3, CHAFF__SLOT_DEGENERATE = 4, CHAFF__SLOT_DECONTAM = 5
};

#endif
