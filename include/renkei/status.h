/*
 * The one error enum of Renkei. Every fallible function of librenkei and of the engines returns
 * an `enum rk_status`; results come back through out-parameters. Sub-codes may be added in the
 * SQLite style, `primary | (n << 8)`; rk_status_primary() strips them.
 */
#ifndef RENKEI_STATUS_H
#define RENKEI_STATUS_H

enum rk_status {
    RK_OK = 0,
    RK_ENOMEM,     /* an allocation failed or a memory cap was reached */
    RK_EINVAL,     /* the input is malformed or a value is out of range */
    RK_ETOOBIG,    /* the input exceeds a named limit (include/renkei/limits.h) */
    RK_EIO,        /* a file, socket or database operation failed */
    RK_ENOTFOUND,  /* the object does not exist (or the caller may not know that it does) */
    RK_EFORBIDDEN, /* the caller's identity does not allow the operation */
    RK_EAUTH,      /* no valid identity: bad password, expired session, missing CSRF token */
    RK_ECONFLICT,  /* the operation conflicts with the object's state (e.g. forbidden transition) */
    RK_ECORRUPT,   /* stored data failed an integrity check (checksum, hash chain, format) */
    RK_EUNSUPPORTED, /* a valid request for something this build or backend does not do */
    RK_STATUS_COUNT
};

/* Strips a sub-code: rk_status_primary(RK_EINVAL | (3 << 8)) == RK_EINVAL. */
static inline enum rk_status rk_status_primary(int rc)
{
    return (enum rk_status)(rc & 0xff);
}

/*
 * Returns a short English description of `rc` (sub-codes ignored).
 * Ownership: a static string. Thread-safety: safe.
 */
const char *rk_strerror(int rc);

/*
 * Returns a stable machine-readable name of `rc` for JSON errors, e.g. "invalid", "forbidden".
 * Ownership: a static string. Thread-safety: safe.
 */
const char *rk_status_code(int rc);

#endif
