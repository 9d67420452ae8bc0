/* Correlation over HTTP: the reports and cases related to a report, a case, an observable or a
 * value, each explained, with restricted entries for what the caller may not read. Groups
 * (/api/v1/groups) are served by api-groups.c. Every decision is the service's
 * (lib/model/correlate-service.c). */
#include "http.h"

static void related_report(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_correlate_report(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void related_case(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_correlate_case(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void related_observable(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_correlate_observable(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void related_value(struct rk_http_req *req, struct rk_http_resp *resp)
{
    const char *value = NULL, *type = NULL;
    if (rk_http_query_str(req, resp, "value", &value) != RK_OK ||
        rk_http_query_str(req, resp, "type", &type) != RK_OK)
        return;
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_correlate_value(req->store, &req->actor, type, value, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

/* "/api/v1/observables/related" is listed before api-observables.c's "/api/v1/observables/{id}"
 * (route sets are tried in file-name order), so "related" is never taken for an id. */
static const struct rk_route routes[] = {
    {"GET", "/api/v1/reports/{id}/related", related_report, 0},
    {"GET", "/api/v1/cases/{id}/related", related_case, 0},
    {"GET", "/api/v1/observables/related", related_value, 0},
    {"GET", "/api/v1/observables/{id}/related", related_observable, 0},
};

const struct rk_route_set rk_api_correlate = {routes, sizeof routes / sizeof routes[0]};
