/*
 * Crypto-asset wallet addresses, accepted only with a valid checksum (a mistyped address is
 * not an observable: it would link cases that share nothing):
 * - Bitcoin base58check (P2PKH "1...", P2SH "3..."): 25 bytes whose last 4 are the first 4 of
 *   SHA-256(SHA-256(the first 21)). Canonical: as given (base58 is case-sensitive).
 * - Bitcoin bech32 (BIP 173, witness version 0) and bech32m (BIP 350, versions 1-16) with the
 *   "bc" prefix. Canonical: lower case.
 * - Ethereum "0x" + 40 hex digits. A mixed-case address must pass the EIP-55 check; an all
 *   lower or all upper one carries no checksum and is accepted. Canonical: EIP-55 mixed case.
 * Keccak-256 is implemented here because OpenSSL 3.0 (Debian 12) has only the SHA-3 padding,
 * and so is SHA-256: OpenSSL 3's one-shot SHA256() fetches the algorithm on every call, which
 * cost more than the rest of the extraction of an address.
 */
#include "obs-internal.h"

#include <string.h>

/* ===== SHA-256 (FIPS 180-4) ===== */

static uint32_t ror32(uint32_t x, unsigned r)
{
    return (x >> r) | (x << (32 - r));
}

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
    static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    };
    uint32_t w[64], a[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(a, h, sizeof a);
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = a[7] + (ror32(a[4], 6) ^ ror32(a[4], 11) ^ ror32(a[4], 25)) +
                      ((a[4] & a[5]) ^ (~a[4] & a[6])) + k[i] + w[i];
        uint32_t t2 = (ror32(a[0], 2) ^ ror32(a[0], 13) ^ ror32(a[0], 22)) +
                      ((a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]));
        memmove(a + 1, a, 7 * sizeof a[0]);
        a[4] += t1;
        a[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        h[i] += a[i];
}

void rk__obs_sha256(const uint8_t *in, size_t len, uint8_t out[32])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    uint8_t block[64];
    size_t i = 0;
    for (; i + 64 <= len; i += 64)
        sha256_block(h, in + i);
    size_t rest = len - i;
    memset(block, 0, sizeof block);
    memcpy(block, in + i, rest);
    block[rest] = 0x80;
    if (rest >= 56) {
        sha256_block(h, block);
        memset(block, 0, sizeof block);
    }
    uint64_t bits = (uint64_t)len * 8;
    for (int b = 0; b < 8; b++)
        block[63 - b] = (uint8_t)(bits >> (8 * b));
    sha256_block(h, block);
    for (int j = 0; j < 8; j++) {
        out[4 * j] = (uint8_t)(h[j] >> 24);
        out[4 * j + 1] = (uint8_t)(h[j] >> 16);
        out[4 * j + 2] = (uint8_t)(h[j] >> 8);
        out[4 * j + 3] = (uint8_t)h[j];
    }
}

/* ===== Base58check ===== */

static int b58val(unsigned char c)
{
    /* The digit values of "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
     * (no 0, O, I, l), indexed by character from '1'; -1 elsewhere. */
    static const signed char val[] = {
        0,  1,  2,  3,  4,  5,  6,  7,  8,  -1, -1, -1, -1, -1, -1, -1, /* 1-9 : ; < = > ? @ */
        9,  10, 11, 12, 13, 14, 15, 16, -1, 17, 18, 19, 20, 21, -1,     /* A-O */
        22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, -1, -1, -1, -1, -1, /* P-Z [ \ ] ^ _ */
        -1, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, -1, 44, 45, 46, /* ` a-o */
        47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57,                     /* p-z */
    };
    if (c < '1' || c > 'z')
        return -1;
    return val[c - '1'];
}

