/*
 * The store's internal interface: what lib/model, lib/share and lib/audit use to reach the
 * database. A backend is a table of function pointers (`struct rk_store_ops`, STYLE.md rule 12);
 * store-sqlite.c implements it for SQLite. The model code speaks SQL on a connection it borrows
 * from the store for the length of one service call (one connection per thread at a time, from a
 * small pool), so that the server's thread pool never shares a sqlite3 handle.
 *
 * Nothing here is public: server/ and cli/ see only include/renkei/service.h.
 */
#ifndef RK_STORE_H
#define RK_STORE_H

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "renkei/service.h"
#include "renkei/status.h"

/* One database connection, borrowed from the pool with rk__conn_get(). */
struct rk_conn {
    sqlite3 *db;
    struct rk_conn *next; /* free list */
    int tx_depth;         /* rk__tx_begin nesting: only the outermost begins and commits */
    int tx_failed;        /* an inner rollback happened: the outermost commit rolls back */
    /* The store's writer gate (rk_store.write_mu) and whether this connection holds it: the
     * outermost write transaction holds it from BEGIN IMMEDIATE to COMMIT or ROLLBACK. */
    pthread_mutex_t *write_mu;
    int holds_write;
    int wal_frames; /* frames in the WAL after this connection's last commit (its WAL hook) */
    /* Statements prepared once per connection, keyed by the address of their SQL text. */
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } cache[96];
    int ncache;
};

/* An audit event. Strings are borrowed for the duration of the call that takes the event. */
struct rk_audit_event {
    const char *actor_id;
    const char *actor_login;
    const char *action;      /* "read", "create", "update", "transition", "login", ... */
    const char *object_type; /* "report", "case", "user", "unit", "session", ... */
    const char *object_id;   /* "" when not about one object (e.g. a list) */
    const char *detail;      /* short, no case text and no secrets; may be NULL */
};

struct rk_store;

/* A backend. Every function returns RK_OK or an error; none calls back into the model. */
struct rk_store_ops {
    const char *name;
    /* Opens the database at `path` (creating it) and applies the migrations. */
    enum rk_status (*open)(struct rk_store *s, const char *path, struct rk_error *err);
    void (*close)(struct rk_store *s);
    /* Borrows a connection (waits when the pool is at its cap) / gives it back. */
    enum rk_status (*conn_get)(struct rk_store *s, struct rk_conn **out);
    void (*conn_put)(struct rk_store *s, struct rk_conn *c);
    /* A write transaction (BEGIN IMMEDIATE), nested calls join the outermost. */
    enum rk_status (*tx_begin)(struct rk_conn *c);
    enum rk_status (*tx_commit)(struct rk_conn *c);
    void (*tx_rollback)(struct rk_conn *c);
};

extern const struct rk_store_ops rk__store_sqlite_ops;

/* Categories, intake types, workflow: loaded from the data files at open (lib/model/ref.c). */
struct rk_ref;

/* The queue of read events that the audit writer thread appends in batches (audit-log.c). */
struct rk_audit_queue;

/* The store's correlation index, built on first use (lib/model/correlate-service.c). */
struct rk__corr_cache;

/* The store's compiled patrol dictionary, built on first use (lib/model/patrol-service.c). */
struct rk__patrol_cache;

/* The store's compiled lookalike detector, built on first use (lib/model/lookalike-service.c). */
struct rk__lookalike_cache;

struct rk_store {
    const struct rk_store_ops *ops;
    char *path;
    /* Connection pool (store-sqlite.c). */
    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    struct rk_conn *pool_free;
    int pool_open; /* connections in existence */
    int pool_cap;
    /* Serialises this process's write transactions before SQLite's own write lock: a waiting
     * writer is woken the moment the previous one commits, instead of polling in SQLite's busy
     * handler, whose back-off sleeps (up to 100 ms a try) set the write latency under load. */
    pthread_mutex_t write_mu;
    struct rk_ref *ref;
    struct rk_audit_queue *audit;
    struct rk__corr_cache *corr;     /* created at open, its index built lazily */
    struct rk__patrol_cache *patrol; /* created at open, its dictionary compiled lazily */
    struct rk__lookalike_cache *lookalike; /* created at open, its brand list compiled lazily */
};

/* ===== Connections and transactions (thin wrappers over s->ops) ===== */

enum rk_status rk__conn_get(struct rk_store *s, struct rk_conn **out, struct rk_error *err);
void rk__conn_put(struct rk_store *s, struct rk_conn *c);
enum rk_status rk__tx_begin(struct rk_store *s, struct rk_conn *c, struct rk_error *err);
enum rk_status rk__tx_commit(struct rk_store *s, struct rk_conn *c, struct rk_error *err);
void rk__tx_rollback(struct rk_store *s, struct rk_conn *c);

