/* cli/hash_cmd.c - `chaff hash`: video and image files -> JSONL frame hashes.
 *
 * Decoding is Debian's ffmpeg program run as a subprocess (posix_spawnp, no
 * shell, so no path is ever interpreted): it samples frames at --fps, turns
 * them to gray and scales them by area averaging to a fixed FRAME x FRAME
 * square, and writes raw bytes to a pipe. A fixed size needs no probing of
 * the file first; the aspect ratio does not matter because borders are found
 * in proportion and the hash shrinks to 32x32 anyway. FRAME = 160 keeps a
 * border estimate within 1/160 of the side, and a video's frames in memory
 * (all of them are kept until its one crop is known) at 25 KB a second.
 *
 * Several files are decoded at once with --threads; records are still
 * written in input order: a worker fills its file's slot, and the main thread
 * writes slots in order as they complete. */
#define _GNU_SOURCE /* pipe2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"

#define FRAME 160
#define MAX_THREADS 64

extern char **environ;

typedef struct hargs {
    double fps;
    unsigned kind;           /* chaff_frame_hash_kind */
    int mirror, crops, skip_errors, quiet;
    unsigned threads;
    const char *output;
    const char *ffmpeg;
} hargs;

typedef struct item {
    char *path;
    uint64_t *frames, *mirror, *crops; /* crops: 5 per frame, frame-major */
    size_t n;
    char err[240];           /* non-empty: the file failed */
    int done;                /* guarded by the job's mutex */
} item;

typedef struct job {
    const hargs *a;
    item *items;
    size_t nitems, next;
    int stop;                /* a fatal error: workers take no new file */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} job;

static void usage(FILE *f)
{
    fputs("usage: chaff hash [options] INPUT...\n"
          "\n"
          "Writes one JSON line per video or image: its perceptual frame hashes, for\n"
          "chaff dedup --format frames:\n"
          "  {\"path\":P,\"frames\":[\"16 hex digits\",...],\"fps\":R,\"duration\":S}\n"
          "INPUT is a file or a directory (walked recursively, in sorted order;\n"
          "links to directories inside it are not followed).\n"
          "Files are decoded by the ffmpeg program, which must be installed.\n"
          "Black borders (letterbox, pillarbox) are found per video and cropped.\n"
          "\n"
          "  --fps R               frames sampled per second (default 1); duration is\n"
          "                        frames / R\n"
          "  --frame-hash phash|dhash  DCT hash (default) or difference hash (weaker:\n"
          "                        smooth gradients hash like flat frames)\n"
          "  --mirror              also write \"mirror\": the hashes of the horizontally\n"
          "                        flipped frames\n"
          "  --crops               also write \"crops\": 5 hashes per frame, of the frame\n"
          "                        cropped by 5% at the centre, top-left, top-right,\n"
          "                        bottom-left and bottom-right (frame-major)\n"
          "  --threads N           files decoded at once (default 1); output order\n"
          "                        does not change\n"
          "  --on-error fail|skip  a file ffmpeg cannot decode: stop (default), or\n"
          "                        report it and go on\n"
          "  -o, --output FILE     where to write (default stdout; written to a\n"
          "                        temporary file and renamed at the end)\n"
          "  -q, --quiet           no progress\n"
          "  -h, --help            this help\n"
          "\n"
          "The environment variable CHAFF_FFMPEG names another ffmpeg program.\n"
          "Exit status: 0 success, 1 a file could not be decoded, 2 bad command line,\n"
          "3 a file could not be opened, read or written (or no ffmpeg), 4 out of memory.\n",
          f);
}

/* ---- the list of files ---- */

typedef struct list {
    char **p;
    size_t n, cap;
} list;

static int push(list *l, char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **q = realloc(l->p, cap * sizeof *q);
        if (!q)
            return -1;
        l->p = q;
        l->cap = cap;
    }
    l->p[l->n++] = s;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the regular files under dir, in byte order of their names at each
 * level, subdirectories in the same order as files. Returns 0 or an exit code. */
static int walk(list *l, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        cli_msg("%s: cannot open: %s", dir, strerror(errno));
        return EXIT_IO;
    }
    list names = { 0 };
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        if (!p || push(&names, p)) {
            free(p);
            rc = EXIT_NOMEM;
            break;
        }
        snprintf(p, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
    }
    closedir(d);
    if (!rc)
        qsort(names.p, names.n, sizeof *names.p, cmp_str);
    size_t i = 0;
    for (; !rc && i < names.n; i++) {
        struct stat st, lst;
        /* links to files are followed, links to directories are not: a
         * link back up the tree would make the walk endless */
        if (lstat(names.p[i], &lst) != 0 || stat(names.p[i], &st) != 0) {
            cli_msg("%s: cannot open: %s", names.p[i], strerror(errno));
            rc = EXIT_IO;
        } else if (S_ISDIR(st.st_mode) && S_ISLNK(lst.st_mode)) {
            continue;
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(l, names.p[i]);
            free(names.p[i]);
            names.p[i] = NULL;
        } else if (S_ISREG(st.st_mode)) {
            if (push(l, names.p[i]))
                rc = EXIT_NOMEM;
            else
                names.p[i] = NULL;
        }
    }
    for (size_t k = 0; k < names.n; k++)
        free(names.p[k]);
    free(names.p);
    return rc;
}

