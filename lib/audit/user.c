/*
 * Org units (a tree: prefectural HQ and its divisions, police stations, the NPA, partners) and
 * users (one unit and one role each). Admins manage both; analysts and supervisors may list
 * users (to pick assignees); everyone may read their own record. Every change is audited.
 */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include "renkei/limits.h"
#include "share/access.h"

static const char *const UNIT_KINDS[] = {"hq_division", "station", "npa", "partner", NULL};
static const char *const ROLES[] = {"station", "analyst", "supervisor", "admin",
                                    "partner", "peer",    NULL};

/* ===== Units ===== */

static json_t *unit_json(sqlite3_stmt *st)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", rk__col_text(st, 0), "name",
                     rk__col_text(st, 1), "name_en", rk__col_text(st, 2), "kind",
                     rk__col_text(st, 3), "parent_id", rk__col_json_str(st, 4));
}

enum rk_status rk_unit_list(struct rk_store *s, const struct rk_actor *who, json_t **out,
                            struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_UNIT_LIST, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT id, name, name_en, kind, parent_id FROM units"
                                " ORDER BY CASE kind WHEN 'hq_division' THEN 0 WHEN 'station'"
                                " THEN 1 WHEN 'npa' THEN 2 ELSE 3 END, parent_id IS NOT NULL,"
                                " name",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    json_t *items = json_array();
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(items, unit_json(st));
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        json_decref(items);
        rc = rk__db_error(c, r, err);
        goto out;
    }
    size_t n = json_array_size(items);
    *out = json_pack("{s:o,s:I,s:I,s:i}", "items", items, "total", (json_int_t)n, "limit",
                     (json_int_t)n, "offset", 0);
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_unit_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                              json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"name", "name_en", "kind", "parent_id", NULL};
    const char *name, *name_en, *kind, *parent;
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "name", "name", 1, RK_MAX_SHORT_BYTES, &name, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "name_en", "name_en", 0, RK_MAX_SHORT_BYTES, &name_en, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "kind", "kind", 1, 32, &kind, err);
    if (rc == RK_OK && !rk__in_set(kind, UNIT_KINDS))
        rc = rk__err(err, RK_EINVAL, "kind", "must be hq_division, station, npa or partner");
    if (rc == RK_OK)
        rc = rk__json_str(in, "parent_id", "parent_id", 0, 36, &parent, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_UNIT_ADMIN, err);
    if (rc != RK_OK)
        goto out;
    char id[37], now[21];
    rk__uuid(id);
    rk__now(now);
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    if (parent != NULL) {
        sqlite3_stmt *p = rk__stmt(c, "SELECT 1 FROM units WHERE id = ?1 /* parent */", err);
        int found = 0;
        if (p != NULL) {
            rk__bind_text(p, 1, parent);
            found = sqlite3_step(p) == SQLITE_ROW;
            sqlite3_reset(p);
        }
        if (!found) {
            rc = rk__err(err, RK_EINVAL, "parent_id", "no such unit");
            goto rollback;
        }
    }
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO units (id, name, name_en, kind, parent_id,"
                                " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto rollback;
    }
    rk__bind_text(st, 1, id);
    rk__bind_text(st, 2, name);
    rk__bind_text(st, 3, name_en ? name_en : "");
    rk__bind_text(st, 4, kind);
    rk__bind_text(st, 5, parent);
    rk__bind_text(st, 6, now);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto rollback;
    }
    struct rk_audit_event ev;
    rk__audit_event(&ev, who, "create", "unit", id, NULL);
    rc = rk__audit_append(c, &ev, err);
    if (rc != RK_OK)
        goto rollback;
    rc = rk__tx_commit(s, c, err);
    if (rc == RK_OK)
        *out = json_pack("{s:s,s:s,s:s,s:s,s:s?}", "id", id, "name", name, "name_en",
                         name_en ? name_en : "", "kind", kind, "parent_id", parent);
    goto out;
rollback:
    rk__tx_rollback(s, c);
out:
    rk__conn_put(s, c);
    return rc;
}

/* ===== Users ===== */

static json_t *user_json(sqlite3_stmt *st)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s},s:b,s:s}", "id", rk__col_text(st, 0),
                     "login", rk__col_text(st, 1), "name", rk__col_text(st, 2), "role",
                     rk__col_text(st, 3), "unit", "id", rk__col_text(st, 4), "name",
                     rk__col_text(st, 5), "disabled", sqlite3_column_int(st, 6), "created_at",
                     rk__col_text(st, 7));
}

static const char SQL_USER_BY_ID[] =
    "SELECT u.id, u.login, u.name, u.role, u.unit_id, n.name, u.disabled, u.created_at"
    " FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = ?1";
static const char SQL_USER_BY_LOGIN[] =
    "SELECT u.id, u.login, u.name, u.role, u.unit_id, n.name, u.disabled, u.created_at"
    " FROM users u JOIN units n ON n.id = u.unit_id WHERE u.login = ?1";

