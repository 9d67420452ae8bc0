/*
 * The brand list: its parser, the detector object that owns the brands, and compilation.
 *
 * The list format (docs/lookalike.md) is line-oriented so that analysts can edit it by hand and
 * review changes line by line:
 *
 *     brand rakuten
 *       ja: 楽天
 *       en: Rakuten
 *       sector: ec
 *       domains: rakuten.co.jp rakuten.com
 *       labels: rakuten
 *       keywords: rakutenichiba 楽天
 *
 * A text is parsed into a staging area first and appended only when all of it is valid, so a
 * bad file adds nothing (the rule "bad input changes nothing").
 */
#include "lookalike-int.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/limits.h"

static const char *const sectors[] = {
    "credit",  "ec",      "securities", "bank",       "utility", "delivery", "transport",
    "airline", "telecom", "online",     "government", "payment", NULL,
};

/* ===== Object life cycle ===== */

enum rk_status rk_lookalike_create(struct rk_lookalike **out)
{
    *out = NULL;
    struct rk_lookalike *lk = rk_calloc(1, sizeof *lk);
    if (lk == NULL)
        return RK_ENOMEM;
    *out = lk;
    return RK_OK;
}

static void brand_free(struct rk__la_brand *b)
{
    rk_free(b->id);
    rk_free(b->name_ja);
    rk_free(b->name_en);
    rk_free(b->sector);
}

void rk_lookalike_destroy(struct rk_lookalike *lk)
{
    if (lk == NULL)
        return;
    for (size_t i = 0; i < lk->nbrands; i++)
        brand_free(&lk->brands[i]);
    for (size_t i = 0; i < lk->nterms; i++)
        rk_free(lk->terms[i].text);
    for (size_t i = 0; i < lk->nlegit; i++)
        rk_free(lk->legit[i].domain);
    rk_free(lk->brands);
    rk_free(lk->terms);
    rk_free(lk->legit);
    rk_free(lk->delta);
    rk_free(lk->out_term);
    rk_free(lk->dict);
    rk_free(lk->outs);
    rk_free(lk->ed_next);
    rk_free(lk->ed_mask);
    rk__la_table_free(&lk->leg);
    rk__la_table_free(&lk->legpar);
    rk__la_table_free(&lk->words);
    if (lk->psl != NULL)
        psl_free(lk->psl);
    rk__la_psl_free(lk);
    if (lk->spoof != NULL)
        uspoof_close(lk->spoof);
    rk_free(lk);
}

const char *rk_lookalike_errmsg(const struct rk_lookalike *lk)
{
    return lk->errmsg;
}

size_t rk_lookalike_brand_count(const struct rk_lookalike *lk)
{
    return lk->nbrands;
}

void rk_lookalike_brand(const struct rk_lookalike *lk, size_t idx,
                        struct rk_lookalike_brand_info *out)
{
    const struct rk__la_brand *b = &lk->brands[idx];
    out->id = b->id;
    out->name_ja = b->name_ja ? b->name_ja : b->id;
    out->name_en = b->name_en ? b->name_en : b->id;
    out->sector = b->sector;
}

static void set_err(struct rk_lookalike *lk, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_err(struct rk_lookalike *lk, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lk->errmsg, sizeof lk->errmsg, fmt, ap);
    va_end(ap);
}

/* ===== Parser ===== */

/* Growable arrays of the staging area, appended to the detector on success. */
static enum rk_status grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return RK_OK;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = rk_reallocarray(*arr, ncap, elem);
    if (p == NULL)
        return RK_ENOMEM;
    *arr = p;
    *cap = ncap;
    return RK_OK;
}

/* Returns 1 when s[0..n) is valid UTF-8 without control characters (but tab, CR and LF when
 * `ws` is set). */
static int valid_utf8_ws(const unsigned char *s, size_t n, int ws)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        if (c < 0x80) {
            if ((c < 0x20 || c == 0x7f) && !(ws && (c == '\t' || c == '\n' || c == '\r')))
                return 0;
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            k = 1;
        else if (c >= 0xe0 && c <= 0xef)
            k = 2;
        else if (c >= 0xf0 && c <= 0xf4)
            k = 3;
        else
            return 0;
        if (i + k >= n)
            return 0;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
        /* Reject overlong three-byte forms and surrogates. */
        if (c == 0xe0 && s[i + 1] < 0xa0)
            return 0;
        if (c == 0xed && s[i + 1] >= 0xa0)
            return 0;
        if (c == 0xf0 && s[i + 1] < 0x90)
            return 0;
        if (c == 0xf4 && s[i + 1] >= 0x90)
            return 0;
        i += k + 1;
    }
    return 1;
}

