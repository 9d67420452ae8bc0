/*
 * The correlation benchmark. A seeded generator builds reports whose observables have a
 * realistic skew — a few values in a large share of reports (public resolvers, portals: the
 * shipped warninglists catch them), a Zipf-distributed pool of shared values (a few very common,
 * most rare; the over-correlation cap catches the head), and a long tail of values seen once —
 * plus planted groups whose reports share bank accounts, phones, hosts on one registrable
 * domain and addresses in one /24. It then measures:
 *   - full rebuild rate (observables indexed per second, expansion included);
 *   - index size: in memory and saved, as a ratio to the raw observable data (the TSV
 *     "report_id<TAB>type<TAB>value<LF>" of every observation);
 *   - time to correlate a new report with 100 observables (put + related query);
 *   - related-objects query latency (p50, p99) over existing reports;
 *   - clustering time and quality against the planted groups (pairwise precision/recall,
 *     adjusted Rand index).
 * Figures are printed, never asserted.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/correlate.h"
#include "renkei/parse.h"
#include "renkei/service.h"

/* ===== Random numbers (xorshift64*) ===== */

struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ULL;
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)((rng_next(r) >> 32) * (uint64_t)n >> 32);
}

static double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_correlate: %s: %s\n", what, rk_strerror(rc));
    exit(1);
}

/* ===== Generated data ===== */

static const char *const types[] = {"ipv4",         "domain", "url",    "email",
                                    "bank-account", "phone",  "sha256", "md5"};
enum { T_IPV4, T_DOMAIN, T_URL, T_EMAIL, T_BANK, T_PHONE, T_SHA256, T_MD5 };

struct obs {
    uint8_t type;
    uint32_t off; /* into the text arena */
};

struct data {
    struct rk_buf text; /* NUL-separated values */
    struct obs *obs;
    size_t nobs, obs_cap;
    uint32_t *rstart; /* reports: observations [rstart[i], rstart[i+1]) */
    int32_t *truth;   /* planted group of each report, -1 for none */
    uint32_t nreports;
    size_t raw_bytes;
};

static void add_obs(struct data *d, int type, const char *value)
{
    if (d->nobs == d->obs_cap) {
        d->obs_cap = d->obs_cap ? d->obs_cap * 2 : 1u << 20;
        d->obs = rk_reallocarray(d->obs, d->obs_cap, sizeof *d->obs);
        if (d->obs == NULL)
            die("alloc", RK_ENOMEM);
    }
    d->obs[d->nobs].type = (uint8_t)type;
    d->obs[d->nobs].off = (uint32_t)d->text.len;
    d->nobs++;
    if (rk_buf_add(&d->text, value, strlen(value) + 1) != RK_OK)
        die("text arena", RK_ENOMEM);
    /* "r0000001<TAB>type<TAB>value<LF>" */
    d->raw_bytes += 8 + 1 + strlen(types[type]) + 1 + strlen(value) + 1;
}

static const char *const tlds[] = {"top", "xyz", "shop", "online", "site", "info", "com", "net"};

/* A value that no one else will hold (the long tail). */
static int unique_value(struct rng *r, uint64_t serial, char *buf, size_t len)
{
    int t = (int)rng_below(r, 7);
    uint32_t x = (uint32_t)rng_next(r);
    switch (t) {
    case T_IPV4:
        snprintf(buf, len, "%u.%u.%u.%u", 11 + rng_below(r, 89), rng_below(r, 256),
                 rng_below(r, 256), 1 + rng_below(r, 254));
        break;
    case T_DOMAIN:
        snprintf(buf, len, "u%llx-%x.%s", (unsigned long long)serial, x & 0xffff,
                 tlds[rng_below(r, 8)]);
        break;
    case T_URL:
        snprintf(buf, len, "http://u%llx.%s/login/%x", (unsigned long long)serial,
                 tlds[rng_below(r, 8)], x);
        break;
    case T_EMAIL: {
        /* Most throw-away addresses are at big providers (warninglisted domains). */
        static const char *const providers[] = {"gmail.com", "yahoo.co.jp", "outlook.com",
                                                "icloud.com", "docomo.ne.jp"};
        if (x % 10 < 7)
            snprintf(buf, len, "u%llx@%s", (unsigned long long)serial, providers[x % 5]);
        else
            snprintf(buf, len, "u%llx@m%llx.%s", (unsigned long long)serial,
                     (unsigned long long)serial, tlds[rng_below(r, 8)]);
        break;
    }
    case T_BANK:
        snprintf(buf, len, "%04u-%03u-%07llu", x % 2000, (x >> 11) % 1000,
                 (unsigned long long)(serial % 10000000));
        break;
    case T_PHONE:
        snprintf(buf, len, "+8190%08llu", (unsigned long long)(serial % 100000000));
        break;
    default:
        snprintf(buf, len, "%016llx%016llx%016llx%016llx", (unsigned long long)rng_next(r),
                 (unsigned long long)rng_next(r), (unsigned long long)rng_next(r),
                 (unsigned long long)serial);
        t = T_SHA256;
        break;
    }
    return t;
}

/* Value number k of the shared Zipf pool (deterministic from k): infrastructure that many
 * unrelated reports mention without being in a warninglist — shared hosting addresses,
 * popular regional sites, their pages. */
static int pool_value(uint32_t k, char *buf, size_t len)
{
    switch (k % 3) {
    case 0:
        snprintf(buf, len, "%u.%u.%u.%u", 100 + (k >> 16) % 100, (k >> 8) & 255, k & 255,
                 1 + k % 250);
        return T_IPV4;
    case 1:
        snprintf(buf, len, "shared%u.%s", k, tlds[k % 8]);
        return T_DOMAIN;
    default:
        snprintf(buf, len, "http://site%u.%s/index.php", k, tlds[k % 8]);
        return T_URL;
    }
}

