/* Unit tests of lib/correlate warninglists: the text format (every kind of malformed file
 * names its line and leaves the set unchanged), matching (exact, CIDR containment, domain
 * suffix, type filters), the shipped data files, and how the index applies lists and the cap. */
#include "rk-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "renkei/correlate.h"

#define HDR(match) "@name t\n@description d\n@source s\n@match " match "\n"

struct bad_case {
    const char *text;
    enum rk_status rc;
    const char *msg; /* expected error message */
};

static const struct bad_case bad_cases[] = {
    {"", RK_EINVAL, "t.txt: missing one of the headers @name, @description, @source, @match"},
    {HDR("exact"), RK_EINVAL, "t.txt: list 't' has no entries"},
    {"@name t\n@source s\n@match exact\nx\n", RK_EINVAL,
     "t.txt:4: entry before the @name, @description, @source and @match headers"},
    {HDR("exact") "x\n@types md5\n", RK_EINVAL, "t.txt:6: header after the first entry"},
    {HDR("fuzzy") "x\n", RK_EINVAL, "t.txt:4: @match must be exact, cidr or suffix"},
    {HDR("exact") "@colour red\nx\n", RK_EINVAL,
     "t.txt:5: unknown header '@colour' (expected name, description, source, match, types)"},
    {"@name Bad Name\n", RK_EINVAL,
     "t.txt:1: @name must be lower-case letters, digits, '-' or '_'"},
    {"@name t\n@name u\n", RK_EINVAL, "t.txt:2: @name given twice"},
    {"@name t\n@description\n", RK_EINVAL, "t.txt:2: @description has no value"},
    {HDR("exact") "@match exact\n", RK_EINVAL, "t.txt:5: @match given twice"},
    {HDR("exact") "@types md5;sha1\n", RK_EINVAL,
     "t.txt:5: @types must list type names such as 'ipv4 ipv6'"},
    {HDR("exact") "two words\n", RK_EINVAL, "t.txt:5: an entry must be one value without spaces"},
    {HDR("cidr") "8.8.8.8\n10.0.0.1/8\n", RK_EINVAL,
     "t.txt:6: '10.0.0.1/8' has host bits set beyond the prefix"},
    {HDR("cidr") "10.0.0.0/33\n", RK_EINVAL,
     "t.txt:5: '10.0.0.0/33' is not an IPv4 or IPv6 address or CIDR"},
    {HDR("cidr") "010.0.0.0/8\n", RK_EINVAL,
     "t.txt:5: '010.0.0.0/8' is not an IPv4 or IPv6 address or CIDR"},
    {HDR("cidr") "example.com\n", RK_EINVAL,
     "t.txt:5: 'example.com' is not an IPv4 or IPv6 address or CIDR"},
    {HDR("suffix") "exa mple.com\n", RK_EINVAL,
     "t.txt:5: an entry must be one value without spaces"},
    {HDR("suffix") ".example.com\n", RK_EINVAL, "t.txt:5: '.example.com' is not a domain"},
    {HDR("suffix") "a..b\n", RK_EINVAL, "t.txt:5: 'a..b' is not a domain"},
    {HDR("suffix") "例え.jp\n", RK_EINVAL,
     "t.txt:5: '例え.jp' is not a domain (use the A-label form for IDN)"},
};

static void test_malformed(void **state)
{
    struct rk_corr_wlset *set;
    assert_int_equal(rk_corr_wlset_create(&set), RK_OK);
    static const char good[] = HDR("exact") "keep\n";
    assert_int_equal(rk_corr_wlset_load_mem(set, "good.txt", good, strlen(good)), RK_OK);
    for (size_t i = 0; i < RK_ARRAY_LEN(bad_cases); i++) {
        const struct bad_case *c = &bad_cases[i];
        assert_int_equal(rk_corr_wlset_load_mem(set, "t.txt", c->text, strlen(c->text)), c->rc);
        assert_string_equal(rk_corr_wlset_errmsg(set), c->msg);
        assert_int_equal(rk_corr_wlset_count(set), 1);
    }
    /* A NUL byte, an over-long line, and a list whose name is taken. */
    static const char nul[] = HDR("exact") "a\0b\n";
    assert_int_equal(rk_corr_wlset_load_mem(set, "t.txt", nul, sizeof nul - 1), RK_EINVAL);
    assert_string_equal(rk_corr_wlset_errmsg(set), "t.txt:5: NUL byte in line");
    char longline[2048];
    memset(longline, 'a', sizeof longline);
    assert_int_equal(rk_corr_wlset_load_mem(set, "t.txt", longline, sizeof longline), RK_EINVAL);
    assert_string_equal(rk_corr_wlset_errmsg(set), "t.txt:1: line longer than 1024 bytes");
    assert_int_equal(rk_corr_wlset_load_mem(set, "again.txt", good, strlen(good)), RK_ECONFLICT);
    assert_string_equal(rk_corr_wlset_errmsg(set), "again.txt: a list named 't' is already loaded");
    assert_int_equal(rk_corr_wlset_count(set), 1);
    assert_int_equal(rk_corr_wlset_load_file(set, "/nonexistent/x.txt"), RK_EIO);
    assert_string_equal(rk_corr_wlset_errmsg(set), "/nonexistent/x.txt: cannot open");
    rk_corr_wlset_destroy(set);
    rk_corr_wlset_destroy(NULL);
}

