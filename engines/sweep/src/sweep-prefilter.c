/*
 * The key prefilter of the index image (format version 3), computed from the records when the
 * image is written, so that the scanner has it from the first byte whatever the index's size
 * (docs/sweep.md, "The key prefilter").
 *
 * A blocked Bloom filter: the last two labels of every domain indicator (only when every
 * domain indicator has two labels or more: a one-label indicator "com" is a suffix of hosts
 * whose last two labels are anything; three under a two-label public suffix such as "co.jp",
 * rk__sw_pf_sfx2()), the host of every URL indicator, every IPv4 address
 * indicator, every hash indicator (its prefilter hash taken from the digest's bytes) and every
 * e-mail indicator. A key sets 4 bits of one 64-byte line (16 bits a key: about 0.25 % of absent
 * keys pass). Then a bitmap of the networks that IPv4 ranges touch, 16 bits a range between
 * /12 and /24 networks: the exact addresses no longer fill it, so far fewer addresses pay the
 * range lookups.
 */
#include "sweep-int.h"

#include "renkei/alloc.h"

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

static uint64_t hash_count(const uint64_t *type_count)
{
    return type_count[RK_SWEEP_MD5] + type_count[RK_SWEEP_SHA1] + type_count[RK_SWEEP_SHA256];
}

uint32_t rk__sw_pf_flags(const uint64_t *type_count, uint32_t dom_min_labels)
{
    uint32_t f = 0;
    if (type_count[RK_SWEEP_DOMAIN] > 0 && dom_min_labels >= 2)
        f |= RK__SW_PF_DOMAIN | RK__SW_PF_DOM3; /* RK__SW_PF_DOM2: the builder's */
    if (type_count[RK_SWEEP_URL] > 0)
        f |= RK__SW_PF_URL;
    if (type_count[RK_SWEEP_IPV4] > 0)
        f |= RK__SW_PF_IP4;
    if (hash_count(type_count) > 0)
        f |= RK__SW_PF_HASH;
    if (type_count[RK_SWEEP_EMAIL] > 0)
        f |= RK__SW_PF_EMAIL;
    return f;
}

uint64_t rk__sw_pf_keys(const uint64_t *type_count, uint32_t f)
{
    return ((f & RK__SW_PF_DOMAIN) ? type_count[RK_SWEEP_DOMAIN] : 0) +
           ((f & RK__SW_PF_URL) ? type_count[RK_SWEEP_URL] : 0) +
           ((f & RK__SW_PF_IP4) ? type_count[RK_SWEEP_IPV4] : 0) +
           ((f & RK__SW_PF_HASH) ? hash_count(type_count) : 0) +
           ((f & RK__SW_PF_EMAIL) ? type_count[RK_SWEEP_EMAIL] : 0);
}

/* The flag of the filter that holds the keys of a type (0: none). */
static uint32_t flag_of(unsigned type)
{
    switch (type) {
    case RK_SWEEP_DOMAIN:
        return RK__SW_PF_DOMAIN;
    case RK_SWEEP_URL:
        return RK__SW_PF_URL;
    case RK_SWEEP_IPV4:
        return RK__SW_PF_IP4;
    case RK_SWEEP_MD5:
    case RK_SWEEP_SHA1:
    case RK_SWEEP_SHA256:
        return RK__SW_PF_HASH;
    case RK_SWEEP_EMAIL:
        return RK__SW_PF_EMAIL;
    default:
        return 0;
    }
}

int rk__sw_pf_key_hash(unsigned type, const char *k, size_t n, uint64_t *h)
{
    switch (type) {
    case RK_SWEEP_DOMAIN: {
        /* Three labels and the suffix's mark under a two-label suffix (RK__SW_PF_DOM3, set
         * with every filter of domains this code writes). */
        size_t st = rk__sw_pf_reg_start(k, n);
        if (st > 0 && rk__sw_pf_sfx2(k + st, n - st)) {
            size_t st3 = rk__sw_pf_dom_start(k, n);
            h[0] = rk__sw_pf_hash(RK__SW_PF_KEY_REG, k + st3, n - st3);
            h[1] = rk__sw_pf_hash(RK__SW_PF_KEY_SFX, k + st, n - st);
            return 2;
        }
        *h = rk__sw_pf_hash(RK__SW_PF_KEY_REG, k + st, n - st);
        return 1;
    }
    case RK_SWEEP_URL: {
        size_t ho, hn = rk__sw_url_host(k, n, &ho);
        *h = rk__sw_pf_hash(RK__SW_PF_KEY_URLHOST, k + ho, hn);
        return 1;
    }
    case RK_SWEEP_IPV4:
        if (n != 4)
            return 0;
        *h = rk__sw_pf_hash(RK__SW_PF_KEY_IP4, k, 4);
        return 1;
    case RK_SWEEP_MD5:
    case RK_SWEEP_SHA1:
    case RK_SWEEP_SHA256:
        if (n < 16)
            return 0;
        *h = rk__sw_pf_hash_digest(type, (const uint8_t *)k);
        return 1;
    case RK_SWEEP_EMAIL:
        /* The canonical address (ASCII: the domain is punycode): the scanner hashes a raw
         * address that canonicalises to itself up to ASCII case, which the hash folds. */
        *h = rk__sw_pf_hash(RK__SW_PF_KEY_EMAIL, k, n);
        return 1;
    default:
        return 0;
    }
}

