/* Unit tests of the persisted correlation index (lib/model/correlate-service.c, migration 0011)
 * on a real store: the corr_* tables follow writes with their checkpoint, a reopened store
 * loads them instead of rebuilding, a rebuild replaces them with what the store holds, and a
 * rebuild killed with SIGKILL resumes to exactly the tables of an uninterrupted one. */
#include "store-fixture.h"

#include <signal.h>
#include <sys/wait.h>

static int setup(void **state)
{
    unsetenv("RENKEI_DATA_DIR");
    *state = fx_open();
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

static const char NARR_A[] = "電話 090-1111-2222 から https://kakuu-bank-login.xyz/login に誘導。";
static const char NARR_B[] = "同じ 090-1111-2222 から連絡あり。";
static const char NARR_C[] = "無関係の相談 050-9999-0000。";

static json_t *item_by_id(json_t *o, const char *id)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(o, "items"), i, it)
    {
        const char *x = json_string_value(json_object_get(it, "id"));
        if (x != NULL && strcmp(x, id) == 0)
            return it;
    }
    return NULL;
}

static json_t *related(struct rk_store *s, const struct rk_actor *a, const char *id)
{
    json_t *o = NULL;
    struct rk_error err = {0};
    enum rk_status rc = rk_correlate_report(s, a, id, &o, &err);
    if (rc != RK_OK)
        fprintf(stderr, "correlate: %s %s\n", rk_status_code(rc), err.message);
    assert_int_equal(rc, RK_OK);
    return o;
}

static json_t *rebuild(struct rk_store *s)
{
    struct rk_actor sys;
    rk_actor_system(&sys);
    json_t *o = NULL;
    struct rk_error err = {0};
    enum rk_status rc = rk_correlate_rebuild(s, &sys, NULL, NULL, &o, &err);
    if (rc != RK_OK)
        fprintf(stderr, "rebuild: %s %s\n", rk_status_code(rc), err.message);
    assert_int_equal(rc, RK_OK);
    return o;
}

/* A text query on the database file (own connection); the caller frees the result. */
static char *db_text(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *t = (const char *)sqlite3_column_text(st, 0);
    size_t n = t ? strlen(t) : 0;
    char *out = rk_malloc(n + 1);
    assert_non_null(out);
    memcpy(out, t ? t : "", n);
    out[n] = '\0';
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

/* The tables' content with the row numbers left out: each object with its unit, narrative
 * signature and sorted "type=value/rel" list. Equal texts mean equal indexes. */
static const char DUMP_SQL[] =
    "SELECT coalesce(group_concat(line, char(10)), '') FROM (SELECT o.kind || ' ' ||"
    " o.object_id || ' ' || o.unit_id || ' ' || coalesce(hex(o.sig), '-') || ' ' ||"
    " coalesce((SELECT group_concat(x, ',') FROM (SELECT v.type || '=' || v.value || '/' ||"
    " p.rel AS x FROM corr_posting p JOIN corr_value v USING (value_id) WHERE p.obj = o.obj"
    " ORDER BY x)), '') AS line FROM corr_object o ORDER BY o.kind, o.object_id)";

static long long state_of(struct fx *f, const char *name)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT value FROM corr_state WHERE name = '%s'", name);
    return fx_count(f, sql);
}

