/* tests/fuzz/fuzz_json.c - libFuzzer target for chaff_json_parse().
 *
 * The last byte of the input chooses the parser: its low 5 bits are the
 * length of the field name, taken from the bytes just before it, and its top
 * bit asks for an id field named "id". The rest is the line. Keeping the
 * options in the tail lets the fuzzer mutate the line freely at the front.
 *
 * Beyond "does not crash" (ASan catches any read past the line, which
 * libFuzzer hands over in a buffer of exactly its size), it checks what the
 * library promises: a status from the documented set, a reason and a column
 * inside the line for every failure, spans of the line for a direct text and
 * for the id, UTF-8 out for UTF-8 in, every text of a batch still intact
 * after the batch, and a verdict on validity that does not depend on the
 * field's name (the field's string is decoded as it is checked, the others
 * are only checked: the two loops must agree).
 *
 *   clang -std=c11 -g -O1 -DCHAFF_SANITIZE=1 -fsanitize=fuzzer,address,undefined \
 *       -Iinclude -Icore tests/fuzz/fuzz_json.c core/json.c core/alloc.c core/status.c \
 *       -o fuzz_json
 * (add -DCHAFF_JSON_SWAR for the portable scan; CHAFF_SANITIZE makes json.c
 * abort should its two string loops ever disagree).
 * Without libFuzzer, -DCHAFF_FUZZ_MAIN adds a main() that replays files.
 */
#include <stdint.h>
#include <stdlib.h> /* abort, malloc */
#include <string.h> /* memcpy, memcmp, memchr */

#include "chaff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) \
    do {         \
        if (!(x)) \
            abort(); \
    } while (0)

/* Whether s[0..n) is well-formed UTF-8 (no surrogates, no overlongs). */
static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (n - i <= k)
            return 0;
        for (size_t t = 1; t <= k; t++) {
            if ((s[i + t] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + t] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* The previous inputs' escaped texts, kept to check that later parses in the
 * same batch leave them alone. */
#define BATCH 8
static struct {
    const char *text;
    size_t len;
    char *copy;
} kept[BATCH];
static size_t nkept;
static chaff_json *parsers[64]; /* by (name length, id) */

/* Ends the batch: forgets the kept texts and resets every parser. */
static void end_batch(void)
{
    for (size_t i = 0; i < nkept; i++)
        free(kept[i].copy);
    nkept = 0;
    for (size_t i = 0; i < 64; i++)
        chaff_json_reset(parsers[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char names[64][32];
    if (size == 0)
        return 0;
    unsigned opt = data[size - 1];
    size_t name_len = opt & 31;
    int with_id = (opt & 0x80) != 0;
    size--;
    if (name_len > size)
        name_len = size;
    const char *line = (const char *)data;
    size_t len = size - name_len;
    char name[32];
    memcpy(name, data + len, name_len);
    name[name_len] = '\0'; /* a NUL inside just makes the name shorter */

    /* One parser per option set, rebuilt when the name changes, so that the
     * arena lives across inputs the way it does across a batch of lines. */
    unsigned slot = (unsigned)(name_len | (with_id ? 32 : 0));
    if (!parsers[slot] || strcmp(names[slot], name) != 0) {
        end_batch();
        chaff_json_free(parsers[slot]);
        parsers[slot] = NULL;
        CHECK(chaff_json_new(&parsers[slot], name, with_id ? "id" : NULL, NULL) == CHAFF_OK);
        memcpy(names[slot], name, name_len + 1);
    }
    chaff_json *j = parsers[slot];

    /* Each input gets its own exactly-sized copy that is freed at once, so
     * a text that wrongly points into an earlier line becomes a use after
     * free in the batch check below. */
    char *own = malloc(len ? len : 1);
    CHECK(own);
    memcpy(own, line, len);
    chaff_record rec;
    chaff_status s = chaff_json_parse(j, own, len, &rec);
    size_t col = 0;
    const char *why = chaff_json_error(j, &col);
    CHECK(why && why[0]);

    switch (s) {
    case CHAFF_OK:
        CHECK(col == 0);
        CHECK(rec.text != NULL);
        CHECK(rec.text_len <= len);
        if (rec.text >= own && rec.text < own + len) {
            /* Direct: a raw span holding no escape and no quote. */
            CHECK(rec.text + rec.text_len <= own + len);
            CHECK(!memchr(rec.text, '\\', rec.text_len));
            CHECK(!memchr(rec.text, '"', rec.text_len));
        }
        if (valid_utf8((const unsigned char *)own, len))
            CHECK(valid_utf8((const unsigned char *)rec.text, rec.text_len));
        break;
    case CHAFF_E_FIELD_MISSING:
    case CHAFF_E_FIELD_TYPE:
    case CHAFF_E_JSON:
        CHECK(rec.text == NULL && rec.text_len == 0);
        CHECK(col >= 1 && col <= len + 1);
        if (s == CHAFF_E_JSON)
            CHECK(rec.id == NULL);
        break;
    default:
        abort();
    }
    if (rec.id) {
        CHECK(with_id);
        CHECK(rec.id >= own && rec.id_len > 0 && rec.id + rec.id_len <= own + len);
    } else {
        CHECK(rec.id_len == 0);
    }

    /* A parser that never finds its field judges the line the same way. */
    static chaff_json *blind;
    if (!blind)
        CHECK(chaff_json_new(&blind, "\x01 no such key", NULL, NULL) == CHAFF_OK);
    chaff_record brec;
    chaff_status bs = chaff_json_parse(blind, own, len, &brec);
    if (s == CHAFF_E_JSON) {
        size_t bcol;
        CHECK(bs == CHAFF_E_JSON);
        CHECK(strcmp(chaff_json_error(blind, &bcol), why) == 0 && bcol == col);
    } else {
        CHECK(bs != CHAFF_E_JSON);
    }

    /* The same line parses the same way twice. */
    chaff_record again;
    CHECK(chaff_json_parse(j, own, len, &again) == s);
    CHECK(again.text_len == rec.text_len && again.id == rec.id && again.id_len == rec.id_len);
    if (rec.text_len)
        CHECK(memcmp(again.text, rec.text, rec.text_len) == 0);

    if (s == CHAFF_OK && !(rec.text >= own && rec.text < own + len)) {
        kept[nkept].text = rec.text;
        kept[nkept].len = rec.text_len;
        kept[nkept].copy = malloc(rec.text_len ? rec.text_len : 1);
        CHECK(kept[nkept].copy);
        memcpy(kept[nkept].copy, rec.text, rec.text_len);
        nkept++;
    }
    free(own);
    for (size_t i = 0; i < nkept; i++)
        CHECK(memcmp(kept[i].text, kept[i].copy, kept[i].len) == 0);
    if (nkept == BATCH)
        end_batch();
    return 0;
}

#ifdef CHAFF_FUZZ_MAIN
#include <stdio.h>
/* Replays the files named on the command line, for builds without libFuzzer. */
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 1;
        }
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        uint8_t *exact = malloc(n ? n : 1);
        if (!exact)
            return 1;
        memcpy(exact, buf, n);
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
    }
    printf("%d inputs replayed\n", argc - 1);
    return 0;
}
#endif
