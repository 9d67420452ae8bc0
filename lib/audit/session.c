/*
 * Log-in and sessions. A session token is 32 random bytes (64 hex characters) that travels in
 * an HttpOnly cookie; the database keeps only its SHA-256, so a copy of the database yields no
 * live session. Each session has its own CSRF token. Expiry slides: a request pushes it to
 * RK_SESSION_TTL from now, but writes at most once per RK_SESSION_REFRESH seconds, so a busy
 * user does not turn every read into a write.
 */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include "renkei/limits.h"

/* A hash to verify against when the login is unknown, so that a wrong login takes as long as
 * a wrong password (no user enumeration by timing). Made once per call: cost is the point. */
static void burn_time(const char *password)
{
    char enc[160];
    if (rk__password_hash("renkei-timing-equaliser", enc, sizeof(enc)) == RK_OK)
        rk__password_verify(enc, password);
}

static enum rk_status actor_from_row(sqlite3_stmt *st, int base, struct rk_actor *a)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->user_id, sizeof(a->user_id), "%s", rk__col_text(st, base));
    snprintf(a->unit_id, sizeof(a->unit_id), "%s", rk__col_text(st, base + 1));
    snprintf(a->login, sizeof(a->login), "%s", rk__col_text(st, base + 2));
    a->role = rk_role_from_name(rk__col_text(st, base + 3));
    return a->role != 0 ? RK_OK : RK_EAUTH;
}

