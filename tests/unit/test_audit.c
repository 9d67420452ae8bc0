/* Unit tests of lib/audit: the hash chain (verify passes, then fails at the first row edited or
 * removed with sqlite3), read events from many threads, audit list permissions, log-in with
 * argon2id, sessions, API keys. */
#include "store-fixture.h"

#include <pthread.h>
#include <sqlite3.h>

static int setup(void **state)
{
    *state = fx_open();
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

static void exec_sql(struct fx *f, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static json_t *verify(struct fx *f)
{
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_audit_verify(f->s, &o, &err), RK_OK);
    return o;
}

static void test_chain_ok_then_edit_detected(void **state)
{
    struct fx *f = *state;
    char id[37];
    fx_report(f, &f->station_a, "相談", "詐欺の相談", NULL, id);
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_report_get(f->s, &f->analyst, id, &o, &err), RK_OK);
    json_decref(o);
    o = verify(f);
    assert_true(json_is_true(json_object_get(o, "ok")));
    assert_true(json_is_null(json_object_get(o, "first_broken")));
    long long n = json_integer_value(json_object_get(o, "events"));
    /* 6 units + 8 users + 1 report + 1 read. */
    assert_int_equal(n, 16);
    json_decref(o);
    /* The read was recorded with its reader. */
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit WHERE action = 'read' AND"
                                 " object_type = 'report' AND actor_login = 'analyst'"),
                     1);
    /* Someone with file access rewrites who did something in event 10. */
    exec_sql(f, "UPDATE audit SET actor_login = 'someone-else' WHERE seq = 10");
    o = verify(f);
    assert_false(json_is_true(json_object_get(o, "ok")));
    assert_string_equal(json_string_value(json_object_get(o, "first_broken")), "10");
    json_decref(o);
}

static void test_chain_rehash_detected(void **state)
{
    struct fx *f = *state;
    /* Editing a row and recomputing its own hash still breaks the next link. */
    exec_sql(f, "UPDATE audit SET detail = 'x', hash = '" 
                "0000000000000000000000000000000000000000000000000000000000000001' WHERE seq = 5");
    json_t *o = verify(f);
    assert_false(json_is_true(json_object_get(o, "ok")));
    assert_string_equal(json_string_value(json_object_get(o, "first_broken")), "5");
    json_decref(o);
}

static void test_chain_delete_detected(void **state)
{
    struct fx *f = *state;
    exec_sql(f, "DELETE FROM audit WHERE seq = 7");
    json_t *o = verify(f);
    assert_false(json_is_true(json_object_get(o, "ok")));
    assert_string_equal(json_string_value(json_object_get(o, "first_broken")), "8");
    json_decref(o);
}

struct reader {
    struct fx *f;
    const struct rk_actor *who;
    const char *id;
    int n;
    int failures;
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    for (int i = 0; i < r->n; i++) {
        json_t *o = NULL;
        struct rk_error err = {0};
        if (rk_report_get(r->f->s, r->who, r->id, &o, &err) != RK_OK)
            r->failures++;
        json_decref(o);
    }
    return NULL;
}

