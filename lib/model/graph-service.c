/*
 * The link-analysis graph: the neighbourhood of one report, case, value or candidate group to a
 * chosen depth, for the browser link chart (ui/js/pages/graph.js). It walks the store's own
 * tables (report_observables, case_observables, case_reports, case_links) breadth first. A value
 * that correlation suppresses never carries the walk further: one in a warninglist (the same
 * lists the correlation service loaded, rk__corr_warninglist_of) or held by more reports and cases
 * than the correlation cap (RK_CORR_DEFAULT_CAP). Groups are of two sorts, both "group" nodes:
 * confirmed groups (an analyst's decision, lib/model/group-service.c) are ordinary nodes, linked
 * to their members and walked through like a case; candidate groups are those of the groups page
 * (rk__group_candidates), only when "group" is asked for by name in `kinds`: grouping is a
 * whole-store computation. Both are shown only to those who may work with groups (who may read
 * every value), as on the groups page.
 *
 * Need-to-know is decided by lib/share/access, as everywhere: a report or case the caller may
 * not read becomes a "restricted" node that shows its kind and holding unit only and is never
 * walked through, so none of its other values leak. Its node id is opaque and differs for each
 * neighbour it hangs off, so that two restricted nodes cannot be matched up either.
 *
 * Node kinds are a table (KINDS below): a kind names how a start id is checked and how a node
 * of that kind is expanded, so adding confirmed groups or another kind is one row and two
 * functions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/group.h"
#include "model/report.h"
#include "renkei/alloc.h"
#include "renkei/correlate.h"
#include "renkei/limits.h"
#include "renkei/obs.h"
#include "share/access.h"
#include "store/store.h"

/* ===== Node kinds ===== */

enum gkind { GK_REPORT = 0, GK_CASE, GK_OBSERVABLE, GK_ACCOUNT, GK_GROUP, GK_COUNT };

struct graph;

struct kind_ops {
    const char *name;
    /* Checks the start id and adds its node (RK_ENOTFOUND / RK_EFORBIDDEN as for a get). */
    enum rk_status (*start)(struct graph *g, const char *id, struct rk_error *err);
    /* Adds the neighbours of node `i` (depth `d` + 1). */
    enum rk_status (*expand)(struct graph *g, size_t i, struct rk_error *err);
};

/* Observable types that name a person's or a group's account rather than infrastructure: a
 * bank account, a phone number, a crypto wallet. They are drawn as "account" nodes. */
static const char *const ACCOUNT_TYPES[] = {"phone", "bank-account", "crypto-wallet", NULL};

/* One node as the walk keeps it (the JSON node is in g->nodes at the same index). */
struct gnode {
    enum gkind kind;
    char id[48];  /* report/case/observable uuid or group id; "" for a restricted node */
    char key[64]; /* the node id of the answer */
    int depth;
    int expand; /* readable, not suppressed: may be walked through */
};

struct graph {
    struct rk_store *s;
    struct rk_conn *c; /* borrowed while the walk reads the store; NULL between levels */
    const struct rk_actor *who;
    struct rk_access a;
    const struct rk_graph_query *q;
    unsigned kinds; /* bit per enum gkind */
    json_t *types;  /* object: observable type -> true, or NULL for all */
    char from[21];  /* "" when open */
    char to[21];
    size_t limit;
    int truncated;
    struct gnode *g;
    size_t n, cap;
    json_t *nodes;     /* array */
    json_t *index;     /* node key -> index */
    json_t *edges;     /* array */
    json_t *edge_keys; /* edge id -> true */
    json_t *groups;    /* candidates (rk__group_candidates), or NULL: not loaded */
    int candidates;    /* "group" named in `kinds`: candidate groups are wanted too */
    int group_reader;  /* the caller may work with groups (installation or obs:read-all) */
};

static int is_account_type(const char *type)
{
    return rk__in_set(type, ACCOUNT_TYPES);
}

/* ===== Building the answer ===== */

/* Finds a node by key: its index, or -1. */
static long find_node(const struct graph *g, const char *key)
{
    json_t *v = json_object_get(g->index, key);
    return v ? (long)json_integer_value(v) : -1;
}

/*
 * Adds node `n` (ownership taken) under `key` unless it is there already. `*idx` receives its
 * index, or -1 when the node limit was reached (the answer is then marked truncated).
 */
static enum rk_status add_node(struct graph *g, enum gkind kind, const char *id, const char *key,
                               int depth, int expand, json_t *n, long *idx, struct rk_error *err)
{
    long have = find_node(g, key);
    if (have >= 0) {
        json_decref(n);
        *idx = have;
        return RK_OK;
    }
    *idx = -1;
    if (g->n >= g->limit) {
        g->truncated = 1;
        json_decref(n);
        return RK_OK;
    }
    if (n == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        struct gnode *ng = rk_realloc(g->g, cap * sizeof(*ng));
        if (ng == NULL) {
            json_decref(n);
            return rk__err(err, RK_ENOMEM, NULL, "out of memory");
        }
        g->g = ng;
        g->cap = cap;
    }
    struct gnode *gn = &g->g[g->n];
    gn->kind = kind;
    snprintf(gn->id, sizeof(gn->id), "%s", id);
    snprintf(gn->key, sizeof(gn->key), "%s", key);
    gn->depth = depth;
    gn->expand = expand;
    json_object_set_new(n, "id", json_string(key));
    json_object_set_new(n, "kind",
                        json_string(kind == GK_REPORT       ? "report"
                                    : kind == GK_CASE       ? "case"
                                    : kind == GK_OBSERVABLE ? "observable"
                                    : kind == GK_ACCOUNT    ? "account"
                                                            : "group"));
    if (json_array_append_new(g->nodes, n) != 0 ||
        json_object_set_new(g->index, key, json_integer((json_int_t)g->n)) != 0)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    *idx = (long)g->n;
    g->n++;
    return RK_OK;
}

