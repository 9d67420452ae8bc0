/*
 * Confirmed groups (攻撃グループ / 犯行グループ), actor records and "new cases touching a
 * group" flags. Candidate groups come from the correlation index (Louvain clusters of the
 * case-observable graph, lib/correlate); what an analyst decides about them — confirm with a
 * name, rename, aliases, actor link, merge, split, members added or removed, dissolve — lives
 * in the grp_* tables (migration 0010) and never changes by itself when new data arrives.
 *
 * Flagging runs on the reading side, not inside report and case writes: before any group call
 * reads, the write events of the audit chain after the last position looked at (grp_flag_state)
 * are checked against the confirmed groups with rk_corr_touching(), the flags and the new
 * position are written in one transaction. A report write therefore never fails or slows because
 * of groups, and no flag is lost: the audit chain is append-only and the position only moves in
 * the transaction that records the flags up to it (the same catch-up the correlation cache uses).
 *
 * Need-to-know is lib/share/access: members and flagged objects the caller may not read appear
 * as restricted (kind and holding unit only); every readable one shown is audited as a read.
 */
#include "model/group.h"

#include <stdio.h>
#include <string.h>

#include "model/report.h"
#include "renkei/alloc.h"
#include "renkei/limits.h"
#include "renkei/service.h"

/* ===== Small helpers ===== */

/* A member reference parsed from input or loaded from the store. */
struct member {
    enum rk_corr_kind kind;
    char id[37];  /* "" until a reference is resolved */
    char ref[24]; /* "R2026-000123" / "C2026-000045" when named by reference, else "" */
};

struct member_list {
    struct member *m;
    size_t n, cap;
};

static void members_free(struct member_list *l)
{
    rk_free(l->m);
    memset(l, 0, sizeof(*l));
}

static enum rk_status members_push(struct member_list *l, enum rk_corr_kind kind, const char *id)
{
    for (size_t i = 0; id[0] != '\0' && i < l->n; i++)
        if (l->m[i].kind == kind && strcmp(l->m[i].id, id) == 0)
            return RK_OK; /* listed twice: once is enough */
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct member *m = rk_realloc(l->m, cap * sizeof(*m));
        if (m == NULL)
            return RK_ENOMEM;
        l->m = m;
        l->cap = cap;
    }
    l->m[l->n].kind = kind;
    snprintf(l->m[l->n].id, sizeof(l->m[l->n].id), "%s", id);
    l->m[l->n].ref[0] = '\0';
    l->n++;
    return RK_OK;
}

static int members_has(const struct member_list *l, enum rk_corr_kind kind, const char *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->m[i].kind == kind && strcmp(l->m[i].id, id) == 0)
            return 1;
    return 0;
}

/* May the caller read this report or case? `unit` (37 bytes) receives the holding unit. */
static int visible(struct rk_conn *c, const struct rk_access *a, enum rk_corr_kind kind,
                   const char *id, char unit[37])
{
    unit[0] = '\0';
    if (rk__access_is_installation(a)) {
        sqlite3_stmt *st =
            rk__stmt(c,
                     kind == RK_CORR_REPORT ? "SELECT unit_id FROM reports WHERE id = ?1"
                                            : "SELECT lead_unit_id FROM cases WHERE id = ?1",
                     NULL);
        if (st == NULL)
            return 0;
        rk__bind_text(st, 1, id);
        int r = sqlite3_step(st) == SQLITE_ROW;
        if (r)
            snprintf(unit, 37, "%s", rk__col_text(st, 0));
        sqlite3_reset(st);
        return r;
    }
    return kind == RK_CORR_REPORT ? rk__access_report_visible(c, a, id, unit)
                                  : rk__access_case_visible(c, a, id, unit);
}

/* A member or flagged object as the caller may see it; readable ones are audited as reads. */
static json_t *object_json(struct rk_store *s, struct rk_conn *c, const struct rk_access *a,
                           enum rk_corr_kind kind, const char *id, int *readable)
{
    char unit[37];
    const char *kname = rk_corr_kind_name(kind);
    json_t *o;
    *readable = visible(c, a, kind, id, unit);
    if (!*readable) {
        o = rk__restricted(c, unit[0] ? unit : NULL);
    } else {
        o = kind == RK_CORR_REPORT ? rk__report_brief(c, id) : rk__case_brief(c, id);
        if (!json_is_object(o)) {
            json_decref(o);
            o = json_pack("{s:s}", "id", id);
        }
        rk__audit_read(s, a->who, kname, id, "group");
    }
    if (o != NULL)
        json_object_set_new(o, "kind", json_string(kname));
    return o;
}

static json_t *aliases_json(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    if (!json_is_array(j)) {
        json_decref(j);
        j = json_array();
    }
    return j;
}

/* Validates an optional "aliases" array of strings; `*out` is its compact JSON text (NULL
 * when absent), freed by the caller with rk_free(). */
static enum rk_status parse_aliases(json_t *in, char **out, struct rk_error *err)
{
    *out = NULL;
    json_t *al = json_object_get(in, "aliases");
    if (al == NULL)
        return RK_OK;
    if (!json_is_array(al))
        return rk__err(err, RK_EINVAL, "aliases", "aliases must be an array of strings");
    if (json_array_size(al) > RK_MAX_GROUP_ALIASES)
        return rk__err(err, RK_EINVAL, "aliases", "at most %u aliases", RK_MAX_GROUP_ALIASES);
    json_t *clean = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(al, i, v)
    {
        char field[32];
        snprintf(field, sizeof(field), "aliases[%zu]", i);
        if (!json_is_string(v) || json_string_length(v) == 0 ||
            json_string_length(v) > RK_MAX_GROUP_ALIAS ||
            strlen(json_string_value(v)) != json_string_length(v)) {
            json_decref(clean);
            return rk__err(err, RK_EINVAL, field,
                           "an alias is a non-empty string of at most %u bytes",
                           RK_MAX_GROUP_ALIAS);
        }
        json_array_append(clean, v);
    }
    *out = rk__json_dump(clean);
    json_decref(clean);
    return *out != NULL ? RK_OK : rk__err(err, RK_ENOMEM, NULL, "out of memory");
}

/* "R2026-000123" / "C2026-000045": a letter, then digits and one hyphen. */
static int valid_ref(const char *r)
{
    if (r[0] != 'R' && r[0] != 'C')
        return 0;
    int hyphens = 0, digits = 0;
    for (const char *p = r + 1; *p != '\0'; p++) {
        if (*p == '-')
            hyphens++;
        else if (*p >= '0' && *p <= '9')
            digits++;
        else
            return 0;
    }
    return hyphens == 1 && digits > 0;
}

/* Parses "members":[{"kind","id"} or {"kind","ref"}] into `l`. */
static enum rk_status parse_members(json_t *in, const char *key, int required,
                                    struct member_list *l, struct rk_error *err)
{
    json_t *arr = json_object_get(in, key);
    if (arr == NULL && !required)
        return RK_OK;
    if (!json_is_array(arr) || (required && json_array_size(arr) == 0))
        return rk__err(err, RK_EINVAL, key, "%s must be a non-empty array of {\"kind\",\"id\"}",
                       key);
    if (json_array_size(arr) > RK_MAX_GROUP_MEMBERS)
        return rk__err(err, RK_ETOOBIG, key, "at most %u members in one request",
                       RK_MAX_GROUP_MEMBERS);
    static const char *const allowed[] = {"kind", "id", "ref", NULL};
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        char prefix[48], field[64];
        snprintf(prefix, sizeof(prefix), "%s[%zu]", key, i);
        const char *kind = NULL, *id = NULL, *ref = NULL;
        enum rk_status rc = rk__json_only(v, allowed, prefix, err);
        if (rc != RK_OK)
            return rc;
        snprintf(field, sizeof(field), "%s.kind", prefix);
        rc = rk__json_str(v, "kind", field, 1, 16, &kind, err);
        if (rc == RK_OK && strcmp(kind, "report") != 0 && strcmp(kind, "case") != 0)
            rc = rk__err(err, RK_EINVAL, field, "kind must be \"report\" or \"case\"");
        /* A member is named by its id or, as analysts know it, by its reference number. */
        snprintf(field, sizeof(field), "%s.ref", prefix);
        if (rc == RK_OK)
            rc = rk__json_str(v, "ref", field, 0, 23, &ref, err);
        if (rc == RK_OK && ref != NULL && !valid_ref(ref))
            rc = rk__err(err, RK_EINVAL, field, "not a reference number (R2026-000123)");
        snprintf(field, sizeof(field), "%s.id", prefix);
        if (rc == RK_OK && json_object_get(v, "id") != NULL && ref != NULL)
            rc = rk__err(err, RK_EINVAL, field, "give the id or the reference, not both");
        if (rc == RK_OK && ref == NULL)
            rc = rk__json_str(v, "id", field, 1, 36, &id, err);
        if (rc == RK_OK && id != NULL && !rk__is_uuid(id))
            rc = rk__err(err, RK_EINVAL, field, "not a report or case id");
        if (rc != RK_OK)
            return rc;
        if (members_push(l, rk_corr_kind_from_name(kind), id != NULL ? id : "") != RK_OK)
            return rk__err(err, RK_ENOMEM, NULL, "out of memory");
        if (ref != NULL)
            snprintf(l->m[l->n - 1].ref, sizeof(l->m[l->n - 1].ref), "%s", ref);
    }
    return RK_OK;
}

/*
 * Resolves the members named by reference number to ids. A reference the caller may not read
 * gets the same answer as one that does not exist: references are sequential, and telling the
 * two apart would let anyone count what exists. Duplicates that appear once resolved are
 * dropped.
 */
