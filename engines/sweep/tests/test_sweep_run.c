/*
 * Unit tests of the sweep driver's input handling (sweep-run.c): a multi-chunk file gives the
 * planted hits, with their line numbers, byte offsets and whole lines, at thread counts 1 to 4 (the
 * end of a file is cut smaller for several workers; lines cross the nominal chunk ends; one line is
 * longer than a chunk); a file that shrinks while being swept is read on from where its
 * mapping fails, and reported; a file that cannot be mapped is read; the default thread count
 * follows the CPUs the process may run on, not the CPUs online.
 */
#include "rk-test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/limits.h"
#include "renkei/sweep.h"

static char tmpdir[256];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rk-sweep-run-test-%ld", (long)getpid());
    mkdir(tmpdir, 0700);
    return 0;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct rk_sweep_index *index_of(const char *feed)
{
    struct rk_sweep_builder *b = NULL;
    struct rk_sweep_index *ix = NULL;
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    assert_int_equal(rk_sweep_builder_load(b, RK_SWEEP_FMT_AUTO, feed, strlen(feed), NULL, NULL, 0),
                     RK_OK);
    assert_int_equal(rk_sweep_builder_build(b, &ix), RK_OK);
    rk_sweep_builder_destroy(b);
    return ix;
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* The log and, as the test wrote it, "line@offset:indicator/line length;" for every planted
 * hit ("*" for the length on the line longer than a chunk, which is necessarily cut). */
struct planted {
    struct rk_buf log;
    struct rk_buf expect;
    struct rk_buf line; /* the line being written */
    struct rk_buf hits; /* its hits, "@offset:indicator" each, '\n' between */
    uint64_t lineno;
};

/* Appends text to the current line; `ind` (may be NULL) is a hit at the text's end. */
static void add(struct planted *pl, const char *text, const char *ind)
{
    assert_int_equal(rk_buf_addf(&pl->line, "%s", text), RK_OK);
    if (ind != NULL) {
        assert_int_equal(rk_buf_addf(&pl->hits, "%llu:%s\n",
                                     (unsigned long long)(pl->log.len + pl->line.len), ind),
                         RK_OK);
        assert_int_equal(rk_buf_addf(&pl->line, "%s", ind), RK_OK);
    }
}

/* Ends the current line: its hits go to the expectation with the line's length. */
static void end_line(struct planted *pl, int known_len)
{
    char len[32];
    snprintf(len, sizeof len, "%zu", pl->line.len);
    for (size_t i = 0; i < pl->hits.len;) {
        const char *nl = memchr(pl->hits.data + i, '\n', pl->hits.len - i);
        assert_non_null(nl);
        assert_int_equal(rk_buf_addf(&pl->expect, "%llu@%.*s/%s;", (unsigned long long)pl->lineno,
                                     (int)(nl - (pl->hits.data + i)), pl->hits.data + i,
                                     known_len ? len : "*"),
                         RK_OK);
        i = (size_t)(nl - pl->hits.data) + 1;
    }
    assert_int_equal(rk_buf_add(&pl->log, pl->line.data, pl->line.len), RK_OK);
    assert_int_equal(rk_buf_add(&pl->log, "\n", 1), RK_OK);
    rk_buf_reset(&pl->line);
    rk_buf_reset(&pl->hits);
    pl->lineno++;
}

/* Filler words with no indicator in them (addresses in 192.0.2.0/24 and hosts not listed). */
static void add_filler(struct planted *pl, size_t n, unsigned seed)
{
    size_t end = pl->line.len + n;
    for (unsigned i = seed; pl->line.len < end; i++)
        assert_int_equal(rk_buf_addf(&pl->line, "w%u 192.0.2.%u ", i, i % 250), RK_OK);
}

#define GIANT_LINE 40001u

/* About 13 MiB of lines of 50–70 bytes, each with one hit, so that a chunk cut anywhere but
 * after a newline changes a hit's line; a 300 KiB line every 700th (so the chunk ends move)
 * with hits at its start and end; and one line of 5 MiB (longer than a chunk: cut between
 * words) with hits near its start, middle and end. */
static void make_log(struct planted *pl)
{
    rk_buf_init(&pl->log, 0);
    rk_buf_init(&pl->expect, 0);
    rk_buf_init(&pl->line, 0);
    rk_buf_init(&pl->hits, 0);
    pl->lineno = 1;
    for (unsigned i = 0; pl->log.len < 13u * 1024 * 1024; i++) {
        char pre[96];
        if (pl->lineno == GIANT_LINE) {
            add(pl, "giant ", "c2.test");
            add(pl, " ", NULL);
            add_filler(pl, 2500000, i);
            add(pl, "", "1.2.3.4");
            add(pl, " ", NULL);
            add_filler(pl, 2600000, i + 7);
            add(pl, " ", "c2.test");
            add(pl, " end", NULL);
            end_line(pl, 0);
        } else if (i % 700 == 699) {
            add(pl, "long ", "1.2.3.4");
            add(pl, " ", NULL);
            add_filler(pl, 300000, i);
            add(pl, "", "c2.test");
            end_line(pl, 1);
        } else {
            snprintf(pre, sizeof pre, "%u miss 192.0.2.%u www.example%u.com GET ", i, i % 250, i);
            add(pl, pre, i % 2 ? "c2.test" : "1.2.3.4");
            add(pl, i % 3 ? " 200 -" : " 404 - \"ua\"", NULL);
            end_line(pl, 1);
        }
    }
    pl->lineno--;
    rk_buf_free(&pl->line);
    rk_buf_free(&pl->hits);
}

struct run_out {
    struct rk_buf text;
    unsigned skips;
    char why[256];
    uint64_t cut_line;         /* a line longer than a chunk: its length is not compared */
    const char *truncate_path; /* truncated to truncate_at by the first hit's callback */
    off_t truncate_at;
};

static int collect(const struct rk_sweep_hit *h, void *ud)
{
    struct run_out *o = ud;
    if (o->truncate_path != NULL) {
        assert_int_equal(truncate(o->truncate_path, o->truncate_at), 0);
        o->truncate_path = NULL;
    }
    char len[32];
    snprintf(len, sizeof len, "%zu", h->line_len);
    assert_int_equal(rk_buf_addf(&o->text, "%llu@%llu:%s/%s;", (unsigned long long)h->line,
                                 (unsigned long long)h->offset, h->indicator,
                                 h->line == o->cut_line ? "*" : len),
                     RK_OK);
    return 0;
}

static void on_skip(const char *path, const char *why, void *ud)
{
    (void)path;
    struct run_out *o = ud;
    o->skips++;
    snprintf(o->why, sizeof o->why, "%s", why);
}

/* Compares the hits, naming the first difference (the strings are megabytes long). */
static void same_text(const char *got, const char *want, unsigned threads)
{
    size_t i = 0;
    while (got[i] != '\0' && got[i] == want[i])
        i++;
    if (got[i] != want[i]) {
        size_t from = i > 60 ? i - 60 : 0;
        print_message("threads %u, first difference at %zu:\n got  %.120s\n want %.120s\n", threads,
                      i, got + from, want + from);
        fail();
    }
}

static void test_threads_same_hits(void **state)
{
    (void)state;
    struct planted pl;
    char path[512];
    struct rk_sweep_index *ix = index_of("1.2.3.4\nc2.test\n");
    make_log(&pl);
    assert_true(pl.log.len > 3u * RK_MAX_SWEEP_CHUNK);
    snprintf(path, sizeof path, "%s/multi.log", tmpdir);
    write_file(path, pl.log.data, pl.log.len);
    const char *paths[] = {path};
    for (unsigned t = 1; t <= 4; t++) {
        struct run_out o = {0};
        struct rk_sweep_stats st;
        struct rk_sweep_options opt = {t, 0, on_skip, NULL};
        rk_buf_init(&o.text, 0);
        o.cut_line = GIANT_LINE;
        assert_int_equal(rk_sweep_run(ix, paths, 1, &opt, collect, &o, &st), RK_OK);
        same_text(o.text.data, pl.expect.data, t);
        assert_int_equal(st.bytes, pl.log.len);
        assert_int_equal(st.lines, pl.lineno);
        assert_int_equal(o.skips, 0);
        assert_int_equal(st.files_damaged, 0);
        rk_buf_free(&o.text);
    }
    rk_buf_free(&pl.log);
    rk_buf_free(&pl.expect);
    rk_sweep_index_close(ix);
}

/* A file cut short while it is swept: the chunks already handed out lie before the cut (one
 * thread: the ring holds four chunks when the first hit is emitted); the next chunk's mapping
 * fails, the rest is read, and the file is reported as damaged with the bytes swept. Without
 * the check of each chunk's pages the worker would take SIGBUS there. */
static void test_shrink_while_swept(void **state)
{
    (void)state;
    errno = 0;
    void *probe = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(probe != MAP_FAILED);
    int have = madvise(probe, 4096, MADV_POPULATE_READ) == 0;
    munmap(probe, 4096);
    if (!have)
        skip(); /* a kernel before 5.14: nothing protects the mapping there */
    struct rk_buf log, expect;
    char path[512];
    struct rk_sweep_index *ix = index_of("1.2.3.4\n");
    rk_buf_init(&log, 0);
    rk_buf_init(&expect, 0);
    size_t cut = 0;
    uint64_t line = 1;
    for (unsigned i = 0; log.len < 26u * 1024 * 1024; i++, line++) {
        if (cut == 0 && log.len >= 18u * 1024 * 1024)
            cut = log.len;
        if (i % 5000 == 0) {
            if (cut == 0)
                assert_int_equal(rk_buf_addf(&expect, "%llu@%llu:1.2.3.4/%d;",
                                             (unsigned long long)line,
                                             (unsigned long long)log.len + 4,
                                             snprintf(NULL, 0, "hit 1.2.3.4 %u", i)),
                                 RK_OK);
            assert_int_equal(rk_buf_addf(&log, "hit 1.2.3.4 %u\n", i), RK_OK);
        } else {
            assert_int_equal(
                rk_buf_addf(&log, "%u miss 192.0.2.%u www.example%u.com and more filler text\n", i,
                            i % 250, i),
                RK_OK);
        }
    }
    snprintf(path, sizeof path, "%s/shrink.log", tmpdir);
    write_file(path, log.data, log.len);
    const char *paths[] = {path};
    struct run_out o = {0};
    struct rk_sweep_stats st;
    struct rk_sweep_options opt = {1, 0, on_skip, NULL};
    rk_buf_init(&o.text, 0);
    o.truncate_path = path;
    o.truncate_at = (off_t)cut;
    assert_int_equal(rk_sweep_run(ix, paths, 1, &opt, collect, &o, &st), RK_OK);
    assert_string_equal(o.text.data, expect.data);
    assert_int_equal(st.bytes, cut);
    assert_int_equal(st.files_damaged, 1);
    assert_int_equal(o.skips, 1);
    char want[160];
    snprintf(want, sizeof want,
             "file shrank while being swept; its first %zu of %zu bytes "
             "were swept",
             cut, log.len);
    assert_string_equal(o.why, want);
    rk_buf_free(&o.text);
    rk_buf_free(&log);
    rk_buf_free(&expect);
    rk_sweep_index_close(ix);
}

/* A kernel that refuses MADV_POPULATE_READ (before 5.14: EINVAL), made in a child process by a
 * seccomp filter: the chunks are scanned through the scanners' own page faults, with the same
 * hits and nothing reported (a refusal that dropped the rest of the file fails it: tried). */
static void test_populate_refused(void **state)
{
    (void)state;
    struct planted pl;
    char path[512];
    struct rk_sweep_index *ix = index_of("1.2.3.4\nc2.test\n");
    make_log(&pl);
    snprintf(path, sizeof path, "%s/refused.log", tmpdir);
    write_file(path, pl.log.data, pl.log.len);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct sock_filter f[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_madvise, 0, 3),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MADV_POPULATE_READ, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EINVAL & SECCOMP_RET_DATA)),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {(unsigned short)(sizeof f / sizeof f[0]), f};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
            _exit(77); /* no seccomp here (a sandbox): skipped, said below */
        void *probe = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (probe == MAP_FAILED || madvise(probe, 4096, MADV_POPULATE_READ) == 0 || errno != EINVAL)
            _exit(3); /* the filter does not refuse it: nothing would be tested */
        const char *paths[] = {path};
        struct run_out o = {0};
        struct rk_sweep_stats st;
        struct rk_sweep_options opt = {2, 0, on_skip, NULL};
        rk_buf_init(&o.text, 0);
        o.cut_line = GIANT_LINE;
        if (rk_sweep_run(ix, paths, 1, &opt, collect, &o, &st) != RK_OK)
            _exit(4);
        if (o.text.data == NULL || strcmp(o.text.data, pl.expect.data) != 0)
            _exit(5);
        if (st.bytes != pl.log.len || st.lines != pl.lineno || o.skips != 0 ||
            st.files_damaged != 0)
            _exit(6);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    rk_buf_free(&pl.log);
    rk_buf_free(&pl.expect);
    rk_sweep_index_close(ix);
    if (WEXITSTATUS(status) == 77) {
        print_message("seccomp filters are not allowed here: test_populate_refused skipped\n");
        skip();
    }
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* A regular file that cannot be mapped (a sysfs attribute: 4096 bytes by stat, mmap refused) is
 * read instead; what it holds is swept and nothing is reported. */
