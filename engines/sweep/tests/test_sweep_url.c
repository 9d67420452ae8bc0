/*
 * Unit tests of the scanner's URL path (docs/sweep.md, "What happens to a URL"): a URL is
 * canonicalised only when the URL-host prefilter may hold its host, so what decides where the
 * scan goes on and which host is tested must be exactly what the canonicaliser decides.
 *
 * - rk__sw_url_parts() against rk__sw_canon_url() on a table and on 200,000 generated URLs
 *   (hosts of every shape, user info, ports, authorities across the 16-, 32- and 64-byte
 *   mask boundaries, input that ends right after the URL): the same accept/refuse answer,
 *   the same end of the authority, the same canonical host;
 * - the same generated URLs as a log against an index of their canonical forms: every URL the
 *   canonicaliser accepts is hit, with its canonical form as the token, whether the log is
 *   scanned whole or each URL alone at the end of its input, on the AVX2 and SSE2 paths and
 *   with the prefilter test deferred to flush();
 * - URLs that only match once canonicalised (upper case, default port, percent-encoded and
 *   IDN hosts, a trailing dot, user info, an IPv4 host), and near misses that do not.
 */
#include "rk-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/sweep.h"
#include "sweep-int.h"
#include "sweep-test-util.h"

/* ===== Helpers ===== */

/* The block paths and the deferred prefilter test, each in turn (the environment is read when
 * a scanner is made). */
static const struct {
    const char *no_avx2, *defer_pf;
} paths[] = {{NULL, NULL}, {"1", NULL}, {NULL, "1"}, {"1", "1"}};

static void set_path(size_t k)
{
    if (paths[k].no_avx2)
        setenv("RK_SWEEP_NO_AVX2", paths[k].no_avx2, 1);
    else
        unsetenv("RK_SWEEP_NO_AVX2");
    if (paths[k].defer_pf)
        setenv("RK_SWEEP_DEFER_PF", paths[k].defer_pf, 1);
    else
        unsetenv("RK_SWEEP_DEFER_PF");
}

/* ===== rk__sw_url_parts() against rk__sw_canon_url() ===== */

/* The length of the scheme of u (the bytes before "://"). */
static size_t scheme_len(const char *u)
{
    return (size_t)(strstr(u, "://") - u);
}

/*
 * Checks one URL s[0, n) (readable to s[readable]): what rk__sw_url_parts() says against
 * rk__sw_canon_url(). Returns its answer.
 */
static int check_parts(const char *s, size_t n, size_t readable)
{
    static char out[8192];
    struct rk__sw_url cu;
    struct rk__sw_url_parts u;
    memset(&u, 0xa5, sizeof u);
    size_t sl = 0;
    while (sl + 2 < n && !(s[sl] == ':' && s[sl + 1] == '/' && s[sl + 2] == '/'))
        sl++;
    int r = rk__sw_url_parts(s, sl, n, readable, &u);
    int c = rk__sw_canon_url(s, n, out, sizeof out, &cu);
    if (r == 1) {
        if (c != 1)
            print_error("url_parts accepts what canon_url refuses: %.*s\n", (int)n, s);
        assert_int_equal(c, 1);
        assert_int_equal(u.consumed, cu.consumed);
        assert_int_equal(u.host_type, cu.host_type);
        if (u.host_type == RK_SWEEP_DOMAIN) {
            assert_int_equal(u.host_len, cu.host_len);
            for (size_t k = 0; k < u.host_len; k++) {
                unsigned char b = (unsigned char)s[u.host_off + k];
                if (b >= 'A' && b <= 'Z')
                    b |= 0x20;
                assert_int_equal(b, (unsigned char)out[cu.host_off + k]);
            }
            assert_int_equal(u.dotted, memchr(out + cu.host_off, '.', cu.host_len) != NULL);
        } else {
            assert_int_equal(u.host_type, RK_SWEEP_IPV4);
            assert_memory_equal(u.addr, cu.addr, 4);
        }
    } else if (r == 0) {
        if (c != 0)
            print_error("url_parts refuses what canon_url accepts: %.*s\n", (int)n, s);
        assert_int_equal(c, 0);
    } else {
        assert_int_equal(r, -1);
    }
    return r;
}

