/*
 * Unit tests of the index checksum (format versions 3 and 4, sweep-sum.c): the AVX2 and the
 * scalar kernel compute the same value at every length and alignment; one flipped bit
 * anywhere, two stripes or blocks swapped, a trailing zero byte all change it; the chunked body
 * checksum is the checksum of the chunk checksums whatever the number of threads; and an index
 * file of several chunks, verified by several threads, refuses a damaged byte in each chunk,
 * refuses a bad chunk size in its header, and refuses older format versions with a message
 * that says to recompile.
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

/* Seeded bytes (splitmix64), so that every run checks the same data. */
static void fill(uint8_t *p, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed += 0x9e3779b97f4a7c15ull;
        uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        p[i] = (uint8_t)(z ^ (z >> 31));
    }
}

/* Both kernels: the same value (when the CPU has AVX2; otherwise _avx2 is the scalar one). */
static uint64_t both(const uint8_t *p, size_t n)
{
    uint64_t s = rk__sw_checksum_scalar(p, n);
    uint64_t v = rk__sw_checksum_avx2(p, n);
    if (s != v)
        fail_msg("length %zu: scalar %016llx, avx2 %016llx", n, (unsigned long long)s,
                 (unsigned long long)v);
    assert_int_equal(rk__sw_checksum(p, n), s);
    return s;
}

static void test_kernels_agree(void **state)
{
    (void)state;
    size_t cap = (1u << 20) + 4096;
    uint8_t *buf = rk_malloc(cap + 8);
    fill(buf, cap + 8, 1);
    print_message("avx2 path %s\n", rk__sw_checksum_has_avx2() ? "tested" : "absent (scalar)");
    /* Every length across the stripe, block and tail boundaries, at two alignments. */
    for (size_t n = 0; n <= 3 * 1024 + 130; n++) {
        both(buf, n);
        both(buf + 1, n);
    }
    static const size_t big[] = {4096, 65536 + 63, 1u << 20, (1u << 20) + 4095};
    for (size_t i = 0; i < RK_ARRAY_LEN(big); i++)
        both(buf + 3, big[i]);
    /* Zeros: the multiply lanes see only keys, the value still depends on the length. */
    memset(buf, 0, cap);
    assert_int_not_equal(both(buf, 2048), both(buf, 2049));
    assert_int_not_equal(both(buf, 0), both(buf, 1));
    rk_free(buf);
}

/* One flipped bit anywhere changes the value; so do swapped stripes and swapped blocks. */
static void test_damage_changes_sum(void **state)
{
    (void)state;
    size_t n = 5000;
    uint8_t *buf = rk_malloc(n);
    fill(buf, n, 2);
    uint64_t good = both(buf, n);
    for (size_t i = 0; i < n; i++) {
        for (unsigned bit = 0; bit < 8; bit += 3) {
            buf[i] ^= (uint8_t)(1u << bit);
            if (both(buf, n) == good)
                fail_msg("bit %u of byte %zu flipped: same checksum", bit, i);
            buf[i] ^= (uint8_t)(1u << bit);
        }
    }
    struct {
        size_t a, b, len;
    } swaps[] = {{0, 64, 64},        {128, 960, 64}, {0, 1024, 1024},
                 {1024, 2048, 1024}, {8, 16, 8},     {0, 4096, 64}};
    uint8_t tmp[1024];
    for (size_t i = 0; i < RK_ARRAY_LEN(swaps); i++) {
        memcpy(tmp, buf + swaps[i].a, swaps[i].len);
        memmove(buf + swaps[i].a, buf + swaps[i].b, swaps[i].len);
        memcpy(buf + swaps[i].b, tmp, swaps[i].len);
        if (both(buf, n) == good)
            fail_msg("swap %zu: same checksum", i);
        memcpy(buf + swaps[i].b, buf + swaps[i].a, swaps[i].len);
        memcpy(buf + swaps[i].a, tmp, swaps[i].len);
        assert_int_equal(both(buf, n), good);
    }
    rk_free(buf);
}

