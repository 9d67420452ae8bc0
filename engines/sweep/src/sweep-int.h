/*
 * Internals of the sweep engine shared between its files: the canonicaliser, the 64-bit
 * hash, the index image layout and the lookup functions used by the scanner.
 */
#ifndef RK_SWEEP_INT_H
#define RK_SWEEP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "renkei/limits.h"
#include "renkei/sweep.h"

#if defined(__SSE2__)
#include <emmintrin.h>

/* The bytes of v in [lo, hi] (0xff lanes), by signed compares: bytes >= 0x80 are negative and
 * fall outside every ASCII range. One spelling of the range test the classifiers repeat. */
static inline __m128i rk__sw_in_range16(__m128i v, char lo, char hi)
{
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1))));
}
#endif

/* ===== Canonicaliser (sweep-canon.c) ===== */

/* Character classes shared by the canonicaliser and the extractor. */
/* Hex digit values, -1 for other bytes; host-name byte classes (lower-case mapping, 0 for a
 * byte that may not appear in a label). Tables, because the extractor asks for every byte. */
extern const signed char rk__sw_hex_tab[256];
extern const unsigned char rk__sw_host_tab[256];

static inline int rk__sw_hexval(unsigned char c)
{
    return rk__sw_hex_tab[c];
}

/*
 * Reads the dotted-quad IPv4 address at the start of s[0, n) — four parts of one to three
 * digits, each at most 255, dots between — into *a (first part in the high byte) and sets *end
 * to the index just after it. Returns 0 when s does not start with one. What follows the
 * address is the caller's to judge (a fourth digit there makes no address of the whole).
 * Shared by rk__sw_parse_ip4() and the builder's fast path (sweep-canon-fast.c); inline
 * because the scanner calls it for many dotted runs that are no address.
 */
static inline int rk__sw_ip4_head(const char *s, size_t n, size_t *end, uint32_t *a)
{
    uint32_t r = 0;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        unsigned v, d;
        if (i >= n || (v = (unsigned)(unsigned char)s[i] - '0') > 9)
            return 0;
        i++;
        if (i < n && (d = (unsigned)(unsigned char)s[i] - '0') <= 9) {
            v = v * 10 + d;
            i++;
            if (i < n && (d = (unsigned)(unsigned char)s[i] - '0') <= 9) {
                v = v * 10 + d;
                i++;
            }
        }
        if (v > 255)
            return 0;
        r = r << 8 | v;
        if (part < 3) {
            if (i >= n || s[i] != '.')
                return 0;
            i++;
        }
    }
    *end = i;
    *a = r;
    return 1;
}

/* Parses a dotted-quad IPv4 address filling all of [s, s+n). Returns 1 and sets out[4]. */
int rk__sw_parse_ip4(const char *s, size_t n, uint8_t out[4]);
/* Parses an RFC 4291 IPv6 address (also with a trailing dotted quad). Returns 1 on success. */
int rk__sw_parse_ip6(const char *s, size_t n, uint8_t out[16]);
/* Formats an address; returns the length written (out must hold 16 / 40 bytes). */
size_t rk__sw_fmt_ip4(const uint8_t a[4], char *out);
size_t rk__sw_fmt_ip6(const uint8_t a[16], char *out);

/*
 * Canonicalises a host name into out (capacity `cap`): lower-case, trailing dot removed, IDN
 * converted to punycode, labels checked (1..63 bytes of [a-z0-9_-], total <= 253). With
 * `min_labels` the host must have at least that many labels and a last label that is not all
 * digits. Returns the length, or 0 when it is not a host name.
 */
size_t rk__sw_canon_host(const char *s, size_t n, int min_labels, char *out, size_t cap);

/* "The dots are not known" in rk__sw_canon_host_dots()'s *dots (no host has two dots
 * together, so no mask of one is all ones). */
#define RK__SW_DOTS_UNKNOWN (~(uint64_t)0)

/*
 * rk__sw_canon_host(), for the index builder: the same answer, and in *dots the mask of the
 * key's dots (bit i: out[i] is a dot) when the host took the 16-byte path (ASCII, up to 63
 * bytes after its trailing dot is dropped), else RK__SW_DOTS_UNKNOWN. The builder counts a
 * domain key's labels and finds its last three from the mask instead of reading the key again.
 */
size_t rk__sw_canon_host_dots(const char *s, size_t n, int min_labels, char *out, size_t cap,
                              uint64_t *dots);