/* ---- decoding one file ---- */

static int read_full(int fd, uint8_t *buf, size_t n, size_t *got)
{
    *got = 0;
    while (*got < n) {
        ssize_t r = read(fd, buf + *got, n - *got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? -1 : 0;
        *got += (size_t)r;
    }
    return 0;
}

/* The first line of what ffmpeg printed, for the message. */
static void first_line(FILE *f, char *out, size_t cap)
{
    out[0] = 0;
    rewind(f);
    if (fgets(out, (int)cap, f))
        out[strcspn(out, "\r\n")] = 0;
}

/* Runs ffmpeg on it->path and hashes its frames. Returns 0, or EXIT_IO when
 * ffmpeg cannot be started at all (fatal whatever --on-error says), or
 * EXIT_NOMEM; a file that does not decode sets it->err and returns 0. */
static int hash_file(const hargs *a, item *it)
{
    char vf[128];
    /* eof_action=pass: a still image (one frame, no duration) would else
     * give no frame at all; for videos it changes nothing measurable */
    snprintf(vf, sizeof vf, "fps=%.17g:eof_action=pass,scale=%d:%d:flags=area,format=gray",
             a->fps, FRAME, FRAME);
    char *argv[] = { (char *)a->ffmpeg, "-nostdin", "-hide_banner", "-v", "error",
                     "-i", it->path, "-an", "-sn", "-dn", "-vf", vf,
                     "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1", NULL };
    int out[2];
    FILE *errf = tmpfile();
    if (!errf)
        return EXIT_IO;
    /* close-on-exec, so that an ffmpeg started by another thread does not
     * hold this pipe open (its reader would wait for that one to end too) */
    fcntl(fileno(errf), F_SETFD, FD_CLOEXEC);
    if (pipe2(out, O_CLOEXEC)) {
        fclose(errf);
        return EXIT_IO;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fileno(errf), 2);
    posix_spawn_file_actions_addclose(&fa, out[1]);
    pid_t pid;
    int se = posix_spawnp(&pid, a->ffmpeg, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    if (se) {
        close(out[0]);
        fclose(errf);
        cli_msg("cannot run %s: %s (on Debian: apt-get install ffmpeg)", a->ffmpeg, strerror(se));
        return EXIT_IO;
    }
    size_t fsz = (size_t)FRAME * FRAME, cap = 0;
    uint8_t *pix = NULL;
    int rc = 0;
    for (;;) {
        if (it->n == cap) {
            cap = cap ? cap * 2 : 16;
            uint8_t *p = realloc(pix, cap * fsz);
            if (!p) {
                rc = EXIT_NOMEM;
                break;
            }
            pix = p;
        }
        size_t got;
        if (read_full(out[0], pix + it->n * fsz, fsz, &got) || got < fsz)
            break; /* a partial last frame is ffmpeg's failure, reported below */
        it->n++;
    }
    close(out[0]); /* on NOMEM ffmpeg then gets SIGPIPE and ends */
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!rc && (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || it->n == 0)) {
        char line[200];
        first_line(errf, line, sizeof line);
        snprintf(it->err, sizeof it->err, "cannot decode: %s",
                 line[0] ? line : it->n ? "ffmpeg failed" : "no video frames");
    }
    fclose(errf);
    if (!rc && !it->err[0]) {
        chaff_border_acc acc;
        chaff_border_acc_init(&acc, FRAME, FRAME);
        for (size_t i = 0; i < it->n; i++) {
            chaff_gray g = { pix + i * fsz, FRAME, FRAME, FRAME };
            chaff_border_acc_add(&acc, &g);
        }
        chaff_crop crop;
        chaff_border_acc_crop(&acc, &crop);
        it->frames = malloc(it->n * sizeof *it->frames);
        it->mirror = a->mirror ? malloc(it->n * sizeof *it->mirror) : NULL;
        it->crops = a->crops ? malloc(it->n * CHAFF_CROP_VARIANTS * sizeof *it->crops) : NULL;
        if (!it->frames || (a->mirror && !it->mirror) || (a->crops && !it->crops))
            rc = EXIT_NOMEM;
        for (size_t i = 0; !rc && i < it->n; i++) {
            chaff_gray g = { pix + i * fsz, FRAME, FRAME, FRAME };
            chaff_frame_hash(&g, &crop, a->kind, &it->frames[i],
                             a->mirror ? &it->mirror[i] : NULL);
            if (a->crops)
                chaff_frame_crop_hashes(&g, &crop, a->kind, &it->crops[i * CHAFF_CROP_VARIANTS]);
        }
    }
    free(pix);
    return rc;
}

static void *worker(void *arg)
{
    job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        size_t i = j->next < j->nitems && !j->stop ? j->next++ : j->nitems;
        pthread_mutex_unlock(&j->mu);
        if (i >= j->nitems)
            return NULL;
        int rc = hash_file(j->a, &j->items[i]);
        pthread_mutex_lock(&j->mu);
        j->items[i].done = rc ? -rc : 1;
        if (rc)
            j->stop = 1;
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
    }
}

