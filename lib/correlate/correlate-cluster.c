/*
 * Candidate groups (攻撃グループ / 犯行グループ): clustering of the object-value graph.
 *
 * 1. Noise removal: values that are warninglisted, too common, held by one object, or linked
 *    only through a weak relation (a /16 network) leave the graph; optionally also
 *    infrastructure (address, network, host, page) held by more than infra_max_df objects.
 * 2. What remains is a bipartite graph of objects and values with edge weight
 *    rel-weight x ln(1 + N/df); no object-object pair table is ever built. Its connected
 *    components are the first split. Louvain modularity optimisation (local moving, then
 *    aggregation of communities into nodes, repeated until nothing moves) then runs on the
 *    bipartite graph with each component's own total weight in the gain, so a component made
 *    of two dense groups joined by one value splits in two however large the rest of the
 *    graph is, and a joining guard (local_moving) keeps hubs below the cap from merging groups.
 *    Node order and tie-breaks are fixed, so the result is deterministic.
 * 3. Confirmed groups keep their id: each is matched to the cluster it overlaps most (greedy,
 *    largest overlap first), that cluster is not listed again, and objects outside the group
 *    that hold one of its members' linking values are flagged for an analyst.
 */
#include "renkei/correlate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate-int.h"
#include "renkei/alloc.h"
#include "renkei/limits.h"

#define DEFAULT_MIN_REL_WEIGHT 0.3
#define DEFAULT_ITERATIONS     30u
#define DEFAULT_INFRA_MAX_DF   UINT32_MAX
/* A node or community joins another only if the weight between them is at least this share of
 * the smaller one's total weight (see local_moving). */
#define JOIN_SHARE 0.1
#define NONE       UINT32_MAX

/* The filtered graph in compressed sparse rows, both directions. */
struct graph {
    uint32_t nv;      /* eligible values */
    uint32_t *vnum;   /* eligible index -> value number */
    uint32_t *vstart; /* nv + 1 offsets into vadj */
    uint32_t *vadj;   /* object numbers */
    float *vw;
    uint32_t *ostart; /* nobjects + 1 offsets into oadj */
    uint32_t *oadj;   /* eligible value indexes */
    float *ow;
};

static void graph_free(struct graph *g)
{
    rk_free(g->vnum);
    rk_free(g->vstart);
    rk_free(g->vadj);
    rk_free(g->vw);
    rk_free(g->ostart);
    rk_free(g->oadj);
    rk_free(g->ow);
}

/* Infrastructure types: addresses, networks, hosts and pages are shared by unrelated victims
 * (a hosting provider's address, a popular regional site) far more often than bank accounts,
 * phone numbers, e-mail addresses or wallets are. */
static int is_infrastructure(const char *type)
{
    static const char *const infra[] = {"ipv4", "ipv6", "cidr", "domain", "url", "asn"};
    for (size_t i = 0; i < sizeof infra / sizeof infra[0]; i++)
        if (strcmp(type, infra[i]) == 0)
            return 1;
    return 0;
}

/* Whether value v joins groups: it links (not warninglisted, not too common), at least two
 * objects hold it through a strong enough relation, and an infrastructure value is not held
 * by more than infra_max_df objects. Returns the number of qualifying holders, or 0. */
static uint32_t eligible(const struct rk_corr_index *idx, uint32_t v, double min_w,
                         uint32_t infra_max_df, const uint8_t *infra)
{
    const struct rk__corr_value *val = &idx->values[v];
    if (val->n < 2 || rk__corr_noise(idx, v, NULL, 0) != RK_CORR_LINKS)
        return 0;
    if (infra[val->type] && val->n > infra_max_df)
        return 0;
    uint32_t k = 0;
    const uint32_t *p = rk__corr_postings(val);
    for (uint32_t j = 0; j < val->n; j++)
        k += rk_corr_rel_weight(RK__CORR_REL(p[j])) >= min_w;
    return k >= 2 ? k : 0;
}

