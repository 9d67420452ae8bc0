/*
 * Helpers shared by the C benchmark drivers under bench/: a monotonic clock in milliseconds and
 * a qsort comparator for doubles (medians of repeated runs). Header-only, nothing owned.
 */
#ifndef RK_BENCH_TIME_H
#define RK_BENCH_TIME_H

#include <time.h>

static inline double rk_bench_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static inline int rk_bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#endif
