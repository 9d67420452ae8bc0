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

/*
 * The lengths of the four parts of an n-byte run (7 <= n <= 15) with the dots `dots` (bit k:
 * byte k; higher bits ignored), a byte each, part 0 lowest; 0 unless there are exactly three
 * dots and every part is one to three bytes long. Without branches: three bits above the run
 * stand in for missing dots (so each ctz has a bit to find, and exactly three dots leave
 * exactly those three), and two additions check the four lengths at once (an empty part
 * borrows and sets its byte's high bit in the first, a part of four or more in the second).
 */
static inline uint32_t rk__sw_ip4_lens(size_t n, uint64_t dots)
{
    uint32_t m = ((uint32_t)dots & ((1u << n) - 1)) | 0x70000u;
    uint32_t d1 = (uint32_t)__builtin_ctz(m);
    m &= m - 1;
    uint32_t d2 = (uint32_t)__builtin_ctz(m);
    m &= m - 1;
    uint32_t d3 = (uint32_t)__builtin_ctz(m);
    m &= m - 1;
    uint32_t x = d1 | (d2 - d1 - 1) << 8 | (d3 - d2 - 1) << 16 | ((uint32_t)n - d3 - 1) << 24;
    uint32_t bad = (m ^ 0x70000u) | (((x - 0x01010101u) | (x + 0x7c7c7c7cu)) & 0x80808080u);
    return bad == 0 ? x : 0;
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
    uint32_t x = rk__sw_ip4_lens(n, dots);
    if (x == 0)
        return 0;
    unsigned l0 = x & 255, l1 = x >> 8 & 255, l2 = x >> 16 & 255, l3 = x >> 24;
    const char *q1 = p + l0 + 1, *q2 = q1 + l1 + 1, *q3 = q2 + l2 + 1;
    unsigned v0 = rk__sw_ip4_dec3(p, l0), v1 = rk__sw_ip4_dec3(q1, l1),
             v2 = rk__sw_ip4_dec3(q2, l2), v3 = rk__sw_ip4_dec3(q3, l3);
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
 * when they are there; a run nearer the end is converted part by part). Inlined only into
 * functions compiled for SSSE3; code compiled for SSE2 only calls it, after a check that the
 * CPU has SSSE3.
 */
__attribute__((target("ssse3"))) static inline int
rk__sw_ip4_ssse3(const char *p, size_t n, uint64_t dots, const char *lim, uint8_t out[4])
{
    uint32_t x = rk__sw_ip4_lens(n, dots);
    if (x == 0)
        return 0;
    if (lim - p < 16)
        return rk__sw_ip4_scalar(p, n, dots, out); /* rare: no call, and the same answer */
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    /* ((l0 - 1) * 3 + l1 - 1) * 3 + ...: byte 3 of the product is 27 l0 + 9 l1 + 3 l2 + l3
     * (at most 120, and the lower bytes' sums stay below 256, so nothing carries into it). */
    unsigned k = ((x * 0x1b090301u) >> 24) - 40;
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
