/* core/dedup.c - keep-first near-duplicate detection over a stream of texts.
 *
 * Work is split in two stages per chunk of records:
 *   1. sketch: normalise, hash, shingle, sort, MinHash, band fingerprints.
 *      Each record is independent of every other, so this stage is the one
 *      that can run on many threads.
 *   2. decide: in record order, look up the exact hash, query the LSH index,
 *      verify candidates on stored shingle hashes, and keep or drop.
 *      Only this stage touches shared state, and it is sequential, which is
 *      why the verdicts never depend on timing or thread count.
 * Stage 1 runs on a pool of workers that take small blocks of records from an
 * atomic counter (records differ in length, so a fixed split would leave
 * threads idle); the calling thread is worker 0. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>
#include "lsh.h"
#include "minhash.h"
#include "store.h"
#include "tokenize.h"

#define CHUNK 4096
#define GRAB 16              /* records a worker takes at a time */
#define MAX_THREADS 1024

typedef struct sketch {
    XXH128_hash_t exact;
    size_t sh_off;           /* sorted unique shingles in its worker's arena */
    uint32_t nsh;
    uint16_t has_words;
    uint16_t worker;
} sketch;

typedef struct worker {
    chaff_dedup *d;
    unsigned id;
    chaff__tok tok;
    uint32_t *sig;           /* num_perm */
    uint32_t *arena;         /* shingles of this worker's records in the chunk */
    size_t arena_len, arena_cap;
    uint64_t shingles;
    chaff_status st;
    pthread_t thread;
    int started;
} worker;

struct chaff_dedup {
    chaff_options o;
    chaff_allocator alloc;
    unsigned bands, rows;
    chaff__perm perm;
    chaff__minhash_fn sign;  /* the SIMD MinHash kernel, or OPH */
    chaff__lsh lsh;
    chaff__store store;
    sketch *sk;              /* CHUNK */
    uint32_t *fps;           /* CHUNK * bands */
    worker *w;
    unsigned nw;
    /* the pool: workers 1..nw-1 wait for a new generation, sketch, report */
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned gen, running;
    int quit, pool_ready;
    const chaff_doc *docs;
    size_t ndocs;
    atomic_size_t next;
    uint32_t *cand;
    size_t cand_cap;
    chaff_dedup_stats stats;
};

static chaff_status start_pool(chaff_dedup *d);
static void stop_pool(chaff_dedup *d);

chaff_status chaff_dedup_new(chaff_dedup **out, const chaff_options *opts)
{
    *out = NULL;
    chaff_status st = chaff_options_check(opts, NULL, 0);
    if (st)
        return st;
    if (!chaff__minhash_kernel(opts->simd))
        return CHAFF_E_UNSUPPORTED;
    chaff_allocator al = chaff__allocator(&opts->alloc);
    chaff_dedup *d = chaff__calloc(&al, 1, sizeof *d);
    if (!d)
        return CHAFF_E_NOMEM;
    d->o = *opts;
    d->alloc = al;
    d->bands = opts->bands;
    d->rows = opts->rows;
    if (!d->bands && !d->rows)
        chaff_lsh_params(opts->threshold, opts->num_perm, &d->bands, &d->rows);
    else if (!d->rows)
        d->rows = opts->num_perm / d->bands;
    else if (!d->bands)
        d->bands = opts->num_perm / d->rows;
    if (!d->bands || !d->rows || d->bands * d->rows > opts->num_perm) {
        chaff__free(&al, d);
        return CHAFF_E_ARG;
    }
    d->sign = opts->method == CHAFF_METHOD_OPH ? chaff__oph : chaff__minhash_kernel(opts->simd);
    chaff__lsh_init(&d->lsh, &al);
    chaff__store_init(&d->store, &al);
    d->cand_cap = 256;
    unsigned nw = opts->threads;
    if (nw == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nw = n > 0 ? (unsigned)n : 1;
    }
    d->nw = nw > MAX_THREADS ? MAX_THREADS : nw;
    if (chaff__perm_init(&d->perm, opts->num_perm, opts->seed, &al) ||
        !(d->sk = chaff__alloc(&al, CHUNK * sizeof *d->sk)) ||
        !(d->fps = chaff__alloc(&al, (size_t)CHUNK * d->bands * sizeof *d->fps)) ||
        !(d->cand = chaff__alloc(&al, d->cand_cap * sizeof *d->cand)) ||
        !(d->w = chaff__calloc(&al, d->nw, sizeof *d->w))) {
        chaff_dedup_free(d);
        return CHAFF_E_NOMEM;
    }
    for (unsigned i = 0; i < d->nw; i++) {
        worker *w = &d->w[i];
        w->d = d;
        w->id = i;
        chaff__tok_init(&w->tok, opts);
        if (!(w->sig = chaff__alloc(&al, opts->num_perm * sizeof *w->sig))) {
            chaff_dedup_free(d);
            return CHAFF_E_NOMEM;
        }
    }
    if ((st = start_pool(d))) {
        chaff_dedup_free(d);
        return st;
    }
    d->stats.bands = d->bands;
    d->stats.rows = d->rows;
    d->stats.num_perm = opts->num_perm;
    d->stats.simd = chaff_simd_resolve(opts->simd);
    *out = d;
    return CHAFF_OK;
}

