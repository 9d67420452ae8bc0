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
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"

/* Records blob cap: 2^32 words of 4 bytes (the slot's record offset is 32-bit). */
#define REC_CAP ((size_t)0xffffffffu * 4u)

/* The table is filled one region at a time: keys are first sorted into 2^SORT_BITS buckets by
 * the top bits of their home slot, so that the region a bucket fills (128 KiB of slots at 10M
 * indicators) stays in the cache while its keys are placed. */
#define SORT_BITS 10u

/* A record's bytes: header and key padded to 4. */
#define REC_SIZE(r) (4u + ((((size_t)(r)[2] | ((size_t)(r)[3] << 8)) + 3u) & ~(size_t)3))

/*
 * Records are appended as they come, without looking anything up (a lookup in a table of
 * 10M keys is a cache and TLB miss per key); the table is made in one go when it is needed
 * (settle(): count, build, write), at its final size, by a sort of the keys on their home
 * slot and one pass in slot order. Duplicates are found there and their records dropped, so
 * the blob, the counts and the image are a function of the sequence of keys added only.
 */
struct rk_sweep_builder {
    struct rk_buf rec; /* records; starts with a dummy word so that offset 0 means empty */
    uint64_t *slots;   /* the table of the settled records, or NULL */
    /* The key hash of every record, in blob order: computed while the key is in the cache
     * (and by the thread that made it), not in a second pass over the blob. */
    uint64_t *hv;
    uint64_t hv_cap;
    /* The key prefilter hash (sweep-prefilter.c) of every record added that has one (the last
     * two labels of a domain, the host of a URL, an IPv4 address), in the order added, made
     * with the key hash, so that writing the image sets the filter's bits without a second
     * walk over the records. Repeats stay: a key sets the same bits twice (pv_settle() makes
     * them again from the records when they are most of it). */
    uint64_t *pv;
    uint64_t pv_n, pv_cap;
    /* Where the records of the last builder absorbed begin (record number, byte offset), 0
     * when not known: the table's two threads split there without a walk to find it. */
    uint64_t split_rec, split_off;
    uint32_t log2;
    uint32_t max_probe;
    uint64_t count;   /* distinct records in the table */
    uint64_t pending; /* records appended since the table was made (may repeat keys) */
    uint64_t cidr4_mask;
    uint64_t cidr6_mask[3];
    uint32_t dom_min, dom_max;
    /* A domain of exactly two labels that are a two-label public suffix was added
     * (RK__SW_PF_DOM2). */
    int dom_sfx2;
    uint64_t tld_filter[64];
    uint64_t type_count[RK_SWEEP_TYPE_COUNT]; /* of the records in the blob */
    uint64_t *ip4f; /* RK__SW_IP4F_BYTES, made with the first IPv4 indicator */
    uint64_t ip4f_lo, ip4f_hi; /* words of ip4f that may be non-zero: [lo, hi) */
    /* The /24 networks that IPv4 ranges touch (RK__SW_IP4F_BYTES, made with the first range):
     * the key prefilter's CIDR bitmap is this folded to its resolution. */
    uint64_t *c24;
    /* /24 networks waiting for their bit in ip4f: the bitmap (2 MiB) is written at random, a
     * cache miss an address, so a batch is prefetched before it is written. */
    uint32_t ip4q[16];
    unsigned ip4qn;
    /* Metadata (rk_sweep_builder_add_meta): entries in the order added, and the strings, each
     * stored once (mtab: an open-addressing set of string offsets + 1, 0 = empty). */
    struct meta_ent {
        uint32_t word; /* record offset in 4-byte units */
        uint32_t str;  /* offset in mstr */
        uint64_t seq;  /* order added: the first metadata of a record wins */
    } * ments;
    size_t nments, capments;
    uint64_t mseq; /* the next entry's seq (nments shrinks when the image is made) */
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

/* A copy done by a thread of its own. */
struct copy_job {
    void *to;
    const void *from;
    size_t n;
};

static void *copy_run(void *arg)
{
    const struct copy_job *c = arg;
    memcpy(c->to, c->from, c->n);
    return NULL;
}

/* Three copies in turn (absorb). */
static void *copy_jobs_run(void *arg)
{
    struct copy_job *c = arg;
    for (int k = 0; k < 3; k++)
        if (c[k].n > 0)
            copy_run(&c[k]);
    return NULL;
}

/* Below this many bytes a copy is not shared with a thread. */
#define COPY_THREAD_MIN ((size_t)1 << 22)

/* Asks for transparent huge pages over a large buffer: its first touches then cost a fault per
 * 2 MiB instead of one per 4 KiB, and its random accesses fewer TLB misses. Only a hint. */
static void hint_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)1 << 21;
    uintptr_t s = ((uintptr_t)p + huge - 1) & ~(huge - 1), e = ((uintptr_t)p + n) & ~(huge - 1);
    if (p != NULL && e > s)
        (void)madvise((void *)s, (size_t)(e - s), MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

enum rk_status rk_sweep_builder_create(struct rk_sweep_builder **out)
{
    struct rk_sweep_builder *b = rk_calloc(1, sizeof *b);
    enum rk_status rc = RK_ENOMEM;
    *out = NULL;
    if (b == NULL)
        goto out;
    rk_buf_init(&b->rec, REC_CAP);
    rk_buf_init(&b->mstr, 0xffffffffu);
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
    rk_free(b->hv);
    rk_free(b->pv);
    rk_free(b->ip4f);
    rk_free(b->c24);
    rk_free(b);
}

/* Grows the array *v of *cap hashes (doubling from 1024) to hold `need`. */
static enum rk_status grow_hashes(uint64_t **v, uint64_t *cap, uint64_t need)
{
    if (need <= *cap)
        return RK_OK;
    uint64_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    uint64_t *nv = rk_reallocarray(*v, (size_t)c, sizeof *nv);
    if (nv == NULL)
        return RK_ENOMEM;
    *v = nv;
    *cap = c;
    return RK_OK;
}

/* Room in hv for `more` hashes beyond the records held. */
static enum rk_status hv_reserve(struct rk_sweep_builder *b, uint64_t more)
{
    return grow_hashes(&b->hv, &b->hv_cap, b->count + b->pending + more);
}

/* Room in pv for `more` hashes. */
static enum rk_status pv_reserve(struct rk_sweep_builder *b, uint64_t more)
{
    return grow_hashes(&b->pv, &b->pv_cap, b->pv_n + more);
}

/* The smallest table (2^log2 slots, log2 >= 10) that holds `count` keys at a load of at most
 * 5/8: short probe runs, at 12.8 to 25.6 bytes an indicator for the slots. */
static uint32_t log2_for(uint64_t count)
{
    uint32_t l = 10;
    while (count * 8 > ((uint64_t)5 << l))
        l++;
    return l;
}

static unsigned count_labels(const uint8_t *k, size_t n)
{
    unsigned l = 1;
    for (size_t i = 0; i < n; i++)
        l += k[i] == '.';
    return l;
}

/* A /24 network in ip4q that is a range's: its bit goes into c24 too. */
#define IP4Q_RANGE 0x80000000u

/* Sets the bits of the /24 networks waiting in ip4q. */
static void ip4_flush(struct rk_sweep_builder *b)
{
    for (unsigned k = 0; k < b->ip4qn; k++) {
        uint32_t q = b->ip4q[k], n24 = q & ~IP4Q_RANGE;
        b->ip4f[n24 / 64] |= (uint64_t)1 << (n24 % 64);
        if (q & IP4Q_RANGE)
            b->c24[n24 / 64] |= (uint64_t)1 << (n24 % 64);
    }
    b->ip4qn = 0;
}

/* Sets the bits [first, first + count) of a /24 bitmap: a range is a power-of-two run of /24
 * networks aligned to its size, so whole words at once from 64 up. */
static void set24(uint64_t *bm, uint64_t first, uint64_t count)
{
    if (count >= 64)
        memset(&bm[first / 64], 0xff, (size_t)(count / 8));
    else
        for (uint64_t k = first; k < first + count; k++)
            bm[k / 64] |= (uint64_t)1 << (k % 64);
}

/* Folds a key into the header's filters and masks. Every one of them is an OR, a minimum or a
 * maximum, so a key seen twice leaves them as once: they need no de-duplication. */
static void note_key(struct rk_sweep_builder *b, enum rk_sweep_type type, uint8_t plen,
                     const uint8_t *key, size_t n)
{
    if (type == RK_SWEEP_IPV4 || type == RK_SWEEP_CIDR4) {
        uint32_t a = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8;
        uint64_t first = a >> 8, count = type == RK_SWEEP_CIDR4 && plen < 24
                                              ? (uint64_t)1 << (24 - plen) : 1;
        if (b->ip4f_hi == 0 || first / 64 < b->ip4f_lo)
            b->ip4f_lo = first / 64;
        if ((first + count + 63) / 64 > b->ip4f_hi)
            b->ip4f_hi = (first + count + 63) / 64;
        if (count > 1) {
            set24(b->ip4f, first, count);
            set24(b->c24, first, count); /* only ranges are more than one /24 */
        } else {
            if (b->ip4qn == sizeof b->ip4q / sizeof b->ip4q[0])
                ip4_flush(b);
            __builtin_prefetch(&b->ip4f[first / 64], 1);
            if (type == RK_SWEEP_CIDR4)
                __builtin_prefetch(&b->c24[first / 64], 1);
            b->ip4q[b->ip4qn++] = (uint32_t)first | (type == RK_SWEEP_CIDR4 ? IP4Q_RANGE : 0);
        }
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
        if (rk__sw_pf_sfx2((const char *)key, n))
            b->dom_sfx2 = 1;
        size_t ls = n;
        while (ls > 0 && key[ls - 1] != '.')
            ls--;
        unsigned bit = rk__sw_tld_bit((const char *)key + ls, n - ls);
        b->tld_filter[bit / 64] |= (uint64_t)1 << (bit % 64);
    }
}

static enum rk_status settle(struct rk_sweep_builder *b);

/* Appends the key prefilter hash of a canonical key to pv when its type has one (pv has room):
 * the same keys as rk__sw_pf_fill() takes from the records. */
static void pv_add(struct rk_sweep_builder *b, unsigned type, const char *k, size_t n)
{
    b->pv_n += (uint64_t)rk__sw_pf_key_hash(type, k, n, &b->pv[b->pv_n]);
}

/* Canonicalises a value straight into a new record at the blob's end; `*word` receives its
 * offset in 4-byte units. Nothing is looked up: duplicates are dropped by settle(). */
static enum rk_status append_key(struct rk_sweep_builder *b, enum rk_sweep_type type,
                                 const char *value, size_t len, uint32_t *word)
{
    uint8_t plen = 0;
    if (len > RK_MAX_SWEEP_INDICATOR)
        return RK_ETOOBIG;
    if (b->count + b->pending >= RK_MAX_SWEEP_INDICATORS) {
        /* The limit is on distinct indicators: drop the repeats held so far and look again
         * (the index does not depend on when that happens). */
        if (b->pending > 0 && settle(b) != RK_OK)
            return RK_ENOMEM;
        if (b->count >= RK_MAX_SWEEP_INDICATORS)
            return RK_ETOOBIG;
    }
    /* The calls only when a buffer is about full (they were 3% of a build, made for every
     * value). */
    const size_t room = 4 + RK_MAX_SWEEP_INDICATOR + 16;
    enum rk_status rc = RK_OK;
    if (b->rec.data == NULL || b->rec.cap - b->rec.len <= room)
        rc = rk_buf_reserve(&b->rec, room);
    if (rc == RK_OK && b->count + b->pending >= b->hv_cap)
        rc = hv_reserve(b, 1);
    if (rc == RK_OK && b->pv_n + RK__SW_PF_KEY_HASHES_MAX > b->pv_cap)
        rc = pv_reserve(b, RK__SW_PF_KEY_HASHES_MAX);
    if (rc != RK_OK)
        return rc;
    uint8_t *r = (uint8_t *)b->rec.data + b->rec.len;
    size_t n = rk__sw_canon_indicator(value, len, &type, &plen, r + 4, RK_MAX_SWEEP_INDICATOR + 16);
    if (n == 0 || n > RK_MAX_SWEEP_INDICATOR)
        return RK_EINVAL;
    if ((type == RK_SWEEP_IPV4 || type == RK_SWEEP_CIDR4) && b->ip4f == NULL) {
        /* The /24 bitmap is made with the first IPv4 indicator, before anything is stored. */
        b->ip4f = rk_calloc(1, RK__SW_IP4F_BYTES);
        if (b->ip4f == NULL)
            return RK_ENOMEM;
    }
    if (type == RK_SWEEP_CIDR4 && b->c24 == NULL) {
        b->c24 = rk_calloc(1, RK__SW_IP4F_BYTES);
        if (b->c24 == NULL)
            return RK_ENOMEM;
    }
    r[0] = (uint8_t)type;
    r[1] = plen;
    r[2] = (uint8_t)(n & 0xff);
    r[3] = (uint8_t)(n >> 8);
    for (size_t k = n; (k & 3) != 0; k++)
        r[4 + k] = 0;
    *word = (uint32_t)(b->rec.len / 4);
    b->hv[b->count + b->pending] = rk__sw_hash(type, plen, r + 4, n);
    pv_add(b, type, (const char *)r + 4, n);
    b->rec.len += REC_SIZE(r);
    b->rec.data[b->rec.len] = '\0';
    note_key(b, type, plen, r + 4, n);
    b->type_count[type]++;
    b->pending++;
    return RK_OK;
}

enum rk_status rk_sweep_builder_add(struct rk_sweep_builder *b, enum rk_sweep_type type,
                                    const char *value, size_t len)
{
    uint32_t word;
    return append_key(b, type, value, len, &word);
}

enum rk_status rk_sweep_builder_reserve(struct rk_sweep_builder *b, uint64_t n)
{
    /* The table is made once, at its final size, whatever was reserved: what grows as keys
     * come is the record blob. Room for `n` records of the mean size so far (24 bytes before
     * the first record). */
    uint64_t have = b->count + b->pending;
    uint64_t mean = have > 0 ? (b->rec.len - 4) / have + 1 : 24;
    if (n > RK_MAX_SWEEP_INDICATORS)
        n = RK_MAX_SWEEP_INDICATORS;
    uint64_t want = n * mean;
    if (want > REC_CAP - b->rec.len)
        want = REC_CAP - b->rec.len;
    enum rk_status rc = rk_buf_reserve(&b->rec, (size_t)want);
    return rc == RK_ENOMEM ? RK_ENOMEM : RK_OK;
}

/* A key found twice by place_all(): the later record and the earlier one it repeats. */
struct dup {
    uint32_t dead, keep; /* record offsets in 4-byte units */
    uint32_t ord;        /* the dead record's place in the blob (its hash's in hv) */
};

/* A key on its way into the table: its hash, and its record's offset in 4-byte units (low
 * half) and place in the blob (high half). */
struct entry {
    uint64_t h;
    uint64_t where;
};

static int same_record(const uint8_t *rec, uint64_t wa, uint64_t wb)
{
    const uint8_t *a = rec + wa * 4, *c = rec + wb * 4;
    return memcmp(a, c, 4) == 0 && memcmp(a + 4, c + 4, (size_t)a[2] | ((size_t)a[3] << 8)) == 0;
}

/* Below this many keys the table is made by one thread (the same steps, in turn). */
#define PLACE_THREADS_MIN ((uint64_t)1 << 16)

/* One half of the work of place_all(): the keys [i0, i1) of the blob (the first at byte
 * `off0`) for the histogram and the sort, then the entries [k0, k1) (whole buckets, whose home
 * slots are [s0, s1)) for the placement. */
struct half {
    const uint8_t *rec;
    const uint64_t *hv;
    uint64_t *slots;
    struct entry *ents;
    uint64_t mask;
    unsigned shift;
    size_t nb;
    int stage; /* 0: histogram, 1: sort, 2: place */
    uint64_t i0, i1;
    size_t off0, off1; /* off1: stage 0 finds it (the first half only) */
    uint64_t *cnt;     /* nb + 1: bucket sizes (stage 0), then write positions (stage 1) */
    uint64_t k0, k1, s0, s1;
    struct entry *defer; /* keys whose probe ran past s1: placed after both halves */
    size_t ndefer, capdefer;
    struct dup *dv;
    size_t nd, capd;
    uint32_t maxp;
    enum rk_status rc;
};

static int push_dup(struct half *hf, uint64_t where, uint64_t keep)
{
    if (hf->nd == hf->capd) {
        size_t cap = hf->capd ? hf->capd * 2 : 64;
        struct dup *nv = rk_reallocarray(hf->dv, cap, sizeof *nv);
        if (nv == NULL)
            return -1;
        hf->dv = nv;
        hf->capd = cap;
    }
    hf->dv[hf->nd++] =
        (struct dup){(uint32_t)(where & 0xffffffffu), (uint32_t)keep, (uint32_t)(where >> 32)};
    return 0;
}

/*
 * Places one key with linear probing over [home, limit) of the table (limit 2^log2: the whole
 * table, wrapping). Returns 1 placed, 0 a repeat of a placed key (pushed to the dups), 2 the
 * probe reached `limit` (only when limit is not the whole table), -1 out of memory.
 */
static int place_one(struct half *hf, const struct entry *en, uint64_t limit, int wrap)
{
    uint64_t h = en->h, i = h & hf->mask, word = en->where & 0xffffffffu;
    uint32_t tag = (uint32_t)(h >> 32), d = 0;
    uint64_t *slots = hf->slots;
    while (slots[i] != 0) {
        uint64_t e = slots[i];
        if ((uint32_t)(e >> 32) == tag && same_record(hf->rec, e & 0xffffffffu, word))
            return push_dup(hf, en->where, e & 0xffffffffu) == 0 ? 0 : -1;
        i++;
        d++;
        if (i == limit) {
            if (!wrap)
                return 2;
            i = 0;
        }
    }
    slots[i] = ((uint64_t)tag << 32) | word;
    if (d > hf->maxp)
        hf->maxp = d;
    return 1;
}

static void *half_run(void *arg)
{
    struct half *hf = arg;
    const uint64_t *hv = hf->hv;
    if (hf->stage == 0) {
        /* Bucket sizes; the first half also finds where the second half's records begin. */
        for (uint64_t i = hf->i0; i < hf->i1; i++)
            hf->cnt[(hv[i] & hf->mask) >> hf->shift]++;
        if (hf->off1 == 0) {
            size_t off = hf->off0;
            for (uint64_t i = hf->i0; i < hf->i1; i++)
                off += REC_SIZE(hf->rec + off);
            hf->off1 = off;
        }
    } else if (hf->stage == 1) {
        /* Each key to its bucket: nb streams of sequential writes, in the order added. */
        size_t off = hf->off0;
        for (uint64_t i = hf->i0; i < hf->i1; i++) {
            uint64_t h = hv[i];
            struct entry *e = &hf->ents[hf->cnt[(h & hf->mask) >> hf->shift]++];
            e->h = h;
            e->where = (i << 32) | (off / 4);
            off += REC_SIZE(hf->rec + off);
        }
    } else {
        for (uint64_t k = hf->k0; k < hf->k1; k++) {
            int r = place_one(hf, &hf->ents[k], hf->s1, 0);
            if (r == 2) {
                if (hf->ndefer == hf->capdefer) {
                    size_t cap = hf->capdefer ? hf->capdefer * 2 : 64;
                    struct entry *nv = rk_reallocarray(hf->defer, cap, sizeof *nv);
                    if (nv == NULL)
                        r = -1;
                    else {
                        hf->defer = nv;
                        hf->capdefer = cap;
                    }
                }
                if (r == 2)
                    hf->defer[hf->ndefer++] = hf->ents[k];
            }
            if (r < 0) {
                hf->rc = RK_ENOMEM;
                break;
            }
        }
    }
    return NULL;
}

/* Runs the stage of both halves, the second in a thread of its own when there is one (and
 * `threaded`); the result is the same either way. */
static void run_halves(struct half *hf, int threaded)
{
    pthread_t th;
    int t = threaded && pthread_create(&th, NULL, half_run, &hf[1]) == 0;
    half_run(&hf[0]);
    if (t)
        pthread_join(th, NULL);
    else
        half_run(&hf[1]);
}

/*
 * Places the `n` records of the blob into `slots` (2^log2 zeroed slots): the keys are sorted
 * into 2^SORT_BITS buckets by the top bits of their home slot (stable: within a bucket in the
 * order added), and then placed bucket by bucket with linear probing, so that the writes move
 * through the table in order instead of missing the cache and the TLB once a key. A key equal
 * to one already placed is not placed: it is reported in `*dups` (rk_malloc'd, `*ndups`
 * entries), the earlier record kept (both have the same hash, so the same bucket, where the
 * earlier comes first). `*maxp` receives the longest probe distance.
 *
 * Two threads share the work: each sorts half of the keys (into its own positions of every
 * bucket, so the order is the same as one pass) and places the keys of half of the buckets
 * into its half of the table; a key whose probe runs past the end of its half is set aside
 * and placed, in order, once both are done. The steps are fixed, whichever thread does them:
 * the table is the same on one core or two.
 */
static enum rk_status place_all(struct rk_sweep_builder *b, uint64_t n, uint32_t log2,
                                uint64_t *slots, uint32_t *maxp, struct dup **dups, size_t *ndups)
{
    uint64_t nslots = (uint64_t)1 << log2, mid = n / 2;
    unsigned shift = log2 > SORT_BITS ? log2 - SORT_BITS : 0;
    size_t nb = (size_t)1 << (log2 - shift);
    int threaded = n >= PLACE_THREADS_MIN;
    struct half hf[2];
    enum rk_status rc = RK_ENOMEM;
    struct entry *ents = rk_malloc((size_t)(n > 0 ? n : 1) * sizeof *ents);
    *dups = NULL;
    *ndups = 0;
    memset(hf, 0, sizeof hf);
    for (int t = 0; t < 2; t++) {
        hf[t].rec = (const uint8_t *)b->rec.data;
        hf[t].hv = b->hv;
        hf[t].slots = slots;
        hf[t].ents = ents;
        hf[t].mask = nslots - 1;
        hf[t].shift = shift;
        hf[t].nb = nb;
        hf[t].cnt = rk_calloc(nb + 1, sizeof *hf[t].cnt);
        hf[t].rc = RK_OK;
    }
    if (ents == NULL || hf[0].cnt == NULL || hf[1].cnt == NULL)
        goto out;
    hint_huge(ents, (size_t)n * sizeof *ents);
    hf[0].i0 = 0;
    if (b->split_rec > 0 && b->split_rec < n) {
        mid = b->split_rec; /* the same table for any split: only the walk is saved */
        hf[0].off1 = (size_t)b->split_off;
    }
    hf[0].i1 = mid;
    hf[0].off0 = 4;
    hf[1].i0 = mid;
    hf[1].i1 = n;
    hf[1].off1 = 1; /* not asked */
    run_halves(hf, threaded);
    hf[1].off0 = hf[0].off1;
    /* Write positions: bucket k's keys of the first half, then of the second. */
    uint64_t pos = 0;
    for (size_t k = 0; k < nb; k++) {
        uint64_t a = hf[0].cnt[k], c = hf[1].cnt[k];
        hf[0].cnt[k] = pos;
        hf[1].cnt[k] = pos + a;
        pos += a + c;
        if (k + 1 == nb / 2 || nb == 1) {
            hf[0].k1 = pos; /* the first half of the buckets ends here */
        }
    }
    for (int t = 0; t < 2; t++)
        hf[t].stage = 1;
    run_halves(hf, threaded);
    hf[0].k0 = 0;
    hf[1].k0 = hf[0].k1;
    hf[1].k1 = n;
    hf[0].s1 = nb > 1 ? nslots / 2 : nslots;
    hf[1].s1 = nslots;
    for (int t = 0; t < 2; t++)
        hf[t].stage = 2;
    run_halves(hf, threaded);
    rc = hf[0].rc != RK_OK ? hf[0].rc : hf[1].rc;
    /* The keys set aside, the first half's first, probing on round the table; and the
     * repeats of both halves in one list. */
    for (int t = 0; t < 2 && rc == RK_OK; t++)
        for (size_t k = 0; k < hf[t].ndefer && rc == RK_OK; k++)
            if (place_one(&hf[0], &hf[t].defer[k], nslots, 1) < 0)
                rc = RK_ENOMEM;
    if (rc == RK_OK && hf[1].nd > 0) {
        for (size_t k = 0; k < hf[1].nd && rc == RK_OK; k++) {
            const struct dup *d = &hf[1].dv[k];
            if (push_dup(&hf[0], ((uint64_t)d->ord << 32) | d->dead, d->keep) != 0)
                rc = RK_ENOMEM;
        }
    }
    if (rc != RK_OK)
        goto out;
    *maxp = hf[0].maxp > hf[1].maxp ? hf[0].maxp : hf[1].maxp;
    *dups = hf[0].dv;
    *ndups = hf[0].nd;
    hf[0].dv = NULL;
out:
    for (int t = 0; t < 2; t++) {
        rk_free(hf[t].cnt);
        rk_free(hf[t].defer);
        rk_free(hf[t].dv);
    }
    rk_free(ents);
    return rc;
}

static int cmp_dup(const void *x, const void *y)
{
    const struct dup *a = x, *c = y;
    return a->dead < c->dead ? -1 : a->dead > c->dead;
}

/* Index of the first of the sorted dups whose dead word is >= w. */
static size_t dups_below(const struct dup *dv, size_t nd, uint64_t w)
{
    size_t lo = 0, hi = nd;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (dv[mid].dead < w)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Bits set in w (the build targets plain x86-64, without the popcnt instruction). */
static inline uint64_t popcount64(uint64_t w)
{
    w = w - ((w >> 1) & 0x5555555555555555ull);
    w = (w & 0x3333333333333333ull) + ((w >> 2) & 0x3333333333333333ull);
    w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (w * 0x0101010101010101ull) >> 56;
}

/* 64 words of the blob: a bit set for each removed one, and how many were removed before
 * them (together, so that a lookup costs one cache line). */
struct cut {
    uint64_t bits;
    uint64_t before;
};

/* Words removed below word x. */
static inline uint64_t removed_below(const struct cut *c, uint64_t x)
{
    const struct cut *k = &c[x >> 6];
    return k->before + popcount64(k->bits & (((uint64_t)1 << (x & 63)) - 1));
}

/* A part [i0, i1) of the table whose record offsets move down past the removed records. */
struct remap {
    uint64_t *slots;
    const struct cut *cut;
    uint64_t first; /* offsets up to the first removed record stay */
    uint64_t i0, i1;
};

static void *remap_run(void *arg)
{
    const struct remap *m = arg;
    const uint64_t ahead = 16;
    for (uint64_t i = m->i0; i < m->i1; i++) {
        if (i + ahead < m->i1)
            __builtin_prefetch(&m->cut[(m->slots[i + ahead] & 0xffffffffu) >> 6]);
        uint64_t e = m->slots[i], x = e & 0xffffffffu;
        if (x > m->first)
            m->slots[i] = e - removed_below(m->cut, x);
    }
    return NULL;
}

/* The key hashes of the records that drop_dups() removes. */
struct hv_cut {
    uint64_t *hv;
    const struct dup *dv; /* in blob order */
    size_t nd;
    uint64_t nrec;
};

static void *hv_cut_run(void *arg)
{
    const struct hv_cut *c = arg;
    const struct dup *dv = c->dv;
    uint64_t hw = dv[0].ord;
    for (size_t k = 0; k < c->nd; k++) {
        uint64_t next = k + 1 < c->nd ? dv[k + 1].ord : c->nrec;
        size_t n = (size_t)(next - dv[k].ord - 1);
        memmove(c->hv + hw, c->hv + dv[k].ord + 1, n * sizeof *c->hv);
        hw += n;
    }
    return NULL;
}

/*
 * Removes the records of the duplicates from the blob (the live runs between them moved down
 * in order) and moves every record offset of the table and of the metadata entries to match;
 * a metadata entry of a removed record goes to the record it repeated. An offset moves by the
 * number of words removed below it: struct cut answers that in a few instructions for each of
 * the table's entries, in the table's order, its lines prefetched ahead.
 */
static enum rk_status drop_dups(struct rk_sweep_builder *b, uint64_t *slots, uint32_t log2,
                                struct dup *dv, size_t nd)
{
    uint64_t nwords = b->rec.len / 4, ncuts = (nwords >> 6) + 1;
    struct cut *cut = rk_calloc((size_t)ncuts, sizeof *cut);
    uint8_t *rec = (uint8_t *)b->rec.data;
    if (cut == NULL)
        return RK_ENOMEM;
    hint_huge(cut, (size_t)ncuts * sizeof *cut);
    qsort(dv, nd, sizeof *dv, cmp_dup);
    /* The hashes of the removed records go too, meanwhile, in a thread of their own. */
    struct hv_cut hc = {b->hv, dv, nd, b->count + b->pending};
    pthread_t th;
    int t = hc.nrec >= PLACE_THREADS_MIN && pthread_create(&th, NULL, hv_cut_run, &hc) == 0;
    if (!t)
        hv_cut_run(&hc);
    size_t w = (size_t)dv[0].dead * 4;
    for (size_t k = 0; k < nd; k++) {
        size_t off = (size_t)dv[k].dead * 4, sz = REC_SIZE(rec + off);
        size_t next = k + 1 < nd ? (size_t)dv[k + 1].dead * 4 : b->rec.len;
        b->type_count[rec[off]]--;
        for (size_t x = off / 4; x < (off + sz) / 4; x++)
            cut[x >> 6].bits |= (uint64_t)1 << (x & 63);
        memmove(rec + w, rec + off + sz, next - off - sz);
        w += next - off - sz;
    }
    uint64_t acc = 0;
    for (uint64_t j = 0; j < ncuts; j++) {
        cut[j].before = acc;
        acc += popcount64(cut[j].bits);
    }
    if (t)
        pthread_join(th, NULL);
    uint64_t nslots = (uint64_t)1 << log2;
    struct remap rm[2] = {{slots, cut, dv[0].dead, 0, nslots / 2},
                          {slots, cut, dv[0].dead, nslots / 2, nslots}};
    t = nslots >= PLACE_THREADS_MIN && pthread_create(&th, NULL, remap_run, &rm[1]) == 0;
    remap_run(&rm[0]);
    if (t)
        pthread_join(th, NULL);
    else
        remap_run(&rm[1]);
    for (size_t i = 0; i < b->nments; i++) {
        uint64_t x = b->ments[i].word;
        size_t j = dups_below(dv, nd, x);
        if (j < nd && dv[j].dead == x)
            x = dv[j].keep;
        b->ments[i].word = (uint32_t)(x - removed_below(cut, x));
    }
    b->rec.len = w;
    b->rec.data[w] = '\0';
    b->split_rec = 0; /* the records moved */
    rk_free(cut);
    return RK_OK;
}

/*
 * pv keeps the hashes of repeated keys (dropping them would need their place in it); when
 * they are more than half of it, it is made again from the records, so that it stays within
 * twice the keys held, however often they were repeated.
 */
static void pv_settle(struct rk_sweep_builder *b)
{
    uint64_t keys = rk__sw_pf_keys(b->type_count, RK__SW_PF_ALL);
    if (b->pv_n <= 2 * keys + 1024)
        return;
    const uint8_t *rec = (const uint8_t *)b->rec.data;
    b->pv_n = 0; /* there is room: at most 2 hashes a key (a domain's mark), < pv_n */
    for (size_t off = 4; off + 4 <= b->rec.len; off += REC_SIZE(rec + off))
        pv_add(b, rec[off], (const char *)rec + off + 4,
               (size_t)rec[off + 2] | ((size_t)rec[off + 3] << 8));
}

/* A zeroed table of 2^log2 slots in *slots (the caller frees it, also on error) with the
 * blob's first n records placed by place_all(). */
static enum rk_status new_table(struct rk_sweep_builder *b, uint64_t n, uint32_t log2,
                                uint64_t **slots, uint32_t *maxp, struct dup **dv, size_t *nd)
{
    *slots = rk_calloc((size_t)1 << log2, sizeof **slots);
    if (*slots == NULL)
        return RK_ENOMEM;
    hint_huge(*slots, (size_t)8 << log2);
    return place_all(b, n, log2, *slots, maxp, dv, nd);
}

/*
 * Makes the table of the records (b->slots, b->log2, b->max_probe, b->count), dropping the
 * duplicates, when something was added since it was last made. The result depends only on the
 * records in the blob, in their order: the same keys added give the same bytes, whether or not
 * the table was made on the way, and whichever thread read which part of a file.
 */
static enum rk_status settle(struct rk_sweep_builder *b)
{
    ip4_flush(b);
    if (b->pending == 0 && b->slots != NULL)
        return RK_OK;
    uint64_t n = b->count + b->pending;
    uint32_t log2 = log2_for(n), maxp = 0;
    struct dup *dv = NULL;
    size_t nd = 0;
    uint64_t *slots = NULL;
    enum rk_status rc = new_table(b, n, log2, &slots, &maxp, &dv, &nd);
    if (rc != RK_OK)
        goto out;
    if (nd > 0) {
        rc = drop_dups(b, slots, log2, dv, nd);
        if (rc != RK_OK)
            goto out;
        pv_settle(b);
        /* The blob holds the distinct keys only from here: count them so, whatever follows. */
        n -= nd;
        b->count = n;
        b->pending = 0;
        rk_free(b->slots);
        b->slots = NULL;
        if (log2_for(n) < log2) {
            /* Fewer distinct keys than the size assumed: placed again at the size they need
             * (no duplicates are left to find). */
            rk_free(dv);
            dv = NULL;
            rk_free(slots);
            slots = NULL;
            log2 = log2_for(n);
            rc = new_table(b, n, log2, &slots, &maxp, &dv, &nd);
            if (rc != RK_OK)
                goto out;
        }
    }
    rk_free(b->slots);
    b->slots = slots;
    slots = NULL;
    b->log2 = log2;
    b->max_probe = maxp;
    b->count = n;
    b->pending = 0;
out:
    rk_free(slots);
    rk_free(dv);
    return rc;
}

uint64_t rk_sweep_builder_count(struct rk_sweep_builder *b)
{
    /* Nothing added since the last settle: the count stands (even when the table itself was
     * let go after a write). Out of memory: every key still waiting is counted (an upper
     * bound); the write or build that follows reports the error. */
    if (b->pending == 0)
        return b->count;
    if (settle(b) != RK_OK)
        return b->count + b->pending;
    return b->count;
}

enum rk_status rk__sw_builder_absorb(struct rk_sweep_builder *b, struct rk_sweep_builder *part)
{
    if (part->count != 0 || part->nments != 0)
        return RK_EINVAL;
    ip4_flush(b);
    ip4_flush(part);
    if (b->count + b->pending + part->pending > RK_MAX_SWEEP_INDICATORS)
        return RK_ETOOBIG;
    enum rk_status rc = hv_reserve(b, part->pending);
    if (rc == RK_OK)
        rc = pv_reserve(b, part->pv_n);
    if (rc == RK_OK)
        rc = rk_buf_reserve(&b->rec, part->rec.len - 4);
    if (rc != RK_OK)
        return rc;
    /* Half of a large file's records and hashes (the copies' first touches of their
     * destination are page faults, the larger part of their cost): in two threads. */
    size_t rn = part->rec.len - 4, hn = (size_t)part->pending * sizeof *b->hv;
    size_t pn = (size_t)part->pv_n * sizeof *b->pv, r1 = rn / 2 + (hn + pn) / 2;
    if (r1 > rn)
        r1 = rn; /* the thread: records [r1, rn), hv, pv */
    struct copy_job cj[3] = {{b->rec.data + b->rec.len + r1, part->rec.data + 4 + r1, rn - r1},
                             {b->hv + b->count + b->pending, part->hv, hn},
                             {b->pv + b->pv_n, part->pv, pn}};
    pthread_t th;
    int t = rn + hn + pn >= COPY_THREAD_MIN && pthread_create(&th, NULL, copy_jobs_run, cj) == 0;
    memcpy(b->rec.data + b->rec.len, part->rec.data + 4, r1);
    if (t)
        pthread_join(th, NULL);
    else
        copy_jobs_run(cj);
    b->split_rec = b->count + b->pending;
    b->split_off = b->rec.len;
    b->rec.len += rn;
    b->rec.data[b->rec.len] = '\0';
    b->pv_n += part->pv_n;
    if (part->c24 != NULL && b->c24 == NULL) {
        b->c24 = part->c24;
        part->c24 = NULL;
    } else if (part->c24 != NULL) {
        for (size_t w = 0; w < RK__SW_IP4F_BYTES / 8; w++)
            b->c24[w] |= part->c24[w];
    }
    if (part->ip4f != NULL && b->ip4f == NULL) {
        b->ip4f = part->ip4f;
        part->ip4f = NULL;
        b->ip4f_lo = part->ip4f_lo;
        b->ip4f_hi = part->ip4f_hi;
    } else if (part->ip4f != NULL && part->ip4f_hi > 0) {
        for (uint64_t w = part->ip4f_lo; w < part->ip4f_hi; w++)
            b->ip4f[w] |= part->ip4f[w];
        if (b->ip4f_hi == 0 || part->ip4f_lo < b->ip4f_lo)
            b->ip4f_lo = part->ip4f_lo;
        if (part->ip4f_hi > b->ip4f_hi)
            b->ip4f_hi = part->ip4f_hi;
    }
    b->cidr4_mask |= part->cidr4_mask;
    for (int k = 0; k < 3; k++)
        b->cidr6_mask[k] |= part->cidr6_mask[k];
    if (part->dom_min != 0 && (b->dom_min == 0 || part->dom_min < b->dom_min))
        b->dom_min = part->dom_min;
    if (part->dom_max > b->dom_max)
        b->dom_max = part->dom_max;
    b->dom_sfx2 |= part->dom_sfx2;
    for (int k = 0; k < 64; k++)
        b->tld_filter[k] |= part->tld_filter[k];
    for (int k = 0; k < RK_SWEEP_TYPE_COUNT; k++)
        b->type_count[k] += part->type_count[k];
    b->pending += part->pending;
    return RK_OK;
}

/* ===== Metadata ===== */

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
    size_t ml = strlen(meta);
    uint32_t word = 0, str = 0;
    if (len > RK_MAX_SWEEP_INDICATOR || ml > RK_MAX_SWEEP_META)
        return RK_ETOOBIG;
    /* The record first: a value that is no indicator leaves the strings as they were. A
     * repeated key gets a record of its own here; settle() moves the entry to the first one. */
    enum rk_status rc = append_key(b, type, value, len, &word);
    if (rc != RK_OK)
        return rc;
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
    b->ments[b->nments] = (struct meta_ent){word, str, b->mseq++};
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
    if (b->dom_sfx2 && (h->pf_flags & RK__SW_PF_DOMAIN))
        h->pf_flags |= RK__SW_PF_DOM2;
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

/* Lays the image out: fills `*h` (sizes, offsets, version) for the settled builder. */
static void layout_image(struct rk_sweep_builder *b, struct rk__sw_header *h)
{
    fill_header(b, h);
    if (meta_prepare(b) > 0) {
        h->version = RK__SW_VERSION_META;
        h->file_size += meta_section_size(b);
    }
}

/* Writes the image laid out in `*h` into `img` (h->file_size bytes, zeroed), sealed. With
 * `for_file` the body checksum is computed (an in-memory image skips it) and the builder's
 * table is let go once copied (a later build or write makes it again), so that it and the
 * file's pages are not all held at once. */
static void fill_image(struct rk_sweep_builder *b, struct rk__sw_header *h, uint8_t *img,
                       int for_file)
{
    /* The table and the records at once (each copy's first touches of the destination are
     * page faults, the larger part of its cost). */
    struct copy_job cj = {img + h->records_off, b->rec.data, b->rec.len};
    pthread_t th;
    int t = cj.n >= COPY_THREAD_MIN && pthread_create(&th, NULL, copy_run, &cj) == 0;
    memcpy(img + h->slots_off, b->slots, (size_t)8 << b->log2);
    if (for_file) {
        rk_free(b->slots);
        b->slots = NULL;
    }
    fold_ip4_filter(b, h->ip4_filter_bits, (uint64_t *)(void *)(img + h->ip4_filter_off));
    /* The key prefilter, while the records are copied, from the hashes kept as they came when
     * those are its keys: the domains' only when it holds domains (all have two labels). */
    uint64_t *pf = (uint64_t *)(void *)(img + h->pf_off);
    int by_walk = b->type_count[RK_SWEEP_DOMAIN] > 0 && (h->pf_flags & RK__SW_PF_DOMAIN) == 0;
    if (!by_walk)
        rk__sw_pf_fill_hashes(pf, h->pf_lines, h->pf_cidr4_bits, b->pv, b->pv_n, b->c24);
    if (t)
        pthread_join(th, NULL);
    else
        copy_run(&cj);
    if (by_walk)
        rk__sw_pf_fill(pf, h->pf_lines, h->pf_flags, h->pf_cidr4_bits, b->type_count,
                       (const uint8_t *)b->rec.data, b->rec.len);
    if (b->nments > 0)
        meta_write(b, img + h->pf_off + rk__sw_pf_size(h->pf_lines, h->pf_cidr4_bits));
    seal_header(h, for_file ? img + h->header_size : NULL, (size_t)(h->file_size - h->header_size));
    memcpy(img, h, sizeof *h);
}

/* Returns the whole image (header, slots, records, filter, metadata), sealed; rk_free() it. */
static uint8_t *make_image(struct rk_sweep_builder *b, struct rk__sw_header *h)
{
    layout_image(b, h);
    uint8_t *img = rk_calloc(1, (size_t)h->file_size);
    if (img == NULL)
        return NULL;
    hint_huge(img, (size_t)h->file_size);
    fill_image(b, h, img, 0);
    return img;
}

enum rk_status rk_sweep_builder_build(struct rk_sweep_builder *b, struct rk_sweep_index **out)
{
    struct rk__sw_header h;
    *out = NULL;
    enum rk_status frc = settle(b);
    if (frc != RK_OK)
        return frc;
    uint8_t *img = make_image(b, &h);
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

/*
 * The image is made in a shared mapping of the output file itself: no copy of it in memory
 * (362 MB at 10M indicators) and no write() copying that into the page cache afterwards.
 */
enum rk_status rk_sweep_builder_write(struct rk_sweep_builder *b, const char *path, char *err,
                                      size_t errlen)
{
    struct rk__sw_header h;
    enum rk_status rc = RK_EIO;
    char tmp[4096];
    int fd = -1;
    uint8_t *img = MAP_FAILED;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
        set_err(err, errlen, "index path too long");
        return RK_EINVAL;
    }
    rc = settle(b);
    if (rc != RK_OK) {
        set_err(err, errlen, "%s", rk_strerror(rc));
        return rc;
    }
    rc = RK_EIO;
    layout_image(b, &h);
    fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        set_err(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        goto out;
    }
    /* posix_fallocate: a full disk fails here, not as a SIGBUS while the mapping is filled. */
    int e = posix_fallocate(fd, 0, (off_t)h.file_size);
    if (e != 0) {
        set_err(err, errlen, "cannot write %s: %s", tmp, strerror(e));
        goto out;
    }
    img = mmap(NULL, (size_t)h.file_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (img == MAP_FAILED) {
        set_err(err, errlen, "cannot map %s: %s", tmp, strerror(errno));
        goto out;
    }
    fill_image(b, &h, img, 1);
    if (munmap(img, (size_t)h.file_size) != 0) {
        img = MAP_FAILED;
        set_err(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    img = MAP_FAILED;
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
    if (img != MAP_FAILED)
        munmap(img, (size_t)h.file_size);
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
        (h->pf_flags & ~(uint32_t)RK__SW_PF_ALL) != 0 ||
        ((h->pf_flags & RK__SW_PF_DOM2) && !(h->pf_flags & RK__SW_PF_DOM3)) ||
        ((h->pf_flags & RK__SW_PF_DOM3) && !(h->pf_flags & RK__SW_PF_DOMAIN)) ||
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
