/*
 * bench_sweep_open INDEX [N]: opens and closes INDEX N times (default 51) with the body
 * checksum and N times without, and prints the median and the fastest open of each in
 * milliseconds, the index size and its metadata count. Used by bench/sweepmeta/run to compare
 * an index with metadata against one without; prints, never asserts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "renkei/alloc.h"
#include "renkei/parse.h"
#include "renkei/sweep.h"

#include "../bench-time.h"

int main(int argc, char **argv)
{
    uint64_t n = 51;
    char err[256] = "";
    if (argc < 2 || (argc > 2 && rk_parse_u64(argv[2], strlen(argv[2]), 100000, &n) != RK_OK) ||
        n == 0) {
        fprintf(stderr, "usage: bench_sweep_open INDEX [N]\n");
        return 2;
    }
    double *t = rk_calloc((size_t)n, sizeof *t);
    if (t == NULL)
        return 1;
    for (int pass = 0; pass < 2; pass++) {
        unsigned flags = pass ? RK_SWEEP_OPEN_NO_VERIFY : 0;
        struct rk_sweep_index *ix = NULL;
        for (uint64_t i = 0; i < n; i++) {
            double t0 = rk_bench_now_ms();
            if (rk_sweep_index_open(argv[1], flags, &ix, err, sizeof err) != RK_OK) {
                fprintf(stderr, "bench_sweep_open: %s\n", err);
                rk_free(t);
                return 1;
            }
            t[i] = rk_bench_now_ms() - t0;
            if (i + 1 == n && pass == 1)
                printf("size %llu bytes, %llu indicators, %llu with metadata (%llu bytes)\n",
                       (unsigned long long)rk_sweep_index_size(ix),
                       (unsigned long long)rk_sweep_index_count(ix),
                       (unsigned long long)rk_sweep_index_meta_count(ix),
                       (unsigned long long)rk_sweep_index_meta_size(ix));
            rk_sweep_index_close(ix);
        }
        qsort(t, (size_t)n, sizeof *t, rk_bench_cmp_double);
        printf("%s: median %.3f ms, fastest %.3f ms (%llu opens)\n",
               pass ? "--no-verify" : "verified", t[n / 2], t[0], (unsigned long long)n);
    }
    rk_free(t);
    return 0;
}
