/*
 * Benchmark driver of the lookalike engine (run by bench/lookalike/run; prints, asserts
 * nothing). Loads a generated feed into memory, then measures:
 *   - the index build (brand list load + automaton + deletion index + PSL + ICU);
 *   - domains per second on one thread and on N threads (one scanner each);
 *   - memory: resident size added by the compiled detector, and the process peak;
 *   - the planted lookalikes found, and the alerts on the rest of the feed;
 *   - the naive approach on a sample: the registrable label against every brand term with a
 *     full Damerau-Levenshtein (OSA) distance, no index and no cut-off, and the ratio.
 *
 * usage: bench_lookalike STREAM PLANTED THREADS NAIVE_SAMPLE
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "lookalike-int.h"
#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/parse.h"

struct line {
    const char *p;
    size_t n;
};

struct job {
    const struct rk_lookalike *lk;
    const struct line *lines;
    size_t n;
    unsigned long long matches, skipped;
    double cpu; /* thread CPU seconds spent checking */
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char buf[256];
    long kb = -1;
    while (f != NULL && fgets(buf, sizeof buf, f) != NULL) {
        if (strncmp(buf, "VmRSS:", 6) == 0) {
            uint64_t v = 0;
            const char *p = buf + 6;
            while (*p == ' ' || *p == '\t')
                p++;
            size_t n = strspn(p, "0123456789");
            if (rk_parse_u64(p, n, UINT64_MAX, &v) == RK_OK)
                kb = (long)v;
        }
    }
    if (f != NULL)
        fclose(f);
    return kb;
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *scan(void *arg)
{
    struct job *j = arg;
    struct rk_lookalike_scanner *sc = NULL;
    if (rk_lookalike_scanner_create(j->lk, &sc) != RK_OK)
        return NULL;
    double c0 = cpu_now();
    for (size_t i = 0; i < j->n; i++) {
        struct rk_lookalike_match m;
        enum rk_status rc = rk_lookalike_check(sc, j->lines[i].p, j->lines[i].n, &m);
        if (rc != RK_OK)
            j->skipped++;
        else if (m.brand >= 0 && m.score >= RK_LOOKALIKE_DEFAULT_MIN_SCORE)
            j->matches++;
    }
    j->cpu = cpu_now() - c0;
    rk_lookalike_scanner_destroy(sc);
    return NULL;
}

static int load(const char *path, struct rk_buf *b, struct line **lines, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    char chunk[1 << 16];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (rk_buf_add(b, chunk, got) != RK_OK) {
            fclose(f);
            return -1;
        }
    fclose(f);
    size_t cap = 1024, k = 0;
    struct line *l = rk_malloc(cap * sizeof *l);
    size_t start = 0;
    for (size_t i = 0; l != NULL && i <= b->len; i++) {
        if (i < b->len && b->data[i] != '\n')
            continue;
        if (i > start || i < b->len) {
            if (k == cap) {
                struct line *p = rk_reallocarray(l, cap * 2, sizeof *l);
                if (p == NULL) {
                    rk_free(l);
                    return -1;
                }
                l = p;
                cap *= 2;
            }
            l[k].p = b->data + start;
            l[k].n = i - start;
            k++;
        }
        start = i + 1;
    }
    *lines = l;
    *n = k;
    return l ? 0 : -1;
}

