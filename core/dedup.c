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
 * threads idle). The calling thread decides each block as soon as it is
 * sketched and, while the next block is not ready, sketches blocks itself, so
 * stage 2 overlaps stage 1 instead of waiting for the whole chunk. Shingle
 * sets live in per-worker segments that never move during a chunk, because
 * the deciding thread reads them while their worker goes on writing.
 *
 * Frame-hash records (videos) take the same two stages with another sketch
 * (frame tokens instead of shingles, see sketch_frames) and another verifier
 * (the matched-frame share instead of Jaccard); everything else is shared. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>
#include "lsh.h"
#include "minhash.h"
#include "store.h"
#include "tokenize.h"

#define CHUNK 4096
#define GRAB 16              /* records a worker takes at a time */
#define PREFETCH 4           /* records ahead whose LSH slots are prefetched */
#define MAX_THREADS 1024
#define BLOCKS ((CHUNK + GRAB - 1) / GRAB)
#define SEGMENT (1u << 16)   /* shingles per arena segment, at least */
#define FRAME_TOKENS 8       /* tokens per frame */
#define FRAME_TOKEN_BITS 16  /* AC bits each token samples */
#define FRAME_LOW_SUM 7      /* token bits come from cells (r, c) with r + c <= this: 35 */
#define FRAME_ROWS 2         /* default banding for frames: num_perm / 2 bands of 2 */
/* A crop variant matches a frame within max_hamming / CROP_HAMMING_DIV bits.
 * The variant redoes the crop's geometry to a pixel, so only the encoding's
 * noise is left: on the generated set, every 5% crop matches its variant at
 * share 1.0 within 4 bits. Five more tries per frame at the full 12 bits
 * did join two distinct sources (a Sierpinski pattern matched 7 of 8 frames
 * of a gradient's corner crop); no distinct pair has a frame within 7. */
#define CROP_HAMMING_DIV 2

typedef struct sketch {
    XXH128_hash_t exact;
    const uint32_t *sh;      /* sorted unique shingles, in a worker's segment */
    uint32_t nsh;
    uint32_t has_words;
} sketch;

typedef struct segment {
    uint32_t *p;
    size_t len, cap;
} segment;

