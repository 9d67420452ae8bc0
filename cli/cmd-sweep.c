/*
 * `renkei sweep`: sweep logs against indicators, and `renkei sweep compile`: build the index.
 * The engine is engines/sweep (renkei/sweep.h); this file only parses arguments, reads
 * indicator files and prints hits and the summary. docs/sweep.md is the manual.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "cli.h"
#include "renkei/alloc.h"
#include "renkei/limits.h"
#include "renkei/parse.h"
#include "renkei/service.h"
#include "renkei/sweep.h"

#define EXIT_ERR 2

static const char compile_usage[] =
    "usage: renkei sweep compile [-o FILE] [--format auto|plain|csv|stix|misp] INPUTS...\n"
    "       renkei sweep compile --db FILE [--tlp-max TLP] [--audience A] [--tag ROLE]\n"
    "                            [--max-age DAYS] [--case ID|REF] [-o FILE] [INPUTS...]\n"
    "\n"
    "Compiles indicator files into one sweep index (default output: sweep.idx).\n"
    "Inputs: plain lists (one value a line, type detected, '#' comments), CSV with a\n"
    "\"type\" and a \"value\" column, STIX 2.1 bundles (equality patterns joined by OR) and\n"
    "MISP event JSON. Values are canonicalised; entries that are not supported indicators\n"
    "are counted as skipped.\n"
    "\n"
    "With --db the store's own indicators are added: every observable of a report or case\n"
    "(never a victim asset), filtered by the highest TLP, the audience that may receive\n"
    "them (police, partners, public), the role a case gives them (--tag, e.g. phishing_site),\n"
    "the days since last seen and one case; each carries its TLP and case references, which\n"
    "`renkei sweep` prints with every hit. Runs as the installation; audited.\n"
    "Exit 0 on success, 2 on error (also when no input held a single indicator).\n";

static const char sweep_usage[] =
    "usage: renkei sweep [--index FILE | --indicators FILE...] [--json] [--count]\n"
    "                    [--threads N] [--no-verify] [--no-progress] PATHS...\n"
    "       renkei sweep --db FILE --case ID [--index FILE | --indicators FILE...]\n"
    "                    [--json] [--threads N] [--no-progress] PATHS...\n"
    "       renkei sweep compile --help\n"
    "\n"
    "Sweeps files, directories (recursively) and stdin (\"-\") against indicators: IP\n"
    "addresses, CIDR ranges, domains (and their subdomains), URLs, MD5/SHA-1/SHA-256 hashes\n"
    "and e-mail addresses. .gz .zst .bz2 .xz input is decompressed transparently.\n"
    "\n"
    "  --index FILE        a compiled index (renkei sweep compile)\n"
    "  --indicators FILE   indicator file(s) compiled in memory for this run (repeatable)\n"
    "  --json              one JSON object a hit: file, line, offset, token, indicator,\n"
    "                      type, and tlp and cases when the index came from the store\n"
    "  --count             print only the number of hits\n"
    "  --threads N         worker threads (default: one per CPU)\n"
    "  --no-verify         skip the index's whole-file checksum (header and layout are\n"
    "                      still checked): opens a large index in milliseconds\n"
    "  --no-progress       no progress line on stderr (shown only on a terminal anyway)\n"
    "  --db FILE --case ID record every hit as a sighting on the case (ID or reference\n"
    "                      number C2026-000045) as a sweep job in the database; prints\n"
    "                      the job's summary (--json: the job as JSON) instead of hits;\n"
    "                      without --index/--indicators, against the store's own\n"
    "                      indicators (never a case's victim assets)\n"
    "\n"
    "Prints one line a hit: FILE:LINE:OFFSET<TAB>TYPE<TAB>INDICATOR<TAB>TOKEN (then\n"
    "<TAB>TLP:x REFS for an index from the store), and a summary\n"
    "on stderr. Unreadable or damaged inputs are reported and skipped.\n"
    "Exit 0: no hits; 1: hits; 2: error (also when no input at all could be read).\n";

/* ===== Indicator files ===== */

