/*
 * Unit tests of the sweep index's metadata section (format version 4): hits carry the metadata
 * their indicator was added with, the first metadata of an indicator wins and equal strings are
 * stored once, an index without metadata is written as version 3, and a damaged metadata
 * section is refused with a message saying so (its header also when the body checksum is
 * skipped; damaged entries then only lose metadata, never a hit or a bound).
 */
#include "rk-test.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/sweep.h"
#include "sweep-int.h"

static const struct {
    const char *value, *meta; /* meta NULL: added without metadata */
} adds[] = {
    {"evil.example.net", "GREEN\tC2026-000001"},
    {"203.0.113.5", "AMBER\tC2026-000002,C2026-000003"},
    {"198.51.100.0/24", "GREEN\tC2026-000001"}, /* the same string as the first: stored once */
    {"other.example.org", NULL},
    {"EVIL.example.net", "RED\tC2026-000009"}, /* the same indicator again: the first wins */
    {"d41d8cd98f00b204e9800998ecf8427e", ""},
};

static const char sample[] = "GET http://a.evil.example.net/x from 203.0.113.5\n"
                             "198.51.100.77 other.example.org d41d8cd98f00b204e9800998ecf8427e\n";

/* "token>meta;" per hit ("-" for no metadata). */
static int collect(const struct rk_sweep_hit *h, void *ud)
{
    struct rk_buf *b = ud;
    rk_buf_addf(b, "%s>%s;", h->token, h->meta ? h->meta : "-");
    return 0;
}

static const char want_hits[] = "a.evil.example.net>GREEN\tC2026-000001;"
                                "203.0.113.5>AMBER\tC2026-000002,C2026-000003;"
                                "198.51.100.77>GREEN\tC2026-000001;"
                                "other.example.org>-;"
                                "d41d8cd98f00b204e9800998ecf8427e>;";

static struct rk_sweep_builder *builder(int with_meta)
{
    struct rk_sweep_builder *b = NULL;
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    for (size_t i = 0; i < RK_ARRAY_LEN(adds); i++) {
        const char *v = adds[i].value;
        if (with_meta && adds[i].meta != NULL)
            assert_int_equal(
                rk_sweep_builder_add_meta(b, RK_SWEEP_NONE, v, strlen(v), adds[i].meta), RK_OK);
        else
            assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_NONE, v, strlen(v)), RK_OK);
    }
    return b;
}

static void scan(const struct rk_sweep_index *ix, struct rk_buf *out)
{
    struct rk_sweep_scanner *s = NULL;
    assert_int_equal(rk_sweep_scanner_create(ix, &s), RK_OK);
    assert_int_equal(rk_sweep_scan(s, sample, sizeof sample - 1, collect, out, NULL), RK_OK);
    rk_sweep_scanner_destroy(s);
    rk_buf_addc(out, '\0');
}

static char path[256];

static uint32_t file_version(const char *p)
{
    struct rk__sw_header h;
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    assert_int_equal(fread(&h, sizeof h, 1, f), 1);
    fclose(f);
    return h.version;
}

static void test_meta_round_trip(void **state)
{
    (void)state;
    char err[256] = "";
    struct rk_sweep_builder *b = builder(1);
    snprintf(path, sizeof path, "/tmp/rk-sweep-meta-%ld.idx", (long)getpid());
    assert_int_equal(rk_sweep_builder_write(b, path, err, sizeof err), RK_OK);
    rk_sweep_builder_destroy(b);
    assert_int_equal(file_version(path), RK__SW_VERSION_META);
    struct rk_sweep_index *ix = NULL;
    assert_int_equal(rk_sweep_index_open(path, 0, &ix, err, sizeof err), RK_OK);
    assert_int_equal(rk_sweep_index_count(ix), 5);
    assert_int_equal(rk_sweep_index_meta_count(ix), 4);
    /* Header 40, 4 entries of 8, strings "GREEN\tC2026-000001\0" (19), "AMBER\t…\0" (32),
     * "RED\tC2026-000009\0" (17: stored when added, though its entry lost to the first) and
     * "\0" (1) = 69, rounded to 72. */
    assert_int_equal(rk_sweep_index_meta_size(ix), 40 + 32 + 72);
    struct rk_buf out;
    rk_buf_init(&out, 1 << 16);
    scan(ix, &out);
    assert_string_equal(out.data, want_hits);
    rk_buf_free(&out);
    rk_sweep_index_close(ix);

    /* The threaded driver carries the metadata through its hit records too. */
    assert_int_equal(rk_sweep_index_open(path, RK_SWEEP_OPEN_NO_VERIFY, &ix, err, sizeof err),
                     RK_OK);
    char in[300];
    snprintf(in, sizeof in, "%s.log", path);
    FILE *f = fopen(in, "wb");
    assert_non_null(f);
    fwrite(sample, 1, sizeof sample - 1, f);
    fclose(f);
    const char *paths[] = {in};
    struct rk_sweep_options opt = {.threads = 2};
    struct rk_sweep_stats st;
    rk_buf_init(&out, 1 << 16);
    assert_int_equal(rk_sweep_run(ix, paths, 1, &opt, collect, &out, &st), RK_OK);
    rk_buf_addc(&out, '\0');
    assert_string_equal(out.data, want_hits);
    rk_buf_free(&out);
    rk_sweep_index_close(ix);
    unlink(in);
    unlink(path);
}

