/*
 * Unit tests of the HTTP plumbing of server/ that needs no store: the router, request bodies
 * (size, UTF-8, JSON, field paths, fixed shapes), cookies and Bearer keys, the CSRF comparison,
 * the session cookie, status mapping, the listen address and the embedded UI table. The
 * handlers and the daemon are covered by tests/integration/ against the real server.
 */
#include "rk-test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "http.h"
#include "renkei/alloc.h"

/* ===== Router ===== */

static void h_a(struct rk_http_req *req, struct rk_http_resp *resp)
{
    resp->status = 1;
}
static void h_b(struct rk_http_req *req, struct rk_http_resp *resp)
{
    resp->status = 2;
}
static void h_c(struct rk_http_req *req, struct rk_http_resp *resp)
{
    resp->status = 3;
}
static void h_d(struct rk_http_req *req, struct rk_http_resp *resp)
{
    resp->status = 4;
}

static const struct rk_route test_routes[] = {
    {"GET", "/api/v1/cases", h_a, 0},
    {"GET", "/api/v1/cases/{id}", h_b, 0},
    {"PATCH", "/api/v1/cases/{id}/tasks/{tid}", h_c, 0},
    {"POST", "/api/v1/observables/preview", h_d, 0},
    {"GET", "/api/v1/observables/{id}", h_b, 0},
};
static const struct rk_route_set test_set = {test_routes, RK_ARRAY_LEN(test_routes)};
static const struct rk_route_set *const test_sets[] = {&test_set, NULL};

struct route_case {
    const char *method, *path;
    enum rk_route_match want;
    unsigned handler_mark; /* what the handler writes into status */
    size_t nparams;
    const char *p0, *p1;
};

static const struct route_case route_cases[] = {
    {"GET", "/api/v1/cases", RK_ROUTE_FOUND, 1, 0, NULL, NULL},
    {"HEAD", "/api/v1/cases", RK_ROUTE_FOUND, 1, 0, NULL, NULL},
    {"GET", "/api/v1/cases/", RK_ROUTE_NO_PATH, 0, 0, NULL, NULL},
    {"GET", "/api/v1/cases/abc-123", RK_ROUTE_FOUND, 2, 1, "abc-123", NULL},
    {"POST", "/api/v1/cases", RK_ROUTE_NO_METHOD, 0, 0, NULL, NULL},
    {"DELETE", "/api/v1/cases/x", RK_ROUTE_NO_METHOD, 0, 0, NULL, NULL},
    {"PATCH", "/api/v1/cases/c1/tasks/t2", RK_ROUTE_FOUND, 3, 2, "c1", "t2"},
    {"PATCH", "/api/v1/cases/c1/tasks/", RK_ROUTE_NO_PATH, 0, 0, NULL, NULL},
    {"PATCH", "/api/v1/cases/c1/tasks/t2/x", RK_ROUTE_NO_PATH, 0, 0, NULL, NULL},
    {"GET", "/api/v1/cases/c1/tasks", RK_ROUTE_NO_PATH, 0, 0, NULL, NULL},
    {"POST", "/api/v1/observables/preview", RK_ROUTE_FOUND, 4, 0, NULL, NULL},
    /* A literal segment does not stop another route's {id} from matching on GET. */
    {"GET", "/api/v1/observables/preview", RK_ROUTE_FOUND, 2, 1, "preview", NULL},
    {"GET", "/api/v1/casesx", RK_ROUTE_NO_PATH, 0, 0, NULL, NULL},
    {"GET", "/api/v1/case", RK_ROUTE_NO_PATH, 0, 0, NULL, NULL},
    {"GET", "/", RK_ROUTE_NO_PATH, 0, 0, NULL, NULL},
    /* 65 bytes: one past RK_MAX_HTTP_PARAM_LEN. */
    {"GET", "/api/v1/cases/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     RK_ROUTE_NO_PATH, 0, 0, NULL, NULL},
};

static void test_router(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(route_cases); i++) {
        const struct route_case *c = &route_cases[i];
        const struct rk_route *r = NULL;
        const char *params[RK_MAX_HTTP_PARAMS] = {0};
        char buf[RK_MAX_HTTP_PARAMS * (RK_MAX_HTTP_PARAM_LEN + 1)];
        size_t n = 99;
        enum rk_route_match m =
            rk_http_route(test_sets, c->method, c->path, &r, params, &n, buf, sizeof buf);
        assert_int_equal(m, c->want);
        if (m != RK_ROUTE_FOUND)
            continue;
        struct rk_http_resp resp = {0};
        r->handler(NULL, &resp);
        assert_int_equal(resp.status, c->handler_mark);
        assert_int_equal(n, c->nparams);
        if (c->p0 != NULL)
            assert_string_equal(params[0], c->p0);
        if (c->p1 != NULL)
            assert_string_equal(params[1], c->p1);
    }
}

