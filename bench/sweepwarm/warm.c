/*
 * What "cold input" costs the sweep scanner, and whether a second thread can pay it
 * (`make bench-sweepwarm`, built by bench/sweepwarm/run, not by CMake). Prints, never asserts.
 *
 * The log is read once into an anonymous mapping (4 KiB pages, or 2 MiB ones with --huge). Each
 * chunk (cut after a newline, as the run layer cuts) is scanned in six ways in turn, the order
 * rotated every chunk, each timed by the scanning thread's CPU clock:
 *   warm   the chunk was just scanned: it is in this CPU's caches as far as they hold it;
 *   cold   the chunk flushed from every cache level first (clflush), as fresh input is;
 *   helper flushed, then read by touch_lines() (below) on a helper thread pinned to the other
 *          CPU, one load a cache line, joined before the scan: the chunk is in the shared L3 or
 *          the other CPU's L2, as a run layer's warming would leave it;
 *   self   flushed, then read by touch_lines() on the scanning thread itself before the clock
 *          starts (the lower bound: the lines in this CPU's own caches);
 *   spin   flushed; a thread on CPU 1 does integer work all through the scan;
 *   stream flushed; a thread on CPU 1 reads a 64 MiB buffer over and over all through the scan.
 * Those six find the index lines of the chunk's lookups in cache (the chunk was scanned just
 * before), as the run layer does not: each chunk is first scanned once more, flushed, before
 * them ("first": input and index lines cold, as in a sweep of a log with an index larger than
 * the caches).
 * Printed for each: the sum over the chunks of each one's best time over the passes; and the
 * helper's own CPU time for its reads (the sum of the chunks' best). The scanner is pinned to
 * CPU 0 and the helper to CPU 1 (a machine with one CPU cannot run this).
 *
 * usage: sweepwarm INDEX LOG PASSES CHUNK_KIB [--huge]
 */
#include <renkei/alloc.h>
#include <renkei/parse.h>
#include <renkei/sweep.h>

#include <emmintrin.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "../sweep-chunk-timing.h"

#define MAX_CHUNKS 8192u
#define MAX_PASSES 50u
#define MODES      7u /* the six rotated, then "first" */
#define ROTATED    6u
#define STREAM_LEN ((size_t)64 << 20)

/* One load a 64-byte line of [d, d + n), never outside it: what a run layer's calling thread
 * would do to bring a chunk into the shared cache ahead of its worker (the experiment of
 * docs/performance.md, session 5, eng/sweepwarm; not in the engine, as it did not pay). */
static uint64_t touch_lines(const char *d, size_t n)
{
    const volatile unsigned char *p = (const volatile unsigned char *)d;
    uint64_t sum = 0;
    if (n == 0)
        return 0;
    sum += p[0];
    for (size_t i = 64 - ((uintptr_t)d & 63); i < n; i += 64)
        sum += p[i];
    return sum;
}

static const char *const mode_name[MODES] = {"warm", "cold",   "helper", "self",
                                             "spin", "stream", "first"};

static int pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

struct job {
    const char *p;
    size_t n;
    double ms;
    uint64_t sum;
};

static void *helper_main(void *arg)
{
    struct job *j = arg;
    pin(1);
    double t0 = cpu_ms();
    j->sum = touch_lines(j->p, j->n);
    j->ms = cpu_ms() - t0;
    return NULL;
}

/* Load on CPU 1 while the scan runs on CPU 0: integer work (`spin`) or a stream of reads over
 * a buffer larger than the caches (`stream`). If the two vCPUs were one core's two hardware
 * threads, or shared the memory path narrowly, the scan would slow down. */
struct busy {
    atomic_int started, stop;
    const char *buf; /* NULL: spin */
    uint64_t sum;
};

static void *busy_main(void *arg)
{
    struct busy *b = arg;
    uint64_t x = 1;
    pin(1);
    atomic_store(&b->started, 1);
    while (!atomic_load_explicit(&b->stop, memory_order_relaxed)) {
        if (b->buf == NULL) {
            for (unsigned i = 0; i < 4096; i++)
                x = x * 6364136223846793005u + 1442695040888963407u;
        } else {
            x += touch_lines(b->buf, STREAM_LEN);
        }
    }
    b->sum = x;
    return NULL;
}