static void test_without_meta_is_version_3(void **state)
{
    (void)state;
    char err[256] = "";
    struct rk_sweep_builder *b = builder(0);
    snprintf(path, sizeof path, "/tmp/rk-sweep-nometa-%ld.idx", (long)getpid());
    assert_int_equal(rk_sweep_builder_write(b, path, err, sizeof err), RK_OK);
    rk_sweep_builder_destroy(b);
    assert_int_equal(file_version(path), RK__SW_VERSION);
    struct rk_sweep_index *ix = NULL;
    assert_int_equal(rk_sweep_index_open(path, 0, &ix, err, sizeof err), RK_OK);
    assert_int_equal(rk_sweep_index_meta_count(ix), 0);
    assert_int_equal(rk_sweep_index_meta_size(ix), 0);
    struct rk_buf out;
    rk_buf_init(&out, 1 << 16);
    scan(ix, &out);
    assert_string_equal(out.data, "a.evil.example.net>-;203.0.113.5>-;198.51.100.77>-;"
                                  "other.example.org>-;d41d8cd98f00b204e9800998ecf8427e>-;");
    rk_buf_free(&out);
    rk_sweep_index_close(ix);
    unlink(path);

    /* In memory (renkei sweep --indicators) the metadata is there too. */
    b = builder(1);
    assert_int_equal(rk_sweep_builder_build(b, &ix), RK_OK);
    rk_sweep_builder_destroy(b);
    rk_buf_init(&out, 1 << 16);
    scan(ix, &out);
    assert_string_equal(out.data, want_hits);
    rk_buf_free(&out);
    rk_sweep_index_close(ix);
}

/* Damage at an offset from the start of the metadata section. */
static const struct {
    const char *name;
    long off;          /* from the section start; -1: cut the last 8 bytes */
    unsigned char val; /* byte written */
    const char *msg;   /* expected in the error of an open without the body checksum; NULL:
                          such an open succeeds (only the entries are damaged, which a verified
                          open checks and a lookup bounds-checks) */
    const char *hits;  /* with msg NULL: the hits of the sample through the damaged index */
} damages[] = {
    {"magic", 0, 'X', "metadata section is inconsistent", NULL},
    {"count", 8, 0x7f, "metadata section is inconsistent", NULL},
    {"last NUL", 40 + 32 + 68, 'x', "metadata section is inconsistent", NULL},
    {"truncated", -1, 0, "truncated", NULL},
    /* The first entry's record moved past all others: the search misses some entries. */
    {"entry order", 40 + 3, 0xff, NULL, NULL},
    /* The second entry's string offset outside the strings: that indicator has none. */
    {"string offset", 40 + 8 + 4 + 3, 0x7f, NULL, NULL},
};

static void test_damaged_meta(void **state)
{
    (void)state;
    char err[256] = "";
    struct rk_sweep_builder *b = builder(1);
    struct rk_sweep_index *good = NULL;
    snprintf(path, sizeof path, "/tmp/rk-sweep-dmeta-%ld.idx", (long)getpid());
    assert_int_equal(rk_sweep_builder_write(b, path, err, sizeof err), RK_OK);
    rk_sweep_builder_destroy(b);
    assert_int_equal(rk_sweep_index_open(path, 0, &good, err, sizeof err), RK_OK);
    size_t size = (size_t)rk_sweep_index_size(good);
    size_t meta_off = size - (size_t)rk_sweep_index_meta_size(good);
    uint8_t *img = rk_malloc(size);
    FILE *f = fopen(path, "rb");
    assert_int_equal(fread(img, 1, size, f), size);
    fclose(f);
    rk_sweep_index_close(good);
    unlink(path);
    for (size_t i = 0; i < RK_ARRAY_LEN(damages); i++) {
        uint8_t *copy = rk_malloc(size);
        memcpy(copy, img, size);
        size_t n = size;
        if (damages[i].off < 0)
            n -= 8;
        else
            copy[meta_off + (size_t)damages[i].off] = damages[i].val;
        struct rk_sweep_index *ix = NULL;
        err[0] = '\0';
        f = fopen(path, "wb");
        fwrite(copy, 1, n, f);
        fclose(f);
        /* Verified: the checksum (or the structure) refuses every damage. */
        assert_int_equal(rk_sweep_index_open(path, 0, &ix, err, sizeof err), RK_ECORRUPT);
        assert_null(ix);
        /* Without the checksum the structure checks alone must catch a damaged header, and a
         * damaged entry must stay harmless. */
        enum rk_status rc =
            rk_sweep_index_open(path, RK_SWEEP_OPEN_NO_VERIFY, &ix, err, sizeof err);
        if (damages[i].msg != NULL) {
            if (rc != RK_ECORRUPT || strstr(err, damages[i].msg) == NULL)
                fail_msg("%s: rc %d, '%s'", damages[i].name, rc, err);
            assert_null(ix);
        } else {
            if (rc != RK_OK)
                fail_msg("%s: rc %d, '%s'", damages[i].name, rc, err);
            struct rk_buf out;
            rk_buf_init(&out, 1 << 16);
            scan(ix, &out);
            /* Every hit is still reported; only metadata may be missing. */
            assert_non_null(strstr(out.data, "a.evil.example.net>"));
            assert_non_null(strstr(out.data, "d41d8cd98f00b204e9800998ecf8427e>"));
            assert_string_not_equal(out.data, want_hits);
            rk_buf_free(&out);
            rk_sweep_index_close(ix);
        }
        unlink(path);
        rk_free(copy);
    }
    rk_free(img);
}

