/* /api/v1/groups and /api/v1/actors: candidate and confirmed groups (攻撃グループ / 犯行グループ),
 * confirm, rename, aliases, actor link, merge, split, members, dissolve, the flags of new cases
 * touching a confirmed group, and actor records. Every decision is the service's
 * (lib/model/group-service.c). Literal paths ("confirm", "flags") are listed before "{id}" so
 * they are never taken for an id. */
#include "http.h"

static void groups_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_group_list(req->store, &req->actor, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void groups_confirm(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_group_confirm(req->store, &req->actor, req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void flags_all(struct rk_http_req *req, struct rk_http_resp *resp)
{
    const char *status = NULL;
    if (rk_http_query_str(req, resp, "status", &status) != RK_OK)
        return;
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_group_flags(req->store, &req->actor, NULL, status, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void group_get(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_group_get(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void group_patch(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_group_update(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void group_merge(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_group_merge(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void group_split(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_group_split(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void group_members(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_group_members(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void group_flags(struct rk_http_req *req, struct rk_http_resp *resp)
{
    const char *status = NULL;
    if (rk_http_query_str(req, resp, "status", &status) != RK_OK)
        return;
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_group_flags(req->store, &req->actor, req->params[0], status, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void group_flag_ack(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_group_flag_ack(req->store, &req->actor, req->params[0], req->params[1],
                                          req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void actors_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_actor_list(req->store, &req->actor, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void actors_create(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_actor_create(req->store, &req->actor, req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void actor_get(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_actor_get(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void actor_patch(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_actor_update(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static const struct rk_route routes[] = {
    {"GET", "/api/v1/groups", groups_list, 0},
    {"POST", "/api/v1/groups/confirm", groups_confirm, RK_ROUTE_BODY},
    {"GET", "/api/v1/groups/flags", flags_all, 0},
    {"GET", "/api/v1/groups/{id}", group_get, 0},
    {"PATCH", "/api/v1/groups/{id}", group_patch, RK_ROUTE_BODY},
    {"POST", "/api/v1/groups/{id}/merge", group_merge, RK_ROUTE_BODY},
    {"POST", "/api/v1/groups/{id}/split", group_split, RK_ROUTE_BODY},
    {"POST", "/api/v1/groups/{id}/members", group_members, RK_ROUTE_BODY},
    {"GET", "/api/v1/groups/{id}/flags", group_flags, 0},
    {"POST", "/api/v1/groups/{id}/flags/{flag_id}", group_flag_ack, RK_ROUTE_BODY},
    {"GET", "/api/v1/actors", actors_list, 0},
    {"POST", "/api/v1/actors", actors_create, RK_ROUTE_BODY},
    {"GET", "/api/v1/actors/{id}", actor_get, 0},
    {"PATCH", "/api/v1/actors/{id}", actor_patch, RK_ROUTE_BODY},
};

const struct rk_route_set rk_api_groups = {routes, sizeof routes / sizeof routes[0]};
