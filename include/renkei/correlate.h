/*
 * Correlation by value: an index from (type, canonical value) to the objects (reports, cases,
 * sightings, sources) that hold it, with related-value expansion (URL -> host -> registrable
 * domain, IP -> /24 and /16, e-mail -> domain), noise control (warninglists and an
 * over-correlation cap), ranked and explained related objects behind a need-to-know hook,
 * narrative similarity by character-trigram MinHash, and clustering into candidate groups
 * with stable identity for confirmed ones.
 *
 * The index grows with the number of values and of (value, object) postings, never with pairs
 * of objects: "where else is this?" is one lookup. It does not canonicalise: callers pass the
 * type name and the canonical string produced by lib/model (renkei/obs.h). The store persists
 * it as the table described in docs/correlation.md and rebuilds the in-memory form at start-up.
 *
 * Thread-safety: an index or a warninglist set may be read (queries, clustering) from several
 * threads at once when no thread modifies it; writes need exclusive access (the caller holds a
 * read-write lock). Result objects belong to the caller and are independent of the index.
 */
#ifndef RENKEI_CORRELATE_H
#define RENKEI_CORRELATE_H

#include <stddef.h>
#include <stdint.h>

#include "renkei/buf.h"
#include "renkei/limits.h" /* RK_CORR_MINHASH: the length of a narrative signature */
#include "renkei/status.h"

/* ===== Objects and relations ===== */

/* The kinds of object that hold values. */
enum rk_corr_kind {
    RK_CORR_REPORT = 1,
    RK_CORR_CASE,
    RK_CORR_SIGHTING,
    RK_CORR_SOURCE,
};
/* "report", "case", "sighting", "source"; NULL for an invalid kind. */
const char *rk_corr_kind_name(enum rk_corr_kind k);
/* The inverse; 0 for an unknown name. */
enum rk_corr_kind rk_corr_kind_from_name(const char *name);

/*
 * How an object holds a value: as written (SAME) or derived from one of its values. Derived
 * links weigh less than direct ones (rk_corr_rel_weight()).
 */
enum rk_corr_rel {
    RK_CORR_REL_SAME = 0,     /* the value itself */
    RK_CORR_REL_HOST,         /* the host of a URL (type "domain", "ipv4" or "ipv6") */
    RK_CORR_REL_REGDOMAIN,    /* the registrable domain (public suffix list) of a host */
    RK_CORR_REL_EMAIL_DOMAIN, /* the domain of an e-mail address */
    RK_CORR_REL_NET_NARROW,   /* the /24 (IPv4) or /64 (IPv6) network of an address */
    RK_CORR_REL_NET_WIDE,     /* the /16 (IPv4) or /48 (IPv6) network of an address */
    RK_CORR_REL_GIVEN,        /* a related value the caller knows (an ASN, a chosen CIDR) */
    RK_CORR_REL_COUNT
};
/* "same", "host", "registrable-domain", "email-domain", "network", "wide-network", "given". */
const char *rk_corr_rel_name(enum rk_corr_rel r);
/* The weight of a link through relation `r` (1.0 for SAME, down to 0.1 for NET_WIDE). */
double rk_corr_rel_weight(enum rk_corr_rel r);

/* One value held by an object. Borrowed by every function that takes it. */
struct rk_corr_value {
    const char *type;     /* type name as in renkei/obs.h: "ipv4", "url", "bank-account", ... */
    const char *value;    /* canonical form, NUL-terminated, at most RK_MAX_CORR_VALUE bytes */
    enum rk_corr_rel rel; /* SAME for a value as written; GIVEN for one the caller derived */
};

/*
 * Calls `cb` for each value derived from (type, value): for "url" the host and its registrable
 * domain, for "domain" its registrable domain (when different), for "email" its domain and
 * registrable domain, for "ipv4" its /24 and /16 ("cidr"), for "ipv6" its /64 and /48. Types
 * without relatives give no call. `value` must be canonical (lower-case host, no trailing dot).
 * `cb` returns RK_OK to continue; any other status stops and is returned.
 * Returns RK_OK or the callback's status. Thread-safety: safe.
 */
typedef enum rk_status (*rk_corr_expand_cb)(void *user_data, const char *type, const char *value,
                                            enum rk_corr_rel rel);
