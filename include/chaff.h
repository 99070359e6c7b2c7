/* include/chaff.h - libchaff: find exact and near-duplicate records in datasets.
 *
 * Read this file top to bottom; it is the whole public interface.
 *
 *   1. version and status codes      chaff_version_number(), chaff_strerror()
 *   2. options                       chaff_options_default(), chaff_options_check()
 *   3. reading records               chaff_reader_* (bytes -> lines, zstd/gzip aware)
 *                                    chaff_json_*   (a JSONL line -> its text field)
 *   4. deduplicating                 chaff_dedup_*  (texts in order -> keep/drop verdicts)
 *   5. signatures                    chaff_sketch_* (a text -> its MinHash signature)
 *   6. writing                       chaff_writer_* (bytes -> plain, zstd or gzip)
 *   7. frame hashes                  chaff_frame_* (a grayscale frame -> a 64-bit hash)
 *
 * The library opens no files and never exits: bytes come in and go out through
 * callbacks the caller supplies, and every failure is returned as a chaff_status.
 * Objects are not shared between threads unless a function says otherwise.
 *
 * The text model (the default, documented in README.md):
 *   - text is lowercased (Unicode simple case mapping);
 *   - words are the maximal runs of Unicode letters (L*) and numbers (N*);
 *     everything else, including invalid UTF-8, separates words;
 *   - shingles are contiguous word n-grams (n = 5); a record with 1..n-1 words
 *     has one shingle made of all its words; a record with no words has none;
 *   - two records are exact duplicates when their normalised texts (the words
 *     joined by single spaces) have the same 128-bit XXH3; near-duplicates when
 *     the Jaccard similarity of their shingle sets is >= the threshold.
 */
#ifndef CHAFF_H
#define CHAFF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#  define CHAFF_API __attribute__((visibility("default")))
#else
#  define CHAFF_API
#endif

/* ---------------------------------------------------------------------------
 * 1. Version and status
 * ------------------------------------------------------------------------- */

#define CHAFF_VERSION_MAJOR 0
#define CHAFF_VERSION_MINOR 2
#define CHAFF_VERSION_PATCH 0
#define CHAFF_VERSION_NUMBER \
    (CHAFF_VERSION_MAJOR * 10000 + CHAFF_VERSION_MINOR * 100 + CHAFF_VERSION_PATCH)

/* The version of the library actually linked; compare with CHAFF_VERSION_NUMBER
 * to catch a header/library mismatch. */
CHAFF_API unsigned chaff_version_number(void);
CHAFF_API const char *chaff_version_string(void);

/* Every function that can fail returns one of these. The values are pinned:
 * they never change meaning between versions. */
typedef enum chaff_status {
    CHAFF_OK = 0,
    CHAFF_END = 1,             /* no more input; not an error */
    CHAFF_E_NOMEM = 2,         /* an allocation failed */
    CHAFF_E_ARG = 3,           /* an argument or option is out of range */
    CHAFF_E_IO = 4,            /* a read or write callback reported failure */
    CHAFF_E_JSON = 5,          /* a line is not one valid JSON object */
    CHAFF_E_FIELD_MISSING = 6, /* the JSON object lacks the text field */
    CHAFF_E_FIELD_TYPE = 7,    /* the text field is not a string */
    CHAFF_E_TRUNCATED = 8,     /* a compressed stream ends before its end mark */
    CHAFF_E_CORRUPT = 9,       /* a compressed stream is damaged */
    CHAFF_E_TOO_LARGE = 10,    /* a line is longer than the reader's limit */
    CHAFF_E_UNSUPPORTED = 11   /* the requested SIMD path is not available on this CPU */
} chaff_status;

/* A short, static, lowercase description: "invalid JSON", "truncated input", ... */
CHAFF_API const char *chaff_strerror(chaff_status status);

/* ---------------------------------------------------------------------------
 * 2. Options
 * ------------------------------------------------------------------------- */

/* Allocator hooks. One function does everything, like realloc():
 * fn(opaque, NULL, n) allocates, fn(opaque, p, n) resizes, fn(opaque, p, 0) frees
 * and returns NULL. Leave fn NULL for the C library's realloc/free. With
 * threads > 1, fn is called from several threads at once and must be safe so. */
