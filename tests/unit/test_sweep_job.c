/*
 * Unit tests of sweep jobs and sightings (lib/model/sweep-job.c) on a real store: upload, start,
 * run, the exact sightings in the three views, re-sweeping (counted, not duplicated), who may
 * do what, bad input that changes nothing, cancellation, a truncated gzip (counted, not fatal)
 * and the recovery of a job left "running" by a killed process.
 */
#include "store-fixture.h"

#include <fcntl.h>
#include <sys/file.h>
#include <zlib.h>

#include "renkei/buf.h"
#include "renkei/limits.h"
#include "store/store.h"

/* Planted hits (fictional addresses from the documentation ranges):
 *   line 1: evil.example.com (domain, via the URL's host), client 192.0.2.10, 2026-11-21T01:00:00Z
 *   line 3: 198.51.100.7, client 192.0.2.12, 2026-11-21T01:06:00Z
 *   line 4: evil.example.com (sub-domain), client 192.0.2.10, 2026-11-21T01:07:00Z */
static const char access_log[] =
    "192.0.2.10 - - [21/Nov/2026:10:00:00 +0900] \"GET http://evil.example.com/a HTTP/1.1\" 200 1\n"
    "192.0.2.11 - - [21/Nov/2026:10:05:00 +0900] \"GET /ok HTTP/1.1\" 200 1\n"
    "192.0.2.12 - - [21/Nov/2026:10:06:00 +0900] \"CONNECT 198.51.100.7:443 HTTP/1.1\" 200 0\n"
    "192.0.2.10 - - [21/Nov/2026:10:07:00 +0900] \"GET http://cdn.evil.example.com/b HTTP/1.1\" "
    "200 1\n";
static const char iocs[] = "# fictional\n198.51.100.7\nevil.example.com\nnot-an-indicator!\n";

struct t {
    struct fx *f;
    char case_id[37];
};

static int setup(void **state)
{
    struct t *t = rk_calloc(1, sizeof *t);
    t->f = fx_open();
    json_t *in = json_pack("{s:s,s:s,s:s,s:s}", "title", "不正アクセス事案", "summary", "ログ照合",
                           "category", "fake_shop", "lead_unit_id", t->f->div);
    json_t *o = NULL;
    struct rk_error err = {0};
    enum rk_status rc = rk_case_create(t->f->s, &t->f->analyst, in, &o, &err);
    if (rc != RK_OK)
        print_error("case: %s (%s)\n", err.message, err.field);
    assert_int_equal(rc, RK_OK);
    snprintf(t->case_id, sizeof t->case_id, "%s", json_string_value(json_object_get(o, "id")));
    json_decref(in);
    json_decref(o);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;
    fx_close(t->f);
    rk_free(t);
    return 0;
}

static void gz_bytes(const char *path, const char *data, size_t n)
{
    gzFile g = gzopen(path, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(g), Z_OK);
}

static size_t slurp(const char *path, char *buf, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(buf, 1, cap, fp);
    fclose(fp);
    return n;
}

/* Uploads `data` into the job in two writes (as the server streams it). */
static enum rk_status upload(struct t *t, const struct rk_actor *who, const char *job,
                             const char *kind, const char *name, const char *data, size_t n,
                             struct rk_error *err)
{
    struct rk_sweep_upload *u = NULL;
    json_t *o = NULL;
    enum rk_status rc = rk_sweep_upload_open(t->f->s, who, job, kind, name, &u, err);
    if (rc != RK_OK)
        return rc;
    size_t half = n / 2;
    rc = rk_sweep_upload_write(u, data, half, err);
    if (rc == RK_OK)
        rc = rk_sweep_upload_write(u, data + half, n - half, err);
    if (rc != RK_OK) {
        rk_sweep_upload_abort(u);
        return rc;
    }
    rc = rk_sweep_upload_finish(t->f->s, u, &o, err);
    json_decref(o);
    return rc;
}

static void new_job(struct t *t, const struct rk_actor *who, char id[37])
{
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_sweep_job_create(t->f->s, who, t->case_id, NULL, &o, &err), RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "uploading");
    snprintf(id, 37, "%s", json_string_value(json_object_get(o, "id")));
    json_decref(o);
}

