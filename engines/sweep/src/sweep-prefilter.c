/*
 * The key prefilter of the index image (format version 3): a blocked Bloom filter computed
 * from the records when the image is written, so that the scanner has it from the first byte
 * whatever the index's size (docs/sweep.md, "The key prefilter").
 *
 * Keys: the last two labels of every domain indicator (only when every domain indicator has
 * two labels or more: a one-label indicator "com" is a suffix of hosts whose last two labels
 * are anything), and the host of every URL indicator. A key sets 4 bits, each chosen by 9 bits
 * of its hash, in one 64-byte line chosen by the hash's bits 36 and up; at 16 to 32 bits a key
 * (the line count is a power of two) about 0.1-0.5 % of absent keys pass.
 */
#include "sweep-int.h"

size_t rk__sw_url_host(const char *u, size_t n, size_t *off)
{
    size_t i = 0;
    *off = 0;
    while (i + 2 < n && !(u[i] == ':' && u[i + 1] == '/' && u[i + 2] == '/'))
        i++;
    if (i + 2 >= n)
        return 0;
    i += 3;
    size_t a1 = i, h0 = i;
    for (; a1 < n && u[a1] != '/' && u[a1] != '?' && u[a1] != '#'; a1++)
        if (u[a1] == '@')
            h0 = a1 + 1; /* the host follows the last '@' */
    size_t h1 = h0;
    if (h0 < a1 && u[h0] == '[') {
        while (h1 < a1 && u[h1] != ']')
            h1++;
        if (h1 < a1)
            h1++;
    } else {
        while (h1 < a1 && u[h1] != ':')
            h1++;
    }
    *off = h0;
    return h1 - h0;
}

static uint64_t pf_keys(const uint64_t *type_count, uint32_t flags)
{
    return ((flags & RK__SW_PF_DOMAIN) ? type_count[RK_SWEEP_DOMAIN] : 0) +
           ((flags & RK__SW_PF_URL) ? type_count[RK_SWEEP_URL] : 0);
}

uint32_t rk__sw_pf_flags(const uint64_t *type_count, uint32_t dom_min_labels)
{
    uint32_t f = 0;
    if (type_count[RK_SWEEP_DOMAIN] > 0 && dom_min_labels >= 2)
        f |= RK__SW_PF_DOMAIN;
    if (type_count[RK_SWEEP_URL] > 0)
        f |= RK__SW_PF_URL;
    return f;
}

uint32_t rk__sw_pf_log2_lines(const uint64_t *type_count, uint32_t dom_min_labels)
{
    uint64_t bits = RK__SW_PF_BITS_PER_KEY * pf_keys(type_count,
                                                      rk__sw_pf_flags(type_count, dom_min_labels));
    uint32_t k = 0;
    while (k < RK__SW_PF_MAX_LOG2 && ((uint64_t)512 << k) < bits)
        k++;
    return k;
}

static void pf_set(uint64_t *sec, uint64_t mask, uint64_t h)
{
    uint64_t *line = sec + 8 * ((h >> 36) & mask);
    for (unsigned k = 0; k < 4; k++) {
        unsigned b = (unsigned)(h >> (9 * k)) & 511u;
        line[b >> 6] |= (uint64_t)1 << (b & 63);
    }
}

void rk__sw_pf_fill(uint64_t *sec, uint32_t log2_lines, uint32_t flags, const uint8_t *rec,
                    size_t rec_len)
{
    uint64_t mask = ((uint64_t)1 << log2_lines) - 1;
    size_t off = 4; /* after the dummy word */
    if (flags == 0)
        return;
    while (off + 4 <= rec_len) {
        const uint8_t *r = rec + off;
        size_t rn = (size_t)r[2] | ((size_t)r[3] << 8);
        const char *k = (const char *)r + 4;
        if (rn == 0 && r[0] == 0)
            break; /* the zero padding after the last record */
        if (off + 4 + rn > rec_len)
            break;
        if (r[0] == RK_SWEEP_DOMAIN && (flags & RK__SW_PF_DOMAIN)) {
            size_t st = rk__sw_pf_reg_start(k, rn);
            pf_set(sec, mask, rk__sw_pf_hash(RK__SW_PF_KEY_REG, k + st, rn - st));
        } else if (r[0] == RK_SWEEP_URL && (flags & RK__SW_PF_URL)) {
            size_t ho, hn = rk__sw_url_host(k, rn, &ho);
            pf_set(sec, mask, rk__sw_pf_hash(RK__SW_PF_KEY_URLHOST, k + ho, hn));
        }
        off += (4 + rn + 3) & ~(size_t)3;
    }
}
