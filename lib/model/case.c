/*
 * Cases (事案・事件): built from reports; status (workflow.json "case"), lead unit, assignees,
 * tasks, notes, observables linked with a role, linked cases, a timeline made of the case's
 * events, TLP and scope. Every change runs in one transaction with its timeline entry and its
 * audit event; every read goes through lib/share/access.c.
 */
#include "model/report.h"

#include <stdio.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/limits.h"
#include "renkei/obs.h"

static const char *const RELATIONS[] = {"related", "joint", "duplicate", "parent", NULL};

/* ===== Rendering ===== */

json_t *rk__case_brief(struct rk_conn *c, const char *id)
{
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT c.id, c.ref, c.title, c.status, c.lead_unit_id, u.name"
                                " FROM cases c JOIN units u ON u.id = c.lead_unit_id"
                                " WHERE c.id = ?1",
                                NULL);
    if (st == NULL)
        return json_null();
    rk__bind_text(st, 1, id);
    json_t *o = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        o = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s}}", "id", rk__col_text(st, 0), "ref",
                      rk__col_text(st, 1), "title", rk__col_text(st, 2), "status",
                      rk__col_text(st, 3), "lead_unit", "id", rk__col_text(st, 4), "name",
                      rk__col_text(st, 5));
    sqlite3_reset(st);
    return o ? o : json_null();
}

/* Collects the first column of a one-parameter query as strings (ids). */
static json_t *collect_ids(struct rk_conn *c, const char *sql, const char *id)
{
    json_t *ids = json_array();
    sqlite3_stmt *st = rk__stmt(c, sql, NULL);
    if (st == NULL)
        return ids;
    rk__bind_text(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(ids, json_string(rk__col_text(st, 0)));
    sqlite3_reset(st);
    return ids;
}

enum rk_status rk__case_render(struct rk_conn *c, const struct rk_access *a, const char *id,
                               json_t **out, struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT id, ref, title, summary, category, status, tlp, scope,"
                                " lead_unit_id, created_by, created_at, updated_at FROM cases"
                                " WHERE id = ?1",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        sqlite3_reset(st);
        return r == SQLITE_DONE ? rk__err(err, RK_ENOTFOUND, "id", "no such case")
                                : rk__db_error(c, r, err);
    }
    char lead[37], creator[37];
    snprintf(lead, sizeof(lead), "%s", rk__col_text(st, 8));
    snprintf(creator, sizeof(creator), "%s", rk__col_text(st, 9));
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:s}", "id", rk__col_text(st, 0),
                          "ref", rk__col_text(st, 1), "title", rk__col_text(st, 2), "summary",
                          rk__col_text(st, 3), "category", rk__col_json_str(st, 4), "status",
                          rk__col_text(st, 5), "tlp", rk__col_text(st, 6), "scope",
                          rk__col_text(st, 7), "created_at", rk__col_text(st, 10),
                          "updated_at", rk__col_text(st, 11));
    sqlite3_reset(st);
    if (o == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    json_object_set_new(o, "lead_unit", rk__unit_ref(c, lead));
    json_object_set_new(o, "created_by", rk__user_ref(c, creator));

    json_t *ids = collect_ids(
        c, "SELECT user_id FROM case_assignees WHERE case_id = ?1 ORDER BY user_id", id);
    json_t *assignees = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) json_array_append_new(assignees,
                                                        rk__user_ref(c, json_string_value(v)));
    json_decref(ids);
    json_object_set_new(o, "assignees", assignees);

    /* Reports of the case: one the caller may not read shows only its unit. */
    ids = collect_ids(c,
                      "SELECT cr.report_id FROM case_reports cr JOIN reports r"
                      " ON r.id = cr.report_id WHERE cr.case_id = ?1 ORDER BY r.received_at",
                      id);
    json_t *reports = json_array();
    json_array_foreach(ids, i, v)
    {
        char unit[37] = "";
        const char *rid = json_string_value(v);
        if (rk__access_report_visible(c, a, rid, unit))
            json_array_append_new(reports, rk__report_brief(c, rid));
        else
            json_array_append_new(reports, rk__restricted(c, unit));
    }
    json_decref(ids);
    json_object_set_new(o, "reports", reports);

    json_t *tasks = json_array();
    st = rk__stmt(c,
                  "SELECT id, title, done, assignee_id, due, created_at, updated_at"
                  " FROM case_tasks WHERE case_id = ?1 ORDER BY created_at, rowid",
                  err);
    if (st != NULL) {
        rk__bind_text(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_t *t = json_pack("{s:s,s:s,s:b,s:o,s:s,s:s}", "id", rk__col_text(st, 0),
                                  "title", rk__col_text(st, 1), "done",
                                  sqlite3_column_int(st, 2), "due", rk__col_json_str(st, 4),
                                  "created_at", rk__col_text(st, 5), "updated_at",
                                  rk__col_text(st, 6));
            json_object_set_new(t, "assignee",
                                sqlite3_column_type(st, 3) == SQLITE_NULL
                                    ? json_null()
                                    : rk__user_ref(c, rk__col_text(st, 3)));
            json_array_append_new(tasks, t);
        }
        sqlite3_reset(st);
    }
    json_object_set_new(o, "tasks", tasks);

    json_t *notes = json_array();
    st = rk__stmt(c,
                  "SELECT id, text, author_id, created_at FROM case_notes WHERE case_id = ?1"
                  " ORDER BY created_at, rowid",
                  err);
    if (st != NULL) {
        rk__bind_text(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_t *n = json_pack("{s:s,s:s,s:s}", "id", rk__col_text(st, 0), "text",
                                  rk__col_text(st, 1), "created_at", rk__col_text(st, 3));
            json_object_set_new(n, "author", rk__user_ref(c, rk__col_text(st, 2)));
            json_array_append_new(notes, n);
        }
        sqlite3_reset(st);
    }
    json_object_set_new(o, "notes", notes);

    json_t *obs = json_array();
    st = rk__stmt(c,
                  "SELECT o.id, o.type, o.canonical, o.display, co.role FROM case_observables co"
                  " JOIN observables o ON o.id = co.observable_id WHERE co.case_id = ?1"
                  " ORDER BY o.type, o.canonical",
                  err);
    if (st != NULL) {
        rk__bind_text(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(
                obs, json_pack("{s:s,s:s,s:s,s:o,s:s}", "id", rk__col_text(st, 0), "type",
                               rk__col_text(st, 1), "canonical", rk__col_text(st, 2), "display",
                               rk__col_json_str(st, 3), "role", rk__col_text(st, 4)));
        sqlite3_reset(st);
    }
    json_object_set_new(o, "observables", obs);

    /* Linked cases, both directions; "parent" seen from the other side reads "child". */
    json_t *links = json_array(), *pairs = json_array();
    st = rk__stmt(c,
                  "SELECT other_id, relation, 0 FROM case_links WHERE case_id = ?1"
                  " UNION ALL SELECT case_id, relation, 1 FROM case_links WHERE other_id = ?1",
                  err);
    if (st != NULL) {
        rk__bind_text(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *rel = rk__col_text(st, 1);
            if (sqlite3_column_int(st, 2) && strcmp(rel, "parent") == 0)
                rel = "child";
            json_array_append_new(pairs, json_pack("[s,s]", rk__col_text(st, 0), rel));
        }
        sqlite3_reset(st);
    }
    json_array_foreach(pairs, i, v)
    {
        const char *oid = json_string_value(json_array_get(v, 0));
        json_t *rel = json_array_get(v, 1);
        char unit[37] = "";
        json_t *e;
        if (rk__access_case_visible(c, a, oid, unit)) {
            e = rk__case_brief(c, oid);
        } else {
            e = rk__restricted(c, unit);
        }
        if (json_is_object(e))
            json_object_set(e, "relation", rel);
        json_array_append_new(links, e);
    }
    json_decref(pairs);
    json_object_set_new(o, "linked_cases", links);

    json_t *timeline = json_array();
    st = rk__stmt(c,
                  "SELECT at, actor_id, action, detail FROM ("
                  " SELECT id, at, actor_id, action, detail FROM case_events WHERE case_id = ?1"
                  " ORDER BY id DESC LIMIT ?2) ORDER BY id",
                  err);
    if (st != NULL) {
        rk__bind_text(st, 1, id);
        sqlite3_bind_int(st, 2, RK_MAX_TIMELINE);
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_t *e = json_pack("{s:s,s:s,s:s}", "at", rk__col_text(st, 0), "action",
                                  rk__col_text(st, 2), "detail", rk__col_text(st, 3));
            json_object_set_new(e, "actor", rk__user_ref(c, rk__col_text(st, 1)));
            json_array_append_new(timeline, e);
        }
        sqlite3_reset(st);
    }
    json_object_set_new(o, "timeline", timeline);
    json_object_set_new(o, "pending_approval", rk__approval_pending(c, "case", id));
    *out = o;
    return RK_OK;
}

