/*
 * IP addresses and networks. IPv4 is accepted only as a strict dotted quad (four decimal parts
 * of 0..255, no leading zeros: "010.1.1.1" is ambiguous between octal and decimal readings, so
 * it is not an address). IPv6 is written in RFC 5952 form (lower case, longest run of two or
 * more zero groups compressed, leftmost on ties, no leading zeros, embedded IPv4 kept dotted for
 * ::ffff:0:0/96). A CIDR block has its host bits cleared (10.20.30.40/16 -> 10.20.0.0/16).
 */
#include "obs-internal.h"

#include <stdio.h>
#include <string.h>

int rk__obs_ipv4_bytes(const char *s, size_t n, uint8_t b[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return 0;
            i++;
        }
        size_t d = 0;
        unsigned v = 0;
        while (i < n && rk__is_digit((unsigned char)s[i]) && d < 4) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
            d++;
        }
        if (d == 0 || d > 3 || v > 255 || (d > 1 && s[i - d] == '0'))
            return 0;
        b[part] = (uint8_t)v;
    }
    return i == n;
}

static enum rk_status ipv4_format(const uint8_t b[4], struct rk_buf *out)
{
    /* Hand-formatted: this runs for every address the extractor finds. */
    char s[16];
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (i > 0)
            s[n++] = '.';
        if (v >= 100)
            s[n++] = (char)('0' + v / 100);
        if (v >= 10)
            s[n++] = (char)('0' + v / 10 % 10);
        s[n++] = (char)('0' + v % 10);
    }
    return rk_buf_add(out, s, n);
}

enum rk_status rk__obs_ipv4(const char *s, size_t n, struct rk__obs_out *o)
{
    uint8_t b[4];
    if (!rk__obs_ipv4_bytes(s, n, b))
        return RK_EINVAL;
    return ipv4_format(b, &o->canon);
}

int rk__obs_ipv6_bytes(const char *s, size_t n, uint8_t b[16])
{
    uint16_t g[8];
    int ng = 0, gap = -1;
    size_t i = 0;
    if (n < 2)
        return 0;
    if (s[0] == ':') {
        if (s[1] != ':')
            return 0;
        gap = 0;
        i = 2;
    }
    while (i < n) {
        if (ng == 8)
            return 0;
        size_t start = i, d = 0;
        unsigned v = 0;
        while (i < n && rk__is_hex((unsigned char)s[i]) && d < 5) {
            v = v * 16 + (unsigned)rk__hexval((unsigned char)s[i]);
            i++;
            d++;
        }
        if (i < n && s[i] == '.') {
            /* An embedded IPv4 address takes the last two groups. */
            uint8_t v4[4];
            if (ng > 6 || !rk__obs_ipv4_bytes(s + start, n - start, v4))
                return 0;
            g[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
            g[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
            i = n;
            break;
        }
        if (d == 0 || d > 4)
            return 0;
        g[ng++] = (uint16_t)v;
        if (i == n)
            break;
        if (s[i] != ':')
            return 0;
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return 0;
            gap = ng;
            i++;
            if (i == n)
                break;
        } else if (i == n) {
            return 0; /* a single trailing colon */
        }
    }
    if (gap < 0 && ng != 8)
        return 0;
    if (gap >= 0 && ng > 7)
        return 0;
    int fill = 8 - ng;
    uint16_t full[8];
    int k = 0;
    for (int j = 0; j < ng; j++) {
        if (j == gap)
            for (int z = 0; z < fill; z++)
                full[k++] = 0;
        full[k++] = g[j];
    }
    if (gap == ng)
        for (int z = 0; z < fill; z++)
            full[k++] = 0;
    for (int j = 0; j < 8; j++) {
        b[2 * j] = (uint8_t)(full[j] >> 8);
        b[2 * j + 1] = (uint8_t)(full[j] & 0xff);
    }
    return 1;
}

enum rk_status rk__obs_ipv6_format(const uint8_t b[16], struct rk_buf *out)
{
    uint16_t g[8];
    for (int j = 0; j < 8; j++)
        g[j] = (uint16_t)(b[2 * j] << 8 | b[2 * j + 1]);
    /* RFC 5952 4.2: compress the longest run of at least two zero groups, the first on ties. */
    int best = -1, bestlen = 0;
    for (int j = 0; j < 8;) {
        if (g[j] != 0) {
            j++;
            continue;
        }
        int k = j;
        while (k < 8 && g[k] == 0)
            k++;
        if (k - j > bestlen && k - j >= 2) {
            best = j;
            bestlen = k - j;
        }
        j = k;
    }
    /* RFC 5952 5: IPv4-mapped addresses keep the dotted quad. */
    int mapped = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff;
    int last = mapped ? 6 : 8;
    enum rk_status rc = RK_OK;
    for (int j = 0; j < last && rc == RK_OK; j++) {
        if (j == best) {
            rc = rk_buf_adds(out, "::");
            j += bestlen - 1;
            continue;
        }
        if (j > 0 && j != best + bestlen)
            rc = rk_buf_addc(out, ':');
        if (rc == RK_OK)
            rc = rk_buf_addf(out, "%x", g[j]);
    }
    if (rc == RK_OK && mapped)
        rc = rk_buf_addf(out, ":%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
    return rc;
}

enum rk_status rk__obs_ipv6(const char *s, size_t n, struct rk__obs_out *o)
{
    uint8_t b[16];
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    if (!rk__obs_ipv6_bytes(s, n, b))
        return RK_EINVAL;
    /* The unspecified address "::" names no host (it stays valid as the CIDR "::/0"). */
    static const uint8_t zero[16];
    if (memcmp(b, zero, 16) == 0)
        return RK_EINVAL;
    return rk__obs_ipv6_format(b, &o->canon);
}

enum rk_status rk__obs_cidr(const char *s, size_t n, struct rk__obs_out *o)
{
    const char *slash = memchr(s, '/', n);
    if (slash == NULL)
        return RK_EINVAL;
    size_t an = (size_t)(slash - s), pn = n - an - 1;
    unsigned prefix = 0;
    if (pn == 0 || pn > 3 || (pn > 1 && slash[1] == '0'))
        return RK_EINVAL;
    for (size_t i = 0; i < pn; i++) {
        if (!rk__is_digit((unsigned char)slash[1 + i]))
            return RK_EINVAL;
        prefix = prefix * 10 + (unsigned)(slash[1 + i] - '0');
    }
    uint8_t b[16];
    unsigned bytes;
    if (rk__obs_ipv4_bytes(s, an, b)) {
        bytes = 4;
    } else if (rk__obs_ipv6_bytes(s, an, b)) {
        bytes = 16;
    } else {
        return RK_EINVAL;
    }
    if (prefix > bytes * 8)
        return RK_EINVAL;
    for (unsigned bit = prefix; bit < bytes * 8; bit++)
        b[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
    enum rk_status rc = bytes == 4 ? ipv4_format(b, &o->canon) : rk__obs_ipv6_format(b, &o->canon);
    if (rc == RK_OK)
        rc = rk_buf_addf(&o->canon, "/%u", prefix);
    return rc;
}
