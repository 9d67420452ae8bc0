/*
 * The host and the time of a log line (sweep-line.h). A sweep hit names a line; an analyst asks
 * "which machine, and when": the client that made the request and the time the log gave it.
 * Log formats put them in different places, so the line's shape is recognised from its first
 * fields (an epoch number, an ISO date, a syslog month, a JSON object) or from the bracketed
 * Apache/nginx time anywhere in it. Each field is checked before it is believed: an address must
 * parse, a host name must look like one, a time must be a real date. What is not recognised is
 * left empty rather than guessed.
 */
#include "model/sweep-line.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "renkei/parse.h"

#define MAX_FIELDS 6

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Reads `k` digits at p as a number; -1 when they are not all digits. */
static int digits(const char *p, size_t k)
{
    int v = 0;
    for (size_t i = 0; i < k; i++) {
        if (!is_digit(p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* Converts a broken-down UTC time to RFC 3339 after checking it is a real date. */
static int fmt_time(int y, int mo, int d, int h, int mi, int s, int64_t off_sec, char out[21])
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
        mi > 59 || s > 60)
        return 0;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s > 59 ? 59 : s;
    time_t t = timegm(&tm) - (time_t)off_sec;
    struct tm g;
    if (gmtime_r(&t, &g) == NULL || g.tm_year + 1900 > 9999 || g.tm_year + 1900 < 1970)
        return 0;
    return strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &g) == 20;
}

static int fmt_epoch(int64_t t, char out[21])
{
    struct tm g;
    time_t tt = (time_t)t;
    if (gmtime_r(&tt, &g) == NULL)
        return 0;
    return strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &g) == 20;
}

/* Epoch seconds with an optional fraction ("1700000000.352"), between 2000 and 2100. */
static int parse_epoch(const char *p, size_t n, char out[21])
{
    size_t i = 0;
    while (i < n && is_digit(p[i]))
        i++;
    if (i < 9 || i > 10)
        return 0;
    if (i < n) {
        if (p[i] != '.')
            return 0;
        for (size_t k = i + 1; k < n; k++) {
            if (!is_digit(p[k]))
                return 0;
        }
    }
    uint64_t v;
    if (rk_parse_u64(p, i, UINT64_MAX, &v) != RK_OK || v < 946684800u || v > 4102444800u)
        return 0;
    return fmt_epoch((int64_t)v, out);
}

/* Zone suffix: "Z", "+0900", "+09:00", "-05:00". Returns the bytes used (0: none) and sets the
 * offset in seconds; -1 when malformed. */
static int parse_zone(const char *p, size_t n, int64_t *off)
{
    *off = 0;
    if (n == 0)
        return 0;
    if (p[0] == 'Z' || p[0] == 'z')
        return 1;
    if (p[0] != '+' && p[0] != '-')
        return 0;
    int hh = n >= 3 ? digits(p + 1, 2) : -1, mm, used;
    if (hh < 0)
        return -1;
    if (n >= 6 && p[3] == ':') {
        mm = digits(p + 4, 2);
        used = 6;
    } else if (n >= 5) {
        mm = digits(p + 3, 2);
        used = 5;
    } else {
        mm = 0;
        used = 3;
    }
    if (mm < 0 || hh > 23 || mm > 59)
        return -1;
    *off = (int64_t)(hh * 3600 + mm * 60) * (p[0] == '-' ? -1 : 1);
    return used;
}

/* ISO 8601 "YYYY-MM-DD[T ]HH:MM:SS[.frac][zone]"; a time without a zone is taken as UTC.
 * Returns the bytes used, 0 when it is not one. */
static size_t parse_iso(const char *p, size_t n, char out[21])
{
    if (n < 19 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ') || p[13] != ':' ||
        p[16] != ':')
        return 0;
    int y = digits(p, 4), mo = digits(p + 5, 2), d = digits(p + 8, 2), h = digits(p + 11, 2),
        mi = digits(p + 14, 2), s = digits(p + 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0)
        return 0;
    size_t i = 19;
    if (i < n && (p[i] == '.' || p[i] == ',')) {
        i++;
        while (i < n && is_digit(p[i]))
            i++;
    }
    int64_t off;
    int z = parse_zone(p + i, n - i, &off);
    if (z < 0)
        return 0;
    i += (size_t)z;
    return fmt_time(y, mo, d, h, mi, s, off, out) ? i : 0;
}

static int month_of(const char *p)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int m = 0; m < 12; m++) {
        if (memcmp(p, names + 3 * m, 3) == 0)
            return m + 1;
    }
    return 0;
}

