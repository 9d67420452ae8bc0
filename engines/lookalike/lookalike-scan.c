/*
 * The detector's hot path: one domain name or URL in, the best-matching brand with its
 * explained reasons out.
 *
 * Steps (docs/lookalike.md explains each reason and its score):
 *   1. normalise the input to a lowercase ASCII host (URL host, no port, IDNA for raw Unicode);
 *   2. find the registrable domain with libpsl; a legitimate brand domain stops here;
 *   3. build a "view" of the labels left of the public suffix: punycode decoded, each IDN label
 *      replaced by its UTS #39 skeleton when that is plain ASCII, hyphens removed;
 *   4. scan the view with the Aho-Corasick automaton of brand labels and keywords, and classify
 *      each hit (TLD swap, combosquat, brand label inside a longer label, subdomain label);
 *   5. look the registrable label and its hyphen tokens up in the edit-distance index (first
 *      letter, length) and verify candidates with the Damerau-Levenshtein (OSA) distance;
 *   6. repeat 4-5 on a view with the ASCII homoglyphs 0/o 1/l rn/m vv/w folded, keeping only
 *      matches that the fold made possible;
 *   7. check whether a brand's own domain is the subdomain part (rakuten.co.jp.example.top).
 * Nothing on this path allocates except IDN decoding, which only punycode labels reach.
 */
#include "lookalike-int.h"

#include <idn2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renkei/alloc.h"

#define RK__LA_MAX_LABELS 128

/* ===== Names ===== */

enum rk_lookalike_skip rk_lookalike_skip_of(int rc)
{
    enum rk_status p = rk_status_primary(rc);
    if (p != RK_EINVAL && p != RK_ETOOBIG)
        return RK_LOOKALIKE_SKIP_NONE;
    int k = (rc >> 8) & 0xff;
    return k > 0 && k < RK_LOOKALIKE_SKIP_COUNT ? (enum rk_lookalike_skip)k
                                                : RK_LOOKALIKE_SKIP_NONE;
}

const char *rk_lookalike_skip_name(enum rk_lookalike_skip k)
{
    static const char *const names[] = {
        "none",
        "empty line",
        "name too long",
        "invalid characters",
        "invalid punycode or IDN",
        "IP address literal",
        "no registrable domain",
    };
    return (unsigned)k < RK_LOOKALIKE_SKIP_COUNT ? names[k] : "unknown";
}

const char *rk_lookalike_reason_name(enum rk_lookalike_reason_kind k)
{
    static const char *const names[] = {
        "brand-domain-as-subdomain",
        "idn-homograph",
        "ascii-homoglyph",
        "tld-swap",
        "combosquat",
        "contains-brand",
        "brand-subdomain-label",
        "edit-distance",
    };
    return (unsigned)k < RK_LOOKALIKE_R_KIND_COUNT ? names[k] : "unknown";
}

/* ===== Scanner ===== */

enum rk_status rk_lookalike_scanner_create(const struct rk_lookalike *lk,
                                           struct rk_lookalike_scanner **out)
{
    enum rk_status rc = RK_ENOMEM;
    *out = NULL;
    if (!lk->compiled)
        return RK_ECONFLICT;
    struct rk_lookalike_scanner *s = rk_calloc(1, sizeof *s);
    if (s == NULL)
        return RK_ENOMEM;
    s->lk = lk;
    s->bscore = rk_calloc(lk->nbrands, sizeof *s->bscore);
    s->bnreasons = rk_calloc(lk->nbrands, sizeof *s->bnreasons);
    s->breasons = rk_calloc(lk->nbrands * RK_LOOKALIKE_MAX_REASONS, sizeof *s->breasons);
    s->touched = rk_calloc(lk->nbrands, sizeof *s->touched);
    s->bspec = rk_calloc(lk->nbrands, sizeof *s->bspec);
    if (s->bscore == NULL || s->bnreasons == NULL || s->breasons == NULL || s->touched == NULL ||
        s->bspec == NULL)
        goto out;
    /* A clone per thread: ICU documents spoof checkers as safe for concurrent const use, but
     * the skeleton call is not const in the C API, so each thread keeps its own. */
    UErrorCode st = U_ZERO_ERROR;
    s->spoof = uspoof_clone(lk->spoof, &st);
    if (U_FAILURE(st)) {
        s->spoof = NULL;
        rc = RK_EIO;
        goto out;
    }
    *out = s;
    return RK_OK;
out:
    rk_lookalike_scanner_destroy(s);
    return rc;
}