typedef struct chaff_allocator {
    void *(*fn)(void *opaque, void *ptr, size_t size);
    void *opaque;
} chaff_allocator;

typedef enum chaff_shingle_kind {
    CHAFF_SHINGLE_WORDS = 0,   /* contiguous n-grams of normalised words */
    CHAFF_SHINGLE_CHARS = 1    /* contiguous n-grams of code points of the normalised text */
} chaff_shingle_kind;

typedef enum chaff_method {
    CHAFF_METHOD_MINHASH = 0,  /* num_perm independent permutations (the SIMD kernel) */
    CHAFF_METHOD_OPH = 1       /* one-permutation hashing, num_perm bins, densified */
} chaff_method;

/* Which vector instructions the signature kernel uses. Every path gives
 * bit-identical results; they differ only in speed. */
typedef enum chaff_simd {
    CHAFF_SIMD_AUTO = 0,       /* the widest path the CPU supports */
    CHAFF_SIMD_SCALAR = 1,
    CHAFF_SIMD_SSE41 = 2,
    CHAFF_SIMD_AVX2 = 3,
    CHAFF_SIMD_AVX512 = 4,
    CHAFF_SIMD_NEON = 5
} chaff_simd;

/* "auto", "scalar", "sse4.1", "avx2", "avx512", "neon" */
CHAFF_API const char *chaff_simd_name(unsigned simd);
/* 1 when this CPU (and this build) can run the path; AUTO is always supported. */
CHAFF_API int chaff_simd_supported(unsigned simd);
/* The path AUTO (or a supported choice) resolves to on this CPU. */
CHAFF_API unsigned chaff_simd_resolve(unsigned simd);

/* What a dedup engine compares. Text records go through chaff_dedup_add();
 * frame-hash records (videos) through chaff_dedup_add_frames(). */
typedef enum chaff_record_kind {
    CHAFF_KIND_TEXT = 0,
    /* Records are sequences of 64-bit frame hashes (section 7). Two records
     * are near-duplicates when at least a share `threshold` of the frames of
     * the shorter one have a frame in the other within `max_hamming` bits;
     * exact duplicates when their sequences are equal. Candidates come from
     * MinHash/LSH over frame tokens: 8 per frame, each a hash of 16 of the 63
     * AC bits, so a frame pair d bits apart shares a token with probability
     * about (1 - d/63)^16. Default banding: num_perm / 2 bands of 2 rows. */
    CHAFF_KIND_FRAMES = 1
} chaff_record_kind;

/* All tunables in one struct. Always start from chaff_options_default(), which
 * also sets sizeof_options so that the struct can grow without breaking callers
 * compiled against an older header. */
typedef struct chaff_options {
    size_t sizeof_options;
    double threshold;        /* Jaccard at which two records are near-duplicates */
    unsigned shingle;        /* chaff_shingle_kind */
    unsigned ngram;          /* words (or code points) per shingle */
    unsigned num_perm;       /* MinHash permutations: signature length */
    unsigned bands;          /* LSH bands; 0 with rows 0 = choose from threshold */
    unsigned rows;           /* LSH rows per band */
    uint64_t seed;           /* seeds every hash: same seed, same output */
    unsigned threads;        /* worker threads, 0 = all cores */
    unsigned simd;           /* chaff_simd */
    unsigned method;         /* chaff_method */
    chaff_allocator alloc;
    unsigned kind;           /* chaff_record_kind: what the records are */
    unsigned max_hamming;    /* frames: bits two frames may differ in and still match */
} chaff_options;

CHAFF_API void chaff_options_default(chaff_options *opts);

/* Checks every field against its bounds. On failure writes a sentence naming the
 * field and its allowed range into why (if why_cap > 0) and returns CHAFF_E_ARG. */
CHAFF_API chaff_status chaff_options_check(const chaff_options *opts, char *why, size_t why_cap);

/* The numeric options with their bounds and defaults, for --help and for
 * checking. The table is static and lives as long as the program. */
typedef struct chaff_param_info {
    const char *name;        /* "threshold", "ngram", ... (the CLI flag without "--") */
    double min, max, def;    /* def is the default; 0 for "chosen automatically" */
    const char *help;
} chaff_param_info;
CHAFF_API const chaff_param_info *chaff_params(size_t *count);

