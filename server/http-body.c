/*
 * Request bodies: the size cap, UTF-8 validation, JSON parsing with jansson, and the checks of
 * fixed-shape bodies. Every error names the JSON field where the problem is, so that a client
 * (and the intake form) can point at it; no message ever echoes input bytes, which may be case
 * text.
 *
 * jansson reports where parsing stopped only as a byte position. rk_http_json_path_at() turns
 * that position back into a field path by walking the bytes before it with a small tokenizer
 * that tracks the open objects and arrays; it tolerates the malformed tail, since it stops at
 * the position jansson gave.
 */
#include "http.h"

#include <stdio.h>
#include <string.h>

#include "renkei/buf.h"

/* ===== UTF-8 ===== */

size_t rk_http_utf8_check(const char *data, size_t len)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1, cp = c & 0x1f, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (len - i <= need)
            return i;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += need + 1;
    }
    return len;
}

/* ===== Field paths ===== */

#define PATH_DEPTH 32 /* deeper levels are walked but not named */

struct level {
    int is_array;
    size_t index;
    size_t key_off, key_len; /* raw key bytes in the input (objects) */
};

/* Appends a key to the path, keeping printable ASCII and writing '?' for anything else. */
static void put_key(char *field, size_t cap, size_t *n, const char *key, size_t klen)
{
    if (*n > 0 && *n + 1 < cap)
        field[(*n)++] = '.';
    for (size_t i = 0; i < klen && *n + 1 < cap; i++) {
        unsigned char c = (unsigned char)key[i];
        field[(*n)++] = (c >= 0x20 && c < 0x7f && c != '\\') ? (char)c : '?';
    }
    field[*n] = '\0';
}

void rk_http_json_path_at(const char *data, size_t len, size_t offset, char *field, size_t cap)
{
    struct level st[PATH_DEPTH];
    size_t depth = 0; /* levels open, including ones past PATH_DEPTH */
    int want_key = 0; /* in an object, before the key's ':' */
    int have_key = 0; /* the innermost object has a current key */
    if (cap == 0)
        return;
    field[0] = '\0';
    if (offset > len)
        offset = len;
    for (size_t i = 0; i < offset; i++) {
        char c = data[i];
        struct level *top = depth > 0 && depth <= PATH_DEPTH ? &st[depth - 1] : NULL;
        if (c == '"') {
            size_t start = i + 1, j = start;
            while (j < len && data[j] != '"') {
                if (data[j] == '\\')
                    j++;
                j++;
            }
            if (want_key && top != NULL && !top->is_array) {
                top->key_off = start;
                top->key_len = (j < len ? j : len) - start;
                have_key = 1;
            }
            if (j >= offset)
                break; /* the position is inside this string */
            i = j;
        } else if (c == '{' || c == '[') {
            if (depth < PATH_DEPTH) {
                st[depth].is_array = c == '[';
                st[depth].index = 0;
                st[depth].key_len = 0;
                st[depth].key_off = 0;
            }
            depth++;
            want_key = c == '{';
            have_key = 0;
        } else if (c == '}' || c == ']') {
            if (depth > 0)
                depth--;
            want_key = 0;
            have_key = 1;
        } else if (c == ':') {
            want_key = 0;
        } else if (c == ',') {
            if (top != NULL && top->is_array) {
                top->index++;
            } else if (top != NULL) {
                want_key = 1;
                top->key_len = 0;
                have_key = 0;
            }
        }
    }
    (void)have_key;
    size_t n = 0, shown = depth < PATH_DEPTH ? depth : PATH_DEPTH;
    for (size_t d = 0; d < shown; d++) {
        if (st[d].is_array) {
            int w = snprintf(field + n, cap - n, "[%zu]", st[d].index);
            if (w < 0 || (size_t)w >= cap - n)
                break;
            n += (size_t)w;
        } else if (st[d].key_len > 0) {
            put_key(field, cap, &n, data + st[d].key_off, st[d].key_len);
        }
    }
}

/* ===== Parsing ===== */

static void set_err(struct rk_error *err, int code, const char *field, const char *msg)
{
    if (err == NULL)
        return;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field != NULL ? field : "");
    snprintf(err->message, sizeof err->message, "%s", msg);
}

