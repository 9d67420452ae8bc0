/*
 * Workflow: state transitions of reports and cases (data/workflow.json) and 起案/決裁 — a step
 * marked "approval" in the workflow, requested by anyone but a supervisor, becomes a pending
 * approval (起案) that a supervisor approves or rejects (決裁). A supervisor's own request
 * applies at once. A transition the workflow does not list is RK_ECONFLICT; so is approving a
 * request whose object has moved on since it was drafted.
 */
#include "model/report.h"

#include <stdio.h>
#include <string.h>

#include "renkei/limits.h"

static enum rk_status current_state(struct rk_conn *c, const char *type, const char *id,
                                    char out[40], struct rk_error *err)
{
    sqlite3_stmt *st =
        strcmp(type, "case") == 0
            ? rk__stmt(c, "SELECT status FROM cases WHERE id = ?1", err)
            : rk__stmt(c, "SELECT status FROM reports WHERE id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        snprintf(out, 40, "%s", rk__col_text(st, 0));
    sqlite3_reset(st);
    if (r == SQLITE_DONE)
        return rk__err(err, RK_ENOTFOUND, "id", "no such %s", type);
    return r == SQLITE_ROW ? RK_OK : rk__db_error(c, r, err);
}

enum rk_status rk__case_event(struct rk_conn *c, const char *case_id, const struct rk_actor *who,
                              const char *action, const char *detail, struct rk_error *err)
{
    char now[21];
    rk__now(now);
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO case_events (case_id, at, actor_id, action, detail)"
                                " VALUES (?1, ?2, ?3, ?4, ?5)",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, case_id);
    rk__bind_text(st, 2, now);
    rk__bind_text(st, 3, who->user_id);
    rk__bind_text(st, 4, action);
    rk__bind_text(st, 5, detail ? detail : "");
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : rk__db_error(c, r, err);
}

