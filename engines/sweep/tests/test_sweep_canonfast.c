/*
 * Unit tests of the index builder's fast canonicalisation path (sweep-canon-fast.c): for every
 * value it answers, it gives what rk__sw_canon_indicator() gives (type, prefix length, key
 * bytes), and it answers the common shapes of a plain list (so that a fast path that stopped
 * answering would be seen too). Inputs: a table of values of every shape and edge, and
 * variants of each made by a seeded generator (case flips, bytes replaced, cut, lengthened).
 */
#include "rk-test.h"

#include <stdio.h>
#include <string.h>

#include "renkei/sweep.h"
#include "sweep-canon-fast.h"
#include "sweep-int.h"

/* A small deterministic generator (xorshift64): the same variants on every run. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

/* What the fast path says it knows of its key (struct rk__sw_fast_key) is the key's: a domain
 * key's dots (known for every ASCII key of up to 63 bytes: the builder's labels come from
 * them), a URL key's host as rk__sw_url_host() finds it in the key (given for every host name).
 */
static void check_fast_key(const char *v, size_t n, enum rk_sweep_type t, const uint8_t *key,
                           size_t kn, const struct rk__sw_fast_key *fk)
{
    int ascii = 1;
    for (size_t i = 0; i < n; i++)
        ascii &= (unsigned char)v[i] < 0x80;
    if (t == RK_SWEEP_DOMAIN) {
        uint64_t want = 0;
        for (size_t i = 0; i < kn && i < 64; i++)
            want |= (uint64_t)(key[i] == '.') << i;
        if (kn <= 63 && ascii && fk->dots != want)
            fail_msg("'%.*s': dots %#llx, the key's %#llx", (int)n, v, (unsigned long long)fk->dots,
                     (unsigned long long)want);
        if (fk->dots != RK__SW_DOTS_UNKNOWN && fk->dots != want)
            fail_msg("'%.*s': wrong dots %#llx", (int)n, v, (unsigned long long)fk->dots);
    } else if (fk->dots != RK__SW_DOTS_UNKNOWN) {
        fail_msg("'%.*s': dots given for a key of type %d", (int)n, v, (int)t);
    }
    if (t == RK_SWEEP_URL) {
        size_t ho = 0, hn = rk__sw_url_host((const char *)key, kn, &ho);
        int name = hn > 0 && key[ho] != '[' &&
                   !rk__sw_parse_ip4((const char *)key + ho, hn, (uint8_t[16]){0});
        if (name && (fk->host_len != hn || fk->host_off != ho))
            fail_msg("'%.*s': host at %zu+%zu, the key's at %zu+%zu", (int)n, v, fk->host_off,
                     fk->host_len, ho, hn);
        if (!name && fk->host_len != 0)
            fail_msg("'%.*s': a host given for an address host", (int)n, v);
    } else if (fk->host_len != 0) {
        fail_msg("'%.*s': a URL host given for a key of type %d", (int)n, v, (int)t);
    }
}

/* Both paths on one value: the fast one may decline (0), never differ. Returns 1 when the
 * fast path answered. */
static int same_both_ways(const char *v, size_t n)
{
    uint8_t fo[RK_MAX_SWEEP_INDICATOR + 16], so[RK_MAX_SWEEP_INDICATOR + 16];
    enum rk_sweep_type ft = RK_SWEEP_NONE, st = RK_SWEEP_NONE;
    uint8_t fp = 0xee, sp = 0xee;
    struct rk__sw_fast_key fk;
    size_t fn = rk__sw_canon_fast(v, n, &ft, &fp, fo, sizeof fo, &fk);
    if (fn == 0) {
        /* Declined: the hint and prefix length are left for the general path. */
        if (ft != RK_SWEEP_NONE || fp != 0xee)
            fail_msg("fast path declined '%.*s' but changed the type or prefix", (int)n, v);
        return 0;
    }
    size_t sn = rk__sw_canon_indicator(v, n, &st, &sp, so, sizeof so);
    if (sn != fn || st != ft || sp != fp || memcmp(fo, so, fn) != 0)
        fail_msg("'%.*s': fast path gives type %d plen %u len %zu, general type %d plen %u "
                 "len %zu",
                 (int)n, v, (int)ft, fp, fn, (int)st, sp, sn);
    check_fast_key(v, n, ft, fo, fn, &fk);
    return 1;
}

