/*
 * Unit tests of the patrol normaliser: each evasion of DOMAIN.md §6 folds to the spelling the
 * dictionary uses, and every output byte maps back to the right span of the input.
 */
#include "rk-test.h"

#include <string.h>

#include "renkei/limits.h"
#include "renkei/patrol.h"

struct fold_case {
    const char *in;
    const char *want;
};

static const struct fold_case fold_cases[] = {
    {"闇バイト", "闇ばいと"},
    {"闇 バ イ ト", "闇ばいと"},                      /* spaces between letters */
    {"闇.バ-イ/ト", "闇ばいと"},                      /* symbols between letters */
    {"ﾔﾐﾊﾞｲﾄ", "やみばいと"},                         /* half-width with separate mark */
    {"ハ゛イト", "ばいと"},                           /* spacing voiced mark */
    {"ハ\xe3\x82\x99イト", "ばいと"},                 /* combining U+3099 */
    {"ﾊﾟｹ", "ぱけ"},                                  /* semi-voiced */
    {"闇\xe2\x80\x8b\xe2\x80\x8dバイト", "闇ばいと"}, /* zero-width space and joiner */
    {"ア\xef\xb8\x8fイス", "あいす"},                 /* variation selector */
    {"アイスー", "あいす"},                           /* prolonged mark */
    {"スピ－ド", "すぴど"},                           /* full-width hyphen */
    {"ス・ピ・ー・ド", "すぴど"},                     /* middle dots */
    {"ハ一ブ", "はぶ"},                               /* 一 used as a prolonged mark */
    {"一日", "一日"},                                 /* 一 elsewhere stays */
    {"万が一", "万が一"},
    {"が一時停止", "が一時停止"},
    {"ホ別1.5で", "ほ別15で"}, /* a particle after a number: digits stay */
    {"3つ", "3つ"},
    {"56して", "ころして"},
    {"チョコ", "ちよこ"}, /* small kana */
    {"ッ", "つ"},
    {"髙収入", "高収入"}, /* kanji variant */
    {"藥", "薬"},
    {"ＡＢＣ１２３", "abc123"}, /* full-width ASCII, case folding */
    {"4ね", "しね"},            /* digits read as kana */
    {"56す", "ころす"},
    {"４ね", "しね"},
    {"mp3です", "mp3です"},     /* after an ASCII letter: stays */
    {"2024年", "2024年"},       /* before kanji: stays */
    {"12345です", "12345です"}, /* runs longer than three: stay */
    {"1g 8,000円", "1g8000円"},
    {"@yasai_shop #野菜", "@yasaishop#野菜"},
    {"❄️", "❄"},      /* emoji stays, its selector goes */
    {"🥦🏻", "🥦"}, /* skin-tone modifier goes */
    {"𝐀𝐁𝐂", "abc"},       /* mathematical letters */
    {"㈱", "株"},
    {"¥5000", "¥5000"},
    {"★高収入★", "高収入"},
    /* Hiragana and kanji take the copy fast path; the context folds must still see them. */
    {"か゛", "が"},               /* a mark after a copied hiragana joins it */
    {"ほ\xe3\x82\x9aん", "ぽん"}, /* combining semi-voiced after hiragana */
    {"ね4ね", "ねしね"},          /* a digit run after a copied kana */
    {"今日4ね", "今日しね"},      /* after a copied kanji */
    {"", ""},
};

static struct rk_patrol_norm *norm;

static int setup(void **state)
{
    return rk_patrol_norm_create(&norm) == RK_OK ? 0 : -1;
}

static int teardown(void **state)
{
    rk_patrol_norm_destroy(norm);
    return 0;
}

static void test_folds(void **state)
{
    struct rk_patrol_text t;
    rk_patrol_text_init(&t);
    for (size_t i = 0; i < RK_ARRAY_LEN(fold_cases); i++) {
        const struct fold_case *c = &fold_cases[i];
        assert_int_equal(rk_patrol_normalise(norm, c->in, strlen(c->in), &t), RK_OK);
        assert_string_equal(t.data, c->want);
        assert_int_equal(t.n_invalid, 0);
    }
    rk_patrol_text_free(&t);
}

/* "Ｘ 闇 バ イ ト" — the normalised "闇" maps to bytes 4..7 of the input, "と" to 17..20. */
static void test_map(void **state)
{
    const char *in = "\xef\xbc\xb8 闇 バ イ ト";
    struct rk_patrol_text t;
    rk_patrol_text_init(&t);
    assert_int_equal(rk_patrol_normalise(norm, in, strlen(in), &t), RK_OK);
    assert_string_equal(t.data, "x闇ばいと");
    assert_int_equal(t.src_start[0], 0);
    assert_int_equal(t.src_end[0], 3);
    assert_int_equal(t.src_start[1], 4);
    assert_int_equal(t.src_end[3], 7);
    assert_int_equal(t.src_start[t.len - 1], 16);
    assert_int_equal(t.src_end[t.len - 1], 19);
    rk_patrol_text_free(&t);
}

/* A voiced mark extends the span of the kana it joins: "ﾊﾞ" → "ば" spans both input chars. */
static void test_map_voiced(void **state)
{
    const char *in = "ﾊﾞ";
    struct rk_patrol_text t;
    rk_patrol_text_init(&t);
    assert_int_equal(rk_patrol_normalise(norm, in, strlen(in), &t), RK_OK);
    assert_string_equal(t.data, "ば");
    assert_int_equal(t.src_start[0], 0);
    assert_int_equal(t.src_end[2], 6);
    rk_patrol_text_free(&t);
}

struct invalid_case {
    const char *in;
    size_t len;
    size_t n_invalid;
    size_t first;
};

static const struct invalid_case invalid_cases[] = {
    {"ab\xff"
     "cd",
     5, 1, 2},                 /* stray byte */
    {"\xe3\x81", 2, 2, 0},     /* truncated sequence: each byte reported */
    {"\xc0\xaf", 2, 2, 0},     /* overlong slash */
    {"\xed\xa0\x80", 3, 3, 0}, /* surrogate */
    {"漢字\xe6\xbc", 8, 2, 6}, /* cut after kanji (the copy fast path must not take it) */
    {"\xe0\x9f\xbf", 3, 3, 0}, /* overlong 3-byte form */
    {"あ\xf8", 4, 1, 3},
};

static void test_invalid(void **state)
{
    struct rk_patrol_text t;
    rk_patrol_text_init(&t);
    for (size_t i = 0; i < RK_ARRAY_LEN(invalid_cases); i++) {
        const struct invalid_case *c = &invalid_cases[i];
        assert_int_equal(rk_patrol_normalise(norm, c->in, c->len, &t), RK_OK);
        assert_int_equal(t.n_invalid, c->n_invalid);
        assert_int_equal(t.invalid_at[0], c->first);
        assert_non_null(strstr(t.data, "\xef\xbf\xbd")); /* U+FFFD in the output */
    }
    rk_patrol_text_free(&t);
}

static void test_too_big(void **state)
{
    struct rk_patrol_text t;
    rk_patrol_text_init(&t);
    assert_int_equal(rk_patrol_normalise(norm, "", (size_t)RK_MAX_PATROL_RECORD + 1, &t),
                     RK_ETOOBIG);
    rk_patrol_text_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_folds),      cmocka_unit_test(test_map),
        cmocka_unit_test(test_map_voiced), cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_too_big),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