static enum rk_status graph_build(const struct rk_corr_index *idx, double min_w,
                                  uint32_t infra_max_df, struct graph *g)
{
    uint8_t infra[RK_MAX_CORR_TYPES];
    for (uint32_t t = 0; t < idx->ntypes; t++)
        infra[t] = (uint8_t)is_infrastructure(idx->types[t]);
    uint32_t nv = 0;
    size_t ne = 0;
    for (uint32_t v = 0; v < idx->nvalues; v++) {
        uint32_t k = eligible(idx, v, min_w, infra_max_df, infra);
        if (k == 0)
            continue;
        nv++;
        ne += k;
    }
    g->nv = nv;
    g->vnum = rk_malloc((nv + 1) * sizeof *g->vnum);
    g->vstart = rk_malloc((nv + 1) * sizeof *g->vstart);
    g->vadj = rk_malloc((ne + 1) * sizeof *g->vadj);
    g->vw = rk_malloc((ne + 1) * sizeof *g->vw);
    g->ostart = rk_calloc((size_t)idx->nobjects + 1, sizeof *g->ostart);
    g->oadj = rk_malloc((ne + 1) * sizeof *g->oadj);
    g->ow = rk_malloc((ne + 1) * sizeof *g->ow);
    if (g->vnum == NULL || g->vstart == NULL || g->vadj == NULL || g->vw == NULL ||
        g->ostart == NULL || g->oadj == NULL || g->ow == NULL)
        return RK_ENOMEM;
    uint32_t e = 0, vi = 0;
    for (uint32_t v = 0; v < idx->nvalues; v++) {
        const struct rk__corr_value *val = &idx->values[v];
        const uint32_t *p = rk__corr_postings(val);
        if (eligible(idx, v, min_w, infra_max_df, infra) == 0)
            continue;
        double idf = rk__corr_idf(idx, val->n);
        g->vnum[vi] = v;
        g->vstart[vi] = e;
        for (uint32_t j = 0; j < val->n; j++) {
            double w = rk_corr_rel_weight(RK__CORR_REL(p[j]));
            if (w < min_w)
                continue;
            g->vadj[e] = RK__CORR_NUM(p[j]);
            g->vw[e] = (float)(w * idf);
            g->ostart[RK__CORR_NUM(p[j]) + 1]++;
            e++;
        }
        vi++;
    }
    g->vstart[nv] = e;
    for (uint32_t o = 0; o < idx->nobjects; o++)
        g->ostart[o + 1] += g->ostart[o];
    /* Fill the object side with a cursor per object (reusing ostart shifted by one). */
    uint32_t *cur = rk_malloc(((size_t)idx->nobjects + 1) * sizeof *cur);
    if (cur == NULL)
        return RK_ENOMEM;
    memcpy(cur, g->ostart, ((size_t)idx->nobjects + 1) * sizeof *cur);
    for (uint32_t v = 0; v < nv; v++) {
        for (uint32_t j = g->vstart[v]; j < g->vstart[v + 1]; j++) {
            uint32_t o = g->vadj[j];
            g->oadj[cur[o]] = v;
            g->ow[cur[o]] = g->vw[j];
            cur[o]++;
        }
    }
    rk_free(cur);
    return RK_OK;
}

/* ===== Louvain, per connected component ===== */

/* One level of the Louvain hierarchy: a weighted undirected graph in CSR form, each edge
 * stored in both directions, self-loops once with twice the internal weight. */
struct level {
    uint32_t n;
    uint32_t *start; /* n + 1 */
    uint32_t *adj;
    double *w;
    uint32_t *comp; /* connected component of each node */
};

static void level_free(struct level *l)
{
    rk_free(l->start);
    rk_free(l->adj);
    rk_free(l->w);
    rk_free(l->comp);
    memset(l, 0, sizeof *l);
}

/* Level 0: objects with at least one edge are nodes 0..no-1 (node of object o is onode[o]),
 * eligible values follow. */
static enum rk_status level0(const struct rk_corr_index *idx, const struct graph *g,
                             uint32_t *onode, uint32_t *nobj_nodes, struct level *l)
{
    uint32_t no = 0;
    for (uint32_t o = 0; o < idx->nobjects; o++)
        onode[o] = g->ostart[o + 1] > g->ostart[o] ? no++ : NONE;
    *nobj_nodes = no;
    size_t ne = g->vstart[g->nv];
    l->n = no + g->nv;
    l->start = rk_malloc(((size_t)l->n + 1) * sizeof *l->start);
    l->adj = rk_malloc((2 * ne + 1) * sizeof *l->adj);
    l->w = rk_malloc((2 * ne + 1) * sizeof *l->w);
    l->comp = rk_malloc(((size_t)l->n + 1) * sizeof *l->comp);
    if (l->start == NULL || l->adj == NULL || l->w == NULL || l->comp == NULL)
        return RK_ENOMEM;
    size_t e = 0;
    for (uint32_t o = 0; o < idx->nobjects; o++) {
        if (onode[o] == NONE)
            continue;
        l->start[onode[o]] = (uint32_t)e;
        for (uint32_t j = g->ostart[o]; j < g->ostart[o + 1]; j++) {
            l->adj[e] = no + g->oadj[j];
            l->w[e++] = g->ow[j];
        }
    }
    for (uint32_t v = 0; v < g->nv; v++) {
        l->start[no + v] = (uint32_t)e;
        for (uint32_t j = g->vstart[v]; j < g->vstart[v + 1]; j++) {
            l->adj[e] = onode[g->vadj[j]];
            l->w[e++] = g->vw[j];
        }
    }
    l->start[l->n] = (uint32_t)e;
    return RK_OK;
}

/* Labels connected components by breadth-first search; returns their count in *ncomp. */
static enum rk_status components(struct level *l, uint32_t *ncomp)
{
    uint32_t *queue = rk_malloc(((size_t)l->n + 1) * sizeof *queue);
    if (queue == NULL)
        return RK_ENOMEM;
    for (uint32_t i = 0; i < l->n; i++)
        l->comp[i] = NONE;
    uint32_t nc = 0;
    for (uint32_t s = 0; s < l->n; s++) {
        if (l->comp[s] != NONE)
            continue;
        uint32_t head = 0, tail = 0;
        queue[tail++] = s;
        l->comp[s] = nc;
        while (head < tail) {
            uint32_t i = queue[head++];
            for (uint32_t j = l->start[i]; j < l->start[i + 1]; j++) {
                if (l->comp[l->adj[j]] == NONE) {
                    l->comp[l->adj[j]] = nc;
                    queue[tail++] = l->adj[j];
                }
            }
        }
        nc++;
    }
    rk_free(queue);
    *ncomp = nc;
    return RK_OK;
}

