/*
 * URLs (http, https, ftp). Canonical form: scheme and host in lower case (the host in A-label
 * form, an IPv6 host in RFC 5952 form inside brackets), the default port dropped, an empty path
 * written "/", and the path, query and fragment as given except for the percent-encoding
 * normalisations RFC 3986 6.2.2 allows: hex digits of %XX in upper case, percent-encoded
 * unreserved characters decoded, and bytes a URL cannot hold (non-ASCII, space, quotes, ...)
 * percent-encoded. Defanged schemes (hxxp, hXXps, h**p, ttp, fxp) are read as what they hide.
 * A host followed by a path with no scheme ("example.com/login") is read as http.
 */
#include "obs-internal.h"

#include <string.h>

#include "renkei/limits.h"

struct scheme_alias {
    const char *alias;
    const char *scheme;
    unsigned default_port;
};

/* Longest first, so that "https" wins over "ttps" and "http". */
static const struct scheme_alias aliases[] = {
    {"hxxps", "https", 443}, {"h**ps", "https", 443}, {"https", "https", 443}, {"hxxp", "http", 80},
    {"h**p", "http", 80},    {"http", "http", 80},    {"ttps", "https", 443},  {"ttp", "http", 80},
    {"ftp", "ftp", 21},      {"fxp", "ftp", 21},
};

static int ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rk__lower((unsigned char)a[i]) != (unsigned char)b[i])
            return 0;
    return 1;
}

size_t rk__obs_scheme_before(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        size_t k = strlen(aliases[i].alias);
        if (k > n || !ieq(s + n - k, aliases[i].alias, k))
            continue;
        if (n > k && rk__is_alpha((unsigned char)s[n - k - 1]))
            continue;
        return k;
    }
    return 0;
}

static const struct scheme_alias *find_scheme(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strlen(aliases[i].alias) == n && ieq(s, aliases[i].alias, n))
            return &aliases[i];
    return NULL;
}

static int unreserved(unsigned char c)
{
    return rk__is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Bytes that may stand as they are in a path, query or fragment (RFC 3986 pchar and friends,
 * plus '%' handled separately). */
static int allowed(unsigned char c)
{
    return unreserved(c) || strchr("!$&'()*+,;=:@/?#[]", c) != NULL;
}

static enum rk_status add_rest(struct rk_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    enum rk_status rc = RK_OK;
    if (n == 0 || s[0] != '/')
        rc = rk_buf_addc(b, '/');
    for (size_t i = 0; i < n && rc == RK_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n && rk__is_hex((unsigned char)s[i + 1]) &&
            rk__is_hex((unsigned char)s[i + 2])) {
            unsigned char d = (unsigned char)(rk__hexval((unsigned char)s[i + 1]) * 16 +
                                              rk__hexval((unsigned char)s[i + 2]));
            if (unreserved(d)) {
                rc = rk_buf_addc(b, (char)d);
            } else {
                char t[3] = {'%', hex[d >> 4], hex[d & 15]};
                rc = rk_buf_add(b, t, 3);
            }
            i += 2;
        } else if (c != '%' && allowed(c)) {
            rc = rk_buf_addc(b, (char)c);
        } else {
            char t[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = rk_buf_add(b, t, 3);
        }
    }
    return rc;
}

enum rk_status rk__obs_url(const char *s, size_t n, struct rk__obs_out *o)
{
    const struct scheme_alias *sch = &aliases[5]; /* http, for host/path without a scheme */
    size_t i = 0;
    const char *sep = NULL;
    for (size_t k = 0; k + 3 <= n && k < 8; k++)
        if (memcmp(s + k, "://", 3) == 0) {
            sep = s + k;
            break;
        }
    if (sep != NULL) {
        sch = find_scheme(s, (size_t)(sep - s));
        if (sch == NULL)
            return RK_EINVAL;
        i = (size_t)(sep - s) + 3;
    }
    /* The authority runs to the first '/', '?' or '#'. */
    size_t a = i;
    while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
        i++;
    size_t aend = i;
    if (sep == NULL && (i == n || s[i] != '/' || i + 1 == n))
        return RK_EINVAL; /* without a scheme only host/path is a URL */
    /* userinfo@ is kept as given. */
    size_t h = a;
    for (size_t k = a; k < aend; k++)
        if (s[k] == '@')
            h = k + 1;
    size_t hend = aend, port_at = 0;
    if (h < aend && s[h] == '[') {
        const char *rb = memchr(s + h, ']', aend - h);
        if (rb == NULL)
            return RK_EINVAL;
        hend = (size_t)(rb - s) + 1;
        if (hend < aend) {
            if (s[hend] != ':')
                return RK_EINVAL;
            port_at = hend + 1;
        }
    } else {
        for (size_t k = h; k < aend; k++)
            if (s[k] == ':') {
                hend = k;
                port_at = k + 1;
                break;
            }
    }
    unsigned port = 0;
    if (port_at != 0) {
        if (aend - port_at > 5)
            return RK_EINVAL;
        for (size_t k = port_at; k < aend; k++) {
            if (!rk__is_digit((unsigned char)s[k]))
                return RK_EINVAL;
            port = port * 10 + (unsigned)(s[k] - '0');
        }
        if (port_at != aend && (port == 0 || port > 65535))
            return RK_EINVAL;
    }
    if (hend == h)
        return RK_EINVAL;
    enum rk_obs_type kind;
    struct rk_buf host, hdisp;
    rk_buf_init(&host, RK_MAX_OBS_VALUE * 4);
    rk_buf_init(&hdisp, RK_MAX_OBS_VALUE * 4);
    enum rk_status rc = rk__obs_host(s + h, hend - h, &host, &hdisp, &kind);
    /* Without a scheme only a domain makes a URL: "10.0.0.0/33" is a bad CIDR, not a link. */
    if (rc == RK_OK && sep == NULL && kind != RK_OBS_DOMAIN)
        rc = RK_EINVAL;
    for (int pass = 0; pass < 2 && rc == RK_OK; pass++) {
        struct rk_buf *b = pass == 0 ? &o->canon : &o->disp;
        if (pass == 1 && hdisp.len == 0)
            break;
        rc = rk_buf_adds(b, sch->scheme);
        if (rc == RK_OK)
            rc = rk_buf_adds(b, "://");
        if (rc == RK_OK && h > a)
            rc = rk_buf_add(b, s + a, h - a);
        if (rc == RK_OK)
            rc = pass == 0 ? rk_buf_add(b, host.data, host.len)
                           : rk_buf_add(b, hdisp.data, hdisp.len);
        if (rc == RK_OK && port != 0 && port != sch->default_port)
            rc = rk_buf_addf(b, ":%u", port);
        if (rc == RK_OK)
            rc = add_rest(b, s + aend, n - aend);
    }
    rk_buf_free(&host);
    rk_buf_free(&hdisp);
    return rc;
}
