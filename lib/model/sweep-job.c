/*
 * Sweep jobs on a case and the sightings they record (service.h, "Sweep jobs and sightings";
 * docs/sweep.md "In Renkei"). A job names log files (uploaded into its directory beside the
 * database, or paths the CLI was given) and indicator files; running it compiles the indicators
 * with the sweep engine (engines/sweep), sweeps the logs on every core and turns each hit into a
 * sighting: the observable (created and linked to the case when the indicator came from outside),
 * the file, line and offset, and the host and time taken from the hit's line (sweep-line.c).
 *
 * Why the hits are buffered: the engine calls back from its emitting thread many thousands of
 * times a second; holding the store's write transaction open across the sweep would stall every
 * other writer of the server. Hits are copied into a bounded buffer and written in one short
 * transaction per RK_SWEEP_SIGHTING_BATCH hits or per progress step (twice a second), together
 * with the job's progress counters and one audit event for the batch.
 *
 * Why a lock file: a job is "running" in the store while a process works on it. A process killed
 * with -9 cannot mark its job failed, so the runner holds an flock() on the job's directory lock
 * file; the kernel releases it when the process dies, and rk_sweep_jobs_recover() marks any
 * running job whose lock it can take as failed ("interrupted").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/indicator-source.h"
#include "model/report.h"
#include "model/sweep-line.h"
#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/limits.h"
#include "renkei/obs.h"
#include "renkei/sweep.h"
#include "share/access.h"
#include "store/store.h"

/* ===== Paths ===== */

/* "<db>.sweep" and "<db>.sweep/<job>" (and "/<leaf>" when leaf is not NULL). */
static enum rk_status job_path(struct rk_store *s, const char *job_id, const char *leaf, char *out,
                               size_t cap, struct rk_error *err)
{
    int n = job_id == NULL ? snprintf(out, cap, "%s.sweep", s->path)
            : leaf == NULL ? snprintf(out, cap, "%s.sweep/%s", s->path, job_id)
                           : snprintf(out, cap, "%s.sweep/%s/%s", s->path, job_id, leaf);
    if (n < 0 || (size_t)n >= cap)
        return rk__err(err, RK_ETOOBIG, NULL, "the database path is too long for job files");
    return RK_OK;
}

static enum rk_status make_job_dir(struct rk_store *s, const char *job_id, struct rk_error *err)
{
    char p[4096];
    enum rk_status rc = job_path(s, NULL, NULL, p, sizeof p, err);
    if (rc != RK_OK)
        return rc;
    if (mkdir(p, 0700) != 0 && errno != EEXIST)
        return rk__err(err, RK_EIO, NULL, "cannot create the sweep job directory");
    rc = job_path(s, job_id, NULL, p, sizeof p, err);
    if (rc == RK_OK && mkdir(p, 0700) != 0 && errno != EEXIST)
        rc = rk__err(err, RK_EIO, NULL, "cannot create the sweep job directory");
    return rc;
}

/* ===== Access ===== */

/* Resolves a case given by id or by reference number ("C2026-000045") into `out`; a value that
 * names no case is left as given (the access check then answers RK_ENOTFOUND). */
static void case_resolve(struct rk_conn *c, const char *case_id, char out[37])
{
    snprintf(out, 37, "%s", case_id != NULL ? case_id : "");
    if (case_id == NULL || rk__is_uuid(case_id))
        return;
    sqlite3_stmt *st = rk__stmt(c, "SELECT id FROM cases WHERE ref = ?1 /* sweep */", NULL);
    if (st == NULL)
        return;
    rk__bind_text(st, 1, case_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, 37, "%s", rk__col_text(st, 0));
    sqlite3_reset(st);
}

/* May the caller read (`write` = 0) or work on (`write` = 1) the case? The installation itself
 * (rk_actor_system: the CLI run by the operator, who holds the database file) may do both on any
 * case that exists; everyone else needs the role's permission and the case readable. */
static enum rk_status case_ok(struct rk_conn *c, const struct rk_access *a, const char *case_id,
                              int write, struct rk_error *err)
{
    if (rk__access_is_installation(a)) {
        sqlite3_stmt *st = rk__stmt(c, "SELECT 1 FROM cases WHERE id = ?1 /* sweep */", err);
        if (st == NULL)
            return RK_EIO;
        rk__bind_text(st, 1, case_id);
        int found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_reset(st);
        return found ? RK_OK : rk__err(err, RK_ENOTFOUND, "case_id", "no such case");
    }
    enum rk_status rc = rk__access_require(a, write ? RK_PERM_CASE_WRITE : RK_PERM_CASE_READ, err);
    if (rc == RK_OK)
        rc = rk__access_case(c, a, case_id, err);
    return rc;
}

/* Borrows a connection and checks that `who` may work on the job's case; fills `case_out` and
 * `status_out` (16 bytes) when not NULL. With `write` the case write permission is needed. */
static enum rk_status job_access(struct rk_store *s, const struct rk_actor *who, const char *job_id,
                                 int write, struct rk_conn **c, struct rk_access *a,
                                 char case_out[37], char status_out[16], struct rk_error *err)
{
    *c = NULL;
    if (job_id == NULL || !rk__is_uuid(job_id))
        return rk__err(err, RK_ENOTFOUND, "id", "no such sweep job");
    enum rk_status rc = rk__conn_get(s, c, err);
    if (rc == RK_OK)
        rc = rk__access_load(*c, who, a, err);
    if (rc == RK_OK && !rk__access_is_installation(a))
        rc = rk__access_require(a, write ? RK_PERM_CASE_WRITE : RK_PERM_CASE_READ, err);
    if (rc != RK_OK)
        return rc;
    sqlite3_stmt *st = rk__stmt(*c, "SELECT case_id, status FROM sweep_jobs WHERE id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, job_id);
    char case_id[37] = "";
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(case_id, sizeof case_id, "%s", rk__col_text(st, 0));
        if (status_out != NULL)
            snprintf(status_out, 16, "%s", rk__col_text(st, 1));
    }
    sqlite3_reset(st);
    if (case_id[0] == '\0')
        return rk__err(err, RK_ENOTFOUND, "id", "no such sweep job");
    /* A job on a case the caller may not read does not exist for it. */
    rc = case_ok(*c, a, case_id, write, err);
    if (rc == RK_EFORBIDDEN)
        rc = rk__err(err, RK_ENOTFOUND, "id", "no such sweep job");
    if (rc == RK_OK && case_out != NULL)
        memcpy(case_out, case_id, 37);
    return rc;
}

/* The actor a job runs as: its creator, as they are now (a disabled user's job fails). */
static enum rk_status job_actor(struct rk_conn *c, const char *user_id, struct rk_actor *out,
                                struct rk_error *err)
{
    if (strcmp(user_id, "system") == 0) {
        rk_actor_system(out);
        return RK_OK;
    }
    sqlite3_stmt *st = rk__stmt(
        c, "SELECT id, unit_id, login, role, disabled FROM users WHERE id = ?1 /* sweep */", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, user_id);
    enum rk_status rc = RK_OK;
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 4) != 0) {
        rc = rk__err(err, RK_EFORBIDDEN, NULL, "the job's creator is disabled or unknown");
    } else {
        memset(out, 0, sizeof *out);
        snprintf(out->user_id, sizeof out->user_id, "%s", rk__col_text(st, 0));
        snprintf(out->unit_id, sizeof out->unit_id, "%s", rk__col_text(st, 1));
        snprintf(out->login, sizeof out->login, "%s", rk__col_text(st, 2));
        out->role = rk_role_from_name(rk__col_text(st, 3));
    }
    sqlite3_reset(st);
    return rc;
}

/* ===== Rendering ===== */