static int load_feed(struct rk_sweep_builder *b, const char *path, enum rk_sweep_format fmt,
                     struct rk_sweep_load_stats *total)
{
    char err[512] = "";
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "renkei sweep: cannot read %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    void *m = NULL;
    if (st.st_size > 0) {
        m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            fprintf(stderr, "renkei sweep: cannot read %s: %s\n", path, strerror(errno));
            close(fd);
            return -1;
        }
    }
    close(fd);
    struct rk_sweep_load_stats ls;
    enum rk_status rc = rk_sweep_builder_load(b, fmt, m ? m : "", (size_t)st.st_size, &ls, err,
                                              sizeof err);
    if (m != NULL)
        munmap(m, (size_t)st.st_size);
    if (rc != RK_OK) {
        fprintf(stderr, "renkei sweep: %s: %s\n", path, err[0] ? err : rk_strerror(rc));
        return -1;
    }
    total->added += ls.added;
    total->skipped += ls.skipped;
    return 0;
}

static int parse_format(const char *s, enum rk_sweep_format *out)
{
    static const char *names[] = {"auto", "plain", "csv", "stix", "misp"};
    for (int i = 0; i < 5; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum rk_sweep_format)i;
            return 0;
        }
    }
    return -1;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ===== Indicators from the store ===== */

struct store_feed {
    struct rk_sweep_builder *b;
    uint64_t added, skipped;
    char meta[RK_MAX_SWEEP_META + 1];
};

static enum rk_sweep_type sweep_type_of(const char *t)
{
    static const struct {
        const char *name;
        enum rk_sweep_type type;
    } map[] = {{"ipv4", RK_SWEEP_IPV4},     {"ipv6", RK_SWEEP_IPV6}, {"cidr", RK_SWEEP_NONE},
               {"domain", RK_SWEEP_DOMAIN}, {"url", RK_SWEEP_URL},   {"email", RK_SWEEP_EMAIL},
               {"md5", RK_SWEEP_MD5},       {"sha1", RK_SWEEP_SHA1}, {"sha256", RK_SWEEP_SHA256}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(t, map[i].name) == 0)
            return map[i].type;
    return RK_SWEEP_TYPE_COUNT; /* not a sweep type (phone, bank account, ...) */
}

/* The metadata of an indicator from the store: "TLP<TAB>REF,REF,...". */
static enum rk_status add_store_indicator(void *ud, const struct rk_indicator *ind,
                                          struct rk_error *err)
{
    struct store_feed *sf = ud;
    (void)err;
    enum rk_sweep_type t = sweep_type_of(ind->type);
    if (t == RK_SWEEP_TYPE_COUNT) {
        sf->skipped++;
        return RK_OK;
    }
    size_t n = (size_t)snprintf(sf->meta, sizeof sf->meta, "%s\t", ind->tlp);
    for (size_t i = 0; i < ind->ncases && n < sizeof sf->meta; i++)
        n += (size_t)snprintf(sf->meta + n, sizeof sf->meta - n, "%s%s", i ? "," : "",
                              ind->case_refs[i]);
    if (n >= sizeof sf->meta) {
        sf->skipped++; /* hundreds of cases: cannot be one metadata string */
        return RK_OK;
    }
    enum rk_status rc =
        rk_sweep_builder_add_meta(sf->b, t, ind->value, strlen(ind->value), sf->meta);
    if (rc == RK_EINVAL || rc == RK_ETOOBIG) {
        sf->skipped++; /* a value the sweep canonicaliser does not take */
        return RK_OK;
    }
    if (rc == RK_OK)
        sf->added++;
    return rc;
}

struct store_opts {
    const char *db;
    struct rk_indicator_query q;
};

static int load_store(struct rk_sweep_builder *b, const struct store_opts *so,
                      struct rk_sweep_load_stats *total)
{
    static const struct {
        const char *field, *option;
    } names[] = {{"tlp_max", "--tlp-max"},
                 {"audience", "--audience"},
                 {"tag", "--tag"},
                 {"max_age_days", "--max-age"},
                 {"case_id", "--case"}};
    struct rk_store *s = NULL;
    struct rk_error err = {0};
    struct rk_actor sys;
    struct store_feed *sf = rk_calloc(1, sizeof *sf);
    if (sf == NULL)
        return -1;
    sf->b = b;
    rk_actor_system(&sys);
    enum rk_status rc = rk_store_open(so->db, &s, &err);
    if (rc == RK_OK)
        rc = rk_indicators_each(s, &sys, &so->q, add_store_indicator, sf, NULL, &err);
    rk_store_close(s);
    if (rc != RK_OK) {
        const char *opt = NULL;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strcmp(err.field, names[i].field) == 0)
                opt = names[i].option;
        if (opt != NULL)
            fprintf(stderr, "renkei sweep compile: %s: %s\n", opt, err.message);
        else
            fprintf(stderr, "renkei sweep compile: %s: %s\n", so->db, err.message);
        rk_free(sf);
        return -1;
    }
    total->added += sf->added;
    total->skipped += sf->skipped;
    rk_free(sf);
    return 0;
}