static enum rk_status base58check(const char *s, size_t n, struct rk__obs_out *o)
{
    uint8_t b[25] = {0};
    if (n < 26 || n > 35 || (s[0] != '1' && s[0] != '3'))
        return RK_EINVAL;
    size_t zeros = 0;
    while (zeros < n && s[zeros] == '1')
        zeros++;
    /* The value is at most 25 bytes (200 bits); it is built in seven 32-bit limbs, most
     * significant first, and anything above bit 200 is an error. */
    uint32_t limb[7] = {0};
    for (size_t i = 0; i < n; i++) {
        int v = b58val((unsigned char)s[i]);
        if (v < 0)
            return RK_EINVAL;
        uint64_t carry = (uint64_t)v;
        for (int j = 6; j >= 0; j--) {
            carry += 58u * (uint64_t)limb[j];
            limb[j] = (uint32_t)carry;
            carry >>= 32;
        }
        if (carry != 0 || limb[0] > 0xff)
            return RK_EINVAL; /* more than 25 bytes */
    }
    b[0] = (uint8_t)limb[0];
    for (int j = 1; j < 7; j++)
        for (int k = 0; k < 4; k++)
            b[1 + 4 * (j - 1) + k] = (uint8_t)(limb[j] >> (24 - 8 * k));
    /* Leading '1's stand for leading zero bytes; their number must match the value. */
    size_t lead = 0;
    while (lead < 25 && b[lead] == 0)
        lead++;
    if (lead != zeros)
        return RK_EINVAL;
    if (b[0] != 0x00 && b[0] != 0x05)
        return RK_EINVAL;
    uint8_t h1[32], h2[32];
    rk__obs_sha256(b, 21, h1);
    rk__obs_sha256(h1, sizeof h1, h2);
    if (memcmp(h2, b + 21, 4) != 0)
        return RK_EINVAL;
    return rk_buf_add(&o->canon, s, n);
}

/* ===== Bech32 / bech32m ===== */

static uint32_t bech32_polymod(const uint8_t *v, size_t n)
{
    static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t chk = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v[i];
        for (int j = 0; j < 5; j++)
            if ((top >> j) & 1)
                chk ^= gen[j];
    }
    return chk;
}

static enum rk_status bech32(const char *s, size_t n, struct rk__obs_out *o)
{
    static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    /* BIP 173: at most 90 characters; a segwit address is 14..74. */
    uint8_t v[2 + 1 + 90];
    uint8_t data[90];
    if (n < 14 || n > 74 || rk__lower((unsigned char)s[0]) != 'b' ||
        rk__lower((unsigned char)s[1]) != 'c' || s[2] != '1')
        return RK_EINVAL;
    int lower = 0, upper = 0;
    size_t nd = n - 3;
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 'a' && s[i] <= 'z')
            lower = 1;
        if (s[i] >= 'A' && s[i] <= 'Z')
            upper = 1;
    }
    if (lower && upper)
        return RK_EINVAL; /* BIP 173: mixed case is invalid */
    for (size_t i = 0; i < nd; i++) {
        const char *p = strchr(charset, rk__lower((unsigned char)s[3 + i]));
        if (p == NULL || s[3 + i] == '\0')
            return RK_EINVAL;
        data[i] = (uint8_t)(p - charset);
    }
    /* hrp expanded: high bits, 0, low bits of "bc". */
    v[0] = 'b' >> 5;
    v[1] = 'c' >> 5;
    v[2] = 0;
    v[3] = 'b' & 31;
    v[4] = 'c' & 31;
    memcpy(v + 5, data, nd);
    uint32_t pm = bech32_polymod(v, 5 + nd);
    unsigned wver = data[0];
    if (wver > 16)
        return RK_EINVAL;
    if (pm != (wver == 0 ? 1u : 0x2bc830a3u))
        return RK_EINVAL;
    /* The witness program: 5-bit groups after the version, less the 6 checksum groups. */
    size_t groups = nd - 1 - 6;
    size_t bits = groups * 5, bytes = bits / 8;
    if (bits % 8 >= 5)
        return RK_EINVAL;
    uint32_t acc = 0;
    unsigned nb = 0;
    for (size_t i = 0; i < groups; i++) {
        acc = (acc << 5) | data[1 + i];
        nb += 5;
        if (nb >= 8)
            nb -= 8;
    }
    if ((acc & ((1u << nb) - 1)) != 0)
        return RK_EINVAL; /* non-zero padding */
    if (bytes < 2 || bytes > 40 || (wver == 0 && bytes != 20 && bytes != 32))
        return RK_EINVAL;
    enum rk_status rc = rk_buf_reserve(&o->canon, n);
    for (size_t i = 0; i < n && rc == RK_OK; i++)
        rc = rk_buf_addc(&o->canon, (char)rk__lower((unsigned char)s[i]));
    return rc;
}

