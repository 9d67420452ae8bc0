/*
 * `renkei patrol`: scans Japanese posts, pages or text for illegal and harmful information (the
 * Internet Hotline Center classes) with the patrol engine (engines/patrol), and prints one line
 * per finding for a person to review.
 *
 * The work is a pipeline that keeps memory bounded whatever the input: the main thread reads the
 * inputs and cuts them into records (a line, a JSON post, or a RK_PATROL_CHUNK piece of a longer
 * line, with RK_PATROL_OVERLAP bytes shared between pieces), packs records into batches of about
 * 1 MiB, and hands them to one worker per core through a small ring of slots. Workers normalise,
 * scan and format; the main thread prints finished batches in input order, so the output is the
 * same for any number of threads.
 *
 * Exit codes: 0 no finding, 1 findings, 2 a usage, dictionary or input error (even if there were
 * findings too: a run that could not read all its input is not a clean "nothing found").
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/cpu.h"
#include "renkei/limits.h"
#include "renkei/parse.h"
#include "renkei/patrol.h"

#define NSLOTS        6
#define BATCH_BYTES   (1u << 20)
#define BATCH_RECORDS 4096u
#define MAX_THREADS   16

enum fmt { FMT_AUTO, FMT_TEXT, FMT_JSONL, FMT_HTML };

/* One record of a batch; its bytes are in batch.bytes at [off, off+len). */
struct rec {
    size_t off, len;
    size_t dup_prefix;
    int src;       /* index of the input name */
    uint64_t line; /* 1-based line of the input (for HTML, of the extracted text) */
    uint64_t base; /* input offset of the record's first byte (text) */
    int jsonl;
    int has_map; /* HTML: per-byte input offsets at batch.maps[map_off] */
    size_t map_off;
};

enum slot_state { SLOT_FREE, SLOT_FILLING, SLOT_READY, SLOT_WORKING, SLOT_DONE };

struct batch {
    enum slot_state state;
    size_t seq;
    struct rk_buf bytes;
    struct rk_buf maps;
    struct rec *recs;
    size_t n_recs, cap_recs;
    struct rk_buf out;
    struct rk_buf errs;
    size_t findings;
    int failed; /* an input error in this batch */
    size_t bytes_in;
};

struct opts {
    const char *dict;
    int json;
    int normalise_only;
    int progress;
    enum fmt fmt;
    unsigned threads;
};

struct run {
    const struct opts *o;
    const struct rk_patrol_dict *dict;
    const struct rk_patrol_norm *norm;
    char **names;
    int n_names;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct batch slots[NSLOTS];
    size_t next_seq;   /* sequence number of the batch being filled */
    size_t next_print; /* next batch to print */
    int done;          /* no more batches will be made */
    int oom;           /* a worker ran out of memory */
    struct batch *cur; /* the batch being filled (main thread) */
    size_t findings;
    int failed;
    uint64_t bytes_read;
    double t_start, t_progress;
};

/* ===== Output helpers ===== */

static enum rk_status json_str(struct rk_buf *b, const char *s, size_t len)
{
    enum rk_status rc = rk_buf_addc(b, '"');
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len && rc == RK_OK) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            rc = rk_buf_addc(b, '\\');
            if (rc == RK_OK)
                rc = rk_buf_addc(b, (char)c);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            rc = rk_buf_addf(b, "\\u%04x", c);
            i++;
        } else if (c < 0x80) {
            rc = rk_buf_addc(b, (char)c);
            i++;
        } else {
            /* Copy a valid UTF-8 sequence; replace anything else with U+FFFD. */
            size_t l = (c >= 0xC2 && c <= 0xDF)   ? 2
                       : (c >= 0xE0 && c <= 0xEF) ? 3
                       : (c >= 0xF0 && c <= 0xF4) ? 4
                                                  : 0;
            int ok = l > 0 && i + l <= len;
            for (size_t k = 1; ok && k < l; k++)
                ok = (p[i + k] & 0xC0) == 0x80;
            if (ok && l == 3) {
                unsigned cp = ((c & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6);
                ok = cp >= 0x800 && !(cp >= 0xD800 && cp <= 0xDFFF);
            }
            if (ok && l == 4) {
                unsigned cp = ((c & 0x07u) << 18) | ((p[i + 1] & 0x3Fu) << 12);
                ok = cp >= 0x10000 && cp <= 0x10FFFF;
            }
            if (ok) {
                rc = rk_buf_add(b, p + i, l);
                i += l;
            } else {
                rc = rk_buf_add(b, "\xEF\xBF\xBD", 3);
                i++;
            }
        }
    }
    if (rc == RK_OK)
        rc = rk_buf_addc(b, '"');
    return rc;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ===== Worker ===== */