enum rk_status rk_corr_expand(const char *type, const char *value, rk_corr_expand_cb cb,
                              void *user_data);

/* ===== Warninglists ===== */

/*
 * A set of warninglists: values that are known-good or shared infrastructure (public resolvers,
 * reserved ranges, cloud ranges, popular domains, common file hashes). A value in a warninglist
 * is still indexed and searchable; it only does not link objects. The text format is specified
 * in docs/correlation.md and data/warninglists/README.md.
 */
struct rk_corr_wlset;

/* Returns a new empty set in `*out`; the caller frees it with rk_corr_wlset_destroy(). */
enum rk_status rk_corr_wlset_create(struct rk_corr_wlset **out);
/* Frees the set; accepts NULL. */
void rk_corr_wlset_destroy(struct rk_corr_wlset *set);
/*
 * Parses one warninglist from memory and adds it to the set. `origin` names it in errors (a
 * file name). A bad line fails with RK_EINVAL and a message "origin:line: what is wrong" in
 * rk_corr_wlset_errmsg(); on any error the set is unchanged. A list whose name is already in
 * the set is rejected (RK_ECONFLICT). Returns RK_OK, RK_EINVAL, RK_ETOOBIG, RK_ECONFLICT,
 * RK_ENOMEM.
 */
enum rk_status rk_corr_wlset_load_mem(struct rk_corr_wlset *set, const char *origin,
                                      const char *data, size_t len);
/* As rk_corr_wlset_load_mem() for a file (at most RK_MAX_CORR_WL_FILE bytes); RK_EIO if it
 * cannot be read. */
enum rk_status rk_corr_wlset_load_file(struct rk_corr_wlset *set, const char *path);
/* Loads every "*.txt" file of `dir` in name order; stops at the first error (lists loaded
 * before it stay in the set). */
enum rk_status rk_corr_wlset_load_dir(struct rk_corr_wlset *set, const char *dir);
/* The message of the last failure. Borrowed: valid until the next call on `set`. */
const char *rk_corr_wlset_errmsg(const struct rk_corr_wlset *set);

/* Number of lists, and each one's header fields. Borrowed: valid while the set lives. */
size_t rk_corr_wlset_count(const struct rk_corr_wlset *set);
struct rk_corr_wlinfo {
    const char *name;
    const char *description;
    const char *source;
    const char *match; /* "exact", "cidr" or "suffix" */
    size_t entries;
};
void rk_corr_wlset_info(const struct rk_corr_wlset *set, size_t i, struct rk_corr_wlinfo *out);

/*
 * Returns the name of the first list (in load order) that matches (type, value), or NULL.
 * Borrowed: valid while the set lives. Thread-safety: safe on a set no one modifies.
 */
const char *rk_corr_wlset_match(const struct rk_corr_wlset *set, const char *type,
                                const char *value);

/* ===== The index ===== */

struct rk_corr_index;

/* Tuning of an index; zero fields take the defaults in renkei/limits.h. */
struct rk_corr_config {
    uint32_t cap;  /* a value held by more objects than this is "too common" and does not link
                      (default RK_CORR_DEFAULT_CAP) */
    int no_expand; /* nonzero: do not derive related values (tests, special uses) */
};

/*
 * Returns a new empty index in `*out`; the caller frees it with rk_corr_index_destroy().
 * `cfg` may be NULL. Returns RK_OK, RK_EINVAL (cap above RK_MAX_CORR_CAP) or RK_ENOMEM.
 */
enum rk_status rk_corr_index_create(const struct rk_corr_config *cfg, struct rk_corr_index **out);
/* Frees the index; accepts NULL. The warninglist set is not freed. */
void rk_corr_index_destroy(struct rk_corr_index *idx);
/* The message of the last failure. Borrowed: valid until the next call on `idx`. */
const char *rk_corr_index_errmsg(const struct rk_corr_index *idx);

/*
 * Uses `set` to decide which values are warninglisted, and re-evaluates every value already
 * indexed. NULL removes the warninglists. Borrowed: `set` must outlive the index or the next
 * call. Returns RK_OK.
 */
enum rk_status rk_corr_index_set_warninglists(struct rk_corr_index *idx,
                                              const struct rk_corr_wlset *set);
/* Changes the over-correlation cap (effective for the next query). RK_EINVAL above the max. */
enum rk_status rk_corr_index_set_cap(struct rk_corr_index *idx, uint32_t cap);

