/*
 * Helpers shared by the chunk-by-chunk sweep benchmarks (bench/sweeppair/pair.c,
 * bench/sweepwarm/warm.c): a hit counter, the calling thread's CPU clock, a cache flush and
 * the cut of a log into chunks that end at a newline.
 */
#ifndef RK_BENCH_SWEEP_CHUNK_TIMING_H
#define RK_BENCH_SWEEP_CHUNK_TIMING_H

#include <emmintrin.h>
#include <stddef.h>
#include <time.h>

#include <renkei/sweep.h>

/* Counts hits into the unsigned long ud. */
static inline int count_hit(const struct rk_sweep_hit *h, void *ud)
{
    (void)h;
    ++*(unsigned long *)ud;
    return 0;
}

/* The calling thread's CPU time in milliseconds: what the scan cost, whatever the VM does to
 * wall-clock time. */
static inline double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* p[0, n) out of every cache level, so that the next scan reads it from memory. */
static inline void flush_lines(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 64)
        _mm_clflush(p + i);
    _mm_mfence();
}

/* The end of the chunk of data[0, n) that starts at o: at most size bytes, cut after its last
 * newline (a chunk without one is cut at size). */
static inline size_t chunk_end(const char *data, size_t o, size_t n, size_t size)
{
    size_t e = o + size;
    if (e >= n)
        return n;
    while (e > o + 1 && data[e - 1] != '\n')
        e--;
    return e;
}

#endif
