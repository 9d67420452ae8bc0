/*
 * The sweep index: building it, writing it, opening it.
 *
 * One open-addressing hash table of 64-bit slots (a 32-bit tag from the key hash and a 32-bit
 * record offset) over a blob of records that hold each indicator's canonical key. A lookup
 * costs one cache line of the table and, only when the tag matches, one of the records: the
 * verify step against the stored key makes the answer exact. CIDR ranges are stored as their
 * network address per prefix length (the header lists the lengths in use, so an address is
 * looked up once per length, longest first); domains are looked up once per suffix at a label
 * boundary. The image holds offsets only, so the file is used as mapped, read-only, by every
 * thread and process. docs/sweep.md explains the choices and the sizes.
 */
#include "sweep-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"

#define PEND 32
#define GROW_BATCH 16

/* Records blob cap: 2^32 words of 4 bytes (the slot's record offset is 32-bit). */
#define REC_CAP ((size_t)0xffffffffu * 4u)

struct rk_sweep_builder {
    struct rk_buf rec;   /* records; starts with a dummy word so that offset 0 means empty */
    uint64_t *slots;
    uint32_t log2;
    /* The table size the doubling rule alone would have reached: log2 can be larger after
     * rk_sweep_builder_reserve(), and the image is made at this size, so that a reserved
     * build writes the same bytes as one that grew step by step. */
    uint32_t nat_log2;
    uint32_t max_probe;
    uint64_t count;
    uint64_t cidr4_mask;
    uint64_t cidr6_mask[3];
    uint32_t dom_min, dom_max;
    uint64_t tld_filter[64];
    uint64_t type_count[RK_SWEEP_TYPE_COUNT];
    uint64_t *ip4f; /* RK__SW_IP4F_BYTES, made with the first IPv4 indicator */
    uint64_t ip4f_lo, ip4f_hi; /* words of ip4f that may be non-zero: [lo, hi) */
    /* Canonical keys waiting to be inserted: a batch is hashed and its slots prefetched
     * first, so that the table's cache misses overlap (the build is bound by them). */
    struct pending {
        uint64_t h;
        uint32_t off;
        uint16_t n;
        uint8_t type, plen;
    } pend[PEND];
    unsigned npend;
    uint32_t pused;
    uint8_t pbuf[PEND * (RK_MAX_SWEEP_INDICATOR + 16)];
    /* Metadata (rk_sweep_builder_add_meta): entries in the order added, and the strings, each
     * stored once (mtab: an open-addressing set of string offsets + 1, 0 = empty). */
    struct meta_ent {
        uint32_t word; /* record offset in 4-byte units */
        uint32_t str;  /* offset in mstr */
        uint64_t seq;  /* order added: the first metadata of a record wins */
    } * ments;
    size_t nments, capments;
    struct rk_buf mstr;
    uint32_t *mtab;
    uint32_t mtab_log2, mtab_n;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

const char *rk_sweep_type_name(enum rk_sweep_type t)
{
    switch (t) {
    case RK_SWEEP_IPV4:
        return "ipv4";
    case RK_SWEEP_IPV6:
        return "ipv6";
    case RK_SWEEP_CIDR4:
    case RK_SWEEP_CIDR6:
        return "cidr";
    case RK_SWEEP_DOMAIN:
        return "domain";
    case RK_SWEEP_URL:
        return "url";
    case RK_SWEEP_EMAIL:
        return "email";
    case RK_SWEEP_MD5:
        return "md5";
    case RK_SWEEP_SHA1:
        return "sha1";
    case RK_SWEEP_SHA256:
        return "sha256";
    default:
        return "none";
    }
}

/* ===== Checksum =====
 * rk__sw_checksum and the chunked body checksum: sweep-sum.c. */

/* ===== Builder ===== */

enum rk_status rk_sweep_builder_create(struct rk_sweep_builder **out)
{
    struct rk_sweep_builder *b = rk_calloc(1, sizeof *b);
    enum rk_status rc = RK_ENOMEM;
    *out = NULL;
    if (b == NULL)
        goto out;
    rk_buf_init(&b->rec, REC_CAP);
    rk_buf_init(&b->mstr, 0xffffffffu);
    b->log2 = 10;
    b->nat_log2 = 10;
    b->slots = rk_calloc((size_t)1 << b->log2, sizeof *b->slots);
    if (b->slots == NULL)
        goto out;
    rc = rk_buf_add(&b->rec, "\0\0\0\0", 4);
    if (rc != RK_OK)
        goto out;
    *out = b;
    b = NULL;
out:
    rk_sweep_builder_destroy(b);
    return rc;
}

void rk_sweep_builder_destroy(struct rk_sweep_builder *b)
{
    if (b == NULL)
        return;
    rk_buf_free(&b->rec);
    rk_buf_free(&b->mstr);
    rk_free(b->ments);
    rk_free(b->mtab);
    rk_free(b->slots);
    rk_free(b->ip4f);
    rk_free(b);
}

static enum rk_status flush_pending(struct rk_sweep_builder *b);

uint64_t rk_sweep_builder_count(struct rk_sweep_builder *b)
{
    flush_pending(b);
    return b->count;
}

static uint64_t rec_hash(const uint8_t *r)
{
    return rk__sw_hash(r[0], r[1], r + 4, (size_t)r[2] | ((size_t)r[3] << 8));
}

/* Places an entry in the builder's table; returns the probe distance. */
static uint32_t place(uint64_t *slots, uint64_t mask, uint64_t h, uint64_t word)
{
    uint64_t i = h & mask;
    uint32_t d = 0;
    while (slots[i] != 0) {
        i = (i + 1) & mask;
        d++;
    }
    slots[i] = (h & 0xffffffff00000000ull) | word;
    return d;
}

/* Moves every entry into a new table of 2^log2 slots (larger or smaller than the current). */
static enum rk_status rehash(struct rk_sweep_builder *b, uint32_t log2)
{
    uint64_t n = (uint64_t)1 << log2, mask = n - 1;
    uint64_t *ns = rk_calloc((size_t)n, sizeof *ns);
    if (ns == NULL)
        return RK_ENOMEM;
    uint32_t maxp = 0;
    /* Every entry of the table has exactly one record, and the records lie in one blob in
     * insertion order: walking the blob reads memory in order where walking the old table
     * would read each record at a random place. The hashes of a batch are computed first and
     * their new slots prefetched, so that the misses of the new table overlap. */
    const uint8_t *rec = (const uint8_t *)b->rec.data;
    size_t off = 4, end = b->rec.len; /* after the dummy word */
    while (off < end) {
        uint64_t hs[GROW_BATCH], words[GROW_BATCH];
        unsigned k = 0;
        for (; k < GROW_BATCH && off + 4 <= end; k++) {
            const uint8_t *r = rec + off;
            size_t rn = (size_t)r[2] | ((size_t)r[3] << 8);
            hs[k] = rec_hash(r);
            words[k] = off / 4;
            __builtin_prefetch(&ns[hs[k] & mask], 1);
            off += 4 + ((rn + 3) & ~(size_t)3);
        }
        if (k == 0)
            break;
        for (unsigned j = 0; j < k; j++) {
            uint32_t d = place(ns, mask, hs[j], words[j]);
            if (d > maxp)
                maxp = d;
        }
    }
    rk_free(b->slots);
    b->slots = ns;
    b->log2 = log2;
    b->max_probe = maxp;
    return RK_OK;
}

/* The smallest table (2^log2 slots, log2 >= 10) that holds `count` keys at a load of at most
 * 5/8: the size the doubling in insert_key() reaches. */
static uint32_t log2_for(uint64_t count)
{
    uint32_t l = 10;
    while (count * 8 > ((uint64_t)5 << l))
        l++;
    return l;
}

enum rk_status rk_sweep_builder_reserve(struct rk_sweep_builder *b, uint64_t n)
{
    if (n > RK_MAX_SWEEP_INDICATORS)
        n = RK_MAX_SWEEP_INDICATORS;
    uint64_t want = b->count + b->npend + n;
    if (want > RK_MAX_SWEEP_INDICATORS)
        want = RK_MAX_SWEEP_INDICATORS;
    uint32_t l = log2_for(want);
    if (l <= b->log2)
        return RK_OK;
    enum rk_status rc = rehash(b, l);
    if (rc != RK_OK)
        return rc;
    /* The pending keys' slots were prefetched in the old table; harmless, only slower. */
    return RK_OK;
}

/* Brings the table back to the size the doubling rule alone would have given (after a
 * reservation larger than what was added): the image is then the same bytes either way. */
static enum rk_status settle_size(struct rk_sweep_builder *b)
{
    if (b->log2 == b->nat_log2)
        return RK_OK;
    return rehash(b, b->nat_log2);
}

static unsigned count_labels(const uint8_t *k, size_t n)
{
    unsigned l = 1;
    for (size_t i = 0; i < n; i++)
        l += k[i] == '.';
    return l;
}

/* Adds a canonical key; duplicates are ignored. */
static enum rk_status insert_key(struct rk_sweep_builder *b, enum rk_sweep_type type,
                                 uint8_t plen, const uint8_t *key, size_t n, uint64_t h)
{
    enum rk_status rc;
    if (b->count >= RK_MAX_SWEEP_INDICATORS || n > RK_MAX_SWEEP_INDICATOR)
        return RK_ETOOBIG;
    if ((type == RK_SWEEP_IPV4 || type == RK_SWEEP_CIDR4) && b->ip4f == NULL) {
        /* The /24 bitmap is made with the first IPv4 indicator, before anything is stored. */
        b->ip4f = rk_calloc(1, RK__SW_IP4F_BYTES);
        if (b->ip4f == NULL)
            return RK_ENOMEM;
    }
    /* Keep the load at or under 5/8: short probe runs, and 8 bytes a slot stay under 14 bytes
     * an indicator even right after a doubling. */
    if ((b->count + 1) * 8 > ((uint64_t)5 << b->log2)) {
        rc = rehash(b, b->log2 + 1);
        if (rc != RK_OK)
            return rc;
    }
    /* After the growth, so that a failed one leaves both sizes as they were. */
    if ((b->count + 1) * 8 > ((uint64_t)5 << b->nat_log2))
        b->nat_log2++;
    uint64_t mask = ((uint64_t)1 << b->log2) - 1, i = h & mask;
    uint32_t tag = (uint32_t)(h >> 32), d = 0;
    for (; b->slots[i] != 0; i = (i + 1) & mask, d++) {
        uint64_t e = b->slots[i];
        if ((uint32_t)(e >> 32) != tag)
            continue;
        const uint8_t *r = (const uint8_t *)b->rec.data + (e & 0xffffffffu) * 4;
        if (r[0] == type && r[1] == plen && ((size_t)r[2] | ((size_t)r[3] << 8)) == n &&
            memcmp(r + 4, key, n) == 0)
            return RK_OK;
    }
    size_t off = b->rec.len;
    uint8_t hdr[4] = {(uint8_t)type, plen, (uint8_t)(n & 0xff), (uint8_t)(n >> 8)};
    static const uint8_t pad[4] = {0};
    rc = rk_buf_reserve(&b->rec, 4 + n + 4);
    if (rc != RK_OK)
        return rc;
    rk_buf_add(&b->rec, hdr, 4);
    rk_buf_add(&b->rec, key, n);
    rk_buf_add(&b->rec, pad, (4 - (n & 3)) & 3);
    b->slots[i] = ((uint64_t)tag << 32) | (off / 4);
    if (d > b->max_probe)
        b->max_probe = d;
    b->count++;
    b->type_count[type]++;
    if (type == RK_SWEEP_IPV4 || type == RK_SWEEP_CIDR4) {
        uint32_t a = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8;
        uint64_t first = a >> 8, count = type == RK_SWEEP_CIDR4 && plen < 24
                                              ? (uint64_t)1 << (24 - plen) : 1;
        /* A range is a power-of-two run of /24s aligned to its size: whole words at once. */
        if (b->ip4f_hi == 0 || first / 64 < b->ip4f_lo)
            b->ip4f_lo = first / 64;
        if ((first + count + 63) / 64 > b->ip4f_hi)
            b->ip4f_hi = (first + count + 63) / 64;
        if (count >= 64)
            memset(&b->ip4f[first / 64], 0xff, (size_t)(count / 8));
        else
            for (uint64_t k = first; k < first + count; k++)
                b->ip4f[k / 64] |= (uint64_t)1 << (k % 64);
    }
    if (type == RK_SWEEP_CIDR4)
        b->cidr4_mask |= (uint64_t)1 << plen;
    else if (type == RK_SWEEP_CIDR6)
        b->cidr6_mask[plen / 64] |= (uint64_t)1 << (plen % 64);
    else if (type == RK_SWEEP_DOMAIN) {
        unsigned l = count_labels(key, n);
        if (b->dom_min == 0 || l < b->dom_min)
            b->dom_min = l;
        if (l > b->dom_max)
            b->dom_max = l;
        size_t ls = n;
        while (ls > 0 && key[ls - 1] != '.')
            ls--;
        unsigned bit = rk__sw_tld_bit((const char *)key + ls, n - ls);
        b->tld_filter[bit / 64] |= (uint64_t)1 << (bit % 64);
    }
    return RK_OK;
}

/* Inserts the pending keys. Returns the first error (the rest of the batch is dropped). */
static enum rk_status flush_pending(struct rk_sweep_builder *b)
{
    enum rk_status rc = RK_OK;
    uint64_t mask = ((uint64_t)1 << b->log2) - 1;
    for (unsigned k = 0; k < b->npend; k++)
        __builtin_prefetch(&b->slots[b->pend[k].h & mask]);
    for (unsigned k = 0; k < b->npend && rc == RK_OK; k++) {
        const struct pending *p = &b->pend[k];
        rc = insert_key(b, (enum rk_sweep_type)p->type, p->plen, b->pbuf + p->off, p->n, p->h);
    }
    b->npend = 0;
    b->pused = 0;
    return rc;
}

enum rk_status rk_sweep_builder_add(struct rk_sweep_builder *b, enum rk_sweep_type type,
                                    const char *value, size_t len)
{
    uint8_t plen = 0;
    enum rk_status rc;
    if (len > RK_MAX_SWEEP_INDICATOR)
        return RK_ETOOBIG;
    /* Keys are packed one after another in pbuf (8-byte aligned), so that a batch stays in a
     * few cache lines; a full-size key must always fit. */
    if (b->npend == PEND || b->pused + RK_MAX_SWEEP_INDICATOR + 16 > sizeof b->pbuf) {
        rc = flush_pending(b);
        if (rc != RK_OK)
            return rc;
    }
    uint8_t *key = b->pbuf + b->pused;
    size_t n = rk__sw_canon_indicator(value, len, &type, &plen, key, RK_MAX_SWEEP_INDICATOR + 16);
    if (n == 0 || n > RK_MAX_SWEEP_INDICATOR)
        return RK_EINVAL;
    struct pending *p = &b->pend[b->npend++];
    p->h = rk__sw_hash(type, plen, key, n);
    p->off = b->pused;
    p->n = (uint16_t)n;
    p->type = (uint8_t)type;
    p->plen = plen;
    b->pused += (uint32_t)((n + 7) & ~(size_t)7);
    __builtin_prefetch(&b->slots[p->h & (((uint64_t)1 << b->log2) - 1)]);
    /* The /24 bitmap word insert_key() will set (2 MiB, read at random: a cache miss per
     * address without this). */
    if ((type == RK_SWEEP_IPV4 || type == RK_SWEEP_CIDR4) && b->ip4f != NULL) {
        uint32_t n24 = (uint32_t)key[0] << 16 | (uint32_t)key[1] << 8 | key[2];
        __builtin_prefetch(&b->ip4f[n24 / 64], 1);
    }
    return RK_OK;
}

/* ===== Metadata ===== */

/* The record word of a key already in the table, or 0. */
static uint32_t find_key(const struct rk_sweep_builder *b, unsigned type, unsigned plen,
                         const uint8_t *key, size_t n, uint64_t h)
{
    uint64_t mask = ((uint64_t)1 << b->log2) - 1, i = h & mask;
    uint32_t tag = (uint32_t)(h >> 32);
    for (; b->slots[i] != 0; i = (i + 1) & mask) {
        uint64_t e = b->slots[i];
        if ((uint32_t)(e >> 32) != tag)
            continue;
        const uint8_t *r = (const uint8_t *)b->rec.data + (e & 0xffffffffu) * 4;
        if (r[0] == type && r[1] == plen && ((size_t)r[2] | ((size_t)r[3] << 8)) == n &&
            memcmp(r + 4, key, n) == 0)
            return (uint32_t)(e & 0xffffffffu);
    }
    return 0;
}

static uint32_t str_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Stores `s` once in the strings blob; `*off` receives its offset. */
static enum rk_status intern(struct rk_sweep_builder *b, const char *s, size_t n, uint32_t *off)
{
    if ((b->mtab_n + 1) * 2 > ((uint32_t)1 << b->mtab_log2) || b->mtab == NULL) {
        uint32_t log2 = b->mtab == NULL ? 10 : b->mtab_log2 + 1;
        uint32_t *t = rk_calloc((size_t)1 << log2, sizeof *t);
        if (t == NULL)
            return RK_ENOMEM;
        uint32_t mask = ((uint32_t)1 << log2) - 1;
        for (uint32_t i = 0; b->mtab != NULL && i < ((uint32_t)1 << b->mtab_log2); i++) {
            if (b->mtab[i] == 0)
                continue;
            const char *x = b->mstr.data + b->mtab[i] - 1;
            uint32_t j = str_hash(x, strlen(x)) & mask;
            while (t[j] != 0)
                j = (j + 1) & mask;
            t[j] = b->mtab[i];
        }
        rk_free(b->mtab);
        b->mtab = t;
        b->mtab_log2 = log2;
    }
    uint32_t mask = ((uint32_t)1 << b->mtab_log2) - 1, j = str_hash(s, n) & mask;
    for (; b->mtab[j] != 0; j = (j + 1) & mask) {
        const char *x = b->mstr.data + b->mtab[j] - 1;
        if (strncmp(x, s, n) == 0 && x[n] == '\0') {
            *off = b->mtab[j] - 1;
            return RK_OK;
        }
    }
    size_t at = b->mstr.len;
    enum rk_status rc = rk_buf_add(&b->mstr, s, n);
    if (rc == RK_OK)
        rc = rk_buf_addc(&b->mstr, '\0');
    if (rc != RK_OK)
        return rc;
    b->mtab[j] = (uint32_t)at + 1;
    b->mtab_n++;
    *off = (uint32_t)at;
    return RK_OK;
}

enum rk_status rk_sweep_builder_add_meta(struct rk_sweep_builder *b, enum rk_sweep_type type,
                                         const char *value, size_t len, const char *meta)
{
    uint8_t key[RK_MAX_SWEEP_INDICATOR + 16];
    uint8_t plen = 0;
    size_t ml = strlen(meta);
    if (len > RK_MAX_SWEEP_INDICATOR || ml > RK_MAX_SWEEP_META)
        return RK_ETOOBIG;
    enum rk_status rc = flush_pending(b);
    if (rc != RK_OK)
        return rc;
    size_t n = rk__sw_canon_indicator(value, len, &type, &plen, key, sizeof key);
    if (n == 0 || n > RK_MAX_SWEEP_INDICATOR)
        return RK_EINVAL;
    uint64_t h = rk__sw_hash(type, plen, key, n);
    rc = insert_key(b, type, plen, key, n, h);
    if (rc != RK_OK)
        return rc;
    uint32_t word = find_key(b, type, plen, key, n, h), str = 0;
    if (word == 0)
        return RK_ENOMEM; /* cannot happen: the key was just inserted */
    if (b->nments == b->capments) {
        size_t cap = b->capments ? b->capments * 2 : 256;
        struct meta_ent *m = rk_reallocarray(b->ments, cap, sizeof *m);
        if (m == NULL)
            return RK_ENOMEM;
        b->ments = m;
        b->capments = cap;
    }
    rc = intern(b, meta, ml, &str);
    if (rc != RK_OK)
        return rc;
    b->ments[b->nments] = (struct meta_ent){word, str, b->nments};
    b->nments++;
    return RK_OK;
}

static int cmp_ment(const void *x, const void *y)
{
    const struct meta_ent *a = x, *c = y;
    if (a->word != c->word)
        return a->word < c->word ? -1 : 1;
    return a->seq < c->seq ? -1 : a->seq > c->seq;
}

/* Sorts the entries by record and keeps the first of each record; returns how many remain. */
static size_t meta_prepare(struct rk_sweep_builder *b)
{
    if (b->nments == 0)
        return 0;
    qsort(b->ments, b->nments, sizeof *b->ments, cmp_ment);
    size_t k = 1;
    for (size_t i = 1; i < b->nments; i++) {
        if (b->ments[i].word != b->ments[k - 1].word)
            b->ments[k++] = b->ments[i];
    }
    b->nments = k;
    return k;
}

/* Bytes of the metadata section for `count` entries. */
static uint64_t meta_section_size(const struct rk_sweep_builder *b)
{
    return b->nments == 0 ? 0
                          : ((sizeof(struct rk__sw_meta_header) + 7) & ~(uint64_t)7) +
                                (uint64_t)b->nments * 8 + ((b->mstr.len + 7) & ~(uint64_t)7);
}

static void meta_write(const struct rk_sweep_builder *b, uint8_t *sec)
{
    struct rk__sw_meta_header mh;
    memset(&mh, 0, sizeof mh);
    memcpy(mh.magic, RK__SW_META_MAGIC, 8);
    mh.count = b->nments;
    mh.entries_off = (sizeof mh + 7) & ~(uint64_t)7;
    mh.strings_off = mh.entries_off + (uint64_t)b->nments * 8;
    mh.strings_len = b->mstr.len;
    memcpy(sec, &mh, sizeof mh);
    uint32_t *e = (uint32_t *)(void *)(sec + mh.entries_off);
    for (size_t i = 0; i < b->nments; i++) {
        e[2 * i] = b->ments[i].word;
        e[2 * i + 1] = b->ments[i].str;
    }
    memcpy(sec + mh.strings_off, b->mstr.data, b->mstr.len);
}

const char *rk__sw_meta(const struct rk_sweep_index *ix, uint64_t off)
{
    uint64_t lo = 0, hi = ix->meta_count;
    uint32_t word = (uint32_t)(off / 4);
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        uint32_t w = ix->meta_ent[2 * mid];
        if (w == word)
            return ix->meta_ent[2 * mid + 1] < ix->meta_str_len
                       ? ix->meta_str + ix->meta_ent[2 * mid + 1]
                       : NULL;
        if (w < word)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

uint64_t rk_sweep_index_meta_count(const struct rk_sweep_index *ix)
{
    return ix->meta_count;
}

uint64_t rk_sweep_index_meta_size(const struct rk_sweep_index *ix)
{
    return ix->meta_size;
}

/* ===== Image ===== */

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* The prefilter's resolution: about 16 bits an IPv4 indicator or range, within [12, 24]. */
static uint32_t ip4_filter_bits(const struct rk_sweep_builder *b)
{
    uint64_t want = 16 * (b->type_count[RK_SWEEP_IPV4] + b->type_count[RK_SWEEP_CIDR4]);
    uint32_t k = RK__SW_IP4F_MIN_BITS;
    while (k < RK__SW_IP4F_MAX_BITS && ((uint64_t)1 << k) < want)
        k++;
    return k;
}

/* Folds the builder's /24 bitmap into the /k one of the image. */
static void fold_ip4_filter(const struct rk_sweep_builder *b, uint32_t k, uint64_t *out)
{
    unsigned group = 1u << (24 - k); /* /24 networks per /k network */
    memset(out, 0, ((size_t)1 << k) / 8);
    for (uint64_t w = b->ip4f_lo; b->ip4f != NULL && w < b->ip4f_hi; w++) {
        uint64_t bits = b->ip4f[w];
        while (bits != 0) {
            uint64_t n24 = w * 64 + (uint64_t)__builtin_ctzll(bits);
            uint64_t nk = n24 / group;
            out[nk / 64] |= (uint64_t)1 << (nk % 64);
            bits &= bits - 1;
        }
    }
}

static void fill_header(const struct rk_sweep_builder *b, struct rk__sw_header *h)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, RK__SW_MAGIC, 8);
    h->version = RK__SW_VERSION;
    h->header_size = (uint32_t)align8(sizeof *h);
    h->count = b->count;
    h->log2_slots = b->log2;
    h->max_probe = b->max_probe;
    h->slots_off = h->header_size;
    h->records_off = h->slots_off + ((uint64_t)8 << b->log2);
    h->records_len = align8(b->rec.len);
    h->ip4_filter_off = h->records_off + h->records_len;
    h->ip4_filter_bits = ip4_filter_bits(b);
    /* The key prefilter (sweep-prefilter.c): one cache line a query, so lines start at a
     * multiple of 64 bytes of the file. */
    h->pf_off = (h->ip4_filter_off + ((uint64_t)1 << h->ip4_filter_bits) / 8 + 63) &
                ~(uint64_t)63;
    h->pf_lines = rk__sw_pf_lines(b->type_count, b->dom_min);
    h->pf_flags = rk__sw_pf_flags(b->type_count, b->dom_min);
    h->pf_cidr4_bits = rk__sw_pf_cidr4_bits(b->type_count);
    h->file_size = h->pf_off + rk__sw_pf_size(h->pf_lines, h->pf_cidr4_bits);
    h->cidr4_mask = b->cidr4_mask;
    memcpy(h->cidr6_mask, b->cidr6_mask, sizeof h->cidr6_mask);
    h->dom_min_labels = b->dom_min;
    h->dom_max_labels = b->dom_max;
    memcpy(h->tld_filter, b->tld_filter, sizeof h->tld_filter);
    memcpy(h->type_count, b->type_count, sizeof h->type_count);
}