static void test_concurrent_reads_audited(void **state)
{
    struct fx *f = *state;
    char id[37];
    fx_report(f, &f->station_a, "相談", "並行読み出し", NULL, id);
    long long before = fx_count(f, "SELECT count(*) FROM audit");
    enum { THREADS = 4, READS = 250 };
    pthread_t t[THREADS];
    struct reader r[THREADS];
    for (int i = 0; i < THREADS; i++) {
        r[i] = (struct reader){f, i % 2 ? &f->analyst : &f->supervisor, id, READS, 0};
        assert_int_equal(pthread_create(&t[i], NULL, reader_main, &r[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(r[i].failures, 0);
    }
    json_t *o = verify(f); /* flushes the queue first */
    assert_true(json_is_true(json_object_get(o, "ok")));
    json_decref(o);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit"), before + THREADS * READS);
}

static void test_audit_list_roles(void **state)
{
    struct fx *f = *state;
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_audit_list(f->s, &f->analyst, 10, 0, &o, &err), RK_EFORBIDDEN);
    assert_int_equal(rk_audit_list(f->s, &f->station_a, 10, 0, &o, &err), RK_EFORBIDDEN);
    assert_int_equal(rk_audit_list(f->s, &f->supervisor, 5, 0, &o, &err), RK_OK);
    assert_int_equal(json_array_size(json_object_get(o, "items")), 5);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 14);
    json_decref(o);
    assert_int_equal(rk_audit_list(f->s, &f->admin, 50, 0, &o, &err), RK_OK);
    json_decref(o);
}

static void test_login_sessions(void **state)
{
    struct fx *f = *state;
    struct rk_session s, s2;
    struct rk_error err = {0};
    assert_int_equal(rk_auth_login(f->s, "analyst", "wrong-password", "127.0.0.1", &s, &err),
                     RK_EAUTH);
    assert_int_equal(rk_auth_login(f->s, "nobody", "test-password-123", "127.0.0.1", &s, &err),
                     RK_EAUTH);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit WHERE action = 'login_failed'"), 2);
    assert_int_equal(rk_auth_login(f->s, "analyst", "test-password-123", "127.0.0.1", &s, &err),
                     RK_OK);
    assert_int_equal(strlen(s.token), 64);
    assert_int_equal(strlen(s.csrf), 64);
    assert_string_equal(s.actor.user_id, f->analyst.user_id);
    assert_int_equal(s.actor.role, RK_ROLE_ANALYST);
    /* Only the token's hash is stored. */
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM sessions WHERE token_hash = '%s'", s.token);
    assert_int_equal(fx_count(f, sql), 0);
    assert_int_equal(rk_auth_session(f->s, s.token, &s2), RK_OK);
    assert_string_equal(s2.csrf, s.csrf);
    assert_string_equal(s2.actor.login, "analyst");
    assert_int_equal(rk_auth_session(f->s, "00", &s2), RK_EAUTH);
    /* An expired session is refused. */
    exec_sql(f, "UPDATE sessions SET expires_at = 1");
    assert_int_equal(rk_auth_session(f->s, s.token, &s2), RK_EAUTH);
    assert_int_equal(rk_auth_login(f->s, "analyst", "test-password-123", NULL, &s, &err), RK_OK);
    assert_int_equal(rk_auth_logout(f->s, s.token), RK_OK);
    assert_int_equal(rk_auth_session(f->s, s.token, &s2), RK_EAUTH);
    /* A disabled user cannot log in and loses their sessions. */
    assert_int_equal(rk_auth_login(f->s, "analyst", "test-password-123", NULL, &s, &err), RK_OK);
    json_t *in = json_pack("{s:b}", "disabled", 1), *o = NULL;
    assert_int_equal(rk_user_update(f->s, &f->admin, f->analyst.user_id, in, &o, &err), RK_OK);
    json_decref(in);
    json_decref(o);
    assert_int_equal(rk_auth_session(f->s, s.token, &s2), RK_EAUTH);
    assert_int_equal(rk_auth_login(f->s, "analyst", "test-password-123", NULL, &s, &err),
                     RK_EAUTH);
    /* Only admins change roles; everyone may change their own password. */
    in = json_pack("{s:s}", "role", "admin");
    assert_int_equal(rk_user_update(f->s, &f->station_a, f->station_a.user_id, in, &o, &err),
                     RK_EFORBIDDEN);
    json_decref(in);
    in = json_pack("{s:s}", "password", "new-password-456");
    assert_int_equal(rk_user_update(f->s, &f->station_a, f->station_a.user_id, in, &o, &err),
                     RK_OK);
    json_decref(in);
    json_decref(o);
    assert_int_equal(rk_auth_login(f->s, "station_a", "new-password-456", NULL, &s, &err), RK_OK);
    in = json_pack("{s:s}", "password", "short");
    assert_int_equal(rk_user_update(f->s, &f->station_a, f->station_a.user_id, in, &o, &err),
                     RK_EINVAL);
    assert_string_equal(err.field, "password");
    json_decref(in);
}

static void test_apikeys(void **state)
{
    struct fx *f = *state;
    json_t *in = json_pack("{s:s}", "name", "連携スクリプト"), *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_apikey_create(f->s, &f->analyst, in, &o, &err), RK_OK);
    json_decref(in);
    char key[80], id[37];
    snprintf(key, sizeof(key), "%s", json_string_value(json_object_get(o, "key")));
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(o, "id")));
    json_decref(o);
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM apikeys WHERE key_hash = '%s'", key);
    assert_int_equal(fx_count(f, sql), 0);
    struct rk_actor a;
    assert_int_equal(rk_auth_apikey(f->s, key, &a), RK_OK);
    assert_string_equal(a.user_id, f->analyst.user_id);
    key[10] ^= 1;
    assert_int_equal(rk_auth_apikey(f->s, key, &a), RK_EAUTH);
    key[10] ^= 1;
    assert_int_equal(rk_apikey_revoke(f->s, &f->station_a, id, &err), RK_EFORBIDDEN);
    assert_int_equal(rk_apikey_revoke(f->s, &f->analyst, id, &err), RK_OK);
    assert_int_equal(rk_auth_apikey(f->s, key, &a), RK_EAUTH);
}

