/* Unit tests of the correlation service (lib/model/correlate-service.c) on a real store:
 * related reports and cases with explanations, need-to-know (restricted entries carry only
 * kind and unit), refusals per role, the index kept current on writes, warninglisted values
 * listed as suppressed with their reason, value queries, groups, rebuild, and audit. */
#include "store-fixture.h"

#include "store/store.h"

static int setup(void **state)
{
    /* The shipped warninglists, as `renkei serve` run from the build tree loads them. */
    unsetenv("RENKEI_DATA_DIR");
    *state = fx_open();
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

static const char NARR_A[] = "電話 090-1111-2222 から https://kakuu-bank-login.xyz/login に誘導。"
                             "DNS は 8.8.8.8 を使用。";
static const char NARR_B[] = "同じ 090-1111-2222 から連絡あり。8.8.8.8 と表示。";
static const char NARR_C[] = "無関係の相談 050-9999-0000。";

/* The item of `o` whose "id" is `id`, or NULL. */
static json_t *item_by_id(json_t *o, const char *id)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(o, "items"), i, it)
    {
        const char *x = json_string_value(json_object_get(it, "id"));
        if (x != NULL && strcmp(x, id) == 0)
            return it;
    }
    return NULL;
}

static size_t count_restricted(json_t *o, const char *unit)
{
    size_t i, n = 0;
    json_t *it;
    json_array_foreach(json_object_get(o, "items"), i, it)
    {
        if (json_is_true(json_object_get(it, "restricted"))) {
            /* Only these keys, never a title, ref, score or shared values. */
            const char *k;
            json_t *v;
            json_object_foreach(it, k, v)
            {
                assert_true(strcmp(k, "restricted") == 0 || strcmp(k, "unit") == 0 ||
                            strcmp(k, "kind") == 0 || strcmp(k, "count") == 0);
            }
            if (strcmp(json_string_value(json_object_get(json_object_get(it, "unit"), "id")),
                       unit) == 0)
                n++;
        }
    }
    return n;
}

static json_t *corr_report(struct fx *f, const struct rk_actor *a, const char *id,
                           enum rk_status want)
{
    json_t *o = NULL;
    struct rk_error err = {0};
    enum rk_status rc = rk_correlate_report(f->s, a, id, &o, &err);
    if (rc != want)
        fprintf(stderr, "correlate %s: %s %s\n", a->login, rk_status_code(rc), err.message);
    assert_int_equal(rc, want);
    return o;
}

static void test_related_and_need_to_know(void **state)
{
    struct fx *f = *state;
    char r1[37], r2[37], r3[37];
    fx_report(f, &f->station_a, "SMS誘導", NARR_A, NULL, r1);
    fx_report(f, &f->station_b, "電話", NARR_B, NULL, r2);
    fx_report(f, &f->station_a, "別件", NARR_C, NULL, r3);

    /* The analyst reads both: r2 is a hit with its explanation; r3 is not related. */
    json_t *o = corr_report(f, &f->analyst, r1, RK_OK);
    json_t *hit = item_by_id(o, r2);
    assert_non_null(hit);
    assert_string_equal(json_string_value(json_object_get(hit, "kind")), "report");
    assert_true(json_real_value(json_object_get(hit, "score")) > 0);
    assert_non_null(
        strstr(json_string_value(json_object_get(hit, "explanation")), "+819011112222"));
    assert_null(item_by_id(o, r3));
    /* Nor do the resolver's networks (a warninglisted value is not expanded). */
    size_t k0;
    json_t *sh;
    json_array_foreach(json_object_get(hit, "shared"), k0, sh)
    {
        assert_string_not_equal(json_string_value(json_object_get(sh, "type")), "cidr");
    }
    /* 8.8.8.8 links nothing and says why. */
    size_t i;
    json_t *sup;
    int found = 0;
    json_array_foreach(json_object_get(o, "suppressed"), i, sup)
    {
        if (strcmp(json_string_value(json_object_get(sup, "value")), "8.8.8.8") == 0) {
            found = 1;
            assert_string_equal(json_string_value(json_object_get(sup, "noise")), "warninglist");
            assert_non_null(
                strstr(json_string_value(json_object_get(sup, "reason")), "warninglist"));
        }
    }
    assert_true(found);
    assert_true(json_integer_value(json_object_get(o, "warninglists")) > 0);
    json_decref(o);

    /* station_a may not read station_b's report: restricted, held by 北山, nothing else. */
    o = corr_report(f, &f->station_a, r1, RK_OK);
    assert_null(item_by_id(o, r2));
    assert_int_equal(count_restricted(o, f->stb), 1);
    char *dump = json_dumps(o, 0);
    assert_null(strstr(dump, "電話"));
    assert_null(strstr(dump, r2));
    rk_free(dump);
    json_decref(o);

    /* Refusals: the source itself, and roles that read no case data. */
    const struct {
        const struct rk_actor *who;
        enum rk_status want;
    } refuse[] = {
        {&f->station_b, RK_EFORBIDDEN},
        {&f->partner, RK_EFORBIDDEN},
        {&f->admin, RK_EFORBIDDEN},
    };
    for (size_t k = 0; k < sizeof(refuse) / sizeof(refuse[0]); k++)
        assert_null(corr_report(f, refuse[k].who, r1, refuse[k].want));
    assert_null(corr_report(f, &f->analyst, "00000000-0000-4000-8000-000000000000", RK_ENOTFOUND));
    assert_null(corr_report(f, &f->analyst, "not-a-uuid", RK_ENOTFOUND));

    /* The system actor (CLI) reads everything, and may name a report by its reference;
     * nobody else may (references are sequential: no counting what exists). */
    o = corr_report(f, &f->sys, r1, RK_OK);
    assert_non_null(item_by_id(o, r2));
    json_decref(o);
    json_t *rep = NULL;
    struct rk_error e2 = {0};
    assert_int_equal(rk_report_get(f->s, &f->station_a, r1, &rep, &e2), RK_OK);
    char ref[40];
    snprintf(ref, sizeof(ref), "%s", json_string_value(json_object_get(rep, "ref")));
    json_decref(rep);
    o = corr_report(f, &f->sys, ref, RK_OK);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "of"), "id")), r1);
    assert_non_null(item_by_id(o, r2));
    json_decref(o);
    assert_null(corr_report(f, &f->station_a, ref, RK_ENOTFOUND));
    assert_null(corr_report(f, &f->sys, "R1999-000001", RK_ENOTFOUND));

    /* Audited: the query and each readable hit. */
    rk__audit_flush(f->s);
    assert_true(fx_count(f, "SELECT count(*) FROM audit WHERE action = 'read'"
                            " AND detail = 'correlate'") >= 3);
    assert_true(fx_count(f, "SELECT count(*) FROM audit WHERE action = 'read'"
                            " AND detail = 'related'") >= 2);
}