struct view {
    const char *text; /* the scanned text of the record */
    size_t len;
    const uint32_t *map; /* HTML: input offset per text byte */
    uint64_t base;
    struct rk_patrol_post post; /* JSONL */
};

/* Input offset of a text offset (start of a span, or its end when `is_end`). */
static uint64_t abs_off(const struct view *v, size_t off, int is_end)
{
    if (v->map != NULL) {
        if (v->len == 0)
            return v->base;
        if (is_end)
            return off == 0 ? v->map[0] : (uint64_t)v->map[off - 1] + 1;
        return off < v->len ? v->map[off] : (uint64_t)v->map[v->len - 1] + 1;
    }
    return v->base + off;
}

static enum rk_status format_finding(const struct run *r, struct batch *b, const struct rec *rc_,
                                     const struct view *v, const struct rk_patrol_finding *f)
{
    const struct rk_patrol_category *cat = rk_patrol_dict_category(r->dict, f->category);
    struct rk_buf *o = &b->out;
    const char *src = r->names[rc_->src];
    enum rk_status rc = RK_OK;
    if (r->o->json) {
        rc = rk_buf_adds(o, "{\"source\":");
        if (rc == RK_OK)
            rc = json_str(o, src, strlen(src));
        if (rc == RK_OK)
            rc = rk_buf_addf(o, ",\"line\":%llu", (unsigned long long)rc_->line);
        if (rc == RK_OK && rc_->jsonl) {
            if (v->post.id != NULL && rc == RK_OK) {
                rc = rk_buf_adds(o, ",\"id\":");
                if (rc == RK_OK)
                    rc = json_str(o, v->post.id, strlen(v->post.id));
            }
            if (v->post.url != NULL && rc == RK_OK) {
                rc = rk_buf_adds(o, ",\"url\":");
                if (rc == RK_OK)
                    rc = json_str(o, v->post.url, strlen(v->post.url));
            }
        } else if (rc == RK_OK) {
            rc = rk_buf_addf(o, ",\"offset\":%llu", (unsigned long long)abs_off(v, 0, 0));
        }
        if (rc == RK_OK)
            rc = rk_buf_addf(o, ",\"category\":\"%s\",\"label\":", cat->key);
        if (rc == RK_OK)
            rc = json_str(o, cat->label, strlen(cat->label));
        if (rc == RK_OK)
            rc = rk_buf_addf(o, ",\"score\":%.2f,\"spans\":[", f->score);
        for (size_t i = 0; i < f->n_spans && rc == RK_OK; i++) {
            const struct rk_patrol_span *sp = &f->spans[i];
            rc = rk_buf_addf(o, "%s{\"start\":%llu,\"end\":%llu,\"text\":", i ? "," : "",
                             (unsigned long long)abs_off(v, sp->start, 0),
                             (unsigned long long)abs_off(v, sp->end, 1));
            if (rc == RK_OK)
                rc = json_str(o, v->text + sp->start, sp->end - sp->start);
            if (rc == RK_OK)
                rc = rk_buf_addc(o, '}');
        }
        if (rc == RK_OK)
            rc = rk_buf_adds(o, "],\"rules\":[");
        for (size_t i = 0; i < f->n_rules && rc == RK_OK; i++)
            rc = rk_buf_addf(o, "%s\"%s\"", i ? "," : "", f->rule_ids[i]);
        if (rc == RK_OK)
            rc = rk_buf_adds(o, "]}\n");
        return rc;
    }
    rc = rk_buf_addf(o, "%s:%llu", src, (unsigned long long)rc_->line);
    if (rc == RK_OK && rc_->jsonl && v->post.id != NULL)
        rc = rk_buf_addf(o, " (id %s)", v->post.id);
    else if (rc == RK_OK)
        rc = rk_buf_addf(o, " @%llu", (unsigned long long)abs_off(v, 0, 0));
    if (rc == RK_OK)
        rc = rk_buf_addf(o, ": %s %s score=%.2f ", cat->label, cat->key, f->score);
    for (size_t i = 0; i < f->n_spans && rc == RK_OK; i++) {
        const struct rk_patrol_span *sp = &f->spans[i];
        /* Human output shows the evidence with control characters made visible. */
        rc = rk_buf_adds(o, "「");
        for (size_t k = sp->start; k < sp->end && rc == RK_OK; k++) {
            char c = v->text[k];
            rc = rk_buf_addc(o, (c == '\n' || c == '\r' || c == '\t') ? ' ' : c);
        }
        if (rc == RK_OK)
            rc = rk_buf_adds(o, "」");
    }
    if (rc == RK_OK)
        rc = rk_buf_adds(o, " [");
    for (size_t i = 0; i < f->n_rules && rc == RK_OK; i++)
        rc = rk_buf_addf(o, "%s%s", i ? "," : "", f->rule_ids[i]);
    if (rc == RK_OK)
        rc = rk_buf_adds(o, "]\n");
    return rc;
}

