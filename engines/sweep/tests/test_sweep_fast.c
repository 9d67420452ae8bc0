/*
 * Unit tests of the sweep engine's build speed work (docs/sweep.md, "Index build"): the index
 * is a function of the keys added, in their order, only: the same bytes whatever was reserved,
 * whether the table was made on the way (rk_sweep_builder_count()) or once at the end, and
 * whether a large list was read by one thread or two (with duplicates, rejected values and
 * keys of every length up to the limit); duplicates leave no record behind.
 */
#include "rk-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/sweep.h"
#include "sweep-int.h"

/* A small deterministic generator (xorshift64): the same values on every run. */
static uint64_t next_rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Writes the i-th test value (every kind, some invalid, some long) into out; returns its
 * length. Values repeat every `distinct` steps, so that a set holds duplicates. */
static size_t value_of(uint64_t i, uint64_t distinct, char *out, size_t cap)
{
    uint64_t x = (i % distinct) * 0x9e3779b97f4a7c15ull + 1;
    uint64_t r = next_rand(&x);
    int n = 0;
    switch (r % 9) {
    case 0:
        n = snprintf(out, cap, "%u.%u.%u.%u", (unsigned)(r >> 8) % 90 + 10,
                     (unsigned)(r >> 16) & 255, (unsigned)(r >> 24) & 255,
                     (unsigned)(r >> 32) % 254 + 1);
        break;
    case 1:
        n = snprintf(out, cap, "%u.%u.%u.0/%u", (unsigned)(r >> 8) % 10 + 100,
                     (unsigned)(r >> 16) & 255, (unsigned)(r >> 24) & 255,
                     22 + (unsigned)(r >> 40) % 3 * 2);
        break;
    case 2:
        n = snprintf(out, cap, "%llxd%llx.example.test", (unsigned long long)(r >> 20),
                     (unsigned long long)(r & 0xfff));
        break;
    case 3:
        n = snprintf(out, cap, "http://h%llx.example.jp/p/%llx", (unsigned long long)(r >> 30),
                     (unsigned long long)r);
        break;
    case 4:
        n = snprintf(out, cap, "%016llx%016llx", (unsigned long long)r,
                     (unsigned long long)next_rand(&x));
        break;
    case 5:
        n = snprintf(out, cap, "u%llx@mail%u.example.net", (unsigned long long)(r >> 24),
                     (unsigned)r & 7);
        break;
    case 6:
        n = snprintf(out, cap, "2001:db8:%x::%x", (unsigned)(r >> 16) & 0xffff,
                     (unsigned)(r >> 40) & 0xffff);
        break;
    case 7: { /* a URL close to the indicator length limit: keys of every size */
        size_t len = RK_MAX_SWEEP_INDICATOR - 64 + (size_t)(r % 60);
        n = snprintf(out, cap, "https://long%llx.example.com/", (unsigned long long)(r >> 32));
        while ((size_t)n < len && (size_t)n + 1 < cap) {
            out[n] = (char)('a' + (r >> (n % 50)) % 26);
            n++;
        }
        out[n] = '\0';
        break;
    }
    default:
        n = snprintf(out, cap, "not an indicator %llu", (unsigned long long)r);
        break;
    }
    return (size_t)n;
}

/* Builds an index of `count` values (`distinct` of them different) after reserving
 * `reserve` (0: no reservation). */
static struct rk_sweep_index *build_set(uint64_t count, uint64_t distinct, uint64_t reserve)
{
    struct rk_sweep_builder *b = NULL;
    struct rk_sweep_index *ix = NULL;
    char v[RK_MAX_SWEEP_INDICATOR + 64];
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    if (reserve > 0)
        assert_int_equal(rk_sweep_builder_reserve(b, reserve), RK_OK);
    for (uint64_t i = 0; i < count; i++) {
        size_t n = value_of(i, distinct, v, sizeof v);
        enum rk_status rc = rk_sweep_builder_add(b, RK_SWEEP_NONE, v, n);
        assert_true(rc == RK_OK || rc == RK_EINVAL);
    }
    assert_int_equal(rk_sweep_builder_build(b, &ix), RK_OK);
    rk_sweep_builder_destroy(b);
    return ix;
}

