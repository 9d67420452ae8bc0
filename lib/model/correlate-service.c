/*
 * The correlation library (lib/correlate) wired into the store: one in-memory index per store,
 * built on first use from the observables linked to reports and cases, and kept current from
 * the audit chain. Every write of a report or case appends an audit event in its own
 * transaction, so "which objects changed since the index last looked" is the write events with
 * a higher sequence number (plus rows that tools inserted without an event, found by rowid).
 * Only those objects are put again; nothing in lib/store has to call back into correlation.
 *
 * Need-to-know is decided by lib/share/access (the correlation library only asks "may the
 * caller read this object?"): an object the caller may not read comes back as restricted,
 * with its kind and holding unit only.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/report.h"
#include "renkei/alloc.h"
#include "renkei/correlate.h"
#include "renkei/limits.h"
#include "renkei/obs.h"
#include "share/access.h"
#include "store/store.h"

#ifndef RK_SOURCE_DIR
#define RK_SOURCE_DIR "."
#endif

struct rk__corr_cache {
    pthread_mutex_t refresh_mu; /* one refresh at a time */
    pthread_rwlock_t rw;        /* queries read the index; a refresh writes it */
    struct rk_corr_index *idx;  /* NULL until first use */
    struct rk_corr_wlset *wl;   /* loaded with the index */
    int64_t audit_seq;          /* highest audit event looked at */
    int64_t report_rowid;       /* highest report rowid indexed */
    int64_t case_rowid;
    int64_t p_audit_seq;    /* where the tables stood when this index last wrote or loaded */
    int64_t p_report_rowid; /* them: catch-up writes only onto tables that still stand there */
    int64_t p_case_rowid;
    int64_t generation; /* corr_state.generation the persisted value ids belong to */
    int64_t *pid;       /* corr_value id of each in-memory value number, 0 = not written yet */
    uint32_t npid;
    char wl_dir[1024]; /* where the warninglists came from ("" = none found) */
};

enum rk_status rk__corr_cache_create(struct rk__corr_cache **out, struct rk_error *err)
{
    struct rk__corr_cache *cc = rk_calloc(1, sizeof(*cc));
    if (cc == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    pthread_mutex_init(&cc->refresh_mu, NULL);
    pthread_rwlock_init(&cc->rw, NULL);
    *out = cc;
    return RK_OK;
}

void rk__corr_cache_free(struct rk__corr_cache *cc)
{
    if (cc == NULL)
        return;
    rk_corr_index_destroy(cc->idx);
    rk_corr_wlset_destroy(cc->wl);
    rk_free(cc->pid);
    pthread_mutex_destroy(&cc->refresh_mu);
    pthread_rwlock_destroy(&cc->rw);
    rk_free(cc);
}

/* ===== Loading objects from the store ===== */

static const char SQL_REPORT_ROW[] = "SELECT unit_id, title, narrative FROM reports WHERE id = ?1";
static const char SQL_REPORT_VALUES[] = "SELECT o.type, o.canonical FROM report_observables ro"
                                        " JOIN observables o ON o.id = ro.observable_id"
                                        " WHERE ro.report_id = ?1";
static const char SQL_CASE_ROW[] = "SELECT lead_unit_id, title, summary FROM cases WHERE id = ?1";
/* A case holds its own observables and those of its reports. */
static const char SQL_CASE_VALUES[] = "SELECT o.type, o.canonical FROM case_observables co"
                                      " JOIN observables o ON o.id = co.observable_id"
                                      " WHERE co.case_id = ?1"
                                      " UNION SELECT o.type, o.canonical FROM case_reports cr"
                                      " JOIN report_observables ro ON ro.report_id = cr.report_id"
                                      " JOIN observables o ON o.id = ro.observable_id"
                                      " WHERE cr.case_id = ?1";

/* Values of one object, owned copies (the statement is reset before the index sees them). */
struct value_list {
    struct rk_corr_value *v;
    char **strs;
    size_t n, cap;
};

static void values_clear(struct value_list *l)
{
    for (size_t i = 0; i < 2 * l->n; i++)
        rk_free(l->strs[i]);
    rk_free(l->v);
    rk_free(l->strs);
    memset(l, 0, sizeof(*l));
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = rk_malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static enum rk_status values_add(struct value_list *l, const char *type, const char *value,
                                 enum rk_corr_rel rel)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct rk_corr_value *v = rk_realloc(l->v, cap * sizeof(*v));
        if (v == NULL)
            return RK_ENOMEM;
        l->v = v;
        char **s = rk_realloc(l->strs, 2 * cap * sizeof(*s));
        if (s == NULL)
            return RK_ENOMEM;
        l->strs = s;
        l->cap = cap;
    }
    char *t = dupstr(type), *val = dupstr(value);
    if (t == NULL || val == NULL) {
        rk_free(t);
        rk_free(val);
        return RK_ENOMEM;
    }
    l->strs[2 * l->n] = t;
    l->strs[2 * l->n + 1] = val;
    l->v[l->n].type = t;
    l->v[l->n].value = val;
    l->v[l->n].rel = rel;
    l->n++;
    return RK_OK;
}

/*
 * Puts one report or case into `idx` as the store has it now, or removes it when it no longer
 * exists. A value the index refuses (longer than RK_MAX_CORR_VALUE) is left out rather than
 * losing the whole object.
 */
static enum rk_status load_object(struct rk_conn *c, struct rk_corr_index *idx,
                                  const struct rk_corr_wlset *wl, enum rk_corr_kind kind,
                                  const char *id, struct rk_error *err)
{
    const char *row_sql = kind == RK_CORR_REPORT ? SQL_REPORT_ROW : SQL_CASE_ROW;
    const char *val_sql = kind == RK_CORR_REPORT ? SQL_REPORT_VALUES : SQL_CASE_VALUES;
    struct value_list l = {0};
    struct rk_buf text;
    char unit[64] = "";
    enum rk_status rc = RK_OK;
    rk_buf_init(&text, 4u * 1024u * 1024u);
    sqlite3_stmt *st = rk__stmt(c, row_sql, err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        snprintf(unit, sizeof(unit), "%s", rk__col_text(st, 0));
        rk_buf_adds(&text, rk__col_text(st, 1));
        rk_buf_adds(&text, "\n");
        rk_buf_adds(&text, rk__col_text(st, 2));
    }
    sqlite3_reset(st);
    if (r == SQLITE_DONE) {
        rk_corr_index_remove(idx, kind, id); /* RK_ENOTFOUND when never indexed: fine */
        goto out;
    }
    if (r != SQLITE_ROW) {
        rc = rk__db_error(c, r, err);
        goto out;
    }
    st = rk__stmt(c, val_sql, err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    rk__bind_text(st, 1, id);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *v = rk__col_text(st, 1);
        if (*v == '\0' || strlen(v) > RK_MAX_CORR_VALUE)
            continue;
        /* A warninglisted value is indexed as given, which the index does not expand: the
         * /24 and /16 of 8.8.8.8 are the resolver's own networks and would otherwise link
         * every report that mentions the resolver. The value itself stays indexed and is
         * listed as suppressed with its reason. */
        const char *type = rk__col_text(st, 0);
        enum rk_corr_rel rel = wl != NULL && rk_corr_wlset_match(wl, type, v) != NULL
                                   ? RK_CORR_REL_GIVEN
                                   : RK_CORR_REL_SAME;
        if (values_add(&l, type, v, rel) != RK_OK) {
            sqlite3_reset(st);
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
            goto out;
        }
    }
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto out;
    }
    rc = rk_corr_index_put(idx, kind, id, unit, l.v, l.n);
    if (rc != RK_OK) {
        rc = rk__err(err, rc, NULL, "correlation index: %s", rk_corr_index_errmsg(idx));
        goto out;
    }
    if (text.data != NULL)
        rc = rk_corr_index_set_text(idx, kind, id, text.data, text.len);
    if (rc != RK_OK)
        rc = rk__err(err, rc, NULL, "correlation index: %s", rk_corr_index_errmsg(idx));
out:
    values_clear(&l);
    rk_buf_free(&text);
    return rc;
}

static int64_t scalar_i64(struct rk_conn *c, const char *sql)
{
    sqlite3_stmt *st = rk__stmt(c, sql, NULL);
    int64_t v = 0;
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    return v;
}

