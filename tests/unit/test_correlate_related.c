/* Unit tests of lib/correlate related objects: inverse-frequency ranking, grouped explanations,
 * the need-to-know hook (restricted objects never show their id, values or score), queries by
 * value, and narrative similarity of Japanese text. */
#include "rk-test.h"

#include <stdio.h>
#include <string.h>

#include "renkei/correlate.h"

#define V(t, v)                                                                                    \
    {                                                                                              \
        t, v, RK_CORR_REL_SAME                                                                     \
    }

struct obj {
    enum rk_corr_kind kind;
    const char *id;
    const char *unit;
    struct rk_corr_value vals[4];
    size_t n;
};

/* A small world: report q is the query. a shares q's rare bank account and sits on the same
 * registrable domain as q's two URLs; b shares a domain that five objects hold; c shares only
 * the /24 of q's address; d and e (cases of another unit) share the bank account as well. */
static const struct obj world[] = {
    {RK_CORR_REPORT,
     "q",
     "kumamoto-hq",
     {V("bank-account", "0009-111-2223334"), V("url", "http://a.evil.example/login"),
      V("url", "http://b.evil.example/pay"), V("ipv4", "45.76.1.10")},
     4},
    {RK_CORR_REPORT,
     "a",
     "kumamoto-hq",
     {V("bank-account", "0009-111-2223334"), V("domain", "evil.example")},
     2},
    {RK_CORR_REPORT, "b", "kumamoto-hq", {V("domain", "a.evil.example")}, 1},
    {RK_CORR_REPORT, "b2", "kumamoto-hq", {V("domain", "a.evil.example")}, 1},
    {RK_CORR_REPORT, "b3", "kumamoto-hq", {V("domain", "a.evil.example")}, 1},
    {RK_CORR_REPORT, "b4", "kumamoto-hq", {V("domain", "a.evil.example")}, 1},
    {RK_CORR_REPORT, "c", "kumamoto-hq", {V("ipv4", "45.76.1.99")}, 1},
    {RK_CORR_CASE, "d", "kyoto-st", {V("bank-account", "0009-111-2223334")}, 1},
    {RK_CORR_CASE, "e", "kyoto-st", {V("bank-account", "0009-111-2223334")}, 1},
    {RK_CORR_REPORT, "z", "kumamoto-hq", {V("phone", "+819012345678")}, 1},
};

static struct rk_corr_index *make_world(void)
{
    struct rk_corr_index *idx;
    assert_int_equal(rk_corr_index_create(NULL, &idx), RK_OK);
    for (size_t i = 0; i < RK_ARRAY_LEN(world); i++)
        assert_int_equal(rk_corr_index_put(idx, world[i].kind, world[i].id, world[i].unit,
                                           world[i].vals, world[i].n),
                         RK_OK);
    return idx;
}

struct access_log {
    const char *deny_unit;
    int calls;
    char seen[512];
};

static int deny_unit(void *ud, enum rk_corr_kind kind, const char *id, const char *unit)
{
    struct access_log *l = ud;
    l->calls++;
    size_t len = strlen(l->seen);
    snprintf(l->seen + len, sizeof l->seen - len, "%s/%s ", id, unit);
    return strcmp(unit, l->deny_unit) != 0;
}

struct hit_want {
    const char *id; /* NULL for a restricted entry */
    const char *unit;
    size_t restricted_count;
    const char *explanation;
};