/* ===== UTF-8 ===== */

struct utf8_case {
    const char *in;
    size_t len;
    size_t bad; /* offset of the first invalid byte, or len */
};

static const struct utf8_case utf8_cases[] = {
    {"abc", 3, 3},
    {"\xe9\x80\xa3\xe6\x90\xba", 6, 6}, /* 連携 */
    {"a\xff", 2, 1},
    {"\xc0\xaf", 2, 0},         /* overlong '/' */
    {"\xed\xa0\x80", 3, 0},     /* surrogate U+D800 */
    {"\xf4\x90\x80\x80", 4, 0}, /* U+110000 */
    {"\xf0\x9f\x98\x80", 4, 4}, /* U+1F600 */
    {"ab\xe9\x80", 4, 2},       /* truncated 3-byte sequence */
    {"\xe9\x80"
     "a",
     3, 0}, /* bad continuation */
};

static void test_utf8(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(utf8_cases); i++)
        assert_int_equal(rk_http_utf8_check(utf8_cases[i].in, utf8_cases[i].len),
                         utf8_cases[i].bad);
}

/* ===== Bodies ===== */

struct body_case {
    const char *in;
    enum rk_status rc;
    const char *field;
};

static const struct body_case body_cases[] = {
    {"{\"narrative\":\"\xe8\xa9\x90\xe6\xac\xba\"}", RK_OK, ""}, /* 詐欺 */
    {"", RK_EINVAL, ""},
    {"[1,2]", RK_EINVAL, ""},
    {"\"text\"", RK_EINVAL, ""},
    {"{\"title\":\"a\",\"narrative\":\"ok \xff\"}", RK_EINVAL, "narrative"},
    {"{\"reporter\":{\"name\":\"\xc0\xaf\"}}", RK_EINVAL, "reporter.name"},
    {"{\"observables\":[{\"role\":\"x\"},{\"role\":\"x\"},{\"role\":\"\xed\xa0\x80\"}]}", RK_EINVAL,
     "observables[2].role"},
    {"{\"title\":\"a\",\"urgent\":tru}", RK_EINVAL, "urgent"},
    {"{\"title\":\"a\",", RK_EINVAL, ""},
    {"{\"a\":1,\"a\":2}", RK_EINVAL, "a"},
    {"{\"list\":[1,2,}", RK_EINVAL, "list[2]"},
    {"{\"t\\\"x\":\"\xff\"}", RK_EINVAL, "t?\"x"},
    {"{\"a\":{\"b\":1},\"c\":[{\"d\":\"\xff\"}]}", RK_EINVAL, "c[0].d"},
    {"{} trailing", RK_EINVAL, ""},
};

static void test_body_parse(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(body_cases); i++) {
        const struct body_case *c = &body_cases[i];
        json_t *j = NULL;
        struct rk_error err = {0};
        enum rk_status rc = rk_http_body_parse(c->in, strlen(c->in), &j, &err);
        assert_int_equal(rc, c->rc);
        if (rc == RK_OK) {
            assert_true(json_is_object(j));
            json_decref(j);
            continue;
        }
        assert_null(j);
        assert_string_equal(err.field, c->field);
        assert_int_equal(err.code, c->rc);
        assert_true(strlen(err.message) > 0);
    }
}

static void test_body_too_big(void **state)
{
    size_t n = RK_MAX_HTTP_BODY + 1;
    char *big = rk_malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    json_t *j = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_http_body_parse(big, n, &j, &err), RK_ETOOBIG);
    assert_null(j);
    /* One byte less is accepted: the cap is inclusive. */
    big[n - 2] = '}';
    assert_int_equal(rk_http_body_parse(big, n - 1, &j, &err), RK_OK);
    json_decref(j);
    rk_free(big);
}

struct path_case {
    const char *json;
    size_t offset;
    const char *want;
};

static const struct path_case path_cases[] = {
    {"{\"a\":1}", 0, ""},
    {"{\"a\":1}", 5, "a"},
    {"{\"a\":{\"b\":[0,1,2]}}", 16, "a.b[2]"},
    {"{\"a\":[{\"x\":1},{\"y\":2}],\"z\":3}", 26, "z"},
    {"[[1],[2,3]]", 8, "[1][1]"},
};

static void test_json_path(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(path_cases); i++) {
        char field[96];
        const struct path_case *c = &path_cases[i];
        rk_http_json_path_at(c->json, strlen(c->json), c->offset, field, sizeof field);
        assert_string_equal(field, c->want);
    }
}

