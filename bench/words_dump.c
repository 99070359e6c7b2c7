/* bench/words_dump.c - chaff's NLTK-style sentences and words for each record,
 * for bench/words_diff.py to compare with NLTK itself, and its speed.
 *
 * Input (stdin): records as "<bytes>\n" followed by that many bytes of UTF-8 text
 * (the checker writes them; no JSON parsing here so that the text bytes are
 * exactly what Python encoded). Output (stdout), per record:
 *   "<nsent> <nwords>\n", nsent lines "<off> <len>\n" (byte spans of the stripped
 *   sentences), then per word "<len> <cps>\n<bytes>\n".
 * With -t, nothing is written: each record is tokenized -r times (default 5)
 * and the best MB/s (of CPU time) is printed to stderr.
 *
 * Not built by CMake. Build against a library build directory, e.g.:
 *   gcc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I include -I core bench/words_dump.c \
 *       build/libchaff.a -lxxhash -lutf8proc -lzstd -lz -lpthread -lm -o /tmp/words_dump
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "words.h"

/* CPU time of this process: the machine is shared, and wall time there
 * measures the neighbours as much as the code. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int timing = 0, runs = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t"))
            timing = 1;
        else if (!strcmp(argv[i], "-r") && i + 1 < argc)
            runs = atoi(argv[++i]);
    }
    char **texts = NULL;
    size_t *lens = NULL, n = 0, cap = 0, total = 0;
    size_t len;
    while (fscanf(stdin, "%zu", &len) == 1) {
        if (fgetc(stdin) != '\n')
            return 1;
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            texts = realloc(texts, cap * sizeof *texts);
            lens = realloc(lens, cap * sizeof *lens);
            if (!texts || !lens)
                return 1;
        }
        texts[n] = malloc(len + 1);
        if (!texts[n] || fread(texts[n], 1, len, stdin) != len)
            return 1;
        lens[n++] = len;
        total += len;
    }
    chaff__words ws;
    chaff__words_init(&ws, NULL);
    if (timing) {
        double best = 1e30;
        size_t words = 0;
        for (int r = 0; r < runs; r++) {
            double t0 = now();
            words = 0;
            for (size_t i = 0; i < n; i++) {
                if (chaff__words_split(&ws, texts[i], lens[i]) != CHAFF_OK)
                    return 1;
                words += ws.n;
            }
            double t = now() - t0;
            if (t < best)
                best = t;
        }
        fprintf(stderr, "%zu records, %.1f MB, %zu words: %.1f MB/s, %.0f records/s (best of %d)\n",
                n, total / 1e6, words, total / 1e6 / best, n / best, runs);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (chaff__words_split(&ws, texts[i], lens[i]) != CHAFF_OK)
                return 1;
            printf("%zu %zu\n", ws.nsent, ws.n);
            for (size_t k = 0; k < ws.nsent; k++)
                printf("%zu %zu\n", ws.sent[k].off, ws.sent[k].len);
            for (size_t k = 0; k < ws.n; k++) {
                printf("%u %u\n", ws.w[k].len, ws.w[k].cps);
                fwrite(ws.arena + ws.w[k].off, 1, ws.w[k].len, stdout);
                putchar('\n');
            }
        }
    }
    chaff__words_free(&ws);
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(lens);
    return 0;
}