/* Scans one batch: parses JSON posts, normalises and scans, formats the findings. */
static enum rk_status process_batch(struct run *r, struct rk_patrol_scanner *sc, struct batch *b,
                                    struct view *views, struct rk_patrol_record *recs,
                                    struct rk_patrol_text *tmp)
{
    enum rk_status rc = RK_OK;
    size_t n = b->n_recs;
    for (size_t i = 0; i < n; i++) {
        const struct rec *rec = &b->recs[i];
        struct view *v = &views[i];
        memset(v, 0, sizeof *v);
        v->text = b->bytes.data + rec->off;
        v->len = rec->len;
        v->base = rec->base;
        if (rec->has_map)
            v->map = (const uint32_t *)(const void *)(b->maps.data + rec->map_off);
        if (rec->jsonl) {
            char err[256];
            enum rk_status prc = rk_patrol_post_parse(v->text, v->len, &v->post, err, sizeof err);
            if (prc == RK_ENOMEM)
                return prc;
            if (prc != RK_OK) {
                rk_buf_addf(&b->errs, "renkei patrol: %s:%llu: %s\n", r->names[rec->src],
                            (unsigned long long)rec->line, err);
                b->failed = 1;
                v->text = "";
                v->len = 0;
            } else {
                if (v->post.n_invalid > 0)
                    rk_buf_addf(&b->errs,
                                "renkei patrol: %s:%llu: warning: %zu invalid UTF-8 byte(s) "
                                "replaced, first at byte %zu of the line\n",
                                r->names[rec->src], (unsigned long long)rec->line,
                                v->post.n_invalid, v->post.first_invalid);
                v->text = v->post.text;
                v->len = v->post.text_len;
            }
        }
        recs[i].text = v->text;
        recs[i].len = v->len;
        recs[i].dup_prefix = rec->dup_prefix;
    }
    if (r->o->normalise_only) {
        for (size_t i = 0; i < n && rc == RK_OK; i++) {
            rc = rk_patrol_normalise(r->norm, recs[i].text, recs[i].len, tmp);
            if (rc == RK_OK)
                rc = rk_buf_add(&b->out, tmp->data, tmp->len);
            if (rc == RK_OK)
                rc = rk_buf_addc(&b->out, '\n');
        }
        goto out;
    }
    rc = rk_patrol_scan(sc, recs, n);
    if (rc != RK_OK)
        goto out;
    const struct rk_patrol_invalid *inv;
    size_t n_inv = rk_patrol_scanner_invalid(sc, &inv);
    for (size_t i = 0; i < n_inv; i++) {
        const struct rec *rec = &b->recs[inv[i].record];
        rk_buf_addf(&b->errs,
                    "renkei patrol: %s:%llu: warning: invalid UTF-8 at offset %llu replaced\n",
                    r->names[rec->src], (unsigned long long)rec->line,
                    (unsigned long long)abs_off(&views[inv[i].record], inv[i].offset, 0));
    }
    const struct rk_patrol_finding *f;
    size_t nf = rk_patrol_scanner_findings(sc, &f);
    for (size_t i = 0; i < nf && rc == RK_OK; i++)
        rc = format_finding(r, b, &b->recs[f[i].record], &views[f[i].record], &f[i]);
    b->findings = nf;
out:
    for (size_t i = 0; i < n; i++)
        rk_patrol_post_free(&views[i].post);
    return rc;
}

