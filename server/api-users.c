/* /api/v1/users and /api/v1/apikeys: people and machine credentials. Who may list, create or
 * change them is decided by the service (admins; a user may read and change itself as the
 * service allows). */
#include "http.h"

static const struct rk_http_field apikey_fields[] = {
    {"name", RK_JT_STRING, 1, 128},
};

static void users_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_user_list(req->store, &req->actor, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void users_create(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_user_create(req->store, &req->actor, req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void users_get(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_user_get(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void users_update(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_user_update(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void apikeys_create(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_http_body_check(req->body, apikey_fields, 1, &err);
    if (rc == RK_OK)
        rc = rk_apikey_create(req->store, &req->actor, req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void apikeys_revoke(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    enum rk_status rc = rk_apikey_revoke(req->store, &req->actor, req->params[0], &err);
    rk_http_reply(resp, rc, NULL, &err, 204);
}

static const struct rk_route routes[] = {
    {"GET", "/api/v1/users", users_list, 0},
    {"POST", "/api/v1/users", users_create, RK_ROUTE_BODY},
    {"GET", "/api/v1/users/{id}", users_get, 0},
    {"PATCH", "/api/v1/users/{id}", users_update, RK_ROUTE_BODY},
    {"POST", "/api/v1/apikeys", apikeys_create, RK_ROUTE_BODY},
    {"DELETE", "/api/v1/apikeys/{id}", apikeys_revoke, 0},
};

const struct rk_route_set rk_api_users = {routes, sizeof routes / sizeof routes[0]};