static void test_chunk_size(void **state)
{
    (void)state;
    static const struct {
        uint64_t len;
        unsigned log2;
    } cases[] = {
        {0, 22},
        {1, 22},
        {(uint64_t)256 << 22, 22}, /* exactly 256 chunks of 4 MiB */
        {((uint64_t)256 << 22) + 1, 23},
        {(uint64_t)64 << 30, 28}, /* 64 GiB: 256 chunks of 256 MiB */
    };
    for (size_t i = 0; i < RK_ARRAY_LEN(cases); i++) {
        assert_int_equal(rk__sw_sum_chunk_log2(cases[i].len), cases[i].log2);
        assert_true(rk__sw_sum_chunks_ok(cases[i].len, cases[i].log2));
        if (cases[i].len > ((uint64_t)1 << 22))
            assert_false(rk__sw_sum_chunks_ok(cases[i].len, cases[i].log2 - 1));
    }
    assert_false(rk__sw_sum_chunks_ok(100, 21));
    assert_false(rk__sw_sum_chunks_ok(100, 41));
}

/* The body checksum: the checksum of the chunk checksums, the same with 1..4 threads and with
 * or without the populate advice (on a heap buffer it is refused, which must not matter). */
static void test_body_checksum(void **state)
{
    (void)state;
    const size_t chunk = (size_t)1 << RK__SW_SUM_CHUNK_MIN_LOG2;
    static const size_t lens[] = {0, 100, 4u << 20, (4u << 20) + 1, (17u << 20) + 5};
    uint8_t *buf = rk_malloc((17u << 20) + 5);
    fill(buf, (17u << 20) + 5, 3);
    for (size_t i = 0; i < RK_ARRAY_LEN(lens); i++) {
        size_t n = lens[i];
        uint8_t sums[8 * 8];
        size_t k = 0;
        for (size_t off = 0; off < n; off += chunk, k++) {
            uint64_t c = rk__sw_checksum(buf + off, n - off < chunk ? n - off : chunk);
            for (unsigned b = 0; b < 8; b++)
                sums[8 * k + b] = (uint8_t)(c >> (8 * b));
        }
        uint64_t want = rk__sw_checksum(sums, 8 * k);
        for (unsigned t = 1; t <= RK__SW_SUM_MAX_THREADS + 1; t++) {
            assert_int_equal(rk__sw_body_checksum(buf, n, RK__SW_SUM_CHUNK_MIN_LOG2, t, 0), want);
            assert_int_equal(rk__sw_body_checksum(buf, n, RK__SW_SUM_CHUNK_MIN_LOG2, t, 1), want);
        }
        /* A flipped byte in the last chunk is seen by the thread that owns it. */
        if (n > 0) {
            buf[n - 1] ^= 1;
            assert_int_not_equal(rk__sw_body_checksum(buf, n, RK__SW_SUM_CHUNK_MIN_LOG2, 2, 0),
                                 want);
            buf[n - 1] ^= 1;
        }
    }
    rk_free(buf);
}

/* ===== Index files of several chunks ===== */

static char path[256], bad[256];

