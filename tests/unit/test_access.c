/* The access matrix at the service level: each role × reports / cases / observables / users ×
 * read / write → allowed or forbidden, TLP and scope gates, and the agreement of the two forms
 * of the rules (the C predicate behind a get and the SQL expression behind a list). */
#include "store-fixture.h"

enum who { STA_A, STA_B, ANALYST, ANALYST2, SUPERVISOR, ADMIN, NPA, PARTNER, WHO_COUNT };

static const struct rk_actor *actor(struct fx *f, enum who w)
{
    const struct rk_actor *all[] = {&f->station_a, &f->station_b, &f->analyst,
                                    &f->analyst2,  &f->supervisor, &f->admin,
                                    &f->npa,       &f->partner};
    return all[w];
}

struct world {
    struct fx *f;
    char report[37];     /* by station_a, AMBER / prefecture */
    char red_report[37]; /* by station_a, RED */
    char strict[37];     /* by station_a, AMBER+STRICT */
    char unit_scope[37]; /* by station_a, scope unit */
    char police[37];     /* by station_a, scope police */
    char kase[37];       /* by analyst, lead サイバー捜査課, assignee station_b */
    char red_case[37];   /* by analyst, RED, assignee analyst2 */
    char obs[37];        /* an observable only in `report` */
};

static void scoped_report(struct fx *f, const char *tlp, const char *scope, const char *text,
                          char id[37])
{
    json_t *x = json_pack("{s:s,s:s}", "tlp", tlp, "scope", scope);
    fx_report(f, &f->station_a, "相談", text, x, id);
    json_decref(x);
}

static int setup(void **state)
{
    struct world *w = rk_calloc(1, sizeof(*w));
    struct fx *f = fx_open();
    w->f = f;
    scoped_report(f, "AMBER", "prefecture", "偽サイト https://only-here.example.com/p を見た",
                  w->report);
    scoped_report(f, "RED", "prefecture", "機微な相談", w->red_report);
    scoped_report(f, "AMBER+STRICT", "police", "組織内限定", w->strict);
    scoped_report(f, "GREEN", "unit", "所属限定", w->unit_scope);
    scoped_report(f, "GREEN", "police", "全国共有", w->police);
    json_t *in = json_pack("{s:s,s:s,s:[s],s:[s]}", "title", "偽サイト事案", "lead_unit_id",
                           f->div, "assignee_ids", f->station_b.user_id, "report_ids", w->report);
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_case_create(f->s, &f->analyst, in, &o, &err), RK_OK);
    snprintf(w->kase, 37, "%s", json_string_value(json_object_get(o, "id")));
    json_decref(in);
    json_decref(o);
    in = json_pack("{s:s,s:s,s:[s]}", "title", "秘匿事案", "tlp", "RED", "assignee_ids",
                   f->analyst2.user_id);
    assert_int_equal(rk_case_create(f->s, &f->analyst, in, &o, &err), RK_OK);
    snprintf(w->red_case, 37, "%s", json_string_value(json_object_get(o, "id")));
    json_decref(in);
    json_decref(o);
    struct rk_obs_query q = {.q = "only-here.example.com/p"};
    assert_int_equal(rk_observable_list(f->s, &f->analyst, &q, &o, &err), RK_OK);
    snprintf(w->obs, 37, "%s",
             json_string_value(json_object_get(json_array_get(json_object_get(o, "items"), 0),
                                               "id")));
    json_decref(o);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    fx_close(w->f);
    rk_free(w);
    return 0;
}

enum op {
    REPORT_READ,
    REPORT_WRITE,
    REPORT_CREATE,
    CASE_READ,
    CASE_WRITE,
    CASE_CREATE,
    OBS_READ,
    USER_LIST,
    USER_CREATE,
    UNIT_CREATE,
    OP_COUNT
};

static const char *const op_names[] = {"report read", "report write", "report create",
                                       "case read",   "case write",   "case create",
                                       "obs read",    "user list",    "user create",
                                       "unit create"};

/* 1 allowed, 0 forbidden; rows in the order of enum who. */
static const int matrix[WHO_COUNT][OP_COUNT] = {
    /*             rR rW rC cR cW cC oR uL uC nC */
    [STA_A] = {1, 1, 1, 0, 0, 0, 1, 0, 0, 0},
    [STA_B] = {0, 0, 1, 1, 1, 0, 0, 0, 0, 0}, /* assignee of the case, not of the report */
    [ANALYST] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    [ANALYST2] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    [SUPERVISOR] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    [ADMIN] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1},
    [NPA] = {0, 0, 1, 0, 0, 1, 1, 1, 0, 0}, /* scope "prefecture" stops at the prefecture */
    [PARTNER] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
};

