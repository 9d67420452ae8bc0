/*
 * The index builder's fast path of rk__sw_canon_indicator() (sweep-canon-fast.c).
 */
#ifndef RK_SWEEP_CANON_FAST_H
#define RK_SWEEP_CANON_FAST_H

#include "sweep-int.h"

/*
 * What rk__sw_canon_indicator() with the hint RK_SWEEP_NONE gives for a value of the common
 * shapes (hex hash, IPv4 address or range, ASCII host name, e-mail address, http(s) URL), found
 * with fewer passes: the key length, with *type, *plen and out[0, length) set exactly as the
 * general path sets them. 0 when the value is of another shape or is rejected; then *type and
 * *plen are untouched (out may have been written) and the caller takes the general path.
 */
size_t rk__sw_canon_fast(const char *s, size_t n, enum rk_sweep_type *type, uint8_t *plen,
                         uint8_t *out, size_t cap);

#endif
