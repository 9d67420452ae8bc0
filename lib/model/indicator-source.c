/*
 * The store's observables as indicators (lib/model/indicator-source.h): one SQL walk over the
 * holders of every observable (case links and reports the actor may read, with the case a
 * report belongs to), grouped by observable in C, where the filter is applied holder by holder
 * with the one audience rule of lib/share/access.c. The walk runs inside one read transaction
 * so the stream is a consistent snapshot even while analysts keep writing.
 */
#include "model/indicator-source.h"

#include <stdio.h>
#include <string.h>

#include "renkei/alloc.h"
#include "share/access.h"
#include "store/store.h"

/* Longest max_age_days a filter may ask for (a century): longer is surely a typo. */
#define RK_INDICATOR_MAX_AGE_DAYS 36500

enum rk_status rk__indicator_filter_check(struct rk_store *st, const struct rk_indicator_filter *f,
                                          struct rk_error *err)
{
    if (f == NULL)
        return RK_OK;
    if (f->tlp_max != NULL && rk__access_tlp_rank(f->tlp_max) < 0)
        return rk__err(err, RK_EINVAL, "tlp_max",
                       "unknown TLP (CLEAR, GREEN, AMBER, AMBER+STRICT or RED)");
    if (f->audience != NULL && !rk__access_audience_valid(f->audience))
        return rk__err(err, RK_EINVAL, "audience", "unknown audience (police, partners or public)");
    if (f->tag != NULL && strcmp(f->tag, "victim_asset") == 0)
        return rk__err(err, RK_EINVAL, "tag", "victim assets are never indicators");
    if (f->tag != NULL && !rk__ref_in_list(st->ref, "observable_roles", f->tag))
        return rk__err(err, RK_EINVAL, "tag", "unknown observable role");
    if (f->max_age_days < 0 || f->max_age_days > RK_INDICATOR_MAX_AGE_DAYS)
        return rk__err(err, RK_EINVAL, "max_age_days", "must be between 0 and %d",
                       RK_INDICATOR_MAX_AGE_DAYS);
    if (f->case_id != NULL && !rk__is_uuid(f->case_id))
        return rk__err(err, RK_EINVAL, "case_id", "not a case id");
    return RK_OK;
}

/* ===== Grouping the holders of one observable ===== */

struct held_case {
    char id[37];
    char ref[32];
};

struct group {
    char *oid, *type, *value, *last_seen;
    int admitted; /* at least one holder passed the filter */
    int tlp_rank; /* strictest admitted holder */
    struct held_case *cases;
    size_t ncases, cap;
    struct rk_indicator_case *view; /* the same, as the public struct (rebuilt on emit) */
    size_t view_cap;
};

static void group_clear(struct group *g)
{
    rk_free(g->oid);
    rk_free(g->type);
    rk_free(g->value);
    rk_free(g->last_seen);
    g->oid = g->type = g->value = g->last_seen = NULL;
    g->admitted = 0;
    g->tlp_rank = -1;
    g->ncases = 0;
}

static enum rk_status group_start(struct group *g, sqlite3_stmt *row)
{
    group_clear(g);
    g->oid = rk_strdup(rk__col_text(row, 0));
    g->type = rk_strdup(rk__col_text(row, 1));
    g->value = rk_strdup(rk__col_text(row, 2));
    g->last_seen = rk_strdup(rk__col_text(row, 3));
    if (g->oid == NULL || g->type == NULL || g->value == NULL || g->last_seen == NULL)
        return RK_ENOMEM;
    return RK_OK;
}

static enum rk_status group_add_case(struct group *g, const char *id, const char *ref)
{
    for (size_t i = 0; i < g->ncases; i++) {
        if (strcmp(g->cases[i].id, id) == 0)
            return RK_OK;
    }
    if (g->ncases == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        struct held_case *n = rk_reallocarray(g->cases, cap, sizeof(*n));
        if (n == NULL)
            return RK_ENOMEM;
        g->cases = n;
        g->cap = cap;
    }
    snprintf(g->cases[g->ncases].id, sizeof(g->cases[0].id), "%s", id);
    snprintf(g->cases[g->ncases].ref, sizeof(g->cases[0].ref), "%s", ref);
    g->ncases++;
    return RK_OK;
}

static int cmp_case(const void *x, const void *y)
{
    const struct held_case *a = x, *b = y;
    return strcmp(a->ref, b->ref);
}

