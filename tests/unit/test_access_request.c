/* Access requests (lib/model/access-request.c) on a real store: an analyst of サイバー捜査課
 * sees a unit-scope case of サイバー対策課 that shares a telephone number with their own case,
 * asks for it, a supervisor of サイバー対策課 grants it, and the analyst can read exactly that
 * case until the grant expires. Refusal, withdrawal, probing and bad input alongside. */
#include "store-fixture.h"

#include <time.h>

#include "store/store.h" /* rk__audit_flush */

struct world {
    struct fx *f;
    char unit_b[37];
    struct rk_actor analyst_b, sup_b;
    char case_a[37];  /* by analyst (サイバー捜査課), holds the shared number */
    char case_b[37];  /* by analyst_b, lead サイバー対策課, scope unit, the same number */
    char case_b2[37]; /* by analyst_b, lead サイバー対策課, scope unit, unrelated */
    char obs[37];     /* the shared number */
};

static void make_case(struct world *w, const struct rk_actor *who, const char *title,
                      const char *lead, const char *phone, char id[37])
{
    json_t *in = json_pack("{s:s,s:s,s:s}", "title", title, "lead_unit_id", lead, "scope", "unit");
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_case_create(w->f->s, who, in, &o, &err), RK_OK);
    snprintf(id, 37, "%s", json_string_value(json_object_get(o, "id")));
    json_decref(in);
    json_decref(o);
    in = json_pack("{s:s,s:s}", "value", phone, "role", "contact");
    enum rk_status rc = rk_case_observable_link(w->f->s, who, id, in, &o, &err);
    if (rc != RK_OK)
        fprintf(stderr, "link: %s (%s)\n", err.message, err.field);
    assert_int_equal(rc, RK_OK);
    json_decref(in);
    json_decref(o);
}

static int setup(void **state)
{
    struct world *w = rk_calloc(1, sizeof(*w));
    struct fx *f = fx_open();
    w->f = f;
    fx_unit(f, "サイバー対策課", "hq_division", f->hq, w->unit_b);
    fx_user(f, "analyst_b", "analyst", w->unit_b, &w->analyst_b);
    fx_user(f, "sup_b", "supervisor", w->unit_b, &w->sup_b);
    make_case(w, &f->analyst, "架空請求（捜査課）", f->div, "090-3141-5926", w->case_a);
    make_case(w, &w->analyst_b, "架空請求（対策課）", w->unit_b, "090-3141-5926", w->case_b);
    make_case(w, &w->analyst_b, "別件", w->unit_b, "080-2718-2818", w->case_b2);
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_case_get(f->s, &f->analyst, w->case_a, &o, &err), RK_OK);
    snprintf(w->obs, 37, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(o, "observables"), 0), "id")));
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

/* Creates a request as `who`; returns the status, the id in `id` when created. */
static enum rk_status ask(struct world *w, const struct rk_actor *who, const char *ctx_kind,
                          const char *ctx_id, const char *unit, const char *kind, char id[37],
                          struct rk_error *err)
{
    json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "context_kind", ctx_kind, "context_id", ctx_id,
                           "unit_id", unit, "kind", kind, "reason",
                           "同一番号の架空請求。被害者の共通点を確認したい。");
    json_t *o = NULL;
    enum rk_status rc = rk_access_request_create(w->f->s, who, in, &o, err);
    if (rc == RK_OK)
        snprintf(id, 37, "%s", json_string_value(json_object_get(o, "id")));
    json_decref(in);
    json_decref(o);
    return rc;
}

static enum rk_status decide(struct world *w, const struct rk_actor *who, const char *id,
                             json_t *in, json_t **out, struct rk_error *err)
{
    enum rk_status rc = rk_access_request_decide(w->f->s, who, id, in, out, err);
    json_decref(in);
    return rc;
}

static enum rk_status can_read_case(struct world *w, const struct rk_actor *who, const char *id)
{
    json_t *o = NULL;
    struct rk_error err = {0};
    enum rk_status rc = rk_case_get(w->f->s, who, id, &o, &err);
    json_decref(o);
    return rc;
}

