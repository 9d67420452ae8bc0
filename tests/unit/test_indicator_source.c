/* The store as an indicator source (lib/model/indicator-source.c) and the sharing-audience rule
 * (rk__access_audience_allows in lib/share/access.c): a small world of cases and one report
 * with every marking, walked with a table of filters whose expected streams are written out in
 * full, plus the audience × TLP × scope matrix. */
#include "store-fixture.h"

#include <sqlite3.h>

#include "model/indicator-source.h"
#include "renkei/buf.h"
#include "share/access.h"

/* ===== The audience matrix ===== */

static const char *const tlps[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
static const char *const scopes[] = {"unit", "prefecture", "police", "partners", "public"};

/* Rows: TLP in the order above; columns: scope in the order above; 1 = may receive. */
static const struct {
    const char *audience;
    int allow[5][5];
} audiences[] = {
    {"police",
     {/* unit pref police partners public */
      {0, 0, 1, 1, 1},
      {0, 0, 1, 1, 1},
      {0, 0, 1, 1, 1},
      {0, 0, 0, 0, 0}, /* AMBER+STRICT never leaves */
      {0, 0, 0, 0, 0}}},
    {"partners",
     {{0, 0, 0, 1, 1}, {0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}}},
    {"public",
     {{0, 0, 0, 0, 1}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}}},
    {"npa", /* not an audience: nothing */
     {{0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}}},
};

static void test_audience_matrix(void **state)
{
    (void)state;
    for (size_t a = 0; a < RK_ARRAY_LEN(audiences); a++) {
        for (int t = 0; t < 5; t++) {
            for (int s = 0; s < 5; s++) {
                int got = rk__access_audience_allows(audiences[a].audience, tlps[t], scopes[s]);
                if (got != audiences[a].allow[t][s])
                    fail_msg("audience %s, TLP %s, scope %s: got %d", audiences[a].audience,
                             tlps[t], scopes[s], got);
            }
        }
    }
    assert_int_equal(rk__access_audience_allows("police", "amber", "police"), 0);
    assert_int_equal(rk__access_audience_allows("police", NULL, "police"), 0);
    assert_int_equal(rk__access_audience_allows("partners", "GREEN", "everyone"), 0);
    assert_int_equal(rk__access_tlp_rank("AMBER+STRICT"), 3);
    assert_int_equal(rk__access_tlp_rank("TLP:AMBER"), -1);
}

/* ===== The store walk ===== */

struct world {
    struct fx *f;
    char green[37], amber[37], red[37], unitc[37], clear[37];
    char green_ref[32], amber_ref[32];
};

static void mk_case(struct fx *f, const char *title, const char *tlp, const char *scope,
                    char id[37], char *ref)
{
    json_t *in = json_pack("{s:s,s:s,s:s}", "title", title, "tlp", tlp, "scope", scope);
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_case_create(f->s, &f->analyst, in, &o, &err), RK_OK);
    snprintf(id, 37, "%s", json_string_value(json_object_get(o, "id")));
    if (ref != NULL)
        snprintf(ref, 32, "%s", json_string_value(json_object_get(o, "ref")));
    json_decref(in);
    json_decref(o);
}

static void link_obs(struct fx *f, const char *case_id, const char *value, const char *role)
{
    json_t *in = json_pack("{s:s,s:s}", "value", value, "role", role);
    json_t *o = NULL;
    struct rk_error err = {0};
    enum rk_status rc = rk_case_observable_link(f->s, &f->analyst, case_id, in, &o, &err);
    if (rc != RK_OK)
        fail_msg("link %s: %s (%s)", value, err.message, err.field);
    json_decref(in);
    json_decref(o);
}