static json_t *run_next(struct t *t, int expect_ran)
{
    json_t *o = NULL;
    int ran = -1;
    struct rk_error err = {0};
    assert_int_equal(rk_sweep_job_run(t->f->s, NULL, NULL, &ran, &o, &err), RK_OK);
    assert_int_equal(ran, expect_ran);
    return o;
}

static long long jint(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

/* A gzipped log uploaded with an indicator file: the job's totals and the sightings in all three
 * views, exactly. */
static void test_run_and_views(void **state)
{
    struct t *t = *state;
    struct fx *f = t->f;
    char job[37], gz[256], buf[4096], sha[65];
    struct rk_error err = {0};
    snprintf(gz, sizeof gz, "%s/access.log.gz", f->dir);
    gz_bytes(gz, access_log, sizeof access_log - 1);
    size_t gn = slurp(gz, buf, sizeof buf);
    new_job(t, &f->analyst, job);
    assert_int_equal(
        upload(t, &f->analyst, job, "indicators", "iocs.txt", iocs, sizeof iocs - 1, &err), RK_OK);
    assert_int_equal(upload(t, &f->analyst, job, "log", "access.log.gz", buf, gn, &err), RK_OK);
    json_t *o = NULL;
    assert_int_equal(rk_sweep_job_start(f->s, &f->analyst, job, &o, &err), RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "queued");
    assert_int_equal(jint(o, "bytes_total"), (long long)gn);
    json_decref(o);

    o = run_next(t, 1);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "done");
    assert_int_equal(jint(o, "hits"), 3);
    assert_int_equal(jint(o, "lines"), 4);
    assert_int_equal(jint(o, "files"), 1);
    assert_int_equal(jint(o, "files_damaged"), 0);
    assert_int_equal(jint(o, "indicators"), 2);
    assert_int_equal(jint(o, "bytes_scanned"), (long long)(sizeof access_log - 1));
    json_t *inputs = json_object_get(o, "inputs");
    assert_int_equal(json_array_size(inputs), 2);
    assert_int_equal(rk__sha256_hex(buf, gn, sha), RK_OK);
    assert_string_equal(json_string_value(json_object_get(json_array_get(inputs, 1), "sha256")),
                        sha);
    json_decref(o);
    o = run_next(t, 0); /* nothing queued any more */
    assert_null(o);

    /* By indicator: evil.example.com twice (one host), 198.51.100.7 once. */
    struct rk_sighting_query q = {"indicator", 0, 0};
    assert_int_equal(rk_case_sightings(f->s, &f->analyst, t->case_id, &q, &o, &err), RK_OK);
    assert_int_equal(jint(o, "total"), 2);
    json_t *a = json_array_get(json_object_get(o, "items"), 0);
    json_t *b = json_array_get(json_object_get(o, "items"), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(a, "observable"), "value")),
        "evil.example.com");
    assert_int_equal(jint(a, "count"), 2);
    assert_int_equal(jint(a, "hosts"), 1);
    assert_string_equal(json_string_value(json_object_get(a, "first_time")),
                        "2026-11-21T01:00:00Z");
    assert_string_equal(json_string_value(json_object_get(a, "last_time")), "2026-11-21T01:07:00Z");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(b, "observable"), "value")),
        "198.51.100.7");
    assert_int_equal(jint(b, "count"), 1);
    json_decref(o);

    /* By host. */
    q.group = "host";
    assert_int_equal(rk_case_sightings(f->s, &f->analyst, t->case_id, &q, &o, &err), RK_OK);
    assert_int_equal(jint(o, "total"), 2);
    a = json_array_get(json_object_get(o, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(a, "host")), "192.0.2.10");
    assert_int_equal(jint(a, "count"), 2);
    assert_int_equal(jint(a, "indicators"), 1);
    json_decref(o);

    /* By time: three rows in time order with file name, line and token. */
    q.group = "time";
    assert_int_equal(rk_case_sightings(f->s, &f->analyst, t->case_id, &q, &o, &err), RK_OK);
    assert_int_equal(jint(o, "total"), 3);
    static const struct {
        long long line;
        const char *host, *time, *token;
    } want[] = {{1, "192.0.2.10", "2026-11-21T01:00:00Z", "evil.example.com"},
                {3, "192.0.2.12", "2026-11-21T01:06:00Z", "198.51.100.7"},
                {4, "192.0.2.10", "2026-11-21T01:07:00Z", "cdn.evil.example.com"}};
    for (size_t i = 0; i < RK_ARRAY_LEN(want); i++) {
        json_t *it = json_array_get(json_object_get(o, "items"), i);
        assert_int_equal(jint(it, "line"), want[i].line);
        assert_string_equal(json_string_value(json_object_get(it, "host")), want[i].host);
        assert_string_equal(json_string_value(json_object_get(it, "event_time")), want[i].time);
        assert_string_equal(json_string_value(json_object_get(it, "token")), want[i].token);
        assert_string_equal(json_string_value(json_object_get(it, "file")), "access.log.gz");
    }
    json_decref(o);

    /* The observables are linked to the case (one new, both with a role). */
    assert_int_equal(fx_count(f, "SELECT count(*) FROM case_observables WHERE role ="
                                 " 'attacker_infrastructure'"),
                     2);

    /* Sweeping the same log again counts the sightings again, without new rows. */
    new_job(t, &f->analyst, job);
    assert_int_equal(
        upload(t, &f->analyst, job, "indicators", "iocs.txt", iocs, sizeof iocs - 1, &err), RK_OK);
    assert_int_equal(upload(t, &f->analyst, job, "log", "access.log.gz", buf, gn, &err), RK_OK);
    assert_int_equal(rk_sweep_job_start(f->s, &f->analyst, job, &o, &err), RK_OK);
    json_decref(o);
    json_decref(run_next(t, 1));
    assert_int_equal(fx_count(f, "SELECT count(*) FROM sightings"), 3);
    assert_int_equal(fx_count(f, "SELECT sum(count) FROM sightings"), 6);
}

