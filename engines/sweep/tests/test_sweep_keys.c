/*
 * Unit tests of the hash and e-mail keys of the key prefilter (docs/sweep.md, "The index",
 * item 5): the filter holds every hash and e-mail indicator (absent keys pass at most 1 %),
 * the raw bytes of an address hash as its canonical key, and the scanner reports the same hits
 * in the same order with the filter, with a filter of all ones and as an index written without
 * those keys (the path of today's indexes), on the direct and the deferred path and through
 * every block classifier — with the planted hits all there.
 */
#include "rk-test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/sweep.h"
#include "sweep-int.h"
#include "sweep-test-util.h"

/* ===== Helpers ===== */

/* The key prefilter's lines set to all ones: every token passes it. */
static void filter_all_ones(struct rk_sweep_index *ix)
{
    memset((void *)(uintptr_t)ix->pf, 0xff, (size_t)(64 * ix->pf_lines));
}

/* The index as one written before the hash and e-mail keys (their flags clear). */
static void filter_without_new_keys(struct rk_sweep_index *ix)
{
    struct rk__sw_header *h = (struct rk__sw_header *)(uintptr_t)ix->h;
    h->pf_flags &= ~(uint32_t)(RK__SW_PF_HASH | RK__SW_PF_EMAIL);
}

/* The digest of the hex text p[0, 2 * n) into d. */
static void unhex(const char *p, size_t n, uint8_t *d)
{
    for (size_t i = 0; i < n; i++)
        d[i] = (uint8_t)(rk__sw_hexval((unsigned char)p[2 * i]) << 4 |
                         rk__sw_hexval((unsigned char)p[2 * i + 1]));
}

/* n random hex digits (upper case when `upper`) into out, NUL-ended. */
static void rand_hex(uint64_t *x, size_t n, int upper, char *out)
{
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (size_t i = 0; i < n; i++)
        out[i] = dig[(swt_next_rand(x) >> 20) & 15];
    out[n] = '\0';
}

static const struct {
    unsigned type;
    size_t digits;
} hash_kinds[] = {{RK_SWEEP_MD5, 32}, {RK_SWEEP_SHA1, 40}, {RK_SWEEP_SHA256, 64}};

/* ===== The filter holds the new keys ===== */

/*
 * 20,000 indicators of each hash type and 20,000 e-mail addresses (mixed case in the feed):
 * the flags and the size, every key passes — an address also as written with other ASCII case,
 * as the scanner hashes it — and absent keys of the same shapes pass at most 1 %; the section
 * equals what the walk over the records makes (rk__sw_pf_fill()).
 */
