/* /api/v1/approvals: 起案/決裁 — the pending approvals the caller may decide, and a decision. */
#include "http.h"

static const struct rk_http_field decide_fields[] = {
    {"decision", RK_JT_STRING, 1, 16},
    {"comment", RK_JT_STRING | RK_JT_NULL, 0, 4000},
};

static void approvals_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_approval_list(req->store, &req->actor, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void approvals_decide(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_http_body_check(req->body, decide_fields, 2, &err);
    if (rc == RK_OK)
        rc = rk_approval_decide(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static const struct rk_route routes[] = {
    {"GET", "/api/v1/approvals", approvals_list, 0},
    {"POST", "/api/v1/approvals/{id}", approvals_decide, RK_ROUTE_BODY},
};

const struct rk_route_set rk_api_approvals = {routes, sizeof routes / sizeof routes[0]};
