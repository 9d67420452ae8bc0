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
#include "sweep-canon-fast.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    /* The records of the part absorbed last (rk__sw_builder_absorb()), taken over instead of
     * copied behind the blob: they follow it in every record offset (the segment's byte x,
     * counted from its dummy word's end, is the blob's byte rec.len + x), in the order of the
     * hashes (seg_hv after hv, seg_pv after pv), and in the file. seg.data == NULL: none.
     * What appends, or needs the records in one piece, joins them first (seg_join()). */
    struct rk_buf seg;
    uint64_t *seg_hv, *seg_pv;
    uint64_t seg_n, seg_pv_n; /* records in seg; hashes in seg_pv */
    /* The key and prefilter hashes (hv, pv and the segment's) were let go once a write had
     * used them (hashes_back() makes them again from the records when they are needed). */
    int hashes_gone;
    /* The key hashes alone (hv, seg_hv) were let go when the repeats were removed. */
    int hv_gone;
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

/* sweep-int.h. */
void rk__sw_hint_huge(void *p, size_t n)
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
    rk_buf_init(&b->seg, REC_CAP);
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
    rk_buf_free(&b->seg);
    rk_free(b->seg_hv);
    rk_free(b->seg_pv);
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

/* Bytes of records held: the blob's and the segment's. */
static size_t rec_total(const struct rk_sweep_builder *b)
{
    return b->rec.len + (b->seg.data != NULL ? b->seg.len - 4 : 0);
}

/* The record at byte `off` of the records held (the blob, then the segment). */
static inline const uint8_t *rec_at(const uint8_t *rec, size_t rec_len, const uint8_t *seg,
                                    size_t off)
{
    return off < rec_len ? rec + off : seg + (off - rec_len);
}

/*
 * Copies the segment behind the blob and its hashes behind theirs, as absorbing did before
 * it was kept apart, and lets it go: for what appends, or needs the records in one piece (an
 * image made in memory, the filters made from the records). Half of a large segment is
 * copied by a thread (the copies' first touches of their destination are page faults, the
 * larger part of their cost).
 */
static enum rk_status seg_join(struct rk_sweep_builder *b)
{
    if (b->seg.data == NULL)
        return RK_OK;
    uint64_t n1 = b->count + b->pending - b->seg_n;
    int keys = !b->hv_gone && !b->hashes_gone; /* the key hashes are held: joined too */
    size_t rn = b->seg.len - 4, hn = keys ? (size_t)b->seg_n * sizeof *b->hv : 0;
    size_t pn = (size_t)b->seg_pv_n * sizeof *b->pv, r1 = rn / 2 + (hn + pn) / 2;
    enum rk_status rc = keys ? grow_hashes(&b->hv, &b->hv_cap, n1 + b->seg_n) : RK_OK;
    if (rc == RK_OK)
        rc = grow_hashes(&b->pv, &b->pv_cap, b->pv_n + b->seg_pv_n);
    if (rc == RK_OK)
        rc = rk_buf_reserve(&b->rec, rn);
    if (rc != RK_OK)
        return rc;
    if (r1 > rn)
        r1 = rn; /* the thread: records [r1, rn), hv, pv */
    struct copy_job cj[3] = {{b->rec.data + b->rec.len + r1, b->seg.data + 4 + r1, rn - r1},
                             {b->hv + n1, b->seg_hv, hn},
                             {b->pv + b->pv_n, b->seg_pv, pn}};
    pthread_t th;
    int t = rn + hn + pn >= COPY_THREAD_MIN && pthread_create(&th, NULL, copy_jobs_run, cj) == 0;
    memcpy(b->rec.data + b->rec.len, b->seg.data + 4, r1);
    if (t)
        pthread_join(th, NULL);
    else
        copy_jobs_run(cj);
    b->split_rec = n1;
    b->split_off = b->rec.len;
    b->rec.len += rn;
    b->rec.data[b->rec.len] = '\0';
    b->pv_n += b->seg_pv_n;
    rk_buf_free(&b->seg);
    rk_buf_init(&b->seg, REC_CAP);
    rk_free(b->seg_hv);
    rk_free(b->seg_pv);
    b->seg_hv = b->seg_pv = NULL;
    b->seg_n = b->seg_pv_n = 0;
    return RK_OK;
}

struct key_parts;
static void pv_add(struct rk_sweep_builder *b, unsigned type, const char *k, size_t n,
                   const struct key_parts *kp);

/* The key hash of each record of rec[4, len) into hv, in order. */
static void hash_records(const uint8_t *rec, size_t len, uint64_t *hv)
{
    uint64_t i = 0;
    for (size_t off = 4; off + 4 <= len; off += REC_SIZE(rec + off)) {
        size_t n = (size_t)rec[off + 2] | ((size_t)rec[off + 3] << 8);
        hv[i++] = rk__sw_hash(rec[off], rec[off + 1], rec + off + 4, n);
    }
}

/* hashes_back() of the key hashes alone, let go when the repeats were removed: the blob's and
 * the segment's, each piece kept. */
static enum rk_status hv_back(struct rk_sweep_builder *b)
{
    uint64_t n1 = b->count + b->pending - b->seg_n;
    if (grow_hashes(&b->hv, &b->hv_cap, n1 + 1) != RK_OK)
        return RK_ENOMEM;
    if (b->seg.data != NULL) {
        b->seg_hv = rk_reallocarray(NULL, (size_t)b->seg_n + 1, sizeof *b->seg_hv);
        if (b->seg_hv == NULL)
            return RK_ENOMEM;
        /* The segment's records start after its dummy word, as the blob's do. */
        hash_records((const uint8_t *)b->seg.data, b->seg.len, b->seg_hv);
    }
    hash_records((const uint8_t *)b->rec.data, b->rec.len, b->hv);
    b->hv_gone = 0;
    return RK_OK;
}

/*
 * After a write let the hashes go (drop_hashes()), makes them again from the records, the
 * segment's joined behind the blob first (its hashes went too): for what needs them again (an
 * append, a table made again, another write). The same hashes as the appends made: they are
 * functions of the records.
 */
