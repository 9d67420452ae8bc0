/* Unit tests of the link-analysis graph (lib/model/graph-service.c) on a real store: bad
 * parameters name the parameter, depth and filters, the time window, truncation, need-to-know
 * (a report the caller may not read is a restricted node with no id and is not walked
 * through), refusals per role, the audit of every readable node, and confirmed groups as nodes. */
#include "store-fixture.h"

#include "store/store.h"

static int setup(void **state)
{
    unsetenv("RENKEI_DATA_DIR");
    *state = fx_open();
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

/* 東浜's report (March) and 北山's report (May) share a phone number; 北山's also holds a URL
 * nobody else holds. */
static const char NARR_A[] = "電話 090-3333-4444 から連絡があった。";
static const char NARR_B[] =
    "電話 090-3333-4444 の相手に hxxps://hokuzan-secret[.]example[.]com/a を"
    "案内された。";

struct world {
    char ra[37], rb[37];
    char node_a[64];
};

static void plant(struct fx *f, struct world *w)
{
    json_t *xa = json_pack("{s:s}", "received_at", "2026-03-01T00:00:00Z");
    json_t *xb = json_pack("{s:s}", "received_at", "2026-05-01T00:00:00Z");
    fx_report(f, &f->station_a, "東浜の通報", NARR_A, xa, w->ra);
    fx_report(f, &f->station_b, "北山の通報", NARR_B, xb, w->rb);
    json_decref(xa);
    json_decref(xb);
    snprintf(w->node_a, sizeof(w->node_a), "report:%s", w->ra);
}

static json_t *graph(struct fx *f, const struct rk_actor *who, const struct rk_graph_query *q,
                     enum rk_status want)
{
    json_t *o = NULL;
    struct rk_error err = {0};
    enum rk_status rc = rk_graph_neighbourhood(f->s, who, q, &o, &err);
    if (rc != want)
        fprintf(stderr, "graph %s: %s %s (%s)\n", who->login, rk_status_code(rc), err.message,
                err.field);
    assert_int_equal(rc, want);
    return o;
}

static json_t *node(json_t *g, const char *prefix, const char *id)
{
    char key[80];
    snprintf(key, sizeof(key), "%s%s", prefix, id);
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(g, "nodes"), i, n)
    {
        if (strcmp(json_string_value(json_object_get(n, "id")), key) == 0)
            return n;
    }
    return NULL;
}

static size_t count_kind(json_t *g, const char *kind, int restricted)
{
    size_t i, k = 0;
    json_t *n;
    json_array_foreach(json_object_get(g, "nodes"), i, n)
    {
        k += strcmp(json_string_value(json_object_get(n, "kind")), kind) == 0 &&
             json_is_true(json_object_get(n, "restricted")) == restricted;
    }
    return k;
}

static int dump_has(json_t *g, const char *needle)
{
    char *s = json_dumps(g, 0);
    int has = strstr(s, needle) != NULL;
    rk_free(s);
    return has;
}