/*
 * Sets the values of an object, replacing what it held before, and adds the values derived
 * from them (rk_corr_expand()). `unit_id` is the owning org unit (shown for restricted
 * objects). Duplicate values are stored once (the strongest relation wins). Returns RK_OK,
 * RK_EINVAL (unknown kind, empty id, value too long or empty, more than RK_MAX_CORR_TYPES
 * distinct type names), RK_ETOOBIG (more than RK_MAX_CORR_OBJECT_VALUES values after
 * expansion, or the index is full), RK_ENOMEM. On RK_EINVAL and RK_ETOOBIG the object keeps its
 * previous values; on RK_ENOMEM it may be left without values (put it again).
 */
enum rk_status rk_corr_index_put(struct rk_corr_index *idx, enum rk_corr_kind kind,
                                 const char *object_id, const char *unit_id,
                                 const struct rk_corr_value *values, size_t n);
/* Removes an object (its values stay indexed for other objects). RK_ENOTFOUND if absent. */
enum rk_status rk_corr_index_remove(struct rk_corr_index *idx, enum rk_corr_kind kind,
                                    const char *object_id);
/*
 * Sets the narrative of an object for text similarity (character trigrams over Unicode code
 * points, so Japanese works without segmentation). The text itself is not kept, only a MinHash
 * signature. An empty text removes it. The object must have been put. RK_ENOTFOUND otherwise.
 */
enum rk_status rk_corr_index_set_text(struct rk_corr_index *idx, enum rk_corr_kind kind,
                                      const char *object_id, const char *text, size_t len);

/*
 * Releases the spare capacity that growth left in the index's arrays (strings, values,
 * objects, units), e.g. after a rebuild or a load. Later puts grow them again. Returns RK_OK
 * (a failed shrink keeps the larger block; nothing is lost).
 */
enum rk_status rk_corr_index_compact(struct rk_corr_index *idx);

/* Sizes of the index. */
struct rk_corr_stats {
    size_t values;       /* distinct (type, value) entries, derived ones included */
    size_t objects;      /* live objects */
    size_t postings;     /* (value, object) pairs, derived included */
    size_t texts;        /* objects with a narrative signature */
    size_t memory_bytes; /* bytes the index holds (allocated capacity) */
};
void rk_corr_index_stats(const struct rk_corr_index *idx, struct rk_corr_stats *out);

/* Why a value does not link objects. */
enum rk_corr_noise {
    RK_CORR_LINKS = 0,     /* not suppressed */
    RK_CORR_WARNINGLISTED, /* in a warninglist */
    RK_CORR_TOO_COMMON,    /* held by more objects than the cap */
};

/* What the index knows about one value. */
struct rk_corr_value_info {
    size_t objects; /* objects holding it (directly or derived) */
    enum rk_corr_noise noise;
    char reason[160]; /* "" or "in warninglist 'public-dns-resolvers'" or
                         "too common: 812 objects (cap 500)" */
};
/* Fills `out` for (type, value). RK_ENOTFOUND if no object ever held it. */
enum rk_status rk_corr_index_value_info(const struct rk_corr_index *idx, const char *type,
                                        const char *value, struct rk_corr_value_info *out);

/*
 * Serialises the index (values, objects and their value lists; postings are rebuilt on load)
 * into `out` (appended). Returns RK_OK, RK_ETOOBIG (out's cap), RK_ENOMEM.
 */
enum rk_status rk_corr_index_save(const struct rk_corr_index *idx, struct rk_buf *out);
/*
 * Rebuilds an index from rk_corr_index_save() output. `cfg` may be NULL. Returns RK_OK,
 * RK_ECORRUPT (bad magic, truncated or inconsistent data: nothing is returned), RK_ENOMEM.
 * Ownership: on RK_OK the caller frees `*out` with rk_corr_index_destroy().
 */
enum rk_status rk_corr_index_load(const void *data, size_t len, const struct rk_corr_config *cfg,
                                  struct rk_corr_index **out);

/*
 * Walks the index for persistence (docs/correlation.md, "Persistence"): `vcb` once per value
 * held by at least one live object, then `pcb` once per (value, object) posting, object by
 * object. value_id is the index's own number of the value, stable while the index lives.
 * Either callback may be NULL. A callback returning other than RK_OK stops the walk and its
 * status is returned. Strings are borrowed for the call.
 */
