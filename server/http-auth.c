/*
 * The pieces of authentication that are about HTTP, not about users: finding the session cookie
 * and the Bearer key in the headers, comparing CSRF tokens without a timing leak, and writing
 * the Set-Cookie value. Who a token belongs to is the service's business (rk_auth_session,
 * rk_auth_apikey); http-server.c puts the two together.
 */
#include "http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum rk_status rk_http_cookie_get(const char *header, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);
    const char *p = header;
    if (p == NULL)
        return RK_ENOTFOUND;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t plen = end != NULL ? (size_t)(end - p) : strlen(p);
        if (plen > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            const char *v = p + nlen + 1;
            size_t vlen = plen - nlen - 1;
            while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (vlen + 1 > cap)
                return RK_ETOOBIG;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return RK_OK;
        }
        p += plen;
    }
    return RK_ENOTFOUND;
}

enum rk_status rk_http_bearer_get(const char *header, char *out, size_t cap)
{
    if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0)
        return RK_ENOTFOUND;
    const char *v = header + 7;
    while (*v == ' ')
        v++;
    size_t vlen = strlen(v);
    while (vlen > 0 && v[vlen - 1] == ' ')
        vlen--;
    if (vlen == 0)
        return RK_ENOTFOUND;
    if (vlen + 1 > cap)
        return RK_ETOOBIG;
    memcpy(out, v, vlen);
    out[vlen] = '\0';
    return RK_OK;
}

int rk_http_token_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    /* The lengths are not secret (tokens have one fixed length); the contents are. */
    if (la != lb || la == 0)
        return 0;
    unsigned char diff = 0;
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

int rk_http_method_writes(const char *method)
{
    return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
           strcmp(method, "PATCH") == 0 || strcmp(method, "DELETE") == 0;
}

enum rk_status rk_http_session_cookie(char *out, size_t cap, const char *token, int64_t max_age,
                                      int secure)
{
    if (max_age < 0)
        max_age = 0;
    int w = snprintf(out, cap, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
                     RK_SESSION_COOKIE, max_age > 0 ? token : "", (long long)max_age,
                     secure ? "; Secure" : "");
    if (w < 0 || (size_t)w >= cap)
        return RK_ETOOBIG;
    return RK_OK;
}