struct worker {
    struct run *r;
    pthread_t tid;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->r;
    struct rk_patrol_scanner *sc = NULL;
    struct view *views = rk_calloc(BATCH_RECORDS + 1, sizeof *views);
    struct rk_patrol_record *recs = rk_calloc(BATCH_RECORDS + 1, sizeof *recs);
    struct rk_patrol_text tmp;
    rk_patrol_text_init(&tmp);
    int ok = views != NULL && recs != NULL && rk_patrol_scanner_create(r->dict, &sc) == RK_OK;
    pthread_mutex_lock(&r->mu);
    if (!ok)
        r->oom = 1;
    for (;;) {
        struct batch *b = NULL;
        for (int i = 0; i < NSLOTS; i++) {
            if (r->slots[i].state == SLOT_READY && (b == NULL || r->slots[i].seq < b->seq))
                b = &r->slots[i];
        }
        if (b == NULL) {
            if (r->done || r->oom)
                break;
            pthread_cond_wait(&r->cond, &r->mu);
            continue;
        }
        b->state = SLOT_WORKING;
        pthread_mutex_unlock(&r->mu);
        enum rk_status rc = ok ? process_batch(r, sc, b, views, recs, &tmp) : RK_ENOMEM;
        pthread_mutex_lock(&r->mu);
        if (rc != RK_OK) {
            rk_buf_addf(&b->errs, "renkei patrol: scanning failed: %s\n", rk_strerror(rc));
            b->failed = 1;
        }
        b->state = SLOT_DONE;
        pthread_cond_broadcast(&r->cond);
    }
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
    rk_patrol_text_free(&tmp);
    rk_patrol_scanner_destroy(sc);
    rk_free(views);
    rk_free(recs);
    return NULL;
}

/* ===== Main thread: batches, printing, progress ===== */

static void progress(struct run *r, int final)
{
    if (!r->o->progress)
        return;
    double t = now();
    if (!final && t - r->t_progress < 0.5)
        return;
    r->t_progress = t;
    double el = t - r->t_start;
    fprintf(stderr, "\rpatrol: %.1f MB read, %.1f MB/s, %zu finding(s)   %s",
            (double)r->bytes_read / 1e6, el > 0 ? (double)r->bytes_read / 1e6 / el : 0.0,
            r->findings, final ? "\n" : "");
}

/* Prints finished batches in order. Called with the mutex held. */
static void print_done(struct run *r)
{
    for (;;) {
        struct batch *b = &r->slots[r->next_print % NSLOTS];
        if (r->next_print >= r->next_seq || b->state != SLOT_DONE || b->seq != r->next_print)
            return;
        if (r->o->progress && (b->out.len > 0 || b->errs.len > 0))
            fputs("\r\033[K", stderr);
        if (b->errs.len > 0)
            fwrite(b->errs.data, 1, b->errs.len, stderr);
        if (b->out.len > 0)
            fwrite(b->out.data, 1, b->out.len, stdout);
        r->findings += b->findings;
        r->failed |= b->failed;
        b->state = SLOT_FREE;
        r->next_print++;
        progress(r, 0);
    }
}

/* Hands the current batch to the workers and takes the next slot (waiting for it). */
static enum rk_status dispatch(struct run *r)
{
    pthread_mutex_lock(&r->mu);
    struct batch *b = r->cur;
    if (b != NULL) {
        b->state = SLOT_READY;
        r->next_seq++;
        pthread_cond_broadcast(&r->cond);
    }
    struct batch *nb = &r->slots[r->next_seq % NSLOTS];
    for (;;) {
        print_done(r);
        if (nb->state == SLOT_FREE || r->oom)
            break;
        pthread_cond_wait(&r->cond, &r->mu);
    }
    int oom = r->oom;
    if (!oom) {
        /* Claimed under the lock: workers read every slot's state while looking for work. */
        nb->state = SLOT_FILLING;
        nb->seq = r->next_seq;
    }
    pthread_mutex_unlock(&r->mu);
    if (oom)
        return RK_ENOMEM;
    rk_buf_reset(&nb->bytes);
    rk_buf_reset(&nb->maps);
    rk_buf_reset(&nb->out);
    rk_buf_reset(&nb->errs);
    nb->n_recs = 0;
    nb->findings = 0;
    nb->failed = 0;
    r->cur = nb;
    return RK_OK;
}