typedef enum rk_status (*rk_corr_value_cb)(void *user_data, uint32_t value_id, const char *type,
                                           const char *value);
typedef enum rk_status (*rk_corr_posting_cb)(void *user_data, uint32_t value_id,
                                             enum rk_corr_kind kind, const char *object_id,
                                             enum rk_corr_rel rel);
enum rk_status rk_corr_index_export(const struct rk_corr_index *idx, rk_corr_value_cb vcb,
                                    rk_corr_posting_cb pcb, void *user_data);

/* ===== Persistence by value number (for the store's tables) ===== */

/*
 * The store keeps the index in SQLite (docs/correlation.md, "In the store") and loads it back
 * without expanding, parsing or re-reading narratives. These functions speak in the index's
 * own value numbers (the value_id of rk_corr_index_export(), stable while the index lives:
 * values are never renumbered or dropped).
 */

/*
 * Adds (type, value) to the index without any holder, or finds it, and returns its number in
 * `*value_id`. Returns RK_OK, RK_EINVAL (empty or too long, too many type names), RK_ETOOBIG
 * (index full), RK_ENOMEM.
 */
enum rk_status rk_corr_index_intern(struct rk_corr_index *idx, const char *type, const char *value,
                                    uint32_t *value_id);

/* A value an object holds, by number. */
struct rk_corr_held {
    uint32_t value_id;    /* from rk_corr_index_intern() or a walk */
    enum rk_corr_rel rel; /* how the object holds it */
};

/*
 * As rk_corr_index_put(), but `held` is already expanded (as rk_corr_index_walk_object() gave
 * it): nothing is derived. Returns RK_OK, RK_EINVAL (unknown kind, bad id, a value number not
 * in the index, an invalid relation), RK_ETOOBIG, RK_ENOMEM, with the same effects.
 */
enum rk_status rk_corr_index_put_held(struct rk_corr_index *idx, enum rk_corr_kind kind,
                                      const char *object_id, const char *unit_id,
                                      const struct rk_corr_held *held, size_t n);

/*
 * Calls `cb` once for each value the live object (kind, object_id) holds, derived ones
 * included, in value-number order. Strings are borrowed for the call. A callback returning
 * other than RK_OK stops the walk and its status is returned. Returns RK_OK, RK_ENOTFOUND (no
 * such live object), or the callback's status.
 */
typedef enum rk_status (*rk_corr_held_cb)(void *user_data, uint32_t value_id, const char *type,
                                          const char *value, enum rk_corr_rel rel);
enum rk_status rk_corr_index_walk_object(const struct rk_corr_index *idx, enum rk_corr_kind kind,
                                         const char *object_id, rk_corr_held_cb cb,
                                         void *user_data);

/*
 * The unit that owns a live object. Borrowed: valid until the next change to the index.
 * NULL when there is no such live object.
 */
const char *rk_corr_index_object_unit(const struct rk_corr_index *idx, enum rk_corr_kind kind,
                                      const char *object_id);

/*
 * Copies the narrative signature (RK_CORR_MINHASH 32-bit minima) of an object into `sig`.
 * Returns RK_OK, or RK_ENOTFOUND when the object is not live or has no narrative.
 */
enum rk_status rk_corr_index_signature(const struct rk_corr_index *idx, enum rk_corr_kind kind,
                                       const char *object_id, uint32_t *sig);
/*
 * Sets the narrative signature of a live object from rk_corr_index_signature() output, as
 * rk_corr_index_set_text() would from its text. Returns RK_OK, RK_ENOTFOUND, RK_ENOMEM.
 */
enum rk_status rk_corr_index_set_signature(struct rk_corr_index *idx, enum rk_corr_kind kind,
                                           const char *object_id, const uint32_t *sig);

/* ===== Need-to-know ===== */

/*
 * Says whether the caller may read an object: nonzero for yes. Called only for objects that
 * would be shown; an object it refuses comes back as "restricted, held by unit X", never with
 * its id, values, score or explanation. `object_id` and `unit_id` are borrowed for the call.
 * A NULL hook means every object is readable (only for tools acting as the installation).
 */
typedef int (*rk_corr_access_cb)(void *user_data, enum rk_corr_kind kind, const char *object_id,
                                 const char *unit_id);