static int run_compile(int argc, char **argv)
{
    struct store_opts so = {NULL, {.purpose = "sweep-compile"}};
    const char *out = "sweep.idx";
    enum rk_sweep_format fmt = RK_SWEEP_FMT_AUTO;
    struct rk_sweep_builder *b = NULL;
    struct rk_sweep_load_stats total = {0, 0};
    int ninputs = 0, rc = EXIT_ERR;
    char err[512] = "";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(compile_usage, stdout);
            return RK_EXIT_OK;
        }
    }
    double t0 = now();
    if (rk_sweep_builder_create(&b) != RK_OK) {
        fprintf(stderr, "renkei sweep compile: out of memory\n");
        return EXIT_ERR;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (parse_format(argv[++i], &fmt) != 0) {
                fprintf(stderr, "renkei sweep compile: unknown format '%s'\n", argv[i]);
                goto out;
            }
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            so.db = argv[++i];
        } else if (strcmp(argv[i], "--tlp-max") == 0 && i + 1 < argc) {
            so.q.tlp_max = argv[++i];
        } else if (strcmp(argv[i], "--audience") == 0 && i + 1 < argc) {
            so.q.audience = argv[++i];
        } else if (strcmp(argv[i], "--tag") == 0 && i + 1 < argc) {
            so.q.tag = argv[++i];
        } else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc) {
            so.q.case_id = argv[++i];
        } else if (strcmp(argv[i], "--max-age") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            if (rk_parse_i64(v, strlen(v), 1, 36500, &so.q.max_age_days) != RK_OK) {
                fprintf(stderr,
                        "renkei sweep compile: --max-age: a number of days from 1 to "
                        "36500, not '%s'\n",
                        v);
                goto out;
            }
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "renkei sweep compile: unknown option '%s'\n\n%s", argv[i],
                    compile_usage);
            goto out;
        } else {
            if (load_feed(b, argv[i], fmt, &total) != 0)
                goto out;
            ninputs++;
        }
    }
    if (so.db == NULL &&
        (so.q.tlp_max || so.q.audience || so.q.tag || so.q.case_id || so.q.max_age_days)) {
        fprintf(stderr, "renkei sweep compile: --tlp-max, --audience, --tag, --max-age and "
                        "--case filter the store: give --db\n");
        goto out;
    }
    if (so.db != NULL) {
        if (load_store(b, &so, &total) != 0)
            goto out;
        ninputs++;
    }
    if (ninputs == 0) {
        fprintf(stderr, "%s", compile_usage);
        goto out;
    }
    if (rk_sweep_builder_count(b) == 0) {
        fprintf(stderr, "renkei sweep compile: no indicators found (%llu entries skipped); "
                        "nothing written\n",
                (unsigned long long)total.skipped);
        goto out;
    }
    if (rk_sweep_builder_write(b, out, err, sizeof err) != RK_OK) {
        fprintf(stderr, "renkei sweep compile: %s\n", err);
        goto out;
    }
    struct stat st;
    uint64_t n = rk_sweep_builder_count(b);
    double secs = now() - t0;
    if (stat(out, &st) == 0)
        fprintf(stderr,
                "compiled %llu indicators (%llu read, %llu skipped) from %d file(s) in %.2f s "
                "into %s: %lld bytes, %.1f bytes/indicator\n",
                (unsigned long long)n, (unsigned long long)total.added,
                (unsigned long long)total.skipped, ninputs, secs, out, (long long)st.st_size,
                n ? (double)st.st_size / (double)n : 0.0);
    rc = RK_EXIT_OK;
