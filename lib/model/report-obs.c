/*
 * Observables as the store keeps them: one row per (type, canonical form), linked to the
 * reports whose text holds it and to the cases an analyst linked it to with a role. The
 * extraction itself is lib/model/obs*.c (renkei/obs.h); this file stores its results and
 * answers "where else was this seen?" through lib/share/access.c, showing a report or case the
 * caller may not read only as {"restricted":true,"unit":{...}}.
 */
#include "model/report.h"

#include <stdio.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/limits.h"
#include "renkei/obs.h"

enum rk_status rk__obs_upsert(struct rk_conn *c, const char *type, const char *canonical,
                              const char *display, const char *value, const char *seen_at,
                              char id_out[37], struct rk_error *err)
{
    char now[21], id[37];
    rk__now(now);
    if (seen_at != NULL)
        snprintf(now, sizeof(now), "%s", seen_at);
    rk__uuid(id);
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO observables (id, type, canonical, display, value,"
                                " first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
                                " ON CONFLICT (type, canonical) DO UPDATE SET"
                                " last_seen = max(last_seen, excluded.last_seen),"
                                " first_seen = min(first_seen, excluded.first_seen)"
                                " RETURNING id",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    rk__bind_text(st, 2, type);
    rk__bind_text(st, 3, canonical);
    rk__bind_text(st, 4, display);
    rk__bind_text(st, 5, value);
    rk__bind_text(st, 6, now);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        snprintf(id_out, 37, "%s", rk__col_text(st, 0));
    sqlite3_reset(st);
    return r == SQLITE_ROW ? RK_OK : rk__db_error(c, r, err);
}

/* Adds the distinct observables of `text` to the report's links. */
static enum rk_status link_text(struct rk_conn *c, const char *report_id, const char *seen_at,
                                const char *text, struct rk_error *err)
{
    struct rk_obs_list l = {0};
    size_t n = strlen(text);
    if (n == 0)
        return RK_OK;
    enum rk_status rc = rk_obs_extract(text, n, &l);
    if (rc != RK_OK) {
        rk_obs_list_clear(&l);
        return rk__err(err, rc, "narrative", "cannot extract observables: %s", rk_strerror(rc));
    }
    for (size_t i = 0; i < l.count && rc == RK_OK; i++) {
        const struct rk_obs *o = &l.items[i];
        char oid[37];
        rc = rk__obs_upsert(c, rk_obs_type_name(o->type), o->canonical, o->display, o->value,
                            seen_at, oid, err);
        if (rc != RK_OK)
            break;
        sqlite3_stmt *st;
        st = rk__stmt(c,
                      "INSERT OR IGNORE INTO report_observables (report_id, observable_id, value)"
                      " VALUES (?1, ?2, ?3)",
                      err);
        if (st == NULL) {
            rc = RK_EIO;
            break;
        }
        rk__bind_text(st, 1, report_id);
        rk__bind_text(st, 2, oid);
        rk__bind_text(st, 3, o->value);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE)
            rc = rk__db_error(c, r, err);
    }
    rk_obs_list_clear(&l);
    return rc;
}