static void test_filter_holds_keys(void **state)
{
    enum { N = 20000 };
    (void)state;
    struct rk_buf f;
    rk_buf_init(&f, 0);
    uint64_t x = 0x1234567887654321ull;
    for (unsigned i = 0; i < N; i++) {
        for (size_t k = 0; k < RK_ARRAY_LEN(hash_kinds); k++) {
            char hx[65];
            rand_hex(&x, hash_kinds[k].digits, (int)(i & 1), hx);
            assert_int_equal(rk_buf_addf(&f, "%s\n", hx), RK_OK);
        }
        assert_int_equal(rk_buf_addf(&f, "User%u.x@Mail%u.Example\n", i, i % 97), RK_OK);
    }
    struct rk_sweep_index *ix = swt_index_of_n(f.data, f.len);
    const struct rk__sw_header *h = ix->h;
    assert_int_equal(h->pf_flags, RK__SW_PF_HASH | RK__SW_PF_EMAIL);
    assert_int_equal(h->pf_lines, (4 * N * RK__SW_PF_BITS_PER_KEY + 511) / 512);
    {
        uint64_t size = rk__sw_pf_size(h->pf_lines, h->pf_cidr4_bits);
        uint64_t *want = rk_calloc(1, (size_t)size);
        assert_non_null(want);
        rk__sw_pf_fill(want, h->pf_lines, h->pf_flags, h->pf_cidr4_bits, h->type_count, ix->rec,
                       (size_t)ix->rec_len);
        assert_int_equal(memcmp(want, ix->base + h->pf_off, (size_t)size), 0);
        rk_free(want);
    }
    /* The same generator again: the present keys, then absent ones. */
    x = 0x1234567887654321ull;
    uint64_t y = 0x0badc0ffee0ddf00ull;
    unsigned fp = 0;
    for (unsigned i = 0; i < N; i++) {
        for (size_t k = 0; k < RK_ARRAY_LEN(hash_kinds); k++) {
            char hx[65];
            uint8_t d[32];
            size_t dn = hash_kinds[k].digits / 2;
            rand_hex(&x, hash_kinds[k].digits, (int)(i & 1), hx);
            unhex(hx, dn, d);
            uint64_t k1 = rk__sw_pf_hash_digest(hash_kinds[k].type, d);
            assert_true(rk__sw_pf_test(rk__sw_pf_line(ix, k1), k1));
            rand_hex(&y, hash_kinds[k].digits, 0, hx);
            unhex(hx, dn, d);
            k1 = rk__sw_pf_hash_digest(hash_kinds[k].type, d);
            fp += (unsigned)rk__sw_pf_test(rk__sw_pf_line(ix, k1), k1);
        }
        char e[96];
        int n = snprintf(e, sizeof e, "USER%u.X@mail%u.EXAMPLE", i, i % 97);
        uint64_t k1 = rk__sw_pf_hash(RK__SW_PF_KEY_EMAIL, e, (size_t)n);
        assert_true(rk__sw_pf_test(rk__sw_pf_line(ix, k1), k1));
        n = snprintf(e, sizeof e, "user%u.y@mail%u.example", i, i % 97);
        k1 = rk__sw_pf_hash(RK__SW_PF_KEY_EMAIL, e, (size_t)n);
        fp += (unsigned)rk__sw_pf_test(rk__sw_pf_line(ix, k1), k1);
    }
    if (getenv("RK_TEST_SWEEP_FP") != NULL)
        print_message("false positives: %u of %u\n", fp, 4 * N);
    assert_true(fp <= 4 * N / 100);
    rk_sweep_index_close(ix);
    rk_buf_free(&f);
}

/* A digest's key is its type's: an MD5 indicator's bytes as the start of a SHA-256 token do not
 * stand for it, and an index without hashes or e-mail indicators has neither flag. */
static void test_flags_and_types(void **state)
{
    (void)state;
    static const char feed[] = "evil.example\n1.2.3.4\n";
    struct rk_sweep_index *ix = swt_index_of_n(feed, sizeof feed - 1);
    assert_int_equal(ix->h->pf_flags & (RK__SW_PF_HASH | RK__SW_PF_EMAIL), 0);
    rk_sweep_index_close(ix);
    uint8_t d[32];
    memset(d, 0x5a, sizeof d);
    assert_true(rk__sw_pf_hash_digest(RK_SWEEP_MD5, d) !=
                rk__sw_pf_hash_digest(RK_SWEEP_SHA256, d));
    uint64_t h = 0;
    assert_true(rk__sw_pf_key_hash(RK_SWEEP_SHA1, (const char *)d, 20, &h));
    assert_true(h == rk__sw_pf_hash_digest(RK_SWEEP_SHA1, d));
    assert_false(rk__sw_pf_key_hash(RK_SWEEP_IPV6, (const char *)d, 16, &h));
    assert_false(rk__sw_pf_key_hash(RK_SWEEP_CIDR4, (const char *)d, 4, &h));
}

/* ===== The scanner gives the same hits ===== */

static const char small_feed[] =
    "1.2.3.4\n"
    "evil.example\n"
    "bad@evil.example\n"
    "Phish+x@Mail.Test\n"
    "a_b@x-y.example.jp\n"
    "d41d8cd98f00b204e9800998ecf8427e\n"
    "da39a3ee5e6b4b0d3255bfef95601890afd80709\n"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n";

