/*
 * bench_sweepopen INDEX [N]: where the verified open of INDEX goes, in milliseconds, the
 * median and the fastest of N runs each (default 21), interleaved run by run so that a change
 * of load hits every line alike:
 *   open verified       rk_sweep_index_open + close (what `renkei sweep` does)
 *   open --no-verify    the same without the body checksum
 *   body, 1 thread      rk__sw_body_checksum over the already mapped body, one thread
 *   body, T threads     the same with the threads an open uses
 *   kernel scalar/avx2  rk__sw_checksum_scalar / _avx2 over the whole body (GB/s)
 *   kernel, in cache    rk__sw_checksum over 1 MiB that stays in the L2 cache, as many times
 *                       as the body holds it: the kernel's speed without the memory's
 * Prints, never asserts (bench/sweepopen/run).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "renkei/alloc.h"
#include "renkei/parse.h"
#include "renkei/sweep.h"
#include "sweep-int.h"

#include "../bench-time.h"

enum { OPEN_V, OPEN_NV, BODY_1, BODY_T, K_SCALAR, K_AVX2, K_CACHED, NLINES };

/* The in-cache line: the first CACHED bytes of the body, summed body_len / CACHED times. */
#define CACHED ((size_t)1 << 20)

static volatile uint64_t sink;

int main(int argc, char **argv)
{
    uint64_t n = 21;
    char err[256] = "";
    int rc = 1;
    double *t = NULL;
    const uint8_t *map = MAP_FAILED;
    struct stat st;
    if (argc < 2 || (argc > 2 && rk_parse_u64(argv[2], strlen(argv[2]), 10000, &n) != RK_OK) ||
        n == 0) {
        fprintf(stderr, "usage: bench_sweepopen INDEX [N]\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(struct rk__sw_header)) {
        fprintf(stderr, "bench_sweepopen: cannot read %s\n", argv[1]);
        goto out;
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (map == MAP_FAILED)
        goto out;
    const struct rk__sw_header *h = (const void *)map;
    const uint8_t *body = map + h->header_size;
    size_t body_len = (size_t)st.st_size - h->header_size;
    unsigned threads = rk__sw_sum_threads();
    t = rk_calloc((size_t)n * NLINES, sizeof *t);
    if (t == NULL)
        goto out;
    for (uint64_t i = 0; i < n; i++) {
        for (int line = 0; line < NLINES; line++) {
            struct rk_sweep_index *ix = NULL;
            double t0 = rk_bench_now_ms();
            switch (line) {
            case OPEN_V:
            case OPEN_NV:
                if (rk_sweep_index_open(argv[1], line == OPEN_NV ? RK_SWEEP_OPEN_NO_VERIFY : 0, &ix,
                                        err, sizeof err) != RK_OK) {
                    fprintf(stderr, "bench_sweepopen: %s\n", err);
                    goto out;
                }
                rk_sweep_index_close(ix);
                break;
            case BODY_1:
            case BODY_T:
                sink = rk__sw_body_checksum(body, body_len, h->sum_chunk_log2,
                                            line == BODY_1 ? 1 : threads, 0);
                break;
            case K_SCALAR:
                sink = rk__sw_checksum_scalar(body, body_len);
                break;
            case K_AVX2:
                sink = rk__sw_checksum_avx2(body, body_len);
                break;
            default:
                for (size_t k = 0; k + CACHED <= body_len; k += CACHED)
                    sink = rk__sw_checksum(body, body_len < CACHED ? body_len : CACHED);
                break;
            }
            t[(size_t)line * n + i] = rk_bench_now_ms() - t0;
        }
    }
    static const char *const names[NLINES] = {"open verified",           "open --no-verify",
                                              "body checksum, 1 thread", "body checksum, T",
                                              "kernel scalar, 1 thread", "kernel avx2, 1 thread",
                                              "kernel, 1 MiB in cache"};
    printf("%s: %llu bytes, %llu indicators, version %u, chunk 2^%u, %u verify threads, "
           "avx2 %s, %llu runs\n",
           argv[1], (unsigned long long)st.st_size, (unsigned long long)h->count, h->version,
           h->sum_chunk_log2, threads, rk__sw_checksum_has_avx2() ? "yes" : "no (scalar)",
           (unsigned long long)n);
    for (int line = 0; line < NLINES; line++) {
        double *v = t + (size_t)line * n;
        qsort(v, (size_t)n, sizeof *v, rk_bench_cmp_double);
        char name[64];
        snprintf(name, sizeof name, "%s", names[line]);
        if (line == BODY_T)
            snprintf(name, sizeof name, "body checksum, %u threads", threads);
        printf("  %-28s median %8.3f ms  fastest %8.3f ms", name, v[n / 2], v[0]);
        if (line >= BODY_1)
            printf("  (%.1f GB/s median)", (double)body_len / (v[n / 2] * 1e6));
        printf("\n");
    }
    rc = 0;
out:
    rk_free(t);
    if (map != MAP_FAILED)
        munmap((void *)map, (size_t)st.st_size);
    if (fd >= 0)
        close(fd);
    return rc;
}