static enum rk_status hashes_back(struct rk_sweep_builder *b)
{
    if (!b->hashes_gone && !b->hv_gone)
        return RK_OK;
    if (!b->hashes_gone)
        return hv_back(b);
    if (b->seg.data != NULL) {
        size_t rn = b->seg.len - 4;
        if (rk_buf_reserve(&b->rec, rn) != RK_OK)
            return RK_ENOMEM;
        memcpy(b->rec.data + b->rec.len, b->seg.data + 4, rn);
        b->rec.len += rn;
        b->rec.data[b->rec.len] = '\0';
        rk_buf_free(&b->seg);
        rk_buf_init(&b->seg, REC_CAP);
        b->seg_n = b->seg_pv_n = 0;
    }
    uint64_t n = b->count + b->pending;
    if (grow_hashes(&b->hv, &b->hv_cap, n + 1) != RK_OK ||
        grow_hashes(&b->pv, &b->pv_cap, (n + 1) * RK__SW_PF_KEY_HASHES_MAX) != RK_OK)
        return RK_ENOMEM;
    const uint8_t *rec = (const uint8_t *)b->rec.data;
    hash_records(rec, b->rec.len, b->hv);
    b->pv_n = 0;
    for (size_t off = 4; off + 4 <= b->rec.len; off += REC_SIZE(rec + off))
        pv_add(b, rec[off], (const char *)rec + off + 4,
               (size_t)rec[off + 2] | ((size_t)rec[off + 3] << 8), NULL);
    b->split_rec = 0;
    b->hashes_gone = 0;
    b->hv_gone = 0;
    return RK_OK;
}

/* Lets the hashes go once a write has used them (with the table): the records are all a later
 * append, table or write needs, and the 16 bytes a key (160 MB at 10M) are then not held while
 * the written file is mapped for its checksum, the build's peak of memory before. */
static void drop_hashes(struct rk_sweep_builder *b)
{
    if (b->pending != 0)
        return; /* not settled: the hashes of the keys not placed are needed */
    rk_free(b->hv);
    rk_free(b->pv);
    rk_free(b->seg_hv);
    rk_free(b->seg_pv);
    b->hv = b->pv = b->seg_hv = b->seg_pv = NULL;
    b->hv_cap = b->pv_cap = 0;
    b->pv_n = b->seg_pv_n = 0;
    b->hashes_gone = 1;
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

/* What is known of a canonical key's parts when it is added, so that the filters and the
 * prefilter keys need not read it again: a domain key's labels and where its last three start
 * (0: the name has no more; dom_labels(), dom_labels_mask()), a URL key's host. */
struct key_parts {
    unsigned count; /* dots plus one */
    size_t last;    /* the last label (the TLD) */
    size_t reg;     /* the last two: rk__sw_pf_reg_start() */
    size_t reg3;    /* the last three: rk__sw_pf_dom_start() under a two-label suffix */
    /* A URL key's host when rk__sw_canon_fast() gave it (url_hn 0: found by url_key_host()). */
    size_t url_ho, url_hn;
};

/* Counts a domain key's labels 8 bytes a step (a byte loop was 3 % of a build's instructions):
 * in x ^ "........" a dot is a zero byte, found exactly (no borrow between bytes). The dots'
 * places are kept on the way, so that the TLD filter and the prefilter keys need not scan the
 * key again from its end, byte by byte, as they did (3 backward scans a domain). */
static void dom_labels(const uint8_t *k, size_t n, struct key_parts *d)
{
    const uint64_t dots = 0x2e2e2e2e2e2e2e2eull, low7 = 0x7f7f7f7f7f7f7f7full;
    size_t d1 = 0, d2 = 0, d3 = 0; /* the last three dots' offsets plus one (0: none) */
    unsigned l = 1;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t x = 0; /* past the key: zero bytes, which are no dots */
        memcpy(&x, k + i, n - i >= 8 ? 8 : n - i);
        x ^= dots;
        uint64_t zero = ~(((x & low7) + low7) | x | low7); /* 0x80 in each zero byte */
        while (zero != 0) {
            d3 = d2;
            d2 = d1;
            d1 = i + (size_t)__builtin_ctzll(zero) / 8 + 1;
            zero &= zero - 1;
            l++;
        }
    }
    d->count = l;
    d->last = d1;
    d->reg = d2;
    d->reg3 = d3;
}

/* dom_labels() from the mask of the key's dots that rk__sw_canon_host_dots() made (bit i:
 * byte i is a dot): the key is not read again. */
static void dom_labels_mask(uint64_t dots, struct key_parts *d)
{
    size_t p[3] = {0, 0, 0}; /* the last three dots' offsets plus one (0: none) */
    unsigned l = 1;
    /* No __builtin_popcountll(): the build has no -mpopcnt, and libgcc's took 21 instructions. */
    for (uint64_t x = dots; x != 0; x &= x - 1)
        l++;
    d->count = l;
    for (unsigned k = 0; k < 3 && dots != 0; k++) {
        unsigned at = 63u - (unsigned)__builtin_clzll(dots);
        p[k] = (size_t)at + 1;
        dots &= ~((uint64_t)1 << at);
    }
    d->last = p[0];
    d->reg = p[1];
    d->reg3 = p[2];
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
                     const uint8_t *key, size_t n, const struct key_parts *kp)
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
        unsigned l = kp->count;
        if (b->dom_min == 0 || l < b->dom_min)
            b->dom_min = l;
        if (l > b->dom_max)
            b->dom_max = l;
        if (rk__sw_pf_sfx2((const char *)key, n))
            b->dom_sfx2 = 1;
        size_t ls = kp->last;
        unsigned bit = rk__sw_tld_bit((const char *)key + ls, n - ls);
        b->tld_filter[bit / 64] |= (uint64_t)1 << (bit % 64);
    }
}

static enum rk_status settle(struct rk_sweep_builder *b);

/*
 * rk__sw_url_host() of a canonical URL key, for the common one: "http://" or "https://", then a
 * host of no '@' nor '[' ended by '/', '?' or '#', found 16 bytes a step (the byte loop of the
 * general function was 4 % of a build's instructions). Anything else (a port, user info, a
 * bracketed host, a URL too short for a step) is given to rk__sw_url_host() itself, so the
 * answer is always that function's.
 */