/* Adds one record to the current batch, dispatching it first when full. */
static enum rk_status add_record(struct run *r, const char *p, size_t len, size_t dup, int src,
                                 uint64_t line, uint64_t base, int jsonl, const uint32_t *map)
{
    struct batch *b = r->cur;
    if (b->n_recs > 0 && (b->bytes.len + len > BATCH_BYTES || b->n_recs >= BATCH_RECORDS)) {
        enum rk_status rc = dispatch(r);
        if (rc != RK_OK)
            return rc;
        b = r->cur;
    }
    if (b->n_recs == b->cap_recs) {
        size_t nc = b->cap_recs ? b->cap_recs * 2 : 256;
        struct rec *nr = rk_reallocarray(b->recs, nc, sizeof *nr);
        if (nr == NULL)
            return RK_ENOMEM;
        b->recs = nr;
        b->cap_recs = nc;
    }
    struct rec *rec = &b->recs[b->n_recs];
    memset(rec, 0, sizeof *rec);
    rec->off = b->bytes.len;
    rec->len = len;
    rec->dup_prefix = dup;
    rec->src = src;
    rec->line = line;
    rec->base = base;
    rec->jsonl = jsonl;
    enum rk_status rc = rk_buf_add(&b->bytes, p, len);
    if (rc == RK_OK && map != NULL) {
        /* Keep the map 4-byte aligned inside the batch. */
        while (rc == RK_OK && b->maps.len % sizeof(uint32_t) != 0)
            rc = rk_buf_addc(&b->maps, 0);
        rec->has_map = 1;
        rec->map_off = b->maps.len;
        if (rc == RK_OK)
            rc = rk_buf_add(&b->maps, map, len * sizeof *map);
    }
    if (rc != RK_OK)
        return rc;
    b->n_recs++;
    return RK_OK;
}

/* Moves back from `at` to the start of a UTF-8 character (at most 3 bytes). */
static size_t char_boundary(const char *p, size_t at, size_t min)
{
    for (int k = 0; k < 3 && at > min && ((unsigned char)p[at] & 0xC0) == 0x80; k++)
        at--;
    return at;
}

/* Line splitter state for one input. */
struct splitter {
    struct rk_buf cur; /* the pending (partial) line or the tail of a long line */
    uint64_t cur_base; /* input offset of cur[0] */
    size_t cur_dup;    /* leading bytes of cur already scanned with the previous chunk */
    uint64_t line;     /* 1-based number of the line being read */
    int skipping;      /* JSONL: skipping the rest of a line that was too long */
    int src;
    int jsonl;
};

/* Cuts a RK_PATROL_CHUNK record off the front of a long pending line, keeping the overlap. */
static enum rk_status flush_chunk(struct run *r, struct splitter *sp)
{
    size_t cut = char_boundary(sp->cur.data, RK_PATROL_CHUNK, 1);
    enum rk_status rc =
        add_record(r, sp->cur.data, cut, sp->cur_dup, sp->src, sp->line, sp->cur_base, 0, NULL);
    if (rc != RK_OK)
        return rc;
    size_t keep = char_boundary(sp->cur.data, cut - RK_PATROL_OVERLAP, 1);
    memmove(sp->cur.data, sp->cur.data + keep, sp->cur.len - keep);
    sp->cur.len -= keep;
    sp->cur_base += keep;
    sp->cur_dup = cut - keep;
    return RK_OK;
}

static enum rk_status end_line(struct run *r, struct splitter *sp, uint64_t next_base)
{
    enum rk_status rc = RK_OK;
    if (!sp->skipping && (sp->cur.len > 0 || !sp->jsonl)) {
        int blank = sp->jsonl && sp->cur.len == 0;
        if (!blank)
            rc = add_record(r, sp->cur.data ? sp->cur.data : "", sp->cur.len, sp->cur_dup, sp->src,
                            sp->line, sp->cur_base, sp->jsonl, NULL);
    }
    sp->skipping = 0;
    rk_buf_reset(&sp->cur);
    sp->cur_base = next_base;
    sp->cur_dup = 0;
    sp->line++;
    return rc;
}

