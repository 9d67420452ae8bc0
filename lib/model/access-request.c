/*
 * Access requests (閲覧依頼): a user who sees "a case held by 〇〇署" asks that unit for access,
 * and the unit answers by granting some or all of the objects concerned, or by refusing.
 *
 * A request names its context, never the hidden object: the report, case or observable the
 * requester may read, the holding unit and the kind of object. The objects it concerns are worked
 * out here, when the request is made, from exactly what the requester was shown as restricted in
 * that context: the direct links (a report's cases, a case's reports and linked cases, an
 * observable's seen-in lists) and the correlation query of a report or case (through
 * rk__corr_refused()). Only those held by the target unit and unreadable by the requester count.
 * A request that concerns nothing is refused with the same error whatever the reason, so the
 * tool answers nothing the restricted entries had not already shown.
 *
 * Members of the holding unit (any police role: a station's officers, a division's analysts and
 * supervisors) see the request with the objects it concerns that they may read, and grant or
 * refuse. A grant (table access_grants) makes the requester a named person on that one object
 * until it expires; lib/share/access.c honours it in both forms of the rules.
 */
#include <stdio.h>
#include <string.h>

#include "model/report.h"
#include "renkei/alloc.h"
#include "renkei/limits.h"
#include "share/access.h"
#include "store/store.h"

static const char *const CONTEXT_KINDS[] = {"report", "case", "observable", NULL};
static const char *const TARGET_KINDS[] = {"report", "case", NULL};
static const char *const STATUSES[] = {"pending", "granted",   "partly_granted",
                                       "refused", "withdrawn", NULL};

/* ===== Small helpers ===== */

static int is_member(const struct rk_access *a, const char *unit_id)
{
    return strcmp(a->who->unit_id, unit_id) == 0;
}

static int object_visible(struct rk_conn *c, const struct rk_access *a, int is_case, const char *id,
                          char unit_out[37])
{
    return is_case ? rk__access_case_visible(c, a, id, unit_out)
                   : rk__access_report_visible(c, a, id, unit_out);
}

/* RK_OK when the caller may read observable `id`: every observable for analysts and
 * supervisors, else one that occurs in a report or case the caller may read. */
static enum rk_status observable_readable(struct rk_conn *c, const struct rk_access *a,
                                          const char *id, struct rk_error *err)
{
    char racc[2048], cacc[2048], sql[4608];
    sqlite3_stmt *st = NULL;
    if (!rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "context_id", "no such observable");
    if (rk__access_report_sql(a, "r", racc, sizeof(racc)) != RK_OK ||
        rk__access_case_sql(a, "c", cacc, sizeof(cacc)) != RK_OK)
        return rk__err(err, RK_ETOOBIG, NULL, "access rule too long");
    int k = snprintf(sql, sizeof(sql),
                     "SELECT 1, (:all OR EXISTS (SELECT 1 FROM report_observables ro JOIN reports r"
                     " ON r.id = ro.report_id WHERE ro.observable_id = o.id AND %s)"
                     " OR EXISTS (SELECT 1 FROM case_observables co JOIN cases c"
                     " ON c.id = co.case_id WHERE co.observable_id = o.id AND %s))"
                     " FROM observables o WHERE o.id = :oid",
                     racc, cacc);
    if (k < 0 || (size_t)k >= sizeof(sql))
        return rk__err(err, RK_ETOOBIG, NULL, "access rule too long");
    enum rk_status rc = rk__stmt_new(c, sql, &st, err);
    if (rc != RK_OK)
        return rc;
    rk__access_bind(st, a);
    rk__bind_named_text(st, ":oid", id);
    sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":all"),
                     rk__access_allows(a, RK_PERM_OBS_READ_ALL));
    int r = sqlite3_step(st);
    if (r == SQLITE_DONE)
        rc = rk__err(err, RK_ENOTFOUND, "context_id", "no such observable");
    else if (r != SQLITE_ROW)
        rc = rk__db_error(c, r, err);
    else if (!sqlite3_column_int(st, 1))
        rc = rk__err(err, RK_EFORBIDDEN, "context_id",
                     "this observable occurs only in data you may not read");
    sqlite3_finalize(st);
    return rc;
}

/* RK_OK when the caller may read the context object. */
static enum rk_status context_readable(struct rk_conn *c, const struct rk_access *a,
                                       const char *kind, const char *id, struct rk_error *err)
{
    enum rk_status rc;
    if (strcmp(kind, "observable") == 0)
        rc = observable_readable(c, a, id, err);
    else if (strcmp(kind, "case") == 0)
        rc = rk__access_case(c, a, id, err);
    else
        rc = rk__access_report(c, a, id, err);
    if (rc != RK_OK && err != NULL && rc != RK_EIO && rc != RK_ENOMEM)
        snprintf(err->field, sizeof(err->field), "context_id");
    return rc;
}

