/*
 * Lookalike review: the lookalike engine (engines/lookalike) wired into the store. Candidate
 * domains or URLs (pasted into the review page, posted to the API, or read from a watched feed
 * by `renkei lookalike --watch`) are checked; each host that imitates a brand becomes one row of
 * lookalike_matches that an analyst confirms or dismisses. A confirmed match gets a takedown
 * record (lookalike_takedowns). Who may do this is decided by lib/share/access
 * (RK_PERM_LOOKALIKE).
 *
 * The host is the row's key: a feed repeats names all day, and the analyst wants one line per
 * host with how often and how recently it was seen, not a new line per sighting. The domain
 * (and the URL, when the input was one) are upserted as observables so that "seen elsewhere"
 * and correlation meet the same values when they turn up in a report.
 *
 * The brand list is compiled once per store, on the first check, and shared read-only; one
 * scanner (the engine's scratch) is kept with it and used under a mutex, as patrol does: a check
 * takes microseconds, and the transaction that stores the result is serialised anyway.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/limits.h"
#include "renkei/lookalike.h"
#include "renkei/obs.h"
#include "share/access.h"
#include "store/store.h"

struct rk__lookalike_cache {
    pthread_mutex_t mu; /* guards everything below */
    struct rk_lookalike *lk;
    struct rk_lookalike_scanner *scan;
};

enum rk_status rk__lookalike_cache_create(struct rk__lookalike_cache **out, struct rk_error *err)
{
    struct rk__lookalike_cache *lc = rk_calloc(1, sizeof(*lc));
    if (lc == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    pthread_mutex_init(&lc->mu, NULL);
    *out = lc;
    return RK_OK;
}

void rk__lookalike_cache_free(struct rk__lookalike_cache *lc)
{
    if (lc == NULL)
        return;
    rk_lookalike_scanner_destroy(lc->scan);
    rk_lookalike_destroy(lc->lk);
    pthread_mutex_destroy(&lc->mu);
    rk_free(lc);
}

/* Loads and compiles the brand list on first use; called with lc->mu held. A failure leaves the
 * cache empty so that a fixed brand list is picked up by the next call. */
static enum rk_status lookalike_ready(struct rk__lookalike_cache *lc, struct rk_error *err)
{
    if (lc->scan != NULL)
        return RK_OK;
    const char *dir = getenv("RENKEI_BRANDS");
    if (dir == NULL || *dir == '\0')
        dir = RK_LOOKALIKE_BRANDS_DIR;
    enum rk_status rc = rk_lookalike_create(&lc->lk);
    if (rc == RK_OK)
        rc = rk_lookalike_load_dir(lc->lk, dir);
    if (rc == RK_OK)
        rc = rk_lookalike_compile(lc->lk);
    if (rc == RK_OK)
        rc = rk_lookalike_scanner_create(lc->lk, &lc->scan);
    if (rc == RK_OK)
        return RK_OK;
    char msg[200];
    snprintf(msg, sizeof msg, "%s",
             lc->lk != NULL && rk_lookalike_errmsg(lc->lk)[0] ? rk_lookalike_errmsg(lc->lk)
                                                              : rk_strerror(rc));
    rk_lookalike_scanner_destroy(lc->scan);
    rk_lookalike_destroy(lc->lk);
    lc->scan = NULL;
    lc->lk = NULL;
    if (rc == RK_ENOMEM)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    return rk__err(err, RK_EIO, NULL, "lookalike brand list %s: %s", dir, msg);
}

/* Opens a connection and checks the caller may use the review list. The CLI acts as the
 * installation (role admin) and is let in: it stores what a feed found, as `renkei init` and
 * `renkei demo` write as the installation. */
static enum rk_status lk_begin(struct rk_store *s, const struct rk_actor *who, struct rk_conn **c,
                               struct rk_error *err)
{
    struct rk_access a;
    *c = NULL;
    enum rk_status rc = rk__conn_get(s, c, err);
    if (rc == RK_OK)
        rc = rk__access_load(*c, who, &a, err);
    if (rc == RK_OK && !rk__access_is_installation(&a))
        rc = rk__access_require(&a, RK_PERM_LOOKALIKE, err);
    return rc;
}

/* ===== Rendering ===== */

static const char *const STATUSES[] = {"new", "confirmed", "dismissed", NULL};
static const char *const TD_STATUSES[] = {"not_requested", "requested", "removed", "refused", NULL};

#define MATCH_COLS                                                                                 \
    "m.id, m.input, m.host, m.registrable, m.brand_id, m.brand_ja, m.brand_en, m.sector,"          \
    " m.score, m.reasons, m.source, m.first_seen, m.last_seen, m.times_seen, m.status,"            \
    " m.decided_by, m.decided_at, m.note, m.domain_obs_id, m.url_obs_id, t.id,"                    \
    " (SELECT count(DISTINCT report_id) FROM report_observables"                                   \
    "  WHERE observable_id IN (m.domain_obs_id, m.url_obs_id)),"                                   \
    " (SELECT count(DISTINCT case_id) FROM case_observables"                                       \
    "  WHERE observable_id IN (m.domain_obs_id, m.url_obs_id))"

#define TD_COLS                                                                                    \
    "t.id, t.match_id, t.domain, m.host, m.brand_id, m.brand_ja, m.brand_en, m.sector,"            \
    " t.status, t.target_org, t.note, t.created_by, t.created_at, t.updated_by, t.updated_at"

static json_t *brand_json(sqlite3_stmt *st, int i)
{
    return json_pack("{s:s,s:s,s:s,s:s}", "id", rk__col_text(st, i), "name_ja",
                     rk__col_text(st, i + 1), "name_en", rk__col_text(st, i + 2), "sector",
                     rk__col_text(st, i + 3));
}

static json_t *user_or_null(struct rk_conn *c, sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return json_null();
    const char *id = rk__col_text(st, i);
    if (strcmp(id, "system") == 0)
        return json_pack("{s:s,s:s}", "id", "system", "name", "renkei");
    return rk__user_ref(c, id);
}

static json_t *td_row(struct rk_conn *c, sqlite3_stmt *st)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:o,s:s,s:o,s:o}", "id", rk__col_text(st, 0),
                     "match_id", rk__col_text(st, 1), "domain", rk__col_text(st, 2), "host",
                     rk__col_text(st, 3), "brand", brand_json(st, 4), "status", rk__col_text(st, 8),
                     "target_org", rk__col_json_str(st, 9), "note", rk__col_json_str(st, 10),
                     "created_by", user_or_null(c, st, 11), "created_at", rk__col_text(st, 12),
                     "updated_by", user_or_null(c, st, 13), "updated_at", rk__col_json_str(st, 14));
}

