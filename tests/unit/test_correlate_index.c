/* Unit tests of lib/correlate: related-value expansion, the value index (put, replace, remove,
 * bad input), statistics and the save/load format (including every truncation of a file). */
#include "rk-test.h"

#include <stdio.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/correlate.h"

/* ===== Expansion ===== */

struct expand_case {
    const char *type;
    const char *value;
    const char *want; /* "type value rel|type value rel|..." */
};

static const struct expand_case expand_cases[] = {
    {"url", "https://user@www.example.co.jp:8443/login?x=1",
     "domain www.example.co.jp host|domain example.co.jp registrable-domain|"},
    {"url", "http://evil.example.com/a/b#frag",
     "domain evil.example.com host|domain example.com registrable-domain|"},
    {"url", "http://example.com", "domain example.com host|"},
    {"url", "http://203.0.113.5/a",
     "ipv4 203.0.113.5 host|cidr 203.0.113.0/24 network|cidr 203.0.0.0/16 wide-network|"},
    {"url", "http://[2001:db8:1:2::1]:80/",
     "ipv6 2001:db8:1:2::1 host|cidr 2001:db8:1:2::/64 network|cidr 2001:db8:1::/48 "
     "wide-network|"},
    {"url", "no-scheme.example/path", ""},
    {"email", "taro@mail.example.jp",
     "domain mail.example.jp email-domain|domain example.jp registrable-domain|"},
    {"email", "hanako@example.jp", "domain example.jp email-domain|"},
    {"domain", "a.b.example.com", "domain example.com registrable-domain|"},
    {"domain", "example.com", ""},
    /* github.io is a public suffix: two pages there do not share a registrable domain. */
    {"domain", "x.github.io", ""},
    {"ipv4", "192.0.2.10", "cidr 192.0.2.0/24 network|cidr 192.0.0.0/16 wide-network|"},
    {"ipv4", "192.0.2.010", ""},
    {"ipv6", "2001:db8::1", "cidr 2001:db8::/64 network|cidr 2001:db8::/48 wide-network|"},
    {"bank-account", "0001-123-1234567", ""},
    {"phone", "+81312345678", ""},
};

static enum rk_status collect(void *ud, const char *type, const char *value, enum rk_corr_rel rel)
{
    return rk_buf_addf(ud, "%s %s %s|", type, value, rk_corr_rel_name(rel));
}

static void test_expand(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(expand_cases); i++) {
        const struct expand_case *c = &expand_cases[i];
        struct rk_buf b;
        rk_buf_init(&b, 0);
        assert_int_equal(rk_buf_adds(&b, ""), RK_OK);
        assert_int_equal(rk_corr_expand(c->type, c->value, collect, &b), RK_OK);
        assert_string_equal(b.data, c->want);
        rk_buf_free(&b);
    }
}

static enum rk_status stop_at_first(void *ud, const char *type, const char *value,
                                    enum rk_corr_rel rel)
{
    (*(int *)ud)++;
    return RK_ECONFLICT;
}

static void test_expand_stops(void **state)
{
    int calls = 0;
    assert_int_equal(rk_corr_expand("url", "http://a.example.com/", stop_at_first, &calls),
                     RK_ECONFLICT);
    assert_int_equal(calls, 1);
}

static void test_names(void **state)
{
    assert_string_equal(rk_corr_kind_name(RK_CORR_CASE), "case");
    assert_int_equal(rk_corr_kind_from_name("sighting"), RK_CORR_SIGHTING);
    assert_int_equal(rk_corr_kind_from_name("nope"), 0);
    assert_null(rk_corr_kind_name((enum rk_corr_kind)9));
    assert_string_equal(rk_corr_rel_name(RK_CORR_REL_REGDOMAIN), "registrable-domain");
    assert_null(rk_corr_rel_name(RK_CORR_REL_COUNT));
    assert_true(rk_corr_rel_weight(RK_CORR_REL_SAME) > rk_corr_rel_weight(RK_CORR_REL_HOST));
    assert_true(rk_corr_rel_weight(RK_CORR_REL_NET_NARROW) >
                rk_corr_rel_weight(RK_CORR_REL_NET_WIDE));
}

/* ===== Index ===== */

static const struct rk_corr_value report_a[] = {
    {"bank-account", "0009-111-2223334", RK_CORR_REL_SAME},
    {"url", "http://a.evil.example/login", RK_CORR_REL_SAME},
    {"ipv4", "198.51.100.7", RK_CORR_REL_SAME},
    {"asn", "AS64500", RK_CORR_REL_GIVEN},
};
static const struct rk_corr_value report_b[] = {
    {"bank-account", "0009-111-2223334", RK_CORR_REL_SAME},
    {"domain", "evil.example", RK_CORR_REL_SAME},
};

