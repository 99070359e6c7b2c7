/* core/sketch.c - the public signature API: one text in, one MinHash out. */
#include "minhash.h"
#include "tokenize.h"

struct chaff_sketcher {
    chaff_allocator alloc;
    chaff__tok tok;
    chaff__perm perm;
    chaff__minhash_fn kernel;
};

chaff_status chaff_sketcher_new(chaff_sketcher **out, const chaff_options *opts)
{
    *out = NULL;
    chaff_status st = chaff_options_check(opts, NULL, 0);
    if (st)
        return st;
    chaff__minhash_fn sign = chaff__signer(opts);
    if (!sign)
        return CHAFF_E_UNSUPPORTED;
    chaff_allocator al = chaff__allocator(&opts->alloc);
    chaff_sketcher *s = chaff__calloc(&al, 1, sizeof *s);
    if (!s)
        return CHAFF_E_NOMEM;
    s->alloc = al;
    chaff__tok_init(&s->tok, opts);
    s->kernel = sign;
    if ((st = chaff__perm_init(&s->perm, opts->num_perm, opts->seed, &al))) {
        chaff_sketcher_free(s);
        return st;
    }
    *out = s;
    return CHAFF_OK;
}

chaff_status chaff_sketch(chaff_sketcher *s, const char *text, size_t len, uint32_t *sig)
{
    chaff_status st = chaff__tokenize(&s->tok, text, len);
    if (st)
        return st;
    s->kernel(&s->perm, s->tok.sh, s->tok.nsh, sig);
    return CHAFF_OK;
}

void chaff_sketcher_free(chaff_sketcher *s)
{
    if (!s)
        return;
    chaff_allocator al = s->alloc;
    chaff__tok_free(&s->tok);
    chaff__perm_free(&s->perm, &al);
    chaff__free(&al, s);
}
