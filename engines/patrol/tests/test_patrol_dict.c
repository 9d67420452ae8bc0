/*
 * Unit tests of the patrol dictionary loader: good files load, and each kind of malformed rule
 * is rejected with "file:line: reason" while the dictionary stays as it was.
 */
#include "rk-test.h"

#include <stdio.h>
#include <string.h>

#include "renkei/patrol.h"

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

static const char *base = "category drug 1.0 薬物\n"
                          "context price re:[0-9]{3,6}円\n";

struct bad_case {
    const char *text; /* appended after `base` (lines 1-2) */
    const char *want; /* expected start of the error message */
};

static const struct bad_case bad_cases[] = {
    {"rule a drug 1 lit:x extra\n", "t.rules:3: unknown option"},
    {"rule a drug 1 lit x\n", "t.rules:3: pattern must be lit:<text> or re:<regex>"},
    {"rule a drug 1 lit:\n", "t.rules:3: empty pattern after 'lit:'"},
    {"rule a nosuch 1 lit:x\n", "t.rules:3: unknown category 'nosuch'"},
    {"rule a drug 0 lit:x\n", "t.rules:3: weight must be"},
    {"rule a drug 11 lit:x\n", "t.rules:3: weight must be"},
    {"rule a drug one lit:x\n", "t.rules:3: weight must be"},
    {"rule a drug 1 re:(\n", "t.rules:3: bad regex"},
    {"rule a drug 1 re:a*\n", "t.rules:3: bad regex"}, /* matches the empty string */
    /* Counted repeats past RK_MAX_PATROL_REGEX_WEIGHT (Hyperscan would compile for seconds). */
    {"rule a drug 1 re:(.{1,100}){1,100}\n", "t.rules:3: regex '(.{1,100}){1,100}' repeats too much"},
    {"rule a drug 1 re:.{1,900}z\n", "t.rules:3: regex '.{1,900}z' repeats too much"},
    {"rule a drug 1 re:[^a]{200}b[^c]{200}\n", "t.rules:3: regex"},
    {"rule a drug 1 re:(a(b{2,}){30}){5}\n", "t.rules:3: regex"},
    {"rule a drug 1 re:(x|y{300})\n", "t.rules:3: regex"},
    {"rule a drug 1 re:(ab|c){1,22}x\n", "t.rules:3: regex"}, /* 67 */
    {"rule a drug 1 re:[0-9]{1,60}a\nrule b drug 1 re:[0-9]{1,60}b\nrule c drug 1 re:[0-9]{1,60}c\n"
     "rule d drug 1 re:[0-9]{1,60}d\nrule e drug 1 re:[0-9]{1,60}e\nrule f drug 1 re:[0-9]{1,60}f\n"
     "rule g drug 1 re:[0-9]{1,60}g\nrule h drug 1 re:[0-9]{1,60}h\nrule i drug 1 re:[0-9]{1,60}i\n"
     "rule j drug 1 re:[0-9]{1,60}j\nrule k drug 1 re:[0-9]{1,60}k\nrule l drug 1 re:[0-9]{1,60}l\n"
     "rule m drug 1 re:[0-9]{1,60}m\nrule n drug 1 re:[0-9]{1,60}n\nrule o drug 1 re:[0-9]{1,60}o\n"
     "rule p drug 1 re:[0-9]{1,60}p\nrule q drug 1 re:[0-9]{1,60}q\n",
     "t.rules:19: the file's regexes expand to more than 1024 positions"},
    {"rule a drug 1 lit:・ー\n", "t.rules:3: pattern '・ー' normalises to nothing"},
    {"rule a drug 1 lit:x near=nosuch\n", "t.rules:3: unknown context 'nosuch'"},
    {"rule a drug 1 lit:x window=0\n", "t.rules:3: window must be"},
    {"rule a drug 1 lit:x\nrule a drug 1 lit:y\n", "t.rules:4: rule id 'a' is already used"},
    {"category drug 1.0 again\n", "t.rules:3: category 'drug' is already defined"},
    {"category c2 0 label\n", "t.rules:3: category threshold"},
    {"category c2 1\n", "t.rules:3: category needs a label"},
    {"context c2 lit:\n", "t.rules:3: empty pattern after 'lit:'"},
    {"rules a drug 1 lit:x\n", "t.rules:3: unknown directive 'rules'"},
    {"rule a drug 1 lit:\xff\n", "t.rules:3: pattern is not valid UTF-8"},
    {"rule a/b drug 1 lit:x\n", "t.rules:3: rule needs an id"},
};