/* ===== Shared write scaffolding ===== */

/* Borrows a connection, checks the role, begins the transaction and checks that the caller may
 * read the case (inside the transaction, so the check and the change see the same row). */
static enum rk_status write_begin(struct rk_store *s, const struct rk_actor *who, const char *id,
                                  struct rk_conn **c, struct rk_access *a, struct rk_error *err)
{
    *c = NULL;
    enum rk_status rc = rk__conn_get(s, c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(*c, who, a, err);
    if (rc == RK_OK)
        rc = rk__access_require(a, RK_PERM_CASE_WRITE, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, *c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_case(*c, a, id, err);
    if (rc != RK_OK)
        rk__tx_rollback(s, *c);
    return rc;
}

/* Records the timeline entry and the audit event, bumps updated_at, commits (or rolls back
 * when `rc` is an error). Returns the final status. */
static enum rk_status write_end(struct rk_store *s, struct rk_conn *c, const struct rk_actor *who,
                                const char *id, enum rk_status rc, const char *action,
                                const char *detail, struct rk_error *err)
{
    if (rc == RK_OK)
        rc = rk__case_event(c, id, who, action, detail, err);
    if (rc == RK_OK) {
        char now[21];
        rk__now(now);
        sqlite3_stmt *st = rk__stmt(c, "UPDATE cases SET updated_at = ?2 WHERE id = ?1", err);
        if (st == NULL) {
            rc = RK_EIO;
        } else {
            rk__bind_text(st, 1, id);
            rk__bind_text(st, 2, now);
            int r = sqlite3_step(st);
            sqlite3_reset(st);
            if (r != SQLITE_DONE)
                rc = rk__db_error(c, r, err);
        }
    }
    if (rc == RK_OK) {
        struct rk_audit_event ev;
        rk__audit_event(&ev, who, action, "case", id, detail);
        rc = rk__audit_append(c, &ev, err);
    }
    if (rc == RK_OK)
        return rk__tx_commit(s, c, err);
    rk__tx_rollback(s, c);
    return rc;
}

/* ===== Validation helpers ===== */

static enum rk_status check_user(struct rk_conn *c, const char *uid, const char *field,
                                 struct rk_error *err)
{
    sqlite3_stmt *st =
        rk__stmt(c, "SELECT role, disabled FROM users WHERE id = ?1 /* assignee */", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, uid);
    int r = sqlite3_step(st);
    int ok = r == SQLITE_ROW && !sqlite3_column_int(st, 1) &&
             strcmp(rk__col_text(st, 0), "partner") != 0 &&
             strcmp(rk__col_text(st, 0), "peer") != 0;
    sqlite3_reset(st);
    return ok ? RK_OK : rk__err(err, RK_EINVAL, field, "no such active police user");
}

static enum rk_status check_police_unit(struct rk_conn *c, const char *unit, const char *field,
                                        struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, "SELECT kind FROM units WHERE id = ?1 /* lead unit */", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, unit);
    int r = sqlite3_step(st);
    int ok = r == SQLITE_ROW && strcmp(rk__col_text(st, 0), "partner") != 0;
    sqlite3_reset(st);
    return ok ? RK_OK : rk__err(err, RK_EINVAL, field, "no such police unit");
}

/* An array of UUID strings, at most RK_MAX_IDS_PER_REQUEST. */
static enum rk_status check_id_array(json_t *v, const char *field, struct rk_error *err)
{
    if (!json_is_array(v))
        return rk__err(err, RK_EINVAL, field, "expected an array of ids");
    if (json_array_size(v) > RK_MAX_IDS_PER_REQUEST)
        return rk__err(err, RK_EINVAL, field, "too many ids");
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e) || !rk__is_uuid(json_string_value(e))) {
            char f[64];
            snprintf(f, sizeof(f), "%s[%zu]", field, i);
            return rk__err(err, RK_EINVAL, f, "expected an id");
        }
    }
    return RK_OK;
}

