/* /api/v1/reports: 通報・相談 — list with search and filters, create, read, update, and the
 * workflow transitions. */
#include "http.h"

#include <limits.h>

static const struct rk_http_field transition_fields[] = {
    {"to", RK_JT_STRING, 1, 64},
    {"comment", RK_JT_STRING | RK_JT_NULL, 0, 4000},
};

static void reports_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_report_query q = {0};
    q.limit = 50;
    if (rk_http_query_str(req, resp, "q", &q.q) != RK_OK ||
        rk_http_query_str(req, resp, "category", &q.category) != RK_OK ||
        rk_http_query_str(req, resp, "status", &q.status) != RK_OK ||
        rk_http_query_str(req, resp, "unit_id", &q.unit_id) != RK_OK ||
        rk_http_query_str(req, resp, "from", &q.from) != RK_OK ||
        rk_http_query_str(req, resp, "to", &q.to) != RK_OK ||
        rk_http_query_int(req, resp, "limit", 500, &q.limit) != RK_OK ||
        rk_http_query_int(req, resp, "offset", INT_MAX, &q.offset) != RK_OK)
        return;
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_report_list(req->store, &req->actor, &q, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void reports_create(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_report_create(req->store, &req->actor, req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void reports_get(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_report_get(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void reports_update(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_report_update(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void reports_transition(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_http_body_check(req->body, transition_fields, 2, &err);
    if (rc == RK_OK)
        rc = rk_report_transition(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static const struct rk_route routes[] = {
    {"GET", "/api/v1/reports", reports_list, 0},
    {"POST", "/api/v1/reports", reports_create, RK_ROUTE_BODY},
    {"GET", "/api/v1/reports/{id}", reports_get, 0},
    {"PATCH", "/api/v1/reports/{id}", reports_update, RK_ROUTE_BODY},
    {"POST", "/api/v1/reports/{id}/transition", reports_transition, RK_ROUTE_BODY},
};

const struct rk_route_set rk_api_reports = {routes, sizeof routes / sizeof routes[0]};