/* Parses one case in two steps: the base (must load), then the case (must fail). */
static void test_bad_rules(void **state)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(bad_cases); i++) {
        struct rk_patrol_dict *d = NULL;
        char err[256];
        char text[1024];
        assert_int_equal(rk_patrol_dict_create(norm, &d), RK_OK);
        snprintf(text, sizeof text, "%s%s", base, bad_cases[i].text);
        assert_int_equal(rk_patrol_dict_parse(d, "t.rules", text, strlen(text), err, sizeof err),
                         RK_EINVAL);
        if (strncmp(err, bad_cases[i].want, strlen(bad_cases[i].want)) != 0)
            fail_msg("case %zu: got '%s', want '%s...'", i, err, bad_cases[i].want);
        /* Nothing of the failed file stays behind. */
        assert_int_equal(rk_patrol_dict_pattern_count(d), 0);
        assert_int_equal(rk_patrol_dict_category_count(d), 0);
        rk_patrol_dict_destroy(d);
    }
}

static void test_good_file(void **state)
{
    const char *text = "# comment\n"
                       "category drug 1.0 違法情報: 薬物\r\n"
                       "context price re:[0-9]{3,6}円\n"
                       "context trade lit:手押し\n"
                       "\n"
                       "rule D1 drug 0.5 lit:アイス near=price,trade window=20\n"
                       "rule D2 drug 1 re:しや[ぶふ]\n"
                       "rule D3 drug -0.5 lit:八百屋\n"
                       /* Counted repeats under RK_MAX_PATROL_REGEX_WEIGHT (61 and 64). */
                       "rule D4 drug 0.5 re:[0-9]{1,60}円\n"
                       "rule D5 drug 0.5 re:(ab|c){1,21}x\n";
    struct rk_patrol_dict *d = NULL;
    char err[256];
    assert_int_equal(rk_patrol_dict_create(norm, &d), RK_OK);
    assert_int_equal(rk_patrol_dict_parse(d, "t.rules", text, strlen(text), err, sizeof err),
                     RK_OK);
    assert_int_equal(rk_patrol_dict_rule_count(d), 5);
    assert_int_equal(rk_patrol_dict_pattern_count(d), 7);
    assert_int_equal(rk_patrol_dict_category_count(d), 1);
    assert_string_equal(rk_patrol_dict_category(d, 0)->label, "違法情報: 薬物");
    assert_int_equal(rk_patrol_dict_compile(d, err, sizeof err), RK_OK);
    /* Compiled: no more parsing. */
    assert_int_equal(rk_patrol_dict_parse(d, "u.rules", "", 0, err, sizeof err), RK_ECONFLICT);
    rk_patrol_dict_destroy(d);
}

static void test_no_rules(void **state)
{
    struct rk_patrol_dict *d = NULL;
    char err[256];
    assert_int_equal(rk_patrol_dict_create(norm, &d), RK_OK);
    assert_int_equal(rk_patrol_dict_compile(d, err, sizeof err), RK_EINVAL);
    assert_string_equal(err, "dictionary has no rules");
    rk_patrol_dict_destroy(d);
}

/* The shipped dictionary loads, compiles, and has at least 1,500 rules over 19 categories. */
static void test_default_dictionary(void **state)
{
    struct rk_patrol_dict *d = NULL;
    char err[512];
    assert_int_equal(rk_patrol_dict_create(norm, &d), RK_OK);
    assert_int_equal(rk_patrol_dict_load_dir(d, RK_PATROL_DICT_DIR, err, sizeof err), RK_OK);
    assert_int_equal(rk_patrol_dict_compile(d, err, sizeof err), RK_OK);
    assert_true(rk_patrol_dict_rule_count(d) >= 1500);
    assert_int_equal(rk_patrol_dict_category_count(d), 19);
    rk_patrol_dict_destroy(d);
}

static void test_missing_dir(void **state)
{
    struct rk_patrol_dict *d = NULL;
    char err[512];
    assert_int_equal(rk_patrol_dict_create(norm, &d), RK_OK);
    assert_int_equal(rk_patrol_dict_load_dir(d, "/nonexistent/patrol", err, sizeof err), RK_EIO);
    assert_non_null(strstr(err, "/nonexistent/patrol: cannot open"));
    rk_patrol_dict_destroy(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_rules),   cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_no_rules),    cmocka_unit_test(test_default_dictionary),
        cmocka_unit_test(test_missing_dir),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
