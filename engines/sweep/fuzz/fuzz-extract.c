/* libFuzzer target: the extractor and matcher over arbitrary bytes, against a small index
 * holding one indicator of every type (so every lookup path runs). */
#include <stdint.h>
#include <stddef.h>

#include "renkei/sweep.h"

static int count_hit(const struct rk_sweep_hit *h, void *ud)
{
    (*(uint64_t *)ud) += h->line;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char feed[] = "1.2.3.4\n10.0.0.0/8\n2001:db8::/32\n2001:db8::1\nevil.example\n"
                               "http://evil.example/x?y=1\nbad@evil.example\n"
                               "d41d8cd98f00b204e9800998ecf8427e\n"
                               "da39a3ee5e6b4b0d3255bfef95601890afd80709\n"
                               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n";
    /* The index is built once: the fuzzer explores the extractor, not the builder. */
    static struct rk_sweep_index *ix;
    static struct rk_sweep_scanner *s;
    uint64_t sum = 0, lines = 0;
    if (ix == NULL) {
        struct rk_sweep_builder *b = NULL;
        if (rk_sweep_builder_create(&b) != RK_OK)
            return 0;
        if (rk_sweep_builder_load(b, RK_SWEEP_FMT_PLAIN, feed, sizeof feed - 1, NULL, NULL, 0) !=
                RK_OK ||
            rk_sweep_builder_build(b, &ix) != RK_OK || rk_sweep_scanner_create(ix, &s) != RK_OK) {
            rk_sweep_builder_destroy(b);
            return 0;
        }
        rk_sweep_builder_destroy(b);
    }
    rk_sweep_scan(s, (const char *)data, size, count_hit, &sum, &lines);
    return 0;
}
