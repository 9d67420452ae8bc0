/*
 * Need-to-know rules (docs/access.md). A caller sees a report or case only when three gates
 * open:
 *   1. role: partners, peers and admins never see report or case data; station officers see
 *      their own station's reports, and cases their unit leads or they are assigned to;
 *      analysts and supervisors are not limited by unit;
 *   2. TLP: RED only for the people named on the object (its creator, a case's assignees);
 *      AMBER+STRICT only inside this prefectural organisation;
 *   3. scope: "unit" only for the holding unit (and the named people); "prefecture" only
 *      inside the prefectural organisation; "police", "partners", "public" for every police
 *      user (partners are stopped by gate 1 anyway).
 * An access grant (a holding unit's answer to an access request, lib/model/access-request.c)
 * makes its grantee a named person on that one report or case until it expires, exactly like a
 * case assignee: it opens gates 2 and 3 and a station's unit limit, never gate 1's role.
 * The C predicates and the SQL expressions below encode the same three gates; keep them in
 * step (tests/unit/test_access.c checks that they agree on a table of rows).
 */
#include "share/access.h"

#include <stdio.h>
#include <string.h>

static int is_police_reader(enum rk_role r)
{
    return r == RK_ROLE_STATION || r == RK_ROLE_ANALYST || r == RK_ROLE_SUPERVISOR;
}

const char *rk_role_name(enum rk_role r)
{
    switch (r) {
    case RK_ROLE_STATION:
        return "station";
    case RK_ROLE_ANALYST:
        return "analyst";
    case RK_ROLE_SUPERVISOR:
        return "supervisor";
    case RK_ROLE_ADMIN:
        return "admin";
    case RK_ROLE_PARTNER:
        return "partner";
    case RK_ROLE_PEER:
        return "peer";
    }
    return NULL;
}

enum rk_role rk_role_from_name(const char *name)
{
    for (int r = RK_ROLE_STATION; r <= RK_ROLE_PEER; r++) {
        if (name != NULL && strcmp(name, rk_role_name((enum rk_role)r)) == 0)
            return (enum rk_role)r;
    }
    return (enum rk_role)0;
}

void rk_actor_system(struct rk_actor *a)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->user_id, sizeof(a->user_id), "system");
    snprintf(a->login, sizeof(a->login), "system");
    a->role = RK_ROLE_ADMIN;
}

enum rk_status rk__access_load(struct rk_conn *c, const struct rk_actor *who,
                               struct rk_access *out, struct rk_error *err)
{
    memset(out, 0, sizeof(*out));
    out->who = who;
    rk__now(out->now);
    if (who == NULL || rk_role_name(who->role) == NULL)
        return rk__err(err, RK_EAUTH, NULL, "no valid identity");
    if (strcmp(who->user_id, "system") == 0) {
        out->org = RK_ORG_PREFECTURE;
        return RK_OK;
    }
    sqlite3_stmt *st = rk__stmt(c, "SELECT kind FROM units WHERE id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, who->unit_id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return rk__err(err, RK_EAUTH, NULL, "the caller's unit does not exist");
        return rk__db_error(c, rc, err);
    }
    const char *kind = rk__col_text(st, 0);
    if (strcmp(kind, "npa") == 0)
        out->org = RK_ORG_NPA;
    else if (strcmp(kind, "partner") == 0)
        out->org = RK_ORG_PARTNER;
    else
        out->org = RK_ORG_PREFECTURE;
    sqlite3_reset(st);
    return RK_OK;
}

