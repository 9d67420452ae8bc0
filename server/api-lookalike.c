/* /api/v1/lookalike: the phishing watch (フィッシング監視) — submit candidate domains or URLs for
 * checking, the matches ranked by score, one match, its decision (confirm / dismiss / reopen),
 * the takedown records and their status, and the statistics per brand and status. Every
 * decision is the service's (lib/model/lookalike-service.c). */
#include "http.h"

#include <limits.h>

#include "renkei/limits.h"

static void matches_submit(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_lookalike_submit(req->store, &req->actor, req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void matches_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_lookalike_query q = {0};
    q.limit = RK_DEFAULT_LIST_LIMIT;
    if (rk_http_query_str(req, resp, "status", &q.status) != RK_OK ||
        rk_http_query_str(req, resp, "brand", &q.brand) != RK_OK ||
        rk_http_query_str(req, resp, "sector", &q.sector) != RK_OK ||
        rk_http_query_int(req, resp, "min_score", 100, &q.min_score) != RK_OK ||
        rk_http_query_int(req, resp, "limit", RK_MAX_LIST_LIMIT, &q.limit) != RK_OK ||
        rk_http_query_int(req, resp, "offset", INT_MAX, &q.offset) != RK_OK)
        return;
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_lookalike_list(req->store, &req->actor, &q, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void matches_get(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_lookalike_get(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void matches_decide(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_lookalike_decide(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void takedowns_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    const char *status = NULL;
    int limit = RK_DEFAULT_LIST_LIMIT, offset = 0;
    if (rk_http_query_str(req, resp, "status", &status) != RK_OK ||
        rk_http_query_int(req, resp, "limit", RK_MAX_LIST_LIMIT, &limit) != RK_OK ||
        rk_http_query_int(req, resp, "offset", INT_MAX, &offset) != RK_OK)
        return;
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_lookalike_takedown_list(req->store, &req->actor, status, limit, offset, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void takedowns_update(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_lookalike_takedown_update(req->store, &req->actor, req->params[0],
                                                     req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void lookalike_stats(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_lookalike_stats(req->store, &req->actor, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static const struct rk_route routes[] = {
    {"POST", "/api/v1/lookalike/matches", matches_submit, RK_ROUTE_BODY},
    {"GET", "/api/v1/lookalike/matches", matches_list, 0},
    {"GET", "/api/v1/lookalike/matches/{id}", matches_get, 0},
    {"POST", "/api/v1/lookalike/matches/{id}/decision", matches_decide, RK_ROUTE_BODY},
    {"GET", "/api/v1/lookalike/takedowns", takedowns_list, 0},
    {"PATCH", "/api/v1/lookalike/takedowns/{id}", takedowns_update, RK_ROUTE_BODY},
    {"GET", "/api/v1/lookalike/stats", lookalike_stats, 0},
};

const struct rk_route_set rk_api_lookalike = {routes, sizeof routes / sizeof routes[0]};