static enum rk_status resolve_refs(struct rk_conn *c, const struct rk_access *a,
                                   struct member_list *l, const char *key, struct rk_error *err)
{
    for (size_t i = 0; i < l->n; i++) {
        struct member *m = &l->m[i];
        if (m->ref[0] == '\0')
            continue;
        sqlite3_stmt *st =
            rk__stmt(c,
                     m->kind == RK_CORR_REPORT ? "SELECT id FROM reports WHERE ref = ?1"
                                               : "SELECT id FROM cases WHERE ref = ?1",
                     err);
        if (st == NULL)
            return RK_EIO;
        rk__bind_text(st, 1, m->ref);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(m->id, sizeof(m->id), "%s", rk__col_text(st, 0));
        sqlite3_reset(st);
        char unit[37];
        if (m->id[0] == '\0' || !visible(c, a, m->kind, m->id, unit)) {
            char field[48];
            snprintf(field, sizeof(field), "%s[%zu].ref", key, i);
            return rk__err(err, RK_EINVAL, field, "no such %s", rk_corr_kind_name(m->kind));
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        int dup = 0;
        for (size_t k = 0; k < n && !dup; k++)
            dup = l->m[k].kind == l->m[i].kind && strcmp(l->m[k].id, l->m[i].id) == 0;
        if (!dup)
            l->m[n++] = l->m[i];
    }
    l->n = n;
    return RK_OK;
}

/* Every member named must exist and be readable by the caller (an id the caller may not read
 * is refused exactly as reading it would be). */
static enum rk_status check_readable(struct rk_conn *c, const struct rk_access *a,
                                     const struct member_list *l, const char *key,
                                     struct rk_error *err)
{
    for (size_t i = 0; i < l->n; i++) {
        enum rk_status rc;
        if (rk__access_is_installation(a)) {
            char unit[37];
            rc = visible(c, a, l->m[i].kind, l->m[i].id, unit) ? RK_OK : RK_ENOTFOUND;
        } else {
            rc = l->m[i].kind == RK_CORR_REPORT ? rk__access_report(c, a, l->m[i].id, NULL)
                                                : rk__access_case(c, a, l->m[i].id, NULL);
        }
        if (rc != RK_OK) {
            char field[48];
            snprintf(field, sizeof(field), "%s[%zu].id", key, i);
            return rk__err(err, rc == RK_EFORBIDDEN ? RK_EFORBIDDEN : RK_EINVAL, field,
                           rc == RK_EFORBIDDEN ? "you may not read this %s" : "no such %s",
                           rk_corr_kind_name(l->m[i].kind));
        }
    }
    return RK_OK;
}

/* Borrows a connection and checks the caller may work with groups. */
static enum rk_status group_begin(struct rk_store *s, const struct rk_actor *who,
                                  struct rk_conn **c, struct rk_access *a, struct rk_error *err)
{
    *c = NULL;
    enum rk_status rc = rk__conn_get(s, c, err);
    if (rc == RK_OK)
        rc = rk__access_load(*c, who, a, err);
    /* Groups span units: the analysts and supervisors who may open any value work with them. */
    if (rc == RK_OK && !rk__access_is_installation(a))
        rc = rk__access_require(a, RK_PERM_OBS_READ_ALL, err);
    return rc;
}

static enum rk_status step_done(struct rk_conn *c, sqlite3_stmt *st, struct rk_error *err)
{
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : rk__db_error(c, r, err);
}

static enum rk_status audit_write(struct rk_conn *c, const struct rk_actor *who, const char *action,
                                  const char *type, const char *id, const char *detail,
                                  struct rk_error *err)
{
    struct rk_audit_event ev;
    rk__audit_event(&ev, who, action, type, id, detail);
    return rk__audit_append(c, &ev, err);
}

static int64_t audit_top(struct rk_conn *c)
{
    sqlite3_stmt *st = rk__stmt(c, "SELECT coalesce(max(seq), 0) FROM audit", NULL);
    int64_t v = 0;
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    return v;
}

/* ===== Confirmed groups as the index wants them ===== */

struct conf_set {
    size_t n;
    struct rk_corr_confirmed *cf;
    char (*ids)[37];
    int64_t *flag_seq;
    struct rk_corr_ref *refs;
    char (*ref_ids)[37];
};

static void conf_free(struct conf_set *cs)
{
    rk_free(cs->cf);
    rk_free(cs->ids);
    rk_free(cs->flag_seq);
    rk_free(cs->refs);
    rk_free(cs->ref_ids);
    memset(cs, 0, sizeof(*cs));
}

static int64_t count_of(struct rk_conn *c, const char *sql, const char *arg)
{
    sqlite3_stmt *st = rk__stmt(c, sql, NULL);
    int64_t v = -1;
    if (st == NULL)
        return -1;
    if (arg != NULL)
        rk__bind_text(st, 1, arg);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return v;
}

/* Loads the confirmed groups (all, or only `only` when not NULL) and their members. */
static enum rk_status conf_load(struct rk_conn *c, const char *only, struct conf_set *cs,
                                struct rk_error *err)
{
    memset(cs, 0, sizeof(*cs));
    int64_t ng = count_of(c,
                          "SELECT count(*) FROM grp_groups WHERE status = 'confirmed'"
                          " AND (?1 IS NULL OR id = ?1)",
                          only);
    int64_t nm = count_of(c,
                          "SELECT count(*) FROM grp_members m JOIN grp_groups g"
                          " ON g.id = m.group_id WHERE g.status = 'confirmed'"
                          " AND (?1 IS NULL OR g.id = ?1)",
                          only);
    if (ng < 0 || nm < 0)
        return rk__err(err, RK_EIO, NULL, "cannot read groups");
    cs->cf = rk_calloc((size_t)ng + 1, sizeof(*cs->cf));
    cs->ids = rk_calloc((size_t)ng + 1, sizeof(*cs->ids));
    cs->flag_seq = rk_calloc((size_t)ng + 1, sizeof(*cs->flag_seq));
    cs->refs = rk_calloc((size_t)nm + 1, sizeof(*cs->refs));
    cs->ref_ids = rk_calloc((size_t)nm + 1, sizeof(*cs->ref_ids));
    if (cs->cf == NULL || cs->ids == NULL || cs->flag_seq == NULL || cs->refs == NULL ||
        cs->ref_ids == NULL) {
        conf_free(cs);
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT id, flag_seq FROM grp_groups WHERE status = 'confirmed'"
                                " AND (?1 IS NULL OR id = ?1) ORDER BY id",
                                err);
    if (st == NULL) {
        conf_free(cs);
        return RK_EIO;
    }
    rk__bind_text(st, 1, only);
    while (cs->n < (size_t)ng && sqlite3_step(st) == SQLITE_ROW) {
        snprintf(cs->ids[cs->n], 37, "%s", rk__col_text(st, 0));
        cs->flag_seq[cs->n] = sqlite3_column_int64(st, 1);
        cs->cf[cs->n].group_id = cs->ids[cs->n];
        cs->n++;
    }
    sqlite3_reset(st);
    st = rk__stmt(c,
                  "SELECT m.group_id, m.object_kind, m.object_id FROM grp_members m"
                  " JOIN grp_groups g ON g.id = m.group_id WHERE g.status = 'confirmed'"
                  " AND (?1 IS NULL OR g.id = ?1) ORDER BY m.group_id",
                  err);
    if (st == NULL) {
        conf_free(cs);
        return RK_EIO;
    }
    rk__bind_text(st, 1, only);
    size_t k = 0, g = 0;
    while (k < (size_t)nm && sqlite3_step(st) == SQLITE_ROW) {
        const char *gid = rk__col_text(st, 0);
        while (g < cs->n && strcmp(cs->ids[g], gid) != 0)
            g++;
        if (g == cs->n)
            break;
        snprintf(cs->ref_ids[k], 37, "%s", rk__col_text(st, 2));
        cs->refs[k].kind = rk_corr_kind_from_name(rk__col_text(st, 1));
        cs->refs[k].object_id = cs->ref_ids[k];
        if (cs->cf[g].nmembers == 0)
            cs->cf[g].members = &cs->refs[k];
        cs->cf[g].nmembers++;
        k++;
    }
    sqlite3_reset(st);
    return RK_OK;
}

/* ===== Flagging: catch-up from the audit chain ===== */

struct touched {
    enum rk_corr_kind kind;
    char id[37];
    int64_t seq;
};

/*
 * Checks every report and case written after the stored position (and up to `upto`, the audit
 * position the index reflects) against the confirmed groups, records a flag for each touch by
 * a write later than the group's confirmation, and moves the position — all in one transaction,
 * so a crash loses nothing and repeats nothing.
 */
static enum rk_status flags_catch_up(struct rk_store *s, struct rk_conn *c, int64_t upto,
                                     struct rk_error *err)
{
    struct conf_set cs = {0};
    struct touched *objs = NULL;
    size_t n = 0, cap = 0;
    enum rk_status rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        return rc;
    int64_t pos = count_of(c, "SELECT flag_seq FROM grp_flag_state WHERE id = 1", NULL);
    if (pos < 0) {
        rc = rk__err(err, RK_EIO, NULL, "cannot read the flag position");
        goto out;
    }
    if (pos >= upto)
        goto out;
    rc = conf_load(c, NULL, &cs, err);
    if (rc != RK_OK || cs.n == 0)
        goto advance;
    /* The objects written in (pos, upto]; a changed report also changes the cases holding it. */
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT object_type, object_id, max(seq) FROM audit"
                                " WHERE seq > ?1 AND seq <= ?2 AND action <> 'read'"
                                " AND object_type IN ('report', 'case') AND object_id <> ''"
                                " GROUP BY 1, 2"
                                " UNION ALL SELECT 'case', cr.case_id, max(a.seq) FROM audit a"
                                " JOIN case_reports cr ON cr.report_id = a.object_id"
                                " WHERE a.seq > ?1 AND a.seq <= ?2 AND a.action <> 'read'"
                                " AND a.object_type = 'report' GROUP BY 2",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    sqlite3_bind_int64(st, 1, pos);
    sqlite3_bind_int64(st, 2, upto);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct touched *t = rk_realloc(objs, ncap * sizeof(*t));
            if (t == NULL) {
                r = SQLITE_NOMEM;
                break;
            }
            objs = t;
            cap = ncap;
        }
        objs[n].kind = rk_corr_kind_from_name(rk__col_text(st, 0));
        snprintf(objs[n].id, sizeof(objs[n].id), "%s", rk__col_text(st, 1));
        objs[n].seq = sqlite3_column_int64(st, 2);
        n++;
    }
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        rc = r == SQLITE_NOMEM ? rk__err(err, RK_ENOMEM, NULL, "out of memory")
                               : rk__db_error(c, r, err);
        goto out;
    }
    struct rk_actor sys;
    rk_actor_system(&sys);
    char now[21];
    rk__now(now);
    for (size_t i = 0; i < n && rc == RK_OK; i++) {
        struct rk_corr_touches *t = NULL;
        rc = rk__corr_touching_of(s, objs[i].kind, objs[i].id, cs.cf, cs.n, &t, err);
        for (size_t k = 0; rc == RK_OK && k < t->count; k++) {
            size_t g = t->items[k].group;
            if (objs[i].seq <= cs.flag_seq[g])
                continue; /* written before the group was confirmed: already known then */
            char fid[37];
            if (rk__uuid(fid) != RK_OK) {
                rc = rk__err(err, RK_EIO, NULL, "no randomness for an id");
                break;
            }
            st = rk__stmt(c,
                          "INSERT OR IGNORE INTO grp_flags (id, group_id, object_kind, object_id,"
                          " type, value, audit_seq, flagged_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                          " ?7, ?8)",
                          err);
            if (st == NULL) {
                rc = RK_EIO;
                break;
            }
            rk__bind_text(st, 1, fid);
            rk__bind_text(st, 2, cs.ids[g]);
            rk__bind_text(st, 3, rk_corr_kind_name(objs[i].kind));
            rk__bind_text(st, 4, objs[i].id);
            rk__bind_text(st, 5, t->items[k].type);
            rk__bind_text(st, 6, t->items[k].value);
            sqlite3_bind_int64(st, 7, objs[i].seq);
            rk__bind_text(st, 8, now);
            rc = step_done(c, st, err);
            if (rc == RK_OK && sqlite3_changes(c->db) == 1)
                rc = audit_write(c, &sys, "flag", "group", cs.ids[g],
                                 rk_corr_kind_name(objs[i].kind), err);
        }
        rk_corr_touches_destroy(t);
    }