/* Tokens on the raw path and on the canonicalising one, each with its exact hits. */
static const struct {
    const char *text, *expect;
} small_cases[] = {
    {"from=<Bad@Evil.Example>\n",
     "1:bad@evil.example>bad@evil.example(email);1:evil.example>evil.example(domain);"},
    /* A trailing dot: canonicalised first (the raw bytes are not the key's). */
    {"to BAD@EVIL.EXAMPLE. ok\n",
     "1:bad@evil.example>bad@evil.example(email);1:evil.example>evil.example(domain);"},
    {"x phish+X@mail.test y\n", "1:phish+x@mail.test>phish+x@mail.test(email);"},
    {"user:A_B@X-Y.Example.JP\n", "1:a_b@x-y.example.jp>a_b@x-y.example.jp(email);"},
    /* Not addresses: a last label of digits (then its pieces: an IPv4 hit), a '+' in the
     * domain, a local part of 65 bytes. */
    {"bad@1.2.3.4\n", "1:1.2.3.4>1.2.3.4(ipv4);"},
    {"bad@evil+x.example\n", ""},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@evil.example\n",
     "1:evil.example>evil.example(domain);"},
    /* The domain of an address that is no indicator is still a host. */
    {"nobody@www.evil.example\n", "1:www.evil.example>evil.example(domain);"},
    {"MD5=D41D8CD98F00B204E9800998ECF8427E,SHA1=da39a3ee5e6b4b0d3255bfef95601890afd80709\n",
     "1:d41d8cd98f00b204e9800998ecf8427e>d41d8cd98f00b204e9800998ecf8427e(md5);"
     "1:da39a3ee5e6b4b0d3255bfef95601890afd80709>da39a3ee5e6b4b0d3255bfef95601890afd80709(sha1);"},
    {"h=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 "
     "d41d8cd98f00b204e9800998ecf8427f\n",
     "1:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855>"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855(sha256);"},
};

/* The three index variants: as built, its filter all ones, without the new keys' flags. */
static void small_cases_run(void)
{
    for (int v = 0; v < 3; v++) {
        struct rk_sweep_index *ix = swt_index_of_n(small_feed, sizeof small_feed - 1);
        if (v == 1)
            filter_all_ones(ix);
        if (v == 2)
            filter_without_new_keys(ix);
        for (size_t i = 0; i < RK_ARRAY_LEN(small_cases); i++)
            swt_scan_expect(ix, small_cases[i].text, small_cases[i].expect);
        rk_sweep_index_close(ix);
    }
}

static void test_small_cases(void **state)
{
    (void)state;
    small_cases_run();
    setenv("RK_SWEEP_DEFER_PF", "1", 1);
    small_cases_run();
    unsetenv("RK_SWEEP_DEFER_PF");
}

/*
 * A log of 4,000 lines of hashes (present and absent, upper and lower case), addresses in every
 * form (raw, mixed case, a trailing dot, a '+' in the domain, after "key:", absent) and hosts,
 * against 3,000 indicators of each new kind: the same hits with the filter, with a filter of
 * all ones and without the new flags, on the direct and the deferred path and through the
 * AVX-512, AVX2 and SSE2 classifiers; and every planted hash and address found.
 */
