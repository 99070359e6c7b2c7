/* cli/dedup_cmd.c - `chaff dedup` and `chaff filter`: stream inputs through
 * chaff_filter (when asked) and chaff_dedup (for dedup), and write the kept
 * indices, the dropped records with their reasons, the kept records
 * themselves and a JSON summary. The two commands are one pipeline: filter is
 * dedup without the index.
 *
 * Everything here is plumbing: parsing flags, opening files, turning library
 * statuses into messages of the form "chaff: FILE:LINE: what went wrong". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

#define BATCH_LINES 4096
#define BATCH_BYTES (4u << 20)
#define MAX_WARNINGS 10

enum { FORMAT_AUTO, FORMAT_JSONL, FORMAT_TEXT, FORMAT_FRAMES };
enum { MODE_DEDUP, MODE_FILTER };

typedef struct args {
    int mode;
    const char *cmd;         /* "dedup" or "filter", for messages */
    chaff_options o;
    int format;
    const char *field, *id_field;
    const char *mirror_field;  /* frames: the field of the flipped frames' hashes */
    const char *crop_field;    /* frames: the field of the crop variants' hashes */
    const char *kept, *dropped, *output, *stats;
    int skip_errors, quiet;
    const char **inputs;
    int ninputs;
    /* filtering */
    const char *filter;      /* --filter presets, or NULL; several are joined */
    char *filter_joined;
    const char **sets, **rules, **phrases, **refs;
    int nsets, nrules, nphrases, nrefs;
    unsigned decontam_n;     /* 0: the library's default */
    const char *explain;
    int list, rewrite;
} args;

static const char *cmd_name = "dedup";

static int bad_value(const char *flag, const char *v, const char *what)
{
    return cli_bad_value(cmd_name, flag, v, what);
}

/* "  HEAD  text..." with text wrapped at 79 columns under column 24. */
static void print_wrapped(FILE *f, const char *head, const char *text)
{
    int col = fprintf(f, "  %-21s", head);
    if (col > 23) {
        fputc('\n', f);
        col = fprintf(f, "%23s", "");
    }
    while (*text) {
        size_t word = strcspn(text, " ");
        if (col + 1 + (int)word > 79) {
            fputc('\n', f);
            col = fprintf(f, "%23s", "");
        }
        col += fprintf(f, " %.*s", (int)word, text);
        text += word;
        while (*text == ' ')
            text++;
    }
    fputc('\n', f);
}


static void usage(FILE *f)
{
    size_t np;
    const chaff_param_info *p = chaff_params(&np);
    fputs("usage: chaff dedup [options] INPUT...\n"
          "\n"
          "Removes exact and near-duplicate records, keeping the first of each group.\n"
          "INPUT is a file or - for stdin; zstd and gzip input is detected and streamed.\n"
          "Records are numbered from 0 across all inputs in order.\n"
          "\n"
          "Input:\n"
          "  --format jsonl|text|frames  record format (default: from the extension;\n"
          "                        .jsonl .ndjson .json, also under .zst/.gz, are jsonl;\n"
          "                        stdin is jsonl; anything else is text, one record per\n"
          "                        line). frames: JSON Lines whose field is an array of\n"
          "                        64-bit frame hashes as 16 hex digits (chaff hash);\n"
          "                        near-duplicates share --threshold of the shorter\n"
          "                        video's frames within --max-hamming bits\n"
          "  --field NAME          JSON field holding the text (default: text; frames:\n"
          "                        frames)\n"
          "  --mirror-field NAME   frames: the field with the hashes of the flipped\n"
          "                        frames (chaff hash --mirror writes \"mirror\"), so\n"
          "                        that flipped copies are found too\n"
          "  --crop-field NAME     frames: the field with 5 hashes per frame of its 5%\n"
          "                        crops (chaff hash --crops writes \"crops\"), so that\n"
          "                        cropped copies are found, before or after their source\n"
          "  --id-field NAME       JSON field copied as \"id\" into --dropped\n"
          "  --on-error fail|skip  on a bad record: stop (default), or skip, count and\n"
          "                        list it in --dropped with reason \"invalid\"\n"
          "\n"
          "Outputs (written to a temporary file and renamed at the end; .zst/.gz names\n"
          "are compressed; - is stdout; with none of them, kept records go to stdout):\n"
          "  --kept FILE           indices of kept records, one per line\n"
          "  --dropped FILE        one JSON object per dropped record:\n"
          "                        {\"index\":N,\"reason\":\"exact\"|\"near\",\"duplicate_of\":M,\n"
          "                         \"similarity\":S}  (\"id\" with --id-field)\n"
          "  -o, --output FILE     the kept records, byte-identical, in input order\n"
          "  --stats FILE          a JSON summary of the run\n"
          "\n"
          "Filtering in the same pass (see chaff filter --help; filtered records never\n"
          "enter the index): --filter, --set, --rules, --phrases, --decontaminate,\n"
          "--decontam-n, --explain, --rewrite\n"
          "With --format frames, --filter video drops degenerate videos instead:\n"
          "video.too_short, video.blank, video.frozen (--set video.min_frames=N,\n"
          "video.blank_bits=N, video.max_blank_share=S, video.frozen_bits=N)\n"
          "\n"
          "Similarity:\n",
          f);
    for (size_t i = 0; i < np; i++) {
        char head[40], text[256];
        snprintf(head, sizeof head, "--%s %s", p[i].name,
                 strcmp(p[i].name, "threshold") ? "N" : "T");
        if (p[i].def == 0)
            snprintf(text, sizeof text, "%s (%g..%g, default: auto)", p[i].help, p[i].min, p[i].max);
        else
            snprintf(text, sizeof text, "%s (%g..%g, default %g)", p[i].help, p[i].min, p[i].max,
                     p[i].def);
        print_wrapped(f, head, text);
    }
    fputs("  --shingle words|chars:K  word n-grams (default), or character K-grams\n"
          "  --seed S              seed for every hash (default 0)\n"
          "  --method minhash|oph  num-perm permutations per shingle (default), or one\n"
          "                        (one-permutation hashing, densified): faster\n"
          "  --simd PATH           auto (default), scalar, sse4.1, avx2, avx512 or neon;\n"
          "                        the environment variable CHAFF_SIMD sets the default.\n"
          "                        Every path gives identical results.\n"
          "\n"
          "Other:\n"
          "  -q, --quiet           no summary line, no progress\n"
          "  -h, --help            this help\n"
          "\n"
          "Exit status: 0 success, 1 bad input data, 2 bad command line,\n"
          "3 a file could not be opened, read or written, 4 out of memory.\n",
          f);
}


