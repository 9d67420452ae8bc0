/* Unit tests of the group service (lib/model/group-service.c) on a real store and the real
 * correlation index: a candidate is confirmed by its members with a name and its ties kept; a
 * report written later that shares a member's phone number is flagged once, one written before
 * the confirmation is not, and membership does not change by itself; flags survive a restart
 * (the audit-chain catch-up); members the caller may not read appear restricted; split, merge,
 * members and dissolve keep the rules; bad input is refused naming the field and writes nothing;
 * roles outside the cyber unit are refused; actors are created, linked and listed. */
#include "store-fixture.h"

#include "renkei/limits.h"

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

/* Fictional narratives: two share a phone number and a URL, the third shares nothing. */
static const char RING[] =
    "090-3141-5926 から電話、https://mikan-pay-kakuu.xyz/login に誘導された。";
static const char OTHER[] = "無関係の相談。050-2718-2818 から一度だけ着信。";

static json_t *members_json(const char *const *ids, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:s}", "kind", "report", "id", ids[i]));
    return a;
}

static json_t *confirm(struct fx *f, const struct rk_actor *who, const char *name,
                       const char *const *ids, size_t n)
{
    json_t *in = json_pack("{s:s,s:o}", "name", name, "members", members_json(ids, n));
    json_t *out = NULL;
    struct rk_error err = {0};
    enum rk_status rc = rk_group_confirm(f->s, who, in, &out, &err);
    if (rc != RK_OK)
        fprintf(stderr, "confirm: %s (%s)\n", err.message, err.field);
    assert_int_equal(rc, RK_OK);
    json_decref(in);
    return out;
}

static int has_member(json_t *g, const char *id)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(g, "members"), i, m)
    {
        const char *x = json_string_value(json_object_get(m, "id"));
        if (x != NULL && strcmp(x, id) == 0)
            return 1;
    }
    return 0;
}

static json_int_t open_flags(struct fx *f, const struct rk_actor *who, const char *gid)
{
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_group_flags(f->s, who, gid, NULL, &o, &err), RK_OK);
    json_int_t n = json_integer_value(json_object_get(o, "open"));
    assert_int_equal((json_int_t)json_array_size(json_object_get(o, "items")), n);
    json_decref(o);
    return n;
}

