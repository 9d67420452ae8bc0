/*
 * libFuzzer target for the patrol input parsers: the same bytes go through the HTML text
 * extractor (whose map must point inside the page) and the JSON-lines post parser.
 */
#include <stdint.h>
#include <stdlib.h>

#include "renkei/patrol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rk_buf text, map;
    rk_buf_init(&text, 0);
    rk_buf_init(&map, 0);
    if (rk_patrol_html_text((const char *)data, size, &text, &map) == RK_OK) {
        const uint32_t *m = (const uint32_t *)(const void *)map.data;
        if (map.len != text.len * sizeof(uint32_t))
            abort();
        for (size_t i = 0; i < text.len; i++)
            if (m[i] >= size)
                abort();
    }
    rk_buf_free(&text);
    rk_buf_free(&map);
    struct rk_patrol_post p;
    char err[256];
    if (rk_patrol_post_parse((const char *)data, size, &p, err, sizeof err) == RK_OK) {
        if (p.text == NULL)
            abort();
        rk_patrol_post_free(&p);
    }
    return 0;
}
