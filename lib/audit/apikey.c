/*
 * API keys for machines ("Authorization: Bearer rk_<64 hex>"). A key acts as the user who made
 * it, with that user's role and unit. Only the SHA-256 of a key is stored: keys are 256 random
 * bits, so a plain hash is enough (no password stretching needed), and the key is shown once.
 */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include "renkei/limits.h"
#include "share/access.h"

enum rk_status rk_apikey_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                                json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"name", NULL};
    struct rk_conn *c = NULL;
    struct rk_access a;
    const char *name = NULL;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "name", "name", 1, RK_MAX_SHORT_BYTES, &name, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_APIKEY, err);
    if (rc == RK_OK && strcmp(who->user_id, "system") == 0)
        rc = rk__err(err, RK_EFORBIDDEN, NULL, "API keys belong to users");
    if (rc != RK_OK)
        goto out;
    char id[37], secret[65], key[68], hash[65], now[21];
    if (rk__uuid(id) != RK_OK || rk__random_hex(secret, 32) != RK_OK) {
        rc = rk__err(err, RK_EIO, NULL, "no randomness");
        goto out;
    }
    snprintf(key, sizeof(key), "rk_%s", secret);
    rk__sha256_hex(key, strlen(key), hash);
    rk__now(now);
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO apikeys (id, user_id, name, key_hash, created_at)"
                                " VALUES (?1, ?2, ?3, ?4, ?5)",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
    } else {
        rk__bind_text(st, 1, id);
        rk__bind_text(st, 2, who->user_id);
        rk__bind_text(st, 3, name);
        rk__bind_text(st, 4, hash);
        rk__bind_text(st, 5, now);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        rc = r == SQLITE_DONE ? RK_OK : rk__db_error(c, r, err);
    }
    if (rc == RK_OK) {
        struct rk_audit_event ev;
        rk__audit_event(&ev, who, "create", "apikey", id, NULL);
        rc = rk__audit_append(c, &ev, err);
    }
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
    if (rc == RK_OK) {
        *out = json_pack("{s:s,s:s,s:s}", "id", id, "name", name, "key", key);
        if (*out == NULL)
            rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    }
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_apikey_revoke(struct rk_store *s, const struct rk_actor *who, const char *id,
                                struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc != RK_OK)
        goto out;
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_stmt *st = rk__stmt(c, "SELECT user_id, revoked_at FROM apikeys WHERE id = ?1", err);
    if (st == NULL) {
        rc = RK_EIO;
        goto rollback;
    }
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    int own = r == SQLITE_ROW && strcmp(rk__col_text(st, 0), who->user_id) == 0;
    int revoked = r == SQLITE_ROW && sqlite3_column_type(st, 1) != SQLITE_NULL;
    sqlite3_reset(st);
    if (r != SQLITE_ROW) {
        rc = rk__err(err, RK_ENOTFOUND, "id", "no such API key");
        goto rollback;
    }
    if (!own && !rk__access_allows(&a, RK_PERM_USER_ADMIN)) {
        rc = rk__err(err, RK_EFORBIDDEN, NULL, "not your API key");
        goto rollback;
    }
    if (!revoked) {
        char now[21];
        rk__now(now);
        st = rk__stmt(c, "UPDATE apikeys SET revoked_at = ?2 WHERE id = ?1", err);
        if (st == NULL) {
            rc = RK_EIO;
            goto rollback;
        }
        rk__bind_text(st, 1, id);
        rk__bind_text(st, 2, now);
        r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE) {
            rc = rk__db_error(c, r, err);
            goto rollback;
        }
        struct rk_audit_event ev;
        rk__audit_event(&ev, who, "revoke", "apikey", id, NULL);
        rc = rk__audit_append(c, &ev, err);
        if (rc != RK_OK)
            goto rollback;
    }
    rc = rk__tx_commit(s, c, err);
    goto out;
rollback:
    rk__tx_rollback(s, c);
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_auth_apikey(struct rk_store *s, const char *key, struct rk_actor *out)
{
    char hash[65];
    if (key == NULL || strlen(key) != 67 || strncmp(key, "rk_", 3) != 0)
        return RK_EAUTH;
    rk__sha256_hex(key, 67, hash);
    struct rk_conn *c = NULL;
    enum rk_status rc = rk__conn_get(s, &c, NULL);
    if (rc != RK_OK)
        return rc;
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT u.id, u.unit_id, u.login, u.role FROM apikeys k"
                                " JOIN users u ON u.id = k.user_id"
                                " WHERE k.key_hash = ?1 AND k.revoked_at IS NULL"
                                " AND u.disabled = 0",
                                NULL);
    rc = RK_EAUTH;
    if (st != NULL) {
        rk__bind_text(st, 1, hash);
        if (sqlite3_step(st) == SQLITE_ROW) {
            memset(out, 0, sizeof(*out));
            snprintf(out->user_id, sizeof(out->user_id), "%s", rk__col_text(st, 0));
            snprintf(out->unit_id, sizeof(out->unit_id), "%s", rk__col_text(st, 1));
            snprintf(out->login, sizeof(out->login), "%s", rk__col_text(st, 2));
            out->role = rk_role_from_name(rk__col_text(st, 3));
            rc = out->role != 0 ? RK_OK : RK_EAUTH;
        }
        sqlite3_reset(st);
    }
    rk__conn_put(s, c);
    return rc;
}
