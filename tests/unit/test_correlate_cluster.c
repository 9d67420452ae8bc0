/* Unit tests of lib/correlate groups: clustering of small known graphs (noise removal, a bridge
 * between two groups split by label propagation, minimum size), what ties a group, stable
 * identity of confirmed groups with new objects flagged, and the need-to-know hook. */
#include "rk-test.h"

#include <stdio.h>
#include <string.h>

#include "renkei/correlate.h"

#define V(t, v)                                                                                    \
    {                                                                                              \
        t, v, RK_CORR_REL_SAME                                                                     \
    }
#define NOISE  V("phone", "+81120000000")
#define COMMON V("domain", "common.example")

struct obj {
    const char *id;
    const char *unit;
    struct rk_corr_value vals[5];
    size_t n;
};

/* Two groups of four reports joined by one shared wallet (a4-b1), every report also holding a
 * warninglisted phone number and a too-common domain, and two loners holding only those. */
static const struct obj world[] = {
    {"a1", "kumamoto", {V("bank-account", "A-bank"), V("phone", "A-phone"), NOISE, COMMON}, 4},
    {"a2",
     "kumamoto",
     {V("bank-account", "A-bank"), V("phone", "A-phone"), V("sha256", "A-hash"), NOISE, COMMON},
     5},
    {"a3", "kumamoto", {V("phone", "A-phone"), V("sha256", "A-hash"), NOISE, COMMON}, 4},
    {"a4",
     "kumamoto",
     {V("bank-account", "A-bank"), V("sha256", "A-hash"), V("crypto-wallet", "bridge"), NOISE,
      COMMON},
     5},
    {"b1",
     "kyoto",
     {V("bank-account", "B-bank"), V("phone", "B-phone"), V("crypto-wallet", "bridge"), NOISE,
      COMMON},
     5},
    {"b2", "kyoto", {V("bank-account", "B-bank"), V("phone", "B-phone"), NOISE, COMMON}, 4},
    {"b3", "kyoto", {V("phone", "B-phone"), V("sha256", "B-hash"), NOISE, COMMON}, 4},
    {"b4", "kyoto", {V("bank-account", "B-bank"), V("sha256", "B-hash"), NOISE, COMMON}, 4},
    {"l1", "kumamoto", {NOISE, COMMON}, 2},
    {"l2", "kyoto", {NOISE, COMMON}, 2},
};

static const char wl[] = "@name call-centres\n@description d\n@source s\n@match exact\n"
                         "+81120000000\n";

struct fixture {
    struct rk_corr_wlset *set;
    struct rk_corr_index *idx;
};