/* The context as the caller may see it: its details when readable, else only its kind. */
static json_t *render_context(struct rk_store *s, struct rk_conn *c, const struct rk_access *a,
                              const char *kind, const char *id)
{
    json_t *o = NULL;
    if (strcmp(kind, "observable") == 0) {
        if (observable_readable(c, a, id, NULL) == RK_OK) {
            sqlite3_stmt *st =
                rk__stmt(c, "SELECT type, canonical FROM observables WHERE id = ?1", NULL);
            if (st != NULL) {
                rk__bind_text(st, 1, id);
                if (sqlite3_step(st) == SQLITE_ROW)
                    o = json_pack("{s:s,s:s,s:s,s:s}", "kind", kind, "id", id, "type",
                                  rk__col_text(st, 0), "canonical", rk__col_text(st, 1));
                sqlite3_reset(st);
            }
        }
    } else {
        int is_case = strcmp(kind, "case") == 0;
        if (object_visible(c, a, is_case, id, NULL)) {
            o = is_case ? rk__case_brief(c, id) : rk__report_brief(c, id);
            if (json_is_object(o)) {
                json_object_set_new(o, "kind", json_string(kind));
                rk__audit_read(s, a->who, kind, id, "access_request");
            }
        }
    }
    if (!json_is_object(o)) {
        json_decref(o);
        o = json_pack("{s:s,s:b}", "kind", kind, "restricted", 1);
    }
    return o;
}

/* ===== Rendering ===== */

static const char SQL_REQUEST[] =
    "SELECT id, status, context_kind, context_id, target_unit, target_kind, reason,"
    " requester_id, requester_unit, created_at, decided_by, decided_at, decision_note,"
    " (SELECT count(*) FROM access_request_objects WHERE request_id = ?1)"
    " FROM access_requests WHERE id = ?1";

/* The objects of request `id` as a member of the holding unit sees them. */
static json_t *render_objects(struct rk_store *s, struct rk_conn *c, const struct rk_access *a,
                              const char *id)
{
    json_t *rows = json_array(), *items = json_array();
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT o.object_kind, o.object_id, g.expires_at, g.id IS NOT NULL"
                                " FROM access_request_objects o LEFT JOIN access_grants g"
                                " ON g.request_id = o.request_id AND g.object_kind = o.object_kind"
                                " AND g.object_id = o.object_id WHERE o.request_id = ?1"
                                " ORDER BY o.object_kind, o.object_id",
                                NULL);
    if (st != NULL && rows != NULL) {
        rk__bind_text(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(rows,
                                  json_pack("[s,s,o,b]", rk__col_text(st, 0), rk__col_text(st, 1),
                                            rk__col_json_str(st, 2), sqlite3_column_int(st, 3)));
        sqlite3_reset(st);
    }
    size_t i;
    json_t *v;
    json_array_foreach(rows, i, v)
    {
        const char *kind = json_string_value(json_array_get(v, 0));
        const char *oid = json_string_value(json_array_get(v, 1));
        int is_case = strcmp(kind, "case") == 0;
        json_t *o = NULL;
        if (object_visible(c, a, is_case, oid, NULL)) {
            o = is_case ? rk__case_brief(c, oid) : rk__report_brief(c, oid);
            if (json_is_object(o)) {
                json_object_set_new(o, "readable", json_true());
                rk__audit_read(s, a->who, kind, oid, "access_request");
            }
        }
        if (!json_is_object(o)) {
            /* Held by the unit but not readable by this member (RED, say): nobody here can
             * grant it, and it keeps its id to itself. */
            json_decref(o);
            o = json_pack("{s:b,s:b}", "restricted", 1, "readable", 0);
        }
        json_object_set_new(o, "kind", json_string(kind));
        json_object_set(o, "granted", json_array_get(v, 3));
        json_object_set(o, "expires_at", json_array_get(v, 2));
        json_array_append_new(items, o);
    }
    json_decref(rows);
    return items;
}

/* The objects granted to the requester that the caller (the requester) may now read. */
static json_t *render_granted(struct rk_store *s, struct rk_conn *c, const struct rk_access *a,
                              const char *id)
{
    json_t *rows = json_array(), *items = json_array();
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT object_kind, object_id, expires_at FROM access_grants"
                                " WHERE request_id = ?1 AND user_id = ?2 ORDER BY granted_at, id",
                                NULL);
    if (st != NULL && rows != NULL) {
        rk__bind_text(st, 1, id);
        rk__bind_text(st, 2, a->who->user_id);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(rows, json_pack("[s,s,o]", rk__col_text(st, 0),
                                                  rk__col_text(st, 1), rk__col_json_str(st, 2)));
        sqlite3_reset(st);
    }
    size_t i;
    json_t *v;
    json_array_foreach(rows, i, v)
    {
        const char *kind = json_string_value(json_array_get(v, 0));
        const char *oid = json_string_value(json_array_get(v, 1));
        int is_case = strcmp(kind, "case") == 0;
        /* An expired grant no longer opens the object: it is not listed (nor its id). */
        if (!object_visible(c, a, is_case, oid, NULL))
            continue;
        json_t *o = is_case ? rk__case_brief(c, oid) : rk__report_brief(c, oid);
        if (!json_is_object(o)) {
            json_decref(o);
            continue;
        }
        json_object_set_new(o, "kind", json_string(kind));
        json_object_set(o, "expires_at", json_array_get(v, 2));
        json_array_append_new(items, o);
        rk__audit_read(s, a->who, kind, oid, "access_request");
    }
    json_decref(rows);
    return items;
}

