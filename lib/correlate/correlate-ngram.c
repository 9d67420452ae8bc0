/*
 * Narrative similarity: MinHash signatures over character trigrams and an LSH table to find
 * candidates without comparing against every narrative.
 *
 * Why character trigrams of code points: Japanese has no spaces, and a word segmenter would
 * add a dictionary dependency for a weak signal; trigrams of characters catch the same
 * phrases ("ウイルスに感染しました", a fraudster's script) whatever the script. Before
 * shingling, ASCII and full-width letters are folded to lower-case ASCII and white space and
 * punctuation are dropped, so layout and 全角/半角 differences do not matter.
 *
 * The signature is RK_CORR_MINHASH 32-bit minima; the LSH table cuts it into 16 bands of 4 rows,
 * so two texts with Jaccard similarity 0.5 share a band with probability about 0.65 and texts
 * at 0.3 with about 0.12; every candidate is then checked against its signature.
 */
#include "renkei/correlate.h"

#include <string.h>

#include "correlate/correlate-int.h"
#include "renkei/alloc.h"

#define LSH_BANDS 16u
#define LSH_ROWS  (RK_CORR_MINHASH / LSH_BANDS)

struct lsh_entry {
    uint32_t key;
    uint32_t sig_no;
    uint32_t next; /* 1 + index of the next entry of the bucket, 0 = end */
};

struct rk__corr_lsh {
    uint32_t *heads; /* 1 + index of the first entry, 0 = empty */
    uint32_t mask;
    struct lsh_entry *entries;
    uint32_t n, cap;
};

/* ===== Shingling ===== */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Decodes one UTF-8 sequence; returns its length, or 1 with *cp = 0 for an invalid byte. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2;
        v = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3;
        v = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4;
        v = c & 0x07;
    } else {
        *cp = 0;
        return 1;
    }
    if (n > len) {
        *cp = 0;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *cp = 0;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3f);
    }
    *cp = v;
    return n;
}

/* Folds a code point; returns 0 for one that is dropped (space, punctuation, invalid). */
static uint32_t fold(uint32_t c)
{
    if (c >= 0xff01 && c <= 0xff5e) /* full-width ASCII */
        c -= 0xfee0;
    if (c == 0x3000) /* ideographic space */
        return 0;
    if (c < 0x80) {
        if (c >= 'A' && c <= 'Z')
            return c + 32;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            return c;
        return 0;
    }
    if ((c >= 0x3000 && c <= 0x303f) || (c >= 0x2000 && c <= 0x206f) || c == 0x30fb ||
        (c >= 0xff5f && c <= 0xff65))
        return 0; /* CJK and general punctuation, 中黒, half-width brackets */
    return c;
}

int rk__corr_minhash(const char *text, size_t len, uint32_t sig[RK_CORR_MINHASH])
{
    const unsigned char *s = (const unsigned char *)text;
    uint32_t w[3] = {0, 0, 0};
    size_t have = 0;
    int any = 0;
    for (unsigned k = 0; k < RK_CORR_MINHASH; k++)
        sig[k] = UINT32_MAX;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += utf8_next(s + i, len - i, &cp);
        cp = fold(cp);
        if (cp == 0)
            continue;
        w[0] = w[1];
        w[1] = w[2];
        w[2] = cp;
        if (++have < 3)
            continue;
        uint64_t h = mix64(((uint64_t)w[0] << 42) ^ ((uint64_t)w[1] << 21) ^ w[2]);
        any = 1;
        /* One base hash per trigram, then one cheap remix per function: a 64-bit multiply by
         * an odd per-function constant and a shift keeps the functions independent enough
         * for a similarity estimate at a fraction of the cost of 64 full hashes. */
        for (unsigned k = 0; k < RK_CORR_MINHASH; k++) {
            uint64_t x = (h ^ (0x9e3779b97f4a7c15ULL * (k + 1))) * 0xd6e8feb86659fd93ULL;
            uint32_t v = (uint32_t)(x >> 32);
            if (v < sig[k])
                sig[k] = v;
        }
    }
    return any;
}

double rk__corr_sig_similarity(const uint32_t *a, const uint32_t *b)
{
    unsigned same = 0;
    for (unsigned k = 0; k < RK_CORR_MINHASH; k++)
        same += a[k] == b[k];
    return (double)same / RK_CORR_MINHASH;
}

double rk_corr_text_similarity(const char *a, size_t alen, const char *b, size_t blen)
{
    uint32_t sa[RK_CORR_MINHASH], sb[RK_CORR_MINHASH];
    if (!rk__corr_minhash(a, alen, sa) || !rk__corr_minhash(b, blen, sb))
        return 0.0;
    return rk__corr_sig_similarity(sa, sb);
}

/* ===== LSH table ===== */

static uint32_t band_key(const uint32_t *sig, unsigned band)
{
    return rk__corr_hash(sig + band * LSH_ROWS, LSH_ROWS * sizeof *sig, band + 1);
}

void rk__corr_lsh_free(struct rk__corr_lsh *l)
{
    if (l == NULL)
        return;
    rk_free(l->heads);
    rk_free(l->entries);
    rk_free(l);
}

size_t rk__corr_lsh_bytes(const struct rk__corr_lsh *l)
{
    if (l == NULL)
        return 0;
    return sizeof *l + ((size_t)l->mask + 1) * sizeof *l->heads +
           (size_t)l->cap * sizeof *l->entries;
}