advance:
    if (rc == RK_OK) {
        st = rk__stmt(c, "UPDATE grp_flag_state SET flag_seq = ?1 WHERE id = 1", err);
        if (st == NULL)
            rc = RK_EIO;
        else {
            sqlite3_bind_int64(st, 1, upto);
            rc = step_done(c, st, err);
        }
    }
out:
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
    conf_free(&cs);
    rk_free(objs);
    return rc;
}

/*
 * The start of every group call that reads: the index is brought up to date first (it borrows a
 * connection of its own, so before ours), then ours is borrowed, the caller checked and the
 * flags caught up.
 */
static enum rk_status group_read_begin(struct rk_store *s, const struct rk_actor *who,
                                       struct rk_conn **c, struct rk_access *a,
                                       struct rk_error *err)
{
    int64_t seq = 0;
    *c = NULL;
    enum rk_status rc = rk__corr_sync(s, &seq, err);
    if (rc == RK_OK)
        rc = group_begin(s, who, c, a, err);
    if (rc == RK_OK)
        rc = flags_catch_up(s, *c, seq, err);
    return rc;
}

/* ===== Ties ===== */

/* Recomputes and stores the tie values of group `gid` from its members as the store holds them
 * now (inside the caller's transaction). Computed as the installation: the stored ties are the
 * group's; reads show them only to callers who may read every member. */
static enum rk_status store_ties(struct rk_store *s, struct rk_conn *c, const char *gid,
                                 struct rk_error *err)
{
    struct conf_set cs = {0};
    struct rk_corr_groups *g = NULL;
    enum rk_status rc = conf_load(c, gid, &cs, err);
    if (rc == RK_OK)
        rc = rk__corr_groups_with(s, c, NULL, cs.cf, cs.n, &g, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_stmt *st = rk__stmt(c, "DELETE FROM grp_ties WHERE group_id = ?1", err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    rk__bind_text(st, 1, gid);
    rc = step_done(c, st, err);
    for (size_t i = 0; rc == RK_OK && i < g->count; i++) {
        const struct rk_corr_group *gr = &g->groups[i];
        if (!gr->confirmed || strcmp(gr->id, gid) != 0)
            continue;
        for (size_t k = 0; rc == RK_OK && k < gr->nties; k++) {
            st = rk__stmt(c,
                          "INSERT OR REPLACE INTO grp_ties (group_id, type, value, members)"
                          " VALUES (?1, ?2, ?3, ?4)",
                          err);
            if (st == NULL) {
                rc = RK_EIO;
                break;
            }
            rk__bind_text(st, 1, gid);
            rk__bind_text(st, 2, gr->ties[k].type);
            rk__bind_text(st, 3, gr->ties[k].value);
            sqlite3_bind_int64(st, 4, (sqlite3_int64)gr->ties[k].members);
            rc = step_done(c, st, err);
        }
    }
out:
    rk_corr_groups_destroy(g);
    conf_free(&cs);
    return rc;
}

/* ===== Rendering ===== */

static json_t *actor_ref(struct rk_conn *c, const char *actor_id)
{
    if (actor_id == NULL || *actor_id == '\0')
        return json_null();
    sqlite3_stmt *st = rk__stmt(c, "SELECT name_ja, name_en FROM actors WHERE id = ?1", NULL);
    json_t *o = json_null();
    if (st == NULL)
        return o;
    rk__bind_text(st, 1, actor_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        o = json_pack("{s:s,s:s,s:s}", "id", actor_id, "name_ja", rk__col_text(st, 0), "name_en",
                      rk__col_text(st, 1));
    sqlite3_reset(st);
    return o;
}

static json_t *ties_json(const struct rk_corr_group *gr)
{
    json_t *ties = json_array();
    for (size_t k = 0; gr != NULL && k < gr->nties; k++)
        json_array_append_new(ties, json_pack("{s:s,s:s,s:I}", "type", gr->ties[k].type, "value",
                                              gr->ties[k].value, "members",
                                              (json_int_t)gr->ties[k].members));
    return ties;
}

static json_t *stored_ties(struct rk_conn *c, const char *gid)
{
    json_t *ties = json_array();
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT type, value, members FROM grp_ties WHERE group_id = ?1"
                                " ORDER BY members DESC, type, value",
                                NULL);
    if (st == NULL)
        return ties;
    rk__bind_text(st, 1, gid);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(ties, json_pack("{s:s,s:s,s:I}", "type", rk__col_text(st, 0), "value",
                                              rk__col_text(st, 1), "members",
                                              (json_int_t)sqlite3_column_int64(st, 2)));
    sqlite3_reset(st);
    return ties;
}

#define GROUP_COLS                                                                                 \
    "id, name, aliases, actor_id, status, merged_into, tlp, scope, created_by, created_at,"        \
    " confirmed_by, confirmed_at, updated_at"

/* A confirmed or dissolved group. `live` is the index's view of it (the caller's need-to-know
 * applied: linked objects and ties of readable members), or NULL. */
static enum rk_status render_group(struct rk_store *s, struct rk_conn *c, const struct rk_access *a,
                                   const char *gid, const struct rk_corr_group *live,
                                   int with_members, json_t **out, struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, "SELECT " GROUP_COLS " FROM grp_groups WHERE id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, gid);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        sqlite3_reset(st);
        return r == SQLITE_DONE ? rk__err(err, RK_ENOTFOUND, "id", "no such group")
                                : rk__db_error(c, r, err);
    }
    char actor_id[37], merged[37];
    snprintf(actor_id, sizeof(actor_id), "%s", rk__col_text(st, 3));
    snprintf(merged, sizeof(merged), "%s", rk__col_text(st, 5));
    json_t *g = json_pack(
        "{s:s,s:b,s:s,s:s,s:o,s:s,s:s,s:o,s:s,s:s,s:o,s:s,s:s}", "id", rk__col_text(st, 0),
        "confirmed", strcmp(rk__col_text(st, 4), "confirmed") == 0, "status", rk__col_text(st, 4),
        "name", rk__col_text(st, 1), "aliases", aliases_json(rk__col_text(st, 2)), "tlp",
        rk__col_text(st, 6), "scope", rk__col_text(st, 7), "created_by",
        rk__user_ref(c, rk__col_text(st, 8)), "created_at", rk__col_text(st, 9), "confirmed_at",
        rk__col_text(st, 11), "confirmed_by", rk__user_ref(c, rk__col_text(st, 10)), "updated_at",
        rk__col_text(st, 12), "merged_into", merged);
    sqlite3_reset(st);
    if (g == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    if (merged[0] == '\0')
        json_object_set_new(g, "merged_into", json_null());
    json_object_set_new(g, "actor", actor_ref(c, actor_id));
    /* Members, from the store: the analyst's decision, not the clustering. */
    json_t *members = json_array();
    size_t nmem = 0, nread = 0;
    st = rk__stmt(c,
                  "SELECT object_kind, object_id, added_how, added_by, added_at FROM grp_members"
                  " WHERE group_id = ?1 ORDER BY added_at, object_kind, object_id",
                  err);
    if (st == NULL) {
        json_decref(g);
        json_decref(members);
        return RK_EIO;
    }
    rk__bind_text(st, 1, gid);
    struct member_list rows = {0};
    char(*how)[16] = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (members_push(&rows, rk_corr_kind_from_name(rk__col_text(st, 0)), rk__col_text(st, 1)) !=
            RK_OK)
            break;
        char(*h)[16] = rk_realloc(how, rows.cap * sizeof(*h));
        if (h == NULL)
            break;
        how = h;
        snprintf(how[rows.n - 1], 16, "%s", rk__col_text(st, 2));
    }
    sqlite3_reset(st);
    for (size_t i = 0; i < rows.n; i++) {
        int readable = 0;
        json_t *m = object_json(s, c, a, rows.m[i].kind, rows.m[i].id, &readable);
        nmem++;
        nread += readable != 0;
        if (readable && how != NULL)
            json_object_set_new(m, "added_how", json_string(how[i]));
        if (with_members)
            json_array_append_new(members, m);
        else
            json_decref(m);
    }
    members_free(&rows);
    rk_free(how);
    json_object_set_new(g, "members", members);
    json_object_set_new(g, "member_count", json_integer((json_int_t)nmem));
    /* A tie value is shown only when a readable member holds it: the stored ties when the caller
     * reads every member, else those the index finds among the readable members. */
    json_object_set_new(g, "ties", nread == nmem ? stored_ties(c, gid) : ties_json(live));
    json_t *linked = json_array();
    for (size_t k = 0; with_members && live != NULL && k < live->nflagged; k++) {
        const struct rk_corr_member *m = &live->flagged[k];
        json_t *o;
        if (m->restricted) {
            o = rk__restricted(c, m->unit_id);
            json_object_set_new(o, "kind", json_string(rk_corr_kind_name(m->kind)));
        } else {
            int readable = 0;
            o = object_json(s, c, a, m->kind, m->object_id, &readable);
            if (m->reason != NULL)
                json_object_set_new(o, "reason", json_string(m->reason));
        }
        json_array_append_new(linked, o);
    }
    json_object_set_new(g, "linked", linked);
    json_object_set_new(
        g, "flags_open",
        json_integer((json_int_t)count_of(c,
                                          "SELECT count(*) FROM grp_flags WHERE group_id = ?1"
                                          " AND acked_at IS NULL",
                                          gid)));
    *out = g;
    return RK_OK;
}

/* The confirmed groups' live view from the index, under the caller's need-to-know. */
static enum rk_status live_groups(struct rk_store *s, struct rk_conn *c, const struct rk_access *a,
                                  struct conf_set *cs, struct rk_corr_groups **g,
                                  struct rk_error *err)
{
    enum rk_status rc = conf_load(c, NULL, cs, err);
    if (rc == RK_OK)
        rc = rk__corr_groups_with(s, c, a, cs->cf, cs->n, g, err);
    return rc;
}

static const struct rk_corr_group *live_find(const struct rk_corr_groups *g, const char *gid)
{
    for (size_t i = 0; g != NULL && i < g->count; i++)
        if (g->groups[i].confirmed && strcmp(g->groups[i].id, gid) == 0)
            return &g->groups[i];
    return NULL;
}

/* A candidate, with the confirmed groups its readable members already belong to. Returns NULL
 * (and nothing audited) when it is not to be listed: no readable member, or every member is
 * already in a confirmed group. */
static json_t *render_candidate(struct rk_store *s, struct rk_conn *c, const struct rk_access *a,
                                const struct rk_corr_group *gr)
{
    size_t nread = 0, ninconf = 0;
    for (size_t k = 0; k < gr->nmembers; k++) {
        const struct rk_corr_member *m = &gr->members[k];
        if (m->restricted)
            continue;
        nread++;
        /* One statement per kind, so the lookup uses grp_members_object (kind, id). */
        ninconf += count_of(c,
                            m->kind == RK_CORR_REPORT
                                ? "SELECT count(*) FROM grp_members m JOIN grp_groups g"
                                  " ON g.id = m.group_id WHERE g.status = 'confirmed'"
                                  " AND m.object_kind = 'report' AND m.object_id = ?1"
                                : "SELECT count(*) FROM grp_members m JOIN grp_groups g"
                                  " ON g.id = m.group_id WHERE g.status = 'confirmed'"
                                  " AND m.object_kind = 'case' AND m.object_id = ?1",
                            m->object_id) > 0;
    }
    if (nread == 0 || ninconf == gr->nmembers)
        return NULL;
    json_t *members = json_array(), *overlaps = json_array();
    for (size_t k = 0; k < gr->nmembers; k++) {
        const struct rk_corr_member *m = &gr->members[k];
        json_t *o;
        if (m->restricted) {
            o = rk__restricted(c, m->unit_id);
            json_object_set_new(o, "kind", json_string(rk_corr_kind_name(m->kind)));
        } else {
            int readable = 0;
            o = object_json(s, c, a, m->kind, m->object_id, &readable);
        }
        json_array_append_new(members, o);
    }
    if (ninconf > 0) {
        /* The overlap, per confirmed group, counted over the readable members. */
        sqlite3_stmt *st = rk__stmt(c,
                                    "SELECT g.id, g.name FROM grp_groups g"
                                    " WHERE g.status = 'confirmed' ORDER BY g.name, g.id",
                                    NULL);
        while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
            const char *gid = rk__col_text(st, 0);
            json_int_t n = 0;
            for (size_t k = 0; k < gr->nmembers; k++) {
                const struct rk_corr_member *m = &gr->members[k];
                if (m->restricted)
                    continue;
                sqlite3_stmt *q = rk__stmt(c,
                                           "SELECT 1 FROM grp_members WHERE group_id = ?1"
                                           " AND object_kind = ?2 AND object_id = ?3",
                                           NULL);
                if (q == NULL)
                    continue;
                rk__bind_text(q, 1, gid);
                rk__bind_text(q, 2, rk_corr_kind_name(m->kind));
                rk__bind_text(q, 3, m->object_id);
                n += sqlite3_step(q) == SQLITE_ROW;
                sqlite3_reset(q);
            }
            if (n > 0)
                json_array_append_new(overlaps, json_pack("{s:s,s:s,s:I}", "group_id", gid, "name",
                                                          rk__col_text(st, 1), "members", n));
        }
        if (st != NULL)
            sqlite3_reset(st);
    }
    return json_pack("{s:s,s:b,s:s,s:o,s:I,s:o,s:o}", "id", gr->id, "confirmed", 0, "status",
                     "candidate", "members", members, "member_count", (json_int_t)gr->nmembers,
                     "ties", ties_json(gr), "overlaps", overlaps);
}

