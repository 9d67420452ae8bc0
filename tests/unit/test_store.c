/* Unit tests of lib/store and lib/model/report*.c against a real SQLite file: schema and
 * pragmas, report create/get/update, input validation (nothing written on error), Japanese
 * substring search through FTS5 trigrams and the short-query path, observables seen-in. */
#include "store-fixture.h"

#include "renkei/limits.h"

#include <sqlite3.h>
#include <sys/stat.h>

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

static void test_schema_and_pragmas(void **state)
{
    struct fx *f = *state;
    assert_int_equal(fx_count(f, "PRAGMA user_version"), 12); /* one per migration file */
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* Re-opening an up-to-date database applies nothing and keeps the data. */
    struct rk_store *s2 = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_store_open(f->path, &s2, &err), RK_OK);
    rk_store_close(s2);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM users"), 8);
    /* Foreign keys are enforced: a report with an unknown unit cannot exist. */
    json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "intake_type", "tsuho", "channel",
                           "online", "category", "phishing", "title", "t", "narrative", "n",
                           "unit_id", "00000000-0000-4000-8000-000000000000");
    json_t *o = NULL;
    assert_int_equal(rk_report_create(f->s, &f->analyst, in, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "unit_id");
    json_decref(in);
}

static void test_report_roundtrip(void **state)
{
    struct fx *f = *state;
    json_t *in = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:{s:s,s:s,s:s,s:i,s:s,s:b},s:[{s:s,s:s,s:s,s:s,s:s}],"
        "s:s,s:[s],s:s,s:s}",
        "intake_type", "higai_todoke", "channel", "madoguchi", "category", "ib_transfer", "title",
        "インターネットバンキング不正送金", "narrative",
        "架空太郎さんの口座から不正送金。送金先は架空銀行。連絡は 090-0000-1234 から。",
        "occurred_at", "2026-11-20T10:00:00+09:00", "damage_amount", (json_int_t)1500000,
        "urgent", 1, "reporter", "type", "individual", "name", "架空 太郎", "kana",
        "カクウ タロウ", "age", 54, "postal_code", "100-0001", "wants_reply", 1,
        "bank_accounts", "bank_code", "0001", "branch_code", "123", "account_type", "futsu",
        "number", "1234567", "holder_kana", "カクウ ハナコ", "sms_text",
        "【架空銀行】お客様の口座を一時停止しました hxxps://kakuu-bank[.]example.com/login", "urls",
        "https://kakuu-bank.example.jp/verify", "tlp", "AMBER", "scope", "prefecture");
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_report_create(f->s, &f->station_a, in, &o, &err), RK_OK);
    const char *id = json_string_value(json_object_get(o, "id"));
    assert_non_null(id);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "received");
    assert_int_equal(strncmp(json_string_value(json_object_get(o, "ref")), "R20", 3), 0);
    assert_string_equal(json_string_value(json_object_get(o, "occurred_at")),
                        "2026-11-20T01:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(o, "damage_amount")), 1500000);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(o, "unit"), "name")), "東浜警察署");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(o, "reporter"), "age")), 54);
    /* The URLs of the SMS text and of urls, their domains, the phone number of the narrative
     * and the structured bank account were all extracted. */
    json_t *obs = json_object_get(o, "observables");
    const char *want[] = {"https://kakuu-bank.example.com/login",
                          "https://kakuu-bank.example.jp/verify", "+819000001234",
                          "0001-123-1234567"};
    for (size_t k = 0; k < RK_ARRAY_LEN(want); k++) {
        int found = 0;
        size_t i;
        json_t *e;
        json_array_foreach(obs, i, e) found |=
            strcmp(json_string_value(json_object_get(e, "canonical")), want[k]) == 0;
        if (!found)
            fprintf(stderr, "missing %s\n", want[k]);
        assert_true(found);
    }
    char rid[37];
    snprintf(rid, sizeof(rid), "%s", id);
    json_decref(o);
    json_decref(in);

    assert_int_equal(rk_report_get(f->s, &f->station_a, rid, &o, &err), RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "title")),
                        "インターネットバンキング不正送金");
    json_decref(o);

    in = json_pack("{s:s,s:n}", "title", "IB不正送金（更新）", "occurred_at");
    assert_int_equal(rk_report_update(f->s, &f->station_a, rid, in, &o, &err), RK_OK);
    assert_string_equal(json_string_value(json_object_get(o, "title")), "IB不正送金（更新）");
    assert_true(json_is_null(json_object_get(o, "occurred_at")));
    /* Untouched fields keep their values. */
    assert_int_equal(json_integer_value(json_object_get(o, "damage_amount")), 1500000);
    json_decref(o);
    json_decref(in);
}

