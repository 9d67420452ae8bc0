/*
 * /api/v1/session: log-in (password → session cookie + CSRF token), who am I, log-out. The
 * cookie is HttpOnly and SameSite=Strict (Secure under TLS); the CSRF token goes back in the
 * JSON body for the UI to send as X-CSRF-Token.
 */
#include "http.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const struct rk_http_field login_fields[] = {
    {"login", RK_JT_STRING, 1, 64},
    {"password", RK_JT_STRING, 1, 1024},
};

/* The user object of the caller: the service's full record when it lets the caller read it,
 * else what the session itself says. */
static json_t *user_json(struct rk_store *store, const struct rk_actor *a)
{
    json_t *u = NULL;
    if (rk_user_get(store, a, a->user_id, &u, NULL) == RK_OK && u != NULL)
        return u;
    return json_pack("{s:s,s:s,s:s,s:{s:s}}", "id", a->user_id, "login", a->login, "role",
                     rk_role_name(a->role) != NULL ? rk_role_name(a->role) : "", "unit", "id",
                     a->unit_id);
}

static void session_login(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    struct rk_session sess;
    enum rk_status rc = rk_http_body_check(req->body, login_fields, 2, &err);
    if (rc != RK_OK) {
        rk_http_error_from(resp, rc, &err);
        return;
    }
    const char *login = json_string_value(json_object_get(req->body, "login"));
    const char *password = json_string_value(json_object_get(req->body, "password"));
    rc = rk_auth_login(req->store, login, password, req->client, &sess, &err);
    if (rc != RK_OK) {
        rk_http_error_from(resp, rc, &err);
        return;
    }
    int64_t max_age = sess.expires_at - (int64_t)time(NULL);
    if (rk_http_session_cookie(resp->set_cookie, sizeof resp->set_cookie, sess.token,
                               max_age > 0 ? max_age : 1, req->tls) != RK_OK) {
        rk_http_error(resp, RK_ENOMEM, "", "cannot write the session cookie");
        return;
    }
    json_t *out =
        json_pack("{s:o,s:s}", "user", user_json(req->store, &sess.actor), "csrf", sess.csrf);
    memset(&sess, 0, sizeof sess);
    rk_http_reply(resp, out != NULL ? RK_OK : RK_ENOMEM, out, NULL, 200);
}

static void session_get(struct rk_http_req *req, struct rk_http_resp *resp)
{
    json_t *out =
        json_pack("{s:o,s:s?}", "user", user_json(req->store, &req->actor), "csrf", req->csrf);
    rk_http_reply(resp, out != NULL ? RK_OK : RK_ENOMEM, out, NULL, 200);
}

static void session_delete(struct rk_http_req *req, struct rk_http_resp *resp)
{
    if (req->session_token != NULL) {
        rk_auth_logout(req->store, req->session_token);
        rk_http_session_cookie(resp->set_cookie, sizeof resp->set_cookie, "", 0, req->tls);
    }
    rk_http_reply(resp, RK_OK, json_pack("{s:b}", "ok", 1), NULL, 200);
}

static const struct rk_route routes[] = {
    {"POST", "/api/v1/session", session_login, RK_ROUTE_PUBLIC | RK_ROUTE_BODY},
    {"GET", "/api/v1/session", session_get, 0},
    {"DELETE", "/api/v1/session", session_delete, 0},
};

const struct rk_route_set rk_api_session = {routes, sizeof routes / sizeof routes[0]};