/* Result of parsing a URL. */
struct rk__sw_url {
    size_t len;         /* canonical URL length in the caller's buffer */
    enum rk_sweep_type host_type; /* RK_SWEEP_DOMAIN, _IPV4 or _IPV6 */
    uint8_t addr[16];   /* the address for IP hosts */
    size_t host_off;    /* canonical host within the canonical URL (domain hosts) */
    size_t host_len;
    size_t consumed;    /* bytes of input up to the end of the authority */
};

/*
 * Parses and canonicalises the URL at [s, s+n) (the whole range is the URL): scheme and host
 * lower-cased, percent-encoded host decoded, default port dropped, empty http(s) path made "/",
 * fragment dropped, path and query as given. Returns 1 on success.
 */
int rk__sw_canon_url(const char *s, size_t n, char *out, size_t cap, struct rk__sw_url *u);

/* What rk__sw_canon_url() decides about a URL with a plain host (see rk__sw_url_parts()). */
struct rk__sw_url_parts {
    size_t consumed;              /* as rk__sw_url.consumed */
    enum rk_sweep_type host_type; /* RK_SWEEP_DOMAIN or RK_SWEEP_IPV4 */
    uint8_t addr[4];              /* the address of an IPv4 host */
    size_t host_off, host_len;    /* the host in the input, a name without its trailing dot;
                                   * letters as given (its canonical form lower-cases them) */
    int dotted;                   /* two labels or more (an address: 1) */
};

/* Byte masks of the first `len` (<= 64) bytes of a URL's authority, bit i for the byte i
 * after "://": '/' '?' '#' (the authority's end), '@', ':', '.', ASCII letters, and the bytes
 * of a plain host (letters, digits, '-', '_', '.'). Bits at len and above are ignored. */
struct rk__sw_url_masks {
    uint64_t end, at, colon, dot, letter, good;
    size_t len;
};

/*
 * The URL s[0, n) whose scheme is s[0, sl) (checked by the caller: a letter, then letters,
 * digits, + - .; "://" follows it); s[0, readable) may be read (readable >= n). Returns 1
 * with *u filled when rk__sw_canon_url() would accept the URL and its host is plain (ASCII
 * letters, digits, - _ . only: then the canonical host is the host lower-cased, or the
 * address); 0 when rk__sw_canon_url() would refuse it; -1 when only rk__sw_canon_url() can
 * tell (a percent-encoded, bracketed or non-ASCII host, an authority of more than 64 bytes).
 * In sweep-scan.c, with url_parts_of(), the same from the masks of the authority, which
 * the scanner makes while it looks for the URL's end.
 */
int rk__sw_url_parts(const char *s, size_t sl, size_t n, size_t readable,
                     struct rk__sw_url_parts *u);

/* The scanner's hex decoder (sweep-scan.c), for the tests: the SSE2 one (avx2 0) or the AVX2
 * one (1) on the n digits at p (32, 40 or 64) into d; 1 when all n are hex digits, 0 when
 * not, -1 when avx2 is asked of a CPU without it. */
int rk__sw_hex_digest(const char *p, size_t n, uint8_t *d, int avx2);

/* Canonicalises an e-mail address (lower-cased, domain checked). Returns length or 0. */
size_t rk__sw_canon_email(const char *s, size_t n, char *out, size_t cap);

/* Detects the type of an indicator value and canonicalises it into the binary/string form
 * stored in the index: out receives the key bytes, *plen the CIDR prefix length. Returns the
 * key length, or 0 when the value is not a supported indicator. `type` may be RK_SWEEP_NONE. */
size_t rk__sw_canon_indicator(const char *s, size_t n, enum rk_sweep_type *type, uint8_t *plen,
                              uint8_t *out, size_t cap);

/* ===== Builder (sweep-index.c) ===== */

/*
 * Puts the records of `part` (a builder that got rk_sweep_builder_add() calls only: no
 * metadata, never counted, built or written) behind `b`'s, as if they had been added to `b`
 * after its own: the loader reads a large file in two threads, each into its own builder, and
 * joins them in file order. The part's record blob and hashes are taken over whole (`b` keeps
 * them as a segment behind its own blob until something needs one piece), not copied.
 * Returns RK_OK, RK_EINVAL (not such a part), RK_ETOOBIG or RK_ENOMEM; `part` is left to
 * destroy either way (emptied of its records on success).
 */
enum rk_status rk__sw_builder_absorb(struct rk_sweep_builder *b, struct rk_sweep_builder *part);

/*
 * Gives `b` room for the records and hashes of `bytes` of a plain list about to be read into
 * it (the most such text makes), in transparent huge pages where the kernel has them. Only
 * sizes, and only a request: the builder's contents and the index do not depend on it, and
 * room it cannot get is left to the appends.
 */
