/*
 * Unit tests of the sweep engine: canonicalisation, token extraction from each log format,
 * matching semantics (with the negative cases substring tools get wrong), the indicator
 * loaders, the index file (round trip, damaged and foreign files) and the driver (compressed,
 * truncated, unreadable and binary input; threads keep input order).
 */
#include "rk-test.h"

#include <bzlib.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <stddef.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/sweep.h"
#include "sweep-int.h"
#include "sweep-pftest.h"
#include "sweep-ip4.h"
#include "sweep-test-util.h"

/* ===== Canonicalisation ===== */

struct canon_case {
    const char *in;
    const char *type; /* expected type name, or NULL when the value must be rejected */
    const char *canonical;
};

static const struct canon_case canon_cases[] = {
    {"1.2.3.4", "ipv4", "1.2.3.4"},
    {" 192.168.001.010 ", "ipv4", "192.168.1.10"},
    {"2001:DB8:0:0:0:0:0:1", "ipv6", "2001:db8::1"},
    {"2001:0:0:1:0:0:0:1", "ipv6", "2001:0:0:1::1"},
    {"2001:db8:0:0:1:0:0:1", "ipv6", "2001:db8::1:0:0:1"},
    {"::ffff:1.2.3.4", "ipv6", "::ffff:102:304"},
    {"10.1.2.3/8", "cidr", "10.0.0.0/8"},
    {"2001:db8:abcd::/32", "cidr", "2001:db8::/32"},
    {"EVIL.Example.", "domain", "evil.example"},
    {"bücher.example", "domain", "xn--bcher-kva.example"},
    {"HTTP://Evil.Example:80/a?b=C", "url", "http://evil.example/a?b=C"},
    {"https://x.example:8443", "url", "https://x.example:8443/"},
    {"http://%65vil.example/p#frag", "url", "http://evil.example/p"},
    {"http://[2001:DB8::1]:8080/x", "url", "http://[2001:db8::1]:8080/x"},
    {"hxxp://evil[.]example/x", "url", "http://evil.example/x"},
    {"Bad@Evil.Example", "email", "bad@evil.example"},
    {"D41D8CD98F00B204E9800998ECF8427E", "md5", "d41d8cd98f00b204e9800998ecf8427e"},
    {"da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1",
     "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {"1.2.3", NULL, NULL},
    {"3.14", NULL, NULL},
    {"1.2.3.256", NULL, NULL},
    {"10.0.0.0/33", NULL, NULL},
    {"http://", NULL, NULL},
    {"svn+SSH://Host.Example/x", "url", "svn+ssh://host.example/x"},
    {"X-1.a://h.example/", "url", "x-1.a://h.example/"},
    {"abcdefghijklmnopqrstuvwxyzABCDEF://h.example/", "url",
     "abcdefghijklmnopqrstuvwxyzabcdef://h.example/"},
    {"abcdefghijklmnopqrstuvwxyzABCDEFG://h.example/", NULL, NULL},
    {"1http://h.example/", NULL, NULL},
    {"a@", NULL, NULL},
    {"not a value", NULL, NULL},
    {"-", NULL, NULL},
    {"", NULL, NULL},
};

static void test_canonical_forms(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(canon_cases); i++) {
        const struct canon_case *c = &canon_cases[i];
        struct rk_sweep_builder *b = NULL;
        struct rk_sweep_index *ix = NULL;
        assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
        enum rk_status rc = rk_sweep_builder_add(b, RK_SWEEP_NONE, c->in, strlen(c->in));
        if (c->type == NULL) {
            if (rc != RK_EINVAL)
                print_error("case %zu (%s) was accepted\n", i, c->in);
            assert_int_equal(rc, RK_EINVAL);
            assert_int_equal(rk_sweep_builder_count(b), 0);
            rk_sweep_builder_destroy(b);
            continue;
        }
        assert_int_equal(rc, RK_OK);
        assert_int_equal(rk_sweep_builder_build(b, &ix), RK_OK);
        /* Find the one record through its slot. */
        char text[RK_MAX_SWEEP_INDICATOR + 64] = "";
        enum rk_sweep_type t = RK_SWEEP_NONE;
        for (uint64_t k = 0; k <= ix->mask; k++)
            if (ix->slots[k] != 0)
                rk__sw_record_text(ix, (ix->slots[k] & 0xffffffffu) * 4, text, &t);
        if (strcmp(text, c->canonical) != 0)
            print_error("case %zu (%s): got %s\n", i, c->in, text);
        assert_string_equal(text, c->canonical);
        assert_string_equal(rk_sweep_type_name(t), c->type);
        rk_sweep_index_close(ix);
        rk_sweep_builder_destroy(b);
    }
}

/* rk__sw_canon_host(): hosts of up to 63 bytes are checked 16 bytes at a time, longer ones
 * byte by byte; the answers around the 16-byte steps and the 63-byte limit. NULL: rejected. */
struct host_case {
    const char *in;
    int min_labels;
    const char *out;
};