static const char lists[] = "# resolvers\n"
                            "@name dns\n@description d\n@source s\n@match cidr\n"
                            "8.8.8.8\n"
                            "  10.0.0.0/8  \r\n"
                            "10.1.0.0/16\n"
                            "192.168.0.0/24\n192.168.1.0/24\n"
                            "2001:db8::/32\n"
                            "\n# done\n";
static const char domains[] = "@name popular\n@description d\n@source s\n@match suffix\n"
                              "@types domain email\n"
                              "google.com\nYahoo.co.jp\n";
static const char hashes[] = "@name hashes\n@description d\n@source s\n@match exact\n"
                             "@types md5 sha256\n"
                             "d41d8cd98f00b204e9800998ecf8427e\n";

struct match_case {
    const char *type;
    const char *value;
    const char *want; /* list name or NULL */
};

static const struct match_case match_cases[] = {
    {"ipv4", "8.8.8.8", "dns"},
    {"ipv4", "8.8.8.9", NULL},
    {"ipv4", "10.200.3.4", "dns"},
    {"cidr", "10.1.2.0/24", "dns"},
    {"cidr", "10.0.0.0/7", NULL},      /* wider than the entry */
    {"cidr", "192.168.0.0/23", "dns"}, /* two adjacent /24 entries cover it */
    {"cidr", "192.168.0.0/22", NULL},
    {"ipv6", "2001:db8::1", "dns"},
    {"ipv6", "2001:db9::1", NULL},
    {"domain", "8.8.8.8", NULL}, /* cidr lists apply to addresses only */
    {"domain", "google.com", "popular"},
    {"domain", "docs.google.com", "popular"},
    {"domain", "notgoogle.com", NULL},
    {"domain", "google.com.evil.example", NULL},
    {"domain", "www.yahoo.co.jp", "popular"},
    {"url", "https://docs.google.com/forms/x", NULL}, /* a URL is an indicator of its own */
    {"email", "taro@mail.google.com", "popular"},     /* @types includes email: by its domain */
    {"email", "google.com@evil.example", NULL},
    {"md5", "d41d8cd98f00b204e9800998ecf8427e", "hashes"},
    {"sha1", "d41d8cd98f00b204e9800998ecf8427e", NULL}, /* not in @types */
    {"", "x", NULL},
};

static void test_match(void **state)
{
    struct rk_corr_wlset *set;
    assert_int_equal(rk_corr_wlset_create(&set), RK_OK);
    assert_int_equal(rk_corr_wlset_load_mem(set, "a", lists, strlen(lists)), RK_OK);
    assert_int_equal(rk_corr_wlset_load_mem(set, "b", domains, strlen(domains)), RK_OK);
    assert_int_equal(rk_corr_wlset_load_mem(set, "c", hashes, strlen(hashes)), RK_OK);
    for (size_t i = 0; i < RK_ARRAY_LEN(match_cases); i++) {
        const char *got = rk_corr_wlset_match(set, match_cases[i].type, match_cases[i].value);
        print_message("%s %s\n", match_cases[i].type, match_cases[i].value);
        assert_true((got == NULL) == (match_cases[i].want == NULL));
        assert_string_equal(got != NULL ? got : "", match_cases[i].want ? match_cases[i].want : "");
    }
    struct rk_corr_wlinfo info;
    rk_corr_wlset_info(set, 0, &info);
    assert_string_equal(info.name, "dns");
    assert_string_equal(info.match, "cidr");
    assert_int_equal(info.entries, 6);
    rk_corr_wlset_destroy(set);
}