static enum rk_status load_warninglists(struct rk__corr_cache *cc, struct rk_error *err)
{
    const char *env = getenv("RENKEI_DATA_DIR");
    char dir[1024];
    int required = env != NULL && *env != '\0';
    if (required)
        snprintf(dir, sizeof(dir), "%s/warninglists", env);
    else
        snprintf(dir, sizeof(dir), "%s/data/warninglists", RK_SOURCE_DIR);
    struct rk_corr_wlset *wl = NULL;
    enum rk_status rc = rk_corr_wlset_create(&wl);
    if (rc != RK_OK)
        return rk__err(err, rc, NULL, "out of memory");
    rc = rk_corr_wlset_load_dir(wl, dir);
    if (rc == RK_EIO && !required) {
        /* The compiled-in directory is absent (binary moved off its build tree): no lists, and
         * the results say so ("warninglists":0). */
        rk_corr_wlset_destroy(wl);
        rc = rk_corr_wlset_create(&wl);
        if (rc != RK_OK)
            return rk__err(err, rc, NULL, "out of memory");
        dir[0] = '\0';
    } else if (rc != RK_OK) {
        rc = rk__err(err, rc, "warninglists", "%s", rk_corr_wlset_errmsg(wl));
        rk_corr_wlset_destroy(wl);
        return rc;
    }
    /* Queries read cc->wl under the read lock; the caller has dropped any index that
     * borrowed the old set (build_persisted) or there was none (first_use). */
    pthread_rwlock_wrlock(&cc->rw);
    struct rk_corr_wlset *old = cc->wl;
    cc->wl = wl;
    snprintf(cc->wl_dir, sizeof(cc->wl_dir), "%s", dir);
    pthread_rwlock_unlock(&cc->rw);
    rk_corr_wlset_destroy(old);
    return RK_OK;
}

/* ===== The persisted index (corr_* tables, migration 0011) ===== */

/* Where the tables stand (corr_state). */
struct corr_state {
    int64_t complete, audit_seq, report_rowid, case_rowid;
    int64_t rebuilding, rebuild_audit_seq, rebuild_report_rowid, rebuild_case_rowid;
    int64_t generation; /* bumped by each rebuild: persisted value ids change */
};

static enum rk_status state_read(struct rk_conn *c, struct corr_state *st, struct rk_error *err)
{
    memset(st, 0, sizeof(*st));
    sqlite3_stmt *q = rk__stmt(c, "SELECT name, value FROM corr_state", err);
    if (q == NULL)
        return RK_EIO;
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        const char *n = rk__col_text(q, 0);
        int64_t v = sqlite3_column_int64(q, 1);
        int64_t *slot = strcmp(n, "complete") == 0               ? &st->complete
                        : strcmp(n, "audit_seq") == 0            ? &st->audit_seq
                        : strcmp(n, "report_rowid") == 0         ? &st->report_rowid
                        : strcmp(n, "case_rowid") == 0           ? &st->case_rowid
                        : strcmp(n, "rebuilding") == 0           ? &st->rebuilding
                        : strcmp(n, "rebuild_audit_seq") == 0    ? &st->rebuild_audit_seq
                        : strcmp(n, "rebuild_report_rowid") == 0 ? &st->rebuild_report_rowid
                        : strcmp(n, "rebuild_case_rowid") == 0   ? &st->rebuild_case_rowid
                        : strcmp(n, "generation") == 0           ? &st->generation
                                                                 : NULL;
        if (slot != NULL)
            *slot = v;
    }
    sqlite3_reset(q);
    return r == SQLITE_DONE ? RK_OK : rk__db_error(c, r, err);
}

static enum rk_status state_set(struct rk_conn *c, const char *name, int64_t v,
                                struct rk_error *err)
{
    sqlite3_stmt *q = rk__stmt(c, "UPDATE corr_state SET value = ?2 WHERE name = ?1", err);
    if (q == NULL)
        return RK_EIO;
    rk__bind_text(q, 1, name);
    sqlite3_bind_int64(q, 2, v);
    int r = sqlite3_step(q);
    sqlite3_reset(q);
    return r == SQLITE_DONE ? RK_OK : rk__db_error(c, r, err);
}

/* Forgets the persisted id of every in-memory value (a new index numbers values anew). */
static void pid_reset(struct rk__corr_cache *cc)
{
    rk_free(cc->pid);
    cc->pid = NULL;
    cc->npid = 0;
}

static enum rk_status pid_grow(struct rk__corr_cache *cc, uint32_t v)
{
    if (v < cc->npid)
        return RK_OK;
    uint32_t n = cc->npid ? cc->npid : 1024;
    while (n <= v)
        n *= 2;
    int64_t *p = rk_reallocarray(cc->pid, n, sizeof(*p));
    if (p == NULL)
        return RK_ENOMEM;
    memset(p + cc->npid, 0, (size_t)(n - cc->npid) * sizeof(*p));
    cc->pid = p;
    cc->npid = n;
    return RK_OK;
}

struct persist_ctx {
    struct rk_conn *c;
    struct rk__corr_cache *cc;
    sqlite3_stmt *ins; /* INSERT INTO corr_posting */
    int64_t obj;
    struct rk_error *err;
};

/* The corr_value id of in-memory value `v`, inserting the row the first time. */
static enum rk_status persist_value(struct persist_ctx *x, uint32_t v, const char *type,
                                    const char *value, int64_t *out)
{
    enum rk_status rc = pid_grow(x->cc, v);
    if (rc != RK_OK)
        return rk__err(x->err, rc, NULL, "out of memory");
    if (x->cc->pid[v] != 0) {
        *out = x->cc->pid[v];
        return RK_OK;
    }
    /* Insert first: a value this index has not written yet is usually new to the table too
     * (one statement), and only a value another index wrote needs the look-up. */
    sqlite3_stmt *q = rk__stmt(x->c,
                               "INSERT INTO corr_value (type, value) VALUES (?1, ?2)"
                               " ON CONFLICT (type, value) DO NOTHING",
                               x->err);
    if (q == NULL)
        return RK_EIO;
    rk__bind_text(q, 1, type);
    rk__bind_text(q, 2, value);
    int r = sqlite3_step(q);
    sqlite3_reset(q);
    if (r != SQLITE_DONE)
        return rk__db_error(x->c, r, x->err);
    int64_t id = sqlite3_changes(x->c->db) > 0 ? sqlite3_last_insert_rowid(x->c->db) : 0;
    if (id == 0) {
        q = rk__stmt(x->c, "SELECT value_id FROM corr_value WHERE type = ?1 AND value = ?2",
                     x->err);
        if (q == NULL)
            return RK_EIO;
        rk__bind_text(q, 1, type);
        rk__bind_text(q, 2, value);
        r = sqlite3_step(q);
        id = r == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
        sqlite3_reset(q);
        if (r != SQLITE_ROW)
            return r == SQLITE_DONE ? rk__err(x->err, RK_EIO, NULL, "corr_value: row vanished")
                                    : rk__db_error(x->c, r, x->err);
    }
    x->cc->pid[v] = id;
    *out = id;
    return RK_OK;
}

static enum rk_status persist_held(void *ud, uint32_t v, const char *type, const char *value,
                                   enum rk_corr_rel rel)
{
    struct persist_ctx *x = ud;
    int64_t id = 0;
    enum rk_status rc = persist_value(x, v, type, value, &id);
    if (rc != RK_OK)
        return rc;
    sqlite3_bind_int64(x->ins, 1, x->obj);
    sqlite3_bind_int64(x->ins, 2, id);
    sqlite3_bind_int(x->ins, 3, (int)rel);
    int r = sqlite3_step(x->ins);
    sqlite3_reset(x->ins);
    return r == SQLITE_DONE ? RK_OK : rk__db_error(x->c, r, x->err);
}

/*
 * Writes what `idx` holds for (kind, id) into the corr_* tables, replacing the object's rows,
 * or deletes them when the object is not in the index. The caller holds a write transaction.
 */
