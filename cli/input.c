/* cli/input.c - input files and stdin as byte sources for chaff_reader. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

int cli_input_open(cli_input *in, const char *name)
{
    memset(in, 0, sizeof *in);
    in->name = name;
    if (!strcmp(name, "-")) {
        in->shown = "<stdin>";
        in->fd = STDIN_FILENO;
        return 0;
    }
    in->shown = name;
    in->fd = open(name, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0)
        return errno;
    struct stat st;
    if (fstat(in->fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            close(in->fd);
            in->fd = -1;
            return EISDIR;
        }
        if (S_ISREG(st.st_mode))
            in->size = (uint64_t)st.st_size;
    }
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    return 0;
}

ptrdiff_t cli_input_read(void *user, void *buf, size_t cap)
{
    cli_input *in = user;
    for (;;) {
        ssize_t n = read(in->fd, buf, cap);
        if (n >= 0)
            return n;
        if (errno != EINTR) {
            in->err = errno;
            return -1;
        }
    }
}

void cli_input_close(cli_input *in)
{
    if (in->fd > STDIN_FILENO)
        close(in->fd);
    in->fd = -1;
}
