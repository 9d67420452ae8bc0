/*
 * The router: a linear walk over the route sets of every api-*.c file, matching the method and
 * a path pattern segment by segment. `{name}` in a pattern matches one non-empty segment, which
 * is captured. There are a few dozen routes, so a linear scan costs less than one SQLite step
 * and keeps the tables plain const data that each resource file owns.
 */
#include "http.h"

#include <string.h>

/* Matches `path` against `pattern`; captures into `params`/`buf` on success. */
static int match(const char *pattern, const char *path, const char **params, size_t *nparams,
                 char *buf, size_t cap)
{
    const char *p = pattern, *s = path;
    size_t n = 0, used = 0;
    while (*p != '\0' && *s != '\0') {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close == NULL)
                return 0;
            const char *end = strchr(s, '/');
            size_t seg = end != NULL ? (size_t)(end - s) : strlen(s);
            if (seg == 0 || seg > RK_MAX_HTTP_PARAM_LEN || n >= RK_MAX_HTTP_PARAMS ||
                used + seg + 1 > cap)
                return 0;
            memcpy(buf + used, s, seg);
            buf[used + seg] = '\0';
            params[n++] = buf + used;
            used += seg + 1;
            p = close + 1;
            s += seg;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    if (*p != '\0' || *s != '\0')
        return 0;
    *nparams = n;
    return 1;
}

enum rk_route_match rk_http_route(const struct rk_route_set *const *sets, const char *method,
                                  const char *path, const struct rk_route **route,
                                  const char **params, size_t *nparams, char *param_buf,
                                  size_t param_cap)
{
    enum rk_route_match res = RK_ROUTE_NO_PATH;
    if (strlen(path) > RK_MAX_HTTP_PATH)
        return RK_ROUTE_NO_PATH;
    /* HEAD is answered as GET (libmicrohttpd drops the body). */
    const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
    for (size_t i = 0; sets[i] != NULL; i++) {
        for (size_t j = 0; j < sets[i]->count; j++) {
            const struct rk_route *r = &sets[i]->routes[j];
            size_t n = 0;
            if (!match(r->pattern, path, params, &n, param_buf, param_cap))
                continue;
            if (strcmp(r->method, m) != 0) {
                res = RK_ROUTE_NO_METHOD;
                continue;
            }
            *route = r;
            *nparams = n;
            return RK_ROUTE_FOUND;
        }
    }
    return res;
}
