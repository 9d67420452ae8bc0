/*
 * The patrol dictionary: parses the line-based rule files of engines/patrol/dict/ (format in
 * docs/patrol.md) and compiles every pattern of every file into one Vectorscan database.
 *
 * Literal patterns are written as people write them and are normalised by the same normaliser
 * as the text, so "闇バイト" in a file also matches "ﾔﾐ ﾊﾞｲﾄ" in a post. Regex patterns are folded
 * one code point at a time (ASCII, which carries the regex syntax, is left alone), so their
 * Japanese parts are in the same spelling as the normalised text.
 *
 * A malformed line is rejected with "file:line: reason" and the dictionary is left as it was, so
 * a typo never silently removes a rule.
 */
#include "renkei/patrol.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "patrol-int.h"
#include "renkei/alloc.h"
#include "renkei/limits.h"

#define MAX_CONTEXTS         64
#define DEFAULT_WINDOW_CHARS 30

enum rk_status rk_patrol_dict_create(const struct rk_patrol_norm *n, struct rk_patrol_dict **out)
{
    struct rk_patrol_dict *d = rk_calloc(1, sizeof *d);
    if (d == NULL)
        return RK_ENOMEM;
    d->norm = n;
    *out = d;
    return RK_OK;
}

static void pattern_free(struct rk__patrol_pattern *p)
{
    if (p->som_db != NULL)
        hs_free_database(p->som_db);
    rk_free(p->id);
    rk_free(p->file);
    rk_free(p->expr);
}

/* Drops everything added after the given counts (the rollback of a failed parse). */
static void truncate_to(struct rk_patrol_dict *d, size_t cats, size_t ctxs, size_t pats,
                        size_t rules)
{
    while (d->n_cats > cats) {
        d->n_cats--;
        rk_free(d->cats[d->n_cats].key);
        rk_free(d->cats[d->n_cats].label);
    }
    while (d->n_ctxs > ctxs) {
        d->n_ctxs--;
        rk_free(d->ctxs[d->n_ctxs].name);
    }
    while (d->n_pats > pats) {
        d->n_pats--;
        pattern_free(&d->pats[d->n_pats]);
    }
    d->n_rules = rules;
}

void rk_patrol_dict_destroy(struct rk_patrol_dict *d)
{
    if (d == NULL)
        return;
    truncate_to(d, 0, 0, 0, 0);
    rk_free(d->cats);
    rk_free(d->ctxs);
    rk_free(d->pats);
    if (d->db != NULL)
        hs_free_database(d->db);
    if (d->pre_db != NULL)
        hs_free_database(d->pre_db);
    rk_free(d);
}

/* ===== Parsing ===== */

struct parse {
    struct rk_patrol_dict *d;
    const char *file;
    size_t line;
    char *err;
    size_t errlen;
    uint64_t regex_weight; /* the file's regexes so far (regex_weight()) */
};

__attribute__((format(printf, 2, 3))) static enum rk_status fail(struct parse *ps, const char *fmt,
                                                                 ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ps->errlen > 0)
        snprintf(ps->err, ps->errlen, "%s:%zu: %s", ps->file, ps->line, msg);
    return RK_EINVAL;
}

/* Splits off the next whitespace-separated token of [*p, end); returns its length (0 at end). */
static size_t next_token(const char **p, const char *end, const char **tok)
{
    const char *s = *p;
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    const char *t = s;
    while (t < end && *t != ' ' && *t != '\t')
        t++;
    *tok = s;
    *p = t;
    return (size_t)(t - s);
}

static int tok_is(const char *tok, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(tok, word, len) == 0;
}