void rk__sw_builder_presize(struct rk_sweep_builder *b, size_t bytes);

/* Asks for transparent huge pages over the 2 MiB pages inside a large buffer [p, p + n): its
 * first touches then cost a fault per 2 MiB instead of one per 4 KiB, and its random accesses
 * fewer TLB misses. Only a hint (the kernel's "madvise" mode of transparent huge pages gives
 * them to advised memory only). */
void rk__sw_hint_huge(void *p, size_t n);

/* ===== Hashing ===== */

static inline uint64_t rk__sw_mix(uint64_t h)
{
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    h ^= h >> 32;
    return h;
}

/*
 * The n < 8 bytes at p as a (little-endian) word with zeros above, by overlapping fixed-size
 * loads that read no byte past p + n (a variable-length copy costs a branch ladder): the same
 * value as copying them into a zeroed word. 0 for n = 0.
 */
static inline uint64_t rk__sw_word_short(const void *v, size_t n)
{
    const uint8_t *p = v;
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + n - 4, 4);
        return (uint64_t)lo | ((uint64_t)hi << (8 * (n - 4)));
    }
    if (n == 0)
        return 0;
    return (uint64_t)p[0] | ((uint64_t)p[n >> 1] << (8 * (n >> 1))) |
           ((uint64_t)p[n - 1] << (8 * (n - 1)));
}

/* The key hash of the index format (since version 1): over (type, plen, bytes). */
static inline uint64_t rk__sw_hash(unsigned type, unsigned plen, const uint8_t *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)type << 56) ^ ((uint64_t)plen << 48) ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        h = (h ^ rk__sw_word_short(p, n)) * 0xc4ceb9fe1a85ec53ull; /* the last 1..7 bytes */
        h ^= h >> 29;
    }
    return rk__sw_mix(h);
}

/* 12-bit hash of a last label, lower-cased as it goes (letters only are folded). */
static inline unsigned rk__sw_tld_bit(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 'A' && c <= 'Z')
            c |= 0x20;
        h = (h ^ c) * 16777619u;
    }
    return (h ^ (h >> 15)) & 4095u;
}

/* ===== Index image (sweep-index.c) ===== */

#define RK__SW_MAGIC "RKSWEEP\0"
#define RK__SW_VERSION      3u /* an index without metadata */
#define RK__SW_VERSION_META 4u /* the same, followed by the metadata section */
/* Versions 1 and 2 (the same layout, an older checksum) are refused: recompile them. */
#define RK__SW_VERSION_OLD_MAX 2u

/*
 * File layout, all little-endian, every section 8-byte aligned:
 *   header (struct rk__sw_header)
 *   slots: 2^log2_slots entries of uint64: (tag << 32) | record offset in 4-byte units,
 *          0 = empty (record offset 0 is a reserved dummy word)
 *   records: each { u8 type, u8 plen, u16 len, bytes[len] } padded to 4 bytes
 *   IPv4 prefilter: 2^k bits, one per /k network (12 <= k <= 24, about 16 bits an IPv4
 *   indicator), so a small index stays small and a large one filters by /24
 *   key prefilter (version 3): at the next multiple of 64 bytes, pf_lines lines of 64 bytes,
 *   a blocked Bloom filter, then the CIDR prefilter: 2^pf_cidr4_bits bits, one per network of
 *   that many bits, set when an IPv4 range touches it (sweep-prefilter.c)
 */
#define RK__SW_IP4F_BYTES ((size_t)1 << 21) /* the builder's /24 bitmap */
#define RK__SW_IP4F_MIN_BITS 12u
#define RK__SW_IP4F_MAX_BITS 24u
struct rk__sw_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint64_t file_size;
    uint64_t count;
    uint32_t log2_slots;
    uint32_t max_probe;      /* longest probe sequence of any key (bounds every lookup) */
    uint64_t slots_off;
    uint64_t records_off;
    uint64_t records_len;
    uint64_t ip4_filter_off; /* 2^ip4_filter_bits bits: bit n set when some IPv4 indicator or
                                CIDR touches the /k network n (a prefilter kept in cache) */
    uint32_t ip4_filter_bits; /* k */
    uint32_t sum_chunk_log2; /* the body checksum's chunk size (rk__sw_body_checksum) */
    uint64_t cidr4_mask;     /* bit p set: some IPv4 CIDR of prefix length p */
    uint64_t cidr6_mask[3];  /* bits 0..128 */
    uint32_t dom_min_labels; /* fewest labels of a domain indicator (0: no domains) */
    uint32_t dom_max_labels;
    /* Bit rk__sw_tld_bit(last label) set for every domain indicator's last label: a host whose
     * last label ("js", "exe", "local") ends no indicator needs no suffix lookups. */
    uint64_t tld_filter[64];
    uint64_t type_count[RK_SWEEP_TYPE_COUNT];
    /* Version 3: the key prefilter (sweep-prefilter.c). */
    uint64_t pf_off;         /* 64-byte aligned, right after the IPv4 prefilter */
    uint32_t pf_lines;       /* lines of 64 bytes, 1 .. RK__SW_PF_MAX_LINES */
    uint32_t pf_flags;       /* RK__SW_PF_*: which keys it holds */
    uint32_t pf_cidr4_bits;  /* RK__SW_IP4F_MIN_BITS .. RK__SW_IP4F_MAX_BITS */
    uint32_t pf_reserved;    /* 0 */
    uint64_t body_checksum;  /* rk__sw_body_checksum over [header_size, file_size) */
    uint64_t header_checksum; /* over the header with this field zero */
};

