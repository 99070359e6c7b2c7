/* tests/test_json.c - chaff_json_*: a JSON Lines record -> its text and id.
 *
 * Exact answers for every escape and every kind of invalid line (status, reason
 * and column), then the properties the rest of the library leans on: texts of
 * a whole batch stay valid together, no allocation in the steady state, no
 * byte read past the end of the line (a guard page after it), and a random
 * round trip through an encoder written here. The random test prints its seed
 * and takes one from CHAFF_TEST_SEED to replay a failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>    /* open() of /dev/zero, for mappings without MAP_ANONYMOUS */
#include <inttypes.h> /* PRIu64 for printing the seed */
#include <stdio.h>    /* printf, snprintf */
#include <stdlib.h>   /* malloc, getenv, strtoull */
#include <string.h>   /* memcmp, memcpy, strlen */
#include <sys/mman.h> /* mmap, mprotect: guard pages */
#include <time.h>     /* time(): the default seed */
#include <unistd.h>   /* sysconf, close */

#include "chaff.h"

/* A string literal and its length, NULs included. */
#define L(s) (s), (sizeof(s) - 1)

/* ---- helpers ------------------------------------------------------------ */

static chaff_json *new_json(const char *field, const char *id_field)
{
    chaff_json *j = NULL;
    assert_int_equal(chaff_json_new(&j, field, id_field, NULL), CHAFF_OK);
    assert_non_null(j);
    return j;
}

/* A copy of line[0..len) whose last byte is the last readable byte before a
 * PROT_NONE page, so that reading one byte too far faults. */
typedef struct guarded {
    char *map;
    size_t map_len;
    char *line;
} guarded;

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

