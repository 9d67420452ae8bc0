/*
 * Related-value expansion: from one canonical value, the values that tie it to others one step
 * removed — the host of a URL, the registrable domain of a host (libpsl's built-in public
 * suffix list, so "a.example.co.jp" and "b.example.co.jp" meet at "example.co.jp" while
 * "x.github.io" and "y.github.io" do not meet at "github.io"), the domain of an e-mail, and the
 * /24 and /16 (IPv6: /64 and /48) networks of an address. Only string work; no lookups.
 */
#include "renkei/correlate.h"

#include <arpa/inet.h>
#include <libpsl.h>
#include <stdio.h>
#include <string.h>

#include "correlate/correlate-int.h"
#include "renkei/limits.h"

/* ===== Address parsing ===== */

int rk__corr_parse_ipv4(const char *s, size_t len, uint32_t *out)
{
    uint32_t a = 0;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (i >= len || s[i] < '0' || s[i] > '9')
            return -1;
        unsigned x = 0, digits = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (digits > 0 && x == 0)
                return -1; /* a leading zero is not canonical */
            x = x * 10 + (unsigned)(s[i] - '0');
            if (x > 255 || ++digits > 3)
                return -1;
            i++;
        }
        a = (a << 8) | x;
        if (part < 3) {
            if (i >= len || s[i] != '.')
                return -1;
            i++;
        }
    }
    if (i != len)
        return -1;
    *out = a;
    return 0;
}

int rk__corr_parse_net(const char *s, size_t len, int *family, uint8_t addr[16], unsigned *prefix)
{
    char tmp[64];
    const char *slash = memchr(s, '/', len);
    size_t alen = slash != NULL ? (size_t)(slash - s) : len;
    if (alen == 0 || alen >= sizeof tmp)
        return -1;
    memcpy(tmp, s, alen);
    tmp[alen] = '\0';
    memset(addr, 0, 16);
    uint32_t v4;
    unsigned maxp;
    if (rk__corr_parse_ipv4(tmp, alen, &v4) == 0) {
        *family = 4;
        addr[0] = (uint8_t)(v4 >> 24);
        addr[1] = (uint8_t)(v4 >> 16);
        addr[2] = (uint8_t)(v4 >> 8);
        addr[3] = (uint8_t)v4;
        maxp = 32;
    } else if (memchr(tmp, ':', alen) != NULL && inet_pton(AF_INET6, tmp, addr) == 1) {
        *family = 6;
        maxp = 128;
    } else {
        return -1;
    }
    *prefix = maxp;
    if (slash != NULL) {
        size_t plen = len - alen - 1;
        unsigned p = 0;
        if (plen == 0 || plen > 3)
            return -1;
        for (size_t i = 0; i < plen; i++) {
            char c = slash[1 + i];
            if (c < '0' || c > '9' || (i == 0 && c == '0' && plen > 1))
                return -1;
            p = p * 10 + (unsigned)(c - '0');
        }
        if (p > maxp)
            return -1;
        *prefix = p;
    }
    return 0;
}

/* ===== Expansion ===== */

/* Writes the decimal form of an octet; returns the number of bytes written. (Hand-written
 * because expansion runs for every address of every rebuild, and snprintf was a tenth of it.) */
static size_t put_octet(char *p, unsigned x)
{
    size_t n = 0;
    if (x >= 100)
        p[n++] = (char)('0' + x / 100);
    if (x >= 10)
        p[n++] = (char)('0' + x / 10 % 10);
    p[n++] = (char)('0' + x % 10);
    return n;
}

/* "a.b.c.0/24" (three octets kept) or "a.b.0.0/16" (two kept). */
static void v4_net(uint32_t a, int keep, char *buf)
{
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        n += put_octet(buf + n, i < keep ? (a >> (24 - 8 * i)) & 255 : 0);
        buf[n++] = i < 3 ? '.' : '/';
    }
    memcpy(buf + n, keep == 3 ? "24" : "16", 3);
}

static enum rk_status emit_v4_nets(uint32_t a, rk_corr_expand_cb cb, void *ud)
{
    char buf[32];
    v4_net(a, 3, buf);
    enum rk_status rc = cb(ud, "cidr", buf, RK_CORR_REL_NET_NARROW);
    if (rc != RK_OK)
        return rc;
    v4_net(a, 2, buf);
    return cb(ud, "cidr", buf, RK_CORR_REL_NET_WIDE);
}

