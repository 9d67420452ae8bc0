/*
 * The key prefilter of the index image (format version 3), computed from the records when the
 * image is written, so that the scanner has it from the first byte whatever the index's size
 * (docs/sweep.md, "The key prefilter").
 *
 * A blocked Bloom filter: the last two labels of every domain indicator (only when every
 * domain indicator has two labels or more: a one-label indicator "com" is a suffix of hosts
 * whose last two labels are anything), the host of every URL indicator and every IPv4 address
 * indicator. A key sets 4 bits of one 64-byte line (16 bits a key: about 0.25 % of absent
 * keys pass). Then a bitmap of the networks that IPv4 ranges touch, 16 bits a range between
 * /12 and /24 networks: the exact addresses no longer fill it, so far fewer addresses pay the
 * range lookups.
 */
#include "sweep-int.h"

#include <sys/mman.h>

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

uint32_t rk__sw_pf_flags(const uint64_t *type_count, uint32_t dom_min_labels)
{
    uint32_t f = 0;
    if (type_count[RK_SWEEP_DOMAIN] > 0 && dom_min_labels >= 2)
        f |= RK__SW_PF_DOMAIN;
    if (type_count[RK_SWEEP_URL] > 0)
        f |= RK__SW_PF_URL;
    if (type_count[RK_SWEEP_IPV4] > 0)
        f |= RK__SW_PF_IP4;
    return f;
}

uint32_t rk__sw_pf_lines(const uint64_t *type_count, uint32_t dom_min_labels)
{
    uint32_t f = rk__sw_pf_flags(type_count, dom_min_labels);
    uint64_t keys = ((f & RK__SW_PF_DOMAIN) ? type_count[RK_SWEEP_DOMAIN] : 0) +
                    ((f & RK__SW_PF_URL) ? type_count[RK_SWEEP_URL] : 0) +
                    ((f & RK__SW_PF_IP4) ? type_count[RK_SWEEP_IPV4] : 0);
    uint64_t lines = (keys * RK__SW_PF_BITS_PER_KEY + 511) / 512;
    if (lines < 1)
        lines = 1;
    return lines > RK__SW_PF_MAX_LINES ? RK__SW_PF_MAX_LINES : (uint32_t)lines;
}

uint32_t rk__sw_pf_cidr4_bits(const uint64_t *type_count)
{
    uint64_t want = 16 * type_count[RK_SWEEP_CIDR4];
    uint32_t k = RK__SW_IP4F_MIN_BITS;
    while (k < RK__SW_IP4F_MAX_BITS && ((uint64_t)1 << k) < want)
        k++;
    return k;
}

/*
 * The writes go through a small ring: each key's line (or bitmap word) is prefetched when its
 * record is read and written RING records later, so that the misses of a filter larger than
 * the cache overlap (10 million indicators: a filter of tens of MB, one miss a key).
 */
#define RING 16
struct pf_put {
    uint64_t *p; /* the line, or the bitmap word */
    uint64_t v;  /* the key's bit source (line), or the bits to set (word) */
    int line;
};

static void pf_apply(const struct pf_put *w)
{
    if (!w->line) {
        *w->p |= w->v;
        return;
    }
    uint64_t g = w->v;
    for (unsigned k = 0; k < 4; k++) {
        unsigned b = (unsigned)(g >> (28 + 9 * k)) & 511u;
        w->p[b >> 6] |= (uint64_t)1 << (b & 63);
    }
}

static void pf_push(struct pf_put *ring, uint64_t *n, uint64_t *p, uint64_t v, int line)
{
    struct pf_put *w = &ring[*n % RING];
    if (*n >= RING)
        pf_apply(w);
    __builtin_prefetch(p, 1);
    *w = (struct pf_put){p, v, line};
    ++*n;
}

static void pf_key(struct pf_put *ring, uint64_t *n, uint64_t *sec, uint64_t lines, uint64_t h)
{
    pf_push(ring, n, sec + 8 * rk__sw_pf_line_of(h, lines), rk__sw_pf_bits(h), 1);
}

/* The /k networks that the range a/plen touches. */
static void c4_set(struct pf_put *ring, uint64_t *n, uint64_t *bm, uint32_t k, const uint8_t *a,
                   unsigned plen)
{
    uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    uint64_t first = v >> (32 - k), count = plen < k ? (uint64_t)1 << (k - plen) : 1;
    first &= ~(count - 1); /* a range is aligned to its size */
    for (uint64_t b = first; b < first + count; b++)
        pf_push(ring, n, &bm[b / 64], (uint64_t)1 << (b % 64), 0);
}

void rk__sw_pf_fill(uint64_t *sec, uint32_t lines, uint32_t flags, uint32_t cidr4_bits,
                    const uint8_t *rec, size_t rec_len)
{
    uint64_t *bm = sec + 8 * (uint64_t)lines;
    struct pf_put ring[RING];
    uint64_t n = 0;
    size_t off = 4; /* after the dummy word */
    size_t size = (size_t)rk__sw_pf_size(lines, cidr4_bits);
#ifdef MADV_HUGEPAGE
    /* Random writes over tens of MB: with 4 KiB pages nearly every one also misses the TLB.
     * Only a hint (the image is ordinary anonymous memory); failure changes nothing. */
    uintptr_t lo = ((uintptr_t)sec + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1);
    uintptr_t hi = ((uintptr_t)sec + size) & ~(uintptr_t)((2u << 20) - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#endif
    /* The section is zero already; writing it in order first maps its pages, which the
     * prefetches below cannot do (a prefetch of a page not yet mapped is dropped). */
    memset(sec, 0, size);
    while (off + 4 <= rec_len) {
        const uint8_t *r = rec + off;
        size_t rn = (size_t)r[2] | ((size_t)r[3] << 8);
        const char *k = (const char *)r + 4;
        if (off + 4 + rn > rec_len)
            break;
        if (r[0] == RK_SWEEP_DOMAIN && (flags & RK__SW_PF_DOMAIN)) {
            size_t st = rk__sw_pf_reg_start(k, rn);
            pf_key(ring, &n, sec, lines, rk__sw_pf_hash(RK__SW_PF_KEY_REG, k + st, rn - st));
        } else if (r[0] == RK_SWEEP_URL && (flags & RK__SW_PF_URL)) {
            size_t ho, hn = rk__sw_url_host(k, rn, &ho);
            pf_key(ring, &n, sec, lines, rk__sw_pf_hash(RK__SW_PF_KEY_URLHOST, k + ho, hn));
        } else if (r[0] == RK_SWEEP_IPV4 && rn == 4 && (flags & RK__SW_PF_IP4)) {
            pf_key(ring, &n, sec, lines, rk__sw_pf_hash(RK__SW_PF_KEY_IP4, k, 4));
        } else if (r[0] == RK_SWEEP_CIDR4 && rn == 4 && r[1] <= 32) {
            c4_set(ring, &n, bm, cidr4_bits, r + 4, r[1]);
        }
        off += (4 + rn + 3) & ~(size_t)3;
    }
    for (uint64_t i = n > RING ? n - RING : 0; i < n; i++)
        pf_apply(&ring[i % RING]);
}