/* The whole loop: request, incoming box, grant, read exactly that case, expiry. */
static void test_grant_loop(void **state)
{
    struct world *w = *state;
    struct fx *f = w->f;
    struct rk_error err = {0};
    char id[37];
    json_t *o = NULL;
    assert_int_equal(can_read_case(w, &f->analyst, w->case_b), RK_EFORBIDDEN);
    assert_int_equal(ask(w, &f->analyst, "case", w->case_a, w->unit_b, "case", id, &err), RK_OK);

    /* The holding unit's supervisor sees it with the one case it concerns. */
    struct rk_access_request_query q = {.box = "incoming"};
    assert_int_equal(rk_access_request_list(f->s, &w->sup_b, &q, &o, &err), RK_OK);
    assert_int_equal(json_array_size(json_object_get(o, "items")), 1);
    json_decref(o);
    assert_int_equal(rk_access_request_get(f->s, &w->sup_b, id, &o, &err), RK_OK);
    json_t *objs = json_object_get(o, "objects");
    assert_int_equal(json_array_size(objs), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(objs, 0), "id")),
                        w->case_b);
    assert_true(json_is_true(json_object_get(json_array_get(objs, 0), "readable")));
    assert_string_equal(json_string_value(json_object_get(o, "status")), "pending");
    /* The requester's case is scope unit: the holding unit sees only its kind. */
    assert_true(json_is_true(json_object_get(json_object_get(o, "context"), "restricted")));
    json_decref(o);
    /* Showing the case's reference and title is a read of it, audited. */
    rk__audit_flush(f->s);
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE action = 'read' AND object_type = 'case' AND"
             " object_id = '%s' AND actor_id = '%s' AND detail = 'access_request'",
             w->case_b, w->sup_b.user_id);
    assert_int_equal(fx_count(f, sql), 1);

    /* The requester sees the request, never the objects' ids. */
    assert_int_equal(rk_access_request_get(f->s, &f->analyst, id, &o, &err), RK_OK);
    assert_null(json_object_get(o, "objects"));
    assert_int_equal(json_array_size(json_object_get(o, "granted")), 0);
    assert_int_equal(json_integer_value(json_object_get(o, "objects_count")), 1);
    json_decref(o);
    /* Nobody else sees it. */
    assert_int_equal(rk_access_request_get(f->s, &f->analyst2, id, &o, &err), RK_ENOTFOUND);
    assert_int_equal(rk_access_request_get(f->s, &f->supervisor, id, &o, &err), RK_ENOTFOUND);

    char until[21];
    int64_t t = (int64_t)time(NULL) + 7 * 24 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", &tm);
    assert_int_equal(decide(w, &w->sup_b, id,
                            json_pack("{s:s,s:s}", "decision", "grant", "expires_at", until), &o,
                            &err),
                     RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "granted");
    json_decref(o);

    /* Exactly that case, in a get and in the list. */
    assert_int_equal(can_read_case(w, &f->analyst, w->case_b), RK_OK);
    assert_int_equal(can_read_case(w, &f->analyst, w->case_b2), RK_EFORBIDDEN);
    assert_int_equal(can_read_case(w, &f->analyst2, w->case_b), RK_EFORBIDDEN);
    struct rk_case_query cq = {.unit_id = w->unit_b};
    assert_int_equal(rk_case_list(f->s, &f->analyst, &cq, &o, &err), RK_OK);
    assert_int_equal(json_array_size(json_object_get(o, "items")), 1);
    json_decref(o);
    assert_int_equal(rk_access_request_get(f->s, &f->analyst, id, &o, &err), RK_OK);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(o, "granted"), 0), "id")),
        w->case_b);
    json_decref(o);

    /* Decided once. */
    assert_int_equal(decide(w, &w->sup_b, id,
                            json_pack("{s:s,s:s}", "decision", "refuse", "note", "やはり不可"), &o,
                            &err),
                     RK_ECONFLICT);

    /* Expiry ends it. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000); /* the audit writer may hold the lock a moment */
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE access_grants SET expires_at = '2001-01-01T00:00:00Z'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(can_read_case(w, &f->analyst, w->case_b), RK_EFORBIDDEN);
    assert_int_equal(rk_access_request_get(f->s, &f->analyst, id, &o, &err), RK_OK);
    assert_int_equal(json_array_size(json_object_get(o, "granted")), 0);
    json_decref(o);

    /* Audited: create, decide, grant. */
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit WHERE object_type = 'access_request'"
                                 " AND action IN ('create', 'decide')"),
                     2);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit WHERE action = 'grant'"), 1);
}