/* The LSH banding used for (threshold, num_perm): bands * rows <= num_perm,
 * chosen to minimise the weighted area of missed near-duplicates and of
 * unneeded candidates under the S-curve (see core/lsh.c for the weights). */
CHAFF_API chaff_status chaff_lsh_params(double threshold, unsigned num_perm,
                                        unsigned *bands, unsigned *rows);

/* ---------------------------------------------------------------------------
 * 3. Reading records
 * ------------------------------------------------------------------------- */

/* The caller's byte source. Returns the number of bytes put into buf (> 0),
 * 0 at the end of input, or -1 on failure (the caller keeps its own errno). */
typedef ptrdiff_t (*chaff_read_fn)(void *user, void *buf, size_t cap);

typedef enum chaff_compression {
    CHAFF_COMPRESS_NONE = 0,
    CHAFF_COMPRESS_ZSTD = 1,
    CHAFF_COMPRESS_GZIP = 2
} chaff_compression;

/* One line of input, without its '\n'. data stays valid until the next call to
 * chaff_reader_lines() or chaff_reader_free() on the same reader. */
typedef struct chaff_line {
    const char *data;
    size_t len;
    uint64_t lineno;         /* 1-based line number in this input */
    uint64_t offset;         /* byte offset of the line in the decompressed input */
} chaff_line;

typedef struct chaff_reader chaff_reader;

/* Streams lines from read(). Compression is detected from the first bytes
 * (zstd frames, gzip members, several of one kind concatenated) and decoded as
 * it streams; nothing is loaded whole. Detection reads from the callback, so
 * this can already return CHAFF_E_IO. max_line is the longest line accepted,
 * in bytes (0 = 1 GiB). alloc may be NULL.
 * A compressed frame's checksum is checked at the frame's end, so lines of a
 * damaged frame may be handed out before CHAFF_E_CORRUPT is returned. */
CHAFF_API chaff_status chaff_reader_new(chaff_reader **out, chaff_read_fn read, void *user,
                                        size_t max_line, const chaff_allocator *alloc);

/* Fills lines[0..*n) with up to max complete lines, at most about batch_bytes of
 * text unless one line alone is longer. A last line without '\n' counts as a line.
 * Returns CHAFF_OK with *n > 0, CHAFF_END with *n == 0 at the end, or an error.
 * Every complete line before an error is handed out first. Errors are final:
 * later calls return the same error. After one, chaff_reader_where() tells the
 * start of the offending line (CHAFF_E_TOO_LARGE) or how far decoding got
 * (CHAFF_E_TRUNCATED, CHAFF_E_CORRUPT, CHAFF_E_IO). */
CHAFF_API chaff_status chaff_reader_lines(chaff_reader *r, chaff_line *lines, size_t max,
                                          size_t batch_bytes, size_t *n);

/* Where the reader is: the number of the next line and the decompressed offset. */
CHAFF_API void chaff_reader_where(const chaff_reader *r, uint64_t *lineno, uint64_t *offset);
CHAFF_API chaff_compression chaff_reader_compression(const chaff_reader *r);
/* Bytes taken from read() so far (compressed bytes, for progress). */
CHAFF_API uint64_t chaff_reader_bytes_in(const chaff_reader *r);
CHAFF_API void chaff_reader_free(chaff_reader *r);

/* JSON Lines: pull one string field (and optionally a record id) out of each line. */
typedef struct chaff_json chaff_json;

typedef struct chaff_record {
    const char *text;        /* the field's string, fully unescaped (UTF-8) */
    size_t text_len;
    const char *id;          /* the id field's raw JSON value, NULL if absent */
    size_t id_len;
    size_t field_off;        /* where the text field's raw JSON value (quotes */
    size_t field_len;        /* included) lies in the line given to chaff_json_parse
                              * (the last one when the key repeats), to splice in
                              * a new one; 0 and 0 when parsing failed */
    const char *extra;       /* chaff_json_raw_field()'s extra field, NULL if absent */
    size_t extra_len;
    const char *extra2;      /* chaff_json_raw_field2()'s field, NULL if absent */
    size_t extra2_len;
} chaff_record;

/* field: the name of the string field holding the text. id_field: NULL, or the
 * name of a field whose raw JSON value is carried into outputs. */