/*
 * Renders request `id` for the caller. RK_ENOTFOUND when it does not exist or the caller is
 * neither its requester nor a member of the holding unit (the same answer, so ids cannot be
 * probed). `detail` adds "objects" (holding unit) or "granted" (requester). Every report or case
 * shown (its reference and title are case data) queues a read event.
 */
static enum rk_status render_request(struct rk_store *s, struct rk_conn *c,
                                     const struct rk_access *a, const char *id, int detail,
                                     json_t **out, struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, SQL_REQUEST, err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        sqlite3_reset(st);
        if (r == SQLITE_DONE)
            return rk__err(err, RK_ENOTFOUND, "id", "no such access request");
        return rk__db_error(c, r, err);
    }
    char ctx_kind[16], ctx_id[40], unit[40], requester[40], decider[40];
    snprintf(ctx_kind, sizeof(ctx_kind), "%s", rk__col_text(st, 2));
    snprintf(ctx_id, sizeof(ctx_id), "%s", rk__col_text(st, 3));
    snprintf(unit, sizeof(unit), "%s", rk__col_text(st, 4));
    snprintf(requester, sizeof(requester), "%s", rk__col_text(st, 7));
    snprintf(decider, sizeof(decider), "%s", rk__col_text(st, 10));
    int mine = strcmp(requester, a->who->user_id) == 0;
    int holder = is_member(a, unit);
    if (!mine && !holder) {
        sqlite3_reset(st);
        return rk__err(err, RK_ENOTFOUND, "id", "no such access request");
    }
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:I}", "id", rk__col_text(st, 0), "status",
                          rk__col_text(st, 1), "kind", rk__col_text(st, 5), "reason",
                          rk__col_text(st, 6), "created_at", rk__col_text(st, 9), "decided_at",
                          rk__col_json_str(st, 11), "decision_note", rk__col_json_str(st, 12),
                          "objects_count", (json_int_t)sqlite3_column_int64(st, 13));
    json_t *runit = rk__unit_ref(c, rk__col_text(st, 8));
    sqlite3_reset(st);
    if (o == NULL) {
        json_decref(runit);
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
    json_object_set_new(o, "requester_unit", runit);
    json_object_set_new(o, "context", render_context(s, c, a, ctx_kind, ctx_id));
    json_object_set_new(o, "unit", rk__unit_ref(c, unit));
    json_object_set_new(o, "requester", rk__user_ref(c, requester));
    json_object_set_new(o, "decided_by", decider[0] ? rk__user_ref(c, decider) : json_null());
    if (detail && holder)
        json_object_set_new(o, "objects", render_objects(s, c, a, id));
    if (detail && mine)
        json_object_set_new(o, "granted", render_granted(s, c, a, id));
    *out = o;
    return RK_OK;
}

/* Borrows a connection and loads the caller, who must hold RK_PERM_ACCESS_REQUEST. */
static enum rk_status begin(struct rk_store *s, const struct rk_actor *who, struct rk_conn **c,
                            struct rk_access *a, struct rk_error *err)
{
    *c = NULL;
    enum rk_status rc = rk__conn_get(s, c, err);
    if (rc == RK_OK)
        rc = rk__access_load(*c, who, a, err);
    if (rc == RK_OK)
        rc = rk__access_require(a, RK_PERM_ACCESS_REQUEST, err);
    return rc;
}

/* ===== Create ===== */

/* The objects a new request concerns: ids (JSON strings) of kind `is_case`, held by `unit`,
 * that the caller may not read. */
struct collect {
    struct rk_conn *c;
    const struct rk_access *a;
    int is_case;
    const char *unit;
    json_t *ids;
};

static void collect_add(struct collect *k, const char *id)
{
    size_t i;
    json_t *v;
    if (json_array_size(k->ids) >= RK_MAX_ACCESS_REQUEST_OBJECTS)
        return;
    json_array_foreach(k->ids, i, v) if (strcmp(json_string_value(v), id) == 0) return;
    json_array_append_new(k->ids, json_string(id));
}

static void collect_refused(void *ud, int is_case, const char *object_id, const char *unit_id)
{
    struct collect *k = ud;
    if (is_case == k->is_case && strcmp(unit_id, k->unit) == 0)
        collect_add(k, object_id);
}