static const struct rk_http_field shape[] = {
    {"to", RK_JT_STRING, 1, 8},
    {"comment", RK_JT_STRING | RK_JT_NULL, 0, 0},
    {"done", RK_JT_BOOL, 0, 0},
};

struct check_case {
    const char *json;
    enum rk_status rc;
    const char *field;
};

static const struct check_case check_cases[] = {
    {"{\"to\":\"shared\"}", RK_OK, ""},
    {"{\"to\":\"shared\",\"comment\":null,\"done\":true}", RK_OK, ""},
    {"{\"to\":\"shared\",\"tp\":1}", RK_EINVAL, "tp"},
    {"{\"to\":5}", RK_EINVAL, "to"},
    {"{\"to\":\"123456789\"}", RK_EINVAL, "to"},
    {"{\"comment\":\"x\"}", RK_EINVAL, "to"},
    {"{\"to\":\"a\",\"done\":\"yes\"}", RK_EINVAL, "done"},
    {"{\"to\":\"a\",\"done\":1.5}", RK_EINVAL, "done"},
};

static void test_body_check(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(check_cases); i++) {
        const struct check_case *c = &check_cases[i];
        json_t *j = json_loads(c->json, 0, NULL);
        assert_non_null(j);
        struct rk_error err = {0};
        assert_int_equal(rk_http_body_check(j, shape, RK_ARRAY_LEN(shape), &err), c->rc);
        if (c->rc != RK_OK)
            assert_string_equal(err.field, c->field);
        json_decref(j);
    }
}

/* ===== Authentication helpers ===== */

struct cookie_case {
    const char *header;
    enum rk_status rc;
    const char *want;
};

static const struct cookie_case cookie_cases[] = {
    {"renkei_session=abc", RK_OK, "abc"},
    {"a=1; renkei_session=tok123; b=2", RK_OK, "tok123"},
    {"a=1;renkei_session=tok ", RK_OK, "tok"},
    {"xrenkei_session=abc", RK_ENOTFOUND, NULL},
    {"renkei_sessionx=abc", RK_ENOTFOUND, NULL},
    {"", RK_ENOTFOUND, NULL},
    {"renkei_session=0123456789", RK_ETOOBIG, NULL}, /* cap 8 below */
};

static void test_cookie(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(cookie_cases); i++) {
        const struct cookie_case *c = &cookie_cases[i];
        char out[8];
        assert_int_equal(rk_http_cookie_get(c->header, RK_SESSION_COOKIE, out, sizeof out), c->rc);
        if (c->want != NULL)
            assert_string_equal(out, c->want);
    }
    char out[8];
    assert_int_equal(rk_http_cookie_get(NULL, RK_SESSION_COOKIE, out, sizeof out), RK_ENOTFOUND);
}

static void test_bearer(void **state)
{
    char out[16];
    assert_int_equal(rk_http_bearer_get("Bearer rk_abc", out, sizeof out), RK_OK);
    assert_string_equal(out, "rk_abc");
    assert_int_equal(rk_http_bearer_get("bearer  k2 ", out, sizeof out), RK_OK);
    assert_string_equal(out, "k2");
    assert_int_equal(rk_http_bearer_get("Basic dXNlcjpwdw==", out, sizeof out), RK_ENOTFOUND);
    assert_int_equal(rk_http_bearer_get("Bearer ", out, sizeof out), RK_ENOTFOUND);
    assert_int_equal(rk_http_bearer_get("Bearer 0123456789abcdef", out, sizeof out), RK_ETOOBIG);
}

static void test_tokens_and_methods(void **state)
{
    assert_true(rk_http_token_equal("abc", "abc"));
    assert_false(rk_http_token_equal("abc", "abd"));
    assert_false(rk_http_token_equal("abc", "ab"));
    assert_false(rk_http_token_equal("", ""));
    assert_true(rk_http_method_writes("POST"));
    assert_true(rk_http_method_writes("PATCH"));
    assert_true(rk_http_method_writes("DELETE"));
    assert_true(rk_http_method_writes("PUT"));
    assert_false(rk_http_method_writes("GET"));
    assert_false(rk_http_method_writes("HEAD"));
}

