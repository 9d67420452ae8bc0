/*
 * bench/store: the service layer without HTTP, on a demo database. Measures, as the demo
 * analyst (sousa1) with every read audited:
 *   1. rk_report_get of random reports from T threads for S seconds (gets/s, p99);
 *   2. rk_report_list of 50 (lists/s);
 *   3. search latency: a 3+ character term (trigram index) and a 2-character term (LIKE path).
 * usage: bench-store DB THREADS SECONDS
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "renkei/alloc.h"
#include "renkei/parse.h"
#include "renkei/service.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct worker {
    struct rk_store *s;
    const struct rk_actor *who;
    char (*ids)[37];
    int nids;
    double until;
    int mode; /* 0 get, 1 list */
    unsigned seed;
    long ops, errors;
    double *lat;
    long nlat, caplat;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    while (now_s() < w->until) {
        w->seed = w->seed * 1103515245u + 12345u;
        json_t *o = NULL;
        struct rk_error err = {0};
        double t0 = now_s();
        enum rk_status rc;
        if (w->mode == 0) {
            rc = rk_report_get(w->s, w->who, w->ids[(w->seed >> 8) % (unsigned)w->nids], &o,
                               &err);
        } else {
            struct rk_report_query q = {.limit = 50, .offset = (int)((w->seed >> 8) % 200)};
            rc = rk_report_list(w->s, w->who, &q, &o, &err);
        }
        double dt = now_s() - t0;
        if (rc == RK_OK)
            w->ops++;
        else
            w->errors++;
        if (w->nlat < w->caplat)
            w->lat[w->nlat++] = dt;
        json_decref(o);
    }
    return NULL;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void run(struct rk_store *s, const struct rk_actor *who, char (*ids)[37], int nids,
                int threads, double secs, int mode, const char *name)
{
    struct worker w[64];
    pthread_t t[64];
    double t0 = now_s();
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){s, who, ids, nids, t0 + secs, mode, (unsigned)(i * 7919 + 1),
                               0, 0, NULL, 0, 2000000};
        w[i].lat = rk_calloc((size_t)w[i].caplat, sizeof(double));
        pthread_create(&t[i], NULL, work, &w[i]);
    }
    long ops = 0, errors = 0, nlat = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        ops += w[i].ops;
        errors += w[i].errors;
        nlat += w[i].nlat;
    }
    double el = now_s() - t0;
    double *all = rk_calloc((size_t)nlat + 1, sizeof(double));
    long k = 0;
    for (int i = 0; i < threads; i++) {
        memcpy(all + k, w[i].lat, (size_t)w[i].nlat * sizeof(double));
        k += w[i].nlat;
        rk_free(w[i].lat);
    }
    qsort(all, (size_t)nlat, sizeof(double), cmp_d);
    printf("%-22s %8.0f ops/s  p50 %6.2f ms  p99 %6.2f ms  (%ld ops, %ld errors, %d threads)\n",
           name, (double)ops / el, nlat ? all[nlat / 2] * 1e3 : 0,
           nlat ? all[(long)(nlat * 0.99)] * 1e3 : 0, ops, errors, threads);
    rk_free(all);
}

static void search(struct rk_store *s, const struct rk_actor *who, const char *q)
{
    struct rk_report_query rq = {.q = q, .limit = 50};
    json_t *o = NULL;
    struct rk_error err = {0};
    double best = 1e9;
    long long total = -1;
    for (int i = 0; i < 3; i++) {
        double t0 = now_s();
        if (rk_report_list(s, who, &rq, &o, &err) == RK_OK)
            total = (long long)json_integer_value(json_object_get(o, "total"));
        double dt = now_s() - t0;
        if (dt < best)
            best = dt;
        json_decref(o);
        o = NULL;
    }
    printf("search %-15s %8.1f ms  (%lld matches, best of 3)\n", q, best * 1e3, total);
}

int main(int argc, char **argv)
{
    uint64_t threads, secs;
    if (argc != 4 || rk_parse_u64(argv[2], strlen(argv[2]), 64, &threads) != RK_OK ||
        rk_parse_u64(argv[3], strlen(argv[3]), 3600, &secs) != RK_OK || threads == 0) {
        fprintf(stderr, "usage: bench-store DB THREADS SECONDS\n");
        return 2;
    }
    struct rk_store *s = NULL;
    struct rk_error err = {0};
    if (rk_store_open(argv[1], &s, &err) != RK_OK) {
        fprintf(stderr, "bench-store: %s\n", err.message);
        return 1;
    }
    struct rk_actor sys, who;
    rk_actor_system(&sys);
    json_t *u = NULL;
    if (rk_user_find(s, &sys, "sousa1", &u, &err) != RK_OK) {
        fprintf(stderr, "bench-store: no demo analyst sousa1 (run renkei demo)\n");
        return 1;
    }
    memset(&who, 0, sizeof(who));
    snprintf(who.user_id, sizeof(who.user_id), "%s", json_string_value(json_object_get(u, "id")));
    snprintf(who.unit_id, sizeof(who.unit_id), "%s",
             json_string_value(json_object_get(json_object_get(u, "unit"), "id")));
    snprintf(who.login, sizeof(who.login), "sousa1");
    who.role = RK_ROLE_ANALYST;
    json_decref(u);
    /* Report ids the analyst may read, straight from the file. */
    sqlite3 *db;
    sqlite3_stmt *st;
    int cap = 20000, n = 0;
    char(*ids)[37] = rk_calloc((size_t)cap, 37);
    sqlite3_open(argv[1], &db);
    sqlite3_prepare_v2(db,
                       "SELECT id FROM reports WHERE tlp <> 'RED' AND scope <> 'unit'"
                       " ORDER BY random() LIMIT 20000",
                       -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW && n < cap)
        snprintf(ids[n++], 37, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    long long total = 0;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM reports", -1, &st, NULL);
    if (sqlite3_step(st) == SQLITE_ROW)
        total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    printf("database: %s, %lld reports\n", argv[1], total);
    /* BENCH_ONLY=list runs the list phase alone (for profiling). */
    const char *only = getenv("BENCH_ONLY");
    int lists_only = only != NULL && strcmp(only, "list") == 0;
    if (!lists_only) {
        run(s, &who, ids, n, 1, (double)secs, 0, "get report (1 thread)");
        run(s, &who, ids, n, (int)threads, (double)secs, 0, "get report");
    }
    run(s, &who, ids, n, (int)threads, (double)secs, 1, "list 50 reports");
    if (lists_only) {
        rk_free(ids);
        rk_store_close(s);
        return 0;
    }
    search(s, &who, "通販サイト");
    search(s, &who, "ランサムウェア");
    search(s, &who, "詐欺");
    search(s, &who, "口座");
    search(s, &who, "口座 架空銀行");
    double t0 = now_s();
    json_t *v = NULL;
    rk_audit_verify(s, &v, &err);
    printf("audit verify           %8.1f ms  (%lld events, ok=%d)\n", (now_s() - t0) * 1e3,
           (long long)json_integer_value(json_object_get(v, "events")),
           json_is_true(json_object_get(v, "ok")));
    json_decref(v);
    rk_free(ids);
    rk_store_close(s);
    return 0;
}
