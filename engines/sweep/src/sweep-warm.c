/*
 * Warming the input for the scanner from the calling thread (docs/sweep.md, "Threads and
 * input").
 *
 * A one-thread sweep runs one scanner and the calling thread, which only cuts, maps and emits
 * and so leaves the second CPU nearly idle. The scanner reading a chunk straight from memory
 * ("cold") runs well below the same scan of a chunk already in cache; this lets the calling
 * thread read a chunk it has just handed out, one load a cache line, so that its lines are in
 * the last-level cache (shared by the CPUs of this machine) when the scanner gets there. Only
 * when the process may run on more CPUs than there are scanners: the reads must never take a
 * scanner's CPU.
 */
#include "sweep-int.h"

#include <sched.h>
#include <stdlib.h>

int rk__sw_warm_wanted(unsigned nthreads)
{
    if (getenv("RK_SWEEP_NO_WARM") != NULL)
        return 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 0;
    return (unsigned)CPU_COUNT(&set) > nthreads;
}

uint64_t rk__sw_warm(const char *d, size_t n)
{
    /* volatile: the loads are the point, their values are not (the sum only keeps the test
     * honest about which bytes were read). One load a line, each independent of the others, so
     * the CPU keeps many misses in flight. */
    const volatile unsigned char *p = (const volatile unsigned char *)d;
    uint64_t sum = 0;
    if (n == 0)
        return 0;
    sum += p[0];
    size_t i = RK_SWEEP_WARM_LINE - ((uintptr_t)d & (RK_SWEEP_WARM_LINE - 1));
    for (; i < n; i += RK_SWEEP_WARM_LINE)
        sum += p[i];
    return sum;
}