static void seal_header(struct rk__sw_header *h, const uint8_t *body, size_t body_len)
{
    /* body == NULL: an image built in memory and never stored needs no body checksum. */
    h->sum_chunk_log2 = rk__sw_sum_chunk_log2(body_len);
    h->body_checksum = body != NULL ? rk__sw_body_checksum(body, body_len, h->sum_chunk_log2,
                                                           rk__sw_sum_threads(), 0)
                                    : 0;
    h->header_checksum = 0;
    h->header_checksum = rk__sw_checksum(h, sizeof *h);
}

static enum rk_status check_image(struct rk_sweep_index *ix, int verify_body, char *err,
                                  size_t errlen);

/* Returns the whole image (header, slots, records, filter), sealed; rk_free() it. With
 * `for_file` the body checksum is computed (an in-memory image skips it). */
static uint8_t *make_image(struct rk_sweep_builder *b, struct rk__sw_header *h, int for_file)
{
    fill_header(b, h);
    uint64_t meta_off = h->file_size;
    if (meta_prepare(b) > 0) {
        h->version = RK__SW_VERSION_META;
        h->file_size += meta_section_size(b);
    }
    uint8_t *img = rk_calloc(1, (size_t)h->file_size);
    if (img == NULL)
        return NULL;
    memcpy(img + h->slots_off, b->slots, (size_t)8 << b->log2);
    memcpy(img + h->records_off, b->rec.data, b->rec.len);
    fold_ip4_filter(b, h->ip4_filter_bits, (uint64_t *)(void *)(img + h->ip4_filter_off));
    rk__sw_pf_fill((uint64_t *)(void *)(img + h->pf_off), h->pf_lines, h->pf_flags,
                   h->pf_cidr4_bits, b->type_count, (const uint8_t *)b->rec.data, b->rec.len);
    if (b->nments > 0)
        meta_write(b, img + meta_off);
    seal_header(h, for_file ? img + h->header_size : NULL,
                (size_t)(h->file_size - h->header_size));
    memcpy(img, h, sizeof *h);
    return img;
}