CHAFF_API chaff_status chaff_json_new(chaff_json **out, const char *field, const char *id_field,
                                      const chaff_allocator *alloc);

/* Validates line as one JSON object (RFC 8259, surrounding white space allowed)
 * and extracts the fields; when a key repeats, the last one wins. The strings in
 * rec stay valid until chaff_json_reset() or chaff_json_free(), and while line
 * does (a text without escapes points into it), so a whole batch of records
 * can be parsed before any is used. On a field error rec->id is still set. On failure returns CHAFF_E_JSON,
 * CHAFF_E_FIELD_MISSING or CHAFF_E_FIELD_TYPE and chaff_json_error() tells why and
 * at which byte of the line. */
CHAFF_API chaff_status chaff_json_parse(chaff_json *j, const char *line, size_t len,
                                        chaff_record *rec);
CHAFF_API const char *chaff_json_error(const chaff_json *j, size_t *column);
/* From now on the field may hold any JSON value (an array of frame hashes,
 * say), and rec->text is its raw JSON text, pointing into the line. When
 * extra_field is not NULL, that top-level field's raw value (if present) goes
 * to rec->extra the same way. */
CHAFF_API chaff_status chaff_json_raw_field(chaff_json *j, const char *extra_field);
/* After chaff_json_raw_field(): a second top-level field handed out raw, to
 * rec->extra2 (frame records: the crop variants beside the mirror). */
CHAFF_API chaff_status chaff_json_raw_field2(chaff_json *j, const char *extra_field);
CHAFF_API void chaff_json_reset(chaff_json *j);
CHAFF_API void chaff_json_free(chaff_json *j);

/* ---------------------------------------------------------------------------
 * 4. Deduplicating
 * ------------------------------------------------------------------------- */

/* Why a record was kept or dropped. Pinned: these are an output format. */
typedef enum chaff_reason {
    CHAFF_KEEP = 0,
    CHAFF_DROP_EXACT = 1,    /* same normalised text as a kept record */
    CHAFF_DROP_NEAR = 2,     /* Jaccard >= threshold with a kept record */
    CHAFF_DROP_INVALID = 3   /* the record could not be read (set by the caller) */
} chaff_reason;

/* "kept", "exact", "near", "invalid" */
CHAFF_API const char *chaff_reason_name(chaff_reason reason);

typedef struct chaff_doc {
    const char *text;
    size_t len;
    uint64_t index;          /* the caller's record number, echoed in duplicate_of */
} chaff_doc;

typedef struct chaff_verdict {
    uint32_t reason;         /* chaff_reason */
    double similarity;       /* verified Jaccard with duplicate_of (1 for exact) */
    uint64_t duplicate_of;   /* index of the kept record this one duplicates */
} chaff_verdict;

typedef struct chaff_dedup_stats {
    uint64_t records, kept, exact, near;
    uint64_t candidates;     /* LSH candidates verified */
    uint64_t shingles;       /* shingles hashed */
    size_t index_bytes;      /* memory held by the index and the verification store */
    unsigned bands, rows, num_perm;
    unsigned simd;           /* the chaff_simd path in use */
    unsigned threads;        /* threads that sketch, the calling thread included */
    unsigned method;         /* the chaff_method in use */
} chaff_dedup_stats;

typedef struct chaff_dedup chaff_dedup;

CHAFF_API chaff_status chaff_dedup_new(chaff_dedup **out, const chaff_options *opts);

/* Decides docs[0..n) in order, keep-first: each record is compared with the
 * records kept before it, including those earlier in the same call. Verdicts
 * depend only on the texts and their order, never on n or on threads. */
CHAFF_API chaff_status chaff_dedup_add(chaff_dedup *d, const chaff_doc *docs, size_t n,
                                       chaff_verdict *out);

/* A video: its frame hashes in time order (an image is one frame). */
typedef struct chaff_video {
    const uint64_t *frames;
    size_t nframes;
    uint64_t index;          /* the caller's record number, echoed in duplicate_of */
    /* NULL, or the nframes hashes of the horizontally flipped frames: then
     * the video is also a duplicate of a kept video its mirror matches. */
    const uint64_t *mirror;
    /* NULL, or CHAFF_CROP_VARIANTS * nframes hashes, frame-major: crops[5 i + k]
     * is variant k of frame i (chaff_frame_crop_hashes()). A video with crops
     * is also a duplicate of a kept video that matches one of its variants
     * (it is the source of a cropped copy), and once kept, a later video that
     * matches one of its variants is a duplicate of it (a cropped copy). */
    const uint64_t *crops;
} chaff_video;

