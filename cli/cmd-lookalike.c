/*
 * `renkei lookalike`: reads domain names or URLs, one per line, from files or stdin (the shape of
 * a certificate-transparency or new-registration feed) and prints the lookalikes of the brands
 * in the brand list, one line per match (JSON with --json). See docs/lookalike.md.
 *
 * Speed: input is read in large chunks and cut into lines; each chunk is split between the
 * worker threads (one per core, the calling thread included), each with its own scanner and
 * output buffer, and the outputs are written in input order. Reading is not overlapped with
 * matching; matching dominates (docs/performance.md, "Lookalike").
 *
 * With --follow the last file is watched as it grows (like `tail -f`), for a daily feed that
 * is appended to; the command then runs until interrupted.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli-lookalike-db.h"
#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/cpu.h"
#include "renkei/limits.h"
#include "renkei/lookalike.h"
#include "renkei/parse.h"

#define CHUNK        (4u * 1024u * 1024u)
#define MAX_THREADS  16
#define MAX_EXAMPLES 5
#define BATCH        16384
#define OUT_CAP      (1024u * 1024u * 1024u)

struct opts {
    const char *brands;
    int json;
    int min_score;
    int threads;
    int follow;
    int quiet;
};

struct line {
    const char *p;
    size_t n;
    unsigned long long no; /* line number in its file */
};

struct worker {
    const struct rk_lookalike *lk;
    struct rk_lookalike_scanner *sc;
    const struct opts *o;
    const char *fname;
    const struct line *lines;
    size_t nlines;
    struct rk_buf out;
    struct rk_buf warn;
    unsigned long long matches;
    unsigned long long skipped[RK_LOOKALIKE_SKIP_COUNT];
    unsigned long long nwarn;
    enum rk_status err;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: renkei lookalike [--brands DIR] [--json] [--min-score N] [--threads N]\n"
            "                        [--follow] [--quiet] [FILE...]\n"
            "\n"
            "Reads domain names or URLs, one per line, from each FILE (or stdin, or '-') and\n"
            "prints those that imitate a brand of the brand list: typosquats (Damerau-Levenshtein\n"
            "1-2), IDN homographs (UTS #39 skeleton), 0/o 1/l rn/m homoglyphs, combosquats\n"
            "(brand + login/secure/fuzai/...), TLD swaps and brand domains used as subdomains.\n"
            "Legitimate brand domains never match.\n"
            "\n"
            "  --brands DIR     brand lists (*.brands); default %s\n"
            "  --json           one JSON object per match: input, host, registrable, brand,\n"
            "                   brand_ja, brand_en, sector, score, reasons\n"
            "  --min-score N    report matches scoring N or more (0-100, default %d)\n"
            "  --threads N      worker threads (default: number of cores, at most %d)\n"
            "  --follow         keep reading the last FILE as it grows (like tail -f)\n"
            "  --quiet          no progress line and no per-line warnings\n"
            "  --db FILE        store the matches in a Renkei database for review, with\n"
            "                   --store [FILE...] or --watch FEED (see --db FILE --help)\n"
            "\n"
            "Skipped lines (empty, too long, invalid punycode, IP literals, junk) are counted\n"
            "and reported on stderr. A progress line is shown when stderr is a terminal.\n"
            "\n"
            "Exit status: 0 no match, 1 at least one match, 2 error (usage, brand list, I/O).\n"
            "\n"
            "Example:\n"
            "  printf 'rakuten-card-login.top\\nwww.rakuten.co.jp\\n' | renkei lookalike --json\n",
            RK_LOOKALIKE_BRANDS_DIR, RK_LOOKALIKE_DEFAULT_MIN_SCORE, MAX_THREADS);
}

static int parse_int(const char *s, uint64_t max, int *out)
{
    uint64_t v;
    if (rk_parse_u64(s, strlen(s), max, &v) != RK_OK)
        return 0;
    *out = (int)v;
    return 1;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    for (size_t i = 0; i < w->nlines; i++) {
        const struct line *l = &w->lines[i];
        struct rk_lookalike_match m;
        enum rk_status rc = rk_lookalike_check(w->sc, l->p, l->n, &m);
        if (rc == RK_ENOMEM) {
            w->err = rc;
            return NULL;
        }
        if (rc != RK_OK) {
            enum rk_lookalike_skip k = rk_lookalike_skip_of(rc);
            w->skipped[k]++;
            if (k != RK_LOOKALIKE_SKIP_EMPTY && w->nwarn++ < MAX_EXAMPLES && !w->o->quiet)
                rk_buf_addf(&w->warn, "renkei lookalike: %s:%llu: skipped: %s\n", w->fname, l->no,
                            rk_lookalike_skip_name(k));
            continue;
        }
        if (m.brand < 0 || m.score < w->o->min_score)
            continue;
        w->matches++;
        enum rk_status wr;
        if (w->o->json) {
            wr = rk_lookalike_match_json(w->lk, l->p, l->n, &m, &w->out);
        } else {
            struct rk_lookalike_brand_info bi;
            rk_lookalike_brand(w->lk, (size_t)m.brand, &bi);
            wr = rk_buf_addf(&w->out, "%3d  %-16s %s", m.score, bi.id, m.host);
            for (size_t r = 0; wr == RK_OK && r < m.n_reasons; r++)
                wr = rk_buf_addf(&w->out, "%s%s", r ? ", " : "  [",
                                 rk_lookalike_reason_name(m.reasons[r].kind));
            if (wr == RK_OK && m.n_reasons > 0)
                wr = rk_buf_adds(&w->out, "]");
        }
        if (wr == RK_OK)
            wr = rk_buf_addc(&w->out, '\n');
        if (wr != RK_OK) {
            w->err = wr;
            return NULL;
        }
    }
    return NULL;
}