static int setup(void **state)
{
    struct world *w = rk_calloc(1, sizeof(*w));
    struct fx *f = fx_open();
    w->f = f;
    mk_case(f, "共有事案", "GREEN", "partners", w->green, w->green_ref);
    mk_case(f, "警察内事案", "AMBER", "police", w->amber, w->amber_ref);
    mk_case(f, "秘匿事案", "RED", "prefecture", w->red, NULL);
    mk_case(f, "所属限定事案", "GREEN", "unit", w->unitc, NULL);
    mk_case(f, "公開事案", "CLEAR", "public", w->clear, NULL);
    link_obs(f, w->green, "evil-green.example.net", "attacker_infrastructure");
    link_obs(f, w->green, "203.0.113.5", "attacker_infrastructure");
    link_obs(f, w->green, "victim-corp.example.net", "victim_asset");
    link_obs(f, w->amber, "amber-only.example.net", "phishing_site");
    link_obs(f, w->amber, "evil-green.example.net", "phishing_site");
    link_obs(f, w->red, "red-only.example.net", "malware");
    link_obs(f, w->unitc, "unit-only.example.net", "attacker_infrastructure");
    link_obs(f, w->clear, "public.example.net", "phishing_site");
    /* The unit-scope value was last seen years ago (the service API always stamps "now"). */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE observables SET last_seen = '2020-01-01T00:00:00Z'"
                                  " WHERE canonical = 'unit-only.example.net'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    /* A GREEN/partners report naming a sender address and the victim's own domain, in the
     * AMBER case. */
    char rep[37];
    json_t *x = json_pack("{s:s,s:s}", "tlp", "GREEN", "scope", "partners");
    fx_report(f, &f->station_a, "偽メール",
              "差出人 fraud@report-only.example.net から victim-corp.example.net 宛", x, rep);
    json_decref(x);
    json_t *in = json_pack("{s:[s]}", "report_ids", rep);
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_case_add_reports(f->s, &f->analyst, w->amber, in, &o, &err), RK_OK);
    json_decref(in);
    json_decref(o);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    fx_close(w->f);
    rk_free(w);
    return 0;
}

/* Appends "type value tlp ncases\n" per indicator. */
static enum rk_status collect(void *ud, const struct rk_store_indicator *ind, struct rk_error *err)
{
    (void)err;
    struct rk_buf *b = ud;
    return rk_buf_addf(b, "%s %s %s %zu\n", ind->type, ind->value, ind->tlp, ind->ncases);
}

enum reader { SYS, ANALYST, ANALYST2 };

static const struct {
    const char *name;
    enum reader who;
    struct rk_indicator_filter f;
    const char *want;
} walks[] = {
    {"installation, everything",
     SYS,
     {0},
     "domain amber-only.example.net AMBER 1\n"
     "domain evil-green.example.net AMBER 2\n"
     "domain public.example.net CLEAR 1\n"
     "domain red-only.example.net RED 1\n"
     "domain unit-only.example.net GREEN 1\n"
     "email fraud@report-only.example.net GREEN 1\n"
     "ipv4 203.0.113.5 GREEN 1\n"},
    /* analyst2 is not named on the RED case; the unit-scope case is led by the analysts' own
     * unit (the creator's), so it is readable. */
    {"analyst2, own reading",
     ANALYST2,
     {0},
     "domain amber-only.example.net AMBER 1\n"
     "domain evil-green.example.net AMBER 2\n"
     "domain public.example.net CLEAR 1\n"
     "domain unit-only.example.net GREEN 1\n"
     "email fraud@report-only.example.net GREEN 1\n"
     "ipv4 203.0.113.5 GREEN 1\n"},
    {"analyst, police",
     ANALYST,
     {.audience = "police"},
     "domain amber-only.example.net AMBER 1\n"
     "domain evil-green.example.net AMBER 2\n"
     "domain public.example.net CLEAR 1\n"
     "email fraud@report-only.example.net GREEN 1\n"
     "ipv4 203.0.113.5 GREEN 1\n"},
    /* The report is GREEN/partners but its case is AMBER: the value goes, the case reference
     * does not. */
    {"analyst, partners",
     ANALYST,
     {.audience = "partners"},
     "domain evil-green.example.net GREEN 1\n"
     "domain public.example.net CLEAR 1\n"
     "email fraud@report-only.example.net GREEN 0\n"
     "ipv4 203.0.113.5 GREEN 1\n"},
    {"analyst, public", ANALYST, {.audience = "public"}, "domain public.example.net CLEAR 1\n"},
    {"installation, TLP ≤ CLEAR", SYS, {.tlp_max = "CLEAR"}, "domain public.example.net CLEAR 1\n"},
    {"installation, tag malware", SYS, {.tag = "malware"}, "domain red-only.example.net RED 1\n"},
    {"installation, tag phishing_site, partners",
     SYS,
     {.tag = "phishing_site", .audience = "partners"},
     "domain public.example.net CLEAR 1\n"},
    {"installation, last 30 days",
     SYS,
     {.max_age_days = 30},
     "domain amber-only.example.net AMBER 1\n"
     "domain evil-green.example.net AMBER 2\n"
     "domain public.example.net CLEAR 1\n"
     "domain red-only.example.net RED 1\n"
     "email fraud@report-only.example.net GREEN 1\n"
     "ipv4 203.0.113.5 GREEN 1\n"},
};

static const struct rk_actor *reader(struct fx *f, enum reader r)
{
    return r == SYS ? &f->sys : r == ANALYST ? &f->analyst : &f->analyst2;
}