/* The naive approach: what a script without an index does. */
static double naive(const struct rk_lookalike *lk, const struct line *lines, size_t n,
                    unsigned long long *hits)
{
    double t0 = now();
    char host[512];
    for (size_t i = 0; i < n; i++) {
        size_t len = lines[i].n < sizeof host - 1 ? lines[i].n : sizeof host - 1;
        for (size_t k = 0; k < len; k++) {
            char c = lines[i].p[k];
            host[k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
        host[len] = '\0';
        const char *reg = psl_registrable_domain(lk->psl, host);
        if (reg == NULL)
            continue;
        size_t rl = strcspn(reg, ".");
        int best = 1000;
        for (size_t t = 0; t < lk->nterms; t++) {
            int d = rk__la_osa(reg, rl, lk->terms[t].text, lk->terms[t].len, 1000);
            if (d < best)
                best = d;
        }
        if (best <= 2)
            (*hits)++;
    }
    return now() - t0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_lookalike STREAM PLANTED THREADS NAIVE_SAMPLE\n");
        return 2;
    }
    uint64_t threads = 2, sample = 100000;
    if (rk_parse_u64(argv[3], strlen(argv[3]), 64, &threads) != RK_OK || threads == 0 ||
        rk_parse_u64(argv[4], strlen(argv[4]), UINT64_MAX, &sample) != RK_OK) {
        fprintf(stderr, "bench_lookalike: bad THREADS or NAIVE_SAMPLE\n");
        return 2;
    }
    struct rk_buf data, pdata;
    rk_buf_init(&data, (size_t)1 << 34);
    rk_buf_init(&pdata, (size_t)1 << 30);
    struct line *lines = NULL, *plines = NULL;
    size_t n = 0, pn = 0;
    if (load(argv[1], &data, &lines, &n) != 0 || load(argv[2], &pdata, &plines, &pn) != 0) {
        fprintf(stderr, "bench_lookalike: cannot read %s or %s\n", argv[1], argv[2]);
        return 2;
    }
    long rss0 = rss_kb();
    double t0 = now();
    struct rk_lookalike *lk = NULL;
    if (rk_lookalike_create(&lk) != RK_OK || rk_lookalike_load_dir(lk, RK_LOOKALIKE_BRANDS_DIR) ||
        rk_lookalike_compile(lk) != RK_OK) {
        fprintf(stderr, "bench_lookalike: %s\n", lk ? rk_lookalike_errmsg(lk) : "no memory");
        return 2;
    }
    double tbuild = now() - t0;
    long rss1 = rss_kb();
    printf("brand list: %zu brands, %zu terms, %zu legitimate domains; automaton %u states x %u "
           "classes; edit-distance index %zu labels\n",
           lk->nbrands, lk->nterms, lk->nlegit, lk->nstates, lk->nclasses, lk->n_fuzzy);
    printf("index build (load + compile, incl. PSL and ICU): %.1f ms; detector resident size "
           "+%.1f MiB\n",
           tbuild * 1e3, (double)(rss1 - rss0) / 1024.0);

    /* One thread. */
    struct job j1 = {lk, lines, n, 0, 0, 0};
    t0 = now();
    scan(&j1);
    double t1 = now() - t0;
    printf("1 thread : %zu domains in %.2f s wall = %.0f domains/s; %.2f s CPU = %.0f domains "
           "per CPU-second (%llu matches, %llu skipped)\n",
           n, t1, (double)n / t1, j1.cpu, (double)n / j1.cpu, j1.matches, j1.skipped);

    /* N threads. */
    struct job jobs[64];
    pthread_t tid[64];
    size_t per = (n + threads - 1) / threads;
    t0 = now();
    for (uint64_t t = 0; t < threads; t++) {
        size_t b = (size_t)t * per < n ? (size_t)t * per : n;
        size_t e = b + per < n ? b + per : n;
        jobs[t] = (struct job){lk, lines + b, e - b, 0, 0, 0};
        pthread_create(&tid[t], NULL, scan, &jobs[t]);
    }
    unsigned long long mt = 0;
    double cpu = 0;
    for (uint64_t t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        mt += jobs[t].matches;
        cpu += jobs[t].cpu;
    }
    double tn = now() - t0;
    printf("%u threads: %zu domains in %.2f s wall = %.0f domains/s total, %.0f per core; "
           "%.0f domains per CPU-second (%llu matches)\n",
           (unsigned)threads, n, tn, (double)n / tn, (double)n / tn / (double)threads,
           (double)n / cpu, mt);

    /* Planted lookalikes. */
    struct job jp = {lk, plines, pn, 0, 0, 0};
    scan(&jp);
    printf("planted lookalikes found: %llu / %zu (%.1f%%); alerts on the rest of the feed: "
           "%llu (%.1f per million)\n",
           jp.matches, pn, pn ? 100.0 * (double)jp.matches / (double)pn : 0.0,
           j1.matches - jp.matches, 1e6 * (double)(j1.matches - jp.matches) / (double)(n - pn));

    /* Naive baseline on a sample, against the indexed detector on the same sample. */
    size_t ns = sample < n ? (size_t)sample : n;
    unsigned long long nh = 0;
    double c0 = cpu_now();
    naive(lk, lines, ns, &nh);
    double tnaive = cpu_now() - c0;
    struct job js = {lk, lines, ns, 0, 0, 0};
    scan(&js);
    double tidx = js.cpu;
    printf("naive (every domain x every brand term, full edit distance) on %zu domains: %.2f s "
           "CPU = %.0f domains/s (%llu within distance 2)\n",
           ns, tnaive, (double)ns / tnaive, nh);
    printf("indexed detector (all reasons) on the same %zu domains: %.3f s CPU = %.0f "
           "domains/s; speed-up %.1fx\n",
           ns, tidx, (double)ns / tidx, tnaive / tidx);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak resident memory: %.1f MiB (includes the %.1f MiB feed held in memory)\n",
           (double)ru.ru_maxrss / 1024.0, (double)data.len / 1048576.0);
    rk_lookalike_destroy(lk);
    rk_free(lines);
    rk_free(plines);
    rk_buf_free(&data);
    rk_buf_free(&pdata);
    return 0;
}
