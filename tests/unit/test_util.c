/* Unit tests of lib/util: rk_buf, checked parsing, status names, allocation failure paths, the
 * usable CPU count. */
#include "rk-test.h"

#include <sched.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/cpu.h"
#include "renkei/parse.h"
#include "renkei/status.h"

static void test_buf_append_and_cap(void **state)
{
    struct rk_buf b;
    rk_buf_init(&b, 8);
    assert_int_equal(rk_buf_adds(&b, "abc"), RK_OK);
    assert_int_equal(rk_buf_addf(&b, "%d", 1234), RK_OK);
    assert_string_equal(b.data, "abc1234");
    /* One more byte fits exactly at the cap; the next does not and changes nothing. */
    assert_int_equal(rk_buf_addc(&b, 'x'), RK_OK);
    assert_int_equal(rk_buf_addc(&b, 'y'), RK_ETOOBIG);
    assert_string_equal(b.data, "abc1234x");
    assert_int_equal(b.len, 8);
    char *s = rk_buf_steal(&b);
    assert_string_equal(s, "abc1234x");
    assert_null(b.data);
    rk_free(s);
    rk_buf_free(&b);
    rk_buf_free(NULL);
}

static void test_buf_growth(void **state)
{
    struct rk_buf b;
    rk_buf_init(&b, 0);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(rk_buf_adds(&b, "連携"), RK_OK);
    assert_int_equal(b.len, 60000);
    assert_int_equal(memcmp(b.data + 59994, "連携", 6), 0);
    rk_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    rk_buf_free(&b);
}

struct u64_case {
    const char *in;
    uint64_t max;
    enum rk_status rc;
    uint64_t want;
};

static const struct u64_case u64_cases[] = {
    {"0", 10, RK_OK, 0},
    {"10", 10, RK_OK, 10},
    {"11", 10, RK_EINVAL, 0},
    {"18446744073709551615", UINT64_MAX, RK_OK, UINT64_MAX},
    {"18446744073709551616", UINT64_MAX, RK_EINVAL, 0},
    {"", 10, RK_EINVAL, 0},
    {"1a", 100, RK_EINVAL, 0},
    {" 1", 100, RK_EINVAL, 0},
    {"-1", 100, RK_EINVAL, 0},
};

static void test_parse_u64(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(u64_cases); i++) {
        const struct u64_case *c = &u64_cases[i];
        uint64_t v = 0;
        assert_int_equal(rk_parse_u64(c->in, strlen(c->in), c->max, &v), c->rc);
        if (c->rc == RK_OK)
            assert_int_equal(v, c->want);
    }
}

static void test_parse_i64(void **state)
{
    int64_t v = 0;
    assert_int_equal(rk_parse_i64("-9223372036854775808", 20, INT64_MIN, INT64_MAX, &v), RK_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(rk_parse_i64("-9223372036854775809", 20, INT64_MIN, INT64_MAX, &v), RK_EINVAL);
    assert_int_equal(rk_parse_i64("-5", 2, -10, 10, &v), RK_OK);
    assert_int_equal(v, -5);
    assert_int_equal(rk_parse_i64("-5", 2, 0, 10, &v), RK_EINVAL);
    assert_int_equal(rk_parse_i64("-", 1, -10, 10, &v), RK_EINVAL);
}

static void test_status_names(void **state)
{
    assert_string_equal(rk_status_code(RK_EFORBIDDEN), "forbidden");
    assert_string_equal(rk_status_code(RK_EINVAL | (3 << 8)), "invalid");
    assert_string_equal(rk_strerror(RK_ENOTFOUND), "not found");
    assert_string_equal(rk_status_code(200), "unknown");
}

/* rk_cpus_usable() counts the CPUs the thread may run on, not the CPUs online: in a child
 * limited to one CPU it says 1 (with sysconf(_SC_NPROCESSORS_ONLN) it said 2 on a 2-CPU host). */
static void test_cpus_usable_follows_affinity(void **state)
{
    (void)state;
    cpu_set_t all;
    CPU_ZERO(&all);
    assert_int_equal(sched_getaffinity(0, sizeof all, &all), 0);
    assert_int_equal(rk_cpus_usable(), (unsigned)CPU_COUNT(&all));
    int first = -1;
    for (int c = 0; c < CPU_SETSIZE && first < 0; c++)
        if (CPU_ISSET(c, &all))
            first = c;
    assert_true(first >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(first, &one);
        if (sched_setaffinity(0, sizeof one, &one) != 0)
            _exit(3);
        _exit(rk_cpus_usable() == 1 ? 0 : 1);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_append_and_cap),
        cmocka_unit_test(test_buf_growth),
        cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_parse_i64),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_cpus_usable_follows_affinity),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
