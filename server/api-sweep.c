/* Sweep jobs on a case (ログ照合): create a job, start it, poll its progress, cancel it, list a
 * case's jobs and its sightings by indicator, host or time. The upload of a job's files is a
 * streamed request handled in server/http-upload.c; the jobs run on the server's sweep runner
 * thread (same file). Every decision is the service's (lib/model/sweep-job.c). */
#include "http.h"

#include <limits.h>

#include "renkei/limits.h"

static void job_create(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc =
        rk_sweep_job_create(req->store, &req->actor, req->params[0], req->body, &out, &err);
    rk_http_reply(resp, rc, out, &err, 201);
}

static void job_list(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_sweep_job_list(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void job_get(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_sweep_job_get(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void job_start(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_sweep_job_start(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 202);
}

static void job_cancel(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_sweep_job_cancel(req->store, &req->actor, req->params[0], &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static void sightings(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_sighting_query q = {0};
    q.limit = RK_DEFAULT_LIST_LIMIT;
    if (rk_http_query_str(req, resp, "group", &q.group) != RK_OK ||
        rk_http_query_int(req, resp, "limit", RK_MAX_LIST_LIMIT, &q.limit) != RK_OK ||
        rk_http_query_int(req, resp, "offset", INT_MAX, &q.offset) != RK_OK)
        return;
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_case_sightings(req->store, &req->actor, req->params[0], &q, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static const struct rk_route routes[] = {
    {"POST", "/api/v1/cases/{id}/sweep-jobs", job_create, RK_ROUTE_BODY},
    {"GET", "/api/v1/cases/{id}/sweep-jobs", job_list, 0},
    {"GET", "/api/v1/cases/{id}/sightings", sightings, 0},
    {"GET", "/api/v1/sweep-jobs/{id}", job_get, 0},
    {"POST", "/api/v1/sweep-jobs/{id}/start", job_start, 0},
    {"POST", "/api/v1/sweep-jobs/{id}/cancel", job_cancel, 0},
};

const struct rk_route_set rk_api_sweep = {routes, sizeof routes / sizeof routes[0]};
