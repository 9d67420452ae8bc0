/* Unit tests of the demo generator: every category, every role, recurring observables across
 * stations, cases built from shared observables, only fictional values, determinism by seed,
 * and refusal to touch a store that already holds data. */
#include "store-fixture.h"

#include <sqlite3.h>

struct demo {
    char dir[64], path[128];
    struct rk_store *s;
    json_t *out;
};

static void progress(uint64_t done, uint64_t total, void *ud)
{
    uint64_t *last = ud;
    assert_true(done >= *last);
    assert_true(done <= total);
    *last = done;
}

static struct demo *make(uint64_t seed, int reports)
{
    struct demo *d = rk_calloc(1, sizeof(*d));
    snprintf(d->dir, sizeof(d->dir), "/tmp/rk-demo-XXXXXX");
    assert_non_null(mkdtemp(d->dir));
    snprintf(d->path, sizeof(d->path), "%s/demo.db", d->dir);
    struct rk_error err = {0};
    assert_int_equal(rk_store_open(d->path, &d->s, &err), RK_OK);
    uint64_t last = 0;
    enum rk_status rc = rk_demo_generate(d->s, seed, reports, progress, &last, &d->out, &err);
    if (rc != RK_OK)
        fprintf(stderr, "demo: %s %s\n", err.message, err.field);
    assert_int_equal(rc, RK_OK);
    assert_true(last > (uint64_t)reports);
    return d;
}

static void drop(struct demo *d)
{
    char cmd[128];
    json_decref(d->out);
    rk_store_close(d->s);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
    assert_int_equal(system(cmd), 0);
    rk_free(d);
}