static int valid_name(const char *s, size_t len, size_t max)
{
    if (len == 0 || len > max)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Parses a decimal number such as 0.5, -1 or 2.25 within [lo, hi]. */
static int parse_number(const char *s, size_t len, double lo, double hi, double *out)
{
    char tmp[32];
    if (len == 0 || len >= sizeof tmp)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || c == '.' || (c == '-' && i == 0)))
            return 0;
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end = NULL;
    errno = 0;
    double v = strtod(tmp, &end);
    if (errno != 0 || end != tmp + len || !isfinite(v) || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static int find_category(const struct rk_patrol_dict *d, const char *s, size_t len)
{
    for (size_t i = 0; i < d->n_cats; i++)
        if (tok_is(s, len, d->cats[i].key))
            return (int)i;
    return -1;
}

static int find_context(const struct rk_patrol_dict *d, const char *s, size_t len)
{
    for (size_t i = 0; i < d->n_ctxs; i++)
        if (tok_is(s, len, d->ctxs[i].name))
            return (int)i;
    return -1;
}

static int find_rule_id(const struct rk_patrol_dict *d, const char *s, size_t len)
{
    for (size_t i = 0; i < d->n_pats; i++)
        if (d->pats[i].category >= 0 && tok_is(s, len, d->pats[i].id))
            return 1;
    return 0;
}

static enum rk_status grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return RK_OK;
    size_t nc = *cap ? *cap * 2 : 64;
    void *p = rk_reallocarray(*arr, nc, elem);
    if (p == NULL)
        return RK_ENOMEM;
    *arr = p;
    *cap = nc;
    return RK_OK;
}

/*
 * The positions a regex expands to through its counted repeats: every atom counts one, a group
 * the sum of what it holds (alternatives added, which over-counts and is safe), and "{m}",
 * "{m,}" or "{m,n}" multiplies the atom or group before it by its largest count. "*", "+" and
 * "?" do not multiply (Hyperscan compiles them as loops). Escapes, "\\x{..}"/"\\p{..}" and
 * bracket classes are one atom. Saturates at UINT64_MAX / 2.
 */
static uint64_t regex_weight(const char *p, size_t n)
{
    enum { DEPTH = 64 };
    const uint64_t cap = UINT64_MAX / 4;
    uint64_t sum[DEPTH], last[DEPTH];
    unsigned d = 0;
    sum[0] = last[0] = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        uint64_t atom = 1;
        if (c == '(') {
            if (d + 1 < DEPTH) {
                d++;
                sum[d] = last[d] = 0;
            }
            continue;
        }
        if (c == ')') {
            if (d == 0)
                continue; /* unbalanced: hs_compile() reports it */
            atom = sum[d] > 0 ? sum[d] : 1;
            d--;
        } else if (c == '|') {
            last[d] = 0;
            continue;
        } else if (c == '{') {
            size_t j = i + 1;
            uint64_t lo = 0, hi = 0;
            int digits = 0, comma = 0, hid = 0;
            while (j < n && p[j] >= '0' && p[j] <= '9' && lo < 100000)
                lo = lo * 10 + (uint64_t)(p[j++] - '0'), digits++;
            if (j < n && p[j] == ',') {
                comma = 1;
                j++;
                while (j < n && p[j] >= '0' && p[j] <= '9' && hi < 100000)
                    hi = hi * 10 + (uint64_t)(p[j++] - '0'), hid++;
            }
            if (digits > 0 && j < n && p[j] == '}') {
                uint64_t k = comma && hid > 0 ? hi : lo;
                if (k < 1)
                    k = 1;
                /* The atom before was counted once; it now counts k times. */
                uint64_t extra = last[d] * (k - 1);
                sum[d] = sum[d] + extra > cap ? cap : sum[d] + extra;
                last[d] = last[d] * k > cap ? cap : last[d] * k;
                i = j;
                continue;
            }
        } else if (c == '\\') {
            if (i + 2 < n && (p[i + 1] == 'x' || p[i + 1] == 'p' || p[i + 1] == 'P') &&
                p[i + 2] == '{') {
                const char *e = memchr(p + i + 2, '}', n - i - 2);
                i = e != NULL ? (size_t)(e - p) : n;
            } else {
                i++;
            }
        } else if (c == '[') {
            size_t j = i + 1;
            if (j < n && p[j] == '^')
                j++;
            if (j < n && p[j] == ']')
                j++;
            while (j < n && p[j] != ']')
                j += p[j] == '\\' ? 2 : 1;
            i = j;
        } else if (c == '*' || c == '+' || c == '?') {
            continue;
        } else if ((unsigned char)c >= 0x80 && ((unsigned char)c & 0xc0) == 0x80) {
            continue; /* a UTF-8 continuation byte: part of the atom before */
        }
        last[d] = atom;
        sum[d] = sum[d] + atom > cap ? cap : sum[d] + atom;
    }
    while (d > 0) { /* unclosed groups: hs_compile() reports them; count what they hold */
        uint64_t g = sum[d--];
        sum[d] = sum[d] + g > cap ? cap : sum[d] + g;
    }
    return sum[0];
}

