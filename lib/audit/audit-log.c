/*
 * The audit log: an append-only, hash-chained record of every write and every read of report
 * or case data. Each event's hash is SHA-256 over the previous event's hash, a newline, and the
 * event's canonical form (its fields joined by the unit separator 0x1f, in a fixed order); the
 * first event's previous hash is 64 zeros. Editing, inserting or deleting a row in the middle
 * breaks the chain at that row, which rk_audit_verify() reports.
 *
 * Two ways in, so that auditing reads does not serialise the readers:
 *   - writes append inside their own transaction (rk__audit_append): the event commits or rolls
 *     back together with the change it records;
 *   - reads only queue the event (rk__audit_read) and return; one writer thread per store takes
 *     whatever has queued and appends it in one short transaction (a batch of up to
 *     RK_MAX_AUDIT_BATCH). Readers therefore never wait on the write lock; the price is that a
 *     read event reaches the disk a few milliseconds after the read, and a kill -9 in that window
 *     can lose the newest read events (never a write's event). rk__audit_flush() waits for the
 *     queue to drain; rk_store_close() flushes.
 * Both paths take the SQLite write lock to append, so the chain stays a single line.
 */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/limits.h"
#include "share/access.h"

static const char GENESIS[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* ===== Hashing ===== */

static enum rk_status event_hash(const char *prev, long long seq, const char *at,
                                 const struct rk_audit_event *ev, char out[65])
{
    struct rk_buf b;
    rk_buf_init(&b, 0);
    enum rk_status rc = rk_buf_addf(&b, "%s\n%lld\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s",
                                    prev, seq, at, ev->actor_id, ev->actor_login, ev->action,
                                    ev->object_type, ev->object_id,
                                    ev->detail ? ev->detail : "");
    if (rc == RK_OK)
        rc = rk__sha256_hex(b.data, b.len, out);
    rk_buf_free(&b);
    return rc;
}

static const char SQL_LAST[] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
static const char SQL_INSERT[] =
    "INSERT INTO audit (seq, at, actor_id, actor_login, action, object_type, object_id, detail,"
    " prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/* Appends with the chain head known (`*seq` and `prev` are updated). */
static enum rk_status append_known(struct rk_conn *c, long long *seq, char prev[65],
                                   const char *at, const struct rk_audit_event *ev,
                                   struct rk_error *err)
{
    char hash[65];
    long long next = *seq + 1;
    enum rk_status rc = event_hash(prev, next, at, ev, hash);
    if (rc != RK_OK)
        return rk__err(err, rc, NULL, "cannot hash the audit event");
    sqlite3_stmt *st = rk__stmt(c, SQL_INSERT, err);
    if (st == NULL)
        return RK_EIO;
    sqlite3_bind_int64(st, 1, next);
    rk__bind_text(st, 2, at);
    rk__bind_text(st, 3, ev->actor_id);
    rk__bind_text(st, 4, ev->actor_login);
    rk__bind_text(st, 5, ev->action);
    rk__bind_text(st, 6, ev->object_type);
    rk__bind_text(st, 7, ev->object_id);
    rk__bind_text(st, 8, ev->detail ? ev->detail : "");
    rk__bind_text(st, 9, prev);
    rk__bind_text(st, 10, hash);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return rk__db_error(c, r, err);
    *seq = next;
    memcpy(prev, hash, 65);
    return RK_OK;
}

static enum rk_status chain_head(struct rk_conn *c, long long *seq, char prev[65],
                                 struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, SQL_LAST, err);
    if (st == NULL)
        return RK_EIO;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        snprintf(prev, 65, "%s", rk__col_text(st, 1));
    } else if (r == SQLITE_DONE) {
        *seq = 0;
        memcpy(prev, GENESIS, 65);
    }
    sqlite3_reset(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return rk__db_error(c, r, err);
    return RK_OK;
}

enum rk_status rk__audit_append(struct rk_conn *c, const struct rk_audit_event *ev,
                                struct rk_error *err)
{
    long long seq;
    char prev[65], at[21];
    enum rk_status rc = chain_head(c, &seq, prev, err);
    if (rc != RK_OK)
        return rc;
    rk__now(at);
    return append_known(c, &seq, prev, at, ev, err);
}

void rk__audit_event(struct rk_audit_event *ev, const struct rk_actor *who, const char *action,
                     const char *type, const char *id, const char *detail)
{
    ev->actor_id = who ? who->user_id : "system";
    ev->actor_login = who ? who->login : "system";
    ev->action = action;
    ev->object_type = type;
    ev->object_id = id ? id : "";
    ev->detail = detail;
}

/* ===== The queue of read events and its writer thread ===== */

struct queued {
    char at[21];
    char actor_id[37];
    char actor_login[65];
    char object_type[16];
    char object_id[37];
    char detail[64];
};

struct rk_audit_queue {
    pthread_mutex_t mu;
    pthread_cond_t cv_work; /* signalled when events arrive or on stop */
    pthread_cond_t cv_done; /* signalled when a batch has been written */
    pthread_t thread;
    int running;
    int stop;
    struct queued *items; /* ring of RK_MAX_AUDIT_QUEUE */
    size_t head, count;
    unsigned long long queued_total;  /* events ever queued */
    unsigned long long written_total; /* events ever taken off and written (or dropped) */
    struct rk_store *store;
};