static void test_ranking_and_explanations(void **state)
{
    static const struct hit_want want[] = {
        {"a", "kumamoto-hq", 0,
         "shares bank-account 0009-111-2223334; 2 url values on the same registrable domain "
         "evil.example"},
        {"d", "kyoto-st", 0, "shares bank-account 0009-111-2223334"},
        {"e", "kyoto-st", 0, "shares bank-account 0009-111-2223334"},
        {"b", "kumamoto-hq", 0,
         "url on the same host a.evil.example; 2 url values on the same registrable domain "
         "evil.example"},
        {"b2", "kumamoto-hq", 0,
         "url on the same host a.evil.example; 2 url values on the same registrable domain "
         "evil.example"},
        {"b3", "kumamoto-hq", 0,
         "url on the same host a.evil.example; 2 url values on the same registrable domain "
         "evil.example"},
        {"b4", "kumamoto-hq", 0,
         "url on the same host a.evil.example; 2 url values on the same registrable domain "
         "evil.example"},
        {"c", "kumamoto-hq", 0,
         "ipv4 in the same network 45.76.1.0/24; ipv4 in the same wide network 45.76.0.0/16"},
    };
    struct rk_corr_index *idx = make_world();
    struct rk_corr_result *r;
    assert_int_equal(rk_corr_related(idx, RK_CORR_REPORT, "q", NULL, NULL, NULL, &r), RK_OK);
    assert_int_equal(r->count, RK_ARRAY_LEN(want));
    for (size_t i = 0; i < r->count; i++) {
        print_message("%s %.3f %s\n", r->hits[i].object_id, r->hits[i].score,
                      r->hits[i].explanation);
        assert_string_equal(r->hits[i].object_id, want[i].id);
        assert_string_equal(r->hits[i].unit_id, want[i].unit);
        assert_string_equal(r->hits[i].explanation, want[i].explanation);
        assert_false(r->hits[i].restricted);
        assert_true(r->hits[i].nshared > 0);
        assert_true(i == 0 || r->hits[i - 1].score >= r->hits[i].score);
    }
    /* The rare bank account (3 other holders of 10) outweighs the host held by 5, and the
     * host and registrable domain of one chain count once. */
    assert_true(r->hits[1].score > r->hits[3].score);
    assert_true(r->hits[3].score < r->hits[3].shared[0].weight + r->hits[3].shared[1].weight);
    assert_int_equal(r->nsuppressed, 0);
    rk_corr_result_destroy(r);

    /* limit and min_score */
    struct rk_corr_query q = {.limit = 2};
    assert_int_equal(rk_corr_related(idx, RK_CORR_REPORT, "q", &q, NULL, NULL, &r), RK_OK);
    assert_int_equal(r->count, 2);
    assert_string_equal(r->hits[1].object_id, "d");
    rk_corr_result_destroy(r);
    struct rk_corr_query q2 = {.min_score = 1.0};
    assert_int_equal(rk_corr_related(idx, RK_CORR_REPORT, "q", &q2, NULL, NULL, &r), RK_OK);
    assert_int_equal(r->count, 3); /* a, d, e: the host and network links weigh less than 1 */
    rk_corr_result_destroy(r);

    /* An object that shares nothing, and one that does not exist. */
    assert_int_equal(rk_corr_related(idx, RK_CORR_REPORT, "z", NULL, NULL, NULL, &r), RK_OK);
    assert_int_equal(r->count, 0);
    rk_corr_result_destroy(r);
    r = (struct rk_corr_result *)1;
    assert_int_equal(rk_corr_related(idx, RK_CORR_REPORT, "nope", NULL, NULL, NULL, &r),
                     RK_ENOTFOUND);
    assert_null(r);
    rk_corr_index_destroy(idx);
}

static void test_access_hook_hides_details(void **state)
{
    struct rk_corr_index *idx = make_world();
    struct rk_corr_result *r;
    struct access_log log = {"kyoto-st", 0, ""};
    assert_int_equal(rk_corr_related(idx, RK_CORR_REPORT, "q", NULL, deny_unit, &log, &r), RK_OK);
    /* d and e collapse into one entry "2 cases held by kyoto-st", in d's rank. */
    assert_int_equal(r->count, 7);
    const struct rk_corr_hit *h = &r->hits[1];
    assert_true(h->restricted);
    assert_int_equal(h->kind, RK_CORR_CASE);
    assert_string_equal(h->unit_id, "kyoto-st");
    assert_int_equal(h->restricted_count, 2);
    assert_null(h->object_id);
    assert_null(h->explanation);
    assert_null(h->shared);
    assert_int_equal(h->nshared, 0);
    assert_true(h->score == 0.0);
    assert_string_equal(r->hits[2].object_id, "b");
    /* Every shown object was asked about, once. */
    assert_int_equal(log.calls, 8);
    rk_corr_result_destroy(r);

    /* Asking about a restricted holder of a value through a value query gives the same. */
    static const struct rk_corr_value bank = V("bank-account", "0009-111-2223334");
    struct access_log log2 = {"kyoto-st", 0, ""};
    assert_int_equal(rk_corr_related_values(idx, &bank, 1, NULL, deny_unit, &log2, &r), RK_OK);
    assert_int_equal(r->count, 3); /* a, the restricted pair (d, e), q: equal scores, by id */
    assert_true(r->hits[1].restricted);
    assert_int_equal(r->hits[1].restricted_count, 2);
    assert_string_equal(r->hits[0].object_id, "a");
    assert_string_equal(r->hits[0].explanation, "shares bank-account 0009-111-2223334");
    assert_string_equal(r->hits[2].object_id, "q");
    rk_corr_result_destroy(r);
    rk_corr_index_destroy(idx);
}

static void test_value_query(void **state)
{
    struct rk_corr_index *idx = make_world();
    struct rk_corr_result *r;
    /* A URL nobody holds still finds who holds its host and registrable domain. */
    static const struct rk_corr_value url = V("url", "https://a.evil.example/other");
    assert_int_equal(rk_corr_related_values(idx, &url, 1, NULL, NULL, NULL, &r), RK_OK);
    assert_int_equal(r->count, 6);
    assert_string_equal(r->hits[0].object_id, "b");
    assert_string_equal(r->hits[0].explanation,
                        "url on the same host a.evil.example; url on the same registrable "
                        "domain evil.example");
    assert_string_equal(r->hits[4].object_id, "q");
    assert_string_equal(r->hits[5].object_id, "a");
    rk_corr_result_destroy(r);
    static const struct rk_corr_value unknown = V("ipv4", "192.0.2.200");
    assert_int_equal(rk_corr_related_values(idx, &unknown, 1, NULL, NULL, NULL, &r), RK_OK);
    assert_int_equal(r->count, 0);
    rk_corr_result_destroy(r);
    static const struct rk_corr_value bad = {NULL, "x", RK_CORR_REL_SAME};
    assert_int_equal(rk_corr_related_values(idx, &bad, 1, NULL, NULL, NULL, &r), RK_EINVAL);
    rk_corr_index_destroy(idx);
}