static enum rk_status persist_object(struct rk_conn *c, struct rk__corr_cache *cc,
                                     const struct rk_corr_index *idx, enum rk_corr_kind kind,
                                     const char *id, struct rk_error *err)
{
    struct persist_ctx x = {c, cc, NULL, 0, err};
    const char *unit = rk_corr_index_object_unit(idx, kind, id);
    sqlite3_stmt *q =
        rk__stmt(c, "SELECT obj FROM corr_object WHERE kind = ?1 AND object_id = ?2", err);
    if (q == NULL)
        return RK_EIO;
    sqlite3_bind_int(q, 1, (int)kind);
    rk__bind_text(q, 2, id);
    int r = sqlite3_step(q);
    x.obj = r == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return rk__db_error(c, r, err);
    if (x.obj != 0) {
        q = rk__stmt(c, "DELETE FROM corr_posting WHERE obj = ?1", err);
        if (q == NULL)
            return RK_EIO;
        sqlite3_bind_int64(q, 1, x.obj);
        r = sqlite3_step(q);
        sqlite3_reset(q);
        if (r != SQLITE_DONE)
            return rk__db_error(c, r, err);
    }
    if (unit == NULL) {
        if (x.obj == 0)
            return RK_OK;
        q = rk__stmt(c, "DELETE FROM corr_object WHERE obj = ?1", err);
        if (q == NULL)
            return RK_EIO;
        sqlite3_bind_int64(q, 1, x.obj);
        r = sqlite3_step(q);
        sqlite3_reset(q);
        return r == SQLITE_DONE ? RK_OK : rk__db_error(c, r, err);
    }
    uint32_t sig[RK_CORR_MINHASH];
    unsigned char blob[RK_CORR_MINHASH * 4];
    int hassig = rk_corr_index_signature(idx, kind, id, sig) == RK_OK;
    for (unsigned k = 0; hassig && k < RK_CORR_MINHASH; k++) {
        blob[4 * k] = (unsigned char)sig[k];
        blob[4 * k + 1] = (unsigned char)(sig[k] >> 8);
        blob[4 * k + 2] = (unsigned char)(sig[k] >> 16);
        blob[4 * k + 3] = (unsigned char)(sig[k] >> 24);
    }
    q = rk__stmt(c,
                 x.obj != 0 ? "UPDATE corr_object SET unit_id = ?3, sig = ?4 WHERE obj = ?5"
                            : "INSERT INTO corr_object (kind, object_id, unit_id, sig)"
                              " VALUES (?1, ?2, ?3, ?4)",
                 err);
    if (q == NULL)
        return RK_EIO;
    if (x.obj == 0) {
        sqlite3_bind_int(q, 1, (int)kind);
        rk__bind_text(q, 2, id);
    } else {
        sqlite3_bind_int64(q, 5, x.obj);
    }
    rk__bind_text(q, 3, unit);
    if (hassig)
        sqlite3_bind_blob(q, 4, blob, (int)sizeof(blob), SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 4);
    r = sqlite3_step(q);
    sqlite3_reset(q);
    if (r != SQLITE_DONE)
        return rk__db_error(c, r, err);
    if (x.obj == 0)
        x.obj = sqlite3_last_insert_rowid(c->db);
    x.ins = rk__stmt(c, "INSERT INTO corr_posting (obj, value_id, rel) VALUES (?1, ?2, ?3)", err);
    if (x.ins == NULL)
        return RK_EIO;
    return rk_corr_index_walk_object(idx, kind, id, persist_held, &x);
}

/* What to do about damaged tables, appended to each such error. */
#define CORR_REPAIR " (run `renkei correlate --rebuild` to recompute them)"

/*
 * Loads the corr_* tables into a new index (no expansion, no parsing, no narrative read: the
 * rows are the expanded values and the signatures) and records each value's persisted id.
 */
static enum rk_status load_persisted(struct rk_conn *c, struct rk__corr_cache *cc,
                                     struct rk_corr_index **out, struct rk_error *err)
{
    struct rk_corr_index *idx = NULL;
    uint32_t *vmap = NULL; /* corr_value id -> in-memory value number */
    struct rk_corr_held *held = NULL;
    size_t heldcap = 0;
    sqlite3_stmt *oq = NULL, *pq = NULL, *vq = NULL;
    int r;
    int64_t maxpid = scalar_i64(c, "SELECT coalesce(max(value_id), 0) FROM corr_value");
    pid_reset(cc);
    enum rk_status rc = rk_corr_index_create(NULL, &idx);
    if (rc != RK_OK) {
        rc = rk__err(err, rc, NULL, "out of memory");
        goto out;
    }
    rk_corr_index_set_warninglists(idx, cc->wl);
    if (maxpid < 0 || maxpid >= (int64_t)RK_MAX_CORR_OBJECTS) {
        rc = rk__err(err, RK_ECORRUPT, NULL,
                     "correlation tables: value ids out of range" CORR_REPAIR);
        goto out;
    }
    vmap = rk_reallocarray(NULL, (size_t)maxpid + 1, sizeof(*vmap));
    if (vmap == NULL) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    memset(vmap, 0xff, ((size_t)maxpid + 1) * sizeof(*vmap));
    rc = rk__stmt_new(c, "SELECT value_id, type, value FROM corr_value", &vq, err);
    if (rc != RK_OK)
        goto out;
    while ((r = sqlite3_step(vq)) == SQLITE_ROW) {
        int64_t pid = sqlite3_column_int64(vq, 0);
        uint32_t v;
        rc = rk_corr_index_intern(idx, rk__col_text(vq, 1), rk__col_text(vq, 2), &v);
        if (rc == RK_OK && pid > 0 && pid <= maxpid)
            rc = pid_grow(cc, v);
        else if (rc == RK_OK)
            rc = RK_ECORRUPT;
        if (rc != RK_OK) {
            rc = rk__err(err, rc, NULL, "correlation tables: value %lld: %s" CORR_REPAIR,
                         (long long)pid, rk_corr_index_errmsg(idx));
            goto out;
        }
        vmap[pid] = v;
        cc->pid[v] = pid;
    }
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto out;
    }
    /* Objects and postings, both in obj order: a merge of two scans. */
    rc = rk__stmt_new(c, "SELECT obj, kind, object_id, unit_id, sig FROM corr_object ORDER BY obj",
                      &oq, err);
    if (rc == RK_OK)
        rc = rk__stmt_new(c, "SELECT obj, value_id, rel FROM corr_posting ORDER BY obj", &pq, err);
    if (rc != RK_OK)
        goto out;
    int pr = sqlite3_step(pq);
    while ((r = sqlite3_step(oq)) == SQLITE_ROW) {
        int64_t obj = sqlite3_column_int64(oq, 0);
        enum rk_corr_kind kind = (enum rk_corr_kind)sqlite3_column_int(oq, 1);
        const char *id = rk__col_text(oq, 2);
        size_t n = 0;
        while (pr == SQLITE_ROW && sqlite3_column_int64(pq, 0) < obj)
            pr = sqlite3_step(pq); /* postings of a deleted object: skipped */
        for (; pr == SQLITE_ROW && sqlite3_column_int64(pq, 0) == obj; pr = sqlite3_step(pq)) {
            int64_t pid = sqlite3_column_int64(pq, 1);
            int rel = sqlite3_column_int(pq, 2);
            if (pid <= 0 || pid > maxpid || vmap[pid] == UINT32_MAX || rel < 0 ||
                rel >= RK_CORR_REL_COUNT) {
                rc = rk__err(err, RK_ECORRUPT, NULL,
                             "correlation tables: object %lld holds unknown value %lld" CORR_REPAIR,
                             (long long)obj, (long long)pid);
                goto out;
            }
            if (n == heldcap) {
                size_t nc = heldcap ? heldcap * 2 : 64;
                struct rk_corr_held *nh = rk_reallocarray(held, nc, sizeof(*nh));
                if (nh == NULL) {
                    rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
                    goto out;
                }
                held = nh;
                heldcap = nc;
            }
            held[n].value_id = vmap[pid];
            held[n].rel = (enum rk_corr_rel)rel;
            n++;
        }
        if (pr != SQLITE_ROW && pr != SQLITE_DONE) {
            rc = rk__db_error(c, pr, err);
            goto out;
        }
        rc = rk_corr_index_put_held(idx, kind, id, rk__col_text(oq, 3), held, n);
        if (rc == RK_OK && sqlite3_column_bytes(oq, 4) == (int)(RK_CORR_MINHASH * 4)) {
            const unsigned char *b = sqlite3_column_blob(oq, 4);
            uint32_t sig[RK_CORR_MINHASH];
            for (unsigned k = 0; k < RK_CORR_MINHASH; k++)
                sig[k] = (uint32_t)b[4 * k] | (uint32_t)b[4 * k + 1] << 8 |
                         (uint32_t)b[4 * k + 2] << 16 | (uint32_t)b[4 * k + 3] << 24;
            rc = rk_corr_index_set_signature(idx, kind, id, sig);
        }
        if (rc != RK_OK) {
            rc = rk__err(err, rc, NULL, "correlation tables: object %lld: %s" CORR_REPAIR,
                         (long long)obj, rk_corr_index_errmsg(idx));
            goto out;
        }
    }
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto out;
    }
    rk_corr_index_compact(idx);
