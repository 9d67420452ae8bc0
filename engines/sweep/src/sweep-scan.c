/*
 * The extractor and matcher: one pass over the bytes of a chunk, no allocation.
 *
 * A byte-class table splits the input into runs of token bytes (letters, digits and . - _ : @ +)
 * separated by everything else. Almost every run is rejected by its length and the classes it
 * accumulated (a run without '.', ':' or '@' can only be a hash, and then only if it is 32 or
 * more bytes long). The others are classified: IPv4 and IPv6 addresses (with ports, in
 * brackets), host names, e-mail addresses, hex hashes; a run "scheme:" followed by "//" starts
 * a URL, which is parsed and canonicalised whole, its host decoded. The Windows DNS debug form
 * "(3)www(7)example(3)com(0)" is read where a '(' is followed by a digit.
 *
 * Lookups are not done one by one: each key is hashed, its table slot prefetched, and the
 * request queued; a batch of requests is resolved together so that the cache misses of the
 * table overlap instead of adding up. Hits are reported in input order, each (line, token,
 * indicator) once.
 */
#include "sweep-int.h"
#include "sweep-ip4.h"
#include "sweep-pftest.h"

#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#endif

#include "renkei/alloc.h"

/* Requests are resolved once SOFT are queued; CAP leaves room for the largest single token
 * (an IPv6 address with every prefix length in use, or a host of 127 labels). */
#define SOFT 64
#define CAP 400
#define BUF_SIZE (64u * 1024u)
#define SEEN_MAX 256
/* How far ahead of the scan the input is prefetched (see load_block()). */
#define PF_AHEAD 1024
/* The AVX2 and AVX-512 paths are taken only where the CPU also has BMI1, BMI2, LZCNT and
 * POPCNT (every CPU with AVX2 in practice): the scan loop's copies for them and the classifiers
 * only they call are compiled for these too, so that the many shifts by a run's offset need no
 * CL register (SHLX, SHRX, BZHI) and the bit scans no BSR fix-up (TZCNT, LZCNT). */
#define RK_SW_BMI  ",bmi,bmi2,lzcnt,popcnt"
/* A byte repeated, for the rows of the SIMD constant tables (hex_k, url_k, avx2_k, avx512_k). */
#define RK_SW_X8(x)  x, x, x, x, x, x, x, x
#define RK_SW_X16(x) RK_SW_X8(x), RK_SW_X8(x)
#define RK_SW_X32(x) RK_SW_X16(x), RK_SW_X16(x)
#define RK_SW_X64(x) RK_SW_X32(x), RK_SW_X32(x)
/* The SIMD paths read their constant vectors from those tables: GCC would otherwise rebuild a
 * vector of one repeated byte from an immediate at every call or block (a MOV and a
 * VPBROADCASTB, the latter on port 5, where the compares and shuffles wait), as the calls
 * around them clobber every vector register. A table's address passed through an empty asm
 * hides its bytes from the optimiser, so its rows stay loads (folded into the instructions
 * that use them). */
#define RK_SW_OPAQUE(ptr) __asm__("" : "+r"(ptr))
/* The last-label cache (tldc): 1,024 entries, the slot the top bits of the key times the
 * golden ratio. The few labels a log's hosts end in are kept apart: with 256 entries ".net"
 * and ".local" shared a slot (also with 512) and took each other's place all through the
 * benchmark's mixed log (1,805 misses in its first 8 MB, each ≈ 260 instructions; 18 with
 * 1,024). The short-key cache (pfc) keeps 256. */
#define TLDC_BITS      10
#define TLDC_SIZE      (1u << TLDC_BITS)
#define TLDC_SLOT(key) (((key)*0x9e3779b97f4a7c15ull) >> (64 - TLDC_BITS))
#define PFC_SIZE       256
#define TLDC_EMPTY     (~0ull)

/* Byte classes. */
enum {
    C_TOK = 1,    /* part of a token run */
    C_DOT = 2,
    C_COLON = 4,
    C_AT = 8,
    C_NONHEX = 16, /* a letter that is not a hex digit, or . - _ : @ + */
    C_PLUS = 32,
};

/* What waits for its prefilter test (see settle()). */
enum { PEND_NONE = 0, PEND_IP4, PEND_HOST_RAW, PEND_HOST_BUF, PEND_HASH, PEND_EMAIL };

/* How many tokens may wait for their prefilter test (a large index): the more, the longer
 * the scan between a prefilter line's prefetch and its test. */
#define PEND_MAX 4

/* A token waiting for its prefilter test. */
struct pend {
    int kind;       /* PEND_* */
    uint8_t a[4];   /* PEND_IP4: the address */
    uint64_t line, off, h;
    size_t n;
    /* PEND_HOST_RAW: a copy of the raw host; PEND_HOST_BUF: of the canonical; PEND_HASH: the
     * digest (16, 20 or 32 bytes); PEND_EMAIL: the raw address (see emit_email()). */
    char host[256];
};

/* How the token of a request is printed. */
enum { TOK_TEXT = 0, TOK_IP4, TOK_IP6, TOK_HASH };

struct req {
    uint64_t h;
    uint64_t line;
    uint64_t off;      /* token offset in the scanned data */
    uint32_t key_off;  /* key bytes in buf */
    uint32_t tok_off;  /* token material in buf */
    uint16_t key_len;
    uint16_t tok_len;
    uint8_t type;
    uint8_t plen;
    uint8_t tok_kind;
    uint8_t cidr_group; /* non-zero: one of a token's CIDR lookups, longest prefix first */
    /* Non-zero: h is the key prefilter's hash of the token (a URL's host) and the lookup's
     * hash is made in flush(), only when the prefilter lets it pass (see url_whole()); 2: the
     * key is not written yet, the URL is canonicalised then (see handle_url()). */
    uint8_t pf_wait;
};

/*
 * Byte masks of one 64-byte block: which bytes are token bytes, which are the three delimiters
 * that need a look ('\n', '%', '('), and where the bytes that steer classification are. With
 * SSE2 (every x86-64) sixteen bytes are classified per instruction; elsewhere the class table
 * is used. Bytes past the end of the input read as NUL, a plain delimiter. Blocks need not lie
 * on multiples of 64: see load_block().
 */
struct blk {
    size_t base;
    uint64_t tok, stop, dot, colon, at, plus;
    uint64_t letter, digit; /* A-Z a-z, 0-9: the shape of a run without reading it again */
    uint64_t interest;      /* where the scan must stop: see load_block() */
    uint64_t odd;           /* colon | at | plus, made once a block for every event's run */
    unsigned adv;           /* where the next block begins (base + adv, 1..64) */
    int cont;               /* byte 0 goes on with a token run begun before base */
};

struct seen {
    uint64_t rec;
    uint64_t tok;
};

struct rk_sweep_scanner {
    const struct rk_sweep_index *ix;
    uint8_t cls[256];
    int avx2;   /* the CPU has AVX2 (x86-64 only) */
    int avx512; /* the CPU has AVX-512BW: one block's masks in a few instructions */
    int want_ip4, want_ip6, want_dom, want_url, want_email, want_hash;
    unsigned dom_min, dom_max;
    /* A prefilter too large to stay in cache (a large index): the IPv4 bit or the key
     * prefilter's line of a token is prefetched when the token is found and tested only when
     * the next request is made (settle()), so that the scan between the two hides the miss;
     * requests stay in input order. Up to PEND_MAX tokens wait, oldest tested first. */
    int defer_ip4, defer_pf;
    struct pend pq[PEND_MAX];
    unsigned pq_head, npend;
    int settling; /* settle() is at work: make_room() and flush() leave the waiting alone */
    uint64_t tld[64]; /* copy of the index's last-label filter */
    /* The last-label filter's answers for the last labels of up to 7 bytes seen lately (see
     * tld_pass()): a key per entry, bit 63 the answer; TLDC_EMPTY matches no key. */
    uint64_t tldc[TLDC_SIZE];
    /* The key prefilter's answers for the last two labels of hosts when they are at most 7
     * bytes ("co.jp", "ne.jp": the same few keys again and again), the same way, bits 62-63
     * the answer (see pf_reg_cached()). */
    uint64_t pfc[PFC_SIZE];
    /* The index's key prefilter holds the last two labels of every domain indicator / the
     * host of every URL indicator / every IPv4 address indicator / every hash indicator /
     * every e-mail indicator (sweep-prefilter.c). */
    int pf_dom, pf_url, pf_ip4, pf_hash, pf_email;
    /* The domain keys of hosts under a two-label public suffix are three labels
     * (RK__SW_PF_DOM3); their two-label keys are also held (RK__SW_PF_DOM2). */
    int pf_dom3, pf_dom2;
    /* An e-mail address is tested on its raw bytes when it is already canonical up to ASCII
     * case (classify_email()): the index has no e-mail indicators or its filter holds them. */
    int email_raw;
    int has_ip4; /* the index holds IPv4 addresses (not only ranges) */
    /* The CIDR prefix lengths in use, longest first. */
    uint8_t c4[33], c6[129];
    unsigned nc4, nc6;
    /* Pending requests and their bytes. */
    struct req q[CAP];
    unsigned nq;
    uint8_t buf[BUF_SIZE];
    uint32_t used;
    uint8_t group;
    /* Hits already reported on the current line. */
    uint64_t seen_line;
    struct seen seen[SEEN_MAX];
    unsigned nseen;
    /* Callback. */
    rk_sweep_hit_cb cb;
    void *ud;
    int stopped;
    uint64_t base_off; /* added to reported offsets */
    const char *file;
    uint64_t line_base;
    uint64_t long_tokens;
    uint64_t hits;
    /* The chunk being scanned, so that a hit can point at its line (found only when a hit is
     * reported: the scan loop never looks for line starts). */
    const char *chunk;
    size_t chunk_len;
    /* chunk + chunk_len, kept for the shaped token paths' "may a whole word or vector be read
     * here" tests (one load instead of two and an add, on every dotted run). */
    const char *chunk_end;
    char tok_text[RK_MAX_SWEEP_TOKEN + 64];
    char ind_text[RK_MAX_SWEEP_INDICATOR + 64];
};

static void init_classes(uint8_t *cls)
{
    memset(cls, 0, 256);
    for (int c = '0'; c <= '9'; c++)
        cls[c] = C_TOK;
    for (int c = 'a'; c <= 'z'; c++) {
        cls[c] = C_TOK | (c > 'f' ? C_NONHEX : 0);
        cls[c - 32] = cls[c];
    }
    cls['.'] = C_TOK | C_DOT | C_NONHEX;
    cls['-'] = C_TOK | C_NONHEX;
    cls['_'] = C_TOK | C_NONHEX;
    cls[':'] = C_TOK | C_COLON | C_NONHEX;
    cls['@'] = C_TOK | C_AT | C_NONHEX;
    cls['+'] = C_TOK | C_PLUS | C_NONHEX;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* LZCNT (CPUID 0x80000001, ECX bit 5), asked of CPUID itself: clang 14, which builds the fuzz
 * targets, has no "lzcnt" name for __builtin_cpu_supports(). */
static int cpu_has_lzcnt(void)
{
    unsigned a, b, c, d;
    return __get_cpuid(0x80000001u, &a, &b, &c, &d) && (c & bit_LZCNT) != 0;
}
#endif

enum rk_status rk_sweep_scanner_create(const struct rk_sweep_index *ix,
                                       struct rk_sweep_scanner **out)
{
    struct rk_sweep_scanner *s = rk_calloc(1, sizeof *s);
    *out = NULL;
    if (s == NULL)
        return RK_ENOMEM;
    const struct rk__sw_header *h = ix->h;
    s->ix = ix;
    init_classes(s->cls);
#if defined(__x86_64__) && defined(__GNUC__)
    /* RK_SWEEP_NO_AVX2 lets the tests run the SSE2 path on a machine that has AVX2. */
    s->avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
              __builtin_cpu_supports("bmi2") && cpu_has_lzcnt() &&
              __builtin_cpu_supports("popcnt") && getenv("RK_SWEEP_NO_AVX2") == NULL;
    /* RK_SWEEP_NO_AVX512 likewise runs the AVX2 path (or, with RK_SWEEP_NO_AVX2 too, SSE2). */
    s->avx512 = s->avx2 && __builtin_cpu_supports("avx512bw") &&
                getenv("RK_SWEEP_NO_AVX512") == NULL;
#endif
    for (int p = 32; p >= 0; p--)
        if (h->cidr4_mask & ((uint64_t)1 << p))
            s->c4[s->nc4++] = (uint8_t)p;
    for (int p = 128; p >= 0; p--)
        if (h->cidr6_mask[p / 64] & ((uint64_t)1 << (p % 64)))
            s->c6[s->nc6++] = (uint8_t)p;
    s->want_ip4 = h->type_count[RK_SWEEP_IPV4] > 0 || s->nc4 > 0;
    s->want_ip6 = h->type_count[RK_SWEEP_IPV6] > 0 || s->nc6 > 0;
    s->want_dom = h->type_count[RK_SWEEP_DOMAIN] > 0;
    s->want_url = h->type_count[RK_SWEEP_URL] > 0;
    s->want_email = h->type_count[RK_SWEEP_EMAIL] > 0;
    s->want_hash = h->type_count[RK_SWEEP_MD5] + h->type_count[RK_SWEEP_SHA1] +
                       h->type_count[RK_SWEEP_SHA256] > 0;
    memcpy(s->tld, h->tld_filter, sizeof s->tld);
    for (size_t i = 0; i < TLDC_SIZE; i++)
        s->tldc[i] = TLDC_EMPTY;
    for (size_t i = 0; i < PFC_SIZE; i++)
        s->pfc[i] = TLDC_EMPTY;
    /* 256 KiB and more; RK_SWEEP_DEFER_IP4 and RK_SWEEP_DEFER_PF let the tests run these
     * paths with a small index. */
    s->defer_ip4 = h->ip4_filter_bits >= 21 || getenv("RK_SWEEP_DEFER_IP4") != NULL;
    s->defer_pf = h->pf_lines >= 4096 || getenv("RK_SWEEP_DEFER_PF") != NULL;
    s->has_ip4 = h->type_count[RK_SWEEP_IPV4] > 0;
    s->pf_ip4 = h->pf_flags & RK__SW_PF_IP4;
    s->dom_min = h->dom_min_labels;
    s->dom_max = h->dom_max_labels;
    /* The open checked the flags; the domain keys are usable only when every domain
     * indicator has two labels or more (the builder sets the flag only then). */
    s->pf_dom = s->want_dom && s->dom_min >= 2 && (h->pf_flags & RK__SW_PF_DOMAIN);
    s->pf_url = s->want_url && (h->pf_flags & RK__SW_PF_URL);
    /* An index written before the three-label keys lacks RK__SW_PF_DOM3: two labels always. */
    s->pf_dom3 = (h->pf_flags & RK__SW_PF_DOM3) != 0;
    s->pf_dom2 = (h->pf_flags & RK__SW_PF_DOM2) != 0;
    /* An index written before the hash and e-mail keys lacks their flags: such tokens are
     * looked up as they were then. */
    s->pf_hash = s->want_hash && (h->pf_flags & RK__SW_PF_HASH);
    s->pf_email = s->want_email && (h->pf_flags & RK__SW_PF_EMAIL);
    s->email_raw = !s->want_email || s->pf_email;
    *out = s;
    return RK_OK;
}

void rk_sweep_scanner_destroy(struct rk_sweep_scanner *s)
{
    if (s == NULL)
        return;
    rk_free(s);
}

/* ===== Reporting ===== */

static size_t token_text(struct rk_sweep_scanner *s, const struct req *r)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *t = s->buf + r->tok_off;
    size_t n = 0;
    switch (r->tok_kind) {
    case TOK_IP4:
        return rk__sw_fmt_ip4(t, s->tok_text);
    case TOK_IP6:
        return rk__sw_fmt_ip6(t, s->tok_text);
    case TOK_HASH:
        for (size_t i = 0; i < r->tok_len; i++) {
            s->tok_text[n++] = hex[t[i] >> 4];
            s->tok_text[n++] = hex[t[i] & 15];
        }
        break;
    default:
        memcpy(s->tok_text, t, r->tok_len);
        n = r->tok_len;
        break;
    }
    s->tok_text[n] = '\0';
    return n;
}

/* The start of the line holding p[i]: just past the previous '\n', or 0. Lines run to
 * hundreds of bytes, so 16 bytes are tested a step where SSE2 is there. */
static size_t line_start(const char *p, size_t i)
{
#if defined(__SSE2__)
    while (i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i - 16));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
        if (m != 0)
            return i - 16 + (size_t)(31 - __builtin_clz(m)) + 1;
        i -= 16;
    }
#endif
    while (i > 0 && p[i - 1] != '\n')
        i--;
    return i;
}

static void report(struct rk_sweep_scanner *s, const struct req *r, uint64_t rec)
{
    uint64_t th = rk__sw_hash(r->tok_kind, 0, s->buf + r->tok_off, r->tok_len);
    if (r->line != s->seen_line) {
        s->seen_line = r->line;
        s->nseen = 0;
    }
    for (unsigned k = 0; k < s->nseen; k++)
        if (s->seen[k].rec == rec && s->seen[k].tok == th)
            return;
    if (s->nseen < SEEN_MAX)
        s->seen[s->nseen++] = (struct seen){rec, th};
    struct rk_sweep_hit hit;
    enum rk_sweep_type type;
    token_text(s, r);
    rk__sw_record_text(s->ix, rec, s->ind_text, &type);
    hit.file = s->file;
    hit.line = s->line_base + r->line;
    hit.offset = s->base_off + r->off;
    hit.token = s->tok_text;
    hit.indicator = s->ind_text;
    hit.type = type;
    hit.meta = s->ix->meta_count ? rk__sw_meta(s->ix, rec) : NULL;
    /* The hit's line: back from the token to the previous newline, forward to the next. Only
     * hits pay for this, and a chunk always ends at a line end (or is one cut line). */
    {
        size_t b = r->off < s->chunk_len ? r->off : s->chunk_len, a = line_start(s->chunk, b);
        const char *nl;
        nl = memchr(s->chunk + b, '\n', s->chunk_len - b);
        b = nl != NULL ? (size_t)(nl - s->chunk) : s->chunk_len;
        if (b > a && s->chunk[b - 1] == '\r')
            b--;
        hit.line_text = s->chunk + a;
        hit.line_len = b - a;
    }
    s->hits++;
    if (s->cb(&hit, s->ud) != 0)
        s->stopped = 1;
}

__attribute__((noinline)) static void settle(struct rk_sweep_scanner *s);
static int url_settle(struct rk_sweep_scanner *s, struct req *r);

static void flush(struct rk_sweep_scanner *s)
{
    uint8_t group_done = 0;
    settle(s); /* its requests, if any, join this batch */
    for (unsigned i = 0; i < s->nq && !s->stopped; i++) {
        struct req *r = &s->q[i];
        if (r->cidr_group != 0 && r->cidr_group == group_done)
            continue;
        uint64_t h = r->h;
        if (r->pf_wait) {
            /* Its prefilter line was prefetched when it was queued: the test seldom waits.
             * Only a large index defers (its host nearly always absent): the test that can
             * stop after two bits, as settle_one()'s. */
            if (!rk__sw_pf_test_split(rk__sw_pf_line(s->ix, h), h))
                continue;
            if (r->pf_wait == 2 && !url_settle(s, r))
                continue;
            h = rk__sw_hash(r->type, r->plen, s->buf + r->key_off, r->key_len);
        }
        uint64_t rec = rk__sw_lookup(s->ix, h, r->type, r->plen, s->buf + r->key_off,
                                     r->key_len);
        if (rec == 0)
            continue;
        if (r->cidr_group != 0)
            group_done = r->cidr_group; /* longest prefix only */
        report(s, r, rec);
    }
    s->nq = 0;
    s->used = 0;
}