/* ===== Related objects ===== */

/* One value through which two objects are linked. Owned by the result. */
struct rk_corr_shared {
    char *type;
    char *value;
    enum rk_corr_rel rel_self;  /* how the queried object holds it */
    enum rk_corr_rel rel_other; /* how the related object holds it */
    double weight;              /* its contribution to the score */
};

/* A related object, or a collapsed group of restricted ones. Owned by the result. */
struct rk_corr_hit {
    enum rk_corr_kind kind;
    int restricted;          /* nonzero: the fields below the unit are empty */
    char *unit_id;           /* owning unit (always set) */
    size_t restricted_count; /* restricted: how many objects of this kind held by the unit */
    char *object_id;         /* NULL when restricted */
    double score;            /* 0 when restricted */
    double text_similarity;  /* estimated Jaccard of narrative trigrams, 0 when none */
    size_t nshared;
    struct rk_corr_shared *shared;
    char *explanation; /* "shares bank-account 0009-123-4567890; 2 url values on the
                          same registrable domain example.com"; NULL when restricted */
};

/* A value of the query that links nothing, with the reason. Owned by the result. */
struct rk_corr_suppressed {
    char *type;
    char *value;
    enum rk_corr_noise noise;
    char *reason;
};

/* The answer to a related-objects query. Free with rk_corr_result_destroy(). */
struct rk_corr_result {
    size_t count;
    struct rk_corr_hit *hits; /* best first */
    size_t nsuppressed;
    struct rk_corr_suppressed *suppressed;
};
void rk_corr_result_destroy(struct rk_corr_result *r);

/* Options of a query; zero fields take defaults. */
struct rk_corr_query {
    size_t limit;     /* most hits returned (default 50, at most RK_MAX_CORR_HITS) */
    double min_score; /* drop hits scoring below (default 0: keep all) */
    int no_text;      /* nonzero: ignore narrative similarity */
    double min_text;  /* minimum text similarity counted (default 0.3) */
};

/*
 * The objects that share values with the object (kind, object_id), ranked by the sum over
 * shared values of min(rel-weight on each side) x inverse frequency (ln(1 + N/df)) — of the
 * derived links of one chain (host / registrable domain / mail domain; /24 / /16) only the
 * strongest counts — plus 0.5 x the narrative similarity when it reaches `min_text`. Ties are
 * ordered by object id. Warninglisted and too-common values do not link;
 * they are listed in `suppressed` with their reason. `access` decides what the caller may
 * read (see rk_corr_access_cb); it is never called when the function fails.
 * Returns RK_OK, RK_ENOTFOUND (no such object), RK_ENOMEM. `q` may be NULL.
 * Ownership: on RK_OK the caller frees `*out` with rk_corr_result_destroy().
 */
enum rk_status rk_corr_related(const struct rk_corr_index *idx, enum rk_corr_kind kind,
                               const char *object_id, const struct rk_corr_query *q,
                               rk_corr_access_cb access, void *user_data,
                               struct rk_corr_result **out);
/*
 * As rk_corr_related() for a list of values that is not (yet) an object: "where else are
 * these?" (`renkei correlate --value`) or a report before it is saved. The values are expanded
 * as rk_corr_index_put() would. Values the index does not hold are skipped.
 */
enum rk_status rk_corr_related_values(const struct rk_corr_index *idx,
                                      const struct rk_corr_value *values, size_t n,
                                      const struct rk_corr_query *q, rk_corr_access_cb access,
                                      void *user_data, struct rk_corr_result **out);

/* ===== Narrative similarity ===== */

/*
 * The estimated Jaccard similarity (0..1) of the character-trigram sets of two texts, from
 * their MinHash signatures (RK_CORR_MINHASH functions). Texts shorter than three characters
 * after normalisation compare as 0. Thread-safety: safe.
 */
double rk_corr_text_similarity(const char *a, size_t alen, const char *b, size_t blen);

/* ===== Groups ===== */

/* A reference to an object, for confirmed group membership. Borrowed. */
struct rk_corr_ref {
    enum rk_corr_kind kind;
    const char *object_id;
};

/* A group an analyst confirmed earlier; its id is kept across recomputation. Borrowed. */
struct rk_corr_confirmed {
    const char *group_id; /* at most 39 bytes */
    size_t nmembers;
    const struct rk_corr_ref *members;
};