static void write_batch(struct rk_store *s, struct queued *batch, size_t n)
{
    struct rk_conn *c = NULL;
    struct rk_error err = {0};
    if (rk__conn_get(s, &c, &err) != RK_OK)
        goto fail;
    if (rk__tx_begin(s, c, &err) != RK_OK)
        goto fail;
    long long seq;
    char prev[65];
    if (chain_head(c, &seq, prev, &err) != RK_OK)
        goto fail_tx;
    for (size_t i = 0; i < n; i++) {
        struct rk_audit_event ev = {
            .actor_id = batch[i].actor_id,
            .actor_login = batch[i].actor_login,
            .action = "read",
            .object_type = batch[i].object_type,
            .object_id = batch[i].object_id,
            .detail = batch[i].detail,
        };
        if (append_known(c, &seq, prev, batch[i].at, &ev, &err) != RK_OK)
            goto fail_tx;
    }
    if (rk__tx_commit(s, c, &err) != RK_OK)
        goto fail;
    rk__conn_put(s, c);
    return;
fail_tx:
    rk__tx_rollback(s, c);
fail:
    /* Nothing of the events' content is printed: only that some were lost, and why. */
    fprintf(stderr, "renkei: audit: %zu read events could not be written: %s\n", n,
            err.message);
    rk__conn_put(s, c);
}

static void *writer_main(void *arg)
{
    struct rk_audit_queue *q = arg;
    struct queued *batch = rk_calloc(RK_MAX_AUDIT_BATCH, sizeof(*batch));
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (q->count == 0 && !q->stop)
            pthread_cond_wait(&q->cv_work, &q->mu);
        if (q->count == 0 && q->stop)
            break;
        size_t n = q->count < RK_MAX_AUDIT_BATCH ? q->count : RK_MAX_AUDIT_BATCH;
        if (batch == NULL)
            n = 0;
        for (size_t i = 0; i < n; i++)
            batch[i] = q->items[(q->head + i) % RK_MAX_AUDIT_QUEUE];
        q->head = (q->head + n) % RK_MAX_AUDIT_QUEUE;
        q->count -= n;
        pthread_mutex_unlock(&q->mu);
        if (n > 0)
            write_batch(q->store, batch, n);
        pthread_mutex_lock(&q->mu);
        if (batch == NULL) {
            /* No memory for a batch: drop what is queued rather than spin. */
            n = q->count;
            q->count = 0;
            fprintf(stderr, "renkei: audit: out of memory, %zu read events lost\n", n);
        }
        q->written_total += n;
        pthread_cond_broadcast(&q->cv_done);
    }
    pthread_mutex_unlock(&q->mu);
    rk_free(batch);
    return NULL;
}

enum rk_status rk__audit_start(struct rk_store *s, struct rk_error *err)
{
    struct rk_audit_queue *q = rk_calloc(1, sizeof(*q));
    if (q == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    q->items = rk_calloc(RK_MAX_AUDIT_QUEUE, sizeof(*q->items));
    if (q->items == NULL) {
        rk_free(q);
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
    q->store = s;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv_work, NULL);
    pthread_cond_init(&q->cv_done, NULL);
    if (pthread_create(&q->thread, NULL, writer_main, q) != 0) {
        pthread_mutex_destroy(&q->mu);
        pthread_cond_destroy(&q->cv_work);
        pthread_cond_destroy(&q->cv_done);
        rk_free(q->items);
        rk_free(q);
        return rk__err(err, RK_EIO, NULL, "cannot start the audit writer");
    }
    q->running = 1;
    s->audit = q;
    return RK_OK;
}

void rk__audit_stop(struct rk_store *s)
{
    struct rk_audit_queue *q = s->audit;
    if (q == NULL)
        return;
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_signal(&q->cv_work);
    pthread_mutex_unlock(&q->mu);
    if (q->running)
        pthread_join(q->thread, NULL);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv_work);
    pthread_cond_destroy(&q->cv_done);
    rk_free(q->items);
    rk_free(q);
    s->audit = NULL;
}

enum rk_status rk__audit_read(struct rk_store *s, const struct rk_actor *who, const char *type,
                              const char *id, const char *detail)
{
    struct rk_audit_queue *q = s->audit;
    if (q == NULL)
        return RK_EIO;
    struct queued e;
    rk__now(e.at);
    snprintf(e.actor_id, sizeof(e.actor_id), "%s", who->user_id);
    snprintf(e.actor_login, sizeof(e.actor_login), "%s", who->login);
    snprintf(e.object_type, sizeof(e.object_type), "%s", type);
    snprintf(e.object_id, sizeof(e.object_id), "%s", id ? id : "");
    snprintf(e.detail, sizeof(e.detail), "%s", detail ? detail : "");
    pthread_mutex_lock(&q->mu);
    while (q->count >= RK_MAX_AUDIT_QUEUE && !q->stop)
        pthread_cond_wait(&q->cv_done, &q->mu);
    q->items[(q->head + q->count) % RK_MAX_AUDIT_QUEUE] = e;
    q->count++;
    q->queued_total++;
    pthread_cond_signal(&q->cv_work);
    pthread_mutex_unlock(&q->mu);
    return RK_OK;
}