struct info_case {
    const char *type;
    const char *value;
    enum rk_status rc;
    size_t objects;
};

static void test_put_and_info(void **state)
{
    static const struct info_case cases[] = {
        {"bank-account", "0009-111-2223334", RK_OK, 2},
        {"url", "http://a.evil.example/login", RK_OK, 1},
        {"domain", "a.evil.example", RK_OK, 1}, /* host of A's URL */
        {"domain", "evil.example", RK_OK, 2},   /* A derived, B direct */
        {"cidr", "198.51.100.0/24", RK_OK, 1},
        {"cidr", "198.51.0.0/16", RK_OK, 1},
        {"asn", "AS64500", RK_OK, 1},
        {"ipv4", "198.51.100.8", RK_ENOTFOUND, 0},
        {"nosuchtype", "x", RK_ENOTFOUND, 0},
    };
    struct rk_corr_index *idx;
    assert_int_equal(rk_corr_index_create(NULL, &idx), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "rep-a", "unit-1", report_a, 4), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_CASE, "case-b", "unit-2", report_b, 2), RK_OK);
    for (size_t i = 0; i < RK_ARRAY_LEN(cases); i++) {
        struct rk_corr_value_info vi;
        assert_int_equal(rk_corr_index_value_info(idx, cases[i].type, cases[i].value, &vi),
                         cases[i].rc);
        assert_int_equal(vi.objects, cases[i].objects);
        assert_int_equal(vi.noise, RK_CORR_LINKS);
        assert_string_equal(vi.reason, "");
    }
    struct rk_corr_stats st;
    rk_corr_index_stats(idx, &st);
    assert_int_equal(st.objects, 2);
    /* A: 4 values + host + regdomain + /24 + /16 = 8; B: 2 values (evil.example has no parent). */
    assert_int_equal(st.postings, 10);
    assert_int_equal(st.values, 8);
    assert_true(st.memory_bytes > 0);
    rk_corr_index_destroy(idx);
    rk_corr_index_destroy(NULL);
}

static void test_put_replaces_and_remove(void **state)
{
    struct rk_corr_index *idx;
    struct rk_corr_value_info vi;
    assert_int_equal(rk_corr_index_create(NULL, &idx), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "r1", "u", report_a, 4), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "r2", "u", report_b, 2), RK_OK);
    /* r1 now holds only B's values: its URL no longer points anywhere. */
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "r1", "u", report_b, 2), RK_OK);
    assert_int_equal(rk_corr_index_value_info(idx, "url", "http://a.evil.example/login", &vi),
                     RK_ENOTFOUND);
    assert_int_equal(rk_corr_index_value_info(idx, "domain", "evil.example", &vi), RK_OK);
    assert_int_equal(vi.objects, 2);
    /* The same id under another kind is another object. */
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_CASE, "r1", "u", report_b, 1), RK_OK);
    assert_int_equal(rk_corr_index_value_info(idx, "bank-account", "0009-111-2223334", &vi), RK_OK);
    assert_int_equal(vi.objects, 3);
    assert_int_equal(rk_corr_index_remove(idx, RK_CORR_REPORT, "r1"), RK_OK);
    assert_int_equal(rk_corr_index_remove(idx, RK_CORR_REPORT, "r1"), RK_ENOTFOUND);
    assert_int_equal(rk_corr_index_value_info(idx, "bank-account", "0009-111-2223334", &vi), RK_OK);
    assert_int_equal(vi.objects, 2);
    struct rk_corr_stats st;
    rk_corr_index_stats(idx, &st);
    assert_int_equal(st.objects, 2);
    assert_int_equal(st.postings, 3);
    /* Compacting releases spare capacity and changes nothing else. */
    struct rk_corr_stats before;
    rk_corr_index_stats(idx, &before);
    assert_int_equal(rk_corr_index_compact(idx), RK_OK);
    rk_corr_index_stats(idx, &st);
    assert_true(st.memory_bytes < before.memory_bytes);
    assert_int_equal(st.postings, before.postings);
    assert_int_equal(rk_corr_index_value_info(idx, "bank-account", "0009-111-2223334", &vi), RK_OK);
    assert_int_equal(vi.objects, 2);
    /* A removed object can come back. */
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "r1", "u", report_b, 2), RK_OK);
    rk_corr_index_stats(idx, &st);
    assert_int_equal(st.objects, 3);
    rk_corr_index_destroy(idx);
}

