/*
 * Two builds of the sweep scanner side by side in one process (`make bench-sweeppair`, built
 * by bench/sweeppair/run, not by CMake). The base build's global symbols carry the prefix b_
 * (objcopy --redefine-syms). The log is read into memory once; each 1 MiB chunk (cut after a
 * newline, as the run layer cuts) is scanned by the base scanner and by this build's in turn,
 * the order swapped every chunk, each timed by the thread's CPU clock; with --cold the chunk is
 * flushed from the caches before each scan, as a freshly mapped input is. Printed: the sum over
 * the chunks of each one's best time over the passes, and new ÷ base. On a shared VM whose speed
 * moves from second to second this resolves a few per cent where whole runs of the binary do
 * not. Prints, never asserts.
 *
 * usage: sweeppair INDEX LOG PASSES [--cold]
 */
#include <renkei/alloc.h>
#include <renkei/parse.h>
#include <renkei/sweep.h>

#include <emmintrin.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../sweep-chunk-timing.h"

enum rk_status b_rk_sweep_index_open(const char *path, unsigned flags, struct rk_sweep_index **out,
                                     char *err, size_t errlen);
enum rk_status b_rk_sweep_scanner_create(const struct rk_sweep_index *ix,
                                         struct rk_sweep_scanner **out);
enum rk_status b_rk_sweep_scan(struct rk_sweep_scanner *s, const char *data, size_t len,
                               rk_sweep_hit_cb cb, void *user_data, uint64_t *lines);
void b_rk_sweep_scanner_destroy(struct rk_sweep_scanner *s);
void b_rk_sweep_index_close(struct rk_sweep_index *ix);

#define CHUNK      ((size_t)1 << 20)
#define MAX_CHUNKS 4096u
#define MAX_PASSES 50u

typedef enum rk_status (*scan_fn)(struct rk_sweep_scanner *, const char *, size_t, rk_sweep_hit_cb,
                                  void *, uint64_t *);

static double timed(scan_fn f, struct rk_sweep_scanner *s, const char *p, size_t n, int cold,
                    unsigned long *hits)
{
    if (cold)
        flush_lines(p, n);
    double t0 = cpu_ms();
    f(s, p, n, count_hit, hits, NULL);
    return cpu_ms() - t0;
}

int main(int argc, char **argv)
{
    int rc = 1;
    char *data = NULL;
    double *tb = NULL, *tn = NULL;
    struct rk_sweep_index *ixn = NULL, *ixb = NULL;
    struct rk_sweep_scanner *sn = NULL, *sb = NULL;
    FILE *f = NULL;
    uint64_t passes = 0;
    char err[256];
    if (argc < 4 || rk_parse_u64(argv[3], strlen(argv[3]), MAX_PASSES, &passes) != RK_OK ||
        passes == 0) {
        fprintf(stderr, "usage: sweeppair INDEX LOG PASSES(1-%u) [--cold]\n", MAX_PASSES);
        goto out;
    }
    int cold = argc > 4 && strcmp(argv[4], "--cold") == 0;
    if (rk_sweep_index_open(argv[1], RK_SWEEP_OPEN_NO_VERIFY, &ixn, err, sizeof err) != RK_OK ||
        b_rk_sweep_index_open(argv[1], RK_SWEEP_OPEN_NO_VERIFY, &ixb, err, sizeof err) != RK_OK) {
        fprintf(stderr, "sweeppair: %s: %s\n", argv[1], err);
        goto out;
    }
    f = fopen(argv[2], "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
        fprintf(stderr, "sweeppair: cannot read %s\n", argv[2]);
        goto out;
    }
    long len = ftell(f);
    if (len <= 0 || (size_t)len > CHUNK * MAX_CHUNKS || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "sweeppair: %s: empty or larger than %u MiB\n", argv[2], MAX_CHUNKS);
        goto out;
    }
    size_t n = (size_t)len;
    data = rk_malloc(n);
    tb = rk_calloc(MAX_CHUNKS * MAX_PASSES, sizeof *tb);
    tn = rk_calloc(MAX_CHUNKS * MAX_PASSES, sizeof *tn);
    if (data == NULL || tb == NULL || tn == NULL || fread(data, 1, n, f) != n) {
        fprintf(stderr, "sweeppair: cannot read %s\n", argv[2]);
        goto out;
    }
    if (rk_sweep_scanner_create(ixn, &sn) != RK_OK || b_rk_sweep_scanner_create(ixb, &sb) != RK_OK)
        goto out;
    unsigned long hb = 0, hn = 0;
    unsigned nc = 0, flip = 0;
    for (unsigned k = 0; k < passes; k++) {
        nc = 0;
        for (size_t o = 0; o < n; nc++) {
            size_t e = chunk_end(data, o, n, CHUNK);
            double *b = &tb[k * MAX_CHUNKS + nc], *w = &tn[k * MAX_CHUNKS + nc];
            if ((flip ^= 1) != 0) {
                *b = timed(b_rk_sweep_scan, sb, data + o, e - o, cold, &hb);
                *w = timed(rk_sweep_scan, sn, data + o, e - o, cold, &hn);
            } else {
                *w = timed(rk_sweep_scan, sn, data + o, e - o, cold, &hn);
                *b = timed(b_rk_sweep_scan, sb, data + o, e - o, cold, &hb);
            }
            o = e;
        }
    }
    double sum_b = 0, sum_n = 0;
    for (unsigned c = 0; c < nc; c++) {
        double xb = tb[c], xn = tn[c];
        for (unsigned k = 1; k < passes; k++) {
            if (tb[k * MAX_CHUNKS + c] < xb)
                xb = tb[k * MAX_CHUNKS + c];
            if (tn[k * MAX_CHUNKS + c] < xn)
                xn = tn[k * MAX_CHUNKS + c];
        }
        sum_b += xb;
        sum_n += xn;
    }
    double mib = (double)n / 1048576.0;
    printf("%s, %u chunks x %u passes%s: base %.1f ms (%.0f MiB/s), new %.1f ms (%.0f MiB/s), "
           "new / base %.4f; hits a pass %lu / %lu\n",
           argv[2], nc, (unsigned)passes, cold ? ", cold" : "", sum_b, mib / (sum_b / 1e3), sum_n,
           mib / (sum_n / 1e3), sum_n / sum_b, hb / passes, hn / passes);
    rc = hb == hn ? 0 : 2;
    if (rc != 0)
        fprintf(stderr, "sweeppair: the two builds found different numbers of hits\n");
out:
    if (f != NULL)
        fclose(f);
    rk_sweep_scanner_destroy(sn);
    b_rk_sweep_scanner_destroy(sb);
    rk_sweep_index_close(ixn);
    b_rk_sweep_index_close(ixb);
    rk_free(data);
    rk_free(tb);
    rk_free(tn);
    return rc;
}