static void test_session_cookie(void **state)
{
    char out[256];
    assert_int_equal(rk_http_session_cookie(out, sizeof out, "tok", 3600, 0), RK_OK);
    assert_string_equal(out, "renkei_session=tok; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict");
    assert_int_equal(rk_http_session_cookie(out, sizeof out, "tok", 0, 1), RK_OK);
    assert_string_equal(out,
                        "renkei_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
    char small[16];
    assert_int_equal(rk_http_session_cookie(small, sizeof small, "tok", 10, 0), RK_ETOOBIG);
}

/* ===== Status mapping and errors ===== */

struct status_case {
    int rc;
    unsigned status;
    const char *code;
};

static const struct status_case status_cases[] = {
    {RK_EINVAL, 422, "invalid"},
    {RK_ETOOBIG, 413, "too_big"},
    {RK_ENOTFOUND, 404, "not_found"},
    {RK_EFORBIDDEN, 403, "forbidden"},
    {RK_EAUTH, 401, "unauthenticated"},
    {RK_ECONFLICT, 409, "conflict"},
    {RK_EIO, 500, "io_error"},
    {RK_ENOMEM, 500, "out_of_memory"},
    {RK_EUNSUPPORTED, 501, "unsupported"},
};

static void test_errors(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(status_cases); i++) {
        const struct status_case *c = &status_cases[i];
        struct rk_http_resp resp = {0};
        rk_http_error(&resp, c->rc, "narrative", "too long");
        assert_int_equal(resp.status, c->status);
        json_t *e = json_object_get(resp.json, "error");
        assert_string_equal(json_string_value(json_object_get(e, "code")), c->code);
        assert_string_equal(json_string_value(json_object_get(e, "field")), "narrative");
        assert_string_equal(json_string_value(json_object_get(e, "message")), "too long");
        json_decref(resp.json);
    }
    /* A service error without a message gets the generic description. */
    struct rk_http_resp resp = {0};
    struct rk_error err = {0};
    rk_http_reply(&resp, RK_ENOTFOUND, NULL, &err, 200);
    assert_int_equal(resp.status, 404);
    json_t *e = json_object_get(resp.json, "error");
    assert_string_equal(json_string_value(json_object_get(e, "message")), "not found");
    json_decref(resp.json);
}

/* ===== Listen address ===== */

struct listen_case {
    const char *in;
    enum rk_status rc;
    int family;
    unsigned port;
};

static const struct listen_case listen_cases[] = {
    {"127.0.0.1:8080", RK_OK, AF_INET, 8080}, {":0", RK_OK, AF_INET, 0},
    {"[::1]:443", RK_OK, AF_INET6, 443},      {"::1:443", RK_OK, AF_INET6, 443},
    {"127.0.0.1", RK_EINVAL, 0, 0},           {"127.0.0.1:65536", RK_EINVAL, 0, 0},
    {"127.0.0.1:-1", RK_EINVAL, 0, 0},        {"localhost:80", RK_EINVAL, 0, 0},
    {"1.2.3.4.5:80", RK_EINVAL, 0, 0},
};

static void test_listen(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(listen_cases); i++) {
        const struct listen_case *c = &listen_cases[i];
        struct sockaddr_storage ss;
        unsigned len = 0;
        assert_int_equal(rk_http_parse_listen(c->in, &ss, &len), c->rc);
        if (c->rc != RK_OK)
            continue;
        assert_int_equal(ss.ss_family, c->family);
        unsigned port = c->family == AF_INET
                            ? ntohs(((struct sockaddr_in *)(void *)&ss)->sin_port)
                            : ntohs(((struct sockaddr_in6 *)(void *)&ss)->sin6_port);
        assert_int_equal(port, c->port);
    }
}

/* ===== Embedded UI ===== */

static void test_static(void **state)
{
    /* Every embedded file is found under both of its paths, with a type. */
    for (size_t i = 0; i < rk_ui_file_count; i++) {
        const struct rk_static_file *f = &rk_ui_files[i];
        char ui_path[512];
        snprintf(ui_path, sizeof ui_path, "/ui%s", f->path);
        assert_ptr_equal(rk_http_static_find(f->path), f);
        assert_ptr_equal(rk_http_static_find(ui_path), f);
        assert_true(strlen(f->content_type) > 0);
    }
    assert_null(rk_http_static_find("/no/such/file.js"));
    assert_null(rk_http_static_find("/../CMakeLists.txt"));
    if (rk_http_static_find("/index.html") != NULL) {
        assert_ptr_equal(rk_http_static_find("/"), rk_http_static_find("/index.html"));
        assert_string_equal(rk_http_static_find("/")->content_type, "text/html; charset=utf-8");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_body_parse),
        cmocka_unit_test(test_body_too_big),
        cmocka_unit_test(test_json_path),
        cmocka_unit_test(test_body_check),
        cmocka_unit_test(test_cookie),
        cmocka_unit_test(test_bearer),
        cmocka_unit_test(test_tokens_and_methods),
        cmocka_unit_test(test_session_cookie),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_listen),
        cmocka_unit_test(test_static),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