out:
    rk_sweep_builder_destroy(b);
    return rc;
}

/* ===== Output ===== */

struct out_ctx {
    int json;
    int count;
    uint64_t hits;
};

/*
 * A hit's JSON line is built in a local buffer and written with one fwrite: one stdio call
 * (and stream lock) a line instead of one a byte. The buffer is flushed early only for very
 * long fields (a file name or a metadata string), so the output bytes are the same.
 */
struct jline {
    size_t n;
    char b[8192];
};

static void jl_flush(struct jline *j)
{
    if (j->n > 0)
        fwrite(j->b, 1, j->n, stdout);
    j->n = 0;
}

static void jl_put(struct jline *j, const void *p, size_t n)
{
    if (j->n + n > sizeof j->b) {
        jl_flush(j);
        if (n > sizeof j->b) {
            fwrite(p, 1, n, stdout);
            return;
        }
    }
    memcpy(j->b + j->n, p, n);
    j->n += n;
}

static void jl_str0(struct jline *j, const char *s)
{
    jl_put(j, s, strlen(s));
}

static void jl_u64(struct jline *j, unsigned long long v)
{
    char d[24];
    size_t k = sizeof d;
    do {
        d[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    jl_put(j, d + k, sizeof d - k);
}

/* Bytes that a JSON string holds as they are: printable ASCII except '"' and '\\'. */
static int json_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* The first byte of [p, end) that is not plain (json_plain()), or end: 16 bytes a step with
 * SSE2 (a signed compare below ' ' also catches the bytes >= 0x80). */
static const unsigned char *plain_end(const unsigned char *p, const unsigned char *end)
{
#if defined(__SSE2__)
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                   _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
        bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
        unsigned m = (unsigned)_mm_movemask_epi8(bad);
        if (m != 0)
            return p + __builtin_ctz(m);
        p += 16;
    }
#endif
    while (p < end && json_plain(*p))
        p++;
    return p;
}

/* Writes a JSON string; invalid UTF-8 bytes become U+FFFD. */
static void json_str(struct jline *j, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + strlen(s);
    jl_put(j, "\"", 1);
    while (p < end) {
        const unsigned char *q = plain_end(p, end);
        if (q > p) {
            jl_put(j, p, (size_t)(q - p)); /* a run of plain bytes at once */
            p = q;
            continue;
        }
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            jl_put(j, e, 2);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            jl_put(j, e, 6);
            p++;
        } else {
            int n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
            int ok = n > 0;
            for (int k = 1; ok && k < n; k++)
                ok = (p[k] & 0xc0) == 0x80;
            if (ok) {
                jl_put(j, p, (size_t)n);
                p += n;
            } else {
                jl_put(j, "\\ufffd", 6);
                p++;
            }
        }
    }
    jl_put(j, "\"", 1);
}

/* An index compiled from the store (--db) carries "TLP<TAB>REF,REF" for each indicator. */
static void print_meta_json(struct jline *j, const char *meta)
{
    const char *tab = strchr(meta, '\t');
    char tlp[32];
    size_t n = tab ? (size_t)(tab - meta) : strlen(meta);
    snprintf(tlp, sizeof tlp, "%.*s", (int)(n < sizeof tlp ? n : sizeof tlp - 1), meta);
    jl_str0(j, ",\"tlp\":");
    json_str(j, tlp);
    jl_str0(j, ",\"cases\":[");
    const char *p = tab ? tab + 1 : "";
    int first = 1;
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char ref[64];
        snprintf(ref, sizeof ref, "%.*s", (int)(len < sizeof ref ? len : sizeof ref - 1), p);
        if (!first)
            jl_put(j, ",", 1);
        json_str(j, ref);
        first = 0;
        p += len + (comma != NULL);
    }
    jl_put(j, "]", 1);
}

static void print_meta_text(const char *meta)
{
    const char *tab = strchr(meta, '\t');
    if (tab == NULL) {
        printf("\tTLP:%s", meta);
        return;
    }
    printf("\tTLP:%.*s", (int)(tab - meta), meta);
    if (tab[1] != '\0')
        printf(" %s", tab + 1);
}