/* Renders takedown `id` (RK_ENOTFOUND when there is none). */
static enum rk_status td_one(struct rk_conn *c, const char *id, json_t **out, struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT " TD_COLS " FROM lookalike_takedowns t"
                                " JOIN lookalike_matches m ON m.id = t.match_id WHERE t.id = ?1",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    enum rk_status rc = RK_OK;
    if (r == SQLITE_ROW) {
        *out = td_row(c, st);
        if (*out == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    } else if (r == SQLITE_DONE) {
        rc = rk__err(err, RK_ENOTFOUND, NULL, "no such takedown record");
    } else {
        rc = rk__db_error(c, r, err);
    }
    sqlite3_reset(st);
    return rc;
}

static json_t *reasons_json(sqlite3_stmt *st, int i)
{
    json_t *j = json_loads(rk__col_text(st, i), 0, NULL);
    return j != NULL ? j : json_array();
}

/* Renders the current row of a MATCH_COLS statement. The takedown record, when there is one, is
 * rendered by the caller after the statement is reset (it needs a statement of its own). */
static json_t *match_row(struct rk_conn *c, sqlite3_stmt *st)
{
    /* "Seen elsewhere": how many reports and cases hold the match's domain or URL. Counts only,
     * as the observable page shows holders a caller may not read as restricted; the page itself
     * (GET /observables/{id}) lists them under the access rules. */
    json_t *obs =
        json_pack("{s:o,s:o,s:I,s:I}", "domain", rk__col_json_str(st, 18), "url",
                  rk__col_json_str(st, 19), "reports", (json_int_t)sqlite3_column_int64(st, 21),
                  "cases", (json_int_t)sqlite3_column_int64(st, 22));
    return json_pack("{s:s,s:s,s:s,s:s,s:o,s:i,s:o,s:s,s:s,s:s,s:I,s:s,s:o,s:o,s:o,s:o,s:o}", "id",
                     rk__col_text(st, 0), "input", rk__col_text(st, 1), "host", rk__col_text(st, 2),
                     "registrable", rk__col_text(st, 3), "brand", brand_json(st, 4), "score",
                     sqlite3_column_int(st, 8), "reasons", reasons_json(st, 9), "source",
                     rk__col_text(st, 10), "first_seen", rk__col_text(st, 11), "last_seen",
                     rk__col_text(st, 12), "times_seen", (json_int_t)sqlite3_column_int64(st, 13),
                     "status", rk__col_text(st, 14), "decided_by", user_or_null(c, st, 15),
                     "decided_at", rk__col_json_str(st, 16), "note", rk__col_json_str(st, 17),
                     "observables", obs, "takedown", rk__col_json_str(st, 20));
}

/* Replaces the takedown id of each rendered match by the record itself. */
static enum rk_status attach_takedowns(struct rk_conn *c, json_t *items, struct rk_error *err)
{
    size_t i;
    json_t *m;
    json_array_foreach(items, i, m)
    {
        json_t *tid = json_object_get(m, "takedown");
        if (!json_is_string(tid))
            continue;
        json_t *td = NULL;
        enum rk_status rc = td_one(c, json_string_value(tid), &td, err);
        if (rc != RK_OK)
            return rc;
        json_object_set_new(m, "takedown", td);
    }
    return RK_OK;
}

/* Renders match `id` into `*out` (RK_ENOTFOUND when there is none). */
static enum rk_status match_one(struct rk_conn *c, const char *id, json_t **out,
                                struct rk_error *err)
{
    static const char SQL[] = "SELECT " MATCH_COLS " FROM lookalike_matches m"
                              " LEFT JOIN lookalike_takedowns t ON t.match_id = m.id"
                              " WHERE m.id = ?1";
    sqlite3_stmt *st = rk__stmt(c, SQL, err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    json_t *m = NULL;
    enum rk_status rc = RK_OK;
    if (r == SQLITE_ROW) {
        m = match_row(c, st);
        if (m == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    } else if (r == SQLITE_DONE) {
        rc = rk__err(err, RK_ENOTFOUND, NULL, "no such lookalike match");
    } else {
        rc = rk__db_error(c, r, err);
    }
    sqlite3_reset(st);
    if (rc == RK_OK) {
        json_t *one = json_pack("[O]", m);
        rc = one != NULL ? attach_takedowns(c, one, err)
                         : rk__err(err, RK_ENOMEM, NULL, "out of memory");
        json_decref(one);
    }
    if (rc == RK_OK)
        *out = m;
    else
        json_decref(m);
    return rc;
}

/* ===== Storing matches ===== */

/* Upserts the observable of `value` if it parses as `type`; `id` is "" when it does not (a host
 * under a reserved suffix such as .test is a lookalike, but not an observable). */
static enum rk_status obs_of(struct rk_conn *c, const char *value, enum rk_obs_type type,
                             const char *now, char id[37], struct rk_error *err)
{
    struct rk_obs o = {0};
    id[0] = '\0';
    enum rk_status rc = rk_obs_parse(value, strlen(value), type, &o);
    if (rc == RK_ENOMEM)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    if (rc == RK_OK)
        rc = rk__obs_upsert(c, rk_obs_type_name(o.type), o.canonical, o.display, o.value, now, id,
                            err);
    else
        rc = RK_OK;
    rk_obs_clear(&o);
    return rc;
}

static int looks_like_url(const char *s)
{
    return strstr(s, "://") != NULL;
}

static char *reasons_text(const struct rk_lookalike_match *m)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < m->n_reasons; i++)
        json_array_append_new(a, json_pack("{s:s,s:i,s:s}", "kind",
                                           rk_lookalike_reason_name(m->reasons[i].kind), "score",
                                           m->reasons[i].score, "detail", m->reasons[i].detail));
    char *t = a != NULL ? rk__json_dump(a) : NULL;
    json_decref(a);
    return t;
}

/* Stores one match: a new row, or the known host's row seen again. `id` gets the row's id and
 * `*is_new` whether it was created. Runs inside the caller's transaction. */
static enum rk_status store_match(struct rk_conn *c, const struct rk_actor *who,
                                  const struct rk_lookalike *lk, const char *input,
                                  const char *source, const struct rk_lookalike_match *m,
                                  char id[37], int *is_new, struct rk_error *err)
{
    char now[21], dom[37], url[37];
    rk__now(now);
    enum rk_status rc = obs_of(c, m->host, RK_OBS_DOMAIN, now, dom, err);
    if (rc == RK_OK && looks_like_url(input))
        rc = obs_of(c, input, RK_OBS_URL, now, url, err);
    else
        url[0] = '\0';
    if (rc != RK_OK)
        return rc;
    sqlite3_stmt *st = rk__stmt(c, "SELECT id FROM lookalike_matches WHERE host = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, m->host);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        snprintf(id, 37, "%s", rk__col_text(st, 0));
    sqlite3_reset(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return rk__db_error(c, r, err);
    *is_new = r == SQLITE_DONE;
    struct rk_lookalike_brand_info bi;
    rk_lookalike_brand(lk, (size_t)m->brand, &bi);
    if (*is_new) {
        char *reasons = reasons_text(m);
        if (reasons == NULL)
            return rk__err(err, RK_ENOMEM, NULL, "out of memory");
        if (rk__uuid(id) != RK_OK) {
            rk_free(reasons);
            return rk__err(err, RK_EIO, NULL, "no randomness for an id");
        }
        st = rk__stmt(c,
                      "INSERT INTO lookalike_matches (id, input, host, registrable, brand_id,"
                      " brand_ja, brand_en, sector, score, reasons, source, domain_obs_id,"
                      " url_obs_id, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                      " ?8, ?9, ?10, ?11, nullif(?12, ''), nullif(?13, ''), ?14, ?14)",
                      err);
        if (st == NULL) {
            rk_free(reasons);
            return RK_EIO;
        }
        rk__bind_text(st, 1, id);
        rk__bind_text(st, 2, input);
        rk__bind_text(st, 3, m->host);
        rk__bind_text(st, 4, m->registrable);
        rk__bind_text(st, 5, bi.id);
        rk__bind_text(st, 6, bi.name_ja != NULL ? bi.name_ja : bi.id);
        rk__bind_text(st, 7, bi.name_en != NULL ? bi.name_en : bi.id);
        rk__bind_text(st, 8, bi.sector);
        sqlite3_bind_int(st, 9, m->score);
        rk__bind_text(st, 10, reasons);
        rk__bind_text(st, 11, source);
        rk__bind_text(st, 12, dom);
        rk__bind_text(st, 13, url);
        rk__bind_text(st, 14, now);
        r = sqlite3_step(st);
        sqlite3_reset(st);
        rk_free(reasons);
    } else {
        /* The host's verdict does not change with the line it came in (the engine checks the
         * host), so only the sighting is recorded; a URL observable is added the first time the
         * host comes as a URL. */
        st = rk__stmt(c,
                      "UPDATE lookalike_matches SET last_seen = max(last_seen, ?2),"
                      " times_seen = times_seen + 1,"
                      " domain_obs_id = coalesce(domain_obs_id, nullif(?3, '')),"
                      " url_obs_id = coalesce(url_obs_id, nullif(?4, '')) WHERE id = ?1",
                      err);
        if (st == NULL)
            return RK_EIO;
        rk__bind_text(st, 1, id);
        rk__bind_text(st, 2, now);
        rk__bind_text(st, 3, dom);
        rk__bind_text(st, 4, url);
        r = sqlite3_step(st);
        sqlite3_reset(st);
    }
    if (r != SQLITE_DONE)
        return rk__db_error(c, r, err);
    struct rk_audit_event ev;
    rk__audit_event(&ev, who, *is_new ? "create" : "seen", "lookalike_match", id, bi.id);
    return rk__audit_append(c, &ev, err);
}

static enum rk_status save_feed(struct rk_conn *c, const struct rk_actor *who,
                                const struct rk_lookalike_batch *b, struct rk_error *err)
{
    char now[21];
    rk__now(now);
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO lookalike_feeds (feed, dev, ino, offset, lines,"
                                " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                                " ON CONFLICT (feed) DO UPDATE SET dev = excluded.dev,"
                                " ino = excluded.ino, offset = excluded.offset,"
                                " lines = excluded.lines, updated_at = excluded.updated_at",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, b->feed);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)b->pos.dev);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)b->pos.ino);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)b->pos.offset);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)b->pos.lines);
    rk__bind_text(st, 6, now);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return rk__db_error(c, r, err);
    char detail[48];
    snprintf(detail, sizeof detail, "offset %llu", (unsigned long long)b->pos.offset);
    struct rk_audit_event ev;
    rk__audit_event(&ev, who, "update", "lookalike_feed", b->feed, detail);
    return rk__audit_append(c, &ev, err);
}