struct run {
    const struct opts *o;
    const struct rk_lookalike *lk;
    struct worker w[MAX_THREADS];
    int nthreads;
    struct line *lines;
    size_t caplines;
    unsigned long long total, matches, skipped[RK_LOOKALIKE_SKIP_COUNT], nwarn;
    int tty;
    struct timespec t0;
};

static double elapsed(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Matches one batch of lines with all workers; writes the outputs in order. */
static enum rk_status run_batch(struct run *r, const char *fname, size_t n)
{
    size_t per = (n + (size_t)r->nthreads - 1) / (size_t)r->nthreads;
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (int t = 0; t < r->nthreads; t++) {
        struct worker *w = &r->w[t];
        size_t b = (size_t)t * per;
        w->lines = r->lines + (b < n ? b : n);
        w->nlines = b < n ? (n - b < per ? n - b : per) : 0;
        w->fname = fname;
        rk_buf_reset(&w->out);
        rk_buf_reset(&w->warn);
        if (t > 0 && w->nlines > 0)
            started[t] = pthread_create(&tid[t], NULL, work, w) == 0;
    }
    work(&r->w[0]);
    for (int t = 1; t < r->nthreads; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else if (r->w[t].nlines > 0)
            work(&r->w[t]); /* thread creation failed: do it here */
    }
    for (int t = 0; t < r->nthreads; t++) {
        struct worker *w = &r->w[t];
        if (w->err != RK_OK)
            return w->err;
        if (w->out.len > 0)
            fwrite(w->out.data, 1, w->out.len, stdout);
        if (w->warn.len > 0) {
            if (r->tty)
                fputs("\r\033[K", stderr);
            fwrite(w->warn.data, 1, w->warn.len, stderr);
        }
    }
    fflush(stdout);
    r->total += n;
    if (r->tty && !r->o->quiet) {
        unsigned long long sk = 0, m = 0;
        for (int t = 0; t < r->nthreads; t++) {
            m += r->w[t].matches;
            for (int k = RK_LOOKALIKE_SKIP_EMPTY + 1; k < RK_LOOKALIKE_SKIP_COUNT; k++)
                sk += r->w[t].skipped[k];
        }
        double s = elapsed(&r->t0);
        fprintf(stderr, "\r\033[K%llu names, %llu matches, %llu skipped, %.0f names/s", r->total, m,
                sk, s > 0 ? (double)r->total / s : 0.0);
    }
    return RK_OK;
}

/* The read of the next chunk, done by a thread while the workers match the current one. */
struct reader {
    FILE *f;
    char *dst;
    size_t cap;
    size_t got;
};

static void *read_chunk(void *arg)
{
    struct reader *rd = arg;
    rd->got = fread(rd->dst, 1, rd->cap, rd->f);
    return NULL;
}

/* Reads one stream in chunks and matches it. Returns 0 ok, 2 on an I/O or memory error.
 * Two buffers: while the workers match the lines of one, a reader thread fills the other
 * (except with --follow, which reads in the calling thread between its waits). */
static int run_stream(struct run *r, FILE *f, const char *fname, int follow)
{
    char *buf = rk_malloc(CHUNK + 1);
    char *nbuf = rk_malloc(CHUNK + 1);
    if (buf == NULL || nbuf == NULL) {
        rk_free(buf);
        rk_free(nbuf);
        return 2;
    }
    size_t have = 0;
    unsigned long long lineno = 0;
    int discard = 0; /* inside an over-long line: drop bytes up to the next newline */
    int rc = 0;
    struct reader rd = {f, NULL, 0, 0};
    pthread_t rtid;
    int reading = 0; /* a reader thread is filling buf (joined before use) */
    int pending = 0; /* rd.got bytes have been read into buf after `have` */
    for (;;) {
        size_t got;
        if (reading) {
            pthread_join(rtid, NULL);
            reading = 0;
        }
        if (pending) {
            got = rd.got;
            pending = 0;
        } else {
            got = fread(buf + have, 1, CHUNK - have, f);
        }
        have += got;
        int eof = got == 0 && (feof(f) || ferror(f));
        if (ferror(f)) {
            fprintf(stderr, "renkei lookalike: %s: read error: %s\n", fname, strerror(errno));
            rc = 2;
            break;
        }
        if (eof && follow) {
            /* tail -f: wait for the writer; a partial last line stays buffered. */
            clearerr(f);
            sleep(1);
            if (have < CHUNK)
                continue;
        }
        /* Cut complete lines (all of them at end of file). */
        size_t n = 0, start = 0;
        for (size_t i = 0; i < have; i++) {
            if (buf[i] != '\n')
                continue;
            lineno++;
            if (discard) {
                discard = 0;
            } else {
                if (n == r->caplines) {
                    size_t nc = r->caplines ? r->caplines * 2 : 65536;
                    struct line *p = rk_reallocarray(r->lines, nc, sizeof *p);
                    if (p == NULL) {
                        rc = 2;
                        goto out;
                    }
                    r->lines = p;
                    r->caplines = nc;
                }
                r->lines[n].p = buf + start;
                r->lines[n].n = i - start;
                r->lines[n].no = lineno;
                n++;
            }
            start = i + 1;
        }
        if (eof && !follow && start < have && !discard) {
            lineno++;
            if (n == r->caplines) {
                size_t nc = r->caplines ? r->caplines * 2 : 65536;
                struct line *p = rk_reallocarray(r->lines, nc, sizeof *p);
                if (p == NULL) {
                    rc = 2;
                    goto out;
                }
                r->lines = p;
                r->caplines = nc;
            }
            r->lines[n].p = buf + start;
            r->lines[n].n = have - start;
            r->lines[n].no = lineno;
            n++;
            start = have;
        }
        /* Keep the unfinished line for the next chunk; one that fills the whole buffer, or is
         * longer than any line we check, is counted now and dropped up to its newline. */
        size_t rest = have - start;
        if (start == 0 && rest == CHUNK) {
            r->w[0].skipped[RK_LOOKALIKE_SKIP_TOO_LONG]++;
            discard = 1;
            rest = 0;
        } else if (rest > RK_MAX_LOOKALIKE_LINE && !discard) {
            r->w[0].skipped[RK_LOOKALIKE_SKIP_TOO_LONG]++;
            discard = 1;
            rest = 0;
        } else if (discard) {
            rest = 0;
        }
        memcpy(nbuf, buf + start, rest);
        int last = eof && !follow;
        if (!last && !follow) {
            rd.dst = nbuf + rest;
            rd.cap = CHUNK - rest;
            reading = pthread_create(&rtid, NULL, read_chunk, &rd) == 0;
            if (!reading)
                read_chunk(&rd); /* no thread: read here, before matching */
            pending = 1;
        }
        /* Batches of at most BATCH lines keep each worker's output buffer bounded: a match's
         * JSON is at most ~50 KiB (an 8 KiB line, escaped), so 8,192 lines a worker stay well
         * under the buffer cap even if every line matches. */
        for (size_t b = 0; b < n; b += BATCH) {
            struct line *all = r->lines;
            r->lines = all + b;
            enum rk_status brc = run_batch(r, fname, n - b < BATCH ? n - b : BATCH);
            r->lines = all;
            if (brc != RK_OK) {
                fprintf(stderr, "renkei lookalike: %s\n",
                        brc == RK_ETOOBIG ? "output too large" : "out of memory");
                rc = 2;
                goto out;
            }
        }
        char *t = buf;
        buf = nbuf;
        nbuf = t;
        have = rest;
        if (last)
            break;
    }
out:
    if (reading)
        pthread_join(rtid, NULL);
    rk_free(buf);
    rk_free(nbuf);
    return rc;
}

static int run_lookalike(int argc, char **argv)
{
    /* With --db the matches go into the store (cli/cli-lookalike-db.c). */
    for (int k = 1; k < argc && strcmp(argv[k], "--") != 0; k++)
        if (strcmp(argv[k], "--db") == 0)
            return rk_cli_lookalike_db(argc, argv);
    struct opts o = {RK_LOOKALIKE_BRANDS_DIR, 0, RK_LOOKALIKE_DEFAULT_MIN_SCORE, 0, 0, 0};
    const char *env = getenv("RENKEI_BRANDS");
    if (env != NULL && env[0] != '\0')
        o.brands = env;
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return RK_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            o.json = 1;
        } else if (strcmp(a, "--follow") == 0 || strcmp(a, "-f") == 0) {
            o.follow = 1;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o.quiet = 1;
        } else if (strcmp(a, "--brands") == 0 && i + 1 < argc) {
            o.brands = argv[++i];
        } else if (strcmp(a, "--min-score") == 0 && i + 1 < argc) {
            if (!parse_int(argv[++i], 100, &o.min_score)) {
                fprintf(stderr, "renkei lookalike: --min-score takes 0-100\n");
                return RK_EXIT_USAGE;
            }
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            if (!parse_int(argv[++i], MAX_THREADS, &o.threads) || o.threads == 0) {
                fprintf(stderr, "renkei lookalike: --threads takes 1-%d\n", MAX_THREADS);
                return RK_EXIT_USAGE;
            }
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "renkei lookalike: unknown option '%s' (see --help)\n", a);
            return RK_EXIT_USAGE;
        } else {
            break;
        }
    }
    int nfiles = argc - i;
    char **files = argv + i;
    if (o.threads == 0) {
        unsigned nc = rk_cpus_usable();
        o.threads = nc > MAX_THREADS ? MAX_THREADS : (int)nc;
    }

    int status = RK_EXIT_OK;
    struct rk_lookalike *lk = NULL;
    struct run r;
    memset(&r, 0, sizeof r);
    r.o = &o;
    enum rk_status rc = rk_lookalike_create(&lk);
    if (rc == RK_OK)
        rc = rk_lookalike_load_dir(lk, o.brands);
    if (rc == RK_OK)
        rc = rk_lookalike_compile(lk);
    if (rc != RK_OK) {
        fprintf(stderr, "renkei lookalike: %s\n",
                lk && rk_lookalike_errmsg(lk)[0] ? rk_lookalike_errmsg(lk) : rk_strerror(rc));
        status = 2;
        goto out;
    }
    r.lk = lk;
    r.nthreads = o.threads;
    for (int t = 0; t < r.nthreads; t++) {
        r.w[t].lk = lk;
        r.w[t].o = &o;
        rk_buf_init(&r.w[t].out, OUT_CAP);
        rk_buf_init(&r.w[t].warn, 0);
        if (rk_lookalike_scanner_create(lk, &r.w[t].sc) != RK_OK) {
            fprintf(stderr, "renkei lookalike: cannot create a scanner\n");
            status = 2;
            goto out;
        }
    }
    r.tty = isatty(STDERR_FILENO) && !o.quiet;
    clock_gettime(CLOCK_MONOTONIC, &r.t0);
    if (nfiles == 0) {
        if (run_stream(&r, stdin, "(stdin)", 0) != 0)
            status = 2;
    }
    for (int k = 0; k < nfiles; k++) {
        int is_stdin = strcmp(files[k], "-") == 0;
        FILE *f = is_stdin ? stdin : fopen(files[k], "rb");
        if (f == NULL) {
            fprintf(stderr, "renkei lookalike: %s: %s\n", files[k], strerror(errno));
            status = 2;
            continue;
        }
        if (run_stream(&r, f, is_stdin ? "(stdin)" : files[k], o.follow && k == nfiles - 1) != 0)
            status = 2;
        if (!is_stdin)
            fclose(f);
    }
    unsigned long long sk = 0;
    for (int t = 0; t < r.nthreads; t++) {
        r.matches += r.w[t].matches;
        for (int k = 1; k < RK_LOOKALIKE_SKIP_COUNT; k++) {
            r.skipped[k] += r.w[t].skipped[k];
            if (k != RK_LOOKALIKE_SKIP_EMPTY)
                sk += r.w[t].skipped[k];
        }
    }
    if (r.tty)
        fputs("\r\033[K", stderr);
    if (sk > 0) {
        fprintf(stderr, "renkei lookalike: warning: %llu line%s skipped:", sk, sk == 1 ? "" : "s");
        for (int k = 2; k < RK_LOOKALIKE_SKIP_COUNT; k++)
            if (r.skipped[k] > 0)
                fprintf(stderr, " %llu %s;", r.skipped[k],
                        rk_lookalike_skip_name((enum rk_lookalike_skip)k));
        fputc('\n', stderr);
    }
    if (!o.quiet && r.tty)
        fprintf(stderr, "renkei lookalike: %llu names, %llu matches in %.2f s\n", r.total,
                r.matches, elapsed(&r.t0));
    if (status == RK_EXIT_OK && r.matches > 0)
        status = RK_EXIT_FOUND;
out:
    for (int t = 0; t < MAX_THREADS; t++) {
        rk_lookalike_scanner_destroy(r.w[t].sc);
        rk_buf_free(&r.w[t].out);
        rk_buf_free(&r.w[t].warn);
    }
    rk_free(r.lines);
    rk_lookalike_destroy(lk);
    return status;
}

const struct rk_cli_cmd rk_cli_cmd_lookalike = {
    "lookalike", "find lookalike domains of Japanese brands in a domain/URL feed", run_lookalike};
