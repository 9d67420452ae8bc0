/*
 * Japanese substring search. The FTS5 trigram tokenizer indexes every run of three characters,
 * so any substring of three or more characters is found through the index, in any script and
 * without a word segmenter. A term shorter than three characters (詐欺, 口座, "QR") has no
 * trigram. A two-character term of letters or digits goes to the bigram side index (each
 * report's texts written out as character pairs) while that index is complete; any other short
 * term becomes a LIKE '%term%' over the text columns, evaluated only on the rows that the other
 * conditions (access, filters, longer terms) leave. See docs/data-model.md.
 * Terms are separated by ASCII or ideographic (U+3000) spaces and all must match.
 */
#include "model/report.h"

#include <stdio.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/limits.h"

#define RK_MAX_SEARCH_TERMS 8

struct term {
    const char *p;
    size_t len;
    size_t chars;
};

static size_t split(const char *q, struct term *t, size_t max)
{
    size_t n = 0;
    const char *p = q;
    while (*p != '\0' && n < max) {
        while (*p == ' ' || *p == '\t' ||
               ((unsigned char)p[0] == 0xe3 && (unsigned char)p[1] == 0x80 &&
                (unsigned char)p[2] == 0x80))
            p += (*p == ' ' || *p == '\t') ? 1 : 3;
        if (*p == '\0')
            break;
        const char *start = p;
        size_t chars = 0;
        while (*p != '\0' && *p != ' ' && *p != '\t' &&
               !((unsigned char)p[0] == 0xe3 && (unsigned char)p[1] == 0x80 &&
                 (unsigned char)p[2] == 0x80)) {
            if (((unsigned char)*p & 0xc0) != 0x80)
                chars++;
            p++;
        }
        t[n].p = start;
        t[n].len = (size_t)(p - start);
        t[n].chars = chars;
        n++;
    }
    return n;
}

static enum rk_status add_replacing(struct rk_buf *b, const char *tmpl, const char *param)
{
    enum rk_status rc = RK_OK;
    for (const char *p = tmpl; *p != '\0' && rc == RK_OK; p++) {
        if (p[0] == '%' && p[1] == 's') {
            rc = rk_buf_adds(b, param);
            p++;
        } else {
            rc = rk_buf_addc(b, *p);
        }
    }
    return rc;
}

static int bigram_term(const struct term *t);

enum rk_status rk__search_sql(const char *q, const char *fts_cond, const char *like_cols,
                              const char *bigram_cond, struct rk_buf *sql, struct rk_error *err)
{
    struct term t[RK_MAX_SEARCH_TERMS];
    size_t n = split(q, t, RK_MAX_SEARCH_TERMS);
    enum rk_status rc = RK_OK;
    for (size_t i = 0; i < n && rc == RK_OK; i++) {
        char param[32];
        if (t[i].chars >= 3) {
            snprintf(param, sizeof(param), ":q%zu", i);
            rc = rk_buf_adds(sql, " AND ");
            if (rc == RK_OK)
                rc = add_replacing(sql, fts_cond, param);
        } else if (bigram_cond != NULL && bigram_term(&t[i])) {
            snprintf(param, sizeof(param), ":b%zu", i);
            rc = rk_buf_adds(sql, " AND ");
            if (rc == RK_OK)
                rc = add_replacing(sql, bigram_cond, param);
        } else {
            snprintf(param, sizeof(param), ":l%zu", i);
            rc = rk_buf_adds(sql, " AND (");
            const char *col = like_cols;
            int first = 1;
            while (rc == RK_OK && *col != '\0') {
                const char *end = strchr(col, '|');
                size_t len = end ? (size_t)(end - col) : strlen(col);
                rc = rk_buf_addf(sql, "%s%.*s LIKE %s ESCAPE '\\'", first ? "" : " OR ",
                                 (int)len, col, param);
                first = 0;
                col += len + (end ? 1 : 0);
            }
            if (rc == RK_OK)
                rc = rk_buf_addc(sql, ')');
        }
    }
    if (rc != RK_OK)
        return rk__err(err, rc, "q", "search too long");
    return RK_OK;
}

