/* libFuzzer target: the indicator-file loaders (plain, CSV, STIX, MISP, detected), then an
 * index built from whatever they accepted. */
#include <stdint.h>
#include <stddef.h>

#include "renkei/sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rk_sweep_builder *b = NULL;
    struct rk_sweep_index *ix = NULL;
    char err[256];
    if (size == 0)
        return 0;
    /* The first byte picks the format (0 = detect). */
    enum rk_sweep_format fmt = (enum rk_sweep_format)(data[0] % 5);
    if (rk_sweep_builder_create(&b) != RK_OK)
        return 0;
    struct rk_sweep_load_stats st;
    /* Building an index image costs its 2 MiB prefilter; do it for inputs that added some. */
    if (rk_sweep_builder_load(b, fmt, (const char *)data + 1, size - 1, &st, err, sizeof err) ==
            RK_OK &&
        rk_sweep_builder_count(b) > 0)
        rk_sweep_builder_build(b, &ix);
    rk_sweep_index_close(ix);
    rk_sweep_builder_destroy(b);
    return 0;
}