static int valid_utf8(const unsigned char *s, size_t n)
{
    return valid_utf8_ws(s, n, 0);
}

int rk__la_valid_utf8(const unsigned char *s, size_t n)
{
    return valid_utf8_ws(s, n, 0);
}

int rk__la_valid_text(const unsigned char *s, size_t n)
{
    return valid_utf8_ws(s, n, 1);
}

struct stage {
    struct rk__la_brand *brands;
    size_t nbrands, capbrands;
    struct rk__la_term *terms;
    size_t nterms, capterms;
    struct rk__la_legit *legit;
    size_t nlegit, caplegit;
    size_t per_brand; /* terms + domains of the current brand */
};

static void stage_free(struct stage *st)
{
    for (size_t i = 0; i < st->nbrands; i++)
        brand_free(&st->brands[i]);
    for (size_t i = 0; i < st->nterms; i++)
        rk_free(st->terms[i].text);
    for (size_t i = 0; i < st->nlegit; i++)
        rk_free(st->legit[i].domain);
    rk_free(st->brands);
    rk_free(st->terms);
    rk_free(st->legit);
}

/* A brand id: [a-z0-9-], 1..40 bytes. */
static int valid_id(const char *s, size_t n)
{
    if (n == 0 || n > RK_MAX_LOOKALIKE_TERM)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
    }
    return 1;
}

/* A legitimate domain: lowercase ASCII name with at least one dot. */
static int valid_domain(const char *s, size_t n)
{
    if (n < 3 || n > RK_MAX_LOOKALIKE_NAME || s[0] == '.' || s[n - 1] == '.')
        return 0;
    int dots = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (s[i + 1] == '.')
                return 0;
            dots++;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            return 0;
        }
    }
    return dots > 0;
}

/* Adds one term; `s` is lowercased and hyphens are dropped (matching works on compact labels). */
static enum rk_status add_term(struct stage *st, const char *s, size_t n, int kind, int *why)
{
    char tmp[RK_MAX_LOOKALIKE_TERM + 1];
    size_t m = 0;
    int ascii = 1;
    if (n > RK_MAX_LOOKALIKE_TERM) {
        *why = 1;
        return RK_ETOOBIG;
    }
    if (!valid_utf8((const unsigned char *)s, n)) {
        *why = 2;
        return RK_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '-')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c >= 0x80) {
            ascii = 0;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            *why = 2;
            return RK_EINVAL;
        }
        tmp[m++] = (char)c;
    }
    if (m < RK_MIN_LOOKALIKE_TERM) {
        *why = 3;
        return RK_EINVAL;
    }
    if (++st->per_brand > RK_MAX_LOOKALIKE_PER_BRAND) {
        *why = 4;
        return RK_ETOOBIG;
    }
    if (grow((void **)&st->terms, &st->capterms, st->nterms, sizeof *st->terms) != RK_OK)
        return RK_ENOMEM;
    char *text = rk_strndup(tmp, m);
    if (text == NULL)
        return RK_ENOMEM;
    struct rk__la_term *t = &st->terms[st->nterms++];
    t->text = text;
    t->len = (uint32_t)m;
    t->brand = (int32_t)st->nbrands - 1;
    t->kind = (uint8_t)kind;
    t->ascii = (uint8_t)ascii;
    /* Distance budget by length (docs/lookalike.md): names under 5 letters are too close to
     * ordinary words for fuzzy matching (only exact and homoglyph matches count for them); two
     * edits only from 9 letters on. */
    t->maxd = (uint8_t)(kind != RK__LA_LABEL || !ascii || m < 5 ? 0 : m < 9 ? 1 : 2);
    return RK_OK;
}