void rk__search_bind(sqlite3_stmt *st, const char *q)
{
    struct term t[RK_MAX_SEARCH_TERMS];
    size_t n = split(q, t, RK_MAX_SEARCH_TERMS);
    for (size_t i = 0; i < n; i++) {
        struct rk_buf v;
        char param[32];
        rk_buf_init(&v, 0);
        if (t[i].chars >= 3) {
            /* An FTS5 string: the term as one phrase, double quotes doubled. */
            snprintf(param, sizeof(param), ":q%zu", i);
            rk_buf_addc(&v, '"');
            for (size_t k = 0; k < t[i].len; k++) {
                if (t[i].p[k] == '"')
                    rk_buf_addc(&v, '"');
                rk_buf_addc(&v, t[i].p[k]);
            }
            rk_buf_addc(&v, '"');
        } else {
            snprintf(param, sizeof(param), ":l%zu", i);
            rk_buf_addc(&v, '%');
            for (size_t k = 0; k < t[i].len; k++) {
                char ch = t[i].p[k];
                if (ch == '%' || ch == '_' || ch == '\\')
                    rk_buf_addc(&v, '\\');
                rk_buf_addc(&v, ch);
            }
            rk_buf_addc(&v, '%');
        }
        int idx = sqlite3_bind_parameter_index(st, param);
        if (idx > 0 && v.data != NULL)
            sqlite3_bind_text(st, idx, v.data, (int)v.len, SQLITE_TRANSIENT);
        rk_buf_free(&v);
        if (t[i].chars < 3) {
            /* The bigram form: the two characters as one phrase (no quotes can occur). */
            snprintf(param, sizeof(param), ":b%zu", i);
            idx = sqlite3_bind_parameter_index(st, param);
            if (idx > 0) {
                char phrase[16];
                int k = snprintf(phrase, sizeof(phrase), "\"%.*s\"", (int)t[i].len, t[i].p);
                if (k > 0 && (size_t)k < sizeof(phrase))
                    sqlite3_bind_text(st, idx, phrase, k, SQLITE_TRANSIENT);
            }
        }
    }
}

/* ===== The bigram index for two-character terms ===== */

/* Decodes one UTF-8 code point at `p`; `*len` gets its length (1 for an invalid byte, which is
 * returned as 0xFFFD). */
static uint32_t next_cp(const unsigned char *p, size_t *len)
{
    if (p[0] < 0x80) {
        *len = 1;
        return p[0];
    }
    int n = (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
    uint32_t cp = n == 2 ? p[0] & 0x1f : n == 3 ? p[0] & 0x0f : p[0] & 0x07;
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            n = 0;
            break;
        }
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (n == 0) {
        *len = 1;
        return 0xfffd;
    }
    *len = (size_t)n;
    return cp;
}

/* Characters the bigram index pairs: ASCII letters and digits, hiragana, katakana (full and
 * half width), CJK ideographs, full-width letters and digits. All are letters or digits to the
 * index's unicode61 tokenizer, so a pair is always exactly one token; anything else (spaces,
 * punctuation, symbols, other scripts) breaks the pairs, and a search term holding such a
 * character takes the LIKE path. */
static int pairable(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x309d && cp <= 0x309f) ||
           (cp >= 0x30a1 && cp <= 0x30fa) || (cp >= 0x30fc && cp <= 0x30ff) ||
           (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
           (cp >= 0xff10 && cp <= 0xff19) || (cp >= 0xff21 && cp <= 0xff3a) ||
           (cp >= 0xff41 && cp <= 0xff5a) || (cp >= 0xff66 && cp <= 0xff9f);
}

/* 1 when a term of exactly two characters can be answered by the bigram index. */
static int bigram_term(const struct term *t)
{
    size_t a, b;
    if (t->chars != 2)
        return 0;
    uint32_t c1 = next_cp((const unsigned char *)t->p, &a);
    if (a >= t->len)
        return 0;
    uint32_t c2 = next_cp((const unsigned char *)t->p + a, &b);
    return a + b == t->len && pairable(c1) && pairable(c2);
}

char *rk__bigrams(const char *const *texts, size_t n)
{
    struct rk_buf b;
    rk_buf_init(&b, 16u * 1024u * 1024u);
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = (const unsigned char *)(texts[i] ? texts[i] : "");
        const unsigned char *prev = NULL;
        size_t prev_len = 0;
        while (*p != '\0') {
            size_t len;
            uint32_t cp = next_cp(p, &len);
            if (!pairable(cp)) {
                prev = NULL;
            } else {
                if (prev != NULL) {
                    if (rk_buf_add(&b, prev, prev_len) != RK_OK ||
                        rk_buf_add(&b, p, len) != RK_OK || rk_buf_addc(&b, ' ') != RK_OK)
                        goto out;
                }
                prev = p;
                prev_len = len;
            }
            p += len;
        }
        rk_buf_addc(&b, ' ');
    }
out:
    return rk_buf_steal(&b);
}

static const char SQL_BIGRAM_TEXTS[] =
    "SELECT rowid, title, narrative, sms_text FROM reports WHERE id = ?1";

static enum rk_status texts_of(struct rk_conn *c, const char *id, sqlite3_int64 *rowid,
                               char **bigrams, struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, SQL_BIGRAM_TEXTS, err);
    if (st == NULL)
        return RK_EIO;
    rk__bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        sqlite3_reset(st);
        return r == SQLITE_DONE ? rk__err(err, RK_ENOTFOUND, "id", "no such report")
                                : rk__db_error(c, r, err);
    }
    *rowid = sqlite3_column_int64(st, 0);
    const char *texts[3] = {rk__col_text(st, 1), rk__col_text(st, 2), rk__col_text(st, 3)};
    *bigrams = rk__bigrams(texts, 3);
    sqlite3_reset(st);
    return *bigrams ? RK_OK : rk__err(err, RK_ENOMEM, NULL, "out of memory");
}

