/*
 * Related objects: for one object (or a list of values), the other objects that share values
 * with it, ranked by an inverse-frequency score and explained in words, with narrative
 * similarity as a weaker signal and the need-to-know hook applied before anything is shown.
 *
 * Score of a related object = sum over shared linking values of
 *     min(weight(rel_self), weight(rel_other)) * ln(1 + N / df)
 * where N is the number of live objects and df the number holding the value — except that
 * of the derived links of one chain (host, registrable domain, mail domain; /24, /16) only the
 * strongest counts — plus 0.5 * narrative similarity when it reaches the query's threshold. A bank
 * account held by two reports among a million weighs ~13; a domain held by 400 weighs ~8; the cap
 * and the warninglists remove what would weigh nothing but cost the most to walk.
 */
#include "renkei/correlate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate-int.h"
#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/limits.h"

#define TEXT_WEIGHT        0.5
#define DEFAULT_LIMIT      50u
#define DEFAULT_MIN_TEXT   0.3
#define EXPLAIN_MAX_VALUES 3u

struct link {
    uint32_t value;
    uint8_t rel_self, rel_other;
    float weight;
    uint32_t next; /* 1 + index of the next link of the same object, 0 = end */
};

struct acc {
    uint32_t obj;
    uint32_t links; /* 1 + index of the first link, 0 = none */
    double score;   /* the total, kept up to date: base + dom + net + text part */
    double base;    /* sum of direct (and given) links */
    double dom;     /* strongest derived domain link (host, registrable or mail domain) */
    double net;     /* strongest derived network link */
    double text;
};

struct query {
    const struct rk_corr_index *idx;
    uint32_t self; /* the queried object, or UINT32_MAX */
    uint32_t *map; /* object number -> 1 + acc index, open addressing */
    uint32_t mask;
    struct acc *accs;
    uint32_t naccs, accs_cap;
    struct link *links;
    uint32_t nlinks, links_cap;
    double min_text;
    const uint32_t *self_sig;
};

/* ===== Accumulators ===== */

static enum rk_status map_grow(struct query *q)
{
    uint32_t nn = q->map == NULL ? 1024 : (q->mask + 1) * 2;
    uint32_t *m = rk_calloc(nn, sizeof *m);
    if (m == NULL)
        return RK_ENOMEM;
    for (uint32_t i = 0; i < q->naccs; i++) {
        uint32_t j = (q->accs[i].obj * 2654435761u) & (nn - 1);
        while (m[j] != 0)
            j = (j + 1) & (nn - 1);
        m[j] = i + 1;
    }
    rk_free(q->map);
    q->map = m;
    q->mask = nn - 1;
    return RK_OK;
}

static enum rk_status acc_get(struct query *q, uint32_t obj, struct acc **out)
{
    if (q->map == NULL || (q->naccs + 1) * 2 > q->mask + 1) {
        enum rk_status rc = map_grow(q);
        if (rc != RK_OK)
            return rc;
    }
    uint32_t j = (obj * 2654435761u) & q->mask;
    while (q->map[j] != 0) {
        if (q->accs[q->map[j] - 1].obj == obj) {
            *out = &q->accs[q->map[j] - 1];
            return RK_OK;
        }
        j = (j + 1) & q->mask;
    }
    if (q->naccs == q->accs_cap) {
        uint32_t nc = q->accs_cap == 0 ? 256 : q->accs_cap * 2;
        struct acc *na = rk_reallocarray(q->accs, nc, sizeof *na);
        if (na == NULL)
            return RK_ENOMEM;
        q->accs = na;
        q->accs_cap = nc;
    }
    struct acc *a = &q->accs[q->naccs];
    memset(a, 0, sizeof *a);
    a->obj = obj;
    q->map[j] = ++q->naccs;
    *out = a;
    return RK_OK;
}