static void write_bytes(const char *p, const uint8_t *data, size_t n)
{
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Writes an index of `n` SHA-256 indicators (about 50 bytes each) to `path`; returns the image
 * read back (rk_free it) and its size. */
static uint8_t *big_index(size_t n, size_t *size)
{
    struct rk_sweep_builder *b = NULL;
    char err[256] = "";
    char hex[65];
    uint8_t raw[32];
    assert_int_equal(rk_sweep_builder_create(&b), RK_OK);
    for (size_t i = 0; i < n; i++) {
        fill(raw, sizeof raw, 1000 + i);
        for (unsigned k = 0; k < 32; k++) {
            hex[2 * k] = "0123456789abcdef"[raw[k] >> 4];
            hex[2 * k + 1] = "0123456789abcdef"[raw[k] & 15];
        }
        assert_int_equal(rk_sweep_builder_add(b, RK_SWEEP_SHA256, hex, 64), RK_OK);
    }
    assert_int_equal(rk_sweep_builder_write(b, path, err, sizeof err), RK_OK);
    rk_sweep_builder_destroy(b);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *img = rk_malloc(*size);
    assert_int_equal(fread(img, 1, *size, f), *size);
    fclose(f);
    return img;
}

static void reseal(uint8_t *img)
{
    struct rk__sw_header h;
    memcpy(&h, img, sizeof h);
    h.header_checksum = 0;
    h.header_checksum = rk__sw_checksum(&h, sizeof h);
    memcpy(img, &h, sizeof h);
}

static void expect_refused(const uint8_t *img, size_t n, const char *what, const char *msg)
{
    struct rk_sweep_index *ix = NULL;
    char err[256] = "";
    write_bytes(bad, img, n);
    enum rk_status rc = rk_sweep_index_open(bad, 0, &ix, err, sizeof err);
    if (rc != RK_ECORRUPT || strstr(err, msg) == NULL)
        fail_msg("%s: rc %d, \"%s\" (want \"%s\")", what, rc, err, msg);
    assert_null(ix);
    /* The same bytes from memory: the same verdict. */
    assert_int_equal(rk_sweep_index_from_memory(img, n, 1, &ix, err, sizeof err), RK_ECORRUPT);
}

static void test_index_chunks(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/rk-sweep-sum-%ld.idx", (long)getpid());
    snprintf(bad, sizeof bad, "/tmp/rk-sweep-sum-bad-%ld.idx", (long)getpid());
    size_t n;
    /* 450,000 hashes: about 20 MB, so several chunks and (from 16 MiB) several threads. */
    uint8_t *img = big_index(450000, &n);
    struct rk__sw_header h;
    memcpy(&h, img, sizeof h);
    assert_int_equal(h.version, RK__SW_VERSION);
    assert_int_equal(h.sum_chunk_log2, RK__SW_SUM_CHUNK_MIN_LOG2);
    size_t body = n - h.header_size, chunk = (size_t)1 << h.sum_chunk_log2;
    assert_true(body >= RK__SW_SUM_THREAD_MIN_BYTES);
    assert_int_equal(rk__sw_body_checksum(img + h.header_size, body, h.sum_chunk_log2, 1, 0),
                     h.body_checksum);

    struct rk_sweep_index *ix = NULL;
    char err[256] = "";
    assert_int_equal(rk_sweep_index_open(path, 0, &ix, err, sizeof err), RK_OK);
    assert_int_equal(rk_sweep_index_count(ix), 450000);
    rk_sweep_index_close(ix);

    /* A flipped byte at the first, a middle and the last byte of every chunk. */
    for (size_t off = 0; off < body; off += chunk) {
        size_t end = body - off < chunk ? body : off + chunk;
        size_t at[3] = {off, off + (end - off) / 2, end - 1};
        for (unsigned k = 0; k < 3; k++) {
            char what[64];
            snprintf(what, sizeof what, "body byte %zu", at[k]);
            img[h.header_size + at[k]] ^= 0x10;
            expect_refused(img, n, what, "body is damaged");
            /* --no-verify skips the body: the damage is not seen, by design. */
            write_bytes(bad, img, n);
            assert_int_equal(
                rk_sweep_index_open(bad, RK_SWEEP_OPEN_NO_VERIFY, &ix, err, sizeof err), RK_OK);
            rk_sweep_index_close(ix);
            img[h.header_size + at[k]] ^= 0x10;
        }
    }

    /* The chunk size lives in the header: changed (and resealed) it is refused, too large for
     * the body's chunk count or outside the format's range by the layout check, otherwise by
     * the body checksum (other chunks, other sums). */
    static const struct {
        uint32_t log2;
        const char *msg;
    } chunk_cases[] = {
        {RK__SW_SUM_CHUNK_MIN_LOG2 - 1, "layout is inconsistent"},
        {RK__SW_SUM_CHUNK_MAX_LOG2 + 1, "layout is inconsistent"},
        {RK__SW_SUM_CHUNK_MIN_LOG2 + 1, "body is damaged"},
    };
    uint8_t *copy = rk_malloc(n);
    for (size_t i = 0; i < RK_ARRAY_LEN(chunk_cases); i++) {
        memcpy(copy, img, n);
        struct rk__sw_header c;
        memcpy(&c, copy, sizeof c);
        c.sum_chunk_log2 = chunk_cases[i].log2;
        memcpy(copy, &c, sizeof c);
        reseal(copy);
        expect_refused(copy, n, "chunk size", chunk_cases[i].msg);
        /* Not resealed: the header checksum catches it first. */
        memcpy(copy, img, n);
        memcpy(copy, &c, sizeof c);
        expect_refused(copy, n, "chunk size, header not resealed", "header is damaged");
    }

    /* Older formats: refused, naming the command that makes a new index. */
    for (uint32_t v = 1; v <= RK__SW_VERSION_OLD_MAX; v++) {
        memcpy(copy, img, n);
        memcpy(copy + 8, &v, sizeof v);
        expect_refused(copy, n, "old version", "renkei sweep compile");
    }
    rk_free(copy);
    rk_free(img);
    unlink(path);
    unlink(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernels_agree), cmocka_unit_test(test_damage_changes_sum),
        cmocka_unit_test(test_chunk_size),    cmocka_unit_test(test_body_checksum),
        cmocka_unit_test(test_index_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
