/*
 * JSON rendering of domain matches and SMS results, shared by the CLI and (later) the server so
 * that every consumer sees the same shape (docs/lookalike.md, "Output").
 */
#include "lookalike-int.h"

#include <stdio.h>
#include <string.h>

#include "renkei/buf.h"

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        k = 2;
    else if (c >= 0xe0 && c <= 0xef)
        k = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        k = 4;
    else
        return 0;
    if (k > n)
        return 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0) || (c == 0xf0 && s[1] < 0x90) ||
        (c == 0xf4 && s[1] >= 0x90))
        return 0;
    return k;
}

enum rk_status rk_lookalike_json_string(struct rk_buf *out, const char *s, size_t len)
{
    enum rk_status rc = rk_buf_addc(out, '"');
    size_t i = 0;
    while (rc == RK_OK && i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            rc = rk_buf_add(out, e, 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            rc = rk_buf_addf(out, "\\u%04x", c);
            i++;
        } else {
            size_t k = utf8_seq((const unsigned char *)s + i, len - i);
            if (k == 0) {
                rc = rk_buf_adds(out, "\xef\xbf\xbd"); /* U+FFFD */
                i++;
            } else {
                rc = rk_buf_add(out, s + i, k);
                i += k;
            }
        }
    }
    if (rc == RK_OK)
        rc = rk_buf_addc(out, '"');
    return rc;
}

static enum rk_status brand_fields(const struct rk_lookalike *lk, int brand, struct rk_buf *out)
{
    if (brand < 0)
        return rk_buf_adds(out, "\"brand\":null");
    struct rk_lookalike_brand_info bi;
    rk_lookalike_brand(lk, (size_t)brand, &bi);
    enum rk_status rc = rk_buf_adds(out, "\"brand\":");
    if (rc == RK_OK)
        rc = rk_lookalike_json_string(out, bi.id, strlen(bi.id));
    if (rc == RK_OK)
        rc = rk_buf_adds(out, ",\"brand_ja\":");
    if (rc == RK_OK)
        rc = rk_lookalike_json_string(out, bi.name_ja, strlen(bi.name_ja));
    if (rc == RK_OK)
        rc = rk_buf_adds(out, ",\"brand_en\":");
    if (rc == RK_OK)
        rc = rk_lookalike_json_string(out, bi.name_en, strlen(bi.name_en));
    if (rc == RK_OK)
        rc = rk_buf_adds(out, ",\"sector\":");
    if (rc == RK_OK)
        rc = rk_lookalike_json_string(out, bi.sector, strlen(bi.sector));
    return rc;
}

static enum rk_status reasons_json(const struct rk_lookalike_match *m, struct rk_buf *out)
{
    enum rk_status rc = rk_buf_adds(out, "\"reasons\":[");
    for (size_t i = 0; rc == RK_OK && i < m->n_reasons; i++) {
        const struct rk_lookalike_reason *r = &m->reasons[i];
        rc = rk_buf_addf(out, "%s{\"kind\":\"%s\",\"score\":%d,\"detail\":", i ? "," : "",
                         rk_lookalike_reason_name(r->kind), r->score);
        if (rc == RK_OK)
            rc = rk_lookalike_json_string(out, r->detail, strlen(r->detail));
        if (rc == RK_OK)
            rc = rk_buf_addc(out, '}');
    }
    if (rc == RK_OK)
        rc = rk_buf_addc(out, ']');
    return rc;
}

enum rk_status rk_lookalike_match_json(const struct rk_lookalike *lk, const char *input, size_t len,
                                       const struct rk_lookalike_match *m, struct rk_buf *out)
{
    while (len > 0 && (input[len - 1] == '\n' || input[len - 1] == '\r'))
        len--;
    enum rk_status rc = rk_buf_adds(out, "{\"input\":");
    if (rc == RK_OK)
        rc = rk_lookalike_json_string(out, input, len);
    if (rc == RK_OK)
        rc = rk_buf_adds(out, ",\"host\":");
    if (rc == RK_OK)
        rc = rk_lookalike_json_string(out, m->host, strlen(m->host));
    if (rc == RK_OK)
        rc = rk_buf_adds(out, ",\"registrable\":");
    if (rc == RK_OK)
        rc = rk_lookalike_json_string(out, m->registrable, strlen(m->registrable));
    if (rc == RK_OK)
        rc = rk_buf_addc(out, ',');
    if (rc == RK_OK)
        rc = brand_fields(lk, m->brand, out);
    if (rc == RK_OK)
        rc = rk_buf_addf(out, ",\"score\":%d,", m->score);
    if (rc == RK_OK)
        rc = reasons_json(m, out);
    if (rc == RK_OK)
        rc = rk_buf_addc(out, '}');
    return rc;
}

enum rk_status rk_lookalike_sms_json(const struct rk_lookalike *lk, const char *text, size_t len,
                                     const struct rk_lookalike_sms_result *r, struct rk_buf *out)
{
    enum rk_status rc = rk_buf_adds(out, "{\"text\":");
    if (rc == RK_OK)
        rc = rk_lookalike_json_string(out, text, len);
    if (rc == RK_OK)
        rc = rk_buf_addf(out, ",\"score\":%d,", r->score);
    if (rc == RK_OK)
        rc = brand_fields(lk, r->brand, out);
    if (rc == RK_OK)
        rc = rk_buf_adds(out, ",\"rules\":[");
    for (size_t i = 0; rc == RK_OK && i < r->n_rules; i++)
        rc = rk_buf_addf(out, "%s\"%s\"", i ? "," : "", r->rules[i]);
    if (rc == RK_OK)
        rc = rk_buf_adds(out, "],\"urls\":[");
    for (size_t i = 0; rc == RK_OK && i < r->n_urls; i++) {
        const struct rk_lookalike_sms_url *u = &r->urls[i];
        rc = rk_buf_adds(out, i ? ",{\"url\":" : "{\"url\":");
        if (rc == RK_OK)
            rc = rk_lookalike_json_string(out, u->url, strlen(u->url));
        if (rc == RK_OK)
            rc = rk_buf_adds(out, ",\"registrable\":");
        if (rc == RK_OK)
            rc = rk_lookalike_json_string(out, u->registrable, strlen(u->registrable));
        if (rc == RK_OK)
            rc = rk_buf_addc(out, ',');
        if (rc == RK_OK)
            rc = brand_fields(lk, u->m.brand, out);
        if (rc == RK_OK)
            rc = rk_buf_addf(out, ",\"score\":%d,", u->m.score);
        if (rc == RK_OK)
            rc = reasons_json(&u->m, out);
        if (rc == RK_OK)
            rc = rk_buf_addc(out, '}');
    }
    if (rc == RK_OK)
        rc = rk_buf_adds(out, "]}");
    return rc;
}