static void test_index_follows_writes(void **state)
{
    struct fx *f = *state;
    char r1[37], r2[37], r3[37];
    fx_report(f, &f->station_a, "SMS誘導", NARR_A, NULL, r1);
    fx_report(f, &f->station_a, "別件", NARR_C, NULL, r2);
    json_t *o = corr_report(f, &f->analyst, r1, RK_OK); /* builds the index */
    assert_null(item_by_id(o, r2));
    json_decref(o);

    /* An update that adds the shared phone links r2 at once. */
    json_t *in = json_pack("{s:s}", "narrative", NARR_B), *u = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_report_update(f->s, &f->station_a, r2, in, &u, &err), RK_OK);
    json_decref(in);
    json_decref(u);
    fx_report(f, &f->station_a, "三件目", NARR_B, NULL, r3);
    o = corr_report(f, &f->analyst, r1, RK_OK);
    assert_non_null(item_by_id(o, r2));
    assert_non_null(item_by_id(o, r3));
    json_decref(o);

    /* And an update that removes it unlinks it. */
    in = json_pack("{s:s}", "narrative", NARR_C);
    assert_int_equal(rk_report_update(f->s, &f->station_a, r2, in, &u, &err), RK_OK);
    json_decref(in);
    json_decref(u);
    o = corr_report(f, &f->analyst, r1, RK_OK);
    assert_null(item_by_id(o, r2));
    assert_non_null(item_by_id(o, r3));
    json_decref(o);

    /* A case made of r3 holds r3's values: it is related to r1, and rebuild gives the same. */
    in = json_pack("{s:s,s:[s]}", "title", "電話誘導事案", "report_ids", r3);
    json_t *cs = NULL;
    assert_int_equal(rk_case_create(f->s, &f->analyst, in, &cs, &err), RK_OK);
    json_decref(in);
    const char *cid = json_string_value(json_object_get(cs, "id"));
    o = corr_report(f, &f->analyst, r1, RK_OK);
    assert_non_null(item_by_id(o, cid));
    char *before = json_dumps(json_object_get(o, "items"), JSON_SORT_KEYS);
    json_decref(o);
    for (int k = 0; k < 2; k++) {
        json_t *st = NULL;
        assert_int_equal(rk_correlate_rebuild(f->s, &f->sys, NULL, NULL, &st, &err), RK_OK);
        assert_int_equal(json_integer_value(json_object_get(st, "objects")), 4);
        json_decref(st);
        o = corr_report(f, &f->analyst, r1, RK_OK);
        char *after = json_dumps(json_object_get(o, "items"), JSON_SORT_KEYS);
        assert_string_equal(before, after);
        rk_free(after);
        json_decref(o);
    }
    rk_free(before);
    json_t *st = NULL;
    assert_int_equal(rk_correlate_rebuild(f->s, &f->analyst, NULL, NULL, &st, &err), RK_EFORBIDDEN);

    /* The case page: the case's related reports include r1. */
    o = NULL;
    assert_int_equal(rk_correlate_case(f->s, &f->analyst, cid, &o, &err), RK_OK);
    assert_non_null(item_by_id(o, r1));
    json_decref(o);
    json_decref(cs);
}