/* Adds the edge between two present nodes once (`role` may be NULL). */
static enum rk_status add_edge(struct graph *g, long src, long dst, const char *kind,
                               const char *role, struct rk_error *err)
{
    if (src < 0 || dst < 0)
        return RK_OK;
    char eid[160];
    const char *a = g->g[src].key, *b = g->g[dst].key;
    snprintf(eid, sizeof(eid), "%s|%s|%s", a, kind, b);
    if (json_object_get(g->edge_keys, eid) != NULL)
        return RK_OK;
    json_t *e = json_pack("{s:s,s:s,s:s,s:s}", "id", eid, "source", a, "target", b, "kind", kind);
    if (e != NULL && role != NULL && *role != '\0')
        json_object_set_new(e, "role", json_string(role));
    if (e == NULL || json_array_append_new(g->edges, e) != 0 ||
        json_object_set_new(g->edge_keys, eid, json_true()) != 0)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    return RK_OK;
}

/* True when an RFC 3339 time lies in the query's window [from, to). */
static int in_window(const struct graph *g, const char *t)
{
    if (g->from[0] != '\0' && strcmp(t, g->from) < 0)
        return 0;
    if (g->to[0] != '\0' && strcmp(t, g->to) >= 0)
        return 0;
    return 1;
}

/*
 * A report or case the caller may not read, hanging off node `parent`: kind and holding unit
 * only. The id is a digest of the parent's key and the object id, so that expanding the same
 * parent twice merges, but the same object seen from two parents cannot be recognised.
 */
static enum rk_status add_restricted(struct graph *g, enum gkind kind, const char *id,
                                     const char *unit, long parent, long *idx, struct rk_error *err)
{
    char buf[160], hex[65], key[64];
    snprintf(buf, sizeof(buf), "%s\n%s", parent >= 0 ? g->g[parent].key : "", id);
    enum rk_status rc = rk__sha256_hex(buf, strlen(buf), hex);
    if (rc != RK_OK)
        return rk__err(err, rc, NULL, "digest failed");
    snprintf(key, sizeof(key), "restricted:%.20s", hex);
    json_t *n = rk__restricted(g->c, unit);
    if (n != NULL) {
        json_object_set_new(n, "label", json_string(""));
        json_object_set_new(n, "type", json_null());
        json_object_set_new(n, "time", json_null());
    }
    return add_node(g, kind, "", key, g->g[parent].depth + 1, 0, n, idx, err);
}

static const char SQL_REPORT_NODE[] = "SELECT r.ref, r.title, r.category, r.received_at, r.status,"
                                      " r.unit_id FROM reports r WHERE r.id = ?1";
static const char SQL_CASE_NODE[] = "SELECT c.ref, c.title, c.category, c.created_at, c.status,"
                                    " c.lead_unit_id FROM cases c WHERE c.id = ?1";

/*
 * Adds a report or case reached from node `parent` (-1 for the start): restricted when the
 * caller may not read it; left out when its kind is filtered or (readable, not the start) its
 * time is outside the window. `*idx` is -1 when it was not added.
 */
static enum rk_status add_object(struct graph *g, enum gkind kind, const char *id, long parent,
                                 long *idx, struct rk_error *err)
{
    char unit[37] = "";
    *idx = -1;
    if (parent >= 0 && !(g->kinds & (1u << kind)))
        return RK_OK;
    int all = rk__access_is_installation(&g->a);
    int visible = kind == GK_REPORT ? rk__access_report_visible(g->c, &g->a, id, unit)
                                    : rk__access_case_visible(g->c, &g->a, id, unit);
    if (!visible && !all) {
        if (unit[0] == '\0') /* deleted meanwhile */
            return RK_OK;
        return add_restricted(g, kind, id, unit, parent, idx, err);
    }
    char key[64];
    snprintf(key, sizeof(key), "%s:%s", kind == GK_REPORT ? "report" : "case", id);
    long have = find_node(g, key);
    if (have >= 0) {
        *idx = have;
        return RK_OK;
    }
    sqlite3_stmt *st = rk__stmt(g->c, kind == GK_REPORT ? SQL_REPORT_NODE : SQL_CASE_NODE, err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        sqlite3_reset(st);
        return r == SQLITE_DONE ? RK_OK : rk__db_error(g->c, r, err);
    }
    if (parent >= 0 && !in_window(g, rk__col_text(st, 3))) {
        sqlite3_reset(st);
        return RK_OK;
    }
    json_t *n = json_pack("{s:s,s:s,s:o,s:s,s:s}", "label", rk__col_text(st, 0), "title",
                          rk__col_text(st, 1), "type", rk__col_json_str(st, 2), "time",
                          rk__col_text(st, 3), "status", rk__col_text(st, 4));
    char holder[37];
    snprintf(holder, sizeof(holder), "%s", rk__col_text(st, 5));
    sqlite3_reset(st);
    if (n != NULL)
        json_object_set_new(n, "unit", rk__unit_ref(g->c, holder));
    return add_node(g, kind, id, key, parent >= 0 ? g->g[parent].depth + 1 : 0, 1, n, idx, err);
}