/* Room for one token's worth of requests and bytes. Inlined: a test or two at each token
 * (the settling and the flush are calls). */
static inline __attribute__((always_inline)) void make_room(struct rk_sweep_scanner *s,
                                                            size_t bytes, unsigned reqs)
{
    if (s->npend != 0)
        settle(s); /* earlier tokens' requests go first */
    if (s->nq >= SOFT || s->nq + reqs > CAP || s->used + bytes > BUF_SIZE)
        flush(s);
}

static uint32_t put(struct rk_sweep_scanner *s, const void *p, size_t n)
{
    uint32_t o = s->used;
    memcpy(s->buf + o, p, n);
    s->used += (uint32_t)n;
    return o;
}

/* A new request with its key, token and place filled (the caller sets h and pf_wait), or NULL
 * when the queue is full — unreachable: make_room() reserved room for the whole token. Inlined:
 * eleven arguments, most of them constants at each call, cost more to pass than the body does. */
static inline __attribute__((always_inline)) struct req *
push_req(struct rk_sweep_scanner *s, unsigned type, unsigned plen, uint32_t key_off,
         size_t key_len, uint32_t tok_off, size_t tok_len, unsigned tok_kind, uint64_t line,
         uint64_t off, uint8_t group)
{
    if (s->nq == CAP)
        return NULL;
    struct req *r = &s->q[s->nq++];
    r->line = line;
    r->off = off;
    r->key_off = key_off;
    r->key_len = (uint16_t)key_len;
    r->tok_off = tok_off;
    r->tok_len = (uint16_t)tok_len;
    r->type = (uint8_t)type;
    r->plen = (uint8_t)plen;
    r->tok_kind = (uint8_t)tok_kind;
    r->cidr_group = group;
    return r;
}

/* Queues a lookup: its key hashed and its table slot prefetched now, resolved by flush(). */
static inline __attribute__((always_inline)) void
enqueue(struct rk_sweep_scanner *s, unsigned type, unsigned plen, uint32_t key_off, size_t key_len,
        uint32_t tok_off, size_t tok_len, unsigned tok_kind, uint64_t line, uint64_t off,
        uint8_t group)
{
    struct req *r =
        push_req(s, type, plen, key_off, key_len, tok_off, tok_len, tok_kind, line, off, group);
    if (r == NULL)
        return;
    r->h = rk__sw_hash(type, plen, s->buf + key_off, key_len);
    rk__sw_prefetch(s->ix, r->h);
    r->pf_wait = 0;
}

/* Queues a URL's lookup whose key prefilter test waits for flush(): h is the prefilter's
 * hash of its host; the URL is buf[t, t+n). */
static void enqueue_pf_wait(struct rk_sweep_scanner *s, uint64_t h, uint32_t t, size_t n,
                            uint64_t line, uint64_t off)
{
    struct req *r = push_req(s, RK_SWEEP_URL, 0, t, n, t, n, TOK_TEXT, line, off, 0);
    if (r == NULL)
        return;
    r->h = h;
    r->pf_wait = 1;
}

/* ===== Token kinds ===== */

static void emit_ip_now(struct rk_sweep_scanner *s, const uint8_t *a, int v6, uint64_t line,
                        uint64_t off, int exact, int ranges);
static void emit_host_now(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t line,
                          uint64_t off);
static void emit_host_stored(struct rk_sweep_scanner *s, uint32_t t, size_t n, uint64_t line,
                             uint64_t off, int tld_checked);
static void host_lookups(struct rk_sweep_scanner *s, uint32_t t, size_t n, uint64_t line,
                         uint64_t off);
static void emit_digest(struct rk_sweep_scanner *s, const uint8_t *d, size_t dn, uint64_t line,
                        uint64_t off);
static void emit_email_now(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t line,
                           uint64_t off);

/* The word and bit of the IPv4 prefilter (some address or range touches the /k network). */
static inline const uint64_t *ip4f_word(const struct rk_sweep_scanner *s, const uint8_t *a,
                                        unsigned *bit)
{
    uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    uint32_t nk = v >> s->ix->ip4f_shift;
    *bit = nk % 64;
    return &s->ix->ip4f[nk / 64];
}

/* Whether some bit of the IPv4 prefilter lies in the /16 network n16 (the address's first two
 * parts): the index's cached summary of it (rk_sweep_index.ip4f16). Where the prefilter's own
 * test is deferred (a large index: its word is not in cache), an address this rules out is not
 * queued: in the benchmark's mixed log 67,429 of the 67,439 addresses of the first 8 MB
 * (192.168/16 and 10/8 clients, servers outside the indicators' networks), 10M indicators. */
static inline int ip4_16_may(const struct rk_sweep_scanner *s, uint32_t n16)
{
    return (s->ix->ip4f16[n16 / 64] >> (n16 % 64)) & 1;
}

/* An IPv4 address that passed the IPv4 prefilter (rare: an indicator's network): whether it
 * may be an address indicator (the key prefilter) and whether a range may hold it (the CIDR
 * prefilter, which the addresses do not fill); then the lookups of the two that pass. */
static void settle_ip4(struct rk_sweep_scanner *s, const uint8_t *a, uint64_t line,
                       uint64_t off)
{
    unsigned bit;
    const uint64_t *w = rk__sw_c4f_word(s->ix, a, &bit);
    int exact = s->has_ip4;
    if (exact && s->pf_ip4) {
        uint64_t h = rk__sw_pf_hash(RK__SW_PF_KEY_IP4, (const char *)a, 4);
        exact = rk__sw_pf_test(rk__sw_pf_line(s->ix, h), h);
    }
    int ranges = s->nc4 > 0 && ((*w >> bit) & 1);
    if (exact || ranges)
        emit_ip_now(s, a, 0, line, off, exact, ranges);
}

/* The requests of the waiting token *e (already taken off the queue) whose filter let it pass
 * — rare: 10 IPv4 addresses and about 125 hosts, digests and e-mail addresses of the 46,731
 * tokens settled in the first 8 MB of the benchmark's mixed log at 10M indicators. Out of line
 * and called last, so that settle_one()'s "absent" path needs no stack frame (no register
 * saved and restored on each of those 46,600). s->settling is set here, not around every
 * settle_one() call: the requests made may flush the queue but must not settle the tokens that
 * came after this one (they would go first); only this path makes requests. */
__attribute__((noinline)) static void settle_pass(struct rk_sweep_scanner *s, const struct pend *e)
{
    int was = s->settling;
    s->settling = 1;
    if (e->kind == PEND_IP4) {
        settle_ip4(s, e->a, e->line, e->off);
    } else if (e->kind == PEND_HOST_RAW) {
        emit_host_now(s, e->host, e->n, e->line, e->off);
    } else if (e->kind == PEND_HASH) {
        emit_digest(s, (const uint8_t *)e->host, e->n, e->line, e->off);
    } else if (e->kind == PEND_EMAIL) {
        emit_email_now(s, e->host, e->n, e->line, e->off);
    } else {
        /* The canonical host, copied when it was found: the buffer it lay in may have been
         * flushed since. */
        make_room(s, e->n, 130);
        uint32_t t = put(s, e->host, e->n);
        host_lookups(s, t, e->n, e->line, e->off);
    }
    s->settling = was;
}

/* Tests the oldest waiting token and queues its requests when its filter lets it pass
 * (settle_pass()). */
static void settle_one(struct rk_sweep_scanner *s)
{
    struct pend *e = &s->pq[s->pq_head];
    s->pq_head = (s->pq_head + 1) % PEND_MAX;
    s->npend--;
    if (e->kind == PEND_IP4) {
        unsigned bit;
        const uint64_t *w = ip4f_word(s, e->a, &bit);
        if ((*w >> bit) & 1)
            settle_pass(s, e);
        return;
    }
    /* A deferred test: nearly always "absent", so the test that can stop after two bits. */
    if (rk__sw_pf_test_split(rk__sw_pf_line(s->ix, e->h), e->h))
        settle_pass(s, e);
}

/* Tests the waiting tokens, oldest first, and queues the requests of those that pass. */
static void settle(struct rk_sweep_scanner *s)
{
    if (s->npend == 0 || s->settling)
        return;
    s->settling = 1;
    while (s->npend > 0)
        settle_one(s);
    s->settling = 0;
}

/* A place for one more waiting token; when all are taken the oldest is settled first. */
static struct pend *pend_push(struct rk_sweep_scanner *s, int kind, uint64_t line, uint64_t off)
{
    if (s->npend == PEND_MAX)
        settle_one(s); /* sets s->settling itself when the token makes requests */
    struct pend *e = &s->pq[(s->pq_head + s->npend) % PEND_MAX];
    s->npend++;
    e->kind = kind;
    e->line = line;
    e->off = off;
    return e;
}

static void emit_ip(struct rk_sweep_scanner *s, const uint8_t *a, int v6, uint64_t line,
                    uint64_t off)
{
    if (!(v6 ? s->want_ip6 : s->want_ip4))
        return;
    if (v6) {
        emit_ip_now(s, a, 1, line, off, 1, 1);
        return;
    }
    unsigned bit;
    const uint64_t *w = ip4f_word(s, a, &bit);
    if (s->defer_ip4) {
        if (!ip4_16_may(s, (uint32_t)a[0] << 8 | a[1]))
            return;
        __builtin_prefetch(w);
        memcpy(pend_push(s, PEND_IP4, line, off)->a, a, 4);
        return;
    }
    if ((*w >> bit) & 1)
        settle_ip4(s, a, line, off);
}

/* An IPv4 address found by its shape, as the word of rk__sw_ip4_scalar_w() (part 0 in the low
 * byte), that passed the IPv4 prefilter (or whose test is deferred): emit_ip() from there. Out
 * of line, called last: the classifier before it needs no stack frame (see ip4_found()). */
__attribute__((noinline)) static void ip4_word_pass(struct rk_sweep_scanner *s, uint64_t w,
                                                    uint64_t line, uint64_t off)
{
    uint8_t a[4];
    rk__sw_ip4_bytes(w, a);
    if (s->defer_ip4) {
        /* emit_ip()'s deferral, without its call: the prefilter's word prefetched now, the
         * address tested when it is settled. */
        unsigned bit;
        __builtin_prefetch(ip4f_word(s, a, &bit));
        memcpy(pend_push(s, PEND_IP4, line, off)->a, a, 4);
        return;
    }
    settle_ip4(s, a, line, off);
}

/* emit_ip() of an IPv4 address word (rk__sw_ip4_scalar_w()): the cached /16 summary
 * (ip4_16_may()) and then the IPv4 prefilter's bit tested here, inline, so that an address
 * outside every indicator's network (all but 9 of the 64,352 in the first 8 MB of the
 * benchmark's mixed log, 100,000 indicators) costs no call; a large index defers the
 * prefilter's test (its bitmap is not in cache) and goes on to ip4_word_pass(). The /16 test
 * comes first on a small index too: one bit in 8 KiB rather than in the /k bitmap (128 KiB at
 * 100,000 indicators). */
static inline __attribute__((always_inline)) void ip4_found(struct rk_sweep_scanner *s, uint64_t w,
                                                            uint64_t line, uint64_t off)
{
    if (!s->want_ip4 || !ip4_16_may(s, (uint32_t)(w & 255) << 8 | (uint32_t)(w >> 8 & 255)))
        return;
    if (!s->defer_ip4) {
        /* The address as a number: part 0 the most significant byte. */
        uint32_t v = (uint32_t)(w & 255) << 24 | (uint32_t)(w >> 8 & 255) << 16 |
                     (uint32_t)(w >> 16 & 255) << 8 | (uint32_t)(w >> 24 & 255);
        uint32_t nk = v >> s->ix->ip4f_shift;
        if (!((s->ix->ip4f[nk / 64] >> (nk % 64)) & 1))
            return;
    }
    ip4_word_pass(s, w, line, off);
}

/* Queues the lookups of an address that passed the prefilters: the address (with `exact`),
 * then each CIDR prefix length in use (with `ranges`). */
static void emit_ip_now(struct rk_sweep_scanner *s, const uint8_t *a, int v6, uint64_t line,
                        uint64_t off, int exact, int ranges)
{
    size_t alen = v6 ? 16 : 4;
    unsigned nc = ranges ? (v6 ? s->nc6 : s->nc4) : 0;
    const uint8_t *pl = v6 ? s->c6 : s->c4;
    make_room(s, alen * (nc + 1), nc + 1);
    uint32_t t = put(s, a, alen);
    if (exact)
        enqueue(s, v6 ? RK_SWEEP_IPV6 : RK_SWEEP_IPV4, 0, t, alen, t, alen,
                v6 ? TOK_IP6 : TOK_IP4, line, off, 0);
    if (nc == 0)
        return;
    if (++s->group == 0)
        s->group = 1;
    for (unsigned k = 0; k < nc; k++) {
        uint8_t m[16];
        memcpy(m, a, alen);
        for (size_t bit = pl[k]; bit < alen * 8; bit++)
            m[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
        uint32_t ko = put(s, m, alen);
        enqueue(s, v6 ? RK_SWEEP_CIDR6 : RK_SWEEP_CIDR4, pl[k], ko, alen, t, alen,
                v6 ? TOK_IP6 : TOK_IP4, line, off, s->group);
    }
}

/*
 * The filters of the host p[0, n) (canonical, or raw ASCII, whose canonical form is its
 * lower-cased self, so the answers are the same). Returns 0 when no domain indicator ends in
 * its last label (the index's 512-byte filter, always in cache); 2 with *h set when the key
 * prefilter must also hold its last two labels; 1 when the key prefilter does not decide for
 * it (no domain keys in the index, or a host of one label, for which no lookup follows).
 */
static inline size_t last_label_start(const char *p, size_t n);
static inline int tld_pass(struct rk_sweep_scanner *s, const char *p, size_t n, size_t *ls);

static inline __attribute__((always_inline)) int
pf_dom_key(struct rk_sweep_scanner *s, const char *p, size_t n, size_t ls, uint64_t *h);
static inline __attribute__((always_inline)) int
pf_dom_key_at(struct rk_sweep_scanner *s, const char *p, size_t n, size_t st, uint64_t *h);

static inline int host_filter(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t *h)
{
    size_t ls;
    if (!tld_pass(s, p, n, &ls))
        return 0;
    if (!s->pf_dom || ls == 0)
        return 1;
    int c = pf_dom_key(s, p, n, ls, h);
    return c < 0 ? 2 : c;
}

/* PFC_*: what the key prefilter says of a host's last two labels (pf_reg_cached()). */
enum {
    PFC_NO = 0,   /* absent: no domain indicator ends in them */
    PFC_PASS = 1, /* may be held: the host goes on to its lookups */
    PFC_SFX2 = 2, /* a two-label public suffix: the host's key is its last three labels */
    PFC_LONG = 3  /* longer than 7 bytes: not cached, *h is their hash, the caller tests it */
};

/* The answer for two labels p[0, n) of at most 7 bytes, from the filter. Under a two-label
 * suffix (RK__SW_PF_DOM3) they are a key only when an indicator is the suffix itself
 * (RK__SW_PF_DOM2): then a pass lets the host through as a two-label key did before; else
 * the suffix's mark says whether any indicator lies under it (its hosts' three-label keys
 * are worth testing) or none (every host under it fails at once, as "co.jp" did before
 * when no indicator ended in it). */
__attribute__((noinline)) static int pf_reg_ask(struct rk_sweep_scanner *s, const char *p,
                                               size_t n)
{
    uint64_t k = rk__sw_pf_hash(RK__SW_PF_KEY_REG, p, n);
    int sfx = s->pf_dom3 && rk__sw_pf_sfx2(p, n);
    if ((!sfx || s->pf_dom2) && rk__sw_pf_test(rk__sw_pf_line(s->ix, k), k))
        return PFC_PASS;
    if (!sfx)
        return PFC_NO;
    k = rk__sw_pf_hash(RK__SW_PF_KEY_SFX, p, n);
    return rk__sw_pf_test(rk__sw_pf_line(s->ix, k), k) ? PFC_SFX2 : PFC_NO;
}

/*
 * The key prefilter's answer for the last two labels p[0, n) of a host (raw or canonical: the
 * filter's hash folds case, and so does rk__sw_pf_sfx2()), when they are at most 7 bytes:
 * from a 256-entry cache in the scanner keyed, like tld_pass()'s, by the bytes and the length
 * as one word (exact: no key ever gets another's answer; the answer is a function of the key's
 * bytes and the index, so it never changes). A miss asks the filter now, even on a large index
 * whose tests are deferred (a short key is one of few: "co.jp", "ne.jp" make 40 % of the hosts
 * that pass the last-label filter in the benchmark's mixed log), and keeps the answer. Returns
 * a PFC_*; PFC_LONG with *h for a longer key, which the caller tests or defers as before.
 */
static inline int pf_reg_cached(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t *h)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n <= 7) {
        /* The bytes as a word, zeros above, read without a byte past p + n. */
        uint64_t key = rk__sw_word_short(p, n) | (uint64_t)n << 56; /* bits 0-58 */
        uint64_t *e = &s->pfc[(key * 0x9e3779b97f4a7c15ull) >> 56];
        if ((*e & ~(3ull << 62)) == key)
            return (int)(*e >> 62);
        int c = pf_reg_ask(s, p, n);
        *e = key | (uint64_t)c << 62;
        return c;
    }
#endif
    if (n <= 7)
        return pf_reg_ask(s, p, n);
    *h = rk__sw_pf_hash(RK__SW_PF_KEY_REG, p, n);
    return PFC_LONG;
}

/*
 * The key prefilter's answer for the host p[0, n) whose last label starts at ls > 0: its last
 * two labels, or three under a two-label suffix (as rk__sw_pf_dom_start() makes an
 * indicator's key). Returns 0 (absent) or 1 (may be held); -1 with *h, the key's hash, when
 * the caller must test it (or defer the test).
 */
static inline __attribute__((always_inline)) int
pf_dom_key(struct rk_sweep_scanner *s, const char *p, size_t n, size_t ls, uint64_t *h)
{
    /* The two labels start after the dot before the last one. */
    return pf_dom_key_at(s, p, n, last_label_start(p, ls - 1), h);
}

/* pf_dom_key() with the start st of the host's last two labels already known. */
static inline __attribute__((always_inline)) int
pf_dom_key_at(struct rk_sweep_scanner *s, const char *p, size_t n, size_t st, uint64_t *h)
{
    int c = pf_reg_cached(s, p + st, n - st, h);
    if (c <= PFC_PASS)
        return c;
    if (c == PFC_LONG)
        return -1;
    /* PFC_SFX2: the host is the suffix itself ("co.jp": no indicator is, else PFC_PASS) or
     * an empty label before it (no host name: canonicalisation fails) — absent — or it has a
     * third label, the start of its key. */
    if (st < 2)
        return 0;
    size_t st3 = last_label_start(p, st - 1);
    *h = rk__sw_pf_hash(RK__SW_PF_KEY_REG, p + st3, n - st3);
    return -1;
}

/* The start of the last label of p[0, n): just past its last dot, 0 when it has none. Last
 * labels are short, so the last 8 bytes are tested at once (a word, the exact zero-byte test
 * on it XOR '.'), bytes one by one only before them or in a shorter host. */
