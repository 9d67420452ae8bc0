/*
 * Reports (通報・相談): intake type separate from category, the intake fields of DOMAIN.md §7,
 * workflow state, TLP and scope. Every function validates its whole input before it touches
 * the database, runs its writes in one transaction together with their audit event, and reads
 * only through lib/share/access.c.
 */
#include "model/report.h"

#include <stdio.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/limits.h"

/* ===== Input ===== */

struct report_in {
    const char *intake_type, *channel, *category, *title, *narrative, *sms_text, *sender;
    const char *tlp, *scope, *unit_id;
    char received_at[21], occurred_at[21];
    int has_received, has_occurred, occurred_null;
    int64_t damage;
    int has_damage;
    int urgent;
    char *reporter; /* canonical JSON text, owned */
    char *bank_accounts;
    char *urls;
    char recognised_at[21];
    int has_recognised, recognised_null;
    char *ransomware, *crypto, *attachments;
    int npa_reported;
    int ransomware_null;
};

static void report_in_free(struct report_in *r)
{
    rk_free(r->reporter);
    rk_free(r->bank_accounts);
    rk_free(r->urls);
    rk_free(r->ransomware);
    rk_free(r->crypto);
    rk_free(r->attachments);
}

static enum rk_status parse_time_field(json_t *in, const char *key, char out[21], int *has,
                                       int *is_null, struct rk_error *err)
{
    const char *v;
    *has = 0;
    if (is_null)
        *is_null = json_is_null(json_object_get(in, key));
    enum rk_status rc = rk__json_str(in, key, key, 0, 40, &v, err);
    if (rc != RK_OK || v == NULL)
        return rc;
    int64_t t;
    if (rk__time_parse(v, &t) != RK_OK)
        return rk__err(err, RK_EINVAL, key, "expected an RFC 3339 time or YYYY-MM-DD");
    rk__time_format(t, out);
    *has = 1;
    return RK_OK;
}

static int all_digits(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return 1;
}