/* Who may do what: a station of another unit cannot see or use the case's jobs. */
static void test_access(void **state)
{
    struct t *t = *state;
    struct fx *f = t->f;
    char job[37];
    json_t *o = NULL;
    struct rk_error err = {0};
    long long before = fx_count(f, "SELECT count(*) FROM sweep_jobs");
    assert_int_not_equal(rk_sweep_job_create(f->s, &f->station_b, t->case_id, NULL, &o, &err),
                         RK_OK);
    assert_int_not_equal(rk_sweep_job_create(f->s, &f->partner, t->case_id, NULL, &o, &err), RK_OK);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM sweep_jobs"), before);
    new_job(t, &f->analyst, job);
    assert_int_equal(rk_sweep_job_get(f->s, &f->station_b, job, &o, &err), RK_ENOTFOUND);
    struct rk_sweep_upload *u = NULL;
    assert_int_equal(rk_sweep_upload_open(f->s, &f->station_b, job, "log", "a.log", &u, &err),
                     RK_ENOTFOUND);
    struct rk_sighting_query q = {"time", 10, 0};
    assert_int_not_equal(rk_case_sightings(f->s, &f->station_b, t->case_id, &q, &o, &err), RK_OK);
    assert_int_equal(rk_sweep_job_list(f->s, &f->analyst2, t->case_id, &o, &err), RK_OK);
    assert_int_equal(json_array_size(json_object_get(o, "items")), 1);
    json_decref(o);
}