static enum rk_status add_link(struct query *q, struct acc *a, uint32_t v, enum rk_corr_rel rs,
                               enum rk_corr_rel ro, double w)
{
    if (q->nlinks == q->links_cap) {
        uint32_t nc = q->links_cap == 0 ? 1024 : q->links_cap * 2;
        struct link *nl = rk_reallocarray(q->links, nc, sizeof *nl);
        if (nl == NULL)
            return RK_ENOMEM;
        q->links = nl;
        q->links_cap = nc;
    }
    struct link *l = &q->links[q->nlinks];
    l->value = v;
    l->rel_self = (uint8_t)rs;
    l->rel_other = (uint8_t)ro;
    l->weight = (float)w;
    l->next = a->links;
    a->links = ++q->nlinks;
    /* A derived link is one step of a chain (URL -> host -> registrable domain, address ->
     * /24 -> /16): sharing a host implies sharing its registrable domain, so within a chain
     * only the strongest link counts, while independent direct values add up. */
    enum rk_corr_rel r = rs != RK_CORR_REL_SAME ? rs : ro;
    if (r == RK_CORR_REL_HOST || r == RK_CORR_REL_REGDOMAIN || r == RK_CORR_REL_EMAIL_DOMAIN) {
        if (w > a->dom)
            a->dom = w;
    } else if (r == RK_CORR_REL_NET_NARROW || r == RK_CORR_REL_NET_WIDE) {
        if (w > a->net)
            a->net = w;
    } else {
        a->base += w;
    }
    a->score = a->base + a->dom + a->net + TEXT_WEIGHT * a->text;
    return RK_OK;
}

static void query_free(struct query *q)
{
    rk_free(q->map);
    rk_free(q->accs);
    rk_free(q->links);
}

/* ===== Result building ===== */

static char *dup_or_null(const char *s, int *failed)
{
    char *d = rk_strdup(s);
    if (d == NULL)
        *failed = 1;
    return d;
}

void rk_corr_result_destroy(struct rk_corr_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->count; i++) {
        struct rk_corr_hit *h = &r->hits[i];
        rk_free(h->unit_id);
        rk_free(h->object_id);
        rk_free(h->explanation);
        for (size_t j = 0; j < h->nshared; j++) {
            rk_free(h->shared[j].type);
            rk_free(h->shared[j].value);
        }
        rk_free(h->shared);
    }
    rk_free(r->hits);
    for (size_t i = 0; i < r->nsuppressed; i++) {
        rk_free(r->suppressed[i].type);
        rk_free(r->suppressed[i].value);
        rk_free(r->suppressed[i].reason);
    }
    rk_free(r->suppressed);
    rk_free(r);
}

/* Source counts: for a derived value of the query, how many of its own values led to it. */
struct source {
    uint32_t value;
    uint32_t count;
    const char *type; /* type of the first source value (borrowed for the query) */
};

struct sources {
    struct source *s;
    size_t n, cap;
    const struct rk_corr_index *idx;
    const char *cur_type;
};

static enum rk_status source_cb(void *ud, const char *type, const char *value, enum rk_corr_rel rel)
{
    struct sources *ss = ud;
    uint32_t v = rk__corr_find_value(ss->idx, type, value);
    if (v == UINT32_MAX)
        return RK_OK;
    for (size_t i = 0; i < ss->n; i++) {
        if (ss->s[i].value == v) {
            ss->s[i].count++;
            return RK_OK;
        }
    }
    if (ss->n == ss->cap) {
        size_t nc = ss->cap == 0 ? 32 : ss->cap * 2;
        struct source *ns = rk_reallocarray(ss->s, nc, sizeof *ns);
        if (ns == NULL)
            return RK_ENOMEM;
        ss->s = ns;
        ss->cap = nc;
    }
    ss->s[ss->n].value = v;
    ss->s[ss->n].count = 1;
    ss->s[ss->n].type = ss->cur_type;
    ss->n++;
    return RK_OK;
}

/* The query's own values are `inputs` for a value query (they need not be indexed), else the
 * direct references among `refs`. */