out:
    sqlite3_finalize(oq);
    sqlite3_finalize(pq);
    sqlite3_finalize(vq);
    rk_free(vmap);
    rk_free(held);
    if (rc != RK_OK) {
        rk_corr_index_destroy(idx);
        pid_reset(cc);
    } else {
        *out = idx;
    }
    return rc;
}

/* ===== Objects to (re)load ===== */

struct objlist {
    char (*ids)[40];
    unsigned char *kinds;
    size_t n, cap;
};

static void objlist_free(struct objlist *l)
{
    rk_free(l->ids);
    rk_free(l->kinds);
    memset(l, 0, sizeof(*l));
}

static enum rk_status objlist_add(struct objlist *l, enum rk_corr_kind kind, const char *id)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        char(*ni)[40] = rk_reallocarray(l->ids, nc, sizeof(*ni));
        if (ni == NULL)
            return RK_ENOMEM;
        l->ids = ni;
        unsigned char *nk = rk_reallocarray(l->kinds, nc, 1);
        if (nk == NULL)
            return RK_ENOMEM;
        l->kinds = nk;
        l->cap = nc;
    }
    snprintf(l->ids[l->n], sizeof(l->ids[0]), "%s", id);
    l->kinds[l->n++] = (unsigned char)kind;
    return RK_OK;
}

/* Appends the objects of one kind with a rowid above `from` (at most `limit`; 0 = all) and sets
 * `*last` to the highest rowid listed (`from` when none). */
static enum rk_status list_rows(struct rk_conn *c, enum rk_corr_kind kind, int64_t from,
                                int64_t limit, struct objlist *l, int64_t *last,
                                struct rk_error *err)
{
    sqlite3_stmt *st =
        rk__stmt(c,
                 kind == RK_CORR_REPORT
                     ? "SELECT rowid, id FROM reports WHERE rowid > ?1 ORDER BY rowid LIMIT ?2"
                     : "SELECT rowid, id FROM cases WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
                 err);
    if (st == NULL)
        return RK_EIO;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
    *last = from;
    int r = SQLITE_DONE;
    enum rk_status rc = RK_OK;
    while (rc == RK_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        *last = sqlite3_column_int64(st, 0);
        rc = objlist_add(l, kind, rk__col_text(st, 1));
    }
    sqlite3_reset(st);
    if (rc != RK_OK)
        return rk__err(err, rc, NULL, "out of memory");
    return r == SQLITE_DONE ? RK_OK : rk__db_error(c, r, err);
}

/* ===== Building, resuming, catching up ===== */

/* Objects put and persisted per transaction of a build: a kill loses at most this many. */
#define CORR_BUILD_BATCH 512

static int64_t *rebuild_cursor(struct corr_state *st, enum rk_corr_kind kind)
{
    return kind == RK_CORR_REPORT ? &st->rebuild_report_rowid : &st->rebuild_case_rowid;
}

/* Installs `idx` (taken) as the store's index, standing where `st` says. */
static void install_index(struct rk__corr_cache *cc, struct rk_corr_index *idx,
                          const struct corr_state *st)
{
    pthread_rwlock_wrlock(&cc->rw);
    rk_corr_index_destroy(cc->idx);
    cc->idx = idx;
    cc->audit_seq = st->audit_seq;
    cc->report_rowid = st->report_rowid;
    cc->case_rowid = st->case_rowid;
    cc->p_audit_seq = st->audit_seq;
    cc->p_report_rowid = st->report_rowid;
    cc->p_case_rowid = st->case_rowid;
    cc->generation = st->generation;
    pthread_rwlock_unlock(&cc->rw);
}

/* Drops the in-memory index (the next call loads the tables again). */
static void drop_index(struct rk__corr_cache *cc)
{
    pthread_rwlock_wrlock(&cc->rw);
    rk_corr_index_destroy(cc->idx);
    cc->idx = NULL;
    pthread_rwlock_unlock(&cc->rw);
    pid_reset(cc);
}

/*
 * Builds the persisted index from the store, or resumes the build that a killed process left
 * (corr_state.rebuilding), in batches of CORR_BUILD_BATCH objects, each committed with its
 * cursor, so that `kill -9` loses at most one batch and a rerun ends with the same tables as
 * an uninterrupted build. On RK_OK `*out` is the complete index and `*fin` where it stands.
 * The caller holds refresh_mu.
 */
static enum rk_status build_persisted(struct rk_store *s, struct rk_conn *c, int restart,
                                      rk_progress_cb progress, void *ud, struct rk_corr_index **out,
                                      struct corr_state *fin, int64_t *resumed,
                                      struct rk_error *err)
{
    struct rk__corr_cache *cc = s->corr;
    struct rk_corr_index *idx = NULL;
    struct objlist l = {0};
    struct corr_state st;
    int foreign = 0, intx = 0;
    /* The lists are read again; the index in use borrows the old ones, so it goes first (on
     * failure the next call loads the tables). */
    drop_index(cc);
    enum rk_status rc = load_warninglists(cc, err);
    if (rc == RK_OK)
        rc = state_read(c, &st, err);
    if (rc != RK_OK)
        goto out;
    *resumed = 0;
    if (restart || !st.rebuilding) {
        rc = rk__tx_begin(s, c, err);
        if (rc != RK_OK)
            goto out;
        intx = 1;
        int64_t top = scalar_i64(c, "SELECT coalesce(max(seq), 0) FROM audit");
        rc = rk__exec(c,
                      "DELETE FROM corr_posting; DELETE FROM corr_object; DELETE FROM corr_value;"
                      /* The value index is made once at the end: sorting all postings at
                       * once is cheaper than keeping it up to date posting by posting. */
                      " DROP INDEX IF EXISTS corr_posting_value;"
                      " UPDATE corr_state SET value = 0 WHERE name IN ('complete',"
                      " 'rebuild_report_rowid', 'rebuild_case_rowid');"
                      " UPDATE corr_state SET value = 1 WHERE name = 'rebuilding';"
                      " UPDATE corr_state SET value = value + 1 WHERE name = 'generation'",
                      err);
        if (rc == RK_OK)
            rc = state_set(c, "rebuild_audit_seq", top, err);
        if (rc == RK_OK)
            rc = rk__tx_commit(s, c, err);
        intx = 0;
        if (rc != RK_OK)
            goto out;
        rc = rk_corr_index_create(NULL, &idx);
        if (rc != RK_OK) {
            rc = rk__err(err, rc, NULL, "out of memory");
            goto out;
        }
        rk_corr_index_set_warninglists(idx, cc->wl);
        pid_reset(cc);
    } else {
        /* Resume: what the killed run committed is in the tables. */
        rc = load_persisted(c, cc, &idx, err);
        if (rc != RK_OK)
            goto out;
        *resumed = scalar_i64(c, "SELECT count(*) FROM corr_object");
    }
    uint64_t total = (uint64_t)scalar_i64(c, "SELECT (SELECT count(*) FROM reports) +"
                                             " (SELECT count(*) FROM cases)");
    uint64_t done = (uint64_t)*resumed;
    if (progress != NULL)
        progress(done, total, ud);
    int64_t expect[2] = {-1, -1};
    for (int k = 0; k < 2; k++) {
        enum rk_corr_kind kind = k == 0 ? RK_CORR_REPORT : RK_CORR_CASE;
        for (;;) {
            rc = rk__tx_begin(s, c, err);
            if (rc != RK_OK)
                goto out;
            intx = 1;
            rc = state_read(c, &st, err);
            if (rc != RK_OK)
                goto out;
            int64_t *cur = rebuild_cursor(&st, kind);
            /* Another process building at the same time moved the cursor: its objects are in
             * the tables but not in this index, which is reloaded at the end. */
            if (expect[k] >= 0 && *cur != expect[k])
                foreign = 1;
            int64_t last;
            l.n = 0;
            rc = list_rows(c, kind, *cur, CORR_BUILD_BATCH, &l, &last, err);
            for (size_t i = 0; rc == RK_OK && i < l.n; i++) {
                rc = load_object(c, idx, cc->wl, kind, l.ids[i], err);
                if (rc == RK_OK)
                    rc = persist_object(c, cc, idx, kind, l.ids[i], err);
            }
            if (rc == RK_OK && l.n > 0)
                rc = state_set(
                    c, kind == RK_CORR_REPORT ? "rebuild_report_rowid" : "rebuild_case_rowid", last,
                    err);
            if (rc != RK_OK)
                goto out;
            rc = rk__tx_commit(s, c, err);
            intx = 0;
            if (rc != RK_OK)
                goto out;
            expect[k] = last;
            done += l.n;
            if (progress != NULL && l.n > 0)
                progress(done, total > done ? total : done, ud);
            if (l.n < CORR_BUILD_BATCH)
                break;
        }
    }
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    intx = 1;
    rc = state_read(c, &st, err);
    if (rc == RK_OK)
        rc = rk__exec(c, "CREATE INDEX IF NOT EXISTS corr_posting_value ON corr_posting (value_id)",
                      err);
    if (rc == RK_OK)
        rc = rk__exec(c,
                      "UPDATE corr_state SET value = CASE name"
                      " WHEN 'complete' THEN 1 WHEN 'rebuilding' THEN 0"
                      " WHEN 'audit_seq' THEN (SELECT value FROM corr_state"
                      "  WHERE name = 'rebuild_audit_seq')"
                      " WHEN 'report_rowid' THEN (SELECT value FROM corr_state"
                      "  WHERE name = 'rebuild_report_rowid')"
                      " WHEN 'case_rowid' THEN (SELECT value FROM corr_state"
                      "  WHERE name = 'rebuild_case_rowid')"
                      " ELSE value END",
                      err);
    if (rc == RK_OK)
        rc = state_read(c, fin, err);
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    intx = 0;
    if (rc != RK_OK)
        goto out;
    if (foreign) {
        rk_corr_index_destroy(idx);
        idx = NULL;
        rc = load_persisted(c, cc, &idx, err);
        if (rc != RK_OK)
            goto out;
    }
    rk_corr_index_compact(idx);
    *out = idx;
    idx = NULL;
out:
    if (intx)
        rk__tx_rollback(s, c);
    if (rc != RK_OK)
        pid_reset(cc);
    rk_corr_index_destroy(idx);
    objlist_free(&l);
    return rc;
}

