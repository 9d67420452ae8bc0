/*
 * The SQLite backend of the store (struct rk_store_ops). Choices, and why:
 *   - WAL journal: readers never block the writer or each other, so the server's thread pool
 *     reads in parallel while the audit writer appends.
 *   - synchronous=NORMAL: in WAL mode a committed transaction survives a crash of the process
 *     (kill -9) because the WAL is written before COMMIT returns; only a power loss or OS crash
 *     can drop the last transactions. RENKEI_SYNC=full selects synchronous=FULL for machines
 *     that must survive power loss too (docs/data-model.md).
 *   - foreign_keys=ON and busy_timeout on every connection.
 *   - one connection per thread at a time, from a pool that grows to RK_MAX_STORE_CONNS and
 *     makes further callers wait; each connection keeps its prepared statements.
 *   - write transactions are BEGIN IMMEDIATE, so a writer takes the lock up front instead of
 *     failing with SQLITE_BUSY half-way through a read-then-write;
 *   - and, before that, the store's writer gate (a mutex, rk_store.write_mu): the threads of one
 *     process queue on it and each is woken as soon as the previous writer finishes. Left to
 *     SQLite alone they poll in the busy handler, whose back-off sleeps up to 100 ms per try;
 *     with 16 concurrent POSTs that made the write latency about a second while the CPU idled.
 *     SQLite's lock (with busy_timeout) still arbitrates between processes (e.g. the CLI).
 *   - checkpoints run after the gate is left: SQLite's automatic checkpoint runs inside COMMIT,
 *     where it held up every queued writer while it copied pages and called fsync. A WAL hook
 *     notes the WAL's size; the committing thread, once out of the gate, runs a PASSIVE
 *     checkpoint (which never blocks writers) when the WAL has RK_STORE_CHECKPOINT_FRAMES.
 *   - a page cache of RK_STORE_CACHE_KIB per connection (SQLite's default is 2 MiB): the upper
 *     levels of the report indexes of a million-report store stay in memory. A memory map
 *     (mmap_size) was tried too and made no difference that the shared machine could measure,
 *     so reads stay on pread().
 */
#include "store/store.h"

#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "renkei/alloc.h"
#include "renkei/limits.h"

extern const unsigned char rk__mig_0001[];
extern const unsigned char rk__mig_0002[];
extern const unsigned char rk__mig_0003[];
extern const unsigned char rk__mig_0004[];
extern const unsigned char rk__mig_0005[];
extern const unsigned char rk__mig_0006[];
extern const unsigned char rk__mig_0007[];
extern const unsigned char rk__mig_0008[];
extern const unsigned char rk__mig_0009[];
extern const unsigned char rk__mig_0010[];
extern const unsigned char rk__mig_0011[];
extern const unsigned char rk__mig_0012[];

/* Numbered migrations, applied in order; PRAGMA user_version records the last one applied. */
static const unsigned char *const migrations[] = {rk__mig_0001, rk__mig_0002, rk__mig_0003,
                                                rk__mig_0004, rk__mig_0005, rk__mig_0006,
                                                rk__mig_0007, rk__mig_0008, rk__mig_0009,
                                                rk__mig_0010, rk__mig_0011, rk__mig_0012};

/* The WAL hook (it replaces SQLite's automatic checkpoint, see sq_tx_commit). */
static int wal_note(void *arg, sqlite3 *db, const char *name, int frames)
{
    (void)db;
    (void)name;
    ((struct rk_conn *)arg)->wal_frames = frames;
    return SQLITE_OK;
}

