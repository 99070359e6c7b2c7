/* cli/output.c - output files that are complete or absent, never half-written.
 *
 * Each output is written to ".NAME.chaff-XXXXXX" in the target's directory
 * (same file system, so the final rename is atomic) and renamed at commit.
 * A signal handler removes every temporary file that is still open. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

#define MAX_TEMPS 16

struct cli_output {
    char *path;              /* target; NULL for stdout */
    char *tmp;               /* temporary file, NULL for stdout */
    int fd;
    int err;                 /* errno of the first failed write */
    chaff_writer *w;
    int slot;
};

/* Paths the signal handler may unlink; written before the handler can see them. */
static char *volatile temps[MAX_TEMPS];

static void on_signal(int sig)
{
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temps[i])
            unlink(temps[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_output_install_signal_cleanup(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
}

static int sink(void *user, const void *buf, size_t len)
{
    cli_output *o = user;
    const char *p = buf;
    while (len) {
        ssize_t n = write(o->fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            o->err = errno;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* The descriptor a name stands for when it names one already open
 * ("/dev/stdout", "/dev/fd/3", "/proc/self/fd/3"), else -1. Such a name may
 * resolve to a regular file (a redirected stdout): it must be written through
 * the descriptor, never replaced by a rename. */
static int open_descriptor(const char *path)
{
    if (!strcmp(path, "/dev/stdout"))
        return STDOUT_FILENO;
    if (!strcmp(path, "/dev/stderr"))
        return STDERR_FILENO;
    const char *num = NULL;
    if (!strncmp(path, "/dev/fd/", 8))
        num = path + 8;
    else if (!strncmp(path, "/proc/self/fd/", 14))
        num = path + 14;
    if (!num || *num < '0' || *num > '9')
        return -1;
    char *end;
    long fd = strtol(num, &end, 10);
    return *end || fd > 1 << 20 ? -1 : (int)fd;
}

cli_output *cli_output_open(const char *path, int *err)
{
    cli_output *o = calloc(1, sizeof *o);
    if (!o) {
        *err = ENOMEM;
        return NULL;
    }
    o->slot = -1;
    o->fd = -1; /* not 0: abort must never close stdin */
    chaff_compression c = CHAFF_COMPRESS_NONE;
    if (ends_with(path, ".zst") || ends_with(path, ".zstd"))
        c = CHAFF_COMPRESS_ZSTD;
    else if (ends_with(path, ".gz"))
        c = CHAFF_COMPRESS_GZIP;
    struct stat st_path;
    int given = open_descriptor(path);
    if (!strcmp(path, "-")) {
        o->fd = STDOUT_FILENO;
        c = CHAFF_COMPRESS_NONE;
    } else if (given >= 0) {
        /* a duplicate, so that closing it at commit leaves the original open */
        o->path = strdup(path);
        o->fd = fcntl(given, F_DUPFD_CLOEXEC, 3);
        if (!o->path || o->fd < 0) {
            *err = o->path ? errno : ENOMEM;
            o->fd = -1;
            cli_output_abort(o);
            return NULL;
        }
    } else if (stat(path, &st_path) == 0 && !S_ISREG(st_path.st_mode)) {
        /* A device or FIFO (/dev/null, a pipe): there is nothing to replace
         * atomically, and renaming over it would destroy it. */
        o->path = strdup(path);
        o->fd = open(path, O_WRONLY | O_CLOEXEC);
        if (!o->path || o->fd < 0) {
            *err = o->path ? errno : ENOMEM;
            o->fd = -1;
            cli_output_abort(o);
            return NULL;
        }
    } else {
        /* Replace the file a symlink points to, not the link. */
        char *real = realpath(path, NULL);
        const char *target = real ? real : path;
        const char *slash = strrchr(target, '/');
        size_t dir = slash ? (size_t)(slash - target + 1) : 0;
        o->path = strdup(target);
        char *tmp = malloc(strlen(target) + 32);
        if (!o->path || !tmp) {
            free(real);
            free(tmp); /* not yet in o->tmp: abort would unlink an unset name */
            *err = ENOMEM;
            cli_output_abort(o);
            return NULL;
        }
        o->tmp = tmp;
        sprintf(o->tmp, "%.*s.%s.chaff-XXXXXX", (int)dir, target, target + dir);
        free(real);
        o->fd = mkstemp(o->tmp);
        if (o->fd < 0) {
            *err = errno;
            free(o->tmp);
            o->tmp = NULL;
            cli_output_abort(o);
            return NULL;
        }
        for (int i = 0; i < MAX_TEMPS; i++) /* first, so a signal from now on removes it */
            if (!temps[i]) {
                temps[i] = o->tmp;
                o->slot = i;
                break;
            }
        mode_t mask = umask(0);
        umask(mask);
        fchmod(o->fd, 0666 & ~mask); /* mkstemp makes 0600; outputs are ordinary files */
    }
    chaff_status st = chaff_writer_new(&o->w, c, 0, sink, o, NULL);
    if (st) {
        *err = ENOMEM;
        cli_output_abort(o);
        return NULL;
    }
    return o;
}

int cli_output_write(cli_output *o, const void *buf, size_t len)
{
    if (chaff_writer_write(o->w, buf, len) == CHAFF_OK)
        return 0;
    errno = o->err ? o->err : EIO; /* for the caller's message */
    return -1;
}

int cli_output_printf(cli_output *o, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof buf)
        return cli_output_write(o, buf, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big)
        return -1;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int r = cli_output_write(o, big, (size_t)n);
    free(big);
    return r;
}

static const char *shown(const cli_output *o)
{
    return o->path ? o->path : "<stdout>";
}

int cli_output_finish(cli_output *o)
{
    if (chaff_writer_finish(o->w) != CHAFF_OK) {
        cli_msg("%s: write failed: %s", shown(o), strerror(o->err ? o->err : EIO));
        return -1;
    }
    if (o->fd > STDERR_FILENO) {
        int fd = o->fd;
        o->fd = -1;
        if (close(fd) != 0) {
            cli_msg("%s: write failed: %s", shown(o), strerror(errno));
            return -1;
        }
    }
    return 0;
}

int cli_output_publish(cli_output *o)
{
    int rc = 0;
    if (o->tmp) {
        if (rename(o->tmp, o->path) != 0) {
            cli_msg("%s: cannot create: %s", shown(o), strerror(errno));
            cli_output_abort(o);
            return -1;
        }
        if (o->slot >= 0)
            temps[o->slot] = NULL;
        free(o->tmp);
        o->tmp = NULL;
    }
    chaff_writer_free(o->w);
    free(o->path);
    free(o);
    return rc;
}

void cli_output_abort(cli_output *o)
{
    if (!o)
        return;
    if (o->tmp) {
        if (o->slot >= 0)
            temps[o->slot] = NULL;
        if (o->fd >= 0)
            close(o->fd);
        unlink(o->tmp);
        free(o->tmp);
    } else if (o->fd > STDERR_FILENO) {
        close(o->fd);
    }
    chaff_writer_free(o->w);
    free(o->path);
    free(o);
}

int cli_json_string(cli_output *o, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    static const char plain[] = "\"\\\b\f\n\r\t", escaped[] = "\"\\bfnrt";
    char buf[512];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (n > sizeof buf - 8) {
            if (cli_output_write(o, buf, n))
                return -1;
            n = 0;
        }
        const char *short_esc = c ? strchr(plain, c) : NULL;
        if (short_esc) {
            buf[n++] = '\\';
            buf[n++] = escaped[short_esc - plain];
        } else if (c < 0x20) {
            memcpy(buf + n, "\\u00", 4);
            buf[n + 4] = hex[c >> 4];
            buf[n + 5] = hex[c & 15];
            n += 6;
        } else {
            buf[n++] = (char)c;
        }
    }
    return cli_output_write(o, buf, n);
}