static void test_confirm_flag_stable(void **state)
{
    struct fx *f = *state;
    struct rk_error err = {0};
    char r1[37], r2[37], r3[37], pre[37], r4[37];
    fx_report(f, &f->analyst, "偽決済サイト 1", RING, NULL, r1);
    fx_report(f, &f->analyst, "偽決済サイト 2", RING, NULL, r2);
    fx_report(f, &f->analyst, "無関係", OTHER, NULL, r3);

    /* The candidate holds r1 and r2, not r3. */
    json_t *o = NULL;
    assert_int_equal(rk_group_list(f->s, &f->analyst, &o, &err), RK_OK);
    json_t *g0 = json_array_get(json_object_get(o, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(g0, "status")), "candidate");
    assert_true(has_member(g0, r1) && has_member(g0, r2) && !has_member(g0, r3));
    json_decref(o);

    /* A third report of the ring arrives before the confirmation: known then, not "new". */
    fx_report(f, &f->analyst, "確定前の通報", RING, NULL, pre);
    const char *ids[] = {r1, r2};
    json_t *g = confirm(f, &f->analyst, "みかんペイ詐欺グループ", ids, 2);
    char gid[37];
    snprintf(gid, sizeof gid, "%s", json_string_value(json_object_get(g, "id")));
    assert_true(json_array_size(json_object_get(g, "ties")) > 0);
    assert_int_equal(json_array_size(json_object_get(g, "members")), 2);
    json_decref(g);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM grp_ties"),
                     fx_count(f, "SELECT count(*) FROM grp_ties WHERE members >= 2"));
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit WHERE object_type = 'group'"
                                 " AND action = 'confirm'"),
                     1);
    assert_int_equal(open_flags(f, &f->analyst, gid), 0);

    /* A report written after it is flagged, once, however often the flags are read. */
    fx_report(f, &f->analyst, "確定後の通報", RING, NULL, r4);
    assert_int_equal(open_flags(f, &f->analyst, gid), 1);
    assert_int_equal(open_flags(f, &f->supervisor, NULL), 1);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM grp_flags"), 1);
    /* Confirmed membership did not move. */
    assert_int_equal(fx_count(f, "SELECT count(*) FROM grp_members"), 2);
    /* A case opened from the new report holds its values: it is flagged too. */
    json_t *cin = json_pack("{s:s,s:[s]}", "title", "確定後の事案", "report_ids", r4);
    json_t *cout = NULL;
    assert_int_equal(rk_case_create(f->s, &f->analyst, cin, &cout, &err), RK_OK);
    json_decref(cin);
    json_decref(cout);
    assert_int_equal(open_flags(f, &f->analyst, gid), 2);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM grp_flags WHERE object_kind = 'case'"), 1);

    /* The group is listed first under its name; no candidate repeats r1 and r2. */
    assert_int_equal(rk_group_list(f->s, &f->analyst, &o, &err), RK_OK);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(o, "items"), i, x)
    {
        int conf = json_is_true(json_object_get(x, "confirmed"));
        assert_int_equal(conf, i == 0);
        if (conf) {
            assert_string_equal(json_string_value(json_object_get(x, "name")),
                                "みかんペイ詐欺グループ");
            assert_int_equal(json_integer_value(json_object_get(x, "flags_open")), 2);
        } else {
            assert_false(has_member(x, r1) && has_member(x, r2));
        }
    }
    json_decref(o);

    /* Acknowledge: closed once, a second time is a conflict. */
    assert_int_equal(rk_group_flags(f->s, &f->analyst, gid, NULL, &o, &err), RK_OK);
    char fid[37];
    snprintf(
        fid, sizeof fid, "%s",
        json_string_value(json_object_get(json_array_get(json_object_get(o, "items"), 0), "id")));
    json_decref(o);
    json_t *in = json_pack("{s:s}", "action", "acknowledge");
    assert_int_equal(rk_group_flag_ack(f->s, &f->analyst, gid, fid, in, &o, &err), RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "acknowledged");
    json_decref(o);
    o = NULL;
    assert_int_equal(rk_group_flag_ack(f->s, &f->analyst, gid, fid, in, &o, &err), RK_ECONFLICT);
    assert_null(o);
    json_decref(in);
    assert_int_equal(open_flags(f, &f->analyst, gid), 1);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM grp_members"), 2);
}

/* The flag position lives in the store: a report written just before a restart is flagged
 * after it, by the first group read. */
static void test_flags_survive_restart(void **state)
{
    struct fx *f = *state;
    struct rk_error err = {0};
    char r1[37], r2[37], r3[37];
    fx_report(f, &f->analyst, "a", RING, NULL, r1);
    fx_report(f, &f->analyst, "b", RING, NULL, r2);
    const char *ids[] = {r1, r2};
    json_t *g = confirm(f, &f->analyst, "再起動試験", ids, 2);
    char gid[37];
    snprintf(gid, sizeof gid, "%s", json_string_value(json_object_get(g, "id")));
    json_decref(g);
    fx_report(f, &f->analyst, "c", RING, NULL, r3);
    rk_store_close(f->s);
    f->s = NULL;
    assert_int_equal(rk_store_open(f->path, &f->s, &err), RK_OK);
    assert_int_equal(open_flags(f, &f->analyst, gid), 1);
}

/* A report of サイバー捜査課 with scope "prefecture" is not readable by the NPA analyst: as a
 * member it appears with kind and unit only. */
