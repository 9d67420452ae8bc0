/*
 * The index builder's fast path of rk__sw_canon_indicator() (sweep-canon-fast.c).
 */
#ifndef RK_SWEEP_CANON_FAST_H
#define RK_SWEEP_CANON_FAST_H

#include "sweep-int.h"

/*
 * What rk__sw_canon_fast() already knows of the key it made, so that the builder need not find
 * it again: for a domain key, the mask of its dots (bit i: key byte i is a dot), or
 * RK__SW_DOTS_UNKNOWN (longer than 63 bytes, or IDN); for a URL key with a host name, where
 * that host is in the key (host_len 0 otherwise: an address host, or another path's key).
 */
struct rk__sw_fast_key {
    uint64_t dots;
    size_t host_off, host_len;
};

/*
 * What rk__sw_canon_indicator() with the hint RK_SWEEP_NONE gives for a value of the common
 * shapes (hex hash, IPv4 address or range, ASCII host name, e-mail address, http(s) URL), found
 * with fewer passes: the key length, with *type, *plen and out[0, length) set exactly as the
 * general path sets them. 0 when the value is of another shape or is rejected; then *type and
 * *plen are untouched (out may have been written) and the caller takes the general path.
 * *fk is set whenever a key is returned (see struct rk__sw_fast_key).
 */
size_t rk__sw_canon_fast(const char *s, size_t n, enum rk_sweep_type *type, uint8_t *plen,
                         uint8_t *out, size_t cap, struct rk__sw_fast_key *fk);

#endif
