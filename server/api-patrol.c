/* /api/v1/patrol: the cyber-patrol review queue (パトロール審査) — submit a post for checking,
 * the findings ranked by score, one finding, its decision, and the statistics per category and
 * decision. Every decision is the service's (lib/model/patrol-service.c). */
#include "http.h"

#include <limits.h>

#include "renkei/limits.h"

static void findings_submit(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_patrol_submit(req->store, &req->actor, req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void findings_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_patrol_query q = {0};
    q.limit = RK_DEFAULT_LIST_LIMIT;
    if (rk_http_query_str(req, resp, "status", &q.status) != RK_OK ||
        rk_http_query_str(req, resp, "category", &q.category) != RK_OK ||
        rk_http_query_int(req, resp, "limit", RK_MAX_LIST_LIMIT, &q.limit) != RK_OK ||
        rk_http_query_int(req, resp, "offset", INT_MAX, &q.offset) != RK_OK)
        return;
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_patrol_list(req->store, &req->actor, &q, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void findings_get(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_patrol_get(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void findings_decide(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_patrol_decide(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void patrol_stats(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_patrol_stats(req->store, &req->actor, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static const struct rk_route routes[] = {
    {"POST", "/api/v1/patrol/findings", findings_submit, RK_ROUTE_BODY},
    {"GET", "/api/v1/patrol/findings", findings_list, 0},
    {"GET", "/api/v1/patrol/findings/{id}", findings_get, 0},
    {"POST", "/api/v1/patrol/findings/{id}/decision", findings_decide, RK_ROUTE_BODY},
    {"GET", "/api/v1/patrol/stats", patrol_stats, 0},
};

const struct rk_route_set rk_api_patrol = {routes, sizeof routes / sizeof routes[0]};
