/*
 * Unit tests of the patrol scanner: scoring with weights, contexts and windows, evidence spans
 * mapped to the original bytes, invalid UTF-8 reports, and the chunk-overlap rule.
 */
#include "rk-test.h"

#include <stdio.h>
#include <string.h>

#include "renkei/patrol.h"

/* test_prefilter switches the dictionary's prefilter off to compare (engine internals). */
#include "patrol-int.h"

static const char *dict_text = "category drug 1.0 薬物\n"
                               "category recruit 1.0 犯罪実行者募集\n"
                               "context price re:[0-9]{3,6}円\n"
                               "context trade lit:手押し\n"
                               "rule D1 drug 0.5 lit:アイス near=price,trade window=10\n"
                               "rule D2 drug 0.5 lit:冷たいの near=price,trade window=10\n"
                               "rule D3 drug 1.0 lit:シャブ売ります\n"
                               "rule D4 drug -1.0 lit:八百屋\n"
                               "rule R1 recruit 1.0 lit:闇バイト\n"
                               "rule R2 recruit 0.5 re:日(給|当)[0-9]{1,2}万\n";

struct state {
    struct rk_patrol_norm *norm;
    struct rk_patrol_dict *dict;
    struct rk_patrol_scanner *scan;
};

static int setup(void **state)
{
    static struct state st;
    char err[256] = "";
    if (rk_patrol_norm_create(&st.norm) != RK_OK ||
        rk_patrol_dict_create(st.norm, &st.dict) != RK_OK ||
        rk_patrol_dict_parse(st.dict, "t.rules", dict_text, strlen(dict_text), err, sizeof err) !=
            RK_OK ||
        rk_patrol_dict_compile(st.dict, err, sizeof err) != RK_OK ||
        rk_patrol_scanner_create(st.dict, &st.scan) != RK_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    *state = &st;
    return 0;
}

static int teardown(void **state)
{
    struct state *st = *state;
    if (st == NULL)
        return 0;
    rk_patrol_scanner_destroy(st->scan);
    rk_patrol_dict_destroy(st->dict);
    rk_patrol_norm_destroy(st->norm);
    return 0;
}

struct score_case {
    const char *text;
    const char *category; /* expected category of the one finding, or NULL for none */
    double score;
};

static const struct score_case score_cases[] = {
    {"ｼｬﾌﾞ 売ります", "drug", 1.0},             /* one strong rule */
    {"アイス 冷たいの 1g 8000円", "drug", 1.0}, /* two weak rules, each near a price */
    {"アイス 冷たいの", NULL, 0},               /* no context: neither counts */
    {"アイス 1000円", NULL, 0},                 /* one weak rule is not enough */
    {"アイス、今日は天気が良くて散歩したあとに冷たいの 手押し", NULL, 0}, /* アイス too far */
    {"八百屋 シャブ売ります", NULL, 0}, /* a negative rule pulls it down */
    {"闇 バ イ ト", "recruit", 1.0},
    {"日給5万 闇バイト", "recruit", 1.5},
    {"日給5万", NULL, 0},
    {"闇バイト 闇バイト 闇バイト", "recruit", 1.0}, /* a rule counts once per record */
};

static void test_scores(void **state)
{
    struct state *st = *state;
    for (size_t i = 0; i < RK_ARRAY_LEN(score_cases); i++) {
        const struct score_case *c = &score_cases[i];
        struct rk_patrol_record r = {c->text, strlen(c->text), 0};
        assert_int_equal(rk_patrol_scan(st->scan, &r, 1), RK_OK);
        const struct rk_patrol_finding *f;
        size_t n = rk_patrol_scanner_findings(st->scan, &f);
        if (c->category == NULL) {
            if (n != 0)
                fail_msg("case %zu '%s': unexpected finding", i, c->text);
            continue;
        }
        if (n != 1)
            fail_msg("case %zu '%s': %zu findings, want 1", i, c->text, n);
        assert_string_equal(rk_patrol_dict_category(st->dict, f[0].category)->key, c->category);
        assert_float_equal(f[0].score, c->score, 1e-9);
    }
}

/* "xx 闇 ﾊﾞｲﾄ" — the evidence is the original text with its half-width kana, bytes 3..19. */
static void test_spans(void **state)
{
    struct state *st = *state;
    const char *text = "xx \xe9\x97\x87 \xef\xbe\x8a\xef\xbe\x9e\xef\xbd\xb2\xef\xbe\x84";
    struct rk_patrol_record r = {text, strlen(text), 0};
    assert_int_equal(rk_patrol_scan(st->scan, &r, 1), RK_OK);
    const struct rk_patrol_finding *f;
    assert_int_equal(rk_patrol_scanner_findings(st->scan, &f), 1);
    assert_int_equal(f[0].n_spans, 1);
    assert_int_equal(f[0].spans[0].start, 3);
    assert_int_equal(f[0].spans[0].end, strlen(text));
    assert_int_equal(f[0].n_rules, 1);
    assert_string_equal(f[0].rule_ids[0], "R1");
}

/* A context that qualified a rule is part of the evidence. */
static void test_context_span(void **state)
{
    struct state *st = *state;
    const char *text = "アイス 手押し 冷たいの";
    struct rk_patrol_record r = {text, strlen(text), 0};
    assert_int_equal(rk_patrol_scan(st->scan, &r, 1), RK_OK);
    const struct rk_patrol_finding *f;
    assert_int_equal(rk_patrol_scanner_findings(st->scan, &f), 1);
    assert_int_equal(f[0].n_spans, 3); /* アイス, 手押し, 冷たいの */
    assert_int_equal(f[0].spans[1].start, 10);
    assert_int_equal(f[0].spans[1].end, 19);
}

/* A regex context that ends the record, 64+ bytes in, still gets its true start (a Vectorscan
 * start-of-match quirk is worked around in find_start()). */
static void test_regex_start_at_end(void **state)
{
    struct state *st = *state;
    const char *text = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                       "アイス 冷たいの 8000円";
    struct rk_patrol_record r = {text, strlen(text), 0};
    assert_int_equal(rk_patrol_scan(st->scan, &r, 1), RK_OK);
    const struct rk_patrol_finding *f;
    assert_int_equal(rk_patrol_scanner_findings(st->scan, &f), 1);
    assert_int_equal(f[0].n_spans, 3); /* in text order: アイス, 冷たいの, 8000円 (their context) */
    assert_int_equal(f[0].spans[2].end, strlen(text));
    assert_int_equal(f[0].spans[2].start, strlen(text) - strlen("8000円"));
}

/* Several records in one call: findings carry their record index. */
static void test_batch(void **state)
{
    struct state *st = *state;
    struct rk_patrol_record r[3] = {
        {"普通の投稿", strlen("普通の投稿"), 0},
        {"闇バイト", strlen("闇バイト"), 0},
        {"シャブ売ります", strlen("シャブ売ります"), 0},
    };
    assert_int_equal(rk_patrol_scan(st->scan, r, 3), RK_OK);
    const struct rk_patrol_finding *f;
    assert_int_equal(rk_patrol_scanner_findings(st->scan, &f), 2);
    assert_int_equal(f[0].record, 1);
    assert_int_equal(f[1].record, 2);
}

/* Invalid UTF-8 is reported with its offset and does not stop the scan. */
static void test_invalid(void **state)
{
    struct state *st = *state;
    const char *text = "闇\xff\xfeバイト";
    struct rk_patrol_record r = {text, strlen(text), 0};
    assert_int_equal(rk_patrol_scan(st->scan, &r, 1), RK_OK);
    const struct rk_patrol_invalid *inv;
    assert_int_equal(rk_patrol_scanner_invalid(st->scan, &inv), 2);
    assert_int_equal(inv[0].offset, 3);
    assert_int_equal(inv[1].offset, 4);
    const struct rk_patrol_finding *f;
    assert_int_equal(rk_patrol_scanner_findings(st->scan, &f), 0); /* U+FFFD breaks the word */
}

/* Evidence wholly inside the part shared with the previous chunk is not reported twice. */
static void test_dup_prefix(void **state)
{
    struct state *st = *state;
    const char *text = "闇バイト です";
    struct rk_patrol_record r = {text, strlen(text), 12};
    assert_int_equal(rk_patrol_scan(st->scan, &r, 1), RK_OK);
    const struct rk_patrol_finding *f;
    assert_int_equal(rk_patrol_scanner_findings(st->scan, &f), 0);
    r.dup_prefix = 11;
    assert_int_equal(rk_patrol_scan(st->scan, &r, 1), RK_OK);
    assert_int_equal(rk_patrol_scanner_findings(st->scan, &f), 1);
}

/*
 * The prefilter (only records whose positive rules could reach a threshold get the full scan)
 * must not change any result:
 * every score case, plus texts holding only contexts or only a negative rule, gives the same
 * findings with and without it. A dictionary of negative rules only has no prefilter and still
 * scans.
 */
static void test_prefilter(void **state)
{
    struct state *st = *state;
    assert_non_null(st->dict->pre_db);
    static const char *extra[] = {"1000円 手押し",
                                  "八百屋",
                                  "日給",
                                  "アイス 1000円 冷たいの",
                                  "アイス 日給5万 1000円",
                                  "冷たいの 手押し 闇バイト",
                                  ""};
    for (size_t i = 0; i < RK_ARRAY_LEN(score_cases) + RK_ARRAY_LEN(extra); i++) {
        const char *text = i < RK_ARRAY_LEN(score_cases) ? score_cases[i].text
                                                         : extra[i - RK_ARRAY_LEN(score_cases)];
        struct rk_patrol_record r = {text, strlen(text), 0};
        size_t n[2];
        double score[2] = {0, 0};
        hs_database_t *pre = st->dict->pre_db;
        for (int off = 0; off < 2; off++) {
            st->dict->pre_db = off ? NULL : pre;
            assert_int_equal(rk_patrol_scan(st->scan, &r, 1), RK_OK);
            const struct rk_patrol_finding *f;
            n[off] = rk_patrol_scanner_findings(st->scan, &f);
            for (size_t k = 0; k < n[off]; k++)
                score[off] += f[k].score;
        }
        st->dict->pre_db = pre;
        if (n[0] != n[1] || score[0] != score[1])
            fail_msg("'%s': %zu findings with the prefilter, %zu without", text, n[0], n[1]);
    }

    struct rk_patrol_dict *neg = NULL;
    struct rk_patrol_scanner *sc = NULL;
    static const char neg_text[] = "category c 1.0 c\nrule N1 c -1.0 lit:八百屋\n";
    char err[256] = "";
    assert_int_equal(rk_patrol_dict_create(st->norm, &neg), RK_OK);
    assert_int_equal(
        rk_patrol_dict_parse(neg, "n.rules", neg_text, strlen(neg_text), err, sizeof err), RK_OK);
    assert_int_equal(rk_patrol_dict_compile(neg, err, sizeof err), RK_OK);
    assert_null(neg->pre_db);
    assert_int_equal(rk_patrol_scanner_create(neg, &sc), RK_OK);
    struct rk_patrol_record r = {"八百屋", strlen("八百屋"), 0};
    assert_int_equal(rk_patrol_scan(sc, &r, 1), RK_OK);
    const struct rk_patrol_finding *f;
    assert_int_equal(rk_patrol_scanner_findings(sc, &f), 0);
    rk_patrol_scanner_destroy(sc);
    rk_patrol_dict_destroy(neg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scores),
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_context_span),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_dup_prefix),
        cmocka_unit_test(test_regex_start_at_end),
        cmocka_unit_test(test_prefilter),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