/*
 * First use: loads the persisted tables when they are complete (a start-up reads them, it
 * does not rebuild), else builds them (resuming a killed build).
 */
static enum rk_status first_use(struct rk_store *s, struct rk_conn *c, struct rk_error *err)
{
    struct rk__corr_cache *cc = s->corr;
    struct corr_state st;
    struct rk_corr_index *idx = NULL;
    int64_t resumed;
    enum rk_status rc = RK_OK;
    if (cc->wl == NULL)
        rc = load_warninglists(cc, err);
    if (rc == RK_OK)
        rc = rk__exec(c, "BEGIN", err);
    if (rc != RK_OK)
        return rc;
    rc = state_read(c, &st, err);
    if (rc == RK_OK && st.complete)
        rc = load_persisted(c, cc, &idx, err);
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (rc == RK_OK && !st.complete)
        rc = build_persisted(s, c, 0, NULL, NULL, &idx, &st, &resumed, err);
    if (rc == RK_OK)
        install_index(cc, idx, &st);
    return rc;
}

/*
 * Applies the writes since the index last looked: the objects named by write events after its
 * audit position (and the cases holding a report that changed) and rows with a higher rowid.
 * They are listed in a read snapshot first: most calls find only read events (every query
 * audits its reads), and then only the in-memory position moves, with no write transaction.
 * Objects that did change are put and written to the tables, with the tables' new position, in
 * one write transaction, when the tables stand where this index last wrote or loaded them;
 * tables that moved on without it (a rebuild by another process) are loaded again instead
 * (`*reload` is set).
 */
static enum rk_status catch_up(struct rk_store *s, struct rk_conn *c, int *reload,
                               struct rk_error *err)
{
    struct rk__corr_cache *cc = s->corr;
    struct objlist l = {0};
    struct corr_state st;
    int intx = 0;
    *reload = 0;
    int64_t top = scalar_i64(c, "SELECT coalesce(max(seq), 0) FROM audit");
    int64_t rmax = scalar_i64(c, "SELECT coalesce(max(rowid), 0) FROM reports");
    int64_t cmax = scalar_i64(c, "SELECT coalesce(max(rowid), 0) FROM cases");
    if (top == cc->audit_seq && rmax == cc->report_rowid && cmax == cc->case_rowid)
        return RK_OK;
    enum rk_status rc = rk__exec(c, "BEGIN", err);
    if (rc != RK_OK)
        return rc;
    top = scalar_i64(c, "SELECT coalesce(max(seq), 0) FROM audit");
    /* Objects written since the last look; a changed report also changes the cases that hold
     * it (a case holds its reports' values). The unary + keeps SQLite on the seq range: with
     * the audit_object index it walked every event of every report (p99 over HTTP 215 ms at
     * 20,000 reports, most of it here). */
    sqlite3_stmt *q = rk__stmt(c,
                               "SELECT DISTINCT object_type, object_id FROM audit"
                               " WHERE seq > ?1 AND seq <= ?2 AND action <> 'read'"
                               " AND +object_type IN ('report', 'case') AND object_id <> ''"
                               " UNION SELECT 'case', cr.case_id FROM audit a"
                               " JOIN case_reports cr ON cr.report_id = a.object_id"
                               " WHERE a.seq > ?1 AND a.seq <= ?2 AND a.action <> 'read'"
                               " AND +a.object_type = 'report'",
                               err);
    int r = SQLITE_DONE;
    if (q != NULL) {
        sqlite3_bind_int64(q, 1, cc->audit_seq);
        sqlite3_bind_int64(q, 2, top);
        while (rc == RK_OK && (r = sqlite3_step(q)) == SQLITE_ROW)
            rc = objlist_add(
                &l, strcmp(rk__col_text(q, 0), "report") == 0 ? RK_CORR_REPORT : RK_CORR_CASE,
                rk__col_text(q, 1));
        sqlite3_reset(q);
    }
    if (q == NULL)
        rc = RK_EIO;
    else if (rc != RK_OK)
        rc = rk__err(err, rc, NULL, "out of memory");
    else if (r != SQLITE_DONE)
        rc = rk__db_error(c, r, err);
    int64_t rlast = cc->report_rowid, clast = cc->case_rowid;
    if (rc == RK_OK)
        rc = list_rows(c, RK_CORR_REPORT, cc->report_rowid, 0, &l, &rlast, err);
    if (rc == RK_OK)
        rc = list_rows(c, RK_CORR_CASE, cc->case_rowid, 0, &l, &clast, err);
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (rc != RK_OK)
        goto out;
    if (l.n == 0) {
        /* Only reads happened: nothing to put or write. */
        pthread_rwlock_wrlock(&cc->rw);
        cc->audit_seq = top;
        pthread_rwlock_unlock(&cc->rw);
        goto out;
    }
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    intx = 1;
    rc = state_read(c, &st, err);
    if (rc != RK_OK)
        goto out;
    int persist = st.complete && !st.rebuilding && st.generation == cc->generation &&
                  st.audit_seq == cc->p_audit_seq && st.report_rowid == cc->p_report_rowid &&
                  st.case_rowid == cc->p_case_rowid;
    if (st.complete && !persist) {
        *reload = 1;
        goto out;
    }
    pthread_rwlock_wrlock(&cc->rw);
    for (size_t i = 0; i < l.n && rc == RK_OK; i++)
        rc = load_object(c, cc->idx, cc->wl, (enum rk_corr_kind)l.kinds[i], l.ids[i], err);
    pthread_rwlock_unlock(&cc->rw);
    /* Reading the index needs no lock here: only a refresh changes it, and this is one. */
    for (size_t i = 0; persist && i < l.n && rc == RK_OK; i++)
        rc = persist_object(c, cc, cc->idx, (enum rk_corr_kind)l.kinds[i], l.ids[i], err);
    if (persist && rc == RK_OK)
        rc = state_set(c, "audit_seq", top, err);
    if (persist && rc == RK_OK)
        rc = state_set(c, "report_rowid", rlast, err);
    if (persist && rc == RK_OK)
        rc = state_set(c, "case_rowid", clast, err);
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    intx = 0;
    if (rc != RK_OK) {
        /* A half-applied update is not trusted: the next call loads the tables again. */
        rk__tx_rollback(s, c);
        drop_index(cc);
        goto out;
    }
    pthread_rwlock_wrlock(&cc->rw);
    cc->audit_seq = top;
    cc->report_rowid = rlast;
    cc->case_rowid = clast;
    if (persist) {
        cc->p_audit_seq = top;
        cc->p_report_rowid = rlast;
        cc->p_case_rowid = clast;
    }
    pthread_rwlock_unlock(&cc->rw);
out:
    if (intx)
        rk__tx_rollback(s, c);
    objlist_free(&l);
    return rc;
}

