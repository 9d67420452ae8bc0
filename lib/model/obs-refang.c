/*
 * Refanging: undoing the ways analysts and victims write indicators so that they do not turn
 * into links ("example[.]com", "info[at]example(.)jp", "hxxp://") and the forms Japanese input
 * methods produce (full-width "ｅｘａｍｐｌｅ．ｃｏｍ", "＠", "［．］", full-width digits).
 * Scheme aliases (hxxp, hXXp, h**p, ttp) are undone by the URL recogniser, because only there
 * is it clear that they are schemes.
 */
#include "obs-internal.h"

#include <string.h>

#include "renkei/alloc.h"
#include "renkei/limits.h"

void rk__obs_out_init(struct rk__obs_out *o)
{
    rk_buf_init(&o->canon, RK_MAX_OBS_VALUE * 4);
    rk_buf_init(&o->disp, RK_MAX_OBS_VALUE * 4);
}

void rk__obs_out_reset(struct rk__obs_out *o)
{
    rk_buf_reset(&o->canon);
    rk_buf_reset(&o->disp);
}

void rk__obs_out_free(struct rk__obs_out *o)
{
    rk_buf_free(&o->canon);
    rk_buf_free(&o->disp);
}

size_t rk__obs_fullwidth(const unsigned char *p, size_t avail, unsigned char *c)
{
    /* U+FF01..U+FF3F is EF BC 81..BF, U+FF40..U+FF5E is EF BD 80..9E; each maps to the ASCII
     * character 0xFEE0 below it. */
    if (avail < 3 || p[0] != 0xEF)
        return 0;
    if (p[1] == 0xBC && p[2] >= 0x81 && p[2] <= 0xBF) {
        *c = (unsigned char)(p[2] - 0x81 + 0x21);
        return 3;
    }
    if (p[1] == 0xBD && p[2] >= 0x80 && p[2] <= 0x9E) {
        *c = (unsigned char)(p[2] - 0x80 + 0x60);
        return 3;
    }
    return 0;
}

/* One character of a defanging token, ASCII or full-width (or "。" standing for a dot). */
static size_t defang_char(const unsigned char *p, size_t avail, unsigned char *c)
{
    if (avail == 0)
        return 0;
    if (p[0] < 0x80) {
        *c = p[0];
        return 1;
    }
    if (avail >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x82) { /* 。 */
        *c = '.';
        return 3;
    }
    return rk__obs_fullwidth(p, avail, c);
}

size_t rk__obs_defang(const unsigned char *p, size_t avail, const char **repl)
{
    static const struct {
        const char *inner;
        const char *meaning;
    } tokens[] = {
        {".", "."}, {"dot", "."}, {"@", "@"}, {"at", "@"}, {":", ":"}, {"://", "://"}, {"/", "/"},
    };
    unsigned char open, close, c;
    size_t k = defang_char(p, avail, &open);
    if (k == 0)
        return 0;
    if (open == '[')
        close = ']';
    else if (open == '(')
        close = ')';
    else if (open == '{')
        close = '}';
    else
        return 0;
    char inner[8];
    size_t n = 0, pos = k;
    while (pos < avail && n < sizeof inner - 1) {
        k = defang_char(p + pos, avail - pos, &c);
        if (k == 0)
            return 0;
        pos += k;
        if (c == close) {
            inner[n] = '\0';
            for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
                if (strcmp(inner, tokens[i].inner) == 0) {
                    *repl = tokens[i].meaning;
                    return pos;
                }
            }
            return 0;
        }
        inner[n++] = (char)rk__lower(c);
    }
    return 0;
}

/* Length of white space (ASCII or U+3000) at p, or 0. */
static size_t space_len(const unsigned char *p, size_t avail)
{
    if (avail >= 1 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' || p[0] == '\n'))
        return 1;
    if (avail >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3;
    return 0;
}

enum rk_status rk__obs_refang(const char *in, size_t len, struct rk_buf *out, uint32_t *map)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t start = 0, end = len, k;
    enum rk_status rc = RK_OK;
    rk_buf_reset(out);
    while (start < end && (k = space_len(p + start, end - start)) > 0)
        start += k;
    /* Trailing white space: step back over ASCII space and U+3000. */
    for (;;) {
        if (end > start &&
            (p[end - 1] == ' ' || p[end - 1] == '\t' || p[end - 1] == '\r' || p[end - 1] == '\n')) {
            end--;
        } else if (end >= start + 3 && p[end - 3] == 0xE3 && p[end - 2] == 0x80 &&
                   p[end - 1] == 0x80) {
            end -= 3;
        } else {
            break;
        }
    }
    /* Refanging never lengthens the text ("[://]" -> "://" is the longest meaning, and it is
     * shorter than its token), so one reservation is enough and bytes are written directly. */
    rc = rk_buf_reserve(out, end - start);
    if (rc != RK_OK)
        return rc;
    char *d = out->data;
    size_t o = 0, i = start;
    while (i < end) {
        const char *repl;
        unsigned char c = p[i];
        if (c < 0x80 && c != '[' && c != '(' && c != '{') {
            if (map != NULL)
                map[o] = (uint32_t)i;
            d[o++] = (char)c;
            i++;
            continue;
        }
        if ((c == '[' || c == '(' || c == '{' || c == 0xEF) &&
            (k = rk__obs_defang(p + i, end - i, &repl)) > 0) {
            for (size_t j = 0; repl[j] != '\0'; j++) {
                if (map != NULL)
                    map[o] = (uint32_t)i;
                d[o++] = repl[j];
            }
            i += k;
            continue;
        }
        if (c == 0xEF && (k = rk__obs_fullwidth(p + i, end - i, &c)) > 0) {
            if (map != NULL)
                map[o] = (uint32_t)i;
            d[o++] = (char)c;
            i += k;
            continue;
        }
        if (map != NULL)
            map[o] = (uint32_t)i;
        d[o++] = (char)p[i];
        i++;
    }
    out->len = o;
    d[o] = '\0';
    if (map != NULL)
        map[out->len] = (uint32_t)end;
    return RK_OK;
}

int rk__obs_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        /* ASCII eight bytes at a time: most values are all ASCII. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if ((w & 0x8080808080808080ull) != 0)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) {
            k = 2;
            cp = c & 0x1F;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 3;
            cp = c & 0x0F;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 4;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return 0;
        }
        if (n - i < k)
            return 0;
        for (size_t j = 1; j < k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + j] & 0x3F);
        }
        /* Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8. */
        if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return 0;
        i += k;
    }
    return 1;
}