/*
 * Version 4 (2 before) adds a metadata section after the key prefilter (8-byte aligned, up to
 * the file's end):
 * this header, then `count` entries {u32 record offset in 4-byte units, u32 string offset}
 * sorted by record offset (each record at most once), then the strings: UTF-8, each ended by a
 * NUL, the section's last string byte a NUL. Identical strings are stored once. A hit finds its
 * metadata by a binary search over the entries: hits are rare, so nothing on the hot path
 * changes and an index without metadata (version 3) has no such section.
 */
#define RK__SW_META_MAGIC "RKSWMETA"
struct rk__sw_meta_header {
    char magic[8];
    uint64_t count;
    uint64_t entries_off; /* from the section's start */
    uint64_t strings_off; /* from the section's start */
    uint64_t strings_len;
};

struct rk_sweep_index {
    const uint8_t *base;
    size_t size;
    const struct rk__sw_header *h;
    const uint64_t *slots;
    uint64_t mask;
    uint32_t max_probe;
    const uint8_t *rec;
    uint64_t rec_len;
    const uint64_t *ip4f;
    unsigned ip4f_shift; /* 32 - k */
    /* Bit n set when some bit of the IPv4 prefilter within the /16 network n is set: made from
     * ip4f at open (rk__sw_ip4f16_make()), not stored in the file. 8 KiB that stay in cache,
     * where ip4f (2 MiB at k = 24) does not: a large index rules out most addresses of a log
     * (private networks, networks no indicator is in) by this one bit before it queues them
     * for the ip4f test. */
    uint64_t ip4f16[1024];
    const uint64_t *pf;  /* the key prefilter, 8 words a line */
    uint64_t pf_lines;
    const uint64_t *c4f; /* the CIDR prefilter */
    unsigned c4f_shift;  /* 32 - pf_cidr4_bits */
    const uint32_t *meta_ent; /* version 4: 2 words an entry */
    uint64_t meta_count;
    const char *meta_str;
    uint64_t meta_str_len; /* the last byte is a NUL (checked at open) */
    uint64_t meta_size;    /* bytes of the metadata section */
    void *owned;      /* rk_malloc'd image, or NULL */
    void *map;        /* mmap'd image, or NULL */
    /* The hot sections' copy in huge pages (rk__sw_hot_copy()), or NULL: ip4f, pf and c4f
     * point into it; hot_map/hot_map_len is the anonymous mapping to unmap. */
    void *hot_map;
    size_t hot_map_len;
};

/*
 * Where the index lies in memory (docs/sweep.md). The scan probes the IPv4 prefilter, the key
 * prefilter and the CIDR bitmap (22 MB at 10M indicators) at random, several times a line:
 * mapped in 4 KiB pages (an index cached before it was opened with MADV_HUGEPAGE, e.g. copied
 * with cp) nearly every probe misses the TLB, and a page walk in this VM costs about as much
 * as the cache miss. When these sections are RK__SW_HOT_MIN_BYTES or more and not already
 * PMD-mapped, the open copies them into 2 MiB-aligned anonymous memory advised MADV_HUGEPAGE
 * and points the index there; when the copy cannot be made or gets no huge pages the mapping
 * is used as before. RK_SWEEP_HOT_COPY=1 forces the copy (the tests), =0 turns it off.
 */
#define RK__SW_HOT_MIN_BYTES ((uint64_t)4 << 20)
/* Makes the copy for an opened mapping (ix->map set); returns 1 when the index now uses it. */
int rk__sw_hot_copy(struct rk_sweep_index *ix);
/* Bytes of p[0, n) that are mapped by huge (PMD) entries, or -1 when the kernel cannot say
 * (PAGEMAP_SCAN, Linux 6.7). Pages not present count as not huge. */
