/*
 * The patrol scanner: per-thread scratch that normalises each record, runs the one Vectorscan
 * database over it in a single pass, and turns the hits into per-category scores.
 *
 * Scoring, per record and category: each rule counts once (its first qualifying hit), adding its
 * weight; a rule with a context (near=) qualifies only when a hit of one of its context patterns
 * lies within its window, measured in normalised bytes. Negative weights let innocent phrases
 * (八百屋, 天気予報) pull a score down. A category whose score reaches its threshold, with at least
 * one positive rule, is a finding; its evidence is the spans of the positive rules and of the
 * contexts that qualified them, mapped back to the original text.
 */
#include "renkei/patrol.h"

#include <string.h>

#include "patrol-int.h"
#include "renkei/alloc.h"
#include "renkei/limits.h"

struct hit {
    uint32_t pat;  /* pattern index */
    uint32_t from; /* normalised offsets */
    uint32_t to;
    int32_t ctx_hit; /* for a counted rule with a context: the index of the qualifying hit */
    uint8_t counted;
};

struct finding_ix {
    size_t span_off, rule_off; /* into spans / rule_ids, fixed up into pointers at the end */
};

struct rk_patrol_scanner {
    const struct rk_patrol_dict *d;
    hs_scratch_t *scratch;
    struct rk_patrol_text text;
    struct hit *hits;
    size_t n_hits, cap_hits;
    uint32_t *seen; /* per pattern: generation in which the rule was counted */
    uint32_t gen;
    double *score;     /* per category */
    uint8_t *positive; /* per category: a positive rule counted */
    struct rk_patrol_finding *finds;
    struct finding_ix *fix;
    size_t n_finds, cap_finds, cap_fix;
    struct rk_patrol_span *spans;
    size_t n_spans, cap_spans;
    const char **rule_ids;
    size_t n_rule_ids, cap_rule_ids;
    struct rk_patrol_invalid *inv;
    size_t n_inv, cap_inv;
};

enum rk_status rk_patrol_scanner_create(const struct rk_patrol_dict *d,
                                        struct rk_patrol_scanner **out)
{
    if (d->db == NULL)
        return RK_ECONFLICT;
    enum rk_status rc = RK_OK;
    struct rk_patrol_scanner *s = rk_calloc(1, sizeof *s);
    if (s == NULL)
        return RK_ENOMEM;
    s->d = d;
    rk_patrol_text_init(&s->text);
    s->seen = rk_calloc(d->n_pats, sizeof *s->seen);
    s->score = rk_calloc(d->n_cats, sizeof *s->score);
    s->positive = rk_calloc(d->n_cats, 1);
    s->cap_hits = 256;
    s->hits = rk_calloc(s->cap_hits, sizeof *s->hits);
    if (s->seen == NULL || s->score == NULL || s->positive == NULL || s->hits == NULL) {
        rc = RK_ENOMEM;
        goto out;
    }
    /* One scratch sized for the main database, the prefilter and every regex's own SOM
     * database. */
    if (hs_alloc_scratch(d->db, &s->scratch) != HS_SUCCESS ||
        (d->pre_db != NULL && hs_alloc_scratch(d->pre_db, &s->scratch) != HS_SUCCESS)) {
        rc = RK_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < d->n_pats; i++) {
        if (d->pats[i].som_db != NULL &&
            hs_alloc_scratch(d->pats[i].som_db, &s->scratch) != HS_SUCCESS) {
            rc = RK_ENOMEM;
            goto out;
        }
    }
    *out = s;
    s = NULL;
out:
    rk_patrol_scanner_destroy(s);
    return rc;
}

void rk_patrol_scanner_destroy(struct rk_patrol_scanner *s)
{
    if (s == NULL)
        return;
    if (s->scratch != NULL)
        hs_free_scratch(s->scratch);
    rk_patrol_text_free(&s->text);
    rk_free(s->hits);
    rk_free(s->seen);
    rk_free(s->score);
    rk_free(s->positive);
    rk_free(s->finds);
    rk_free(s->fix);
    rk_free(s->spans);
    rk_free(s->rule_ids);
    rk_free(s->inv);
    rk_free(s);
}

static enum rk_status grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return RK_OK;
    size_t nc = *cap ? *cap * 2 : 32;
    void *p = rk_reallocarray(*arr, nc, elem);
    if (p == NULL)
        return RK_ENOMEM;
    *arr = p;
    *cap = nc;
    return RK_OK;
}

