/*
 * The sweep engine's own canonicaliser. The index stores every indicator in one canonical form
 * and the extractor puts every token into the same form before the lookup, so that matching is
 * byte equality (plus suffix and prefix walks for domains and CIDR ranges). The rules are those
 * of docs/sweep.md: addresses in binary (IPv6 printed per RFC 5952), host names lower-case
 * without a trailing dot and IDN as punycode, URLs with scheme and host lower-cased and the
 * default port dropped, hashes in binary, e-mail lower-cased.
 *
 * Everything here works on caller-supplied buffers and never allocates, except the rare IDN
 * conversion of a non-ASCII host (libidn2), which only indicator loading reaches.
 */
#include "sweep-int.h"

#include <idn2.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <strings.h>

#include "renkei/alloc.h"

/* ===== Tables ===== */

const signed char rk__sw_hex_tab[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1,
    -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/* Lower-case form of the bytes allowed in a host label; 0 for every other byte. */
const unsigned char rk__sw_host_tab[256] = {
    ['-'] = '-', ['_'] = '_', ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9', ['a'] = 'a', ['b'] = 'b',
    ['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i',
    ['j'] = 'j', ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o', ['p'] = 'p',
    ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't', ['u'] = 'u', ['v'] = 'v', ['w'] = 'w',
    ['x'] = 'x', ['y'] = 'y', ['z'] = 'z', ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd',
    ['E'] = 'e', ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j', ['K'] = 'k',
    ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r',
    ['S'] = 's', ['T'] = 't', ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
    ['Z'] = 'z'};

/* ===== Addresses ===== */

int rk__sw_parse_ip4(const char *s, size_t n, uint8_t out[4])
{
    /* The extractor calls this for every dotted run that starts with a digit (most of them
     * timestamps and version numbers), so a failure must come early and cheaply. A fourth
     * digit in a part leaves the address before it, which then does not fill s. */
    size_t end;
    uint32_t a;
    if (n < 7 || n > 15 || !rk__sw_ip4_head(s, n, &end, &a) || end != n)
        return 0;
    out[0] = (uint8_t)(a >> 24);
    out[1] = (uint8_t)(a >> 16);
    out[2] = (uint8_t)(a >> 8);
    out[3] = (uint8_t)a;
    return 1;
}

int rk__sw_parse_ip6(const char *s, size_t n, uint8_t out[16])
{
    uint16_t w[8] = {0};
    int nw = 0, gap = -1;
    size_t i = 0;
    if (n < 2 || n > 45)
        return 0;
    if (s[0] == ':') {
        if (s[1] != ':')
            return 0;
        gap = 0;
        i = 2;
        if (i == n)
            goto done;
    }
    while (i < n) {
        if (nw >= 8)
            return 0;
        size_t start = i;
        unsigned v = 0;
        while (i < n && i - start < 5 && rk__sw_hexval((unsigned char)s[i]) >= 0) {
            v = (v << 4) | (unsigned)rk__sw_hexval((unsigned char)s[i]);
            i++;
        }
        if (i < n && s[i] == '.') {
            /* A trailing dotted quad fills the last two words. */
            uint8_t q[4];
            if (nw > 6 || !rk__sw_parse_ip4(s + start, n - start, q))
                return 0;
            w[nw++] = (uint16_t)(q[0] << 8 | q[1]);
            w[nw++] = (uint16_t)(q[2] << 8 | q[3]);
            i = n;
            break;
        }
        if (i == start || i - start > 4)
            return 0;
        w[nw++] = (uint16_t)v;
        if (i == n)
            break;
        if (s[i] != ':')
            return 0;
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return 0;
            gap = nw;
            i++;
            if (i == n)
                break;
        } else if (i == n) {
            return 0;
        }
    }
done:
    if (gap < 0) {
        if (nw != 8)
            return 0;
    } else {
        if (nw > 7)
            return 0;
        int move = nw - gap;
        for (int k = 0; k < move; k++)
            w[7 - k] = w[nw - 1 - k];
        for (int k = gap; k < 8 - move; k++)
            w[k] = 0;
    }
    for (int k = 0; k < 8; k++) {
        out[2 * k] = (uint8_t)(w[k] >> 8);
        out[2 * k + 1] = (uint8_t)w[k];
    }
    return 1;
}

static size_t put_dec(unsigned v, char *out)
{
    char t[12];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    for (size_t i = 0; i < n; i++)
        out[i] = t[n - 1 - i];
    return n;
}

size_t rk__sw_fmt_ip4(const uint8_t a[4], char *out)
{
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        if (i > 0)
            out[n++] = '.';
        n += put_dec(a[i], out + n);
    }
    out[n] = '\0';
    return n;
}

