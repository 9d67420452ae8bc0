/* libFuzzer target: the index loader. In fuzzing builds the body checksum is not checked (see
 * check_image), so mutated images reach the structure checks and the bounds-checked lookups;
 * a short scan then exercises every lookup path over the damaged image, the key prefilter's
 * probes (hosts, URL hosts, IPv4 addresses and the CIDR bitmap) among them. */
#include <stdint.h>
#include <stddef.h>

#include "renkei/sweep.h"

static int on_hit(const struct rk_sweep_hit *h, void *ud)
{
    (void)h;
    (void)ud;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sample[] = "GET http://a.b.evil.example/x?y=1 from 1.2.3.4 10.1.2.3 "
                                 "[2001:db8::1]:443 bad@evil.example "
                                 "d41d8cd98f00b204e9800998ecf8427e (3)www(4)evil(7)example(0) "
                                 "http://u@10.9.8.7/b http://[2001:db8::5]:8080/a\n";
    struct rk_sweep_index *ix = NULL;
    struct rk_sweep_scanner *s = NULL;
    char err[256];
    if (rk_sweep_index_from_memory(data, size, 1, &ix, err, sizeof err) != RK_OK)
        return 0;
    if (rk_sweep_scanner_create(ix, &s) == RK_OK)
        rk_sweep_scan(s, sample, sizeof sample - 1, on_hit, NULL, NULL);
    rk_sweep_scanner_destroy(s);
    rk_sweep_index_close(ix);
    return 0;
}
