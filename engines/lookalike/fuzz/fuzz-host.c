/*
 * Fuzz target: the domain/URL parser and the whole detector path (normalisation, punycode,
 * PSL table, skeletons, automaton, edit-distance index) on arbitrary bytes, against the default brand list.
 * The detector is built once per process; it is immutable, so reuse cannot hide a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lookalike-int.h"
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
    struct rk_lookalike_match m;
    enum rk_status rc = rk_lookalike_check(sc, (const char *)data, size, &m);
    if (rc == RK_OK) {
        /* The invariants every caller relies on. */
        if (m.score < 0 || m.score > 100 || m.n_reasons > RK_LOOKALIKE_MAX_REASONS)
            abort();
        if ((m.brand < 0) != (m.score == 0))
            abort();
        if (strlen(m.registrable) > 253 ||
            (rk_lookalike_is_legit(lk, m.registrable) && m.brand >= 0))
            abort();
        /* The detector's suffix table and libpsl agree (lookalike-psl.c). */
        const char *ref = psl_registrable_domain(lk->psl, sc->host);
        if (ref == NULL || strcmp(ref, m.registrable) != 0)
            abort();
    } else if (rk_lookalike_skip_of(rc) == RK_LOOKALIKE_SKIP_NONE && rc != RK_ENOMEM) {
        abort();
    }
    return 0;
}