static enum rk_status render_job(struct rk_conn *c, const char *id, json_t **out,
                                 struct rk_error *err)
{
    sqlite3_stmt *st = NULL;
    enum rk_status rc = rk__stmt_new(c,
                                     "SELECT id, case_id, status, source, created_by, created_at,"
                                     " started_at, finished_at, bytes_total, bytes_done,"
                                     " bytes_scanned, lines, hits, files, files_skipped,"
                                     " files_damaged, skipped, indicators, error, cancel, seconds"
                                     " FROM sweep_jobs WHERE id = ?1",
                                     &st, err);
    json_t *j = NULL, *inputs = NULL;
    if (rc != RK_OK)
        return rc;
    rk__bind_text(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = rk__err(err, RK_ENOTFOUND, "id", "no such sweep job");
        goto out;
    }
    /* The sweep's own clock (sub-second); a job still compiling its indicators has none yet. */
    double secs = sqlite3_column_double(st, 20);
    double scanned = (double)sqlite3_column_int64(st, 10);
    json_t *skipped = json_loads(rk__col_text(st, 16), 0, NULL);
    j = json_pack(
        "{s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:I,"
        "s:o,s:b,s:f}",
        "id", rk__col_text(st, 0), "case_id", rk__col_text(st, 1), "status", rk__col_text(st, 2),
        "source", rk__col_text(st, 3), "created_by", rk__user_ref(c, rk__col_text(st, 4)),
        "created_at", rk__col_text(st, 5), "started_at", rk__col_json_str(st, 6), "finished_at",
        rk__col_json_str(st, 7), "bytes_total", (json_int_t)sqlite3_column_int64(st, 8),
        "bytes_done", (json_int_t)sqlite3_column_int64(st, 9), "bytes_scanned",
        (json_int_t)sqlite3_column_int64(st, 10), "lines", (json_int_t)sqlite3_column_int64(st, 11),
        "hits", (json_int_t)sqlite3_column_int64(st, 12), "files",
        (json_int_t)sqlite3_column_int64(st, 13), "files_skipped",
        (json_int_t)sqlite3_column_int64(st, 14), "files_damaged",
        (json_int_t)sqlite3_column_int64(st, 15), "skipped",
        skipped != NULL ? skipped : json_array(), "indicators",
        (json_int_t)sqlite3_column_int64(st, 17), "error", rk__col_json_str(st, 18),
        "cancel_requested", sqlite3_column_int(st, 19) != 0, "mb_per_s",
        secs > 0 ? scanned / secs / 1e6 : 0.0);
    if (j == NULL) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    inputs = json_array();
    rc = rk__stmt_new(c,
                      "SELECT kind, name, bytes, sha256 FROM sweep_job_files WHERE job_id = ?1"
                      " ORDER BY seq",
                      &st, err);
    if (rc != RK_OK)
        goto out;
    rk__bind_text(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_array_append_new(inputs, json_pack("{s:s,s:s,s:I,s:o}", "kind", rk__col_text(st, 0),
                                                "name", rk__col_text(st, 1), "bytes",
                                                (json_int_t)sqlite3_column_int64(st, 2), "sha256",
                                                rk__col_json_str(st, 3)));
    }
    json_object_set_new(j, "inputs", inputs);
    inputs = NULL;
    *out = j;
    j = NULL;
out:
    sqlite3_finalize(st);
    json_decref(j);
    json_decref(inputs);
    return rc;
}

/* Appends the audit event of a job write (object: the job's case) and commits. */
static enum rk_status job_write_end(struct rk_store *s, struct rk_conn *c,
                                    const struct rk_actor *who, const char *case_id,
                                    enum rk_status rc, const char *action, const char *detail,
                                    int timeline, struct rk_error *err)
{
    if (rc == RK_OK && timeline)
        rc = rk__case_event(c, case_id, who, action, detail, err);
    if (rc == RK_OK) {
        struct rk_audit_event ev;
        rk__audit_event(&ev, who, action, "case", case_id, detail);
        rc = rk__audit_append(c, &ev, err);
    }
    if (rc == RK_OK)
        return rk__tx_commit(s, c, err);
    rk__tx_rollback(s, c);
    return rc;
}

/* Runs one UPDATE/INSERT with text parameters (NULL-terminated list). */
static enum rk_status exec_text(struct rk_conn *c, const char *sql, struct rk_error *err,
                                const char *const *args)
{
    sqlite3_stmt *st = rk__stmt(c, sql, err);
    if (st == NULL)
        return RK_EIO;
    for (int i = 0; args[i] != NULL; i++)
        rk__bind_text(st, i + 1, args[i]);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : rk__db_error(c, r, err);
}

/* ===== Create, upload, start, cancel ===== */

enum rk_status rk_sweep_job_create(struct rk_store *s, const struct rk_actor *who,
                                   const char *case_id, json_t *in, json_t **out,
                                   struct rk_error *err)
{
    static const char *const allowed[] = {NULL};
    struct rk_conn *c = NULL;
    struct rk_access a;
    char id[37], now[21], detail[64];
    char cid[37] = "";
    enum rk_status rc = in != NULL ? rk__json_only(in, allowed, "", err) : RK_OK;
    if (rc != RK_OK)
        return rc;
    rc = rk__conn_get(s, &c, err);
    if (rc == RK_OK)
        rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK) {
        case_resolve(c, case_id, cid);
        case_id = cid;
        rc = case_ok(c, &a, case_id, 1, err);
    }
    if (rc == RK_OK)
        rc = rk__uuid(id);
    if (rc == RK_OK)
        rc = make_job_dir(s, id, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    rk__now(now);
    const char *args[] = {id, case_id, who->user_id, now, NULL};
    rc = exec_text(c,
                   "INSERT INTO sweep_jobs (id, case_id, created_by, created_at, status, source)"
                   " VALUES (?1, ?2, ?3, ?4, 'uploading', 'files')",
                   err, args);
    snprintf(detail, sizeof detail, "sweep_job=%s", id);
    rc = job_write_end(s, c, who, case_id, rc, "sweep_job_create", detail, 1, err);
    if (rc == RK_OK)
        rc = render_job(c, id, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}

struct rk_sweep_upload {
    struct rk_actor who;
    char job_id[37];
    char kind[12];
    char *name;
    char path[4096];
    int fd;
    uint64_t bytes;
    EVP_MD_CTX *md;
    int failed;
};

void rk_sweep_upload_abort(struct rk_sweep_upload *u)
{
    if (u == NULL)
        return;
    if (u->fd >= 0) {
        close(u->fd);
        unlink(u->path);
    }
    EVP_MD_CTX_free(u->md);
    rk_free(u->name);
    rk_free(u);
}

/* A file name as people gave it: UTF-8 without '/', '\\' or control bytes. */
static int good_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > RK_MAX_SWEEP_FILE_NAME || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch < 0x20 || ch == 0x7f || ch == '/' || ch == '\\')
            return 0;
    }
    return 1;
}

static enum rk_status check_kind(const char *kind, struct rk_error *err)
{
    if (kind == NULL ||
        (strcmp(kind, "log") != 0 && strcmp(kind, "indicators") != 0 && strcmp(kind, "index") != 0))
        return rk__err(err, RK_EINVAL, "kind", "must be \"log\", \"indicators\" or \"index\"");
    return RK_OK;
}

static enum rk_status count_files(struct rk_conn *c, const char *job_id, int64_t *n,
                                  struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, "SELECT count(*) FROM sweep_job_files WHERE job_id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, job_id);
    *n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return RK_OK;
}

