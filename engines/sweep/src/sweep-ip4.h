/*
 * IPv4 addresses read from a run whose dot positions are already known (the scan loop's block
 * masks), with exactly the acceptance of rk__sw_parse_ip4(): three dots, four parts of one to
 * three digits (leading zeros allowed: "01" is 1), each at most 255.
 *
 * The caller guarantees that the run's n bytes (7..15) are digits and dots only. The parts'
 * lengths come from the dot positions; the values either from the bytes one part at a time
 * (rk__sw_ip4_scalar) or, where the CPU has SSSE3, all four at once (rk__sw_ip4_ssse3): the
 * run's 16 bytes in one register, '0' subtracted, each part's digits moved right-aligned into
 * its own 4-byte lane by one byte shuffle (chosen from the 81 combinations of part lengths),
 * then multiplied by 100, 10, 1 and summed (pmaddubsw, pmaddwd) — no branch on the lengths.
 */
#ifndef RK_SWEEP_IP4_H
#define RK_SWEEP_IP4_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RK__SW_IP4_SSSE3 1
#endif

/* The part boundaries of an n-byte run (n < 64) with the dots `dots` (bit k: byte k; higher
 * bits ignored): l[i] the length of part i, start[i] its first byte. 0 unless there are exactly
 * three dots and every part is one to three bytes long. */
static inline int rk__sw_ip4_parts(size_t n, uint64_t dots, unsigned l[4], unsigned start[4])
{
    dots &= ((uint64_t)1 << n) - 1;
    if (dots == 0)
        return 0;
    unsigned d1 = (unsigned)__builtin_ctzll(dots);
    dots &= dots - 1;
    if (dots == 0)
        return 0;
    unsigned d2 = (unsigned)__builtin_ctzll(dots);
    dots &= dots - 1;
    if (dots == 0)
        return 0;
    unsigned d3 = (unsigned)__builtin_ctzll(dots);
    if ((dots & (dots - 1)) != 0)
        return 0;
    start[0] = 0;
    start[1] = d1 + 1;
    start[2] = d2 + 1;
    start[3] = d3 + 1;
    l[0] = d1;
    l[1] = d2 - d1 - 1;
    l[2] = d3 - d2 - 1;
    l[3] = (unsigned)n - d3 - 1;
    /* An empty part wraps to UINT_MAX here and fails like a fourth digit. */
    return (l[0] - 1u <= 2u) & (l[1] - 1u <= 2u) & (l[2] - 1u <= 2u) & (l[3] - 1u <= 2u);
}

/* The value of the 1..3 digits at p (n of them). */
static inline unsigned rk__sw_ip4_dec3(const char *p, unsigned n)
{
    switch (n) {
    case 1:
        return (unsigned)(unsigned char)p[0] - '0';
    case 2:
        return ((unsigned)(unsigned char)p[0] - '0') * 10 + ((unsigned)(unsigned char)p[1] - '0');
    default:
        return ((unsigned)(unsigned char)p[0] - '0') * 100 +
               ((unsigned)(unsigned char)p[1] - '0') * 10 + ((unsigned)(unsigned char)p[2] - '0');
    }
}

/* Part by part: for CPUs without SSSE3 (and the RK_SWEEP_NO_AVX2 path). */
static inline int rk__sw_ip4_scalar(const char *p, size_t n, uint64_t dots, uint8_t out[4])
{
    unsigned l[4], st[4];
    if (!rk__sw_ip4_parts(n, dots, l, st))
        return 0;
    unsigned v0 = rk__sw_ip4_dec3(p, l[0]), v1 = rk__sw_ip4_dec3(p + st[1], l[1]),
             v2 = rk__sw_ip4_dec3(p + st[2], l[2]), v3 = rk__sw_ip4_dec3(p + st[3], l[3]);
    if ((v0 | v1 | v2 | v3) > 255)
        return 0;
    out[0] = (uint8_t)v0;
    out[1] = (uint8_t)v1;
    out[2] = (uint8_t)v2;
    out[3] = (uint8_t)v3;
    return 1;
}