static enum rk_status parse_reporter(json_t *v, char **out, struct rk_error *err)
{
    static const char *const allowed[] = {"type",     "name",       "kana",  "age",
                                          "gender",   "postal_code", "prefecture", "city",
                                          "address",  "phone",      "email", "wants_reply",
                                          NULL};
    static const char *const short_fields[] = {"name",  "kana",  "prefecture", "city",
                                               "address", "phone", "email",      NULL};
    static const char *const genders[] = {"male", "female", "other", "unspecified", NULL};
    static const char *const types[] = {"individual",  "company_large", "company_sme",
                                        "organisation", "government",   "critical_infrastructure",
                                        NULL};
    enum rk_status rc = rk__json_only(v, allowed, "reporter", err);
    const char *s;
    char field[64];
    for (size_t i = 0; rc == RK_OK && short_fields[i] != NULL; i++) {
        snprintf(field, sizeof(field), "reporter.%s", short_fields[i]);
        rc = rk__json_str(v, short_fields[i], field, 0, RK_MAX_SHORT_BYTES, &s, err);
    }
    if (rc == RK_OK)
        rc = rk__json_str(v, "type", "reporter.type", 0, 32, &s, err);
    if (rc == RK_OK && s != NULL && !rk__in_set(s, types))
        rc = rk__err(err, RK_EINVAL, "reporter.type", "unknown reporter type");
    if (rc == RK_OK)
        rc = rk__json_str(v, "gender", "reporter.gender", 0, 16, &s, err);
    if (rc == RK_OK && s != NULL && !rk__in_set(s, genders))
        rc = rk__err(err, RK_EINVAL, "reporter.gender", "male, female, other or unspecified");
    if (rc == RK_OK)
        rc = rk__json_str(v, "postal_code", "reporter.postal_code", 0, 8, &s, err);
    if (rc == RK_OK && s != NULL && *s != '\0') {
        char digits[8] = "";
        if (strlen(s) == 8 && s[3] == '-')
            snprintf(digits, sizeof(digits), "%.3s%.4s", s, s + 4);
        else
            snprintf(digits, sizeof(digits), "%s", s);
        if (!all_digits(digits, 7, 7))
            rc = rk__err(err, RK_EINVAL, "reporter.postal_code", "expected 123-4567");
    }
    int64_t age;
    int present;
    if (rc == RK_OK)
        rc = rk__json_int(v, "age", "reporter.age", 0, 150, &age, &present, err);
    int b;
    if (rc == RK_OK)
        rc = rk__json_bool(v, "wants_reply", "reporter.wants_reply", &b, err);
    if (rc == RK_OK) {
        *out = rk__json_dump(v);
        if (*out == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
    return rc;
}

static enum rk_status parse_bank_accounts(json_t *v, char **out, struct rk_error *err)
{
    static const char *const allowed[] = {"bank_code",    "bank_name",   "branch_code",
                                          "branch_name",  "account_type", "number",
                                          "holder_kana",  NULL};
    static const char *const types[] = {"futsu", "toza", "chochiku", "other", NULL};
    if (!json_is_array(v))
        return rk__err(err, RK_EINVAL, "bank_accounts", "expected an array");
    if (json_array_size(v) > RK_MAX_BANK_ACCOUNTS)
        return rk__err(err, RK_EINVAL, "bank_accounts", "at most %d accounts",
                       RK_MAX_BANK_ACCOUNTS);
    size_t i;
    json_t *e;
    enum rk_status rc = RK_OK;
    json_array_foreach(v, i, e)
    {
        char prefix[48], field[96];
        const char *s;
        snprintf(prefix, sizeof(prefix), "bank_accounts[%zu]", i);
        rc = rk__json_only(e, allowed, prefix, err);
        static const char *const names[] = {"bank_name", "branch_name", "holder_kana", NULL};
        for (size_t k = 0; rc == RK_OK && names[k] != NULL; k++) {
            snprintf(field, sizeof(field), "%s.%s", prefix, names[k]);
            rc = rk__json_str(e, names[k], field, 0, RK_MAX_SHORT_BYTES, &s, err);
        }
        struct {
            const char *key;
            size_t min, max;
        } nums[] = {{"bank_code", 4, 4}, {"branch_code", 3, 3}, {"number", 1, 8}};
        for (size_t k = 0; rc == RK_OK && k < 3; k++) {
            snprintf(field, sizeof(field), "%s.%s", prefix, nums[k].key);
            rc = rk__json_str(e, nums[k].key, field, 0, 16, &s, err);
            if (rc == RK_OK && s != NULL && !all_digits(s, nums[k].min, nums[k].max))
                rc = rk__err(err, RK_EINVAL, field, "expected %zu-%zu digits", nums[k].min,
                             nums[k].max);
        }
        snprintf(field, sizeof(field), "%s.account_type", prefix);
        if (rc == RK_OK)
            rc = rk__json_str(e, "account_type", field, 0, 16, &s, err);
        if (rc == RK_OK && s != NULL && !rk__in_set(s, types))
            rc = rk__err(err, RK_EINVAL, field, "futsu, toza, chochiku or other");
        if (rc != RK_OK)
            return rc;
    }
    *out = rk__json_dump(v);
    return *out ? RK_OK : rk__err(err, RK_ENOMEM, NULL, "out of memory");
}

static enum rk_status parse_urls(json_t *v, char **out, struct rk_error *err)
{
    if (!json_is_array(v))
        return rk__err(err, RK_EINVAL, "urls", "expected an array of strings");
    if (json_array_size(v) > RK_MAX_REPORT_URLS)
        return rk__err(err, RK_EINVAL, "urls", "at most %d URLs", RK_MAX_REPORT_URLS);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        char field[32];
        snprintf(field, sizeof(field), "urls[%zu]", i);
        if (!json_is_string(e))
            return rk__err(err, RK_EINVAL, field, "expected a string");
        if (json_string_length(e) > RK_MAX_URL_BYTES ||
            strlen(json_string_value(e)) != json_string_length(e))
            return rk__err(err, RK_EINVAL, field, "too long or contains NUL");
    }
    *out = rk__json_dump(v);
    return *out ? RK_OK : rk__err(err, RK_ENOMEM, NULL, "out of memory");
}

/* The ransomware block (DOMAIN.md §3): every member optional, codes from categories.json. */
static enum rk_status parse_ransomware(const struct rk_ref *ref, json_t *v, char **out,
                                       struct rk_error *err)
{
    static const char *const allowed[] = {
        "size",          "industry",      "ransom_note",     "extension",   "data_stolen",
        "no_encryption", "demand_amount", "demand_currency", "intrusion_route", "device",
        "device_version", "patched",      "av_edr",          "backup",      "restored",
        "recovery_time", "cost_band",     "ppc_notified",    "ministry_notified", NULL};
    static const struct {
        const char *key, *list;
    } codes[] = {{"size", "ransomware_sizes"},
                 {"intrusion_route", "intrusion_routes"},
                 {"restored", "restore_results"},
                 {"recovery_time", "recovery_times"},
                 {"cost_band", "cost_bands"}};
    static const char *const texts[] = {"industry", "extension", "demand_currency", "device",
                                        "device_version", "av_edr", NULL};
    static const char *const bools[] = {"data_stolen", "no_encryption", "patched", "backup",
                                        "ppc_notified", "ministry_notified", NULL};
    enum rk_status rc = rk__json_only(v, allowed, "ransomware", err);
    char field[64];
    const char *s;
    for (size_t i = 0; rc == RK_OK && i < sizeof(codes) / sizeof(codes[0]); i++) {
        snprintf(field, sizeof(field), "ransomware.%s", codes[i].key);
        rc = rk__json_str(v, codes[i].key, field, 0, 32, &s, err);
        if (rc == RK_OK && s != NULL && !rk__ref_in_list(ref, codes[i].list, s))
            rc = rk__err(err, RK_EINVAL, field, "unknown code (see %s in GET /api/v1/ref)",
                         codes[i].list);
    }
    for (size_t i = 0; rc == RK_OK && texts[i] != NULL; i++) {
        snprintf(field, sizeof(field), "ransomware.%s", texts[i]);
        rc = rk__json_str(v, texts[i], field, 0, RK_MAX_SHORT_BYTES, &s, err);
    }
    if (rc == RK_OK)
        rc = rk__json_str(v, "ransom_note", "ransomware.ransom_note", 0, RK_MAX_SMS_BYTES, &s,
                          err);
    for (size_t i = 0; rc == RK_OK && bools[i] != NULL; i++) {
        int b;
        snprintf(field, sizeof(field), "ransomware.%s", bools[i]);
        rc = rk__json_bool(v, bools[i], field, &b, err);
    }
    int64_t amount;
    int present;
    if (rc == RK_OK)
        rc = rk__json_int(v, "demand_amount", "ransomware.demand_amount", 0, RK_MAX_DAMAGE_YEN,
                          &amount, &present, err);
    if (rc == RK_OK) {
        *out = rk__json_dump(v);
        if (*out == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
    return rc;
}

/* An array of at most `max` objects whose members are short strings (and, for attachments, a
 * SHA-256 and a size). */
static enum rk_status parse_objects(json_t *v, const char *name, size_t max,
                                    const char *const *allowed, const char *required, char **out,
                                    struct rk_error *err)
{
    if (!json_is_array(v))
        return rk__err(err, RK_EINVAL, name, "expected an array");
    if (json_array_size(v) > max)
        return rk__err(err, RK_EINVAL, name, "at most %zu entries", max);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        char prefix[48], field[96];
        snprintf(prefix, sizeof(prefix), "%s[%zu]", name, i);
        enum rk_status rc = rk__json_only(e, allowed, prefix, err);
        for (size_t k = 0; rc == RK_OK && allowed[k] != NULL; k++) {
            const char *s;
            snprintf(field, sizeof(field), "%s.%s", prefix, allowed[k]);
            if (strcmp(allowed[k], "size") == 0) {
                int64_t n;
                int present;
                rc = rk__json_int(e, "size", field, 0, INT64_MAX, &n, &present, err);
                continue;
            }
            rc = rk__json_str(e, allowed[k], field, required && !strcmp(allowed[k], required),
                              RK_MAX_SHORT_BYTES, &s, err);
            if (rc == RK_OK && s != NULL && strcmp(allowed[k], "sha256") == 0) {
                int ok = strlen(s) == 64;
                for (size_t j = 0; ok && j < 64; j++)
                    ok = (s[j] >= '0' && s[j] <= '9') || (s[j] >= 'a' && s[j] <= 'f') ||
                         (s[j] >= 'A' && s[j] <= 'F');
                if (!ok)
                    rc = rk__err(err, RK_EINVAL, field, "expected 64 hexadecimal digits");
            }
        }
        if (rc != RK_OK)
            return rc;
    }
    *out = rk__json_dump(v);
    return *out ? RK_OK : rk__err(err, RK_ENOMEM, NULL, "out of memory");
}

/* Validates a create (`create` = 1: required fields) or update body. */
static enum rk_status parse_report(struct rk_store *s, json_t *in, int create,
                                   struct report_in *r, struct rk_error *err)
{
    static const char *const allowed[] = {
        "intake_type", "channel",  "category", "title",    "narrative",     "received_at",
        "occurred_at", "damage_amount", "urgent", "reporter", "bank_accounts", "sms_text",
        "urls",        "sender",   "tlp",      "scope",    "unit_id",       "recognised_at",
        "ransomware",  "crypto",   "attachments", "npa_reported", NULL};
    static const char *const crypto_fields[] = {"exchange", "wallet", "tx_hash", NULL};
    static const char *const attachment_fields[] = {"name", "sha256", "size", NULL};
    memset(r, 0, sizeof(*r));
    const struct rk_ref *ref = s->ref;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "intake_type", "intake_type", create, 32, &r->intake_type, err);
    if (rc == RK_OK && r->intake_type && !rk__ref_in_list(ref, "intake_types", r->intake_type))
        rc = rk__err(err, RK_EINVAL, "intake_type", "unknown intake type");
    if (rc == RK_OK)
        rc = rk__json_str(in, "channel", "channel", create, 32, &r->channel, err);
    if (rc == RK_OK && r->channel && !rk__ref_in_list(ref, "channels", r->channel))
        rc = rk__err(err, RK_EINVAL, "channel", "unknown channel");
    if (rc == RK_OK)
        rc = rk__json_str(in, "category", "category", create, 64, &r->category, err);
    if (rc == RK_OK && r->category && !rk__ref_is_category(ref, r->category))
        rc = rk__err(err, RK_EINVAL, "category", "unknown category");
    if (rc == RK_OK)
        rc = rk__json_str(in, "title", "title", create, RK_MAX_TITLE_BYTES, &r->title, err);
    if (rc == RK_OK && r->title && *r->title == '\0')
        rc = rk__err(err, RK_EINVAL, "title", "must not be empty");
    if (rc == RK_OK)
        rc = rk__json_str(in, "narrative", "narrative", create, RK_MAX_NARRATIVE_BYTES,
                          &r->narrative, err);
    if (rc == RK_OK && r->narrative && *r->narrative == '\0')
        rc = rk__err(err, RK_EINVAL, "narrative", "must not be empty");
    if (rc == RK_OK)
        rc = rk__json_str(in, "sms_text", "sms_text", 0, RK_MAX_SMS_BYTES, &r->sms_text, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "sender", "sender", 0, RK_MAX_SHORT_BYTES, &r->sender, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "tlp", "tlp", 0, 16, &r->tlp, err);
    if (rc == RK_OK && r->tlp && !rk__ref_in_list(ref, "tlp", r->tlp))
        rc = rk__err(err, RK_EINVAL, "tlp", "CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
    if (rc == RK_OK)
        rc = rk__json_str(in, "scope", "scope", 0, 16, &r->scope, err);
    if (rc == RK_OK && r->scope && !rk__ref_in_list(ref, "scopes", r->scope))
        rc = rk__err(err, RK_EINVAL, "scope", "unit, prefecture, police, partners or public");
    if (rc == RK_OK)
        rc = rk__json_str(in, "unit_id", "unit_id", 0, 36, &r->unit_id, err);
    if (rc == RK_OK)
        rc = parse_time_field(in, "received_at", r->received_at, &r->has_received, NULL, err);
    if (rc == RK_OK)
        rc = parse_time_field(in, "occurred_at", r->occurred_at, &r->has_occurred,
                              &r->occurred_null, err);
    if (rc == RK_OK)
        rc = rk__json_int(in, "damage_amount", "damage_amount", 0, RK_MAX_DAMAGE_YEN, &r->damage,
                          &r->has_damage, err);
    if (rc == RK_OK)
        rc = rk__json_bool(in, "urgent", "urgent", &r->urgent, err);
    json_t *v;
    if (rc == RK_OK && (v = json_object_get(in, "reporter")) != NULL && !json_is_null(v))
        rc = parse_reporter(v, &r->reporter, err);
    if (rc == RK_OK && (v = json_object_get(in, "bank_accounts")) != NULL && !json_is_null(v))
        rc = parse_bank_accounts(v, &r->bank_accounts, err);
    if (rc == RK_OK && (v = json_object_get(in, "urls")) != NULL && !json_is_null(v))
        rc = parse_urls(v, &r->urls, err);
    if (rc == RK_OK)
        rc = parse_time_field(in, "recognised_at", r->recognised_at, &r->has_recognised,
                              &r->recognised_null, err);
    r->ransomware_null = json_is_null(json_object_get(in, "ransomware"));
    if (rc == RK_OK && (v = json_object_get(in, "ransomware")) != NULL && !json_is_null(v))
        rc = parse_ransomware(ref, v, &r->ransomware, err);
    if (rc == RK_OK && (v = json_object_get(in, "crypto")) != NULL && !json_is_null(v))
        rc = parse_objects(v, "crypto", 10, crypto_fields, NULL, &r->crypto, err);
    if (rc == RK_OK && (v = json_object_get(in, "attachments")) != NULL && !json_is_null(v))
        rc = parse_objects(v, "attachments", 20, attachment_fields, "sha256", &r->attachments,
                           err);
    if (rc == RK_OK)
        rc = rk__json_bool(in, "npa_reported", "npa_reported", &r->npa_reported, err);
    if (rc != RK_OK)
        report_in_free(r);
    return rc;
}

/* The receiving unit: station officers file for their own station; others may name a unit. */
static enum rk_status check_unit(struct rk_conn *c, const struct rk_access *a, const char *unit,
                                 struct rk_error *err)
{
    if (a->who->role == RK_ROLE_STATION && strcmp(unit, a->who->unit_id) != 0)
        return rk__err(err, RK_EFORBIDDEN, "unit_id", "a station files for its own station");
    sqlite3_stmt *st = rk__stmt(c, "SELECT kind FROM units WHERE id = ?1 /* report unit */", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, unit);
    int r = sqlite3_step(st);
    int ok = r == SQLITE_ROW && strcmp(rk__col_text(st, 0), "partner") != 0;
    sqlite3_reset(st);
    return ok ? RK_OK : rk__err(err, RK_EINVAL, "unit_id", "no such police unit");
}

/* ===== Rendering ===== */

static const char SQL_REPORT_FULL[] =
    "SELECT r.id, r.ref, r.intake_type, r.channel, r.category, r.title, r.narrative,"
    " r.received_at, r.occurred_at, r.damage_amount, r.urgent, r.reporter, r.bank_accounts,"
    " r.urls, r.sender, r.sms_text, r.unit_id, r.created_by, r.status, r.tlp, r.scope,"
    " r.created_at, r.updated_at, r.recognised_at, r.ransomware, r.crypto, r.attachments,"
    " r.npa_reported FROM reports r WHERE r.id = ?1";

static json_t *load_json_col(sqlite3_stmt *st, int i, json_t *fallback)
{
    json_t *j = json_loads(rk__col_text(st, i), 0, NULL);
    if (j == NULL)
        return fallback;
    json_decref(fallback);
    return j;
}

json_t *rk__report_brief(struct rk_conn *c, const char *id)
{
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT r.id, r.ref, r.title, r.received_at, r.status,"
                                " r.category, r.unit_id, u.name FROM reports r"
                                " JOIN units u ON u.id = r.unit_id WHERE r.id = ?1",
                                NULL);
    if (st == NULL)
        return json_null();
    rk__bind_text(st, 1, id);
    json_t *o = json_null();
    if (sqlite3_step(st) == SQLITE_ROW)
        o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s}}", "id", rk__col_text(st, 0),
                      "ref", rk__col_text(st, 1), "title", rk__col_text(st, 2), "received_at",
                      rk__col_text(st, 3), "status", rk__col_text(st, 4), "category",
                      rk__col_text(st, 5), "unit", "id", rk__col_text(st, 6), "name",
                      rk__col_text(st, 7));
    sqlite3_reset(st);
    return o ? o : json_null();
}