static size_t url_key_host(const char *k, size_t n, size_t *off)
{
#if defined(__SSE2__)
    size_t i = n > 7 && memcmp(k, "http://", 7) == 0    ? 7
               : n > 8 && memcmp(k, "https://", 8) == 0 ? 8
                                                        : 0;
    /* The first "://" is at i - 3 (no ':' in "http" / "https"): the authority starts at i. */
    for (size_t j = i; i > 0 && j + 16 <= n; j += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(k + j));
        unsigned stop = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('?'))),
                         _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('#')),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8(':')))));
        unsigned odd = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_cmpeq_epi8(v, _mm_set1_epi8('@')), _mm_cmpeq_epi8(v, _mm_set1_epi8('['))));
        if (stop == 0 && odd == 0)
            continue;
        unsigned first = stop != 0 ? (unsigned)__builtin_ctz(stop) : 16;
        if ((odd & ((1u << first) - 1)) != 0 || (j == i && first == 0))
            break; /* userinfo, a bracketed host or an empty one: the general function */
        if (k[j + first] == ':') {
            /* A port: the authority may still hold an '@' further on (user:pass@host). */
            break;
        }
        *off = i;
        return j + first - i;
    }
#endif
    return rk__sw_url_host(k, n, off);
}

/* Appends the key prefilter hash of a canonical key to pv when its type has one (pv has room):
 * the same keys as rk__sw_pf_fill() takes from the records. */
static inline __attribute__((always_inline)) void pv_add_key(struct rk_sweep_builder *b,
                                                             unsigned type, const char *k, size_t n,
                                                             const struct key_parts *kp)
{
    if (type == RK_SWEEP_DOMAIN && kp != NULL) {
        /* rk__sw_pf_key_hash()'s domain keys, from the dots dom_labels() found. */
        size_t st = kp->reg;
        if (st > 0 && rk__sw_pf_sfx2(k + st, n - st)) {
            b->pv[b->pv_n++] = rk__sw_pf_hash(RK__SW_PF_KEY_REG, k + kp->reg3, n - kp->reg3);
            b->pv[b->pv_n++] = rk__sw_pf_hash(RK__SW_PF_KEY_SFX, k + st, n - st);
        } else {
            b->pv[b->pv_n++] = rk__sw_pf_hash(RK__SW_PF_KEY_REG, k + st, n - st);
        }
    } else if (type == RK_SWEEP_URL) {
        /* rk__sw_pf_key_hash()'s URL key (one hash), with the host rk__sw_canon_fast() gave,
         * else the one url_key_host() finds. */
        size_t ho = 0, hn = 0;
        if (kp != NULL && kp->url_hn > 0) {
            ho = kp->url_ho;
            hn = kp->url_hn;
        } else {
            hn = url_key_host(k, n, &ho);
        }
        b->pv[b->pv_n++] = rk__sw_pf_hash(RK__SW_PF_KEY_URLHOST, k + ho, hn);
    } else {
        b->pv_n += (uint64_t)rk__sw_pf_key_hash(type, k, n, &b->pv[b->pv_n]);
    }
}

/* pv_add_key() for the records hashed again; append_key() has it inlined (its call, with
 * the registers saved and restored, was 17 instructions a key). */
static void pv_add(struct rk_sweep_builder *b, unsigned type, const char *k, size_t n,
                   const struct key_parts *kp)
{
    pv_add_key(b, type, k, n, kp);
}

/* Canonicalises a value straight into a new record at the blob's end; `*word` receives its
 * offset in 4-byte units. Nothing is looked up: duplicates are dropped by settle(). */