/* Returns a cached prepared statement for a static SQL string (reset and unbound), or NULL with
 * `err` filled. Borrowed: valid until the connection is closed; do not finalize it. */
sqlite3_stmt *rk__stmt(struct rk_conn *c, const char *sql, struct rk_error *err);
/* Prepares a one-off statement; the caller finalizes it. */
enum rk_status rk__stmt_new(struct rk_conn *c, const char *sql, sqlite3_stmt **out,
                            struct rk_error *err);
/* Maps a SQLite result code to an rk_status and fills `err` (constraint → RK_ECONFLICT). */
enum rk_status rk__db_error(struct rk_conn *c, int rc, struct rk_error *err);
/* Runs SQL without results. */
enum rk_status rk__exec(struct rk_conn *c, const char *sql, struct rk_error *err);

/* Binds NULL when `v` is NULL. */
int rk__bind_text(sqlite3_stmt *st, int idx, const char *v);
int rk__bind_named_text(sqlite3_stmt *st, const char *name, const char *v);
/* A column as a C string, "" for NULL (borrowed until the next step/reset). */
const char *rk__col_text(sqlite3_stmt *st, int i);
/* A column as a JSON string, or json null for NULL. */
json_t *rk__col_json_str(sqlite3_stmt *st, int i);

/* ===== Errors, ids, time ===== */