static const char *const parts_cases[] = {
    "http://evil.example/x",
    "HTTP://Evil.EXAMPLE:80/a?b=C",
    "https://x.example:8443",
    "http://u@10.9.8.7/b",
    "http://u:p@a@b.example:8080/",
    "http://010.001.002.003/",
    "http://1.2.3.999/",
    "http://1.2.3.4.:80/",
    "http://evil.example./x",
    "http://evil..example/",
    "http://.evil.example/",
    "http://evil.example../",
    "http://-a.b_c.example/",
    "http://123/",
    "http://a.123/",
    "http://localhost/",
    "http:///x",
    "http://:80/",
    "http://h.example:/x",
    "http://h.example:65535/",
    "http://h.example:65536/",
    "http://h.example:8a/",
    "http://h.example::80/",
    "http://h.example#frag",
    "http://h.example?q",
    "http://%65vil.example/p",
    "http://[2001:db8::1]:8080/x",
    "http://b\xc3\xbc"
    "cher.example/",
    "http://bad!.example/",
    "abcdefghijklmnopqrstuvwxyzABCDEF://h.example/",
    "abcdefghijklmnopqrstuvwxyzABCDEFG://h.example/",
    "http://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example/",
    "http://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example/",
    "http://a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.example/",
    "http://uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu@h.example/",
    "http://uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu@h.example/",
};

static void test_parts_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < RK_ARRAY_LEN(parts_cases); i++) {
        const char *u = parts_cases[i];
        size_t n = strlen(u);
        /* With bytes to read after the URL and with none. */
        char buf[256];
        assert_true(n + 64 <= sizeof buf);
        memcpy(buf, u, n);
        memset(buf + n, ' ', 64);
        check_parts(buf, n, n + 64);
        check_parts(u, n, n);
    }
    /* A few that must take the fast path one way or the other. */
    struct rk__sw_url_parts p;
    const char *a = "HTTP://Evil.EXAMPLE.:80/a";
    assert_int_equal(rk__sw_url_parts(a, 4, strlen(a), strlen(a), &p), 1);
    assert_int_equal(p.host_len, strlen("Evil.EXAMPLE"));
    assert_memory_equal(a + p.host_off, "Evil.EXAMPLE", p.host_len);
    assert_int_equal(p.consumed, strlen("HTTP://Evil.EXAMPLE.:80"));
    const char *b = "http://h.example:65536/";
    assert_int_equal(rk__sw_url_parts(b, 4, strlen(b), strlen(b), &p), 0);
    const char *c = "http://%65vil.example/";
    assert_int_equal(rk__sw_url_parts(c, 4, strlen(c), strlen(c), &p), -1);
    (void)scheme_len;
}

/* Pieces the generator puts together. */
static const char *const gen_userinfo[] = {"", "", "", "u@", "u:p@", "a@b@", "@", ":@", "%40@"};
static const char *const gen_port[] = {"",       "",       "",       ":",   ":80", ":443", ":8080",
                                       ":65535", ":65536", ":99999", ":8a", "::1", ":0"};
static const char *const gen_tail[] = {
    "", "/", "/x", "?q=1", "#f", "/a/b?c#d", "/%41", "/p.example", "/http://x.example/"};
static const char gen_label_bytes[] = "abcxyzABCXYZ0123456789-_";

/* Appends a host of some shape to out. */
static void gen_host(uint64_t *x, struct rk_buf *out)
{
    unsigned kind = (unsigned)(swt_next_rand(x) % 16);
    if (kind == 0) { /* dotted digits: an address or not */
        unsigned parts = 3 + (unsigned)(swt_next_rand(x) % 3);
        for (unsigned i = 0; i < parts; i++)
            rk_buf_addf(out, "%s%u", i ? "." : "", (unsigned)(swt_next_rand(x) % 300));
        if (swt_next_rand(x) % 4 == 0)
            rk_buf_addf(out, "0%u", (unsigned)(swt_next_rand(x) % 10));
        return;
    }
    if (kind == 1) { /* a byte that is no host byte, ASCII or not */
        static const char *const odd[] = {"%41", "[::1]", "\xc3\xbc",     "!", "~", "$",
                                          " ",   "%2E",   "[2001:db8::5]"};
        rk_buf_addf(out, "a%sb.example", odd[swt_next_rand(x) % RK_ARRAY_LEN(odd)]);
        return;
    }
    unsigned labels = 1 + (unsigned)(swt_next_rand(x) % (kind == 2 ? 30 : 4));
    for (unsigned i = 0; i < labels; i++) {
        if (i > 0 || swt_next_rand(x) % 40 == 0)
            rk_buf_add(out, ".", 1);
        unsigned len = (unsigned)(swt_next_rand(x) % (kind == 3 ? 70 : 12));
        for (unsigned k = 0; k < len; k++)
            rk_buf_add(out, &gen_label_bytes[swt_next_rand(x) % (sizeof gen_label_bytes - 1)], 1);
    }
    if (swt_next_rand(x) % 8 == 0)
        rk_buf_add(out, ".", 1);
}