/*
 * Brings the store's index up to date: loaded (or built) on first use, then only the objects
 * written since the last look. `rebuild` recomputes the tables from the store first (resuming a
 * killed rebuild).
 */
static enum rk_status corr_refresh_resumed(struct rk_store *s, int rebuild, rk_progress_cb progress,
                                           void *ud, int64_t *resumed, struct rk_error *err)
{
    struct rk__corr_cache *cc = s->corr;
    struct rk_conn *c = NULL;
    pthread_mutex_lock(&cc->refresh_mu);
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        goto out_unlock;
    if (rebuild) {
        struct rk_corr_index *idx = NULL;
        struct corr_state st;
        int64_t dummy;
        rc = build_persisted(s, c, 0, progress, ud, &idx, &st, resumed ? resumed : &dummy, err);
        if (rc != RK_OK)
            goto out;
        install_index(cc, idx, &st);
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        if (cc->idx == NULL) {
            rc = first_use(s, c, err);
            if (rc != RK_OK)
                goto out;
        }
        int reload = 0;
        rc = catch_up(s, c, &reload, err);
        if (rc != RK_OK || !reload)
            break;
        drop_index(cc);
    }
out:
    rk__conn_put(s, c);
out_unlock:
    pthread_mutex_unlock(&cc->refresh_mu);
    return rc;
}

/* The same without the resume count; other services in lib/model (groups, access requests)
 * call this one before they read the index, so its signature stays as it was. */
static enum rk_status corr_refresh(struct rk_store *s, int rebuild, rk_progress_cb progress,
                                   void *ud, struct rk_error *err)
{
    return corr_refresh_resumed(s, rebuild, progress, ud, NULL, err);
}

/* ===== Need-to-know hook ===== */

struct access_ctx {
    struct rk_conn *c;
    const struct rk_access *a;
};

static int access_cb(void *ud, enum rk_corr_kind kind, const char *object_id, const char *unit_id)
{
    (void)unit_id;
    struct access_ctx *x = ud;
    if (kind == RK_CORR_REPORT)
        return rk__access_report_visible(x->c, x->a, object_id, NULL);
    if (kind == RK_CORR_CASE)
        return rk__access_case_visible(x->c, x->a, object_id, NULL);
    return 0;
}

/* ===== Rendering ===== */

static json_t *render_result(struct rk_store *s, struct rk_conn *c, const struct rk_actor *who,
                             const struct rk_corr_result *res, const char *self_kind,
                             const char *self_id, size_t nwl)
{
    json_t *items = json_array(), *sup = json_array();
    for (size_t i = 0; i < res->count; i++) {
        const struct rk_corr_hit *h = &res->hits[i];
        const char *kind = rk_corr_kind_name(h->kind);
        if (h->restricted) {
            json_t *o = rk__restricted(c, h->unit_id);
            json_object_set_new(o, "kind", json_string(kind));
            json_object_set_new(o, "count", json_integer((json_int_t)h->restricted_count));
            json_array_append_new(items, o);
            continue;
        }
        json_t *o = h->kind == RK_CORR_REPORT ? rk__report_brief(c, h->object_id)
                                              : rk__case_brief(c, h->object_id);
        if (!json_is_object(o)) { /* removed since the index was refreshed */
            json_decref(o);
            continue;
        }
        json_t *shared = json_array();
        for (size_t k = 0; k < h->nshared; k++) {
            const struct rk_corr_shared *sh = &h->shared[k];
            json_array_append_new(
                shared, json_pack("{s:s,s:s,s:s,s:s,s:f}", "type", sh->type, "value", sh->value,
                                  "relation", rk_corr_rel_name(sh->rel_self), "other_relation",
                                  rk_corr_rel_name(sh->rel_other), "weight", sh->weight));
        }
        json_object_set_new(o, "kind", json_string(kind));
        json_object_set_new(o, "score", json_real(h->score));
        json_object_set_new(o, "text_similarity", json_real(h->text_similarity));
        json_object_set_new(o, "explanation", json_string(h->explanation ? h->explanation : ""));
        json_object_set_new(o, "shared", shared);
        json_array_append_new(items, o);
        rk__audit_read(s, who, kind, h->object_id, "related");
    }
    for (size_t i = 0; i < res->nsuppressed; i++) {
        const struct rk_corr_suppressed *x = &res->suppressed[i];
        json_array_append_new(
            sup, json_pack("{s:s,s:s,s:s,s:s}", "type", x->type, "value", x->value, "noise",
                           x->noise == RK_CORR_WARNINGLISTED ? "warninglist" : "too_common",
                           "reason", x->reason ? x->reason : ""));
    }
    json_t *of = self_kind ? json_pack("{s:s,s:s}", "kind", self_kind, "id", self_id) : json_null();
    return json_pack("{s:o,s:o,s:o,s:I}", "of", of, "items", items, "suppressed", sup,
                     "warninglists", (json_int_t)nwl);
}

/*
 * The common body (the caller refreshed the index before borrowing `c`: a refresh borrows a
 * connection of its own, and a nested borrow could wait forever on a full pool): runs the query
 * under the read lock with the caller's need-to-know hook. `values`/`nvalues` are used when `id` is
 * NULL.
 */
static enum rk_status related(struct rk_store *s, struct rk_conn *c, const struct rk_access *a,
                              enum rk_corr_kind kind, const char *id,
                              const struct rk_corr_value *values, size_t nvalues,
                              struct rk_corr_result **res, size_t *nwl, struct rk_error *err)
{
    enum rk_status rc = RK_OK;
    struct access_ctx x = {c, a};
    int all = rk__access_is_installation(a);
    struct rk__corr_cache *cc = s->corr;
    pthread_rwlock_rdlock(&cc->rw);
    if (cc->idx == NULL) {
        pthread_rwlock_unlock(&cc->rw);
        return rk__err(err, RK_EIO, NULL, "correlation index not available");
    }
    if (id != NULL)
        rc = rk_corr_related(cc->idx, kind, id, NULL, all ? NULL : access_cb, &x, res);
    else
        rc =
            rk_corr_related_values(cc->idx, values, nvalues, NULL, all ? NULL : access_cb, &x, res);
    *nwl = cc->wl ? rk_corr_wlset_count(cc->wl) : 0;
    pthread_rwlock_unlock(&cc->rw);
    if (rc == RK_ENOTFOUND) {
        /* Indexed objects are every report and case; an empty result says "nothing related". */
        *res = rk_calloc(1, sizeof(**res));
        rc = *res ? RK_OK : RK_ENOMEM;
    }
    if (rc != RK_OK)
        return rk__err(err, rc, NULL, "correlation failed");
    return RK_OK;
}

