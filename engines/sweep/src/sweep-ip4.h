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

/*
 * The address as one word, part 0 in the low byte (the bytes of out[4] as a little-endian
 * word, whatever the CPU's byte order), bit 32 set; 0 when it is not one. A word, not an
 * array, so that a caller can hand it on in a register (a tail call needs no stack frame).
 */
#define RK__SW_IP4_OK ((uint64_t)1 << 32)

/* Part by part: for CPUs without SSSE3 (and the RK_SWEEP_NO_AVX2 path). */
static inline uint64_t rk__sw_ip4_scalar_w(const char *p, size_t n, uint64_t dots)
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
    return RK__SW_IP4_OK | v0 | v1 << 8 | v2 << 16 | (uint64_t)v3 << 24;
}

/* The word's four bytes into out[4] (part 0 first). */
static inline void rk__sw_ip4_bytes(uint64_t w, uint8_t out[4])
{
    out[0] = (uint8_t)w;
    out[1] = (uint8_t)(w >> 8);
    out[2] = (uint8_t)(w >> 16);
    out[3] = (uint8_t)(w >> 24);
}

static inline int rk__sw_ip4_scalar(const char *p, size_t n, uint64_t dots, uint8_t out[4])
{
    uint64_t w = rk__sw_ip4_scalar_w(p, n, dots);
    rk__sw_ip4_bytes(w, out);
    return w != 0;
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
/*
 * The shuffles of rk__sw_ip4_n16_ssse3(), indexed by the low 8 bits i of the run's dot mask:
 * the first two parts of a valid address end within 7 bytes (1..3 digits, a dot, 1..3
 * digits), so i gives both lengths, l0 = ctz(i) and l1 = ctz(i without its lowest bit) - l0
 * - 1; parts 0 and 1 go into lanes 0 and 1 as above, lanes 2 and 3 are zero. One load indexed
 * by the mask instead of two ctz and the arithmetic on them (4 KiB, of which an address's few
 * shapes touch a few lines). For a mask with fewer than two dots there, or parts of no or four
 * or more digits, lengths taken & 3 (the run is no address: any shuffle will do).
 */
#define RK__SW_CTZ8(i)                                                                             \
    ((i)&1 ? 0 : (i)&2 ? 1 : (i)&4 ? 2 : (i)&8 ? 3 : (i)&16 ? 4 : (i)&32 ? 5 : (i)&64 ? 6 : 7)
#define RK__SW_N16L0(i) (RK__SW_CTZ8(i) & 3)
#define RK__SW_N16L1(i) ((RK__SW_CTZ8((i) & ((i)-1)) - RK__SW_CTZ8(i) - 1) & 3)
#define RK__SW_N16S(i)                                                                             \
    {                                                                                              \
        RK__SW_IP4L(0, RK__SW_N16L0(i)), RK__SW_IP4L(RK__SW_N16L0(i) + 1, RK__SW_N16L1(i)), 0x80,  \
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80                                               \
    }
#define RK__SW_N16S4(i)                                                                            \
    RK__SW_N16S(i), RK__SW_N16S((i) + 1), RK__SW_N16S((i) + 2), RK__SW_N16S((i) + 3)
#define RK__SW_N16S16(i)                                                                           \
    RK__SW_N16S4(i), RK__SW_N16S4((i) + 4), RK__SW_N16S4((i) + 8), RK__SW_N16S4((i) + 12)
#define RK__SW_N16S64(i)                                                                           \
    RK__SW_N16S16(i), RK__SW_N16S16((i) + 16), RK__SW_N16S16((i) + 32), RK__SW_N16S16((i) + 48)
static const uint8_t rk__sw_ip4_shuf2[256][16] __attribute__((aligned(16))) = {
    RK__SW_N16S64(0), RK__SW_N16S64(64), RK__SW_N16S64(128), RK__SW_N16S64(192)};
#undef RK__SW_N16S64
#undef RK__SW_N16S16
#undef RK__SW_N16S4
#undef RK__SW_N16S
#undef RK__SW_N16L1
#undef RK__SW_N16L0
#undef RK__SW_CTZ8
#undef RK__SW_IP4R3
#undef RK__SW_IP4R2
#undef RK__SW_IP4R1
#undef RK__SW_IP4R
#undef RK__SW_IP4L
#undef RK__SW_IP4B

/*
 * The shuffle's index straight from the dot mask, for the SSSE3 path (rk__sw_ip4_lens() finds
 * each dot with a ctz and checks the lengths with additions, about 35 instructions; this is
 * about 12). The three dots of a valid address lie at l0, l0 + l1 + 1 and l0 + l1 + l2 + 2
 * (parts of 1..3 digits): 27 masks below 2^12, which ((mask * 217) >> 5) & 63 sends to 27
 * different entries of a 64-entry table (a perfect hash: the initialisers below name each
 * entry once, and -Woverride-init, part of -Wextra, would refuse a second). An entry holds its
 * mask (bits 0-15), the third dot's position + 2 (bits 16-23) and 3 times the index of
 * (l0, l1, l2) among the 27 (bits 24-31). The run's mask must equal the entry's (so exactly
 * those three dots, each part 1..3 digits), and the last part's length minus one,
 * n - (third dot + 2), must be 0..2; an empty entry (0) fails that, as n >= 7.
 */
#define RK__SW_IP4M(a, b, c) ((1u << (a)) | (1u << ((a) + (b) + 1)) | (1u << ((a) + (b) + (c) + 2)))
#define RK__SW_IP4E(a, b, c)                                                                       \
    [((RK__SW_IP4M(a, b, c) * 217u) >> 5) & 63u] =                                                 \
        RK__SW_IP4M(a, b, c) | (uint32_t)((a) + (b) + (c) + 4) << 16 |                             \
        (uint32_t)((((a)-1) * 9 + ((b)-1) * 3 + ((c)-1)) * 3) << 24
#define RK__SW_IP4E1(a, b) RK__SW_IP4E(a, b, 1), RK__SW_IP4E(a, b, 2), RK__SW_IP4E(a, b, 3)
#define RK__SW_IP4E2(a)    RK__SW_IP4E1(a, 1), RK__SW_IP4E1(a, 2), RK__SW_IP4E1(a, 3)
static const uint32_t rk__sw_ip4_dot_tab[64] = {RK__SW_IP4E2(1), RK__SW_IP4E2(2), RK__SW_IP4E2(3)};
#undef RK__SW_IP4E2
#undef RK__SW_IP4E1
#undef RK__SW_IP4E
#undef RK__SW_IP4M

/* The index into rk__sw_ip4_shuf of the run of n bytes (7..15) with the dots `dots` (higher
 * bits ignored), plus one; 0 when the dots do not make four parts of 1..3 digits. */
static inline unsigned rk__sw_ip4_shuf_index(size_t n, uint64_t dots)
{
    uint32_t m = (uint32_t)dots & ((1u << n) - 1);
    uint32_t e = rk__sw_ip4_dot_tab[((m * 217u) >> 5) & 63u];
    uint32_t l3 = (uint32_t)n - (e >> 16 & 255u); /* the last part's length - 1, if valid */
    if ((e & 0xffffu) != m || l3 > 2)
        return 0;
    return (e >> 24) + l3 + 1;
}

/*
 * All four parts at once. `lim`: the end of the readable bytes after p (16 bytes are loaded
 * when they are there; a run nearer the end is converted part by part). Inlined only into
 * functions compiled for SSSE3; code compiled for SSE2 only calls it, after a check that the
 * CPU has SSSE3. Returns the word of rk__sw_ip4_scalar_w().
 */
__attribute__((target("ssse3"))) static inline uint64_t
rk__sw_ip4_ssse3_w16(const char *p, size_t n, uint64_t dots);

__attribute__((target("ssse3"))) static inline uint64_t
rk__sw_ip4_ssse3_w(const char *p, size_t n, uint64_t dots, const char *lim)
{
    if (lim - p < 16)
        return rk__sw_ip4_scalar_w(p, n, dots); /* rare: the same answer */
    return rk__sw_ip4_ssse3_w16(p, n, dots);
}

/* The same where the 16 bytes at p are known to be readable. */
__attribute__((target("ssse3"))) static inline uint64_t
rk__sw_ip4_ssse3_w16(const char *p, size_t n, uint64_t dots)
{
    unsigned k = rk__sw_ip4_shuf_index(n, dots);
    if (k == 0)
        return 0;
    k--;
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    v = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    v = _mm_shuffle_epi8(v, _mm_load_si128((const __m128i *)(const void *)rk__sw_ip4_shuf[k]));
    /* Digits are 0..9: each lane's low 16 bits get 100a + 10b, its high 16 bits the units
     * digit c. The lane's high half added to its low half (a shift and an add: three cycles
     * fewer on the way to the test than a second multiply) makes the low half the part's
     * value (at most 999); the high half stays c, at most 9, so one 16-bit compare of all
     * eight halves tests "above 255". */
    v = _mm_maddubs_epi16(
        v, _mm_setr_epi8(100, 10, 1, 0, 100, 10, 1, 0, 100, 10, 1, 0, 100, 10, 1, 0));
    v = _mm_add_epi16(v, _mm_srli_epi32(v, 16));
    if (_mm_movemask_epi8(_mm_cmpgt_epi16(v, _mm_set1_epi16(255))) != 0)
        return 0;
    /* Each value is at most 255 now: its low byte, byte 4i of the register, is part i. */
    v = _mm_shuffle_epi8(
        v, _mm_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
    /* x86 is little-endian: byte 0 of the register, part 0, is the word's low byte. */
    return RK__SW_IP4_OK | (uint32_t)_mm_cvtsi128_si32(v);
}

/*
 * The /16 network of the run at p with the dots `dots` (bit k: p[k]), part 0 << 8 | part 1, from
 * its first two parts alone: an early test against the index's /16 summary before the address
 * is checked and converted whole (in logs most addresses lie in no indicator's /16: 67,429 of
 * the 67,439 in the first 8 MB of the benchmark's mixed log at 10,000,000 indicators). Exact
 * when the run is a valid address; for a run that is not one, some value below 65536 — such a
 * run matches nothing, so whether the test drops it or hands it on to the full check
 * (rk__sw_ip4_ssse3_w16()), the answer is the same. So nothing is checked here: the low 8
 * bits of the dot mask pick the shuffle (rk__sw_ip4_shuf2: the two lengths, invalid ones
 * included), and the value is masked to 16 bits. 16 bytes at p must be readable.
 */
__attribute__((target("ssse3"))) static inline uint32_t rk__sw_ip4_n16_ssse3(const char *p,
                                                                             uint64_t dots)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    v = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    v = _mm_shuffle_epi8(
        v, _mm_load_si128((const __m128i *)(const void *)rk__sw_ip4_shuf2[dots & 255]));
    /* Words: 100h + 10t and u of part 0, the same of part 1; then dword 0 is 256 * part 0,
     * dword 1 part 1 (at most 999 each: no overflow). */
    v = _mm_maddubs_epi16(v, _mm_setr_epi8(100, 10, 1, 0, 100, 10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    v = _mm_madd_epi16(v, _mm_setr_epi16(256, 256, 1, 1, 0, 0, 0, 0));
    uint64_t r = (uint64_t)_mm_cvtsi128_si64(v);
    return (uint32_t)(r + (r >> 32)) & 0xffffu;
}

__attribute__((target("ssse3"))) static inline int
rk__sw_ip4_ssse3(const char *p, size_t n, uint64_t dots, const char *lim, uint8_t out[4])
{
    uint64_t w = rk__sw_ip4_ssse3_w(p, n, dots, lim);
    rk__sw_ip4_bytes(w, out);
    return w != 0;
}
#endif

#endif