/* Values every victim's report mentions; the shipped warninglists hold them. */
static const struct {
    int type;
    const char *value;
    double share;
} common[] = {
    {T_IPV4, "8.8.8.8", 0.15},
    {T_DOMAIN, "www.google.com", 0.20},
    {T_URL, "https://www.yahoo.co.jp/", 0.10},
    {T_DOMAIN, "line.me", 0.10},
    {T_MD5, "d41d8cd98f00b204e9800998ecf8427e", 0.05},
    {T_IPV4, "192.168.1.1", 0.08},
};

/* A planted group's own values: 2 bank accounts, 2 phones, 5 hosts on one registrable domain,
 * 4 addresses in one /24 and one e-mail address. */
static int group_value(uint32_t g, uint32_t k, uint32_t salt, char *buf, size_t len)
{
    switch (k) {
    case 0:
    case 1:
        snprintf(buf, len, "9%03u-%03u-%07u", g % 1000, 100 + k, g);
        return T_BANK;
    case 2:
    case 3:
        snprintf(buf, len, "+8170%04u%04u", g % 10000, k * 1000 + g / 10000);
        return T_PHONE;
    case 4:
    case 5:
    case 6:
    case 7:
    case 8:
        snprintf(buf, len, "http://p%u.grp%u-shop.%s/item/%u", k, g, tlds[g % 8], salt % 50);
        return T_URL;
    case 9:
    case 10:
    case 11:
    case 12:
        snprintf(buf, len, "%u.%u.%u.%u", 150 + g % 50, (g / 50) % 256, (g / 12800) % 256, 10 + k);
        return T_IPV4;
    default:
        snprintf(buf, len, "boss%u@grp%u-mail.%s", g, g, tlds[(g + 3) % 8]);
        return T_EMAIL;
    }
}
#define GROUP_VALUES 14u

struct gen {
    struct rng r;
    double *zipf_cdf;
    uint32_t pool;
    uint64_t serial;
};

static uint32_t zipf_pick(struct gen *g)
{
    double u = rng_unit(&g->r);
    uint32_t a = 0, b = g->pool - 1;
    while (a < b) {
        uint32_t m = a + (b - a) / 2;
        if (g->zipf_cdf[m] < u)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

/* Appends one report of about `k` observables; `group` >= 0 adds 3-6 of its values. */
static void gen_report(struct gen *g, struct data *d, int32_t group, uint32_t k)
{
    char buf[300];
    uint32_t n = 0;
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
        if (rng_unit(&g->r) < common[i].share) {
            add_obs(d, common[i].type, common[i].value);
            n++;
        }
    }
    if (group >= 0) {
        uint32_t m = 3 + rng_below(&g->r, 4);
        uint32_t first = rng_below(&g->r, GROUP_VALUES);
        for (uint32_t i = 0; i < m; i++) {
            uint32_t kk = (first + i * 5) % GROUP_VALUES;
            add_obs(d, group_value((uint32_t)group, kk, (uint32_t)rng_next(&g->r), buf, sizeof buf),
                    buf);
            n++;
        }
    }
    while (n < k) {
        if (rng_unit(&g->r) < 0.10) {
            uint32_t z = zipf_pick(g);
            add_obs(d, pool_value(z, buf, sizeof buf), buf);
        } else {
            int t = unique_value(&g->r, g->serial++, buf, sizeof buf);
            add_obs(d, t, buf);
        }
        n++;
    }
}

/* ===== Helpers ===== */

static void report_id(uint32_t i, char *buf, size_t len)
{
    snprintf(buf, len, "r%07u", i);
}

static enum rk_status put_report(struct rk_corr_index *idx, const struct data *d, uint32_t i,
                                 const char *id, struct rk_corr_value *vals)
{
    uint32_t n = d->rstart[i + 1] - d->rstart[i];
    for (uint32_t j = 0; j < n; j++) {
        const struct obs *o = &d->obs[d->rstart[i] + j];
        vals[j].type = types[o->type];
        vals[j].value = d->text.data + o->off;
        vals[j].rel = RK_CORR_REL_SAME;
    }
    char unit[16];
    snprintf(unit, sizeof unit, "unit-%02u", i % 23);
    return rk_corr_index_put(idx, RK_CORR_REPORT, id, unit, vals, n);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t k = (size_t)ceil(p * (double)n) - 1;
    return v[k < n ? k : n - 1];
}

static double c2(double n)
{
    return n * (n - 1) / 2;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* ===== On-disk size in SQLite ===== */

/*
 * Writes the observable table and, separately, the correlation tables of docs/correlation.md
 * to two SQLite files and returns their sizes, so that the ratio is measured in the store's
 * own terms: what the correlation adds on disk next to the observables it correlates.
 */
struct sql_ctx {
    sqlite3 *db;
    sqlite3_stmt *st;
};

static void sql_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench_correlate: sqlite: %s\n", err ? err : "?");
        exit(1);
    }
}