/* ===== Reservation ===== */

struct reserve_case {
    uint64_t count, distinct, reserve;
};

static const struct reserve_case reserve_cases[] = {
    {0, 1, 0},
    {0, 1, 1000000},       /* reserved and nothing added: back to the smallest table */
    {700, 700, 0},         /* a doubling on the way */
    {700, 700, 700},       /* exact */
    {700, 700, 100},       /* too little: grows the usual way afterwards */
    {700, 700, 1000000},   /* far too much */
    {3000, 900, 3000},     /* duplicates: a line count overstates the distinct keys */
    {20000, 20000, 20000}, /* several doublings saved */
    {20000, 12000, 5000},
};

static void test_reserve_same_bytes(void **state)
{
    (void)state;
    for (size_t i = 0; i < RK_ARRAY_LEN(reserve_cases); i++) {
        const struct reserve_case *c = &reserve_cases[i];
        struct rk_sweep_index *ref = build_set(c->count, c->distinct, 0);
        struct rk_sweep_index *got = build_set(c->count, c->distinct, c->reserve);
        if (ref->size != got->size || memcmp(ref->base, got->base, ref->size) != 0)
            print_error("case %zu: %llu values, %llu reserved: images differ (%zu / %zu bytes)\n",
                        i, (unsigned long long)c->count, (unsigned long long)c->reserve, ref->size,
                        got->size);
        assert_int_equal(ref->size, got->size);
        assert_memory_equal(ref->base, got->base, ref->size);
        rk_sweep_index_close(ref);
        rk_sweep_index_close(got);
    }
}

/* A duplicate arriving when the table is exactly full does not grow it: the table is sized for
 * the distinct keys (640 = 5/8 of 1,024 slots), reserved or not. */
static void test_reserve_full_table_duplicate(void **state)
{
    (void)state;
    struct rk_sweep_index *ix[2];
    for (int k = 0; k < 2; k++) {
        struct rk_sweep_builder *b = NULL;
        char v[64];
        assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
        if (k == 1)
            assert_int_equal(rk_sweep_builder_reserve(b, 5000), RK_OK);
        for (unsigned i = 0; i < 640; i++) { /* 5/8 of 1,024 slots */
            int n = snprintf(v, sizeof v, "11.0.%u.%u", i / 200, i % 200 + 1);
            assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_NONE, v, (size_t)n), RK_OK);
        }
        assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_NONE, "11.0.0.1", 8), RK_OK);
        assert_int_equal(rk_sweep_builder_count(b), 640);
        assert_int_equal(rk_sweep_builder_build(b, &ix[k]), RK_OK);
        rk_sweep_builder_destroy(b);
    }
    assert_int_equal(ix[0]->h->log2_slots, 10);
    assert_int_equal(ix[0]->size, ix[1]->size);
    assert_memory_equal(ix[0]->base, ix[1]->base, ix[0]->size);
    rk_sweep_index_close(ix[0]);
    rk_sweep_index_close(ix[1]);
}

/* rk_sweep_builder_load() reserves a line count itself; the written file equals one built
 * value by value without any reservation. */