static enum rk_status emit_v6_nets(const uint8_t addr[16], rk_corr_expand_cb cb, void *ud)
{
    static const struct {
        unsigned prefix;
        enum rk_corr_rel rel;
    } nets[] = {{64, RK_CORR_REL_NET_NARROW}, {48, RK_CORR_REL_NET_WIDE}};
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
        uint8_t net[16] = {0};
        memcpy(net, addr, nets[i].prefix / 8);
        char text[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 8];
        if (inet_ntop(AF_INET6, net, text, sizeof text) == NULL)
            return RK_OK;
        snprintf(buf, sizeof buf, "%s/%u", text, nets[i].prefix);
        enum rk_status rc = cb(ud, "cidr", buf, nets[i].rel);
        if (rc != RK_OK)
            return rc;
    }
    return RK_OK;
}

/* The registrable domain of a host, when it differs from the host itself. */
static enum rk_status emit_regdomain(const char *host, rk_corr_expand_cb cb, void *ud)
{
    const char *reg = psl_registrable_domain(psl_builtin(), host);
    if (reg == NULL || strcmp(reg, host) == 0)
        return RK_OK;
    return cb(ud, "domain", reg, RK_CORR_REL_REGDOMAIN);
}

/* Emits a host (lower-cased, without a trailing dot) with relation `rel` and its relatives. */
static enum rk_status emit_host(const char *h, size_t len, enum rk_corr_rel rel,
                                rk_corr_expand_cb cb, void *ud)
{
    char host[256];
    if (len > 0 && h[len - 1] == '.')
        len--;
    if (len == 0 || len >= sizeof host)
        return RK_OK;
    for (size_t i = 0; i < len; i++) {
        char c = h[i];
        host[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    host[len] = '\0';
    uint32_t v4;
    if (rk__corr_parse_ipv4(host, len, &v4) == 0) {
        enum rk_status rc = cb(ud, "ipv4", host, rel);
        return rc != RK_OK ? rc : emit_v4_nets(v4, cb, ud);
    }
    if (host[0] == '[') {
        uint8_t a6[16];
        if (host[len - 1] != ']')
            return RK_OK;
        host[len - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, a6) != 1)
            return RK_OK;
        char text[INET6_ADDRSTRLEN];
        if (inet_ntop(AF_INET6, a6, text, sizeof text) == NULL)
            return RK_OK;
        enum rk_status rc = cb(ud, "ipv6", text, rel);
        return rc != RK_OK ? rc : emit_v6_nets(a6, cb, ud);
    }
    enum rk_status rc = cb(ud, "domain", host, rel);
    return rc != RK_OK ? rc : emit_regdomain(host, cb, ud);
}

/* "scheme://user@host:port/path?q#f" -> host. Anything without "://" has no host here. */
static enum rk_status expand_url(const char *url, rk_corr_expand_cb cb, void *ud)
{
    const char *p = strstr(url, "://");
    if (p == NULL)
        return RK_OK;
    p += 3;
    size_t auth = strcspn(p, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < auth; i++)
        if (p[i] == '@')
            at = p + i;
    if (at != NULL) {
        auth -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    size_t hlen = auth;
    if (hlen > 0 && p[0] == '[') {
        const char *close = memchr(p, ']', auth);
        if (close == NULL)
            return RK_OK;
        hlen = (size_t)(close - p) + 1;
    } else {
        const char *colon = memchr(p, ':', auth);
        if (colon != NULL)
            hlen = (size_t)(colon - p);
    }
    return emit_host(p, hlen, RK_CORR_REL_HOST, cb, ud);
}

enum rk_status rk_corr_expand(const char *type, const char *value, rk_corr_expand_cb cb,
                              void *user_data)
{
    if (type == NULL || value == NULL)
        return RK_OK;
    size_t len = strlen(value);
    if (strcmp(type, "url") == 0)
        return expand_url(value, cb, user_data);
    if (strcmp(type, "domain") == 0)
        return emit_regdomain(value, cb, user_data);
    if (strcmp(type, "email") == 0) {
        const char *at = strrchr(value, '@');
        if (at == NULL || at[1] == '\0')
            return RK_OK;
        const char *dom = at + 1;
        enum rk_status rc = emit_host(dom, strlen(dom), RK_CORR_REL_EMAIL_DOMAIN, cb, user_data);
        return rc;
    }
    if (strcmp(type, "ipv4") == 0) {
        uint32_t a;
        if (rk__corr_parse_ipv4(value, len, &a) != 0)
            return RK_OK;
        return emit_v4_nets(a, cb, user_data);
    }
    if (strcmp(type, "ipv6") == 0) {
        uint8_t a6[16];
        if (inet_pton(AF_INET6, value, a6) != 1)
            return RK_OK;
        return emit_v6_nets(a6, cb, user_data);
    }
    return RK_OK;
}