enum rk_status rk__report_render(struct rk_conn *c, const struct rk_access *a, const char *id,
                                 json_t **out, struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, SQL_REPORT_FULL, err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        sqlite3_reset(st);
        return r == SQLITE_DONE ? rk__err(err, RK_ENOTFOUND, "id", "no such report")
                                : rk__db_error(c, r, err);
    }
    char unit[37], creator[37];
    snprintf(unit, sizeof(unit), "%s", rk__col_text(st, 16));
    snprintf(creator, sizeof(creator), "%s", rk__col_text(st, 17));
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:I,s:b,s:o,s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
        "id", rk__col_text(st, 0), "ref", rk__col_text(st, 1), "intake_type",
        rk__col_text(st, 2), "channel", rk__col_text(st, 3), "category", rk__col_text(st, 4),
        "title", rk__col_text(st, 5), "narrative", rk__col_text(st, 6), "received_at",
        rk__col_text(st, 7), "occurred_at", rk__col_json_str(st, 8), "damage_amount",
        (json_int_t)sqlite3_column_int64(st, 9), "urgent", sqlite3_column_int(st, 10),
        "reporter", load_json_col(st, 11, json_object()), "bank_accounts",
        load_json_col(st, 12, json_array()), "urls", load_json_col(st, 13, json_array()),
        "sender", rk__col_text(st, 14), "sms_text", rk__col_text(st, 15), "status",
        rk__col_text(st, 18), "tlp", rk__col_text(st, 19), "scope", rk__col_text(st, 20),
        "created_at", rk__col_text(st, 21), "updated_at", rk__col_text(st, 22));
    if (o != NULL) {
        json_object_set_new(o, "recognised_at", rk__col_json_str(st, 23));
        json_object_set_new(o, "ransomware", sqlite3_column_type(st, 24) == SQLITE_NULL
                                                 ? json_null()
                                                 : load_json_col(st, 24, json_object()));
        json_object_set_new(o, "crypto", load_json_col(st, 25, json_array()));
        json_object_set_new(o, "attachments", load_json_col(st, 26, json_array()));
        json_object_set_new(o, "npa_reported", json_boolean(sqlite3_column_int(st, 27)));
    }
    sqlite3_reset(st);
    if (o == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    json_object_set_new(o, "unit", rk__unit_ref(c, unit));
    json_object_set_new(o, "created_by", rk__user_ref(c, creator));

    json_t *obs = json_array();
    st = rk__stmt(c,
                  "SELECT o.id, o.type, o.canonical, o.display, ro.value"
                  " FROM report_observables ro JOIN observables o ON o.id = ro.observable_id"
                  " WHERE ro.report_id = ?1 ORDER BY o.type, o.canonical",
                  err);
    if (st != NULL) {
        rk__bind_text(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(
                obs, json_pack("{s:s,s:s,s:s,s:o,s:s}", "id", rk__col_text(st, 0), "type",
                               rk__col_text(st, 1), "canonical", rk__col_text(st, 2), "display",
                               rk__col_json_str(st, 3), "value", rk__col_text(st, 4)));
        sqlite3_reset(st);
    }
    json_object_set_new(o, "observables", obs);

    /* Cases holding this report; one the caller may not read shows only its unit. */
    json_t *cases = json_array();
    st = rk__stmt(c,
                  "SELECT c.id, c.ref, c.title FROM case_reports cr"
                  " JOIN cases c ON c.id = cr.case_id WHERE cr.report_id = ?1"
                  " ORDER BY c.created_at",
                  err);
    if (st != NULL) {
        rk__bind_text(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            char cid[37], cref[24];
            char *ctitle = rk_strdup(rk__col_text(st, 2));
            snprintf(cid, sizeof(cid), "%s", rk__col_text(st, 0));
            snprintf(cref, sizeof(cref), "%s", rk__col_text(st, 1));
            char holder[37] = "";
            if (rk__access_case_visible(c, a, cid, holder))
                json_array_append_new(cases, json_pack("{s:s,s:s,s:s}", "id", cid, "ref", cref,
                                                       "title", ctitle ? ctitle : ""));
            else
                json_array_append_new(cases, rk__restricted(c, holder));
            rk_free(ctitle);
        }
        sqlite3_reset(st);
    }
    json_object_set_new(o, "cases", cases);
    json_object_set_new(o, "pending_approval", rk__approval_pending(c, "report", id));
    *out = o;
    return RK_OK;
}

/* ===== Create / get / update ===== */

enum rk_status rk__report_create_in(struct rk_store *s, struct rk_conn *c,
                                   const struct rk_access *a, json_t *in, char id[37],
                                   struct rk_error *err)
{
    struct report_in r;
    enum rk_status rc = parse_report(s, in, 1, &r, err);
    if (rc != RK_OK)
        return rc;
    const struct rk_actor *who = a->who;
    rc = rk__access_require(a, RK_PERM_REPORT_CREATE, err);
    const char *unit = r.unit_id ? r.unit_id : who->unit_id;
    if (rc == RK_OK)
        rc = check_unit(c, a, unit, err);
    if (rc != RK_OK)
        goto out;
    char ref[24], now[21];
    rk__uuid(id);
    rk__now(now);
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    rc = rk__next_ref(c, 'R', ref, err);
    if (rc != RK_OK)
        goto rollback;
    sqlite3_stmt *st = rk__stmt(
        c,
        "INSERT INTO reports (id, ref, intake_type, channel, category, title, narrative,"
        " received_at, occurred_at, damage_amount, urgent, reporter, bank_accounts, urls,"
        " sender, sms_text, unit_id, created_by, status, tlp, scope, created_at, updated_at,"
        " recognised_at, ransomware, crypto, attachments, npa_reported)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
        " ?18, ?19, ?20, ?21, ?22, ?22, ?23, ?24, ?25, ?26, ?27)",
        err);
    if (st == NULL) {
        rc = RK_EIO;
        goto rollback;
    }
    rk__bind_text(st, 1, id);
    rk__bind_text(st, 2, ref);
    rk__bind_text(st, 3, r.intake_type);
    rk__bind_text(st, 4, r.channel);
    rk__bind_text(st, 5, r.category);
    rk__bind_text(st, 6, r.title);
    rk__bind_text(st, 7, r.narrative);
    rk__bind_text(st, 8, r.has_received ? r.received_at : now);
    rk__bind_text(st, 9, r.has_occurred ? r.occurred_at : NULL);
    sqlite3_bind_int64(st, 10, r.has_damage ? r.damage : 0);
    sqlite3_bind_int(st, 11, r.urgent == 1);
    rk__bind_text(st, 12, r.reporter ? r.reporter : "{}");
    rk__bind_text(st, 13, r.bank_accounts ? r.bank_accounts : "[]");
    rk__bind_text(st, 14, r.urls ? r.urls : "[]");
    rk__bind_text(st, 15, r.sender ? r.sender : "");
    rk__bind_text(st, 16, r.sms_text ? r.sms_text : "");
    rk__bind_text(st, 17, unit);
    rk__bind_text(st, 18, who->user_id);
    rk__bind_text(st, 19, rk__ref_initial_state(s->ref, "report"));
    rk__bind_text(st, 20, r.tlp ? r.tlp : "AMBER");
    rk__bind_text(st, 21, r.scope ? r.scope : "prefecture");
    rk__bind_text(st, 22, now);
    rk__bind_text(st, 23, r.has_recognised ? r.recognised_at : NULL);
    rk__bind_text(st, 24, r.ransomware);
    rk__bind_text(st, 25, r.crypto ? r.crypto : "[]");
    rk__bind_text(st, 26, r.attachments ? r.attachments : "[]");
    sqlite3_bind_int(st, 27, r.npa_reported == 1);
    int x = sqlite3_step(st);
    sqlite3_reset(st);
    if (x != SQLITE_DONE) {
        rc = rk__db_error(c, x, err);
        goto rollback;
    }
    rc = rk__report_link_observables(c, id, err);
    if (rc == RK_OK)
        rc = rk__bigram_update(c, id, 0, 1, err);
    if (rc != RK_OK)
        goto rollback;
    struct rk_audit_event ev;
    rk__audit_event(&ev, who, "create", "report", id, ref);
    rc = rk__audit_append(c, &ev, err);
    if (rc != RK_OK)
        goto rollback;
    rc = rk__tx_commit(s, c, err);
    goto out;
rollback:
    rk__tx_rollback(s, c);
out:
    report_in_free(&r);
    return rc;
}

enum rk_status rk_report_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                                json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    char id[37];
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__report_create_in(s, c, &a, in, id, err);
    if (rc == RK_OK)
        rc = rk__report_render(c, &a, id, out, err);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_report_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                             json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_report(c, &a, id, err);
    if (rc == RK_OK) {
        /* One read transaction, so the report and its links are one consistent snapshot. */
        sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
        rc = rk__report_render(c, &a, id, out, err);
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    }
    if (rc == RK_OK)
        rk__audit_read(s, who, "report", id, NULL);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_report_update(struct rk_store *s, const struct rk_actor *who, const char *id,
                                json_t *in, json_t **out, struct rk_error *err)
{
    struct report_in r;
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = parse_report(s, in, 0, &r, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        goto out;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_REPORT_WRITE, err);
    if (rc == RK_OK && r.unit_id != NULL)
        rc = check_unit(c, &a, r.unit_id, err);
    if (rc != RK_OK)
        goto out;
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    /* The check runs inside the write transaction: nobody can change TLP or scope between the
     * decision and the update. */
    rc = rk__access_report(c, &a, id, err);
    if (rc != RK_OK)
        goto rollback;
    int texts_change = r.title != NULL || r.narrative != NULL || r.sms_text != NULL;
    if (texts_change) {
        rc = rk__bigram_update(c, id, 1, 0, err);
        if (rc != RK_OK)
            goto rollback;
    }
    char now[21];
    rk__now(now);
    sqlite3_stmt *st = rk__stmt(
        c,
        "UPDATE reports SET intake_type = coalesce(?2, intake_type),"
        " channel = coalesce(?3, channel), category = coalesce(?4, category),"
        " title = coalesce(?5, title), narrative = coalesce(?6, narrative),"
        " received_at = coalesce(?7, received_at),"
        " occurred_at = CASE WHEN ?8 THEN NULL ELSE coalesce(?9, occurred_at) END,"
        " damage_amount = coalesce(?10, damage_amount), urgent = coalesce(?11, urgent),"
        " reporter = coalesce(?12, reporter), bank_accounts = coalesce(?13, bank_accounts),"
        " urls = coalesce(?14, urls), sender = coalesce(?15, sender),"
        " sms_text = coalesce(?16, sms_text), tlp = coalesce(?17, tlp),"
        " scope = coalesce(?18, scope), unit_id = coalesce(?19, unit_id), updated_at = ?20,"
        " recognised_at = CASE WHEN ?21 THEN NULL ELSE coalesce(?22, recognised_at) END,"
        " ransomware = CASE WHEN ?23 THEN NULL ELSE coalesce(?24, ransomware) END,"
        " crypto = coalesce(?25, crypto), attachments = coalesce(?26, attachments),"
        " npa_reported = coalesce(?27, npa_reported)"
        " WHERE id = ?1",
        err);
    if (st == NULL) {
        rc = RK_EIO;
        goto rollback;
    }
    rk__bind_text(st, 1, id);
    rk__bind_text(st, 2, r.intake_type);
    rk__bind_text(st, 3, r.channel);
    rk__bind_text(st, 4, r.category);
    rk__bind_text(st, 5, r.title);
    rk__bind_text(st, 6, r.narrative);
    rk__bind_text(st, 7, r.has_received ? r.received_at : NULL);
    sqlite3_bind_int(st, 8, r.occurred_null);
    rk__bind_text(st, 9, r.has_occurred ? r.occurred_at : NULL);
    if (r.has_damage)
        sqlite3_bind_int64(st, 10, r.damage);
    if (r.urgent >= 0)
        sqlite3_bind_int(st, 11, r.urgent);
    rk__bind_text(st, 12, r.reporter);
    rk__bind_text(st, 13, r.bank_accounts);
    rk__bind_text(st, 14, r.urls);
    rk__bind_text(st, 15, r.sender);
    rk__bind_text(st, 16, r.sms_text);
    rk__bind_text(st, 17, r.tlp);
    rk__bind_text(st, 18, r.scope);
    rk__bind_text(st, 19, r.unit_id);
    rk__bind_text(st, 20, now);
    sqlite3_bind_int(st, 21, r.recognised_null);
    rk__bind_text(st, 22, r.has_recognised ? r.recognised_at : NULL);
    sqlite3_bind_int(st, 23, r.ransomware_null);
    rk__bind_text(st, 24, r.ransomware);
    rk__bind_text(st, 25, r.crypto);
    rk__bind_text(st, 26, r.attachments);
    if (r.npa_reported >= 0)
        sqlite3_bind_int(st, 27, r.npa_reported);
    int x = sqlite3_step(st);
    sqlite3_reset(st);
    if (x != SQLITE_DONE) {
        rc = rk__db_error(c, x, err);
        goto rollback;
    }
    if (texts_change) {
        rc = rk__bigram_update(c, id, 0, 0, err);
        if (rc != RK_OK)
            goto rollback;
    }
    if (r.narrative || r.sms_text || r.urls || r.sender || r.title || r.bank_accounts ||
        r.crypto || r.attachments || r.ransomware) {
        rc = rk__report_link_observables(c, id, err);
        if (rc != RK_OK)
            goto rollback;
    }
    /* The audit detail lists the changed fields, never their values. */
    char detail[256] = "";
    const char *key;
    json_t *v;
    size_t used = 0;
    json_object_foreach(in, key, v)
    {
        int k = snprintf(detail + used, sizeof(detail) - used, "%s%s", used ? "," : "", key);
        if (k < 0 || (size_t)k >= sizeof(detail) - used)
            break;
        used += (size_t)k;
    }
    struct rk_audit_event ev;
    rk__audit_event(&ev, who, "update", "report", id, detail);
    rc = rk__audit_append(c, &ev, err);
    if (rc != RK_OK)
        goto rollback;
    rc = rk__tx_commit(s, c, err);
    if (rc == RK_OK)
        rc = rk__report_render(c, &a, id, out, err);
    goto out;
rollback:
    rk__tx_rollback(s, c);
out:
    report_in_free(&r);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk__report_transition_in(struct rk_store *s, struct rk_conn *c,
                                       const struct rk_access *a, const char *id, json_t *in,
                                       struct rk_error *err)
{
    static const char *const allowed[] = {"to", "comment", NULL};
    const char *to, *comment;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "to", "to", 1, 32, &to, err);
    if (rc == RK_OK && !rk__ref_is_state(s->ref, "report", to))
        rc = rk__err(err, RK_EINVAL, "to", "unknown report state");
    if (rc == RK_OK)
        rc = rk__json_str(in, "comment", "comment", 0, RK_MAX_NOTE_BYTES, &comment, err);
    if (rc == RK_OK)
        rc = rk__access_require(a, RK_PERM_REPORT_WRITE, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_report(c, a, id, err);
    int pending = 0;
    if (rc == RK_OK)
        rc = rk__workflow_move(s, c, a, "report", id, to, comment, &pending, err);
    if (rc != RK_OK) {
        rk__tx_rollback(s, c);
        return rc;
    }
    return rk__tx_commit(s, c, err);
}

enum rk_status rk_report_transition(struct rk_store *s, const struct rk_actor *who,
                                    const char *id, json_t *in, json_t **out,
                                    struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__report_transition_in(s, c, &a, id, in, err);
    if (rc == RK_OK)
        rc = rk__report_render(c, &a, id, out, err);
    rk__conn_put(s, c);
    return rc;
}

/* ===== List and search ===== */

/* Remembered totals. Counting up to RK_MAX_LIST_COUNT visible reports through the access
 * filter was most of a list request's time, and the same list (same caller, same filters) is
 * asked for again and again: page after page, the UI's refresh, a client polling. Each
 * connection keeps the totals it counted in a small in-memory table, with the reports'
 * generation (migration 6: raised by every insert, update and delete of a report) at the time.
 * The generation is read in the list's own read transaction, so a remembered total is used
 * only while it is still exactly what counting would give. */
static const char SQL_TOTALS_TABLE[] = "CREATE TEMP TABLE IF NOT EXISTS list_totals ("
                                       "k TEXT PRIMARY KEY, gen INTEGER NOT NULL,"
                                       " total INTEGER NOT NULL)";
static const char SQL_REPORTS_GEN[] = "SELECT value FROM store_generation WHERE name = 'reports'";
static const char SQL_TOTAL_GET[] = "SELECT total FROM temp.list_totals WHERE k = ?1 AND gen = ?2";
static const char SQL_TOTAL_PRUNE[] =
    "DELETE FROM temp.list_totals WHERE gen <> ?1"
    " OR (SELECT count(*) FROM temp.list_totals) >= ?2";
static const char SQL_TOTAL_PUT[] =
    "INSERT OR REPLACE INTO temp.list_totals (k, gen, total) VALUES (?1, ?2, ?3)";

/* Looks up the total for `key` at the current generation: *gen is set (-1 when the store has no
 * generation, then nothing is remembered) and *total to the remembered total or -1. */
static void total_lookup(struct rk_conn *c, const char *key, sqlite3_int64 *gen,
                         sqlite3_int64 *total)
{
    *gen = -1;
    *total = -1;
    sqlite3_stmt *st = rk__stmt(c, SQL_REPORTS_GEN, NULL);
    if (st == NULL)
        return;
    if (sqlite3_step(st) == SQLITE_ROW)
        *gen = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (*gen < 0 || rk__exec(c, SQL_TOTALS_TABLE, NULL) != RK_OK)
        return;
    st = rk__stmt(c, SQL_TOTAL_GET, NULL);
    if (st == NULL)
        return;
    rk__bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, *gen);
    if (sqlite3_step(st) == SQLITE_ROW)
        *total = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
}

/* Remembers a counted total (best effort: a failure only means counting again next time). */
static void total_remember(struct rk_conn *c, const char *key, sqlite3_int64 gen,
                           sqlite3_int64 total)
{
    if (gen < 0)
        return;
    sqlite3_stmt *st = rk__stmt(c, SQL_TOTAL_PRUNE, NULL);
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, gen);
    sqlite3_bind_int(st, 2, RK_MAX_LIST_TOTALS);
    sqlite3_step(st);
    sqlite3_reset(st);
    st = rk__stmt(c, SQL_TOTAL_PUT, NULL);
    if (st == NULL)
        return;
    rk__bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, gen);
    sqlite3_bind_int64(st, 3, total);
    sqlite3_step(st);
    sqlite3_reset(st);
}