static inline size_t last_label_start(const char *p, size_t n)
{
    size_t i = n;
#if defined(__SSE2__)
    if (n >= 8) {
        /* One compare of the 8 bytes (the load's upper half is zero, never '.'): bit j of m
         * is byte j's. */
        __m128i v = _mm_loadl_epi64((const __m128i *)(const void *)(p + n - 8));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
        if (m != 0) /* the last '.' */
            return n - 8 + (size_t)(31 - __builtin_clz(m)) + 1;
        i = n - 8;
    }
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n >= 8) {
        uint64_t w;
        memcpy(&w, p + n - 8, 8);
        uint64_t x = w ^ 0x2e2e2e2e2e2e2e2eull;
        uint64_t z = ~(((x & 0x7f7f7f7f7f7f7f7full) + 0x7f7f7f7f7f7f7f7full) | x |
                       0x7f7f7f7f7f7f7f7full);
        if (z != 0) /* the highest byte that was '.' (little-endian: the last one) */
            return n - 8 + (size_t)(63 - __builtin_clzll(z)) / 8 + 1;
        i = n - 8;
    }
#endif
    while (i > 0 && p[i - 1] != '.')
        i--;
    return i;
}

/*
 * Whether the last label of the host p[0, n) passes the index's last-label filter; *ls is its
 * start (as last_label_start()). Hosts end in few different labels (".com", ".php", ".orig_h"),
 * so a label of up to 7 bytes is looked up in a small direct-mapped cache of earlier answers:
 * its bytes and length as one word are the key (exact: no two labels share one). Only a miss
 * hashes the label byte by byte (rk__sw_tld_bit()).
 */
static inline int tld_pass(struct rk_sweep_scanner *s, const char *p, size_t n, size_t *ls)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* w: the last m = min(n, 8) bytes of the host, byte j of w being p[n - m + j]. */
    uint64_t w;
    size_t m = n < 8 ? n : 8;
    if (n >= 8)
        memcpy(&w, p + n - 8, 8);
    else
        w = rk__sw_word_short(p, n);
    /* Bytes above m are zero, never '.'. */
    size_t start; /* the label's first byte within w */
#if defined(__SSE2__)
    /* One compare of the 8 bytes: bit j of dm is byte j's. */
    unsigned dm = (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_set_epi64x(0, (long long)w), _mm_set1_epi8('.')));
    if (dm != 0)
        start = (size_t)(31 - __builtin_clz(dm)) + 1;
#else
    uint64_t x = w ^ 0x2e2e2e2e2e2e2e2eull;
    uint64_t z = ~(((x & 0x7f7f7f7f7f7f7f7full) + 0x7f7f7f7f7f7f7f7full) | x |
                   0x7f7f7f7f7f7f7f7full);
    if (z != 0)
        start = (size_t)(63 - __builtin_clzll(z)) / 8 + 1;
#endif
    else if (n < 8)
        start = 0; /* a host of one label */
    else
        goto slow; /* no dot in the last 8 bytes: a long last label */
    *ls = n - m + start;
    {
        size_t len = m - start; /* 0 .. 7 */
        uint64_t key = (start < 8 ? w >> (8 * start) : 0) | (uint64_t)len << 56;
        uint64_t *e = &s->tldc[TLDC_SLOT(key)];
        if ((*e & ~(1ull << 63)) == key)
            return (int)(*e >> 63);
        unsigned bit = rk__sw_tld_bit(p + *ls, len);
        uint64_t pass = (s->tld[bit / 64] >> (bit % 64)) & 1;
        *e = key | pass << 63;
        return (int)pass;
    }
slow:
#endif
    *ls = last_label_start(p, n);
    unsigned b = rk__sw_tld_bit(p + *ls, n - *ls);
    return (int)((s->tld[b / 64] >> (b % 64)) & 1);
}

/* The key prefilter's answer for the host h[0, n) with prefilter hash k: 1 when it may be held
 * (the caller goes on), 0 when not — or when, on a large index, the test is deferred: the line
 * is prefetched and the host copied into a waiting entry of `kind` that settle() tests later. */
static inline int pf_pass_or_defer(struct rk_sweep_scanner *s, int kind, const void *h, size_t n,
                                   uint64_t k, uint64_t line, uint64_t off)
{
    const uint64_t *pl = rk__sw_pf_line(s->ix, k);
    if (s->defer_pf && n <= sizeof s->pq[0].host) {
        __builtin_prefetch(pl);
        struct pend *e = pend_push(s, kind, line, off);
        memcpy(e->host, h, n);
        e->h = k;
        e->n = n;
        return 0;
    }
    return rk__sw_pf_test(pl, k);
}

/* Queues the suffix lookups of a canonical host already stored at buf[t, t+n). */
static void emit_host_stored(struct rk_sweep_scanner *s, uint32_t t, size_t n, uint64_t line,
                             uint64_t off, int tld_checked)
{
    if (!tld_checked) {
        uint64_t k = 0;
        int f = host_filter(s, (const char *)s->buf + t, n, &k);
        if (f == 0)
            return;
        if (f == 2) {
            /* The callers (a URL's or an e-mail address's host) have just made room, which
             * settled every waiting token: pend_push() settles none, so nothing can flush buf
             * before its bytes are copied. */
            if (!pf_pass_or_defer(s, PEND_HOST_BUF, s->buf + t, n, k, line, off))
                return;
        }
    }
    host_lookups(s, t, n, line, off);
}

/* Queues the suffix lookups of the canonical host at buf[t, t+n), which passed the filters.
 * Apart from emit_host_stored() so that the hosts the filters reject cost no large frame. */
__attribute__((noinline)) static void host_lookups(struct rk_sweep_scanner *s, uint32_t t,
                                                   size_t n, uint64_t line, uint64_t off)
{
    const uint8_t *h = s->buf + t;
    /* Label starts, found in one pass (a host has at most 127 labels). */
    uint8_t starts[128];
    unsigned labels = 1;
    starts[0] = 0;
    size_t i = 0;
#if defined(__SSE2__)
    /* 16 bytes a step; the bytes past the host (inside buf) are masked off. */
    while (i < n && labels <= 128 - 16 && t + i + 16 <= BUF_SIZE) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(h + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
        if (n - i < 16)
            m &= (1u << (n - i)) - 1;
        while (m != 0) {
            starts[labels++] = (uint8_t)(i + (unsigned)__builtin_ctz(m) + 1);
            m &= m - 1;
        }
        i += 16;
    }
#endif
    for (; i < n && labels < 128; i++)
        if (h[i] == '.')
            starts[labels++] = (uint8_t)(i + 1);
    /* The suffixes at label boundaries whose label count an indicator can have: from
     * min(labels, dom_max) labels down to dom_min. */
    unsigned hi = labels < s->dom_max ? labels : s->dom_max;
    for (unsigned l = hi; l >= s->dom_min && l >= 1; l--) {
        size_t st = starts[labels - l];
        enqueue(s, RK_SWEEP_DOMAIN, 0, t + (uint32_t)st, n - st, t, n, TOK_TEXT, line, off, 0);
    }
}

/* Canonicalises a raw host that passed the filters and queues its suffix lookups. */
static void emit_host_now(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t line,
                          uint64_t off)
{
    make_room(s, n + 8, 130);
    size_t cn = rk__sw_canon_host(p, n, 2, (char *)s->buf + s->used, BUF_SIZE - s->used);
    if (cn == 0)
        return;
    uint32_t t = s->used;
    s->used += (uint32_t)cn;
    emit_host_stored(s, t, cn, line, off, 1); /* filters checked on the raw bytes */
}

/* A host whose last label passed the last-label filter: the key prefilter, then the lookups.
 * p[0, rn) is the host without its trailing dot, ls the start of its last label. */
static inline __attribute__((always_inline)) void
emit_host_key_at(struct rk_sweep_scanner *s, const char *p, size_t n, size_t rn, size_t ls,
                 size_t st, uint64_t line, uint64_t off);

static inline __attribute__((always_inline)) void
emit_host_key(struct rk_sweep_scanner *s, const char *p, size_t n, size_t rn, size_t ls,
              uint64_t line, uint64_t off)
{
    /* The start of the last two labels: after the dot before the last one (only when there
     * is one: the compiler moves this into the branch below). */
    size_t st = ls > 0 ? last_label_start(p, ls - 1) : 0;
    emit_host_key_at(s, p, n, rn, ls, st, line, off);
}

/* emit_host_key() with st, the start of the last two labels, already known (ls > 0). */
static inline __attribute__((always_inline)) void
emit_host_key_at(struct rk_sweep_scanner *s, const char *p, size_t n, size_t rn, size_t ls,
                 size_t st, uint64_t line, uint64_t off)
{
    if (s->pf_dom && ls > 0) {
        uint64_t k = 0;
        int c = pf_dom_key_at(s, p, rn, st, &k);
        if (c == 0)
            return;
        /* p may be a caller's scratch buffer: a deferred host is copied. */
        if (c < 0 && !pf_pass_or_defer(s, PEND_HOST_RAW, p, n, k, line, off))
            return;
    }
    emit_host_now(s, p, n, line, off);
}

/* emit_host_key() out of line (host_piece_go() has its own copy). */
__attribute__((noinline)) static void emit_host_tail(struct rk_sweep_scanner *s, const char *p,
                                                     size_t n, size_t rn, size_t ls,
                                                     uint64_t line, uint64_t off)
{
    emit_host_key(s, p, n, rn, ls, line, off);
}

/* Most hosts the loop finds are file and field names ("x.php", "id.orig_h") whose last label
 * no domain indicator has: that test comes first, on the raw bytes, inline in the caller and
 * without a stack frame; the rest of the work is in emit_host_tail(). */
static inline void emit_host(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t line,
                             uint64_t off)
{
    if (!s->want_dom)
        return;
    size_t rn = n > 0 && p[n - 1] == '.' ? n - 1 : n;
    size_t ls;
    if (!tld_pass(s, p, rn, &ls))
        return;
    emit_host_tail(s, p, n, rn, ls, line, off);
}

/* emit_host() out of line, for host_shaped(): called last, so the classifier needs no frame. */
__attribute__((noinline)) static void emit_host_call(struct rk_sweep_scanner *s, const char *p,
                                                     size_t n, uint64_t line, uint64_t off)
{
    emit_host(s, p, n, line, off);
}

/*
 * emit_host() for a host the loop found by its shape: p[0, n) lies in the chunk, begins and
 * ends with a letter or digit, and its last label starts at ls (past the last dot, from the
 * dot mask; 0: one label). The last-label cache of tld_pass() is asked with the label's bytes
 * read by one 8-byte load from the label's start, masked to its length: the same key as
 * tld_pass() makes from the host's last 8 bytes, without looking for the dot again. A longer
 * label, a label within 8 bytes of the chunk's end and a cache miss go to emit_host().
 */
static inline __attribute__((always_inline)) void host_shaped(struct rk_sweep_scanner *s,
                                                              const char *p, size_t n, size_t ls,
                                                              uint64_t line, uint64_t off)
{
    if (!s->want_dom)
        return;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    size_t len = n - ls; /* 1 .. n: the last byte is a letter or digit */
    if (len <= 7 && s->chunk_end - (p + ls) >= 8) {
        uint64_t w;
        memcpy(&w, p + ls, 8);
        uint64_t key = (w & (((uint64_t)1 << (8 * len)) - 1)) | (uint64_t)len << 56;
        uint64_t e = s->tldc[TLDC_SLOT(key)];
        if ((e & ~(1ull << 63)) == key) {
            if (e >> 63)
                emit_host_tail(s, p, n, n, ls, line, off);
            return;
        }
    }
#endif
    emit_host_call(s, p, n, line, off);
}


/* Queues the lookup of a digest d[0, dn) (16, 20 or 32 bytes) that passed the key prefilter. */
static void emit_digest(struct rk_sweep_scanner *s, const uint8_t *d, size_t dn, uint64_t line,
                        uint64_t off)
{
    make_room(s, dn, 1);
    uint32_t t = put(s, d, dn);
    unsigned type = dn == 16 ? RK_SWEEP_MD5 : dn == 20 ? RK_SWEEP_SHA1 : RK_SWEEP_SHA256;
    enqueue(s, type, 0, t, dn, t, dn, TOK_HASH, line, off, 0);
}

/*
 * Decodes the n hex digits at p (32, 40 or 64) into d; returns 0 when a byte is not a hex digit
 * (d is then garbage). With SSE2 16 digits are checked and become 8 bytes a step, the last
 * step of a SHA-1 overlapping the one before (the same bytes written twice): a run that is a
 * hash as a whole (most are: `SHA256=…,`) is read once, not once to find its end and again to
 * decode it.
 */
static inline int hex_digest(const char *p, size_t n, uint8_t *d)
{
#if defined(__SSE2__)
    __m128i ok = _mm_set1_epi8(-1);
    for (size_t i = 0;; i += 16) {
        if (i + 16 > n)
            i = n - 16;
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        /* x = byte - '0' is 0..9 for a digit; y = (byte | 0x20) - 'a' is 0..5 for a-f and A-F
         * (only A-Z move into a-z when bit 5 is set). The tests are unsigned: min(x, 9) == x
         * exactly when x <= 9. The validity is kept in a register across the steps and read
         * once at the end. */
        __m128i x = _mm_sub_epi8(v, _mm_set1_epi8('0'));
        __m128i y = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
        ok = _mm_and_si128(ok, _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(9)), x),
                                            _mm_cmpeq_epi8(_mm_min_epu8(y, _mm_set1_epi8(5)), y)));
        /* A digit's value is x, a letter's y + 10; the other of the two is larger (a digit's y
         * + 10 is 0xd9 or more, a letter's x 0x11 or more), so the value is the smaller one. */
        __m128i nib = _mm_min_epu8(x, _mm_add_epi8(y, _mm_set1_epi8(10)));
        /* 16-bit lanes hold (high digit, low digit): byte = high << 4 | low. */
        __m128i hi = _mm_and_si128(_mm_slli_epi16(nib, 4), _mm_set1_epi16(0x00f0));
        __m128i b = _mm_or_si128(hi, _mm_srli_epi16(nib, 8));
        _mm_storel_epi64((__m128i *)(void *)(d + i / 2), _mm_packus_epi16(b, b));
        if (i + 16 == n)
            break;
    }
    return _mm_movemask_epi8(ok) == 0xffff;
#else
    for (size_t i = 0; i < n / 2; i++) {
        int a = rk__sw_hexval((unsigned char)p[2 * i]),
            b = rk__sw_hexval((unsigned char)p[2 * i + 1]);
        if (a < 0 || b < 0)
            return 0;
        d[i] = (uint8_t)(a << 4 | b);
    }
    return 1;
#endif
}

/* A digest d[0, dn) of a hash token (16, 20 or 32 bytes): tested against the key prefilter
 * (a digest is random: the filter's hash is taken from its bytes, no hash over the text) and
 * looked up only when the filter may hold it — most hashes of a log (Sysmon's three or four a
 * line) are no indicator's, and each lookup of a large table is a cache and often a TLB miss.
 * On a large filter the test is deferred like a host's (settle()). d is a 32-byte buffer whose
 * first dn bytes are the digest. */
static inline __attribute__((always_inline)) void emit_hash_inl(struct rk_sweep_scanner *s,
                                                                const uint8_t d[32], size_t dn,
                                                                uint64_t line, uint64_t off)
{
    if (s->pf_hash) {
        unsigned type = dn == 16 ? RK_SWEEP_MD5 : dn == 20 ? RK_SWEEP_SHA1 : RK_SWEEP_SHA256;
        uint64_t k = rk__sw_pf_hash_digest(type, d);
        const uint64_t *pl = rk__sw_pf_line(s->ix, k);
        if (s->defer_pf) {
            __builtin_prefetch(pl);
            struct pend *e = pend_push(s, PEND_HASH, line, off);
            /* d is every caller's 32-byte buffer: copied whole by two fixed 16-byte moves
             * instead of a memcpy() call of dn bytes (settle() reads only the first dn). */
            memcpy(e->host, d, 32);
            e->h = k;
            e->n = dn;
            return;
        }
        if (!rk__sw_pf_test(pl, k))
            return;
    }
    emit_digest(s, d, dn, line, off);
}

/* emit_hash_inl() out of line, for the callers without AVX2. */
static void emit_hash(struct rk_sweep_scanner *s, const uint8_t d[32], size_t dn, uint64_t line,
                      uint64_t off)
{
    emit_hash_inl(s, d, dn, line, off);
}

/* The end of the hex run starting at p[i] (16 bytes a step where SSE2 is there). */
static inline size_t hex_run_end(const char *p, size_t i, size_t n)
{
#if defined(__SSE2__)
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        /* Only A-F become a-f when bit 5 is set, so letters are tested lower-cased; digits
         * are tested as they are (0x10-0x19 would become digits). */
        __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
        __m128i digit = rk__sw_in_range16(v, '0', '9');
        __m128i af = rk__sw_in_range16(lower, 'a', 'f');
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(digit, af));
        if (m != 0xffffu)
            return i + (size_t)__builtin_ctz(~m);
        i += 16;
    }
#endif
    while (i < n && rk__sw_hexval((unsigned char)p[i]) >= 0)
        i++;
    return i;
}

/* find_hashes() of a run that is not one hash as a whole: each hex run inside it. */
__attribute__((noinline)) static void find_hashes_in(struct rk_sweep_scanner *s, const char *p,
                                                     size_t n, uint64_t line, uint64_t off)
{
    uint8_t d[32];
    size_t i = 0;
    while (i < n) {
        while (i < n && rk__sw_hexval((unsigned char)p[i]) < 0)
            i++;
        size_t st = i;
        i = hex_run_end(p, i, n);
        size_t len = i - st;
        if ((len == 32 || len == 40 || len == 64) && hex_digest(p + st, len, d))
            emit_hash(s, d, len / 2, line, off + st);
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RK_SW_HEX_AVX2 1

/*
 * hex_digest() 32 digits a step (AVX2): an MD5 in one step, a SHA-1 or SHA-256 in two (the
 * SHA-1's second step overlapping the first by 24 digits), where the SSE2 decoder takes two,
 * three and four. The same range tests; a digit pair becomes its byte by one multiply-add of
 * (high, low) with (16, 1) (vpmaddubsw; an invalid byte's value may be anything, the answer is
 * then 0), the two lanes' 16-bit values packed into 16 bytes.
 */
#define RK_SW_HP 0x10, 0x01
/* hex_digest_avx2()'s constants, read from memory (RK_SW_OPAQUE): built in registers they
 * cost two instructions each at every call, more than a step does. The last row is (16, 1) for
 * each digit pair (high, low). */
static const uint8_t hex_k[7][32] __attribute__((aligned(32))) = {
    {RK_SW_X32(0x100 - '0')},
    {RK_SW_X32(0x20)},
    {RK_SW_X32(0x100 - 'a')},
    {RK_SW_X32(9)},
    {RK_SW_X32(5)},
    {RK_SW_X32(10)},
    {RK_SW_X8(RK_SW_HP), RK_SW_X8(RK_SW_HP)},
};
#undef RK_SW_HP

__attribute__((target("avx2"))) static inline int hex_digest_avx2(const char *p, size_t n,
                                                                  uint8_t *d)
{
    const uint8_t(*k)[32] = hex_k;
    RK_SW_OPAQUE(k);
#define RK_SW_HK(i) _mm256_load_si256((const __m256i *)(const void *)k[i])
    __m256i ok = _mm256_set1_epi8(-1);
    for (size_t i = 0;; i += 32) {
        if (i + 32 > n)
            i = n - 32;
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
        __m256i x = _mm256_add_epi8(v, RK_SW_HK(0));
        __m256i y = _mm256_add_epi8(_mm256_or_si256(v, RK_SW_HK(1)), RK_SW_HK(2));
        ok = _mm256_and_si256(
            ok, _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_min_epu8(x, RK_SW_HK(3)), x),
                                _mm256_cmpeq_epi8(_mm256_min_epu8(y, RK_SW_HK(4)), y)));
        __m256i nib = _mm256_min_epu8(x, _mm256_add_epi8(y, RK_SW_HK(5)));
        __m256i b = _mm256_maddubs_epi16(nib, RK_SW_HK(6)); /* high * 16 + low */
        _mm_storeu_si128(
            (__m128i *)(void *)(d + i / 2),
            _mm_packus_epi16(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1)));
        if (i + 32 == n)
            break;
    }