/*
 * Local moving: each node in turn joins the neighbouring community with the best modularity
 * gain k_i,in - tot_c * k_i / 2m, where 2m is the weight of the node's own connected
 * component (not of the whole graph).
 *
 * Why a joining guard on top of modularity: modularity has a resolution limit — in a large
 * component, two communities joined by a single edge merge whenever that edge outweighs
 * tot_a * tot_b / 2m, which is almost always. Real data makes such components: shared hosting
 * addresses and popular sites below the cap tie hundreds of unrelated reports together, and a
 * planted group's member holding one of them would drag its whole group into that crowd. So a
 * move is allowed only when the link is at least JOIN_SHARE of the smaller side's weight: a
 * report with one weak hub value among strong group values stays with its group, a crowd around
 * a hub never swallows a group through one member, and a victim report whose only value is a
 * mule account still joins that account's group (its link is all of its weight).
 * Returns the number of nodes that moved in *moved_total.
 */
static enum rk_status local_moving(const struct level *l, const double *m2, unsigned passes,
                                   uint32_t *comm, size_t *moved_total)
{
    enum rk_status rc = RK_ENOMEM;
    double *k = rk_calloc((size_t)l->n + 1, sizeof *k);
    double *tot = rk_calloc((size_t)l->n + 1, sizeof *tot);
    double *nw = rk_calloc((size_t)l->n + 1, sizeof *nw);
    uint32_t *touched = rk_malloc(((size_t)l->n + 1) * sizeof *touched);
    uint8_t *seen = rk_calloc((size_t)l->n + 1, 1);
    if (k == NULL || tot == NULL || nw == NULL || touched == NULL || seen == NULL)
        goto out;
    for (uint32_t i = 0; i < l->n; i++) {
        comm[i] = i;
        for (uint32_t j = l->start[i]; j < l->start[i + 1]; j++)
            k[i] += l->w[j];
        tot[i] = k[i];
    }
    *moved_total = 0;
    for (unsigned pass = 0; pass < passes; pass++) {
        size_t moved = 0;
        for (uint32_t i = 0; i < l->n; i++) {
            uint32_t ci = comm[i], nt = 0;
            double mm = m2[l->comp[i]];
            for (uint32_t j = l->start[i]; j < l->start[i + 1]; j++) {
                uint32_t nb = l->adj[j];
                if (nb == i)
                    continue;
                uint32_t c = comm[nb];
                if (!seen[c]) {
                    seen[c] = 1;
                    touched[nt++] = c;
                }
                nw[c] += l->w[j];
            }
            tot[ci] -= k[i];
            uint32_t best = ci;
            double best_gain = nw[ci] - tot[ci] * k[i] / mm;
            for (uint32_t t = 0; t < nt; t++) {
                uint32_t c = touched[t];
                double gain = nw[c] - tot[c] * k[i] / mm;
                /* The joining guard: the link to c must be a fair share of the smaller side. */
                double smaller = tot[c] < k[i] ? tot[c] : k[i];
                if (c != ci && nw[c] < JOIN_SHARE * smaller)
                    continue;
                if (gain > best_gain + 1e-12 * (1.0 + gain)) {
                    best_gain = gain;
                    best = c;
                }
            }
            tot[best] += k[i];
            if (best != ci) {
                comm[i] = best;
                moved++;
            }
            for (uint32_t t = 0; t < nt; t++) {
                nw[touched[t]] = 0;
                seen[touched[t]] = 0;
            }
        }
        *moved_total += moved;
        if (moved == 0)
            break;
    }
    rc = RK_OK;
out:
    rk_free(k);
    rk_free(tot);
    rk_free(nw);
    rk_free(touched);
    rk_free(seen);
    return rc;
}

/* Renumbers communities 0..n'-1 and builds the graph of communities. */
static enum rk_status aggregate(const struct level *l, uint32_t *comm, struct level *out)
{
    enum rk_status rc = RK_ENOMEM;
    uint32_t *renum = rk_malloc(((size_t)l->n + 1) * sizeof *renum);
    uint32_t *count = NULL, *members = NULL, *touched = NULL;
    double *acc = NULL;
    if (renum == NULL)
        goto out;
    for (uint32_t i = 0; i < l->n; i++)
        renum[i] = NONE;
    uint32_t nn = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        if (renum[comm[i]] == NONE)
            renum[comm[i]] = nn++;
        comm[i] = renum[comm[i]];
    }
    count = rk_calloc((size_t)nn + 2, sizeof *count);
    members = rk_malloc(((size_t)l->n + 1) * sizeof *members);
    touched = rk_malloc(((size_t)nn + 1) * sizeof *touched);
    acc = rk_calloc((size_t)nn + 1, sizeof *acc);
    out->start = rk_malloc(((size_t)nn + 1) * sizeof *out->start);
    out->comp = rk_malloc(((size_t)nn + 1) * sizeof *out->comp);
    out->adj = rk_malloc(((size_t)l->start[l->n] + 1) * sizeof *out->adj);
    out->w = rk_malloc(((size_t)l->start[l->n] + 1) * sizeof *out->w);
    if (count == NULL || members == NULL || touched == NULL || acc == NULL || out->start == NULL ||
        out->comp == NULL || out->adj == NULL || out->w == NULL)
        goto out;
    out->n = nn;
    for (uint32_t i = 0; i < l->n; i++)
        count[comm[i] + 1]++;
    for (uint32_t c = 0; c < nn; c++)
        count[c + 1] += count[c];
    for (uint32_t i = 0; i < l->n; i++) {
        members[count[comm[i]]++] = i;
        out->comp[comm[i]] = l->comp[i];
    }
    /* count[c] is now the end of community c; members of c are [count[c-1], count[c]). */
    size_t e = 0;
    for (uint32_t c = 0; c < nn; c++) {
        uint32_t from = c == 0 ? 0 : count[c - 1], nt = 0;
        out->start[c] = (uint32_t)e;
        for (uint32_t m = from; m < count[c]; m++) {
            uint32_t i = members[m];
            for (uint32_t j = l->start[i]; j < l->start[i + 1]; j++) {
                uint32_t d = comm[l->adj[j]];
                if (acc[d] == 0)
                    touched[nt++] = d;
                acc[d] += l->w[j];
            }
        }
        for (uint32_t t = 0; t < nt; t++) {
            out->adj[e] = touched[t];
            out->w[e++] = acc[touched[t]];
            acc[touched[t]] = 0;
        }
    }
    out->start[nn] = (uint32_t)e;
    rc = RK_OK;