/* "[21/Nov/2026:10:00:00 +0900]" anywhere in the line (Apache/nginx). */
static int parse_clf(const char *p, size_t n, char out[21])
{
    const char *b = memchr(p, '[', n);
    while (b != NULL) {
        size_t rest = n - (size_t)(b - p);
        if (rest >= 28 && b[3] == '/' && b[7] == '/' && b[12] == ':' && b[15] == ':' &&
            b[18] == ':' && b[21] == ' ') {
            int d = digits(b + 1, 2), mo = month_of(b + 4), y = digits(b + 8, 4),
                h = digits(b + 13, 2), mi = digits(b + 16, 2), s = digits(b + 19, 2);
            int64_t off;
            int z = parse_zone(b + 22, rest - 22, &off);
            if (d > 0 && mo > 0 && y > 0 && h >= 0 && mi >= 0 && s >= 0 && z == 5 && b[27] == ']' &&
                fmt_time(y, mo, d, h, mi, s, off, out))
                return 1;
        }
        b = memchr(b + 1, '[', rest - 1);
    }
    return 0;
}

/* BSD syslog "Nov 21 10:00:00" (day may be space-padded). The year is not in the line. */
static int parse_syslog(const char *p, size_t n, int64_t now, char out[21], size_t *used)
{
    if (n < 15 || p[3] != ' ')
        return 0;
    int mo = month_of(p);
    size_t i = 4;
    if (p[i] == ' ')
        i++;
    int d = 0;
    while (i < n && is_digit(p[i]) && d < 100)
        d = d * 10 + (p[i++] - '0');
    if (mo == 0 || d == 0 || i + 9 > n || p[i] != ' ' || p[i + 3] != ':' || p[i + 6] != ':')
        return 0;
    int h = digits(p + i + 1, 2), mi = digits(p + i + 4, 2), s = digits(p + i + 7, 2);
    if (h < 0 || mi < 0 || s < 0)
        return 0;
    struct tm g;
    time_t tn = (time_t)now;
    if (gmtime_r(&tn, &g) == NULL)
        return 0;
    int y = g.tm_year + 1900;
    if (!fmt_time(y, mo, d, h, mi, s, 0, out))
        return 0;
    /* A December line read in January belongs to last year. */
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    if ((int64_t)timegm(&tm) > now + 86400 && !fmt_time(y - 1, mo, d, h, mi, s, 0, out))
        return 0;
    *used = i + 9;
    return 1;
}

/* Copies [p, p+n) into out when it is an IP address (brackets stripped). */
static int take_ip(const char *p, size_t n, char *out, size_t cap)
{
    char tmp[64];
    unsigned char bin[16];
    if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
        p++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof tmp || n >= cap)
        return 0;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    if (inet_pton(AF_INET, tmp, bin) != 1 && inet_pton(AF_INET6, tmp, bin) != 1)
        return 0;
    memcpy(out, tmp, n + 1);
    return 1;
}

/* Copies a host name or address: letters, digits, '.', '-', '_', ':' and at least one letter
 * or digit; "-" (a missing field) is not a host. */
static int take_host(const char *p, size_t n, char *out, size_t cap)
{
    if (take_ip(p, n, out, cap))
        return 1;
    if (n == 0 || n >= cap || n > 253)
        return 0;
    int alnum = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c);
        alnum |= ok;
        if (!ok && c != '.' && c != '-' && c != '_')
            return 0;
    }
    if (!alnum || p[0] == '.' || p[0] == '-')
        return 0;
    memcpy(out, p, n);
    out[n] = '\0';
    return 1;
}

/* The first IPv4 or IPv6 address in the line, bounded by bytes that cannot be part of one. */
static void first_ip(const char *p, size_t n, char *out, size_t cap)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && !(is_digit(p[i]) || (p[i] >= 'a' && p[i] <= 'f') ||
                          (p[i] >= 'A' && p[i] <= 'F') || p[i] == ':'))
            i++;
        size_t st = i;
        while (i < n && (is_digit(p[i]) || (p[i] >= 'a' && p[i] <= 'f') ||
                         (p[i] >= 'A' && p[i] <= 'F') || p[i] == ':' || p[i] == '.'))
            i++;
        size_t len = i - st;
        /* Trim a trailing ":port"-less colon or dot (end of sentence). */
        while (len > 0 && (p[st + len - 1] == '.' ||
                           (p[st + len - 1] == ':' && len > 1 && p[st + len - 2] != ':')))
            len--;
        if (len >= 7 && take_ip(p + st, len, out, cap))
            return;
        /* "1.2.3.4:80": the address before the port. */
        const char *colon = memchr(p + st, ':', len);
        if (colon != NULL && memchr(p + st, '.', (size_t)(colon - (p + st))) != NULL &&
            take_ip(p + st, (size_t)(colon - (p + st)), out, cap))
            return;
        if (i == st)
            i++;
    }
}