static enum rk_status feed(struct run *r, struct splitter *sp, const char *data, size_t len,
                           uint64_t off)
{
    size_t limit = sp->jsonl ? RK_MAX_PATROL_JSON_LINE : RK_PATROL_CHUNK + RK_PATROL_OVERLAP;
    const char *p = data, *end = data + len;
    enum rk_status rc = RK_OK;
    while (p < end && rc == RK_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *seg_end = nl ? nl : end;
        while (p < seg_end && rc == RK_OK) {
            size_t take = (size_t)(seg_end - p);
            if (sp->skipping) {
                p = seg_end;
                break;
            }
            if (take > limit - sp->cur.len)
                take = limit - sp->cur.len;
            rc = rk_buf_add(&sp->cur, p, take);
            p += take;
            if (rc == RK_OK && sp->cur.len >= limit) {
                if (sp->jsonl) {
                    pthread_mutex_lock(&r->mu);
                    r->failed = 1;
                    pthread_mutex_unlock(&r->mu);
                    fprintf(stderr, "renkei patrol: %s:%llu: line longer than %u bytes, skipped\n",
                            r->names[sp->src], (unsigned long long)sp->line,
                            RK_MAX_PATROL_JSON_LINE);
                    sp->skipping = 1;
                    rk_buf_reset(&sp->cur);
                } else {
                    rc = flush_chunk(r, sp);
                }
            }
        }
        if (rc == RK_OK && nl != NULL) {
            rc = end_line(r, sp, off + (uint64_t)(nl + 1 - data));
            p = nl + 1;
        }
    }
    return rc;
}

static enum fmt guess_format(const char *name, enum fmt given)
{
    if (given != FMT_AUTO)
        return given;
    size_t l = strlen(name);
    if ((l > 6 && strcmp(name + l - 6, ".jsonl") == 0) ||
        (l > 7 && strcmp(name + l - 7, ".ndjson") == 0))
        return FMT_JSONL;
    if ((l > 5 && strcmp(name + l - 5, ".html") == 0) ||
        (l > 4 && strcmp(name + l - 4, ".htm") == 0))
        return FMT_HTML;
    return FMT_TEXT;
}

/* HTML: the whole page is read (capped), its text extracted with a map, then cut into lines. */
static enum rk_status scan_html(struct run *r, FILE *f, int src)
{
    struct rk_buf page, text, map;
    rk_buf_init(&page, RK_MAX_PATROL_HTML);
    rk_buf_init(&text, (size_t)RK_MAX_PATROL_HTML * 2u);
    rk_buf_init(&map, (size_t)RK_MAX_PATROL_HTML * 8u);
    enum rk_status rc = RK_OK;
    char chunk[65536];
    size_t got;
    while (rc == RK_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rc = rk_buf_add(&page, chunk, got);
        r->bytes_read += got;
    }
    if (rc == RK_ETOOBIG) {
        fprintf(stderr, "renkei patrol: %s: HTML larger than %u bytes, skipped\n", r->names[src],
                RK_MAX_PATROL_HTML);
        r->failed = 1;
        rc = RK_OK;
        goto out;
    }
    if (rc == RK_OK)
        rc = rk_patrol_html_text(page.data ? page.data : "", page.len, &text, &map);
    const uint32_t *m = (const uint32_t *)(const void *)map.data;
    size_t start = 0;
    uint64_t line = 1;
    while (rc == RK_OK && start < text.len) {
        const char *nl = memchr(text.data + start, '\n', text.len - start);
        size_t end = nl ? (size_t)(nl - text.data) : text.len;
        /* A long line of the page's text is cut into overlapping chunks, as for plain text. */
        size_t s = start, dup = 0;
        while (rc == RK_OK && s < end) {
            size_t e = end - s > RK_PATROL_CHUNK
                           ? char_boundary(text.data, s + RK_PATROL_CHUNK, s + 1)
                           : end;
            if (e > s)
                rc = add_record(r, text.data + s, e - s, dup, src, line, m[s], 0, m + s);
            if (e >= end)
                break;
            size_t ns = char_boundary(text.data, e - RK_PATROL_OVERLAP, s + 1);
            dup = e - ns;
            s = ns;
        }
        start = end + 1;
        line++;
    }
out:
    rk_buf_free(&page);
    rk_buf_free(&text);
    rk_buf_free(&map);
    return rc;
}