out:
    rk_free(renum);
    rk_free(count);
    rk_free(members);
    rk_free(touched);
    rk_free(acc);
    return rc;
}

/*
 * Refinement on the object side: each object moves to the community its neighbours vote for,
 * a neighbour o' through value v voting w(o,v) / (df(v) - 1). Modularity on a bipartite graph
 * can leave an object alone with one rare value that bridges two groups (the value's high
 * weight holds it there); the vote of the object's other values brings it back to the group
 * where most of its values are held. A few passes from the Louvain result settle it.
 */
static enum rk_status refine(const struct rk_corr_index *idx, const struct graph *g,
                             uint32_t *olabel)
{
    enum rk_status rc = RK_ENOMEM;
    size_t nl = (size_t)idx->nobjects + 1;
    double *vote = rk_calloc(nl, sizeof *vote);
    uint32_t *touched = rk_malloc(nl * sizeof *touched);
    uint8_t *seen = rk_calloc(nl, 1);
    if (vote == NULL || touched == NULL || seen == NULL)
        goto out;
    for (unsigned pass = 0; pass < 5; pass++) {
        size_t moved = 0;
        for (uint32_t o = 0; o < idx->nobjects; o++) {
            if (olabel[o] == NONE)
                continue;
            uint32_t nt = 0;
            for (uint32_t j = g->ostart[o]; j < g->ostart[o + 1]; j++) {
                uint32_t v = g->oadj[j];
                uint32_t deg = g->vstart[v + 1] - g->vstart[v];
                for (uint32_t k = g->vstart[v]; k < g->vstart[v + 1]; k++) {
                    uint32_t o2 = g->vadj[k];
                    if (o2 == o)
                        continue;
                    uint32_t c = olabel[o2];
                    if (!seen[c]) {
                        seen[c] = 1;
                        touched[nt++] = c;
                    }
                    vote[c] += g->ow[j] / (deg - 1);
                }
            }
            uint32_t best = olabel[o];
            double best_v = vote[best];
            for (uint32_t t = 0; t < nt; t++) {
                uint32_t c = touched[t];
                if (vote[c] > best_v + 1e-9) {
                    best_v = vote[c];
                    best = c;
                }
            }
            for (uint32_t t = 0; t < nt; t++) {
                vote[touched[t]] = 0;
                seen[touched[t]] = 0;
            }
            if (best != olabel[o]) {
                olabel[o] = best;
                moved++;
            }
        }
        if (moved == 0)
            break;
    }
    rc = RK_OK;
out:
    rk_free(vote);
    rk_free(touched);
    rk_free(seen);
    return rc;
}

/* Runs Louvain on the filtered graph and writes, for every object, the number of its
 * community (NONE for objects without a linking value). */
static enum rk_status louvain(const struct rk_corr_index *idx, const struct graph *g,
                              unsigned passes, uint32_t *olabel)
{
    struct level cur = {0}, next = {0};
    uint32_t *onode = rk_malloc(((size_t)idx->nobjects + 1) * sizeof *onode);
    uint32_t *final = NULL, *comm = NULL;
    double *m2 = NULL;
    uint32_t nobj_nodes, ncomp;
    enum rk_status rc = RK_ENOMEM;
    if (onode == NULL)
        goto out;
    rc = level0(idx, g, onode, &nobj_nodes, &cur);
    if (rc == RK_OK)
        rc = components(&cur, &ncomp);
    if (rc != RK_OK)
        goto out;
    rc = RK_ENOMEM;
    m2 = rk_calloc((size_t)ncomp + 1, sizeof *m2);
    final = rk_malloc(((size_t)cur.n + 1) * sizeof *final);
    comm = rk_malloc(((size_t)cur.n + 1) * sizeof *comm);
    if (m2 == NULL || final == NULL || comm == NULL)
        goto out;
    for (uint32_t i = 0; i < cur.n; i++) {
        final[i] = i;
        for (uint32_t j = cur.start[i]; j < cur.start[i + 1]; j++)
            m2[cur.comp[i]] += cur.w[j];
    }
    uint32_t n0 = cur.n;
    for (;;) {
        size_t moved;
        rc = local_moving(&cur, m2, passes, comm, &moved);
        if (rc != RK_OK)
            goto out;
        if (moved == 0)
            break;
        rc = aggregate(&cur, comm, &next);
        if (rc != RK_OK) {
            level_free(&next);
            goto out;
        }
        for (uint32_t i = 0; i < n0; i++)
            final[i] = comm[final[i]];
        level_free(&cur);
        cur = next;
        memset(&next, 0, sizeof next);
    }
    for (uint32_t o = 0; o < idx->nobjects; o++)
        olabel[o] = onode[o] == NONE ? NONE : final[onode[o]];
    rc = RK_OK;
out:
    level_free(&cur);
    rk_free(onode);
    rk_free(final);
    rk_free(comm);
    rk_free(m2);
    return rc;
}