static const struct host_case host_cases[] = {
    {"Evil.Example", 2, "evil.example"},
    {"EVIL.EXAMPLE.", 2, "evil.example"},
    {"a.b", 2, "a.b"},
    {"a.b", 3, NULL},
    {"a.b.c", 3, "a.b.c"},
    {"x", 0, "x"},
    {"x", 1, "x"},
    {"x", 2, NULL},
    {"1.2.3.999", 2, NULL},
    {"1.2.3.999", 0, "1.2.3.999"},
    {"a.9z", 2, "a.9z"},
    {".a.b", 2, NULL},
    {"a..b", 2, NULL},
    {"a.b..", 2, NULL},
    {"a_b-c.D-E", 2, "a_b-c.d-e"},
    {"a b.c", 2, NULL},
    {"a/b.c", 2, NULL},
    {"[a].c", 2, NULL},
    {"@.c", 2, NULL},
    {"B\xc3\xbc"
     "cher.Example",
     2, "xn--bcher-kva.example"},
    {"abcdefghijklmno.ex", 2, "abcdefghijklmno.ex"},                               /* 18 */
    {"ABCDEFGHIJKLM.EX", 2, "abcdefghijklm.ex"},                                   /* 16 */
    {"ABCDEFGHIJKL.EX", 2, "abcdefghijkl.ex"},                                     /* 15 */
    {"abcdefghijklmnopqrstuvwxyzABCD.EX", 2, "abcdefghijklmnopqrstuvwxyzabcd.ex"}, /* 33 */
    {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghi.Z", 2,
     "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghi.z"}, /* 63 */
    {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk", 1,
     "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk"}, /* one label of 63 */
    {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl", 1, NULL}, /* 64 */
    {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl.Z", 2,
     NULL}, /* a label of 64 */
    {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij.Zz", 2,
     "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij.zz"}, /* 65 */
    {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij.1", 2, NULL},
    {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz.abcdefgh\x01", 2, NULL},
};

static void test_canon_host(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(host_cases); i++) {
        const struct host_case *c = &host_cases[i];
        char out[300];
        memset(out, 'X', sizeof out);
        size_t n = rk__sw_canon_host(c->in, strlen(c->in), c->min_labels, out, sizeof out);
        if (c->out == NULL) {
            if (n != 0)
                print_error("case %zu (%s) accepted as %.*s\n", i, c->in, (int)n, out);
            assert_int_equal(n, 0);
            continue;
        }
        if (n != strlen(c->out) || memcmp(out, c->out, n) != 0)
            print_error("case %zu (%s): got %.*s\n", i, c->in, (int)n, out);
        assert_int_equal(n, strlen(c->out));
        assert_memory_equal(out, c->out, n);
    }
}

/*
 * rk__sw_canon_host() 16 bytes a step: every length from 1 to 63, the input in a heap buffer of
 * exactly its size (the last step reads only the bytes that are there: ASan sees a read past
 * them), with an output that has room for whole steps and one that has only n + 1 bytes; and
 * with a byte no host name may hold ('!') at every position, which must be seen wherever it is.
 */
static void test_canon_host_lengths(void **state)
{
    (void)state;
    static const char pat[] = "Ab3-xYz9_q";
    for (size_t n = 1; n <= 63; n++) {
        char *in = rk_malloc(n);
        char want[64], out[300];
        assert_non_null(in);
        for (size_t k = 0; k < n; k++) {
            /* A dot every 7 bytes, never first or last; the last byte a letter. */
            char c = (k % 7 == 6 && k + 1 < n) ? '.' : pat[k % (sizeof pat - 1)];
            if (k + 1 == n)
                c = 'Q';
            in[k] = c;
            want[k] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
        }
        for (int small = 0; small < 2; small++) {
            size_t cap = small ? n + 1 : sizeof out;
            memset(out, 'X', sizeof out);
            size_t got = rk__sw_canon_host(in, n, 1, out, cap);
            if (got != n || memcmp(out, want, n) != 0)
                print_error("length %zu, cap %zu: got %zu %.*s\n", n, cap, got, (int)got, out);
            assert_int_equal(got, n);
            assert_memory_equal(out, want, n);
            for (size_t bad = 0; bad < n; bad++) {
                char keep = in[bad];
                in[bad] = '!';
                got = rk__sw_canon_host(in, n, 1, out, cap);
                if (got != 0)
                    print_error("length %zu: '!' at %zu accepted\n", n, bad);
                assert_int_equal(got, 0);
                in[bad] = keep;
            }
        }
        rk_free(in);
    }
}

/* ===== Extraction and matching ===== */

static const char feed[] = "# one of every kind\n"
                           "1.2.3.4\n"
                           "10.0.0.0/8\n"
                           "10.1.0.0/16\n"
                           "2001:db8::1\n"
                           "2001:db8:bad::/48\n"
                           "evil.example\n"
                           "c2.test\n"
                           "mal.co.jp\n"
                           "http://bad.example/x?y=1\n"
                           "https://tokyo.example/login\n"
                           "http://u@10.9.8.7/b\n"
                           "http://[2001:db8::5]:8080/a\n"
                           "bad@evil.example\n"
                           "phish@mail.test\n"
                           "d41d8cd98f00b204e9800998ecf8427e\n"
                           "da39a3ee5e6b4b0d3255bfef95601890afd80709\n"
                           "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n";

struct scan_case {
    const char *name;
    const char *text;
    const char *expect;
};

static const struct scan_case scan_cases[] = {
    {"squid", "1700000000.123    120 192.168.1.5 TCP_MISS/200 512 GET "
              "http://a.b.evil.example/x - HIER_DIRECT/1.2.3.4 text/html\n",
     "1:a.b.evil.example>evil.example(domain);1:1.2.3.4>1.2.3.4(ipv4);"},
    {"squid CONNECT", "1700000000.5 9 192.168.1.5 TCP_TUNNEL/200 39 CONNECT c2.test:443 - "
                      "HIER_DIRECT/203.0.113.9 -\n",
     "1:c2.test>c2.test(domain);"},
    {"apache combined", "10.1.2.3 - - [21/Nov/2026:10:00:00 +0900] \"GET /index.html HTTP/1.1\" "
                        "200 512 \"https://Tokyo.Example:443/login\" \"Mozilla/5.0\"\n",
     "1:10.1.2.3>10.1.0.0/16(cidr);1:https://tokyo.example/login>https://tokyo.example/"
     "login(url);"},
    {"zeek conn tsv", "1700000000.000001\tCabc\t192.168.1.5\t51234\t1.2.3.4\t443\ttcp\n",
     "1:1.2.3.4>1.2.3.4(ipv4);"},
    {"zeek dns json", "{\"ts\":1700000000.1,\"id.orig_h\":\"192.168.1.5\",\"query\":"
                      "\"WWW.Evil.Example\",\"answers\":[\"2001:db8:bad::7\"]}\n",
     "1:www.evil.example>evil.example(domain);1:2001:db8:bad::7>2001:db8:bad::/48(cidr);"},
    {"windows dns debug", "11/21/2026 10:00:01 AM 0F54 PACKET 000001 UDP Rcv 192.168.1.9 "
                          "1a2b Q [0001 D NOERROR] A (3)www(4)evil(7)example(0)\n",
     "1:www.evil.example>evil.example(domain);"},
    {"sysmon json", "{\"EventID\":1,\"Hashes\":\"SHA1=DA39A3EE5E6B4B0D3255BFEF95601890AFD80709,"
                    "MD5=00000000000000000000000000000000,IMPHASH=ABC\",\"DestinationIp\":"
                    "\"10.9.9.9\"}\n",
     "1:da39a3ee5e6b4b0d3255bfef95601890afd80709>da39a3ee5e6b4b0d3255bfef95601890afd80709(sha1);"
     "1:10.9.9.9>10.0.0.0/8(cidr);"},
    {"csv firewall", "2026-11-21 10:00:00,deny,tcp,192.168.1.5,5555,[2001:db8::1]:443,443,60\n",
     "1:2001:db8::1>2001:db8::1(ipv6);"},
    {"postfix", "Nov 21 10:00:00 mx1 postfix/smtpd[123]: 4AB12: client=unknown[1.2.3.4], "
                "from=<Bad@Evil.Example>, size=100\n",
     "1:1.2.3.4>1.2.3.4(ipv4);1:bad@evil.example>bad@evil.example(email);"
     "1:evil.example>evil.example(domain);"},
    {"url query and percent host", "GET http://%62ad.example/x?y=1 r=http%3A%2F%2Fc2.test%2F\n",
     "1:http://bad.example/x?y=1>http://bad.example/x?y=1(url);1:c2.test>c2.test(domain);"},
    {"sha256 bounded by non-hex", "file=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
                                  "7852b855.bin\n",
     "1:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855>e3b0c44298fc1c149afbf4"
     "c8996fb92427ae41e4649b934ca495991b7852b855(sha256);"},
    /* Negative cases: substring tools report all of these. */
    {"xevil is not evil", "host=xevil.example notevil.example evil.example.com\n", ""},
    {"1.2.3.45 is not 1.2.3.4", "src=1.2.3.45 dst=11.2.3.4 v=1.2.3.4.5\n", ""},
    {"longer url path", "GET http://bad.example/x?y=12 http://bad.example/xy\n", ""},
    {"65 hex digits", "h=d41d8cd98f00b204e9800998ecf8427e0\n", ""},
    {"longer e-mail local part", "from=<xbad@evil.example.jp>\n", ""},
    {"cidr outside", "9.255.255.255 11.0.0.1 2001:db8:bae::1\n", ""},
    /* Each (line, token, indicator) once; line numbers count every line. */
    {"dedupe and lines", "evil.example evil.example EVIL.EXAMPLE.\n\nx 1.2.3.4 1.2.3.4\n",
     "1:evil.example>evil.example(domain);3:1.2.3.4>1.2.3.4(ipv4);"},
    /* The last-two-labels filter: raw upper-case hosts, an indicator of three labels, hosts
     * in e-mail addresses, URLs and the DNS form; near misses do not hit. */
    {"two-label filter",
     "WWW.Mal.CO.JP u@Sub.MAL.co.jp http://M.mal.co.jp/\n"
     "(3)www(3)mal(2)CO(2)jp(0)\n",
     "1:www.mal.co.jp>mal.co.jp(domain);1:sub.mal.co.jp>mal.co.jp(domain);"
     "1:m.mal.co.jp>mal.co.jp(domain);2:www.mal.co.jp>mal.co.jp(domain);"},
    {"two-label filter misses", "co.jp xmal.co.jp mal.co.jp.x mal.co evil.co.jp mal.ne.jp\n", ""},
    /* A host at the end of a sentence, and the fully-qualified form of DNS logs. */
    {"trailing dot", "visit evil.example.\nq WWW.Evil.EXAMPLE. x\nv 3.14. 1.2.3.4.\n",
     "1:evil.example>evil.example(domain);2:www.evil.example>evil.example(domain);"
     "3:1.2.3.4>1.2.3.4(ipv4);"},
    /* URL hosts in the key prefilter: an IPv4 host with user info, an IPv6 host with a
     * port; other paths on those hosts and other hosts are no URL hits. */
    {"url hosts", "x http://u@10.9.8.7:80/b http://[2001:DB8::5]:8080/a http://u@10.9.8.7/c "
                  "http://10.9.8.7/b http://[2001:db8::5]/a\n",
     "1:http://u@10.9.8.7/b>http://u@10.9.8.7/b(url);1:10.9.8.7>10.0.0.0/8(cidr);"
     "1:http://[2001:db8::5]:8080/a>http://[2001:db8::5]:8080/a(url);"},
    /* An address in an indicator's network that is no indicator, and one in a range. */
    {"ipv4 near misses", "1.2.3.5 1.2.3.4 10.200.0.1\n",
     "1:1.2.3.4>1.2.3.4(ipv4);1:10.200.0.1>10.0.0.0/8(cidr);"},
    {"last line without newline", "a\nb\nhttp://c2.test", "3:c2.test>c2.test(domain);"},
    {"dns form does not span lines", "(3)c2\nx(4)test(0) 1.2.3.4\n(2)c2(4)test(0)\n",
     "2:1.2.3.4>1.2.3.4(ipv4);3:c2.test>c2.test(domain);"},
};

static void test_extract_and_match(void **state)
{
    struct rk_sweep_index *ix = swt_index_of(feed);
    for (size_t i = 0; i < RK_ARRAY_LEN(scan_cases); i++)
        swt_scan_expect_n(ix, scan_cases[i].text, strlen(scan_cases[i].text), scan_cases[i].expect);
    rk_sweep_index_close(ix);
}

/* The same table through the SSE2 block classifier (the AVX2 one is used where available). */
static void test_extract_sse2(void **state)
{
    setenv("RK_SWEEP_NO_AVX2", "1", 1);
    test_extract_and_match(state);
    unsetenv("RK_SWEEP_NO_AVX2");
}

/* The same table with the IPv4 prefilter test deferred to the next request (the path of an
 * index whose prefilter does not fit the cache): the same hits in the same order. */
static void test_extract_deferred_ip4(void **state)
{
    setenv("RK_SWEEP_DEFER_IP4", "1", 1);
    test_extract_and_match(state);
    unsetenv("RK_SWEEP_DEFER_IP4");
}

/* The same table with every key prefilter probe deferred to the next request (the path of an
 * index whose prefilter does not fit the cache), alone and with the IPv4 one: the same hits in
 * the same order. */
static void test_extract_deferred_pf(void **state)
{
    setenv("RK_SWEEP_DEFER_PF", "1", 1);
    test_extract_and_match(state);
    setenv("RK_SWEEP_DEFER_IP4", "1", 1);
    test_extract_and_match(state);
    unsetenv("RK_SWEEP_DEFER_IP4");
    unsetenv("RK_SWEEP_DEFER_PF");
}

/* The /16 summary of the IPv4 prefilter made at open (rk__sw_ip4f16_make()) at every prefilter
 * size the format allows: bit n set exactly when some bit of the /16 network n is set. The
 * prefilters are sparse (a few bits, some at the edges of a /16) so that a wrong group, shift or
 * mask shows; the first and last /16 too. */
static void test_ip4f16_every_k(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (unsigned k = RK__SW_IP4F_MIN_BITS; k <= RK__SW_IP4F_MAX_BITS; k++) {
        size_t words = ((size_t)1 << k) / 64;
        uint64_t *bm = rk_calloc(words, sizeof *bm);
        struct rk_sweep_index *ix = rk_calloc(1, sizeof *ix);
        assert_non_null(bm);
        assert_non_null(ix);
        for (unsigned i = 0; i < 300; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            uint64_t bit = (seed >> 20) % ((uint64_t)1 << k);
            if (i % 3 == 0) /* the first or the last bit of its /16 (or /k) */
                bit = k > 16 ? (i % 2 ? bit | (((uint64_t)1 << (k - 16)) - 1)
                                      : bit & ~(((uint64_t)1 << (k - 16)) - 1))
                             : bit;
            bm[bit / 64] |= (uint64_t)1 << (bit % 64);
        }
        bm[0] |= 1;
        bm[words - 1] |= (uint64_t)1 << 63;
        ix->ip4f = bm;
        ix->ip4f_shift = 32 - k;
        rk__sw_ip4f16_make(ix);
        unsigned set = 0;
        for (uint32_t n = 0; n < 65536; n++) {
            /* The /k networks of the addresses n.0.0.0 .. n.255.255, one bit each. */
            uint64_t first = k >= 16 ? (uint64_t)n << (k - 16) : n >> (16 - k);
            uint64_t last = k >= 16 ? first + ((uint64_t)1 << (k - 16)) - 1 : first;
            int want = 0;
            for (uint64_t nk = first; nk <= last; nk++)
                want |= (int)((bm[nk / 64] >> (nk % 64)) & 1);
            int got = (ix->ip4f16[n / 64] >> (n % 64)) & 1;
            if (got != want)
                fail_msg("k=%u: /16 %u.%u is %d, wants %d", k, n >> 8, n & 255, got, want);
            set += (unsigned)got;
        }
        assert_true(set >= 2 && set < 65536);
        rk_free(ix);
        rk_free(bm);
    }
}

/* rk__sw_pf_test_split() (the deferred key test) gives rk__sw_pf_test()'s answer for every
 * hash, on lines from empty to full: each line has every key's four bits set but one of them
 * (any of the four, so either half can be the one that fails), or all four, or random words of
 * several densities. */
static void test_pf_test_split(void **state)
{
    (void)state;
    uint64_t seed = 0x2545f4914f6cdd1dull;
    unsigned pass = 0, fail = 0;
    for (unsigned round = 0; round < 200000; round++) {
        uint64_t line[8];
        uint64_t h = swt_next_rand(&seed);
        unsigned form = round % 8;
        if (form < 5) {
            /* The key's own bits, all (form 4) or all but bit `form`. */
            memset(line, 0, sizeof line);
            uint64_t g = rk__sw_pf_bits(h);
            unsigned b[4] = {(unsigned)(g >> 28) & 511u, (unsigned)(g >> 37) & 511u,
                             (unsigned)(g >> 46) & 511u, (unsigned)(g >> 55)};
            for (unsigned i = 0; i < 4; i++)
                line[b[i] >> 6] |= (uint64_t)1 << (b[i] & 63);
            if (form < 4) {
                int shared = 0; /* another of the four bits on the same one: cannot clear it */
                for (unsigned i = 0; i < 4; i++)
                    shared |= i != form && b[i] == b[form];
                if (!shared)
                    line[b[form] >> 6] &= ~((uint64_t)1 << (b[form] & 63));
            }
        } else {
            /* Random words: about 1/8, 1/2 and 7/8 of the bits set. */
            for (unsigned i = 0; i < 8; i++) {
                uint64_t w[3];
                for (unsigned k = 0; k < 3; k++)
                    w[k] = swt_next_rand(&seed);
                line[i] = form == 5 ? w[0] & w[1] & w[2] : form == 6 ? w[0] : w[0] | w[1] | w[2];
            }
        }
        int want = rk__sw_pf_test(line, h);
        int got = rk__sw_pf_test_split(line, h);
        if (got != want)
            fail_msg("round %u (form %u): hash %016llx gives %d, wants %d", round, form,
                     (unsigned long long)h, got, want);
        pass += (unsigned)want;
        fail += (unsigned)!want;
    }
    assert_true(pass > 20000 && fail > 20000);
}

/* Many tokens waiting for their prefilter tests at once (more than the scanner's queue holds,
 * with requests enough between them to flush the request queue while they wait): every hit,
 * in input order, on the direct path and with both tests deferred. */
static void test_deferred_queue(void **state)
{
    struct rk_sweep_index *ix = swt_index_of(feed);
    struct rk_buf text, expect;
    rk_buf_init(&text, 0);
    rk_buf_init(&expect, 0);
    for (unsigned i = 1; i <= 300; i++) {
        assert_int_equal(rk_buf_addf(&text,
                                     "t%u a.example evil.example 5.6.7.8 1.2.3.4 x.mal.co.jp "
                                     "http://c2.test/p%u 10.200.0.%u sub.c2.test b.example\n",
                                     i, i, i % 256),
                         RK_OK);
        assert_int_equal(rk_buf_addf(&expect,
                                     "%u:evil.example>evil.example(domain);"
                                     "%u:1.2.3.4>1.2.3.4(ipv4);"
                                     "%u:x.mal.co.jp>mal.co.jp(domain);"
                                     "%u:c2.test>c2.test(domain);"
                                     "%u:10.200.0.%u>10.0.0.0/8(cidr);"
                                     "%u:sub.c2.test>c2.test(domain);",
                                     i, i, i, i, i, i % 256, i),
                         RK_OK);
    }
    swt_scan_expect_n(ix, text.data, text.len, expect.data);
    setenv("RK_SWEEP_DEFER_PF", "1", 1);
    setenv("RK_SWEEP_DEFER_IP4", "1", 1);
    swt_scan_expect_n(ix, text.data, text.len, expect.data);
    unsetenv("RK_SWEEP_DEFER_IP4");
    swt_scan_expect_n(ix, text.data, text.len, expect.data);
    unsetenv("RK_SWEEP_DEFER_PF");
    rk_buf_free(&text);
    rk_buf_free(&expect);
    rk_sweep_index_close(ix);
}

/* Appends "line@offset:token>indicator(type);" for each hit. */
static int collect_at(const struct rk_sweep_hit *h, void *ud)
{
    struct rk_buf *out = ud;
    assert_int_equal(rk_buf_addf(out, "%llu@%llu:%s>%s(%s);", (unsigned long long)h->line,
                                 (unsigned long long)h->offset, h->token, h->indicator,
                                 rk_sweep_type_name(h->type)),
                     RK_OK);
    return 0;
}

static void scan_expect_at(const struct rk_sweep_index *ix, const char *text, size_t len,
                           const char *expect)
{
    struct rk_sweep_scanner *s = NULL;
    struct rk_buf out;
    rk_buf_init(&out, 0);
    assert_int_equal(rk_sweep_scanner_create(ix, &s), RK_OK);
    assert_int_equal(rk_sweep_scan(s, text, len, collect_at, &out, NULL), RK_OK);
    const char *got = out.data ? out.data : "";
    size_t d = 0;
    while (got[d] != '\0' && got[d] == expect[d])
        d++;
    if (got[d] != expect[d]) {
        size_t b = d > 60 ? d - 60 : 0;
        print_error("first difference at %zu:\nexpected: %.160s\ngot:      %.160s\n", d, expect + b,
                    got + b);
    }
    assert_string_equal(got, expect);
    rk_sweep_scanner_destroy(s);
    rk_buf_free(&out);
}

/* Tokens waiting for their prefilter tests while later tokens queue their requests at once
 * (IPv6 addresses, URLs, a token seen twice on a line): every hit in input order, each line's
 * repeated hits reported once at their first place (the offsets checked: a repeat reported
 * from the wrong place changes them), on the direct path and with the tests deferred. 400
 * lines: the request queue is flushed many times while tokens wait. */
static void test_deferred_order(void **state)
{
    static const char *const toks[] = {"1.2.3.4",
                                       "2001:db8:bad::7",
                                       "evil.example",
                                       "d41d8cd98f00b204e9800998ecf8427e",
                                       "http://bad.example/x?y=1",
                                       "bad@evil.example",
                                       "10.1.0.9",
                                       "x.mal.co.jp",
                                       "2001:db8::1",
                                       "1.2.3.4",
                                       "c2.test",
                                       "WWW.Evil.Example"};
    /* What each token hits, and where in it ("+4" for the address's domain): a line's hit
     * of the same token and indicator is reported once, at its first place. */
    static const struct {
        unsigned at;
        const char *hit;
    } hits[][2] = {
        {{0, "1.2.3.4>1.2.3.4(ipv4)"}},
        {{0, "2001:db8:bad::7>2001:db8:bad::/48(cidr)"}},
        {{0, "evil.example>evil.example(domain)"}},
        {{0, "d41d8cd98f00b204e9800998ecf8427e>d41d8cd98f00b204e9800998ecf8427e(md5)"}},
        {{0, "http://bad.example/x?y=1>http://bad.example/x?y=1(url)"}},
        {{0, "bad@evil.example>bad@evil.example(email)"}, {4, "evil.example>evil.example(domain)"}},
        {{0, "10.1.0.9>10.1.0.0/16(cidr)"}},
        {{0, "x.mal.co.jp>mal.co.jp(domain)"}},
        {{0, "2001:db8::1>2001:db8::1(ipv6)"}},
        {{0, "1.2.3.4>1.2.3.4(ipv4)"}},
        {{0, "c2.test>c2.test(domain)"}},
        {{0, "www.evil.example>evil.example(domain)"}}};
    (void)state;
    struct rk_sweep_index *ix = swt_index_of(feed);
    struct rk_buf text, expect;
    rk_buf_init(&text, 0);
    rk_buf_init(&expect, 0);
    for (unsigned i = 1; i <= 400; i++) {
        /* The tokens in a turning order, so that each kind waits behind each other. */
        unsigned first = i % RK_ARRAY_LEN(toks);
        const char *seen[2 * RK_ARRAY_LEN(toks)];
        unsigned nseen = 0;
        for (unsigned k = 0; k < RK_ARRAY_LEN(toks); k++) {
            unsigned t = (first + k) % RK_ARRAY_LEN(toks);
            for (unsigned j = 0; j < 2 && hits[t][j].hit != NULL; j++) {
                unsigned m = 0;
                while (m < nseen && strcmp(seen[m], hits[t][j].hit) != 0)
                    m++;
                if (m < nseen)
                    continue;
                seen[nseen++] = hits[t][j].hit;
                assert_int_equal(
                    rk_buf_addf(&expect, "%u@%zu:%s;", i, text.len + hits[t][j].at, hits[t][j].hit),
                    RK_OK);
            }
            assert_int_equal(rk_buf_addf(&text, "%s ", toks[t]), RK_OK);
        }
        assert_int_equal(rk_buf_addf(&text, "n%u\n", i), RK_OK);
    }
    scan_expect_at(ix, text.data, text.len, expect.data);
    setenv("RK_SWEEP_DEFER_PF", "1", 1);
    scan_expect_at(ix, text.data, text.len, expect.data);
    setenv("RK_SWEEP_DEFER_IP4", "1", 1);
    scan_expect_at(ix, text.data, text.len, expect.data);
    unsetenv("RK_SWEEP_DEFER_PF");
    scan_expect_at(ix, text.data, text.len, expect.data);
    unsetenv("RK_SWEEP_DEFER_IP4");
    rk_buf_free(&text);
    rk_buf_free(&expect);
    rk_sweep_index_close(ix);
}

/* rk__sw_url_host over canonical URLs. */
static void test_url_host(void **state)
{
    static const struct {
        const char *url, *host;
    } cases[] = {
        {"http://evil.example/x", "evil.example"},
        {"http://evil.example", "evil.example"},
        {"https://u:p@evil.example:8443/x?y#z", "evil.example"},
        {"http://a@b@evil.example/", "evil.example"},
        {"http://[2001:db8::5]:8080/a", "[2001:db8::5]"},
        {"http://1.2.3.4?x", "1.2.3.4"},
        {"ftp://h#f", "h"},
        {"http:/x", ""},
        {"", ""},
    };
    (void)state;
    for (size_t i = 0; i < RK_ARRAY_LEN(cases); i++) {
        size_t off, n = rk__sw_url_host(cases[i].url, strlen(cases[i].url), &off);
        assert_int_equal(n, strlen(cases[i].host));
        assert_memory_equal(cases[i].url + off, cases[i].host, n);
    }
}

/* The prefilter section: every key of the index passes (no false negative), keys not in it
 * mostly fail (the false-positive rate the docs state), and an index with a one-label
 * domain indicator has no domain keys (every host could end in it) yet still matches. 150,000
 * keys make 4688 lines: more than one bucket, so the bucket-ordered fill is the one tested. */
static void test_prefilter(void **state)
{
    struct rk_buf f;
    rk_buf_init(&f, 0);
    for (unsigned i = 0; i < 50000; i++)
        assert_int_equal(rk_buf_addf(&f, "host%u.mal%u.example\nhttp://u%u.example/p\n"
                                         "100.%u.%u.7\n",
                                     i, i, i, i / 256, i % 256),
                         RK_OK);
    struct rk_sweep_index *ix = swt_index_of(f.data);
    const struct rk__sw_header *h = ix->h;
    assert_int_equal(h->pf_flags,
                     RK__SW_PF_DOMAIN | RK__SW_PF_DOM3 | RK__SW_PF_URL | RK__SW_PF_IP4);
    assert_int_equal(h->pf_lines, (150000 * RK__SW_PF_BITS_PER_KEY + 511) / 512);
    assert_int_equal(h->pf_off % 64, 0);
    unsigned fp = 0;
    for (unsigned i = 0; i < 50000; i++) {
        char k[64];
        uint8_t a[4] = {100, (uint8_t)(i / 256), (uint8_t)(i % 256), 7};
        int n = snprintf(k, sizeof k, "MAL%u.Example", i);
        uint64_t x = rk__sw_pf_hash(RK__SW_PF_KEY_REG, k, (size_t)n);
        assert_true(rk__sw_pf_test(rk__sw_pf_line(ix, x), x));
        n = snprintf(k, sizeof k, "u%u.example", i);
        x = rk__sw_pf_hash(RK__SW_PF_KEY_URLHOST, k, (size_t)n);
        assert_true(rk__sw_pf_test(rk__sw_pf_line(ix, x), x));
        x = rk__sw_pf_hash(RK__SW_PF_KEY_IP4, (const char *)a, 4);
        assert_true(rk__sw_pf_test(rk__sw_pf_line(ix, x), x));
        /* Absent keys of the same shapes. */
        n = snprintf(k, sizeof k, "bad%u.example", i);
        x = rk__sw_pf_hash(RK__SW_PF_KEY_REG, k, (size_t)n);
        fp += (unsigned)rk__sw_pf_test(rk__sw_pf_line(ix, x), x);
        n = snprintf(k, sizeof k, "mal%u.example", i);
        x = rk__sw_pf_hash(RK__SW_PF_KEY_URLHOST, k, (size_t)n); /* another kind */
        fp += (unsigned)rk__sw_pf_test(rk__sw_pf_line(ix, x), x);
        a[3] = 8;
        x = rk__sw_pf_hash(RK__SW_PF_KEY_IP4, (const char *)a, 4);
        fp += (unsigned)rk__sw_pf_test(rk__sw_pf_line(ix, x), x);
    }
    /* 150,000 absent keys at 16 bits a key: about 0.1 % pass; 1 % fails the test. */
    if (getenv("RK_TEST_SWEEP_FP") != NULL)
        print_message("false positives: %u of 150000\n", fp);
    if (fp > 1500)
        print_error("false positives: %u of 150000\n", fp);
    assert_true(fp <= 1500);
    rk_sweep_index_close(ix);
    rk_buf_free(&f);

    ix = swt_index_of("evil.example\njp\n");
    assert_int_equal(ix->h->pf_flags & RK__SW_PF_DOMAIN, 0);
    swt_scan_expect_n(ix, "WWW.Mal.CO.JP x.evil.example\n", 29,
                      "1:www.mal.co.jp>jp(domain);1:x.evil.example>evil.example(domain);");
    rk_sweep_index_close(ix);
}

/* The key prefilter section of an index equals what rk__sw_pf_fill() makes from its records:
 * the builder sets it from the hashes kept as the records came (two reader threads, repeats
 * dropped on the way, the hashes made again when repeats are most of them) and folds the
 * CIDR bitmap from a
 * /24 one, at CIDR resolutions of 12, 13, 21 and 24 bits, with ranges from /8 to /32; and an
 * index with a one-label domain (no domain keys: filled by the walk) too. */
static void check_pf_section(const struct rk_sweep_index *ix)
{
    const struct rk__sw_header *h = ix->h;
    uint64_t size = rk__sw_pf_size(h->pf_lines, h->pf_cidr4_bits);
    uint64_t *want = rk_calloc(1, (size_t)size);
    assert_non_null(want);
    rk__sw_pf_fill(want, h->pf_lines, h->pf_flags, h->pf_cidr4_bits, h->type_count, ix->rec,
                   (size_t)ix->rec_len);
    assert_int_equal(memcmp(want, ix->base + h->pf_off, (size_t)size), 0);
    rk_free(want);
}

static void test_prefilter_fill_paths(void **state)
{
    static const struct {
        unsigned lines, ranges;
        const char *extra;
    } cases[] = {
        {100, 10, ""},  {70000, 300, ""},  {40000, 70000, ""},
        {2000, 600000, ""}, {70000, 50, "jp\n"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct rk_buf f;
        rk_buf_init(&f, 0);
        for (unsigned i = 0; i < cases[c].lines; i++)
            assert_int_equal(rk_buf_addf(&f, "h%u.Mal%u.example\nhttp://U%u.example:8080/p\n"
                                             "10.%u.%u.7\n%032x\nh%u.mal%u.example\n",
                                         i, i % 5000, i, i / 256 % 256, i % 256, i, i % 7, i),
                             RK_OK);
        /* Domains of other shapes (the builder keeps their dots' places as it counts the
         * labels): three or four labels under a two-label suffix, labels across the 8-byte
         * words, a two-label name that is a suffix itself, one-letter labels. */
        for (unsigned i = 0; i < cases[c].lines / 4; i++)
            assert_int_equal(rk_buf_addf(&f, "s%u.shop-with-a-long-label%u.co.jp\nw.a%u.b.NE.jp\n"
                                             "x%u.com.au\nco.uk\nq.r.s.t%u.example.org\n",
                                         i, i % 300, i, i, i),
                             RK_OK);
        for (unsigned i = 0; i < cases[c].ranges; i++) {
            unsigned plen = 8 + (i * 7) % 25, v = i * 2654435761u;
            assert_int_equal(rk_buf_addf(&f, "%u.%u.%u.%u/%u\n", v >> 24, (v >> 16) & 255,
                                         (v >> 8) & 255, v & 255, plen),
                             RK_OK);
        }
        assert_int_equal(rk_buf_addf(&f, "%s", cases[c].extra), RK_OK);
        struct rk_sweep_index *ix = swt_index_of(f.data);
        check_pf_section(ix);
        if (cases[c].extra[0] != '\0')
            assert_int_equal(ix->h->pf_flags & RK__SW_PF_DOMAIN, 0);
        rk_sweep_index_close(ix);
        rk_buf_free(&f);
    }
    /* Values added one by one, the table made on the way (a count), then more. */
    struct rk_sweep_builder *b = NULL;
    struct rk_sweep_index *ix = NULL;
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_NONE, "a.b.example", 11), RK_OK);
    assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_NONE, "192.0.2.0/24", 12), RK_OK);
    assert_int_equal(rk_sweep_builder_count(b), 2);
    assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_NONE, "http://x.example/", 17), RK_OK);
    assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_NONE, "a.b.example", 11), RK_OK);
    assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_NONE, "198.51.100.9", 12), RK_OK);
    assert_int_equal(rk_sweep_builder_build(b, &ix), RK_OK);
    assert_int_equal(rk_sweep_index_count(ix), 4);
    check_pf_section(ix);
    rk_sweep_index_close(ix);
    /* The same keys over and over: the kept hashes are made again from the records. */
    for (unsigned r = 0; r < 3000; r++) {
        assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_NONE, "a.b.example", 11), RK_OK);
        assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_NONE, "198.51.100.9", 12), RK_OK);
    }
    assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_NONE, "c.example", 9), RK_OK);
    assert_int_equal(rk_sweep_builder_count(b), 5);
    assert_int_equal(rk_sweep_builder_build(b, &ix), RK_OK);
    check_pf_section(ix);
    rk_sweep_index_close(ix);
    rk_sweep_builder_destroy(b);
}