/* ===== Suppressed values ===== */

/* Reports and cases holding a value (a case holds its reports' values, as in the index). */
static const char SQL_OBS_HOLDERS[] =
    "SELECT (SELECT count(*) FROM report_observables WHERE observable_id = ?1) +"
    " (SELECT count(*) FROM (SELECT case_id FROM case_observables WHERE observable_id = ?1"
    " UNION SELECT cr.case_id FROM case_reports cr JOIN report_observables ro"
    " ON ro.report_id = cr.report_id WHERE ro.observable_id = ?1))";

/*
 * Whether correlation suppresses a value, and why (`reason`, "" when it links): the same two
 * rules as the correlation index (docs/correlation.md, "Noise control"), so the chart never
 * links what the related lists refuse to link.
 */
static enum rk_status value_noise(struct graph *g, const char *id, const char *type,
                                  const char *canonical, char reason[160], struct rk_error *err)
{
    reason[0] = '\0';
    char list[128];
    enum rk_status rc = rk__corr_warninglist_of(g->s, type, canonical, list, sizeof list, err);
    if (rc != RK_OK)
        return rc;
    if (list[0] != '\0') {
        snprintf(reason, 160, "in warninglist '%s'", list);
        return RK_OK;
    }
    sqlite3_stmt *st = rk__stmt(g->c, SQL_OBS_HOLDERS, err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    int64_t n = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (r != SQLITE_ROW)
        return rk__db_error(g->c, r, err);
    if (n > (int64_t)RK_CORR_DEFAULT_CAP)
        snprintf(reason, 160, "too common: %lld objects (cap %u)", (long long)n,
                 RK_CORR_DEFAULT_CAP);
    return RK_OK;
}

static const char SQL_OBS_NODE[] = "SELECT type, canonical, display, first_seen, last_seen"
                                   " FROM observables WHERE id = ?1";

/* Adds an observable (kind observable or account) reached from `parent` (-1: the start). */
static enum rk_status add_observable(struct graph *g, const char *id, long parent, long *idx,
                                     struct rk_error *err)
{
    *idx = -1;
    sqlite3_stmt *st = rk__stmt(g->c, SQL_OBS_NODE, err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        sqlite3_reset(st);
        return r == SQLITE_DONE ? RK_OK : rk__db_error(g->c, r, err);
    }
    const char *type = rk__col_text(st, 0), *canonical = rk__col_text(st, 1);
    enum gkind kind = is_account_type(type) ? GK_ACCOUNT : GK_OBSERVABLE;
    char key[64];
    snprintf(key, sizeof(key), "%s:%s", kind == GK_ACCOUNT ? "account" : "observable", id);
    long have = find_node(g, key);
    if (have >= 0) {
        sqlite3_reset(st);
        *idx = have;
        return RK_OK;
    }
    int keep = 1;
    if (parent >= 0) {
        keep = (g->kinds & (1u << kind)) != 0 &&
               (g->types == NULL || json_object_get(g->types, type) != NULL);
        /* A value overlaps the window when it was first seen before its end and last seen
         * after its start. */
        if (keep && g->to[0] != '\0' && strcmp(rk__col_text(st, 3), g->to) >= 0)
            keep = 0;
        if (keep && g->from[0] != '\0' && strcmp(rk__col_text(st, 4), g->from) < 0)
            keep = 0;
    }
    if (!keep) {
        sqlite3_reset(st);
        return RK_OK;
    }
    char type_c[32];
    snprintf(type_c, sizeof(type_c), "%s", type);
    json_t *n = json_pack("{s:s,s:s,s:s,s:s,s:s}", "label",
                          sqlite3_column_type(st, 2) != SQLITE_NULL && *rk__col_text(st, 2)
                              ? rk__col_text(st, 2)
                              : canonical,
                          "value", canonical, "type", type, "time", rk__col_text(st, 3),
                          "last_seen", rk__col_text(st, 4));
    sqlite3_reset(st);
    if (n == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    const char *canon_c = json_string_value(json_object_get(n, "value"));
    char reason[160];
    enum rk_status rc = value_noise(g, id, type_c, canon_c, reason, err);
    if (rc != RK_OK) {
        json_decref(n);
        return rc;
    }
    if (reason[0] != '\0' && !g->q->suppressed && parent >= 0) {
        json_decref(n);
        return RK_OK;
    }
    if (reason[0] != '\0') {
        json_object_set_new(n, "suppressed", json_true());
        json_object_set_new(n, "suppressed_reason", json_string(reason));
    }
    return add_node(g, kind, id, key, parent >= 0 ? g->g[parent].depth + 1 : 0, reason[0] == '\0',
                    n, idx, err);
}

/* Runs a one-parameter query and collects its rows as arrays of strings (so that the cached
 * statement is reset before the rows are followed, which runs other statements). */
static enum rk_status collect(struct graph *g, const char *sql, const char *id, int ncols,
                              json_t **rows, struct rk_error *err)
{
    *rows = json_array();
    sqlite3_stmt *st = rk__stmt(g->c, sql, err);
    if (st == NULL || *rows == NULL) {
        json_decref(*rows);
        *rows = NULL;
        return st == NULL ? RK_EIO : rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
    rk__bind_text(st, 1, id);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_array();
        for (int i = 0; i < ncols; i++)
            json_array_append_new(row, json_string(rk__col_text(st, i)));
        json_array_append_new(*rows, row);
    }
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        json_decref(*rows);
        *rows = NULL;
        return rk__db_error(g->c, r, err);
    }
    return RK_OK;
}

static const char *row_str(json_t *row, size_t i)
{
    const char *v = json_string_value(json_array_get(row, i));
    return v ? v : "";
}

/* ===== Groups (candidate groups of the correlation service) ===== */

/* Members of group `grp` as (kind, id) or restricted; links them to node `gi`. */
static enum rk_status group_members(struct graph *g, json_t *grp, long gi, struct rk_error *err)
{
    size_t k;
    json_t *m;
    enum rk_status rc = RK_OK;
    json_array_foreach(json_object_get(grp, "members"), k, m)
    {
        const char *kind = json_string_value(json_object_get(m, "kind"));
        enum gkind gk = kind && strcmp(kind, "case") == 0 ? GK_CASE : GK_REPORT;
        long mi = -1;
        if (json_is_true(json_object_get(m, "restricted"))) {
            if (!(g->kinds & (1u << gk)))
                continue;
            const char *unit = json_string_value(json_object_get(json_object_get(m, "unit"), "id"));
            char pseudo[48];
            snprintf(pseudo, sizeof(pseudo), "member-%zu", k);
            rc = add_restricted(g, gk, pseudo, unit ? unit : "", gi, &mi, err);
        } else {
            const char *id = json_string_value(json_object_get(m, "id"));
            if (id != NULL)
                rc = add_object(g, gk, id, gi, &mi, err);
        }
        if (rc == RK_OK)
            rc = add_edge(g, gi, mi, "member", NULL, err);
        if (rc != RK_OK)
            break;
    }
    return rc;
}

static json_t *group_node(json_t *grp)
{
    return json_pack("{s:O,s:O,s:n,s:I}", "label", json_object_get(grp, "id"), "type",
                     json_object_get(grp, "status"), "time", "members",
                     (json_int_t)json_array_size(json_object_get(grp, "members")));
}

static json_t *find_group(const struct graph *g, const char *id)
{
    size_t i;
    json_t *grp;
    json_array_foreach(g->groups, i, grp)
    {
        const char *gid = json_string_value(json_object_get(grp, "id"));
        if (gid != NULL && strcmp(gid, id) == 0)
            return grp;
    }
    return NULL;
}

/* ===== Confirmed groups (lib/model/group-service.c) ===== */

/* Adds confirmed group `gid` reached from `parent` (-1: the start). A confirmed group is walked
 * through like a case: its members are an analyst's decision, not a whole cluster. */
static enum rk_status add_confirmed(struct graph *g, const char *gid, long parent, long *idx,
                                    struct rk_error *err)
{
    char key[64];
    snprintf(key, sizeof(key), "group:%s", gid);
    *idx = find_node(g, key);
    if (*idx >= 0)
        return RK_OK;
    json_t *n = NULL, *members = NULL;
    enum rk_status rc = rk__group_chart_node(g->c, gid, &n, &members, err);
    json_decref(members);
    if (rc != RK_OK)
        return rc;
    /* Like a candidate, a group has no date of its own on the chart's timeline. */
    json_object_set(n, "confirmed_at", json_object_get(n, "time"));
    json_object_set_new(n, "time", json_null());
    return add_node(g, GK_GROUP, gid, key, parent >= 0 ? g->g[parent].depth + 1 : 0, 1, n, idx,
                    err);
}

/* Links node `i` (a readable report or case) to the confirmed groups it is a member of. */
static enum rk_status confirmed_of(struct graph *g, size_t i, struct rk_error *err)
{
    if (!g->group_reader || !(g->kinds & (1u << GK_GROUP)))
        return RK_OK;
    json_t *ids = NULL;
    enum rk_status rc = rk__group_chart_of(
        g->c, g->g[i].kind == GK_CASE ? RK_CORR_CASE : RK_CORR_REPORT, g->g[i].id, &ids, err);
    size_t k;
    json_t *v;
    json_array_foreach(ids, k, v)
    {
        long gi = -1;
        if (rc == RK_OK)
            rc = add_confirmed(g, json_string_value(v), (long)i, &gi, err);
        if (rc == RK_OK)
            rc = add_edge(g, gi, (long)i, "member", NULL, err);
    }
    json_decref(ids);
    return rc;
}

/* The members of confirmed group node `gi`: those the caller may not read are restricted nodes
 * (kind and holding unit), as on the groups page, and are not walked through. */
static enum rk_status confirmed_members(struct graph *g, size_t gi, struct rk_error *err)
{
    json_t *n = NULL, *members = NULL;
    char gid[48];
    snprintf(gid, sizeof(gid), "%s", g->g[gi].id);
    enum rk_status rc = rk__group_chart_node(g->c, gid, &n, &members, err);
    json_decref(n);
    if (rc == RK_ENOTFOUND) /* dissolved since the walk began: nothing to follow */
        rc = RK_OK;
    size_t k;
    json_t *m;
    json_array_foreach(members, k, m)
    {
        const char *kind = json_string_value(json_object_get(m, "kind"));
        long mi = -1;
        if (rc == RK_OK)
            rc = add_object(g, kind && strcmp(kind, "case") == 0 ? GK_CASE : GK_REPORT,
                            json_string_value(json_object_get(m, "id")), (long)gi, &mi, err);
        if (rc == RK_OK)
            rc = add_edge(g, (long)gi, mi, "member", NULL, err);
    }
    json_decref(members);
    return rc;
}

/* Links node `i` (a readable report or case) to the groups that hold it. */
static enum rk_status object_groups(struct graph *g, size_t i, struct rk_error *err)
{
    enum rk_status rc = confirmed_of(g, i, err);
    if (rc != RK_OK || g->groups == NULL || !g->candidates)
        return rc;
    const char *kind = g->g[i].kind == GK_CASE ? "case" : "report";
    size_t k, j;
    json_t *grp, *m;
    json_array_foreach(g->groups, k, grp)
    {
        json_array_foreach(json_object_get(grp, "members"), j, m)
        {
            const char *mk = json_string_value(json_object_get(m, "kind"));
            const char *mid = json_string_value(json_object_get(m, "id"));
            if (mk == NULL || mid == NULL || strcmp(mk, kind) != 0 || strcmp(mid, g->g[i].id))
                continue;
            char key[64];
            snprintf(key, sizeof(key), "group:%s", json_string_value(json_object_get(grp, "id")));
            /* A group reached from a member is not walked through: a candidate group can
             * hold hundreds of members, which would bury the chart in one hop. Its members
             * come when the analyst starts from (expands) the group itself. */
            long gi = -1;
            rc = add_node(g, GK_GROUP, json_string_value(json_object_get(grp, "id")), key,
                          g->g[i].depth + 1, 0, group_node(grp), &gi, err);
            if (rc == RK_OK)
                rc = add_edge(g, gi, (long)i, "member", NULL, err);
            if (rc != RK_OK)
                return rc;
        }
    }
    return RK_OK;
}

/* ===== Expansion, one function per kind ===== */

static const char SQL_REPORT_OBS[] = "SELECT ro.observable_id FROM report_observables ro"
                                     " JOIN observables o ON o.id = ro.observable_id"
                                     " WHERE ro.report_id = ?1 ORDER BY o.type, o.canonical";
static const char SQL_REPORT_CASES[] = "SELECT case_id FROM case_reports WHERE report_id = ?1"
                                       " ORDER BY case_id";
static const char SQL_CASE_OBS[] = "SELECT co.observable_id, co.role FROM case_observables co"
                                   " JOIN observables o ON o.id = co.observable_id"
                                   " WHERE co.case_id = ?1 ORDER BY o.type, o.canonical";
static const char SQL_CASE_REPORTS[] = "SELECT cr.report_id FROM case_reports cr"
                                       " JOIN reports r ON r.id = cr.report_id"
                                       " WHERE cr.case_id = ?1 ORDER BY r.received_at, r.id";
static const char SQL_CASE_LINKS[] = "SELECT other_id, relation, 'out' FROM case_links"
                                     " WHERE case_id = ?1 UNION ALL SELECT case_id, relation,"
                                     " 'in' FROM case_links WHERE other_id = ?1 ORDER BY 1";
static const char SQL_OBS_REPORTS[] = "SELECT ro.report_id FROM report_observables ro"
                                      " JOIN reports r ON r.id = ro.report_id"
                                      " WHERE ro.observable_id = ?1 ORDER BY r.received_at, r.id";
static const char SQL_OBS_CASES[] = "SELECT co.case_id, co.role FROM case_observables co"
                                    " JOIN cases c ON c.id = co.case_id"
                                    " WHERE co.observable_id = ?1 ORDER BY c.created_at, c.id";

/* For each row: adds the object of column 0 and an edge; `obj_is_source` orders the edge. */
static enum rk_status follow(struct graph *g, size_t i, json_t *rows, enum gkind kind,
                             const char *edge, int obj_is_source, int role_col,
                             struct rk_error *err)
{
    size_t k;
    json_t *row;
    enum rk_status rc = RK_OK;
    json_array_foreach(rows, k, row)
    {
        long oi = -1;
        const char *id = row_str(row, 0);
        rc = kind == GK_OBSERVABLE ? add_observable(g, id, (long)i, &oi, err)
                                   : add_object(g, kind, id, (long)i, &oi, err);
        const char *role = role_col >= 0 ? row_str(row, (size_t)role_col) : NULL;
        if (rc == RK_OK)
            rc = obj_is_source ? add_edge(g, oi, (long)i, edge, role, err)
                               : add_edge(g, (long)i, oi, edge, role, err);
        if (rc != RK_OK)
            break;
    }
    return rc;
}

static enum rk_status expand_report(struct graph *g, size_t i, struct rk_error *err)
{
    json_t *rows = NULL;
    char id[48];
    snprintf(id, sizeof(id), "%s", g->g[i].id);
    enum rk_status rc = collect(g, SQL_REPORT_OBS, id, 1, &rows, err);
    if (rc == RK_OK)
        rc = follow(g, i, rows, GK_OBSERVABLE, "has", 0, -1, err);
    json_decref(rows);
    rows = NULL;
    if (rc == RK_OK)
        rc = collect(g, SQL_REPORT_CASES, id, 1, &rows, err);
    if (rc == RK_OK)
        rc = follow(g, i, rows, GK_CASE, "contains", 1, -1, err);
    json_decref(rows);
    if (rc == RK_OK)
        rc = object_groups(g, i, err);
    return rc;
}

static enum rk_status expand_case(struct graph *g, size_t i, struct rk_error *err)
{
    json_t *rows = NULL;
    char id[48];
    snprintf(id, sizeof(id), "%s", g->g[i].id);
    enum rk_status rc = collect(g, SQL_CASE_OBS, id, 2, &rows, err);
    if (rc == RK_OK)
        rc = follow(g, i, rows, GK_OBSERVABLE, "has", 0, 1, err);
    json_decref(rows);
    rows = NULL;
    if (rc == RK_OK)
        rc = collect(g, SQL_CASE_REPORTS, id, 1, &rows, err);
    if (rc == RK_OK)
        rc = follow(g, i, rows, GK_REPORT, "contains", 0, -1, err);
    json_decref(rows);
    rows = NULL;
    if (rc == RK_OK)
        rc = collect(g, SQL_CASE_LINKS, id, 3, &rows, err);
    if (rc == RK_OK) {
        /* A link is drawn in its stored direction (case -> other, "parent" means the source
         * is the parent), whichever end the walk came from. */
        size_t k;
        json_t *row;
        json_array_foreach(rows, k, row)
        {
            long oi = -1;
            rc = add_object(g, GK_CASE, row_str(row, 0), (long)i, &oi, err);
            if (rc == RK_OK)
                rc = strcmp(row_str(row, 2), "out") == 0
                         ? add_edge(g, (long)i, oi, "linked", row_str(row, 1), err)
                         : add_edge(g, oi, (long)i, "linked", row_str(row, 1), err);
            if (rc != RK_OK)
                break;
        }
    }
    json_decref(rows);
    if (rc == RK_OK)
        rc = object_groups(g, i, err);
    return rc;
}

static enum rk_status expand_observable(struct graph *g, size_t i, struct rk_error *err)
{
    json_t *rows = NULL;
    char id[48];
    snprintf(id, sizeof(id), "%s", g->g[i].id);
    enum rk_status rc = collect(g, SQL_OBS_REPORTS, id, 1, &rows, err);
    if (rc == RK_OK)
        rc = follow(g, i, rows, GK_REPORT, "has", 1, -1, err);
    json_decref(rows);
    rows = NULL;
    if (rc == RK_OK)
        rc = collect(g, SQL_OBS_CASES, id, 2, &rows, err);
    if (rc == RK_OK)
        rc = follow(g, i, rows, GK_CASE, "has", 1, 1, err);
    json_decref(rows);
    return rc;
}

static enum rk_status expand_group(struct graph *g, size_t i, struct rk_error *err)
{
    if (rk__is_uuid(g->g[i].id))
        return confirmed_members(g, i, err);
    json_t *grp = find_group(g, g->g[i].id);
    return grp ? group_members(g, grp, (long)i, err) : RK_OK;
}

/* ===== Start nodes ===== */

static enum rk_status start_object(struct graph *g, enum gkind kind, const char *id,
                                   struct rk_error *err)
{
    enum rk_status rc = RK_OK;
    if (!rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "node", "no such %s",
                       kind == GK_REPORT ? "report" : "case");
    if (!rk__access_is_installation(&g->a)) {
        rc = rk__access_require(&g->a, kind == GK_REPORT ? RK_PERM_REPORT_READ : RK_PERM_CASE_READ,
                                err);
        if (rc == RK_OK)
            rc = kind == GK_REPORT ? rk__access_report(g->c, &g->a, id, err)
                                   : rk__access_case(g->c, &g->a, id, err);
        if (rc != RK_OK)
            return rc;
    }
    long idx = -1;
    rc = add_object(g, kind, id, -1, &idx, err);
    if (rc == RK_OK && idx < 0)
        rc =
            rk__err(err, RK_ENOTFOUND, "node", "no such %s", kind == GK_REPORT ? "report" : "case");
    return rc;
}

static enum rk_status start_report(struct graph *g, const char *id, struct rk_error *err)
{
    return start_object(g, GK_REPORT, id, err);
}

static enum rk_status start_case(struct graph *g, const char *id, struct rk_error *err)
{
    return start_object(g, GK_CASE, id, err);
}

static const char SQL_OBS_READABLE_REPORTS[] = "SELECT report_id FROM report_observables"
                                               " WHERE observable_id = ?1";
static const char SQL_OBS_READABLE_CASES[] = "SELECT case_id FROM case_observables"
                                             " WHERE observable_id = ?1";

/* An observable: anyone who may read every value may start from it; a station officer only
 * when something they may read holds it (as for rk_observable_get). */
static enum rk_status start_observable(struct graph *g, const char *id, struct rk_error *err)
{
    if (!rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "node", "no such observable");
    long idx = -1;
    enum rk_status rc = add_observable(g, id, -1, &idx, err);
    if (rc != RK_OK)
        return rc;
    if (idx < 0)
        return rk__err(err, RK_ENOTFOUND, "node", "no such observable");
    if (rk__access_is_installation(&g->a) || rk__access_allows(&g->a, RK_PERM_OBS_READ_ALL))
        return RK_OK;
    json_t *rows = NULL;
    int readable = 0;
    rc = collect(g, SQL_OBS_READABLE_REPORTS, id, 1, &rows, err);
    for (size_t k = 0; rc == RK_OK && k < json_array_size(rows) && !readable; k++)
        readable =
            rk__access_report_visible(g->c, &g->a, row_str(json_array_get(rows, k), 0), NULL);
    json_decref(rows);
    rows = NULL;
    if (rc == RK_OK && !readable)
        rc = collect(g, SQL_OBS_READABLE_CASES, id, 1, &rows, err);
    for (size_t k = 0; rc == RK_OK && k < json_array_size(rows) && !readable; k++)
        readable = rk__access_case_visible(g->c, &g->a, row_str(json_array_get(rows, k), 0), NULL);
    json_decref(rows);
    if (rc == RK_OK && !readable)
        rc = rk__err(err, RK_EFORBIDDEN, "node", "this value occurs only in data you may not read");
    return rc;
}

static enum rk_status start_group(struct graph *g, const char *id, struct rk_error *err)
{
    if (rk__is_uuid(id)) {
        long idx = -1;
        return add_confirmed(g, id, -1, &idx, err);
    }
    json_t *grp = g->groups ? find_group(g, id) : NULL;
    if (grp == NULL)
        return rk__err(err, RK_ENOTFOUND, "node", "no such group");
    char key[64];
    snprintf(key, sizeof(key), "group:%s", id);
    long idx = -1;
    return add_node(g, GK_GROUP, id, key, 0, 1, group_node(grp), &idx, err);
}

static const struct kind_ops KINDS[GK_COUNT] = {
    [GK_REPORT] = {"report", start_report, expand_report},
    [GK_CASE] = {"case", start_case, expand_case},
    [GK_OBSERVABLE] = {"observable", start_observable, expand_observable},
    [GK_ACCOUNT] = {"account", start_observable, expand_observable},
    [GK_GROUP] = {"group", start_group, expand_group},
};

/* ===== Input ===== */

static int kind_from_name(const char *name, size_t len)
{
    for (int k = 0; k < GK_COUNT; k++)
        if (strlen(KINDS[k].name) == len && memcmp(KINDS[k].name, name, len) == 0)
            return k;
    return -1;
}

/* Splits a comma-separated list; calls `each` per non-empty item (RK_EINVAL stops). */
static enum rk_status parse_list(struct graph *g, const char *list, const char *field,
                                 struct rk_error *err)
{
    size_t count = 0;
    const char *p = list;
    while (*p != '\0') {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > 0) {
            if (++count > RK_MAX_GRAPH_FILTERS)
                return rk__err(err, RK_EINVAL, field, "more than %d entries", RK_MAX_GRAPH_FILTERS);
            char item[64];
            if (len >= sizeof(item))
                return rk__err(err, RK_EINVAL, field, "unknown entry");
            memcpy(item, p, len);
            item[len] = '\0';
            if (strcmp(field, "kinds") == 0) {
                int k = kind_from_name(item, len);
                if (k < 0)
                    return rk__err(err, RK_EINVAL, field,
                                   "unknown node kind '%s' (report, case, observable, account,"
                                   " group)",
                                   item);
                g->kinds |= 1u << k;
            } else {
                if (rk_obs_type_from_name(item) == RK_OBS_NONE)
                    return rk__err(err, RK_EINVAL, field, "unknown observable type '%s'", item);
                if (json_object_set_new(g->types, item, json_true()) != 0)
                    return rk__err(err, RK_ENOMEM, NULL, "out of memory");
            }
        }
        if (e == NULL)
            break;
        p = e + 1;
    }
    if (count == 0)
        return rk__err(err, RK_EINVAL, field, "empty list");
    return RK_OK;
}

