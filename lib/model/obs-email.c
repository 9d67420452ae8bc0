/*
 * E-mail addresses. Canonical form: the local part exactly as given (it is case-sensitive in
 * principle, and Japanese carrier addresses such as "taro..yamada.@docomo.ne.jp" break the RFC
 * dot rules yet are real) and the domain in canonical domain form (lower case, A-label).
 */
#include "obs-internal.h"

#include <string.h>

/* The local-part size limit of RFC 5321 4.5.3.1.1. */
#define RK_EMAIL_LOCAL_MAX 64u

int rk__obs_email_local_char(unsigned char c)
{
    return rk__is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' ||
           c == '=' || c == '!' || c == '#' || c == '$' || c == '&' || c == '\'' || c == '*' ||
           c == '/' || c == '?' || c == '^' || c == '`' || c == '{' || c == '|' || c == '}' ||
           c == '~';
}

enum rk_status rk__obs_email(const char *s, size_t n, struct rk__obs_out *o)
{
    const char *at = memchr(s, '@', n);
    if (at == NULL)
        return RK_EINVAL;
    size_t ln = (size_t)(at - s);
    if (ln == 0 || ln > RK_EMAIL_LOCAL_MAX || memchr(at + 1, '@', n - ln - 1) != NULL)
        return RK_EINVAL;
    for (size_t i = 0; i < ln; i++)
        if (!rk__obs_email_local_char((unsigned char)s[i]))
            return RK_EINVAL;
    struct rk__obs_out d;
    rk__obs_out_init(&d);
    enum rk_status rc = rk__obs_domain(at + 1, n - ln - 1, &d);
    if (rc == RK_OK)
        rc = rk_buf_add(&o->canon, s, ln + 1);
    if (rc == RK_OK)
        rc = rk_buf_add(&o->canon, d.canon.data, d.canon.len);
    if (rc == RK_OK && d.disp.len > 0) {
        rc = rk_buf_add(&o->disp, s, ln + 1);
        if (rc == RK_OK)
            rc = rk_buf_add(&o->disp, d.disp.data, d.disp.len);
    }
    rk__obs_out_free(&d);
    return rc;
}