static void test_load_writes_same_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/rk-sweep-fast-XXXXXX";
    char pa[512], pb[512], err[256];
    char v[RK_MAX_SWEEP_INDICATOR + 64];
    struct rk_buf feed;
    struct rk_sweep_builder *b = NULL;
    assert_non_null(mkdtemp(dir));
    snprintf(pa, sizeof pa, "%s/a.idx", dir);
    snprintf(pb, sizeof pb, "%s/b.idx", dir);
    rk_buf_init(&feed, 0);
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    for (uint64_t i = 0; i < 6000; i++) {
        size_t n = value_of(i, 4000, v, sizeof v);
        assert_int_equal(rk_buf_add(&feed, v, n), RK_OK);
        assert_int_equal(rk_buf_addc(&feed, '\n'), RK_OK);
        enum rk_status rc = rk_sweep_builder_add(b, RK_SWEEP_NONE, v, n);
        assert_true(rc == RK_OK || rc == RK_EINVAL);
    }
    assert_int_equal(rk_sweep_builder_write(b, pa, err, sizeof err), RK_OK);
    rk_sweep_builder_destroy(b);
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    assert_int_equal(
        rk_sweep_builder_load(b, RK_SWEEP_FMT_PLAIN, feed.data, feed.len, NULL, NULL, 0), RK_OK);
    assert_int_equal(rk_sweep_builder_write(b, pb, err, sizeof err), RK_OK);
    rk_sweep_builder_destroy(b);
    struct rk_sweep_index *ia = NULL, *ib = NULL;
    assert_int_equal(rk_sweep_index_open(pa, 0, &ia, err, sizeof err), RK_OK);
    assert_int_equal(rk_sweep_index_open(pb, 0, &ib, err, sizeof err), RK_OK);
    assert_true(rk_sweep_index_count(ia) > 2000);
    assert_int_equal(ia->size, ib->size);
    assert_memory_equal(ia->base, ib->base, ia->size);
    rk_sweep_index_close(ia);
    rk_sweep_index_close(ib);
    rk_buf_free(&feed);
    unlink(pa);
    unlink(pb);
    rmdir(dir);
}

/* ===== Made on the way ===== */

struct settle_case {
    uint64_t count, distinct, every; /* count() after every `every` values */
    int meta;                        /* every third value with a metadata string */
};

static const struct settle_case settle_cases[] = {
    {0, 1, 1, 0},         {1, 1, 1, 0},           {700, 700, 100, 0},  {3000, 900, 1, 0},
    {3000, 900, 1000, 0}, {20000, 5000, 7000, 0}, {3000, 900, 250, 1}, {20000, 12000, 3333, 1},
    {5000, 7, 1000, 1}, /* nearly all duplicates: the table shrinks back after they go */
};

static struct rk_sweep_index *build_counted(const struct settle_case *c, int counted,
                                            uint64_t *count)
{
    struct rk_sweep_builder *b = NULL;
    struct rk_sweep_index *ix = NULL;
    char v[RK_MAX_SWEEP_INDICATOR + 64], meta[32];
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    for (uint64_t i = 0; i < c->count; i++) {
        size_t n = value_of(i, c->distinct, v, sizeof v);
        enum rk_status rc;
        if (c->meta && i % 3 == 0) {
            snprintf(meta, sizeof meta, "m%llu", (unsigned long long)(i % 11));
            rc = rk_sweep_builder_add_meta(b, RK_SWEEP_NONE, v, n, meta);
        } else {
            rc = rk_sweep_builder_add(b, RK_SWEEP_NONE, v, n);
        }
        assert_true(rc == RK_OK || rc == RK_EINVAL);
        if (counted && (i + 1) % c->every == 0)
            (void)rk_sweep_builder_count(b);
    }
    *count = rk_sweep_builder_count(b);
    assert_int_equal(rk_sweep_builder_build(b, &ix), RK_OK);
    rk_sweep_builder_destroy(b);
    return ix;
}

/* Walks the records of an image: every one is a distinct key (no record of a dropped
 * duplicate is left), and there are as many as the header counts, type by type. */
