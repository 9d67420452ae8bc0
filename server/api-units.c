/* /api/v1/units: the org-unit tree (HQ divisions, stations, partners). */
#include "http.h"

static void units_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_unit_list(req->store, &req->actor, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void units_create(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_unit_create(req->store, &req->actor, req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static const struct rk_route routes[] = {
    {"GET", "/api/v1/units", units_list, 0},
    {"POST", "/api/v1/units", units_create, RK_ROUTE_BODY},
};

const struct rk_route_set rk_api_units = {routes, sizeof routes / sizeof routes[0]};