static enum rk_status run_op(struct world *w, enum op op, const struct rk_actor *a, int n)
{
    struct fx *f = w->f;
    json_t *o = NULL, *in = NULL;
    struct rk_error err = {0};
    enum rk_status rc = RK_EINVAL;
    char login[32];
    switch (op) {
    case REPORT_READ:
        rc = rk_report_get(f->s, a, w->report, &o, &err);
        break;
    case REPORT_WRITE:
        in = json_pack("{s:b}", "urgent", 1);
        rc = rk_report_update(f->s, a, w->report, in, &o, &err);
        break;
    case REPORT_CREATE:
        in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "intake_type", "tsuho", "channel", "online",
                       "category", "spam", "title", "迷惑メール", "narrative", "迷惑メール");
        rc = rk_report_create(f->s, a, in, &o, &err);
        break;
    case CASE_READ:
        rc = rk_case_get(f->s, a, w->kase, &o, &err);
        break;
    case CASE_WRITE:
        in = json_pack("{s:s}", "text", "メモ");
        rc = rk_case_note_add(f->s, a, w->kase, in, &o, &err);
        break;
    case CASE_CREATE:
        in = json_pack("{s:s}", "title", "新規事案");
        rc = rk_case_create(f->s, a, in, &o, &err);
        break;
    case OBS_READ:
        rc = rk_observable_get(f->s, a, w->obs, &o, &err);
        break;
    case USER_LIST:
        rc = rk_user_list(f->s, a, &o, &err);
        break;
    case USER_CREATE:
        snprintf(login, sizeof(login), "new%d", n);
        in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "login", login, "password", "password-12345",
                       "name", "新規", "role", "analyst", "unit_id", f->div);
        rc = rk_user_create(f->s, a, in, &o, &err);
        break;
    case UNIT_CREATE:
        in = json_pack("{s:s,s:s,s:s}", "name", "新設警察署", "kind", "station", "parent_id",
                       f->hq);
        rc = rk_unit_create(f->s, a, in, &o, &err);
        break;
    case OP_COUNT:
        break;
    }
    json_decref(in);
    json_decref(o);
    return rc;
}

static void test_matrix(void **state)
{
    struct world *w = *state;
    int n = 0;
    for (int who = 0; who < WHO_COUNT; who++) {
        for (int op = 0; op < OP_COUNT; op++) {
            enum rk_status rc = run_op(w, (enum op)op, actor(w->f, (enum who)who), n++);
            enum rk_status want = matrix[who][op] ? RK_OK : RK_EFORBIDDEN;
            if (rc != want)
                fprintf(stderr, "%s × %s: got %s\n", actor(w->f, (enum who)who)->login,
                        op_names[op], rk_status_code(rc));
            assert_int_equal(rc, want);
        }
    }
}

struct mark_case {
    enum who who;
    int report; /* which report of the world: 0 red, 1 strict, 2 unit scope, 3 police */
    int allowed;
};

static const struct mark_case mark_cases[] = {
    {STA_A, 0, 1},      /* RED: the creator is named */
    {ANALYST, 0, 0},    /* RED: nobody else */
    {SUPERVISOR, 0, 0}, /* not even a supervisor */
    {ANALYST, 1, 1},    /* AMBER+STRICT inside the prefecture */
    {NPA, 1, 0},        /* ... not outside it, even with scope police */
    {ANALYST, 2, 0},    /* scope unit: only the holding unit */
    {STA_A, 2, 1},
    {NPA, 3, 1},        /* GREEN, scope police: the NPA too */
    {PARTNER, 3, 0},    /* partners never */
};

static void test_tlp_and_scope(void **state)
{
    struct world *w = *state;
    const char *ids[] = {w->red_report, w->strict, w->unit_scope, w->police};
    for (size_t i = 0; i < RK_ARRAY_LEN(mark_cases); i++) {
        json_t *o = NULL;
        struct rk_error err = {0};
        enum rk_status rc = rk_report_get(w->f->s, actor(w->f, mark_cases[i].who),
                                          ids[mark_cases[i].report], &o, &err);
        assert_int_equal(rc, mark_cases[i].allowed ? RK_OK : RK_EFORBIDDEN);
        json_decref(o);
    }
    /* A RED case: its assignee and creator only. */
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_case_get(w->f->s, &w->f->analyst2, w->red_case, &o, &err), RK_OK);
    json_decref(o);
    assert_int_equal(rk_case_get(w->f->s, &w->f->analyst, w->red_case, &o, &err), RK_OK);
    json_decref(o);
    assert_int_equal(rk_case_get(w->f->s, &w->f->supervisor, w->red_case, &o, &err),
                     RK_EFORBIDDEN);
}

