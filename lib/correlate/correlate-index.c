/*
 * The value index: interning of type names, values, objects and units; postings maintained on
 * every put; noise decisions (warninglist, over-correlation cap); and the binary save/load
 * format. Everything else in lib/correlate reads these arrays.
 *
 * Why postings and not pairs: a value held by k objects costs k postings here, where a pairwise
 * correlation table costs k*(k-1)/2 rows; the pairs are found at query time by walking the
 * postings of the queried object's values, and the cap bounds that walk.
 */
#include "renkei/correlate.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate-int.h"
#include "renkei/alloc.h"
#include "renkei/limits.h"

/* ===== Names and weights ===== */

static const char *const kind_names[] = {NULL, "report", "case", "sighting", "source"};

const char *rk_corr_kind_name(enum rk_corr_kind k)
{
    if ((int)k < RK_CORR_REPORT || (int)k > RK_CORR_SOURCE)
        return NULL;
    return kind_names[k];
}

enum rk_corr_kind rk_corr_kind_from_name(const char *name)
{
    for (int k = RK_CORR_REPORT; name != NULL && k <= RK_CORR_SOURCE; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return (enum rk_corr_kind)k;
    return (enum rk_corr_kind)0;
}

static const char *const rel_names[RK_CORR_REL_COUNT] = {
    "same", "host", "registrable-domain", "email-domain", "network", "wide-network", "given"};

/* Why these weights: a shared value as written is the strongest evidence; a shared host is
 * nearly as strong; a shared registrable domain or mail domain is weaker (one provider hosts
 * many unrelated customers); a /24 is weaker still and a /16 is context only. */
static const double rel_weights[RK_CORR_REL_COUNT] = {1.0, 0.8, 0.5, 0.6, 0.4, 0.1, 0.5};

const char *rk_corr_rel_name(enum rk_corr_rel r)
{
    return (unsigned)r < RK_CORR_REL_COUNT ? rel_names[r] : NULL;
}

double rk_corr_rel_weight(enum rk_corr_rel r)
{
    return (unsigned)r < RK_CORR_REL_COUNT ? rel_weights[r] : 0.0;
}

/* ===== Hash table ===== */

uint32_t rk__corr_hash(const void *data, size_t len, uint32_t seed)
{
    /* FNV-1a, then a final avalanche so that linear probing on the low bits spreads well. */
    const unsigned char *p = data;
    uint32_t h = 2166136261u ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h;
}

void rk__corr_htab_free(struct rk__corr_htab *t)
{
    rk_free(t->slots);
    t->slots = NULL;
    t->mask = 0;
    t->used = 0;
}

uint32_t *rk__corr_htab_find(const struct rk__corr_htab *t, uint32_t hash,
                             int (*eq)(const void *ctx, uint32_t id), const void *ctx)
{
    uint32_t i = hash & t->mask;
    for (;;) {
        uint32_t s = t->slots[i];
        if (s == 0 || eq(ctx, s - 1))
            return &t->slots[i];
        i = (i + 1) & t->mask;
    }
}

enum rk_status rk__corr_htab_reserve(struct rk__corr_htab *t,
                                     uint32_t (*hash_of)(const void *ctx, uint32_t id),
                                     const void *ctx)
{
    uint32_t n = t->slots == NULL ? 0 : t->mask + 1;
    /* 75 % load: linear probing stays short at that load with a mixed hash, and the table is a
     * large share of the index's memory. */
    if (n != 0 && ((uint64_t)t->used + 1) * 4 <= (uint64_t)n * 3)
        return RK_OK;
    if (n >= (1u << 31))
        return RK_ETOOBIG;
    uint32_t nn = n == 0 ? 64 : n * 2;
    uint32_t *slots = rk_calloc(nn, sizeof *slots);
    if (slots == NULL)
        return RK_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s = t->slots[i];
        if (s == 0)
            continue;
        uint32_t j = hash_of(ctx, s - 1) & (nn - 1);
        while (slots[j] != 0)
            j = (j + 1) & (nn - 1);
        slots[j] = s;
    }
    rk_free(t->slots);
    t->slots = slots;
    t->mask = nn - 1;
    return RK_OK;
}

/* ===== Arena and interning ===== */