/* The direct links of the context: what its page lists as restricted. */
static enum rk_status collect_links(struct collect *k, const char *ctx_kind, const char *ctx_id,
                                    struct rk_error *err)
{
    const char *sql = NULL;
    if (strcmp(ctx_kind, "report") == 0)
        sql = k->is_case ? "SELECT case_id FROM case_reports WHERE report_id = ?1" : NULL;
    else if (strcmp(ctx_kind, "case") == 0)
        sql = k->is_case ? "SELECT other_id FROM case_links WHERE case_id = ?1"
                           " UNION SELECT case_id FROM case_links WHERE other_id = ?1"
                         : "SELECT report_id FROM case_reports WHERE case_id = ?1";
    else
        sql = k->is_case ? "SELECT case_id FROM case_observables WHERE observable_id = ?1"
                         : "SELECT report_id FROM report_observables WHERE observable_id = ?1";
    if (sql == NULL)
        return RK_OK;
    json_t *ids = json_array();
    sqlite3_stmt *st = NULL;
    enum rk_status rc = rk__stmt_new(k->c, sql, &st, err);
    if (rc != RK_OK) {
        json_decref(ids);
        return rc;
    }
    rk__bind_text(st, 1, ctx_id);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(ids, json_string(rk__col_text(st, 0)));
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        rc = rk__db_error(k->c, r, err);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        char unit[37] = "";
        const char *id = json_string_value(v);
        if (!object_visible(k->c, k->a, k->is_case, id, unit) && strcmp(unit, k->unit) == 0)
            collect_add(k, id);
    }
    json_decref(ids);
    return rc;
}

static enum rk_status unit_exists(struct rk_conn *c, const char *id, struct rk_error *err)
{
    if (!rk__is_uuid(id))
        return rk__err(err, RK_EINVAL, "unit_id", "no such unit");
    sqlite3_stmt *st = rk__stmt(c, "SELECT 1 FROM units WHERE id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r == SQLITE_DONE)
        return rk__err(err, RK_EINVAL, "unit_id", "no such unit");
    return r == SQLITE_ROW ? RK_OK : rk__db_error(c, r, err);
}

static enum rk_status insert_request(struct rk_store *s, struct rk_conn *c,
                                     const struct rk_access *a, const char *id,
                                     const char *ctx_kind, const char *ctx_id, const char *unit,
                                     const char *kind, const char *reason, json_t *objects,
                                     struct rk_error *err)
{
    char now[21];
    rk__now(now);
    enum rk_status rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        return rc;
    /* One pending request per requester, context, unit and kind: asking twice adds nothing. */
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT 1 FROM access_requests WHERE requester_id = ?1 AND"
                                " context_kind = ?2 AND context_id = ?3 AND target_unit = ?4 AND"
                                " target_kind = ?5 AND status = 'pending'",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    rk__bind_text(st, 1, a->who->user_id);
    rk__bind_text(st, 2, ctx_kind);
    rk__bind_text(st, 3, ctx_id);
    rk__bind_text(st, 4, unit);
    rk__bind_text(st, 5, kind);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r == SQLITE_ROW) {
        rc = rk__err(err, RK_ECONFLICT, "unit_id",
                     "you already have a pending request to this unit about this %s", ctx_kind);
        goto out;
    }
    st = rk__stmt(c,
                  "INSERT INTO access_requests (id, requester_id, requester_unit, context_kind,"
                  " context_id, target_unit, target_kind, reason, status, created_at)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9)",
                  err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    const char *vals[] = {
        id, a->who->user_id, a->who->unit_id, ctx_kind, ctx_id, unit, kind, reason, now};
    for (int i = 0; i < 9; i++)
        rk__bind_text(st, i + 1, vals[i]);
    r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto out;
    }
    st = rk__stmt(c,
                  "INSERT INTO access_request_objects (request_id, object_kind, object_id)"
                  " VALUES (?1, ?2, ?3)",
                  err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    size_t i;
    json_t *v;
    json_array_foreach(objects, i, v)
    {
        rk__bind_text(st, 1, id);
        rk__bind_text(st, 2, kind);
        rk__bind_text(st, 3, json_string_value(v));
        r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE) {
            rc = rk__db_error(c, r, err);
            goto out;
        }
    }
    char detail[96];
    snprintf(detail, sizeof(detail), "to unit %s for %s (%zu)", unit, kind,
             json_array_size(objects));
    struct rk_audit_event ev;
    rk__audit_event(&ev, a->who, "create", "access_request", id, detail);
    rc = rk__audit_append(c, &ev, err);
out:
    if (rc == RK_OK)
        return rk__tx_commit(s, c, err);
    rk__tx_rollback(s, c);
    return rc;
}