struct bad_put {
    enum rk_corr_kind kind;
    const char *id;
    const char *unit;
    struct rk_corr_value v;
    enum rk_status rc;
};

static void test_bad_put_keeps_previous(void **state)
{
    static char long_value[5000];
    memset(long_value, 'a', sizeof long_value - 1);
    const struct bad_put cases[] = {
        {(enum rk_corr_kind)0, "r1", "u", {"ipv4", "192.0.2.1", RK_CORR_REL_SAME}, RK_EINVAL},
        {RK_CORR_REPORT, "", "u", {"ipv4", "192.0.2.1", RK_CORR_REL_SAME}, RK_EINVAL},
        {RK_CORR_REPORT, "r1", NULL, {"ipv4", "192.0.2.1", RK_CORR_REL_SAME}, RK_EINVAL},
        {RK_CORR_REPORT, "r1", "", {"ipv4", "192.0.2.1", RK_CORR_REL_SAME}, RK_EINVAL},
        {RK_CORR_REPORT, "r1", "u", {"ipv4", "", RK_CORR_REL_SAME}, RK_EINVAL},
        {RK_CORR_REPORT, "r1", "u", {NULL, "x", RK_CORR_REL_SAME}, RK_EINVAL},
        {RK_CORR_REPORT, "r1", "u", {"", "x", RK_CORR_REL_SAME}, RK_EINVAL},
        {RK_CORR_REPORT, "r1", "u", {"url", long_value, RK_CORR_REL_SAME}, RK_EINVAL},
        {RK_CORR_REPORT, "r1", "u", {"ipv4", "192.0.2.1", (enum rk_corr_rel)7}, RK_EINVAL},
    };
    struct rk_corr_index *idx;
    struct rk_corr_value_info vi;
    assert_int_equal(rk_corr_index_create(NULL, &idx), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "r1", "u", report_b, 2), RK_OK);
    for (size_t i = 0; i < RK_ARRAY_LEN(cases); i++) {
        assert_int_equal(
            rk_corr_index_put(idx, cases[i].kind, cases[i].id, cases[i].unit, &cases[i].v, 1),
            cases[i].rc);
        assert_true(strlen(rk_corr_index_errmsg(idx)) > 0);
        assert_int_equal(rk_corr_index_value_info(idx, "domain", "evil.example", &vi), RK_OK);
        assert_int_equal(vi.objects, 1);
    }
    rk_corr_index_destroy(idx);
}

static void test_type_limit_and_cap(void **state)
{
    struct rk_corr_index *idx;
    struct rk_corr_config bad = {.cap = 2000000};
    assert_int_equal(rk_corr_index_create(&bad, &idx), RK_EINVAL);
    assert_null(idx);
    assert_int_equal(rk_corr_index_create(NULL, &idx), RK_OK);
    char type[16];
    struct rk_corr_value v = {type, "x", RK_CORR_REL_SAME};
    for (int i = 0; i < 64; i++) {
        snprintf(type, sizeof type, "t%d", i);
        assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "r", "u", &v, 1), RK_OK);
    }
    snprintf(type, sizeof type, "t64");
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "r", "u", &v, 1), RK_EINVAL);
    assert_int_equal(rk_corr_index_set_cap(idx, 0), RK_EINVAL);
    assert_int_equal(rk_corr_index_set_cap(idx, 2000000), RK_EINVAL);
    assert_int_equal(rk_corr_index_set_cap(idx, 10), RK_OK);
    rk_corr_index_destroy(idx);
}

/* ===== Export ===== */

static enum rk_status count_value(void *ud, uint32_t id, const char *type, const char *value)
{
    size_t *c = ud;
    c[0]++;
    return RK_OK;
}

static enum rk_status count_posting(void *ud, uint32_t id, enum rk_corr_kind kind,
                                    const char *object_id, enum rk_corr_rel rel)
{
    size_t *c = ud;
    c[1]++;
    c[2] += rel == RK_CORR_REL_SAME;
    return c[1] == 5 && c[3] ? RK_ECONFLICT : RK_OK;
}