/* Writes access grants straight into the store (as lib/model/access-request.c would): `who`
 * on report or case `id`, until `expires` (NULL: no expiry). */
static void plant_grant(struct world *w, const char *kind, const char *id, enum who who,
                        const char *expires)
{
    static int n;
    sqlite3 *db;
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO access_grants (id, object_kind, object_id, user_id, granted_by,"
             " granted_at, expires_at) VALUES ('grant-%d', '%s', '%s', '%s', '%s',"
             " '2026-01-01T00:00:00Z', %s%s%s)",
             n++, kind, id, actor(w->f, who)->user_id, w->f->analyst.user_id, expires ? "'" : "",
             expires ? expires : "NULL", expires ? "'" : "");
    assert_int_equal(sqlite3_open(w->f->path, &db), SQLITE_OK);
    /* The store's audit writer may hold the write lock for a moment. */
    sqlite3_busy_timeout(db, 10000);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* Grants that open (unexpired) and grants that no longer do (expired), on both kinds, for
 * callers the markings or a station's unit would otherwise stop, and one for a partner (gate 1
 * still stops it). The agreement tests below run over this world. */
static void plant_grants(struct world *w)
{
    plant_grant(w, "report", w->red_report, ANALYST, NULL);                 /* RED, opens */
    plant_grant(w, "report", w->unit_scope, STA_B, "2999-01-01T00:00:00Z"); /* other station */
    plant_grant(w, "report", w->strict, NPA, "2000-01-01T00:00:00Z");       /* expired */
    plant_grant(w, "report", w->police, PARTNER, NULL);                     /* role gate wins */
    plant_grant(w, "case", w->red_case, SUPERVISOR, "2999-01-01T00:00:00Z");
    plant_grant(w, "case", w->red_case, STA_A, "2000-01-01T00:00:00Z"); /* expired */
    plant_grant(w, "case", w->kase, STA_A, NULL);                       /* station, other unit */
}

struct grant_case {
    enum who who;
    int is_case;
    int object; /* report: 0 red, 1 strict, 2 unit scope, 3 police; case: 0 kase, 1 red */
    int allowed;
};

static const struct grant_case grant_cases[] = {
    {ANALYST, 0, 0, 1},    /* RED report: a grant names the analyst */
    {SUPERVISOR, 0, 0, 0}, /* ... nobody else */
    {STA_B, 0, 2, 1},      /* a station reads another station's report it was granted */
    {NPA, 0, 1, 0},        /* expired: the NPA is stopped again */
    {PARTNER, 0, 3, 0},    /* partners never read reports, grant or not */
    {SUPERVISOR, 1, 1, 1}, /* RED case: granted */
    {STA_A, 1, 1, 0},      /* expired */
    {STA_A, 1, 0, 1},      /* a station, granted a case its unit does not lead */
};

static void test_grants(void **state)
{
    struct world *w = *state;
    plant_grants(w);
    const char *reports[] = {w->red_report, w->strict, w->unit_scope, w->police};
    const char *cases[] = {w->kase, w->red_case};
    for (size_t i = 0; i < RK_ARRAY_LEN(grant_cases); i++) {
        const struct grant_case *g = &grant_cases[i];
        json_t *o = NULL;
        struct rk_error err = {0};
        const struct rk_actor *a = actor(w->f, g->who);
        enum rk_status rc = g->is_case ? rk_case_get(w->f->s, a, cases[g->object], &o, &err)
                                       : rk_report_get(w->f->s, a, reports[g->object], &o, &err);
        if (rc != (g->allowed ? RK_OK : RK_EFORBIDDEN))
            fprintf(stderr, "grant case %zu: got %s\n", i, rk_status_code(rc));
        assert_int_equal(rc, g->allowed ? RK_OK : RK_EFORBIDDEN);
        json_decref(o);
    }
}

/* For every caller, the case list (SQL form) holds exactly the cases a get (C form) allows,
 * grants and expired grants included. */