struct bad_user {
    const char *json;
    const char *field;
};

static const struct bad_user bad_users[] = {
    {"{\"login\":\"Has Space\",\"password\":\"long-enough-1\",\"name\":\"x\",\"role\":"
     "\"analyst\",\"unit_id\":\"U\"}",
     "login"},
    {"{\"login\":\"ok\",\"password\":\"short\",\"name\":\"x\",\"role\":\"analyst\","
     "\"unit_id\":\"U\"}",
     "password"},
    {"{\"login\":\"ok\",\"password\":\"long-enough-1\",\"name\":\"x\",\"role\":\"chief\","
     "\"unit_id\":\"U\"}",
     "role"},
    {"{\"login\":\"ok\",\"password\":\"long-enough-1\",\"name\":\"x\",\"role\":"
     "\"analyst\",\"unit_id\":\"00000000-0000-4000-8000-000000000000\"}",
     "unit_id"},
    {"{\"login\":\"ok\",\"password\":\"long-enough-1\",\"name\":\"x\",\"role\":"
     "\"analyst\",\"unit_id\":\"U\",\"admin\":true}",
     "admin"},
    {"{\"login\":\"analyst\",\"password\":\"long-enough-1\",\"name\":\"x\",\"role\":"
     "\"analyst\",\"unit_id\":\"U\"}",
     "login"}, /* taken: conflict */
};

static void test_user_validation(void **state)
{
    struct fx *f = *state;
    long long users = fx_count(f, "SELECT count(*) FROM users");
    long long audit = fx_count(f, "SELECT count(*) FROM audit");
    for (size_t i = 0; i < RK_ARRAY_LEN(bad_users); i++) {
        /* "U" stands for a real unit id. */
        char body[512];
        const char *u = strstr(bad_users[i].json, "\"U\"");
        if (u != NULL)
            snprintf(body, sizeof(body), "%.*s\"%s\"%s", (int)(u - bad_users[i].json),
                     bad_users[i].json, f->div, u + 3);
        else
            snprintf(body, sizeof(body), "%s", bad_users[i].json);
        json_t *in = json_loads(body, 0, NULL), *o = NULL;
        assert_non_null(in);
        struct rk_error err = {0};
        enum rk_status rc = rk_user_create(f->s, &f->admin, in, &o, &err);
        assert_true(rc == RK_EINVAL || rc == RK_ECONFLICT);
        assert_string_equal(err.field, bad_users[i].field);
        json_decref(in);
    }
    assert_int_equal(fx_count(f, "SELECT count(*) FROM users"), users);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit"), audit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_chain_ok_then_edit_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_rehash_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_delete_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_reads_audited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_list_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apikeys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_validation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