enum rk_status rk_sweep_upload_open(struct rk_store *s, const struct rk_actor *who,
                                    const char *job_id, const char *kind, const char *name,
                                    struct rk_sweep_upload **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    struct rk_sweep_upload *u = NULL;
    char status[16] = "", leaf[48], hex[17];
    int64_t nfiles = 0;
    /* A compiled index is named by the CLI on the server only: an upload is a log or a feed. */
    enum rk_status rc = kind != NULL && strcmp(kind, "index") == 0
                            ? rk__err(err, RK_EINVAL, "kind", "must be \"log\" or \"indicators\"")
                            : check_kind(kind, err);
    if (rc == RK_OK && (name == NULL || !good_name(name)))
        rc = rk__err(err, RK_EINVAL, "name",
                     "a file name of 1 to %u bytes without '/', '\\\\' or control characters",
                     RK_MAX_SWEEP_FILE_NAME);
    if (rc == RK_OK)
        rc = job_access(s, who, job_id, 1, &c, &a, NULL, status, err);
    if (rc == RK_OK && strcmp(status, "uploading") != 0)
        rc = rk__err(err, RK_ECONFLICT, "status", "the job no longer takes files (it is %s)",
                     status);
    if (rc == RK_OK)
        rc = count_files(c, job_id, &nfiles, err);
    if (rc == RK_OK && nfiles >= (int64_t)RK_MAX_SWEEP_JOB_FILES)
        rc = rk__err(err, RK_ETOOBIG, "files", "a job holds at most %u files",
                     RK_MAX_SWEEP_JOB_FILES);
    if (rc == RK_OK)
        rc = make_job_dir(s, job_id, err);
    if (rc != RK_OK)
        goto out;
    u = rk_calloc(1, sizeof *u);
    if (u == NULL || (u->name = rk_strdup(name)) == NULL || (u->md = EVP_MD_CTX_new()) == NULL ||
        EVP_DigestInit_ex(u->md, EVP_sha256(), NULL) != 1) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    u->fd = -1;
    u->who = *who;
    snprintf(u->job_id, sizeof u->job_id, "%s", job_id);
    snprintf(u->kind, sizeof u->kind, "%s", kind);
    rc = rk__random_hex(hex, 8);
    if (rc != RK_OK)
        goto out;
    snprintf(leaf, sizeof leaf, "%s-%s", kind, hex);
    rc = job_path(s, job_id, leaf, u->path, sizeof u->path, err);
    if (rc != RK_OK)
        goto out;
    u->fd = open(u->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (u->fd < 0) {
        rc = rk__err(err, RK_EIO, NULL, "cannot create the upload file");
        goto out;
    }
    *out = u;
    u = NULL;
out:
    rk_sweep_upload_abort(u);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_sweep_upload_write(struct rk_sweep_upload *u, const void *data, size_t len,
                                     struct rk_error *err)
{
    if (u->failed)
        return rk__err(err, RK_EIO, NULL, "the upload already failed");
    if (len > RK_MAX_SWEEP_UPLOAD || u->bytes > RK_MAX_SWEEP_UPLOAD - len) {
        u->failed = 1;
        return rk__err(err, RK_ETOOBIG, "file", "an uploaded file may hold at most %llu bytes",
                       (unsigned long long)RK_MAX_SWEEP_UPLOAD);
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(u->fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            u->failed = 1;
            return rk__err(err, RK_EIO, NULL, "cannot write the upload to disk");
        }
        p += w;
        left -= (size_t)w;
    }
    EVP_DigestUpdate(u->md, data, len);
    u->bytes += len;
    return RK_OK;
}

/* Inserts a file row (next seq) and adds a log's size to the job's total; inside a transaction. */
static enum rk_status insert_file(struct rk_conn *c, const char *job_id, const char *kind,
                                  const char *name, const char *path, uint64_t bytes,
                                  const char *sha, struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO sweep_job_files (job_id, seq, kind, name, path,"
                                " bytes, sha256) VALUES (?1, (SELECT coalesce(max(seq), 0) + 1"
                                " FROM sweep_job_files WHERE job_id = ?1), ?2, ?3, ?4, ?5, ?6)",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, job_id);
    rk__bind_text(st, 2, kind);
    rk__bind_text(st, 3, name);
    rk__bind_text(st, 4, path);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)bytes);
    rk__bind_text(st, 6, sha);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return rk__db_error(c, r, err);
    if (strcmp(kind, "log") != 0)
        return RK_OK; /* the progress counts the logs' bytes only */
    st = rk__stmt(c, "UPDATE sweep_jobs SET bytes_total = bytes_total + ?2 WHERE id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, job_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)bytes);
    r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : rk__db_error(c, r, err);
}

/* Checks in a transaction that the job still takes files. */
static enum rk_status still_uploading(struct rk_conn *c, const char *job_id, struct rk_error *err)
{
    int64_t nfiles = 0;
    sqlite3_stmt *st = rk__stmt(c, "SELECT status FROM sweep_jobs WHERE id = ?1", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, job_id);
    int ok = sqlite3_step(st) == SQLITE_ROW && strcmp(rk__col_text(st, 0), "uploading") == 0;
    sqlite3_reset(st);
    if (!ok)
        return rk__err(err, RK_ECONFLICT, "status", "the job no longer takes files");
    enum rk_status rc = count_files(c, job_id, &nfiles, err);
    if (rc == RK_OK && nfiles >= (int64_t)RK_MAX_SWEEP_JOB_FILES)
        rc = rk__err(err, RK_ETOOBIG, "files", "a job holds at most %u files",
                     RK_MAX_SWEEP_JOB_FILES);
    return rc;
}

enum rk_status rk_sweep_upload_finish(struct rk_store *s, struct rk_sweep_upload *u, json_t **out,
                                      struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    char case_id[37], sha[65], detail[160];
    unsigned char dig[32];
    unsigned dlen = 0;
    enum rk_status rc = u->failed ? rk__err(err, RK_EIO, NULL, "the upload failed") : RK_OK;
    if (rc == RK_OK && close(u->fd) != 0)
        rc = rk__err(err, RK_EIO, NULL, "cannot write the upload to disk");
    u->fd = -1;
    if (rc == RK_OK && EVP_DigestFinal_ex(u->md, dig, &dlen) != 1)
        rc = rk__err(err, RK_ENOMEM, NULL, "cannot hash the upload");
    for (unsigned i = 0; rc == RK_OK && i < 32; i++)
        snprintf(sha + 2 * i, 3, "%02x", dig[i]);
    if (rc == RK_OK)
        rc = job_access(s, &u->who, u->job_id, 1, &c, &a, case_id, NULL, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    rc = still_uploading(c, u->job_id, err);
    if (rc == RK_OK)
        rc = insert_file(c, u->job_id, u->kind, u->name, u->path, u->bytes, sha, err);
    snprintf(detail, sizeof detail, "sweep_job=%s %s bytes=%llu sha256=%s", u->job_id, u->kind,
             (unsigned long long)u->bytes, sha);
    rc = job_write_end(s, c, &u->who, case_id, rc, "sweep_upload", detail, 0, err);
    if (rc == RK_OK)
        rc = render_job(c, u->job_id, out, err);
out:
    if (rc != RK_OK)
        unlink(u->path);
    EVP_MD_CTX_free(u->md);
    rk_free(u->name);
    rk_free(u);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_sweep_job_add_path(struct rk_store *s, const struct rk_actor *who,
                                     const char *job_id, const char *kind, const char *path,
                                     struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    struct stat sb;
    char case_id[37];
    enum rk_status rc = check_kind(kind, err);
    if (rc == RK_OK && (path == NULL || (strcmp(path, "-") != 0 && stat(path, &sb) != 0)))
        rc = rk__err(err, RK_EIO, "path", "cannot read %s", path != NULL ? path : "(null)");
    if (rc == RK_OK && strcmp(path, "-") == 0)
        rc = rk__err(err, RK_EINVAL, "path", "a sweep job cannot read stdin");
    if (rc == RK_OK)
        rc = job_access(s, who, job_id, 1, &c, &a, case_id, NULL, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    rc = still_uploading(c, job_id, err);
    if (rc == RK_OK)
        rc = insert_file(c, job_id, kind, path, path,
                         S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0, NULL, err);
    char detail[80];
    snprintf(detail, sizeof detail, "sweep_job=%s %s path", job_id, kind);
    rc = job_write_end(s, c, who, case_id, rc, "sweep_upload", detail, 0, err);
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_sweep_job_start(struct rk_store *s, const struct rk_actor *who,
                                  const char *job_id, json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    char case_id[37], status[16] = "", detail[64];
    enum rk_status rc = job_access(s, who, job_id, 1, &c, &a, case_id, status, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    int64_t logs = 0, feeds = 0;
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT coalesce(sum(kind = 'log'), 0),"
                                " coalesce(sum(kind <> 'log'), 0), (SELECT status FROM"
                                " sweep_jobs WHERE id = ?1) FROM sweep_job_files WHERE job_id = ?1",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
    } else {
        rk__bind_text(st, 1, job_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            logs = sqlite3_column_int64(st, 0);
            feeds = sqlite3_column_int64(st, 1);
            snprintf(status, sizeof status, "%s", rk__col_text(st, 2));
        }
        sqlite3_reset(st);
    }
    if (rc == RK_OK && strcmp(status, "uploading") != 0)
        rc = rk__err(err, RK_ECONFLICT, "status", "the job was already started (it is %s)", status);
    if (rc == RK_OK && logs == 0)
        rc = rk__err(err, RK_EINVAL, "files", "the job holds no log file to sweep");
    if (rc == RK_OK) {
        /* Without indicator files the job sweeps against the store's own indicators. */
        const char *args[] = {job_id, feeds > 0 ? "files" : "store", NULL};
        rc = exec_text(c, "UPDATE sweep_jobs SET status = 'queued', source = ?2 WHERE id = ?1", err,
                       args);
    }
    snprintf(detail, sizeof detail, "sweep_job=%s", job_id);
    rc = job_write_end(s, c, who, case_id, rc, "sweep_job_start", detail, 0, err);
    if (rc == RK_OK)
        rc = render_job(c, job_id, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_sweep_job_cancel(struct rk_store *s, const struct rk_actor *who,
                                   const char *job_id, json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    char case_id[37], status[16] = "", detail[64], now[21];
    enum rk_status rc = job_access(s, who, job_id, 1, &c, &a, case_id, NULL, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_stmt *st = rk__stmt(c, "SELECT status FROM sweep_jobs WHERE id = ?1", err);
    if (st == NULL) {
        rc = RK_EIO;
    } else {
        rk__bind_text(st, 1, job_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(status, sizeof status, "%s", rk__col_text(st, 0));
        sqlite3_reset(st);
    }
    rk__now(now);
    const char *args[] = {job_id, now, NULL};
    if (rc == RK_OK && (strcmp(status, "uploading") == 0 || strcmp(status, "queued") == 0))
        rc = exec_text(c,
                       "UPDATE sweep_jobs SET status = 'cancelled', cancel = 1,"
                       " finished_at = ?2 WHERE id = ?1",
                       err, args);
    else if (rc == RK_OK && strcmp(status, "running") == 0)
        rc = exec_text(c, "UPDATE sweep_jobs SET cancel = 1 WHERE id = ?1 AND ?2 IS NOT NULL", err,
                       args);
    else if (rc == RK_OK)
        rc = rk__err(err, RK_ECONFLICT, "status", "the job has ended (it is %s)", status);
    snprintf(detail, sizeof detail, "sweep_job=%s", job_id);
    rc = job_write_end(s, c, who, case_id, rc, "sweep_job_cancel", detail, 0, err);
    if (rc == RK_OK)
        rc = render_job(c, job_id, out, err);
out:
    rk__conn_put(s, c);
    return rc;
}

/* ===== Reads ===== */

enum rk_status rk_sweep_job_get(struct rk_store *s, const struct rk_actor *who, const char *job_id,
                                json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    char case_id[37];
    enum rk_status rc = job_access(s, who, job_id, 0, &c, &a, case_id, NULL, err);
    if (rc == RK_OK)
        rc = render_job(c, job_id, out, err);
    if (rc == RK_OK) {
        char detail[64];
        snprintf(detail, sizeof detail, "sweep_job=%s", job_id);
        rk__audit_read(s, who, "case", case_id, detail);
    }
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_sweep_job_list(struct rk_store *s, const struct rk_actor *who,
                                 const char *case_id, json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    sqlite3_stmt *st = NULL;
    json_t *items = NULL;
    enum rk_status rc = rk__conn_get(s, &c, err);
    char cid[37] = "";
    if (rc == RK_OK)
        rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK) {
        case_resolve(c, case_id, cid);
        case_id = cid;
        rc = case_ok(c, &a, case_id, 0, err);
    }
    if (rc == RK_OK)
        rc = rk__stmt_new(c,
                          "SELECT id FROM sweep_jobs WHERE case_id = ?1"
                          " ORDER BY created_at DESC, rowid DESC LIMIT 100",
                          &st, err);
    if (rc != RK_OK)
        goto out;
    items = json_array();
    rk__bind_text(st, 1, case_id);
    while (rc == RK_OK && sqlite3_step(st) == SQLITE_ROW) {
        json_t *j = NULL;
        rc = render_job(c, rk__col_text(st, 0), &j, err);
        if (rc == RK_OK)
            json_array_append_new(items, j);
    }
    if (rc == RK_OK) {
        *out = json_pack("{s:o}", "items", items);
        items = NULL;
        rk__audit_read(s, who, "case", case_id, "sweep_jobs");
    }
out:
    json_decref(items);
    sqlite3_finalize(st);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_case_sightings(struct rk_store *s, const struct rk_actor *who,
                                 const char *case_id, const struct rk_sighting_query *q,
                                 json_t **out, struct rk_error *err)
{
    /* Three views of the same rows; each query takes the case id, limit and offset. */
    static const char by_indicator[] =
        "SELECT o.id, o.type, coalesce(o.display, o.canonical), count(*), sum(g.count),"
        " count(DISTINCT nullif(g.host, '')), min(g.event_time), max(g.event_time),"
        " count(DISTINCT g.file), count(*) OVER ()"
        " FROM sightings g JOIN observables o ON o.id = g.observable_id WHERE g.case_id = ?1"
        " GROUP BY o.id ORDER BY sum(g.count) DESC, o.canonical LIMIT ?2 OFFSET ?3";
    static const char by_host[] =
        "SELECT g.host, count(*), sum(g.count), count(DISTINCT g.observable_id),"
        " min(g.event_time), max(g.event_time), count(*) OVER ()"
        " FROM sightings g WHERE g.case_id = ?1"
        " GROUP BY g.host ORDER BY sum(g.count) DESC, g.host LIMIT ?2 OFFSET ?3";
    static const char by_time[] =
        "SELECT g.id, o.id, o.type, coalesce(o.display, o.canonical), g.host, g.event_time,"
        " g.file, g.line, g.offset, g.token, g.count, g.job_id, g.first_seen, g.last_seen,"
        " count(*) OVER ()"
        " FROM sightings g JOIN observables o ON o.id = g.observable_id WHERE g.case_id = ?1"
        " ORDER BY g.event_time IS NULL, g.event_time, g.file, g.line, g.id"
        " LIMIT ?2 OFFSET ?3";
    struct rk_conn *c = NULL;
    struct rk_access a;
    sqlite3_stmt *st = NULL;
    json_t *items = NULL;
    const char *group = q != NULL && q->group != NULL ? q->group : "indicator";
    int limit = q != NULL && q->limit > 0 ? q->limit : 50;
    int offset = q != NULL && q->offset > 0 ? q->offset : 0;
    int64_t total = 0;
    const char *sql = strcmp(group, "indicator") == 0 ? by_indicator
                      : strcmp(group, "host") == 0    ? by_host
                      : strcmp(group, "time") == 0    ? by_time
                                                      : NULL;
    if (sql == NULL)
        return rk__err(err, RK_EINVAL, "group", "must be \"indicator\", \"host\" or \"time\"");
    if (limit > RK_MAX_LIST_LIMIT)
        limit = RK_MAX_LIST_LIMIT;
    enum rk_status rc = rk__conn_get(s, &c, err);
    char cid[37] = "";
    if (rc == RK_OK)
        rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK) {
        case_resolve(c, case_id, cid);
        case_id = cid;
        rc = case_ok(c, &a, case_id, 0, err);
    }
    if (rc == RK_OK)
        rc = rk__stmt_new(c, sql, &st, err);
    if (rc != RK_OK)
        goto out;
    items = json_array();
    rk__bind_text(st, 1, case_id);
    sqlite3_bind_int(st, 2, limit);
    sqlite3_bind_int(st, 3, offset);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *j;
        if (sql == by_indicator) {
            j = json_pack("{s:{s:s,s:s,s:s},s:I,s:I,s:I,s:o,s:o,s:I}", "observable", "id",
                          rk__col_text(st, 0), "type", rk__col_text(st, 1), "value",
                          rk__col_text(st, 2), "sightings", (json_int_t)sqlite3_column_int64(st, 3),
                          "count", (json_int_t)sqlite3_column_int64(st, 4), "hosts",
                          (json_int_t)sqlite3_column_int64(st, 5), "first_time",
                          rk__col_json_str(st, 6), "last_time", rk__col_json_str(st, 7), "files",
                          (json_int_t)sqlite3_column_int64(st, 8));
            total = sqlite3_column_int64(st, 9);
        } else if (sql == by_host) {
            j = json_pack("{s:s,s:I,s:I,s:I,s:o,s:o}", "host", rk__col_text(st, 0), "sightings",
                          (json_int_t)sqlite3_column_int64(st, 1), "count",
                          (json_int_t)sqlite3_column_int64(st, 2), "indicators",
                          (json_int_t)sqlite3_column_int64(st, 3), "first_time",
                          rk__col_json_str(st, 4), "last_time", rk__col_json_str(st, 5));
            total = sqlite3_column_int64(st, 6);
        } else {
            j = json_pack(
                "{s:I,s:{s:s,s:s,s:s},s:s,s:o,s:s,s:I,s:I,s:s,s:I,s:s,s:s,s:s}", "id",
                (json_int_t)sqlite3_column_int64(st, 0), "observable", "id", rk__col_text(st, 1),
                "type", rk__col_text(st, 2), "value", rk__col_text(st, 3), "host",
                rk__col_text(st, 4), "event_time", rk__col_json_str(st, 5), "file",
                rk__col_text(st, 6), "line", (json_int_t)sqlite3_column_int64(st, 7), "offset",
                (json_int_t)sqlite3_column_int64(st, 8), "token", rk__col_text(st, 9), "count",
                (json_int_t)sqlite3_column_int64(st, 10), "job_id", rk__col_text(st, 11),
                "first_seen", rk__col_text(st, 12), "last_seen", rk__col_text(st, 13));
            total = sqlite3_column_int64(st, 14);
        }
        if (j == NULL || json_array_append_new(items, j) != 0) {
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
            goto out;
        }
    }
    if (json_array_size(items) == 0 && offset > 0) {
        /* Past the end: the window function saw no row, so count separately. */
        sqlite3_finalize(st);
        st = NULL;
        rc = rk__stmt_new(c,
                          sql == by_indicator
                              ? "SELECT count(DISTINCT observable_id) FROM sightings WHERE"
                                " case_id = ?1"
                          : sql == by_host ? "SELECT count(DISTINCT host) FROM sightings WHERE"
                                             " case_id = ?1"
                                           : "SELECT count(*) FROM sightings WHERE case_id = ?1",
                          &st, err);
        if (rc != RK_OK)
            goto out;
        rk__bind_text(st, 1, case_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            total = sqlite3_column_int64(st, 0);
    }
    *out = json_pack("{s:o,s:I,s:i,s:i,s:s}", "items", items, "total", (json_int_t)total, "limit",
                     limit, "offset", offset, "group", group);
    items = NULL;
    if (*out == NULL)
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    else
        rk__audit_read(s, who, "case", case_id, "sightings");
out:
    json_decref(items);
    sqlite3_finalize(st);
    rk__conn_put(s, c);
    return rc;
}

/* ===== Running a job ===== */

/* One pending sighting in the batch buffer, followed by its strings. */
struct pending {
    uint64_t line;
    uint64_t offset;
    uint32_t type;
    uint32_t file_len, ind_len, tok_len, host_len, meta_len;
    char time[21];
};

struct run {
    struct rk_store *s;
    struct rk_conn *c;
    struct rk_actor who;
    char job_id[37];
    char case_id[37];
    int64_t now;
    struct rk_buf batch; /* struct pending + strings, RK_SWEEP_SIGHTING_BATCH of them at most */
    unsigned nbatch;
    json_t *obs_ids; /* "type\tindicator" -> observable id (those seen in this run) */
    json_t *names;   /* disk path -> uploaded name */
    json_t *skipped; /* [{"file","reason"}] */
    uint64_t in_done, in_total;
    struct rk_sweep_stats sofar;
    int cancelled;
    int stopped;       /* opt->stop was set: the process is shutting down */
    enum rk_status rc; /* the first store error; stops the sweep */
    struct rk_error *err;
    const struct rk_sweep_job_run_opts *opt;
};

/* The observable of an indicator: found or created, linked to the case when it is not yet.
 * `known_id` is the observable's id when the indicator came from the store (the index's
 * metadata), else NULL. */
static enum rk_status resolve_obs(struct run *r, enum rk_sweep_type t, const char *ind,
                                  const char *known_id, const char **id_out)
{
    char key[RK_MAX_SWEEP_INDICATOR + 32], oid[37] = "", now[21];
    const char *tname = t == RK_SWEEP_CIDR4 || t == RK_SWEEP_CIDR6 ? "cidr" : rk_sweep_type_name(t);
    snprintf(key, sizeof key, "%s\t%s", tname, ind);
    json_t *hit = json_object_get(r->obs_ids, key);
    if (hit != NULL) {
        *id_out = json_string_value(hit);
        return RK_OK;
    }
    struct rk_obs o = {0};
    enum rk_status rc;
    if (known_id != NULL && rk__is_uuid(known_id))
        rc = (snprintf(oid, sizeof oid, "%s", known_id), RK_OK);
    else if (rk_obs_parse(ind, strlen(ind), rk_obs_type_from_name(tname), &o) == RK_OK)
        rc = rk__obs_upsert(r->c, rk_obs_type_name(o.type), o.canonical, o.display, o.value, NULL,
                            oid, r->err);
    else
        rc = rk__obs_upsert(r->c, tname, ind, NULL, ind, NULL, oid, r->err);
    rk_obs_clear(&o);
    /* An indicator that hit in a victim's logs: a hash names malware, anything else the
     * attacker's infrastructure. An existing link keeps the role the analyst gave it. */
    const char *role = t == RK_SWEEP_MD5 || t == RK_SWEEP_SHA1 || t == RK_SWEEP_SHA256
                           ? "malware"
                           : "attacker_infrastructure";
    rk__now(now);
    const char *args[] = {r->case_id, oid, role, r->who.user_id, now, NULL};
    if (rc == RK_OK)
        rc = exec_text(r->c,
                       "INSERT INTO case_observables (case_id, observable_id, role, added_by,"
                       " created_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                       r->err, args);
    if (rc == RK_OK && json_object_set_new(r->obs_ids, key, json_string(oid)) != 0)
        rc = rk__err(r->err, RK_ENOMEM, NULL, "out of memory");
    if (rc == RK_OK)
        *id_out = json_string_value(json_object_get(r->obs_ids, key));
    return rc;
}

/* Writes the batch and the job's progress in one transaction with one audit event. */
static enum rk_status flush_batch(struct run *r)
{
    char now[21], detail[96];
    enum rk_status rc = rk__tx_begin(r->s, r->c, r->err);
    if (rc != RK_OK)
        return rc;
    rk__now(now);
    size_t i = 0;
    unsigned written = 0;
    while (rc == RK_OK && i + sizeof(struct pending) <= r->batch.len) {
        struct pending p;
        memcpy(&p, r->batch.data + i, sizeof p);
        const char *file = r->batch.data + i + sizeof p;
        const char *ind = file + p.file_len + 1;
        const char *tok = ind + p.ind_len + 1;
        const char *host = tok + p.tok_len + 1;
        const char *meta = host + p.host_len + 1;
        i += sizeof p + p.file_len + p.ind_len + p.tok_len + p.host_len + p.meta_len + 5;
        const char *oid = NULL;
        rc = resolve_obs(r, (enum rk_sweep_type)p.type, ind, p.meta_len > 0 ? meta : NULL, &oid);
        if (rc != RK_OK)
            break;
        sqlite3_stmt *st = rk__stmt(
            r->c,
            "INSERT INTO sightings (observable_id, case_id, job_id, file, line, offset, host,"
            " event_time, token, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
            " ?9, ?10, ?10) ON CONFLICT (observable_id, case_id, host, file, line) DO UPDATE"
            " SET count = count + 1, last_seen = excluded.last_seen, job_id = excluded.job_id",
            r->err);
        if (st == NULL) {
            rc = RK_EIO;
            break;
        }
        rk__bind_text(st, 1, oid);
        rk__bind_text(st, 2, r->case_id);
        rk__bind_text(st, 3, r->job_id);
        rk__bind_text(st, 4, file);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)p.line);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)p.offset);
        rk__bind_text(st, 7, host);
        rk__bind_text(st, 8, p.time[0] != '\0' ? p.time : NULL);
        rk__bind_text(st, 9, tok);
        rk__bind_text(st, 10, now);
        int res = sqlite3_step(st);
        sqlite3_reset(st);
        if (res != SQLITE_DONE)
            rc = rk__db_error(r->c, res, r->err);
        written++;
    }
    sqlite3_stmt *st = rc == RK_OK
                           ? rk__stmt(r->c,
                                      "UPDATE sweep_jobs SET bytes_total = ?2, bytes_done = ?3,"
                                      " bytes_scanned = ?4, lines = ?5, hits = ?6, files = ?7,"
                                      " files_skipped = ?8, files_damaged = ?9, seconds = ?10"
                                      " WHERE id = ?1",
                                      r->err)
                           : NULL;
    if (rc == RK_OK && st == NULL)
        rc = RK_EIO;
    if (rc == RK_OK) {
        rk__bind_text(st, 1, r->job_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)r->in_total);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)r->in_done);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)r->sofar.bytes);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)r->sofar.lines);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)r->sofar.hits);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)r->sofar.files);
        sqlite3_bind_int64(st, 8, (sqlite3_int64)r->sofar.files_skipped);
        sqlite3_bind_int64(st, 9, (sqlite3_int64)r->sofar.files_damaged);
        sqlite3_bind_double(st, 10, r->sofar.seconds);
        int res = sqlite3_step(st);
        sqlite3_reset(st);
        if (res != SQLITE_DONE)
            rc = rk__db_error(r->c, res, r->err);
    }
    if (rc == RK_OK && written > 0) {
        struct rk_audit_event ev;
        snprintf(detail, sizeof detail, "sweep_job=%s sightings=%u", r->job_id, written);
        rk__audit_event(&ev, &r->who, "sweep_sightings", "case", r->case_id, detail);
        rc = rk__audit_append(r->c, &ev, r->err);
    }
    if (rc == RK_OK)
        rc = rk__tx_commit(r->s, r->c, r->err);
    else
        rk__tx_rollback(r->s, r->c);
    rk_buf_reset(&r->batch);
    r->nbatch = 0;
    return rc;
}