static void test_bad_parameters(void **state)
{
    struct fx *f = *state;
    struct world w;
    plant(f, &w);
    static const struct {
        const char *node;
        int depth, limit;
        const char *kinds, *types, *from, *to;
        const char *field;
    } cases[] = {
        {NULL, 0, 0, NULL, NULL, NULL, NULL, "node"},
        {"", 0, 0, NULL, NULL, NULL, NULL, "node"},
        {"report", 0, 0, NULL, NULL, NULL, NULL, "node"},
        {"planet:1", 0, 0, NULL, NULL, NULL, NULL, "node"},
        {"report:", 0, 0, NULL, NULL, NULL, NULL, "node"},
        {"@", 4, 0, NULL, NULL, NULL, NULL, "depth"},
        {"@", -1, 0, NULL, NULL, NULL, NULL, "depth"},
        {"@", 1, 1001, NULL, NULL, NULL, NULL, "limit"},
        {"@", 1, 0, "report,planet", NULL, NULL, NULL, "kinds"},
        {"@", 1, 0, ",,", NULL, NULL, NULL, "kinds"},
        {"@", 1, 0, NULL, "phone,nosuch", NULL, NULL, "types"},
        {"@", 1, 0, NULL, NULL, "yesterday", NULL, "from"},
        {"@", 1, 0, NULL, NULL, NULL, "2026-02-30x", "to"},
        {"@", 1, 0, NULL, NULL, "2026-06-01", "2026-05-01", "to"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rk_graph_query q = {0};
        q.node = cases[i].node && strcmp(cases[i].node, "@") == 0 ? w.node_a : cases[i].node;
        q.depth = cases[i].depth;
        q.limit = cases[i].limit;
        q.kinds = cases[i].kinds;
        q.types = cases[i].types;
        q.from = cases[i].from;
        q.to = cases[i].to;
        json_t *o = NULL;
        struct rk_error err = {0};
        assert_int_equal(rk_graph_neighbourhood(f->s, &f->analyst, &q, &o, &err), RK_EINVAL);
        assert_string_equal(err.field, cases[i].field);
        assert_null(o);
    }
    struct rk_graph_query q = {.node = "case:00000000-0000-4000-8000-000000000000"};
    assert_null(graph(f, &f->analyst, &q, RK_ENOTFOUND));
    q.node = "observable:not-a-uuid";
    assert_null(graph(f, &f->analyst, &q, RK_ENOTFOUND));
}

static void test_depth_filters_window_and_limit(void **state)
{
    struct fx *f = *state;
    struct world w;
    plant(f, &w);
    struct rk_graph_query q = {.node = w.node_a, .depth = 1, .kinds = "report,observable,account"};
    json_t *g = graph(f, &f->analyst, &q, RK_OK);
    assert_string_equal(json_string_value(json_object_get(g, "start")), w.node_a);
    assert_int_equal(count_kind(g, "account", 0), 1); /* the phone */
    assert_null(node(g, "report:", w.rb));
    json_decref(g);
    q.depth = 2;
    g = graph(f, &f->analyst, &q, RK_OK);
    assert_non_null(node(g, "report:", w.rb));
    assert_false(dump_has(g, "hokuzan-secret.example")); /* three hops away */
    json_decref(g);
    q.depth = 3;
    g = graph(f, &f->analyst, &q, RK_OK);
    assert_true(dump_has(g, "hokuzan-secret.example"));
    assert_false(json_is_true(json_object_get(g, "truncated")));
    json_decref(g);
    /* Only phones: the URL is left out. */
    q.types = "phone";
    g = graph(f, &f->analyst, &q, RK_OK);
    assert_false(dump_has(g, "hokuzan-secret.example"));
    assert_non_null(node(g, "report:", w.rb));
    json_decref(g);
    /* Without accounts nothing links the two reports. */
    q.types = NULL;
    q.kinds = "report,observable";
    g = graph(f, &f->analyst, &q, RK_OK);
    assert_null(node(g, "report:", w.rb));
    json_decref(g);
    /* The window ends before 北山's report was received. */
    q.kinds = NULL;
    q.to = "2026-04-01";
    g = graph(f, &f->analyst, &q, RK_OK);
    assert_null(node(g, "report:", w.rb));
    assert_non_null(node(g, "report:", w.ra)); /* the start is always shown */
    json_decref(g);
    q.to = NULL;
    q.limit = 2;
    g = graph(f, &f->analyst, &q, RK_OK);
    assert_true(json_is_true(json_object_get(g, "truncated")));
    assert_int_equal(json_array_size(json_object_get(g, "nodes")), 2);
    json_decref(g);
}

static void test_need_to_know(void **state)
{
    struct fx *f = *state;
    struct world w;
    plant(f, &w);
    struct rk_graph_query q = {.node = w.node_a, .depth = 3, .limit = 1000};
    json_t *g = graph(f, &f->station_a, &q, RK_OK);
    /* 北山's report: one restricted node, held by 北山, nothing that names it. */
    assert_int_equal(count_kind(g, "report", 1), 1);
    assert_null(node(g, "report:", w.rb));
    assert_false(dump_has(g, w.rb));
    assert_false(dump_has(g, "北山の通報"));
    assert_false(dump_has(g, "hokuzan-secret.example"));
    assert_true(dump_has(g, "北山警察署"));
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(g, "nodes"), i, n)
    {
        if (!json_is_true(json_object_get(n, "restricted")))
            continue;
        assert_int_equal(strncmp(json_string_value(json_object_get(n, "id")), "restricted:", 11),
                         0);
        assert_true(json_is_null(json_object_get(n, "time")));
    }
    json_decref(g);
    /* Starting from what one may not read is refused; partners and admins read no case data. */
    q.node = w.node_a;
    assert_null(graph(f, &f->station_b, &q, RK_EFORBIDDEN));
    assert_null(graph(f, &f->partner, &q, RK_EFORBIDDEN));
    assert_null(graph(f, &f->admin, &q, RK_EFORBIDDEN));
    /* Every readable node is audited as a graph read. */
    g = graph(f, &f->analyst, &q, RK_OK);
    json_decref(g);
    rk__audit_flush(f->s);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit WHERE action = 'read'"
                                 " AND detail = 'graph' AND object_type = 'report'"),
                     3); /* station_a's view of its own report, the analyst's two */
}