typedef struct worker {
    chaff_dedup *d;
    chaff__tok tok;
    uint32_t *sig;           /* num_perm */
    segment *seg;            /* shingles of this worker's records in the chunk */
    size_t nseg, segcap, cur;
    uint64_t shingles;
    uint32_t *ftok;          /* frame tokens of the record being sketched */
    uint64_t *vseq;          /* one crop variant's frames, gathered */
    size_t vseq_cap;
    size_t ftok_cap;
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
    uint32_t *mfps;          /* frames with mirrors: the mirrors' band hashes, CHUNK * bands */
    uint32_t *cfps;          /* frames with crops: the variants' band hashes, CHUNK * 5 * bands */
    uint64_t *cseq;          /* the deciding thread's copy of one crop variant's frames */
    size_t cseq_cap;
    worker *w;
    unsigned nw;
    /* the pool: workers 1..nw-1 wait for a new generation, sketch, report */
    pthread_mutex_t mu;
    pthread_cond_t go, done_cv;
    unsigned gen, running;
    int quit, pool_ready;
    const chaff_doc *docs;
    const chaff_video *videos; /* frames records: the chunk's videos, docs NULL */
    size_t ndocs;
    uint64_t fmask[FRAME_TOKENS]; /* frames: the bits each token samples */
    atomic_size_t next;
    /* per block of the chunk: 0 while pending, else 1 + the chaff_status of
     * sketching it, stored with release order after the block's results */
    _Atomic unsigned char done[BLOCKS];
    uint32_t *cand;
    size_t cand_cap;
    size_t *ends;            /* per band: where the record's fingerprint would go */
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
    chaff__minhash_fn sign = chaff__signer(opts);
    if (!sign)
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
    if (opts->kind == CHAFF_KIND_FRAMES && !opts->bands && !opts->rows) {
        /* Tokens of a copy's frames are shared with probability ~0.3-0.9
         * (re-encodes near 0.9, 5% crops near 0.3), so the token-set Jaccard
         * of true pairs is low: few rows, many bands. Unrelated videos share
         * a 16-bit token by chance only about once in 2^16 frame pairs. */
        d->bands = opts->num_perm / FRAME_ROWS;
        d->rows = FRAME_ROWS;
    }
    if (!d->bands || !d->rows || d->bands * d->rows > opts->num_perm) {
        chaff__free(&al, d);
        return CHAFF_E_ARG;
    }
    d->sign = sign;
    chaff__lsh_init(&d->lsh, &al);
    chaff__store_init(&d->store, &al);
    if (opts->kind == CHAFF_KIND_FRAMES) {
        chaff__store_keep_all(&d->store);
        /* Fixed sample positions among the 35 lowest AC frequencies of a DCT
         * hash (cells with r + c <= FRAME_LOW_SUM; bit 63, the DC bit, is
         * constant), drawn once by splitmix64 from the seed. Copies flip
         * those bits least (on the generated set, 1-2% of frame pairs against
         * 3-6% at the highest frequencies), so a copy's frames share more
         * tokens: 10.7 copies of 144 missed against 12.8 with all 63 bits
         * (mean of 10 seeds); frames of distinct sources did not share them
         * more often. 20 positions (r + c <= 5) missed 9.3, but 16 of 20
         * bits overlap so much that a chance agreement shares many tokens at
         * once: twice the candidates on the benchmark's random hashes. */
        uint64_t x = opts->seed ^ 0x6a09e667f3bcc909ull;
        unsigned pos[63], npos = 0;
        for (unsigned r = 0; r < 8; r++)
            for (unsigned c = 0; c < 8; c++)
                if ((r || c) && r + c <= FRAME_LOW_SUM)
                    pos[npos++] = 63 - (8 * r + c);
        for (unsigned t = 0; t < FRAME_TOKENS; t++) {
            uint64_t m = 0;
            while (chaff__popcount64(m) < FRAME_TOKEN_BITS) {
                x += 0x9e3779b97f4a7c15ull;
                uint64_t z = x;
                z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
                z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
                z ^= z >> 31;
                m |= 1ull << pos[z % npos];
            }
            d->fmask[t] = m;
        }
    }
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
        !(d->ends = chaff__alloc(&al, d->bands * sizeof *d->ends)) ||
        !(d->w = chaff__calloc(&al, d->nw, sizeof *d->w))) {
        chaff_dedup_free(d);
        return CHAFF_E_NOMEM;
    }
    for (unsigned i = 0; i < d->nw; i++) {
        worker *w = &d->w[i];
        w->d = d;
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
    d->stats.method = opts->method;
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
        chaff__free(&al, d->w[i].ftok);
        chaff__free(&al, d->w[i].vseq);
        chaff__free(&al, d->w[i].sig);
        for (size_t k = 0; k < d->w[i].nseg; k++)
            chaff__free(&al, d->w[i].seg[k].p);
        chaff__free(&al, d->w[i].seg);
    }
    chaff__free(&al, d->w);
    chaff__perm_free(&d->perm, &al);
    chaff__lsh_free(&d->lsh);
    chaff__store_free(&d->store);
    chaff__free(&al, d->sk);
    chaff__free(&al, d->fps);
    chaff__free(&al, d->mfps);
    chaff__free(&al, d->cfps);
    chaff__free(&al, d->cseq);
    chaff__free(&al, d->cand);
    chaff__free(&al, d->ends);
    chaff__free(&al, d);
}

/* Room for n shingles in the worker's segments: the first one with space, or
 * a new one. Segments are only ever added, so earlier sets never move. */
static uint32_t *take(worker *w, size_t n)
{
    const chaff_allocator *al = &w->d->alloc;
    for (; w->cur < w->nseg; w->cur++) {
        segment *g = &w->seg[w->cur];
        if (g->cap - g->len >= n)
            return g->p + g->len;
    }
    if (w->nseg == w->segcap) {
        size_t cap = w->segcap ? w->segcap * 2 : 4;
        segment *g = chaff__realloc(al, w->seg, cap * sizeof *g);
        if (!g)
            return NULL;
        w->seg = g;
        w->segcap = cap;
    }
    size_t cap = n > SEGMENT ? n : SEGMENT;
    uint32_t *p = chaff__alloc(al, cap * sizeof *p);
    if (!p)
        return NULL;
    w->seg[w->nseg++] = (segment){ p, 0, cap };
    w->cur = w->nseg - 1;
    return p;
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
    size_t n = t->nsh;
    uint32_t *set = take(w, n);
    if (!set)
        return CHAFF_E_NOMEM;
    n = chaff__sorted_set(t->sh, n, set);
    sk->sh = set;
    sk->nsh = (uint32_t)n;
    w->seg[w->cur].len += n;
    w->shingles += t->nsh;
    if (sk->has_words) {
        d->sign(&d->perm, set, n, w->sig);
        chaff__band_hashes(w->sig, d->bands, d->rows, d->o.seed, fps);
    }
    return CHAFF_OK;
}

