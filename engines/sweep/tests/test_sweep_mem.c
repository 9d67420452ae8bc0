/*
 * Unit tests of where an opened index lies in memory (sweep-int.h, "Where the index lies in
 * memory"): the copy of the hot sections (IPv4 prefilter, key prefilter, CIDR bitmap) into
 * huge-page memory holds the same bytes as the file and finds the same hits; when the copy
 * cannot be made the open falls back to the mapping without a word; the huge-page census of a
 * range counts only what is mapped huge.
 */
#include "rk-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/sweep.h"
#include "sweep-int.h"

/* Every kind of key the hot sections hold: IPv4 addresses (IPv4 prefilter and key prefilter),
 * ranges (CIDR bitmap), domains (last two labels) and URLs (their hosts). */
static const char feed[] = "203.0.113.5\n"
                           "192.0.2.77\n"
                           "198.51.100.0/24\n"
                           "10.20.0.0/16\n"
                           "evil.example.net\n"
                           "bad.example.co.jp\n"
                           "http://phish.example.org/login\n";

/* Inputs and the hits each must give, whichever memory the sections are read from. */
static const struct {
    const char *text, *expect;
} scans[] = {
    {"from 203.0.113.5 to 192.0.2.78\n", "1:203.0.113.5;"},
    {"198.51.100.200 10.20.255.1 10.21.0.1\n", "1:198.51.100.200;1:10.20.255.1;"},
    {"a.evil.example.net example.net x.bad.example.co.jp\n",
     "1:a.evil.example.net;1:x.bad.example.co.jp;"},
    {"GET http://phish.example.org/login HTTP/1.1\n", "1:http://phish.example.org/login;"},
    {"nothing 192.0.2.76 good.example.org\n", ""},
};

static char dir[256], path[512];

static int setup(void **state)
{
    (void)state;
    struct rk_sweep_builder *b = NULL;
    char err[256];
    snprintf(dir, sizeof dir, "/tmp/rk-sweep-mem-%ld", (long)getpid());
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/hot.idx", dir);
    if (rk_sweep_builder_create(&b) != RK_OK ||
        rk_sweep_builder_load(b, RK_SWEEP_FMT_PLAIN, feed, strlen(feed), NULL, NULL, 0) != RK_OK ||
        rk_sweep_builder_write(b, path, err, sizeof err) != RK_OK)
        return -1;
    rk_sweep_builder_destroy(b);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

static int collect(const struct rk_sweep_hit *h, void *ud)
{
    rk_buf_addf(ud, "%llu:%s;", (unsigned long long)h->line, h->token);
    return 0;
}

/* 0 when every input of `scans` gives its hits with ix. */
static int scans_ok(const struct rk_sweep_index *ix)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof scans / sizeof scans[0]; i++) {
        struct rk_sweep_scanner *s = NULL;
        struct rk_buf out;
        rk_buf_init(&out, 0);
        if (rk_sweep_scanner_create(ix, &s) != RK_OK)
            return -1;
        rk_sweep_scan(s, scans[i].text, strlen(scans[i].text), collect, &out, NULL);
        if (strcmp(out.data ? out.data : "", scans[i].expect) != 0) {
            fprintf(stderr, "scan %zu: expected \"%s\", got \"%s\"\n", i, scans[i].expect,
                    out.data ? out.data : "");
            bad = 1;
        }
        rk_sweep_scanner_destroy(s);
        rk_buf_free(&out);
    }
    return bad;
}

static const uint8_t *map_end(const struct rk_sweep_index *ix)
{
    return (const uint8_t *)ix->map + ix->size;
}

static int in_map(const struct rk_sweep_index *ix, const void *p)
{
    return (const uint8_t *)p >= (const uint8_t *)ix->map && (const uint8_t *)p < map_end(ix);
}

static void test_copy_same_bytes(void **state)
{
    (void)state;
    char err[256];
    static const unsigned flags[] = {0, RK_SWEEP_OPEN_NO_VERIFY};
    for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
        struct rk_sweep_index *ix = NULL;
        setenv("RK_SWEEP_HOT_COPY", "1", 1);
        assert_int_equal(rk_sweep_index_open(path, flags[f], &ix, err, sizeof err), RK_OK);
        unsetenv("RK_SWEEP_HOT_COPY");
        const struct rk__sw_header *h = ix->h;
        assert_non_null(ix->hot_map);
        assert_false(in_map(ix, ix->ip4f));
        assert_false(in_map(ix, ix->pf));
        assert_false(in_map(ix, ix->c4f));
        /* The same bytes as the file's sections. */
        assert_memory_equal(ix->ip4f, ix->base + h->ip4_filter_off,
                            ((size_t)1 << h->ip4_filter_bits) / 8);
        assert_memory_equal(ix->pf, ix->base + h->pf_off,
                            (size_t)rk__sw_pf_size(h->pf_lines, h->pf_cidr4_bits));
        assert_ptr_equal(ix->c4f, ix->pf + 8 * (uint64_t)h->pf_lines);
        /* The copy starts on a 2 MiB boundary (the image's 64-byte line alignment kept). */
        uintptr_t start = (uintptr_t)ix->ip4f - (h->ip4_filter_off - (h->ip4_filter_off & ~63ull));
        assert_int_equal(start % ((uintptr_t)1 << 21), 0);
        assert_int_equal((uintptr_t)ix->pf % 64, 0);
        /* The table and the records stay in the mapping. */
        assert_true(in_map(ix, ix->slots));
        assert_true(in_map(ix, ix->rec));
        assert_int_equal(scans_ok(ix), 0);
        rk_sweep_index_close(ix);
    }
}