static enum rk_status conn_open(struct rk_store *s, struct rk_conn **out, struct rk_error *err)
{
    struct rk_conn *c = rk_calloc(1, sizeof(*c));
    if (c == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    int rc = sqlite3_open_v2(s->path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        rk__err(err, RK_EIO, NULL, "cannot open the database: %s",
                c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sqlite3_close(c->db);
        rk_free(c);
        return RK_EIO;
    }
    sqlite3_busy_timeout(c->db, RK_STORE_BUSY_TIMEOUT_MS);
    const char *sync = getenv("RENKEI_SYNC");
    const char *pragmas = (sync != NULL && strcmp(sync, "full") == 0)
                              ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                              : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                                "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    rc = sqlite3_exec(c->db, pragmas, NULL, NULL, &msg);
    if (rc == SQLITE_OK) {
        char sizes[48];
        snprintf(sizes, sizeof(sizes), "PRAGMA cache_size=-%d;", RK_STORE_CACHE_KIB);
        rc = sqlite3_exec(c->db, sizes, NULL, NULL, &msg);
    }
    if (rc != SQLITE_OK) {
        rk__err(err, RK_EIO, NULL, "cannot configure the database: %s", msg ? msg : "");
        sqlite3_free(msg);
        sqlite3_close(c->db);
        rk_free(c);
        return RK_EIO;
    }
    c->write_mu = &s->write_mu;
    sqlite3_wal_hook(c->db, wal_note, c);
    *out = c;
    return RK_OK;
}

static void conn_close(struct rk_conn *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < c->ncache; i++)
        sqlite3_finalize(c->cache[i].st);
    sqlite3_close(c->db);
    rk_free(c);
}

static enum rk_status migrate(struct rk_store *s, struct rk_conn *c, struct rk_error *err)
{
    enum rk_status rc = s->ops->tx_begin(c);
    if (rc != RK_OK)
        return rk__db_error(c, sqlite3_errcode(c->db), err);
    sqlite3_stmt *st = NULL;
    int version = 0;
    if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    int n = (int)(sizeof(migrations) / sizeof(migrations[0]));
    if (version > n) {
        s->ops->tx_rollback(c);
        return rk__err(err, RK_EUNSUPPORTED, NULL,
                       "the database has schema version %d; this renkei knows up to %d",
                       version, n);
    }
    for (int i = version; i < n; i++) {
        char *msg = NULL;
        if (sqlite3_exec(c->db, (const char *)migrations[i], NULL, NULL, &msg) != SQLITE_OK) {
            rk__err(err, RK_EIO, NULL, "migration %d failed: %s", i + 1, msg ? msg : "");
            sqlite3_free(msg);
            s->ops->tx_rollback(c);
            return RK_EIO;
        }
        char pragma[48];
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", i + 1);
        if (sqlite3_exec(c->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
            s->ops->tx_rollback(c);
            return rk__db_error(c, sqlite3_errcode(c->db), err);
        }
    }
    rc = s->ops->tx_commit(c);
    if (rc != RK_OK)
        return rk__err(err, rc, NULL, "cannot commit the migrations");
    return RK_OK;
}

static enum rk_status sq_open(struct rk_store *s, const char *path, struct rk_error *err)
{
    pthread_mutex_init(&s->write_mu, NULL);
    s->path = rk_strdup(path);
    if (s->path == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    s->pool_cap = RK_MAX_STORE_CONNS;
    struct rk_conn *c = NULL;
    enum rk_status rc = conn_open(s, &c, err);
    if (rc != RK_OK)
        return rc;
    s->pool_open = 1;
    rc = migrate(s, c, err);
    c->next = s->pool_free;
    s->pool_free = c;
    return rc;
}

static void sq_close(struct rk_store *s)
{
    struct rk_conn *c = s->pool_free;
    while (c != NULL) {
        struct rk_conn *next = c->next;
        conn_close(c);
        c = next;
    }
    s->pool_free = NULL;
    s->pool_open = 0;
    pthread_mutex_destroy(&s->write_mu);
}

/* The writer gate. It waits at most RK_STORE_BUSY_TIMEOUT_MS, like SQLite's busy timeout, so
 * that a thread which already holds a write transaction on another connection and then asks
 * for a second one fails with an error (as it did with SQLite's lock alone) instead of
 * deadlocking. */
static enum rk_status gate_enter(struct rk_conn *c)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += RK_STORE_BUSY_TIMEOUT_MS / 1000;
    until.tv_nsec += (long)(RK_STORE_BUSY_TIMEOUT_MS % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    int r = pthread_mutex_timedlock(c->write_mu, &until);
    if (r != 0)
        return RK_EIO; /* ETIMEDOUT: the same answer SQLite gave after its timeout */
    c->holds_write = 1;
    return RK_OK;
}

static void gate_leave(struct rk_conn *c)
{
    if (!c->holds_write)
        return;
    c->holds_write = 0;
    pthread_mutex_unlock(c->write_mu);
}

static enum rk_status sq_conn_get(struct rk_store *s, struct rk_conn **out)
{
    pthread_mutex_lock(&s->pool_mu);
    for (;;) {
        if (s->pool_free != NULL) {
            struct rk_conn *c = s->pool_free;
            s->pool_free = c->next;
            c->next = NULL;
            pthread_mutex_unlock(&s->pool_mu);
            *out = c;
            return RK_OK;
        }
        if (s->pool_open < s->pool_cap)
            break;
        pthread_cond_wait(&s->pool_cv, &s->pool_mu);
    }
    s->pool_open++;
    pthread_mutex_unlock(&s->pool_mu);
    struct rk_conn *c = NULL;
    enum rk_status rc = conn_open(s, &c, NULL);
    if (rc != RK_OK) {
        pthread_mutex_lock(&s->pool_mu);
        s->pool_open--;
        pthread_cond_signal(&s->pool_cv);
        pthread_mutex_unlock(&s->pool_mu);
        return rc;
    }
    *out = c;
    return RK_OK;
}

static void sq_conn_put(struct rk_store *s, struct rk_conn *c)
{
    if (c == NULL)
        return;
    /* A transaction left open by an error path must not leak into the next borrower. */
    if (c->tx_depth > 0 || !sqlite3_get_autocommit(c->db)) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        c->tx_depth = 0;
        c->tx_failed = 0;
    }
    gate_leave(c);
    pthread_mutex_lock(&s->pool_mu);
    c->next = s->pool_free;
    s->pool_free = c;
    pthread_cond_signal(&s->pool_cv);
    pthread_mutex_unlock(&s->pool_mu);
}

static enum rk_status sq_tx_begin(struct rk_conn *c)
{
    if (c->tx_depth++ > 0)
        return RK_OK;
    c->tx_failed = 0;
    if (gate_enter(c) != RK_OK) {
        c->tx_depth = 0;
        return RK_EIO;
    }
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        c->tx_depth = 0;
        gate_leave(c);
        return RK_EIO;
    }
    return RK_OK;
}

static void sq_tx_rollback(struct rk_conn *c)
{
    if (c->tx_depth == 0)
        return;
    if (--c->tx_depth > 0) {
        c->tx_failed = 1;
        return;
    }
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    c->tx_failed = 0;
    gate_leave(c);
}

static enum rk_status sq_tx_commit(struct rk_conn *c)
{
    if (c->tx_depth == 0)
        return RK_EIO;
    if (--c->tx_depth > 0)
        return RK_OK;
    enum rk_status rc = RK_OK;
    if (c->tx_failed) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        c->tx_failed = 0;
        rc = RK_EIO;
    } else if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        rc = RK_EIO;
    }
    gate_leave(c);
    if (c->wal_frames >= RK_STORE_CHECKPOINT_FRAMES) {
        /* Best effort: a checkpoint already running elsewhere makes this one return at once,
         * and the next commit tries again. */
        c->wal_frames = 0;
        sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
    return rc;
}

