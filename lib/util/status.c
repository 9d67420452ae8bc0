/*
 * Names and descriptions of enum rk_status, for messages and for the "code" field of JSON
 * errors. The tables are indexed by the primary code.
 */
#include "renkei/status.h"

static const char *const descriptions[RK_STATUS_COUNT] = {
    [RK_OK] = "success",
    [RK_ENOMEM] = "out of memory",
    [RK_EINVAL] = "invalid input",
    [RK_ETOOBIG] = "input too large",
    [RK_EIO] = "input/output error",
    [RK_ENOTFOUND] = "not found",
    [RK_EFORBIDDEN] = "forbidden",
    [RK_EAUTH] = "authentication required",
    [RK_ECONFLICT] = "conflict with the current state",
    [RK_ECORRUPT] = "integrity check failed",
    [RK_EUNSUPPORTED] = "not supported",
};

static const char *const codes[RK_STATUS_COUNT] = {
    [RK_OK] = "ok",
    [RK_ENOMEM] = "out_of_memory",
    [RK_EINVAL] = "invalid",
    [RK_ETOOBIG] = "too_big",
    [RK_EIO] = "io_error",
    [RK_ENOTFOUND] = "not_found",
    [RK_EFORBIDDEN] = "forbidden",
    [RK_EAUTH] = "unauthenticated",
    [RK_ECONFLICT] = "conflict",
    [RK_ECORRUPT] = "corrupt",
    [RK_EUNSUPPORTED] = "unsupported",
};

const char *rk_strerror(int rc)
{
    enum rk_status p = rk_status_primary(rc);
    return p < RK_STATUS_COUNT ? descriptions[p] : "unknown error";
}

const char *rk_status_code(int rc)
{
    enum rk_status p = rk_status_primary(rc);
    return p < RK_STATUS_COUNT ? codes[p] : "unknown";
}
