/*
 * Unit tests of the lookalike engine: the brand-list parser (accepts and rejects with a message
 * that names the line), input normalisation and skip reasons, each reason kind of the detector
 * on the default list, legitimate domains never matching, the SMS JSON reader and SMS scoring.
 */
#include "rk-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lookalike-int.h"
#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/lookalike.h"

/* ===== Fixtures ===== */

struct fx {
    struct rk_lookalike *lk;
    struct rk_lookalike_scanner *sc;
};

static int setup(void **state)
{
    struct fx *f = rk_calloc(1, sizeof *f);
    if (f == NULL || rk_lookalike_create(&f->lk) != RK_OK ||
        rk_lookalike_load_dir(f->lk, RK_LOOKALIKE_BRANDS_DIR) != RK_OK ||
        rk_lookalike_compile(f->lk) != RK_OK || rk_lookalike_scanner_create(f->lk, &f->sc) != RK_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    rk_lookalike_scanner_destroy(f->sc);
    rk_lookalike_destroy(f->lk);
    rk_free(f);
    return 0;
}

/* ===== Brand-list parser ===== */

struct parse_case {
    const char *text;
    enum rk_status rc;
    const char *msg; /* substring of the error message, or NULL */
};

static const struct parse_case parse_cases[] = {
    {"brand x\n sector: bank\n domains: x.example\n labels: xbank\n", RK_OK, NULL},
    {"# comment only\n\nbrand y\n  ja: 銀行\n  en: Y\n  sector: credit\n  domains: y.jp\n"
     "  labels: ycard\n  keywords: ワイ\n",
     RK_OK, NULL},
    {"brand x\n sector: bank\n domains: x.example\n", RK_EINVAL, "at least one label"},
    {"brand x\n sector: nope\n", RK_EINVAL, ":2: unknown sector"},
    {"labels: abc\n", RK_EINVAL, ":1: field before"},
    {"brand X!\n", RK_EINVAL, "brand id"},
    {"brand x\n colour: red\n", RK_EINVAL, "unknown key 'colour'"},
    {"brand x\n sector: bank\n domains: NotADomain\n", RK_EINVAL, "not a lowercase domain"},
    {"brand x\n sector: bank\n domains: x.jp\n labels: a\n", RK_EINVAL, "shorter than 2"},
    {"brand x\n sector: bank\n domains: x.jp\n labels: ab_c\n", RK_EINVAL, "letters and digits"},
    {"brand x\n sector: bank\n domains: x.jp\n labels: abcdefghijabcdefghijabcdefghijabcdefghijk\n",
     RK_ETOOBIG, "longer than 40"},
    {"brand x\n ja: \xff\xfe\n", RK_EINVAL, "not UTF-8"},
    {"brand x\n sector: bank\n sector: bank\n", RK_EINVAL, "sector given twice"},
    {"brand x\n sector: bank\n domains: x.jp\n labels: xx\nbrand x\n", RK_EINVAL, "defined twice"},
    {"brand x\n sector: bank\n domains: x.jp\n labels: xx\n just text\n", RK_EINVAL,
     ":5: expected"},
};

static void t_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < RK_ARRAY_LEN(parse_cases); i++) {
        const struct parse_case *c = &parse_cases[i];
        struct rk_lookalike *lk = NULL;
        assert_int_equal(rk_lookalike_create(&lk), RK_OK);
        enum rk_status rc = rk_lookalike_add_brands(lk, c->text, strlen(c->text), "t.brands");
        if (rc != c->rc || (c->msg && strstr(rk_lookalike_errmsg(lk), c->msg) == NULL))
            fail_msg("case %zu: rc %d msg '%s'", i, rc, rk_lookalike_errmsg(lk));
        /* Bad input changes nothing. */
        if (rc != RK_OK)
            assert_int_equal(rk_lookalike_brand_count(lk), 0);
        rk_lookalike_destroy(lk);
    }
}