static void usage_filter(FILE *f)
{
    fputs("usage: chaff filter [options] INPUT...\n"
          "       chaff filter --list\n"
          "\n"
          "Drops records that fail quality rules, look machine-generated or copy a\n"
          "reference text; each drop names the first rule that dropped it and the value\n"
          "it measured. INPUT is a file or - for stdin; zstd and gzip are detected.\n"
          "Records are numbered from 0 across all inputs in order.\n"
          "\n"
          "Rules:\n"
          "  --filter LIST         presets to apply, in this order, e.g. gopher,fineweb:\n"
          "                        gopher, c4, fineweb (as HuggingFace datatrove decides\n"
          "                        at its defaults), synthetic (assistant refusals and\n"
          "                        boilerplate), degenerate (loops, mojibake, broken text)\n"
          "  --set NAME=VALUE      change one threshold, e.g. gopher.min_doc_words=20\n"
          "                        (repeatable; chaff filter --list shows every one)\n"
          "  --rules FILE          thresholds from a file: \"name = value\" per line,\n"
          "                        \"filter = LIST\" turns presets on, # comments\n"
          "  --phrases FILE        more synthetic-text patterns, bundled syntax (README)\n"
          "  --decontaminate REF   drop records sharing an n-gram of words with any record\n"
          "                        of REF (JSONL with --field, or text lines; repeatable)\n"
          "  --decontam-n N        n-gram length for --decontaminate (default 13)\n"
          "  --list                print every preset, rule, default and source, and exit\n"
          "\n"
          "Input:\n"
          "  --format jsonl|text   record format (default: from the extension; .jsonl\n"
          "                        .ndjson .json, also under .zst/.gz, are jsonl; stdin is\n"
          "                        jsonl; anything else is text, one record per line)\n"
          "  --field NAME          JSON string field holding the text (default: text)\n"
          "  --id-field NAME       JSON field copied as \"id\" into --dropped\n"
          "  --on-error fail|skip  on a bad record: stop (default), or skip, count and\n"
          "                        list it in --dropped with reason \"invalid\"\n"
          "\n"
          "Outputs (written to a temporary file and renamed at the end; .zst/.gz names\n"
          "are compressed; - is stdout; with none of them, kept records go to stdout):\n"
          "  --kept FILE           indices of kept records, one per line\n"
          "  --dropped FILE        one JSON object per dropped record:\n"
          "                        {\"index\":N,\"reason\":\"gopher.short_doc\",\"value\":V}\n"
          "                        (\"reference\":\"REF:LINE\" for decontam, \"id\" with\n"
          "                        --id-field)\n"
          "  -o, --output FILE     the kept records, byte-identical, in input order\n"
          "  --stats FILE          a JSON summary: drops per rule, thresholds in use\n"
          "  --explain FILE        every statistic computed for every record, one JSON\n"
          "                        object per line (slower: one thread)\n"
          "  --rewrite             -o writes the text field as the filters clean it (c4\n"
          "                        removes the lines its line rules reject) instead of\n"
          "                        the record byte-identical; JSONL only\n"
          "\n"
          "Other:\n"
          "  --threads N           worker threads, 0 = all cores (default 0)\n"
          "  -q, --quiet           no summary line, no progress\n"
          "  -h, --help            this help\n"
          "\n"
          "Exit status: 0 success, 1 bad input data, 2 bad command line or rules,\n"
          "3 a file could not be opened, read or written, 4 out of memory.\n",
          f);
}

/* chaff filter --list */
static void list_rules(FILE *f)
{
    size_t np;
    const chaff_filter_param *p = chaff_filter_params(&np);
    const char *what, *name;
    for (size_t k = 0; (name = chaff_filter_preset_name(k, &what)) != NULL; k++) {
        fprintf(f, "%s%s: %s\n", k ? "\n" : "", name, what);
        size_t len = strlen(name);
        for (size_t i = 0; i < np; i++) {
            if (strncmp(p[i].name, name, len) || p[i].name[len] != '.')
                continue;
            fprintf(f, "  %s = %g  (%g..%g%s)  drops as %s\n", p[i].name, p[i].def, p[i].lo,
                    p[i].hi, p[i].integer ? ", whole" : "", p[i].rule);
            fprintf(f, "      %s\n      source: %s\n", p[i].what, p[i].source);
        }
        if (!strcmp(name, "decontam"))
            fputs("  --decontam-n = 13  (1..1024, whole)  drops as decontam\n"
                  "      words in a shared n-gram; chaff's normalised words (lowercase,\n"
                  "      punctuation removed), as dedup sees them\n"
                  "      source: GPT-3 (Brown et al. 2020) App. C, 13-gram overlap\n",
                  f);
    }
}