static void set_err(struct rk_corr_index *idx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_err(struct rk_corr_index *idx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(idx->errmsg, sizeof idx->errmsg, fmt, ap);
    va_end(ap);
}

static enum rk_status arena_add(struct rk_corr_index *idx, const char *s, size_t len, uint32_t *off)
{
    if (idx->arena_len + len + 1 > UINT32_MAX)
        return RK_ETOOBIG;
    if (idx->arena_len + len + 1 > idx->arena_cap) {
        size_t nc = idx->arena_cap == 0 ? 4096 : idx->arena_cap;
        while (nc < idx->arena_len + len + 1)
            nc += nc / 2; /* 1.5x: the arena is the largest part, so less slack */
        if (nc > UINT32_MAX)
            nc = UINT32_MAX;
        char *a = rk_realloc(idx->arena, nc);
        if (a == NULL)
            return RK_ENOMEM;
        idx->arena = a;
        idx->arena_cap = nc;
    }
    memcpy(idx->arena + idx->arena_len, s, len);
    idx->arena[idx->arena_len + len] = '\0';
    *off = (uint32_t)idx->arena_len;
    idx->arena_len += len + 1;
    return RK_OK;
}

static int type_no(const struct rk_corr_index *idx, const char *type)
{
    for (uint32_t i = 0; i < idx->ntypes; i++)
        if (idx->types[i][0] == type[0] && strcmp(idx->types[i], type) == 0)
            return (int)i;
    return -1;
}

static enum rk_status intern_type(struct rk_corr_index *idx, const char *type, uint8_t *out)
{
    int t = type_no(idx, type);
    if (t >= 0) {
        *out = (uint8_t)t;
        return RK_OK;
    }
    size_t len = strlen(type);
    if (len == 0 || len > 32) {
        set_err(idx, "invalid type name");
        return RK_EINVAL;
    }
    if (idx->ntypes >= RK_MAX_CORR_TYPES) {
        set_err(idx, "more than %u type names", RK_MAX_CORR_TYPES);
        return RK_EINVAL;
    }
    char *copy = rk_strdup(type);
    if (copy == NULL)
        return RK_ENOMEM;
    idx->types[idx->ntypes] = copy;
    *out = (uint8_t)idx->ntypes++;
    return RK_OK;
}

struct vkey {
    const struct rk_corr_index *idx;
    uint8_t type;
    const char *s;
    size_t len;
    uint32_t hash;
};

static int value_eq(const void *ctx, uint32_t id)
{
    const struct vkey *k = ctx;
    const struct rk__corr_value *v = &k->idx->values[id];
    return v->hash == k->hash && v->type == k->type && v->len == k->len &&
           memcmp(k->idx->arena + v->str, k->s, k->len) == 0;
}

static uint32_t value_hash(uint8_t type, const char *s, size_t len)
{
    return rk__corr_hash(s, len, type * 0x9e3779b9u);
}

static uint32_t value_hash_of(const void *ctx, uint32_t id)
{
    const struct rk_corr_index *idx = ctx;
    return idx->values[id].hash;
}

uint32_t rk__corr_find_value(const struct rk_corr_index *idx, const char *type, const char *value)
{
    int t = type_no(idx, type);
    if (t < 0 || idx->vtab.slots == NULL)
        return UINT32_MAX;
    struct vkey k = {idx, (uint8_t)t, value, strlen(value), 0};
    uint32_t h = value_hash(k.type, value, k.len);
    k.hash = h;
    uint32_t *slot = rk__corr_htab_find(&idx->vtab, h, value_eq, &k);
    return *slot == 0 ? UINT32_MAX : *slot - 1;
}

static enum rk_status intern_value(struct rk_corr_index *idx, const char *type, const char *value,
                                   uint32_t *out)
{
    size_t len = strlen(value);
    if (len == 0 || len > RK_MAX_CORR_VALUE) {
        set_err(idx, "a %s value is empty or longer than %u bytes", type, RK_MAX_CORR_VALUE);
        return RK_EINVAL;
    }
    uint8_t t;
    enum rk_status rc = intern_type(idx, type, &t);
    if (rc != RK_OK)
        return rc;
    rc = rk__corr_htab_reserve(&idx->vtab, value_hash_of, idx);
    if (rc != RK_OK)
        return rc;
    uint32_t h = value_hash(t, value, len);
    struct vkey k = {idx, t, value, len, h};
    uint32_t *slot = rk__corr_htab_find(&idx->vtab, h, value_eq, &k);
    if (*slot != 0) {
        *out = *slot - 1;
        return RK_OK;
    }
    if (idx->nvalues >= RK_MAX_CORR_OBJECTS)
        return RK_ETOOBIG;
    if (idx->nvalues == idx->values_cap) {
        uint32_t nc = idx->values_cap == 0 ? 1024 : idx->values_cap + idx->values_cap / 2;
        struct rk__corr_value *nv = rk_reallocarray(idx->values, nc, sizeof *nv);
        if (nv == NULL)
            return RK_ENOMEM;
        idx->values = nv;
        idx->values_cap = nc;
    }
    uint32_t off;
    rc = arena_add(idx, value, len, &off);
    if (rc != RK_OK)
        return rc;
    struct rk__corr_value *v = &idx->values[idx->nvalues];
    memset(v, 0, sizeof *v);
    v->str = off;
    v->hash = h;
    v->len = (uint32_t)len & 0x1fff;
    v->type = t & 0x3f;
    v->wl = idx->wl == NULL ? 0 : (uint8_t)rk__corr_wlset_match_no(idx->wl, type, value);
    *slot = idx->nvalues + 1;
    idx->vtab.used++;
    *out = idx->nvalues++;
    return RK_OK;
}

struct okey {
    const struct rk_corr_index *idx;
    uint8_t kind;
    const char *s;
    size_t len;
};

static int object_eq(const void *ctx, uint32_t id)
{
    const struct okey *k = ctx;
    const struct rk__corr_object *o = &k->idx->objects[id];
    return o->kind == k->kind && o->len == k->len &&
           memcmp(k->idx->arena + o->str, k->s, k->len) == 0;
}

static uint32_t object_hash_of(const void *ctx, uint32_t id)
{
    const struct rk_corr_index *idx = ctx;
    return idx->objects[id].hash;
}

static uint32_t *object_slot(const struct rk_corr_index *idx, enum rk_corr_kind kind,
                             const char *id, size_t len, uint32_t *hash)
{
    *hash = rk__corr_hash(id, len, (uint32_t)kind * 0x85ebca6bu);
    struct okey k = {idx, (uint8_t)kind, id, len};
    return rk__corr_htab_find(&idx->otab, *hash, object_eq, &k);
}

uint32_t rk__corr_find_object(const struct rk_corr_index *idx, enum rk_corr_kind kind,
                              const char *id)
{
    if (idx->otab.slots == NULL || id == NULL)
        return UINT32_MAX;
    uint32_t h;
    uint32_t *slot = object_slot(idx, kind, id, strlen(id), &h);
    if (*slot == 0 || !idx->objects[*slot - 1].live)
        return UINT32_MAX;
    return *slot - 1;
}

struct ukey {
    const struct rk_corr_index *idx;
    const char *s;
};

static int unit_eq(const void *ctx, uint32_t id)
{
    const struct ukey *k = ctx;
    return strcmp(k->idx->arena + k->idx->units[id], k->s) == 0;
}

static uint32_t unit_hash_of(const void *ctx, uint32_t id)
{
    const struct rk_corr_index *idx = ctx;
    const char *s = idx->arena + idx->units[id];
    return rk__corr_hash(s, strlen(s), 7);
}

static enum rk_status intern_unit(struct rk_corr_index *idx, const char *unit, uint32_t *out)
{
    enum rk_status rc = rk__corr_htab_reserve(&idx->utab, unit_hash_of, idx);
    if (rc != RK_OK)
        return rc;
    size_t len = strlen(unit);
    struct ukey k = {idx, unit};
    uint32_t *slot = rk__corr_htab_find(&idx->utab, rk__corr_hash(unit, len, 7), unit_eq, &k);
    if (*slot != 0) {
        *out = *slot - 1;
        return RK_OK;
    }
    if (idx->nunits == idx->units_cap) {
        uint32_t nc = idx->units_cap == 0 ? 16 : idx->units_cap * 2;
        uint32_t *nu = rk_reallocarray(idx->units, nc, sizeof *nu);
        if (nu == NULL)
            return RK_ENOMEM;
        idx->units = nu;
        idx->units_cap = nc;
    }
    uint32_t off;
    rc = arena_add(idx, unit, len, &off);
    if (rc != RK_OK)
        return rc;
    idx->units[idx->nunits] = off;
    *slot = idx->nunits + 1;
    idx->utab.used++;
    *out = idx->nunits++;
    return RK_OK;
}

/* ===== Lifecycle ===== */

enum rk_status rk_corr_index_create(const struct rk_corr_config *cfg, struct rk_corr_index **out)
{
    *out = NULL;
    uint32_t cap = cfg != NULL && cfg->cap != 0 ? cfg->cap : RK_CORR_DEFAULT_CAP;
    if (cap > RK_MAX_CORR_CAP)
        return RK_EINVAL;
    struct rk_corr_index *idx = rk_calloc(1, sizeof *idx);
    if (idx == NULL)
        return RK_ENOMEM;
    idx->cap = cap;
    idx->no_expand = cfg != NULL && cfg->no_expand;
    *out = idx;
    return RK_OK;
}

void rk_corr_index_destroy(struct rk_corr_index *idx)
{
    if (idx == NULL)
        return;
    for (uint32_t i = 0; i < idx->nvalues; i++)
        if (idx->values[i].capl > 1)
            rk_free(idx->values[i].post.many);
    for (uint32_t i = 0; i < idx->nobjects; i++)
        rk_free(idx->objects[i].vals);
    for (uint32_t i = 0; i < idx->ntypes; i++)
        rk_free(idx->types[i]);
    rk_free(idx->values);
    rk_free(idx->objects);
    rk_free(idx->units);
    rk_free(idx->arena);
    rk__corr_htab_free(&idx->vtab);
    rk__corr_htab_free(&idx->otab);
    rk__corr_htab_free(&idx->utab);
    rk_free(idx->sigs);
    rk_free(idx->sig_owner);
    rk__corr_lsh_free(idx->lsh);
    rk_free(idx);
}

const char *rk_corr_index_errmsg(const struct rk_corr_index *idx)
{
    return idx->errmsg;
}

enum rk_status rk_corr_index_set_warninglists(struct rk_corr_index *idx,
                                              const struct rk_corr_wlset *set)
{
    idx->wl = set;
    for (uint32_t i = 0; i < idx->nvalues; i++) {
        struct rk__corr_value *v = &idx->values[i];
        v->wl = set == NULL ? 0
                            : (uint8_t)rk__corr_wlset_match_no(set, idx->types[v->type],
                                                               idx->arena + v->str);
    }
    return RK_OK;
}

enum rk_status rk_corr_index_set_cap(struct rk_corr_index *idx, uint32_t cap)
{
    if (cap == 0 || cap > RK_MAX_CORR_CAP) {
        set_err(idx, "cap must be between 1 and %u", RK_MAX_CORR_CAP);
        return RK_EINVAL;
    }
    idx->cap = cap;
    return RK_OK;
}

/* ===== Postings ===== */

static enum rk_status posting_add(struct rk_corr_index *idx, uint32_t v, uint32_t p)
{
    struct rk__corr_value *val = &idx->values[v];
    if (val->capl <= 1 && val->n == 0) {
        val->post.one = p;
        val->capl = 1;
    } else if (val->capl <= 1) {
        uint32_t *m = rk_malloc(2 * sizeof *m);
        if (m == NULL)
            return RK_ENOMEM;
        m[0] = val->post.one;
        val->post.many = m;
        val->capl = 2; /* capacity 2 */
        idx->posting_bytes += 2 * sizeof *m;
        val->post.many[val->n] = p;
    } else {
        size_t cap = (size_t)1 << (val->capl - 1);
        if (val->n == cap) {
            if (val->capl >= 31)
                return RK_ETOOBIG;
            uint32_t *m = rk_reallocarray(val->post.many, cap * 2, sizeof *m);
            if (m == NULL)
                return RK_ENOMEM;
            val->post.many = m;
            idx->posting_bytes += cap * sizeof *m;
            val->capl++;
        }
        val->post.many[val->n] = p;
    }
    val->n++;
    idx->postings++;
    return RK_OK;
}

static void posting_remove(struct rk_corr_index *idx, uint32_t v, uint32_t obj)
{
    struct rk__corr_value *val = &idx->values[v];
    uint32_t *p = val->capl <= 1 ? &val->post.one : val->post.many;
    for (uint32_t i = 0; i < val->n; i++) {
        if (RK__CORR_NUM(p[i]) == obj) {
            p[i] = p[val->n - 1];
            val->n--;
            idx->postings--;
            return;
        }
    }
}

/* ===== Put and remove ===== */

void rk__corr_refs_free(struct rk__corr_refs *r)
{
    rk_free(r->v);
    r->v = NULL;
    r->n = r->cap = 0;
}

static enum rk_status refs_push(struct rk__corr_refs *r, uint32_t packed)
{
    if (r->n >= RK_MAX_CORR_OBJECT_VALUES)
        return RK_ETOOBIG;
    if (r->n == r->cap) {
        size_t nc = r->cap == 0 ? 32 : r->cap * 2;
        uint32_t *nv = rk_reallocarray(r->v, nc, sizeof *nv);
        if (nv == NULL)
            return RK_ENOMEM;
        r->v = nv;
        r->cap = nc;
    }
    r->v[r->n++] = packed;
    return RK_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts by value number and keeps one reference per value, the one of highest weight. */
static void refs_dedupe(struct rk__corr_refs *r)
{
    if (r->n < 2)
        return;
    qsort(r->v, r->n, sizeof *r->v, cmp_u32);
    size_t w = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (w > 0 && RK__CORR_NUM(r->v[w - 1]) == RK__CORR_NUM(r->v[i])) {
            if (rk_corr_rel_weight(RK__CORR_REL(r->v[i])) >
                rk_corr_rel_weight(RK__CORR_REL(r->v[w - 1])))
                r->v[w - 1] = r->v[i];
            continue;
        }
        r->v[w++] = r->v[i];
    }
    r->n = w;
}

struct intern_ctx {
    struct rk_corr_index *idx;
    struct rk__corr_refs *refs;
};

static enum rk_status intern_derived(void *ud, const char *type, const char *value,
                                     enum rk_corr_rel rel)
{
    struct intern_ctx *c = ud;
    uint32_t v;
    enum rk_status rc = intern_value(c->idx, type, value, &v);
    if (rc != RK_OK)
        return rc;
    return refs_push(c->refs, RK__CORR_PACK(v, rel));
}

/* Installs `refs` (sorted, deduplicated) as the values of object `o`; takes ownership of the
 * array on RK_OK. */
static enum rk_status install_refs(struct rk_corr_index *idx, uint32_t o,
                                   struct rk__corr_refs *refs)
{
    struct rk__corr_object *obj = &idx->objects[o];
    for (uint32_t i = 0; i < obj->n; i++)
        posting_remove(idx, RK__CORR_NUM(obj->vals[i]), o);
    idx->posting_bytes -= (size_t)obj->n * sizeof(uint32_t);
    rk_free(obj->vals);
    obj->vals = NULL;
    obj->n = 0;
    for (size_t i = 0; i < refs->n; i++) {
        enum rk_status rc =
            posting_add(idx, RK__CORR_NUM(refs->v[i]), RK__CORR_PACK(o, RK__CORR_REL(refs->v[i])));
        if (rc != RK_OK) {
            /* Undo what was added so that the index stays consistent (the object is left
             * empty, which the caller reports as a failed put). */
            for (size_t j = 0; j < i; j++)
                posting_remove(idx, RK__CORR_NUM(refs->v[j]), o);
            return rc;
        }
    }
    /* Shrink to fit: a report's value list is written once and read many times. */
    uint32_t *vals = refs->n == 0 ? NULL : rk_reallocarray(refs->v, refs->n, sizeof *vals);
    if (vals == NULL)
        vals = refs->v;
    refs->v = NULL;
    obj->vals = vals;
    obj->n = (uint32_t)refs->n;
    idx->posting_bytes += refs->n * sizeof(uint32_t);
    refs->n = refs->cap = 0;
    return RK_OK;
}

static enum rk_status find_or_add_object(struct rk_corr_index *idx, enum rk_corr_kind kind,
                                         const char *id, const char *unit, uint32_t *out)
{
    uint32_t u;
    enum rk_status rc = intern_unit(idx, unit, &u);
    if (rc != RK_OK)
        return rc;
    rc = rk__corr_htab_reserve(&idx->otab, object_hash_of, idx);
    if (rc != RK_OK)
        return rc;
    size_t len = strlen(id);
    uint32_t h;
    uint32_t *slot = object_slot(idx, kind, id, len, &h);
    if (*slot != 0) {
        struct rk__corr_object *o = &idx->objects[*slot - 1];
        if (!o->live)
            idx->live++;
        o->live = 1;
        o->unit = u;
        *out = *slot - 1;
        return RK_OK;
    }
    if (idx->nobjects >= RK_MAX_CORR_OBJECTS)
        return RK_ETOOBIG;
    if (idx->nobjects == idx->objects_cap) {
        uint32_t nc = idx->objects_cap == 0 ? 256 : idx->objects_cap * 2;
        struct rk__corr_object *no = rk_reallocarray(idx->objects, nc, sizeof *no);
        if (no == NULL)
            return RK_ENOMEM;
        idx->objects = no;
        idx->objects_cap = nc;
    }
    uint32_t off;
    rc = arena_add(idx, id, len, &off);
    if (rc != RK_OK)
        return rc;
    struct rk__corr_object *o = &idx->objects[idx->nobjects];
    memset(o, 0, sizeof *o);
    o->str = off;
    o->hash = h;
    o->len = (uint16_t)len;
    o->kind = (uint8_t)kind;
    o->live = 1;
    o->unit = u;
    *slot = idx->nobjects + 1;
    idx->otab.used++;
    idx->live++;
    *out = idx->nobjects++;
    return RK_OK;
}

static enum rk_status check_ids(struct rk_corr_index *idx, enum rk_corr_kind kind, const char *id,
                                const char *unit)
{
    if (rk_corr_kind_name(kind) == NULL) {
        set_err(idx, "unknown object kind %d", (int)kind);
        return RK_EINVAL;
    }
    if (id == NULL || id[0] == '\0' || strlen(id) > RK_MAX_CORR_ID) {
        set_err(idx, "object id is empty or longer than %u bytes", RK_MAX_CORR_ID);
        return RK_EINVAL;
    }
    if (unit != NULL && (unit[0] == '\0' || strlen(unit) > RK_MAX_CORR_ID)) {
        set_err(idx, "unit id is empty or longer than %u bytes", RK_MAX_CORR_ID);
        return RK_EINVAL;
    }
    return RK_OK;
}

enum rk_status rk_corr_index_put(struct rk_corr_index *idx, enum rk_corr_kind kind,
                                 const char *object_id, const char *unit_id,
                                 const struct rk_corr_value *values, size_t n)
{
    struct rk__corr_refs refs = {0};
    struct intern_ctx ic = {idx, &refs};
    enum rk_status rc = check_ids(idx, kind, object_id, unit_id);
    if (rc != RK_OK)
        goto out;
    if (unit_id == NULL) {
        set_err(idx, "unit id is missing");
        rc = RK_EINVAL;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (values[i].type == NULL || values[i].value == NULL ||
            (unsigned)values[i].rel >= RK_CORR_REL_COUNT) {
            set_err(idx, "value %zu has no type, no text or an invalid relation", i);
            rc = RK_EINVAL;
            goto out;
        }
        rc = intern_derived(&ic, values[i].type, values[i].value, values[i].rel);
        if (rc != RK_OK)
            goto out;
        if (!idx->no_expand && values[i].rel == RK_CORR_REL_SAME) {
            rc = rk_corr_expand(values[i].type, values[i].value, intern_derived, &ic);
            if (rc != RK_OK)
                goto out;
        }
    }
    refs_dedupe(&refs);
    uint32_t o;
    rc = find_or_add_object(idx, kind, object_id, unit_id, &o);
    if (rc != RK_OK)
        goto out;
    rc = install_refs(idx, o, &refs);
out:
    if (rc == RK_ETOOBIG)
        set_err(idx, "object holds more than %u values or the index is full",
                RK_MAX_CORR_OBJECT_VALUES);
    rk__corr_refs_free(&refs);
    return rc;
}

enum rk_status rk_corr_index_remove(struct rk_corr_index *idx, enum rk_corr_kind kind,
                                    const char *object_id)
{
    uint32_t o = rk__corr_find_object(idx, kind, object_id);
    if (o == UINT32_MAX)
        return RK_ENOTFOUND;
    struct rk__corr_refs empty = {0};
    enum rk_status rc = install_refs(idx, o, &empty);
    if (rc != RK_OK)
        return rc;
    idx->objects[o].live = 0;
    if (idx->objects[o].sig != 0)
        idx->sig_owner[idx->objects[o].sig - 1] = UINT32_MAX;
    idx->objects[o].sig = 0;
    idx->live--;
    return RK_OK;
}

enum rk_status rk_corr_index_compact(struct rk_corr_index *idx)
{
    if (idx->arena_len > 0 && idx->arena_len < idx->arena_cap) {
        char *a = rk_realloc(idx->arena, idx->arena_len);
        if (a != NULL) {
            idx->arena = a;
            idx->arena_cap = idx->arena_len;
        }
    }
    if (idx->nvalues > 0 && idx->nvalues < idx->values_cap) {
        struct rk__corr_value *v = rk_reallocarray(idx->values, idx->nvalues, sizeof *v);
        if (v != NULL) {
            idx->values = v;
            idx->values_cap = idx->nvalues;
        }
    }
    if (idx->nobjects > 0 && idx->nobjects < idx->objects_cap) {
        struct rk__corr_object *o = rk_reallocarray(idx->objects, idx->nobjects, sizeof *o);
        if (o != NULL) {
            idx->objects = o;
            idx->objects_cap = idx->nobjects;
        }
    }
    if (idx->nunits > 0 && idx->nunits < idx->units_cap) {
        uint32_t *u = rk_reallocarray(idx->units, idx->nunits, sizeof *u);
        if (u != NULL) {
            idx->units = u;
            idx->units_cap = idx->nunits;
        }
    }
    return RK_OK;
}

/* ===== Resolution of ad-hoc values ===== */

struct resolve_ctx {
    const struct rk_corr_index *idx;
    struct rk__corr_refs *refs;
};

static enum rk_status resolve_one(void *ud, const char *type, const char *value,
                                  enum rk_corr_rel rel)
{
    struct resolve_ctx *c = ud;
    uint32_t v = rk__corr_find_value(c->idx, type, value);
    if (v == UINT32_MAX)
        return RK_OK;
    return refs_push(c->refs, RK__CORR_PACK(v, rel));
}

enum rk_status rk__corr_resolve(const struct rk_corr_index *idx, const struct rk_corr_value *vals,
                                size_t n, struct rk__corr_refs *out)
{
    struct resolve_ctx c = {idx, out};
    for (size_t i = 0; i < n; i++) {
        if (vals[i].type == NULL || vals[i].value == NULL ||
            (unsigned)vals[i].rel >= RK_CORR_REL_COUNT)
            return RK_EINVAL;
        enum rk_status rc = resolve_one(&c, vals[i].type, vals[i].value, vals[i].rel);
        if (rc == RK_OK && !idx->no_expand && vals[i].rel == RK_CORR_REL_SAME)
            rc = rk_corr_expand(vals[i].type, vals[i].value, resolve_one, &c);
        if (rc != RK_OK)
            return rc;
    }
    refs_dedupe(out);
    return RK_OK;
}

/* ===== Noise and statistics ===== */

enum rk_corr_noise rk__corr_noise(const struct rk_corr_index *idx, uint32_t v, char *reason,
                                  size_t reason_len)
{
    const struct rk__corr_value *val = &idx->values[v];
    if (val->wl != 0 && idx->wl != NULL) {
        if (reason != NULL)
            snprintf(reason, reason_len, "in warninglist '%s'",
                     rk__corr_wlset_name(idx->wl, val->wl));
        return RK_CORR_WARNINGLISTED;
    }
    if (val->n > idx->cap) {
        if (reason != NULL)
            snprintf(reason, reason_len, "too common: %u objects (cap %u)", val->n, idx->cap);
        return RK_CORR_TOO_COMMON;
    }
    if (reason != NULL && reason_len > 0)
        reason[0] = '\0';
    return RK_CORR_LINKS;
}

double rk__corr_idf(const struct rk_corr_index *idx, uint32_t df)
{
    if (df == 0)
        df = 1;
    return log(1.0 + (double)idx->live / (double)df);
}

enum rk_status rk_corr_index_value_info(const struct rk_corr_index *idx, const char *type,
                                        const char *value, struct rk_corr_value_info *out)
{
    memset(out, 0, sizeof *out);
    uint32_t v = rk__corr_find_value(idx, type, value);
    if (v == UINT32_MAX || idx->values[v].n == 0)
        return RK_ENOTFOUND;
    out->objects = idx->values[v].n;
    out->noise = rk__corr_noise(idx, v, out->reason, sizeof out->reason);
    return RK_OK;
}

void rk_corr_index_stats(const struct rk_corr_index *idx, struct rk_corr_stats *out)
{
    memset(out, 0, sizeof *out);
    out->values = idx->nvalues;
    out->objects = idx->live;
    out->postings = idx->postings;
    for (uint32_t i = 0; i < idx->nobjects; i++)
        out->texts += idx->objects[i].sig != 0;
    size_t m = sizeof *idx + idx->arena_cap;
    m += (size_t)idx->values_cap * sizeof *idx->values;
    m += (size_t)idx->objects_cap * sizeof *idx->objects;
    m += (size_t)idx->units_cap * sizeof *idx->units;
    m += ((size_t)idx->vtab.mask + (idx->vtab.slots != NULL)) * sizeof(uint32_t);
    m += ((size_t)idx->otab.mask + (idx->otab.slots != NULL)) * sizeof(uint32_t);
    m += ((size_t)idx->utab.mask + (idx->utab.slots != NULL)) * sizeof(uint32_t);
    m += idx->posting_bytes;
    m += (size_t)idx->sigs_cap * (RK_CORR_MINHASH + 1) * sizeof(uint32_t);
    m += rk__corr_lsh_bytes(idx->lsh);
    for (uint32_t i = 0; i < idx->ntypes; i++)
        m += strlen(idx->types[i]) + 1;
    out->memory_bytes = m;
}

enum rk_status rk_corr_index_export(const struct rk_corr_index *idx, rk_corr_value_cb vcb,
                                    rk_corr_posting_cb pcb, void *user_data)
{
    enum rk_status rc = RK_OK;
    for (uint32_t v = 0; vcb != NULL && rc == RK_OK && v < idx->nvalues; v++)
        if (idx->values[v].n > 0)
            rc = vcb(user_data, v, idx->types[idx->values[v].type], rk__corr_vstr(idx, v));
    for (uint32_t o = 0; pcb != NULL && rc == RK_OK && o < idx->nobjects; o++) {
        const struct rk__corr_object *obj = &idx->objects[o];
        for (uint32_t j = 0; obj->live && rc == RK_OK && j < obj->n; j++)
            rc = pcb(user_data, RK__CORR_NUM(obj->vals[j]), (enum rk_corr_kind)obj->kind,
                     rk__corr_ostr(idx, o), RK__CORR_REL(obj->vals[j]));
    }
    return rc;
}

/* ===== Save and load ===== */

/*
 * Format (all integers LEB128 varints unless noted):
 *   "RKCORR1\n"  ntypes {len bytes}  nunits {len bytes}  nvalues {type len bytes}
 *   nobjects {kind unit len bytes nrefs {delta-of-value-number << 3 | rel}
 *             hassig [RK_CORR_MINHASH x u32 little-endian]}
 * Only live objects are written. Values are written in number order, so references need no
 * remapping when every value is distinct; duplicates in a hostile file are merged on load.
 */
static const char corr_magic[8] = {'R', 'K', 'C', 'O', 'R', 'R', '1', '\n'};

static enum rk_status put_varint(struct rk_buf *b, uint64_t x)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (unsigned char)(x & 0x7f);
        x >>= 7;
        if (x != 0)
            tmp[n] |= 0x80;
        n++;
    } while (x != 0);
    return rk_buf_add(b, tmp, n);
}

