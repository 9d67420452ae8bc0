/*
 * Domain names. The canonical form is the A-label (punycode) form in lower case without a
 * trailing dot; an internationalised name keeps its Unicode form for display. A name counts as
 * a domain only when its last label is a top-level domain of the Public Suffix List (libpsl's
 * built-in copy, which is immutable and so safe to share between threads): that is what keeps
 * "report.final" or "version.2" out. The registrable domain ("eTLD+1") also comes from libpsl.
 */
#include "obs-internal.h"

#include <idn2.h>
#include <libpsl.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/limits.h"

/* The longest DNS name in text form (RFC 1035: 255 octets on the wire). */
#define RK_DNS_NAME_MAX  253u
#define RK_DNS_LABEL_MAX 63u

int rk__obs_is_tld(const char *s, size_t n)
{
    char tld[RK_DNS_LABEL_MAX + 1];
    if (n == 0 || n > RK_DNS_LABEL_MAX)
        return 0;
    /* The commonest TLDs of cyber cases, all in the list, answered without a lookup. */
    static const char *const common[] = {"com", "net",  "org", "jp",     "info", "top", "xyz",
                                         "cn",  "shop", "icu", "online", "io",   "co",  "ru"};
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (strlen(common[i]) == n && memcmp(common[i], s, n) == 0)
            return 1;
    memcpy(tld, s, n);
    tld[n] = '\0';
    return psl_is_public_suffix2(psl_builtin(), tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}

/* Validates a lower-case ASCII name (LDH labels, a known TLD); returns 1 if it is a domain. */
static int ascii_domain_ok(const char *s, size_t n, int *has_alabel)
{
    if (n == 0 || n > RK_DNS_NAME_MAX)
        return 0;
    size_t labels = 0, start = 0;
    *has_alabel = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') {
            unsigned char c = (unsigned char)s[i];
            if (!(rk__is_digit(c) || (c >= 'a' && c <= 'z') || c == '-'))
                return 0;
            continue;
        }
        size_t len = i - start;
        if (len == 0 || len > RK_DNS_LABEL_MAX || s[start] == '-' || s[i - 1] == '-')
            return 0;
        if (len >= 4 && memcmp(s + start, "xn--", 4) == 0)
            *has_alabel = 1;
        labels++;
        if (i == n) {
            if (labels < 2)
                return 0;
            /* The top-level domain: letters, or an A-label. */
            int alpha = 1;
            for (size_t j = start; j < i; j++)
                if (!(s[j] >= 'a' && s[j] <= 'z'))
                    alpha = 0;
            if (!alpha && !(len >= 4 && memcmp(s + start, "xn--", 4) == 0))
                return 0;
            if (!rk__obs_is_tld(s + start, len))
                return 0;
        }
        start = i + 1;
    }
    return labels >= 2;
}

/* Converts a NUL-terminated A-label name to its Unicode form into `disp`; 0 if invalid. */
static enum rk_status to_unicode(const char *ascii, struct rk_buf *disp)
{
    char *u = NULL;
    if (idn2_to_unicode_8z8z(ascii, &u, 0) != IDN2_OK)
        return RK_EINVAL;
    /* A Unicode form that still has an "xn--" label means the A-label did not decode. */
    enum rk_status rc = strstr(u, "xn--") != NULL ? RK_EINVAL : rk_buf_adds(disp, u);
    /* Memory from libidn2 is released with libidn2's own deallocator. */
    idn2_free(u);
    return rc;
}

enum rk_status rk__obs_domain(const char *s, size_t n, struct rk__obs_out *o)
{
    char buf[RK_DNS_NAME_MAX * 4 + 8];
    int ascii = 1, has_alabel = 0;
    while (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0 || n > sizeof buf - 1)
        return RK_EINVAL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            ascii = 0;
    size_t start = o->canon.len;
    enum rk_status rc;
    if (ascii) {
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)rk__lower((unsigned char)s[i]);
        buf[n] = '\0';
        if (!ascii_domain_ok(buf, n, &has_alabel))
            return RK_EINVAL;
        if (has_alabel) {
            rc = to_unicode(buf, &o->disp);
            if (rc != RK_OK) {
                rk_buf_reset(&o->disp);
                return rc;
            }
        }
        return rk_buf_add(&o->canon, buf, n);
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *a = NULL;
    if (idn2_to_ascii_8z(buf, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK)
        return RK_EINVAL;
    size_t an = strlen(a);
    while (an > 0 && a[an - 1] == '.')
        a[--an] = '\0';
    if (!ascii_domain_ok(a, an, &has_alabel)) {
        idn2_free(a);
        return RK_EINVAL;
    }
    rc = rk_buf_add(&o->canon, a, an);
    if (rc == RK_OK && has_alabel)
        rc = to_unicode(a, &o->disp);
    idn2_free(a);
    if (rc != RK_OK) {
        if (o->canon.data != NULL) {
            o->canon.len = start;
            o->canon.data[start] = '\0';
        }
        rk_buf_reset(&o->disp);
    }
    return rc;
}

enum rk_status rk__obs_host(const char *s, size_t n, struct rk_buf *out, struct rk_buf *disp,
                            enum rk_obs_type *kind)
{
    struct rk__obs_out t;
    rk__obs_out_init(&t);
    enum rk_status rc;
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        *kind = RK_OBS_IPV6;
        rc = rk__obs_ipv6(s, n, &t);
        if (rc == RK_OK)
            rc = rk_buf_addc(out, '[');
        if (rc == RK_OK)
            rc = rk_buf_add(out, t.canon.data, t.canon.len);
        if (rc == RK_OK)
            rc = rk_buf_addc(out, ']');
        goto out;
    }
    *kind = RK_OBS_IPV4;
    rc = rk__obs_ipv4(s, n, &t);
    if (rc == RK_EINVAL) {
        *kind = RK_OBS_DOMAIN;
        rc = rk__obs_domain(s, n, &t);
    }
    if (rc == RK_OK)
        rc = rk_buf_add(out, t.canon.data, t.canon.len);
    if (rc == RK_OK && disp != NULL && t.disp.len > 0)
        rc = rk_buf_add(disp, t.disp.data, t.disp.len);
out:
    rk__obs_out_free(&t);
    return rc;
}

enum rk_status rk_obs_registrable_domain(const char *host, char **out)
{
    struct rk__obs_out t;
    enum rk_status rc;
    *out = NULL;
    rk__obs_out_init(&t);
    rc = rk__obs_refang(host, strlen(host), &t.disp, NULL);
    if (rc != RK_OK)
        goto out;
    if (t.disp.len > RK_MAX_OBS_VALUE) {
        rc = RK_ETOOBIG;
        goto out;
    }
    char *in = rk_buf_steal(&t.disp);
    if (in == NULL) {
        rc = RK_ENOMEM;
        goto out;
    }
    rc = rk__obs_domain(in, strlen(in), &t);
    rk_free(in);
    if (rc != RK_OK)
        goto out;
    const char *reg = psl_registrable_domain(psl_builtin(), t.canon.data);
    if (reg == NULL) {
        rc = RK_EINVAL; /* the name is itself a public suffix ("co.jp") */
        goto out;
    }
    *out = rk_strdup(reg);
    if (*out == NULL)
        rc = RK_ENOMEM;
out:
    rk__obs_out_free(&t);
    return rc;
}