void chaff_dedup_free(chaff_dedup *d)
{
    if (!d)
        return;
    chaff_allocator al = d->alloc;
    stop_pool(d);
    for (unsigned i = 0; d->w && i < d->nw; i++) {
        chaff__tok_free(&d->w[i].tok);
        chaff__free(&al, d->w[i].sig);
        chaff__free(&al, d->w[i].arena);
    }
    chaff__free(&al, d->w);
    chaff__perm_free(&d->perm, &al);
    chaff__lsh_free(&d->lsh);
    chaff__store_free(&d->store);
    chaff__free(&al, d->sk);
    chaff__free(&al, d->fps);
    chaff__free(&al, d->cand);
    chaff__free(&al, d);
}

static chaff_status sketch_one(worker *w, const chaff_doc *doc, sketch *sk, uint32_t *fps)
{
    chaff_dedup *d = w->d;
    chaff__tok *t = &w->tok;
    chaff_status st = chaff__tokenize(t, doc->text, doc->len);
    if (st)
        return st;
    sk->exact = t->exact;
    sk->has_words = t->nsh > 0;
    sk->worker = (uint16_t)w->id;
    size_t n = t->nsh;
    if (w->arena_len + n > w->arena_cap) {
        size_t cap = w->arena_cap ? w->arena_cap : 1 << 16;
        while (cap < w->arena_len + n)
            cap *= 2;
        uint32_t *a = chaff__realloc(&d->alloc, w->arena, cap * sizeof *a);
        if (!a)
            return CHAFF_E_NOMEM;
        w->arena = a;
        w->arena_cap = cap;
    }
    uint32_t *set = w->arena + w->arena_len;
    n = chaff__sorted_set(t->sh, n, set);
    sk->sh_off = w->arena_len;
    sk->nsh = (uint32_t)n;
    w->arena_len += n;
    w->shingles += t->nsh;
    if (sk->has_words) {
        d->sign(&d->perm, set, n, w->sig);
        chaff__band_hashes(w->sig, d->bands, d->rows, d->o.seed, fps);
    }
    return CHAFF_OK;
}

/* Sketches blocks of the current chunk until none is left. */
static void work(worker *w)
{
    chaff_dedup *d = w->d;
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&d->next, GRAB, memory_order_relaxed);
        if (i >= d->ndocs)
            return;
        size_t end = i + GRAB < d->ndocs ? i + GRAB : d->ndocs;
        for (; i < end && w->st == CHAFF_OK; i++)
            w->st = sketch_one(w, &d->docs[i], &d->sk[i], d->fps + i * d->bands);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    chaff_dedup *d = w->d;
    unsigned seen = 0;
    for (;;) {
        pthread_mutex_lock(&d->mu);
        while (d->gen == seen && !d->quit)
            pthread_cond_wait(&d->go, &d->mu);
        seen = d->gen;
        int quit = d->quit;
        pthread_mutex_unlock(&d->mu);
        if (quit)
            return NULL;
        work(w);
        pthread_mutex_lock(&d->mu);
        if (--d->running == 0)
            pthread_cond_signal(&d->done);
        pthread_mutex_unlock(&d->mu);
    }
}

static chaff_status start_pool(chaff_dedup *d)
{
    if (d->nw < 2)
        return CHAFF_OK;
    if (pthread_mutex_init(&d->mu, NULL))
        return CHAFF_E_NOMEM;
    if (pthread_cond_init(&d->go, NULL)) {
        pthread_mutex_destroy(&d->mu);
        return CHAFF_E_NOMEM;
    }
    if (pthread_cond_init(&d->done, NULL)) {
        pthread_cond_destroy(&d->go);
        pthread_mutex_destroy(&d->mu);
        return CHAFF_E_NOMEM;
    }
    d->pool_ready = 1;
    for (unsigned i = 1; i < d->nw; i++) {
        if (pthread_create(&d->w[i].thread, NULL, worker_main, &d->w[i]))
            return CHAFF_E_NOMEM; /* the caller frees, which stops those started */
        d->w[i].started = 1;
    }
    return CHAFF_OK;
}

static void stop_pool(chaff_dedup *d)
{
    if (!d->pool_ready)
        return;
    pthread_mutex_lock(&d->mu);
    d->quit = 1;
    pthread_cond_broadcast(&d->go);
    pthread_mutex_unlock(&d->mu);
    for (unsigned i = 1; i < d->nw; i++)
        if (d->w[i].started)
            pthread_join(d->w[i].thread, NULL);
    pthread_cond_destroy(&d->go);
    pthread_cond_destroy(&d->done);
    pthread_mutex_destroy(&d->mu);
    d->pool_ready = 0;
}