/* A public DNS resolver (warninglisted) held by two reports links them in no chart. */
static void test_suppressed_values(void **state)
{
    struct fx *f = *state;
    char r1[37], r2[37], node1[64];
    fx_report(f, &f->analyst, "DNS 1", "DNS が 8.8.8.8 に変更された。", NULL, r1);
    fx_report(f, &f->analyst, "DNS 2", "こちらも DNS 8.8.8.8 を設定されていた。", NULL, r2);
    snprintf(node1, sizeof(node1), "report:%s", r1);
    static const struct {
        int suppressed;
        size_t values; /* value nodes on the chart */
    } cases[] = {{0, 0}, {1, 1}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rk_graph_query q = {.node = node1, .depth = 3, .suppressed = cases[i].suppressed};
        json_t *g = graph(f, &f->analyst, &q, RK_OK);
        assert_int_equal(count_kind(g, "observable", 0), cases[i].values);
        assert_null(node(g, "report:", r2));
        size_t k;
        json_t *n;
        json_array_foreach(json_object_get(g, "nodes"), k, n)
        {
            if (strcmp(json_string_value(json_object_get(n, "kind")), "observable") != 0)
                continue;
            assert_true(json_is_true(json_object_get(n, "suppressed")));
            assert_non_null(strstr(json_string_value(json_object_get(n, "suppressed_reason")),
                                   "public-dns-resolvers"));
        }
        json_decref(g);
    }
}

/* Confirmed groups: a node with its name and member count, linked to every member (one the
 * caller may not read is restricted, as on the groups page), reached from a member by default
 * and walked through; none for those who may not work with groups; none once dissolved. */
