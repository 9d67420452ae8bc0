/* /api/v1/audit: recent audit events, and a check of the hash chain. */
#include "http.h"

#include <limits.h>

static void audit_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    int limit = 50, offset = 0;
    if (rk_http_query_int(req, resp, "limit", 500, &limit) != RK_OK ||
        rk_http_query_int(req, resp, "offset", INT_MAX, &offset) != RK_OK)
        return;
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_audit_list(req->store, &req->actor, limit, offset, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void audit_verify(struct rk_http_req *req, struct rk_http_resp *resp)
{
    /* rk_audit_verify() is the installation checking itself and takes no identity, so the
     * server lets only the roles that may read the audit log (as rk_audit_list decides:
     * supervisor, admin) start it over HTTP. */
    if (req->actor.role != RK_ROLE_SUPERVISOR && req->actor.role != RK_ROLE_ADMIN) {
        rk_http_error(resp, RK_EFORBIDDEN, "", "only supervisors and admins verify the audit log");
        return;
    }
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_audit_verify(req->store, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static const struct rk_route routes[] = {
    {"GET", "/api/v1/audit", audit_list, 0},
    {"GET", "/api/v1/audit/verify", audit_verify, 0},
};

const struct rk_route_set rk_api_audit = {routes, sizeof routes / sizeof routes[0]};