static void test_unmappable_file_read(void **state)
{
    (void)state;
    static const char attr[] = "/sys/kernel/mm/transparent_hugepage/enabled";
    int fd = open(attr, O_RDONLY);
    if (fd < 0)
        skip();
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m != MAP_FAILED) {
        munmap(m, 4096);
        skip(); /* this kernel maps it: not the case under test */
    }
    assert_true(n > 0);
    struct rk_sweep_index *ix = index_of("1.2.3.4\n");
    const char *paths[] = {attr};
    struct run_out o = {0};
    struct rk_sweep_stats st;
    struct rk_sweep_options opt = {2, 0, on_skip, NULL};
    rk_buf_init(&o.text, 0);
    assert_int_equal(rk_sweep_run(ix, paths, 1, &opt, collect, &o, &st), RK_OK);
    assert_int_equal(st.files, 1);
    assert_int_equal(st.bytes, (uint64_t)n);
    assert_int_equal(st.lines, 1);
    assert_int_equal(st.files_damaged, 0);
    assert_int_equal(o.skips, 0);
    rk_buf_free(&o.text);
    rk_sweep_index_close(ix);
}

/* The threads of this process, counted in /proc/self/task. */
static int task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    if (d == NULL)
        return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* The most threads seen by the hit callback (the workers are all alive while it runs). */
