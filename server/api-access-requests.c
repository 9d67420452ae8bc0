/* /api/v1/access-requests: 閲覧依頼 — ask the unit that holds a restricted report or case for
 * access, list the requests to the caller's unit (incoming) or the caller's own (outgoing), read
 * one, decide one (grant or refuse, by the holding unit), withdraw one (by the requester) and
 * revoke its grants (by the holding unit).
 * Every rule is the service's (lib/model/access-request.c, lib/share/access.c). */
#include "http.h"

#include <limits.h>

#include "renkei/limits.h"

static void requests_create(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_access_request_create(req->store, &req->actor, req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void requests_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_access_request_query q = {0};
    q.limit = RK_DEFAULT_LIST_LIMIT;
    if (rk_http_query_str(req, resp, "box", &q.box) != RK_OK ||
        rk_http_query_str(req, resp, "status", &q.status) != RK_OK ||
        rk_http_query_int(req, resp, "limit", RK_MAX_LIST_LIMIT, &q.limit) != RK_OK ||
        rk_http_query_int(req, resp, "offset", INT_MAX, &q.offset) != RK_OK)
        return;
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_access_request_list(req->store, &req->actor, &q, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void requests_get(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_access_request_get(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void requests_decide(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_access_request_decide(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void requests_withdraw(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_access_request_withdraw(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void requests_revoke(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_access_request_revoke(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static const struct rk_route routes[] = {
    {"POST", "/api/v1/access-requests", requests_create, RK_ROUTE_BODY},
    {"GET", "/api/v1/access-requests", requests_list, 0},
    {"GET", "/api/v1/access-requests/{id}", requests_get, 0},
    {"POST", "/api/v1/access-requests/{id}/decision", requests_decide, RK_ROUTE_BODY},
    {"POST", "/api/v1/access-requests/{id}/withdraw", requests_withdraw, 0},
    {"POST", "/api/v1/access-requests/{id}/revoke", requests_revoke, 0},
};

const struct rk_route_set rk_api_access_requests = {routes, sizeof routes / sizeof routes[0]};