#undef RK_SW_HK
    return _mm256_movemask_epi8(ok) == -1;
}

/* find_hashes() where the CPU has AVX2 (hex_digest_avx2()); find_hashes() jumps here. */
__attribute__((target("avx2"), noinline)) static void
find_hashes_avx2(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t line, uint64_t off)
{
    if (n == 32 || n == 40 || n == 64) {
        uint8_t d[32];
        if (hex_digest_avx2(p, n, d)) {
            emit_hash_inl(s, d, n / 2, line, off); /* inline: no second frame */
            return;
        }
    }
    find_hashes_in(s, p, n, line, off);
}
#endif

/* For the tests (sweep-int.h): hex_digest() or hex_digest_avx2(). */
int rk__sw_hex_digest(const char *p, size_t n, uint8_t *d, int avx2)
{
    if (!avx2)
        return hex_digest(p, n, d);
#if defined(RK_SW_HEX_AVX2)
    if (__builtin_cpu_supports("avx2"))
        return hex_digest_avx2(p, n, d);
#endif
    return -1;
}

/*
 * Hex runs of exactly 32, 40 or 64 digits bounded by non-hex bytes. Most runs that get here are
 * one hash as a whole (Sysmon's `MD5=…`, `SHA256=…` split at '=' and ','): that case is decoded
 * and handed on here with nothing but the digest kept across the call (no callee-saved register
 * to save and restore), the walk over hex runs inside a longer run is out of line.
 */
static void find_hashes(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t line,
                        uint64_t off)
{
    if (!s->want_hash)
        return;
#if defined(RK_SW_HEX_AVX2)
    if (s->avx2) {
        find_hashes_avx2(s, p, n, line, off);
        return;
    }
#endif
    if (n == 32 || n == 40 || n == 64) {
        uint8_t d[32];
        if (hex_digest(p, n, d)) {
            emit_hash(s, d, n / 2, line, off); /* the run is the hash */
            return;
        }
    }
    find_hashes_in(s, p, n, line, off);
}

/* A piece without ':' '@' or '+': an IPv4 address, a host name, or a run holding hashes. */
static void classify_piece(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t line,
                           uint64_t off, int has_dot)
{
    if (n >= 32)
        find_hashes(s, p, n, line, off);
    if (n < 4 || (!has_dot && memchr(p, '.', n) == NULL))
        return;
    /* Sentence punctuation and path dots around a host; a trailing dot is also the
     * fully-qualified form of DNS logs ("www.evil.example."), which names the same host. */
    while (n > 0 && (p[0] == '.' || p[0] == '-' || p[0] == '_'))
        p++, n--, off++;
    while (n > 0 && (p[n - 1] == '-' || p[n - 1] == '_' || p[n - 1] == '.'))
        n--;
    if (n > 0 && p[0] >= '0' && p[0] <= '9') {
        uint8_t a[4];
        if (rk__sw_parse_ip4(p, n, a)) {
            emit_ip(s, a, 0, line, off);
            return;
        }
    }
    /* A host name's last label has a letter ("3.14" and version numbers are not hosts). */
    size_t k = n;
    int letter = 0;
    while (k > 0 && p[k - 1] != '.' && !letter) {
        k--;
        letter = ((p[k] | 0x20) >= 'a' && (p[k] | 0x20) <= 'z');
    }
    if (letter)
        emit_host(s, p, n, line, off);
}

/* Splits at '+' (which only e-mail local parts may hold) and classifies the pieces. */
static void classify_plain(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t line,
                           uint64_t off)
{
    size_t i = 0;
    while (i <= n) {
        size_t st = i;
        while (i < n && p[i] != '+')
            i++;
        classify_piece(s, p + st, i - st, line, off + st, 0);
        i++;
    }
}

/* `flags`: the classes the run holds (C_DOT, C_PLUS), or both when not known. */
static void classify_colon(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t line,
                           uint64_t off, unsigned flags)
{
    uint8_t a[16];
    /* An IPv6 address has a "::" or at least six colons (seven, or six before a dotted quad):
     * times ("10:00:00"), MAC addresses and key:value runs are not parsed as one. */
    unsigned colons = 0;
    int dbl = 0;
    for (size_t k = 0; k < n; k++) {
        if (p[k] == ':') {
            colons++;
            dbl |= k + 1 < n && p[k + 1] == ':';
        }
    }
    if (n >= 3 && (dbl || colons >= 6) && rk__sw_parse_ip6(p, n, a)) {
        emit_ip(s, a, 1, line, off);
        return;
    }
    /* host:port, ip:port, key:value: classify each piece. */
    size_t i = 0;
    while (i <= n) {
        size_t st = i;
        while (i < n && p[i] != ':')
            i++;
        /* Without a '.' a piece can only hold hashes (32 digits or more); without a '+' it
         * needs no split at '+'. */
        size_t pn = i - st;
        if (pn >= ((flags & C_DOT) ? 4u : 32u)) {
            if (flags & C_PLUS)
                classify_plain(s, p + st, pn, line, off + st);
            else
                classify_piece(s, p + st, pn, line, off + st, 0);
        }
        i++;
    }
}

/*
 * Whether rk__sw_canon_email() of the address p[0, n), its last '@' at p[at], succeeds and
 * gives p's own bytes with ASCII letters lower-cased: a local part of 1..64 bytes of letters,
 * digits and ". - _ +"; a domain of up to 253 bytes of letters, digits, '-' and '_' in two or
 * more labels of 1..63 bytes, the last one holding a letter, without a trailing dot. Then the
 * raw bytes hash as the canonical key does (rk__sw_pf_hash() folds ASCII case). Anything else
 * (a trailing dot, a '+' in the domain, a byte canon_email would map) answers 0 and the
 * caller canonicalises, so the answers never change.
 */
static inline int email_plain(const char *p, size_t n, size_t at)
{
    if (at == 0 || at > 64 || n - at - 1 > 253)
        return 0;
#if defined(__SSE2__)
    /* Up to 64 bytes (almost every address), 16 at a time, the rules as bit masks (bit k:
     * byte k): a label of such a domain cannot pass 63 bytes. The same answer as the loop. */
    if (n <= 64) {
        uint64_t host = 0, plus = 0, dots = 0, letters = 0;
        for (size_t i = 0; i < n; i += 16) {
            __m128i v;
            if (n - i >= 16) {
                v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            } else {
                char t[16] = {0};
                memcpy(t, p + i, n - i);
                v = _mm_loadu_si128((const __m128i *)(const void *)t);
            }
            /* Bit 5 set makes A-Z a-z and no other byte a letter; signed compares leave bytes
             * >= 0x80 out of every range. */
            __m128i lw = _mm_or_si128(v, _mm_set1_epi8(0x20));
            __m128i let = rk__sw_in_range16(lw, 'a', 'z');
            __m128i dig = rk__sw_in_range16(v, '0', '9');
            __m128i dot = _mm_cmpeq_epi8(v, _mm_set1_epi8('.'));
            __m128i good = _mm_or_si128(
                _mm_or_si128(let, dig),
                _mm_or_si128(dot, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
                                               _mm_cmpeq_epi8(v, _mm_set1_epi8('_')))));
            host |= (uint64_t)(uint16_t)_mm_movemask_epi8(good) << i;
            plus |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('+')))
                    << i;
            dots |= (uint64_t)(uint16_t)_mm_movemask_epi8(dot) << i;
            letters |= (uint64_t)(uint16_t)_mm_movemask_epi8(let) << i;
        }
        uint64_t all = n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
        uint64_t loc = ((uint64_t)1 << at) - 1;          /* at <= 63 here */
        uint64_t dom = all & ~(((uint64_t)2 << at) - 1); /* bytes at+1 .. n-1 */
        uint64_t d = dots & dom;
        if (((host | plus) & loc) != loc || (host & dom) != dom || d == 0 ||
            (d & ((uint64_t)2 << at)) != 0 || ((d >> (n - 1)) & 1) != 0 || (d & (d >> 1)) != 0)
            return 0;
        /* The last label (after the last dot, which is below byte n - 1) holds a letter. */
        uint64_t last = dom & ~(((uint64_t)2 << (63 - __builtin_clzll(d))) - 1);
        return (letters & last) != 0;
    }
#endif
    for (size_t i = 0; i < at; i++) {
        unsigned char c = (unsigned char)p[i];
        if (rk__sw_host_tab[c] == 0 && c != '.' && c != '+')
            return 0;
    }
    const char *d = p + at + 1;
    size_t dn = n - at - 1, lab = 0;
    unsigned dots = 0, letter = 0;
    for (size_t i = 0; i < dn; i++) {
        unsigned char c = (unsigned char)d[i];
        if (c == '.') {
            if (lab == 0)
                return 0;
            dots++;
            lab = 0;
            letter = 0;
            continue;
        }
        unsigned char m = rk__sw_host_tab[c];
        if (m == 0 || ++lab > 63)
            return 0;
        letter |= (unsigned)(m >= 'a' && m <= 'z');
    }
    return lab > 0 && dots > 0 && letter;
}

/* Queues the lookup of the e-mail address p[0, n) (email_plain(): canonicalised it is its own
 * bytes lower-cased), which passed the key prefilter. */
static void emit_email_now(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t line,
                           uint64_t off)
{
    make_room(s, n + 8, 1);
    size_t en = rk__sw_canon_email(p, n, (char *)s->buf + s->used, BUF_SIZE - s->used);
    if (en == 0)
        return; /* cannot happen: email_plain() said it canonicalises */
    uint32_t t = s->used;
    s->used += (uint32_t)en;
    enqueue(s, RK_SWEEP_EMAIL, 0, t, en, t, en, TOK_TEXT, line, off, 0);
}

/* The e-mail address p[0, n) (email_plain()) when the index has e-mail indicators and its key
 * prefilter holds them: tested on the raw bytes, canonicalised and looked up only when the
 * filter may hold it (on a large filter the test is deferred like a host's). */
static void emit_email(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t line,
                       uint64_t off)
{
    uint64_t k = rk__sw_pf_hash(RK__SW_PF_KEY_EMAIL, p, n);
    if (pf_pass_or_defer(s, PEND_EMAIL, p, n, k, line, off))
        emit_email_now(s, p, n, line, off);
}

static void classify_email(struct rk_sweep_scanner *s, const char *p, size_t n, uint64_t line,
                           uint64_t off)
{
    /* The last '@' (the run holds one: C_AT). */
    const char *lastat = memrchr(p, '@', n);
    if (lastat == NULL) {
        classify_colon(s, p, n, line, off, C_DOT | C_PLUS);
        return;
    }
    size_t at = (size_t)(lastat - p);
    size_t ls = at;
    while (ls > 0 && p[ls - 1] != ':' && p[ls - 1] != '@')
        ls--;
    const char *dom = p + at + 1;
    size_t dn = n - at - 1;
    if (at > ls && dn >= 4 && memchr(dom, ':', dn) == NULL && (s->want_email || s->want_dom) &&
        s->email_raw && email_plain(p + ls, n - ls, at - ls)) {
        /* No canonicalisation up front: the address through the key prefilter, its domain
         * through the host filters on its raw bytes (emit_host(): the same lookups as the
         * canonical domain gets below, in the same order). */
        if (s->want_email)
            emit_email(s, p + ls, n - ls, line, off + ls);
        emit_host(s, dom, dn, line, off + at + 1);
        if (ls > 0)
            classify_colon(s, p, ls - 1, line, off, C_DOT | C_PLUS);
        return;
    }
    if (at > ls && dn >= 4 && memchr(dom, ':', dn) == NULL && (s->want_email || s->want_dom)) {
        make_room(s, 2 * (n - ls) + 8, 130);
        char *e = (char *)s->buf + s->used;
        size_t en = rk__sw_canon_email(p + ls, n - ls, e, BUF_SIZE - s->used);
        if (en > 0) {
            uint32_t t = s->used;
            s->used += (uint32_t)en;
            if (s->want_email)
                enqueue(s, RK_SWEEP_EMAIL, 0, t, en, t, en, TOK_TEXT, line, off + ls, 0);
            if (s->want_dom) {
                size_t l = (size_t)(memchr(e, '@', en) - (void *)e) + 1;
                emit_host_stored(s, t + (uint32_t)l, en - l, line, off + at + 1, 0);
            }
            if (ls > 0)
                classify_colon(s, p, ls - 1, line, off, C_DOT | C_PLUS);
            return;
        }
    }
    if (dn > 0)
        classify_colon(s, dom, dn, line, off + at + 1, C_DOT | C_PLUS);
    if (at > 0)
        classify_colon(s, p, at, line, off, C_DOT | C_PLUS);
}

/*
 * classify_run() for a run of the scan loop that holds one '@' and no ':': bits [o, o + n) of the
 * block's masks (n < 64), the '@' at bit o + at. What classify_email() finds by walking the
 * bytes — the last '@', the local part's start (the run's: no ':' or '@' before it), no ':' in
 * the domain — the masks have said already, and so has most of email_plain(): every byte of
 * the run is a token byte other than ':' and a second '@', so the local part holds only
 * letters, digits and ". - _ +", and the domain only those and '+'. The plain address
 * (`name@host.example.jp`, the common case) is then handled as classify_email() handles it;
 * every other run goes to classify_email().
 */
__attribute__((noinline)) static void classify_run_email1(struct rk_sweep_scanner *s,
                                                          const struct blk *b, unsigned o, size_t n,
                                                          unsigned at, uint64_t line)
{
    uint64_t off = b->base + o;
    const char *p = s->chunk + off;
    size_t dn = n - at - 1;
    /* email_plain() from the masks (shifted to the run: bit k is byte k of the run): a domain
     * without '+', with a dot, none right after the '@', none last, no two together, and a
     * letter after the last one. */
    uint64_t all = ((uint64_t)1 << n) - 1;
    uint64_t dom = all & ~(((uint64_t)2 << at) - 1); /* bytes at+1 .. n-1 */
    uint64_t d = (b->dot >> o) & dom;
    if (at > 0 && dn >= 4 && (s->want_email || s->want_dom) && s->email_raw &&
        ((b->plus >> o) & dom) == 0 && d != 0 && (d & ((uint64_t)2 << at)) == 0 &&
        ((d >> (n - 1)) & 1) == 0 && (d & (d >> 1)) == 0 &&
        ((b->letter >> o) & dom & ~(((uint64_t)2 << (63 - __builtin_clzll(d))) - 1)) != 0) {
        if (s->want_email)
            emit_email(s, p, n, line, off);
        emit_host(s, p + at + 1, dn, line, off + at + 1);
        return;
    }
    classify_email(s, p, n, line, off);
}

#if defined(__SSE2__)
static void classify_piece_masked(struct rk_sweep_scanner *s, const char *p, size_t n,
                                  uint64_t line, uint64_t off);
#endif

/* classify_run() of a run with a '.', ':' or '@': the e-mail, colon and dotted cases, out of
 * line with their stack frame. */
__attribute__((noinline)) static void classify_run_keyed(struct rk_sweep_scanner *s, const char *p,
                                                         size_t n, unsigned flags, uint64_t line,
                                                         uint64_t off)
{
    if (flags & C_AT)
        classify_email(s, p, n, line, off);
    else if (flags & C_COLON)
        classify_colon(s, p, n, line, off, flags);
    else if (flags & C_PLUS)
        classify_plain(s, p, n, line, off);
#if defined(__SSE2__)
    else if (n < 64 && s->chunk_end - p >= (ptrdiff_t)((n + 15) & ~(size_t)15))
        classify_piece_masked(s, p, n, line, off);
#endif
    else
        classify_piece(s, p, n, line, off, 1); /* flags say it holds a '.' */
}

/*
 * A run the scan loop could not classify from its block masks (longer than a block, crossing
 * a block boundary, or holding '@' or '+'). Two in five of them in a Sysmon log are hashes
 * alone (`SHA256=…` is 64 bytes), which go to find_hashes() from here without the frame and
 * the saved registers that the e-mail and colon cases need (classify_run_keyed()).
 */
static void classify_run(struct rk_sweep_scanner *s, const char *p, size_t n, unsigned flags,
                         uint64_t line, uint64_t off)
{
    if (n > RK_MAX_SWEEP_TOKEN) {
        s->long_tokens++;
        return;
    }
    if (!(flags & (C_DOT | C_COLON | C_AT))) {
        if (n >= 32)
            find_hashes(s, p, n, line, off);
        return;
    }
    classify_run_keyed(s, p, n, flags, line, off);
}

/*
 * The same decisions as classify_run() for a run without '@' or '+' that is shorter than 64
 * bytes, taken from its byte masks (bit k: byte k of the run) instead of its bytes. Most runs
 * of a log are numbers, timestamps, times and key:value pairs that are neither addresses nor
 * host names; their shape says so without a parse.
 */
struct shape {
    uint64_t dot, colon, letter, digit;
};

/* Whether x has at least three bits set, without branches (the log decides, not a pattern). */
static inline int bits_at_least3(uint64_t x)
{
    x &= x - 1;
    x &= x - 1;
    return x != 0;
}

/* Whether x has at least k bits set (no POPCNT instruction is assumed). */
static inline int bits_at_least(uint64_t x, unsigned k)
{
    for (unsigned i = 1; i < k && x != 0; i++)
        x &= x - 1;
    return x != 0;
}

/* ip4_shaped() part by part, out of line: a run within 16 bytes of the chunk's end on the
 * SSSE3 path (rare), called last so that the classifier keeps no frame for it. */
__attribute__((noinline)) static void ip4_shaped_scalar(struct rk_sweep_scanner *s, const char *p,
                                                        size_t n, uint64_t dots, uint64_t line,
                                                        uint64_t off)
{
    uint64_t w = rk__sw_ip4_scalar_w(p, n, dots);
    if (w != 0)
        ip4_found(s, w, line, off);
}

/*
 * rk__sw_parse_ip4() for n bytes (7..15) of digits and dots whose dots are the bits of `dots`
 * (bit k: p[k], higher bits ignored), then ip4_found(): the parts lie between the dots, so only
 * their lengths and values are checked (sweep-ip4.h), all four parts at once where the CPU has
 * SSSE3 (every CPU with AVX2 has; RK_SWEEP_NO_AVX2 takes the part-by-part path). The address
 * goes on as a word, never through memory.
 */