static void test_same_hits(void **state)
{
    enum { N = 3000, LINES = 4000 };
    (void)state;
    struct rk_buf f, text;
    rk_buf_init(&f, 0);
    rk_buf_init(&text, 0);
    char(*hex)[3][65] = rk_calloc(N, sizeof *hex);
    assert_non_null(hex);
    uint64_t x = 42;
    for (unsigned i = 0; i < N; i++) {
        for (size_t k = 0; k < 3; k++) {
            rand_hex(&x, hash_kinds[k].digits, 0, hex[i][k]);
            assert_int_equal(rk_buf_addf(&f, "%s\n", hex[i][k]), RK_OK);
        }
        assert_int_equal(rk_buf_addf(&f, "ops%u@corp%u.example\n", i, i % 50), RK_OK);
    }
    assert_int_equal(rk_buf_addf(&f, "corp7.example\n1.2.3.4\n"), RK_OK);
    unsigned planted = 0;
    for (unsigned l = 0; l < LINES; l++) {
        uint64_t r = swt_next_rand(&x);
        unsigned i = (unsigned)(r % N), k = (unsigned)(r >> 8) % 3;
        unsigned form = (unsigned)(r >> 16) % 10;
        char hx[65];
        const char *h = hex[i][k];
        if (form < 3) {
            /* A present hash, upper case in one of three. */
            size_t n = strlen(h);
            for (size_t j = 0; j <= n; j++)
                hx[j] = form == 0 && h[j] >= 'a' ? (char)(h[j] - 32) : h[j];
            h = hx;
            planted++;
        } else {
            rand_hex(&x, hash_kinds[k].digits, (int)(r >> 30) & 1, hx); /* absent */
            h = hx;
        }
        static const char *const mail[] = {"ops%u@corp%u.example",     "OPS%u@Corp%u.EXAMPLE",
                                           "ops%u@corp%u.example.",    "to:ops%u@corp%u.example",
                                           "ops%u@corp%u+x.example",   "nobody%u@corp%u.example",
                                           "ops%u@www.corp%u.example", "ops%u@corp%u.example.jp"};
        unsigned m = (unsigned)(r >> 24) % 8;
        if (m < 4)
            planted++; /* a present address (corp7's domain is also a domain hit) */
        assert_int_equal(rk_buf_addf(&text, "%u Hashes=\"%s\" from=<", l, h), RK_OK);
        assert_int_equal(rk_buf_addf(&text, mail[m], i, i % 50), RK_OK);
        assert_int_equal(rk_buf_addf(&text, "> 1.2.3.%u\n", (unsigned)(r >> 40) % 8), RK_OK);
    }
    struct rk_buf want;
    int first = 1;
    static const char *const paths[][2] = {
        {NULL, NULL}, {"RK_SWEEP_NO_AVX512", NULL}, {"RK_SWEEP_NO_AVX512", "RK_SWEEP_NO_AVX2"}};
    for (int defer = 0; defer < 2; defer++) {
        if (defer)
            setenv("RK_SWEEP_DEFER_PF", "1", 1);
        for (size_t p = 0; p < RK_ARRAY_LEN(paths); p++) {
            for (size_t e = 0; e < 2; e++)
                if (paths[p][e] != NULL)
                    setenv(paths[p][e], "1", 1);
            for (int v = 0; v < 3; v++) {
                struct rk_sweep_index *ix = swt_index_of_n(f.data, f.len);
                if (v == 1)
                    filter_all_ones(ix);
                if (v == 2)
                    filter_without_new_keys(ix);
                struct rk_buf got;
                swt_scan_into(ix, text.data, text.len, &got);
                if (first) {
                    want = got;
                    first = 0;
                    /* Every planted hash and address. */
                    unsigned found = 0;
                    for (const char *q = want.data; (q = strstr(q, "(md5);")) != NULL; q++)
                        found++;
                    for (const char *q = want.data; (q = strstr(q, "(sha1);")) != NULL; q++)
                        found++;
                    for (const char *q = want.data; (q = strstr(q, "(sha256);")) != NULL; q++)
                        found++;
                    for (const char *q = want.data; (q = strstr(q, "(email);")) != NULL; q++)
                        found++;
                    if (found != planted)
                        print_error("hash and e-mail hits: %u, planted %u\n", found, planted);
                    assert_int_equal(found, planted);
                } else {
                    if (strcmp(got.data, want.data) != 0)
                        print_error("variant %d, defer %d, path %zu differs\n", v, defer, p);
                    assert_string_equal(got.data, want.data);
                    rk_buf_free(&got);
                }
                rk_sweep_index_close(ix);
            }
            for (size_t e = 0; e < 2; e++)
                if (paths[p][e] != NULL)
                    unsetenv(paths[p][e]);
        }
    }
    unsetenv("RK_SWEEP_DEFER_PF");
    rk_buf_free(&want);
    rk_free(hex);
    rk_buf_free(&text);
    rk_buf_free(&f);
}

/* A random address-like token: local part, '@', labels; lengths around the 64-byte SSE2 step
 * and the 63-byte label limit, '+' and '_' anywhere, a trailing dot or a last label of digits
 * now and then. */