/* Many keys (2^20 and more) set their bits bucket by bucket (sorted on the part of the filter
 * they fall into): the same filter as set key by key, as smaller calls do. */
static void test_prefilter_fill_parts(void **state)
{
    static const uint32_t lines_cases[] = {4097, 70001, 262144};
    const uint64_t n = ((uint64_t)1 << 20) + 12345;
    uint64_t *pv = rk_reallocarray(NULL, (size_t)n, sizeof *pv), x = 0x243f6a8885a308d3ull;
    assert_non_null(pv);
    for (uint64_t i = 0; i < n; i++) {
        /* splitmix64; every 7th key a repeat of an earlier one */
        uint64_t z = (x += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        pv[i] = i % 7 == 6 ? pv[i / 2] : z ^ (z >> 31);
    }
    for (size_t c = 0; c < sizeof lines_cases / sizeof lines_cases[0]; c++) {
        uint32_t lines = lines_cases[c];
        size_t size = (size_t)rk__sw_pf_size(lines, RK__SW_IP4F_MIN_BITS);
        uint64_t *want = rk_calloc(1, size), *got = rk_calloc(1, size);
        assert_non_null(want);
        assert_non_null(got);
        for (uint64_t i = 0; i < n; i += 1000)
            rk__sw_pf_fill_hashes(want, lines, RK__SW_IP4F_MIN_BITS, pv + i,
                                  n - i < 1000 ? n - i : 1000, NULL);
        rk__sw_pf_fill_hashes(got, lines, RK__SW_IP4F_MIN_BITS, pv, n, NULL);
        assert_int_equal(memcmp(want, got, size), 0);
        rk_free(want);
        rk_free(got);
    }
    rk_free(pv);
}

static void test_bad_bytes(void **state)
{
    struct rk_sweep_index *ix = swt_index_of(feed);
    /* NUL bytes and high bytes are delimiters: "1.2.3.4\0evil.example\xff" */
    static const char nul[] = "a\0001.2.3.4\000evil.example\xff\xfe\n";
    swt_scan_expect_n(ix, nul, sizeof nul - 1,
                      "1:1.2.3.4>1.2.3.4(ipv4);1:evil.example>evil.example(domain);");
    /* A 10 MB line of token bytes followed by a hit on the same line. */
    size_t n = 10u * 1024u * 1024u;
    char *big = rk_malloc(n + 64);
    assert_non_null(big);
    memset(big, 'a', n);
    memcpy(big + n, " c2.test\n", 9);
    swt_scan_expect_n(ix, big, n + 9, "1:c2.test>c2.test(domain);");
    rk_free(big);
    rk_sweep_index_close(ix);
}

/*
 * The scan loop finds a run within one 64-byte block from the block's masks and classifies it
 * by its shape (dots, colons, letters, digits) without reading it again; a run that crosses a
 * block boundary, or that ends the input, takes the byte path. Each token below is scanned at
 * every offset across two block boundaries, after newlines (the line number is counted from
 * the newline mask), with text after it and as the last bytes of the input: the same hits
 * every time. '#' in `expect` stands for the token's line.
 */
struct shape_case {
    const char *token;
    const char *expect;
};

static const struct shape_case shape_cases[] = {
    {"1.2.3.4", "#:1.2.3.4>1.2.3.4(ipv4);"},
    {"10.1.2.3", "#:10.1.2.3>10.1.0.0/16(cidr);"},
    {"01.2.3.4", "#:1.2.3.4>1.2.3.4(ipv4);"}, /* as rk__sw_parse_ip4() reads it */
    {"1.2.3.4.", "#:1.2.3.4>1.2.3.4(ipv4);"},
    {"-1.2.3.4_", "#:1.2.3.4>1.2.3.4(ipv4);"},
    {"1.2.3.4:443", "#:1.2.3.4>1.2.3.4(ipv4);"},
    {"a:1.2.3.4", "#:1.2.3.4>1.2.3.4(ipv4);"},
    {"1.2.3.4+x", "#:1.2.3.4>1.2.3.4(ipv4);"},
    {"x%2F1.2.3.4", "#:1.2.3.4>1.2.3.4(ipv4);"},
    {"1.2.3.4.5", ""},
    {"1.2.3.256", ""},
    /* The IPv4 part values and lengths (read all four at once on the AVX2 and AVX-512 paths):
     * 255 is the largest part, leading zeros are read as decimals, four digits are too many. */
    {"10.255.255.255", "#:10.255.255.255>10.0.0.0/8(cidr);"},
    {"010.001.002.003", "#:10.1.2.3>10.1.0.0/16(cidr);"},
    {"001.002.003.004", "#:1.2.3.4>1.2.3.4(ipv4);"},
    {"10.255.255.256", ""},
    {"256.1.2.3", ""},
    {"10.1.300.3", ""},
    {"0001.2.3.4", ""},
    {"1.2.3.0004", ""},
    {"1.2..4", ""},
    {"1.2.3..4", ""},
    {"1.2.3", ""},
    {"1..2.3.4", ""},
    {"1.2.3.4444", ""},
    {"1.2.3.4a", ""},
    {"a.1.2.3.4", ""},
    {"1700000000.418", ""},
    /* A run without a letter goes to the IPv4 path, one with a letter to the host path (on
     * the AVX2 and AVX-512 paths, two functions): 16 digits and dots are too many for an
     * address, a letter next to the address's digits makes it no address, and a host may
     * begin with labels of digits. */
    {"100.100.100.1000", ""},
    {"_010.001.002.004-", "#:10.1.2.4>10.1.0.0/16(cidr);"},
    {"x-1.2.3.4", ""},
    {"1.2.3.4-x", ""},
    {"10.1.2.3.evil.example", "#:10.1.2.3.evil.example>evil.example(domain);"},
    {"10:53:21", ""},
    {"01:33:21.162", ""},
    {":1700000003.668081", ""},
    {"1.2:3.4", ""},
    {"1:1.2.3.4", "#:1.2.3.4>1.2.3.4(ipv4);"},
    {"9.9:1.2.3.4", "#:1.2.3.4>1.2.3.4(ipv4);"},
    {"key:value", ""},
    /* A '.', ':' or '@' alone between separators is no event (JSON's `":"`); the token next
     * to it is found wherever the blocks fall, also when the lone byte is a block's first or
     * last byte. */
    {". : @", ""},
    {": 1.2.3.4 @ .", "#:1.2.3.4>1.2.3.4(ipv4);"},
    {"\"k\":\"evil.example\":.", "#:evil.example>evil.example(domain);"},
    /* A '+' before the first '.' of a run that began in the block before (the run's start
     * and its '+' come from that block's masks), or in a run longer than a block. */
    {"ab+yy.evil.example", "#:yy.evil.example>evil.example(domain);"},
    {"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij+evil.example",
     "#:evil.example>evil.example(domain);"},
    {"EVIL.Example", "#:evil.example>evil.example(domain);"},
    /* Hosts longer than 16 bytes: a run that crosses a block boundary after a part without a
     * '.' has its masks made from its bytes, 16 at a time. */
    {"aa-bb.cc-dd.ee.evil.example", "#:aa-bb.cc-dd.ee.evil.example>evil.example(domain);"},
    {"host-with-a-long-first-label-xx.evil.example",
     "#:host-with-a-long-first-label-xx.evil.example>evil.example(domain);"},
    {"host-with-a-long-first-label-xx.evil.exampl", ""},
    {"www.evil.example.", "#:www.evil.example>evil.example(domain);"},
    {"evil.example:8080", "#:evil.example>evil.example(domain);"},
    {"_evil.example-", "#:evil.example>evil.example(domain);"},
    {"evil.example1", ""},
    {"3.evil", ""},
    {"2001:db8::1", "#:2001:db8::1>2001:db8::1(ipv6);"},
    {"2001:db8:bad::7", "#:2001:db8:bad::7>2001:db8:bad::/48(cidr);"},
    {"2001:db8:0:0:0:0:0:1", "#:2001:db8::1>2001:db8::1(ipv6);"},
    {"http://c2.test/x", "#:c2.test>c2.test(domain);"},
    {"Bad@Evil.Example", "#:bad@evil.example>bad@evil.example(email);"
                         "#:evil.example>evil.example(domain);"},
    /* Runs with one '@' and no ':' (classify_run_email1(): the plain-address test from the
     * masks): what is not a plain address goes the byte path and gives what it always gave. */
    {"u@x+evil.example", "#:evil.example>evil.example(domain);"},
    {"bad@evil..example", ""},
    {"bad+x@evil.example", "#:evil.example>evil.example(domain);"},
    {"bad@evil.example.", "#:bad@evil.example>bad@evil.example(email);"
                          "#:evil.example>evil.example(domain);"},
    {"bad@.evil.example", "#:evil.example>evil.example(domain);"},
    {"bad@evil.example1", ""},
    {"bad@x@evil.example", "#:evil.example>evil.example(domain);"},
    {"bad@evil.example+x", "#:evil.example>evil.example(domain);"},
    {"d41d8cd98f00b204e9800998ecf8427e",
     "#:d41d8cd98f00b204e9800998ecf8427e>d41d8cd98f00b204e9800998ecf8427e(md5);"},
    {"x.d41d8cd98f00b204e9800998ecf8427e",
     "#:d41d8cd98f00b204e9800998ecf8427e>d41d8cd98f00b204e9800998ecf8427e(md5);"},
    {"d41d8cd98f00b204e9800998ecf8427e0", ""},
    /* A percent escape separates tokens: the hash after it is found wherever the blocks fall
     * (before the event loop it was missed when it crossed a block boundary). */
    {"h=%20d41d8cd98f00b204e9800998ecf8427e",
     "#:d41d8cd98f00b204e9800998ecf8427e>d41d8cd98f00b204e9800998ecf8427e(md5);"},
};

static void test_shapes_at_every_offset(void **state)
{
    struct rk_sweep_index *ix = swt_index_of(feed);
    char text[256];
    for (size_t c = 0; c < RK_ARRAY_LEN(shape_cases); c++) {
        const struct shape_case *sc = &shape_cases[c];
        size_t tn = strlen(sc->token);
        for (size_t off = 0; off < 140; off++) {
            /* `off` bytes before the token, a newline every 23 of them. */
            unsigned line = 1;
            for (size_t k = 0; k < off; k++) {
                text[k] = k % 23 == 22 ? '\n' : ' ';
                line += text[k] == '\n';
            }
            memcpy(text + off, sc->token, tn);
            char expect[512];
            size_t en = 0;
            for (const char *e = sc->expect; *e != '\0'; e++) {
                if (*e == '#')
                    en += (size_t)snprintf(expect + en, sizeof expect - en, "%u", line);
                else
                    expect[en++] = *e;
            }
            expect[en] = '\0';
            for (int tail = 0; tail < 2; tail++) {
                size_t n = off + tn;
                if (tail) {
                    memcpy(text + n, " x y\n", 5);
                    n += 5;
                }
                swt_scan_expect_n(ix, text, n, expect);
            }
        }
    }
    rk_sweep_index_close(ix);
}

/* The same on each block classifier: AVX2 where the CPU has AVX-512BW, and SSE2. */
static void test_shapes_avx2(void **state)
{
    setenv("RK_SWEEP_NO_AVX512", "1", 1);
    test_shapes_at_every_offset(state);
    unsetenv("RK_SWEEP_NO_AVX512");
}

static void test_shapes_sse2(void **state)
{
    setenv("RK_SWEEP_NO_AVX2", "1", 1);
    test_shapes_at_every_offset(state);
    unsetenv("RK_SWEEP_NO_AVX2");
}

/* Internal (sweep-scan.c): the masks of a block by the scanner's classifier, in the order tok,
 * stop, dot, colon, at, plus, letter, digit; returns which classifier (0 SSE2 or table, 1
 * AVX2, 2 AVX-512BW). */
int rk__sw_block_masks(const struct rk_sweep_scanner *s, const char *p, uint64_t m[8]);

/* The masks by their definition, byte by byte. */
static void masks_by_bytes(const unsigned char *p, uint64_t m[8])
{
    memset(m, 0, 8 * sizeof m[0]);
    for (unsigned k = 0; k < 64; k++) {
        unsigned c = p[k];
        int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        int digit = c >= '0' && c <= '9';
        int bits[8] = {letter || digit || (c != 0 && strchr(".:@+-_", (int)c) != NULL),
                       c == '\n' || c == '%' || c == '(',
                       c == '.',
                       c == ':',
                       c == '@',
                       c == '+',
                       letter,
                       digit};
        for (unsigned j = 0; j < 8; j++)
            m[j] |= (uint64_t)(bits[j] != 0) << k;
    }
}

/*
 * Every byte value at every position of a block, through each block classifier this CPU has
 * (the environment variables take the wider ones away one by one): block s holds byte
 * (s + 97 k) mod 256 at position k (97 is odd, so each value comes at each position once over
 * the 256 blocks), and its eight masks must equal the masks by definition.
 */
static void test_block_masks_every_byte(void **state)
{
    (void)state;
    static const char *const env[] = {NULL, "RK_SWEEP_NO_AVX512", "RK_SWEEP_NO_AVX2"};
    static const char *const names[8] = {"tok", "stop", "dot",    "colon",
                                         "at",  "plus", "letter", "digit"};
    struct rk_sweep_index *ix = swt_index_of("evil.test\n");
    int last = -1;
    for (unsigned e = 0; e < sizeof env / sizeof env[0]; e++) {
        if (env[e] != NULL)
            setenv(env[e], "1", 1);
        struct rk_sweep_scanner *s = NULL;
        assert_int_equal(rk_sweep_scanner_create(ix, &s), RK_OK);
        unsigned char blk[64];
        uint64_t got[8], want[8];
        int path = -1;
        for (unsigned sd = 0; sd < 256; sd++) {
            for (unsigned k = 0; k < 64; k++)
                blk[k] = (unsigned char)(sd + 97 * k);
            path = rk__sw_block_masks(s, (const char *)blk, got);
            masks_by_bytes(blk, want);
            for (unsigned j = 0; j < 8; j++) {
                if (got[j] != want[j])
                    print_error("classifier %d, block %u: %s mask %016llx, want %016llx\n", path,
                                sd, names[j], (unsigned long long)got[j],
                                (unsigned long long)want[j]);
                assert_true(got[j] == want[j]);
            }
        }
        /* Each variable takes one classifier away: never a wider one than before. */
        assert_true(last < 0 || path <= last);
        last = path;
        rk_sweep_scanner_destroy(s);
    }
    for (unsigned e = 0; e < sizeof env / sizeof env[0]; e++)
        if (env[e] != NULL)
            unsetenv(env[e]);
    rk_sweep_index_close(ix);
}

/* Whether /proc/cpuinfo's flags line (the kernel's view, not the CPUID code under test) has
 * every word of want (space separated). -1 when there is no such file or line. */
static int cpu_flags_have(const char *want)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return -1;
    static char line[8192];
    int found = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "flags", 5) != 0)
            continue;
        found = 1;
        char w[32];
        const char *p = want;
        while (*p != '\0' && found) {
            size_t n = strcspn(p, " ");
            assert_true(n + 3 < sizeof w);
            w[0] = ' ';
            memcpy(w + 1, p, n);
            w[n + 1] = '\0';
            /* " word" followed by a blank or the line's end */
            const char *q = line;
            found = 0;
            while ((q = strstr(q, w)) != NULL) {
                char c = q[n + 1];
                if (c == ' ' || c == '\n' || c == '\0') {
                    found = 1;
                    break;
                }
                q++;
            }
            p += n;
            while (*p == ' ')
                p++;
        }
        break;
    }
    fclose(f);
    return found;
}