long long rk__sw_huge_bytes(const void *p, size_t n);

/* Fills ix->ip4f16 from ix->ip4f and ix->ip4f_shift (sweep-prefilter.c). */
void rk__sw_ip4f16_make(struct rk_sweep_index *ix);

/* ===== Checksum (sweep-sum.c) ===== */

/* The 64-bit checksum of the format (versions 3 and 4): rk__sw_checksum picks the AVX2 path
 * when the CPU has it; both paths compute the same value (the tests compare them). */
uint64_t rk__sw_checksum(const void *p, size_t n);
uint64_t rk__sw_checksum_scalar(const void *p, size_t n);
uint64_t rk__sw_checksum_avx2(const void *p, size_t n); /* scalar where there is no AVX2 */
int rk__sw_checksum_has_avx2(void);

/*
 * The body checksum: the body cut into chunks of 2^sum_chunk_log2 bytes (the last one
 * shorter), one rk__sw_checksum a chunk, and the body's checksum rk__sw_checksum over those
 * (8 little-endian bytes each, in order). The chunks are independent, so `threads` threads
 * verify one file (each first maps its part with MADV_POPULATE_READ when `populate`); below
 * RK__SW_SUM_THREAD_MIN_BYTES one thread does it all. The writer picks the smallest chunk
 * size of at least 2^RK__SW_SUM_CHUNK_MIN_LOG2 bytes that makes at most
 * RK__SW_SUM_MAX_CHUNKS chunks (rk__sw_sum_chunk_log2), so the reader needs no allocation.
 */
#define RK__SW_SUM_CHUNK_MIN_LOG2 22u /* 4 MiB */
#define RK__SW_SUM_CHUNK_MAX_LOG2 40u
#define RK__SW_SUM_MAX_CHUNKS 256u
#define RK__SW_SUM_MAX_THREADS 4u
#define RK__SW_SUM_THREAD_MIN_BYTES ((size_t)16 << 20)
unsigned rk__sw_sum_chunk_log2(uint64_t body_len);
int rk__sw_sum_chunks_ok(uint64_t body_len, unsigned log2);
uint64_t rk__sw_body_checksum(const void *body, size_t n, unsigned log2, unsigned threads,
                              int populate);
/* The threads a verify uses: the CPUs online, at most RK__SW_SUM_MAX_THREADS. */
unsigned rk__sw_sum_threads(void);

/* ===== Key prefilter (sweep-prefilter.c) ===== */

/*
 * A blocked Bloom filter over five kinds of keys: the last two labels of every domain
 * indicator (when every domain indicator has two labels or more; three, and the suffix's
 * mark, under a two-label public suffix: RK__SW_PF_DOM3), the host of every URL
 * indicator, every IPv4 address indicator, every hash indicator (RK__SW_PF_HASH) and every
 * e-mail indicator (RK__SW_PF_EMAIL; an index written before those two lacks their flags and
 * the scanner looks such tokens up as before). A key sets 4 bits of one 64-byte line, so a
 * query reads one cache line. A host whose last two labels are not in it needs no
 * canonicalisation and no suffix lookups; a URL whose host is not in it needs no URL lookup;
 * an IPv4 address, a digest or an e-mail address not in it needs no lookup (an e-mail
 * address not even its canonical form). Then a bitmap of the networks IPv4
 * ranges touch: an address outside needs no range lookups. Computed from the records when the
 * image is written.
 */
#define RK__SW_PF_DOMAIN 1u  /* holds the last two labels of every domain indicator */
#define RK__SW_PF_URL    2u  /* holds the host of every URL indicator */
#define RK__SW_PF_IP4    4u  /* holds every IPv4 address indicator */
#define RK__SW_PF_HASH   8u  /* holds every MD5, SHA-1 and SHA-256 indicator */
#define RK__SW_PF_EMAIL  16u /* holds every e-mail indicator */
/* The domain key of a name under a two-label public suffix (rk__sw_pf_sfx2()) is its last
 * THREE labels ("mal.co.jp" for "www.mal.co.jp"), so that one indicator under "co.jp" does
 * not let every "co.jp" host of a log through; with it the suffix's mark (the suffix hashed
 * as RK__SW_PF_KEY_SFX: some indicator lies under it), so that the hosts under a suffix no
 * indicator has are still all answered by one cached test. Set with RK__SW_PF_DOMAIN by
 * every builder since; an index without it holds two-label keys only and is scanned as
 * before. */