static enum rk_status add_legit(struct stage *st, const char *s, size_t n)
{
    if (++st->per_brand > RK_MAX_LOOKALIKE_PER_BRAND)
        return RK_ETOOBIG;
    if (grow((void **)&st->legit, &st->caplegit, st->nlegit, sizeof *st->legit) != RK_OK)
        return RK_ENOMEM;
    char *d = rk_strndup(s, n);
    if (d == NULL)
        return RK_ENOMEM;
    st->legit[st->nlegit].domain = d;
    st->legit[st->nlegit].brand = (int32_t)st->nbrands - 1;
    st->nlegit++;
    return RK_OK;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Sets *field to a copy of the value; a field given twice is an error. */
static enum rk_status set_field(char **field, const char *v, size_t n)
{
    if (*field != NULL)
        return RK_EINVAL;
    if (!valid_utf8((const unsigned char *)v, n))
        return RK_EINVAL;
    *field = rk_strndup(v, n);
    return *field ? RK_OK : RK_ENOMEM;
}

/* Parses one "key: value" line of the current brand. */
static enum rk_status parse_field(struct rk_lookalike *lk, struct stage *st, const char *origin,
                                  size_t lineno, const char *key, size_t klen, const char *v,
                                  size_t vlen)
{
    struct rk__la_brand *b = &st->brands[st->nbrands - 1];
    enum rk_status rc = RK_OK;
    int why = 0;
#define KEY(s) (klen == sizeof(s) - 1 && memcmp(key, s, klen) == 0)
    if (KEY("ja") || KEY("en")) {
        rc = set_field(KEY("ja") ? &b->name_ja : &b->name_en, v, vlen);
        if (rc == RK_EINVAL)
            set_err(lk, "%s:%zu: name given twice or not UTF-8", origin, lineno);
        return rc;
    }
    if (KEY("sector")) {
        size_t i;
        for (i = 0; sectors[i] != NULL; i++)
            if (strlen(sectors[i]) == vlen && memcmp(sectors[i], v, vlen) == 0)
                break;
        if (sectors[i] == NULL) {
            set_err(lk, "%s:%zu: unknown sector '%.*s'", origin, lineno,
                    (int)(vlen > 40 ? 40 : vlen), v);
            return RK_EINVAL;
        }
        rc = set_field(&b->sector, v, vlen);
        if (rc == RK_EINVAL)
            set_err(lk, "%s:%zu: sector given twice", origin, lineno);
        return rc;
    }
    int kind = KEY("labels")     ? RK__LA_LABEL
               : KEY("keywords") ? RK__LA_KEYWORD
               : KEY("domains")  ? 3
                                 : 0;
#undef KEY
    if (kind == 0) {
        set_err(lk, "%s:%zu: unknown key '%.*s' (ja, en, sector, domains, labels, keywords)",
                origin, lineno, (int)(klen > 40 ? 40 : klen), key);
        return RK_EINVAL;
    }
    size_t i = 0;
    while (i < vlen) {
        while (i < vlen && (is_space(v[i]) || v[i] == ','))
            i++;
        size_t j = i;
        while (j < vlen && !is_space(v[j]) && v[j] != ',')
            j++;
        if (j == i)
            break;
        if (kind == 3) {
            if (!valid_domain(v + i, j - i)) {
                set_err(lk, "%s:%zu: '%.*s' is not a lowercase domain name", origin, lineno,
                        (int)(j - i > 60 ? 60 : j - i), v + i);
                return RK_EINVAL;
            }
            rc = add_legit(st, v + i, j - i);
            why = 4;
        } else {
            rc = add_term(st, v + i, j - i, kind, &why);
        }
        if (rc == RK_EINVAL || rc == RK_ETOOBIG) {
            static const char *const whys[] = {
                "", "longer than 40 bytes", "not made of letters and digits",
                "shorter than 2 letters", "more than 64 entries in one brand"};
            set_err(lk, "%s:%zu: term '%.*s' is %s", origin, lineno, (int)(j - i > 40 ? 40 : j - i),
                    v + i, whys[why]);
            return rc;
        }
        if (rc != RK_OK)
            return rc;
        i = j;
    }
    return RK_OK;
}

static enum rk_status check_brand_complete(struct rk_lookalike *lk, struct stage *st,
                                           const char *origin, size_t lineno)
{
    if (st->nbrands == 0)
        return RK_OK;
    struct rk__la_brand *b = &st->brands[st->nbrands - 1];
    int32_t idx = (int32_t)st->nbrands - 1;
    int has_label = 0, has_domain = 0;
    for (size_t i = 0; i < st->nterms; i++)
        if (st->terms[i].brand == idx && st->terms[i].kind == RK__LA_LABEL)
            has_label = 1;
    for (size_t i = 0; i < st->nlegit; i++)
        if (st->legit[i].brand == idx)
            has_domain = 1;
    if (b->sector == NULL || !has_label || !has_domain) {
        set_err(lk, "%s:%zu: brand '%s' needs a sector, at least one label and one domain", origin,
                lineno, b->id);
        return RK_EINVAL;
    }
    return RK_OK;
}

/* Appends the staging area to the detector; renumbers brand indexes. Cannot fail half-way:
 * all arrays are grown first. */
static enum rk_status commit_stage(struct rk_lookalike *lk, struct stage *st)
{
    size_t nb = lk->nbrands + st->nbrands, nt = lk->nterms + st->nterms,
           nl = lk->nlegit + st->nlegit;
    if (nb > RK_MAX_LOOKALIKE_BRANDS) {
        set_err(lk, "more than %u brands", (unsigned)RK_MAX_LOOKALIKE_BRANDS);
        return RK_ETOOBIG;
    }
    if (nb > lk->capbrands) {
        void *p = rk_reallocarray(lk->brands, nb, sizeof *lk->brands);
        if (p == NULL)
            return RK_ENOMEM;
        lk->brands = p;
        lk->capbrands = nb;
    }
    if (nt > lk->capterms) {
        void *p = rk_reallocarray(lk->terms, nt, sizeof *lk->terms);
        if (p == NULL)
            return RK_ENOMEM;
        lk->terms = p;
        lk->capterms = nt;
    }
    if (nl > lk->caplegit) {
        void *p = rk_reallocarray(lk->legit, nl, sizeof *lk->legit);
        if (p == NULL)
            return RK_ENOMEM;
        lk->legit = p;
        lk->caplegit = nl;
    }
    int32_t base = (int32_t)lk->nbrands;
    memcpy(lk->brands + lk->nbrands, st->brands, st->nbrands * sizeof *st->brands);
    for (size_t i = 0; i < st->nterms; i++) {
        lk->terms[lk->nterms + i] = st->terms[i];
        lk->terms[lk->nterms + i].brand += base;
    }
    for (size_t i = 0; i < st->nlegit; i++) {
        lk->legit[lk->nlegit + i] = st->legit[i];
        lk->legit[lk->nlegit + i].brand += base;
    }
    lk->nbrands = nb;
    lk->nterms = nt;
    lk->nlegit = nl;
    /* The strings now belong to the detector. */
    st->nbrands = st->nterms = st->nlegit = 0;
    return RK_OK;
}

enum rk_status rk_lookalike_add_brands(struct rk_lookalike *lk, const char *text, size_t len,
                                       const char *origin)
{
    struct stage st = {0};
    enum rk_status rc = RK_OK;
    size_t lineno = 0;
    if (origin == NULL)
        origin = "(brands)";
    lk->errmsg[0] = '\0';
    if (lk->compiled) {
        set_err(lk, "brands cannot be added after compilation");
        return RK_ECONFLICT;
    }
    if (len > RK_MAX_LOOKALIKE_LIST_FILE) {
        set_err(lk, "%s: brand list larger than %u bytes", origin,
                (unsigned)RK_MAX_LOOKALIKE_LIST_FILE);
        return RK_ETOOBIG;
    }
    size_t pos = 0;
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        lineno++;
        if (n > RK_MAX_LOOKALIKE_LIST_LINE) {
            set_err(lk, "%s:%zu: line longer than %u bytes", origin, lineno,
                    (unsigned)RK_MAX_LOOKALIKE_LIST_LINE);
            rc = RK_ETOOBIG;
            goto out;
        }
        if (memchr(line, '\0', n) != NULL) {
            set_err(lk, "%s:%zu: NUL byte", origin, lineno);
            rc = RK_EINVAL;
            goto out;
        }
        while (n > 0 && is_space(line[n - 1]))
            n--;
        size_t i = 0;
        while (i < n && is_space(line[i]))
            i++;
        if (i == n || line[i] == '#')
            continue;
        line += i;
        n -= i;
        if (n > 6 && memcmp(line, "brand", 5) == 0 && is_space(line[5])) {
            rc = check_brand_complete(lk, &st, origin, lineno);
            if (rc != RK_OK)
                goto out;
            size_t k = 6;
            while (k < n && is_space(line[k]))
                k++;
            if (!valid_id(line + k, n - k)) {
                set_err(lk, "%s:%zu: brand id must be 1-40 of [a-z0-9-]", origin, lineno);
                rc = RK_EINVAL;
                goto out;
            }
            for (size_t b = 0; b < lk->nbrands + st.nbrands; b++) {
                const char *id = b < lk->nbrands ? lk->brands[b].id : st.brands[b - lk->nbrands].id;
                if (strlen(id) == n - k && memcmp(id, line + k, n - k) == 0) {
                    set_err(lk, "%s:%zu: brand '%s' defined twice", origin, lineno, id);
                    rc = RK_EINVAL;
                    goto out;
                }
            }
            rc = grow((void **)&st.brands, &st.capbrands, st.nbrands, sizeof *st.brands);
            if (rc != RK_OK)
                goto out;
            struct rk__la_brand *b = &st.brands[st.nbrands];
            memset(b, 0, sizeof *b);
            b->id = rk_strndup(line + k, n - k);
            if (b->id == NULL) {
                rc = RK_ENOMEM;
                goto out;
            }
            st.nbrands++;
            st.per_brand = 0;
            if (lk->nbrands + st.nbrands > RK_MAX_LOOKALIKE_BRANDS) {
                set_err(lk, "%s:%zu: more than %u brands", origin, lineno,
                        (unsigned)RK_MAX_LOOKALIKE_BRANDS);
                rc = RK_ETOOBIG;
                goto out;
            }
            continue;
        }
        const char *colon = memchr(line, ':', n);
        if (colon == NULL) {
            set_err(lk, "%s:%zu: expected 'brand <id>' or 'key: value'", origin, lineno);
            rc = RK_EINVAL;
            goto out;
        }
        if (st.nbrands == 0) {
            set_err(lk, "%s:%zu: field before the first 'brand' line", origin, lineno);
            rc = RK_EINVAL;
            goto out;
        }
        size_t klen = (size_t)(colon - line);
        while (klen > 0 && is_space(line[klen - 1]))
            klen--;
        const char *v = colon + 1;
        size_t vlen = n - (size_t)(v - line);
        while (vlen > 0 && is_space(*v)) {
            v++;
            vlen--;
        }
        rc = parse_field(lk, &st, origin, lineno, line, klen, v, vlen);
        if (rc != RK_OK)
            goto out;
    }
    rc = check_brand_complete(lk, &st, origin, lineno);
    if (rc != RK_OK)
        goto out;
    rc = commit_stage(lk, &st);
out:
    if (rc == RK_ENOMEM && lk->errmsg[0] == '\0')
        set_err(lk, "%s: out of memory", origin);
    stage_free(&st);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum rk_status read_file(struct rk_lookalike *lk, const char *path, struct rk_buf *b)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        set_err(lk, "%s: cannot open", path);
        return RK_EIO;
    }
    enum rk_status rc = RK_OK;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rc = rk_buf_add(b, chunk, n);
        if (rc != RK_OK) {
            set_err(lk, "%s: %s", path,
                    rc == RK_ETOOBIG ? "brand list larger than 4 MiB" : "out of memory");
            break;
        }
    }
    if (rc == RK_OK && ferror(f)) {
        set_err(lk, "%s: read error", path);
        rc = RK_EIO;
    }
    fclose(f);
    return rc;
}