enum rk_status rk__report_link_observables(struct rk_conn *c, const char *report_id,
                                           struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, "DELETE FROM report_observables WHERE report_id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, report_id);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return rk__db_error(c, r, err);
    st = rk__stmt(c,
                  "SELECT title, narrative, sms_text, sender, urls, received_at, bank_accounts,"
                  " crypto, attachments, json_extract(ransomware, '$.ransom_note')"
                  " FROM reports WHERE id = ?1",
                  err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, report_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return rk__err(err, RK_ENOTFOUND, "id", "no such report");
    }
    /* Copy the texts out: the statement is reused by nothing below, but the upserts step other
     * statements on the same connection. */
    char *texts[5];
    for (int i = 0; i < 5; i++)
        texts[i] = rk_strdup(rk__col_text(st, i));
    char seen[21];
    snprintf(seen, sizeof(seen), "%s", rk__col_text(st, 5));
    json_t *banks = json_loads(rk__col_text(st, 6), 0, NULL);
    json_t *crypto = json_loads(rk__col_text(st, 7), 0, NULL);
    json_t *attachments = json_loads(rk__col_text(st, 8), 0, NULL);
    char *note = rk_strdup(rk__col_text(st, 9));
    sqlite3_reset(st);
    enum rk_status rc = RK_OK;
    for (int i = 0; i < 5; i++) {
        if (texts[i] == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
    /* urls is a JSON array: extract from each element (a URL field holds exactly one URL, but
     * extraction also refangs "hxxp" forms). */
    for (int i = 0; i < 4 && rc == RK_OK; i++)
        rc = link_text(c, report_id, seen, texts[i], err);
    if (rc == RK_OK) {
        json_t *urls = json_loads(texts[4], 0, NULL);
        size_t i;
        json_t *u;
        json_array_foreach(urls, i, u)
        {
            if (rc == RK_OK && json_is_string(u))
                rc = link_text(c, report_id, seen, json_string_value(u), err);
        }
        json_decref(urls);
    }
    /* Bank accounts given as structured fields are written out the way an officer writes
     * them and go through the extractor, so their canonical form is the extractor's. */
    if (rc == RK_OK && json_is_array(banks)) {
        size_t i;
        json_t *b;
        json_array_foreach(banks, i, b)
        {
            const char *bank = json_string_value(json_object_get(b, "bank_code"));
            const char *branch = json_string_value(json_object_get(b, "branch_code"));
            const char *num = json_string_value(json_object_get(b, "number"));
            const char *type = json_string_value(json_object_get(b, "account_type"));
            if (rc != RK_OK || bank == NULL || branch == NULL || num == NULL)
                continue;
            const char *ja = "普通";
            if (type != NULL && strcmp(type, "toza") == 0)
                ja = "当座";
            else if (type != NULL && strcmp(type, "chochiku") == 0)
                ja = "貯蓄";
            char text[160];
            /* The number is 1-8 digits (validated); accounts are written with 7, zero-padded. */
            size_t nl = strlen(num);
            snprintf(text, sizeof(text), "銀行コード%s 支店番号%s %s %.*s%s", bank, branch, ja,
                     nl < 7 ? (int)(7 - nl) : 0, "0000000", num);
            rc = link_text(c, report_id, seen, text, err);
        }
    }
    /* Crypto details, attachments (name and SHA-256) and the ransom note: each member's text
     * goes through the extractor, so wallets, hashes and file names link like any other. */
    json_t *blocks[2] = {crypto, attachments};
    for (int b = 0; b < 2 && rc == RK_OK; b++) {
        size_t i;
        json_t *e;
        json_array_foreach(blocks[b], i, e)
        {
            const char *key;
            json_t *v;
            json_object_foreach(e, key, v)
            {
                if (rc == RK_OK && json_is_string(v))
                    rc = link_text(c, report_id, seen, json_string_value(v), err);
            }
        }
    }
    if (rc == RK_OK && note != NULL)
        rc = link_text(c, report_id, seen, note, err);
    rk_free(note);
    json_decref(crypto);
    json_decref(attachments);
    json_decref(banks);
    for (int i = 0; i < 5; i++)
        rk_free(texts[i]);
    return rc;
}

/* ===== rk_observable_get / rk_observable_list ===== */

static json_t *obs_row_json(sqlite3_stmt *st)
{
    return json_pack("{s:s,s:s,s:s,s:o,s:s,s:s}", "id", rk__col_text(st, 0), "type",
                     rk__col_text(st, 1), "canonical", rk__col_text(st, 2), "display",
                     rk__col_json_str(st, 3), "first_seen", rk__col_text(st, 4), "last_seen",
                     rk__col_text(st, 5));
}

/* The seen-in lists of one observable, each entry full or restricted. Sets `*visible` when at
 * least one holder is readable. */
static enum rk_status seen_in(struct rk_conn *c, const struct rk_access *a, const char *id,
                              json_t **out, int *visible, struct rk_error *err)
{
    json_t *reports = json_array(), *cases = json_array();
    int truncated = 0;
    *visible = 0;
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT r.id FROM report_observables ro"
                                " JOIN reports r ON r.id = ro.report_id"
                                " WHERE ro.observable_id = ?1 ORDER BY r.received_at DESC"
                                " LIMIT ?2",
                                err);
    if (st == NULL)
        goto fail;
    rk__bind_text(st, 1, id);
    sqlite3_bind_int(st, 2, RK_MAX_SEEN_IN + 1);
    /* Collect the ids first: the access checks below use other statements. */
    char(*ids)[37] = rk_calloc(RK_MAX_SEEN_IN + 1, 37);
    if (ids == NULL) {
        sqlite3_reset(st);
        goto fail;
    }
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n <= RK_MAX_SEEN_IN)
        snprintf(ids[n++], 37, "%s", rk__col_text(st, 0));
    sqlite3_reset(st);
    if (n > RK_MAX_SEEN_IN) {
        truncated = 1;
        n = RK_MAX_SEEN_IN;
    }
    for (int i = 0; i < n; i++) {
        char unit[37] = "";
        if (rk__access_report_visible(c, a, ids[i], unit)) {
            *visible = 1;
            json_array_append_new(reports, rk__report_brief(c, ids[i]));
        } else {
            json_array_append_new(reports, rk__restricted(c, unit));
        }
    }
    st = rk__stmt(c,
                  "SELECT co.case_id, co.role FROM case_observables co"
                  " JOIN cases c ON c.id = co.case_id WHERE co.observable_id = ?1"
                  " ORDER BY c.updated_at DESC LIMIT ?2",
                  err);
    if (st == NULL) {
        rk_free(ids);
        goto fail;
    }
    rk__bind_text(st, 1, id);
    sqlite3_bind_int(st, 2, RK_MAX_SEEN_IN + 1);
    char(*roles)[40] = rk_calloc(RK_MAX_SEEN_IN + 1, 40);
    n = 0;
    while (roles != NULL && sqlite3_step(st) == SQLITE_ROW && n <= RK_MAX_SEEN_IN) {
        snprintf(ids[n], 37, "%s", rk__col_text(st, 0));
        snprintf(roles[n], 40, "%s", rk__col_text(st, 1));
        n++;
    }
    sqlite3_reset(st);
    if (n > RK_MAX_SEEN_IN) {
        truncated = 1;
        n = RK_MAX_SEEN_IN;
    }
    for (int i = 0; i < n; i++) {
        char unit[37] = "";
        if (rk__access_case_visible(c, a, ids[i], unit)) {
            *visible = 1;
            json_t *b = rk__case_brief(c, ids[i]);
            if (json_is_object(b))
                json_object_set_new(b, "role", json_string(roles[i]));
            json_array_append_new(cases, b);
        } else {
            json_array_append_new(cases, rk__restricted(c, unit));
        }
    }
    rk_free(ids);
    rk_free(roles);
    *out = json_pack("{s:o,s:o,s:b}", "reports", reports, "cases", cases, "truncated",
                     truncated);
    return *out ? RK_OK : rk__err(err, RK_ENOMEM, NULL, "out of memory");
fail:
    json_decref(reports);
    json_decref(cases);
    return err && err->code ? (enum rk_status)err->code
                            : rk__err(err, RK_ENOMEM, NULL, "out of memory");
}