static void test_tables_follow_writes_and_survive_restart(void **state)
{
    struct fx *f = *state;
    char r1[37], r2[37], r3[37], r4[37];
    fx_report(f, &f->station_a, "SMS誘導", NARR_A, NULL, r1);
    fx_report(f, &f->station_a, "電話", NARR_B, NULL, r2);
    fx_report(f, &f->station_a, "別件", NARR_C, NULL, r3);
    assert_int_equal(state_of(f, "complete"), 0);

    /* The first query builds the tables. */
    json_t *o = related(f->s, &f->analyst, r1);
    assert_non_null(item_by_id(o, r2));
    assert_null(item_by_id(o, r3));
    json_decref(o);
    assert_int_equal(state_of(f, "complete"), 1);
    assert_int_equal(state_of(f, "rebuilding"), 0);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM corr_object"), 3);
    static const char PHONE_HOLDERS[] =
        "SELECT count(*) FROM corr_posting JOIN corr_value USING (value_id)"
        " WHERE type = 'phone' AND value = '+819011112222'";
    assert_int_equal(fx_count(f, PHONE_HOLDERS), 2);
    /* Derived values are rows too: the URL's host and registrable domain. */
    assert_int_equal(fx_count(f, "SELECT count(*) FROM corr_value WHERE type = 'domain'"
                                 " AND value = 'kakuu-bank-login.xyz'"),
                     1);

    /* A new report is applied at the next query and written with the checkpoint. */
    long long seq0 = state_of(f, "audit_seq");
    fx_report(f, &f->station_a, "四件目", NARR_B, NULL, r4);
    o = related(f->s, &f->analyst, r1);
    assert_non_null(item_by_id(o, r4));
    char *before = json_dumps(json_object_get(o, "items"), JSON_SORT_KEYS);
    json_decref(o);
    assert_int_equal(fx_count(f, PHONE_HOLDERS), 3);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM corr_object"), 4);
    assert_true(state_of(f, "audit_seq") > seq0);
    char *tables = db_text(f->path, DUMP_SQL);

    /* A restart loads the tables; it does not rebuild. To tell the two apart, r2's observable
     * links are removed behind the service's back (no audit event): a rebuild would no longer
     * see r2 holding the phone, the loaded tables still do. */
    rk_store_close(f->s);
    f->s = NULL;
    char sql[160];
    snprintf(sql, sizeof(sql), "DELETE FROM report_observables WHERE report_id = '%s' RETURNING 1",
             r2);
    assert_int_equal(fx_count(f, sql), 1);
    struct rk_error err = {0};
    assert_int_equal(rk_store_open(f->path, &f->s, &err), RK_OK);
    o = related(f->s, &f->analyst, r1);
    char *after = json_dumps(json_object_get(o, "items"), JSON_SORT_KEYS);
    assert_string_equal(before, after);
    rk_free(after);
    json_decref(o);
    char *tables2 = db_text(f->path, DUMP_SQL);
    assert_string_equal(tables, tables2);
    rk_free(tables2);

    /* A rebuild reads the store again: r2 no longer holds the phone. Twice: the same. */
    for (int k = 0; k < 2; k++) {
        json_t *st = rebuild(f->s);
        assert_int_equal(json_integer_value(json_object_get(st, "objects")), 4);
        assert_int_equal(json_integer_value(json_object_get(st, "resumed")), 0);
        json_decref(st);
        o = related(f->s, &f->analyst, r1);
        assert_null(item_by_id(o, r2));
        assert_non_null(item_by_id(o, r4));
        json_decref(o);
        assert_int_equal(fx_count(f, PHONE_HOLDERS), 2);
    }
    assert_int_equal(state_of(f, "generation"), 3); /* the first build and two rebuilds */
    rk_free(before);
    rk_free(tables);
}

/* Damaged tables are refused with an error that names them, and a rebuild repairs them. */
static void test_damaged_tables_are_refused_and_rebuilt(void **state)
{
    struct fx *f = *state;
    char r1[37], r2[37];
    fx_report(f, &f->station_a, "SMS誘導", NARR_A, NULL, r1);
    fx_report(f, &f->station_a, "電話", NARR_B, NULL, r2);
    json_t *o = related(f->s, &f->analyst, r1);
    assert_non_null(item_by_id(o, r2));
    json_decref(o);
    static const char *const damage[] = {
        /* a relation that does not exist */
        "UPDATE corr_posting SET rel = 99 WHERE obj = (SELECT min(obj) FROM corr_posting)"
        " RETURNING 1",
        /* a posting of a value that is not in corr_value */
        "UPDATE corr_posting SET value_id = 987654 WHERE obj = (SELECT min(obj) FROM"
        " corr_posting) AND value_id = (SELECT min(value_id) FROM corr_posting) RETURNING 1",
    };
    for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
        rk_store_close(f->s);
        f->s = NULL;
        assert_int_equal(fx_count(f, damage[i]), 1);
        struct rk_error err = {0};
        assert_int_equal(rk_store_open(f->path, &f->s, &err), RK_OK);
        o = NULL;
        assert_int_equal(rk_correlate_report(f->s, &f->analyst, r1, &o, &err), RK_ECORRUPT);
        assert_null(o);
        assert_non_null(strstr(err.message, "correlation tables"));
        assert_non_null(strstr(err.message, "renkei correlate --rebuild"));
        json_decref(rebuild(f->s));
        o = related(f->s, &f->analyst, r1);
        assert_non_null(item_by_id(o, r2));
        json_decref(o);
    }
}