int rk__access_allows(const struct rk_access *a, enum rk_perm perm)
{
    enum rk_role r = a->who->role;
    int police = is_police_reader(r);
    switch (perm) {
    case RK_PERM_REPORT_READ:
    case RK_PERM_REPORT_CREATE:
    case RK_PERM_REPORT_WRITE:
    case RK_PERM_CASE_READ:
    case RK_PERM_CASE_WRITE:
    case RK_PERM_OBS_READ:
        return police;
    case RK_PERM_CASE_CREATE:
    case RK_PERM_OBS_READ_ALL:
    /* Patrol review is the cyber unit's work: analysts decide, supervisors oversee. A station
     * receives reports, not patrol leads; partners and admins never see the posts. */
    case RK_PERM_PATROL:
        return r == RK_ROLE_ANALYST || r == RK_ROLE_SUPERVISOR;
    /* Whoever may read case data may ask for more of it, and decide for their own unit. */
    case RK_PERM_ACCESS_REQUEST:
        return police;
    case RK_PERM_USER_LIST:
        return r == RK_ROLE_ANALYST || r == RK_ROLE_SUPERVISOR || r == RK_ROLE_ADMIN;
    case RK_PERM_USER_ADMIN:
    case RK_PERM_UNIT_ADMIN:
        return r == RK_ROLE_ADMIN;
    case RK_PERM_APPROVE:
        return r == RK_ROLE_SUPERVISOR;
    case RK_PERM_AUDIT_READ:
        return r == RK_ROLE_SUPERVISOR || r == RK_ROLE_ADMIN;
    case RK_PERM_UNIT_LIST:
    case RK_PERM_APIKEY:
    case RK_PERM_REF:
        return r != RK_ROLE_PEER;
    }
    return 0;
}

int rk__access_is_installation(const struct rk_access *a)
{
    return a != NULL && a->who != NULL && strcmp(a->who->user_id, "system") == 0;
}

enum rk_status rk__access_require(const struct rk_access *a, enum rk_perm perm,
                                  struct rk_error *err)
{
    if (rk__access_allows(a, perm))
        return RK_OK;
    return rk__err(err, RK_EFORBIDDEN, NULL, "the role %s may not do this",
                   rk_role_name(a->who->role));
}

static int eq(const char *x, const char *y)
{
    return x != NULL && y != NULL && strcmp(x, y) == 0;
}

/* Gates 2 and 3 (TLP and scope), shared by reports and cases. */
static int marking_allows(const struct rk_access *a, const struct rk_access_obj *o)
{
    if (o->named)
        return 1;
    if (eq(o->tlp, "RED"))
        return 0;
    if (a->org != RK_ORG_PREFECTURE && (eq(o->tlp, "AMBER+STRICT") || eq(o->scope, "prefecture")))
        return 0;
    if (eq(o->scope, "unit") && !eq(o->unit_id, a->who->unit_id))
        return 0;
    return 1;
}

int rk__access_read_report(const struct rk_access *a, const struct rk_access_obj *o)
{
    if (!is_police_reader(a->who->role))
        return 0;
    struct rk_access_obj x = *o;
    x.named = o->named || eq(o->created_by, a->who->user_id);
    /* A station sees its own station's reports, and those it was granted (o->named); being a
     * report's creator alone does not carry a station officer across stations. */
    if (a->who->role == RK_ROLE_STATION && !eq(o->unit_id, a->who->unit_id) && !o->named)
        return 0;
    return marking_allows(a, &x);
}

int rk__access_read_case(const struct rk_access *a, const struct rk_access_obj *o)
{
    if (!is_police_reader(a->who->role))
        return 0;
    struct rk_access_obj x = *o;
    x.named = o->named || eq(o->created_by, a->who->user_id);
    if (a->who->role == RK_ROLE_STATION && !eq(o->unit_id, a->who->unit_id) && !x.named)
        return 0;
    return marking_allows(a, &x);
}

/* The SQL form of marking_allows() for alias `x` with holding-unit column `unit_col` and the
 * "named" expression `named`. */