void rk__audit_flush(struct rk_store *s)
{
    struct rk_audit_queue *q = s->audit;
    if (q == NULL)
        return;
    pthread_mutex_lock(&q->mu);
    unsigned long long target = q->queued_total;
    while (q->written_total < target)
        pthread_cond_wait(&q->cv_done, &q->mu);
    pthread_mutex_unlock(&q->mu);
}

/* ===== Verify and list ===== */

enum rk_status rk_audit_verify(struct rk_store *s, json_t **out, struct rk_error *err)
{
    rk__audit_flush(s);
    struct rk_conn *c = NULL;
    sqlite3_stmt *st = NULL;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    /* One read transaction, so the chain is checked as of one moment. */
    rc = rk__exec(c, "BEGIN", err);
    if (rc != RK_OK)
        goto out;
    rc = rk__stmt_new(c,
                      "SELECT seq, at, actor_id, actor_login, action, object_type, object_id,"
                      " detail, prev_hash, hash FROM audit ORDER BY seq",
                      &st, err);
    if (rc != RK_OK)
        goto out;
    char prev[65];
    memcpy(prev, GENESIS, 65);
    long long n = 0, expect = 1, broken = -1;
    const char *reason = "";
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        long long seq = sqlite3_column_int64(st, 0);
        struct rk_audit_event ev = {
            .actor_id = rk__col_text(st, 2),
            .actor_login = rk__col_text(st, 3),
            .action = rk__col_text(st, 4),
            .object_type = rk__col_text(st, 5),
            .object_id = rk__col_text(st, 6),
            .detail = rk__col_text(st, 7),
        };
        char want[65];
        n++;
        if (seq != expect) {
            broken = seq;
            reason = "an event is missing before this one (sequence gap)";
            break;
        }
        if (strcmp(rk__col_text(st, 8), prev) != 0) {
            broken = seq;
            reason = "prev_hash does not match the previous event's hash";
            break;
        }
        rc = event_hash(prev, seq, rk__col_text(st, 1), &ev, want);
        if (rc != RK_OK)
            goto out;
        if (strcmp(rk__col_text(st, 9), want) != 0) {
            broken = seq;
            reason = "the event's content does not match its hash (edited)";
            break;
        }
        memcpy(prev, want, 65);
        expect++;
    }
    if (r != SQLITE_ROW && r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto out;
    }
    json_t *o;
    if (broken < 0) {
        o = json_pack("{s:b,s:I,s:n,s:s}", "ok", 1, "events", (json_int_t)n, "first_broken",
                      "reason", "");
    } else {
        char id[24];
        snprintf(id, sizeof(id), "%lld", broken);
        o = json_pack("{s:b,s:I,s:s,s:s}", "ok", 0, "events", (json_int_t)n, "first_broken",
                      id, "reason", reason);
    }
    if (o == NULL) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    *out = o;
    rc = RK_OK;
out:
    sqlite3_finalize(st);
    if (c != NULL)
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_audit_list(struct rk_store *s, const struct rk_actor *who, int limit,
                             int offset, json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    json_t *items = NULL;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_AUDIT_READ, err);
    if (rc != RK_OK)
        goto out;
    rk__audit_flush(s);
    if (limit <= 0)
        limit = RK_DEFAULT_LIST_LIMIT;
    if (limit > RK_MAX_LIST_LIMIT)
        limit = RK_MAX_LIST_LIMIT;
    if (offset < 0)
        offset = 0;
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT seq, at, actor_id, actor_login, action, object_type,"
                                " object_id, detail, hash FROM audit ORDER BY seq DESC"
                                " LIMIT ?1 OFFSET ?2",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    sqlite3_bind_int(st, 1, limit);
    sqlite3_bind_int(st, 2, offset);
    items = json_array();
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        json_array_append_new(
            items,
            json_pack("{s:I,s:s,s:{s:s,s:s},s:s,s:s,s:s,s:s,s:s}", "seq",
                      (json_int_t)sqlite3_column_int64(st, 0), "at", rk__col_text(st, 1),
                      "actor", "id", rk__col_text(st, 2), "login", rk__col_text(st, 3),
                      "action", rk__col_text(st, 4), "object_type", rk__col_text(st, 5),
                      "object_id", rk__col_text(st, 6), "detail", rk__col_text(st, 7), "hash",
                      rk__col_text(st, 8)));
    }
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto out;
    }
    long long total = 0;
    st = rk__stmt(c, "SELECT count(*) FROM audit", err);
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        total = sqlite3_column_int64(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    *out = json_pack("{s:O,s:I,s:i,s:i}", "items", items, "total", (json_int_t)total, "limit",
                     limit, "offset", offset);
    rc = *out ? RK_OK : rk__err(err, RK_ENOMEM, NULL, "out of memory");
out:
    json_decref(items);
    rk__conn_put(s, c);
    return rc;
}