/* chaff_dedup_add() for an engine made with kind CHAFF_KIND_FRAMES (else
 * CHAFF_E_ARG). A verdict's similarity is the verified share of matched frames
 * of the shorter video. A video with no frames is always kept. */
CHAFF_API chaff_status chaff_dedup_add_frames(chaff_dedup *d, const chaff_video *videos,
                                              size_t n, chaff_verdict *out);
CHAFF_API void chaff_dedup_get_stats(const chaff_dedup *d, chaff_dedup_stats *stats);
CHAFF_API void chaff_dedup_free(chaff_dedup *d);

/* ---------------------------------------------------------------------------
 * 5. Signatures
 * ------------------------------------------------------------------------- */

typedef struct chaff_sketcher chaff_sketcher;

CHAFF_API chaff_status chaff_sketcher_new(chaff_sketcher **out, const chaff_options *opts);

/* The MinHash signature of text: opts->num_perm values into sig. A text with
 * no shingles gets all values 0xFFFFFFFF. */
CHAFF_API chaff_status chaff_sketch(chaff_sketcher *s, const char *text, size_t len,
                                    uint32_t *sig);
CHAFF_API void chaff_sketcher_free(chaff_sketcher *s);

/* ---------------------------------------------------------------------------
 * 6. Writing
 * ------------------------------------------------------------------------- */

/* The caller's byte sink: returns 0 when all len bytes were written, else -1. */
typedef int (*chaff_write_fn)(void *user, const void *buf, size_t len);

typedef struct chaff_writer chaff_writer;

/* level: compression level, 0 for the format's default. */
CHAFF_API chaff_status chaff_writer_new(chaff_writer **out, chaff_compression c, int level,
                                        chaff_write_fn write, void *user,
                                        const chaff_allocator *alloc);
CHAFF_API chaff_status chaff_writer_write(chaff_writer *w, const void *buf, size_t len);
/* Flushes and ends the compressed stream. Call once, before chaff_writer_free(). */
CHAFF_API chaff_status chaff_writer_finish(chaff_writer *w);
CHAFF_API void chaff_writer_free(chaff_writer *w);

/* ---------------------------------------------------------------------------
 * 7. Filtering
 *
 * Quality and synthetic-text rules, grouped in presets: gopher, c4 and fineweb
 * (the published rules, deciding as HuggingFace datatrove's filters do at their
 * defaults), synthetic (assistant refusals and boilerplate) and degenerate
 * (loops, mojibake, broken text), plus decontamination against reference
 * texts. A record is dropped by the first rule it fails: presets run in the
 * order they were turned on, decontamination last.
 *
 * A chaff_filter is used by one thread at a time: chaff_filter_run spreads its
 * own work over its workers, and no two calls on one filter may overlap.
 * Configure it (presets, thresholds, phrases, references) before judging.
 * ------------------------------------------------------------------------- */

typedef struct chaff_filter chaff_filter;

/* One threshold of one rule, for listing and for validation. */
typedef struct chaff_filter_param {
    const char *name;        /* "gopher.min_doc_words" */
    const char *rule;        /* the reason code it governs, "gopher.short_doc" */
    double def, lo, hi;      /* default and accepted range (inclusive) */
    int integer;             /* 1: a whole number (0/1 for switches) */
    const char *source;      /* where the rule and its default come from */
    const char *what;        /* one line */
} chaff_filter_param;

/* Every parameter of every preset, in preset order. */
CHAFF_API const chaff_filter_param *chaff_filter_params(size_t *count);
/* For listing: the presets in their canonical order, then "decontam" (which
 * is not named in a preset list: it is on when references are added), then
 * NULL; *what gets a one-line description. */
CHAFF_API const char *chaff_filter_preset_name(size_t i, const char **what);

/* presets: a comma-separated list such as "gopher,c4,fineweb" (may be empty
 * when only decontamination is wanted). threads: workers used by
 * chaff_filter_run, 0 for all cores. On a bad name returns CHAFF_E_ARG and
 * says why in why[0..why_cap). */
