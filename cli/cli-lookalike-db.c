/*
 * `renkei lookalike --db FILE --store [FILES...]` and `renkei lookalike --db FILE --watch FEED`:
 * the lookalike engine's results stored in Renkei for review (docs/lookalike.md, "In Renkei").
 * Both read candidate domains or URLs, one a line, and hand them in batches to
 * rk_lookalike_store_batch(), acting as the installation; the service checks them and stores
 * the matches. A line is printed for each host not seen before.
 *
 * --watch is the daily watch of a feed file that another program appends to. It follows the
 * file like `tail -F`: it waits for the file to appear, reads what is appended, starts again at
 * the top when the file is truncated, and after a rotation (the path names a new file) finishes
 * the old file before opening the new one. How far it got — the file's device and inode and the
 * byte offset just past the last whole line done — is written in the same transaction as the
 * matches of those lines, so a crash or `kill -9` at any moment neither loses nor repeats a
 * match: the restart resumes at the saved offset when the path still names the same file (and
 * it is not shorter), else at the top of the new file.
 *
 * SIGINT and SIGTERM are blocked before the store starts its threads and waited for with
 * sigtimedwait() between polls, so a stop is handled between two batches without a global flag.
 */
#include "cli-lookalike-db.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "renkei/alloc.h"
#include "renkei/lookalike.h"
#include "renkei/parse.h"
#include "renkei/service.h"

/* Lines handed to the service per transaction: large enough that a backlog of a million lines
 * is not a million commits, small enough that a stop or a crash loses little work. */
#define BATCH_LINES 1000
/* Bytes read at a time, and the longest line kept (a longer one cannot be a name or a useful
 * URL; it is skipped and counted). */
#define READ_CHUNK (256u * 1024u)
#define MAX_LINE   (16u * 1024u)

struct dbopts {
    const char *db;
    const char *watch; /* the feed path, or NULL for --store */
    const char *source;
    int min_score;
    int json;
    int quiet;
    int interval_ms;
};

struct tally {
    unsigned long long lines, checked, skipped, matches, fresh, overlong;
    int tty;
};

static void db_usage(FILE *f)
{
    fprintf(f,
            "usage: renkei lookalike --db FILE --store [--min-score N] [--source NAME] [--json]\n"
            "                        [--quiet] [FILE...]\n"
            "       renkei lookalike --db FILE --watch FEED [--min-score N] [--interval MS]\n"
            "                        [--json] [--quiet]\n"
            "\n"
            "Checks domain names or URLs, one per line, and stores the lookalike matches in the\n"
            "Renkei database FILE for review on the フィッシング監視 page. A host seen again\n"
            "updates its match (last seen, times seen). The domain (and URL) of each match\n"
            "become observables. One line is printed per host not seen before.\n"
            "\n"
            "  --store          read each FILE (or stdin) once\n"
            "  --watch FEED     follow FEED as it grows, like tail -F: survives truncation and\n"
            "                   rotation, and resumes after a restart where it stopped (the\n"
            "                   offset is saved with the matches, so nothing is lost or repeated)\n"
            "  --min-score N    store matches scoring N or more (0-100, default %d)\n"
            "  --source NAME    the source shown with each match (default: the file name)\n"
            "  --interval MS    how often --watch looks for new lines (default 500)\n"
            "  --json           print each new match as JSON\n"
            "  --quiet          no progress line\n"
            "\n"
            "Exit status: 0 done (or stopped by SIGINT/SIGTERM), 1 store or I/O failure,\n"
            "2 usage error.\n",
            RK_LOOKALIKE_DEFAULT_MIN_SCORE);
}

static void print_match(const struct dbopts *o, json_t *m)
{
    if (o->json) {
        json_dumpf(m, stdout, JSON_COMPACT);
        putchar('\n');
        return;
    }
    json_t *b = json_object_get(m, "brand");
    printf("%3d  %-16s %s", (int)json_integer_value(json_object_get(m, "score")),
           json_string_value(json_object_get(b, "id")),
           json_string_value(json_object_get(m, "host")));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(m, "reasons"), i, r)
        printf("%s%s", i ? ", " : "  [", json_string_value(json_object_get(r, "kind")));
    printf("%s\n", json_array_size(json_object_get(m, "reasons")) > 0 ? "]" : "");
}