/* Report or case: access to the object itself decides first (404 / 403), then its links. */
static enum rk_status correlate_object(struct rk_store *s, const struct rk_actor *who,
                                       enum rk_corr_kind kind, const char *id, json_t **out,
                                       struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    struct rk_corr_result *res = NULL;
    size_t nwl = 0;
    char byref[40];
    if (id == NULL || strlen(id) > 36)
        return rk__err(err, RK_ENOTFOUND, "id", "no such %s", rk_corr_kind_name(kind));
    enum rk_status rc = corr_refresh(s, 0, NULL, NULL, err);
    if (rc == RK_OK)
        rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc != RK_OK)
        goto out;
    if (!rk__is_uuid(id)) {
        /* The installation may name a report or case by its reference ("R2026-000123"), as
         * the CLI prints them. Others may not: references are sequential, and answering 403
         * or 404 for them would let anyone count what exists. */
        int r = SQLITE_DONE;
        if (rk__access_is_installation(&a)) {
            sqlite3_stmt *st =
                rk__stmt(c,
                         kind == RK_CORR_REPORT ? "SELECT id FROM reports WHERE ref = ?1"
                                                : "SELECT id FROM cases WHERE ref = ?1",
                         err);
            if (st == NULL) {
                rc = RK_EIO;
                goto out;
            }
            rk__bind_text(st, 1, id);
            r = sqlite3_step(st);
            if (r == SQLITE_ROW)
                snprintf(byref, sizeof(byref), "%s", rk__col_text(st, 0));
            sqlite3_reset(st);
        }
        if (r != SQLITE_ROW) {
            rc = rk__err(err, RK_ENOTFOUND, "id", "no such %s", rk_corr_kind_name(kind));
            goto out;
        }
        id = byref;
    }
    if (!rk__access_is_installation(&a)) {
        rc = rk__access_require(
            &a, kind == RK_CORR_REPORT ? RK_PERM_REPORT_READ : RK_PERM_CASE_READ, err);
        if (rc == RK_OK)
            rc = kind == RK_CORR_REPORT ? rk__access_report(c, &a, id, err)
                                        : rk__access_case(c, &a, id, err);
    } else {
        sqlite3_stmt *st = rk__stmt(c,
                                    kind == RK_CORR_REPORT ? "SELECT 1 FROM reports WHERE id = ?1"
                                                           : "SELECT 1 FROM cases WHERE id = ?1",
                                    err);
        if (st == NULL) {
            rc = RK_EIO;
            goto out;
        }
        rk__bind_text(st, 1, id);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_ROW)
            rc = rk__err(err, RK_ENOTFOUND, "id", "no such %s", rk_corr_kind_name(kind));
    }
    if (rc != RK_OK)
        goto out;
    rc = related(s, c, &a, kind, id, NULL, 0, &res, &nwl, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    *out = render_result(s, c, who, res, rk_corr_kind_name(kind), id, nwl);
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (*out == NULL) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    rk__audit_read(s, who, rk_corr_kind_name(kind), id, "correlate");
out:
    rk_corr_result_destroy(res);
    rk__conn_put(s, c);
    return rc;
}

/* ===== Related objects the caller may not read (lib/model/access-request.c) ===== */

struct refused_ctx {
    struct access_ctx ac;
    rk__corr_refused_cb cb;
    void *ud;
};

/* The caller's ordinary hook, reporting each object it refuses. */
static int refused_hook(void *ud, enum rk_corr_kind kind, const char *object_id,
                        const char *unit_id)
{
    struct refused_ctx *x = ud;
    int ok = access_cb(&x->ac, kind, object_id, unit_id);
    if (!ok && (kind == RK_CORR_REPORT || kind == RK_CORR_CASE))
        x->cb(x->ud, kind == RK_CORR_CASE, object_id, unit_id);
    return ok;
}

enum rk_status rk__corr_refused(struct rk_store *s, const struct rk_access *a, int is_case,
                                const char *id, rk__corr_refused_cb cb, void *ud,
                                struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_corr_result *res = NULL;
    enum rk_status rc = corr_refresh(s, 0, NULL, NULL, err);
    if (rc == RK_OK)
        rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    struct refused_ctx x = {{c, a}, cb, ud};
    struct rk__corr_cache *cc = s->corr;
    pthread_rwlock_rdlock(&cc->rw);
    if (cc->idx != NULL)
        rc = rk_corr_related(cc->idx, is_case ? RK_CORR_CASE : RK_CORR_REPORT, id, NULL,
                             refused_hook, &x, &res);
    pthread_rwlock_unlock(&cc->rw);
    rk_corr_result_destroy(res);
    rk__conn_put(s, c);
    if (rc == RK_ENOTFOUND) /* not indexed: nothing related */
        rc = RK_OK;
    if (rc != RK_OK)
        return rk__err(err, rc, NULL, "correlation failed");
    return RK_OK;
}

enum rk_status rk_correlate_report(struct rk_store *s, const struct rk_actor *who, const char *id,
                                   json_t **out, struct rk_error *err)
{
    return correlate_object(s, who, RK_CORR_REPORT, id, out, err);
}

enum rk_status rk_correlate_case(struct rk_store *s, const struct rk_actor *who, const char *id,
                                 json_t **out, struct rk_error *err)
{
    return correlate_object(s, who, RK_CORR_CASE, id, out, err);
}

/* A value: "where else is this?". A caller who may not read every observable (a station) gets
 * an answer only when something it may read holds the value, as for rk_observable_get. */
