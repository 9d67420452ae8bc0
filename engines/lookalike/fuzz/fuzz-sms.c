/*
 * Fuzz target: the SMS path: the JSON-line reader, then the smishing scorer (rules, URL
 * extraction, lookalike checks) and its JSON rendering, on arbitrary bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "renkei/buf.h"
#include "renkei/limits.h"
#include "renkei/lookalike.h"

static struct rk_lookalike *lk;
static struct rk_lookalike_scanner *sc;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (lk == NULL) {
        if (rk_lookalike_create(&lk) != RK_OK ||
            rk_lookalike_load_dir(lk, RK_LOOKALIKE_BRANDS_DIR) != RK_OK ||
            rk_lookalike_compile(lk) != RK_OK || rk_lookalike_scanner_create(lk, &sc) != RK_OK)
            abort();
    }
    static char text[RK_MAX_LOOKALIKE_SMS + 1];
    size_t n = 0;
    const char *t = (const char *)data;
    if (rk_lookalike_sms_from_json(t, size, text, sizeof text, &n) == RK_OK)
        t = text;
    else
        n = size;
    struct rk_lookalike_sms_result r;
    if (rk_lookalike_sms_check(sc, t, n, &r) == RK_OK) {
        if (r.score < 0 || r.score > 100)
            abort();
        struct rk_buf b;
        rk_buf_init(&b, 0);
        if (rk_lookalike_sms_json(lk, t, n, &r, &b) != RK_OK)
            abort();
        rk_buf_free(&b);
    }
    return 0;
}