/* Values the fast path must answer (the common shapes), and what type they are. */
static const struct {
    const char *v;
    enum rk_sweep_type t;
} taken[] = {
    {"42.227.242.118", RK_SWEEP_IPV4},
    {"0.0.0.0", RK_SWEEP_IPV4},
    {"255.255.255.255", RK_SWEEP_IPV4},
    {"107.161.103.64/26", RK_SWEEP_CIDR4},
    {"107.161.103.77/26", RK_SWEEP_CIDR4}, /* host bits cleared */
    {"10.1.2.3/8", RK_SWEEP_CIDR4},
    {"10.1.2.3/0", RK_SWEEP_CIDR4},
    {"10.1.2.3/32", RK_SWEEP_CIDR4},
    {"0d4kzx.top", RK_SWEEP_DOMAIN},
    {"13625via1n.4jyuca7f.xyz", RK_SWEEP_DOMAIN},
    {"Example.COM", RK_SWEEP_DOMAIN},
    {"example.com.", RK_SWEEP_DOMAIN},
    {"localhost", RK_SWEEP_DOMAIN},
    {"a-b_c.example.jp", RK_SWEEP_DOMAIN},
    {"1.2.3.com", RK_SWEEP_DOMAIN},
    {"d41d8cd98f00b204e9800998ecf8427e", RK_SWEEP_MD5},
    {"D41D8CD98F00B204E9800998ECF8427E", RK_SWEEP_MD5},
    {"00000000000000000000000000000000", RK_SWEEP_MD5},
    {"d323c1edff9885f85a67882bbab623a00021decd", RK_SWEEP_SHA1},
    {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", RK_SWEEP_SHA256},
    {"of4vlm67@053mheeeh.4yi32.net", RK_SWEEP_EMAIL},
    {"First.Last@Example.ORG", RK_SWEEP_EMAIL},
    {"http://912h6.net/gtta9saskv/9g2715jus.php?id=4866", RK_SWEEP_URL},
    {"https://Example.com:443/a?b=c#frag", RK_SWEEP_URL},
    {"http://10.0.0.1:8080/x", RK_SWEEP_URL},
    /* The key's facts (check_fast_key()): a host after user info, before a port, lower-cased,
     * percent-decoded; labels of 63 bytes; a name of 63 bytes after its trailing dot. */
    {"http://user:pw@Sub.Example.COM:8080/p?q", RK_SWEEP_URL},
    {"https://a@b@host.example.net/", RK_SWEEP_URL},
    {"http://%65xample.org/x", RK_SWEEP_URL},
    {"http://x.y", RK_SWEEP_URL},
    {"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.0.1.2.3.4.zz", RK_SWEEP_DOMAIN},
    {"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc", RK_SWEEP_DOMAIN},
    {"abcdefghij.bcdefghij.bcdefghij.bcdefghij.bcdefghij.bcdefghij.co.", RK_SWEEP_DOMAIN},
};

/* Values it may take or leave; when it takes one, the answer must be the general path's. */
static const char *const edges[] = {
    "",
    " 1.2.3.4",
    "1.2.3.4 ",
    "1.2.3.4\r",
    "\t1.2.3.4",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.4/",
    "1.2.3.4/33",
    "1.2.3.4/032",
    "1.2.3.4//8",
    "1.2.3.4/8/",
    "1.2.3.4/x",
    "1.2.3.4/8a",
    "1.2.3.999",
    "3.14",
    "1234",
    "12345678901234567890123456789012",
    "1234567890123456789012345678901g",
    "d41d8cd98f00b204e9800998ecf8427",
    "::1",
    "2001:db8::1",
    "2001:db8::/32",
    "fe80::1%eth0",
    "example[.]com",
    "example(.)com",
    "hxxp://evil.example/",
    "hxxps://evil.example/",
    "HXXP://evil.example/",
    "hxxpexample.com",
    "user[@]example.com",
    "a@b",
    "a@b.c",
    "@example.com",
    "a@@example.com",
    "a@b://c.example",
    "a b@example.com",
    "user@exa_mple.com",
    "user@1.2.3.4",
    "-example.com",
    "example..com",
    ".example.com",
    "ex ample.com",
    "exa$mple.com",
    "mail.example.com:25",
    "http://",
    "http://x",
    "http:/x.com",
    "https://[::1]/",
    "ftp://example.com/",
    "HTTP://EXAMPLE.COM/",
    "http://example.com",
    "http://user:pw@example.com/",
    "http://exa mple.com/",
    "www.example.com/path",
    "example.com/",
    "/path",
    "bücher.example",
    "xn--bcher-kva.example",
    "a",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
    "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01",
    "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz012",
    "http://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g",
    "https://[2001:db8::1]/x", /* '[': refanged by the general path first */
    "abcdefghij.bcdefghij.bcdefghij.bcdefghij.bcdefghij.bcdefghij.co.uk", /* 66 bytes */
};

static void test_fast_path_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < RK_ARRAY_LEN(taken); i++) {
        const char *v = taken[i].v;
        enum rk_sweep_type t = RK_SWEEP_NONE;
        uint8_t p = 0, o[RK_MAX_SWEEP_INDICATOR + 16];
        if (!same_both_ways(v, strlen(v)))
            fail_msg("fast path did not take '%s'", v);
        struct rk__sw_fast_key fk;
        rk__sw_canon_fast(v, strlen(v), &t, &p, o, sizeof o, &fk);
        assert_int_equal(t, taken[i].t);
    }
    for (size_t i = 0; i < RK_ARRAY_LEN(edges); i++)
        same_both_ways(edges[i], strlen(edges[i]));
    /* Known keys, not only agreement: a CIDR's host bits cleared, a hash decoded. */
    uint8_t o[64], p = 0;
    enum rk_sweep_type t = RK_SWEEP_NONE;
    struct rk__sw_fast_key fk;
    assert_int_equal(rk__sw_canon_fast("107.161.103.77/26", 17, &t, &p, o, sizeof o, &fk), 4);
    assert_int_equal(p, 26);
    assert_memory_equal(o, "\x6b\xa1\x67\x40", 4);
    t = RK_SWEEP_NONE;
    assert_int_equal(
        rk__sw_canon_fast("d323c1edff9885f85a67882bbab623a00021decd", 40, &t, &p, o, sizeof o, &fk),
        20);
    assert_memory_equal(o,
                        "\xd3\x23\xc1\xed\xff\x98\x85\xf8\x5a\x67\x88\x2b\xba\xb6\x23\xa0"
                        "\x00\x21\xde\xcd",
                        20);
}

