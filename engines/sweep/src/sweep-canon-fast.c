/*
 * The index builder's fast path of rk__sw_canon_indicator() for the shapes that make up almost
 * every line of a plain indicator list: a hex hash, a plain IPv4 address or IPv4 range, an
 * ASCII host name, an e-mail address, an http(s) URL. Reading and canonicalising the text is
 * the larger part of building an index from it (docs/performance.md), and for these shapes the
 * general path spends most of its time deciding what a value is: up to five memchr() calls
 * (refanging, "://", '@', '/'), an IPv6 parse of every host name, a hash decoded a digit at a
 * time. Here a hash is checked and decoded 16 digits at a time, an IPv4 address or range is
 * parsed in one pass that also reads the prefix, and for the rest one pass of SSE2 compares
 * (up to 64 bytes) finds the few bytes that decide the shape ('@', ':', '/', '[', '(', non-ASCII);
 * the value then goes straight to the canonicaliser of its shape.
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

/* Up to 16 bytes of s[0, k) (k >= 1) in a vector, without reading past s + k: two overlapping
 * loads of 8 or 4 bytes for a short part, the unused lanes '0' (a digit, in no class that is
 * looked for). Every byte of the part is in some lane, which is all a class test needs. */
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
    __m128i ab = _mm_unpacklo_epi32(_mm_cvtsi32_si128((int)a), _mm_cvtsi32_si128((int)b));
    return _mm_unpacklo_epi64(ab, _mm_set1_epi8('0'));
}

/* The bytes that decide a value's shape once it is neither a hash nor an IPv4 address. */
enum {
    HAS_AT = 1,    /* '@' */
    HAS_COLON = 2, /* ':' */
    HAS_SLASH = 4, /* '/' */
    HAS_BRK = 8,   /* '[' or '(': defanged */
    HAS_HIGH = 16, /* a byte >= 0x80 */
};

static unsigned specials(const char *s, size_t n)
{
    __m128i at = _mm_setzero_si128(), colon = at, slash = at, brk = at, high = at;
    for (size_t i = 0; i < n; i += 16) {
        size_t at16 = i + 16 <= n || n < 16 ? i : n - 16; /* the last part ends at n */
        __m128i v = load_part(s + at16, n - at16);
        at = _mm_or_si128(at, _mm_cmpeq_epi8(v, _mm_set1_epi8('@')));
        colon = _mm_or_si128(colon, _mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
        slash = _mm_or_si128(slash, _mm_cmpeq_epi8(v, _mm_set1_epi8('/')));
        brk = _mm_or_si128(brk, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('[')),
                                             _mm_cmpeq_epi8(v, _mm_set1_epi8('('))));
        high = _mm_or_si128(high, v);
    }
    return (_mm_movemask_epi8(at) ? HAS_AT : 0) | (_mm_movemask_epi8(colon) ? HAS_COLON : 0) |
           (_mm_movemask_epi8(slash) ? HAS_SLASH : 0) | (_mm_movemask_epi8(brk) ? HAS_BRK : 0) |
           (_mm_movemask_epi8(high) ? HAS_HIGH : 0);
}

/* Whether s[0, n) (n = 32, 40 or 64) is all hex digits. */
static int all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i += 16) {
        __m128i v =
            n - i >= 16
                ? _mm_loadu_si128((const __m128i *)(const void *)(s + i))
                : _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(const void *)(s + i)),
                                     _mm_set1_epi8('0'));
        __m128i lw = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* letters to lower case */
        __m128i hex = _mm_or_si128(rk__sw_in_range16(v, '0', '9'), rk__sw_in_range16(lw, 'a', 'f'));
        if (_mm_movemask_epi8(hex) != 0xffff)
            return 0;
    }
    return 1;
}

/*
 * An IPv4 address, or one with a "/prefix" of one or two digits, filling s[0, n): the key (the
 * range's host bits cleared) in out[0, 4). What rk__sw_parse_ip4() takes for the address part
 * (four parts of one to three digits, each at most 255, dots between) and canon_detect() for
 * the prefix (at most 32); a three-digit prefix is left to the general path. Returns 1 or 0.
 */
