/*
 * The public face of the store (rk_store_open / rk_store_close) and the helpers every model
 * file shares: errors, ids, time, JSON input validation and reference numbers.
 */
#include "store/store.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "renkei/alloc.h"
#include "renkei/limits.h"
#include "renkei/parse.h"

/* ===== Open and close ===== */

enum rk_status rk_store_open(const char *path, struct rk_store **out, struct rk_error *err)
{
    if (path == NULL || *path == '\0')
        return rk__err(err, RK_EINVAL, "path", "no database path given");
    struct rk_store *s = rk_calloc(1, sizeof(*s));
    if (s == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    s->ops = &rk__store_sqlite_ops;
    pthread_mutex_init(&s->pool_mu, NULL);
    pthread_cond_init(&s->pool_cv, NULL);
    enum rk_status rc = s->ops->open(s, path, err);
    if (rc == RK_OK)
        rc = rk__ref_load(s, err);
    if (rc == RK_OK)
        rc = rk__bigram_catch_up(s, err);
    if (rc == RK_OK)
        rc = rk__audit_start(s, err);
    if (rc == RK_OK)
        rc = rk__corr_cache_create(&s->corr, err);
    if (rc == RK_OK)
        rc = rk__patrol_cache_create(&s->patrol, err);
    if (rc == RK_OK)
        rc = rk__lookalike_cache_create(&s->lookalike, err);
    if (rc != RK_OK) {
        rk_store_close(s);
        return rc;
    }
    *out = s;
    return RK_OK;
}

void rk_store_close(struct rk_store *s)
{
    if (s == NULL)
        return;
    rk__audit_stop(s);
    rk__corr_cache_free(s->corr);
    rk__patrol_cache_free(s->patrol);
    rk__lookalike_cache_free(s->lookalike);
    if (s->ops != NULL)
        s->ops->close(s);
    rk__ref_free(s->ref);
    pthread_mutex_destroy(&s->pool_mu);
    pthread_cond_destroy(&s->pool_cv);
    rk_free(s->path);
    rk_free(s);
}

enum rk_status rk__conn_get(struct rk_store *s, struct rk_conn **out, struct rk_error *err)
{
    enum rk_status rc = s->ops->conn_get(s, out);
    if (rc != RK_OK)
        return rk__err(err, rc, NULL, "no database connection available");
    return RK_OK;
}

void rk__conn_put(struct rk_store *s, struct rk_conn *c)
{
    s->ops->conn_put(s, c);
}

enum rk_status rk__tx_begin(struct rk_store *s, struct rk_conn *c, struct rk_error *err)
{
    enum rk_status rc = s->ops->tx_begin(c);
    if (rc != RK_OK)
        return rk__err(err, rc, NULL, "cannot begin a transaction: %s", sqlite3_errmsg(c->db));
    return RK_OK;
}

enum rk_status rk__tx_commit(struct rk_store *s, struct rk_conn *c, struct rk_error *err)
{
    enum rk_status rc = s->ops->tx_commit(c);
    if (rc != RK_OK)
        return rk__err(err, rc, NULL, "cannot commit: %s", sqlite3_errmsg(c->db));
    return RK_OK;
}

void rk__tx_rollback(struct rk_store *s, struct rk_conn *c)
{
    s->ops->tx_rollback(c);
}

/* ===== Errors ===== */

enum rk_status rk__err(struct rk_error *err, enum rk_status code, const char *field,
                       const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

/* ===== Ids and hashes ===== */

enum rk_status rk__uuid(char out[37])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof(b)) != 1)
        return RK_EIO;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
    return RK_OK;
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

enum rk_status rk__random_hex(char *out, size_t n)
{
    unsigned char b[64];
    if (n > sizeof(b) || RAND_bytes(b, (int)n) != 1)
        return RK_EIO;
    to_hex(b, n, out);
    return RK_OK;
}

enum rk_status rk__sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return RK_EIO;
    to_hex(md, 32, out);
    return RK_OK;
}

int rk__is_uuid(const char *s)
{
    if (s == NULL || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        char ch = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (ch != '-')
                return 0;
        } else if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
                     (ch >= 'A' && ch <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

/* ===== Time ===== */

int64_t rk__now_unix(void)
{
    return (int64_t)time(NULL);
}

void rk__time_format(int64_t t, char out[21])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void rk__now(char out[21])
{
    rk__time_format(rk__now_unix(), out);
}

static int digits(const char *s, int n, int *out)
{
    uint64_t v;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    if (rk_parse_u64(s, (size_t)n, 9999, &v) != RK_OK)
        return 0;
    *out = (int)v;
    return 1;
}

enum rk_status rk__time_parse(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
    size_t n = s ? strlen(s) : 0;
    if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return RK_EINVAL;
    const char *p = s + 10;
    if (*p != '\0') {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return RK_EINVAL;
        p++;
        if (strlen(p) < 8 || !digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &mi) ||
            p[5] != ':' || !digits(p + 6, 2, &sec))
            return RK_EINVAL;
        p += 8;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9')
                return RK_EINVAL;
            while (*p >= '0' && *p <= '9')
                p++;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;
            if (strlen(p) != 6 || !digits(p + 1, 2, &oh) || p[3] != ':' ||
                !digits(p + 4, 2, &om) || oh > 23 || om > 59)
                return RK_EINVAL;
            off = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
            p += 6;
        } else {
            return RK_EINVAL;
        }
        if (*p != '\0')
            return RK_EINVAL;
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
        mi > 59 || sec > 60)
        return RK_EINVAL;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return RK_EINVAL;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec > 59 ? 59 : sec;
    *out = (int64_t)timegm(&tm) - off;
    return RK_OK;
}