CHAFF_API chaff_status chaff_filter_new(chaff_filter **out, const char *presets, unsigned threads,
                                        const chaff_allocator *alloc, char *why, size_t why_cap);
/* The k-th preset that is on, in the order they run; NULL past the last. */
CHAFF_API const char *chaff_filter_preset_on(const chaff_filter *f, size_t k);
/* Workers chaff_filter_run uses (0 asked for all cores: this says how many). */
CHAFF_API unsigned chaff_filter_threads(const chaff_filter *f);

/* Sets one threshold, "gopher.min_doc_words" to "20": a decimal number (no
 * hex, no blanks), whole where the parameter is, within its range. Its preset
 * must be on. */
CHAFF_API chaff_status chaff_filter_set(chaff_filter *f, const char *name, const char *value,
                                        char *why, size_t why_cap);

/* A rules file: one "name = value" per line; "filter = gopher,c4" turns presets
 * on (after those already on), any other name is a threshold as for
 * chaff_filter_set. Every "filter =" line is applied before the thresholds,
 * wherever it stands. '#' starts a comment anywhere; blank lines are skipped;
 * a line is at most 1023 bytes before its comment; a leading byte order mark
 * is skipped. Errors say "origin:LINE: what" in why. */
CHAFF_API chaff_status chaff_filter_load_rules(chaff_filter *f, const char *text, size_t len,
                                               const char *origin, char *why, size_t why_cap);

/* Extra phrase patterns for the synthetic preset (which must be on), in the
 * syntax of the bundled list (see README), before the first record is judged.
 * Errors say "origin:LINE: what" in why. */
CHAFF_API chaff_status chaff_filter_add_phrases(chaff_filter *f, const char *text, size_t len,
                                                const char *origin, char *why, size_t why_cap);

/* Decontamination: n-gram length in normalised words (1..1024, default 13);
 * only before the first reference is added (else CHAFF_E_ARG). */
CHAFF_API chaff_status chaff_filter_set_decontam_n(chaff_filter *f, unsigned n);
/* Adds one reference text; ref is the caller's name for it (reported back).
 * A reference shorter than n words adds nothing. */
CHAFF_API chaff_status chaff_filter_add_reference(chaff_filter *f, const char *text, size_t len,
                                                  uint64_t ref);

typedef struct chaff_filter_verdict {
    int32_t rule;            /* -1 kept, else a rule number for chaff_filter_rule_name */
    double value;            /* the value the rule measured (c4.lorem_ipsum and
                              * c4.curly_bracket: 1; decontam: the word at which
                              * the shared n-gram starts in the record) */
    uint64_t ref;            /* decontam: the reference that holds the n-gram */
} chaff_filter_verdict;

/* Judges docs[0..n) independently, on the filter's workers; out[i] for
 * docs[i], the same for any number of threads. On failure (CHAFF_E_NOMEM) out
 * is partly written and must not be used. */
CHAFF_API chaff_status chaff_filter_run(chaff_filter *f, const chaff_doc *docs, size_t n,
                                        chaff_filter_verdict *out);

/* The value in use for parameter i of chaff_filter_params; returns 1 when its
 * preset is on, 0 when it is not. */
CHAFF_API int chaff_filter_param_value(const chaff_filter *f, size_t i, double *value);

/* Rule numbers follow the canonical preset order and do not depend on which
 * presets are on; the last one is "decontam". */
CHAFF_API const char *chaff_filter_rule_name(const chaff_filter *f, int32_t rule);
CHAFF_API size_t chaff_filter_rule_count(const chaff_filter *f);

/* The text --rewrite writes for a kept record: what the enabled presets that
 * clean text (c4 removes the lines its line rules reject) leave of it, the
 * others leaving it as it is. *out is text itself, or memory of the filter's
 * that stays valid until the next call on f. */
CHAFF_API chaff_status chaff_filter_rewrite(chaff_filter *f, const char *text, size_t len,
                                            const char **out, size_t *out_len);

/* Every statistic the enabled presets compute on text, through fn (name is a
 * static string such as "gopher.n_words"; value may be NaN or infinite where a
 * ratio has nothing to divide), on the calling thread; *out gets the verdict
 * chaff_filter_run would give. */