static enum rk_status parse_time(const char *v, const char *field, char out[21],
                                 struct rk_error *err)
{
    int64_t t;
    out[0] = '\0';
    if (v == NULL || *v == '\0')
        return RK_OK;
    if (rk__time_parse(v, &t) != RK_OK)
        return rk__err(err, RK_EINVAL, field, "not a date (YYYY-MM-DD) or RFC 3339 time");
    rk__time_format(t, out);
    return RK_OK;
}

static enum rk_status parse_query(struct graph *g, const struct rk_graph_query *q, int *kind,
                                  char id[48], struct rk_error *err)
{
    const char *node = q->node, *colon = node ? strchr(node, ':') : NULL;
    if (node == NULL || *node == '\0')
        return rk__err(err, RK_EINVAL, "node", "required, e.g. case:<id>");
    *kind = colon ? kind_from_name(node, (size_t)(colon - node)) : -1;
    if (*kind < 0)
        return rk__err(err, RK_EINVAL, "node",
                       "must be kind:id with kind report, case, observable, account or group");
    if (strlen(colon + 1) == 0 || strlen(colon + 1) >= 48)
        return rk__err(err, RK_EINVAL, "node", "the id after '%s:' is empty or too long",
                       KINDS[*kind].name);
    snprintf(id, 48, "%s", colon + 1);
    if (q->depth < 0 || q->depth > RK_MAX_GRAPH_DEPTH)
        return rk__err(err, RK_EINVAL, "depth", "must be from 1 to %d", RK_MAX_GRAPH_DEPTH);
    if (q->limit < 0 || q->limit > RK_MAX_GRAPH_NODES)
        return rk__err(err, RK_EINVAL, "limit", "must be from 1 to %d", RK_MAX_GRAPH_NODES);
    g->limit = q->limit ? (size_t)q->limit : RK_GRAPH_DEFAULT_NODES;
    /* Every kind by default, confirmed groups included; candidate groups only when "group" is
     * named: candidates cluster the whole store. */
    g->kinds = (1u << GK_COUNT) - 1;
    if (q->kinds != NULL && *q->kinds != '\0') {
        g->kinds = 0;
        enum rk_status rc = parse_list(g, q->kinds, "kinds", err);
        if (rc != RK_OK)
            return rc;
        g->candidates = (g->kinds & (1u << GK_GROUP)) != 0;
    }
    if (q->types != NULL && *q->types != '\0') {
        g->types = json_object();
        if (g->types == NULL)
            return rk__err(err, RK_ENOMEM, NULL, "out of memory");
        enum rk_status rc = parse_list(g, q->types, "types", err);
        if (rc != RK_OK)
            return rc;
    }
    enum rk_status rc = parse_time(q->from, "from", g->from, err);
    if (rc == RK_OK)
        rc = parse_time(q->to, "to", g->to, err);
    if (rc == RK_OK && g->from[0] && g->to[0] && strcmp(g->from, g->to) >= 0)
        rc = rk__err(err, RK_EINVAL, "to", "must be after 'from'");
    return rc;
}