/* Turns a pattern token into the expression compiled (normalised literal or folded regex). */
static enum rk_status make_expr(struct parse *ps, int kind, const char *pat, size_t len,
                                char **expr, size_t *expr_len, hs_database_t **som_db)
{
    enum rk_status rc = RK_OK;
    struct rk_buf b;
    struct rk_patrol_text t;
    rk_buf_init(&b, 4 * RK_MAX_PATROL_PATTERN);
    rk_patrol_text_init(&t);
    if (kind == RK__PATROL_LIT) {
        rc = rk_patrol_normalise(ps->d->norm, pat, len, &t);
        if (rc != RK_OK)
            goto out;
        if (t.n_invalid > 0) {
            rc = fail(ps, "pattern is not valid UTF-8");
            goto out;
        }
        rc = rk_buf_add(&b, t.data, t.len);
    } else {
        const unsigned char *p = (const unsigned char *)pat;
        size_t i = 0;
        while (i < len && rc == RK_OK) {
            uint32_t cp = 0;
            size_t l = rk__patrol_utf8_get(p + i, len - i, &cp);
            if (l == 0) {
                rc = fail(ps, "pattern is not valid UTF-8");
                goto out;
            }
            if (cp < 0x80)
                rc = rk_buf_addc(&b, (char)cp);
            else
                rc = rk__patrol_fold_cp(ps->d->norm, cp, &b);
            i += l;
        }
    }
    if (rc != RK_OK)
        goto out;
    if (b.len == 0) {
        rc = fail(ps, "pattern '%.*s' normalises to nothing", (int)len, pat);
        goto out;
    }
    if (kind == RK__PATROL_RE) {
        uint64_t w = regex_weight(b.data, b.len);
        if (w > RK_MAX_PATROL_REGEX_WEIGHT) {
            rc = fail(ps, "regex '%.*s' repeats too much: its counted repeats expand it to more "
                      "than %u positions", (int)len, pat, RK_MAX_PATROL_REGEX_WEIGHT);
            goto out;
        }
        ps->regex_weight += w;
        if (ps->regex_weight > RK_MAX_PATROL_REGEX_FILE_WEIGHT) {
            rc = fail(ps, "the file's regexes expand to more than %u positions in all (counted "
                      "repeats); split the file or use fewer repeats",
                      RK_MAX_PATROL_REGEX_FILE_WEIGHT);
            goto out;
        }
    }
    if (kind == RK__PATROL_RE) {
        /* Compiled alone here, with start-of-match, so that a bad regex is reported with its
         * file and line, and kept to find the start of this regex's hits (patrol-int.h). */
        hs_compile_error_t *cerr = NULL;
        if (hs_compile(b.data, HS_FLAG_UTF8 | HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, NULL, som_db,
                       &cerr) != HS_SUCCESS) {
            rc = fail(ps, "bad regex '%.*s': %s", (int)len, pat, cerr ? cerr->message : "rejected");
            hs_free_compile_error(cerr);
            *som_db = NULL;
            goto out;
        }
    }
    *expr_len = b.len;
    *expr = rk_buf_steal(&b);
    if (*expr == NULL)
        rc = RK_ENOMEM;
out:
    if (rc != RK_OK && *som_db != NULL) {
        hs_free_database(*som_db);
        *som_db = NULL;
    }
    rk_buf_free(&b);
    rk_patrol_text_free(&t);
    return rc;
}