/* A URL of some shape into out (cleared first). */
static void gen_url(uint64_t *x, struct rk_buf *out)
{
    static const char *const schemes[] = {"http",
                                          "HTTPS",
                                          "ftp",
                                          "ws",
                                          "svn+ssh",
                                          "x-1.a",
                                          "abcdefghijklmnopqrstuvwxyzABCDEF",
                                          "abcdefghijklmnopqrstuvwxyzABCDEFG"};
    rk_buf_reset(out);
    rk_buf_addf(out, "%s://%s", schemes[swt_next_rand(x) % RK_ARRAY_LEN(schemes)],
                gen_userinfo[swt_next_rand(x) % RK_ARRAY_LEN(gen_userinfo)]);
    gen_host(x, out);
    rk_buf_addf(out, "%s%s", gen_port[swt_next_rand(x) % RK_ARRAY_LEN(gen_port)],
                gen_tail[swt_next_rand(x) % RK_ARRAY_LEN(gen_tail)]);
}

static void test_parts_generated(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    struct rk_buf u;
    rk_buf_init(&u, 0);
    unsigned answers[3] = {0, 0, 0}; /* -1, 0, 1 */
    char *buf = rk_malloc(1024);
    assert_non_null(buf);
    for (unsigned i = 0; i < 200000; i++) {
        gen_url(&x, &u);
        if (u.len + 64 > 1024)
            continue;
        /* Readable bytes after the URL: none, a few, or enough for every mask. */
        size_t pad = (size_t)(swt_next_rand(&x) % 4 == 0 ? 0 : swt_next_rand(&x) % 64);
        memcpy(buf, u.data, u.len);
        for (size_t k = 0; k < pad; k++)
            buf[u.len + k] = (char)(swt_next_rand(&x) & 0xff);
        answers[check_parts(buf, u.len, u.len + pad) + 1]++;
    }
    /* Both answers of the fast path are given often (a parts function that always left the
     * decision to the canonicaliser would pass the checks above). */
    if (getenv("RK_TEST_SWEEP_URL_COUNTS"))
        print_message("url_parts: %u left to canon_url, %u refused, %u accepted\n", answers[0],
                      answers[1], answers[2]);
    assert_true(answers[1] > 20000);
    assert_true(answers[2] > 40000);
    rk_free(buf);
    rk_buf_free(&u);
}

/* ===== Scanning ===== */

struct url_hits {
    struct rk_buf seen; /* "line token\n" of every URL hit */
};

static int collect_url(const struct rk_sweep_hit *h, void *ud)
{
    struct url_hits *c = ud;
    if (h->type == RK_SWEEP_URL)
        assert_int_equal(rk_buf_addf(&c->seen, "%llu %s\n", (unsigned long long)h->line, h->token),
                         RK_OK);
    return 0;
}

/* How many times "://" occurs in u[0, n). */
static unsigned count_schemes(const char *u, size_t n)
{
    unsigned c = 0;
    for (size_t i = 0; i + 3 <= n; i++)
        c += memcmp(u + i, "://", 3) == 0;
    return c;
}

/*
 * Generated URLs the canonicaliser accepts, as a log of one URL a line and as an index of
 * their canonical forms: every one is hit with its canonical form, on every path, scanned as
 * one input and each alone (the URL then ends its input: the masks cannot be made 32 bytes
 * at once). A URL-host prefilter that let a URL's host through but missed its URL, or a
 * canonical form made differently on the new path, fails here.
 */
