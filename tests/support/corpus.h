/* tests/support/corpus.h - load a JSON Lines corpus of {"text": ...} objects into memory.
 *
 * The accuracy tests judge the library, so they must not read their input through the
 * library's own JSON parser: a bug there would hide itself by feeding the oracle and the
 * engine the same wrong text. This loader is small and separate. It accepts one JSON object
 * per line whose members are all strings (what scripts/make-corpus.sh writes) and keeps the
 * unescaped value of one field.
 */
#ifndef CHAFF_TEST_CORPUS_H
#define CHAFF_TEST_CORPUS_H

#include <stddef.h>

typedef struct corpus {
    size_t n;              /* records loaded */
    const char **text;     /* text[k]: the field's UTF-8 bytes (not NUL-terminated) */
    size_t *len;           /* len[k]: its length in bytes */
    char *buf;             /* owns every text */
} corpus;

/* Reads path, keeping the string field `field` of each line, at most max_records lines
 * (0 = all). Returns 0, or -1 with a sentence (file, line and why) in err. On failure *c
 * holds nothing to free. */
int corpus_load(corpus *c, const char *path, const char *field, size_t max_records,
                char *err, size_t err_cap);
void corpus_free(corpus *c);

/* The source tree, for files the tests read (see corpus_make). */
const char *corpus_source_dir(char *buf, size_t cap);

/* Builds a corpus with scripts/make-corpus.sh (script_args: "" or "--docs", then
 * max_records, 0 = all) into $CHAFF_BUILD_DIR (else the current directory) as
 * name; path receives where. The source tree is $CHAFF_SOURCE_DIR (set by ctest),
 * else the current directory when it holds the script, else the tree this file
 * was compiled from. Returns 0, or -1 with why in err. */
int corpus_make(const char *script_args, int max_records, const char *name, char *path,
                size_t path_cap, char *err, size_t err_cap);

/* The Debian-docs corpus of scripts/make-corpus.sh (no options, every record)
 * into path: test_quality's copy in the build directory when there is one,
 * else built. Returns 0, or -1 with why in err. */
int corpus_debian(char *path, size_t path_cap, char *err, size_t err_cap);

#endif