static enum rk_status sources_build(const struct rk_corr_index *idx, const uint32_t *refs, size_t n,
                                    const struct rk_corr_value *inputs, size_t ninputs,
                                    struct sources *out)
{
    out->idx = idx;
    for (size_t i = 0; inputs != NULL && i < ninputs; i++) {
        if (inputs[i].rel != RK_CORR_REL_SAME)
            continue;
        out->cur_type = inputs[i].type;
        enum rk_status rc = rk_corr_expand(inputs[i].type, inputs[i].value, source_cb, out);
        if (rc != RK_OK)
            return rc;
    }
    for (size_t i = 0; inputs == NULL && i < n; i++) {
        if (RK__CORR_REL(refs[i]) != RK_CORR_REL_SAME)
            continue;
        uint32_t v = RK__CORR_NUM(refs[i]);
        out->cur_type = idx->types[idx->values[v].type];
        enum rk_status rc =
            rk_corr_expand(idx->types[idx->values[v].type], rk__corr_vstr(idx, v), source_cb, out);
        if (rc != RK_OK)
            return rc;
    }
    return RK_OK;
}

static const struct source *source_find(const struct sources *ss, uint32_t v)
{
    for (size_t i = 0; i < ss->n; i++)
        if (ss->s[i].value == v)
            return &ss->s[i];
    return NULL;
}

static const char *rel_phrase(enum rk_corr_rel r)
{
    switch (r) {
    case RK_CORR_REL_HOST:
        return "on the same host";
    case RK_CORR_REL_REGDOMAIN:
        return "on the same registrable domain";
    case RK_CORR_REL_EMAIL_DOMAIN:
        return "at the same mail domain";
    case RK_CORR_REL_NET_NARROW:
        return "in the same network";
    case RK_CORR_REL_NET_WIDE:
        return "in the same wide network";
    default:
        return "with the same related value";
    }
}

static int cmp_shared(const void *a, const void *b)
{
    const struct rk_corr_shared *x = a, *y = b;
    enum rk_corr_rel rx = x->rel_self != RK_CORR_REL_SAME ? x->rel_self : x->rel_other;
    enum rk_corr_rel ry = y->rel_self != RK_CORR_REL_SAME ? y->rel_self : y->rel_other;
    if (rx != ry)
        return rx < ry ? -1 : 1;
    int c = strcmp(x->type, y->type);
    if (c != 0)
        return c;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return strcmp(x->value, y->value);
}

/*
 * Writes the explanation of one hit: direct matches first, grouped by type ("shares
 * bank-account X", "shares 3 url values (a, b, c, ...)"), then derived ones ("2 url values on the
 * same registrable domain example.com"), then the narrative similarity.
 */
static enum rk_status explain(const struct rk_corr_index *idx, const struct sources *ss,
                              struct rk_corr_hit *h, struct rk_buf *b)
{
    enum rk_status rc = RK_OK;
    const char *sep = "shares ";
    size_t i = 0;
    while (i < h->nshared && rc == RK_OK) {
        const struct rk_corr_shared *s = &h->shared[i];
        enum rk_corr_rel r = s->rel_self != RK_CORR_REL_SAME ? s->rel_self : s->rel_other;
        if (r == RK_CORR_REL_SAME) {
            size_t j = i;
            while (j < h->nshared && h->shared[j].rel_self == RK_CORR_REL_SAME &&
                   h->shared[j].rel_other == RK_CORR_REL_SAME &&
                   strcmp(h->shared[j].type, s->type) == 0)
                j++;
            if (j - i == 1) {
                rc = rk_buf_addf(b, "%s%s %s", sep, s->type, s->value);
            } else {
                rc = rk_buf_addf(b, "%s%zu %s values (", sep, j - i, s->type);
                for (size_t k = i; rc == RK_OK && k < j && k < i + EXPLAIN_MAX_VALUES; k++)
                    rc = rk_buf_addf(b, "%s%s", k == i ? "" : ", ", h->shared[k].value);
                if (rc == RK_OK)
                    rc = rk_buf_adds(b, j - i > EXPLAIN_MAX_VALUES ? ", ...)" : ")");
            }
            i = j;
        } else {
            uint32_t v = rk__corr_find_value(idx, s->type, s->value);
            const struct source *src = s->rel_self != RK_CORR_REL_SAME ? source_find(ss, v) : NULL;
            const char *sep2 = i == 0 ? "" : "; ";
            if (src != NULL && src->count > 1)
                rc = rk_buf_addf(b, "%s%u %s values %s %s", sep2, src->count, src->type,
                                 rel_phrase(r), s->value);
            else if (src != NULL)
                rc = rk_buf_addf(b, "%s%s %s %s", sep2, src->type, rel_phrase(r), s->value);
            else
                rc = rk_buf_addf(b, "%s%s %s (%s)", sep, s->type, s->value, rk_corr_rel_name(r));
            i++;
        }
        sep = "; ";
    }
    if (rc == RK_OK && h->text_similarity > 0)
        rc = rk_buf_addf(b, "%snarrative %.0f%% similar", h->nshared > 0 ? "; " : "",
                         h->text_similarity * 100.0);
    return rc;
}