void rk_lookalike_scanner_destroy(struct rk_lookalike_scanner *s)
{
    if (s == NULL)
        return;
    if (s->spoof != NULL)
        uspoof_close(s->spoof);
    rk_free(s->bscore);
    rk_free(s->bnreasons);
    rk_free(s->breasons);
    rk_free(s->touched);
    rk_free(s->bspec);
    rk_free(s);
}

/* ===== Normalisation ===== */

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

enum rk_status rk__la_normalise(struct rk_lookalike_scanner *s, const char *in, size_t len)
{
    if (len > RK_MAX_LOOKALIKE_LINE)
        return RK__LA_SKIP(RK_ETOOBIG, RK_LOOKALIKE_SKIP_TOO_LONG);
    while (len > 0 && is_ws((unsigned char)in[0])) {
        in++;
        len--;
    }
    while (len > 0 && is_ws((unsigned char)in[len - 1]))
        len--;
    if (len == 0)
        return RK__LA_SKIP(RK_EINVAL, RK_LOOKALIKE_SKIP_EMPTY);
    /* A URL: skip "scheme://". Only a short run of scheme letters counts. */
    for (size_t i = 0; i < len && i < 16; i++) {
        char c = in[i];
        if (c == ':' && i > 0 && i + 2 < len && in[i + 1] == '/' && in[i + 2] == '/') {
            in += i + 3;
            len -= i + 3;
            break;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' || c == '.' || c == '-'))
            break;
    }
    size_t end = 0;
    while (end < len && in[end] != '/' && in[end] != '?' && in[end] != '#' &&
           !is_ws((unsigned char)in[end]))
        end++;
    len = end;
    /* Userinfo: the host follows the last '@'. */
    for (size_t i = len; i > 0; i--) {
        if (in[i - 1] == '@') {
            in += i;
            len -= i;
            break;
        }
    }
    if (len > 0 && in[0] == '[')
        return RK__LA_SKIP(RK_EINVAL, RK_LOOKALIKE_SKIP_IP);
    const char *colon = memchr(in, ':', len);
    if (colon != NULL) {
        size_t h = (size_t)(colon - in);
        if (memchr(colon + 1, ':', len - h - 1) != NULL)
            return RK__LA_SKIP(RK_EINVAL, RK_LOOKALIKE_SKIP_IP); /* bare IPv6 */
        if (h + 1 < len && !all_digits(colon + 1, len - h - 1))
            return RK__LA_SKIP(RK_EINVAL, RK_LOOKALIKE_SKIP_BAD_CHAR);
        len = h;
    }
    if (len >= 2 && in[0] == '*' && in[1] == '.') {
        in += 2;
        len -= 2;
    }
    if (len > 0 && in[len - 1] == '.')
        len--;
    if (len == 0)
        return RK__LA_SKIP(RK_EINVAL, RK_LOOKALIKE_SKIP_EMPTY);
    if (len > RK_MAX_LOOKALIKE_NAME)
        return RK__LA_SKIP(RK_ETOOBIG, RK_LOOKALIKE_SKIP_TOO_LONG);
    int ascii = 1;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '.') {
            if (label == 0)
                return RK__LA_SKIP(RK_EINVAL, RK_LOOKALIKE_SKIP_BAD_CHAR);
            label = 0;
            s->host[i] = '.';
            continue;
        }
        if (++label > RK_MAX_LOOKALIKE_LABEL)
            return RK__LA_SKIP(RK_ETOOBIG, RK_LOOKALIKE_SKIP_TOO_LONG);
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        else if (c >= 0x80)
            ascii = 0;
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return RK__LA_SKIP(RK_EINVAL, RK_LOOKALIKE_SKIP_BAD_CHAR);
        s->host[i] = (char)c;
    }
    s->host[len] = '\0';
    if (!ascii) {
        /* Raw Unicode (e.g. from an SMS): IDNA2008 with the UTS #46 mapping (case folding,
         * full-width letters), then the punycode form is what every later step sees. */
        if (!rk__la_valid_utf8((const unsigned char *)s->host, len))
            return RK__LA_SKIP(RK_EINVAL, RK_LOOKALIKE_SKIP_BAD_CHAR);
        char *a = NULL;
        int r = idn2_to_ascii_8z(s->host, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
        if (r != IDN2_OK) {
            if (r == IDN2_MALLOC)
                return RK_ENOMEM;
            return RK__LA_SKIP(RK_EINVAL, RK_LOOKALIKE_SKIP_BAD_IDN);
        }
        size_t n = strlen(a);
        if (n > RK_MAX_LOOKALIKE_NAME) {
            idn2_free(a);
            return RK__LA_SKIP(RK_ETOOBIG, RK_LOOKALIKE_SKIP_TOO_LONG);
        }
        memcpy(s->host, a, n + 1);
        idn2_free(a);
        len = n;
    }
    /* A numeric last label is never a top-level domain: an IPv4 literal in some notation. */
    const char *last = strrchr(s->host, '.');
    last = last ? last + 1 : s->host;
    if (*last >= '0' && *last <= '9')
        return RK__LA_SKIP(RK_EINVAL, RK_LOOKALIKE_SKIP_IP);
    return RK_OK;
}