static void test_confirmed_groups(void **state)
{
    struct fx *f = *state;
    struct rk_error err = {0};
    char r1[37], r2[37], gid[37], gnode[64], r2node[64];
    json_t *police = json_pack("{s:s}", "scope", "police");
    fx_report(f, &f->analyst, "県内限りの通報", "着信 070-2222-9876 があった。", NULL, r1);
    fx_report(f, &f->analyst, "警察内共有の通報", "無関係の相談。", police, r2);
    json_decref(police);
    json_t *in =
        json_pack("{s:s,s:[s],s:[{s:s,s:s},{s:s,s:s}]}", "name", "確定グループ試験", "aliases",
                  "試験団", "members", "kind", "report", "id", r1, "kind", "report", "id", r2);
    json_t *o = NULL;
    assert_int_equal(rk_group_confirm(f->s, &f->analyst, in, &o, &err), RK_OK);
    json_decref(in);
    snprintf(gid, sizeof(gid), "%s", json_string_value(json_object_get(o, "id")));
    json_decref(o);
    snprintf(gnode, sizeof(gnode), "group:%s", gid);
    snprintf(r2node, sizeof(r2node), "report:%s", r2);

    static const struct {
        const char *who; /* "analyst" or "npa" */
        int from_group;  /* else from r2 */
        int depth;
        const char *kinds;
        int group, r1, r2, restricted; /* nodes expected: group, report r1, r2, restricted */
    } cases[] = {
        {"analyst", 1, 1, NULL, 1, 1, 1, 0},
        {"npa", 1, 1, NULL, 1, 0, 1, 1},               /* r1 is the prefecture's only */
        {"analyst", 0, 1, NULL, 1, 0, 1, 0},           /* a member reaches its group */
        {"analyst", 0, 2, "report,group", 1, 1, 1, 0}, /* and, through it, the other member */
        {"analyst", 0, 2, "report,observable", 0, 0, 1, 0},
        {"npa", 0, 2, NULL, 1, 0, 1, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct rk_actor *who = strcmp(cases[i].who, "npa") == 0 ? &f->npa : &f->analyst;
        struct rk_graph_query q = {.node = cases[i].from_group ? gnode : r2node,
                                   .depth = cases[i].depth,
                                   .kinds = cases[i].kinds,
                                   .limit = 1000};
        json_t *g = graph(f, who, &q, RK_OK);
        json_t *gn = node(g, "group:", gid);
        assert_int_equal(gn != NULL, cases[i].group);
        if (gn != NULL) {
            assert_string_equal(json_string_value(json_object_get(gn, "label")),
                                "確定グループ試験");
            assert_int_equal(json_integer_value(json_object_get(gn, "members")), 2);
            assert_true(json_is_true(json_object_get(gn, "confirmed")));
            assert_string_equal(
                json_string_value(json_array_get(json_object_get(gn, "aliases"), 0)), "試験団");
            assert_true(json_is_null(json_object_get(gn, "time")));
        }
        assert_int_equal(node(g, "report:", r1) != NULL, cases[i].r1);
        assert_int_equal(node(g, "report:", r2) != NULL, cases[i].r2);
        assert_int_equal(count_kind(g, "report", 1), (size_t)cases[i].restricted);
        if (cases[i].restricted) {
            assert_false(dump_has(g, r1));
            assert_false(dump_has(g, "県内限り"));
            assert_false(dump_has(g, "070-2222-9876"));
        }
        json_decref(g);
    }
    /* Groups are for those who may read every value: a station officer may not start from one
     * and sees none from a member (nor do candidates appear without being asked for). */
    struct rk_graph_query q = {.node = gnode};
    assert_null(graph(f, &f->station_a, &q, RK_EFORBIDDEN));
    /* Every group drawn is audited as a read. */
    rk__audit_flush(f->s);
    assert_true(fx_count(f, "SELECT count(*) FROM audit WHERE action = 'read' AND detail = 'graph'"
                            " AND object_type = 'group'") >= 5);
    /* A dissolved group is no node. */
    in = json_pack("{s:s}", "status", "dissolved");
    o = NULL;
    assert_int_equal(rk_group_update(f->s, &f->analyst, gid, in, &o, &err), RK_OK);
    json_decref(in);
    json_decref(o);
    q.node = gnode;
    assert_null(graph(f, &f->analyst, &q, RK_ENOTFOUND));
    q.node = r2node;
    json_t *g = graph(f, &f->analyst, &q, RK_OK);
    assert_null(node(g, "group:", gid));
    json_decref(g);
}

/* With "group" named, a member's groups are those of the groups page: the cluster a confirmed
 * group took is not drawn again as a candidate; a cluster nobody confirmed is. */
static void test_candidates_beside_confirmed(void **state)
{
    struct fx *f = *state;
    struct rk_error err = {0};
    char p1[37], p2[37], q1[37], q2[37], gid[37], start[64];
    fx_report(f, &f->analyst, "P1", "070-1111-2345 から架空請求の電話。", NULL, p1);
    fx_report(f, &f->analyst, "P2", "070-1111-2345 から架空請求の電話。", NULL, p2);
    fx_report(f, &f->analyst, "Q1", "080-5555-6789 から架空請求の電話。", NULL, q1);
    fx_report(f, &f->analyst, "Q2", "080-5555-6789 から架空請求の電話。", NULL, q2);
    json_t *in = json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}]}", "name", "P団", "members", "kind",
                           "report", "id", p1, "kind", "report", "id", p2);
    json_t *o = NULL;
    assert_int_equal(rk_group_confirm(f->s, &f->analyst, in, &o, &err), RK_OK);
    snprintf(gid, sizeof(gid), "%s", json_string_value(json_object_get(o, "id")));
    json_decref(in);
    json_decref(o);
    static const struct {
        int from_p;             /* start from P1, else Q1 */
        size_t confirmed, cand; /* group nodes of each sort */
    } cases[] = {{1, 1, 0}, {0, 0, 1}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(start, sizeof(start), "report:%s", cases[i].from_p ? p1 : q1);
        struct rk_graph_query q = {.node = start, .depth = 1, .kinds = "report,group"};
        json_t *g = graph(f, &f->analyst, &q, RK_OK);
        size_t k, nconf = 0, ncand = 0;
        json_t *n;
        json_array_foreach(json_object_get(g, "nodes"), k, n)
        {
            const char *id = json_string_value(json_object_get(n, "id"));
            nconf += strncmp(id, "group:", 6) == 0 && strcmp(id + 6, gid) == 0;
            ncand += strncmp(id, "group:cand-", 11) == 0;
        }
        assert_int_equal(nconf, cases[i].confirmed);
        assert_int_equal(ncand, cases[i].cand);
        json_decref(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_filters_window_and_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_need_to_know, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suppressed_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_confirmed_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_candidates_beside_confirmed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