static void test_no_copy_small_or_off(void **state)
{
    (void)state;
    char err[256];
    static const char *const env[] = {NULL, "0"}; /* default (a small index), turned off */
    for (size_t i = 0; i < sizeof env / sizeof env[0]; i++) {
        struct rk_sweep_index *ix = NULL;
        if (env[i] != NULL)
            setenv("RK_SWEEP_HOT_COPY", env[i], 1);
        assert_int_equal(rk_sweep_index_open(path, 0, &ix, err, sizeof err), RK_OK);
        unsetenv("RK_SWEEP_HOT_COPY");
        assert_null(ix->hot_map);
        assert_ptr_equal(ix->ip4f, ix->base + ix->h->ip4_filter_off);
        assert_ptr_equal(ix->pf, ix->base + ix->h->pf_off);
        assert_int_equal(scans_ok(ix), 0);
        rk_sweep_index_close(ix);
    }
}

/* Kilobytes of address space the process has mapped (VmSize). */
static long vm_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmSize: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/* The copy's anonymous mapping (4 MiB and more) cannot be made: the address space is capped
 * just above what the open and the scans need. The open must succeed on the mapping. */
static void test_copy_fails_falls_back(void **state)
{
    (void)state;
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    /* Warm what the child needs before the cap (the scanner's allocation, stdio). */
    char err[256];
    struct rk_sweep_index *warm = NULL;
    assert_int_equal(rk_sweep_index_open(path, 0, &warm, err, sizeof err), RK_OK);
    assert_int_equal(scans_ok(warm), 0);
    rk_sweep_index_close(warm);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        long kb = vm_kb();
        if (kb < 0)
            _exit(3);
        /* Room for the file's mapping and 1 MiB more: not for 4 MiB of copy. */
        rlim_t cap = (rlim_t)kb * 1024 + (rlim_t)st.st_size + ((rlim_t)1 << 20);
        struct rlimit rl = {cap, cap};
        if (setrlimit(RLIMIT_AS, &rl) != 0)
            _exit(4);
        /* The cap does what it should: a mapping of the copy's size fails. */
        void *probe =
            mmap(NULL, (size_t)4 << 21, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (probe != MAP_FAILED)
            _exit(5);
        struct rk_sweep_index *ix = NULL;
        setenv("RK_SWEEP_HOT_COPY", "1", 1);
        if (rk_sweep_index_open(path, 0, &ix, err, sizeof err) != RK_OK)
            _exit(6);
        if (ix->hot_map != NULL || ix->ip4f != (const void *)(ix->base + ix->h->ip4_filter_off) ||
            ix->pf != (const void *)(ix->base + ix->h->pf_off))
            _exit(7);
        if (scans_ok(ix) != 0)
            _exit(8);
        rk_sweep_index_close(ix);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* rk__sw_huge_bytes: pages not present and pages in 4 KiB entries are not counted; a range in
 * huge pages (when the kernel gives them) is. -1 only when the kernel cannot answer. */
static void test_huge_census(void **state)
{
    (void)state;
    const size_t huge = (size_t)1 << 21, n = 2 * huge;
    uint8_t *m = mmap(NULL, n + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(m != MAP_FAILED);
    uint8_t *a = (uint8_t *)(((uintptr_t)m + huge - 1) & ~(uintptr_t)(huge - 1));
    long long k = rk__sw_huge_bytes(a, n);
    if (k == -1) { /* before Linux 6.7: the open then copies whenever it may */
        munmap(m, n + huge);
        skip();
    }
    assert_int_equal(k, 0); /* nothing present */
    assert_int_equal(madvise(a, n, MADV_NOHUGEPAGE), 0);
    memset(a, 1, n);
    assert_int_equal(rk__sw_huge_bytes(a, n), 0); /* present, 4 KiB */
    assert_int_equal(munmap(m, n + huge), 0);
    m = mmap(NULL, n + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(m != MAP_FAILED);
    a = (uint8_t *)(((uintptr_t)m + huge - 1) & ~(uintptr_t)(huge - 1));
    if (madvise(a, n, MADV_HUGEPAGE) == 0) {
        memset(a, 1, n);
        k = rk__sw_huge_bytes(a, n);
        /* Whole 2 MiB pages or none (THP may be off or memory fragmented). */
        assert_true(k >= 0 && k <= (long long)n && k % (long long)huge == 0);
        /* A range that starts inside a huge page counts its part of it. */
        long long k2 = rk__sw_huge_bytes(a + 4096, huge - 4096);
        assert_true(k2 == 0 || k2 == (long long)(huge - 4096));
    }
    assert_int_equal(munmap(m, n + huge), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_same_bytes),
        cmocka_unit_test(test_no_copy_small_or_off),
        cmocka_unit_test(test_copy_fails_falls_back),
        cmocka_unit_test(test_huge_census),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