static void test_restricted_member(void **state)
{
    struct fx *f = *state;
    struct rk_error err = {0};
    char r1[37], r2[37];
    json_t *police = json_pack("{s:s}", "scope", "police");
    fx_report(f, &f->analyst, "県内限り", RING, NULL, r1);
    fx_report(f, &f->analyst, "警察内共有", RING, police, r2);
    json_decref(police);
    const char *ids[] = {r1, r2};
    json_t *g = confirm(f, &f->analyst, "制限試験", ids, 2);
    char gid[37];
    snprintf(gid, sizeof gid, "%s", json_string_value(json_object_get(g, "id")));
    json_decref(g);
    json_t *o = NULL;
    assert_int_equal(rk_group_get(f->s, &f->npa, gid, &o, &err), RK_OK);
    assert_true(has_member(o, r2));
    assert_false(has_member(o, r1));
    size_t i, nres = 0;
    json_t *m;
    json_array_foreach(json_object_get(o, "members"), i, m)
    {
        if (!json_is_true(json_object_get(m, "restricted")))
            continue;
        nres++;
        assert_int_equal(json_object_size(m), 3); /* restricted, kind, unit */
        assert_string_equal(json_string_value(json_object_get(json_object_get(m, "unit"), "id")),
                            f->div);
    }
    assert_int_equal(nres, 1);
    char *dump = json_dumps(o, 0);
    assert_null(strstr(dump, r1));
    assert_null(strstr(dump, "県内限り"));
    rk_free(dump);
    json_decref(o);
    /* The NPA analyst may not name r1 in a group either. */
    json_t *in = json_pack("{s:[{s:s,s:s}]}", "add", "kind", "report", "id", r1);
    o = NULL;
    assert_int_equal(rk_group_members(f->s, &f->npa, gid, in, &o, &err), RK_EFORBIDDEN);
    assert_string_equal(err.field, "add[0].id");
    json_decref(in);
}

static void test_split_merge_members(void **state)
{
    struct fx *f = *state;
    struct rk_error err = {0};
    char r[4][37];
    for (int i = 0; i < 4; i++)
        fx_report(f, &f->analyst, "分割試験", RING, NULL, r[i]);
    const char *ids[] = {r[0], r[1], r[2]};
    json_t *g = confirm(f, &f->analyst, "親グループ", ids, 3);
    char gid[37];
    snprintf(gid, sizeof gid, "%s", json_string_value(json_object_get(g, "id")));
    json_decref(g);

    /* Add r3 by hand, split r2 and r3 off, merge them back. */
    json_t *in = json_pack("{s:[{s:s,s:s}]}", "add", "kind", "report", "id", r[3]);
    json_t *o = NULL;
    assert_int_equal(rk_group_members(f->s, &f->analyst, gid, in, &o, &err), RK_OK);
    assert_true(has_member(o, r[3]));
    json_decref(in);
    json_decref(o);
    in = json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}]}", "name", "子グループ", "members", "kind",
                   "report", "id", r[2], "kind", "report", "id", r[3]);
    assert_int_equal(rk_group_split(f->s, &f->analyst, gid, in, &o, &err), RK_OK);
    json_decref(in);
    json_t *to = json_object_get(o, "to"), *from = json_object_get(o, "from");
    assert_true(has_member(to, r[2]) && has_member(to, r[3]));
    assert_false(has_member(from, r[2]) || has_member(from, r[3]));
    char cid[37];
    snprintf(cid, sizeof cid, "%s", json_string_value(json_object_get(to, "id")));
    json_decref(o);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM grp_members WHERE added_how = 'split'"), 2);

    in = json_pack("{s:s}", "group_id", cid);
    assert_int_equal(rk_group_merge(f->s, &f->analyst, gid, in, &o, &err), RK_OK);
    assert_int_equal(json_array_size(json_object_get(o, "members")), 4);
    assert_string_equal(json_string_value(json_array_get(json_object_get(o, "aliases"), 0)),
                        "子グループ");
    json_decref(o);
    o = NULL;
    /* The merged group is dissolved and takes nothing more. */
    assert_int_equal(rk_group_merge(f->s, &f->analyst, gid, in, &o, &err), RK_ECONFLICT);
    assert_string_equal(err.field, "group_id");
    json_decref(in);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM grp_groups WHERE status = 'dissolved'"), 1);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM grp_members"), 4);
    assert_int_equal(fx_count(f,
                              "SELECT count(*) FROM audit WHERE object_type = 'group' AND action IN"
                              " ('confirm', 'members', 'split', 'merge', 'dissolve')"),
                     6); /* confirm, members, split (+ confirm of the new one), merge, dissolve */
}