enum rk_status rk_lookalike_load_dir(struct rk_lookalike *lk, const char *dir)
{
    enum rk_status rc = RK_OK;
    char **names = NULL;
    size_t nnames = 0, capnames = 0;
    struct rk_buf b;
    rk_buf_init(&b, RK_MAX_LOOKALIKE_LIST_FILE);
    DIR *d = opendir(dir);
    if (d == NULL) {
        set_err(lk, "%s: cannot open brand directory", dir);
        return RK_EIO;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 8 || e->d_name[0] == '.' || strcmp(e->d_name + n - 7, ".brands") != 0)
            continue;
        rc = grow((void **)&names, &capnames, nnames, sizeof *names);
        if (rc != RK_OK)
            goto out;
        names[nnames] = rk_strdup(e->d_name);
        if (names[nnames] == NULL) {
            rc = RK_ENOMEM;
            goto out;
        }
        nnames++;
    }
    if (nnames == 0) {
        set_err(lk, "%s: no *.brands file", dir);
        rc = RK_EIO;
        goto out;
    }
    qsort(names, nnames, sizeof *names, cmp_names);
    for (size_t i = 0; i < nnames; i++) {
        char path[4096];
        int pn = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (pn < 0 || (size_t)pn >= sizeof path) {
            set_err(lk, "%s: path too long", dir);
            rc = RK_ETOOBIG;
            goto out;
        }
        rk_buf_reset(&b);
        rc = read_file(lk, path, &b);
        if (rc != RK_OK)
            goto out;
        rc = rk_lookalike_add_brands(lk, b.data ? b.data : "", b.len, path);
        if (rc != RK_OK)
            goto out;
    }
