/*
 * sweep_pgo_train: the training run of the sweep engine's profile-guided build
 * (docs/internals/build.md, "The sweep engine's PGO build").
 *
 *   sweep_pgo_train INDICATORS INDEX-OUT LOG...
 *
 * Linked against the instrumented copy of rk_sweep (rk_sweep_pgogen). It does what a user's
 * `renkei sweep compile` and `renkei sweep` do, through the same public API: loads the
 * indicator file, builds and writes the index, opens it with the full checksum, then sweeps
 * every log on each block path this CPU has (AVX-512, AVX2, SSE2: separate functions, each
 * needs its own profile) on one thread, and once more on two threads for the run layer's ring.
 * The inputs are made at build time by bench/sweep/gen.py with a seed of its own, never the
 * benchmark's files.
 *
 * Exits 0 only when every sweep found at least one hit and all of them found the same number:
 * a training run that matches nothing would leave the hit paths cold, and a disagreement
 * between paths is a bug the build should not bake into a profile.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "renkei/status.h"
#include "renkei/sweep.h"

/* Touches what a real hit consumer reads (the CLI formats every field), so the hit path's
 * loads are trained as they run in `renkei sweep --json`. */
static int on_hit(const struct rk_sweep_hit *hit, void *user_data)
{
    uint64_t *sum = user_data;
    *sum += hit->line + hit->offset + strlen(hit->token) + strlen(hit->indicator) + hit->line_len +
            (uint64_t)hit->type;
    return 0;
}

static enum rk_status load_indicators(struct rk_sweep_builder *b, const char *path)
{
    enum rk_status rc = RK_EIO;
    char err[256] = "";
    void *m = MAP_FAILED;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) {
        fprintf(stderr, "sweep_pgo_train: cannot read %s\n", path);
        goto out;
    }
    m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
        fprintf(stderr, "sweep_pgo_train: cannot map %s\n", path);
        goto out;
    }
    rc = rk_sweep_builder_load(b, RK_SWEEP_FMT_AUTO, m, (size_t)st.st_size, NULL, err, sizeof err);
    if (rc != RK_OK)
        fprintf(stderr, "sweep_pgo_train: %s: %s %s\n", path, rk_strerror(rc), err);
out:
    if (m != MAP_FAILED)
        munmap(m, (size_t)st.st_size);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* One sweep of every log; `*hits` receives the hit count. */
static enum rk_status sweep_all(const struct rk_sweep_index *ix, const char *const *logs,
                                size_t nlogs, unsigned threads, uint64_t *hits)
{
    struct rk_sweep_options opt = {0};
    struct rk_sweep_stats stats = {0};
    uint64_t sum = 0;
    opt.threads = threads;
    enum rk_status rc = rk_sweep_run(ix, logs, nlogs, &opt, on_hit, &sum, &stats);
    *hits = stats.hits;
    if (rc == RK_OK && stats.files != nlogs) {
        fprintf(stderr, "sweep_pgo_train: %llu of %zu logs read\n", (unsigned long long)stats.files,
                nlogs);
        rc = RK_EIO;
    }
    return rc;
}

int main(int argc, char **argv)
{
    /* The block paths from the widest down: the scanner reads these at creation. */
    static const struct {
        const char *name;
        int no_avx512, no_avx2;
    } paths[] = {{"default", 0, 0}, {"avx2", 1, 0}, {"sse2", 1, 1}};
    int status = 1;
    char err[256] = "";
    struct rk_sweep_builder *b = NULL;
    struct rk_sweep_index *ix = NULL;
    uint64_t first = 0;

    if (argc < 4) {
        fprintf(stderr, "usage: sweep_pgo_train INDICATORS INDEX-OUT LOG...\n");
        return 2;
    }
    const char *const *logs = (const char *const *)argv + 3;
    size_t nlogs = (size_t)argc - 3;

    enum rk_status rc = rk_sweep_builder_create(&b);
    if (rc == RK_OK)
        rc = load_indicators(b, argv[1]);
    if (rc == RK_OK && rk_sweep_builder_count(b) == 0) {
        fprintf(stderr, "sweep_pgo_train: no indicators in %s\n", argv[1]);
        goto out;
    }
    if (rc == RK_OK)
        rc = rk_sweep_builder_write(b, argv[2], err, sizeof err);
    if (rc == RK_OK)
        rc = rk_sweep_index_open(argv[2], 0, &ix, err, sizeof err);
    if (rc != RK_OK) {
        fprintf(stderr, "sweep_pgo_train: index: %s %s\n", rk_strerror(rc), err);
        goto out;
    }
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        uint64_t hits = 0;
        if (paths[i].no_avx512)
            setenv("RK_SWEEP_NO_AVX512", "1", 1);
        else
            unsetenv("RK_SWEEP_NO_AVX512");
        if (paths[i].no_avx2)
            setenv("RK_SWEEP_NO_AVX2", "1", 1);
        else
            unsetenv("RK_SWEEP_NO_AVX2");
        rc = sweep_all(ix, logs, nlogs, 1, &hits);
        if (rc == RK_OK && i == 0)
            first = hits;
        if (rc != RK_OK || hits == 0 || hits != first) {
            fprintf(stderr, "sweep_pgo_train: %s path: %s, %llu hits (first path %llu)\n",
                    paths[i].name, rk_strerror(rc), (unsigned long long)hits,
                    (unsigned long long)first);
            goto out;
        }
        printf("sweep_pgo_train: %s path: %llu hits\n", paths[i].name, (unsigned long long)hits);
    }
    unsetenv("RK_SWEEP_NO_AVX512");
    unsetenv("RK_SWEEP_NO_AVX2");
    uint64_t hits2 = 0;
    rc = sweep_all(ix, logs, nlogs, 2, &hits2);
    if (rc != RK_OK || hits2 != first) {
        fprintf(stderr, "sweep_pgo_train: two threads: %s, %llu hits\n", rk_strerror(rc),
                (unsigned long long)hits2);
        goto out;
    }
    status = 0;
out:
    rk_sweep_index_close(ix);
    rk_sweep_builder_destroy(b);
    return status;
}
