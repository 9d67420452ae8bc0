/*
 * Registrable domains: a hash table of the Public Suffix List rules, consulted with a few hash
 * look-ups per name, with libpsl as the reference.
 *
 * Why not call libpsl for every name: psl_registrable_domain() walks its DAFSA once for every
 * suffix of the name and took about 40% of the detector's time on a feed (docs/performance.md).
 * This table is loaded from the same public_suffix_list.dat that libpsl is given, implements the
 * list's documented algorithm (normal, wildcard and exception rules; the default rule "*"), and
 * is checked against libpsl on every input by the fuzz target and on the evaluation set by the
 * unit tests. When the text file is missing, the detector calls libpsl instead.
 */
#include "lookalike-int.h"

#include <idn2.h>
#include <stdio.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"

enum { RULE_NORMAL = 1, RULE_EXCEPTION = 2, RULE_IMPLICIT = 3 };

static int rule_kind(const struct rk_lookalike *lk, const struct rk__la_table *t, const char *s,
                     size_t n);

/* Adds one rule. Wildcard rules "*.X" go to lk->pslwild under X; others to lk->pslrule. */
static enum rk_status add_rule(struct rk_lookalike *lk, const char *r, size_t n)
{
    int kind = RULE_NORMAL, wild = 0;
    if (n > 0 && r[0] == '!') {
        kind = RULE_EXCEPTION;
        r++;
        n--;
    }
    if (n >= 2 && r[0] == '*' && r[1] == '.') {
        wild = 1;
        r += 2;
        n -= 2;
    }
    if (n == 0 || n > RK_MAX_LOOKALIKE_NAME)
        return RK_OK;
    char tmp[RK_MAX_LOOKALIKE_NAME + 1];
    memcpy(tmp, r, n);
    tmp[n] = '\0';
    char *ascii = NULL;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)tmp[i] >= 0x80) {
            if (idn2_to_ascii_8z(tmp, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) != IDN2_OK)
                return RK_OK; /* a rule libidn2 cannot map cannot match our punycode input */
            break;
        }
        if (tmp[i] >= 'A' && tmp[i] <= 'Z')
            tmp[i] = (char)(tmp[i] - 'A' + 'a');
    }
    const char *s = ascii ? ascii : tmp;
    size_t sn = strlen(s);
    if (sn > RK_MAX_LOOKALIKE_NAME) {
        idn2_free(ascii);
        return RK_OK;
    }
    if (lk->npsl == lk->cappsl) {
        size_t nc = lk->cappsl ? lk->cappsl * 2 : 16384;
        void *p = rk_reallocarray(lk->psl_rules, nc, sizeof *lk->psl_rules);
        if (p == NULL) {
            idn2_free(ascii);
            return RK_ENOMEM;
        }
        lk->psl_rules = p;
        lk->cappsl = nc;
    }
    char *copy = rk_strndup(s, sn);
    idn2_free(ascii);
    if (copy == NULL)
        return RK_ENOMEM;
    int32_t idx = (int32_t)lk->npsl++;
    lk->psl_rules[idx].text = copy;
    lk->psl_rules[idx].kind = (uint8_t)kind;
    uint32_t labels = 1 + wild;
    for (size_t i = 0; i < sn; i++)
        labels += copy[i] == '.';
    if (labels > lk->psl_maxlabels)
        lk->psl_maxlabels = labels;
    enum rk_status rc =
        rk__la_table_add(wild ? &lk->pslwild : &lk->pslrule, rk__la_hash(copy, sn), idx);
    /* libpsl also treats the base of a wildcard rule as a public suffix ("*.transurl.nl" makes
     * "transurl.nl" one), unless the list says otherwise; we follow the reference. */
    if (rc == RK_OK && wild && rule_kind(lk, &lk->pslrule, copy, sn) == 0) {
        if (lk->npsl == lk->cappsl) {
            void *p = rk_reallocarray(lk->psl_rules, lk->cappsl * 2, sizeof *lk->psl_rules);
            if (p == NULL)
                return RK_ENOMEM;
            lk->psl_rules = p;
            lk->cappsl *= 2;
        }
        char *base = rk_strndup(copy, sn);
        if (base == NULL)
            return RK_ENOMEM;
        int32_t bi = (int32_t)lk->npsl++;
        lk->psl_rules[bi].text = base;
        lk->psl_rules[bi].kind = RULE_IMPLICIT;
        rc = rk__la_table_add(&lk->pslrule, rk__la_hash(base, sn), bi);
    }
    return rc;
}