/* RFC 5952: lower-case hex, no leading zeros, the longest run (first on a tie) of two or more
 * zero words shortened to "::". */
size_t rk__sw_fmt_ip6(const uint8_t a[16], char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned w[8];
    int best = -1, bestlen = 1;
    for (int i = 0; i < 8; i++)
        w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    for (int i = 0; i < 8;) {
        if (w[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && w[j] == 0)
            j++;
        if (j - i > bestlen) {
            best = i;
            bestlen = j - i;
        }
        i = j;
    }
    size_t n = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            out[n++] = ':';
            out[n++] = ':';
            i += bestlen - 1;
            continue;
        }
        if (n > 0 && out[n - 1] != ':')
            out[n++] = ':';
        int started = 0;
        for (int sh = 12; sh >= 0; sh -= 4) {
            unsigned d = (w[i] >> sh) & 15;
            if (d != 0 || started || sh == 0) {
                out[n++] = hex[d];
                started = 1;
            }
        }
    }
    out[n] = '\0';
    return n;
}

/* ===== Host names ===== */

/* Checks and lower-cases the labels in place. With min_labels > 0 the name needs that many
 * labels and a letter in its last label (so "3.14" and "-" are not host names). */
static size_t check_labels(char *h, size_t n, int min_labels)
{
    size_t labels = 0, lab = 0;
    int last_alpha = 0;
    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c == '.') {
            if (lab == 0 || lab > 63)
                return 0;
            labels++;
            lab = 0;
            last_alpha = 0;
            continue;
        }
        unsigned char m = rk__sw_host_tab[c];
        if (m == 0)
            return 0;
        h[i] = (char)m;
        last_alpha |= (m >= 'a' && m <= 'z');
        lab++;
    }
    if (lab == 0 || lab > 63)
        return 0;
    labels++;
    if (min_labels > 0 && ((int)labels < min_labels || !last_alpha))
        return 0;
    return n;
}

#if defined(__SSE2__)
/* The r bytes at p (1 <= r < 16) in the low bytes of a register, zeros above, read without a
 * byte past p + r: two overlapping words (or the first, middle and last byte), as in
 * rk__sw_hash(); no call to memcpy for a variable length. */
static inline __m128i load_partial(const char *p, size_t r)
{
    uint64_t a, b = 0;
    if (r >= 8) {
        memcpy(&a, p, 8);
        if (r > 8) {
            memcpy(&b, p + r - 8, 8);
            b >>= 8 * (16 - r); /* its bytes p[8, r) */
        }
    } else if (r >= 4) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + r - 4, 4);
        a = (uint64_t)x | ((uint64_t)y << (8 * (r - 4)));
    } else {
        a = (uint64_t)(unsigned char)p[0] | ((uint64_t)(unsigned char)p[r >> 1] << (8 * (r >> 1))) |
            ((uint64_t)(unsigned char)p[r - 1] << (8 * (r - 1)));
    }
    return _mm_set_epi64x((long long)b, (long long)a);
}
#endif

/* rk__sw_canon_host(), and with `dots` the mask of the key's dots for the index builder
 * (rk__sw_canon_host_dots()); inlined into both so that the scanner's callers pay nothing for
 * the second output. */