/* ---- output ---- */

/* s as a JSON string, quotes included */
static int put_json_string(cli_output *o, const char *s)
{
    int bad = cli_output_write(o, "\"", 1);
    bad |= cli_json_string(o, s, strlen(s));
    return bad | cli_output_write(o, "\"", 1);
}

static int put_hashes(cli_output *o, const char *key, const uint64_t *h, size_t n)
{
    int bad = cli_output_printf(o, ",\"%s\":[", key);
    for (size_t i = 0; i < n; i++)
        bad |= cli_output_printf(o, "%s\"%016llx\"", i ? "," : "", (unsigned long long)h[i]);
    return bad | cli_output_write(o, "]", 1);
}

static int write_item(cli_output *o, const hargs *a, const item *it)
{
    int bad = cli_output_write(o, "{\"path\":", 8);
    bad |= put_json_string(o, it->path);
    bad |= put_hashes(o, "frames", it->frames, it->n);
    if (a->mirror)
        bad |= put_hashes(o, "mirror", it->mirror, it->n);
    if (a->crops)
        bad |= put_hashes(o, "crops", it->crops, it->n * CHAFF_CROP_VARIANTS);
    bad |= cli_output_printf(o, ",\"fps\":%.17g,\"duration\":%.17g}\n", a->fps,
                             (double)it->n / a->fps);
    return bad;
}

static int parse_args(int argc, char **argv, hargs *a, list *in)
{
    a->fps = 1.0;
    a->kind = CHAFF_FRAME_PHASH;
    a->threads = 1;
    a->output = "-";
    const char *ff = getenv("CHAFF_FFMPEG");
    a->ffmpeg = ff && *ff ? ff : "ffmpeg";
    int only_inputs = 0;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (only_inputs || arg[0] != '-' || !strcmp(arg, "-")) {
            if (push(in, arg))
                return EXIT_NOMEM;
            continue;
        }
        if (!strcmp(arg, "--")) {
            only_inputs = 1;
            continue;
        }
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            usage(stdout);
            return EXIT_OK;
        }
        if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
            a->quiet = 1;
            continue;
        }
        if (!strcmp(arg, "--mirror")) {
            a->mirror = 1;
            continue;
        }
        if (!strcmp(arg, "--crops")) {
            a->crops = 1;
            continue;
        }
        char flag[64];
        const char *val;
        if (cli_flag_value("hash", argc, argv, &i, flag, sizeof flag, &val))
            return EXIT_USAGE;
        int rc = 0;
        unsigned long long u;
        if (!strcmp(flag, "--fps")) {
            char *end;
            a->fps = strtod(val, &end);
            if (!*val || *end || !(a->fps >= 0.001 && a->fps <= 1000))
                rc = cli_bad_value("hash", flag, val, "a number from 0.001 to 1000");
        } else if (!strcmp(flag, "--frame-hash")) {
            if (!strcmp(val, "phash"))
                a->kind = CHAFF_FRAME_PHASH;
            else if (!strcmp(val, "dhash"))
                a->kind = CHAFF_FRAME_DHASH;
            else
                rc = cli_bad_value("hash", flag, val, "phash or dhash");
        } else if (!strcmp(flag, "--threads")) {
            rc = cli_parse_uint("hash", flag, val, 1, MAX_THREADS, &u);
            a->threads = (unsigned)u;
        } else if (!strcmp(flag, "--on-error")) {
            if (!strcmp(val, "fail"))
                a->skip_errors = 0;
            else if (!strcmp(val, "skip"))
                a->skip_errors = 1;
            else
                rc = cli_bad_value("hash", flag, val, "fail or skip");
        } else if (!strcmp(flag, "-o") || !strcmp(flag, "--output")) {
            a->output = val;
        } else {
            cli_msg("unknown option %s (see chaff hash --help)", flag);
            return EXIT_USAGE;
        }
        if (rc)
            return rc;
    }
    if (in->n == 0) {
        cli_msg("no input given (see chaff hash --help)");
        return EXIT_USAGE;
    }
    return -1;
}