static enum rk_status set_assignees(struct rk_conn *c, const char *id, json_t *ids,
                                    struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, "DELETE FROM case_assignees WHERE case_id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    sqlite3_step(st);
    sqlite3_reset(st);
    size_t i;
    json_t *e;
    json_array_foreach(ids, i, e)
    {
        char f[64];
        snprintf(f, sizeof(f), "assignee_ids[%zu]", i);
        enum rk_status rc = check_user(c, json_string_value(e), f, err);
        if (rc != RK_OK)
            return rc;
        st = rk__stmt(c, "INSERT OR IGNORE INTO case_assignees (case_id, user_id) VALUES (?1, ?2)",
                      err);
        if (st == NULL)
            return RK_EIO;
        rk__bind_text(st, 1, id);
        rk__bind_text(st, 2, json_string_value(e));
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE)
            return rk__db_error(c, r, err);
    }
    return RK_OK;
}

static enum rk_status add_reports(struct rk_conn *c, const struct rk_access *a, const char *id,
                                  json_t *ids, int *added, struct rk_error *err)
{
    size_t i;
    json_t *e;
    *added = 0;
    json_array_foreach(ids, i, e)
    {
        char f[64];
        snprintf(f, sizeof(f), "report_ids[%zu]", i);
        enum rk_status rc = rk__access_report(c, a, json_string_value(e), err);
        if (rc != RK_OK) {
            if (err != NULL)
                snprintf(err->field, sizeof(err->field), "%s", f);
            return rc;
        }
        sqlite3_stmt *st = rk__stmt(
            c, "INSERT OR IGNORE INTO case_reports (case_id, report_id) VALUES (?1, ?2)", err);
        if (st == NULL)
            return RK_EIO;
        rk__bind_text(st, 1, id);
        rk__bind_text(st, 2, json_string_value(e));
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE)
            return rk__db_error(c, r, err);
        *added += sqlite3_changes(c->db);
    }
    return RK_OK;
}

struct case_in {
    const char *title, *summary, *category, *tlp, *scope, *lead;
    json_t *assignees, *reports;
};