static inline __attribute__((always_inline)) size_t
canon_host(const char *s, size_t n, int min_labels, char *out, size_t cap, uint64_t *dots_out)
{
    if (dots_out != NULL)
        *dots_out = RK__SW_DOTS_UNKNOWN;
    if (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0 || n > 253 || n >= cap)
        return 0;
#if defined(__SSE2__)
    /* Up to 63 bytes (almost every host in a log), 16 at a time: lower-cased and checked
     * with byte masks, the labels from the dots' mask. The same answer as the loop below. */
    if (n <= 63) {
        char low[64];
        /* The lower-cased bytes go straight to out when it has room for whole 16-byte steps
         * (its bytes past the host's are the caller's scratch: every caller's output goes on
         * after the returned length, or is dropped with a 0), else through low. */
        char *lo16 = cap >= ((n + 15) & ~(size_t)15) ? out : low;
        uint64_t ok = 0, dots = 0, letters = 0;
        for (size_t i = 0; i < n; i += 16) {
            __m128i v;
            if (n - i >= 16)
                v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            else
                v = load_partial(s + i, n - i);
            /* 'A'..'Z' get bit 5; signed compares leave bytes >= 0x80 out of every range. */
            __m128i up = rk__sw_in_range16(v, 'A', 'Z');
            __m128i lw = _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20)));
            __m128i let = rk__sw_in_range16(lw, 'a', 'z');
            __m128i dig = rk__sw_in_range16(lw, '0', '9');
            __m128i dot = _mm_cmpeq_epi8(lw, _mm_set1_epi8('.'));
            __m128i good = _mm_or_si128(
                _mm_or_si128(let, dig),
                _mm_or_si128(dot, _mm_or_si128(_mm_cmpeq_epi8(lw, _mm_set1_epi8('-')),
                                               _mm_cmpeq_epi8(lw, _mm_set1_epi8('_')))));
            _mm_storeu_si128((__m128i *)(void *)(lo16 + i), lw); /* i <= 48 */
            ok |= (uint64_t)(uint16_t)_mm_movemask_epi8(good) << i;
            dots |= (uint64_t)(uint16_t)_mm_movemask_epi8(dot) << i;
            letters |= (uint64_t)(uint16_t)_mm_movemask_epi8(let) << i;
        }
        uint64_t all = ((uint64_t)1 << n) - 1;
        if ((ok & all) == all) {
            /* Every byte ASCII: a failure stands. Labels of 1..63 bytes: no dot first or
             * last, no two dots together (63 bytes allow no longer label). */
            dots &= all;
            if ((dots & 1) || (dots >> (n - 1)) || (dots & (dots >> 1)))
                return 0;
            if (min_labels > 0) {
                /* At least min_labels - 1 dots. */
                uint64_t d = dots;
                for (int k = 1; k < min_labels - 1 && d != 0; k++)
                    d &= d - 1;
                if (min_labels > 1 && d == 0)
                    return 0;
                /* The last label must hold a letter ("1.2.3.999" is no host name). */
                uint64_t last = ~(uint64_t)0;
                if (dots != 0)
                    last = ~(((uint64_t)2 << (63 - __builtin_clzll(dots))) - 1);
                if ((letters & all & last) == 0)
                    return 0;
            }
            if (lo16 == low)
                memcpy(out, low, n);
            if (dots_out != NULL)
                *dots_out = dots;
            return n;
        }
        /* A byte that may not be in a label: the loop below decides (IDN). */
    }
#endif
    /* ASCII (every host name the extractor finds): copied, lower-cased and checked in one
     * pass. A failure only stands when no byte is non-ASCII; otherwise IDN decides. */
    size_t labels = 0, lab = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (lab == 0 || lab > 63)
                goto not_ascii_host;
            labels++;
            lab = 0;
            out[i] = '.';
            continue;
        }
        unsigned char m = rk__sw_host_tab[c]; /* 0 for non-ASCII bytes too */
        if (m == 0)
            goto not_ascii_host;
        out[i] = (char)m;
        lab++;
    }
    if (lab == 0 || lab > 63)
        return 0; /* every byte was ASCII */
    labels++;
    if (min_labels > 0) {
        if ((int)labels < min_labels)
            return 0;
        /* The last label must hold a letter ("1.2.3.999" is no host name). */
        size_t k = n;
        while (k > 0 && out[k - 1] != '.' && !(out[k - 1] >= 'a' && out[k - 1] <= 'z'))
            k--;
        if (k == 0 || out[k - 1] == '.')
            return 0;
    }
    return n;