/* With no variable set, the scanner takes the widest block classifier the CPU has: AVX-512BW
 * or AVX2 only with BMI1, BMI2, LZCNT ("abm" in /proc/cpuinfo) and POPCNT, which their loops
 * are compiled for. A detection that never says yes would leave every test green on the SSE2
 * path; this one fails then. */
static void test_block_path_matches_cpu(void **state)
{
    (void)state;
    int avx2 = cpu_flags_have("avx2 bmi1 bmi2 abm popcnt");
    if (avx2 < 0)
        skip();
    int want = avx2 ? (cpu_flags_have("avx512bw") == 1 ? 2 : 1) : 0;
    unsetenv("RK_SWEEP_NO_AVX512");
    unsetenv("RK_SWEEP_NO_AVX2");
    struct rk_sweep_index *ix = swt_index_of("evil.test\n");
    struct rk_sweep_scanner *s = NULL;
    assert_int_equal(rk_sweep_scanner_create(ix, &s), RK_OK);
    uint64_t m[8];
    char blk[64] = {0};
    assert_int_equal(rk__sw_block_masks(s, blk, m), want);
    rk_sweep_scanner_destroy(s);
    rk_sweep_index_close(ix);
}

/* The extraction table through the AVX2 block classifier on a CPU with AVX-512BW. */
static void test_extract_avx2(void **state)
{
    setenv("RK_SWEEP_NO_AVX512", "1", 1);
    test_extract_and_match(state);
    unsetenv("RK_SWEEP_NO_AVX512");
}

/* Every byte value after a URL, at every position of the 32- and 16-byte steps that look for
 * the URL's end: the URL indicator is hit exactly when the byte ends a URL (blanks, controls,
 * DEL and " ' , < > \ ^ ` { | }) or starts its fragment ('#', dropped). On each URL-end path. */
static int url_hits(const struct rk_sweep_hit *h, void *ud)
{
    if (h->type == RK_SWEEP_URL)
        ++*(unsigned *)ud;
    return 0;
}

static void url_end_bytes(void)
{
    static const char tail[] = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\n"; /* the steps reach the byte */
    char url[128], text[160];
    struct rk_sweep_scanner *s = NULL;
    for (size_t pad = 0; pad <= 40; pad++) {
        size_t n = (size_t)snprintf(url, sizeof url, "http://evil.test/%.*s", (int)pad,
                                    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        char f[160];
        snprintf(f, sizeof f, "%s\n", url);
        struct rk_sweep_index *ix = swt_index_of(f);
        assert_int_equal(rk_sweep_scanner_create(ix, &s), RK_OK);
        for (unsigned c = 0; c < 256; c++) {
            int ends = c <= 0x20 || c == 0x7f || (c != 0 && strchr("\"',<>\\^`{|}", (int)c));
            unsigned hits = 0;
            memcpy(text, url, n);
            text[n] = (char)c;
            memcpy(text + n + 1, tail, sizeof tail - 1);
            assert_int_equal(rk_sweep_scan(s, text, n + sizeof tail, url_hits, &hits, NULL),
                             RK_OK);
            if (hits != (unsigned)(ends || c == '#'))
                print_error("byte 0x%02x after %zu bytes: %u hits\n", c, n, hits);
            assert_int_equal(hits, (unsigned)(ends || c == '#'));
        }
        rk_sweep_scanner_destroy(s);
        rk_sweep_index_close(ix);
    }
}

static void test_url_end_bytes(void **state)
{
    (void)state;
    url_end_bytes();
    setenv("RK_SWEEP_NO_AVX2", "1", 1);
    url_end_bytes();
    unsetenv("RK_SWEEP_NO_AVX2");
}

/* The last-label test through its cache of answers: labels of 0 to 7 bytes in hosts shorter
 * than 4, than 8 and longer, in both cases, a last label longer than 7 bytes (not cached), and
 * every host twice so that the second time is answered from the cache. */
static void test_last_label_cache(void **state)
{
    (void)state;
    struct rk_sweep_index *ix = swt_index_of("bad.io\nc2.test\nevil.longlabel\nq.zz\n");
    static const char *const hosts[] = {
        "bad.io", "BAD.IO", "x.Bad.Io", "bad.iox", "bad.io.", "a.b", "q.z", "q.zz", "Q.ZZ",
        "q.zzz", "evil.longlabel", "evil.LONGLABEL", "evil.longlabelx", "c2.test", "c2.tes",
        "a.", ".io", "io"};
    static const char *const hit[] = {
        "bad.io>bad.io", "bad.io>bad.io", "x.bad.io>bad.io", NULL, "bad.io>bad.io", NULL, NULL,
        "q.zz>q.zz", "q.zz>q.zz", NULL, "evil.longlabel>evil.longlabel",
        "evil.longlabel>evil.longlabel", NULL, "c2.test>c2.test", NULL, NULL, NULL, NULL};
    char text[1024], expect[2048];
    size_t n = 0, e = 0, line = 0;
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < RK_ARRAY_LEN(hosts); i++) {
            n += (size_t)snprintf(text + n, sizeof text - n, "%s\n", hosts[i]);
            line++;
            if (hit[i] != NULL)
                e += (size_t)snprintf(expect + e, sizeof expect - e, "%zu:%s(domain);", line,
                                      hit[i]);
        }
    }
    swt_scan_expect_n(ix, text, n, expect);
    /* Many different last labels (more than the cache has entries), the indicators' among
     * them: an answer is only ever used for its own label. */
    struct rk_buf big, want;
    rk_buf_init(&big, 0);
    rk_buf_init(&want, 0);
    for (unsigned i = 1; i <= 3000; i++) {
        if (i % 50 == 0) {
            assert_int_equal(rk_buf_addf(&big, "%s\n", i % 100 ? "bad.io" : "Q.zz"), RK_OK);
            assert_int_equal(rk_buf_addf(&want, "%u:%s(domain);", i,
                                         i % 100 ? "bad.io>bad.io" : "q.zz>q.zz"),
                             RK_OK);
        } else {
            assert_int_equal(rk_buf_addf(&big, "x.%c%c%u\n", 'a' + i % 26, 'a' + i / 26 % 26,
                                         i % 7),
                             RK_OK);
        }
    }
    swt_scan_expect_n(ix, big.data, big.len, want.data);
    rk_buf_free(&big);
    rk_buf_free(&want);
    rk_sweep_index_close(ix);
}

/*
 * A host or an IPv4 address that the loop classifies from its shape reads bytes past the run
 * (an 8-byte load from the last label's start for the last-label cache, a 16-byte load for the
 * IPv4 conversion) only when the chunk has them: each token here is the last bytes of a heap
 * buffer of exactly its size (so that ASan sees any read past it), behind 0 to 70 bytes so that
 * it falls at every place of a block, and is still found. Also labels that differ only in their
 * last byte from an indicator's ("bad.ip"), whose cached answers must not be taken for it.
 */
static void test_shapes_at_input_end(void **state)
{
    (void)state;
    struct rk_sweep_index *ix =
        swt_index_of("bad.io\nq.zz\nevil.longlabel\n1.2.3.4\n10.1.0.0/16\nc2.test\n");
    static const struct shape_case tail_cases[] = {
        {"bad.io", "1:bad.io>bad.io(domain);"},
        {"x.Bad.IO", "1:x.bad.io>bad.io(domain);"},
        {"bad.ip", ""},
        {"bad.i", ""},
        {"q.zz", "1:q.zz>q.zz(domain);"},
        {"q.zy", ""},
        {"c2.test", "1:c2.test>c2.test(domain);"},
        {"c2.tesu", ""},
        {"a.evil.longlabel", "1:a.evil.longlabel>evil.longlabel(domain);"},
        {"1.2.3.4", "1:1.2.3.4>1.2.3.4(ipv4);"},
        {"1.2.3.5", ""},
        {"10.1.255.254", "1:10.1.255.254>10.1.0.0/16(cidr);"},
        {"100.100.100.100", ""},
    };
    for (size_t c = 0; c < RK_ARRAY_LEN(tail_cases); c++) {
        size_t tn = strlen(tail_cases[c].token);
        for (size_t off = 0; off <= 70; off++) {
            char *buf = rk_malloc(off + tn);
            assert_non_null(buf);
            memset(buf, ' ', off);
            memcpy(buf + off, tail_cases[c].token, tn);
            /* Twice: the second time the last label's answer comes from the cache. */
            swt_scan_expect_n(ix, buf, off + tn, tail_cases[c].expect);
            swt_scan_expect_n(ix, buf, off + tn, tail_cases[c].expect);
            rk_free(buf);
        }
    }
    /* The same labels one after the other on one scanner: each answer only for its own. */
    static const char seq[] = "bad.ip bad.io bad.ip q.zy q.zz q.zy bad.i bad.io\n";
    swt_scan_expect_n(ix, seq, sizeof seq - 1, "1:bad.io>bad.io(domain);1:q.zz>q.zz(domain);");
    rk_sweep_index_close(ix);
}

/*
 * The loop's host runs ask the last-label cache before the run is trimmed or its letters
 * tested, with the label found from the masks (the dots below the last letter or digit, the
 * first letter or digit) and read by a load that ends at its last byte. Each host here, with
 * dots, dashes and underscores around it and last labels of 1 to 8 bytes, comes after runs
 * whose last labels are near its own (a byte less at either end, a byte more: their "no" is in
 * the cache), twice on two lines (the second time its own answer is cached), behind 0 to 70
 * bytes so that it falls at every place of a block.
 */
static void test_host_run_cache(void **state)
{
    (void)state;
    struct rk_sweep_index *ix =
        swt_index_of("bad.io\nw.q.z\nc2.test\nx.abcdefg\nx.abcdefgh\n");
    static const char fill[] = "f.o f.i f.iox f.bio f.zz f.tes f.est f.testx f.abcdef "
                               "f.bcdefg f.abcdefgx f.abcdefghx 3.7 v1.2 ";
    static const struct shape_case cases[] = {
        {"bad.io", "bad.io>bad.io"},
        {"_bad.io-", "bad.io>bad.io"},
        {".bad.io.", "bad.io>bad.io"},
        {"..bad.io", "bad.io>bad.io"},
        {"-.bad.io_.", "bad.io>bad.io"},
        {"3.bad.io", "3.bad.io>bad.io"},
        {"bad.io.3", ""},
        {"bad.iox", ""},
        {"bad.o", ""},
        {"u.w.q.z", "u.w.q.z>w.q.z"},
        {"w.q.zz", ""},
        {"C2.Test", "c2.test>c2.test"},
        {"c2.tes", ""},
        {"a.x.abcdefg", "a.x.abcdefg>x.abcdefg"},
        {"a.x.abcdefgh", "a.x.abcdefgh>x.abcdefgh"},
        {"a.x.bcdefg", ""},
    };
    char text[512], expect[256];
    for (size_t c = 0; c < RK_ARRAY_LEN(cases); c++) {
        const struct shape_case *sc = &cases[c];
        if (sc->expect[0] != '\0')
            snprintf(expect, sizeof expect, "1:%s(domain);2:%s(domain);", sc->expect,
                     sc->expect);
        else
            expect[0] = '\0';
        for (size_t off = 0; off <= 70; off++) {
            memset(text, ' ', off);
            int n = snprintf(text + off, sizeof text - off, "%s%s\n%s%s\n", fill, sc->token, fill,
                             sc->token);
            assert_true(n > 0 && (size_t)n < sizeof text - off);
            swt_scan_expect_n(ix, text, off + (size_t)n, expect);
        }
    }
    rk_sweep_index_close(ix);
    /* A run of 3 bytes is no host on any path (the classifier's length test, made after the
     * cache's), also when its label's answer is cached; 4 bytes trimmed to 3 are. */
    ix = swt_index_of("b.c\n");
    for (size_t off = 0; off <= 70; off++) {
        memset(text, ' ', off);
        static const char t3[] = "x.b.c\nb.c\nb.c\n_b.c\nb.c.\n";
        memcpy(text + off, t3, sizeof t3 - 1);
        swt_scan_expect_n(ix, text, off + sizeof t3 - 1,
                          "1:x.b.c>b.c(domain);4:b.c>b.c(domain);5:b.c>b.c(domain);");
    }
    rk_sweep_index_close(ix);
}