int cli_hash(int argc, char **argv)
{
    hargs a;
    memset(&a, 0, sizeof a);
    list args_in = { 0 }, files = { 0 };
    int rc = parse_args(argc, argv, &a, &args_in);
    if (rc >= 0) {
        free(args_in.p);
        return rc;
    }
    rc = 0;
    /* Files as given; a directory's files in sorted order at its place. */
    for (size_t i = 0; !rc && i < args_in.n; i++) {
        struct stat st;
        if (stat(args_in.p[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = walk(&files, args_in.p[i]);
        } else {
            char *p = strdup(args_in.p[i]);
            if (!p || push(&files, p)) {
                free(p);
                rc = EXIT_NOMEM;
            }
        }
    }
    free(args_in.p);
    job j;
    memset(&j, 0, sizeof j);
    j.a = &a;
    j.nitems = files.n;
    j.items = calloc(files.n ? files.n : 1, sizeof *j.items);
    if (!rc && !j.items)
        rc = EXIT_NOMEM;
    for (size_t i = 0; !rc && i < files.n; i++)
        j.items[i].path = files.p[i];
    cli_output_install_signal_cleanup();
    cli_output *o = NULL;
    if (!rc) {
        int err = 0;
        o = cli_output_open(a.output, &err);
        if (!o) {
            cli_msg("%s: cannot create: %s", a.output, strerror(err));
            rc = EXIT_IO;
        }
    }
    pthread_t th[MAX_THREADS];
    unsigned started = 0;
    if (!rc) {
        pthread_mutex_init(&j.mu, NULL);
        pthread_cond_init(&j.cv, NULL);
        unsigned nt = a.threads < files.n ? a.threads : (unsigned)(files.n ? files.n : 1);
        for (; started < nt; started++)
            if (pthread_create(&th[started], NULL, worker, &j))
                break;
        if (!started)
            rc = EXIT_NOMEM;
    }
    int progress = !a.quiet && isatty(STDERR_FILENO);
    uint64_t frames = 0, failed = 0;
    double t0 = cli_now();
    for (size_t i = 0; !rc && i < files.n; i++) {
        item *it = &j.items[i];
        pthread_mutex_lock(&j.mu);
        while (!it->done)
            pthread_cond_wait(&j.cv, &j.mu);
        pthread_mutex_unlock(&j.mu);
        if (it->done < 0) {
            rc = -it->done;
        } else if (it->err[0]) {
            cli_msg("%s: %s", it->path, it->err);
            failed++;
            if (!a.skip_errors)
                rc = EXIT_DATA;
        } else if (write_item(o, &a, it)) {
            cli_msg("%s: write failed: %s", a.output, strerror(errno ? errno : EIO));
            rc = EXIT_IO;
        }
        frames += it->n;
        free(it->frames);
        free(it->mirror);
        free(it->crops);
        it->frames = it->mirror = it->crops = NULL;
        if (progress) {
            double dt = cli_now() - t0;
            fprintf(stderr, "\rchaff: hash %zu/%zu files  %llu frames  %.0f frames/s   ", i + 1,
                    files.n, (unsigned long long)frames, dt > 0 ? (double)frames / dt : 0.0);
        }
    }
    if (started) {
        pthread_mutex_lock(&j.mu);
        j.stop = 1; /* after a failure, workers take no more files */
        pthread_mutex_unlock(&j.mu);
        for (unsigned t = 0; t < started; t++)
            pthread_join(th[t], NULL);
        pthread_mutex_destroy(&j.mu);
        pthread_cond_destroy(&j.cv);
    }
    if (progress)
        fputs("\r\033[K", stderr);
    if (o && !rc && cli_output_finish(o))
        rc = EXIT_IO;
    if (o && !rc && cli_output_publish(o)) /* frees o, also on failure */
        rc = EXIT_IO;
    else if (o && rc)
        cli_output_abort(o);
    if (!rc && !a.quiet && failed)
        cli_msg("%llu of %zu files could not be decoded and were skipped",
                (unsigned long long)failed, files.n);
    for (size_t i = 0; i < files.n; i++) {
        free(j.items ? j.items[i].frames : NULL);
        free(j.items ? j.items[i].mirror : NULL);
        free(j.items ? j.items[i].crops : NULL);
        free(files.p[i]);
    }
    free(j.items);
    free(files.p);
    return rc;
}