static void test_scan_generated(void **state)
{
    (void)state;
    uint64_t x = 0x2545f4914f6cdd1dull;
    struct rk_buf u, log, feed, want;
    rk_buf_init(&u, 0);
    rk_buf_init(&log, 0);
    rk_buf_init(&feed, 0);
    rk_buf_init(&want, 0);
    char *canon = rk_malloc(8192);
    assert_non_null(canon);
    size_t *starts = rk_calloc(4096, sizeof *starts);
    assert_non_null(starts);
    unsigned lines = 0, valid = 0;
    while (lines < 4000) {
        gen_url(&x, &u);
        /* Bytes that end a URL would end it early here. */
        int ends = 0;
        for (size_t k = 0; k < u.len; k++) {
            unsigned char b = (unsigned char)u.data[k];
            ends |= b <= ' ' || b == '"' || b == '\'' || b == ',' || b == '<' || b == '>' ||
                    b == '\\' || b == '^' || b == '`' || b == '{' || b == '|' || b == '}' ||
                    b == 0x7f;
        }
        if (ends)
            continue;
        struct rk__sw_url cu;
        lines++;
        starts[lines - 1] = log.len;
        assert_int_equal(rk_buf_addf(&log, "x %.*s\n", (int)u.len, u.data), RK_OK);
        /* The path of a refused URL may hold another URL ("/http://x.example/"): only the
         * accepted ones without one are counted. */
        if (!rk__sw_canon_url(u.data, u.len, canon, 8192, &cu) || count_schemes(u.data, u.len) > 1)
            continue;
        valid++;
        assert_int_equal(rk_buf_addf(&feed, "%.*s\n", (int)cu.len, canon), RK_OK);
        assert_int_equal(rk_buf_addf(&want, "%u %.*s\n", lines, (int)cu.len, canon), RK_OK);
    }
    assert_true(valid > 1000);
    starts[lines] = log.len;
    struct rk_sweep_index *ix = swt_index_of_n(feed.data, feed.len);
    for (size_t k = 0; k < RK_ARRAY_LEN(paths); k++) {
        set_path(k);
        struct rk_sweep_scanner *s = NULL;
        assert_int_equal(rk_sweep_scanner_create(ix, &s), RK_OK);
        struct url_hits c;
        rk_buf_init(&c.seen, 0);
        assert_int_equal(rk_sweep_scan(s, log.data, log.len, collect_url, &c, NULL), RK_OK);
        /* Every wanted hit is there, in order (others may be: a refused URL's path). */
        const char *at = c.seen.data ? c.seen.data : "";
        for (const char *w = want.data; *w != '\0';) {
            const char *nl = strchr(w, '\n');
            size_t wl = (size_t)(nl - w) + 1;
            int found = 0;
            /* Search forward from `at` for the exact line. */
            for (const char *q = at; *q != '\0';) {
                const char *qn = strchr(q, '\n');
                if ((size_t)(qn - q) + 1 == wl && memcmp(q, w, wl) == 0) {
                    at = qn + 1;
                    found = 1;
                    break;
                }
                q = qn + 1;
            }
            if (!found)
                print_error("path %zu: missed %.*s", k, (int)wl, w);
            assert_true(found);
            w = nl + 1;
        }
        /* Each URL alone, at the end of its input (no newline after it). */
        for (const char *w = want.data; *w != '\0';) {
            const char *nl = strchr(w, '\n');
            const char *end = w;
            unsigned line = 0;
            while (*end >= '0' && *end <= '9')
                line = line * 10 + (unsigned)(*end++ - '0');
            assert_true(line >= 1 && line <= lines);
            size_t a = starts[line - 1], b = starts[line] - 1; /* without its newline */
            struct url_hits one;
            rk_buf_init(&one.seen, 0);
            assert_int_equal(rk_sweep_scan(s, log.data + a, b - a, collect_url, &one, NULL), RK_OK);
            char expect[8300];
            snprintf(expect, sizeof expect, "1 %.*s\n", (int)(nl - end - 1), end + 1);
            if (one.seen.data == NULL || strstr(one.seen.data, expect) == NULL)
                print_error("path %zu, alone: missed %s", k, expect);
            assert_non_null(one.seen.data);
            assert_non_null(strstr(one.seen.data, expect));
            rk_buf_free(&one.seen);
            w = nl + 1;
        }
        rk_buf_free(&c.seen);
        rk_sweep_scanner_destroy(s);
    }
    set_path(0);
    rk_sweep_index_close(ix);
    rk_free(starts);
    rk_free(canon);
    rk_buf_free(&u);
    rk_buf_free(&log);
    rk_buf_free(&feed);
    rk_buf_free(&want);
}