/* Fills `err` (may be NULL) and returns `code`. `field` may be NULL. */
enum rk_status rk__err(struct rk_error *err, enum rk_status code, const char *field,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A random (v4) UUID, 36 characters + NUL. */
enum rk_status rk__uuid(char out[37]);
/* `n` random bytes as lower-case hex (2n characters + NUL). */
enum rk_status rk__random_hex(char *out, size_t n);
/* SHA-256 of `len` bytes as lower-case hex (64 characters + NUL). */
enum rk_status rk__sha256_hex(const void *data, size_t len, char out[65]);
/* The current time as RFC 3339 UTC ("2026-11-21T23:40:00Z"), and as Unix seconds. */
void rk__now(char out[21]);
int64_t rk__now_unix(void);
/* Formats Unix seconds as RFC 3339 UTC. */
void rk__time_format(int64_t t, char out[21]);
/* Parses RFC 3339 (with Z or an offset, optional fraction) or a plain date YYYY-MM-DD (as
 * midnight UTC) into Unix seconds. Returns RK_OK or RK_EINVAL. */
enum rk_status rk__time_parse(const char *s, int64_t *out);
/* True when `s` looks like a UUID (36 characters, hex and dashes). */
int rk__is_uuid(const char *s);

/* ===== JSON input validation (every service function validates before writing) ===== */

/* RK_EINVAL naming the first key of `in` not in the NULL-terminated `allowed`, or when `in` is
 * not an object (field `what`). */
enum rk_status rk__json_only(json_t *in, const char *const *allowed, const char *prefix,
                             struct rk_error *err);
/* Reads an optional string member: `*out` is NULL when absent (or JSON null when `nullable`).
 * RK_EINVAL for a wrong type, an embedded NUL, more than `max` bytes, or absent when `required`.
 * `field` names the member in errors. */
enum rk_status rk__json_str(json_t *in, const char *key, const char *field, int required,
                            size_t max, const char **out, struct rk_error *err);
/* Reads an optional integer in [min, max]; `*present` tells whether it was there. */
enum rk_status rk__json_int(json_t *in, const char *key, const char *field, int64_t min,
                            int64_t max, int64_t *out, int *present, struct rk_error *err);
/* Reads an optional boolean; `*out` is -1 when absent. */
enum rk_status rk__json_bool(json_t *in, const char *key, const char *field, int *out,
                             struct rk_error *err);
/* True when `s` is one of the NULL-terminated `codes`. */
int rk__in_set(const char *s, const char *const *codes);

/* Dumps `j` compactly (sorted keys) into a new string the caller frees with rk_free(). */
char *rk__json_dump(const json_t *j);

/* ===== Reference numbers ===== */

/* Next "R2026-000123" / "C2026-000045" for `prefix` ('R' or 'C') in the current year. Must run
 * inside a write transaction. */
enum rk_status rk__next_ref(struct rk_conn *c, char prefix, char out[24], struct rk_error *err);

/* ===== Audit (lib/audit/audit-log.c) ===== */

/* Appends `ev` to the hash chain inside the caller's write transaction (for writes: the event
 * commits or rolls back with the change it records). */
enum rk_status rk__audit_append(struct rk_conn *c, const struct rk_audit_event *ev,
                                struct rk_error *err);
/* Queues a read event; the audit writer appends queued events in batches with short
 * transactions so that readers never wait for one another. Blocks only when the queue is full. */
enum rk_status rk__audit_read(struct rk_store *s, const struct rk_actor *who, const char *type,
                              const char *id, const char *detail);
/* Waits until every queued event is in the database. */
void rk__audit_flush(struct rk_store *s);
/* Starts / stops the writer thread (stop flushes first). */
enum rk_status rk__audit_start(struct rk_store *s, struct rk_error *err);
void rk__audit_stop(struct rk_store *s);
/* Fills an event from an actor. */
void rk__audit_event(struct rk_audit_event *ev, const struct rk_actor *who, const char *action,
                     const char *type, const char *id, const char *detail);

/* ===== Reference data (lib/model/ref.c) ===== */

enum rk_status rk__ref_load(struct rk_store *s, struct rk_error *err);
void rk__ref_free(struct rk_ref *r);
/* Codes are valid entries of the loaded data. */
int rk__ref_is_category(const struct rk_ref *r, const char *code);
/* `code` is in the labelled list `list` of categories.json ("channels", "tlp", ...). */
int rk__ref_in_list(const struct rk_ref *r, const char *list, const char *code);
int rk__ref_is_state(const struct rk_ref *r, const char *machine, const char *code);
/* The initial state of "report" or "case". Borrowed. */
const char *rk__ref_initial_state(const struct rk_ref *r, const char *machine);
/* Looks up a transition of `machine` from `from` to `to`: returns 0 when the workflow forbids
 * it, 1 when it is allowed, 2 when it is allowed only through 起案/決裁 (an approval). */
int rk__ref_transition(const struct rk_ref *r, const char *machine, const char *from,
                       const char *to);

/* The correlation cache of a store: created empty at open, freed at close (accepts NULL). */
enum rk_status rk__corr_cache_create(struct rk__corr_cache **out, struct rk_error *err);
void rk__corr_cache_free(struct rk__corr_cache *cc);
/* Runs the correlation query of report or case `id` as the caller of `a` and calls `cb` for each
 * related object it would show as restricted (`is_case`, its id and holding unit, borrowed for
 * the call). The objects behind an access request (lib/model/access-request.c). Borrows its own
 * connection: call it without holding one. */
typedef void (*rk__corr_refused_cb)(void *user_data, int is_case, const char *object_id,
                                    const char *unit_id);
struct rk_access;
enum rk_status rk__corr_refused(struct rk_store *s, const struct rk_access *a, int is_case,
                                const char *id, rk__corr_refused_cb cb, void *ud,
                                struct rk_error *err);
/* The warninglist holding (type, canonical), copied into `list` ("" when none); the store's
 * own lists, loaded once. Takes no connection. (lib/model/correlate-service.c) */
enum rk_status rk__corr_warninglist_of(struct rk_store *s, const char *type,
                                       const char *canonical, char *list, size_t cap,
                                       struct rk_error *err);

/* The patrol cache of a store: created empty at open, freed at close (accepts NULL). */
enum rk_status rk__patrol_cache_create(struct rk__patrol_cache **out, struct rk_error *err);
void rk__patrol_cache_free(struct rk__patrol_cache *pc);

/* The lookalike cache of a store: created empty at open, freed at close (accepts NULL). */
enum rk_status rk__lookalike_cache_create(struct rk__lookalike_cache **out, struct rk_error *err);
void rk__lookalike_cache_free(struct rk__lookalike_cache *lc);

/* Indexes for two-character search the reports other tools added (lib/model/report-search.c). */
enum rk_status rk__bigram_catch_up(struct rk_store *s, struct rk_error *err);

/* ===== Passwords, tokens (lib/audit) ===== */

/* argon2id encoded hash of `password`, written into `out` (NUL-terminated). */
enum rk_status rk__password_hash(const char *password, char *out, size_t outlen);
/* RK_OK when it matches, RK_EAUTH when not. */
enum rk_status rk__password_verify(const char *encoded, const char *password);
/* Password policy: RK_EINVAL with a message when too short or too long. */
enum rk_status rk__password_check(const char *password, const char *field, struct rk_error *err);

/* ===== Observables shared by reports and cases (lib/model/report-obs.c) ===== */

/* Finds or creates the observable (type, canonical) and returns its id; widens first_seen /
 * last_seen to include `seen_at` (RFC 3339; NULL for now). */
enum rk_status rk__obs_upsert(struct rk_conn *c, const char *type, const char *canonical,
                              const char *display, const char *value, const char *seen_at,
                              char id_out[37], struct rk_error *err);
/* Re-extracts the observables of a report from its text fields and relinks them. */
enum rk_status rk__report_link_observables(struct rk_conn *c, const char *report_id,
                                           struct rk_error *err);

/* ===== Small JSON renderers shared by the model files ===== */

/* {"id","name"} of a unit / a user, or json null when the id is NULL or unknown. */
json_t *rk__unit_ref(struct rk_conn *c, const char *unit_id);
json_t *rk__user_ref(struct rk_conn *c, const char *user_id);
/* {"restricted":true,"unit":{"id","name"}}. */
json_t *rk__restricted(struct rk_conn *c, const char *unit_id);

#endif
