/* tests/support/corpus.c - load a JSON Lines corpus of {"text": ...} objects into memory.
 *
 * Independent of core/json.c on purpose (see corpus.h). The whole file is read at once and
 * each wanted string is unescaped in place: an unescaped JSON string is never longer than
 * its escaped form, so the decoded bytes fit where the quoted ones were.
 */
#include "corpus.h"

#include <stdarg.h>   /* va_list for the error message */
#include <stdint.h>   /* uint32_t code points */
#include <stdio.h>    /* fopen, fread, vsnprintf */
#include <stdlib.h>   /* malloc, realloc, free */
#include <string.h>   /* memcmp, strlen */

static void fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    if (cap == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

static int hex4(const char *p, const char *end, uint32_t *v)
{
    uint32_t x = 0;
    if (end - p < 4)
        return -1;
    for (int k = 0; k < 4; k++) {
        char ch = p[k];
        x <<= 4;
        if (ch >= '0' && ch <= '9') x |= (uint32_t)(ch - '0');
        else if (ch >= 'a' && ch <= 'f') x |= (uint32_t)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F') x |= (uint32_t)(ch - 'A' + 10);
        else return -1;
    }
    *v = x;
    return 0;
}

static char *put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* Parses the string starting at the opening quote *p. When out is not NULL writes the
 * unescaped bytes there (out may equal the string's own bytes: it never overtakes the
 * reader). Returns the position after the closing quote, or NULL if malformed. A lone
 * surrogate escape becomes U+FFFD, which separates words just as the surrogate would. */
static const char *parse_string(const char *p, const char *end, char *out, size_t *out_len)
{
    char *o = out;
    if (p >= end || *p != '"')
        return NULL;
    p++;
    while (p < end) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"') {
            if (out_len)
                *out_len = out ? (size_t)(o - out) : 0;
            return p + 1;
        }
        if (ch < 0x20)
            return NULL;
        if (ch != '\\') {
            if (out)
                *o++ = (char)ch;
            p++;
            continue;
        }
        if (++p >= end)
            return NULL;
        uint32_t cp;
        switch (*p++) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (hex4(p, end, &cp) != 0)
                return NULL;
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                uint32_t lo;
                if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, end, &lo) == 0 &&
                    lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                cp = 0xFFFD;
            }
            break;
        default:
            return NULL;
        }
        if (out)
            o = put_utf8(o, cp);
    }
    return NULL;
}

/* Finds `field` in the object on [p, end) and unescapes its value in place. */
static int parse_line(char *line, const char *end, const char *field, const char **text,
                      size_t *len)
{
    const char *p = skip_ws(line, end);
    size_t flen = strlen(field);
    int found = 0;
    if (p >= end || *p != '{')
        return -1;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}')
        return skip_ws(p + 1, end) == end ? 0 : -1;
    for (;;) {
        const char *key = p, *after;
        size_t klen;
        if (!(after = parse_string(p, end, NULL, NULL)))
            return -1;
        /* the key's raw bytes; fields with escapes in their names never match */
        klen = (size_t)(after - key) - 2;
        int wanted = klen == flen && memcmp(key + 1, field, flen) == 0;
        p = skip_ws(after, end);
        if (p >= end || *p != ':')
            return -1;
        p = skip_ws(p + 1, end);
        char *val = line + (p - line);
        if (!(after = parse_string(p, end, wanted ? val : NULL, wanted ? len : NULL)))
            return -1;
        if (wanted) {
            *text = val;
            found = 1;
        }
        p = skip_ws(after, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}')
            break;
        return -1;
    }
    if (skip_ws(p + 1, end) != end)
        return -1;
    return found ? 0 : -2;
}