static void test_meta_limits(void **state)
{
    (void)state;
    struct rk_sweep_builder *b = NULL;
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    char *big = rk_malloc(RK_MAX_SWEEP_META + 2);
    memset(big, 'a', RK_MAX_SWEEP_META + 1);
    big[RK_MAX_SWEEP_META + 1] = '\0';
    assert_int_equal(rk_sweep_builder_add_meta(b, RK_SWEEP_NONE, "1.2.3.4", 7, big), RK_ETOOBIG);
    big[RK_MAX_SWEEP_META] = '\0';
    assert_int_equal(rk_sweep_builder_add_meta(b, RK_SWEEP_NONE, "1.2.3.4", 7, big), RK_OK);
    assert_int_equal(rk_sweep_builder_add_meta(b, RK_SWEEP_NONE, "not an indicator", 16, "x"),
                     RK_EINVAL);
    assert_int_equal(rk_sweep_builder_count(b), 1);
    rk_free(big);
    rk_sweep_builder_destroy(b);
}

/* Metadata follows its indicator when repeated records are dropped and the records after them
 * move: a record first added without metadata takes the first it is given later, a repeat
 * given other metadata loses, and counting on the way changes nothing. */
static void test_meta_after_duplicates(void **state)
{
    (void)state;
    static const struct {
        const char *value, *meta; /* meta NULL: rk_sweep_builder_add() */
        int count_after;
    } seq[] = {
        {"203.0.113.5", NULL, 0},
        {"evil.example.net", "E1", 0},
        {"203.0.113.5", NULL, 1}, /* a repeat, dropped at this count */
        {"other.example.org", NULL, 0},
        {"203.0.113.5", "A1", 0}, /* the first metadata of 203.0.113.5 */
        {"EVIL.example.net", "E2", 0},
        {"198.51.100.0/24", "C1", 1},
        {"203.0.113.5", "A2", 0},
        {"other.example.org", "O1", 0},
        {"d41d8cd98f00b204e9800998ecf8427e", "H1", 0},
    };
    static const char want[] = "a.evil.example.net>E1;203.0.113.5>A1;198.51.100.77>C1;"
                               "other.example.org>O1;d41d8cd98f00b204e9800998ecf8427e>H1;";
    for (int counted = 0; counted < 2; counted++) {
        struct rk_sweep_builder *b = NULL;
        struct rk_sweep_index *ix = NULL;
        struct rk_buf out;
        rk_buf_init(&out, 0);
        assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
        for (size_t i = 0; i < RK_ARRAY_LEN(seq); i++) {
            const char *v = seq[i].value;
            if (seq[i].meta != NULL)
                assert_int_equal(
                    rk_sweep_builder_add_meta(b, RK_SWEEP_NONE, v, strlen(v), seq[i].meta), RK_OK);
            else
                assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_NONE, v, strlen(v)), RK_OK);
            if (counted && seq[i].count_after)
                (void)rk_sweep_builder_count(b);
        }
        assert_int_equal(rk_sweep_builder_count(b), 5);
        assert_int_equal(rk_sweep_builder_build(b, &ix), RK_OK);
        assert_int_equal(rk_sweep_index_meta_count(ix), 5);
        scan(ix, &out);
        assert_string_equal(out.data, want);
        rk_buf_free(&out);
        rk_sweep_index_close(ix);
        rk_sweep_builder_destroy(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta_round_trip),
        cmocka_unit_test(test_without_meta_is_version_3),
        cmocka_unit_test(test_damaged_meta),
        cmocka_unit_test(test_meta_limits),
        cmocka_unit_test(test_meta_after_duplicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
