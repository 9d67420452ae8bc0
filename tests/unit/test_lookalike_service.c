/* Unit tests of lookalike review (lib/model/lookalike-service.c) on a real store with the
 * shipped brand list: lookalike lines become matches with brand and reasons, legitimate and junk
 * lines do not; the same host seen again updates its row; domains and URLs become observables;
 * the list is ranked and filtered; confirm creates a takedown record, reopen removes it while it
 * is still 未依頼; a feed position commits with its matches; bad input is refused naming the
 * field and writes nothing; roles outside the cyber unit are refused; statistics count per brand
 * and status. All hosts are fictional. */
#include "store-fixture.h"

#include "renkei/limits.h"
#include "renkei/lookalike.h"
#include "store/store.h"

static int setup(void **state)
{
    unsetenv("RENKEI_BRANDS");
    *state = fx_open();
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

static json_t *submit(struct fx *f, const struct rk_actor *who, const char *text,
                      enum rk_status want)
{
    json_t *in = json_pack("{s:s}", "text", text);
    json_t *out = NULL;
    struct rk_error err = {0};
    enum rk_status rc = rk_lookalike_submit(f->s, who, in, &out, &err);
    if (rc != want)
        fprintf(stderr, "submit: %d %s (%s)\n", rc, err.message, err.field);
    assert_int_equal(rc, want);
    json_decref(in);
    return out;
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* One row of the table of single-line checks. */
struct line_case {
    const char *line;
    int matches;       /* 1 when the line must be stored as a match */
    const char *brand; /* brand id of that match */
    const char *kind;  /* a reason kind the match must carry */
    int url_obs;       /* 1 when a URL observable must be linked */
};

static const struct line_case LINES[] = {
    {"rakuten-login-kakunin.xyz", 1, "rakuten", "combosquat", 0},
    {"https://amazon-co-jp-fuzai.top/signin", 1, "amazon", "combosquat", 1},
    {"www.rakuten.co.jp", 0, NULL, NULL, 0},           /* the brand's own domain */
    {"example-bakery.jp", 0, NULL, NULL, 0},           /* nothing like a brand */
    {"192.0.2.10", 0, NULL, NULL, 0},                  /* an IP literal: skipped */
    {"smbc-card.test", 1, "smbc-card", "tld-swap", 0}, /* reserved TLD: no observable */
};

static void test_lines_table(void **state)
{
    struct fx *f = *state;
    for (size_t i = 0; i < sizeof LINES / sizeof LINES[0]; i++) {
        const struct line_case *lc = &LINES[i];
        json_t *o = submit(f, &f->analyst, lc->line, RK_OK);
        json_t *ms = json_object_get(o, "matches");
        assert_int_equal(json_array_size(ms), (size_t)lc->matches);
        assert_int_equal(json_integer_value(json_object_get(o, "checked")), 1);
        if (lc->matches) {
            json_t *m = json_array_get(ms, 0);
            assert_string_equal(str(json_object_get(m, "brand"), "id"), lc->brand);
            assert_string_equal(str(m, "input"), lc->line);
            assert_string_equal(str(m, "status"), "new");
            assert_string_equal(str(m, "source"), "api");
            assert_true(json_is_true(json_object_get(m, "new")));
            assert_true(json_integer_value(json_object_get(m, "score")) >=
                        RK_LOOKALIKE_DEFAULT_MIN_SCORE);
            json_t *r0 = json_array_get(json_object_get(m, "reasons"), 0);
            int has_kind = 0;
            size_t k;
            json_t *r;
            json_array_foreach(json_object_get(m, "reasons"), k, r) has_kind |=
                strcmp(str(r, "kind"), lc->kind) == 0;
            assert_non_null(r0);
            assert_true(has_kind);
            json_t *obs = json_object_get(m, "observables");
            assert_int_equal(json_is_string(json_object_get(obs, "url")), lc->url_obs);
            assert_true(json_is_null(json_object_get(m, "takedown")));
        }
        json_decref(o);
    }
    assert_int_equal(fx_count(f, "SELECT count(*) FROM lookalike_matches"), 3);
    /* Domains on real suffixes and the URL became observables; the .test host did not. */
    assert_int_equal(fx_count(f, "SELECT count(*) FROM observables WHERE type = 'domain' AND"
                                 " canonical IN ('rakuten-login-kakunin.xyz',"
                                 " 'amazon-co-jp-fuzai.top')"),
                     2);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM observables WHERE type = 'url'"), 1);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM lookalike_matches m JOIN observables o"
                                 " ON o.id = m.domain_obs_id"),
                     2);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit WHERE object_type ="
                                 " 'lookalike_match' AND action = 'create'"),
                     3);

    /* Seen elsewhere: a report holding the domain is counted on the match. */
    char rid[37];
    fx_report(f, &f->station_a, "フィッシングサイト（試験）",
              "rakuten-login-kakunin.xyz にカード番号を入力した。", NULL, rid);
    struct rk_lookalike_query q = {0};
    q.brand = "rakuten";
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_lookalike_list(f->s, &f->analyst, &q, &o, &err), RK_OK);
    json_t *obs = json_object_get(json_array_get(json_object_get(o, "items"), 0), "observables");
    assert_int_equal(json_integer_value(json_object_get(obs, "reports")), 1);
    assert_int_equal(json_integer_value(json_object_get(obs, "cases")), 0);
    json_decref(o);
}

