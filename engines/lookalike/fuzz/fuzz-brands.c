/*
 * Fuzz target: the brand-list loader. Any text either loads (and then compiles, and the compiled
 * detector checks a few names) or is rejected with a message; nothing leaks, nothing crashes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "renkei/lookalike.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rk_lookalike *lk = NULL;
    struct rk_lookalike_scanner *sc = NULL;
    if (rk_lookalike_create(&lk) != RK_OK)
        abort();
    enum rk_status rc = rk_lookalike_add_brands(lk, (const char *)data, size, "fuzz");
    if (rc != RK_OK && rk_lookalike_errmsg(lk)[0] == '\0')
        abort(); /* every rejection says why */
    if (rc == RK_OK && rk_lookalike_brand_count(lk) > 0 && rk_lookalike_compile(lk) == RK_OK &&
        rk_lookalike_scanner_create(lk, &sc) == RK_OK) {
        static const char *const probes[] = {"rakuten-login.top", "xn--80ak6aa92e.com",
                                             "amaz0n.co.jp.example.com", "a.b"};
        struct rk_lookalike_match m;
        for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
            (void)rk_lookalike_check(sc, probes[i], __builtin_strlen(probes[i]), &m);
    }
    rk_lookalike_scanner_destroy(sc);
    rk_lookalike_destroy(lk);
    return 0;
}