static void progress(const struct dbopts *o, const struct tally *t, const char *what)
{
    if (!t->tty || o->quiet)
        return;
    fprintf(stderr, "\r\033[K%s: %llu lines, %llu matches (%llu new), %llu skipped", what, t->lines,
            t->matches, t->fresh, t->skipped + t->overlong);
}

/* Stores one batch of whole lines; prints the new matches. Returns 0 or 1 (failure). */
static int store(struct rk_store *s, const struct rk_actor *sys, const struct dbopts *o,
                 struct rk_lookalike_batch *b, struct tally *t)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_lookalike_store_batch(s, sys, b, &out, &err);
    if (rc != RK_OK) {
        if (t->tty)
            fputs("\r\033[K", stderr);
        fprintf(stderr, "renkei lookalike: %s%s%s\n",
                err.message[0] ? err.message : rk_strerror(rc), err.field[0] ? " — field " : "",
                err.field);
        return 1;
    }
    t->checked += (unsigned long long)json_integer_value(json_object_get(out, "checked"));
    t->skipped += (unsigned long long)json_integer_value(json_object_get(out, "skipped"));
    t->matches += (unsigned long long)json_integer_value(json_object_get(out, "stored"));
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(out, "matches"), i, m)
    {
        t->fresh++;
        if (t->tty)
            fputs("\r\033[K", stderr);
        print_match(o, m);
    }
    fflush(stdout);
    json_decref(out);
    return 0;
}

/* ===== Reading whole lines ===== */

struct reader {
    int fd;
    uint64_t dev, ino;
    uint64_t off; /* file offset of buf[0] */
    char *buf;
    size_t len;
    int discard; /* inside an over-long line: drop bytes up to the next newline */
};

/* Reads what is available after the buffered bytes. Returns bytes read, 0 at EOF, -1 on error. */
static ssize_t fill(struct reader *r, struct tally *t)
{
    if (r->len == MAX_LINE + READ_CHUNK) {
        /* The buffer holds no newline at all (the caller consumed every whole line): the line
         * is over-long. Drop it, counting its bytes as done. */
        r->off += r->len;
        r->len = 0;
        r->discard = 1;
        t->overlong++;
    }
    ssize_t n;
    do
        n = read(r->fd, r->buf + r->len, MAX_LINE + READ_CHUNK - r->len);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return n;
    r->len += (size_t)n;
    if (r->discard) {
        char *nl = memchr(r->buf, '\n', r->len);
        size_t drop = nl != NULL ? (size_t)(nl - r->buf) + 1 : r->len;
        memmove(r->buf, r->buf + drop, r->len - drop);
        r->len -= drop;
        r->off += drop;
        r->discard = nl == NULL;
    }
    return n;
}

/* Stores the whole lines in the buffer (all of it with `final`, for the last line of a file
 * without a newline), BATCH_LINES at a time. Returns 0 or 1. */
static int drain(struct rk_store *s, const struct rk_actor *sys, const struct dbopts *o,
                 const char *source, struct reader *r, int final, struct tally *t)
{
    while (r->len > 0) {
        size_t end = 0, lines = 0;
        for (size_t i = 0; i < r->len && lines < BATCH_LINES; i++) {
            if (r->buf[i] == '\n') {
                end = i + 1;
                lines++;
            }
        }
        if (lines < BATCH_LINES && final && end < r->len) {
            end = r->len;
            lines++;
        }
        if (end == 0)
            return 0;
        struct rk_lookalike_batch b = {0};
        b.source = source;
        b.text = r->buf;
        b.len = end;
        b.min_score = o->min_score;
        b.only_new = 1;
        if (o->watch != NULL) {
            b.feed = o->watch;
            b.pos.dev = r->dev;
            b.pos.ino = r->ino;
            b.pos.offset = r->off + end;
            b.pos.lines = t->lines + lines;
        }
        if (store(s, sys, o, &b, t) != 0)
            return 1;
        t->lines += lines;
        memmove(r->buf, r->buf + end, r->len - end);
        r->len -= end;
        r->off += end;
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b != NULL ? b + 1 : path;
}

/* --store: each file (or stdin) once. */
static int run_store(struct rk_store *s, const struct rk_actor *sys, const struct dbopts *o,
                     char **files, int nfiles, struct tally *t)
{
    struct reader r = {0};
    r.buf = rk_malloc(MAX_LINE + READ_CHUNK);
    if (r.buf == NULL)
        return 1;
    int status = 0;
    for (int k = 0; k < (nfiles > 0 ? nfiles : 1) && status == 0; k++) {
        const char *path = nfiles > 0 ? files[k] : "-";
        int is_stdin = strcmp(path, "-") == 0;
        r.fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
        if (r.fd < 0) {
            fprintf(stderr, "renkei lookalike: %s: %s\n", path, strerror(errno));
            status = 1;
            break;
        }
        r.len = 0;
        r.off = 0;
        r.discard = 0;
        const char *source = o->source != NULL ? o->source : is_stdin ? "stdin" : base_name(path);
        ssize_t n;
        while (status == 0 && (n = fill(&r, t)) > 0) {
            status = drain(s, sys, o, source, &r, 0, t);
            progress(o, t, "renkei lookalike");
        }
        if (status == 0 && n < 0) {
            fprintf(stderr, "renkei lookalike: %s: %s\n", path, strerror(errno));
            status = 1;
        }
        if (status == 0)
            status = drain(s, sys, o, source, &r, 1, t);
        if (!is_stdin)
            close(r.fd);
    }
    rk_free(r.buf);
    return status;
}

/* ===== --watch ===== */

/* Waits up to `ms` for SIGINT or SIGTERM (blocked in this thread). Returns 1 when one came. */
static int stop_requested(int ms)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    return sigtimedwait(&set, NULL, &ts) > 0;
}