not_ascii_host:;
    int ascii = 1;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80) {
            ascii = 0;
            break;
        }
    }
    if (ascii)
        return 0;
    /* Non-ASCII: UTS #46 mapping (which also lower-cases) and punycode, by libidn2. */
    char tmp[1024];
    if (n >= sizeof tmp)
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *ace = NULL;
    if (idn2_to_ascii_8z(tmp, &ace, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) != IDN2_OK) {
        idn2_free(ace);
        return 0;
    }
    size_t an = strlen(ace);
    size_t r = 0;
    if (an > 0 && an < cap) {
        memcpy(out, ace, an);
        r = check_labels(out, an, min_labels);
    }
    idn2_free(ace);
    return r;
}

size_t rk__sw_canon_host(const char *s, size_t n, int min_labels, char *out, size_t cap)
{
    return canon_host(s, n, min_labels, out, cap, NULL);
}

size_t rk__sw_canon_host_dots(const char *s, size_t n, int min_labels, char *out, size_t cap,
                              uint64_t *dots)
{
    return canon_host(s, n, min_labels, out, cap, dots);
}

/* ===== URLs ===== */

static int default_port(const char *scheme, size_t n, unsigned port)
{
    struct {
        const char *s;
        unsigned p;
    } d[] = {{"http", 80}, {"https", 443}, {"ftp", 21}, {"ws", 80}, {"wss", 443}};
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        if (strlen(d[i].s) == n && memcmp(d[i].s, scheme, n) == 0)
            return d[i].p == port;
    return 0;
}

/* The end of the authority starting at s[i] (the first '/', '?' or '#', or n) and in *h0 the
 * host's start (after the last '@' before that end, else i). 16 bytes a step with SSE2: the
 * scanner canonicalises every URL it finds. */
static size_t authority_end(const char *s, size_t i, size_t n, size_t *h0)
{
    *h0 = i;
#if defined(__SSE2__)
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned e = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('?'))),
                         _mm_cmpeq_epi8(v, _mm_set1_epi8('#'))));
        unsigned a = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('@')));
        if (e != 0)
            a &= (1u << __builtin_ctz(e)) - 1; /* only the '@'s before the end */
        if (a != 0)
            *h0 = i + (31u - (unsigned)__builtin_clz(a)) + 1;
        if (e != 0)
            return i + (size_t)__builtin_ctz(e);
        i += 16;
    }
#endif
    for (; i < n && s[i] != '/' && s[i] != '?' && s[i] != '#'; i++)
        if (s[i] == '@')
            *h0 = i + 1; /* the host follows the last '@' */
    return i;
}