enum rk_status rk_sweep_builder_build(struct rk_sweep_builder *b, struct rk_sweep_index **out)
{
    struct rk__sw_header h;
    *out = NULL;
    enum rk_status frc = flush_pending(b);
    if (frc == RK_OK)
        frc = settle_size(b);
    if (frc != RK_OK)
        return frc;
    uint8_t *img = make_image(b, &h, 0);
    struct rk_sweep_index *ix = rk_calloc(1, sizeof *ix);
    if (img == NULL || ix == NULL) {
        rk_free(img);
        rk_free(ix);
        return RK_ENOMEM;
    }
    ix->base = img;
    ix->size = (size_t)h.file_size;
    ix->owned = img;
    enum rk_status rc = check_image(ix, 0, NULL, 0);
    if (rc != RK_OK) {
        rk_sweep_index_close(ix);
        return rc;
    }
    *out = ix;
    return RK_OK;
}

static int write_all(int fd, const void *p, size_t n)
{
    const uint8_t *q = p;
    while (n > 0) {
        ssize_t w = write(fd, q, n > (1u << 30) ? (1u << 30) : n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        q += w;
        n -= (size_t)w;
    }
    return 0;
}

enum rk_status rk_sweep_builder_write(struct rk_sweep_builder *b, const char *path, char *err,
                                      size_t errlen)
{
    struct rk__sw_header h;
    enum rk_status rc = RK_EIO;
    char tmp[4096];
    int fd = -1;
    uint8_t *img = NULL;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
        set_err(err, errlen, "index path too long");
        return RK_EINVAL;
    }
    rc = flush_pending(b);
    if (rc == RK_OK)
        rc = settle_size(b);
    if (rc != RK_OK) {
        set_err(err, errlen, "%s", rk_strerror(rc));
        return rc;
    }
    rc = RK_EIO;
    img = make_image(b, &h, 1);
    if (img == NULL) {
        set_err(err, errlen, "out of memory");
        return RK_ENOMEM;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        set_err(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (write_all(fd, img, (size_t)h.file_size) != 0) {
        set_err(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        set_err(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        set_err(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        goto out;
    }
    rc = RK_OK;
out:
    rk_free(img);
    if (fd >= 0)
        close(fd);
    if (rc != RK_OK)
        unlink(tmp);
    return rc;
}

/* ===== Opening ===== */

/* Checks the metadata section at `off` (to the end of the image) and points the index at it.
 * The header always; every entry (sorted, string offset inside the strings) only with
 * `verify`, when the whole body is read for its checksum anyway: --no-verify must stay a few
 * system calls whatever the size. A lookup bounds-checks the string offset itself, and a
 * binary search over entries out of order still ends (it may only miss), so an unchecked
 * section cannot make a read leave the image. */
static enum rk_status check_meta(struct rk_sweep_index *ix, uint64_t off, int verify, char *err,
                                 size_t errlen)
{
    const struct rk__sw_header *h = (const void *)ix->base;
    uint64_t len = h->file_size - off;
    struct rk__sw_meta_header m;
    if (off % 8 != 0 || len < sizeof m) {
        set_err(err, errlen, "sweep index metadata section is missing");
        return RK_ECORRUPT;
    }
    memcpy(&m, ix->base + off, sizeof m);
    if (memcmp(m.magic, RK__SW_META_MAGIC, 8) != 0 || m.count == 0 || m.count > h->count ||
        m.entries_off < sizeof m || m.entries_off % 8 != 0 || m.entries_off > len ||
        m.count > (len - m.entries_off) / 8 || m.strings_off != m.entries_off + m.count * 8 ||
        m.strings_len == 0 || m.strings_len > len - m.strings_off ||
        ix->base[off + m.strings_off + m.strings_len - 1] != '\0') {
        set_err(err, errlen, "sweep index metadata section is inconsistent");
        return RK_ECORRUPT;
    }
    const uint32_t *e = (const uint32_t *)(const void *)(ix->base + off + m.entries_off);
    for (uint64_t i = 0; verify && i < m.count; i++) {
        if (e[2 * i + 1] >= m.strings_len || (i > 0 && e[2 * i] <= e[2 * i - 2])) {
            set_err(err, errlen, "sweep index metadata entry %llu is damaged",
                    (unsigned long long)i);
            return RK_ECORRUPT;
        }
    }
    ix->meta_ent = e;
    ix->meta_count = m.count;
    ix->meta_str = (const char *)ix->base + off + m.strings_off;
    ix->meta_str_len = m.strings_len;
    ix->meta_size = len;
    return RK_OK;
}

static enum rk_status check_image(struct rk_sweep_index *ix, int verify_body, char *err,
                                  size_t errlen)
{
    const struct rk__sw_header *h = (const void *)ix->base;
    struct rk__sw_header copy;
    if (ix->size < sizeof *h || memcmp(h->magic, RK__SW_MAGIC, 8) != 0) {
        set_err(err, errlen, "not a Renkei sweep index (bad magic)");
        return RK_ECORRUPT;
    }
    if (h->version >= 1 && h->version <= RK__SW_VERSION_OLD_MAX) {
        set_err(err, errlen, "sweep index version %u was written by an older Renkei (this build "
                "reads %u and %u): recompile it with `renkei sweep compile`", h->version,
                RK__SW_VERSION, RK__SW_VERSION_META);
        return RK_ECORRUPT;
    }
    if (h->version != RK__SW_VERSION && h->version != RK__SW_VERSION_META) {
        set_err(err, errlen, "sweep index version %u is not supported (this build reads %u and %u)",
                h->version, RK__SW_VERSION, RK__SW_VERSION_META);
        return RK_ECORRUPT;
    }
    memcpy(&copy, h, sizeof copy);
    copy.header_checksum = 0;
    if (rk__sw_checksum(&copy, sizeof copy) != h->header_checksum) {
        set_err(err, errlen, "sweep index header is damaged (checksum mismatch)");
        return RK_ECORRUPT;
    }
    if (h->header_size != align8(sizeof *h) || h->file_size != ix->size) {
        set_err(err, errlen, "sweep index is truncated or has trailing bytes (%llu bytes, "
                "header says %llu)", (unsigned long long)ix->size,
                (unsigned long long)h->file_size);
        return RK_ECORRUPT;
    }
    if (h->log2_slots < 1 || h->log2_slots > 33 || h->slots_off != h->header_size ||
        h->records_off != h->slots_off + ((uint64_t)8 << h->log2_slots) ||
        h->records_off > h->file_size || h->ip4_filter_off < h->records_off ||
        h->records_len != h->ip4_filter_off - h->records_off ||
        h->ip4_filter_bits < RK__SW_IP4F_MIN_BITS || h->ip4_filter_bits > RK__SW_IP4F_MAX_BITS ||
        h->file_size < ((uint64_t)1 << h->ip4_filter_bits) / 8 ||
        h->ip4_filter_off > h->file_size - ((uint64_t)1 << h->ip4_filter_bits) / 8 ||
        h->pf_off != ((h->ip4_filter_off + ((uint64_t)1 << h->ip4_filter_bits) / 8 + 63) &
                      ~(uint64_t)63) ||
        h->pf_lines < 1 || h->pf_lines > RK__SW_PF_MAX_LINES ||
        (h->pf_flags & ~(uint32_t)(RK__SW_PF_DOMAIN | RK__SW_PF_URL | RK__SW_PF_IP4)) != 0 ||
        h->pf_cidr4_bits < RK__SW_IP4F_MIN_BITS || h->pf_cidr4_bits > RK__SW_IP4F_MAX_BITS ||
        h->pf_reserved != 0 || h->pf_off > h->file_size ||
        h->file_size - h->pf_off < rk__sw_pf_size(h->pf_lines, h->pf_cidr4_bits) ||
        (h->version == RK__SW_VERSION &&
         h->pf_off != h->file_size - rk__sw_pf_size(h->pf_lines, h->pf_cidr4_bits)) ||
        h->records_len % 8 != 0 || h->max_probe > ((uint64_t)1 << h->log2_slots) ||
        h->count > ((uint64_t)1 << h->log2_slots) ||
        !rk__sw_sum_chunks_ok(h->file_size - h->header_size, h->sum_chunk_log2)) {
        set_err(err, errlen, "sweep index layout is inconsistent");
        return RK_ECORRUPT;
    }
#ifndef RK_FUZZING
    /* Fuzzing builds skip the body checksum so that the fuzzer reaches the lookups, which are
     * bounds-checked for exactly that reason. */
    if (verify_body &&
        rk__sw_body_checksum(ix->base + h->header_size, (size_t)(h->file_size - h->header_size),
                             h->sum_chunk_log2, rk__sw_sum_threads(), ix->map != NULL) !=
            h->body_checksum) {
        set_err(err, errlen, "sweep index body is damaged (checksum mismatch)");
        return RK_ECORRUPT;
    }
#else
    (void)verify_body;
#endif
    if (h->version == RK__SW_VERSION_META &&
        check_meta(ix, h->pf_off + rk__sw_pf_size(h->pf_lines, h->pf_cidr4_bits), verify_body,
                   err, errlen) != RK_OK)
        return RK_ECORRUPT;
    ix->h = h;
    ix->slots = (const uint64_t *)(ix->base + h->slots_off);
    ix->mask = ((uint64_t)1 << h->log2_slots) - 1;
    ix->max_probe = h->max_probe;
    ix->rec = ix->base + h->records_off;
    ix->rec_len = h->records_len;
    ix->ip4f = (const uint64_t *)(ix->base + h->ip4_filter_off);
    ix->ip4f_shift = 32 - h->ip4_filter_bits;
    ix->pf = (const uint64_t *)(ix->base + h->pf_off);
    ix->pf_lines = h->pf_lines;
    ix->c4f = ix->pf + 8 * (uint64_t)h->pf_lines;
    ix->c4f_shift = 32 - h->pf_cidr4_bits;
    return RK_OK;
}

enum rk_status rk_sweep_index_from_memory(const void *data, size_t len, int copy,
                                          struct rk_sweep_index **out, char *err, size_t errlen)
{
    struct rk_sweep_index *ix = rk_calloc(1, sizeof *ix);
    enum rk_status rc = RK_ENOMEM;
    *out = NULL;
    if (ix == NULL)
        goto out;
    if (copy) {
        ix->owned = rk_malloc(len > 0 ? len : 1);
        if (ix->owned == NULL)
            goto out;
        memcpy(ix->owned, data, len);
        ix->base = ix->owned;
    } else {
        ix->base = data;
        if (((uintptr_t)data & 7) != 0) {
            set_err(err, errlen, "sweep index image is not aligned");
            rc = RK_EINVAL;
            goto out;
        }
    }
    ix->size = len;
    rc = check_image(ix, 1, err, errlen);
    if (rc != RK_OK)
        goto out;
    *out = ix;
    ix = NULL;
out:
    if (ix != NULL && !copy)
        ix->owned = NULL; /* borrowed: not ours to free */
    rk_sweep_index_close(ix);
    return rc;
}

enum rk_status rk_sweep_index_open(const char *path, unsigned flags, struct rk_sweep_index **out,
                                   char *err, size_t errlen)
{
    int verify = !(flags & RK_SWEEP_OPEN_NO_VERIFY);
    struct rk_sweep_index *ix = NULL;
    enum rk_status rc = RK_EIO;
    struct stat st;
    void *map = MAP_FAILED;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    *out = NULL;
    if (fd < 0) {
        set_err(err, errlen, "cannot open index %s: %s", path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        set_err(err, errlen, "index %s is not a regular file", path);
        goto out;
    }
    if ((size_t)st.st_size < sizeof(struct rk__sw_header)) {
        set_err(err, errlen, "not a Renkei sweep index: %s is too short", path);
        rc = RK_ECORRUPT;
        goto out;
    }
    /* Not MAP_POPULATE: with `verify` the checksum threads map their own parts of the file
     * (rk__sw_body_checksum), so the page-table work is shared between the CPUs. */
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        set_err(err, errlen, "cannot map index %s: %s", path, strerror(errno));
        goto out;
    }
    rc = RK_ENOMEM;
    ix = rk_calloc(1, sizeof *ix);
    if (ix == NULL)
        goto out;
    ix->base = map;
    ix->size = (size_t)st.st_size;
    ix->map = map;
    map = MAP_FAILED;
    rc = check_image(ix, verify, err, errlen);
    if (rc != RK_OK)
        goto out;
    madvise(ix->map, ix->size, MADV_RANDOM);
    *out = ix;
    ix = NULL;
out:
    if (map != MAP_FAILED)
        munmap(map, (size_t)st.st_size);
    rk_sweep_index_close(ix);
    if (fd >= 0)
        close(fd);
    return rc;
}

void rk_sweep_index_close(struct rk_sweep_index *ix)
{
    if (ix == NULL)
        return;
    if (ix->map != NULL)
        munmap(ix->map, ix->size);
    rk_free(ix->owned);
    rk_free(ix);
}

uint64_t rk_sweep_index_count(const struct rk_sweep_index *ix)
{
    return ix->h->count;
}

uint64_t rk_sweep_index_size(const struct rk_sweep_index *ix)
{
    return ix->size;
}

size_t rk__sw_record_text(const struct rk_sweep_index *ix, uint64_t off, char *out,
                          enum rk_sweep_type *type)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *r = ix->rec + off;
    size_t n = (size_t)r[2] | ((size_t)r[3] << 8), o = 0;
    const uint8_t *k = r + 4;
    *type = (enum rk_sweep_type)r[0];
    switch (r[0]) {
    case RK_SWEEP_IPV4:
    case RK_SWEEP_CIDR4:
        if (n != 4)
            break;
        o = rk__sw_fmt_ip4(k, out);
        break;
    case RK_SWEEP_IPV6:
    case RK_SWEEP_CIDR6:
        if (n != 16)
            break;
        o = rk__sw_fmt_ip6(k, out);
        break;
    case RK_SWEEP_MD5:
    case RK_SWEEP_SHA1:
    case RK_SWEEP_SHA256:
        for (size_t i = 0; i < n && i < 64; i++) {
            out[o++] = hex[k[i] >> 4];
            out[o++] = hex[k[i] & 15];
        }
        break;
    default:
        memcpy(out, k, n);
        o = n;
        break;
    }
    if (r[0] == RK_SWEEP_CIDR4 || r[0] == RK_SWEEP_CIDR6) {
        out[o++] = '/';
        o += (size_t)snprintf(out + o, 5, "%u", r[1]);
    }
    out[o] = '\0';
    return o;
}