static void t_parse_limits(void **state)
{
    (void)state;
    /* 65 labels in one brand pass RK_MAX_LOOKALIKE_PER_BRAND. */
    struct rk_buf b;
    rk_buf_init(&b, 0);
    assert_int_equal(rk_buf_adds(&b, "brand x\n sector: bank\n domains: x.jp\n labels:"), RK_OK);
    for (int i = 0; i < 65; i++)
        assert_int_equal(rk_buf_addf(&b, " lab%d", i), RK_OK);
    struct rk_lookalike *lk = NULL;
    assert_int_equal(rk_lookalike_create(&lk), RK_OK);
    assert_int_equal(rk_lookalike_add_brands(lk, b.data, b.len, "t"), RK_ETOOBIG);
    assert_non_null(strstr(rk_lookalike_errmsg(lk), "more than 64"));
    /* Compiling an empty detector is refused; so is a scanner before compilation. */
    struct rk_lookalike_scanner *sc = NULL;
    assert_int_equal(rk_lookalike_scanner_create(lk, &sc), RK_ECONFLICT);
    assert_int_equal(rk_lookalike_compile(lk), RK_EINVAL);
    rk_lookalike_destroy(lk);
    rk_buf_free(&b);
    /* A missing directory is an I/O error with the path in the message. */
    assert_int_equal(rk_lookalike_create(&lk), RK_OK);
    assert_int_equal(rk_lookalike_load_dir(lk, "/nonexistent-dir"), RK_EIO);
    assert_non_null(strstr(rk_lookalike_errmsg(lk), "/nonexistent-dir"));
    rk_lookalike_destroy(lk);
}

static void t_default_list(void **state)
{
    struct fx *f = *state;
    /* The issue asks for at least 80 brands; each has a sector of the documented set. */
    assert_true(rk_lookalike_brand_count(f->lk) >= 80);
    for (size_t i = 0; i < rk_lookalike_brand_count(f->lk); i++) {
        struct rk_lookalike_brand_info bi;
        rk_lookalike_brand(f->lk, i, &bi);
        assert_non_null(bi.sector);
        assert_true(strlen(bi.name_ja) > 0 && strlen(bi.name_en) > 0);
    }
}

/* ===== Normalisation and skips ===== */

struct skip_case {
    const char *in;
    enum rk_lookalike_skip skip; /* NONE: accepted */
    const char *registrable;     /* expected registrable domain when accepted */
};

static const struct skip_case skip_cases[] = {
    {"", RK_LOOKALIKE_SKIP_EMPTY, NULL},
    {"   \t\r\n", RK_LOOKALIKE_SKIP_EMPTY, NULL},
    {"192.168.0.1", RK_LOOKALIKE_SKIP_IP, NULL},
    {"http://10.0.0.1:8080/x", RK_LOOKALIKE_SKIP_IP, NULL},
    {"[2001:db8::1]", RK_LOOKALIKE_SKIP_IP, NULL},
    {"2001:db8::1", RK_LOOKALIKE_SKIP_IP, NULL},
    {"xn--zz--.com", RK_LOOKALIKE_SKIP_BAD_IDN, NULL},
    {"a..b.com", RK_LOOKALIKE_SKIP_BAD_CHAR, NULL},
    {"exa mple.com", RK_LOOKALIKE_SKIP_NO_SUFFIX, NULL}, /* the host ends at the space: "exa" */
    {"bad\x01.com", RK_LOOKALIKE_SKIP_BAD_CHAR, NULL},
    {"\xff\xfe.com", RK_LOOKALIKE_SKIP_BAD_CHAR, NULL},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
     RK_LOOKALIKE_SKIP_TOO_LONG, NULL},
    {"com", RK_LOOKALIKE_SKIP_NO_SUFFIX, NULL},
    {"co.jp", RK_LOOKALIKE_SKIP_NO_SUFFIX, NULL},
    {"WWW.Example.CO.JP.", RK_LOOKALIKE_SKIP_NONE, "example.co.jp"},
    {"*.shop.example.com", RK_LOOKALIKE_SKIP_NONE, "example.com"},
    {"https://user:pw@login.example.net:8443/a?b#c", RK_LOOKALIKE_SKIP_NONE, "example.net"},
    {"foo.github.io", RK_LOOKALIKE_SKIP_NONE, "foo.github.io"},
    {"例え.テスト", RK_LOOKALIKE_SKIP_NONE, "xn--r8jz45g.xn--zckzah"},
};

