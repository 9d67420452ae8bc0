/* /api/v1/ref: the reference data every form needs (categories, states, TLP ...). */
#include "http.h"

static void ref_get(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_ref_get(req->store, &req->actor, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static const struct rk_route routes[] = {
    {"GET", "/api/v1/ref", ref_get, 0},
};

const struct rk_route_set rk_api_ref = {routes, sizeof routes / sizeof routes[0]};