/* ===== Keccak-256 and EIP-55 ===== */

static uint64_t rol64(uint64_t x, unsigned r)
{
    return r == 0 ? x : (x << r) | (x >> (64 - r));
}

static void keccak_f1600(uint64_t a[25])
{
    static const uint64_t rc[24] = {
        0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
        0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
        0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
        0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
        0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
        0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
    };
    /* Rotation offsets and lane order of the rho and pi steps. */
    static const unsigned rotc[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                      27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
    static const unsigned piln[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                      15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};
    for (int round = 0; round < 24; round++) {
        uint64_t c[5], t;
        for (int x = 0; x < 5; x++)
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        static const int prev[5] = {4, 0, 1, 2, 3}, next[5] = {1, 2, 3, 4, 0};
        static const int next2[5] = {2, 3, 4, 0, 1};
        for (int x = 0; x < 5; x++) {
            t = c[prev[x]] ^ rol64(c[next[x]], 1);
            for (int y = 0; y < 25; y += 5)
                a[y + x] ^= t;
        }
        t = a[1];
        for (int i = 0; i < 24; i++) {
            unsigned j = piln[i];
            uint64_t tmp = a[j];
            a[j] = rol64(t, rotc[i]);
            t = tmp;
        }
        for (int y = 0; y < 25; y += 5) {
            for (int x = 0; x < 5; x++)
                c[x] = a[y + x];
            for (int x = 0; x < 5; x++)
                a[y + x] = c[x] ^ ((~c[next[x]]) & c[next2[x]]);
        }
        a[0] ^= rc[round];
    }
}

void rk__obs_keccak256(const uint8_t *in, size_t len, uint8_t out[32])
{
    enum { RATE = 136 };
    uint64_t a[25] = {0};
    uint8_t block[RATE];
    for (;;) {
        size_t take = len < RATE ? len : RATE;
        memset(block, 0, sizeof block);
        memcpy(block, in, take);
        if (take == RATE) {
            in += RATE;
            len -= RATE;
        } else {
            /* Original Keccak padding (0x01 ... 0x80), not the SHA-3 0x06. */
            block[take] ^= 0x01;
            block[RATE - 1] ^= 0x80;
        }
        for (int i = 0; i < RATE / 8; i++) {
            uint64_t lane = 0;
            for (int k = 7; k >= 0; k--)
                lane = (lane << 8) | block[8 * i + k];
            a[i] ^= lane;
        }
        keccak_f1600(a);
        if (take < RATE)
            break;
    }
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(a[i / 8] >> (8 * (i % 8)));
}

static enum rk_status ethereum(const char *s, size_t n, struct rk__obs_out *o)
{
    if (n != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return RK_EINVAL;
    char lower[40];
    int has_lower = 0, has_upper = 0;
    for (int i = 0; i < 40; i++) {
        unsigned char c = (unsigned char)s[2 + i];
        if (!rk__is_hex(c))
            return RK_EINVAL;
        if (c >= 'a' && c <= 'f')
            has_lower = 1;
        if (c >= 'A' && c <= 'F')
            has_upper = 1;
        lower[i] = (char)rk__lower(c);
    }
    uint8_t h[32];
    rk__obs_keccak256((const uint8_t *)lower, 40, h);
    char out[42] = {'0', 'x'};
    for (int i = 0; i < 40; i++) {
        unsigned nib = (i % 2 == 0) ? h[i / 2] >> 4 : h[i / 2] & 15;
        char c = lower[i];
        out[2 + i] = (c >= 'a' && nib >= 8) ? (char)(c - 32) : c;
    }
    /* Mixed case claims an EIP-55 checksum, which must then match exactly. */
    if (has_lower && has_upper && memcmp(out + 2, s + 2, 40) != 0)
        return RK_EINVAL;
    return rk_buf_add(&o->canon, out, 42);
}

enum rk_status rk__obs_wallet(const char *s, size_t n, struct rk__obs_out *o)
{
    if (n == 42 && s[0] == '0')
        return ethereum(s, n, o);
    if (n >= 3 && (s[0] == 'b' || s[0] == 'B'))
        return bech32(s, n, o);
    return base58check(s, n, o);
}