/* Vectorscan's match callback: records the hit; stops the scan when the hit cap is reached. */
static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ud)
{
    struct rk_patrol_scanner *s = ud;
    if (s->n_hits >= RK_MAX_PATROL_HITS)
        return 1;
    if (s->n_hits == s->cap_hits) {
        struct hit *h = rk_reallocarray(s->hits, s->cap_hits * 2, sizeof *h);
        if (h == NULL)
            return 1; /* scored with what we have; the record is not lost */
        s->hits = h;
        s->cap_hits *= 2;
    }
    const struct rk__patrol_pattern *p = &s->d->pats[id];
    struct hit *h = &s->hits[s->n_hits++];
    h->pat = id;
    h->to = (uint32_t)to;
    /* A regex hit is placed at its end until it becomes evidence (find_start()). */
    h->from = p->kind == RK__PATROL_LIT ? (uint32_t)(to - p->expr_len) : (uint32_t)to;
    h->ctx_hit = -1;
    h->counted = 0;
    return 0;
}

/* Finds a context hit in `mask` within `window` bytes of [from, to); returns its index or -1. */
static int32_t find_context(const struct rk_patrol_scanner *s, uint64_t mask, uint32_t from,
                            uint32_t to, uint32_t window)
{
    uint32_t lo = from > window ? from - window : 0;
    uint64_t hi = (uint64_t)to + window;
    for (size_t i = 0; i < s->n_hits; i++) {
        const struct hit *h = &s->hits[i];
        int c = s->d->pats[h->pat].context;
        if (c < 0 || !(mask & ((uint64_t)1 << c)))
            continue;
        if (h->to >= lo && h->from <= hi)
            return (int32_t)i;
    }
    return -1;
}

struct som_search {
    unsigned long long to;   /* the end of the hit whose start is wanted */
    unsigned long long from; /* OUT: its leftmost start */
    int found;
};

static int on_som(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ud)
{
    struct som_search *q = ud;
    if (to == q->to) {
        q->from = from;
        q->found = 1;
        return 1;
    }
    return 0;
}

/*
 * Finds the start of regex hit `h` in `text` (`len` bytes) with the pattern's own SOM database.
 * The whole record is scanned rather than the text up to the hit, because Vectorscan 5.4.9 does
 * not report a start-of-match hit that ends exactly at the end of the buffer when it starts 64 or
 * more bytes in (seen with "@[a-z0-9_]{4,}"). If the hit still ends the record and is not found,
 * a window of the last 60 bytes before it is scanned, which gives its leftmost start inside that
 * window.
 */
static void find_start(struct rk_patrol_scanner *s, const char *text, size_t len, struct hit *h)
{
    const struct rk__patrol_pattern *p = &s->d->pats[h->pat];
    if (p->kind != RK__PATROL_RE || p->som_db == NULL || h->from != h->to || h->to == 0)
        return;
    struct som_search q = {h->to, 0, 0};
    hs_scan(p->som_db, text, (unsigned)len, 0, s->scratch, on_som, &q);
    if (!q.found) {
        size_t w = h->to > 60 ? h->to - 60 : 0;
        while (w > 0 && ((unsigned char)text[w] & 0xC0) == 0x80)
            w++;
        q.to = h->to - w;
        hs_scan(p->som_db, text + w, (unsigned)(h->to - w), 0, s->scratch, on_som, &q);
        q.from += w;
    }
    if (q.found && q.from < h->to)
        h->from = (uint32_t)q.from;
}

static void map_span(const struct rk_patrol_text *t, uint32_t from, uint32_t to,
                     struct rk_patrol_span *sp)
{
    /* A regex hit whose start was not found is shown as its last byte, never as an empty or
     * inverted span. */
    if (from >= to)
        from = to > 0 ? to - 1 : 0;
    if (t == NULL) {
        sp->start = from;
        sp->end = to;
        return;
    }
    sp->start = t->src_start[from];
    sp->end = t->src_end[to - 1];
}

static enum rk_status add_span(struct rk_patrol_scanner *s, struct rk_patrol_finding *f,
                               size_t span_off, const struct rk_patrol_span *sp)
{
    /* Nested evidence is shown once, as the outer span: 闇バ inside 闇バイト. */
    struct rk_patrol_span *first = s->spans + span_off;
    for (size_t i = 0; i < f->n_spans; i++) {
        if (first[i].start <= sp->start && sp->end <= first[i].end)
            return RK_OK;
        if (sp->start <= first[i].start && first[i].end <= sp->end) {
            first[i] = *sp;
            return RK_OK;
        }
    }
    if (f->n_spans >= RK_MAX_PATROL_SPANS)
        return RK_OK;
    enum rk_status rc = grow((void **)&s->spans, &s->cap_spans, s->n_spans, sizeof *s->spans);
    if (rc != RK_OK)
        return rc;
    s->spans[s->n_spans++] = *sp;
    f->n_spans++;
    return RK_OK;
}