static int marking_sql(const struct rk_access *a, const char *x, const char *unit_col,
                       const char *named, char *out, size_t n)
{
    char outside[160] = "";
    if (a->org != RK_ORG_PREFECTURE)
        snprintf(outside, sizeof(outside),
                 " AND %s.tlp <> 'AMBER+STRICT' AND %s.scope <> 'prefecture'", x, x);
    /* The markings first: they pass most rows from the row itself, so SQLite's short-circuit
     * skips the "named" subqueries (assignees, grants) for them. */
    return snprintf(out, n,
                    "((%s.tlp <> 'RED'%s AND (%s.scope <> 'unit' OR %s.%s = :a_unit)) OR (%s))", x,
                    outside, x, x, unit_col, named);
}

enum rk_status rk__access_grant_sql(const char *kind, const char *alias, char *out, size_t n)
{
    /* By rowid, and not correlated: SQLite computes the caller's granted rows once per
     * statement, and a report list keeps its covering-index scan (reports_unit_access holds
     * the rowid but not the id), which a correlated EXISTS on `id` would turn into a table
     * lookup per row (2.5 times the CPU of a 5000-report count, measured). */
    int k =
        snprintf(out, n,
                 "%s.rowid IN (SELECT ag_obj.rowid FROM access_grants ag JOIN %s ag_obj"
                 " ON ag_obj.id = ag.object_id WHERE ag.object_kind = '%s'"
                 " AND ag.user_id = :a_uid AND (ag.expires_at IS NULL OR ag.expires_at > :a_now))",
                 alias, strcmp(kind, "case") == 0 ? "cases" : "reports", kind);
    return k < 0 || (size_t)k >= n ? RK_ETOOBIG : RK_OK;
}

enum rk_status rk__access_report_sql(const struct rk_access *a, const char *alias, char *out,
                                     size_t n)
{
    char grant[384], named[640], mark[1280];
    int k;
    if (!is_police_reader(a->who->role)) {
        k = snprintf(out, n, "0");
        return k < 0 || (size_t)k >= n ? RK_ETOOBIG : RK_OK;
    }
    if (rk__access_grant_sql("report", alias, grant, sizeof(grant)) != RK_OK)
        return RK_ETOOBIG;
    snprintf(named, sizeof(named), "%s.created_by = :a_uid OR %s", alias, grant);
    k = marking_sql(a, alias, "unit_id", named, mark, sizeof(mark));
    if (k < 0 || (size_t)k >= sizeof(mark))
        return RK_ETOOBIG;
    if (a->who->role == RK_ROLE_STATION)
        k = snprintf(out, n, "((%s.unit_id = :a_unit OR %s) AND %s)", alias, grant, mark);
    else
        k = snprintf(out, n, "%s", mark);
    return k < 0 || (size_t)k >= n ? RK_ETOOBIG : RK_OK;
}

enum rk_status rk__access_case_sql(const struct rk_access *a, const char *alias, char *out,
                                   size_t n)
{
    char grant[384], named[768], mark[1536];
    int k;
    if (!is_police_reader(a->who->role)) {
        k = snprintf(out, n, "0");
        return k < 0 || (size_t)k >= n ? RK_ETOOBIG : RK_OK;
    }
    if (rk__access_grant_sql("case", alias, grant, sizeof(grant)) != RK_OK)
        return RK_ETOOBIG;
    snprintf(named, sizeof(named),
             "%s.created_by = :a_uid OR EXISTS (SELECT 1 FROM case_assignees ca "
             "WHERE ca.case_id = %s.id AND ca.user_id = :a_uid) OR %s",
             alias, alias, grant);
    k = marking_sql(a, alias, "lead_unit_id", named, mark, sizeof(mark));
    if (k < 0 || (size_t)k >= sizeof(mark))
        return RK_ETOOBIG;
    if (a->who->role == RK_ROLE_STATION)
        k = snprintf(out, n, "((%s.lead_unit_id = :a_unit OR %s) AND %s)", alias, named, mark);
    else
        k = snprintf(out, n, "%s", mark);
    return k < 0 || (size_t)k >= n ? RK_ETOOBIG : RK_OK;
}