static guarded guard_copy(const char *line, size_t len)
{
    guarded g;
    size_t page = page_size();
    size_t data_pages = (len + page - 1) / page;
    if (data_pages == 0)
        data_pages = 1;
    g.map_len = (data_pages + 1) * page;
    int fd = open("/dev/zero", O_RDWR);
    assert_true(fd >= 0);
    g.map = mmap(NULL, g.map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    assert_true(g.map != MAP_FAILED);
    assert_int_equal(mprotect(g.map + data_pages * page, page, PROT_NONE), 0);
    g.line = g.map + data_pages * page - len;
    if (len)
        memcpy(g.line, line, len);
    return g;
}

static void guard_free(guarded *g) { munmap(g->map, g->map_len); }

/* Parses line (plainly, then again in a guarded copy) and checks the status. */
static chaff_status parse_both(chaff_json *j, const char *line, size_t len, chaff_record *rec)
{
    guarded g = guard_copy(line, len);
    chaff_record grec;
    chaff_status gs = chaff_json_parse(j, g.line, len, &grec);
    size_t gcol;
    const char *gwhy = chaff_json_error(j, &gcol);
    char why[128];
    snprintf(why, sizeof why, "%s", gwhy);
    chaff_status s = chaff_json_parse(j, line, len, rec);
    size_t col;
    assert_int_equal(s, gs);
    assert_string_equal(chaff_json_error(j, &col), why);
    assert_int_equal(col, gcol);
    assert_int_equal(rec->text_len, grec.text_len);
    if (rec->text && grec.text)
        assert_memory_equal(rec->text, grec.text, rec->text_len);
    guard_free(&g);
    return s;
}

static void expect_text(chaff_json *j, const char *line, size_t len, const char *want,
                        size_t want_len)
{
    chaff_record rec;
    chaff_status s = parse_both(j, line, len, &rec);
    if (s != CHAFF_OK) {
        size_t col;
        const char *why = chaff_json_error(j, &col);
        fail_msg("line %.*s: status %d (%s at column %zu)", (int)len, line, (int)s, why, col);
    }
    assert_non_null(rec.text);
    if (rec.text_len != want_len || memcmp(rec.text, want, want_len) != 0)
        fail_msg("line %.*s: got %zu bytes \"%.*s\", want %zu", (int)len, line, rec.text_len,
                 (int)rec.text_len, rec.text, want_len);
}

/* ---- tests -------------------------------------------------------------- */

static void test_plain_text_points_into_line(void **state)
{
    (void)state;
    chaff_json *j = new_json("text", NULL);
    const char line[] = "{\"text\":\"hello world\"}";
    chaff_record rec;
    assert_int_equal(chaff_json_parse(j, L(line), &rec), CHAFF_OK);
    assert_ptr_equal(rec.text, line + 9); /* no copy without escapes */
    assert_int_equal(rec.text_len, 11);
    assert_null(rec.id);
    assert_int_equal(rec.id_len, 0);
    size_t col = 99;
    assert_string_equal(chaff_json_error(j, &col), "no error");
    assert_int_equal(col, 0);

    const char empty[] = "{\"text\":\"\"}";
    assert_int_equal(chaff_json_parse(j, L(empty), &rec), CHAFF_OK);
    assert_ptr_equal(rec.text, empty + 9);
    assert_int_equal(rec.text_len, 0);

    /* An escaped text is copied: it cannot point into the line. */
    const char esc[] = "{\"text\":\"a\\nb\"}";
    assert_int_equal(chaff_json_parse(j, L(esc), &rec), CHAFF_OK);
    assert_true(rec.text < esc || rec.text >= esc + sizeof esc);
    assert_int_equal(rec.text_len, 3);
    assert_memory_equal(rec.text, "a\nb", 3);
    chaff_json_free(j);
}

static void test_every_escape(void **state)
{
    (void)state;
    static const struct {
        const char *body; /* between the quotes of "text" */
        const char *want;
        size_t want_len;
    } cases[] = {
        { "\\\"", L("\"") },
        { "\\\\", L("\\") },
        { "\\/", L("/") },
        { "\\b", L("\b") },
        { "\\f", L("\f") },
        { "\\n", L("\n") },
        { "\\r", L("\r") },
        { "\\t", L("\t") },
        { "\\u0041", L("A") },
        { "\\u0000", L("\0") },
        { "\\u001f", L("\x1f") },
        { "\\u007F", L("\x7f") },
        { "\\u0080", L("\xC2\x80") },
        { "\\u00e9", L("\xC3\xA9") },
        { "\\u07FF", L("\xDF\xBF") },
        { "\\u0800", L("\xE0\xA0\x80") },
        { "\\u20AC", L("\xE2\x82\xAC") },
        { "\\uFFFF", L("\xEF\xBF\xBF") },
        { "\\uD83D\\uDE00", L("\xF0\x9F\x98\x80") },
        { "\\ud83d\\ude00", L("\xF0\x9F\x98\x80") },
        { "\\uD800\\uDC00", L("\xF0\x90\x80\x80") },
        { "\\uDBFF\\uDFFF", L("\xF4\x8F\xBF\xBF") },
        /* Lone and mismatched surrogates become U+FFFD and parsing goes on. */
        { "\\ud800", L("\xEF\xBF\xBD") },
        { "\\udc00", L("\xEF\xBF\xBD") },
        { "\\uDFFF", L("\xEF\xBF\xBD") },
        { "\\ud800x", L("\xEF\xBF\xBDx") },
        { "\\ud800\\u0041", L("\xEF\xBF\xBD" "A") },
        { "\\ud800\\n", L("\xEF\xBF\xBD\n") },
        { "\\udc00\\ud800", L("\xEF\xBF\xBD\xEF\xBF\xBD") },
        { "\\ud800\\ud83d\\ude00", L("\xEF\xBF\xBD\xF0\x9F\x98\x80") },
        { "\\ud83d\\ude00\\ude00", L("\xF0\x9F\x98\x80\xEF\xBF\xBD") },
        { "\\ud83d\\\\ude00", L("\xEF\xBF\xBD\\ude00") },
        /* Mixed runs, escapes at both ends, and raw UTF-8 around them. */
        { "a\\tb\\nc", L("a\tb\nc") },
        { "\\\"quoted\\\"", L("\"quoted\"") },
        { "caf\xC3\xA9 \\u00e9", L("caf\xC3\xA9 \xC3\xA9") },
        { "0123456789abcdef0123456789\\n0123456789abcdef", L("0123456789abcdef0123456789\n0123456789abcdef") },
        /* Invalid UTF-8 is not the parser's business: it passes through. */
        { "\xFF\xFE\xC3", L("\xFF\xFE\xC3") },
        { "\xFF\\n\xC0\xAF", L("\xFF\n\xC0\xAF") },
        { "\xED\xA0\x80", L("\xED\xA0\x80") },
        /* Bytes >= 0x80 and DEL are not control characters. */
        { "\x7F\x80\x9F", L("\x7F\x80\x9F") },
    };
    chaff_json *j = new_json("text", NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* The escape at every offset in a scanned block (a run before it), with
         * and without a run after it that is copied a block at a time, and
         * with the line ending right after the string or going on. */
        for (int pad = 0; pad < 40; pad++) {
            for (int tail = 0; tail <= 40; tail += 20) {
                for (int more = 0; more < 2; more++) {
                    char line[256], want[256];
                    int n = snprintf(line, sizeof line, "{\"text\":\"%.*s%s%.*s\"%s}", pad,
                                     "pppppppppppppppppppppppppppppppppppppppp", cases[i].body,
                                     tail, "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
                                     more ? ",\"x\":[1,2,3]" : "");
                    memset(want, 'p', (size_t)pad);
                    memcpy(want + pad, cases[i].want, cases[i].want_len);
                    memset(want + pad + cases[i].want_len, 'q', (size_t)tail);
                    expect_text(j, line, (size_t)n, want,
                                (size_t)pad + cases[i].want_len + (size_t)tail);
                }
            }
        }
    }
    chaff_json_free(j);
}

static void test_keys_compare_unescaped(void **state)
{
    (void)state;
    chaff_json *j = new_json("text", NULL);
    expect_text(j, L("{\"t\\u0065xt\":\"a\"}"), L("a"));
    expect_text(j, L("{\"\\u0074\\u0065\\u0078\\u0074\":\"b\"}"), L("b"));
    expect_text(j, L("{\"tex\\u0074\":\"c\"}"), L("c"));
    expect_text(j, L("{\"text\\\"\":\"no\",\"text\":\"d\"}"), L("d"));
    expect_text(j, L("{\"tex\":\"no\",\"texts\":\"no\",\"Text\":\"no\",\"text\":\"e\"}"), L("e"));
    expect_text(j, L("{\"te\\nxt\":\"no\",\"te\":\"no\",\"\":\"no\",\"text\":\"f\"}"), L("f"));
    chaff_record rec;
    assert_int_equal(chaff_json_parse(j, L("{\"t\\u0065xt2\":\"a\"}"), &rec), CHAFF_E_FIELD_MISSING);
    assert_int_equal(chaff_json_parse(j, L("{\"te\":\"a\"}"), &rec), CHAFF_E_FIELD_MISSING);
    chaff_json_free(j);

    /* Non-ASCII field names, spelled raw or escaped in the line. */
    j = new_json("t\xC3\xABxt", NULL);
    expect_text(j, L("{\"t\\u00ebxt\":\"g\"}"), L("g"));
    expect_text(j, L("{\"t\xC3\xABxt\":\"h\"}"), L("h"));
    chaff_json_free(j);
    j = new_json("\xF0\x9F\x98\x80", NULL);
    expect_text(j, L("{\"\\ud83d\\ude00\":\"i\"}"), L("i"));
    chaff_json_free(j);
    /* A lone surrogate in a key decodes to U+FFFD like anywhere else. */
    j = new_json("\xEF\xBF\xBD", NULL);
    expect_text(j, L("{\"\\udc00\":\"k\"}"), L("k"));
    chaff_json_free(j);
    /* The empty key is a key. */
    j = new_json("", NULL);
    expect_text(j, L("{\"a\":\"no\",\"\":\"l\"}"), L("l"));
    chaff_json_free(j);
}

static void test_repeated_keys_last_wins(void **state)
{
    (void)state;
    chaff_json *j = new_json("text", "id");
    expect_text(j, L("{\"text\":\"a\",\"text\":\"b\"}"), L("b"));
    expect_text(j, L("{\"text\":1,\"text\":\"b\"}"), L("b"));
    expect_text(j, L("{\"text\":{\"text\":\"x\"},\"text\":\"c\\n\"}"), L("c\n"));
    expect_text(j, L("{\"text\":\"a\\n\",\"text\":\"d\"}"), L("d"));
    chaff_record rec;
    assert_int_equal(chaff_json_parse(j, L("{\"text\":\"a\",\"text\":null}"), &rec),
                     CHAFF_E_FIELD_TYPE);
    size_t col;
    assert_string_equal(chaff_json_error(j, &col), "field \"text\" is not a string");
    assert_int_equal(col, 20);

    const char line[] = "{\"id\":1,\"text\":\"t\",\"id\":\"two\"}";
    assert_int_equal(chaff_json_parse(j, L(line), &rec), CHAFF_OK);
    assert_int_equal(rec.id_len, 5);
    assert_memory_equal(rec.id, "\"two\"", 5);
    chaff_json_free(j);
}

/* --rewrite splices a new value over the field's raw one: the span must be the
 * last occurrence's, quotes and escapes included, whatever surrounds it. */
static void test_field_span(void **state)
{
    (void)state;
    chaff_json *j = new_json("text", NULL);
    chaff_record rec;
    static const char *const lines[] = {
        "{\"text\":\"plain\"}",
        " { \"a\" : [1,{\"text\":\"inner\"}] , \"text\" : \"e\\\"s\\u00e9\" } ",
        "{\"text\":\"first\",\"b\":2,\"text\":\"last\\n\"}",
        "{\"text\":\"\"}",
    };
    static const char *const raw[] = { "\"plain\"", "\"e\\\"s\\u00e9\"", "\"last\\n\"", "\"\"" };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        assert_int_equal(chaff_json_parse(j, lines[i], strlen(lines[i]), &rec), CHAFF_OK);
        assert_int_equal(rec.field_len, strlen(raw[i]));
        assert_memory_equal(lines[i] + rec.field_off, raw[i], rec.field_len);
    }
    chaff_json_free(j);
}

static void test_nested_values_are_skipped(void **state)
{
    (void)state;
    chaff_json *j = new_json("text", "id");
    expect_text(j,
                L("{\"a\":{\"text\":\"no\",\"id\":7},\"b\":[1,{\"text\":\"x\"},[[]],{}],"
                  "\"c\":{\"d\":{\"e\":[\"text\",null,true,false,-0.5e+10]}},\"text\":\"yes\"}"),
                L("yes"));
    chaff_record rec;
    const char nested[] = "{\"a\":{\"text\":\"no\"},\"b\":[{\"id\":1}]}";
    assert_int_equal(chaff_json_parse(j, L(nested), &rec), CHAFF_E_FIELD_MISSING);
    assert_null(rec.id);
    assert_null(rec.text);
    chaff_json_free(j);
}