struct bad_case {
    const char *json; /* a create body */
    const char *field;
};

static const struct bad_case bad_cases[] = {
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"colour\":\"red\"}",
     "colour"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\"}",
     "narrative"},
    {"{\"intake_type\":\"mail\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\"}",
     "intake_type"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"nope\",\"title\":\"t\","
     "\"narrative\":\"n\"}",
     "category"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":5,"
     "\"narrative\":\"n\"}",
     "title"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"damage_amount\":-1}",
     "damage_amount"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"damage_amount\":\"100\"}",
     "damage_amount"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"tlp\":\"PINK\"}",
     "tlp"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"received_at\":\"2026-13-01\"}",
     "received_at"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"reporter\":{\"age\":200}}",
     "reporter.age"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"reporter\":{\"shoe\":1}}",
     "reporter.shoe"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"bank_accounts\":[{\"bank_code\":\"12\"}]}",
     "bank_accounts[0].bank_code"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"urls\":[\"https://a.example\",7]}",
     "urls[1]"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"a\\u0000b\"}",
     "narrative"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"ransomware\":{\"intrusion_route\":\"teleport\"}}",
     "ransomware.intrusion_route"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"ransomware\":{\"demand_amount\":-5}}",
     "ransomware.demand_amount"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"attachments\":[{\"name\":\"a.exe\",\"sha256\":\"abc\"}]}",
     "attachments[0].sha256"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"attachments\":[{\"name\":\"a.exe\"}]}",
     "attachments[0].sha256"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"crypto\":[{\"wallet\":\"x\",\"chain\":\"btc\"}]}",
     "crypto[0].chain"},
    {"{\"intake_type\":\"sodan\",\"channel\":\"denwa\",\"category\":\"phishing\",\"title\":\"t\","
     "\"narrative\":\"n\",\"npa_reported\":\"yes\"}",
     "npa_reported"},
    {"[1,2]", "body"},
};

/* The ransomware block, crypto details, attachments, 認知 time and the NPA flag. */
static void test_report_intake_blocks(void **state)
{
    struct fx *f = *state;
    json_error_t je;
    json_t *in = json_loads(
        "{\"intake_type\":\"higai_todoke\",\"channel\":\"madoguchi\",\"category\":"
        "\"ransomware\",\"title\":\"ランサムウェア被害\",\"narrative\":\"ファイルサーバが暗号化"
        "された。\",\"recognised_at\":\"2026-11-02T08:30:00+09:00\",\"npa_reported\":true,"
        "\"ransomware\":{\"size\":\"sme\",\"industry\":\"製造業\",\"intrusion_route\":"
        "\"vpn\",\"device\":\"架空VPN装置\",\"patched\":false,\"data_stolen\":true,"
        "\"demand_amount\":30000000,\"demand_currency\":\"BTC\",\"backup\":true,"
        "\"restored\":\"partial\",\"recovery_time\":\"lt_1m\",\"cost_band\":"
        "\"1000_5000man\",\"ransom_note\":\"Your files are encrypted. Read "
        "README_RESTORE_FILES.txt\"},"
        "\"crypto\":[{\"exchange\":\"架空コイン取引所\",\"wallet\":"
        "\"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4\"}],"
        "\"attachments\":[{\"name\":\"ransom_note.png\",\"sha256\":"
        "\"2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE\",\"size\":1024}]}",
        0, &je);
    assert_non_null(in);
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_report_create(f->s, &f->station_a, in, &o, &err), RK_OK);
    json_decref(in);
    assert_string_equal(json_string_value(json_object_get(o, "recognised_at")),
                        "2026-11-01T23:30:00Z");
    assert_true(json_is_true(json_object_get(o, "npa_reported")));
    json_t *rw = json_object_get(o, "ransomware");
    assert_string_equal(json_string_value(json_object_get(rw, "intrusion_route")), "vpn");
    assert_int_equal(json_integer_value(json_object_get(rw, "demand_amount")), 30000000);
    const char *want[] = {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                          "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
                          "README_RESTORE_FILES.txt"};
    for (size_t k = 0; k < RK_ARRAY_LEN(want); k++) {
        int found = 0;
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(o, "observables"), i, e) found |=
            strcmp(json_string_value(json_object_get(e, "canonical")), want[k]) == 0;
        if (!found)
            fprintf(stderr, "missing %s\n", want[k]);
        assert_true(found);
    }
    char id[37];
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(o, "id")));
    json_decref(o);
    /* The block can be cleared with null; the other fields stay. */
    in = json_pack("{s:n}", "ransomware");
    assert_int_equal(rk_report_update(f->s, &f->station_a, id, in, &o, &err), RK_OK);
    assert_true(json_is_null(json_object_get(o, "ransomware")));
    assert_int_equal(json_array_size(json_object_get(o, "crypto")), 1);
    json_decref(in);
    json_decref(o);
}