static void test_values_and_groups(void **state)
{
    struct fx *f = *state;
    char r1[37], r2[37];
    fx_report(f, &f->station_a, "SMS誘導", NARR_A, NULL, r1);
    fx_report(f, &f->station_b, "電話", NARR_B, NULL, r2);
    struct rk_error err = {0};
    json_t *o = NULL;

    /* Any spelling of the number finds both holders. */
    assert_int_equal(
        rk_correlate_value(f->s, &f->analyst, NULL, "０９０−１１１１−２２２２", &o, &err), RK_OK);
    assert_non_null(item_by_id(o, r1));
    assert_non_null(item_by_id(o, r2));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(o, "value"), "canonical")),
        "+819011112222");
    const char *oid =
        json_string_value(json_object_get(json_object_get(o, "value"), "observable_id"));
    assert_non_null(oid);
    char obs_id[37];
    snprintf(obs_id, sizeof(obs_id), "%s", oid);
    json_decref(o);

    /* A value nobody holds still says when a warninglist would stop it. */
    assert_int_equal(rk_correlate_value(f->s, &f->analyst, NULL, "1.1.1.1", &o, &err), RK_OK);
    assert_int_equal(json_array_size(json_object_get(o, "items")), 0);
    json_t *sup = json_array_get(json_object_get(o, "suppressed"), 0);
    assert_non_null(strstr(json_string_value(json_object_get(sup, "reason")), "warninglist"));
    json_decref(o);

    /* By observable id; station_a sees its own report and station_b's only as restricted. */
    assert_int_equal(rk_correlate_observable(f->s, &f->station_a, obs_id, &o, &err), RK_OK);
    assert_non_null(item_by_id(o, r1));
    assert_int_equal(count_restricted(o, f->stb), 1);
    json_decref(o);

    /* Bad input and refusals. */
    const struct {
        const struct rk_actor *who;
        const char *type, *value;
        enum rk_status want;
        const char *field;
    } bad[] = {
        {&f->analyst, NULL, "not a value", RK_EINVAL, "value"},
        {&f->analyst, "no-such-type", "8.8.8.8", RK_EINVAL, "type"},
        {&f->analyst, "ipv4", "090-1111-2222", RK_EINVAL, "value"},
        {&f->partner, NULL, "090-1111-2222", RK_EFORBIDDEN, NULL},
        {&f->admin, NULL, "090-1111-2222", RK_EFORBIDDEN, NULL},
        /* Held only by a report station_a may not read. */
        {&f->station_a, NULL, "https://kakuu-bank-login.xyz/login", RK_OK, NULL},
    };
    char r3[37];
    fx_report(f, &f->station_b, "北山のみ", "https://only-kitayama.xyz/a を開いた", NULL, r3);
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        memset(&err, 0, sizeof(err));
        o = NULL;
        assert_int_equal(rk_correlate_value(f->s, bad[k].who, bad[k].type, bad[k].value, &o, &err),
                         bad[k].want);
        if (bad[k].field != NULL)
            assert_string_equal(err.field, bad[k].field);
        json_decref(o);
    }
    o = NULL;
    assert_int_equal(
        rk_correlate_value(f->s, &f->station_a, NULL, "https://only-kitayama.xyz/a", &o, &err),
        RK_EFORBIDDEN);
    assert_null(o);

    /* Groups: the analyst sees r1 and r2 tied by the phone number; stations may not list. */
    assert_int_equal(rk_group_list(f->s, &f->analyst, &o, &err), RK_OK);
    size_t i;
    json_t *g;
    int found = 0;
    json_array_foreach(json_object_get(o, "items"), i, g)
    {
        json_t *m = json_object_get(g, "members");
        size_t j;
        json_t *x;
        int has1 = 0, has2 = 0;
        json_array_foreach(m, j, x)
        {
            const char *id = json_string_value(json_object_get(x, "id"));
            has1 |= id && strcmp(id, r1) == 0;
            has2 |= id && strcmp(id, r2) == 0;
        }
        if (has1 && has2) {
            found = 1;
            assert_string_equal(json_string_value(json_object_get(g, "status")), "candidate");
            assert_true(json_array_size(json_object_get(g, "ties")) > 0);
        }
    }
    assert_true(found);
    json_decref(o);
    o = NULL;
    assert_int_equal(rk_group_list(f->s, &f->station_a, &o, &err), RK_EFORBIDDEN);
    assert_int_equal(rk_group_list(f->s, &f->partner, &o, &err), RK_EFORBIDDEN);
    assert_null(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_related_and_need_to_know, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_follows_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_and_groups, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