/* ===== Reasons ===== */

/* Records a reason for `brand`. `spec` is the length of the brand term or domain that matched:
 * between brands with equal scores the more specific match wins ("rakuten-sec-login" is
 * Rakuten Securities, not Rakuten). */
static void add_reason(struct rk_lookalike_scanner *s, int32_t brand,
                       enum rk_lookalike_reason_kind kind, int score, int spec, const char *fmt,
                       ...) __attribute__((format(printf, 6, 7)));
static void add_reason(struct rk_lookalike_scanner *s, int32_t brand,
                       enum rk_lookalike_reason_kind kind, int score, int spec, const char *fmt,
                       ...)
{
    if (score <= 0)
        return;
    if (score > 100)
        score = 100;
    if (s->bscore[brand] == 0 && s->bnreasons[brand] == 0) {
        s->touched[s->ntouched++] = brand;
        s->bspec[brand] = 0;
    }
    if (spec > s->bspec[brand])
        s->bspec[brand] = spec;
    struct rk_lookalike_reason *r = &s->breasons[(size_t)brand * RK_LOOKALIKE_MAX_REASONS];
    size_t n = s->bnreasons[brand], i;
    for (i = 0; i < n; i++)
        if (r[i].kind == kind)
            break;
    if (i == n) {
        if (n == RK_LOOKALIKE_MAX_REASONS)
            return;
        s->bnreasons[brand]++;
    } else if (r[i].score >= score) {
        return;
    }
    r[i].kind = kind;
    r[i].score = score;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r[i].detail, sizeof r[i].detail, fmt, ap);
    va_end(ap);
    if (score > s->bscore[brand])
        s->bscore[brand] = score;
}