static enum rk_status parse_case(struct rk_store *s, json_t *in, int create, struct case_in *ci,
                                 struct rk_error *err)
{
    static const char *const allowed_create[] = {"title", "summary", "category",     "tlp",
                                                 "scope", "lead_unit_id", "assignee_ids",
                                                 "report_ids", NULL};
    static const char *const allowed_update[] = {"title", "summary",      "category",
                                                 "tlp",   "scope",        "lead_unit_id",
                                                 "assignee_ids", NULL};
    memset(ci, 0, sizeof(*ci));
    enum rk_status rc = rk__json_only(in, create ? allowed_create : allowed_update, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "title", "title", create, RK_MAX_TITLE_BYTES, &ci->title, err);
    if (rc == RK_OK && ci->title && *ci->title == '\0')
        rc = rk__err(err, RK_EINVAL, "title", "must not be empty");
    if (rc == RK_OK)
        rc = rk__json_str(in, "summary", "summary", 0, RK_MAX_NARRATIVE_BYTES, &ci->summary, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "category", "category", 0, 64, &ci->category, err);
    if (rc == RK_OK && ci->category && !rk__ref_is_category(s->ref, ci->category))
        rc = rk__err(err, RK_EINVAL, "category", "unknown category");
    if (rc == RK_OK)
        rc = rk__json_str(in, "tlp", "tlp", 0, 16, &ci->tlp, err);
    if (rc == RK_OK && ci->tlp && !rk__ref_in_list(s->ref, "tlp", ci->tlp))
        rc = rk__err(err, RK_EINVAL, "tlp", "CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
    if (rc == RK_OK)
        rc = rk__json_str(in, "scope", "scope", 0, 16, &ci->scope, err);
    if (rc == RK_OK && ci->scope && !rk__ref_in_list(s->ref, "scopes", ci->scope))
        rc = rk__err(err, RK_EINVAL, "scope", "unit, prefecture, police, partners or public");
    if (rc == RK_OK)
        rc = rk__json_str(in, "lead_unit_id", "lead_unit_id", 0, 36, &ci->lead, err);
    if (rc == RK_OK && (ci->assignees = json_object_get(in, "assignee_ids")) != NULL)
        rc = check_id_array(ci->assignees, "assignee_ids", err);
    if (rc == RK_OK && (ci->reports = json_object_get(in, "report_ids")) != NULL)
        rc = check_id_array(ci->reports, "report_ids", err);
    return rc;
}

/* ===== Create / get / list / update / transition ===== */

enum rk_status rk_case_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                              json_t **out, struct rk_error *err)
{
    struct case_in ci;
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = parse_case(s, in, 1, &ci, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_CASE_CREATE, err);
    if (rc != RK_OK)
        goto out;
    const char *lead = ci.lead ? ci.lead : who->unit_id;
    char id[37], ref[24], now[21];
    rk__uuid(id);
    rk__now(now);
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    rc = check_police_unit(c, lead, "lead_unit_id", err);
    if (rc == RK_OK)
        rc = rk__next_ref(c, 'C', ref, err);
    if (rc != RK_OK)
        goto rollback;
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO cases (id, ref, title, summary, category, status,"
                                " tlp, scope, lead_unit_id, created_by, created_at, updated_at)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto rollback;
    }
    rk__bind_text(st, 1, id);
    rk__bind_text(st, 2, ref);
    rk__bind_text(st, 3, ci.title);
    rk__bind_text(st, 4, ci.summary ? ci.summary : "");
    rk__bind_text(st, 5, ci.category);
    rk__bind_text(st, 6, rk__ref_initial_state(s->ref, "case"));
    rk__bind_text(st, 7, ci.tlp ? ci.tlp : "AMBER");
    rk__bind_text(st, 8, ci.scope ? ci.scope : "prefecture");
    rk__bind_text(st, 9, lead);
    rk__bind_text(st, 10, who->user_id);
    rk__bind_text(st, 11, now);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto rollback;
    }
    if (ci.assignees) {
        rc = set_assignees(c, id, ci.assignees, err);
        if (rc != RK_OK)
            goto rollback;
    }
    int added = 0;
    if (ci.reports) {
        rc = add_reports(c, &a, id, ci.reports, &added, err);
        if (rc != RK_OK)
            goto rollback;
    }
    char detail[64];
    snprintf(detail, sizeof(detail), "%s reports=%d", ref, added);
    rc = write_end(s, c, who, id, RK_OK, "create", detail, err);
    if (rc == RK_OK)
        rc = rk__case_render(c, &a, id, out, err);
    goto out;