/* Bad input gets an error naming the field and writes nothing. */
static void test_bad_input(void **state)
{
    struct t *t = *state;
    struct fx *f = t->f;
    char job[37];
    json_t *o = NULL;
    struct rk_error err = {0};
    struct rk_sweep_upload *u = NULL;
    new_job(t, &f->analyst, job);
    static const struct {
        const char *kind, *name, *field;
    } bad[] = {{"exe", "a.log", "kind"}, {"index", "a.idx", "kind"}, {"log", "../a.log", "name"},
               {"log", "", "name"},      {"log", "a\nb", "name"},    {NULL, "a.log", "kind"},
               {"log", NULL, "name"}};
    for (size_t i = 0; i < RK_ARRAY_LEN(bad); i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(
            rk_sweep_upload_open(f->s, &f->analyst, job, bad[i].kind, bad[i].name, &u, &err),
            RK_EINVAL);
        assert_string_equal(err.field, bad[i].field);
    }
    json_t *in = json_pack("{s:s}", "source", "store");
    assert_int_equal(rk_sweep_job_create(f->s, &f->analyst, t->case_id, in, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "source");
    json_decref(in);
    /* Start without a log, then without indicators. */
    assert_int_equal(rk_sweep_job_start(f->s, &f->analyst, job, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "files");
    assert_int_equal(
        upload(t, &f->analyst, job, "log", "a.log", access_log, sizeof access_log - 1, &err),
        RK_OK);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM sweep_jobs WHERE status = 'uploading'"), 1);
    /* An indicator file that is not of its format fails the job with a message naming it. */
    assert_int_equal(upload(t, &f->analyst, job, "indicators", "feed.json", "{\"Event\":", 9, &err),
                     RK_OK);
    assert_int_equal(rk_sweep_job_start(f->s, &f->analyst, job, &o, &err), RK_OK);
    json_decref(o);
    o = run_next(t, 1);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "failed");
    assert_non_null(strstr(json_string_value(json_object_get(o, "error")), "feed.json"));
    json_decref(o);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM sightings"), 0);
    /* A finished job takes no files and cannot be cancelled. */
    assert_int_equal(rk_sweep_upload_open(f->s, &f->analyst, job, "log", "b.log", &u, &err),
                     RK_ECONFLICT);
    assert_int_equal(rk_sweep_job_cancel(f->s, &f->analyst, job, &o, &err), RK_ECONFLICT);
}

/* A queued job cancelled before it runs is never run; a truncated gzip is counted as damaged. */
static void test_cancel_and_damaged(void **state)
{
    struct t *t = *state;
    struct fx *f = t->f;
    char job[37], gz[256], buf[65536];
    json_t *o = NULL;
    struct rk_error err = {0};
    new_job(t, &f->analyst, job);
    assert_int_equal(
        upload(t, &f->analyst, job, "indicators", "i.txt", iocs, sizeof iocs - 1, &err), RK_OK);
    assert_int_equal(
        upload(t, &f->analyst, job, "log", "a.log", access_log, sizeof access_log - 1, &err),
        RK_OK);
    assert_int_equal(rk_sweep_job_start(f->s, &f->analyst, job, &o, &err), RK_OK);
    json_decref(o);
    assert_int_equal(rk_sweep_job_cancel(f->s, &f->analyst, job, &o, &err), RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "cancelled");
    json_decref(o);
    assert_null(run_next(t, 0));

    /* Many lines of hits, gzipped, cut in half: the readable part is swept. */
    struct rk_buf big;
    rk_buf_init(&big, 0);
    for (int i = 0; i < 3000; i++)
        assert_int_equal(rk_buf_addf(&big,
                                     "192.0.2.%d - - [21/Nov/2026:10:00:00 +0900] \"GET "
                                     "http://evil.example.com/%08x\" 200 1\n",
                                     i % 200, (unsigned)i * 2654435761u),
                         RK_OK);
    snprintf(gz, sizeof gz, "%s/big.log.gz", f->dir);
    gz_bytes(gz, big.data, big.len);
    size_t gn = slurp(gz, buf, sizeof buf);
    assert_true(gn < sizeof buf);
    rk_buf_free(&big);
    new_job(t, &f->analyst, job);
    assert_int_equal(
        upload(t, &f->analyst, job, "indicators", "i.txt", iocs, sizeof iocs - 1, &err), RK_OK);
    assert_int_equal(upload(t, &f->analyst, job, "log", "cut.log.gz", buf, gn / 2, &err), RK_OK);
    assert_int_equal(
        upload(t, &f->analyst, job, "log", "a.log", access_log, sizeof access_log - 1, &err),
        RK_OK);
    assert_int_equal(rk_sweep_job_start(f->s, &f->analyst, job, &o, &err), RK_OK);
    json_decref(o);
    o = run_next(t, 1);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "done");
    assert_int_equal(jint(o, "files"), 2);
    assert_int_equal(jint(o, "files_damaged"), 1);
    json_t *sk = json_array_get(json_object_get(o, "skipped"), 0);
    assert_string_equal(json_string_value(json_object_get(sk, "file")), "cut.log.gz");
    assert_true(jint(o, "hits") > 3 && jint(o, "hits") < 3003);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM sightings WHERE file = 'a.log'"), 3);
    json_decref(o);
}