static const char *tlp_name(int rank)
{
    static const char *const names[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
    return rank >= 0 && rank < 5 ? names[rank] : "";
}

static enum rk_status group_emit(struct group *g, rk_store_indicator_fn fn, void *ud,
                                 struct rk_error *err)
{
    if (g->oid == NULL || !g->admitted)
        return RK_OK;
    if (g->ncases > 1)
        qsort(g->cases, g->ncases, sizeof(g->cases[0]), cmp_case);
    if (g->ncases > g->view_cap) {
        struct rk_indicator_case *n = rk_reallocarray(g->view, g->ncases, sizeof(*n));
        if (n == NULL)
            return rk__err(err, RK_ENOMEM, NULL, "out of memory");
        g->view = n;
        g->view_cap = g->ncases;
    }
    for (size_t i = 0; i < g->ncases; i++) {
        g->view[i].id = g->cases[i].id;
        g->view[i].ref = g->cases[i].ref;
    }
    struct rk_store_indicator ind = {
        .type = g->type,
        .value = g->value,
        .observable_id = g->oid,
        .last_seen = g->last_seen,
        .tlp = tlp_name(g->tlp_rank),
        .cases = g->ncases ? g->view : NULL,
        .ncases = g->ncases,
    };
    return fn(ud, &ind, err);
}

/* 1 when a holder (or a case reference) marked tlp/scope passes the filter's TLP ceiling and
 * audience. The actor's own reading was decided in SQL already. */
static int marking_admits(const struct rk_indicator_filter *f, const char *tlp, const char *scope)
{
    int rank = rk__access_tlp_rank(tlp);
    if (rank < 0)
        return 0;
    if (f->tlp_max != NULL && rank > rk__access_tlp_rank(f->tlp_max))
        return 0;
    if (f->audience != NULL && !rk__access_audience_allows(f->audience, tlp, scope))
        return 0;
    return 1;
}

/* ===== The walk ===== */

/*
 * Columns: 0 observable id, 1 type, 2 canonical, 3 last_seen, 4 holder TLP, 5 holder scope,
 * 6 case id (NULL for a report outside any readable case), 7 case ref, 8 case TLP,
 * 9 case scope, 10 role (NULL for a report).
 * %1$s is the case access expression over alias c, %2$s the report one over alias r.
 */
static const char SQL_WALK[] =
    "SELECT o.id, o.type, o.canonical, o.last_seen, h.tlp, h.scope, h.case_id, h.case_ref,"
    " h.case_tlp, h.case_scope, h.role FROM ("
    " SELECT co.observable_id AS oid, c.tlp AS tlp, c.scope AS scope, c.id AS case_id,"
    "  c.ref AS case_ref, c.tlp AS case_tlp, c.scope AS case_scope, co.role AS role"
    "  FROM case_observables co JOIN cases c ON c.id = co.case_id"
    "  WHERE co.role <> 'victim_asset' AND (%s)"
    " UNION ALL"
    " SELECT ro.observable_id, r.tlp, r.scope, c.id, c.ref, c.tlp, c.scope, NULL"
    "  FROM report_observables ro JOIN reports r ON r.id = ro.report_id"
    "  LEFT JOIN case_reports cr ON cr.report_id = r.id"
    "  LEFT JOIN cases c ON c.id = cr.case_id AND (%s)"
    "  WHERE (%s)"
    ") h JOIN observables o ON o.id = h.oid"
    " WHERE NOT EXISTS (SELECT 1 FROM case_observables v"
    "  WHERE v.observable_id = o.id AND v.role = 'victim_asset')"
    " AND (:since IS NULL OR o.last_seen >= :since)"
    " AND (:case IS NULL OR h.case_id = :case)"
    " AND (:tag IS NULL OR h.role = :tag)"
    " ORDER BY o.type, o.canonical, o.id";

static enum rk_status build_sql(const struct rk_access *a, char **out, struct rk_error *err)
{
    char case_sql[1536], report_sql[1024];
    enum rk_status rc = RK_OK;
    *out = NULL;
    if (rk__access_is_installation(a)) {
        snprintf(case_sql, sizeof(case_sql), "1");
        snprintf(report_sql, sizeof(report_sql), "1");
    } else {
        rc = rk__access_case_sql(a, "c", case_sql, sizeof(case_sql));
        if (rc == RK_OK)
            rc = rk__access_report_sql(a, "r", report_sql, sizeof(report_sql));
        if (rc != RK_OK)
            return rk__err(err, rc, NULL, "access expression too long");
    }
    size_t n = sizeof(SQL_WALK) + 2 * strlen(case_sql) + strlen(report_sql);
    char *sql = rk_malloc(n);
    if (sql == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
        /* The template is a constant of this file with exactly three %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    int k = snprintf(sql, n, SQL_WALK, case_sql, case_sql, report_sql);
#pragma GCC diagnostic pop
    if (k < 0 || (size_t)k >= n) {
        rk_free(sql);
        return rk__err(err, RK_ETOOBIG, NULL, "query too long");
    }
    *out = sql;
    return RK_OK;
}

static enum rk_status walk(struct rk_conn *c, sqlite3_stmt *st, const struct rk_indicator_filter *f,
                           rk_store_indicator_fn fn, void *ud, struct rk_error *err)
{
    struct group g = {.tlp_rank = -1};
    enum rk_status rc = RK_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *oid = rk__col_text(st, 0);
        if (g.oid == NULL || strcmp(g.oid, oid) != 0) {
            rc = group_emit(&g, fn, ud, err);
            if (rc == RK_OK && group_start(&g, st) != RK_OK)
                rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
            if (rc != RK_OK)
                goto out;
        }
        if (!marking_admits(f, rk__col_text(st, 4), rk__col_text(st, 5)))
            continue;
        int rank = rk__access_tlp_rank(rk__col_text(st, 4));
        g.admitted = 1;
        if (rank > g.tlp_rank)
            g.tlp_rank = rank;
        if (sqlite3_column_type(st, 6) != SQLITE_NULL &&
            marking_admits(f, rk__col_text(st, 8), rk__col_text(st, 9))) {
            if (group_add_case(&g, rk__col_text(st, 6), rk__col_text(st, 7)) != RK_OK) {
                rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
                goto out;
            }
        }
    }
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto out;
    }
    rc = group_emit(&g, fn, ud, err);
out:
    group_clear(&g);
    rk_free(g.cases);
    rk_free(g.view);
    return rc;
}

/* The case of a case filter must exist and be readable: RK_ENOTFOUND (field "case_id") or
 * RK_EFORBIDDEN otherwise, rather than an empty stream that looks like "no indicators". */
static enum rk_status case_check(struct rk_conn *c, const struct rk_access *a, const char *id,
                                 struct rk_error *err)
{
    if (!rk__access_is_installation(a)) {
        enum rk_status rc = rk__access_case(c, a, id, err);
        if (rc == RK_ENOTFOUND && err != NULL)
            snprintf(err->field, sizeof(err->field), "case_id");
        return rc;
    }
    sqlite3_stmt *st = rk__stmt(c, "SELECT 1 FROM cases WHERE id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r == SQLITE_ROW)
        return RK_OK;
    if (r == SQLITE_DONE)
        return rk__err(err, RK_ENOTFOUND, "case_id", "no such case");
    return rk__db_error(c, r, err);
}

enum rk_status rk__store_indicators_each(struct rk_store *s, const struct rk_actor *actor,
                                         const struct rk_indicator_filter *filter,
                                         rk_store_indicator_fn fn, void *ud, struct rk_error *err)
{
    static const struct rk_indicator_filter none = {0};
    const struct rk_indicator_filter *f = filter != NULL ? filter : &none;
    struct rk_conn *c = NULL;
    struct rk_access a;
    sqlite3_stmt *st = NULL;
    char *sql = NULL;
    int in_tx = 0;
    enum rk_status rc = rk__indicator_filter_check(s, f, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, actor, &a, err);
    if (rc == RK_OK && !rk__access_is_installation(&a))
        rc = rk__access_require(&a, RK_PERM_OBS_READ, err);
    if (rc != RK_OK)
        goto out;
    if (rk__exec(c, "BEGIN", err) != RK_OK) {
        rc = RK_EIO;
        goto out;
    }
    in_tx = 1;
    if (f->case_id != NULL) {
        rc = case_check(c, &a, f->case_id, err);
        if (rc != RK_OK)
            goto out;
    }
    rc = build_sql(&a, &sql, err);
    if (rc == RK_OK)
        rc = rk__stmt_new(c, sql, &st, err);
    if (rc != RK_OK)
        goto out;
    if (!rk__access_is_installation(&a))
        rk__access_bind(st, &a);
    if (f->max_age_days > 0) {
        char since[21];
        rk__time_format(rk__now_unix() - f->max_age_days * 86400, since);
        rk__bind_named_text(st, ":since", since);
    }
    rk__bind_named_text(st, ":case", f->case_id);
    rk__bind_named_text(st, ":tag", f->tag);
    rc = walk(c, st, f, fn, ud, err);
out:
    sqlite3_finalize(st);
    rk_free(sql);
    if (in_tx)
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    rk__conn_put(s, c);
    return rc;
}
