/*
 * A real store in a fresh temporary directory, with an org tree and one user per role, for the
 * unit tests of lib/store, lib/share, lib/audit and lib/model. No mocks: the tests run the same
 * SQLite file, migrations, access rules and audit chain that `renkei serve` runs.
 *
 * Units: HQ (hq_division) > サイバー捜査課 (hq_division), 東浜警察署 and 北山警察署 (stations);
 * 警察庁 (npa); 架空通信株式会社 (partner).
 * Users: station_a (東浜), station_b (北山), analyst, analyst2, supervisor (サイバー捜査課), admin
 * (HQ), npa (警察庁, analyst role), partner.
 */
#ifndef RK_STORE_FIXTURE_H
#define RK_STORE_FIXTURE_H

#include "rk-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "renkei/alloc.h"
#include "renkei/service.h"

/* Helpers are unused by some suites. */
#define FX_FN static __attribute__((unused))

struct fx {
    char dir[64];
    char path[128];
    struct rk_store *s;
    char hq[37], div[37], sta[37], stb[37], npa_unit[37], partner_unit[37];
    struct rk_actor sys, station_a, station_b, analyst, analyst2, supervisor, admin, npa,
        partner;
};

FX_FN void fx_unit(struct fx *f, const char *name, const char *kind, const char *parent,
                    char out[37])
{
    struct rk_actor sys;
    rk_actor_system(&sys);
    json_t *in = json_pack("{s:s,s:s,s:s?}", "name", name, "kind", kind, "parent_id", parent);
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_unit_create(f->s, &sys, in, &o, &err), RK_OK);
    snprintf(out, 37, "%s", json_string_value(json_object_get(o, "id")));
    json_decref(in);
    json_decref(o);
}

FX_FN void fx_user(struct fx *f, const char *login, const char *role, const char *unit,
                    struct rk_actor *a)
{
    struct rk_actor sys;
    rk_actor_system(&sys);
    json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "login", login, "password",
                           "test-password-123", "name", login, "role", role, "unit_id", unit);
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_user_create(f->s, &sys, in, &o, &err), RK_OK);
    memset(a, 0, sizeof(*a));
    snprintf(a->user_id, sizeof(a->user_id), "%s", json_string_value(json_object_get(o, "id")));
    snprintf(a->unit_id, sizeof(a->unit_id), "%s", unit);
    snprintf(a->login, sizeof(a->login), "%s", login);
    a->role = rk_role_from_name(role);
    json_decref(in);
    json_decref(o);
}

FX_FN struct fx *fx_open(void)
{
    struct fx *f = rk_calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/rk-test-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/renkei.db", f->dir);
    struct rk_error err = {0};
    assert_int_equal(rk_store_open(f->path, &f->s, &err), RK_OK);
    rk_actor_system(&f->sys);
    fx_unit(f, "〇〇県警察本部", "hq_division", NULL, f->hq);
    fx_unit(f, "サイバー捜査課", "hq_division", f->hq, f->div);
    fx_unit(f, "東浜警察署", "station", f->hq, f->sta);
    fx_unit(f, "北山警察署", "station", f->hq, f->stb);
    fx_unit(f, "警察庁サイバー警察局", "npa", NULL, f->npa_unit);
    fx_unit(f, "架空通信株式会社", "partner", NULL, f->partner_unit);
    fx_user(f, "station_a", "station", f->sta, &f->station_a);
    fx_user(f, "station_b", "station", f->stb, &f->station_b);
    fx_user(f, "analyst", "analyst", f->div, &f->analyst);
    fx_user(f, "analyst2", "analyst", f->div, &f->analyst2);
    fx_user(f, "supervisor", "supervisor", f->div, &f->supervisor);
    fx_user(f, "admin", "admin", f->hq, &f->admin);
    fx_user(f, "npa", "analyst", f->npa_unit, &f->npa);
    fx_user(f, "partner", "partner", f->partner_unit, &f->partner);
    return f;
}

FX_FN void fx_close(struct fx *f)
{
    char cmd[160];
    rk_store_close(f->s);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    rk_free(f);
}

/* Files a report as `who`; returns its id in `id`. `extra` (may be NULL) is merged in. */
FX_FN void fx_report(struct fx *f, const struct rk_actor *who, const char *title,
                      const char *narrative, json_t *extra, char id[37])
{
    json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "intake_type", "sodan", "channel", "denwa",
                           "category", "phishing", "title", title, "narrative", narrative);
    if (extra != NULL)
        json_object_update(in, extra);
    json_t *o = NULL;
    struct rk_error err = {0};
    enum rk_status rc = rk_report_create(f->s, who, in, &o, &err);
    if (rc != RK_OK)
        fprintf(stderr, "fx_report: %s (%s)\n", err.message, err.field);
    assert_int_equal(rc, RK_OK);
    snprintf(id, 37, "%s", json_string_value(json_object_get(o, "id")));
    json_decref(in);
    json_decref(o);
}

/* Counts rows with a direct SQLite query (to check that failed calls wrote nothing). */
#include <sqlite3.h>
FX_FN long long fx_count(struct fx *f, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

#endif