/*
 * The key prefilter's answers for last-two-label keys of up to 7 bytes are cached per scanner
 * (exact keys: bytes and length). First 2,000 hosts under 676 different short keys that no
 * indicator has (more than the cache's 256 entries: every entry taken, many replaced), then
 * hosts of 40 indicators with short keys, in both cases, and of one with a key of 9 bytes (not
 * cached), each among more fillers: every indicator's host is found, on the direct path and
 * with the prefilter tests deferred (a short key is tested at once there too).
 */
static void pf_short_keys(void)
{
    struct rk_buf feed_b, text, want;
    rk_buf_init(&feed_b, 0);
    rk_buf_init(&text, 0);
    rk_buf_init(&want, 0);
    for (unsigned k = 0; k < 40; k++)
        assert_int_equal(rk_buf_addf(&feed_b, "i%c%c.io\n", 'a' + k % 26, 'a' + k / 26), RK_OK);
    assert_int_equal(rk_buf_addf(&feed_b, "longer.io\n"), RK_OK);
    struct rk_sweep_index *ix = swt_index_of(feed_b.data);
    unsigned line = 0;
    for (unsigned i = 0; i < 2000; i++, line++)
        assert_int_equal(rk_buf_addf(&text, "h.q%c%c.io\n", 'a' + i % 26, 'a' + i / 26 % 26),
                         RK_OK);
    for (unsigned k = 0; k < 41; k++) {
        char host[32], low[32];
        if (k < 40)
            snprintf(host, sizeof host, "w.%s%c%c.io", k % 2 ? "I" : "i", 'a' + k % 26,
                     'a' + k / 26);
        else
            snprintf(host, sizeof host, "a.longer.io");
        size_t j = 0;
        for (; host[j] != '\0'; j++)
            low[j] = (char)(host[j] >= 'A' && host[j] <= 'Z' ? host[j] | 0x20 : host[j]);
        low[j] = '\0';
        assert_int_equal(rk_buf_addf(&text, "%s\nh.z%c%c.io\n", host, 'a' + k % 26, 'a' + k / 26),
                         RK_OK);
        line++;
        assert_int_equal(rk_buf_addf(&want, "%u:%s>%s(domain);", line, low, low + 2), RK_OK);
        line++;
    }
    swt_scan_expect_n(ix, text.data, text.len, want.data);
    rk_buf_free(&feed_b);
    rk_buf_free(&text);
    rk_buf_free(&want);
    rk_sweep_index_close(ix);
}

static void test_pf_short_keys(void **state)
{
    (void)state;
    pf_short_keys();
    setenv("RK_SWEEP_DEFER_PF", "1", 1);
    pf_short_keys();
    unsetenv("RK_SWEEP_DEFER_PF");
}

/*
 * Hosts under a two-label public suffix ("co.jp") have three-label domain keys
 * (RK__SW_PF_DOM3): the rule on the bytes, the key's start, and the scans. Each index's hits
 * must be the expected ones, and the same with the key prefilter forced to pass every key
 * (every bit of its lines set), on the direct and the deferred paths: the filter only ever
 * saves work. An index whose flags and filter are those of a build before the rule (two-label
 * keys, no RK__SW_PF_DOM3) gives the same hits too.
 */
static void test_pf_suffix_rule(void **state)
{
    static const struct {
        const char *in;
        int sfx;
    } rule[] = {
        {"co.jp", 1},  {"CO.JP", 1},  {"ne.jp", 1},   {"Or.Jp", 1},  {"go.jp", 1},  {"ac.jp", 1},
        {"ad.jp", 1},  {"ed.jp", 1},  {"gr.jp", 1},   {"lg.jp", 1},  {"co.uk", 1},  {"com.au", 1},
        {"NET.TW", 1}, {"org.uk", 1}, {"gov.cn", 1},  {"edu.au", 1}, {"go.to", 1},  {"xx.jp", 0},
        {"co.j1", 0},  {"co.com", 0}, {"com.jpn", 0}, {"c.jp", 0},   {"com", 0},    {"co-jp", 0},
        {"cc.jp", 0},  {"cm.jp", 0},  {"co._p", 0},   {"co.j_", 0},  {"coo.jp", 0}, {"net.u", 0},
        {"", 0},
    };
    static const struct {
        const char *in;
        size_t start;
    } starts[] = {
        {"www.mal.co.jp", 4}, {"mal.co.jp", 0}, {"co.jp", 0},    {"a.b.example", 2},
        {"x.go.to", 0},       {"a.x.go.to", 2}, {"b.com.au", 0}, {"q.b.com.au", 2},
        {"a.mal.com", 2},     {"example", 0},   {"x.co.jpn", 2},
    };
    (void)state;
    for (size_t i = 0; i < RK_ARRAY_LEN(rule); i++) {
        if (rk__sw_pf_sfx2(rule[i].in, strlen(rule[i].in)) != rule[i].sfx)
            print_error("rule: %s\n", rule[i].in);
        assert_int_equal(rk__sw_pf_sfx2(rule[i].in, strlen(rule[i].in)), rule[i].sfx);
    }
    for (size_t i = 0; i < RK_ARRAY_LEN(starts); i++) {
        if (rk__sw_pf_dom_start(starts[i].in, strlen(starts[i].in)) != starts[i].start)
            print_error("start: %s\n", starts[i].in);
        assert_int_equal(rk__sw_pf_dom_start(starts[i].in, strlen(starts[i].in)), starts[i].start);
    }
}

struct sfx_case {
    const char *feed;
    uint32_t flags; /* RK__SW_PF_DOM3 | RK__SW_PF_DOM2 expected */
    const char *text;
    const char *expect;
};

/* One host a line (a line reports a token and indicator once). */
static const struct sfx_case sfx_cases[] = {
    /* One indicator under co.jp: the other co.jp hosts fail the filter on their own keys. */
    {"mal.co.jp\nevil.example\n", RK__SW_PF_DOM3,
     "www.mal.co.jp\nx.other.co.jp\nWWW.MAL.CO.JP\nmal.co.jp\nco.jp\na.b.mal.co.jp\n"
     "mal.ne.jp\nmal.co.jp.\nshop12.co.jp\nx.evil.example\n",
     "1:www.mal.co.jp>mal.co.jp(domain);3:www.mal.co.jp>mal.co.jp(domain);"
     "4:mal.co.jp>mal.co.jp(domain);6:a.b.mal.co.jp>mal.co.jp(domain);"
     "8:mal.co.jp>mal.co.jp(domain);10:x.evil.example>evil.example(domain);"},
    /* The suffix itself as an indicator still matches every host under it. */
    {"co.jp\nevil.example\n", RK__SW_PF_DOM3 | RK__SW_PF_DOM2,
     "x.co.jp\na.b.co.jp\nCO.JP\nco.jp.evil.example\nne.jp\nx.ne.jp\n",
     "1:x.co.jp>co.jp(domain);2:a.b.co.jp>co.jp(domain);3:co.jp>co.jp(domain);"
     "4:co.jp.evil.example>evil.example(domain);"},
    /* A real two-label domain the rule catches, and a three-label one under com.au. */
    {"go.to\nmal.com.au\nevil.example\n", RK__SW_PF_DOM3 | RK__SW_PF_DOM2,
     "www.go.to\ngo.to\nx.y.GO.TO\nw.mal.com.au\nother.com.au\ncom.au\nmal.com.au.x\n",
     "1:www.go.to>go.to(domain);2:go.to>go.to(domain);3:x.y.go.to>go.to(domain);"
     "4:w.mal.com.au>mal.com.au(domain);"},
    /* The suffix and a name under it: both found for a host under the name. */
    {"co.jp\nmal.co.jp\nx.example\n", RK__SW_PF_DOM3 | RK__SW_PF_DOM2, "a.mal.co.jp\nb.co.jp\n",
     "1:a.mal.co.jp>mal.co.jp(domain);1:a.mal.co.jp>co.jp(domain);2:b.co.jp>co.jp(domain);"},
    /* Longer names: the third label from the end is the key; a host of many labels. */
    {"a.b.mal.co.jp\nevil.example\n", RK__SW_PF_DOM3,
     "q.a.b.mal.co.jp\nb.mal.co.jp\nx.mal.co.jp\na.b.mal.co.jp\n",
     "1:q.a.b.mal.co.jp>a.b.mal.co.jp(domain);4:a.b.mal.co.jp>a.b.mal.co.jp(domain);"},
    /* URLs' hosts and e-mail domains go through the same filters. */
    {"mal.ne.jp\nevil.example\n", RK__SW_PF_DOM3,
     "http://www.mal.ne.jp/x\nhttp://x.ne.jp/y\nu@mail.mal.ne.jp\nv@other.ne.jp\n",
     "1:www.mal.ne.jp>mal.ne.jp(domain);3:mail.mal.ne.jp>mal.ne.jp(domain);"},
    /* A one-label indicator: no domain keys at all. */
    {"jp\nmal.co.jp\n", 0, "x.co.jp\na.mal.co.jp\n",
     "1:x.co.jp>jp(domain);2:a.mal.co.jp>mal.co.jp(domain);2:a.mal.co.jp>jp(domain);"},
};

static void sfx_scan(const struct rk_sweep_index *ix, const struct sfx_case *c)
{
    swt_scan_expect_n(ix, c->text, strlen(c->text), c->expect);
    setenv("RK_SWEEP_DEFER_PF", "1", 1);
    swt_scan_expect_n(ix, c->text, strlen(c->text), c->expect);
    unsetenv("RK_SWEEP_DEFER_PF");
}

static void test_pf_suffix_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < RK_ARRAY_LEN(sfx_cases); i++) {
        const struct sfx_case *c = &sfx_cases[i];
        struct rk_sweep_index *ix = swt_index_of(c->feed);
        struct rk__sw_header *h = (struct rk__sw_header *)(uintptr_t)ix->h;
        uint64_t *pf = (uint64_t *)(uintptr_t)ix->pf;
        assert_int_equal(h->pf_flags & (RK__SW_PF_DOM3 | RK__SW_PF_DOM2), c->flags);
        sfx_scan(ix, c);
        /* The same filter from the records. */
        uint64_t size = rk__sw_pf_size(h->pf_lines, h->pf_cidr4_bits);
        uint64_t *want = rk_calloc(1, (size_t)size);
        assert_non_null(want);
        rk__sw_pf_fill(want, h->pf_lines, h->pf_flags, h->pf_cidr4_bits, h->type_count, ix->rec,
                       (size_t)ix->rec_len);
        assert_memory_equal(want, pf, (size_t)size);
        rk_free(want);
        if (c->flags != 0) {
            /* As an index written before the rule: two-label keys, no DOM3 or DOM2. */
            uint64_t pv[8];
            size_t nk = 0;
            for (const char *l = c->feed; *l != '\0' && nk < 8; nk++) {
                const char *e = strchr(l, '\n');
                size_t st = rk__sw_pf_reg_start(l, (size_t)(e - l));
                pv[nk] = rk__sw_pf_hash(RK__SW_PF_KEY_REG, l + st, (size_t)(e - l) - st);
                l = e + 1;
            }
            memset(pf, 0, 64 * h->pf_lines);
            rk__sw_pf_fill_hashes(pf, h->pf_lines, h->pf_cidr4_bits, pv, nk, NULL);
            h->pf_flags &= ~(uint32_t)(RK__SW_PF_DOM3 | RK__SW_PF_DOM2);
            sfx_scan(ix, c);
        }
        /* Every key passes: the same hits. */
        memset(pf, 0xff, 64 * h->pf_lines);
        sfx_scan(ix, c);
        h->pf_flags |= c->flags;
        sfx_scan(ix, c);
        rk_sweep_index_close(ix);
    }
    /* 140,000 domains under two-label suffixes (4375 lines: the bucketed walk, whose key
     * array holds one hash a domain, the suffix marks beyond it set at once): the builder's
     * filter equals the walk's, and hosts under them are found. */
    struct rk_buf f;
    rk_buf_init(&f, 0);
    for (unsigned i = 0; i < 70000; i++)
        assert_int_equal(rk_buf_addf(&f, "m%u.co.jp\nx.n%u.Com.AU\n", i, i), RK_OK);
    struct rk_sweep_index *big = swt_index_of(f.data);
    rk_buf_free(&f);
    assert_int_equal(big->h->pf_flags, RK__SW_PF_DOMAIN | RK__SW_PF_DOM3);
    assert_true(big->h->pf_lines > 4096);
    check_pf_section(big);
    swt_scan_expect_n(big, "a.m69999.co.jp\nb.x.n5.com.au\nn5.com.au\nq.co.jp\n", 47,
                      "1:a.m69999.co.jp>m69999.co.jp(domain);2:b.x.n5.com.au>x.n5.com.au(domain);");
    rk_sweep_index_close(big);
    /* What the filter holds for one indicator under co.jp: its three-label key, not "co.jp"
     * (which let every co.jp host through before); checked on the hashes, as the hits are the
     * same either way. */
    struct rk_sweep_index *ix = swt_index_of("mal.co.jp\n");
    uint64_t k3 = rk__sw_pf_hash(RK__SW_PF_KEY_REG, "mal.co.jp", 9);
    uint64_t k2 = rk__sw_pf_hash(RK__SW_PF_KEY_REG, "co.jp", 5);
    uint64_t m2 = rk__sw_pf_hash(RK__SW_PF_KEY_SFX, "co.jp", 5);
    uint64_t m2n = rk__sw_pf_hash(RK__SW_PF_KEY_SFX, "ne.jp", 5);
    assert_true(rk__sw_pf_test(rk__sw_pf_line(ix, k3), k3));
    assert_false(rk__sw_pf_test(rk__sw_pf_line(ix, k2), k2));
    /* The suffix's mark: "co.jp" has an indicator under it, "ne.jp" none (all its hosts fail
     * on one cached test). */
    assert_true(rk__sw_pf_test(rk__sw_pf_line(ix, m2), m2));
    assert_false(rk__sw_pf_test(rk__sw_pf_line(ix, m2n), m2n));
    swt_scan_expect_n(ix, "a.mal.co.jp\n", 12, "1:a.mal.co.jp>mal.co.jp(domain);");
    rk_sweep_index_close(ix);
}

/* ===== Loaders ===== */

struct load_case {
    const char *name;
    enum rk_sweep_format fmt;
    const char *data;
    enum rk_status rc;
    uint64_t added, skipped;
};

static const struct load_case load_cases[] = {
    {"plain", RK_SWEEP_FMT_AUTO, "# c\n1.2.3.4\r\n\n  evil.example  \nnot valid!\n", RK_OK, 2, 1},
    {"csv", RK_SWEEP_FMT_AUTO,
     "id,type,value\n1,ip-dst,1.2.3.4\n2,domain,\"evil.example\"\n3,mutex,abc\n", RK_OK, 2, 1},
    {"csv without type column", RK_SWEEP_FMT_CSV, "a,b\n1,2\n", RK_EINVAL, 0, 0},
    {"stix", RK_SWEEP_FMT_AUTO,
     "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
     "{\"type\":\"indicator\",\"pattern_type\":\"stix\",\"pattern\":\"[ipv4-addr:value = "
     "'1.2.3.4' OR domain-name:value = 'evil.example']\"},"
     "{\"type\":\"indicator\",\"pattern\":\"[file:hashes.'SHA-256' = "
     "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']\"},"
     "{\"type\":\"indicator\",\"pattern\":\"[url:value = 'http://bad.example/x']\"},"
     "{\"type\":\"indicator\",\"pattern\":\"[email-addr:value = 'bad@evil.example']\"},"
     "{\"type\":\"indicator\",\"pattern\":\"[ipv4-addr:value = '1.2.3.4' AND "
     "network-traffic:dst_port = 443]\"},"
     "{\"type\":\"indicator\",\"pattern_type\":\"sigma\",\"pattern\":\"x\"},"
     "{\"type\":\"malware\",\"name\":\"x\"}]}",
     RK_OK, 5, 2},
    {"misp", RK_SWEEP_FMT_AUTO,
     "{\"Event\":{\"info\":\"x\",\"Attribute\":[{\"type\":\"ip-dst\",\"value\":\"1.2.3.4\"},"
     "{\"type\":\"domain|ip\",\"value\":\"evil.example|5.6.7.8\"},"
     "{\"type\":\"filename|md5\",\"value\":\"a.exe|d41d8cd98f00b204e9800998ecf8427e\"},"
     "{\"type\":\"comment\",\"value\":\"x\"}],"
     "\"Object\":[{\"Attribute\":[{\"type\":\"url\",\"value\":\"bad.example/x\"}]}]}}",
     RK_OK, 5, 1},
    {"misp wrong type", RK_SWEEP_FMT_MISP,
     "{\"Event\":{\"Attribute\":[{\"type\":\"ip-dst\",\"value\":\"evil.example\"}]}}", RK_OK, 0, 1},
    {"bad json", RK_SWEEP_FMT_AUTO, "{\"Event\": [", RK_EINVAL, 0, 0},
    {"foreign json", RK_SWEEP_FMT_AUTO, "{\"hello\": 1}", RK_EINVAL, 0, 0},
};

