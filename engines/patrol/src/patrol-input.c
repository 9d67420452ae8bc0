/*
 * Input formats of the patrol engine besides plain text: HTML pages (their visible text, with a
 * map back to offsets in the page so that findings point into the file) and JSON lines of posts
 * as collected by crawlers ({"id","url","text","posted_at"}, parsed with jansson).
 */
#include "renkei/patrol.h"

#include <string.h>

#include <jansson.h>

#include "patrol-int.h"
#include "renkei/alloc.h"
#include "renkei/limits.h"

/* ===== HTML ===== */

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Does [p, end) start with `word` (ASCII, case-insensitive)? */
static int starts_with_ci(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower((unsigned char)p[i]) != word[i])
            return 0;
    return 1;
}

/* Finds `word` (ASCII, lower case) case-insensitively in [p, end); returns end if absent. */
static const char *find_ci(const char *p, const char *end, const char *word)
{
    for (; p < end; p++)
        if (starts_with_ci(p, end, word))
            return p;
    return end;
}

static enum rk_status put(struct rk_buf *out, struct rk_buf *map, const char *b, size_t n,
                          uint32_t src)
{
    enum rk_status rc = rk_buf_add(out, b, n);
    for (size_t i = 0; rc == RK_OK && i < n; i++)
        rc = rk_buf_add(map, &src, sizeof src);
    return rc;
}

static const char *const block_tags[] = {
    "p",          "div", "br",    "li",  "tr",    "td",      "th",      "h1",
    "h2",         "h3",  "h4",    "h5",  "h6",    "section", "article", "title",
    "blockquote", "pre", "table", "ul",  "ol",    "hr",      "header",  "footer",
    "dd",         "dt",  "main",  "nav", "aside", "form",    NULL};