static void test_id_of_each_type(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        const char *id; /* NULL: absent */
    } cases[] = {
        { "{\"id\":\"abc\",\"text\":\"t\"}", "\"abc\"" },
        { "{\"text\":\"t\",\"id\":\"a\\\"b\\u0041\"}", "\"a\\\"b\\u0041\"" },
        { "{\"id\":42,\"text\":\"t\"}", "42" },
        { "{\"id\":-1.5e3,\"text\":\"t\"}", "-1.5e3" },
        { "{\"id\":0,\"text\":\"t\"}", "0" },
        { "{\"id\":true,\"text\":\"t\"}", "true" },
        { "{\"id\":false,\"text\":\"t\"}", "false" },
        { "{\"id\":null,\"text\":\"t\"}", "null" },
        { "{\"id\":{\"x\":[1,2]},\"text\":\"t\"}", "{\"x\":[1,2]}" },
        { "{\"id\":[],\"text\":\"t\"}", "[]" },
        { "{\"id\":{},\"text\":\"t\"}", "{}" },
        { "{\"id\" :  42 , \"text\":\"t\"}", "42" },
        { "{\"text\":\"t\",\"id\"\t:\t[ 1 , { } ]\t}", "[ 1 , { } ]" },
        { "{\"text\":\"t\",\"i\\u0064\":7}", "7" },
        { "{\"text\":\"t\"}", NULL },
        { "{\"text\":\"t\",\"ID\":1,\"idx\":2,\"x\":{\"id\":3}}", NULL },
    };
    chaff_json *j = new_json("text", "id");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        chaff_record rec;
        size_t len = strlen(cases[i].line);
        if (parse_both(j, cases[i].line, len, &rec) != CHAFF_OK)
            fail_msg("case %zu: %s", i, cases[i].line);
        if (!cases[i].id) {
            assert_null(rec.id);
            assert_int_equal(rec.id_len, 0);
            continue;
        }
        size_t want = strlen(cases[i].id);
        assert_non_null(rec.id);
        if (rec.id_len != want || memcmp(rec.id, cases[i].id, want) != 0)
            fail_msg("case %zu: id %.*s, want %s", i, (int)rec.id_len, rec.id, cases[i].id);
        /* The id is a span of the line itself. */
        assert_true(rec.id >= cases[i].line && rec.id + rec.id_len <= cases[i].line + len);
        assert_int_equal(rec.text_len, 1);
        assert_memory_equal(rec.text, "t", 1);
    }
    chaff_json_free(j);

    /* The id is reported with a missing or mistyped text, to name the record. */
    j = new_json("text", "id");
    chaff_record rec;
    assert_int_equal(chaff_json_parse(j, L("{\"id\":\"r1\"}"), &rec), CHAFF_E_FIELD_MISSING);
    assert_int_equal(rec.id_len, 4);
    assert_memory_equal(rec.id, "\"r1\"", 4);
    assert_null(rec.text);
    assert_int_equal(chaff_json_parse(j, L("{\"id\":5,\"text\":5}"), &rec), CHAFF_E_FIELD_TYPE);
    assert_int_equal(rec.id_len, 1);
    assert_memory_equal(rec.id, "5", 1);
    /* ... but not from a broken line. */
    assert_int_equal(chaff_json_parse(j, L("{\"id\":5,\"text\":\"a\",}"), &rec), CHAFF_E_JSON);
    assert_null(rec.id);
    assert_null(rec.text);
    chaff_json_free(j);

    /* The id and the text may be the same field. */
    j = new_json("text", "text");
    const char same[] = "{\"text\":\"a\\tb\"}";
    assert_int_equal(chaff_json_parse(j, L(same), &rec), CHAFF_OK);
    assert_int_equal(rec.text_len, 3);
    assert_memory_equal(rec.text, "a\tb", 3);
    assert_int_equal(rec.id_len, 6);
    assert_memory_equal(rec.id, "\"a\\tb\"", 6);
    chaff_json_free(j);
}

static void test_whitespace(void **state)
{
    (void)state;
    chaff_json *j = new_json("text", NULL);
    expect_text(j, L("  {\"text\":\"a\"}  "), L("a"));
    expect_text(j, L("{\"text\":\"a\"}\r"), L("a"));
    expect_text(j, L("\t{\"text\":\"a\"}\t\r"), L("a"));
    expect_text(j, L(" \t\r\n{ \t\r\n\"text\" \t\r\n: \t\r\n\"a b\" \t\r\n} \t\r\n"), L("a b"));
    expect_text(j, L("{\"x\" : [ 1 , 2 ] , \"text\" : \"c\" , \"y\" : { } }"), L("c"));
    expect_text(j, L("{\"text\":\"  spaces  \"}"), L("  spaces  "));
    chaff_json_free(j);
}

