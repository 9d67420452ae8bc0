/*
 * Japanese substring search. The FTS5 trigram tokenizer indexes every run of three characters,
 * so any substring of three or more characters is found through the index, in any script and
 * without a word segmenter. A term shorter than three characters (詐欺, 口座, "QR") has no
 * trigram; such a term becomes a LIKE '%term%' over the text columns, evaluated only on the rows
 * that the other conditions (access, filters, longer terms) leave, see docs/data-model.md.
 * Terms are separated by ASCII or ideographic (U+3000) spaces and all must match.
 */
#include "model/report.h"

#include <stdio.h>
#include <string.h>

#include "renkei/buf.h"

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

enum rk_status rk__search_sql(const char *q, const char *fts_cond, const char *like_cols,
                              struct rk_buf *sql, struct rk_error *err)
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
    }
}
