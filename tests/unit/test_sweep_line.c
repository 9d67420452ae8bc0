/*
 * Unit tests of the host and time taken from a log line for sightings (lib/model/sweep-line.c):
 * one line of each recognised format, the fallbacks, and lines that must yield nothing.
 */
#include "rk-test.h"

#include <string.h>

#include "model/sweep-line.h"

/* 2026-11-22T00:00:00Z: "now" for the syslog year rule. */
#define NOW 1795305600

static const struct {
    const char *line;
    const char *host;
    const char *time;
} cases[] = {
    /* squid access.log: epoch, elapsed, client. */
    {"1763715600.123     45 10.1.2.3 TCP_MISS/200 512 GET http://c2.test/ - HIER_DIRECT/1.2.3.4 -",
     "10.1.2.3", "2025-11-21T09:00:00Z"},
    /* Zeek conn.log TSV: ts, uid, id.orig_h. */
    {"1795305000.5\tCx1\t192.0.2.44\t51234\t203.0.113.5\t443\ttcp", "192.0.2.44",
     "2026-11-21T23:50:00Z"},
    /* Apache combined, zone +0900 to UTC. */
    {"192.0.2.10 - - [21/Nov/2026:10:00:00 +0900] \"GET http://evil.example/ HTTP/1.1\" 200 1",
     "192.0.2.10", "2026-11-21T01:00:00Z"},
    /* nginx with a host name as client, negative zone. */
    {"ws-12.corp.example - bob [01/Mar/2024:23:30:00 -0500] \"GET / HTTP/1.1\" 200 1",
     "ws-12.corp.example", "2024-03-02T04:30:00Z"},
    /* ISO 8601 with offset and fraction, host next. */
    {"2026-11-21T10:00:00.250+09:00 192.0.2.7 query evil.example", "192.0.2.7",
     "2026-11-21T01:00:00Z"},
    /* ISO 8601 as two fields, no zone (UTC). */
    {"2026-11-21 12:34:56 fw01 DENY 198.51.100.7", "fw01", "2026-11-21T12:34:56Z"},
    /* BSD syslog in the current year. */
    {"Nov 21 08:15:02 mail01 postfix/smtpd[123]: connect from x[198.51.100.9]", "mail01",
     "2026-11-21T08:15:02Z"},
    /* BSD syslog of December read in ... November 2026 is in the future: last year. */
    {"Dec  3 01:02:03 gw sshd[1]: Failed password", "gw", "2025-12-03T01:02:03Z"},
    /* JSON lines (Zeek JSON). */
    {"{\"ts\":1795305000.25,\"uid\":\"C1\",\"id.orig_h\":\"192.0.2.55\",\"query\":\"evil."
     "example\"}",
     "192.0.2.55", "2026-11-21T23:50:00Z"},
    {"{\"@timestamp\":\"2026-11-21T03:04:05Z\",\"src_ip\":\"2001:db8::5\"}", "2001:db8::5",
     "2026-11-21T03:04:05Z"},
    /* Unrecognised: the first IP address, no time. */
    {"DENY tcp from 203.0.113.8:5555 to evil.example", "203.0.113.8", ""},
    {"client=[2001:db8::9] asked for evil.example", "2001:db8::9", ""},
    /* Nothing to take. */
    {"evil.example was seen", "", ""},
    {"", "", ""},
    /* Not a real date / not an epoch: no time. */
    {"2026-02-30T10:00:00Z 192.0.2.1 x", "192.0.2.1", ""},
    {"12345 1.2.3.4 x", "1.2.3.4", ""},
    {"192.0.2.10 - - [21/Foo/2026:10:00:00 +0900] \"GET /\"", "192.0.2.10", ""},
};

static void test_formats(void **state)
{
    (void)state;
    for (size_t i = 0; i < RK_ARRAY_LEN(cases); i++) {
        struct rk__sweep_line out;
        rk__sweep_line_parse(cases[i].line, strlen(cases[i].line), NOW, &out);
        if (strcmp(out.host, cases[i].host) != 0 || strcmp(out.time, cases[i].time) != 0)
            print_error("case %zu: got host '%s' time '%s'\n", i, out.host, out.time);
        assert_string_equal(out.host, cases[i].host);
        assert_string_equal(out.time, cases[i].time);
    }
}

/* The line is not NUL-terminated: bytes after `n` are never read into the result. */
static void test_bounds(void **state)
{
    (void)state;
    static const char buf[] = "192.0.2.10 - - [21/Nov/2026:10:00:00 +0900]XXXX";
    struct rk__sweep_line out;
    rk__sweep_line_parse(buf, 6, NOW, &out); /* "192.0." */
    assert_string_equal(out.host, "");
    assert_string_equal(out.time, "");
    rk__sweep_line_parse(buf, 10, NOW, &out);
    assert_string_equal(out.host, "192.0.2.10");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