static inline __attribute__((always_inline)) void ip4_shaped(struct rk_sweep_scanner *s,
                                                             const char *p, size_t n, uint64_t dots,
                                                             uint64_t line, uint64_t off, int ssse3)
{
#if defined(RK__SW_IP4_SSSE3)
    if (ssse3 || s->avx2) {
        if (s->chunk_end - p < 16) {
            ip4_shaped_scalar(s, p, n, dots, line, off);
            return;
        }
        /* Most addresses lie in no indicator's /16: tested from the first two parts before
         * the whole address is checked and converted (sweep-ip4.h). */
        if (!ip4_16_may(s, rk__sw_ip4_n16_ssse3(p, dots)))
            return;
        uint64_t w = rk__sw_ip4_ssse3_w16(p, n, dots);
        if (w != 0)
            ip4_found(s, w, line, off);
        return;
    }
#else
    (void)ssse3;
#endif
    uint64_t w = rk__sw_ip4_scalar_w(p, n, dots);
    if (w != 0)
        ip4_found(s, w, line, off);
}

/* A piece [0, n) of a run, without ':' (classify_piece() with the shape of its bytes). */
static inline __attribute__((always_inline)) void
piece_shaped(struct rk_sweep_scanner *s, const char *p, size_t n, const struct shape *m,
             uint64_t line, uint64_t off, int ssse3, int short_run)
{
    if (!short_run && n >= 32)
        find_hashes(s, p, n, line, off);
    if (n < 4 || m->dot == 0)
        return;
    /* Trimmed of the . - _ around it: from the first to the last letter or digit. */
    uint64_t an = m->letter | m->digit;
    if (an == 0)
        return;
    unsigned f = (unsigned)__builtin_ctzll(an), l = 63u - (unsigned)__builtin_clzll(an);
    size_t tn = l + 1 - f;
    uint64_t t = (l == 63 ? ~(uint64_t)0 : (((uint64_t)2 << l) - 1)) & ~(((uint64_t)1 << f) - 1);
    if ((m->digit >> f) & 1) {
        if ((t & ~(m->digit | m->dot)) == 0) {
            /* Digits and dots only: an IPv4 address or nothing (no letter, no host). */
            if (tn >= 7 && tn <= 15)
                ip4_shaped(s, p + f, tn, m->dot >> f, line, off + f, ssse3);
            return;
        }
    }
    /* A host name's last label has a letter ("3.14" and version numbers are not hosts). */
    uint64_t d = m->dot & t;
    uint64_t last = t;
    unsigned ls = f; /* the last label's start */
    if (d != 0) {
        unsigned ld = 63u - (unsigned)__builtin_clzll(d);
        last &= ~(((uint64_t)2 << ld) - 1); /* ld < l, so the shift stays below 64 */
        ls = ld + 1;
    }
    if (m->letter & last)
        host_shaped(s, p + f, tn, ls - f, line, off + f);
}

#if defined(__SSE2__)
/*
 * classify_piece() of a run of n < 64 bytes with a '.' and without ':' '@' '+' that the loop
 * did not classify from its block masks (it crossed a block boundary after a block part
 * without events: an address or a timestamp split by the boundary), where the chunk has the
 * bytes up to the next multiple of 16 after it: its dot, letter and digit masks made from its
 * bytes 16 at a time (SSE2), then the same decisions as for a run within a block
 * (piece_shaped()) instead of the byte walk, the trimming loops and rk__sw_parse_ip4().
 */
static void classify_piece_masked(struct rk_sweep_scanner *s, const char *p, size_t n,
                                  uint64_t line, uint64_t off)
{
    struct shape sh = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        /* Letters tested lower-cased: only 'A'-'Z' move into 'a'-'z' (bytes >= 0x80 compare
         * as negative and stay out of every range). */
        __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
        __m128i digit = rk__sw_in_range16(v, '0', '9');
        __m128i letter = rk__sw_in_range16(lower, 'a', 'z');
        __m128i dot = _mm_cmpeq_epi8(v, _mm_set1_epi8('.'));
        sh.dot |= (uint64_t)(uint16_t)_mm_movemask_epi8(dot) << i;
        sh.letter |= (uint64_t)(uint16_t)_mm_movemask_epi8(letter) << i;
        sh.digit |= (uint64_t)(uint16_t)_mm_movemask_epi8(digit) << i;
    }
    uint64_t rm = ((uint64_t)1 << n) - 1;
    sh.dot &= rm;
    sh.letter &= rm;
    sh.digit &= rm;
    piece_shaped(s, p, n, &sh, line, off, 0, 0);
}
#endif

/* classify_piece_shaped() of a run with a '.' (the same arguments: reached by a jump). */
__attribute__((noinline)) static void classify_piece_dotted(struct rk_sweep_scanner *s,
                                                            const char *p, size_t n,
                                                            const struct blk *b, unsigned o,
                                                            uint64_t line, uint64_t off)
{
    uint64_t rm = ((uint64_t)1 << n) - 1;
    const struct shape sh = {(b->dot >> o) & rm, 0, (b->letter >> o) & rm, (b->digit >> o) & rm};
    piece_shaped(s, p, n, &sh, line, off, 0, 0);
}

/* classify_shaped() for a run without ':' (most runs that get this far: IPv4 addresses and
 * host names, and on the AVX2 and AVX-512 paths the runs of 32 bytes or more: hashes), out of
 * line on its own: fewer live values than the colon cases need, so a shorter entry and exit. A
 * run without '.' holds hashes only (most of them are one: `MD5=…`, `SHA1=…`) and goes to
 * find_hashes() with nothing kept across the call; one with a '.' to classify_piece_dotted(). */
__attribute__((noinline)) static void classify_piece_shaped(struct rk_sweep_scanner *s,
                                                            const char *p, size_t n,
                                                            const struct blk *b, unsigned o,
                                                            uint64_t line, uint64_t off)
{
    if (((b->dot >> o) & (((uint64_t)1 << n) - 1)) != 0) {
        classify_piece_dotted(s, p, n, b, o, line, off);
        return;
    }
    if (n >= 32)
        find_hashes(s, p, n, line, off);
}

#if defined(RK__SW_IP4_SSSE3)
/* The host of a run shorter than 32 bytes with a letter and a dot (see host_piece_ssse3()):
 * bits [f, l] of the run, from its first to its last letter or digit (l < n < 32, so the
 * shifts stay below 64), and the start of its last label: past the last dot before l, or f
 * when no dot lies in [f, l) — the highest dot below l plus one (0 when there is none: the 1
 * shifted in below the dots), at least f. */
static inline __attribute__((always_inline)) unsigned
host_piece_bounds(const struct blk *b, unsigned o, uint64_t rm, unsigned *f, unsigned *l)
{
    uint64_t an = ((b->letter >> o) | (b->digit >> o)) & rm;
    *f = (unsigned)__builtin_ctzll(an);
    *l = 63u - (unsigned)__builtin_clzll(an);
    uint64_t d = (b->dot >> o) & (((uint64_t)1 << *l) - 1);
    unsigned ls = 63u - (unsigned)__builtin_clzll(d << 1 | 1);
    return ls < *f ? *f : ls;
}

/* host_piece_ssse3() for a run its cache test did not reject: `hit` when the last-label
 * cache let the label through, 0 when it did not know it. Out of line, reached by a jump:
 * the bounds are found again from the block rather than kept, so that the path most runs
 * take needs no callee-saved register. */
__attribute__((noinline, target("ssse3" RK_SW_BMI))) static void
host_piece_go(struct rk_sweep_scanner *s, const struct blk *b, unsigned o, size_t n, uint64_t line,
              int hit)
{
    if (!s->want_dom || n < 4)
        return;
    uint64_t rm = ((uint64_t)1 << n) - 1;
    unsigned f, l;
    unsigned ls = host_piece_bounds(b, o, rm, &f, &l);
    /* A host name's last label has a letter ("3.14" and version numbers are not hosts). */
    if (((b->letter >> o) & rm) >> ls == 0)
        return;
    uint64_t off = b->base + o + f;
    const char *p = s->chunk + off;
    if (!hit) {
        emit_host_call(s, p, l + 1 - f, line, off);
        return;
    }
    /* With a dot in the host (ls > f), its last two labels start past the last dot below
     * ls - 1 (the last one), or at f when no dot lies in [f, ls - 1): from the dot mask, as
     * the last label's start, instead of last_label_start() on the bytes. */
    unsigned st = f;
    if (ls > f) {
        uint64_t d2 = (b->dot >> o) & (((uint64_t)1 << (ls - 1)) - 1);
        st = 63u - (unsigned)__builtin_clzll(d2 << 1 | 1);
        st = st < f ? f : st;
    }
    emit_host_key_at(s, p, l + 1 - f, l + 1 - f, ls - f, st - f, line, off);
}

/* classify_piece_shaped() for a run shorter than 32 bytes with a letter (a host name or
 * nothing) where the CPU has SSSE3: the scan loop, which has tested the letter mask, calls it
 * instead of ip4_piece_ssse3(). piece_shaped() written out for this case (n < 32: no hashes,
 * a letter in the run). Three of four runs here are file and field names ("x.php",
 * "id.orig_h") whose last label the last-label cache rejects, so that test comes first, with
 * as few values live as it needs; the letter test and the host's call follow for the
 * others. */
__attribute__((noinline, target("ssse3" RK_SW_BMI))) static void
host_piece_ssse3(struct rk_sweep_scanner *s, const struct blk *b, unsigned o, size_t n,
                 uint64_t line)
{
    uint64_t rm = ((uint64_t)1 << n) - 1;
    /* The loop sends no run without a dot here (run_masked(): a run of fewer than 32 bytes
     * without '.', ':' or '@' holds nothing). Without domain indicators (!want_dom) the cache
     * is never filled (only tld_pass() fills it, and only hosts of a scanner that wants
     * domains reach it), so every run goes on to host_piece_go(), which tests want_dom:
     * not tested here, on every run; nor is a run's length of 3 (too short for a host with
     * a dot, which the cache rarely rejects: host_piece_go() does). */
    int hit = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    {
        /* The last letter or digit, l (l < n < 32), and the length of the last label that
         * ends there: the dots below l shifted up to end at bit 63, so that the number of
         * leading zeros is the label's length less one (63 when there is no dot) — or the
         * label starts at the first letter or digit f (a dot before f only trims the run):
         * the same label as host_piece_bounds() finds. */
        uint64_t an = ((b->letter >> o) | (b->digit >> o)) & rm;
        unsigned lz = (unsigned)__builtin_clzll(an), l = 63u - lz;
        uint64_t dl = (b->dot >> o) << lz << 1; /* bit 0 clear: the 1 below stands for none */
        unsigned k = (unsigned)__builtin_clzll(dl | 1);
        unsigned fl = l - (unsigned)__builtin_ctzll(an);
        k = k < fl ? k : fl; /* the label's length less one */
        /* host_shaped()'s cache test, on the same key (the label's bytes, masked to its
         * length, and the length): the bytes read by one 8-byte load that ends at the
         * label's last byte, which lies in the chunk; it starts in the chunk unless the
         * label is within 7 bytes of the chunk's start (then host_piece_go's path). */
        uint64_t e8 = b->base + o + l; /* the label's last byte in the chunk */
        if (k <= 6 && e8 >= 7) {
            uint64_t w;
            memcpy(&w, s->chunk + e8 - 7, 8);
            uint64_t key = (w >> (56 - 8 * k)) | (uint64_t)(k + 1) << 56;
            uint64_t e = s->tldc[TLDC_SLOT(key)];
            if ((e & ~(1ull << 63)) == key) {
                if (!(e >> 63))
                    return;
                hit = 1;
            }
        }
    }
#endif
    host_piece_go(s, b, o, n, line, hit);
}

/*
 * classify_piece_shaped() for a run shorter than 32 bytes (no hash in it) without a letter,
 * where the CPU has SSSE3 (the AVX2 and AVX-512 paths): no host name, an IPv4 address or
 * nothing. The scan loop sends a run with a letter to host_piece_ssse3() instead (it has
 * tested the letter mask already); half of the runs that get this far are addresses, and with
 * the conversion inlined and few values live the address path saves two registers, not five,
 * and makes its only call last.
 */
__attribute__((noinline, target("ssse3" RK_SW_BMI))) static void
ip4_piece_ssse3(struct rk_sweep_scanner *s, const struct blk *b, unsigned o, size_t n,
                uint64_t line)
{
    uint64_t off = b->base + o; /* as in host_piece_ssse3() */
    const char *p = s->chunk + off;
    /* No letter: no host name; an IPv4 address or nothing. Trimmed of the . - _ around it:
     * bits [f, f + tn), from the first to the last digit; every byte between them a digit or
     * a dot. TZCNT and LZCNT of no digit give 64 each, so tn wraps and fails the length test:
     * no branch of its own. */
    uint64_t digit = _bzhi_u64(b->digit >> o, (unsigned)n);
    unsigned f = (unsigned)_tzcnt_u64(digit);
    size_t tn = (size_t)64 - f - (size_t)_lzcnt_u64(digit);
    if (tn - 7 > 8)
        return;
    unsigned sh = o + f; /* < 64: the run lies within the block */
    if (_bzhi_u64(~(b->digit | b->dot) >> sh, (unsigned)tn) == 0)
        ip4_shaped(s, p + f, tn, b->dot >> sh, line, off + f, 1);
}
#endif

/* Out of line: the scan loop keeps its registers for itself. `o`: the run's bit in the block;
 * the run [o, o + n) lies within the block (n < 64). */
__attribute__((noinline)) static void classify_shaped(struct rk_sweep_scanner *s, const char *p,
                                                      size_t n, const struct blk *b, unsigned o,
                                                      uint64_t line, uint64_t off)
{
    uint64_t rm = ((uint64_t)1 << n) - 1;
    const struct shape sh = {(b->dot >> o) & rm, (b->colon >> o) & rm, (b->letter >> o) & rm,
                             (b->digit >> o) & rm};
    const struct shape *m = &sh;
    if (m->colon == 0) {
        if (m->dot != 0 || n >= 32)
            piece_shaped(s, p, n, m, line, off, 0, 0);
        return;
    }
    /* An IPv6 address has a "::" or at least six colons: left to classify_colon(). */
    if ((m->colon & (m->colon >> 1)) != 0 || bits_at_least(m->colon, 6)) {
        classify_colon(s, p, n, line, off, m->dot ? C_DOT : 0);
        return;
    }
    /* host:port, ip:port, key:value: the pieces between the colons. Without a '.' a piece
     * can only hold hashes, and then it is 32 bytes or more. */
    size_t min = m->dot ? 4u : 32u;
    if (n < min)
        return;
    uint64_t bounds = m->colon | ((uint64_t)1 << n); /* n < 64 */
    size_t st = 0;
    while (bounds != 0) {
        size_t e = (size_t)__builtin_ctzll(bounds);
        bounds &= bounds - 1;
        size_t pn = e - st;
        if (pn >= min) {
            uint64_t pm = (((uint64_t)1 << pn) - 1);
            struct shape q = {(m->dot >> st) & pm, 0, (m->letter >> st) & pm,
                              (m->digit >> st) & pm};
            piece_shaped(s, p + st, pn, &q, line, off + st, 0, 0);
        }
        st = e + 1;
    }
}

/* ===== URLs and the Windows DNS form ===== */

/* Bytes that end a URL: blanks and controls, quotes, angle brackets and the other bytes
 * that RFC 3986 does not allow unescaped and that logs use as separators (and the comma of
 * CSV logs). A table, because every byte of every URL is tested. */
static const unsigned char url_end_tab[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] =
    1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1,
    [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] =
    1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1,
    [0x1e] = 1, [0x1f] = 1, [0x20] = 1, ['"'] = 1, ['\''] = 1, [','] = 1, ['<'] = 1, ['>'] = 1,
    ['\\'] = 1, ['^'] = 1, ['`'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1, [0x7f] = 1
};

static inline int url_end_byte(unsigned char c)
{
    return url_end_tab[c];
}

/*
 * What rk__sw_canon_url() decides about a URL whose host is plain, found without writing the
 * canonical form: the scanner needs only where the URL's authority ends and its host (for the
 * URL-host prefilter and the host's own lookups) unless the prefilter says a URL indicator may
 * have that host, which almost no URL of a log has. The decision is taken from byte masks of
 * the authority's first bytes (the scanner makes them 32 bytes at once with AVX2 while it
 * looks for the URL's end; rk__sw_url_parts() 16 bytes a step): the same checks as
 * rk__sw_canon_url() and rk__sw_canon_host() make on such a host.
 */
static inline __attribute__((always_inline)) int url_parts_of(const char *s, size_t sl, size_t n,
                                                              const struct rk__sw_url_masks *m,
                                                              struct rk__sw_url_parts *u)
{
    /* The scheme: rk__sw_canon_url() reads at most 32 bytes of it. */
    if (sl > 32)
        return 0;
    size_t a0 = sl + 3;
    size_t known = n - a0 < m->len ? n - a0 : m->len; /* authority bytes the masks hold */
    uint64_t valid = known >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << known) - 1);
    uint64_t end = m->end & valid;
    if (end == 0 && n - a0 > known)
        return -2; /* the authority goes on past the masks */
    size_t a1 = end != 0 ? (size_t)__builtin_ctzll(end) : known;
    uint64_t below = a1 >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << a1) - 1);
    /* The host follows the last '@' and ends at the first ':' after it; without either (all
     * but a few URLs of a log) it is the whole authority. */
    size_t h0 = 0, h1 = a1;
    uint64_t host = below;
    if (((m->at | m->colon) & below) != 0) {
        uint64_t at = m->at & below;
        h0 = at != 0 ? (size_t)(64 - __builtin_clzll(at)) : 0;
        uint64_t from = h0 >= 64 ? 0 : ~(((uint64_t)1 << h0) - 1);
        uint64_t c = m->colon & below & from;
        h1 = c != 0 ? (size_t)__builtin_ctzll(c) : a1;
        host = from & (h1 >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << h1) - 1));
    }
    if ((host & ~m->good) != 0)
        return -1; /* '%', '[', bytes >= 0x80 and the like: the canonicaliser decides */
    if (h1 == h0)
        return 0; /* no host */
    u->consumed = a0 + a1;
    /* The port: digits only, at most 65535 ("host:" is the default port). */
    unsigned port = 0;
    for (size_t k = a0 + h1 + 1; k < a0 + a1; k++) {
        if (s[k] < '0' || s[k] > '9')
            return 0;
        port = port * 10 + (unsigned)(s[k] - '0');
        if (port > 65535)
            return 0;
    }
    size_t hn = h1 - h0;
    u->host_off = a0 + h0;
    if ((m->letter & host) == 0 && rk__sw_parse_ip4(s + a0 + h0, hn, u->addr)) {
        u->host_type = RK_SWEEP_IPV4;
        u->host_len = hn;
        u->dotted = 1;
        return 1;
    }
    /* A host name: rk__sw_canon_host()'s checks of an ASCII name of up to 63 bytes after its
     * trailing dot is dropped (labels of 1..63 bytes, a letter in the last one). */
    if ((m->dot >> (h1 - 1)) & 1) {
        h1--;
        hn--;
        host &= ~((uint64_t)1 << h1);
    }
    if (hn == 0)
        return 0;
    if (hn > 63)
        return -1;
    uint64_t d = m->dot & host;
    /* A dot first or last, or two in a row: one test of the three (h0 < h1 <= 64). */
    if ((d & (((uint64_t)1 << h0) | ((uint64_t)1 << (h1 - 1)) | (d >> 1))) != 0)
        return 0;
    uint64_t last = d != 0 ? ~(((uint64_t)2 << (63 - __builtin_clzll(d))) - 1) : ~(uint64_t)0;
    if ((m->letter & host & last) == 0)
        return 0;
    u->host_type = RK_SWEEP_DOMAIN;
    u->host_len = hn;
    u->dotted = d != 0;
    return 1;
}