typedef void (*chaff_explain_fn)(void *user, const char *name, double value);
CHAFF_API chaff_status chaff_filter_explain(chaff_filter *f, const char *text, size_t len,
                                            chaff_explain_fn fn, void *user,
                                            chaff_filter_verdict *out);
CHAFF_API void chaff_filter_free(chaff_filter *f);

/* ---------------------------------------------------------------------------
 * 8. Frame hashes
 *
 * Perceptual hashes of 8-bit grayscale frames, for finding re-encoded, scaled,
 * cropped, shifted or letterboxed copies of videos and images. A video is the
 * sequence of its frames' hashes (see chaff_dedup_add_frames()).
 *
 * Bit order: a hash is read like its 16 hex digits, most significant first.
 * Cell (row r, column c) of the 8x8 grid is bit 63 - (8 * r + c), so the first
 * hex digit holds cells (0,0)..(0,3) and the last one cells (7,4)..(7,7).
 * ------------------------------------------------------------------------- */

/* A frame: height rows of width bytes, row y starting at pix + y * stride. */
typedef struct chaff_gray {
    const uint8_t *pix;
    unsigned width, height;
    size_t stride;
} chaff_gray;

/* Pixels left out at each edge of a frame. */
typedef struct chaff_crop {
    unsigned left, top, right, bottom;
} chaff_crop;

/* A pixel above this level is not border black. Studio-range black is 16 and
 * lossy codecs ring a few levels around it, so 32 keeps both inside. */
#define CHAFF_BORDER_LEVEL 32

/* The black border of one frame: the rows at the top and bottom, then the
 * columns at the left and right (within the rows left), in which at most
 * 1 pixel in 32 is brighter than CHAFF_BORDER_LEVEL. Returns 1 when the whole
 * frame is dark (no estimate: a fade or a black frame says nothing about the
 * border), else 0. */
CHAFF_API int chaff_frame_border(const chaff_gray *f, chaff_crop *border);

/* One crop for a whole video from its frames' estimates. Dark scenes make a
 * single frame's border look too wide, so the video's border at each edge is
 * the narrowest seen over its non-dark frames; at most 3/8 of the width or
 * height goes at each edge. A caller can feed every frame or a sample. */
typedef struct chaff_border_acc {
    unsigned width, height;  /* of every frame fed */
    uint64_t frames, dark;   /* frames fed, frames with no estimate */
    chaff_crop narrowest;
} chaff_border_acc;

CHAFF_API void chaff_border_acc_init(chaff_border_acc *a, unsigned width, unsigned height);
/* CHAFF_E_ARG when the frame's size differs from the accumulator's. */
CHAFF_API chaff_status chaff_border_acc_add(chaff_border_acc *a, const chaff_gray *f);
/* The crop to hash the video's frames with (all zero when no frame had one). */
CHAFF_API void chaff_border_acc_crop(const chaff_border_acc *a, chaff_crop *crop);

/* Area averaging of the frame inside crop to out_w x out_h values (row-major):
 * an exact box filter. Output cell (i, j) is the mean of the source over the
 * rectangle [j*W/out_w, (j+1)*W/out_w) x [i*H/out_h, (i+1)*H/out_h) of the
 * cropped W x H region, source pixels counted by the fraction of them inside.
 * Weights are overlap areas counted in 1/(out_w*out_h) pixel units, so the
 * weighted sums are exact integers and each value is one division of them.
 * CHAFF_E_ARG when the crop leaves nothing or out_w or out_h is 0 or over 64. */
CHAFF_API chaff_status chaff_area_shrink(const chaff_gray *f, const chaff_crop *crop,
                                         unsigned out_w, unsigned out_h, double *out);

typedef enum chaff_frame_hash_kind {
    /* DCT hash: area shrink to 32x32, 2-D DCT-II, the 8x8 block of lowest
     * frequencies (row r = vertical frequency, column c = horizontal). The
     * DC coefficient measures only brightness, which the hash must ignore,
     * so it is left out: its bit (the top bit) is always 0. Each other bit
     * is 1 when its coefficient is above the median of the 63 AC ones (the
     * 32nd smallest), so a frame with distinct coefficients has 31 bits set.
     * A flat frame hashes to 0. */
    CHAFF_FRAME_PHASH = 0,
    /* Difference hash: area shrink to 9 columns x 8 rows, bit (r, c) = 1 when
     * cell (r, c + 1) is brighter than cell (r, c). Cheaper and weaker: smooth
     * gradients and flat frames hash alike (all ones, or all zeros). */
    CHAFF_FRAME_DHASH = 1
} chaff_frame_hash_kind;