rollback:
    rk__tx_rollback(s, c);
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_case_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                           json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_case(c, &a, id, err);
    if (rc == RK_OK) {
        sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
        rc = rk__case_render(c, &a, id, out, err);
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    }
    if (rc == RK_OK)
        rk__audit_read(s, who, "case", id, NULL);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_case_list(struct rk_store *s, const struct rk_actor *who,
                            const struct rk_case_query *q, json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    struct rk_buf where, sql;
    sqlite3_stmt *st = NULL;
    json_t *items = NULL;
    json_int_t total = 0;
    int limit = q && q->limit > 0 ? q->limit : RK_DEFAULT_LIST_LIMIT;
    int offset = q && q->offset > 0 ? q->offset : 0;
    if (limit > RK_MAX_LIST_LIMIT)
        limit = RK_MAX_LIST_LIMIT;
    if (q && q->status && *q->status && !rk__ref_is_state(s->ref, "case", q->status))
        return rk__err(err, RK_EINVAL, "status", "unknown case state");
    if (q && q->q && strlen(q->q) > 1024)
        return rk__err(err, RK_EINVAL, "q", "search text too long");
    rk_buf_init(&where, 64 * 1024);
    rk_buf_init(&sql, 64 * 1024);
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        goto out;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_CASE_READ, err);
    if (rc != RK_OK)
        goto out;
    char acc[2048];
    rc = rk__access_case_sql(&a, "c", acc, sizeof(acc));
    if (rc != RK_OK)
        goto out;
    rk_buf_addf(&where, " WHERE %s", acc);
    if (q && q->status && *q->status)
        rk_buf_adds(&where, " AND c.status = :status");
    if (q && q->unit_id && *q->unit_id)
        rk_buf_adds(&where, " AND c.lead_unit_id = :unit");
    if (q && q->q && *q->q) {
        rc = rk__search_sql(
            q->q,
            "(c.rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH %s) OR c.id IN"
            " (SELECT n.case_id FROM case_notes n WHERE n.rowid IN (SELECT rowid FROM"
            " case_notes_fts WHERE case_notes_fts MATCH %s)))",
            "c.title|c.summary|(SELECT group_concat(n.text, ' ') FROM case_notes n WHERE "
            "n.case_id = c.id)",
            NULL, &where, err);
        if (rc != RK_OK)
            goto out;
    }
    if (where.data == NULL) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    for (int pass = 0; pass < 2; pass++) {
        rk_buf_reset(&sql);
        if (pass == 0)
            rk_buf_addf(&sql, "SELECT count(*) FROM (SELECT 1 FROM cases c%s LIMIT %d)", where.data,
                        RK_MAX_LIST_COUNT + 1);
        else
            rk_buf_addf(&sql,
                        "SELECT c.id, c.ref, c.title, c.category, c.status, c.tlp, c.scope,"
                        " c.lead_unit_id, u.name, c.created_at, c.updated_at,"
                        " (SELECT count(*) FROM case_reports x WHERE x.case_id = c.id),"
                        " (SELECT count(*) FROM case_tasks t WHERE t.case_id = c.id AND"
                        " t.done = 0)"
                        " FROM cases c JOIN units u ON u.id = c.lead_unit_id%s"
                        " ORDER BY c.updated_at DESC, c.rowid DESC LIMIT :limit OFFSET :offset",
                        where.data);
        rc = rk__stmt_new(c, sql.data, &st, err);
        if (rc != RK_OK)
            goto out_tx;
        rk__access_bind(st, &a);
        if (q) {
            rk__bind_named_text(st, ":status", q->status);
            rk__bind_named_text(st, ":unit", q->unit_id);
            if (q->q)
                rk__search_bind(st, q->q);
        }
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
            while ((r = sqlite3_step(st)) == SQLITE_ROW)
                json_array_append_new(
                    items, json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:{s:s,s:s},s:s,s:s,s:I,s:I}",
                                     "id", rk__col_text(st, 0), "ref", rk__col_text(st, 1),
                                     "title", rk__col_text(st, 2), "category",
                                     rk__col_json_str(st, 3), "status", rk__col_text(st, 4),
                                     "tlp", rk__col_text(st, 5), "scope", rk__col_text(st, 6),
                                     "lead_unit", "id", rk__col_text(st, 7), "name",
                                     rk__col_text(st, 8), "created_at", rk__col_text(st, 9),
                                     "updated_at", rk__col_text(st, 10), "report_count",
                                     (json_int_t)sqlite3_column_int64(st, 11), "open_tasks",
                                     (json_int_t)sqlite3_column_int64(st, 12)));
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
        rk__audit_read(s, who, "case", "", "list");
out_tx:
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
out:
    sqlite3_finalize(st);
    json_decref(items);
    rk_buf_free(&where);
    rk_buf_free(&sql);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_case_update(struct rk_store *s, const struct rk_actor *who, const char *id,
                              json_t *in, json_t **out, struct rk_error *err)
{
    struct case_in ci;
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = parse_case(s, in, 0, &ci, err);
    if (rc != RK_OK)
        return rc;
    rc = write_begin(s, who, id, &c, &a, err);
    if (rc != RK_OK)
        goto out;
    if (ci.lead)
        rc = check_police_unit(c, ci.lead, "lead_unit_id", err);
    char now[21];
    rk__now(now);
    sqlite3_stmt *st = rc == RK_OK ? rk__stmt(c,
                                              "UPDATE cases SET title = coalesce(?2, title),"
                                              " summary = coalesce(?3, summary),"
                                              " category = coalesce(?4, category),"
                                              " tlp = coalesce(?5, tlp),"
                                              " scope = coalesce(?6, scope),"
                                              " lead_unit_id = coalesce(?7, lead_unit_id)"
                                              " WHERE id = ?1",
                                              err)
                                   : NULL;
    if (rc == RK_OK && st == NULL)
        rc = RK_EIO;
    if (rc == RK_OK) {
        rk__bind_text(st, 1, id);
        rk__bind_text(st, 2, ci.title);
        rk__bind_text(st, 3, ci.summary);
        rk__bind_text(st, 4, ci.category);
        rk__bind_text(st, 5, ci.tlp);
        rk__bind_text(st, 6, ci.scope);
        rk__bind_text(st, 7, ci.lead);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE)
            rc = rk__db_error(c, r, err);
    }
    if (rc == RK_OK && ci.assignees)
        rc = set_assignees(c, id, ci.assignees, err);
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
    rc = write_end(s, c, who, id, rc, "update", detail, err);
    if (rc == RK_OK)
        rc = rk__case_render(c, &a, id, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_case_transition(struct rk_store *s, const struct rk_actor *who, const char *id,
                                  json_t *in, json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"to", "comment", NULL};
    const char *to, *comment;
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "to", "to", 1, 32, &to, err);
    if (rc == RK_OK && !rk__ref_is_state(s->ref, "case", to))
        rc = rk__err(err, RK_EINVAL, "to", "unknown case state");
    if (rc == RK_OK)
        rc = rk__json_str(in, "comment", "comment", 0, RK_MAX_NOTE_BYTES, &comment, err);
    if (rc != RK_OK)
        return rc;
    rc = write_begin(s, who, id, &c, &a, err);
    if (rc != RK_OK)
        goto out;
    int pending = 0;
    rc = rk__workflow_move(s, c, &a, "case", id, to, comment, &pending, err);
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
    if (rc == RK_OK)
        rc = rk__case_render(c, &a, id, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}