static void test_loaders(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(load_cases); i++) {
        const struct load_case *c = &load_cases[i];
        struct rk_sweep_builder *b = NULL;
        struct rk_sweep_load_stats st;
        char err[256] = "";
        assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
        enum rk_status rc =
            rk_sweep_builder_load(b, c->fmt, c->data, strlen(c->data), &st, err, sizeof err);
        if (rc != c->rc || (rc == RK_OK && (st.added != c->added || st.skipped != c->skipped)))
            print_error("case %s: rc %d added %llu skipped %llu (%s)\n", c->name, rc,
                        (unsigned long long)st.added, (unsigned long long)st.skipped, err);
        assert_int_equal(rc, c->rc);
        if (rc == RK_OK) {
            assert_int_equal(st.added, c->added);
            assert_int_equal(st.skipped, c->skipped);
        } else {
            assert_true(err[0] != '\0');
        }
        rk_sweep_builder_destroy(b);
    }
}

/* ===== Index file ===== */

static char tmpdir[256];

static int setup_dir(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rk-sweep-test-%ld", (long)getpid());
    mkdir(tmpdir, 0700);
    return 0;
}

static int teardown_dir(void **state)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static size_t read_file(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = rk_malloc((size_t)n + 1);
    assert_int_equal(fread(*out, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return (size_t)n;
}

struct corrupt_case {
    const char *name;
    long offset; /* byte to flip (negative: from the end); 0 with truncate */
    long truncate_to;
    const char *msg; /* part of the error message */
};

static const struct corrupt_case corrupt_cases[] = {
    {"magic", 0, -1, "bad magic"},
    {"version", 8, -1, "version"},
    {"header field", 40, -1, "header is damaged"},
    {"slot", 2048, -1, "body is damaged"},
    {"last byte", -1, -1, "body is damaged"},
    {"truncated", 0, 4000, "truncated"},
    {"empty", 0, 0, "too short"},
};

/* A plain list gives the same index as its lines added one by one, whatever the line lengths
 * and where the line ends fall against the loader's 64-byte blocks: short and long lines,
 * blank lines, comments, CRLF, spaces, with and without a last line end, from each offset. */
static void test_plain_line_ends(void **state)
{
    for (unsigned shift = 0; shift < 70; shift += 3) {
        struct rk_buf f;
        rk_buf_init(&f, 0);
        for (unsigned k = 0; k < shift; k++)
            assert_int_equal(rk_buf_add(&f, "\n", 1), RK_OK);
        for (unsigned i = 0; i < 150; i++) {
            unsigned pad = (i * 37 + shift) % 90;
            assert_int_equal(rk_buf_addf(&f, "%*sh%u.%0*u.example%s", (int)(pad % 3), "", i,
                                         (int)(pad % 60) + 1, i, i % 4 == 0 ? "\r\n" : "\n"),
                             RK_OK);
            if (i % 11 == 0)
                assert_int_equal(rk_buf_addf(&f, "# comment %u\n\n \t\n", i), RK_OK);
        }
        if (shift % 2 == 1)
            assert_int_equal(rk_buf_addf(&f, "last.example"), RK_OK);
        /* The reference: each line trimmed and added by itself. */
        struct rk_sweep_builder *one = NULL, *all = NULL;
        struct rk_sweep_load_stats st;
        uint64_t added = 0;
        assert_int_equal(rk_sweep_builder_create(&one), RK_OK);
        assert_int_equal(rk_sweep_builder_create(&all), RK_OK);
        const char *p = f.data, *end = f.data + f.len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
            const char *a = p, *z = e;
            while (a < z && (*a == ' ' || *a == '\t' || *a == '\r'))
                a++;
            while (z > a && (z[-1] == ' ' || z[-1] == '\t' || z[-1] == '\r'))
                z--;
            if (z > a && *a != '#') {
                assert_int_equal(rk_sweep_builder_add(one, RK_SWEEP_NONE, a, (size_t)(z - a)),
                                 RK_OK);
                added++;
            }
            p = e + 1;
        }
        assert_int_equal(
            rk_sweep_builder_load(all, RK_SWEEP_FMT_PLAIN, f.data, f.len, &st, NULL, 0), RK_OK);
        assert_int_equal(st.added, added);
        struct rk_sweep_index *x1 = NULL, *x2 = NULL;
        assert_int_equal(rk_sweep_builder_build(one, &x1), RK_OK);
        assert_int_equal(rk_sweep_builder_build(all, &x2), RK_OK);
        assert_int_equal(rk_sweep_index_size(x1), rk_sweep_index_size(x2));
        assert_int_equal(memcmp(x1->base, x2->base, (size_t)rk_sweep_index_size(x1)), 0);
        rk_sweep_index_close(x1);
        rk_sweep_index_close(x2);
        rk_sweep_builder_destroy(one);
        rk_sweep_builder_destroy(all);
        rk_buf_free(&f);
    }
}

static void test_index_file(void **state)
{
    char path[512], bad[512];
    struct rk_sweep_builder *b = NULL;
    struct rk_sweep_index *ix = NULL;
    char err[256];
    snprintf(path, sizeof path, "%s/t.idx", tmpdir);
    snprintf(bad, sizeof bad, "%s/bad.idx", tmpdir);
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    assert_int_equal(
        rk_sweep_builder_load(b, RK_SWEEP_FMT_PLAIN, feed, strlen(feed), NULL, NULL, 0), RK_OK);
    assert_int_equal(rk_sweep_builder_write(b, path, err, sizeof err), RK_OK);
    assert_int_equal(rk_sweep_index_open(path, 0, &ix, err, sizeof err), RK_OK);
    assert_int_equal(rk_sweep_index_count(ix), rk_sweep_builder_count(b));
    swt_scan_expect_n(ix, "x 1.2.3.4 y\n", 12, "1:1.2.3.4>1.2.3.4(ipv4);");
    rk_sweep_index_close(ix);
    rk_sweep_builder_destroy(b);

    char *img;
    size_t n = read_file(path, &img);
    for (size_t i = 0; i < RK_ARRAY_LEN(corrupt_cases); i++) {
        const struct corrupt_case *c = &corrupt_cases[i];
        char *copy = rk_malloc(n);
        memcpy(copy, img, n);
        size_t len = n;
        if (c->truncate_to >= 0)
            len = (size_t)c->truncate_to;
        else
            copy[c->offset >= 0 ? (size_t)c->offset : n - 1] ^= 0x40;
        write_file(bad, copy, len);
        err[0] = '\0';
        ix = NULL;
        assert_int_equal(rk_sweep_index_open(bad, 0, &ix, err, sizeof err), RK_ECORRUPT);
        assert_null(ix);
        if (strstr(err, c->msg) == NULL)
            print_error("case %s: message \"%s\"\n", c->name, err);
        assert_non_null(strstr(err, c->msg));
        rk_free(copy);
    }
    /* Without the body checksum a damaged header is still refused. */
    img[40] ^= 0x40;
    write_file(bad, img, n);
    assert_int_equal(rk_sweep_index_open(bad, RK_SWEEP_OPEN_NO_VERIFY, &ix, err, sizeof err),
                     RK_ECORRUPT);
    img[40] ^= 0x40;
    write_file(bad, img, n);
    assert_int_equal(rk_sweep_index_open(bad, RK_SWEEP_OPEN_NO_VERIFY, &ix, err, sizeof err),
                     RK_OK);
    rk_sweep_index_close(ix);
    rk_free(img);
    snprintf(bad, sizeof bad, "%s/missing.idx", tmpdir);
    assert_int_equal(rk_sweep_index_open(bad, 0, &ix, err, sizeof err), RK_EIO);
}

/* A key prefilter layout that does not fit is refused even without the body checksum (the
 * header resealed, as a fuzzer's or an attacker's would be), so that no probe can read outside
 * the image: bad line counts, offset, flags, bitmap size, reserved word. */
static void test_prefilter_layout(void **state)
{
    static const struct {
        const char *name;
        size_t field; /* offsetof in the header */
        uint64_t value;
        size_t width;
        const char *expect; /* the message, when not "layout is inconsistent" */
    } cases[] = {
        {"no lines", offsetof(struct rk__sw_header, pf_lines), 0, 4, NULL},
        {"too many lines", offsetof(struct rk__sw_header, pf_lines), RK__SW_PF_MAX_LINES + 1, 4,
         NULL},
        {"lines past the end", offsetof(struct rk__sw_header, pf_lines), 1u << 20, 4, NULL},
        {"offset off the line", offsetof(struct rk__sw_header, pf_off), 8, 0, NULL},
        {"unknown flag", offsetof(struct rk__sw_header, pf_flags), 128, 4,
         "written by a newer Renkei"},
        {"three-label keys without domains", offsetof(struct rk__sw_header, pf_flags),
         RK__SW_PF_DOM3, 4, NULL},
        {"two-label suffix keys without three-label keys", offsetof(struct rk__sw_header, pf_flags),
         RK__SW_PF_DOMAIN | RK__SW_PF_DOM2, 4, NULL},
        {"bitmap too large", offsetof(struct rk__sw_header, pf_cidr4_bits), 25, 4, NULL},
        {"bitmap too small", offsetof(struct rk__sw_header, pf_cidr4_bits), 11, 4, NULL},
        {"reserved", offsetof(struct rk__sw_header, pf_reserved), 1, 4, NULL},
    };
    char path[512], err[256], *img;
    struct rk_sweep_builder *b = NULL;
    struct rk_sweep_index *ix = NULL;
    (void)state;
    snprintf(path, sizeof path, "%s/pf.idx", tmpdir);
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    assert_int_equal(rk_sweep_builder_load(b, RK_SWEEP_FMT_PLAIN, feed, strlen(feed), NULL, NULL,
                                           0),
                     RK_OK);
    assert_int_equal(rk_sweep_builder_write(b, path, err, sizeof err), RK_OK);
    rk_sweep_builder_destroy(b);
    size_t n = read_file(path, &img);
    for (size_t i = 0; i < RK_ARRAY_LEN(cases); i++) {
        struct rk__sw_header h;
        memcpy(&h, img, sizeof h);
        uint8_t *f = (uint8_t *)&h + cases[i].field;
        if (cases[i].width == 4) {
            uint32_t v = (uint32_t)cases[i].value;
            memcpy(f, &v, 4);
        } else {
            uint64_t v;
            memcpy(&v, f, 8);
            v += cases[i].value; /* relative: moved off its place */
            memcpy(f, &v, 8);
        }
        h.header_checksum = 0;
        h.header_checksum = rk__sw_checksum(&h, sizeof h);
        char *copy = rk_malloc(n);
        memcpy(copy, img, n);
        memcpy(copy, &h, sizeof h);
        write_file(path, copy, n);
        rk_free(copy);
        err[0] = '\0';
        ix = NULL;
        if (rk_sweep_index_open(path, RK_SWEEP_OPEN_NO_VERIFY, &ix, err, sizeof err) !=
            RK_ECORRUPT)
            print_error("case %s: opened\n", cases[i].name);
        assert_null(ix);
        const char *want = cases[i].expect ? cases[i].expect : "layout is inconsistent";
        if (strstr(err, want) == NULL)
            print_error("case %s: %s\n", cases[i].name, err);
        assert_non_null(strstr(err, want));
    }
    /* The same file untouched opens, and its filter leads to the hits. */
    write_file(path, img, n);
    assert_int_equal(rk_sweep_index_open(path, RK_SWEEP_OPEN_NO_VERIFY, &ix, err, sizeof err),
                     RK_OK);
    swt_scan_expect_n(
        ix, "a.mal.co.jp http://bad.example/x?y=1\n", 37,
        "1:a.mal.co.jp>mal.co.jp(domain);1:http://bad.example/x?y=1>http://bad.example/"
        "x?y=1(url);");
    rk_sweep_index_close(ix);
    rk_free(img);
}

/* ===== Driver ===== */

struct run_out {
    struct rk_buf text;
    unsigned skips;
};

static int collect_run(const struct rk_sweep_hit *h, void *ud)
{
    struct run_out *o = ud;
    const char *base = strrchr(h->file, '/');
    assert_int_equal(rk_buf_addf(&o->text, "%s:%llu:%s;", base ? base + 1 : h->file,
                                 (unsigned long long)h->line, h->indicator),
                     RK_OK);
    return 0;
}

static void count_skip(const char *path, const char *why, void *ud)
{
    ((struct run_out *)ud)->skips++;
}

static void gz_file(const char *path, const char *data, size_t n)
{
    gzFile g = gzopen(path, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(g), Z_OK);
}

static void test_run_inputs(void **state)
{
    static const char log[] = "a 1.2.3.4\nb\nc http://c2.test/\n";
    char p[8][512];
    size_t cap = 4096;
    char *buf = rk_malloc(cap);
    struct rk_sweep_index *ix = swt_index_of(feed);
    const char *names[] = {"plain.log", "a.gz", "a.zst", "a.bz2", "a.xz", "cut.gz"};
    for (int i = 0; i < 6; i++)
        snprintf(p[i], sizeof p[i], "%s/in/%s", tmpdir, names[i]);
    snprintf(p[6], sizeof p[6], "%s/in", tmpdir);
    mkdir(p[6], 0700);
    write_file(p[0], log, sizeof log - 1);
    gz_file(p[1], log, sizeof log - 1);
    size_t z = ZSTD_compress(buf, cap, log, sizeof log - 1, 3);
    write_file(p[2], buf, z);
    unsigned bl = (unsigned)cap;
    assert_int_equal(BZ2_bzBuffToBuffCompress(buf, &bl, (char *)log, sizeof log - 1, 9, 0, 0),
                     BZ_OK);
    write_file(p[3], buf, bl);
    size_t xl = 0;
    assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (const uint8_t *)log,
                                             sizeof log - 1, (uint8_t *)buf, &xl, cap),
                     LZMA_OK);
    write_file(p[4], buf, xl);
    /* A gzip stream cut in the middle: a 1 MB line of hits then junk, then the cut. */
    {
        struct rk_buf big;
        rk_buf_init(&big, 0);
        for (int i = 0; i < 20000; i++)
            assert_int_equal(rk_buf_addf(&big, "line %d evil.example %08x\n", i, i * 2654435761u),
                             RK_OK);
        gz_file(p[5], big.data, big.len);
        char *gz;
        size_t gn = read_file(p[5], &gz);
        write_file(p[5], gz, gn / 2);
        rk_free(gz);
        rk_buf_free(&big);
    }
    char missing[600];
    snprintf(missing, sizeof missing, "%s/does-not-exist.log", tmpdir);
    const char *paths[] = {p[0], p[1], p[2], p[3], p[4], missing};
    struct run_out o;
    struct rk_sweep_stats st;
    struct rk_sweep_options opt = {2, 0, count_skip, NULL};
    rk_buf_init(&o.text, 0);
    o.skips = 0;
    assert_int_equal(rk_sweep_run(ix, paths, 6, &opt, collect_run, &o, &st), RK_OK);
    assert_string_equal(o.text.data, "plain.log:1:1.2.3.4;plain.log:3:c2.test;"
                                     "a.gz:1:1.2.3.4;a.gz:3:c2.test;"
                                     "a.zst:1:1.2.3.4;a.zst:3:c2.test;"
                                     "a.bz2:1:1.2.3.4;a.bz2:3:c2.test;"
                                     "a.xz:1:1.2.3.4;a.xz:3:c2.test;");
    assert_int_equal(st.files, 5);
    assert_int_equal(st.files_skipped, 1);
    assert_int_equal(st.files_damaged, 0);
    assert_int_equal(st.lines, 15);
    assert_int_equal(st.hits, 10);
    assert_int_equal(o.skips, 1);
    /* The sweep's own CPU time is measured (the benchmark divides the bytes by it). */
    assert_true(st.cpu_seconds > 0.0 && st.cpu_seconds < 60.0);
    assert_true(st.seconds > 0.0);

    /* The truncated gzip: the readable part is swept, the file is reported as damaged. */
    const char *cut[] = {p[5]};
    rk_buf_reset(&o.text);
    o.skips = 0;
    assert_int_equal(rk_sweep_run(ix, cut, 1, &opt, collect_run, &o, &st), RK_OK);
    assert_int_equal(st.files_damaged, 1);
    assert_int_equal(o.skips, 1);
    assert_true(st.hits > 100 && st.hits < 20000);

    /* A directory is walked (sorted); the damaged file is still reported. */
    const char *dir[] = {p[6]};
    rk_buf_reset(&o.text);
    assert_int_equal(rk_sweep_run(ix, dir, 1, &opt, collect_run, &o, &st), RK_OK);
    assert_int_equal(st.files, 6);
    assert_int_equal(st.files_damaged, 1);
    assert_true(strncmp(o.text.data, "a.bz2:1:1.2.3.4;a.bz2:3:c2.test;a.gz:1:", 39) == 0);
    rk_buf_free(&o.text);
    rk_free(buf);
    rk_sweep_index_close(ix);
}