/* The hash of the frame inside crop (NULL = whole frame). When mirror is not
 * NULL it also gets the hash of the horizontally flipped frame, so a flipped
 * copy can be matched. CHAFF_E_ARG as for chaff_area_shrink(), or on an
 * unknown kind. */
CHAFF_API chaff_status chaff_frame_hash(const chaff_gray *f, const chaff_crop *crop,
                                        unsigned kind, uint64_t *hash, uint64_t *mirror);

/* Crop variants: the frame inside crop, cropped again by 5% of its width and
 * height, so that a 5%-cropped copy (a 5% zoom, which no margin cut from both
 * videos undoes) can be matched against its source. For the W x H region
 * left by crop: cw = (19 W + 10) / 20 and ch = (19 H + 10) / 20 (rounded),
 * mx = W - cw, my = H - ch; the variants, in this fixed order, keep the
 * cw x ch rectangle at (left, top) offsets:
 *   0 centre (mx / 2, my / 2), 1 top-left (0, 0), 2 top-right (mx, 0),
 *   3 bottom-left (0, my), 4 bottom-right (mx, my).
 * out[k] is chaff_frame_hash() of variant k. CHAFF_E_ARG as there. */
#define CHAFF_CROP_VARIANTS 5
CHAFF_API chaff_status chaff_frame_crop_hashes(const chaff_gray *f, const chaff_crop *crop,
                                               unsigned kind, uint64_t out[CHAFF_CROP_VARIANTS]);

/* Number of bits in which a and b differ. */
CHAFF_API unsigned chaff_hamming(uint64_t a, uint64_t b);

/* Degenerate videos, judged on their frame hashes alone (chaff dedup
 * --format frames --filter video). The rules, tried in this order; the first
 * one a video fails drops it, with its measured value:
 *   video.too_short  fewer than min_frames frames; value: the frame count.
 *   video.blank      more than max_blank_share of the frames are blank: at
 *                    most blank_bits bits set (a flat frame, black or any
 *                    single colour, hashes to 0); value: the blank share.
 *   video.frozen     two frames or more, and every one within frozen_bits of
 *                    the first; value: the largest distance from the first.
 * Defaults (measured on ffmpeg-generated videos, see README): a content frame
 * has about 31 of its 63 AC bits set, a flat one 0; low-quality re-encoding
 * moves a frame up to 8 bits, the slowest generated content moves 16. */
typedef struct chaff_video_rules {
    double min_frames;       /* video.min_frames, default 2 */
    double blank_bits;       /* video.blank_bits, default 4 */
    double max_blank_share;  /* video.max_blank_share, default 0.5 */
    double frozen_bits;      /* video.frozen_bits, default 10 */
} chaff_video_rules;

enum { CHAFF_VIDEO_KEPT = -1, CHAFF_VIDEO_TOO_SHORT, CHAFF_VIDEO_BLANK, CHAFF_VIDEO_FROZEN };

CHAFF_API void chaff_video_rules_default(chaff_video_rules *r);
/* The parameters ("video.min_frames", ...) with defaults and ranges. */
CHAFF_API const chaff_filter_param *chaff_video_params(size_t *count);
/* Sets one parameter by name, "video.frozen_bits" to "6"; CHAFF_E_ARG with
 * the reason in why[0..why_cap) for an unknown name or a bad value. */
CHAFF_API chaff_status chaff_video_rules_set(chaff_video_rules *r, const char *name,
                                             const char *value, char *why, size_t why_cap);
/* Judges one video's frames[0..n): CHAFF_VIDEO_KEPT, or the rule it fails
 * with *value set to the measured value. */
CHAFF_API int chaff_video_judge(const chaff_video_rules *r, const uint64_t *frames, size_t n,
                                double *value);
/* "video.too_short", "video.blank", "video.frozen"; NULL when out of range. */
CHAFF_API const char *chaff_video_rule_name(int rule);

#ifdef __cplusplus
}
#endif
#endif /* CHAFF_H */
