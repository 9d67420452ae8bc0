/*
 * Benchmark driver of the patrol engine (bench/patrol/run calls it). On one core it times, over a
 * corpus of one post per line:
 *   norm+scan — normalise every line and scan it with the full dictionary (what `renkei patrol`
 *               does per record);
 *   norm      — the normaliser alone;
 *   scan      — the scan and scoring alone, over text normalised beforehand.
 * It also writes the normalised corpus and the dictionary as ERE patterns, so that grep -E -f and
 * rg -f can be timed on the same patterns over the same (normalised) text.
 *
 * usage: patrol_bench DICT_DIR bench CORPUS
 *        patrol_bench DICT_DIR normalise CORPUS OUT
 *        patrol_bench DICT_DIR export-ere OUT
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/patrol.h"

/* The benchmark also times Vectorscan alone on the dictionary's database (engine internals). */
#include "patrol-int.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_all(const char *path, struct rk_buf *b)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    char chunk[1 << 16];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (rk_buf_add(b, chunk, got) != RK_OK) {
            fclose(f);
            fprintf(stderr, "%s: too big\n", path);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

/* Calls fn(line, len) for each line of [p, p+n). */
#define FOR_EACH_LINE(p, n, line, len, ...)                                                        \
    do {                                                                                           \
        const char *end_ = (p) + (n), *s_ = (p);                                                   \
        while (s_ < end_) {                                                                        \
            const char *nl_ = memchr(s_, '\n', (size_t)(end_ - s_));                               \
            const char *e_ = nl_ ? nl_ : end_;                                                     \
            const char *line = s_;                                                                 \
            size_t len = (size_t)(e_ - s_);                                                        \
            __VA_ARGS__;                                                                           \
            s_ = nl_ ? nl_ + 1 : end_;                                                             \
        }                                                                                          \
    } while (0)

static int count_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                       void *ud)
{
    (*(size_t *)ud)++;
    return 0;
}

static int bench(struct rk_patrol_norm *n, struct rk_patrol_dict *d, const char *path)
{
    struct rk_buf in, normed;
    rk_buf_init(&in, (size_t)8 << 30);
    rk_buf_init(&normed, (size_t)8 << 30);
    struct rk_patrol_scanner *s = NULL;
    struct rk_patrol_text t;
    rk_patrol_text_init(&t);
    int rc = 1;
    if (read_all(path, &in) != 0 || rk_patrol_scanner_create(d, &s) != RK_OK)
        goto out;
    double mb = (double)in.len / 1e6;
    size_t findings = 0, lines = 0;

    double t0 = now();
    FOR_EACH_LINE(in.data, in.len, line, len, {
        struct rk_patrol_record r = {line, len, 0};
        if (rk_patrol_scan(s, &r, 1) != RK_OK)
            goto out;
        const struct rk_patrol_finding *f;
        findings += rk_patrol_scanner_findings(s, &f);
        lines++;
    });
    double t_both = now() - t0;

    t0 = now();
    FOR_EACH_LINE(in.data, in.len, line, len, {
        if (rk_patrol_normalise(n, line, len, &t) != RK_OK ||
            rk_buf_add(&normed, t.data, t.len) != RK_OK || rk_buf_addc(&normed, '\n') != RK_OK)
            goto out;
    });
    double t_norm = now() - t0;

    size_t findings2 = 0;
    t0 = now();
    FOR_EACH_LINE(normed.data, normed.len, line, len, {
        if (rk_patrol_scan_normalised(s, line, len) != RK_OK)
            goto out;
        const struct rk_patrol_finding *f;
        findings2 += rk_patrol_scanner_findings(s, &f);
    });
    double t_scan = now() - t0;

    /* The same scan with the prefilter switched off (engine internals), interleaved with a
     * second run with it on, so the two are compared under the same load. */
    double t_pre = 0, t_nopre = 0;
    hs_database_t *pre = d->pre_db;
    for (int off = 0; off < 2; off++) {
        d->pre_db = off ? NULL : pre;
        t0 = now();
        FOR_EACH_LINE(normed.data, normed.len, line, len, {
            if (rk_patrol_scan_normalised(s, line, len) != RK_OK) {
                d->pre_db = pre;
                goto out;
            }
        });
        *(off ? &t_nopre : &t_pre) = now() - t0;
    }
    d->pre_db = pre;

    /* Vectorscan alone: per line (as the scanner calls it), then one call over everything. */
    hs_scratch_t *scratch = NULL;
    size_t raw_hits = 0;
    if (hs_alloc_scratch(d->db, &scratch) != HS_SUCCESS)
        goto out;
    t0 = now();
    FOR_EACH_LINE(normed.data, normed.len, line, len, {
        if (len > 0)
            hs_scan(d->db, line, (unsigned)len, 0, scratch, count_match, &raw_hits);
    });
    double t_raw_lines = now() - t0;
    size_t raw_hits_whole = 0;
    t0 = now();
    for (size_t off = 0; off < normed.len; off += (size_t)1 << 30) {
        size_t l = normed.len - off < ((size_t)1 << 30) ? normed.len - off : (size_t)1 << 30;
        hs_scan(d->db, normed.data + off, (unsigned)l, 0, scratch, count_match, &raw_hits_whole);
    }
    double t_raw_whole = now() - t0;
    hs_free_scratch(scratch);

    printf("corpus_bytes %zu\nnormalised_bytes %zu\nlines %zu\npatterns %zu\n", in.len, normed.len,
           lines, rk_patrol_dict_pattern_count(d));
    printf("findings %zu\nfindings_scan_only %zu\n", findings, findings2);
    printf("norm_scan_mbps %.1f\nnorm_mbps %.1f\nscan_mbps %.1f\n", mb / t_both, mb / t_norm,
           (double)normed.len / 1e6 / t_scan);
    printf("scan_mbps_of_input %.1f\n", mb / t_scan);
    printf("scan_prefilter_on_off_mbps %.1f %.1f (back to back; the prefilter's gain %.2fx)\n",
           (double)normed.len / 1e6 / t_pre, (double)normed.len / 1e6 / t_nopre, t_nopre / t_pre);
    printf("vectorscan_per_line_mbps %.1f (%zu hits)\nvectorscan_one_call_mbps %.1f (%zu hits)\n",
           (double)normed.len / 1e6 / t_raw_lines, raw_hits, (double)normed.len / 1e6 / t_raw_whole,
           raw_hits_whole);
    rc = 0;
out:
    rk_patrol_text_free(&t);
    rk_patrol_scanner_destroy(s);
    rk_buf_free(&in);
    rk_buf_free(&normed);
    return rc;
}