/* Bytes of a URL scheme: 1 a letter, 2 a byte allowed after the first (digit, + - .). */
static const unsigned char scheme_tab[256] = {
    ['+'] = 2, ['-'] = 2, ['.'] = 2, ['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2,
    ['5'] = 2, ['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};

int rk__sw_canon_url(const char *s, size_t n, char *out, size_t cap, struct rk__sw_url *u)
{
    size_t i = 0, o = 0;
    memset(u, 0, sizeof *u);
    if (cap < 16)
        return 0;
    /* Scheme: a letter, then letters, digits, '+', '-', '.'; lower-cased as it is read (every
     * byte but A-Z already has bit 5 set). */
    while (i < n && i < 32 && i + 4 < cap) { /* room for it, "://" and the NUL */
        unsigned k = scheme_tab[(unsigned char)s[i]];
        if (k == 0 || (k == 2 && i == 0))
            break;
        out[i] = (char)(s[i] | 0x20);
        i++;
    }
    if (i == 0 || i + 3 > n || s[i] != ':' || s[i + 1] != '/' || s[i + 2] != '/')
        return 0;
    size_t scheme_len = i;
    o = scheme_len;
    memcpy(out + o, "://", 3);
    o += 3;
    i += 3;
    /* Authority ends at the first '/', '?' or '#'. */
    size_t a0 = i, h0;
    size_t a1 = authority_end(s, a0, n, &h0);
    u->consumed = a1;
    if (h0 > a0) { /* user info, as given */
        if (o + (h0 - a0) >= cap)
            return 0;
        memcpy(out + o, s + a0, h0 - a0);
        o += h0 - a0;
    }
    size_t h1, p0;
    if (h0 < a1 && s[h0] == '[') {
        size_t k = h0 + 1;
        while (k < a1 && s[k] != ']')
            k++;
        if (k >= a1 || !rk__sw_parse_ip6(s + h0 + 1, k - h0 - 1, u->addr))
            return 0;
        u->host_type = RK_SWEEP_IPV6;
        h1 = k + 1;
        if (o + 48 >= cap)
            return 0;
        out[o++] = '[';
        o += rk__sw_fmt_ip6(u->addr, out + o);
        out[o++] = ']';
    } else {
        const char *colon = h0 < a1 ? memchr(s + h0, ':', a1 - h0) : NULL;
        h1 = colon != NULL ? (size_t)(colon - s) : a1;
        /* Percent-decode the host into a scratch buffer (used in place when it holds no
         * '%'; the same length limit either way). */
        char hostbuf[256];
        const char *host = hostbuf;
        size_t hn = 0;
        if (memchr(s + h0, '%', h1 - h0) == NULL) {
            if (h1 - h0 > sizeof hostbuf)
                return 0;
            host = s + h0;
            hn = h1 - h0;
        } else {
            for (size_t k = h0; k < h1; k++) {
                if (hn >= sizeof hostbuf)
                    return 0;
                if (s[k] == '%' && k + 2 < h1 && rk__sw_hexval((unsigned char)s[k + 1]) >= 0 &&
                    rk__sw_hexval((unsigned char)s[k + 2]) >= 0) {
                    hostbuf[hn++] = (char)(rk__sw_hexval((unsigned char)s[k + 1]) << 4 |
                                           rk__sw_hexval((unsigned char)s[k + 2]));
                    k += 2;
                } else {
                    hostbuf[hn++] = s[k];
                }
            }
        }
        if (rk__sw_parse_ip4(host, hn, u->addr)) {
            u->host_type = RK_SWEEP_IPV4;
            if (o + 16 >= cap)
                return 0;
            o += rk__sw_fmt_ip4(u->addr, out + o);
        } else {
            size_t cn = rk__sw_canon_host(host, hn, 1, out + o, cap - o);
            if (cn == 0)
                return 0;
            u->host_type = RK_SWEEP_DOMAIN;
            u->host_off = o;
            u->host_len = cn;
            o += cn;
        }
    }
    p0 = h1;
    if (p0 < a1) {
        if (s[p0] != ':')
            return 0;
        unsigned port = 0;
        size_t k = p0 + 1;
        if (k == a1)
            goto path; /* "host:" means the default port */
        for (; k < a1; k++) {
            if (s[k] < '0' || s[k] > '9')
                return 0;
            port = port * 10 + (unsigned)(s[k] - '0');
            if (port > 65535)
                return 0;
        }
        if (!default_port(out, scheme_len, port)) {
            if (o + 8 >= cap)
                return 0;
            out[o++] = ':';
            o += put_dec(port, out + o);
        }
    }
path:;
    const char *hash = a1 < n ? memchr(s + a1, '#', n - a1) : NULL;
    size_t e = hash != NULL ? (size_t)(hash - s) : n;
    int web = (scheme_len == 4 && memcmp(out, "http", 4) == 0) ||
              (scheme_len == 5 && memcmp(out, "https", 5) == 0);
    if (web && (a1 == e || s[a1] != '/')) {
        if (o + 1 >= cap)
            return 0;
        out[o++] = '/';
    }
    if (o + (e - a1) >= cap)
        return 0;
    memcpy(out + o, s + a1, e - a1);
    o += e - a1;
    out[o] = '\0';
    u->len = o;
    return 1;
}

/* ===== E-mail ===== */

size_t rk__sw_canon_email(const char *s, size_t n, char *out, size_t cap)
{
    size_t at = n;
    for (size_t i = n; i > 0; i--) {
        if (s[i - 1] == '@') {
            at = i - 1;
            break;
        }
    }
    if (at == n || at == 0 || at > 64 || n >= cap)
        return 0;
    for (size_t i = 0; i < at; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f || c == '@' || c == '"' || c == '(' || c == ')' || c == ',' ||
            c == ':' || c == ';' || c == '<' || c == '>' || c == '[' || c == ']' || c == '\\')
            return 0;
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : (char)c;
    }
    out[at] = '@';
    size_t hn = rk__sw_canon_host(s + at + 1, n - at - 1, 2, out + at + 1, cap - at - 1);
    if (hn == 0)
        return 0;
    return at + 1 + hn;
}

/* ===== Indicators ===== */

static int family(enum rk_sweep_type t)
{
    switch (t) {
    case RK_SWEEP_IPV4:
    case RK_SWEEP_IPV6:
    case RK_SWEEP_CIDR4:
    case RK_SWEEP_CIDR6:
        return 1;
    case RK_SWEEP_DOMAIN:
        return 2;
    case RK_SWEEP_URL:
        return 3;
    case RK_SWEEP_EMAIL:
        return 4;
    case RK_SWEEP_MD5:
    case RK_SWEEP_SHA1:
    case RK_SWEEP_SHA256:
        return 5;
    default:
        return 0;
    }
}

/* Undoes the usual defanging of shared indicators: hxxp, [.] (.) [dot] [@] [:]. */
static size_t refang(const char *s, size_t n, char *out, size_t cap)
{
    static const struct {
        const char *from, *to;
    } r[] = {{"[.]", "."}, {"(.)", "."}, {"[dot]", "."}, {"[@]", "@"}, {"[:]", ":"},
             {"hxxps://", "https://"}, {"hxxp://", "http://"}, {"[://]", "://"}};
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t k;
        for (k = 0; k < sizeof r / sizeof r[0]; k++) {
            size_t fl = strlen(r[k].from);
            if (i + fl <= n && strncasecmp(s + i, r[k].from, fl) == 0)
                break;
        }
        if (k < sizeof r / sizeof r[0]) {
            size_t tl = strlen(r[k].to);
            if (o + tl >= cap)
                return 0;
            memcpy(out + o, r[k].to, tl);
            o += tl;
            i += strlen(r[k].from);
        } else {
            if (o + 1 >= cap)
                return 0;
            out[o++] = s[i++];
        }
    }
    return o;
}

/* The first "://" in s[0, n), or NULL: what memmem() answers, found by memchr() for the
 * colon (memmem's set-up cost per call was 6% of compiling 10,000,000 indicators). */
static const char *find_scheme_sep(const char *s, size_t n)
{
    const char *p = s, *e = s + n;
    while (e - p >= 3) {
        p = memchr(p, ':', (size_t)(e - p) - 2);
        if (p == NULL)
            return NULL;
        if (p[1] == '/' && p[2] == '/')
            return p;
        p++;
    }
    return NULL;
}

static size_t canon_detect(const char *s, size_t n, enum rk_sweep_type hint,
                           enum rk_sweep_type *type, uint8_t *plen, uint8_t *out, size_t cap)
{
    *plen = 0;
    /* Hashes: 32, 40 or 64 hex digits. */
    if (n == 32 || n == 40 || n == 64) {
        size_t k = 0;
        while (k < n && rk__sw_hexval((unsigned char)s[k]) >= 0)
            k++;
        if (k == n) {
            for (size_t i = 0; i < n / 2; i++)
                out[i] = (uint8_t)(rk__sw_hexval((unsigned char)s[2 * i]) << 4 |
                                   rk__sw_hexval((unsigned char)s[2 * i + 1]));
            *type = n == 32 ? RK_SWEEP_MD5 : n == 40 ? RK_SWEEP_SHA1 : RK_SWEEP_SHA256;
            return n / 2;
        }
    }
    const char *sep = find_scheme_sep(s, n);
    if (sep != NULL || hint == RK_SWEEP_URL) {
        char tmp[RK_MAX_SWEEP_INDICATOR + 16];
        const char *u = s;
        size_t un = n;
        if (sep == NULL) { /* a URL given without scheme */
            if (n + 7 >= sizeof tmp)
                return 0;
            memcpy(tmp, "http://", 7);
            memcpy(tmp + 7, s, n);
            u = tmp;
            un = n + 7;
        }
        struct rk__sw_url url;
        if (!rk__sw_canon_url(u, un, (char *)out, cap, &url))
            return 0;
        *type = RK_SWEEP_URL;
        return url.len;
    }
    if (memchr(s, '@', n) != NULL) {
        size_t r = rk__sw_canon_email(s, n, (char *)out, cap);
        if (r > 0)
            *type = RK_SWEEP_EMAIL;
        return r;
    }
    const char *slash = memchr(s, '/', n);
    size_t an = slash ? (size_t)(slash - s) : n;
    uint8_t a[16];
    int v4 = rk__sw_parse_ip4(s, an, a), v6 = !v4 && rk__sw_parse_ip6(s, an, a);
    if (v4 || v6) {
        size_t alen = v4 ? 4 : 16;
        if (slash != NULL) {
            uint64_t p;
            size_t pl = n - an - 1;
            if (pl == 0 || pl > 3)
                return 0;
            p = 0;
            for (size_t i = 0; i < pl; i++) {
                char c = slash[1 + i];
                if (c < '0' || c > '9')
                    return 0;
                p = p * 10 + (uint64_t)(c - '0');
            }
            if (p > alen * 8)
                return 0;
            /* Clear the host bits. */
            for (size_t bit = (size_t)p; bit < alen * 8; bit++)
                a[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
            *plen = (uint8_t)p;
            *type = v4 ? RK_SWEEP_CIDR4 : RK_SWEEP_CIDR6;
        } else {
            *type = v4 ? RK_SWEEP_IPV4 : RK_SWEEP_IPV6;
        }
        memcpy(out, a, alen);
        return alen;
    }
    if (slash != NULL)
        return 0;
    size_t r = rk__sw_canon_host(s, n, 1, (char *)out, cap);
    if (r > 0)
        *type = RK_SWEEP_DOMAIN;
    return r;
}

size_t rk__sw_canon_indicator(const char *s, size_t n, enum rk_sweep_type *type, uint8_t *plen,
                              uint8_t *out, size_t cap)
{
    char tmp[RK_MAX_SWEEP_INDICATOR + 16];
    enum rk_sweep_type hint = *type, got = RK_SWEEP_NONE;
    while (n > 0 && (s[0] == ' ' || s[0] == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    if (n == 0 || n > RK_MAX_SWEEP_INDICATOR)
        return 0;
    /* Defanged values hold a bracket or start with "hxxp"; the rest go straight through. */
    if (memchr(s, '[', n) != NULL || memchr(s, '(', n) != NULL ||
        (n >= 4 && (s[0] | 0x20) == 'h' && (s[1] | 0x20) == 'x' && (s[2] | 0x20) == 'x' &&
         (s[3] | 0x20) == 'p')) { /* not strncasecmp(): a locale-aware call a value */
        n = refang(s, n, tmp, sizeof tmp);
        if (n == 0)
            return 0;
        s = tmp;
    }
    size_t r = canon_detect(s, n, hint, &got, plen, out, cap);
    if (r == 0)
        return 0;
    if (hint != RK_SWEEP_NONE && family(hint) != family(got) &&
        !(family(hint) == 2 && family(got) == 1))
        return 0;
    *type = got;
    return r;
}