/* Sets the state (the row must still be in `from`) and records the event. */
static enum rk_status apply_move(struct rk_conn *c, const struct rk_actor *who, const char *type,
                                 const char *id, const char *from, const char *to,
                                 const char *how, struct rk_error *err)
{
    char now[21], detail[128];
    rk__now(now);
    sqlite3_stmt *st =
        strcmp(type, "case") == 0
            ? rk__stmt(c,
                       "UPDATE cases SET status = ?3, updated_at = ?4"
                       " WHERE id = ?1 AND status = ?2",
                       err)
            : rk__stmt(c,
                       "UPDATE reports SET status = ?3, updated_at = ?4"
                       " WHERE id = ?1 AND status = ?2",
                       err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    rk__bind_text(st, 2, from);
    rk__bind_text(st, 3, to);
    rk__bind_text(st, 4, now);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return rk__db_error(c, r, err);
    if (sqlite3_changes(c->db) != 1)
        return rk__err(err, RK_ECONFLICT, "to", "the %s changed state meanwhile", type);
    snprintf(detail, sizeof(detail), "%s>%s%s%s", from, to, how ? " " : "", how ? how : "");
    enum rk_status rc = RK_OK;
    if (strcmp(type, "case") == 0)
        rc = rk__case_event(c, id, who, "transition", detail, err);
    if (rc == RK_OK) {
        struct rk_audit_event ev;
        rk__audit_event(&ev, who, "transition", type, id, detail);
        rc = rk__audit_append(c, &ev, err);
    }
    return rc;
}

static int has_pending(struct rk_conn *c, const char *type, const char *id)
{
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT 1 FROM approvals WHERE object_type = ?1 AND"
                                " object_id = ?2 AND status = 'pending'",
                                NULL);
    if (st == NULL)
        return 0;
    rk__bind_text(st, 1, type);
    rk__bind_text(st, 2, id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

enum rk_status rk__workflow_move(struct rk_store *s, struct rk_conn *c,
                                 const struct rk_access *a, const char *type, const char *id,
                                 const char *to, const char *comment, int *pending,
                                 struct rk_error *err)
{
    char from[40];
    *pending = 0;
    enum rk_status rc = current_state(c, type, id, from, err);
    if (rc != RK_OK)
        return rc;
    int t = rk__ref_transition(s->ref, type, from, to);
    if (t == 0)
        return rk__err(err, RK_ECONFLICT, "to", "the workflow does not allow %s -> %s", from, to);
    if (t == 1 || a->who->role == RK_ROLE_SUPERVISOR)
        return apply_move(c, a->who, type, id, from, to, t == 2 ? "(決裁: supervisor)" : NULL,
                          err);
    /* 起案: the step waits for a supervisor's 決裁. */
    if (has_pending(c, type, id))
        return rk__err(err, RK_ECONFLICT, "to", "an approval for this %s is already pending",
                       type);
    char aid[37], now[21];
    rk__uuid(aid);
    rk__now(now);
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO approvals (id, object_type, object_id, action,"
                                " from_state, to_state, comment, requested_by, requested_at)"
                                " VALUES (?1, ?2, ?3, 'transition', ?4, ?5, ?6, ?7, ?8)",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, aid);
    rk__bind_text(st, 2, type);
    rk__bind_text(st, 3, id);
    rk__bind_text(st, 4, from);
    rk__bind_text(st, 5, to);
    rk__bind_text(st, 6, comment ? comment : "");
    rk__bind_text(st, 7, a->who->user_id);
    rk__bind_text(st, 8, now);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return rk__db_error(c, r, err);
    char detail[128];
    snprintf(detail, sizeof(detail), "%s>%s approval=%s", from, to, aid);
    if (strcmp(type, "case") == 0) {
        rc = rk__case_event(c, id, a->who, "approval_requested", detail, err);
        if (rc != RK_OK)
            return rc;
    }
    struct rk_audit_event ev;
    rk__audit_event(&ev, a->who, "request_approval", type, id, detail);
    rc = rk__audit_append(c, &ev, err);
    if (rc == RK_OK)
        *pending = 1;
    return rc;
}

/* ===== Approvals ===== */

static const char SQL_APPROVAL[] =
    "SELECT id, object_type, object_id, action, from_state, to_state, comment, requested_by,"
    " requested_at, status, decided_by, decided_at, decision_comment FROM approvals";

static json_t *approval_json(struct rk_conn *c, sqlite3_stmt *st)
{
    char type[16], oid[37], req[37], dec[37];
    snprintf(type, sizeof(type), "%s", rk__col_text(st, 1));
    snprintf(oid, sizeof(oid), "%s", rk__col_text(st, 2));
    snprintf(req, sizeof(req), "%s", rk__col_text(st, 7));
    snprintf(dec, sizeof(dec), "%s", rk__col_text(st, 10));
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id",
                          rk__col_text(st, 0), "object_type", type, "action",
                          rk__col_text(st, 3), "from", rk__col_text(st, 4), "to",
                          rk__col_text(st, 5), "comment", rk__col_text(st, 6), "requested_at",
                          rk__col_text(st, 8), "status", rk__col_text(st, 9), "decided_at",
                          rk__col_json_str(st, 11), "decision_comment",
                          rk__col_json_str(st, 12));
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "object_id", json_string(oid));
    json_object_set_new(o, "requested_by", rk__user_ref(c, req));
    json_object_set_new(o, "decided_by", rk__user_ref(c, *dec ? dec : NULL));
    json_object_set_new(o, "object", strcmp(type, "case") == 0 ? rk__case_brief(c, oid)
                                                               : rk__report_brief(c, oid));
    return o;
}

