/* /api/v1/observables: search, one observable with where it was seen (restricted entries keep
 * only their existence and holder), and the live extraction preview of the intake form. */
#include "http.h"

#include <limits.h>
#include <string.h>

static const struct rk_http_field preview_fields[] = {
    {"text", RK_JT_STRING, 1, 0},
};

static void obs_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_obs_query q = {0};
    q.limit = 50;
    if (rk_http_query_str(req, resp, "q", &q.q) != RK_OK ||
        rk_http_query_str(req, resp, "type", &q.type) != RK_OK ||
        rk_http_query_int(req, resp, "limit", 500, &q.limit) != RK_OK ||
        rk_http_query_int(req, resp, "offset", INT_MAX, &q.offset) != RK_OK)
        return;
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_observable_list(req->store, &req->actor, &q, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void obs_get(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_observable_get(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void obs_preview(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_http_body_check(req->body, preview_fields, 1, &err);
    if (rc == RK_OK) {
        json_t *t = json_object_get(req->body, "text");
        rc = rk_observable_preview(json_string_value(t), json_string_length(t), &out, &err);
    }
    rk_http_reply(resp, rc, out, &err, 200);
}

static const struct rk_route routes[] = {
    {"GET", "/api/v1/observables", obs_list, 0},
    {"POST", "/api/v1/observables/preview", obs_preview, RK_ROUTE_BODY},
    {"GET", "/api/v1/observables/{id}", obs_get, 0},
};

const struct rk_route_set rk_api_observables = {routes, sizeof routes / sizeof routes[0]};
