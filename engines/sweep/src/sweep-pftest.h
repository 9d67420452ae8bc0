/*
 * The scanner's test of the key prefilter where the test was deferred (a large index):
 * rk__sw_pf_test() (sweep-int.h) in two halves. Internal to the sweep engine.
 */
#ifndef RK_SWEEP_PFTEST_H
#define RK_SWEEP_PFTEST_H

#include <stdint.h>

#include "sweep-int.h"

/*
 * Whether the key of hash h may be in the filter whose line is `line`: the same answer as
 * rk__sw_pf_test() for every line and hash (test_pf_test_split), its four bits taken two at a
 * time. Nearly every deferred key is absent (20,740 of 20,790 hosts in the first 8 MB of the
 * benchmark's mixed log at 10M indicators), and most absent keys already miss one of the first
 * two bits: those end after two shifts instead of four, and the branch is taken rarely enough
 * that it costs less than it saves (one bit at a time mispredicts too often: slower).
 */
static inline int rk__sw_pf_test_split(const uint64_t *line, uint64_t h)
{
    uint64_t g = rk__sw_pf_bits(h);
    unsigned b0 = (unsigned)(g >> 28) & 511u, b1 = (unsigned)(g >> 37) & 511u;
    if ((((line[b0 >> 6] >> (b0 & 63)) & (line[b1 >> 6] >> (b1 & 63))) & 1) == 0)
        return 0;
    unsigned b2 = (unsigned)(g >> 46) & 511u, b3 = (unsigned)(g >> 55);
    return (int)(((line[b2 >> 6] >> (b2 & 63)) & (line[b3 >> 6] >> (b3 & 63))) & 1);
}

#endif