/* Refusal leaves the case restricted; withdrawal by the requester only. */
static void test_refuse_and_withdraw(void **state)
{
    struct world *w = *state;
    struct fx *f = w->f;
    struct rk_error err = {0};
    char id[37], id2[37];
    json_t *o = NULL;
    assert_int_equal(ask(w, &f->analyst, "observable", w->obs, w->unit_b, "case", id, &err), RK_OK);
    assert_int_equal(decide(w, &w->sup_b, id, json_pack("{s:s}", "decision", "refuse"), &o, &err),
                     RK_EINVAL);
    assert_string_equal(err.field, "note");
    assert_int_equal(decide(w, &f->analyst, id, json_pack("{s:s}", "decision", "grant"), &o, &err),
                     RK_EFORBIDDEN);
    assert_int_equal(decide(w, &w->analyst_b, id,
                            json_pack("{s:s,s:s}", "decision", "refuse", "note", "捜査上の支障"),
                            &o, &err),
                     RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "refused");
    json_decref(o);
    assert_int_equal(can_read_case(w, &f->analyst, w->case_b), RK_EFORBIDDEN);

    assert_int_equal(ask(w, &f->analyst, "case", w->case_a, w->unit_b, "case", id2, &err), RK_OK);
    assert_int_equal(rk_access_request_withdraw(f->s, &w->sup_b, id2, &o, &err), RK_EFORBIDDEN);
    assert_int_equal(rk_access_request_withdraw(f->s, &f->analyst, id2, &o, &err), RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "withdrawn");
    json_decref(o);
    assert_int_equal(rk_access_request_withdraw(f->s, &f->analyst, id2, &o, &err), RK_ECONFLICT);
    struct rk_access_request_query q = {.box = "outgoing", .status = "withdrawn"};
    assert_int_equal(rk_access_request_list(f->s, &f->analyst, &q, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
    json_decref(o);
}

struct bad_case {
    const char *json; /* the request body; CTX_A / UNIT_B / ... are substituted */
    int who;          /* 0 analyst, 1 partner, 2 analyst_b */
    enum rk_status want;
    const char *field;
};

static const struct bad_case bad_cases[] = {
    {"{\"context_kind\":\"case\",\"context_id\":\"CTX_A\",\"unit_id\":\"UNIT_B\",\"kind\":"
     "\"case\"}",
     0, RK_EINVAL, "reason"},
    {"{\"context_kind\":\"case\",\"context_id\":\"CTX_A\",\"unit_id\":\"UNIT_B\",\"kind\":\"case\","
     "\"reason\":\"  \"}",
     0, RK_EINVAL, "reason"},
    {"{\"context_kind\":\"task\",\"context_id\":\"CTX_A\",\"unit_id\":\"UNIT_B\",\"kind\":\"case\","
     "\"reason\":\"r\"}",
     0, RK_EINVAL, "context_kind"},
    {"{\"context_kind\":\"case\",\"context_id\":\"CTX_A\",\"unit_id\":\"UNIT_B\",\"kind\":\"user\","
     "\"reason\":\"r\"}",
     0, RK_EINVAL, "kind"},
    {"{\"context_kind\":\"case\",\"context_id\":\"CTX_A\",\"unit_id\":\"UNIT_B\",\"kind\":\"case\","
     "\"reason\":\"r\",\"object_id\":\"x\"}",
     0, RK_EINVAL, "object_id"},
    /* Probes: no restricted report of that unit is related; the caller's own unit holds nothing
     * it may not read; an unknown unit. */
    {"{\"context_kind\":\"case\",\"context_id\":\"CTX_A\",\"unit_id\":\"UNIT_B\",\"kind\":"
     "\"report\","
     "\"reason\":\"r\"}",
     0, RK_EINVAL, "unit_id"},
    {"{\"context_kind\":\"case\",\"context_id\":\"CTX_A\",\"unit_id\":\"UNIT_A\",\"kind\":\"case\","
     "\"reason\":\"r\"}",
     0, RK_EINVAL, "unit_id"},
    {"{\"context_kind\":\"case\",\"context_id\":\"CTX_A\",\"unit_id\":"
     "\"00000000-0000-4000-8000-000000000000\",\"kind\":\"case\",\"reason\":\"r\"}",
     0, RK_EINVAL, "unit_id"},
    /* A context the caller may not read. */
    {"{\"context_kind\":\"case\",\"context_id\":\"CTX_B2\",\"unit_id\":\"UNIT_B\",\"kind\":"
     "\"case\","
     "\"reason\":\"r\"}",
     0, RK_EFORBIDDEN, "context_id"},
    {"{\"context_kind\":\"report\",\"context_id\":\"CTX_A\",\"unit_id\":\"UNIT_B\",\"kind\":"
     "\"case\","
     "\"reason\":\"r\"}",
     0, RK_ENOTFOUND, "context_id"},
    /* Partners never. */
    {"{\"context_kind\":\"case\",\"context_id\":\"CTX_A\",\"unit_id\":\"UNIT_B\",\"kind\":\"case\","
     "\"reason\":\"r\"}",
     1, RK_EFORBIDDEN, ""},
};

static char *subst(const char *s, const char *key, const char *val)
{
    const char *p = strstr(s, key);
    size_t n = strlen(s) + strlen(val) + 1;
    char *out = rk_malloc(n);
    assert_non_null(out);
    if (p == NULL) {
        snprintf(out, n, "%s", s);
        return out;
    }
    snprintf(out, n, "%.*s%s%s", (int)(p - s), s, val, p + strlen(key));
    return out;
}

static void test_bad_requests(void **state)
{
    struct world *w = *state;
    struct fx *f = w->f;
    const struct rk_actor *who[] = {&f->analyst, &f->partner, &w->analyst_b};
    for (size_t i = 0; i < RK_ARRAY_LEN(bad_cases); i++) {
        char *a = subst(bad_cases[i].json, "CTX_A", w->case_a);
        char *b = subst(a, "CTX_B2", w->case_b2);
        char *c = subst(b, "UNIT_B", w->unit_b);
        char *d = subst(c, "UNIT_A", f->div);
        json_t *in = json_loads(d, 0, NULL);
        assert_non_null(in);
        json_t *o = NULL;
        struct rk_error err = {0};
        enum rk_status rc = rk_access_request_create(f->s, who[bad_cases[i].who], in, &o, &err);
        if (rc != bad_cases[i].want || strcmp(err.field, bad_cases[i].field) != 0)
            fprintf(stderr, "bad case %zu: got %s field '%s' (%s)\n", i, rk_status_code(rc),
                    err.field, err.message);
        assert_int_equal(rc, bad_cases[i].want);
        assert_string_equal(err.field, bad_cases[i].field);
        json_decref(in);
        rk_free(a);
        rk_free(b);
        rk_free(c);
        rk_free(d);
    }
    assert_int_equal(fx_count(f, "SELECT count(*) FROM access_requests"), 0);
    /* The same request twice while pending. */
    char id[37];
    struct rk_error err = {0};
    assert_int_equal(ask(w, &f->analyst, "case", w->case_a, w->unit_b, "case", id, &err), RK_OK);
    assert_int_equal(ask(w, &f->analyst, "case", w->case_a, w->unit_b, "case", id, &err),
                     RK_ECONFLICT);
}

struct bad_decision {
    const char *json; /* B2 is substituted */
    const char *field;
    enum rk_status want;
};

static const struct bad_decision bad_decisions[] = {
    {"{\"decision\":\"maybe\"}", "decision", RK_EINVAL},
    {"{\"decision\":\"grant\",\"expires_at\":\"2001-01-01\"}", "expires_at", RK_EINVAL},
    {"{\"decision\":\"grant\",\"expires_at\":\"2999-01-01\"}", "expires_at", RK_EINVAL},
    {"{\"decision\":\"grant\",\"expires_at\":\"next week\"}", "expires_at", RK_EINVAL},
    {"{\"decision\":\"grant\",\"object_ids\":[\"B2\"]}", "object_ids", RK_EINVAL},
    {"{\"decision\":\"grant\",\"object_ids\":[]}", "object_ids", RK_EINVAL},
    {"{\"decision\":\"refuse\",\"note\":\"n\",\"object_ids\":[\"B2\"]}", "object_ids", RK_EINVAL},
    {"{\"decision\":\"grant\",\"colour\":\"red\"}", "colour", RK_EINVAL},
};

static void test_bad_decisions(void **state)
{
    struct world *w = *state;
    struct fx *f = w->f;
    char id[37];
    struct rk_error err = {0};
    assert_int_equal(ask(w, &f->analyst, "case", w->case_a, w->unit_b, "case", id, &err), RK_OK);
    for (size_t i = 0; i < RK_ARRAY_LEN(bad_decisions); i++) {
        char *s = subst(bad_decisions[i].json, "B2", w->case_b2);
        json_t *o = NULL;
        memset(&err, 0, sizeof(err));
        enum rk_status rc = decide(w, &w->sup_b, id, json_loads(s, 0, NULL), &o, &err);
        if (rc != bad_decisions[i].want)
            fprintf(stderr, "bad decision %zu: got %s (%s)\n", i, rk_status_code(rc), err.message);
        assert_int_equal(rc, bad_decisions[i].want);
        assert_string_equal(err.field, bad_decisions[i].field);
        rk_free(s);
    }
    /* A member of another unit: as if the request did not exist. */
    json_t *o = NULL;
    assert_int_equal(
        decide(w, &f->supervisor, id, json_pack("{s:s}", "decision", "grant"), &o, &err),
        RK_ENOTFOUND);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM access_grants"), 0);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM access_requests WHERE status = 'pending'"),
                     1);
}