static enum rk_status lsh_grow(struct rk__corr_lsh *l)
{
    uint32_t nb = l->heads == NULL ? 1024 : (l->mask + 1) * 2;
    uint32_t *heads = rk_calloc(nb, sizeof *heads);
    if (heads == NULL)
        return RK_ENOMEM;
    for (uint32_t i = 0; i < l->n; i++) {
        uint32_t b = l->entries[i].key & (nb - 1);
        l->entries[i].next = heads[b];
        heads[b] = i + 1;
    }
    rk_free(l->heads);
    l->heads = heads;
    l->mask = nb - 1;
    return RK_OK;
}

enum rk_status rk__corr_lsh_add(struct rk_corr_index *idx, uint32_t sig_no)
{
    if (idx->lsh == NULL) {
        idx->lsh = rk_calloc(1, sizeof *idx->lsh);
        if (idx->lsh == NULL)
            return RK_ENOMEM;
    }
    struct rk__corr_lsh *l = idx->lsh;
    if (l->n + LSH_BANDS > l->cap) {
        uint32_t nc = l->cap == 0 ? 1024 : l->cap * 2;
        struct lsh_entry *ne = rk_reallocarray(l->entries, nc, sizeof *ne);
        if (ne == NULL)
            return RK_ENOMEM;
        l->entries = ne;
        l->cap = nc;
    }
    if (l->heads == NULL || l->n + LSH_BANDS > l->mask + 1) {
        enum rk_status rc = lsh_grow(l);
        if (rc != RK_OK)
            return rc;
    }
    const uint32_t *sig = idx->sigs + (size_t)sig_no * RK_CORR_MINHASH;
    for (unsigned b = 0; b < LSH_BANDS; b++) {
        struct lsh_entry *e = &l->entries[l->n];
        e->key = band_key(sig, b);
        e->sig_no = sig_no;
        e->next = l->heads[e->key & l->mask];
        l->heads[e->key & l->mask] = ++l->n;
    }
    return RK_OK;
}

enum rk_status rk__corr_lsh_candidates(const struct rk_corr_index *idx, const uint32_t *sig,
                                       enum rk_status (*cb)(void *ud, uint32_t sig_no), void *ud)
{
    const struct rk__corr_lsh *l = idx->lsh;
    if (l == NULL || l->heads == NULL)
        return RK_OK;
    for (unsigned b = 0; b < LSH_BANDS; b++) {
        uint32_t key = band_key(sig, b);
        for (uint32_t e = l->heads[key & l->mask]; e != 0; e = l->entries[e - 1].next) {
            if (l->entries[e - 1].key != key)
                continue;
            enum rk_status rc = cb(ud, l->entries[e - 1].sig_no);
            if (rc != RK_OK)
                return rc;
        }
    }
    return RK_OK;
}

/* ===== Signatures of objects ===== */

enum rk_status rk__corr_set_sig(struct rk_corr_index *idx, uint32_t o, const uint32_t *sig)
{
    struct rk__corr_object *obj = &idx->objects[o];
    uint32_t no;
    if (obj->sig != 0) {
        /* Overwrite in place; the old LSH entries become stale and are filtered out at query
         * time because every candidate is checked against its current signature. */
        no = obj->sig - 1;
    } else {
        if (idx->nsigs == idx->sigs_cap) {
            uint32_t nc = idx->sigs_cap == 0 ? 256 : idx->sigs_cap * 2;
            uint32_t *ns = rk_reallocarray(idx->sigs, (size_t)nc * RK_CORR_MINHASH, sizeof *ns);
            if (ns == NULL)
                return RK_ENOMEM;
            idx->sigs = ns;
            uint32_t *no2 = rk_reallocarray(idx->sig_owner, nc, sizeof *no2);
            if (no2 == NULL)
                return RK_ENOMEM;
            idx->sig_owner = no2;
            idx->sigs_cap = nc;
        }
        no = idx->nsigs;
    }
    memcpy(idx->sigs + (size_t)no * RK_CORR_MINHASH, sig, RK_CORR_MINHASH * sizeof *sig);
    idx->sig_owner[no] = o;
    enum rk_status rc = rk__corr_lsh_add(idx, no);
    if (rc != RK_OK)
        return rc;
    if (obj->sig == 0)
        idx->nsigs++;
    obj->sig = no + 1;
    return RK_OK;
}

enum rk_status rk_corr_index_set_text(struct rk_corr_index *idx, enum rk_corr_kind kind,
                                      const char *object_id, const char *text, size_t len)
{
    uint32_t o = rk__corr_find_object(idx, kind, object_id);
    if (o == UINT32_MAX)
        return RK_ENOTFOUND;
    uint32_t sig[RK_CORR_MINHASH];
    if (text == NULL || !rk__corr_minhash(text, len, sig)) {
        /* The signature slot stays allocated but unowned (not reused: narratives are rarely
         * removed, and a rebuild compacts); its LSH entries are stale. */
        if (idx->objects[o].sig != 0)
            idx->sig_owner[idx->objects[o].sig - 1] = UINT32_MAX;
        idx->objects[o].sig = 0;
        return RK_OK;
    }
    return rk__corr_set_sig(idx, o, sig);
}