/* ===== Reads ===== */

enum rk_status rk_group_list(struct rk_store *s, const struct rk_actor *who, json_t **out,
                             struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    struct conf_set cs = {0};
    struct rk_corr_groups *g = NULL;
    json_t *items = NULL;
    enum rk_status rc = group_read_begin(s, who, &c, &a, err);
    if (rc == RK_OK)
        rc = live_groups(s, c, &a, &cs, &g, err);
    if (rc != RK_OK)
        goto out;
    items = json_array();
    /* One read transaction: every row rendered comes from one snapshot. */
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT id FROM grp_groups WHERE status = 'confirmed'"
                                " ORDER BY name, id",
                                err);
    char(*ids)[37] = rk_calloc(cs.n + 1, sizeof(*ids));
    size_t n = 0;
    while (st != NULL && ids != NULL && n < cs.n && sqlite3_step(st) == SQLITE_ROW)
        snprintf(ids[n++], 37, "%s", rk__col_text(st, 0));
    if (st != NULL)
        sqlite3_reset(st);
    for (size_t i = 0; rc == RK_OK && i < n; i++) {
        json_t *o = NULL;
        rc = render_group(s, c, &a, ids[i], live_find(g, ids[i]), 1, &o, err);
        if (rc == RK_OK)
            json_array_append_new(items, o);
    }
    rk_free(ids);
    for (size_t i = 0; rc == RK_OK && i < g->count; i++) {
        if (g->groups[i].confirmed)
            continue;
        json_t *o = render_candidate(s, c, &a, &g->groups[i]);
        if (o != NULL)
            json_array_append_new(items, o);
    }
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (rc == RK_OK) {
        *out = json_pack("{s:O}", "items", items);
        if (*out == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        else
            rk__audit_read(s, who, "group", "", "list");
    }
out:
    json_decref(items);
    rk_corr_groups_destroy(g);
    conf_free(&cs);
    rk__conn_put(s, c);
    return rc;
}

/* Renders group `gid` with its live view (used after every write too). */
static enum rk_status render_full(struct rk_store *s, struct rk_conn *c, const struct rk_access *a,
                                  const char *gid, json_t **out, struct rk_error *err)
{
    struct conf_set cs = {0};
    struct rk_corr_groups *g = NULL;
    enum rk_status rc = live_groups(s, c, a, &cs, &g, err);
    if (rc == RK_OK)
        rc = render_group(s, c, a, gid, live_find(g, gid), 1, out, err);
    rk_corr_groups_destroy(g);
    conf_free(&cs);
    return rc;
}

enum rk_status rk_group_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                            json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    if (id == NULL || !rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such group");
    enum rk_status rc = group_read_begin(s, who, &c, &a, err);
    if (rc == RK_OK)
        rc = render_full(s, c, &a, id, out, err);
    if (rc == RK_OK)
        rk__audit_read(s, who, "group", id, NULL);
    rk__conn_put(s, c);
    return rc;
}

/* ===== Writes ===== */

/* Reads the group's status inside a write transaction: RK_ENOTFOUND, RK_ECONFLICT when it is
 * dissolved, else RK_OK. */
static enum rk_status group_live(struct rk_conn *c, const char *gid, const char *field,
                                 struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, "SELECT status FROM grp_groups WHERE id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, gid);
    int r = sqlite3_step(st);
    enum rk_status rc = RK_OK;
    if (r == SQLITE_DONE)
        rc = rk__err(err, RK_ENOTFOUND, field, "no such group");
    else if (r != SQLITE_ROW)
        rc = rk__db_error(c, r, err);
    else if (strcmp(rk__col_text(st, 0), "confirmed") != 0)
        rc = rk__err(err, RK_ECONFLICT, field, "the group is dissolved");
    sqlite3_reset(st);
    return rc;
}

static enum rk_status actor_exists(struct rk_conn *c, const char *actor_id, struct rk_error *err)
{
    if (actor_id == NULL)
        return RK_OK;
    if (!rk__is_uuid(actor_id) ||
        count_of(c, "SELECT count(*) FROM actors WHERE id = ?1", actor_id) != 1)
        return rk__err(err, RK_EINVAL, "actor_id", "no such actor");
    return RK_OK;
}

static enum rk_status add_member(struct rk_conn *c, const char *gid, const struct member *m,
                                 const char *how, const struct rk_actor *who, const char *now,
                                 struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT OR IGNORE INTO grp_members (group_id, object_kind,"
                                " object_id, added_how, added_by, added_at)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, gid);
    rk__bind_text(st, 2, rk_corr_kind_name(m->kind));
    rk__bind_text(st, 3, m->id);
    rk__bind_text(st, 4, how);
    rk__bind_text(st, 5, who->user_id);
    rk__bind_text(st, 6, now);
    return step_done(c, st, err);
}

static enum rk_status remove_member(struct rk_conn *c, const char *gid, const struct member *m,
                                    struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c,
                                "DELETE FROM grp_members WHERE group_id = ?1 AND object_kind = ?2"
                                " AND object_id = ?3",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, gid);
    rk__bind_text(st, 2, rk_corr_kind_name(m->kind));
    rk__bind_text(st, 3, m->id);
    return step_done(c, st, err);
}

static int is_member(struct rk_conn *c, const char *gid, const struct member *m)
{
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT 1 FROM grp_members WHERE group_id = ?1 AND object_kind = ?2"
                                " AND object_id = ?3",
                                NULL);
    if (st == NULL)
        return 0;
    rk__bind_text(st, 1, gid);
    rk__bind_text(st, 2, rk_corr_kind_name(m->kind));
    rk__bind_text(st, 3, m->id);
    int r = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return r;
}

static enum rk_status touch_group(struct rk_conn *c, const char *gid, const char *now,
                                  struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, "UPDATE grp_groups SET updated_at = ?2 WHERE id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, gid);
    rk__bind_text(st, 2, now);
    return step_done(c, st, err);
}

/* Inserts a new confirmed group with `l` as members added `how`. Its flag position is the
 * audit position after its own creation event, so only later writes flag it. */
