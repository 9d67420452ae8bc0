/* The writers of the exports for sensors (lib/share/export-sensor.c): a fixed set of indicators
 * written in every format and compared byte for byte with the expected files in
 * tests/unit/export-sensor/ (each holds "count=… skipped=… nfiles=…" and then every file as
 * "=== name (count)" and its content); the RPZ owner names of addresses and CIDRs; the options
 * an export refuses, with the field named; and rk_export_sensor's roles over a real store. */
#include "store-fixture.h"

#include "renkei/buf.h"
#include "share/export-sensor.h"

static const struct rk_indicator_case c1[] = {{"id1", "C2026-000001"}};
static const struct rk_indicator_case c23[] = {{"id2", "C2026-000002"}, {"id3", "C2026-000003"}};

/* In the source's (type, value) order. The e-mail with a space cannot go into a line-oriented
 * file (skipped); the phone number is carried by no format (ignored). */
static const struct rk_store_indicator inds[] = {
    {"cidr", "198.51.100.0/24", "o1", "2026-11-01T00:00:00Z", "GREEN", c1, 1},
    {"cidr", "2001:db8:1::/48", "o2", "2026-11-01T00:00:00Z", "CLEAR", NULL, 0},
    {"domain", "evil.example.net", "o3", "2026-11-01T00:00:00Z", "GREEN", c1, 1},
    {"domain", "xn--r8jz45g.jp", "o4", "2026-11-01T00:00:00Z", "AMBER", c23, 2},
    {"email", "a b@evil.example.net", "o5", "2026-11-01T00:00:00Z", "GREEN", NULL, 0},
    {"email", "fraud@evil.example.net", "o6", "2026-11-01T00:00:00Z", "GREEN", NULL, 0},
    {"ipv4", "203.0.113.5", "o7", "2026-11-01T00:00:00Z", "GREEN", NULL, 0},
    {"ipv6", "2001:db8::1", "o8", "2026-11-01T00:00:00Z", "AMBER", c23, 2},
    {"md5", "d41d8cd98f00b204e9800998ecf8427e", "o9", "2026-11-01T00:00:00Z", "GREEN", NULL, 0},
    {"phone", "+81312345678", "o10", "2026-11-01T00:00:00Z", "GREEN", NULL, 0},
    {"sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "o11",
     "2026-11-01T00:00:00Z", "GREEN", c1, 1},
    {"url", "https://evil.example.net/login?a=1", "o12", "2026-11-01T00:00:00Z", "GREEN", c1, 1},
};

/* 2026-11-22T02:12:00Z: the headers' time and the RPZ serial. */
#define NOW 1795313520

static const struct {
    const char *format, *type, *expected;
} golden[] = {
    {"suricata-datasets", NULL, "suricata-datasets.txt"},
    {"suricata-rules", NULL, "suricata-rules.txt"},
    {"zeek-intel", NULL, "zeek-intel.txt"},
    {"zeek-intel", "url", "zeek-intel-url.txt"},
    {"rpz", NULL, "rpz.txt"},
    {"blocklist", NULL, "blocklist.txt"},
};