static enum rk_status append_key(struct rk_sweep_builder *b, enum rk_sweep_type type,
                                 const char *value, size_t len, uint32_t *word)
{
    uint8_t plen = 0;
    if (len > RK_MAX_SWEEP_INDICATOR)
        return RK_ETOOBIG;
    if (b->hashes_gone || b->hv_gone || b->seg.data != NULL) {
        /* Appended records go behind the segment's, their hashes behind the others'. */
        enum rk_status jrc = hashes_back(b);
        if (jrc == RK_OK)
            jrc = seg_join(b);
        if (jrc != RK_OK)
            return jrc;
    }
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
    /* A plain list's values (no type hint) of the common shapes: the fast path, which gives
     * the same keys (sweep-canon-fast.c); the rest, and what it does not take, the general. */
    struct rk__sw_fast_key fk = {RK__SW_DOTS_UNKNOWN, 0, 0};
    size_t n = type == RK_SWEEP_NONE ? rk__sw_canon_fast(value, len, &type, &plen, r + 4,
                                                         RK_MAX_SWEEP_INDICATOR + 16, &fk)
                                     : 0;
    if (n == 0) {
        fk.dots = RK__SW_DOTS_UNKNOWN;
        fk.host_len = 0;
        n = rk__sw_canon_indicator(value, len, &type, &plen, r + 4, RK_MAX_SWEEP_INDICATOR + 16);
    }
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
    /* The padding to 4 bytes: one store of 4 zero bytes (the room reserved above holds
     * them; what lies past the record is overwritten by the next one). */
    memset(r + 4 + n, 0, 4);
    *word = (uint32_t)(b->rec.len / 4);
    struct key_parts kp = {0, 0, 0, 0, fk.host_off, fk.host_len};
    if (type == RK_SWEEP_DOMAIN) {
        if (fk.dots != RK__SW_DOTS_UNKNOWN)
            dom_labels_mask(fk.dots, &kp);
        else
            dom_labels(r + 4, n, &kp);
    }
    b->hv[b->count + b->pending] = rk__sw_hash(type, plen, r + 4, n);
    pv_add_key(b, type, (const char *)r + 4, n, &kp);
    b->rec.len += REC_SIZE(r);
    b->rec.data[b->rec.len] = '\0';
    note_key(b, type, plen, r + 4, n, &kp);
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

/*
 * Before a plain list's `bytes` of text are read into `b`: the record blob and the two hash
 * arrays are given room up front for what such text usually makes — the blob 1.25 times the
 * text (a record is its key, seldom longer than its line, with a 4-byte header and up to 3
 * bytes of padding), the hash arrays a hash per 9 bytes of text (the benchmark lists have 25
 * bytes a line) — and asked for transparent huge pages. Room never written costs address
 * space only; what is written is faulted in 2 MiB at a time, where growing the buffers by
 * doubling took a fault every 4 KiB page (and a reallocation that moved a huge-page buffer's
 * pages would split them: why the hint did not pay on the growing blob before). Text that
 * makes more than the room grows the buffers by doubling, as before.
 */
void rk__sw_builder_presize(struct rk_sweep_builder *b, size_t bytes)
{
    uint64_t keys = b->count + b->pending + bytes / 9 + 1024;
    size_t more = bytes + bytes / 4 + ((size_t)1 << 16);
    if (more > REC_CAP - b->rec.len)
        more = REC_CAP - b->rec.len;
    if (keys > RK_MAX_SWEEP_INDICATORS)
        keys = RK_MAX_SWEEP_INDICATORS;
    /* A failure (no such address space to be had) is no error: the appends grow the buffers
     * as they need, and report one that cannot grow. */
    if (rk_buf_reserve(&b->rec, more) == RK_OK)
        rk__sw_hint_huge(b->rec.data, b->rec.cap);
    if (grow_hashes(&b->hv, &b->hv_cap, keys) == RK_OK)
        rk__sw_hint_huge(b->hv, (size_t)b->hv_cap * sizeof *b->hv);
    if (grow_hashes(&b->pv, &b->pv_cap, b->pv_n + keys) == RK_OK)
        rk__sw_hint_huge(b->pv, (size_t)b->pv_cap * sizeof *b->pv);
}

/* A key found twice by place_all(): the later record and the earlier one it repeats. */
struct dup {
    uint32_t dead, keep; /* record offsets in 4-byte units */
};

/* A key on its way into the table: its hash (two halves) and its record's offset in 4-byte
 * units. 12 bytes, not 16: the record's place in the blob is not kept (only the key hashes'
 * moves past removed repeats needed it, and those hashes are let go instead, drop_dups()),
 * which is 40 MB less to zero and write at 10M keys. */
struct entry {
    uint32_t hlo, hhi;
    uint32_t word;
};

/* The records of place_all(): the blob, and the segment behind it when there is one. */
struct recs {
    const uint8_t *rec; /* the blob */
    size_t rec_len;     /* its bytes; SIZE_MAX: no segment */
    const uint8_t *seg; /* the segment's first record */
};

static int same_record(const struct recs *rs, uint64_t wa, uint64_t wb)
{
    const uint8_t *a = rec_at(rs->rec, rs->rec_len, rs->seg, (size_t)wa * 4);
    const uint8_t *c = rec_at(rs->rec, rs->rec_len, rs->seg, (size_t)wb * 4);
    return memcmp(a, c, 4) == 0 && memcmp(a + 4, c + 4, (size_t)a[2] | ((size_t)a[3] << 8)) == 0;
}

/* Below this many keys the table is made by one thread (the same steps, in turn). */
#define PLACE_THREADS_MIN ((uint64_t)1 << 16)

/* One half of the work of place_all(): the keys [i0, i1) of the blob (the first at byte
 * `off0`) for the histogram and the sort, then the entries [k0, k1) (whole buckets, whose home
 * slots are [s0, s1)) for the placement. */
struct half {
    struct recs rs;
    const uint64_t *hv; /* the hashes of the keys [hv0, ...) */
    uint64_t hv0;
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

static int push_dup(struct half *hf, uint32_t dead, uint32_t keep)
{
    if (hf->nd == hf->capd) {
        size_t cap = hf->capd ? hf->capd * 2 : 64;
        struct dup *nv = rk_reallocarray(hf->dv, cap, sizeof *nv);
        if (nv == NULL)
            return -1;
        hf->dv = nv;
        hf->capd = cap;
    }
    hf->dv[hf->nd++] = (struct dup){dead, keep};
    return 0;
}

/*
 * Places one key with linear probing over [home, limit) of the table (limit 2^log2: the whole
 * table, wrapping). Returns 1 placed, 0 a repeat of a placed key (pushed to the dups), 2 the
 * probe reached `limit` (only when limit is not the whole table), -1 out of memory.
 */
static int place_one(struct half *hf, const struct entry *en, uint64_t limit, int wrap)
{
    uint64_t h = en->hlo | ((uint64_t)en->hhi << 32), i = h & hf->mask, word = en->word;
    uint32_t tag = (uint32_t)(h >> 32), d = 0;
    uint64_t *slots = hf->slots;
    while (slots[i] != 0) {
        uint64_t e = slots[i];
        if ((uint32_t)(e >> 32) == tag && same_record(&hf->rs, e & 0xffffffffu, word))
            return push_dup(hf, en->word, (uint32_t)e) == 0 ? 0 : -1;
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
    const uint64_t *hv = hf->hv; /* key i's hash is hv[i - hf->hv0] */
    const struct recs *rs = &hf->rs;
    if (hf->stage == 0) {
        /* Bucket sizes; the first half also finds where the second half's records begin. */
        for (uint64_t i = hf->i0; i < hf->i1; i++)
            hf->cnt[(hv[i - hf->hv0] & hf->mask) >> hf->shift]++;
        if (hf->off1 == 0) {
            size_t off = hf->off0;
            for (uint64_t i = hf->i0; i < hf->i1; i++)
                off += REC_SIZE(rec_at(rs->rec, rs->rec_len, rs->seg, off));
            hf->off1 = off;
        }
    } else if (hf->stage == 1) {
        /* Each key to its bucket: nb streams of sequential writes, in the order added. */
        size_t off = hf->off0;
        for (uint64_t i = hf->i0; i < hf->i1; i++) {
            uint64_t h = hv[i - hf->hv0];
            struct entry *e = &hf->ents[hf->cnt[(h & hf->mask) >> hf->shift]++];
            e->hlo = (uint32_t)h;
            e->hhi = (uint32_t)(h >> 32);
            e->word = (uint32_t)(off / 4);
            off += REC_SIZE(rec_at(rs->rec, rs->rec_len, rs->seg, off));
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
    int seg = b->seg.data != NULL;
    for (int t = 0; t < 2; t++) {
        hf[t].rs.rec = (const uint8_t *)b->rec.data;
        hf[t].rs.rec_len = seg ? b->rec.len : SIZE_MAX;
        hf[t].rs.seg = seg ? (const uint8_t *)b->seg.data + 4 : NULL;
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
    rk__sw_hint_huge(ents, (size_t)n * sizeof *ents);
    hf[0].i0 = 0;
    if (seg) {
        /* The halves are the blob and the segment (the second's hashes in seg_hv). */
        mid = n - b->seg_n;
        hf[0].off1 = b->rec.len;
        hf[1].hv = b->seg_hv;
        hf[1].hv0 = mid;
    } else if (b->split_rec > 0 && b->split_rec < n) {
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
            if (push_dup(&hf[0], d->dead, d->keep) != 0)
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
    uint64_t bits = k->bits & (((uint64_t)1 << (x & 63)) - 1);
    /* Most groups lost no word (the repeats are few): no bit count (a dozen instructions
     * without the popcnt instruction) for them. */
    return k->before + (bits != 0 ? popcount64(bits) : 0);
}

/* The table's record offsets move down past the removed records in parts of this many slots,
 * which the threads take in turn (so that a thread that also moved the blob does less). */
#define REMAP_PART ((uint64_t)1 << 16)

struct remap {
    uint64_t *slots;
    const struct cut *cut;
    uint64_t first; /* offsets up to the first removed record stay */
    uint64_t nslots;
    atomic_uint_fast64_t next; /* the first slot of the next part to take */
};

static void remap_parts(struct remap *m)
{
    const uint64_t ahead = 16;
    for (;;) {
        uint64_t i0 = atomic_fetch_add(&m->next, REMAP_PART), i1 = i0 + REMAP_PART;
        if (i0 >= m->nslots)
            return;
        if (i1 > m->nslots)
            i1 = m->nslots;
        for (uint64_t i = i0; i < i1; i++) {
            if (i + ahead < i1)
                __builtin_prefetch(&m->cut[(m->slots[i + ahead] & 0xffffffffu) >> 6]);
            uint64_t e = m->slots[i], x = e & 0xffffffffu;
            if (x > m->first)
                m->slots[i] = e - removed_below(m->cut, x);
        }
    }
}

/* One piece of the records for compact_run(): its bytes [0, len) are the records' bytes
 * [base, base + len); dv[0, nd) are the removed records inside it, in blob order. */
struct piece {
    uint8_t *data;
    size_t base, len;
    const struct dup *dv;
    size_t nd;
};

/* Removes a piece's removed records (the live runs between them moved down in order); len
 * becomes the piece's new size. */
static void compact_piece(struct rk_sweep_builder *b, struct piece *p)
{
    const struct dup *dv = p->dv;
    if (p->nd == 0)
        return;
    uint8_t *rec = p->data;
    size_t w = (size_t)dv[0].dead * 4 - p->base;
    for (size_t k = 0; k < p->nd; k++) {
        /* A removed record's header is still in place: the moves so far wrote below it. */
        size_t off = (size_t)dv[k].dead * 4 - p->base, sz = REC_SIZE(rec + off);
        size_t next = k + 1 < p->nd ? (size_t)dv[k + 1].dead * 4 - p->base : p->len;
        b->type_count[rec[off]]--;
        memmove(rec + w, rec + off + sz, next - off - sz);
        w += next - off - sz;
    }
    p->len = w;
}

/* The records' side of drop_dups(): the blob and the segment compacted, each in place, then
 * the table's parts left. */
struct compact {
    struct rk_sweep_builder *b;
    struct piece p[2]; /* the blob, the segment (nd == 0 when it has none removed) */
    struct remap *rm;  /* NULL: no help with the table */
};

static void *compact_run(void *arg)
{
    struct compact *c = arg;
    compact_piece(c->b, &c->p[0]);
    compact_piece(c->b, &c->p[1]);
    if (c->rm != NULL)
        remap_parts(c->rm);
    return NULL;
}

/*
 * Removes the records of the duplicates from the blob and moves every record offset of the
 * table and of the metadata entries to match; a metadata entry of a removed record goes to the
 * record it repeated. An offset moves by the number of words removed below it: struct cut
 * answers that in a few instructions for each of the table's entries, in the table's order,
 * its lines prefetched ahead. struct cut is made first, from the removed records where they
 * are; then one thread moves the blob and the hashes while the other starts on the table, and
 * both finish the table: the steps do not depend on one another's order, so the result is the
 * same on one core or two.
 */
static enum rk_status drop_dups(struct rk_sweep_builder *b, uint64_t *slots, uint32_t log2,
                                struct dup *dv, size_t nd)
{
    uint64_t nwords = rec_total(b) / 4, ncuts = (nwords >> 6) + 1;
    struct cut *cut = rk_calloc((size_t)ncuts, sizeof *cut);
    const uint8_t *rec = (const uint8_t *)b->rec.data;
    int seg = b->seg.data != NULL;
    const uint8_t *segr = seg ? (const uint8_t *)b->seg.data + 4 : NULL;
    size_t rec_len = seg ? b->rec.len : SIZE_MAX;
    if (cut == NULL)
        return RK_ENOMEM;
    rk__sw_hint_huge(cut, (size_t)ncuts * sizeof *cut);
    qsort(dv, nd, sizeof *dv, cmp_dup);
    for (size_t k = 0; k < nd; k++) {
        size_t off = (size_t)dv[k].dead * 4, sz = REC_SIZE(rec_at(rec, rec_len, segr, off));
        for (size_t x = off / 4; x < (off + sz) / 4; x++)
            cut[x >> 6].bits |= (uint64_t)1 << (x & 63);
    }
    uint64_t acc = 0;
    for (uint64_t j = 0; j < ncuts; j++) {
        cut[j].before = acc;
        acc += popcount64(cut[j].bits);
    }
    uint64_t nslots = (uint64_t)1 << log2;
    struct remap rm = {slots, cut, dv[0].dead, nslots, 0};
    atomic_init(&rm.next, 0);
    /* The removed records in the blob, then those in the segment. */
    size_t nd1 = seg ? dups_below(dv, nd, b->rec.len / 4) : nd;
    struct compact cp = {b,
                         {{(uint8_t *)b->rec.data, 0, b->rec.len, dv, nd1},
                          {seg ? (uint8_t *)b->seg.data + 4 : NULL, b->rec.len,
                           seg ? b->seg.len - 4 : 0, dv + nd1, nd - nd1}},
                         &rm};
    pthread_t th;
    int t = nslots >= PLACE_THREADS_MIN && pthread_create(&th, NULL, compact_run, &cp) == 0;
    if (t) {
        remap_parts(&rm);
        pthread_join(th, NULL);
    } else {
        cp.rm = NULL;
        compact_run(&cp);
        remap_parts(&rm);
    }
    for (size_t i = 0; i < b->nments; i++) {
        uint64_t x = b->ments[i].word;
        size_t j = dups_below(dv, nd, x);
        if (j < nd && dv[j].dead == x)
            x = dv[j].keep;
        b->ments[i].word = (uint32_t)(x - removed_below(cut, x));
    }
    b->rec.len = cp.p[0].len;
    b->rec.data[b->rec.len] = '\0';
    if (seg) {
        b->seg.len = cp.p[1].len + 4;
        b->seg.data[b->seg.len] = '\0';
        b->seg_n -= nd - nd1;
    }
    b->split_rec = 0; /* the records moved */
    /* The key hashes are let go rather than moved down past the removed records (80 MB at
     * 10M keys): a table made again or an append makes them from the records
     * (hashes_back()); a write needs only the prefilter's, which keep their repeats. */
    rk_free(b->hv);
    rk_free(b->seg_hv);
    b->hv = b->seg_hv = NULL;
    b->hv_cap = 0;
    b->hv_gone = 1;
    rk_free(cut);
    return RK_OK;
}

/*
 * pv keeps the hashes of repeated keys (dropping them would need their place in it); when
 * they are more than half of it, it is made again from the records, so that it stays within
 * twice the keys held, however often they were repeated.
 */
static enum rk_status pv_settle(struct rk_sweep_builder *b)
{
    uint64_t keys = rk__sw_pf_keys(b->type_count, RK__SW_PF_ALL);
    if (b->pv_n + b->seg_pv_n <= 2 * keys + 1024)
        return RK_OK;
    enum rk_status rc = seg_join(b); /* the walk below takes the records in one piece */
    if (rc != RK_OK)
        return rc;
    const uint8_t *rec = (const uint8_t *)b->rec.data;
    b->pv_n = 0; /* there is room: at most 2 hashes a key (a domain's mark), < pv_n */
    for (size_t off = 4; off + 4 <= b->rec.len; off += REC_SIZE(rec + off))
        pv_add(b, rec[off], (const char *)rec + off + 4,
               (size_t)rec[off + 2] | ((size_t)rec[off + 3] << 8), NULL);
    return RK_OK;
}

/* A zeroed table of 2^log2 slots in *slots (the caller frees it, also on error) with the
 * blob's first n records placed by place_all(). */
static enum rk_status new_table(struct rk_sweep_builder *b, uint64_t n, uint32_t log2,
                                uint64_t **slots, uint32_t *maxp, struct dup **dv, size_t *nd)
{
    *slots = rk_calloc((size_t)1 << log2, sizeof **slots);
    if (*slots == NULL)
        return RK_ENOMEM;
    rk__sw_hint_huge(*slots, (size_t)8 << log2);
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
    enum rk_status hrc = hashes_back(b);
    if (hrc != RK_OK)
        return hrc;
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
        /* The blob holds the distinct keys only from here: count them so, whatever follows. */
        n -= nd;
        b->count = n;
        b->pending = 0;
        rk_free(b->slots);
        b->slots = NULL;
        rc = pv_settle(b);
        if (rc != RK_OK)
            goto out;
        if (log2_for(n) < log2) {
            /* Fewer distinct keys than the size assumed: placed again at the size they need
             * (no duplicates are left to find). */
            rk_free(dv);
            dv = NULL;
            rk_free(slots);
            slots = NULL;
            log2 = log2_for(n);
            rc = hashes_back(b); /* the key hashes went with the repeats */
            if (rc == RK_OK)
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
    if (part->count != 0 || part->nments != 0 || part->seg.data != NULL)
        return RK_EINVAL;
    ip4_flush(b);
    ip4_flush(part);
    if (b->count + b->pending + part->pending > RK_MAX_SWEEP_INDICATORS)
        return RK_ETOOBIG;
    if (part->rec.len - 4 > REC_CAP - rec_total(b))
        return RK_ETOOBIG;
    /* One segment at a time: a second part joins the first one's behind the blob. */
    enum rk_status rc = hashes_back(b);
    if (rc == RK_OK)
        rc = seg_join(b);
    if (rc != RK_OK)
        return rc;
    if (part->pending > 0) {
        /* The part's records and hashes are taken over, not copied (a 10M list's second
         * half: 100 MB of records and 80 MB of hashes, whose copies' page faults were most of
         * the 0.1 s the join took). */
        b->seg = part->rec;
        rk_buf_init(&part->rec, REC_CAP);
        b->seg_hv = part->hv;
        b->seg_pv = part->pv;
        b->seg_n = part->pending;
        b->seg_pv_n = part->pv_n;
        part->hv = part->pv = NULL;
        part->hv_cap = part->pv_cap = 0;
        part->pv_n = 0;
    }
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
    h->records_len = align8(rec_total(b));
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

/* `populate`: the body is a file mapping not yet mapped in (rk__sw_body_checksum). */
static void seal_header(struct rk__sw_header *h, const uint8_t *body, size_t body_len, int populate)
{
    /* body == NULL: an image built in memory and never stored needs no body checksum. */
    h->sum_chunk_log2 = rk__sw_sum_chunk_log2(body_len);
    h->body_checksum = body != NULL ? rk__sw_body_checksum(body, body_len, h->sum_chunk_log2,
                                                           rk__sw_sum_threads(), populate)
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

/* The key prefilter is made from the records, not from the hashes kept as they came: those
 * are its keys but for the domains' when it holds no domains (all have two labels). */
static int tail_walks(const struct rk_sweep_builder *b, const struct rk__sw_header *h)
{
    return b->type_count[RK_SWEEP_DOMAIN] > 0 && (h->pf_flags & RK__SW_PF_DOMAIN) == 0;
}

/* Writes the sections after the records (IPv4 prefilter, key prefilter, metadata) into
 * `tail`, zeroed, which is the image from h->ip4_filter_off to its end. When tail_walks(),
 * the records are in one piece (no segment). */
static void fill_tail(struct rk_sweep_builder *b, const struct rk__sw_header *h, uint8_t *tail)
{
    fold_ip4_filter(b, h->ip4_filter_bits, (uint64_t *)(void *)tail);
    uint64_t *pf = (uint64_t *)(void *)(tail + (h->pf_off - h->ip4_filter_off));
    if (!tail_walks(b, h)) {
        /* The bits are ORs: the segment's hashes add theirs to the blob's. */
        rk__sw_pf_fill_hashes(pf, h->pf_lines, h->pf_cidr4_bits, b->pv, b->pv_n, b->c24);
        if (b->seg_pv_n > 0)
            rk__sw_pf_fill_hashes(pf, h->pf_lines, h->pf_cidr4_bits, b->seg_pv, b->seg_pv_n, NULL);
    } else
        rk__sw_pf_fill(pf, h->pf_lines, h->pf_flags, h->pf_cidr4_bits, b->type_count,
                       (const uint8_t *)b->rec.data, b->rec.len);
    if (b->nments > 0)
        meta_write(b, tail + (h->pf_off - h->ip4_filter_off) +
                          rk__sw_pf_size(h->pf_lines, h->pf_cidr4_bits));
}

/* Writes the image laid out in `*h` into `img` (h->file_size bytes, zeroed), sealed without a
 * body checksum (an image in memory, never stored). */
static void fill_image(struct rk_sweep_builder *b, struct rk__sw_header *h, uint8_t *img)
{
    /* The table and the records at once (each copy's first touches of the destination are
     * page faults, the larger part of its cost). */
    struct copy_job cj = {img + h->records_off, b->rec.data, b->rec.len};
    pthread_t th;
    int t = cj.n >= COPY_THREAD_MIN && pthread_create(&th, NULL, copy_run, &cj) == 0;
    memcpy(img + h->slots_off, b->slots, (size_t)8 << b->log2);
    fill_tail(b, h, img + h->ip4_filter_off);
    if (t)
        pthread_join(th, NULL);
    else
        copy_run(&cj);
    seal_header(h, NULL, (size_t)(h->file_size - h->header_size), 0);
    memcpy(img, h, sizeof *h);
}

/* Returns the whole image (header, slots, records, filter, metadata), sealed; rk_free() it. */
static uint8_t *make_image(struct rk_sweep_builder *b, struct rk__sw_header *h)
{
    layout_image(b, h);
    uint8_t *img = rk_calloc(1, (size_t)h->file_size);
    if (img == NULL)
        return NULL;
    rk__sw_hint_huge(img, (size_t)h->file_size);
    fill_image(b, h, img);
    return img;
}

enum rk_status rk_sweep_builder_build(struct rk_sweep_builder *b, struct rk_sweep_index **out)
{
    struct rk__sw_header h;
    *out = NULL;
    enum rk_status frc = settle(b);
    if (frc == RK_OK && b->hashes_gone)
        frc = hashes_back(b); /* the prefilter is set from them (the key hashes are not used) */
    if (frc == RK_OK)
        frc = seg_join(b); /* the image in memory is one piece */
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

/* pwrite() of all `n` bytes at `off`: 0, or an errno value. */
static int pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
    const uint8_t *s = p;
    while (n > 0) {
        size_t step = n < ((size_t)1 << 30) ? n : (size_t)1 << 30;
        ssize_t w = pwrite(fd, s, step, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        s += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/* Three pwrite_all() in turn, done by a thread of its own: each only if the ones before
 * succeeded. */
struct pwrite_job {
    int fd;
    const void *p[3];
    size_t n[3];
    uint64_t off[3];
    int err;
};

static void *pwrite_run(void *arg)
{
    struct pwrite_job *j = arg;
    for (int k = 0; k < 3 && j->err == 0; k++)
        j->err = pwrite_all(j->fd, j->p[k], j->n[k], j->off[k]);
    return NULL;
}

/*
 * Writes the image laid out in `*h` into the empty file `fd`: the table and the records
 * straight from the builder's buffers with pwrite() (no image in memory, and no page fault a
 * 4 KiB page of the file as a shared mapping of it took: those were most of the 0.3 s that
 * copying the 362 MB of a 10M index into the mapping cost), the records by a thread while the
 * sections after them are made; then the body checksum over a read-only mapping of the
 * written file (its pages are in the page cache), and the header. The padding between the
 * sections is never written: a hole reads as zeros. Returns 0 or an errno value.
 */
static int write_image(struct rk_sweep_builder *b, struct rk__sw_header *h, int fd)
{
    size_t tail_len = (size_t)(h->file_size - h->ip4_filter_off);
    if (tail_walks(b, h) && seg_join(b) != RK_OK)
        return ENOMEM;
    uint8_t *tail = rk_calloc(1, tail_len);
    if (tail == NULL)
        return ENOMEM;
    rk__sw_hint_huge(tail, tail_len); /* the key prefilter: 16 MB at 10M indicators */
    /* The records (the blob, then the segment behind it) and the table by one thread (writes
     * to one file take turns), the sections after them made meanwhile. */
    int seg = b->seg.data != NULL;
    struct pwrite_job rj = {fd,
                            {b->rec.data, seg ? b->seg.data + 4 : NULL, b->slots},
                            {b->rec.len, seg ? b->seg.len - 4 : 0, (size_t)8 << b->log2},
                            {h->records_off, h->records_off + b->rec.len, h->slots_off},
                            0};
    pthread_t th;
    int t = rec_total(b) >= COPY_THREAD_MIN && pthread_create(&th, NULL, pwrite_run, &rj) == 0;
    fill_tail(b, h, tail);
    if (t)
        pthread_join(th, NULL);
    else
        pwrite_run(&rj);
    /* The table and the hashes are let go once written (a later build or write makes them
     * again), so that they and the file's pages are not all held at once. */
    rk_free(b->slots);
    b->slots = NULL;
    drop_hashes(b);
    int e = rj.err;
    if (e == 0)
        e = pwrite_all(fd, tail, tail_len, h->ip4_filter_off);
    rk_free(tail);
    if (e != 0)
        return e;
    size_t body_len = (size_t)(h->file_size - h->header_size);
    uint8_t *img = mmap(NULL, (size_t)h->file_size, PROT_READ, MAP_SHARED, fd, 0);
    if (img == MAP_FAILED)
        return errno;
    seal_header(h, img + h->header_size, body_len, 1);
    munmap(img, (size_t)h->file_size);
    return pwrite_all(fd, h, sizeof *h, 0);
}

enum rk_status rk_sweep_builder_write(struct rk_sweep_builder *b, const char *path, char *err,
                                      size_t errlen)
{
    struct rk__sw_header h;
    enum rk_status rc = RK_EIO;
    char tmp[4096];
    int fd = -1;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
        set_err(err, errlen, "index path too long");
        return RK_EINVAL;
    }
    rc = settle(b);
    if (rc == RK_OK && b->hashes_gone)
        rc = hashes_back(b); /* the prefilter is set from them (the key hashes are not used) */
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
    /* posix_fallocate: a full disk fails here at once; and the file's blocks are then
     * allocated, so that ext4 does not flush the whole file at the rename below (its
     * replace-by-rename rule for delayed allocation: 0.36 s for a 10M index). */
    int e = posix_fallocate(fd, 0, (off_t)h.file_size);
    if (e == 0)
        e = write_image(b, &h, fd);
    if (e != 0) {
        rc = e == ENOMEM ? RK_ENOMEM : RK_EIO;
        set_err(err, errlen, "cannot write %s: %s", tmp, strerror(e));
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
    if ((h->pf_flags & ~(uint32_t)RK__SW_PF_ALL) != 0) {
        /* The header checksum held, so this is a writer that knows more key kinds than this
         * build (each new kind is a pf_flags bit, not a format version), not damage. */
        set_err(err, errlen,
                "sweep index uses key prefilter kinds this build does not know (pf_flags 0x%x): "
                "it was written by a newer Renkei; recompile it with `renkei sweep compile`",
                (unsigned)h->pf_flags);
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
    rk__sw_ip4f16_make(ix);
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

/* ===== The hot sections in huge pages (sweep-int.h, "Where the index lies in memory") ===== */

/* PAGEMAP_SCAN (Linux 6.7, <linux/fs.h>), spelled out: the build machine's headers may be
 * older than the kernel it runs on, and an older kernel answers ENOTTY. */
struct rk__sw_page_region {
    uint64_t start, end, categories;
};
struct rk__sw_pm_scan_arg {
    uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages, category_inverted,
        category_mask, category_anyof_mask, return_mask;
};
#define RK__SW_PAGEMAP_SCAN    _IOWR('f', 16, struct rk__sw_pm_scan_arg)
#define RK__SW_PAGE_IS_PRESENT (1u << 3)
#define RK__SW_PAGE_IS_HUGE    (1u << 6)

long long rk__sw_huge_bytes(const void *p, size_t n)
{
    struct rk__sw_page_region v[64];
    long long huge = 0;
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)p & ~(pg - 1), e = ((uintptr_t)p + n + pg - 1) & ~(pg - 1);
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    while (a < e) {
        /* Regions of equal categories come merged: a huge range is one entry, so 64 entries
         * a call cover a section in one or two calls unless it is mostly small pages. */
        struct rk__sw_pm_scan_arg q = {.size = sizeof q,
                                       .start = a,
                                       .end = e,
                                       .vec = (uintptr_t)v,
                                       .vec_len = 64,
                                       .category_anyof_mask = RK__SW_PAGE_IS_PRESENT,
                                       .return_mask = RK__SW_PAGE_IS_HUGE};
        long k = ioctl(fd, RK__SW_PAGEMAP_SCAN, &q);
        if (k < 0 || q.walk_end <= a) {
            huge = k < 0 ? -1 : huge;
            break;
        }
        for (long i = 0; i < k; i++)
            if (v[i].categories & RK__SW_PAGE_IS_HUGE)
                huge += (long long)(v[i].end - v[i].start);
        a = (uintptr_t)q.walk_end;
    }
    close(fd);
    return huge;
}

int rk__sw_hot_copy(struct rk_sweep_index *ix)
{
    const struct rk__sw_header *h = ix->h;
    const char *force = getenv("RK_SWEEP_HOT_COPY");
    /* From the IPv4 prefilter to the CIDR bitmap's end; the start rounded down to 64 bytes so
     * that the key prefilter's lines stay on cache lines in the copy. */
    uint64_t from = h->ip4_filter_off & ~(uint64_t)63;
    uint64_t len = h->pf_off + rk__sw_pf_size(h->pf_lines, h->pf_cidr4_bits) - from;
    const size_t huge = (size_t)1 << 21;
    if (ix->map == NULL || (force != NULL && force[0] == '0'))
        return 0;
    if (force == NULL || force[0] != '1') {
        if (len < RK__SW_HOT_MIN_BYTES)
            return 0; /* within the TLB's reach in 4 KiB pages */
#ifdef MADV_POPULATE_READ
        /* Faulted in first: --no-verify maps nothing before the scan. */
        (void)madvise((void *)((uintptr_t)(ix->base + from) & ~(uintptr_t)4095),
                      (size_t)(len + ((uintptr_t)(ix->base + from) & 4095)), MADV_POPULATE_READ);
#endif
        /* Already PMD-mapped (cached in 2 MiB folios: the writer's and the open's advice): a
         * copy gains nothing. The file's last partial 2 MiB never is, hence the slack. */
        if (rk__sw_huge_bytes(ix->base + from, (size_t)len) >= (long long)(len - len / 8))
            return 0;
    }
#ifdef MADV_HUGEPAGE
    size_t span = (size_t)((len + huge - 1) & ~(uint64_t)(huge - 1));
    /* mmap, not rk_malloc: the copy must start on a 2 MiB boundary to get huge pages. */
    uint8_t *m =
        mmap(NULL, span + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 0;
    uint8_t *c = (uint8_t *)(((uintptr_t)m + huge - 1) & ~(uintptr_t)(huge - 1));
    if (madvise(c, span, MADV_HUGEPAGE) != 0) {
        munmap(m, span + huge);
        return 0;
    }
    memcpy(c, ix->base + from, (size_t)len);
    /* No huge pages (THP off, memory fragmented): 4 KiB anonymous pages are no better than the
     * mapping's, so the copy is dropped. */
    if (force == NULL && rk__sw_huge_bytes(c, (size_t)len) < (long long)(len / 2)) {
        munmap(m, span + huge);
        return 0;
    }
    (void)mprotect(c, span, PROT_READ);
    const uint8_t *nb = c - from; /* where the image's byte 0 would be */
    ix->ip4f = (const uint64_t *)(const void *)(nb + h->ip4_filter_off);
    ix->pf = (const uint64_t *)(const void *)(nb + h->pf_off);
    ix->c4f = ix->pf + 8 * (uint64_t)h->pf_lines;
    ix->hot_map = m;
    ix->hot_map_len = span + huge;
    return 1;
#else
    (void)huge;
    return 0;
#endif
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
    /* Before the checksum's populate: pages not yet cached are read into 2 MiB folios and
     * PMD-mapped (a cold index); cached ones keep the folios they have. Only a hint. */
#ifdef MADV_HUGEPAGE
    (void)madvise(ix->map, ix->size, MADV_HUGEPAGE);
#endif
    rc = check_image(ix, verify, err, errlen);
    if (rc != RK_OK)
        goto out;
    madvise(ix->map, ix->size, MADV_RANDOM);
    (void)rk__sw_hot_copy(ix);
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
    if (ix->hot_map != NULL)
        munmap(ix->hot_map, ix->hot_map_len);
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
