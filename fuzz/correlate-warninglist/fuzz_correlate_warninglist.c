/*
 * Fuzz target of the warninglist loader: any bytes either load as a list or fail with a
 * message naming the line, and a loaded list answers matches for every type without reading
 * out of bounds. The set must be unchanged after a failed load.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "renkei/correlate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct {
        const char *type, *value;
    } probes[] = {
        {"ipv4", "8.8.8.8"},
        {"ipv4", "10.1.2.3"},
        {"cidr", "10.0.0.0/8"},
        {"ipv6", "2001:db8::1"},
        {"cidr", "2001:db8::/48"},
        {"domain", "a.b.example.com"},
        {"domain", "com"},
        {"md5", "d41d8cd98f00b204e9800998ecf8427e"},
        {"url", "http://x.example/"},
        {"", ""},
    };
    struct rk_corr_wlset *set;
    if (rk_corr_wlset_create(&set) != RK_OK)
        return 0;
    enum rk_status rc = rk_corr_wlset_load_mem(set, "fuzz.txt", (const char *)data, size);
    if (rc != RK_OK && (rk_corr_wlset_count(set) != 0 || rk_corr_wlset_errmsg(set)[0] == '\0'))
        abort();
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        (void)rk_corr_wlset_match(set, probes[i].type, probes[i].value);
    for (size_t i = 0; i < rk_corr_wlset_count(set); i++) {
        struct rk_corr_wlinfo info;
        rk_corr_wlset_info(set, i, &info);
        if (strlen(info.name) == 0 || info.entries == 0)
            abort();
    }
    rk_corr_wlset_destroy(set);
    return 0;
}