int main(int argc, char **argv)
{
    int rc = 1;
    char *data = MAP_FAILED;
    size_t maplen = 0;
    double *t = NULL, *th = NULL;
    char *stream = NULL;
    struct rk_sweep_index *ix = NULL;
    struct rk_sweep_scanner *sc = NULL;
    FILE *f = NULL;
    uint64_t passes = 0, kib = 0;
    char err[256];
    if (argc < 5 || rk_parse_u64(argv[3], strlen(argv[3]), MAX_PASSES, &passes) != RK_OK ||
        passes == 0 || rk_parse_u64(argv[4], strlen(argv[4]), 65536, &kib) != RK_OK || kib < 64) {
        fprintf(stderr, "usage: sweepwarm INDEX LOG PASSES(1-%u) CHUNK_KIB(64-65536) [--huge]\n",
                MAX_PASSES);
        goto out;
    }
    int huge = argc > 5 && strcmp(argv[5], "--huge") == 0;
    size_t chunk = (size_t)kib * 1024u;
    if (rk_sweep_index_open(argv[1], RK_SWEEP_OPEN_NO_VERIFY, &ix, err, sizeof err) != RK_OK) {
        fprintf(stderr, "sweepwarm: %s: %s\n", argv[1], err);
        goto out;
    }
    f = fopen(argv[2], "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
        fprintf(stderr, "sweepwarm: cannot read %s\n", argv[2]);
        goto out;
    }
    long len = ftell(f);
    if (len <= 0 || (size_t)len / chunk >= MAX_CHUNKS || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "sweepwarm: %s: empty or more than %u chunks\n", argv[2], MAX_CHUNKS);
        goto out;
    }
    size_t n = (size_t)len;
    maplen = (n + (2u << 20)) & ~(size_t)((2u << 20) - 1);
    data = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED)
        goto out;
    madvise(data, maplen, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    stream = rk_malloc(STREAM_LEN);
    if (stream == NULL)
        goto out;
    memset(stream, 1, STREAM_LEN);
    t = rk_calloc((size_t)MAX_CHUNKS * MAX_PASSES * MODES, sizeof *t);
    th = rk_calloc((size_t)MAX_CHUNKS * MAX_PASSES, sizeof *th);
    if (t == NULL || th == NULL || fread(data, 1, n, f) != n) {
        fprintf(stderr, "sweepwarm: cannot read %s\n", argv[2]);
        goto out;
    }
    if (rk_sweep_scanner_create(ix, &sc) != RK_OK)
        goto out;
    if (pin(0) != 0 || pin(1) != 0 || pin(0) != 0) {
        fprintf(stderr, "sweepwarm: needs CPUs 0 and 1\n");
        goto out;
    }
    unsigned long hits[MODES] = {0}, warmup = 0;
    unsigned nc = 0, rot = 0;
    for (unsigned k = 0; k < passes; k++) {
        nc = 0;
        for (size_t o = 0; o < n; nc++) {
            size_t e = chunk_end(data, o, n, chunk);
            const char *p = data + o;
            size_t m = e - o;
            rot++;
            flush_lines(p, m);
            double t1 = cpu_ms();
            rk_sweep_scan(sc, p, m, count_hit, &hits[ROTATED], NULL);
            t[((size_t)k * MAX_CHUNKS + nc) * MODES + ROTATED] = cpu_ms() - t1;
            for (unsigned i = 0; i < ROTATED; i++) {
                unsigned mode = (rot + i) % ROTATED;
                if (mode == 0)
                    rk_sweep_scan(sc, p, m, count_hit, &warmup, NULL); /* the warm-up */
                else
                    flush_lines(p, m);
                if (mode == 2) {
                    struct job j = {p, m, 0, 0};
                    pthread_t h;
                    if (pthread_create(&h, NULL, helper_main, &j) != 0)
                        goto out;
                    pthread_join(h, NULL);
                    th[(size_t)k * MAX_CHUNKS + nc] = j.ms;
                } else if (mode == 3) {
                    touch_lines(p, m);
                }
                struct busy b = {0, 0, mode == 5 ? stream : NULL, 0};
                pthread_t bt;
                if (mode >= 4) {
                    if (pthread_create(&bt, NULL, busy_main, &b) != 0)
                        goto out;
                    while (!atomic_load(&b.started))
                        sched_yield();
                }
                double t0 = cpu_ms();
                rk_sweep_scan(sc, p, m, count_hit, &hits[mode], NULL);
                t[((size_t)k * MAX_CHUNKS + nc) * MODES + mode] = cpu_ms() - t0;
                if (mode >= 4) {
                    atomic_store(&b.stop, 1);
                    pthread_join(bt, NULL);
                }
            }
            o = e;
        }
    }
    double sum[MODES] = {0}, sum_h = 0;
    for (unsigned c = 0; c < nc; c++) {
        double bh = th[c];
        for (unsigned k = 1; k < passes; k++)
            if (th[(size_t)k * MAX_CHUNKS + c] < bh)
                bh = th[(size_t)k * MAX_CHUNKS + c];
        sum_h += bh;
        for (unsigned mode = 0; mode < MODES; mode++) {
            double b = t[(size_t)c * MODES + mode];
            for (unsigned k = 1; k < passes; k++) {
                double x = t[((size_t)k * MAX_CHUNKS + c) * MODES + mode];
                if (x < b)
                    b = x;
            }
            sum[mode] += b;
        }
    }
    double mib = (double)n / 1048576.0;
    printf("%s, %u chunks of %llu KiB x %u passes, %s pages:", argv[2], nc, (unsigned long long)kib,
           (unsigned)passes, huge ? "2 MiB" : "4 KiB");
    for (unsigned mode = 0; mode < MODES; mode++)
        printf(" %s %.1f ms (%.0f MiB/s)%s", mode_name[mode], sum[mode], mib / (sum[mode] / 1e3),
               mode + 1 < MODES ? "," : "");
    printf("; helper's reads %.1f ms CPU (%.0f MiB/s); cold / warm %.3f, helper / cold %.3f, "
           "first / cold %.3f, spin / cold %.3f, stream / cold %.3f\n",
           sum_h, mib / (sum_h / 1e3), sum[1] / sum[0], sum[2] / sum[1], sum[6] / sum[1],
           sum[4] / sum[1], sum[5] / sum[1]);
    rc = 0;
    for (unsigned mode = 1; mode < MODES; mode++)
        if (hits[mode] != hits[1])
            rc = 2;
    if (rc != 0)
        fprintf(stderr, "sweepwarm: the ways found different numbers of hits\n");
out:
    if (f != NULL)
        fclose(f);
    rk_sweep_scanner_destroy(sc);
    rk_sweep_index_close(ix);
    if (data != MAP_FAILED)
        munmap(data, maplen);
    rk_free(t);
    rk_free(th);
    rk_free(stream);
    return rc;
}