static int ip4_fast(const char *s, size_t n, uint8_t out[4], enum rk_sweep_type *type,
                    uint8_t *plen)
{
    uint32_t a;
    size_t i;
    if (!rk__sw_ip4_head(s, n, &i, &a))
        return 0;
    unsigned p = 32;
    if (i < n) {
        unsigned d0, d1;
        if (s[i] != '/' || i + 1 >= n || (d0 = (unsigned)(unsigned char)s[i + 1] - '0') > 9)
            return 0; /* a fourth digit, or anything else after the address */
        p = d0;
        if (i + 2 < n) {
            if (i + 3 != n || (d1 = (unsigned)(unsigned char)s[i + 2] - '0') > 9)
                return 0;
            p = p * 10 + d1;
        }
        if (p > 32)
            return 0;
        a &= p == 0 ? 0 : ~(uint32_t)0 << (32 - p); /* the host bits cleared */
        *type = RK_SWEEP_CIDR4;
        *plen = (uint8_t)p;
    } else {
        *type = RK_SWEEP_IPV4;
        *plen = 0;
    }
    out[0] = (uint8_t)(a >> 24);
    out[1] = (uint8_t)(a >> 16);
    out[2] = (uint8_t)(a >> 8);
    out[3] = (uint8_t)a;
    return 1;
}

/* Decodes the n hex digits of buf (n = 32, 40 or 64, all checked) into n / 2 bytes of out:
 * 16 digits a step, each pair's nibbles joined in its 16-bit lane and packed. */
static void hex_decode(const char *s, size_t n, uint8_t *out)
{
    uint8_t tmp[32];
    for (size_t i = 0; i < n; i += 16) {
        __m128i v = n - i >= 16 ? _mm_loadu_si128((const __m128i *)(const void *)(s + i))
                                : _mm_loadl_epi64((const __m128i *)(const void *)(s + i));
        __m128i dig = rk__sw_in_range16(v, '0', '9');
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
                         uint8_t *out, size_t cap, struct rk__sw_fast_key *fk)
{
    fk->dots = RK__SW_DOTS_UNKNOWN;
    fk->host_len = 0;
    if (n - 1 >= FAST_MAX) /* empty (n - 1 wraps) or long */
        return 0;
    /* Trimmed by the general path first: an end of ' ', '\t' (either) or '\r' (the last).
     * One compare each end for the common value, whose ends are above ' '. */
    unsigned char c0 = (unsigned char)s[0], c1 = (unsigned char)s[n - 1];
    if ((c0 <= ' ' || c1 <= ' ') &&
        (c0 == ' ' || c0 == '\t' || c1 == ' ' || c1 == '\t' || c1 == '\r'))
        return 0;

    /* Hashes come first in canon_detect(): 32, 40 or 64 hex digits (no refanging: no '[',
     * '(' nor "hxxp" in them). */
    if ((n == 32 || n == 40 || n == 64) && all_hex(s, n)) {
        if (cap < n / 2)
            return 0;
        hex_decode(s, n, out);
        *type = n == 32 ? RK_SWEEP_MD5 : n == 40 ? RK_SWEEP_SHA1 : RK_SWEEP_SHA256;
        *plen = 0;
        return n / 2;
    }

    /* Digits and dots, and "/prefix": canon_detect() reaches the same parse (nothing to
     * refang, no "://" nor '@' in such a value). A value ip4_fast() declines goes on below:
     * a host name or an address may start with a digit too. */
    if ((unsigned)(unsigned char)s[0] - '0' <= 9 && cap >= 4 && ip4_fast(s, n, out, type, plen))
        return 4;

    unsigned sp = specials(s, n);
    if ((sp & HAS_BRK) || hxxp_prefix(s, n))
        return 0; /* refang() first */

    /* No '@', ':' or '/', all ASCII: neither an e-mail address, a URL nor a range; not an
     * IPv4 address (declined above, and rk__sw_canon_host() wants a letter in the last label
     * of one that was not) nor an IPv6 one (no ':'): canon_detect() ends in
     * rk__sw_canon_host(), which checks every byte. */
    if ((sp & (HAS_AT | HAS_COLON | HAS_SLASH | HAS_HIGH)) == 0) {
        size_t r = rk__sw_canon_host_dots(s, n, 1, (char *)out, cap, &fk->dots);
        if (r == 0)
            return 0;
        *type = RK_SWEEP_DOMAIN;
        *plen = 0;
        return r;
    }

    /* An '@' and no ':' (so no "://"): canon_detect() ends in rk__sw_canon_email(). */
    if ((sp & (HAS_AT | HAS_COLON)) == HAS_AT) {
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
        fk->host_off = url.host_off;
        fk->host_len = url.host_type == RK_SWEEP_DOMAIN ? url.host_len : 0;
        *type = RK_SWEEP_URL;
        *plen = 0;
        return url.len;
    }
    return 0;
}

#else /* no SSE2: every value takes the general path */

size_t rk__sw_canon_fast(const char *s, size_t n, enum rk_sweep_type *type, uint8_t *plen,
                         uint8_t *out, size_t cap, struct rk__sw_fast_key *fk)
{
    (void)s;
    (void)n;
    (void)type;
    (void)plen;
    (void)out;
    (void)cap;
    (void)fk;
    return 0;
}

#endif