static void check_records(const struct rk_sweep_index *ix)
{
    uint64_t types[RK_SWEEP_TYPE_COUNT] = {0}, n = 0;
    for (uint64_t off = 4; off < ix->rec_len;) {
        const uint8_t *r = ix->rec + off;
        size_t len = (size_t)r[2] | ((size_t)r[3] << 8);
        if (r[0] == 0 && len == 0)
            break; /* the padding to 8 bytes at the end */
        uint64_t h = rk__sw_hash(r[0], r[1], r + 4, len);
        assert_int_equal(rk__sw_lookup(ix, h, r[0], r[1], r + 4, len), off);
        types[r[0]]++;
        n++;
        off += 4 + ((len + 3) & ~(size_t)3);
    }
    assert_int_equal(n, ix->h->count);
    for (int t = 0; t < RK_SWEEP_TYPE_COUNT; t++)
        assert_int_equal(types[t], ix->h->type_count[t]);
}

/* The two indexes are byte for byte the same image with sound records (case k, for the
 * message); then both, their builders and the feed are freed. */
static void same_images_then_free(struct rk_sweep_index *ia, struct rk_sweep_index *ib,
                                  struct rk_sweep_builder *a, struct rk_sweep_builder *b,
                                  struct rk_buf *feed, size_t k)
{
    if (ia->size != ib->size || memcmp(ia->base, ib->base, ia->size) != 0)
        print_error("case %zu: images differ (%zu / %zu bytes)\n", k, ia->size, ib->size);
    assert_int_equal(ia->size, ib->size);
    assert_memory_equal(ia->base, ib->base, ia->size);
    check_records(ib);
    rk_sweep_index_close(ia);
    rk_sweep_index_close(ib);
    rk_sweep_builder_destroy(a);
    rk_sweep_builder_destroy(b);
    rk_buf_free(feed);
}

static void test_settle_same_bytes(void **state)
{
    (void)state;
    for (size_t i = 0; i < RK_ARRAY_LEN(settle_cases); i++) {
        const struct settle_case *c = &settle_cases[i];
        uint64_t na = 0, nb = 0;
        struct rk_sweep_index *ref = build_counted(c, 0, &na);
        struct rk_sweep_index *got = build_counted(c, 1, &nb);
        if (ref->size != got->size || memcmp(ref->base, got->base, ref->size) != 0)
            print_error("case %zu: images differ (%zu / %zu bytes)\n", i, ref->size, got->size);
        assert_int_equal(na, nb);
        assert_int_equal(na, rk_sweep_index_count(ref));
        assert_int_equal(ref->size, got->size);
        assert_memory_equal(ref->base, got->base, ref->size);
        uint32_t l = 10; /* sized for the distinct keys at a load of at most 5/8 */
        while (na * 8 > ((uint64_t)5 << l))
            l++;
        assert_int_equal(ref->h->log2_slots, l);
        check_records(ref);
        rk_sweep_index_close(ref);
        rk_sweep_index_close(got);
    }
}

/* A list large enough to be read by two threads gives the same index as its values added one
 * by one on one thread. */
static void test_two_threads_same_bytes(void **state)
{
    (void)state;
    char v[RK_MAX_SWEEP_INDICATOR + 64];
    struct rk_buf feed;
    struct rk_sweep_builder *a = NULL, *b = NULL;
    struct rk_sweep_index *ia = NULL, *ib = NULL;
    struct rk_sweep_load_stats st;
    uint64_t good = 0;
    rk_buf_init(&feed, 0);
    assert_int_equal(rk_sweep_builder_create(&a), RK_OK);
    for (uint64_t i = 0; i < 40000; i++) {
        size_t n = value_of(i, 30000, v, sizeof v);
        assert_int_equal(rk_buf_add(&feed, v, n), RK_OK);
        assert_int_equal(rk_buf_addc(&feed, '\n'), RK_OK);
        enum rk_status rc = rk_sweep_builder_add(a, RK_SWEEP_NONE, v, n);
        assert_true(rc == RK_OK || rc == RK_EINVAL);
        good += rc == RK_OK;
    }
    assert_true(feed.len > ((size_t)4 << 20)); /* well past the size cut in two */
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    assert_int_equal(
        rk_sweep_builder_load(b, RK_SWEEP_FMT_PLAIN, feed.data, feed.len, &st, NULL, 0), RK_OK);
    assert_int_equal(st.added, good);
    assert_int_equal(st.added + st.skipped, 40000);
    assert_int_equal(rk_sweep_builder_count(a), rk_sweep_builder_count(b));
    assert_int_equal(rk_sweep_builder_build(a, &ia), RK_OK);
    assert_int_equal(rk_sweep_builder_build(b, &ib), RK_OK);
    same_images_then_free(ia, ib, a, b, &feed, 0);
}