static int on_hit(const struct rk_sweep_hit *h, void *ud)
{
    struct out_ctx *o = ud;
    o->hits++;
    if (o->count)
        return 0;
    if (o->json) {
        struct jline j;
        j.n = 0;
        jl_str0(&j, "{\"file\":");
        json_str(&j, h->file);
        jl_str0(&j, ",\"line\":");
        jl_u64(&j, (unsigned long long)h->line);
        jl_str0(&j, ",\"offset\":");
        jl_u64(&j, (unsigned long long)h->offset);
        jl_str0(&j, ",\"token\":");
        json_str(&j, h->token);
        jl_str0(&j, ",\"indicator\":");
        json_str(&j, h->indicator);
        jl_str0(&j, ",\"type\":\"");
        jl_str0(&j, rk_sweep_type_name(h->type));
        jl_put(&j, "\"", 1);
        if (h->meta != NULL)
            print_meta_json(&j, h->meta);
        jl_put(&j, "}\n", 2);
        jl_flush(&j);
    } else {
        printf("%s:%llu:%llu\t%s\t%s\t%s", h->file, (unsigned long long)h->line,
               (unsigned long long)h->offset, rk_sweep_type_name(h->type), h->indicator, h->token);
        if (h->meta != NULL)
            print_meta_text(h->meta);
        putchar('\n');
    }
    return 0;
}

static void on_skip(const char *path, const char *why, void *ud)
{
    (void)ud;
    fprintf(stderr, "renkei sweep: skipped %s: %s\n", path, why);
}

static void human(double bytes, char *out, size_t n)
{
    if (bytes >= 1e9)
        snprintf(out, n, "%.2f GB", bytes / 1e9);
    else if (bytes >= 1e6)
        snprintf(out, n, "%.1f MB", bytes / 1e6);
    else
        snprintf(out, n, "%.0f bytes", bytes);
}

/* ===== Sweep as a job on a case ===== */

static void job_progress(const json_t *job, void *ud)
{
    (void)ud;
    fprintf(stderr, "\r\033[K%.0f MB  %.0f MB/s  hits %lld",
            (double)json_integer_value(json_object_get(job, "bytes_scanned")) / 1e6,
            json_real_value(json_object_get(job, "mb_per_s")),
            (long long)json_integer_value(json_object_get(job, "hits")));
    fflush(stderr);
}

static int jint(const json_t *j, const char *k)
{
    return (int)json_integer_value(json_object_get(j, k));
}

/*
 * `renkei sweep --db FILE --case ID ...`: the same sweep, recorded as a job on the case, each
 * hit a sighting. Runs as the installation (rk_actor_system), like the other store tools.
 */
