/*
 * Internals of lib/correlate shared between its files (names rk__corr_*). The index keeps
 * every string once in an arena addressed by 32-bit offsets, values and objects in flat
 * arrays, and two open-addressing hash tables of 32-bit ids. A posting and an object's value
 * reference both pack a 29-bit number with a 3-bit relation, so one link costs four bytes in
 * each direction and nothing grows with pairs of objects.
 */
#ifndef RK_CORRELATE_INT_H
#define RK_CORRELATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "renkei/correlate.h"
#include "renkei/limits.h"

#define RK__CORR_REL_BITS     3u
#define RK__CORR_REL_MASK     7u
#define RK__CORR_PACK(n, rel) (((uint32_t)(n) << RK__CORR_REL_BITS) | (uint32_t)(rel))
#define RK__CORR_NUM(p)       ((p) >> RK__CORR_REL_BITS)
#define RK__CORR_REL(p)       ((enum rk_corr_rel)((p)&RK__CORR_REL_MASK))

/* ===== Hash table of ids ===== */

/* Slots hold id + 1 (0 is empty); the owner supplies hashing and comparison. */
struct rk__corr_htab {
    uint32_t *slots;
    uint32_t mask; /* slot count - 1 (a power of two), or 0 before the first insert */
    uint32_t used;
};

uint32_t rk__corr_hash(const void *data, size_t len, uint32_t seed);
void rk__corr_htab_free(struct rk__corr_htab *t);
/* Returns the slot of the entry equal to the key (eq(ctx, id) != 0), or the empty slot where it
 * would go. */
uint32_t *rk__corr_htab_find(const struct rk__corr_htab *t, uint32_t hash,
                             int (*eq)(const void *ctx, uint32_t id), const void *ctx);
/* Makes room for one more entry (doubles at 75 % load); `hash_of` gives an id's hash. */
enum rk_status rk__corr_htab_reserve(struct rk__corr_htab *t,
                                     uint32_t (*hash_of)(const void *ctx, uint32_t id),
                                     const void *ctx);

/* ===== Index ===== */

struct rk__corr_value {
    uint32_t str;      /* offset of the text in the arena */
    uint32_t len : 13; /* <= RK_MAX_CORR_VALUE */
    uint32_t type : 6; /* index into types[] (RK_MAX_CORR_TYPES = 64) */
    uint32_t wl : 8;   /* 0: not warninglisted; else 1 + index of the matching list */
    uint32_t capl : 5; /* posting capacity: 0 none, 1 inline, k >= 2: 1 << (k - 1) */
    uint32_t n;        /* postings */
    uint32_t hash;     /* of (type, text), kept so that a resize reads no text */
    union {
        uint32_t one;
        uint32_t *many;
    } post; /* packed (object number, relation of that object to this value) */
};

struct rk__corr_object {
    uint32_t str; /* offset of the id in the arena */
    uint32_t hash;
    uint16_t len;
    uint8_t kind;
    uint8_t live;
    uint32_t unit;  /* index into units */
    uint32_t n;     /* values held */
    uint32_t *vals; /* packed (value number, relation), sorted by value number */
    uint32_t sig;   /* 0: no narrative; else 1 + index into signatures */
};

struct rk_corr_index {
    uint32_t cap;
    int no_expand;
    const struct rk_corr_wlset *wl;

    char *arena; /* strings, each NUL-terminated */
    size_t arena_len, arena_cap;

    char *types[RK_MAX_CORR_TYPES];
    uint32_t ntypes;

    struct rk__corr_value *values;
    uint32_t nvalues, values_cap;
    struct rk__corr_htab vtab;

    struct rk__corr_object *objects;
    uint32_t nobjects, objects_cap, live;
    struct rk__corr_htab otab;

    uint32_t *units; /* arena offsets of unit ids */
    uint32_t nunits, units_cap;
    struct rk__corr_htab utab;

    size_t postings;
    size_t posting_bytes; /* allocated posting arrays and object value arrays */