static enum rk_status fill_hit(const struct query *q, const struct sources *ss, const struct acc *a,
                               struct rk_corr_hit *h)
{
    const struct rk_corr_index *idx = q->idx;
    int failed = 0;
    enum rk_status rc = RK_OK;
    struct rk_buf b;
    rk_buf_init(&b, 16384);
    h->object_id = dup_or_null(rk__corr_ostr(idx, a->obj), &failed);
    h->score = a->score;
    h->text_similarity = a->text;
    size_t n = 0;
    for (uint32_t l = a->links; l != 0; l = q->links[l - 1].next)
        n++;
    if (n > 0) {
        h->shared = rk_calloc(n, sizeof *h->shared);
        if (h->shared == NULL)
            failed = 1;
    }
    for (uint32_t l = a->links; !failed && l != 0; l = q->links[l - 1].next) {
        const struct link *lk = &q->links[l - 1];
        struct rk_corr_shared *s = &h->shared[h->nshared++];
        s->type = dup_or_null(idx->types[idx->values[lk->value].type], &failed);
        s->value = dup_or_null(rk__corr_vstr(idx, lk->value), &failed);
        s->rel_self = (enum rk_corr_rel)lk->rel_self;
        s->rel_other = (enum rk_corr_rel)lk->rel_other;
        s->weight = lk->weight;
    }
    if (failed) {
        rc = RK_ENOMEM;
        goto out;
    }
    if (h->nshared > 1)
        qsort(h->shared, h->nshared, sizeof *h->shared, cmp_shared);
    rc = explain(idx, ss, h, &b);
    if (rc == RK_ETOOBIG)
        rc = RK_OK; /* a very long explanation is cut; the shared list stays complete */
    if (rc != RK_OK)
        goto out;
    h->explanation = rk_buf_steal(&b);
    if (h->explanation == NULL)
        rc = RK_ENOMEM;
out:
    rk_buf_free(&b);
    return rc;
}

/* Orders accumulators best first; ties by object id so that results are stable. */
static int cmp_acc_ctx(const struct rk_corr_index *idx, const struct acc *x, const struct acc *y)
{
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(rk__corr_ostr(idx, x->obj), rk__corr_ostr(idx, y->obj));
}

