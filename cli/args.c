/* cli/args.c - flag values every command parses the same way: whole numbers,
 * SIMD paths, and the message for a value that does not fit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

void cli_split_flag(const char *arg, char *flag, size_t cap, const char **val)
{
    const char *eq = strchr(arg, '=');
    if (eq && arg[1] == '-') {
        snprintf(flag, cap, "%.*s", (int)(eq - arg), arg);
        *val = eq + 1;
    } else {
        snprintf(flag, cap, "%s", arg);
        *val = NULL;
    }
}

int cli_flag_value(const char *cmd, int argc, char **argv, int *i, char *flag, size_t cap,
                   const char **val)
{
    cli_split_flag(argv[*i], flag, cap, val);
    if (*val)
        return 0;
    if (*i + 1 >= argc) {
        cli_msg("%s needs a value (see chaff %s --help)", flag, cmd);
        return EXIT_USAGE;
    }
    *val = argv[++*i];
    return 0;
}

int cli_bad_value(const char *cmd, const char *flag, const char *v, const char *what)
{
    cli_msg("%s: '%s' is not %s (see chaff %s --help)", flag, v, what, cmd);
    return EXIT_USAGE;
}

int cli_parse_uint(const char *cmd, const char *flag, const char *v, unsigned long long min,
                   unsigned long long max, unsigned long long *out)
{
    char *end;
    if (*v < '0' || *v > '9') /* strtoull would take "-1" and " 7" */
        return cli_bad_value(cmd, flag, v, "a whole number");
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (*end)
        return cli_bad_value(cmd, flag, v, "a whole number");
    if (errno == ERANGE || x < min || x > max) {
        cli_msg("%s must be between %llu and %llu (see chaff %s --help)", flag, min, max, cmd);
        return EXIT_USAGE;
    }
    *out = x;
    return 0;
}

int cli_parse_simd(const char *cmd, const char *flag, const char *v, unsigned *out)
{
    for (unsigned s = CHAFF_SIMD_AUTO; s <= CHAFF_SIMD_NEON; s++) {
        if (strcmp(v, chaff_simd_name(s)))
            continue;
        if (!chaff_simd_supported(s)) {
            char have[128] = "";
            for (unsigned t = CHAFF_SIMD_SCALAR; t <= CHAFF_SIMD_NEON; t++)
                if (chaff_simd_supported(t)) {
                    strcat(have, " ");
                    strcat(have, chaff_simd_name(t));
                }
            cli_msg("%s %s: not supported by this CPU (it has:%s)", flag, v, have);
            return EXIT_USAGE;
        }
        *out = s;
        return 0;
    }
    return cli_bad_value(cmd, flag, v, "auto, scalar, sse4.1, avx2, avx512 or neon");
}