static void t_skips(void **state)
{
    struct fx *f = *state;
    for (size_t i = 0; i < RK_ARRAY_LEN(skip_cases); i++) {
        const struct skip_case *c = &skip_cases[i];
        struct rk_lookalike_match m;
        enum rk_status rc = rk_lookalike_check(f->sc, c->in, strlen(c->in), &m);
        enum rk_lookalike_skip k = rk_lookalike_skip_of(rc);
        if (k != c->skip)
            fail_msg("case %zu '%s': skip %d (%s), want %d", i, c->in, k, rk_lookalike_skip_name(k),
                     c->skip);
        if (c->registrable != NULL && strcmp(m.registrable, c->registrable) != 0)
            fail_msg("case %zu: registrable '%s', want '%s'", i, m.registrable, c->registrable);
    }
    /* A 300-byte name is too long even though every label is short. */
    char big[301];
    for (size_t i = 0; i < 300; i++)
        big[i] = i % 10 == 9 ? '.' : 'a';
    big[300] = '\0';
    struct rk_lookalike_match m;
    assert_int_equal(rk_lookalike_skip_of(rk_lookalike_check(f->sc, big, 300, &m)),
                     RK_LOOKALIKE_SKIP_TOO_LONG);
}

/* ===== Detection ===== */

struct det_case {
    const char *in;
    const char *brand; /* NULL: no match at the default threshold */
    enum rk_lookalike_reason_kind kind;
};

static const struct det_case det_cases[] = {
    {"rakuten.co.jp.example.top", "rakuten", RK_LOOKALIKE_R_BRAND_DOMAIN_SUBDOMAIN},
    {"xn--rkuten-3nf.com", "rakuten", RK_LOOKALIKE_R_IDN_HOMOGRAPH}, /* rаkuten, Cyrillic а */
    {"rnercari.jp", "mercari", RK_LOOKALIKE_R_ASCII_HOMOGLYPH},
    {"amaz0n.co.jp", "amazon", RK_LOOKALIKE_R_ASCII_HOMOGLYPH},
    {"mercari.top", "mercari", RK_LOOKALIKE_R_TLD_SWAP},
    {"smbc-card-kakunin.com", "smbc-card", RK_LOOKALIKE_R_COMBOSQUAT},
    {"yamato-fuzai.top", "yamato", RK_LOOKALIKE_R_COMBOSQUAT},
    {"rakutem.com", "rakuten", RK_LOOKALIKE_R_EDIT_DISTANCE},
    {"kuronekoyamoto.com", "yamato", RK_LOOKALIKE_R_EDIT_DISTANCE},
    {"https://rakutne-card.jp/login", "rakuten", RK_LOOKALIKE_R_EDIT_DISTANCE},
    {"rakuten-sec-login.top", "rakuten-sec", RK_LOOKALIKE_R_COMBOSQUAT}, /* most specific */
    /* Legitimate domains and their subdomains never match. */
    {"www.rakuten.co.jp", NULL, 0},
    {"https://www.amazon.co.jp/gp/cart", NULL, 0},
    {"k2k.sagawa-exp.co.jp", NULL, 0},
    /* Hard negatives. */
    {"pineapple-shop.jp", NULL, 0},
    {"yamato-kogyo.co.jp", NULL, 0},
    {"sagawa-ryokan.jp", NULL, 0},
    {"tesco.com", NULL, 0},
    {"autumn-leaves.jp", NULL, 0},
    {"cloud-storage.jp", NULL, 0},
};