/* ===== JSON input validation ===== */

enum rk_status rk__json_only(json_t *in, const char *const *allowed, const char *prefix,
                             struct rk_error *err)
{
    if (!json_is_object(in))
        return rk__err(err, RK_EINVAL, prefix && *prefix ? prefix : "body",
                       "expected a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v)
    {
        if (!rk__in_set(key, allowed)) {
            char field[96];
            if (prefix && *prefix)
                snprintf(field, sizeof(field), "%s.%s", prefix, key);
            else
                snprintf(field, sizeof(field), "%s", key);
            return rk__err(err, RK_EINVAL, field, "unknown field");
        }
    }
    return RK_OK;
}

enum rk_status rk__json_str(json_t *in, const char *key, const char *field, int required,
                            size_t max, const char **out, struct rk_error *err)
{
    *out = NULL;
    json_t *v = json_object_get(in, key);
    if (v == NULL || json_is_null(v)) {
        if (required)
            return rk__err(err, RK_EINVAL, field, "required");
        return RK_OK;
    }
    if (!json_is_string(v))
        return rk__err(err, RK_EINVAL, field, "expected a string");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n)
        return rk__err(err, RK_EINVAL, field, "contains a NUL character");
    if (n > max)
        return rk__err(err, RK_EINVAL, field, "too long (%zu bytes, at most %zu)", n, max);
    if (required && n == 0)
        return rk__err(err, RK_EINVAL, field, "must not be empty");
    *out = s;
    return RK_OK;
}

enum rk_status rk__json_int(json_t *in, const char *key, const char *field, int64_t min,
                            int64_t max, int64_t *out, int *present, struct rk_error *err)
{
    *present = 0;
    json_t *v = json_object_get(in, key);
    if (v == NULL || json_is_null(v))
        return RK_OK;
    if (!json_is_integer(v))
        return rk__err(err, RK_EINVAL, field, "expected an integer");
    json_int_t x = json_integer_value(v);
    if (x < min || x > max)
        return rk__err(err, RK_EINVAL, field, "out of range");
    *out = (int64_t)x;
    *present = 1;
    return RK_OK;
}

enum rk_status rk__json_bool(json_t *in, const char *key, const char *field, int *out,
                             struct rk_error *err)
{
    *out = -1;
    json_t *v = json_object_get(in, key);
    if (v == NULL || json_is_null(v))
        return RK_OK;
    if (!json_is_boolean(v))
        return rk__err(err, RK_EINVAL, field, "expected true or false");
    *out = json_is_true(v) ? 1 : 0;
    return RK_OK;
}

int rk__in_set(const char *s, const char *const *codes)
{
    if (s == NULL)
        return 0;
    for (size_t i = 0; codes[i] != NULL; i++) {
        if (strcmp(s, codes[i]) == 0)
            return 1;
    }
    return 0;
}

char *rk__json_dump(const json_t *j)
{
    char *tmp = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    if (tmp == NULL)
        return NULL;
    /* jansson allocates with its own allocator; hand the caller an rk_malloc'd copy. */
    char *out = rk_strdup(tmp);
    json_free_t f = NULL;
    json_get_alloc_funcs(NULL, &f);
    f(tmp);
    return out;
}

/* ===== Reference numbers ===== */

enum rk_status rk__next_ref(struct rk_conn *c, char prefix, char out[24], struct rk_error *err)
{
    char now[21], name[16];
    rk__now(now);
    snprintf(name, sizeof(name), "%c%.4s", prefix, now);
    sqlite3_stmt *st = rk__stmt(c,
                                "INSERT INTO counters (name, value) VALUES (?1, 1) "
                                "ON CONFLICT (name) DO UPDATE SET value = value + 1 "
                                "RETURNING value",
                                err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rk__db_error(c, rc, err);
    }
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    snprintf(out, 24, "%s-%06lld", name, v);
    return RK_OK;
}

/* ===== Shared renderers ===== */

json_t *rk__unit_ref(struct rk_conn *c, const char *unit_id)
{
    if (unit_id == NULL || *unit_id == '\0')
        return json_null();
    sqlite3_stmt *st = rk__stmt(c, "SELECT name FROM units WHERE id = ?1", NULL);
    if (st == NULL)
        return json_null();
    rk__bind_text(st, 1, unit_id);
    json_t *o = json_null();
    if (sqlite3_step(st) == SQLITE_ROW)
        o = json_pack("{s:s,s:s}", "id", unit_id, "name", rk__col_text(st, 0));
    sqlite3_reset(st);
    return o ? o : json_null();
}

json_t *rk__user_ref(struct rk_conn *c, const char *user_id)
{
    if (user_id == NULL || *user_id == '\0')
        return json_null();
    if (strcmp(user_id, "system") == 0)
        return json_pack("{s:s,s:s}", "id", "system", "name", "system");
    sqlite3_stmt *st = rk__stmt(c, "SELECT name FROM users WHERE id = ?1", NULL);
    if (st == NULL)
        return json_null();
    rk__bind_text(st, 1, user_id);
    json_t *o = json_null();
    if (sqlite3_step(st) == SQLITE_ROW)
        o = json_pack("{s:s,s:s}", "id", user_id, "name", rk__col_text(st, 0));
    sqlite3_reset(st);
    return o ? o : json_null();
}

json_t *rk__restricted(struct rk_conn *c, const char *unit_id)
{
    return json_pack("{s:b,s:o}", "restricted", 1, "unit", rk__unit_ref(c, unit_id));
}