int corpus_load(corpus *c, const char *path, const char *field, size_t max_records,
                char *err, size_t err_cap)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t size = 0, cap = 0, nlines = 0;
    memset(c, 0, sizeof *c);
    if (!f) {
        fail(err, err_cap, "%s: cannot open", path);
        return -1;
    }
    for (;;) {
        if (size == cap) {
            size_t ncap = cap ? cap * 2 : (size_t)1 << 20;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                fail(err, err_cap, "%s: out of memory", path);
                goto fail;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + size, 1, cap - size, f);
        size += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fail(err, err_cap, "%s: read error", path);
        goto fail;
    }
    fclose(f);
    f = NULL;
    for (size_t k = 0; k < size; k++)
        nlines += buf[k] == '\n';
    nlines += size > 0 && buf[size - 1] != '\n';
    if (max_records && nlines > max_records)
        nlines = max_records;
    c->text = malloc((nlines ? nlines : 1) * sizeof *c->text);
    c->len = malloc((nlines ? nlines : 1) * sizeof *c->len);
    if (!c->text || !c->len) {
        fail(err, err_cap, "%s: out of memory", path);
        goto fail;
    }
    char *line = buf, *end = buf + size;
    while (line < end && c->n < nlines) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        char *lend = nl ? nl : end;
        int rc = parse_line(line, lend, field, &c->text[c->n], &c->len[c->n]);
        if (rc != 0) {
            fail(err, err_cap, "%s:%zu: %s", path, c->n + 1,
                 rc == -2 ? "no such string field" : "not a JSON object of strings");
            goto fail;
        }
        c->n++;
        line = lend + (nl != NULL);
    }
    c->buf = buf;
    return 0;
fail:
    if (f)
        fclose(f);
    free(buf);
    free(c->text);
    free(c->len);
    memset(c, 0, sizeof *c);
    return -1;
}

void corpus_free(corpus *c)
{
    free(c->buf);
    free(c->text);
    free(c->len);
    memset(c, 0, sizeof *c);
}

static const char *dir_or_cwd(const char *env)
{
    const char *d = getenv(env);
    return d && *d ? d : ".";
}

const char *corpus_source_dir(char *buf, size_t cap)
{
    const char *d = getenv("CHAFF_SOURCE_DIR");
    FILE *f;
    if (d && *d)
        return d;
    if ((f = fopen("scripts/make-corpus.sh", "r")) != NULL) {
        fclose(f);
        return ".";
    }
    const char *tail = strstr(__FILE__, "/tests/support/corpus.c");
    if (tail && __FILE__[0] == '/' && (size_t)(tail - __FILE__) < cap) {
        memcpy(buf, __FILE__, (size_t)(tail - __FILE__));
        buf[tail - __FILE__] = '\0';
        return buf;
    }
    return ".";
}

int corpus_make(const char *script_args, int max_records, const char *name, char *path,
                size_t path_cap, char *err, size_t err_cap)
{
    char srcbuf[4096], cmd[2 * 4096 + 128];
    const char *src = corpus_source_dir(srcbuf, sizeof srcbuf);
    snprintf(path, path_cap, "%s/%s", dir_or_cwd("CHAFF_BUILD_DIR"), name);
    if (strchr(src, '\'') || strchr(path, '\'')) {
        fail(err, err_cap, "paths with a single quote are not supported: %s, %s", src, path);
        return -1;
    }
    snprintf(cmd, sizeof cmd, "sh '%s/scripts/make-corpus.sh' %s '%s' %d", src, script_args,
             path, max_records);
    int rc = system(cmd);
    if (rc != 0) {
        fail(err, err_cap, "'%s' failed (status %d)", cmd, rc);
        return -1;
    }
    return 0;
}

int corpus_debian(char *path, size_t path_cap, char *err, size_t err_cap)
{
    snprintf(path, path_cap, "%s/quality-corpus.jsonl", dir_or_cwd("CHAFF_BUILD_DIR"));
    FILE *f = fopen(path, "r");
    if (f) {
        fclose(f);
        return 0;
    }
    /* the same name: the script renames a finished file into place, so two
     * tests building it at once leave one whole copy */
    return corpus_make("", 0, "quality-corpus.jsonl", path, path_cap, err, err_cap);
}