/* ===== The second reader's records kept as a segment ===== */

/*
 * A list read by two threads keeps the second thread's records and hashes apart from the
 * blob (a segment behind it) until something needs one piece. Every way through that: written
 * straight away (the segment written behind the blob), counted first (the repeats removed from
 * both pieces), values added after it (joined), metadata, a second list (the first segment
 * joined, the second kept), nearly all repeats (the prefilter's hashes made again from the
 * records), a second half of nothing but rejected lines (no segment). A write lets the hashes
 * go: written again, values added after it, or an image built after it, the builder makes them
 * again from the records. The file must be the one a builder that got the same values one by
 * one writes once.
 */
struct seg_case {
    uint64_t count, distinct; /* the list, read by two threads */
    int counted;              /* rk_sweep_builder_count() after each load */
    uint64_t extra;           /* values added one by one after the loads */
    int meta;                 /* the extra values with a metadata string */
    int loads;                /* the list loaded this many times */
    int junk_tail;            /* 1.5 MB of rejected lines after the values */
    int after;                /* 1: written before the extra values too; 2: written, then built */
};

static const struct seg_case seg_cases[] = {
    {40000, 30000, 0, 0, 0, 1, 0, 0},   {40000, 30000, 1, 0, 0, 1, 0, 0},
    {40000, 30000, 1, 500, 0, 1, 0, 0}, {40000, 30000, 0, 500, 1, 1, 0, 0},
    {40000, 30000, 0, 0, 0, 2, 0, 0},   {40000, 30000, 1, 0, 0, 2, 0, 0},
    {40000, 300, 0, 0, 0, 1, 0, 0},     {40000, 300, 1, 10, 0, 1, 0, 0},
    {12000, 9000, 0, 0, 0, 1, 1, 0},    {40000, 30000, 0, 0, 0, 1, 0, 1},
    {40000, 30000, 0, 500, 1, 1, 0, 1}, {40000, 300, 0, 10, 0, 2, 0, 1},
    {40000, 30000, 0, 0, 0, 1, 0, 2},   {40000, 30000, 1, 500, 0, 1, 0, 2},
};

/* Adds value i (of the case's extra values when `extra`) to b, with metadata when asked. */
static void seg_add(struct rk_sweep_builder *b, const struct seg_case *c, uint64_t i, int extra)
{
    char v[RK_MAX_SWEEP_INDICATOR + 64], meta[32];
    size_t n =
        extra ? value_of(1000000 + i, 1000000, v, sizeof v) : value_of(i, c->distinct, v, sizeof v);
    enum rk_status rc;
    if (extra && c->meta) {
        snprintf(meta, sizeof meta, "m%llu", (unsigned long long)(i % 7));
        rc = rk_sweep_builder_add_meta(b, RK_SWEEP_NONE, v, n, meta);
    } else {
        rc = rk_sweep_builder_add(b, RK_SWEEP_NONE, v, n);
    }
    assert_true(rc == RK_OK || rc == RK_EINVAL);
}

