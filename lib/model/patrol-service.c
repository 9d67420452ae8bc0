/*
 * The cyber-patrol review queue: the patrol engine (engines/patrol) wired into the store. A post
 * submitted for checking is scanned; each finding (one category the post scored for) becomes a
 * row of patrol_findings that an analyst reviews and decides once (削除依頼 / 事件化検討 /
 * 警告投稿 / 非該当). Who may do this is decided by lib/share/access (RK_PERM_PATROL).
 *
 * The dictionary is compiled once per store, on the first submit, and then shared read-only.
 * One scanner (the engine's per-thread scratch) is kept with it and used under a mutex: a submit
 * is one short post, scanned in microseconds, so a scanner per thread would buy nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/limits.h"
#include "renkei/patrol.h"
#include "share/access.h"
#include "store/store.h"

struct rk__patrol_cache {
    pthread_mutex_t mu;          /* guards everything below */
    struct rk_patrol_norm *norm; /* NULL until first use */
    struct rk_patrol_dict *dict;
    struct rk_patrol_scanner *scan;
};

enum rk_status rk__patrol_cache_create(struct rk__patrol_cache **out, struct rk_error *err)
{
    struct rk__patrol_cache *pc = rk_calloc(1, sizeof(*pc));
    if (pc == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    pthread_mutex_init(&pc->mu, NULL);
    *out = pc;
    return RK_OK;
}

void rk__patrol_cache_free(struct rk__patrol_cache *pc)
{
    if (pc == NULL)
        return;
    rk_patrol_scanner_destroy(pc->scan);
    rk_patrol_dict_destroy(pc->dict);
    rk_patrol_norm_destroy(pc->norm);
    pthread_mutex_destroy(&pc->mu);
    rk_free(pc);
}

/* Loads and compiles the dictionary on first use; called with pc->mu held. A failure leaves
 * the cache empty so that a fixed dictionary is picked up by the next submit. */
static enum rk_status patrol_ready(struct rk__patrol_cache *pc, struct rk_error *err)
{
    if (pc->scan != NULL)
        return RK_OK;
    const char *dir = getenv("RENKEI_PATROL_DICT");
    if (dir == NULL || *dir == '\0')
        dir = RK_PATROL_DICT_DIR;
    char msg[256] = "";
    enum rk_status rc = rk_patrol_norm_create(&pc->norm);
    if (rc == RK_OK)
        rc = rk_patrol_dict_create(pc->norm, &pc->dict);
    if (rc == RK_OK)
        rc = rk_patrol_dict_load_dir(pc->dict, dir, msg, sizeof msg);
    if (rc == RK_OK)
        rc = rk_patrol_dict_compile(pc->dict, msg, sizeof msg);
    if (rc == RK_OK)
        rc = rk_patrol_scanner_create(pc->dict, &pc->scan);
    if (rc == RK_OK)
        return RK_OK;
    rk_patrol_scanner_destroy(pc->scan);
    rk_patrol_dict_destroy(pc->dict);
    rk_patrol_norm_destroy(pc->norm);
    pc->scan = NULL;
    pc->dict = NULL;
    pc->norm = NULL;
    if (rc == RK_ENOMEM)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    return rk__err(err, RK_EIO, NULL, "patrol dictionary: %s", msg[0] ? msg : "cannot be loaded");
}

/* ===== Rendering ===== */

#define FINDING_COLS                                                                               \
    "id, source_url, post_id, posted_at, text, category, category_label, score, spans,"            \
    " rule_ids, unit_id, created_by, created_at, decision, decided_by, decided_at, comment"

static json_t *col_json(sqlite3_stmt *st, int i)
{
    json_t *j = json_loads(rk__col_text(st, i), 0, NULL);
    return j != NULL ? j : json_array();
}

static json_t *render_row(struct rk_conn *c, sqlite3_stmt *st)
{
    int decided = sqlite3_column_type(st, 13) != SQLITE_NULL;
    json_t *decided_by = decided ? rk__user_ref(c, rk__col_text(st, 14)) : json_null();
    return json_pack(
        "{s:s,s:o,s:o,s:o,s:s,s:s,s:s,s:f,s:o,s:o,s:o,s:o,s:s,s:s,s:o,s:o,s:o,s:o}", "id",
        rk__col_text(st, 0), "url", rk__col_json_str(st, 1), "post_id", rk__col_json_str(st, 2),
        "posted_at", rk__col_json_str(st, 3), "text", rk__col_text(st, 4), "category",
        rk__col_text(st, 5), "category_label", rk__col_text(st, 6), "score",
        sqlite3_column_double(st, 7), "spans", col_json(st, 8), "rule_ids", col_json(st, 9), "unit",
        rk__unit_ref(c, rk__col_text(st, 10)), "created_by", rk__user_ref(c, rk__col_text(st, 11)),
        "created_at", rk__col_text(st, 12), "status", decided ? "decided" : "open", "decision",
        rk__col_json_str(st, 13), "decided_by", decided_by, "decided_at", rk__col_json_str(st, 15),
        "comment", rk__col_json_str(st, 16));
}

/* Renders finding `id` into `*out` (RK_ENOTFOUND when there is none). */
static enum rk_status render_one(struct rk_conn *c, const char *id, json_t **out,
                                 struct rk_error *err)
{
    sqlite3_stmt *st =
        rk__stmt(c, "SELECT " FINDING_COLS " FROM patrol_findings WHERE id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    enum rk_status rc = RK_OK;
    if (r == SQLITE_ROW) {
        *out = render_row(c, st);
        if (*out == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    } else if (r == SQLITE_DONE) {
        rc = rk__err(err, RK_ENOTFOUND, NULL, "no such patrol finding");
    } else {
        rc = rk__db_error(c, r, err);
    }
    sqlite3_reset(st);
    return rc;
}

/* Opens a connection and checks the caller may use the queue. */
static enum rk_status patrol_begin(struct rk_store *s, const struct rk_actor *who,
                                   struct rk_conn **c, struct rk_error *err)
{
    struct rk_access a;
    *c = NULL;
    enum rk_status rc = rk__conn_get(s, c, err);
    if (rc == RK_OK)
        rc = rk__access_load(*c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_PATROL, err);
    return rc;
}

/* ===== Submit ===== */

/* The finding's spans and rule ids as the JSON text stored in the row. */
static enum rk_status finding_json(const struct rk_patrol_finding *f, char **spans, char **rules)
{
    json_t *js = json_array(), *jr = json_array();
    for (size_t i = 0; js != NULL && i < f->n_spans; i++)
        json_array_append_new(js, json_pack("{s:I,s:I}", "start", (json_int_t)f->spans[i].start,
                                            "end", (json_int_t)f->spans[i].end));
    for (size_t i = 0; jr != NULL && i < f->n_rules; i++)
        json_array_append_new(jr, json_string(f->rule_ids[i]));
    *spans = js != NULL ? rk__json_dump(js) : NULL;
    *rules = jr != NULL ? rk__json_dump(jr) : NULL;
    json_decref(js);
    json_decref(jr);
    if (*spans == NULL || *rules == NULL) {
        rk_free(*spans);
        rk_free(*rules);
        return RK_ENOMEM;
    }
    return RK_OK;
}

struct submit_in {
    const char *text, *url, *post_id, *posted_at;
};

static enum rk_status insert_finding(struct rk_conn *c, const struct rk_actor *who,
                                     const struct submit_in *p, const struct rk_patrol_dict *d,
                                     const struct rk_patrol_finding *f, char id[37],
                                     struct rk_error *err)
{
    const struct rk_patrol_category *cat = rk_patrol_dict_category(d, f->category);
    char *spans = NULL, *rules = NULL, now[21];
    rk__now(now);
    if (rk__uuid(id) != RK_OK)
        return rk__err(err, RK_EIO, NULL, "no randomness for an id");
    if (finding_json(f, &spans, &rules) != RK_OK)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    enum rk_status rc = RK_OK;
    sqlite3_stmt *st =
        rk__stmt(c,
                 "INSERT INTO patrol_findings (id, source_url, post_id, posted_at, text, category,"
                 " category_label, score, spans, rule_ids, unit_id, created_by, created_at)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                 err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    rk__bind_text(st, 1, id);
    rk__bind_text(st, 2, p->url);
    rk__bind_text(st, 3, p->post_id);
    rk__bind_text(st, 4, p->posted_at);
    rk__bind_text(st, 5, p->text);
    rk__bind_text(st, 6, cat->key);
    rk__bind_text(st, 7, cat->label);
    sqlite3_bind_double(st, 8, f->score);
    rk__bind_text(st, 9, spans);
    rk__bind_text(st, 10, rules);
    rk__bind_text(st, 11, who->unit_id);
    rk__bind_text(st, 12, who->user_id);
    rk__bind_text(st, 13, now);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto out;
    }
    struct rk_audit_event ev;
    rk__audit_event(&ev, who, "create", "patrol_finding", id, cat->key);
    rc = rk__audit_append(c, &ev, err);
out:
    rk_free(spans);
    rk_free(rules);
    return rc;
}

static enum rk_status parse_submit(json_t *in, struct submit_in *p, struct rk_error *err)
{
    static const char *const allowed[] = {"text", "url", "id", "posted_at", NULL};
    memset(p, 0, sizeof(*p));
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK) {
        json_t *t = json_object_get(in, "text");
        if (json_is_string(t) && json_string_length(t) > RK_MAX_PATROL_SUBMIT_BYTES)
            return rk__err(err, RK_ETOOBIG, "text", "the post is longer than %u bytes",
                           RK_MAX_PATROL_SUBMIT_BYTES);
        rc = rk__json_str(in, "text", "text", 1, RK_MAX_PATROL_SUBMIT_BYTES, &p->text, err);
    }
    if (rc == RK_OK && p->text[0] == '\0')
        rc = rk__err(err, RK_EINVAL, "text", "the post is empty");
    if (rc == RK_OK)
        rc = rk__json_str(in, "url", "url", 0, RK_MAX_PATROL_SUBMIT_FIELD, &p->url, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "id", "id", 0, RK_MAX_PATROL_SUBMIT_FIELD, &p->post_id, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "posted_at", "posted_at", 0, 64, &p->posted_at, err);
    int64_t t;
    if (rc == RK_OK && p->posted_at != NULL && rk__time_parse(p->posted_at, &t) != RK_OK)
        rc = rk__err(err, RK_EINVAL, "posted_at", "not an RFC 3339 time");
    return rc;
}

enum rk_status rk_patrol_submit(struct rk_store *s, const struct rk_actor *who, json_t *in,
                                json_t **out, struct rk_error *err)
{
    struct submit_in p;
    struct rk_conn *c = NULL;
    json_t *res = NULL, *items = NULL;
    char(*ids)[37] = NULL;
    size_t n = 0;
    int locked = 0, in_tx = 0;
    enum rk_status rc = parse_submit(in, &p, err);
    if (rc == RK_OK)
        rc = patrol_begin(s, who, &c, err);
    if (rc != RK_OK)
        goto out;
    struct rk__patrol_cache *pc = s->patrol;
    pthread_mutex_lock(&pc->mu);
    locked = 1;
    rc = patrol_ready(pc, err);
    if (rc != RK_OK)
        goto out;
    struct rk_patrol_record rec = {p.text, strlen(p.text), 0};
    rc = rk_patrol_scan(pc->scan, &rec, 1);
    if (rc != RK_OK) {
        rc = rk__err(err, rc == RK_ENOMEM ? RK_ENOMEM : RK_EIO, NULL, "the patrol scan failed");
        goto out;
    }
    const struct rk_patrol_finding *fs = NULL;
    n = rk_patrol_scanner_findings(pc->scan, &fs);
    if (n > 0) {
        ids = rk_calloc(n, sizeof(*ids));
        if (ids == NULL) {
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
            goto out;
        }
        rc = rk__tx_begin(s, c, err);
        in_tx = rc == RK_OK;
        for (size_t i = 0; rc == RK_OK && i < n; i++)
            rc = insert_finding(c, who, &p, pc->dict, &fs[i], ids[i], err);
        if (rc == RK_OK)
            rc = rk__tx_commit(s, c, err);
        else
            rk__tx_rollback(s, c);
        in_tx = 0;
    }
    pthread_mutex_unlock(&pc->mu);
    locked = 0;
    if (rc != RK_OK)
        goto out;
    items = json_array();
    for (size_t i = 0; items != NULL && rc == RK_OK && i < n; i++) {
        json_t *f = NULL;
        rc = render_one(c, ids[i], &f, err);
        if (rc == RK_OK)
            json_array_append_new(items, f);
    }
    if (rc == RK_OK) {
        res = items != NULL ? json_pack("{s:O}", "findings", items) : NULL;
        if (res == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
out:
    if (in_tx)
        rk__tx_rollback(s, c);
    if (locked)
        pthread_mutex_unlock(&s->patrol->mu);
    json_decref(items);
    rk_free(ids);
    rk__conn_put(s, c);
    if (rc == RK_OK)
        *out = res;
    else
        json_decref(res);
    return rc;
}

/* ===== Reads ===== */

enum rk_status rk_patrol_list(struct rk_store *s, const struct rk_actor *who,
                              const struct rk_patrol_query *q, json_t **out, struct rk_error *err)
{
    const char *status = q->status != NULL && q->status[0] != '\0' ? q->status : "open";
    if (strcmp(status, "open") != 0 && strcmp(status, "decided") != 0)
        return rk__err(err, RK_EINVAL, "status", "status must be \"open\" or \"decided\"");
    int open = strcmp(status, "open") == 0;
    int limit = q->limit > 0 ? q->limit : RK_DEFAULT_LIST_LIMIT;
    if (limit > RK_MAX_LIST_LIMIT)
        limit = RK_MAX_LIST_LIMIT;
    int offset = q->offset > 0 ? q->offset : 0;
    const char *cat = q->category != NULL && q->category[0] != '\0' ? q->category : NULL;
    struct rk_conn *c = NULL;
    json_t *items = NULL;
    int64_t total = 0;
    enum rk_status rc = patrol_begin(s, who, &c, err);
    if (rc != RK_OK)
        goto out;
    /* Two static statements per status, so each is prepared once and cached. */
    static const char LIST_OPEN[] = "SELECT " FINDING_COLS " FROM patrol_findings"
                                    " WHERE decision IS NULL AND (?1 IS NULL OR category = ?1)"
                                    " ORDER BY score DESC, created_at DESC, id LIMIT ?2 OFFSET ?3";
    static const char LIST_DONE[] = "SELECT " FINDING_COLS " FROM patrol_findings"
                                    " WHERE decision IS NOT NULL AND (?1 IS NULL OR category = ?1)"
                                    " ORDER BY score DESC, created_at DESC, id LIMIT ?2 OFFSET ?3";
    static const char COUNT_OPEN[] = "SELECT count(*) FROM patrol_findings"
                                     " WHERE decision IS NULL AND (?1 IS NULL OR category = ?1)";
    static const char COUNT_DONE[] =
        "SELECT count(*) FROM patrol_findings"
        " WHERE decision IS NOT NULL AND (?1 IS NULL OR category = ?1)";
    sqlite3_stmt *st = rk__stmt(c, open ? COUNT_OPEN : COUNT_DONE, err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    rk__bind_text(st, 1, cat);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        total = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (r != SQLITE_ROW) {
        rc = rk__db_error(c, r, err);
        goto out;
    }
    st = rk__stmt(c, open ? LIST_OPEN : LIST_DONE, err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    items = json_array();
    rk__bind_text(st, 1, cat);
    sqlite3_bind_int(st, 2, limit);
    sqlite3_bind_int(st, 3, offset);
    while (items != NULL && (r = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(items, render_row(c, st));
    sqlite3_reset(st);
    if (items == NULL)
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    else if (r != SQLITE_DONE)
        rc = rk__db_error(c, r, err);
    if (rc == RK_OK) {
        *out = json_pack("{s:O,s:I,s:i,s:i}", "items", items, "total", (json_int_t)total, "limit",
                         limit, "offset", offset);
        if (*out == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        else
            rk__audit_read(s, who, "patrol_finding", "", status);
    }
out:
    json_decref(items);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_patrol_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                             json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    enum rk_status rc = patrol_begin(s, who, &c, err);
    if (rc == RK_OK)
        rc = render_one(c, id, out, err);
    if (rc == RK_OK)
        rk__audit_read(s, who, "patrol_finding", id, NULL);
    rk__conn_put(s, c);
    return rc;
}

/* ===== Decision ===== */

static const char *const DECISIONS[] = {"deletion_request", "case_review", "warning_post",
                                        "not_applicable", NULL};

enum rk_status rk_patrol_decide(struct rk_store *s, const struct rk_actor *who, const char *id,
                                json_t *in, json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"decision", "comment", NULL};
    const char *decision = NULL, *comment = NULL;
    struct rk_conn *c = NULL;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "decision", "decision", 1, 32, &decision, err);
    if (rc == RK_OK && !rk__in_set(decision, DECISIONS))
        rc = rk__err(err, RK_EINVAL, "decision",
                     "decision must be deletion_request, case_review, warning_post or "
                     "not_applicable");
    if (rc == RK_OK)
        rc = rk__json_str(in, "comment", "comment", 0, RK_MAX_NOTE_BYTES, &comment, err);
    if (rc != RK_OK)
        return rc;
    rc = patrol_begin(s, who, &c, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_stmt *st = rk__stmt(c, "SELECT decision FROM patrol_findings WHERE id = ?1", err);
    if (st == NULL) {
        rc = RK_EIO;
    } else {
        rk__bind_text(st, 1, id);
        int r = sqlite3_step(st);
        if (r == SQLITE_DONE)
            rc = rk__err(err, RK_ENOTFOUND, NULL, "no such patrol finding");
        else if (r != SQLITE_ROW)
            rc = rk__db_error(c, r, err);
        else if (sqlite3_column_type(st, 0) != SQLITE_NULL)
            rc = rk__err(err, RK_ECONFLICT, "decision", "the finding is already decided (%s)",
                         rk__col_text(st, 0));
        sqlite3_reset(st);
    }
    if (rc == RK_OK) {
        char now[21];
        rk__now(now);
        st = rk__stmt(c,
                      "UPDATE patrol_findings SET decision = ?2, decided_by = ?3,"
                      " decided_at = ?4, comment = ?5 WHERE id = ?1 AND decision IS NULL",
                      err);
        if (st == NULL) {
            rc = RK_EIO;
        } else {
            rk__bind_text(st, 1, id);
            rk__bind_text(st, 2, decision);
            rk__bind_text(st, 3, who->user_id);
            rk__bind_text(st, 4, now);
            rk__bind_text(st, 5, comment);
            int r = sqlite3_step(st);
            sqlite3_reset(st);
            if (r != SQLITE_DONE)
                rc = rk__db_error(c, r, err);
        }
    }
    if (rc == RK_OK) {
        struct rk_audit_event ev;
        rk__audit_event(&ev, who, "decide", "patrol_finding", id, decision);
        rc = rk__audit_append(c, &ev, err);
    }
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
    if (rc == RK_OK)
        rc = render_one(c, id, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}

/* ===== Statistics ===== */

enum rk_status rk_patrol_stats(struct rk_store *s, const struct rk_actor *who, json_t **out,
                               struct rk_error *err)
{
    struct rk_conn *c = NULL;
    json_t *items = NULL;
    int64_t total = 0;
    enum rk_status rc = patrol_begin(s, who, &c, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT category, max(category_label), coalesce(decision, 'open'),"
                                " count(*) FROM patrol_findings GROUP BY 1, 3 ORDER BY 1",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    items = json_array();
    json_t *row = NULL;
    int r = SQLITE_DONE;
    while (items != NULL && (r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *cat = rk__col_text(st, 0);
        if (row == NULL || strcmp(json_string_value(json_object_get(row, "category")), cat) != 0) {
            row = json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:i}", "category", cat, "category_label",
                            rk__col_text(st, 1), "open", 0, "deletion_request", 0, "case_review", 0,
                            "warning_post", 0, "not_applicable", 0, "total", 0);
            if (row == NULL || json_array_append_new(items, row) != 0) {
                r = SQLITE_NOMEM;
                break;
            }
        }
        json_int_t k = (json_int_t)sqlite3_column_int64(st, 3);
        json_object_set_new(row, rk__col_text(st, 2), json_integer(k));
        json_object_set_new(row, "total",
                            json_integer(json_integer_value(json_object_get(row, "total")) + k));
        total += k;
    }
    sqlite3_reset(st);
    if (items == NULL || r == SQLITE_NOMEM)
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    else if (r != SQLITE_DONE)
        rc = rk__db_error(c, r, err);
    if (rc == RK_OK) {
        *out = json_pack("{s:O,s:I}", "items", items, "total", (json_int_t)total);
        if (*out == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
out:
    json_decref(items);
    rk__conn_put(s, c);
    return rc;
}