static enum rk_status sql_value(void *ud, uint32_t id, const char *type, const char *value)
{
    struct sql_ctx *c = ud;
    sqlite3_bind_int64(c->st, 1, id);
    sqlite3_bind_text(c->st, 2, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(c->st, 3, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(c->st);
    sqlite3_reset(c->st);
    return rc == SQLITE_DONE ? RK_OK : RK_EIO;
}

static enum rk_status sql_posting(void *ud, uint32_t id, enum rk_corr_kind kind,
                                  const char *object_id, enum rk_corr_rel rel)
{
    struct sql_ctx *c = ud;
    uint64_t n = 0;
    /* Objects are rows of the store's report table; here "r0000123" is rowid 123. */
    rk_parse_u64(object_id + 1, strlen(object_id + 1), UINT32_MAX, &n);
    sqlite3_bind_int64(c->st, 1, id);
    sqlite3_bind_int64(c->st, 2, (sqlite3_int64)n);
    sqlite3_bind_int(c->st, 3, (int)rel);
    int rc = sqlite3_step(c->st);
    sqlite3_reset(c->st);
    return rc == SQLITE_DONE ? RK_OK : RK_EIO;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void sqlite_sizes(const struct data *d, const struct rk_corr_index *idx, const char *dir,
                         long *obs_bytes, long *corr_bytes, double *secs)
{
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s/correlate-observables.db", dir);
    snprintf(p2, sizeof p2, "%s/correlate-index.db", dir);
    unlink(p1);
    unlink(p2);
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open(p1, &db) != SQLITE_OK)
        die("sqlite open", RK_EIO);
    sql_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"
                 "CREATE TABLE observable(id INTEGER PRIMARY KEY, report INTEGER NOT NULL,"
                 " type TEXT NOT NULL, value TEXT NOT NULL);");
    sqlite3_prepare_v2(db, "INSERT INTO observable(report, type, value) VALUES (?,?,?)", -1, &st,
                       NULL);
    for (uint32_t i = 0; i < d->nreports; i++) {
        for (uint32_t j = d->rstart[i]; j < d->rstart[i + 1]; j++) {
            sqlite3_bind_int64(st, 1, i);
            sqlite3_bind_text(st, 2, types[d->obs[j].type], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, d->text.data + d->obs[j].off, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE)
                die("sqlite insert", RK_EIO);
            sqlite3_reset(st);
        }
    }
    sqlite3_finalize(st);
    sql_exec(db, "COMMIT; VACUUM;");
    sqlite3_close(db);
    double t0 = now_s();
    if (sqlite3_open(p2, &db) != SQLITE_OK)
        die("sqlite open", RK_EIO);
    sql_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"
                 "CREATE TABLE corr_value(value_id INTEGER PRIMARY KEY, type TEXT NOT NULL,"
                 " value TEXT NOT NULL);"
                 "CREATE TABLE corr_posting(value_id INTEGER NOT NULL, object INTEGER NOT NULL,"
                 " rel INTEGER NOT NULL, PRIMARY KEY(value_id, object)) WITHOUT ROWID;");
    struct sql_ctx c = {db, NULL};
    sqlite3_prepare_v2(db, "INSERT INTO corr_value VALUES (?,?,?)", -1, &c.st, NULL);
    int rc = rk_corr_index_export(idx, sql_value, NULL, &c);
    sqlite3_finalize(c.st);
    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO corr_posting VALUES (?,?,?)", -1, &c.st, NULL);
    if (rc == RK_OK)
        rc = rk_corr_index_export(idx, NULL, sql_posting, &c);
    sqlite3_finalize(c.st);
    if (rc != RK_OK)
        die("export", rc);
    sql_exec(db, "COMMIT; VACUUM;");
    sqlite3_close(db);
    *secs = now_s() - t0;
    *obs_bytes = file_size(p1);
    *corr_bytes = file_size(p2);
}

/* ===== Main ===== */

/* ===== Through the store (--store FILE) ===== */

/*
 * The same data in a real Renkei store: reports, observables and their links written with
 * SQL as an import tool would (no audit events: the service finds them by rowid), then the
 * service's own paths measured: `renkei correlate --rebuild` (rk_correlate_rebuild), the size
 * of the corr_* tables against the observable tables (SQLite's dbstat), the first query after
 * a restart (it loads the tables), related queries as an analyst (rendering and audit
 * included) and the correlation of new reports of 100 observables filed through
 * rk_report_create. bench/correlate/http_related.py then measures the same query over HTTP.
 */