json_t *rk__approval_pending(struct rk_conn *c, const char *type, const char *id)
{
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT id, object_type, object_id, action, from_state,"
                                " to_state, comment, requested_by, requested_at, status,"
                                " decided_by, decided_at, decision_comment FROM approvals"
                                " WHERE object_type = ?1 AND object_id = ?2 AND"
                                " status = 'pending'",
                                NULL);
    if (st == NULL)
        return json_null();
    rk__bind_text(st, 1, type);
    rk__bind_text(st, 2, id);
    json_t *o = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        char aid[37], from[40], to[40], at[21], req[37];
        snprintf(aid, sizeof(aid), "%s", rk__col_text(st, 0));
        snprintf(from, sizeof(from), "%s", rk__col_text(st, 4));
        snprintf(to, sizeof(to), "%s", rk__col_text(st, 5));
        snprintf(at, sizeof(at), "%s", rk__col_text(st, 8));
        snprintf(req, sizeof(req), "%s", rk__col_text(st, 7));
        sqlite3_reset(st);
        o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "id", aid, "status", "pending", "from", from,
                      "to", to, "requested_at", at, "requested_by", rk__user_ref(c, req));
    } else {
        sqlite3_reset(st);
    }
    return o ? o : json_null();
}

enum rk_status rk_approval_list(struct rk_store *s, const struct rk_actor *who, json_t **out,
                                struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    sqlite3_stmt *st = NULL;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK && !rk__access_allows(&a, RK_PERM_REPORT_READ))
        rc = rk__err(err, RK_EFORBIDDEN, NULL, "the role %s has no approvals",
                     rk_role_name(who->role));
    if (rc != RK_OK)
        goto out;
    /* Supervisors see what they may decide; everyone else their own pending requests. */
    int sup = rk__access_allows(&a, RK_PERM_APPROVE);
    char sql[512];
    snprintf(sql, sizeof(sql), "%s WHERE status = 'pending'%s ORDER BY requested_at LIMIT %d",
             SQL_APPROVAL, sup ? "" : " AND requested_by = ?1", RK_MAX_LIST_LIMIT);
    rc = rk__stmt_new(c, sql, &st, err);
    if (rc != RK_OK)
        goto out;
    if (!sup)
        rk__bind_text(st, 1, who->user_id);
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    json_t *items = json_array();
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *type = rk__col_text(st, 1), *oid = rk__col_text(st, 2);
        int ok = strcmp(type, "case") == 0 ? rk__access_case_visible(c, &a, oid, NULL)
                                           : rk__access_report_visible(c, &a, oid, NULL);
        if (ok)
            json_array_append_new(items, approval_json(c, st));
    }
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (r != SQLITE_DONE) {
        json_decref(items);
        rc = rk__db_error(c, r, err);
        goto out;
    }
    size_t n = json_array_size(items);
    *out = json_pack("{s:o,s:I,s:I,s:i}", "items", items, "total", (json_int_t)n, "limit",
                     (json_int_t)RK_MAX_LIST_LIMIT, "offset", 0);
    rk__audit_read(s, who, "approval", "", "list");