static int normalise_file(struct rk_patrol_norm *n, const char *path, const char *outpath)
{
    struct rk_buf in;
    rk_buf_init(&in, (size_t)8 << 30);
    struct rk_patrol_text t;
    rk_patrol_text_init(&t);
    FILE *o = NULL;
    int rc = 1;
    if (read_all(path, &in) != 0 || (o = fopen(outpath, "wb")) == NULL)
        goto out;
    FOR_EACH_LINE(in.data, in.len, line, len, {
        if (rk_patrol_normalise(n, line, len, &t) != RK_OK)
            goto out;
        fwrite(t.data, 1, t.len, o);
        fputc('\n', o);
    });
    rc = 0;
out:
    if (o != NULL && fclose(o) != 0)
        rc = 1;
    rk_patrol_text_free(&t);
    rk_buf_free(&in);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: patrol_bench DICT_DIR bench CORPUS | normalise CORPUS OUT | "
                        "export-ere OUT\n");
        return 2;
    }
    struct rk_patrol_norm *n = NULL;
    struct rk_patrol_dict *d = NULL;
    char err[512];
    int rc = 1;
    double t0 = now();
    if (rk_patrol_norm_create(&n) != RK_OK || rk_patrol_dict_create(n, &d) != RK_OK)
        goto out;
    if (rk_patrol_dict_load_dir(d, argv[1], err, sizeof err) != RK_OK ||
        rk_patrol_dict_compile(d, err, sizeof err) != RK_OK) {
        fprintf(stderr, "patrol_bench: %s\n", err);
        goto out;
    }
    fprintf(stderr, "dictionary: %zu patterns compiled in %.2f s\n",
            rk_patrol_dict_pattern_count(d), now() - t0);
    if (strcmp(argv[2], "bench") == 0) {
        rc = bench(n, d, argv[3]);
    } else if (strcmp(argv[2], "normalise") == 0 && argc == 5) {
        rc = normalise_file(n, argv[3], argv[4]);
    } else if (strcmp(argv[2], "export-ere") == 0) {
        struct rk_buf b;
        rk_buf_init(&b, 0);
        FILE *o = fopen(argv[3], "wb");
        if (o != NULL && rk_patrol_dict_export_ere(d, &b) == RK_OK) {
            fwrite(b.data, 1, b.len, o);
            rc = 0;
        }
        if (o != NULL && fclose(o) != 0)
            rc = 1;
        rk_buf_free(&b);
    } else {
        fprintf(stderr, "patrol_bench: unknown mode %s\n", argv[2]);
        rc = 2;
    }
out:
    rk_patrol_dict_destroy(d);
    rk_patrol_norm_destroy(n);
    return rc;
}