static const char url_feed[] = "http://bad.example/x?y=1\n"
                               "https://evil.example/\n"
                               "http://b\xc3\xbc"
                               "cher.example/p\n"
                               "http://u@10.9.8.7/b\n"
                               "http://bad.example/other\n"
                               "ftp://files.example/a\n";

struct url_case {
    const char *name, *text, *expect;
};

static const struct url_case url_cases[] = {
    {"as given", "GET http://bad.example/x?y=1 https://evil.example/\n",
     "1:http://bad.example/x?y=1>http://bad.example/x?y=1(url);"
     "1:https://evil.example/>https://evil.example/(url);"},
    {"upper case, default port, trailing dot",
     "a HTTP://BAD.Example:80/x?y=1 b https://EVIL.example.:443 c FTP://Files.EXAMPLE:21/a\n",
     "1:http://bad.example/x?y=1>http://bad.example/x?y=1(url);"
     "1:https://evil.example/>https://evil.example/(url);"
     "1:ftp://files.example/a>ftp://files.example/a(url);"},
    {"percent-encoded host", "r http://%62ad.example/x?y=1 http://EVIL%2Eexample/x\n",
     "1:http://bad.example/x?y=1>http://bad.example/x?y=1(url);"},
    {"IDN host, raw and percent-encoded",
     "u http://B\xc3\x9c"
     "CHER.example/p\nv http://b%C3%BCcher.example/p\n"
     "w http://xn--bcher-kva.example/p\n",
     "1:http://xn--bcher-kva.example/p>http://xn--bcher-kva.example/p(url);"
     "2:http://xn--bcher-kva.example/p>http://xn--bcher-kva.example/p(url);"
     "3:http://xn--bcher-kva.example/p>http://xn--bcher-kva.example/p(url);"},
    {"user info and an IPv4 host", "z http://u@010.9.8.7:80/b http://10.9.8.7/b\n",
     "1:http://u@10.9.8.7/b>http://u@10.9.8.7/b(url);"},
    {"fragment dropped, other paths and hosts missed",
     "http://bad.example/x?y=1#top http://bad.example/x?y=2 http://bad.example/X?y=1 "
     "http://sub.bad.example/x?y=1 https://evil.example/x http://evil.example/\n",
     "1:http://bad.example/x?y=1>http://bad.example/x?y=1(url);"},
    /* Refused URLs: the scan goes on after the scheme and finds the URL behind them. */
    {"refused, then a URL", "http://bad!/x http://h:99999/ https://evil.example\n",
     "1:https://evil.example/>https://evil.example/(url);"},
    /* The scheme is the run's tail after its last ':' or '@', a letter first, no '_'. */
    {"schemes in runs",
     "x u@http://bad.example/other k:https://evil.example/ a_http://bad.example/other "
     "1http://bad.example/other -ftp://files.example/a U@FTP://files.example/a\n",
     "1:http://bad.example/other>http://bad.example/other(url);"
     "1:https://evil.example/>https://evil.example/(url);"
     "1:ftp://files.example/a>ftp://files.example/a(url);"},
    {"at the end of the input", "x http://BAD.example/other",
     "1:http://bad.example/other>"
     "http://bad.example/other(url);"},
};

static void test_scan_canonicalised(void **state)
{
    (void)state;
    struct rk_sweep_index *ix = swt_index_of_n(url_feed, strlen(url_feed));
    for (size_t k = 0; k < RK_ARRAY_LEN(paths); k++) {
        set_path(k);
        for (size_t i = 0; i < RK_ARRAY_LEN(url_cases); i++)
            swt_scan_expect(ix, url_cases[i].text, url_cases[i].expect);
    }
    set_path(0);
    rk_sweep_index_close(ix);
}

/* A URL's host gets the lookups of a bare host (domain suffixes, the address), also when the
 * URL itself is not looked up or refused as a URL. */
static const char host_feed[] = "c2.test\n"
                                "192.0.2.1\n"
                                "http://c2.test/gate\n";