enum rk_status rk_auth_login(struct rk_store *s, const char *login, const char *password,
                             const char *client, struct rk_session *out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    char pw_hash[256] = "";
    int disabled = 1, found = 0;
    struct rk_actor a;
    enum rk_status rc;
    if (login == NULL || password == NULL || strlen(login) > RK_MAX_LOGIN_BYTES ||
        strlen(password) > RK_MAX_PASSWORD_BYTES)
        return rk__err(err, RK_EAUTH, NULL, "wrong login or password");
    rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    sqlite3_stmt *st = rk__stmt(
        c, "SELECT id, unit_id, login, role, pw_hash, disabled FROM users WHERE login = ?1", err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    rk__bind_text(st, 1, login);
    if (sqlite3_step(st) == SQLITE_ROW) {
        found = actor_from_row(st, 0, &a) == RK_OK;
        snprintf(pw_hash, sizeof(pw_hash), "%s", rk__col_text(st, 4));
        disabled = sqlite3_column_int(st, 5);
    }
    sqlite3_reset(st);
    if (!found)
        burn_time(password);
    int ok = found && rk__password_verify(pw_hash, password) == RK_OK && !disabled;

    char detail[64];
    snprintf(detail, sizeof(detail), "client=%.40s", client ? client : "");
    struct rk_actor anon;
    memset(&anon, 0, sizeof(anon));
    snprintf(anon.user_id, sizeof(anon.user_id), "anonymous");
    snprintf(anon.login, sizeof(anon.login), "%s", login);

    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    struct rk_audit_event ev;
    if (!ok) {
        rk__audit_event(&ev, found ? &a : &anon, "login_failed", "session", "", detail);
        rc = rk__audit_append(c, &ev, err);
        if (rc == RK_OK)
            rc = rk__tx_commit(s, c, err);
        else
            rk__tx_rollback(s, c);
        if (rc == RK_OK)
            rc = rk__err(err, RK_EAUTH, NULL, "wrong login or password");
        goto out;
    }
    struct rk_session sess;
    memset(&sess, 0, sizeof(sess));
    char token_hash[65];
    rc = rk__random_hex(sess.token, 32);
    if (rc == RK_OK)
        rc = rk__random_hex(sess.csrf, 32);
    if (rc == RK_OK)
        rc = rk__sha256_hex(sess.token, strlen(sess.token), token_hash);
    if (rc != RK_OK) {
        rk__tx_rollback(s, c);
        rc = rk__err(err, RK_EIO, NULL, "no randomness");
        goto out;
    }
    int64_t now = rk__now_unix();
    sess.expires_at = now + RK_SESSION_TTL;
    sess.actor = a;
    st = rk__stmt(c,
                  "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at)"
                  " VALUES (?1, ?2, ?3, ?4, ?5)",
                  err);
    int r = SQLITE_ERROR;
    if (st != NULL) {
        rk__bind_text(st, 1, token_hash);
        rk__bind_text(st, 2, a.user_id);
        rk__bind_text(st, 3, sess.csrf);
        sqlite3_bind_int64(st, 4, now);
        sqlite3_bind_int64(st, 5, sess.expires_at);
        r = sqlite3_step(st);
        sqlite3_reset(st);
    }
    /* Expired sessions of everyone are swept at log-in: cheap with the index, no timer. */
    if (r == SQLITE_DONE) {
        sqlite3_stmt *d = rk__stmt(c, "DELETE FROM sessions WHERE expires_at < ?1", err);
        if (d != NULL) {
            sqlite3_bind_int64(d, 1, now);
            sqlite3_step(d);
            sqlite3_reset(d);
        }
        rk__audit_event(&ev, &a, "login", "session", "", detail);
        rc = rk__audit_append(c, &ev, err);
    } else {
        rc = rk__db_error(c, r, err);
    }
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
    if (rc == RK_OK)
        *out = sess;
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_auth_session(struct rk_store *s, const char *token, struct rk_session *out)
{
    char token_hash[65];
    if (token == NULL || strlen(token) != 64)
        return RK_EAUTH;
    if (rk__sha256_hex(token, 64, token_hash) != RK_OK)
        return RK_EIO;
    struct rk_conn *c = NULL;
    enum rk_status rc = rk__conn_get(s, &c, NULL);
    if (rc != RK_OK)
        return rc;
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT u.id, u.unit_id, u.login, u.role, s.csrf, s.expires_at"
                                " FROM sessions s JOIN users u ON u.id = s.user_id"
                                " WHERE s.token_hash = ?1 AND u.disabled = 0",
                                NULL);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    rk__bind_text(st, 1, token_hash);
    int64_t now = rk__now_unix(), expires = 0;
    struct rk_session sess;
    memset(&sess, 0, sizeof(sess));
    rc = RK_EAUTH;
    if (sqlite3_step(st) == SQLITE_ROW) {
        expires = sqlite3_column_int64(st, 5);
        if (expires > now && actor_from_row(st, 0, &sess.actor) == RK_OK) {
            snprintf(sess.token, sizeof(sess.token), "%s", token);
            snprintf(sess.csrf, sizeof(sess.csrf), "%s", rk__col_text(st, 4));
            rc = RK_OK;
        }
    }
    sqlite3_reset(st);
    if (rc != RK_OK)
        goto out;
    sess.expires_at = expires;
    if (expires - now < RK_SESSION_TTL - RK_SESSION_REFRESH) {
        sqlite3_stmt *u =
            rk__stmt(c, "UPDATE sessions SET expires_at = ?2 WHERE token_hash = ?1", NULL);
        if (u != NULL) {
            rk__bind_text(u, 1, token_hash);
            sqlite3_bind_int64(u, 2, now + RK_SESSION_TTL);
            if (sqlite3_step(u) == SQLITE_DONE)
                sess.expires_at = now + RK_SESSION_TTL;
            sqlite3_reset(u);
        }
    }
    *out = sess;
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_auth_logout(struct rk_store *s, const char *token)
{
    char token_hash[65];
    if (token == NULL || strlen(token) != 64)
        return RK_OK;
    if (rk__sha256_hex(token, 64, token_hash) != RK_OK)
        return RK_EIO;
    struct rk_conn *c = NULL;
    enum rk_status rc = rk__conn_get(s, &c, NULL);
    if (rc != RK_OK)
        return rc;
    sqlite3_stmt *st = rk__stmt(c, "DELETE FROM sessions WHERE token_hash = ?1", NULL);
    if (st == NULL) {
        rc = RK_EIO;
    } else {
        rk__bind_text(st, 1, token_hash);
        rc = sqlite3_step(st) == SQLITE_DONE ? RK_OK : RK_EIO;
        sqlite3_reset(st);
    }
    rk__conn_put(s, c);
    return rc;
}