/* ===== The query ===== */

static void graph_free(struct graph *g)
{
    rk_free(g->g);
    json_decref(g->types);
    json_decref(g->nodes);
    json_decref(g->index);
    json_decref(g->edges);
    json_decref(g->edge_keys);
    json_decref(g->groups);
}

static enum rk_status graph_begin(struct graph *g, struct rk_error *err)
{
    enum rk_status rc = rk__conn_get(g->s, &g->c, err);
    if (rc == RK_OK)
        sqlite3_exec(g->c->db, "BEGIN", NULL, NULL, NULL);
    return rc;
}

static void graph_end(struct graph *g)
{
    if (g->c == NULL)
        return;
    sqlite3_exec(g->c->db, "COMMIT", NULL, NULL, NULL);
    rk__conn_put(g->s, g->c);
    g->c = NULL;
}

/* Checks a group start (groups are for those who may work with them) and loads the candidate
 * groups when they are wanted: named in `kinds`, or the start is one. */
static enum rk_status load_groups(struct graph *g, int kind, const char *id, struct rk_error *err)
{
    g->group_reader =
        rk__access_is_installation(&g->a) || rk__access_allows(&g->a, RK_PERM_OBS_READ_ALL);
    if (kind == GK_GROUP && !g->group_reader)
        return rk__err(err, RK_EFORBIDDEN, "node", "groups are for analysts");
    int candidate_start = kind == GK_GROUP && !rk__is_uuid(id);
    if (!g->group_reader || (!g->candidates && !candidate_start))
        return RK_OK;
    /* The groups page's candidates, not the raw clustering's: that also lists the clusters a
     * confirmed group took, which would draw each confirmed group twice. */
    return rk__group_candidates(g->s, g->who, &g->groups, err);
}