static enum rk_status put_str(struct rk_buf *b, const char *s, size_t len)
{
    enum rk_status rc = put_varint(b, len);
    return rc != RK_OK ? rc : rk_buf_add(b, s, len);
}

enum rk_status rk_corr_index_save(const struct rk_corr_index *idx, struct rk_buf *out)
{
    enum rk_status rc = rk_buf_add(out, corr_magic, sizeof corr_magic);
    if (rc == RK_OK)
        rc = put_varint(out, idx->ntypes);
    for (uint32_t i = 0; rc == RK_OK && i < idx->ntypes; i++)
        rc = put_str(out, idx->types[i], strlen(idx->types[i]));
    if (rc == RK_OK)
        rc = put_varint(out, idx->nunits);
    for (uint32_t i = 0; rc == RK_OK && i < idx->nunits; i++) {
        const char *u = idx->arena + idx->units[i];
        rc = put_str(out, u, strlen(u));
    }
    if (rc == RK_OK)
        rc = put_varint(out, idx->nvalues);
    for (uint32_t i = 0; rc == RK_OK && i < idx->nvalues; i++) {
        const struct rk__corr_value *v = &idx->values[i];
        rc = put_varint(out, v->type);
        if (rc == RK_OK)
            rc = put_str(out, idx->arena + v->str, v->len);
    }
    if (rc == RK_OK)
        rc = put_varint(out, idx->live);
    for (uint32_t i = 0; rc == RK_OK && i < idx->nobjects; i++) {
        const struct rk__corr_object *o = &idx->objects[i];
        if (!o->live)
            continue;
        rc = put_varint(out, o->kind);
        if (rc == RK_OK)
            rc = put_varint(out, o->unit);
        if (rc == RK_OK)
            rc = put_str(out, idx->arena + o->str, o->len);
        if (rc == RK_OK)
            rc = put_varint(out, o->n);
        uint32_t prev = 0;
        for (uint32_t j = 0; rc == RK_OK && j < o->n; j++) {
            uint32_t vn = RK__CORR_NUM(o->vals[j]);
            rc = put_varint(out, ((uint64_t)(vn - prev) << 3) | RK__CORR_REL(o->vals[j]));
            prev = vn;
        }
        if (rc == RK_OK)
            rc = put_varint(out, o->sig != 0);
        if (rc == RK_OK && o->sig != 0) {
            const uint32_t *sig = idx->sigs + (size_t)(o->sig - 1) * RK_CORR_MINHASH;
            for (unsigned k = 0; rc == RK_OK && k < RK_CORR_MINHASH; k++) {
                unsigned char le[4] = {(unsigned char)sig[k], (unsigned char)(sig[k] >> 8),
                                       (unsigned char)(sig[k] >> 16),
                                       (unsigned char)(sig[k] >> 24)};
                rc = rk_buf_add(out, le, 4);
            }
        }
    }
    return rc;
}