static void t_detect(void **state)
{
    struct fx *f = *state;
    for (size_t i = 0; i < RK_ARRAY_LEN(det_cases); i++) {
        const struct det_case *c = &det_cases[i];
        struct rk_lookalike_match m;
        assert_int_equal(rk_lookalike_check(f->sc, c->in, strlen(c->in), &m), RK_OK);
        int hit = m.brand >= 0 && m.score >= RK_LOOKALIKE_DEFAULT_MIN_SCORE;
        if (c->brand == NULL) {
            if (hit)
                fail_msg("case %zu '%s': unexpected match (score %d, %s)", i, c->in, m.score,
                         m.reasons[0].detail);
            continue;
        }
        if (!hit)
            fail_msg("case %zu '%s': no match (score %d)", i, c->in, m.score);
        struct rk_lookalike_brand_info bi;
        rk_lookalike_brand(f->lk, (size_t)m.brand, &bi);
        if (strcmp(bi.id, c->brand) != 0)
            fail_msg("case %zu '%s': brand %s, want %s", i, c->in, bi.id, c->brand);
        int found = 0;
        for (size_t r = 0; r < m.n_reasons; r++)
            found |= m.reasons[r].kind == c->kind && m.reasons[r].detail[0] != '\0';
        if (!found)
            fail_msg("case %zu '%s': no reason %s", i, c->in, rk_lookalike_reason_name(c->kind));
    }
}

/* Every legitimate domain of the default list, and a subdomain of it, scores 0. */
static void t_legit_never_match(void **state)
{
    struct fx *f = *state;
    char path[4096], line[2048];
    snprintf(path, sizeof path, "%s/default.brands", RK_LOOKALIKE_BRANDS_DIR);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    int checked = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        char *d = strstr(line, "domains:");
        if (d == NULL)
            continue;
        for (char *tok = d + 8; *tok != '\0';) {
            tok += strspn(tok, " \t\n");
            size_t n = strcspn(tok, " \t\n");
            if (n == 0)
                break;
            char host[300];
            snprintf(host, sizeof host, "login.%.*s", (int)n, tok);
            struct rk_lookalike_match m;
            assert_int_equal(rk_lookalike_check(f->sc, host, strlen(host), &m), RK_OK);
            if (m.score != 0 || m.brand != -1)
                fail_msg("legit %s matched with score %d", host, m.score);
            checked++;
            tok += n;
        }
    }
    fclose(fp);
    assert_true(checked > 200);
}

/* The JSON output is one object with the fields the docs promise, and escapes input. */
static void t_json(void **state)
{
    struct fx *f = *state;
    const char *in = "https://rakuten-login.top/\"x\\\x01";
    struct rk_lookalike_match m;
    assert_int_equal(rk_lookalike_check(f->sc, in, strlen(in), &m), RK_OK);
    struct rk_buf b;
    rk_buf_init(&b, 0);
    assert_int_equal(rk_lookalike_match_json(f->lk, in, strlen(in), &m, &b), RK_OK);
    static const char *const want[] = {
        "{\"input\":\"https://rakuten-login.top/\\\"x\\\\\\u0001\"",
        "\"registrable\":\"rakuten-login.top\"",
        "\"brand\":\"rakuten\"",
        "\"brand_ja\":\"楽天\"",
        "\"sector\":\"ec\"",
        "\"reasons\":[{\"kind\":\"combosquat\"",
    };
    for (size_t i = 0; i < RK_ARRAY_LEN(want); i++)
        if (strstr(b.data, want[i]) == NULL)
            fail_msg("missing %s in %s", want[i], b.data);
    rk_buf_free(&b);
}

/* ===== Public Suffix List table against libpsl ===== */