int rk__sw_url_parts(const char *s, size_t sl, size_t n, size_t readable,
                     struct rk__sw_url_parts *u)
{
    struct rk__sw_url_masks m = {0};
    size_t a0 = sl + 3;
    size_t lim = n - a0 < 64 ? n - a0 : 64; /* authority bytes looked at */
#if defined(__SSE2__)
    for (size_t i = 0; i < lim; i += 16) {
        __m128i v;
        if (a0 + i + 16 <= readable) {
            v = _mm_loadu_si128((const __m128i *)(const void *)(s + a0 + i));
        } else {
            char t[16] = {0};
            memcpy(t, s + a0 + i, readable - a0 - i < 16 ? readable - a0 - i : 16);
            v = _mm_loadu_si128((const __m128i *)(const void *)t);
        }
        /* Letters: bit 5 set ('A'-'Z' become 'a'-'z'), then moved to the bottom of the signed
         * range (bytes >= 0x80 and the rest end above it); digits likewise. */
        __m128i let = _mm_cmpgt_epi8(
            _mm_set1_epi8(-128 + 26),
            _mm_add_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8((char)(0x80 - 'a'))));
        __m128i dig = _mm_cmpgt_epi8(_mm_set1_epi8(-128 + 10),
                                     _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - '0'))));
        __m128i dt = _mm_cmpeq_epi8(v, _mm_set1_epi8('.'));
        __m128i ok =
            _mm_or_si128(_mm_or_si128(let, dig),
                         _mm_or_si128(dt, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
                                                       _mm_cmpeq_epi8(v, _mm_set1_epi8('_')))));
        __m128i en = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')),
                                               _mm_cmpeq_epi8(v, _mm_set1_epi8('?'))),
                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('#')));
        unsigned me = (unsigned)_mm_movemask_epi8(en);
        m.end |= (uint64_t)me << i;
        m.at |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('@'))) << i;
        m.colon |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')))
                   << i;
        m.dot |= (uint64_t)(unsigned)_mm_movemask_epi8(dt) << i;
        m.letter |= (uint64_t)(unsigned)_mm_movemask_epi8(let) << i;
        m.good |= (uint64_t)(unsigned)_mm_movemask_epi8(ok) << i;
        m.len = i + 16 < 64 ? i + 16 : 64;
        if (me != 0)
            break; /* the authority ends in these 16 bytes */
    }
#else
    (void)readable;
    for (size_t i = 0; i < lim; i++) {
        unsigned char c = (unsigned char)s[a0 + i];
        uint64_t b = (uint64_t)1 << i;
        int l = ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
        m.end |= (c == '/' || c == '?' || c == '#') ? b : 0;
        m.at |= c == '@' ? b : 0;
        m.colon |= c == ':' ? b : 0;
        m.dot |= c == '.' ? b : 0;
        m.letter |= l ? b : 0;
        m.good |= (l || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') ? b : 0;
        m.len = i + 1;
        if (m.end != 0)
            break;
    }
#endif
    int r = url_parts_of(s, sl, n, &m, u);
    return r < 0 ? -1 : r; /* past 64 bytes: rk__sw_canon_url() decides */
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RK_SW_URL_AVX2 1

/* url_stops_avx2()'s and url_head_avx2()'s constants, read from memory through an opaque
 * pointer (url_k_rows()): GCC builds a constant vector of one repeated byte in a register with
 * two instructions at each call (a `mov` and a `vpbroadcastb`), 28 of them for the fourteen
 * here, more than the loads. */
/* The two nibble tables of url_stops_avx2(), each twice (one a 128-bit lane). Bit 0: every byte
 * of rows 0-1 (blanks and controls); bit 1: row 2 " ' , and space; bit 2: rows 3 and 5 < > \ ^;
 * bit 3: row 6 `; bit 4: row 7 { | } DEL. Bytes >= 0x80 (rows 8-f) end nothing. */
#define RK_SW_UHI 1, 1, 2, 4, 0, 4, 8, 16, 0, 0, 0, 0, 0, 0, 0, 0
/* low nibble:    0  1  2  3  4  5  6  7  8  9  a   b   c  d  e   f */
#define RK_SW_ULO 11, 1, 3, 1, 1, 1, 1, 3, 1, 1, 1, 17, 23, 17, 5, 17
enum {
    UK_HI,
    UK_LO,
    UK_LOW4,
    UK_FOLD,
    UK_LET_ADD,
    UK_LET_LT,
    UK_DIG_ADD,
    UK_DIG_LT,
    UK_DOT,
    UK_DASH,
    UK_USCORE,
    UK_SLASH,
    UK_QUEST,
    UK_HASH,
    UK_AT,
    UK_COLON,
    UK_ROWS
};
static const uint8_t url_k[UK_ROWS][32] __attribute__((aligned(32))) = {
    [UK_HI] = {RK_SW_UHI, RK_SW_UHI},
    [UK_LO] = {RK_SW_ULO, RK_SW_ULO},
    [UK_LOW4] = {RK_SW_X32(0x0f)},
    [UK_FOLD] = {RK_SW_X32(0x20)},
    [UK_LET_ADD] = {RK_SW_X32(0x80 - 'a')},
    [UK_LET_LT] = {RK_SW_X32(0x80 + 26)},
    [UK_DIG_ADD] = {RK_SW_X32(0x80 - '0')},
    [UK_DIG_LT] = {RK_SW_X32(0x80 + 10)},
    [UK_DOT] = {RK_SW_X32('.')},
    [UK_DASH] = {RK_SW_X32('-')},
    [UK_USCORE] = {RK_SW_X32('_')},
    [UK_SLASH] = {RK_SW_X32('/')},
    [UK_QUEST] = {RK_SW_X32('?')},
    [UK_HASH] = {RK_SW_X32('#')},
    [UK_AT] = {RK_SW_X32('@')},
    [UK_COLON] = {RK_SW_X32(':')},
};
#undef RK_SW_UHI
#undef RK_SW_ULO

/* url_k, its address hidden from the optimiser so that its rows stay loads. */
static inline const uint8_t (*url_k_rows(void))[32]
{
    const uint8_t(*k)[32] = url_k;
    RK_SW_OPAQUE(k);
    return k;
}

#define RK_SW_UK(k, i) _mm256_load_si256((const __m256i *)(const void *)(k)[i])

/* Which of the 32 bytes v end a URL (bit k for byte k): each byte's two nibbles index two
 * 16-entry tables (vpshufb, url_k's first two rows) whose AND is non-zero exactly for the bytes
 * of url_end_tab. */
__attribute__((target("avx2"))) static inline uint32_t url_stops_avx2(__m256i v,
                                                                      const uint8_t (*k)[32])
{
    const __m256i low4 = RK_SW_UK(k, UK_LOW4);
    __m256i h =
        _mm256_shuffle_epi8(RK_SW_UK(k, UK_HI), _mm256_and_si256(_mm256_srli_epi16(v, 4), low4));
    __m256i l = _mm256_shuffle_epi8(RK_SW_UK(k, UK_LO), _mm256_and_si256(v, low4));
    __m256i none = _mm256_cmpeq_epi8(_mm256_and_si256(h, l), _mm256_setzero_si256());
    return ~(uint32_t)_mm256_movemask_epi8(none);
}

/* The first URL-ending byte of p[e, avail), 32 bytes a step while they lie inside the input
 * and e <= RK_MAX_SWEEP_TOKEN. Returns where the scan stopped (the byte found, or where fewer
 * than 32 bytes are left) and *found. Inlined into url_head_avx2(), its only caller. */
__attribute__((target("avx2"))) static inline __attribute__((always_inline)) size_t
url_end_avx2(const char *p, size_t e, size_t avail, int *found, const uint8_t (*k)[32])
{
    *found = 0;
    while (e + 32 <= avail && e <= RK_MAX_SWEEP_TOKEN) {
        uint32_t m = url_stops_avx2(_mm256_loadu_si256((const __m256i *)(const void *)(p + e)), k);
        if (m != 0) {
            *found = 1;
            return e + (size_t)__builtin_ctz(m);
        }
        e += 32;
    }
    return e;
}

/* url_end_avx2() from the authority's first byte a0 (the scheme and "://" before it end no
 * URL), which also makes the authority masks of url_parts_of() from the same 32 bytes
 * (m->len 32; 0 when fewer than 32 bytes are left). Letters: bit 5 set ('A'-'Z' become
 * 'a'-'z'), then moved to the bottom of the signed range, where bytes >= 0x80 and the rest do
 * not go; digits likewise. */
__attribute__((target("avx2"))) static size_t url_head_avx2(const char *p, size_t a0, size_t avail,
                                                            struct rk__sw_url_masks *m, int *found)
{
    const uint8_t(*k)[32] = url_k_rows();
    m->len = 0;
    if (a0 + 32 > avail)
        return url_end_avx2(p, a0, avail, found, k);
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + a0));
    uint32_t stop = url_stops_avx2(v, k);
#define RK_SW_EQ(i) _mm256_cmpeq_epi8(v, RK_SW_UK(k, i))
    __m256i let = _mm256_cmpgt_epi8(
        RK_SW_UK(k, UK_LET_LT),
        _mm256_add_epi8(_mm256_or_si256(v, RK_SW_UK(k, UK_FOLD)), RK_SW_UK(k, UK_LET_ADD)));
    __m256i dig =
        _mm256_cmpgt_epi8(RK_SW_UK(k, UK_DIG_LT), _mm256_add_epi8(v, RK_SW_UK(k, UK_DIG_ADD)));
    __m256i dt = RK_SW_EQ(UK_DOT);
    __m256i ok = _mm256_or_si256(
        _mm256_or_si256(let, dig),
        _mm256_or_si256(dt, _mm256_or_si256(RK_SW_EQ(UK_DASH), RK_SW_EQ(UK_USCORE))));
    m->end = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(
        _mm256_or_si256(RK_SW_EQ(UK_SLASH), RK_SW_EQ(UK_QUEST)), RK_SW_EQ(UK_HASH)));
    m->at = (uint32_t)_mm256_movemask_epi8(RK_SW_EQ(UK_AT));
    m->colon = (uint32_t)_mm256_movemask_epi8(RK_SW_EQ(UK_COLON));
#undef RK_SW_EQ
    m->dot = (uint32_t)_mm256_movemask_epi8(dt);
    m->letter = (uint32_t)_mm256_movemask_epi8(let);
    m->good = (uint32_t)_mm256_movemask_epi8(ok);
    m->len = 32;
    if (stop != 0) {
        *found = 1;
        return a0 + (size_t)__builtin_ctz(stop);
    }
    return url_end_avx2(p, a0 + 32, avail, found, k);
}
#undef RK_SW_UK
#endif

/* The first byte that ends the URL at p[0, avail) whose authority starts at a0: its length,
 * RK_MAX_SWEEP_TOKEN + 1 or more when it is longer than a token may be. With AVX2 *m receives
 * the masks of the authority's first 32 bytes (else m->len is 0). */
static size_t url_end(const struct rk_sweep_scanner *s, const char *p, size_t a0, size_t avail,
                      struct rk__sw_url_masks *m)
{
    size_t e = a0;
    int found = 0;
    m->len = 0;
#if defined(RK_SW_URL_AVX2)
    if (s->avx2)
        e = url_head_avx2(p, a0, avail, m, &found);
#else
    (void)s;
#endif
#if defined(__SSE2__)
    /* 16 bytes a step while they lie inside the input: blanks and controls (<= 0x20), DEL
     * and the eleven separators of url_end_tab. */
    while (!found && e + 16 <= avail && e <= RK_MAX_SWEEP_TOKEN) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + e));
        __m128i end = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x20)), _mm_set1_epi8(0x20));
#define RK_SW_EQ(c) _mm_cmpeq_epi8(v, _mm_set1_epi8(c))
        end = _mm_or_si128(end, _mm_or_si128(_mm_or_si128(RK_SW_EQ(0x7f), RK_SW_EQ('"')),
                                             _mm_or_si128(RK_SW_EQ('\''), RK_SW_EQ(','))));
        end = _mm_or_si128(end, _mm_or_si128(_mm_or_si128(RK_SW_EQ('<'), RK_SW_EQ('>')),
                                             _mm_or_si128(RK_SW_EQ('\\'), RK_SW_EQ('^'))));
        end = _mm_or_si128(end, _mm_or_si128(_mm_or_si128(RK_SW_EQ('`'), RK_SW_EQ('{')),
                                             _mm_or_si128(RK_SW_EQ('|'), RK_SW_EQ('}'))));
#undef RK_SW_EQ
        unsigned mm = (unsigned)_mm_movemask_epi8(end);
        if (mm != 0)
            return e + (size_t)__builtin_ctz(mm);
        e += 16;
    }
#endif
    while (!found && e < avail && e <= RK_MAX_SWEEP_TOKEN && !url_end_byte((unsigned char)p[e]))
        e++;
    return e;
}

/* The URL p[0, e) canonicalised into buf before anything else: the old way, for the URLs
 * rk__sw_url_parts() leaves to the canonicaliser (percent-encoded, bracketed and non-ASCII
 * hosts, long authorities) and for an index whose prefilter does not hold the URL hosts.
 * Returns the bytes to skip, 0 when it is not a URL. */
static size_t url_whole(struct rk_sweep_scanner *s, const char *p, size_t e, uint64_t line,
                        uint64_t off)
{
    make_room(s, e + 64, 140);
    struct rk__sw_url u;
    char *out = (char *)s->buf + s->used;
    if (!rk__sw_canon_url(p, e, out, BUF_SIZE - s->used, &u))
        return 0;
    uint32_t t = s->used;
    s->used += (uint32_t)u.len;
    if (s->want_url) {
        /* No URL indicator has this host: no URL lookup (the host's own lookups follow). */
        int pass = 1;
        if (s->pf_url) {
            size_t ho = u.host_off, hn = u.host_len;
            if (u.host_type != RK_SWEEP_DOMAIN)
                hn = rk__sw_url_host(out, u.len, &ho);
            uint64_t k = rk__sw_pf_hash(RK__SW_PF_KEY_URLHOST, out + ho, hn);
            const uint64_t *pl = rk__sw_pf_line(s->ix, k);
            if (s->defer_pf) {
                /* A large prefilter: its line is fetched now and tested in flush(), dozens
                 * of tokens later, instead of the scan waiting for it here (the request
                 * keeps its place in the queue, so hits come in the same order). */
                __builtin_prefetch(pl);
                enqueue_pf_wait(s, k, t, u.len, line, off);
                pass = 0;
            } else {
                pass = rk__sw_pf_test(pl, k);
            }
        }
        if (pass)
            enqueue(s, RK_SWEEP_URL, 0, t, u.len, t, u.len, TOK_TEXT, line, off, 0);
    }
    if (u.host_type == RK_SWEEP_DOMAIN) {
        if (s->want_dom && u.host_len > 0) {
            /* Suffix lookups need the host alone (inside the canonical URL) and two labels
             * or more: a dot. */
            if (memchr(out + u.host_off, '.', u.host_len) != NULL)
                emit_host_stored(s, t + (uint32_t)u.host_off, u.host_len, line, off, 0);
        }
    } else {
        emit_ip(s, u.addr, u.host_type == RK_SWEEP_IPV6, line, off);
    }
    return u.consumed;
}

/* A deferred URL lookup of a plain URL (pf_wait 2, see handle_url()) whose prefilter test
 * passed in flush(): the URL, still in the chunk at its token offset (a chunk is flushed
 * before its scan returns), canonicalised into the room reserved for it. Returns 0 when the
 * canonicaliser refuses it, which url_parts_of() has ruled out. */
static int url_settle(struct rk_sweep_scanner *s, struct req *r)
{
    struct rk__sw_url u;
    if (!rk__sw_canon_url(s->chunk + r->off, r->key_len, (char *)s->buf + r->key_off,
                          (size_t)r->key_len + 64, &u))
        return 0;
    r->key_len = (uint16_t)u.len;
    r->tok_len = (uint16_t)u.len;
    return 1;
}

/*
 * p[0..sl) is the scheme, p[sl] == ':' and "//" follows. Returns bytes to skip (the scheme
 * and authority), or 0 when it is not a URL.
 *
 * A URL is canonicalised only when it may be looked up: its end, its authority's end and its
 * host come from rk__sw_url_parts() (the same answer as the canonicaliser's for a plain
 * host), the URL-host prefilter is tested on the raw host (its hash folds case, so the raw
 * and the canonical host hash the same), and only a URL whose host passes is canonicalised
 * and queued — on a large index, when the deferred test passes in flush() (url_settle()).
 * The host's own lookups take the path of a bare host. What is queued, and in which order,
 * is what url_whole() queues.
 */
static size_t handle_url(struct rk_sweep_scanner *s, const char *p, size_t sl, size_t avail,
                         uint64_t line, uint64_t off)
{
    struct rk__sw_url_masks m;
    size_t e = url_end(s, p, sl + 3, avail, &m);
    if (e > RK_MAX_SWEEP_TOKEN) {
        s->long_tokens++;
        return 0;
    }
    struct rk__sw_url_parts up;
    int plain = -1;
    if (!s->want_url || s->pf_url) {
        plain = m.len > 0 ? url_parts_of(p, sl, e, &m, &up) : -2;
        if (plain == -2) /* no masks, or the authority is longer */
            plain = rk__sw_url_parts(p, sl, e, avail, &up);
    }
    if (plain < 0)
        return url_whole(s, p, e, line, off);
    if (plain == 0)
        return 0;
    if (s->want_url) {
        uint64_t k;
        if (up.host_type == RK_SWEEP_DOMAIN) {
            k = rk__sw_pf_hash(RK__SW_PF_KEY_URLHOST, p + up.host_off, up.host_len);
        } else {
            char a[16];
            k = rk__sw_pf_hash(RK__SW_PF_KEY_URLHOST, a, rk__sw_fmt_ip4(up.addr, a));
        }
        const uint64_t *pl = rk__sw_pf_line(s->ix, k);
        if (s->defer_pf) {
            /* Tested in flush(), as url_whole()'s deferred test; the room for the canonical
             * URL (never longer than e + 1) is reserved now, written only if it passes. */
            __builtin_prefetch(pl);
            make_room(s, e + 64, 1);
            uint32_t t = s->used;
            s->used += (uint32_t)e + 64;
            struct req *r = push_req(s, RK_SWEEP_URL, 0, t, e, t, e, TOK_TEXT, line, off, 0);
            if (r != NULL) {
                r->h = k;
                r->pf_wait = 2;
            }
        } else if (rk__sw_pf_test(pl, k)) {
            make_room(s, e + 64, 1);
            struct rk__sw_url u;
            if (rk__sw_canon_url(p, e, (char *)s->buf + s->used, BUF_SIZE - s->used, &u)) {
                uint32_t t = s->used;
                s->used += (uint32_t)u.len;
                enqueue(s, RK_SWEEP_URL, 0, t, u.len, t, u.len, TOK_TEXT, line, off, 0);
            }
        }
    }
    if (up.host_type == RK_SWEEP_DOMAIN) {
        /* Suffix lookups need two labels or more. */
        if (up.dotted)
            emit_host(s, p + up.host_off, up.host_len, line, off);
    } else {
        emit_ip(s, up.addr, 0, line, off);
    }
    return up.consumed;
}