static enum rk_status insert_group(struct rk_store *s, struct rk_conn *c,
                                   const struct rk_actor *who, const char *name,
                                   const char *aliases, const char *actor_id, const char *tlp,
                                   const char *scope, const struct member_list *l, const char *how,
                                   const char *detail, char gid[37], struct rk_error *err)
{
    char now[21];
    rk__now(now);
    if (rk__uuid(gid) != RK_OK)
        return rk__err(err, RK_EIO, NULL, "no randomness for an id");
    enum rk_status rc = audit_write(c, who, "confirm", "group", gid, detail, err);
    if (rc != RK_OK)
        return rc;
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO grp_groups (id, name, aliases, actor_id, status, tlp,"
                                " scope, flag_seq, created_by, created_at, confirmed_by,"
                                " confirmed_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'confirmed',"
                                " ?5, ?6, ?7, ?8, ?9, ?8, ?9, ?9)",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, gid);
    rk__bind_text(st, 2, name);
    rk__bind_text(st, 3, aliases ? aliases : "[]");
    rk__bind_text(st, 4, actor_id);
    rk__bind_text(st, 5, tlp ? tlp : "AMBER");
    rk__bind_text(st, 6, scope ? scope : "prefecture");
    sqlite3_bind_int64(st, 7, audit_top(c));
    rk__bind_text(st, 8, who->user_id);
    rk__bind_text(st, 9, now);
    rc = step_done(c, st, err);
    for (size_t i = 0; rc == RK_OK && i < l->n; i++)
        rc = add_member(c, gid, &l->m[i], how, who, now, err);
    if (rc == RK_OK)
        rc = store_ties(s, c, gid, err);
    return rc;
}

struct write_ctx {
    struct rk_conn *c;
    struct rk_access a;
    int in_tx;
};

/* Index first (it borrows its own connection), then ours, the caller's role, a transaction. */
static enum rk_status write_begin(struct rk_store *s, const struct rk_actor *who,
                                  struct write_ctx *w, struct rk_error *err)
{
    int64_t seq;
    memset(w, 0, sizeof(*w));
    enum rk_status rc = rk__corr_sync(s, &seq, err);
    if (rc == RK_OK)
        rc = group_begin(s, who, &w->c, &w->a, err);
    /* Flags up to now are recorded before membership changes, so a write that changes
     * membership never decides which earlier writes flag the group. */
    if (rc == RK_OK)
        rc = flags_catch_up(s, w->c, seq, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, w->c, err);
    w->in_tx = rc == RK_OK;
    return rc;
}

/* Commits (or rolls back) and renders group `gid` for the answer. */
static enum rk_status write_end(struct rk_store *s, struct write_ctx *w, enum rk_status rc,
                                const char *gid, json_t **out, struct rk_error *err)
{
    if (w->in_tx) {
        if (rc == RK_OK)
            rc = rk__tx_commit(s, w->c, err);
        else
            rk__tx_rollback(s, w->c);
        w->in_tx = 0;
    }
    if (rc == RK_OK && out != NULL)
        rc = render_full(s, w->c, &w->a, gid, out, err);
    rk__conn_put(s, w->c);
    w->c = NULL;
    return rc;
}

static enum rk_status parse_marking(struct rk_store *s, json_t *in, const char **tlp,
                                    const char **scope, struct rk_error *err)
{
    enum rk_status rc = rk__json_str(in, "tlp", "tlp", 0, 16, tlp, err);
    if (rc == RK_OK && *tlp && !rk__ref_in_list(s->ref, "tlp", *tlp))
        rc = rk__err(err, RK_EINVAL, "tlp", "CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
    if (rc == RK_OK)
        rc = rk__json_str(in, "scope", "scope", 0, 16, scope, err);
    if (rc == RK_OK && *scope && !rk__ref_in_list(s->ref, "scopes", *scope))
        rc = rk__err(err, RK_EINVAL, "scope", "unit, prefecture, police, partners or public");
    return rc;
}

static enum rk_status parse_name(json_t *in, int required, const char **name, struct rk_error *err)
{
    enum rk_status rc = rk__json_str(in, "name", "name", required, RK_MAX_GROUP_NAME, name, err);
    if (rc == RK_OK && *name != NULL && (*name)[0] == '\0')
        rc = rk__err(err, RK_EINVAL, "name", "the name is empty");
    return rc;
}

enum rk_status rk_group_confirm(struct rk_store *s, const struct rk_actor *who, json_t *in,
                                json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"name", "members", "aliases", "actor_id",
                                          "tlp",  "scope",   NULL};
    const char *name = NULL, *actor_id = NULL, *tlp = NULL, *scope = NULL;
    char *aliases = NULL;
    struct member_list l = {0};
    struct write_ctx w = {0};
    char gid[37] = "";
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = parse_name(in, 1, &name, err);
    if (rc == RK_OK)
        rc = parse_members(in, "members", 1, &l, err);
    if (rc == RK_OK)
        rc = parse_aliases(in, &aliases, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "actor_id", "actor_id", 0, 36, &actor_id, err);
    if (rc == RK_OK)
        rc = parse_marking(s, in, &tlp, &scope, err);
    if (rc != RK_OK)
        goto out;
    rc = write_begin(s, who, &w, err);
    if (rc == RK_OK)
        rc = resolve_refs(w.c, &w.a, &l, "members", err);
    if (rc == RK_OK)
        rc = check_readable(w.c, &w.a, &l, "members", err);
    if (rc == RK_OK)
        rc = actor_exists(w.c, actor_id, err);
    if (rc == RK_OK)
        rc = insert_group(s, w.c, who, name, aliases, actor_id, tlp, scope, &l, "candidate",
                          "confirm", gid, err);
    rc = w.c != NULL ? write_end(s, &w, rc, gid, out, err) : rc;
out:
    if (w.c != NULL)
        rk__conn_put(s, w.c);
    rk_free(aliases);
    members_free(&l);
    return rc;
}

enum rk_status rk_group_update(struct rk_store *s, const struct rk_actor *who, const char *id,
                               json_t *in, json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"name",  "aliases", "actor_id", "tlp",
                                          "scope", "status",  NULL};
    const char *name = NULL, *actor_id = NULL, *tlp = NULL, *scope = NULL, *status = NULL;
    char *aliases = NULL;
    struct write_ctx w = {0};
    if (id == NULL || !rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such group");
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = parse_name(in, 0, &name, err);
    if (rc == RK_OK)
        rc = parse_aliases(in, &aliases, err);
    json_t *aj = json_object_get(in, "actor_id");
    int unlink = aj != NULL && json_is_null(aj);
    if (rc == RK_OK && !unlink)
        rc = rk__json_str(in, "actor_id", "actor_id", 0, 36, &actor_id, err);
    if (rc == RK_OK)
        rc = parse_marking(s, in, &tlp, &scope, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "status", "status", 0, 16, &status, err);
    if (rc == RK_OK && status != NULL && strcmp(status, "dissolved") != 0)
        rc = rk__err(err, RK_EINVAL, "status", "status can only become \"dissolved\"");
    if (rc != RK_OK)
        goto out;
    rc = write_begin(s, who, &w, err);
    if (rc == RK_OK)
        rc = group_live(w.c, id, "id", err);
    if (rc == RK_OK)
        rc = actor_exists(w.c, actor_id, err);
    if (rc == RK_OK) {
        char now[21];
        rk__now(now);
        sqlite3_stmt *st = rk__stmt(w.c,
                                    "UPDATE grp_groups SET name = coalesce(?2, name),"
                                    " aliases = coalesce(?3, aliases),"
                                    " actor_id = CASE WHEN ?4 THEN NULL ELSE"
                                    " coalesce(?5, actor_id) END,"
                                    " tlp = coalesce(?6, tlp), scope = coalesce(?7, scope),"
                                    " status = coalesce(?8, status), updated_at = ?9"
                                    " WHERE id = ?1",
                                    err);
        if (st == NULL) {
            rc = RK_EIO;
        } else {
            rk__bind_text(st, 1, id);
            rk__bind_text(st, 2, name);
            rk__bind_text(st, 3, aliases);
            sqlite3_bind_int(st, 4, unlink);
            rk__bind_text(st, 5, actor_id);
            rk__bind_text(st, 6, tlp);
            rk__bind_text(st, 7, scope);
            rk__bind_text(st, 8, status);
            rk__bind_text(st, 9, now);
            rc = step_done(w.c, st, err);
        }
    }
    if (rc == RK_OK)
        rc = audit_write(w.c, who, status ? "dissolve" : "update", "group", id, NULL, err);
    rc = w.c != NULL ? write_end(s, &w, rc, id, out, err) : rc;
out:
    if (w.c != NULL)
        rk__conn_put(s, w.c);
    rk_free(aliases);
    return rc;
}

enum rk_status rk_group_merge(struct rk_store *s, const struct rk_actor *who, const char *id,
                              json_t *in, json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"group_id", NULL};
    const char *other = NULL;
    struct write_ctx w = {0};
    if (id == NULL || !rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such group");
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "group_id", "group_id", 1, 36, &other, err);
    if (rc == RK_OK && !rk__is_uuid(other))
        rc = rk__err(err, RK_EINVAL, "group_id", "no such group");
    if (rc == RK_OK && strcmp(other, id) == 0)
        rc = rk__err(err, RK_EINVAL, "group_id", "a group cannot be merged into itself");
    if (rc != RK_OK)
        return rc;
    rc = write_begin(s, who, &w, err);
    if (rc == RK_OK)
        rc = group_live(w.c, id, "id", err);
    if (rc == RK_OK) {
        rc = group_live(w.c, other, "group_id", err);
        if (rc == RK_ENOTFOUND)
            rc = rk__err(err, RK_EINVAL, "group_id", "no such group");
    }
    char now[21];
    rk__now(now);
    static const char *const sql[] = {
        /* Members of the other group move over (those already here stay as they were). */
        "INSERT OR IGNORE INTO grp_members (group_id, object_kind, object_id, added_how,"
        " added_by, added_at) SELECT ?1, object_kind, object_id, 'merge', ?3, ?4"
        " FROM grp_members WHERE group_id = ?2",
        "DELETE FROM grp_members WHERE group_id = ?2",
        /* Its open flags follow it, unless this group already flags the same object. */
        "UPDATE OR IGNORE grp_flags SET group_id = ?1 WHERE group_id = ?2 AND acked_at IS NULL",
        /* Aliases: the other group's name and aliases become aliases here. */
        "UPDATE grp_groups SET aliases = (SELECT json_group_array(a) FROM (SELECT DISTINCT a"
        " FROM (SELECT value AS a FROM json_each((SELECT aliases FROM grp_groups WHERE id = ?1))"
        " UNION ALL SELECT name FROM grp_groups WHERE id = ?2"
        " UNION ALL SELECT value FROM json_each((SELECT aliases FROM grp_groups WHERE id = ?2)))"
        " WHERE a <> (SELECT name FROM grp_groups WHERE id = ?1) LIMIT 32)),"
        " updated_at = ?4 WHERE id = ?1",
        "UPDATE grp_groups SET status = 'dissolved', merged_into = ?1, updated_at = ?4"
        " WHERE id = ?2",
        "DELETE FROM grp_ties WHERE group_id = ?2", NULL};
    for (size_t i = 0; rc == RK_OK && sql[i] != NULL; i++) {
        sqlite3_stmt *st = rk__stmt(w.c, sql[i], err);
        if (st == NULL) {
            rc = RK_EIO;
            break;
        }
        rk__bind_text(st, 1, id);
        rk__bind_text(st, 2, other);
        if (sqlite3_bind_parameter_count(st) >= 3)
            rk__bind_text(st, 3, who->user_id);
        if (sqlite3_bind_parameter_count(st) >= 4)
            rk__bind_text(st, 4, now);
        rc = step_done(w.c, st, err);
    }
    if (rc == RK_OK)
        rc = store_ties(s, w.c, id, err);
    if (rc == RK_OK)
        rc = audit_write(w.c, who, "merge", "group", id, other, err);
    if (rc == RK_OK)
        rc = audit_write(w.c, who, "dissolve", "group", other, "merged", err);
    rc = w.c != NULL ? write_end(s, &w, rc, id, out, err) : rc;
    return rc;
}