struct reader {
    const unsigned char *p, *end;
};

static int get_varint(struct reader *r, uint64_t max, uint64_t *out)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            return -1;
        unsigned char c = *r->p++;
        x |= (uint64_t)(c & 0x7f) << shift;
        if ((c & 0x80) == 0) {
            if (x > max)
                return -1;
            *out = x;
            return 0;
        }
    }
    return -1;
}

/* Reads a string into a NUL-terminated scratch buffer of at least RK_MAX_CORR_VALUE + 1. */
static int get_str(struct reader *r, size_t max, char *buf)
{
    uint64_t len;
    if (get_varint(r, max, &len) != 0 || len == 0 || (size_t)(r->end - r->p) < len)
        return -1;
    memcpy(buf, r->p, (size_t)len);
    buf[len] = '\0';
    if (memchr(buf, '\0', (size_t)len) != NULL)
        return -1;
    r->p += len;
    return 0;
}

static enum rk_status load_objects(struct rk_corr_index *idx, struct reader *r,
                                   const uint32_t *vmap, uint64_t nvalues, const uint32_t *umap,
                                   uint64_t nunits, char *buf)
{
    uint64_t nobj;
    struct rk__corr_refs refs = {0};
    enum rk_status rc = RK_ECORRUPT;
    if (get_varint(r, RK_MAX_CORR_OBJECTS, &nobj) != 0)
        goto out;
    for (uint64_t i = 0; i < nobj; i++) {
        uint64_t kind, unit, nrefs, hassig;
        if (get_varint(r, RK_CORR_SOURCE, &kind) != 0 || kind < RK_CORR_REPORT ||
            get_varint(r, nunits == 0 ? 0 : nunits - 1, &unit) != 0 || nunits == 0 ||
            get_str(r, RK_MAX_CORR_ID, buf) != 0 ||
            get_varint(r, RK_MAX_CORR_OBJECT_VALUES, &nrefs) != 0)
            goto corrupt;
        uint32_t o;
        rc = find_or_add_object(idx, (enum rk_corr_kind)kind, buf,
                                idx->arena + idx->units[umap[unit]], &o);
        if (rc != RK_OK)
            goto out;
        uint64_t prev = 0;
        refs.n = 0;
        for (uint64_t j = 0; j < nrefs; j++) {
            uint64_t x;
            if (get_varint(r, UINT64_MAX >> 1, &x) != 0)
                goto corrupt;
            uint64_t vn = prev + (x >> 3);
            unsigned rel = (unsigned)(x & 7);
            if (vn >= nvalues || vn < prev || rel >= RK_CORR_REL_COUNT)
                goto corrupt;
            prev = vn;
            rc = refs_push(&refs, RK__CORR_PACK(vmap[vn], rel));
            if (rc != RK_OK)
                goto out;
        }
        refs_dedupe(&refs);
        rc = install_refs(idx, o, &refs);
        if (rc != RK_OK)
            goto out;
        if (get_varint(r, 1, &hassig) != 0)
            goto corrupt;
        if (hassig) {
            uint32_t sig[RK_CORR_MINHASH];
            if ((size_t)(r->end - r->p) < sizeof sig)
                goto corrupt;
            for (unsigned k = 0; k < RK_CORR_MINHASH; k++, r->p += 4)
                sig[k] = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
                         (uint32_t)r->p[3] << 24;
            rc = rk__corr_set_sig(idx, o, sig);
            if (rc != RK_OK)
                goto out;
        }
    }
    rc = r->p == r->end ? RK_OK : RK_ECORRUPT;
    goto out;
corrupt:
    rc = RK_ECORRUPT;
out:
    rk__corr_refs_free(&refs);
    return rc;
}