static int on_hit(const struct rk_sweep_hit *h, void *ud)
{
    struct run *r = ud;
    struct rk__sweep_line ln;
    struct pending p;
    json_t *nm = json_object_get(r->names, h->file);
    const char *file = nm != NULL ? json_string_value(nm) : h->file;
    size_t tl = strlen(h->token);
    if (tl > RK_MAX_SIGHTING_TOKEN)
        tl = RK_MAX_SIGHTING_TOKEN;
    rk__sweep_line_parse(h->line_text, h->line_len, r->now, &ln);
    memset(&p, 0, sizeof p);
    p.line = h->line;
    p.offset = h->offset;
    p.type = (uint32_t)h->type;
    p.file_len = (uint32_t)strlen(file);
    p.ind_len = (uint32_t)strlen(h->indicator);
    p.tok_len = (uint32_t)tl;
    p.host_len = (uint32_t)strlen(ln.host);
    p.meta_len = h->meta != NULL ? (uint32_t)strlen(h->meta) : 0;
    memcpy(p.time, ln.time, sizeof p.time);
    if (rk_buf_add(&r->batch, &p, sizeof p) != RK_OK ||
        rk_buf_add(&r->batch, file, p.file_len + 1) != RK_OK ||
        rk_buf_add(&r->batch, h->indicator, p.ind_len + 1) != RK_OK ||
        rk_buf_add(&r->batch, h->token, tl) != RK_OK || rk_buf_add(&r->batch, "", 1) != RK_OK ||
        rk_buf_add(&r->batch, ln.host, p.host_len + 1) != RK_OK ||
        rk_buf_add(&r->batch, h->meta != NULL ? h->meta : "", p.meta_len + 1) != RK_OK) {
        r->rc = rk__err(r->err, RK_ENOMEM, NULL, "out of memory");
        return 1;
    }
    r->sofar.hits++;
    if (++r->nbatch >= RK_SWEEP_SIGHTING_BATCH) {
        r->rc = flush_batch(r);
        if (r->rc != RK_OK)
            return 1;
    }
    return 0;
}