/* The holding unit ends a grant early; only it, only while a grant is in force. */
static void test_revoke(void **state)
{
    struct world *w = *state;
    struct fx *f = w->f;
    struct rk_error err = {0};
    char id[37];
    json_t *o = NULL;
    assert_int_equal(ask(w, &f->analyst, "case", w->case_a, w->unit_b, "case", id, &err), RK_OK);
    assert_int_equal(rk_access_request_revoke(f->s, &w->sup_b, id, &o, &err), RK_ECONFLICT);
    assert_int_equal(decide(w, &w->sup_b, id, json_pack("{s:s}", "decision", "grant"), &o, &err),
                     RK_OK);
    json_decref(o);
    assert_int_equal(can_read_case(w, &f->analyst, w->case_b), RK_OK);
    assert_int_equal(rk_access_request_revoke(f->s, &f->analyst, id, &o, &err), RK_EFORBIDDEN);
    assert_int_equal(rk_access_request_revoke(f->s, &f->supervisor, id, &o, &err), RK_ENOTFOUND);
    assert_int_equal(rk_access_request_revoke(f->s, &w->analyst_b, id, &o, &err), RK_OK);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(o, "objects"), 0), "id")),
        w->case_b);
    assert_true(json_is_string(
        json_object_get(json_array_get(json_object_get(o, "objects"), 0), "expires_at")));
    json_decref(o);
    assert_int_equal(can_read_case(w, &f->analyst, w->case_b), RK_EFORBIDDEN);
    assert_int_equal(rk_access_request_revoke(f->s, &w->sup_b, id, &o, &err), RK_ECONFLICT);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit WHERE action = 'revoke'"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_grant_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_and_withdraw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_decisions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