enum rk_status rk_observable_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                                 json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    json_t *o = NULL;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_OBS_READ, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT id, type, canonical, display, first_seen, last_seen"
                                " FROM observables WHERE id = ?1",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out_tx;
    }
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        o = obs_row_json(st);
    sqlite3_reset(st);
    if (r != SQLITE_ROW) {
        rc = r == SQLITE_DONE ? rk__err(err, RK_ENOTFOUND, "id", "no such observable")
                              : rk__db_error(c, r, err);
        goto out_tx;
    }
    json_t *seen = NULL;
    int visible = 0;
    rc = seen_in(c, &a, id, &seen, &visible, err);
    if (rc != RK_OK)
        goto out_tx;
    json_object_set_new(o, "seen_in", seen);
    /* A station officer opens only values that occur in something they may read; analysts
     * and supervisors may open any value (that is what correlation is for), and still see
     * only "restricted" for the holders they may not read. */
    if (!visible && !rk__access_allows(&a, RK_PERM_OBS_READ_ALL)) {
        rc = rk__err(err, RK_EFORBIDDEN, NULL, "this observable occurs only in data you may "
                                               "not read");
        goto out_tx;
    }
    *out = o;
    o = NULL;
    rk__audit_read(s, who, "observable", id, NULL);
out_tx:
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
out:
    json_decref(o);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_observable_list(struct rk_store *s, const struct rk_actor *who,
                                  const struct rk_obs_query *q, json_t **out,
                                  struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    struct rk_buf where, sql, like;
    sqlite3_stmt *st = NULL;
    json_t *items = NULL;
    int limit = q && q->limit > 0 ? q->limit : RK_DEFAULT_LIST_LIMIT;
    int offset = q && q->offset > 0 ? q->offset : 0;
    if (limit > RK_MAX_LIST_LIMIT)
        limit = RK_MAX_LIST_LIMIT;
    if (q && q->type && *q->type && rk_obs_type_from_name(q->type) == RK_OBS_NONE)
        return rk__err(err, RK_EINVAL, "type", "unknown observable type");
    if (q && q->q && strlen(q->q) > 1024)
        return rk__err(err, RK_EINVAL, "q", "search text too long");
    rk_buf_init(&where, 64 * 1024);
    rk_buf_init(&sql, 64 * 1024);
    rk_buf_init(&like, 4096);
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        goto out;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_OBS_READ, err);
    if (rc != RK_OK)
        goto out;
    rk_buf_adds(&where, " WHERE 1");
    if (q && q->type && *q->type)
        rk_buf_adds(&where, " AND o.type = :type");
    if (q && q->q && *q->q) {
        rk_buf_adds(&where, " AND (o.canonical LIKE :like ESCAPE '\\'"
                            " OR o.display LIKE :like ESCAPE '\\')");
        rk_buf_addc(&like, '%');
        for (const char *p = q->q; *p; p++) {
            if (*p == '%' || *p == '_' || *p == '\\')
                rk_buf_addc(&like, '\\');
            rk_buf_addc(&like, *p);
        }
        rk_buf_addc(&like, '%');
    }
    if (!rk__access_allows(&a, RK_PERM_OBS_READ_ALL)) {
        char racc[2048], cacc[2048];
        rk__access_report_sql(&a, "r", racc, sizeof(racc));
        rk__access_case_sql(&a, "c", cacc, sizeof(cacc));
        rk_buf_addf(&where,
                    " AND (EXISTS (SELECT 1 FROM report_observables ro JOIN reports r"
                    " ON r.id = ro.report_id WHERE ro.observable_id = o.id AND %s)"
                    " OR EXISTS (SELECT 1 FROM case_observables co JOIN cases c"
                    " ON c.id = co.case_id WHERE co.observable_id = o.id AND %s))",
                    racc, cacc);
    }
    if (where.data == NULL) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    json_int_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        rk_buf_reset(&sql);
        if (pass == 0)
            rk_buf_addf(&sql, "SELECT count(*) FROM (SELECT 1 FROM observables o%s LIMIT %d)", where.data,
                        RK_MAX_LIST_COUNT + 1);
        else
            rk_buf_addf(&sql,
                        "SELECT o.id, o.type, o.canonical, o.display, o.first_seen,"
                        " o.last_seen,"
                        " (SELECT count(*) FROM report_observables x WHERE x.observable_id ="
                        " o.id),"
                        " (SELECT count(*) FROM case_observables y WHERE y.observable_id ="
                        " o.id) FROM observables o%s ORDER BY o.last_seen DESC, o.id"
                        " LIMIT :limit OFFSET :offset",
                        where.data);
        rc = rk__stmt_new(c, sql.data, &st, err);
        if (rc != RK_OK)
            goto out_tx;
        rk__access_bind(st, &a);
        if (q)
            rk__bind_named_text(st, ":type", q->type);
        if (like.data)
            rk__bind_named_text(st, ":like", like.data);
        sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":limit"), limit);
        sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":offset"), offset);
        int r;
        if (pass == 0) {
            r = sqlite3_step(st);
            if (r != SQLITE_ROW) {
                rc = rk__db_error(c, r, err);
                goto out_tx;
            }
            total = sqlite3_column_int64(st, 0);
        } else {
            items = json_array();
            while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                json_t *o = obs_row_json(st);
                json_object_set_new(o, "reports", json_integer(sqlite3_column_int64(st, 6)));
                json_object_set_new(o, "cases", json_integer(sqlite3_column_int64(st, 7)));
                json_array_append_new(items, o);
            }
            if (r != SQLITE_DONE) {
                rc = rk__db_error(c, r, err);
                goto out_tx;
            }
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    *out = json_pack("{s:O,s:I,s:b,s:i,s:i}", "items", items, "total",
                     (json_int_t)(total > RK_MAX_LIST_COUNT ? RK_MAX_LIST_COUNT : total),
                     "total_capped", total > RK_MAX_LIST_COUNT, "limit", limit, "offset",
                     offset);
    if (*out == NULL)
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    else
        rk__audit_read(s, who, "observable", "", "list");
out_tx:
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
out:
    sqlite3_finalize(st);
    json_decref(items);
    rk_buf_free(&where);
    rk_buf_free(&sql);
    rk_buf_free(&like);
    rk__conn_put(s, c);
    return rc;
}