enum rk_status rk_graph_neighbourhood(struct rk_store *s, const struct rk_actor *who,
                                      const struct rk_graph_query *q, json_t **out,
                                      struct rk_error *err)
{
    struct graph g;
    memset(&g, 0, sizeof(g));
    g.s = s;
    g.who = who;
    g.q = q;
    g.nodes = json_array();
    g.index = json_object();
    g.edges = json_array();
    g.edge_keys = json_object();
    int kind = -1;
    char id[48];
    enum rk_status rc = RK_OK;
    if (g.nodes == NULL || g.index == NULL || g.edges == NULL || g.edge_keys == NULL) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    rc = parse_query(&g, q, &kind, id, err);
    if (rc != RK_OK)
        goto out;
    int depth = q->depth ? q->depth : 1;
    rc = graph_begin(&g, err);
    if (rc == RK_OK)
        rc = rk__access_load(g.c, who, &g.a, err);
    /* Everyone who may read observables (station officers, analysts, supervisors) may draw
     * the graph of what they may read; partners and admins read no case data. */
    if (rc == RK_OK && !rk__access_is_installation(&g.a))
        rc = rk__access_require(&g.a, RK_PERM_OBS_READ, err);
    graph_end(&g);
    if (rc == RK_OK)
        rc = load_groups(&g, kind, id, err);
    if (rc == RK_OK)
        rc = graph_begin(&g, err);
    if (rc == RK_OK)
        rc = KINDS[kind].start(&g, id, err);
    graph_end(&g);
    if (rc != RK_OK)
        goto out;
    for (int d = 0; d < depth; d++) {
        rc = graph_begin(&g, err);
        /* Nodes are appended while this level is expanded; only those of depth d are. */
        size_t n = g.n;
        for (size_t i = 0; rc == RK_OK && i < n; i++)
            if (g.g[i].depth == d && g.g[i].expand)
                rc = KINDS[g.g[i].kind].expand(&g, i, err);
        graph_end(&g);
        if (rc != RK_OK)
            goto out;
    }
    *out = json_pack("{s:s,s:i,s:b,s:i,s:O,s:O}", "start", g.n ? g.g[0].key : "", "depth", depth,
                     "truncated", g.truncated, "limit", (int)g.limit, "nodes", g.nodes, "edges",
                     g.edges);
    if (*out == NULL) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    /* Every readable node is a read of case data; restricted nodes show nothing to audit. */
    for (size_t i = 0; i < g.n; i++) {
        const char *type = g.g[i].kind == GK_REPORT  ? "report"
                           : g.g[i].kind == GK_CASE  ? "case"
                           : g.g[i].kind == GK_GROUP ? "group"
                                                     : "observable";
        if (g.g[i].id[0] != '\0')
            rk__audit_read(s, who, type, g.g[i].id, "graph");
    }
out:
    graph_end(&g);
    graph_free(&g);
    return rc;
}