static int parse_unsigned(const char *flag, const char *v, unsigned *out)
{
    unsigned long long x;
    int rc = cli_parse_uint(cmd_name, flag, v, 0, 0xFFFFFFFFull, &x);
    if (!rc)
        *out = (unsigned)x;
    return rc;
}

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, args *a)
{
    chaff_options_default(&a->o);
    a->field = NULL;
    const char *env_simd = getenv("CHAFF_SIMD");
    if (env_simd && *env_simd) {
        int rc = cli_parse_simd("dedup", "CHAFF_SIMD", env_simd, &a->o.simd);
        if (rc)
            return rc;
    }
    a->inputs = calloc((size_t)argc + 1, sizeof *a->inputs);
    a->sets = calloc((size_t)argc + 1, sizeof *a->sets);
    a->rules = calloc((size_t)argc + 1, sizeof *a->rules);
    a->phrases = calloc((size_t)argc + 1, sizeof *a->phrases);
    a->refs = calloc((size_t)argc + 1, sizeof *a->refs);
    if (!a->inputs || !a->sets || !a->rules || !a->phrases || !a->refs)
        return EXIT_NOMEM;
    if (a->mode == MODE_FILTER)
        a->o.threads = 0;
    int only_inputs = 0;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (only_inputs || arg[0] != '-' || !strcmp(arg, "-")) {
            a->inputs[a->ninputs++] = arg;
            continue;
        }
        if (!strcmp(arg, "--")) {
            only_inputs = 1;
            continue;
        }
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            if (a->mode == MODE_FILTER)
                usage_filter(stdout);
            else
                usage(stdout);
            return EXIT_OK;
        }
        if (!strcmp(arg, "--rewrite")) {
            a->rewrite = 1;
            continue;
        }
        if (!strcmp(arg, "--list") && a->mode == MODE_FILTER) {
            a->list = 1;
            continue;
        }
        if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
            a->quiet = 1;
            continue;
        }
        /* Every other flag takes a value: "--flag value" or "--flag=value". */
        char flag[64];
        const char *val;
        if (cli_flag_value(cmd_name, argc, argv, &i, flag, sizeof flag, &val))
            return EXIT_USAGE;
        int rc = 0;
        unsigned long long u;
        static const char *const dedup_only[] = {
            "--threshold", "--ngram", "--shingle", "--num-perm", "--bands", "--rows",
            "--seed", "--method", "--simd", "--max-hamming", "--mirror-field",
            "--crop-field", NULL
        };
        for (int k = 0; a->mode == MODE_FILTER && dedup_only[k]; k++)
            if (!strcmp(flag, dedup_only[k])) {
                cli_msg("%s is an option of chaff dedup, not of chaff filter", flag);
                return EXIT_USAGE;
            }
        if (!strcmp(flag, "--filter")) {
            if (a->filter) { /* repeated: the presets of each, in order */
                size_t n = strlen(a->filter) + strlen(val) + 2;
                char *j = malloc(n);
                if (!j)
                    return EXIT_NOMEM;
                snprintf(j, n, "%s,%s", a->filter, val);
                free(a->filter_joined);
                a->filter = a->filter_joined = j;
            } else {
                a->filter = val;
            }
        } else if (!strcmp(flag, "--set")) {
            if (!strchr(val, '='))
                rc = bad_value(flag, val, "NAME=VALUE");
            a->sets[a->nsets++] = val;
        } else if (!strcmp(flag, "--rules")) {
            a->rules[a->nrules++] = val;
        } else if (!strcmp(flag, "--phrases")) {
            a->phrases[a->nphrases++] = val;
        } else if (!strcmp(flag, "--decontaminate")) {
            a->refs[a->nrefs++] = val;
        } else if (!strcmp(flag, "--decontam-n")) {
            rc = cli_parse_uint(cmd_name, flag, val, 1, 1024, &u);
            a->decontam_n = (unsigned)u;
        } else if (!strcmp(flag, "--explain")) {
            a->explain = val;
        } else if (!strcmp(flag, "--max-hamming")) {
            rc = parse_unsigned(flag, val, &a->o.max_hamming);
        } else if (!strcmp(flag, "--format")) {
            if (!strcmp(val, "jsonl"))
                a->format = FORMAT_JSONL;
            else if (!strcmp(val, "text"))
                a->format = FORMAT_TEXT;
            else if (!strcmp(val, "frames"))
                a->format = FORMAT_FRAMES;
            else
                rc = bad_value(flag, val, "jsonl, text or frames");
        } else if (!strcmp(flag, "--field")) {
            a->field = val;
        } else if (!strcmp(flag, "--mirror-field")) {
            a->mirror_field = val;
        } else if (!strcmp(flag, "--crop-field")) {
            a->crop_field = val;
        } else if (!strcmp(flag, "--id-field")) {
            a->id_field = val;
        } else if (!strcmp(flag, "--kept")) {
            a->kept = val;
        } else if (!strcmp(flag, "--dropped")) {
            a->dropped = val;
        } else if (!strcmp(flag, "-o") || !strcmp(flag, "--output")) {
            a->output = val;
        } else if (!strcmp(flag, "--stats")) {
            a->stats = val;
        } else if (!strcmp(flag, "--on-error")) {
            if (!strcmp(val, "fail"))
                a->skip_errors = 0;
            else if (!strcmp(val, "skip"))
                a->skip_errors = 1;
            else
                rc = bad_value(flag, val, "fail or skip");
        } else if (!strcmp(flag, "--threshold")) {
            char *end;
            a->o.threshold = strtod(val, &end);
            if (!*val || *end)
                rc = bad_value(flag, val, "a number");
        } else if (!strcmp(flag, "--ngram")) {
            rc = parse_unsigned(flag, val, &a->o.ngram);
        } else if (!strcmp(flag, "--shingle")) {
            if (!strcmp(val, "words")) {
                a->o.shingle = CHAFF_SHINGLE_WORDS;
            } else if (!strncmp(val, "chars:", 6)) {
                a->o.shingle = CHAFF_SHINGLE_CHARS;
                char *end;
                const char *k = val + 6;
                unsigned long n = strtoul(k, &end, 10);
                if (*k < '0' || *k > '9' || *end || n > 0xFFFFFFFFul)
                    return bad_value(flag, val, "words or chars:K with K a whole number");
                a->o.ngram = (unsigned)n;
            } else {
                rc = bad_value(flag, val, "words or chars:K");
            }
        } else if (!strcmp(flag, "--num-perm")) {
            rc = parse_unsigned(flag, val, &a->o.num_perm);
        } else if (!strcmp(flag, "--bands")) {
            rc = parse_unsigned(flag, val, &a->o.bands);
        } else if (!strcmp(flag, "--rows")) {
            rc = parse_unsigned(flag, val, &a->o.rows);
        } else if (!strcmp(flag, "--seed")) {
            rc = cli_parse_uint(cmd_name, flag, val, 0, ~0ull, &u);
            a->o.seed = u;
        } else if (!strcmp(flag, "--method")) {
            if (!strcmp(val, "minhash"))
                a->o.method = CHAFF_METHOD_MINHASH;
            else if (!strcmp(val, "oph"))
                a->o.method = CHAFF_METHOD_OPH;
            else
                rc = bad_value(flag, val, "minhash or oph");
        } else if (!strcmp(flag, "--simd")) {
            rc = cli_parse_simd(cmd_name, flag, val, &a->o.simd);
        } else if (!strcmp(flag, "--threads")) {
            rc = parse_unsigned(flag, val, &a->o.threads);
        } else {
            cli_msg("unknown option %s (see chaff %s --help)", flag, cmd_name);
            return EXIT_USAGE;
        }
        if (rc)
            return rc;
    }
    if (a->list) {
        list_rules(stdout);
        return EXIT_OK;
    }
    if (a->format == FORMAT_FRAMES)
        a->o.kind = CHAFF_KIND_FRAMES;
    if (!a->field)
        a->field = a->format == FORMAT_FRAMES ? "frames" : "text";
    char why[160];
    if (chaff_options_check(&a->o, why, sizeof why) != CHAFF_OK) {
        cli_msg("--%s (see chaff %s --help)", why, cmd_name);
        return EXIT_USAGE;
    }
    int filtering = a->filter || a->nrules || a->nrefs;
    int video = a->filter && !strcmp(a->filter, "video");
    if (filtering && a->format == FORMAT_FRAMES &&
        (!video || a->nrules || a->nrefs || a->nphrases || a->explain || a->rewrite ||
         a->decontam_n)) {
        cli_msg("--format frames takes only --filter video (with --set video.NAME=VALUE); the "
                "text presets, --rules, --phrases, --decontaminate, --explain and --rewrite "
                "judge text");
        return EXIT_USAGE;
    }
    if (video && a->format != FORMAT_FRAMES) {
        cli_msg("--filter video judges frame hashes: it needs --format frames");
        return EXIT_USAGE;
    }
    if (a->mode == MODE_FILTER && a->format == FORMAT_FRAMES) {
        cli_msg("--format frames is for chaff dedup; chaff filter reads text");
        return EXIT_USAGE;
    }
    if (a->mode == MODE_FILTER && !filtering) {
        cli_msg("nothing to filter: give --filter PRESETS, --rules FILE or --decontaminate REF "
                "(see chaff filter --help)");
        return EXIT_USAGE;
    }
    if (!filtering && (a->nsets || a->nphrases || a->explain || a->decontam_n || a->rewrite)) {
        cli_msg("--set, --phrases, --explain, --decontam-n and --rewrite need --filter, --rules "
                "or --decontaminate");
        return EXIT_USAGE;
    }
    if (a->rewrite && !a->output) {
        cli_msg("--rewrite changes what -o writes: give -o FILE");
        return EXIT_USAGE;
    }
    if (a->rewrite && a->format == FORMAT_TEXT) {
        cli_msg("--rewrite replaces a JSON field: it needs JSONL input, not --format text");
        return EXIT_USAGE;
    }
    if (a->ninputs == 0) {
        cli_msg("no input given (see chaff %s --help)", cmd_name);
        return EXIT_USAGE;
    }
    if (!a->kept && !a->dropped && !a->output)
        a->output = "-";
    int to_stdout = 0;
    const char *outs[] = { a->kept, a->dropped, a->output, a->stats, a->explain };
    for (int i = 0; i < 5; i++)
        to_stdout += outs[i] && (!strcmp(outs[i], "-") || !strcmp(outs[i], "/dev/stdout"));
    if (to_stdout > 1) {
        cli_msg("only one output can go to stdout (with no --kept, --dropped or -o, "
                "the kept records do)");
        return EXIT_USAGE;
    }
    return -1;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

static int format_of(const char *name, int forced)
{
    if (forced != FORMAT_AUTO)
        return forced;
    if (!strcmp(name, "-"))
        return FORMAT_JSONL;
    char base[4096];
    snprintf(base, sizeof base, "%s", name);
    const char *comp[] = { ".zst", ".zstd", ".gz" };
    for (int i = 0; i < 3; i++)
        if (has_suffix(base, comp[i])) {
            base[strlen(base) - strlen(comp[i])] = 0;
            break;
        }
    if (has_suffix(base, ".jsonl") || has_suffix(base, ".ndjson") || has_suffix(base, ".json"))
        return FORMAT_JSONL;
    return FORMAT_TEXT;
}