/* ===== Output ===== */

static void member_free(struct rk_corr_member *m)
{
    rk_free(m->object_id);
    rk_free(m->unit_id);
    rk_free(m->reason);
}

void rk_corr_groups_destroy(struct rk_corr_groups *g)
{
    if (g == NULL)
        return;
    for (size_t i = 0; i < g->count; i++) {
        struct rk_corr_group *gr = &g->groups[i];
        for (size_t j = 0; j < gr->nmembers; j++)
            member_free(&gr->members[j]);
        for (size_t j = 0; j < gr->nflagged; j++)
            member_free(&gr->flagged[j]);
        for (size_t j = 0; j < gr->nties; j++) {
            rk_free(gr->ties[j].type);
            rk_free(gr->ties[j].value);
        }
        rk_free(gr->members);
        rk_free(gr->flagged);
        rk_free(gr->ties);
    }
    rk_free(g->groups);
    rk_free(g);
}

struct ctx {
    const struct rk_corr_index *idx;
    const struct graph *g;
    rk_corr_access_cb access;
    void *ud;
    int8_t *readable; /* per object: -1 unknown, 0 no, 1 yes */
    uint32_t *vcount; /* per eligible value: members of the current group holding it */
    uint32_t *touched;
    uint8_t *mark; /* per object: 1 while it is a member of the group being filled */
};

static int readable(struct ctx *c, uint32_t o)
{
    if (c->access == NULL)
        return 1;
    if (c->readable[o] < 0)
        c->readable[o] =
            (int8_t)(c->access(c->ud, (enum rk_corr_kind)c->idx->objects[o].kind,
                               rk__corr_ostr(c->idx, o), rk__corr_unit(c->idx, o)) != 0);
    return c->readable[o];
}

static enum rk_status fill_member(struct ctx *c, uint32_t o, struct rk_corr_member *m)
{
    m->kind = (enum rk_corr_kind)c->idx->objects[o].kind;
    m->unit_id = rk_strdup(rk__corr_unit(c->idx, o));
    if (m->unit_id == NULL)
        return RK_ENOMEM;
    if (!readable(c, o)) {
        m->restricted = 1;
        return RK_OK;
    }
    m->object_id = rk_strdup(rk__corr_ostr(c->idx, o));
    return m->object_id == NULL ? RK_ENOMEM : RK_OK;
}

struct tie_cand {
    uint32_t v; /* eligible index */
    uint32_t count;
    double score;
};

static int cmp_tie(const void *a, const void *b)
{
    const struct tie_cand *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->v < y->v ? -1 : x->v > y->v;
}

/* Lists the values that tie the members `objs` together, shown only when a readable member
 * holds them (so a tie never reveals a value of a case the caller may not read). */
static enum rk_status fill_ties(struct ctx *c, const uint32_t *objs, size_t n,
                                struct rk_corr_group *gr)
{
    const struct graph *g = c->g;
    size_t nt = 0;
    for (size_t i = 0; i < n; i++)
        c->mark[objs[i]] = 1;
    for (size_t i = 0; i < n; i++) {
        for (uint32_t j = g->ostart[objs[i]]; j < g->ostart[objs[i] + 1]; j++) {
            uint32_t v = g->oadj[j];
            if (c->vcount[v]++ == 0)
                c->touched[nt++] = v;
        }
    }
    enum rk_status rc = RK_ENOMEM;
    struct tie_cand *tc = rk_calloc(nt + 1, sizeof *tc);
    size_t ntc = 0;
    if (tc == NULL)
        goto out;
    for (size_t i = 0; i < nt; i++) {
        uint32_t v = c->touched[i];
        if (c->vcount[v] < 2)
            continue;
        int seen = 0;
        for (uint32_t k = g->vstart[v]; k < g->vstart[v + 1] && !seen; k++)
            seen = c->mark[g->vadj[k]] && readable(c, g->vadj[k]);
        if (!seen)
            continue;
        const struct rk__corr_value *val = &c->idx->values[g->vnum[v]];
        tc[ntc++] = (struct tie_cand){v, c->vcount[v], c->vcount[v] * rk__corr_idf(c->idx, val->n)};
    }
    qsort(tc, ntc, sizeof *tc, cmp_tie);
    if (ntc > RK_MAX_CORR_TIES)
        ntc = RK_MAX_CORR_TIES;
    gr->ties = rk_calloc(ntc + 1, sizeof *gr->ties);
    if (gr->ties == NULL)
        goto out;
    for (size_t i = 0; i < ntc; i++) {
        uint32_t vn = g->vnum[tc[i].v];
        struct rk_corr_tie *t = &gr->ties[gr->nties++];
        t->type = rk_strdup(c->idx->types[c->idx->values[vn].type]);
        t->value = rk_strdup(rk__corr_vstr(c->idx, vn));
        t->members = tc[i].count;
        if (t->type == NULL || t->value == NULL)
            goto out;
    }
    rc = RK_OK;
out:
    for (size_t i = 0; i < nt; i++)
        c->vcount[c->touched[i]] = 0;
    for (size_t i = 0; i < n; i++)
        c->mark[objs[i]] = 0;
    rk_free(tc);
    return rc;
}

