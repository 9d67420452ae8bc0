/*
 * Fuzz target of the lookalike review's batch path: any bytes, handed to
 * rk_lookalike_store_batch() as the lines of a watched feed, are either stored or refused, and a
 * stored batch keeps the invariants the review list relies on: every match scores at least the
 * threshold and names a brand, each is one row per host whose times_seen grew by the number of
 * times the host came in this batch, and the feed position is the one given.
 *
 * The store is a real SQLite file in a temporary directory, opened once per process (a store per
 * input would make the fuzzer spend its time in migrations) and removed at exit. It is not closed
 * there: libFuzzer has no hook before exit, and OpenSSL may already be torn down by then. The
 * checks read the file directly rather than through rk_lookalike_get(), whose audited read
 * would keep the audit writer thread hashing while the process exits.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "renkei/alloc.h"
#include "renkei/lookalike.h"
#include "renkei/service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_state {
    char dir[64];
    char path[128];
    struct rk_store *s;
};

/* The harness's one store: libFuzzer's entry point takes no user data. */
static struct fuzz_state *state;

static void cleanup(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", state->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_lookalike_batch: cannot remove %s\n", state->dir);
}

static struct rk_store *store(void)
{
    if (state != NULL)
        return state->s;
    state = rk_calloc(1, sizeof(*state));
    if (state == NULL)
        abort();
    snprintf(state->dir, sizeof state->dir, "/tmp/rk-fuzz-lk-XXXXXX");
    if (mkdtemp(state->dir) == NULL)
        abort();
    snprintf(state->path, sizeof state->path, "%s/renkei.db", state->dir);
    struct rk_error err = {0};
    if (rk_store_open(state->path, &state->s, &err) != RK_OK)
        abort();
    atexit(cleanup);
    return state->s;
}

static long long seen(const char *id)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_open_v2(state->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT times_seen FROM lookalike_matches WHERE id = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        abort();
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rk_store *s = store();
    struct rk_actor sys;
    rk_actor_system(&sys);
    struct rk_lookalike_batch b = {0};
    b.source = "fuzz";
    b.text = (const char *)data;
    b.len = size;
    b.feed = "/fuzz/feed";
    b.pos.dev = 1;
    b.pos.ino = size;
    b.pos.offset = size;
    b.pos.lines = 1;
    json_t *out = NULL;
    struct rk_error err = {0};
    enum rk_status rc = rk_lookalike_store_batch(s, &sys, &b, &out, &err);
    if (rc != RK_OK) {
        if (out != NULL || rc != RK_ENOMEM)
            abort();
        return 0;
    }
    json_t *ms = json_object_get(out, "matches");
    size_t i, j;
    json_t *m, *o;
    json_array_foreach(ms, i, m)
    {
        if (json_integer_value(json_object_get(m, "score")) < RK_LOOKALIKE_DEFAULT_MIN_SCORE ||
            json_integer_value(json_object_get(m, "score")) > 100)
            abort();
        const char *brand = json_string_value(json_object_get(json_object_get(m, "brand"), "id"));
        if (brand == NULL || brand[0] == '\0')
            abort();
        /* The same host came k times in this batch: its last rendering says times_seen, and the
         * first time it was new it must say 1 + (k - 1) = k at the end. */
        const char *id = json_string_value(json_object_get(m, "id"));
        long long k = 0;
        int was_new = 0;
        json_array_foreach(ms, j, o)
        {
            if (strcmp(json_string_value(json_object_get(o, "id")), id) == 0) {
                k++;
                was_new |= json_is_true(json_object_get(o, "new"));
            }
        }
        if (was_new && seen(id) != k)
            abort();
    }
    if (json_integer_value(json_object_get(out, "checked")) < (json_int_t)json_array_size(ms))
        abort();
    struct rk_lookalike_feed_pos pos;
    int found = 0;
    if (rk_lookalike_feed_get(s, &sys, "/fuzz/feed", &pos, &found, &err) != RK_OK || !found ||
        pos.offset != size || pos.ino != size)
        abort();
    json_decref(out);
    return 0;
}