/* Lines that are not one JSON object, with why and where. */
static void test_invalid_lines(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        size_t len;
        size_t col;
        const char *why;
    } cases[] = {
        { L(""), 1, "empty line" },
        { L("   "), 1, "empty line" },
        { L("\r"), 1, "empty line" },
        { L("[1,2]"), 1, "not an object" },
        { L("[{\"text\":\"a\"}]"), 1, "not an object" },
        { L("\"text\""), 1, "not an object" },
        { L("  42"), 3, "not an object" },
        { L("null"), 1, "not an object" },
        { L("\xEF\xBB\xBF{\"text\":\"a\"}"), 1, "byte order mark before object" },
        { L("\xC2\xA0{\"text\":\"a\"}"), 1, "not an object" },
        { L("\v{\"text\":\"a\"}"), 1, "not an object" },
        /* trailing commas */
        { L("{\"text\":\"a\",}"), 12, "trailing comma" },
        { L("{\"a\" : 1 ,}"), 10, "trailing comma" },
        { L("{\"a\":[1,2,],\"text\":\"a\"}"), 10, "trailing comma" },
        { L("{\"a\":[1, ]}"), 8, "trailing comma" },
        /* separators */
        { L("{\"text\" \"a\"}"), 9, "expected ':' after key" },
        { L("{\"text\"}"), 8, "expected ':' after key" },
        { L("{\"a\":{\"b\"}}"), 10, "expected ':' after key" },
        { L("{\"text\"=\"a\"}"), 8, "expected ':' after key" },
        { L("{\"text\":\"a\" \"b\":1}"), 13, "expected ',' or '}'" },
        { L("{\"a\":\"b\":\"c\"}"), 9, "expected ',' or '}'" },
        { L("{\"a\":[1 2]}"), 9, "expected ',' or ']'" },
        { L("{\"a\":[1}"), 8, "expected ',' or ']'" },
        { L("{\"a\":{]}"), 7, "expected string key" },
        { L("{\"a\":1,,\"b\":2}"), 8, "expected string key" },
        { L("{,}"), 2, "expected string key" },
        { L("{:1}"), 2, "expected string key" },
        { L("{text:\"a\"}"), 2, "expected string key" },
        { L("{1:\"a\"}"), 2, "expected string key" },
        /* single quotes */
        { L("{'text':'a'}"), 2, "expected string key" },
        { L("{\"text\":'a'}"), 9, "invalid value" },
        /* strings */
        { L("{\"text\":\"abc}"), 9, "unterminated string" },
        { L("{\"text\":\"abc\\\"}"), 9, "unterminated string" },
        { L("{\"text\":\"a\\"), 9, "unterminated string" },
        { L("{\"te"), 2, "unterminated string" },
        { L("{\"text\":\"a\x01" "b\"}"), 11, "control character in string" },
        { L("{\"text\":\"a\tb\"}"), 11, "control character in string" },
        { L("{\"text\":\"a\nb\"}"), 11, "control character in string" },
        { L("{\"text\":\"a\0b\"}"), 11, "control character in string" },
        { L("{\"te\x1fxt\":\"a\"}"), 5, "control character in string" },
        { L("{\"text\":\"a\\qb\"}"), 11, "invalid escape" },
        { L("{\"text\":\"\\U0041\"}"), 10, "invalid escape" },
        { L("{\"text\":\"\\x41\"}"), 10, "invalid escape" },
        { L("{\"text\":\"\\'\"}"), 10, "invalid escape" },
        { L("{\"text\":\"\\0\"}"), 10, "invalid escape" },
        { L("{\"text\":\"\\u12G4\"}"), 10, "invalid \\u escape" },
        { L("{\"text\":\"\\u12\"}"), 10, "invalid \\u escape" },
        { L("{\"text\":\"\\u\"}"), 10, "invalid \\u escape" },
        { L("{\"text\":\"\\u-123\"}"), 10, "invalid \\u escape" },
        { L("{\"text\":\"\\u12"), 10, "invalid \\u escape" },
        /* the same, found after an escape: the field's string is decoded as
         * it is checked, and must fail the same way */
        { L("{\"text\":\"a\\nb\\qc\"}"), 14, "invalid escape" },
        { L("{\"text\":\"a\\n\x01\"}"), 13, "control character in string" },
        { L("{\"text\":\"a\\nbcdefghijklmnopqrstuvwxyz0123456789\x1f\"}"), 48,
          "control character in string" },
        { L("{\"text\":\"a\\n"), 9, "unterminated string" },
        { L("{\"text\":\"a\\nbcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH"), 9,
          "unterminated string" },
        { L("{\"text\":\"a\\n\\"), 9, "unterminated string" },
        { L("{\"text\":\"\\ud800\\uZZZZ\"}"), 16, "invalid \\u escape" },
        { L("{\"text\":\"\\ud800\\u12"), 16, "invalid \\u escape" },
        { L("{\"text\":\"\\ud800\\"), 9, "unterminated string" },
        { L("{\"text\":\"a\\t\\x\"}"), 13, "invalid escape" },
        { L("{\"text\":\"a\\n\",}"), 14, "trailing comma" },
        { L("{\"text\":\"a\\n\"} x"), 16, "trailing characters after object" },
        /* numbers */
        { L("{\"a\":01,\"text\":\"x\"}"), 6, "leading zero in number" },
        { L("{\"a\":-01}"), 6, "leading zero in number" },
        { L("{\"a\":00}"), 6, "leading zero in number" },
        { L("{\"a\":1.}"), 8, "invalid number" },
        { L("{\"a\":1.e5}"), 8, "invalid number" },
        { L("{\"a\":1e}"), 8, "invalid number" },
        { L("{\"a\":1e+}"), 9, "invalid number" },
        { L("{\"a\":-}"), 7, "invalid number" },
        { L("{\"a\":-Infinity}"), 7, "invalid number" },
        { L("{\"a\":.5}"), 6, "invalid value" },
        { L("{\"a\":+1}"), 6, "invalid value" },
        { L("{\"a\":0x10}"), 7, "expected ',' or '}'" },
        { L("{\"a\":1.5.2}"), 9, "expected ',' or '}'" },
        { L("{\"a\":NaN}"), 6, "invalid value" },
        { L("{\"a\":Infinity}"), 6, "invalid value" },
        /* bare words */
        { L("{\"a\":tru}"), 6, "invalid literal" },
        { L("{\"a\":nul}"), 6, "invalid literal" },
        { L("{\"a\":fals}"), 6, "invalid literal" },
        { L("{\"a\":nulll}"), 10, "expected ',' or '}'" },
        { L("{\"a\":True}"), 6, "invalid value" },
        { L("{\"a\":undefined}"), 6, "invalid value" },
        { L("{\"text\":hello}"), 9, "invalid value" },
        { L("{\"a\":}"), 6, "invalid value" },
        { L("{\"a\"::1}"), 6, "invalid value" },
        /* comments */
        { L("{\"a\":1 /* c */}"), 8, "expected ',' or '}'" },
        { L("{\"a\":1}// c"), 8, "trailing characters after object" },
        { L("// c\n{\"a\":1}"), 1, "not an object" },
        /* what follows the object */
        { L("{\"text\":\"a\"}{\"text\":\"b\"}"), 13, "trailing characters after object" },
        { L("{\"text\":\"a\"} {}"), 14, "trailing characters after object" },
        { L("{\"text\":\"a\"} x"), 14, "trailing characters after object" },
        { L("{\"text\":\"a\"}}"), 13, "trailing characters after object" },
        { L("{\"text\":\"a\"},"), 13, "trailing characters after object" },
        { L("{\"text\":\"a\"}\0"), 13, "trailing characters after object" },
        { L("{\"text\":\"a\"}\f"), 13, "trailing characters after object" },
        /* truncated */
        { L("{"), 2, "unexpected end of line" },
        { L("{ "), 3, "unexpected end of line" },
        { L("{\"text\""), 8, "expected ':' after key" },
        { L("{\"text\":"), 9, "unexpected end of line" },
        { L("{\"text\":\"a\""), 12, "unexpected end of line" },
        { L("{\"text\":\"a\","), 13, "unexpected end of line" },
        { L("{\"a\":["), 7, "unexpected end of line" },
        { L("{\"a\":[1,"), 9, "unexpected end of line" },
        { L("{\"a\":[1"), 8, "unexpected end of line" },
        { L("{\"a\":{\"b\":{}}"), 14, "unexpected end of line" },
        { L("{\"a\":tr"), 6, "invalid literal" },
        { L("{\"a\":12"), 8, "unexpected end of line" },
    };
    chaff_json *j = new_json("text", "id");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        chaff_record rec = { "junk", 4, "junk", 4, 9, 9, "junk", 4, "junk", 4 };
        chaff_status s = parse_both(j, cases[i].line, cases[i].len, &rec);
        size_t col = 0;
        const char *why = chaff_json_error(j, &col);
        if (s != CHAFF_E_JSON || col != cases[i].col || strcmp(why, cases[i].why) != 0)
            fail_msg("case %zu %.*s: status %d, \"%s\" at %zu; want 5, \"%s\" at %zu", i,
                     (int)cases[i].len, cases[i].line, (int)s, why, col, cases[i].why,
                     cases[i].col);
        assert_null(rec.text);
        assert_int_equal(rec.text_len, 0);
        assert_null(rec.id);
        assert_int_equal(rec.id_len, 0);
    }
    chaff_json_free(j);
}