#define RK__SW_PF_DOM3 32u
/* Some domain indicator has exactly two labels and they are such a suffix ("co.jp" itself, or
 * a real domain the rule catches): its two-label key is in the filter (it has no third label)
 * and the scanner also tests the two-label key of a host under such a suffix, only then. */
#define RK__SW_PF_DOM2 64u
#define RK__SW_PF_ALL                                                                              \
    (RK__SW_PF_DOMAIN | RK__SW_PF_URL | RK__SW_PF_IP4 | RK__SW_PF_HASH | RK__SW_PF_EMAIL |         \
     RK__SW_PF_DOM3 | RK__SW_PF_DOM2)
#define RK__SW_PF_MAX_LINES (1u << 26) /* 4 GiB: far above any index the limits allow */
#define RK__SW_PF_BITS_PER_KEY 16u

enum {
    RK__SW_PF_KEY_REG = 1,
    RK__SW_PF_KEY_URLHOST = 2,
    RK__SW_PF_KEY_IP4 = 3,
    RK__SW_PF_KEY_EMAIL = 4,
    RK__SW_PF_KEY_SFX = 5 /* a two-label suffix some domain indicator of 3+ labels is under */
};

/* Key hash of p[0, n), ASCII letters folded to lower case (a raw host and its canonical form
 * hash the same; bytes outside host names are only ever compared with themselves). Keys are
 * short (two labels, a host, 4 bytes): up to 16 bytes are read as two overlapping words, so a
 * key costs two multiplications and the final mix. Kind and length enter through the seed,
 * the data through multiplications, so neither cancels against the other. */
static inline uint64_t rk__sw_pf_hash(unsigned kind, const char *p, size_t n)
{
    const uint64_t fold = 0x2020202020202020ull; /* 'A'-'Z' become 'a'-'z' */
    uint64_t h = (0x243f6a8885a308d3ull * (2u * (uint64_t)kind + 1u)) ^ ((uint64_t)n << 40);
    uint64_t a = 0, b = 0;
    while (n > 16) {
        memcpy(&a, p, 8);
        h = (h ^ ((a | fold) * 0xff51afd7ed558ccdull)) * 0xc4ceb9fe1a85ec53ull;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    if (n >= 8) {
        memcpy(&a, p, 8);
        memcpy(&b, p + n - 8, 8);
    } else if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + n - 4, 4);
        a = lo;
        b = hi;
    } else if (n > 0) {
        a = (uint64_t)(unsigned char)p[0] | (uint64_t)(unsigned char)p[n >> 1] << 8 |
            (uint64_t)(unsigned char)p[n - 1] << 16;
    }
    h ^= (a | fold) * 0xff51afd7ed558ccdull;
    h ^= ((b | fold) * 0xc4ceb9fe1a85ec53ull) >> 17 | ((b | fold) * 0xc4ceb9fe1a85ec53ull) << 47;
    return rk__sw_mix(h);
}

/* The prefilter hash of a hash indicator's key d (16, 20 or 32 bytes of an MD5, SHA-1 or
 * SHA-256 digest; `type` its RK_SWEEP_* type). Digests are already random, so no hash over
 * them is needed: their first 16 bytes are folded with one multiplication (the line comes from
 * the high half, the bits from the low one, each depending on both words), the type in the
 * seed. A feed of made-up digests ("000…0001") only loses filtering, never a hit. */
static inline uint64_t rk__sw_pf_hash_digest(unsigned type, const uint8_t *d)
{
    uint64_t a, b;
    memcpy(&a, d, 8);
    memcpy(&b, d + 8, 8);
    uint64_t h =
        ((a ^ (0x243f6a8885a308d3ull * (2u * (uint64_t)type + 1u))) * 0x9e3779b97f4a7c15ull) ^ b;
    return h ^ (h >> 32);
}

/* The offset of the last two labels of the host p[0, n) (0 when it has one or two). */
static inline size_t rk__sw_pf_reg_start(const char *p, size_t n)
{
    size_t st = n;
    int dots = 0;
    while (st > 0) {
        if (p[st - 1] == '.' && ++dots == 2)
            break;
        st--;
    }
    return st;
}

/*
 * Whether the last two labels p[0, n) of a name ("co.jp") are a two-label public suffix for
 * the key prefilter: a last label of two ASCII letters (a country code) under one of the
 * second-level labels that registries use for their public suffixes — the Japanese "co ne or
 * go ac ad ed gr lg" and the common "com net org gov edu" (with "ac", "co": co.uk, com.au,
 * ac.kr). A fixed list on the bytes alone, ASCII case folded (a raw host of a log and its
 * canonical form give the same answer), so that the builder and the scanner always agree.
 * A name the rule catches by mistake ("go.to") only gets a longer key; exactness never
 * depends on the list (RK__SW_PF_DOM2).
 */
