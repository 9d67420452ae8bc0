/*
 * The indexes of the compiled detector: hash tables, the Aho-Corasick automaton over the brand
 * terms, and the candidate index for Damerau-Levenshtein matching.
 *
 * The edit-distance index chains the fuzzy-matched labels by (first letter, length). The
 * detector only accepts typosquats that keep the first letter (docs/lookalike.md explains
 * why), so a query of length L looks at five short chains (lengths L-2 .. L+2 under its first
 * letter), about three candidates on the default list, each verified with a cut-off OSA
 * distance. A SymSpell deletion-neighbourhood index was built first; it needs about 80 hash
 * look-ups per name and measured slower (docs/performance.md).
 */
#include "lookalike-int.h"

#include <string.h>

#include "renkei/alloc.h"

/* ===== Hash tables ===== */

uint64_t rk__la_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h ? h : 1;
}

enum rk_status rk__la_table_init(struct rk__la_table *t, size_t expected)
{
    size_t cap = 64;
    while (cap < expected * 2)
        cap *= 2;
    t->slots = rk_calloc(cap, sizeof *t->slots);
    if (t->slots == NULL)
        return RK_ENOMEM;
    t->mask = cap - 1;
    t->chain = NULL;
    t->nchain = t->capchain = 0;
    return RK_OK;
}

void rk__la_table_free(struct rk__la_table *t)
{
    rk_free(t->slots);
    rk_free(t->chain);
    memset(t, 0, sizeof *t);
}

enum rk_status rk__la_table_add(struct rk__la_table *t, uint64_t key, int32_t item)
{
    if (t->nchain == t->capchain) {
        size_t ncap = t->capchain ? t->capchain * 2 : 256;
        void *p = rk_reallocarray(t->chain, ncap, sizeof *t->chain);
        if (p == NULL)
            return RK_ENOMEM;
        t->chain = p;
        t->capchain = ncap;
    }
    size_t i = (size_t)key & t->mask;
    while (t->slots[i].key != 0 && t->slots[i].key != key)
        i = (i + 1) & t->mask;
    int32_t c = (int32_t)t->nchain++;
    t->chain[c].item = item;
    if (t->slots[i].key == 0) {
        t->slots[i].key = key;
        t->chain[c].next = -1;
    } else {
        t->chain[c].next = t->slots[i].first;
    }
    t->slots[i].first = c;
    return RK_OK;
}

int32_t rk__la_table_find(const struct rk__la_table *t, uint64_t key)
{
    if (t->slots == NULL)
        return -1;
    size_t i = (size_t)key & t->mask;
    while (t->slots[i].key != 0) {
        if (t->slots[i].key == key)
            return t->slots[i].first;
        i = (i + 1) & t->mask;
    }
    return -1;
}

/* ===== Edit distance ===== */