/* Stage 1 for docs[0..n): every worker, the calling thread included. */
static chaff_status sketch_chunk(chaff_dedup *d, const chaff_doc *docs, size_t n)
{
    d->docs = docs;
    d->ndocs = n;
    atomic_store_explicit(&d->next, 0, memory_order_relaxed);
    for (unsigned i = 0; i < d->nw; i++) {
        d->w[i].arena_len = 0;
        d->w[i].st = CHAFF_OK;
    }
    unsigned helpers = d->nw > 1 && n > GRAB ? d->nw - 1 : 0;
    if (helpers) {
        pthread_mutex_lock(&d->mu);
        d->running = helpers;
        d->gen++;
        pthread_cond_broadcast(&d->go);
        pthread_mutex_unlock(&d->mu);
    }
    work(&d->w[0]);
    if (helpers) {
        pthread_mutex_lock(&d->mu);
        while (d->running)
            pthread_cond_wait(&d->done, &d->mu);
        pthread_mutex_unlock(&d->mu);
    }
    chaff_status st = CHAFF_OK;
    for (unsigned i = 0; i < d->nw; i++) {
        if (!st)
            st = d->w[i].st;
        d->stats.shingles += d->w[i].shingles;
        d->w[i].shingles = 0;
    }
    return st;
}

static int cmp_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* All kept ids sharing a band with the record, sorted and unique. */
static chaff_status candidates(chaff_dedup *d, const uint32_t *fps, size_t *count)
{
    size_t n = 0;
    for (unsigned b = 0; b < d->bands; b++) {
        size_t got;
        while ((got = chaff__lsh_query(&d->lsh, fps[b], d->cand + n, d->cand_cap - n)) >
               d->cand_cap - n) {
            uint32_t *c = chaff__realloc(&d->alloc, d->cand, d->cand_cap * 2 * sizeof *c);
            if (!c)
                return CHAFF_E_NOMEM;
            d->cand = c;
            d->cand_cap *= 2;
        }
        n += got;
    }
    if (n > 1) {
        qsort(d->cand, n, sizeof *d->cand, cmp_id);
        size_t k = 1;
        for (size_t i = 1; i < n; i++)
            if (d->cand[i] != d->cand[k - 1])
                d->cand[k++] = d->cand[i];
        n = k;
    }
    *count = n;
    return CHAFF_OK;
}

static chaff_status decide(chaff_dedup *d, const chaff_doc *doc, const sketch *sk,
                           const uint32_t *fps, chaff_verdict *v)
{
    chaff__store *s = &d->store;
    v->reason = CHAFF_KEEP;
    v->similarity = 0;
    v->duplicate_of = doc->index;
    d->stats.records++;
    if (!sk->has_words) { /* nothing to compare: never a duplicate */
        d->stats.kept++;
        return CHAFF_OK;
    }
    uint32_t id = chaff__store_find_exact(s, sk->exact);
    if (id != UINT32_MAX) {
        v->reason = CHAFF_DROP_EXACT;
        v->similarity = 1.0;
        v->duplicate_of = s->index[id];
        d->stats.exact++;
        return CHAFF_OK;
    }
    size_t nc;
    chaff_status st = candidates(d, fps, &nc);
    if (st)
        return st;
    d->stats.candidates += nc;
    const uint32_t *q = d->w[sk->worker].arena + sk->sh_off;
    double best = -1;
    uint32_t best_id = 0;
    for (size_t i = 0; i < nc && best < 1.0; i++) {
        double j = chaff__store_jaccard(s, d->cand[i], q, sk->nsh, d->o.threshold);
        if (j > best) { /* ties keep the earlier kept record */
            best = j;
            best_id = d->cand[i];
        }
    }
    if (best >= d->o.threshold) {
        v->reason = CHAFF_DROP_NEAR;
        v->similarity = best;
        v->duplicate_of = s->index[best_id];
        d->stats.near++;
        return CHAFF_OK;
    }
    if ((st = chaff__store_add(s, doc->index, sk->exact, q, sk->nsh, &id)))
        return st;
    for (unsigned b = 0; b < d->bands; b++)
        if ((st = chaff__lsh_insert(&d->lsh, fps[b], id)))
            return st;
    d->stats.kept++;
    return CHAFF_OK;
}

chaff_status chaff_dedup_add(chaff_dedup *d, const chaff_doc *docs, size_t n, chaff_verdict *out)
{
    for (size_t base = 0; base < n; base += CHUNK) {
        size_t m = n - base < CHUNK ? n - base : CHUNK;
        chaff_status st = sketch_chunk(d, docs + base, m);
        if (st)
            return st;
        for (size_t i = 0; i < m; i++) {
            if (i + 2 < m) /* the index is far bigger than cache: ask early */
                chaff__lsh_prefetch(&d->lsh, d->fps + (i + 2) * d->bands, d->bands);
            if ((st = decide(d, &docs[base + i], &d->sk[i], d->fps + i * d->bands,
                             &out[base + i])))
                return st;
        }
    }
    return CHAFF_OK;
}

void chaff_dedup_get_stats(const chaff_dedup *d, chaff_dedup_stats *st)
{
    *st = d->stats;
    st->index_bytes = chaff__store_bytes(&d->store) + d->lsh.cap * sizeof(chaff__lsh_slot);
}