static void candidate_id(const struct rk_corr_index *idx, const uint32_t *objs, size_t n,
                         char id[40])
{
    /* Named after the smallest member (kind, id), which stays the same while the group grows
     * unless a smaller id joins; confirmed groups, not candidates, are promised stability. */
    uint32_t m = objs[0];
    for (size_t i = 1; i < n; i++) {
        const struct rk__corr_object *a = &idx->objects[objs[i]], *b = &idx->objects[m];
        int c = a->kind != b->kind ? (a->kind < b->kind ? -1 : 1)
                                   : strcmp(rk__corr_ostr(idx, objs[i]), rk__corr_ostr(idx, m));
        if (c < 0)
            m = objs[i];
    }
    const char *s = rk__corr_ostr(idx, m);
    uint32_t h1 = rk__corr_hash(s, strlen(s), idx->objects[m].kind);
    uint32_t h2 = rk__corr_hash(s, strlen(s), 0x5bd1e995u + idx->objects[m].kind);
    snprintf(id, 40, "cand-%08x%08x", h1, h2);
}

struct cluster {
    uint32_t label;
    uint32_t start, n; /* range in the sorted object list */
    int taken;         /* matched to a confirmed group */
};

static int cmp_cluster(const void *a, const void *b)
{
    const struct cluster *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->label < y->label ? -1 : x->label > y->label;
}

/* ===== Confirmed groups ===== */

struct overlap {
    uint32_t conf, cluster, count;
};

static int cmp_overlap(const void *a, const void *b)
{
    const struct overlap *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    if (x->conf != y->conf)
        return x->conf < y->conf ? -1 : 1;
    return x->cluster < y->cluster ? -1 : x->cluster > y->cluster;
}