static enum rk_status parse_category(struct parse *ps, const char *p, const char *end)
{
    struct rk_patrol_dict *d = ps->d;
    const char *key, *thr;
    size_t kl = next_token(&p, end, &key);
    size_t tl = next_token(&p, end, &thr);
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    size_t ll = (size_t)(end - p);
    double threshold = 0;
    if (!valid_name(key, kl, 64))
        return fail(ps, "category needs a key of [A-Za-z0-9._-], up to 64 bytes");
    if (!parse_number(thr, tl, 0.01, 100, &threshold))
        return fail(ps, "category threshold must be a number from 0.01 to 100");
    if (ll == 0)
        return fail(ps, "category needs a label after the threshold");
    if (find_category(d, key, kl) >= 0)
        return fail(ps, "category '%.*s' is already defined", (int)kl, key);
    if (grow((void **)&d->cats, &d->cap_cats, d->n_cats, sizeof *d->cats) != RK_OK)
        return RK_ENOMEM;
    struct rk__patrol_category *c = &d->cats[d->n_cats];
    c->key = rk_strndup(key, kl);
    c->label = rk_strndup(p, ll);
    c->pub.key = c->key;
    c->pub.label = c->label;
    c->pub.threshold = threshold;
    if (c->key == NULL || c->label == NULL) {
        rk_free(c->key);
        rk_free(c->label);
        return RK_ENOMEM;
    }
    d->n_cats++;
    return RK_OK;
}

/* Splits a "lit:<pattern>" or "re:<pattern>" token into its kind and pattern. */
static enum rk_status parse_kind(struct parse *ps, const char *tok, size_t len, int *kind,
                                 const char **pat, size_t *pat_len)
{
    size_t skip;
    if (len >= 4 && memcmp(tok, "lit:", 4) == 0) {
        *kind = RK__PATROL_LIT;
        skip = 4;
    } else if (len >= 3 && memcmp(tok, "re:", 3) == 0) {
        *kind = RK__PATROL_RE;
        skip = 3;
    } else {
        return fail(ps, "pattern must be lit:<text> or re:<regex>, not '%.*s'",
                    (int)(len > 40 ? 40 : len), tok);
    }
    *pat = tok + skip;
    *pat_len = len - skip;
    if (*pat_len == 0)
        return fail(ps, "empty pattern after '%.*s'", (int)skip, tok);
    if (*pat_len > RK_MAX_PATROL_PATTERN)
        return fail(ps, "pattern longer than %u bytes", RK_MAX_PATROL_PATTERN);
    return RK_OK;
}

static enum rk_status add_pattern(struct parse *ps, struct rk__patrol_pattern *np)
{
    struct rk_patrol_dict *d = ps->d;
    if (d->n_pats >= RK_MAX_PATROL_RULES) {
        pattern_free(np);
        if (ps->errlen > 0)
            snprintf(ps->err, ps->errlen, "%s:%zu: more than %u patterns", ps->file, ps->line,
                     RK_MAX_PATROL_RULES);
        return RK_ETOOBIG;
    }
    np->file = rk_strdup(ps->file);
    if (np->file == NULL ||
        grow((void **)&d->pats, &d->cap_pats, d->n_pats, sizeof *d->pats) != RK_OK) {
        pattern_free(np);
        return RK_ENOMEM;
    }
    np->line = ps->line;
    d->pats[d->n_pats++] = *np;
    return RK_OK;
}