static int count_tasks(const struct rk_sweep_hit *h, void *ud)
{
    (void)h;
    int *most = ud, n = task_count();
    if (n > *most)
        *most = n;
    return 0;
}

/* `threads` 0 ("one per CPU") under an affinity of one CPU, as `taskset -c N` sets it, in a
 * child process: one worker and the calling thread, not a worker per CPU online (two workers
 * taking turns on one CPU; it failed that way with sysconf(_SC_NPROCESSORS_ONLN): tried). */
static void test_default_threads_follow_affinity(void **state)
{
    (void)state;
    cpu_set_t all;
    CPU_ZERO(&all);
    assert_int_equal(sched_getaffinity(0, sizeof all, &all), 0);
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || CPU_COUNT(&all) < 2)
        skip(); /* one CPU: the two counts agree, nothing to tell apart */
    struct rk_buf log;
    char path[512];
    struct rk_sweep_index *ix = index_of("1.2.3.4\n");
    rk_buf_init(&log, 0);
    for (unsigned i = 0; log.len < 3u * RK_MAX_SWEEP_CHUNK; i++)
        assert_int_equal(rk_buf_addf(&log, "%u hit 1.2.3.4 and some filler text\n", i), RK_OK);
    snprintf(path, sizeof path, "%s/affinity.log", tmpdir);
    write_file(path, log.data, log.len);
    rk_buf_free(&log);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        cpu_set_t one;
        int first = 0;
        while (!CPU_ISSET(first, &all))
            first++;
        CPU_ZERO(&one);
        CPU_SET(first, &one);
        if (sched_setaffinity(0, sizeof one, &one) != 0)
            _exit(77);
        const char *paths[] = {path};
        struct rk_sweep_stats st;
        struct rk_sweep_options opt = {0, 0, NULL, NULL};
        int most = 0;
        if (task_count() != 1)
            _exit(3); /* a fork has the calling thread alone */
        if (rk_sweep_run(ix, paths, 1, &opt, count_tasks, &most, &st) != RK_OK || st.hits == 0)
            _exit(4);
        _exit(most == 2 ? 0 : 10 + most); /* the calling thread and one worker */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    rk_sweep_index_close(ix);
    if (WEXITSTATUS(status) == 77) {
        print_message("the affinity cannot be set here: test_default_threads_follow_affinity "
                      "skipped\n");
        skip();
    }
    if (WEXITSTATUS(status) >= 10)
        print_message("threads seen during the sweep: %d (want 2)\n", WEXITSTATUS(status) - 10);
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_same_hits),
        cmocka_unit_test(test_shrink_while_swept),
        cmocka_unit_test(test_populate_refused),
        cmocka_unit_test(test_unmappable_file_read),
        cmocka_unit_test(test_default_threads_follow_affinity),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