static int run_case_sweep(const char *db, const char *case_id, const char *index_path,
                          const char **feeds, size_t nfeeds, const char **paths, size_t npaths,
                          unsigned threads, int progress, int json)
{
    struct rk_store *st = NULL;
    struct rk_error err = {0};
    struct rk_actor sys;
    struct rk_sweep_job_run_opts ro;
    json_t *job = NULL, *fin = NULL;
    int rc = RK_EXIT_USAGE, ran = 0, recovered = 0;
    enum rk_status s;
    rk_actor_system(&sys);
    memset(&ro, 0, sizeof ro);
    ro.threads = threads;
    if (progress && isatty(2))
        ro.on_progress = job_progress;
    s = rk_store_open(db, &st, &err);
    if (s == RK_OK)
        s = rk_sweep_jobs_recover(st, &recovered, &err);
    if (s == RK_OK && recovered > 0)
        fprintf(stderr, "renkei sweep: %d interrupted job(s) marked failed\n", recovered);
    if (s == RK_OK)
        s = rk_sweep_job_create(st, &sys, case_id, NULL, &job, &err);
    const char *id = s == RK_OK ? json_string_value(json_object_get(job, "id")) : NULL;
    if (s == RK_OK && index_path != NULL)
        s = rk_sweep_job_add_path(st, &sys, id, "index", index_path, &err);
    for (size_t i = 0; s == RK_OK && i < nfeeds; i++)
        s = rk_sweep_job_add_path(st, &sys, id, "indicators", feeds[i], &err);
    for (size_t i = 0; s == RK_OK && i < npaths; i++)
        s = rk_sweep_job_add_path(st, &sys, id, "log", paths[i], &err);
    json_t *started = NULL;
    if (s == RK_OK)
        s = rk_sweep_job_start(st, &sys, id, &started, &err);
    json_decref(started);
    if (s == RK_OK)
        s = rk_sweep_job_run(st, id, &ro, &ran, &fin, &err);
    if (ro.on_progress != NULL)
        fputs("\r\033[K", stderr);
    if (s != RK_OK) {
        fprintf(stderr, "renkei sweep: %s%s%s\n", err.message[0] ? err.message : rk_strerror(s),
                err.field[0] ? " — " : "", err.field);
        /* A job that was created but could not start is cancelled, not left uploading. */
        if (id != NULL) {
            json_t *x = NULL;
            struct rk_error e2 = {0};
            if (rk_sweep_job_cancel(st, &sys, id, &x, &e2) == RK_OK)
                json_decref(x);
        }
        goto out;
    }
    const char *status = json_string_value(json_object_get(fin, "status"));
    json_t *skipped = json_object_get(fin, "skipped");
    size_t i;
    json_t *v;
    json_array_foreach(skipped, i, v)
    {
        fprintf(stderr, "renkei sweep: skipped %s: %s\n",
                json_string_value(json_object_get(v, "file")),
                json_string_value(json_object_get(v, "reason")));
    }
    if (json) {
        json_dumpf(fin, stdout, JSON_COMPACT);
        putchar('\n');
    }
    fprintf(stderr,
            "sweep job %s: %s, %d lines, %d files, %d hits recorded as sightings on the case,"
            " %.1f MB/s",
            id, status, jint(fin, "lines"), jint(fin, "files"), jint(fin, "hits"),
            json_real_value(json_object_get(fin, "mb_per_s")));
    if (jint(fin, "files_skipped") || jint(fin, "files_damaged"))
        fprintf(stderr, "; skipped: %d unreadable, %d damaged", jint(fin, "files_skipped"),
                jint(fin, "files_damaged"));
    fputc('\n', stderr);
    if (strcmp(status, "done") != 0) {
        fprintf(stderr, "renkei sweep: the job %s: %s\n", status,
                json_is_string(json_object_get(fin, "error"))
                    ? json_string_value(json_object_get(fin, "error"))
                    : "");
        rc = RK_EXIT_USAGE;
        goto out;
    }
    rc = jint(fin, "hits") > 0 ? RK_EXIT_FOUND : RK_EXIT_OK;
out:
    json_decref(job);
    json_decref(fin);
    rk_store_close(st);
    return rc;
}