static enum rk_status parse_context(struct parse *ps, const char *p, const char *end)
{
    struct rk_patrol_dict *d = ps->d;
    const char *name, *kt, *pat = NULL, *extra;
    size_t nl = next_token(&p, end, &name);
    size_t kl = next_token(&p, end, &kt);
    size_t pl = 0;
    int kind = 0;
    if (!valid_name(name, nl, 64))
        return fail(ps, "context needs a name of [A-Za-z0-9._-], up to 64 bytes");
    enum rk_status rc = parse_kind(ps, kt, kl, &kind, &pat, &pl);
    if (rc != RK_OK)
        return rc;
    if (next_token(&p, end, &extra) != 0)
        return fail(ps, "unexpected '%.*s' after the pattern", (int)(end - extra), extra);
    int ci = find_context(d, name, nl);
    if (ci < 0) {
        if (d->n_ctxs >= MAX_CONTEXTS)
            return fail(ps, "more than %d context names", MAX_CONTEXTS);
        if (grow((void **)&d->ctxs, &d->cap_ctxs, d->n_ctxs, sizeof *d->ctxs) != RK_OK)
            return RK_ENOMEM;
        d->ctxs[d->n_ctxs].name = rk_strndup(name, nl);
        if (d->ctxs[d->n_ctxs].name == NULL)
            return RK_ENOMEM;
        ci = (int)d->n_ctxs++;
    }
    struct rk__patrol_pattern np = {0};
    np.kind = kind;
    np.category = -1;
    np.context = ci;
    rc = make_expr(ps, kind, pat, pl, &np.expr, &np.expr_len, &np.som_db);
    if (rc != RK_OK)
        return rc;
    struct rk_buf id;
    rk_buf_init(&id, 128);
    if (rk_buf_addf(&id, "ctx:%.*s", (int)nl, name) != RK_OK ||
        (np.id = rk_buf_steal(&id)) == NULL) {
        rk_buf_free(&id);
        pattern_free(&np);
        return RK_ENOMEM;
    }
    return add_pattern(ps, &np);
}

static enum rk_status parse_option(struct parse *ps, const char *tok, size_t len,
                                   struct rk__patrol_pattern *np)
{
    if (len > 5 && memcmp(tok, "near=", 5) == 0) {
        const char *s = tok + 5, *e = tok + len;
        while (s < e) {
            const char *c = memchr(s, ',', (size_t)(e - s));
            if (c == NULL)
                c = e;
            int ci = find_context(ps->d, s, (size_t)(c - s));
            if (ci < 0)
                return fail(ps, "unknown context '%.*s' (define it before use)", (int)(c - s), s);
            np->near_mask |= (uint64_t)1 << ci;
            s = c + 1;
        }
        return RK_OK;
    }
    if (len > 7 && memcmp(tok, "window=", 7) == 0) {
        double w = 0;
        if (!parse_number(tok + 7, len - 7, 1, 1000, &w) || w != floor(w))
            return fail(ps, "window must be a whole number of characters from 1 to 1000");
        np->window = (uint32_t)w * 3u;
        return RK_OK;
    }
    return fail(ps, "unknown option '%.*s' (near=, window=)", (int)len, tok);
}

static enum rk_status parse_rule(struct parse *ps, const char *p, const char *end)
{
    struct rk_patrol_dict *d = ps->d;
    const char *id, *cat, *wt, *kt, *pat = NULL, *opt;
    size_t il = next_token(&p, end, &id);
    size_t cl = next_token(&p, end, &cat);
    size_t wl = next_token(&p, end, &wt);
    size_t kl = next_token(&p, end, &kt);
    size_t pl = 0;
    if (!valid_name(id, il, 64))
        return fail(ps, "rule needs an id of [A-Za-z0-9._-], up to 64 bytes");
    if (find_rule_id(d, id, il))
        return fail(ps, "rule id '%.*s' is already used", (int)il, id);
    int ci = find_category(d, cat, cl);
    if (ci < 0)
        return fail(ps, "unknown category '%.*s' (define it before use)", (int)cl, cat);
    struct rk__patrol_pattern np = {0};
    if (!parse_number(wt, wl, -10, 10, &np.weight) || np.weight == 0)
        return fail(ps, "weight must be a non-zero number from -10 to 10");
    enum rk_status rc = parse_kind(ps, kt, kl, &np.kind, &pat, &pl);
    if (rc != RK_OK)
        return rc;
    np.category = ci;
    np.context = -1;
    np.window = DEFAULT_WINDOW_CHARS * 3u;
    size_t ol;
    while ((ol = next_token(&p, end, &opt)) != 0) {
        rc = parse_option(ps, opt, ol, &np);
        if (rc != RK_OK)
            return rc;
    }
    rc = make_expr(ps, np.kind, pat, pl, &np.expr, &np.expr_len, &np.som_db);
    if (rc != RK_OK)
        return rc;
    np.id = rk_strndup(id, il);
    if (np.id == NULL) {
        pattern_free(&np);
        return RK_ENOMEM;
    }
    rc = add_pattern(ps, &np);
    if (rc == RK_OK)
        d->n_rules++;
    return rc;
}