enum rk_status rk_http_body_parse(const char *data, size_t len, json_t **out, struct rk_error *err)
{
    char field[sizeof err->field];
    char msg[160];
    if (len > RK_MAX_HTTP_BODY) {
        snprintf(msg, sizeof msg, "request body larger than %u bytes", RK_MAX_HTTP_BODY);
        set_err(err, RK_ETOOBIG, "", msg);
        return RK_ETOOBIG;
    }
    if (len == 0) {
        set_err(err, RK_EINVAL, "", "request body is empty; a JSON object is expected");
        return RK_EINVAL;
    }
    size_t bad = rk_http_utf8_check(data, len);
    if (bad < len) {
        rk_http_json_path_at(data, len, bad, field, sizeof field);
        snprintf(msg, sizeof msg, "invalid UTF-8 at byte %zu", bad);
        set_err(err, RK_EINVAL, field, msg);
        return RK_EINVAL;
    }
    json_error_t je;
    json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        /* jansson's position is just past the token it choked on; when that token closed an
         * object or array, step back onto it so that the path still names what it closed. */
        size_t pos = je.position > 0 ? (size_t)je.position : 0;
        if (pos > 0 && pos <= len && (data[pos - 1] == '}' || data[pos - 1] == ']'))
            pos--;
        rk_http_json_path_at(data, len, pos, field, sizeof field);
        /* je.text can quote the input near the error; report only where it is. */
        if (json_error_code(&je) == json_error_duplicate_key)
            snprintf(msg, sizeof msg, "duplicate key at line %d column %d", je.line, je.column);
        else
            snprintf(msg, sizeof msg, "malformed JSON at line %d column %d", je.line, je.column);
        set_err(err, RK_EINVAL, field, msg);
        return RK_EINVAL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        set_err(err, RK_EINVAL, "", "the request body must be a JSON object");
        return RK_EINVAL;
    }
    *out = j;
    return RK_OK;
}

/* ===== Fixed shapes ===== */

static unsigned kind_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return RK_JT_STRING;
    case JSON_INTEGER:
        return RK_JT_INT;
    case JSON_TRUE:
    case JSON_FALSE:
        return RK_JT_BOOL;
    case JSON_OBJECT:
        return RK_JT_OBJECT;
    case JSON_ARRAY:
        return RK_JT_ARRAY;
    case JSON_NULL:
        return RK_JT_NULL;
    default:
        return 0; /* reals: no field of the API takes one */
    }
}

static const char *kind_names(unsigned kinds, char *buf, size_t cap)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{RK_JT_STRING, "string"}, {RK_JT_INT, "integer"}, {RK_JT_BOOL, "boolean"},
                 {RK_JT_OBJECT, "object"}, {RK_JT_ARRAY, "array"}, {RK_JT_NULL, "null"}};
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if ((kinds & names[i].bit) == 0)
            continue;
        int w = snprintf(buf + n, cap - n, "%s%s", n > 0 ? " or " : "", names[i].name);
        if (w < 0 || (size_t)w >= cap - n)
            break;
        n += (size_t)w;
    }
    return buf;
}

enum rk_status rk_http_body_check(const json_t *obj, const struct rk_http_field *fields, size_t n,
                                  struct rk_error *err)
{
    char msg[160], kinds[64];
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        const struct rk_http_field *f = NULL;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(fields[i].name, key) == 0)
                f = &fields[i];
        }
        if (f == NULL) {
            char name[sizeof err->field];
            size_t k = 0;
            put_key(name, sizeof name, &k, key, strlen(key));
            set_err(err, RK_EINVAL, name, "unknown field");
            return RK_EINVAL;
        }
        if ((kind_of(v) & f->kinds) == 0) {
            snprintf(msg, sizeof msg, "must be %s", kind_names(f->kinds, kinds, sizeof kinds));
            set_err(err, RK_EINVAL, f->name, msg);
            return RK_EINVAL;
        }
        if (json_is_string(v) && f->max_len > 0 && json_string_length(v) > f->max_len) {
            snprintf(msg, sizeof msg, "longer than %zu bytes", f->max_len);
            set_err(err, RK_EINVAL, f->name, msg);
            return RK_EINVAL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (fields[i].required && json_object_get(obj, fields[i].name) == NULL) {
            set_err(err, RK_EINVAL, fields[i].name, "required field is missing");
            return RK_EINVAL;
        }
    }
    return RK_OK;
}