static sqlite3_int64 bigram_upto(struct rk_conn *c)
{
    sqlite3_stmt *st = rk__stmt(c, "SELECT upto FROM bigram_state WHERE id = 1", NULL);
    sqlite3_int64 v = -1;
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    return v;
}

/* Adds (`del` = 0) or removes (`del` = 1) one report's bigrams. */
static enum rk_status bigram_write(struct rk_conn *c, sqlite3_int64 rowid, const char *bigrams,
                                   int del, struct rk_error *err)
{
    sqlite3_stmt *st =
        del ? rk__stmt(c,
                       "INSERT INTO reports_bigram (reports_bigram, rowid, b)"
                       " VALUES ('delete', ?1, ?2)",
                       err)
            : rk__stmt(c, "INSERT INTO reports_bigram (rowid, b) VALUES (?1, ?2)", err);
    if (st == NULL)
        return RK_EIO;
    sqlite3_bind_int64(st, 1, rowid);
    rk__bind_text(st, 2, bigrams);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : rk__db_error(c, r, err);
}

static enum rk_status set_upto(struct rk_conn *c, sqlite3_int64 upto, struct rk_error *err)
{
    sqlite3_stmt *st = rk__stmt(c, "UPDATE bigram_state SET upto = ?1 WHERE id = 1", err);
    if (st == NULL)
        return RK_EIO;
    sqlite3_bind_int64(st, 1, upto);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : rk__db_error(c, r, err);
}

enum rk_status rk__bigram_update(struct rk_conn *c, const char *report_id, int before,
                                 int is_new, struct rk_error *err)
{
    sqlite3_int64 rowid = 0, upto = bigram_upto(c);
    char *bigrams = NULL;
    enum rk_status rc = texts_of(c, report_id, &rowid, &bigrams, err);
    if (rc != RK_OK)
        return rc;
    if (is_new) {
        /* Index the new report only if every older one is indexed: the index stays either
         * complete or abandoned to the LIKE path, never silently partial. */
        sqlite3_stmt *st = rk__stmt(
            c, "SELECT coalesce(max(rowid), 0) FROM reports WHERE rowid <> ?1", err);
        sqlite3_int64 older = -1;
        if (st != NULL) {
            sqlite3_bind_int64(st, 1, rowid);
            if (sqlite3_step(st) == SQLITE_ROW)
                older = sqlite3_column_int64(st, 0);
            sqlite3_reset(st);
        }
        if (older == upto && rowid > upto) {
            rc = bigram_write(c, rowid, bigrams, 0, err);
            if (rc == RK_OK)
                rc = set_upto(c, rowid, err);
        }
    } else if (rowid <= upto) {
        rc = bigram_write(c, rowid, bigrams, before, err);
    }
    rk_free(bigrams);
    return rc;
}

int rk__bigram_complete(struct rk_conn *c)
{
    sqlite3_stmt *st = rk__stmt(c,
                                "SELECT (SELECT coalesce(max(rowid), 0) FROM reports) ="
                                " (SELECT upto FROM bigram_state WHERE id = 1)",
                                NULL);
    int ok = 0;
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        ok = sqlite3_column_int(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    return ok;
}

enum rk_status rk__bigram_catch_up(struct rk_store *s, struct rk_error *err)
{
    struct rk_conn *c = NULL;
    sqlite3_stmt *st = NULL;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    sqlite3_int64 upto = bigram_upto(c), missing = 0, last = upto;
    rc = rk__stmt_new(c, "SELECT count(*) FROM reports WHERE rowid > ?1", &st, err);
    if (rc != RK_OK)
        goto out;
    sqlite3_bind_int64(st, 1, upto);
    if (sqlite3_step(st) == SQLITE_ROW)
        missing = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (upto < 0 || missing == 0 || missing > RK_MAX_BIGRAM_BACKFILL)
        goto out;
    rc = rk__tx_begin(s, c, err);
    if (rc != RK_OK)
        goto out;
    rc = rk__stmt_new(c,
                      "SELECT rowid, title, narrative, sms_text FROM reports WHERE rowid > ?1"
                      " ORDER BY rowid",
                      &st, err);
    if (rc == RK_OK) {
        sqlite3_bind_int64(st, 1, upto);
        while (rc == RK_OK && sqlite3_step(st) == SQLITE_ROW) {
            const char *texts[3] = {rk__col_text(st, 1), rk__col_text(st, 2),
                                    rk__col_text(st, 3)};
            char *b = rk__bigrams(texts, 3);
            last = sqlite3_column_int64(st, 0);
            rc = b ? bigram_write(c, last, b, 0, err)
                   : rk__err(err, RK_ENOMEM, NULL, "out of memory");
            rk_free(b);
        }
    }
    if (rc == RK_OK)
        rc = set_upto(c, last, err);
    if (rc == RK_OK)
        rc = rk__tx_commit(s, c, err);
    else
        rk__tx_rollback(s, c);
out:
    sqlite3_finalize(st);
    rk__conn_put(s, c);
    return rc;
}