enum rk_status rk_report_list(struct rk_store *s, const struct rk_actor *who,
                              const struct rk_report_query *q, json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    struct rk_buf where, sql, key;
    sqlite3_stmt *st = NULL;
    json_t *items = NULL;
    char from[21] = "", to[21] = "";
    rk_buf_init(&where, 64 * 1024);
    rk_buf_init(&sql, 64 * 1024);
    rk_buf_init(&key, 80 * 1024);
    int limit = q && q->limit > 0 ? q->limit : RK_DEFAULT_LIST_LIMIT;
    int offset = q && q->offset > 0 ? q->offset : 0;
    if (limit > RK_MAX_LIST_LIMIT)
        limit = RK_MAX_LIST_LIMIT;
    enum rk_status rc = RK_OK;
    int64_t t;
    if (q && q->from && *q->from) {
        if (rk__time_parse(q->from, &t) != RK_OK)
            return rk__err(err, RK_EINVAL, "from", "expected an RFC 3339 time or YYYY-MM-DD");
        rk__time_format(t, from);
    }
    if (q && q->to && *q->to) {
        if (rk__time_parse(q->to, &t) != RK_OK)
            return rk__err(err, RK_EINVAL, "to", "expected an RFC 3339 time or YYYY-MM-DD");
        rk__time_format(t, to);
    }
    if (q && q->category && *q->category && !rk__ref_is_category(s->ref, q->category))
        return rk__err(err, RK_EINVAL, "category", "unknown category");
    if (q && q->status && *q->status && !rk__ref_is_state(s->ref, "report", q->status))
        return rk__err(err, RK_EINVAL, "status", "unknown report state");
    if (q && q->q && strlen(q->q) > 1024)
        return rk__err(err, RK_EINVAL, "q", "search text too long");
    rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_REPORT_READ, err);
    if (rc != RK_OK)
        goto out;
    char acc[2048];
    rc = rk__access_report_sql(&a, "r", acc, sizeof(acc));
    if (rc != RK_OK)
        goto out;
    rk_buf_addf(&where, " WHERE %s", acc);
    if (q && q->category && *q->category)
        rk_buf_adds(&where, " AND r.category = :category");
    if (q && q->status && *q->status)
        rk_buf_adds(&where, " AND r.status = :status");
    if (q && q->unit_id && *q->unit_id)
        rk_buf_adds(&where, " AND r.unit_id = :unit");
    if (*from)
        rk_buf_adds(&where, " AND r.received_at >= :from");
    if (*to)
        rk_buf_adds(&where, " AND r.received_at < :to");
    if (q && q->q && *q->q) {
        rc = rk__search_sql(q->q,
                            "r.rowid IN (SELECT rowid FROM reports_fts WHERE reports_fts "
                            "MATCH %s)",
                            "r.title|r.narrative|r.sms_text",
                            rk__bigram_complete(c) ? "r.rowid IN (SELECT rowid FROM"
                                                     " reports_bigram WHERE reports_bigram"
                                                     " MATCH %s)"
                                                   : NULL,
                            &where, err);
        if (rc != RK_OK)
            goto out;
    }
    if (where.data == NULL) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    /* The remembered total's key: the filter's SQL (access rule included) and every value
     * bound into it. */
    enum rk_status kr =
        rk_buf_addf(&key, "%s\x1f%s\x1f%s", where.data, a.who->user_id, a.who->unit_id);
    if (kr == RK_OK && q)
        kr = rk_buf_addf(&key, "\x1f%s\x1f%s\x1f%s\x1f%s", q->category ? q->category : "",
                         q->status ? q->status : "", q->unit_id ? q->unit_id : "",
                         q->q ? q->q : "");
    if (kr == RK_OK)
        kr = rk_buf_addf(&key, "\x1f%s\x1f%s", from, to);
    /* A key that did not fit is not used at all (a truncated one could match another list). */
    const char *keyp = kr == RK_OK ? key.data : NULL;
    /* Both queries run in one read transaction so total and page agree. */
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    sqlite3_int64 gen = -1, known = -1;
    if (keyp != NULL)
        total_lookup(c, keyp, &gen, &known);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0 && known >= 0) {
            t = known;
            continue;
        }
        rk_buf_reset(&sql);
        if (pass == 0)
            rk_buf_addf(&sql, "SELECT count(*) FROM (SELECT 1 FROM reports r%s LIMIT %d)", where.data,
                        RK_MAX_LIST_COUNT + 1);
        else
            rk_buf_addf(&sql,
                        "SELECT r.id, r.ref, r.intake_type, r.channel, r.category, r.title,"
                        " r.received_at, r.damage_amount, r.urgent, r.unit_id, u.name,"
                        " r.status, r.tlp, r.scope, r.created_at, r.updated_at"
                        " FROM reports r JOIN units u ON u.id = r.unit_id%s"
                        " ORDER BY r.received_at DESC, r.rowid DESC LIMIT :limit OFFSET :offset",
                        where.data);
        rc = rk__stmt_new(c, sql.data, &st, err);
        if (rc != RK_OK)
            goto out_tx;
        rk__access_bind(st, &a);
        if (q) {
            rk__bind_named_text(st, ":category", q->category);
            rk__bind_named_text(st, ":status", q->status);
            rk__bind_named_text(st, ":unit", q->unit_id);
            if (q->q)
                rk__search_bind(st, q->q);
        }
        rk__bind_named_text(st, ":from", from);
        rk__bind_named_text(st, ":to", to);
        sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":limit"), limit);
        sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":offset"), offset);
        int r;
        if (pass == 0) {
            r = sqlite3_step(st);
            if (r != SQLITE_ROW) {
                rc = rk__db_error(c, r, err);
                goto out_tx;
            }
            t = sqlite3_column_int64(st, 0);
            if (keyp != NULL)
                total_remember(c, keyp, gen, t);
        } else {
            items = json_array();
            while ((r = sqlite3_step(st)) == SQLITE_ROW)
                json_array_append_new(
                    items,
                    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:{s:s,s:s},s:s,s:s,s:s,"
                              "s:s,s:s}",
                              "id", rk__col_text(st, 0), "ref", rk__col_text(st, 1),
                              "intake_type", rk__col_text(st, 2), "channel", rk__col_text(st, 3),
                              "category", rk__col_text(st, 4), "title", rk__col_text(st, 5),
                              "received_at", rk__col_text(st, 6), "damage_amount",
                              (json_int_t)sqlite3_column_int64(st, 7), "urgent",
                              sqlite3_column_int(st, 8), "unit", "id", rk__col_text(st, 9),
                              "name", rk__col_text(st, 10), "status", rk__col_text(st, 11),
                              "tlp", rk__col_text(st, 12), "scope", rk__col_text(st, 13),
                              "created_at", rk__col_text(st, 14), "updated_at",
                              rk__col_text(st, 15)));
            if (r != SQLITE_DONE) {
                rc = rk__db_error(c, r, err);
                goto out_tx;
            }
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    *out = json_pack("{s:O,s:I,s:b,s:i,s:i}", "items", items, "total",
                     (json_int_t)(t > RK_MAX_LIST_COUNT ? RK_MAX_LIST_COUNT : t), "total_capped",
                     t > RK_MAX_LIST_COUNT, "limit", limit, "offset", offset);
    if (*out == NULL)
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    else
        rk__audit_read(s, who, "report", "", "list");
out_tx:
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
out:
    sqlite3_finalize(st);
    json_decref(items);
    rk_buf_free(&where);
    rk_buf_free(&sql);
    rk_buf_free(&key);
    rk__conn_put(s, c);
    return rc;
}