/* Emits the finding of category `c` for record `rec` (evidence from the counted hits). */
static enum rk_status emit_finding(struct rk_patrol_scanner *s, size_t rec, size_t c,
                                   const struct rk_patrol_text *t, const char *text, size_t len,
                                   size_t dup_prefix)
{
    enum rk_status rc = grow((void **)&s->finds, &s->cap_finds, s->n_finds, sizeof *s->finds);
    if (rc == RK_OK)
        rc = grow((void **)&s->fix, &s->cap_fix, s->n_finds, sizeof *s->fix);
    if (rc != RK_OK)
        return rc;
    struct rk_patrol_finding *f = &s->finds[s->n_finds];
    memset(f, 0, sizeof *f);
    f->record = rec;
    f->category = c;
    f->score = s->score[c];
    size_t span_off = s->n_spans, rule_off = s->n_rule_ids;
    size_t latest_end = 0;
    for (size_t i = 0; i < s->n_hits; i++) {
        struct hit *h = &s->hits[i];
        const struct rk__patrol_pattern *p = &s->d->pats[h->pat];
        if (!h->counted || p->category != (int)c || p->weight <= 0)
            continue;
        find_start(s, text, len, h);
        if (h->ctx_hit >= 0)
            find_start(s, text, len, &s->hits[h->ctx_hit]);
        struct rk_patrol_span sp;
        map_span(t, h->from, h->to, &sp);
        if (sp.end > latest_end)
            latest_end = sp.end;
        rc = add_span(s, f, span_off, &sp);
        if (rc == RK_OK && h->ctx_hit >= 0) {
            const struct hit *ch = &s->hits[h->ctx_hit];
            map_span(t, ch->from, ch->to, &sp);
            rc = add_span(s, f, span_off, &sp);
        }
        if (rc == RK_OK && f->n_rules < RK_MAX_PATROL_SPANS) {
            rc = grow((void **)&s->rule_ids, &s->cap_rule_ids, s->n_rule_ids, sizeof *s->rule_ids);
            if (rc == RK_OK) {
                s->rule_ids[s->n_rule_ids++] = p->id;
                f->n_rules++;
            }
        }
        if (rc != RK_OK)
            return rc;
    }
    if (latest_end <= dup_prefix) {
        /* All the evidence was in the part shared with the previous chunk: reported there. */
        s->n_spans = span_off;
        s->n_rule_ids = rule_off;
        return RK_OK;
    }
    /* Spans in text order, each shown once: drop any span inside another (of two equal spans,
     * the later). At most RK_MAX_PATROL_SPANS, so quadratic is fine. */
    struct rk_patrol_span *sp0 = s->spans + span_off;
    uint8_t keep[RK_MAX_PATROL_SPANS];
    for (size_t i = 0; i < f->n_spans; i++) {
        keep[i] = 1;
        for (size_t j = 0; j < f->n_spans && keep[i]; j++) {
            int same = sp0[j].start == sp0[i].start && sp0[j].end == sp0[i].end;
            if (j != i && sp0[j].start <= sp0[i].start && sp0[i].end <= sp0[j].end &&
                (!same || j < i))
                keep[i] = 0;
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < f->n_spans; i++)
        if (keep[i])
            sp0[k++] = sp0[i];
    for (size_t i = 1; i < k; i++) {
        struct rk_patrol_span v = sp0[i];
        size_t j = i;
        for (; j > 0 && sp0[j - 1].start > v.start; j--)
            sp0[j] = sp0[j - 1];
        sp0[j] = v;
    }
    s->n_spans = span_off + k;
    f->n_spans = k;
    s->fix[s->n_finds].span_off = span_off;
    s->fix[s->n_finds].rule_off = rule_off;
    s->n_finds++;
    return RK_OK;
}

/* Scores the hits of one record and emits its findings. */
static enum rk_status score_record(struct rk_patrol_scanner *s, size_t rec,
                                   const struct rk_patrol_text *t, const char *text, size_t len,
                                   size_t dup_prefix)
{
    const struct rk_patrol_dict *d = s->d;
    s->gen++;
    if (s->gen == 0) { /* wrapped: start the generations again */
        memset(s->seen, 0, d->n_pats * sizeof *s->seen);
        s->gen = 1;
    }
    memset(s->score, 0, d->n_cats * sizeof *s->score);
    memset(s->positive, 0, d->n_cats);
    for (size_t i = 0; i < s->n_hits; i++) {
        struct hit *h = &s->hits[i];
        const struct rk__patrol_pattern *p = &d->pats[h->pat];
        if (p->category < 0 || s->seen[h->pat] == s->gen)
            continue;
        if (p->near_mask != 0) {
            h->ctx_hit = find_context(s, p->near_mask, h->from, h->to, p->window);
            if (h->ctx_hit < 0)
                continue;
        }
        h->counted = 1;
        s->seen[h->pat] = s->gen;
        s->score[p->category] += p->weight;
        if (p->weight > 0)
            s->positive[p->category] = 1;
    }
    for (size_t c = 0; c < d->n_cats; c++) {
        if (!s->positive[c] || s->score[c] < d->cats[c].pub.threshold - 1e-9)
            continue;
        enum rk_status rc = emit_finding(s, rec, c, t, text, len, dup_prefix);
        if (rc != RK_OK)
            return rc;
    }
    return RK_OK;
}

static void reset_results(struct rk_patrol_scanner *s)
{
    s->n_finds = 0;
    s->n_spans = 0;
    s->n_rule_ids = 0;
    s->n_inv = 0;
}

static void fix_pointers(struct rk_patrol_scanner *s)
{
    for (size_t i = 0; i < s->n_finds; i++) {
        s->finds[i].spans = s->spans + s->fix[i].span_off;
        s->finds[i].rule_ids = s->rule_ids + s->fix[i].rule_off;
    }
}

/*
 * The prefilter's callback: adds the weight of a positive rule (each reported once) to its
 * category and stops the scan once some category could reach its threshold. The sum is an upper
 * bound of the real score: a rule with a context may not count, and negative rules only lower it.
 */
static int on_positive(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                       void *ud)
{
    struct rk_patrol_scanner *s = ud;
    const struct rk__patrol_pattern *p = &s->d->pats[id];
    s->score[p->category] += p->weight;
    if (s->score[p->category] >= s->d->cats[p->category].pub.threshold - 1e-9) {
        s->positive[p->category] = 1;
        return 1;
    }
    return 0;
}

static enum rk_status scan_one(struct rk_patrol_scanner *s, const char *text, size_t len)
{
    s->n_hits = 0;
    if (len == 0)
        return RK_OK;
    if (s->d->pre_db != NULL) {
        /* No category can reach its threshold with the positive rules present: no finding
         * (score_record would find none), so the full scan is skipped. */
        memset(s->score, 0, s->d->n_cats * sizeof *s->score);
        memset(s->positive, 0, s->d->n_cats);
        hs_error_t e = hs_scan(s->d->pre_db, text, (unsigned)len, 0, s->scratch, on_positive, s);
        if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED)
            return RK_EIO;
        if (e != HS_SCAN_TERMINATED)
            return RK_OK;
    }
    hs_error_t e = hs_scan(s->d->db, text, (unsigned)len, 0, s->scratch, on_match, s);
    if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED)
        return RK_EIO;
    return RK_OK;
}