/* "(3)www(7)example(3)com(0)" at p; returns bytes consumed, 0 when it is not that form. A
 * label of up to 16 bytes is checked and copied 16 bytes at once (SSE2) when as many bytes
 * are left in the input, the others byte by byte: the same answer either way. */
static size_t handle_dns_wire(struct rk_sweep_scanner *s, const char *p, size_t avail,
                              uint64_t line, uint64_t off)
{
    char host[256 + 16]; /* 16 bytes of room past a name of 255: labels are stored 16 at once */
    size_t hn = 0, i = 0;
    int labels = 0;
    for (;;) {
        /* "(" and one to three digits (unrolled: names have a few short labels), ")". */
        unsigned len, d;
        if (i + 2 >= avail || p[i] != '(' || (len = (unsigned)(unsigned char)p[i + 1] - '0') > 9)
            return 0;
        size_t j = i + 2;
        if ((d = (unsigned)(unsigned char)p[j] - '0') <= 9) {
            len = len * 10 + d;
            if (++j < avail && (d = (unsigned)(unsigned char)p[j] - '0') <= 9) {
                len = len * 10 + d;
                j++;
            }
        }
        if (j >= avail || p[j] != ')' || len > 63)
            return 0;
        j++;
        if (len == 0) {
            i = j;
            break;
        }
        if (j + len > avail || hn + len + 1 >= 256)
            return 0;
        if (labels > 0)
            host[hn++] = '.';
            /* Only host bytes: the form never spans a newline or a separator. */
#if defined(__SSE2__)
        if (len <= 16 && j + 16 <= avail) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + j));
            /* Letters (bit 5 set, moved to the bottom of the signed range), digits, - _. */
            __m128i let = _mm_cmpgt_epi8(_mm_set1_epi8(-128 + 26),
                                         _mm_add_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)),
                                                      _mm_set1_epi8((char)(0x80 - 'a'))));
            __m128i dig = _mm_cmpgt_epi8(_mm_set1_epi8(-128 + 10),
                                         _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - '0'))));
            __m128i ok = _mm_or_si128(_mm_or_si128(let, dig),
                                      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
                                                   _mm_cmpeq_epi8(v, _mm_set1_epi8('_'))));
            unsigned bad = ~(unsigned)_mm_movemask_epi8(ok) & ((1u << len) - 1);
            if (bad != 0)
                return 0;
            _mm_storeu_si128((__m128i *)(void *)(host + hn), v);
        } else
#endif
        {
            for (size_t k = 0; k < len; k++) {
                unsigned char c = (unsigned char)p[j + k];
                if (rk__sw_host_tab[c] == 0)
                    return 0;
                host[hn + k] = (char)c;
            }
        }
        hn += len;
        labels++;
        i = j + len;
    }
    if (labels >= 2)
        emit_host(s, host, hn, line, off);
    return i;
}

/* ===== Main loop ===== */

/* Bytes of a URL scheme: 1 a letter, 2 a byte allowed after the first (digit, + - .). */
static const unsigned char scheme_byte[256] = {
    ['+'] = 2, ['-'] = 2, ['.'] = 2, ['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2,
    ['5'] = 2, ['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2, ['A'] = 1, ['B'] = 1, ['C'] = 1,
    ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1,
    ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1,
    ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1,
    ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1,
    ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1,
    ['z'] = 1,
};

#if defined(__SSE2__)
#include <emmintrin.h>

static inline uint64_t m16(__m128i v)
{
    return (uint64_t)(uint16_t)_mm_movemask_epi8(v);
}

static void block_masks(const struct rk_sweep_scanner *s, const char *p, struct blk *b)
{
    (void)s;
    b->tok = b->stop = b->dot = b->colon = b->at = b->plus = b->letter = b->digit = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
        __m128i letter = rk__sw_in_range16(lower, 'a', 'z');
        __m128i digcol = rk__sw_in_range16(v, '0', ':');
        __m128i dot = _mm_cmpeq_epi8(v, _mm_set1_epi8('.'));
        __m128i at = _mm_cmpeq_epi8(v, _mm_set1_epi8('@'));
        __m128i plus = _mm_cmpeq_epi8(v, _mm_set1_epi8('+'));
        __m128i other = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
                                     _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
        __m128i tok = _mm_or_si128(_mm_or_si128(letter, digcol),
                                   _mm_or_si128(_mm_or_si128(dot, at), _mm_or_si128(plus, other)));
        __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
                                    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('%')),
                                                 _mm_cmpeq_epi8(v, _mm_set1_epi8('('))));
        __m128i colon = _mm_cmpeq_epi8(v, _mm_set1_epi8(':'));
        b->tok |= m16(tok) << (16 * k);
        b->stop |= m16(stop) << (16 * k);
        b->dot |= m16(dot) << (16 * k);
        b->colon |= m16(colon) << (16 * k);
        b->at |= m16(at) << (16 * k);
        b->plus |= m16(plus) << (16 * k);
        b->letter |= m16(letter) << (16 * k);
        b->digit |= m16(_mm_andnot_si128(colon, digcol)) << (16 * k);
    }
}
#include <immintrin.h>

/*
 * The same with AVX2, 32 bytes an instruction, chosen at run time where the CPU has it. Each
 * mask is made from both halves at once and stored once: no halves kept in locals and joined
 * afterwards (which spilled them to the stack).
 *
 * Byte classes by two nibble lookups: the high nibble gives the classes its ASCII column
 * (0x2_..0x7_) can hold, the low nibble those it can be; their AND is the byte's class, one
 * bit each (0 for every byte that is not a token byte):
 *   1 '+' '-'   2 digit   4 ':'   8 letter of columns 4, 6 (A-O a-o)
 *   16 letter of columns 5, 7 (P-Z p-z)   32 '@'   64 '_'   128 '.'
 */
#define CLS_LO_TAB 50, 26, 26, 26, 26, 26, 26, 26, 26, 26, 28, 9, 8, 9, (char)136, 72
#define CLS_HI_TAB 0, 0, (char)129, 6, 40, 80, 8, 16, 0, 0, 0, 0, 0, 0, 0, 0

/*
 * A second pair of nibble lookups gives the bytes the classes above leave out: bit 7 '\n',
 * bit 6 '%' and '(', bit 5 '+' (bits chosen so that no other pair of nibbles has a bit in
 * both tables).
 */
#define STOP_LO_TAB  0, 0, 0, 0, 0, 64, 0, 0, 64, 0, 128, 32, 0, 0, 0, 0
#define STOP_HI_TAB  128, 0, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

/* The AVX2 classifier's tables (two nibble lookups each), read from memory. */
static const uint8_t avx2_k[5][32] __attribute__((aligned(32))) = {
    {CLS_LO_TAB, CLS_LO_TAB},   {CLS_HI_TAB, CLS_HI_TAB},           {STOP_LO_TAB, STOP_LO_TAB},
    {STOP_HI_TAB, STOP_HI_TAB}, {RK_SW_X16(0x0f), RK_SW_X16(0x0f)},
};

__attribute__((target("avx2"), always_inline)) static inline __m256i avx2_const(int k)
{
    return _mm256_load_si256((const __m256i *)(const void *)avx2_k[k]);
}

__attribute__((target("avx2"), always_inline)) static inline void
block_masks_avx2(const struct rk_sweep_scanner *s, const char *p, struct blk *b)
{
    (void)s;
    __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
    const __m256i nib = avx2_const(4);
    /* The byte itself indexes the low-nibble tables: VPSHUFB reads an index's bits 0-3 and
     * gives 0 where its bit 7 is set (no byte of 0x80 and above has a class). */
    __m256i l0 = v0, h0 = _mm256_and_si256(_mm256_srli_epi16(v0, 4), nib);
    __m256i l1 = v1, h1 = _mm256_and_si256(_mm256_srli_epi16(v1, 4), nib);
    __m256i c0 = _mm256_and_si256(_mm256_shuffle_epi8(avx2_const(0), l0),
                                  _mm256_shuffle_epi8(avx2_const(1), h0));
    __m256i c1 = _mm256_and_si256(_mm256_shuffle_epi8(avx2_const(0), l1),
                                  _mm256_shuffle_epi8(avx2_const(1), h1));
    __m256i d0 = _mm256_and_si256(_mm256_shuffle_epi8(avx2_const(2), l0),
                                  _mm256_shuffle_epi8(avx2_const(3), h0));
    __m256i d1 = _mm256_and_si256(_mm256_shuffle_epi8(avx2_const(2), l1),
                                  _mm256_shuffle_epi8(avx2_const(3), h1));
    const __m256i zero = _mm256_setzero_si256();
    /* The 64-bit mask of the top bits of the two halves' bytes. A class bit is moved to each
     * byte's top bit by a 16-bit shift by less than 8, which moves no bit of one byte into the
     * other's top bit. */
#define RK_SW_MM(x0, x1)                                                                           \
    ((uint64_t)(uint32_t)_mm256_movemask_epi8(x0) |                                               \
     (uint64_t)(uint32_t)_mm256_movemask_epi8(x1) << 32)
    b->tok = ~RK_SW_MM(_mm256_cmpeq_epi8(c0, zero), _mm256_cmpeq_epi8(c1, zero));
    b->stop = RK_SW_MM(_mm256_or_si256(d0, _mm256_slli_epi16(d0, 1)),
                       _mm256_or_si256(d1, _mm256_slli_epi16(d1, 1)));
    b->dot = RK_SW_MM(c0, c1);
    b->colon = RK_SW_MM(_mm256_slli_epi16(c0, 5), _mm256_slli_epi16(c1, 5));
    b->at = RK_SW_MM(_mm256_slli_epi16(c0, 2), _mm256_slli_epi16(c1, 2));
    b->plus = RK_SW_MM(_mm256_slli_epi16(d0, 2), _mm256_slli_epi16(d1, 2));
    /* Letters are class bits 3 and 4: both moved to bit 7 and joined. */
    b->letter = RK_SW_MM(_mm256_or_si256(_mm256_slli_epi16(c0, 3), _mm256_slli_epi16(c0, 4)),
                         _mm256_or_si256(_mm256_slli_epi16(c1, 3), _mm256_slli_epi16(c1, 4)));
    b->digit = RK_SW_MM(_mm256_slli_epi16(c0, 6), _mm256_slli_epi16(c1, 6));
#undef RK_SW_MM
}

/*
 * The AVX-512 classifier's constants, read from memory. A constant made by _mm512_set1_epi8()
 * is remade from an immediate at every block (MOV and VPBROADCASTB: the calls of the loop
 * clobber every vector register, so the compiler does not keep it), and VPBROADCASTB from a
 * general register takes port 5, the port every VPCMPB, VPTESTMB and VPSHUFB of the block
 * waits for; a 64-byte operand in memory is folded into the compare (a load port only).
 */
enum {
    K5_LO,
    K5_HI,
    K5_NIB,
    K5_NL,
    K5_PCT,
    K5_PAREN,
    K5_PLUS,
    K5_COLON,
    K5_AT,
    K5_LETTER,
    K5_DIGIT,
    K5_N,
};
static const uint8_t avx512_k[K5_N][64] __attribute__((aligned(64))) = {
    [K5_LO] = {CLS_LO_TAB, CLS_LO_TAB, CLS_LO_TAB, CLS_LO_TAB},
    [K5_HI] = {CLS_HI_TAB, CLS_HI_TAB, CLS_HI_TAB, CLS_HI_TAB},
    [K5_NIB] = {RK_SW_X64(0x0f)},
    [K5_NL] = {RK_SW_X64('\n')},
    [K5_PCT] = {RK_SW_X64('%')},
    [K5_PAREN] = {RK_SW_X64('(')},
    [K5_PLUS] = {RK_SW_X64('+')},
    [K5_COLON] = {RK_SW_X64(4)},
    [K5_AT] = {RK_SW_X64(32)},
    [K5_LETTER] = {RK_SW_X64(24)},
    [K5_DIGIT] = {RK_SW_X64(2)},
};

/* The same with AVX-512BW: the whole block in one register, every compare giving its 64-bit
 * mask directly (no movemask, no shifting halves together). */
__attribute__((target("avx512bw"), always_inline)) static inline void
block_masks_avx512(const struct rk_sweep_scanner *s, const char *p, struct blk *b)
{
    (void)s;
    const uint8_t(*k)[64] = avx512_k;
    RK_SW_OPAQUE(k); /* its rows stay loads, not broadcasts of immediates */
#define RK_SW_K5(i) _mm512_load_si512((const void *)k[i])
    __m512i v = _mm512_loadu_si512((const void *)p);
    __m512i cls = _mm512_and_si512(
        _mm512_shuffle_epi8(RK_SW_K5(K5_LO), v), /* bit 7 of an index gives 0, as with AVX2 */
        _mm512_shuffle_epi8(RK_SW_K5(K5_HI),
                            _mm512_and_si512(_mm512_srli_epi16(v, 4), RK_SW_K5(K5_NIB))));
    b->tok = _mm512_test_epi8_mask(cls, cls);
    b->stop = _mm512_cmpeq_epi8_mask(v, RK_SW_K5(K5_NL)) |
              _mm512_cmpeq_epi8_mask(v, RK_SW_K5(K5_PCT)) |
              _mm512_cmpeq_epi8_mask(v, RK_SW_K5(K5_PAREN));
    b->dot = _mm512_movepi8_mask(cls);
    b->colon = _mm512_test_epi8_mask(cls, RK_SW_K5(K5_COLON));
    b->at = _mm512_test_epi8_mask(cls, RK_SW_K5(K5_AT));
    b->plus = _mm512_cmpeq_epi8_mask(v, RK_SW_K5(K5_PLUS));
    b->letter = _mm512_test_epi8_mask(cls, RK_SW_K5(K5_LETTER));
    b->digit = _mm512_test_epi8_mask(cls, RK_SW_K5(K5_DIGIT));
#undef RK_SW_K5
}
/* Out of line, for the callers compiled for any CPU (masks_of()). */
__attribute__((target("avx2"), noinline)) static void
block_masks_avx2_out(const struct rk_sweep_scanner *s, const char *p, struct blk *b)
{
    block_masks_avx2(s, p, b);
}

