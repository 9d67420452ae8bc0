/* Unit tests of cases and the workflow: a case built from reports with assignees, tasks,
 * notes, observables with roles, linked cases and its timeline; case search over notes;
 * report and case transitions (allowed, forbidden → conflict); 起案/決裁 approvals. */
#include "store-fixture.h"

static int setup(void **state)
{
    *state = fx_open();
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

static json_t *transition(struct fx *f, const struct rk_actor *a, const char *type,
                          const char *id, const char *to, enum rk_status want)
{
    json_t *in = json_pack("{s:s}", "to", to), *o = NULL;
    struct rk_error err = {0};
    enum rk_status rc = strcmp(type, "case") == 0
                            ? rk_case_transition(f->s, a, id, in, &o, &err)
                            : rk_report_transition(f->s, a, id, in, &o, &err);
    if (rc != want)
        fprintf(stderr, "%s -> %s: %s %s\n", type, to, rk_status_code(rc), err.message);
    assert_int_equal(rc, want);
    json_decref(in);
    return o;
}

static const char *status_of(json_t *o)
{
    return json_string_value(json_object_get(o, "status"));
}

static void test_case_lifecycle(void **state)
{
    struct fx *f = *state;
    char r1[37], r2[37];
    fx_report(f, &f->station_a, "偽通販", "偽サイト shop-kakuu.example.com で購入。", NULL, r1);
    fx_report(f, &f->station_b, "偽通販", "同じ shop-kakuu.example.com から被害。", NULL, r2);
    json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:[s,s],s:[s,s]}", "title", "偽通販サイト事案",
                           "summary", "複数署で同一サイトの被害", "category", "fake_shop",
                           "lead_unit_id", f->div, "assignee_ids", f->analyst.user_id,
                           f->analyst2.user_id, "report_ids", r1, r2);
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_case_create(f->s, &f->analyst, in, &o, &err), RK_OK);
    json_decref(in);
    char cid[37];
    snprintf(cid, sizeof(cid), "%s", json_string_value(json_object_get(o, "id")));
    assert_string_equal(status_of(o), "open");
    assert_int_equal(json_array_size(json_object_get(o, "reports")), 2);
    assert_int_equal(json_array_size(json_object_get(o, "assignees")), 2);
    json_decref(o);

    in = json_pack("{s:s,s:s,s:s}", "title", "サイト運営者の照会", "assignee_id",
                   f->analyst2.user_id, "due", "2026-12-01");
    assert_int_equal(rk_case_task_add(f->s, &f->analyst, cid, in, &o, &err), RK_OK);
    json_decref(in);
    char tid[37];
    snprintf(tid, sizeof(tid), "%s", json_string_value(json_object_get(o, "id")));
    assert_string_equal(json_string_value(json_object_get(o, "due")), "2026-12-01");
    json_decref(o);
    in = json_pack("{s:b,s:n}", "done", 1, "due");
    assert_int_equal(rk_case_task_update(f->s, &f->analyst2, cid, tid, in, &o, &err), RK_OK);
    assert_true(json_is_true(json_object_get(o, "done")));
    assert_true(json_is_null(json_object_get(o, "due")));
    json_decref(in);
    json_decref(o);

    in = json_pack("{s:s}", "text", "ドメイン登録者は架空名義。口座凍結を検討。");
    assert_int_equal(rk_case_note_add(f->s, &f->analyst, cid, in, &o, &err), RK_OK);
    json_decref(in);
    json_decref(o);

    in = json_pack("{s:s,s:s}", "value", "hxxps://shop-kakuu[.]example.com/cart", "role",
                   "phishing_site");
    assert_int_equal(rk_case_observable_link(f->s, &f->analyst, cid, in, &o, &err), RK_OK);
    json_decref(in);
    json_t *ob = json_array_get(json_object_get(o, "observables"), 0);
    assert_string_equal(json_string_value(json_object_get(ob, "canonical")),
                        "https://shop-kakuu.example.com/cart");
    assert_string_equal(json_string_value(json_object_get(ob, "role")), "phishing_site");
    char oid[37];
    snprintf(oid, sizeof(oid), "%s", json_string_value(json_object_get(ob, "id")));
    json_decref(o);
    in = json_pack("{s:s,s:s}", "value", "not an observable", "role", "other");
    assert_int_equal(rk_case_observable_link(f->s, &f->analyst, cid, in, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "value");
    json_decref(in);
    in = json_pack("{s:s,s:s}", "value", "192.0.2.1", "role", "villain");
    assert_int_equal(rk_case_observable_link(f->s, &f->analyst, cid, in, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "role");
    json_decref(in);

    /* A second case, linked as joint investigation. */
    in = json_pack("{s:s}", "title", "他県との合同捜査");
    assert_int_equal(rk_case_create(f->s, &f->analyst, in, &o, &err), RK_OK);
    char c2[37];
    snprintf(c2, sizeof(c2), "%s", json_string_value(json_object_get(o, "id")));
    json_decref(in);
    json_decref(o);
    in = json_pack("{s:s,s:s}", "case_id", c2, "relation", "joint");
    assert_int_equal(rk_case_link_case(f->s, &f->analyst, cid, in, &o, &err), RK_OK);
    json_decref(in);
    json_decref(o);

    assert_int_equal(rk_case_get(f->s, &f->analyst2, c2, &o, &err), RK_OK);
    json_t *l = json_array_get(json_object_get(o, "linked_cases"), 0);
    assert_string_equal(json_string_value(json_object_get(l, "id")), cid);
    assert_string_equal(json_string_value(json_object_get(l, "relation")), "joint");
    json_decref(o);

    assert_int_equal(rk_case_get(f->s, &f->analyst, cid, &o, &err), RK_OK);
    assert_int_equal(json_array_size(json_object_get(o, "tasks")), 1);
    assert_int_equal(json_array_size(json_object_get(o, "notes")), 1);
    /* create, task_add, task_update, note_add, observable_link, link_case */
    json_t *tl = json_object_get(o, "timeline");
    assert_int_equal(json_array_size(tl), 6);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 0), "action")),
                        "create");
    json_decref(o);

    /* Search: a note's words (trigram) and a 2-character word of a note. */
    struct rk_case_query q = {.q = "架空名義"};
    assert_int_equal(rk_case_list(f->s, &f->analyst, &q, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
    json_decref(o);
    q.q = "凍結";
    assert_int_equal(rk_case_list(f->s, &f->analyst, &q, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
    json_decref(o);
    q.q = "合同";
    assert_int_equal(rk_case_list(f->s, &f->analyst, &q, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
    json_decref(o);

    assert_int_equal(rk_case_observable_unlink(f->s, &f->analyst, cid, oid, &err), RK_OK);
    assert_int_equal(rk_case_observable_unlink(f->s, &f->analyst, cid, oid, &err),
                     RK_ENOTFOUND);
}

struct step {
    const char *to;
    enum rk_status want;
    const char *state_after;
};

static void test_report_transitions(void **state)
{
    struct fx *f = *state;
    char id[37];
    fx_report(f, &f->station_a, "相談", "ワンクリック詐欺の相談", NULL, id);
    static const struct step steps[] = {
        {"closed", RK_ECONFLICT, "received"},  /* not from 受付 */
        {"advised", RK_ECONFLICT, "received"}, /* must be 対応中 first */
        {"triaged", RK_OK, "triaged"},
        {"in_progress", RK_OK, "in_progress"},
        {"advised", RK_OK, "advised"},
        {"received", RK_ECONFLICT, "advised"}, /* no way back */
    };
    for (size_t i = 0; i < RK_ARRAY_LEN(steps); i++) {
        json_t *o = transition(f, &f->station_a, "report", id, steps[i].to, steps[i].want);
        json_decref(o);
        json_t *g = NULL;
        struct rk_error err = {0};
        assert_int_equal(rk_report_get(f->s, &f->station_a, id, &g, &err), RK_OK);
        assert_string_equal(status_of(g), steps[i].state_after);
        json_decref(g);
    }
    json_t *in = json_pack("{s:s}", "to", "nowhere"), *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_report_transition(f->s, &f->station_a, id, in, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "to");
    json_decref(in);
}

static void test_approvals(void **state)
{
    struct fx *f = *state;
    char id[37];
    fx_report(f, &f->station_a, "相談", "サポート詐欺の相談", NULL, id);
    json_decref(transition(f, &f->station_a, "report", id, "in_progress", RK_OK));
    json_decref(transition(f, &f->station_a, "report", id, "advised", RK_OK));
    /* 完結 needs 決裁: the officer's request becomes a pending approval. */
    json_t *o = transition(f, &f->station_a, "report", id, "closed", RK_OK);
    assert_string_equal(status_of(o), "advised");
    json_t *p = json_object_get(o, "pending_approval");
    assert_true(json_is_object(p));
    char aid[37];
    snprintf(aid, sizeof(aid), "%s", json_string_value(json_object_get(p, "id")));
    json_decref(o);
    /* A second request while one is pending conflicts. */
    json_decref(transition(f, &f->station_a, "report", id, "closed", RK_ECONFLICT));

    struct rk_error err = {0};
    assert_int_equal(rk_approval_list(f->s, &f->supervisor, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(o, "items"), 0), "to")),
        "closed");
    json_decref(o);
    /* The requester sees their own pending request; a partner nothing. */
    assert_int_equal(rk_approval_list(f->s, &f->station_a, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
    json_decref(o);
    assert_int_equal(rk_approval_list(f->s, &f->partner, &o, &err), RK_EFORBIDDEN);

    json_t *in = json_pack("{s:s}", "decision", "approve");
    assert_int_equal(rk_approval_decide(f->s, &f->analyst, aid, in, &o, &err), RK_EFORBIDDEN);
    assert_int_equal(rk_approval_decide(f->s, &f->supervisor, aid, in, &o, &err), RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "approved");
    json_decref(o);
    assert_int_equal(rk_approval_decide(f->s, &f->supervisor, aid, in, &o, &err), RK_ECONFLICT);
    json_decref(in);
    assert_int_equal(rk_report_get(f->s, &f->station_a, id, &o, &err), RK_OK);
    assert_string_equal(status_of(o), "closed");
    assert_true(json_is_null(json_object_get(o, "pending_approval")));
    json_decref(o);

    /* A case: 事件化 requested by the analyst, rejected, requested again, approved. */
    in = json_pack("{s:s}", "title", "ランサムウェア事案");
    assert_int_equal(rk_case_create(f->s, &f->analyst, in, &o, &err), RK_OK);
    json_decref(in);
    char cid[37];
    snprintf(cid, sizeof(cid), "%s", json_string_value(json_object_get(o, "id")));
    json_decref(o);
    json_decref(transition(f, &f->analyst, "case", cid, "investigating", RK_ECONFLICT));
    o = transition(f, &f->analyst, "case", cid, "jikenka", RK_OK);
    snprintf(aid, sizeof(aid), "%s",
             json_string_value(json_object_get(json_object_get(o, "pending_approval"), "id")));
    json_decref(o);
    in = json_pack("{s:s,s:s}", "decision", "reject", "comment", "証拠不十分");
    assert_int_equal(rk_approval_decide(f->s, &f->supervisor, aid, in, &o, &err), RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "rejected");
    json_decref(o);
    json_decref(in);
    o = transition(f, &f->analyst, "case", cid, "jikenka", RK_OK);
    snprintf(aid, sizeof(aid), "%s",
             json_string_value(json_object_get(json_object_get(o, "pending_approval"), "id")));
    json_decref(o);
    in = json_pack("{s:s}", "decision", "approve");
    assert_int_equal(rk_approval_decide(f->s, &f->supervisor, aid, in, &o, &err), RK_OK);
    json_decref(o);
    json_decref(in);
    /* A supervisor's own step needing 決裁 applies at once. */
    json_decref(transition(f, &f->analyst, "case", cid, "investigating", RK_OK));
    o = transition(f, &f->supervisor, "case", cid, "cleared", RK_OK);
    assert_string_equal(status_of(o), "cleared");
    json_t *tl = json_object_get(o, "timeline");
    int transitions = 0;
    size_t i;
    json_t *e;
    json_array_foreach(tl, i, e) transitions +=
        strcmp(json_string_value(json_object_get(e, "action")), "transition") == 0;
    assert_int_equal(transitions, 3);
    json_decref(o);
    o = NULL;
    json_t *v = NULL;
    assert_int_equal(rk_audit_verify(f->s, &v, &err), RK_OK);
    assert_true(json_is_true(json_object_get(v, "ok")));
    json_decref(v);
}

static void test_case_validation(void **state)
{
    struct fx *f = *state;
    long long before = fx_count(f, "SELECT count(*) FROM cases");
    static const char *const bodies[][2] = {
        {"{\"title\":\"\"}", "title"},
        {"{\"title\":\"x\",\"tlp\":\"BLUE\"}", "tlp"},
        {"{\"title\":\"x\",\"report_ids\":[\"nope\"]}", "report_ids[0]"},
        {"{\"title\":\"x\",\"report_ids\":[\"00000000-0000-4000-8000-000000000000\"]}",
         "report_ids[0]"},
        {"{\"title\":\"x\",\"assignee_ids\":[\"00000000-0000-4000-8000-000000000000\"]}",
         "assignee_ids[0]"},
        {"{\"title\":\"x\",\"status\":\"closed\"}", "status"},
    };
    for (size_t i = 0; i < RK_ARRAY_LEN(bodies); i++) {
        json_t *in = json_loads(bodies[i][0], 0, NULL), *o = NULL;
        struct rk_error err = {0};
        assert_int_not_equal(rk_case_create(f->s, &f->analyst, in, &o, &err), RK_OK);
        assert_string_equal(err.field, bodies[i][1]);
        json_decref(in);
    }
    assert_int_equal(fx_count(f, "SELECT count(*) FROM cases"), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_case_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_transitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_approvals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_validation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