out:
    sqlite3_finalize(st);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_approval_decide(struct rk_store *s, const struct rk_actor *who, const char *id,
                                  json_t *in, json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"decision", "comment", NULL};
    static const char *const decisions[] = {"approve", "reject", NULL};
    const char *decision, *comment;
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "decision", "decision", 1, 16, &decision, err);
    if (rc == RK_OK && !rk__in_set(decision, decisions))
        rc = rk__err(err, RK_EINVAL, "decision", "approve or reject");
    if (rc == RK_OK)
        rc = rk__json_str(in, "comment", "comment", 0, RK_MAX_NOTE_BYTES, &comment, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_APPROVE, err);
    if (rc != RK_OK)
        goto out;
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT object_type, object_id, from_state, to_state, status,"
                                " requested_by FROM approvals WHERE id = ?1",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto rollback;
    }
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    char type[16] = "", oid[37] = "", from[40] = "", to[40] = "", status[16] = "", req[37] = "";
    if (r == SQLITE_ROW) {
        snprintf(type, sizeof(type), "%s", rk__col_text(st, 0));
        snprintf(oid, sizeof(oid), "%s", rk__col_text(st, 1));
        snprintf(from, sizeof(from), "%s", rk__col_text(st, 2));
        snprintf(to, sizeof(to), "%s", rk__col_text(st, 3));
        snprintf(status, sizeof(status), "%s", rk__col_text(st, 4));
        snprintf(req, sizeof(req), "%s", rk__col_text(st, 5));
    }
    sqlite3_reset(st);
    if (r != SQLITE_ROW) {
        rc = r == SQLITE_DONE ? rk__err(err, RK_ENOTFOUND, "id", "no such approval")
                              : rk__db_error(c, r, err);
        goto rollback;
    }
    rc = strcmp(type, "case") == 0 ? rk__access_case(c, &a, oid, err)
                                   : rk__access_report(c, &a, oid, err);
    if (rc != RK_OK)
        goto rollback;
    if (strcmp(status, "pending") != 0) {
        rc = rk__err(err, RK_ECONFLICT, "id", "this approval was already decided");
        goto rollback;
    }
    if (strcmp(req, who->user_id) == 0) {
        rc = rk__err(err, RK_EFORBIDDEN, NULL, "nobody decides their own request");
        goto rollback;
    }
    int approve = strcmp(decision, "approve") == 0;
    if (approve) {
        char now_state[40];
        rc = current_state(c, type, oid, now_state, err);
        if (rc != RK_OK)
            goto rollback;
        if (strcmp(now_state, from) != 0 || rk__ref_transition(s->ref, type, from, to) == 0) {
            rc = rk__err(err, RK_ECONFLICT, "id",
                         "the %s is no longer in the state this request was drafted for", type);
            goto rollback;
        }
        char how[64];
        snprintf(how, sizeof(how), "(決裁 approval=%.36s)", id);
        rc = apply_move(c, who, type, oid, from, to, how, err);
        if (rc != RK_OK)
            goto rollback;
    }
    char now[21];
    rk__now(now);
    st = rk__stmt(c,
                  "UPDATE approvals SET status = ?2, decided_by = ?3, decided_at = ?4,"
                  " decision_comment = ?5 WHERE id = ?1 AND status = 'pending'",
                  err);
    if (st == NULL) {
        rc = RK_EIO;
        goto rollback;
    }
    rk__bind_text(st, 1, id);
    rk__bind_text(st, 2, approve ? "approved" : "rejected");
    rk__bind_text(st, 3, who->user_id);
    rk__bind_text(st, 4, now);
    rk__bind_text(st, 5, comment ? comment : "");
    r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto rollback;
    }
    if (strcmp(type, "case") == 0 && !approve) {
        rc = rk__case_event(c, oid, who, "approval_rejected", to, err);
        if (rc != RK_OK)
            goto rollback;
    }
    struct rk_audit_event ev;
    rk__audit_event(&ev, who, approve ? "approve" : "reject", "approval", id, type);
    rc = rk__audit_append(c, &ev, err);
    if (rc != RK_OK)
        goto rollback;
    rc = rk__tx_commit(s, c, err);
    if (rc != RK_OK)
        goto out;
    char sql[256];
    snprintf(sql, sizeof(sql), "%s WHERE id = ?1", SQL_APPROVAL);
    sqlite3_stmt *q = NULL;
    rc = rk__stmt_new(c, sql, &q, err);
    if (rc != RK_OK)
        goto out;
    rk__bind_text(q, 1, id);
    if (sqlite3_step(q) == SQLITE_ROW)
        *out = approval_json(c, q);
    else
        rc = rk__err(err, RK_EIO, NULL, "the approval vanished");
    sqlite3_finalize(q);
    goto out;
rollback:
    rk__tx_rollback(s, c);
out:
    rk__conn_put(s, c);
    return rc;
}