static inline int rk__sw_pf_sfx2(const char *p, size_t n)
{
    if (n != 5 && n != 6)
        return 0;
    unsigned char t0 = (unsigned char)p[n - 2] | 0x20, t1 = (unsigned char)p[n - 1] | 0x20;
    if (p[n - 3] != '.' || t0 < 'a' || t0 > 'z' || t1 < 'a' || t1 > 'z')
        return 0;
    /* The second-level label folded, as one word (bytes | 0x20: only letters fold to letters). */
    uint32_t a =
        (uint32_t)((unsigned char)p[0] | 0x20) << 16 | (uint32_t)((unsigned char)p[1] | 0x20) << 8;
    if (n == 6)
        a |= (unsigned char)p[2] | 0x20;
#define RK__SW_SL2(x, y)    ((uint32_t)(x) << 16 | (uint32_t)(y) << 8)
#define RK__SW_SL3(x, y, z) ((uint32_t)(x) << 16 | (uint32_t)(y) << 8 | (uint32_t)(z))
    if (n == 5) {
        switch (a) {
        case RK__SW_SL2('a', 'c'):
        case RK__SW_SL2('a', 'd'):
        case RK__SW_SL2('c', 'o'):
        case RK__SW_SL2('e', 'd'):
        case RK__SW_SL2('g', 'o'):
        case RK__SW_SL2('g', 'r'):
        case RK__SW_SL2('l', 'g'):
        case RK__SW_SL2('n', 'e'):
        case RK__SW_SL2('o', 'r'):
            return 1;
        default:
            return 0;
        }
    }
    switch (a) {
    case RK__SW_SL3('c', 'o', 'm'):
    case RK__SW_SL3('n', 'e', 't'):
    case RK__SW_SL3('o', 'r', 'g'):
    case RK__SW_SL3('g', 'o', 'v'):
    case RK__SW_SL3('e', 'd', 'u'):
        return 1;
    default:
        return 0;
    }
#undef RK__SW_SL2
#undef RK__SW_SL3
}

/* The offset of the domain key of the canonical name k[0, n) for a filter with
 * RK__SW_PF_DOM3: its last three labels under a two-label suffix, else its last two (the
 * whole name when it has fewer). */
static inline size_t rk__sw_pf_dom_start(const char *k, size_t n)
{
    size_t st = rk__sw_pf_reg_start(k, n);
    if (st > 0 && rk__sw_pf_sfx2(k + st, n - st)) {
        st--; /* the dot before the two labels */
        while (st > 0 && k[st - 1] != '.')
            st--;
    }
    return st;
}

/* The line of a key: the hash's high 32 bits scaled to the line count (any count, so that
 * the filter gets exactly its bits a key). */
static inline uint64_t rk__sw_pf_line_of(uint64_t h, uint64_t lines)
{
    return ((h >> 32) * lines) >> 32;
}

static inline const uint64_t *rk__sw_pf_line(const struct rk_sweep_index *ix, uint64_t h)
{
    return ix->pf + 8 * rk__sw_pf_line_of(h, ix->pf_lines);
}

/* The 4 bits of a key in its line, 9 bits each from the low half of its hash (independent of
 * the line), as a bit mask per word of the line. */
static inline uint64_t rk__sw_pf_bits(uint64_t h)
{
    return (uint64_t)(uint32_t)h * 0x9e3779b97f4a7c15ull;
}

/* Whether the key of hash h may be in the filter (its line is `line`). */
static inline int rk__sw_pf_test(const uint64_t *line, uint64_t h)
{
    uint64_t g = rk__sw_pf_bits(h);
    unsigned b0 = (unsigned)(g >> 28) & 511u, b1 = (unsigned)(g >> 37) & 511u,
             b2 = (unsigned)(g >> 46) & 511u, b3 = (unsigned)(g >> 55);
    return (int)((line[b0 >> 6] >> (b0 & 63)) & (line[b1 >> 6] >> (b1 & 63)) &
                 (line[b2 >> 6] >> (b2 & 63)) & (line[b3 >> 6] >> (b3 & 63)) & 1);
}

/* The word of the CIDR prefilter that holds the network of the address a (network byte
 * order), and in *bit its bit. */
