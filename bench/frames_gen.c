/* bench/frames_gen.c - a synthetic frame-hash corpus for chaff dedup --format frames.
 *
 * usage: frames_gen N FRAMES SEED TRUTH.tsv > corpus.jsonl
 * N videos of FRAMES frame hashes each, as chaff hash writes them. A video is
 * a slow random walk: each frame is the previous one with 0 to 3 of its 63 AC
 * bits flipped, and every 10 frames a cut to a new random frame, so that its
 * frames are related the way consecutive seconds of a video are. About 10% of
 * the videos are copies of an earlier one: each frame with 0 to 6 bits flipped
 * (a re-encode, a small crop), and half of them trimmed by up to a quarter at
 * either end. TRUTH.tsv gets "copy<TAB>original" for each planted copy.
 * Deterministic for a seed; no randomness outside splitmix64. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t st;
static uint64_t next(void)
{
    uint64_t z = (st += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t flip_bits(uint64_t x, unsigned k)
{
    while (k--)
        x ^= 1ull << (next() % 63);
    return x;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: frames_gen N FRAMES SEED TRUTH.tsv > corpus.jsonl\n");
        return 2;
    }
    size_t n = strtoull(argv[1], NULL, 10), f = strtoull(argv[2], NULL, 10);
    st = strtoull(argv[3], NULL, 10);
    FILE *truth = fopen(argv[4], "w");
    uint64_t *all = malloc(n * f * sizeof *all);
    if (!truth || !all || !f)
        return 1;
    static char buf[1 << 16];
    setvbuf(stdout, NULL, _IOFBF, 1 << 20);
    for (size_t i = 0; i < n; i++) {
        uint64_t *v = all + i * f;
        size_t lo = 0, hi = f;
        if (i > 0 && next() % 10 == 0) {
            size_t src = (size_t)(next() % i);
            for (size_t k = 0; k < f; k++)
                v[k] = flip_bits(all[src * f + k], (unsigned)(next() % 7));
            if (next() % 2) {
                lo = (size_t)(next() % (f / 4 + 1));
                hi = f - (size_t)(next() % (f / 4 + 1));
            }
            fprintf(truth, "%zu\t%zu\n", i, src);
        } else {
            uint64_t x = 0;
            for (size_t k = 0; k < f; k++) {
                x = k % 10 == 0 ? next() >> 1 : flip_bits(x, (unsigned)(next() % 4));
                v[k] = x;
            }
        }
        int len = snprintf(buf, sizeof buf, "{\"path\":\"v%zu.mp4\",\"frames\":[", i);
        fwrite(buf, 1, (size_t)len, stdout);
        for (size_t k = lo; k < hi; k++)
            printf("%s\"%016llx\"", k > lo ? "," : "", (unsigned long long)v[k]);
        printf("],\"fps\":1,\"duration\":%zu}\n", hi - lo);
    }
    fclose(truth);
    free(all);
    return 0;
}