static void test_reseen_and_list(void **state)
{
    struct fx *f = *state;
    struct rk_error err = {0};
    json_t *o = submit(f, &f->analyst,
                       "rakuten-login-kakunin.xyz\n\n  smbc-card.test \r\nbad..name\n"
                       "rakuten-login-kakunin.xyz\n",
                       RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "checked")), 4);
    assert_int_equal(json_integer_value(json_object_get(o, "skipped")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(json_object_get(o, "skips"), 0), "line")),
        4);
    json_t *ms = json_object_get(o, "matches");
    assert_int_equal(json_array_size(ms), 3);
    assert_true(json_is_true(json_object_get(json_array_get(ms, 0), "new")));
    assert_true(json_is_false(json_object_get(json_array_get(ms, 2), "new")));
    assert_string_equal(str(json_array_get(ms, 0), "id"), str(json_array_get(ms, 2), "id"));
    json_decref(o);
    /* A later submit of the same host counts a third sighting, on the same row. */
    o = submit(f, &f->supervisor, "https://rakuten-login-kakunin.xyz/card", RK_OK);
    json_t *m = json_array_get(json_object_get(o, "matches"), 0);
    assert_int_equal(json_integer_value(json_object_get(m, "times_seen")), 3);
    assert_true(json_is_string(json_object_get(json_object_get(m, "observables"), "url")));
    assert_string_equal(str(m, "input"), "rakuten-login-kakunin.xyz");
    json_decref(o);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM lookalike_matches"), 2);

    /* Ranked by score, filtered by brand, sector and minimum score. */
    struct rk_lookalike_query q = {0};
    assert_int_equal(rk_lookalike_list(f->s, &f->analyst2, &q, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 2);
    json_t *items = json_object_get(o, "items");
    assert_true(json_integer_value(json_object_get(json_array_get(items, 0), "score")) >=
                json_integer_value(json_object_get(json_array_get(items, 1), "score")));
    json_decref(o);
    q.brand = "rakuten";
    assert_int_equal(rk_lookalike_list(f->s, &f->analyst2, &q, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
    json_decref(o);
    q.brand = NULL;
    q.sector = "credit";
    assert_int_equal(rk_lookalike_list(f->s, &f->analyst2, &q, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
    assert_string_equal(str(json_array_get(json_object_get(o, "items"), 0), "host"),
                        "smbc-card.test");
    json_decref(o);
    q.sector = NULL;
    /* rakuten-login-kakunin.xyz scores 100 (two phishing words), smbc-card.test 95. */
    q.min_score = 96;
    assert_int_equal(rk_lookalike_list(f->s, &f->analyst2, &q, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
    assert_string_equal(str(json_array_get(json_object_get(o, "items"), 0), "host"),
                        "rakuten-login-kakunin.xyz");
    json_decref(o);
    q.min_score = 101;
    o = NULL;
    assert_int_equal(rk_lookalike_list(f->s, &f->analyst2, &q, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "min_score");
    q.min_score = 0;
    q.status = "open";
    assert_int_equal(rk_lookalike_list(f->s, &f->analyst2, &q, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "status");
    assert_null(o);
}

static json_t *decide(struct fx *f, const char *id, const char *decision, const char *target,
                      enum rk_status want)
{
    json_t *in = json_pack("{s:s,s:s?}", "decision", decision, "target_org", target);
    json_t *out = NULL;
    struct rk_error err = {0};
    enum rk_status rc = rk_lookalike_decide(f->s, &f->analyst, id, in, &out, &err);
    if (rc != want)
        fprintf(stderr, "decide: %d %s (%s)\n", rc, err.message, err.field);
    assert_int_equal(rc, want);
    json_decref(in);
    return out;
}

static void test_decide_takedown_stats(void **state)
{
    struct fx *f = *state;
    struct rk_error err = {0};
    json_t *o = submit(f, &f->analyst, "rakuten-login-kakunin.xyz\nsmbc-card.test\n", RK_OK);
    char a[37], b[37];
    snprintf(a, sizeof a, "%s", str(json_array_get(json_object_get(o, "matches"), 0), "id"));
    snprintf(b, sizeof b, "%s", str(json_array_get(json_object_get(o, "matches"), 1), "id"));
    json_decref(o);

    o = decide(f, a, "confirm", "架空レジストラ株式会社", RK_OK);
    assert_string_equal(str(o, "status"), "confirmed");
    json_t *td = json_object_get(o, "takedown");
    assert_string_equal(str(td, "status"), "not_requested");
    assert_string_equal(str(td, "domain"), "rakuten-login-kakunin.xyz");
    assert_string_equal(str(td, "target_org"), "架空レジストラ株式会社");
    char tid[37];
    snprintf(tid, sizeof tid, "%s", str(td, "id"));
    json_decref(o);
    assert_null(decide(f, a, "dismiss", NULL, RK_ECONFLICT));
    assert_null(decide(f, b, "reopen", NULL, RK_ECONFLICT));
    assert_null(decide(f, b, "dismiss", "x", RK_EINVAL));
    json_decref(decide(f, b, "dismiss", NULL, RK_OK));

    /* Reopen while 未依頼 removes the record; once requested, reopening is refused. */
    o = decide(f, a, "reopen", NULL, RK_OK);
    assert_string_equal(str(o, "status"), "new");
    assert_true(json_is_null(json_object_get(o, "takedown")));
    json_decref(o);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM lookalike_takedowns"), 0);
    o = decide(f, a, "confirm", NULL, RK_OK);
    snprintf(tid, sizeof tid, "%s", str(json_object_get(o, "takedown"), "id"));
    json_decref(o);
    json_t *in = json_pack("{s:s,s:s}", "status", "requested", "target_org", "架空ホスティング");
    assert_int_equal(rk_lookalike_takedown_update(f->s, &f->supervisor, tid, in, &o, &err), RK_OK);
    assert_string_equal(str(o, "status"), "requested");
    assert_string_equal(str(json_object_get(o, "updated_by"), "name"), "supervisor");
    json_decref(o);
    json_decref(in);
    assert_null(decide(f, a, "reopen", NULL, RK_ECONFLICT));
    in = json_pack("{s:s}", "status", "依頼済");
    o = NULL;
    assert_int_equal(rk_lookalike_takedown_update(f->s, &f->analyst, tid, in, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "status");
    json_decref(in);
    in = json_pack("{s:s}", "status", "removed");
    assert_int_equal(rk_lookalike_takedown_update(f->s, &f->analyst, "no-such", in, &o, &err),
                     RK_ENOTFOUND);
    json_decref(in);
    assert_int_equal(rk_lookalike_takedown_list(f->s, &f->analyst, "requested", 0, 0, &o, &err),
                     RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
    json_decref(o);

    assert_int_equal(rk_lookalike_stats(f->s, &f->analyst, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 2);
    json_t *it;
    size_t i;
    json_array_foreach(json_object_get(o, "items"), i, it)
    {
        const char *brand = str(json_object_get(it, "brand"), "id");
        int rakuten = strcmp(brand, "rakuten") == 0;
        assert_int_equal(json_integer_value(json_object_get(it, "confirmed")), rakuten);
        assert_int_equal(json_integer_value(json_object_get(it, "dismissed")), !rakuten);
    }
    json_decref(o);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit WHERE object_type ="
                                 " 'lookalike_match' AND action = 'decide'"),
                     4);
}

static void test_feed_position(void **state)
{
    struct fx *f = *state;
    struct rk_error err = {0};
    struct rk_lookalike_feed_pos pos;
    int found = 1;
    assert_int_equal(rk_lookalike_feed_get(f->s, &f->sys, "/feeds/today.txt", &pos, &found, &err),
                     RK_OK);
    assert_int_equal(found, 0);
    static const char TEXT[] = "rakuten-login-kakunin.xyz\nexample-bakery.jp\n";
    struct rk_lookalike_batch b = {0};
    b.source = "today.txt";
    b.text = TEXT;
    b.len = sizeof TEXT - 1;
    b.feed = "/feeds/today.txt";
    b.pos.dev = 7;
    b.pos.ino = 42;
    b.pos.offset = sizeof TEXT - 1;
    b.pos.lines = 2;
    json_t *o = NULL;
    assert_int_equal(rk_lookalike_store_batch(f->s, &f->sys, &b, &o, &err), RK_OK);
    assert_string_equal(str(json_array_get(json_object_get(o, "matches"), 0), "source"),
                        "today.txt");
    json_decref(o);
    assert_int_equal(rk_lookalike_feed_get(f->s, &f->sys, "/feeds/today.txt", &pos, &found, &err),
                     RK_OK);
    assert_int_equal(found, 1);
    assert_int_equal(pos.ino, 42);
    assert_int_equal(pos.offset, sizeof TEXT - 1);
    assert_int_equal(pos.lines, 2);
    /* A bad batch writes neither matches nor the position. */
    b.min_score = 101;
    b.pos.offset = 999;
    o = NULL;
    assert_int_equal(rk_lookalike_store_batch(f->s, &f->sys, &b, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "min_score");
    assert_null(o);
    assert_int_equal(fx_count(f, "SELECT offset FROM lookalike_feeds"), sizeof TEXT - 1);
    assert_int_equal(fx_count(f, "SELECT times_seen FROM lookalike_matches"), 1);

    /* only_new: every match is stored and counted, only first-time hosts are listed. */
    static const char MORE[] = "rakuten-login-kakunin.xyz\nsmbc-card.test\nsmbc-card.test\n";
    b.min_score = 0;
    b.text = MORE;
    b.len = sizeof MORE - 1;
    b.pos.offset = 99;
    b.only_new = 1;
    assert_int_equal(rk_lookalike_store_batch(f->s, &f->sys, &b, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "stored")), 3);
    json_t *ms = json_object_get(o, "matches");
    assert_int_equal(json_array_size(ms), 1);
    assert_string_equal(str(json_array_get(ms, 0), "host"), "smbc-card.test");
    json_decref(o);
    assert_int_equal(fx_count(f, "SELECT sum(times_seen) FROM lookalike_matches"), 4);
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    struct rk_error err = {0};
    json_t *o = NULL;
    /* Bad input names the field and writes nothing. */
    struct bad {
        const char *json;
        enum rk_status rc;
        const char *field;
    } bad[] = {
        {"{}", RK_EINVAL, "text"},
        {"{\"text\":42}", RK_EINVAL, "text"},
        {"{\"text\":\"  \\n \"}", RK_EINVAL, "text"},
        {"{\"text\":\"a.example\",\"lines\":1}", RK_EINVAL, "lines"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *in = json_loads(bad[i].json, 0, NULL);
        assert_non_null(in);
        memset(&err, 0, sizeof err);
        assert_int_equal(rk_lookalike_submit(f->s, &f->analyst, in, &o, &err), bad[i].rc);
        assert_string_equal(err.field, bad[i].field);
        json_decref(in);
    }
    size_t n = RK_MAX_LOOKALIKE_SUBMIT_LINES + 1;
    char *many = rk_malloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        many[2 * i] = 'a';
        many[2 * i + 1] = '\n';
    }
    many[2 * n] = '\0';
    json_t *in = json_pack("{s:s}", "text", many);
    assert_int_equal(rk_lookalike_submit(f->s, &f->analyst, in, &o, &err), RK_ETOOBIG);
    assert_string_equal(err.field, "text");
    json_decref(in);
    rk_free(many);
    json_t *dec = json_pack("{s:s}", "decision", "takedown");
    assert_int_equal(rk_lookalike_decide(f->s, &f->analyst, "x", dec, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "decision");
    json_decref(dec);
    assert_null(o);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM lookalike_matches"), 0);

    /* Only analysts and supervisors (and the installation). */
    const struct rk_actor *no[] = {&f->station_a, &f->partner, &f->admin};
    json_t *post = json_pack("{s:s}", "text", "rakuten-login-kakunin.xyz");
    dec = json_pack("{s:s}", "decision", "dismiss");
    json_t *upd = json_pack("{s:s}", "status", "removed");
    struct rk_lookalike_query q = {0};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        assert_int_equal(rk_lookalike_submit(f->s, no[i], post, &o, &err), RK_EFORBIDDEN);
        assert_int_equal(rk_lookalike_list(f->s, no[i], &q, &o, &err), RK_EFORBIDDEN);
        assert_int_equal(rk_lookalike_get(f->s, no[i], "x", &o, &err), RK_EFORBIDDEN);
        assert_int_equal(rk_lookalike_decide(f->s, no[i], "x", dec, &o, &err), RK_EFORBIDDEN);
        assert_int_equal(rk_lookalike_stats(f->s, no[i], &o, &err), RK_EFORBIDDEN);
        assert_int_equal(rk_lookalike_takedown_list(f->s, no[i], NULL, 0, 0, &o, &err),
                         RK_EFORBIDDEN);
        assert_int_equal(rk_lookalike_takedown_update(f->s, no[i], "x", upd, &o, &err),
                         RK_EFORBIDDEN);
        assert_null(o);
    }
    json_decref(post);
    json_decref(dec);
    json_decref(upd);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM lookalike_matches"), 0);
    assert_int_equal(rk_lookalike_get(f->s, &f->analyst, "no-such", &o, &err), RK_ENOTFOUND);
}

static void test_bad_brand_list(void **state)
{
    struct fx *f = *state;
    setenv("RENKEI_BRANDS", "/nonexistent/brands", 1);
    json_t *o = submit(f, &f->analyst, "rakuten-login-kakunin.xyz", RK_EIO);
    assert_null(o);
    unsetenv("RENKEI_BRANDS");
    o = submit(f, &f->analyst, "rakuten-login-kakunin.xyz", RK_OK);
    assert_int_equal(json_array_size(json_object_get(o, "matches")), 1);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lines_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reseen_and_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decide_takedown_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feed_position, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_brand_list, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
