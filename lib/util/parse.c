/*
 * Checked decimal parsing (include/renkei/parse.h): whole input or error, overflow detected
 * before it happens.
 */
#include "renkei/parse.h"

enum rk_status rk_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    if (len == 0)
        return RK_EINVAL;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            return RK_EINVAL;
        if (v > (max - d) / 10)
            return RK_EINVAL;
        v = v * 10 + d;
    }
    *out = v;
    return RK_OK;
}

enum rk_status rk_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    int neg = len > 0 && s[0] == '-';
    uint64_t mag;
    uint64_t limit = neg ? (uint64_t)(-(min + 1)) + 1 : (uint64_t)(max < 0 ? 0 : max);
    if (neg && min >= 0)
        return RK_EINVAL;
    enum rk_status rc = rk_parse_u64(s + neg, len - (size_t)neg, limit, &mag);
    if (rc != RK_OK)
        return rc;
    int64_t v = neg ? (mag == 0 ? 0 : -(int64_t)(mag - 1) - 1) : (int64_t)mag;
    if (v < min || v > max)
        return RK_EINVAL;
    *out = v;
    return RK_OK;
}
