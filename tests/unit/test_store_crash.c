/* Durability: a process filing reports is killed with SIGKILL mid-stream; every report whose
 * creation had returned RK_OK is in the database afterwards, and the audit chain verifies. */
#include "store-fixture.h"

#include <signal.h>
#include <sys/wait.h>

static void child_writes(const char *path, const struct rk_actor *who, int fd)
{
    struct rk_store *s = NULL;
    struct rk_error err = {0};
    if (rk_store_open(path, &s, &err) != RK_OK)
        _exit(3);
    for (int i = 0;; i++) {
        json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "intake_type", "tsuho", "channel",
                               "online", "category", "phishing", "title", "連続書き込み",
                               "narrative", "https://crash-test.example.com/ への誘導"),
               *o = NULL;
        if (rk_report_create(s, who, in, &o, &err) != RK_OK)
            _exit(4);
        /* Acknowledge only after the call returned: this id must survive. */
        char line[40];
        int n = snprintf(line, sizeof(line), "%s\n",
                         json_string_value(json_object_get(o, "id")));
        if (write(fd, line, (size_t)n) != n)
            _exit(5);
        json_decref(in);
        json_decref(o);
    }
}

static void test_kill9_loses_nothing_acknowledged(void **state)
{
    struct fx *f = fx_open();
    rk_store_close(f->s);
    f->s = NULL;
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        child_writes(f->path, &f->station_a, p[1]);
    }
    close(p[1]);
    enum { WANT = 150 };
    char(*ids)[37] = rk_calloc(WANT, 37);
    FILE *in = fdopen(p[0], "r");
    int n = 0;
    char line[64];
    while (n < WANT && fgets(line, sizeof(line), in) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        snprintf(ids[n++], 37, "%.36s", line);
    }
    assert_int_equal(kill(pid, SIGKILL), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    fclose(in);
    assert_int_equal(n, WANT);

    struct rk_error err = {0};
    assert_int_equal(rk_store_open(f->path, &f->s, &err), RK_OK);
    for (int i = 0; i < n; i++) {
        json_t *o = NULL;
        assert_int_equal(rk_report_get(f->s, &f->station_a, ids[i], &o, &err), RK_OK);
        json_decref(o);
    }
    json_t *v = NULL;
    assert_int_equal(rk_audit_verify(f->s, &v, &err), RK_OK);
    assert_true(json_is_true(json_object_get(v, "ok")));
    json_decref(v);
    rk_free(ids);
    fx_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill9_loses_nothing_acknowledged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