static void on_skip(const char *path, const char *why, void *ud)
{
    struct run *r = ud;
    json_t *nm = json_object_get(r->names, path);
    json_array_append_new(
        r->skipped,
        json_pack("{s:s,s:s}", "file", nm != NULL ? json_string_value(nm) : path, "reason", why));
}

static int cancel_requested(struct run *r)
{
    sqlite3_stmt *st = rk__stmt(r->c, "SELECT cancel FROM sweep_jobs WHERE id = ?1", r->err);
    if (st == NULL)
        return 0;
    rk__bind_text(st, 1, r->job_id);
    int v = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
    sqlite3_reset(st);
    return v;
}

static int on_progress(uint64_t in_done, uint64_t in_total, const struct rk_sweep_stats *sofar,
                       void *ud)
{
    struct run *r = ud;
    uint64_t hits = r->sofar.hits;
    r->in_done = in_done;
    r->in_total = in_total;
    r->sofar = *sofar;
    r->sofar.hits = hits; /* the engine counts hits as it emits them, after this callback */
    r->rc = flush_batch(r);
    if (r->rc != RK_OK)
        return 1;
    if (r->opt != NULL && r->opt->on_progress != NULL) {
        json_t *j = NULL;
        if (render_job(r->c, r->job_id, &j, NULL) == RK_OK) {
            r->opt->on_progress(j, r->opt->user_data);
            json_decref(j);
        }
    }
    if (r->opt != NULL && r->opt->stop != NULL && __atomic_load_n(r->opt->stop, __ATOMIC_ACQUIRE)) {
        r->stopped = 1;
        return 1;
    }
    if (cancel_requested(r)) {
        r->cancelled = 1;
        return 1;
    }
    return 0;
}