static int setup(void **state)
{
    static struct fixture f;
    struct rk_corr_config cfg = {.cap = 9, .no_expand = 1};
    assert_int_equal(rk_corr_wlset_create(&f.set), RK_OK);
    assert_int_equal(rk_corr_wlset_load_mem(f.set, "wl", wl, strlen(wl)), RK_OK);
    assert_int_equal(rk_corr_index_create(&cfg, &f.idx), RK_OK);
    assert_int_equal(rk_corr_index_set_warninglists(f.idx, f.set), RK_OK);
    for (size_t i = 0; i < RK_ARRAY_LEN(world); i++)
        assert_int_equal(rk_corr_index_put(f.idx, RK_CORR_REPORT, world[i].id, world[i].unit,
                                           world[i].vals, world[i].n),
                         RK_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    rk_corr_index_destroy(f->idx);
    rk_corr_wlset_destroy(f->set);
    return 0;
}

/* "a1 a2 a3 a4" for a group's readable members, "-" for a restricted one. */
static void members_str(const struct rk_corr_group *g, char *out, size_t len)
{
    out[0] = '\0';
    for (size_t i = 0; i < g->nmembers; i++) {
        size_t l = strlen(out);
        snprintf(out + l, len - l, "%s%s", i ? " " : "",
                 g->members[i].restricted ? "-" : g->members[i].object_id);
    }
}

static void test_split_bridge_and_noise(void **state)
{
    struct fixture *f = *state;
    struct rk_corr_groups *g;
    char buf[256];
    assert_int_equal(rk_corr_groups_compute(f->idx, NULL, NULL, 0, NULL, NULL, &g), RK_OK);
    assert_int_equal(g->count, 2);
    members_str(&g->groups[0], buf, sizeof buf);
    assert_string_equal(buf, "a1 a2 a3 a4");
    members_str(&g->groups[1], buf, sizeof buf);
    assert_string_equal(buf, "b1 b2 b3 b4");
    assert_false(g->groups[0].confirmed);
    assert_int_equal(strncmp(g->groups[0].id, "cand-", 5), 0);
    assert_int_equal(strlen(g->groups[0].id), 21);
    /* Ties: each group value held by 3 members; the bridge (1 member each side) is not one. */
    assert_int_equal(g->groups[0].nties, 3);
    for (size_t i = 0; i < g->groups[0].nties; i++) {
        assert_int_equal(g->groups[0].ties[i].members, 3);
        assert_int_equal(strncmp(g->groups[0].ties[i].value, "A-", 2), 0);
    }
    assert_int_equal(g->groups[0].nflagged, 0);
    rk_corr_groups_destroy(g);
    rk_corr_groups_destroy(NULL);

    /* A minimum size above four leaves nothing. */
    struct rk_corr_cluster_opts opts = {.min_size = 5};
    assert_int_equal(rk_corr_groups_compute(f->idx, &opts, NULL, 0, NULL, NULL, &g), RK_OK);
    assert_int_equal(g->count, 0);
    rk_corr_groups_destroy(g);
}

static void test_noise_would_merge(void **state)
{
    /* Without the warninglist and with a high cap, the noise values join everything into one
     * component: the noise removal is what keeps the loners out of the groups. */
    struct fixture *f = *state;
    struct rk_corr_groups *g;
    assert_int_equal(rk_corr_index_set_warninglists(f->idx, NULL), RK_OK);
    assert_int_equal(rk_corr_index_set_cap(f->idx, 100), RK_OK);
    assert_int_equal(rk_corr_groups_compute(f->idx, NULL, NULL, 0, NULL, NULL, &g), RK_OK);
    assert_int_equal(g->count, 1);
    assert_int_equal(g->groups[0].nmembers, 10);
    assert_string_equal(g->groups[0].ties[0].value, "+81120000000");
    rk_corr_groups_destroy(g);
    assert_int_equal(rk_corr_index_set_warninglists(f->idx, f->set), RK_OK);
    assert_int_equal(rk_corr_index_set_cap(f->idx, 9), RK_OK);
}

static void test_confirmed_stable(void **state)
{
    struct fixture *f = *state;
    struct rk_corr_groups *g;
    char buf[256];
    assert_int_equal(rk_corr_groups_compute(f->idx, NULL, NULL, 0, NULL, NULL, &g), RK_OK);
    char cand_b[40];
    snprintf(cand_b, sizeof cand_b, "%s", g->groups[1].id);
    rk_corr_groups_destroy(g);

    /* An analyst confirms group A (listing a3 first, and a member since deleted). */
    static const struct rk_corr_ref members[] = {{RK_CORR_REPORT, "a3"},
                                                 {RK_CORR_REPORT, "a1"},
                                                 {RK_CORR_REPORT, "a2"},
                                                 {RK_CORR_REPORT, "a4"},
                                                 {RK_CORR_REPORT, "deleted"}};
    static const struct rk_corr_confirmed conf = {"grp-kumamoto-1", 5, members};
    /* New data: n1 holds A's bank account, n2 B's phone. */
    static const struct rk_corr_value n1[] = {V("bank-account", "A-bank"), NOISE};
    static const struct rk_corr_value n2[] = {V("phone", "B-phone")};
    assert_int_equal(rk_corr_index_put(f->idx, RK_CORR_CASE, "n1", "kumamoto", n1, 2), RK_OK);
    assert_int_equal(rk_corr_index_put(f->idx, RK_CORR_REPORT, "n2", "kyoto", n2, 1), RK_OK);
    assert_int_equal(rk_corr_groups_compute(f->idx, NULL, &conf, 1, NULL, NULL, &g), RK_OK);
    assert_int_equal(g->count, 2);
    assert_string_equal(g->groups[0].id, "grp-kumamoto-1");
    assert_true(g->groups[0].confirmed);
    members_str(&g->groups[0], buf, sizeof buf);
    assert_string_equal(buf, "a3 a1 a2 a4");
    /* Flagged: everything outside the group that holds one of its linking values — the new
     * case n1, and b1 through the bridge wallet. The warninglisted phone flags nobody. */
    assert_int_equal(g->groups[0].nflagged, 2);
    assert_string_equal(g->groups[0].flagged[0].object_id, "n1");
    assert_int_equal(g->groups[0].flagged[0].kind, RK_CORR_CASE);
    assert_string_equal(g->groups[0].flagged[0].reason,
                        "holds bank-account A-bank, also held by report a1");
    assert_string_equal(g->groups[0].flagged[1].object_id, "b1");
    assert_string_equal(g->groups[0].flagged[1].reason,
                        "holds crypto-wallet bridge, also held by report a4");
    /* Group B is still a candidate, under the same id, now with n2. */
    assert_false(g->groups[1].confirmed);
    assert_string_equal(g->groups[1].id, cand_b);
    members_str(&g->groups[1], buf, sizeof buf);
    assert_string_equal(buf, "b1 b2 b3 b4 n2");
    rk_corr_groups_destroy(g);

    static const struct rk_corr_confirmed bad = {"", 0, NULL};
    g = (struct rk_corr_groups *)1;
    assert_int_equal(rk_corr_groups_compute(f->idx, NULL, &bad, 1, NULL, NULL, &g), RK_EINVAL);
    assert_null(g);
    assert_int_equal(rk_corr_index_remove(f->idx, RK_CORR_CASE, "n1"), RK_OK);
    assert_int_equal(rk_corr_index_remove(f->idx, RK_CORR_REPORT, "n2"), RK_OK);
}

static void test_touching(void **state)
{
    struct fixture *f = *state;
    static const struct rk_corr_ref ma[] = {{RK_CORR_REPORT, "a1"},
                                            {RK_CORR_REPORT, "a2"},
                                            {RK_CORR_REPORT, "a3"},
                                            {RK_CORR_REPORT, "a4"}};
    static const struct rk_corr_ref mb[] = {{RK_CORR_REPORT, "b1"},
                                            {RK_CORR_REPORT, "b2"},
                                            {RK_CORR_REPORT, "b3"},
                                            {RK_CORR_REPORT, "b4"}};
    static const struct rk_corr_confirmed conf[] = {{"grp-a", 4, ma}, {"grp-b", 4, mb}};
    static const struct rk_corr_value n1[] = {V("bank-account", "A-bank"), NOISE, COMMON};
    static const struct rk_corr_value n3[] = {V("crypto-wallet", "bridge")};
    static const struct rk_corr_value n4[] = {NOISE, V("phone", "unrelated")};
    assert_int_equal(rk_corr_index_put(f->idx, RK_CORR_CASE, "n1", "kumamoto", n1, 3), RK_OK);
    assert_int_equal(rk_corr_index_put(f->idx, RK_CORR_CASE, "n3", "kumamoto", n3, 1), RK_OK);
    assert_int_equal(rk_corr_index_put(f->idx, RK_CORR_CASE, "n4", "kumamoto", n4, 2), RK_OK);
    struct rk_corr_touches *t;
    /* n1 touches A through the bank account (the warninglisted phone and the too-common
     * domain do not count). */
    assert_int_equal(rk_corr_touching(f->idx, RK_CORR_CASE, "n1", conf, 2, &t), RK_OK);
    assert_int_equal(t->count, 1);
    assert_int_equal(t->items[0].group, 0);
    assert_string_equal(t->items[0].value, "A-bank");
    rk_corr_touches_destroy(t);
    /* n3 touches both through the bridge wallet. */
    assert_int_equal(rk_corr_touching(f->idx, RK_CORR_CASE, "n3", conf, 2, &t), RK_OK);
    assert_int_equal(t->count, 2);
    assert_int_equal(t->items[0].group, 0);
    assert_int_equal(t->items[1].group, 1);
    assert_string_equal(t->items[1].type, "crypto-wallet");
    rk_corr_touches_destroy(t);
    /* n4 holds only noise and a value of its own; a4 is a member of A and touches B only. */
    assert_int_equal(rk_corr_touching(f->idx, RK_CORR_CASE, "n4", conf, 2, &t), RK_OK);
    assert_int_equal(t->count, 0);
    rk_corr_touches_destroy(t);
    assert_int_equal(rk_corr_touching(f->idx, RK_CORR_REPORT, "a4", conf, 2, &t), RK_OK);
    assert_int_equal(t->count, 1);
    assert_int_equal(t->items[0].group, 1);
    rk_corr_touches_destroy(t);
    t = (struct rk_corr_touches *)1;
    assert_int_equal(rk_corr_touching(f->idx, RK_CORR_CASE, "nope", conf, 2, &t), RK_ENOTFOUND);
    assert_null(t);
    rk_corr_touches_destroy(NULL);
}

static int deny_kyoto(void *ud, enum rk_corr_kind kind, const char *id, const char *unit)
{
    return strcmp(unit, "kyoto") != 0;
}

static void test_access_in_groups(void **state)
{
    struct fixture *f = *state;
    struct rk_corr_groups *g;
    char buf[256];
    assert_int_equal(rk_corr_groups_compute(f->idx, NULL, NULL, 0, deny_kyoto, NULL, &g), RK_OK);
    assert_int_equal(g->count, 2);
    members_str(&g->groups[0], buf, sizeof buf);
    assert_string_equal(buf, "a1 a2 a3 a4");
    members_str(&g->groups[1], buf, sizeof buf);
    assert_string_equal(buf, "- - - -");
    for (size_t i = 0; i < g->groups[1].nmembers; i++) {
        assert_null(g->groups[1].members[i].object_id);
        assert_string_equal(g->groups[1].members[i].unit_id, "kyoto");
    }
    /* No readable member holds B's values, so none is shown as a tie. */
    assert_int_equal(g->groups[1].nties, 0);
    rk_corr_groups_destroy(g);
}

static void test_empty_index(void **state)
{
    struct rk_corr_index *idx;
    struct rk_corr_groups *g;
    struct rk_corr_result *r;
    static const struct rk_corr_ref m = {RK_CORR_REPORT, "x"};
    static const struct rk_corr_confirmed conf = {"grp-1", 1, &m};
    static const struct rk_corr_value v = V("phone", "+81300000000");
    assert_int_equal(rk_corr_index_create(NULL, &idx), RK_OK);
    assert_int_equal(rk_corr_groups_compute(idx, NULL, &conf, 1, NULL, NULL, &g), RK_OK);
    /* A confirmed group whose members are gone keeps its id, with no members. */
    assert_int_equal(g->count, 1);
    assert_string_equal(g->groups[0].id, "grp-1");
    assert_int_equal(g->groups[0].nmembers, 0);
    rk_corr_groups_destroy(g);
    assert_int_equal(rk_corr_related(idx, RK_CORR_REPORT, "x", NULL, NULL, NULL, &r), RK_ENOTFOUND);
    assert_int_equal(rk_corr_related_values(idx, &v, 1, NULL, NULL, NULL, &r), RK_OK);
    assert_int_equal(r->count, 0);
    rk_corr_result_destroy(r);
    rk_corr_index_destroy(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_split_bridge_and_noise, setup, teardown),
        cmocka_unit_test_setup_teardown(test_noise_would_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_confirmed_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_in_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_touching, setup, teardown),
        cmocka_unit_test(test_empty_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
