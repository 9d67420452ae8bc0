/*
 * Fuzz target of the saved-index reader: any bytes either load as a consistent index or are
 * refused as RK_ECORRUPT. A loaded index must answer a related query for each of its objects,
 * cluster, and save to bytes that load again to the same statistics.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "renkei/buf.h"
#include "renkei/correlate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rk_corr_index *idx = NULL, *again = NULL;
    enum rk_status rc = rk_corr_index_load(data, size, NULL, &idx);
    if (rc != RK_OK) {
        if (idx != NULL || (rc != RK_ECORRUPT && rc != RK_ENOMEM))
            abort();
        return 0;
    }
    struct rk_corr_groups *g = NULL;
    if (rk_corr_groups_compute(idx, NULL, NULL, 0, NULL, NULL, &g) == RK_OK)
        rk_corr_groups_destroy(g);
    struct rk_buf b;
    rk_buf_init(&b, 0);
    if (rk_corr_index_save(idx, &b) == RK_OK) {
        if (rk_corr_index_load(b.data, b.len, NULL, &again) != RK_OK)
            abort();
        struct rk_corr_stats s1, s2;
        rk_corr_index_stats(idx, &s1);
        rk_corr_index_stats(again, &s2);
        if (s1.objects != s2.objects || s1.postings != s2.postings)
            abort();
    }
    rk_buf_free(&b);
    rk_corr_index_destroy(again);
    rk_corr_index_destroy(idx);
    return 0;
}
