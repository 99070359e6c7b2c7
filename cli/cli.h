/* cli/cli.h - what the chaff program's files share. The program uses only
 * include/chaff.h from the library. */
#ifndef CHAFF_CLI_H
#define CHAFF_CLI_H

#include <stdint.h>
#include <stdio.h>
#include "chaff.h"

/* Exit codes, documented in --help and README.md. */
enum {
    EXIT_OK = 0,
    EXIT_DATA = 1,           /* bad input data: invalid JSON, missing field, damaged stream */
    EXIT_USAGE = 2,          /* bad command line */
    EXIT_IO = 3,             /* a file could not be opened, read or written */
    EXIT_NOMEM = 4           /* out of memory */
};

/* Messages: "chaff: " + text on stderr. */
void cli_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_exit_for(chaff_status st);
double cli_now(void);
uint64_t cli_peak_rss(void);

/* ---- flag values (cli/args.c); cmd names the command for "see chaff CMD --help" ---- */
/* "--flag=value" -> flag and value; anything else -> flag = arg and *val =
 * NULL, the value being the next argument if the flag takes one. */
void cli_split_flag(const char *arg, char *flag, size_t cap, const char **val);
/* argv[*i] is a flag that takes a value: "--flag=value", or "--flag value"
 * (then *i moves past the value). Returns 0, or EXIT_USAGE after saying that
 * the value is missing. */
int cli_flag_value(const char *cmd, int argc, char **argv, int *i, char *flag, size_t cap,
                   const char **val);
int cli_bad_value(const char *cmd, const char *flag, const char *v, const char *what);
int cli_parse_uint(const char *cmd, const char *flag, const char *v, unsigned long long min,
                   unsigned long long max, unsigned long long *out);
/* Any chaff_simd name, "auto" included; a path this CPU lacks is refused. */
int cli_parse_simd(const char *cmd, const char *flag, const char *v, unsigned *out);

/* ---- inputs (cli/input.c) ---- */
typedef struct cli_input {
    const char *name;        /* as given; "-" for stdin */
    const char *shown;       /* for messages: "<stdin>" or the path */
    int fd;
    int err;                 /* errno of the last failed read */
    uint64_t size;           /* file size when known, else 0 */
} cli_input;

int cli_input_open(cli_input *in, const char *name);   /* 0 or errno */
ptrdiff_t cli_input_read(void *user, void *buf, size_t cap);
void cli_input_close(cli_input *in);

/* ---- outputs written atomically (cli/output.c) ---- */
/* An output goes to a temporary file beside its target and is renamed over
 * it only when the whole run succeeds; on failure or on SIGINT/SIGTERM every
 * temporary file is removed, so a target is either complete or untouched. */
typedef struct cli_output cli_output;

/* "-" is stdout. Compression follows the name: .zst, .gz, else plain. */
cli_output *cli_output_open(const char *path, int *err);
int cli_output_write(cli_output *o, const void *buf, size_t len); /* 0 or -1 */
int cli_output_printf(cli_output *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Flushes, ends the compressed stream and closes; returns 0, or -1 after
 * printing what failed. Nothing is renamed yet, so a caller with several
 * outputs can finish them all and publish only if every one finished. */
int cli_output_finish(cli_output *o);
/* Renames a finished output into place and frees it (abort on failure);
 * returns 0, or -1 after printing what failed. */
int cli_output_publish(cli_output *o);
/* Writes s[0..len) as the body of a JSON string (no quotes): '"', '\\' and
 * control bytes escaped, every other byte as it is, so what was read is what
 * is written. 0 or -1. */
int cli_json_string(cli_output *o, const char *s, size_t len);
/* Removes the temporary file (if any) and frees. Safe on NULL. */
void cli_output_abort(cli_output *o);
void cli_output_install_signal_cleanup(void);

/* ---- commands ---- */
int cli_dedup(int argc, char **argv);
int cli_filter(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_hash(int argc, char **argv);

#endif