/* A member of a group, or one flagged as touching a confirmed group. Owned by the groups. */
struct rk_corr_member {
    enum rk_corr_kind kind;
    int restricted; /* nonzero: object_id is NULL (the caller may not read it) */
    char *object_id;
    char *unit_id;
    char *reason; /* flagged objects only: "holds url ... of member ..." (else NULL) */
};

/* A value that ties members of a group together. Owned by the groups. */
struct rk_corr_tie {
    char *type;
    char *value;
    size_t members; /* group members holding it */
};

struct rk_corr_group {
    char id[40]; /* the confirmed id, or "cand-" + 16 hex digits for a candidate */
    int confirmed;
    size_t nmembers;
    struct rk_corr_member *members;
    size_t nties;
    struct rk_corr_tie *ties; /* strongest first, at most RK_MAX_CORR_TIES */
    size_t nflagged;
    struct rk_corr_member *flagged; /* confirmed groups: objects outside the group that hold
                                       one of its linking values; the caller shows those
                                       created after the confirmation as new cases */
};

struct rk_corr_groups {
    size_t count;
    struct rk_corr_group *groups; /* confirmed first, then candidates by size */
};
void rk_corr_groups_destroy(struct rk_corr_groups *g);

/* Options of clustering; zero fields take defaults. */
struct rk_corr_cluster_opts {
    size_t min_size;         /* smallest candidate group reported (default 2) */
    double min_rel_weight;   /* relations weighing less do not join (default 0.3: /16 and /48
                                networks never join objects on their own) */
    unsigned max_iterations; /* local-moving passes per Louvain level (default 30) */
    uint32_t infra_max_df;   /* infrastructure values (ipv4, ipv6, cidr, domain, url, asn) held
                                by more objects than this do not join groups (default: no
                                limit beyond the cap); account, phone, e-mail and wallet values
                                only obey the cap */
};

/*
 * Clusters the object-value graph: values that are warninglisted, too common, held by one
 * object, linked through a relation below `min_rel_weight`, or infrastructure held by more
 * than `infra_max_df` objects are removed; connected
 * components of what remains are split by Louvain modularity optimisation on the bipartite
 * object-value graph, with each component's own weight in the gain (deterministic order).
 * Each confirmed group keeps its id and its members; the candidate cluster overlapping it most
 * is taken as that group rather than listed again, and objects outside a confirmed group that
 * hold one of its members' linking values are flagged. `access` hides unreadable members as
 * restricted (never called on failure). `opts` and `confirmed` may be NULL/0.
 * Returns RK_OK, RK_EINVAL (a confirmed group id empty or too long), RK_ENOMEM.
 * Ownership: on RK_OK the caller frees `*out` with rk_corr_groups_destroy().
 */
enum rk_status rk_corr_groups_compute(const struct rk_corr_index *idx,
                                      const struct rk_corr_cluster_opts *opts,
                                      const struct rk_corr_confirmed *confirmed, size_t nconfirmed,
                                      rk_corr_access_cb access, void *user_data,
                                      struct rk_corr_groups **out);

/* A confirmed group that an object touches, with the first value through which it does. */
struct rk_corr_touch {
    size_t group; /* index into the `confirmed` array passed in */
    char *type;   /* a value of the object held by a member of the group */
    char *value;
};
struct rk_corr_touches {
    size_t count;
    struct rk_corr_touch *items; /* in the order of `confirmed` */
};
void rk_corr_touches_destroy(struct rk_corr_touches *t);

/*
 * The confirmed groups that the object (kind, object_id) touches without being a member: one
 * of its linking values (not warninglisted, not too common, relation weight >= 0.3 on both
 * sides) is held by a member. This is the check to run when a report or case is written, to
 * flag it at once without recomputing the groups. The values named are the object's own.
 * Returns RK_OK, RK_ENOTFOUND (no such object), RK_ENOMEM.
 * Ownership: on RK_OK the caller frees `*out` with rk_corr_touches_destroy().
 */
enum rk_status rk_corr_touching(const struct rk_corr_index *idx, enum rk_corr_kind kind,
                                const char *object_id, const struct rk_corr_confirmed *confirmed,
                                size_t nconfirmed, struct rk_corr_touches **out);

#endif