static void t_psl_differential(void **state)
{
    struct fx *f = *state;
    static const char *const hosts[] = {
        "city.kawasaki.jp",
        "www.city.kawasaki.jp",
        "foo.bar.kawasaki.jp",
        "bar.kawasaki.jp",
        "www.ck",
        "a.b.ck",
        "s3.amazonaws.com",
        "a.b.s3.amazonaws.com",
        "foo.github.io",
        "github.io",
        "example.co.uk",
        "x.y.z.unknowntld",
        "co.jp",
        "jp",
        "a.b.c.d.e.f.g.co.jp",
        "xn--r8jz45g.xn--zckzah",
        "foo.xn--fiqs8s",
        "www.pref.kumamoto.jp",
        "a.city.kobe.jp",
        "foo.blogspot.com",
        "x.appspot.com",
        "a.compute-1.amazonaws.com",
        "transurl.nl",
        "a.transurl.nl",
        "kawasaki.jp",
    };
    /* The table is in use (the Debian list is installed on every supported machine). */
    assert_non_null(f->lk->psl_rules);
    for (size_t i = 0; i < RK_ARRAY_LEN(hosts); i++) {
        const char *a = rk__la_registrable(f->lk, hosts[i]);
        const char *b = psl_registrable_domain(f->lk->psl, hosts[i]);
        if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0))
            fail_msg("%s: table '%s', libpsl '%s'", hosts[i], a ? a : "NULL", b ? b : "NULL");
    }
}

/* ===== Edit distance ===== */

struct osa_case {
    const char *a, *b;
    int limit, want;
};

static const struct osa_case osa_cases[] = {
    {"rakuten", "rakuten", 2, 0},
    {"rakuten", "rakutem", 2, 1},
    {"rakuten", "rakutne", 2, 1},
    {"rakuten", "raktuen", 2, 1},
    {"rakuten", "rakuteen", 2, 1},
    {"rakuten", "rakten", 2, 1},
    {"rakuten", "rkauetn", 2, 2},
    {"rakuten", "amazon", 2, 3},
    {"ca", "abc", 3, 3},
    {"kuronekoyamato", "kuronekoyamoto", 2, 1},
    {"abc", "", 2, 3},
    {"", "", 0, 0},
    {"abcdef", "abcxyz", 1, 2},
    {"ab", "ba", 1, 1},
};

static void t_osa(void **state)
{
    (void)state;
    for (size_t i = 0; i < RK_ARRAY_LEN(osa_cases); i++) {
        const struct osa_case *c = &osa_cases[i];
        int d = rk__la_osa(c->a, strlen(c->a), c->b, strlen(c->b), c->limit);
        if (d != c->want)
            fail_msg("osa(%s, %s, %d) = %d, want %d", c->a, c->b, c->limit, d, c->want);
    }
}

/* ===== SMS ===== */

struct json_case {
    const char *line;
    enum rk_status rc;
    const char *text;
};

static const struct json_case json_cases[] = {
    {"{\"text\":\"hello\"}", RK_OK, "hello"},
    {" {\"id\":1,\"meta\":{\"a\":[1,{\"b\":null}]},\"body\":\"x\"} ", RK_OK, "x"},
    {"{\"message\":\"\\u697d\\u5929 \\ud83d\\ude00\"}", RK_OK, "楽天 😀"},
    {"{\"text\":\"a\\nb\"}", RK_OK, "a\nb"},
    {"{\"text\":12}", RK_EINVAL, NULL},
    {"{\"other\":\"x\"}", RK_EINVAL, NULL},
    {"[\"text\"]", RK_EINVAL, NULL},
    {"{\"text\":\"\\ud800\"}", RK_EINVAL, NULL},
    {"{\"text\":\"\\x\"}", RK_EINVAL, NULL},
    {"{\"text\":\"unterminated", RK_EINVAL, NULL},
    {"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1", RK_EINVAL,
     NULL},
    {"{\"text\":\"0123456789012345678901234567890123456789\"}", RK_ETOOBIG, NULL},
};

