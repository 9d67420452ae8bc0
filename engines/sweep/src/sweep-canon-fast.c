/*
 * The index builder's fast path of rk__sw_canon_indicator() for the shapes that make up almost
 * every line of a plain indicator list: a hex hash, a plain IPv4 address or IPv4 range, an
 * ASCII host name, an e-mail address, an http(s) URL. Reading and canonicalising the text is
 * the larger part of building an index from it (docs/performance.md), and for these shapes the
 * general path spends most of its time deciding what a value is: up to five memchr() calls
 * (refanging, "://", '@', '/'), an IPv6 parse of every host name, a hash decoded a digit at a
 * time. Here one pass of SSE2 compares over the value (up to 64 bytes) tells which byte
 * classes it holds, what those decisions need, and the value goes straight to the
 * canonicaliser of its shape.
 *
 * The rule that keeps the index bytes unchanged: the fast path answers only when it is sure to
 * give what rk__sw_canon_indicator() gives (same type, prefix length and key bytes), and it
 * returns 0 for everything else, rejections included, which then takes the general path. It
 * calls the same canonicalisers (rk__sw_parse_ip4, rk__sw_canon_host, rk__sw_canon_email,
 * rk__sw_canon_url) in the same cases, in the order canon_detect() would reach them.
 * tests/test_sweep_canonfast.c compares both paths over a table of inputs and variants of it.
 */
#include "sweep-canon-fast.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if defined(__SSE2__)

/* Values longer than this take the general path (list values are mostly far shorter). */
#define FAST_MAX 64u

/* What the decisions need of a value's bytes: whether all of them are in a class, whether any
 * is a given byte. */
struct classes {
    int all_hex, all_host, all_ip, all_digdot; /* all_ip: digits, dots and '/' */
    int any_at, any_colon, any_brk;
};

static inline __m128i in_range(__m128i v, char lo, char hi)
{
    /* Signed compares: bytes >= 0x80 fall out of every ASCII range. */
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1))));
}

/* Up to 16 bytes of s[0, k) (k >= 1) in a vector, without reading past s + k: two overlapping
 * loads of 8 or 4 bytes for a short part, the unused lanes '0' (a digit: in every "all" class
 * and in no "any" one). Every byte of the part is in some lane, so the classes are right. */
static inline __m128i load_part(const char *s, size_t k)
{
    if (k >= 16)
        return _mm_loadu_si128((const __m128i *)(const void *)s);
    if (k >= 8)
        return _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(const void *)s),
                                  _mm_loadl_epi64((const __m128i *)(const void *)(s + k - 8)));
    uint32_t a, b;
    if (k >= 4) {
        memcpy(&a, s, 4);
        memcpy(&b, s + k - 4, 4);
    } else {
        a = 0x30303030u;
        memcpy(&a, s, k);
        b = a;
    }
    return _mm_unpacklo_epi64(
        _mm_unpacklo_epi32(_mm_cvtsi32_si128((int)a), _mm_cvtsi32_si128((int)b)),
        _mm_set1_epi8('0'));
}

/* Classifies s[0, n) 16 bytes at a time (the last part ending at n, overlapping the one before
 * it when n is not a multiple of 16). */
static void classify(const char *s, size_t n, struct classes *c)
{
    __m128i hex = _mm_set1_epi8(-1), host = hex, ip = hex, digdot = hex;
    __m128i at = _mm_setzero_si128(), colon = at, brk = at;
    for (size_t i = 0; i < n; i += 16) {
        size_t at16 = i + 16 <= n || n < 16 ? i : n - 16;
        __m128i v = load_part(s + at16, n - at16);
        __m128i lw = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* letters to lower case */
        __m128i dig = in_range(v, '0', '9');
        __m128i dot = _mm_cmpeq_epi8(v, _mm_set1_epi8('.'));
        __m128i dd = _mm_or_si128(dig, dot);
        hex = _mm_and_si128(hex, _mm_or_si128(dig, in_range(lw, 'a', 'f')));
        host =
            _mm_and_si128(host, _mm_or_si128(_mm_or_si128(dd, in_range(lw, 'a', 'z')),
                                             _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
                                                          _mm_cmpeq_epi8(v, _mm_set1_epi8('_')))));
        ip = _mm_and_si128(ip, _mm_or_si128(dd, _mm_cmpeq_epi8(v, _mm_set1_epi8('/'))));
        digdot = _mm_and_si128(digdot, dd);
        at = _mm_or_si128(at, _mm_cmpeq_epi8(v, _mm_set1_epi8('@')));
        colon = _mm_or_si128(colon, _mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
        brk = _mm_or_si128(brk, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('[')),
                                             _mm_cmpeq_epi8(v, _mm_set1_epi8('('))));
    }
    c->all_hex = _mm_movemask_epi8(hex) == 0xffff;
    c->all_host = _mm_movemask_epi8(host) == 0xffff;
    c->all_ip = _mm_movemask_epi8(ip) == 0xffff;
    c->all_digdot = _mm_movemask_epi8(digdot) == 0xffff;
    c->any_at = _mm_movemask_epi8(at) != 0;
    c->any_colon = _mm_movemask_epi8(colon) != 0;
    c->any_brk = _mm_movemask_epi8(brk) != 0;
}

/* Decodes the n hex digits of buf (n = 32, 40 or 64, all checked) into n / 2 bytes of out:
 * 16 digits a step, each pair's nibbles joined in its 16-bit lane and packed. */