/* Reads an indicator file into the builder; a message naming the file on failure. */
static enum rk_status load_feed(struct rk_sweep_builder *b, const char *path, const char *name,
                                uint64_t *skipped, char *msg, size_t cap)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        snprintf(msg, cap, "cannot read the indicator file %s", name);
        return RK_EIO;
    }
    if ((uint64_t)sb.st_size > RK_MAX_SWEEP_FEED) {
        close(fd);
        snprintf(msg, cap, "the indicator file %s is larger than %llu bytes", name,
                 (unsigned long long)RK_MAX_SWEEP_FEED);
        return RK_ETOOBIG;
    }
    void *m = NULL;
    if (sb.st_size > 0) {
        m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            close(fd);
            snprintf(msg, cap, "cannot read the indicator file %s", name);
            return RK_EIO;
        }
    }
    close(fd);
    char e[400] = "";
    struct rk_sweep_load_stats ls = {0, 0};
    enum rk_status rc = rk_sweep_builder_load(b, RK_SWEEP_FMT_AUTO, m != NULL ? m : "",
                                              (size_t)sb.st_size, &ls, e, sizeof e);
    if (m != NULL)
        munmap(m, (size_t)sb.st_size);
    if (rc != RK_OK)
        snprintf(msg, cap, "indicator file %s: %s", name, e[0] ? e : rk_strerror(rc));
    *skipped += ls.skipped;
    return rc;
}

/* The store's indicators as the job's creator may read them, each carrying its observable id. */
struct store_feed {
    struct rk_sweep_builder *b;
    uint64_t skipped;
};