/* Bad input: each is refused naming the field, and nothing is written. */
struct bad_case {
    const char *json;
    const char *field;
    enum rk_status want;
};

static const struct bad_case BAD_CONFIRM[] = {
    {"{\"members\":[{\"kind\":\"report\",\"id\":\"@R\"}]}", "name", RK_EINVAL},
    {"{\"name\":\"\",\"members\":[{\"kind\":\"report\",\"id\":\"@R\"}]}", "name", RK_EINVAL},
    {"{\"name\":\"x\"}", "members", RK_EINVAL},
    {"{\"name\":\"x\",\"members\":{}}", "members", RK_EINVAL},
    {"{\"name\":\"x\",\"members\":[{\"kind\":\"source\",\"id\":\"@R\"}]}", "members[0].kind",
     RK_EINVAL},
    {"{\"name\":\"x\",\"members\":[{\"kind\":\"report\"}]}", "members[0].id", RK_EINVAL},
    {"{\"name\":\"x\",\"members\":[{\"kind\":\"report\",\"id\":\"@R\",\"x\":1}]}", "members[0].x",
     RK_EINVAL},
    {"{\"name\":\"x\",\"members\":[{\"kind\":\"case\",\"id\":\"@R\"}]}", "members[0].id",
     RK_EINVAL},
    {"{\"name\":\"x\",\"members\":[{\"kind\":\"report\",\"id\":\"@R\"}],\"aliases\":[\"\"]}",
     "aliases[0]", RK_EINVAL},
    {"{\"name\":\"x\",\"members\":[{\"kind\":\"report\",\"id\":\"@R\"}],\"scope\":\"world\"}",
     "scope", RK_EINVAL},
    {"{\"name\":\"x\",\"members\":[{\"kind\":\"report\",\"id\":\"@R\"}],\"nope\":1}", "nope",
     RK_EINVAL},
};

static void test_bad_input(void **state)
{
    struct fx *f = *state;
    char r1[37];
    fx_report(f, &f->analyst, "入力試験", RING, NULL, r1);
    for (size_t i = 0; i < sizeof BAD_CONFIRM / sizeof BAD_CONFIRM[0]; i++) {
        /* "@R" stands for the id of a real report. */
        char text[512];
        const char *at = strstr(BAD_CONFIRM[i].json, "@R");
        if (at != NULL)
            snprintf(text, sizeof text, "%.*s%s%s", (int)(at - BAD_CONFIRM[i].json),
                     BAD_CONFIRM[i].json, r1, at + 2);
        else
            snprintf(text, sizeof text, "%s", BAD_CONFIRM[i].json);
        json_t *in = json_loads(text, 0, NULL);
        assert_non_null(in);
        json_t *o = NULL;
        struct rk_error err = {0};
        enum rk_status rc = rk_group_confirm(f->s, &f->analyst, in, &o, &err);
        if (rc != BAD_CONFIRM[i].want || strcmp(err.field, BAD_CONFIRM[i].field) != 0)
            fprintf(stderr, "case %zu: %d %s (%s)\n", i, rc, err.message, err.field);
        assert_int_equal(rc, BAD_CONFIRM[i].want);
        assert_string_equal(err.field, BAD_CONFIRM[i].field);
        assert_null(o);
        json_decref(in);
    }
    assert_int_equal(fx_count(f, "SELECT count(*) FROM grp_groups"), 0);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit WHERE object_type = 'group'"
                                 " AND action <> 'read'"),
                     0);
}