static void test_case_list_agrees_with_get(void **state)
{
    struct world *w = *state;
    plant_grants(w);
    for (int who = 0; who < WHO_COUNT; who++) {
        const struct rk_actor *a = actor(w->f, (enum who)who);
        json_t *all = NULL, *o = NULL;
        struct rk_error err = {0};
        struct rk_case_query q = {.limit = 500};
        enum rk_status rc = rk_case_list(w->f->s, a, &q, &all, &err);
        if (rc == RK_EFORBIDDEN) {
            assert_true(who == ADMIN || who == PARTNER);
            continue;
        }
        assert_int_equal(rc, RK_OK);
        size_t listed = json_array_size(json_object_get(all, "items")), readable = 0;
        const char *ids[] = {w->kase, w->red_case};
        for (size_t k = 0; k < RK_ARRAY_LEN(ids); k++) {
            int in_list = 0;
            size_t i;
            json_t *e;
            json_array_foreach(json_object_get(all, "items"), i, e) in_list |=
                strcmp(json_string_value(json_object_get(e, "id")), ids[k]) == 0;
            int can = rk_case_get(w->f->s, a, ids[k], &o, &err) == RK_OK;
            json_decref(o);
            o = NULL;
            assert_int_equal(in_list, can);
            readable += (size_t)can;
        }
        assert_int_equal(listed, readable);
        json_decref(all);
    }
}

/* For every caller, the list (SQL form) holds exactly the reports a get (C form) allows. */
static void test_list_agrees_with_get(void **state)
{
    struct world *w = *state;
    for (int who = 0; who < WHO_COUNT; who++) {
        const struct rk_actor *a = actor(w->f, (enum who)who);
        json_t *all = NULL, *o = NULL;
        struct rk_error err = {0};
        struct rk_report_query q = {.limit = 500};
        enum rk_status rc = rk_report_list(w->f->s, a, &q, &all, &err);
        if (rc == RK_EFORBIDDEN) {
            assert_true(who == ADMIN || who == PARTNER);
            continue;
        }
        assert_int_equal(rc, RK_OK);
        size_t listed = json_array_size(json_object_get(all, "items"));
        long long total = fx_count(w->f, "SELECT count(*) FROM reports");
        size_t readable = 0;
        sqlite3 *db;
        sqlite3_stmt *st;
        /* Every report id, from a direct query. */
        assert_int_equal(sqlite3_open(w->f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT id FROM reports", -1, &st, NULL),
                         SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *id = (const char *)sqlite3_column_text(st, 0);
            int in_list = 0;
            size_t i;
            json_t *e;
            json_array_foreach(json_object_get(all, "items"), i, e) in_list |=
                strcmp(json_string_value(json_object_get(e, "id")), id) == 0;
            int can = rk_report_get(w->f->s, a, id, &o, &err) == RK_OK;
            json_decref(o);
            o = NULL;
            assert_int_equal(in_list, can);
            readable += (size_t)can;
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
        assert_int_equal(listed, readable);
        assert_true(total >= (long long)readable);
        json_decref(all);
    }
}

/* The report agreement again, with grants and expired grants in the store. */
static void test_grants_list_agrees_with_get(void **state)
{
    plant_grants(*state);
    test_list_agrees_with_get(state);
}

/* A case the caller may not read appears in a report's "cases" only as restricted. */
static void test_restricted_case_in_report(void **state)
{
    struct world *w = *state;
    struct fx *f = w->f;
    json_t *in = json_pack("{s:[s]}", "report_ids", w->police);
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_case_add_reports(f->s, &f->analyst, w->red_case, in, &o, &err), RK_OK);
    json_decref(in);
    json_decref(o);
    assert_int_equal(rk_report_get(f->s, &f->station_a, w->police, &o, &err), RK_OK);
    json_t *c0 = json_array_get(json_object_get(o, "cases"), 0);
    assert_true(json_is_true(json_object_get(c0, "restricted")));
    assert_null(json_object_get(c0, "title"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(c0, "unit"), "name")),
                        "サイバー捜査課");
    json_decref(o);
    assert_int_equal(rk_report_get(f->s, &f->analyst2, w->police, &o, &err), RK_OK);
    c0 = json_array_get(json_object_get(o, "cases"), 0);
    assert_string_equal(json_string_value(json_object_get(c0, "title")), "秘匿事案");
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tlp_and_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_agrees_with_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restricted_case_in_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grants, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_list_agrees_with_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grants_list_agrees_with_get, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