/* ===== Reports, tasks, notes, observables, links ===== */

enum rk_status rk_case_add_reports(struct rk_store *s, const struct rk_actor *who,
                                   const char *id, json_t *in, json_t **out,
                                   struct rk_error *err)
{
    static const char *const allowed[] = {"report_ids", NULL};
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    json_t *ids = json_object_get(in, "report_ids");
    if (rc == RK_OK && ids == NULL)
        rc = rk__err(err, RK_EINVAL, "report_ids", "required");
    if (rc == RK_OK)
        rc = check_id_array(ids, "report_ids", err);
    if (rc != RK_OK)
        return rc;
    rc = write_begin(s, who, id, &c, &a, err);
    if (rc != RK_OK)
        goto out;
    int added = 0;
    rc = add_reports(c, &a, id, ids, &added, err);
    char detail[32];
    snprintf(detail, sizeof(detail), "reports=%d", added);
    rc = write_end(s, c, who, id, rc, "add_reports", detail, err);
    if (rc == RK_OK)
        rc = rk__case_render(c, &a, id, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}

static enum rk_status parse_task(json_t *in, int create, const char **title, int *done,
                                 const char **assignee, int *assignee_null, char due[21],
                                 int *has_due, int *due_null, struct rk_error *err)
{
    static const char *const allowed_add[] = {"title", "assignee_id", "due", NULL};
    static const char *const allowed_upd[] = {"title", "done", "assignee_id", "due", NULL};
    const char *d;
    enum rk_status rc = rk__json_only(in, create ? allowed_add : allowed_upd, "", err);
    *has_due = 0;
    *due_null = json_is_null(json_object_get(in, "due"));
    *assignee_null = json_is_null(json_object_get(in, "assignee_id"));
    *done = -1;
    if (rc == RK_OK)
        rc = rk__json_str(in, "title", "title", create, RK_MAX_TITLE_BYTES, title, err);
    if (rc == RK_OK && *title && **title == '\0')
        rc = rk__err(err, RK_EINVAL, "title", "must not be empty");
    if (rc == RK_OK && !create)
        rc = rk__json_bool(in, "done", "done", done, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "assignee_id", "assignee_id", 0, 36, assignee, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "due", "due", 0, 40, &d, err);
    if (rc == RK_OK && d != NULL) {
        int64_t t;
        if (rk__time_parse(d, &t) != RK_OK)
            return rk__err(err, RK_EINVAL, "due", "expected YYYY-MM-DD or an RFC 3339 time");
        if (strlen(d) == 10)
            snprintf(due, 21, "%s", d);
        else
            rk__time_format(t, due);
        *has_due = 1;
    }
    return rc;
}

static enum rk_status task_json(struct rk_conn *c, const char *task_id, json_t **out,
                                struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT id, title, done, assignee_id, due, created_at,"
                                " updated_at FROM case_tasks WHERE id = ?1",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, task_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return rk__err(err, RK_ENOTFOUND, "task_id", "no such task");
    }
    char assignee[37];
    int has_assignee = sqlite3_column_type(st, 3) != SQLITE_NULL;
    snprintf(assignee, sizeof(assignee), "%s", rk__col_text(st, 3));
    json_t *t = json_pack("{s:s,s:s,s:b,s:o,s:s,s:s}", "id", rk__col_text(st, 0), "title",
                          rk__col_text(st, 1), "done", sqlite3_column_int(st, 2), "due",
                          rk__col_json_str(st, 4), "created_at", rk__col_text(st, 5),
                          "updated_at", rk__col_text(st, 6));
    sqlite3_reset(st);
    if (t == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    json_object_set_new(t, "assignee", has_assignee ? rk__user_ref(c, assignee) : json_null());
    *out = t;
    return RK_OK;
}

enum rk_status rk_case_task_add(struct rk_store *s, const struct rk_actor *who,
                                const char *case_id, json_t *in, json_t **out,
                                struct rk_error *err)
{
    const char *title, *assignee;
    int done, anull, has_due, dnull;
    char due[21] = "";
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc =
        parse_task(in, 1, &title, &done, &assignee, &anull, due, &has_due, &dnull, err);
    if (rc != RK_OK)
        return rc;
    rc = write_begin(s, who, case_id, &c, &a, err);
    if (rc != RK_OK)
        goto out;
    if (assignee)
        rc = check_user(c, assignee, "assignee_id", err);
    char tid[37], now[21];
    rk__uuid(tid);
    rk__now(now);
    sqlite3_stmt *st = rc == RK_OK ? rk__stmt(c,
                                              "INSERT INTO case_tasks (id, case_id, title,"
                                              " assignee_id, due, created_at, updated_at)"
                                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                                              err)
                                   : NULL;
    if (rc == RK_OK && st == NULL)
        rc = RK_EIO;
    if (rc == RK_OK) {
        rk__bind_text(st, 1, tid);
        rk__bind_text(st, 2, case_id);
        rk__bind_text(st, 3, title);
        rk__bind_text(st, 4, assignee);
        rk__bind_text(st, 5, has_due ? due : NULL);
        rk__bind_text(st, 6, now);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE)
            rc = rk__db_error(c, r, err);
    }
    char detail[48];
    snprintf(detail, sizeof(detail), "task=%s", tid);
    rc = write_end(s, c, who, case_id, rc, "task_add", detail, err);
    if (rc == RK_OK)
        rc = task_json(c, tid, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_case_task_update(struct rk_store *s, const struct rk_actor *who,
                                   const char *case_id, const char *task_id, json_t *in,
                                   json_t **out, struct rk_error *err)
{
    const char *title, *assignee;
    int done, anull, has_due, dnull;
    char due[21] = "";
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc =
        parse_task(in, 0, &title, &done, &assignee, &anull, due, &has_due, &dnull, err);
    if (rc != RK_OK)
        return rc;
    rc = write_begin(s, who, case_id, &c, &a, err);
    if (rc != RK_OK)
        goto out;
    if (assignee)
        rc = check_user(c, assignee, "assignee_id", err);
    char now[21];
    rk__now(now);
    sqlite3_stmt *st =
        rc == RK_OK
            ? rk__stmt(c,
                       "UPDATE case_tasks SET title = coalesce(?3, title),"
                       " done = coalesce(?4, done),"
                       " assignee_id = CASE WHEN ?5 THEN NULL ELSE coalesce(?6, assignee_id) END,"
                       " due = CASE WHEN ?7 THEN NULL ELSE coalesce(?8, due) END,"
                       " updated_at = ?9 WHERE id = ?1 AND case_id = ?2",
                       err)
            : NULL;
    if (rc == RK_OK && st == NULL)
        rc = RK_EIO;
    if (rc == RK_OK) {
        rk__bind_text(st, 1, task_id);
        rk__bind_text(st, 2, case_id);
        rk__bind_text(st, 3, title);
        if (done >= 0)
            sqlite3_bind_int(st, 4, done);
        sqlite3_bind_int(st, 5, anull);
        rk__bind_text(st, 6, assignee);
        sqlite3_bind_int(st, 7, dnull);
        rk__bind_text(st, 8, has_due ? due : NULL);
        rk__bind_text(st, 9, now);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE)
            rc = rk__db_error(c, r, err);
        else if (sqlite3_changes(c->db) == 0)
            rc = rk__err(err, RK_ENOTFOUND, "task_id", "no such task in this case");
    }
    char detail[64];
    snprintf(detail, sizeof(detail), "task=%.36s%s", task_id ? task_id : "",
             done == 1 ? " done" : "");
    rc = write_end(s, c, who, case_id, rc, "task_update", detail, err);
    if (rc == RK_OK)
        rc = task_json(c, task_id, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_case_note_add(struct rk_store *s, const struct rk_actor *who,
                                const char *case_id, json_t *in, json_t **out,
                                struct rk_error *err)
{
    static const char *const allowed[] = {"text", NULL};
    const char *text;
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "text", "text", 1, RK_MAX_NOTE_BYTES, &text, err);
    if (rc != RK_OK)
        return rc;
    rc = write_begin(s, who, case_id, &c, &a, err);
    if (rc != RK_OK)
        goto out;
    char nid[37], now[21];
    rk__uuid(nid);
    rk__now(now);
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO case_notes (id, case_id, text, author_id,"
                                " created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
    } else {
        rk__bind_text(st, 1, nid);
        rk__bind_text(st, 2, case_id);
        rk__bind_text(st, 3, text);
        rk__bind_text(st, 4, who->user_id);
        rk__bind_text(st, 5, now);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE)
            rc = rk__db_error(c, r, err);
    }
    char detail[48];
    snprintf(detail, sizeof(detail), "note=%s", nid);
    rc = write_end(s, c, who, case_id, rc, "note_add", detail, err);
    if (rc == RK_OK) {
        *out = json_pack("{s:s,s:s,s:s,s:o}", "id", nid, "text", text, "created_at", now,
                         "author", rk__user_ref(c, who->user_id));
        if (*out == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_case_observable_link(struct rk_store *s, const struct rk_actor *who,
                                       const char *case_id, json_t *in, json_t **out,
                                       struct rk_error *err)
{
    static const char *const allowed[] = {"value", "type", "role", NULL};
    const char *value, *type, *role;
    struct rk_conn *c = NULL;
    struct rk_access a;
    struct rk_obs o = {0};
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "value", "value", 1, RK_MAX_URL_BYTES, &value, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "type", "type", 0, 32, &type, err);
    enum rk_obs_type hint = RK_OBS_NONE;
    if (rc == RK_OK && type != NULL) {
        hint = rk_obs_type_from_name(type);
        if (hint == RK_OBS_NONE)
            rc = rk__err(err, RK_EINVAL, "type", "unknown observable type");
    }
    if (rc == RK_OK)
        rc = rk__json_str(in, "role", "role", 1, 32, &role, err);
    if (rc == RK_OK && !rk__ref_in_list(s->ref, "observable_roles", role))
        rc = rk__err(err, RK_EINVAL, "role", "unknown observable role");
    if (rc == RK_OK && rk_obs_parse(value, strlen(value), hint, &o) != RK_OK)
        rc = rk__err(err, RK_EINVAL, "value", "not a valid observable%s%s",
                     type ? " of type " : "", type ? type : "");
    if (rc != RK_OK)
        return rc;
    rc = write_begin(s, who, case_id, &c, &a, err);
    if (rc != RK_OK)
        goto out;
    char oid[37] = "", now[21];
    rk__now(now);
    rc = rk__obs_upsert(c, rk_obs_type_name(o.type), o.canonical, o.display, o.value, NULL, oid,
                        err);
    sqlite3_stmt *st = rc == RK_OK ? rk__stmt(c,
                                              "INSERT INTO case_observables (case_id,"
                                              " observable_id, role, added_by, created_at)"
                                              " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT"
                                              " (case_id, observable_id) DO UPDATE SET"
                                              " role = excluded.role",
                                              err)
                                   : NULL;
    if (rc == RK_OK && st == NULL)
        rc = RK_EIO;
    if (rc == RK_OK) {
        rk__bind_text(st, 1, case_id);
        rk__bind_text(st, 2, oid);
        rk__bind_text(st, 3, role);
        rk__bind_text(st, 4, who->user_id);
        rk__bind_text(st, 5, now);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE)
            rc = rk__db_error(c, r, err);
    }
    char detail[80];
    snprintf(detail, sizeof(detail), "observable=%s role=%s", oid, role);
    rc = write_end(s, c, who, case_id, rc, "observable_link", detail, err);
    if (rc == RK_OK)
        rc = rk__case_render(c, &a, case_id, out, err);
out:
    rk_obs_clear(&o);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_case_observable_unlink(struct rk_store *s, const struct rk_actor *who,
                                         const char *case_id, const char *observable_id,
                                         struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = write_begin(s, who, case_id, &c, &a, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_stmt *st = rk__stmt(
        c, "DELETE FROM case_observables WHERE case_id = ?1 AND observable_id = ?2", err);
    if (st == NULL) {
        rc = RK_EIO;
    } else {
        rk__bind_text(st, 1, case_id);
        rk__bind_text(st, 2, observable_id);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE)
            rc = rk__db_error(c, r, err);
        else if (sqlite3_changes(c->db) == 0)
            rc = rk__err(err, RK_ENOTFOUND, "observable_id", "not linked to this case");
    }
    char detail[64];
    snprintf(detail, sizeof(detail), "observable=%.36s", observable_id ? observable_id : "");
    rc = write_end(s, c, who, case_id, rc, "observable_unlink", detail, err);
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_case_link_case(struct rk_store *s, const struct rk_actor *who,
                                 const char *case_id, json_t *in, json_t **out,
                                 struct rk_error *err)
{
    static const char *const allowed[] = {"case_id", "relation", NULL};
    const char *other, *relation;
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "case_id", "case_id", 1, 36, &other, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "relation", "relation", 1, 16, &relation, err);
    if (rc == RK_OK && !rk__in_set(relation, RELATIONS))
        rc = rk__err(err, RK_EINVAL, "relation", "related, joint, duplicate or parent");
    if (rc == RK_OK && case_id != NULL && strcmp(other, case_id) == 0)
        rc = rk__err(err, RK_EINVAL, "case_id", "a case cannot be linked to itself");
    if (rc != RK_OK)
        return rc;
    rc = write_begin(s, who, case_id, &c, &a, err);
    if (rc != RK_OK)
        goto out;
    /* The caller must be able to read the other case too: linking reveals nothing new then. */
    rc = rk__access_case(c, &a, other, err);
    if (rc != RK_OK && err != NULL)
        snprintf(err->field, sizeof(err->field), "case_id");
    sqlite3_stmt *st = rc == RK_OK ? rk__stmt(c,
                                              "INSERT INTO case_links (case_id, other_id,"
                                              " relation) VALUES (?1, ?2, ?3) ON CONFLICT"
                                              " (case_id, other_id) DO UPDATE SET"
                                              " relation = excluded.relation",
                                              err)
                                   : NULL;
    if (rc == RK_OK && st == NULL)
        rc = RK_EIO;
    if (rc == RK_OK) {
        rk__bind_text(st, 1, case_id);
        rk__bind_text(st, 2, other);
        rk__bind_text(st, 3, relation);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE)
            rc = rk__db_error(c, r, err);
    }
    char detail[80];
    snprintf(detail, sizeof(detail), "case=%.36s relation=%s", other, relation);
    rc = write_end(s, c, who, case_id, rc, "link_case", detail, err);
    if (rc == RK_OK)
        rc = rk__case_render(c, &a, case_id, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}