static enum rk_status flag_touching(struct ctx *c, const uint32_t *members, size_t n,
                                    uint8_t *is_member, struct rk_corr_group *gr)
{
    const struct rk_corr_index *idx = c->idx;
    const struct graph *g = c->g;
    uint8_t *flagged = rk_calloc((size_t)idx->nobjects + 1, 1);
    if (flagged == NULL)
        return RK_ENOMEM;
    enum rk_status rc = RK_OK;
    gr->flagged = rk_calloc(RK_MAX_CORR_FLAGGED, sizeof *gr->flagged);
    if (gr->flagged == NULL)
        rc = RK_ENOMEM;
    for (size_t i = 0; rc == RK_OK && i < n; i++) {
        uint32_t m = members[i];
        for (uint32_t j = g->ostart[m]; rc == RK_OK && j < g->ostart[m + 1]; j++) {
            uint32_t v = g->oadj[j];
            for (uint32_t k = g->vstart[v]; rc == RK_OK && k < g->vstart[v + 1]; k++) {
                uint32_t o = g->vadj[k];
                if (is_member[o] || flagged[o] || gr->nflagged >= RK_MAX_CORR_FLAGGED)
                    continue;
                flagged[o] = 1;
                struct rk_corr_member *f = &gr->flagged[gr->nflagged++];
                rc = fill_member(c, o, f);
                if (rc != RK_OK || f->restricted)
                    continue;
                char reason[RK_MAX_CORR_VALUE + 160];
                uint32_t vn = g->vnum[v];
                if (readable(c, m))
                    snprintf(reason, sizeof reason, "holds %s %s, also held by %s %s",
                             idx->types[idx->values[vn].type], rk__corr_vstr(idx, vn),
                             rk_corr_kind_name((enum rk_corr_kind)idx->objects[m].kind),
                             rk__corr_ostr(idx, m));
                else
                    snprintf(reason, sizeof reason, "shares a value with a member held by unit %s",
                             rk__corr_unit(idx, m));
                f->reason = rk_strdup(reason);
                if (f->reason == NULL)
                    rc = RK_ENOMEM;
            }
        }
    }
    rk_free(flagged);
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

enum rk_status rk_corr_groups_compute(const struct rk_corr_index *idx,
                                      const struct rk_corr_cluster_opts *opts,
                                      const struct rk_corr_confirmed *confirmed, size_t nconfirmed,
                                      rk_corr_access_cb access, void *user_data,
                                      struct rk_corr_groups **out)
{
    struct graph g = {0};
    struct ctx c = {idx, &g, access, user_data, NULL, NULL, NULL, NULL};
    uint32_t *label = NULL, *order = NULL, *cmembers = NULL;
    struct cluster *clusters = NULL;
    struct overlap *ov = NULL;
    uint8_t *is_member = NULL;
    struct rk_corr_groups *res = NULL;
    size_t nclusters = 0, nov = 0;
    enum rk_status rc = RK_EINVAL;
    *out = NULL;
    for (size_t i = 0; i < nconfirmed; i++)
        if (confirmed[i].group_id == NULL || confirmed[i].group_id[0] == '\0' ||
            strlen(confirmed[i].group_id) > 39)
            goto out;
    double min_w =
        opts != NULL && opts->min_rel_weight > 0 ? opts->min_rel_weight : DEFAULT_MIN_REL_WEIGHT;
    size_t min_size = opts != NULL && opts->min_size > 1 ? opts->min_size : 2;
    unsigned iters =
        opts != NULL && opts->max_iterations > 0 ? opts->max_iterations : DEFAULT_ITERATIONS;
    uint32_t infra_max_df =
        opts != NULL && opts->infra_max_df > 0 ? opts->infra_max_df : DEFAULT_INFRA_MAX_DF;
    rc = graph_build(idx, min_w, infra_max_df, &g);
    if (rc != RK_OK)
        goto out;
    rc = RK_ENOMEM;
    size_t no = (size_t)idx->nobjects + 1;
    label = rk_malloc(no * sizeof *label);
    order = rk_malloc(no * sizeof *order);
    c.readable = rk_malloc(no);
    c.vcount = rk_calloc((size_t)g.nv + 1, sizeof *c.vcount);
    c.touched = rk_malloc(((size_t)g.nv + 1) * sizeof *c.touched);
    is_member = rk_calloc(no, 1);
    c.mark = rk_calloc(no, 1);
    res = rk_calloc(1, sizeof *res);
    if (label == NULL || order == NULL || c.readable == NULL || c.vcount == NULL ||
        c.touched == NULL || is_member == NULL || c.mark == NULL || res == NULL)
        goto out;
    memset(c.readable, -1, no);
    rc = louvain(idx, &g, iters, label);
    if (rc == RK_OK)
        rc = refine(idx, &g, label);
    if (rc != RK_OK)
        goto out;

    /* Clusters: objects sorted by (label, object number), packed in one 64-bit key because
     * qsort takes no context. */
    size_t nl = 0;
    uint64_t *keys = rk_malloc(no * sizeof *keys);
    if (keys == NULL)
        goto out;
    for (uint32_t o = 0; o < idx->nobjects; o++)
        if (label[o] != NONE && idx->objects[o].live)
            keys[nl++] = (uint64_t)label[o] << 32 | o;
    qsort(keys, nl, sizeof *keys, cmp_u64);
    for (size_t i = 0; i < nl; i++)
        order[i] = (uint32_t)keys[i];
    rk_free(keys);
    rc = RK_ENOMEM;
    clusters = rk_calloc(nl + 1, sizeof *clusters);
    if (clusters == NULL)
        goto out;
    for (size_t i = 0; i < nl;) {
        size_t j = i;
        while (j < nl && label[order[j]] == label[order[i]])
            j++;
        clusters[nclusters++] =
            (struct cluster){label[order[i]], (uint32_t)i, (uint32_t)(j - i), 0};
        i = j;
    }

    /* Match confirmed groups to clusters by overlap. */
    size_t total_conf = 0;
    for (size_t i = 0; i < nconfirmed; i++)
        total_conf += confirmed[i].nmembers;
    ov = rk_calloc(total_conf + 1, sizeof *ov);
    if (ov == NULL)
        goto out;
    for (size_t i = 0; i < nconfirmed; i++) {
        size_t first = nov;
        for (size_t j = 0; j < confirmed[i].nmembers; j++) {
            uint32_t o = rk__corr_find_object(idx, confirmed[i].members[j].kind,
                                              confirmed[i].members[j].object_id);
            if (o == NONE || label[o] == NONE)
                continue;
            /* Which cluster: binary search over clusters sorted by label (they are, here). */
            size_t a = 0, b = nclusters;
            while (a < b) {
                size_t m = a + (b - a) / 2;
                if (clusters[m].label < label[o])
                    a = m + 1;
                else
                    b = m;
            }
            size_t k = first;
            while (k < nov && ov[k].cluster != a)
                k++;
            if (k == nov)
                ov[nov++] = (struct overlap){(uint32_t)i, (uint32_t)a, 0};
            ov[k].count++;
        }
    }
    qsort(ov, nov, sizeof *ov, cmp_overlap);
    res->groups = rk_calloc(nconfirmed + nclusters + 1, sizeof *res->groups);
    if (res->groups == NULL)
        goto out;
    uint8_t *conf_done = rk_calloc(nconfirmed + 1, 1);
    if (conf_done == NULL)
        goto out;
    for (size_t i = 0; i < nov; i++) {
        if (conf_done[ov[i].conf] || clusters[ov[i].cluster].taken)
            continue;
        conf_done[ov[i].conf] = 1;
        clusters[ov[i].cluster].taken = 1;
    }
    rk_free(conf_done);

    /* Confirmed groups, in the caller's order. */
    cmembers = rk_malloc((total_conf + 1) * sizeof *cmembers);
    if (cmembers == NULL)
        goto out;
    for (size_t i = 0; i < nconfirmed; i++) {
        struct rk_corr_group *gr = &res->groups[res->count++];
        snprintf(gr->id, sizeof gr->id, "%s", confirmed[i].group_id);
        gr->confirmed = 1;
        gr->members = rk_calloc(confirmed[i].nmembers + 1, sizeof *gr->members);
        if (gr->members == NULL)
            goto out;
        size_t nm = 0;
        for (size_t j = 0; j < confirmed[i].nmembers; j++) {
            uint32_t o = rk__corr_find_object(idx, confirmed[i].members[j].kind,
                                              confirmed[i].members[j].object_id);
            if (o == NONE || is_member[o])
                continue; /* removed since it was confirmed, or listed twice */
            is_member[o] = 1;
            cmembers[nm++] = o;
            rc = fill_member(&c, o, &gr->members[gr->nmembers++]);
            if (rc != RK_OK)
                goto out;
        }
        rc = fill_ties(&c, cmembers, nm, gr);
        if (rc == RK_OK)
            rc = flag_touching(&c, cmembers, nm, is_member, gr);
        for (size_t j = 0; j < nm; j++)
            is_member[cmembers[j]] = 0;
        if (rc != RK_OK)
            goto out;
        rc = RK_ENOMEM;
    }

    /* Candidates: the clusters no confirmed group took, largest first. */
    qsort(clusters, nclusters, sizeof *clusters, cmp_cluster);
    for (size_t i = 0; i < nclusters; i++) {
        const struct cluster *cl = &clusters[i];
        if (cl->taken || cl->n < min_size)
            continue;
        struct rk_corr_group *gr = &res->groups[res->count++];
        const uint32_t *objs = order + cl->start;
        candidate_id(idx, objs, cl->n, gr->id);
        gr->members = rk_calloc(cl->n, sizeof *gr->members);
        if (gr->members == NULL)
            goto out;
        for (uint32_t j = 0; j < cl->n; j++) {
            rc = fill_member(&c, objs[j], &gr->members[gr->nmembers++]);
            if (rc != RK_OK)
                goto out;
        }
        rc = fill_ties(&c, objs, cl->n, gr);
        if (rc != RK_OK)
            goto out;
        rc = RK_ENOMEM;
    }
    rc = RK_OK;
out:
    graph_free(&g);
    rk_free(label);
    rk_free(order);
    rk_free(clusters);
    rk_free(ov);
    rk_free(cmembers);
    rk_free(is_member);
    rk_free(c.readable);
    rk_free(c.vcount);
    rk_free(c.touched);
    rk_free(c.mark);
    if (rc != RK_OK) {
        rk_corr_groups_destroy(res);
        return rc;
    }
    *out = res;
    return RK_OK;
}

/* ===== Touching confirmed groups ===== */

void rk_corr_touches_destroy(struct rk_corr_touches *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->count; i++) {
        rk_free(t->items[i].type);
        rk_free(t->items[i].value);
    }
    rk_free(t->items);
    rk_free(t);
}