/* A string literal, its length counted by the compiler. */
#define put_lit(o, s) cli_output_write((o), (s), sizeof(s) - 1)

typedef struct run {
    args *a;
    cli_output *kept, *dropped, *output, *stats, *explain;
    chaff_dedup *dd;         /* NULL for chaff filter */
    chaff_filter *filter;    /* NULL without text filtering */
    int vfilter;             /* --format frames --filter video: vr judges videos */
    chaff_video_rules vr;
    chaff_filter_verdict *fv;
    uint64_t *fcount;        /* drops per rule */
    uint64_t filtered;
    chaff_json *json;
    uint64_t next_index, invalid, warnings, bytes;
    double t0, last_progress;
    int progress;
    chaff_line *lines;
    chaff_doc *docs;
    chaff_record *recs;
    chaff_verdict *verdicts;
    chaff_video *videos;     /* --format frames: the batch's records */
    uint64_t *pool;          /* their frames, one after the other */
    size_t *foff, *moff, *coff; /* per video: where its frames, mirror, crops start in pool */
    size_t pool_len, pool_cap;
    int *bad;                /* per line of a batch: 1 when it failed to parse */
    char (*errors)[160];     /* per line of a batch: what failed */
} run;

static int write_failed(cli_output *o, const char *name)
{
    (void)o;
    cli_msg("%s: write failed: %s", name, strerror(errno ? errno : EIO));
    return EXIT_IO;
}

/* JSON has no NaN or infinity; a rule's value is either only when the record
 * had nothing to measure, so it is written as null. */
static int put_number(cli_output *o, double v)
{
    if (v != v || v - v != 0)
        return put_lit(o, "null");
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v)
        return cli_output_printf(o, "%lld", (long long)v); /* counts stay exact */
    return cli_output_printf(o, "%.10g", v);
}

/* ,"id":VALUE (null when the record has none or could not be read) */
static int put_id(cli_output *o, const chaff_record *rec)
{
    if (put_lit(o, ",\"id\":"))
        return -1;
    return rec && rec->id ? cli_output_write(o, rec->id, rec->id_len) : put_lit(o, "null");
}

static const char *rule_name(const run *r, int32_t rule)
{
    return r->vfilter ? chaff_video_rule_name(rule) : chaff_filter_rule_name(r->filter, rule);
}

static int emit_filtered(run *r, uint64_t index, const chaff_filter_verdict *v,
                         const chaff_record *rec)
{
    args *a = r->a;
    r->filtered++;
    r->fcount[v->rule]++;
    if (!r->dropped)
        return 0;
    cli_output *o = r->dropped;
    const char *reason = rule_name(r, v->rule);
    int bad = cli_output_printf(o, "{\"index\":%llu", (unsigned long long)index);
    if (a->id_field)
        bad |= put_id(o, rec);
    bad |= cli_output_printf(o, ",\"reason\":\"%s\",\"value\":", reason);
    bad |= put_number(o, v->value);
    if (!strcmp(reason, "decontam")) {
        bad |= put_lit(o, ",\"reference\":\"");
        bad |= cli_json_string(o, a->refs[v->ref >> 40], strlen(a->refs[v->ref >> 40]));
        bad |= cli_output_printf(o, ":%llu\"", (unsigned long long)(v->ref & ((1ull << 40) - 1)));
    }
    bad |= put_lit(o, "}\n");
    return bad ? write_failed(o, a->dropped) : 0;
}

typedef struct explain_line {
    cli_output *o;
    int bad;
} explain_line;

static void explain_stat(void *user, const char *name, double value)
{
    explain_line *e = user;
    e->bad |= cli_output_printf(e->o, ",\"%s\":", name);
    e->bad |= put_number(e->o, value);
}

/* Judges docs[0..n) into r->fv; with --explain one at a time, writing every
 * statistic, else in parallel. */
static int judge(run *r, const chaff_doc *docs, size_t n)
{
    chaff_status st = CHAFF_OK;
    if (!r->explain) {
        st = chaff_filter_run(r->filter, docs, n, r->fv);
    } else {
        for (size_t i = 0; i < n && !st; i++) {
            explain_line e = { r->explain, 0 };
            e.bad |= cli_output_printf(e.o, "{\"index\":%llu", (unsigned long long)docs[i].index);
            st = chaff_filter_explain(r->filter, docs[i].text, docs[i].len, explain_stat, &e,
                                      &r->fv[i]);
            const char *rule = chaff_filter_rule_name(r->filter, r->fv[i].rule);
            e.bad |= cli_output_printf(e.o, ",\"reason\":\"%s\"}\n", rule ? rule : "kept");
            if (e.bad)
                return write_failed(r->explain, r->a->explain);
        }
    }
    if (st) {
        cli_msg("filtering: %s", chaff_strerror(st));
        return cli_exit_for(st);
    }
    return 0;
}

/* -o with --rewrite: the line with its text field's value replaced by what the
 * filters leave of the text; every other byte of the line as it was. */
