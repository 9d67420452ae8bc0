/*
 * Fuzz target of the observable extractor. Besides "no crash, no leak, no undefined
 * behaviour" it checks the extractor's contract on every input: items are in offset order,
 * each value is exactly the text at its offset, and each canonical form parses back to itself
 * (canonical forms are fixed points), and every string is well-formed UTF-8 (jansson refuses
 * anything else).
 * The first bytes of the input also go through rk_obs_parse() with every type hint.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "renkei/limits.h"
#include "renkei/obs.h"

static void check_utf8(const char *s)
{
    json_t *j = json_stringn(s, strlen(s));
    if (j == NULL)
        abort();
    json_decref(j);
}

static void check_fixed_point(const struct rk_obs *o)
{
    check_utf8(o->value);
    check_utf8(o->canonical);
    if (o->display != NULL)
        check_utf8(o->display);
    struct rk_obs again;
    if (rk_obs_parse(o->canonical, strlen(o->canonical), o->type, &again) != RK_OK)
        abort();
    if (strcmp(again.canonical, o->canonical) != 0)
        abort();
    rk_obs_clear(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rk_obs_list l = {0};
    const char *text = (const char *)data;
    if (rk_obs_extract(text, size, &l) == RK_OK) {
        for (size_t i = 0; i < l.count; i++) {
            const struct rk_obs *o = &l.items[i];
            if (o->offset + o->length > size || memcmp(text + o->offset, o->value, o->length))
                abort();
            if (i > 0 && l.items[i - 1].offset > o->offset)
                abort();
            if (o->canonical[0] == '\0')
                abort();
            check_fixed_point(o);
        }
    }
    rk_obs_list_clear(&l);
    size_t n = size < 200 ? size : 200;
    for (int t = 0; t < RK_OBS_TYPE_COUNT; t++) {
        struct rk_obs o;
        if (rk_obs_parse(text, n, (enum rk_obs_type)t, &o) == RK_OK) {
            if (o.type == RK_OBS_NONE || o.canonical == NULL)
                abort();
            check_fixed_point(&o);
        }
        rk_obs_clear(&o);
    }
    return 0;
}