static void sql_ok(sqlite3 *db, int rc, int want, const char *what)
{
    if (rc != want) {
        fprintf(stderr, "bench_correlate: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static void store_fill(const struct data *d, const char *path, const char *unit, const char *user)
{
    sqlite3 *db;
    sqlite3_stmt *obs, *sel, *rep, *link;
    sql_ok(NULL, sqlite3_open(path, &db), SQLITE_OK, "open");
    sqlite3_busy_timeout(db, 10000);
    sql_exec(db, "BEGIN");
    sql_ok(db,
           sqlite3_prepare_v2(db,
                              "INSERT INTO observables (id, type, canonical, value, first_seen,"
                              " last_seen) VALUES (?1, ?2, ?3, ?3, '2026-11-01T00:00:00Z',"
                              " '2026-11-01T00:00:00Z') ON CONFLICT (type, canonical) DO NOTHING",
                              -1, &obs, NULL),
           SQLITE_OK, "prepare");
    sql_ok(db,
           sqlite3_prepare_v2(db, "SELECT id FROM observables WHERE type = ?1 AND canonical = ?2",
                              -1, &sel, NULL),
           SQLITE_OK, "prepare");
    sql_ok(db,
           sqlite3_prepare_v2(
               db,
               "INSERT INTO reports (id, ref, intake_type, channel, category, title, narrative,"
               " received_at, unit_id, created_by, status, tlp, scope, created_at, updated_at)"
               " VALUES (?1, ?2, 'sodan', 'online', 'phishing', ?3, ?4, '2026-11-01T00:00:00Z',"
               " ?5, ?6, 'received', 'AMBER', 'police', '2026-11-01T00:00:00Z',"
               " '2026-11-01T00:00:00Z')",
               -1, &rep, NULL),
           SQLITE_OK, "prepare");
    sql_ok(db,
           sqlite3_prepare_v2(db,
                              "INSERT OR IGNORE INTO report_observables (report_id, observable_id,"
                              " value) VALUES (?1, ?2, ?3)",
                              -1, &link, NULL),
           SQLITE_OK, "prepare");
    uint64_t serial = 0;
    struct rk_buf narr;
    rk_buf_init(&narr, 1u << 20);
    for (uint32_t i = 0; i < d->nreports; i++) {
        char rid[40], ref[24], title[48];
        snprintf(rid, sizeof rid, "00000000-0000-4000-8000-%012x", i);
        snprintf(ref, sizeof ref, "R2026-%07u", i + 1);
        snprintf(title, sizeof title, "ベンチ通報 %u", i);
        /* A short narrative of its own: the report's first three values. */
        narr.len = 0;
        for (uint32_t j = d->rstart[i]; j < d->rstart[i + 1] && j < d->rstart[i] + 3; j++) {
            rk_buf_adds(&narr, d->text.data + d->obs[j].off);
            rk_buf_adds(&narr, " ");
        }
        rk_buf_adds(&narr, "について相談。");
        sqlite3_bind_text(rep, 1, rid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(rep, 2, ref, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(rep, 3, title, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(rep, 4, narr.data, (int)narr.len, SQLITE_TRANSIENT);
        sqlite3_bind_text(rep, 5, unit, -1, SQLITE_STATIC);
        sqlite3_bind_text(rep, 6, user, -1, SQLITE_STATIC);
        sql_ok(db, sqlite3_step(rep), SQLITE_DONE, "insert report");
        sqlite3_reset(rep);
        for (uint32_t j = d->rstart[i]; j < d->rstart[i + 1]; j++) {
            const char *t = types[d->obs[j].type], *v = d->text.data + d->obs[j].off;
            char oid[40];
            snprintf(oid, sizeof oid, "00000000-0000-4000-9000-%012llx",
                     (unsigned long long)serial);
            sqlite3_bind_text(obs, 1, oid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(obs, 2, t, -1, SQLITE_STATIC);
            sqlite3_bind_text(obs, 3, v, -1, SQLITE_STATIC);
            sql_ok(db, sqlite3_step(obs), SQLITE_DONE, "insert observable");
            sqlite3_reset(obs);
            if (sqlite3_changes(db) > 0) {
                serial++;
            } else {
                sqlite3_bind_text(sel, 1, t, -1, SQLITE_STATIC);
                sqlite3_bind_text(sel, 2, v, -1, SQLITE_STATIC);
                sql_ok(db, sqlite3_step(sel), SQLITE_ROW, "find observable");
                snprintf(oid, sizeof oid, "%s", (const char *)sqlite3_column_text(sel, 0));
                sqlite3_reset(sel);
            }
            sqlite3_bind_text(link, 1, rid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(link, 2, oid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(link, 3, v, -1, SQLITE_STATIC);
            sql_ok(db, sqlite3_step(link), SQLITE_DONE, "insert link");
            sqlite3_reset(link);
        }
    }
    sql_exec(db, "COMMIT");
    rk_buf_free(&narr);
    sqlite3_finalize(obs);
    sqlite3_finalize(sel);
    sqlite3_finalize(rep);
    sqlite3_finalize(link);
    sqlite3_close(db);
}

/* Bytes of the tables and indexes whose name matches `like` (SQLite's dbstat). */
static double table_mb(const char *path, const char *like)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    double b = 0;
    sql_ok(NULL, sqlite3_open(path, &db), SQLITE_OK, "open");
    sql_ok(db,
           sqlite3_prepare_v2(db, "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE ?1",
                              -1, &st, NULL),
           SQLITE_OK, "dbstat");
    sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        b = (double)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return b / 1e6;
}

static void must(enum rk_status rc, const struct rk_error *err, const char *what)
{
    if (rc != RK_OK) {
        fprintf(stderr, "bench_correlate: %s: %s (%s)\n", what, err->message, err->field);
        exit(1);
    }
}

static void store_bench(const struct data *d, struct gen *g, uint32_t ngroups, const char *path)
{
    char p2[1100];
    unlink(path);
    snprintf(p2, sizeof p2, "%s-wal", path);
    unlink(p2);
    snprintf(p2, sizeof p2, "%s-shm", path);
    unlink(p2);
    struct rk_store *s;
    struct rk_error err = {0};
    struct rk_actor sys, an;
    json_t *o = NULL;
    rk_actor_system(&sys);
    must(rk_store_open(path, &s, &err), &err, "store open");
    json_t *in = json_pack("{s:s,s:s}", "name", "ベンチ本部", "kind", "hq_division");
    must(rk_unit_create(s, &sys, in, &o, &err), &err, "unit");
    char unit[37];
    snprintf(unit, sizeof unit, "%s", json_string_value(json_object_get(o, "id")));
    json_decref(in);
    json_decref(o);
    in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "login", "bench-analyst", "password",
                   "bench-password-123", "name", "bench", "role", "analyst", "unit_id", unit);
    must(rk_user_create(s, &sys, in, &o, &err), &err, "user");
    memset(&an, 0, sizeof an);
    snprintf(an.user_id, sizeof an.user_id, "%s", json_string_value(json_object_get(o, "id")));
    snprintf(an.unit_id, sizeof an.unit_id, "%s", unit);
    snprintf(an.login, sizeof an.login, "bench-analyst");
    an.role = rk_role_from_name("analyst");
    json_decref(in);
    json_decref(o);

    double t0 = now_s();
    store_fill(d, path, unit, an.user_id);
    printf("store            %s: %u reports and %zu observable links written by SQL in %.1f s\n",
           path, d->nreports, d->nobs, now_s() - t0);

    t0 = now_s();
    double c0 = cpu_s();
    must(rk_correlate_rebuild(s, &sys, NULL, NULL, &o, &err), &err, "rebuild");
    double tr = now_s() - t0, cr = cpu_s() - c0;
    printf("store rebuild    %.1f s wall, %.1f s CPU: %.0f observables/s wall, %.0f per CPU "
           "second (aim >= 500,000); %lld postings written\n",
           tr, cr, d->nobs / tr, d->nobs / cr,
           (long long)json_integer_value(json_object_get(o, "postings")));
    json_decref(o);
    rk_store_close(s);

    double obs_mb = table_mb(path, "%observables%");
    double val_mb = table_mb(path, "corr_value") + table_mb(path, "sqlite_autoindex_corr_value%");
    double post_mb = table_mb(path, "corr_posting%");
    double obj_mb = table_mb(path, "corr_object") + table_mb(path, "sqlite_autoindex_corr_object%");
    printf("store size       observable tables %.1f MB; corr_value %.1f + corr_posting %.1f MB "
           "= %.2f x (aim <= 1.5); with corr_object (ids, units, 256-byte narrative "
           "signatures) %.1f MB: %.2f x\n",
           obs_mb, val_mb, post_mb, (val_mb + post_mb) / obs_mb, obj_mb,
           (val_mb + post_mb + obj_mb) / obs_mb);

    /* A restart: the first query loads the tables. */
    must(rk_store_open(path, &s, &err), &err, "store reopen");
    char rid[40];
    snprintf(rid, sizeof rid, "00000000-0000-4000-8000-%012x", 0u);
    t0 = now_s();
    must(rk_correlate_report(s, &an, rid, &o, &err), &err, "first query");
    json_decref(o);
    printf("store restart    first related query %.2f s (loads the tables, no rebuild)\n",
           now_s() - t0);

    size_t nq = 1000, items = 0;
    double *lat = rk_calloc(nq, sizeof *lat);
    struct rng qr = {0x5eed};
    for (size_t q = 0; q < nq; q++) {
        uint32_t i;
        do {
            i = rng_below(&qr, d->nreports);
        } while (q % 2 == 0 && d->truth[i] < 0);
        snprintf(rid, sizeof rid, "00000000-0000-4000-8000-%012x", i);
        t0 = now_s();
        must(rk_correlate_report(s, &an, rid, &o, &err), &err, "related");
        lat[q] = now_s() - t0;
        items += json_array_size(json_object_get(o, "items"));
        json_decref(o);
    }
    printf(
        "store related    analyst, rendered and audited: p50 %.2f ms, p99 %.2f ms over %zu "
        "queries, %.1f items each (aim p99 <= 50 ms over HTTP: bench/correlate/http_related.py)\n",
        pct(lat, nq, 0.5) * 1e3, pct(lat, nq, 0.99) * 1e3, nq, (double)items / nq);

    /* New reports of 100 observables filed through the service, then correlated. */
    size_t nn = 50;
    double *lc = rk_calloc(nn, sizeof *lc), *lw = rk_calloc(nn, sizeof *lw),
           *lq = rk_calloc(nn, sizeof *lq);
    struct data nd = {0};
    rk_buf_init(&nd.text, (size_t)1 << 28);
    nd.rstart = rk_calloc(nn + 1, sizeof *nd.rstart);
    size_t linked = 0;
    for (uint32_t i = 0; i < nn; i++) {
        nd.rstart[i] = (uint32_t)nd.nobs;
        gen_report(g, &nd, (int32_t)rng_below(&g->r, ngroups), 100);
        nd.rstart[i + 1] = (uint32_t)nd.nobs;
        struct rk_buf narr;
        rk_buf_init(&narr, 1u << 20);
        rk_buf_adds(&narr, "新しい通報。");
        for (uint32_t j = nd.rstart[i]; j < nd.rstart[i + 1]; j++) {
            rk_buf_adds(&narr, nd.text.data + nd.obs[j].off);
            rk_buf_adds(&narr, "\n");
        }
        in = json_pack("{s:s,s:s,s:s,s:s,s:s%}", "intake_type", "sodan", "channel", "denwa",
                       "category", "phishing", "title", "ベンチ新規通報", "narrative", narr.data,
                       narr.len);
        t0 = now_s();
        must(rk_report_create(s, &an, in, &o, &err), &err, "report create");
        lw[i] = now_s() - t0;
        snprintf(rid, sizeof rid, "%s", json_string_value(json_object_get(o, "id")));
        linked += json_array_size(json_object_get(o, "observables"));
        json_decref(in);
        json_decref(o);
        rk_buf_free(&narr);
        t0 = now_s();
        must(rk_correlate_report(s, &an, rid, &o, &err), &err, "correlate new");
        lc[i] = now_s() - t0;
        json_decref(o);
        /* Again: the same query without the index update, to split the two. */
        t0 = now_s();
        must(rk_correlate_report(s, &an, rid, &o, &err), &err, "correlate again");
        lq[i] = now_s() - t0;
        json_decref(o);
    }
    printf("store new report 100 observables in the narrative (%.0f extracted each): filing p50 "
           "%.1f ms; then its first related query (index update, tables written, query, "
           "rendering) p50 %.2f ms, p99 %.2f ms over %zu reports (aim <= 20 ms)\n",
           (double)linked / nn, pct(lw, nn, 0.5) * 1e3, pct(lc, nn, 0.5) * 1e3,
           pct(lc, nn, 0.99) * 1e3, nn);
    printf("  same again     without the update (query and rendering only): p50 %.2f ms, p99 "
           "%.2f ms\n",
           pct(lq, nn, 0.5) * 1e3, pct(lq, nn, 0.99) * 1e3);
    rk_free(lq);
    rk_free(lat);
    rk_free(lc);
    rk_free(lw);
    rk_free(nd.obs);
    rk_free(nd.rstart);
    rk_buf_free(&nd.text);
    rk_store_close(s);
}

int main(int argc, char **argv)
{
    uint64_t reports = 200000, per = 10, seed = 20261121, infra_df = 0;
    const char *wl_dir = NULL, *out_path = NULL, *sql_dir = NULL, *store_path = NULL;
    for (int i = 1; i < argc; i += 2) { /* every option takes one argument */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int ok = v != NULL;
        if (ok && strcmp(a, "--reports") == 0)
            ok = rk_parse_u64(v, strlen(v), 20000000, &reports) == RK_OK && reports >= 1000;
        else if (ok && strcmp(a, "--per-report") == 0)
            ok = rk_parse_u64(v, strlen(v), 100, &per) == RK_OK && per >= 5;
        else if (ok && strcmp(a, "--infra-max-df") == 0)
            ok = rk_parse_u64(v, strlen(v), 1000000, &infra_df) == RK_OK;
        else if (ok && strcmp(a, "--seed") == 0)
            ok = rk_parse_u64(v, strlen(v), UINT64_MAX, &seed) == RK_OK;
        else if (ok && strcmp(a, "--warninglists") == 0)
            wl_dir = v;
        else if (ok && strcmp(a, "--out") == 0)
            out_path = v;
        else if (ok && strcmp(a, "--sqlite-dir") == 0)
            sql_dir = v;
        else if (ok && strcmp(a, "--store") == 0)
            store_path = v;
        else
            ok = 0;
        if (!ok) {
            fprintf(stderr, "usage: bench_correlate [--reports N>=1000] [--per-report 5..100] "
                            "[--seed S] [--infra-max-df N] [--warninglists DIR] [--out FILE] "
                            "[--sqlite-dir DIR] [--store FILE]\n");
            return 2;
        }
    }

    setvbuf(stdout, NULL, _IOLBF, 0);
    /* ---- generate ---- */
    double t0 = now_s();
    struct gen g = {{seed * 0x9e3779b97f4a7c15ULL + 1}, NULL, 0, 1};
    g.pool = (uint32_t)(reports / 100 > 200 ? reports / 100 : 200);
    g.zipf_cdf = rk_malloc(g.pool * sizeof *g.zipf_cdf);
    double sum = 0;
    for (uint32_t k = 0; k < g.pool; k++)
        sum += 1.0 / pow(k + 1, 1.2);
    double acc = 0;
    for (uint32_t k = 0; k < g.pool; k++) {
        acc += 1.0 / pow(k + 1, 1.2) / sum;
        g.zipf_cdf[k] = acc;
    }
    struct data d = {0};
    rk_buf_init(&d.text, (size_t)1 << 33);
    d.nreports = (uint32_t)reports;
    d.rstart = rk_calloc(reports + 2, sizeof *d.rstart);
    d.truth = rk_calloc(reports + 1, sizeof *d.truth);
    /* Planted groups: 1 report in 20 belongs to one, in groups of 3 to 30. */
    uint32_t ngroups = 0, planted = 0;
    for (uint32_t i = 0; i < reports; i++)
        d.truth[i] = -1;
    while (planted < reports / 20) {
        uint32_t size = 3 + rng_below(&g.r, 28);
        for (uint32_t j = 0; j < size && planted < reports / 20; j++) {
            uint32_t at;
            do {
                at = rng_below(&g.r, (uint32_t)reports);
            } while (d.truth[at] != -1);
            d.truth[at] = (int32_t)ngroups;
            planted++;
        }
        ngroups++;
    }
    for (uint32_t i = 0; i < reports; i++) {
        d.rstart[i] = (uint32_t)d.nobs;
        gen_report(&g, &d, d.truth[i], (uint32_t)(per - 2 + rng_below(&g.r, 5)));
    }
    d.rstart[reports] = (uint32_t)d.nobs;
    double t_gen = now_s() - t0;
    printf("bench/correlate  seed %llu\n", (unsigned long long)seed);
    printf("generated        %llu reports, %zu observables, %u planted groups (%u reports), "
           "raw %.1f MB, %.1f s\n",
           (unsigned long long)reports, d.nobs, ngroups, planted, d.raw_bytes / 1e6, t_gen);
    if (store_path != NULL) {
        /* The store's paths only (the library figures come from a run without --store). */
        store_bench(&d, &g, ngroups, store_path);
        rk_free(d.obs);
        rk_free(d.rstart);
        rk_free(d.truth);
        rk_buf_free(&d.text);
        rk_free(g.zipf_cdf);
        return 0;
    }

    struct rk_corr_wlset *wl = NULL;
    int rc = rk_corr_wlset_create(&wl);
    if (rc != RK_OK)
        die("wlset", rc);
    if (wl_dir != NULL && (rc = rk_corr_wlset_load_dir(wl, wl_dir)) != RK_OK) {
        fprintf(stderr, "%s\n", rk_corr_wlset_errmsg(wl));
        die("warninglists", rc);
    }

    /* ---- full rebuild ---- */
    struct rk_corr_index *idx;
    if ((rc = rk_corr_index_create(NULL, &idx)) != RK_OK)
        die("create", rc);
    rk_corr_index_set_warninglists(idx, wl);
    struct rk_corr_value *vals = rk_calloc(200, sizeof *vals);
    char id[32];
    t0 = now_s();
    double c0 = cpu_s();
    for (uint32_t i = 0; i < reports; i++) {
        report_id(i, id, sizeof id);
        if ((rc = put_report(idx, &d, i, id, vals)) != RK_OK)
            die("put", rc);
    }
    double t_build = now_s() - t0, c_build = cpu_s() - c0;
    struct rk_corr_stats st;
    rk_corr_index_stats(idx, &st);
    printf("rebuild          %.2f s wall, %.2f s CPU: %.0f observables/s wall, %.0f per CPU "
           "second (aim >= 500,000)\n",
           t_build, c_build, d.nobs / t_build, d.nobs / c_build);
    printf("index            %zu values (derived included), %zu postings\n", st.values,
           st.postings);
    printf("size in memory   %.1f MB = %.2f x raw (aim <= 1.5)\n", st.memory_bytes / 1e6,
           (double)st.memory_bytes / d.raw_bytes);
    rk_corr_index_compact(idx);
    rk_corr_index_stats(idx, &st);
    printf("  compacted      %.1f MB = %.2f x raw\n", st.memory_bytes / 1e6,
           (double)st.memory_bytes / d.raw_bytes);
    struct rk_buf saved;
    rk_buf_init(&saved, (size_t)1 << 33);
    t0 = now_s();
    if ((rc = rk_corr_index_save(idx, &saved)) != RK_OK)
        die("save", rc);
    double t_save = now_s() - t0;
    printf("size saved       %.1f MB = %.2f x raw (save %.2f s)\n", saved.len / 1e6,
           (double)saved.len / d.raw_bytes, t_save);
    if (out_path != NULL) {
        FILE *f = fopen(out_path, "wb");
        if (f != NULL) {
            fwrite(saved.data, 1, saved.len, f);
            fclose(f);
        }
    }
    if (sql_dir != NULL) {
        long ob, cb;
        double ts;
        sqlite_sizes(&d, idx, sql_dir, &ob, &cb, &ts);
        printf("size in SQLite   observable table %.1f MB, correlation tables (values + postings) "
               "%.1f MB = %.2f x the observable table (written in %.1f s)\n",
               ob / 1e6, cb / 1e6, (double)cb / (double)ob, ts);
    }
    struct rk_corr_index *loaded;
    t0 = now_s();
    if ((rc = rk_corr_index_load(saved.data, saved.len, NULL, &loaded)) != RK_OK)
        die("load", rc);
    printf("load             %.2f s\n", now_s() - t0);
    rk_corr_index_destroy(loaded);
    rk_buf_free(&saved);

    /* ---- related-objects query latency ---- */
    size_t nq = 2000;
    double *lat = rk_calloc(nq, sizeof *lat);
    size_t hits = 0;
    struct rng qr = {seed ^ 0xabcdef};
    for (size_t q = 0; q < nq; q++) {
        /* Half the queries on planted reports (they have real links), half at random. */
        uint32_t i;
        do {
            i = rng_below(&qr, (uint32_t)reports);
        } while (q % 2 == 0 && d.truth[i] < 0);
        report_id(i, id, sizeof id);
        struct rk_corr_result *res;
        t0 = now_s();
        if ((rc = rk_corr_related(idx, RK_CORR_REPORT, id, NULL, NULL, NULL, &res)) != RK_OK)
            die("related", rc);
        lat[q] = now_s() - t0;
        hits += res->count;
        rk_corr_result_destroy(res);
    }
    double p50 = pct(lat, nq, 0.50) * 1e3, p99 = pct(lat, nq, 0.99) * 1e3,
           pmax = pct(lat, nq, 1.0) * 1e3;
    printf("related query    p50 %.3f ms, p99 %.3f ms, max %.3f ms over %zu queries, "
           "%.1f hits each (aim p99 <= 50 ms)\n",
           p50, p99, pmax, nq, (double)hits / nq);

    /* ---- correlate a new report with 100 observables ---- */
    size_t nn = 200;
    struct data nd = {0};
    rk_buf_init(&nd.text, (size_t)1 << 30);
    nd.rstart = rk_calloc(nn + 1, sizeof *nd.rstart);
    for (uint32_t i = 0; i < nn; i++) {
        nd.rstart[i] = (uint32_t)nd.nobs;
        gen_report(&g, &nd, (int32_t)rng_below(&g.r, ngroups), 100);
    }
    nd.rstart[nn] = (uint32_t)nd.nobs;
    double *lat2 = rk_calloc(nn, sizeof *lat2);
    for (uint32_t i = 0; i < nn; i++) {
        snprintf(id, sizeof id, "new%05u", i);
        struct rk_corr_result *res;
        t0 = now_s();
        if ((rc = put_report(idx, &nd, i, id, vals)) != RK_OK)
            die("put new", rc);
        if ((rc = rk_corr_related(idx, RK_CORR_REPORT, id, NULL, NULL, NULL, &res)) != RK_OK)
            die("related new", rc);
        lat2[i] = now_s() - t0;
        rk_corr_result_destroy(res);
    }
    double n50 = pct(lat2, nn, 0.50) * 1e3, n99 = pct(lat2, nn, 0.99) * 1e3;
    printf("new report       100 observables: put + related p50 %.3f ms, p99 %.3f ms over %zu "
           "reports (aim <= 20 ms)\n",
           n50, n99, nn);
    for (uint32_t i = 0; i < nn; i++) {
        snprintf(id, sizeof id, "new%05u", i);
        rk_corr_index_remove(idx, RK_CORR_REPORT, id);
    }

    /* ---- clustering ---- */
    struct rk_corr_groups *groups;
    t0 = now_s();
    struct rk_corr_cluster_opts copts = {.infra_max_df = (uint32_t)infra_df};
    if ((rc = rk_corr_groups_compute(idx, &copts, NULL, 0, NULL, NULL, &groups)) != RK_OK)
        die("groups", rc);
    double t_cl = now_s() - t0;
    size_t sizes[4] = {0, 0, 0, 0}, largest = 0; /* 2, 3-9, 10-99, >= 100 */
    for (size_t gi = 0; gi < groups->count; gi++) {
        size_t n = groups->groups[gi].nmembers;
        sizes[n < 3 ? 0 : n < 10 ? 1 : n < 100 ? 2 : 3]++;
        if (n > largest)
            largest = n;
    }
    /* Predicted cluster of each report: its group, or a singleton. */
    int32_t *pred = rk_malloc(reports * sizeof *pred);
    for (uint32_t i = 0; i < reports; i++)
        pred[i] = -1;
    size_t in_groups = 0;
    for (size_t gi = 0; gi < groups->count; gi++) {
        for (size_t m = 0; m < groups->groups[gi].nmembers; m++) {
            const char *oid = groups->groups[gi].members[m].object_id;
            uint64_t n;
            if (oid[0] == 'r' && rk_parse_u64(oid + 1, strlen(oid + 1), reports - 1, &n) == RK_OK) {
                pred[n] = (int32_t)gi;
                in_groups++;
            }
        }
    }
    /* Pair counts: truth sizes a_i, predicted sizes b_j, joint n_ij (singletons count 1). */
    double *a = rk_calloc(ngroups + 1, sizeof *a), *b = rk_calloc(groups->count + 1, sizeof *b);
    for (uint32_t i = 0; i < reports; i++) {
        if (d.truth[i] >= 0)
            a[d.truth[i]]++;
        if (pred[i] >= 0)
            b[pred[i]]++;
    }
    double sa = 0, sb = 0, sij = 0;
    for (uint32_t i = 0; i < ngroups; i++)
        sa += c2(a[i]);
    for (size_t j = 0; j < groups->count; j++)
        sb += c2(b[j]);
    /* n_ij: for each predicted group, count members by truth group. */
    int32_t *seen_t = rk_malloc((ngroups + 1) * sizeof *seen_t);
    double *cnt = rk_calloc(ngroups + 1, sizeof *cnt);
    for (uint32_t i = 0; i <= ngroups; i++)
        seen_t[i] = -1;
    for (size_t gi = 0; gi < groups->count; gi++) {
        const struct rk_corr_group *gr = &groups->groups[gi];
        uint32_t touched[4096];
        size_t nt = 0;
        for (size_t m = 0; m < gr->nmembers; m++) {
            uint64_t n;
            const char *oid = gr->members[m].object_id;
            if (oid[0] != 'r' || rk_parse_u64(oid + 1, strlen(oid + 1), reports - 1, &n) != RK_OK)
                continue;
            int32_t t = d.truth[n];
            if (t < 0)
                continue;
            if (seen_t[t] != (int32_t)gi) {
                seen_t[t] = (int32_t)gi;
                cnt[t] = 0;
                if (nt < 4096)
                    touched[nt++] = (uint32_t)t;
            }
            cnt[t]++;
        }
        for (size_t k = 0; k < nt; k++)
            sij += c2(cnt[touched[k]]);
    }
    /* Predicted pairs that involve at least one planted report: all pairs of each predicted
     * group minus the pairs made only of background reports. */
    double sb_planted = 0;
    {
        double *bg = rk_calloc(groups->count + 1, sizeof *bg);
        for (uint32_t i = 0; i < reports; i++)
            if (pred[i] >= 0 && d.truth[i] < 0)
                bg[pred[i]]++;
        for (size_t j = 0; j < groups->count; j++)
            sb_planted += c2(b[j]) - c2(bg[j]);
        rk_free(bg);
    }
    if (getenv("BENCH_DIAG") != NULL) {
        for (size_t gi = 0, shown = 0; gi < groups->count && shown < 6; gi++) {
            const struct rk_corr_group *gr = &groups->groups[gi];
            size_t pl = 0, bgc = 0;
            for (size_t m = 0; m < gr->nmembers; m++) {
                uint64_t n;
                const char *oid = gr->members[m].object_id;
                if (rk_parse_u64(oid + 1, strlen(oid + 1), reports - 1, &n) == RK_OK)
                    d.truth[n] >= 0 ? pl++ : bgc++;
            }
            if (pl == 0 || bgc == 0)
                continue;
            shown++;
            printf("diag group %s: %zu planted, %zu background; ties:", gr->id, pl, bgc);
            for (size_t t = 0; t < gr->nties; t++)
                printf(" %s(%zu)", gr->ties[t].value, gr->ties[t].members);
            printf("\n");
        }
    }
    double npairs = c2((double)reports);
    double expected = sa * sb / npairs;
    double ari = (sij - expected) / (0.5 * (sa + sb) - expected);
    printf("clustering       %.2f s: %zu candidate groups holding %zu reports (sizes 2: %zu, "
           "3-9: %zu, 10-99: %zu, 100+: %zu, largest %zu)\n",
           t_cl, groups->count, in_groups, sizes[0], sizes[1], sizes[2], sizes[3], largest);
    printf("  vs planted     recall of planted pairs %.3f; precision of pairs touching a planted "
           "report %.3f\n",
           sa > 0 ? sij / sa : 0.0, sb_planted > 0 ? sij / sb_planted : 0.0);
    printf("  all reports    pairwise precision %.3f, adjusted Rand index %.3f (background reports "
           "that share values count as false pairs)\n",
           sb > 0 ? sij / sb : 0.0, ari);
    printf("peak RSS         %.0f MB\n", max_rss_kb() / 1024.0);

    rk_free(seen_t);
    rk_free(cnt);
    rk_free(a);
    rk_free(b);
    rk_free(pred);
    rk_corr_groups_destroy(groups);
    rk_free(lat);
    rk_free(lat2);
    rk_free(vals);
    rk_free(nd.obs);
    rk_free(nd.rstart);
    rk_buf_free(&nd.text);
    rk_free(d.obs);
    rk_free(d.rstart);
    rk_free(d.truth);
    rk_buf_free(&d.text);
    rk_free(g.zipf_cdf);
    rk_corr_index_destroy(idx);
    rk_corr_wlset_destroy(wl);
    return 0;
}