/* A frame token: the sampled bits of one frame with the token's number,
 * mixed (murmur3's finaliser) so that MinHash's a*x+b permutations see
 * uniform values; on raw bit patterns they would be biased. */
static inline uint32_t frame_token(uint64_t frame, uint64_t mask, unsigned t, uint64_t seed)
{
    uint64_t z = (frame & mask) ^ ((uint64_t)t << 56 | (t + 1) * 0x9e3779b97f4a7c15ull) ^ seed;
    z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdull;
    z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ull;
    return (uint32_t)((z ^ (z >> 33)) >> 32);
}

/* Band hashes of the token set of frames[0..n), n > 0. */
static chaff_status sign_frames(worker *w, const uint64_t *frames, size_t n, uint32_t *fps)
{
    chaff_dedup *d = w->d;
    size_t nt = n * FRAME_TOKENS;
    if (nt > w->ftok_cap) {
        uint32_t *p = chaff__realloc(&d->alloc, w->ftok, nt * sizeof *p);
        if (!p)
            return CHAFF_E_NOMEM;
        w->ftok = p;
        w->ftok_cap = nt;
    }
    for (size_t i = 0; i < n; i++)
        for (unsigned t = 0; t < FRAME_TOKENS; t++)
            w->ftok[i * FRAME_TOKENS + t] = frame_token(frames[i], d->fmask[t], t, d->o.seed);
    /* Unlike shingles, tokens are not kept for verification, and a minimum
     * does not care about repeats: signing them unsorted, repeats included,
     * costs less than sorting them (neighbouring frames repeat most tokens). */
    w->shingles += nt;
    d->sign(&d->perm, w->ftok, nt, w->sig);
    chaff__band_hashes(w->sig, d->bands, d->rows, d->o.seed, fps);
    return CHAFF_OK;
}

/* The frames counterpart of sketch_one: the exact hash is that of the whole
 * sequence; the set signed is the frames' tokens; what verification keeps
 * (sk->sh) is the frames themselves, read from the caller's array, which
 * lives until the chunk is decided. A mirror gets its own band hashes. */
/* Variant k of every frame of v, contiguous in *buf (grown as needed). */
static chaff_status gather_crop(chaff_dedup *d, const chaff_video *v, unsigned k, uint64_t **buf,
                                size_t *cap)
{
    size_t n = v->nframes;
    if (n > *cap) {
        uint64_t *p = chaff__realloc(&d->alloc, *buf, n * sizeof *p);
        if (!p)
            return CHAFF_E_NOMEM;
        *buf = p;
        *cap = n;
    }
    for (size_t i = 0; i < n; i++)
        (*buf)[i] = v->crops[i * CHAFF_CROP_VARIANTS + k];
    return CHAFF_OK;
}

static chaff_status sketch_frames(worker *w, const chaff_video *v, sketch *sk, uint32_t *fps,
                                  uint32_t *mfps, uint32_t *cfps)
{
    chaff_dedup *d = w->d;
    size_t n = v->nframes;
    if (n > UINT32_MAX / 2 / FRAME_TOKENS)
        return CHAFF_E_ARG;
    sk->exact = XXH3_128bits_withSeed(v->frames, n * sizeof *v->frames, d->o.seed);
    sk->has_words = n > 0;
    sk->sh = (const uint32_t *)(const void *)v->frames; /* read as uint32 pairs via memcpy */
    sk->nsh = (uint32_t)(2 * n);
    if (!n)
        return CHAFF_OK;
    chaff_status st = sign_frames(w, v->frames, n, fps);
    if (!st && v->mirror)
        st = sign_frames(w, v->mirror, n, mfps);
    /* Each crop variant is signed as its own set: a cropped copy matches one
     * of them, and a union of five would dilute its Jaccard to a fifth. */
    for (unsigned k = 0; !st && cfps && v->crops && k < CHAFF_CROP_VARIANTS; k++)
        if (!(st = gather_crop(d, v, k, &w->vseq, &w->vseq_cap)))
            st = sign_frames(w, w->vseq, n, cfps + k * d->bands);
    return st;
}