/* Opens the feed at `start` (0, or the saved offset when it still applies). */
static int open_feed(const char *path, struct reader *r, const struct rk_lookalike_feed_pos *saved,
                     int have_saved)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return -1;
    }
    r->fd = fd;
    r->dev = (uint64_t)st.st_dev;
    r->ino = (uint64_t)st.st_ino;
    r->off = 0;
    r->len = 0;
    r->discard = 0;
    if (have_saved && saved->dev == r->dev && saved->ino == r->ino &&
        saved->offset <= (uint64_t)st.st_size)
        r->off = saved->offset;
    if (r->off > 0 && lseek(fd, (off_t)r->off, SEEK_SET) < 0) {
        close(fd);
        return -1;
    }
    return 0;
}

static int run_watch(struct rk_store *s, const struct rk_actor *sys, const struct dbopts *o,
                     struct tally *t)
{
    struct rk_error err = {0};
    struct rk_lookalike_feed_pos saved;
    int have = 0;
    if (rk_lookalike_feed_get(s, sys, o->watch, &saved, &have, &err) != RK_OK) {
        fprintf(stderr, "renkei lookalike: %s\n", err.message);
        return 1;
    }
    t->lines = have ? saved.lines : 0;
    struct reader r = {0};
    r.fd = -1;
    r.buf = rk_malloc(MAX_LINE + READ_CHUNK);
    if (r.buf == NULL)
        return 1;
    const char *source = o->source != NULL ? o->source : base_name(o->watch);
    int status = 0, waiting_said = 0;
    for (;;) {
        if (r.fd < 0) {
            if (open_feed(o->watch, &r, &saved, have) != 0) {
                if (errno != ENOENT) {
                    fprintf(stderr, "renkei lookalike: %s: %s\n", o->watch, strerror(errno));
                    status = 1;
                    break;
                }
                if (!waiting_said && !o->quiet)
                    fprintf(stderr, "renkei lookalike: waiting for %s to appear\n", o->watch);
                waiting_said = 1;
                if (stop_requested(o->interval_ms))
                    break;
                continue;
            }
            waiting_said = 0;
            if (!o->quiet)
                fprintf(stderr, "renkei lookalike: watching %s from byte %llu\n", o->watch,
                        (unsigned long long)r.off);
        }
        ssize_t n;
        while (status == 0 && (n = fill(&r, t)) > 0)
            status = drain(s, sys, o, source, &r, 0, t);
        if (status != 0)
            break;
        progress(o, t, o->watch);
        /* At the end of what is there: has the file been truncated or replaced? */
        struct stat now, cur;
        int named = stat(o->watch, &now) == 0;
        if (fstat(r.fd, &cur) == 0 && (uint64_t)cur.st_size < r.off + r.len) {
            if (!o->quiet)
                fprintf(stderr, "\nrenkei lookalike: %s was truncated; reading from the top\n",
                        o->watch);
            lseek(r.fd, 0, SEEK_SET);
            r.off = 0;
            r.len = 0;
            r.discard = 0;
            continue;
        }
        if (!named || (uint64_t)now.st_ino != r.ino || (uint64_t)now.st_dev != r.dev) {
            /* Rotated: what the writer added to the old file before the move is read first,
             * and its last line counts even without a newline. */
            while (status == 0 && (n = fill(&r, t)) > 0)
                status = drain(s, sys, o, source, &r, 0, t);
            if (status == 0)
                status = drain(s, sys, o, source, &r, 1, t);
            close(r.fd);
            r.fd = -1;
            have = 0;
            if (status != 0)
                break;
            if (!o->quiet)
                fprintf(stderr, "\nrenkei lookalike: %s was rotated; following the new file\n",
                        o->watch);
            continue;
        }
        if (stop_requested(o->interval_ms))
            break;
    }
    if (r.fd >= 0)
        close(r.fd);
    rk_free(r.buf);
    return status;
}