static enum rk_status load_user(struct rk_conn *c, const char *sql, const char *key,
                                json_t **out, struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, sql, err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, key);
    int r = sqlite3_step(st);
    enum rk_status rc = RK_OK;
    if (r == SQLITE_ROW)
        *out = user_json(st);
    else if (r == SQLITE_DONE)
        rc = rk__err(err, RK_ENOTFOUND, "id", "no such user");
    else
        rc = rk__db_error(c, r, err);
    sqlite3_reset(st);
    return rc;
}

enum rk_status rk_user_list(struct rk_store *s, const struct rk_actor *who, json_t **out,
                            struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_USER_LIST, err);
    if (rc != RK_OK)
        goto out;
    static const char sql[] =
        "SELECT u.id, u.login, u.name, u.role, u.unit_id, n.name, u.disabled, u.created_at"
        " FROM users u JOIN units n ON n.id = u.unit_id ORDER BY u.login";
    sqlite3_stmt *st = rk__stmt(c, sql, err);
    if (st == NULL) {
        rc = RK_EIO;
        goto out;
    }
    json_t *items = json_array();
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(items, user_json(st));
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        json_decref(items);
        rc = rk__db_error(c, r, err);
        goto out;
    }
    size_t n = json_array_size(items);
    *out = json_pack("{s:o,s:I,s:I,s:i}", "items", items, "total", (json_int_t)n, "limit",
                     (json_int_t)n, "offset", 0);
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_user_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                           json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK && (id == NULL || strcmp(id, who->user_id) != 0))
        rc = rk__access_require(&a, RK_PERM_USER_LIST, err);
    if (rc == RK_OK)
        rc = load_user(c, SQL_USER_BY_ID, id, out, err);
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_user_find(struct rk_store *s, const struct rk_actor *who, const char *login,
                            json_t **out, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK && (login == NULL || strcmp(login, who->login) != 0))
        rc = rk__access_require(&a, RK_PERM_USER_LIST, err);
    if (rc == RK_OK)
        rc = load_user(c, SQL_USER_BY_LOGIN, login, out, err);
    rk__conn_put(s, c);
    return rc;
}

static int login_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > RK_MAX_LOGIN_BYTES)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
              ch == '-'))
            return 0;
    }
    return 1;
}

static enum rk_status unit_exists(struct rk_conn *c, const char *id, struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, "SELECT 1 FROM units WHERE id = ?1 /* user unit */", err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found ? RK_OK : rk__err(err, RK_EINVAL, "unit_id", "no such unit");
}

enum rk_status rk_user_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                              json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"login", "password", "name", "role", "unit_id", NULL};
    const char *login, *password, *name, *role, *unit;
    struct rk_conn *c = NULL;
    struct rk_access a;
    char pw_hash[160];
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "login", "login", 1, RK_MAX_LOGIN_BYTES, &login, err);
    if (rc == RK_OK && !login_ok(login))
        rc = rk__err(err, RK_EINVAL, "login", "use a-z, 0-9, '.', '_' and '-' only");
    if (rc == RK_OK)
        rc = rk__json_str(in, "password", "password", 1, RK_MAX_PASSWORD_BYTES, &password, err);
    if (rc == RK_OK)
        rc = rk__password_check(password, "password", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "name", "name", 1, RK_MAX_SHORT_BYTES, &name, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "role", "role", 1, 16, &role, err);
    if (rc == RK_OK && !rk__in_set(role, ROLES))
        rc = rk__err(err, RK_EINVAL, "role", "unknown role");
    if (rc == RK_OK)
        rc = rk__json_str(in, "unit_id", "unit_id", 1, 36, &unit, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_USER_ADMIN, err);
    if (rc != RK_OK)
        goto out;
    /* Hash before the transaction: argon2 takes tens of milliseconds, the write lock should
     * not be held that long. */
    rc = rk__password_hash(password, pw_hash, sizeof(pw_hash));
    if (rc != RK_OK) {
        rk__err(err, rc, NULL, "cannot hash the password");
        goto out;
    }
    char id[37], now[21];
    rk__uuid(id);
    rk__now(now);
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    rc = unit_exists(c, unit, err);
    if (rc != RK_OK)
        goto rollback;
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO users (id, login, name, role, unit_id, pw_hash,"
                                " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto rollback;
    }
    rk__bind_text(st, 1, id);
    rk__bind_text(st, 2, login);
    rk__bind_text(st, 3, name);
    rk__bind_text(st, 4, role);
    rk__bind_text(st, 5, unit);
    rk__bind_text(st, 6, pw_hash);
    rk__bind_text(st, 7, now);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        if (rc == RK_ECONFLICT)
            rk__err(err, RK_ECONFLICT, "login", "this login is taken");
        goto rollback;
    }
    struct rk_audit_event ev;
    rk__audit_event(&ev, who, "create", "user", id, role);
    rc = rk__audit_append(c, &ev, err);
    if (rc != RK_OK)
        goto rollback;
    rc = rk__tx_commit(s, c, err);
    if (rc == RK_OK)
        rc = load_user(c, SQL_USER_BY_ID, id, out, err);
    goto out;