enum rk_status rk_corr_index_load(const void *data, size_t len, const struct rk_corr_config *cfg,
                                  struct rk_corr_index **out)
{
    struct rk_corr_index *idx = NULL;
    uint32_t *vmap = NULL, *umap = NULL;
    char *buf = NULL;
    struct reader r = {data, (const unsigned char *)data + len};
    uint64_t ntypes, nunits = 0, nvalues = 0;
    uint8_t tmap[RK_MAX_CORR_TYPES];
    *out = NULL;
    enum rk_status rc = rk_corr_index_create(cfg, &idx);
    if (rc != RK_OK)
        goto out;
    buf = rk_malloc(RK_MAX_CORR_VALUE + 1);
    if (buf == NULL) {
        rc = RK_ENOMEM;
        goto out;
    }
    rc = RK_ECORRUPT;
    if (len < sizeof corr_magic || memcmp(data, corr_magic, sizeof corr_magic) != 0)
        goto out;
    r.p += sizeof corr_magic;
    if (get_varint(&r, RK_MAX_CORR_TYPES, &ntypes) != 0)
        goto out;
    for (uint64_t i = 0; i < ntypes; i++) {
        if (get_str(&r, 32, buf) != 0)
            goto out;
        rc = intern_type(idx, buf, &tmap[i]);
        if (rc != RK_OK)
            goto out;
        rc = RK_ECORRUPT;
    }
    /* Each count is bounded by the bytes left, so a hostile count cannot make us allocate
     * more than the input justifies (every entry takes at least two bytes). */
    if (get_varint(&r, (uint64_t)(r.end - r.p) / 2, &nunits) != 0)
        goto out;
    umap = rk_calloc(nunits + 1, sizeof *umap);
    if (umap == NULL) {
        rc = RK_ENOMEM;
        goto out;
    }
    for (uint64_t i = 0; i < nunits; i++) {
        if (get_str(&r, RK_MAX_CORR_ID, buf) != 0)
            goto out;
        rc = intern_unit(idx, buf, &umap[i]);
        if (rc != RK_OK)
            goto out;
        rc = RK_ECORRUPT;
    }
    if (get_varint(&r, (uint64_t)(r.end - r.p) / 3, &nvalues) != 0)
        goto out;
    vmap = rk_calloc(nvalues + 1, sizeof *vmap);
    if (vmap == NULL) {
        rc = RK_ENOMEM;
        goto out;
    }
    for (uint64_t i = 0; i < nvalues; i++) {
        uint64_t t;
        if (get_varint(&r, ntypes == 0 ? 0 : ntypes - 1, &t) != 0 || ntypes == 0 ||
            get_str(&r, RK_MAX_CORR_VALUE, buf) != 0)
            goto out;
        rc = intern_value(idx, idx->types[tmap[t]], buf, &vmap[i]);
        if (rc != RK_OK)
            goto out;
        rc = RK_ECORRUPT;
    }
    rc = load_objects(idx, &r, vmap, nvalues, umap, nunits, buf);
out:
    rk_free(buf);
    rk_free(vmap);
    rk_free(umap);
    if (rc != RK_OK) {
        rk_corr_index_destroy(idx);
        return rc == RK_EINVAL || rc == RK_ETOOBIG ? RK_ECORRUPT : rc;
    }
    *out = idx;
    return RK_OK;
}