static void test_field_missing_or_mistyped(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        chaff_status status;
        size_t col;
        const char *why;
    } cases[] = {
        { "{}", CHAFF_E_FIELD_MISSING, 1, "field \"text\" is missing" },
        { "  {\"a\":1}", CHAFF_E_FIELD_MISSING, 3, "field \"text\" is missing" },
        { "{\"TEXT\":\"a\"}", CHAFF_E_FIELD_MISSING, 1, "field \"text\" is missing" },
        { "{\"text\":null}", CHAFF_E_FIELD_TYPE, 9, "field \"text\" is not a string" },
        { "{\"text\": 42}", CHAFF_E_FIELD_TYPE, 10, "field \"text\" is not a string" },
        { "{\"text\":-0.5}", CHAFF_E_FIELD_TYPE, 9, "field \"text\" is not a string" },
        { "{\"text\":true}", CHAFF_E_FIELD_TYPE, 9, "field \"text\" is not a string" },
        { "{\"text\":[\"a\"]}", CHAFF_E_FIELD_TYPE, 9, "field \"text\" is not a string" },
        { "{\"text\":{\"a\":\"b\"}}", CHAFF_E_FIELD_TYPE, 9, "field \"text\" is not a string" },
        /* The whole line is checked before the field is looked at. */
        { "{\"a\":1", CHAFF_E_JSON, 7, "unexpected end of line" },
        { "{\"text\":1,", CHAFF_E_JSON, 11, "unexpected end of line" },
        { "{\"text\":null}x", CHAFF_E_JSON, 14, "trailing characters after object" },
        { "{\"a\":1,\"text\":[1,]}", CHAFF_E_JSON, 17, "trailing comma" },
    };
    chaff_json *j = new_json("text", NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        chaff_record rec;
        chaff_status s = parse_both(j, cases[i].line, strlen(cases[i].line), &rec);
        size_t col = 0;
        const char *why = chaff_json_error(j, &col);
        if (s != cases[i].status || col != cases[i].col || strcmp(why, cases[i].why) != 0)
            fail_msg("case %zu %s: status %d, \"%s\" at %zu; want %d, \"%s\" at %zu", i,
                     cases[i].line, (int)s, why, col, (int)cases[i].status, cases[i].why,
                     cases[i].col);
        assert_null(rec.text);
    }
    chaff_json_free(j);
}

/* Raw mode (frame records): the field and two more top-level fields are
 * handed out as their raw JSON text; a nested key of the same name is not
 * one of them, and a repeated key gives its last value. */
static void test_raw_fields(void **state)
{
    (void)state;
    chaff_json *j = new_json("frames", NULL);
    assert_int_equal(chaff_json_raw_field2(j, "crops"), CHAFF_E_ARG); /* raw mode first */
    assert_int_equal(chaff_json_raw_field(j, "mirror"), CHAFF_OK);
    assert_int_equal(chaff_json_raw_field2(j, "crops"), CHAFF_OK);
    chaff_record rec;
    const char *line = "{\"crops\":[1],\"frames\":[\"a\"], \"x\":{\"crops\":7},"
                       "\"mirror\":[\"b\"],\"crops\": [\"c\",\"d\"] }";
    assert_int_equal(chaff_json_parse(j, line, strlen(line), &rec), CHAFF_OK);
    assert_int_equal(rec.text_len, 5);
    assert_memory_equal(rec.text, "[\"a\"]", 5);
    assert_int_equal(rec.extra_len, 5);
    assert_memory_equal(rec.extra, "[\"b\"]", 5);
    assert_int_equal(rec.extra2_len, 9);
    assert_memory_equal(rec.extra2, "[\"c\",\"d\"]", 9);
    line = "{\"frames\":[]}";
    assert_int_equal(chaff_json_parse(j, line, strlen(line), &rec), CHAFF_OK);
    assert_null(rec.extra);
    assert_null(rec.extra2);
    assert_int_equal(rec.extra2_len, 0);
    chaff_json_free(j);
}

static void test_error_messages_name_the_field(void **state)
{
    (void)state;
    chaff_json *j = new_json("content", NULL);
    chaff_record rec;
    size_t col;
    assert_int_equal(chaff_json_parse(j, L("{\"text\":\"a\"}"), &rec), CHAFF_E_FIELD_MISSING);
    assert_string_equal(chaff_json_error(j, &col), "field \"content\" is missing");
    assert_int_equal(chaff_json_parse(j, L("{\"content\":0}"), &rec), CHAFF_E_FIELD_TYPE);
    assert_string_equal(chaff_json_error(j, &col), "field \"content\" is not a string");
    assert_int_equal(col, 12);
    /* A success clears the last error. */
    assert_int_equal(chaff_json_parse(j, L("{\"content\":\"x\"}"), &rec), CHAFF_OK);
    assert_string_equal(chaff_json_error(j, &col), "no error");
    assert_int_equal(col, 0);
    assert_string_equal(chaff_json_error(j, NULL), "no error");
    chaff_json_free(j);

    /* Long names are cut (not inside a UTF-8 sequence), control bytes hidden. */
    char name[200];
    memset(name, 'x', 63);
    strcpy(name + 63, "\xC3\xA9" "zzzzzzzzzzzzzzzzzzzz");
    j = new_json(name, NULL);
    assert_int_equal(chaff_json_parse(j, L("{}"), &rec), CHAFF_E_FIELD_MISSING);
    char want[200];
    snprintf(want, sizeof want, "field \"%.63s...\" is missing", name);
    assert_string_equal(chaff_json_error(j, &col), want);
    chaff_json_free(j);
    j = new_json("a\tb", NULL);
    assert_int_equal(chaff_json_parse(j, L("{}"), &rec), CHAFF_E_FIELD_MISSING);
    assert_string_equal(chaff_json_error(j, &col), "field \"a?b\" is missing");
    expect_text(j, L("{\"a\\tb\":\"found\"}"), L("found"));
    chaff_json_free(j);
}

/* JSON_MAX_DEPTH is 1000 open containers, the top-level object included. */
static void test_deep_nesting(void **state)
{
    (void)state;
    chaff_json *j = new_json("text", NULL);
    enum { n = 100000 };
    static char line[n + 16];
    chaff_record rec;
    size_t col;

    memset(line, '[', n);
    assert_int_equal(chaff_json_parse(j, line, n, &rec), CHAFF_E_JSON);
    assert_string_equal(chaff_json_error(j, &col), "not an object");
    assert_int_equal(col, 1);

    memcpy(line, "{\"a\":", 5);
    memset(line + 5, '[', n);
    assert_int_equal(chaff_json_parse(j, line, n + 5, &rec), CHAFF_E_JSON);
    assert_string_equal(chaff_json_error(j, &col), "nesting too deep");
    assert_int_equal(col, 5 + 1000); /* the 1000th '[' would be depth 1001 */

    memcpy(line, "{\"a\":{\"b\":", 10);
    memset(line + 10, '[', n - 10);
    assert_int_equal(chaff_json_parse(j, line, n, &rec), CHAFF_E_JSON);
    assert_string_equal(chaff_json_error(j, &col), "nesting too deep");
    assert_int_equal(col, 10 + 999); /* depth 2 already, so the 999th '[' */

    /* 999 arrays inside the object: exactly at the limit, accepted. */
    size_t k = 0;
    k += (size_t)sprintf(line, "{\"a\":");
    memset(line + k, '[', 999);
    k += 999;
    memset(line + k, ']', 999);
    k += 999;
    k += (size_t)sprintf(line + k, ",\"text\":\"deep\"}");
    expect_text(j, line, k, L("deep"));
    chaff_json_free(j);
}

/* An allocator that counts, and can be told to refuse. */
typedef struct counting {
    size_t allocs, frees, live, bytes;
    int refuse;
} counting;

static void *counting_fn(void *opaque, void *ptr, size_t size)
{
    counting *c = opaque;
    if (size == 0) {
        if (ptr) {
            c->frees++;
            c->live--;
        }
        free(ptr);
        return NULL;
    }
    if (c->refuse)
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr) {
        c->allocs++;
        c->live++;
        c->bytes += size;
    }
    return p;
}

/* The n-th text of a batch: escaped, of a length that varies and sometimes
 * fills a whole arena block. Returns the line's length; *want gets the text. */