/* ===== Resume after kill -9 ===== */

static void kill_after_first_batch(uint64_t done, uint64_t total, void *ud)
{
    (void)ud;
    /* Called after each committed batch: die the hard way in the middle of the build. */
    if (done > 0 && done < total)
        raise(SIGKILL);
}

static void test_rebuild_resumes_after_kill9(void **state)
{
    (void)state;
    char dir[64], path[128], cmd[160];
    snprintf(dir, sizeof(dir), "/tmp/rk-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/renkei.db", dir);
    struct rk_store *s = NULL;
    struct rk_error err = {0};
    json_t *o = NULL;
    struct rk_actor sys;
    rk_actor_system(&sys);
    /* More reports than a few batches of the build (512 objects each). */
    assert_int_equal(rk_store_open(path, &s, &err), RK_OK);
    assert_int_equal(rk_demo_generate(s, 7, 2600, NULL, NULL, &o, &err), RK_OK);
    json_decref(o);
    rk_store_close(s);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (rk_store_open(path, &s, &err) != RK_OK)
            _exit(3);
        rk_correlate_rebuild(s, &sys, kill_after_first_batch, NULL, &o, &err);
        _exit(4); /* not reached when the kill happened */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    char *partial =
        db_text(path, "SELECT (SELECT value FROM corr_state WHERE name ="
                      " 'rebuilding') || ' ' || (SELECT value FROM corr_state WHERE"
                      " name = 'complete') || ' ' || (SELECT count(*) FROM corr_object)");
    assert_string_equal(partial, "1 0 512");
    rk_free(partial);
    /* The value index is made at the end of a rebuild, not kept up to date during it. */
    static const char HAS_VALUE_INDEX[] =
        "SELECT count(*) FROM sqlite_master WHERE name = 'corr_posting_value'";
    char *idx = db_text(path, HAS_VALUE_INDEX);
    assert_string_equal(idx, "0");
    rk_free(idx);

    /* The next rebuild resumes after the committed batch. */
    assert_int_equal(rk_store_open(path, &s, &err), RK_OK);
    o = rebuild(s);
    assert_int_equal(json_integer_value(json_object_get(o, "resumed")), 512);
    long long objects = json_integer_value(json_object_get(o, "objects"));
    assert_true(objects > 2600);
    json_decref(o);
    char *resumed = db_text(path, DUMP_SQL);
    idx = db_text(path, HAS_VALUE_INDEX);
    assert_string_equal(idx, "1");
    rk_free(idx);
    char *ref = db_text(path, "SELECT ref FROM reports ORDER BY rowid LIMIT 1 OFFSET 2000");
    json_t *r1 = NULL;
    assert_int_equal(rk_correlate_report(s, &sys, ref, &r1, &err), RK_OK);

    /* A clean rebuild gives the same tables and the same answers. */
    o = rebuild(s);
    assert_int_equal(json_integer_value(json_object_get(o, "resumed")), 0);
    assert_int_equal(json_integer_value(json_object_get(o, "objects")), objects);
    json_decref(o);
    char *clean = db_text(path, DUMP_SQL);
    assert_true(strlen(clean) > 100000);
    assert_string_equal(resumed, clean);
    json_t *r2 = NULL;
    assert_int_equal(rk_correlate_report(s, &sys, ref, &r2, &err), RK_OK);
    assert_true(json_array_size(json_object_get(r1, "items")) > 0);
    assert_true(json_equal(json_object_get(r1, "items"), json_object_get(r2, "items")));
    json_decref(r1);
    json_decref(r2);
    rk_free(resumed);
    rk_free(clean);
    rk_free(ref);
    rk_store_close(s);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tables_follow_writes_and_survive_restart, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_damaged_tables_are_refused_and_rebuilt, setup,
                                        teardown),
        cmocka_unit_test(test_rebuild_resumes_after_kill9),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
