/*
 * Fuzz target for request bodies: every input goes through rk_http_body_parse() (size cap,
 * UTF-8, jansson, field path of the error); a parsed object is also checked against a fixed
 * shape, and the path finder is run at every offset of short inputs, since it walks malformed
 * JSON on its own.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http.h"

static const struct rk_http_field shape[] = {
    {"to", RK_JT_STRING, 1, 64},
    {"comment", RK_JT_STRING | RK_JT_NULL, 0, 4000},
    {"done", RK_JT_BOOL, 0, 0},
    {"report_ids", RK_JT_ARRAY, 0, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = NULL;
    struct rk_error err;
    memset(&err, 0, sizeof err);
    if (rk_http_body_parse((const char *)data, size, &j, &err) == RK_OK) {
        rk_http_body_check(j, shape, sizeof shape / sizeof shape[0], &err);
        json_decref(j);
    }
    if (size <= 256) {
        char field[96];
        for (size_t off = 0; off <= size; off++)
            rk_http_json_path_at((const char *)data, size, off, field, sizeof field);
    }
    return 0;
}