#if defined(RK__SW_IP4_SSSE3)
/*
 * The shuffles, indexed by ((l0 - 1) * 3 + l1 - 1) * 3 + l2 - 1) * 3 + l3 - 1: lane i (bytes
 * 4i..4i+3) takes part i's hundreds, tens and units digit (0x80, a zero, where the part is
 * shorter) and a zero. Part i of length L starting at S: digit k (0..2) is byte S + k + L - 3.
 */
#define RK__SW_IP4B(S, L, k) ((k) + (L) >= 3 ? (S) + (k) + (L)-3 : 0x80)
#define RK__SW_IP4L(S, L)    RK__SW_IP4B(S, L, 0), RK__SW_IP4B(S, L, 1), RK__SW_IP4B(S, L, 2), 0x80
#define RK__SW_IP4R(a, b, c, d)                                                                    \
    {                                                                                              \
        RK__SW_IP4L(0, a), RK__SW_IP4L((a) + 1, b), RK__SW_IP4L((a) + (b) + 2, c),                 \
            RK__SW_IP4L((a) + (b) + (c) + 3, d)                                                    \
    }
#define RK__SW_IP4R1(a, b, c)                                                                      \
    RK__SW_IP4R(a, b, c, 1), RK__SW_IP4R(a, b, c, 2), RK__SW_IP4R(a, b, c, 3)
#define RK__SW_IP4R2(a, b) RK__SW_IP4R1(a, b, 1), RK__SW_IP4R1(a, b, 2), RK__SW_IP4R1(a, b, 3)
#define RK__SW_IP4R3(a)    RK__SW_IP4R2(a, 1), RK__SW_IP4R2(a, 2), RK__SW_IP4R2(a, 3)
static const uint8_t rk__sw_ip4_shuf[81][16]
    __attribute__((aligned(16))) = {RK__SW_IP4R3(1), RK__SW_IP4R3(2), RK__SW_IP4R3(3)};
#undef RK__SW_IP4R3
#undef RK__SW_IP4R2
#undef RK__SW_IP4R1
#undef RK__SW_IP4R
#undef RK__SW_IP4L
#undef RK__SW_IP4B

/*
 * All four parts at once. `lim`: the end of the readable bytes after p (16 bytes are loaded
 * when they are there; a short tail is copied first). Out of line: it is called from code
 * compiled for SSE2 only, after a check that the CPU has SSSE3.
 */
__attribute__((target("ssse3"), noinline)) static int
rk__sw_ip4_ssse3(const char *p, size_t n, uint64_t dots, const char *lim, uint8_t out[4])
{
    unsigned l[4], st[4];
    if (!rk__sw_ip4_parts(n, dots, l, st))
        return 0;
    __m128i v;
    if (lim - p >= 16) {
        v = _mm_loadu_si128((const __m128i *)(const void *)p);
    } else {
        char t[16] = {0};
        memcpy(t, p, n);
        v = _mm_loadu_si128((const __m128i *)(const void *)t);
    }
    unsigned k = ((l[0] * 3 + l[1]) * 3 + l[2]) * 3 + l[3] - 40; /* the lengths' 1s taken off */
    v = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    v = _mm_shuffle_epi8(v, _mm_load_si128((const __m128i *)(const void *)rk__sw_ip4_shuf[k]));
    /* Digits are 0..9: 100a + 10b fits a 16-bit lane, as does the sum of a lane. */
    v = _mm_maddubs_epi16(
        v, _mm_setr_epi8(100, 10, 1, 0, 100, 10, 1, 0, 100, 10, 1, 0, 100, 10, 1, 0));
    v = _mm_madd_epi16(v, _mm_set1_epi16(1));
    if (_mm_movemask_epi8(_mm_cmpgt_epi32(v, _mm_set1_epi32(255))) != 0)
        return 0;
    v = _mm_packus_epi16(_mm_packs_epi32(v, v), v);
    uint32_t w = (uint32_t)_mm_cvtsi128_si32(v);
    memcpy(out, &w, 4);
    return 1;
}
#endif

#endif