static void test_export(void **state)
{
    struct rk_corr_index *idx;
    assert_int_equal(rk_corr_index_create(NULL, &idx), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "rep-a", "u", report_a, 4), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_CASE, "case-b", "u", report_b, 2), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_CASE, "gone", "u", report_a, 1), RK_OK);
    assert_int_equal(rk_corr_index_remove(idx, RK_CORR_CASE, "gone"), RK_OK);
    size_t c[4] = {0, 0, 0, 0};
    assert_int_equal(rk_corr_index_export(idx, count_value, count_posting, c), RK_OK);
    assert_int_equal(c[0], 8);  /* distinct values held */
    assert_int_equal(c[1], 10); /* postings, derived included; the removed object has none */
    assert_int_equal(c[2], 5);  /* direct values: A has 3 (its asn is GIVEN), B has 2 */
    size_t stop[4] = {0, 0, 0, 1};
    assert_int_equal(rk_corr_index_export(idx, NULL, count_posting, stop), RK_ECONFLICT);
    assert_int_equal(stop[1], 5);
    rk_corr_index_destroy(idx);
}

/* ===== Save and load ===== */

static char *explain_all(const struct rk_corr_index *idx)
{
    struct rk_corr_result *r;
    struct rk_buf b;
    rk_buf_init(&b, 0);
    assert_int_equal(rk_corr_related(idx, RK_CORR_REPORT, "rep-a", NULL, NULL, NULL, &r), RK_OK);
    for (size_t i = 0; i < r->count; i++)
        assert_int_equal(rk_buf_addf(&b, "%s %.4f %s %.2f\n", r->hits[i].object_id,
                                     r->hits[i].score, r->hits[i].explanation,
                                     r->hits[i].text_similarity),
                         RK_OK);
    rk_corr_result_destroy(r);
    char *s = rk_buf_steal(&b);
    return s;
}

static void test_save_load(void **state)
{
    struct rk_corr_index *idx, *back;
    assert_int_equal(rk_corr_index_create(NULL, &idx), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "rep-a", "unit-1", report_a, 4), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_CASE, "case-b", "unit-2", report_b, 2), RK_OK);
    assert_int_equal(rk_corr_index_put(idx, RK_CORR_REPORT, "gone", "unit-2", report_b, 2), RK_OK);
    assert_int_equal(rk_corr_index_remove(idx, RK_CORR_REPORT, "gone"), RK_OK);
    static const char text[] = "SMSで荷物の不在通知が届き、リンクを開いてIDとパスワードを入力した";
    assert_int_equal(rk_corr_index_set_text(idx, RK_CORR_REPORT, "rep-a", text, strlen(text)),
                     RK_OK);
    assert_int_equal(rk_corr_index_set_text(idx, RK_CORR_CASE, "case-b", text, strlen(text)),
                     RK_OK);
    struct rk_buf b;
    rk_buf_init(&b, 0);
    assert_int_equal(rk_corr_index_save(idx, &b), RK_OK);
    assert_int_equal(rk_corr_index_load(b.data, b.len, NULL, &back), RK_OK);
    char *e1 = explain_all(idx), *e2 = explain_all(back);
    assert_string_equal(e1, e2);
    assert_non_null(strstr(e1, "narrative 100% similar"));
    struct rk_corr_stats s1, s2;
    rk_corr_index_stats(idx, &s1);
    rk_corr_index_stats(back, &s2);
    assert_int_equal(s1.objects, s2.objects);
    assert_int_equal(s1.postings, s2.postings);
    assert_int_equal(s2.texts, 2);
    rk_free(e1);
    rk_free(e2);
    /* Every truncation and a flipped magic are refused as corrupt, with nothing returned. */
    for (size_t len = 0; len < b.len; len++) {
        struct rk_corr_index *t = (struct rk_corr_index *)1;
        assert_int_equal(rk_corr_index_load(b.data, len, NULL, &t), RK_ECORRUPT);
        assert_null(t);
    }
    rk_corr_index_destroy(back);
    b.data[0] = 'X';
    assert_int_equal(rk_corr_index_load(b.data, b.len, NULL, &back), RK_ECORRUPT);
    assert_null(back);
    rk_buf_free(&b);
    rk_corr_index_destroy(idx);
}

/* ===== Persistence by value number ===== */

struct copy_ctx {
    struct rk_corr_index *to;
    struct rk_corr_held held[64];
    size_t n;
};

static enum rk_status copy_held(void *ud, uint32_t value_id, const char *type, const char *value,
                                enum rk_corr_rel rel)
{
    struct copy_ctx *x = ud;
    (void)value_id;
    assert_true(x->n < 64);
    assert_int_equal(rk_corr_index_intern(x->to, type, value, &x->held[x->n].value_id), RK_OK);
    x->held[x->n++].rel = rel;
    return RK_OK;
}

/* What the store does: walk each object's expanded values, intern them in another index and
 * put them there by number with the narrative signature; the copy answers as the original. */