static size_t batch_line(char *line, char *want, size_t *want_len, size_t i, size_t big)
{
    size_t n = (i * 7919) % 3000 + 1;
    if (big && i % 250 == 7)
        n = big;
    size_t k = (size_t)sprintf(line, "{\"id\":%zu,\"text\":\"", i);
    size_t w = 0;
    for (size_t x = 0; x < n; x++) {
        char c = (char)('a' + (i + x) % 26);
        if (x % 11 == 0) {
            line[k++] = '\\';
            line[k++] = 'n';
            want[w++] = '\n';
        } else if (x % 13 == 0) {
            k += (size_t)sprintf(line + k, "\\u00e9");
            want[w++] = '\xC3';
            want[w++] = '\xA9';
        } else {
            line[k++] = c;
            want[w++] = c;
        }
    }
    line[k++] = '"';
    line[k++] = '}';
    *want_len = w;
    return k;
}

static void run_batch(chaff_json *j, size_t count, size_t big)
{
    size_t cap = (big ? big : 3000) * 6 + 64;
    char *line = malloc(cap);
    char **wants = calloc(count, sizeof *wants);
    size_t *want_lens = calloc(count, sizeof *want_lens);
    chaff_record *recs = calloc(count, sizeof *recs);
    assert_true(line && wants && want_lens && recs);
    char *want = malloc(cap);
    assert_non_null(want);
    for (size_t i = 0; i < count; i++) {
        size_t len = batch_line(line, want, &want_lens[i], i, big);
        wants[i] = malloc(want_lens[i]);
        assert_non_null(wants[i]);
        memcpy(wants[i], want, want_lens[i]);
        assert_int_equal(chaff_json_parse(j, line, len, &recs[i]), CHAFF_OK);
        /* Scribble over the line: the escaped texts must not depend on it. */
        memset(line, '#', len);
    }
    for (size_t i = 0; i < count; i++) {
        if (recs[i].text_len != want_lens[i] ||
            memcmp(recs[i].text, wants[i], want_lens[i]) != 0)
            fail_msg("text %zu of %zu changed after later parses", i, count);
        free(wants[i]);
    }
    free(want);
    free(wants);
    free(want_lens);
    free(recs);
    free(line);
}

static void test_batch_texts_stay_valid(void **state)
{
    (void)state;
    counting c = { 0 };
    chaff_allocator a = { counting_fn, &c };
    chaff_json *j = NULL;
    assert_int_equal(chaff_json_new(&j, "text", "id", &a), CHAFF_OK);
    run_batch(j, 1000, 0);
    /* About 1.5 MB of texts: blocks grow, so a handful of allocations. */
    assert_true(c.allocs <= 12);
    chaff_json_reset(j);
    /* The same batch again reuses the blocks: no allocation at all. */
    size_t before = c.allocs;
    run_batch(j, 1000, 0);
    assert_int_equal(c.allocs, before);
    chaff_json_reset(j);
    /* Texts larger than any kept block get their own, freed at reset. */
    run_batch(j, 1000, (size_t)3 << 20);
    size_t live = c.live;
    chaff_json_reset(j);
    assert_true(c.live < live);
    run_batch(j, 1000, 0);
    chaff_json_free(j);
    assert_int_equal(c.live, 0);
    assert_int_equal(c.allocs, c.frees);
}

/* Unescaping shrinks a text; what it does not use goes back to the arena. */
static void test_arena_keeps_only_what_is_used(void **state)
{
    (void)state;
    counting c = { 0 };
    chaff_allocator a = { counting_fn, &c };
    chaff_json *j = NULL;
    assert_int_equal(chaff_json_new(&j, "text", NULL, &a), CHAFF_OK);
    enum { units = 1000 };
    static char line[16 + 6 * units];
    size_t k = (size_t)sprintf(line, "{\"text\":\"");
    for (int i = 0; i < units; i++)
        k += (size_t)sprintf(line + k, "\\u0041");
    k += (size_t)sprintf(line + k, "\"}");
    chaff_record first, rec;
    assert_int_equal(chaff_json_parse(j, line, k, &first), CHAFF_OK);
    for (int i = 0; i < 999; i++) {
        assert_int_equal(chaff_json_parse(j, line, k, &rec), CHAFF_OK);
        assert_int_equal(rec.text_len, units);
    }
    /* 1000 texts of 1000 bytes from 6000-byte strings: about 1 MB, not 6. */
    assert_true(c.bytes < (size_t)2 << 20);
    for (int i = 0; i < units; i++)
        assert_int_equal(first.text[i], 'A');
    chaff_json_free(j);
}

/* A line that fails after its text was decoded leaves the arena as it was:
 * texts of good lines stay, and failing lines take no room. */
static void test_failed_lines_take_no_room(void **state)
{
    (void)state;
    counting c = { 0 };
    chaff_allocator a = { counting_fn, &c };
    chaff_json *j = NULL;
    assert_int_equal(chaff_json_new(&j, "text", NULL, &a), CHAFF_OK);
    chaff_record first, rec;
    assert_int_equal(chaff_json_parse(j, L("{\"text\":\"first\\n\"}"), &first), CHAFF_OK);
    size_t allocs = c.allocs;
    static const char *bad[] = {
        "{\"text\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\nxxxxxxxxxxxxxxxxx\",}",
        "{\"text\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\nxxxxxxxxxxxxxxxxx\",\"text\":1}",
        "{\"text\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\nxxxxxxxxxxxxxxxxx\\q\"}",
        "{\"text\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\nxxxxxxxxxxxxxxxxx",
    };
    static const chaff_status why[] = { CHAFF_E_JSON, CHAFF_E_FIELD_TYPE, CHAFF_E_JSON,
                                        CHAFF_E_JSON };
    /* A million bytes of failed texts would need new blocks if they stayed. */
    for (int i = 0; i < 20000; i++) {
        const char *l = bad[i % 4];
        assert_int_equal(chaff_json_parse(j, l, strlen(l), &rec), why[i % 4]);
        assert_null(rec.text);
    }
    assert_int_equal(c.allocs, allocs);
    /* Nor does an earlier value of a repeated key, which the later one beats:
     * 20000 texts of 3 bytes fit in a few blocks, of 60 they would not. */
    size_t bytes = c.bytes;
    for (int i = 0; i < 20000; i++) {
        const char l[] = "{\"text\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\nxxxxxxxxxxxxxx\","
                         "\"text\":\"y\\ty\"}";
        assert_int_equal(chaff_json_parse(j, L(l), &rec), CHAFF_OK);
        assert_int_equal(rec.text_len, 3);
        assert_memory_equal(rec.text, "y\ty", 3);
    }
    assert_true(c.bytes - bytes < (size_t)256 << 10);
    assert_int_equal(first.text_len, 6);
    assert_memory_equal(first.text, "first\n", 6);
    chaff_json_free(j);
}

/* A short escaped text followed by more than a megabyte of line: decoding in
 * the scanning pass would reserve the whole rest, so the text is scanned
 * first and decoded at its own size. */