static enum rk_status parse_line(struct parse *ps, const char *p, const char *end)
{
    const char *kw;
    size_t kl = next_token(&p, end, &kw);
    if (kl == 0 || kw[0] == '#')
        return RK_OK;
    if (tok_is(kw, kl, "category"))
        return parse_category(ps, p, end);
    if (tok_is(kw, kl, "context"))
        return parse_context(ps, p, end);
    if (tok_is(kw, kl, "rule"))
        return parse_rule(ps, p, end);
    return fail(ps, "unknown directive '%.*s' (category, context, rule)", (int)(kl > 40 ? 40 : kl),
                kw);
}

enum rk_status rk_patrol_dict_parse(struct rk_patrol_dict *d, const char *name, const char *text,
                                    size_t len, char *err, size_t errlen)
{
    struct parse ps = {d, name, 0, err, errlen, 0};
    if (errlen > 0)
        err[0] = '\0';
    if (d->db != NULL) {
        if (errlen > 0)
            snprintf(err, errlen, "%s: dictionary is already compiled", name);
        return RK_ECONFLICT;
    }
    if (len > RK_MAX_PATROL_DICT_FILE) {
        if (errlen > 0)
            snprintf(err, errlen, "%s: larger than %u bytes", name, RK_MAX_PATROL_DICT_FILE);
        return RK_ETOOBIG;
    }
    size_t cats = d->n_cats, ctxs = d->n_ctxs, pats = d->n_pats, rules = d->n_rules;
    enum rk_status rc = RK_OK;
    const char *p = text, *end = text + len;
    while (p < end && rc == RK_OK) {
        ps.line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        if (le > p && le[-1] == '\r')
            le--;
        if ((size_t)(le - p) > RK_MAX_PATROL_PATTERN * 4u)
            rc = fail(&ps, "line longer than %u bytes", RK_MAX_PATROL_PATTERN * 4u);
        else if (memchr(p, '\0', (size_t)(le - p)) != NULL)
            rc = fail(&ps, "NUL byte in line");
        else
            rc = parse_line(&ps, p, le);
        p = next;
    }
    if (rc != RK_OK) {
        if (rc == RK_ENOMEM && errlen > 0)
            snprintf(err, errlen, "%s:%zu: out of memory", name, ps.line);
        truncate_to(d, cats, ctxs, pats, rules);
    }
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum rk_status read_file(const char *path, struct rk_buf *b)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return RK_EIO;
    enum rk_status rc = RK_OK;
    char chunk[65536];
    size_t got;
    while (rc == RK_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = rk_buf_add(b, chunk, got);
    if (rc == RK_OK && ferror(f))
        rc = RK_EIO;
    fclose(f);
    return rc;
}

enum rk_status rk_patrol_dict_load_dir(struct rk_patrol_dict *d, const char *dir, char *err,
                                       size_t errlen)
{
    enum rk_status rc = RK_OK;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct rk_buf path, body;
    rk_buf_init(&path, 8192);
    rk_buf_init(&body, RK_MAX_PATROL_DICT_FILE);
    DIR *dh = opendir(dir);
    if (dh == NULL) {
        snprintf(err, errlen, "%s: cannot open dictionary directory: %s", dir, strerror(errno));
        rc = RK_EIO;
        goto out;
    }
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 7 || strcmp(e->d_name + l - 6, ".rules") != 0)
            continue;
        if (grow((void **)&names, &cap, n, sizeof *names) != RK_OK ||
            (names[n] = rk_strdup(e->d_name)) == NULL) {
            rc = RK_ENOMEM;
            goto out;
        }
        n++;
    }
    if (n == 0) {
        snprintf(err, errlen, "%s: no *.rules files", dir);
        rc = RK_EIO;
        goto out;
    }
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        rk_buf_reset(&path);
        rk_buf_reset(&body);
        rc = rk_buf_addf(&path, "%s/%s", dir, names[i]);
        if (rc != RK_OK)
            goto out;
        rc = read_file(path.data, &body);
        if (rc != RK_OK) {
            snprintf(err, errlen, "%s: cannot read (%s)", path.data,
                     rc == RK_ETOOBIG ? "too big" : strerror(errno));
            goto out;
        }
        rc = rk_patrol_dict_parse(d, names[i], body.data ? body.data : "", body.len, err, errlen);
        if (rc != RK_OK)
            goto out;
    }