static char *slurp(const char *name)
{
    const char *dir = getenv("RK_SOURCE_DIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/tests/unit/export-sensor/%s", dir ? dir : ".", name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot read %s", path);
    struct rk_buf b;
    rk_buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        assert_int_equal(rk_buf_add(&b, chunk, n), RK_OK);
    fclose(f);
    return rk_buf_steal(&b);
}

static void test_formats(void **state)
{
    (void)state;
    for (size_t g = 0; g < RK_ARRAY_LEN(golden); g++) {
        struct rk_export_opts o = {
            .format = golden[g].format, .type = golden[g].type, .audience = "partners"};
        struct rk__export_writer *w = NULL;
        struct rk_export *x = NULL;
        struct rk_error err = {0};
        assert_int_equal(rk__export_begin(&o, NOW, &w, &err), RK_OK);
        for (size_t i = 0; i < RK_ARRAY_LEN(inds); i++)
            assert_int_equal(rk__export_add(w, &inds[i], &err), RK_OK);
        assert_int_equal(rk__export_finish(w, &x, &err), RK_OK);
        struct rk_buf got;
        rk_buf_init(&got, 1 << 20);
        rk_buf_addf(&got, "count=%llu skipped=%llu nfiles=%zu\n", (unsigned long long)x->count,
                    (unsigned long long)x->skipped, x->nfiles);
        for (size_t i = 0; i < x->nfiles; i++) {
            rk_buf_addf(&got, "=== %s (%llu)\n", x->files[i].name,
                        (unsigned long long)x->files[i].count);
            rk_buf_add(&got, x->files[i].data, x->files[i].len);
        }
        char *want = slurp(golden[g].expected);
        if (strcmp(got.data, want) != 0)
            fail_msg("%s: got\n%s\nwant\n%s", golden[g].expected, got.data, want);
        rk_free(want);
        rk_buf_free(&got);
        rk_export_destroy(x);
    }
}

static const struct {
    const char *type, *value, *want; /* want NULL: refused */
} rpz_ips[] = {
    {"ipv4", "203.0.113.5", "32.5.113.0.203.rpz-ip"},
    {"cidr", "198.51.100.0/24", "24.0.100.51.198.rpz-ip"},
    {"cidr", "10.0.0.0/8", "8.0.0.0.10.rpz-ip"},
    {"ipv6", "2001:db8::1", "128.1.zz.db8.2001.rpz-ip"},
    {"ipv6", "::1", "128.1.zz.rpz-ip"},
    {"cidr", "2001:db8:1::/48", "48.zz.1.db8.2001.rpz-ip"},
    /* No run of two zero groups: nothing compressed. */
    {"ipv6", "1:0:2:0:3:0:4:0", "128.0.4.0.3.0.2.0.1.rpz-ip"},
    /* Two runs of the same length: the leftmost is compressed (RFC 5952). */
    {"ipv6", "2001:db8::1:0:0:1", "128.1.0.0.1.zz.db8.2001.rpz-ip"},
    {"ipv4", "1.2.3", NULL},
    {"cidr", "10.0.0.0/33", NULL},
    {"ipv4", "256.1.1.1", NULL},
    {"ipv6", "2001:db8::g", NULL},
};

static void test_rpz_ip(void **state)
{
    (void)state;
    for (size_t i = 0; i < RK_ARRAY_LEN(rpz_ips); i++) {
        struct rk_buf b;
        rk_buf_init(&b, 4096);
        enum rk_status rc = rk__export_rpz_ip(rpz_ips[i].type, rpz_ips[i].value, &b);
        if (rpz_ips[i].want == NULL) {
            if (rc != RK_EINVAL)
                fail_msg("%s: accepted as %s", rpz_ips[i].value, b.data ? b.data : "");
        } else {
            if (rc != RK_OK || strcmp(b.data, rpz_ips[i].want) != 0)
                fail_msg("%s: got %s, want %s", rpz_ips[i].value, b.data ? b.data : "(error)",
                         rpz_ips[i].want);
        }
        rk_buf_free(&b);
    }
}

static const struct {
    struct rk_export_opts o;
    const char *field;
} bad[] = {
    {{.format = "snort", .audience = "partners"}, "format"},
    {{.format = NULL, .audience = "partners"}, "format"},
    {{.format = "rpz", .audience = NULL}, "audience"},
    {{.format = "rpz", .audience = "npa"}, "audience"},
    {{.format = "rpz", .audience = "police", .type = "url"}, "type"},
    {{.format = "rpz", .audience = "police", .type = "fqdn"}, "type"},
    {{.format = "suricata-datasets", .audience = "police", .type = "cidr"}, "type"},
    {{.format = "suricata-rules", .audience = "police", .type = "email"}, "type"},
    {{.format = "zeek-intel", .audience = "police", .tlp_max = "amber"}, "tlp_max"},
    {{.format = "suricata-rules", .audience = "police", .sid_base = -5}, "sid_base"},
    {{.format = "suricata-rules", .audience = "police", .sid_base = 4294967000LL}, "sid_base"},
};

static void test_refused_options(void **state)
{
    (void)state;
    for (size_t i = 0; i < RK_ARRAY_LEN(bad); i++) {
        struct rk__export_writer *w = NULL;
        struct rk_error err = {0};
        assert_int_equal(rk__export_begin(&bad[i].o, NOW, &w, &err), RK_EINVAL);
        assert_null(w);
        assert_string_equal(err.field, bad[i].field);
    }
}

/* Over a real store: who may export, and an export is audited. */
static void test_service_roles(void **state)
{
    (void)state;
    struct fx *f = fx_open();
    char rep[37];
    json_t *x = json_pack("{s:s,s:s}", "tlp", "GREEN", "scope", "partners");
    fx_report(f, &f->station_a, "偽サイト", "偽サイト https://kakuu-bank.example.net/login", x,
              rep);
    json_decref(x);
    struct rk_export_opts o = {.format = "blocklist", .type = "url", .audience = "partners"};
    const struct {
        const struct rk_actor *who;
        enum rk_status want;
    } roles[] = {
        {&f->sys, RK_OK},           {&f->analyst, RK_OK},
        {&f->supervisor, RK_OK},    {&f->station_a, RK_EFORBIDDEN},
        {&f->admin, RK_EFORBIDDEN}, {&f->partner, RK_EFORBIDDEN},
    };
    for (size_t i = 0; i < RK_ARRAY_LEN(roles); i++) {
        struct rk_export *e = NULL;
        struct rk_error err = {0};
        enum rk_status rc = rk_export_sensor(f->s, roles[i].who, &o, &e, &err);
        if (rc != roles[i].want)
            fail_msg("%s: got %d (%s)", roles[i].who->login, rc, err.message);
        if (rc == RK_OK) {
            assert_int_equal(e->nfiles, 1);
            assert_string_equal(e->files[0].data, "https://kakuu-bank.example.net/login\n");
        } else {
            assert_null(e);
        }
        rk_export_destroy(e);
    }
    json_t *log = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_audit_list(f->s, &f->supervisor, 200, 0, &log, &err), RK_OK);
    size_t i, exports = 0;
    json_t *ev;
    json_array_foreach(json_object_get(log, "items"), i, ev)
    {
        if (strcmp(json_string_value(json_object_get(ev, "action")), "export") != 0)
            continue;
        exports++;
        assert_string_equal(json_string_value(json_object_get(ev, "detail")),
                            "format=blocklist type=url audience=partners tlp_max=- count=1");
    }
    assert_int_equal(exports, 3);
    json_decref(log);
    fx_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_rpz_ip),
        cmocka_unit_test(test_refused_options),
        cmocka_unit_test(test_service_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