enum rk_status rk_access_request_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                                        json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"context_kind", "context_id", "unit_id",
                                          "kind",         "reason",     NULL};
    const char *ctx_kind = NULL, *ctx_id = NULL, *unit = NULL, *kind = NULL, *reason = NULL;
    char ctx_id_c[40] = "", unit_c[40] = "", kind_c[16] = "", ctx_kind_c[16] = "";
    char id[37];
    struct rk_conn *c = NULL;
    struct rk_access a;
    json_t *objects = NULL;
    char *reason_c = NULL;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "context_kind", "context_kind", 1, 16, &ctx_kind, err);
    if (rc == RK_OK && !rk__in_set(ctx_kind, CONTEXT_KINDS))
        rc = rk__err(err, RK_EINVAL, "context_kind",
                     "context_kind must be report, case or observable");
    if (rc == RK_OK)
        rc = rk__json_str(in, "context_id", "context_id", 1, 36, &ctx_id, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "unit_id", "unit_id", 1, 36, &unit, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "kind", "kind", 1, 16, &kind, err);
    if (rc == RK_OK && !rk__in_set(kind, TARGET_KINDS))
        rc = rk__err(err, RK_EINVAL, "kind", "kind must be report or case");
    if (rc == RK_OK)
        rc = rk__json_str(in, "reason", "reason", 1, RK_MAX_ACCESS_REASON_BYTES, &reason, err);
    if (rc == RK_OK && strspn(reason, " \t\r\n") == strlen(reason))
        rc = rk__err(err, RK_EINVAL, "reason", "give the reason the holding unit will read");
    if (rc != RK_OK)
        return rc;
    /* `in` is borrowed; keep what is needed across the connection hand-over below. */
    snprintf(ctx_kind_c, sizeof(ctx_kind_c), "%s", ctx_kind);
    snprintf(ctx_id_c, sizeof(ctx_id_c), "%s", ctx_id);
    snprintf(unit_c, sizeof(unit_c), "%s", unit);
    snprintf(kind_c, sizeof(kind_c), "%s", kind);
    reason_c = rk_strdup(reason);
    objects = json_array();
    if (reason_c == NULL || objects == NULL) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    rc = begin(s, who, &c, &a, err);
    if (rc == RK_OK)
        rc = context_readable(c, &a, ctx_kind_c, ctx_id_c, err);
    if (rc == RK_OK)
        rc = unit_exists(c, unit_c, err);
    struct collect k = {c, &a, strcmp(kind_c, "case") == 0, unit_c, objects};
    if (rc == RK_OK)
        rc = collect_links(&k, ctx_kind_c, ctx_id_c, err);
    if (rc != RK_OK)
        goto out;
    if (strcmp(ctx_kind_c, "observable") != 0) {
        /* The correlation query borrows its own connection: give ours back first. */
        rk__conn_put(s, c);
        c = NULL;
        rc = rk__corr_refused(s, &a, strcmp(ctx_kind_c, "case") == 0, ctx_id_c, collect_refused, &k,
                              err);
        if (rc == RK_OK)
            rc = rk__conn_get(s, &c, err);
        if (rc != RK_OK)
            goto out;
    }
    if (json_array_size(objects) == 0) {
        rc = rk__err(err, RK_EINVAL, "unit_id",
                     "this unit holds no %s related to this %s that you may not read", kind_c,
                     ctx_kind_c);
        goto out;
    }
    rc = rk__uuid(id);
    if (rc == RK_OK)
        rc = insert_request(s, c, &a, id, ctx_kind_c, ctx_id_c, unit_c, kind_c, reason_c, objects,
                            err);
    if (rc == RK_OK)
        rc = render_request(s, c, &a, id, 1, out, err);
out:
    json_decref(objects);
    rk_free(reason_c);
    rk__conn_put(s, c);
    return rc;
}

/* ===== List and get ===== */

enum rk_status rk_access_request_list(struct rk_store *s, const struct rk_actor *who,
                                      const struct rk_access_request_query *q, json_t **out,
                                      struct rk_error *err)
{
    const char *box = q && q->box && *q->box ? q->box : "incoming";
    const char *status = q && q->status && *q->status ? q->status : NULL;
    int limit = q && q->limit > 0 ? q->limit : RK_DEFAULT_LIST_LIMIT;
    int offset = q && q->offset > 0 ? q->offset : 0;
    int incoming = strcmp(box, "incoming") == 0;
    if (!incoming && strcmp(box, "outgoing") != 0)
        return rk__err(err, RK_EINVAL, "box", "box must be incoming or outgoing");
    if (status != NULL && !rk__in_set(status, STATUSES))
        return rk__err(err, RK_EINVAL, "status",
                       "status must be pending, granted, partly_granted, refused or withdrawn");
    if (limit > RK_MAX_LIST_LIMIT)
        limit = RK_MAX_LIST_LIMIT;
    struct rk_conn *c = NULL;
    struct rk_access a;
    json_t *ids = json_array(), *items = json_array();
    int64_t total = 0;
    enum rk_status rc = begin(s, who, &c, &a, err);
    if (rc != RK_OK)
        goto out;
    static const char SQL_IN[] =
        "SELECT id, count(*) OVER () FROM access_requests WHERE target_unit = ?1 AND"
        " (?2 IS NULL OR status = ?2) ORDER BY created_at DESC, rowid DESC LIMIT ?3 OFFSET ?4";
    static const char SQL_OUT[] =
        "SELECT id, count(*) OVER () FROM access_requests WHERE requester_id = ?1 AND"
        " (?2 IS NULL OR status = ?2) ORDER BY created_at DESC, rowid DESC LIMIT ?3 OFFSET ?4";
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *st = rk__stmt(c, incoming ? SQL_IN : SQL_OUT, err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out_tx;
    }
    rk__bind_text(st, 1, incoming ? who->unit_id : who->user_id);
    rk__bind_text(st, 2, status);
    sqlite3_bind_int(st, 3, limit);
    sqlite3_bind_int(st, 4, offset);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        json_array_append_new(ids, json_string(rk__col_text(st, 0)));
        total = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto out_tx;
    }
    if (total == 0 && offset > 0) {
        /* Past the end: the window count is not there to tell; count directly. */
        st = rk__stmt(c,
                      incoming ? "SELECT count(*) FROM access_requests WHERE target_unit = ?1"
                                 " AND (?2 IS NULL OR status = ?2)"
                               : "SELECT count(*) FROM access_requests WHERE requester_id = ?1"
                                 " AND (?2 IS NULL OR status = ?2)",
                      err);
        if (st == NULL) {
            rc = RK_EIO;
            goto out_tx;
        }
        rk__bind_text(st, 1, incoming ? who->unit_id : who->user_id);
        rk__bind_text(st, 2, status);
        if (sqlite3_step(st) == SQLITE_ROW)
            total = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        json_t *o = NULL;
        rc = render_request(s, c, &a, json_string_value(v), 0, &o, err);
        if (rc != RK_OK)
            goto out_tx;
        json_array_append_new(items, o);
    }
    *out = json_pack("{s:O,s:I,s:i,s:i}", "items", items, "total", (json_int_t)total, "limit",
                     limit, "offset", offset);
    if (*out == NULL)
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    else
        rk__audit_read(s, who, "access_request", "", box);