static void test_report_validation(void **state)
{
    struct fx *f = *state;
    long long reports = fx_count(f, "SELECT count(*) FROM reports");
    long long audit = fx_count(f, "SELECT count(*) FROM audit");
    for (size_t i = 0; i < RK_ARRAY_LEN(bad_cases); i++) {
        json_error_t je;
        json_t *in = json_loads(bad_cases[i].json, JSON_ALLOW_NUL, &je);
        assert_non_null(in);
        json_t *o = NULL;
        struct rk_error err = {0};
        assert_int_equal(rk_report_create(f->s, &f->station_a, in, &o, &err), RK_EINVAL);
        assert_string_equal(err.field, bad_cases[i].field);
        assert_null(o);
        json_decref(in);
    }
    /* An over-long narrative. */
    size_t n = 64 * 1024 + 1;
    char *big = rk_malloc(n + 1);
    memset(big, 'a', n);
    big[n] = '\0';
    json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "intake_type", "sodan", "channel", "denwa",
                           "category", "phishing", "title", "t", "narrative", big);
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_report_create(f->s, &f->station_a, in, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "narrative");
    json_decref(in);
    rk_free(big);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM reports"), reports);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM audit"), audit);
}

struct search_case {
    const char *q;
    int want; /* reports of the fixture set below that match */
};

/* Fixture narratives (fictional). */
static const char *const narratives[] = {
    "偽サイトで商品を購入したが届かない。詐欺だと思う。",             /* 詐欺, 偽サイト */
    "SNSで知り合った人物から投資を勧められ、指定口座に振り込んだ。", /* 口座 */
    "宅配業者を装ったSMSのリンクを開いた。",                       /* SMS */
    "ランサムウェアに感染し、サーバのファイルが暗号化された。",       /* ランサムウェア */
    "サポート詐欺の画面が表示され、電話をかけてしまった。",           /* 詐欺 */
};

static const struct search_case search_cases[] = {
    {"偽サイト", 1},      /* 4 characters: trigram index */
    {"ランサム", 1},      /* prefix of a word */
    {"詐欺", 2},          /* 2 characters: the short-query path */
    {"口座", 1},          /* 2 characters */
    {"欺", 2},            /* 1 character */
    {"SMS", 1},           /* ASCII, 3 characters */
    {"sms", 1},           /* trigram matching ignores ASCII case */
    {"サポート 詐欺", 1}, /* two terms, both must match */
    {"詐欺　偽サイト", 1}, /* ideographic space separates terms */
    {"警察庁", 0},        /* absent */
    {"100%", 0},          /* LIKE wildcards are escaped */
};