/* A binary heap of the best `limit` accumulators (the root is the worst of them). */
static void heap_sift_down(const struct rk_corr_index *idx, struct acc **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && cmp_acc_ctx(idx, h[l], h[w]) > 0)
            w = l;
        if (r < n && cmp_acc_ctx(idx, h[r], h[w]) > 0)
            w = r;
        if (w == i)
            return;
        struct acc *t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void heap_sift_up(const struct rk_corr_index *idx, struct acc **h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (cmp_acc_ctx(idx, h[i], h[p]) <= 0)
            return;
        struct acc *t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static void sort_best(const struct rk_corr_index *idx, struct acc **h, size_t n)
{
    /* Insertion sort: n is at most RK_MAX_CORR_HITS and usually 50. */
    for (size_t i = 1; i < n; i++) {
        struct acc *x = h[i];
        size_t j = i;
        while (j > 0 && cmp_acc_ctx(idx, x, h[j - 1]) < 0) {
            h[j] = h[j - 1];
            j--;
        }
        h[j] = x;
    }
}

/* ===== The query ===== */

static enum rk_status text_cb(void *ud, uint32_t sig_no)
{
    struct query *q = ud;
    const struct rk_corr_index *idx = q->idx;
    uint32_t o = idx->sig_owner[sig_no];
    if (o == UINT32_MAX || o == q->self || !idx->objects[o].live ||
        idx->objects[o].sig != sig_no + 1)
        return RK_OK;
    double sim = rk__corr_sig_similarity(q->self_sig, idx->sigs + (size_t)sig_no * RK_CORR_MINHASH);
    if (sim < q->min_text)
        return RK_OK;
    struct acc *a;
    enum rk_status rc = acc_get(q, o, &a);
    if (rc != RK_OK || a->text != 0)
        return rc;
    a->text = sim;
    a->score = a->base + a->dom + a->net + TEXT_WEIGHT * a->text;
    return RK_OK;
}

static enum rk_status add_suppressed(struct rk_corr_result *r, size_t *cap,
                                     const struct rk_corr_index *idx, uint32_t v,
                                     enum rk_corr_noise noise, const char *reason)
{
    if (r->nsuppressed == *cap) {
        size_t nc = *cap == 0 ? 8 : *cap * 2;
        struct rk_corr_suppressed *ns = rk_reallocarray(r->suppressed, nc, sizeof *ns);
        if (ns == NULL)
            return RK_ENOMEM;
        r->suppressed = ns;
        *cap = nc;
    }
    int failed = 0;
    struct rk_corr_suppressed *s = &r->suppressed[r->nsuppressed++];
    s->type = dup_or_null(idx->types[idx->values[v].type], &failed);
    s->value = dup_or_null(rk__corr_vstr(idx, v), &failed);
    s->reason = dup_or_null(reason, &failed);
    s->noise = noise;
    return failed ? RK_ENOMEM : RK_OK;
}

static enum rk_status run_query(const struct rk_corr_index *idx, uint32_t self,
                                const uint32_t *refs, size_t nrefs,
                                const struct rk_corr_value *inputs, size_t ninputs,
                                const uint32_t *self_sig, const struct rk_corr_query *opt,
                                rk_corr_access_cb access, void *ud, struct rk_corr_result **out)
{
    struct query q = {0};
    struct sources ss = {0};
    struct acc **best = NULL;
    size_t supp_cap = 0;
    enum rk_status rc = RK_ENOMEM;
    size_t limit = opt != NULL && opt->limit != 0 ? opt->limit : DEFAULT_LIMIT;
    if (limit > RK_MAX_CORR_HITS)
        limit = RK_MAX_CORR_HITS;
    double min_score = opt != NULL ? opt->min_score : 0.0;
    q.idx = idx;
    q.self = self;
    q.min_text = opt != NULL && opt->min_text > 0 ? opt->min_text : DEFAULT_MIN_TEXT;
    q.self_sig = self_sig;
    struct rk_corr_result *r = rk_calloc(1, sizeof *r);
    if (r == NULL)
        goto out;

    for (size_t i = 0; i < nrefs; i++) {
        uint32_t v = RK__CORR_NUM(refs[i]);
        enum rk_corr_rel rs = RK__CORR_REL(refs[i]);
        const struct rk__corr_value *val = &idx->values[v];
        uint32_t others = val->n - (self != UINT32_MAX);
        if (others == 0)
            continue;
        char reason[160];
        enum rk_corr_noise noise = rk__corr_noise(idx, v, reason, sizeof reason);
        if (noise != RK_CORR_LINKS) {
            rc = add_suppressed(r, &supp_cap, idx, v, noise, reason);
            if (rc != RK_OK)
                goto out;
            continue;
        }
        double idf = rk__corr_idf(idx, val->n);
        const uint32_t *p = rk__corr_postings(val);
        for (uint32_t j = 0; j < val->n; j++) {
            uint32_t o = RK__CORR_NUM(p[j]);
            if (o == self)
                continue;
            enum rk_corr_rel ro = RK__CORR_REL(p[j]);
            double w = rk_corr_rel_weight(rs) < rk_corr_rel_weight(ro) ? rk_corr_rel_weight(rs)
                                                                       : rk_corr_rel_weight(ro);
            struct acc *a;
            rc = acc_get(&q, o, &a);
            if (rc == RK_OK)
                rc = add_link(&q, a, v, rs, ro, w * idf);
            if (rc != RK_OK)
                goto out;
        }
    }
    if (self_sig != NULL && !(opt != NULL && opt->no_text)) {
        rc = rk__corr_lsh_candidates(idx, self_sig, text_cb, &q);
        if (rc != RK_OK)
            goto out;
    }

    /* Keep the best `limit` in a heap whose root is the worst kept. */
    rc = RK_ENOMEM;
    best = rk_calloc(limit, sizeof *best);
    if (best == NULL)
        goto out;
    size_t nbest = 0;
    for (uint32_t i = 0; i < q.naccs; i++) {
        struct acc *a = &q.accs[i];
        if (a->score < min_score || a->score <= 0)
            continue;
        if (nbest < limit) {
            best[nbest] = a;
            heap_sift_up(idx, best, nbest++);
        } else if (cmp_acc_ctx(idx, a, best[0]) < 0) {
            best[0] = a;
            heap_sift_down(idx, best, nbest, 0);
        }
    }
    sort_best(idx, best, nbest);

    r->hits = nbest == 0 ? NULL : rk_calloc(nbest, sizeof *r->hits);
    if (nbest > 0 && r->hits == NULL)
        goto out;
    rc = sources_build(idx, refs, nrefs, inputs, ninputs, &ss);
    if (rc != RK_OK)
        goto out;
    for (size_t i = 0; i < nbest; i++) {
        const struct rk__corr_object *o = &idx->objects[best[i]->obj];
        const char *unit = rk__corr_unit(idx, best[i]->obj);
        const char *oid = rk__corr_ostr(idx, best[i]->obj);
        if (access == NULL || access(ud, (enum rk_corr_kind)o->kind, oid, unit)) {
            struct rk_corr_hit *h = &r->hits[r->count++];
            h->kind = (enum rk_corr_kind)o->kind;
            h->unit_id = rk_strdup(unit);
            rc = h->unit_id == NULL ? RK_ENOMEM : fill_hit(&q, &ss, best[i], h);
            if (rc != RK_OK)
                goto out;
            continue;
        }
        /* Restricted: collapse per (unit, kind), and keep nothing but that. */
        struct rk_corr_hit *h = NULL;
        for (size_t k = 0; k < r->count; k++)
            if (r->hits[k].restricted && r->hits[k].kind == (enum rk_corr_kind)o->kind &&
                strcmp(r->hits[k].unit_id, unit) == 0)
                h = &r->hits[k];
        if (h == NULL) {
            h = &r->hits[r->count++];
            h->kind = (enum rk_corr_kind)o->kind;
            h->restricted = 1;
            h->unit_id = rk_strdup(unit);
            if (h->unit_id == NULL) {
                rc = RK_ENOMEM;
                goto out;
            }
        }
        h->restricted_count++;
    }
    rc = RK_OK;
out:
    rk_free(ss.s);
    rk_free(best);
    query_free(&q);
    if (rc != RK_OK) {
        rk_corr_result_destroy(r);
        return rc;
    }
    *out = r;
    return RK_OK;
}

enum rk_status rk_corr_related(const struct rk_corr_index *idx, enum rk_corr_kind kind,
                               const char *object_id, const struct rk_corr_query *q,
                               rk_corr_access_cb access, void *user_data,
                               struct rk_corr_result **out)
{
    *out = NULL;
    uint32_t o = rk__corr_find_object(idx, kind, object_id);
    if (o == UINT32_MAX)
        return RK_ENOTFOUND;
    const struct rk__corr_object *obj = &idx->objects[o];
    const uint32_t *sig =
        obj->sig != 0 ? idx->sigs + (size_t)(obj->sig - 1) * RK_CORR_MINHASH : NULL;
    return run_query(idx, o, obj->vals, obj->n, NULL, 0, sig, q, access, user_data, out);
}

enum rk_status rk_corr_related_values(const struct rk_corr_index *idx,
                                      const struct rk_corr_value *values, size_t n,
                                      const struct rk_corr_query *q, rk_corr_access_cb access,
                                      void *user_data, struct rk_corr_result **out)
{
    struct rk__corr_refs refs = {0};
    *out = NULL;
    enum rk_status rc = rk__corr_resolve(idx, values, n, &refs);
    if (rc == RK_OK)
        rc = run_query(idx, UINT32_MAX, refs.v, refs.n, values, n, NULL, q, access, user_data, out);
    rk__corr_refs_free(&refs);
    return rc;
}
