/*
 * Checked number parsing: the replacement for the C library string-to-number functions, which
 * scripts/checksrc bans. Each function parses the whole of [s, s+len) or fails; no sign, space or
 * trailing byte is accepted unless the function says so, and overflow is an error, not a
 * wrap-around.
 */
#ifndef RENKEI_PARSE_H
#define RENKEI_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "renkei/status.h"

/* Decimal digits only, value <= max. Returns RK_OK or RK_EINVAL. */
enum rk_status rk_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);
/* Optional leading '-', then decimal digits; min <= value <= max. */
enum rk_status rk_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out);

#endif