    /* Narrative MinHash signatures and their LSH buckets (correlate-ngram.c). */
    uint32_t *sigs;      /* RK_CORR_MINHASH per signature */
    uint32_t *sig_owner; /* object number of each signature */
    uint32_t nsigs, sigs_cap;
    struct rk__corr_lsh *lsh;

    char errmsg[256];
};

static inline const char *rk__corr_vstr(const struct rk_corr_index *idx, uint32_t v)
{
    return idx->arena + idx->values[v].str;
}
static inline const char *rk__corr_ostr(const struct rk_corr_index *idx, uint32_t o)
{
    return idx->arena + idx->objects[o].str;
}
static inline const char *rk__corr_unit(const struct rk_corr_index *idx, uint32_t o)
{
    return idx->arena + idx->units[idx->objects[o].unit];
}
static inline const uint32_t *rk__corr_postings(const struct rk__corr_value *v)
{
    return v->capl <= 1 ? &v->post.one : v->post.many;
}

/* Looks up a value; returns its number or UINT32_MAX. */
uint32_t rk__corr_find_value(const struct rk_corr_index *idx, const char *type, const char *value);
/* Looks up a live object; returns its number or UINT32_MAX. */
uint32_t rk__corr_find_object(const struct rk_corr_index *idx, enum rk_corr_kind kind,
                              const char *id);
/* Whether value v links objects, and if not why (reason may be NULL). */
enum rk_corr_noise rk__corr_noise(const struct rk_corr_index *idx, uint32_t v, char *reason,
                                  size_t reason_len);
/* Inverse frequency of a value held by df objects among the live ones. */
double rk__corr_idf(const struct rk_corr_index *idx, uint32_t df);

/* Expands and looks up a list of values: appends packed (value, rel) of those the index holds,
 * deduplicated (strongest relation kept), to a growable array. */
struct rk__corr_refs {
    uint32_t *v;
    size_t n, cap;
};
void rk__corr_refs_free(struct rk__corr_refs *r);
enum rk_status rk__corr_resolve(const struct rk_corr_index *idx, const struct rk_corr_value *vals,
                                size_t n, struct rk__corr_refs *out);

/* ===== Narrative signatures (correlate-ngram.c) ===== */

/* Computes the signature of a text; returns 0 when it has no trigram. */
int rk__corr_minhash(const char *text, size_t len, uint32_t sig[RK_CORR_MINHASH]);
double rk__corr_sig_similarity(const uint32_t *a, const uint32_t *b);
enum rk_status rk__corr_lsh_add(struct rk_corr_index *idx, uint32_t sig_no);
void rk__corr_lsh_free(struct rk__corr_lsh *l);
/* Stores `sig` as the narrative signature of object `o` (replacing any earlier one). */
enum rk_status rk__corr_set_sig(struct rk_corr_index *idx, uint32_t o, const uint32_t *sig);
size_t rk__corr_lsh_bytes(const struct rk__corr_lsh *l);
/* Calls cb for every signature number sharing an LSH band with `sig` (may repeat). */
enum rk_status rk__corr_lsh_candidates(const struct rk_corr_index *idx, const uint32_t *sig,
                                       enum rk_status (*cb)(void *ud, uint32_t sig_no), void *ud);

/* ===== Warninglists (correlate-warninglist.c) ===== */

/* Returns 1 + the index of the first matching list, or 0. */
uint32_t rk__corr_wlset_match_no(const struct rk_corr_wlset *set, const char *type,
                                 const char *value);
const char *rk__corr_wlset_name(const struct rk_corr_wlset *set, uint32_t no);

/* ===== Address helpers (correlate-expand.c) ===== */

/* Parses "a.b.c.d" exactly (no leading zeros beyond "0"); 0 on success. */
int rk__corr_parse_ipv4(const char *s, size_t len, uint32_t *out);
/* Parses an IPv4 or IPv6 address or CIDR ("1.2.3.0/24", "2001:db8::/32"); a bare address has
 * the full prefix. family is 4 or 6; addr holds 16 bytes (IPv4 in the first 4). 0 on success. */
int rk__corr_parse_net(const char *s, size_t len, int *family, uint8_t addr[16], unsigned *prefix);

#endif