static int is_block_tag(const char *p, const char *end)
{
    if (p < end && *p == '/')
        p++;
    const char *s = p;
    while (p < end &&
           ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
        p++;
    size_t n = (size_t)(p - s);
    for (size_t i = 0; block_tags[i] != NULL; i++) {
        if (strlen(block_tags[i]) != n)
            continue;
        size_t k = 0;
        while (k < n && ascii_lower((unsigned char)s[k]) == block_tags[i][k])
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

static size_t utf8_encode(uint32_t c, char *o)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Decodes the entity at p ('&'); returns bytes consumed (0 if not an entity) and the text. */
static size_t decode_entity(const char *p, const char *end, char *o, size_t *olen)
{
    static const struct {
        const char *name;
        const char *text;
    } named[] = {{"amp;", "&"},  {"lt;", "<"},   {"gt;", ">"},         {"quot;", "\""},
                 {"apos;", "'"}, {"nbsp;", " "}, {"yen;", "\xC2\xA5"}, {NULL, NULL}};
    const char *q = p + 1;
    for (size_t i = 0; named[i].name != NULL; i++) {
        if (starts_with_ci(q, end, named[i].name)) {
            *olen = strlen(named[i].text);
            memcpy(o, named[i].text, *olen);
            return 1 + strlen(named[i].name);
        }
    }
    if (q >= end || *q != '#')
        return 0;
    q++;
    int hex = q < end && (*q == 'x' || *q == 'X');
    if (hex)
        q++;
    uint32_t v = 0;
    size_t digits = 0;
    while (q < end && digits < 8) {
        int c = (unsigned char)*q, d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (hex && ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f')
            d = ascii_lower(c) - 'a' + 10;
        else
            break;
        v = v * (hex ? 16u : 10u) + (uint32_t)d;
        digits++;
        q++;
    }
    if (digits == 0 || q >= end || *q != ';')
        return 0;
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        v = 0xFFFD;
    *olen = utf8_encode(v, o);
    return (size_t)(q + 1 - p);
}

enum rk_status rk_patrol_html_text(const char *html, size_t len, struct rk_buf *out,
                                   struct rk_buf *map)
{
    if (len > RK_MAX_PATROL_HTML)
        return RK_ETOOBIG;
    enum rk_status rc = RK_OK;
    const char *p = html, *end = html + len;
    while (p < end && rc == RK_OK) {
        uint32_t src = (uint32_t)(p - html);
        if (*p == '<') {
            if (starts_with_ci(p, end, "<!--")) {
                const char *e = find_ci(p + 4, end, "-->");
                p = e < end ? e + 3 : end;
                continue;
            }
            const char *skip_to = NULL;
            if (starts_with_ci(p, end, "<script"))
                skip_to = "</script";
            else if (starts_with_ci(p, end, "<style"))
                skip_to = "</style";
            if (skip_to != NULL) {
                p = find_ci(p + 1, end, skip_to);
            }
            int block = is_block_tag(p + 1, end);
            char quote = 0;
            while (p < end && (quote || *p != '>')) {
                if (quote && *p == quote)
                    quote = 0;
                else if (!quote && (*p == '"' || *p == '\''))
                    quote = *p;
                p++;
            }
            p = p < end ? p + 1 : end;
            if (block)
                rc = put(out, map, "\n", 1, src);
            continue;
        }
        if (*p == '&') {
            char o[8];
            size_t olen = 0;
            size_t used = decode_entity(p, end, o, &olen);
            if (used > 0) {
                rc = put(out, map, o, olen, src);
                p += used;
                continue;
            }
        }
        rc = put(out, map, p, 1, src);
        p++;
    }
    return rc;
}

/* ===== JSON lines ===== */

/* Copies `line` to `b`, each invalid UTF-8 byte replaced by U+FFFD. */
static enum rk_status utf8_fix(const char *line, size_t len, struct rk_buf *b, size_t *n_invalid,
                               size_t *first)
{
    enum rk_status rc = RK_OK;
    const unsigned char *p = (const unsigned char *)line;
    size_t i = 0;
    *n_invalid = 0;
    while (i < len && rc == RK_OK) {
        uint32_t cp;
        size_t l = p[i] < 0x80 ? 1 : rk__patrol_utf8_get(p + i, len - i, &cp);
        if (l == 0) {
            if (*n_invalid == 0)
                *first = i;
            (*n_invalid)++;
            rc = rk_buf_add(b, "\xEF\xBF\xBD", 3);
            i++;
            continue;
        }
        rc = rk_buf_add(b, p + i, l);
        i += l;
    }
    return rc;
}

static enum rk_status take_string(json_t *root, const char *key, int required, char **out,
                                  size_t *out_len, char *err, size_t errlen)
{
    json_t *v = json_object_get(root, key);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required) {
            snprintf(err, errlen, "post has no \"%s\"", key);
            return RK_EINVAL;
        }
        return RK_OK;
    }
    char num[32];
    const char *s;
    size_t n;
    if (json_is_string(v)) {
        s = json_string_value(v);
        n = json_string_length(v);
    } else if (json_is_integer(v) && !required) {
        n = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = num;
    } else {
        snprintf(err, errlen, "\"%s\" must be a string", key);
        return RK_EINVAL;
    }
    *out = rk_strndup(s, n);
    if (*out == NULL)
        return RK_ENOMEM;
    if (out_len != NULL)
        *out_len = n;
    return RK_OK;
}

enum rk_status rk_patrol_post_parse(const char *line, size_t len, struct rk_patrol_post *post,
                                    char *err, size_t errlen)
{
    enum rk_status rc = RK_OK;
    json_t *root = NULL;
    struct rk_buf b;
    rk_buf_init(&b, (size_t)RK_MAX_PATROL_JSON_LINE * 3u);
    memset(post, 0, sizeof *post);
    if (errlen > 0)
        err[0] = '\0';
    if (len > RK_MAX_PATROL_JSON_LINE) {
        snprintf(err, errlen, "line longer than %u bytes", RK_MAX_PATROL_JSON_LINE);
        rc = RK_ETOOBIG;
        goto out;
    }
    rc = utf8_fix(line, len, &b, &post->n_invalid, &post->first_invalid);
    if (rc != RK_OK)
        goto out;
    json_error_t jerr;
    root = json_loadb(b.data ? b.data : "", b.len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (root == NULL) {
        snprintf(err, errlen, "bad JSON at column %d: %s", jerr.column, jerr.text);
        rc = RK_EINVAL;
        goto out;
    }
    if (!json_is_object(root)) {
        snprintf(err, errlen, "a post must be a JSON object");
        rc = RK_EINVAL;
        goto out;
    }
    rc = take_string(root, "text", 1, &post->text, &post->text_len, err, errlen);
    if (rc == RK_OK)
        rc = take_string(root, "id", 0, &post->id, NULL, err, errlen);
    if (rc == RK_OK)
        rc = take_string(root, "url", 0, &post->url, NULL, err, errlen);
    if (rc == RK_OK)
        rc = take_string(root, "posted_at", 0, &post->posted_at, NULL, err, errlen);
out:
    if (root != NULL)
        json_decref(root);
    rk_buf_free(&b);
    if (rc != RK_OK)
        rk_patrol_post_free(post);
    return rc;
}

void rk_patrol_post_free(struct rk_patrol_post *post)
{
    if (post == NULL)
        return;
    rk_free(post->id);
    rk_free(post->url);
    rk_free(post->text);
    rk_free(post->posted_at);
    memset(post, 0, sizeof *post);
}