static void hex_decode(const char *s, size_t n, uint8_t *out)
{
    uint8_t tmp[32];
    for (size_t i = 0; i < n; i += 16) {
        __m128i v = n - i >= 16 ? _mm_loadu_si128((const __m128i *)(const void *)(s + i))
                                : _mm_loadl_epi64((const __m128i *)(const void *)(s + i));
        __m128i dig = in_range(v, '0', '9');
        /* '0'..'9' -> 0..9; 'a'..'f' / 'A'..'F' -> 10..15 (lower-cased first). */
        __m128i lw = _mm_or_si128(v, _mm_set1_epi8(0x20));
        __m128i nd = _mm_sub_epi8(v, _mm_set1_epi8('0'));
        __m128i nl = _mm_sub_epi8(lw, _mm_set1_epi8('a' - 10));
        __m128i nib = _mm_or_si128(_mm_and_si128(dig, nd), _mm_andnot_si128(dig, nl));
        __m128i hi = _mm_and_si128(_mm_slli_epi16(nib, 4), _mm_set1_epi16(0x00f0));
        __m128i pair = _mm_or_si128(hi, _mm_srli_epi16(nib, 8));
        _mm_storel_epi64((__m128i *)(void *)(tmp + i / 2), _mm_packus_epi16(pair, pair));
    }
    memcpy(out, tmp, n / 2);
}

/* A value starting with "hxxp" in any case is refanged by the general path first. */
static inline int hxxp_prefix(const char *s, size_t n)
{
    return n >= 4 && (s[0] | 0x20) == 'h' && (s[1] | 0x20) == 'x' && (s[2] | 0x20) == 'x' &&
           (s[3] | 0x20) == 'p';
}

size_t rk__sw_canon_fast(const char *s, size_t n, enum rk_sweep_type *type, uint8_t *plen,
                         uint8_t *out, size_t cap)
{
    struct classes c;
    if (n == 0 || n > FAST_MAX || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
        s[n - 1] == '\t' || s[n - 1] == '\r')
        return 0; /* long, or trimmed by the general path first */
    classify(s, n, &c);
    if (c.any_brk)
        return 0; /* defanged, or no shape of ours: refang() first */

    /* Hashes come first in canon_detect(): 32, 40 or 64 hex digits. */
    if ((n == 32 || n == 40 || n == 64) && c.all_hex) {
        if (cap < n / 2)
            return 0;
        hex_decode(s, n, out);
        *type = n == 32 ? RK_SWEEP_MD5 : n == 40 ? RK_SWEEP_SHA1 : RK_SWEEP_SHA256;
        *plen = 0;
        return n / 2;
    }

    /* Digits and dots, with at most a "/prefix": an IPv4 address or range. canon_detect()
     * reaches the same parse (no "://", no '@' in such a value). */
    if (c.all_ip) {
        const char *sl = c.all_digdot ? NULL : memchr(s, '/', n);
        size_t an = sl != NULL ? (size_t)(sl - s) : n;
        uint8_t a[4];
        if (cap < 4 || !rk__sw_parse_ip4(s, an, a))
            return 0;
        if (an == n) {
            memcpy(out, a, 4);
            *type = RK_SWEEP_IPV4;
            *plen = 0;
            return 4;
        }
        size_t pl = n - an - 1;
        if (pl == 0 || pl > 2 || (unsigned)(s[n - 1] - '0') > 9 || (unsigned)(s[an + 1] - '0') > 9)
            return 0; /* a prefix of three digits (or a second '/') is the general path's */
        unsigned p = (unsigned)(s[an + 1] - '0');
        if (pl == 2)
            p = p * 10 + (unsigned)(s[an + 2] - '0');
        if (p > 32)
            return 0;
        uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
        v &= p == 0 ? 0 : ~(uint32_t)0 << (32 - p); /* the host bits cleared */
        out[0] = (uint8_t)(v >> 24);
        out[1] = (uint8_t)(v >> 16);
        out[2] = (uint8_t)(v >> 8);
        out[3] = (uint8_t)v;
        *type = RK_SWEEP_CIDR4;
        *plen = (uint8_t)p;
        return 4;
    }

    if (hxxp_prefix(s, n))
        return 0;

    /* Host-name bytes only, with a byte that is no digit nor dot: neither an IPv4 nor (no
     * ':') an IPv6 address, no '@' nor '/': canon_detect() ends in rk__sw_canon_host(). */
    if (c.all_host && !c.all_digdot) {
        size_t r = rk__sw_canon_host(s, n, 1, (char *)out, cap);
        if (r == 0)
            return 0;
        *type = RK_SWEEP_DOMAIN;
        *plen = 0;
        return r;
    }

    /* An '@' and no ':' (so no "://"): canon_detect() ends in rk__sw_canon_email(). */
    if (c.any_at && !c.any_colon) {
        size_t r = rk__sw_canon_email(s, n, (char *)out, cap);
        if (r == 0)
            return 0;
        *type = RK_SWEEP_EMAIL;
        *plen = 0;
        return r;
    }

    /* "http://" or "https://" first: that is the first "://", and the URL is all of it. */
    if (n > 8 && memcmp(s, "http", 4) == 0 &&
        (memcmp(s + 4, "://", 3) == 0 || memcmp(s + 4, "s://", 4) == 0)) {
        struct rk__sw_url url;
        if (!rk__sw_canon_url(s, n, (char *)out, cap, &url))
            return 0;
        *type = RK_SWEEP_URL;
        *plen = 0;
        return url.len;
    }
    return 0;
}

#else /* no SSE2: every value takes the general path */

size_t rk__sw_canon_fast(const char *s, size_t n, enum rk_sweep_type *type, uint8_t *plen,
                         uint8_t *out, size_t cap)
{
    (void)s;
    (void)n;
    (void)type;
    (void)plen;
    (void)out;
    (void)cap;
    return 0;
}

#endif
