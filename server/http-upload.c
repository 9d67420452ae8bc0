/*
 * Streamed uploads and the sweep runner. A sweep job's log files can be gigabytes, so the route
 * that takes them (PUT /api/v1/sweep-jobs/{id}/files) never goes through the JSON body buffer:
 * http-server.c recognises it from the request line, authenticates before reading a byte of the
 * body, and hands each piece of the body to the service's upload (written to the job's directory
 * beside the database, hashed as it goes, capped at RK_MAX_SWEEP_UPLOAD). Every other route keeps
 * the RK_MAX_HTTP_BODY cap.
 *
 * The runner is one background thread per server that runs queued sweep jobs one at a time (the
 * sweep itself uses every core), polling the store twice a second so that a job queued by any
 * request, or by another process on the same database, is picked up without a signal path from
 * the handlers. At start it marks jobs left "running" by a killed server as failed.
 */
#include "http.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "renkei/alloc.h"

static const struct rk_route upload_routes[] = {
    {"PUT", "/api/v1/sweep-jobs/{id}/files", NULL, 0},
};
static const struct rk_route_set upload_set = {upload_routes, 1};

int rk_http_upload_match(const char *method, const char *url, char job_id[64])
{
    const struct rk_route_set *const sets[] = {&upload_set, NULL};
    const struct rk_route *route = NULL;
    const char *params[RK_MAX_HTTP_PARAMS];
    size_t nparams = 0;
    char buf[RK_MAX_HTTP_PARAMS * (RK_MAX_HTTP_PARAM_LEN + 1)];
    if (rk_http_route(sets, method, url, &route, params, &nparams, buf, sizeof buf) !=
            RK_ROUTE_FOUND ||
        nparams != 1)
        return 0;
    snprintf(job_id, 64, "%s", params[0]);
    return 1;
}

/* ===== Runner ===== */

struct rk_http_sweep_runner {
    struct rk_store *store;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop; /* read with __atomic_load_n by the running job, too */
};

static void *runner_main(void *arg)
{
    struct rk_http_sweep_runner *r = arg;
    struct rk_sweep_job_run_opts opt;
    memset(&opt, 0, sizeof opt);
    opt.stop = &r->stop;
    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
        struct rk_error err = {0};
        int ran = 0;
        enum rk_status rc = rk_sweep_job_run(r->store, NULL, &opt, &ran, NULL, &err);
        if (rc != RK_OK)
            fprintf(stderr, "renkei serve: sweep job: %s\n", err.message);
        if (ran && rc == RK_OK)
            continue;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 500 * 1000 * 1000;
        if (ts.tv_nsec >= 1000 * 1000 * 1000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000 * 1000 * 1000;
        }
        pthread_mutex_lock(&r->mu);
        if (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE))
            pthread_cond_timedwait(&r->cv, &r->mu, &ts);
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

enum rk_status rk_http_sweep_runner_start(struct rk_store *s, struct rk_http_sweep_runner **out,
                                          struct rk_error *err)
{
    int n = 0;
    enum rk_status rc = rk_sweep_jobs_recover(s, &n, err);
    if (rc != RK_OK)
        return rc;
    if (n > 0)
        fprintf(stderr, "renkei serve: %d interrupted sweep job(s) marked failed\n", n);
    struct rk_http_sweep_runner *r = rk_calloc(1, sizeof *r);
    if (r == NULL)
        return RK_ENOMEM;
    r->store = s;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    if (pthread_create(&r->th, NULL, runner_main, r) != 0) {
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        rk_free(r);
        snprintf(err->message, sizeof err->message, "cannot start the sweep runner");
        return RK_ENOMEM;
    }
    *out = r;
    return RK_OK;
}

void rk_http_sweep_runner_stop(struct rk_http_sweep_runner *r)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&r->mu);
    __atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->th, NULL);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    rk_free(r);
}