out_tx:
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
out:
    json_decref(ids);
    json_decref(items);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_access_request_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                                     json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    if (id == NULL || !rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such access request");
    enum rk_status rc = begin(s, who, &c, &a, err);
    if (rc == RK_OK) {
        sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
        rc = render_request(s, c, &a, id, 1, out, err);
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    }
    if (rc == RK_OK)
        rk__audit_read(s, who, "access_request", id, NULL);
    rk__conn_put(s, c);
    return rc;
}

/* ===== Decide and withdraw ===== */

/* Inside the caller's transaction: loads the request's status, holding unit and requester.
 * RK_ENOTFOUND when missing, RK_ECONFLICT when no longer pending. */
static enum rk_status load_pending(struct rk_conn *c, const char *id, char unit[40],
                                   char requester[40], struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(
        c, "SELECT status, target_unit, requester_id FROM access_requests WHERE id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    enum rk_status rc = RK_OK;
    int r = sqlite3_step(st);
    if (r == SQLITE_DONE)
        rc = rk__err(err, RK_ENOTFOUND, "id", "no such access request");
    else if (r != SQLITE_ROW)
        rc = rk__db_error(c, r, err);
    else {
        snprintf(unit, 40, "%s", rk__col_text(st, 1));
        snprintf(requester, 40, "%s", rk__col_text(st, 2));
        if (strcmp(rk__col_text(st, 0), "pending") != 0)
            rc = rk__err(err, RK_ECONFLICT, "status", "the request is already %s",
                         rk__col_text(st, 0));
    }
    sqlite3_reset(st);
    return rc;
}

static enum rk_status set_status(struct rk_conn *c, const struct rk_access *a, const char *id,
                                 const char *status, const char *note, struct rk_error *err)
{
    char now[21];
    rk__now(now);
    sqlite3_stmt *st = rk__stmt(c,
                                "UPDATE access_requests SET status = ?2, decided_by = ?3,"
                                " decided_at = ?4, decision_note = ?5"
                                " WHERE id = ?1 AND status = 'pending'",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    rk__bind_text(st, 2, status);
    rk__bind_text(st, 3, a->who->user_id);
    rk__bind_text(st, 4, now);
    rk__bind_text(st, 5, note);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return rk__db_error(c, r, err);
    struct rk_audit_event ev;
    rk__audit_event(&ev, a->who, strcmp(status, "withdrawn") == 0 ? "withdraw" : "decide",
                    "access_request", id, status);
    return rk__audit_append(c, &ev, err);
}

/* Grants request `id`'s objects listed in `want` (NULL: every one the decider may read) to
 * `requester`; `*all` tells whether every object of the request is now granted. */
static enum rk_status grant_objects(struct rk_conn *c, const struct rk_access *a, const char *id,
                                    const char *requester, json_t *want, const char *expires,
                                    int *all, struct rk_error *err)
{
    json_t *rows = json_array();
    enum rk_status rc = RK_OK;
    size_t ngranted = 0;
    sqlite3_stmt *st = rk__stmt(
        c, "SELECT object_kind, object_id FROM access_request_objects WHERE request_id = ?1", err);
    if (st == NULL || rows == NULL) {
        json_decref(rows);
        return st == NULL ? RK_EIO : rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
    rk__bind_text(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(rows, json_pack("[s,s]", rk__col_text(st, 0), rk__col_text(st, 1)));
    sqlite3_reset(st);
    /* Every id asked for must be one of the request's objects, readable by the decider. */
    size_t i, j;
    json_t *v, *w;
    json_array_foreach(want, i, v)
    {
        const char *oid = json_string_value(v);
        int found = 0;
        json_array_foreach(rows, j, w) found |=
            oid != NULL && strcmp(json_string_value(json_array_get(w, 1)), oid) == 0;
        if (!found) {
            rc = rk__err(err, RK_EINVAL, "object_ids",
                         "object_ids[%zu] is not an object of this"
                         " request",
                         i);
            goto out;
        }
    }
    char now[21];
    rk__now(now);
    json_array_foreach(rows, j, w)
    {
        const char *kind = json_string_value(json_array_get(w, 0));
        const char *oid = json_string_value(json_array_get(w, 1));
        int is_case = strcmp(kind, "case") == 0;
        int asked = want == NULL;
        json_array_foreach(want, i, v) if (strcmp(json_string_value(v), oid) == 0) asked = 1;
        if (!asked)
            continue;
        if (!object_visible(c, a, is_case, oid, NULL)) {
            if (want == NULL)
                continue;
            size_t pos = 0;
            json_array_foreach(want, i, v) if (strcmp(json_string_value(v), oid) == 0) pos = i;
            rc = rk__err(err, RK_EFORBIDDEN, "object_ids",
                         "object_ids[%zu]: you may not read this %s yourself, so you may not "
                         "grant it",
                         pos, kind);
            goto out;
        }
        char gid[37];
        rc = rk__uuid(gid);
        if (rc != RK_OK)
            goto out;
        st = rk__stmt(c,
                      "INSERT INTO access_grants (id, object_kind, object_id, user_id, granted_by,"
                      " request_id, granted_at, expires_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
                      err);
        if (st == NULL) {
            rc = RK_EIO;
            goto out;
        }
        const char *vals[] = {gid, kind, oid, requester, a->who->user_id, id, now, expires};
        for (int n = 0; n < 8; n++)
            rk__bind_text(st, n + 1, vals[n]);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE) {
            rc = rk__db_error(c, r, err);
            goto out;
        }
        char detail[96];
        snprintf(detail, sizeof(detail), "to %s until %s (request %.8s)", requester,
                 expires ? expires : "-", id);
        struct rk_audit_event ev;
        rk__audit_event(&ev, a->who, "grant", kind, oid, detail);
        rc = rk__audit_append(c, &ev, err);
        if (rc != RK_OK)
            goto out;
        ngranted++;
    }
    if (ngranted == 0) {
        rc = rk__err(err, RK_EFORBIDDEN, "object_ids",
                     "you may read none of the objects this request concerns");
        goto out;
    }
    *all = ngranted == json_array_size(rows);
out:
    json_decref(rows);
    return rc;
}

enum rk_status rk_access_request_decide(struct rk_store *s, const struct rk_actor *who,
                                        const char *id, json_t *in, json_t **out,
                                        struct rk_error *err)
{
    static const char *const allowed[] = {"decision", "object_ids", "expires_at", "note", NULL};
    const char *decision = NULL, *expires_in = NULL, *note = NULL;
    char expires[21] = "", unit[40] = "", requester[40] = "";
    struct rk_conn *c = NULL;
    struct rk_access a;
    json_t *want = NULL;
    if (id == NULL || !rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such access request");
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "decision", "decision", 1, 16, &decision, err);
    if (rc == RK_OK && strcmp(decision, "grant") != 0 && strcmp(decision, "refuse") != 0)
        rc = rk__err(err, RK_EINVAL, "decision", "decision must be grant or refuse");
    if (rc == RK_OK)
        rc = rk__json_str(in, "note", "note", 0, RK_MAX_ACCESS_REASON_BYTES, &note, err);
    if (rc == RK_OK && strcmp(decision, "refuse") == 0 &&
        (note == NULL || strspn(note, " \t\r\n") == strlen(note)))
        rc = rk__err(err, RK_EINVAL, "note", "say why the request is refused");
    if (rc == RK_OK)
        rc = rk__json_str(in, "expires_at", "expires_at", 0, 40, &expires_in, err);
    if (rc == RK_OK && expires_in != NULL) {
        int64_t t = 0, now = rk__now_unix();
        if (strcmp(decision, "grant") != 0)
            rc = rk__err(err, RK_EINVAL, "expires_at", "only a grant has an expiry");
        else if (rk__time_parse(expires_in, &t) != RK_OK)
            rc = rk__err(err, RK_EINVAL, "expires_at",
                         "expires_at must be a date (YYYY-MM-DD) or an RFC 3339 time");
        else if (t <= now)
            rc = rk__err(err, RK_EINVAL, "expires_at", "expires_at must be in the future");
        else if (t - now > RK_MAX_ACCESS_GRANT_SECONDS)
            rc = rk__err(err, RK_EINVAL, "expires_at", "a grant may last at most one year");
        else
            rk__time_format(t, expires);
    }
    want = json_object_get(in, "object_ids");
    if (rc == RK_OK && want != NULL) {
        size_t i;
        json_t *v;
        if (strcmp(decision, "grant") != 0)
            rc = rk__err(err, RK_EINVAL, "object_ids", "only a grant names objects");
        else if (!json_is_array(want) || json_array_size(want) == 0)
            rc = rk__err(err, RK_EINVAL, "object_ids", "object_ids must be a non-empty list");
        json_array_foreach(want, i, v) if (rc == RK_OK && !json_is_string(v)) rc =
            rk__err(err, RK_EINVAL, "object_ids", "object_ids[%zu] must be an id", i);
    }
    if (rc != RK_OK)
        return rc;
    rc = begin(s, who, &c, &a, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    rc = load_pending(c, id, unit, requester, err);
    if (rc == RK_ENOTFOUND || (rc != RK_EIO && !is_member(&a, unit))) {
        /* Not the holding unit's: as if it did not exist, like a get. */
        rc = rk__err(err, RK_ENOTFOUND, "id", "no such access request");
        if (strcmp(requester, who->user_id) == 0)
            rc = rk__err(err, RK_EFORBIDDEN, NULL, "only the holding unit decides a request");
    } else if (rc == RK_OK && strcmp(requester, who->user_id) == 0) {
        /* A request to one's own unit (a colleague's RED case) is decided by a colleague. */
        rc = rk__err(err, RK_EFORBIDDEN, NULL, "you may not decide your own request");
    }
    int all = 0;
    if (rc == RK_OK && strcmp(decision, "grant") == 0)
        rc = grant_objects(c, &a, id, requester, want, expires[0] ? expires : NULL, &all, err);
    if (rc == RK_OK)
        rc = set_status(c, &a, id,
                        strcmp(decision, "refuse") == 0 ? "refused"
                        : all                           ? "granted"
                                                        : "partly_granted",
                        note, err);
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
    if (rc == RK_OK)
        rc = render_request(s, c, &a, id, 1, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_access_request_withdraw(struct rk_store *s, const struct rk_actor *who,
                                          const char *id, json_t **out, struct rk_error *err)
{
    char unit[40] = "", requester[40] = "";
    struct rk_conn *c = NULL;
    struct rk_access a;
    if (id == NULL || !rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such access request");
    enum rk_status rc = begin(s, who, &c, &a, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    rc = load_pending(c, id, unit, requester, err);
    if (rc != RK_EIO && rc != RK_ENOTFOUND && strcmp(requester, who->user_id) != 0)
        rc = is_member(&a, unit)
                 ? rk__err(err, RK_EFORBIDDEN, NULL, "only the requester withdraws a request")
                 : rk__err(err, RK_ENOTFOUND, "id", "no such access request");
    if (rc == RK_OK)
        rc = set_status(c, &a, id, "withdrawn", NULL, err);
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
    if (rc == RK_OK)
        rc = render_request(s, c, &a, id, 1, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}

/* Ends every grant of a request that is still in force now, by setting its expiry to now (the
 * row stays, so the history of who could read what, and until when, stays too). */
enum rk_status rk_access_request_revoke(struct rk_store *s, const struct rk_actor *who,
                                        const char *id, json_t **out, struct rk_error *err)
{
    char unit[40] = "", requester[40] = "";
    struct rk_conn *c = NULL;
    struct rk_access a;
    if (id == NULL || !rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such access request");
    enum rk_status rc = begin(s, who, &c, &a, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    rc = load_pending(c, id, unit, requester, err);
    if (rc == RK_ECONFLICT)
        rc = RK_OK; /* a decided request is what has grants */
    else if (rc == RK_OK)
        rc = rk__err(err, RK_ECONFLICT, "status", "the request is still pending");
    if (rc == RK_OK && !is_member(&a, unit))
        rc = strcmp(requester, who->user_id) == 0
                 ? rk__err(err, RK_EFORBIDDEN, NULL, "only the holding unit revokes a grant")
                 : rk__err(err, RK_ENOTFOUND, "id", "no such access request");
    if (rc == RK_OK) {
        sqlite3_stmt *st = rk__stmt(c,
                                    "UPDATE access_grants SET expires_at = ?2 WHERE request_id = ?1"
                                    " AND (expires_at IS NULL OR expires_at > ?2)",
                                    err);
        if (st == NULL) {
            rc = RK_EIO;
        } else {
            rk__bind_text(st, 1, id);
            rk__bind_text(st, 2, a.now);
            int r = sqlite3_step(st);
            sqlite3_reset(st);
            if (r != SQLITE_DONE)
                rc = rk__db_error(c, r, err);
            else if (sqlite3_changes(c->db) == 0)
                rc = rk__err(err, RK_ECONFLICT, "status", "no grant of this request is in force");
        }
    }
    if (rc == RK_OK) {
        struct rk_audit_event ev;
        rk__audit_event(&ev, who, "revoke", "access_request", id, requester);
        rc = rk__audit_append(c, &ev, err);
    }
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
    if (rc == RK_OK)
        rc = render_request(s, c, &a, id, 1, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}