/* The string value of "key": in a JSON line, [*v, *v + *vn); numbers too (unquoted). */
static int json_value(const char *p, size_t n, const char *key, const char **v, size_t *vn)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl + 3 <= n; i++) {
        if (p[i] != '"' || memcmp(p + i + 1, key, kl) != 0 || p[i + 1 + kl] != '"')
            continue;
        size_t j = i + 2 + kl;
        while (j < n && is_blank(p[j]))
            j++;
        if (j >= n || p[j] != ':')
            continue;
        j++;
        while (j < n && is_blank(p[j]))
            j++;
        if (j < n && p[j] == '"') {
            size_t e = j + 1;
            while (e < n && p[e] != '"' && p[e] != '\\')
                e++;
            if (e >= n || p[e] != '"')
                return 0;
            *v = p + j + 1;
            *vn = e - j - 1;
            return 1;
        }
        size_t e = j;
        while (e < n && (is_digit(p[e]) || p[e] == '.'))
            e++;
        *v = p + j;
        *vn = e - j;
        return e > j;
    }
    return 0;
}

static void parse_json(const char *p, size_t n, struct rk__sweep_line *out)
{
    static const char *const time_keys[] = {"ts", "timestamp", "@timestamp", "time", NULL};
    static const char *const host_keys[] = {"id.orig_h", "src_ip", "client_ip", "clientip",
                                            "src",       "client", NULL};
    const char *v;
    size_t vn;
    for (int k = 0; time_keys[k] != NULL && out->time[0] == '\0'; k++) {
        if (json_value(p, n, time_keys[k], &v, &vn) && !parse_epoch(v, vn, out->time) &&
            parse_iso(v, vn, out->time) != vn)
            out->time[0] = '\0';
    }
    for (int k = 0; host_keys[k] != NULL && out->host[0] == '\0'; k++) {
        if (json_value(p, n, host_keys[k], &v, &vn))
            take_host(v, vn, out->host, sizeof out->host);
    }
}

void rk__sweep_line_parse(const char *p, size_t n, int64_t now, struct rk__sweep_line *out)
{
    const char *f[MAX_FIELDS];
    size_t fl[MAX_FIELDS], nf = 0, i = 0, used;
    out->host[0] = '\0';
    out->time[0] = '\0';
    while (i < n && is_blank(p[i]))
        i++;
    if (i < n && p[i] == '{') {
        parse_json(p + i, n - i, out);
        goto fallback;
    }
    while (i < n && nf < MAX_FIELDS) {
        size_t st = i;
        while (i < n && !is_blank(p[i]))
            i++;
        f[nf] = p + st;
        fl[nf++] = i - st;
        while (i < n && is_blank(p[i]))
            i++;
    }
    if (nf == 0)
        return;
    if (parse_epoch(f[0], fl[0], out->time)) {
        /* squid: ts elapsed client ...; Zeek TSV: ts uid id.orig_h ... */
        if (nf > 2)
            take_host(f[2], fl[2], out->host, sizeof out->host);
    } else if ((used = parse_iso(f[0], n - (size_t)(f[0] - p), out->time)) > 0) {
        /* The date and time may be two fields ("2026-11-21 10:00:00"). */
        const char *after = f[0] + used;
        for (size_t k = 1; k < nf; k++) {
            if (f[k] >= after) {
                take_host(f[k], fl[k], out->host, sizeof out->host);
                break;
            }
        }
    } else if (parse_clf(p, n, out->time)) {
        take_host(f[0], fl[0], out->host, sizeof out->host);
    } else if (parse_syslog(f[0], n - (size_t)(f[0] - p), now, out->time, &used)) {
        const char *after = f[0] + used;
        for (size_t k = 1; k < nf; k++) {
            if (f[k] >= after) {
                take_host(f[k], fl[k], out->host, sizeof out->host);
                break;
            }
        }
    }
fallback:
    if (out->host[0] == '\0')
        first_ip(p, n, out->host, sizeof out->host);
}