/* Sketches the next block of the chunk and publishes it; 0 when none is left. */
static int sketch_block(worker *w)
{
    chaff_dedup *d = w->d;
    size_t i = atomic_fetch_add_explicit(&d->next, GRAB, memory_order_relaxed);
    if (i >= d->ndocs)
        return 0;
    size_t end = i + GRAB < d->ndocs ? i + GRAB : d->ndocs;
    chaff_status st = CHAFF_OK;
    if (d->videos)
        for (size_t k = i; k < end && st == CHAFF_OK; k++)
            st = sketch_frames(w, &d->videos[k], &d->sk[k], d->fps + k * d->bands,
                               d->mfps ? d->mfps + k * d->bands : NULL,
                               d->cfps ? d->cfps + k * CHAFF_CROP_VARIANTS * d->bands : NULL);
    else
        for (size_t k = i; k < end && st == CHAFF_OK; k++)
            st = sketch_one(w, &d->docs[k], &d->sk[k], d->fps + k * d->bands);
    atomic_store_explicit(&d->done[i / GRAB], (unsigned char)(1 + st), memory_order_release);
    return 1;
}

static void work(worker *w)
{
    while (sketch_block(w))
        ;
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
            pthread_cond_signal(&d->done_cv);
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
    if (pthread_cond_init(&d->done_cv, NULL)) {
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
    pthread_cond_destroy(&d->done_cv);
    pthread_mutex_destroy(&d->mu);
    d->pool_ready = 0;
}

static chaff_status decide(chaff_dedup *d, uint64_t index, const sketch *sk,
                           const uint32_t *fps, const chaff_video *vid, const uint32_t *mfps,
                           const uint32_t *cfps, chaff_verdict *v);

/* Record i's first cache misses in stage 2: its exact-table slot and its
 * band slots (a record without words has neither lookup). */
static void prefetch(const chaff_dedup *d, size_t i)
{
    if (!d->sk[i].has_words)
        return;
    chaff__store_prefetch_exact(&d->store, d->sk[i].exact);
    chaff__lsh_prefetch(&d->lsh, d->fps + i * d->bands, d->bands);
}

/* Both stages for docs[0..n) (n <= CHUNK): the pool sketches, the calling
 * thread decides in record order and sketches whenever it would wait. */
static chaff_status run_chunk(chaff_dedup *d, const chaff_doc *docs, const chaff_video *videos,
                              size_t n, chaff_verdict *out)
{
    d->docs = docs;
    d->videos = videos;
    d->ndocs = n;
    atomic_store_explicit(&d->next, 0, memory_order_relaxed);
    for (size_t b = 0; b < (n + GRAB - 1) / GRAB; b++)
        atomic_store_explicit(&d->done[b], 0, memory_order_relaxed);
    for (unsigned i = 0; i < d->nw; i++) {
        worker *w = &d->w[i];
        for (size_t k = 0; k < w->nseg; k++)
            w->seg[k].len = 0;
        w->cur = 0;
    }
    unsigned helpers = d->nw > 1 && n > GRAB ? d->nw - 1 : 0;
    if (helpers) {
        pthread_mutex_lock(&d->mu);
        d->running = helpers;
        d->gen++;
        pthread_cond_broadcast(&d->go);
        pthread_mutex_unlock(&d->mu);
    }
    chaff_status st = CHAFF_OK;
    for (size_t next = 0; next < n && st == CHAFF_OK;) {
        unsigned char f = atomic_load_explicit(&d->done[next / GRAB], memory_order_acquire);
        if (f == 0) {
            /* a plain load first: spinning on fetch_add would keep taking the
             * counter's cache line from the workers */
            if (atomic_load_explicit(&d->next, memory_order_relaxed) >= n ||
                !sketch_block(&d->w[0]))
                sched_yield(); /* a worker has this block; it takes microseconds */
            continue;
        }
        if (f != 1) {
            st = (chaff_status)(f - 1);
            break;
        }
        size_t end = next + GRAB < n ? next + GRAB : n;
        /* The index is far bigger than cache: ask for a record's slots
         * PREFETCH records ahead, within the block (the next block may still
         * be being written). */
        for (size_t i = next; i < next + PREFETCH && i < end; i++)
            prefetch(d, i);
        for (size_t i = next; i < end && st == CHAFF_OK; i++) {
            if (i + PREFETCH < end)
                prefetch(d, i + PREFETCH);
            st = decide(d, videos ? videos[i].index : docs[i].index, &d->sk[i],
                        d->fps + i * d->bands, videos ? &videos[i] : NULL,
                        d->mfps ? d->mfps + i * d->bands : NULL,
                        d->cfps ? d->cfps + i * CHAFF_CROP_VARIANTS * d->bands : NULL, &out[i]);
        }
        next = end;
    }
    if (st)
        work(&d->w[0]); /* let the chunk drain, so no worker is left on it */
    if (helpers) {
        pthread_mutex_lock(&d->mu);
        while (d->running)
            pthread_cond_wait(&d->done_cv, &d->mu);
        pthread_mutex_unlock(&d->mu);
    }
    for (unsigned i = 0; i < d->nw; i++) {
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
        while ((got = chaff__lsh_query(&d->lsh, fps[b], d->cand + n, d->cand_cap - n,
                                       &d->ends[b])) > d->cand_cap - n) {
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

/* Frames whose mirror is given: the kept videos the mirror's candidates
 * match, as best share and id (ties to the earlier kept video). Run before
 * the record's own query, whose scan ends the insert needs. */
static chaff_status mirror_best(chaff_dedup *d, const chaff_video *vid, const uint32_t *mfps,
                                double *best, uint32_t *best_id)
{
    size_t nc;
    chaff_status st = candidates(d, mfps, &nc);
    if (st)
        return st;
    d->stats.candidates += nc;
    const uint32_t *q = (const uint32_t *)(const void *)vid->mirror;
    for (size_t i = 0; i < nc && *best < 1.0; i++) {
        double j = chaff__store_frame_share(&d->store, d->cand[i], q, vid->nframes,
                                            d->o.max_hamming, d->o.threshold);
        if (j > *best) {
            *best = j;
            *best_id = d->cand[i];
        }
    }
    return CHAFF_OK;
}

/* Frames whose crop variants are given (the video may be the source of a
 * kept cropped copy): the kept videos each variant's candidates match. Like
 * mirror_best, run before the record's own query. */
static chaff_status crops_best(chaff_dedup *d, const chaff_video *vid, const uint32_t *cfps,
                               double *best, uint32_t *best_id)
{
    for (unsigned k = 0; k < CHAFF_CROP_VARIANTS && *best < 1.0; k++) {
        size_t nc;
        chaff_status st = candidates(d, cfps + k * d->bands, &nc);
        if (!st)
            st = gather_crop(d, vid, k, &d->cseq, &d->cseq_cap);
        if (st)
            return st;
        d->stats.candidates += nc;
        const uint32_t *q = (const uint32_t *)(const void *)d->cseq;
        for (size_t i = 0; i < nc && *best < 1.0; i++) {
            uint32_t c = d->cand[i];
            double j;
            if (d->store.variant[c]) {
                /* Two variants alike: the frames are likely alike too, and
                 * are checked as frames, against the kept video. Its tokens
                 * may have been missed (a darker copy flips many low bits);
                 * five more draws of tokens find more of them. */
                c -= d->store.variant[c];
                j = chaff__store_frame_share(&d->store, c, (const uint32_t *)(const void *)vid->frames,
                                             vid->nframes, d->o.max_hamming, d->o.threshold);
            } else {
                j = chaff__store_frame_share(&d->store, c, q, vid->nframes,
                                             d->o.max_hamming / CROP_HAMMING_DIV, d->o.threshold);
            }
            if (j > *best || (j == *best && c < *best_id)) {
                *best = j;
                *best_id = c;
            }
        }
    }
    return CHAFF_OK;
}

/* A kept video's crop variants, kept as records that stand for it, so that a
 * later cropped copy finds and matches one of them. They take the ids right
 * after the video's: variant k is id + 1 + k, marked k + 1. */
static chaff_status keep_crops(chaff_dedup *d, uint64_t index, const chaff_video *vid,
                               const uint32_t *cfps)
{
    for (unsigned k = 0; k < CHAFF_CROP_VARIANTS; k++) {
        uint32_t id;
        chaff_status st = gather_crop(d, vid, k, &d->cseq, &d->cseq_cap);
        if (!st)
            st = chaff__store_add_variant(&d->store, index, k + 1,
                                          (const uint32_t *)(const void *)d->cseq,
                                          2 * vid->nframes, &id);
        for (unsigned b = 0; !st && b < d->bands; b++)
            st = chaff__lsh_insert(&d->lsh, cfps[k * d->bands + b], id);
        if (st)
            return st;
    }
    return CHAFF_OK;
}

static chaff_status decide(chaff_dedup *d, uint64_t index, const sketch *sk,
                           const uint32_t *fps, const chaff_video *vid, const uint32_t *mfps,
                           const uint32_t *cfps, chaff_verdict *v)
{
    chaff__store *s = &d->store;
    v->reason = CHAFF_KEEP;
    v->similarity = 0;
    v->duplicate_of = index;
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
    /* room first: the queries' end positions must survive until the insert */
    chaff_status st = chaff__lsh_reserve(&d->lsh, d->bands);
    if (st)
        return st;
    double best = -1;
    uint32_t best_id = 0;
    if (CHAFF_UNLIKELY(mfps != NULL) && vid->mirror &&
        (st = mirror_best(d, vid, mfps, &best, &best_id)))
        return st;
    if (CHAFF_UNLIKELY(cfps != NULL) && vid->crops &&
        (st = crops_best(d, vid, cfps, &best, &best_id)))
        return st;
    st = candidates(d, fps, &nc);
    if (st)
        return st;
    d->stats.candidates += nc;
    const uint32_t *q = sk->sh;
    for (size_t i = 0; i < nc && best < 1.0; i++) {
        double j = d->videos ? chaff__store_frame_share(s, d->cand[i], q, sk->nsh / 2,
                                                        CHAFF_UNLIKELY(s->variant[d->cand[i]])
                                                            ? d->o.max_hamming / CROP_HAMMING_DIV
                                                            : d->o.max_hamming,
                                                        d->o.threshold)
                             : chaff__store_jaccard(s, d->cand[i], q, sk->nsh, d->o.threshold);
        if (j > best || (j == best && d->cand[i] < best_id)) { /* ties: the earlier kept */
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
    if ((st = chaff__store_add(s, index, sk->exact, q, sk->nsh, &id)))
        return st;
    for (unsigned b = 0; b < d->bands; b++)
        chaff__lsh_insert_at(&d->lsh, fps[b], id, d->ends[b]);
    if (CHAFF_UNLIKELY(cfps != NULL) && vid->crops && (st = keep_crops(d, index, vid, cfps)))
        return st;
    d->stats.kept++;
    return CHAFF_OK;
}

chaff_status chaff_dedup_add(chaff_dedup *d, const chaff_doc *docs, size_t n, chaff_verdict *out)
{
    if (d->o.kind != CHAFF_KIND_TEXT)
        return CHAFF_E_ARG;
    for (size_t base = 0; base < n; base += CHUNK) {
        size_t m = n - base < CHUNK ? n - base : CHUNK;
        chaff_status st = run_chunk(d, docs + base, NULL, m, out + base);
        if (st)
            return st;
    }
    return CHAFF_OK;
}

chaff_status chaff_dedup_add_frames(chaff_dedup *d, const chaff_video *videos, size_t n,
                                    chaff_verdict *out)
{
    if (d->o.kind != CHAFF_KIND_FRAMES)
        return CHAFF_E_ARG;
    if (!d->mfps)
        for (size_t i = 0; i < n; i++)
            if (videos[i].mirror) { /* the first mirror seen: room for their band hashes */
                d->mfps = chaff__alloc(&d->alloc, (size_t)CHUNK * d->bands * sizeof *d->mfps);
                if (!d->mfps)
                    return CHAFF_E_NOMEM;
                break;
            }
    if (!d->cfps)
        for (size_t i = 0; i < n; i++)
            if (videos[i].crops) {
                d->cfps = chaff__alloc(&d->alloc, (size_t)CHUNK * CHAFF_CROP_VARIANTS *
                                                      d->bands * sizeof *d->cfps);
                if (!d->cfps)
                    return CHAFF_E_NOMEM;
                break;
            }
    for (size_t base = 0; base < n; base += CHUNK) {
        size_t m = n - base < CHUNK ? n - base : CHUNK;
        chaff_status st = run_chunk(d, NULL, videos + base, m, out + base);
        if (st)
            return st;
    }
    return CHAFF_OK;
}

void chaff_dedup_get_stats(const chaff_dedup *d, chaff_dedup_stats *st)
{
    *st = d->stats;
    st->index_bytes = chaff__store_bytes(&d->store) + d->lsh.cap * sizeof(chaff__lsh_slot);
    st->threads = d->nw;
}