static int run_sweep(int argc, char **argv)
{
    const char *index_path = NULL, *db = NULL, *case_id = NULL;
    const char **feeds = NULL, **paths = NULL;
    size_t nfeeds = 0, npaths = 0;
    struct rk_sweep_options opt;
    struct out_ctx o = {0, 0, 0};
    struct rk_sweep_index *ix = NULL;
    struct rk_sweep_builder *b = NULL;
    int progress = 1, rc = EXIT_ERR;
    unsigned open_flags = 0;
    char err[512] = "";
    memset(&opt, 0, sizeof opt);
    feeds = rk_calloc((size_t)argc, sizeof *feeds);
    paths = rk_calloc((size_t)argc, sizeof *paths);
    if (feeds == NULL || paths == NULL)
        goto out;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(sweep_usage, stdout);
            rc = RK_EXIT_OK;
            goto out;
        } else if (strcmp(a, "--index") == 0 && i + 1 < argc) {
            index_path = argv[++i];
        } else if (strcmp(a, "--indicators") == 0 && i + 1 < argc) {
            feeds[nfeeds++] = argv[++i];
        } else if (strcmp(a, "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(a, "--case") == 0 && i + 1 < argc) {
            case_id = argv[++i];
        } else if (strcmp(a, "--json") == 0) {
            o.json = 1;
        } else if (strcmp(a, "--count") == 0) {
            o.count = 1;
        } else if (strcmp(a, "--no-progress") == 0) {
            progress = 0;
        } else if (strcmp(a, "--no-verify") == 0) {
            open_flags |= RK_SWEEP_OPEN_NO_VERIFY;
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            uint64_t t;
            if (rk_parse_u64(argv[i + 1], strlen(argv[i + 1]), 64, &t) != RK_OK || t == 0) {
                fprintf(stderr, "renkei sweep: --threads takes a number from 1 to 64\n");
                goto out;
            }
            opt.threads = (unsigned)t;
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "renkei sweep: unknown option '%s'\n\n%s", a, sweep_usage);
            goto out;
        } else {
            paths[npaths++] = a;
        }
    }
    if ((db == NULL) != (case_id == NULL)) {
        fprintf(stderr, "renkei sweep: --db and --case go together\n\n%s", sweep_usage);
        goto out;
    }
    if ((index_path != NULL && nfeeds > 0) || npaths == 0 ||
        (db == NULL && index_path == NULL && nfeeds == 0)) {
        fprintf(stderr, "renkei sweep: give --index or --indicators, and paths to sweep\n\n%s",
                sweep_usage);
        goto out;
    }
    if (db != NULL) {
        if (o.count) {
            fprintf(stderr, "renkei sweep: --count does not go with --case\n");
            goto out;
        }
        rc = run_case_sweep(db, case_id, index_path, feeds, nfeeds, paths, npaths, opt.threads,
                            progress, o.json);
        goto out;
    }
    if (index_path != NULL) {
        enum rk_status s = rk_sweep_index_open(index_path, open_flags, &ix, err, sizeof err);
        if (s != RK_OK) {
            fprintf(stderr, "renkei sweep: %s\n", err[0] ? err : rk_strerror(s));
            goto out;
        }
    } else {
        struct rk_sweep_load_stats total = {0, 0};
        if (rk_sweep_builder_create(&b) != RK_OK)
            goto out;
        for (size_t i = 0; i < nfeeds; i++)
            if (load_feed(b, feeds[i], RK_SWEEP_FMT_AUTO, &total) != 0)
                goto out;
        if (total.skipped > 0)
            fprintf(stderr, "renkei sweep: %llu indicator entries skipped (not supported)\n",
                    (unsigned long long)total.skipped);
        if (rk_sweep_builder_build(b, &ix) != RK_OK) {
            fprintf(stderr, "renkei sweep: out of memory building the index\n");
            goto out;
        }
        rk_sweep_builder_destroy(b);
        b = NULL;
    }
    opt.progress = progress && isatty(2);
    opt.on_skip = on_skip;
    struct rk_sweep_stats st;
    enum rk_status s = rk_sweep_run(ix, paths, npaths, &opt, on_hit, &o, &st);
    if (o.count)
        printf("%llu\n", (unsigned long long)o.hits);
    fflush(stdout);
    if (s != RK_OK && s != RK_ECONFLICT) {
        fprintf(stderr, "renkei sweep: %s\n", rk_strerror(s));
        goto out;
    }
    char hb[32];
    human((double)st.bytes, hb, sizeof hb);
    fprintf(stderr, "sweep: %s, %llu lines, %llu files, %llu hits, %.1f MB/s (%.2f s, %.2f s CPU)",
            hb, (unsigned long long)st.lines, (unsigned long long)st.files,
            (unsigned long long)st.hits,
            st.seconds > 0 ? (double)st.bytes / 1e6 / st.seconds : 0.0, st.seconds,
            st.cpu_seconds);
    if (st.files_skipped || st.files_damaged || st.long_tokens)
        fprintf(stderr, "; skipped: %llu unreadable, %llu damaged, %llu over-long tokens",
                (unsigned long long)st.files_skipped, (unsigned long long)st.files_damaged,
                (unsigned long long)st.long_tokens);
    fputc('\n', stderr);
    if (st.files == 0 && st.files_skipped > 0) {
        fprintf(stderr, "renkei sweep: no input could be read\n");
        goto out;
    }
    rc = st.hits > 0 ? RK_EXIT_FOUND : RK_EXIT_OK;
out:
    rk_sweep_builder_destroy(b);
    rk_sweep_index_close(ix);
    rk_free(feeds);
    rk_free(paths);
    return rc;
}

static int run_sweep_verb(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "compile") == 0)
        return run_compile(argc - 1, argv + 1);
    return run_sweep(argc, argv);
}

const struct rk_cli_cmd rk_cli_cmd_sweep = {"sweep", "sweep logs against indicators (IOC)",
                                            run_sweep_verb};
