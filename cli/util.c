/* cli/util.c - messages, clocks and the status -> exit code map. */
#include <stdarg.h>
#include <sys/resource.h>
#include <time.h>
#include "cli.h"

void cli_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("chaff: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_exit_for(chaff_status st)
{
    switch (st) {
    case CHAFF_OK:
    case CHAFF_END:
        return EXIT_OK;
    case CHAFF_E_NOMEM:
        return EXIT_NOMEM;
    case CHAFF_E_IO:
        return EXIT_IO;
    case CHAFF_E_ARG:
        return EXIT_USAGE;
    default:
        return EXIT_DATA;
    }
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t cli_peak_rss(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru))
        return 0;
    return (uint64_t)ru.ru_maxrss * 1024; /* Linux reports KiB */
}