static int cmp_pair(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

enum rk_status rk_corr_touching(const struct rk_corr_index *idx, enum rk_corr_kind kind,
                                const char *object_id, const struct rk_corr_confirmed *confirmed,
                                size_t nconfirmed, struct rk_corr_touches **out)
{
    uint64_t *pairs = NULL; /* (member object number << 32) | group index */
    uint32_t *via = NULL;   /* per group: 1 + value number that touches it, 0 = not touched */
    struct rk_corr_touches *res = NULL;
    size_t np = 0, total = 0;
    enum rk_status rc = RK_ENOTFOUND;
    *out = NULL;
    uint32_t self = rk__corr_find_object(idx, kind, object_id);
    if (self == NONE)
        goto out;
    rc = RK_ENOMEM;
    for (size_t i = 0; i < nconfirmed; i++)
        total += confirmed[i].nmembers;
    pairs = rk_malloc((total + 1) * sizeof *pairs);
    via = rk_calloc(nconfirmed + 1, sizeof *via);
    res = rk_calloc(1, sizeof *res);
    if (pairs == NULL || via == NULL || res == NULL)
        goto out;
    int member_of_all = nconfirmed > 0;
    uint8_t *is_self_member = rk_calloc(nconfirmed + 1, 1);
    if (is_self_member == NULL)
        goto out;
    for (size_t i = 0; i < nconfirmed; i++) {
        for (size_t j = 0; j < confirmed[i].nmembers; j++) {
            uint32_t o = rk__corr_find_object(idx, confirmed[i].members[j].kind,
                                              confirmed[i].members[j].object_id);
            if (o == self)
                is_self_member[i] = 1;
            else if (o != NONE)
                pairs[np++] = (uint64_t)o << 32 | (uint32_t)i;
        }
        member_of_all &= is_self_member[i];
    }
    qsort(pairs, np, sizeof *pairs, cmp_pair);
    const struct rk__corr_object *obj = &idx->objects[self];
    for (uint32_t k = 0; k < obj->n && !member_of_all; k++) {
        uint32_t v = RK__CORR_NUM(obj->vals[k]);
        const struct rk__corr_value *val = &idx->values[v];
        if (rk_corr_rel_weight(RK__CORR_REL(obj->vals[k])) < DEFAULT_MIN_REL_WEIGHT ||
            rk__corr_noise(idx, v, NULL, 0) != RK_CORR_LINKS)
            continue;
        const uint32_t *p = rk__corr_postings(val);
        for (uint32_t j = 0; j < val->n; j++) {
            uint32_t o = RK__CORR_NUM(p[j]);
            if (o == self || rk_corr_rel_weight(RK__CORR_REL(p[j])) < DEFAULT_MIN_REL_WEIGHT)
                continue;
            /* First pair of object o, then every group it belongs to. */
            size_t a = 0, b = np;
            while (a < b) {
                size_t m = a + (b - a) / 2;
                if ((pairs[m] >> 32) < o)
                    a = m + 1;
                else
                    b = m;
            }
            for (; a < np && (pairs[a] >> 32) == o; a++) {
                uint32_t gi = (uint32_t)pairs[a];
                if (via[gi] == 0 && !is_self_member[gi])
                    via[gi] = v + 1;
            }
        }
    }
    rk_free(is_self_member);
    size_t n = 0;
    for (size_t i = 0; i < nconfirmed; i++)
        n += via[i] != 0;
    res->items = rk_calloc(n + 1, sizeof *res->items);
    if (res->items == NULL)
        goto out;
    for (size_t i = 0; i < nconfirmed; i++) {
        if (via[i] == 0)
            continue;
        struct rk_corr_touch *t = &res->items[res->count++];
        t->group = i;
        t->type = rk_strdup(idx->types[idx->values[via[i] - 1].type]);
        t->value = rk_strdup(rk__corr_vstr(idx, via[i] - 1));
        if (t->type == NULL || t->value == NULL)
            goto out;
    }
    rc = RK_OK;
out:
    rk_free(pairs);
    rk_free(via);
    if (rc != RK_OK) {
        rk_corr_touches_destroy(res);
        return rc;
    }
    *out = res;
    return RK_OK;
}