static inline const uint64_t *rk__sw_c4f_word(const struct rk_sweep_index *ix,
                                              const uint8_t *a, unsigned *bit)
{
    uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    uint32_t nk = v >> ix->c4f_shift;
    *bit = nk % 64;
    return &ix->c4f[nk / 64];
}

/* The host of a canonical URL u[0, n): *off and the length (0 when there is none). */
size_t rk__sw_url_host(const char *u, size_t n, size_t *off);

/* The filter's lines, flags and CIDR bitmap resolution for an index of these counts. */
uint32_t rk__sw_pf_lines(const uint64_t *type_count, uint32_t dom_min_labels);
uint32_t rk__sw_pf_flags(const uint64_t *type_count, uint32_t dom_min_labels);
/* The keys a filter of these flags holds (one a domain, URL, IPv4, hash and e-mail
 * indicator of the kinds the flags name). */
uint64_t rk__sw_pf_keys(const uint64_t *type_count, uint32_t flags);
/* The prefilter hashes of the canonical key k[0, n) of `type` into h[0 .. 2): how many, 0
 * when that type has no key in the filter, 2 for a domain under a two-label suffix (its
 * three-label key, then the suffix's mark), else 1 (the builder and the walk over the
 * records both use it). */
#define RK__SW_PF_KEY_HASHES_MAX 2
int rk__sw_pf_key_hash(unsigned type, const char *k, size_t n, uint64_t *h);
uint32_t rk__sw_pf_cidr4_bits(const uint64_t *type_count);
/* Bytes of the section (the Bloom lines and the CIDR bitmap). */
static inline uint64_t rk__sw_pf_size(uint64_t lines, uint32_t cidr4_bits)
{
    return 64 * lines + ((uint64_t)1 << cidr4_bits) / 8;
}
/* Fills the section at `sec` (rk__sw_pf_size() bytes, zeroed) from the records
 * rec[0, rec_len). */
void rk__sw_pf_fill(uint64_t *sec, uint32_t lines, uint32_t flags, uint32_t cidr4_bits,
                    const uint64_t *type_count, const uint8_t *rec, size_t rec_len);
/* The same section from what the builder kept as the records came: pv[0, n) the prefilter
 * hashes of the keys (each key the section holds at least once, and no other), c24 the /24
 * networks of the IPv4 ranges (NULL: none). Two threads, each owning half the lines. */
void rk__sw_pf_fill_hashes(uint64_t *sec, uint32_t lines, uint32_t cidr4_bits,
                           const uint64_t *pv, uint64_t n, const uint64_t *c24);

/* Looks up a key. Returns the record offset in bytes (> 0) or 0. */
static inline uint64_t rk__sw_lookup(const struct rk_sweep_index *ix, uint64_t h, unsigned type,
                                     unsigned plen, const uint8_t *key, size_t n)
{
    uint64_t i = h & ix->mask;
    uint32_t tag = (uint32_t)(h >> 32);
    for (uint32_t k = 0; k <= ix->max_probe; k++) {
        uint64_t e = ix->slots[i];
        if (e == 0)
            return 0;
        if ((uint32_t)(e >> 32) == tag) {
            uint64_t off = (e & 0xffffffffu) * 4;
            if (off + 4 <= ix->rec_len) {
                const uint8_t *r = ix->rec + off;
                size_t rn = (size_t)r[2] | ((size_t)r[3] << 8);
                if (r[0] == type && r[1] == plen && rn == n && off + 4 + rn <= ix->rec_len &&
                    memcmp(r + 4, key, n) == 0)
                    return off;
            }
        }
        i = (i + 1) & ix->mask;
    }
    return 0;
}

/* Prefetches the slots a lookup of hash h reads: its first slot's line and the next one. A
 * table is filled to about 0.6, so a probe that ends at an empty slot reads 3.5 slots on
 * average, and about a quarter of the probes of a 10M index cross into the next line (9 % from
 * a line's first slot, 59 % from its last): that second line was the miss flush() waited for. */
static inline void rk__sw_prefetch(const struct rk_sweep_index *ix, uint64_t h)
{
    __builtin_prefetch(&ix->slots[h & ix->mask]);
    __builtin_prefetch(&ix->slots[(h + 8) & ix->mask]);
}

/* The metadata string of the record at byte offset `off`, or NULL. */
const char *rk__sw_meta(const struct rk_sweep_index *ix, uint64_t off);

/* Formats the indicator of the record at `off` (canonical text) into out; returns its length.
 * `out` must hold RK_MAX_SWEEP_INDICATOR + 8 bytes. */
size_t rk__sw_record_text(const struct rk_sweep_index *ix, uint64_t off, char *out,
                          enum rk_sweep_type *type);

#endif