static enum rk_status scan_input(struct run *r, int src)
{
    const char *name = r->names[src];
    int is_stdin = strcmp(name, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(name, "rb");
    if (f == NULL) {
        fprintf(stderr, "renkei patrol: %s: %s\n", name, strerror(errno));
        r->failed = 1;
        return RK_OK;
    }
    enum fmt fm = guess_format(name, r->o->fmt);
    enum rk_status rc = RK_OK;
    if (fm == FMT_HTML) {
        rc = scan_html(r, f, src);
    } else {
        struct splitter sp = {.line = 1, .src = src, .jsonl = fm == FMT_JSONL};
        rk_buf_init(&sp.cur, (size_t)RK_MAX_PATROL_JSON_LINE + RK_PATROL_CHUNK);
        static const size_t bufsize = 1u << 20;
        char *buf = rk_malloc(bufsize);
        uint64_t off = 0;
        size_t got;
        if (buf == NULL)
            rc = RK_ENOMEM;
        while (rc == RK_OK && (got = fread(buf, 1, bufsize, f)) > 0) {
            rc = feed(r, &sp, buf, got, off);
            off += got;
            r->bytes_read += got;
            pthread_mutex_lock(&r->mu);
            print_done(r);
            pthread_mutex_unlock(&r->mu);
            progress(r, 0);
        }
        if (rc == RK_OK && sp.cur.len > 0)
            rc = end_line(r, &sp, off);
        rk_free(buf);
        rk_buf_free(&sp.cur);
    }
    if (ferror(f)) {
        fprintf(stderr, "renkei patrol: %s: read error\n", name);
        r->failed = 1;
    }
    if (!is_stdin)
        fclose(f);
    return rc;
}

/* ===== Command line ===== */

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: renkei patrol [--dict DIR] [--json] [--format auto|text|jsonl|html]\n"
        "                     [--threads N] [--no-progress] [--normalise] [FILES...]\n"
        "\n"
        "Scans Japanese text for leads of illegal and harmful information (Internet Hotline\n"
        "Center classes: drugs, 闇バイト recruitment, suicide inducement, weapons, account and\n"
        "phone trading, phishing, ...) and prints one line per finding for human review.\n"
        "A finding is a lead, not a judgement.\n"
        "\n"
        "Input (files, or standard input when none or '-'):\n"
        "  *.jsonl, *.ndjson  one post a line: {\"id\",\"url\",\"text\",\"posted_at\"}\n"
        "  *.html, *.htm      a page; its visible text is scanned, offsets are in the page\n"
        "  anything else      plain text, one record a line (long lines in overlapping chunks)\n"
        "\n"
        "Options:\n"
        "  --dict DIR      dictionary directory (*.rules); default $RENKEI_PATROL_DICT or\n"
        "                  the built-in %s\n"
        "  --json          one JSON object a line: source, line, id/url (posts) or offset,\n"
        "                  category, label, score, spans {start,end,text} in the original\n"
        "                  bytes, rules\n"
        "  --format F      force the input format instead of guessing from the file name\n"
        "  --threads N     worker threads (default: the number of cores)\n"
        "  --no-progress   no progress line on a terminal\n"
        "  --normalise     print each record's normalised text instead of scanning\n"
        "\n"
        "Invalid UTF-8 is replaced and reported on stderr with its offset.\n"
        "Exit status: 0 no finding, 1 findings, 2 usage, dictionary or input error.\n",
        RK_PATROL_DICT_DIR);
}

static int parse_args(int argc, char **argv, struct opts *o, char ***files, int *n_files)
{
    *files = rk_calloc((size_t)argc + 1, sizeof **files);
    if (*files == NULL)
        return -1;
    *n_files = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--no-progress") == 0) {
            o->progress = 0;
        } else if (strcmp(a, "--normalise") == 0 || strcmp(a, "--normalize") == 0) {
            o->normalise_only = 1;
        } else if (strcmp(a, "--dict") == 0 && i + 1 < argc) {
            o->dict = argv[++i];
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "auto") == 0)
                o->fmt = FMT_AUTO;
            else if (strcmp(v, "text") == 0)
                o->fmt = FMT_TEXT;
            else if (strcmp(v, "jsonl") == 0)
                o->fmt = FMT_JSONL;
            else if (strcmp(v, "html") == 0)
                o->fmt = FMT_HTML;
            else {
                fprintf(stderr, "renkei patrol: unknown format '%s'\n", v);
                return -1;
            }
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            uint64_t v = 0;
            const char *s = argv[++i];
            if (rk_parse_u64(s, strlen(s), MAX_THREADS, &v) != RK_OK || v == 0) {
                fprintf(stderr, "renkei patrol: --threads takes 1 to %d\n", MAX_THREADS);
                return -1;
            }
            o->threads = (unsigned)v;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "renkei patrol: unknown option '%s' (see --help)\n", a);
            return -1;
        } else {
            (*files)[(*n_files)++] = argv[i];
        }
    }
    if (*n_files == 0)
        (*files)[(*n_files)++] = "-";
    return 0;
}

