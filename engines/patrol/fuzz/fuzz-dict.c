/*
 * libFuzzer target for the patrol dictionary loader: any file text must either load (and then
 * compile or be rejected with a message) or be rejected with "name:line: reason", never crash,
 * and a rejected parse must leave the dictionary empty as it was.
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
    struct rk_patrol_dict *d = NULL;
    char err[512];
    if (n == NULL)
        return 0;
    if (rk_patrol_dict_create(n, &d) != RK_OK)
        goto out;
    enum rk_status rc =
        rk_patrol_dict_parse(d, "fuzz.rules", (const char *)data, size, err, sizeof err);
    if (rc != RK_OK) {
        if (strncmp(err, "fuzz.rules", 10) != 0 && rc != RK_ENOMEM)
            abort();
        if (rk_patrol_dict_pattern_count(d) != 0 || rk_patrol_dict_category_count(d) != 0)
            abort();
        goto out;
    }
    if (rk_patrol_dict_rule_count(d) > 0 && rk_patrol_dict_pattern_count(d) <= 64 &&
        rk_patrol_dict_compile(d, err, sizeof err) == RK_OK) {
        struct rk_patrol_scanner *s = NULL;
        if (rk_patrol_scanner_create(d, &s) == RK_OK) {
            struct rk_patrol_record r = {(const char *)data, size, 0};
            rk_patrol_scan(s, &r, 1);
        }
        rk_patrol_scanner_destroy(s);
    }
out:
    rk_patrol_dict_destroy(d);
    return 0;
}