const struct rk_store_ops rk__store_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .conn_get = sq_conn_get,
    .conn_put = sq_conn_put,
    .tx_begin = sq_tx_begin,
    .tx_commit = sq_tx_commit,
    .tx_rollback = sq_tx_rollback,
};

/* ===== Statements ===== */

sqlite3_stmt *rk__stmt(struct rk_conn *c, const char *sql, struct rk_error *err)
{
    for (int i = 0; i < c->ncache; i++) {
        if (c->cache[i].sql == sql) {
            sqlite3_reset(c->cache[i].st);
            sqlite3_clear_bindings(c->cache[i].st);
            return c->cache[i].st;
        }
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        rk__db_error(c, rc, err);
        return NULL;
    }
    if (c->ncache < (int)(sizeof(c->cache) / sizeof(c->cache[0]))) {
        c->cache[c->ncache].sql = sql;
        c->cache[c->ncache].st = st;
        c->ncache++;
    } else {
        /* The cache is full: replace the oldest entry. Statements are only ever static SQL,
         * so this happens only if the code grows past the cache size. */
        sqlite3_finalize(c->cache[0].st);
        memmove(&c->cache[0], &c->cache[1], sizeof(c->cache[0]) * (size_t)(c->ncache - 1));
        c->cache[c->ncache - 1].sql = sql;
        c->cache[c->ncache - 1].st = st;
    }
    return st;
}

enum rk_status rk__stmt_new(struct rk_conn *c, const char *sql, sqlite3_stmt **out,
                            struct rk_error *err)
{
    int rc = sqlite3_prepare_v2(c->db, sql, -1, out, NULL);
    if (rc != SQLITE_OK) {
        *out = NULL;
        return rk__db_error(c, rc, err);
    }
    return RK_OK;
}

enum rk_status rk__db_error(struct rk_conn *c, int rc, struct rk_error *err)
{
    int prim = rc & 0xff;
    if (prim == SQLITE_CONSTRAINT)
        return rk__err(err, RK_ECONFLICT, NULL, "conflicts with stored data (%s)",
                       sqlite3_errmsg(c->db));
    if (prim == SQLITE_NOMEM)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory in the database");
    return rk__err(err, RK_EIO, NULL, "database error: %s", sqlite3_errmsg(c->db));
}

enum rk_status rk__exec(struct rk_conn *c, const char *sql, struct rk_error *err)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? RK_OK : rk__db_error(c, rc, err);
}

int rk__bind_text(sqlite3_stmt *st, int idx, const char *v)
{
    if (v == NULL)
        return sqlite3_bind_null(st, idx);
    return sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT);
}

int rk__bind_named_text(sqlite3_stmt *st, const char *name, const char *v)
{
    int idx = sqlite3_bind_parameter_index(st, name);
    if (idx == 0)
        return SQLITE_OK;
    return rk__bind_text(st, idx, v);
}

const char *rk__col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t != NULL ? (const char *)t : "";
}

json_t *rk__col_json_str(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return json_null();
    return json_string(rk__col_text(st, i));
}