static void t_sms_json(void **state)
{
    (void)state;
    for (size_t i = 0; i < RK_ARRAY_LEN(json_cases); i++) {
        const struct json_case *c = &json_cases[i];
        char dst[32];
        size_t n = 0;
        enum rk_status rc =
            rk_lookalike_sms_from_json(c->line, strlen(c->line), dst, sizeof dst, &n);
        if (rc != c->rc)
            fail_msg("case %zu: rc %d want %d", i, rc, c->rc);
        if (c->text != NULL && (n != strlen(c->text) || strcmp(dst, c->text) != 0))
            fail_msg("case %zu: '%s' want '%s'", i, dst, c->text);
    }
}

struct sms_case {
    const char *text;
    int min, max;     /* expected score range */
    const char *rule; /* a rule that must be present, or NULL */
};

static const struct sms_case sms_cases[] = {
    {"お客様宛にお荷物のお届けにあがりましたが不在の為持ち帰りました。下記よりご確認ください。 "
     "https://sagawa-fuzai.top/x",
     90, 100, "parcel-absence"},
    {"【東京電力】電気料金のお支払いが確認できません。 https://tepco-ryokin.top/pay", 80, 100,
     "brand-named-link-elsewhere"},
    {"提供元不明のアプリのインストールを許可してください http://x.example.cn/a.apk", 50, 100,
     "app-install"},
    {"【楽天】楽天ポイントの有効期限のお知らせ https://www.rakuten.co.jp/", 0, 10,
     "links-to-official-domain"},
    {"明日の会議は10時からです。", 0, 0, NULL},
    /* English brand names match whatever their case; Japanese keywords name the sender. */
    {"[AMAZON] お支払い方法に問題があります https://amaz0n-pay.top", 90, 100,
     "brand-named-link-elsewhere"},
    {"【ドコモ】ご利用料金のお支払い確認が取れておりません https://docomo-ryokin.top", 90, 100,
     "brand-named-link-elsewhere"},
};

static void t_sms(void **state)
{
    struct fx *f = *state;
    for (size_t i = 0; i < RK_ARRAY_LEN(sms_cases); i++) {
        const struct sms_case *c = &sms_cases[i];
        struct rk_lookalike_sms_result r;
        assert_int_equal(rk_lookalike_sms_check(f->sc, c->text, strlen(c->text), &r), RK_OK);
        if (r.score < c->min || r.score > c->max)
            fail_msg("case %zu: score %d not in [%d, %d]", i, r.score, c->min, c->max);
        int found = c->rule == NULL;
        for (size_t k = 0; k < r.n_rules; k++)
            found |= c->rule != NULL && strcmp(r.rules[k], c->rule) == 0;
        if (!found)
            fail_msg("case %zu: rule %s missing", i, c->rule);
    }
    struct rk_lookalike_sms_result r;
    assert_int_equal(rk_lookalike_sms_check(f->sc, "", 0, &r), RK_EINVAL);
    assert_int_equal(rk_lookalike_sms_check(f->sc, "\xff\xfe", 2, &r), RK_EINVAL);
    static char big[20000];
    memset(big, 'a', sizeof big);
    assert_int_equal(rk_lookalike_sms_check(f->sc, big, sizeof big, &r), RK_ETOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_parse),
        cmocka_unit_test(t_parse_limits),
        cmocka_unit_test(t_sms_json),
        cmocka_unit_test(t_osa),
        cmocka_unit_test_setup_teardown(t_default_list, setup, teardown),
        cmocka_unit_test_setup_teardown(t_skips, setup, teardown),
        cmocka_unit_test_setup_teardown(t_detect, setup, teardown),
        cmocka_unit_test_setup_teardown(t_legit_never_match, setup, teardown),
        cmocka_unit_test_setup_teardown(t_json, setup, teardown),
        cmocka_unit_test_setup_teardown(t_psl_differential, setup, teardown),
        cmocka_unit_test_setup_teardown(t_sms, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