/* A job left "running" by a process that died is marked failed; one whose runner holds its lock
 * is left alone. */
static void test_recover(void **state)
{
    struct t *t = *state;
    struct fx *f = t->f;
    char dead[37], alive[37], lock[300], cmd[600];
    struct rk_error err = {0};
    int n = -1;
    new_job(t, &f->analyst, dead);
    new_job(t, &f->analyst, alive);
    snprintf(cmd, sizeof cmd, "UPDATE sweep_jobs SET status = 'running' WHERE id IN ('%s', '%s')",
             dead, alive);
    {
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, cmd, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
    }
    snprintf(lock, sizeof lock, "%s.sweep/%s/.lock", f->path, alive);
    int fd = open(lock, O_RDWR | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    assert_int_equal(rk_sweep_jobs_recover(f->s, &n, &err), RK_OK);
    assert_int_equal(n, 1);
    json_t *o = NULL;
    assert_int_equal(rk_sweep_job_get(f->s, &f->analyst, dead, &o, &err), RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "failed");
    assert_string_equal(json_string_value(json_object_get(o, "error")), "interrupted");
    json_decref(o);
    assert_int_equal(rk_sweep_job_get(f->s, &f->analyst, alive, &o, &err), RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "running");
    json_decref(o);
    close(fd);
    assert_int_equal(rk_sweep_jobs_recover(f->s, &n, &err), RK_OK);
    assert_int_equal(n, 1);
}

/* Without an indicator file the job sweeps against the store's own indicators, as its creator
 * may read them: the case's attacker infrastructure hits, its victim asset (the client address
 * in every line) never does. */
static void test_store_source(void **state)
{
    struct t *t = *state;
    struct fx *f = t->f;
    char job[37];
    json_t *o = NULL;
    struct rk_error err = {0};
    static const struct {
        const char *value, *role;
    } links[] = {{"evil.example.com", "attacker_infrastructure"}, {"192.0.2.10", "victim_asset"}};
    for (size_t i = 0; i < RK_ARRAY_LEN(links); i++) {
        json_t *in = json_pack("{s:s,s:s}", "value", links[i].value, "role", links[i].role);
        assert_int_equal(rk_case_observable_link(f->s, &f->analyst, t->case_id, in, &o, &err),
                         RK_OK);
        json_decref(in);
        json_decref(o);
    }
    new_job(t, &f->analyst, job);
    assert_int_equal(
        upload(t, &f->analyst, job, "log", "a.log", access_log, sizeof access_log - 1, &err),
        RK_OK);
    assert_int_equal(rk_sweep_job_start(f->s, &f->analyst, job, &o, &err), RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "source")), "store");
    json_decref(o);
    o = run_next(t, 1);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "done");
    assert_int_equal(jint(o, "hits"), 2);
    json_decref(o);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM sightings s JOIN observables o ON"
                                 " o.id = s.observable_id WHERE o.canonical = 'evil.example.com'"),
                     2);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM sightings s JOIN observables o ON"
                                 " o.id = s.observable_id WHERE o.canonical = '192.0.2.10'"),
                     0);
    /* The victim asset keeps its role. */
    assert_int_equal(fx_count(f, "SELECT count(*) FROM case_observables WHERE role ="
                                 " 'victim_asset'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_run_and_views, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_and_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_source, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