static void test_segment_same_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/rk-sweep-seg-XXXXXX", pa[512], pb[512], err[256];
    char v[RK_MAX_SWEEP_INDICATOR + 64];
    assert_non_null(mkdtemp(dir));
    snprintf(pa, sizeof pa, "%s/one-by-one.idx", dir);
    snprintf(pb, sizeof pb, "%s/loaded.idx", dir);
    for (size_t k = 0; k < RK_ARRAY_LEN(seg_cases); k++) {
        const struct seg_case *c = &seg_cases[k];
        struct rk_buf feed;
        struct rk_sweep_builder *a = NULL, *b = NULL;
        rk_buf_init(&feed, 0);
        assert_int_equal(rk_sweep_builder_create(&a), RK_OK);
        assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
        for (uint64_t i = 0; i < c->count; i++) {
            size_t n = value_of(i, c->distinct, v, sizeof v);
            assert_int_equal(rk_buf_add(&feed, v, n), RK_OK);
            assert_int_equal(rk_buf_addc(&feed, '\n'), RK_OK);
        }
        for (uint64_t i = 0; c->junk_tail && feed.len < ((size_t)6 << 20); i++) {
            int n = snprintf(v, sizeof v, "not an indicator %llu\n", (unsigned long long)i);
            assert_int_equal(rk_buf_add(&feed, v, (size_t)n), RK_OK);
        }
        assert_true(feed.len > ((size_t)2 << 20)); /* cut in two */
        for (int l = 0; l < c->loads; l++) {
            for (uint64_t i = 0; i < c->count; i++)
                seg_add(a, c, i, 0);
            if (c->counted)
                (void)rk_sweep_builder_count(a);
            assert_int_equal(
                rk_sweep_builder_load(b, RK_SWEEP_FMT_PLAIN, feed.data, feed.len, NULL, NULL, 0),
                RK_OK);
            if (c->counted)
                (void)rk_sweep_builder_count(b);
        }
        if (c->after == 1) /* a write first: the extra values come after it */
            assert_int_equal(rk_sweep_builder_write(b, pb, err, sizeof err), RK_OK);
        for (uint64_t i = 0; i < c->extra; i++) {
            seg_add(a, c, i, 1);
            seg_add(b, c, i, 1);
        }
        assert_int_equal(rk_sweep_builder_count(a), rk_sweep_builder_count(b));
        assert_int_equal(rk_sweep_builder_write(a, pa, err, sizeof err), RK_OK);
        assert_int_equal(rk_sweep_builder_write(b, pb, err, sizeof err), RK_OK);
        if (c->after == 2) {
            /* Built in memory after the write: the same bytes but the body checksum (an
             * image in memory has none) and so the header's checksum. */
            struct rk_sweep_index *im = NULL, *iw = NULL;
            assert_int_equal(rk_sweep_builder_build(b, &im), RK_OK);
            assert_int_equal(rk_sweep_index_open(pb, 0, &iw, err, sizeof err), RK_OK);
            assert_int_equal(im->size, iw->size);
            size_t hs = iw->h->header_size;
            assert_memory_equal(im->base + hs, iw->base + hs, iw->size - hs);
            rk_sweep_index_close(im);
            rk_sweep_index_close(iw);
            /* ... and written again after that build. */
            assert_int_equal(rk_sweep_builder_write(b, pb, err, sizeof err), RK_OK);
        }
        struct rk_sweep_index *ia = NULL, *ib = NULL;
        assert_int_equal(rk_sweep_index_open(pa, 0, &ia, err, sizeof err), RK_OK);
        assert_int_equal(rk_sweep_index_open(pb, 0, &ib, err, sizeof err), RK_OK);
        same_images_then_free(ia, ib, a, b, &feed, k);
    }
    unlink(pa);
    unlink(pb);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserve_same_bytes),
        cmocka_unit_test(test_reserve_full_table_duplicate),
        cmocka_unit_test(test_load_writes_same_file),
        cmocka_unit_test(test_settle_same_bytes),
        cmocka_unit_test(test_two_threads_same_bytes),
        cmocka_unit_test(test_segment_same_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