/* A confirmed group drawn from two candidates: the cluster it overlaps most is that group, the
 * other is still a candidate and says which confirmed group it shares a member with. */
static void test_candidate_overlap(void **state)
{
    struct fx *f = *state;
    struct rk_error err = {0};
    static const char P[] = "070-1111-2345 から架空請求の電話。";
    static const char Q[] = "080-5555-6789 から架空請求の電話。";
    char a1[37], a2[37], b1[37], b2[37];
    fx_report(f, &f->analyst, "P1", P, NULL, a1);
    fx_report(f, &f->analyst, "P2", P, NULL, a2);
    fx_report(f, &f->analyst, "Q1", Q, NULL, b1);
    fx_report(f, &f->analyst, "Q2", Q, NULL, b2);
    const char *ids[] = {a1, b1};
    json_t *g = confirm(f, &f->analyst, "重複試験", ids, 2);
    char gid[37];
    snprintf(gid, sizeof gid, "%s", json_string_value(json_object_get(g, "id")));
    json_decref(g);
    json_t *o = NULL;
    assert_int_equal(rk_group_list(f->s, &f->analyst, &o, &err), RK_OK);
    size_t i, ncand = 0;
    json_t *x;
    json_array_foreach(json_object_get(o, "items"), i, x)
    {
        if (json_is_true(json_object_get(x, "confirmed")))
            continue;
        ncand++;
        json_t *ov = json_array_get(json_object_get(x, "overlaps"), 0);
        assert_non_null(ov);
        assert_string_equal(json_string_value(json_object_get(ov, "group_id")), gid);
        assert_int_equal(json_integer_value(json_object_get(ov, "members")), 1);
        assert_true((has_member(x, a1) && has_member(x, a2)) ||
                    (has_member(x, b1) && has_member(x, b2)));
    }
    assert_int_equal(ncand, 1);
    json_decref(o);
}

static void ref_of(struct fx *f, const char *id, char ref[24])
{
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_report_get(f->s, &f->analyst, id, &o, &err), RK_OK);
    snprintf(ref, 24, "%s", json_string_value(json_object_get(o, "ref")));
    json_decref(o);
}

/* Analysts know reports by their reference numbers: members may be named so. A reference the
 * caller may not read gets the same answer as one that does not exist. */
static void test_members_by_reference(void **state)
{
    struct fx *f = *state;
    struct rk_error err = {0};
    char r1[37], r2[37], ref1[24], ref2[24];
    fx_report(f, &f->analyst, "番号で指定 1", RING, NULL, r1);
    fx_report(f, &f->analyst, "番号で指定 2", RING, NULL, r2);
    ref_of(f, r1, ref1);
    ref_of(f, r2, ref2);
    json_t *in =
        json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}]}", "name", "番号指定", "members", "kind",
                  "report", "ref", ref1, "kind", "report", "id", r2, "kind", "report", "ref", ref2);
    json_t *o = NULL;
    assert_int_equal(rk_group_confirm(f->s, &f->analyst, in, &o, &err), RK_OK);
    json_decref(in);
    assert_true(has_member(o, r1) && has_member(o, r2));
    assert_int_equal(json_array_size(json_object_get(o, "members")), 2); /* r2 named twice */
    char gid[37];
    snprintf(gid, sizeof gid, "%s", json_string_value(json_object_get(o, "id")));
    json_decref(o);

    /* The NPA analyst cannot read r1 (scope prefecture): the same answer as a missing one. */
    static const struct {
        const char *ref;
        const char *field;
        const char *message;
    } cases[] = {
        {"@1", "add[0].ref", "no such report"},
        {"R2099-999999", "add[0].ref", "no such report"},
        {"X-1", "add[0].ref", "not a reference number (R2026-000123)"},
        {"R2026", "add[0].ref", "not a reference number (R2026-000123)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        in = json_pack("{s:[{s:s,s:s}]}", "add", "kind", "report", "ref",
                       strcmp(cases[i].ref, "@1") == 0 ? ref1 : cases[i].ref);
        o = NULL;
        assert_int_equal(rk_group_members(f->s, &f->npa, gid, in, &o, &err), RK_EINVAL);
        assert_string_equal(err.field, cases[i].field);
        assert_string_equal(err.message, cases[i].message);
        assert_null(o);
        json_decref(in);
    }
    in = json_pack("{s:[{s:s,s:s,s:s}]}", "add", "kind", "report", "ref", ref1, "id", r1);
    assert_int_equal(rk_group_members(f->s, &f->analyst, gid, in, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "add[0].id");
    json_decref(in);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM grp_members"), 2);
}

