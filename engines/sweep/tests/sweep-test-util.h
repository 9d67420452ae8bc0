/*
 * Helpers shared by the scanner's unit tests (test_sweep.c, test_sweep_keys.c,
 * test_sweep_url.c): an index built in memory from indicator text, a hit callback that writes
 * "line:token>indicator(type);" for each hit, a scan that compares those with what a case
 * expects, and a small deterministic generator. Static inline: each test program uses a part.
 */
#ifndef RK_SWEEP_TEST_UTIL_H
#define RK_SWEEP_TEST_UTIL_H

#include <stdint.h>
#include <string.h>

#include "renkei/buf.h"
#include "renkei/sweep.h"
#include "sweep-int.h"

/* A small deterministic generator (xorshift64): the same values on every run. */
static inline uint64_t swt_next_rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* The index of feed[0, len) (a plain list, CSV, STIX or MISP text), built in memory, so the
 * tests may alter it. The caller closes it. */
static inline struct rk_sweep_index *swt_index_of_n(const char *feed, size_t len)
{
    struct rk_sweep_builder *b = NULL;
    struct rk_sweep_index *ix = NULL;
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    assert_int_equal(rk_sweep_builder_load(b, RK_SWEEP_FMT_AUTO, feed, len, NULL, NULL, 0), RK_OK);
    assert_int_equal(rk_sweep_builder_build(b, &ix), RK_OK);
    rk_sweep_builder_destroy(b);
    assert_non_null(ix->owned);
    return ix;
}

static inline struct rk_sweep_index *swt_index_of(const char *feed)
{
    return swt_index_of_n(feed, strlen(feed));
}

/* Appends "line:token>indicator(type);" for each hit to the rk_buf ud. */
static inline int swt_collect(const struct rk_sweep_hit *h, void *ud)
{
    struct rk_buf *out = ud;
    assert_int_equal(rk_buf_addf(out, "%llu:%s>%s(%s);", (unsigned long long)h->line, h->token,
                                 h->indicator, rk_sweep_type_name(h->type)),
                     RK_OK);
    return 0;
}

/* The hits of text[0, len) as swt_collect() writes them, in out (the caller frees it). */
static inline void swt_scan_into(const struct rk_sweep_index *ix, const char *text, size_t len,
                                 struct rk_buf *out)
{
    struct rk_sweep_scanner *s = NULL;
    rk_buf_init(out, 0);
    assert_int_equal(rk_buf_addf(out, "%s", ""), RK_OK);
    assert_int_equal(rk_sweep_scanner_create(ix, &s), RK_OK);
    assert_int_equal(rk_sweep_scan(s, text, len, swt_collect, out, NULL), RK_OK);
    rk_sweep_scanner_destroy(s);
}

/* Scans text[0, len) and fails, printing the input and both hit lists, unless its hits are
 * exactly expect. */
static inline void swt_scan_expect_n(const struct rk_sweep_index *ix, const char *text, size_t len,
                                     const char *expect)
{
    struct rk_buf out;
    swt_scan_into(ix, text, len, &out);
    if (strcmp(out.data, expect) != 0)
        print_error("input:    %.*s\nexpected: %s\ngot:      %s\n", (int)len, text, expect,
                    out.data);
    assert_string_equal(out.data, expect);
    rk_buf_free(&out);
}

static inline void swt_scan_expect(const struct rk_sweep_index *ix, const char *text,
                                   const char *expect)
{
    swt_scan_expect_n(ix, text, strlen(text), expect);
}

#endif