static int run_patrol(int argc, char **argv)
{
    struct opts o = {0};
    o.progress = isatty(2);
    unsigned ncpu = rk_cpus_usable();
    o.threads = ncpu > MAX_THREADS ? MAX_THREADS : ncpu;
    o.dict = getenv("RENKEI_PATROL_DICT") ? getenv("RENKEI_PATROL_DICT") : RK_PATROL_DICT_DIR;
    char **files = NULL;
    int n_files = 0;
    int pa = parse_args(argc, argv, &o, &files, &n_files);
    if (pa != 0) {
        rk_free(files);
        return pa > 0 ? RK_EXIT_OK : RK_EXIT_USAGE;
    }
    int exit_code = RK_EXIT_USAGE;
    struct rk_patrol_norm *norm = NULL;
    struct rk_patrol_dict *dict = NULL;
    struct worker workers[MAX_THREADS];
    unsigned started = 0;
    struct run r = {0};
    char err[512];
    r.o = &o;
    r.names = files;
    r.n_names = n_files;
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cond, NULL);
    for (int i = 0; i < NSLOTS; i++) {
        rk_buf_init(&r.slots[i].bytes,
                    BATCH_BYTES + RK_PATROL_CHUNK + RK_PATROL_OVERLAP + RK_MAX_PATROL_JSON_LINE);
        rk_buf_init(&r.slots[i].maps, (size_t)(BATCH_BYTES + RK_PATROL_CHUNK) * 4u + 64u);
        rk_buf_init(&r.slots[i].out, 0);
        rk_buf_init(&r.slots[i].errs, 0);
    }
    if (rk_patrol_norm_create(&norm) != RK_OK || rk_patrol_dict_create(norm, &dict) != RK_OK) {
        fprintf(stderr, "renkei patrol: out of memory\n");
        goto out;
    }
    if (rk_patrol_dict_load_dir(dict, o.dict, err, sizeof err) != RK_OK ||
        rk_patrol_dict_compile(dict, err, sizeof err) != RK_OK) {
        fprintf(stderr, "renkei patrol: dictionary: %s\n", err);
        goto out;
    }
    r.dict = dict;
    r.norm = norm;
    r.t_start = now();
    for (unsigned i = 0; i < o.threads; i++) {
        workers[i].r = &r;
        if (pthread_create(&workers[i].tid, NULL, worker_main, &workers[i]) != 0)
            break;
        started++;
    }
    enum rk_status rc = started > 0 ? dispatch(&r) : RK_ENOMEM;
    for (int i = 0; i < n_files && rc == RK_OK; i++)
        rc = scan_input(&r, i);
    if (rc == RK_OK && r.cur != NULL && r.cur->n_recs > 0)
        rc = dispatch(&r);
    pthread_mutex_lock(&r.mu);
    if (r.cur != NULL && r.cur->state == SLOT_FILLING)
        r.cur->state = SLOT_FREE;
    r.done = 1;
    pthread_cond_broadcast(&r.cond);
    while (r.next_print < r.next_seq && !r.oom) {
        print_done(&r);
        if (r.next_print < r.next_seq)
            pthread_cond_wait(&r.cond, &r.mu);
    }
    pthread_mutex_unlock(&r.mu);
    progress(&r, 1);
    if (rc != RK_OK || r.oom) {
        fprintf(stderr, "renkei patrol: %s\n", rk_strerror(rc != RK_OK ? rc : RK_ENOMEM));
        r.failed = 1;
    }
    exit_code = r.failed ? RK_EXIT_USAGE : r.findings > 0 ? RK_EXIT_FOUND : RK_EXIT_OK;
out:
    pthread_mutex_lock(&r.mu);
    r.done = 1;
    pthread_cond_broadcast(&r.cond);
    pthread_mutex_unlock(&r.mu);
    for (unsigned i = 0; i < started; i++)
        pthread_join(workers[i].tid, NULL);
    for (int i = 0; i < NSLOTS; i++) {
        rk_buf_free(&r.slots[i].bytes);
        rk_buf_free(&r.slots[i].maps);
        rk_buf_free(&r.slots[i].out);
        rk_buf_free(&r.slots[i].errs);
        rk_free(r.slots[i].recs);
    }
    pthread_mutex_destroy(&r.mu);
    pthread_cond_destroy(&r.cond);
    rk_patrol_dict_destroy(dict);
    rk_patrol_norm_destroy(norm);
    rk_free(files);
    fflush(stdout);
    return exit_code;
}

const struct rk_cli_cmd rk_cli_cmd_patrol = {
    "patrol", "scan Japanese posts for illegal and harmful information (IHC classes)", run_patrol};
