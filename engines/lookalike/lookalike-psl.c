/*
 * Registrable domains: a hash table of the Public Suffix List rules, consulted with two or three
 * hash look-ups per name, with libpsl as the reference.
 *
 * Why not call libpsl for every name: psl_registrable_domain() walks its DAFSA once for every
 * suffix of the name and took about 40% of the detector's time on a feed (docs/performance.md).
 * This table is loaded from the same public_suffix_list.dat that libpsl is given, implements the
 * list's algorithm (normal, wildcard and exception rules, the default rule "*") plus libpsl's
 * one addition (the base of a wildcard rule is itself a suffix), and is checked against libpsl
 * on every input by the fuzz target and on tricky names by the unit tests. When the text file
 * is missing, the detector calls libpsl instead.
 *
 * One entry per distinct suffix string, with flags: a rule, an exception, the base of a
 * wildcard rule, or the parent of a longer rule. Walking a name from its last label, the walk
 * stops at the first suffix that is none of these: no rule can match further left. Keys are
 * hashed right to left so that each step extends the previous hash.
 */
#include "lookalike-int.h"

#include <idn2.h>
#include <stdio.h>
#include <string.h>

#include "renkei/alloc.h"

enum {
    F_RULE = 1,      /* "x.y" is a rule */
    F_EXCEPTION = 2, /* "!x.y" */
    F_WILD = 4,      /* "*.x.y" is a rule */
    F_PARENT = 8,    /* some longer rule ends in ".x.y" */
};

/* FNV-1a over the bytes from last to first, then the same final mix as rk__la_hash. */
static uint64_t rstep(uint64_t h, unsigned char c)
{
    return (h ^ c) * 1099511628211ull;
}

static uint64_t rfinal(uint64_t h)
{
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h ? h : 1;
}

static uint64_t rhash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    while (n > 0)
        h = rstep(h, (unsigned char)s[--n]);
    return rfinal(h);
}

static struct rk__la_psl_rule *find(const struct rk_lookalike *lk, uint64_t key, const char *s,
                                    size_t n)
{
    for (int32_t c = rk__la_table_find(&lk->pslrule, key); c >= 0; c = lk->pslrule.chain[c].next) {
        struct rk__la_psl_rule *r = &lk->psl_rules[lk->pslrule.chain[c].item];
        if (r->len == n && memcmp(r->text, s, n) == 0)
            return r;
    }
    return NULL;
}

/* Sets `flags` on the entry for s[0..n), creating it. */
static enum rk_status mark(struct rk_lookalike *lk, const char *s, size_t n, uint8_t flags)
{
    uint64_t key = rhash(s, n);
    struct rk__la_psl_rule *r = find(lk, key, s, n);
    if (r != NULL) {
        r->kind |= flags;
        return RK_OK;
    }
    if (lk->npsl == lk->cappsl) {
        size_t nc = lk->cappsl ? lk->cappsl * 2 : 16384;
        void *p = rk_reallocarray(lk->psl_rules, nc, sizeof *lk->psl_rules);
        if (p == NULL)
            return RK_ENOMEM;
        lk->psl_rules = p;
        lk->cappsl = nc;
    }
    char *copy = rk_strndup(s, n);
    if (copy == NULL)
        return RK_ENOMEM;
    int32_t idx = (int32_t)lk->npsl++;
    lk->psl_rules[idx].text = copy;
    lk->psl_rules[idx].len = (uint32_t)n;
    lk->psl_rules[idx].kind = flags;
    return rk__la_table_add(&lk->pslrule, key, idx);
}

/* Adds one rule of the list file. */
static enum rk_status add_rule(struct rk_lookalike *lk, const char *r, size_t n)
{
    uint8_t flag = F_RULE;
    if (n > 0 && r[0] == '!') {
        flag = F_EXCEPTION;
        r++;
        n--;
    }
    if (n >= 2 && r[0] == '*' && r[1] == '.') {
        flag = F_WILD;
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
    enum rk_status rc = sn <= RK_MAX_LOOKALIKE_NAME ? mark(lk, s, sn, flag) : RK_OK;
    /* Every proper suffix is the parent of a longer rule; a wildcard's base is a parent too. */
    for (size_t i = 0; rc == RK_OK && i < sn; i++)
        if (s[i] == '.')
            rc = mark(lk, s + i + 1, sn - i - 1, F_PARENT);
    if (rc == RK_OK && flag == F_WILD)
        rc = mark(lk, s, sn, F_PARENT);
    idn2_free(ascii);
    return rc;
}

enum rk_status rk__la_psl_load(struct rk_lookalike *lk, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return RK_EIO;
    enum rk_status rc = rk__la_table_init(&lk->pslrule, 16384);
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
    lk->psl_rules = NULL;
    lk->npsl = lk->cappsl = 0;
    rk__la_table_free(&lk->pslrule);
}

const char *rk__la_registrable(const struct rk_lookalike *lk, const char *host)
{
    if (lk->psl_rules == NULL)
        return psl_registrable_domain(lk->psl, host);
    size_t n = strlen(host);
    if (n == 0)
        return NULL;
    /* Walk the suffixes from the last label leftwards. `ps` is the number of labels of the
     * public suffix under the prevailing rule so far: "*" (one label) unless a rule says more;
     * an exception ends the walk (its public suffix is the rule minus its first label). */
    size_t ps = 1, k = 0;
    size_t start[RK_MAX_LOOKALIKE_NAME / 2 + 2];
    uint64_t h = 1469598103934665603ull;
    uint8_t prev = 0;
    size_t i = n;
    for (;;) {
        size_t end = i;
        while (i > 0 && host[i - 1] != '.')
            h = rstep(h, (unsigned char)host[--i]);
        start[++k] = i;
        const struct rk__la_psl_rule *r = find(lk, rfinal(h), host + i, n - i);
        uint8_t f = r ? r->kind : 0;
        (void)end;
        if (f & F_EXCEPTION) {
            ps = k - 1;
            break;
        }
        /* A rule, libpsl's reading of a wildcard's base as a suffix, or the wildcard of the
         * suffix one label shorter. */
        if ((f & (F_RULE | F_WILD)) || (prev & F_WILD))
            ps = k;
        if (f == 0 || !(f & (F_PARENT | F_WILD)) || i == 0)
            break;
        prev = f;
        h = rstep(h, '.');
        i--;
    }
    /* The registrable domain is one label more than the public suffix. */
    if (ps + 1 <= k)
        return host + start[ps + 1];
    /* Labels beyond the walk: find the start of label ps + 1 directly. */
    size_t labels = k, j = start[k];
    while (j > 0 && labels < ps + 1) {
        j--;
        while (j > 0 && host[j - 1] != '.')
            j--;
        labels++;
    }
    return labels == ps + 1 ? host + j : NULL;
}