/* Bytes the variants draw from: every byte the decisions look at, and some others. */
static const char alphabet[] = "0123456789abcdefxyzABCDEFXYZ.-_/@:[]()% \t\r#?=\xc3\xbc";

static void test_fast_path_variants(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    char v[160];
    size_t answered = 0, total = 0;
    for (size_t i = 0; i < RK_ARRAY_LEN(taken) + RK_ARRAY_LEN(edges); i++) {
        const char *base = i < RK_ARRAY_LEN(taken) ? taken[i].v : edges[i - RK_ARRAY_LEN(taken)];
        size_t bn = strlen(base);
        for (int k = 0; k < 400; k++) {
            size_t n = bn;
            memcpy(v, base, bn);
            uint64_t r = next_rand(&seed);
            switch (r % 5) {
            case 0: /* flip the case of a letter */
                if (n > 0) {
                    size_t at = (size_t)(r >> 8) % n;
                    if ((v[at] | 0x20) >= 'a' && (v[at] | 0x20) <= 'z')
                        v[at] ^= 0x20;
                }
                break;
            case 1: /* replace a byte */
                if (n > 0)
                    v[(r >> 8) % n] = alphabet[(r >> 24) % (sizeof alphabet - 1)];
                break;
            case 2: /* cut */
                n = n > 0 ? (size_t)(r >> 8) % n : 0;
                break;
            case 3: /* lengthen with a copy of itself, up to 80 bytes */
                while (n < 80 && n > 0 && n + bn <= sizeof v) {
                    memcpy(v + n, base, bn);
                    n += bn;
                    if ((r >> 8) & 1)
                        break;
                }
                break;
            default: /* two replacements */
                if (n > 0) {
                    v[(r >> 8) % n] = alphabet[(r >> 20) % (sizeof alphabet - 1)];
                    v[(r >> 32) % n] = alphabet[(r >> 44) % (sizeof alphabet - 1)];
                }
            }
            int a = same_both_ways(v, n);
            if (i < RK_ARRAY_LEN(taken)) {
                answered += (size_t)a;
                total++;
            }
        }
    }
    /* Many variants of the common shapes keep their shape: a path that declined everything
     * would show here. */
    printf("fast path answered %zu of %zu variants of the common shapes\n", answered, total);
    assert_true(answered * 3 > total);
}

/* The header's fewest and most labels of a domain indicator, which the scanner's suffix walk
 * trusts: the builder counts a key's dots 8 bytes a step, so names whose dots fall at every
 * place of those steps, and in the last partial one, of 2 to 40 labels and up to 253 bytes. */
static void test_domain_label_counts(void **state)
{
    (void)state;
    static const struct {
        const char *domains[3];
        uint32_t min, max;
    } cases[] = {
        {{"ab.example", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.example", NULL}, 2, 17},
        {{"very-long-label-name-here-example.test", "x.y", NULL}, 2, 2},
        {{"a.bb.ccc.dddd.eeeee.ffffff.ggggggg.hhhhhhhh.iiiiiiiii.jp", "q.w.e.r.t.y.u.i", NULL},
         8,
         10},
        {{"1.2.3.4.5.6.7.8.9.0.1.2.3.4.5.6.7.8.9.0.1.2.3.4.5.6.7.8.9.0.1.2.3.4.5.6.7.8.9.com",
          "z.example.co.jp", "mail.example"},
         2,
         40},
    };
    for (size_t i = 0; i < RK_ARRAY_LEN(cases); i++) {
        struct rk_sweep_builder *b = NULL;
        struct rk_sweep_index *ix = NULL;
        assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
        for (int k = 0; k < 3 && cases[i].domains[k] != NULL; k++)
            assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_NONE, cases[i].domains[k],
                                                  strlen(cases[i].domains[k])),
                             RK_OK);
        assert_int_equal(rk_sweep_builder_build(b, &ix), RK_OK);
        assert_int_equal(ix->h->dom_min_labels, cases[i].min);
        assert_int_equal(ix->h->dom_max_labels, cases[i].max);
        rk_sweep_index_close(ix);
        rk_sweep_builder_destroy(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_path_table),
        cmocka_unit_test(test_fast_path_variants),
        cmocka_unit_test(test_domain_label_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