static long long count(struct demo *d, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long n = -1;
    assert_int_equal(sqlite3_open(d->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_demo_content(void **state)
{
    struct demo *d = make(7, 120);
    assert_int_equal(json_integer_value(json_object_get(d->out, "reports")), 120);
    assert_int_equal(count(d, "SELECT count(*) FROM reports"), 120);
    /* Every category of the default data has reports. */
    json_t *ref = NULL;
    struct rk_actor sys;
    rk_actor_system(&sys);
    struct rk_error err = {0};
    assert_int_equal(rk_ref_get(d->s, &sys, &ref, &err), RK_OK);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(ref, "categories"), i, e)
    {
        char sql[160];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM reports WHERE category = '%s'",
                 json_string_value(json_object_get(e, "code")));
        assert_true(count(d, sql) >= 1);
    }
    json_decref(ref);
    /* Ten stations filed reports; received times span months. */
    assert_int_equal(count(d, "SELECT count(DISTINCT unit_id) FROM reports"), 10);
    assert_true(count(d, "SELECT julianday(max(received_at)) - julianday(min(received_at))"
                         " FROM reports") > 200);
    /* Observables recur across reports of different stations. */
    assert_true(count(d, "SELECT count(*) FROM (SELECT ro.observable_id FROM report_observables"
                         " ro JOIN reports r ON r.id = ro.report_id GROUP BY ro.observable_id"
                         " HAVING count(DISTINCT r.unit_id) >= 2)") >= 10);
    assert_true(count(d, "SELECT count(DISTINCT type) FROM observables") >= 8);
    /* Only fictional values: documentation address ranges and example domains. */
    assert_int_equal(count(d, "SELECT count(*) FROM observables WHERE type = 'ipv4' AND NOT"
                              " (canonical LIKE '192.0.2.%' OR canonical LIKE '198.51.100.%'"
                              " OR canonical LIKE '203.0.113.%')"),
                     0);
    assert_int_equal(count(d, "SELECT count(*) FROM observables WHERE type = 'domain' AND NOT"
                              " (canonical LIKE '%.example.com' OR canonical LIKE '%.example.net'"
                              " OR canonical LIKE '%.example.org' OR canonical LIKE"
                              " '%.example.jp')"),
                     0);
    /* Cases from shared observables, each with reports, tasks and a linked observable. */
    long long cases = count(d, "SELECT count(*) FROM cases");
    assert_true(cases >= 10);
    assert_int_equal(json_integer_value(json_object_get(d->out, "cases")), cases);
    assert_int_equal(count(d, "SELECT count(*) FROM cases c WHERE (SELECT count(*) FROM"
                              " case_reports WHERE case_id = c.id) < 2"),
                     0);
    assert_int_equal(count(d, "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM"
                              " case_tasks WHERE case_id = c.id)"),
                     0);
    assert_true(count(d, "SELECT count(*) FROM case_observables") >= cases);
    /* Every case has the category of one of its reports (the demo uses the first). */
    assert_int_equal(count(d, "SELECT count(*) FROM cases c WHERE c.category IS NULL OR NOT EXISTS"
                              " (SELECT 1 FROM case_reports cr JOIN reports r ON r.id ="
                              " cr.report_id WHERE cr.case_id = c.id AND r.category = c.category)"),
                     0);
    assert_true(count(d, "SELECT count(*) FROM approvals WHERE status = 'pending'") >= 1);
    assert_true(count(d, "SELECT count(DISTINCT status) FROM reports") >= 6);
    /* Every role has a log-in, and the printed log-ins work. */
    const char *roles[] = {"station", "analyst", "supervisor", "admin", "partner"};
    for (size_t k = 0; k < RK_ARRAY_LEN(roles); k++) {
        int found = 0;
        json_array_foreach(json_object_get(d->out, "logins"), i, e)
        {
            if (strcmp(json_string_value(json_object_get(e, "role")), roles[k]) != 0)
                continue;
            struct rk_session sess;
            assert_int_equal(rk_auth_login(d->s, json_string_value(json_object_get(e, "login")),
                                           json_string_value(json_object_get(e, "password")),
                                           NULL, &sess, &err),
                             RK_OK);
            found = 1;
            break;
        }
        assert_true(found);
    }
    /* The chain of everything the generator did is intact. */
    json_t *v = NULL;
    assert_int_equal(rk_audit_verify(d->s, &v, &err), RK_OK);
    assert_true(json_is_true(json_object_get(v, "ok")));
    json_decref(v);
    /* A second run on the now non-empty store is refused and adds nothing. */
    json_t *o = NULL;
    assert_int_equal(rk_demo_generate(d->s, 7, 10, NULL, NULL, &o, &err), RK_ECONFLICT);
    assert_int_equal(count(d, "SELECT count(*) FROM reports"), 120);
    drop(d);
}

static void test_demo_deterministic(void **state)
{
    struct demo *a = make(42, 30), *b = make(42, 30), *c = make(43, 30);
    const char *sql = "SELECT count(*) FROM (SELECT narrative FROM reports ORDER BY ref)";
    assert_int_equal(count(a, sql), 30);
    /* Same seed: the same narratives in the same order; another seed: different ones. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(a->path, &db), SQLITE_OK);
    char attach[300];
    snprintf(attach, sizeof(attach), "ATTACH '%s' AS b; ATTACH '%s' AS c;", b->path, c->path);
    assert_int_equal(sqlite3_exec(db, attach, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT count(*) FROM main.reports x JOIN"
                                        " b.reports y ON x.ref = y.ref AND x.narrative ="
                                        " y.narrative), (SELECT count(*) FROM main.reports x"
                                        " JOIN c.reports y ON x.ref = y.ref AND x.narrative ="
                                        " y.narrative)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 30);
    assert_true(sqlite3_column_int(st, 1) < 30);
    sqlite3_finalize(st);
    sqlite3_close(db);
    drop(a);
    drop(b);
    drop(c);
}

static void test_demo_logins_fixed(void **state)
{
    json_t *l = NULL;
    assert_int_equal(rk_demo_logins(&l), RK_OK);
    assert_true(json_array_size(l) >= 5);
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 1), "login")),
                        "kikaku");
    json_decref(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_content),
        cmocka_unit_test(test_demo_deterministic),
        cmocka_unit_test(test_demo_logins_fixed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