int rk__la_osa(const char *a, size_t na, const char *b, size_t nb, int limit)
{
    /* Optimal string alignment (restricted Damerau-Levenshtein), three rows, computed only in
     * the band |i - j| <= limit (cells outside it are already over the limit), and abandoned
     * as soon as a whole row exceeds the limit. Labels are <= 63 bytes. */
    enum { BIG = 1 << 20 };
    int rows[3][RK_MAX_LOOKALIKE_LABEL + 2];
    if (na > RK_MAX_LOOKALIKE_LABEL || nb > RK_MAX_LOOKALIKE_LABEL || limit < 0)
        return limit + 1;
    if ((na > nb ? na - nb : nb - na) > (size_t)limit)
        return limit + 1;
    size_t band = (size_t)limit;
    int *pp = rows[0], *p = rows[1], *c = rows[2];
    /* Only the band is ever read: row 0 and the "row -1" up to band + 1. */
    for (size_t j = 0; j <= nb + 1 && j <= band + 1; j++) {
        pp[j] = BIG;
        p[j] = j <= band ? (int)j : BIG;
    }
    for (size_t i = 1; i <= na; i++) {
        size_t lo = i > band ? i - band : 1;
        size_t hi = i + band < nb ? i + band : nb;
        c[lo - 1] = lo == 1 ? (int)i : BIG;
        int best = c[lo - 1];
        for (size_t j = lo; j <= hi; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = p[j] + 1;
            if (c[j - 1] + 1 < v)
                v = c[j - 1] + 1;
            if (p[j - 1] + cost < v)
                v = p[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
            if (v < best)
                best = v;
        }
        if (hi + 1 <= nb)
            c[hi + 1] = BIG;
        if (best > limit)
            return limit + 1;
        int *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    return p[nb] > limit ? limit + 1 : p[nb];
}

/* ===== Aho-Corasick ===== */

static enum rk_status build_ac(struct rk_lookalike *lk)
{
    enum rk_status rc = RK_ENOMEM;
    size_t total = 1;
    int32_t *queue = NULL, *fail = NULL, *trie = NULL;
    memset(lk->cls, 0, sizeof lk->cls);
    uint32_t ncls = 1;
    for (size_t t = 0; t < lk->nterms; t++) {
        total += lk->terms[t].len;
        for (uint32_t i = 0; i < lk->terms[t].len; i++) {
            unsigned char c = (unsigned char)lk->terms[t].text[i];
            if (lk->cls[c] == 0)
                lk->cls[c] = (uint8_t)ncls++;
        }
    }
    /* ncls <= 256 since class 0 is kept for bytes in no term; byte values above are bounded
     * by the 95 printable ASCII and 64+ UTF-8 bytes that terms may hold. */
    lk->nclasses = ncls;
    trie = rk_malloc(total * ncls * sizeof *trie);
    fail = rk_calloc(total, sizeof *fail);
    queue = rk_malloc(total * sizeof *queue);
    lk->out_term = rk_malloc(total * sizeof *lk->out_term);
    lk->dict = rk_malloc(total * sizeof *lk->dict);
    lk->outs = rk_malloc((lk->nterms + 1) * sizeof *lk->outs);
    if (trie == NULL || fail == NULL || queue == NULL || lk->out_term == NULL || lk->dict == NULL ||
        lk->outs == NULL)
        goto out;
    for (size_t i = 0; i < total * ncls; i++)
        trie[i] = -1;
    for (size_t i = 0; i < total; i++) {
        lk->out_term[i] = -1;
        lk->dict[i] = -1;
    }
    uint32_t nstates = 1;
    for (size_t t = 0; t < lk->nterms; t++) {
        int32_t s = 0;
        for (uint32_t i = 0; i < lk->terms[t].len; i++) {
            uint32_t c = lk->cls[(unsigned char)lk->terms[t].text[i]];
            if (trie[(size_t)s * ncls + c] < 0)
                trie[(size_t)s * ncls + c] = (int32_t)nstates++;
            s = trie[(size_t)s * ncls + c];
        }
        lk->outs[lk->nouts].item = (int32_t)t;
        lk->outs[lk->nouts].next = lk->out_term[s];
        lk->out_term[s] = (int32_t)lk->nouts++;
    }
    /* Breadth-first: fail links, dictionary links, and the full transition table in place. */
    size_t qh = 0, qt = 0;
    for (uint32_t c = 0; c < ncls; c++) {
        int32_t n = trie[c];
        if (n < 0) {
            trie[c] = 0;
        } else {
            fail[n] = 0;
            queue[qt++] = n;
        }
    }
    while (qh < qt) {
        int32_t s = queue[qh++];
        int32_t f = fail[s];
        lk->dict[s] = lk->out_term[f] >= 0 ? f : lk->dict[f];
        for (uint32_t c = 0; c < ncls; c++) {
            int32_t n = trie[(size_t)s * ncls + c];
            if (n < 0) {
                trie[(size_t)s * ncls + c] = trie[(size_t)f * ncls + c];
            } else {
                fail[n] = trie[(size_t)f * ncls + c];
                queue[qt++] = n;
            }
        }
    }
    lk->nstates = nstates;
    lk->delta = trie;
    trie = NULL;
    rc = RK_OK;
out:
    rk_free(trie);
    rk_free(fail);
    rk_free(queue);
    return rc;
}

enum rk_status rk__la_build_indexes(struct rk_lookalike *lk)
{
    enum rk_status rc = build_ac(lk);
    if (rc != RK_OK)
        return rc;
    /* Terms of a brand are contiguous (the parser appends them brand by brand). */
    for (size_t b = 0; b < lk->nbrands; b++) {
        lk->brands[b].first_term = 0;
        lk->brands[b].nterms = 0;
    }
    for (size_t t = lk->nterms; t-- > 0;) {
        struct rk__la_brand *b = &lk->brands[lk->terms[t].brand];
        b->first_term = (int32_t)t;
        b->nterms++;
    }
    for (size_t c = 0; c < 36; c++)
        for (size_t l = 0; l <= RK_MAX_LOOKALIKE_TERM; l++)
            lk->ed_head[c][l] = -1;
    lk->ed_next = rk_malloc((lk->nterms + 1) * sizeof *lk->ed_next);
    lk->ed_mask = rk_malloc((lk->nterms + 1) * sizeof *lk->ed_mask);
    if (lk->ed_next == NULL || lk->ed_mask == NULL)
        return RK_ENOMEM;
    lk->n_fuzzy = 0;
    for (size_t t = lk->nterms; t-- > 0;) {
        const struct rk__la_term *term = &lk->terms[t];
        int c = rk__la_ed_class((unsigned char)term->text[0]);
        lk->ed_next[t] = -1;
        if (term->maxd == 0 || c < 0)
            continue;
        lk->ed_mask[t] = 0;
        for (uint32_t i = 0; i < term->len; i++)
            lk->ed_mask[t] |= 1ull << rk__la_ed_class((unsigned char)term->text[i]);
        lk->ed_next[t] = lk->ed_head[c][term->len];
        lk->ed_head[c][term->len] = (int32_t)t;
        lk->n_fuzzy++;
    }
    rc = rk__la_table_init(&lk->leg, lk->nlegit);
    if (rc != RK_OK)
        return rc;
    for (size_t i = 0; i < lk->nlegit; i++) {
        const char *d = lk->legit[i].domain;
        rc = rk__la_table_add(&lk->leg, rk__la_hash(d, strlen(d)), (int32_t)i);
        if (rc != RK_OK)
            return rc;
    }
    size_t nw = 0;
    while (rk__la_words[nw] != NULL)
        nw++;
    rc = rk__la_table_init(&lk->words, nw);
    for (size_t i = 0; rc == RK_OK && i < nw; i++)
        rc = rk__la_table_add(&lk->words, rk__la_hash(rk__la_words[i], strlen(rk__la_words[i])),
                              (int32_t)i);
    return rc;
}