out:
    if (dh != NULL)
        closedir(dh);
    for (size_t i = 0; i < n; i++)
        rk_free(names[i]);
    rk_free(names);
    rk_buf_free(&path);
    rk_buf_free(&body);
    return rc;
}

/* ===== Compiling ===== */

/* Writes a literal as an escaped expression: every byte outside [0-9a-z] as \xHH. */
static enum rk_status escape_literal(const char *s, size_t len, struct rk_buf *b, int ere)
{
    enum rk_status rc = RK_OK;
    for (size_t i = 0; i < len && rc == RK_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c >= 0x80)
            rc = rk_buf_addc(b, (char)c);
        else if (ere)
            rc = c == '^' ? rk_buf_adds(b, "\\^") : rk_buf_addf(b, "[%c]", c);
        else
            rc = rk_buf_addf(b, "\\x%02x", c);
    }
    return rc;
}

enum rk_status rk_patrol_dict_compile(struct rk_patrol_dict *d, char *err, size_t errlen)
{
    enum rk_status rc = RK_OK;
    if (errlen > 0)
        err[0] = '\0';
    if (d->db != NULL)
        return RK_ECONFLICT;
    if (d->n_rules == 0) {
        snprintf(err, errlen, "dictionary has no rules");
        return RK_EINVAL;
    }
    size_t n = d->n_pats;
    char **exprs = rk_calloc(n, sizeof *exprs);
    unsigned *flags = rk_calloc(n, sizeof *flags);
    unsigned *ids = rk_calloc(n, sizeof *ids);
    const char **pre_exprs = NULL;
    unsigned *pre_flags = NULL, *pre_ids = NULL;
    struct rk_buf b;
    rk_buf_init(&b, 64u * RK_MAX_PATROL_PATTERN);
    if (exprs == NULL || flags == NULL || ids == NULL) {
        rc = RK_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const struct rk__patrol_pattern *p = &d->pats[i];
        rk_buf_reset(&b);
        if (p->kind == RK__PATROL_LIT)
            rc = escape_literal(p->expr, p->expr_len, &b, 0);
        else
            rc = rk_buf_add(&b, p->expr, p->expr_len);
        if (rc != RK_OK || (exprs[i] = rk_buf_steal(&b)) == NULL) {
            rc = rc != RK_OK ? rc : RK_ENOMEM;
            goto out;
        }
        ids[i] = (unsigned)i;
        /* A rule without a context needs only its first hit in a record; rules with a context,
         * and context patterns, need every hit to measure distances. */
        flags[i] = 0;
        if (p->category >= 0 && p->near_mask == 0)
            flags[i] |= HS_FLAG_SINGLEMATCH;
        if (p->kind == RK__PATROL_RE)
            flags[i] |= HS_FLAG_UTF8;
    }
    hs_compile_error_t *cerr = NULL;
    if (hs_compile_multi((const char *const *)exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL,
                         &d->db, &cerr) != HS_SUCCESS) {
        if (cerr != NULL && cerr->expression >= 0 && (size_t)cerr->expression < n) {
            const struct rk__patrol_pattern *p = &d->pats[cerr->expression];
            snprintf(err, errlen, "%s:%zu: Vectorscan rejected the pattern: %s", p->file, p->line,
                     cerr->message);
        } else {
            snprintf(err, errlen, "Vectorscan compile failed: %s",
                     cerr ? cerr->message : "unknown error");
        }
        hs_free_compile_error(cerr);
        d->db = NULL;
        rc = RK_EINVAL;
        goto out;
    }
    /* The prefilter (see patrol-int.h): the positive rules only, each reported once. The
     * patterns were accepted just above, so a failure here is one of resources. */
    pre_exprs = rk_calloc(n, sizeof *pre_exprs);
    pre_flags = rk_calloc(n, sizeof *pre_flags);
    pre_ids = rk_calloc(n, sizeof *pre_ids);
    if (pre_exprs == NULL || pre_flags == NULL || pre_ids == NULL) {
        hs_free_database(d->db);
        d->db = NULL;
        rc = RK_ENOMEM;
        goto out;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct rk__patrol_pattern *p = &d->pats[i];
        if (p->category < 0 || p->weight <= 0)
            continue;
        pre_exprs[k] = exprs[i];
        pre_ids[k] = ids[i];
        pre_flags[k] = HS_FLAG_SINGLEMATCH | (p->kind == RK__PATROL_RE ? HS_FLAG_UTF8 : 0);
        k++;
    }
    if (k > 0 && hs_compile_multi(pre_exprs, pre_flags, pre_ids, (unsigned)k, HS_MODE_BLOCK, NULL,
                                  &d->pre_db, &cerr) != HS_SUCCESS) {
        snprintf(err, errlen, "Vectorscan compile of the prefilter failed: %s",
                 cerr ? cerr->message : "unknown error");
        hs_free_compile_error(cerr);
        hs_free_database(d->db);
        d->db = NULL;
        d->pre_db = NULL;
        rc = RK_ENOMEM;
        goto out;
    }
out:
    for (size_t i = 0; exprs != NULL && i < n; i++)
        rk_free(exprs[i]);
    rk_free(exprs);
    rk_free(flags);
    rk_free(ids);
    rk_free(pre_exprs);
    rk_free(pre_flags);
    rk_free(pre_ids);
    rk_buf_free(&b);
    return rc;
}

size_t rk_patrol_dict_rule_count(const struct rk_patrol_dict *d)
{
    return d->n_rules;
}

size_t rk_patrol_dict_pattern_count(const struct rk_patrol_dict *d)
{
    return d->n_pats;
}

size_t rk_patrol_dict_category_count(const struct rk_patrol_dict *d)
{
    return d->n_cats;
}

const struct rk_patrol_category *rk_patrol_dict_category(const struct rk_patrol_dict *d, size_t i)
{
    if (i >= d->n_cats)
        return NULL;
    return &d->cats[i].pub;
}

enum rk_status rk_patrol_dict_export_ere(const struct rk_patrol_dict *d, struct rk_buf *out)
{
    enum rk_status rc = RK_OK;
    for (size_t i = 0; i < d->n_pats && rc == RK_OK; i++) {
        const struct rk__patrol_pattern *p = &d->pats[i];
        if (p->kind == RK__PATROL_LIT)
            rc = escape_literal(p->expr, p->expr_len, out, 1);
        else
            rc = rk_buf_add(out, p->expr, p->expr_len);
        if (rc == RK_OK)
            rc = rk_buf_addc(out, '\n');
    }
    return rc;
}