static void test_text_before_a_huge_field(void **state)
{
    (void)state;
    counting c = { 0 };
    chaff_allocator a = { counting_fn, &c };
    chaff_json *j = NULL;
    assert_int_equal(chaff_json_new(&j, "text", NULL, &a), CHAFF_OK);
    size_t big = (size_t)3 << 20;
    char *line = malloc(big + 64);
    assert_non_null(line);
    size_t k = (size_t)sprintf(line, "{\"text\":\"a\\u00e9\\ud83d\\ude00b\",\"pad\":\"");
    memset(line + k, 'z', big);
    k += big;
    k += (size_t)sprintf(line + k, "\"}");
    chaff_record rec;
    assert_int_equal(chaff_json_parse(j, line, k, &rec), CHAFF_OK);
    assert_int_equal(rec.text_len, 8);
    assert_memory_equal(rec.text, "a\xC3\xA9\xF0\x9F\x98\x80" "b", 8);
    assert_true(c.bytes < (size_t)1 << 20); /* no block the size of the line */
    /* A broken string after the huge field is still found. */
    memcpy(line + k - 2, "\\", 1);
    assert_int_equal(chaff_json_parse(j, line, k, &rec), CHAFF_E_JSON);
    free(line);
    chaff_json_free(j);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    counting c = { 0 };
    chaff_allocator a = { counting_fn, &c };
    chaff_json *j = NULL;
    c.refuse = 1;
    assert_int_equal(chaff_json_new(&j, "text", NULL, &a), CHAFF_E_NOMEM);
    assert_null(j);
    c.refuse = 0;
    assert_int_equal(chaff_json_new(&j, "text", NULL, &a), CHAFF_OK);
    c.refuse = 1;
    chaff_record rec;
    /* Unescaped texts need no memory. */
    assert_int_equal(chaff_json_parse(j, L("{\"text\":\"a\"}"), &rec), CHAFF_OK);
    assert_int_equal(chaff_json_parse(j, L("{\"text\":\"a\\n\"}"), &rec), CHAFF_E_NOMEM);
    size_t col;
    assert_string_equal(chaff_json_error(j, &col), "out of memory");
    assert_null(rec.text);
    /* Without memory a broken line is still reported as broken. */
    assert_int_equal(chaff_json_parse(j, L("{\"text\":\"a\\n\",}"), &rec), CHAFF_E_JSON);
    assert_string_equal(chaff_json_error(j, &col), "trailing comma");
    assert_int_equal(chaff_json_parse(j, L("{\"text\":\"a\\n\\x\"}"), &rec), CHAFF_E_JSON);
    assert_string_equal(chaff_json_error(j, &col), "invalid escape");
    c.refuse = 0;
    assert_int_equal(chaff_json_parse(j, L("{\"text\":\"a\\n\"}"), &rec), CHAFF_OK);
    assert_memory_equal(rec.text, "a\n", 2);
    chaff_json_free(j);
    assert_int_equal(c.live, 0);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    chaff_json *j = (chaff_json *)&j;
    assert_int_equal(chaff_json_new(&j, NULL, NULL, NULL), CHAFF_E_ARG);
    assert_null(j);
    assert_int_equal(chaff_json_new(NULL, "text", NULL, NULL), CHAFF_E_ARG);
    j = new_json("text", NULL);
    size_t col = 5;
    assert_string_equal(chaff_json_error(j, &col), "no error");
    assert_int_equal(col, 0);
    chaff_record rec;
    assert_int_equal(chaff_json_parse(NULL, L("{}"), &rec), CHAFF_E_ARG);
    assert_int_equal(chaff_json_parse(j, L("{}"), NULL), CHAFF_E_ARG);
    assert_int_equal(chaff_json_parse(j, NULL, 3, &rec), CHAFF_E_ARG);
    assert_int_equal(chaff_json_parse(j, NULL, 0, &rec), CHAFF_E_JSON);
    assert_string_equal(chaff_json_error(j, &col), "empty line");
    chaff_json_reset(NULL);
    chaff_json_free(NULL);
    assert_string_equal(chaff_json_error(NULL, &col), "no error");
    chaff_json_free(j);
}

/* Every prefix of some lines, each ending at a guard page: no prefix but the
 * whole may parse, and none may read past its end. Lengths around the 8- and
 * 16-byte scan steps are all covered. */
static void test_guard_page_prefixes(void **state)
{
    (void)state;
    static const char *lines[] = {
        "{\"text\":\"0123456789abcdef0123456789abcdef\\n0123456789\",\"id\":-12.5e-3}",
        "{\"id\":[true,false,null,{\"k\":\"v\\u00e9\"}],\"text\":\"\\ud83d\\ude00 x\"}",
        "  {\"text\" : \"abcdefghijklmnopqrstuvwxyz\\\\\" , \"n\" : 0 }\r",
    };
    chaff_json *j = new_json("text", "id");
    for (size_t l = 0; l < sizeof lines / sizeof lines[0]; l++) {
        size_t len = strlen(lines[l]);
        for (size_t n = 0; n <= len; n++) {
            guarded g = guard_copy(lines[l], n);
            chaff_record rec;
            chaff_status s = chaff_json_parse(j, g.line, n, &rec);
            size_t col;
            const char *why = chaff_json_error(j, &col);
            if (n == len)
                assert_int_equal(s, CHAFF_OK);
            else if (s != CHAFF_E_JSON && !(l == 2 && n == len - 1 && s == CHAFF_OK))
                fail_msg("line %zu prefix %zu: status %d", l, n, (int)s);
            if (s != CHAFF_OK)
                assert_true(col >= 1 && col <= n + 1 && why[0] != '\0');
            guard_free(&g);
        }
    }
    chaff_json_free(j);
}

/* ---- random round trip -------------------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next_u64(rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static unsigned below(rng *r, unsigned n) { return (unsigned)(next_u64(r) % n); }

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void ws(rng *r, buf *b)
{
    static const char spaces[] = " \t\r\n";
    unsigned n = below(r, 4) == 0 ? below(r, 3) : 0;
    for (unsigned i = 0; i < n; i++)
        put(b, &spaces[below(r, 4)], 1);
}

static size_t utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static void put_u(rng *r, buf *b, uint32_t unit)
{
    char tmp[8];
    snprintf(tmp, sizeof tmp, below(r, 2) ? "\\u%04x" : "\\u%04X", (unsigned)unit);
    put(b, tmp, 6);
}

/* A random JSON string: its encoding into enc (quotes included), and the
 * bytes it must decode to into dec when dec is not NULL. */