static void test_search_japanese(void **state)
{
    struct fx *f = *state;
    char id[37];
    for (size_t i = 0; i < RK_ARRAY_LEN(narratives); i++)
        fx_report(f, &f->station_a, "相談", narratives[i], NULL, id);
    for (size_t i = 0; i < RK_ARRAY_LEN(search_cases); i++) {
        struct rk_report_query q = {.q = search_cases[i].q};
        json_t *o = NULL;
        struct rk_error err = {0};
        assert_int_equal(rk_report_list(f->s, &f->analyst, &q, &o, &err), RK_OK);
        if (json_integer_value(json_object_get(o, "total")) != search_cases[i].want)
            fprintf(stderr, "query '%s'\n", search_cases[i].q);
        assert_int_equal(json_integer_value(json_object_get(o, "total")), search_cases[i].want);
        assert_int_equal(json_array_size(json_object_get(o, "items")), search_cases[i].want);
        json_decref(o);
    }
    /* Filters and paging. */
    struct rk_report_query q = {.category = "phishing", .limit = 2, .offset = 1};
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_report_list(f->s, &f->analyst, &q, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 5);
    assert_int_equal(json_array_size(json_object_get(o, "items")), 2);
    json_decref(o);
    struct rk_report_query bad = {.from = "yesterday"};
    assert_int_equal(rk_report_list(f->s, &f->analyst, &bad, &o, &err), RK_EINVAL);
    assert_string_equal(err.field, "from");
}