int rk_cli_lookalike_db(int argc, char **argv)
{
    struct dbopts o = {0};
    o.interval_ms = 500;
    int store_mode = 0, i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint64_t v;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            db_usage(stdout);
            return RK_EXIT_OK;
        } else if (strcmp(a, "--db") == 0 && i + 1 < argc) {
            o.db = argv[++i];
        } else if (strcmp(a, "--store") == 0) {
            store_mode = 1;
        } else if (strcmp(a, "--watch") == 0 && i + 1 < argc) {
            o.watch = argv[++i];
        } else if (strcmp(a, "--source") == 0 && i + 1 < argc) {
            o.source = argv[++i];
        } else if (strcmp(a, "--json") == 0) {
            o.json = 1;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o.quiet = 1;
        } else if (strcmp(a, "--min-score") == 0 && i + 1 < argc) {
            if (rk_parse_u64(argv[i + 1], strlen(argv[i + 1]), 100, &v) != RK_OK || v == 0) {
                fprintf(stderr, "renkei lookalike: --min-score takes 1-100\n");
                return RK_EXIT_USAGE;
            }
            o.min_score = (int)v;
            i++;
        } else if (strcmp(a, "--interval") == 0 && i + 1 < argc) {
            if (rk_parse_u64(argv[i + 1], strlen(argv[i + 1]), 60000, &v) != RK_OK || v < 10) {
                fprintf(stderr, "renkei lookalike: --interval takes 10-60000 (ms)\n");
                return RK_EXIT_USAGE;
            }
            o.interval_ms = (int)v;
            i++;
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "renkei lookalike: unknown option '%s' with --db (see --db --help)\n",
                    a);
            return RK_EXIT_USAGE;
        } else {
            break;
        }
    }
    int nfiles = argc - i;
    if (o.db == NULL || store_mode == (o.watch != NULL)) {
        fprintf(stderr, "renkei lookalike: --db FILE needs exactly one of --store or --watch\n");
        return RK_EXIT_USAGE;
    }
    if (o.watch != NULL && nfiles > 0) {
        fprintf(stderr, "renkei lookalike: --watch takes one feed and no other files\n");
        return RK_EXIT_USAGE;
    }
    /* Block the stop signals before the store starts any thread, so that every thread inherits
     * the mask and the signal waits for sigtimedwait() (--watch). --store stops at once. */
    if (o.watch != NULL) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
    }
    struct rk_store *s = NULL;
    struct rk_error err = {0};
    if (rk_store_open(o.db, &s, &err) != RK_OK) {
        fprintf(stderr, "renkei lookalike: %s: %s\n", o.db, err.message);
        return RK_EXIT_FAIL;
    }
    struct rk_actor sys;
    rk_actor_system(&sys);
    struct tally t = {0};
    t.tty = isatty(STDERR_FILENO);
    int status =
        o.watch != NULL ? run_watch(s, &sys, &o, &t) : run_store(s, &sys, &o, argv + i, nfiles, &t);
    if (t.tty && !o.quiet)
        fputs("\r\033[K", stderr);
    if (!o.quiet)
        fprintf(stderr,
                "renkei lookalike: %llu lines, %llu matches stored (%llu new hosts), %llu "
                "skipped\n",
                t.lines, t.matches, t.fresh, t.skipped + t.overlong);
    rk_store_close(s);
    return status == 0 ? RK_EXIT_OK : RK_EXIT_FAIL;
}