static enum rk_status add_store_indicator(void *ud, const struct rk_store_indicator *ind,
                                          struct rk_error *err)
{
    static const struct {
        const char *name;
        enum rk_sweep_type type;
    } types[] = {{"ipv4", RK_SWEEP_IPV4},     {"ipv6", RK_SWEEP_IPV6}, {"cidr", RK_SWEEP_NONE},
                 {"domain", RK_SWEEP_DOMAIN}, {"url", RK_SWEEP_URL},   {"email", RK_SWEEP_EMAIL},
                 {"md5", RK_SWEEP_MD5},       {"sha1", RK_SWEEP_SHA1}, {"sha256", RK_SWEEP_SHA256}};
    struct store_feed *sf = ud;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(ind->type, types[i].name) != 0)
            continue;
        enum rk_status rc = rk_sweep_builder_add_meta(sf->b, types[i].type, ind->value,
                                                      strlen(ind->value), ind->observable_id);
        if (rc == RK_ENOMEM)
            return rk__err(err, RK_ENOMEM, NULL, "out of memory");
        if (rc != RK_OK)
            sf->skipped++;
        return RK_OK;
    }
    sf->skipped++; /* phone numbers, bank accounts ...: not in logs the sweep reads */
    return RK_OK;
}

/* Claims the job: takes its lock file, then moves it from queued to running. */
static enum rk_status claim(struct rk_store *s, struct rk_conn *c, const char *job_id, int *lock_fd,
                            int *claimed, struct rk_error *err)
{
    char lp[4096], now[21];
    *claimed = 0;
    enum rk_status rc = make_job_dir(s, job_id, err);
    if (rc == RK_OK)
        rc = job_path(s, job_id, ".lock", lp, sizeof lp, err);
    if (rc != RK_OK)
        return rc;
    *lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (*lock_fd < 0)
        return rk__err(err, RK_EIO, NULL, "cannot open the job's lock file");
    if (flock(*lock_fd, LOCK_EX | LOCK_NB) != 0)
        return RK_OK; /* another process runs it */
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        return rc;
    rk__now(now);
    sqlite3_stmt *st = rk__stmt(c,
                                "UPDATE sweep_jobs SET status = 'running', started_at = ?2"
                                " WHERE id = ?1 AND status = 'queued'",
                                err);
    if (st == NULL) {
        rk__tx_rollback(s, c);
        return RK_EIO;
    }
    rk__bind_text(st, 1, job_id);
    rk__bind_text(st, 2, now);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        rk__tx_rollback(s, c);
        return rc;
    }
    *claimed = sqlite3_changes(c->db) == 1;
    return rk__tx_commit(s, c, err);
}

/* Records the end of a run: status, counters, skipped files, error; audited, on the timeline. */
static enum rk_status finish(struct run *r, const char *status, const char *error,
                             uint64_t indicators)
{
    char now[21], detail[160];
    char *skipped = rk__json_dump(r->skipped);
    enum rk_status rc = rk__tx_begin(r->s, r->c, r->err);
    if (rc != RK_OK) {
        rk_free(skipped);
        return rc;
    }
    rk__now(now);
    sqlite3_stmt *st = rk__stmt(r->c,
                                "UPDATE sweep_jobs SET status = ?2, error = ?3, finished_at = ?4,"
                                " skipped = ?5, indicators = ?6, bytes_total = ?7,"
                                " bytes_done = ?8, bytes_scanned = ?9, lines = ?10, hits = ?11,"
                                " files = ?12, files_skipped = ?13, files_damaged = ?14,"
                                " seconds = ?15 WHERE id = ?1",
                                r->err);
    if (st == NULL) {
        rc = RK_EIO;
    } else {
        rk__bind_text(st, 1, r->job_id);
        rk__bind_text(st, 2, status);
        rk__bind_text(st, 3, error);
        rk__bind_text(st, 4, now);
        rk__bind_text(st, 5, skipped != NULL ? skipped : "[]");
        sqlite3_bind_int64(st, 6, (sqlite3_int64)indicators);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)r->in_total);
        sqlite3_bind_int64(st, 8, (sqlite3_int64)r->in_done);
        sqlite3_bind_int64(st, 9, (sqlite3_int64)r->sofar.bytes);
        sqlite3_bind_int64(st, 10, (sqlite3_int64)r->sofar.lines);
        sqlite3_bind_int64(st, 11, (sqlite3_int64)r->sofar.hits);
        sqlite3_bind_int64(st, 12, (sqlite3_int64)r->sofar.files);
        sqlite3_bind_int64(st, 13, (sqlite3_int64)r->sofar.files_skipped);
        sqlite3_bind_int64(st, 14, (sqlite3_int64)r->sofar.files_damaged);
        sqlite3_bind_double(st, 15, r->sofar.seconds);
        int res = sqlite3_step(st);
        sqlite3_reset(st);
        if (res != SQLITE_DONE)
            rc = rk__db_error(r->c, res, r->err);
    }
    rk_free(skipped);
    snprintf(detail, sizeof detail, "sweep_job=%s status=%s hits=%llu", r->job_id, status,
             (unsigned long long)r->sofar.hits);
    return job_write_end(r->s, r->c, &r->who, r->case_id, rc, "sweep_job_finish", detail, 1,
                         r->err);
}

/* Loads the job's files: indicator files into `b`, log paths into `paths` (an array of
 * strings), the path of a compiled index (kind "index", the CLI's --index) into `index_path`
 * and the names of uploads into r->names. */
static enum rk_status load_inputs(struct run *r, struct rk_sweep_builder *b, json_t *paths,
                                  char index_path[4096], char *msg, size_t cap)
{
    sqlite3_stmt *st = NULL;
    uint64_t skipped = 0;
    enum rk_status rc = rk__stmt_new(r->c,
                                     "SELECT kind, name, path, sha256 FROM sweep_job_files"
                                     " WHERE job_id = ?1 ORDER BY seq",
                                     &st, r->err);
    if (rc != RK_OK)
        return rc;
    rk__bind_text(st, 1, r->job_id);
    while (rc == RK_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *kind = rk__col_text(st, 0), *name = rk__col_text(st, 1),
                   *path = rk__col_text(st, 2);
        if (strcmp(kind, "indicators") == 0) {
            rc = load_feed(b, path, name, &skipped, msg, cap);
        } else if (strcmp(kind, "index") == 0) {
            if (index_path[0] != '\0') {
                snprintf(msg, cap, "a job sweeps against one compiled index");
                rc = RK_EINVAL;
            }
            snprintf(index_path, 4096, "%s", path);
        } else {
            json_array_append_new(paths, json_string(path));
            if (sqlite3_column_type(st, 3) != SQLITE_NULL)
                json_object_set_new(r->names, path, json_string(name));
        }
    }
    sqlite3_finalize(st);
    return rc;
}