static void test_roles_and_actors(void **state)
{
    struct fx *f = *state;
    struct rk_error err = {0};
    const struct rk_actor *refused[] = {&f->station_a, &f->partner, &f->admin};
    json_t *actor_in = json_pack("{s:s,s:s,s:[s]}", "name_ja", "架空詐欺団「蜜柑」", "name_en",
                                 "Mikan Ring", "aliases", "MR");
    for (size_t i = 0; i < 3; i++) {
        json_t *o = NULL;
        assert_int_equal(rk_group_list(f->s, refused[i], &o, &err), RK_EFORBIDDEN);
        assert_int_equal(rk_group_flags(f->s, refused[i], NULL, NULL, &o, &err), RK_EFORBIDDEN);
        assert_int_equal(rk_actor_list(f->s, refused[i], &o, &err), RK_EFORBIDDEN);
        assert_int_equal(rk_actor_create(f->s, refused[i], actor_in, &o, &err), RK_EFORBIDDEN);
        assert_null(o);
    }
    json_t *a = NULL;
    assert_int_equal(rk_actor_create(f->s, &f->supervisor, actor_in, &a, &err), RK_OK);
    json_decref(actor_in);
    char aid[37];
    snprintf(aid, sizeof aid, "%s", json_string_value(json_object_get(a, "id")));
    json_decref(a);

    char r1[37];
    fx_report(f, &f->analyst, "x", RING, NULL, r1);
    const char *ids[] = {r1};
    json_t *g = confirm(f, &f->analyst, "蜜柑", ids, 1);
    char gid[37];
    snprintf(gid, sizeof gid, "%s", json_string_value(json_object_get(g, "id")));
    json_decref(g);
    json_t *in = json_pack("{s:s}", "actor_id", aid), *o = NULL;
    assert_int_equal(rk_group_update(f->s, &f->analyst, gid, in, &o, &err), RK_OK);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "actor"), "name_en")),
                        "Mikan Ring");
    json_decref(in);
    json_decref(o);
    assert_int_equal(rk_actor_get(f->s, &f->analyst, aid, &o, &err), RK_OK);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(o, "groups"), 0), "id")),
        gid);
    json_decref(o);
    /* Unknown actor, bad status. */
    in = json_pack("{s:s}", "actor_id", "00000000-0000-4000-8000-000000000000");
    o = NULL;
    assert_int_equal(rk_group_update(f->s, &f->analyst, gid, in, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "actor_id");
    json_decref(in);
    in = json_pack("{s:s}", "status", "confirmed");
    assert_int_equal(rk_group_update(f->s, &f->analyst, gid, in, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "status");
    json_decref(in);
    assert_null(o);
    in = json_pack("{s:n}", "actor_id");
    assert_int_equal(rk_group_update(f->s, &f->analyst, gid, in, &o, &err), RK_OK);
    assert_true(json_is_null(json_object_get(o, "actor")));
    json_decref(in);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_confirm_flag_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flags_survive_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restricted_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_merge_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_candidate_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_members_by_reference, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles_and_actors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