static enum rk_status correlate_canonical(struct rk_store *s, struct rk_conn *c,
                                          const struct rk_access *a, const char *type,
                                          const char *canonical, const char *obs_id, json_t **out,
                                          struct rk_error *err)
{
    struct rk_corr_value v = {type, canonical, RK_CORR_REL_SAME};
    /* As in load_object(): a warninglisted value is not expanded into its networks. */
    pthread_rwlock_rdlock(&s->corr->rw);
    if (s->corr->wl != NULL && rk_corr_wlset_match(s->corr->wl, type, canonical) != NULL)
        v.rel = RK_CORR_REL_GIVEN;
    pthread_rwlock_unlock(&s->corr->rw);
    struct rk_corr_result *res = NULL;
    size_t nwl = 0;
    enum rk_status rc = related(s, c, a, 0, NULL, &v, 1, &res, &nwl, err);
    if (rc != RK_OK)
        return rc;
    if (!rk__access_is_installation(a) && !rk__access_allows(a, RK_PERM_OBS_READ_ALL)) {
        int readable = 0;
        for (size_t i = 0; i < res->count; i++)
            readable |= !res->hits[i].restricted;
        if (!readable) {
            rk_corr_result_destroy(res);
            return rk__err(err, RK_EFORBIDDEN, NULL,
                           "this value occurs only in data you may not read");
        }
    }
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    *out = render_result(s, c, a->who, res, NULL, NULL, nwl);
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    rk_corr_result_destroy(res);
    if (*out == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    /* A value no object holds is not in the index; still say when a list would stop it. */
    json_t *sup = json_object_get(*out, "suppressed");
    if (json_array_size(sup) == 0) {
        pthread_rwlock_rdlock(&s->corr->rw);
        const char *wl = s->corr->wl ? rk_corr_wlset_match(s->corr->wl, type, canonical) : NULL;
        if (wl != NULL) {
            char reason[160];
            snprintf(reason, sizeof(reason), "in warninglist '%s'", wl);
            json_array_append_new(sup,
                                  json_pack("{s:s,s:s,s:s,s:s}", "type", type, "value", canonical,
                                            "noise", "warninglist", "reason", reason));
        }
        pthread_rwlock_unlock(&s->corr->rw);
    }
    json_object_set_new(*out, "value",
                        json_pack("{s:s,s:s,s:o}", "type", type, "canonical", canonical,
                                  "observable_id", obs_id ? json_string(obs_id) : json_null()));
    /* The value itself is case data: the audit names the observable, never the value. */
    rk__audit_read(s, a->who, "observable", obs_id ? obs_id : "", "correlate");
    return RK_OK;
}

static enum rk_status begin_value_call(struct rk_store *s, const struct rk_actor *who,
                                       struct rk_conn **c, struct rk_access *a,
                                       struct rk_error *err)
{
    enum rk_status rc = corr_refresh(s, 0, NULL, NULL, err);
    if (rc == RK_OK)
        rc = rk__conn_get(s, c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(*c, who, a, err);
    if (rc == RK_OK && !rk__access_is_installation(a))
        rc = rk__access_require(a, RK_PERM_OBS_READ, err);
    if (rc != RK_OK) {
        rk__conn_put(s, *c);
        *c = NULL;
    }
    return rc;
}

enum rk_status rk_correlate_value(struct rk_store *s, const struct rk_actor *who, const char *type,
                                  const char *value, json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    struct rk_obs o = {0};
    if (value == NULL || *value == '\0')
        return rk__err(err, RK_EINVAL, "value", "no value given");
    enum rk_obs_type hint = RK_OBS_NONE;
    if (type != NULL && *type != '\0') {
        hint = rk_obs_type_from_name(type);
        if (hint == RK_OBS_NONE)
            return rk__err(err, RK_EINVAL, "type", "unknown observable type");
    }
    enum rk_status rc = rk_obs_parse(value, strlen(value), hint, &o);
    if (rc != RK_OK)
        return rk__err(err, rc == RK_ENOMEM ? RK_ENOMEM : RK_EINVAL, "value",
                       "not a valid observable value%s%s", hint ? " of type " : "",
                       hint ? type : "");
    const char *tname = rk_obs_type_name(o.type);
    rc = begin_value_call(s, who, &c, &a, err);
    if (rc != RK_OK)
        goto out;
    char obs_id[40] = "";
    sqlite3_stmt *st =
        rk__stmt(c, "SELECT id FROM observables WHERE type = ?1 AND canonical = ?2", err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    rk__bind_text(st, 1, tname);
    rk__bind_text(st, 2, o.canonical);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(obs_id, sizeof(obs_id), "%s", rk__col_text(st, 0));
    sqlite3_reset(st);
    rc = correlate_canonical(s, c, &a, tname, o.canonical, obs_id[0] ? obs_id : NULL, out, err);
out:
    rk_obs_clear(&o);
    if (c != NULL)
        rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_correlate_observable(struct rk_store *s, const struct rk_actor *who,
                                       const char *id, json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    if (id == NULL || !rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such observable");
    enum rk_status rc = begin_value_call(s, who, &c, &a, err);
    if (rc != RK_OK)
        return rc;
    char type[64] = "";
    char *canonical = NULL;
    sqlite3_stmt *st = rk__stmt(c, "SELECT type, canonical FROM observables WHERE id = ?1", err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        snprintf(type, sizeof(type), "%s", rk__col_text(st, 0));
        canonical = dupstr(rk__col_text(st, 1));
    }
    sqlite3_reset(st);
    if (r != SQLITE_ROW) {
        rc = r == SQLITE_DONE ? rk__err(err, RK_ENOTFOUND, "id", "no such observable")
                              : rk__db_error(c, r, err);
        goto out;
    }
    if (canonical == NULL) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    rc = correlate_canonical(s, c, &a, type, canonical, id, out, err);
out:
    rk_free(canonical);
    rk__conn_put(s, c);
    return rc;
}

/* ===== Rebuild ===== */

enum rk_status rk_correlate_rebuild(struct rk_store *s, const struct rk_actor *who,
                                    rk_progress_cb progress, void *user_data, json_t **out,
                                    struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    rk__conn_put(s, c);
    if (rc == RK_OK && !rk__access_is_installation(&a))
        rc = rk__err(err, RK_EFORBIDDEN, NULL, "only the installation rebuilds the index");
    int64_t resumed = 0;
    if (rc == RK_OK)
        rc = corr_refresh_resumed(s, 1, progress, user_data, &resumed, err);
    if (rc != RK_OK)
        return rc;
    struct rk__corr_cache *cc = s->corr;
    struct rk_corr_stats st;
    pthread_rwlock_rdlock(&cc->rw);
    rk_corr_index_stats(cc->idx, &st);
    size_t nwl = rk_corr_wlset_count(cc->wl);
    pthread_rwlock_unlock(&cc->rw);
    *out =
        json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:I}", "objects", (json_int_t)st.objects, "values",
                  (json_int_t)st.values, "postings", (json_int_t)st.postings, "texts",
                  (json_int_t)st.texts, "memory_bytes", (json_int_t)st.memory_bytes, "warninglists",
                  (json_int_t)nwl, "warninglist_dir", cc->wl_dir, "resumed", (json_int_t)resumed);
    return *out ? RK_OK : rk__err(err, RK_ENOMEM, NULL, "out of memory");
}

/* ===== Hooks for the group service (added by eng/groups; lib/model/group.h) ===== */

/* The group service keeps confirmed groups, actors and flags in its own tables; these three
 * functions give it the index under the same locks as every query above. */
#include "model/group.h"

enum rk_status rk__corr_sync(struct rk_store *s, int64_t *seq, struct rk_error *err)
{
    enum rk_status rc = corr_refresh(s, 0, NULL, NULL, err);
    if (rc != RK_OK)
        return rc;
    pthread_rwlock_rdlock(&s->corr->rw);
    *seq = s->corr->audit_seq;
    int ok = s->corr->idx != NULL;
    pthread_rwlock_unlock(&s->corr->rw);
    return ok ? RK_OK : rk__err(err, RK_EIO, NULL, "correlation index not available");
}

enum rk_status rk__corr_groups_with(struct rk_store *s, struct rk_conn *c,
                                    const struct rk_access *a,
                                    const struct rk_corr_confirmed *confirmed, size_t nconfirmed,
                                    struct rk_corr_groups **out, struct rk_error *err)
{
    struct access_ctx x = {c, a};
    int all = a == NULL || rk__access_is_installation(a);
    struct rk__corr_cache *cc = s->corr;
    enum rk_status rc = RK_EIO;
    pthread_rwlock_rdlock(&cc->rw);
    if (cc->idx != NULL)
        rc = rk_corr_groups_compute(cc->idx, NULL, confirmed, nconfirmed, all ? NULL : access_cb,
                                    &x, out);
    pthread_rwlock_unlock(&cc->rw);
    if (rc != RK_OK)
        return rk__err(err, rc, NULL, "grouping failed");
    return RK_OK;
}

enum rk_status rk__corr_touching_of(struct rk_store *s, enum rk_corr_kind kind, const char *id,
                                    const struct rk_corr_confirmed *confirmed, size_t nconfirmed,
                                    struct rk_corr_touches **out, struct rk_error *err)
{
    struct rk__corr_cache *cc = s->corr;
    enum rk_status rc = RK_EIO;
    pthread_rwlock_rdlock(&cc->rw);
    if (cc->idx != NULL)
        rc = rk_corr_touching(cc->idx, kind, id, confirmed, nconfirmed, out);
    pthread_rwlock_unlock(&cc->rw);
    if (rc == RK_ENOTFOUND) {
        *out = rk_calloc(1, sizeof(**out));
        rc = *out != NULL ? RK_OK : RK_ENOMEM;
    }
    if (rc != RK_OK)
        return rk__err(err, rc, NULL, "flag check failed");
    return RK_OK;
}

/* ===== The warninglists, for other services (lib/model/graph-service.c) ===== */

/* Copies into `list` (capacity `cap`) the name of the warninglist that holds (type, canonical),
 * "" when none holds it, from the store's own lists: loaded once (with the index, or here on
 * first need) and shared, so a caller applies exactly the lists correlation applies without
 * reading the files again. Returns RK_OK, or the error of loading the lists. */
enum rk_status rk__corr_warninglist_of(struct rk_store *s, const char *type,
                                       const char *canonical, char *list, size_t cap,
                                       struct rk_error *err)
{
    struct rk__corr_cache *cc = s->corr;
    enum rk_status rc = RK_OK;
    list[0] = '\0';
    pthread_mutex_lock(&cc->refresh_mu);
    if (cc->wl == NULL)
        rc = load_warninglists(cc, err);
    pthread_mutex_unlock(&cc->refresh_mu);
    if (rc != RK_OK)
        return rc;
    pthread_rwlock_rdlock(&cc->rw);
    const char *name = cc->wl != NULL ? rk_corr_wlset_match(cc->wl, type, canonical) : NULL;
    if (name != NULL)
        snprintf(list, cap, "%s", name);
    pthread_rwlock_unlock(&cc->rw);
    return RK_OK;
}
