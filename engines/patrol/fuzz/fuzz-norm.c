/*
 * libFuzzer target for the patrol normaliser: any bytes must normalise without a crash, give
 * valid UTF-8, and map every output byte to a span inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "renkei/patrol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tables take milliseconds to build, so the harness builds them once (never freed). */
static struct rk_patrol_norm *shared_norm(void)
{
    static struct rk_patrol_norm *n;
    if (n == NULL && rk_patrol_norm_create(&n) != RK_OK)
        n = NULL;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rk_patrol_norm *n = shared_norm();
    if (n == NULL)
        return 0;
    struct rk_patrol_text t;
    rk_patrol_text_init(&t);
    if (rk_patrol_normalise(n, (const char *)data, size, &t) == RK_OK) {
        for (size_t i = 0; i < t.len; i++) {
            if (t.src_start[i] > t.src_end[i] || t.src_end[i] > size)
                abort();
        }
        /* The output is valid UTF-8: normalising it again reports nothing invalid. */
        struct rk_patrol_text again;
        rk_patrol_text_init(&again);
        if (rk_patrol_normalise(n, t.data, t.len, &again) == RK_OK && again.n_invalid != 0)
            abort();
        rk_patrol_text_free(&again);
    }
    rk_patrol_text_free(&t);
    return 0;
}