/* ===== Persistence by value number ===== */

enum rk_status rk_corr_index_intern(struct rk_corr_index *idx, const char *type, const char *value,
                                    uint32_t *value_id)
{
    if (type == NULL || value == NULL) {
        set_err(idx, "a value has no type or no text");
        return RK_EINVAL;
    }
    enum rk_status rc = intern_value(idx, type, value, value_id);
    if (rc == RK_ETOOBIG)
        set_err(idx, "the index is full");
    return rc;
}

enum rk_status rk_corr_index_put_held(struct rk_corr_index *idx, enum rk_corr_kind kind,
                                      const char *object_id, const char *unit_id,
                                      const struct rk_corr_held *held, size_t n)
{
    struct rk__corr_refs refs = {0};
    enum rk_status rc = check_ids(idx, kind, object_id, unit_id);
    if (rc != RK_OK)
        goto out;
    if (unit_id == NULL) {
        set_err(idx, "unit id is missing");
        rc = RK_EINVAL;
        goto out;
    }
    if (n > RK_MAX_CORR_OBJECT_VALUES) {
        rc = RK_ETOOBIG;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (held[i].value_id >= idx->nvalues || (unsigned)held[i].rel >= RK_CORR_REL_COUNT) {
            set_err(idx, "held value %zu is not in the index or has an invalid relation", i);
            rc = RK_EINVAL;
            goto out;
        }
        rc = refs_push(&refs, RK__CORR_PACK(held[i].value_id, held[i].rel));
        if (rc != RK_OK)
            goto out;
    }
    refs_dedupe(&refs);
    uint32_t o;
    rc = find_or_add_object(idx, kind, object_id, unit_id, &o);
    if (rc != RK_OK)
        goto out;
    rc = install_refs(idx, o, &refs);
out:
    if (rc == RK_ETOOBIG)
        set_err(idx, "object holds more than %u values or the index is full",
                RK_MAX_CORR_OBJECT_VALUES);
    rk__corr_refs_free(&refs);
    return rc;
}

