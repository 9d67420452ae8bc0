/*
 * Rendering results: the mapping from enum rk_status to HTTP status (docs/api.md) and the JSON
 * error document {"error":{"code","message","field"}}. Messages come from the service or from
 * the server and never contain case data.
 */
#include "http.h"

#include <stdio.h>

unsigned rk_http_status_for(int rc)
{
    switch (rk_status_primary(rc)) {
    case RK_OK:
        return 200;
    case RK_EINVAL:
        return 422;
    case RK_ETOOBIG:
        return 413;
    case RK_ENOTFOUND:
        return 404;
    case RK_EFORBIDDEN:
        return 403;
    case RK_EAUTH:
        return 401;
    case RK_ECONFLICT:
        return 409;
    case RK_EUNSUPPORTED:
        return 501;
    default:
        return 500;
    }
}

void rk_http_error(struct rk_http_resp *resp, int rc, const char *field, const char *message)
{
    json_decref(resp->json);
    resp->status = rk_http_status_for(rc);
    resp->json = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", rk_status_code(rc), "message",
                           message != NULL && message[0] != '\0' ? message : rk_strerror(rc),
                           "field", field != NULL ? field : "");
}

void rk_http_error_from(struct rk_http_resp *resp, int rc, const struct rk_error *err)
{
    rk_http_error(resp, rc, err != NULL ? err->field : "", err != NULL ? err->message : NULL);
}

void rk_http_reply(struct rk_http_resp *resp, int rc, json_t *out, const struct rk_error *err,
                   unsigned ok_status)
{
    if (rc != RK_OK) {
        json_decref(out);
        rk_http_error_from(resp, rc, err);
        return;
    }
    json_decref(resp->json);
    resp->status = ok_status;
    resp->json = out;
}