out:
    closedir(d);
    for (size_t i = 0; i < nnames; i++)
        rk_free(names[i]);
    rk_free(names);
    rk_buf_free(&b);
    return rc;
}

/* ===== Compilation ===== */

enum rk_status rk_lookalike_compile(struct rk_lookalike *lk)
{
    enum rk_status rc;
    if (lk->compiled)
        return RK_OK;
    if (lk->nbrands == 0) {
        set_err(lk, "no brands loaded");
        return RK_EINVAL;
    }
    /* The Debian publicsuffix package's list, read by libpsl and into the detector's own table
     * (lookalike-psl.c) so both give the same answers; without it, libpsl's newest list. */
    lk->psl = psl_load_file(RK__LA_PSL_FILE);
    if (lk->psl != NULL) {
        rc = rk__la_psl_load(lk, RK__LA_PSL_FILE);
        if (rc != RK_OK) {
            rk__la_psl_free(lk);
            lk->psl_rules = NULL;
            if (rc == RK_ENOMEM)
                return rc;
        }
    } else {
        lk->psl = psl_latest(NULL);
    }
    if (lk->psl == NULL) {
        set_err(lk, "cannot load the Public Suffix List (install publicsuffix)");
        return RK_EIO;
    }
    rc = rk__la_build_indexes(lk);
    if (rc == RK_OK)
        rc = rk__la_table_init(&lk->legpar, lk->nlegit);
    for (size_t i = 0; rc == RK_OK && i < lk->nlegit; i++) {
        const char *d = lk->legit[i].domain;
        const char *r = psl_registrable_domain(lk->psl, d);
        if (r == NULL) {
            set_err(lk, "legitimate domain '%s' is a public suffix", d);
            return RK_EINVAL;
        }
        if (r != d)
            rc = rk__la_table_add(&lk->legpar, rk__la_hash(r, strlen(r)), (int32_t)i);
    }
    if (rc != RK_OK) {
        set_err(lk, "cannot build the indexes: %s", rk_strerror(rc));
        return rc;
    }
    UErrorCode st = U_ZERO_ERROR;
    lk->spoof = uspoof_open(&st);
    if (U_FAILURE(st)) {
        lk->spoof = NULL;
        set_err(lk, "cannot open the ICU spoof checker: %s", u_errorName(st));
        return RK_EIO;
    }
    lk->compiled = 1;
    return RK_OK;
}

static int legit_exact(const struct rk_lookalike *lk, const char *d, size_t n)
{
    for (int32_t c = rk__la_table_find(&lk->leg, rk__la_hash(d, n)); c >= 0;
         c = lk->leg.chain[c].next)
        if (strcmp(lk->legit[lk->leg.chain[c].item].domain, d) == 0)
            return 1;
    return 0;
}

int rk_lookalike_is_legit(const struct rk_lookalike *lk, const char *registrable)
{
    return legit_exact(lk, registrable, strlen(registrable));
}

int rk__la_legit_host(const struct rk_lookalike *lk, const char *host, const char *reg)
{
    size_t rn = strlen(reg);
    if (legit_exact(lk, reg, rn))
        return 1;
    if (rk__la_table_find(&lk->legpar, rk__la_hash(reg, rn)) < 0)
        return 0;
    /* A listed subdomain (line.naver.jp): the host or one of its parents above the
     * registrable domain must be listed. */
    for (const char *p = host; p < reg; p++) {
        if (p != host && p[-1] != '.')
            continue;
        if (legit_exact(lk, p, strlen(p)))
            return 1;
    }
    return 0;
}