enum rk_status rk_corr_index_walk_object(const struct rk_corr_index *idx, enum rk_corr_kind kind,
                                         const char *object_id, rk_corr_held_cb cb, void *user_data)
{
    uint32_t o = rk__corr_find_object(idx, kind, object_id);
    if (o == UINT32_MAX || !idx->objects[o].live)
        return RK_ENOTFOUND;
    const struct rk__corr_object *obj = &idx->objects[o];
    enum rk_status rc = RK_OK;
    for (uint32_t j = 0; rc == RK_OK && j < obj->n; j++) {
        uint32_t v = RK__CORR_NUM(obj->vals[j]);
        rc = cb(user_data, v, idx->types[idx->values[v].type], rk__corr_vstr(idx, v),
                RK__CORR_REL(obj->vals[j]));
    }
    return rc;
}

const char *rk_corr_index_object_unit(const struct rk_corr_index *idx, enum rk_corr_kind kind,
                                      const char *object_id)
{
    uint32_t o = rk__corr_find_object(idx, kind, object_id);
    if (o == UINT32_MAX || !idx->objects[o].live)
        return NULL;
    return rk__corr_unit(idx, o);
}

enum rk_status rk_corr_index_signature(const struct rk_corr_index *idx, enum rk_corr_kind kind,
                                       const char *object_id, uint32_t *sig)
{
    uint32_t o = rk__corr_find_object(idx, kind, object_id);
    if (o == UINT32_MAX || !idx->objects[o].live || idx->objects[o].sig == 0)
        return RK_ENOTFOUND;
    memcpy(sig, idx->sigs + (size_t)(idx->objects[o].sig - 1) * RK_CORR_MINHASH,
           RK_CORR_MINHASH * sizeof *sig);
    return RK_OK;
}

enum rk_status rk_corr_index_set_signature(struct rk_corr_index *idx, enum rk_corr_kind kind,
                                           const char *object_id, const uint32_t *sig)
{
    uint32_t o = rk__corr_find_object(idx, kind, object_id);
    if (o == UINT32_MAX || !idx->objects[o].live)
        return RK_ENOTFOUND;
    return rk__corr_set_sig(idx, o, sig);
}