static void test_shipped_lists(void **state)
{
    static const struct match_case shipped[] = {
        {"ipv4", "8.8.8.8", "public-dns-resolvers"},
        {"ipv6", "2606:4700:4700::1111", "public-dns-resolvers"},
        {"ipv4", "192.168.1.1", "reserved-ipv4"},
        {"ipv4", "100.64.1.1", "reserved-ipv4"},
        {"cidr", "203.0.113.0/24", "reserved-ipv4"},
        {"ipv6", "fe80::1", "reserved-ipv6"},
        {"ipv4", "104.16.1.1", "cdn-cloudflare"},
        {"ipv4", "151.101.1.1", "cdn-fastly"},
        {"domain", "www.yahoo.co.jp", "popular-domains"},
        {"domain", "line.me", "popular-domains"},
        {"domain", "amazon.co.jp", "popular-domains"},
        {"domain", "www.example.com", "reserved-domains"},
        {"sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         "common-file-hashes"},
        {"md5", "d41d8cd98f00b204e9800998ecf8427e", "common-file-hashes"},
        {"ipv4", "45.33.32.156", NULL},
        {"domain", "amaz0n-co-jp.top", NULL},
    };
    const char *src = getenv("RK_SOURCE_DIR");
    assert_non_null(src);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/data/warninglists", src);
    struct rk_corr_wlset *set;
    assert_int_equal(rk_corr_wlset_create(&set), RK_OK);
    assert_int_equal(rk_corr_wlset_load_dir(set, dir), RK_OK);
    assert_int_equal(rk_corr_wlset_count(set), 8);
    for (size_t i = 0; i < RK_ARRAY_LEN(shipped); i++) {
        const char *got = rk_corr_wlset_match(set, shipped[i].type, shipped[i].value);
        print_message("%s\n", shipped[i].value);
        assert_string_equal(got != NULL ? got : "", shipped[i].want ? shipped[i].want : "");
    }
    for (size_t i = 0; i < rk_corr_wlset_count(set); i++) {
        struct rk_corr_wlinfo info;
        rk_corr_wlset_info(set, i, &info);
        assert_true(strlen(info.description) > 10);
        assert_true(strlen(info.source) > 10);
        assert_true(info.entries > 0);
    }
    rk_corr_wlset_destroy(set);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void remove_file(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(unlink(path), 0);
}

static void test_load_dir_names_bad_file(void **state)
{
    char dir[] = "/tmp/rk-wl-XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "10-good.txt", HDR("exact") "x\n");
    write_file(dir, "20-bad.txt",
               "@name bad\n@description d\n@source s\n@match cidr\n"
               "1.2.3.4\n\n999.1.1.1\n");
    write_file(dir, "30-later.txt", "@name later\n@description d\n@source s\n@match exact\ny\n");
    write_file(dir, "notes.md", "not a list");
    struct rk_corr_wlset *set;
    assert_int_equal(rk_corr_wlset_create(&set), RK_OK);
    assert_int_equal(rk_corr_wlset_load_dir(set, dir), RK_EINVAL);
    assert_string_equal(rk_corr_wlset_errmsg(set),
                        "20-bad.txt:7: '999.1.1.1' is not an IPv4 or IPv6 address or CIDR");
    /* The list before the bad file stays; the bad one and those after it are not loaded. */
    assert_int_equal(rk_corr_wlset_count(set), 1);
    rk_corr_wlset_destroy(set);
    assert_int_equal(rk_corr_wlset_create(&set), RK_OK);
    assert_int_equal(rk_corr_wlset_load_dir(set, "/nonexistent-dir"), RK_EIO);
    assert_string_equal(rk_corr_wlset_errmsg(set), "/nonexistent-dir: cannot open directory");
    rk_corr_wlset_destroy(set);
    remove_file(dir, "10-good.txt");
    remove_file(dir, "20-bad.txt");
    remove_file(dir, "30-later.txt");
    remove_file(dir, "notes.md");
    assert_int_equal(rmdir(dir), 0);
}

/* ===== Noise in the index ===== */

static void test_index_noise(void **state)
{
    struct rk_corr_wlset *set;
    struct rk_corr_index *idx;
    struct rk_corr_config cfg = {.cap = 3};
    assert_int_equal(rk_corr_wlset_create(&set), RK_OK);
    assert_int_equal(rk_corr_wlset_load_mem(set, "a", lists, strlen(lists)), RK_OK);
    assert_int_equal(rk_corr_index_create(&cfg, &idx), RK_OK);
    /* r0 and r1 share only 8.8.8.8 (warninglisted); r0..r3 share a phone (too common at cap
     * 3); r0 and r2 share a bank account (links). */
    static const struct rk_corr_value v0[] = {
        {"ipv4", "8.8.8.8", RK_CORR_REL_SAME},
        {"phone", "+81300000000", RK_CORR_REL_SAME},
        {"bank-account", "0001-001-0000001", RK_CORR_REL_SAME}};
    static const struct rk_corr_value v1[] = {{"ipv4", "8.8.8.8", RK_CORR_REL_SAME},
                                              {"phone", "+81300000000", RK_CORR_REL_SAME}};
    static const struct rk_corr_value v2[] = {
        {"phone", "+81300000000", RK_CORR_REL_SAME},
        {"bank-account", "0001-001-0000001", RK_CORR_REL_SAME}};
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "r0", "u", v0, 3), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "r1", "u", v1, 2), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "r2", "u", v2, 2), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "r3", "u", v1 + 1, 1), RK_OK);

    struct rk_corr_value_info vi;
    /* Before the lists are attached, 8.8.8.8 links. */
    assert_int_equal(rk_corr_index_value_info(idx, "ipv4", "8.8.8.8", &vi), RK_OK);
    assert_int_equal(vi.noise, RK_CORR_LINKS);
    assert_int_equal(rk_corr_index_set_warninglists(idx, set), RK_OK);
    assert_int_equal(rk_corr_index_value_info(idx, "ipv4", "8.8.8.8", &vi), RK_OK);
    assert_int_equal(vi.objects, 2); /* still indexed and searchable */
    assert_int_equal(vi.noise, RK_CORR_WARNINGLISTED);
    assert_string_equal(vi.reason, "in warninglist 'dns'");
    assert_int_equal(rk_corr_index_value_info(idx, "phone", "+81300000000", &vi), RK_OK);
    assert_int_equal(vi.noise, RK_CORR_TOO_COMMON);
    assert_string_equal(vi.reason, "too common: 4 objects (cap 3)");
    /* The derived /24 of 8.8.8.8 is not in the list (only the /32 is). */
    assert_int_equal(rk_corr_index_value_info(idx, "cidr", "8.8.8.0/24", &vi), RK_OK);
    assert_int_equal(vi.noise, RK_CORR_LINKS);

    struct rk_corr_result *r;
    assert_int_equal(rk_corr_related(idx, RK_CORR_REPORT, "r0", NULL, NULL, NULL, &r), RK_OK);
    /* r2 through the bank account; r1 through the /24 and /16 of 8.8.8.8 only. */
    assert_int_equal(r->count, 2);
    assert_string_equal(r->hits[0].object_id, "r2");
    assert_string_equal(r->hits[0].explanation, "shares bank-account 0001-001-0000001");
    assert_string_equal(r->hits[1].object_id, "r1");
    assert_string_equal(
        r->hits[1].explanation,
        "ipv4 in the same network 8.8.8.0/24; ipv4 in the same wide network 8.8.0.0/16");
    assert_int_equal(r->nsuppressed, 2);
    assert_string_equal(r->suppressed[0].value, "8.8.8.8");
    assert_string_equal(r->suppressed[0].reason, "in warninglist 'dns'");
    assert_string_equal(r->suppressed[1].value, "+81300000000");
    assert_string_equal(r->suppressed[1].reason, "too common: 4 objects (cap 3)");
    rk_corr_result_destroy(r);

    /* Raising the cap lets the phone link again. */
    assert_int_equal(rk_corr_index_set_cap(idx, 4), RK_OK);
    assert_int_equal(rk_corr_index_value_info(idx, "phone", "+81300000000", &vi), RK_OK);
    assert_int_equal(vi.noise, RK_CORR_LINKS);
    assert_int_equal(rk_corr_index_set_warninglists(idx, NULL), RK_OK);
    assert_int_equal(rk_corr_index_value_info(idx, "ipv4", "8.8.8.8", &vi), RK_OK);
    assert_int_equal(vi.noise, RK_CORR_LINKS);
    rk_corr_index_destroy(idx);
    rk_corr_wlset_destroy(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed),     cmocka_unit_test(test_match),
        cmocka_unit_test(test_shipped_lists), cmocka_unit_test(test_load_dir_names_bad_file),
        cmocka_unit_test(test_index_noise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