/* Counting stops at RK_MAX_LIST_COUNT: more visible reports give a capped total. */
static void test_list_total_capped(void **state)
{
    struct fx *f = *state;
    char id[37];
    fx_report(f, &f->station_a, "相談", "詐欺の相談", NULL, id);
    struct rk_report_query q = {.limit = 5};
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_report_list(f->s, &f->analyst, &q, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
    assert_false(json_is_true(json_object_get(o, "total_capped")));
    json_decref(o);
    /* 10,000 more rows, cloned in SQL (the service path would take minutes). */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000); /* the audit writer may be appending the list's read */
    assert_int_equal(
        sqlite3_exec(db,
                     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                     "10000) INSERT INTO reports (id, ref, intake_type, channel, category, title,"
                     " narrative, received_at, unit_id, created_by, status, tlp, scope,"
                     " created_at, updated_at) SELECT printf('00000000-0000-4000-8000-%012d', i),"
                     " 'X' || i, intake_type, channel, category, title, narrative, received_at,"
                     " unit_id, created_by, status, tlp, scope, created_at, updated_at FROM n,"
                     " reports WHERE reports.ref LIKE 'R%'",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(rk_report_list(f->s, &f->analyst, &q, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 10000);
    assert_true(json_is_true(json_object_get(o, "total_capped")));
    assert_int_equal(json_array_size(json_object_get(o, "items")), 5);
    json_decref(o);
    /* A filter that leaves few rows counts them exactly. */
    q.q = "存在しない語句";
    assert_int_equal(rk_report_list(f->s, &f->analyst, &q, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 0);
    assert_false(json_is_true(json_object_get(o, "total_capped")));
    json_decref(o);
}

static long long list_total(struct fx *f, const struct rk_actor *who, const char *category)
{
    struct rk_report_query rq = {.category = category, .limit = 1};
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_report_list(f->s, who, &rq, &o, &err), RK_OK);
    long long n = json_integer_value(json_object_get(o, "total"));
    json_decref(o);
    return n;
}

/* Remembered list totals (lib/model/report.c): asked again, a list gives the same total; every
 * write of a report (create, update, a row added behind the store's back) makes the next list
 * count again; callers and filters never share a total. */
static void test_list_total_remembered(void **state)
{
    struct fx *f = *state;
    char a1[37], a2[37], b1[37];
    fx_report(f, &f->station_a, "相談", "詐欺の相談", NULL, a1);
    fx_report(f, &f->station_a, "相談", "詐欺の相談", NULL, a2);
    fx_report(f, &f->station_b, "相談", "詐欺の相談", NULL, b1);
    struct {
        const char *step;
        long long analyst, station_a, station_b, analyst_phishing;
    } want[] = {
        {"start", 3, 2, 1, 3},
        {"asked again", 3, 2, 1, 3},
        {"station_b creates", 4, 2, 2, 4},
        {"a report leaves phishing", 4, 2, 2, 3},
        {"a row added in SQL", 5, 3, 2, 4},
    };
    for (size_t i = 0; i < RK_ARRAY_LEN(want); i++) {
        if (strcmp(want[i].step, "station_b creates") == 0) {
            fx_report(f, &f->station_b, "相談", "詐欺の相談", NULL, b1);
        } else if (strcmp(want[i].step, "a report leaves phishing") == 0) {
            json_t *in = json_pack("{s:s}", "category", "card_fraud");
            json_t *o = NULL;
            struct rk_error err = {0};
            assert_int_equal(rk_report_update(f->s, &f->station_a, a2, in, &o, &err), RK_OK);
            json_decref(in);
            json_decref(o);
        } else if (strcmp(want[i].step, "a row added in SQL") == 0) {
            sqlite3 *db;
            assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000); /* the audit writer may be appending the list's read */
            assert_int_equal(
                sqlite3_exec(db,
                             "INSERT INTO reports (id, ref, intake_type, channel, category,"
                             " title, narrative, received_at, unit_id, created_by, status, tlp,"
                             " scope, created_at, updated_at) SELECT"
                             " '00000000-0000-4000-8000-000000000001', 'X1', intake_type,"
                             " channel, category, title, narrative, received_at, unit_id,"
                             " created_by, status, tlp, scope, created_at, updated_at FROM"
                             " reports WHERE ref NOT LIKE 'X%' AND category = 'phishing'"
                             " AND created_by = (SELECT created_by FROM reports WHERE id ="
                             " (SELECT id FROM reports ORDER BY rowid LIMIT 1)) LIMIT 1",
                             NULL, NULL, NULL),
                SQLITE_OK);
            sqlite3_close(db);
        }
        fprintf(stderr, "step: %s\n", want[i].step);
        assert_int_equal(list_total(f, &f->analyst, NULL), want[i].analyst);
        assert_int_equal(list_total(f, &f->station_a, NULL), want[i].station_a);
        assert_int_equal(list_total(f, &f->station_b, NULL), want[i].station_b);
        assert_int_equal(list_total(f, &f->analyst, "phishing"), want[i].analyst_phishing);
    }
}

/* Checkpoints (lib/store/store-sqlite.c replaces SQLite's automatic one with its own, run after
 * the writer gate): the WAL stops growing once writes have filled RK_STORE_CHECKPOINT_FRAMES
 * pages, however many reports follow. */
static void test_wal_checkpointed(void **state)
{
    struct fx *f = *state;
    char id[37], wal[160];
    snprintf(wal, sizeof(wal), "%s-wal", f->path);
    long long frames_max = 0;
    for (int i = 0; i < 400; i++) {
        fx_report(f, &f->station_a, "相談", "203.0.113.5 から不審な通信があった。", NULL, id);
        FILE *fp = fopen(wal, "rb");
        assert_non_null(fp);
        fseek(fp, 0, SEEK_END);
        long long frames = ftell(fp) / (4096 + 24);
        fclose(fp);
        if (frames > frames_max)
            frames_max = frames;
    }
    /* 400 reports write far more than 3 x RK_STORE_CHECKPOINT_FRAMES frames in all. */
    assert_true(fx_count(f, "SELECT count(*) FROM reports") >= 400);
    assert_true(frames_max < 3 * RK_STORE_CHECKPOINT_FRAMES);
}

static long long total_for(struct fx *f, const char *q)
{
    struct rk_report_query rq = {.q = q};
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_report_list(f->s, &f->analyst, &rq, &o, &err), RK_OK);
    long long n = json_integer_value(json_object_get(o, "total"));
    json_decref(o);
    return n;
}

/* Two-character terms: the bigram index follows updates, falls back to LIKE when another tool
 * added reports behind the store's back, and catches up when the store is opened again. */
static void test_bigram_index(void **state)
{
    struct fx *f = *state;
    char id[37];
    fx_report(f, &f->station_a, "相談", "架空の口座へ振り込んだ。", NULL, id);
    assert_int_equal(fx_count(f, "SELECT (SELECT max(rowid) FROM reports) ="
                                 " (SELECT upto FROM bigram_state)"),
                     1);
    assert_int_equal(total_for(f, "口座"), 1);
    assert_int_equal(total_for(f, "振り"), 1);
    assert_int_equal(total_for(f, "座へ"), 1);  /* a pair across kanji and kana */
    assert_int_equal(total_for(f, "の口"), 1);
    assert_int_equal(total_for(f, "。架"), 0);  /* punctuation: LIKE path, and no match */
    json_t *in = json_pack("{s:s}", "narrative", "暗号資産で送金した。"), *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_report_update(f->s, &f->station_a, id, in, &o, &err), RK_OK);
    json_decref(in);
    json_decref(o);
    assert_int_equal(total_for(f, "口座"), 0);
    assert_int_equal(total_for(f, "送金"), 1);
    /* A report added with plain SQL: the index is incomplete, LIKE answers. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000); /* the audit writer may be appending the list's read */
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO reports (id, ref, intake_type, channel, category,"
                                  " title, narrative, received_at, unit_id, created_by, status,"
                                  " tlp, scope, created_at, updated_at) SELECT"
                                  " '00000000-0000-4000-8000-000000000001', 'X1', intake_type,"
                                  " channel, category, title, '口座の売買', received_at,"
                                  " unit_id, created_by, status, tlp, scope, created_at,"
                                  " updated_at FROM reports LIMIT 1",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(total_for(f, "口座"), 1);
    /* Re-opened: the store indexes it, and the bigram path finds it. */
    rk_store_close(f->s);
    assert_int_equal(rk_store_open(f->path, &f->s, &err), RK_OK);
    assert_int_equal(fx_count(f, "SELECT (SELECT max(rowid) FROM reports) ="
                                 " (SELECT upto FROM bigram_state)"),
                     1);
    assert_int_equal(fx_count(f, "SELECT count(*) FROM reports_bigram WHERE reports_bigram"
                                 " MATCH '\"口座\"'"),
                     1);
    assert_int_equal(total_for(f, "口座"), 1);
}

static void test_observables_seen_in(void **state)
{
    struct fx *f = *state;
    char r1[37], r2[37], r3[37];
    fx_report(f, &f->station_a, "フィッシング",
              "偽の通知から hxxps://login-kakuu[.]example.com/a にアクセスした。", NULL, r1);
    fx_report(f, &f->station_b, "フィッシング",
              "https://login-kakuu.example.com/a というURLのSMSが届いた。", NULL, r2);
    json_t *red = json_pack("{s:s}", "tlp", "RED");
    fx_report(f, &f->station_b, "機微", "https://login-kakuu.example.com/a を確認。", red, r3);
    json_decref(red);
    json_t *o = NULL;
    struct rk_error err = {0};
    struct rk_obs_query q = {.q = "login-kakuu.example.com/a", .type = "url"};
    assert_int_equal(rk_observable_list(f->s, &f->analyst, &q, &o, &err), RK_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
    json_t *item = json_array_get(json_object_get(o, "items"), 0);
    assert_int_equal(json_integer_value(json_object_get(item, "reports")), 3);
    char oid[37];
    snprintf(oid, sizeof(oid), "%s", json_string_value(json_object_get(item, "id")));
    json_decref(o);

    /* The analyst sees two reports in full and the RED one as restricted. */
    assert_int_equal(rk_observable_get(f->s, &f->analyst, oid, &o, &err), RK_OK);
    json_t *reports = json_object_get(json_object_get(o, "seen_in"), "reports");
    assert_int_equal(json_array_size(reports), 3);
    int restricted = 0;
    size_t i;
    json_t *e;
    json_array_foreach(reports, i, e)
    {
        if (json_is_true(json_object_get(e, "restricted"))) {
            restricted++;
            assert_null(json_object_get(e, "title"));
            assert_string_equal(
                json_string_value(json_object_get(json_object_get(e, "unit"), "name")),
                "北山警察署");
        }
    }
    assert_int_equal(restricted, 1);
    json_decref(o);
    /* Station A sees its own report; the others are restricted. */
    assert_int_equal(rk_observable_get(f->s, &f->station_a, oid, &o, &err), RK_OK);
    restricted = 0;
    json_array_foreach(json_object_get(json_object_get(o, "seen_in"), "reports"), i, e)
        restricted += json_is_true(json_object_get(e, "restricted"));
    assert_int_equal(restricted, 2);
    json_decref(o);
    /* A partner sees no observable at all. */
    assert_int_equal(rk_observable_get(f->s, &f->partner, oid, &o, &err), RK_EFORBIDDEN);
}

static void test_ref_data(void **state)
{
    struct fx *f = *state;
    json_t *o = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_ref_get(f->s, &f->station_a, &o, &err), RK_OK);
    json_t *cats = json_object_get(o, "categories");
    assert_true(json_array_size(cats) >= 20);
    size_t i;
    json_t *e;
    json_array_foreach(cats, i, e)
    {
        assert_non_null(json_string_value(json_object_get(e, "ja")));
        assert_non_null(json_string_value(json_object_get(e, "en")));
        assert_non_null(json_string_value(json_object_get(e, "bucket")));
    }
    assert_int_equal(json_array_size(json_object_get(o, "intake_types")), 4);
    assert_int_equal(json_array_size(json_object_get(o, "report_states")), 10);
    json_decref(o);
}

static void test_ref_data_override(void **state)
{
    struct fx *f = *state;
    /* A prefecture's own data directory: a broken workflow file stops the open, naming it. */
    char dir[128], path[160];
    snprintf(dir, sizeof(dir), "%s/data", f->dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(path, sizeof(path), "%s/categories.json", dir);
    FILE *fp = fopen(path, "w");
    fputs("{\"buckets\":[{\"code\":\"x\",\"ja\":\"x\",\"en\":\"x\"}],"
          "\"categories\":[{\"code\":\"only\",\"bucket\":\"x\",\"ja\":\"唯一\",\"en\":\"Only\"}],"
          "\"intake_types\":[{\"code\":\"sodan\",\"ja\":\"相談\",\"en\":\"c\"}],"
          "\"channels\":[{\"code\":\"denwa\",\"ja\":\"電話\",\"en\":\"t\"}],"
          "\"reporter_types\":[{\"code\":\"individual\",\"ja\":\"個人\",\"en\":\"i\"}],"
          "\"tlp\":[{\"code\":\"AMBER\",\"ja\":\"a\",\"en\":\"a\"}],"
          "\"scopes\":[{\"code\":\"prefecture\",\"ja\":\"p\",\"en\":\"p\"}],"
          "\"observable_roles\":[{\"code\":\"other\",\"ja\":\"o\",\"en\":\"o\"}],"
          "\"case_relations\":[{\"code\":\"related\",\"ja\":\"r\",\"en\":\"r\"}]}",
          fp);
    fclose(fp);
    snprintf(path, sizeof(path), "%s/workflow.json", dir);
    fp = fopen(path, "w");
    fputs("{\"report\":{\"initial\":\"nowhere\",\"states\":[{\"code\":\"a\",\"ja\":\"a\","
          "\"en\":\"a\"}],\"transitions\":[]},\"case\":{}}",
          fp);
    fclose(fp);
    setenv("RENKEI_DATA_DIR", dir, 1);
    struct rk_store *s2 = NULL;
    struct rk_error err = {0};
    assert_int_equal(rk_store_open(f->path, &s2, &err), RK_EINVAL);
    assert_non_null(strstr(err.message, "workflow.json"));
    /* A valid workflow file: the prefecture's one category is the only one. */
    fp = fopen(path, "w");
    fputs("{\"report\":{\"initial\":\"a\",\"states\":[{\"code\":\"a\",\"ja\":\"a\",\"en\":\"a\"}],"
          "\"transitions\":[]},\"case\":{\"initial\":\"a\",\"states\":[{\"code\":\"a\","
          "\"ja\":\"a\",\"en\":\"a\"}],\"transitions\":[]}}",
          fp);
    fclose(fp);
    assert_int_equal(rk_store_open(f->path, &s2, &err), RK_OK);
    json_t *o = NULL;
    assert_int_equal(rk_ref_get(s2, &f->analyst, &o, &err), RK_OK);
    assert_int_equal(json_array_size(json_object_get(o, "categories")), 1);
    json_decref(o);
    rk_store_close(s2);
    unsetenv("RENKEI_DATA_DIR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_and_pragmas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_intake_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_japanese, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_total_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_total_remembered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wal_checkpointed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bigram_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_observables_seen_in, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ref_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ref_data_override, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