/* The result of one batch before rendering. */
struct batch_res {
    size_t checked, skipped;
    json_t *skips;   /* [{"line","reason"}] */
    char (*ids)[37]; /* stored matches, in input order (a host may repeat) */
    unsigned char *is_new;
    size_t n, cap;
};

static enum rk_status res_push(struct batch_res *br, const char *id, int is_new)
{
    if (br->n == br->cap) {
        size_t cap = br->cap ? br->cap * 2 : 16;
        char(*ids)[37] = rk_realloc(br->ids, cap * sizeof(*ids));
        if (ids == NULL)
            return RK_ENOMEM;
        br->ids = ids;
        unsigned char *nw = rk_realloc(br->is_new, cap);
        if (nw == NULL)
            return RK_ENOMEM;
        br->is_new = nw;
        br->cap = cap;
    }
    snprintf(br->ids[br->n], 37, "%s", id);
    br->is_new[br->n++] = (unsigned char)is_new;
    return RK_OK;
}

/* Checks each line and stores its match; called with the cache mutex held, inside the write
 * transaction. */
static enum rk_status check_lines(struct rk_conn *c, const struct rk_actor *who,
                                  struct rk__lookalike_cache *lc,
                                  const struct rk_lookalike_batch *b, struct batch_res *br,
                                  struct rk_error *err)
{
    int min = b->min_score > 0 ? b->min_score : RK_LOOKALIKE_DEFAULT_MIN_SCORE;
    const char *source = b->source != NULL && b->source[0] ? b->source : "api";
    const char *p = b->text, *end = b->text + b->len;
    size_t lineno = 0;
    enum rk_status rc = RK_OK;
    char *line = NULL;
    while (rc == RK_OK && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl != NULL ? nl : end;
        lineno++;
        const char *a = p, *z = e;
        p = nl != NULL ? nl + 1 : end;
        while (a < z && (*a == ' ' || *a == '\t'))
            a++;
        while (z > a && (z[-1] == '\r' || z[-1] == ' ' || z[-1] == '\t'))
            z--;
        if (a == z)
            continue;
        br->checked++;
        struct rk_lookalike_match m;
        enum rk_status cr = rk_lookalike_check(lc->scan, a, (size_t)(z - a), &m);
        if (cr == RK_ENOMEM) {
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
            break;
        }
        if (cr != RK_OK) {
            br->skipped++;
            if (json_array_size(br->skips) < RK_MAX_LOOKALIKE_SKIPS_LISTED)
                json_array_append_new(br->skips,
                                      json_pack("{s:I,s:s}", "line", (json_int_t)lineno, "reason",
                                                rk_lookalike_skip_name(rk_lookalike_skip_of(cr))));
            continue;
        }
        if (m.brand < 0 || m.score < min)
            continue;
        rk_free(line);
        line = rk_malloc((size_t)(z - a) + 1);
        if (line == NULL) {
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
            break;
        }
        memcpy(line, a, (size_t)(z - a));
        line[z - a] = '\0';
        char id[37];
        int is_new = 0;
        rc = store_match(c, who, lc->lk, line, source, &m, id, &is_new, err);
        if (rc == RK_OK && res_push(br, id, is_new) != RK_OK)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
    rk_free(line);
    return rc;
}

enum rk_status rk_lookalike_store_batch(struct rk_store *s, const struct rk_actor *who,
                                        const struct rk_lookalike_batch *b, json_t **out,
                                        struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct batch_res br = {0};
    json_t *items = NULL, *res = NULL;
    int locked = 0, in_tx = 0;
    enum rk_status rc = RK_OK;
    if (b->source != NULL && strlen(b->source) > RK_MAX_LOOKALIKE_SOURCE)
        return rk__err(err, RK_EINVAL, "source", "the source name is longer than %u bytes",
                       RK_MAX_LOOKALIKE_SOURCE);
    if (b->min_score < 0 || b->min_score > 100)
        return rk__err(err, RK_EINVAL, "min_score", "min_score must be 0-100");
    if (b->text == NULL && b->len > 0)
        return rk__err(err, RK_EINVAL, "text", "no text");
    br.skips = json_array();
    if (br.skips == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    rc = lk_begin(s, who, &c, err);
    if (rc != RK_OK)
        goto out;
    struct rk__lookalike_cache *lc = s->lookalike;
    pthread_mutex_lock(&lc->mu);
    locked = 1;
    rc = lookalike_ready(lc, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    in_tx = 1;
    rc = check_lines(c, who, lc, b, &br, err);
    if (rc == RK_OK && b->feed != NULL)
        rc = save_feed(c, who, b, err);
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
    in_tx = 0;
    pthread_mutex_unlock(&lc->mu);
    locked = 0;
    if (rc != RK_OK)
        goto out;
    items = json_array();
    for (size_t i = 0; items != NULL && rc == RK_OK && i < br.n; i++) {
        if (b->only_new && !br.is_new[i])
            continue;
        json_t *m = NULL;
        rc = match_one(c, br.ids[i], &m, err);
        if (rc == RK_OK) {
            json_object_set_new(m, "new", json_boolean(br.is_new[i]));
            json_array_append_new(items, m);
        }
    }
    if (rc == RK_OK) {
        res = items != NULL ? json_pack("{s:I,s:I,s:I,s:O,s:O}", "checked", (json_int_t)br.checked,
                                        "skipped", (json_int_t)br.skipped, "stored",
                                        (json_int_t)br.n, "skips", br.skips, "matches", items)
                            : NULL;
        if (res == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
out:
    if (in_tx)
        rk__tx_rollback(s, c);
    if (locked)
        pthread_mutex_unlock(&s->lookalike->mu);
    json_decref(items);
    json_decref(br.skips);
    rk_free(br.ids);
    rk_free(br.is_new);
    rk__conn_put(s, c);
    if (rc == RK_OK)
        *out = res;
    else
        json_decref(res);
    return rc;
}

enum rk_status rk_lookalike_submit(struct rk_store *s, const struct rk_actor *who, json_t *in,
                                   json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"text", NULL};
    const char *text = NULL;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK) {
        json_t *t = json_object_get(in, "text");
        if (json_is_string(t) && json_string_length(t) > RK_MAX_LOOKALIKE_SUBMIT_BYTES)
            return rk__err(err, RK_ETOOBIG, "text", "the text is longer than %u bytes",
                           RK_MAX_LOOKALIKE_SUBMIT_BYTES);
        rc = rk__json_str(in, "text", "text", 1, RK_MAX_LOOKALIKE_SUBMIT_BYTES, &text, err);
    }
    if (rc != RK_OK)
        return rc;
    size_t len = strlen(text), lines = 0, nonblank = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n')
            lines++;
        else if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
            nonblank = 1;
    }
    if (!nonblank)
        return rk__err(err, RK_EINVAL, "text", "no domain or URL given");
    if (lines + 1 > RK_MAX_LOOKALIKE_SUBMIT_LINES)
        return rk__err(err, RK_ETOOBIG, "text", "more than %u lines",
                       RK_MAX_LOOKALIKE_SUBMIT_LINES);
    struct rk_lookalike_batch b = {0};
    b.source = "api";
    b.text = text;
    b.len = len;
    return rk_lookalike_store_batch(s, who, &b, out, err);
}

enum rk_status rk_lookalike_feed_get(struct rk_store *s, const struct rk_actor *who,
                                     const char *feed, struct rk_lookalike_feed_pos *out,
                                     int *found, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    memset(out, 0, sizeof(*out));
    *found = 0;
    enum rk_status rc = lk_begin(s, who, &c, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT dev, ino, offset, lines FROM lookalike_feeds"
                                " WHERE feed = ?1",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    rk__bind_text(st, 1, feed);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *found = 1;
        out->dev = (uint64_t)sqlite3_column_int64(st, 0);
        out->ino = (uint64_t)sqlite3_column_int64(st, 1);
        out->offset = (uint64_t)sqlite3_column_int64(st, 2);
        out->lines = (uint64_t)sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        rc = rk__db_error(c, r, err);
out:
    rk__conn_put(s, c);
    return rc;
}

/* ===== Reads ===== */

enum rk_status rk_lookalike_list(struct rk_store *s, const struct rk_actor *who,
                                 const struct rk_lookalike_query *q, json_t **out,
                                 struct rk_error *err)
{
    const char *status = q->status != NULL && q->status[0] != '\0' ? q->status : "new";
    if (strcmp(status, "all") != 0 && !rk__in_set(status, STATUSES))
        return rk__err(err, RK_EINVAL, "status", "status must be new, confirmed, dismissed or all");
    if (q->min_score < 0 || q->min_score > 100)
        return rk__err(err, RK_EINVAL, "min_score", "min_score must be 0-100");
    int limit = q->limit > 0 ? q->limit : RK_DEFAULT_LIST_LIMIT;
    if (limit > RK_MAX_LIST_LIMIT)
        limit = RK_MAX_LIST_LIMIT;
    int offset = q->offset > 0 ? q->offset : 0;
    const char *st_filter = strcmp(status, "all") == 0 ? NULL : status;
    const char *brand = q->brand != NULL && q->brand[0] != '\0' ? q->brand : NULL;
    const char *sector = q->sector != NULL && q->sector[0] != '\0' ? q->sector : NULL;
    struct rk_conn *c = NULL;
    json_t *items = NULL;
    int64_t total = 0;
    enum rk_status rc = lk_begin(s, who, &c, err);
    if (rc != RK_OK)
        goto out;
#define LK_WHERE                                                                                   \
    " WHERE (?1 IS NULL OR m.status = ?1) AND (?2 IS NULL OR m.brand_id = ?2)"                     \
    " AND (?3 IS NULL OR m.sector = ?3) AND m.score >= ?4"
    static const char COUNT[] = "SELECT count(*) FROM lookalike_matches m" LK_WHERE;
    static const char LIST[] = "SELECT " MATCH_COLS " FROM lookalike_matches m"
                               " LEFT JOIN lookalike_takedowns t ON t.match_id = m.id" LK_WHERE
                               " ORDER BY m.score DESC, m.last_seen DESC, m.id LIMIT ?5 OFFSET ?6";
#undef LK_WHERE
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL); /* one snapshot for count and page */
    sqlite3_stmt *st = rk__stmt(c, COUNT, err);
    int r = SQLITE_ERROR;
    if (st != NULL) {
        rk__bind_text(st, 1, st_filter);
        rk__bind_text(st, 2, brand);
        rk__bind_text(st, 3, sector);
        sqlite3_bind_int(st, 4, q->min_score);
        r = sqlite3_step(st);
        if (r == SQLITE_ROW)
            total = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    if (st == NULL || r != SQLITE_ROW) {
        rc = st == NULL ? RK_EIO : rk__db_error(c, r, err);
        goto out_tx;
    }
    st = rk__stmt(c, LIST, err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out_tx;
    }
    items = json_array();
    rk__bind_text(st, 1, st_filter);
    rk__bind_text(st, 2, brand);
    rk__bind_text(st, 3, sector);
    sqlite3_bind_int(st, 4, q->min_score);
    sqlite3_bind_int(st, 5, limit);
    sqlite3_bind_int(st, 6, offset);
    while (items != NULL && (r = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(items, match_row(c, st));
    sqlite3_reset(st);
    if (items == NULL)
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    else if (r != SQLITE_DONE)
        rc = rk__db_error(c, r, err);
    if (rc == RK_OK)
        rc = attach_takedowns(c, items, err);
    if (rc == RK_OK) {
        *out = json_pack("{s:O,s:I,s:i,s:i}", "items", items, "total", (json_int_t)total, "limit",
                         limit, "offset", offset);
        if (*out == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        else
            rk__audit_read(s, who, "lookalike_match", "", status);
    }
out_tx:
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
out:
    json_decref(items);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_lookalike_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                                json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    enum rk_status rc = lk_begin(s, who, &c, err);
    if (rc == RK_OK)
        rc = match_one(c, id, out, err);
    if (rc == RK_OK)
        rk__audit_read(s, who, "lookalike_match", id, NULL);
    rk__conn_put(s, c);
    return rc;
}

/* ===== Decisions ===== */

/* The match's status and takedown (id, status) for a decision, read inside its transaction. */
struct match_state {
    char status[16];
    char registrable[256];
    char brand[48];
    char td_id[37];
    char td_status[16];
};

static enum rk_status load_state(struct rk_conn *c, const char *id, struct match_state *ms,
                                 struct rk_error *err)
{
    memset(ms, 0, sizeof(*ms));
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT m.status, m.registrable, m.brand_id, t.id, t.status"
                                " FROM lookalike_matches m LEFT JOIN lookalike_takedowns t"
                                " ON t.match_id = m.id WHERE m.id = ?1",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        snprintf(ms->status, sizeof ms->status, "%s", rk__col_text(st, 0));
        snprintf(ms->registrable, sizeof ms->registrable, "%s", rk__col_text(st, 1));
        snprintf(ms->brand, sizeof ms->brand, "%s", rk__col_text(st, 2));
        snprintf(ms->td_id, sizeof ms->td_id, "%s", rk__col_text(st, 3));
        snprintf(ms->td_status, sizeof ms->td_status, "%s", rk__col_text(st, 4));
    }
    sqlite3_reset(st);
    if (r == SQLITE_DONE)
        return rk__err(err, RK_ENOTFOUND, NULL, "no such lookalike match");
    return r == SQLITE_ROW ? RK_OK : rk__db_error(c, r, err);
}

static enum rk_status step_done(struct rk_conn *c, sqlite3_stmt *st, struct rk_error *err)
{
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : rk__db_error(c, r, err);
}

static enum rk_status create_takedown(struct rk_conn *c, const struct rk_actor *who,
                                      const char *match_id, const struct match_state *ms,
                                      const char *target_org, const char *now, struct rk_error *err)
{
    char tid[37];
    if (rk__uuid(tid) != RK_OK)
        return rk__err(err, RK_EIO, NULL, "no randomness for an id");
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO lookalike_takedowns (id, match_id, domain, brand_id,"
                                " target_org, created_by, created_at)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, tid);
    rk__bind_text(st, 2, match_id);
    rk__bind_text(st, 3, ms->registrable);
    rk__bind_text(st, 4, ms->brand);
    rk__bind_text(st, 5, target_org);
    rk__bind_text(st, 6, who->user_id);
    rk__bind_text(st, 7, now);
    enum rk_status rc = step_done(c, st, err);
    if (rc != RK_OK)
        return rc;
    struct rk_audit_event ev;
    rk__audit_event(&ev, who, "create", "lookalike_takedown", tid, ms->registrable);
    return rk__audit_append(c, &ev, err);
}

/* Applies `decision` to the match inside the transaction. */
static enum rk_status apply_decision(struct rk_conn *c, const struct rk_actor *who, const char *id,
                                     const char *decision, const char *note, const char *target_org,
                                     struct rk_error *err)
{
    struct match_state ms;
    enum rk_status rc = load_state(c, id, &ms, err);
    if (rc != RK_OK)
        return rc;
    int reopen = strcmp(decision, "reopen") == 0;
    if (!reopen && strcmp(ms.status, "new") != 0)
        return rk__err(err, RK_ECONFLICT, "decision", "the match is already %s; reopen it first",
                       ms.status);
    if (reopen && strcmp(ms.status, "new") == 0)
        return rk__err(err, RK_ECONFLICT, "decision", "the match is not decided");
    if (reopen && ms.td_id[0] && strcmp(ms.td_status, "not_requested") != 0)
        return rk__err(err, RK_ECONFLICT, "decision",
                       "the takedown is already %s; it cannot be undone by reopening",
                       ms.td_status);
    char now[21];
    rk__now(now);
    const char *to = reopen ? "new" : strcmp(decision, "confirm") == 0 ? "confirmed" : "dismissed";
    sqlite3_stmt *st = rk__stmt(c,
                                "UPDATE lookalike_matches SET status = ?2, decided_by = ?3,"
                                " decided_at = ?4, note = ?5 WHERE id = ?1",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    rk__bind_text(st, 2, to);
    rk__bind_text(st, 3, reopen ? NULL : who->user_id);
    rk__bind_text(st, 4, reopen ? NULL : now);
    rk__bind_text(st, 5, note);
    rc = step_done(c, st, err);
    if (rc == RK_OK && reopen && ms.td_id[0]) {
        st = rk__stmt(c, "DELETE FROM lookalike_takedowns WHERE id = ?1", err);
        if (st == NULL)
            return RK_EIO;
        rk__bind_text(st, 1, ms.td_id);
        rc = step_done(c, st, err);
        if (rc == RK_OK) {
            struct rk_audit_event ev;
            rk__audit_event(&ev, who, "delete", "lookalike_takedown", ms.td_id, "reopened");
            rc = rk__audit_append(c, &ev, err);
        }
    }
    if (rc == RK_OK && strcmp(to, "confirmed") == 0)
        rc = create_takedown(c, who, id, &ms, target_org, now, err);
    if (rc == RK_OK) {
        struct rk_audit_event ev;
        rk__audit_event(&ev, who, "decide", "lookalike_match", id, decision);
        rc = rk__audit_append(c, &ev, err);
    }
    return rc;
}

static const char *const DECISIONS[] = {"confirm", "dismiss", "reopen", NULL};

enum rk_status rk_lookalike_decide(struct rk_store *s, const struct rk_actor *who, const char *id,
                                   json_t *in, json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"decision", "note", "target_org", NULL};
    const char *decision = NULL, *note = NULL, *target_org = NULL;
    struct rk_conn *c = NULL;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "decision", "decision", 1, 16, &decision, err);
    if (rc == RK_OK && !rk__in_set(decision, DECISIONS))
        rc = rk__err(err, RK_EINVAL, "decision", "decision must be confirm, dismiss or reopen");
    if (rc == RK_OK)
        rc = rk__json_str(in, "note", "note", 0, RK_MAX_NOTE_BYTES, &note, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "target_org", "target_org", 0, RK_MAX_LOOKALIKE_TARGET_ORG,
                          &target_org, err);
    if (rc == RK_OK && target_org != NULL && strcmp(decision, "confirm") != 0)
        rc = rk__err(err, RK_EINVAL, "target_org", "target_org goes with confirm only");
    if (rc != RK_OK)
        return rc;
    rc = lk_begin(s, who, &c, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    rc = apply_decision(c, who, id, decision, note, target_org, err);
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
    if (rc == RK_OK)
        rc = match_one(c, id, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}

/* ===== Takedown records ===== */

enum rk_status rk_lookalike_takedown_list(struct rk_store *s, const struct rk_actor *who,
                                          const char *status, int limit, int offset, json_t **out,
                                          struct rk_error *err)
{
    if (status != NULL && status[0] == '\0')
        status = NULL;
    if (status != NULL && !rk__in_set(status, TD_STATUSES))
        return rk__err(err, RK_EINVAL, "status",
                       "status must be not_requested, requested, removed or refused");
    if (limit <= 0)
        limit = RK_DEFAULT_LIST_LIMIT;
    if (limit > RK_MAX_LIST_LIMIT)
        limit = RK_MAX_LIST_LIMIT;
    if (offset < 0)
        offset = 0;
    struct rk_conn *c = NULL;
    json_t *items = NULL;
    int64_t total = 0;
    enum rk_status rc = lk_begin(s, who, &c, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT count(*) FROM lookalike_takedowns"
                                " WHERE ?1 IS NULL OR status = ?1",
                                err);
    int r = SQLITE_ERROR;
    if (st != NULL) {
        rk__bind_text(st, 1, status);
        r = sqlite3_step(st);
        if (r == SQLITE_ROW)
            total = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    if (st == NULL || r != SQLITE_ROW) {
        rc = st == NULL ? RK_EIO : rk__db_error(c, r, err);
        goto out_tx;
    }
    st = rk__stmt(c,
                  "SELECT " TD_COLS " FROM lookalike_takedowns t"
                  " JOIN lookalike_matches m ON m.id = t.match_id"
                  " WHERE ?1 IS NULL OR t.status = ?1"
                  " ORDER BY t.created_at DESC, t.id LIMIT ?2 OFFSET ?3",
                  err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out_tx;
    }
    items = json_array();
    rk__bind_text(st, 1, status);
    sqlite3_bind_int(st, 2, limit);
    sqlite3_bind_int(st, 3, offset);
    while (items != NULL && (r = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(items, td_row(c, st));
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
            rk__audit_read(s, who, "lookalike_takedown", "", status);
    }
out_tx:
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
out:
    json_decref(items);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_lookalike_takedown_update(struct rk_store *s, const struct rk_actor *who,
                                            const char *id, json_t *in, json_t **out,
                                            struct rk_error *err)
{
    static const char *const allowed[] = {"status", "target_org", "note", NULL};
    const char *status = NULL, *target_org = NULL, *note = NULL;
    struct rk_conn *c = NULL;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "status", "status", 0, 16, &status, err);
    if (rc == RK_OK && status != NULL && !rk__in_set(status, TD_STATUSES))
        rc = rk__err(err, RK_EINVAL, "status",
                     "status must be not_requested, requested, removed or refused");
    if (rc == RK_OK)
        rc = rk__json_str(in, "target_org", "target_org", 0, RK_MAX_LOOKALIKE_TARGET_ORG,
                          &target_org, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "note", "note", 0, RK_MAX_NOTE_BYTES, &note, err);
    if (rc == RK_OK && status == NULL && target_org == NULL && note == NULL)
        rc = rk__err(err, RK_EINVAL, "status", "nothing to change");
    if (rc != RK_OK)
        return rc;
    rc = lk_begin(s, who, &c, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    char now[21];
    rk__now(now);
    sqlite3_stmt *st = rk__stmt(c,
                                "UPDATE lookalike_takedowns SET status = coalesce(?2, status),"
                                " target_org = coalesce(?3, target_org), note = coalesce(?4, note),"
                                " updated_by = ?5, updated_at = ?6 WHERE id = ?1",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
    } else {
        rk__bind_text(st, 1, id);
        rk__bind_text(st, 2, status);
        rk__bind_text(st, 3, target_org);
        rk__bind_text(st, 4, note);
        rk__bind_text(st, 5, who->user_id);
        rk__bind_text(st, 6, now);
        rc = step_done(c, st, err);
    }
    if (rc == RK_OK && sqlite3_changes(c->db) == 0)
        rc = rk__err(err, RK_ENOTFOUND, NULL, "no such takedown record");
    if (rc == RK_OK) {
        struct rk_audit_event ev;
        rk__audit_event(&ev, who, "update", "lookalike_takedown", id, status);
        rc = rk__audit_append(c, &ev, err);
    }
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
    if (rc == RK_OK)
        rc = td_one(c, id, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}

/* ===== Statistics ===== */

enum rk_status rk_lookalike_stats(struct rk_store *s, const struct rk_actor *who, json_t **out,
                                  struct rk_error *err)
{
    struct rk_conn *c = NULL;
    json_t *items = NULL;
    int64_t total = 0;
    enum rk_status rc = lk_begin(s, who, &c, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT brand_id, max(brand_ja), max(brand_en), max(sector),"
                                " sum(status = 'new'), sum(status = 'confirmed'),"
                                " sum(status = 'dismissed'), count(*) FROM lookalike_matches"
                                " GROUP BY brand_id ORDER BY count(*) DESC, brand_id",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    items = json_array();
    int r = SQLITE_DONE;
    while (items != NULL && (r = sqlite3_step(st)) == SQLITE_ROW) {
        json_int_t n = (json_int_t)sqlite3_column_int64(st, 7);
        json_array_append_new(items,
                              json_pack("{s:o,s:I,s:I,s:I,s:I}", "brand", brand_json(st, 0), "new",
                                        (json_int_t)sqlite3_column_int64(st, 4), "confirmed",
                                        (json_int_t)sqlite3_column_int64(st, 5), "dismissed",
                                        (json_int_t)sqlite3_column_int64(st, 6), "total", n));
        total += n;
    }
    sqlite3_reset(st);
    if (items == NULL)
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