static const struct url_case host_cases[] = {
    {"hosts of URLs",
     "http://WWW.C2.test:8080/x\nhttp://192.0.2.1/\nhttp://c2.test./gate\nhttp://%63%32.test/\n"
     "http://c2.test.evil/ http://xc2.test/ http://192.0.2.10/\nftp://u:p@a.b.c.d.e.f.c2.test/\n",
     "1:www.c2.test>c2.test(domain);2:192.0.2.1>192.0.2.1(ipv4);"
     "3:http://c2.test/gate>http://c2.test/gate(url);3:c2.test>c2.test(domain);"
     "4:c2.test>c2.test(domain);6:a.b.c.d.e.f.c2.test>c2.test(domain);"},
    /* Refused as URLs (a bad port, no letter in the last label): the scan goes on after the
     * scheme and finds the host as a bare host. */
    {"hosts of refused URLs", "http://c2.test:99999/ http://1.2.3.999/ http://192.0.2.1:8a/\n",
     "1:c2.test>c2.test(domain);1:192.0.2.1>192.0.2.1(ipv4);"},
};

static void test_scan_hosts(void **state)
{
    (void)state;
    struct rk_sweep_index *ix = swt_index_of_n(host_feed, strlen(host_feed));
    for (size_t k = 0; k < RK_ARRAY_LEN(paths); k++) {
        set_path(k);
        for (size_t i = 0; i < RK_ARRAY_LEN(host_cases); i++)
            swt_scan_expect(ix, host_cases[i].text, host_cases[i].expect);
    }
    set_path(0);
    rk_sweep_index_close(ix);
}

/*
 * Many URLs on an indicator's host (they pass the prefilter) and long ones that fill the
 * request buffer, with the hits among them: every hit in input order, on every path (with
 * the test deferred, the room a URL reserves for its canonical form makes the buffer flush
 * often).
 */