static void random_string(rng *r, buf *enc, buf *dec, unsigned max_len)
{
    puts_(enc, "\"");
    unsigned n = below(r, 8) == 0 ? below(r, 2000) : below(r, max_len + 1);
    int after_lone_high = 0;
    for (unsigned i = 0; i < n; i++) {
        char u[4];
        uint32_t cp;
        unsigned kind = below(r, 100);
        if (kind < 60)
            cp = 0x20 + below(r, 0x5F); /* printable ASCII */
        else if (kind < 68)
            cp = below(r, 0x20);
        else if (kind < 72)
            cp = "\"\\/"[below(r, 3)];
        else if (kind < 80)
            cp = 0x80 + below(r, 0x780);
        else if (kind < 88) {
            do
                cp = 0x800 + below(r, 0xF800);
            while (cp >= 0xD800 && cp <= 0xDFFF);
        } else if (kind < 94)
            cp = 0x10000 + below(r, 0x100000);
        else if (kind < 97) {
            /* A lone surrogate; a low one right after a lone high one would
             * make a pair, so it is not written there. */
            cp = (after_lone_high || below(r, 2)) ? 0xD800 + below(r, 0x400)
                                                  : 0xDC00 + below(r, 0x400);
            put_u(r, enc, cp);
            if (dec)
                put(dec, "\xEF\xBF\xBD", 3);
            after_lone_high = cp < 0xDC00;
            continue;
        } else {
            /* A raw byte that is not UTF-8: passed through as it is. */
            char bad = (char)(0x80 + below(r, 0x80));
            put(enc, &bad, 1);
            if (dec)
                put(dec, &bad, 1);
            after_lone_high = 0;
            continue;
        }
        after_lone_high = 0;
        if (dec)
            put(dec, u, utf8(u, cp));
        int escape = cp < 0x20 || cp == '"' || cp == '\\' || below(r, 5) == 0;
        if (!escape) {
            put(enc, u, utf8(u, cp));
            continue;
        }
        const char *named = NULL;
        switch (cp) {
        case '"': named = "\\\""; break;
        case '\\': named = "\\\\"; break;
        case '/': named = "\\/"; break;
        case '\b': named = "\\b"; break;
        case '\f': named = "\\f"; break;
        case '\n': named = "\\n"; break;
        case '\r': named = "\\r"; break;
        case '\t': named = "\\t"; break;
        }
        if (named && below(r, 4) != 0)
            puts_(enc, named);
        else if (cp >= 0x10000) {
            put_u(r, enc, 0xD800 + ((cp - 0x10000) >> 10));
            put_u(r, enc, 0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else
            put_u(r, enc, cp);
    }
    puts_(enc, "\"");
}

/* A random key that can never spell "text" or "id" (it starts with 'k'). */
static void random_key(rng *r, buf *enc)
{
    char k[16];
    int n = snprintf(k, sizeof k, "\"k%u\"", below(r, 1000));
    put(enc, k, (size_t)n);
}

static void random_value(rng *r, buf *enc, unsigned depth);

static void random_container(rng *r, buf *enc, unsigned depth, int object)
{
    puts_(enc, object ? "{" : "[");
    ws(r, enc);
    unsigned n = below(r, 4);
    for (unsigned i = 0; i < n; i++) {
        if (i) {
            puts_(enc, ",");
            ws(r, enc);
        }
        if (object) {
            /* Nested "text" keys are decoys: only the top level counts. */
            if (below(r, 3) == 0)
                puts_(enc, below(r, 2) ? "\"text\"" : "\"id\"");
            else
                random_key(r, enc);
            ws(r, enc);
            puts_(enc, ":");
            ws(r, enc);
        }
        random_value(r, enc, depth + 1);
        ws(r, enc);
    }
    puts_(enc, object ? "}" : "]");
}

static void random_value(rng *r, buf *enc, unsigned depth)
{
    static const char *numbers[] = { "0", "-0", "1", "-12", "3.25", "1e9", "-1E-7", "2.5e+03",
                                     "123456789012345678901234567890", "0.000001" };
    switch (below(r, depth > 4 ? 6 : 8)) {
    case 0: puts_(enc, numbers[below(r, 10)]); break;
    case 1: puts_(enc, "true"); break;
    case 2: puts_(enc, "false"); break;
    case 3: puts_(enc, "null"); break;
    case 4: case 5: random_string(r, enc, NULL, 12); break;
    case 6: random_container(r, enc, depth, 1); break;
    default: random_container(r, enc, depth, 0); break;
    }
}

static uint64_t test_seed(void)
{
    const char *env = getenv("CHAFF_TEST_SEED");
    uint64_t seed = env && *env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
    printf("test_json: seed %" PRIu64 " (replay with CHAFF_TEST_SEED=%" PRIu64 ")\n", seed, seed);
    fflush(stdout);
    return seed;
}

static void test_random_round_trip(void **state)
{
    (void)state;
    uint64_t seed = test_seed();
    rng r = { seed };
    chaff_json *j = new_json("text", "id");
    buf line = { 0 }, want = { 0 }, scratch = { 0 }, id = { 0 };
    for (unsigned iter = 0; iter < 20000; iter++) {
        line.len = want.len = id.len = 0;
        int have_id = 0;
        ws(&r, &line);
        puts_(&line, "{");
        ws(&r, &line);
        unsigned members = 1 + below(&r, 6);
        unsigned text_at = below(&r, members);
        for (unsigned m = 0; m < members; m++) {
            if (m) {
                puts_(&line, ",");
                ws(&r, &line);
            }
            unsigned what = m == text_at ? 0 : below(&r, 6);
            /* Keys that name the field, spelled raw or escaped. */
            static const char *text_keys[] = { "\"text\"", "\"t\\u0065xt\"", "\"\\u0074ext\"" };
            static const char *id_keys[] = { "\"id\"", "\"i\\u0064\"" };
            if (what == 0 || what == 1)
                puts_(&line, text_keys[below(&r, 3)]);
            else if (what == 2)
                puts_(&line, id_keys[below(&r, 2)]);
            else
                random_key(&r, &line);
            ws(&r, &line);
            puts_(&line, ":");
            ws(&r, &line);
            size_t value_at = line.len;
            if (what == 0) {
                want.len = 0;
                random_string(&r, &line, &want, 80);
            } else if (what == 1 && m < text_at) {
                random_value(&r, &line, 1); /* an earlier text: overridden */
            } else if (what == 1) {
                scratch.len = 0; /* a later text: now it is the one */
                random_string(&r, &line, &scratch, 40);
                want.len = 0;
                put(&want, scratch.p ? scratch.p : "", scratch.len);
            } else {
                random_value(&r, &line, 1);
            }
            if (what == 2) {
                have_id = 1;
                id.len = 0;
                put(&id, line.p + value_at, line.len - value_at);
            }
            ws(&r, &line);
        }
        puts_(&line, "}");
        ws(&r, &line);

        chaff_record rec;
        chaff_status s = chaff_json_parse(j, line.p, line.len, &rec);
        if (s != CHAFF_OK) {
            size_t col;
            const char *why = chaff_json_error(j, &col);
            fail_msg("seed %" PRIu64 " iteration %u: status %d (%s at %zu) for %.*s", seed,
                     iter, (int)s, why, col, (int)line.len, line.p);
        }
        if (rec.text_len != want.len || (want.len && memcmp(rec.text, want.p, want.len) != 0))
            fail_msg("seed %" PRIu64 " iteration %u: wrong text for %.*s", seed, iter,
                     (int)line.len, line.p);
        if (have_id != (rec.id != NULL) ||
            (have_id && (rec.id_len != id.len || memcmp(rec.id, id.p, id.len) != 0)))
            fail_msg("seed %" PRIu64 " iteration %u: wrong id for %.*s", seed, iter,
                     (int)line.len, line.p);
        if (iter % 500 == 499)
            chaff_json_reset(j);
    }
    free(line.p);
    free(want.p);
    free(scratch.p);
    free(id.p);
    chaff_json_free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_points_into_line),
        cmocka_unit_test(test_every_escape),
        cmocka_unit_test(test_keys_compare_unescaped),
        cmocka_unit_test(test_repeated_keys_last_wins),
        cmocka_unit_test(test_field_span),
        cmocka_unit_test(test_nested_values_are_skipped),
        cmocka_unit_test(test_id_of_each_type),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_invalid_lines),
        cmocka_unit_test(test_field_missing_or_mistyped),
        cmocka_unit_test(test_error_messages_name_the_field),
        cmocka_unit_test(test_raw_fields),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_batch_texts_stay_valid),
        cmocka_unit_test(test_arena_keeps_only_what_is_used),
        cmocka_unit_test(test_failed_lines_take_no_room),
        cmocka_unit_test(test_text_before_a_huge_field),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_guard_page_prefixes),
        cmocka_unit_test(test_random_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
