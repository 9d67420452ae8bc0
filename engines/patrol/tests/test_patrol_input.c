/*
 * Unit tests of the patrol input formats: the HTML text extractor (tags, scripts, entities, and
 * the map back to page offsets) and the JSON-lines post parser (fields, bad lines, invalid UTF-8).
 */
#include "rk-test.h"

#include <stdio.h>
#include <string.h>

#include "renkei/patrol.h"

struct html_case {
    const char *html;
    const char *text;
};

static const struct html_case html_cases[] = {
    {"<p>闇バイト</p>", "\n闇バイト\n"},
    {"a<script>var x='<p>';</script>b", "ab"},
    {"a<STYLE>p{color:red}</STYLE>b", "ab"},
    {"a<!-- 闇バイト -->b", "ab"},
    {"&amp;&lt;&gt;&quot;&#38343;&#x30D0;", "&<>\"闇バ"},
    {"&#0;&#xD800;&#x110000;", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* U+FFFD ×3 */
    {"&unknown; &#12", "&unknown; &#12"},
    {"<a href=\"x>y\">link</a>", "link"},
    {"<br>1<br/>2", "\n1\n2"},
    {"<unterminated", ""},
};

static void test_html(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(html_cases); i++) {
        struct rk_buf text, map;
        rk_buf_init(&text, 0);
        rk_buf_init(&map, 0);
        const char *h = html_cases[i].html;
        assert_int_equal(rk_patrol_html_text(h, strlen(h), &text, &map), RK_OK);
        assert_int_equal(text.len, strlen(html_cases[i].text));
        assert_memory_equal(text.data ? text.data : "", html_cases[i].text, text.len);
        assert_int_equal(map.len, text.len * sizeof(uint32_t));
        rk_buf_free(&text);
        rk_buf_free(&map);
    }
}

/* "<b>x</b>&#38343;" — "x" comes from offset 3, all three bytes of 闇 from the entity at 8. */
static void test_html_map(void **state)
{
    struct rk_buf text, map;
    rk_buf_init(&text, 0);
    rk_buf_init(&map, 0);
    const char *h = "<b>x</b>&#38343;";
    assert_int_equal(rk_patrol_html_text(h, strlen(h), &text, &map), RK_OK);
    const uint32_t *m = (const uint32_t *)(const void *)map.data;
    assert_int_equal(text.len, 4);
    assert_int_equal(m[0], 3);
    assert_int_equal(m[1], 8);
    assert_int_equal(m[3], 8);
    rk_buf_free(&text);
    rk_buf_free(&map);
}

struct post_case {
    const char *line;
    enum rk_status rc;
    const char *id;   /* expected id, or NULL */
    const char *text; /* expected text, or the start of the error */
};

static const struct post_case post_cases[] = {
    {"{\"id\":\"p1\",\"url\":\"u\",\"text\":\"闇バイト\",\"posted_at\":\"2025-01-01\"}", RK_OK,
     "p1", "闇バイト"},
    {"{\"id\":42,\"text\":\"x\"}", RK_OK, "42", "x"},
    {"{\"text\":\"a\\u0000b\"}", RK_OK, NULL, "a"},
    {"{\"id\":\"p1\"}", RK_EINVAL, NULL, "post has no \"text\""},
    {"{\"text\":5}", RK_EINVAL, NULL, "\"text\" must be a string"},
    {"[1,2]", RK_EINVAL, NULL, "a post must be a JSON object"},
    {"{bad", RK_EINVAL, NULL, "bad JSON at column"},
    {"{\"text\":\"a\",\"text\":\"b\"}", RK_EINVAL, NULL, "bad JSON"},
};

static void test_posts(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(post_cases); i++) {
        const struct post_case *c = &post_cases[i];
        struct rk_patrol_post p;
        char err[256];
        assert_int_equal(rk_patrol_post_parse(c->line, strlen(c->line), &p, err, sizeof err),
                         c->rc);
        if (c->rc != RK_OK) {
            if (strncmp(err, c->text, strlen(c->text)) != 0)
                fail_msg("case %zu: got '%s'", i, err);
            continue;
        }
        if (c->id != NULL)
            assert_string_equal(p.id, c->id);
        assert_string_equal(p.text, c->text);
        rk_patrol_post_free(&p);
    }
}

/* Invalid UTF-8 inside a JSON string is replaced, counted and located in the line. */
static void test_post_invalid_utf8(void **state)
{
    const char *line = "{\"text\":\"a\xff"
                       "b\"}";
    struct rk_patrol_post p;
    char err[256];
    assert_int_equal(rk_patrol_post_parse(line, strlen(line), &p, err, sizeof err), RK_OK);
    assert_string_equal(p.text, "a\xef\xbf\xbd"
                                "b");
    assert_int_equal(p.n_invalid, 1);
    assert_int_equal(p.first_invalid, 10);
    rk_patrol_post_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_html_map),
        cmocka_unit_test(test_posts),
        cmocka_unit_test(test_post_invalid_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