uint32_t rk__sw_pf_lines(const uint64_t *type_count, uint32_t dom_min_labels)
{
    uint64_t keys = rk__sw_pf_keys(type_count, rk__sw_pf_flags(type_count, dom_min_labels));
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

static void pf_set(uint64_t *sec, uint64_t lines, uint64_t h)
{
    uint64_t *line = sec + 8 * rk__sw_pf_line_of(h, lines), g = rk__sw_pf_bits(h);
    for (unsigned k = 0; k < 4; k++) {
        unsigned b = (unsigned)(g >> (28 + 9 * k)) & 511u;
        line[b >> 6] |= (uint64_t)1 << (b & 63);
    }
}

/* The /k networks that the range a/plen touches (a bitmap of at most 2 MiB: in cache). */
static void c4_set(uint64_t *bm, uint32_t k, const uint8_t *a, unsigned plen)
{
    uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    uint64_t first = v >> (32 - k), count = plen < k ? (uint64_t)1 << (k - plen) : 1;
    first &= ~(count - 1); /* a range is aligned to its size */
    for (uint64_t b = first; b < first + count; b++)
        bm[b / 64] |= (uint64_t)1 << (b % 64);
}

/* What the walk over the records does with each key's hash. */
struct pf_walk {
    uint64_t *sec;
    uint64_t lines;
    unsigned shift;  /* bucket of a hash: h >> shift (its lines in order: rk__sw_pf_line_of) */
    uint64_t *count; /* keys per bucket; NULL: set the bits at once */
    uint64_t *keys;  /* the hashes in record order */
    uint64_t n, cap; /* keys holds cap: one a key rk__sw_pf_keys() counts */
};

static void pf_key(struct pf_walk *w, uint64_t h)
{
    /* The suffix marks are not counted (a few distinct ones, set again and again): once keys
     * is full the rest are set at once, the same bits. */
    if (w->count == NULL || w->n == w->cap) {
        pf_set(w->sec, w->lines, h);
        return;
    }
    w->count[h >> w->shift]++;
    w->keys[w->n++] = h;
}

/* Hands every key of the records to pf_key() and sets the CIDR bits. */
static void pf_walk_records(struct pf_walk *w, uint32_t flags, uint64_t *bm, uint32_t cidr4_bits,
                            const uint8_t *rec, size_t rec_len)
{
    size_t off = 4; /* after the dummy word */
    while (off + 4 <= rec_len) {
        const uint8_t *r = rec + off;
        size_t rn = (size_t)r[2] | ((size_t)r[3] << 8);
        const char *k = (const char *)r + 4;
        if (off + 4 + rn > rec_len)
            break;
        uint64_t h[RK__SW_PF_KEY_HASHES_MAX];
        int nh = (flag_of(r[0]) & flags) != 0 ? rk__sw_pf_key_hash(r[0], k, rn, h) : 0;
        for (int i = 0; i < nh; i++)
            pf_key(w, h[i]);
        if (nh == 0 && r[0] == RK_SWEEP_CIDR4 && rn == 4 && r[1] <= 32)
            c4_set(bm, cidr4_bits, r + 4, r[1]);
        off += (4 + rn + 3) & ~(size_t)3;
    }
}

/*
 * A filter larger than the cache (tens of MB at 10 million indicators) written in record order
 * misses the cache on nearly every key. So the hashes of a large one are collected (8 bytes a
 * key for the time of the fill), put in bucket order in place (each bucket a run of at most
 * PF_BUCKET_LINES lines), and the bits set one bucket at a time, its lines in cache. When that
 * memory is not there the bits are set in record order (slower, the same filter).
 */
#define PF_BUCKET_LINES 4096u /* 256 KiB */

void rk__sw_pf_fill(uint64_t *sec, uint32_t lines, uint32_t flags, uint32_t cidr4_bits,
                    const uint64_t *type_count, const uint8_t *rec, size_t rec_len)
{
    uint64_t *bm = sec + 8 * (uint64_t)lines;
    struct pf_walk w = {sec, lines, 64, NULL, NULL, 0, 0};
    uint64_t nkeys = rk__sw_pf_keys(type_count, flags);
    unsigned bbits = 0;
    while (bbits < 16 && ((uint64_t)PF_BUCKET_LINES << bbits) < lines)
        bbits++;
    size_t nb = (size_t)1 << bbits;
    uint64_t *next = NULL;
    if (bbits > 0) {
        w.shift = 64 - bbits;
        w.count = rk_calloc(nb, sizeof *w.count);
        next = rk_calloc(nb, sizeof *next);
        w.keys = rk_malloc((size_t)(nkeys > 0 ? nkeys : 1) * sizeof *w.keys);
        w.cap = nkeys;
        if (w.count == NULL || next == NULL || w.keys == NULL) {
            rk_free(w.count);
            w.count = NULL;
        }
    }
    pf_walk_records(&w, flags, bm, cidr4_bits, rec, rec_len);
    if (w.count != NULL) { /* the counts are those of the keys held */
        /* In place, one move a key: take the next unplaced key of bucket b and swap it
         * along until a key of b comes back. */
        uint64_t *end = w.count; /* reused: the end of each bucket */
        uint64_t at = 0;
        for (size_t b = 0; b < nb; b++) {
            next[b] = at;
            at += w.count[b];
            end[b] = at;
        }
        for (size_t b = 0; b < nb; b++) {
            while (next[b] < end[b]) {
                uint64_t h = w.keys[next[b]];
                size_t t = (size_t)(h >> w.shift);
                while (t != b) {
                    uint64_t o = w.keys[next[t]];
                    w.keys[next[t]++] = h;
                    h = o;
                    t = (size_t)(h >> w.shift);
                }
                w.keys[next[b]++] = h;
            }
        }
        for (uint64_t i = 0; i < w.n; i++)
            pf_set(sec, lines, w.keys[i]);
    }
    rk_free(w.keys);
    rk_free(w.count);
    rk_free(next);
}

/* ===== From the builder's hashes ===== */

/* Hashes a batch: the lines of a batch's keys are prefetched while the previous batch's are
 * written (the filter is megabytes, written at random). */
#define PF_BATCH 16u

static void pf_set_all(uint64_t *sec, uint64_t lines, const uint64_t *pv, uint64_t n)
{
    uint64_t done = 0, ahead = 0; /* keys set; keys whose lines are prefetched */
    while (ahead < n) {
        uint64_t end = n - ahead < PF_BATCH ? n : ahead + PF_BATCH;
        for (uint64_t i = ahead; i < end; i++)
            __builtin_prefetch(sec + 8 * rk__sw_pf_line_of(pv[i], lines), 1);
        for (uint64_t i = done; i < ahead; i++)
            pf_set(sec, lines, pv[i]);
        done = ahead;
        ahead = end;
    }
    for (uint64_t i = done; i < n; i++)
        pf_set(sec, lines, pv[i]);
}

/* The /k networks of the /24 ones set in c24: a network of k bits is set when a /24 inside it
 * is, the same bits as c4_set() gives each range. */
static void c4_fold(uint64_t *bm, uint32_t k, const uint64_t *c24)
{
    unsigned sh = 24 - k;
    const size_t words = RK__SW_IP4F_BYTES / 8;
    if (sh == 0) {
        memcpy(bm, c24, RK__SW_IP4F_BYTES);
        return;
    }
    for (size_t w = 0; w < words; w++) {
        uint64_t bits = c24[w];
        while (bits != 0) {
            uint64_t n24 = (uint64_t)w * 64 + (uint64_t)__builtin_ctzll(bits), nk = n24 >> sh;
            bm[nk / 64] |= (uint64_t)1 << (nk % 64);
            /* The rest of this /k network's /24s in the word add nothing. */
            uint64_t next = (nk + 1) << sh;
            bits = next >= (uint64_t)(w + 1) * 64 ? 0 : bits & (~(uint64_t)0 << (next % 64));
        }
    }
}

/* Below this many keys the filter's bits are set in the order of the keys (the filter is
 * then small enough for the cache). */
#define PF_PART_MIN_KEYS ((uint64_t)1 << 20)
/* A part of the filter a bucket of keys falls into: 256 KiB, so that it stays in the L2 cache
 * while its keys set their bits. */
#define PF_PART_LINES ((uint64_t)1 << 12)

/*
 * Sets the bits of `n` keys into a large filter bucket by bucket: the keys are first sorted
 * (a counting sort, two sequential passes) on the part of the filter their line falls into,
 * so that the random writes of each bucket stay in a part of the filter in the cache, instead
 * of a cache miss a key over the whole filter (16 MB at 10M keys: 0.4 s of CPU on a loaded
 * machine). A line of a hash is rk__sw_pf_line_of(), monotone in the hash's top 32 bits, so
 * a bucket is h >> (64 - bits) for the buckets' count 2^bits. The bits are ORs, so the order
 * in which keys set them makes no difference to the filter. Returns 0 when it had no memory
 * (nothing set).
 */
static int pf_set_parts(uint64_t *sec, uint64_t lines, const uint64_t *pv, uint64_t n)
{
    unsigned bits = 1;
    while (bits < 16 && (lines >> bits) > PF_PART_LINES)
        bits++;
    size_t nb = (size_t)1 << bits;
    unsigned shift = 64 - bits;
    uint64_t *pos = rk_calloc(nb + 1, sizeof *pos);
    uint64_t *tmp = rk_reallocarray(NULL, (size_t)n, sizeof *tmp);
    if (pos == NULL || tmp == NULL) {
        rk_free(pos);
        rk_free(tmp);
        return 0;
    }
    rk__sw_hint_huge(tmp, (size_t)n * sizeof *tmp); /* tens of MB at 10M keys, all written */
    for (uint64_t i = 0; i < n; i++)
        pos[(pv[i] >> shift) + 1]++;
    for (size_t k = 1; k <= nb; k++)
        pos[k] += pos[k - 1];
    for (uint64_t i = 0; i < n; i++)
        tmp[pos[pv[i] >> shift]++] = pv[i];
    rk_free(pos);
    pf_set_all(sec, lines, tmp, n);
    rk_free(tmp);
    return 1;
}

void rk__sw_pf_fill_hashes(uint64_t *sec, uint32_t lines, uint32_t cidr4_bits, const uint64_t *pv,
                           uint64_t n, const uint64_t *c24)
{
    if (c24 != NULL)
        c4_fold(sec + 8 * (uint64_t)lines, cidr4_bits, c24);
    if (n < PF_PART_MIN_KEYS || lines <= PF_PART_LINES || !pf_set_parts(sec, lines, pv, n))
        pf_set_all(sec, lines, pv, n);
}

/* The /16 summary of the IPv4 prefilter (sweep-int.h, rk_sweep_index.ip4f16). With k >= 16 bits
 * a /16 network holds 2^(k-16) bits of ip4f, all in one word (k <= 22) or in whole words
 * (k >= 22); with k < 16 it lies within the bit of its /k network. At k = 24 this reads the
 * 2 MiB bitmap once, word by word (well under a millisecond), at every open. */
void rk__sw_ip4f16_make(struct rk_sweep_index *ix)
{
    unsigned k = 32 - ix->ip4f_shift;
    memset(ix->ip4f16, 0, sizeof ix->ip4f16);
    for (uint32_t n = 0; n < 65536; n++) {
        int any;
        if (k < 16) {
            uint32_t nk = n >> (16 - k);
            any = (ix->ip4f[nk / 64] >> (nk % 64)) & 1;
        } else if (k <= 22) {
            unsigned g = 1u << (k - 16); /* 1 .. 64 bits, aligned within a word */
            uint64_t first = (uint64_t)n << (k - 16);
            uint64_t m = g == 64 ? ~(uint64_t)0 : (((uint64_t)1 << g) - 1) << (first % 64);
            any = (ix->ip4f[first / 64] & m) != 0;
        } else {
            uint64_t words = (uint64_t)1 << (k - 22), w0 = (uint64_t)n * words, acc = 0;
            for (uint64_t i = 0; i < words; i++)
                acc |= ix->ip4f[w0 + i];
            any = acc != 0;
        }
        if (any)
            ix->ip4f16[n / 64] |= (uint64_t)1 << (n % 64);
    }
}