static void test_scan_many_on_host(void **state)
{
    (void)state;
    struct rk_sweep_index *ix = swt_index_of_n(url_feed, strlen(url_feed));
    struct rk_buf text, expect;
    rk_buf_init(&text, 0);
    rk_buf_init(&expect, 0);
    char longpath[3001];
    memset(longpath, 'p', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = '\0';
    for (unsigned i = 1; i <= 400; i++) {
        assert_int_equal(rk_buf_addf(&text,
                                     "%u http://BAD.example/%u http://bad.example/%s "
                                     "http://bad.example/x?y=1 https://Evil.Example/%s\n",
                                     i, i, i % 7 == 0 ? longpath : "o", i % 5 == 0 ? "" : "e"),
                         RK_OK);
        assert_int_equal(rk_buf_addf(&expect,
                                     "%u:http://bad.example/x?y=1>http://bad.example/"
                                     "x?y=1(url);",
                                     i),
                         RK_OK);
        if (i % 5 == 0)
            assert_int_equal(
                rk_buf_addf(&expect, "%u:https://evil.example/>https://evil.example/(url);", i),
                RK_OK);
    }
    for (size_t k = 0; k < RK_ARRAY_LEN(paths); k++) {
        set_path(k);
        swt_scan_expect(ix, text.data, expect.data);
    }
    set_path(0);
    rk_buf_free(&text);
    rk_buf_free(&expect);
    rk_sweep_index_close(ix);
}

/* ===== The Windows DNS debug form ===== */

/*
 * Names in the form "(3)www(4)evil(7)example(0)" with random labels of 1 to 40 bytes (letters
 * of both cases, digits, - _; lengths written with one to three digits) before "evil" and
 * "example", against an index holding evil.example. A label may be made wrong: a byte that is
 * no host byte at any place in it (so that the 16-byte check and the byte loop both meet it),
 * a length one off, or written with four digits. The form is read from the first '(' whose
 * labels are all right, so the hit's token is the labels after the last wrong one and
 * evil.example, lower-cased; with "evil" or "example" wrong there is no hit. Each name at the
 * end of its input (the last labels then have fewer than 16 bytes after them) and followed by
 * a newline and blanks, on the SSE2 path too.
 */
static void test_dns_wire(void **state)
{
    (void)state;
    static const char feed[] = "evil.example\n";
    struct rk_sweep_index *ix = swt_index_of_n(feed, strlen(feed));
    static const char label_bytes[] = "abcxyzABCXYZ0123456789-_";
    static const char bad_bytes[] = "!.( \xc3\x7f,";
    uint64_t x = 0x1234567887654321ull;
    struct rk_buf text, name, expect;
    rk_buf_init(&text, 0);
    rk_buf_init(&name, 0);
    rk_buf_init(&expect, 0);
    unsigned wrong = 0;
    for (unsigned round = 0; round < 4000; round++) {
        rk_buf_reset(&text);
        rk_buf_reset(&name);
        rk_buf_reset(&expect);
        assert_int_equal(rk_buf_addf(&text, "Q [0001 D NOERROR] A "), RK_OK);
        unsigned prefix = (unsigned)(swt_next_rand(&x) % 4);
        for (unsigned l = 0; l < prefix; l++) {
            char label[64];
            unsigned len = 1 + (unsigned)(swt_next_rand(&x) % 40), written = len;
            for (unsigned k = 0; k < len; k++)
                label[k] = label_bytes[swt_next_rand(&x) % (sizeof label_bytes - 1)];
            static const char *const fmt[] = {"(%u)", "(%02u)", "(%03u)", "(%04u)"};
            unsigned f = len < 10 ? (unsigned)(swt_next_rand(&x) % 3)
                                  : 1 + (unsigned)(swt_next_rand(&x) % 2);
            unsigned defect =
                (unsigned)(swt_next_rand(&x) % 8); /* 0 bad byte, 1 length, 2 digits */
            if (defect == 0)
                label[swt_next_rand(&x) % len] =
                    bad_bytes[swt_next_rand(&x) % (sizeof bad_bytes - 1)];
            else if (defect == 1)
                written = len > 1 && swt_next_rand(&x) % 2 ? len - 1 : len + 1;
            else if (defect == 2)
                f = 3;
            assert_int_equal(rk_buf_addf(&text, fmt[f], written), RK_OK);
            assert_int_equal(rk_buf_add(&text, label, len), RK_OK);
            if (defect <= 2) {
                rk_buf_reset(&name); /* the form is read from the next label on */
                wrong++;
                continue;
            }
            for (unsigned k = 0; k < len; k++)
                label[k] = (char)(label[k] >= 'A' && label[k] <= 'Z' ? label[k] | 0x20 : label[k]);
            assert_int_equal(rk_buf_add(&name, label, len), RK_OK);
            assert_int_equal(rk_buf_add(&name, ".", 1), RK_OK);
        }
        char evil[] = "evil", example[] = "example";
        unsigned kind = (unsigned)(swt_next_rand(&x) % 4); /* 0, 1: right; 2: bad byte; 3: length */
        if (kind == 2) {
            char *w = swt_next_rand(&x) % 2 ? evil : example;
            w[swt_next_rand(&x) % strlen(w)] =
                bad_bytes[swt_next_rand(&x) % (sizeof bad_bytes - 1)];
        }
        assert_int_equal(rk_buf_addf(&text, "(%u)%s(7)%s(0)", kind == 3 ? 5u : 4u, evil, example),
                         RK_OK);
        if (kind < 2)
            assert_int_equal(rk_buf_addf(&expect, "1:%sevil.example>evil.example(domain);",
                                         name.data ? name.data : ""),
                             RK_OK);
        for (size_t k = 0; k < 2; k++) {
            set_path(k);
            swt_scan_expect(ix, text.data, expect.data ? expect.data : "");
            /* Followed by more input: the 16-byte steps all run. */
            char more[600];
            snprintf(more, sizeof more, "%s\n%40s", text.data, "");
            swt_scan_expect(ix, more, expect.data ? expect.data : "");
        }
    }
    assert_true(wrong > 500);
    set_path(0);
    rk_buf_free(&text);
    rk_buf_free(&name);
    rk_buf_free(&expect);
    rk_sweep_index_close(ix);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parts_table),
        cmocka_unit_test(test_parts_generated),
        cmocka_unit_test(test_scan_canonicalised),
        cmocka_unit_test(test_scan_hosts),
        cmocka_unit_test(test_scan_many_on_host),
        cmocka_unit_test(test_scan_generated),
        cmocka_unit_test(test_dns_wire),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