/* Several chunks on two threads give the same hits, in the same order, as one thread. */
static void test_run_threads_keep_order(void **state)
{
    char path[512];
    struct rk_buf big, one, two;
    struct rk_sweep_index *ix = swt_index_of(feed);
    snprintf(path, sizeof path, "%s/big.log", tmpdir);
    rk_buf_init(&big, 0);
    for (unsigned i = 0; big.len < 3u * RK_MAX_SWEEP_CHUNK; i++) {
        if (i % 997 == 0)
            assert_int_equal(rk_buf_addf(&big, "%u hit 1.2.3.4\n", i), RK_OK);
        else
            assert_int_equal(rk_buf_addf(&big, "%u miss 192.0.2.%u www.example%u.com\n", i,
                                         i % 250, i),
                             RK_OK);
    }
    write_file(path, big.data, big.len);
    const char *paths[] = {path};
    struct run_out o;
    struct rk_sweep_stats st1, st2;
    struct rk_sweep_options o1 = {1, 0, NULL, NULL}, o2 = {2, 0, NULL, NULL};
    rk_buf_init(&o.text, 0);
    assert_int_equal(rk_sweep_run(ix, paths, 1, &o1, collect_run, &o, &st1), RK_OK);
    one = o.text;
    rk_buf_init(&o.text, 0);
    assert_int_equal(rk_sweep_run(ix, paths, 1, &o2, collect_run, &o, &st2), RK_OK);
    two = o.text;
    assert_string_equal(one.data, two.data);
    assert_int_equal(st1.lines, st2.lines);
    assert_int_equal(st1.bytes, big.len);
    assert_true(strncmp(one.data, "big.log:1:1.2.3.4;big.log:998:1.2.3.4;", 38) == 0);
    rk_buf_free(&one);
    rk_buf_free(&two);
    rk_buf_free(&big);
    rk_sweep_index_close(ix);
}

/* Each hit carries its whole line (without "\n" or "\r\n"), through rk_sweep_scan() and
 * through rk_sweep_run() over plain and compressed files. */
static int collect_lines(const struct rk_sweep_hit *h, void *ud)
{
    struct rk_buf *out = ud;
    assert_int_equal(rk_buf_addf(out, "%llu[%.*s];", (unsigned long long)h->line, (int)h->line_len,
                                 h->line_text),
                     RK_OK);
    return 0;
}

static void test_hit_line_text(void **state)
{
    static const struct {
        const char *log;
        const char *expect;
    } cases[] = {
        {"x 1.2.3.4 y\n", "1[x 1.2.3.4 y];"},
        {"first\r\nGET c2.test/a\r\nlast", "2[GET c2.test/a];"},
        {"1.2.3.4", "1[1.2.3.4];"},
        {"a\n\nb 1.2.3.4 c2.test\n", "3[b 1.2.3.4 c2.test];3[b 1.2.3.4 c2.test];"},
        /* Lines longer than the 16 bytes the line start is looked for at a time. */
        {"a first line that is long, 1.2.3.4\n", "1[a first line that is long, 1.2.3.4];"},
        {"0123456789abcdef0123456789abcde\nprefix longer than sixteen bytes, then 1.2.3.4 y\n",
         "2[prefix longer than sixteen bytes, then 1.2.3.4 y];"},
        {"0123456789abcdef0123456789abcdef0123456789abcdef\n0123456789abcde 1.2.3.4\n",
         "2[0123456789abcde 1.2.3.4];"},
    };
    struct rk_sweep_index *ix = swt_index_of(feed);
    struct rk_sweep_scanner *sc = NULL;
    struct rk_buf out;
    char path[512];
    assert_int_equal(rk_sweep_scanner_create(ix, &sc), RK_OK);
    rk_buf_init(&out, 0);
    snprintf(path, sizeof path, "%s/lines.gz", tmpdir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rk_buf_reset(&out);
        assert_int_equal(
            rk_sweep_scan(sc, cases[i].log, strlen(cases[i].log), collect_lines, &out, NULL),
            RK_OK);
        assert_string_equal(out.data, cases[i].expect);
        gz_file(path, cases[i].log, strlen(cases[i].log));
        const char *paths[] = {path};
        struct rk_sweep_options opt = {2, 0, NULL, NULL};
        struct rk_sweep_stats st;
        rk_buf_reset(&out);
        assert_int_equal(rk_sweep_run(ix, paths, 1, &opt, collect_lines, &out, &st), RK_OK);
        assert_string_equal(out.data, cases[i].expect);
    }
    rk_buf_free(&out);
    rk_sweep_scanner_destroy(sc);
    rk_sweep_index_close(ix);
}

/*
 * The IPv4 reader of the scan loop (sweep-ip4.h), which takes the dot positions from the block
 * masks, accepts exactly what rk__sw_parse_ip4() accepts, part by part and with SSSE3 (with 16
 * bytes readable after the run, and with the run at the very end of the readable bytes).
 */
struct ip4_case {
    const char *text;
    int ok;
    uint8_t a[4];
};

static const struct ip4_case ip4_cases[] = {
    {"1.2.3.4", 1, {1, 2, 3, 4}},
    {"0.0.0.0", 1, {0, 0, 0, 0}},
    {"255.255.255.255", 1, {255, 255, 255, 255}},
    {"10.200.30.4", 1, {10, 200, 30, 4}},
    {"199.99.9.250", 1, {199, 99, 9, 250}},
    {"01.2.3.4", 1, {1, 2, 3, 4}}, /* leading zeros: read as decimals, as today */
    {"001.002.003.004", 1, {1, 2, 3, 4}},
    {"1.2.3.09", 1, {1, 2, 3, 9}},
    {"256.1.2.3", 0, {0}}, /* a part above 255 */
    {"1.256.2.3", 0, {0}},
    {"1.2.256.3", 0, {0}},
    {"1.2.3.256", 0, {0}},
    {"1.2.3.999", 0, {0}},
    {"300.300.300.300", 0, {0}},
    {"1000.1.2.3", 0, {0}}, /* four digits */
    {"1.2.3.0004", 0, {0}},
    {"1.0255.2.3", 0, {0}},
    {"1..2.3", 0, {0}}, /* empty parts */
    {"1.2..3.4", 0, {0}},
    {"1.2.3..4", 0, {0}},
    {"12.34.56", 0, {0}},  /* too few dots */
    {"1.2.3.4.5", 0, {0}}, /* too many */
    {"1234567", 0, {0}},
    {"1.2.3.4444", 0, {0}},
};

static void check_ip4(const char *t, size_t n)
{
    char buf[32];
    uint64_t dots = 0;
    memset(buf, '7', sizeof buf);
    memcpy(buf, t, n);
    for (size_t k = 0; k < n; k++)
        dots |= (uint64_t)(t[k] == '.') << k;
    dots |= (uint64_t)1 << 40; /* bits above the run are ignored */
    uint8_t want[4] = {0}, got[4] = {0};
    int ok = rk__sw_parse_ip4(t, n, want);
    assert_int_equal(rk__sw_ip4_scalar(buf, n, dots, got), ok);
    if (ok)
        assert_memory_equal(got, want, 4);
#if defined(RK__SW_IP4_SSSE3)
    if (__builtin_cpu_supports("ssse3")) {
        /* The early /16 of a valid address is exact (of an invalid one: anything). */
        if (ok)
            assert_int_equal(rk__sw_ip4_n16_ssse3(buf, dots), (uint32_t)want[0] << 8 | want[1]);
        memset(got, 0, 4);
        assert_int_equal(rk__sw_ip4_ssse3(buf, n, dots, buf + sizeof buf, got), ok);
        if (ok)
            assert_memory_equal(got, want, 4);
        /* At the end of what may be read: the short tail is copied, not read past. */
        char *end = rk_malloc(n);
        assert_non_null(end);
        memcpy(end, t, n);
        memset(got, 0, 4);
        assert_int_equal(rk__sw_ip4_ssse3(end, n, dots, end + n, got), ok);
        if (ok)
            assert_memory_equal(got, want, 4);
        rk_free(end);
    }
#endif
}

/*
 * A hash token whose every byte, one at a time, is replaced by every byte value: it is the
 * indicator's hash exactly when the new byte is a hex digit of the same value (the other case
 * of a letter). The decoder (hex_digest()) tests digits and letters as unsigned ranges of the
 * byte minus '0' and of the byte with bit 5 set minus 'a'; a range one too wide or too narrow
 * (':' '@' '`' 'G' 'g' next to them) or a value taken from the wrong one fails this.
 */
static void test_hash_bytes(void **state)
{
    static const char *const hashes[] = {
        "d41d8cd98f00b204e9800998ecf8427e",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    };
    static const char *const kinds[] = {"md5", "sha1", "sha256"};
    struct rk_sweep_index *ix = swt_index_of(feed);
    for (size_t h = 0; h < RK_ARRAY_LEN(hashes); h++) {
        size_t hn = strlen(hashes[h]);
        for (size_t i = 0; i < hn; i++) {
            for (unsigned c = 1; c < 256; c++) {
                char text[80];
                memcpy(text, "x ", 2);
                memcpy(text + 2, hashes[h], hn);
                text[2 + i] = (char)c;
                memcpy(text + 2 + hn, " y\n", 3);
                char o = hashes[h][i];
                int same = (unsigned)o == c || (o >= 'a' && o <= 'f' && c == (unsigned)o - 32);
                char expect[200] = "";
                if (same)
                    snprintf(expect, sizeof expect, "1:%s>%s(%s);", hashes[h], hashes[h], kinds[h]);
                swt_scan_expect_n(ix, text, hn + 5, expect);
            }
        }
    }
    rk_sweep_index_close(ix);
}

/*
 * Both hex decoders against the definition: a 64-digit run of each digit and letter case
 * at every position (so every digit in both halves of a byte, in each 16- and 32-digit step),
 * then every byte value at every position of runs of 32, 40 and 64 digits. A decoder that
 * takes a byte next to a range (':' '@' '`' 'G' 'g', 0x10-0x19) for a digit fails here even
 * where the digest it makes can match no indicator (test_hash_bytes sees only matches).
 */
static void test_hex_digest_paths(void **state)
{
    (void)state;
    static const char digits[] = "0123456789abcdefABCDEF";
    static const size_t lens[] = {32, 40, 64};
    char t[64];
    for (int avx2 = 0; avx2 <= 1; avx2++) {
        uint8_t d[32];
        if (rk__sw_hex_digest("00000000000000000000000000000000", 32, d, avx2) < 0)
            continue; /* no AVX2 here */
        for (size_t li = 0; li < RK_ARRAY_LEN(lens); li++) {
            size_t n = lens[li];
            for (size_t i = 0; i < n; i++) {
                for (unsigned c = 0; c < 256; c++) {
                    for (size_t k = 0; k < n; k++)
                        t[k] = digits[(k * 7 + li) % 22];
                    t[i] = (char)c;
                    uint8_t want[32] = {0}, got[32] = {0};
                    int ok = 1;
                    for (size_t k = 0; k < n; k++) {
                        int v = rk__sw_hexval((unsigned char)t[k]);
                        if (v < 0)
                            ok = 0;
                        else
                            want[k / 2] |= (uint8_t)(k % 2 == 0 ? v << 4 : v);
                    }
                    assert_int_equal(rk__sw_hex_digest(t, n, got, avx2), ok);
                    if (ok)
                        assert_memory_equal(got, want, n / 2);
                }
            }
        }
    }
}

/* The text forms of v (0..255) with 1..3 digits (leading zeros: "7", "07", "007"); returns how
 * many (at most 3) written into f[][4]. */
static unsigned ip4_part_forms(unsigned v, char f[3][4])
{
    unsigned k = 0;
    for (unsigned len = 1; len <= 3; len++) {
        if (len < 3 && v >= (len == 1 ? 10u : 100u))
            continue;
        snprintf(f[k++], 4, "%0*u", (int)len, v);
    }
    return k;
}

/*
 * rk__sw_ip4_n16_ssse3(), the early /16 of an address from its first two parts, against the
 * parts themselves: every value 0..255 of part 0 and part 1 in every form of one to three
 * digits (366 forms each, so 133,956 pairs), followed by last parts of one, two and three
 * digits. A wrong length, shuffle, weight or combination gives another /16 for some of them.
 */
static void test_ip4_n16_every_pair(void **state)
{
    (void)state;
#if defined(RK__SW_IP4_SSSE3)
    if (!__builtin_cpu_supports("ssse3"))
        skip();
    static const char *tails[] = {".0.0", ".255.99", ".1.255", ".007.08"};
    for (unsigned a = 0; a < 256; a++) {
        char fa[3][4];
        unsigned na = ip4_part_forms(a, fa);
        for (unsigned b = 0; b < 256; b++) {
            char fb[3][4];
            unsigned nb = ip4_part_forms(b, fb);
            for (unsigned i = 0; i < na; i++) {
                for (unsigned j = 0; j < nb; j++) {
                    const char *tail = tails[(a + b + i + j) % RK_ARRAY_LEN(tails)];
                    char t[32];
                    memset(t, '7', sizeof t);
                    int n = snprintf(t, sizeof t, "%s.%s%s", fa[i], fb[j], tail);
                    t[n] = ' ';
                    uint64_t dots = 0;
                    for (int k = 0; k < n; k++)
                        dots |= (uint64_t)(t[k] == '.') << k;
                    uint32_t got = rk__sw_ip4_n16_ssse3(t, dots);
                    if (got != (a << 8 | b))
                        fail_msg("%.*s: /16 %u.%u, wants %u.%u", n, t, got >> 8, got & 255, a, b);
                }
            }
        }
    }
#endif
}

/*
 * The scanner's early /16 test (ip4_shaped()) through the whole scan: an index with an address
 * indicator in each of 14 /16 networks at the edges of the part values (0, 9/10, 99/100, 255,
 * side by side), its /16 summary then cleared but for one of them at a time, and a text with
 * every form of every one of those addresses (leading zeros, one to three digits) and the
 * forms that are no address (a 256 part, a four-digit part): exactly the forms of the one
 * address whose /16 bit is set hit, on every block path and with the IPv4 test deferred. A
 * wrong early /16 drops an address whose bit is set.
 */