struct sim_case {
    const char *a;
    const char *b;
    double min, max;
};

static const struct sim_case sim_cases[] = {
    /* Layout and width do not matter: full-width letters, spaces, punctuation. */
    {"ＳＭＳで不在通知が届き、リンクを開いた。", "SMS で 不在通知 が届きリンクを開いた", 1.0, 1.0},
    /* The same fraud script with a different amount and name. */
    {"お客様のアカウントに不正なログインがありました。下記のリンクから本人確認を行ってください。"
     "期限は本日中です。",
     "お客様のアカウントに不正なログインがありました。下記のリンクから本人確認を行ってください。"
     "期限は明日までです。",
     0.6, 1.0},
    {"お客様のアカウントに不正なログインがありました。", "ウイルスに感染しましたと警告音が鳴った",
     0.0, 0.1},
    {"ab", "ab", 0.0, 0.0}, /* no trigram */
    {"", "", 0.0, 0.0},
};

static void test_text_similarity(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(sim_cases); i++) {
        double s = rk_corr_text_similarity(sim_cases[i].a, strlen(sim_cases[i].a), sim_cases[i].b,
                                           strlen(sim_cases[i].b));
        print_message("case %zu: %.3f\n", i, s);
        assert_true(s >= sim_cases[i].min && s <= sim_cases[i].max);
    }
}

static void test_text_in_related(void **state)
{
    static const char t1[] =
        "パソコンでサイトを見ていたら突然警告音が鳴り、ウイルスに感染したと表示"
        "された。表示された番号に電話すると、サポート料として電子マネーの購入を"
        "求められた。";
    static const char t2[] =
        "パソコンでサイトを見ていたら突然警告音が鳴り、ウイルスに感染したと表示"
        "された。表示された番号に電話すると、サポート料としてギフトカードの購入"
        "を求められた。";
    static const char t3[] = "通販サイトで商品を注文して代金を振り込んだが、商品が届かず連絡も取れ"
                             "なくなった。";
    struct rk_corr_index *idx = make_world();
    assert_int_equal(rk_corr_index_set_text(idx, RK_CORR_REPORT, "z", t1, strlen(t1)), RK_OK);
    assert_int_equal(rk_corr_index_set_text(idx, RK_CORR_REPORT, "c", t2, strlen(t2)), RK_OK);
    assert_int_equal(rk_corr_index_set_text(idx, RK_CORR_REPORT, "b", t3, strlen(t3)), RK_OK);
    assert_int_equal(rk_corr_index_set_text(idx, RK_CORR_REPORT, "nope", t3, strlen(t3)),
                     RK_ENOTFOUND);
    struct rk_corr_result *r;
    assert_int_equal(rk_corr_related(idx, RK_CORR_REPORT, "z", NULL, NULL, NULL, &r), RK_OK);
    assert_int_equal(r->count, 1);
    assert_string_equal(r->hits[0].object_id, "c");
    assert_true(r->hits[0].text_similarity > 0.6);
    assert_int_equal(r->hits[0].nshared, 0);
    char want[64];
    snprintf(want, sizeof want, "narrative %.0f%% similar", r->hits[0].text_similarity * 100);
    assert_string_equal(r->hits[0].explanation, want);
    rk_corr_result_destroy(r);
    struct rk_corr_query q = {.no_text = 1};
    assert_int_equal(rk_corr_related(idx, RK_CORR_REPORT, "z", &q, NULL, NULL, &r), RK_OK);
    assert_int_equal(r->count, 0);
    rk_corr_result_destroy(r);
    /* Clearing the narrative removes the link; so does removing the other object. */
    assert_int_equal(rk_corr_index_set_text(idx, RK_CORR_REPORT, "c", "", 0), RK_OK);
    assert_int_equal(rk_corr_related(idx, RK_CORR_REPORT, "z", NULL, NULL, NULL, &r), RK_OK);
    assert_int_equal(r->count, 0);
    rk_corr_result_destroy(r);
    assert_int_equal(rk_corr_index_set_text(idx, RK_CORR_REPORT, "c", t2, strlen(t2)), RK_OK);
    assert_int_equal(rk_corr_index_remove(idx, RK_CORR_REPORT, "c"), RK_OK);
    assert_int_equal(rk_corr_related(idx, RK_CORR_REPORT, "z", NULL, NULL, NULL, &r), RK_OK);
    assert_int_equal(r->count, 0);
    rk_corr_result_destroy(r);
    rk_corr_index_destroy(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranking_and_explanations),
        cmocka_unit_test(test_access_hook_hides_details),
        cmocka_unit_test(test_value_query),
        cmocka_unit_test(test_text_similarity),
        cmocka_unit_test(test_text_in_related),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
