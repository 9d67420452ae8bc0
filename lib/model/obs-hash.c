/*
 * File hashes: MD5, SHA-1 and SHA-256, told apart by length (32, 40, 64 hex digits) and written
 * in lower-case hex. A 40-digit value preceded by "0x" is an Ethereum address, not a SHA-1; the
 * wallet recogniser sees it first.
 */
#include "obs-internal.h"

enum rk_status rk__obs_hash(const char *s, size_t n, struct rk__obs_out *o, enum rk_obs_type *type)
{
    if (n == 32)
        *type = RK_OBS_MD5;
    else if (n == 40)
        *type = RK_OBS_SHA1;
    else if (n == 64)
        *type = RK_OBS_SHA256;
    else
        return RK_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!rk__is_hex((unsigned char)s[i]))
            return RK_EINVAL;
    enum rk_status rc = rk_buf_reserve(&o->canon, n);
    if (rc != RK_OK)
        return rc;
    char *d = o->canon.data + o->canon.len;
    for (size_t i = 0; i < n; i++)
        d[i] = (char)rk__lower((unsigned char)s[i]);
    o->canon.len += n;
    o->canon.data[o->canon.len] = '\0';
    return RK_OK;
}