static void test_held_round_trip(void **state)
{
    struct rk_corr_index *idx, *back;
    static const char text[] = "SMSで荷物の不在通知が届き、リンクを開いてIDとパスワードを入力した";
    static const struct {
        enum rk_corr_kind kind;
        const char *id, *unit;
        const struct rk_corr_value *v;
        size_t n;
    } objs[] = {
        {RK_CORR_REPORT, "rep-a", "unit-1", report_a, 4},
        {RK_CORR_CASE, "case-b", "unit-2", report_b, 2},
    };
    assert_int_equal(rk_corr_index_create(NULL, &idx), RK_OK);
    assert_int_equal(rk_corr_index_create(NULL, &back), RK_OK);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(
            rk_corr_index_put(idx, objs[i].kind, objs[i].id, objs[i].unit, objs[i].v, objs[i].n),
            RK_OK);
        assert_int_equal(rk_corr_index_set_text(idx, objs[i].kind, objs[i].id, text, strlen(text)),
                         RK_OK);
    }
    for (size_t i = 0; i < 2; i++) {
        struct copy_ctx x = {.to = back};
        uint32_t sig[RK_CORR_MINHASH];
        assert_int_equal(rk_corr_index_walk_object(idx, objs[i].kind, objs[i].id, copy_held, &x),
                         RK_OK);
        assert_string_equal(rk_corr_index_object_unit(idx, objs[i].kind, objs[i].id), objs[i].unit);
        assert_int_equal(
            rk_corr_index_put_held(back, objs[i].kind, objs[i].id, objs[i].unit, x.held, x.n),
            RK_OK);
        assert_int_equal(rk_corr_index_signature(idx, objs[i].kind, objs[i].id, sig), RK_OK);
        assert_int_equal(rk_corr_index_set_signature(back, objs[i].kind, objs[i].id, sig), RK_OK);
    }
    char *e1 = explain_all(idx), *e2 = explain_all(back);
    assert_string_equal(e1, e2);
    assert_non_null(strstr(e1, "narrative 100% similar"));
    rk_free(e1);
    rk_free(e2);
    struct rk_corr_stats s1, s2;
    rk_corr_index_stats(idx, &s1);
    rk_corr_index_stats(back, &s2);
    assert_int_equal(s1.postings, s2.postings);
    assert_int_equal(s1.objects, s2.objects);

    /* Bad input changes nothing: an unknown value number, an invalid relation, no object. */
    struct rk_corr_held bad[] = {{999999, RK_CORR_REL_SAME}, {0, RK_CORR_REL_COUNT}};
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(
            rk_corr_index_put_held(back, RK_CORR_REPORT, "rep-a", "unit-1", &bad[i], 1), RK_EINVAL);
    uint32_t sig[RK_CORR_MINHASH], v;
    assert_int_equal(rk_corr_index_signature(back, RK_CORR_REPORT, "nope", sig), RK_ENOTFOUND);
    assert_int_equal(rk_corr_index_set_signature(back, RK_CORR_REPORT, "nope", sig), RK_ENOTFOUND);
    assert_int_equal(rk_corr_index_walk_object(back, RK_CORR_CASE, "rep-a", copy_held, NULL),
                     RK_ENOTFOUND);
    assert_null(rk_corr_index_object_unit(back, RK_CORR_CASE, "rep-a"));
    assert_int_equal(rk_corr_index_intern(back, "domain", "", &v), RK_EINVAL);
    e2 = explain_all(back);
    e1 = explain_all(idx);
    assert_string_equal(e1, e2);
    rk_free(e1);
    rk_free(e2);
    /* A value interned with no holder is not exported (it is no one's). */
    size_t c[4] = {0, 0, 0, 0}, c2[4] = {0, 0, 0, 0};
    assert_int_equal(rk_corr_index_export(back, count_value, count_posting, c), RK_OK);
    assert_int_equal(rk_corr_index_intern(back, "phone", "+815000000000", &v), RK_OK);
    assert_int_equal(rk_corr_index_export(back, count_value, count_posting, c2), RK_OK);
    assert_int_equal(c[0], c2[0]);
    rk_corr_index_destroy(idx);
    rk_corr_index_destroy(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_expand_stops),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_put_and_info),
        cmocka_unit_test(test_put_replaces_and_remove),
        cmocka_unit_test(test_bad_put_keeps_previous),
        cmocka_unit_test(test_type_limit_and_cap),
        cmocka_unit_test(test_export),
        cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_held_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