static size_t rand_address(uint64_t *x, char *out)
{
    static const char lc[] = "abcXYZ019._+-";
    static const char hc[] = "abkXYZ09-_";
    size_t o = 0, ln = (size_t)(swt_next_rand(x) % 70);
    if (ln == 0)
        ln = 1;
    for (size_t i = 0; i < ln; i++)
        out[o++] = lc[swt_next_rand(x) % (sizeof lc - 1)];
    out[o++] = '@';
    unsigned labels = 1 + (unsigned)(swt_next_rand(x) % 4);
    for (unsigned l = 0; l < labels; l++) {
        uint64_t r = swt_next_rand(x);
        /* 2 bytes at least: the scanner takes no domain shorter than 4 bytes for an address. */
        size_t n = r % 8 == 0 ? 60 + (size_t)(r >> 8) % 6 : 2 + (size_t)(r >> 8) % 12;
        for (size_t i = 0; i < n; i++)
            out[o++] = hc[swt_next_rand(x) % (sizeof hc - 1)];
        if (l + 1 < labels)
            out[o++] = swt_next_rand(x) % 50 == 0 ? '+' : '.';
    }
    uint64_t r = swt_next_rand(x);
    if (r % 10 == 0)
        out[o++] = '.';
    else if (r % 10 == 1)
        out[o++] = '7';
    out[o] = '\0';
    return o;
}

/*
 * 6,000 random address-like tokens (half of the valid ones indicators, each written once as
 * in the feed and once with other case): the same hits with the filter, a filter of all ones
 * and on the canonicalising path (no e-mail flag), direct and deferred; every indicator found.
 */
static void test_email_shapes(void **state)
{
    enum { N = 6000 };
    (void)state;
    struct rk_buf f, text;
    rk_buf_init(&f, 0);
    rk_buf_init(&text, 0);
    uint64_t x = 7;
    unsigned planted = 0;
    struct rk_sweep_builder *b = NULL;
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    for (unsigned i = 0; i < N; i++) {
        char a[400];
        size_t n = rand_address(&x, a);
        if (i % 2 == 0 && rk_sweep_builder_add(b, RK_SWEEP_EMAIL, a, n) == RK_OK) {
            assert_int_equal(rk_buf_addf(&f, "%s\n", a), RK_OK);
        }
        assert_int_equal(rk_buf_addf(&text, "%u <%s>\n", i, a), RK_OK);
        for (size_t k = 0; k < n; k++)
            if ((a[k] | 0x20) >= 'a' && (a[k] | 0x20) <= 'z' && swt_next_rand(&x) % 3 == 0)
                a[k] ^= 0x20;
        assert_int_equal(rk_buf_addf(&text, "x:%s\n", a), RK_OK);
    }
    planted = (unsigned)rk_sweep_builder_count(b); /* distinct: an address may come twice */
    rk_sweep_builder_destroy(b);
    assert_true(planted > N / 10);
    struct rk_buf want;
    for (int defer = 0; defer < 2; defer++) {
        if (defer)
            setenv("RK_SWEEP_DEFER_PF", "1", 1);
        for (int v = 0; v < 3; v++) {
            struct rk_sweep_index *ix = swt_index_of_n(f.data, f.len);
            assert_true((ix->h->pf_flags & RK__SW_PF_EMAIL) != 0);
            if (v == 1)
                filter_all_ones(ix);
            if (v == 2)
                filter_without_new_keys(ix);
            struct rk_buf got;
            swt_scan_into(ix, text.data, text.len, &got);
            if (defer == 0 && v == 0) {
                want = got;
                unsigned found = 0;
                for (const char *q = want.data; (q = strstr(q, "(email);")) != NULL; q++)
                    found++;
                /* Each indicator twice (its two forms on two lines). */
                if (found < 2 * planted)
                    print_error("e-mail hits %u, indicators %u\n", found, planted);
                assert_true(found >= 2 * planted);
            } else {
                if (strcmp(got.data, want.data) != 0)
                    print_error("variant %d, defer %d differs\n", v, defer);
                assert_string_equal(got.data, want.data);
                rk_buf_free(&got);
            }
            rk_sweep_index_close(ix);
        }
    }
    unsetenv("RK_SWEEP_DEFER_PF");
    rk_buf_free(&want);
    rk_buf_free(&text);
    rk_buf_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_holds_keys), cmocka_unit_test(test_flags_and_types),
        cmocka_unit_test(test_small_cases),       cmocka_unit_test(test_same_hits),
        cmocka_unit_test(test_email_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