enum rk_status rk_group_split(struct rk_store *s, const struct rk_actor *who, const char *id,
                              json_t *in, json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"name", "members", "aliases", NULL};
    const char *name = NULL;
    char *aliases = NULL;
    struct member_list l = {0};
    struct write_ctx w = {0};
    char nid[37] = "";
    json_t *from = NULL, *to = NULL;
    if (id == NULL || !rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such group");
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = parse_name(in, 1, &name, err);
    if (rc == RK_OK)
        rc = parse_members(in, "members", 1, &l, err);
    if (rc == RK_OK)
        rc = parse_aliases(in, &aliases, err);
    if (rc != RK_OK)
        goto out;
    rc = write_begin(s, who, &w, err);
    if (rc == RK_OK)
        rc = group_live(w.c, id, "id", err);
    if (rc == RK_OK)
        rc = resolve_refs(w.c, &w.a, &l, "members", err);
    for (size_t i = 0; rc == RK_OK && i < l.n; i++) {
        if (!is_member(w.c, id, &l.m[i])) {
            char field[48];
            snprintf(field, sizeof(field), "members[%zu].id", i);
            rc = rk__err(err, RK_EINVAL, field, "not a member of this group");
        }
    }
    if (rc == RK_OK &&
        count_of(w.c, "SELECT count(*) FROM grp_members WHERE group_id = ?1", id) <= (int64_t)l.n)
        rc = rk__err(err, RK_EINVAL, "members", "at least one member must stay in the group");
    /* The new group keeps the old one's actor and marking. */
    char actor[37] = "", tlp[16] = "AMBER", scope[16] = "prefecture";
    if (rc == RK_OK) {
        sqlite3_stmt *st =
            rk__stmt(w.c, "SELECT actor_id, tlp, scope FROM grp_groups WHERE id = ?1", err);
        if (st == NULL) {
            rc = RK_EIO;
        } else {
            rk__bind_text(st, 1, id);
            if (sqlite3_step(st) == SQLITE_ROW) {
                snprintf(actor, sizeof(actor), "%s", rk__col_text(st, 0));
                snprintf(tlp, sizeof(tlp), "%s", rk__col_text(st, 1));
                snprintf(scope, sizeof(scope), "%s", rk__col_text(st, 2));
            }
            sqlite3_reset(st);
        }
    }
    for (size_t i = 0; rc == RK_OK && i < l.n; i++)
        rc = remove_member(w.c, id, &l.m[i], err);
    if (rc == RK_OK)
        rc = insert_group(s, w.c, who, name, aliases, actor[0] ? actor : NULL, tlp, scope, &l,
                          "split", "split", nid, err);
    char now[21];
    rk__now(now);
    if (rc == RK_OK)
        rc = touch_group(w.c, id, now, err);
    if (rc == RK_OK)
        rc = store_ties(s, w.c, id, err);
    if (rc == RK_OK)
        rc = audit_write(w.c, who, "split", "group", id, nid, err);
    rc = w.c != NULL ? write_end(s, &w, rc, id, rc == RK_OK ? &from : NULL, err) : rc;
    if (rc == RK_OK) {
        struct rk_conn *c = NULL;
        struct rk_access a;
        rc = group_begin(s, who, &c, &a, err);
        if (rc == RK_OK)
            rc = render_full(s, c, &a, nid, &to, err);
        rk__conn_put(s, c);
    }
    if (rc == RK_OK) {
        *out = json_pack("{s:O,s:O}", "from", from, "to", to);
        if (*out == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
out:
    if (w.c != NULL)
        rk__conn_put(s, w.c);
    json_decref(from);
    json_decref(to);
    rk_free(aliases);
    members_free(&l);
    return rc;
}

enum rk_status rk_group_members(struct rk_store *s, const struct rk_actor *who, const char *id,
                                json_t *in, json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"add", "remove", NULL};
    struct member_list add = {0}, rem = {0};
    struct write_ctx w = {0};
    if (id == NULL || !rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such group");
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = parse_members(in, "add", 0, &add, err);
    if (rc == RK_OK)
        rc = parse_members(in, "remove", 0, &rem, err);
    if (rc == RK_OK && add.n + rem.n == 0)
        rc = rk__err(err, RK_EINVAL, "add", "name members to add or remove");
    if (rc != RK_OK)
        goto out;
    rc = write_begin(s, who, &w, err);
    if (rc == RK_OK)
        rc = group_live(w.c, id, "id", err);
    if (rc == RK_OK)
        rc = resolve_refs(w.c, &w.a, &add, "add", err);
    if (rc == RK_OK)
        rc = resolve_refs(w.c, &w.a, &rem, "remove", err);
    if (rc == RK_OK)
        rc = check_readable(w.c, &w.a, &add, "add", err);
    for (size_t i = 0; rc == RK_OK && i < rem.n; i++) {
        if (!is_member(w.c, id, &rem.m[i])) {
            char field[48];
            snprintf(field, sizeof(field), "remove[%zu].id", i);
            rc = rk__err(err, RK_EINVAL, field, "not a member of this group");
        }
    }
    char now[21];
    rk__now(now);
    for (size_t i = 0; rc == RK_OK && i < add.n; i++)
        if (!members_has(&rem, add.m[i].kind, add.m[i].id))
            rc = add_member(w.c, id, &add.m[i], "manual", who, now, err);
    for (size_t i = 0; rc == RK_OK && i < rem.n; i++)
        rc = remove_member(w.c, id, &rem.m[i], err);
    if (rc == RK_OK &&
        count_of(w.c, "SELECT count(*) FROM grp_members WHERE group_id = ?1", id) < 1)
        rc = rk__err(err, RK_EINVAL, "remove", "a group keeps at least one member");
    if (rc == RK_OK && count_of(w.c, "SELECT count(*) FROM grp_members WHERE group_id = ?1", id) >
                           (int64_t)RK_MAX_GROUP_MEMBERS)
        rc =
            rk__err(err, RK_ETOOBIG, "add", "a group has at most %u members", RK_MAX_GROUP_MEMBERS);
    if (rc == RK_OK)
        rc = touch_group(w.c, id, now, err);
    if (rc == RK_OK)
        rc = store_ties(s, w.c, id, err);
    if (rc == RK_OK)
        rc = audit_write(w.c, who, "members", "group", id, NULL, err);
    rc = w.c != NULL ? write_end(s, &w, rc, id, out, err) : rc;
out:
    if (w.c != NULL)
        rk__conn_put(s, w.c);
    members_free(&add);
    members_free(&rem);
    return rc;
}

/* ===== Flags ===== */

#define FLAG_COLS                                                                                  \
    "f.id, f.group_id, g.name, f.object_kind, f.object_id, f.type, f.value, f.flagged_at,"         \
    " f.acked_by, f.acked_at, f.ack_action"

static json_t *render_flag(struct rk_store *s, struct rk_conn *c, const struct rk_access *a,
                           sqlite3_stmt *st)
{
    int readable = 0;
    enum rk_corr_kind kind = rk_corr_kind_from_name(rk__col_text(st, 3));
    json_t *obj = object_json(s, c, a, kind, rk__col_text(st, 4), &readable);
    int acked = sqlite3_column_type(st, 9) != SQLITE_NULL;
    json_t *f = json_pack(
        "{s:s,s:{s:s,s:s},s:o,s:s,s:s,s:o,s:o}", "id", rk__col_text(st, 0), "group", "id",
        rk__col_text(st, 1), "name", rk__col_text(st, 2), "object", obj, "flagged_at",
        rk__col_text(st, 7), "status",
        acked ? (strcmp(rk__col_text(st, 10), "add") == 0 ? "added" : "acknowledged") : "open",
        "acked_by", acked ? rk__user_ref(c, rk__col_text(st, 8)) : json_null(), "acked_at",
        rk__col_json_str(st, 9));
    /* The value is case data of the flagged object: shown only to those who may read it. */
    if (f != NULL && readable)
        json_object_set_new(
            f, "shared",
            json_pack("{s:s,s:s}", "type", rk__col_text(st, 5), "value", rk__col_text(st, 6)));
    return f;
}

enum rk_status rk_group_flags(struct rk_store *s, const struct rk_actor *who, const char *group_id,
                              const char *status, json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    json_t *items = NULL;
    int all = 0;
    if (status != NULL && *status != '\0') {
        if (strcmp(status, "all") == 0)
            all = 1;
        else if (strcmp(status, "open") != 0)
            return rk__err(err, RK_EINVAL, "status", "status must be \"open\" or \"all\"");
    }
    if (group_id != NULL && !rk__is_uuid(group_id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such group");
    enum rk_status rc = group_read_begin(s, who, &c, &a, err);
    if (rc == RK_OK && group_id != NULL &&
        count_of(c, "SELECT count(*) FROM grp_groups WHERE id = ?1", group_id) != 1)
        rc = rk__err(err, RK_ENOTFOUND, "id", "no such group");
    if (rc != RK_OK)
        goto out;
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT " FLAG_COLS " FROM grp_flags f JOIN grp_groups g"
                                " ON g.id = f.group_id WHERE (?1 IS NULL OR f.group_id = ?1)"
                                " AND (?2 OR f.acked_at IS NULL)"
                                " AND (?1 IS NOT NULL OR g.status = 'confirmed')"
                                " ORDER BY f.flagged_at DESC, f.audit_seq DESC LIMIT 500",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    items = json_array();
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    rk__bind_text(st, 1, group_id);
    sqlite3_bind_int(st, 2, all);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(items, render_flag(s, c, &a, st));
    sqlite3_reset(st);
    int64_t open = count_of(c,
                            "SELECT count(*) FROM grp_flags f JOIN grp_groups g ON g.id ="
                            " f.group_id WHERE (?1 IS NULL OR f.group_id = ?1) AND"
                            " f.acked_at IS NULL AND (?1 IS NOT NULL OR g.status = 'confirmed')",
                            group_id);
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto out;
    }
    *out = json_pack("{s:O,s:I}", "items", items, "open", (json_int_t)open);
    if (*out == NULL)
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    else
        rk__audit_read(s, who, "group", group_id ? group_id : "", "flags");
out:
    json_decref(items);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_group_flag_ack(struct rk_store *s, const struct rk_actor *who,
                                 const char *group_id, const char *flag_id, json_t *in,
                                 json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"action", NULL};
    static const char *const actions[] = {"acknowledge", "add", NULL};
    const char *action = NULL;
    struct write_ctx w = {0};
    if (group_id == NULL || !rk__is_uuid(group_id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such group");
    if (flag_id == NULL || !rk__is_uuid(flag_id))
        return rk__err(err, RK_ENOTFOUND, "flag_id", "no such flag");
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "action", "action", 1, 16, &action, err);
    if (rc == RK_OK && !rk__in_set(action, actions))
        rc = rk__err(err, RK_EINVAL, "action", "action must be \"acknowledge\" or \"add\"");
    if (rc != RK_OK)
        return rc;
    rc = write_begin(s, who, &w, err);
    struct member m = {0};
    if (rc == RK_OK) {
        sqlite3_stmt *st = rk__stmt(w.c,
                                    "SELECT object_kind, object_id, acked_at FROM grp_flags"
                                    " WHERE id = ?1 AND group_id = ?2",
                                    err);
        if (st == NULL) {
            rc = RK_EIO;
        } else {
            rk__bind_text(st, 1, flag_id);
            rk__bind_text(st, 2, group_id);
            int r = sqlite3_step(st);
            if (r == SQLITE_ROW) {
                m.kind = rk_corr_kind_from_name(rk__col_text(st, 0));
                snprintf(m.id, sizeof(m.id), "%s", rk__col_text(st, 1));
                if (sqlite3_column_type(st, 2) != SQLITE_NULL)
                    rc = rk__err(err, RK_ECONFLICT, "action", "the flag is already closed");
            } else {
                rc = r == SQLITE_DONE ? rk__err(err, RK_ENOTFOUND, "flag_id", "no such flag")
                                      : rk__db_error(w.c, r, err);
            }
            sqlite3_reset(st);
        }
    }
    int add = action != NULL && strcmp(action, "add") == 0;
    char now[21];
    rk__now(now);
    if (rc == RK_OK && add) {
        rc = group_live(w.c, group_id, "id", err);
        struct member_list one = {&m, 1, 1};
        if (rc == RK_OK)
            rc = check_readable(w.c, &w.a, &one, "object", err);
        if (rc == RK_OK)
            rc = add_member(w.c, group_id, &m, "flag", who, now, err);
        if (rc == RK_OK)
            rc = store_ties(s, w.c, group_id, err);
    }
    if (rc == RK_OK) {
        sqlite3_stmt *st = rk__stmt(w.c,
                                    "UPDATE grp_flags SET acked_by = ?2, acked_at = ?3,"
                                    " ack_action = ?4 WHERE id = ?1",
                                    err);
        if (st == NULL) {
            rc = RK_EIO;
        } else {
            rk__bind_text(st, 1, flag_id);
            rk__bind_text(st, 2, who->user_id);
            rk__bind_text(st, 3, now);
            rk__bind_text(st, 4, action);
            rc = step_done(w.c, st, err);
        }
    }
    if (rc == RK_OK)
        rc = audit_write(w.c, who, add ? "flag_add" : "flag_ack", "group", group_id, flag_id, err);
    rc = w.c != NULL ? write_end(s, &w, rc, group_id, NULL, err) : rc;
    if (rc != RK_OK)
        return rc;
    struct rk_conn *c = NULL;
    struct rk_access a;
    rc = group_begin(s, who, &c, &a, err);
    if (rc == RK_OK) {
        sqlite3_stmt *st = rk__stmt(c,
                                    "SELECT " FLAG_COLS " FROM grp_flags f JOIN grp_groups g"
                                    " ON g.id = f.group_id WHERE f.id = ?1",
                                    err);
        if (st == NULL) {
            rc = RK_EIO;
        } else {
            rk__bind_text(st, 1, flag_id);
            if (sqlite3_step(st) == SQLITE_ROW)
                *out = render_flag(s, c, &a, st);
            else
                rc = rk__err(err, RK_ENOTFOUND, "flag_id", "no such flag");
            sqlite3_reset(st);
            if (rc == RK_OK && *out == NULL)
                rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        }
    }
    rk__conn_put(s, c);
    return rc;
}

/* ===== Actors ===== */

#define ACTOR_COLS                                                                                 \
    "id, name_ja, name_en, aliases, notes, tlp, scope, created_by, created_at, updated_at"

static enum rk_status render_actor(struct rk_conn *c, const char *id, json_t **out,
                                   struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, "SELECT " ACTOR_COLS " FROM actors WHERE id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        sqlite3_reset(st);
        return r == SQLITE_DONE ? rk__err(err, RK_ENOTFOUND, "id", "no such actor")
                                : rk__db_error(c, r, err);
    }
    json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:o,s:s,s:s}", "id", rk__col_text(st, 0),
                          "name_ja", rk__col_text(st, 1), "name_en", rk__col_text(st, 2), "aliases",
                          aliases_json(rk__col_text(st, 3)), "notes", rk__col_text(st, 4), "tlp",
                          rk__col_text(st, 5), "scope", rk__col_text(st, 6), "created_by",
                          rk__user_ref(c, rk__col_text(st, 7)), "created_at", rk__col_text(st, 8),
                          "updated_at", rk__col_text(st, 9));
    sqlite3_reset(st);
    if (o == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    json_t *groups = json_array();
    st = rk__stmt(c, "SELECT id, name, status FROM grp_groups WHERE actor_id = ?1 ORDER BY name",
                  err);
    if (st != NULL) {
        rk__bind_text(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(groups,
                                  json_pack("{s:s,s:s,s:s}", "id", rk__col_text(st, 0), "name",
                                            rk__col_text(st, 1), "status", rk__col_text(st, 2)));
        sqlite3_reset(st);
    }
    json_object_set_new(o, "groups", groups);
    *out = o;
    return RK_OK;
}

enum rk_status rk_actor_list(struct rk_store *s, const struct rk_actor *who, json_t **out,
                             struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    json_t *items = NULL;
    enum rk_status rc = group_begin(s, who, &c, &a, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_stmt *st = rk__stmt(c, "SELECT id FROM actors ORDER BY name_ja, id LIMIT 500", err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    char(*ids)[37] = rk_calloc(500, sizeof(*ids));
    size_t n = 0;
    while (ids != NULL && n < 500 && sqlite3_step(st) == SQLITE_ROW)
        snprintf(ids[n++], 37, "%s", rk__col_text(st, 0));
    sqlite3_reset(st);
    items = json_array();
    for (size_t i = 0; rc == RK_OK && i < n; i++) {
        json_t *o = NULL;
        rc = render_actor(c, ids[i], &o, err);
        if (rc == RK_OK)
            json_array_append_new(items, o);
    }
    rk_free(ids);
    if (rc == RK_OK && ids == NULL)
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    if (rc == RK_OK) {
        *out = json_pack("{s:O}", "items", items);
        if (*out == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        else
            rk__audit_read(s, who, "actor", "", "list");
    }
out:
    json_decref(items);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_actor_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                            json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    if (id == NULL || !rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such actor");
    enum rk_status rc = group_begin(s, who, &c, &a, err);
    if (rc == RK_OK)
        rc = render_actor(c, id, out, err);
    if (rc == RK_OK)
        rk__audit_read(s, who, "actor", id, NULL);
    rk__conn_put(s, c);
    return rc;
}

struct actor_in {
    const char *name_ja, *name_en, *notes, *tlp, *scope;
    char *aliases;
};

static enum rk_status parse_actor(struct rk_store *s, json_t *in, int create, struct actor_in *p,
                                  struct rk_error *err)
{
    static const char *const allowed[] = {"name_ja", "name_en", "aliases", "notes",
                                          "tlp",     "scope",   NULL};
    memset(p, 0, sizeof(*p));
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "name_ja", "name_ja", create, RK_MAX_GROUP_NAME, &p->name_ja, err);
    if (rc == RK_OK && p->name_ja != NULL && p->name_ja[0] == '\0')
        rc = rk__err(err, RK_EINVAL, "name_ja", "the Japanese name is empty");
    if (rc == RK_OK)
        rc = rk__json_str(in, "name_en", "name_en", 0, RK_MAX_GROUP_NAME, &p->name_en, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "notes", "notes", 0, RK_MAX_ACTOR_NOTES, &p->notes, err);
    if (rc == RK_OK)
        rc = parse_marking(s, in, &p->tlp, &p->scope, err);
    if (rc == RK_OK)
        rc = parse_aliases(in, &p->aliases, err);
    return rc;
}

enum rk_status rk_actor_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                               json_t **out, struct rk_error *err)
{
    struct actor_in p;
    struct rk_conn *c = NULL;
    struct rk_access a;
    char id[37], now[21];
    enum rk_status rc = parse_actor(s, in, 1, &p, err);
    if (rc == RK_OK)
        rc = group_begin(s, who, &c, &a, err);
    if (rc == RK_OK && rk__uuid(id) != RK_OK)
        rc = rk__err(err, RK_EIO, NULL, "no randomness for an id");
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    rk__now(now);
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO actors (id, name_ja, name_en, aliases, notes, tlp,"
                                " scope, created_by, created_at, updated_at)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
    } else {
        rk__bind_text(st, 1, id);
        rk__bind_text(st, 2, p.name_ja);
        rk__bind_text(st, 3, p.name_en ? p.name_en : "");
        rk__bind_text(st, 4, p.aliases ? p.aliases : "[]");
        rk__bind_text(st, 5, p.notes ? p.notes : "");
        rk__bind_text(st, 6, p.tlp ? p.tlp : "AMBER");
        rk__bind_text(st, 7, p.scope ? p.scope : "prefecture");
        rk__bind_text(st, 8, who->user_id);
        rk__bind_text(st, 9, now);
        rc = step_done(c, st, err);
    }
    if (rc == RK_OK)
        rc = audit_write(c, who, "create", "actor", id, NULL, err);
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
    if (rc == RK_OK)
        rc = render_actor(c, id, out, err);
out:
    rk_free(p.aliases);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_actor_update(struct rk_store *s, const struct rk_actor *who, const char *id,
                               json_t *in, json_t **out, struct rk_error *err)
{
    struct actor_in p;
    struct rk_conn *c = NULL;
    struct rk_access a;
    if (id == NULL || !rk__is_uuid(id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such actor");
    enum rk_status rc = parse_actor(s, in, 0, &p, err);
    if (rc == RK_OK)
        rc = group_begin(s, who, &c, &a, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    if (count_of(c, "SELECT count(*) FROM actors WHERE id = ?1", id) != 1)
        rc = rk__err(err, RK_ENOTFOUND, "id", "no such actor");
    char now[21];
    rk__now(now);
    sqlite3_stmt *st = rc == RK_OK ? rk__stmt(c,
                                              "UPDATE actors SET name_ja = coalesce(?2, name_ja),"
                                              " name_en = coalesce(?3, name_en),"
                                              " aliases = coalesce(?4, aliases),"
                                              " notes = coalesce(?5, notes),"
                                              " tlp = coalesce(?6, tlp),"
                                              " scope = coalesce(?7, scope), updated_at = ?8"
                                              " WHERE id = ?1",
                                              err)
                                   : NULL;
    if (rc == RK_OK && st == NULL)
        rc = RK_EIO;
    if (rc == RK_OK) {
        rk__bind_text(st, 1, id);
        rk__bind_text(st, 2, p.name_ja);
        rk__bind_text(st, 3, p.name_en);
        rk__bind_text(st, 4, p.aliases);
        rk__bind_text(st, 5, p.notes);
        rk__bind_text(st, 6, p.tlp);
        rk__bind_text(st, 7, p.scope);
        rk__bind_text(st, 8, now);
        rc = step_done(c, st, err);
    }
    if (rc == RK_OK)
        rc = audit_write(c, who, "update", "actor", id, NULL, err);
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
    if (rc == RK_OK)
        rc = render_actor(c, id, out, err);
out:
    rk_free(p.aliases);
    rk__conn_put(s, c);
    return rc;
}

/* ===== Demo data ===== */

/* Types whose sharing says most about a ring: a mule account or a phone number ties reports
 * more tightly than a host does. */
static int strong_tie(json_t *g)
{
    static const char *const strong[] = {"bank-account", "phone", "crypto-wallet",
                                         "email",        "url",   NULL};
    const char *type =
        json_string_value(json_object_get(json_array_get(json_object_get(g, "ties"), 0), "type"));
    return type != NULL && rk__in_set(type, strong);
}

enum rk_status rk__group_demo(struct rk_store *s, const struct rk_actor *analyst,
                              struct rk_error *err)
{
    json_t *list = NULL, *actor = NULL, *in = NULL, *out = NULL;
    enum rk_status rc = rk_group_list(s, analyst, &list, err);
    if (rc != RK_OK)
        return rc;
    /* The smallest candidate of 2 to 12 members tied by a strong value (the list is largest
     * first), so the demo group is a tight one. */
    json_t *pick = NULL, *items = json_object_get(list, "items");
    for (size_t i = json_array_size(items); i-- > 0 && pick == NULL;) {
        json_t *g = json_array_get(items, i);
        json_int_t n = json_integer_value(json_object_get(g, "member_count"));
        if (!json_is_true(json_object_get(g, "confirmed")) && n >= 2 && n <= 12 && strong_tie(g))
            pick = g;
    }
    if (pick == NULL)
        goto out; /* a tiny demo (--reports 10) may have none: nothing to confirm */
    in = json_pack("{s:s,s:s,s:[s],s:s}", "name_ja", "架空請求集団「さくら」（デモ）", "name_en",
                   "Sakura billing ring (demo, fictional)", "aliases", "さくら", "notes",
                   "デモ用の架空の記録です。");
    rc = in != NULL ? rk_actor_create(s, analyst, in, &actor, err)
                    : rk__err(err, RK_ENOMEM, NULL, "out of memory");
    json_decref(in);
    in = NULL;
    if (rc != RK_OK)
        goto out;
    json_t *members = json_array();
    size_t k;
    json_t *m;
    json_array_foreach(json_object_get(pick, "members"), k, m)
    {
        json_array_append_new(members, json_pack("{s:O,s:O}", "kind", json_object_get(m, "kind"),
                                                 "id", json_object_get(m, "id")));
    }
    in = json_pack("{s:s,s:o,s:[s,s],s:O}", "name", "架空請求グループ「さくら」（デモ）", "members",
                   members, "aliases", "さくらペイ", "Sakura (demo)", "actor_id",
                   json_object_get(actor, "id"));
    rc = in != NULL ? rk_group_confirm(s, analyst, in, &out, err)
                    : rk__err(err, RK_ENOMEM, NULL, "out of memory");
out:
    json_decref(in);
    json_decref(out);
    json_decref(actor);
    json_decref(list);
    return rc;
}

/* ===== For the link chart (lib/model/graph-service.c) ===== */

enum rk_status rk__group_chart_node(struct rk_conn *c, const char *gid, json_t **node,
                                    json_t **members, struct rk_error *err)
{
    *node = NULL;
    *members = NULL;
    if (gid == NULL || !rk__is_uuid(gid))
        return rk__err(err, RK_ENOTFOUND, "node", "no such group");
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT name, aliases, actor_id, confirmed_at, tlp FROM grp_groups"
                                " WHERE id = ?1 AND status = 'confirmed'",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, gid);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        sqlite3_reset(st);
        /* A dissolved group is no node: its members have left it (or moved on by a merge). */
        return r == SQLITE_DONE ? rk__err(err, RK_ENOTFOUND, "node", "no such confirmed group")
                                : rk__db_error(c, r, err);
    }
    char actor_id[37];
    snprintf(actor_id, sizeof(actor_id), "%s", rk__col_text(st, 2));
    json_t *n = json_pack("{s:s,s:s,s:o,s:s,s:s,s:s}", "label", rk__col_text(st, 0), "name",
                          rk__col_text(st, 0), "aliases", aliases_json(rk__col_text(st, 1)), "type",
                          "confirmed", "time", rk__col_text(st, 3), "tlp", rk__col_text(st, 4));
    sqlite3_reset(st);
    json_t *list = json_array();
    if (n == NULL || list == NULL) {
        json_decref(n);
        json_decref(list);
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
    json_object_set_new(n, "confirmed", json_true());
    json_object_set_new(n, "actor", actor_ref(c, actor_id));
    /* The groups API's order (render_group), so the chart lists members as the group page does. */
    st = rk__stmt(c,
                  "SELECT object_kind, object_id FROM grp_members WHERE group_id = ?1"
                  " ORDER BY added_at, object_kind, object_id",
                  err);
    if (st == NULL) {
        json_decref(n);
        json_decref(list);
        return RK_EIO;
    }
    rk__bind_text(st, 1, gid);
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(
            list, json_pack("{s:s,s:s}", "kind", rk__col_text(st, 0), "id", rk__col_text(st, 1)));
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        json_decref(n);
        json_decref(list);
        return rk__db_error(c, r, err);
    }
    json_object_set_new(n, "members", json_integer((json_int_t)json_array_size(list)));
    *node = n;
    *members = list;
    return RK_OK;
}

enum rk_status rk__group_chart_of(struct rk_conn *c, enum rk_corr_kind kind, const char *id,
                                  json_t **ids, struct rk_error *err)
{
    *ids = json_array();
    /* One statement per kind, so the lookup uses grp_members_object (kind, id). */
    sqlite3_stmt *st =
        rk__stmt(c,
                 kind == RK_CORR_REPORT ? "SELECT g.id FROM grp_members m JOIN grp_groups g"
                                          " ON g.id = m.group_id WHERE g.status = 'confirmed'"
                                          " AND m.object_kind = 'report' AND m.object_id = ?1"
                                          " ORDER BY g.name, g.id"
                                        : "SELECT g.id FROM grp_members m JOIN grp_groups g"
                                          " ON g.id = m.group_id WHERE g.status = 'confirmed'"
                                          " AND m.object_kind = 'case' AND m.object_id = ?1"
                                          " ORDER BY g.name, g.id",
                 err);
    if (st == NULL || *ids == NULL) {
        json_decref(*ids);
        *ids = NULL;
        return st == NULL ? RK_EIO : rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
    rk__bind_text(st, 1, id);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(*ids, json_string(rk__col_text(st, 0)));
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        json_decref(*ids);
        *ids = NULL;
        return rk__db_error(c, r, err);
    }
    return RK_OK;
}

enum rk_status rk__group_candidates(struct rk_store *s, const struct rk_actor *who, json_t **items,
                                    struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    struct conf_set cs = {0};
    struct rk_corr_groups *g = NULL;
    *items = NULL;
    enum rk_status rc = group_read_begin(s, who, &c, &a, err);
    if (rc == RK_OK)
        rc = live_groups(s, c, &a, &cs, &g, err);
    json_t *list = rc == RK_OK ? json_array() : NULL;
    if (rc == RK_OK && list == NULL)
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    if (rc != RK_OK)
        goto out;
    /* The same candidates as rk_group_list, from one snapshot: the clusters no confirmed group
     * took, each with at least one readable member not already in a confirmed group. */
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    for (size_t i = 0; i < g->count; i++) {
        if (g->groups[i].confirmed)
            continue;
        json_t *o = render_candidate(s, c, &a, &g->groups[i]);
        if (o != NULL)
            json_array_append_new(list, o);
    }
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    *items = list;
out:
    rk_corr_groups_destroy(g);
    conf_free(&cs);
    rk__conn_put(s, c);
    return rc;
}