void rk__access_bind(sqlite3_stmt *st, const struct rk_access *a)
{
    rk__bind_named_text(st, ":a_uid", a->who->user_id);
    rk__bind_named_text(st, ":a_unit", a->who->unit_id);
    rk__bind_named_text(st, ":a_now", a->now);
}

/* ===== Single objects ===== */

/* Column 4 is "named other than as creator": an unexpired grant (?3 is the decision time), or
 * for a case an assignment. */
static const char SQL_REPORT_FACTS[] =
    "SELECT unit_id, created_by, tlp, scope, "
    "EXISTS (SELECT 1 FROM access_grants WHERE object_kind = 'report' AND object_id = ?1"
    " AND user_id = ?2 AND (expires_at IS NULL OR expires_at > ?3)) "
    "FROM reports WHERE id = ?1";
static const char SQL_CASE_FACTS[] =
    "SELECT lead_unit_id, created_by, tlp, scope, "
    "EXISTS (SELECT 1 FROM case_assignees WHERE case_id = ?1 AND user_id = ?2) OR "
    "EXISTS (SELECT 1 FROM access_grants WHERE object_kind = 'case' AND object_id = ?1"
    " AND user_id = ?2 AND (expires_at IS NULL OR expires_at > ?3)) "
    "FROM cases WHERE id = ?1";

/* Returns 1 readable, 0 not readable, -1 missing, -2 database error. */
static int decide(struct rk_conn *c, const struct rk_access *a, const char *id, int is_case,
                  char *unit_out, struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, is_case ? SQL_CASE_FACTS : SQL_REPORT_FACTS, err);
    if (st == NULL)
        return -2;
    rk__bind_text(st, 1, id);
    rk__bind_text(st, 2, a->who->user_id);
    rk__bind_text(st, 3, a->now);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return -1;
        rk__db_error(c, rc, err);
        return -2;
    }
    struct rk_access_obj o = {
        .unit_id = rk__col_text(st, 0),
        .created_by = rk__col_text(st, 1),
        .tlp = rk__col_text(st, 2),
        .scope = rk__col_text(st, 3),
        .named = sqlite3_column_int(st, 4),
    };
    int ok = is_case ? rk__access_read_case(a, &o) : rk__access_read_report(a, &o);
    if (unit_out != NULL)
        snprintf(unit_out, 37, "%s", o.unit_id);
    sqlite3_reset(st);
    return ok;
}

static enum rk_status decide_status(struct rk_conn *c, const struct rk_access *a, const char *id,
                                    int is_case, struct rk_error *err)
{
    const char *what = is_case ? "case" : "report";
    if (!rk__access_allows(a, is_case ? RK_PERM_CASE_READ : RK_PERM_REPORT_READ))
        return rk__err(err, RK_EFORBIDDEN, NULL, "the role %s may not read %ss",
                       rk_role_name(a->who->role), what);
    if (id == NULL || !rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such %s", what);
    int r = decide(c, a, id, is_case, NULL, err);
    if (r == -2)
        return RK_EIO;
    if (r == -1)
        return rk__err(err, RK_ENOTFOUND, "id", "no such %s", what);
    if (r == 0)
        return rk__err(err, RK_EFORBIDDEN, NULL, "TLP or scope of this %s does not allow you",
                       what);
    return RK_OK;
}

enum rk_status rk__access_report(struct rk_conn *c, const struct rk_access *a, const char *id,
                                 struct rk_error *err)
{
    return decide_status(c, a, id, 0, err);
}

enum rk_status rk__access_case(struct rk_conn *c, const struct rk_access *a, const char *id,
                               struct rk_error *err)
{
    return decide_status(c, a, id, 1, err);
}

int rk__access_case_visible(struct rk_conn *c, const struct rk_access *a, const char *id,
                            char *unit_out)
{
    return decide(c, a, id, 1, unit_out, NULL) == 1;
}

int rk__access_report_visible(struct rk_conn *c, const struct rk_access *a, const char *id,
                              char *unit_out)
{
    return decide(c, a, id, 0, unit_out, NULL) == 1;
}