static void test_walks(void **state)
{
    struct world *w = *state;
    for (size_t i = 0; i < RK_ARRAY_LEN(walks); i++) {
        struct rk_buf b;
        struct rk_error err = {0};
        rk_buf_init(&b, 1 << 20);
        enum rk_status rc = rk__store_indicators_each(w->f->s, reader(w->f, walks[i].who),
                                                      &walks[i].f, collect, &b, &err);
        if (rc != RK_OK)
            fail_msg("%s: %s", walks[i].name, err.message);
        rk_buf_addc(&b, '\0');
        if (strcmp((const char *)b.data, walks[i].want) != 0)
            fail_msg("%s:\n got:\n%s want:\n%s", walks[i].name, (const char *)b.data,
                     walks[i].want);
        rk_buf_free(&b);
    }
}

/* The case references given to partners are the GREEN/partners case's only. */
static enum rk_status first_ref(void *ud, const struct rk_store_indicator *ind,
                                struct rk_error *err)
{
    (void)err;
    if (strcmp(ind->value, "evil-green.example.net") == 0 && ind->ncases == 1)
        snprintf(ud, 32, "%s", ind->cases[0].ref);
    return RK_OK;
}

static void test_case_refs_and_case_filter(void **state)
{
    struct world *w = *state;
    char ref[32] = "";
    struct rk_error err = {0};
    struct rk_indicator_filter f = {.audience = "partners"};
    assert_int_equal(rk__store_indicators_each(w->f->s, &w->f->analyst, &f, first_ref, ref, &err),
                     RK_OK);
    assert_string_equal(ref, w->green_ref);
    /* The AMBER case: its own links and its report's observables. */
    struct rk_buf b;
    rk_buf_init(&b, 1 << 20);
    f = (struct rk_indicator_filter){.case_id = w->amber};
    assert_int_equal(rk__store_indicators_each(w->f->s, &w->f->analyst, &f, collect, &b, &err),
                     RK_OK);
    rk_buf_addc(&b, '\0');
    assert_string_equal((const char *)b.data, "domain amber-only.example.net AMBER 1\n"
                                              "domain evil-green.example.net AMBER 1\n"
                                              "email fraud@report-only.example.net GREEN 1\n");
    rk_buf_free(&b);
}

static enum rk_status never(void *ud, const struct rk_store_indicator *ind, struct rk_error *err)
{
    (void)ind;
    (void)err;
    (*(int *)ud)++;
    return RK_OK;
}

static enum rk_status stop(void *ud, const struct rk_store_indicator *ind, struct rk_error *err)
{
    (void)ind;
    (*(int *)ud)++;
    return rk__err(err, RK_ECONFLICT, NULL, "stop");
}

static const struct {
    struct rk_indicator_filter f;
    const char *field;
} bad_filters[] = {
    {{.tlp_max = "amber"}, "tlp_max"},
    {{.audience = "npa"}, "audience"},
    {{.tag = "victim_asset"}, "tag"},
    {{.tag = "c2"}, "tag"},
    {{.max_age_days = -1}, "max_age_days"},
    {{.case_id = "C2026-000001"}, "case_id"},
    {{.case_id = "00000000-0000-4000-8000-000000000000"}, "case_id"},
};

static void test_refusals(void **state)
{
    struct world *w = *state;
    int calls = 0;
    struct rk_error err = {0};
    for (size_t i = 0; i < RK_ARRAY_LEN(bad_filters); i++) {
        memset(&err, 0, sizeof(err));
        enum rk_status rc = rk__store_indicators_each(w->f->s, &w->f->analyst, &bad_filters[i].f,
                                                      never, &calls, &err);
        assert_int_not_equal(rc, RK_OK);
        assert_string_equal(err.field, bad_filters[i].field);
    }
    const struct rk_actor *refused[] = {&w->f->partner, &w->f->admin};
    for (size_t i = 0; i < RK_ARRAY_LEN(refused); i++)
        assert_int_equal(rk__store_indicators_each(w->f->s, refused[i], NULL, never, &calls, &err),
                         RK_EFORBIDDEN);
    /* The RED case is not analyst2's to filter by. */
    struct rk_indicator_filter f = {.case_id = w->red};
    assert_int_equal(rk__store_indicators_each(w->f->s, &w->f->analyst2, &f, never, &calls, &err),
                     RK_EFORBIDDEN);
    assert_int_equal(calls, 0);
    /* A callback's error stops the walk and is returned. */
    assert_int_equal(rk__store_indicators_each(w->f->s, &w->f->analyst, NULL, stop, &calls, &err),
                     RK_ECONFLICT);
    assert_int_equal(calls, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_audience_matrix),
        cmocka_unit_test_setup_teardown(test_walks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_refs_and_case_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