enum rk_status rk_sweep_job_run(struct rk_store *s, const char *job_id,
                                const struct rk_sweep_job_run_opts *opt, int *ran, json_t **out,
                                struct rk_error *err)
{
    struct run r;
    struct rk_sweep_builder *b = NULL;
    struct rk_sweep_index *ix = NULL;
    json_t *paths = NULL;
    const char **pv = NULL;
    int lock_fd = -1, claimed = 0, from_store = 0;
    char msg[512] = "", creator[37] = "";
    memset(&r, 0, sizeof r);
    rk_buf_init(&r.batch, (size_t)RK_SWEEP_SIGHTING_BATCH * (sizeof(struct pending) + 8192));
    r.s = s;
    r.err = err;
    r.opt = opt;
    r.now = rk__now_unix();
    if (ran != NULL)
        *ran = 0;
    enum rk_status rc = rk__conn_get(s, &r.c, err);
    if (rc != RK_OK)
        goto out;
    if (job_id == NULL) {
        sqlite3_stmt *st = rk__stmt(r.c,
                                    "SELECT id FROM sweep_jobs WHERE status = 'queued'"
                                    " ORDER BY created_at, rowid LIMIT 1",
                                    err);
        if (st == NULL) {
            rc = RK_EIO;
            goto out;
        }
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(r.job_id, sizeof r.job_id, "%s", rk__col_text(st, 0));
        sqlite3_reset(st);
        if (r.job_id[0] == '\0')
            goto out;
    } else {
        snprintf(r.job_id, sizeof r.job_id, "%s", job_id);
    }
    rc = claim(s, r.c, r.job_id, &lock_fd, &claimed, err);
    if (rc != RK_OK)
        goto out;
    if (!claimed) {
        if (job_id != NULL)
            rc = rk__err(err, RK_ECONFLICT, "status", "the job is not queued");
        goto out;
    }
    if (ran != NULL)
        *ran = 1;
    sqlite3_stmt *st =
        rk__stmt(r.c, "SELECT case_id, created_by, source FROM sweep_jobs WHERE id = ?1", err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    rk__bind_text(st, 1, r.job_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(r.case_id, sizeof r.case_id, "%s", rk__col_text(st, 0));
        snprintf(creator, sizeof creator, "%s", rk__col_text(st, 1));
        from_store = strcmp(rk__col_text(st, 2), "store") == 0;
    }
    sqlite3_reset(st);
    r.obs_ids = json_object();
    r.names = json_object();
    r.skipped = json_array();
    paths = json_array();
    if (r.obs_ids == NULL || r.names == NULL || r.skipped == NULL || paths == NULL) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    /* The creator must still be allowed to work on the case. */
    struct rk_access a;
    struct rk_error aerr = {0};
    enum rk_status arc = job_actor(r.c, creator, &r.who, &aerr);
    if (arc == RK_OK)
        arc = rk__access_load(r.c, &r.who, &a, &aerr);
    if (arc == RK_OK)
        arc = case_ok(r.c, &a, r.case_id, 1, &aerr);
    if (arc != RK_OK) {
        if (r.who.user_id[0] == '\0')
            rk_actor_system(&r.who);
        rc = finish(&r, "failed", "the job's creator may no longer work on the case", 0);
        goto out;
    }
    if (rk_sweep_builder_create(&b) != RK_OK) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    char index_path[4096] = "";
    enum rk_status lrc = load_inputs(&r, b, paths, index_path, msg, sizeof msg);
    if (lrc == RK_OK && index_path[0] != '\0') {
        char e[400] = "";
        if (rk_sweep_builder_count(b) > 0) {
            lrc = RK_EINVAL;
            snprintf(msg, sizeof msg, "give either a compiled index or indicator files");
        } else if ((lrc = rk_sweep_index_open(index_path, 0, &ix, e, sizeof e)) != RK_OK) {
            snprintf(msg, sizeof msg, "index %.200s: %.250s", index_path,
                     e[0] ? e : rk_strerror(lrc));
        }
    } else if (lrc == RK_OK && rk_sweep_builder_count(b) == 0 && !from_store) {
        lrc = RK_EINVAL;
        snprintf(msg, sizeof msg, "the indicator files hold no indicator");
    } else if (lrc == RK_OK && from_store) {
        struct store_feed sf = {b, 0};
        struct rk_error werr = {0};
        lrc = rk__store_indicators_each(s, &r.who, NULL, add_store_indicator, &sf, &werr);
        if (lrc != RK_OK)
            snprintf(msg, sizeof msg, "the store's indicators: %s", werr.message);
        else if (rk_sweep_builder_count(b) == 0) {
            lrc = RK_EINVAL;
            snprintf(msg, sizeof msg, "the store holds no indicator the sweep can use");
        }
    }
    if (lrc == RK_OK && ix == NULL && rk_sweep_builder_build(b, &ix) != RK_OK) {
        lrc = RK_ENOMEM;
        snprintf(msg, sizeof msg, "out of memory compiling the indicators");
    }
    if (lrc != RK_OK) {
        rc = finish(&r, "failed", msg, 0);
        goto out;
    }
    size_t np = json_array_size(paths);
    pv = rk_calloc(np > 0 ? np : 1, sizeof *pv);
    if (pv == NULL) {
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < np; i++)
        pv[i] = json_string_value(json_array_get(paths, i));
    struct rk_sweep_options so;
    struct rk_sweep_stats stats;
    memset(&so, 0, sizeof so);
    so.threads = opt != NULL ? opt->threads : 0;
    so.on_skip = on_skip;
    so.on_progress = on_progress;
    enum rk_status src = rk_sweep_run(ix, pv, np, &so, on_hit, &r, &stats);
    uint64_t hits = r.sofar.hits;
    r.sofar = stats;
    r.sofar.hits = hits;
    r.in_done = r.in_total;
    if (r.rc == RK_OK && r.nbatch > 0)
        r.rc = flush_batch(&r);
    if (r.rc != RK_OK) {
        /* The store failed under the sweep: record what can be recorded. */
        rc = finish(&r, "failed", "the store could not record the sightings",
                    rk_sweep_index_count(ix));
        if (rc == RK_OK)
            rc = r.rc;
    } else if (r.stopped) {
        rc = finish(&r, "failed", "interrupted", rk_sweep_index_count(ix));
    } else if (r.cancelled || (src == RK_ECONFLICT && cancel_requested(&r))) {
        rc = finish(&r, "cancelled", NULL, rk_sweep_index_count(ix));
    } else if (src != RK_OK && src != RK_ECONFLICT) {
        rc = finish(&r, "failed", rk_strerror(src), rk_sweep_index_count(ix));
    } else if (stats.files == 0) {
        rc = finish(&r, "failed", "not one log file could be read", rk_sweep_index_count(ix));
    } else {
        rc = finish(&r, "done", NULL, rk_sweep_index_count(ix));
    }
out:
    if (rc == RK_OK && out != NULL && r.job_id[0] != '\0' && claimed)
        rc = render_job(r.c, r.job_id, out, err);
    if (lock_fd >= 0)
        close(lock_fd); /* releases the lock */
    rk_free(pv);
    json_decref(paths);
    json_decref(r.obs_ids);
    json_decref(r.names);
    json_decref(r.skipped);
    rk_sweep_index_close(ix);
    rk_sweep_builder_destroy(b);
    rk_buf_free(&r.batch);
    rk__conn_put(s, r.c);
    return rc;
}

enum rk_status rk_sweep_jobs_recover(struct rk_store *s, int *n, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    sqlite3_stmt *st = NULL;
    json_t *dead = json_array();
    int marked = 0;
    enum rk_status rc = dead != NULL ? rk__conn_get(s, &c, err) : RK_ENOMEM;
    if (rc == RK_OK)
        rc = rk__stmt_new(c, "SELECT id FROM sweep_jobs WHERE status = 'running'", &st, err);
    while (rc == RK_OK && sqlite3_step(st) == SQLITE_ROW) {
        char lp[4096];
        const char *id = rk__col_text(st, 0);
        if (job_path(s, id, ".lock", lp, sizeof lp, NULL) != RK_OK)
            continue;
        int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        /* No lock file (the directory is gone) or a lock nobody holds: the runner died. */
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) == 0)
            json_array_append_new(dead, json_string(id));
        if (fd >= 0)
            close(fd);
    }
    sqlite3_finalize(st);
    for (size_t i = 0; rc == RK_OK && i < json_array_size(dead); i++) {
        char now[21], case_id[37] = "", detail[80];
        const char *id = json_string_value(json_array_get(dead, i));
        struct rk_actor sys;
        rk_actor_system(&sys);
        rc = rk__tx_begin(s, c, err);
        if (rc != RK_OK)
            break;
        sqlite3_stmt *q = rk__stmt(c,
                                   "UPDATE sweep_jobs SET status = 'failed', error ="
                                   " 'interrupted', finished_at = ?2 WHERE id = ?1 AND"
                                   " status = 'running' RETURNING case_id",
                                   err);
        rk__now(now);
        if (q == NULL) {
            rc = RK_EIO;
        } else {
            rk__bind_text(q, 1, id);
            rk__bind_text(q, 2, now);
            if (sqlite3_step(q) == SQLITE_ROW)
                snprintf(case_id, sizeof case_id, "%s", rk__col_text(q, 0));
            sqlite3_reset(q);
        }
        if (rc == RK_OK && case_id[0] == '\0') {
            rk__tx_rollback(s, c);
            continue;
        }
        snprintf(detail, sizeof detail, "sweep_job=%s interrupted", id);
        rc = job_write_end(s, c, &sys, case_id, rc, "sweep_job_interrupted", detail, 1, err);
        if (rc == RK_OK)
            marked++;
    }
    if (n != NULL)
        *n = marked;
    json_decref(dead);
    rk__conn_put(s, c);
    return rc;
}