/* Formats a reason's detail; truncation is fine (it is an explanation, not data). */
static void set_detail(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_detail(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

/* ===== Views ===== */

/* The labels left of the public suffix, hyphens removed, '.' between labels. */
struct view {
    char c[RK_MAX_LOOKALIKE_NAME * 4 + 8];
    uint8_t bnd[RK_MAX_LOOKALIKE_NAME * 4 + 8];  /* 1: a token boundary before this byte */
    uint8_t fold[RK_MAX_LOOKALIKE_NAME * 4 + 8]; /* 1: byte produced by the homoglyph fold */
    size_t n;
    uint16_t ls[RK__LA_MAX_LABELS], ll[RK__LA_MAX_LABELS];
    uint8_t idn[RK__LA_MAX_LABELS];
    size_t nl;
    /* The registrable label as written (with hyphens), for the edit-distance tokens. */
    char reg[RK_MAX_LOOKALIKE_NAME * 4 + 8];
    uint8_t regfold[RK_MAX_LOOKALIKE_NAME * 4 + 8];
    size_t nreg;
    int folded; /* this is the homoglyph view */
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Appends one label (as written, with hyphens) to the view. `fold` marks folded bytes. */
static void view_add_label(struct view *v, const char *l, size_t n, const uint8_t *fold, int idn,
                           int is_reg)
{
    if (v->nl == RK__LA_MAX_LABELS)
        return;
    if (v->nl > 0) {
        v->c[v->n] = '.';
        v->bnd[v->n] = 1;
        v->fold[v->n] = 0;
        v->n++;
    }
    v->ls[v->nl] = (uint16_t)v->n;
    int boundary = 1;
    for (size_t i = 0; i < n; i++) {
        if (l[i] == '-' || l[i] == '_') {
            boundary = 1;
            continue;
        }
        if (i > 0 && l[i - 1] != '-' && is_digit(l[i]) != is_digit(l[i - 1]))
            boundary = 1;
        v->c[v->n] = l[i];
        v->bnd[v->n] = (uint8_t)boundary;
        v->fold[v->n] = fold ? fold[i] : 0;
        v->n++;
        boundary = 0;
    }
    v->bnd[v->n] = 1;
    v->ll[v->nl] = (uint16_t)(v->n - v->ls[v->nl]);
    v->idn[v->nl] = (uint8_t)idn;
    v->nl++;
    if (is_reg) {
        memcpy(v->reg, l, n);
        if (fold)
            memcpy(v->regfold, fold, n);
        else
            memset(v->regfold, 0, n);
        v->nreg = n;
        v->reg[n] = '\0';
    }
}

/* Applies the reason kind of the view / label to a base reason. */
static void view_reason(struct rk_lookalike_scanner *s, const struct view *v, int idn,
                        int32_t brand, enum rk_lookalike_reason_kind kind, int score, int spec,
                        const char *detail)
{
    if (idn) {
        add_reason(s, brand, RK_LOOKALIKE_R_IDN_HOMOGRAPH, score + 5, spec, "IDN skeleton: %s",
                   detail);
    } else if (v->folded) {
        add_reason(s, brand, RK_LOOKALIKE_R_ASCII_HOMOGLYPH, score + 5, spec,
                   "after 0/o 1/l rn/m vv/w: %s", detail);
    } else {
        add_reason(s, brand, kind, score, spec, "%s", detail);
    }
}

/* Classifies one automaton hit: term t ends before v->c[e]. */
static void ac_hit(struct rk_lookalike_scanner *s, const struct view *v, int32_t t, size_t e)
{
    const struct rk_lookalike *lk = s->lk;
    const struct rk__la_term *term = &lk->terms[t];
    size_t b = e - term->len;
    size_t li = 0;
    while (li + 1 < v->nl && v->ls[li + 1] <= b)
        li++;
    size_t ls = v->ls[li], le = ls + v->ll[li];
    if (v->folded) {
        /* Only matches the fold made possible: some byte of the match was folded. */
        int any = 0;
        for (size_t i = b; i < e; i++)
            any |= v->fold[i];
        if (!any)
            return;
    }
    int is_reg = li + 1 == v->nl;
    int label = term->kind == RK__LA_LABEL;
    char detail[RK_LOOKALIKE_DETAIL];
    if (b == ls && e == le) {
        if (is_reg) {
            set_detail(detail, sizeof detail, "registrable label is %s '%s' on another suffix",
                       label ? "brand label" : "brand keyword", term->text);
            view_reason(s, v, v->idn[li], term->brand, RK_LOOKALIKE_R_TLD_SWAP,
                        label ? (term->len >= 4 ? 90 : 75) : (term->len >= 5 ? 80 : 60),
                        (int)term->len, detail);
        } else {
            set_detail(detail, sizeof detail, "subdomain label is %s '%s'",
                       label ? "brand label" : "brand keyword", term->text);
            view_reason(s, v, v->idn[li], term->brand, RK_LOOKALIKE_R_SUBDOMAIN_LABEL,
                        label ? 70 : 65, (int)term->len, detail);
        }
        return;
    }
    int full = rk__la_words_cover(lk, v->c + ls, b - ls, term->brand) &&
               rk__la_words_cover(lk, v->c + e, le - e, term->brand);
    char words[64];
    int nw = rk__la_words_find(lk, v->c + ls, b - ls, words, sizeof words);
    size_t used = strlen(words);
    if (used > 0 && used + 1 < sizeof words) {
        words[used++] = ',';
        words[used] = '\0';
    }
    nw += rk__la_words_find(lk, v->c + e, le - e, words + used, sizeof words - used);
    used = strlen(words);
    if (used > 0 && words[used - 1] == ',')
        words[used - 1] = '\0';
    int boundary = v->bnd[b] && v->bnd[e];
    /* A remainder of digits only ("kabu982") covers trivially but says little. */
    int letters = 0;
    for (size_t k = ls; k < le; k++)
        if ((k < b || k >= e) && !is_digit(v->c[k]))
            letters = 1;
    int score = 0;
    enum rk_lookalike_reason_kind kind = RK_LOOKALIKE_R_COMBOSQUAT;
    if (full && letters) {
        /* A keyword is an ordinary word or surname: a little weaker than a label. */
        score = label ? (is_reg ? 90 : 80) : (is_reg ? 85 : 75);
        set_detail(detail, sizeof detail, "%s '%s' + words %s", label ? "label" : "keyword",
                   term->text, nw > 0 ? words : "(short words/digits)");
    } else if (full && label) {
        score = is_reg ? 70 : 60;
        set_detail(detail, sizeof detail, "label '%s' + digits", term->text);
    } else if (nw > 0 && (boundary || (term->len >= 5 && v->bnd[b]))) {
        /* Some phishing words but also other text: the brand must start a token
         * ("rakutenn-login"), and stand apart on both sides if it is short, so that a brand
         * inside an ordinary word ("pineapple-shop") is not a combosquat. */
        score = term->len >= 5 ? (is_reg ? 70 : 60) : (is_reg ? 65 : 55);
        set_detail(detail, sizeof detail, "%s '%s' with words %s among other text",
                   label ? "label" : "keyword", term->text, words);
    } else if (label && term->len >= 6 && v->bnd[b]) {
        /* Below the default threshold on its own: a brand name inside an unrelated compound
         * ("google-analytics", "softbankhawks") is common; an abused TLD or other evidence
         * lifts it over. */
        kind = RK_LOOKALIKE_R_CONTAINS;
        score = is_reg ? 45 : 40;
        set_detail(detail, sizeof detail, "label '%s' inside '%.*s'", term->text, (int)(le - ls),
                   v->c + ls);
    }
    if (score > 0)
        view_reason(s, v, v->idn[li], term->brand, kind, score, (int)term->len, detail);
}

static void ac_scan(struct rk_lookalike_scanner *s, const struct view *v)
{
    const struct rk_lookalike *lk = s->lk;
    int32_t st = 0;
    for (size_t i = 0; i < v->n; i++) {
        st = lk->delta[(size_t)st * lk->nclasses + lk->cls[(unsigned char)v->c[i]]];
        int32_t o = lk->out_term[st] >= 0 ? st : lk->dict[st];
        for (; o >= 0; o = lk->dict[o])
            for (int32_t x = lk->out_term[o]; x >= 0; x = lk->outs[x].next)
                ac_hit(s, v, lk->outs[x].item, i + 1);
    }
}

/* ===== Edit distance ===== */

struct ed_query {
    const char *q; /* the token */
    size_t n;
    const char *rest; /* the registrable label without the token, or NULL for the whole label */
    size_t nrest;
};

/* Verifies the candidates of one query: labels under its first letter within two of its
 * length. */
static void ed_query(struct rk_lookalike_scanner *s, const struct view *v,
                     const struct ed_query *eq, const uint8_t *fold)
{
    const struct rk_lookalike *lk = s->lk;
    if (eq->n < 3 || eq->n > RK_MAX_LOOKALIKE_TERM + 2)
        return;
    int c = rk__la_ed_class((unsigned char)eq->q[0]);
    if (c < 0)
        return;
    int any = 0;
    uint64_t qmask = 0;
    for (size_t i = 0; i < eq->n; i++) {
        int k = rk__la_ed_class((unsigned char)eq->q[i]);
        if (k < 0)
            return;
        qmask |= 1ull << k;
        if (fold != NULL)
            any |= fold[i];
    }
    if (v->folded && !any)
        return;
    size_t lo = eq->n > 2 ? eq->n - 2 : 1, hi = eq->n + 2;
    if (hi > RK_MAX_LOOKALIKE_TERM)
        hi = RK_MAX_LOOKALIKE_TERM;
    for (size_t len = lo; len <= hi; len++) {
        for (int32_t t = lk->ed_head[c][len]; t >= 0; t = lk->ed_next[t]) {
            const struct rk__la_term *term = &lk->terms[t];
            size_t diff = len > eq->n ? len - eq->n : eq->n - len;
            if (diff > term->maxd)
                continue;
            /* Typosquats keep the start of the name, which is what a reader checks; requiring
             * the first letter (two for names of up to six letters) to agree removes most
             * ordinary words one edit away ("cloud" / "icloud", "ample" / "apple"). */
            if (term->len <= 6 && (eq->n < 2 || eq->q[1] != term->text[1]))
                continue;
            /* Cheap lower bounds first: each distinct letter of one string missing from the
             * other costs at least one edit. */
            if (__builtin_popcountll(lk->ed_mask[t] & ~qmask) > term->maxd ||
                __builtin_popcountll(qmask & ~lk->ed_mask[t]) > term->maxd)
                continue;
            int d = rk__la_osa(eq->q, eq->n, term->text, term->len, term->maxd);
            if (d < 1 || d > term->maxd)
                continue;
            /* Two edits at the end of a long name are usually another word on the same stem
             * ("nomurare" / "nomurasec"): a distance of 2 needs the last letters to agree. */
            if (d == 2 && eq->q[eq->n - 1] != term->text[term->len - 1])
                continue;
            char detail[RK_LOOKALIKE_DETAIL];
            int score;
            if (eq->rest == NULL) {
                /* One edit from a five-letter name is often an ordinary word ("tesco" /
                 * "tepco"): alone it stays under the default threshold. */
                score = d == 2 ? 70 : term->len >= 8 ? 75 : term->len >= 6 ? 65 : 45;
                set_detail(detail, sizeof detail, "'%.*s' is %d edit%s from '%s'", (int)eq->n,
                           eq->q, d, d == 1 ? "" : "s", term->text);
            } else {
                char words[48];
                int nw = rk__la_words_find(lk, eq->rest, eq->nrest, words, sizeof words);
                if (rk__la_words_cover(lk, eq->rest, eq->nrest, term->brand))
                    score = d == 1 ? 85 : 75;
                else if (nw > 0)
                    score = d == 1 ? 65 : 60;
                else
                    continue;
                set_detail(detail, sizeof detail, "token '%.*s' is %d edit%s from '%s' + %s",
                           (int)eq->n, eq->q, d, d == 1 ? "" : "s", term->text,
                           nw > 0 ? words : "digits");
            }
            view_reason(s, v, v->idn[v->nl - 1], term->brand, RK_LOOKALIKE_R_EDIT_DISTANCE, score,
                        (int)term->len, detail);
        }
    }
}

static void ed_scan(struct rk_lookalike_scanner *s, const struct view *v)
{
    /* The registrable label without hyphens... */
    size_t ls = v->ls[v->nl - 1];
    struct ed_query eq = {v->c + ls, v->ll[v->nl - 1], NULL, 0};
    ed_query(s, v, &eq, v->fold + ls);
    /* ...and each of its hyphen tokens, the rest of the label being the context. */
    if (memchr(v->reg, '-', v->nreg) == NULL)
        return;
    size_t i = 0;
    while (i < v->nreg) {
        size_t j = i;
        while (j < v->nreg && v->reg[j] != '-')
            j++;
        char rest[RK_MAX_LOOKALIKE_NAME * 4 + 8];
        size_t nrest = 0;
        for (size_t k = 0; k < v->nreg; k++)
            if ((k < i || k >= j) && v->reg[k] != '-')
                rest[nrest++] = v->reg[k];
        struct ed_query tq = {v->reg + i, j - i, rest, nrest};
        ed_query(s, v, &tq, v->regfold + i);
        i = j + 1;
    }
}

/* ===== Check ===== */

/* Decodes a punycode label and replaces it by its skeleton when that is plain ASCII.
 * Writes the display form to `disp` and the matching form to `eff`. */
static enum rk_status idn_label(struct rk_lookalike_scanner *s, const char *l, size_t n, char *disp,
                                size_t *ndisp, char *eff, size_t *neff, int *idn)
{
    char tmp[RK_MAX_LOOKALIKE_LABEL + 1];
    char *u = NULL;
    memcpy(tmp, l, n);
    tmp[n] = '\0';
    int r = idn2_to_unicode_8z8z(tmp, &u, 0);
    if (r != IDN2_OK || u == NULL || !rk__la_valid_utf8((const unsigned char *)u, strlen(u))) {
        idn2_free(u);
        return r == IDN2_MALLOC ? RK_ENOMEM : RK__LA_SKIP(RK_EINVAL, RK_LOOKALIKE_SKIP_BAD_IDN);
    }
    size_t un = strlen(u);
    if (un > RK_MAX_LOOKALIKE_LABEL * 4) {
        idn2_free(u);
        return RK__LA_SKIP(RK_EINVAL, RK_LOOKALIKE_SKIP_BAD_IDN);
    }
    memcpy(disp, u, un);
    *ndisp = un;
    char sk[RK_MAX_LOOKALIKE_LABEL * 8];
    UErrorCode st = U_ZERO_ERROR;
    int32_t skn = uspoof_getSkeletonUTF8(s->spoof, 0, u, (int32_t)un, sk, (int32_t)sizeof sk, &st);
    idn2_free(u);
    *idn = 0;
    memcpy(eff, disp, un);
    *neff = un;
    if (U_FAILURE(st) || skn <= 0 || (size_t)skn >= sizeof sk)
        return RK_OK;
    /* Lowercase, drop combining marks U+0300..U+036F (UTF-8 CC 80 .. CD AF), and keep the
     * result only if it is plain ASCII: then the label imitates a Latin name. */
    size_t m = 0;
    for (int32_t i = 0; i < skn; i++) {
        unsigned char c = (unsigned char)sk[i];
        if ((c == 0xcc || (c == 0xcd && i + 1 < skn && (unsigned char)sk[i + 1] <= 0xaf)) &&
            i + 1 < skn) {
            i++;
            continue;
        }
        if (c >= 0x80)
            return RK_OK;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return RK_OK;
        if (m >= RK_MAX_LOOKALIKE_LABEL)
            return RK_OK;
        eff[m++] = (char)c;
    }
    if (m == 0)
        return RK_OK;
    *neff = m;
    *idn = 1;
    return RK_OK;
}

/* Folds 0->o, 1->l, rn->m, vv->w in one label; returns 1 if anything changed. */
static int fold_label(const char *l, size_t n, char *out, uint8_t *fold, size_t *nout)
{
    size_t m = 0;
    int changed = 0;
    for (size_t i = 0; i < n; i++) {
        char c = l[i];
        uint8_t f = 0;
        if (c == '0' || c == '1') {
            c = c == '0' ? 'o' : 'l';
            f = 1;
        } else if (i + 1 < n && ((c == 'r' && l[i + 1] == 'n') || (c == 'v' && l[i + 1] == 'v'))) {
            c = c == 'r' ? 'm' : 'w';
            f = 1;
            i++;
        }
        changed |= f;
        out[m] = c;
        fold[m] = f;
        m++;
    }
    *nout = m;
    return changed;
}

/* Public suffixes over-represented in Japanese phishing reports (antiphishing.jp monthly
 * figures; cheap or free registrations). */
static int abused_tld(const char *suffix)
{
    static const char *const tlds[] = {
        "top",    "cn",     "xyz",    "shop",    "icu",  "buzz", "cyou",  "vip",   "club",
        "online", "site",   "live",   "sbs",     "cfd",  "bond", "click", "link",  "work",
        "fun",    "life",   "store",  "monster", "rest", "lat",  "asia",  "cc",    "ws",
        "tk",     "ml",     "ga",     "cf",      "gq",   "pw",   "win",   "today", "support",
        "info",   "com.cn", "net.cn", "ltd",     "mobi", "one",  NULL,
    };
    for (size_t i = 0; tlds[i] != NULL; i++)
        if (strcmp(suffix, tlds[i]) == 0)
            return 1;
    return 0;
}

static int reason_cmp(const void *a, const void *b)
{
    const struct rk_lookalike_reason *x = a, *y = b;
    return y->score - x->score;
}

enum rk_status rk_lookalike_check(struct rk_lookalike_scanner *s, const char *input, size_t len,
                                  struct rk_lookalike_match *out)
{
    const struct rk_lookalike *lk = s->lk;
    enum rk_status rc = rk__la_normalise(s, input, len);
    if (rc != RK_OK)
        return rc;
    const char *reg = rk__la_registrable(lk, s->host);
    if (reg == NULL)
        return RK__LA_SKIP(RK_EINVAL, RK_LOOKALIKE_SKIP_NO_SUFFIX);
    size_t hlen = strlen(s->host);
    size_t rlen = strlen(reg);
    memcpy(s->reg, reg, rlen + 1);
    size_t regoff = hlen - rlen;
    out->brand = -1;
    out->score = 0;
    out->n_reasons = 0;
    out->host = s->host;
    out->registrable = s->reg;
    if (rk__la_legit_host(lk, s->host, s->host + regoff))
        return RK_OK;

    /* Step 3: the views. */
    struct view v, f;
    v.n = v.nl = v.nreg = 0;
    v.folded = 0;
    f.n = f.nl = f.nreg = 0;
    f.folded = 1;
    const char *dot = memchr(s->reg, '.', rlen);
    size_t prefix = regoff + (size_t)(dot - s->reg); /* labels left of the public suffix */
    int any_fold = 0, any_idn = 0;
    /* The homoglyph view is built only when a fold can change something (most names have no
     * 0, 1, rn or vv); punycode labels are decoded first, so they always qualify. */
    int maybe_fold = 0;
    for (size_t k = 0; k < prefix && !maybe_fold; k++) {
        char c = s->host[k];
        maybe_fold = c == '0' || c == '1' ||
                     (k + 1 < prefix &&
                      ((c == 'r' && s->host[k + 1] == 'n') || (c == 'v' && s->host[k + 1] == 'v')));
    }
    if (!maybe_fold && strstr(s->host, "xn--") != NULL)
        maybe_fold = 1;
    size_t ulen = 0, i = 0;
    while (i < prefix) {
        size_t j = i;
        while (j < prefix && s->host[j] != '.')
            j++;
        const char *l = s->host + i;
        size_t n = j - i;
        int is_reg = i == regoff;
        char disp[RK_MAX_LOOKALIKE_LABEL * 4 + 1], eff[RK_MAX_LOOKALIKE_LABEL * 4 + 1];
        size_t ndisp = n, neff = n;
        int idn = 0;
        if (n > 4 && memcmp(l, "xn--", 4) == 0) {
            rc = idn_label(s, l, n, disp, &ndisp, eff, &neff, &idn);
            if (rc != RK_OK)
                return rc;
            any_idn = 1;
        } else {
            memcpy(disp, l, n);
            memcpy(eff, l, n);
        }
        memcpy(s->uhost + ulen, disp, ndisp);
        ulen += ndisp;
        s->uhost[ulen++] = '.';
        view_add_label(&v, eff, neff, NULL, idn, is_reg);
        if (maybe_fold) {
            char fl[RK_MAX_LOOKALIKE_LABEL * 4 + 1];
            uint8_t fm[RK_MAX_LOOKALIKE_LABEL * 4 + 1];
            size_t nf;
            any_fold |= fold_label(eff, neff, fl, fm, &nf);
            view_add_label(&f, fl, nf, fm, idn, is_reg);
        }
        i = j + 1;
    }
    memcpy(s->uhost + ulen, s->host + prefix + 1, hlen - prefix - 1);
    s->uhost[ulen + hlen - prefix - 1] = '\0';
    if (any_idn)
        out->host = s->uhost;

    /* Steps 4-6. */
    s->ntouched = 0;
    ac_scan(s, &v);
    ed_scan(s, &v);
    if (any_fold) {
        ac_scan(s, &f);
        ed_scan(s, &f);
    }
    /* Step 7: a brand's own domain as the subdomain part. */
    if (regoff > 1) {
        char sub[RK_MAX_LOOKALIKE_NAME + 1];
        memcpy(sub, s->host, regoff - 1);
        sub[regoff - 1] = '\0';
        for (size_t p = 0; p < regoff - 1; p++) {
            if (p > 0 && sub[p - 1] != '.')
                continue;
            if (strchr(sub + p, '.') == NULL)
                break; /* a single label is not a domain */
            size_t sn = strlen(sub + p);
            for (int32_t c = rk__la_table_find(&lk->leg, rk__la_hash(sub + p, sn)); c >= 0;
                 c = lk->leg.chain[c].next) {
                const struct rk__la_legit *lg = &lk->legit[lk->leg.chain[c].item];
                if (strcmp(lg->domain, sub + p) == 0)
                    add_reason(s, lg->brand, RK_LOOKALIKE_R_BRAND_DOMAIN_SUBDOMAIN, 95, (int)sn,
                               "brand domain '%s' used as a subdomain of '%s'", lg->domain, s->reg);
            }
        }
    }

    /* The best brand: its strongest reason, +5 for each further kind of evidence, +10 on a
     * TLD that carries most phishing (DOMAIN.md §4: .top and .cn alone are half the URLs). */
    int best = -1, bestscore = 0;
    int abused = s->ntouched > 0 && abused_tld(s->reg + (dot - s->reg) + 1);
    for (size_t k = 0; k < s->ntouched; k++) {
        int32_t b = s->touched[k];
        int sc = s->bscore[b] + 5 * ((int)s->bnreasons[b] - 1) + (abused ? 10 : 0);
        if (sc > 100)
            sc = 100;
        if (sc > bestscore || (sc == bestscore && (s->bspec[b] > s->bspec[best] ||
                                                   (s->bspec[b] == s->bspec[best] && b < best)))) {
            best = b;
            bestscore = sc;
        }
    }
    if (best >= 0) {
        out->brand = best;
        out->score = bestscore;
        out->n_reasons = s->bnreasons[best];
        memcpy(out->reasons, &s->breasons[(size_t)best * RK_LOOKALIKE_MAX_REASONS],
               out->n_reasons * sizeof *out->reasons);
        qsort(out->reasons, out->n_reasons, sizeof *out->reasons, reason_cmp);
    }
    for (size_t k = 0; k < s->ntouched; k++) {
        s->bscore[s->touched[k]] = 0;
        s->bnreasons[s->touched[k]] = 0;
    }
    s->ntouched = 0;
    return RK_OK;
}