static void test_ip4_n16_scan(void **state)
{
    (void)state;
    static const unsigned nets[][2] = {{0, 0},     {0, 1},     {1, 0},     {9, 255},  {10, 0},
                                       {10, 254},  {10, 255},  {11, 0},    {99, 100}, {100, 99},
                                       {199, 200}, {254, 255}, {255, 254}, {255, 255}};
    static const char *envs[][2] = {
        {NULL, NULL},
        {"RK_SWEEP_NO_AVX512", NULL},
        {"RK_SWEEP_NO_AVX512", "RK_SWEEP_NO_AVX2"},
        {"RK_SWEEP_DEFER_IP4", NULL},
    };
    struct rk_buf f, text;
    rk_buf_init(&f, 0);
    rk_buf_init(&text, 0);
    for (size_t i = 0; i < RK_ARRAY_LEN(nets); i++)
        assert_int_equal(rk_buf_addf(&f, "%u.%u.1.2\n", nets[i][0], nets[i][1]), RK_OK);
    /* Each form on its own line; line numbers of the forms of net i in lines[i][]. */
    unsigned lines[RK_ARRAY_LEN(nets)][9], nlines[RK_ARRAY_LEN(nets)], line = 1;
    for (size_t i = 0; i < RK_ARRAY_LEN(nets); i++) {
        char fa[3][4], fb[3][4];
        unsigned na = ip4_part_forms(nets[i][0], fa), nb = ip4_part_forms(nets[i][1], fb);
        nlines[i] = 0;
        for (unsigned x = 0; x < na; x++) {
            for (unsigned y = 0; y < nb; y++) {
                assert_int_equal(rk_buf_addf(&text, "x %s.%s.1.2 y\n", fa[x], fb[y]), RK_OK);
                lines[i][nlines[i]++] = line++;
            }
        }
        /* No addresses: a part above 255 (a - 1 and b + 256 make a's and b's 16 bits, where a
         * > 0) and parts of four digits. */
        assert_int_equal(rk_buf_addf(&text, "x %u.%u.1.2 %u.%04u.1.2 %04u.%u.1.2 y\n",
                                     nets[i][0] - 1u + (nets[i][0] == 0 ? 2u : 0u),
                                     nets[i][1] + 256, nets[i][0], nets[i][1], nets[i][0],
                                     nets[i][1]),
                         RK_OK);
        line++;
    }
    struct rk_sweep_index *ix = swt_index_of_n(f.data, f.len);
    for (size_t on = 0; on < RK_ARRAY_LEN(nets); on++) {
        uint32_t n16 = nets[on][0] << 8 | nets[on][1];
        memset(ix->ip4f16, 0, sizeof ix->ip4f16);
        ix->ip4f16[n16 / 64] = (uint64_t)1 << (n16 % 64);
        struct rk_buf expect;
        rk_buf_init(&expect, 0);
        assert_int_equal(rk_buf_addf(&expect, "%s", ""), RK_OK);
        for (unsigned k = 0; k < nlines[on]; k++)
            assert_int_equal(rk_buf_addf(&expect, "%u:%u.%u.1.2>%u.%u.1.2(ipv4);", lines[on][k],
                                         nets[on][0], nets[on][1], nets[on][0], nets[on][1]),
                             RK_OK);
        for (size_t e = 0; e < RK_ARRAY_LEN(envs); e++) {
            for (int k = 0; k < 2; k++)
                if (envs[e][k] != NULL)
                    setenv(envs[e][k], "1", 1);
            swt_scan_expect_n(ix, text.data, text.len, expect.data);
            for (int k = 0; k < 2; k++)
                if (envs[e][k] != NULL)
                    unsetenv(envs[e][k]);
        }
        rk_buf_free(&expect);
    }
    rk_sweep_index_close(ix);
    rk_buf_free(&f);
    rk_buf_free(&text);
}

static void test_ip4_from_dots(void **state)
{
    (void)state;
    for (size_t c = 0; c < RK_ARRAY_LEN(ip4_cases); c++) {
        const struct ip4_case *ic = &ip4_cases[c];
        size_t n = strlen(ic->text);
        uint8_t a[4];
        assert_int_equal(rk__sw_parse_ip4(ic->text, n, a), ic->ok);
        if (ic->ok)
            assert_memory_equal(a, ic->a, 4);
        check_ip4(ic->text, n);
    }
    /* Every combination of part lengths 0..4 (7..15 bytes in all), each filled with several
     * digit patterns: the largest and smallest values, 255/256 at every part, and a
     * deterministic spread of digits. */
    static const char *fill[] = {"000000000000", "999999999999", "255255255255", "256256256256",
                                 "025502550255", "314159265358", "100200199250", "011101001010"};
    for (unsigned shape = 0; shape < 625; shape++) {
        unsigned len[4] = {shape % 5, shape / 5 % 5, shape / 25 % 5, shape / 125};
        size_t n = len[0] + len[1] + len[2] + len[3] + 3;
        if (n < 7 || n > 15)
            continue;
        for (size_t f = 0; f < RK_ARRAY_LEN(fill); f++) {
            char t[16];
            size_t k = 0, d = 0;
            for (int part = 0; part < 4; part++) {
                for (unsigned j = 0; j < len[part]; j++)
                    t[k++] = fill[f][(d++ + (unsigned)part) % 12];
                if (part < 3)
                    t[k++] = '.';
            }
            check_ip4(t, n);
        }
    }
}

/*
 * The scan loop's blocks (docs/sweep.md, "The scan loop"): a block begins where the last run
 * of the block before begins when that run reaches the block's end, so that a run shorter than
 * 64 bytes never crosses a block boundary; a block of token bytes only is followed by the next
 * 64 bytes, the run's start kept. Lines with a filler run of every length 0..149 (no '.', ':'
 * or '@': no event of its own; from 64 bytes on it fills whole blocks) put each token at every
 * offset of a block, as a run of its own, glued to the filler by a '+' (one run, classified
 * byte by byte from 64 bytes on, its '+' found before the block that holds the first '.'), or
 * as a host's first label; empty lines between. Every hit is on its line and the line count is
 * right: over the whole text, and through rk_sweep_run() over the text repeated past two
 * chunks.
 */
/* The decimal number at p (digits only; the test wrote it). */
static unsigned long lead_num(const char *p)
{
    unsigned long v = 0;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (unsigned long)(*p++ - '0');
    return v;
}

static void filler(struct rk_buf *b, unsigned n, unsigned seed)
{
    static const char letters[] = "ghijklmnopqrstuvwxyz"; /* no hex digit: no hash */
    for (unsigned k = 0; k < n; k++)
        assert_int_equal(rk_buf_add(b, &letters[(k * 7 + seed) % 20], 1), RK_OK);
}

static void block_grid_text(struct rk_buf *text, struct rk_buf *expect, unsigned *lines)
{
    unsigned line = 1;
    for (unsigned f = 0; f < 150; f++) {
        for (unsigned v = 0; v < 6; v++) {
            filler(text, f, f + v);
            switch (v) {
            case 0:
                assert_int_equal(rk_buf_addf(text, " 1.2.3.4"), RK_OK);
                assert_int_equal(rk_buf_addf(expect, "%u:1.2.3.4>1.2.3.4(ipv4);", line), RK_OK);
                break;
            case 4:
            case 5:
                /* IPv6 addresses without a letter: seven colons, and "::" (a run of digits and
                 * colons is an event only with "::" or three colons). */
                assert_int_equal(rk_buf_addf(text, v == 4 ? " 2001:0:0:0:0:0:0:7" : " 2001::7"),
                                 RK_OK);
                assert_int_equal(rk_buf_addf(expect, "%u:2001::7>2001::7(ipv6);", line), RK_OK);
                break;
            case 1:
                assert_int_equal(rk_buf_addf(text, "+evil.example"), RK_OK);
                assert_int_equal(rk_buf_addf(expect, "%u:evil.example>evil.example(domain);", line),
                                 RK_OK);
                break;
            case 2: {
                /* "<filler>+<label>.evil.example": the host after the '+'. */
                unsigned ln = 1 + f % 60;
                size_t at;
                assert_int_equal(rk_buf_add(text, "+", 1), RK_OK);
                at = text->len;
                filler(text, ln, f);
                assert_int_equal(rk_buf_addf(text, ".evil.example"), RK_OK);
                assert_int_equal(rk_buf_addf(expect, "%u:%.*s>evil.example(domain);", line,
                                             (int)(text->len - at), text->data + at),
                                 RK_OK);
                break;
            }
            default:
                /* "<label>.evil.example" with a first label of up to 63 bytes; an e-mail
                 * address with a 64-byte local part (its run starts in a block of token
                 * bytes only: where, only the loop's memory of that block says). */
                if (f == 64) {
                    struct rk_buf local;
                    rk_buf_init(&local, 0);
                    filler(&local, 64, 3);
                    assert_int_equal(rk_buf_addf(text, " %.*s@evil.example", 64, local.data),
                                     RK_OK);
                    assert_int_equal(rk_buf_addf(expect,
                                                 "%u:%.*s@evil.example>%.*s@evil.example(email);"
                                                 "%u:evil.example>evil.example(domain);",
                                                 line, 64, local.data, 64, local.data, line),
                                     RK_OK);
                    rk_buf_free(&local);
                } else if (f == 0 || f > 63) {
                    assert_int_equal(rk_buf_addf(text, " Bad@Evil.Example"), RK_OK);
                    assert_int_equal(rk_buf_addf(expect,
                                                 "%u:bad@evil.example>bad@evil.example(email);"
                                                 "%u:evil.example>evil.example(domain);",
                                                 line, line),
                                     RK_OK);
                } else {
                    size_t at = text->len - f;
                    assert_int_equal(rk_buf_addf(text, ".evil.example"), RK_OK);
                    assert_int_equal(rk_buf_addf(expect, "%u:%.*s>evil.example(domain);", line,
                                                 (int)(text->len - at), text->data + at),
                                     RK_OK);
                }
                break;
            }
            assert_int_equal(rk_buf_add(text, " ", 1), RK_OK);
            filler(text, (f * 13 + v) % 41, v);
            unsigned nl = (f + v) % 7 == 0 ? 2 : 1; /* an empty line now and then */
            assert_int_equal(rk_buf_add(text, "\n\n", nl), RK_OK);
            line += nl;
        }
    }
    *lines = line - 1;
}

static void check_block_grid(const char *fd)
{
    struct rk_sweep_index *ix = swt_index_of(fd);
    struct rk_buf text, expect, got;
    unsigned lines;
    uint64_t counted = 0;
    rk_buf_init(&text, 0);
    rk_buf_init(&expect, 0);
    rk_buf_init(&got, 0);
    block_grid_text(&text, &expect, &lines);
    struct rk_sweep_scanner *s = NULL;
    assert_int_equal(rk_sweep_scanner_create(ix, &s), RK_OK);
    assert_int_equal(rk_sweep_scan(s, text.data, text.len, swt_collect, &got, &counted), RK_OK);
    rk_sweep_scanner_destroy(s);
    if (strcmp(got.data, expect.data) != 0) {
        size_t k = 0;
        while (got.data[k] == expect.data[k])
            k++;
        print_error("first difference at %zu:\nexpected: %.120s\ngot:      %.120s\n", k,
                    expect.data + k, got.data + k);
    }
    assert_string_equal(got.data, expect.data);
    assert_int_equal(counted, lines);

    /* The same text again and again past two chunks of rk_sweep_run(): the lines go on. */
    char path[512];
    snprintf(path, sizeof path, "%s/grid.log", tmpdir);
    struct rk_buf big;
    rk_buf_init(&big, 0);
    unsigned reps = 0;
    while (big.len < 2u * RK_MAX_SWEEP_CHUNK + 12345u) {
        assert_int_equal(rk_buf_add(&big, text.data, text.len), RK_OK);
        reps++;
    }
    /* And a run longer than RK_MAX_SWEEP_TOKEN whose only '.' comes after 70 digits: counted
     * as a long token (a block that holds the '.' and only digits before it goes on with a
     * run from the blocks before). */
    filler(&big, RK_MAX_SWEEP_TOKEN + 100, 1);
    for (unsigned k = 0; k < 70; k++)
        assert_int_equal(rk_buf_add(&big, "1", 1), RK_OK);
    assert_int_equal(rk_buf_addf(&big, ".5\n"), RK_OK);
    write_file(path, big.data, big.len);
    const char *paths[] = {path};
    struct run_out o;
    struct rk_sweep_stats st;
    struct rk_sweep_options opt = {2, 0, NULL, NULL};
    rk_buf_init(&o.text, 0);
    assert_int_equal(rk_sweep_run(ix, paths, 1, &opt, collect_run, &o, &st), RK_OK);
    assert_int_equal(st.lines, (uint64_t)lines * reps + 1);
    assert_int_equal(st.long_tokens, 1);
    /* The last repetition's hits, from the end of the output: "grid.log:LINE:indicator;". */
    size_t nhits = 0;
    for (const char *e = expect.data; (e = strchr(e, ';')) != NULL; e++)
        nhits++;
    size_t nout = 0;
    for (const char *e = o.text.data; (e = strchr(e, ';')) != NULL; e++)
        nout++;
    assert_int_equal(nout, nhits * reps);
    const char *e = expect.data, *g = o.text.data;
    for (size_t h = 0; h < nhits * (reps - 1); h++)
        g = strchr(g, ';') + 1;
    for (size_t h = 0; h < nhits; h++) {
        /* expect: "LINE:token>indicator(type);", got: "grid.log:LINE':indicator;" */
        unsigned long le = lead_num(e);
        assert_true(strncmp(g, "grid.log:", 9) == 0);
        unsigned long lg = lead_num(g + 9);
        assert_int_equal(lg, le + (unsigned long)lines * (reps - 1));
        e = strchr(e, ';') + 1;
        g = strchr(g, ';') + 1;
    }
    unlink(path);
    rk_buf_free(&big);
    rk_buf_free(&o.text);
    rk_buf_free(&got);
    rk_buf_free(&expect);
    rk_buf_free(&text);
    rk_sweep_index_close(ix);
}

/* With hashes in the index every 32 token bytes are an event (a block of token bytes only is
 * always looked at); without, such a block is passed over and the run's start is all the loop
 * keeps of it. */
static void grid_both_feeds(void)
{
    struct rk_buf with, without;
    rk_buf_init(&with, 0);
    rk_buf_init(&without, 0);
    assert_int_equal(rk_buf_addf(&with, "%s", feed), RK_OK);
    assert_int_equal(rk_buf_addf(&with, "2001::7\n"), RK_OK);
    assert_int_equal(rk_buf_addf(&without, "1.2.3.4\nevil.example\nbad@evil.example\n2001::7\n"),
                     RK_OK);
    filler(&with, 64, 3);
    filler(&without, 64, 3);
    assert_int_equal(rk_buf_addf(&with, "@evil.example\n"), RK_OK);
    assert_int_equal(rk_buf_addf(&without, "@evil.example\n"), RK_OK);
    check_block_grid(with.data);
    check_block_grid(without.data);
    rk_buf_free(&with);
    rk_buf_free(&without);
}

static void test_block_grid(void **state)
{
    grid_both_feeds();
    setenv("RK_SWEEP_NO_AVX512", "1", 1);
    grid_both_feeds();
    setenv("RK_SWEEP_NO_AVX2", "1", 1);
    grid_both_feeds();
    unsetenv("RK_SWEEP_NO_AVX2");
    unsetenv("RK_SWEEP_NO_AVX512");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_forms),
        cmocka_unit_test(test_canon_host),
        cmocka_unit_test(test_canon_host_lengths),
        cmocka_unit_test(test_extract_and_match),
        cmocka_unit_test(test_extract_sse2),
        cmocka_unit_test(test_extract_avx2),
        cmocka_unit_test(test_shapes_at_every_offset),
        cmocka_unit_test(test_shapes_avx2),
        cmocka_unit_test(test_shapes_sse2),
        cmocka_unit_test(test_block_masks_every_byte),
        cmocka_unit_test(test_block_path_matches_cpu),
        cmocka_unit_test(test_ip4_from_dots),
        cmocka_unit_test(test_ip4_n16_every_pair),
        cmocka_unit_test(test_ip4_n16_scan),
        cmocka_unit_test(test_extract_deferred_ip4),
        cmocka_unit_test(test_extract_deferred_pf),
        cmocka_unit_test(test_deferred_queue),
        cmocka_unit_test(test_ip4f16_every_k),
        cmocka_unit_test(test_pf_test_split),
        cmocka_unit_test(test_deferred_order),
        cmocka_unit_test(test_url_host),
        cmocka_unit_test(test_prefilter),
        cmocka_unit_test(test_prefilter_fill_paths),
        cmocka_unit_test(test_prefilter_fill_parts),
        cmocka_unit_test(test_bad_bytes),
        cmocka_unit_test(test_loaders),
        cmocka_unit_test(test_plain_line_ends),
        cmocka_unit_test(test_index_file),
        cmocka_unit_test(test_prefilter_layout),
        cmocka_unit_test(test_run_inputs),
        cmocka_unit_test(test_run_threads_keep_order),
        cmocka_unit_test(test_hit_line_text),
        cmocka_unit_test(test_url_end_bytes),
        cmocka_unit_test(test_last_label_cache),
        cmocka_unit_test(test_shapes_at_input_end),
        cmocka_unit_test(test_host_run_cache),
        cmocka_unit_test(test_pf_short_keys),
        cmocka_unit_test(test_block_grid),
        cmocka_unit_test(test_pf_suffix_rule),
        cmocka_unit_test(test_pf_suffix_keys),
        cmocka_unit_test(test_hash_bytes),
        cmocka_unit_test(test_hex_digest_paths),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