static int rewrite(run *r, const chaff_line *line, const chaff_record *rec)
{
    const char *t;
    size_t n;
    chaff_status st = chaff_filter_rewrite(r->filter, rec->text, rec->text_len, &t, &n);
    if (st) {
        cli_msg("rewriting: %s", chaff_strerror(st));
        return cli_exit_for(st);
    }
    const char *data = line->data;
    size_t off = rec->field_off;
    if (line->lineno == 1 && line->len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        off += 3; /* offsets count from after the byte order mark */
    size_t after = off + rec->field_len;
    cli_output *o = r->output;
    if (cli_output_write(o, data, off) || put_lit(o, "\"") ||
        cli_json_string(o, t, n) || put_lit(o, "\"") ||
        cli_output_write(o, data + after, line->len - after) || put_lit(o, "\n"))
        return write_failed(o, r->a->output);
    return 0;
}

static int emit(run *r, const chaff_line *line, uint64_t index, const chaff_verdict *v,
                const chaff_record *rec, const char *error)
{
    args *a = r->a;
    if (v->reason == CHAFF_KEEP) {
        if (r->kept && cli_output_printf(r->kept, "%llu\n", (unsigned long long)index))
            return write_failed(r->kept, a->kept);
        if (r->output && a->rewrite && rec)
            return rewrite(r, line, rec);
        if (r->output && (cli_output_write(r->output, line->data, line->len) ||
                          put_lit(r->output, "\n")))
            return write_failed(r->output, a->output);
        return 0;
    }
    if (!r->dropped)
        return 0;
    cli_output *o = r->dropped;
    int bad = cli_output_printf(o, "{\"index\":%llu", (unsigned long long)index);
    if (a->id_field)
        bad |= put_id(o, rec);
    bad |= cli_output_printf(o, ",\"reason\":\"%s\"", chaff_reason_name((chaff_reason)v->reason));
    if (v->reason == CHAFF_DROP_INVALID) {
        bad |= put_lit(o, ",\"error\":\"");
        bad |= cli_json_string(o, error, strlen(error));
        bad |= put_lit(o, "\"}\n");
    } else {
        bad |= cli_output_printf(o, ",\"duplicate_of\":%llu,\"similarity\":%.4f}\n",
                                 (unsigned long long)v->duplicate_of, v->similarity);
    }
    return bad ? write_failed(o, a->dropped) : 0;
}

static void progress(run *r, const cli_input *in, const chaff_reader *rd, int final)
{
    if (!r->progress)
        return;
    double now = cli_now();
    if (!final && now - r->last_progress < 0.25)
        return;
    r->last_progress = now;
    double dt = now - r->t0;
    char pct[16] = "";
    if (in && in->size)
        snprintf(pct, sizeof pct, " %3.0f%%",
                 100.0 * (double)chaff_reader_bytes_in(rd) / (double)in->size);
    fprintf(stderr, "\rchaff: %s%s  %llu records  %.1f MB  %.0f records/s   ",
            in ? in->shown : "", pct, (unsigned long long)r->next_index, r->bytes / 1e6,
            dt > 0 ? (double)r->next_index / dt : 0.0);
    if (final)
        fputs("\r\033[K", stderr);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static const char *skip_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Appends the frame hashes of a raw JSON array to r->pool. Returns NULL, or
 * what is wrong with it (the offset of the culprit in *col). Hashes are
 * exactly 16 hex digits, without escapes: what chaff hash writes. */
static const char *parse_frames(run *r, const char *s, size_t len, size_t *col, size_t *count)
{
    const char *p = s, *e = s + len;
    *count = 0;
    *col = 0;
    if (p == e || *p != '[')
        return "frames field is not an array";
    p = skip_ws(p + 1, e);
    if (p < e && *p == ']')
        return NULL;
    for (;;) {
        *col = (size_t)(p - s);
        if (e - p < 18 || *p != '"' || p[17] != '"')
            return "a frame hash is not a string of 16 hex digits";
        uint64_t h = 0;
        for (int k = 1; k <= 16; k++) {
            int v = hexval((unsigned char)p[k]);
            if (v < 0)
                return "a frame hash is not a string of 16 hex digits";
            h = h << 4 | (uint64_t)v;
        }
        if (r->pool_len == r->pool_cap) {
            size_t cap = r->pool_cap ? r->pool_cap * 2 : 1 << 16;
            uint64_t *q = realloc(r->pool, cap * sizeof *q);
            if (!q)
                return "out of memory";
            r->pool = q;
            r->pool_cap = cap;
        }
        r->pool[r->pool_len++] = h;
        ++*count;
        p = skip_ws(p + 18, e);
        if (p < e && *p == ']')
            return NULL;
        if (p == e || *p != ',') {
            *col = (size_t)(p - s);
            return "expected ',' or ']' in the frames array";
        }
        p = skip_ws(p + 1, e);
    }
}

/* Record i cannot be read (r->errors[i] says why): with --on-error fail the
 * run stops with code; with skip the record is counted, listed as invalid and
 * warned about (the first few), and 0 is returned. */
static int bad_record(run *r, size_t i, int code)
{
    if (!r->a->skip_errors) {
        cli_msg("%s", r->errors[i]);
        return code;
    }
    r->bad[i] = 1;
    r->invalid++;
    if (r->warnings++ < MAX_WARNINGS && !r->a->quiet)
        cli_msg("skipped record %llu: %s", (unsigned long long)(r->next_index + i),
                r->errors[i]);
    return 0;
}

/* Parses one hash array of record i, s[0..len) inside the line data, into the
 * pool, and checks it holds want hashes (SIZE_MAX: any; wrong_len says why not).
 * Returns -1 when it did (*count set), else what bad_record() returns; a
 * skipped record's hashes are taken back out of the pool (from start). */
static int read_frames(run *r, const cli_input *in, size_t i, const char *data,
                       const char *what, const char *s, size_t len, size_t want,
                       const char *wrong_len, size_t start, size_t *count)
{
    size_t col = 0;
    *count = 0;
    const char *why = parse_frames(r, s, len, &col, count);
    if (why && !strcmp(why, "out of memory")) {
        cli_msg("out of memory");
        return EXIT_NOMEM;
    }
    if (!why && want != SIZE_MAX && *count != want)
        why = wrong_len;
    if (!why)
        return -1;
    snprintf(r->errors[i], sizeof r->errors[i], "%s:%llu: invalid %s at column %zu: %s",
             in->shown, (unsigned long long)r->lines[i].lineno, what,
             (size_t)(s - data) + col + 1, why);
    r->pool_len = start;
    return bad_record(r, i, EXIT_DATA);
}

static int process_batch(run *r, const cli_input *in, int format, size_t n)
{
    r->pool_len = 0;
    size_t nd = 0;
    for (size_t i = 0; i < n; i++) {
        const chaff_line *l = &r->lines[i];
        r->bytes += l->len + 1;
        r->bad[i] = 0;
        chaff_record *rec = &r->recs[i];
        const char *data = l->data;
        size_t len = l->len;
        if (l->lineno == 1 && len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
            data += 3; /* a byte order mark starts the file, not the record */
            len -= 3;
        }
        if (format == FORMAT_TEXT) {
            rec->text = data;
            rec->text_len = len;
            rec->id = NULL;
        } else {
            chaff_status st = chaff_json_parse(r->json, data, len, rec);
            if (st == CHAFF_E_NOMEM) {
                cli_msg("out of memory");
                return EXIT_NOMEM;
            }
            if (st) {
                size_t col = 0;
                const char *why = chaff_json_error(r->json, &col);
                snprintf(r->errors[i], sizeof r->errors[i], "%s:%llu: %s at column %zu: %s",
                         in->shown, (unsigned long long)l->lineno, chaff_strerror(st), col, why);
                if (st == CHAFF_E_JSON)
                    rec->id = NULL; /* field errors still name the record's id */
                int rc = bad_record(r, i, cli_exit_for(st));
                if (rc)
                    return rc;
                continue;
            }
        }
        if (format == FORMAT_FRAMES) {
            size_t count, start = r->pool_len, mstart = SIZE_MAX, cstart = SIZE_MAX, extra;
            int rc = read_frames(r, in, i, data, "frames", rec->text, rec->text_len, SIZE_MAX,
                                 NULL, start, &count);
            /* a mirror of another length cannot be matched frame for frame */
            if (rc < 0 && rec->extra) {
                mstart = r->pool_len;
                rc = read_frames(r, in, i, data, "mirror frames", rec->extra, rec->extra_len,
                                 count, "the mirror array's length differs from the frames'",
                                 start, &extra);
            }
            if (rc < 0 && rec->extra2) { /* 5 variants of each frame, frame-major */
                cstart = r->pool_len;
                rc = read_frames(r, in, i, data, "crop frames", rec->extra2, rec->extra2_len,
                                 count * CHAFF_CROP_VARIANTS,
                                 "the crops array does not hold 5 hashes per frame", start,
                                 &extra);
            }
            if (rc >= 0) {
                if (rc)
                    return rc;
                continue;
            }
            /* the pool may still move: frames are set from offsets below */
            r->videos[nd].frames = NULL;
            r->videos[nd].mirror = NULL;
            r->videos[nd].crops = NULL;
            r->coff[nd] = cstart;
            r->videos[nd].nframes = count;
            r->videos[nd].index = r->next_index + i;
            r->foff[nd] = start;
            r->moff[nd] = mstart;
            nd++;
            continue;
        }
        r->docs[nd].text = rec->text;
        r->docs[nd].len = rec->text_len;
        r->docs[nd].index = r->next_index + i;
        nd++;
    }
    /* Filtered records never reach the index: the docs that pass are moved
     * to the front, in order, and only they are deduplicated. */
    size_t npass = nd;
    if (r->filter) {
        int rc = judge(r, r->docs, nd);
        if (rc)
            return rc;
        npass = 0;
        for (size_t j = 0; j < nd; j++)
            if (r->fv[j].rule < 0)
                r->docs[npass++] = r->docs[j];
    }
    if (format == FORMAT_FRAMES) {
        for (size_t v = 0; v < nd; v++) {
            r->videos[v].frames = r->pool + r->foff[v];
            r->videos[v].mirror = r->moff[v] != SIZE_MAX ? r->pool + r->moff[v] : NULL;
            r->videos[v].crops = r->coff[v] != SIZE_MAX ? r->pool + r->coff[v] : NULL;
        }
    }
    if (r->vfilter) {
        npass = 0;
        for (size_t j = 0; j < nd; j++) {
            r->fv[j].ref = 0;
            r->fv[j].value = 0;
            r->fv[j].rule = chaff_video_judge(&r->vr, r->videos[j].frames, r->videos[j].nframes,
                                              &r->fv[j].value);
            if (r->fv[j].rule < 0)
                r->videos[npass++] = r->videos[j];
        }
    }
    if (r->dd) {
        chaff_status st;
        if (format == FORMAT_FRAMES) {
            st = chaff_dedup_add_frames(r->dd, r->videos, npass, r->verdicts);
        } else {
            st = chaff_dedup_add(r->dd, r->docs, npass, r->verdicts);
        }
        if (st) {
            cli_msg("%s: %s", in->shown, chaff_strerror(st));
            return cli_exit_for(st);
        }
    }
    size_t k = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        chaff_verdict inv = { CHAFF_DROP_INVALID, 0, 0 }, keep = { CHAFF_KEEP, 0, 0 };
        const chaff_verdict *v = &inv;
        if (!r->bad[i]) {
            if ((r->filter || r->vfilter) && r->fv[k].rule >= 0) {
                int rc = emit_filtered(r, r->next_index + i, &r->fv[k++], &r->recs[i]);
                if (rc)
                    return rc;
                continue;
            }
            k++;
            v = r->dd ? &r->verdicts[m++] : &keep;
        }
        int rc = emit(r, &r->lines[i], r->next_index + i, v, &r->recs[i], r->errors[i]);
        if (rc)
            return rc;
    }
    r->next_index += n;
    chaff_json_reset(r->json);
    return 0;
}

static int process_input(run *r, const char *name)
{
    cli_input in;
    int err = cli_input_open(&in, name);
    if (err) {
        cli_msg("%s: cannot open: %s", name, strerror(err));
        return EXIT_IO;
    }
    int format = r->a->format == FORMAT_FRAMES ? FORMAT_FRAMES : format_of(name, r->a->format);
    if (r->a->rewrite && format != FORMAT_JSONL) {
        cli_input_close(&in);
        cli_msg("%s: --rewrite replaces a JSON field, but this input is read as text "
                "(name it .jsonl or give --format jsonl)", in.shown);
        return EXIT_USAGE;
    }
    chaff_reader *rd;
    chaff_status st = chaff_reader_new(&rd, cli_input_read, &in, 0, NULL);
    if (st) {
        cli_input_close(&in);
        cli_msg("%s: %s", in.shown, chaff_strerror(st));
        return cli_exit_for(st);
    }
    int rc = 0;
    for (;;) {
        size_t n = 0;
        st = chaff_reader_lines(rd, r->lines, BATCH_LINES, BATCH_BYTES, &n);
        if (st == CHAFF_END)
            break;
        if (st) {
            uint64_t line, off;
            chaff_reader_where(rd, &line, &off);
            if (st == CHAFF_E_IO)
                cli_msg("%s: read failed: %s", in.shown, strerror(in.err ? in.err : EIO));
            else
                cli_msg("%s:%llu: %s (at byte %llu of the decompressed data)", in.shown,
                        (unsigned long long)line, chaff_strerror(st), (unsigned long long)off);
            rc = cli_exit_for(st);
            break;
        }
        if ((rc = process_batch(r, &in, format, n)))
            break;
        progress(r, &in, rd, 0);
    }
    chaff_reader_free(rd);
    cli_input_close(&in);
    return rc;
}

/* ,"filtered":{"rule":N,...},"filter":{...thresholds in use...} */
static int write_filter_stats(run *r, cli_output *o)
{
    int bad = put_lit(o, ",\"filtered\":{");
    int first = 1;
    size_t nr = r->vfilter ? 3 : chaff_filter_rule_count(r->filter);
    for (size_t i = 0; i < nr; i++)
        if (r->fcount[i]) {
            bad |= cli_output_printf(o, "%s\"%s\":%llu", first ? "" : ",",
                                     rule_name(r, (int32_t)i),
                                     (unsigned long long)r->fcount[i]);
            first = 0;
        }
    bad |= put_lit(o, "},\"filter\":{\"presets\":\"");
    const char *name;
    if (r->vfilter)
        bad |= put_lit(o, "video");
    for (size_t k = 0; r->filter && (name = chaff_filter_preset_on(r->filter, k)) != NULL; k++)
        bad |= cli_output_printf(o, "%s%s", k ? "," : "", name);
    bad |= put_lit(o, "\"");
    size_t np;
    if (r->vfilter) {
        const chaff_filter_param *p = chaff_video_params(&np);
        const double val[] = { r->vr.min_frames, r->vr.blank_bits, r->vr.max_blank_share,
                               r->vr.frozen_bits };
        for (size_t i = 0; i < np && i < 4; i++) {
            bad |= cli_output_printf(o, ",\"%s\":", p[i].name);
            bad |= put_number(o, val[i]);
        }
    }
    const chaff_filter_param *p = chaff_filter_params(&np);
    for (size_t i = 0; r->filter && i < np; i++) {
        double v;
        if (chaff_filter_param_value(r->filter, i, &v)) {
            bad |= cli_output_printf(o, ",\"%s\":", p[i].name);
            bad |= put_number(o, v);
        }
    }
    if (r->a->nrefs)
        bad |= cli_output_printf(o, ",\"decontam_references\":%d,\"decontam_n\":%u",
                                 r->a->nrefs, r->a->decontam_n ? r->a->decontam_n : 13);
    bad |= put_lit(o, "}");
    return bad;
}

static int write_stats(run *r, cli_output *o, double secs)
{
    int bad = 0;
    unsigned long long records = r->next_index, invalid = r->invalid;
    double rps = secs > 0 ? (double)r->next_index / secs : 0.0;
    double mbps = secs > 0 ? r->bytes / 1e6 / secs : 0.0;
    if (!r->dd) {
        bad |= cli_output_printf(
            o,
            "{\"version\":\"%s\",\"records\":%llu,\"kept\":%llu,"
            "\"dropped\":{\"filtered\":%llu,\"invalid\":%llu},"
            "\"bytes\":%llu,\"seconds\":%.3f,\"records_per_s\":%.0f,\"mb_per_s\":%.2f,"
            "\"peak_rss_bytes\":%llu,\"threads\":%u",
            chaff_version_string(), records, records - r->filtered - invalid,
            (unsigned long long)r->filtered, invalid, (unsigned long long)r->bytes, secs, rps,
            mbps, (unsigned long long)cli_peak_rss(), chaff_filter_threads(r->filter));
        bad |= write_filter_stats(r, o);
        bad |= put_lit(o, "}\n");
        return bad ? write_failed(o, r->a->stats) : 0;
    }
    chaff_dedup_stats s;
    chaff_dedup_get_stats(r->dd, &s);
    const chaff_options *op = &r->a->o;
    bad |= cli_output_printf(
        o,
        "{\"version\":\"%s\",\"records\":%llu,\"kept\":%llu,"
        "\"dropped\":{\"exact\":%llu,\"near\":%llu,\"invalid\":%llu%s",
        chaff_version_string(), records, (unsigned long long)s.kept, (unsigned long long)s.exact,
        (unsigned long long)s.near, invalid, r->filter || r->vfilter ? "" : "},");
    if (r->filter || r->vfilter)
        bad |= cli_output_printf(o, ",\"filtered\":%llu},", (unsigned long long)r->filtered);
    bad |= cli_output_printf(
        o,
        "\"bytes\":%llu,\"seconds\":%.3f,\"records_per_s\":%.0f,\"mb_per_s\":%.2f,"
        "\"peak_rss_bytes\":%llu,\"index_bytes\":%llu,\"candidates\":%llu,\"shingles\":%llu,"
        "\"params\":{\"method\":\"%s\",\"threshold\":%g,\"shingle\":\"%s\",\"ngram\":%u,\"num_perm\":%u,"
        "\"bands\":%u,\"rows\":%u,\"seed\":%llu,\"threads\":%u,\"simd\":\"%s\"}",
        (unsigned long long)r->bytes, secs, rps, mbps,
        (unsigned long long)cli_peak_rss(), (unsigned long long)s.index_bytes,
        (unsigned long long)s.candidates, (unsigned long long)s.shingles,
        op->method == CHAFF_METHOD_OPH ? "oph" : "minhash", op->threshold,
        op->shingle == CHAFF_SHINGLE_CHARS ? "chars" : "words", op->ngram, op->num_perm, s.bands,
        s.rows, (unsigned long long)op->seed, s.threads, chaff_simd_name(s.simd));
    if (r->filter || r->vfilter)
        bad |= write_filter_stats(r, o);
    bad |= put_lit(o, "}\n");
    return bad ? write_failed(o, r->a->stats) : 0;
}

/* A rules or phrases file, whole; 0 or errno. */
static int slurp(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    int err = 0;
    while (b) {
        if (n == cap) {
            char *nb = cap > (64u << 20) ? NULL : realloc(b, cap * 2);
            if (!nb) {
                err = cap > (64u << 20) ? EFBIG : ENOMEM;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                err = errno ? errno : EIO;
            break;
        }
    }
    if (!b)
        err = ENOMEM;
    fclose(f);
    if (err) {
        free(b);
        return err;
    }
    *buf = b;
    *len = n;
    return 0;
}

/* Reads every record of reference file number idx into the filter. */
static int load_reference(run *r, int idx)
{
    const char *name = r->a->refs[idx];
    cli_input in;
    int err = cli_input_open(&in, name);
    if (err) {
        cli_msg("%s: cannot open: %s", name, strerror(err));
        return EXIT_IO;
    }
    int format = format_of(name, FORMAT_AUTO);
    chaff_reader *rd;
    chaff_status st = chaff_reader_new(&rd, cli_input_read, &in, 0, NULL);
    if (st) {
        cli_input_close(&in);
        cli_msg("%s: %s", in.shown, chaff_strerror(st));
        return cli_exit_for(st);
    }
    int rc = 0;
    while (!rc) {
        size_t n = 0;
        st = chaff_reader_lines(rd, r->lines, BATCH_LINES, BATCH_BYTES, &n);
        if (st == CHAFF_END)
            break;
        if (st) {
            uint64_t line, off;
            chaff_reader_where(rd, &line, &off);
            cli_msg("%s:%llu: %s", in.shown, (unsigned long long)line, chaff_strerror(st));
            rc = cli_exit_for(st);
            break;
        }
        for (size_t i = 0; i < n && !rc; i++) {
            const chaff_line *l = &r->lines[i];
            const char *text = l->data;
            size_t len = l->len;
            if (l->lineno == 1 && len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
                text += 3; /* a byte order mark starts the file, not the record */
                len -= 3;
            }
            if (format == FORMAT_JSONL) {
                chaff_record rec;
                st = chaff_json_parse(r->json, text, len, &rec);
                if (st == CHAFF_OK) {
                    text = rec.text;
                    len = rec.text_len;
                } else if (st != CHAFF_E_NOMEM) {
                    size_t col = 0;
                    const char *why = chaff_json_error(r->json, &col);
                    cli_msg("%s:%llu: %s at column %zu: %s (a reference must be readable)",
                            in.shown, (unsigned long long)l->lineno, chaff_strerror(st), col, why);
                    rc = cli_exit_for(st);
                    break;
                }
            }
            if (st == CHAFF_OK)
                st = chaff_filter_add_reference(r->filter, text, len,
                                                ((uint64_t)idx << 40) | l->lineno);
            if (st) {
                cli_msg("%s: %s", in.shown, chaff_strerror(st));
                rc = cli_exit_for(st);
            }
        }
        chaff_json_reset(r->json);
    }
    chaff_reader_free(rd);
    cli_input_close(&in);
    return rc;
}

/* Builds r->filter from --filter, --rules, --set, --phrases, --decontaminate. */
static int start_filter(run *r)
{
    args *a = r->a;
    char why[512];
    if (a->format == FORMAT_FRAMES) { /* only --filter video gets here */
        r->vfilter = 1;
        chaff_video_rules_default(&r->vr);
        for (int i = 0; i < a->nsets; i++) {
            char name[128];
            const char *eq = strchr(a->sets[i], '=');
            snprintf(name, sizeof name, "%.*s", (int)(eq - a->sets[i]), a->sets[i]);
            if (chaff_video_rules_set(&r->vr, name, eq + 1, why, sizeof why)) {
                cli_msg("--set %s", why);
                return EXIT_USAGE;
            }
        }
        r->fv = malloc(BATCH_LINES * sizeof *r->fv);
        r->fcount = calloc(3, sizeof *r->fcount);
        if (!r->fv || !r->fcount) {
            cli_msg("out of memory");
            return EXIT_NOMEM;
        }
        return 0;
    }
    chaff_status st = chaff_filter_new(&r->filter, a->filter, a->o.threads, NULL, why, sizeof why);
    if (st == CHAFF_E_NOMEM) {
        cli_msg("out of memory");
        return EXIT_NOMEM;
    }
    if (st) {
        cli_msg("--filter: %s", why);
        return EXIT_USAGE;
    }
    if (!chaff_filter_preset_on(r->filter, 0) && !a->nrules && !a->nrefs) {
        cli_msg("nothing to filter: --filter names no preset");
        return EXIT_USAGE;
    }
    for (int i = 0; i < a->nrules + a->nphrases; i++) {
        int rules = i < a->nrules;
        const char *path = rules ? a->rules[i] : a->phrases[i - a->nrules];
        char *buf = NULL;
        size_t len = 0;
        int err = slurp(path, &buf, &len);
        if (err) {
            cli_msg("%s: cannot read: %s", path, strerror(err));
            return EXIT_IO;
        }
        st = rules ? chaff_filter_load_rules(r->filter, buf, len, path, why, sizeof why)
                   : chaff_filter_add_phrases(r->filter, buf, len, path, why, sizeof why);
        free(buf);
        if (st == CHAFF_E_NOMEM) {
            cli_msg("out of memory");
            return EXIT_NOMEM;
        }
        if (st) {
            cli_msg("%s", why);
            return EXIT_USAGE;
        }
    }
    for (int i = 0; i < a->nsets; i++) {
        char name[128];
        const char *eq = strchr(a->sets[i], '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq - a->sets[i]), a->sets[i]);
        st = chaff_filter_set(r->filter, name, eq + 1, why, sizeof why);
        if (st) {
            cli_msg("--set %s", why);
            return EXIT_USAGE;
        }
    }
    if (a->decontam_n && chaff_filter_set_decontam_n(r->filter, a->decontam_n)) {
        cli_msg("--decontam-n: %u is out of range (1..1024)", a->decontam_n);
        return EXIT_USAGE;
    }
    for (int i = 0; i < a->nrefs; i++) {
        int rc = load_reference(r, i);
        if (rc)
            return rc;
    }
    r->fv = malloc(BATCH_LINES * sizeof *r->fv);
    r->fcount = calloc(chaff_filter_rule_count(r->filter), sizeof *r->fcount);
    if (!r->fv || !r->fcount) {
        cli_msg("out of memory");
        return EXIT_NOMEM;
    }
    return 0;
}

static int open_output(cli_output **o, const char *path)
{
    if (!path)
        return 0;
    int err = 0;
    *o = cli_output_open(path, &err);
    if (!*o) {
        cli_msg("%s: cannot create: %s", path, strerror(err));
        return EXIT_IO;
    }
    return 0;
}

static void free_args(args *a)
{
    free(a->filter_joined);
    free(a->inputs);
    free(a->sets);
    free(a->rules);
    free(a->phrases);
    free(a->refs);
}

static int run_command(int argc, char **argv, int mode)
{
    args a;
    memset(&a, 0, sizeof a);
    a.mode = mode;
    cmd_name = mode == MODE_FILTER ? "filter" : "dedup";
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) {
        free_args(&a);
        return rc;
    }
    rc = 0;
    run r;
    memset(&r, 0, sizeof r);
    r.a = &a;
    r.t0 = cli_now();
    r.progress = !a.quiet && isatty(STDERR_FILENO);
    cli_output_install_signal_cleanup();
    r.lines = malloc(BATCH_LINES * sizeof *r.lines);
    r.docs = malloc(BATCH_LINES * sizeof *r.docs);
    r.recs = malloc(BATCH_LINES * sizeof *r.recs);
    r.verdicts = malloc(BATCH_LINES * sizeof *r.verdicts);
    r.bad = malloc(BATCH_LINES * sizeof *r.bad);
    r.videos = malloc(BATCH_LINES * sizeof *r.videos);
    r.foff = malloc(BATCH_LINES * sizeof *r.foff);
    r.moff = malloc(BATCH_LINES * sizeof *r.moff);
    r.coff = malloc(BATCH_LINES * sizeof *r.coff);
    r.errors = malloc(BATCH_LINES * sizeof *r.errors);
    chaff_status st;
    if (!r.lines || !r.docs || !r.recs || !r.verdicts || !r.bad || !r.errors || !r.videos ||
        !r.foff || !r.moff || !r.coff) {
        cli_msg("out of memory");
        rc = EXIT_NOMEM;
    } else if ((mode == MODE_DEDUP && (st = chaff_dedup_new(&r.dd, &a.o))) ||
               (st = chaff_json_new(&r.json, a.field, a.id_field, NULL))) {
        cli_msg("cannot start: %s", chaff_strerror(st));
        rc = cli_exit_for(st);
    } else if (a.format == FORMAT_FRAMES &&
               ((st = chaff_json_raw_field(r.json, a.mirror_field)) ||
                (a.crop_field && (st = chaff_json_raw_field2(r.json, a.crop_field))))) {
        cli_msg("cannot start: %s", chaff_strerror(st));
        rc = cli_exit_for(st);
    }
    if (!rc && (a.filter || a.nrules || a.nrefs))
        rc = start_filter(&r);
    if (!rc)
        rc = open_output(&r.kept, a.kept);
    if (!rc)
        rc = open_output(&r.dropped, a.dropped);
    if (!rc)
        rc = open_output(&r.output, a.output);
    if (!rc)
        rc = open_output(&r.stats, a.stats);
    if (!rc)
        rc = open_output(&r.explain, a.explain);
    for (int i = 0; !rc && i < a.ninputs; i++)
        rc = process_input(&r, a.inputs[i]);
    progress(&r, NULL, NULL, 1);
    double secs = cli_now() - r.t0;
    if (!rc && r.stats)
        rc = write_stats(&r, r.stats, secs);
    /* All or nothing: every output is finished before any is renamed into
     * place, so a failure in the last one leaves none of them behind. */
    cli_output **outs[] = { &r.kept, &r.dropped, &r.output, &r.stats, &r.explain };
    for (int i = 0; i < 5; i++)
        if (!rc && *outs[i] && cli_output_finish(*outs[i]))
            rc = EXIT_IO;
    for (int i = 0; i < 5; i++) {
        if (!rc && *outs[i] && cli_output_publish(*outs[i]))
            rc = EXIT_IO;
        else if (rc && *outs[i])
            cli_output_abort(*outs[i]);
        *outs[i] = NULL;
    }
    if (!rc && !a.quiet && !r.dd) {
        cli_msg("%llu records, %llu kept, %llu dropped (%llu filtered, %llu invalid) "
                "in %.2f s: %.0f records/s, %.1f MB/s",
                (unsigned long long)r.next_index,
                (unsigned long long)(r.next_index - r.filtered - r.invalid),
                (unsigned long long)(r.filtered + r.invalid), (unsigned long long)r.filtered,
                (unsigned long long)r.invalid, secs,
                secs > 0 ? (double)r.next_index / secs : 0.0,
                secs > 0 ? r.bytes / 1e6 / secs : 0.0);
    } else if (!rc && !a.quiet && (r.filter || r.vfilter)) {
        chaff_dedup_stats s;
        chaff_dedup_get_stats(r.dd, &s);
        cli_msg("%llu records, %llu kept, %llu dropped (%llu filtered, %llu exact, %llu near, "
                "%llu invalid) in %.2f s: %.0f records/s, %.1f MB/s",
                (unsigned long long)r.next_index, (unsigned long long)s.kept,
                (unsigned long long)(r.filtered + s.exact + s.near + r.invalid),
                (unsigned long long)r.filtered, (unsigned long long)s.exact,
                (unsigned long long)s.near, (unsigned long long)r.invalid, secs,
                secs > 0 ? (double)r.next_index / secs : 0.0,
                secs > 0 ? r.bytes / 1e6 / secs : 0.0);
    } else if (!rc && !a.quiet) {
        chaff_dedup_stats s;
        chaff_dedup_get_stats(r.dd, &s);
        cli_msg("%llu records, %llu kept, %llu dropped (%llu exact, %llu near, %llu invalid) "
                "in %.2f s: %.0f records/s, %.1f MB/s",
                (unsigned long long)r.next_index, (unsigned long long)s.kept,
                (unsigned long long)(s.exact + s.near + r.invalid), (unsigned long long)s.exact,
                (unsigned long long)s.near, (unsigned long long)r.invalid, secs,
                secs > 0 ? (double)r.next_index / secs : 0.0,
                secs > 0 ? r.bytes / 1e6 / secs : 0.0);
    }
    chaff_dedup_free(r.dd);
    chaff_filter_free(r.filter);
    free(r.fv);
    free(r.fcount);
    chaff_json_free(r.json);
    free(r.lines);
    free(r.docs);
    free(r.recs);
    free(r.verdicts);
    free(r.bad);
    free(r.errors);
    free(r.videos);
    free(r.foff);
    free(r.moff);
    free(r.coff);
    free(r.pool);
    free_args(&a);
    return rc;
}

int cli_dedup(int argc, char **argv)
{
    return run_command(argc, argv, MODE_DEDUP);
}

int cli_filter(int argc, char **argv)
{
    return run_command(argc, argv, MODE_FILTER);
}