enum rk_status rk_patrol_scan(struct rk_patrol_scanner *s, const struct rk_patrol_record *recs,
                              size_t n)
{
    reset_results(s);
    for (size_t r = 0; r < n; r++) {
        enum rk_status rc = rk_patrol_normalise(s->d->norm, recs[r].text, recs[r].len, &s->text);
        for (size_t k = 0; rc == RK_OK && k < s->text.n_invalid && k < RK_MAX_PATROL_INVALID_REPORT;
             k++) {
            rc = grow((void **)&s->inv, &s->cap_inv, s->n_inv, sizeof *s->inv);
            if (rc == RK_OK) {
                s->inv[s->n_inv].record = r;
                s->inv[s->n_inv].offset = s->text.invalid_at[k];
                s->n_inv++;
            }
        }
        if (rc == RK_OK)
            rc = scan_one(s, s->text.data, s->text.len);
        if (rc == RK_OK)
            rc = score_record(s, r, &s->text, s->text.data, s->text.len, recs[r].dup_prefix);
        if (rc != RK_OK) {
            reset_results(s);
            return rc;
        }
    }
    fix_pointers(s);
    return RK_OK;
}

enum rk_status rk_patrol_scan_normalised(struct rk_patrol_scanner *s, const char *text, size_t len)
{
    reset_results(s);
    if (len > 0xFFFFFFFFu)
        return RK_ETOOBIG;
    enum rk_status rc = scan_one(s, text, len);
    if (rc == RK_OK)
        rc = score_record(s, 0, NULL, text, len, 0);
    if (rc != RK_OK) {
        reset_results(s);
        return rc;
    }
    fix_pointers(s);
    return RK_OK;
}

size_t rk_patrol_scanner_findings(const struct rk_patrol_scanner *s,
                                  const struct rk_patrol_finding **out)
{
    *out = s->finds;
    return s->n_finds;
}

size_t rk_patrol_scanner_invalid(const struct rk_patrol_scanner *s,
                                 const struct rk_patrol_invalid **out)
{
    *out = s->inv;
    return s->n_inv;
}