rollback:
    rk__tx_rollback(s, c);
out:
    rk__conn_put(s, c);
    return rc;
}

enum rk_status rk_user_update(struct rk_store *s, const struct rk_actor *who, const char *id,
                              json_t *in, json_t **out, struct rk_error *err)
{
    static const char *const allowed[] = {"name", "role", "unit_id", "disabled", "password",
                                          NULL};
    const char *name, *role, *unit, *password;
    int disabled;
    struct rk_conn *c = NULL;
    struct rk_access a;
    char pw_hash[160] = "";
    enum rk_status rc = rk__json_only(in, allowed, "", err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "name", "name", 0, RK_MAX_SHORT_BYTES, &name, err);
    if (rc == RK_OK && name != NULL && *name == '\0')
        rc = rk__err(err, RK_EINVAL, "name", "must not be empty");
    if (rc == RK_OK)
        rc = rk__json_str(in, "role", "role", 0, 16, &role, err);
    if (rc == RK_OK && role != NULL && !rk__in_set(role, ROLES))
        rc = rk__err(err, RK_EINVAL, "role", "unknown role");
    if (rc == RK_OK)
        rc = rk__json_str(in, "unit_id", "unit_id", 0, 36, &unit, err);
    if (rc == RK_OK)
        rc = rk__json_bool(in, "disabled", "disabled", &disabled, err);
    if (rc == RK_OK)
        rc = rk__json_str(in, "password", "password", 0, RK_MAX_PASSWORD_BYTES, &password, err);
    if (rc == RK_OK && password != NULL)
        rc = rk__password_check(password, "password", err);
    if (rc != RK_OK)
        return rc;
    rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc != RK_OK)
        goto out;
    /* Everyone may change their own name and password; the rest is for admins. */
    int self = id != NULL && strcmp(id, who->user_id) == 0;
    if (!rk__access_allows(&a, RK_PERM_USER_ADMIN) &&
        (!self || role != NULL || unit != NULL || disabled >= 0)) {
        rc = rk__err(err, RK_EFORBIDDEN, NULL, "only an admin may change this");
        goto out;
    }
    if (password != NULL) {
        rc = rk__password_hash(password, pw_hash, sizeof(pw_hash));
        if (rc != RK_OK) {
            rk__err(err, rc, NULL, "cannot hash the password");
            goto out;
        }
    }
    char now[21];
    rk__now(now);
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    if (unit != NULL) {
        rc = unit_exists(c, unit, err);
        if (rc != RK_OK)
            goto rollback;
    }
    sqlite3_stmt *st = rk__stmt(c,
                                "UPDATE users SET name = coalesce(?2, name),"
                                " role = coalesce(?3, role), unit_id = coalesce(?4, unit_id),"
                                " disabled = coalesce(?5, disabled),"
                                " pw_hash = coalesce(?6, pw_hash), updated_at = ?7"
                                " WHERE id = ?1",
                                err);
    if (st == NULL) {
        rc = RK_EIO;
        goto rollback;
    }
    rk__bind_text(st, 1, id);
    rk__bind_text(st, 2, name);
    rk__bind_text(st, 3, role);
    rk__bind_text(st, 4, unit);
    if (disabled >= 0)
        sqlite3_bind_int(st, 5, disabled);
    rk__bind_text(st, 6, password ? pw_hash : NULL);
    rk__bind_text(st, 7, now);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        rc = rk__db_error(c, r, err);
        goto rollback;
    }
    if (sqlite3_changes(c->db) == 0) {
        rc = rk__err(err, RK_ENOTFOUND, "id", "no such user");
        goto rollback;
    }
    /* Disabling a user or changing the password ends their sessions. */
    if (disabled == 1 || password != NULL) {
        st = rk__stmt(c, "DELETE FROM sessions WHERE user_id = ?1", err);
        if (st == NULL) {
            rc = RK_EIO;
            goto rollback;
        }
        rk__bind_text(st, 1, id);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    char detail[64];
    snprintf(detail, sizeof(detail), "%s%s%s%s%s", name ? "name " : "", role ? "role " : "",
             unit ? "unit " : "", disabled >= 0 ? "disabled " : "", password ? "password" : "");
    struct rk_audit_event ev;
    rk__audit_event(&ev, who, "update", "user", id, detail);
    rc = rk__audit_append(c, &ev, err);
    if (rc != RK_OK)
        goto rollback;
    rc = rk__tx_commit(s, c, err);
    if (rc == RK_OK)
        rc = load_user(c, SQL_USER_BY_ID, id, out, err);
    goto out;
rollback:
    rk__tx_rollback(s, c);
out:
    rk__conn_put(s, c);
    return rc;
}
