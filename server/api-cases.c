/*
 * /api/v1/cases: 事案・事件 — list, create, read, update, transitions, and the parts of a case
 * (reports, tasks, notes, linked observables, linked cases). Each handler is one service call.
 */
#include "http.h"

#include <limits.h>

static const struct rk_http_field transition_fields[] = {
    {"to", RK_JT_STRING, 1, 64},
    {"comment", RK_JT_STRING | RK_JT_NULL, 0, 4000},
};
static const struct rk_http_field reports_fields[] = {
    {"report_ids", RK_JT_ARRAY, 1, 0},
};
static const struct rk_http_field task_add_fields[] = {
    {"title", RK_JT_STRING, 1, 0},
    {"assignee_id", RK_JT_STRING | RK_JT_NULL, 0, 64},
    {"due", RK_JT_STRING | RK_JT_NULL, 0, 64},
};
static const struct rk_http_field task_update_fields[] = {
    {"title", RK_JT_STRING, 0, 0},
    {"done", RK_JT_BOOL, 0, 0},
    {"assignee_id", RK_JT_STRING | RK_JT_NULL, 0, 64},
    {"due", RK_JT_STRING | RK_JT_NULL, 0, 64},
};
static const struct rk_http_field note_fields[] = {
    {"text", RK_JT_STRING, 1, 0},
};
static const struct rk_http_field obs_fields[] = {
    {"value", RK_JT_STRING, 1, 0},
    {"type", RK_JT_STRING | RK_JT_NULL, 0, 32},
    {"role", RK_JT_STRING, 1, 64},
};
static const struct rk_http_field link_fields[] = {
    {"case_id", RK_JT_STRING, 1, 64},
    {"relation", RK_JT_STRING, 1, 32},
};

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static void cases_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_case_query q = {0};
    q.limit = 50;
    if (rk_http_query_str(req, resp, "q", &q.q) != RK_OK ||
        rk_http_query_str(req, resp, "status", &q.status) != RK_OK ||
        rk_http_query_str(req, resp, "unit_id", &q.unit_id) != RK_OK ||
        rk_http_query_int(req, resp, "limit", 500, &q.limit) != RK_OK ||
        rk_http_query_int(req, resp, "offset", INT_MAX, &q.offset) != RK_OK)
        return;
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_case_list(req->store, &req->actor, &q, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void cases_create(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_case_create(req->store, &req->actor, req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void cases_get(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_case_get(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void cases_update(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_case_update(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void cases_transition(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_http_body_check(req->body, transition_fields, NFIELDS(transition_fields), &err);
    if (rc == RK_OK)
        rc = rk_case_transition(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void cases_add_reports(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_http_body_check(req->body, reports_fields, NFIELDS(reports_fields), &err);
    if (rc == RK_OK)
        rc = rk_case_add_reports(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void cases_task_add(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_http_body_check(req->body, task_add_fields, NFIELDS(task_add_fields), &err);
    if (rc == RK_OK)
        rc = rk_case_task_add(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void cases_task_update(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_http_body_check(req->body, task_update_fields, NFIELDS(task_update_fields), &err);
    if (rc == RK_OK)
        rc = rk_case_task_update(req->store, &req->actor, req->params[0], req->params[1], req->body,
                                 &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void cases_note_add(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_http_body_check(req->body, note_fields, NFIELDS(note_fields), &err);
    if (rc == RK_OK)
        rc = rk_case_note_add(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void cases_obs_link(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_http_body_check(req->body, obs_fields, NFIELDS(obs_fields), &err);
    if (rc == RK_OK)
        rc =
            rk_case_observable_link(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void cases_obs_unlink(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    enum rk_status rc =
        rk_case_observable_unlink(req->store, &req->actor, req->params[0], req->params[1], &err);
    rk_http_reply(resp, rc, NULL, &err, 204);
}

static void cases_link_case(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_http_body_check(req->body, link_fields, NFIELDS(link_fields), &err);
    if (rc == RK_OK)
        rc = rk_case_link_case(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static const struct rk_route routes[] = {
    {"GET", "/api/v1/cases", cases_list, 0},
    {"POST", "/api/v1/cases", cases_create, RK_ROUTE_BODY},
    {"GET", "/api/v1/cases/{id}", cases_get, 0},
    {"PATCH", "/api/v1/cases/{id}", cases_update, RK_ROUTE_BODY},
    {"POST", "/api/v1/cases/{id}/transition", cases_transition, RK_ROUTE_BODY},
    {"POST", "/api/v1/cases/{id}/reports", cases_add_reports, RK_ROUTE_BODY},
    {"POST", "/api/v1/cases/{id}/tasks", cases_task_add, RK_ROUTE_BODY},
    {"PATCH", "/api/v1/cases/{id}/tasks/{tid}", cases_task_update, RK_ROUTE_BODY},
    {"POST", "/api/v1/cases/{id}/notes", cases_note_add, RK_ROUTE_BODY},
    {"POST", "/api/v1/cases/{id}/observables", cases_obs_link, RK_ROUTE_BODY},
    {"DELETE", "/api/v1/cases/{id}/observables/{oid}", cases_obs_unlink, 0},
    {"POST", "/api/v1/cases/{id}/links", cases_link_case, RK_ROUTE_BODY},
};

const struct rk_route_set rk_api_cases = {routes, sizeof routes / sizeof routes[0]};