enum rk_status rk__la_psl_load(struct rk_lookalike *lk, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return RK_EIO;
    enum rk_status rc = rk__la_table_init(&lk->pslrule, 16384);
    if (rc == RK_OK)
        rc = rk__la_table_init(&lk->pslwild, 1024);
    char line[1024];
    while (rc == RK_OK && fgets(line, sizeof line, f) != NULL) {
        /* A rule is the first whitespace-delimited token of a line; "//" starts a comment. */
        size_t b = strspn(line, " \t");
        size_t n = strcspn(line + b, " \t\r\n");
        if (n == 0 || (n >= 2 && line[b] == '/' && line[b + 1] == '/'))
            continue;
        rc = add_rule(lk, line + b, n);
    }
    fclose(f);
    return rc;
}

void rk__la_psl_free(struct rk_lookalike *lk)
{
    for (size_t i = 0; i < lk->npsl; i++)
        rk_free(lk->psl_rules[i].text);
    rk_free(lk->psl_rules);
    rk__la_table_free(&lk->pslrule);
    rk__la_table_free(&lk->pslwild);
}

/* Kind of the rule exactly `s` (n bytes) in table t, or 0. */
static int rule_kind(const struct rk_lookalike *lk, const struct rk__la_table *t, const char *s,
                     size_t n)
{
    for (int32_t c = rk__la_table_find(t, rk__la_hash(s, n)); c >= 0; c = t->chain[c].next) {
        const struct rk__la_psl_rule *r = &lk->psl_rules[t->chain[c].item];
        if (strlen(r->text) == n && memcmp(r->text, s, n) == 0)
            return r->kind;
    }
    return 0;
}

const char *rk__la_registrable(const struct rk_lookalike *lk, const char *host)
{
    if (lk->psl_rules == NULL)
        return psl_registrable_domain(lk->psl, host);
    size_t n = strlen(host);
    /* starts[k]: offset of the suffix made of the last k labels (k = 1 .. nl). */
    size_t starts[RK__LA_PSL_MAXK + 2];
    size_t nl = 0;
    size_t limit = lk->psl_maxlabels + 1 < RK__LA_PSL_MAXK ? lk->psl_maxlabels + 1
                                                            : RK__LA_PSL_MAXK;
    for (size_t i = n; i > 0 && nl < limit + 1; i--) {
        if (host[i - 1] == '.')
            starts[++nl] = i;
    }
    if (nl < limit + 1)
        starts[++nl] = 0;
    /* The prevailing rule: an exception if one matches, else the matching rule with the most
     * labels, else "*" (one label). */
    size_t ps = 1;
    int exception = 0;
    for (size_t k = 1; k <= nl && k <= limit; k++) {
        const char *s = host + starts[k];
        size_t sn = n - starts[k];
        int kind = rule_kind(lk, &lk->pslrule, s, sn);
        if (kind == RULE_EXCEPTION) {
            ps = k - 1;
            exception = 1;
            break;
        }
        if (kind == RULE_NORMAL || kind == RULE_IMPLICIT)
            ps = k;
        if (k >= 2) {
            const char *base = host + starts[k - 1];
            int wk = rule_kind(lk, &lk->pslwild, base, n - starts[k - 1]);
            if (wk == RULE_NORMAL)
                ps = k;
        }
    }
    (void)exception;
    if (nl < ps + 1)
        return NULL;
    return host + starts[ps + 1];
}