__attribute__((target("avx512bw"), noinline)) static void
block_masks_avx512_out(const struct rk_sweep_scanner *s, const char *p, struct blk *b)
{
    block_masks_avx512(s, p, b);
}
#define RK_SW_HAVE_AVX2 1
#else
static void block_masks(const struct rk_sweep_scanner *s, const char *p, struct blk *b)
{
    b->tok = b->stop = b->dot = b->colon = b->at = b->plus = b->letter = b->digit = 0;
    for (int k = 0; k < 64; k++) {
        unsigned char c = (unsigned char)p[k];
        uint64_t bit = (uint64_t)1 << k;
        if (s->cls[c] & C_TOK)
            b->tok |= bit;
        if (c == '\n' || c == '%' || c == '(')
            b->stop |= bit;
        if (c == '.')
            b->dot |= bit;
        if (c == ':')
            b->colon |= bit;
        if (c == '@')
            b->at |= bit;
        if (c == '+')
            b->plus |= bit;
        if (((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
            b->letter |= bit;
        if (c >= '0' && c <= '9')
            b->digit |= bit;
    }
}
#endif

/* A block classifier: the masks of the 64 bytes at q. */
typedef void (*rk__sw_masks_fn)(const struct rk_sweep_scanner *s, const char *q, struct blk *b);

/* The masks of the 64 bytes at q, by the widest classifier the CPU has. */
static inline void masks_of(const struct rk_sweep_scanner *s, const char *q, struct blk *b)
{
#ifdef RK_SW_HAVE_AVX2
    if (s->avx512)
        block_masks_avx512_out(s, q, b);
    else if (s->avx2)
        block_masks_avx2_out(s, q, b);
    else
        block_masks(s, q, b);
#else
    block_masks(s, q, b);
#endif
}

/* For the tests: the masks of the 64 bytes at p by the classifier the scanner uses, in the
 * order tok, stop, dot, colon, at, plus, letter, digit; returns which classifier that is (0
 * SSE2 or the byte table, 1 AVX2, 2 AVX-512BW). */
int rk__sw_block_masks(const struct rk_sweep_scanner *s, const char *p, uint64_t m[8]);
int rk__sw_block_masks(const struct rk_sweep_scanner *s, const char *p, uint64_t m[8])
{
    struct blk b;
    masks_of(s, p, &b);
    const uint64_t v[8] = {b.tok, b.stop, b.dot, b.colon, b.at, b.plus, b.letter, b.digit};
    memcpy(m, v, sizeof v);
    return s->avx512 ? 2 : s->avx2 ? 1 : 0;
}

/* The last block of a chunk, shorter than 64 bytes: its masks from a zero-padded copy. Out of
 * line and cold, so that the loop's block loads need no 64-byte stack buffer. */
__attribute__((noinline, cold)) static void masks_of_tail(const struct rk_sweep_scanner *s,
                                                         const char *q, size_t len, struct blk *b)
{
    char tail[64];
    memset(tail, 0, sizeof tail);
    memcpy(tail, q, len);
    masks_of(s, tail, b);
}

/*
 * Loads the masks of the block at `base` (any offset of the chunk; `cont`: its byte 0 goes on
 * with a run begun before it) and marks the bytes the scan must look at: the three delimiters
 * with a meaning, every '.', ':' and '@' that is not alone between separators (a run holding
 * one may be an address, a host, an e-mail or a URL), and, when the index holds hashes, every
 * run of 32 or more token bytes. Everything else is a plain word or a separator and is skipped
 * 64 bytes at a time.
 *
 * When the block's last run reaches its byte 63 and began after byte 0, the next block begins
 * where that run begins (adv) and the run's bytes are no event here: the next block holds the
 * whole run. So no run shorter than 64 bytes ever crosses a block boundary, and every run the
 * loop meets is classified from one block's masks; only a block that is all token bytes goes
 * on 64 bytes (the run is 64 bytes or more, walked block by block).
 */
static inline __attribute__((always_inline)) void load_block(const struct rk_sweep_scanner *s,
                                                             const char *p, size_t n, size_t base,
                                                             int cont, struct blk *b,
                                                             rk__sw_masks_fn masks, int hash)
{
    b->base = base;
    b->cont = cont;
    /* The input is read once, in order, from a file mapping: the hardware prefetcher stops at
     * every 4 KiB page, and the block's load then waits for memory (most of the classifier's
     * time). A prefetch PF_AHEAD bytes ahead keeps the next lines coming; it never faults, so
     * it may point past the chunk's end. */
    __builtin_prefetch((const void *)((uintptr_t)p + base + PF_AHEAD));
    if (base + 64 > n)
        masks_of_tail(s, p + base, n - base, b);
    else
        masks(s, p + base, b);
    /*
     * One event a run, at its last byte, for the runs that may be something: (tok + X) & ~tok
     * has a bit just above the end of every run that holds a bit of X (X within tok: the carry
     * runs from X's lowest bit to the run's end and stops at the separator after it). A run
     * is looked at when it holds a '.', ':' or '@' and a letter, '@', '+', two dots,
     * "::" or six colons. A run of digits, dots, ':', '-' and '_' with at most one dot and
     * at most five colons, none next to another ("1700000000.418", "537.36", "10:53:21",
     * "2026:10:01:04", ":1700000003.668081") is no IPv4 or IPv6 address (a letterless one
     * without "::" or a dotted tail has seven colons), no host name and no URL scheme (that
     * begins with a letter), and needs no look (run_masked() says the same). With hashes in the
     * index, a run of 32 bytes or more always is. X & ((tok + X) ^ tok ^ X) is the bits of X after
     * the first of their run.
     */
    uint64_t tok = b->tok, nt = ~tok;
    uint64_t key = b->colon | b->at | b->dot;
    uint64_t dot2 = b->dot & ((tok + b->dot) ^ tok ^ b->dot); /* a dot after a dot of its run */
    uint64_t col2 = b->colon & ((tok + b->colon) ^ tok ^ b->colon);
    uint64_t col3 = col2 & ((tok + col2) ^ tok ^ col2); /* a colon after two of its run */
    if (col3 != 0) {
        /* Rare (≈ 4 % of blocks in the mixed log: the dates `2026:10:01:04`): a run without
         * a letter, '@', '+', two dots or "::" is something only with six colons or more
         * (run_masked()), so only the sixth colon marks it. Three more steps, in those blocks
         * alone. */
        uint64_t c4 = col3 & ((tok + col3) ^ tok ^ col3);
        uint64_t c5 = c4 & ((tok + c4) ^ tok ^ c4);
        col3 = c5 & ((tok + c5) ^ tok ^ c5); /* a colon after five of its run */
    }
    uint64_t col11 = b->colon & (b->colon >> 1); /* "::" */
    /* A lone '.' or ':' (JSON's `":"`, a full stop) holds nothing of the second set and is no
     * event; a lone '@' (none in the benchmark logs) is one, and run_masked() drops it: cheaper
     * than a mask of runs of two bytes or more in every block. */
    uint64_t ends = (tok + key) & (tok + (b->at | b->letter | b->plus | dot2 | col3 | col11));
    uint64_t y = 0;
    /* A run of 32 bytes or more within the block holds its bytes 16-31 or 32-47 whole (it
     * starts at byte 32 at the latest): in the other blocks (most) it has no bit to give. */
    if (hash && ((nt & 0x00000000ffff0000ull) == 0 || (nt & 0x0000ffff00000000ull) == 0)) {
        y = tok;
        y &= y >> 1;
        y &= y >> 2;
        y &= y >> 4;
        y &= y >> 8;
        y &= y >> 16; /* bit j: bytes j..j+31 are all token bytes */
        ends |= tok + y;
    }
    /* A run going on from an earlier block is looked at whenever it holds a '.', ':' or '@'
     * here (what its bytes there hold, these masks do not say), and walked: its event is
     * marked a stop too, which the loop sends to the walk (so the loop's common case, the end
     * of a run within the block, needs no test of its own). */
    if (cont)
        b->stop |= ((tok + key) & (nt & (0 - nt))) >> 1;
    b->interest = b->stop | ((ends & nt) >> 1);
    b->odd = b->colon | b->at | b->plus;
    b->adv = 64;
    if ((int64_t)tok < 0) {
        if (nt != 0) {
            /* 1..63: the last run's start. No event lies in that run (bits adv..63, all
             * token bytes): stops are no token bytes, and an end event is marked at the bit
             * below a separator, all of which lie below adv (the run's carries run out past
             * bit 63). So the run is left to the next block without clearing any bit. */
            b->adv = 64u - (unsigned)__builtin_clzll(nt);
        } else {
            /* All token bytes: a run of 64 bytes or more, walked block by block from the
             * first byte that matters (a stop, as above). */
            b->interest = b->stop = key | y;
        }
    }
}

/* Class flags of the bits [from, to) of a block (to <= 64). */
static inline unsigned block_flags(const struct blk *b, unsigned from, unsigned to)
{
    uint64_t m =
        (to >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << to) - 1)) & ~(((uint64_t)1 << from) - 1);
    /* Without branches: which classes a run holds is what the log decides, not a pattern. */
    return ((b->dot & m) != 0 ? (unsigned)C_DOT : 0u) |
           ((b->colon & m) != 0 ? (unsigned)C_COLON : 0u) |
           ((b->at & m) != 0 ? (unsigned)C_AT : 0u) | ((b->plus & m) != 0 ? (unsigned)C_PLUS : 0u);
}

static int scan_url(struct rk_sweep_scanner *s, const char *p, size_t n, size_t st, size_t *end,
                    unsigned flags, uint64_t line);

/*
 * The run at bits [s0, e0) of the masks `m` (bit 0 at byte m->base; e0 < 64, s0 < e0): the
 * decisions of the scan loop and of classify_run() taken from the masks. *floor becomes the
 * end of the URL the run starts, and then RUN_URL is returned (after any other run the loop
 * goes on to the block's later events, which lie past the run, and never reads floor before
 * it sets it again: so the run's end is not stored, one store an event); RUN_NONE when
 * the masks alone said the run holds nothing (no call was made, so the scan cannot have been
 * stopped), else RUN_DONE. `ssse3`: the loop is a copy for AVX2 or AVX-512 (a constant there),
 * so a short run without ':' goes to the SSSE3 classifier, and colons are counted with POPCNT
 * (every CPU with AVX2 has it; the copy is compiled for it).
 */
enum { RUN_NONE, RUN_DONE, RUN_URL };
static inline __attribute__((always_inline)) int
run_masked(struct rk_sweep_scanner *s, const char *p, size_t n, const struct blk *m, unsigned s0,
           unsigned e0, uint64_t line, size_t *floor, int ssse3)
{
    size_t st = m->base + s0, len = e0 - s0, e = m->base + e0;
    uint64_t rm = ((uint64_t)1 << e0) - ((uint64_t)1 << s0); /* bits s0..e0-1 */
#if defined(RK__SW_IP4_SSSE3)
    /*
     * Most runs (IPv4 addresses, host names, file names: three in four events of the mixed
     * log) hold neither ':', '@' nor '+' and are shorter than a hash: the same decisions as
     * below for them, taken first and with fewer tests (one mask for the three bytes, no URL,
     * keyed or colon case to rule out one after the other).
     */
    if (ssse3 && (m->odd & rm) == 0 && len < 32) {
        uint64_t dm = m->dot & rm;
        if (dm == 0 || len < 3)
            return RUN_NONE; /* no key byte: a word shorter than a hash */
        /* With a letter a host name or nothing; without one an IPv4 address (seven bytes or
         * more, three dots) or nothing. */
        if ((m->letter & rm) != 0)
            host_piece_ssse3(s, m, s0, len, line);
        else if (len >= 7 && bits_at_least3(dm))
            ip4_piece_ssse3(s, m, s0, len, line);
        else
            return RUN_NONE;
        return RUN_DONE;
    }
#endif
    uint64_t key = (m->dot | m->colon | m->at) & rm;
    /* A word without '.', ':' or '@' can only be a hash, of 32 digits or more. */
    if (key == 0 ? len < 32 : (len < 3 && !(len == 2 && (m->colon & rm) != 0)))
        return RUN_NONE;
    if ((m->colon & rm) != 0 && e + 1 < n && p[e] == '/' && p[e + 1] == '/') {
        if (scan_url(s, p, n, st, &e, block_flags(m, s0, e0), line)) {
            *floor = e;
            return RUN_URL;
        }
        return RUN_DONE;
    }
    if (((m->at | m->plus) & rm) != 0) {
        uint64_t am = m->at & rm;
        if (am != 0 && (am & (am - 1)) == 0 && (m->colon & rm) == 0)
            classify_run_email1(s, m, s0, len, (unsigned)__builtin_ctzll(am) - s0, line);
        else
            classify_run(s, p + st, len, block_flags(m, s0, e0), line, st);
        return RUN_DONE;
    }
    /* Without a call: runs shorter than a hash that cannot be anything. A run of digits and
     * dots (no letter: no host name) is an IPv4 address only with three dots and seven bytes
     * or more ("1700000000.418" is not); a colon run that is no IPv6 address, without a dot
     * ("10:53:21", "key:value") or without a letter and with fewer than three dots (no piece
     * of it an IPv4 address: "01:33:21.162", ":1700000003.668081"), holds nothing. */
    uint64_t cm = m->colon & rm;
    if (len < 32 &&
        (cm == 0 ? (m->letter & rm) == 0 && (len < 7 || !bits_at_least3(key))
                 : ((m->dot & rm) == 0 || ((m->letter & rm) == 0 && !bits_at_least3(key & ~cm))) &&
                       (cm & (cm >> 1)) == 0 &&
                       !(ssse3 ? __builtin_popcountll(cm) >= 6 : bits_at_least(cm, 6))))
        return RUN_NONE;
    if (cm == 0) {
#if defined(RK__SW_IP4_SSSE3)
        if (ssse3 && len < 32) {
            /* A run with a letter is a host name or nothing, one without an IPv4 address or
             * nothing: each to its own classifier (the letter test is the one above). */
            if ((m->letter & rm) != 0)
                host_piece_ssse3(s, m, s0, len, line);
            else
                ip4_piece_ssse3(s, m, s0, len, line);
        } else
#endif
            classify_piece_shaped(s, p + st, len, m, s0, line, st);
    } else
        classify_shaped(s, p + st, len, m, s0, line, st);
    return RUN_DONE;
}

/*
 * The run [st, *end) of a chunk of n bytes holds a ':' and "//" follows it. When its tail after
 * the last ':' or '@' is a scheme, the part before it is classified and the URL handled;
 * *end becomes the end of what the URL consumed (unchanged when it is not one) and 1 is
 * returned. Otherwise the run is classified as it is and 0 returned.
 */
static int scan_url(struct rk_sweep_scanner *s, const char *p, size_t n, size_t st, size_t *end,
                    unsigned flags, uint64_t line)
{
    size_t i = *end;
    /* The scheme is the run's tail after its last ':' or '@' (or the whole run): scheme
     * bytes back from the final ':' up to one of those, a letter first. One walk back over
     * the scheme bytes (neither ':' nor '@' is one) finds both its start and whether it is
     * one: the byte that stops the walk must be ':' or '@', or the run's start. */
    size_t ss = i - 1;
    while (ss > st && scheme_byte[(unsigned char)p[ss - 1]] != 0)
        ss--;
    if (p[i - 1] == ':' && ss < i - 1 && scheme_byte[(unsigned char)p[ss]] == 1 &&
        (ss == st || p[ss - 1] == ':' || p[ss - 1] == '@')) {
        if (ss > st)
            classify_run(s, p + st, ss - st, flags, line, st);
        size_t k = handle_url(s, p + ss, i - ss - 1, n - ss, line, ss);
        if (k > 0)
            *end = ss + k;
        return 1;
    }
    classify_run(s, p + st, i - st, flags, line, st);
    return 0;
}

/*
 * Scans data; returns the number of newlines seen.
 *
 * The loop goes from block to block and, within a block, from event to event: the bits of
 * `ev` are the bytes still to look at (see load_block()), those before `floor` (dealt with:
 * a run, a percent escape, a URL's authority, a DNS-form name) cleared. A newline only counts
 * a line. A block begins where the last run of the block before began when that run reached
 * its end (load_block()), so every run shorter than 64 bytes lies within one block and is
 * found and classified from its masks alone; only a run of 64 bytes or more is walked block
 * by block and classified byte by byte.
 */
static inline __attribute__((always_inline)) uint64_t
scan_loop(struct rk_sweep_scanner *s, const char *p, size_t n, rk__sw_masks_fn masks)
{
    uint64_t line = 1;
    size_t floor = 0; /* everything before `floor` has been dealt with */
    size_t run0 = 0;  /* where the run goes on from when the block's `cont` is set */
    /* Read once: the classifiers' calls write to *s, so s->want_hash would be loaded again
     * for every block. */
    const int hash = s->want_hash;
    struct blk b;
    if (n == 0) {
        flush(s);
        return 0;
    }
    load_block(s, p, n, 0, 0, &b, masks, hash);
    uint64_t ev = b.interest;
    for (;;) {
        while (ev == 0) {
            /* On to the next block: at the start of this one's last run when that run
             * reaches byte 63, at `floor` when that lies further on (a run starts there). */
            size_t next = b.base + b.adv;
            int cont = 0;
            if (floor >= next) {
                next = floor;
            } else if ((int64_t)b.tok < 0 && b.adv == 64) {
                cont = 1; /* all token bytes: the run goes on */
                if (!b.cont)
                    run0 = b.base;
            }
            if (next >= n)
                goto done;
            load_block(s, p, n, next, cont, &b, masks, hash);
            ev = b.interest;
        }
        unsigned o = (unsigned)__builtin_ctzll(ev);
        if (!((b.stop >> o) & 1)) {
            /* The last byte of a run that lies within the block (load_block()). Its start is
             * the byte after the last separator below (bit j + 1 of the mask: byte j is no
             * token byte; bit 0: byte 0 begins a run, as it does in a block that is not
             * `cont`, whose runs from byte 0 are walked) and not before floor (resync clears
             * the token bit below floor). */
            uint64_t upto = ((uint64_t)2 << o) - 1; /* bits 0..o */
            unsigned s0 = 63u - (unsigned)__builtin_clzll(((~b.tok << 1) | 1) & upto);
            ev &= ev - 1;
            int r = run_masked(s, p, n, &b, s0, o + 1, line, &floor, masks != block_masks);
            if (r == RUN_URL)
                goto resync; /* a URL: on after its authority */
            if (r == RUN_DONE && s->stopped)
                goto done;
            continue;
        }
        size_t i = b.base + o; /* here only: a run's event has no use for it */
        if (!((b.tok >> o) & 1)) {
            unsigned char c = (unsigned char)p[i];
            if (c == '\n') {
                line++;
                ev &= ev - 1;
                continue;
            }
            if (c == '%') {
                if (i + 2 < n && rk__sw_hexval((unsigned char)p[i + 1]) >= 0 &&
                    rk__sw_hexval((unsigned char)p[i + 2]) >= 0)
                    floor = i + 3; /* a percent escape separates tokens like a delimiter */
                else
                    floor = i + 1;
            } else { /* '(' */
                size_t k = 0;
                if (i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '9')
                    k = handle_dns_wire(s, p + i, n - i, line, i);
                floor = i + (k > 0 ? k : 1);
            }
            goto resync;
        }
        /* A stop on a token byte: a run of 64 bytes or more (it began in an earlier block, or
         * it fills the rest of this one), from its start (not before floor) forward to its
         * end, collecting the classes it holds, block by block. */
        {
            unsigned s0 =
                63u - (unsigned)__builtin_clzll(((~b.tok << 1) | 1) & (((uint64_t)2 << o) - 1));
            size_t st = s0 == 0 && b.cont ? run0 : b.base + s0;
            if (st < floor)
                st = floor;
            unsigned flags = 0;
            if (st < b.base) {
                /* Its bytes in earlier blocks hold no '.', ':' or '@' (an event there would
                 * have dealt with the run), but may hold a '+'. */
                if (memchr(p + st, '+', b.base - st) != NULL)
                    flags |= C_PLUS;
                i = b.base;
            } else {
                i = st;
            }
            for (;;) {
                unsigned off = (unsigned)(i - b.base);
                uint64_t t = ~b.tok >> off;
                if (t == 0) {
                    flags |= block_flags(&b, off, 64);
                    if (b.base + 64 >= n) {
                        i = n;
                        break;
                    }
                    load_block(s, p, n, b.base + 64, 1, &b, masks, hash);
                    i = b.base;
                    continue;
                }
                unsigned k = (unsigned)__builtin_ctzll(t);
                flags |= block_flags(&b, off, off + k);
                i += k;
                break;
            }
            floor = i;
            size_t len = i - st;
            /* A word without '.', ':' or '@' can only be a hash, and then of 32 digits or more. */
            if (!(flags & (C_DOT | C_COLON | C_AT)) && len < 32)
                goto resync;
            if (len < 3 && !(len == 2 && (flags & C_COLON)))
                goto resync;
            if ((flags & C_COLON) && i + 1 < n && p[i] == '/' && p[i + 1] == '/') {
                if (scan_url(s, p, n, st, &i, flags, line))
                    floor = i;
                goto resync;
            }
            classify_run(s, p + st, len, flags, line, st);
        }
    resync:
        /* Continue at floor: in this block, or in the block that holds it. */
        if (s->stopped || floor >= n)
            break;
        if (floor >= b.base + 64) {
            ev = 0;
        } else {
            ev = b.interest & (~(uint64_t)0 << (floor - b.base));
            /* A run that floor cuts begins at floor: the byte before is no token byte now. */
            if (floor > b.base)
                b.tok &= ~((uint64_t)1 << (floor - b.base - 1));
        }
    }
done:
    flush(s);
    return line - 1;
}

/*
 * The loop compiled once for each block classifier, the classifier (a constant function
 * pointer) inlined: the AVX2 and AVX-512 copies make no call a block.
 */
static uint64_t scan_bytes_plain(struct rk_sweep_scanner *s, const char *p, size_t n)
{
    return scan_loop(s, p, n, block_masks);
}

#ifdef RK_SW_HAVE_AVX2
__attribute__((target("avx2" RK_SW_BMI))) static uint64_t
scan_bytes_avx2(struct rk_sweep_scanner *s, const char *p, size_t n)
{
    return scan_loop(s, p, n, block_masks_avx2);
}

__attribute__((target("avx512bw" RK_SW_BMI))) static uint64_t
scan_bytes_avx512(struct rk_sweep_scanner *s, const char *p, size_t n)
{
    return scan_loop(s, p, n, block_masks_avx512);
}
#endif

/* Scans data by the widest block classifier the CPU has; returns the number of newlines. */
static uint64_t scan_bytes(struct rk_sweep_scanner *s, const char *p, size_t n)
{
#ifdef RK_SW_HAVE_AVX2
    if (s->avx512)
        return scan_bytes_avx512(s, p, n);
    if (s->avx2)
        return scan_bytes_avx2(s, p, n);
#endif
    return scan_bytes_plain(s, p, n);
}

/* Internal entry of the run layer: scans one chunk with the given bases. */
uint64_t rk__sw_scan_chunk(struct rk_sweep_scanner *s, const char *p, size_t n, const char *file,
                           uint64_t line_base, uint64_t base_off, rk_sweep_hit_cb cb, void *ud,
                           int *stopped, uint64_t *long_tokens, uint64_t *hits);
uint64_t rk__sw_scan_chunk(struct rk_sweep_scanner *s, const char *p, size_t n, const char *file,
                           uint64_t line_base, uint64_t base_off, rk_sweep_hit_cb cb, void *ud,
                           int *stopped, uint64_t *long_tokens, uint64_t *hits)
{
    s->cb = cb;
    s->ud = ud;
    s->stopped = 0;
    s->file = file;
    s->line_base = line_base;
    s->base_off = base_off;
    s->seen_line = UINT64_MAX;
    s->nseen = 0;
    s->long_tokens = 0;
    s->hits = 0;
    s->chunk = p;
    s->chunk_len = n;
    s->chunk_end = p + n;
    uint64_t nl = scan_bytes(s, p, n);
    *stopped = s->stopped;
    *long_tokens = s->long_tokens;
    *hits = s->hits;
    return nl;
}

enum rk_status rk_sweep_scan(struct rk_sweep_scanner *s, const char *data, size_t len,
                             rk_sweep_hit_cb cb, void *user_data, uint64_t *lines)
{
    int stopped;
    uint64_t lt, hits;
    uint64_t nl = rk__sw_scan_chunk(s, data, len, NULL, 0, 0, cb, user_data, &stopped, &lt, &hits);
    if (lines != NULL)
        *lines = nl + (len > 0 && data[len - 1] != '\n');
    return stopped ? RK_ECONFLICT : RK_OK;
}
