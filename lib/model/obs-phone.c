/*
 * Phone numbers, written in E.164 ("+81312345678"). Japanese numbers are checked against the
 * numbering plan's lengths: fixed lines 0 + 9 digits (03-1234-5678), mobile and IP phones
 * 070/080/090/050/020 + 8 (11 digits), 0120/0570/0180/0990 + 6 (10 digits), 0800 + 7. The
 * "+81" forms, "+81 (0)3 ...", full-width digits and every hyphen a Japanese input method
 * produces (－ ‐ − ー ｰ ―) are read. Other countries are accepted in "+" form with 8..15
 * digits. A number glued to more digits or letters is not read, so that order numbers and
 * parts of IP addresses do not turn into phones.
 */
#include "obs-internal.h"

#include <string.h>

/* E.164 allows at most 15 digits. */
#define RK_E164_MAX 15

/* A digit (ASCII or full-width) at p: returns its byte length and sets *d, else 0. */
static size_t digit_at(const unsigned char *p, size_t avail, int *d)
{
    if (avail >= 1 && rk__is_digit(p[0])) {
        *d = p[0] - '0';
        return 1;
    }
    if (avail >= 3 && p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
        *d = p[2] - 0x90;
        return 3;
    }
    return 0;
}

/* A separator between digit groups: returns its byte length, else 0. `paren` is set for an
 * opening or closing parenthesis. */
static size_t sep_at(const unsigned char *p, size_t avail, int *paren)
{
    *paren = 0;
    if (avail >= 1 && (p[0] == '-' || p[0] == ' ' || p[0] == '.'))
        return 1;
    if (avail >= 1 && (p[0] == '(' || p[0] == ')')) {
        *paren = 1;
        return 1;
    }
    if (avail < 3)
        return 0;
    static const unsigned char seps[][3] = {
        {0xEF, 0xBC, 0x8D}, /* － */
        {0xE2, 0x80, 0x90}, /* ‐ */
        {0xE2, 0x80, 0x91}, /* ‑ */
        {0xE2, 0x80, 0x93}, /* – */
        {0xE2, 0x80, 0x94}, /* — */
        {0xE2, 0x80, 0x95}, /* ― */
        {0xE2, 0x88, 0x92}, /* − */
        {0xE3, 0x83, 0xBC}, /* ー */
        {0xEF, 0xBD, 0xB0}, /* ｰ */
        {0xE3, 0x80, 0x80}, /* ideographic space */
    };
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++)
        if (memcmp(p, seps[i], 3) == 0)
            return 3;
    if (memcmp(p, "\xEF\xBC\x88", 3) == 0 || memcmp(p, "\xEF\xBC\x89", 3) == 0) { /* （ ） */
        *paren = 1;
        return 3;
    }
    return 0;
}

/* Checks a Japanese national number without its leading 0. */
static int jp_national_ok(const char *d, size_t n)
{
    if (n < 9 || d[0] == '0')
        return 0;
    static const struct {
        const char *prefix;
        size_t len;
    } plan[] = {
        {"70", 10}, {"80", 10},  {"90", 10}, {"50", 10}, {"20", 10},
        {"120", 9}, {"800", 10}, {"570", 9}, {"180", 9}, {"990", 9},
    };
    for (size_t i = 0; i < sizeof plan / sizeof plan[0]; i++) {
        size_t k = strlen(plan[i].prefix);
        if (memcmp(d, plan[i].prefix, k) == 0)
            return n == plan[i].len;
    }
    return n == 9;
}

size_t rk__obs_phone_scan(const unsigned char *p, size_t avail, struct rk__obs_out *o,
                          enum rk_status *rc)
{
    char digits[RK_E164_MAX + 4];
    size_t nd = 0, i = 0, end = 0, k;
    int plus = 0, d, paren, seps = 0, trunk_at = -1;
    *rc = RK_OK;
    if ((k = sep_at(p, avail, &paren)) > 0 && paren)
        i += k; /* "(03) 1234-5678" */
    if (i < avail && p[i] == '+') {
        plus = 1;
        i++;
    } else if (avail - i >= 3 && memcmp(p + i, "\xEF\xBC\x8B", 3) == 0) { /* ＋ */
        plus = 1;
        i += 3;
    }
    if (digit_at(p + i, avail - i, &d) == 0)
        return 0;
    while (i < avail) {
        if ((k = digit_at(p + i, avail - i, &d)) > 0) {
            if (nd >= sizeof digits - 1)
                return 0;
            digits[nd++] = (char)('0' + d);
            i += k;
            end = i;
            seps = 0;
            continue;
        }
        if ((k = sep_at(p + i, avail - i, &paren)) > 0 && seps < 2) {
            /* "+81 (0)3-..." : remember where a parenthesised trunk 0 sits. */
            if (plus && paren && p[i] == '(' && trunk_at < 0)
                trunk_at = (int)nd;
            i += k;
            seps++;
            continue;
        }
        break;
    }
    /* Glued to more letters or digits: not a phone number on its own. */
    if (end < avail && (rk__is_alnum(p[end]) || digit_at(p + end, avail - end, &d) > 0))
        return 0;
    digits[nd] = '\0';
    if (plus) {
        if (nd >= 2 && digits[0] == '8' && digits[1] == '1') {
            const char *nat = digits + 2;
            size_t nn = nd - 2;
            /* "+81 (0)3-..." and the common mistake "+81 090-..." both carry the trunk 0. */
            (void)trunk_at;
            if (nn > 0 && nat[0] == '0') {
                nat++;
                nn--;
            }
            if (!jp_national_ok(nat, nn))
                return 0;
            *rc = rk_buf_adds(&o->canon, "+81");
            if (*rc == RK_OK)
                *rc = rk_buf_add(&o->canon, nat, nn);
            return end;
        }
        if (nd < 8 || nd > RK_E164_MAX || digits[0] == '0')
            return 0;
        *rc = rk_buf_addc(&o->canon, '+');
        if (*rc == RK_OK)
            *rc = rk_buf_add(&o->canon, digits, nd);
        return end;
    }
    if (nd < 10 || digits[0] != '0' || !jp_national_ok(digits + 1, nd - 1))
        return 0;
    *rc = rk_buf_adds(&o->canon, "+81");
    if (*rc == RK_OK)
        *rc = rk_buf_add(&o->canon, digits + 1, nd - 1);
    return end;
}

enum rk_status rk__obs_phone(const char *s, size_t n, struct rk__obs_out *o)
{
    enum rk_status rc;
    size_t got = rk__obs_phone_scan((const unsigned char *)s, n, o, &rc);
    if (rc != RK_OK)
        return rc;
    if (got == 0)
        return RK_EINVAL;
    /* A closing parenthesis may follow: "(03)1234-5678" ends in a digit anyway. */
    if (got != n) {
        rk_buf_reset(&o->canon);
        return RK_EINVAL;
    }
    return RK_OK;
}
